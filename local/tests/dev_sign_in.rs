//! The local runtime's dev sign-in on its user directory: the demo users and invited users sign
//! in with the role the directory gives them, and a user an admin disabled is refused — at the
//! sign-in page, and (with a token from before) by the token and presence routes.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};
use shared::store::embedded::EmbeddedStore;
use shared::testing::{call, json_request, request};

struct Local {
    app: local::Local,
    _dir: tempfile::TempDir,
}

async fn local() -> Local {
    let dir = tempfile::tempdir().unwrap();
    let app = local::build(
        Arc::new(EmbeddedStore::in_memory().unwrap()),
        vec![7; 32],
        &dir.path().join("none"),
        "http://127.0.0.1:9",
    )
    .await
    .unwrap();
    Local { app, _dir: dir }
}

impl Local {
    async fn sign_in(&self, user: &str) -> (StatusCode, Value) {
        call(
            &self.app.router,
            json_request("POST", "/api/dev/sign-in", &json!({"user_id": user})),
        )
        .await
    }

    async fn token(&self, user: &str) -> String {
        let (status, body) = self.sign_in(user).await;
        assert_eq!(status, StatusCode::OK, "{user}: {body}");
        body["token"].as_str().unwrap().to_owned()
    }

    async fn api(&self, token: &str, mut req: axum::http::Request<axum::body::Body>) -> (StatusCode, Value) {
        req.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        call(&self.app.router, req).await
    }
}

#[tokio::test]
async fn the_sign_in_page_lists_the_demo_users_from_the_directory() {
    let l = local().await;
    let (status, users) = call(&l.app.router, request("GET", "/api/dev/users")).await;
    assert_eq!(status, StatusCode::OK);
    let users = users.as_array().unwrap();
    assert_eq!(users.len(), 6, "{users:?}");
    let sato = users.iter().find(|u| u["id"] == "op-sato").unwrap();
    assert_eq!(
        (sato["name"].as_str(), sato["role"].as_str(), sato["enabled"].as_bool()),
        (Some("佐藤 花子"), Some("operator"), Some(true))
    );
    let admin = l.token("admin-watanabe").await;
    let (_, listed) = l.api(&admin, request("GET", "/api/users")).await;
    assert_eq!(listed["users"].as_array().unwrap().len(), 6);
    assert!(
        listed["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["status"] == "CONFIRMED")
    );
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_and_their_old_token_gets_no_voice_token_nor_presence() {
    let l = local().await;
    let admin = l.token("admin-watanabe").await;
    let tanaka = l.token("op-tanaka").await;
    let (status, _) = l.api(&tanaka, request("GET", "/api/token")).await;
    assert_eq!(status, StatusCode::OK);

    let (status, user) = l
        .api(
            &admin,
            json_request("PUT", "/api/users/op-tanaka", &json!({"enabled": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");

    let (status, body) = l.sign_in("op-tanaka").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "user_disabled");
    assert!(body["error"]["message"].as_str().unwrap().contains("disabled"));
    let (_, users) = call(&l.app.router, request("GET", "/api/dev/users")).await;
    let listed = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "op-tanaka")
        .unwrap()
        .clone();
    assert_eq!(listed["enabled"], false);

    let (status, body) = l.api(&tanaka, request("GET", "/api/token")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = l
        .api(
            &tanaka,
            json_request("PUT", "/api/operators/me/status", &json!({"status": "available"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _) = l
        .api(
            &admin,
            json_request("PUT", "/api/users/op-tanaka", &json!({"enabled": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let tanaka = l.token("op-tanaka").await;
    let (status, _) = l.api(&tanaka, request("GET", "/api/token")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_invited_user_signs_in_with_the_role_the_admin_gave_them() {
    let l = local().await;
    let admin = l.token("admin-watanabe").await;
    let (status, invited) = l
        .api(
            &admin,
            json_request(
                "POST",
                "/api/users",
                &json!({"email": "kobayashi@example.jp", "name": "小林 さくら", "role": "operator"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{invited}");
    let id = invited["id"].as_str().unwrap().to_owned();

    let (status, signed) = l.sign_in(&id).await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    assert_eq!(signed["user"]["role"], "operator");
    let (_, listed) = l.api(&admin, request("GET", "/api/users")).await;
    let me = listed["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(me["status"], "CONFIRMED", "the first sign-in confirms the user");

    let (status, _) = l
        .api(
            &admin,
            json_request("PUT", &format!("/api/users/{id}"), &json!({"role": "supervisor"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, signed) = l.sign_in(&id).await;
    assert_eq!(
        signed["user"]["role"], "supervisor",
        "the next token carries the new role"
    );
    let token = signed["token"].as_str().unwrap();
    let (status, _) = l.api(token, request("GET", "/api/monitor")).await;
    assert_eq!(status, StatusCode::OK, "a supervisor may watch the board");
}

#[tokio::test]
async fn an_unknown_user_cannot_sign_in() {
    let l = local().await;
    for who in ["op-nobody", "Not An Id"] {
        let (status, body) = l.sign_in(who).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}: {body}");
    }
}
