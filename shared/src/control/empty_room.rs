//! No operator in an empty room. An operator who answers a call whose customer has already gone
//! (they hung up while the phone rang and the end callback was lost, or it is still on its way)
//! would otherwise sit in an empty conference, shown 通話中 with a running timer. When the answer
//! comes in, the customer's presence is checked — the call record first, then Twilio
//! (`GET /Calls/{CA}.json`), since the record cannot know of callbacks that were lost — and if they are gone
//! the operator's leg is hung up, the operator is free again at once with a note the page shows
//! (`released_reason = customer_gone`), and the call is recorded as abandoned (放棄呼 in
//! 対応履歴, counted as abandoned in the day's figures) rather than as answered by them.

use chrono::Utc;

use super::reconcile::TwilioVerdict;
use super::{CallControl, ControlError, gone_is_fine, now};
use crate::domain::calls::{ParticipantLabel, call_key, field as call};
use crate::domain::operators::{AVAILABLE, OperatorRecord, OperatorStatus, field as op, operator_key, signed_off};
use crate::store::table::free_since_sk;
use crate::store::{Cond, StoreError, TxOp, Update, attr};
use crate::twilio::CallSid;
use crate::twilio::rest::{CallUpdateStatus, UpdateCall};

/// Why the system took an operator off a call they had answered.
pub const CUSTOMER_GONE: &str = "customer_gone";

/// The end reason of a call whose customer had gone before anyone talked to them.
pub const GONE_BEFORE_ANSWER: &str = "caller_gone_before_answer";

impl CallControl {
    /// Whether the customer of call `sid` is no longer there: the record says the call ended or
    /// that the customer left its conference, or else Twilio says their call has ended (the
    /// record may still show a customer whose leave and end callbacks were lost: one read per
    /// answered call). Unknown (Twilio unreachable) counts as there.
    pub async fn customer_gone(&self, sid: &str) -> Result<bool, ControlError> {
        let Some(record) = self.call(sid).await? else {
            return Ok(false);
        };
        let left = record
            .participant(ParticipantLabel::Customer)
            .is_some_and(|c| !c.is_joined());
        if record.summary.ended_at.is_some() || left {
            return Ok(true);
        }
        // The record may still show a customer whose leave and end callbacks were lost.
        match self.twilio_verdict(sid, Utc::now()).await {
            Ok(verdict) => Ok(matches!(verdict, TwilioVerdict::Ended { .. })),
            Err(e) => {
                tracing::warn!(error = %e, "could not ask Twilio whether the customer is still there");
                Ok(false)
            }
        }
    }

    /// The operator answered call `sid` on leg `leg` after its customer had gone: the leg is
    /// hung up, the operator is free again (signed off if an admin disabled them) with the
    /// release noted for the page, and the call is recorded as abandoned, with no operator, and
    /// counted once in the day's figures. Conditional on the operator still holding the call, so
    /// a repeat does nothing.
    #[tracing::instrument(name = "control.empty_room", skip_all, fields(call = %sid, operator = %operator))]
    pub async fn release_from_empty_room(&self, sid: &str, operator: &str, leg: &CallSid) -> Result<(), ControlError> {
        gone_is_fine(
            self.telephony
                .update_call(leg, &UpdateCall::End(CallUpdateStatus::Completed))
                .await,
        )?;
        let at = now();
        let disabled = self
            .services
            .store
            .get(&operator_key(operator))
            .await?
            .as_ref()
            .and_then(OperatorRecord::from_item)
            .is_some_and(|o| o.disabled);
        let noted = Update::default()
            .set(op::RELEASED_CALL, sid)
            .set(op::RELEASED_AT, at.as_str())
            .set(op::RELEASED_REASON, CUSTOMER_GONE)
            .remove(op::CURRENT_CALL)
            .remove(op::OFFER_ID)
            .remove(op::FREE_SINCE_KEY)
            .add(op::VERSION, 1);
        let free = if disabled {
            signed_off(noted)
        } else {
            noted
                .set(op::STATUS, OperatorStatus::Available)
                .set(op::STATUS_SINCE, at.as_str())
                .set(attr::GSI2PK, AVAILABLE)
                .set(attr::GSI2SK, free_since_sk(&at, operator))
                .remove(op::WRAP_UP_UNTIL)
        };
        let record = self.call(sid).await?.unwrap_or_default();
        let ended_at = record.summary.ended_at.clone().unwrap_or_else(|| at.clone());
        let abandoned = Update::default()
            .set(call::STATUS, "abandoned")
            .set(call::END_REASON, GONE_BEFORE_ANSWER)
            .set(call::ENDED_AT, ended_at)
            // A memo the operator typed in the moment before is still theirs to save.
            .set(call::HANDED_OVER, record.handed_over_by(operator, &at))
            .remove(call::OPERATOR_ID)
            .remove(call::OPERATOR_NAME)
            .remove(call::ANSWERED_AT);
        let ops = vec![
            TxOp::Update {
                key: operator_key(operator),
                update: free,
                cond: Some(Cond::eq(op::CURRENT_CALL, sid)),
            },
            TxOp::Update {
                key: call_key(sid),
                update: abandoned,
                cond: Some(Cond::eq(call::OPERATOR_ID, operator)),
            },
        ];
        match self.services.store.transact(ops).await {
            Ok(()) => tracing::warn!("answered after the customer had gone: the operator is free again"),
            Err(e) if e.is_condition_failed() => return Ok(()),
            Err(StoreError::TransactionConflict) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        if let Some(item) = self.services.store.get(&call_key(sid)).await? {
            self.services.monitor.count(sid, &item).await?;
        }
        self.route_waiting().await;
        Ok(())
    }
}
