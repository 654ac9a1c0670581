//! HTTP glue shared by the routers: the JSON, query and path extractors whose rejections are
//! helpful 4xx answers, and request-id tracing: every request runs in a span `request` carrying
//! API Gateway's `requestId` (or an id made up for a request that has none, as locally), so
//! every line logged while it is handled names it.

use axum::extract::path::ErrorKind;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use axum::http::StatusCode;
use lambda_http::request::RequestContext;
use tracing::Instrument;

use crate::error::{ApiError, DomainError};

/// The largest request body the API reads: DynamoDB's item limit, since no request can store
/// more than one item's worth of data.
pub const MAX_BODY_BYTES: usize = 400 * 1024;

/// The body-size limit layer every router applies.
pub fn body_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES)
}

/// `axum::Json` whose rejection is an [`ApiError`] saying what was wrong with the body.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::BadRequest(
                "send the body as JSON with Content-Type: application/json".into(),
            )),
            // The limit error sometimes arrives wrapped, so its own 413 status is lost; its text
            // is stable across axum 0.8.
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE || e.body_text().contains("length limit") => {
                Err(ApiError::Domain(DomainError::TooLarge(format!(
                    "the request body is over {} KB; shorten long text fields",
                    MAX_BODY_BYTES / 1024
                ))))
            }
            Err(JsonRejection::BytesRejection(e)) => {
                Err(ApiError::BadRequest(format!("the body could not be read: {e}")))
            }
            Err(e) => Err(ApiError::BadRequest(format!(
                "the JSON body is not valid: {}",
                e.body_text()
            ))),
        }
    }
}

/// `axum::extract::Query` whose rejection is an [`ApiError`].
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e: QueryRejection| {
                ApiError::BadRequest(format!("the query string is not valid: {}", e.body_text()))
            })
    }
}

/// `axum::extract::Path` whose rejection is an [`ApiError`]: a segment that is not a valid id of
/// its kind (`Path<CallSid>`, `Path<OperatorId>`) names nothing there can be, so it is a 404 saying
/// what an id of that kind looks like; a path that cannot be read at all is a 400.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => Err(match e.into_kind() {
                ErrorKind::DeserializeError { value, message, .. } => not_there(&value, &message),
                ErrorKind::ParseError { value, expected_type }
                | ErrorKind::ParseErrorAtKey {
                    value, expected_type, ..
                }
                | ErrorKind::ParseErrorAtIndex {
                    value, expected_type, ..
                } => not_there(&value, &format!("not a valid {expected_type}")),
                ErrorKind::Message(message) => not_there(parts.uri.path(), &message),
                other => ApiError::BadRequest(format!("the path is not valid: {other}")),
            }),
            Err(e) => Err(ApiError::BadRequest(format!(
                "the path is not valid: {}",
                e.body_text()
            ))),
        }
    }
}

/// The 404 for a path (or a segment of it) that cannot name anything: what was sent (cut
/// short) and why.
fn not_there(value: &str, why: &str) -> ApiError {
    let value: String = value.chars().take(64).collect();
    ApiError::Domain(DomainError::NotFound(format!("'{value}' names nothing here: {why}")))
}

/// The id of the request being handled, put in the request's extensions by [`traced`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// API Gateway's `requestId` from the request context, or a new id (a ULID) when the request
    /// came another way.
    pub fn of<B>(req: &axum::http::Request<B>) -> Self {
        let from_gateway = match req.extensions().get::<RequestContext>() {
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
            _ => None,
        };
        Self(from_gateway.unwrap_or_else(|| ulid::Ulid::new().to_string()))
    }
}

/// `router` with every request handled in a span `request` carrying its [`RequestId`], its
/// method and its path (never its query string: that carries phone numbers).
pub fn traced(router: axum::Router) -> axum::Router {
    router.layer(axum::middleware::from_fn(trace_request))
}

async fn trace_request(mut req: Request, next: axum::middleware::Next) -> axum::response::Response {
    let id = RequestId::of(&req);
    let span = tracing::info_span!("request", request_id = %id.0, method = %req.method(), path = req.uri().path());
    req.extensions_mut().insert(id);
    next.run(req).instrument(span).await
}

/// A fallback for unknown routes under a function's prefix.
pub async fn not_found() -> ApiError {
    ApiError::Domain(crate::error::DomainError::NotFound("no such API route".into()))
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::extract::Extension;
    use axum::routing::get;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;
    use crate::twilio::CallSid;

    /// An HTTP API (payload 2.0) event as API Gateway sends it to the Lambda.
    const EVENT: &str = r#"{
        "version": "2.0", "routeKey": "$default", "rawPath": "/api/calls/current", "rawQueryString": "",
        "headers": {"host": "abc123.execute-api.ap-northeast-1.amazonaws.com"},
        "requestContext": {
            "accountId": "123456789012", "apiId": "abc123", "domainName": "abc123.execute-api.ap-northeast-1.amazonaws.com",
            "domainPrefix": "abc123", "requestId": "JKJaXmPLvHcESHA=", "routeKey": "$default", "stage": "$default",
            "time": "23/Nov/2026:10:00:00 +0000", "timeEpoch": 1795428000000,
            "http": {"method": "GET", "path": "/api/calls/current", "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "test"}
        },
        "isBase64Encoded": false
    }"#;

    fn echo_request_id() -> Router {
        traced(Router::new().route(
            "/api/calls/current",
            get(|Extension(id): Extension<RequestId>| async move { id.0 }),
        ))
    }

    async fn text(router: Router, req: axum::http::Request<Body>) -> (StatusCode, String) {
        let response = router.oneshot(req).await.expect("the router answers");
        let status = response.status();
        let bytes = response.into_body().collect().await.expect("a body").to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    #[tokio::test]
    async fn a_request_from_api_gateway_is_handled_under_its_gateway_request_id() {
        let event = lambda_http::request::from_str(EVENT).expect("a valid event");
        let req = event.map(|_| Body::empty());
        assert_eq!(RequestId::of(&req).0, "JKJaXmPLvHcESHA=");
        let (status, id) = text(echo_request_id(), req).await;
        assert_eq!((status, id.as_str()), (StatusCode::OK, "JKJaXmPLvHcESHA="));
    }

    #[tokio::test]
    async fn a_request_without_a_gateway_context_gets_an_id_of_its_own() {
        let req = || {
            axum::http::Request::get("/api/calls/current")
                .body(Body::empty())
                .unwrap()
        };
        let (_, first) = text(echo_request_id(), req()).await;
        let (_, second) = text(echo_request_id(), req()).await;
        assert!(ulid::Ulid::from_string(&first).is_ok(), "{first}");
        assert_ne!(first, second);
    }

    #[tokio::test]
    async fn a_path_segment_that_is_no_valid_id_is_a_404_saying_what_an_id_looks_like() {
        let router = Router::new().route(
            "/api/calls/{call}",
            get(|Path(call): Path<CallSid>| async move { call.to_string() }),
        );
        let req = |path: &str| axum::http::Request::get(path).body(Body::empty()).unwrap();
        let (status, body) = text(router.clone(), req("/api/calls/not-a-call")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let body: serde_json::Value = serde_json::from_str(&body).expect("a JSON error");
        assert_eq!(body["error"]["code"], "not_found");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("not-a-call") && message.contains("CallSid"),
            "{message}"
        );
        let sid = "CA0123456789abcdef0123456789abcdef";
        assert_eq!(
            text(router, req(&format!("/api/calls/{sid}"))).await,
            (StatusCode::OK, sid.to_owned())
        );
    }
}
