//! The settings router: everyone reads, only admins write, versions guard concurrent edits.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;
use shared::auth::Role;
use shared::domain::Services;
use shared::store::embedded::EmbeddedStore;
use shared::testing::{call, json_request, request, signed_in};

fn app() -> axum::Router {
    settings::router(
        Services::new(Arc::new(EmbeddedStore::in_memory().unwrap())),
        Arc::new(settings::upload::S3Presigner::new(
            "page-bucket",
            "ap-northeast-1",
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::from_keys("AKIDEXAMPLE", "secret", None),
            ),
            Arc::new(std::time::SystemTime::now),
        )),
    )
}

#[tokio::test]
async fn an_operator_reads_the_defaults_but_cannot_change_them() {
    let app = app();
    let (status, body) = call(&app, signed_in(request("GET", "/api/settings"), "op-a", Role::Operator)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["response_statuses"][0]["label"], "対応完了");
    let objects: Vec<&str> = body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(objects, ["account", "contact", "inquiry"]);
    let change = json!({"version": 0, "value": [{"id": "x", "label": "新しい"}]});
    let (status, body) = call(
        &app,
        signed_in(
            json_request("PUT", "/api/settings/response_statuses", &change),
            "op-a",
            Role::Operator,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = call(
        &app,
        signed_in(
            json_request("PUT", "/api/settings/response_statuses", &change),
            "sv-a",
            Role::Supervisor,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_admin_adds_a_response_status_and_everyone_sees_it_at_once() {
    let app = app();
    let value = json!([{"id": "resolved", "label": "対応完了"}, {"id": "vip", "label": "VIP対応"}]);
    let (status, body) = call(
        &app,
        signed_in(
            json_request(
                "PUT",
                "/api/settings/response_statuses",
                &json!({"version": 0, "value": value}),
            ),
            "ad",
            Role::Admin,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["versions"]["response_statuses"], 1);
    let (_, body) = call(&app, signed_in(request("GET", "/api/settings"), "op-a", Role::Operator)).await;
    assert_eq!(body["response_statuses"][1]["label"], "VIP対応");
}

#[tokio::test]
async fn a_second_admin_editing_a_stale_section_gets_409_with_the_current_value() {
    let app = app();
    let put = |v: u64, label: &str| {
        json_request(
            "PUT",
            "/api/settings/scripts",
            &json!({"version": v, "value": [{"id": "s1", "title": label, "body": "本文"}]}),
        )
    };
    assert_eq!(
        call(&app, signed_in(put(0, "一"), "ad1", Role::Admin)).await.0,
        StatusCode::OK
    );
    let (status, body) = call(&app, signed_in(put(0, "二"), "ad2", Role::Admin)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["current"]["value"][0]["title"], "一");
    assert_eq!(
        call(&app, signed_in(put(1, "二"), "ad2", Role::Admin)).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn invalid_settings_are_refused_with_the_reason() {
    let app = app();
    let invalid = StatusCode::UNPROCESSABLE_ENTITY;
    let cases = [
        (
            "lines",
            json!([{"id": "main", "number": "12", "label": "代表"}]),
            invalid,
            "not a valid phone number",
        ),
        (
            "history_tabs",
            json!(["nothing"]),
            invalid,
            "オブジェクト「nothing」はありません",
        ),
        (
            "search",
            json!([{"object": "account", "fields": ["nope"]}]),
            invalid,
            "account に項目「nope」はありません",
        ),
        (
            "call_handling",
            json!({"wrap_up_seconds": 5, "max_wait_seconds": 1, "ring_timeout_seconds": 20, "orphan_hold_seconds": 30}),
            invalid,
            "最大待ち時間は30〜3600秒",
        ),
        (
            "presence_statuses",
            json!([{"id": "on_call", "label": "通話中"}]),
            invalid,
            "組み込みのステータス",
        ),
        ("response_statuses", json!([]), invalid, "1つ以上"),
        // A section there is none of, and a path that cannot name one: each says what to send.
        (
            "nothing",
            json!([]),
            StatusCode::NOT_FOUND,
            "no settings section 'nothing'; sections are: lines, ",
        ),
        (
            "Lines!",
            json!([]),
            StatusCode::NOT_FOUND,
            "'Lines!' is not a valid settings section: lower-case letters",
        ),
    ];
    for (section, value, expected, says) in cases {
        let (status, body) = call(
            &app,
            signed_in(
                json_request(
                    "PUT",
                    &format!("/api/settings/{section}"),
                    &json!({"version": 0, "value": value}),
                ),
                "ad",
                Role::Admin,
            ),
        )
        .await;
        assert_eq!(status, expected, "{section}: {body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(says),
            "{section}: {body}"
        );
    }
    let (status, _) = call(
        &app,
        signed_in(
            json_request("PUT", "/api/settings/lines", &json!({"value": []})),
            "ad",
            Role::Admin,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the version is required");
}

#[tokio::test]
async fn an_admin_defines_a_custom_object_with_typed_fields() {
    let app = app();
    let (_, current) = call(&app, signed_in(request("GET", "/api/settings"), "ad", Role::Admin)).await;
    let mut objects = current["objects"].as_array().unwrap().clone();
    objects.push(
        json!({"name": "deal", "label": "商談", "title_field": "name", "fields": [
            {"name": "name", "label": "商談名", "type": "text", "required": true},
            {"name": "amount", "label": "金額", "type": "number"},
            {"name": "stage", "label": "フェーズ", "type": "select", "options": [{"value": "won", "label": "受注"}]},
            {"name": "owner", "label": "取引先", "type": "reference", "object": "account"}
        ]}),
    );
    let (status, body) = call(
        &app,
        signed_in(
            json_request("PUT", "/api/settings/objects", &json!({"version": 0, "value": objects})),
            "ad",
            Role::Admin,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["objects"][3]["fields"][2]["options"][0]["label"], "受注");
}
