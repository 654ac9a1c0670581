//! Reconciliation: the store brought back in line with what Twilio knows, for when the callbacks
//! that end a call never arrived (refused more often than Twilio retries them: a store or Lambda
//! outage, a throttle, a value we did not model). Without it an operator whose call ended that
//! way stays 通話中 for good.
//!
//! A run ([`CallControl::reconcile`], every minute: the `reconcile` function on an EventBridge
//! schedule, a timer in the local runtime) reads only what the board reads — every operator
//! (one query per 1,000), the first [`QUEUE_READ`] entries of the queue (one query) and the
//! records of the calls the operators hold and of the queued calls (one batch read per 100
//! keys) — never scanning the table: at 500 operators all on calls, 7 store requests to find
//! the candidates, plus about 14 for each call found ended (its end applied as the callback
//! applies it) and one more routing round (`functions/reconcile/tests/at_scale.rs` counts 50
//! for three ended calls). Then:
//!
//! - an operator whose call has ended in the store (its end was applied but the operator was
//!   not let go) is let go through the end's own step, without asking Twilio — once their own
//!   item confirms they still hold it, since the operator list is an index that may lag;
//! - a call the store believes live for longer than [`LIVE_BOUND_SECONDS`] (held by an operator,
//!   or put back in line) is read from Twilio (`GET /Calls/{CA}.json`, [`CONCURRENT_READS`] at
//!   a time: at most one request per such call and run); if Twilio says it has ended (or knows
//!   no such call) the end is applied exactly as the status callback applies it
//!   ([`CallControl::apply_call_status`]), so a late callback afterwards changes nothing.
//!
//! A call whose end callbacks were all lost is therefore applied at most
//! `LIVE_BOUND_SECONDS + 60 s` after it ended, inside the two minutes an operator may be kept.
//!
//! [`CallControl::release_operator`] is the same check for one operator, asked by a supervisor
//! from the board: it never cuts a call Twilio says is live, and it leaves an audit record.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use futures::StreamExt as _;
use serde::Serialize;

use super::{CallControl, ControlError};
use crate::auth::Caller;
use crate::domain::audit::{AuditEntry, record as audit};
use crate::domain::calls::{CallRecord, call_key, field};
use crate::domain::callstate::CallStatusEvent;
use crate::domain::operators::Operator;
use crate::domain::routing::{QUEUE, QueueEntry};
use crate::error::DomainError;
use crate::ids::OperatorId;
use crate::store::{Cond, Query, Update, done_unless_failed};
use crate::twilio::CallSid;
use crate::twilio::telephony::TelephonyError;

/// How long the store may believe a call live before Twilio is asked about it.
pub const LIVE_BOUND_SECONDS: i64 = 45;

/// How many queued calls a run looks at (the oldest first).
pub const QUEUE_READ: u32 = 100;

/// How many calls are read from Twilio at once.
pub const CONCURRENT_READS: usize = 8;

/// The sequence number a status learnt from Twilio's REST API is applied with: above any
/// callback's `SequenceNumber`, so a callback arriving later does not overwrite it.
pub const RECONCILED_SEQUENCE: u64 = u32::MAX as u64;

/// What a reconciliation run found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reconciled {
    /// Operators read.
    pub operators: usize,
    /// Calls the store believed live (held by an operator or queued) that were looked at.
    pub calls: usize,
    /// Calls read from Twilio.
    pub asked: usize,
    /// Calls found ended (in the store or at Twilio) and applied as ended.
    pub ended: Vec<String>,
    /// Calls that could not be settled this run (Twilio or the store failed); tried next run.
    pub failed: usize,
}

/// What Twilio says of a call the store believes live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TwilioVerdict {
    /// The call is still up (queued, ringing or in progress).
    Live(String),
    /// The call ended: Twilio's final status, when, and its talk time. `known` is false when
    /// Twilio has no such call (404): it ended, but nobody can say how (a simulator restarted
    /// under the local runtime, a call of another account); its end reason is then
    /// [`UNKNOWN_END`], not Twilio's `failed` (which history shows as 接続失敗, a call that never
    /// connected).
    Ended {
        status: String,
        at: DateTime<Utc>,
        duration_seconds: Option<u64>,
        known: bool,
    },
}

/// The end reason of a call Twilio knows nothing of (history: 切断（理由不明）).
pub const UNKNOWN_END: &str = "unknown";

/// What a supervisor's release of an operator did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseOutcome {
    /// The operator held a call that had ended; they are let go (wrap-up).
    Released,
    /// The operator held no call any more (let go meanwhile).
    AlreadyFree,
}

