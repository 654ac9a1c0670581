//! A layer on the store port that counts requests, so the number of store requests each API
//! path makes can be measured and held to a budget in tests (counts are deterministic, unlike
//! timings). It also estimates the DynamoDB capacity units the requests would consume, for the
//! cost model, the way an on-demand table bills them:
//! - a read unit per 4 KB read strongly consistent (gets, batch reads, table queries that ask for
//!   it), half of one eventually consistent (index queries, and the gets, batch reads and table
//!   queries that accept it);
//! - a write unit per 1 KB of the larger of the item before and after the write (at least one),
//!   doubled inside a transaction, a refused write billed as the item it found;
//! - and a write in each global secondary index the item is in before or after the write (both
//!   indexes project ALL: the whole item), two when the write moves it within the index (the old
//!   entry deleted, the new one put) — an index write is not doubled by a transaction;
//! - an item's size counted as DynamoDB counts it ([`super::item_size`]: names and values).
//!
//! The items before and after a write are read from the inner store without being counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;

use super::{Cond, Item, Key, Page, Query, Store, StoreError, TxOp, Update, attr};

/// Requests seen, by kind. `scans` is always zero: the port has no scan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub gets: u64,
    pub batch_gets: u64,
    pub puts: u64,
    pub updates: u64,
    pub deletes: u64,
    pub queries: u64,
    pub transactions: u64,
    pub batch_writes: u64,
    pub scans: u64,
    /// Estimated read capacity units.
    pub read_units: u64,
    /// Estimated write capacity units.
    pub write_units: u64,
}

impl Counts {
    /// All requests together.
    pub fn total(&self) -> u64 {
        self.gets
            + self.batch_gets
            + self.puts
            + self.updates
            + self.deletes
            + self.queries
            + self.transactions
            + self.batch_writes
            + self.scans
    }
}

/// Told each request with what it cost: what it was (`get CALL/CALL (strong)`, `transact [update
/// CALL/CALL, …]`: the request and the kind of item it touched) and its capacity units in halves
/// of a unit (reads and writes alike), so a caller can say where the units go.
pub type Noting = Arc<dyn Fn(String, u64) + Send + Sync>;

/// Wraps a store and counts what passes through.
pub struct CountingStore {
    inner: Arc<dyn Store>,
    c: [AtomicU64; 8],
    /// Read units counted in halves (an eventually consistent read of 4 KB is half a unit).
    read_half_units: AtomicU64,
    write_units: AtomicU64,
    noting: Option<Noting>,
}

/// An item's size as DynamoDB counts it.
fn size(item: &Item) -> u64 {
    super::item_size(item) as u64
}

/// Read units for `bytes` read in one request (at least one).
fn read_units(bytes: u64) -> u64 {
    bytes.div_ceil(4096).max(1)
}

/// Write units for an item of `bytes`.
fn write_units(bytes: u64) -> u64 {
    bytes.div_ceil(1024).max(1)
}

/// The kind of item a key names: its partition key up to the first `#`, and its sort key's.
pub fn kind_of(key: &Key) -> String {
    let head = |s: &str| s.split('#').next().unwrap_or(s).to_owned();
    format!("{}/{}", head(&key.pk), head(&key.sk))
}

/// The global secondary indexes' key attributes: an item is in an index when it has both.
const INDEXES: [(&str, &str); 2] = [(attr::GSI1PK, attr::GSI1SK), (attr::GSI2PK, attr::GSI2SK)];

/// Where an item is filed in one index, if it is.
fn index_entry<'a>(item: Option<&'a Item>, (pk, sk): (&str, &str)) -> Option<(&'a str, &'a str)> {
    let item = item?;
    Some((super::str_attr(item, pk)?, super::str_attr(item, sk)?))
}

