//! The live channel on the local runtime's port, driven by a real WebSocket client: the token as
//! a subprotocol, subscriptions by role, and changes made through the API pushed to the
//! connections that may hear them.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use shared::store::embedded::EmbeddedStore;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

struct Running {
    base: String,
    app: local::Local,
    _dir: tempfile::TempDir,
}

async fn running() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = local::build(
        Arc::new(EmbeddedStore::in_memory().unwrap()),
        vec![7; 32],
        &dir.path().join("none"),
        &base,
    )
    .await
    .unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Running { base, app, _dir: dir }
}

impl Running {
    fn token(&self, user: &str) -> String {
        self.app.auth.token_for_id(user).unwrap()
    }

    async fn open(&self, protocols: &str) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
        let url = format!("{}/live", self.base.replace("http://", "ws://"));
        let mut req = url.into_client_request().unwrap();
        req.headers_mut()
            .insert("sec-websocket-protocol", protocols.parse().unwrap());
        connect_async(req).await.map(|(s, res)| {
            assert_eq!(
                res.headers()
                    .get("sec-websocket-protocol")
                    .and_then(|v| v.to_str().ok()),
                Some("console.v1"),
                "the server answers with the protocol version"
            );
            s
        })
    }

    async fn subscribed(&self, user: &str, topics: &[&str]) -> Socket {
        let mut s = self
            .open(&format!("console.v1, bearer.{}", self.token(user)))
            .await
            .unwrap();
        send(&mut s, json!({"action": "subscribe", "topics": topics})).await;
        let m = next(&mut s).await;
        assert_eq!(m["type"], "subscribed", "{m}");
        s
    }

    async fn put(&self, user: &str, path: &str, body: Value) -> Value {
        let res = reqwest::Client::new()
            .put(format!("{}{path}", self.base))
            .bearer_auth(self.token(user))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json().await.unwrap()
    }
}

async fn send(s: &mut Socket, v: Value) {
    s.send(Frame::Text(v.to_string().into())).await.unwrap();
}

/// The next JSON message, within two seconds.
async fn next(s: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(2), s.next())
            .await
            .expect("a message within 2 s")
            .expect("the connection is open")
            .unwrap();
        if let Frame::Text(t) = frame {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

/// The next message of `kind`, skipping others, within two seconds.
async fn next_of(s: &mut Socket, kind: &str) -> Value {
    loop {
        let m = next(s).await;
        if m["type"] == kind {
            return m;
        }
    }
}

/// Whether any message of `kind` arrives within half a second.
async fn hears(s: &mut Socket, kind: &str) -> bool {
    tokio::time::timeout(Duration::from_millis(500), next_of(s, kind))
        .await
        .is_ok()
}

#[tokio::test]
async fn a_connection_without_a_valid_token_in_its_subprotocols_is_refused_before_upgrading() {
    let r = running().await;
    for protocols in ["console.v1", "console.v1, bearer.not-a-token", "bearer.x"] {
        let e = r.open(protocols).await.expect_err(protocols);
        let tokio_tungstenite::tungstenite::Error::Http(res) = e else {
            panic!("{protocols}: {e}");
        };
        assert_eq!(res.status(), 401, "{protocols}");
    }
    let expired = r.app.auth.expired_token_for_id("op-sato").unwrap();
    assert!(r.open(&format!("console.v1, bearer.{expired}")).await.is_err());
}

#[tokio::test]
async fn an_operator_may_not_hear_the_board_and_an_unknown_action_is_answered_naming_the_actions() {
    let r = running().await;
    let mut s = r
        .open(&format!("console.v1, bearer.{}", r.token("op-sato")))
        .await
        .unwrap();
    send(&mut s, json!({"action": "subscribe", "topics": ["board"]})).await;
    let m = next(&mut s).await;
    assert_eq!(
        (m["type"].as_str(), m["code"].as_str()),
        (Some("error"), Some("forbidden_topic"))
    );
    send(&mut s, json!({"action": "publish"})).await;
    let m = next(&mut s).await;
    assert_eq!(m["code"], "unknown_action");
    assert!(m["message"].as_str().unwrap().contains("subscribe"), "{m}");
    send(&mut s, json!({"action": "ping"})).await;
    assert_eq!(next(&mut s).await, json!({"type": "pong"}));
}

#[tokio::test]
async fn a_presence_change_reaches_the_operator_and_the_supervisors_board_but_not_another_operator() {
    let r = running().await;
    let mut sato = r.subscribed("op-sato", &["presence", "calls"]).await;
    let mut suzuki = r.subscribed("op-suzuki", &["presence"]).await;
    let mut ito = r.subscribed("sv-ito", &["board"]).await;
    r.put("op-sato", "/api/operators/me/status", json!({"status": "away"}))
        .await;
    let mine = next_of(&mut sato, "presence_changed").await;
    assert_eq!(
        (mine["operator"]["id"].as_str(), mine["operator"]["status"].as_str()),
        (Some("op-sato"), Some("away"))
    );
    let row = next_of(&mut ito, "board_row_changed").await;
    assert_eq!(row["operator"]["id"], "op-sato");
    assert!(
        !hears(&mut suzuki, "presence_changed").await,
        "another operator's presence is not theirs"
    );
}

#[tokio::test]
async fn a_memo_saved_reaches_the_board_with_its_text() {
    let r = running().await;
    let mut ito = r.subscribed("sv-ito", &["board"]).await;
    let sid = "CA0123456789abcdef0123456789abcdef";
    let mut call = shared::domain::calls::CallSummary::new(
        sid,
        shared::domain::calls::Direction::Inbound,
        None,
        None,
        "in-progress",
        chrono::Utc::now().to_rfc3339(),
        None,
    );
    call.operator_id = Some("op-sato".into());
    r.app.services.store.put(call.to_item(), None).await.unwrap();
    let board_call = next_of(&mut ito, "board_call_changed").await;
    assert_eq!(board_call["call"]["sid"], sid);
    r.put(
        "op-sato",
        &format!("/api/memos/{sid}"),
        json!({"version": 0, "text": "折り返し希望 15時以降"}),
    )
    .await;
    let memo = next_of(&mut ito, "memo_changed").await;
    assert_eq!(
        (memo["memo"]["call"].as_str(), memo["memo"]["text"].as_str()),
        (Some(sid), Some("折り返し希望 15時以降"))
    );
}
