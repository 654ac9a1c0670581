//! Transfers to another operator (転送), optionally with the screen (画面転送). The transfer
//! record and its steps are the domain's ([`crate::domain::handoff`]); here they meet the phone
//! network: the customer is held, the target's softphone rung with the transfer's custom
//! parameters, the first operator taken out (at once for a cold transfer), and the customer
//! taken off hold with the target when it completes. Warm or cold, an unanswered transfer
//! comes back to the first operator (rung back after a cold one).

use serde::Deserialize;

use super::conference::not_transferring;
use super::heal::RingBack;
use super::legs::SoftphoneLeg;
use super::{CallControl, ControlError, gone_is_fine, now, participant};
use crate::auth::Caller;
use crate::domain::calls::{CallRecord, Direction, ParticipantLabel, ParticipantState, call_key, field};
use crate::domain::callstate::ParticipantEvent;
use crate::domain::handoff::{
    Answered, NewTransfer, ScreenTransfer, Transfer, TransferMode, TransferState, TransferStep, next_step,
};
use crate::domain::operators::{OperatorRecord, OperatorStatus, operator_key};
use crate::error::DomainError;
use crate::ids::OperatorId;
use crate::store::{Cond, Update};
use crate::twilio::rest::{CallUpdateStatus, ConferenceRef, UpdateCall, UpdateParticipant};
use crate::twilio::telephony::TelephonyError;
use crate::twilio::webhook::CallStatus;
use crate::twilio::{CallSid, ConferenceSid};

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

fn conflict(code: &'static str, message: impl Into<String>) -> ControlError {
    DomainError::conflict(code, message, None).into()
}

impl CallControl {
    /// Hands the call to another operator at the caller's request (see [`TransferRequest`]):
    /// checked — the target named, the screen transfer valid, the caller on the call (or a
    /// supervisor), the customer connected with no consultation call or other transfer, the
    /// target signed in and free — then started ([`CallControl::start_transfer`]).
    #[tracing::instrument(name = "control.transfer", skip_all, fields(call = %sid, mode = request.mode.as_str()))]
    pub async fn transfer(
        &self,
        caller: &Caller,
        sid: &CallSid,
        request: TransferRequest,
    ) -> Result<Transfer, ControlError> {
        let to = OperatorId::parse(&request.to_operator)
            .map_err(|e| DomainError::invalid_field("invalid_operator", "to_operator", e.to_string()))?;
        if let Some(screen) = &request.screen {
            screen.validate(&*self.services.settings.get().await?)?;
        }
        let call = self.controllable(caller, sid).await?;
        not_transferring(&call, "start another")?;
        if call.joined(ParticipantLabel::Customer).is_none() {
            return Err(conflict("not_connected", "the customer is not connected to this call"));
        }
        if call.joined(ParticipantLabel::Consult).is_some() {
            return Err(conflict(
                "consult_in_progress",
                "hang up the consultation call before transferring",
            ));
        }
        if call.is_operated_by(to.as_str()) {
            return Err(DomainError::invalid_field(
                "same_operator",
                "to_operator",
                "choose another operator than the one on the call",
            )
            .into());
        }
        let target = self
            .services
            .store
            .get(&operator_key(to.as_str()))
            .await?
            .as_ref()
            .and_then(OperatorRecord::from_item)
            .ok_or_else(|| {
                DomainError::invalid_field(
                    "unknown_operator",
                    "to_operator",
                    format!("there is no operator '{to}'"),
                )
            })?;
        let name = if target.name.is_empty() {
            to.as_str()
        } else {
            &target.name
        };
        if target.status == OperatorStatus::Offline {
            return Err(conflict(
                "target_offline",
                format!("{name} is signed out (オフライン); choose an operator who is signed in"),
            ));
        }
        if target.current_call.is_none() && !target.takes_calls_at(&now()) {
            return Err(conflict(
                "target_not_available",
                format!(
                    "{name} is not taking calls ({}); choose an operator who is 受付可 (available)",
                    target.status
                ),
            ));
        }
        if target.current_call.is_some() {
            return Err(conflict(
                "target_busy",
                format!("{name} is on another call or being offered one; choose someone else or try again shortly"),
            ));
        }
        let order = NewTransfer {
            call_sid: sid.as_str(),
            call: &call,
            target: &target,
            mode: request.mode,
            by: caller.id.as_str(),
            screen: request.screen,
        };
        Ok(self.start_transfer(order).await?.0)
    }

