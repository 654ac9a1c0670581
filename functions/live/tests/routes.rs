//! The live channel's Lambdas on API Gateway's event shapes (fixtures): the authorizer lets in a
//! token of the issuer offered as a subprotocol and nothing else, `$connect` stores who came,
//! `subscribe` answers what is heard or why not, `$default` names the actions, `$disconnect`
//! forgets the connection.

use std::sync::Arc;

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use live::{Authorizer, AuthorizerEvent, RouteEvent, Routes};
use serde_json::{Value, json};
use shared::auth_jwt::JwtVerifier;
use shared::push::{Audience, ConnectionId, Connections};
use shared::store::embedded::EmbeddedStore;

const CONNECT: &str = include_str!("fixtures/connect.json");
const SUBSCRIBE: &str = include_str!("fixtures/subscribe.json");
const AUTHORIZER: &str = include_str!("fixtures/authorizer.json");

/// A key made for these tests only (PKCS#1 DER, base64) and its public half as JWK components.
const TEST_KEY_DER: &str = "MIIEowIBAAKCAQEAiUbHjQ1+JFGlRzypY9uJ/9ryuHkkhDDKbc3ybHPEnKneHOhMBfWcK7P/QQr9fdNqNij9MhvdB38mxZsZ3UIXIYrnJCwcrPAxBViYUFMSMebo1BRVxQ6birBDiSvljOLJbgneUhumpLVkExbHhBoeZ45QEB3ezUdRMakiCxoruzd3S/MfPsBNux+vo/qA26gRnBXgokRz8SgwEnBzKb6m6lFbEcYXPlIwYIZMqD80fYmGIrzpIa28AtvoYtQu3iFBP37pWa0FLe90itzzn7nnj48wQdWa3q0wdYdb1CuQzg3eGaISdXMozoLepdyEiqVswsFYMYOa7EpM5NG9vwmKyQIDAQABAoIBACRZ+FzLPmSKtEwtbaOyTpRQm+aqubdBnlE+cJw0edOMjfM0tnD7javrAcRtDxxjQCRwbT/4LeseyhsYy9wR9MMen7+t6LgI8Mo8IDVhEhfh0DTc36uLhzfOHkw0MhjBM1ruxQ8UIGhMWmBNr261ZejBQEVMS6QrZv5SDeBHwV3VWnY0Q7bSmHJPzd/sDtjpbfliiGjIZn3Is5n9Zio1/JuZHKbtR7FHsVpsxHvuB6vnoWYqbbyZCxMCs5EGyO0gLyeloa69/QWt9Cc9wMxqu3v+xMErEqZ2AHKmj5hHx4Zgj1e1OaCCWvLcZyZBOs3fgjUby++mGzuXGOIrhRqTz5MCgYEAvv6+UBEKk12d0VGKMARYfwrhfkjdmFMNbHd2n45kQ94VZgpPiaXNbXOzlVIxr54Ap96Xu0DlJIta08CJj+ohiG36bGZIEULrEe8jWVwKJYwI/5IUKJddYL8p/stTjmsnMDvZGKlMfrCN1GsekkQUbgRn33qibM5aWRPRN8uoprcCgYEAt/+THXJ9f+/jJmSkidregZG0wJcQjyjJB366MAOkVmHzRjJ4pWGYGSqVrU1qb3o9ryV8xBjAv7UUQJqdnKkevzr2XrhSET2w0IvW3lEO3ifeER6v9iWFmH0qrpbIJ5Yq7ge6qYKwsxyw1mnaDdCNUiNI3k6LKuQSH73ZWOvR2n8CgYEAnO4CwRa/ccYB3fL5b+qiLABstq54JKhY5z5hIUiF6Z2YR3dBUwAAgmYGsDIQ0RMpxsSGNz1jCVvXDRWt8amWU9rJYDfKDyTEsL+kc8/EJoWg/xyvo4p7Fvr7Lncx+FrioCcMgc7ZI189qcM6I0P85UiJcH365xvF8FrwFMApmpECgYAa9f0VjIgtLfZn0sl1VbfS3onQypHnmD9UtNINZQs4iSO/fnfFK/bAgUfrW/OjoBLXzjNo/IOJ07vC96Tupq1VsgsVuAZ2dkapWERE0TXPgaH9ejSoabkYrgaKDJgJjOx/cmx8mCTSKfsTf/EuoweCKJ9ty66Cu2aYdhYZ/HwEewKBgAeXHYOGrMbz+zdBZ3FLfB4OfjjzMhocRAwDDBBYrqr4UTcQNcagjxnfeM4U5hsJDB9IqhV//V9gTzdnY8ZszSHPfP7LtUOLfGtTeKjvl1L03JYlMoJ0SR0I1VLPFe1O6H2AwJv3HubC9oBkddXLLGMXxagk3I4kl2loWZjFm5+X";
const TEST_KEY_N: &str = "iUbHjQ1-JFGlRzypY9uJ_9ryuHkkhDDKbc3ybHPEnKneHOhMBfWcK7P_QQr9fdNqNij9MhvdB38mxZsZ3UIXIYrnJCwcrPAxBViYUFMSMebo1BRVxQ6birBDiSvljOLJbgneUhumpLVkExbHhBoeZ45QEB3ezUdRMakiCxoruzd3S_MfPsBNux-vo_qA26gRnBXgokRz8SgwEnBzKb6m6lFbEcYXPlIwYIZMqD80fYmGIrzpIa28AtvoYtQu3iFBP37pWa0FLe90itzzn7nnj48wQdWa3q0wdYdb1CuQzg3eGaISdXMozoLepdyEiqVswsFYMYOa7EpM5NG9vwmKyQ";

