//! What the page asks of a live call, each one or a few REST requests on the call's conference:
//! its state, hold and unhold, a consultation call on a chosen line while the customer is held
//! (hanging it up leaves the customer held), pausing the recording, hang-up, rejoining one's own
//! call after a crashed tab, and supervisors listening, whispering or barging in.
//!
//! The caller is authorised on the call before anything else happens: the check on a call
//! (see [`CallControl::checked_record`]) may write to the store and call Twilio. Acting on a
//! call that has ended is a conflict, on someone else's call forbidden.

use serde::Deserialize;

use super::legs::SoftphoneLeg;
use super::{CallControl, ControlError, gone_is_fine, participant};
use crate::auth::{Caller, Role};
use crate::domain::calls::{CallRecord, ParticipantLabel, field};
use crate::error::DomainError;
use crate::phone::PhoneNumber;
use crate::store::Update;
use crate::twilio::CallSid;
use crate::twilio::rest::{
    CURRENT_RECORDING, ConferenceRef, CreateParticipant, ParticipantStatus, ParticipantTo, PauseBehavior,
    RecordingControl, UpdateConference, UpdateParticipant, UpdateRecording,
};
use crate::twilio::telephony::TelephonyError;
use crate::twilio::twiml::{CallProgressEvent, ConferenceBeep};

/// A consultation call during hold (保留中外線発信).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultRequest {
    /// The number to call, in any common form.
    pub to: String,
    /// The outbound line (caller ID) to call on.
    pub line_id: String,
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
    /// The mode as the call record keeps it.
    pub fn as_str(self) -> &'static str {
        match self {
            MonitorMode::Listen => "listen",
            MonitorMode::Whisper => "whisper",
            MonitorMode::Barge => "barge",
        }
    }
}

/// How long an action of the operator who accepted a call waits for Twilio's answer callback
/// to make the call theirs (it lands within about 2 s even on a slow day).
pub(super) const ANSWER_WAIT: std::time::Duration = std::time::Duration::from_secs(4);

/// How often the store is read again while waiting for a callback to land.
pub(super) const AGREEMENT_POLL: std::time::Duration = std::time::Duration::from_millis(100);

fn ended() -> DomainError {
    DomainError::conflict("call_ended", "this call has already ended", None)
}

fn not_yours() -> DomainError {
    DomainError::Forbidden("this is not your call".into())
}

/// Refuses an action that would disturb a transfer under way.
pub(super) fn not_transferring(call: &CallRecord, what: &str) -> Result<(), DomainError> {
    match call.transfer_under_way() {
        Some(t) => Err(DomainError::conflict(
            "transfer_in_progress",
            format!(
                "the call is being transferred to {}; {what} after the transfer ends, or cancel it",
                t.to_name
            ),
            serde_json::to_value(t).ok(),
        )),
        None => Ok(()),
    }
}

/// Refuses a user who is not a supervisor.
fn supervising(caller: &Caller) -> Result<(), DomainError> {
    if caller.role < Role::Supervisor {
        return Err(DomainError::Forbidden("monitoring is for supervisors".into()));
    }
    Ok(())
}

impl CallControl {
    /// The call record, if the caller passes `authorize` on it, as it is after checking on it
    /// (see [`CallControl::check_call`]). A failure of the check must not stop the operator:
    /// it is logged and the call read as it is.
    async fn checked(
        &self,
        sid: &CallSid,
        authorize: impl FnOnce(&CallRecord) -> Result<(), DomainError>,
    ) -> Result<CallRecord, ControlError> {
        let missing = || DomainError::NotFound(format!("there is no call {sid}"));
        let call = self.call(sid.as_str()).await?.ok_or_else(missing)?;
        authorize(&call)?;
        let checked = match self.checked_record(sid.as_str(), call.clone()).await {
            Ok(checked) => checked,
            Err(e) => {
                tracing::warn!(error = %e, "could not check on the call");
                Some(call)
            }
        };
        Ok(checked.ok_or_else(missing)?)
    }

