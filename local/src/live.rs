//! The live channel on the local runtime's port (`ws://localhost:PORT/live`): the protocol of
//! [`shared::push`] as the deployed WebSocket API speaks it, so the page has one code path.
//! The ID token comes as the `bearer.<token>` subprotocol beside `console.v1` and is verified by
//! the sign-in in use (dev sign-in or OpenID Connect, as every `/api` request); the changes come
//! from the store's change feed ([`feed::ChangeFeed`]), mapped by the same code as the `push`
//! function maps DynamoDB's stream records.

pub mod feed;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message as Frame, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use shared::auth::Caller;
use shared::error::ApiError;
use shared::push::{ClientMessage, Delivery, Message, PROTOCOL, Topic, check_topics, token_from_protocols};
use tokio::sync::broadcast;

use crate::SignIn;
use crate::devauth::DevAuth;
use feed::ChangeFeed;

/// The live channel's state: who may connect and the feed they hear.
#[derive(Clone)]
pub struct Live {
    feed: Arc<ChangeFeed>,
    sign_in: SignIn,
    dev: DevAuth,
}

impl Live {
    pub fn new(feed: Arc<ChangeFeed>, sign_in: SignIn, dev: DevAuth) -> Self {
        Self { feed, sign_in, dev }
    }

    /// The caller a token names, verified as `/api` requests are.
    async fn caller(&self, token: &str) -> Result<Caller, ApiError> {
        let claims = match &self.sign_in {
            SignIn::Dev => self.dev.forwarded_claims(token),
            SignIn::Oidc(p) => p.verify(token).await.map(|c| shared::auth_jwt::forwarded_claims(&c)),
        }
        .map_err(ApiError::Unauthorized)?;
        Caller::from_claims(|n| claims.get(n).and_then(|v| v.as_str()).map(str::to_owned))
    }

    /// The route of the channel.
    pub fn routes(&self) -> Router {
        Router::new()
            .route("/live", axum::routing::get(upgrade))
            .with_state(self.clone())
    }
}

/// Accepts a WebSocket whose `Sec-WebSocket-Protocol` offers `console.v1` and a valid token,
/// answering with `console.v1`; refuses anything else with 401 or 403 before upgrading (as the
/// deployed authorizer does).
async fn upgrade(
    State(live): State<Live>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let protocols = headers
        .get(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(token) = token_from_protocols(protocols) else {
        return ApiError::Unauthorized(format!(
            "open the live channel with the subprotocols '{PROTOCOL}' and 'bearer.<ID token>'"
        ))
        .into_response();
    };
    let caller = match live.caller(token).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let ws = match ws {
        Ok(ws) => ws,
        Err(e) => return e.into_response(),
    };
    let rx = live.feed.subscribe();
    ws.protocols([PROTOCOL])
        .on_upgrade(move |socket| serve(socket, caller, rx))
}

async fn send(socket: &mut WebSocket, m: &Message) -> bool {
    socket.send(Frame::Text(m.to_json().into())).await.is_ok()
}

/// One connection: answers its subscribe and ping, and forwards the deliveries of its topics
/// and audiences until it closes. A connection too slow for the feed is closed; the page
/// reconnects and reads once.
async fn serve(mut socket: WebSocket, caller: Caller, mut rx: broadcast::Receiver<Arc<Vec<Delivery>>>) {
    let sub = caller.id.to_string();
    let mut topics: Vec<Topic> = Vec::new();
    loop {
        tokio::select! {
            frame = socket.recv() => {
                let text = match frame {
                    Some(Ok(Frame::Text(t))) => t,
                    Some(Ok(Frame::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => continue,
                };
                let answer = match ClientMessage::parse(&text) {
                    Ok(ClientMessage::Ping) => Message::Pong,
                    Ok(ClientMessage::Subscribe { topics: wanted }) => match check_topics(&wanted, caller.role) {
                        Ok(t) => {
                            topics = t;
                            Message::Subscribed { topics: topics.clone() }
                        }
                        Err(m) => Message::error("forbidden_topic", m),
                    },
                    Err(m) => Message::error("unknown_action", m),
                };
                if !send(&mut socket, &answer).await {
                    return;
                }
            }
            batch = rx.recv() => match batch {
                Ok(deliveries) => {
                    for d in deliveries.iter() {
                        if topics.contains(&d.topic) && d.audience.includes(&sub, d.topic) && !send(&mut socket, &d.message).await {
                            return;
                        }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let close = CloseFrame { code: 1013, reason: "fell behind; reconnect".into() };
                    let _ = socket.send(Frame::Close(Some(close))).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}
