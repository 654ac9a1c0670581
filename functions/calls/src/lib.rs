//! The `calls` function: live control of the caller's own call (or any call, for a
//! supervisor) under `/api/calls`: its live state, hold and unhold, a consultation call on a
//! chosen line while the customer is held (hanging it up leaves the customer held, as the
//! console's manual says), transfer to another operator (warm or cold, with a screen
//! transfer the target reads under `/api/handoffs`), hang-up, and rejoining one's own live
//! call after a crashed tab. Each action is one or a few REST requests on the call's
//! conference; acting on a call that has ended gets 409, someone else's call 403. Every
//! request about a call also checks on it (a transfer that rang out unreported, a customer
//! held with nobody), so a call heals itself without a server of its own.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::auth::{Caller, Role};
use shared::dispatch::{ControlError, Dispatcher, TransferOrder};
use shared::domain::calls::call_key;
use shared::domain::callstate::participants;
use shared::domain::handoff::{Handoff, ScreenTransfer, Transfer, TransferMode, operator_label};
use shared::domain::operators::operator_key;
use shared::error::{ApiError, ApiResult, DomainError};
use shared::http::Json;
use shared::ids::OperatorId;
use shared::phone::PhoneNumber;
use shared::store::Item;
use shared::twilio::ConferenceSid;
use shared::twilio::rest::{CURRENT_RECORDING, PauseBehavior, RecordingControl, UpdateRecording};
use shared::twilio::rest::{
    ConferenceRef, CreateParticipant, ParticipantRef, ParticipantTo, UpdateConference, UpdateParticipant,
};
use shared::twilio::telephony::TelephonyError;
use shared::twilio::twiml::{CallProgressEvent, ConferenceBeep, HttpMethod};

/// The router Lambda and the tests run.
pub fn router(state: Dispatcher) -> Router {
    routes(state).fallback(shared::http::not_found)
}

/// This function's routes.
pub fn routes(state: Dispatcher) -> Router {
    Router::new()
        .route("/api/calls/current", get(current))
        .route("/api/calls/{call}", get(live))
        .route("/api/calls/{call}/hold", post(hold))
        .route("/api/calls/{call}/unhold", post(unhold))
        .route("/api/calls/{call}/consult", post(consult).delete(end_consult))
        .route("/api/calls/{call}/hangup", post(hangup))
        .route("/api/calls/{call}/rejoin", post(rejoin))
        .route("/api/calls/{call}/recording", post(recording))
        .route("/api/calls/{call}/transfer", post(transfer).delete(cancel_transfer))
        .route("/api/handoffs/{id}", get(handoff))
        .layer(shared::http::body_limit())
        .with_state(state)
}

/// A call as the page follows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LiveCall {
    /// The call record (status, customer, operator_id, operator_name, answered_at, …).
    #[schema(value_type = Object)]
    pub call: Value,
    /// Each participant's latest state: label, call_sid, state (joined/left), hold, muted.
    #[schema(value_type = Vec<Object>)]
    pub participants: Vec<Value>,
    /// Whether the customer is on hold.
    pub customer_held: bool,
    /// The labels of the participants on hold now.
    pub held: Vec<String>,
    /// The leg label of the call's operator now: `operator`, or `transfer` after a transfer.
    pub operator_label: String,
    /// Whether a consultation call is connected.
    pub consult_in_progress: bool,
    /// Whether a transfer is ringing or answered.
    pub transfer_in_progress: bool,
    /// The transfer under way, or the last one.
    pub transfer: Option<Transfer>,
    /// Since when the customer has been held with nobody (the call heals itself after the
    /// configured `orphan_hold_seconds`).
    pub orphaned_since: Option<String>,
    /// Whether the customer is being reconnected to an operator (rung back, or back in line).
    pub reconnecting: bool,
}

use shared::store::str_attr as str_of;

fn joined(parts: &[Value], label: &str) -> bool {
    parts.iter().any(|p| p["label"] == label && p["state"] == "joined")
}

