//! 外部転送: handing the customer to an outside number.
//!
//! Warm: the operator calls the outside party as a consultation call (保留中外線発信, on the
//! line they chose, through the dial-out policy), talks to them while the customer waits on
//! hold, then hands the customer over: the customer comes off hold with the outside party, the
//! operator's leg leaves and the operator goes into 後処理 while the call goes on.
//!
//! Cold: the operator names the number and the line and leaves at once, into 後処理; the
//! customer waits on hold while the outside party rings and comes off hold with them when they
//! answer. If nobody answers, the customer is held with nobody, and the call heals itself (see
//! [`super::heal`]): their operator is rung back, or the call goes back in line. The ring is
//! kept shorter than `orphan_hold_seconds` so that it has ended by then.
//!
//! Either way the outside party's leg ends the conference when it leaves, so a customer is never
//! left talking to nobody, and the call records the handover ([`ExternalHandover`]: to whom,
//! how, by whom), which history and the board show as 外部転送.

use serde_json::json;

use super::conference::{ConsultRequest, not_transferring};
use super::{CallControl, ControlError, gone_is_fine, now, participant};
use crate::auth::Caller;
use crate::domain::calls::{CallRecord, ExternalHandover, ParticipantLabel, call_key, field};
use crate::error::DomainError;
use crate::phone::PhoneNumber;
use crate::store::{Cond, Update};
use crate::twilio::CallSid;
use crate::twilio::rest::{ConferenceRef, CreateParticipant, ParticipantTo, UpdateParticipant};
use crate::twilio::twiml::ConferenceBeep;

/// The longest a cold handover's outside party rings.
const COLD_RING_MAX_SECONDS: u32 = 45;
/// The shortest: a number that cannot answer this fast is not worth handing a customer to.
const COLD_RING_MIN_SECONDS: u32 = 10;

impl CallControl {
    /// Hands the customer to the connected consultation party and lets the operator go.
    /// Refused unless the consultation call is connected.
    #[tracing::instrument(name = "control.hand_to_consulted", skip_all, fields(call = %sid))]
    pub async fn hand_to_consulted(&self, caller: &Caller, sid: &CallSid) -> Result<(), ControlError> {
        let call = self.controllable(caller, sid).await?;
        not_transferring(&call, "hand the customer over")?;
        if call.joined(ParticipantLabel::Consult).is_none() {
            return Err(DomainError::conflict(
                "no_consult",
                "the other party is not connected: call them and wait until they answer",
                None,
            )
            .into());
        }
        let operator = operator_of(&call)?;
        let conf = self.conference_or_gone(sid.as_str(), &call).await?;
        let ends_the_call = UpdateParticipant {
            end_conference_on_exit: Some(true),
            ..UpdateParticipant::default()
        };
        self.telephony
            .update_participant(&conf, &participant(ParticipantLabel::Consult), &ends_the_call)
            .await?;
        if let Some(to) = call.consult_to.as_deref().and_then(|n| PhoneNumber::parse(n).ok()) {
            let at = now();
            self.mark_external(sid.as_str(), handover(&to, "warm", &operator, &at, Some(&at)))
                .await?;
        }
        if call.customer_held() {
            self.set_customer_hold(&conf, sid.as_str(), false).await?;
        }
        self.services.routing.wrap_up(&operator, sid.as_str()).await?;
        gone_is_fine(
            self.telephony
                .remove_participant(&conf, &participant(call.operator_label()))
                .await,
        )?;
        tracing::info!(%operator, "customer handed to the outside party; operator in wrap-up");
        Ok(())
    }