const ISSUER: &str = "https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_TEST";
const CLIENT: &str = "console-page";

fn keys() -> jsonwebtoken::jwk::JwkSet {
    serde_json::from_value(
        json!({ "keys": [{ "kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig", "n": TEST_KEY_N, "e": "AQAB" }] }),
    )
    .unwrap()
}

fn token(change: impl Fn(&mut Value)) -> String {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "iss": ISSUER, "aud": CLIENT, "sub": "op-sato", "token_use": "id", "name": "佐藤 花子",
        "cognito:groups": ["operator"], "iat": now, "exp": now + 600,
    });
    change(&mut claims);
    let der = base64::engine::general_purpose::STANDARD.decode(TEST_KEY_DER).unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("k1".into());
    encode(&header, &claims, &EncodingKey::from_rsa_der(&der)).unwrap()
}

fn authorizer() -> Authorizer {
    // The keys are given: no request leaves the machine.
    Authorizer::new(JwtVerifier::new(ISSUER, CLIENT, "http://127.0.0.1:9/jwks", Some(keys())).unwrap())
}

fn auth_event(protocols: Option<&str>) -> AuthorizerEvent {
    let mut v: Value = serde_json::from_str(AUTHORIZER).unwrap();
    match protocols {
        Some(p) => v["headers"]["Sec-WebSocket-Protocol"] = json!(p),
        None => drop(v["headers"].as_object_mut().unwrap().remove("Sec-WebSocket-Protocol")),
    }
    serde_json::from_value(v).unwrap()
}

#[tokio::test]
async fn a_valid_id_token_offered_as_a_subprotocol_is_allowed_with_the_callers_subject_and_role() {
    let allowed = authorizer()
        .authorize(auth_event(Some(&format!("console.v1, bearer.{}", token(|_| {})))))
        .await
        .unwrap();
    assert_eq!(allowed["principalId"], "op-sato");
    assert_eq!(allowed["policyDocument"]["Statement"][0]["Effect"], "Allow");
    assert_eq!(
        allowed["policyDocument"]["Statement"][0]["Resource"],
        "arn:aws:execute-api:ap-northeast-1:123456789012:abcdef1234/live/$connect"
    );
    assert_eq!(
        allowed["context"],
        json!({"sub": "op-sato", "role": "operator", "name": "佐藤 花子"})
    );
}

