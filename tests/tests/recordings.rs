//! A call's recording end to end through the local runtime and the Twilio simulator: a call on
//! the recorded main line is answered and hung up; a supervisor's link plays the simulator's
//! copy by byte range (the same bytes whichever way they are asked for), an operator is refused;
//! when the retention period has passed the sweep deletes the recording at Twilio through its
//! REST API (the simulator checks the request against Twilio's spec), the call says so, and a
//! second sweep asks nothing more.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::start;

/// The link's media with `range`: status, Content-Range and bytes.
async fn media(c: &support::Console, url: &str, range: &str) -> (StatusCode, String, Vec<u8>) {
    let res = c
        .http
        .get(format!("{}{url}", c.url))
        .header("range", range)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let content_range = res
        .headers()
        .get("content-range")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, content_range, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_recorded_call_plays_by_range_and_is_deleted_at_twilio_after_its_retention() {
    // Given a call on the recorded main line, answered and hung up
    let c = start().await;
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;
    c.api(&sato, "POST", &format!("/api/calls/{sid}/hangup"), None).await;
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    let ito = c.sign_in("sv-ito").await;

    // When an operator asks to play it, they are refused; a supervisor gets a link
    let (s, refused) = c
        .api(&sato, "POST", &format!("/api/calls/{sid}/recording/link"), None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{refused}");
    let (s, link) = c
        .api(&ito, "POST", &format!("/api/calls/{sid}/recording/link"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{link}");
    let url = link["url"].as_str().unwrap().to_owned();

    // Then the whole recording from the start, and the same bytes asked in two ranges
    let (s, whole_range, whole) = media(&c, &url, "bytes=0-").await;
    assert_eq!(s, StatusCode::PARTIAL_CONTENT);
    assert_eq!(&whole[..4], b"RIFF", "a WAV file");
    assert_eq!(whole_range, format!("bytes 0-{}/{}", whole.len() - 1, whole.len()));
    assert!(
        whole.len() >= 44 + 20 * 16_000,
        "at least 20 s to seek in: {} bytes",
        whole.len()
    );
    let (s, first_range, first) = media(&c, &url, "bytes=100-199").await;
    assert_eq!(
        (s, first_range.as_str()),
        (
            StatusCode::PARTIAL_CONTENT,
            format!("bytes 100-199/{}", whole.len()).as_str()
        )
    );
    assert_eq!(first, &whole[100..200]);
    let (_, _, tail) = media(&c, &url, "bytes=-500").await;
    assert_eq!(tail, &whole[whole.len() - 500..]);
    let (s, past, _) = media(&c, &url, &format!("bytes={}-", whole.len())).await;
    assert_eq!(
        (s, past),
        (StatusCode::RANGE_NOT_SATISFIABLE, format!("bytes */{}", whole.len()))
    );

    // When the sweep runs as of today nothing is deleted; as of 100 days on (90 kept), it is
    let now = chrono::Utc::now();
    let kept = c.control.sweep_recordings(now).await.unwrap();
    assert_eq!(kept.deleted, 0, "{kept:?}");
    let swept = c
        .control
        .sweep_recordings(now + chrono::Duration::days(100))
        .await
        .unwrap();
    assert_eq!(swept.deleted, 1, "{swept:?}");
    let deletes: Vec<Value> = c
        .rest_log()
        .await
        .into_iter()
        .filter(|r| r["method"] == "DELETE" && r["path"].as_str().unwrap_or("").contains("/Recordings/RE"))
        .collect();
    assert_eq!(deletes.len(), 1, "{deletes:?}");
    assert_eq!(deletes[0]["status"], 204);

    // Then the call says it was deleted after its retention, and its link no longer plays
    let row = c.history_row(&ito, "03-1234-5678", &sid).await;
    assert!(row["recording_deleted_at"].is_string(), "{row:#}");
    assert_eq!(row["recording_url"], Value::Null);
    let (s, gone) = c
        .api(&ito, "POST", &format!("/api/calls/{sid}/recording/link"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(
        gone["error"]["message"]
            .as_str()
            .unwrap()
            .contains("保存期間を過ぎたため削除済み"),
        "{gone}"
    );
    let (s, _, _) = media(&c, &url, "bytes=0-").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "Twilio no longer has it");

    // And a second sweep asks Twilio nothing more
    let again = c
        .control
        .sweep_recordings(now + chrono::Duration::days(100))
        .await
        .unwrap();
    assert_eq!((again.deleted, again.already_gone), (0, 0), "{again:?}");
    let (_, problems) = c.sim("GET", "/sim/problems", json!({})).await;
    assert_eq!(problems, json!([]), "the functions broke none of Twilio's rules");
    for r in c.rest_log().await {
        let media = r["path"].as_str().unwrap_or("").ends_with(".wav");
        let status = r["status"].as_u64().unwrap();
        // A range past the end (416) and the media of a deleted recording (404) are answers.
        assert!(
            status < 400 || (media && [404, 416].contains(&status)),
            "refused REST request: {r}"
        );
    }
}
