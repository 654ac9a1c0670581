//! The operators router: presence transitions, the operator list, and a waiting call rung as
//! soon as an operator becomes available.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;
use shared::auth::Role;
use shared::control::CallControl;
use shared::domain::Services;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Cond, TxOp};
use shared::testing::{call, json_request, request, signed_in};
use shared::twilio::AccountSid;
use shared::twilio::telephony::RecordingTelephony;

fn app() -> (axum::Router, Services, Arc<RecordingTelephony>) {
    let services = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    let twilio = Arc::new(RecordingTelephony::new(
        AccountSid::parse("AC0123456789abcdef0123456789abcdef").unwrap(),
    ));
    let d = CallControl::new(services.clone(), twilio.clone(), "https://voice.example.jp");
    (operators::router(d), services, twilio)
}

fn status(s: &str) -> axum::http::Request<axum::body::Body> {
    json_request("PUT", "/api/operators/me/status", &json!({"status": s}))
}

#[tokio::test]
async fn an_operator_moves_between_statuses_and_appears_in_the_list() {
    let (app, _, _) = app();
    let (code, me) = call(
        &app,
        signed_in(request("GET", "/api/operators/me"), "op-sato", Role::Operator),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{me}");
    assert_eq!(me["status"], "offline");
    for s in ["available", "away", "break", "wrap_up", "offline"] {
        let (code, body) = call(&app, signed_in(status(s), "op-sato", Role::Operator)).await;
        assert_eq!(code, StatusCode::OK, "{s}: {body}");
        assert_eq!(body["status"], s);
    }
    let (_, list) = call(
        &app,
        signed_in(request("GET", "/api/operators"), "sv-ito", Role::Supervisor),
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "テスト op-sato");
}

#[tokio::test]
async fn on_call_and_unknown_statuses_are_refused() {
    let (app, _, _) = app();
    let (code, body) = call(&app, signed_in(status("on_call"), "op-sato", Role::Operator)).await;
    assert_eq!(
        (code, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("system_status"))
    );
    let (code, body) = call(&app, signed_in(status("lunch"), "op-sato", Role::Operator)).await;
    assert_eq!(
        (code, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_status"))
    );
}

#[tokio::test]
async fn becoming_available_rings_the_longest_waiting_call_and_then_status_changes_are_refused() {
    let (app, services, twilio) = app();
    let sid = "CA44444444444444444444444444444444";
    // A caller who joined the queue just now (one silent for longer than Twilio's wait loop, or
    // past the longest wait, is gone and is not rung).
    let at = &chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut call_item = shared::store::Item::new();
    let key = shared::domain::calls::call_key(sid);
    call_item.insert("PK".into(), key.pk.into());
    call_item.insert("SK".into(), key.sk.into());
    call_item.insert("status".into(), "waiting".into());
    call_item.insert("customer".into(), "+81312345678".into());
    call_item.insert("queue_sk".into(), format!("{at}#{sid}").into());
    let mut ops = vec![TxOp::Put {
        item: call_item,
        cond: Some(Cond::NotExists),
    }];
    ops.extend(shared::domain::routing::Routing::enqueue_ops(at, sid));
    services.store.transact(ops).await.unwrap();
    let (code, body) = call(&app, signed_in(status("available"), "op-sato", Role::Operator)).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["current_call"], sid, "the waiting call rings at once");
    assert_eq!(twilio.requests().len(), 1);
    let (code, body) = call(&app, signed_in(status("break"), "op-sato", Role::Operator)).await;
    assert_eq!(
        (code, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("call_in_progress"))
    );
}

#[tokio::test]
async fn a_disabled_operator_may_not_change_their_status_and_is_not_rung() {
    let (app, services, twilio) = app();
    let sato = shared::ids::OperatorId::parse("op-sato").unwrap();
    let (code, _) = call(&app, signed_in(status("available"), "op-sato", Role::Operator)).await;
    assert_eq!(code, StatusCode::OK);
    services
        .operators
        .set_disabled(&sato, "佐藤 花子", Role::Operator, true)
        .await
        .unwrap();
    let sid = "CA55555555555555555555555555555555";
    let at = "2026-11-23T10:00:00.000Z";
    let key = shared::domain::calls::call_key(sid);
    let mut waiting = shared::store::Item::new();
    waiting.insert("PK".into(), key.pk.into());
    waiting.insert("SK".into(), key.sk.into());
    waiting.insert("sid".into(), sid.into());
    waiting.insert("status".into(), "waiting".into());
    waiting.insert("queue_sk".into(), format!("{at}#{sid}").into());
    let mut ops = vec![TxOp::Put {
        item: waiting,
        cond: Some(Cond::NotExists),
    }];
    ops.extend(shared::domain::routing::Routing::enqueue_ops(at, sid));
    services.store.transact(ops).await.unwrap();

    for s in ["available", "away", "offline"] {
        let (code, body) = call(&app, signed_in(status(s), "op-sato", Role::Operator)).await;
        assert_eq!(code, StatusCode::FORBIDDEN, "{s}: {body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains("disabled"),
            "{body}"
        );
    }
    let (_, me) = call(
        &app,
        signed_in(request("GET", "/api/operators/me"), "op-sato", Role::Operator),
    )
    .await;
    assert_eq!(
        (me["status"].as_str(), me["disabled"].as_bool()),
        (Some("offline"), Some(true))
    );
    assert!(twilio.requests().is_empty(), "the waiting call rang nobody");
}
