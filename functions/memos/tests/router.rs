//! The memos router: saves while typing, stale saves refused with the current text, labels and
//! emoji kept intact, the memo in the call's history, only the operator on the call or a
//! supervisor; the live transcript read whole or its last lines (the board's card).

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;
use shared::auth::Role;
use shared::domain::Services;
use shared::domain::calls::{CallSummary, Direction, call_key};
use shared::store::embedded::EmbeddedStore;
use shared::testing::{call, json_request, request, signed_in};

const CALL: &str = "CA55555555555555555555555555555555";

async fn app() -> (axum::Router, Services) {
    let services = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    let summary = CallSummary {
        sid: CALL.into(),
        direction: Direction::Inbound,
        customer: Some("+81312345678".into()),
        customer_display: None,
        line: None,
        status: "in_progress".into(),
        account_id: None,
        contact_id: None,
        operator_id: Some("op-sato".into()),
        operator_name: Some("佐藤 花子".into()),
        started_at: "2026-11-23T10:00:00Z".into(),
        answered_at: None,
        ended_at: None,
        duration_seconds: None,
        end_reason: None,
        memo: None,
        response_status: None,
        recording_url: None,
        recording_deleted_at: None,
        external: None,
    };
    services.store.put(summary.to_item(), None).await.unwrap();
    (memos::router(services.clone()), services)
}

fn save(version: u64, text: &str) -> axum::http::Request<axum::body::Body> {
    json_request(
        "PUT",
        &format!("/api/memos/{CALL}"),
        &json!({"version": version, "text": text, "response_status": "resolved"}),
    )
}

#[tokio::test]
async fn the_operator_saves_while_typing_and_the_memo_shows_in_history_intact() {
    let (app, services) = app().await;
    let text = format!(
        "【お客様】請求書が届かない🙏\n【オペレータ】再送を手配{}",
        "。".repeat(9_970)
    );
    assert_eq!(text.chars().count(), 9_997);
    let (status, body) = call(&app, signed_in(save(0, "【お客様】"), "op-sato", Role::Operator)).await;
    assert_eq!((status, body["version"].as_u64()), (StatusCode::OK, Some(1)), "{body}");
    let (status, body) = call(&app, signed_in(save(1, &text), "op-sato", Role::Operator)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["text"], text);
    let number = shared::phone::PhoneNumber::parse("+81312345678").unwrap();
    let history = services
        .history
        .calls(&shared::domain::history::Subject::Phone(number), 20, None)
        .await
        .unwrap();
    assert_eq!(history.items.len(), 1);
    assert_eq!(
        history.items[0].call.memo.as_deref(),
        Some(text.as_str()),
        "history shows the memo as saved"
    );
    assert_eq!(history.items[0].call.response_status.as_deref(), Some("resolved"));
    let stored = services.store.get(&call_key(CALL)).await.unwrap().unwrap();
    assert!(
        stored.get("memo").is_none(),
        "a save writes the memo alone, not a copy on the call record"
    );
    let (_, seen) = call(
        &app,
        signed_in(
            request("GET", &format!("/api/memos/{CALL}")),
            "sv-ito",
            Role::Supervisor,
        ),
    )
    .await;
    assert_eq!(seen["text"], text, "a supervisor reads it live");
}

#[tokio::test]
async fn a_stale_save_gets_409_with_the_current_memo() {
    let (app, _) = app().await;
    call(&app, signed_in(save(0, "タブ1"), "op-sato", Role::Operator)).await;
    let (status, body) = call(&app, signed_in(save(0, "タブ2"), "op-sato", Role::Operator)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["current"]["text"], "タブ1");
}

#[tokio::test]
async fn a_save_claiming_the_largest_version_is_stale_not_an_overflow() {
    let (app, _) = app().await;
    call(&app, signed_in(save(0, "保存済み"), "op-sato", Role::Operator)).await;
    let (status, body) = call(&app, signed_in(save(u64::MAX, "上書き"), "op-sato", Role::Operator)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["current"]["text"], "保存済み");
    assert_eq!(body["error"]["current"]["version"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_writers_each_land_or_are_told_and_nothing_is_lost_silently() {
    let (app, _) = app().await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let (_, cur) = call(
                &app,
                signed_in(request("GET", &format!("/api/memos/{CALL}")), "op-sato", Role::Operator),
            )
            .await;
            let v = cur["version"].as_u64().unwrap();
            let (status, _) = call(
                &app,
                signed_in(
                    save(v, &format!("{}{i}\n", cur["text"].as_str().unwrap())),
                    "op-sato",
                    Role::Operator,
                ),
            )
            .await;
            (status, i)
        }));
    }
    let mut landed = 0;
    for t in tasks {
        match t.await.unwrap() {
            (StatusCode::OK, _) => landed += 1,
            (StatusCode::CONFLICT, _) => {}
            (other, i) => panic!("writer {i}: {other}"),
        }
    }
    let (_, fin) = call(
        &app,
        signed_in(request("GET", &format!("/api/memos/{CALL}")), "op-sato", Role::Operator),
    )
    .await;
    assert_eq!(
        fin["version"].as_u64().unwrap(),
        landed,
        "each landed save is one version"
    );
    assert_eq!(
        fin["text"].as_str().unwrap().lines().count() as u64,
        landed,
        "every landed save's line is in the text"
    );
}

#[tokio::test]
async fn limits_statuses_and_access_are_enforced() {
    let (app, _) = app().await;
    let (status, body) = call(
        &app,
        signed_in(save(0, &"あ".repeat(10_001)), "op-sato", Role::Operator),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("memo_too_long"))
    );
    let bad = json_request(
        "PUT",
        &format!("/api/memos/{CALL}"),
        &json!({"version": 0, "text": "x", "response_status": "nope"}),
    );
    let (status, _) = call(&app, signed_in(bad, "op-sato", Role::Operator)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(&app, signed_in(save(0, "x"), "op-suzuki", Role::Operator)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another operator's call");
    let (status, _) = call(
        &app,
        signed_in(
            request("GET", "/api/memos/CA00000000000000000000000000000000"),
            "op-sato",
            Role::Operator,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        &app,
        signed_in(request("GET", "/api/memos/..%2Fetc"), "op-sato", Role::Operator),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_supervisor_reads_the_last_lines_of_a_live_calls_transcript_and_a_bad_count_is_422() {
    // Given a live call of five phrases
    let (app, services) = app().await;
    for seq in 1..=5 {
        let heard = shared::domain::transcripts::Heard {
            seq,
            speaker: shared::domain::transcripts::Speaker::Customer,
            text: format!("{seq}番目です。"),
            at: "2026-11-23T10:01:00Z".into(),
        };
        services.transcripts.keep(CALL, heard, &[]).await.unwrap();
    }
    let read = |query: &str| {
        signed_in(
            request("GET", &format!("/api/memos/{CALL}/transcript{query}")),
            "sv-ito",
            Role::Supervisor,
        )
    };
    // When a supervisor's board asks for the last three
    let (status, body) = call(&app, read("?last=3")).await;
    // Then it gets phrases 3 to 5 in the order said
    assert_eq!(status, StatusCode::OK, "{body}");
    let seqs: Vec<u64> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, vec![3, 4, 5]);
    // And without `last` the whole transcript
    let (_, body) = call(&app, read("")).await;
    assert_eq!(body.as_array().unwrap().len(), 5);
    // And a count outside 1–20 is refused saying so; one that is not a number is 400
    for bad in ["?last=0", "?last=21"] {
        let (status, body) = call(&app, read(bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains("1 から 20"),
            "{body}"
        );
    }
    let (status, _) = call(&app, read("?last=many")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
