//! The voice function as deployed: Twilio calls it at its own Lambda function URL, the stack
//! naming only the region's function URL domain (`PUBLIC_BASE_URL=https://lambda-url.<region>.on.aws`).
//! Requests are Lambda function URL events (payload 2.0) read by `lambda_http` as the runtime
//! reads them, so the signature is checked over the URL Twilio called and every URL handed back
//! to Twilio is under the same function URL.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use base64::Engine;
use serde_json::{Value, json};
use shared::auth::Role;
use shared::control::CallControl;
use shared::domain::Services;
use shared::domain::calls::call_key;
use shared::ids::OperatorId;
use shared::store::counting::CountingStore;
use shared::store::embedded::EmbeddedStore;
use shared::twilio::AccountSid;
use shared::twilio::signature::{WebhookValidator, compute_signature};
use shared::twilio::telephony::{RecordingTelephony, TelephonyRequest};
use voice::VoiceState;

const TOKEN: &str = "test-auth-token-0123456789abcdef";
const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const CALL: &str = "CA11111111111111111111111111111111";
/// What the stack gives the function: the region's function URL domain.
const REGION_FUNCTION_URLS: &str = "https://lambda-url.ap-northeast-1.on.aws";
/// The function's own URL, as Lambda made it.
const DOMAIN: &str = "q3xk7v2mdl5wq4gxsiy6nn7hbu0ojzcf.lambda-url.ap-northeast-1.on.aws";
const OWN_URL: &str = "https://q3xk7v2mdl5wq4gxsiy6nn7hbu0ojzcf.lambda-url.ap-northeast-1.on.aws";

struct Harness {
    app: axum::Router,
    services: Services,
    store: Arc<CountingStore>,
    twilio: Arc<RecordingTelephony>,
}

fn harness() -> Harness {
    let store = Arc::new(CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap())));
    let services = Services::with_settings_ttl(store.clone(), Duration::from_secs(0));
    let twilio = Arc::new(RecordingTelephony::new(AccountSid::parse(ACCOUNT).unwrap()));
    let control = CallControl::new(services.clone(), twilio.clone(), REGION_FUNCTION_URLS);
    let state = VoiceState {
        lookup_budget: Duration::from_millis(300),
        ..VoiceState::new(control, WebhookValidator::new(TOKEN.to_owned().into()))
    };
    Harness {
        app: voice::router(state),
        services,
        store,
        twilio,
    }
}

fn form(params: &[(&str, &str)]) -> Vec<(String, String)> {
    params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A function URL event for a POST of `params` to `path` at `domain`, signed (when `signed_url`
/// is given) over that URL with the test token, the body base64-encoded as function URLs send
/// a form.
fn event(domain: &str, path: &str, params: &[(String, String)], signed_url: Option<&str>) -> Value {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter())
        .finish();
    let url_id = domain.split('.').next().unwrap();
    let mut headers = json!({
        "host": domain,
        "content-type": "application/x-www-form-urlencoded",
        "user-agent": "TwilioProxy/1.1",
        "x-forwarded-proto": "https",
        "x-forwarded-port": "443",
        "x-forwarded-for": "54.172.60.1",
        "i-twilio-idempotency-token": "6c6c1f4e-1b7b-4d59-9d2f-0c2a6c7a7a10",
    });
    if let Some(url) = signed_url {
        headers["x-twilio-signature"] = compute_signature(TOKEN, url, params).into();
    }
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": url_id,
            "domainName": domain,
            "domainPrefix": url_id,
            "http": {
                "method": "POST",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "54.172.60.1",
                "userAgent": "TwilioProxy/1.1"
            },
            "requestId": "b7a1c0de-0000-4000-8000-000000000001",
            "routeKey": "$default",
            "stage": "$default",
            "time": "03/Dec/2026:01:00:00 +0000",
            "timeEpoch": 1796259600000_i64
        },
        "body": base64::engine::general_purpose::STANDARD.encode(body),
        "isBase64Encoded": true
    })
}

/// What the Lambda runtime hands the router for `event`.
fn request(event: &Value) -> axum::extract::Request {
    lambda_http::request::from_str(&event.to_string())
        .expect("lambda_http reads a function URL event")
        .map(|body| axum::body::Body::from(body.to_vec()))
}

