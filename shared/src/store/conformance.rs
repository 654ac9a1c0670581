//! The conformance suite of the store port. Every adapter runs these same scenarios (see
//! `shared/tests/store_conformance.rs`): the embedded store directly, the DynamoDB adapter
//! against a real DynamoDB-compatible server started by the test harness.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Cond, Cursor, Index, Item, Key, Query, SortKey, Store, StoreError, TxOp, Update, attr, epoch_now};

fn item(v: Value) -> Item {
    v.as_object().cloned().expect("test item is an object")
}

async fn collect(store: &dyn Store, mut q: Query) -> Vec<Item> {
    let mut out = Vec::new();
    loop {
        let page = store.query(q.clone()).await.expect("query");
        assert!(page.items.len() <= q.limit as usize, "a page never exceeds its limit");
        out.extend(page.items);
        match page.cursor {
            Some(c) => q.cursor = Some(Cursor::decode(&c.encode()).expect("cursor survives the API")),
            None => return out,
        }
    }
}

fn sks(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| i[attr::SK].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Items round-trip with nested maps, lists, numbers, booleans, nulls and Japanese text.
pub async fn items_round_trip(s: Arc<dyn Store>) {
    let it = item(json!({
        "PK": "A#1", "SK": "X", "name": "山田 太郎 🙂", "n": 42, "neg": -7, "f": 1.5, "ok": true, "none": null,
        "list": [1, "二", false], "map": {"kana": "やまだ", "inner": {"z": 0}}
    }));
    s.put(it.clone(), None).await.unwrap();
    assert_eq!(s.get(&Key::new("A#1", "X")).await.unwrap(), Some(it));
    assert_eq!(s.get(&Key::new("A#1", "missing")).await.unwrap(), None);
}

/// A create-only write fails the second time, and the first item stays.
pub async fn create_only_writes_refuse_an_existing_item(s: Arc<dyn Store>) {
    s.put(item(json!({"PK": "C#1", "SK": "X", "v": 1})), Some(Cond::NotExists))
        .await
        .unwrap();
    let err = s
        .put(item(json!({"PK": "C#1", "SK": "X", "v": 2})), Some(Cond::NotExists))
        .await
        .unwrap_err();
    assert!(err.is_condition_failed(), "{err:?}");
    assert_eq!(s.get(&Key::new("C#1", "X")).await.unwrap().unwrap()["v"], 1);
}

/// A write with a stale version is refused and leaves the item unchanged.
pub async fn stale_versions_are_refused(s: Arc<dyn Store>) {
    s.put(item(json!({"PK": "V#1", "SK": "X", "version": 1, "t": "a"})), None)
        .await
        .unwrap();
    s.put(
        item(json!({"PK": "V#1", "SK": "X", "version": 2, "t": "b"})),
        Some(Cond::version(1)),
    )
    .await
    .unwrap();
    let err = s
        .put(
            item(json!({"PK": "V#1", "SK": "X", "version": 2, "t": "c"})),
            Some(Cond::version(1)),
        )
        .await
        .unwrap_err();
    assert!(err.is_condition_failed());
    assert_eq!(s.get(&Key::new("V#1", "X")).await.unwrap().unwrap()["t"], "b");
}

/// Updates create missing items, add to counters, remove attributes and return the result.
pub async fn updates_upsert_add_and_remove(s: Arc<dyn Store>) {
    let k = Key::new("U#1", "X");
    let out = s
        .update(&k, Update::default().set("a", "x").add("n", 2), None)
        .await
        .unwrap();
    assert_eq!((out["a"].clone(), out["n"].clone()), (json!("x"), json!(2)));
    let out = s
        .update(&k, Update::default().remove("a").add("n", 3), Some(Cond::eq("n", 2)))
        .await
        .unwrap();
    assert_eq!(out.get("a"), None);
    assert_eq!(out["n"], 5);
    let err = s
        .update(&k, Update::default().set("a", "y"), Some(Cond::eq("n", 2)))
        .await
        .unwrap_err();
    assert!(err.is_condition_failed());
    let err = s
        .update(
            &k,
            Update::default().set("a", "y"),
            Some(Cond::Lt("n".into(), json!(5))),
        )
        .await
        .unwrap_err();
    assert!(err.is_condition_failed());
    s.update(
        &k,
        Update::default().set("a", "y"),
        Some(Cond::Le("n".into(), json!(5))),
    )
    .await
    .unwrap();
}

/// A value set only where absent keeps the first one written, beside the update's other parts,
/// alone and in a transaction; naming it twice in one update is refused like any overlap.
pub async fn values_set_if_absent_keep_the_first(s: Arc<dyn Store>) {
    let k = Key::new("U#3", "X");
    let first = Update::default()
        .set_if_absent("first", "a")
        .set("last", "a")
        .add("n", 1);
    let out = s.update(&k, first, None).await.unwrap();
    assert_eq!((out["first"].clone(), out["last"].clone()), (json!("a"), json!("a")));
    let second = Update::default()
        .set_if_absent("first", "b")
        .set("last", "b")
        .add("n", 1);
    let out = s.update(&k, second, Some(Cond::eq("n", 1))).await.unwrap();
    assert_eq!(
        (out["first"].clone(), out["last"].clone(), out["n"].clone()),
        (json!("a"), json!("b"), json!(2))
    );
    let tx = vec![TxOp::Update {
        key: k.clone(),
        update: Update::default()
            .set_if_absent("first", "c")
            .set_if_absent("other", "c"),
        cond: None,
    }];
    s.transact(tx).await.unwrap();
    let got = s.get(&k).await.unwrap().unwrap();
    assert_eq!((got["first"].clone(), got["other"].clone()), (json!("a"), json!("c")));
    let twice = Update::default().set_if_absent("first", "d").set("first", "d");
    assert!(s.update(&k, twice, None).await.is_err(), "two paths to first");
}

/// An update naming one attribute twice (two ADDs of one counter, a SET and a REMOVE of one
/// name) is refused as DynamoDB refuses it ("Two document paths overlap"), alone and in a
/// transaction, and nothing of it is written.
pub async fn updates_naming_an_attribute_twice_are_refused(s: Arc<dyn Store>) {
    let k = Key::new("U#2", "X");
    let twice = Update::default().add("n", 1).add("m", 1).add("n", 2);
    assert!(s.update(&k, twice.clone(), None).await.is_err(), "two ADDs of n");
    let set_and_remove = Update::default().set("a", "x").remove("a");
    assert!(s.update(&k, set_and_remove, None).await.is_err(), "SET and REMOVE of a");
    let tx = vec![TxOp::Update {
        key: k.clone(),
        update: twice,
        cond: None,
    }];
    assert!(s.transact(tx).await.is_err(), "the same in a transaction");
    assert_eq!(s.get(&k).await.unwrap(), None, "nothing written");
}

/// Conditional deletes; deleting a missing item without a condition is fine.
pub async fn deletes_honour_conditions(s: Arc<dyn Store>) {
    let k = Key::new("D#1", "X");
    s.put(item(json!({"PK": "D#1", "SK": "X", "state": "live"})), None)
        .await
        .unwrap();
    assert!(
        s.delete(&k, Some(Cond::eq("state", "done")))
            .await
            .unwrap_err()
            .is_condition_failed()
    );
    s.delete(&k, Some(Cond::eq("state", "live"))).await.unwrap();
    assert_eq!(s.get(&k).await.unwrap(), None);
    s.delete(&k, None).await.unwrap();
    assert!(
        s.delete(&k, Some(Cond::Exists))
            .await
            .unwrap_err()
            .is_condition_failed()
    );
}

/// Conditions combine with AND / OR and test attribute presence.
pub async fn compound_conditions(s: Arc<dyn Store>) {
    let k = Key::new("CC#1", "X");
    s.put(item(json!({"PK": "CC#1", "SK": "X", "owner": "a", "until": 100})), None)
        .await
        .unwrap();
    let lease_free = Cond::Or(vec![
        Cond::AttrNotExists("owner".into()),
        Cond::Lt("until".into(), json!(50)),
    ]);
    assert!(
        s.update(&k, Update::default().set("owner", "b"), Some(lease_free))
            .await
            .unwrap_err()
            .is_condition_failed()
    );
    let expired = Cond::Or(vec![
        Cond::AttrNotExists("owner".into()),
        Cond::Lt("until".into(), json!(150)),
    ]);
    s.update(&k, Update::default().set("owner", "b"), Some(expired))
        .await
        .unwrap();
    let both = Cond::And(vec![Cond::eq("owner", "b"), Cond::Ne("until".into(), json!(1))]);
    s.update(&k, Update::default().set("ok", true), Some(both))
        .await
        .unwrap();
}

/// A condition on a list attribute holding a value: met while the list has it, failed once it
/// is taken out (routing rechecks an operator's skills this way), and never met by an absent
/// attribute.
pub async fn list_membership_conditions(s: Arc<dyn Store>) {
    let k = Key::new("LM#1", "X");
    s.put(
        item(json!({"PK": "LM#1", "SK": "X", "skills": ["billing", "repair"]})),
        None,
    )
    .await
    .unwrap();
    let takes = |q: &str| Cond::Contains("skills".into(), json!(q));
    s.update(&k, Update::default().set("n", 1), Some(takes("repair")))
        .await
        .unwrap();
    assert!(
        s.update(&k, Update::default().set("n", 2), Some(takes("sales")))
            .await
            .unwrap_err()
            .is_condition_failed()
    );
    s.update(&k, Update::default().set("skills", json!(["billing"])), None)
        .await
        .unwrap();
    assert!(
        s.update(&k, Update::default().set("n", 3), Some(takes("repair")))
            .await
            .unwrap_err()
            .is_condition_failed()
    );
    let every_queue_or = |q: &str| Cond::Or(vec![Cond::AttrNotExists("skills".into()), takes(q)]);
    s.update(&k, Update::default().remove("skills"), None).await.unwrap();
    s.update(&k, Update::default().set("n", 4), Some(every_queue_or("repair")))
        .await
        .unwrap();
    assert!(
        s.update(&k, Update::default().set("n", 5), Some(takes("repair")))
            .await
            .unwrap_err()
            .is_condition_failed()
    );
    assert_eq!(s.get(&k).await.unwrap().unwrap()["n"], json!(4));
}

/// Queries read one partition in sort-key order, both ways, with key conditions.
pub async fn queries_read_a_partition_in_order(s: Arc<dyn Store>) {
    let keys = ["a#1", "a#2", "a#3", "b#1", "あ#1"];
    for sk in keys {
        s.put(item(json!({"PK": "Q#1", "SK": sk})), None).await.unwrap();
    }
    s.put(item(json!({"PK": "Q#2", "SK": "a#9"})), None).await.unwrap();
    let all = collect(&*s, Query::partition("Q#1")).await;
    assert_eq!(sks(&all), keys, "byte order: ASCII before kana");
    let desc = collect(&*s, Query::partition("Q#1").descending()).await;
    assert_eq!(sks(&desc), keys.iter().rev().copied().collect::<Vec<_>>());
    assert_eq!(
        sks(&collect(&*s, Query::partition("Q#1").begins_with("a#")).await),
        ["a#1", "a#2", "a#3"]
    );
    assert_eq!(
        sks(&collect(&*s, Query::partition("Q#1").begins_with("あ")).await),
        ["あ#1"]
    );
    let between = Query::partition("Q#1").sk(SortKey::Between("a#2".into(), "b#1".into()));
    assert_eq!(sks(&collect(&*s, between).await), ["a#2", "a#3", "b#1"]);
    assert_eq!(
        sks(&collect(&*s, Query::partition("Q#1").sk(SortKey::Gt("a#3".into()))).await),
        ["b#1", "あ#1"]
    );
    assert_eq!(
        sks(&collect(&*s, Query::partition("Q#1").sk(SortKey::Le("a#2".into()))).await),
        ["a#1", "a#2"]
    );
    assert!(collect(&*s, Query::partition("Q#none")).await.is_empty());
}

/// Small pages with cursors visit every item exactly once, forwards and backwards.
pub async fn pagination_visits_every_item_once(s: Arc<dyn Store>) {
    let puts: Vec<Item> = (0..57)
        .map(|i| item(json!({"PK": "P#1", "SK": format!("k#{i:03}")})))
        .collect();
    s.batch_write(puts, vec![]).await.unwrap();
    for forward in [true, false] {
        let mut q = Query::partition("P#1").limit(10);
        q.forward = forward;
        let got = collect(&*s, q).await;
        let mut expected: Vec<String> = (0..57).map(|i| format!("k#{i:03}")).collect();
        if !forward {
            expected.reverse();
        }
        assert_eq!(sks(&got), expected);
    }
}

/// Index queries see only items carrying both index keys, ordered by the index sort key,
/// and paginate across items sharing one index sort key.
pub async fn sparse_indexes_and_their_pagination(s: Arc<dyn Store>) {
    for i in 0..12 {
        s.put(item(json!({"PK": format!("R#{i:02}"), "SK": "REC", "GSI1PK": "ACC#1", "GSI1SK": format!("inquiry#{}", i % 3)})), None)
            .await
            .unwrap();
    }
    s.put(item(json!({"PK": "R#x", "SK": "REC", "GSI1PK": "ACC#1"})), None)
        .await
        .unwrap();
    s.put(
        item(json!({"PK": "R#y", "SK": "REC", "GSI2PK": "ACC#1", "GSI2SK": "call#1"})),
        None,
    )
    .await
    .unwrap();
    let q = Query::partition("ACC#1").on(Index::Gsi1).limit(5);
    let got = collect(&*s, q.clone()).await;
    assert_eq!(got.len(), 12);
    let mut pks: Vec<&str> = got.iter().map(|i| i["PK"].as_str().unwrap()).collect();
    let isks: Vec<&str> = got.iter().map(|i| i["GSI1SK"].as_str().unwrap()).collect();
    assert!(isks.windows(2).all(|w| w[0] <= w[1]), "ordered by the index sort key");
    pks.sort();
    pks.dedup();
    assert_eq!(pks.len(), 12, "no item twice");
    let desc = collect(&*s, q.descending().begins_with("inquiry#2")).await;
    assert_eq!(desc.len(), 4);
    assert_eq!(collect(&*s, Query::partition("ACC#1").on(Index::Gsi2)).await.len(), 1);
}

/// A transaction applies all its writes or none, and says which condition failed.
pub async fn transactions_are_all_or_nothing(s: Arc<dyn Store>) {
    s.put(item(json!({"PK": "T#1", "SK": "X", "version": 1})), None)
        .await
        .unwrap();
    let ops = vec![
        TxOp::Put {
            item: item(json!({"PK": "T#2", "SK": "X"})),
            cond: Some(Cond::NotExists),
        },
        TxOp::Update {
            key: Key::new("T#3", "X"),
            update: Update::default().add("n", 1),
            cond: None,
        },
        TxOp::Put {
            item: item(json!({"PK": "T#1", "SK": "X", "version": 2})),
            cond: Some(Cond::version(7)),
        },
    ];
    match s.transact(ops).await {
        Err(StoreError::ConditionFailed { index }) => assert_eq!(index, Some(2)),
        other => panic!("expected a failed condition, got {other:?}"),
    }
    assert_eq!(s.get(&Key::new("T#2", "X")).await.unwrap(), None, "nothing applied");
    assert_eq!(s.get(&Key::new("T#3", "X")).await.unwrap(), None);
    let ops = vec![
        TxOp::Put {
            item: item(json!({"PK": "T#2", "SK": "X"})),
            cond: Some(Cond::NotExists),
        },
        TxOp::Check {
            key: Key::new("T#1", "X"),
            cond: Cond::version(1),
        },
        TxOp::Delete {
            key: Key::new("T#4", "X"),
            cond: None,
        },
        TxOp::Update {
            key: Key::new("T#3", "X"),
            update: Update::default().add("n", 1),
            cond: None,
        },
    ];
    s.transact(ops).await.unwrap();
    assert!(s.get(&Key::new("T#2", "X")).await.unwrap().is_some());
    assert_eq!(s.get(&Key::new("T#3", "X")).await.unwrap().unwrap()["n"], 1);
}

/// A transaction touching one item twice, or empty, is refused before it runs.
pub async fn malformed_transactions_are_refused(s: Arc<dyn Store>) {
    let twice = vec![
        TxOp::Put {
            item: item(json!({"PK": "M#1", "SK": "X"})),
            cond: None,
        },
        TxOp::Delete {
            key: Key::new("M#1", "X"),
            cond: None,
        },
    ];
    assert!(matches!(s.transact(twice).await, Err(StoreError::Invalid(_))));
    assert!(matches!(s.transact(vec![]).await, Err(StoreError::Invalid(_))));
    assert_eq!(s.get(&Key::new("M#1", "X")).await.unwrap(), None);
}

/// Items whose TTL passed are hidden from reads but still seen by conditions, as on DynamoDB
/// until its sweeper deletes them; a lease-style condition takes them over.
pub async fn expired_items_are_hidden_from_reads(s: Arc<dyn Store>) {
    let past = epoch_now() - 60;
    let future = epoch_now() + 3600;
    s.put(item(json!({"PK": "E#1", "SK": "old", "expires_at": past})), None)
        .await
        .unwrap();
    s.put(item(json!({"PK": "E#1", "SK": "new", "expires_at": future})), None)
        .await
        .unwrap();
    assert_eq!(s.get(&Key::new("E#1", "old")).await.unwrap(), None);
    assert_eq!(sks(&collect(&*s, Query::partition("E#1")).await), ["new"]);
    assert_eq!(
        s.get_many(&[Key::new("E#1", "old"), Key::new("E#1", "new")])
            .await
            .unwrap()
            .len(),
        1
    );
    let fresh = item(json!({"PK": "E#1", "SK": "old", "expires_at": future}));
    let takeover = Cond::Or(vec![
        Cond::NotExists,
        Cond::Lt(attr::EXPIRES_AT.into(), json!(epoch_now())),
    ]);
    s.put(fresh, Some(takeover)).await.unwrap();
    assert!(s.get(&Key::new("E#1", "old")).await.unwrap().is_some());
}

/// Eventually consistent reads return what a settled write stored, hide expired items as the
/// strong ones do, and read batches of any size with duplicates and missing keys.
pub async fn eventually_consistent_reads_return_settled_items(s: Arc<dyn Store>) {
    let future = epoch_now() + 3600;
    s.put(item(json!({"PK": "EV#1", "SK": "a", "v": "一"})), None)
        .await
        .unwrap();
    s.put(
        item(json!({"PK": "EV#1", "SK": "old", "expires_at": epoch_now() - 60})),
        None,
    )
    .await
    .unwrap();
    s.put(item(json!({"PK": "EV#2", "SK": "b", "expires_at": future})), None)
        .await
        .unwrap();
    assert_eq!(
        s.get_eventually(&Key::new("EV#1", "a")).await.unwrap().unwrap()["v"],
        "一"
    );
    assert_eq!(s.get_eventually(&Key::new("EV#1", "old")).await.unwrap(), None);
    assert_eq!(s.get_eventually(&Key::new("EV#1", "missing")).await.unwrap(), None);
    let mut keys: Vec<Key> = (0..120).map(|i| Key::new("EV#none", format!("{i:03}"))).collect();
    keys.extend([
        Key::new("EV#1", "a"),
        Key::new("EV#1", "a"),
        Key::new("EV#1", "old"),
        Key::new("EV#2", "b"),
    ]);
    let mut got: Vec<String> = s
        .get_many_eventually(&keys)
        .await
        .unwrap()
        .iter()
        .map(|i| i[attr::SK].as_str().unwrap_or_default().to_owned())
        .collect();
    got.sort();
    assert_eq!(got, ["a", "b"]);
}

/// Items over 400 KB are refused by every write path, with a message about the size.
pub async fn oversized_items_are_refused(s: Arc<dyn Store>) {
    let big = item(json!({"PK": "B#1", "SK": "X", "text": "あ".repeat(140_000)}));
    assert!(matches!(s.put(big.clone(), None).await, Err(StoreError::TooLarge(_))));
    assert!(matches!(
        s.batch_write(vec![big.clone()], vec![]).await,
        Err(StoreError::TooLarge(_))
    ));
    assert!(matches!(
        s.transact(vec![TxOp::Put { item: big, cond: None }]).await,
        Err(StoreError::TooLarge(_))
    ));
    assert_eq!(s.get(&Key::new("B#1", "X")).await.unwrap(), None);
}

/// Batches write and delete many items, and read back up to 100 keys with duplicates.
pub async fn batches_write_and_read_many(s: Arc<dyn Store>) {
    let puts: Vec<Item> = (0..60)
        .map(|i| item(json!({"PK": "BW#1", "SK": format!("{i:02}"), "i": i})))
        .collect();
    s.batch_write(puts, vec![]).await.unwrap();
    let deletes: Vec<Key> = (0..30).map(|i| Key::new("BW#1", format!("{i:02}"))).collect();
    s.batch_write(vec![], deletes).await.unwrap();
    assert_eq!(collect(&*s, Query::partition("BW#1")).await.len(), 30);
    let mut keys: Vec<Key> = (25..60).map(|i| Key::new("BW#1", format!("{i:02}"))).collect();
    keys.push(Key::new("BW#1", "59"));
    let got = s.get_many(&keys).await.unwrap();
    assert_eq!(got.len(), 30);
}

/// A read of more keys than one batch request takes (DynamoDB's 100) is read in chunks and
/// returns every stored item once, duplicates and missing keys included.
pub async fn batch_reads_of_any_size_return_every_item(s: Arc<dyn Store>) {
    let puts: Vec<Item> = (0..250)
        .map(|i| item(json!({"PK": format!("BR#{}", i % 7), "SK": format!("{i:03}"), "i": i})))
        .collect();
    s.batch_write(puts, vec![]).await.unwrap();
    let mut keys: Vec<Key> = (0..250)
        .map(|i| Key::new(format!("BR#{}", i % 7), format!("{i:03}")))
        .collect();
    keys.extend((0..20).map(|i| Key::new(format!("BR#{}", i % 7), format!("{i:03}"))));
    keys.extend((0..15).map(|i| Key::new("BR#missing", format!("{i:03}"))));
    let got = s.get_many(&keys).await.unwrap();
    let mut seen: Vec<i64> = got.iter().map(|i| i["i"].as_i64().unwrap()).collect();
    seen.sort();
    assert_eq!(seen, (0..250).collect::<Vec<i64>>(), "each stored item exactly once");
}

/// Twenty writers racing on one versioned item: each either lands or is told it lost; the
/// final version counts exactly the writes that landed.
pub async fn concurrent_versioned_writers_lose_nothing(s: Arc<dyn Store>) {
    let k = Key::new("CW#1", "X");
    s.put(
        item(json!({"PK": "CW#1", "SK": "X", "version": 0, "writers": []})),
        None,
    )
    .await
    .unwrap();
    let mut tasks = Vec::new();
    for w in 0..20 {
        let s = s.clone();
        let k = k.clone();
        tasks.push(tokio::spawn(async move {
            let cur = s.get(&k).await.unwrap().unwrap();
            let v = cur["version"].as_u64().unwrap();
            let mut writers = cur["writers"].as_array().unwrap().clone();
            writers.push(json!(w));
            let next = item(json!({"PK": "CW#1", "SK": "X", "version": v + 1, "writers": writers}));
            match s.put(next, Some(Cond::version(v))).await {
                Ok(()) => Some(w),
                Err(e) if e.is_condition_failed() => None,
                Err(e) => panic!("unexpected {e:?}"),
            }
        }));
    }
    let mut landed = Vec::new();
    for t in tasks {
        if let Some(w) = t.await.unwrap() {
            landed.push(w);
        }
    }
    let fin = s.get(&k).await.unwrap().unwrap();
    assert!(!landed.is_empty());
    assert_eq!(fin["version"].as_u64().unwrap() as usize, landed.len());
    let mut stored: Vec<i64> = fin["writers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    stored.sort();
    landed.sort();
    assert_eq!(stored, landed, "every landed write is in the item, no lost update");
}

/// Cursors that were tampered with are rejected by decoding, never passed to the store.
pub async fn tampered_cursors_are_rejected(_s: Arc<dyn Store>) {
    assert!(Cursor::decode("not base64 !").is_none());
    assert!(Cursor::decode("e30").is_none(), "an empty object has no keys");
}
