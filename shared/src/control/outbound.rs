//! Outgoing calls. The operator's softphone dials through the TwiML App; the customer is
//! called first over REST, so the conference carries the customer's CallSid like every other
//! call, and the operator joins it at once. One customer call per operator leg: a request
//! Twilio retries, or a signed request replayed, for a leg that has already placed its call
//! places none (the leg is remembered for a day).

use super::{CallControl, ControlError, gone_is_fine, now};
use crate::domain::calls::{CallSummary, Direction, call_key, field, outbound_leg_key};
use crate::domain::operators::{OperatorStatus, field as op, operator_key, status_after_the_call};
use crate::ids::OperatorId;
use crate::phone::ContactNumber;
use crate::store::{Cond, Item, Key, TxOp, Update, attr};
use crate::twilio::CallSid;
use crate::twilio::rest::{CallInstructions, CallUpdateStatus, CreateCall, UpdateCall};
use crate::twilio::telephony::TelephonyError;
use crate::twilio::twiml::{CallProgressEvent, HttpMethod};
use crate::twilio::webhook::IncomingCall;

/// The customer's call placed for an operator's outgoing leg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedCall {
    /// The customer's CallSid: the conference's name.
    pub call_sid: String,
    /// Whether the line records its calls.
    pub recorded: bool,
}

/// Why no customer call was placed; the operator hears it and the leg hangs up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboundRefusal {
    /// The leg does not come from an operator's softphone.
    UnknownOperator,
    /// The number dialled is not a phone number.
    InvalidNumber,
    /// The number is in a country operators may not call, or premium rate (the `dialing` settings).
    BarredNumber,
    /// The settings, the store or Twilio could not be reached.
    Unavailable,
    /// The line chosen is not a configured line.
    UnknownLine,
    /// The operator's profile could not be read.
    OperatorUnreadable,
    /// The operator is 受付可 (available): dialling out is refused then.
    OperatorAvailable,
    /// The operator is on (or being offered) another call.
    OperatorBusy,
    /// The call was placed but could not be recorded, so it was cancelled.
    NotRecorded,
    /// A request for the same leg is being handled.
    InProgress,
    /// The leg's call has already ended.
    AlreadyEnded,
}

