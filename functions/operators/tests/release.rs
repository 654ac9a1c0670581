//! A supervisor releasing an operator stuck on a call from the board: the call is checked with
//! Twilio first, a live one is never cut, an ended one is applied as its callback would have
//! been, and every attempt is audited.

use std::sync::Arc;

use axum::http::StatusCode;
use shared::auth::Role;
use shared::control::CallControl;
use shared::domain::Services;
use shared::domain::calls::call_key;
use shared::domain::operators::operator_key;
use shared::ids::OperatorId;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Cond, Item, Update};
use shared::testing::{call, request, signed_in, spec_checked};
use shared::twilio::AccountSid;
use shared::twilio::telephony::{RecordingTelephony, TelephonyOperation};
use shared::twilio::webhook::CallStatus;

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const SID: &str = "CA66666666666666666666666666666666";

fn app() -> (axum::Router, Services, Arc<RecordingTelephony>) {
    let services = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    let twilio = Arc::new(RecordingTelephony::new(AccountSid::parse(ACCOUNT).unwrap()));
    let d = CallControl::new(services.clone(), twilio.clone(), "https://voice.example.jp");
    (operators::router(d), services, twilio)
}

fn ago(seconds: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::seconds(seconds)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Sato talking on an incoming call answered five minutes ago, as the store has it.
async fn sato_on_a_call(services: &Services) {
    let sato = OperatorId::parse("op-sato").unwrap();
    services
        .operators
        .ensure(&sato, "佐藤 花子", Role::Operator)
        .await
        .unwrap();
    let key = call_key(SID);
    let mut item = Item::new();
    for (k, v) in [
        ("PK", key.pk.as_str()),
        ("SK", key.sk.as_str()),
        ("sid", SID),
        ("direction", "inbound"),
        ("status", "in_progress"),
        ("customer", "+81312345678"),
        ("operator_id", "op-sato"),
        ("operator_name", "佐藤 花子"),
    ] {
        item.insert(k.into(), v.into());
    }
    item.insert("started_at".into(), ago(320).into());
    item.insert("answered_at".into(), ago(300).into());
    services.store.put(item, Some(Cond::NotExists)).await.unwrap();
    let on_call = Update::default()
        .set("current_call", SID)
        .set("status", "on_call")
        .set("status_since", ago(300));
    services
        .store
        .update(&operator_key("op-sato"), on_call, Some(Cond::Exists))
        .await
        .unwrap();
}

fn release() -> axum::http::Request<axum::body::Body> {
    request("POST", "/api/monitor/operators/op-sato/release")
}

async fn audit_outcomes(services: &Services) -> Vec<String> {
    let day = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap())
        .format("%Y-%m-%d")
        .to_string();
    shared::domain::audit::day(services.store.as_ref(), &day, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            assert_eq!(
                (e.action.as_str(), e.by.as_str(), e.subject.as_str()),
                ("release_operator", "sv-ito", "op-sato")
            );
            e.outcome
        })
        .collect()
}

#[tokio::test]
async fn an_operator_may_not_release_anyone() {
    let (app, services, twilio) = app();
    sato_on_a_call(&services).await;
    let (code, body) = call(&app, signed_in(release(), "op-suzuki", Role::Operator)).await;
    assert_eq!(code, StatusCode::FORBIDDEN, "{body}");
    assert!(twilio.requests().is_empty());
    let sato = services
        .operators
        .get(&OperatorId::parse("op-sato").unwrap())
        .await
        .unwrap();
    assert_eq!(sato.current_call.as_deref(), Some(SID));
}

#[tokio::test]
async fn a_call_twilio_says_is_live_is_not_cut_and_the_refusal_is_audited() {
    let (app, services, twilio) = app();
    sato_on_a_call(&services).await;
    twilio.set_call(SID, CallStatus::InProgress, None);
    let (code, body) = call(&app, signed_in(release(), "sv-ito", Role::Supervisor)).await;
    assert_eq!(
        (code, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("call_live")),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("まだつながっています"),
        "{body}"
    );
    let sato = services
        .operators
        .get(&OperatorId::parse("op-sato").unwrap())
        .await
        .unwrap();
    assert_eq!(sato.current_call.as_deref(), Some(SID), "still on the live call");
    let ops: Vec<_> = twilio.requests().iter().map(|r| r.operation()).collect();
    assert_eq!(ops, [TelephonyOperation::FetchCall], "asked, and nothing hung up");
    spec_checked(ACCOUNT, &twilio.requests());
    assert_eq!(audit_outcomes(&services).await, ["refused_live"]);
}

#[tokio::test]
async fn an_operator_held_by_a_call_twilio_says_ended_is_released_into_wrap_up_and_audited() {
    let (app, services, twilio) = app();
    sato_on_a_call(&services).await;
    let ended = chrono::Utc::now() - chrono::Duration::seconds(200);
    twilio.set_call(SID, CallStatus::Completed, Some(ended));
    let (code, body) = call(&app, signed_in(release(), "sv-ito", Role::Supervisor)).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "released");
    assert_eq!(body["call"], SID);
    assert_eq!(body["operator"]["status"], "wrap_up", "{body}");
    assert!(body["operator"].get("current_call").is_none(), "{body}");
    let record = services.store.get(&call_key(SID)).await.unwrap().unwrap();
    assert_eq!(record["status"], "completed", "recorded as it really ended: {record:?}");
    assert_eq!(record["end_reason"], "completed");
    assert!(record["ended_at"].as_str().is_some());
    spec_checked(ACCOUNT, &twilio.requests());

    // Asked again (a second click): nothing left to release, no second question to Twilio.
    let (code, body) = call(&app, signed_in(release(), "sv-ito", Role::Supervisor)).await;
    assert_eq!(
        (code, body["outcome"].as_str()),
        (StatusCode::OK, Some("already_free")),
        "{body}"
    );
    assert_eq!(twilio.requests().len(), 1);
    assert_eq!(audit_outcomes(&services).await, ["released", "already_free"]);
}

#[tokio::test]
async fn releasing_someone_unknown_is_404() {
    let (app, _, _) = app();
    let (code, body) = call(&app, signed_in(release(), "admin-watanabe", Role::Admin)).await;
    assert_eq!(code, StatusCode::NOT_FOUND, "{body}");
}
