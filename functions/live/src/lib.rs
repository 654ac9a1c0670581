//! The live channel's two Lambdas on API Gateway's WebSocket API (see [`shared::push`] for the
//! protocol and why it is built this way):
//!
//! - [`Authorizer`], the REQUEST authorizer of `$connect`: the ID token comes as the
//!   `bearer.<token>` subprotocol of `Sec-WebSocket-Protocol` beside `console.v1`, is verified
//!   as the HTTP API's JWT authorizer verifies it ([`shared::auth_jwt`]), and the caller's
//!   subject and role travel to `$connect` in the authorizer's context. A missing or invalid token
//!   is refused with API Gateway's 401 before any route runs.
//! - [`Routes`], every route of the API: `$connect` stores the connection, `$disconnect` forgets
//!   it, `subscribe` files it under the audiences its role may hear and `$default` answers a
//!   ping or an error naming the actions. Answers go back through the route response.
//!
//! One crate with two binaries: they share the event shapes and the tests, while each Lambda
//! keeps its own permissions — the authorizer reads no table, the routes verify no token.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use shared::auth::{Caller, Role};
use shared::auth_jwt::{JwtVerifier, forwarded_claims};
use shared::error::DomainError;
use shared::push::{ClientMessage, ConnectionId, Connections, Message, PROTOCOL, Subscriber, token_from_protocols};
use shared::store::Store;

/// The part of API Gateway's WebSocket event the routes read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteEvent {
    pub request_context: RouteContext,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub is_base64_encoded: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteContext {
    pub route_key: String,
    pub connection_id: String,
    #[serde(default)]
    pub request_id: Option<String>,
    /// The authorizer's context (on `$connect` only).
    #[serde(default)]
    pub authorizer: Option<Map<String, Value>>,
}

/// A route's answer: on `$connect` the status decides whether the connection opens; on the
/// other routes the body is sent to the client (the route response).
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RouteResponse {
    pub status_code: u16,
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub headers: HashMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl RouteResponse {
    fn ok() -> Self {
        Self {
            status_code: 200,
            headers: HashMap::new(),
            body: None,
        }
    }

    fn message(m: &Message) -> Self {
        Self {
            body: Some(m.to_json()),
            ..Self::ok()
        }
    }

    fn refused(status: u16, m: &Message) -> Self {
        Self {
            status_code: status,
            ..Self::message(m)
        }
    }
}

/// The routes of the live channel, on the table.
pub struct Routes {
    connections: Connections,
}

impl Routes {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            connections: Connections::new(store),
        }
    }

    /// Handles one route event. Store failures are the only errors (API Gateway answers 500 and
    /// the client reconnects); everything a client sent wrong is answered in the body.
    pub async fn handle(&self, event: RouteEvent) -> Result<RouteResponse, DomainError> {
        let ctx = &event.request_context;
        let id = match ConnectionId::parse(&ctx.connection_id) {
            Ok(id) => id,
            Err(e) => {
                return Ok(RouteResponse::refused(
                    400,
                    &Message::error("invalid_connection", e.to_string()),
                ));
            }
        };
        match ctx.route_key.as_str() {
            "$connect" => {
                let Some(who) = ctx.authorizer.as_ref().and_then(subscriber) else {
                    tracing::warn!("$connect without the authorizer's subject and role");
                    return Ok(RouteResponse::refused(
                        403,
                        &Message::error("unauthorized", "connect with a valid ID token"),
                    ));
                };
                self.connections.connect(&id, &who).await?;
                let mut res = RouteResponse::ok();
                res.headers.insert("Sec-WebSocket-Protocol".into(), PROTOCOL.into());
                Ok(res)
            }
            "$disconnect" => {
                self.connections.disconnect(&id).await?;
                Ok(RouteResponse::ok())
            }
            _ => {
                let text = body_text(&event);
                let answer = match ClientMessage::parse(&text) {
                    Ok(ClientMessage::Ping) => Message::Pong,
                    Ok(ClientMessage::Subscribe { topics }) => match self.connections.subscribe(&id, &topics).await {
                        Ok(topics) => Message::Subscribed { topics },
                        Err(DomainError::Invalid { message, .. }) => Message::error("forbidden_topic", message),
                        Err(DomainError::NotFound(m)) => Message::error("gone", m),
                        Err(e) => return Err(e),
                    },
                    Err(m) => Message::error("unknown_action", m),
                };
                Ok(RouteResponse::message(&answer))
            }
        }
    }
}

/// The frame's text. The protocol is text; a binary frame (base64 in the event) is decoded only
/// to be answered with what to send.
fn body_text(event: &RouteEvent) -> String {
    use base64::Engine;
    let body = event.body.clone().unwrap_or_default();
    if !event.is_base64_encoded {
        return body;
    }
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

/// The subscriber the authorizer's context names.
fn subscriber(ctx: &Map<String, Value>) -> Option<Subscriber> {
    let sub = ctx.get("sub")?.as_str()?.to_owned();
    let role: Role = serde_json::from_value(ctx.get("role")?.clone()).ok()?;
    Some(Subscriber { sub, role })
}

/// The part of API Gateway's REQUEST authorizer event for a WebSocket `$connect` it reads.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerEvent {
    pub method_arn: String,
    #[serde(default)]
    pub headers: HashMap<String, String>,
}

/// Why a connection is refused: API Gateway answers 401 to an authorizer failing with
/// `Unauthorized`; the reason is logged, not sent.
#[derive(Debug)]
pub struct Unauthorized(pub String);

impl std::fmt::Display for Unauthorized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Unauthorized")
    }
}

impl std::error::Error for Unauthorized {}

/// The REQUEST authorizer of `$connect`.
pub struct Authorizer {
    verifier: JwtVerifier,
}

impl Authorizer {
    pub fn new(verifier: JwtVerifier) -> Self {
        Self { verifier }
    }

    /// Allows the connection for the caller the token names (their subject, role and name in
    /// the context `$connect` reads), or refuses it.
    pub async fn authorize(&self, event: AuthorizerEvent) -> Result<Value, Unauthorized> {
        let protocols = event
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("sec-websocket-protocol"))
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        let token = token_from_protocols(protocols).ok_or_else(|| {
            Unauthorized(format!(
                "no '{PROTOCOL}' with a 'bearer.<ID token>' subprotocol offered"
            ))
        })?;
        let claims = self.verifier.verify(token).await.map_err(Unauthorized)?;
        let forwarded = forwarded_claims(&claims);
        let caller = Caller::from_claims(|n| forwarded.get(n).and_then(Value::as_str).map(str::to_owned))
            .map_err(|e| Unauthorized(e.to_string()))?;
        Ok(json!({
            "principalId": caller.id.to_string(),
            "policyDocument": {
                "Version": "2012-10-17",
                "Statement": [{ "Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event.method_arn }]
            },
            "context": { "sub": caller.id.to_string(), "role": caller.role, "name": caller.name }
        }))
    }
}
