//! Supervisor monitoring: the board, and listening, whispering or barging in on a live call.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::auth::{Caller, Role};
use shared::control::{CallControl, MonitorMode};
use shared::domain::monitor::Board;
use shared::error::{ApiError, ApiResult};
use shared::http::{Json, Path};
use shared::twilio::CallSid;

/// Every operator with their status and live call (memo as typed), the queue and today's figures.
#[utoipa::path(get, path = "/api/monitor", tag = "monitor", responses((status = 200, body = Board), (status = 403)))]
#[tracing::instrument(name = "monitor.board", skip_all)]
pub async fn board(State(c): State<CallControl>, caller: Caller) -> ApiResult<axum::Json<Board>> {
    if caller.role < Role::Supervisor {
        return Err(ApiError::forbidden("monitoring is for supervisors"));
    }
    Ok(axum::Json(c.services.monitor.board(chrono::Utc::now()).await?))
}

/// A request to join or switch mode.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonitorRequest {
    pub mode: MonitorMode,
}

/// Joins a live call as a listener, a coach or a participant, or switches mode when already on
/// it. Whispering is refused while the operator is on hold (Twilio does not coach a held
/// participant), as is a second supervisor on the same call.
#[utoipa::path(post, path = "/api/monitor/calls/{call}", tag = "monitor", params(("call" = String, Path)), request_body = MonitorRequest,
    responses((status = 204), (status = 403), (status = 404), (status = 409, description = "the call ended, nobody is on it, the operator is on hold (whisper), or another supervisor is monitoring")))]
#[tracing::instrument(name = "monitor.join", skip_all, fields(call = %call))]
pub async fn join(
    State(c): State<CallControl>,
    caller: Caller,
    Path(call): Path<CallSid>,
    Json(req): Json<MonitorRequest>,
) -> ApiResult<StatusCode> {
    c.monitor(&caller, &call, req.mode).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Leaves a call the supervisor is monitoring. Only the supervisor on the call, or an admin,
/// may take the monitoring leg off it.
#[utoipa::path(delete, path = "/api/monitor/calls/{call}", tag = "monitor", params(("call" = String, Path)),
    responses((status = 204), (status = 403, description = "another supervisor is monitoring"), (status = 404), (status = 409)))]
#[tracing::instrument(name = "monitor.leave", skip_all, fields(call = %call))]
pub async fn leave(State(c): State<CallControl>, caller: Caller, Path(call): Path<CallSid>) -> ApiResult<StatusCode> {
    c.stop_monitoring(&caller, &call).await?;
    Ok(StatusCode::NO_CONTENT)
}
