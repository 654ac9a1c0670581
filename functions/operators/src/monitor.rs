//! Supervisor monitoring: the board, and listening, whispering or barging in on a live call.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use shared::auth::{Caller, Role};
use shared::dispatch::Dispatcher;
use shared::domain::calls::call_key;
use shared::domain::callstate::joined;
use shared::domain::handoff::operator_label;
use shared::domain::monitor::Board;
use shared::error::{ApiError, ApiResult, DomainError};
use shared::http::Json;
use shared::store::{Cond, Item, Update};
use shared::twilio::rest::{ConferenceRef, CreateParticipant, ParticipantRef, ParticipantTo, UpdateParticipant};
use shared::twilio::telephony::TelephonyError;
use shared::twilio::twiml::ConferenceBeep;
use shared::twilio::{CallSid, ClientIdentity, ConferenceSid};

fn supervisor(caller: &Caller) -> Result<(), ApiError> {
    if caller.role < Role::Supervisor {
        return Err(ApiError::forbidden("monitoring is for supervisors"));
    }
    Ok(())
}

/// Every operator with their status and live call (memo as typed), the queue and today's figures.
#[utoipa::path(get, path = "/api/monitor", tag = "monitor", responses((status = 200, body = Board), (status = 403)))]
pub async fn board(State(d): State<Dispatcher>, caller: Caller) -> ApiResult<axum::Json<Board>> {
    supervisor(&caller)?;
    Ok(axum::Json(d.services.monitor.board(chrono::Utc::now()).await?))
}

/// How a supervisor joins a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MonitorMode {
    /// Hear the call; nobody hears you.
    Listen,
    /// Coach the operator: only the operator hears you.
    Whisper,
    /// Join the conversation.
    Barge,
}

impl MonitorMode {
    fn as_str(self) -> &'static str {
        match self {
            MonitorMode::Listen => "listen",
            MonitorMode::Whisper => "whisper",
            MonitorMode::Barge => "barge",
        }
    }
}

/// A request to join or switch mode.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonitorRequest {
    pub mode: MonitorMode,
}

use shared::store::str_attr as str_of;

/// The live call a supervisor may join, with its conference and the operator's leg.
async fn live_call(d: &Dispatcher, call: &str) -> Result<(Item, ConferenceSid, String), ApiError> {
    CallSid::parse(call).map_err(|_| ApiError::from(DomainError::NotFound("there is no such call".into())))?;
    let item = d
        .services
        .store
        .get(&call_key(call))
        .await?
        .ok_or_else(|| DomainError::NotFound(format!("there is no call {call}")))?;
    if item.get("ended_at").is_some() || matches!(str_of(&item, "status"), Some("completed" | "abandoned" | "failed")) {
        return Err(DomainError::conflict("call_ended", "this call has already ended", None).into());
    }
    let conference = str_of(&item, "conference_sid")
        .and_then(|s| ConferenceSid::parse(s).ok())
        .ok_or_else(|| DomainError::conflict("not_connected", "the call is not connected to an operator yet", None))?;
    let operator_leg = joined(&item, operator_label(&item))
        .and_then(|p| p["call_sid"].as_str())
        .map(str::to_owned)
        .ok_or_else(|| DomainError::conflict("no_operator", "no operator is on this call right now", None))?;
    Ok((item, conference, operator_leg))
}

/// Joins a live call as a listener, a coach or a participant, or switches mode when already on
/// it. Whispering is refused while the operator is on hold (Twilio does not coach a held
/// participant), as is a second supervisor on the same call.
#[utoipa::path(post, path = "/api/monitor/calls/{call}", tag = "monitor", params(("call" = String, Path)), request_body = MonitorRequest,
    responses((status = 204), (status = 403), (status = 404), (status = 409, description = "the call ended, nobody is on it, the operator is on hold (whisper), or another supervisor is monitoring")))]
