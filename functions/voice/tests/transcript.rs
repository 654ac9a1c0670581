//! The live transcript of a call on a line that transcribes (リアルタイム文字起こし), at the
//! voice webhooks, fed form bodies as Twilio sends them: the customer's document starts a
//! ja-JP transcription of both tracks that passes the TwiML rules, within the incoming webhook's
//! budget (two store requests, no REST request); a line that does not transcribe starts none;
//! the transcription callback is refused unsigned, refused when malformed, keeps each final
//! phrase of the conversation once however often Twilio sends it, and says who spoke; a waiting
//! caller sent to the voicemail box has the call's transcription stopped first, and only then.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use shared::control::CallControl;
use shared::domain::Services;
use shared::domain::calls::{call_key, field};
use shared::domain::transcripts::Speaker;
use shared::store::Update;
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
const CALL: &str = "CA33333333333333333333333333333333";
const MAIN: &str = "+81368000001";
const SALES: &str = "+81368000002";

struct Harness {
    app: axum::Router,
    services: Services,
    counting: Arc<CountingStore>,
    twilio: Arc<RecordingTelephony>,
}

/// The voice router on a counting store; the line 代表 transcribes, 営業 does not.
async fn harness() -> Harness {
    let counting = Arc::new(CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap())));
    let services = Services::with_settings_ttl(counting.clone(), Duration::from_secs(60));
    let twilio = Arc::new(RecordingTelephony::new(AccountSid::parse(ACCOUNT).unwrap()));
    let control = CallControl::new(services.clone(), twilio.clone(), BASE);
    services
        .settings
        .put_section(
            "lines",
            0,
            json!([{"id": "main", "number": MAIN, "label": "代表", "transcription": true},
                   {"id": "sales", "number": SALES, "label": "営業"}]),
        )
        .await
        .unwrap();
    let state = VoiceState {
        lookup_budget: Duration::from_millis(300),
        ..VoiceState::new(control, WebhookValidator::new(TOKEN.to_owned().into()))
    };
    Harness {
        app: voice::router(state),
        services,
        counting,
        twilio,
    }
}

