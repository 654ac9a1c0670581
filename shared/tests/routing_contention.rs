//! Routing under contention stays bounded: a router that loses the race for a call or an
//! operator yields (one transaction, no retry on fresh reads), an operator's status change
//! makes a bounded number of store requests whatever the queue, and calls left waiting by a
//! yield are routed by the next trigger. Many triggers route at once in a busy centre (every
//! waiting caller's wait document, every operator becoming free, every call's end); on Amazon's
//! DynamoDB Local the centre's short day saw three of four transactions fail their condition
//! and operators' status changes answered in up to 15 s.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use async_trait::async_trait;
use serde_json::json;
use shared::auth::{Caller, Role};
use shared::control::CallControl;
use shared::domain::Services;
use shared::domain::calls::{CallSummary, Direction};
use shared::domain::operators::OperatorStatus;
use shared::domain::routing::{QUEUE, Routed, Routing};
use shared::ids::OperatorId;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Cond, Item, Key, Page, Query, Store, StoreError, TxOp, Update};
use shared::twilio::AccountSid;
use shared::twilio::telephony::RecordingTelephony;

/// The embedded store, counting requests, and with a rival router that can be switched on:
/// while it is, every routing transaction (one claiming a queue entry) finds the call or the
/// operator claimed first, as when another trigger read the same pair a moment earlier.
struct Contended {
    inner: EmbeddedStore,
    requests: AtomicU64,
    routing_transactions: AtomicU64,
    lost: AtomicU64,
    rival: AtomicBool,
}

impl Contended {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            inner: EmbeddedStore::in_memory().unwrap(),
            requests: AtomicU64::new(0),
            routing_transactions: AtomicU64::new(0),
            lost: AtomicU64::new(0),
            rival: AtomicBool::new(false),
        })
    }

    fn count(&self) {
        self.requests.fetch_add(1, Ordering::SeqCst);
    }

    /// Requests, routing transactions and lost ones since the last call.
    fn take(&self) -> (u64, u64, u64) {
        (
            self.requests.swap(0, Ordering::SeqCst),
            self.routing_transactions.swap(0, Ordering::SeqCst),
            self.lost.swap(0, Ordering::SeqCst),
        )
    }
}

#[async_trait]
impl Store for Contended {
    async fn get(&self, k: &Key) -> Result<Option<Item>, StoreError> {
        self.count();
        self.inner.get(k).await
    }
    async fn get_many(&self, k: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.count();
        self.inner.get_many(k).await
    }
    async fn put(&self, i: Item, c: Option<Cond>) -> Result<(), StoreError> {
        self.count();
        self.inner.put(i, c).await
    }
    async fn update(&self, k: &Key, u: Update, c: Option<Cond>) -> Result<Item, StoreError> {
        self.count();
        self.inner.update(k, u, c).await
    }
    async fn delete(&self, k: &Key, c: Option<Cond>) -> Result<(), StoreError> {
        self.count();
        self.inner.delete(k, c).await
    }
    async fn query(&self, q: Query) -> Result<Page, StoreError> {
        self.count();
        self.inner.query(q).await
    }
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        self.count();
        let routing = ops
            .iter()
            .any(|op| matches!(op, TxOp::Update { key, .. } if key.pk == QUEUE));
        if !routing {
            return self.inner.transact(ops).await;
        }
        self.routing_transactions.fetch_add(1, Ordering::SeqCst);
        let r = if self.rival.load(Ordering::SeqCst) {
            Err(StoreError::ConditionFailed { index: Some(0) })
        } else {
            self.inner.transact(ops).await
        };
        if r.is_err() {
            self.lost.fetch_add(1, Ordering::SeqCst);
        }
        r
    }
    async fn batch_write(&self, p: Vec<Item>, d: Vec<Key>) -> Result<(), StoreError> {
        self.count();
        self.inner.batch_write(p, d).await
    }
}

fn sid(n: usize) -> String {
    format!("CA{n:032x}")
}

fn operator(n: usize) -> Caller {
    Caller {
        id: OperatorId::parse(&format!("op-{n}")).unwrap(),
        name: format!("オペレータ {n}"),
        role: Role::Operator,
    }
}

