//! The `calls` function: live control of the caller's own call (or any call, for a
//! supervisor) under `/api/calls`: its live state, hold and unhold, a consultation call on a
//! chosen line while the customer is held (hanging it up leaves the customer held, as the
//! console's manual says), hang-up, and rejoining one's own live call after a crashed tab. Each action is one or two REST requests on the call's
//! conference; acting on a call that has ended gets 409, someone else's call 403.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::auth::{Caller, Role};
use shared::dispatch::Dispatcher;
use shared::domain::calls::call_key;
use shared::domain::callstate::participants;
use shared::error::{ApiError, ApiResult, DomainError};
use shared::http::Json;
use shared::phone::PhoneNumber;
use shared::store::Item;
use shared::twilio::ConferenceSid;
use shared::twilio::rest::{
    ConferenceRef, ConferenceStatus, CreateParticipant, ParticipantRef, ParticipantTo, UpdateConference,
    UpdateParticipant,
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
        .layer(shared::http::body_limit())
        .with_state(state)
}

/// A call as the page follows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LiveCall {
    #[schema(value_type = Object)]
    pub call: Value,
    /// Each participant's latest state: label, call_sid, state (joined/left), hold, muted.
    #[schema(value_type = Vec<Object>)]
    pub participants: Vec<Value>,
    /// Whether the customer is on hold.
    pub customer_held: bool,
}

fn str_of<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name).and_then(Value::as_str)
}

fn live_of(mut item: Item) -> LiveCall {
    let parts = participants(&item);
    let customer_held = parts
        .iter()
        .any(|p| p["label"] == "customer" && p["state"] == "joined" && p["hold"] == true);
    item.retain(|k, _| {
        !(k.starts_with("p_")
            || k.starts_with("pseq_")
            || matches!(k.as_str(), "PK" | "SK" | "GSI1PK" | "GSI1SK" | "GSI2PK" | "GSI2SK"))
    });
    LiveCall {
        call: Value::Object(item),
        participants: parts,
        customer_held,
    }
}

fn check_call_id(call: &str) -> Result<(), ApiError> {
    shared::twilio::CallSid::parse(call)
        .map(|_| ())
        .map_err(|_| DomainError::NotFound("there is no such call".into()).into())
}

/// The call, if the caller may act on it and it is still live.
async fn controllable(d: &Dispatcher, caller: &Caller, call: &str) -> Result<Item, ApiError> {
    check_call_id(call)?;
    let item = d
        .services
        .store
        .get(&call_key(call))
        .await?
        .ok_or_else(|| DomainError::NotFound(format!("there is no call {call}")))?;
    if str_of(&item, "operator_id") != Some(caller.id.as_str()) && caller.role < Role::Supervisor {
        return Err(ApiError::forbidden("this is not your call"));
    }
    if item.get("ended_at").is_some() || matches!(str_of(&item, "status"), Some("completed" | "abandoned" | "failed")) {
        return Err(DomainError::conflict("call_ended", "this call has already ended", None).into());
    }
    Ok(item)
}

/// The conference's SID, from the call record or, before its first callback arrived, from Twilio.
async fn conference_of(d: &Dispatcher, call: &str, item: &Item) -> Result<ConferenceSid, ApiError> {
    if let Some(sid) = str_of(item, "conference_sid").and_then(|s| ConferenceSid::parse(s).ok()) {
        return Ok(sid);
    }
    let found = d
        .telephony
        .find_conferences(call, Some(ConferenceStatus::InProgress))
        .await
        .map_err(twilio_error)?;
    found
        .into_iter()
        .next()
        .map(|c| c.sid)
        .ok_or_else(|| DomainError::conflict("no_conference", "the call is not connected yet", None).into())
}

