//! The call that heals itself. A customer must never be left held with nobody: a transfer that
//! rang out unreported fails, and a customer held with nobody for the configured
//! `orphan_hold_seconds` is offered again — to their operator first (rung back like a rejoin,
//! once) if that operator is still signed in and on this call, otherwise to the next free
//! operator (back in line, ahead of later calls). The customer stays on hold meanwhile and is
//! told they are being reconnected; they are taken off hold the moment an operator is back.
//!
//! A customer left talking to nobody because the operator's leg left on its own is put on hold
//! first (see `CallControl::after_participant_event`), and heals from there.
//!
//! The check runs on requests that recur anyway: the hold music's next fetch and each calls API
//! request about the call, and on each reconciliation run.

use super::legs::SoftphoneLeg;
use super::{CallControl, ControlError, gone_is_fine, now};
use crate::domain::calls::{CallRecord, call_key, field};
use crate::domain::handoff::{TransferStep, next_step};
use crate::domain::operators::OperatorStatus;
use crate::error::DomainError;
use crate::ids::OperatorId;
use crate::store::{Cond, Update};
use crate::twilio::rest::ConferenceRef;
use crate::twilio::webhook::CallStatus;

/// Why an operator is rung back into a call they had left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingBack {
    /// Their cold transfer did not go through; the customer is still held.
    TransferFailed,
    /// The customer was held with nobody for too long.
    Reconnect,
}

impl RingBack {
    /// The reason as the ring-back's callback URL and custom parameters carry it.
    pub fn as_str(self) -> &'static str {
        match self {
            RingBack::TransferFailed => "transfer_failed",
            RingBack::Reconnect => "reconnect",
        }
    }

    /// The reason a callback URL names.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "transfer_failed" => Some(RingBack::TransferFailed),
            "reconnect" => Some(RingBack::Reconnect),
            _ => None,
        }
    }
}

impl std::str::FromStr for RingBack {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        RingBack::parse(s).ok_or_else(|| format!("unknown ring-back reason '{s}'"))
    }
}

impl<'de> serde::Deserialize<'de> for RingBack {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

impl CallControl {
    /// Rings the call's operator back into the conference, on the leg label the call has for
    /// them, with the custom parameters `callSid`, `rejoin=true`, `ringBack` (why) and
    /// `reason`, plus `extra`. Their leg's callback goes to the voice function's ring-back
    /// route, which puts the call back in line if they do not answer.
    #[tracing::instrument(name = "control.ring_back", skip_all, fields(call = %sid, why = why.as_str()))]
    pub async fn ring_back(
        &self,
        sid: &str,
        call: &CallRecord,
        why: RingBack,
        reason: &str,
        extra: &[(&str, &str)],
    ) -> Result<(), ControlError> {
        let operator = call
            .summary
            .operator_id
            .as_deref()
            .and_then(|o| OperatorId::parse(o).ok())
            .ok_or_else(|| DomainError::conflict("no_operator", "no operator is on this call", None))?;
        let conf = self.conference_or_gone(sid, call).await?;
        let mut leg = SoftphoneLeg::new(&operator, sid, call.caller_id(), call.operator_label())?
            .param("rejoin", "true")
            .param("ringBack", why.as_str())
            .param("reason", reason);
        for (name, value) in extra {
            leg = leg.param(name, value);
        }
        let ring_secs = self.ring_seconds().await?;
        let callback = self.urls.ring_back(sid, operator.as_str(), why.as_str());
        self.telephony
            .create_participant(
                &ConferenceRef::Sid(conf),
                &leg.ringing_reported(ring_secs, callback).request(),
            )
            .await?;
        Ok(())
    }

