//! The operator whose answer callback is lost (dropped beyond Twilio's retries) controls the call
//! at once, through the whole console and the simulator: the check asks the simulator's REST API
//! whether their leg is in the conference (a read valid against Twilio's spec) and applies the
//! answer, instead of refusing every action 403 「this is not your call」 after a 4-second wait.

mod support;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_operator_whose_answer_callback_is_lost_holds_the_customer_at_once() {
    let c = support::start().await;
    let sato = c.operator("op-sato").await;
    let (s, started) = c.sim("POST", "/sim/calls", json!({"from": "03-1234-5678"})).await;
    assert_eq!(s, StatusCode::CREATED, "{started}");
    let sid = started["sid"].as_str().unwrap().to_owned();
    c.wait(json!({"phone": "op_sato"})).await;
    let (s, v) = c
        .sim(
            "PUT",
            "/sim/faults",
            json!({"webhooks": [{"kind": "drop", "paths": "/twilio/voice/operator-leg"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (s, _) = c.sim("POST", "/sim/phones/op_sato/accept", json!({})).await;
    assert_eq!(s, StatusCode::OK);
    c.wait(json!({"conference": sid, "labels": ["customer", "operator"], "settled": true}))
        .await;
    let call = c.stored_call(&sid).await.unwrap();
    assert!(
        call.get("operator_id").is_none(),
        "the answer callback was lost: {call:?}"
    );

    let asked = Instant::now();
    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hold"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    assert!(asked.elapsed() < Duration::from_secs(2), "{:?}", asked.elapsed());
    let call = c.stored_call(&sid).await.unwrap();
    assert_eq!(call["operator_id"], "op-sato", "{call:?}");
    let (_, me) = c.api(&sato, "GET", "/api/operators/me", None).await;
    assert_eq!(me["status"], "on_call", "{me}");
    let reads: Vec<_> = c
        .rest_log()
        .await
        .into_iter()
        .filter(|r| r["method"] == "GET" && r["path"].as_str().unwrap().ends_with("/Participants/operator.json"))
        .collect();
    assert_eq!(reads.len(), 1, "one read of her leg: {reads:?}");
    assert_eq!(reads[0]["status"], 200, "{reads:?}");
    c.settle().await;
    c.assert_no_problems().await;

    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hangup"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
}