/// The live view of a call record: internal keys dropped, and the recording's link only for
/// supervisors (operators never get it, as in the history).
fn live_of(mut item: Item, role: Role) -> LiveCall {
    if role < Role::Supervisor {
        item.remove("recording_url");
    }
    let parts = participants(&item);
    let held: Vec<String> = parts
        .iter()
        .filter(|p| p["state"] == "joined" && p["hold"] == true)
        .filter_map(|p| p["label"].as_str().map(str::to_owned))
        .collect();
    let transfer = Transfer::from_item(&item);
    let label = operator_label(&item).to_owned();
    let orphaned_since = str_of(&item, "orphaned_since").map(str::to_owned);
    let reconnecting = shared::dispatch::reconnecting(&item);
    item.retain(|k, _| {
        !(k.starts_with("p_")
            || k.starts_with("pseq_")
            || k.starts_with("transfer_")
            || matches!(k.as_str(), "PK" | "SK" | "GSI1PK" | "GSI1SK" | "GSI2PK" | "GSI2SK"))
    });
    LiveCall {
        call: Value::Object(item),
        customer_held: held.iter().any(|l| l == "customer"),
        held,
        operator_label: label,
        consult_in_progress: joined(&parts, "consult"),
        transfer_in_progress: transfer.as_ref().is_some_and(|t| t.state.in_progress()),
        transfer,
        orphaned_since,
        reconnecting,
        participants: parts,
    }
}

fn check_call_id(call: &str) -> Result<(), ApiError> {
    shared::twilio::CallSid::parse(call)
        .map(|_| ())
        .map_err(|_| DomainError::NotFound("there is no such call".into()).into())
}

/// The call record, if the caller passes `authorize` on it, as it is after checking on it (see
/// [`Dispatcher::check_call`]). The caller is authorised first: the check may write to the
/// store and call Twilio. A failure of the check must not stop the operator: it is logged and
/// the call read as it is.
async fn checked(
    d: &Dispatcher,
    call: &str,
    authorize: impl FnOnce(&Item) -> Result<(), ApiError>,
) -> Result<Item, ApiError> {
    let missing = || ApiError::from(DomainError::NotFound(format!("there is no call {call}")));
    let item = d.services.store.get(&call_key(call)).await?.ok_or_else(missing)?;
    authorize(&item)?;
    let checked = match d.checked_record(call, item.clone()).await {
        Ok(checked) => checked,
        Err(e) => {
            tracing::warn!(call = %call, error = %e, "could not check on the call");
            Some(item)
        }
    };
    checked.ok_or_else(missing)
}

/// Refuses a user who is neither the call's operator nor a supervisor.
fn operator_or_supervisor(caller: &Caller, item: &Item) -> Result<(), ApiError> {
    if str_of(item, "operator_id") != Some(caller.id.as_str()) && caller.role < Role::Supervisor {
        return Err(ApiError::forbidden("this is not your call"));
    }
    Ok(())
}

/// The call, if the caller may act on it and it is still live.
async fn controllable(d: &Dispatcher, caller: &Caller, call: &str) -> Result<Item, ApiError> {
    check_call_id(call)?;
    let item = checked(d, call, |item| operator_or_supervisor(caller, item)).await?;
    if item.get("ended_at").is_some() || matches!(str_of(&item, "status"), Some("completed" | "abandoned" | "failed")) {
        return Err(DomainError::conflict("call_ended", "this call has already ended", None).into());
    }
    Ok(item)
}

/// Refuses an action that would disturb a transfer under way.
fn not_transferring(item: &Item, what: &str) -> Result<(), ApiError> {
    match Transfer::from_item(item).filter(|t| t.state.in_progress()) {
        Some(t) => Err(DomainError::conflict(
            "transfer_in_progress",
            format!(
                "the call is being transferred to {}; {what} after the transfer ends, or cancel it",
                t.to_name
            ),
            serde_json::to_value(&t).ok(),
        )
        .into()),
        None => Ok(()),
    }
}