/// Write units a write of one item costs, from the item before the write and after it (`None`:
/// absent): in the table the larger of the two (doubled in a transaction); in each global
/// secondary index the item is in before or after, one write of it as it is there (projection
/// ALL), two when the write moves it within the index. A refused write passes `after == before`.
pub fn write_units_of(before: Option<&Item>, after: Option<&Item>, transactional: bool) -> u64 {
    let bytes = |i: Option<&Item>| i.map(size).unwrap_or(0);
    let table = write_units(bytes(before).max(bytes(after))) * if transactional { 2 } else { 1 };
    let indexes: u64 = INDEXES
        .iter()
        .map(|&names| match (index_entry(before, names), index_entry(after, names)) {
            (None, None) => 0,
            (Some(_), None) => write_units(bytes(before)),
            (None, Some(_)) => write_units(bytes(after)),
            (Some(old), Some(new)) if old == new => write_units(bytes(after)),
            (Some(_), Some(_)) => write_units(bytes(before)) + write_units(bytes(after)),
        })
        .sum();
    table + indexes
}

impl CountingStore {
    pub fn new(inner: Arc<dyn Store>) -> Self {
        Self {
            inner,
            c: Default::default(),
            read_half_units: AtomicU64::new(0),
            write_units: AtomicU64::new(0),
            noting: None,
        }
    }

    /// Tells `noting` every request and what it cost.
    pub fn noting(mut self, noting: Noting) -> Self {
        self.noting = Some(noting);
        self
    }

    /// The counts so far.
    pub fn counts(&self) -> Counts {
        let g = |i: usize| self.c[i].load(Ordering::Relaxed);
        Counts {
            gets: g(0),
            batch_gets: g(1),
            puts: g(2),
            updates: g(3),
            deletes: g(4),
            queries: g(5),
            transactions: g(6),
            batch_writes: g(7),
            scans: 0,
            read_units: self.read_half_units.load(Ordering::Relaxed).div_ceil(2),
            write_units: self.write_units.load(Ordering::Relaxed),
        }
    }

    /// Sets every count back to zero.
    pub fn reset(&self) {
        for c in &self.c {
            c.store(0, Ordering::Relaxed);
        }
        self.read_half_units.store(0, Ordering::Relaxed);
        self.write_units.store(0, Ordering::Relaxed);
    }

    fn bump(&self, i: usize) {
        self.c[i].fetch_add(1, Ordering::Relaxed);
    }

    fn note(&self, what: impl FnOnce() -> String, half_units: u64) {
        if let Some(noting) = &self.noting {
            noting(what(), half_units);
        }
    }

    /// Counts a read of `half_units` halves of a read unit.
    fn read(&self, what: impl FnOnce() -> String, half_units: u64) {
        self.read_half_units.fetch_add(half_units, Ordering::Relaxed);
        self.note(what, half_units);
    }

    fn wrote(&self, what: impl FnOnce() -> String, units: u64) {
        self.write_units.fetch_add(units, Ordering::Relaxed);
        self.note(what, 2 * units);
    }

    /// The item as it is now, read past the count (the bill depends on it, the console did not ask).
    async fn peek(&self, key: &Key) -> Option<Item> {
        self.inner.get(key).await.ok().flatten()
    }

    /// Read units of a batch read's items, in halves; a key not found is a read of its own.
    fn batch_halves(got: &[Item], distinct: usize, strong: bool) -> u64 {
        let per = if strong { 2 } else { 1 };
        (got.iter().map(|i| read_units(size(i))).sum::<u64>() + distinct.saturating_sub(got.len()) as u64) * per
    }
}

fn kinds(keys: &[Key]) -> String {
    let kinds: std::collections::BTreeSet<_> = keys.iter().map(kind_of).collect();
    kinds.into_iter().collect::<Vec<_>>().join(",")
}

