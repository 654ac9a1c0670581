//! 外部転送: handing the customer to the outside party of the consultation call (warm), or to an
//! outside number at once (cold).

use axum::extract::State;
use axum::http::StatusCode;
use shared::auth::Caller;
use shared::control::{CallControl, ConsultRequest};
use shared::error::ApiResult;
use shared::http::{Json, Path};
use shared::twilio::CallSid;

/// Hands the customer to the connected consultation party (a warm transfer to an outside
/// number): the customer comes off hold with them, my leg leaves and I go into 後処理 while
/// the call goes on; it ends when either of them hangs up.
#[utoipa::path(post, path = "/api/calls/{call}/consult/handover", operation_id = "hand_over_to_consulted", tag = "calls",
    params(("call" = String, Path)),
    responses((status = 204), (status = 403), (status = 409, description = "the other party is not connected, a transfer is under way, or the call ended")))]
#[tracing::instrument(name = "calls.hand_over", skip_all, fields(call = %call))]
pub async fn hand_over(
    State(c): State<CallControl>,
    caller: Caller,
    Path(call): Path<CallSid>,
) -> ApiResult<StatusCode> {
    c.hand_to_consulted(&caller, &call).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hands the customer to an outside number and leaves at once (a cold transfer to an outside
/// number): the customer waits on hold while it rings on the chosen line and comes off hold with
/// them when they answer; I go into 後処理 now. An invalid or barred number is refused before
/// anything is dialled. If nobody answers, the call comes back to me (rung back) or goes back
/// in line.
#[utoipa::path(post, path = "/api/calls/{call}/external", operation_id = "hand_to_outside_number", tag = "calls",
    params(("call" = String, Path)), request_body = ConsultRequest,
    responses((status = 204), (status = 403), (status = 409, description = "a consultation or transfer is under way, or the call ended"),
        (status = 422, description = "the number is invalid, barred by the dial-out policy, or the line unknown")))]
#[tracing::instrument(name = "calls.hand_to_outside", skip_all, fields(call = %call))]
pub async fn hand_to_outside(
    State(c): State<CallControl>,
    caller: Caller,
    Path(call): Path<CallSid>,
    Json(req): Json<ConsultRequest>,
) -> ApiResult<StatusCode> {
    c.hand_to_outside(&caller, &call, &req).await?;
    Ok(StatusCode::NO_CONTENT)
}
