//! The voice router fed form bodies exactly as Twilio sends them, signed with the test auth
//! token; REST requests are recorded through the telephony port and checked against Twilio's
//! OpenAPI description.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use shared::auth::Role;
use shared::control::CallControl;
use shared::domain::Services;
use shared::domain::calls::call_key;
use shared::ids::OperatorId;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Query, Store};
use shared::testing::{Fault, FaultyStore};
use shared::twilio::AccountSid;
use shared::twilio::rest::PreparedRequest;
use shared::twilio::signature::{WebhookValidator, compute_signature};
use shared::twilio::spec::voice_subset;
use shared::twilio::telephony::{RecordingTelephony, TelephonyRequest};
use voice::VoiceState;

const TOKEN: &str = "test-auth-token-0123456789abcdef";
const BASE: &str = "https://voice.example.jp";
const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const CALL: &str = "CA11111111111111111111111111111111";

struct Harness {
    app: axum::Router,
    services: Services,
    twilio: Arc<RecordingTelephony>,
}

fn harness_on(store: Arc<dyn Store>) -> Harness {
    let services = Services::with_settings_ttl(store, Duration::from_secs(0));
    let twilio = Arc::new(RecordingTelephony::new(AccountSid::parse(ACCOUNT).unwrap()));
    let control = CallControl::new(services.clone(), twilio.clone(), BASE);
    let state = VoiceState {
        lookup_budget: Duration::from_millis(300),
        ..VoiceState::new(control, WebhookValidator::new(TOKEN.to_owned().into()))
    };
    Harness {
        app: voice::router(state),
        services,
        twilio,
    }
}

fn harness() -> Harness {
    harness_on(Arc::new(EmbeddedStore::in_memory().unwrap()))
}

