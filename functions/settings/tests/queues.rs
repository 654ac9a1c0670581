//! The queues section through the settings router: an admin sets the centre's queues, a line's
//! queue and a menu option's queue; a queue that does not exist is refused with 422 naming the
//! line or the option, in Japanese.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};
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

async fn put(app: &axum::Router, section: &str, version: u64, value: Value) -> (StatusCode, Value) {
    call(
        app,
        signed_in(
            json_request(
                "PUT",
                &format!("/api/settings/{section}"),
                &json!({"version": version, "value": value}),
            ),
            "ad",
            Role::Admin,
        ),
    )
    .await
}

#[tokio::test]
async fn a_centre_that_never_set_queues_has_the_general_queue() {
    let app = app();
    let (status, body) = call(&app, signed_in(request("GET", "/api/settings"), "op-a", Role::Operator)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["queues"],
        json!([{"id": "general", "name": "総合窓口", "name_en": "General"}])
    );
}

#[tokio::test]
async fn an_admin_sets_queues_and_lines_and_menu_options_name_them() {
    let app = app();
    let queues = json!([{"id": "general", "name": "総合窓口"}, {"id": "billing", "name": "料金窓口"}]);
    let (status, body) = put(&app, "queues", 0, queues.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["queues"][1]["name"], "料金窓口");

    let line = |queue: &str| json!([{"id": "main", "number": "03-6800-0001", "label": "代表", "queue": queue}]);
    let (status, body) = put(&app, "lines", 0, line("repair")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"]["message"],
        "発信回線: 回線 main の窓口「repair」がありません。窓口の設定にあるものを選んでください"
    );
    let (status, body) = put(&app, "lines", 0, line("general")).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let menu = |queue: &str| {
        json!({"main": {"greeting": "お電話ありがとうございます。", "options": [
            {"id": "billing", "key": "1", "label": "料金のお問い合わせ", "action": {"action": "queue", "queue": queue}},
            {"id": "other", "key": "2", "label": "その他", "action": {"action": "queue"}}
        ], "default": {"action": "queue"}}})
    };
    let (status, body) = put(&app, "menu", 0, menu("repair")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"]["message"],
        "IVRメニュー: 代表（main）のメニューの1件目（料金のお問い合わせ）: 窓口「repair」がありません。窓口の設定にあるものを選んでください"
    );
    let (status, body) = put(&app, "menu", 0, menu("billing")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["menu"]["main"]["options"][0]["action"],
        json!({"action": "queue", "queue": "billing"})
    );
    assert_eq!(body["menu"]["main"]["options"][1]["action"], json!({"action": "queue"}));

    // A queue a menu option still names cannot be removed.
    let (status, body) = put(&app, "queues", 1, json!([{"id": "general", "name": "総合窓口"}])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("窓口「billing」がありません"),
        "{body}"
    );
}

#[tokio::test]
async fn badly_formed_queues_are_refused_with_what_to_fix() {
    let app = app();
    let cases = [
        (json!([]), "窓口: 窓口を1〜20件にしてください"),
        (
            json!([{"id": "billing", "name": "料金"}, {"id": "billing", "name": "料金2"}]),
            "窓口: 2件目: ID billing が2つの窓口で使われています",
        ),
        (
            json!([{"id": "billing", "name": ""}]),
            "窓口: 1件目（billing）: 窓口名を1〜50文字で書いてください",
        ),
    ];
    for (value, says) in cases {
        let (status, body) = put(&app, "queues", 0, value).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["message"], says);
    }
    let (status, body) = put(&app, "queues", 0, json!([{"id": "Billing!", "name": "料金"}])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("窓口: 値の形式が正しくありません"),
        "{body}"
    );
}
