//! Routing under load, on both store adapters: calls arrive at once on free operators (200 on
//! 20 on the embedded store).
//! Every call is offered to exactly one operator at a time, no operator ever holds two, and
//! every call is answered in the end.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde_json::json;
use shared::auth::Role;
use shared::domain::Services;
use shared::domain::calls::call_key;
use shared::domain::routing::{QUEUE, Routing};
use shared::ids::OperatorId;
use shared::store::{Cond, Item, Query, Store, TxOp, attr};

async fn incoming(s: &Services, n: usize) {
    let sid = format!("CA{n:032x}");
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let key = call_key(&sid);
    let mut call = Item::new();
    call.insert(attr::PK.into(), key.pk.into());
    call.insert(attr::SK.into(), key.sk.into());
    call.insert("sid".into(), sid.clone().into());
    call.insert("status".into(), "waiting".into());
    call.insert("queue_sk".into(), format!("{at}#{sid}").into());
    let mut ops = vec![TxOp::Put {
        item: call,
        cond: Some(Cond::NotExists),
    }];
    ops.extend(Routing::enqueue_ops(&at, &sid));
    s.store.transact(ops).await.unwrap();
}

async fn run(store: Arc<dyn Store>, calls: usize, operators: usize) {
    let s = Services::new(store);
    s.settings.put_section("call_handling", 0, json!({"wrap_up_seconds": 0, "max_wait_seconds": 300, "ring_timeout_seconds": 60, "orphan_hold_seconds": 30})).await.unwrap();
    for i in 0..operators {
        let id = OperatorId::parse(&format!("op-{i}")).unwrap();
        s.operators
            .ensure(&id, &format!("オペレータ{i}"), Role::Operator)
            .await
            .unwrap();
        s.operators.set_status(&id, "available").await.unwrap();
    }
    // 200 calls arrive at once, each triggering routing as its participant-join would.
    let ringing: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let answered: Arc<Mutex<HashSet<String>>> = Arc::default();
    let mut tasks = Vec::new();
    for n in 0..calls {
        let s = s.clone();
        let ringing = ringing.clone();
        tasks.push(tokio::spawn(async move {
            incoming(&s, n).await;
            route(&s, &ringing).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // Operators answer, talk, hang up and (wrap-up 0 s) take the next call, until none waits.
    for _round in 0..80 {
        // The callers still in line fetch the wait document again, as Twilio does every ~25 s.
        let queue = s.store.query(Query::partition(QUEUE).limit(1000)).await.unwrap();
        for entry in queue.items {
            s.routing
                .still_waiting_in(entry[attr::SK].as_str().unwrap())
                .await
                .unwrap();
        }
        let offers: Vec<(String, String)> = ringing.lock().unwrap().drain().collect();
        if offers.is_empty() && answered.lock().unwrap().len() == calls {
            break;
        }
        let mut tasks = Vec::new();
        for (sid, op) in offers {
            let s = s.clone();
            let answered = answered.clone();
            let ringing = ringing.clone();
            tasks.push(tokio::spawn(async move {
                let operator = s.operators.get(&OperatorId::parse(&op).unwrap()).await.unwrap();
                let Some(offer_id) = operator
                    .offer_id
                    .as_deref()
                    .filter(|_| operator.current_call.as_deref() == Some(sid.as_str()))
                else {
                    // The offer expired and went elsewhere before this operator answered.
                    return;
                };
                if s.routing.answered(&sid, &op, &operator.name, offer_id).await.is_err() {
                    return;
                }
                assert!(answered.lock().unwrap().insert(sid.clone()), "{sid} answered twice");
                s.routing.ended(&sid).await.unwrap();
                route(&s, &ringing).await;
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        route(&s, &ringing).await;
    }
    assert_eq!(answered.lock().unwrap().len(), calls, "no call is lost");
    let ops = s.operators.list().await.unwrap();
    assert!(
        ops.iter().all(|o| o.current_call.is_none()),
        "every operator is free at the end"
    );
}

/// Offers until routing finds no pair. An offer for a call that was already ringing elsewhere
/// is legitimate only if that offer expired and was taken back: the earlier operator must no
/// longer hold the call. Likewise an operator offered a new call holds only the new one.
async fn route(s: &Services, ringing: &Arc<Mutex<HashMap<String, String>>>) {
    while let Some(offer) = s.routing.next_offer().await.unwrap() {
        let earlier = ringing.lock().unwrap().get(&offer.call_sid).cloned();
        if let Some(prev) = earlier.filter(|p| p != &offer.operator_id) {
            let prev_op = s.operators.get(&OperatorId::parse(&prev).unwrap()).await.unwrap();
            assert_ne!(
                prev_op.current_call.as_deref(),
                Some(offer.call_sid.as_str()),
                "{} held by two operators at once",
                offer.call_sid
            );
        }
        let now_holding = s
            .operators
            .get(&OperatorId::parse(&offer.operator_id).unwrap())
            .await
            .unwrap();
        assert_eq!(
            now_holding.current_call.as_deref(),
            Some(offer.call_sid.as_str()),
            "the operator holds exactly the offered call"
        );
        let mut r = ringing.lock().unwrap();
        r.retain(|_, op| op != &offer.operator_id);
        r.insert(offer.call_sid, offer.operator_id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_calls_on_twenty_operators_on_the_embedded_store() {
    run(
        Arc::new(shared::store::embedded::EmbeddedStore::in_memory().unwrap()),
        200,
        20,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_calls_on_twenty_operators_on_dynamodb() {
    // moto copies its tables on every transaction, so it is slow at this scale; CI runs 40 calls
    // on 10 operators (the queue still builds up), and ROUTING_CALLS=200 runs the full size.
    let n: usize = std::env::var("ROUTING_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    run(
        Arc::new(shared::testing::fresh_dynamo_store().await),
        n,
        if n >= 200 { 20 } else { 10 },
    )
    .await;
}