pub async fn join(
    State(d): State<Dispatcher>,
    caller: Caller,
    Path(call): Path<String>,
    Json(req): Json<MonitorRequest>,
) -> ApiResult<StatusCode> {
    supervisor(&caller)?;
    let (item, conference, operator_leg) = live_call(&d, &call).await?;
    let operator_held = joined(&item, operator_label(&item)).is_some_and(|p| p["hold"] == true);
    if req.mode == MonitorMode::Whisper && operator_held {
        return Err(DomainError::conflict(
            "operator_on_hold",
            "the operator is on hold: whispering is possible once they are back",
            None,
        )
        .into());
    }
    let coach = CallSid::parse(&operator_leg).map_err(|e| ApiError::Internal(Box::new(e)))?;
    let (muted, coaching) = match req.mode {
        MonitorMode::Listen => (true, false),
        MonitorMode::Whisper => (false, true),
        MonitorMode::Barge => (false, false),
    };
    if joined(&item, "monitor").is_some() {
        if str_of(&item, "monitor_by") != Some(caller.id.as_str()) {
            return Err(DomainError::conflict(
                "already_monitored",
                format!(
                    "{} is already monitoring this call",
                    str_of(&item, "monitor_by").unwrap_or("another supervisor")
                ),
                None,
            )
            .into());
        }
        let change = UpdateParticipant {
            muted: Some(muted),
            coaching: Some(coaching),
            call_sid_to_coach: coaching.then_some(coach),
            ..UpdateParticipant::default()
        };
        d.telephony
            .update_participant(&conference, &ParticipantRef::Label("monitor".into()), &change)
            .await
            .map_err(ApiError::from)?;
    } else {
        let identity =
            ClientIdentity::parse(&caller.id.client_identity()).map_err(|e| ApiError::Internal(Box::new(e)))?;
        let from = str_of(&item, "customer").unwrap_or("anonymous").to_owned();
        let mut p = CreateParticipant::new(
            from,
            ParticipantTo::Client {
                identity,
                params: vec![
                    ("callSid".into(), call.clone()),
                    ("monitor".into(), req.mode.as_str().into()),
                ],
            },
        );
        p.label = Some("monitor".into());
        p.muted = Some(muted);
        p.coaching = Some(coaching);
        p.call_sid_to_coach = coaching.then_some(coach);
        p.start_conference_on_enter = Some(false);
        p.end_conference_on_exit = Some(false);
        p.beep = Some(ConferenceBeep::False);
        p.timeout = Some(30);
        d.telephony
            .create_participant(&ConferenceRef::Sid(conference), &p)
            .await
            .map_err(ApiError::from)?;
    }
    let mark = Update::default()
        .set("monitor_mode", req.mode.as_str())
        .set("monitor_by", caller.id.as_str());
    d.services
        .store
        .update(&call_key(&call), mark, Some(Cond::Exists))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Leaves a call the supervisor is monitoring. Only the supervisor on the call, or an admin,
/// may take the monitoring leg off it.
#[utoipa::path(delete, path = "/api/monitor/calls/{call}", tag = "monitor", params(("call" = String, Path)),
    responses((status = 204), (status = 403, description = "another supervisor is monitoring"), (status = 404), (status = 409)))]
pub async fn leave(State(d): State<Dispatcher>, caller: Caller, Path(call): Path<String>) -> ApiResult<StatusCode> {
    supervisor(&caller)?;
    let (item, conference, _) = live_call(&d, &call).await?;
    let by = str_of(&item, "monitor_by");
    if joined(&item, "monitor").is_some() && by.is_some_and(|b| b != caller.id.as_str()) && caller.role < Role::Admin {
        return Err(ApiError::forbidden(format!(
            "{} is monitoring this call; only they or an admin can end it",
            by.unwrap_or_default()
        )));
    }
    match d
        .telephony
        .remove_participant(&conference, &ParticipantRef::Label("monitor".into()))
        .await
    {
        Ok(()) | Err(TelephonyError::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    let clear = Update::default().remove("monitor_mode").remove("monitor_by");
    d.services
        .store
        .update(&call_key(&call), clear, Some(Cond::Exists))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
