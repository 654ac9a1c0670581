//! The calls router with the telephony port recording requests: hold → consult → consult
//! hang-up → still held → unhold, and the refusals that keep a call consistent.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;
use shared::auth::Role;
use shared::control::CallControl;
use shared::domain::Services;
use shared::domain::calls::call_key;
use shared::domain::calls::{ParticipantLabel, ParticipantState};
use shared::domain::callstate::ParticipantEvent;
use shared::store::Item;
use shared::store::embedded::EmbeddedStore;
use shared::testing::{call, json_request, request, signed_in};
use shared::twilio::AccountSid;
use shared::twilio::rest::{ParticipantRef, ParticipantTo};
use shared::twilio::telephony::{RecordingTelephony, TelephonyRequest};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const CALL: &str = "CA66666666666666666666666666666666";
const CONF: &str = "CF66666666666666666666666666666666";

async fn app() -> (axum::Router, Services, Arc<RecordingTelephony>) {
    let services = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    services
        .settings
        .put_section(
            "lines",
            0,
            json!([{"id": "main", "number": "03-6800-0001", "label": "代表"}]),
        )
        .await
        .unwrap();
    let mut item = Item::new();
    let key = call_key(CALL);
    item.insert("PK".into(), key.pk.into());
    item.insert("SK".into(), key.sk.into());
    item.insert("sid".into(), CALL.into());
    item.insert("status".into(), "in_progress".into());
    item.insert("operator_id".into(), "op-sato".into());
    item.insert("conference_sid".into(), CONF.into());
    services.store.put(item, None).await.unwrap();
    let twilio = Arc::new(RecordingTelephony::new(AccountSid::parse(ACCOUNT).unwrap()));
    let d = CallControl::new(services.clone(), twilio.clone(), "https://voice.example.jp");
    (calls::router(d), services, twilio)
}

/// What Twilio's conference callback reports after a hold or unhold.
async fn customer_hold_reported(s: &Services, seq: u64, hold: bool) {
    let ev = ParticipantEvent {
        sequence: seq,
        label: ParticipantLabel::Customer,
        call_sid: "CA77777777777777777777777777777777".into(),
        state: ParticipantState::Joined,
        hold,
        muted: false,
        at: format!("2026-11-23T10:00:{seq:02}Z"),
    };
    s.call_state.apply_participant(CALL, &ev).await.unwrap();
}

fn op(r: axum::http::Request<axum::body::Body>) -> axum::http::Request<axum::body::Body> {
    signed_in(r, "op-sato", Role::Operator)
}

