//! The supervisors' board at a centre's size: every operator on a call, with a memo, and a
//! full queue, read in bounded batches.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;
use shared::auth::Role;
use shared::control::CallControl;
use shared::domain::Services;
use shared::domain::calls::{CallSummary, Direction, memo_key};
use shared::domain::operators::operator_key;
use shared::domain::routing::Routing;
use shared::store::counting::CountingStore;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Item, MAX_BATCH_GET, Store};
use shared::testing::{call, request, signed_in};
use shared::twilio::AccountSid;
use shared::twilio::telephony::RecordingTelephony;

fn item(v: serde_json::Value) -> Item {
    v.as_object().cloned().expect("an object")
}

/// `operators` operators each talking on a call with a memo, and `waiting` callers in line.
async fn centre(store: &dyn Store, operators: usize, waiting: usize) {
    let at = "2026-11-23T01:00:00.000Z";
    let mut puts = Vec::new();
    for i in 0..operators {
        let id = format!("op-{i:04}");
        let sid = format!("CA{i:032x}");
        let key = operator_key(&id);
        puts.push(item(json!({
            "PK": key.pk, "SK": key.sk, "GSI1PK": "OPS", "GSI1SK": id,
            "id": id, "name": format!("オペレータ {i}"), "role": "operator",
            "status": "on_call", "status_since": at, "current_call": sid, "version": 3
        })));
        let mut c = CallSummary::new(&sid, Direction::Inbound, None, None, "in_progress", at.into(), None);
        c.operator_id = Some(id.clone());
        c.answered_at = Some(at.into());
        puts.push(c.to_item());
        let mk = memo_key(&sid);
        puts.push(item(json!({
            "PK": mk.pk, "SK": mk.sk, "call_sid": sid, "text": format!("ご用件 {i}"), "version": 1
        })));
    }
    store.batch_write(puts, vec![]).await.unwrap();
    for i in 0..waiting {
        let sid = format!("CA{:032x}", 1_000_000 + i);
        // The first caller hung up half an hour ago (their end callback lost); the others wait.
        let waited = if i == 0 { 1_800 } else { 60 - i as i64 };
        let at = (chrono::Utc::now() - chrono::Duration::seconds(waited))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let c = CallSummary::new(&sid, Direction::Inbound, None, None, "waiting", at.clone(), None);
        store.put(c.to_item(), None).await.unwrap();
        store.transact(Routing::enqueue_ops(&at, &sid)).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_answers_with_five_hundred_operators_on_calls_in_bounded_batches() {
    // Given 500 operators on calls with memos and 40 callers waiting,
    let counting = Arc::new(CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap())));
    centre(&*counting, 500, 40).await;
    let services = Services::new(counting.clone());
    // The settings (the queues' names) come from the warm instance's cache.
    services.settings.get().await.unwrap();
    let twilio = Arc::new(RecordingTelephony::new(
        AccountSid::parse("AC0123456789abcdef0123456789abcdef").unwrap(),
    ));
    let app = operators::router(CallControl::new(services, twilio, "https://voice.example.jp"));
    counting.reset();

    // when a supervisor reads the board,
    let (code, board) = call(
        &app,
        signed_in(request("GET", "/api/monitor"), "sv-ito", Role::Supervisor),
    )
    .await;

    // then every operator is on it with their call and memo, and the queue is shown,
    assert_eq!(code, StatusCode::OK, "{board}");
    let ops = board["operators"].as_array().unwrap();
    assert_eq!(ops.len(), 500);
    assert!(
        ops.iter()
            .all(|o| o["call"]["memo"].as_str().is_some_and(|m| m.starts_with("ご用件")))
    );
    let queue = board["queue"].as_array().unwrap();
    assert_eq!(queue.len(), 30, "the first 30 in line still on the line");
    assert!(queue.iter().all(|w| w["sid"] != format!("CA{:032x}", 1_000_000)));
    assert!(
        board["longest_wait_seconds"].as_u64().unwrap() < 120,
        "{}",
        board["longest_wait_seconds"]
    );
    // in one batch read per 100 keys: two keys a call (record, memo) and one per queued call.
    let counts = counting.counts();
    let keys: usize = 2 * 500 + 30;
    assert_eq!(counts.batch_gets, keys.div_ceil(MAX_BATCH_GET) as u64, "{counts:?}");
    assert_eq!(counts.queries, 2, "the operator list and the queue: {counts:?}");
    assert_eq!(counts.gets, 1, "the day's figures: {counts:?}");
}
