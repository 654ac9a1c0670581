//! Toll fraud: an outgoing call, a consultation call or a transfer to an outside number reaches
//! only the countries the admin allowed (Japan by default) and never a premium-rate number. A
//! barred or invalid number is refused with 422 and a Japanese message before any leg is
//! placed, so a stolen operator session cannot dial an expensive destination.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Console, start};

async fn dial_check(c: &Console, token: &str, to: &str) -> (StatusCode, Value) {
    c.api(
        token,
        "POST",
        "/api/calls/dial-check",
        Some(json!({"to": to, "line_id": "main"})),
    )
    .await
}

/// The simulator's calls to `e164`.
async fn calls_to(c: &Console, e164: &str) -> Vec<Value> {
    let (_, state) = c.sim("GET", "/sim/state", json!({})).await;
    state["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|call| call["to"] == e164)
        .cloned()
        .collect()
}

async fn allow_countries(c: &Console, countries: Value) -> (StatusCode, Value) {
    let admin = c.sign_in("admin-watanabe").await;
    let (_, settings) = c.api(&admin, "GET", "/api/settings", None).await;
    let version = settings["versions"]["dialing"].as_u64().unwrap_or(0);
    c.api(
        &admin,
        "PUT",
        "/api/settings/dialing",
        Some(json!({"version": version, "value": {"allowed_countries": countries}})),
    )
    .await
}

#[tokio::test]
async fn only_japanese_numbers_that_are_not_premium_rate_may_be_dialled_by_default() {
    let c = start().await;
    let sato = c.sign_in("op-sato").await;

    let (s, v) = dial_check(&c, &sato, "03-1234-5678 内線 12").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["number"], "+81312345678;ext=12");
    assert_eq!(v["country"], "JP");

    let (s, v) = dial_check(&c, &sato, "+1 212 555 0123").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["code"], "barred_country");
    assert_eq!(v["error"]["field"], "to");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("許可されていない国（US）"), "{message}");

    let (s, v) = dial_check(&c, &sato, "0990-123-456").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["code"], "premium_rate_number");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("発信できません"),
        "{v}"
    );

    let (s, v) = dial_check(&c, &sato, "12345").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["code"], "invalid_phone");
}

#[tokio::test]
async fn an_admin_allows_a_country_and_bad_country_codes_are_refused() {
    let c = start().await;
    let sato = c.sign_in("op-sato").await;

    let (s, v) = allow_countries(&c, json!(["JP", "usa"])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("「usa」"), "{v}");
    let (s, v) = allow_countries(&c, json!([])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    let operator = sato.clone();
    let (s, v) = c
        .api(
            &operator,
            "PUT",
            "/api/settings/dialing",
            Some(json!({"version": 0, "value": {"allowed_countries": ["JP", "US"]}})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an operator may not widen the policy: {v}");

    let (s, v) = allow_countries(&c, json!(["JP", "US"])).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = dial_check(&c, &sato, "+1 212 555 0123").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Premium rate stays barred in an allowed country.
    let (s, v) = dial_check(&c, &sato, "+1 900 555 0123").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["code"], "premium_rate_number");
}

#[tokio::test]
async fn a_consultation_call_to_a_barred_number_is_refused_before_any_leg_is_placed() {
    let c = start().await;
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;
    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hold"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(json!({"call": sid, "held": true, "settled": true})).await;
    let requests_before = c.rest_log().await.len();

    for (to, e164, code) in [
        ("+44 20 7946 0123", "+442079460123", "barred_country"),
        ("0990-123-456", "+81990123456", "premium_rate_number"),
    ] {
        let (s, v) = c
            .api(
                &sato,
                "POST",
                &format!("/api/calls/{sid}/consult"),
                Some(json!({"to": to, "line_id": "main"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["code"], code);
        assert!(calls_to(&c, e164).await.is_empty(), "no call to {to} was placed");
    }
    let after = c.rest_log().await;
    assert_eq!(
        after.len(),
        requests_before,
        "no REST request was made for the refused numbers: {:#?}",
        &after[requests_before..]
    );
    c.assert_no_problems().await;
}

#[tokio::test]
async fn an_outgoing_call_to_a_barred_number_places_no_customer_call() {
    let c = start().await;
    let sato = c.sign_in("op-sato").await;
    c.sim("POST", "/sim/phones/op_sato", json!({})).await;
    c.api(
        &sato,
        "PUT",
        "/api/operators/me/status",
        Some(json!({"status": "away"})),
    )
    .await;
    // A page that skipped the check: the softphone's leg reaches the TwiML App anyway.
    let (_, placed) = c
        .sim(
            "POST",
            "/sim/phones/op_sato/connect",
            json!({"params": {"To": "+1 212 555 0123", "LineId": "main"}}),
        )
        .await;
    let leg = placed["callSid"].as_str().unwrap().to_owned();
    c.wait(json!({"call": leg, "status": "completed", "heard": "この番号には発信できません", "settled": true}))
        .await;
    assert!(
        calls_to(&c, "+12125550123").await.is_empty(),
        "no call to the US was placed"
    );
    let (_, me) = c.api(&sato, "GET", "/api/operators/me", None).await;
    assert_eq!(me["status"], "away", "{me}");
}
