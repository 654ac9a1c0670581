//! Who a call can be transferred to: the manual's list offers the users who can take a call, and
//! the API agrees with it. An operator in 離席, 休憩 or an admin's status (or in 後処理 still
//! running) is not handed a customer; one in 受付可 is.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::start;

#[tokio::test]
async fn a_transfer_to_an_operator_who_is_not_taking_calls_is_refused_and_one_in_available_goes_through() {
    let c = start().await;
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;
    let tanaka = c.operator("op-tanaka").await;
    let transfer = json!({"to_operator": "op-tanaka", "mode": "warm"});
    let path = format!("/api/calls/{sid}/transfer");

    for status in ["away", "break", "training", "wrap_up"] {
        let (s, v) = c
            .api(
                &tanaka,
                "PUT",
                "/api/operators/me/status",
                Some(json!({"status": status})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (s, v) = c.api(&sato, "POST", &path, Some(transfer.clone())).await;
        assert_eq!(s, StatusCode::CONFLICT, "{status}: {v}");
        assert_eq!(v["error"]["code"], "target_not_available", "{status}: {v}");
        let (_, state) = c.sim("GET", "/sim/state", json!({})).await;
        let rang = state["calls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|call| call["to"].as_str().is_some_and(|to| to.starts_with("client:op_tanaka")));
        assert!(!rang, "Tanaka's phone rang while {status}");
    }

    c.api(
        &tanaka,
        "PUT",
        "/api/operators/me/status",
        Some(json!({"status": "available"})),
    )
    .await;
    let (s, v) = c.api(&sato, "POST", &path, Some(transfer)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    c.wait(json!({"phone": "op_tanaka"})).await;
}