/// The conference's SID, from the call record or, before its first callback arrived, from Twilio.
async fn conference_of(d: &Dispatcher, call: &str, item: &Item) -> Result<ConferenceSid, ApiError> {
    d.conference_sid(call, item)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| DomainError::conflict("no_conference", "the call is not connected yet", None).into())
}

fn control_error(e: ControlError) -> ApiError {
    match e {
        ControlError::Domain(d) => d.into(),
        ControlError::Telephony(t) => t.into(),
    }
}

/// The caller's current call, or `null` (after a reload, the page offers to rejoin it).
#[utoipa::path(get, path = "/api/calls/current", tag = "calls", responses((status = 200, body = Option<LiveCall>)))]
pub async fn current(State(d): State<Dispatcher>, caller: Caller) -> ApiResult<axum::Json<Option<LiveCall>>> {
    let me = d
        .services
        .operators
        .ensure(&caller.id, &caller.name, caller.role)
        .await?;
    let Some(sid) = me.current_call else {
        return Ok(axum::Json(None));
    };
    match checked(&d, &sid, |_| Ok(())).await {
        Ok(item) => Ok(axum::Json(Some(live_of(item, caller.role)))),
        Err(ApiError::Domain(DomainError::NotFound(_))) => Ok(axum::Json(None)),
        Err(e) => Err(e),
    }
}

/// A call's live state, for its operator, the target of a transfer under way, or a supervisor.
#[utoipa::path(get, path = "/api/calls/{call}", tag = "calls", params(("call" = String, Path)), responses((status = 200, body = LiveCall), (status = 403), (status = 404)))]
pub async fn live(
    State(d): State<Dispatcher>,
    caller: Caller,
    Path(call): Path<String>,
) -> ApiResult<axum::Json<LiveCall>> {
    check_call_id(&call)?;
    let item = checked(&d, &call, |item| {
        let me = Some(caller.id.as_str());
        let target =
            Transfer::from_item(item).is_some_and(|t| t.state.in_progress() && Some(t.to_operator.as_str()) == me);
        // The operator who was offered the call may read it as soon as they answer, before the
        // answer's callback makes the call theirs.
        let offered = str_of(item, "offered_to") == me;
        if str_of(item, "operator_id") != me && !target && !offered && caller.role < Role::Supervisor {
            return Err(ApiError::forbidden("this is not your call"));
        }
        Ok(())
    })
    .await?;
    Ok(axum::Json(live_of(item, caller.role)))
}

/// Puts the customer on hold with hold music. The operator's own leg is first set not to end
/// the conference when it leaves (Twilio ignores flag changes on a held participant, and a
/// consultation or transfer may have the operator leave while the customer waits).
#[utoipa::path(post, path = "/api/calls/{call}/hold", tag = "calls", params(("call" = String, Path)), responses((status = 204), (status = 409)))]
pub async fn hold(State(d): State<Dispatcher>, caller: Caller, Path(call): Path<String>) -> ApiResult<StatusCode> {
    let item = controllable(&d, &caller, &call).await?;
    let conf = conference_of(&d, &call, &item).await?;
    let keep = UpdateParticipant {
        end_conference_on_exit: Some(false),
        ..UpdateParticipant::default()
    };
    d.telephony
        .update_participant(&conf, &ParticipantRef::Label(operator_label(&item).into()), &keep)
        .await
        .map_err(ApiError::from)?;
    let mut h = UpdateParticipant::hold(d.hold_url(&call));
    h.hold_method = Some(HttpMethod::Post);
    d.telephony
        .update_participant(&conf, &ParticipantRef::Label("customer".into()), &h)
        .await
        .map_err(ApiError::from)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes the customer off hold. Refused while a transfer is under way (the customer waits on
/// hold until it completes or is called off).
#[utoipa::path(post, path = "/api/calls/{call}/unhold", tag = "calls", params(("call" = String, Path)), responses((status = 204), (status = 409)))]
pub async fn unhold(State(d): State<Dispatcher>, caller: Caller, Path(call): Path<String>) -> ApiResult<StatusCode> {
    let item = controllable(&d, &caller, &call).await?;
    not_transferring(&item, "take the customer off hold")?;
    let conf = conference_of(&d, &call, &item).await?;
    d.telephony
        .update_participant(
            &conf,
            &ParticipantRef::Label("customer".into()),
            &UpdateParticipant::unhold(),
        )
        .await
        .map_err(ApiError::from)?;
    Ok(StatusCode::NO_CONTENT)
}

/// A consultation call during hold (保留中外線発信).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultRequest {
    /// The number to call, in any common form.
    pub to: String,
    /// The outbound line (caller ID) to call on.
    pub line_id: String,
}

/// Calls a third party into the conference while the customer is held; the operator hears it
/// ring (early media). Refused unless the customer is on hold.
#[utoipa::path(post, path = "/api/calls/{call}/consult", tag = "calls", params(("call" = String, Path)), request_body = ConsultRequest,
    responses((status = 204), (status = 409, description = "the customer is not on hold, or the call ended"), (status = 422)))]
