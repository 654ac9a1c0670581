//! An offer that lapses without any callback reaching the console: before it is taken back,
//! Twilio is asked whether the operator's leg is connected to the call's conference. When it
//! is, the operator answered and their answer callback was lost (refused beyond Twilio's
//! retries, or throttled with 429, which Twilio does not retry): the call is theirs. Before,
//! the call was offered to a second operator while the first talked with the customer, and the
//! first one's last memo saves were refused (the centre's short day lost such a memo in CI).
//! On both store adapters (DynamoDB through moto).

use std::sync::Arc;

use serde_json::json;
use shared::auth::Role;
use shared::control::CallControl;
use shared::domain::Services;
use shared::domain::calls::{CallSummary, Direction, call_key};
use shared::domain::operators::OperatorStatus;
use shared::domain::routing::{Routing, queue_entry_key};
use shared::ids::OperatorId;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Store, TxOp, Update};
use shared::twilio::AccountSid;
use shared::twilio::rest::ParticipantRef;
use shared::twilio::telephony::{RecordingTelephony, TelephonyError, TelephonyOperation, TelephonyRequest};

const SID: &str = "CA0123456789abcdef0123456789abcd17";
const CONFERENCE: &str = "CF0123456789abcdef0123456789abcd17";

/// A waiting call offered to Sato, the offer lapsed with no callback; Suzuki is free now.
async fn lapsed(store: Arc<dyn Store>) -> (CallControl, Arc<RecordingTelephony>) {
    let s = Services::new(store);
    s.settings
        .put_section(
            "call_handling",
            0,
            json!({"wrap_up_seconds": 0, "max_wait_seconds": 300, "ring_timeout_seconds": 30, "orphan_hold_seconds": 30}),
        )
        .await
        .unwrap();
    let sato = OperatorId::parse("op-sato").unwrap();
    let suzuki = OperatorId::parse("op-suzuki").unwrap();
    s.operators.ensure(&sato, "佐藤 花子", Role::Operator).await.unwrap();
    s.operators.set_status(&sato, "available").await.unwrap();
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let queue_sk = format!("{at}#{SID}");
    let mut item = CallSummary::new(SID, Direction::Inbound, None, None, "waiting", at.clone(), None).to_item();
    item.insert("queue_sk".into(), queue_sk.clone().into());
    item.insert("conference_sid".into(), CONFERENCE.into());
    let mut ops = vec![TxOp::Put { item, cond: None }];
    ops.extend(Routing::enqueue_ops(&at, SID));
    s.store.transact(ops).await.unwrap();
    let offer = s.routing.next_offer().await.unwrap().expect("the call is offered");
    assert_eq!(offer.operator_id, "op-sato");
    let expired = Update::default().set("offer_expires_at", "2000-01-01T00:00:00.000Z");
    s.store
        .update(&queue_entry_key(&queue_sk), expired, None)
        .await
        .unwrap();
    s.operators.ensure(&suzuki, "鈴木 一郎", Role::Operator).await.unwrap();
    s.operators.set_status(&suzuki, "available").await.unwrap();
    let twilio = Arc::new(RecordingTelephony::new(
        AccountSid::parse("AC0123456789abcdef0123456789abcdef").unwrap(),
    ));
    (CallControl::new(s, twilio.clone(), "https://voice.example.jp"), twilio)
}

fn asked_for_the_operator_leg(twilio: &RecordingTelephony) -> bool {
    twilio.requests().iter().any(|r| {
        matches!(r, TelephonyRequest::FetchParticipant { conference, participant }
            if conference.as_str() == CONFERENCE && *participant == ParticipantRef::Label("operator".into()))
    })
}

fn rang(twilio: &RecordingTelephony) -> usize {
    twilio
        .requests()
        .iter()
        .filter(|r| matches!(r, TelephonyRequest::CreateParticipant { .. }))
        .count()
}

async fn an_operator_talking_keeps_the_call(store: Arc<dyn Store>) {
    // Given an offer to Sato that lapsed while Twilio has Sato's leg connected,
    let (control, twilio) = lapsed(store).await;
    // when routing runs (Suzuki free),
    control.route_waiting().await;
    // then Twilio was asked, the call is Sato's and nobody else was rung,
    assert!(asked_for_the_operator_leg(&twilio), "{:?}", twilio.requests());
    assert_eq!(rang(&twilio), 0, "{:?}", twilio.requests());
    let call = control.services.store.get(&call_key(SID)).await.unwrap().unwrap();
    assert_eq!(
        (call["operator_id"].as_str(), call["status"].as_str()),
        (Some("op-sato"), Some("in_progress")),
        "{call:?}"
    );
    let sato = control
        .services
        .operators
        .get(&OperatorId::parse("op-sato").unwrap())
        .await
        .unwrap();
    assert_eq!(
        (sato.status, sato.current_call.as_deref()),
        (OperatorStatus::OnCall, Some(SID))
    );
    let suzuki = control
        .services
        .operators
        .get(&OperatorId::parse("op-suzuki").unwrap())
        .await
        .unwrap();
    assert_eq!(suzuki.current_call, None);
}

async fn an_operator_not_on_the_call_is_let_go(store: Arc<dyn Store>) {
    // Given an offer to Sato that lapsed, Twilio having no operator leg in the conference,
    let (control, twilio) = lapsed(store).await;
    twilio.fail_next(
        TelephonyOperation::FetchParticipant,
        TelephonyError::NotFound {
            code: Some(20404),
            message: "The requested resource was not found".into(),
        },
    );
    // when routing runs,
    control.route_waiting().await;
    // then the offer is released (Sato set away) and the call rings Suzuki.
    assert!(asked_for_the_operator_leg(&twilio));
    assert_eq!(rang(&twilio), 1, "{:?}", twilio.requests());
    let call = control.services.store.get(&call_key(SID)).await.unwrap().unwrap();
    assert_eq!(call["offered_to"], "op-suzuki", "{call:?}");
    assert!(call.get("operator_id").is_none());
    let sato = control
        .services
        .operators
        .get(&OperatorId::parse("op-sato").unwrap())
        .await
        .unwrap();
    assert_eq!((sato.status, sato.current_call), (OperatorStatus::Away, None));
}

async fn embedded() -> Arc<dyn Store> {
    Arc::new(EmbeddedStore::in_memory().unwrap())
}

async fn dynamodb() -> Arc<dyn Store> {
    Arc::new(shared::testing::fresh_dynamo_store().await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn talking_operator_keeps_the_call_on_the_embedded_store() {
    an_operator_talking_keeps_the_call(embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn talking_operator_keeps_the_call_on_dynamodb() {
    an_operator_talking_keeps_the_call(dynamodb().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_not_on_the_call_is_let_go_on_the_embedded_store() {
    an_operator_not_on_the_call_is_let_go(embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_not_on_the_call_is_let_go_on_dynamodb() {
    an_operator_not_on_the_call_is_let_go(dynamodb().await).await;
}
