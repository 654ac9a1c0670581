//! Results: how a call to a target ended (done, no answer, call back later), kept as a result
//! item beside the target, with the target's new state counted in the same transaction, and
//! the result counted in the reports' figures of the day (centre, operator, list) there too.
//! A result is never changed once recorded (the next call to the target is a new attempt with
//! its own result), so no count ever moves.

use super::leases::check_holder;
use super::{
    ATTEMPTS, CallLists, Target, TargetId, TargetState, busy, counter_op, list_alive, shard_of, stamp, target_item,
    to_item, write_target,
};
use crate::error::DomainError;
use crate::ids::{OperatorId, RecordId};
use crate::store::table::{call_list_pk, call_list_result_sk};
use crate::store::{Cond, Key, TxOp};
use crate::twilio::CallSid;
use serde::{Deserialize, Serialize};

/// The longest memo a result may carry, as for a call's memo.
pub const MEMO_MAX_CHARS: usize = 10_000;

/// How a call to a target ended, as the operator records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 完了: nothing more to do.
    Done,
    /// 不在: nobody answered.
    NoAnswer,
    /// 再架電: call back at `callback_at`.
    Callback,
}

impl Outcome {
    pub(super) fn state(self) -> TargetState {
        match self {
            Outcome::Done => TargetState::Done,
            Outcome::NoAnswer => TargetState::NoAnswer,
            Outcome::Callback => TargetState::Callback,
        }
    }

    /// The result code the reports count it under ([`crate::domain::reports::CALL_RESULTS`]).
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::NoAnswer => "no_answer",
            Outcome::Callback => "callback",
        }
    }
}

/// The result of one call to a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TargetResult {
    pub attempt: u32,
    pub at: String,
    pub operator_id: String,
    pub operator_name: String,
    pub outcome: Outcome,
    pub response_status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_sid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_at: Option<String>,
}

/// What an operator records when a call to a target ends.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultInput {
    #[serde(default)]
    pub call_sid: Option<String>,
    /// One of the settings' response statuses (対応ステータス).
    pub response_status: String,
    #[serde(default)]
    pub memo: Option<String>,
    pub outcome: Outcome,
    /// RFC 3339, in the future; required when `outcome` is `callback`.
    #[serde(default)]
    pub callback_at: Option<String>,
}

pub(super) fn result_key(list: &RecordId, target: &str, attempt: u32) -> Key {
    Key::new(call_list_pk(list), call_list_result_sk(target, attempt))
}

pub(super) fn parse_callback_at(
    s: Option<&str>,
    outcome: Outcome,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Option<String>, DomainError> {
    let field = "callback_at";
    match (outcome, s.map(str::trim).filter(|s| !s.is_empty())) {
        (Outcome::Callback, None) => Err(DomainError::invalid_field(
            "callback_at_required",
            field,
            "choose when to call back (callback_at, RFC 3339 such as 2025-04-01T10:00:00+09:00)",
        )),
        (Outcome::Callback, Some(s)) => {
            let t = chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| {
                    DomainError::invalid_field(
                        "invalid_callback_at",
                        field,
                        format!("'{s}' is not a date and time in RFC 3339 form, such as 2025-04-01T10:00:00+09:00"),
                    )
                })?
                .with_timezone(&chrono::Utc);
            if t <= at {
                return Err(DomainError::invalid_field(
                    "callback_in_past",
                    field,
                    "the callback time has passed; choose a time in the future",
                ));
            }
            if t > at + chrono::Duration::days(366) {
                return Err(DomainError::invalid_field(
                    "callback_too_far",
                    field,
                    "choose a callback time within a year",
                ));
            }
            Ok(Some(stamp(t)))
        }
        (_, Some(_)) => Err(DomainError::invalid_field(
            "callback_at_unexpected",
            field,
            "a callback time goes only with the outcome callback",
        )),
        (_, None) => Ok(None),
    }
}