#[tokio::test]
async fn hold_consult_hang_up_the_consult_and_the_customer_is_still_held_until_unhold() {
    let (app, services, twilio) = app().await;
    let (status, body) = call(&app, op(request("POST", &format!("/api/calls/{CALL}/hold")))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let held = twilio.take_requests();
    shared::testing::spec_checked(ACCOUNT, &held);
    match &held[..] {
        [
            TelephonyRequest::UpdateParticipant {
                participant: ParticipantRef::Label(a),
                request: keep,
                ..
            },
            TelephonyRequest::UpdateParticipant {
                participant: ParticipantRef::Label(b),
                request: hold,
                ..
            },
        ] => {
            assert_eq!(
                (a.as_str(), keep.end_conference_on_exit),
                ("operator", Some(false)),
                "exit flag set before holding"
            );
            assert_eq!((b.as_str(), hold.hold), ("customer", Some(true)));
        }
        other => panic!("{other:?}"),
    }
    customer_hold_reported(&services, 3, true).await;

    let consult = json!({"to": "090-1234-5678", "line_id": "main"});
    let (status, body) = call(
        &app,
        op(json_request("POST", &format!("/api/calls/{CALL}/consult"), &consult)),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let dialled = twilio.take_requests();
    shared::testing::spec_checked(ACCOUNT, &dialled);
    let TelephonyRequest::CreateParticipant { request: leg, .. } = &dialled[0] else {
        panic!()
    };
    assert_eq!(leg.label.as_deref(), Some("consult"));
    assert_eq!(leg.early_media, Some(true), "the operator hears it ring");
    assert_eq!(leg.from, "+81368000001", "on the chosen line");
    assert!(matches!(&leg.to, ParticipantTo::Number(n) if n == "+819012345678"));

    let (status, _) = call(&app, op(request("DELETE", &format!("/api/calls/{CALL}/consult")))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let ended = twilio.take_requests();
    shared::testing::spec_checked(ACCOUNT, &ended);
    assert_eq!(
        ended.len(),
        1,
        "only the consult leg is removed; the customer is not touched"
    );
    let (_, live) = call(&app, op(request("GET", &format!("/api/calls/{CALL}")))).await;
    assert_eq!(live["customer_held"], true, "back to the held main line");

    let (status, _) = call(&app, op(request("POST", &format!("/api/calls/{CALL}/unhold")))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let unheld = twilio.take_requests();
    shared::testing::spec_checked(ACCOUNT, &unheld);
    assert!(
        matches!(&unheld[..], [TelephonyRequest::UpdateParticipant { request, .. }] if request.hold == Some(false))
    );
}

#[tokio::test]
async fn a_consult_without_hold_an_unknown_line_and_a_bad_number_are_refused() {
    let (app, _, twilio) = app().await;
    let cases = [
        (
            json!({"to": "090-1234-5678", "line_id": "main"}),
            StatusCode::CONFLICT,
            "not_on_hold",
        ),
        (
            json!({"to": "090-1234-5678", "line_id": "nope"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_line",
        ),
        (
            json!({"to": "12", "line_id": "main"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_phone",
        ),
    ];
    for (body, expected, code) in cases {
        let (status, got) = call(
            &app,
            op(json_request("POST", &format!("/api/calls/{CALL}/consult"), &body)),
        )
        .await;
        assert_eq!((status, got["error"]["code"].as_str()), (expected, Some(code)));
    }
    assert!(twilio.requests().is_empty(), "nothing reached Twilio");
}

#[tokio::test]
async fn someone_elses_call_is_403_an_ended_call_is_409_and_a_supervisor_may_act() {
    let (app, services, twilio) = app().await;
    let (status, _) = call(
        &app,
        signed_in(
            request("POST", &format!("/api/calls/{CALL}/hold")),
            "op-suzuki",
            Role::Operator,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        signed_in(
            request("POST", &format!("/api/calls/{CALL}/hangup")),
            "sv-ito",
            Role::Supervisor,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(matches!(&twilio.take_requests()[..], [TelephonyRequest::UpdateConference { request, .. }] if request.end));
    services
        .store
        .update(
            &call_key(CALL),
            shared::store::Update::default().set("ended_at", "2026-11-23T10:10:00Z"),
            None,
        )
        .await
        .unwrap();
    let (status, body) = call(&app, op(request("POST", &format!("/api/calls/{CALL}/hold")))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("call_ended"))
    );
    assert!(twilio.requests().is_empty());
    let (status, _) = call(&app, op(request("POST", "/api/calls/not-a-call/hold"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_operator_whose_tab_crashed_rejoins_the_live_call_with_one_request() {
    let (app, services, twilio) = app().await;
    let joined = |seq, state| ParticipantEvent {
        sequence: seq,
        label: ParticipantLabel::Operator,
        call_sid: "CA88888888888888888888888888888888".into(),
        state,
        hold: false,
        muted: false,
        at: format!("2026-11-23T10:00:{seq:02}Z"),
    };
    services
        .call_state
        .apply_participant(CALL, &joined(1, ParticipantState::Joined))
        .await
        .unwrap();
    let (status, body) = call(&app, op(request("POST", &format!("/api/calls/{CALL}/rejoin")))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_connected"))
    );
    services
        .call_state
        .apply_participant(CALL, &joined(2, ParticipantState::Left))
        .await
        .unwrap();
    let (status, _) = call(&app, op(request("POST", &format!("/api/calls/{CALL}/rejoin")))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let requests = twilio.take_requests();
    shared::testing::spec_checked(ACCOUNT, &requests);
    let [TelephonyRequest::CreateParticipant { request: leg, .. }] = &requests[..] else {
        panic!("{requests:?}")
    };
    assert!(
        matches!(&leg.to, ParticipantTo::Client { identity, params } if identity.as_str() == "op_sato" && params.iter().any(|(k, v)| k == "callSid" && v == CALL))
    );
    let (status, _) = call(
        &app,
        signed_in(
            request("POST", &format!("/api/calls/{CALL}/rejoin")),
            "sv-ito",
            Role::Supervisor,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a supervisor listens in instead");
}

#[tokio::test]
async fn someone_elses_call_is_refused_before_it_is_checked_on() {
    // Given a customer held with nobody (the check on the call would note it in the store).
    let (app, services, twilio) = app().await;
    customer_hold_reported(&services, 1, true).await;
    let before = services.store.get(&call_key(CALL)).await.unwrap().unwrap();
    assert!(before.get("orphaned_since").is_none());

    // When another operator asks for the call.
    let (status, _) = call(
        &app,
        signed_in(
            request("GET", &format!("/api/calls/{CALL}")),
            "op-suzuki",
            Role::Operator,
        ),
    )
    .await;
    let (hold, _) = call(
        &app,
        signed_in(
            request("POST", &format!("/api/calls/{CALL}/hold")),
            "op-suzuki",
            Role::Operator,
        ),
    )
    .await;

    // Then both are refused and nothing was written or sent on their behalf.
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(hold, StatusCode::FORBIDDEN);
    let after = services.store.get(&call_key(CALL)).await.unwrap().unwrap();
    assert_eq!(after, before, "the refused requests changed the call record");
    assert!(twilio.take_requests().is_empty());

    // And the call's own operator's read does check on it.
    let (status, _) = call(&app, op(request("GET", &format!("/api/calls/{CALL}")))).await;
    assert_eq!(status, StatusCode::OK);
    let checked = services.store.get(&call_key(CALL)).await.unwrap().unwrap();
    assert!(checked.get("orphaned_since").is_some(), "{checked:?}");
}

#[tokio::test]
async fn the_recording_link_of_a_live_call_is_for_supervisors_only() {
    let (app, services, _) = app().await;
    services
        .store
        .update(
            &call_key(CALL),
            shared::store::Update::default().set(
                "recording_url",
                "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE1",
            ),
            None,
        )
        .await
        .unwrap();
    let (status, own) = call(&app, op(request("GET", &format!("/api/calls/{CALL}")))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(own["call"].get("recording_url").is_none(), "{own}");
    let (_, current) = call(&app, op(request("GET", "/api/calls/current"))).await;
    assert!(!current.to_string().contains("Recordings"), "{current}");
    let (status, seen) = call(
        &app,
        signed_in(
            request("GET", &format!("/api/calls/{CALL}")),
            "sv-ito",
            Role::Supervisor,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(seen["call"]["recording_url"].as_str().is_some(), "{seen}");
}