async fn send(app: &axum::Router, req: axum::extract::Request) -> (StatusCode, String) {
    use tower::ServiceExt;
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn incoming_params() -> Vec<(String, String)> {
    form(&[
        ("AccountSid", ACCOUNT),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", CALL),
        ("CallStatus", "ringing"),
        ("Direction", "inbound"),
        ("From", "+81312345678"),
        ("To", "+81368000001"),
    ])
}

fn incoming_at(domain: &str, signed_url: Option<&str>) -> axum::extract::Request {
    request(&event(domain, "/twilio/voice/incoming", &incoming_params(), signed_url))
}

#[tokio::test]
async fn a_call_signed_for_the_function_url_is_parked_with_every_callback_under_that_url() {
    let h = harness();
    let signed_for = format!("{OWN_URL}/twilio/voice/incoming");
    let (status, body) = send(&h.app, incoming_at(DOMAIN, Some(&signed_for))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    shared::twilio::twiml::rules::validate_twiml(&body).expect("Twilio would accept the document");
    assert!(
        body.contains(&format!("waitUrl=\"{OWN_URL}/twilio/voice/wait\"")),
        "the wait document is fetched from the function URL: {body}"
    );
    assert!(
        body.contains(&format!("statusCallback=\"{OWN_URL}/twilio/voice/conference#rc=3")),
        "the conference reports to the function URL, retried: {body}"
    );
    assert!(
        !body.contains("https://lambda-url."),
        "the region's domain itself is never handed to Twilio: {body}"
    );
    let call = h.services.store.get(&call_key(CALL)).await.unwrap().unwrap();
    assert_eq!(call["status"], "waiting", "the caller is queued");
}

#[tokio::test]
async fn the_operator_rung_on_the_customers_join_reports_to_the_same_function_url() {
    let h = harness();
    let op = OperatorId::parse("op-sato").unwrap();
    h.services
        .operators
        .ensure(&op, "佐藤 花子", Role::Operator)
        .await
        .unwrap();
    h.services.operators.set_status(&op, "available").await.unwrap();
    let signed_for = format!("{OWN_URL}/twilio/voice/incoming");
    assert_eq!(
        send(&h.app, incoming_at(DOMAIN, Some(&signed_for))).await.0,
        StatusCode::OK
    );

    // The customer's join routes (their wait document, fetched at the same moment, leaves it).
    let join = form(&[
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
    ]);
    let conference_url = format!("{OWN_URL}/twilio/voice/conference");
    let (status, body) = send(
        &h.app,
        request(&event(DOMAIN, "/twilio/voice/conference", &join, Some(&conference_url))),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let requests = h.twilio.requests();
    let [TelephonyRequest::CreateParticipant { request, .. }] = requests.as_slice() else {
        panic!("one ring: {requests:?}")
    };
    let leg = request.status_callback.as_deref().unwrap_or_default();
    assert!(
        leg.starts_with(&format!("{OWN_URL}/twilio/voice/operator-leg/{CALL}/")),
        "the operator's leg reports to the function URL: {leg}"
    );
}

#[tokio::test]
async fn a_webhook_unsigned_or_signed_for_another_url_is_refused_before_the_store_is_touched() {
    let h = harness();
    let page = "https://console.example.co.jp/twilio/voice/incoming";
    let another_function =
        "https://zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.lambda-url.ap-northeast-1.on.aws/twilio/voice/incoming";
    for (what, req) in [
        ("unsigned", incoming_at(DOMAIN, None)),
        ("signed for the page's origin", incoming_at(DOMAIN, Some(page))),
        (
            "signed for another function URL",
            incoming_at(DOMAIN, Some(another_function)),
        ),
    ] {
        let (status, body) = send(&h.app, req).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
    }
    assert_eq!(h.store.counts().total(), 0, "no store request for a refused webhook");
    assert!(h.twilio.requests().is_empty());
}

#[tokio::test]
async fn a_webhook_that_did_not_come_through_a_function_url_of_the_region_is_refused() {
    let h = harness();
    // Through an HTTP API, signed for the URL it was sent to.
    let api = "abcdef1234.execute-api.ap-northeast-1.amazonaws.com";
    let mut through_api = event(
        api,
        "/twilio/voice/incoming",
        &incoming_params(),
        Some(&format!("https://{api}/twilio/voice/incoming")),
    );
    through_api["routeKey"] = "ANY /twilio/{proxy+}".into();
    // A function URL of another region.
    let elsewhere = "q3xk7v2mdl5wq4gxsiy6nn7hbu0ojzcf.lambda-url.us-east-1.on.aws";
    let other_region = incoming_at(elsewhere, Some(&format!("https://{elsewhere}/twilio/voice/incoming")));
    // No Lambda request context at all: a Host header says the function URL's name.
    let signed_for = format!("{OWN_URL}/twilio/voice/incoming");
    let mut bare = incoming_at(DOMAIN, Some(&signed_for));
    bare.extensions_mut().clear();
    for (what, req) in [
        ("through an HTTP API", request(&through_api)),
        ("at a function URL of another region", other_region),
        ("without a function URL's request context", bare),
    ] {
        let (status, body) = send(&h.app, req).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
    }
    assert_eq!(h.store.counts().total(), 0, "no store request for a refused webhook");
}
