//! The check the page asks for before it places a call (an outgoing call, a consultation call,
//! a transfer to an outside number): nothing is dialled here.

use axum::extract::State;
use shared::auth::Caller;
use shared::control::{CallControl, DialCheck, DialRequest};
use shared::error::ApiResult;
use shared::http::Json;

/// Whether I may call this number on this line: 200 with the number as read, or 422 saying
/// why not — not a phone number (`invalid_phone`), a country the settings do not allow
/// (`barred_country`, Japan only by default) or a premium-rate number (`premium_rate_number`).
#[utoipa::path(post, path = "/api/calls/dial-check", operation_id = "dial_check", tag = "calls", request_body = DialRequest,
    responses((status = 200, body = DialCheck),
        (status = 422, description = "an invalid number, a barred country, a premium-rate number, or an unknown line (named in `field`)")))]
#[tracing::instrument(name = "calls.dial_check", skip_all)]
pub async fn check(
    State(c): State<CallControl>,
    caller: Caller,
    Json(req): Json<DialRequest>,
) -> ApiResult<axum::Json<DialCheck>> {
    Ok(axum::Json(c.check_dial(&caller, &req).await?))
}
