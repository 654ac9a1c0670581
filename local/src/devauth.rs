//! Dev sign-in: stands in for Cognito on one machine. A person picks a user of the local
//! directory (the demo users, and whoever an admin invited) and gets a token; the middleware
//! verifies it and puts the same claims API Gateway's JWT authorizer would put in the request
//! context, so the functions run unchanged. As with Cognito, a disabled user cannot sign in, and
//! a token carries the role the user has when signing in.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::auth::Role;
use shared::directory::local::StoreDirectory;
use shared::directory::{DirectoryUser, DisplayName, Email, UserDirectory};
use shared::error::{ApiError, DomainError};
use shared::http::Json;
use shared::ids::OperatorId;

/// A user of the local console.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevUser {
    pub id: String,
    pub name: String,
    pub role: Role,
}

/// The signing key and the users who may sign in: those of the local directory, or (without a
/// directory) a fixed list.
#[derive(Clone)]
pub struct DevAuth {
    secret: Arc<Vec<u8>>,
    users: Arc<Vec<DevUser>>,
    directory: Option<Arc<StoreDirectory>>,
}

/// A user as the sign-in page lists them.
#[derive(Debug, Clone, Serialize)]
pub struct SignInUser {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub email: String,
    /// false for a user an admin disabled: signing in is refused.
    pub enabled: bool,
}

/// The most users the sign-in page lists (directory pages read for it).
const MAX_LISTED_PAGES: usize = 20;

/// What a refused sign-in says (the page shows its translation of the code, or this).
const DISABLED_MESSAGE: &str =
    "This user has been disabled by an administrator, so it cannot sign in. Ask an administrator to enable it.";

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
    /// Sign-in for a fixed list of users (no directory: nobody can be invited or disabled).
    pub fn new(secret: Vec<u8>, users: Vec<DevUser>) -> Self {
        Self {
            secret: Arc::new(secret),
            users: Arc::new(users),
            directory: None,
        }
    }

    /// Sign-in for the users of the local directory. The demo `users` are added to it when
    /// missing (address `<id>@example.jp`), so a data file from before the directory gains them
    /// and one where an admin changed them keeps the changes.
    pub async fn with_directory(
        secret: Vec<u8>,
        users: Vec<DevUser>,
        directory: Arc<StoreDirectory>,
    ) -> Result<Self, DomainError> {
        for u in &users {
            let id = OperatorId::parse(&u.id).map_err(|e| DomainError::invalid("seed", e.to_string()))?;
            let email = Email::parse(&format!("{}@example.jp", u.id))?;
            directory
                .import(&id, &email, &DisplayName::parse(&u.name)?, u.role)
                .await?;
        }
        Ok(Self {
            secret: Arc::new(secret),
            users: Arc::new(users),
            directory: Some(directory),
        })
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

    /// A token for one of the users this sign-in was made with, as they were then (tests and
    /// the CLI; the sign-in page goes through the directory).
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

    /// The claims of a valid token as API Gateway's JWT authorizer forwards them, or why the
    /// token is refused.
    pub(crate) fn forwarded_claims(&self, token: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
        let claims = self.verify(token)?;
        let mut forwarded = serde_json::Map::new();
        forwarded.insert("sub".into(), claims.sub.into());
        forwarded.insert("name".into(), claims.name.into());
        forwarded.insert("cognito:groups".into(), format!("[{}]", claims.groups.join(" ")).into());
        Ok(forwarded)
    }

    /// The routes of the sign-in page's API.
    pub fn routes(&self) -> Router {
        Router::new()
            .route("/api/dev/users", get(users))
            .route("/api/dev/sign-in", post(sign_in))
            .with_state(self.clone())
    }
}

async fn users(State(a): State<DevAuth>) -> Result<axum::Json<Vec<SignInUser>>, ApiError> {
    let Some(directory) = &a.directory else {
        let fixed = a.users.iter().map(|u| SignInUser {
            id: u.id.clone(),
            name: u.name.clone(),
            role: u.role,
            email: format!("{}@example.jp", u.id),
            enabled: true,
        });
        return Ok(axum::Json(fixed.collect()));
    };
    let mut listed = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_LISTED_PAGES {
        let page = directory.list(cursor.as_deref()).await.map_err(DomainError::from)?;
        listed.extend(page.users.into_iter().filter_map(sign_in_user));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    Ok(axum::Json(listed))
}

/// A directory user as the sign-in page lists them; one in no console group cannot sign in.
fn sign_in_user(u: DirectoryUser) -> Option<SignInUser> {
    Some(SignInUser {
        role: u.role?,
        id: u.id.to_string(),
        name: u.name,
        email: u.email,
        enabled: u.enabled,
    })
}

/// A refused sign-in, with its own code so the page can say why.
fn refused(code: &str, message: &str) -> Response {
    let body = json!({ "error": { "code": code, "message": message } });
    (axum::http::StatusCode::FORBIDDEN, axum::Json(body)).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    user_id: String,
}

async fn sign_in(State(a): State<DevAuth>, Json(body): Json<SignIn>) -> Result<Response, ApiError> {
    let missing = || ApiError::from(DomainError::NotFound(format!("there is no user '{}'", body.user_id)));
    let Some(directory) = &a.directory else {
        let user = a.users.iter().find(|u| u.id == body.user_id).ok_or_else(missing)?;
        return Ok(axum::Json(json!({ "token": a.token_for(user)?, "user": user })).into_response());
    };
    let id = OperatorId::parse(&body.user_id).map_err(|_| missing())?;
    let found = directory.get(&id).await.map_err(DomainError::from)?;
    if !found.enabled {
        return Ok(refused("user_disabled", DISABLED_MESSAGE));
    }
    let Some(role) = found.role else {
        return Ok(refused(
            "no_role",
            "This user has no role yet. Ask an administrator to give it one (operator, supervisor or admin).",
        ));
    };
    directory.signed_in(&id).await.map_err(DomainError::from)?;
    let user = DevUser {
        id: found.id.to_string(),
        name: found.name,
        role,
    };
    Ok(axum::Json(json!({ "token": a.token_for(&user)?, "user": user })).into_response())
}

/// Verifies the bearer token of every `/api` request (except the sign-in API, the OpenAPI
/// document and a recording's media, whose link token is its credential, as the deployed
/// route has no authorizer) and places the claims where API Gateway's JWT authorizer does.
pub async fn authorize(State(a): State<DevAuth>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let open = !path.starts_with("/api/")
        || path.starts_with("/api/dev/")
        || path == "/api/openapi.json"
        || path.starts_with(shared::control::recordings::MEDIA_PATH_PREFIX);
    if open {
        return next.run(req).await;
    }
    let Some(token) = crate::gateway::bearer(&req) else {
        return ApiError::Unauthorized("sign in first: send Authorization: Bearer <token>".into()).into_response();
    };
    let forwarded = match a.forwarded_claims(token) {
        Ok(c) => c,
        Err(m) => return ApiError::Unauthorized(m).into_response(),
    };
    match crate::gateway::with_claims(req, forwarded) {
        Ok(req) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}
