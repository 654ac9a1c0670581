//! A line's business hours and IVR menu at the incoming webhook and the menu webhook, fed form
//! bodies as Twilio sends them and signed: every document passes the TwiML checker, the
//! incoming webhook keeps its budget (at most two store requests on a warm instance, no REST
//! request) on the open and the closed path, and a menu choice reaches the queue with the choice
//! on the call record.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use shared::control::CallControl;
use shared::domain::Services;
use shared::domain::calls::call_key;
use shared::domain::settings::BusinessHours;
use shared::store::Query;
use shared::store::counting::CountingStore;
use shared::store::embedded::EmbeddedStore;
use shared::twilio::AccountSid;
use shared::twilio::signature::{WebhookValidator, compute_signature};
use shared::twilio::telephony::RecordingTelephony;
use shared::twilio::twiml::rules::validate_twiml;
use voice::VoiceState;

const TOKEN: &str = "test-auth-token-0123456789abcdef";
const BASE: &str = "https://voice.example.jp";
const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const CALL: &str = "CA22222222222222222222222222222222";
const MAIN: &str = "+81368000001";

struct Harness {
    app: axum::Router,
    services: Services,
    control: CallControl,
    counting: Arc<CountingStore>,
    twilio: Arc<RecordingTelephony>,
}

/// The voice router on a counting store, settings kept a minute as a warm instance keeps them.
async fn harness(hours: Option<Value>, menu: Option<Value>) -> Harness {
    let counting = Arc::new(CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap())));
    let services = Services::with_settings_ttl(counting.clone(), Duration::from_secs(60));
    let twilio = Arc::new(RecordingTelephony::new(AccountSid::parse(ACCOUNT).unwrap()));
    let control = CallControl::new(services.clone(), twilio.clone(), BASE);
    let settings = &services.settings;
    settings
        .put_section(
            "lines",
            0,
            json!([{"id": "main", "number": MAIN, "label": "代表", "recording": true}]),
        )
        .await
        .unwrap();
    if let Some(hours) = hours {
        settings.put_section("hours", 0, json!({"main": hours})).await.unwrap();
    }
    if let Some(menu) = menu {
        settings.put_section("menu", 0, json!({"main": menu})).await.unwrap();
    }
    let state = VoiceState {
        lookup_budget: Duration::from_millis(300),
        ..VoiceState::new(control.clone(), WebhookValidator::new(TOKEN.to_owned().into()))
    };
    Harness {
        app: voice::router(state),
        services,
        control,
        counting,
        twilio,
    }
}

fn jst(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{s}+09:00"))
        .unwrap()
        .with_timezone(&Utc)
}

