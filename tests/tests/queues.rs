//! Several queues (窓口) and operators' skills through the Twilio simulator: a caller's menu
//! choice files them in the queue the option names, and the operator with that skill is rung
//! while the longer-idle operator without it stays free; the line's own queue takes a caller
//! who chose nothing.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Console, start};

async fn put_section(c: &Console, section: &str, value: Value) {
    let settings = &c.control.services.settings;
    let version = settings
        .get()
        .await
        .unwrap()
        .versions
        .get(section)
        .copied()
        .unwrap_or(0);
    settings.put_section(section, version, value).await.unwrap();
}

async fn call(c: &Console, choices: Value) -> String {
    let (s, started) = c
        .sim(
            "POST",
            "/sim/calls",
            json!({"from": "03-1234-5678", "choices": choices}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{started}");
    started["sid"].as_str().unwrap().to_owned()
}

async fn rung(c: &Console, phone: &str) -> bool {
    let (_, events) = c.sim("GET", &format!("/sim/phones/{phone}/events"), json!({})).await;
    events.as_array().unwrap().iter().any(|e| e["type"] == "incoming")
}

#[tokio::test]
async fn a_menu_choice_reaches_its_queue_and_the_operator_with_the_skill() {
    let c = start().await;
    put_section(
        &c,
        "queues",
        json!([{"id": "general", "name": "総合窓口"}, {"id": "billing", "name": "料金窓口"}, {"id": "repair", "name": "修理窓口"}]),
    )
    .await;
    let lines = c.control.services.settings.get().await.unwrap().lines.clone();
    let mut lines = serde_json::to_value(lines).unwrap();
    lines[0]["queue"] = json!("repair");
    put_section(&c, "lines", lines).await;
    put_section(
        &c,
        "menu",
        json!({"main": {
            "greeting": "お電話ありがとうございます。サンプル商事サポートセンターです。",
            "timeout_seconds": 1,
            "attempts": 1,
            "options": [
                {"id": "billing", "key": "1", "label": "料金のお問い合わせ", "action": {"action": "queue", "queue": "billing"}},
                {"id": "other", "key": "2", "label": "その他のお問い合わせ", "action": {"action": "queue"}}
            ],
            "default": {"action": "queue"}
        }}),
    )
    .await;
    // The admin gives Suzuki the repair queue and Sato the billing queue.
    let admin = c.sign_in("admin-watanabe").await;
    for (user, queue) in [("op-suzuki", "repair"), ("op-sato", "billing")] {
        let (s, body) = c
            .api(
                &admin,
                "PUT",
                &format!("/api/users/{user}/skills"),
                Some(json!({"queues": [queue]})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    // Suzuki has been free longest; Sato comes free after.
    let _suzuki = c.operator("op-suzuki").await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let sato = c.operator("op-sato").await;

    // A caller presses 1 (料金): the billing queue, and Sato's phone rings, not Suzuki's.
    let sid = call(&c, json!([{"digits": "1"}])).await;
    c.wait(json!({"phone": "op_sato", "timeout_ms": 20000})).await;
    let stored = c.stored_call(&sid).await.unwrap();
    assert_eq!(stored["queue"], "billing", "{stored:?}");
    assert_eq!(stored["menu_choice"], "billing", "{stored:?}");
    let (s, _) = c.sim("POST", "/sim/phones/op_sato/accept", json!({})).await;
    assert_eq!(s, StatusCode::OK);
    c.wait(json!({"conference": sid, "labels": ["customer", "operator"], "settled": true}))
        .await;
    let (_, current) = c.api(&sato, "GET", "/api/calls/current", None).await;
    assert_eq!(current["call"]["sid"], json!(sid), "{current:#}");
    assert!(
        !rung(&c, "op_suzuki").await,
        "Suzuki has no billing skill and is not rung"
    );
    let suzuki = c
        .control
        .services
        .operators
        .get(&shared::ids::OperatorId::parse("op-suzuki").unwrap())
        .await
        .unwrap();
    assert_eq!(suzuki.status, "available", "{suzuki:?}");
    assert!(suzuki.current_call.is_none());

    // A caller who presses 2 (no queue named) waits in the line's queue, repair: Suzuki's.
    let sid = call(&c, json!([{"digits": "2"}])).await;
    c.wait(json!({"phone": "op_suzuki", "timeout_ms": 20000})).await;
    assert_eq!(c.stored_call(&sid).await.unwrap()["queue"], "repair");
    c.assert_no_problems().await;
}
