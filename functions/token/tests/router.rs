//! The token router issues a Voice token for the signed-in operator only, and none to an
//! operator an admin disabled.

use std::sync::Arc;

use axum::http::StatusCode;
use shared::auth::Role;
use shared::domain::Services;
use shared::ids::OperatorId;
use shared::store::embedded::EmbeddedStore;
use shared::testing::{call, request, signed_in};
use shared::twilio::token::VoiceTokenIssuer;
use shared::twilio::{AccountSid, ApiKeySid, ApplicationSid};
use token::TokenState;

fn issuer() -> VoiceTokenIssuer {
    VoiceTokenIssuer::new(
        AccountSid::parse("AC0123456789abcdef0123456789abcdef").unwrap(),
        ApiKeySid::parse("SK0123456789abcdef0123456789abcdef").unwrap(),
        "api-key-secret".to_owned().into(),
    )
}

fn app(services: &Services) -> axum::Router {
    token::router(TokenState {
        issuer: Arc::new(issuer()),
        twiml_app: ApplicationSid::parse("AP0123456789abcdef0123456789abcdef").unwrap(),
        operators: services.operators.clone(),
    })
}

#[tokio::test]
async fn an_operator_gets_a_token_for_their_own_identity_that_twilio_would_accept() {
    let app = app(&Services::new(Arc::new(EmbeddedStore::in_memory().unwrap())));
    let (status, body) = call(&app, signed_in(request("GET", "/api/token"), "op-sato", Role::Operator)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["identity"], "op_sato");
    let claims = issuer()
        .verify(body["token"].as_str().unwrap(), chrono::Utc::now())
        .expect("a valid token");
    let text = serde_json::to_string(&claims).unwrap();
    assert!(
        text.contains("op_sato") && text.contains("AP0123456789abcdef0123456789abcdef"),
        "{text}"
    );
    let (status, _) = call(&app, request("GET", "/api/token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_operator_an_admin_disabled_gets_no_token_until_enabled_again() {
    let services = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    let app = app(&services);
    let sato = OperatorId::parse("op-sato").unwrap();
    services
        .operators
        .ensure(&sato, "佐藤 花子", Role::Operator)
        .await
        .unwrap();
    services
        .operators
        .set_disabled(&sato, "佐藤 花子", Role::Operator, true)
        .await
        .unwrap();

    let (status, body) = call(&app, signed_in(request("GET", "/api/token"), "op-sato", Role::Operator)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("disabled"),
        "{body}"
    );
    assert!(body.get("token").is_none());
    let (status, _) = call(
        &app,
        signed_in(request("GET", "/api/token"), "op-suzuki", Role::Operator),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "others are not affected");

    services
        .operators
        .set_disabled(&sato, "佐藤 花子", Role::Operator, false)
        .await
        .unwrap();
    let (status, body) = call(&app, signed_in(request("GET", "/api/token"), "op-sato", Role::Operator)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