impl CallControl {
    /// Places the customer's call for the operator's outgoing leg `leg` (the TwiML App request):
    /// the line (custom parameter `LineId`) must be a configured line and the number (`To`)
    /// must parse; refused while the operator is 受付可 (available) or on a call. The call is
    /// recorded with the operator on it (通話中) in one transaction, and cancelled if that fails.
    #[tracing::instrument(name = "control.place_outbound", skip_all, fields(leg = %leg.call_sid))]
    pub async fn place_outbound(&self, leg: &IncomingCall) -> Result<PlacedCall, OutboundRefusal> {
        let operator = OperatorId::from_client_identity(&leg.from).map_err(|_| OutboundRefusal::UnknownOperator)?;
        let to = leg.custom_param("To").or(leg.to.as_deref()).unwrap_or_default();
        let contact = ContactNumber::parse(to).map_err(|_| OutboundRefusal::InvalidNumber)?;
        let number = contact.number();
        let settings = self
            .services
            .settings
            .get()
            .await
            .map_err(|_| OutboundRefusal::Unavailable)?;
        let line = settings
            .line(leg.custom_param("LineId").unwrap_or_default())
            .ok_or(OutboundRefusal::UnknownLine)?
            .clone();
        if let Err(e) = settings.dialing.check(number, "to") {
            tracing::warn!(number = %number.masked(), reason = %e, "outbound call to a barred number refused");
            return Err(OutboundRefusal::BarredNumber);
        }
        let me = self
            .services
            .operators
            .get(&operator)
            .await
            .map_err(|_| OutboundRefusal::OperatorUnreadable)?;
        let leg_key = outbound_leg_key(leg.call_sid.as_str());
        if self.services.store.get(&leg_key).await.ok().flatten().is_some() {
            return self.replayed_outbound(&leg_key, &operator, line.recording).await;
        }
        if me.status == OperatorStatus::Available {
            return Err(OutboundRefusal::OperatorAvailable);
        }
        if me.current_call.is_some() {
            return Err(OutboundRefusal::OperatorBusy);
        }
        let mut claim = Item::new();
        claim.insert(attr::PK.into(), leg_key.pk.clone().into());
        claim.insert(attr::SK.into(), leg_key.sk.clone().into());
        claim.insert(attr::EXPIRES_AT.into(), (crate::store::epoch_now() + 86_400).into());
        match self.services.store.put(claim, Some(Cond::NotExists)).await {
            Ok(()) => {}
            Err(e) if e.is_condition_failed() => {
                return self.replayed_outbound(&leg_key, &operator, line.recording).await;
            }
            Err(e) => {
                tracing::error!(error = %e, "outbound leg not recorded; no call placed");
                return Err(OutboundRefusal::Unavailable);
            }
        }
        let mut req = CreateCall::new(
            number.as_str(),
            line.number.as_str(),
            CallInstructions::Url {
                url: self.urls.join_customer(),
                method: Some(HttpMethod::Post),
            },
        );
        req.status_callback = Some(self.urls.status());
        req.status_callback_event = vec![
            CallProgressEvent::Initiated,
            CallProgressEvent::Ringing,
            CallProgressEvent::Answered,
            CallProgressEvent::Completed,
        ];
        req.status_callback_method = Some(HttpMethod::Post);
        req.timeout = Some(45);
        // A customer behind a switchboard: their extension is pressed once the line answers.
        req.send_digits = contact.send_digits();
        let placed = self.telephony.create_call(&req).await.map_err(|e| {
            tracing::error!(error = %e, "outbound call not placed");
            OutboundRefusal::Unavailable
        })?;
        let sid = placed.sid.as_str().to_owned();
        let at = now();
        let pop = self.services.crm.lookup(number).await.ok();
        let mut summary = CallSummary::new(
            &sid,
            Direction::Outbound,
            Some(number),
            Some(line.number.as_str().to_owned()),
            "ringing",
            at.clone(),
            pop.as_ref(),
        );
        summary.operator_id = Some(operator.to_string());
        summary.operator_name = Some(me.name.clone());
        let on_call = Update::default()
            .set(op::CURRENT_CALL, sid.as_str())
            .set(op::STATUS, OperatorStatus::OnCall)
            .set(op::STATUS_SINCE, at.as_str())
            .remove(op::CALLBACK_TASK)
            .add(op::VERSION, 1);
        // After the call and its wrap-up the operator is back in the status they dialled from.
        let on_call = match status_after_the_call(&me) {
            Some(after) => on_call.set(op::AFTER_CALL_STATUS, after),
            None => on_call.remove(op::AFTER_CALL_STATUS),
        };
        let ops = vec![
            TxOp::Put {
                item: summary.live_item(),
                cond: Some(Cond::NotExists),
            },
            TxOp::Update {
                key: operator_key(operator.as_str()),
                update: on_call,
                cond: Some(Cond::And(vec![
                    Cond::Exists,
                    Cond::AttrNotExists(op::CURRENT_CALL.into()),
                    Cond::Ne(op::STATUS.into(), OperatorStatus::Available.into()),
                ])),
            },
            TxOp::Update {
                key: leg_key,
                update: Update::default().set(CUSTOMER_CALL, sid.as_str()),
                cond: Some(Cond::Exists),
            },
        ];
        if let Err(e) = self.services.store.transact(ops).await {
            tracing::error!(call = %sid, error = %e, "outbound call not recorded; cancelling it");
            let _ = self
                .telephony
                .update_call(&placed.sid, &UpdateCall::End(CallUpdateStatus::Canceled))
                .await;
            return Err(OutboundRefusal::NotRecorded);
        }
        tracing::info!(call = %sid, line = %line.id, "customer call placed");
        Ok(PlacedCall {
            call_sid: sid,
            recorded: line.recording,
        })
    }

