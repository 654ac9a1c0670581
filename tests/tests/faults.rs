//! Fault injection through the whole console: the store failing or slow (switched on and off
//! while calls are under way) and Twilio's REST API answering 429, 500 or too slowly (the
//! simulator's `PUT /sim/faults`). A customer is never dropped (parked, then given an operator
//! once the fault clears), Twilio requests are retried a bounded number of times (counted in the
//! simulator's request log), nothing is half-applied, and the page gets a JSON error it can show.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::store::Query;
use support::{Console, Mode};

/// Wait messages and hold music come back quickly, so the console's own retries (the wait
/// document re-records and re-routes each time it is fetched) run without a long wait.
async fn console() -> Console {
    support::start_with(local::sim::SimConfig {
        default_answering: local::sim::Answering::Manual,
        pause_scale: 0.02,
        ..local::sim::SimConfig::default()
    })
    .await
}

/// The error the page shows: a JSON `{error: {code, message}}` that names no internals.
fn assert_clear_error(status: StatusCode, body: &Value) {
    assert!(status.is_server_error(), "{status} {body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        body["error"]["code"].is_string() && !message.is_empty(),
        "a JSON error the page can show: {body}"
    );
    for internal in ["injected", "store", "Twilio refused", "HTTP 5", "sqlite"] {
        assert!(!message.contains(internal), "the message names internals: {body}");
    }
}

async fn queue_len(c: &Console) -> usize {
    c.raw.query(Query::partition("QUEUE")).await.unwrap().items.len()
}

/// Twilio's REST requests to paths containing `part`, with their statuses, in order.
async fn rest_statuses(c: &Console, part: &str) -> Vec<u64> {
    c.rest_log()
        .await
        .iter()
        .filter(|r| r["path"].as_str().unwrap().contains(part))
        .map(|r| r["status"].as_u64().unwrap())
        .collect()
}

async fn fault(c: &Console, rest: Value) {
    let (s, v) = c.sim("PUT", "/sim/faults", json!({"rest": rest})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
}

async fn start_call(c: &Console) -> String {
    let (s, started) = c.sim("POST", "/sim/calls", json!({"from": "03-1234-5678"})).await;
    assert_eq!(s, StatusCode::CREATED, "{started}");
    started["sid"].as_str().unwrap().to_owned()
}

async fn accept(c: &Console, sid: &str) {
    let (s, v) = c.sim("POST", "/sim/phones/op_sato/accept", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    c.wait(json!({"conference": sid, "labels": ["customer", "operator"], "settled": true, "timeout_ms": 30000}))
        .await;
}

#[tokio::test]
async fn a_call_arriving_while_the_store_is_down_is_parked_and_routed_once_it_is_back() {
    let c = console().await;
    let sato = c.operator("op-sato").await;
    c.store.set(Mode::Down);

    let sid = start_call(&c).await;
    let parked = c
        .wait(json!({"call": sid, "in_conference": true, "heard": "おつなぎいたします"}))
        .await;
    assert_eq!(
        parked["call"]["status"], "in-progress",
        "the customer is not dropped: {parked:#}"
    );
    let (_, hooks) = c.sim("GET", "/sim/webhooks", json!({})).await;
    let incoming = hooks
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["url"].as_str().unwrap().ends_with("/twilio/voice/incoming"))
        .cloned()
        .unwrap();
    assert_eq!(
        incoming["status"], 200,
        "the incoming webhook answered TwiML: {incoming}"
    );
    assert!(c.store.refused() > 0, "the outage was hit");
    assert!(c.stored_call(&sid).await.is_none(), "nothing half-recorded");
    assert_eq!(queue_len(&c).await, 0);
    let (s, body) = c.api(&sato, "GET", "/api/operators/me", None).await;
    assert_clear_error(s, &body);

    c.store.set(Mode::Healthy);
    let ring = c.wait(json!({"phone": "op_sato", "timeout_ms": 30000})).await;
    assert_eq!(ring["ringing"]["params"]["callSid"], json!(sid), "{ring:#}");
    accept(&c, &sid).await;
    let stored = c.stored_call(&sid).await.unwrap();
    assert_eq!(stored["operator_id"], "op-sato", "{stored:?}");
    assert_eq!(stored["customer"], "+81312345678");
    assert_eq!(queue_len(&c).await, 0, "out of the queue once answered");
}

#[tokio::test]
async fn a_slow_store_never_holds_the_incoming_call_up_past_its_budget() {
    let c = console().await;
    let _sato = c.operator("op-sato").await;
    c.store.set(Mode::Slow);

    let sid = start_call(&c).await;
    c.wait(json!({"call": sid, "in_conference": true, "heard": "おつなぎいたします", "timeout_ms": 30000}))
        .await;
    let (_, hooks) = c.sim("GET", "/sim/webhooks", json!({})).await;
    let statuses: Vec<&Value> = hooks
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["url"].as_str().unwrap().ends_with("/twilio/voice/incoming"))
        .map(|h| &h["status"])
        .collect();
    assert_eq!(statuses, [&json!(200)], "answered within Twilio's 15 s, no fallback");
    assert!(
        !parked_heard(&c, &sid).await.contains("システムに問題"),
        "the fallback apology was never played"
    );

    c.store.set(Mode::Healthy);
    c.wait(json!({"phone": "op_sato", "timeout_ms": 30000})).await;
    accept(&c, &sid).await;
    let stored = c.stored_call(&sid).await.unwrap();
    assert_eq!(stored["operator_id"], "op-sato");
}

