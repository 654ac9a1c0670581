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
//!   or put back in line) is asked of Twilio, [`CONCURRENT_READS`] at a time, one request per
//!   such call and run:
//!   - when the store has the customer in the call's conference, its participants are listed
//!     (`GET /Conferences/{CF}/Participants.json`). With the customer connected there the call
//!     is live, and the room is compared with the participants the store believes in: one the
//!     store has joined who is no longer there (the operator's leg dropped while their 切断 was
//!     refused, with every callback about it lost) left, and the customer's hold is as Twilio
//!     says. Each difference is applied as the conference callback would have applied it
//!     ([`CallControl::conference_event`]'s own steps, with the sequence number just above the
//!     one recorded, so a real callback arriving later is newer or the same): the customer left
//!     alone is held and heals (see [`super::heal`]: their operator rung back once, then the
//!     call back in line and the operator let go), exactly as after a leave that was reported;
//!   - otherwise (no conference yet, the customer not in it, or the list refused) the call is
//!     read (`GET /Calls/{CA}.json`); if Twilio says it has ended (or knows no such call) the
//!     end is applied exactly as the status callback applies it
//!     ([`CallControl::apply_call_status`]), so a late callback afterwards changes nothing.
//!
//! Twilio is asked first, then the ends found are applied ([`CONCURRENT_APPLIES`] at a time,
//! before the rooms: an operator kept by a lost end waits on them, and after a store outage there
//! may be a hundred), and routing runs once after them rather than once an end.
//!
//! A call whose end callbacks were all lost is therefore applied at most
//! `LIVE_BOUND_SECONDS + 60 s` after it ended, inside the two minutes an operator may be kept;
//! an operator whose leg left unheard is found within a minute, then let go as the heal lets go
//! of one who does not answer its ring-back.
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
use crate::domain::calls::{CallRecord, ParticipantLabel, ParticipantState, call_key, field};
use crate::domain::callstate::{CallStatusEvent, ParticipantEvent};
use crate::domain::operators::Operator;
use crate::domain::routing::{QUEUE, QueueEntry};
use crate::error::DomainError;
use crate::ids::OperatorId;
use crate::store::{Cond, Query, Update, done_unless_failed};
use crate::twilio::rest::{Participant, ParticipantStatus};
use crate::twilio::telephony::TelephonyError;
use crate::twilio::{CallSid, ConferenceSid};

/// How long the store may believe a call live before Twilio is asked about it.
pub const LIVE_BOUND_SECONDS: i64 = 45;

/// How many queued calls a run looks at (the oldest first).
pub const QUEUE_READ: u32 = 100;

/// How many calls are read from Twilio at once.
pub const CONCURRENT_READS: usize = 16;

/// How many calls' ends (or rooms) are applied to the store at once.
pub const CONCURRENT_APPLIES: usize = 8;