    /// Starts a transfer: records it and reserves the target (one transaction), keeps the
    /// conference running when the first operator leaves (set before holding: Twilio ignores
    /// flag changes on a held participant), holds the customer, rings the target's softphone
    /// and, for a cold transfer, takes the first operator out at once. When a request to Twilio
    /// fails, what was done is undone — at Twilio as far as it matters to the customer, and in
    /// the store entirely — and the error is returned.
    pub async fn start_transfer(
        &self,
        order: NewTransfer<'_>,
    ) -> Result<(Transfer, Option<crate::domain::handoff::Handoff>), ControlError> {
        let sid = order.call_sid;
        let conf = self.conference_or_gone(sid, order.call).await?;
        let (call, target, mode) = (order.call, order.target, order.mode);
        let (transfer, handoff) = self.services.transfers.begin(order).await?;
        let was_held = call.customer_held();
        if let Err(e) = self.ring_target(&conf, sid, call, &transfer, mode, was_held).await {
            if let Err(undo) = self.services.transfers.undo_begin(sid, &transfer, target).await {
                tracing::error!(error = %undo, "could not take back a transfer that never rang");
            }
            return Err(e);
        }
        let transfer = self.call(sid).await?.and_then(|c| c.transfer).unwrap_or(transfer);
        tracing::info!(transfer = %transfer.id, to = %transfer.to_operator, "transfer started");
        Ok((transfer, handoff))
    }

    async fn ring_target(
        &self,
        conf: &ConferenceSid,
        sid: &str,
        call: &CallRecord,
        t: &Transfer,
        mode: TransferMode,
        was_held: bool,
    ) -> Result<(), ControlError> {
        let from = participant(t.from_label);
        let keep = UpdateParticipant {
            end_conference_on_exit: Some(false),
            ..UpdateParticipant::default()
        };
        match self.telephony.update_participant(conf, &from, &keep).await {
            Ok(_) => {}
            Err(TelephonyError::NotFound { .. }) if mode == TransferMode::Cold => {}
            Err(TelephonyError::NotFound { .. }) => {
                return Err(conflict(
                    "not_connected",
                    "your softphone is not connected to this call; rejoin it before a warm transfer",
                ));
            }
            Err(e) => return Err(e.into()),
        }
        if !was_held {
            self.set_customer_hold(conf, sid, true).await?;
        }
        let undo_hold = |e: ControlError| async move {
            if !was_held && let Err(u) = self.set_customer_hold(conf, sid, false).await {
                tracing::error!(error = %u, "could not take the customer off hold after a failed transfer");
            }
            e
        };
        let target = OperatorId::parse(&t.to_operator).map_err(|e| DomainError::NotFound(e.to_string()))?;
        let mut leg = SoftphoneLeg::new(&target, sid, call.caller_id(), t.to_label)?
            .param("transferId", &t.id)
            .param("mode", mode.as_str())
            .param("fromOperator", &t.from_name)
            .param("fromOperatorId", &t.from_operator)
            .param("customer", call.caller_id());
        if let Some(h) = &t.handoff_id {
            leg = leg.param("handoffId", h);
        }
        let ring_secs = self.ring_seconds().await?;
        let request = leg
            .ringing_reported(ring_secs, self.urls.transfer_leg(sid, &t.id, &t.to_operator))
            .request();
        let leg = match self
            .telephony
            .create_participant(&ConferenceRef::Sid(conf.clone()), &request)
            .await
        {
            Ok(p) => p.call_sid,
            Err(e) => return Err(undo_hold(e.into()).await),
        };
        self.services.transfers.set_to_leg(sid, &t.id, leg.as_str()).await?;
        if mode == TransferMode::Cold {
            if let Err(e) = gone_is_fine(self.telephony.remove_participant(conf, &from).await) {
                if let Err(u) = gone_is_fine(self.telephony.remove_participant(conf, &participant(t.to_label)).await) {
                    tracing::error!(error = %u, "could not hang up the target of a failed cold transfer");
                }
                return Err(undo_hold(e.into()).await);
            }
            self.services.transfers.from_left(sid, &t.id, None).await?;
        }
        Ok(())
    }