fn form(params: &[(&str, &str)]) -> Vec<(String, String)> {
    params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn signed(path: &str, params: &[(String, String)], token: &str) -> Request<Body> {
    let sig = compute_signature(token, &format!("{BASE}{path}"), params);
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter())
        .finish();
    Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", sig)
        .body(Body::from(body))
        .unwrap()
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, String) {
    use tower::ServiceExt;
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The customer's fetch of the wait document, as Twilio sends it.
fn wait_params() -> Vec<(String, String)> {
    form(&[
        ("AccountSid", ACCOUNT),
        ("CallSid", CALL),
        ("From", "+81312345678"),
        ("To", "+81368000001"),
        ("CallStatus", "in-progress"),
        ("Direction", "inbound"),
        ("ApiVersion", "2010-04-01"),
    ])
}

/// The customer's join of their conference, as Twilio's conference status callback sends it.
fn customer_join() -> Vec<(String, String)> {
    form(&[
        ("AccountSid", ACCOUNT),
        ("ConferenceSid", "CF0123456789abcdef0123456789abcdef"),
        ("FriendlyName", CALL),
        ("SequenceNumber", "1"),
        ("Timestamp", "Mon, 23 Nov 2026 10:00:01 +0000"),
        ("StatusCallbackEvent", "participant-join"),
        ("CallSid", CALL),
        ("ParticipantLabel", "customer"),
        ("Hold", "false"),
        ("Muted", "false"),
    ])
}

fn incoming_params(from: &str) -> Vec<(String, String)> {
    form(&[
        ("AccountSid", ACCOUNT),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", CALL),
        ("CallStatus", "ringing"),
        ("Called", "+81368000001"),
        ("Caller", from),
        ("Direction", "inbound"),
        ("From", from),
        ("To", "+81368000001"),
    ])
}

async fn seed_customer_and_operator(h: &Harness) {
    let account = shared::ids::ObjectName::parse("account").unwrap();
    let by = OperatorId::parse("admin").unwrap();
    let fields = json!({"name": "山田商事株式会社", "phone": "03-1234-5678"})
        .as_object()
        .unwrap()
        .clone();
    h.services
        .crm
        .create(
            &account,
            shared::domain::crm::NewRecord {
                fields,
                account_id: None,
                contact_id: None,
                call_sid: None,
            },
            &by,
        )
        .await
        .unwrap();
    let op = OperatorId::parse("op-sato").unwrap();
    h.services
        .operators
        .ensure(&op, "佐藤 花子", Role::Operator)
        .await
        .unwrap();
    h.services.operators.set_status(&op, "available").await.unwrap();
}

fn check_against_spec(req: &TelephonyRequest) {
    let account = AccountSid::parse(ACCOUNT).unwrap();
    let prepared = match req {
        TelephonyRequest::CreateParticipant { conference, request } => {
            PreparedRequest::create_participant(&account, conference, request)
        }
        TelephonyRequest::CreateCall(request) => PreparedRequest::create_call(&account, request),
        TelephonyRequest::UpdateCall { call, request } => PreparedRequest::update_call(&account, call, request),
        other => panic!("unexpected request {other:?}"),
    };
    if let Err(v) = voice_subset().validate(prepared.method.as_str(), &prepared.path, &prepared.params) {
        panic!("request does not conform to Twilio's spec: {v:?}");
    }
}

#[tokio::test]
async fn an_incoming_call_is_recorded_queued_and_parked_in_its_conference_with_no_rest_request() {
    let h = harness();
    seed_customer_and_operator(&h).await;
    let (status, body) = send(
        &h.app,
        signed("/twilio/voice/incoming", &incoming_params("+81312345678"), TOKEN),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    shared::twilio::twiml::rules::validate_twiml(&body).expect("Twilio would accept the document");
    assert!(body.contains(&format!(">{CALL}</Conference>")), "{body}");
    assert!(
        body.contains("participantLabel=\"customer\"") && body.contains("endConferenceOnExit=\"true\""),
        "{body}"
    );
    assert!(body.contains("language=\"ja-JP\""));
    assert!(
        h.twilio.requests().is_empty(),
        "the incoming path makes no REST request"
    );
    let call = h.services.store.get(&call_key(CALL)).await.unwrap().unwrap();
    assert_eq!(call["status"], "waiting");
    assert_eq!(call["customer"], "+81312345678");
    assert!(call["account_id"].is_string(), "the caller was matched to the account");
    let queue = h.services.store.query(Query::partition("QUEUE")).await.unwrap();
    assert_eq!(queue.items.len(), 1);
}

#[tokio::test]
async fn forged_tampered_misaddressed_and_unsigned_webhooks_get_403_without_touching_the_store() {
    let h = harness();
    let params = incoming_params("+81312345678");
    let forged = signed("/twilio/voice/incoming", &params, "another-token");
    let mut tampered_params = params.clone();
    tampered_params[5].1 = "+81399999999".into();
    let mut tampered = signed("/twilio/voice/incoming", &params, TOKEN);
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(tampered_params.iter())
        .finish();
    *tampered.body_mut() = Body::from(body);
    let mut elsewhere = signed("/twilio/voice/status", &params, TOKEN);
    *elsewhere.uri_mut() = "/twilio/voice/incoming".parse().unwrap();
    let mut unsigned = signed("/twilio/voice/incoming", &params, TOKEN);
    unsigned.headers_mut().remove("x-twilio-signature");
    for req in [forged, tampered, elsewhere, unsigned] {
        let (status, _) = send(&h.app, req).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert!(
        h.services.store.get(&call_key(CALL)).await.unwrap().is_none(),
        "nothing was written"
    );
}

#[tokio::test]
async fn the_customers_wait_rings_the_longest_idle_operator_who_answers_and_then_wraps_up() {
    let h = harness();
    seed_customer_and_operator(&h).await;
    send(
        &h.app,
        signed("/twilio/voice/incoming", &incoming_params("+81312345678"), TOKEN),
    )
    .await;
    // The wait document is fetched as the customer joins their conference: the join's callback
    // routes, the document's fetch at the same moment does not as well.
    let wait = wait_params();
    let (status, body) = send(&h.app, signed("/twilio/voice/wait", &wait, TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    shared::twilio::twiml::rules::validate_twiml_in(&body, shared::twilio::twiml::rules::TwimlContext::WaitUrl)
        .expect("a valid wait document");
    assert!(
        h.twilio.requests().is_empty(),
        "the first wait document leaves routing to the join"
    );
    let (status, body) = send(&h.app, signed("/twilio/voice/conference", &customer_join(), TOKEN)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let requests = h.twilio.requests();
    assert_eq!(requests.len(), 1, "one ring");
    check_against_spec(&requests[0]);
    let TelephonyRequest::CreateParticipant { request, .. } = &requests[0] else {
        panic!()
    };
    assert_eq!(request.label.as_deref(), Some("operator"));
    let op = h
        .services
        .operators
        .get(&OperatorId::parse("op-sato").unwrap())
        .await
        .unwrap();
    assert_eq!(op.current_call.as_deref(), Some(CALL));
    let offer = op.offer_id.clone().unwrap();

    let leg = form(&[
        ("AccountSid", ACCOUNT),
        ("CallSid", "CA22222222222222222222222222222222"),
        ("CallStatus", "in-progress"),
        ("From", "+81312345678"),
        ("To", "client:op_sato"),
        ("ApiVersion", "2010-04-01"),
        ("SequenceNumber", "1"),
        ("Timestamp", "Mon, 23 Nov 2026 10:00:05 +0000"),
    ]);
    let path = format!("/twilio/voice/operator-leg/{CALL}/{offer}/op-sato");
    let (status, body) = send(&h.app, signed(&path, &leg, TOKEN)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let op = h
        .services
        .operators
        .get(&OperatorId::parse("op-sato").unwrap())
        .await
        .unwrap();
    assert_eq!(op.status, "on_call");
    let call = h.services.store.get(&call_key(CALL)).await.unwrap().unwrap();
    assert_eq!(
        (call["status"].as_str(), call["operator_id"].as_str()),
        (Some("in_progress"), Some("op-sato"))
    );

    let done = form(&[
        ("AccountSid", ACCOUNT),
        ("CallSid", CALL),
        ("CallStatus", "completed"),
        ("CallDuration", "95"),
        ("From", "+81312345678"),
        ("To", "+81368000001"),
        ("ApiVersion", "2010-04-01"),
        ("SequenceNumber", "3"),
        ("Timestamp", "Mon, 23 Nov 2026 10:01:40 +0000"),
    ]);
    let (status, _) = send(&h.app, signed("/twilio/voice/status", &done, TOKEN)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let call = h.services.store.get(&call_key(CALL)).await.unwrap().unwrap();
    assert_eq!(
        (call["status"].as_str(), call["duration_seconds"].as_u64()),
        (Some("completed"), Some(95))
    );
    let op = h
        .services
        .operators
        .get(&OperatorId::parse("op-sato").unwrap())
        .await
        .unwrap();
    assert_eq!(op.current_call, None);
    assert!(op.status == "wrap_up" || op.status == "available", "{}", op.status);
    assert!(
        h.services
            .store
            .query(Query::partition("QUEUE"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

#[tokio::test]
async fn a_ring_that_goes_unanswered_sets_the_operator_away_and_the_call_waits_for_the_next() {
    let h = harness();
    seed_customer_and_operator(&h).await;
    let second = OperatorId::parse("op-suzuki").unwrap();
    h.services
        .operators
        .ensure(&second, "鈴木 一郎", Role::Operator)
        .await
        .unwrap();
    send(
        &h.app,
        signed("/twilio/voice/incoming", &incoming_params("+81312345678"), TOKEN),
    )
    .await;
    send(&h.app, signed("/twilio/voice/conference", &customer_join(), TOKEN)).await;
    let op = h
        .services
        .operators
        .get(&OperatorId::parse("op-sato").unwrap())
        .await
        .unwrap();
    let offer = op.offer_id.unwrap();
    h.services.operators.set_status(&second, "available").await.unwrap();
    let leg = form(&[
        ("AccountSid", ACCOUNT),
        ("CallSid", "CA22222222222222222222222222222222"),
        ("CallStatus", "no-answer"),
        ("ApiVersion", "2010-04-01"),
    ]);
    let (status, _) = send(
        &h.app,
        signed(
            &format!("/twilio/voice/operator-leg/{CALL}/{offer}/op-sato"),
            &leg,
            TOKEN,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let sato = h
        .services
        .operators
        .get(&OperatorId::parse("op-sato").unwrap())
        .await
        .unwrap();
    assert_eq!((sato.status.as_str(), sato.current_call.as_deref()), ("away", None));
    let suzuki = h.services.operators.get(&second).await.unwrap();
    assert_eq!(
        suzuki.current_call.as_deref(),
        Some(CALL),
        "the call moved on to the next free operator"
    );
    assert_eq!(h.twilio.requests().len(), 2);
}

#[tokio::test]
async fn with_the_store_down_or_slow_the_caller_is_still_parked_within_three_seconds() {
    for fault in [Fault::Down, Fault::Slow(Duration::from_secs(5))] {
        let store = Arc::new(FaultyStore {
            inner: Arc::new(EmbeddedStore::in_memory().unwrap()),
            fault,
        });
        let h = harness_on(store);
        let started = std::time::Instant::now();
        let (status, body) = send(
            &h.app,
            signed("/twilio/voice/incoming", &incoming_params("+81312345678"), TOKEN),
        )
        .await;
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "answered in {:?}",
            started.elapsed()
        );
        assert_eq!(status, StatusCode::OK);
        shared::twilio::twiml::rules::validate_twiml(&body).unwrap();
        assert!(
            body.contains(&format!(">{CALL}</Conference>")),
            "degraded, but the caller is in line: {body}"
        );
    }
}

#[tokio::test]
async fn malformed_webhooks_get_400_and_a_withheld_number_is_still_parked() {
    let h = harness();
    let bad = form(&[
        ("AccountSid", ACCOUNT),
        ("CallSid", "not-a-sid"),
        ("From", "+81312345678"),
    ]);
    let (status, _) = send(&h.app, signed("/twilio/voice/incoming", &bad, TOKEN)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = send(
        &h.app,
        signed("/twilio/voice/incoming", &incoming_params("anonymous"), TOKEN),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("</Conference>"));
    let call = h.services.store.get(&call_key(CALL)).await.unwrap().unwrap();
    assert!(call.get("customer").is_none());
}

#[tokio::test]
async fn outbound_calls_check_the_line_and_the_status_then_call_the_customer_into_a_conference() {
    let h = harness();
    seed_customer_and_operator(&h).await;
    h.services
        .settings
        .put_section(
            "lines",
            0,
            json!([{"id": "main", "number": "03-6800-0001", "label": "代表"}]),
        )
        .await
        .unwrap();
    let dial = |to: &str, line: &str| {
        form(&[
            ("AccountSid", ACCOUNT),
            ("ApplicationSid", "AP0123456789abcdef0123456789abcdef"),
            ("ApiVersion", "2010-04-01"),
            ("CallSid", "CA33333333333333333333333333333333"),
            ("CallStatus", "ringing"),
            ("Direction", "inbound"),
            ("From", "client:op_sato"),
            ("Caller", "client:op_sato"),
            ("To", to),
            ("LineId", line),
        ])
    };
    let (_, body) = send(
        &h.app,
        signed("/twilio/voice/outbound", &dial("0312345678", "main"), TOKEN),
    )
    .await;
    assert!(
        body.contains("受付可の状態では発信できません"),
        "refused while available: {body}"
    );
    h.services
        .operators
        .set_status(&OperatorId::parse("op-sato").unwrap(), "away")
        .await
        .unwrap();
    let (_, body) = send(
        &h.app,
        signed("/twilio/voice/outbound", &dial("0312345678", "nope"), TOKEN),
    )
    .await;
    assert!(body.contains("発信回線"), "{body}");
    let (_, body) = send(&h.app, signed("/twilio/voice/outbound", &dial("12", "main"), TOKEN)).await;
    assert!(body.contains("電話番号が正しくありません"), "{body}");
    assert!(h.twilio.requests().is_empty());
    let (status, body) = send(
        &h.app,
        signed("/twilio/voice/outbound", &dial("03-1234-5678", "main"), TOKEN),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    shared::twilio::twiml::rules::validate_twiml(&body).unwrap();
    let requests = h.twilio.requests();
    assert_eq!(requests.len(), 1);
    check_against_spec(&requests[0]);
    let TelephonyRequest::CreateCall(req) = &requests[0] else {
        panic!()
    };
    assert_eq!(
        (req.to.as_str(), req.from.as_str()),
        ("+81312345678", "+81368000001"),
        "the configured line is the caller ID"
    );
    assert_eq!(req.send_digits, None, "no extension, no keys pressed");
    let op = h
        .services
        .operators
        .get(&OperatorId::parse("op-sato").unwrap())
        .await
        .unwrap();
    assert_eq!(op.status, "on_call");
    let sid = op.current_call.unwrap();
    assert!(
        body.contains(&format!(">{sid}</Conference>")),
        "the operator joins the conference named after the customer's call"
    );
}

#[tokio::test]
async fn a_number_written_with_an_extension_is_dialled_and_the_extension_pressed_once_it_answers() {
    // Given an operator, away, and a customer behind a switchboard.
    let h = harness();
    seed_customer_and_operator(&h).await;
    h.services
        .settings
        .put_section(
            "lines",
            0,
            json!([{"id": "main", "number": "03-6800-0001", "label": "代表"}]),
        )
        .await
        .unwrap();
    let sato = OperatorId::parse("op-sato").unwrap();
    h.services.operators.set_status(&sato, "away").await.unwrap();
    // When the operator dials the number as the record writes it, extension and all.
    let leg = form(&[
        ("AccountSid", ACCOUNT),
        ("ApplicationSid", "AP0123456789abcdef0123456789abcdef"),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", "CA55555555555555555555555555555555"),
        ("CallStatus", "ringing"),
        ("Direction", "inbound"),
        ("From", "client:op_sato"),
        ("Caller", "client:op_sato"),
        ("To", "+81312345678;ext=123"),
        ("LineId", "main"),
    ]);
    let (status, body) = send(&h.app, signed("/twilio/voice/outbound", &leg, TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Then the line is called and the extension pressed after a second's wait.
    let requests = h.twilio.requests();
    assert_eq!(requests.len(), 1);
    check_against_spec(&requests[0]);
    let TelephonyRequest::CreateCall(req) = &requests[0] else {
        panic!("{requests:?}")
    };
    assert_eq!(req.to, "+81312345678", "the line alone is dialled");
    assert_eq!(req.send_digits.as_deref(), Some("ww123"));
    let prepared = requests[0].prepared(&shared::twilio::AccountSid::parse(ACCOUNT).unwrap());
    assert!(
        prepared.params.iter().any(|(k, v)| k == "SendDigits" && v == "ww123"),
        "{:?}",
        prepared.params
    );
    // And the call is recorded under the line, where the customer's records are found.
    let sid = h.services.operators.get(&sato).await.unwrap().current_call.unwrap();
    let call = h.services.store.get(&call_key(&sid)).await.unwrap().unwrap();
    assert_eq!(
        call.get("customer").and_then(|v| v.as_str()),
        Some("+81312345678"),
        "{call:?}"
    );
}

#[tokio::test]
async fn a_replayed_outbound_request_places_no_second_call() {
    // Given an operator, away, whose outbound leg has placed its customer's call.
    let h = harness();
    seed_customer_and_operator(&h).await;
    h.services
        .settings
        .put_section(
            "lines",
            0,
            json!([{"id": "main", "number": "03-6800-0001", "label": "代表"}]),
        )
        .await
        .unwrap();
    let sato = OperatorId::parse("op-sato").unwrap();
    h.services.operators.set_status(&sato, "away").await.unwrap();
    let leg = form(&[
        ("AccountSid", ACCOUNT),
        ("ApplicationSid", "AP0123456789abcdef0123456789abcdef"),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", "CA44444444444444444444444444444444"),
        ("CallStatus", "ringing"),
        ("Direction", "inbound"),
        ("From", "client:op_sato"),
        ("Caller", "client:op_sato"),
        ("To", "03-1234-5678"),
        ("LineId", "main"),
    ]);
    let (_, first) = send(&h.app, signed("/twilio/voice/outbound", &leg, TOKEN)).await;
    let sid = h.services.operators.get(&sato).await.unwrap().current_call.unwrap();
    assert_eq!(h.twilio.take_requests().len(), 1, "the customer is called once");

    // When Twilio retries the same request while the call is live.
    let (status, retried) = send(&h.app, signed("/twilio/voice/outbound", &leg, TOKEN)).await;

    // Then the same conference is answered and no call is placed.
    assert_eq!(status, StatusCode::OK);
    assert!(retried.contains(&format!(">{sid}</Conference>")), "{retried}");
    assert_eq!(first, retried);
    assert!(h.twilio.take_requests().is_empty(), "a retry places no second call");

    // And when the signed request is replayed after the call ended and the operator is free.
    h.services
        .store
        .update(
            &call_key(&sid),
            shared::store::Update::default().set("ended_at", "2026-12-01T00:00:00Z"),
            None,
        )
        .await
        .unwrap();
    h.services
        .store
        .update(
            &shared::domain::operators::operator_key("op-sato"),
            shared::store::Update::default()
                .remove("current_call")
                .set("status", "away"),
            None,
        )
        .await
        .unwrap();
    let (status, replayed) = send(&h.app, signed("/twilio/voice/outbound", &leg, TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(replayed.contains("すでに終了"), "{replayed}");
    assert!(!replayed.contains("<Conference"), "{replayed}");
    assert!(h.twilio.take_requests().is_empty(), "a replay places no call");
}

/// A caller's first fetches of the wait document (their first half-minute in line) do not note
/// the wait on their place: their arrival is as recent a sign, and each note is a write billed.
#[tokio::test]
async fn a_callers_first_wait_writes_nothing_to_their_place_in_line() {
    let h = harness();
    seed_customer_and_operator(&h).await;
    h.services
        .operators
        .set_status(&OperatorId::parse("op-sato").unwrap(), "away")
        .await
        .unwrap();
    send(
        &h.app,
        signed("/twilio/voice/incoming", &incoming_params("+81312345678"), TOKEN),
    )
    .await;
    let wait = wait_params();
    for _ in 0..2 {
        let (status, _) = send(&h.app, signed("/twilio/voice/wait", &wait, TOKEN)).await;
        assert_eq!(status, StatusCode::OK);
    }
    let call = h.services.store.get(&call_key(CALL)).await.unwrap().unwrap();
    let place = call["queue_sk"].as_str().expect("the caller waits in line");
    let entry = h
        .services
        .store
        .get(&shared::domain::routing::queue_entry_key(place))
        .await
        .unwrap()
        .unwrap();
    assert!(!entry.contains_key("waited_at"), "{entry:?}");
}
