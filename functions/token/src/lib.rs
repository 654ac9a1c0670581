//! The `token` function: a Twilio Voice access token for the signed-in operator, so the page's
//! softphone can register and receive the calls routing offers them. The identity is derived
//! from the operator id, never chosen by the page. An operator an admin disabled gets none: their
//! ID token stays valid until it expires, but their profile says they may no longer take calls.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Serialize;
use shared::auth::Caller;
use shared::domain::operators::Operators;
use shared::error::{ApiError, ApiResult};
use shared::twilio::token::{VoiceGrant, VoiceTokenIssuer};
use shared::twilio::{ApplicationSid, ClientIdentity};

/// How long a token lives; the page refreshes it on `tokenWillExpire`.
pub const TOKEN_TTL: Duration = Duration::from_secs(3600);

/// The issuer, the TwiML App the softphone dials through, and the operators (to refuse a
/// disabled one).
#[derive(Clone)]
pub struct TokenState {
    pub issuer: Arc<VoiceTokenIssuer>,
    pub twiml_app: ApplicationSid,
    pub operators: Arc<Operators>,
}

/// The router Lambda and the tests run.
pub fn router(state: TokenState) -> Router {
    routes(state).fallback(shared::http::not_found)
}

/// This function's routes.
pub fn routes(state: TokenState) -> Router {
    Router::new().route("/api/token", get(token)).with_state(state)
}

/// A Voice access token.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VoiceToken {
    pub token: String,
    /// The Twilio client identity the token registers.
    pub identity: String,
    pub expires_at: String,
}

/// Issues a Voice access token for the caller (any role: supervisors listen through the
/// softphone too); 403 for a user an admin disabled.
#[utoipa::path(get, path = "/api/token", tag = "token", responses((status = 200, body = VoiceToken), (status = 401), (status = 403)))]
pub async fn token(State(s): State<TokenState>, caller: Caller) -> ApiResult<axum::Json<VoiceToken>> {
    s.operators.refuse_disabled(&caller.id).await?;
    let identity = ClientIdentity::parse(&caller.id.client_identity()).map_err(|e| ApiError::Internal(Box::new(e)))?;
    let grant = VoiceGrant::operator(identity.clone(), s.twiml_app.clone());
    let issued = s
        .issuer
        .issue(&grant, TOKEN_TTL, chrono::Utc::now())
        .map_err(|e| ApiError::Internal(Box::new(e)))?;
    Ok(axum::Json(VoiceToken {
        token: issued.jwt,
        identity: identity.as_str().to_owned(),
        expires_at: issued.expires_at.to_rfc3339(),
    }))
}

/// The OpenAPI description of this function's routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(token))]
pub struct ApiDoc;
