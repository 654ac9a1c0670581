//! The operator who accepted a call controls it even when the answer callback for their leg is
//! late beyond the wait or lost (refused beyond Twilio's retries, or throttled, which Twilio does
//! not retry): the check asks Twilio whether their leg is in the conference and applies the
//! answer through the callback's own step. On both store adapters (DynamoDB through moto).
//!
//! Before, every action in that window waited the whole 4 s and was refused 403 「this is not
//! your call」: about 300 a day on DynamoDB Local, where callbacks came seconds late.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use shared::auth::{Caller, Role};
use shared::control::{CallControl, ControlError};
use shared::domain::Services;
use shared::domain::calls::{CallSummary, Direction, call_key};
use shared::domain::operators::OperatorStatus;
use shared::domain::routing::Routing;
use shared::error::DomainError;
use shared::ids::OperatorId;
use shared::store::Store;
use shared::store::embedded::EmbeddedStore;
use shared::twilio::rest::ParticipantRef;
use shared::twilio::telephony::{RecordingTelephony, TelephonyError, TelephonyOperation, TelephonyRequest};
use shared::twilio::{AccountSid, CallSid};

const SID: &str = "CA0123456789abcdef0123456789abcdef";
const CONFERENCE: &str = "CF0123456789abcdef0123456789abcdef";

/// A call waiting in its conference, offered to the only operator, who accepts; no answer
/// callback ever arrives.
async fn offered(store: Arc<dyn Store>) -> (CallControl, Arc<RecordingTelephony>, Caller, String) {
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
    item.insert("conference_sid".into(), CONFERENCE.into());
    let mut ops = vec![shared::store::TxOp::Put { item, cond: None }];
    ops.extend(Routing::enqueue_ops(&at, SID));
    s.store.transact(ops).await.unwrap();
    let offer = s.routing.next_offer().await.unwrap().expect("the call is offered");
    let twilio = Arc::new(RecordingTelephony::new(
        AccountSid::parse("AC0123456789abcdef0123456789abcdef").unwrap(),
    ));
    let control = CallControl::new(s, twilio.clone(), "https://voice.example.jp");
    let caller = Caller {
        id,
        name: "佐藤 花子".into(),
        role: Role::Operator,
    };
    (control, twilio, caller, offer.offer_id)
}

/// Whether the operator's leg was read from Twilio.
fn asked_for_the_operator_leg(twilio: &RecordingTelephony) -> bool {
    twilio.requests().iter().any(|r| {
        matches!(r, TelephonyRequest::FetchParticipant { conference, participant }
            if conference.as_str() == CONFERENCE && *participant == ParticipantRef::Label("operator".into()))
    })
}

async fn the_operator_controls_the_call_whose_answer_callback_was_lost(store: Arc<dyn Store>) {
    // Given an operator who accepted an offer and whose leg Twilio has connected, the answer
    // callback lost,
    let (control, twilio, caller, offer_id) = offered(store).await;
    let sid = CallSid::parse(SID).unwrap();
    // when they put the customer on hold,
    let started = Instant::now();
    let held = control.hold(&caller, &sid).await;
    // then the hold goes through at once instead of 403 after the whole wait,
    assert!(held.is_ok(), "{held:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "not after the wait: {:?}",
        started.elapsed()
    );
    assert!(asked_for_the_operator_leg(&twilio), "{:?}", twilio.requests());
    // the call is theirs and they are 通話中, as the callback would have made them,
    let call = control.services.store.get(&call_key(SID)).await.unwrap().unwrap();
    assert_eq!(
        (call["operator_id"].as_str(), call["status"].as_str()),
        (Some("op-sato"), Some("in_progress"))
    );
    let me = control.services.operators.get(&caller.id).await.unwrap();
    assert_eq!(
        (me.status, me.current_call.as_deref(), me.offer_id),
        (OperatorStatus::OnCall, Some(SID), None)
    );
    // and the callback arriving late after all changes nothing.
    control
        .services
        .routing
        .answered(SID, "op-sato", "佐藤 花子", &offer_id)
        .await
        .expect("a repeated answer is not a late one");
    let again = control.services.store.get(&call_key(SID)).await.unwrap().unwrap();
    assert_eq!(again["answered_at"], call["answered_at"]);
}

async fn an_operator_whose_leg_is_not_in_the_conference_is_still_refused(store: Arc<dyn Store>) {
    // Given an operator who was offered a call but whose leg Twilio does not have in the
    // conference (it never connected),
    let (control, twilio, caller, _) = offered(store).await;
    twilio.fail_next(
        TelephonyOperation::FetchParticipant,
        TelephonyError::NotFound {
            code: Some(20404),
            message: "The requested resource was not found".into(),
        },
    );
    // when they try to put the customer on hold,
    let held = control
        .hold(&caller, &shared::twilio::CallSid::parse(SID).unwrap())
        .await;
    // then it is refused: asking Twilio is no way round the check.
    assert!(
        matches!(held, Err(ControlError::Domain(DomainError::Forbidden(_)))),
        "{held:?}"
    );
    assert!(asked_for_the_operator_leg(&twilio));
    let call = control.services.store.get(&call_key(SID)).await.unwrap().unwrap();
    assert!(call.get("operator_id").is_none(), "{call:?}");
}

async fn embedded() -> Arc<dyn Store> {
    Arc::new(EmbeddedStore::in_memory().unwrap())
}

async fn dynamodb() -> Arc<dyn Store> {
    Arc::new(shared::testing::fresh_dynamo_store().await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answer_then_control_on_the_embedded_store() {
    the_operator_controls_the_call_whose_answer_callback_was_lost(embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answer_then_control_on_dynamodb() {
    the_operator_controls_the_call_whose_answer_callback_was_lost(dynamodb().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leg_not_connected_is_refused_on_the_embedded_store() {
    an_operator_whose_leg_is_not_in_the_conference_is_still_refused(embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leg_not_connected_is_refused_on_dynamodb() {
    an_operator_whose_leg_is_not_in_the_conference_is_still_refused(dynamodb().await).await;
}
