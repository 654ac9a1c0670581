//! Routing rechecks an operator's skill in its transaction: an admin who takes a queue away
//! from an operator while routing is offering them a call of that queue (after routing read the
//! free list, before its transaction landed) is not overruled — the call is not offered to them
//! and waits for an operator who still takes it. On the embedded store and on DynamoDB (moto).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use serde_json::json;
use shared::auth::Role;
use shared::domain::Services;
use shared::domain::calls::call_key;
use shared::domain::routing::{QUEUE, Routed, Routing};
use shared::ids::OperatorId;
use shared::store::embedded::EmbeddedStore;
use shared::store::table::operator_key;
use shared::store::{Cond, Item, Key, Page, Query, Store, StoreError, TxOp, Update, attr};

/// A store where an admin's skill change lands just before the next routing transaction (one
/// writing a queue entry), as when the admin saved it in the instant between routing's reads
/// and its write.
struct SkillChangeRacing {
    inner: Arc<dyn Store>,
    /// The operator and the skills the admin gives them, once armed.
    change: (String, Vec<String>),
    armed: AtomicBool,
}

#[async_trait]
impl Store for SkillChangeRacing {
    async fn get(&self, k: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(k).await
    }
    async fn get_many(&self, k: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.inner.get_many(k).await
    }
    async fn put(&self, i: Item, c: Option<Cond>) -> Result<(), StoreError> {
        self.inner.put(i, c).await
    }
    async fn update(&self, k: &Key, u: Update, c: Option<Cond>) -> Result<Item, StoreError> {
        self.inner.update(k, u, c).await
    }
    async fn delete(&self, k: &Key, c: Option<Cond>) -> Result<(), StoreError> {
        self.inner.delete(k, c).await
    }
    async fn query(&self, q: Query) -> Result<Page, StoreError> {
        self.inner.query(q).await
    }
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        let routing = ops.iter().any(|op| match op {
            TxOp::Update { key, .. } | TxOp::Delete { key, .. } => key.pk == QUEUE,
            _ => false,
        });
        if routing && self.armed.swap(false, Ordering::SeqCst) {
            let (operator, skills) = &self.change;
            let skills = Update::default().set("skills", json!(skills)).add("version", 1);
            self.inner.update(&operator_key(operator), skills, None).await?;
        }
        self.inner.transact(ops).await
    }
    async fn batch_write(&self, p: Vec<Item>, d: Vec<Key>) -> Result<(), StoreError> {
        self.inner.batch_write(p, d).await
    }
}

/// A caller waiting in `queue`.
async fn waiting_in(s: &Services, sid: &str, queue: &str) {
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let key = call_key(sid);
    let mut call = Item::new();
    call.insert(attr::PK.into(), key.pk.into());
    call.insert(attr::SK.into(), key.sk.into());
    call.insert("sid".into(), sid.into());
    call.insert("status".into(), "waiting".into());
    call.insert("queue_sk".into(), format!("{at}#{sid}").into());
    call.insert("queue".into(), queue.into());
    let mut ops = vec![TxOp::Put {
        item: call,
        cond: Some(Cond::NotExists),
    }];
    ops.extend(Routing::enqueue_in_ops(queue, &at, sid));
    s.store.transact(ops).await.unwrap();
}

async fn a_skill_taken_away_during_the_offer_is_not_overruled(inner: Arc<dyn Store>) {
    // Given Sato, free and taking billing and repair, and a caller waiting for billing,
    let store = Arc::new(SkillChangeRacing {
        inner,
        change: ("op-sato".into(), vec!["repair".into()]),
        armed: AtomicBool::new(false),
    });
    let s = Services::new(store.clone());
    s.settings
        .put_section(
            "queues",
            0,
            json!([{"id": "general", "name": "総合窓口"}, {"id": "billing", "name": "料金窓口"}, {"id": "repair", "name": "修理窓口"}]),
        )
        .await
        .unwrap();
    let sato = OperatorId::parse("op-sato").unwrap();
    s.operators
        .set_skills(&sato, "佐藤", Role::Operator, &["billing".into(), "repair".into()])
        .await
        .unwrap();
    s.operators.set_status(&sato, "available").await.unwrap();
    waiting_in(&s, "CA0001", "billing").await;

    // when an admin takes billing away from Sato while routing offers them the call,
    store.armed.store(true, Ordering::SeqCst);
    let routed = s.routing.route_once().await.unwrap();

    // then the offer does not land: the call is not Sato's and still waits, not offered,
    assert_eq!(routed, Routed::Yielded);
    let me = s.operators.get(&sato).await.unwrap();
    assert_eq!(me.current_call, None, "{me:?}");
    assert_eq!(me.skills.as_deref(), Some(&["repair".to_owned()][..]));
    let call = s.store.get(&call_key("CA0001")).await.unwrap().unwrap();
    assert_eq!(call["status"], "waiting");
    assert!(call.get("offered_to").is_none(), "{call:?}");
    // and the next attempt leaves it for an operator who takes billing.
    assert_eq!(s.routing.route_once().await.unwrap(), Routed::Idle);
    let suzuki = OperatorId::parse("op-suzuki").unwrap();
    s.operators
        .set_skills(&suzuki, "鈴木", Role::Operator, &["billing".into()])
        .await
        .unwrap();
    s.operators.set_status(&suzuki, "available").await.unwrap();
    match s.routing.route_once().await.unwrap() {
        Routed::Offered(o) => assert_eq!((o.call_sid.as_str(), o.operator_id.as_str()), ("CA0001", "op-suzuki")),
        other => panic!("offered to Suzuki: {other:?}"),
    }
}

#[tokio::test]
async fn a_skill_taken_away_during_the_offer_is_not_overruled_on_the_embedded_store() {
    a_skill_taken_away_during_the_offer_is_not_overruled(Arc::new(EmbeddedStore::in_memory().unwrap())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skill_taken_away_during_the_offer_is_not_overruled_on_dynamodb() {
    a_skill_taken_away_during_the_offer_is_not_overruled(Arc::new(shared::testing::fresh_dynamo_store().await)).await;
}