fn incoming_params(to: &str) -> Vec<(String, String)> {
    [
        ("AccountSid", ACCOUNT),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", CALL),
        ("CallStatus", "ringing"),
        ("Called", to),
        ("Caller", "+81312345678"),
        ("Direction", "inbound"),
        ("From", "+81312345678"),
        ("To", to),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A `transcription-content` callback as Twilio sends it for a final result.
fn phrase(seq: u64, track: &str, text: &str) -> Vec<(String, String)> {
    let data = json!({"transcript": text, "confidence": 0.91}).to_string();
    [
        ("AccountSid", ACCOUNT),
        ("CallSid", CALL),
        ("TranscriptionSid", "GT0123456789abcdef0123456789abcdef"),
        ("TranscriptionEvent", "transcription-content"),
        ("Timestamp", "2026-12-03T01:02:03.456Z"),
        ("LanguageCode", "ja-JP"),
        ("Track", track),
        ("TranscriptionData", data.as_str()),
        ("Final", "true"),
        ("SequenceId", &seq.to_string()),
        ("Stability", "1.0"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Posts `params` to `path`, signed unless `forged`; the status and body.
async fn post(h: &Harness, path: &str, params: &[(String, String)], forged: bool) -> (StatusCode, String) {
    use tower::ServiceExt;
    let token = if forged { "not-the-auth-token" } else { TOKEN };
    let sig = compute_signature(token, &format!("{BASE}{path}"), params);
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter())
        .finish();
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", sig)
        .body(Body::from(body))
        .unwrap();
    let resp = h.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The path of the call's transcription callback, as the document handed it to Twilio.
fn transcript_path() -> String {
    let url = shared::control::CallbackUrls::new(BASE).call_transcript(CALL);
    let path = url.strip_prefix(BASE).unwrap();
    // Twilio's retry overrides ride in the fragment, which is neither sent nor signed.
    path.split_once('#').map_or(path, |(p, _)| p).to_owned()
}

async fn answered_by(h: &Harness, operator: &str) {
    h.services
        .store
        .update(
            &call_key(CALL),
            Update::default()
                .set(field::ANSWERED_AT, "2026-12-03T01:02:00.000Z")
                .set(field::OPERATOR_ID, operator),
            None,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_call_on_a_line_that_transcribes_starts_a_japanese_transcription_of_both_sides_within_the_budget() {
    // Given a line with リアルタイム文字起こし on, its settings warm
    let h = harness().await;
    h.services.settings.get().await.unwrap();
    h.counting.reset();

    // When a customer calls it
    let (status, body) = post(&h, "/twilio/voice/incoming", &incoming_params(MAIN), false).await;

    // Then the document starts the transcription before parking them, as Twilio accepts it
    assert_eq!(status, StatusCode::OK, "{body}");
    validate_twiml(&body).unwrap_or_else(|e| panic!("Twilio would refuse it: {e}\n{body}"));
    let start = body.find("<Start><Transcription").expect("a transcription is started");
    assert!(
        start < body.find("<Dial").unwrap(),
        "started before the conference: {body}"
    );
    for attr in [
        r#"languageCode="ja-JP""#,
        r#"track="both_tracks""#,
        r#"partialResults="false""#,
        r#"name="call""#,
        r#"inboundTrackLabel="customer""#,
        r#"outboundTrackLabel="operator""#,
        r#"statusCallbackMethod="POST""#,
    ] {
        assert!(body.contains(attr), "{attr} missing: {body}");
    }
    assert!(body.contains(&format!("/twilio/voice/transcript/{CALL}")), "{body}");
    // And the incoming webhook keeps its budget
    let counts = h.counting.counts();
    assert!(counts.total() <= 2, "{} store requests ({counts:?})", counts.total());
    assert!(
        h.twilio.requests().is_empty(),
        "no REST request on the incoming webhook"
    );
}

#[tokio::test]
async fn a_call_on_a_line_that_does_not_transcribe_starts_no_transcription() {
    let h = harness().await;
    let (status, body) = post(&h, "/twilio/voice/incoming", &incoming_params(SALES), false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("<Transcription"), "{body}");
}

#[tokio::test]
async fn a_forged_or_malformed_transcription_callback_is_refused_and_keeps_nothing() {
    let h = harness().await;
    post(&h, "/twilio/voice/incoming", &incoming_params(MAIN), false).await;
    answered_by(&h, "op-1").await;
    let path = transcript_path();

    let (forged, _) = post(&h, &path, &phrase(1, "inbound_track", "偽物です"), true).await;
    assert_eq!(forged, StatusCode::FORBIDDEN);

    let mut no_data = phrase(2, "inbound_track", "x");
    no_data.retain(|(k, _)| k != "TranscriptionData");
    let (malformed, body) = post(&h, &path, &no_data, false).await;
    assert_eq!(malformed, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("TranscriptionData"),
        "the refusal names the field: {body}"
    );

    assert!(h.services.transcripts.lines(CALL).await.unwrap().is_empty());
}

#[tokio::test]
async fn each_final_phrase_of_the_conversation_is_kept_once_with_who_said_it() {
    // Given a transcribing call
    let h = harness().await;
    post(&h, "/twilio/voice/incoming", &incoming_params(MAIN), false).await;
    let path = transcript_path();

    // When the greeting is heard before anyone answered
    let (s, _) = post(
        &h,
        &path,
        &phrase(1, "outbound_track", "お電話ありがとうございます"),
        false,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // And then an operator answers, and both speak; Twilio sends one phrase twice
    answered_by(&h, "op-1").await;
    for (seq, track, text) in [
        (2, "outbound_track", "お待たせいたしました。担当の佐藤です。"),
        (3, "inbound_track", "請求書が届いていないのですが。"),
        (3, "inbound_track", "請求書が届いていないのですが。"),
    ] {
        let (s, body) = post(&h, &path, &phrase(seq, track, text), false).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    }

    // Then the transcript holds the conversation once, in order, with its speakers and times
    let lines = h.services.transcripts.lines(CALL).await.unwrap();
    let got: Vec<(u64, Speaker, &str)> = lines.iter().map(|l| (l.seq, l.speaker, l.text.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (2, Speaker::Operator, "お待たせいたしました。担当の佐藤です。"),
            (3, Speaker::Customer, "請求書が届いていないのですが。"),
        ]
    );
    assert_eq!(lines[1].at, "2026-12-03T01:02:03.456Z");
}

fn started_event() -> Vec<(String, String)> {
    [
        ("AccountSid", ACCOUNT),
        ("CallSid", CALL),
        ("TranscriptionSid", "GT0123456789abcdef0123456789abcdef"),
        ("TranscriptionEvent", "transcription-started"),
        ("Timestamp", "2026-12-03T01:02:00.000Z"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The voicemail box's document for the caller of [`CALL`] sent there from line 代表.
async fn voicemail_box(h: &Harness) -> String {
    let params: Vec<(String, String)> = [("CallSid", CALL), ("From", "+81312345678"), ("To", MAIN)]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let (s, twiml) = post(h, "/twilio/voice/voicemail?line=main", &params, false).await;
    assert_eq!(s, StatusCode::OK, "{twiml}");
    validate_twiml(&twiml).unwrap();
    twiml
}

#[tokio::test]
async fn a_waiting_caller_sent_to_voicemail_has_the_calls_transcription_stopped_before_the_boxs_starts() {
    // Given a caller waiting on a line that transcribes, whose transcription Twilio started
    let h = harness().await;
    post(&h, "/twilio/voice/incoming", &incoming_params(MAIN), false).await;
    let (s, body) = post(&h, &transcript_path(), &started_event(), false).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    // When they are sent to the line's voicemail box
    let twiml = voicemail_box(&h).await;
    // Then the call's transcription is stopped by name before the box starts its own
    let stop = twiml
        .find(r#"<Stop><Transcription name="call" /></Stop>"#)
        .unwrap_or_else(|| panic!("no stop: {twiml}"));
    let start = twiml.find(r#"name="voicemail""#).expect("the box's transcription");
    assert!(stop < start, "{twiml}");
    // And a repeated started callback changes nothing
    let (s, _) = post(&h, &transcript_path(), &started_event(), false).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_caller_whose_call_was_never_transcribed_reaches_voicemail_without_a_stop() {
    // Given a caller waiting on a line that does not transcribe (no transcription started)
    let h = harness().await;
    post(&h, "/twilio/voice/incoming", &incoming_params(SALES), false).await;
    // When they are sent to a voicemail box
    let twiml = voicemail_box(&h).await;
    // Then nothing is stopped (Twilio would be asked to stop a transcription that is not running)
    assert!(!twiml.contains("<Stop>"), "{twiml}");
    assert!(twiml.contains(r#"name="voicemail""#), "{twiml}");
}
