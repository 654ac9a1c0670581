//! A call's or a voicemail's recording played from the page: who may get a link (supervisors, and operators on
//! their own calls when the settings allow), the audit log of who got a link and of each play, and the link's
//! media served by byte range from what Twilio keeps (206, bounded parts, 416, 400); and the
//! retention sweep deleting recordings at Twilio a bounded batch at a time.

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};
use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};
use shared::auth::Role;
use shared::control::CallControl;
use shared::control::recordings::{SWEEP_BATCH, SWEEP_DAYS, Swept};
use shared::domain::Services;
use shared::domain::audit;
use shared::domain::calls::call_key;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Item, Store};
use shared::testing::{call, request, signed_in};
use shared::twilio::AccountSid;
use shared::twilio::media::{ByteRange, MAX_PART_BYTES};
use shared::twilio::telephony::{RecordingTelephony, TelephonyError, TelephonyOperation, TelephonyRequest};
use tower::ServiceExt;

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const CALL: &str = "CA66666666666666666666666666666666";
const RECORDING: &str = "RE66666666666666666666666666666666";

/// A recording of `len` bytes whose byte at `i` is `i % 251`, so any part shows where it came from.
fn media(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

async fn put_call(store: &dyn Store, sid: &str, operator: &str, recording: Option<&str>) {
    let mut item = Item::new();
    let key = call_key(sid);
    item.insert("PK".into(), key.pk.into());
    item.insert("SK".into(), key.sk.into());
    item.insert("sid".into(), sid.into());
    item.insert("status".into(), "completed".into());
    item.insert("operator_id".into(), operator.into());
    item.insert("started_at".into(), "2026-12-01T01:00:00Z".into());
    if let Some(recording) = recording {
        item.insert("recording_sid".into(), recording.into());
        item.insert("recording_status".into(), "completed".into());
        item.insert("recording_seconds".into(), 12.into());
        item.insert(
            "recording_url".into(),
            format!("https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{recording}").into(),
        );
    }
    store.put(item, None).await.unwrap();
}

async fn app(operators_may: bool) -> (axum::Router, CallControl, Arc<RecordingTelephony>) {
    let services = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    if operators_may {
        let current = services.settings.get().await.unwrap();
        let mut handling = serde_json::to_value(&current.call_handling).unwrap();
        handling["operators_play_own_recordings"] = json!(true);
        services
            .settings
            .put_section("call_handling", 0, handling)
            .await
            .unwrap();
    }
    put_call(services.store.as_ref(), CALL, "op-sato", Some(RECORDING)).await;
    let twilio = Arc::new(RecordingTelephony::new(AccountSid::parse(ACCOUNT).unwrap()));
    twilio.set_recording_media(RECORDING, media(5000));
    let control = CallControl::new(services, twilio.clone(), "https://voice.example.jp");
    (calls::router(control.clone()), control, twilio)
}

fn link_request(who: &str, role: Role) -> axum::http::Request<axum::body::Body> {
    signed_in(request("POST", &format!("/api/calls/{CALL}/recording/link")), who, role)
}

/// Asks the router for the link's media with `range`; the status, headers and body.
async fn fetch(app: &axum::Router, url: &str, range: Option<&str>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = axum::http::Request::builder().method("GET").uri(url);
    if let Some(range) = range {
        req = req.header("range", range);
    }
    let resp = app
        .clone()
        .oneshot(req.body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let body = axum::body::to_bytes(resp.into_body(), 8 << 20).await.unwrap().to_vec();
    (status, headers, body)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn today_jst() -> String {
    (Utc::now() + Duration::hours(9)).format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn an_operator_may_not_play_a_recording_when_the_settings_do_not_allow_it() {
    // Given the default settings (operators may not play recordings)
    let (app, control, twilio) = app(false).await;
    // When the call's own operator asks to play it
    let (status, body) = call(&app, link_request("op-sato", Role::Operator)).await;
    // Then they are refused in Japanese, nothing is audited and Twilio is not asked
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("スーパーバイザーと管理者"), "{message}");
    assert!(
        audit::day(control.services.store.as_ref(), &today_jst(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(twilio.media_reads().is_empty());
}

#[tokio::test]
async fn an_operator_allowed_by_the_settings_plays_their_own_call_but_not_anothers() {
    // Given settings that let operators play their own calls' recordings
    let (app, control, _) = app(true).await;
    put_call(
        control.services.store.as_ref(),
        "CA77777777777777777777777777777777",
        "op-kato",
        Some(RECORDING),
    )
    .await;
    // When the call's operator asks, they get a link
    let (status, link) = call(&app, link_request("op-sato", Role::Operator)).await;
    assert_eq!(status, StatusCode::OK, "{link}");
    assert!(
        link["url"].as_str().unwrap().starts_with("/api/media/recordings/"),
        "{link}"
    );
    assert_eq!(link["seconds"], 12);
    // And playing it serves the recording
    let (status, _, body) = fetch(&app, link["url"].as_str().unwrap(), Some("bytes=0-")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(body, media(5000));
    // But another operator's call is refused
    let other = signed_in(
        request("POST", "/api/calls/CA77777777777777777777777777777777/recording/link"),
        "op-sato",
        Role::Operator,
    );
    let (status, body) = call(&app, other).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("自分が対応した通話"),
        "{body}"
    );
}

/// The audit log's entries of today with `action`, as (by, call, subject, outcome).
async fn audited(control: &CallControl, action: &str) -> Vec<(String, Option<String>, String, String)> {
    audit::day(control.services.store.as_ref(), &today_jst(), 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| {
            assert!(chrono::DateTime::parse_from_rfc3339(&e.at).is_ok(), "{e:?}");
            (e.by, e.call, e.subject, e.outcome)
        })
        .collect()
}

#[tokio::test]
async fn a_supervisor_plays_any_recording_and_who_got_the_link_is_in_the_audit_log() {
    // Given a call with a recording and the default settings
    let (app, control, _) = app(false).await;
    // When a supervisor asks to play it
    let (status, link) = call(&app, link_request("sv-ito", Role::Supervisor)).await;
    // Then they get a link, and the audit log says who got a link to which call, and when
    assert_eq!(status, StatusCode::OK, "{link}");
    assert_eq!(
        audited(&control, "recording_link").await,
        vec![("sv-ito".into(), Some(CALL.into()), "op-sato".into(), "issued".into())]
    );
    // And nothing is counted as listened to before the player asks for the media
    assert!(audited(&control, "play_recording").await.is_empty());
    // And an admin may too
    let (status, _) = call(&app, link_request("ad-mori", Role::Admin)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn each_play_from_the_start_is_audited_once_however_many_parts_it_takes() {
    // Given a supervisor's link to a recording longer than one part (5 MB)
    let (app, control, twilio) = app(false).await;
    twilio.set_recording_media(RECORDING, media(5 << 20));
    let (_, link) = call(&app, link_request("sv-ito", Role::Supervisor)).await;
    let url = link["url"].as_str().unwrap();
    // When the player plays it through: its first request from byte 0, then the next parts
    let (status, headers, _) = fetch(&app, url, Some("bytes=0-")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    let mut next = MAX_PART_BYTES;
    while next < 5 << 20 {
        let (status, _, body) = fetch(&app, url, Some(&format!("bytes={next}-"))).await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT);
        next += body.len() as u64;
    }
    assert!(header(&headers, "content-range").ends_with("/5242880"));
    // Then one listening is in the audit log, by the link's holder, about the call's operator
    let played = audited(&control, "play_recording").await;
    assert_eq!(
        played,
        vec![("sv-ito".into(), Some(CALL.into()), "op-sato".into(), "listened".into())]
    );
    // When they seek into the middle, and Safari-style probe the length, nothing more is counted
    fetch(&app, url, Some("bytes=3000000-")).await;
    fetch(&app, url, Some("bytes=0-1")).await;
    assert_eq!(audited(&control, "play_recording").await.len(), 1);
    // When they play it again from the start (no Range, as some players ask), it is a second listening
    let (status, _, _) = fetch(&app, url, None).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(audited(&control, "play_recording").await.len(), 2);
    // And a request that fails (past the end) is no listening
    let (status, _, _) = fetch(&app, url, Some("bytes=99999999-")).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(audited(&control, "play_recording").await.len(), 2);
}

#[tokio::test]
async fn a_call_without_a_recording_or_no_call_at_all_is_404() {
    let (app, control, _) = app(false).await;
    put_call(
        control.services.store.as_ref(),
        "CA77777777777777777777777777777777",
        "op-sato",
        None,
    )
    .await;
    let none = signed_in(
        request("POST", "/api/calls/CA77777777777777777777777777777777/recording/link"),
        "sv-ito",
        Role::Supervisor,
    );
    let (status, body) = call(&app, none).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("録音がありません"),
        "{body}"
    );
    let unknown = signed_in(
        request("POST", "/api/calls/CA88888888888888888888888888888888/recording/link"),
        "sv-ito",
        Role::Supervisor,
    );
    assert_eq!(call(&app, unknown).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ranges_a_player_asks_for_are_answered_206_with_the_bytes_asked() {
    let (app, _, twilio) = app(false).await;
    let (_, link) = call(&app, link_request("sv-ito", Role::Supervisor)).await;
    let url = link["url"].as_str().unwrap();
    let whole = media(5000);

    let (status, headers, body) = fetch(&app, url, Some("bytes=0-")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&headers, "content-range"), "bytes 0-4999/5000");
    assert_eq!(header(&headers, "accept-ranges"), "bytes");
    assert_eq!(header(&headers, "content-type"), "audio/x-wav");
    assert_eq!(body, whole);

    let (status, headers, body) = fetch(&app, url, Some("bytes=100-199")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&headers, "content-range"), "bytes 100-199/5000");
    assert_eq!(body, &whole[100..200]);

    let (status, headers, body) = fetch(&app, url, Some("bytes=-500")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&headers, "content-range"), "bytes 4500-4999/5000");
    assert_eq!(body, &whole[4500..]);

    // Without a Range the whole (small) recording is 200, seekable.
    let (status, headers, body) = fetch(&app, url, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "accept-ranges"), "bytes");
    assert_eq!(body, whole);

    // Every range was forwarded to Twilio bounded to one part.
    let reads = twilio.media_reads();
    assert!(reads.iter().all(|(r, _)| r == RECORDING), "{reads:?}");
    assert_eq!(reads[0].1, ByteRange::Between(0, MAX_PART_BYTES - 1));
    assert_eq!(reads[1].1, ByteRange::Between(100, 199));
    assert_eq!(reads[2].1, ByteRange::Last(500));
}

#[tokio::test]
async fn a_long_recording_is_served_a_bounded_part_at_a_time() {
    // Given a recording longer than one part (5 MB)
    let (app, _, twilio) = app(false).await;
    let long = media(5 << 20);
    twilio.set_recording_media(RECORDING, long.clone());
    let (_, link) = call(&app, link_request("sv-ito", Role::Supervisor)).await;
    let url = link["url"].as_str().unwrap();
    // When the player asks from the start, then where the first part ended
    let (status, headers, first) = fetch(&app, url, Some("bytes=0-")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(first.len() as u64, MAX_PART_BYTES);
    assert_eq!(
        header(&headers, "content-range"),
        format!("bytes 0-{}/{}", MAX_PART_BYTES - 1, 5 << 20)
    );
    let (status, headers, second) = fetch(&app, url, Some(&format!("bytes={MAX_PART_BYTES}-"))).await;
    // Then each answer is one part of at most 2 MB that continues where the last ended
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(second.len() as u64, MAX_PART_BYTES);
    assert_eq!(
        header(&headers, "content-range"),
        format!("bytes {}-{}/{}", MAX_PART_BYTES, 2 * MAX_PART_BYTES - 1, 5 << 20)
    );
    assert_eq!(second, &long[MAX_PART_BYTES as usize..2 * MAX_PART_BYTES as usize]);
    // And a wide suffix is cut to one part from where it starts
    let (_, headers, tail) = fetch(&app, url, Some("bytes=-4194304")).await;
    assert_eq!(tail.len() as u64, MAX_PART_BYTES);
    assert!(header(&headers, "content-range").starts_with(&format!("bytes {}-", (5 << 20) - (4 << 20))));
}

#[tokio::test]
async fn a_range_past_the_end_is_416_and_a_malformed_one_400() {
    let (app, _, _) = app(false).await;
    let (_, link) = call(&app, link_request("sv-ito", Role::Supervisor)).await;
    let url = link["url"].as_str().unwrap();
    let (status, headers, _) = fetch(&app, url, Some("bytes=5000-")).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(header(&headers, "content-range"), "bytes */5000");
    for bad in ["bytes=abc", "items=0-1", "bytes=9-3", "bytes=0-1,5-9"] {
        let (status, _, body) = fetch(&app, url, Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert!(
            body["error"]["message"].as_str().unwrap().contains("Range の形式"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn an_unknown_link_is_404_and_a_malformed_token_too() {
    let (app, _, twilio) = app(false).await;
    let (status, _, _) = fetch(
        &app,
        &format!("/api/media/recordings/{}", "a".repeat(32)),
        Some("bytes=0-"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = fetch(&app, "/api/media/recordings/not-a-token", Some("bytes=0-")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(twilio.media_reads().is_empty());
}

/// Files `n` recordings completed on `day` (calls `CA…<i>`), each with its call record.
async fn recorded_on(control: &CallControl, at: chrono::DateTime<Utc>, n: usize, from: usize) -> Vec<String> {
    let mut sids = Vec::new();
    for i in from..from + n {
        let sid = format!("CA{i:032x}");
        let recording = format!("RE{i:032x}");
        put_call(control.services.store.as_ref(), &sid, "op-sato", Some(&recording)).await;
        control.file_recording(&sid, &recording, at).await.unwrap();
        sids.push(sid);
    }
    sids
}

fn deleted(requests: &[TelephonyRequest]) -> Vec<String> {
    requests
        .iter()
        .filter_map(|r| match r {
            TelephonyRequest::DeleteRecording(re) => Some(re.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn recordings_past_the_retention_are_deleted_at_twilio_in_bounded_batches() {
    // Given the default 90 days, 30 recordings from 100 days ago and 2 from yesterday
    let (_, control, twilio) = app(false).await;
    let now = Utc.with_ymd_and_hms(2026, 12, 3, 3, 0, 0).unwrap();
    let old = recorded_on(&control, now - Duration::days(100), 30, 1).await;
    let recent = recorded_on(&control, now - Duration::days(1), 2, 100).await;

    // When the sweep runs once
    let first = control.sweep_recordings(now).await.unwrap();
    // Then it deleted one batch at Twilio, each request as Twilio's spec allows
    let requests = twilio.take_requests();
    shared::testing::spec_checked(ACCOUNT, &requests);
    assert_eq!(deleted(&requests).len(), SWEEP_BATCH as usize);
    assert_eq!(first.deleted, SWEEP_BATCH);

    // And the next run deletes the rest of that day, and nothing recent
    let second = control.sweep_recordings(now).await.unwrap();
    assert_eq!(second.deleted as usize, 30 - SWEEP_BATCH as usize);
    let third = control.sweep_recordings(now).await.unwrap();
    assert_eq!(third.deleted, 0, "{third:?}");
    let all = deleted(&twilio.take_requests());
    assert_eq!(all.len(), 30 - SWEEP_BATCH as usize);
    for sid in &old {
        let record = control.call(sid).await.unwrap().unwrap();
        assert!(record.summary.recording_deleted_at.is_some(), "{sid}");
        assert!(record.summary.recording_url.is_none(), "{sid}");
    }
    for sid in &recent {
        let record = control.call(sid).await.unwrap().unwrap();
        assert!(record.summary.recording_deleted_at.is_none(), "{sid}");
        assert!(record.summary.recording_url.is_some(), "{sid}");
    }
}

#[tokio::test]
async fn a_voicemail_recording_past_the_retention_is_deleted_at_twilio_too() {
    // Given a caller's voicemail recorded today (no call record of its own: the line was closed)
    let (_, control, twilio) = app(false).await;
    let sid = format!("CA{:032x}", 7777);
    let params: Vec<(String, String)> = [
        ("RecordingSid", format!("RE{:032x}", 7777)),
        ("RecordingStatus", "completed".to_owned()),
        ("RecordingDuration", "12".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let cb = shared::twilio::webhook::RecordingStatusCallback::from_params(&params).unwrap();
    control.voicemail_recorded(&sid, &cb).await.unwrap();
    twilio.take_requests();

    // When the sweep runs 91 days later (the default retention is 90 days)
    let swept = control.sweep_recordings(Utc::now() + Duration::days(91)).await.unwrap();

    // Then the voicemail's recording is deleted at Twilio, once
    assert_eq!(
        deleted(&twilio.take_requests()),
        vec![format!("RE{:032x}", 7777)],
        "{swept:?}"
    );
    let again = control.sweep_recordings(Utc::now() + Duration::days(92)).await.unwrap();
    assert_eq!(again.deleted + again.already_gone, 0, "{again:?}");
}

#[tokio::test]
async fn the_sweep_reads_at_most_a_month_of_days_a_run_and_goes_on_where_it_stopped() {
    // Given one recording from 200 days ago and one from 100 days ago (90 kept)
    let (_, control, twilio) = app(false).await;
    let now = Utc.with_ymd_and_hms(2026, 12, 3, 3, 0, 0).unwrap();
    let oldest = recorded_on(&control, now - Duration::days(200), 1, 1).await;
    let older = recorded_on(&control, now - Duration::days(100), 1, 2).await;
    // When the sweep runs once
    let first = control.sweep_recordings(now).await.unwrap();
    // Then it deleted the oldest and read no more than a month of days
    assert_eq!((first.deleted, first.days), (1, SWEEP_DAYS), "{first:?}");
    assert!(
        control
            .call(&oldest[0])
            .await
            .unwrap()
            .unwrap()
            .summary
            .recording_deleted_at
            .is_some()
    );
    assert!(
        control
            .call(&older[0])
            .await
            .unwrap()
            .unwrap()
            .summary
            .recording_deleted_at
            .is_none()
    );
    // And the next runs go on from there until the other is deleted, then read nothing more
    let mut runs = 1;
    while control
        .call(&older[0])
        .await
        .unwrap()
        .unwrap()
        .summary
        .recording_deleted_at
        .is_none()
    {
        let swept = control.sweep_recordings(now).await.unwrap();
        assert!(swept.days <= SWEEP_DAYS, "{swept:?}");
        runs += 1;
        assert!(runs <= 5, "the sweep does not move on");
    }
    assert_eq!(deleted(&twilio.take_requests()).len(), 2);
    let done = control.sweep_recordings(now).await.unwrap();
    assert!(
        done.days <= 11,
        "only the days since the last deleted one are read: {done:?}"
    );
    let after = control.sweep_recordings(now).await.unwrap();
    assert_eq!(after, Swept::default(), "nothing is due any more");
}

#[tokio::test]
async fn a_recording_twilio_no_longer_has_counts_as_deleted_and_a_deleted_one_is_not_played() {
    // Given a recording from 100 days ago that Twilio already deleted
    let (app, control, twilio) = app(false).await;
    let now = Utc::now();
    let sids = recorded_on(&control, now - Duration::days(100), 1, 1).await;
    twilio.fail_next(
        TelephonyOperation::DeleteRecording,
        TelephonyError::NotFound {
            code: Some(20404),
            message: "gone".into(),
        },
    );
    // When the sweep runs
    let swept = control.sweep_recordings(now).await.unwrap();
    // Then it is counted as deleted and the call is marked
    assert_eq!(
        swept,
        Swept {
            deleted: 0,
            already_gone: 1,
            failed: 0,
            days: swept.days
        }
    );
    let record = control.call(&sids[0]).await.unwrap().unwrap();
    assert!(record.summary.recording_deleted_at.is_some());
    // And asking to play it says it was deleted after its retention period
    let ask = signed_in(
        request("POST", &format!("/api/calls/{}/recording/link", sids[0])),
        "sv-ito",
        Role::Supervisor,
    );
    let (status, body) = call(&app, ask).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("保存期間を過ぎたため削除済み"),
        "{body}"
    );
}

#[tokio::test]
async fn a_twilio_outage_stops_the_sweep_and_the_next_run_finishes_it() {
    let (_, control, twilio) = app(false).await;
    let now = Utc::now();
    let sids = recorded_on(&control, now - Duration::days(100), 2, 1).await;
    twilio.fail_next(TelephonyOperation::DeleteRecording, TelephonyError::unavailable("down"));
    let swept = control.sweep_recordings(now).await.unwrap();
    assert_eq!((swept.deleted, swept.failed), (0, 1));
    assert!(
        control
            .call(&sids[0])
            .await
            .unwrap()
            .unwrap()
            .summary
            .recording_deleted_at
            .is_none()
    );
    let swept = control.sweep_recordings(now).await.unwrap();
    assert_eq!(swept.deleted, 2);
}

#[tokio::test]
async fn retention_zero_keeps_recordings_for_ever() {
    let (_, control, twilio) = app(false).await;
    let current = control.services.settings.get().await.unwrap();
    let mut handling = serde_json::to_value(&current.call_handling).unwrap();
    handling["recording_retention_days"] = json!(0);
    let version = current.versions.get("call_handling").copied().unwrap_or(0);
    control
        .services
        .settings
        .put_section("call_handling", version, handling)
        .await
        .unwrap();
    let now = Utc::now();
    recorded_on(&control, now - Duration::days(1000), 2, 1).await;
    assert_eq!(control.sweep_recordings(now).await.unwrap(), Swept::default());
    assert!(deleted(&twilio.take_requests()).is_empty());
}

#[tokio::test]
async fn a_retention_beyond_ten_years_is_refused_in_japanese() {
    let (_, control, _) = app(false).await;
    let current = control.services.settings.get().await.unwrap();
    let mut handling = serde_json::to_value(&current.call_handling).unwrap();
    handling["recording_retention_days"] = json!(5000);
    let err = control
        .services
        .settings
        .put_section("call_handling", 0, handling)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("録音の保存期間は0〜3650日"), "{err}");
}

const VOICEMAIL: &str = "CA88888888888888888888888888888888";

async fn leave_voicemail(control: &CallControl, sid: &str, recording: Option<&str>) {
    let tasks = &control.services.tasks;
    let caller = shared::domain::tasks::TaskCaller {
        customer: Some("+819012345678"),
        line_id: Some("main"),
        line_number: Some("+81501234567"),
        call_recorded: false,
    };
    tasks.voicemail_started(sid, caller).await.unwrap();
    if let Some(recording) = recording {
        tasks.voicemail_recorded(sid, recording, Some(9)).await.unwrap();
    }
}

fn task_link_request(task: &str, who: &str, role: Role) -> axum::http::Request<axum::body::Body> {
    signed_in(
        request("POST", &format!("/api/calls/tasks/{task}/recording/link")),
        who,
        role,
    )
}

#[tokio::test]
async fn an_operator_plays_a_voicemail_by_range_through_a_link_and_each_play_is_audited() {
    // Given a voicemail left with a recording, and settings that do not let operators play
    // calls' recordings (a voicemail is the task list's, which every operator works from)
    let (app, control, twilio) = app(false).await;
    leave_voicemail(&control, VOICEMAIL, Some("RE88888888888888888888888888888888")).await;
    twilio.set_recording_media("RE88888888888888888888888888888888", media(3000));
    // When an operator asks to play it
    let (status, link) = call(&app, task_link_request(VOICEMAIL, "op-kato", Role::Operator)).await;
    // Then they get a link to the same ranged media route as a call's recording
    assert_eq!(status, StatusCode::OK, "{link}");
    let url = link["url"].as_str().unwrap();
    assert!(url.starts_with("/api/media/recordings/"), "{link}");
    assert_eq!(link["seconds"], 9);
    // And the player gets the recording by range, seeking included
    let (status, headers, body) = fetch(&app, url, Some("bytes=0-")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&headers, "content-range"), "bytes 0-2999/3000");
    assert_eq!(body, media(3000));
    let (status, _, body) = fetch(&app, url, Some("bytes=1000-1099")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(body, &media(3000)[1000..1100]);
    // And the audit log has who got the link and the one play
    assert_eq!(
        audited(&control, "recording_link").await,
        vec![("op-kato".into(), Some(VOICEMAIL.into()), String::new(), "issued".into())]
    );
    assert_eq!(
        audited(&control, "play_recording").await,
        vec![(
            "op-kato".into(),
            Some(VOICEMAIL.into()),
            String::new(),
            "listened".into()
        )]
    );
}

#[tokio::test]
async fn a_voicemail_still_recording_or_no_task_at_all_has_no_link() {
    // Given a caller still leaving their message (not a task yet), and a callback request
    // (a task with no recording)
    let (app, control, twilio) = app(false).await;
    leave_voicemail(&control, VOICEMAIL, None).await;
    let callback = "CA99999999999999999999999999999990";
    let caller = shared::domain::tasks::TaskCaller {
        customer: Some("+819012345678"),
        line_id: Some("main"),
        line_number: Some("+81501234567"),
        call_recorded: true,
    };
    control
        .services
        .tasks
        .callback_requested(callback, caller, "2026-12-01T01:00:00Z")
        .await
        .unwrap();
    // When an operator asks to play either, it is 404 and Twilio is not asked
    let (status, body) = call(&app, task_link_request(VOICEMAIL, "op-kato", Role::Operator)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = call(&app, task_link_request(callback, "op-kato", Role::Operator)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("録音"), "{body}");
    // And a task that does not exist is 404 too
    let (status, _) = call(
        &app,
        task_link_request("CA99999999999999999999999999999999", "op-kato", Role::Operator),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(twilio.media_reads().is_empty());
    // And the buffered relay of a voicemail's whole recording is gone
    let (status, _) = call(
        &app,
        signed_in(
            request("GET", &format!("/api/calls/tasks/{VOICEMAIL}/recording")),
            "op-kato",
            Role::Operator,
        ),
    )
    .await;
    assert!(
        status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED,
        "{status}"
    );
}

#[tokio::test]
async fn the_sweeps_place_is_written_by_the_first_recording_a_process_files_only() {
    let (_, control, _) = app(false).await;
    let now = Utc.with_ymd_and_hms(2026, 12, 3, 3, 0, 0).unwrap();
    let store = control.services.store.clone();
    let place = shared::store::table::recording_sweep_key();
    recorded_on(&control, now - Duration::days(3), 1, 1).await;
    let placed = store
        .get(&place)
        .await
        .unwrap()
        .expect("the first recording places the sweep");
    assert_eq!(placed["day"], "2026-11-30");
    // Once placed it only moves on: later recordings of this process do not write it again.
    store.delete(&place, None).await.unwrap();
    recorded_on(&control, now, 2, 2).await;
    assert!(store.get(&place).await.unwrap().is_none());
}
