//! No window in which the operator is refused, on both store adapters: the operator who
//! accepted a call may control it before Twilio's answer callback has made the call theirs,
//! and may change their status as soon as the call has ended, before the end callbacks are in.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use shared::auth::{Caller, Role};
use shared::control::CallControl;
use shared::domain::Services;
use shared::domain::calls::{CallSummary, Direction, call_key};
use shared::domain::operators::OperatorStatus;
use shared::domain::routing::Routing;
use shared::ids::OperatorId;
use shared::store::Store;
use shared::store::embedded::EmbeddedStore;
use shared::twilio::telephony::RecordingTelephony;
use shared::twilio::{AccountSid, CallSid};

const SID: &str = "CA0123456789abcdef0123456789abcdef";

/// A call waiting in its conference, offered to the only operator, who accepts.
async fn offered(store: Arc<dyn Store>) -> (CallControl, Caller, String) {
    let s = Services::new(store);
    s.settings
        .put_section(
            "call_handling",
            0,
            json!({"wrap_up_seconds": 0, "max_wait_seconds": 300, "ring_timeout_seconds": 30, "orphan_hold_seconds": 30}),
        )
        .await
        .unwrap();
    let id = OperatorId::parse("op-sato").unwrap();
    s.operators.ensure(&id, "佐藤 花子", Role::Operator).await.unwrap();
    s.operators.set_status(&id, "available").await.unwrap();
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut item = CallSummary::new(SID, Direction::Inbound, None, None, "waiting", at.clone(), None).to_item();
    item.insert("queue_sk".into(), format!("{at}#{SID}").into());
    item.insert("conference_sid".into(), "CF0123456789abcdef0123456789abcdef".into());
    let mut ops = vec![shared::store::TxOp::Put { item, cond: None }];
    ops.extend(Routing::enqueue_ops(&at, SID));
    s.store.transact(ops).await.unwrap();
    let offer = s.routing.next_offer().await.unwrap().expect("the call is offered");
    let twilio = Arc::new(RecordingTelephony::new(
        AccountSid::parse("AC0123456789abcdef0123456789abcdef").unwrap(),
    ));
    let control = CallControl::new(s, twilio, "https://voice.example.jp");
    let caller = Caller {
        id,
        name: "佐藤 花子".into(),
        role: Role::Operator,
    };
    (control, caller, offer.offer_id)
}

async fn the_accepting_operator_controls_the_call_before_the_answer_callback_arrives(store: Arc<dyn Store>) {
    // Given an operator who accepted an offer whose answer callback is still on its way,
    let (control, caller, offer_id) = offered(store).await;
    let late = control.clone();
    let answer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(600)).await;
        late.services
            .routing
            .answered(SID, "op-sato", "佐藤 花子", &offer_id)
            .await
            .unwrap();
    });
    // when they put the customer on hold at once,
    let sid = CallSid::parse(SID).unwrap();
    let held = control.hold(&caller, &sid).await;
    // then the hold goes through instead of "this is not your call".
    assert!(held.is_ok(), "{held:?}");
    answer.await.unwrap();
}

async fn the_status_changes_as_soon_as_the_call_has_ended(store: Arc<dyn Store>) {
    // Given an operator on a call whose customer just hung up, the end callback still on its way,
    let (control, caller, offer_id) = offered(store).await;
    control
        .services
        .routing
        .answered(SID, "op-sato", "佐藤 花子", &offer_id)
        .await
        .unwrap();
    let late = control.clone();
    let end = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(700)).await;
        late.services.routing.ended(SID).await.unwrap();
    });
    // when they choose 離席 (away),
    let me = control.set_presence(&caller, OperatorStatus::Away).await;
    // then it is taken once the call's end is in, not refused with call_in_progress.
    let me = me.unwrap_or_else(|e| panic!("refused: {e}"));
    assert_eq!(me.status, OperatorStatus::Away);
    end.await.unwrap();
    let call = control.services.store.get(&call_key(SID)).await.unwrap().unwrap();
    assert_eq!(call["operator_id"], "op-sato");
}

async fn embedded() -> Arc<dyn Store> {
    Arc::new(EmbeddedStore::in_memory().unwrap())
}

async fn dynamodb() -> Arc<dyn Store> {
    Arc::new(shared::testing::fresh_dynamo_store().await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_then_control_on_the_embedded_store() {
    the_accepting_operator_controls_the_call_before_the_answer_callback_arrives(embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_then_control_on_dynamodb() {
    the_accepting_operator_controls_the_call_before_the_answer_callback_arrives(dynamodb().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_after_the_end_on_the_embedded_store() {
    the_status_changes_as_soon_as_the_call_has_ended(embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_after_the_end_on_dynamodb() {
    the_status_changes_as_soon_as_the_call_has_ended(dynamodb().await).await;
}