    /// Calls off a warm transfer that is ringing or answered: the target's leg is hung up and
    /// let go; the customer stays held with the first operator. A cold transfer cannot be
    /// called off once the first operator left.
    #[tracing::instrument(name = "control.cancel_transfer", skip_all, fields(call = %sid))]
    pub async fn cancel_transfer(&self, caller: &Caller, sid: &CallSid) -> Result<Transfer, ControlError> {
        let call = self.controllable(caller, sid).await?;
        let t = call
            .transfer_under_way()
            .ok_or_else(|| conflict("no_transfer", "no transfer of this call is under way"))?;
        if t.from_left {
            return Err(DomainError::conflict(
                "transfer_cannot_be_canceled",
                "the first operator has already left this transfer; it can no longer be called off",
                serde_json::to_value(t).ok(),
            )
            .into());
        }
        let conf = self.conference_or_gone(sid.as_str(), &call).await?;
        gone_is_fine(self.telephony.remove_participant(&conf, &participant(t.to_label)).await)?;
        self.services
            .transfers
            .end(sid.as_str(), t, TransferState::Canceled, "canceled")
            .await?;
        tracing::info!(transfer = %t.id, "transfer called off");
        Ok(self
            .call(sid.as_str())
            .await?
            .and_then(|c| c.transfer)
            .unwrap_or_else(|| t.clone()))
    }

    /// The first operator leaves a call being transferred (hang-up during a transfer): only
    /// their leg is removed; an answered transfer then completes, a ringing one goes on with
    /// the customer held.
    pub(super) async fn leave_transfer(&self, sid: &str, call: &CallRecord, t: &Transfer) -> Result<(), ControlError> {
        let conf = self.conference_or_gone(sid, call).await?;
        gone_is_fine(
            self.telephony
                .remove_participant(&conf, &participant(t.from_label))
                .await,
        )?;
        self.services.transfers.from_left(sid, &t.id, None).await?;
        self.advance_transfer(sid).await
    }