fn twilio_error(e: TelephonyError) -> ApiError {
    match e {
        TelephonyError::NotFound { .. } => {
            DomainError::conflict("call_ended", "the call is no longer connected", None).into()
        }
        TelephonyError::Rejected { code, .. } => DomainError::conflict(
            "rejected_by_twilio",
            format!(
                "Twilio refused the action (error {})",
                code.map(|c| c.to_string()).unwrap_or_default()
            ),
            None,
        )
        .into(),
        other => DomainError::Unavailable(Box::new(other)).into(),
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
    Ok(axum::Json(d.services.store.get(&call_key(&sid)).await?.map(live_of)))
}

/// A call's live state.
#[utoipa::path(get, path = "/api/calls/{call}", tag = "calls", params(("call" = String, Path)), responses((status = 200, body = LiveCall), (status = 403), (status = 404)))]
pub async fn live(
    State(d): State<Dispatcher>,
    caller: Caller,
    Path(call): Path<String>,
) -> ApiResult<axum::Json<LiveCall>> {
    check_call_id(&call)?;
    let item = d
        .services
        .store
        .get(&call_key(&call))
        .await?
        .ok_or_else(|| DomainError::NotFound(format!("there is no call {call}")))?;
    if str_of(&item, "operator_id") != Some(caller.id.as_str()) && caller.role < Role::Supervisor {
        return Err(ApiError::forbidden("this is not your call"));
    }
    Ok(axum::Json(live_of(item)))
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
        .update_participant(&conf, &ParticipantRef::Label("operator".into()), &keep)
        .await
        .map_err(twilio_error)?;
    let mut h = UpdateParticipant::hold(format!("{}/twilio/voice/hold", d.public_base_url));
    h.hold_method = Some(HttpMethod::Post);
    d.telephony
        .update_participant(&conf, &ParticipantRef::Label("customer".into()), &h)
        .await
        .map_err(twilio_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes the customer off hold.
#[utoipa::path(post, path = "/api/calls/{call}/unhold", tag = "calls", params(("call" = String, Path)), responses((status = 204), (status = 409)))]
pub async fn unhold(State(d): State<Dispatcher>, caller: Caller, Path(call): Path<String>) -> ApiResult<StatusCode> {
    let item = controllable(&d, &caller, &call).await?;
    let conf = conference_of(&d, &call, &item).await?;
    d.telephony
        .update_participant(
            &conf,
            &ParticipantRef::Label("customer".into()),
            &UpdateParticipant::unhold(),
        )
        .await
        .map_err(twilio_error)?;
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
    if !live_of(item.clone()).customer_held {
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
    p.status_callback = Some(format!("{}/twilio/voice/status", d.public_base_url));
    p.status_callback_event = vec![
        CallProgressEvent::Ringing,
        CallProgressEvent::Answered,
        CallProgressEvent::Completed,
    ];
    d.telephony
        .create_participant(&ConferenceRef::Sid(conf), &p)
        .await
        .map_err(twilio_error)?;
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
        Err(e) => Err(twilio_error(e)),
    }
}

/// Hangs up: the conference ends for everyone.
#[utoipa::path(post, path = "/api/calls/{call}/hangup", tag = "calls", params(("call" = String, Path)), responses((status = 204), (status = 409)))]
pub async fn hangup(State(d): State<Dispatcher>, caller: Caller, Path(call): Path<String>) -> ApiResult<StatusCode> {
    let item = controllable(&d, &caller, &call).await?;
    let conf = conference_of(&d, &call, &item).await?;
    match d.telephony.update_conference(&conf, &UpdateConference::end()).await {
        Ok(_) | Err(TelephonyError::NotFound { .. }) => Ok(StatusCode::NO_CONTENT),
        Err(e) => Err(twilio_error(e)),
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
    if live_of(item.clone())
        .participants
        .iter()
        .any(|p| p["label"] == "operator" && p["state"] == "joined")
    {
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
    p.label = Some("operator".into());
    p.start_conference_on_enter = Some(true);
    p.end_conference_on_exit = Some(false);
    p.beep = Some(ConferenceBeep::False);
    p.timeout = Some(30);
    d.telephony
        .create_participant(&ConferenceRef::Sid(conf), &p)
        .await
        .map_err(twilio_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The OpenAPI description of this function's routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(current, live, hold, unhold, consult, end_consult, hangup, rejoin))]
pub struct ApiDoc;