impl CallLists {
    /// Records the result of a call to a leased target (only its holder may): the target moves
    /// to the outcome's state, its attempts go up by one, and the lease ends. A callback puts
    /// it back at the front of the queue at `callback_at`.
    pub async fn record_result(
        &self,
        list: &RecordId,
        target: &TargetId,
        who: &OperatorId,
        name: &str,
        input: ResultInput,
    ) -> Result<Target, DomainError> {
        let settings = self.settings.get().await?;
        if !settings
            .response_statuses
            .iter()
            .any(|s| s.id.as_str() == input.response_status)
        {
            let known: Vec<&str> = settings.response_statuses.iter().map(|s| s.id.as_str()).collect();
            return Err(DomainError::invalid_field(
                "unknown_response_status",
                "response_status",
                format!(
                    "'{}' is not a response status; choose one of: {}",
                    input.response_status,
                    known.join(", ")
                ),
            ));
        }
        let memo = input.memo.filter(|m| !m.trim().is_empty());
        if memo.as_ref().is_some_and(|m| m.chars().count() > MEMO_MAX_CHARS) {
            return Err(DomainError::invalid_field(
                "too_long",
                "memo",
                format!("a memo holds at most {MEMO_MAX_CHARS} characters"),
            ));
        }
        let call_sid = input
            .call_sid
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                CallSid::parse(s.trim())
                    .map(|c| c.to_string())
                    .map_err(|e| DomainError::invalid_field("invalid_call_sid", "call_sid", e.to_string()))
            })
            .transpose()?;
        let at = chrono::Utc::now();
        let callback_at = parse_callback_at(input.callback_at.as_deref(), input.outcome, at)?;
        for _ in 0..ATTEMPTS {
            let (l, stored) = self.list_and_target(list, target).await?;
            let mut t = stored.target.clone();
            check_holder(&t, who)?;
            let result = TargetResult {
                attempt: t.attempts + 1,
                at: stamp(at),
                operator_id: who.to_string(),
                operator_name: name.to_owned(),
                outcome: input.outcome,
                response_status: input.response_status.clone(),
                memo: memo.clone(),
                call_sid: call_sid.clone(),
                callback_at: callback_at.clone(),
            };
            let to = input.outcome.state();
            t.state = to;
            t.lease = None;
            t.callback_at = callback_at.clone();
            t.attempts += 1;
            t.last_result = Some(result.clone());
            t.version += 1;
            t.updated_at = stamp(at);
            let mut ops = vec![
                list_alive(list),
                TxOp::Put {
                    item: target_item(&t, None)?,
                    cond: Some(Cond::version(stored.target.version)),
                },
                counter_op(list, shard_of(&t.id), &[(TargetState::InProgress, -1), (to, 1)], 0),
                TxOp::Put {
                    item: to_item(&result, result_key(list, &t.id, result.attempt), "result")?,
                    cond: Some(Cond::NotExists),
                },
            ];
            // Counted in the reports in the same write: once, as the result is recorded once.
            ops.extend(crate::domain::reports::result_recorded(
                at,
                who.as_str(),
                name,
                &list.to_string(),
                &l.name,
                input.outcome.code(),
            ));
            if write_target(&*self.store, list, ops).await? {
                return Ok(t);
            }
        }
        Err(busy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_callback_needs_a_future_time_and_only_a_callback_takes_one() {
        let at = chrono::Utc::now();
        assert!(parse_callback_at(None, Outcome::Callback, at).is_err());
        assert!(parse_callback_at(Some("tomorrow"), Outcome::Callback, at).is_err());
        assert!(parse_callback_at(Some("2001-01-01T00:00:00+09:00"), Outcome::Callback, at).is_err());
        let later = (at + chrono::Duration::hours(2)).with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap());
        let stored = parse_callback_at(Some(&later.to_rfc3339()), Outcome::Callback, at)
            .unwrap()
            .unwrap();
        assert!(stored.ends_with('Z'), "stored in UTC: {stored}");
        assert!(parse_callback_at(Some(&later.to_rfc3339()), Outcome::Done, at).is_err());
        assert_eq!(parse_callback_at(None, Outcome::NoAnswer, at).unwrap(), None);
    }
}
