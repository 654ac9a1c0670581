//! The `calls` function: live control of the caller's own call (or any call, for a
//! supervisor) under `/api/calls`: its live state, hold and unhold, a consultation call on a
//! chosen line while the customer is held (hanging it up leaves the customer held, as the
//! console's manual says), transfer to another operator (warm or cold, with a screen
//! transfer the target reads under `/api/handoffs`), 外部転送 to an outside number (warm, from
//! the consultation call, or cold, leaving at once: `external.rs`), hang-up, and rejoining
//! one's own live call after a crashed tab; a call's recording played through a short-lived
//! link (`recordings.rs`, the link's media on the public route `/api/media/recordings/{token}`).
//! Each action is one or a few REST requests on the call's conference; acting on a call that
//! has ended gets 409, someone else's call 403. Every request about a call also checks on it (a
//! transfer that rang out unreported, a customer held with nobody), so a call heals itself
//! without a server of its own.
//!
//! Each handler extracts the request, calls one operation of [`shared::control::CallControl`]
//! and maps its outcome; the live call is served as the typed [`LiveCall`].

mod dialing;
mod external;
mod recordings;
mod tasks;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use shared::auth::{Caller, Role};
use shared::control::{CallControl, ConsultRequest, RecordingAction, TransferRequest};
use shared::domain::calls::{CallRecord, Participant, ParticipantLabel};
use shared::domain::handoff::{Handoff, Transfer};
use shared::error::ApiResult;
use shared::http::{Json, Path};
use shared::ids::RecordId;
use shared::twilio::CallSid;

/// The router Lambda and the tests run.
pub fn router(state: CallControl) -> Router {
    routes(state).fallback(shared::http::not_found)
}

/// This function's routes.
pub fn routes(state: CallControl) -> Router {
    Router::new()
        .route("/api/calls/current", get(current))
        .route("/api/calls/dial-check", post(dialing::check))
        .route("/api/calls/tasks", get(tasks::list))
        .route("/api/calls/tasks/{task}/take", post(tasks::take))
        .route("/api/calls/tasks/{task}/done", post(tasks::done))
        .route("/api/calls/tasks/{task}/undo", post(tasks::undo))
        .route("/api/calls/tasks/{task}/recording/link", post(tasks::recording_link))
        .route("/api/calls/{call}", get(live))
        .route("/api/calls/{call}/hold", post(hold))
        .route("/api/calls/{call}/unhold", post(unhold))
        .route("/api/calls/{call}/consult", post(consult).delete(end_consult))
        .route("/api/calls/{call}/consult/handover", post(external::hand_over))
        .route("/api/calls/{call}/external", post(external::hand_to_outside))
        .route("/api/calls/{call}/hangup", post(hangup))
        .route("/api/calls/{call}/rejoin", post(rejoin))
        .route("/api/calls/{call}/recording", post(recording))
        .route("/api/calls/{call}/recording/link", post(recordings::link))
        .route("/api/media/recordings/{token}", get(recordings::media))
        .route("/api/calls/{call}/transfer", post(transfer).delete(cancel_transfer))
        .route("/api/handoffs/{id}", get(handoff))
        .layer(shared::http::body_limit())
        .with_state(state)
}

/// A call as the page follows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LiveCall {
    /// The call record (status, customer, operator_id, operator_name, answered_at, …); the
    /// recording's link only for supervisors.
    pub call: CallRecord,
    /// Each participant's latest state.
    pub participants: Vec<Participant>,
    /// Whether the customer is on hold.
    pub customer_held: bool,
    /// The labels of the participants on hold now.
    pub held: Vec<ParticipantLabel>,
    /// The leg label of the call's operator now: `operator`, or `transfer` after a transfer.
    pub operator_label: ParticipantLabel,
    /// Whether a consultation call is connected.
    pub consult_in_progress: bool,
    /// Whether a transfer is ringing or answered.
    pub transfer_in_progress: bool,
    /// The transfer under way, or the last one.
    #[schema(required)]
    pub transfer: Option<Transfer>,
    /// Since when the customer has been held with nobody (the call heals itself after the
    /// configured `orphan_hold_seconds`).
    #[schema(required)]
    pub orphaned_since: Option<String>,
    /// Whether the customer is being reconnected to an operator (rung back, or back in line).
    pub reconnecting: bool,
}

impl LiveCall {
    /// The live view of a call record for a user with `role`: operators never get the
    /// recording's link (as in the history).
    fn of(mut call: CallRecord, role: Role) -> Self {
        if role < Role::Supervisor {
            call.summary.recording_url = None;
        }
        LiveCall {
            customer_held: call.customer_held(),
            held: call.held(),
            operator_label: call.operator_label(),
            consult_in_progress: call.joined(ParticipantLabel::Consult).is_some(),
            transfer_in_progress: call.transfer_under_way().is_some(),
            transfer: call.transfer.clone(),
            orphaned_since: call.orphaned_since.clone(),
            reconnecting: call.reconnecting(),
            participants: call.participants.clone(),
            call,
        }
    }
}

