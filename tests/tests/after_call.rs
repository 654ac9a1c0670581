//! The status an operator returns to after a call: the one they had before it. An operator
//! working through outbound calls in 離席 goes through 後処理 and back to 離席, never to 受付可,
//! so no customer's call is routed to them; one who answered from 受付可 is 受付可 again.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Console, start};

/// Sets 後処理 to `seconds` as the admin does.
async fn wrap_up_lasts(c: &Console, seconds: u32) {
    let admin = c.sign_in("admin-watanabe").await;
    let (_, settings) = c.api(&admin, "GET", "/api/settings", None).await;
    let mut value = settings["call_handling"].clone();
    value["wrap_up_seconds"] = json!(seconds);
    let version = settings["versions"]["call_handling"].as_u64().unwrap_or(0);
    let (s, v) = c
        .api(
            &admin,
            "PUT",
            "/api/settings/call_handling",
            Some(json!({"version": version, "value": value})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// Sato dials 03-1234-5678, the customer answers and hangs up; returns the customer's call id.
async fn one_outbound_call(c: &Console) -> String {
    let (_, placed) = c
        .sim(
            "POST",
            "/sim/phones/op_sato/connect",
            json!({"params": {"To": "03-1234-5678", "LineId": "main"}}),
        )
        .await;
    let leg = placed["callSid"].as_str().unwrap().to_owned();
    c.wait(json!({"call": leg, "in_conference": true})).await;
    let (_, state) = c.sim("GET", "/sim/state", json!({})).await;
    let sid = state["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|call| {
            call["to"] == "+81312345678" && call["direction"] == "outbound-api" && call["status"] != "completed"
        })
        .and_then(|call| call["sid"].as_str())
        .expect("the customer is being called")
        .to_owned();
    c.sim("POST", &format!("/sim/calls/{sid}/answer"), json!({})).await;
    c.wait(json!({"conference": sid, "labels": ["customer", "operator"], "settled": true}))
        .await;
    c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    c.wait(json!({"call": leg, "status": "completed", "settled": true}))
        .await;
    sid
}

async fn me(c: &Console, token: &str) -> Value {
    c.api(token, "GET", "/api/operators/me", None).await.1
}

#[tokio::test]
async fn an_operator_who_dials_out_in_away_goes_back_to_away_after_wrap_up_and_gets_no_inbound_call() {
    let c = start().await;
    wrap_up_lasts(&c, 1).await;
    let sato = c.sign_in("op-sato").await;
    c.sim("POST", "/sim/phones/op_sato", json!({})).await;
    c.api(
        &sato,
        "PUT",
        "/api/operators/me/status",
        Some(json!({"status": "away"})),
    )
    .await;

    for _ in 0..3 {
        one_outbound_call(&c).await;
        let during = me(&c, &sato).await;
        assert_eq!(during["status"], "wrap_up", "{during}");
        assert_eq!(during["after_call_status"], "away", "{during}");
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        let after = me(&c, &sato).await;
        assert_eq!(after["status"], "away", "{after}");
        assert_eq!(after.get("after_call_status"), None, "{after}");
    }
    let (_, started) = c.sim("POST", "/sim/calls", json!({"from": "+81311112222"})).await;
    let inbound = started["sid"].as_str().unwrap().to_owned();
    c.settle().await;
    let stored = c.stored_call(&inbound).await.expect("the call is recorded");
    assert_eq!(
        stored.get("status").and_then(Value::as_str),
        Some("waiting"),
        "{stored:?}"
    );
    assert_eq!(
        stored.get("offered_to"),
        None,
        "Sato in 離席 was offered the call: {stored:?}"
    );
}

#[tokio::test]
async fn an_operator_who_answered_from_available_is_available_again_after_wrap_up() {
    let c = start().await;
    wrap_up_lasts(&c, 1).await;
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("+81312345678", "op-sato").await;
    c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    c.settle().await;
    let during = me(&c, &sato).await;
    assert_eq!(during["status"], "wrap_up", "{during}");
    assert_eq!(during.get("after_call_status"), None, "{during}");
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(me(&c, &sato).await["status"], "available");
}

#[tokio::test]
async fn choosing_wrap_up_again_restarts_the_countdown_and_keeps_the_status_it_ends_in() {
    let c = start().await;
    wrap_up_lasts(&c, 2).await;
    let sato = c.sign_in("op-sato").await;
    c.sim("POST", "/sim/phones/op_sato", json!({})).await;
    c.api(
        &sato,
        "PUT",
        "/api/operators/me/status",
        Some(json!({"status": "break"})),
    )
    .await;
    one_outbound_call(&c).await;
    let first = me(&c, &sato).await;
    assert_eq!(first["after_call_status"], "break", "{first}");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (s, extended) = c
        .api(
            &sato,
            "PUT",
            "/api/operators/me/status",
            Some(json!({"status": "wrap_up"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{extended}");
    assert_eq!(extended["after_call_status"], "break", "{extended}");
    assert!(
        extended["wrap_up_until"].as_str() > first["wrap_up_until"].as_str(),
        "{first} then {extended}"
    );
    // Ended early: the operator picks the status themselves.
    let (_, ended) = c
        .api(
            &sato,
            "PUT",
            "/api/operators/me/status",
            Some(json!({"status": "break"})),
        )
        .await;
    assert_eq!(ended["status"], "break");
    assert_eq!(ended.get("after_call_status"), None, "{ended}");
}

#[tokio::test]
async fn wrap_up_cannot_end_while_the_required_response_status_is_not_chosen() {
    // Given an admin who made the response status required (対応ステータス必須),
    let c = start().await;
    let admin = c.sign_in("admin-watanabe").await;
    let (_, settings) = c.api(&admin, "GET", "/api/settings", None).await;
    let mut value = settings["call_handling"].clone();
    value["wrap_up_seconds"] = json!(60);
    value["require_response_status"] = json!(true);
    let version = settings["versions"]["call_handling"].as_u64().unwrap_or(0);
    let (s, v) = c
        .api(
            &admin,
            "PUT",
            "/api/settings/call_handling",
            Some(json!({"version": version, "value": value})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // and Sato in 後処理 after a call whose memo has no response status,
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("+81312345678", "op-sato").await;
    let (s, saved) = c
        .api(
            &sato,
            "PUT",
            &format!("/api/memos/{sid}"),
            Some(json!({"version": 0, "text": "住所変更の問い合わせ"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    c.settle().await;
    let during = me(&c, &sato).await;
    assert_eq!(during["status"], "wrap_up", "{during}");
    assert_eq!(during["wrap_up_call"], sid.as_str(), "{during}");

    // when Sato ends wrap-up, or chooses another status, the server refuses and says why;
    for status in ["available", "break"] {
        let (s, refused) = c
            .api(
                &sato,
                "PUT",
                "/api/operators/me/status",
                Some(json!({"status": status})),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{status}: {refused}");
        assert_eq!(refused["error"]["code"], "response_status_required", "{refused}");
        assert!(
            refused["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("response status"),
            "{refused}"
        );
    }
    assert_eq!(me(&c, &sato).await["status"], "wrap_up");
    // 延長 is still allowed, and keeps the call the wrap-up follows;
    let (s, extended) = c
        .api(
            &sato,
            "PUT",
            "/api/operators/me/status",
            Some(json!({"status": "wrap_up"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{extended}");
    assert_eq!(extended["wrap_up_call"], sid.as_str(), "{extended}");

    // then, once the memo has its response status, wrap-up ends.
    let (s, saved) = c
        .api(
            &sato,
            "PUT",
            &format!("/api/memos/{sid}"),
            Some(json!({"version": saved["version"], "text": "住所変更の問い合わせ", "response_status": "resolved"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    let (s, free) = c
        .api(
            &sato,
            "PUT",
            "/api/operators/me/status",
            Some(json!({"status": "available"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{free}");
    assert_eq!(free["status"], "available");
    assert_eq!(free.get("wrap_up_call"), None, "{free}");
}