    /// The answer to a request for an outbound leg that has already placed its customer's call:
    /// the same conference while that call is live (Twilio retried), otherwise nothing placed again.
    async fn replayed_outbound(
        &self,
        leg: &Key,
        operator: &OperatorId,
        recorded: bool,
    ) -> Result<PlacedCall, OutboundRefusal> {
        let placed = self.services.store.get(leg).await.ok().flatten();
        let Some(sid) = placed
            .as_ref()
            .and_then(|p| p.get(CUSTOMER_CALL))
            .and_then(|v| v.as_str())
        else {
            return Err(OutboundRefusal::InProgress);
        };
        let call = self.call(sid).await.ok().flatten();
        if call.is_some_and(|c| c.summary.ended_at.is_none() && c.is_operated_by(operator.as_str())) {
            Ok(PlacedCall {
                call_sid: sid.to_owned(),
                recorded,
            })
        } else {
            tracing::warn!(call = %sid, "a request for an outbound leg that already called was refused");
            Err(OutboundRefusal::AlreadyEnded)
        }
    }

    /// The customer of an outgoing call answered: the call is in progress. Returns false when
    /// the operator hung up while it rang and the cancel crossed the answer (the customer is
    /// told and hung up).
    #[tracing::instrument(name = "control.customer_answered", skip_all, fields(call = %sid))]
    pub async fn customer_answered(&self, sid: &CallSid) -> bool {
        let key = call_key(sid.as_str());
        let answered = self
            .services
            .store
            .update(
                &key,
                Update::default()
                    .set(field::STATUS, "in_progress")
                    .set(field::ANSWERED_AT, now()),
                Some(Cond::And(vec![
                    Cond::Exists,
                    Cond::AttrNotExists(field::OPERATOR_GONE_AT.into()),
                ])),
            )
            .await;
        let operator_gone = matches!(&answered, Err(e) if e.is_condition_failed())
            && self
                .call(sid.as_str())
                .await
                .ok()
                .flatten()
                .is_some_and(|c| c.operator_gone_at.is_some());
        !operator_gone
    }

    /// An outgoing call whose operator left before the customer answered: the customer's ringing
    /// call is cancelled (it would otherwise be answered into an empty conference), and the call
    /// is marked so an answer that crosses the cancel is told and hung up.
    pub(super) async fn abandon_unanswered_outbound(&self, sid: &str) -> Result<(), ControlError> {
        let Some(call) = self.call(sid).await? else {
            return Ok(());
        };
        let outbound = call.summary.direction == Direction::Outbound;
        if !outbound || call.summary.answered_at.is_some() || call.summary.ended_at.is_some() {
            return Ok(());
        }
        let mark = Update::default().set(field::OPERATOR_GONE_AT, now());
        let not_answered = Cond::And(vec![Cond::Exists, Cond::AttrNotExists(field::ANSWERED_AT.into())]);
        match self
            .services
            .store
            .update(&call_key(sid), mark, Some(not_answered))
            .await
        {
            Ok(_) => {}
            Err(e) if e.is_condition_failed() => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        let Ok(customer) = CallSid::parse(sid) else {
            return Ok(());
        };
        let cancel = UpdateCall::End(CallUpdateStatus::Canceled);
        match gone_is_fine(self.telephony.update_call(&customer, &cancel).await) {
            Ok(()) => {}
            // Already answered or ended: a cancel is refused, and the answer is handled above.
            Err(TelephonyError::Rejected { .. }) => {}
            Err(e) => tracing::error!(error = %e, "could not cancel an outgoing call its operator left"),
        }
        Ok(())
    }
}

/// The attribute of an outbound leg's record naming the customer's call it placed.
const CUSTOMER_CALL: &str = "customer_call";