/// How long past its ring time a ring-back Twilio no longer rings is taken as unanswered (its
/// callback is then taken as lost).
pub const RING_BACK_GRACE_SECONDS: i64 = 5;

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
    /// Live calls whose conference Twilio showed otherwise than the store (a participant gone
    /// whose leave was lost, the customer's hold): what Twilio showed was applied.
    #[serde(default)]
    pub corrected: Vec<String>,
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
        // What each call needs, from the run's reads: its end applied again (ended in the store
        // and still held), a check on a customer held with nobody, Twilio asked, or its
        // operators let go (no record). The operator list is an index, which may lag the
        // operators' own items (on DynamoDB a GSI is eventually consistent): an operator already
        // let go can still be listed on the call for a moment, so an end or a missing record is
        // acted on only when someone still holds the call (their own item, read strongly).
        let (mut recorded_ends, mut no_record, mut orphans, mut to_ask) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for sid in &sids {
            match records.get(sid) {
                Some(call) if call.summary.ended_at.is_some() => recorded_ends.push(sid.clone()),
                Some(call) => {
                    // A customer held with nobody heals on the hold music's fetches; should
                    // those stop (a fetch refused in an outage), the run checks on the call.
                    if call.orphaned() {
                        orphans.push(sid.clone());
                    }
                    if live_for_ms(call, now) >= live_bound_ms {
                        to_ask.push(sid.clone());
                    }
                }
                None => no_record.push(sid.clone()),
            }
        }
        let (records, operators_ref, requeued) = (&records, &operators, &requeued);
        let held = |sids: Vec<String>| {
            futures::stream::iter(sids)
                .map(|sid| async move {
                    let held = requeued.contains(&sid) || self.still_held(&sid, operators_ref).await;
                    held.then_some(sid)
                })
                .buffer_unordered(CONCURRENT_APPLIES)
                .filter_map(|sid| async move { sid })
                .collect::<Vec<String>>()
        };
        let recorded_ends = held(recorded_ends).await;
        let no_record = held(no_record).await;
        // Ends first: an operator kept by a lost end waits on them.
        let applied: Vec<(String, Result<(), ControlError>)> = futures::stream::iter(recorded_ends)
            .map(|sid| async move {
                let outcome = match records.get(&sid) {
                    Some(call) => self.apply_recorded_end(&sid, call).await,
                    None => Ok(()),
                };
                (sid, outcome)
            })
            .buffer_unordered(CONCURRENT_APPLIES)
            .collect()
            .await;
        let mut ended = Vec::new();
        for (sid, outcome) in applied {
            match outcome {
                Ok(()) => ended.push(sid),
                Err(e) => {
                    tracing::error!(call = %sid, error = %e, "could not apply an ended call");
                    report.failed += 1;
                }
            }
        }
        // No record: nothing can end it but letting its operators go.
        ended.extend(no_record);
        report.asked = to_ask.len();
        let asked: Vec<(String, Result<Asked, ControlError>)> = futures::stream::iter(to_ask)
            .map(|sid| async move {
                let outcome = match records.get(&sid) {
                    Some(call) => self.ask_twilio(&sid, call, now).await,
                    None => Ok(Asked::Live),
                };
                (sid, outcome)
            })
            .buffer_unordered(CONCURRENT_READS)
            .collect()
            .await;
        let (mut over, mut rooms) = (Vec::new(), Vec::new());
        for (sid, outcome) in asked {
            match outcome {
                Ok(Asked::Live) => {}
                Ok(Asked::Ended(ev, known)) => over.push((sid, ev, known)),
                Ok(Asked::Room(room)) => rooms.push((sid, room)),
                Err(e) => {
                    tracing::error!(call = %sid, error = %e, "could not ask Twilio about a call");
                    report.failed += 1;
                }
            }
        }
        let applied: Vec<(String, Result<(), ControlError>)> = futures::stream::iter(over)
            .map(|(sid, ev, known)| async move {
                tracing::warn!(call = %sid, status = %ev.status, known, "Twilio says the call ended; its end callbacks were lost");
                let outcome = self.apply_twilio_end(&sid, &ev, known).await;
                (sid, outcome)
            })
            .buffer_unordered(CONCURRENT_APPLIES)
            .collect()
            .await;
        for (sid, outcome) in applied {
            match outcome {
                Ok(()) => ended.push(sid),
                Err(e) => {
                    tracing::error!(call = %sid, error = %e, "could not apply the end Twilio reported");
                    report.failed += 1;
                }
            }
        }
        for sid in ended {
            self.let_go_holders(&sid, &operators, &mut report).await;
            report.ended.push(sid);
        }
        // Then the rooms that differ from the store, and the customers held with nobody.
        let fixed: Vec<(String, Result<bool, ControlError>)> = futures::stream::iter(rooms)
            .map(|(sid, room)| async move {
                let outcome = match records.get(&sid) {
                    Some(call) => self.apply_room(&sid, call, &room).await,
                    None => Ok(false),
                };
                (sid, outcome)
            })
            .buffer_unordered(CONCURRENT_APPLIES)
            .collect()
            .await;
        for (sid, outcome) in fixed {
            match outcome {
                Ok(true) => report.corrected.push(sid),
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(call = %sid, error = %e, "could not apply what Twilio's conference shows");
                    report.failed += 1;
                }
            }
        }
        let checked: Vec<(String, Result<(), ControlError>)> = futures::stream::iter(orphans)
            .filter(|sid| futures::future::ready(!report.ended.contains(sid) && !report.corrected.contains(sid)))
            .map(|sid| async move {
                let outcome = match records.get(&sid) {
                    Some(call) => self.checked_record(&sid, call.clone()).await.map(drop),
                    None => Ok(()),
                };
                (sid, outcome)
            })
            .buffer_unordered(CONCURRENT_APPLIES)
            .collect()
            .await;
        for (sid, outcome) in checked {
            if let Err(e) = outcome {
                tracing::error!(call = %sid, error = %e, "could not check on a customer held with nobody");
                report.failed += 1;
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
        if !report.corrected.is_empty() {
            tracing::warn!(
                corrected = report.corrected.len(),
                "reconciliation applied conference participants' events that were lost"
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

    /// Asks Twilio about a call the store believes live (`call`, as the run read it): its
    /// conference's participants when the store has the customer in it, else the call itself
    /// (see the module's documentation). Nothing is written.
    async fn ask_twilio(&self, sid: &str, call: &CallRecord, now: DateTime<Utc>) -> Result<Asked, ControlError> {
        if let Some(room) = self.room_with_customer(call).await {
            return Ok(Asked::Room(room));
        }
        Ok(match self.twilio_verdict(sid, now).await? {
            TwilioVerdict::Live(_) => Asked::Live,
            TwilioVerdict::Ended {
                status,
                at,
                duration_seconds,
                known,
            } => Asked::Ended(
                CallStatusEvent {
                    sequence: RECONCILED_SEQUENCE,
                    status,
                    at: rfc3339(at),
                    duration_seconds,
                },
                known,
            ),
        })
    }

    /// Applies the end Twilio reported of a call whose end callbacks were lost, as the status
    /// callback applies it (without its routing round: the run routes once after its ends).
    async fn apply_twilio_end(&self, sid: &str, ev: &CallStatusEvent, known: bool) -> Result<(), ControlError> {
        self.apply_call_end(sid, ev).await?;
        if !known {
            self.end_unknown(sid).await?;
        }
        Ok(())
    }

    /// Who is in the call's conference at Twilio, when the store has the customer in it and
    /// Twilio does too (the call is then live). `None` sends the run to the call itself: no
    /// conference recorded, the customer not (or no longer) in it, or the list refused.
    async fn room_with_customer(&self, call: &CallRecord) -> Option<Vec<Participant>> {
        call.joined(ParticipantLabel::Customer)?;
        let conference = call
            .conference_sid
            .as_deref()
            .and_then(|c| ConferenceSid::parse(c).ok())?;
        match self.telephony.list_participants(&conference).await {
            Ok(room) => room
                .iter()
                .any(|p| connected_as(p, ParticipantLabel::Customer))
                .then_some(room),
            Err(TelephonyError::NotFound { .. }) => None,
            Err(e) => {
                tracing::warn!(error = %e, "could not list the conference's participants; reading the call instead");
                None
            }
        }
    }

    /// Applies what Twilio's room shows and the store does not (see [`room_events`]), each
    /// difference through the conference callback's own steps. Only when the run's read differs
    /// from the room: the call is then read again (strongly: the run's read may be a while old)
    /// and the room listed again, so both are compared as they are now; after applying, once
    /// more (the customer a leave left alone is held by then, and its callback may be lost as
    /// well). A ring-back Twilio no longer rings is then taken as unanswered
    /// ([`CallControl::ring_back_unanswered`]). Returns whether anything was applied: at most
    /// three lists of the room for a call that needed it, one for any other.
    async fn apply_room(&self, sid: &str, read: &CallRecord, room: &[Participant]) -> Result<bool, ControlError> {
        if room_events(read, room, "").is_empty() && !self.ring_back_overdue(read, room).await {
            return Ok(false);
        }
        let mut applied = false;
        for _ in 0..2 {
            let Some(call) = self.call(sid).await? else {
                return Ok(applied);
            };
            let Some(room) = self.room_with_customer(&call).await else {
                return Ok(applied);
            };
            let events = room_events(&call, &room, &super::now());
            if events.is_empty() {
                if self.ring_back_overdue(&call, &room).await {
                    applied |= self.ring_back_unanswered(sid, &call).await?;
                }
                return Ok(applied);
            }
            for ev in events {
                let Some(written) = self.services.call_state.apply_participant_item(sid, &ev).await? else {
                    // A newer event was recorded meanwhile: it knows better.
                    continue;
                };
                tracing::warn!(
                    call = %sid,
                    participant = ev.label.as_str(),
                    state = ?ev.state,
                    hold = ev.hold,
                    "Twilio's conference differs from the store: its participant's event was lost; applied"
                );
                self.after_participant_event_on(sid, &ev, Some(written)).await?;
                applied = true;
            }
        }
        Ok(applied)
    }

    /// Whether the operator of a customer held with nobody was rung back (see [`super::heal`])
    /// longer ago than their softphone rings, and Twilio has no leg of theirs in the room, ringing
    /// or connected: the ring-back went unanswered and its callback was lost.
    async fn ring_back_overdue(&self, call: &CallRecord, room: &[Participant]) -> bool {
        let rung_at = match (&call.reconnecting_at, call.heal_count) {
            (Some(at), Some(1..)) if call.orphaned() && call.summary.operator_id.is_some() => at,
            _ => return false,
        };
        let label = call.operator_label().as_str();
        if room.iter().any(|p| p.label.as_deref() == Some(label)) {
            return false;
        }
        let Some(rung_at) = parse(rung_at) else {
            return false;
        };
        let rings = match self.ring_seconds().await {
            Ok(s) => i64::from(s),
            Err(_) => return false,
        };
        Utc::now() - rung_at > chrono::Duration::seconds(rings + RING_BACK_GRACE_SECONDS)
    }

    /// The ring-back of `call`'s operator went unanswered: applied as its callback would have
    /// applied it ([`CallControl::ring_back_progress`], no-answer), so the call goes back in
    /// line and the operator is let go. Returns whether that happened.
    async fn ring_back_unanswered(&self, sid: &str, call: &CallRecord) -> Result<bool, ControlError> {
        let Some(operator) = call.summary.operator_id.as_deref() else {
            return Ok(false);
        };
        tracing::warn!(call = %sid, operator = %operator, "the operator's ring-back is no longer ringing and nobody said so: back in line");
        self.ring_back_progress(
            sid,
            operator,
            super::heal::RingBack::Reconnect,
            crate::twilio::webhook::CallStatus::NoAnswer,
        )
        .await?;
        Ok(self.call(sid).await?.is_none_or(|c| !c.is_operated_by(operator)))
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
        self.apply_call_end(sid, &ev).await.map(drop)
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

/// What Twilio says of a call the store believes live.
#[derive(Debug, Clone)]
enum Asked {
    /// Live; its conference was not listed (or it has none).
    Live,
    /// Live: the customer is in the conference, with these participants.
    Room(Vec<Participant>),
    /// Over: its end as the status callback would have brought it, and whether Twilio knew
    /// the call.
    Ended(CallStatusEvent, bool),
}

/// Whether `p` is connected to the conference under `label`.
fn connected_as(p: &Participant, label: ParticipantLabel) -> bool {
    p.label.as_deref() == Some(label.as_str()) && p.status == Some(ParticipantStatus::Connected)
}

/// The participant events that bring `call`'s record in line with `room` (Twilio's conference
/// now), dated `at`: the customer's hold or mute as Twilio has it, then a leave for each
/// participant the record has joined whom the room does not have connected, and a join of the
/// call's operator when the room has them connected and the record not. Each carries the
/// sequence number just above the one recorded for its participant, so it is applied unless a
/// newer event was, and a real callback arriving later (numbered above the state it left) still
/// wins. Other participants the record does not have joined are left to their callbacks.
fn room_events(call: &CallRecord, room: &[Participant], at: &str) -> Vec<ParticipantEvent> {
    let mut events = Vec::new();
    let event = |p: &crate::domain::calls::Participant, state, hold, muted, leg: &str| ParticipantEvent {
        sequence: p.sequence + 1,
        label: p.label,
        call_sid: leg.to_owned(),
        state,
        hold,
        muted,
        at: at.to_owned(),
    };
    if let Some(customer) = call.joined(ParticipantLabel::Customer)
        && let Some(seen) = room.iter().find(|p| connected_as(p, ParticipantLabel::Customer))
    {
        let (hold, muted) = (seen.hold.unwrap_or(false), seen.muted.unwrap_or(false));
        if (hold, muted) != (customer.hold, customer.muted) {
            events.push(event(
                customer,
                ParticipantState::Joined,
                hold,
                muted,
                seen.call_sid.as_str(),
            ));
        }
    }
    for p in call.participants.iter().filter(|p| p.is_joined()) {
        if !room.iter().any(|seen| connected_as(seen, p.label)) {
            events.push(event(p, ParticipantState::Left, false, false, &p.call_sid));
        }
    }
    // The call's operator back in the room (再接続 or a ring-back answered) unheard.
    let label = call.operator_label();
    if call.summary.operator_id.is_some()
        && call.joined(label).is_none()
        && let Some(seen) = room.iter().find(|p| connected_as(p, label))
    {
        let before = call
            .participant(label)
            .cloned()
            .unwrap_or(crate::domain::calls::Participant {
                label,
                call_sid: String::new(),
                state: ParticipantState::Left,
                hold: false,
                muted: false,
                at: String::new(),
                sequence: 0,
            });
        let (hold, muted) = (seen.hold.unwrap_or(false), seen.muted.unwrap_or(false));
        events.push(event(
            &before,
            ParticipantState::Joined,
            hold,
            muted,
            seen.call_sid.as_str(),
        ));
    }
    events
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::calls::{CallSummary, Direction};
    use crate::twilio::AccountSid;

    const CONFERENCE: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const CUSTOMER: &str = "CA11111111111111111111111111111111";
    const OPERATOR: &str = "CA22222222222222222222222222222222";

    /// A call Sato talks on, as the store has it: customer (sequence 4) and operator (2) joined.
    fn talking(customer_held: bool) -> CallRecord {
        let mut item = CallSummary::new(
            CUSTOMER,
            Direction::Inbound,
            None,
            None,
            "in_progress",
            "2026-11-23T10:00:00.000Z".into(),
            None,
        )
        .to_item();
        for (key, value) in [
            ("operator_id", json!("op-sato")),
            ("conference_sid", json!(CONFERENCE)),
            (
                "p_operator",
                json!({"label": "operator", "call_sid": OPERATOR, "state": "joined", "hold": false, "muted": false, "at": "t1"}),
            ),
            ("pseq_operator", json!(2)),
            (
                "p_customer",
                json!({"label": "customer", "call_sid": CUSTOMER, "state": "joined", "hold": customer_held, "muted": false, "at": "t2"}),
            ),
            ("pseq_customer", json!(4)),
        ] {
            item.insert(key.into(), value);
        }
        CallRecord::from_item(&item).expect("a call record")
    }

    /// Twilio's participant `label` on leg `call`, in `status`, on hold or not.
    fn seen(label: &str, call: &str, status: ParticipantStatus, hold: bool) -> Participant {
        serde_json::from_value(json!({
            "account_sid": AccountSid::parse(&format!("AC{}", "0".repeat(32))).unwrap(),
            "call_sid": call,
            "conference_sid": CONFERENCE,
            "label": label,
            "status": status,
            "hold": hold,
            "muted": false,
        }))
        .expect("a participant")
    }

    #[test]
    fn an_operator_missing_from_the_room_is_a_leave_numbered_just_above_the_recorded_one() {
        // Given Sato's leg joined in the store and the room at Twilio holding only the customer,
        let call = talking(false);
        let room = [seen("customer", CUSTOMER, ParticipantStatus::Connected, false)];

        // when the record is compared with the room,
        let events = room_events(&call, &room, "2026-11-23T10:05:00.000Z");

        // then her leg left, as its lost callback would have said.
        assert_eq!(
            events,
            [ParticipantEvent {
                sequence: 3,
                label: ParticipantLabel::Operator,
                call_sid: OPERATOR.into(),
                state: ParticipantState::Left,
                hold: false,
                muted: false,
                at: "2026-11-23T10:05:00.000Z".into(),
            }]
        );
    }

    #[test]
    fn a_leg_that_only_rings_under_the_operators_label_is_not_the_operator_in_the_room() {
        let call = talking(false);
        let room = [
            seen("customer", CUSTOMER, ParticipantStatus::Connected, false),
            seen(
                "operator",
                "CA33333333333333333333333333333333",
                ParticipantStatus::Ringing,
                false,
            ),
        ];
        let events = room_events(&call, &room, "t");
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(
            (events[0].label, events[0].state, events[0].call_sid.as_str()),
            (ParticipantLabel::Operator, ParticipantState::Left, OPERATOR)
        );
    }

    #[test]
    fn a_customer_held_at_twilio_is_held_in_the_store_before_any_leave() {
        // Given the customer put on hold and then the operator's leg gone, both callbacks lost,
        let call = talking(false);
        let room = [seen("customer", CUSTOMER, ParticipantStatus::Connected, true)];

        let events = room_events(&call, &room, "t");

        // then the hold comes first, as it happened first, then the leave.
        let shown: Vec<_> = events.iter().map(|e| (e.label, e.state, e.hold, e.sequence)).collect();
        assert_eq!(
            shown,
            [
                (ParticipantLabel::Customer, ParticipantState::Joined, true, 5),
                (ParticipantLabel::Operator, ParticipantState::Left, false, 3),
            ]
        );
    }

    #[test]
    fn an_operator_back_in_the_room_unheard_joins_on_their_new_leg() {
        // Given Sato's leg left (recorded) and her ring-back answered, its join callback lost,
        let mut call = talking(true);
        call.participants
            .iter_mut()
            .filter(|p| p.label == ParticipantLabel::Operator)
            .for_each(|p| p.state = ParticipantState::Left);
        let back = "CA44444444444444444444444444444444";
        let room = [
            seen("customer", CUSTOMER, ParticipantStatus::Connected, true),
            seen("operator", back, ParticipantStatus::Connected, false),
        ];

        let events = room_events(&call, &room, "t");

        // then she joined on the leg Twilio has, and the customer's hold is left to her page.
        let shown: Vec<_> = events
            .iter()
            .map(|e| (e.label, e.state, e.call_sid.as_str(), e.sequence))
            .collect();
        assert_eq!(shown, [(ParticipantLabel::Operator, ParticipantState::Joined, back, 3)]);
    }

    #[test]
    fn a_room_as_the_store_has_it_needs_nothing() {
        let call = talking(true);
        let room = [
            seen("operator", OPERATOR, ParticipantStatus::Connected, false),
            seen("customer", CUSTOMER, ParticipantStatus::Connected, true),
        ];
        assert_eq!(room_events(&call, &room, "t"), []);
    }
}