/// A centre of `operators` signed in (away) and `calls` waiting in line, oldest first.
async fn centre(operators: usize, calls: usize) -> (Arc<Contended>, CallControl) {
    let store = Contended::new();
    let s = Services::new(store.clone());
    s.settings
        .put_section(
            "call_handling",
            0,
            json!({"wrap_up_seconds": 0, "max_wait_seconds": 300, "ring_timeout_seconds": 30, "orphan_hold_seconds": 30}),
        )
        .await
        .unwrap();
    for n in 0..operators {
        let c = operator(n);
        s.operators.ensure(&c.id, &c.name, c.role).await.unwrap();
        s.operators.set_status(&c.id, "away").await.unwrap();
    }
    for n in 0..calls {
        let at = (chrono::Utc::now() - chrono::Duration::seconds((calls - n) as i64))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut item = CallSummary::new(&sid(n), Direction::Inbound, None, None, "waiting", at.clone(), None).to_item();
        item.insert("queue_sk".into(), format!("{at}#{}", sid(n)).into());
        let mut ops = vec![TxOp::Put { item, cond: None }];
        ops.extend(Routing::enqueue_ops(&at, &sid(n)));
        s.store.transact(ops).await.unwrap();
    }
    let twilio = Arc::new(RecordingTelephony::new(
        AccountSid::parse("AC0123456789abcdef0123456789abcdef").unwrap(),
    ));
    let control = CallControl::new(s, twilio, "https://voice.example.jp");
    store.take();
    (store, control)
}

/// Operators holding a call (rung for it), with the call.
async fn holding(control: &CallControl) -> Vec<(String, String)> {
    let mut held: Vec<(String, String)> = control
        .services
        .operators
        .list()
        .await
        .unwrap()
        .into_iter()
        .filter_map(|o| Some((o.id.to_string(), o.current_call?)))
        .collect();
    held.sort();
    held
}

#[tokio::test]
async fn a_router_that_loses_the_race_yields_after_one_transaction_and_the_winner_goes_on() {
    // Given three free operators and three callers waiting, and another router claiming first,
    let (store, control) = centre(3, 3).await;
    for n in 0..3 {
        control
            .services
            .operators
            .set_status(&operator(n).id, "available")
            .await
            .unwrap();
    }
    store.take();
    store.rival.store(true, Ordering::SeqCst);
    // when a trigger routes (a caller's wait document, a call's end),
    control.route_waiting().await;
    // then it tries one transaction, loses it and stops: no retry on fresh reads.
    let (requests, transactions, lost) = store.take();
    assert_eq!((transactions, lost), (1, 1), "one attempt, lost");
    assert!(
        requests <= 3,
        "the free list, the queue and the transaction: {requests}"
    );
    assert!(holding(&control).await.is_empty());
    // And a router that wins goes on with the rest: every caller offered, one operator each.
    store.rival.store(false, Ordering::SeqCst);
    control.route_waiting().await;
    let held = holding(&control).await;
    let calls: std::collections::BTreeSet<&str> = held.iter().map(|(_, c)| c.as_str()).collect();
    assert_eq!(held.len(), 3, "{held:?}");
    assert_eq!(calls.len(), 3, "no call offered twice: {held:?}");
    let (_, transactions, lost) = store.take();
    assert_eq!((transactions, lost), (3, 0));
}