pub async fn consult(
    State(d): State<Dispatcher>,
    caller: Caller,
    Path(call): Path<String>,
    Json(req): Json<ConsultRequest>,
) -> ApiResult<StatusCode> {
    let number = PhoneNumber::parse(&req.to)
        .map_err(|e| ApiError::from(DomainError::invalid_field("invalid_phone", "to", e.to_string())))?;
    let settings = d.services.settings.get().await?;
    let line = settings
        .line(&req.line_id)
        .ok_or_else(|| {
            ApiError::from(DomainError::invalid_field(
                "unknown_line",
                "line_id",
                "choose one of the configured outbound lines",
            ))
        })?
        .clone();
    let item = controllable(&d, &caller, &call).await?;
    not_transferring(&item, "call another party")?;
    if !live_of(item.clone(), caller.role).customer_held {
        return Err(DomainError::conflict(
            "not_on_hold",
            "put the customer on hold before calling another party",
            None,
        )
        .into());
    }
    let conf = conference_of(&d, &call, &item).await?;
    let mut p = CreateParticipant::new(line.number.as_str(), ParticipantTo::Number(number.as_str().to_owned()));
    p.label = Some("consult".into());
    p.early_media = Some(true);
    p.end_conference_on_exit = Some(false);
    p.beep = Some(ConferenceBeep::False);
    p.timeout = Some(45);
    p.status_callback = Some(shared::twilio::signature::retried_callback(format!(
        "{}/twilio/voice/status",
        d.public_base_url
    )));
    p.status_callback_event = vec![
        CallProgressEvent::Ringing,
        CallProgressEvent::Answered,
        CallProgressEvent::Completed,
    ];
    d.telephony
        .create_participant(&ConferenceRef::Sid(conf), &p)
        .await
        .map_err(ApiError::from)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hangs up the consultation call; the customer stays on hold until the operator unholds.
#[utoipa::path(delete, path = "/api/calls/{call}/consult", tag = "calls", params(("call" = String, Path)), responses((status = 204), (status = 409)))]
pub async fn end_consult(
    State(d): State<Dispatcher>,
    caller: Caller,
    Path(call): Path<String>,
) -> ApiResult<StatusCode> {
    let item = controllable(&d, &caller, &call).await?;
    let conf = conference_of(&d, &call, &item).await?;
    match d
        .telephony
        .remove_participant(&conf, &ParticipantRef::Label("consult".into()))
        .await
    {
        Ok(()) | Err(TelephonyError::NotFound { .. }) => Ok(StatusCode::NO_CONTENT),
        Err(e) => Err(e.into()),
    }
}

/// Pause or resume a call's recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordingAction {
    /// Stop recording for a sensitive moment (a card number read out); the pause is skipped in
    /// the recording.
    Pause,
    /// Record again.
    Resume,
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
pub async fn recording(
    State(d): State<Dispatcher>,
    caller: Caller,
    Path(call): Path<String>,
    Json(req): Json<RecordingRequest>,
) -> ApiResult<StatusCode> {
    let item = controllable(&d, &caller, &call).await?;
    if str_of(&item, "recording_status") != Some("in-progress") {
        return Err(DomainError::conflict("not_recording", "this call is not being recorded", None).into());
    }
    let conf = conference_of(&d, &call, &item).await?;
    let request = match req.action {
        RecordingAction::Pause => UpdateRecording {
            status: RecordingControl::Paused,
            pause_behavior: Some(PauseBehavior::Skip),
        },
        RecordingAction::Resume => UpdateRecording {
            status: RecordingControl::InProgress,
            pause_behavior: None,
        },
    };
    d.telephony
        .update_conference_recording(&conf, CURRENT_RECORDING, &request)
        .await
        .map_err(ApiError::from)?;
    let paused = req.action == RecordingAction::Pause;
    d.services
        .store
        .update(
            &call_key(&call),
            shared::store::Update::default().set("recording_paused", paused),
            Some(shared::store::Cond::Exists),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hangs up. On a normal call the conference ends for everyone. During a transfer only the
/// first operator's leg is removed: an answered transfer then completes (the customer is
/// taken off hold with the target, who becomes the call's operator), a ringing one goes on
/// with the customer held.
#[utoipa::path(post, path = "/api/calls/{call}/hangup", tag = "calls", params(("call" = String, Path)), responses((status = 204), (status = 409)))]
pub async fn hangup(State(d): State<Dispatcher>, caller: Caller, Path(call): Path<String>) -> ApiResult<StatusCode> {
    let item = controllable(&d, &caller, &call).await?;
    if let Some(t) = Transfer::from_item(&item).filter(|t| t.state.in_progress()) {
        d.leave_transfer(&call, &item, &t).await.map_err(control_error)?;
        return Ok(StatusCode::NO_CONTENT);
    }
    let conf = conference_of(&d, &call, &item).await?;
    match d.telephony.update_conference(&conf, &UpdateConference::end()).await {
        Ok(_) | Err(TelephonyError::NotFound { .. }) => Ok(StatusCode::NO_CONTENT),
        Err(e) => Err(e.into()),
    }
}

/// Rings the operator's softphone back into their own live call (after a crashed tab or a
/// lost connection): the customer never left the conference, so this is one REST request.
/// Refused when the operator's leg is still connected.
#[utoipa::path(post, path = "/api/calls/{call}/rejoin", tag = "calls", params(("call" = String, Path)),
    responses((status = 204), (status = 409, description = "still connected, or the call ended")))]
pub async fn rejoin(State(d): State<Dispatcher>, caller: Caller, Path(call): Path<String>) -> ApiResult<StatusCode> {
    let item = controllable(&d, &caller, &call).await?;
    if str_of(&item, "operator_id") != Some(caller.id.as_str()) {
        return Err(ApiError::forbidden("only the operator on the call can rejoin it"));
    }
    not_transferring(&item, "rejoin")?;
    let label = operator_label(&item).to_owned();
    if joined(&participants(&item), &label) {
        return Err(DomainError::conflict("already_connected", "you are still connected to this call", None).into());
    }
    let conf = conference_of(&d, &call, &item).await?;
    let identity = shared::twilio::ClientIdentity::parse(&caller.id.client_identity())
        .map_err(|e| ApiError::Internal(Box::new(e)))?;
    let from = str_of(&item, "customer").unwrap_or("anonymous").to_owned();
    let mut p = CreateParticipant::new(
        from,
        ParticipantTo::Client {
            identity,
            params: vec![("callSid".into(), call.clone()), ("rejoin".into(), "true".into())],
        },
    );
    p.label = Some(label);
    p.start_conference_on_enter = Some(true);
    p.end_conference_on_exit = Some(false);
    p.beep = Some(ConferenceBeep::False);
    p.timeout = Some(30);
    d.telephony
        .create_participant(&ConferenceRef::Sid(conf), &p)
        .await
        .map_err(ApiError::from)?;
    Ok(StatusCode::NO_CONTENT)
}

/// A transfer to another operator.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// The operator to hand the call to (signed in, not on a call).
    pub to_operator: String,
    /// `warm`: you talk to them first, then hang up; `cold`: you leave at once.
    pub mode: TransferMode,
    /// The screen transfer (画面転送): what your screen shows, for the target's page.
    #[serde(default)]
    pub screen: Option<ScreenTransfer>,
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
pub async fn transfer(
    State(d): State<Dispatcher>,
    caller: Caller,
    Path(call): Path<String>,
    Json(req): Json<TransferRequest>,
) -> ApiResult<(StatusCode, axum::Json<Transfer>)> {
    let to = OperatorId::parse(&req.to_operator).map_err(|e| {
        ApiError::from(DomainError::invalid_field(
            "invalid_operator",
            "to_operator",
            e.to_string(),
        ))
    })?;
    if let Some(screen) = &req.screen {
        screen.validate(&*d.services.settings.get().await?)?;
    }
    let item = controllable(&d, &caller, &call).await?;
    not_transferring(&item, "start another")?;
    let parts = participants(&item);
    if !joined(&parts, "customer") {
        return Err(DomainError::conflict("not_connected", "the customer is not connected to this call", None).into());
    }
    if joined(&parts, "consult") {
        return Err(DomainError::conflict(
            "consult_in_progress",
            "hang up the consultation call before transferring",
            None,
        )
        .into());
    }
    if str_of(&item, "operator_id") == Some(to.as_str()) {
        return Err(DomainError::invalid_field(
            "same_operator",
            "to_operator",
            "choose another operator than the one on the call",
        )
        .into());
    }
    let target = d.services.store.get(&operator_key(to.as_str())).await?.ok_or_else(|| {
        ApiError::from(DomainError::invalid_field(
            "unknown_operator",
            "to_operator",
            format!("there is no operator '{to}'"),
        ))
    })?;
    let name = str_of(&target, "name").unwrap_or(to.as_str()).to_owned();
    if str_of(&target, "status") == Some("offline") {
        return Err(DomainError::conflict(
            "target_offline",
            format!("{name} is signed out (オフライン); choose an operator who is signed in"),
            None,
        )
        .into());
    }
    if target.get("current_call").is_some() {
        return Err(DomainError::conflict(
            "target_busy",
            format!("{name} is on another call or being offered one; choose someone else or try again shortly"),
            None,
        )
        .into());
    }
    let order = TransferOrder {
        call_sid: &call,
        call: &item,
        target: &target,
        mode: req.mode,
        by: caller.id.as_str(),
        screen: req.screen,
    };
    let (transfer, _) = d.start_transfer(order).await.map_err(control_error)?;
    Ok((StatusCode::CREATED, axum::Json(transfer)))
}

/// Calls off a warm transfer that is ringing or answered: the target's leg is hung up and
/// the customer stays on hold with you. A cold transfer cannot be called off once you left.
#[utoipa::path(delete, path = "/api/calls/{call}/transfer", tag = "calls", params(("call" = String, Path)),
    responses((status = 200, body = Transfer), (status = 403), (status = 409, description = "no transfer under way, or a cold one")))]
pub async fn cancel_transfer(
    State(d): State<Dispatcher>,
    caller: Caller,
    Path(call): Path<String>,
) -> ApiResult<axum::Json<Transfer>> {
    let item = controllable(&d, &caller, &call).await?;
    Ok(axum::Json(
        d.cancel_transfer(&call, &item).await.map_err(control_error)?,
    ))
}

/// A screen transfer (画面転送), for the operator it was sent to or a supervisor; 404 once it
/// expired (an hour after the transfer started).
#[utoipa::path(get, path = "/api/handoffs/{id}", tag = "calls", params(("id" = String, Path)),
    responses((status = 200, body = Handoff), (status = 403), (status = 404)))]
pub async fn handoff(
    State(d): State<Dispatcher>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Handoff>> {
    let h = d
        .services
        .transfers
        .handoff(&id, caller.id.as_str(), caller.role >= Role::Supervisor)
        .await?;
    Ok(axum::Json(h))
}

/// The OpenAPI description of this function's routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    current,
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
    handoff
))]
pub struct ApiDoc;