    /// A cold 外部転送: the customer is held and the outside number called on the chosen line,
    /// and the operator leaves at once into 後処理. An invalid or barred number, or an unknown
    /// line, is refused before anything is dialled; so is a call with a consultation or a
    /// transfer under way.
    #[tracing::instrument(name = "control.hand_to_outside", skip_all, fields(call = %sid))]
    pub async fn hand_to_outside(
        &self,
        caller: &Caller,
        sid: &CallSid,
        order: &ConsultRequest,
    ) -> Result<(), ControlError> {
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
        not_transferring(&call, "hand the customer over")?;
        if call.joined(ParticipantLabel::Consult).is_some() {
            return Err(DomainError::conflict(
                "consult_in_progress",
                "a consultation call is connected: hand the customer to that party, or hang it up first",
                None,
            )
            .into());
        }
        if call.joined(ParticipantLabel::Customer).is_none() {
            return Err(DomainError::conflict("customer_not_connected", "the customer is not connected", None).into());
        }
        let operator = operator_of(&call)?;
        let conf = self.conference_or_gone(sid.as_str(), &call).await?;
        self.mark_external(sid.as_str(), handover(&number, "cold", &operator, &now(), None))
            .await?;
        if !call.customer_held() {
            self.set_customer_hold(&conf, sid.as_str(), true).await?;
        }
        let ring = settings
            .call_handling
            .orphan_hold_seconds
            .saturating_sub(5)
            .clamp(COLD_RING_MIN_SECONDS, COLD_RING_MAX_SECONDS);
        let mut p = CreateParticipant::new(line.number.as_str(), ParticipantTo::Number(number.as_str().to_owned()));
        p.label = Some(ParticipantLabel::Consult.as_str().to_owned());
        p.end_conference_on_exit = Some(true);
        p.beep = Some(ConferenceBeep::False);
        p.timeout = Some(ring);
        self.telephony
            .create_participant(&ConferenceRef::Sid(conf.clone()), &p)
            .await?;
        self.services.routing.wrap_up(&operator, sid.as_str()).await?;
        gone_is_fine(
            self.telephony
                .remove_participant(&conf, &participant(call.operator_label()))
                .await,
        )?;
        tracing::info!(%operator, line = %line.id, "customer handed to an outside number (cold); operator in wrap-up");
        Ok(())
    }

    /// The outside party of a cold 外部転送 answered: the customer comes off hold with them.
    pub(super) async fn outside_party_answered(&self, sid: &str, call: &CallRecord) -> Result<(), ControlError> {
        let Some(external) = call.summary.external.clone().filter(ExternalHandover::ringing) else {
            return Ok(());
        };
        let connected = ExternalHandover {
            connected_at: Some(now()),
            ..external
        };
        self.mark_external(sid, connected).await?;
        if call.customer_held()
            && let Some(conf) = self.conference_sid(sid, call).await?
        {
            gone_is_fine(self.set_customer_hold(&conf, sid, false).await)?;
        }
        tracing::info!("the outside party answered: customer off hold with them");
        Ok(())
    }

    async fn mark_external(&self, sid: &str, handover: ExternalHandover) -> Result<(), ControlError> {
        let update = Update::default().set(field::EXTERNAL, json!(handover));
        let cond = Cond::And(vec![Cond::Exists, Cond::AttrNotExists(field::ENDED_AT.into())]);
        match self.services.store.update(&call_key(sid), update, Some(cond)).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_condition_failed() => {
                Err(DomainError::conflict("call_ended", "the call has already ended", None).into())
            }
            Err(e) => Err(DomainError::from(e).into()),
        }
    }
}

fn operator_of(call: &CallRecord) -> Result<String, ControlError> {
    call.summary
        .operator_id
        .clone()
        .ok_or_else(|| DomainError::conflict("no_operator", "no operator is on this call right now", None).into())
}

fn handover(to: &PhoneNumber, mode: &str, by: &str, at: &str, connected_at: Option<&str>) -> ExternalHandover {
    ExternalHandover {
        to: to.as_str().to_owned(),
        to_display: to.display(),
        mode: mode.to_owned(),
        by: by.to_owned(),
        at: at.to_owned(),
        connected_at: connected_at.map(str::to_owned),
    }
}