    /// The call, if the caller (its operator, or a supervisor) may act on it and it is live. The
    /// operator who accepted an offer may act at once: their page shows the call as soon as
    /// they answer, while the answer callback that makes the call theirs is still on its way, so
    /// a call offered to them is waited on (briefly) until it is.
    pub(super) async fn controllable(&self, caller: &Caller, sid: &CallSid) -> Result<CallRecord, ControlError> {
        let authorize = |call: &CallRecord| {
            if !call.is_operated_by(caller.id.as_str()) && caller.role < Role::Supervisor {
                return Err(not_yours());
            }
            Ok(())
        };
        let call = match self.checked(sid, authorize).await {
            Err(ControlError::Domain(DomainError::Forbidden(_))) if self.answer_lands(caller, sid).await? => {
                self.checked(sid, authorize).await?
            }
            other => other?,
        };
        if call.is_over() {
            return Err(ended().into());
        }
        Ok(call)
    }

    /// Whether a call offered to `caller` becomes theirs within [`ANSWER_WAIT`]: true as soon
    /// as the record names them its operator, false at once when it was not offered to them.
    ///
    /// The record names them once Twilio's answer callback for their leg is applied, which
    /// may come late (Twilio's callbacks queue behind others, a Lambda starts cold, the store
    /// is slow) or never (refused beyond Twilio's retries, or throttled, which Twilio does not
    /// retry): the operator then talked with the customer while every action was refused 403
    /// after the whole wait. So Twilio is asked first, once (one REST read of the
    /// conference's `operator` participant): when their leg is connected, the answer is applied
    /// here through the callback's own step ([`crate::domain::routing::Routing::answered`],
    /// conditional on their offer, so the callback arriving afterwards changes nothing).
    async fn answer_lands(&self, caller: &Caller, sid: &CallSid) -> Result<bool, ControlError> {
        let me = caller.id.as_str();
        let deadline = tokio::time::Instant::now() + ANSWER_WAIT;
        let mut asked = false;
        loop {
            let Some(call) = self.call(sid.as_str()).await? else {
                return Ok(false);
            };
            if call.is_operated_by(me) {
                return Ok(true);
            }
            if call.offered_to.as_deref() != Some(me) || tokio::time::Instant::now() >= deadline {
                return Ok(false);
            }
            if !asked {
                asked = true;
                if self.answer_from_twilio(caller, sid, &call).await {
                    continue;
                }
            }
            tokio::time::sleep(AGREEMENT_POLL).await;
        }
    }