async fn parked_heard(c: &Console, sid: &str) -> String {
    let (_, call) = c.sim("GET", &format!("/sim/calls/{sid}"), json!({})).await;
    call["call"]["heard"].to_string()
}

#[tokio::test]
async fn memo_saves_and_call_callbacks_during_an_outage_fail_cleanly_and_apply_when_retried() {
    let c = console().await;
    let sato = c.operator("op-sato").await;
    let sid = start_call(&c).await;
    c.wait(json!({"phone": "op_sato"})).await;
    accept(&c, &sid).await;
    let (s, v) = c
        .api(
            &sato,
            "PUT",
            &format!("/api/memos/{sid}"),
            Some(json!({"version": 0, "text": "【お客様】請求書の件"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    c.store.set(Mode::Down);
    let (s, body) = c
        .api(
            &sato,
            "PUT",
            &format!("/api/memos/{sid}"),
            Some(json!({"version": 1, "text": "【お客様】請求書の件【オペレータ】再発行します"})),
        )
        .await;
    assert_clear_error(s, &body);

    // The customer hangs up during the outage: the callbacks are answered 503 (try again).
    let (s, _) = c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    let (_, hooks) = c.sim("GET", "/sim/webhooks", json!({})).await;
    let refused: Vec<Value> = hooks
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["status"] == 503)
        .cloned()
        .collect();
    assert!(
        refused
            .iter()
            .any(|h| h["url"].as_str().unwrap().ends_with("/twilio/voice/status")),
        "the customer's final status was refused for a retry: {hooks:#}"
    );
    assert!(
        hooks.as_array().unwrap().iter().all(|h| h["status"] != 500),
        "no callback broke"
    );

    c.store.set(Mode::Healthy);
    let (_, memo) = c.api(&sato, "GET", &format!("/api/memos/{sid}"), None).await;
    assert_eq!(
        (memo["version"].clone(), memo["text"].clone()),
        (json!(1), json!("【お客様】請求書の件")),
        "the failed save changed nothing"
    );
    let stored = c.stored_call(&sid).await.unwrap();
    assert_eq!(stored["status"], "in_progress", "not half-ended: {stored:?}");

    // Twilio retries what was refused (as it does with a 5xx retry override): the same
    // callbacks, signed again, in the same order, now apply; a second delivery changes nothing.
    for round in 0..2 {
        for h in &refused {
            let url = h["url"].as_str().unwrap();
            let params: Vec<(String, String)> = serde_json::from_value(h["params"].clone()).unwrap();
            let signature = shared::twilio::signature::compute_signature(&c.account.auth_token, url, &params);
            let r = c
                .http
                .post(url)
                .header("x-twilio-signature", signature)
                .form(&params)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "retry {round} of {url}: {}", r.status());
        }
    }
    let stored = c.stored_call(&sid).await.unwrap();
    assert_eq!(stored["status"], "completed", "{stored:?}");
    let (_, me) = c.api(&sato, "GET", "/api/operators/me", None).await;
    assert_eq!(me["current_call"], Value::Null, "Sato is free again: {me}");
}

#[tokio::test]
async fn rate_limited_participant_requests_are_retried_a_bounded_number_of_times_and_the_call_still_rings() {
    let c = console().await;
    let _sato = c.operator("op-sato").await;
    // More 429s than one request's retries: the first ring fails after 1 + 3 attempts, the
    // customer keeps waiting, and the next routing round rings Sato.
    fault(&c, json!({"status": 429, "count": 4, "paths": "Participants"})).await;
    let sid = start_call(&c).await;
    c.wait(json!({"phone": "op_sato", "timeout_ms": 30000})).await;
    let statuses = rest_statuses(&c, "/Participants.json").await;
    assert_eq!(
        statuses,
        [429, 429, 429, 429, 201],
        "4 attempts, then the next round rang"
    );
    let (_, state) = c.sim("GET", "/sim/faults", json!({})).await;
    assert_eq!(state["rest"]["injected"], 4, "{state}");
    accept(&c, &sid).await;
    let stored = c.stored_call(&sid).await.unwrap();
    assert_eq!(stored["operator_id"], "op-sato");
    assert_eq!(queue_len(&c).await, 0);
}

#[tokio::test]
async fn twilio_failing_or_timing_out_during_hold_and_consult_gives_a_clear_error_and_changes_nothing() {
    let c = console().await;
    let sato = c.operator("op-sato").await;
    let sid = start_call(&c).await;
    c.wait(json!({"phone": "op_sato"})).await;
    accept(&c, &sid).await;
    let hold = format!("/api/calls/{sid}/hold");

    // 500 on an idempotent update: retried, 1 + 3 attempts, then a clear error.
    let before = rest_statuses(&c, "/Participants/").await.len();
    fault(&c, json!({"status": 500, "count": 10, "paths": "/Participants/"})).await;
    let (s, body) = c.api(&sato, "POST", &hold, None).await;
    assert_clear_error(s, &body);
    let attempts = rest_statuses(&c, "/Participants/").await.len() - before;
    assert_eq!(attempts, 4, "retries are bounded");
    c.wait(json!({"call": sid, "held": false, "settled": true})).await;

    // One attempt slower than the client waits: timed out, retried once, held.
    fault(&c, json!({"count": 1, "paths": "/Participants/", "delay_ms": 6000})).await;
    let (s, v) = c.api(&sato, "POST", &hold, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(json!({"call": sid, "held": true, "settled": true})).await;

    // 500 on creating the consultation participant, which is not idempotent: no retry (it may
    // have been placed), a clear error, no consult leg.
    let before = rest_statuses(&c, "/Participants.json").await.len();
    fault(&c, json!({"status": 500, "count": 10, "paths": "/Participants.json"})).await;
    let (s, body) = c
        .api(
            &sato,
            "POST",
            &format!("/api/calls/{sid}/consult"),
            Some(json!({"to": "090-1111-2222", "line_id": "main"})),
        )
        .await;
    assert_clear_error(s, &body);
    assert_eq!(
        rest_statuses(&c, "/Participants.json").await.len() - before,
        1,
        "not retried"
    );
    c.wait(
        json!({"conference": sid, "labels": ["customer", "operator"], "without_labels": ["consult"], "settled": true}),
    )
    .await;
    let (_, live) = c.api(&sato, "GET", &format!("/api/calls/{sid}"), None).await;
    assert_eq!(live["consult_in_progress"], false, "{live:#}");
    assert_eq!(live["customer_held"], true, "still held, as before the failure");

    let (s, _) = c.sim("DELETE", "/sim/faults", json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hangup"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
}

#[tokio::test]
async fn the_fault_switch_refuses_settings_that_inject_nothing() {
    let c = console().await;
    for bad in [
        json!({"rest": {"status": 500, "count": 0}}),
        json!({"rest": {"status": 200, "count": 1}}),
        json!({"rest": {"count": 1}}),
        json!({"rest": {"status": 500, "count": 1, "path": "typo"}}),
    ] {
        let (s, v) = c.sim("PUT", "/sim/faults", bad.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {v}");
        assert!(v["error"]["message"].is_string());
    }
}

#[tokio::test]
async fn callbacks_refused_during_a_short_outage_are_applied_by_twilios_retries() {
    let c = console().await;
    let sato = c.operator("op-sato").await;
    let sid = start_call(&c).await;
    c.wait(json!({"phone": "op_sato"})).await;
    accept(&c, &sid).await;

    // The store refuses one request as the customer hangs up: the first callback gets 503 and
    // Twilio (the simulator, honouring the `#rc=3&rp=ct,rt,5xx` overrides on every callback URL)
    // sends it again; nobody re-sends anything by hand.
    c.store.fail_next(1);
    let (s, _) = c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    let (_, hooks) = c.sim("GET", "/sim/webhooks", json!({})).await;
    let hooks = hooks.as_array().unwrap();
    let refused = hooks
        .iter()
        .position(|h| h["status"] == 503)
        .expect("one callback met the outage");
    let again = &hooks[refused + 1];
    assert_eq!(
        again["url"], hooks[refused]["url"],
        "the refused callback is retried next"
    );
    assert_eq!(again["params"], hooks[refused]["params"]);
    assert!(again["status"].as_u64().unwrap() < 300, "and applied: {again}");

    let stored = c.stored_call(&sid).await.unwrap();
    assert_eq!(stored["status"], "completed", "{stored:?}");
    let (_, me) = c.api(&sato, "GET", "/api/operators/me", None).await;
    assert_eq!(me["current_call"], Value::Null, "Sato is free again: {me}");
    let (_, problems) = c.sim("GET", "/sim/problems", json!({})).await;
    assert_eq!(problems, json!([]), "nothing was lost");
}