#[tokio::test]
async fn a_connection_without_a_valid_token_is_refused() {
    let a = authorizer();
    let refused = [
        None,
        Some("console.v1".to_owned()),
        Some(format!("bearer.{}", token(|_| {}))),
        Some(format!(
            "console.v1, bearer.{}",
            token(|c| c["aud"] = json!("another-client"))
        )),
        Some(format!(
            "console.v1, bearer.{}",
            token(|c| c["exp"] = json!(chrono::Utc::now().timestamp() - 1))
        )),
        Some(format!(
            "console.v1, bearer.{}",
            token(|c| c["cognito:groups"] = json!(["sales"]))
        )),
    ];
    for protocols in refused {
        let e = a.authorize(auth_event(protocols.as_deref())).await.unwrap_err();
        assert_eq!(e.to_string(), "Unauthorized", "API Gateway answers 401 to exactly this");
    }
}

fn route(fixture: &str, change: impl Fn(&mut Value)) -> RouteEvent {
    let mut v: Value = serde_json::from_str(fixture).unwrap();
    change(&mut v);
    serde_json::from_value(v).unwrap()
}

fn body(res: &live::RouteResponse) -> Value {
    serde_json::from_str(res.body.as_deref().unwrap()).unwrap()
}

#[tokio::test]
async fn a_connection_is_stored_subscribed_answered_and_forgotten() {
    let store = Arc::new(EmbeddedStore::in_memory().unwrap());
    let routes = Routes::new(store.clone());
    let connected = routes.handle(route(CONNECT, |_| {})).await.unwrap();
    assert_eq!(connected.status_code, 200);
    assert_eq!(connected.headers["Sec-WebSocket-Protocol"], "console.v1");

    let subscribed = routes.handle(route(SUBSCRIBE, |_| {})).await.unwrap();
    assert_eq!(
        body(&subscribed),
        json!({"type": "subscribed", "topics": ["calls", "presence", "settings"]})
    );
    let connections = Connections::new(store.clone());
    let mine = connections.members(&Audience::User("op-sato".into())).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].connection, ConnectionId::parse("Q2xYHeV3tjMCJrw=").unwrap());

    let board = routes
        .handle(route(SUBSCRIBE, |v| {
            v["body"] = json!(r#"{"action":"subscribe","topics":["board"]}"#)
        }))
        .await
        .unwrap();
    assert_eq!(body(&board)["code"], "forbidden_topic");

    let unknown = routes
        .handle(route(SUBSCRIBE, |v| {
            v["requestContext"]["routeKey"] = json!("$default");
            v["body"] = json!("hello");
        }))
        .await
        .unwrap();
    let answer = body(&unknown);
    assert_eq!(answer["code"], "unknown_action");
    assert!(answer["message"].as_str().unwrap().contains("ping"), "{answer}");

    let ping = routes
        .handle(route(SUBSCRIBE, |v| {
            v["requestContext"]["routeKey"] = json!("$default");
            v["body"] = json!(r#"{"action":"ping"}"#);
        }))
        .await
        .unwrap();
    assert_eq!(body(&ping), json!({"type": "pong"}));

    let gone = routes
        .handle(route(CONNECT, |v| {
            v["requestContext"]["routeKey"] = json!("$disconnect");
            v["requestContext"]["eventType"] = json!("DISCONNECT");
        }))
        .await
        .unwrap();
    assert_eq!(gone.status_code, 200);
    assert!(
        connections
            .members(&Audience::User("op-sato".into()))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(connections.members(&Audience::All).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_connect_without_the_authorizers_context_is_refused_and_stores_nothing() {
    let store = Arc::new(EmbeddedStore::in_memory().unwrap());
    let routes = Routes::new(store.clone());
    let res = routes
        .handle(route(CONNECT, |v| {
            v["requestContext"].as_object_mut().unwrap().remove("authorizer");
        }))
        .await
        .unwrap();
    assert_eq!(res.status_code, 403);
    let subscribed = routes.handle(route(SUBSCRIBE, |_| {})).await.unwrap();
    assert_eq!(body(&subscribed)["code"], "gone");
}