    /// Applies the answer of `caller` to the call offered to them when Twilio says their leg is
    /// connected to the call's conference (see [`CallControl::answer_lands`]); whether it did.
    /// A failure to ask or to apply is logged: the action then waits for the callback as before.
    async fn answer_from_twilio(&self, caller: &Caller, sid: &CallSid, call: &CallRecord) -> bool {
        let conference = match self.conference_sid(sid.as_str(), call).await {
            Ok(Some(c)) => c,
            Ok(None) => return false,
            Err(e) => {
                tracing::warn!(error = %e, "could not find the conference to ask whether the operator answered");
                return false;
            }
        };
        let leg = match self
            .telephony
            .fetch_participant(&conference, &participant(ParticipantLabel::Operator))
            .await
        {
            Ok(leg) => leg,
            Err(TelephonyError::NotFound { .. }) => return false,
            Err(e) => {
                tracing::warn!(error = %e, "could not ask Twilio whether the operator answered");
                return false;
            }
        };
        if leg.status != Some(ParticipantStatus::Connected) {
            return false;
        }
        let me = match self.services.operators.get(&caller.id).await {
            Ok(me) => me,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the operator to apply their answer");
                return false;
            }
        };
        let Some(offer) = me.offer_id.filter(|_| me.current_call.as_deref() == Some(sid.as_str())) else {
            return false;
        };
        match self
            .services
            .routing
            .answered(sid.as_str(), caller.id.as_str(), &me.name, &offer)
            .await
        {
            Ok(()) => {
                tracing::info!(leg = %leg.call_sid, "the operator's leg is connected; their answer applied before its callback");
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "the answer Twilio reports could not be applied");
                false
            }
        }
    }

    /// The caller's current call, or `None` (after a reload, the page offers to rejoin it).
    #[tracing::instrument(name = "control.current", skip_all)]
    pub async fn current(&self, caller: &Caller) -> Result<Option<CallRecord>, ControlError> {
        let me = self
            .services
            .operators
            .ensure(&caller.id, &caller.name, caller.role)
            .await?;
        let Some(sid) = me.current_call.and_then(|c| CallSid::parse(&c).ok()) else {
            return Ok(None);
        };
        match self.checked(&sid, |_| Ok(())).await {
            Ok(call) => Ok(Some(call)),
            Err(ControlError::Domain(DomainError::NotFound(_))) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A call's live state, for its operator, the target of a transfer under way, the operator
    /// who was offered it (who may read it as soon as they answer, before the answer's callback
    /// makes the call theirs), or a supervisor.
    #[tracing::instrument(name = "control.live", skip_all, fields(call = %sid))]
    pub async fn live(&self, caller: &Caller, sid: &CallSid) -> Result<CallRecord, ControlError> {
        self.checked(sid, |call| {
            let me = caller.id.as_str();
            let target = call.transfer_under_way().is_some_and(|t| t.to_operator == me);
            let offered = call.offered_to.as_deref() == Some(me);
            if !call.is_operated_by(me) && !target && !offered && caller.role < Role::Supervisor {
                return Err(not_yours());
            }
            Ok(())
        })
        .await
    }

    /// Puts the customer on hold with hold music. The operator's own leg is first set not to end
    /// the conference when it leaves (Twilio ignores flag changes on a held participant, and a
    /// consultation or transfer may have the operator leave while the customer waits).
    #[tracing::instrument(name = "control.hold", skip_all, fields(call = %sid))]
    pub async fn hold(&self, caller: &Caller, sid: &CallSid) -> Result<(), ControlError> {
        let call = self.controllable(caller, sid).await?;
        let conf = self.conference_or_gone(sid.as_str(), &call).await?;
        let keep = UpdateParticipant {
            end_conference_on_exit: Some(false),
            ..UpdateParticipant::default()
        };
        self.telephony
            .update_participant(&conf, &participant(call.operator_label()), &keep)
            .await?;
        self.set_customer_hold(&conf, sid.as_str(), true).await?;
        tracing::info!("customer put on hold");
        Ok(())
    }

    /// Takes the customer off hold. Refused while a transfer is under way (the customer waits on
    /// hold until it completes or is called off).
    #[tracing::instrument(name = "control.unhold", skip_all, fields(call = %sid))]
    pub async fn unhold(&self, caller: &Caller, sid: &CallSid) -> Result<(), ControlError> {
        let call = self.controllable(caller, sid).await?;
        not_transferring(&call, "take the customer off hold")?;
        let conf = self.conference_or_gone(sid.as_str(), &call).await?;
        self.set_customer_hold(&conf, sid.as_str(), false).await?;
        tracing::info!("customer taken off hold");
        Ok(())
    }

    /// Calls a third party into the conference on a configured line while the customer is held;
    /// the operator hears it ring (early media). Refused unless the customer is on hold. The
    /// number and the line are checked before the call is read.
    #[tracing::instrument(name = "control.consult", skip_all, fields(call = %sid))]
    pub async fn consult(&self, caller: &Caller, sid: &CallSid, order: &ConsultRequest) -> Result<(), ControlError> {
        let number = PhoneNumber::parse(&order.to)
            .map_err(|e| DomainError::invalid_field("invalid_phone", "to", e.to_string()))?;
        let settings = self.services.settings.get().await?;
        let line = settings
            .line(&order.line_id)
            .ok_or_else(|| {
                DomainError::invalid_field("unknown_line", "line_id", "choose one of the configured outbound lines")
            })?
            .clone();
        settings.dialing.check(&number, "to")?;
        let call = self.controllable(caller, sid).await?;
        not_transferring(&call, "call another party")?;
        if !call.customer_held() {
            return Err(DomainError::conflict(
                "not_on_hold",
                "put the customer on hold before calling another party",
                None,
            )
            .into());
        }
        let conf = self.conference_or_gone(sid.as_str(), &call).await?;
        let mut p = CreateParticipant::new(line.number.as_str(), ParticipantTo::Number(number.as_str().to_owned()));
        p.label = Some(ParticipantLabel::Consult.as_str().to_owned());
        p.early_media = Some(true);
        p.end_conference_on_exit = Some(false);
        p.beep = Some(ConferenceBeep::False);
        p.timeout = Some(45);
        p.status_callback = Some(self.urls.status());
        p.status_callback_event = vec![
            CallProgressEvent::Ringing,
            CallProgressEvent::Answered,
            CallProgressEvent::Completed,
        ];
        self.telephony.create_participant(&ConferenceRef::Sid(conf), &p).await?;
        // Who was called, for a warm 外部転送 to name whom the customer was handed to.
        crate::store::done_unless_failed(
            self.services
                .store
                .update(
                    &crate::domain::calls::call_key(sid.as_str()),
                    Update::default().set(field::CONSULT_TO, number.as_str()),
                    Some(crate::store::Cond::Exists),
                )
                .await,
        )?;
        tracing::info!(line = %line.id, "consultation call placed");
        Ok(())
    }

    /// Hangs up the consultation call; the customer stays on hold until the operator unholds.
    #[tracing::instrument(name = "control.end_consult", skip_all, fields(call = %sid))]
    pub async fn end_consult(&self, caller: &Caller, sid: &CallSid) -> Result<(), ControlError> {
        let call = self.controllable(caller, sid).await?;
        let conf = self.conference_or_gone(sid.as_str(), &call).await?;
        gone_is_fine(
            self.telephony
                .remove_participant(&conf, &participant(ParticipantLabel::Consult))
                .await,
        )?;
        tracing::info!("consultation call hung up");
        Ok(())
    }

    /// Pauses or resumes the recording of a call on a recorded line (the call's
    /// `recording_paused` shows which). Refused when the call is not being recorded.
    #[tracing::instrument(name = "control.recording", skip_all, fields(call = %sid, action = ?action))]
    pub async fn set_recording(
        &self,
        caller: &Caller,
        sid: &CallSid,
        action: RecordingAction,
    ) -> Result<(), ControlError> {
        let call = self.controllable(caller, sid).await?;
        if call.recording_status.as_deref() != Some("in-progress") {
            return Err(DomainError::conflict("not_recording", "this call is not being recorded", None).into());
        }
        let conf = self.conference_or_gone(sid.as_str(), &call).await?;
        let request = match action {
            RecordingAction::Pause => UpdateRecording {
                status: RecordingControl::Paused,
                pause_behavior: Some(PauseBehavior::Skip),
            },
            RecordingAction::Resume => UpdateRecording {
                status: RecordingControl::InProgress,
                pause_behavior: None,
            },
        };
        self.telephony
            .update_conference_recording(&conf, CURRENT_RECORDING, &request)
            .await?;
        self.note(
            sid.as_str(),
            Update::default().set(field::RECORDING_PAUSED, action == RecordingAction::Pause),
        )
        .await?;
        tracing::info!("recording changed");
        Ok(())
    }

    /// Hangs up. On a normal call the conference ends for everyone. During a transfer only the
    /// first operator's leg is removed: an answered transfer then completes (the customer is
    /// taken off hold with the target, who becomes the call's operator), a ringing one goes on
    /// with the customer held.
    #[tracing::instrument(name = "control.hang_up", skip_all, fields(call = %sid))]
    pub async fn hang_up(&self, caller: &Caller, sid: &CallSid) -> Result<(), ControlError> {
        let call = self.controllable(caller, sid).await?;
        if let Some(t) = call.transfer_under_way() {
            return self.leave_transfer(sid.as_str(), &call, t).await;
        }
        let conf = self.conference_or_gone(sid.as_str(), &call).await?;
        gone_is_fine(self.telephony.update_conference(&conf, &UpdateConference::end()).await)?;
        tracing::info!("call hung up");
        Ok(())
    }

    /// Rings the operator's softphone back into their own live call (after a crashed tab or a
    /// lost connection): the customer never left the conference, so this is one REST request.
    /// Refused when the operator's leg is still connected.
    #[tracing::instrument(name = "control.rejoin", skip_all, fields(call = %sid))]
    pub async fn rejoin(&self, caller: &Caller, sid: &CallSid) -> Result<(), ControlError> {
        let call = self.controllable(caller, sid).await?;
        if !call.is_operated_by(caller.id.as_str()) {
            return Err(DomainError::Forbidden("only the operator on the call can rejoin it".into()).into());
        }
        not_transferring(&call, "rejoin")?;
        let label = call.operator_label();
        if call.joined(label).is_some() {
            return Err(
                DomainError::conflict("already_connected", "you are still connected to this call", None).into(),
            );
        }
        let conf = self.conference_or_gone(sid.as_str(), &call).await?;
        let leg = SoftphoneLeg::new(&caller.id, sid.as_str(), call.caller_id(), label)?
            .param("rejoin", "true")
            .ring_for(30);
        self.telephony
            .create_participant(&ConferenceRef::Sid(conf), &leg.request())
            .await?;
        tracing::info!("operator rung back into their call");
        Ok(())
    }

    /// The live call a supervisor may join, with its conference and the operator's leg.
    async fn monitored(
        &self,
        sid: &CallSid,
    ) -> Result<(CallRecord, crate::twilio::ConferenceSid, String), ControlError> {
        let call = self
            .call(sid.as_str())
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("there is no call {sid}")))?;
        if call.is_over() {
            return Err(ended().into());
        }
        let conference = call
            .conference_sid
            .as_deref()
            .and_then(|s| crate::twilio::ConferenceSid::parse(s).ok())
            .ok_or_else(|| {
                DomainError::conflict("not_connected", "the call is not connected to an operator yet", None)
            })?;
        let operator_leg = call
            .joined(call.operator_label())
            .map(|p| p.call_sid.clone())
            .ok_or_else(|| DomainError::conflict("no_operator", "no operator is on this call right now", None))?;
        Ok((call, conference, operator_leg))
    }

    /// A supervisor joins a live call as a listener, a coach or a participant, or switches mode
    /// when already on it. Whispering is refused while the operator is on hold (Twilio does not
    /// coach a held participant), as is a second supervisor on the same call.
    #[tracing::instrument(name = "control.monitor", skip_all, fields(call = %sid, mode = mode.as_str()))]
    pub async fn monitor(&self, caller: &Caller, sid: &CallSid, mode: MonitorMode) -> Result<(), ControlError> {
        supervising(caller)?;
        let (call, conference, operator_leg) = self.monitored(sid).await?;
        let operator_held = call.joined(call.operator_label()).is_some_and(|p| p.hold);
        if mode == MonitorMode::Whisper && operator_held {
            return Err(DomainError::conflict(
                "operator_on_hold",
                "the operator is on hold: whispering is possible once they are back",
                None,
            )
            .into());
        }
        let coach = CallSid::parse(&operator_leg)
            .map_err(|_| DomainError::conflict("no_operator", "no operator is on this call right now", None))?;
        let muted = mode == MonitorMode::Listen;
        let coach = (mode == MonitorMode::Whisper).then_some(coach);
        if call.joined(ParticipantLabel::Monitor).is_some() {
            if call.monitor_by.as_deref() != Some(caller.id.as_str()) {
                return Err(DomainError::conflict(
                    "already_monitored",
                    format!(
                        "{} is already monitoring this call",
                        call.monitor_by.as_deref().unwrap_or("another supervisor")
                    ),
                    None,
                )
                .into());
            }
            let change = UpdateParticipant {
                muted: Some(muted),
                coaching: Some(coach.is_some()),
                call_sid_to_coach: coach,
                ..UpdateParticipant::default()
            };
            self.telephony
                .update_participant(&conference, &participant(ParticipantLabel::Monitor), &change)
                .await?;
        } else {
            let leg = SoftphoneLeg::new(&caller.id, sid.as_str(), call.caller_id(), ParticipantLabel::Monitor)?
                .param("monitor", mode.as_str())
                .monitoring(muted, coach)
                .ring_for(30);
            self.telephony
                .create_participant(&ConferenceRef::Sid(conference), &leg.request())
                .await?;
        }
        let mark = Update::default()
            .set(field::MONITOR_MODE, mode.as_str())
            .set(field::MONITOR_BY, caller.id.as_str());
        self.note(sid.as_str(), mark).await?;
        tracing::info!(supervisor = %caller.id, "supervisor on the call");
        Ok(())
    }

    /// A supervisor leaves a call they are monitoring. Only the supervisor on the call, or an
    /// admin, may take the monitoring leg off it.
    #[tracing::instrument(name = "control.stop_monitoring", skip_all, fields(call = %sid))]
    pub async fn stop_monitoring(&self, caller: &Caller, sid: &CallSid) -> Result<(), ControlError> {
        supervising(caller)?;
        let (call, conference, _) = self.monitored(sid).await?;
        let by = call.monitor_by.as_deref();
        if call.joined(ParticipantLabel::Monitor).is_some()
            && by.is_some_and(|b| b != caller.id.as_str())
            && caller.role < Role::Admin
        {
            return Err(DomainError::Forbidden(format!(
                "{} is monitoring this call; only they or an admin can end it",
                by.unwrap_or_default()
            ))
            .into());
        }
        gone_is_fine(
            self.telephony
                .remove_participant(&conference, &participant(ParticipantLabel::Monitor))
                .await,
        )?;
        let clear = Update::default().remove(field::MONITOR_MODE).remove(field::MONITOR_BY);
        self.note(sid.as_str(), clear).await?;
        tracing::info!(supervisor = %caller.id, "supervisor left the call");
        Ok(())
    }
}
