//! 外部転送: a warm transfer to an outside number completes in the simulator. The operator holds,
//! calls the outside party on a chosen line, talks to them, and hands the customer over; the
//! customer and the outside party stay connected, the operator's leg leaves and the operator
//! is in 後処理; when the outside party hangs up the call ends, never leaving the customer
//! alone. Refused before the outside party answers.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::start;

#[tokio::test]
async fn a_warm_transfer_to_an_outside_number_hands_the_customer_over_and_frees_the_operator() {
    let c = start().await;
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;
    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hold"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(json!({"call": sid, "held": true, "settled": true})).await;

    // Not before the outside party is connected.
    let (s, v) = c
        .api(&sato, "POST", &format!("/api/calls/{sid}/consult/handover"), None)
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "no_consult");

    let (s, v) = c
        .api(
            &sato,
            "POST",
            &format!("/api/calls/{sid}/consult"),
            Some(json!({"to": "090-1111-2222", "line_id": "sales"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (_, state) = c.sim("GET", "/sim/state", json!({})).await;
    let outside = state["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|call| call["to"] == "+819011112222")
        .expect("the outside party is called")
        .clone();
    assert_eq!(outside["from"], "+815030001234", "on the line chosen");
    let outside_sid = outside["sid"].as_str().unwrap().to_owned();
    c.sim("POST", &format!("/sim/calls/{outside_sid}/answer"), json!({}))
        .await;
    c.wait(json!({"conference": sid, "labels": ["customer", "operator", "consult"], "settled": true}))
        .await;

    let (s, v) = c
        .api(&sato, "POST", &format!("/api/calls/{sid}/consult/handover"), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(
        json!({"conference": sid, "labels": ["customer", "consult"], "without_labels": ["operator"], "settled": true}),
    )
    .await;
    c.wait(json!({"call": sid, "held": false, "status": "in-progress"}))
        .await;
    let (_, me) = c.api(&sato, "GET", "/api/operators/me", None).await;
    assert_eq!(me["status"], "wrap_up", "{me:#}");
    assert!(me.get("current_call").is_none(), "{me:#}");
    let stored = c.stored_call(&sid).await.expect("the call is recorded");
    let external = stored.get("external").expect("the handover is recorded");
    assert_eq!(
        (external["mode"].as_str(), external["to"].as_str()),
        (Some("warm"), Some("+819011112222")),
        "{external}"
    );

    // The outside party hangs up: the call ends for the customer too.
    c.sim("POST", &format!("/sim/calls/{outside_sid}/hangup"), json!({}))
        .await;
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    let (_, me) = c.api(&sato, "GET", "/api/operators/me", None).await;
    assert!(me.get("current_call").is_none(), "{me:#}");
    c.assert_no_problems().await;
}

#[tokio::test]
async fn a_cold_transfer_to_an_outside_number_frees_the_operator_at_once_and_connects_the_customer_when_they_answer() {
    let c = start().await;
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;

    // A barred or invalid number is refused before anything is dialled.
    for (to, code) in [
        ("+12125550123", "barred_country"),
        ("0990-123-456", "premium_rate_number"),
        ("12", "invalid_phone"),
    ] {
        let (s, v) = c
            .api(
                &sato,
                "POST",
                &format!("/api/calls/{sid}/external"),
                Some(json!({"to": to, "line_id": "sales"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{to}: {v}");
        assert_eq!(v["error"]["code"], code, "{to}: {v}");
    }
    let (_, state) = c.sim("GET", "/sim/state", json!({})).await;
    assert_eq!(state["calls"].as_array().unwrap().len(), 2, "no leg placed: {state:#}");

    // The operator hands the customer over without waiting: they are free at once.
    let (s, v) = c
        .api(
            &sato,
            "POST",
            &format!("/api/calls/{sid}/external"),
            Some(json!({"to": "090-1111-2222", "line_id": "sales"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(json!({"conference": sid, "labels": ["customer"], "without_labels": ["operator"], "settled": true}))
        .await;
    c.wait(json!({"call": sid, "held": true})).await;
    let (_, me) = c.api(&sato, "GET", "/api/operators/me", None).await;
    assert_eq!(me["status"], "wrap_up", "{me:#}");
    assert!(me.get("current_call").is_none(), "{me:#}");
    let (_, state) = c.sim("GET", "/sim/state", json!({})).await;
    let outside = state["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|call| call["to"] == "+819011112222")
        .expect("the outside party is called")
        .clone();
    assert_eq!(outside["from"], "+815030001234", "on the line chosen");

    // They answer: the customer comes off hold with them, and the call says so.
    let outside_sid = outside["sid"].as_str().unwrap().to_owned();
    c.sim("POST", &format!("/sim/calls/{outside_sid}/answer"), json!({}))
        .await;
    c.wait(json!({"conference": sid, "labels": ["customer", "consult"], "settled": true}))
        .await;
    c.wait(json!({"call": sid, "held": false, "status": "in-progress"}))
        .await;
    let stored = c.stored_call(&sid).await.expect("the call is recorded");
    let external = stored.get("external").expect("the handover is recorded");
    assert_eq!(external["to"], "+819011112222", "{external}");
    assert_eq!(external["to_display"], "090-1111-2222", "{external}");
    assert_eq!(external["mode"], "cold", "{external}");
    assert_eq!(external["by"], "op-sato", "{external}");
    assert!(external.get("connected_at").is_some(), "{external}");

    // The outside party hangs up: the call ends, and history shows whom it was handed to.
    c.sim("POST", &format!("/sim/calls/{outside_sid}/hangup"), json!({}))
        .await;
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    let (s, history) = c.api(&sato, "GET", "/api/history/calls?phone=03-1234-5678", None).await;
    assert_eq!(s, StatusCode::OK, "{history}");
    let row = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["sid"] == sid.as_str())
        .expect("the call in history")
        .clone();
    assert_eq!(row["external"]["to_display"], "090-1111-2222", "{row:#}");
    c.assert_no_problems().await;
}

/// Nobody answers the outside number: the customer, held with nobody, is not left there — once
/// `orphan_hold_seconds` have passed the call goes back in line (its operator has left for
/// 後処理) and the next free operator gets it, off hold.
#[tokio::test]
async fn a_cold_transfer_to_an_outside_number_nobody_answers_comes_back_to_an_operator() {
    let c = support::start_with(local::sim::SimConfig {
        pause_scale: 0.05,
        ..local::sim::SimConfig::default()
    })
    .await;
    let admin = c.sign_in("admin-watanabe").await;
    let (_, settings) = c.api(&admin, "GET", "/api/settings", None).await;
    let mut value = settings["call_handling"].clone();
    value["orphan_hold_seconds"] = json!(5);
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
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;
    c.operator("op-suzuki").await;

    let (s, v) = c
        .api(
            &sato,
            "POST",
            &format!("/api/calls/{sid}/external"),
            Some(json!({"to": "090-1111-2222", "line_id": "main"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (_, state) = c.sim("GET", "/sim/state", json!({})).await;
    let outside = state["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|call| call["to"] == "+819011112222")
        .and_then(|call| call["sid"].as_str())
        .expect("the outside party is called")
        .to_owned();
    c.sim("POST", &format!("/sim/calls/{outside}/no-answer"), json!({}))
        .await;

    let offered = c.wait(json!({"phone": "op_suzuki", "timeout_ms": 20000})).await;
    assert_eq!(offered["ringing"]["params"]["callSid"], sid.as_str(), "{offered:#}");
    let (s, v) = c.sim("POST", "/sim/phones/op_suzuki/accept", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    c.wait(json!({"conference": sid, "labels": ["customer", "operator"], "settled": true}))
        .await;
    c.wait(json!({"call": sid, "held": false, "status": "in-progress"}))
        .await;
    c.assert_no_problems().await;
}
