//! The `operators` function: my profile and presence (受付可, 離席, 後処理, 休憩, オフライン and
//! admin-defined statuses), and the list of operators with their statuses for the transfer
//! dialog. Becoming available rings the longest-waiting call at once.
//!
//! Supervisors also watch from here (`/api/monitor`): the board of operators, their calls and
//! memos as typed, the queue and today's figures; and on a live call they listen (a muted
//! participant), whisper (coaching the operator, who alone hears them) or barge in (an ordinary
//! participant), each one participant request on the call's conference; and they release an
//! operator stuck on a call that has ended (checked with Twilio first, audited).

mod hand;
mod monitor;

use axum::Router;
use axum::extract::State;
use axum::routing::{get, put};
use serde::Deserialize;
use shared::auth::Caller;
use shared::control::CallControl;
use shared::domain::operators::{Operator, OperatorStatus};
use shared::error::ApiResult;
use shared::http::Json;

/// The router Lambda and the tests run.
pub fn router(state: CallControl) -> Router {
    routes(state).fallback(shared::http::not_found)
}

/// This function's routes.
pub fn routes(state: CallControl) -> Router {
    Router::new()
        .route("/api/operators", get(list))
        .route("/api/operators/me", get(me))
        .route("/api/operators/me/status", put(set_status))
        .route("/api/operators/me/hand", put(hand::set))
        .route("/api/monitor", get(monitor::board))
        .route(
            "/api/monitor/operators/{operator}/release",
            axum::routing::post(monitor::release),
        )
        .route(
            "/api/monitor/calls/{call}",
            axum::routing::post(monitor::join).delete(monitor::leave),
        )
        .layer(shared::http::body_limit())
        .with_state(state)
}

/// My profile and presence; the first call creates the profile from the sign-in claims.
#[utoipa::path(get, path = "/api/operators/me", tag = "operators", responses((status = 200, body = Operator)))]
#[tracing::instrument(name = "operators.me", skip_all)]
pub async fn me(State(c): State<CallControl>, caller: Caller) -> ApiResult<axum::Json<Operator>> {
    Ok(axum::Json(
        c.services
            .operators
            .ensure(&caller.id, &caller.name, caller.role)
            .await?,
    ))
}

/// Every operator with their status, for the transfer dialog and monitoring.
#[utoipa::path(get, path = "/api/operators", operation_id = "list_operators", tag = "operators", responses((status = 200, body = Vec<Operator>)))]
#[tracing::instrument(name = "operators.list", skip_all)]
pub async fn list(State(c): State<CallControl>, _caller: Caller) -> ApiResult<axum::Json<Vec<Operator>>> {
    Ok(axum::Json(c.services.operators.list().await?))
}

/// A presence change.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// `available`, `away`, `wrap_up`, `break`, `offline` or an admin-defined id.
    pub status: OperatorStatus,
}

/// Changes my presence. `on_call` is refused (the system sets it); leaving while a call rings
/// or is connected gets 409. Becoming available rings the longest-waiting call at once.
#[utoipa::path(put, path = "/api/operators/me/status", request_body = StatusChange, tag = "operators",
    responses((status = 200, body = Operator), (status = 409), (status = 422)))]
#[tracing::instrument(name = "operators.set_status", skip_all, fields(status = %change.status))]
pub async fn set_status(
    State(c): State<CallControl>,
    caller: Caller,
    Json(change): Json<StatusChange>,
) -> ApiResult<axum::Json<Operator>> {
    Ok(axum::Json(c.set_presence(&caller, change.status).await?))
}

/// The OpenAPI description of this function's routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    me,
    list,
    set_status,
    hand::set,
    monitor::board,
    monitor::join,
    monitor::leave,
    monitor::release
))]
pub struct ApiDoc;
