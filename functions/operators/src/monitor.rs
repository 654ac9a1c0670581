//! Supervisor monitoring: the board, listening, whispering or barging in on a live call, and
//! releasing an operator stuck on a call that has ended.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::auth::{Caller, Role};
use shared::control::{CallControl, MonitorMode, Release};
use shared::domain::monitor::Board;
use shared::error::{ApiError, ApiResult};
use shared::http::{Json, Path};
use shared::ids::OperatorId;
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
/// participant), as is a second supervisor on the same call. The operator's raised hand
/// (手上げ), if any, is answered and goes down.
#[utoipa::path(post, path = "/api/monitor/calls/{call}", tag = "monitor", params(("call" = String, Path)), request_body = MonitorRequest,
    responses((status = 204), (status = 403), (status = 404), (status = 409, description = "the call ended, nobody is on it, the operator is on hold (whisper), or another supervisor is monitoring")))]
#[tracing::instrument(name = "monitor.join", skip_all, fields(call = %call))]
pub async fn join(
    State(c): State<CallControl>,
    caller: Caller,
    Path(call): Path<CallSid>,
    Json(req): Json<MonitorRequest>,
) -> ApiResult<StatusCode> {
    c.monitor_answering_hand(&caller, &call, req.mode).await?;
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

/// Releases an operator the board shows on a call that is over (its end callbacks were lost):
/// the call is checked in the store and with Twilio, its end applied as the callback would and
/// the operator put in wrap-up. A call Twilio says is still live is never cut: 409 `call_live`.
/// Supervisors and admins only; every attempt is written to the audit log.
#[utoipa::path(post, path = "/api/monitor/operators/{operator}/release", operation_id = "release_operator", tag = "monitor", params(("operator" = String, Path)),
    responses((status = 200, body = Release), (status = 403), (status = 404),
        (status = 409, description = "call_live: Twilio says the operator's call is still connected")))]
#[tracing::instrument(name = "monitor.release", skip_all, fields(operator = %operator))]
pub async fn release(
    State(c): State<CallControl>,
    caller: Caller,
    Path(operator): Path<OperatorId>,
) -> ApiResult<axum::Json<Release>> {
    if caller.role < Role::Supervisor {
        return Err(ApiError::forbidden(
            "only supervisors and admins may release an operator",
        ));
    }
    Ok(axum::Json(c.release_operator(&caller, &operator).await?))
}