/// The answer to a supervisor's release.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Release {
    pub outcome: ReleaseOutcome,
    /// The call the operator was held by, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// The operator as they are now.
    pub operator: Operator,
}

fn parse(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t).ok().map(|t| t.with_timezone(&Utc))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl CallControl {
    /// One reconciliation run as of `now` (see the module's documentation). Failures on single
    /// calls are logged and counted, never stop the run.
    pub async fn reconcile(&self, now: DateTime<Utc>) -> Result<Reconciled, ControlError> {
        self.reconcile_within(now, chrono::Duration::seconds(LIVE_BOUND_SECONDS))
            .await
    }

    /// [`reconcile`](Self::reconcile) asking Twilio about calls believed live for longer than
    /// `live_bound` instead of [`LIVE_BOUND_SECONDS`]: for a run whose time is compressed (a
    /// load test's day, where a call lasts seconds and the schedule's minute is shorter too).
    #[tracing::instrument(name = "control.reconcile", skip_all)]
    pub async fn reconcile_within(
        &self,
        now: DateTime<Utc>,
        live_bound: chrono::Duration,
    ) -> Result<Reconciled, ControlError> {
        let live_bound_ms = live_bound.num_milliseconds();
        let operators = self.services.operators.list().await?;
        let queue = self
            .services
            .store
            .query(Query::partition(QUEUE).limit(QUEUE_READ))
            .await?;
        let held: Vec<String> = operators.iter().filter_map(|o| o.current_call.clone()).collect();
        let requeued: Vec<String> = queue
            .items
            .iter()
            .filter_map(QueueEntry::from_item)
            .filter(|q| q.requeued_at.is_some())
            .map(|q| q.sid)
            .collect();
        let mut sids: Vec<String> = held.iter().chain(&requeued).cloned().collect();
        let mut seen = HashSet::new();
        sids.retain(|s| seen.insert(s.clone()));
        let mut report = Reconciled {
            operators: operators.len(),
            calls: sids.len(),
            ..Reconciled::default()
        };
        let keys: Vec<_> = sids.iter().map(|s| call_key(s)).collect();
        let records: HashMap<String, CallRecord> = if keys.is_empty() {
            HashMap::new()
        } else {
            self.services
                .store
                .get_many(&keys)
                .await?
                .iter()
                .filter_map(CallRecord::from_item)
                .map(|c| (c.summary.sid.clone(), c))
                .collect()
        };
        let mut to_ask = Vec::new();
        for sid in &sids {
            match records.get(sid) {
                // The operator list is an index, which may lag the operators' own items (on
                // DynamoDB a GSI is eventually consistent): an operator already let go can
                // still be listed on the call for a moment. Only an end someone still holds is
                // applied again (and counted).
                Some(call)
                    if call.summary.ended_at.is_some()
                        && !requeued.contains(sid)
                        && !self.still_held(sid, &operators).await => {}
                Some(call) if call.summary.ended_at.is_some() => match self.apply_recorded_end(sid, call).await {
                    Ok(()) => {
                        self.let_go_holders(sid, &operators, &mut report).await;
                        report.ended.push(sid.clone());
                    }
                    Err(e) => {
                        tracing::error!(call = %sid, error = %e, "could not apply an ended call");
                        report.failed += 1;
                    }
                },
                Some(call) => {
                    // A customer held with nobody heals on the hold music's fetches; should
                    // those stop (a fetch refused in an outage), the run checks on the call.
                    if call.orphaned()
                        && let Err(e) = self.checked_record(sid, call.clone()).await
                    {
                        tracing::error!(call = %sid, error = %e, "could not check on a customer held with nobody");
                        report.failed += 1;
                    }
                    if live_for_ms(call, now) >= live_bound_ms {
                        to_ask.push(sid.clone());
                    }
                }
                None if !requeued.contains(sid) && !self.still_held(sid, &operators).await => {}
                None => {
                    // No record: nothing can end it but letting its operators go.
                    self.let_go_holders(sid, &operators, &mut report).await;
                    report.ended.push(sid.clone());
                }
            }
        }
        report.asked = to_ask.len();
        let outcomes: Vec<(String, Result<bool, ControlError>)> = futures::stream::iter(to_ask)
            .map(|sid| async move {
                let outcome = self.settle_with_twilio(&sid, now).await;
                (sid, outcome)
            })
            .buffer_unordered(CONCURRENT_READS)
            .collect()
            .await;
        for (sid, outcome) in outcomes {
            match outcome {
                Ok(true) => {
                    self.let_go_holders(&sid, &operators, &mut report).await;
                    report.ended.push(sid);
                }
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(call = %sid, error = %e, "could not reconcile a call with Twilio");
                    report.failed += 1;
                }
            }
        }
        // Waiting callers whose end was lost leave the line, and freed operators are offered calls.
        self.route_waiting().await;
        if !report.ended.is_empty() {
            tracing::warn!(
                ended = report.ended.len(),
                "reconciliation applied ends whose callbacks were lost"
            );
        }
        Ok(report)
    }

    /// Whether an operator the list shows on call `sid` still holds it, read from their own
    /// item (strongly consistent). A failed read counts as held: the end is applied again,
    /// which is idempotent.
    async fn still_held(&self, sid: &str, operators: &[Operator]) -> bool {
        for op in operators.iter().filter(|o| o.current_call.as_deref() == Some(sid)) {
            let Ok(id) = OperatorId::parse(&op.id) else {
                continue;
            };
            match self.services.operators.get(&id).await {
                Ok(now) if now.current_call.as_deref() != Some(sid) => {}
                _ => return true,
            }
        }
        false
    }

    /// Lets go of every operator still holding the ended call `sid` after its end was applied
    /// (a transfer's target reserved for it, or a write lost to a race); conditional on the
    /// operator still holding it, so an operator already on their next call is left alone.
    async fn let_go_holders(&self, sid: &str, operators: &[Operator], report: &mut Reconciled) {
        for op in operators.iter().filter(|o| o.current_call.as_deref() == Some(sid)) {
            if let Err(e) = self.services.routing.wrap_up(&op.id, sid).await {
                tracing::error!(call = %sid, operator = %op.id, error = %e, "could not let go of an operator");
                report.failed += 1;
            }
        }
    }

    /// What Twilio says of call `sid` now. A call Twilio does not know ended when it was asked.
    pub async fn twilio_verdict(&self, sid: &str, now: DateTime<Utc>) -> Result<TwilioVerdict, ControlError> {
        let call_sid =
            CallSid::parse(sid).map_err(|_| DomainError::NotFound(format!("'{sid}' is not a Twilio call SID")))?;
        match self.telephony.fetch_call(&call_sid).await {
            Ok(call) => match call.status {
                Some(status) if status.is_terminal() => Ok(TwilioVerdict::Ended {
                    status: status.to_string(),
                    at: call.end_time.unwrap_or(now),
                    duration_seconds: call.duration.as_deref().and_then(|d| d.parse().ok()),
                    known: true,
                }),
                Some(status) => Ok(TwilioVerdict::Live(status.to_string())),
                // A state this version does not model: not known to be over.
                None => Ok(TwilioVerdict::Live("unknown".to_owned())),
            },
            Err(TelephonyError::NotFound { .. }) => Ok(TwilioVerdict::Ended {
                status: "failed".to_owned(),
                at: now,
                duration_seconds: None,
                known: false,
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Asks Twilio about a call and, when it has ended, applies its end. Returns whether it had.
    async fn settle_with_twilio(&self, sid: &str, now: DateTime<Utc>) -> Result<bool, ControlError> {
        match self.twilio_verdict(sid, now).await? {
            TwilioVerdict::Live(_) => Ok(false),
            TwilioVerdict::Ended {
                status,
                at,
                duration_seconds,
                known,
            } => {
                tracing::warn!(call = %sid, status = %status, known, "Twilio says the call ended; its end callbacks were lost");
                let ev = CallStatusEvent {
                    sequence: RECONCILED_SEQUENCE,
                    status,
                    at: rfc3339(at),
                    duration_seconds,
                };
                self.apply_call_status(sid, &ev).await?;
                if !known {
                    self.end_unknown(sid).await?;
                }
                Ok(true)
            }
        }
    }

    /// Records that nobody knows how call `sid` ended (Twilio has no such call): its end reason
    /// becomes [`UNKNOWN_END`] where the reconciliation's `failed` was recorded, never over an
    /// end a callback reported.
    async fn end_unknown(&self, sid: &str) -> Result<(), ControlError> {
        let cond = Cond::And(vec![
            Cond::eq(field::END_REASON, "failed"),
            Cond::eq(field::TWILIO_SEQ, RECONCILED_SEQUENCE),
        ]);
        let update = Update::default().set(field::END_REASON, UNKNOWN_END);
        done_unless_failed(self.services.store.update(&call_key(sid), update, Some(cond)).await)?;
        Ok(())
    }

    /// A call whose end the store already has, applied again through the callback's step (its
    /// operator is let go if that had not happened).
    async fn apply_recorded_end(&self, sid: &str, call: &CallRecord) -> Result<(), ControlError> {
        let ev = CallStatusEvent {
            sequence: RECONCILED_SEQUENCE,
            status: call
                .summary
                .end_reason
                .clone()
                .filter(|r| is_twilio_end(r))
                .unwrap_or_else(|| "completed".to_owned()),
            at: call.summary.ended_at.clone().unwrap_or_default(),
            duration_seconds: call.summary.duration_seconds,
        };
        self.apply_call_status(sid, &ev).await
    }

    /// A supervisor lets go of an operator stuck on a call: the call the operator holds is
    /// checked as the reconciliation checks it (the store, then Twilio) and, when it is over,
    /// its end is applied and the operator goes to wrap-up. A call Twilio says is live is never
    /// cut: the release is refused (409 `call_live`). Every release asked for is audited (who,
    /// whom, when, which call, what was found).
    #[tracing::instrument(name = "control.release_operator", skip_all, fields(operator = %operator))]
    pub async fn release_operator(&self, by: &Caller, operator: &OperatorId) -> Result<Release, ControlError> {
        if by.role < crate::auth::Role::Supervisor {
            return Err(DomainError::Forbidden("only supervisors and admins may release an operator".into()).into());
        }
        let now = Utc::now();
        let before = self.services.operators.get(operator).await?;
        let Some(sid) = before.current_call.clone() else {
            self.audit_release(by, operator, None, "already_free", None).await?;
            return Ok(Release {
                outcome: ReleaseOutcome::AlreadyFree,
                call: None,
                operator: before,
            });
        };
        let call = self.call(&sid).await?;
        let twilio_status = match &call {
            Some(c) if c.summary.ended_at.is_some() => {
                self.apply_recorded_end(&sid, c).await?;
                None
            }
            Some(_) => match self.twilio_verdict(&sid, now).await? {
                TwilioVerdict::Live(status) => {
                    self.audit_release(by, operator, Some(&sid), "refused_live", Some(&status))
                        .await?;
                    return Err(DomainError::conflict(
                        "call_live",
                        "この通話は Twilio 上でまだつながっています。お客様との通話を切らないよう、解放しませんでした。\
                         オペレータに切断してもらうか、通話が終わってからもう一度お試しください。",
                        serde_json::to_value(&before).ok(),
                    )
                    .into());
                }
                TwilioVerdict::Ended {
                    status,
                    at,
                    duration_seconds,
                    known,
                } => {
                    let ev = CallStatusEvent {
                        sequence: RECONCILED_SEQUENCE,
                        status: status.clone(),
                        at: rfc3339(at),
                        duration_seconds,
                    };
                    self.apply_call_status(&sid, &ev).await?;
                    if !known {
                        self.end_unknown(&sid).await?;
                        Some("not_found".to_owned())
                    } else {
                        Some(status)
                    }
                }
            },
            None => None,
        };
        // The end was applied; an operator still held (reserved for the ended call by a
        // transfer, or a write lost to a race) is let go directly, only while they hold it.
        self.services.routing.wrap_up(operator.as_str(), &sid).await?;
        self.audit_release(by, operator, Some(&sid), "released", twilio_status.as_deref())
            .await?;
        Ok(Release {
            outcome: ReleaseOutcome::Released,
            call: Some(sid),
            operator: self.services.operators.get(operator).await?,
        })
    }

    async fn audit_release(
        &self,
        by: &Caller,
        operator: &OperatorId,
        call: Option<&str>,
        outcome: &str,
        twilio_status: Option<&str>,
    ) -> Result<(), ControlError> {
        let entry = AuditEntry {
            action: "release_operator".to_owned(),
            by: by.id.to_string(),
            by_name: by.name.clone(),
            subject: operator.to_string(),
            call: call.map(str::to_owned),
            outcome: outcome.to_owned(),
            detail: twilio_status.map(|s| format!("twilio_status={s}")),
            at: rfc3339(Utc::now()),
        };
        audit(self.services.store.as_ref(), &entry).await?;
        Ok(())
    }
}

/// Whether `status` is one of Twilio's ends of a call (the end reasons the status callback
/// records), rather than one of ours (`caller_gone`).
fn is_twilio_end(status: &str) -> bool {
    matches!(status, "completed" | "busy" | "no-answer" | "failed" | "canceled")
}

/// How long (ms), at `now`, the store has believed the call live: since it was put back in
/// line, answered, or started, whichever is latest.
fn live_for_ms(call: &CallRecord, now: DateTime<Utc>) -> i64 {
    let since = [
        call.requeued_at.as_deref(),
        call.summary.answered_at.as_deref(),
        Some(call.summary.started_at.as_str()),
    ]
    .into_iter()
    .flatten()
    .filter_map(parse)
    .max();
    since.map(|t| (now - t).num_milliseconds()).unwrap_or(i64::MAX)
}
