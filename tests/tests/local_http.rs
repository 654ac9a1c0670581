//! The local runtime over a real socket: sign in, pop up a customer, read history, search,
//! read the API description, and be refused without a token.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::store::embedded::EmbeddedStore;

struct Console {
    url: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn start() -> Console {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("console.sqlite");
    let store = Arc::new(EmbeddedStore::open(&data).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = local::build(
        store,
        local::dev_secret(&data).unwrap(),
        &dir.path().join("no-page"),
        &url,
    )
    .await
    .unwrap();
    tokio::spawn(async move { axum::serve(listener, app.router).await });
    Console {
        url,
        http: shared::tls::http_client().build().expect("an HTTP client"),
        _dir: dir,
    }
}

impl Console {
    async fn sign_in(&self, user: &str) -> String {
        let r = self
            .http
            .post(format!("{}/api/dev/sign-in", self.url))
            .json(&json!({"user_id": user}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }

    async fn get(&self, token: &str, path: &str, query: &[(&str, &str)]) -> (StatusCode, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.url))
            .bearer_auth(token)
            .query(query)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn an_operator_signs_in_and_a_seeded_customer_pops_up_with_history_and_search() {
    let c = start().await;
    let (status, users) = c.get("", "/api/dev/users", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(users.as_array().unwrap().len(), 6);
    let token = c.sign_in("op-sato").await;

    let (status, pop) = c
        .get(&token, "/api/crm/lookup", &[("phone", "０３（１２３４）５６７８")])
        .await;
    assert_eq!(status, StatusCode::OK, "{pop}");
    assert_eq!(pop["accounts"][0]["record"]["title"], "山田商事株式会社");
    assert_eq!(pop["display"], "03-1234-5678");
    let account = pop["accounts"][0]["record"]["id"].as_str().unwrap().to_owned();

    let (_, calls) = c
        .get(
            &token,
            "/api/history/calls",
            &[("phone", "03-1234-5678"), ("limit", "5")],
        )
        .await;
    let calls = calls["items"].as_array().unwrap();
    assert_eq!(calls.len(), 5);
    assert!(
        calls
            .windows(2)
            .all(|w| w[0]["started_at"].as_str() >= w[1]["started_at"].as_str()),
        "newest first"
    );
    assert!(
        calls
            .iter()
            .any(|c| c["memo"].as_str().is_some_and(|m| m.contains("【お客様】")))
    );

    let (_, inquiries) = c
        .get(&token, "/api/history/records/inquiry", &[("account", &account)])
        .await;
    assert!(!inquiries["items"].as_array().unwrap().is_empty());

    let (_, hits) = c
        .get(&token, "/api/crm/search", &[("object", "account"), ("q", "ヤマダ")])
        .await;
    assert_eq!(hits["items"][0]["title"], "山田商事株式会社");
    let (_, half) = c
        .get(&token, "/api/crm/search", &[("object", "account"), ("q", "ｱｲｳ")])
        .await;
    assert_eq!(half["items"][0]["title"], "アイウ商会");

    let (_, settings) = c.get(&token, "/api/settings", &[]).await;
    assert_eq!(settings["lines"].as_array().unwrap().len(), 2);
    assert!(
        settings["objects"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["label"] == "商談")
    );
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused_and_the_api_is_described() {
    let c = start().await;
    let (status, body) = c.get("", "/api/crm/lookup", &[("phone", "0312345678")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, _) = c.get("forged.token.value", "/api/settings", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, doc) = c.get("", "/api/openapi.json", &[]).await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/crm/lookup",
        "/api/crm/search",
        "/api/history/calls",
        "/api/settings/{section}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    let token = c.sign_in("op-sato").await;
    let (status, body) = c.get(&token, "/api/nothing", &[]).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}
