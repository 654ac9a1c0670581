//! A callback request keeps its caller's place in line: routing hands its task to a free
//! operator who takes the request's queue, ahead of callers who rang later, once — an operator
//! without the skill is offered the later caller of their own queue instead, and a task someone
//! took from the list first is not taken again.

use std::sync::Arc;

use serde_json::json;
use shared::auth::Role;
use shared::domain::Services;
use shared::domain::calls::call_key;
use shared::domain::operators::OperatorStatus;
use shared::domain::routing::{QueueEntry, Routed, Routing};
use shared::domain::tasks::{TaskCaller, TaskState};
use shared::ids::OperatorId;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Cond, Item, TxOp, attr};

fn ago(seconds: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::seconds(seconds)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A centre with a billing and a repair queue.
async fn centre() -> Services {
    let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    s.settings
        .put_section(
            "queues",
            0,
            json!([{"id": "billing", "name": "料金窓口"}, {"id": "repair", "name": "修理窓口"}]),
        )
        .await
        .unwrap();
    s
}

/// An operator free now, taking `queues`.
async fn free(s: &Services, id: &str, queues: &[&str]) -> OperatorId {
    let op = OperatorId::parse(id).unwrap();
    let skills: Vec<String> = queues.iter().map(|q| q.to_string()).collect();
    s.operators.set_skills(&op, id, Role::Operator, &skills).await.unwrap();
    s.operators.set_status(&op, "available").await.unwrap();
    op
}

/// A caller who asked to be called back, their place: `joined` in `queue`.
async fn callback_requested(s: &Services, sid: &str, queue: &str, joined: &str) {
    let caller = TaskCaller {
        customer: Some("+819011112222"),
        line_id: Some("main"),
        line_number: Some("+81368000001"),
        call_recorded: true,
    };
    s.tasks.callback_requested(sid, caller, joined).await.unwrap();
    let place = QueueEntry::callback(Some(queue), sid, joined);
    s.store.put(place.to_item(), None).await.unwrap();
}

/// A caller waiting in `queue` since `joined`.
async fn waiting(s: &Services, sid: &str, queue: &str, joined: &str) {
    let key = call_key(sid);
    let mut call = Item::new();
    call.insert(attr::PK.into(), key.pk.into());
    call.insert(attr::SK.into(), key.sk.into());
    call.insert("sid".into(), sid.into());
    call.insert("status".into(), "waiting".into());
    call.insert("queue_sk".into(), format!("{joined}#{sid}").into());
    call.insert("queue".into(), queue.into());
    let mut ops = vec![TxOp::Put {
        item: call,
        cond: Some(Cond::NotExists),
    }];
    ops.extend(Routing::enqueue_in_ops(queue, joined, sid));
    s.store.transact(ops).await.unwrap();
    s.routing.still_waiting_in(&format!("{joined}#{sid}")).await.unwrap();
}

#[tokio::test]
async fn the_callback_goes_first_to_an_operator_with_its_queue_and_a_later_caller_waits() {
    // Given a callback request in repair (its place 60 s ago), a repair caller who rang later,
    // and Suzuki free, taking repair,
    let s = centre().await;
    callback_requested(&s, "CA01", "repair", &ago(60)).await;
    waiting(&s, "CA02", "repair", &ago(30)).await;
    let suzuki = free(&s, "op-suzuki", &["repair"]).await;

    // when routing runs,
    let routed = s.routing.route_once().await.unwrap();

    // then the callback is Suzuki's: the task taken by them, they are 離席 to dial it, out of
    // the free list, and nobody is left to ring the later caller.
    match routed {
        Routed::CallbackHanded(h) => assert_eq!((h.task_id.as_str(), h.operator_id.as_str()), ("CA01", "op-suzuki")),
        other => panic!("the callback handed: {other:?}"),
    }
    let task = s.tasks.get("CA01").await.unwrap();
    assert_eq!(task.state, TaskState::Taken);
    assert_eq!(task.taken_by.as_deref(), Some("op-suzuki"));
    let me = s.operators.get(&suzuki).await.unwrap();
    assert_eq!(me.status, OperatorStatus::Away);
    assert_eq!(me.callback_task.as_deref(), Some("CA01"));
    assert_eq!(me.current_call, None);
    assert_eq!(s.routing.route_once().await.unwrap(), Routed::Idle);
    let later = s.store.get(&call_key("CA02")).await.unwrap().unwrap();
    assert!(later.get("offered_to").is_none(), "{later:?}");
}

#[tokio::test]
async fn an_operator_without_the_callbacks_queue_is_offered_their_own_queues_caller_instead() {
    // Given a callback request in repair and, later, a billing caller, and Sato free taking
    // billing only,
    let s = centre().await;
    callback_requested(&s, "CA01", "repair", &ago(60)).await;
    waiting(&s, "CA02", "billing", &ago(30)).await;
    free(&s, "op-sato", &["billing"]).await;

    // when routing runs, then Sato is rung for the billing caller and the callback keeps its place.
    match s.routing.route_once().await.unwrap() {
        Routed::Offered(o) => assert_eq!((o.call_sid.as_str(), o.operator_id.as_str()), ("CA02", "op-sato")),
        other => panic!("the billing caller offered: {other:?}"),
    }
    assert_eq!(s.tasks.get("CA01").await.unwrap().state, TaskState::Open);
}

#[tokio::test]
async fn a_callback_taken_from_the_list_first_is_not_handed_again_and_its_place_goes() {
    // Given a callback request Ito took from the task list, its place still in line, and
    // Suzuki free taking repair,
    let s = centre().await;
    callback_requested(&s, "CA01", "repair", &ago(60)).await;
    let ito = OperatorId::parse("op-ito").unwrap();
    s.tasks.take("CA01", &ito, "伊藤").await.unwrap();
    let suzuki = free(&s, "op-suzuki", &["repair"]).await;

    // when routing meets the place,
    assert_eq!(s.routing.route_once().await.unwrap(), Routed::Yielded);

    // then the task stays Ito's, Suzuki stays free and the place is gone.
    assert_eq!(s.tasks.get("CA01").await.unwrap().taken_by.as_deref(), Some("op-ito"));
    let me = s.operators.get(&suzuki).await.unwrap();
    assert_eq!((me.status, me.callback_task), (OperatorStatus::Available, None));
    let line = s
        .store
        .query(shared::store::Query::partition(shared::domain::routing::QUEUE))
        .await
        .unwrap();
    assert!(line.items.is_empty(), "{:?}", line.items);
    assert_eq!(s.routing.route_once().await.unwrap(), Routed::Idle);
}