    /// A ring-back reported its progress: answered → for a reconnect, the customer is taken
    /// off hold; rang out / busy / failed → the call goes back in line for the next free
    /// operator (the customer stays held, hearing that they are being reconnected).
    #[tracing::instrument(name = "control.ring_back_progress", skip_all, fields(call = %sid, why = why.as_str(), status = %status))]
    pub async fn ring_back_progress(
        &self,
        sid: &str,
        operator: &str,
        why: RingBack,
        status: CallStatus,
    ) -> Result<(), ControlError> {
        match status {
            CallStatus::InProgress if why == RingBack::Reconnect => self.reconnected(sid).await,
            CallStatus::NoAnswer | CallStatus::Busy | CallStatus::Failed | CallStatus::Canceled => {
                let Some(call) = self.call(sid).await? else {
                    return Ok(());
                };
                let back = call.joined(call.operator_label()).is_some();
                if call.is_operated_by(operator) && !back && call.summary.ended_at.is_none() {
                    self.requeue(sid, operator).await?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    async fn requeue(&self, sid: &str, operator: &str) -> Result<(), ControlError> {
        if self.services.routing.requeue(sid, operator).await? {
            tracing::warn!(operator = %operator, "operator gone: the call is back in line");
            self.route_waiting().await;
        }
        Ok(())
    }

    /// An operator is back with a customer who was being reconnected: the customer is taken
    /// off hold and the call is no longer marked as reconnecting.
    pub async fn reconnected(&self, sid: &str) -> Result<(), ControlError> {
        let Some(call) = self.call(sid).await? else {
            return Ok(());
        };
        if let Some(conf) = self.conference_sid(sid, &call).await? {
            gone_is_fine(self.set_customer_hold(&conf, sid, false).await)?;
        }
        let done = Update::default()
            .remove(field::RECONNECTING_AT)
            .remove(field::REQUEUED_AT)
            .remove(field::HEAL_COUNT);
        crate::store::done_unless_failed(
            self.services
                .store
                .update(&call_key(sid), done, Some(Cond::Exists))
                .await,
        )?;
        Ok(())
    }

    /// Checks on a call (see the module's documentation) and returns whether it is being
    /// reconnected (for the hold message).
    #[tracing::instrument(name = "control.check_call", skip_all, fields(call = %sid))]
    pub async fn check_call(&self, sid: &str) -> Result<bool, ControlError> {
        Ok(self.checked_call(sid).await?.is_some_and(|c| c.reconnecting()))
    }

    /// [`CallControl::check_call`], returning the call as it is afterwards (one read of the
    /// store when there is nothing to do).
    pub async fn checked_call(&self, sid: &str) -> Result<Option<CallRecord>, ControlError> {
        match self.call(sid).await? {
            Some(call) => self.checked_record(sid, call).await,
            None => Ok(None),
        }
    }

    /// [`CallControl::checked_call`] on a record the caller has already read (and, on the
    /// page's API, authorised the user for: the check may write and call Twilio).
    pub async fn checked_record(&self, sid: &str, mut call: CallRecord) -> Result<Option<CallRecord>, ControlError> {
        if call
            .transfer
            .as_ref()
            .is_some_and(|t| next_step(t, &now()) != TransferStep::Nothing)
        {
            self.advance_transfer(sid).await?;
            match self.call(sid).await? {
                Some(c) => call = c,
                None => return Ok(None),
            }
        }
        let at = now();
        if call.orphaned() != call.orphaned_since.is_some() {
            call = self.services.call_state.track_orphan(sid, call, &at).await?;
        }
        if !call.orphaned() {
            return Ok(Some(call));
        }
        let since = call.orphaned_since.clone().unwrap_or_default();
        let limit = self.services.settings.get().await?.call_handling.orphan_hold_seconds;
        let overdue = chrono::DateTime::parse_from_rfc3339(&since)
            .map(|t| (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds() >= limit as i64)
            .unwrap_or(true);
        if !overdue {
            return Ok(Some(call));
        }
        let claim = Update::default()
            .remove(field::ORPHANED_SINCE)
            .set(field::RECONNECTING_AT, at.as_str())
            .add(field::HEAL_COUNT, 1);
        let cond = Cond::And(vec![
            Cond::eq(field::ORPHANED_SINCE, since.as_str()),
            Cond::eq(field::STATUS, "in_progress"),
            Cond::AttrNotExists(field::ENDED_AT.into()),
        ]);
        let key = call_key(sid);
        let call = match self.services.store.update(&key, claim, Some(cond)).await {
            Ok(item) => CallRecord::from_item(&item).unwrap_or(call),
            Err(e) if e.is_condition_failed() => return self.call(sid).await,
            Err(e) => return Err(e.into()),
        };
        let Some(operator) = call.summary.operator_id.clone() else {
            return Ok(Some(call));
        };
        tracing::warn!(operator = %operator, "customer held with nobody: reconnecting");
        let first_time = call.heal_count == Some(1);
        let still_theirs = match OperatorId::parse(&operator) {
            Ok(id) => self
                .services
                .operators
                .get(&id)
                .await
                .is_ok_and(|o| o.current_call.as_deref() == Some(sid) && o.status != OperatorStatus::Offline),
            Err(_) => false,
        };
        if first_time && still_theirs {
            match self
                .ring_back(sid, &call, RingBack::Reconnect, "orphaned_hold", &[])
                .await
            {
                Ok(()) => return Ok(Some(call)),
                Err(e) => tracing::error!(error = %e, "could not ring the operator back; back in line"),
            }
        }
        self.requeue(sid, &operator).await?;
        self.call(sid).await
    }
}