/// The caller's current call, or `null` (after a reload, the page offers to rejoin it).
#[utoipa::path(get, path = "/api/calls/current", tag = "calls", responses((status = 200, body = Option<LiveCall>)))]
#[tracing::instrument(name = "calls.current", skip_all)]
pub async fn current(State(c): State<CallControl>, caller: Caller) -> ApiResult<axum::Json<Option<LiveCall>>> {
    let call = c.current(&caller).await?;
    Ok(axum::Json(call.map(|call| LiveCall::of(call, caller.role))))
}

/// A call's live state, for its operator, the target of a transfer under way, or a supervisor.
#[utoipa::path(get, path = "/api/calls/{call}", tag = "calls", params(("call" = String, Path)), responses((status = 200, body = LiveCall), (status = 403), (status = 404)))]
#[tracing::instrument(name = "calls.live", skip_all, fields(call = %call))]
pub async fn live(
    State(c): State<CallControl>,
    caller: Caller,
    Path(call): Path<CallSid>,
) -> ApiResult<axum::Json<LiveCall>> {
    let record = c.live(&caller, &call).await?;
    Ok(axum::Json(LiveCall::of(record, caller.role)))
}

/// Puts the customer on hold with hold music. The operator's own leg is first set not to end
/// the conference when it leaves (Twilio ignores flag changes on a held participant, and a
/// consultation or transfer may have the operator leave while the customer waits).
#[utoipa::path(post, path = "/api/calls/{call}/hold", tag = "calls", params(("call" = String, Path)), responses((status = 204), (status = 409)))]
#[tracing::instrument(name = "calls.hold", skip_all, fields(call = %call))]
pub async fn hold(State(c): State<CallControl>, caller: Caller, Path(call): Path<CallSid>) -> ApiResult<StatusCode> {
    c.hold(&caller, &call).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes the customer off hold. Refused while a transfer is under way (the customer waits on
/// hold until it completes or is called off).
#[utoipa::path(post, path = "/api/calls/{call}/unhold", tag = "calls", params(("call" = String, Path)), responses((status = 204), (status = 409)))]
#[tracing::instrument(name = "calls.unhold", skip_all, fields(call = %call))]
pub async fn unhold(State(c): State<CallControl>, caller: Caller, Path(call): Path<CallSid>) -> ApiResult<StatusCode> {
    c.unhold(&caller, &call).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Calls a third party into the conference while the customer is held; the operator hears it
/// ring (early media). Refused unless the customer is on hold.
#[utoipa::path(post, path = "/api/calls/{call}/consult", tag = "calls", params(("call" = String, Path)), request_body = ConsultRequest,
    responses((status = 204), (status = 409, description = "the customer is not on hold, or the call ended"), (status = 422)))]
#[tracing::instrument(name = "calls.consult", skip_all, fields(call = %call))]
pub async fn consult(
    State(c): State<CallControl>,
    caller: Caller,
    Path(call): Path<CallSid>,
    Json(req): Json<ConsultRequest>,
) -> ApiResult<StatusCode> {
    c.consult(&caller, &call, &req).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hangs up the consultation call; the customer stays on hold until the operator unholds.
#[utoipa::path(delete, path = "/api/calls/{call}/consult", tag = "calls", params(("call" = String, Path)), responses((status = 204), (status = 409)))]
#[tracing::instrument(name = "calls.end_consult", skip_all, fields(call = %call))]
pub async fn end_consult(
    State(c): State<CallControl>,
    caller: Caller,
    Path(call): Path<CallSid>,
) -> ApiResult<StatusCode> {
    c.end_consult(&caller, &call).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A recording change.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordingRequest {
    pub action: RecordingAction,
}

/// Pauses or resumes the recording of a call on a recorded line (the call's `recording_paused`
/// shows which). Refused when the call is not being recorded.
#[utoipa::path(post, path = "/api/calls/{call}/recording", tag = "calls", params(("call" = String, Path)), request_body = RecordingRequest,
    responses((status = 204), (status = 403), (status = 409, description = "the call ended or is not being recorded")))]
#[tracing::instrument(name = "calls.recording", skip_all, fields(call = %call))]
pub async fn recording(
    State(c): State<CallControl>,
    caller: Caller,
    Path(call): Path<CallSid>,
    Json(req): Json<RecordingRequest>,
) -> ApiResult<StatusCode> {
    c.set_recording(&caller, &call, req.action).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hangs up. On a normal call the conference ends for everyone. During a transfer only the
/// first operator's leg is removed: an answered transfer then completes (the customer is
/// taken off hold with the target, who becomes the call's operator), a ringing one goes on
/// with the customer held.
#[utoipa::path(post, path = "/api/calls/{call}/hangup", tag = "calls", params(("call" = String, Path)), responses((status = 204), (status = 409)))]
#[tracing::instrument(name = "calls.hangup", skip_all, fields(call = %call))]
pub async fn hangup(State(c): State<CallControl>, caller: Caller, Path(call): Path<CallSid>) -> ApiResult<StatusCode> {
    c.hang_up(&caller, &call).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Rings the operator's softphone back into their own live call (after a crashed tab or a
/// lost connection): the customer never left the conference, so this is one REST request.
/// Refused when the operator's leg is still connected.
#[utoipa::path(post, path = "/api/calls/{call}/rejoin", tag = "calls", params(("call" = String, Path)),
    responses((status = 204), (status = 409, description = "still connected, or the call ended")))]
#[tracing::instrument(name = "calls.rejoin", skip_all, fields(call = %call))]
pub async fn rejoin(State(c): State<CallControl>, caller: Caller, Path(call): Path<CallSid>) -> ApiResult<StatusCode> {
    c.rejoin(&caller, &call).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hands the call to another operator. The customer is put on hold (your own leg is first set
/// not to end the conference when it leaves) and the target's softphone rings with the custom
/// parameters `callSid`, `transferId`, `mode`, `fromOperator`, `fromOperatorId`, `customer`
/// and, with a screen transfer, `handoffId`. Warm: when they answer you talk while the
/// customer waits, then hang up (`POST /hangup`) and the customer is taken off hold with them.
/// Cold: you leave at once; they get the customer as soon as they answer. When they do not
/// answer, the customer stays held and comes back to you (a cold transfer rings you back).
#[utoipa::path(post, path = "/api/calls/{call}/transfer", tag = "calls", params(("call" = String, Path)), request_body = TransferRequest,
    responses((status = 201, body = Transfer), (status = 403),
        (status = 409, description = "the call ended or is already being transferred, the target is signed out or busy, or the customer is not connected"),
        (status = 413), (status = 422, description = "unknown operator, yourself, or a screen transfer field to fix (named in `field`)")))]
#[tracing::instrument(name = "calls.transfer", skip_all, fields(call = %call))]
pub async fn transfer(
    State(c): State<CallControl>,
    caller: Caller,
    Path(call): Path<CallSid>,
    Json(req): Json<TransferRequest>,
) -> ApiResult<(StatusCode, axum::Json<Transfer>)> {
    let transfer = c.transfer(&caller, &call, req).await?;
    Ok((StatusCode::CREATED, axum::Json(transfer)))
}

/// Calls off a warm transfer that is ringing or answered: the target's leg is hung up and
/// the customer stays on hold with you. A cold transfer cannot be called off once you left.
#[utoipa::path(delete, path = "/api/calls/{call}/transfer", tag = "calls", params(("call" = String, Path)),
    responses((status = 200, body = Transfer), (status = 403), (status = 409, description = "no transfer under way, or a cold one")))]
