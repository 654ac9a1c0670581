//! 手上げ (raising a hand): an operator asks a supervisor for help without leaving the call. The
//! hand is a mark on the operator's record, so the board's push of the row shows it at once;
//! it goes down when the operator lowers it, when they sign off, or when a supervisor joins
//! their call ([`CallControl::monitor_answering_hand`]).

use super::{CallControl, ControlError, MonitorMode, now};
use crate::auth::Caller;
use crate::domain::operators::{DISABLED_MESSAGE, Operator, OperatorStatus, field, operator_from_item, operator_key};
use crate::error::DomainError;
use crate::store::{Cond, Update};
use crate::twilio::CallSid;

impl CallControl {
    /// Raises or lowers the caller's hand. Raising is refused while signed off (nobody would
    /// answer it) or disabled; raising a raised hand keeps the time it went up.
    #[tracing::instrument(name = "control.hand", skip_all, fields(operator = %caller.id, raised))]
    pub async fn set_hand(&self, caller: &Caller, raised: bool) -> Result<Operator, ControlError> {
        let me = self
            .services
            .operators
            .ensure(&caller.id, &caller.name, caller.role)
            .await?;
        if me.disabled {
            return Err(DomainError::Forbidden(DISABLED_MESSAGE.into()).into());
        }
        if raised == me.hand_raised_at.is_some() {
            return Ok(me);
        }
        if raised && me.status == OperatorStatus::Offline {
            return Err(DomainError::conflict(
                "offline",
                "オフラインの間は手上げできません。受付可などに変えてからもう一度押してください。",
                None,
            )
            .into());
        }
        let (update, cond) = if raised {
            (
                Update::default()
                    .set(field::HAND_RAISED_AT, now())
                    .add(field::VERSION, 1),
                Cond::And(vec![Cond::Exists, Cond::AttrNotExists(field::HAND_RAISED_AT.into())]),
            )
        } else {
            (
                Update::default().remove(field::HAND_RAISED_AT).add(field::VERSION, 1),
                Cond::And(vec![Cond::Exists, Cond::AttrExists(field::HAND_RAISED_AT.into())]),
            )
        };
        match self
            .services
            .store
            .update(&operator_key(caller.id.as_str()), update, Some(cond))
            .await
        {
            Ok(item) => {
                tracing::info!("hand changed");
                Ok(operator_from_item(&item).unwrap_or(me))
            }
            // Someone (another tab, a supervisor joining) changed it first: it is as asked or was
            // just answered; read it back.
            Err(e) if e.is_condition_failed() => Ok(self.services.operators.get(&caller.id).await?),
            Err(e) => Err(e.into()),
        }
    }

    /// A supervisor joins a call ([`CallControl::monitor`]); the hand of the call's operator,
    /// if raised, is answered and goes down.
    #[tracing::instrument(name = "control.monitor_answering_hand", skip_all, fields(call = %sid))]
    pub async fn monitor_answering_hand(
        &self,
        caller: &Caller,
        sid: &CallSid,
        mode: MonitorMode,
    ) -> Result<(), ControlError> {
        self.monitor(caller, sid, mode).await?;
        let Some(operator) = self.call(sid.as_str()).await?.and_then(|c| c.summary.operator_id) else {
            return Ok(());
        };
        let lower = Update::default().remove(field::HAND_RAISED_AT).add(field::VERSION, 1);
        let raised = Cond::And(vec![Cond::Exists, Cond::AttrExists(field::HAND_RAISED_AT.into())]);
        match self
            .services
            .store
            .update(&operator_key(&operator), lower, Some(raised))
            .await
        {
            Ok(_) => tracing::info!(%operator, "raised hand answered by a supervisor"),
            Err(e) if e.is_condition_failed() => {}
            Err(e) => tracing::warn!(error = %e, "could not lower the operator's hand"),
        }
        Ok(())
    }
}