    /// Moves the call's transfer on from the facts known so far ([`next_step`]): completes
    /// it (customer off hold, call reassigned), fails one that rang out unreported, rings the
    /// first operator back after a failed cold transfer. Idempotent.
    #[tracing::instrument(name = "control.advance_transfer", skip_all, fields(call = %sid))]
    pub async fn advance_transfer(&self, sid: &str) -> Result<(), ControlError> {
        for _ in 0..4 {
            let Some(call) = self.call(sid).await? else {
                return Ok(());
            };
            if call.summary.ended_at.is_some() {
                return Ok(());
            }
            let Some(t) = call.transfer.clone() else {
                return Ok(());
            };
            match next_step(&t, &now()) {
                TransferStep::Nothing => return Ok(()),
                TransferStep::Complete => {
                    // Off hold first: repeating it is harmless, and a failure leaves the
                    // transfer answered for the next callback to finish.
                    if let Some(conf) = self.conference_sid(sid, &call).await? {
                        gone_is_fine(self.set_customer_hold(&conf, sid, false).await)?;
                    }
                    self.services.transfers.complete(sid, &call, &t).await?;
                }
                TransferStep::Fail(reason) => {
                    // A ring nobody reported on may still be ringing: hang it up.
                    if reason == "timeout"
                        && let Some(conf) = self.conference_sid(sid, &call).await?
                        && let Err(e) =
                            gone_is_fine(self.telephony.remove_participant(&conf, &participant(t.to_label)).await)
                    {
                        tracing::warn!(error = %e, "could not hang up the target of a failed transfer");
                    }
                    self.services
                        .transfers
                        .end(sid, &t, TransferState::Failed, reason)
                        .await?;
                }
                TransferStep::RingBack => {
                    if self.services.transfers.claim_ring_back(sid, &t.id).await? {
                        let reason = t.reason.clone().unwrap_or_else(|| "failed".into());
                        let extra = [("transferId", t.id.as_str())];
                        if let Err(e) = self
                            .ring_back(sid, &call, RingBack::TransferFailed, &reason, &extra)
                            .await
                        {
                            // The customer is held with nobody: the call heals itself shortly.
                            tracing::error!(error = %e, "could not ring the first operator back");
                        }
                    }
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// What a conference participant event means beyond the participant's own state (which
    /// [`crate::domain::callstate::CallState::apply_participant`] records): for a transfer
    /// under way, the target joined, the first operator left, or the target left; and whether
    /// the customer is now held with nobody, since when.
    pub async fn after_participant_event(&self, sid: &str, ev: &ParticipantEvent) -> Result<(), ControlError> {
        self.after_participant_event_on(sid, ev, None).await
    }

    /// [`Self::after_participant_event`] on the call as the event's own write left it, when it
    /// has it (an update answers with the item as written): the call is read only when the
    /// event was not applied (older than the state recorded) or after a transfer's or an
    /// outside party's step here has written it again.
    pub(crate) async fn after_participant_event_on(
        &self,
        sid: &str,
        ev: &ParticipantEvent,
        as_written: Option<CallRecord>,
    ) -> Result<(), ControlError> {
        let call = match as_written {
            Some(call) => call,
            None => match self.call(sid).await? {
                Some(call) => call,
                None => return Ok(()),
            },
        };
        // The call as known here, until a step below writes it.
        let mut known = Some(call.clone());
        if let Some(t) = call.transfer_under_way() {
            known = None;
            let transfers = &self.services.transfers;
            let (label, leg, seq) = (ev.label, ev.call_sid.as_str(), ev.sequence);
            let joined = ev.state == ParticipantState::Joined;
            if joined && t.is_to_leg(label, leg, seq) {
                transfers.answered(sid, &t.id, (!leg.is_empty()).then_some(leg)).await?;
            } else if !joined && t.is_from_leg(label, leg, seq) {
                transfers.from_left(sid, &t.id, Some(seq)).await?;
            } else if !joined && t.is_to_leg(label, leg, seq) {
                transfers.to_left(sid, &t.id, seq).await?;
            }
            self.advance_transfer(sid).await?;
        }
        if ev.label == ParticipantLabel::Consult && ev.state == ParticipantState::Joined {
            if let Some(call) = self.call(sid).await? {
                self.outside_party_answered(sid, &call).await?;
            }
            known = None;
        }
        let call = match known {
            Some(call) => Some(call),
            None => self.call(sid).await?,
        };
        if let Some(call) = call {
            let call = self.services.call_state.track_orphan(sid, call, &ev.at).await?;
            let operator_leg = ev.label == call.operator_label();
            if operator_leg && ev.state == ParticipantState::Left {
                self.hold_left_alone(sid, &call, ev.label).await?;
            } else if operator_leg && call.reconnecting_at.is_some() && call.customer_held() {
                // The operator is back (再接続, or rung back): the customer comes off hold.
                self.reconnected(sid).await?;
            }
        }
        Ok(())
    }

    /// The operator's leg left a live inbound call on its own (the platform dropped it, the tab
    /// was closed, the softphone hung up without the page's 切断, which ends the conference)
    /// while the customer stays, talking to nobody: the customer is put on hold at once and
    /// hears that they are being reconnected, which makes the call heal itself (see
    /// [`super::heal`]): after `orphan_hold_seconds`, time for the operator's 再接続, their
    /// operator is rung back once, and otherwise the call goes back in line ahead of later
    /// calls. Ending the call instead (as a contact-centre platform does when its agent's leg
    /// ends the conference) would hang up on a customer who waited for an operator because of a
    /// fault of ours or the network's; silence with nobody there is worse than either.
    /// An outbound call is left as it is: the operator placed it and their page ends it.
    /// A consultation call the operator left behind (the customer held with an outside party) is
    /// hung up, which leaves the customer held with nobody, healing the same way.
    async fn hold_left_alone(&self, sid: &str, call: &CallRecord, left: ParticipantLabel) -> Result<(), ControlError> {
        // A cold transfer's first operator leaves on purpose: the customer is held by the
        // transfer, and its failure rings that operator back (see `advance_transfer`).
        // So does the operator of a cold 外部転送: the customer is held while the outside party
        // rings.
        let cold_handover = call.transfer.as_ref().is_some_and(|t| {
            t.mode == TransferMode::Cold && t.state != TransferState::Completed && left == t.from_label
        }) || call.summary.external.as_ref().is_some_and(|e| e.ringing());
        // The operator was consulting (the customer held, the outside party on the line) when
        // their leg went: the consultation was theirs, and an outside party kept with a customer
        // on hold would keep the call from healing. It is hung up; its leave makes the customer
        // one held with nobody, who heals (their operator rung back, who may call again).
        if left == call.operator_label()
            && call.summary.direction == Direction::Inbound
            && call.customer_held()
            && call.joined(ParticipantLabel::Consult).is_some()
            && call.summary.external.is_none()
            && call.transfer_under_way().is_none()
            && !cold_handover
            && call.summary.ended_at.is_none()
            && let Some(conf) = self.conference_sid(sid, call).await?
        {
            gone_is_fine(
                self.telephony
                    .remove_participant(&conf, &participant(ParticipantLabel::Consult))
                    .await,
            )?;
            tracing::warn!("the operator's leg left during a consultation: the consultation call hung up");
            return Ok(());
        }
        let alone = call.is_in_progress()
            && call.summary.direction == Direction::Inbound
            && call.joined(ParticipantLabel::Customer).is_some()
            && !call.customer_held()
            && !call.has_company()
            && call.transfer_under_way().is_none()
            && !cold_handover
            // A repeated leave: the customer is already being reconnected.
            && call.reconnecting_at.is_none();
        if !alone {
            return Ok(());
        }
        let Some(conf) = self.conference_sid(sid, call).await? else {
            return Ok(());
        };
        let mark = Update::default().set(field::RECONNECTING_AT, now());
        let cond = Cond::And(vec![Cond::Exists, Cond::AttrNotExists(field::ENDED_AT.into())]);
        crate::store::done_unless_failed(self.services.store.update(&call_key(sid), mark, Some(cond)).await)?;
        gone_is_fine(self.set_customer_hold(&conf, sid, true).await)?;
        tracing::warn!("the operator's leg left the customer alone: customer held, reconnecting");
        Ok(())
    }

    /// The target's leg of a transfer reported its progress: answered, or rang out / busy /
    /// failed. An answer that comes after the transfer was given up as rung out hangs the leg
    /// up.
    #[tracing::instrument(name = "control.transfer_progress", skip_all, fields(call = %sid, transfer = transfer_id, status = %status))]
    pub async fn transfer_progress(
        &self,
        sid: &str,
        transfer_id: &str,
        leg: &CallSid,
        status: CallStatus,
    ) -> Result<(), ControlError> {
        let transfers = &self.services.transfers;
        match status {
            CallStatus::InProgress => {
                let outcome = transfers.answered(sid, transfer_id, Some(leg.as_str())).await?;
                // Only a ring we gave up on unreported can still be up when it is answered:
                // every other way a transfer ends already took the leg down.
                if outcome == Answered::TooLate {
                    let gave_up = self.call(sid).await?.and_then(|c| c.transfer).is_some_and(|t| {
                        t.id == transfer_id && t.reason.as_deref() == Some("timeout") && t.to_left_seq.is_none()
                    });
                    if gave_up {
                        let end = UpdateCall::End(CallUpdateStatus::Completed);
                        gone_is_fine(self.telephony.update_call(leg, &end).await)?;
                    }
                }
            }
            CallStatus::NoAnswer | CallStatus::Busy | CallStatus::Failed | CallStatus::Canceled => {
                if let Some(t) = self
                    .call(sid)
                    .await?
                    .and_then(|c| c.transfer)
                    .filter(|t| t.id == transfer_id)
                {
                    transfers
                        .end(sid, &t, TransferState::Failed, &status.as_str().replace('-', "_"))
                        .await?;
                }
            }
            _ => {}
        }
        self.advance_transfer(sid).await?;
        if let Some(call) = self.call(sid).await? {
            self.services.call_state.track_orphan(sid, call, &now()).await?;
        }
        Ok(())
    }
}