#[tracing::instrument(name = "calls.cancel_transfer", skip_all, fields(call = %call))]
pub async fn cancel_transfer(
    State(c): State<CallControl>,
    caller: Caller,
    Path(call): Path<CallSid>,
) -> ApiResult<axum::Json<Transfer>> {
    Ok(axum::Json(c.cancel_transfer(&caller, &call).await?))
}

/// A screen transfer (画面転送), for the operator it was sent to or a supervisor; 404 once it
/// expired (an hour after the transfer started).
#[utoipa::path(get, path = "/api/handoffs/{id}", tag = "calls", params(("id" = String, Path)),
    responses((status = 200, body = Handoff), (status = 403), (status = 404)))]
#[tracing::instrument(name = "calls.handoff", skip_all, fields(handoff = %id))]
pub async fn handoff(
    State(c): State<CallControl>,
    caller: Caller,
    Path(id): Path<RecordId>,
) -> ApiResult<axum::Json<Handoff>> {
    let handoff = c
        .services
        .transfers
        .handoff(id.as_str(), caller.id.as_str(), caller.role >= Role::Supervisor)
        .await?;
    Ok(axum::Json(handoff))
}

/// The OpenAPI description of this function's routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    current,
    dialing::check,
    external::hand_over,
    external::hand_to_outside,
    live,
    hold,
    unhold,
    consult,
    end_consult,
    hangup,
    recording,
    rejoin,
    transfer,
    cancel_transfer,
    handoff,
    tasks::list,
    tasks::take,
    tasks::done,
    tasks::undo,
    tasks::recording_link,
    recordings::link,
    recordings::media
))]
pub struct ApiDoc;
