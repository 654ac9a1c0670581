//! A call's recording played in the page: `POST /api/calls/{call}/recording/link` (behind the
//! authorizer) checks the role, audits the listening and answers a short-lived link; the link's
//! public route `GET /api/media/recordings/{token}` serves the recording a byte range at a time
//! (206 Partial Content, at most 2 MB a response: see `shared::twilio::media`), so `<audio>`,
//! which cannot send the bearer token, plays and seeks it.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::auth::Caller;
use shared::control::CallControl;
use shared::control::recordings::RecordingLink;
use shared::error::{ApiError, ApiResult};
use shared::http::Path;
use shared::ids::LinkToken;
use shared::twilio::CallSid;
use shared::twilio::media::{ByteRange, MediaAnswer, RangeError};

/// A link to play the call's recording, good for 30 minutes. Supervisors and admins may play
/// every call's recording; an operator only their own calls' and only when
/// `call_handling.operators_play_own_recordings` is on. Each link written is an entry in the
/// audit log (who, which call, when).
#[utoipa::path(post, path = "/api/calls/{call}/recording/link", operation_id = "recording_link", tag = "calls", params(("call" = String, Path)),
    responses((status = 200, body = RecordingLink), (status = 403, description = "may not play this call's recording"),
        (status = 404, description = "no such call, no recording, or deleted after its retention period")))]
#[tracing::instrument(name = "calls.recording_link", skip_all, fields(call = %call))]
pub async fn link(
    State(c): State<CallControl>,
    caller: Caller,
    Path(call): Path<CallSid>,
) -> ApiResult<axum::Json<RecordingLink>> {
    Ok(axum::Json(c.recording_link(&caller, &call).await?))
}

/// The recording a link names, a byte range at a time: `Range: bytes=0-`, `bytes=100-199` or
/// `bytes=-500` is answered 206 with `Content-Range` and at most 2 MB (the player asks for the
/// next range); no `Range` gets the start of the recording the same way (200 when that is the
/// whole of it). 400 for a malformed range, 416 for one past the end, 404 for an unknown or
/// expired link. Public: the link's random token is the credential.
#[utoipa::path(get, path = "/api/media/recordings/{token}", operation_id = "recording_media", tag = "calls", params(("token" = String, Path)),
    responses((status = 200, description = "the whole recording (WAV)", body = String, content_type = "audio/x-wav"),
        (status = 206, description = "a part of the recording (WAV)", body = String, content_type = "audio/x-wav"),
        (status = 400), (status = 404), (status = 416), (status = 503)),
    security(()))]
#[tracing::instrument(name = "calls.recording_media", skip_all)]
pub async fn media(
    State(c): State<CallControl>,
    Path(token): Path<LinkToken>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let asked = headers.get(header::RANGE).map(|v| v.to_str().unwrap_or("\u{fffd}"));
    let range = match ByteRange::parse(asked) {
        Ok(range) => range,
        Err(e @ RangeError::Malformed(_)) => return Err(ApiError::BadRequest(e.to_string())),
        Err(e @ RangeError::Unsatisfiable) => return Ok(unsatisfiable(&e.to_string(), None)),
    };
    let part = match c.recording_part(&token, range).await? {
        MediaAnswer::Part(part) => part,
        MediaAnswer::Unsatisfiable { total } => {
            return Ok(unsatisfiable(&RangeError::Unsatisfiable.to_string(), total));
        }
    };
    let status = if asked.is_none() && part.is_whole() {
        StatusCode::OK
    } else {
        StatusCode::PARTIAL_CONTENT
    };
    let mut response = (status, part.bytes.clone()).into_response();
    let h = response.headers_mut();
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&part.content_type).unwrap_or(HeaderValue::from_static("audio/x-wav")),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=1800"));
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {}-{}/{}", part.first, part.last(), part.total))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    Ok(response)
}

/// 416 with the recording's length when known (`Content-Range: bytes */<total>`).
fn unsatisfiable(message: &str, total: Option<u64>) -> Response {
    let body = serde_json::json!({ "error": { "code": "range_not_satisfiable", "message": message } });
    let mut response = (StatusCode::RANGE_NOT_SATISFIABLE, axum::Json(body)).into_response();
    if let Some(v) = total.and_then(|t| HeaderValue::from_str(&format!("bytes */{t}")).ok()) {
        response.headers_mut().insert(header::CONTENT_RANGE, v);
    }
    response
        .headers_mut()
        .insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    response
}
