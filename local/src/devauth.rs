//! Dev sign-in: stands in for Cognito on one machine. A person picks a seeded user and gets a
//! token; the middleware verifies it and puts the same claims API Gateway's JWT authorizer
//! would put in the request context, so the functions run unchanged.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation, decode, encode};
use lambda_http::request::RequestContext;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::auth::Role;
use shared::error::{ApiError, DomainError};
use shared::http::Json;

/// A user of the local console.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevUser {
    pub id: String,
    pub name: String,
    pub role: Role,
}

/// The signing key and the users who may sign in.
#[derive(Clone)]
pub struct DevAuth {
    secret: Arc<Vec<u8>>,
    users: Arc<Vec<DevUser>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    name: String,
    #[serde(rename = "cognito:groups")]
    groups: Vec<String>,
    exp: i64,
    iat: i64,
}

/// How long a dev token lasts (a working day, like a Cognito refresh would give).
const TOKEN_HOURS: i64 = 12;

impl DevAuth {
    pub fn new(secret: Vec<u8>, users: Vec<DevUser>) -> Self {
        Self {
            secret: Arc::new(secret),
            users: Arc::new(users),
        }
    }

    /// A token for a user, as the sign-in page gets it.
    pub fn token_for(&self, user: &DevUser) -> Result<String, ApiError> {
        self.token_issued_at(user, chrono::Utc::now().timestamp())
    }

    /// A token for a user id that expired an hour ago, signed with this key: what a page left
    /// open past the end of its sign-in sends (tests of refused requests).
    pub fn expired_token_for_id(&self, id: &str) -> Option<String> {
        let user = self.users.iter().find(|u| u.id == id)?;
        self.token_issued_at(user, chrono::Utc::now().timestamp() - TOKEN_HOURS * 3600 - 3600)
            .ok()
    }

    fn token_issued_at(&self, user: &DevUser, now: i64) -> Result<String, ApiError> {
        let group = match user.role {
            Role::Operator => "operator",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        };
        let claims = Claims {
            sub: user.id.clone(),
            name: user.name.clone(),
            groups: vec![group.into()],
            iat: now,
            exp: now + TOKEN_HOURS * 3600,
        };
        encode(&Header::default(), &claims, &EncodingKey::from_secret(&self.secret))
            .map_err(|e| ApiError::Internal(Box::new(e)))
    }

    /// A token for a user id (tests and the CLI).
    pub fn token_for_id(&self, id: &str) -> Option<String> {
        self.users
            .iter()
            .find(|u| u.id == id)
            .and_then(|u| self.token_for(u).ok())
    }

    fn verify(&self, token: &str) -> Result<Claims, String> {
        decode::<Claims>(token, &DecodingKey::from_secret(&self.secret), &Validation::default())
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    "the sign-in has expired; sign in again".to_owned()
                }
                _ => "the token is not valid; sign in again".to_owned(),
            })
    }

    /// The routes of the sign-in page's API.
    pub fn routes(&self) -> Router {
        Router::new()
            .route("/api/dev/users", get(users))
            .route("/api/dev/sign-in", post(sign_in))
            .with_state(self.clone())
    }
}

async fn users(State(a): State<DevAuth>) -> axum::Json<Vec<DevUser>> {
    axum::Json(a.users.as_ref().clone())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    user_id: String,
}

async fn sign_in(
    State(a): State<DevAuth>,
    Json(body): Json<SignIn>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let user = a
        .users
        .iter()
        .find(|u| u.id == body.user_id)
        .ok_or_else(|| ApiError::from(DomainError::NotFound(format!("there is no user '{}'", body.user_id))))?;
    Ok(axum::Json(json!({ "token": a.token_for(user)?, "user": user })))
}

/// Verifies the bearer token of every `/api` request (except the sign-in API and the OpenAPI
/// document) and places the claims where API Gateway's JWT authorizer does.
pub async fn authorize(State(a): State<DevAuth>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let open = !path.starts_with("/api/") || path.starts_with("/api/dev/") || path == "/api/openapi.json";
    if open {
        return next.run(req).await;
    }
    let token = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return ApiError::Unauthorized("sign in first: send Authorization: Bearer <token>".into()).into_response();
    };
    let claims = match a.verify(token) {
        Ok(c) => c,
        Err(m) => return ApiError::Unauthorized(m).into_response(),
    };
    let ctx = json!({
        "routeKey": "$default",
        "accountId": "000000000000",
        "stage": "$default",
        "requestId": ulid::Ulid::new().to_string(),
        "apiId": "local",
        "domainName": "localhost",
        "time": chrono::Utc::now().to_rfc2822(),
        "timeEpoch": chrono::Utc::now().timestamp_millis(),
        "http": { "method": req.method().as_str(), "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "local" },
        "authorizer": { "jwt": { "claims": {
            "sub": claims.sub,
            "name": claims.name,
            "cognito:groups": format!("[{}]", claims.groups.join(" ")),
        }, "scopes": null } }
    });
    match serde_json::from_value(ctx) {
        Ok(c) => {
            req.extensions_mut().insert(RequestContext::ApiGatewayV2(c));
            next.run(req).await
        }
        Err(e) => ApiError::Internal(Box::new(e)).into_response(),
    }
}