#[tokio::test]
async fn an_operator_becoming_available_answers_after_a_bounded_number_of_store_requests() {
    // Given two operators away and callers waiting,
    let (store, control) = centre(2, 4).await;
    // when one becomes available while every routing transaction is lost to another router,
    store.rival.store(true, Ordering::SeqCst);
    let me = control
        .set_presence(&operator(0), OperatorStatus::Available)
        .await
        .unwrap();
    // then the status is set after one routing attempt: the operator read, their presence read
    // for the interval it closes in the reports' figures, the status written, the free list,
    // the queue and one transaction.
    let (requests, transactions, _) = store.take();
    assert_eq!(me.status, OperatorStatus::Available);
    assert_eq!(transactions, 1, "a lost race is not retried");
    assert!(requests <= 6, "{requests} store requests");
    // And when the other becomes available without a rival, one call is offered at once and
    // rings on someone's phone: 7 requests at most (the call read to ring, the operator read
    // again when it is theirs).
    store.rival.store(false, Ordering::SeqCst);
    let me = control
        .set_presence(&operator(1), OperatorStatus::Available)
        .await
        .unwrap();
    let (requests, transactions, _) = store.take();
    assert_eq!(transactions, 1, "one call offered by the status change");
    assert!(requests <= 7, "{requests} store requests");
    let held = holding(&control).await;
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0].1, sid(0), "the longest-waiting call first");
    if held[0].0 == "op-1" {
        assert_eq!(me.current_call.as_deref(), Some(sid(0).as_str()), "their phone rings");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_herd_of_triggers_loses_at_most_one_transaction_each_and_leaves_no_call_unrouted() {
    // Given twelve free operators and twelve callers waiting,
    let (store, control) = centre(12, 12).await;
    for n in 0..12 {
        control
            .services
            .operators
            .set_status(&operator(n).id, "available")
            .await
            .unwrap();
    }
    store.take();
    // when twelve triggers route at once (their wait documents fetched together),
    let herd: Vec<_> = (0..12)
        .map(|_| {
            let c = control.clone();
            tokio::spawn(async move { c.route_waiting().await })
        })
        .collect();
    for t in herd {
        t.await.unwrap();
    }
    // then each lost at most one race,
    let (_, _, lost) = store.take();
    assert!(lost <= 12, "{lost} lost routing transactions for 12 triggers");
    // and the calls a yield left waiting are routed by the next wait documents, one at a time.
    for _ in 0..12 {
        if holding(&control).await.len() == 12 {
            break;
        }
        control.route_waiting().await;
    }
    let held = holding(&control).await;
    let calls: std::collections::BTreeSet<&str> = held.iter().map(|(_, c)| c.as_str()).collect();
    assert_eq!(held.len(), 12, "every operator rung: {held:?}");
    assert_eq!(calls.len(), 12, "every call offered to one operator: {held:?}");
}

/// Files operator `n` in the free list as free since `since` (what their status change wrote
/// then).
async fn free_since(control: &CallControl, n: usize, since: chrono::DateTime<chrono::Utc>) {
    let id = operator(n).id;
    let at = since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let update = Update::default().set(
        shared::store::attr::GSI2SK,
        shared::store::table::free_since_sk(&at, id.as_str()),
    );
    control
        .services
        .store
        .update(&shared::store::table::operator_key(id.as_str()), update, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_wait_document_leaves_an_operator_who_just_came_free_to_their_own_trigger() {
    // Given two callers waiting and an operator who came free a moment ago (their own status
    // change is routing a call to them),
    let (store, control) = centre(1, 2).await;
    control
        .services
        .operators
        .set_status(&operator(0).id, "available")
        .await
        .unwrap();
    store.take();
    // when the second caller's wait document routes,
    let routed = control.services.routing.route_once_for(&sid(1)).await.unwrap();
    // then it leaves them be: no transaction to race the operator's own, one query read.
    let (requests, transactions, _) = store.take();
    assert_eq!(routed, Routed::Idle);
    assert_eq!(transactions, 0, "no transaction sent");
    assert!(requests <= 2, "the free list and the queue: {requests}");
    assert!(holding(&control).await.is_empty());
    // And the first caller's own wait document offers them their own call at once,
    let Routed::Offered(offer) = control.services.routing.route_once_for(&sid(0)).await.unwrap() else {
        panic!("the caller first in line is offered to whoever is free");
    };
    assert_eq!(
        (offer.call_sid.as_str(), offer.operator_id.as_str()),
        (sid(0).as_str(), "op-0")
    );
}

#[tokio::test]
async fn a_wait_document_routes_the_call_first_in_line_to_an_operator_free_for_a_while() {
    // Given two callers waiting and an operator free for three seconds whom nothing routed
    // (their wrap-up ran out by itself),
    let (store, control) = centre(1, 2).await;
    control
        .services
        .operators
        .set_status(&operator(0).id, "available")
        .await
        .unwrap();
    free_since(&control, 0, chrono::Utc::now() - chrono::Duration::seconds(3)).await;
    store.take();
    // when the second caller's wait document routes,
    let routed = control.services.routing.route_once_for(&sid(1)).await.unwrap();
    // then the caller first in line is offered to them, first come first served.
    let Routed::Offered(offer) = routed else {
        panic!("expected an offer, got {routed:?}");
    };
    assert_eq!(
        (offer.call_sid.as_str(), offer.operator_id.as_str()),
        (sid(0).as_str(), "op-0")
    );
    assert_eq!(store.take().1, 1, "one routing transaction");
}

#[tokio::test]
async fn a_calls_end_that_arrives_again_writes_nothing() {
    // Given an operator who answered a call,
    let (store, control) = centre(1, 1).await;
    control
        .services
        .operators
        .set_status(&operator(0).id, "available")
        .await
        .unwrap();
    let offer = control.services.routing.next_offer().await.unwrap().expect("an offer");
    let routing = &control.services.routing;
    routing
        .answered(&offer.call_sid, "op-0", "", &offer.offer_id)
        .await
        .unwrap();
    // when the answer and then the end arrive twice (the leg's callback and the page's first
    // call control; the status callback and the conference's end),
    store.take();
    routing
        .answered(&offer.call_sid, "op-0", "", &offer.offer_id)
        .await
        .unwrap();
    let (answer_again, _, _) = store.take();
    routing.wrap_up("op-0", &offer.call_sid).await.unwrap();
    let (first_end, _, _) = store.take();
    routing.wrap_up("op-0", &offer.call_sid).await.unwrap();
    let (end_again, _, _) = store.take();
    // then the repeats only read: the call and the operator for the answer, the operator for
    // the end (before, each sent a transaction bound to fail its condition),
    assert_eq!(answer_again, 2, "the call and the operator read, nothing written");
    assert_eq!(first_end, 2, "the operator read and the wrap-up written");
    assert_eq!(end_again, 1, "the operator read, nothing written");
    // and the operator is free of the call (the centre's wrap-up is 0 s: 受付可 again).
    let me = control.services.operators.get(&operator(0).id).await.unwrap();
    assert_eq!(me.status, OperatorStatus::Available);
    assert_eq!(me.current_call, None);
}