fn call_params(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = [
        ("AccountSid", ACCOUNT),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", CALL),
        ("CallStatus", "in-progress"),
        ("Called", MAIN),
        ("Caller", "+81312345678"),
        ("Direction", "inbound"),
        ("From", "+81312345678"),
        ("To", MAIN),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    p.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    p
}

/// Posts a signed webhook to `url` (a path with its query) and returns the checked TwiML.
async fn post(h: &Harness, url: &str, params: &[(String, String)]) -> String {
    use tower::ServiceExt;
    let url = url.strip_prefix(BASE).unwrap_or(url);
    let sig = compute_signature(TOKEN, &format!("{BASE}{url}"), params);
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter())
        .finish();
    let req = Request::builder()
        .method("POST")
        .uri(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", sig)
        .body(Body::from(body))
        .unwrap();
    let resp = h.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    let body = String::from_utf8_lossy(&bytes).into_owned();
    assert_eq!(status, StatusCode::OK, "{url}: {body}");
    validate_twiml(&body).unwrap_or_else(|e| panic!("Twilio would refuse {url}: {e}\n{body}"));
    body
}

/// The incoming webhook, its store requests counted once the settings are warm.
async fn incoming(h: &Harness) -> (String, u64) {
    h.services.settings.get().await.unwrap();
    h.counting.reset();
    let body = post(h, "/twilio/voice/incoming", &call_params(&[])).await;
    let counts = h.counting.counts();
    println!("incoming webhook: {} store requests ({counts:?})", counts.total());
    (body, counts.total())
}

/// The URL the document's `<Redirect>` (or `<Gather action>`) leads to, unescaped.
fn redirect_of(body: &str) -> String {
    let start = body.find("<Redirect method=\"POST\">").expect("a redirect") + "<Redirect method=\"POST\">".len();
    let end = body[start..].find("</Redirect>").unwrap() + start;
    body[start..end].replace("&amp;", "&")
}

fn hours(when_closed: Value) -> Value {
    let mut h = serde_json::to_value(BusinessHours::weekdays_nine_to_six()).unwrap();
    h["when_closed"] = when_closed;
    h
}

fn support_menu() -> Value {
    json!({
        "greeting": "お電話ありがとうございます。サンプルサポートセンターです。",
        "speech": true,
        "attempts": 2,
        "options": [
            {"id": "billing", "key": "1", "label": "料金のお問い合わせ", "keywords": ["料金", "請求"], "action": {"action": "queue"}},
            {"id": "repair", "key": "2", "label": "修理のご依頼", "action": {"action": "submenu", "menu": {
                "greeting": "修理のご依頼ですね。",
                "options": [
                    {"id": "booking", "key": "1", "label": "新しいご依頼", "action": {"action": "queue"}},
                    {"id": "status", "key": "2", "label": "修理状況の確認", "action": {"action": "message", "text": "修理状況はウェブサイトでご確認いただけます。"}}
                ],
                "default": {"action": "queue"}
            }}},
            {"id": "message", "key": "#", "label": "伝言", "action": {"action": "voicemail"}}
        ],
        "default": {"action": "message", "text": "恐れ入りますが、おかけ直しください。"}
    })
}

#[tokio::test]
async fn a_call_on_a_holiday_hears_the_closed_message_within_the_budget_and_is_not_queued() {
    let h = harness(
        Some(hours(
            json!({"action": "message", "text": "本日は祝日のため休業しております。"}),
        )),
        None,
    )
    .await;
    // 2026-11-23 勤労感謝の日, a Monday, at 10:00 in Tokyo.
    h.control.clock.set(Some(jst("2026-11-23T10:00:00")));
    let (body, store_requests) = incoming(&h).await;
    assert!(
        body.contains("本日は祝日のため休業しております。</Say><Hangup />"),
        "{body}"
    );
    assert!(body.contains("language=\"ja-JP\""), "{body}");
    assert!(store_requests <= 2, "{store_requests} store requests");
    assert!(h.twilio.requests().is_empty(), "the closed path makes no REST request");
    assert!(h.services.store.get(&call_key(CALL)).await.unwrap().is_none());
    let queue = h.services.store.query(Query::partition("QUEUE")).await.unwrap();
    assert!(queue.items.is_empty(), "nobody waits for an operator on a closed line");

    // The next morning the line is open and the caller is queued, within the same budget.
    h.control.clock.set(Some(jst("2026-11-24T10:00:00")));
    let (body, store_requests) = incoming(&h).await;
    assert!(body.contains(&format!(">{CALL}</Conference>")), "{body}");
    assert!(store_requests <= 2, "{store_requests} store requests on the open path");
    assert!(h.twilio.requests().is_empty(), "the open path makes no REST request");
}

#[tokio::test]
async fn a_closed_line_forwards_on_its_own_number_or_sends_the_caller_to_its_voicemail() {
    let night = jst("2026-11-24T21:00:00");
    let h = harness(
        Some(hours(json!({"action": "forward", "number": "+819011112222"}))),
        None,
    )
    .await;
    h.control.clock.set(Some(night));
    let (body, store_requests) = incoming(&h).await;
    assert!(
        body.contains("<Dial callerId=\"+81368000001\" timeout=\"30\"><Number>+819011112222</Number></Dial>"),
        "{body}"
    );
    assert!(store_requests <= 2 && h.twilio.requests().is_empty());

    let h = harness(
        Some(hours(
            json!({"action": "voicemail", "greeting": "ただいまの時間は受付時間外です。"}),
        )),
        None,
    )
    .await;
    h.control.clock.set(Some(night));
    let (body, _) = incoming(&h).await;
    assert_eq!(redirect_of(&body), format!("{BASE}/twilio/voice/voicemail?line=main"));
}

#[tokio::test]
async fn a_menu_choice_by_key_reaches_the_queue_with_the_choice_on_the_call() {
    let h = harness(None, Some(support_menu())).await;
    let (body, store_requests) = incoming(&h).await;
    assert!(store_requests <= 2, "{store_requests} store requests before the menu");
    assert!(
        body.contains("input=\"dtmf speech\" language=\"ja-JP\"") && body.contains("numDigits=\"1\""),
        "{body}"
    );
    assert!(body.contains("サンプルサポートセンターです。</Say>"), "{body}");
    assert!(
        body.contains("料金のお問い合わせは1を、修理のご依頼は2を、伝言はシャープを押してください。"),
        "{body}"
    );
    assert!(
        h.services.store.get(&call_key(CALL)).await.unwrap().is_none(),
        "a caller in the menu is not queued yet"
    );
    let menu_url = redirect_of(&body);
    assert_eq!(menu_url, format!("{BASE}/twilio/voice/menu?line=main&at=&attempt=1"));

    // 2 opens the repair sub-menu with its own greeting; 1 there is the queue.
    let sub = post(&h, &menu_url, &call_params(&[("Digits", "2")])).await;
    assert!(sub.contains("修理のご依頼ですね。</Say>"), "{sub}");
    let sub_url = redirect_of(&sub);
    assert!(sub_url.ends_with("at=1&attempt=1"), "{sub_url}");
    let queued = post(&h, &sub_url, &call_params(&[("Digits", "1")])).await;
    assert!(queued.contains(&format!(">{CALL}</Conference>")), "{queued}");
    assert!(
        queued.contains("record=\"record-from-start\""),
        "the line records: {queued}"
    );
    let call = h.services.store.get(&call_key(CALL)).await.unwrap().unwrap();
    assert_eq!(call["status"], "waiting");
    assert_eq!(call["menu_choice"], "repair/booking");
    let queue = h.services.store.query(Query::partition("QUEUE")).await.unwrap();
    assert_eq!(queue.items.len(), 1);
    assert!(h.twilio.requests().is_empty());
}

#[tokio::test]
async fn words_said_choose_an_option_and_the_voicemail_option_leads_to_the_box() {
    let h = harness(None, Some(support_menu())).await;
    let url = format!("{BASE}/twilio/voice/menu?line=main&at=&attempt=1");
    let queued = post(
        &h,
        &url,
        &call_params(&[("SpeechResult", "請求書について聞きたいです"), ("Confidence", "0.91")]),
    )
    .await;
    assert!(queued.contains("</Conference>"), "{queued}");
    let call = h.services.store.get(&call_key(CALL)).await.unwrap().unwrap();
    assert_eq!(call["menu_choice"], "billing");

    let h = harness(None, Some(support_menu())).await;
    // Words the recogniser doubts are asked again, not acted on.
    let doubted = post(
        &h,
        &url,
        &call_params(&[("SpeechResult", "修理"), ("Confidence", "0.12")]),
    )
    .await;
    assert!(
        doubted.contains("恐れ入りますが、聞き取れませんでした。</Say>"),
        "{doubted}"
    );
    assert!(redirect_of(&doubted).ends_with("attempt=2"), "{doubted}");
    let boxed = post(&h, &url, &call_params(&[("Digits", "#")])).await;
    assert_eq!(redirect_of(&boxed), format!("{BASE}/twilio/voice/voicemail?line=main"));
}

#[tokio::test]
async fn a_wrong_key_or_silence_repeats_the_options_then_the_default_is_taken() {
    let h = harness(None, Some(support_menu())).await;
    let url = format!("{BASE}/twilio/voice/menu?line=main&at=&attempt=1");
    let again = post(&h, &url, &call_params(&[("Digits", "7")])).await;
    assert!(
        again.contains("恐れ入りますが、その番号はございません。</Say>"),
        "{again}"
    );
    assert!(
        !again.contains("サンプルサポートセンターです。"),
        "the greeting is not said again"
    );
    assert!(again.contains("押してください。"), "{again}");
    let second = redirect_of(&again);
    assert!(second.ends_with("at=&attempt=2"), "{second}");
    // Silence on the last attempt (the <Redirect> after the <Gather>, no Digits): the default.
    let end = post(&h, &second, &call_params(&[])).await;
    assert!(
        end.contains("恐れ入りますが、おかけ直しください。</Say><Hangup />"),
        "{end}"
    );
    // Silence on the first attempt repeats with the silence notice.
    let silent = post(&h, &url, &call_params(&[])).await;
    assert!(silent.contains("入力が確認できませんでした。</Say>"), "{silent}");
    assert!(h.services.store.get(&call_key(CALL)).await.unwrap().is_none());
}

#[tokio::test]
async fn a_malformed_or_stale_menu_url_is_refused_or_starts_over() {
    let h = harness(None, Some(support_menu())).await;
    use tower::ServiceExt;
    for bad in [
        "line=main&at=x&attempt=1",
        "line=main&at=&attempt=0",
        "line=Main!&at=&attempt=1",
    ] {
        let url = format!("/twilio/voice/menu?{bad}");
        let params = call_params(&[]);
        let sig = compute_signature(TOKEN, &format!("{BASE}{url}"), &params);
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.iter())
            .finish();
        let req = Request::builder()
            .method("POST")
            .uri(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-twilio-signature", sig)
            .body(Body::from(body))
            .unwrap();
        let status = h.app.clone().oneshot(req).await.unwrap().status();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    // A path the menu no longer has (the admin removed the sub-menu): the top menu again.
    let body = post(
        &h,
        &format!("{BASE}/twilio/voice/menu?line=main&at=0&attempt=1"),
        &call_params(&[("Digits", "1")]),
    )
    .await;
    assert!(body.contains("サンプルサポートセンターです。"), "{body}");
    // A line whose menu was removed: the caller is queued.
    let body = post(
        &h,
        &format!("{BASE}/twilio/voice/menu?line=sales&at=&attempt=1"),
        &call_params(&[("Digits", "1")]),
    )
    .await;
    assert!(body.contains("</Conference>"), "{body}");
}