#[async_trait]
impl Store for CountingStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.bump(0);
        let got = self.inner.get(key).await?;
        let halves = 2 * read_units(got.as_ref().map(size).unwrap_or(0));
        self.read(|| format!("get {} (strong)", kind_of(key)), halves);
        Ok(got)
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        let distinct = keys.iter().collect::<std::collections::HashSet<_>>().len();
        self.c[1].fetch_add(distinct.div_ceil(super::MAX_BATCH_GET) as u64, Ordering::Relaxed);
        let got = self.inner.get_many(keys).await?;
        let halves = Self::batch_halves(&got, distinct, true);
        self.read(|| format!("batch get {} (strong)", kinds(keys)), halves);
        Ok(got)
    }
    async fn get_eventually(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.bump(0);
        let got = self.inner.get_eventually(key).await?;
        let halves = read_units(got.as_ref().map(size).unwrap_or(0));
        self.read(|| format!("get {}", kind_of(key)), halves);
        Ok(got)
    }
    async fn get_many_eventually(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        let distinct = keys.iter().collect::<std::collections::HashSet<_>>().len();
        self.c[1].fetch_add(distinct.div_ceil(super::MAX_BATCH_GET) as u64, Ordering::Relaxed);
        let got = self.inner.get_many_eventually(keys).await?;
        let halves = Self::batch_halves(&got, distinct, false);
        self.read(|| format!("batch get {}", kinds(keys)), halves);
        Ok(got)
    }
    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        self.bump(2);
        let key = Key::of(&item);
        let before = match &key {
            Some(k) => self.peek(k).await,
            None => None,
        };
        let what = || format!("put {}", key.as_ref().map(kind_of).unwrap_or_default());
        let units = write_units_of(before.as_ref(), Some(&item), false);
        let put = self.inner.put(item, cond).await;
        match &put {
            Ok(()) => self.wrote(what, units),
            Err(_) => self.wrote(
                || format!("{} (refused)", what()),
                write_units(before.as_ref().map(size).unwrap_or(0)),
            ),
        }
        put
    }
    async fn update(&self, key: &Key, update: Update, cond: Option<Cond>) -> Result<Item, StoreError> {
        self.bump(3);
        let before = self.peek(key).await;
        let updated = self.inner.update(key, update, cond).await;
        match &updated {
            Ok(after) => self.wrote(
                || format!("update {}", kind_of(key)),
                write_units_of(before.as_ref(), Some(after), false),
            ),
            Err(_) => self.wrote(
                || format!("update {} (refused)", kind_of(key)),
                write_units(before.as_ref().map(size).unwrap_or(0)),
            ),
        }
        updated
    }
    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
        self.bump(4);
        let before = self.peek(key).await;
        let deleted = self.inner.delete(key, cond).await;
        let units = match &deleted {
            Ok(()) => write_units_of(before.as_ref(), None, false),
            Err(_) => write_units(before.as_ref().map(size).unwrap_or(0)),
        };
        self.wrote(|| format!("delete {}", kind_of(key)), units);
        deleted
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.bump(5);
        let strong = query.is_consistent();
        let what = format!(
            "query {:?} {}{}",
            query.index,
            query.pk.split('#').next().unwrap_or(""),
            if strong { " (strong)" } else { "" }
        );
        let page = self.inner.query(query).await?;
        let bytes = page.items.iter().map(size).sum();
        self.read(|| what, read_units(bytes) * if strong { 2 } else { 1 });
        Ok(page)
    }
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        self.bump(6);
        // Each part as it will be billed: the item it names, what it does and the item before.
        let mut parts = Vec::with_capacity(ops.len());
        for op in &ops {
            let (verb, key, put) = match op {
                TxOp::Put { item, .. } => ("put", Key::of(item), Some(item.clone())),
                TxOp::Update { key, .. } => ("update", Some(key.clone()), None),
                TxOp::Delete { key, .. } => ("delete", Some(key.clone()), None),
                TxOp::Check { key, .. } => ("check", Some(key.clone()), None),
            };
            let before = match &key {
                Some(k) => self.peek(k).await,
                None => None,
            };
            parts.push((verb, key, put, before));
        }
        let what = format!(
            "transact [{}]",
            parts
                .iter()
                .map(|(verb, key, ..)| format!("{verb} {}", key.as_ref().map(kind_of).unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let done = self.inner.transact(ops).await;
        let mut units = 0;
        for (verb, key, put, before) in &parts {
            let before = before.as_ref();
            units += match (done.is_ok(), *verb) {
                // A check, or any part of a refused transaction: the item it found, doubled.
                (false, _) | (_, "check") => 2 * write_units(before.map(size).unwrap_or(0)),
                (true, "put") => write_units_of(before, put.as_ref(), true),
                (true, "delete") => write_units_of(before, None, true),
                _ => {
                    let after = match key {
                        Some(k) => self.peek(k).await,
                        None => None,
                    };
                    write_units_of(before, after.as_ref(), true)
                }
            };
        }
        self.wrote(|| what, units);
        done
    }
    async fn batch_write(&self, puts: Vec<Item>, deletes: Vec<Key>) -> Result<(), StoreError> {
        let n = (puts.len() + deletes.len()).div_ceil(25) as u64;
        self.c[7].fetch_add(n, Ordering::Relaxed);
        let mut units = 0;
        for item in &puts {
            let before = match Key::of(item) {
                Some(k) => self.peek(&k).await,
                None => None,
            };
            units += write_units_of(before.as_ref(), Some(item), false);
        }
        for key in &deletes {
            units += write_units_of(self.peek(key).await.as_ref(), None, false);
        }
        let what = format!("batch write {} puts, {} deletes", puts.len(), deletes.len());
        let written = self.inner.batch_write(puts, deletes).await;
        self.wrote(|| what, units);
        written
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::embedded::EmbeddedStore;
    use crate::store::{Index, attr};

    fn item(pk: &str, sk: &str, bytes: usize) -> Item {
        let mut i = Item::new();
        i.insert(attr::PK.into(), json!(pk));
        i.insert(attr::SK.into(), json!(sk));
        i.insert(attr::GSI1PK.into(), json!("IDX"));
        i.insert(attr::GSI1SK.into(), json!(sk));
        i.insert("text".into(), json!("x".repeat(bytes)));
        i
    }

    #[tokio::test]
    async fn an_eventually_consistent_read_costs_half_a_strongly_consistent_one() {
        let store = CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        // 10 items of just under 2 KB: under 20 KB a page, 5 units strongly consistent.
        let items = (0..10).map(|n| item("P", &format!("S#{n:02}"), 1_800)).collect();
        store.batch_write(items, vec![]).await.unwrap();
        store.reset();
        store.query(Query::partition("P")).await.unwrap();
        assert_eq!(store.counts().read_units, 5, "a table query, strongly consistent");
        store.reset();
        store
            .query(Query::partition("P").eventually_consistent())
            .await
            .unwrap();
        assert_eq!(store.counts().read_units, 3, "half of 5, rounded up");
        store.reset();
        store.query(Query::partition("IDX").on(Index::Gsi1)).await.unwrap();
        assert_eq!(store.counts().read_units, 3, "an index is always eventually consistent");
        assert!(!Query::partition("IDX").on(Index::Gsi1).is_consistent());
        assert!(Query::partition("P").is_consistent());
    }

    #[tokio::test]
    async fn an_eventually_consistent_get_costs_half_a_strong_one() {
        let store = CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        // Two items of about 6 KB: two read units each read strongly, one each eventually.
        for sk in ["a", "b"] {
            store.put(item("G", sk, 6000), None).await.unwrap();
        }
        store.reset();
        store.get(&Key::new("G", "a")).await.unwrap().expect("stored");
        assert_eq!(store.counts().read_units, 2);
        store.reset();
        store
            .get_eventually(&Key::new("G", "a"))
            .await
            .unwrap()
            .expect("stored");
        assert_eq!(store.counts().read_units, 1);
        assert_eq!(store.counts().gets, 1, "a request like any get");
        store.reset();
        let keys = [Key::new("G", "a"), Key::new("G", "b"), Key::new("G", "missing")];
        assert_eq!(store.get_many(&keys).await.unwrap().len(), 2);
        assert_eq!(store.counts().read_units, 5, "2 + 2, and 1 for the missing key");
        store.reset();
        assert_eq!(store.get_many_eventually(&keys).await.unwrap().len(), 2);
        assert_eq!(store.counts().read_units, 3, "half of 5, rounded up");
        assert_eq!(store.counts().batch_gets, 1);
    }

    fn indexed(pk: &str, bytes: usize, gsi2_sk: Option<&str>) -> Item {
        let mut i = item(pk, "S", bytes);
        if let Some(sk) = gsi2_sk {
            i.insert(attr::GSI2PK.into(), json!("AVAIL"));
            i.insert(attr::GSI2SK.into(), json!(sk));
        }
        i
    }

    #[tokio::test]
    async fn a_write_costs_the_table_and_every_index_the_item_is_in() {
        let store = CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        // About 1.5 KB, in both indexes: two units in the table and two in each index.
        store.put(indexed("A", 1_500, Some("1")), None).await.unwrap();
        assert_eq!(store.counts().write_units, 6);
        store.reset();
        // Outside every index (as a memo is): the table alone.
        let mut memo = item("B", "MEMO", 1_500);
        memo.remove(attr::GSI1PK);
        memo.remove(attr::GSI1SK);
        store.put(memo, None).await.unwrap();
        assert_eq!(store.counts().write_units, 2);
    }

    #[tokio::test]
    async fn an_update_that_moves_an_item_within_an_index_costs_a_delete_and_a_put_there() {
        let store = CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        store
            .put(indexed("OP", 200, Some("2026-12-03T10:00:00Z#a")), None)
            .await
            .unwrap();
        store.reset();
        let key = Key::new("OP", "S");
        store
            .update(
                &key,
                Update::default().set(attr::GSI2SK, "2026-12-03T10:05:00Z#a"),
                None,
            )
            .await
            .unwrap();
        assert_eq!(
            store.counts().write_units,
            4,
            "table 1, GSI1 1 (in place), GSI2 2 (moved)"
        );
        store.reset();
        store
            .update(&key, Update::default().remove(attr::GSI2PK), None)
            .await
            .unwrap();
        assert_eq!(store.counts().write_units, 3, "table 1, GSI1 1, GSI2 1 (left it)");
    }

    #[tokio::test]
    async fn an_update_bills_the_larger_of_the_item_before_and_after() {
        let store = CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        let mut i = item("L", "S", 2_500);
        i.remove(attr::GSI1PK);
        i.remove(attr::GSI1SK);
        store.put(i, None).await.unwrap();
        store.reset();
        store
            .update(&Key::new("L", "S"), Update::default().set("text", "short"), None)
            .await
            .unwrap();
        assert_eq!(store.counts().write_units, 3, "2.5 KB before, a few bytes after");
    }

    #[tokio::test]
    async fn a_transaction_doubles_the_tables_writes_but_not_the_indexes() {
        let store = CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        store.put(indexed("T", 1_500, None), None).await.unwrap();
        store.reset();
        store
            .transact(vec![TxOp::Update {
                key: Key::new("T", "S"),
                update: Update::default().set("n", 1),
                cond: None,
            }])
            .await
            .unwrap();
        assert_eq!(store.counts().write_units, 6, "2 × 2 in the table, 2 in GSI1");
    }

    #[tokio::test]
    async fn each_request_is_told_with_its_units() {
        let told = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = told.clone();
        let store = CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap()))
            .noting(Arc::new(move |what, halves| sink.lock().unwrap().push((what, halves))));
        store.put(indexed("CALL#CA1", 100, None), None).await.unwrap();
        store.get_eventually(&Key::new("CALL#CA1", "S")).await.unwrap();
        assert_eq!(
            *told.lock().unwrap(),
            vec![("put CALL/S".to_owned(), 4), ("get CALL/S".to_owned(), 1)]
        );
    }
}
