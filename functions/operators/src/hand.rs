//! 手上げ: the operator raises or lowers their hand for a supervisor; the board shows it.

use axum::extract::State;
use serde::Deserialize;
use shared::auth::Caller;
use shared::control::CallControl;
use shared::domain::operators::Operator;
use shared::error::ApiResult;
use shared::http::Json;

/// Up or down.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandRequest {
    pub raised: bool,
}

/// Raises (手上げ) or lowers my hand; the supervisors' board shows a raised hand with a button
/// to listen in, and it goes down when a supervisor joins my call. Refused while offline.
#[utoipa::path(put, path = "/api/operators/me/hand", operation_id = "set_hand", tag = "operators", request_body = HandRequest,
    responses((status = 200, body = Operator), (status = 403, description = "a disabled user"), (status = 409, description = "offline")))]
#[tracing::instrument(name = "operators.hand", skip_all)]
pub async fn set(
    State(c): State<CallControl>,
    caller: Caller,
    Json(req): Json<HandRequest>,
) -> ApiResult<axum::Json<Operator>> {
    Ok(axum::Json(c.set_hand(&caller, req.raised).await?))
}
