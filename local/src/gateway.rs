//! What API Gateway's JWT authorizer leaves on a request, played by the local runtime's sign-in
//! middlewares (dev sign-in and OpenID Connect): the bearer token read from `Authorization`,
//! and the verified claims put in the request context of payload format 2.0, so the functions
//! read them with `shared::auth::Caller` exactly as deployed.

use axum::extract::Request;
use lambda_http::request::RequestContext;
use serde_json::{Map, Value, json};
use shared::error::ApiError;

/// The token of `Authorization: Bearer <token>`, if the request carries one.
pub(crate) fn bearer(req: &Request) -> Option<&str> {
    req.headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

/// The request with `claims` (already rendered as API Gateway renders them: every value a
/// string, arrays as `[a b]`) where the JWT authorizer puts them.
pub(crate) fn with_claims(mut req: Request, claims: Map<String, Value>) -> Result<Request, ApiError> {
    let ctx = json!({
        "routeKey": "$default",
        "accountId": "000000000000",
        "stage": "$default",
        "requestId": ulid::Ulid::new().to_string(),
        "apiId": "local",
        "domainName": "localhost",
        "time": chrono::Utc::now().to_rfc2822(),
        "timeEpoch": chrono::Utc::now().timestamp_millis(),
        "http": { "method": req.method().as_str(), "path": req.uri().path(), "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "local" },
        "authorizer": { "jwt": { "claims": claims, "scopes": null } }
    });
    let ctx = serde_json::from_value(ctx).map_err(|e| ApiError::Internal(Box::new(e)))?;
    req.extensions_mut().insert(RequestContext::ApiGatewayV2(ctx));
    Ok(req)
}
