//! Supervisor monitoring: the live board (every operator, their call and the memo as it is
//! typed, each queue's waiting count and longest wait, the callers in line) and today's figures.
//!
//! The board costs the operator list (one query per 1,000 operators), the queue (one query of
//! the first 100 in line, every queue together: each queue's figures count those, and the
//! first 30 are listed), one batch read per 100 keys of the live calls, their memos and the
//! listed queued calls, and the day's counters (one read); the queues' names come from the
//! cached settings: 14 requests with 500 operators on calls, growing by
//! one batch read per 50 operators on calls. Batches are read by the store in chunks of
//! DynamoDB's 100 keys, never refused for their size. The counters are kept as
//! calls end, never counted at read time (there is no scan): each ended call is added exactly
//! once, in one transaction that also marks the call as counted, so a retried status callback
//! cannot count it twice.
//! A day's figures (Japan time) are one item, `STATS#<yyyy-mm-dd>` (see [`crate::store::table`]).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Timelike, Utc};
use serde::Serialize;
use serde_json::Value;

use super::calls::{CallRecord, ExternalHandover, ParticipantLabel, call_key, memo_key};
use super::memos::Memo;
use super::operators::{Operator, Operators};
use super::reports;
use super::routing::{QUEUE, QueueEntry, queue_index_pk};
use super::settings::SettingsService;
use crate::error::DomainError;
use crate::store::table::MEMO_SK;
use crate::store::{Cond, Item, Key, Query, Store, TxOp, Update};

/// Japan Standard Time: the call centre's day.
fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

pub use crate::store::table::day_key;

/// The operator's live call as the board shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BoardCall {
    pub sid: String,
    pub direction: String,
    /// Our line (the number called, or the caller ID used): the board reads the recent
    /// transcript of a call whose line transcribes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_display: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// When the operator and customer were connected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<String>,
    pub customer_held: bool,
    /// A transfer or consultation going on (`transfer`, `consult`), if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<String>,
    /// Whether a supervisor is on the call, and how (`listen`, `whisper`, `barge`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitor: Option<String>,
    /// The supervisor on the call, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitor_by: Option<String>,
    /// The memo as the operator is typing it.
    pub memo: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memo_updated_at: Option<String>,
    /// The memo's version (0 before its first save): the page keeps a newer pushed memo over an
    /// older read of the board.
    pub memo_version: u64,
}

/// One operator on the board.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoardOperator {
    #[serde(flatten)]
    pub operator: Operator,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<BoardCall>,
    /// In 後処理 after handing their call to an outside number (外部転送): to whom.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalHandover>,
}

/// A call waiting for an operator.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Waiting {
    pub sid: String,
    pub since: String,
    /// The queue (id) the caller waits in.
    pub queue: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_display: Option<String>,
}

/// A day's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DayFigures {
    /// The day (Japan time).
    pub day: String,
    pub inbound: u64,
    pub outbound: u64,
    /// Calls an operator talked on (either way).
    pub answered: u64,
    /// Incoming calls whose caller hung up before an operator answered.
    pub abandoned: u64,
    /// Average talk time of answered calls, seconds.
    pub average_handle_seconds: u64,
    /// Average wait of answered incoming calls, seconds.
    pub average_wait_seconds: u64,
    /// Per hour (0–23, Japan time): incoming calls, those answered, those abandoned — for the chart.
    pub hours: Vec<HourFigures>,
}

/// An hour's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HourFigures {
    pub hour: u32,
    pub inbound: u64,
    pub answered: u64,
    pub abandoned: u64,
}

/// One queue (窓口) on the board.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QueueFigures {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Callers waiting in it: exact up to 1,000 a queue (a queue with more shows 1,000).
    pub waiting: u64,
    /// How long its longest-waiting caller has waited, seconds (0 when nobody waits).
    pub longest_wait_seconds: u64,
}

/// How many callers in line the board reads, every queue together; when more wait, each queue
/// is counted on its own index, up to [`QUEUE_COUNTED`] callers a queue.
const QUEUE_READ: u32 = 100;
/// How many callers of one queue the board counts at most: one index query of small entries
/// (well under DynamoDB's 1 MB page), at most [`MAX_QUEUES`](super::settings::queues::MAX_QUEUES)
/// of them when more than [`QUEUE_READ`] callers wait.
const QUEUE_COUNTED: u32 = 1000;

impl QueueFigures {
    /// Counts a caller waiting in the queue, and how long they have waited.
    fn add(&mut self, q: &QueueEntry, now: DateTime<Utc>) {
        self.waiting += 1;
        let waited = parse(&q.enqueued_at).map_or(0, |t| (now - t).num_seconds().max(0) as u64);
        self.longest_wait_seconds = self.longest_wait_seconds.max(waited);
    }
}
/// How many of them it lists, oldest first.
const QUEUE_LISTED: usize = 30;

/// The supervisor's board.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub operators: Vec<BoardOperator>,
    /// Each queue of the settings, in their order: callers waiting and the longest wait.
    pub queues: Vec<QueueFigures>,
    /// The first 30 callers in line, every queue together, oldest first.
    pub queue: Vec<Waiting>,
    /// How long the longest-waiting caller has waited, seconds.
    pub longest_wait_seconds: u64,
    pub today: DayFigures,
    /// When the board was read.
    pub at: String,
}

use crate::store::str_attr as s;

fn n(item: &Item, name: &str) -> u64 {
    item.get(name).and_then(Value::as_u64).unwrap_or(0)
}

fn parse(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t).ok().map(|t| t.with_timezone(&Utc))
}

/// Reads the board and keeps the day's figures.
pub struct Monitor {
    store: Arc<dyn Store>,
    operators: Arc<Operators>,
    settings: Arc<SettingsService>,
}

impl Monitor {
    pub fn new(store: Arc<dyn Store>, operators: Arc<Operators>, settings: Arc<SettingsService>) -> Self {
        Self {
            store,
            operators,
            settings,
        }
    }

    /// Counts the callers waiting in one queue on its index (GSI1 `QUEUE#<queue>`), oldest
    /// first, in one query of at most [`QUEUE_COUNTED`] entries: exact up to that many. A call
    /// queued before there were queues is on no queue's index and is not counted here.
    async fn count_queue(&self, figures: &mut QueueFigures, now: DateTime<Utc>) -> Result<(), DomainError> {
        let page = self
            .store
            .query(
                Query::partition(queue_index_pk(&figures.id))
                    .on(crate::store::Index::Gsi1)
                    .limit(QUEUE_COUNTED)
                    .eventually_consistent(),
            )
            .await?;
        for q in page
            .items
            .iter()
            .filter_map(QueueEntry::from_item)
            .filter(|q| q.waits(now))
        {
            figures.add(&q, now);
        }
        Ok(())
    }

    /// The board as of now. Its reads of the queue, the calls, their memos and the day's
    /// figures are eventually consistent (half the read units): the board only shows them and is
    /// read again at its next refresh or pushed message, so a write of the last second missing
    /// from one answer is harmless.
    pub async fn board(&self, now: DateTime<Utc>) -> Result<Board, DomainError> {
        let operators = self.operators.list().await?;
        let settings = self.settings.get().await?;
        let waiting = self
            .store
            .query(Query::partition(QUEUE).limit(QUEUE_READ).eventually_consistent())
            .await?;
        let queued: Vec<QueueEntry> = waiting
            .items
            .iter()
            .filter_map(QueueEntry::from_item)
            .filter(|q| q.waits(now))
            .collect();
        let mut keys = Vec::new();
        for sid in operators.iter().filter_map(|o| o.current_call.as_ref()) {
            keys.push(call_key(sid));
            keys.push(memo_key(sid));
        }
        // The call an operator's 後処理 follows says whether they handed it to an outside number.
        let wrapping: Vec<&String> = operators
            .iter()
            .filter(|o| o.current_call.is_none())
            .filter_map(|o| o.wrap_up_call.as_ref())
            .collect();
        keys.extend(wrapping.into_iter().map(|sid| call_key(sid)));
        let mut queues: Vec<QueueFigures> = settings
            .queues
            .iter()
            .map(|q| QueueFigures {
                id: q.id.to_string(),
                name: q.name.clone(),
                name_en: q.name_en.clone(),
                waiting: 0,
                longest_wait_seconds: 0,
            })
            .collect();
        if waiting.cursor.is_none() {
            // Everyone in line was read: each queue's figures are those of its callers here.
            for q in &queued {
                let id = settings.queue_of_entry(q.queue.as_deref());
                if let Some(figures) = queues.iter_mut().find(|f| f.id == id) {
                    figures.add(q, now);
                }
            }
        } else {
            // More wait than one read holds: each queue is counted on its own index.
            for figures in &mut queues {
                self.count_queue(figures, now).await?;
            }
        }
        let queued: Vec<QueueEntry> = queued.into_iter().take(QUEUE_LISTED).collect();
        keys.extend(queued.iter().map(|q| call_key(&q.sid)));
        let items = if keys.is_empty() {
            Vec::new()
        } else {
            self.store.get_many_eventually(&keys).await?
        };
        let mut calls: HashMap<String, CallRecord> = HashMap::new();
        let mut memos: HashMap<String, Memo> = HashMap::new();
        for item in items {
            if Key::of(&item).is_some_and(|k| k.sk == MEMO_SK) {
                if let Some(memo) = Memo::from_stored(&item) {
                    memos.insert(memo.call_sid.clone(), memo);
                }
            } else if let Some(call) = CallRecord::from_item(&item) {
                calls.insert(call.summary.sid.clone(), call);
            }
        }
        let mut board_ops: Vec<BoardOperator> = operators
            .into_iter()
            .map(|op| {
                let call = op
                    .current_call
                    .as_ref()
                    .and_then(|sid| calls.get(sid).map(|c| board_call(sid, c, memos.get(sid))));
                let external = op
                    .wrap_up_call
                    .as_ref()
                    .and_then(|sid| calls.get(sid))
                    .and_then(|c| c.summary.external.clone())
                    .filter(|e| e.by == op.id);
                BoardOperator {
                    operator: op,
                    call,
                    external,
                }
            })
            .collect();
        board_ops.sort_by(|a, b| a.operator.id.cmp(&b.operator.id));
        let queue: Vec<Waiting> = queued
            .into_iter()
            .map(|q| {
                let call = calls.get(&q.sid);
                Waiting {
                    customer: call.and_then(|c| c.summary.customer.clone()),
                    customer_display: call.and_then(|c| c.summary.customer_display.clone()),
                    queue: settings.queue_of_entry(q.queue.as_deref()).to_owned(),
                    sid: q.sid,
                    since: q.enqueued_at,
                }
            })
            .collect();
        let longest_wait_seconds = queue
            .first()
            .and_then(|w| parse(&w.since))
            .map(|t| (now - t).num_seconds().max(0) as u64)
            .unwrap_or(0);
        let today = self
            .day(&now.with_timezone(&jst()).format("%Y-%m-%d").to_string())
            .await?;
        Ok(Board {
            operators: board_ops,
            queues,
            queue,
            longest_wait_seconds,
            today,
            at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        })
    }

    /// A day's figures (zeros for a day with no calls), read eventually consistent: they are
    /// shown, never written from.
    pub async fn day(&self, day: &str) -> Result<DayFigures, DomainError> {
        let item = self.store.get_eventually(&day_key(day)).await?.unwrap_or_default();
        let answered = n(&item, "answered");
        let waited = n(&item, "waited");
        Ok(DayFigures {
            day: day.to_owned(),
            inbound: n(&item, "inbound"),
            outbound: n(&item, "outbound"),
            answered,
            abandoned: n(&item, "abandoned"),
            average_handle_seconds: n(&item, "handle_s").checked_div(answered).unwrap_or(0),
            average_wait_seconds: n(&item, "wait_s").checked_div(waited).unwrap_or(0),
            hours: (0..24)
                .map(|h| HourFigures {
                    hour: h,
                    inbound: n(&item, &format!("in_{h:02}")),
                    answered: n(&item, &format!("ans_{h:02}")),
                    abandoned: n(&item, &format!("ab_{h:02}")),
                })
                .collect(),
        })
    }

    /// Adds an ended call to its day's figures, once: the call is marked counted in the same
    /// transaction, and a second attempt finds the mark and does nothing.
    pub async fn count_ended(&self, sid: &str) -> Result<(), DomainError> {
        match self.store.get(&call_key(sid)).await? {
            Some(call) => self.count(sid, &call).await,
            None => Ok(()),
        }
    }

    /// [`Monitor::count_ended`] for a call record the caller has just read or written. The
    /// report's figures ([`super::reports`]) are added in the same transaction, under the memo's
    /// response status as read; the memo is read again afterwards and the call moved to the
    /// status it has then, if another.
    pub async fn count(&self, sid: &str, call: &Item) -> Result<(), DomainError> {
        self.count_with(sid, call, None).await.map(|_| ())
    }

    /// [`Monitor::count`] of a call that has just ended, with its final status (`status`, not
    /// written yet: `call` carries it as read) written in the same transaction. Returns whether
    /// it was; when not (counted before, or nothing to count), the caller writes the status on
    /// its own.
    pub async fn count_final(&self, sid: &str, call: &Item, status: &str) -> Result<bool, DomainError> {
        self.count_with(sid, call, Some(status)).await
    }

    async fn count_with(&self, sid: &str, call: &Item, status: Option<&str>) -> Result<bool, DomainError> {
        let (now, counted_under) = match self.count_once(sid, call, status).await? {
            Counted::Done => return Ok(false),
            Counted::Before => (false, s(call, reports::COUNTED_STATUS).map(str::to_owned)),
            Counted::Now(under) => (true, under),
        };
        // The memo's status may have changed after it was read: a save's move found the call
        // not yet counted and left it to this count. Read again once counted (and on every
        // repeat of the call's end, so a count whose check was cut short is checked again),
        // the call moves to the status the memo has now. Cheaper than a condition on the memo
        // in the transaction (a check is billed as a write of the memo, ≈ 2 units a side).
        let memo = self.store.get(&memo_key(sid)).await?;
        let memo_status = memo.as_ref().and_then(|m| s(m, "response_status"));
        if memo_status != counted_under.as_deref() {
            reports::Reports::new(self.store.clone(), self.settings.clone())
                .status_changed(sid, memo_status)
                .await?;
        }
        Ok(now)
    }

    async fn count_once(&self, sid: &str, call: &Item, final_status: Option<&str>) -> Result<Counted, DomainError> {
        if call.contains_key("counted") {
            return Ok(Counted::Before);
        }
        let Some(started) = s(call, "started_at").and_then(parse) else {
            return Ok(Counted::Done);
        };
        let local = started.with_timezone(&jst());
        let hour = local.hour();
        let inbound = s(call, "direction") == Some("inbound");
        let status = final_status.or(s(call, "status")).unwrap_or_default();
        let answered = status == "completed";
        let mut u = Update::default().add(if inbound { "inbound" } else { "outbound" }, 1);
        if inbound {
            u = u.add(&format!("in_{hour:02}"), 1);
        }
        if answered {
            u = u.add("answered", 1);
            if inbound {
                // The chart's hours are about incoming traffic: calls in, answered, abandoned.
                u = u.add(&format!("ans_{hour:02}"), 1);
            }
            let handle = call.get("duration_seconds").and_then(Value::as_u64).unwrap_or_else(|| {
                match (
                    s(call, "answered_at").and_then(parse),
                    s(call, "ended_at").and_then(parse),
                ) {
                    (Some(a), Some(e)) => (e - a).num_seconds().max(0) as u64,
                    _ => 0,
                }
            });
            u = u.add("handle_s", i64::try_from(handle).unwrap_or(i64::MAX));
            if inbound && let Some(a) = s(call, "answered_at").and_then(parse) {
                u = u.add("wait_s", (a - started).num_seconds().max(0)).add("waited", 1);
            }
        } else if inbound && status == "abandoned" {
            u = u.add("abandoned", 1).add(&format!("ab_{hour:02}"), 1);
        }
        let day = local.format("%Y-%m-%d").to_string();
        let memo = self.store.get(&memo_key(sid)).await?;
        let memo_status = memo.as_ref().and_then(|m| s(m, "response_status")).map(str::to_owned);
        let settings = self.settings.get().await?;
        let facts = reports::CallFacts::of(
            call,
            settings.call_handling.service_level_seconds,
            settings.call_handling.wrap_up_seconds,
            settings.queue_of_entry(None),
        );
        // Counted, the call is filed in its caller's and its account's history.
        let history_keys = CallRecord::from_item(call)
            .map(|c| c.summary.history_keys())
            .unwrap_or_default();
        let marks = history_keys.into_iter().fold(
            reports::counted_marks(
                &day,
                memo_status.as_deref(),
                facts.as_ref().and_then(|f| f.queue.as_deref()),
            ),
            |marks, (name, value)| marks.set(name, value),
        );
        let marks = match final_status {
            Some(status) => marks.set(super::calls::field::STATUS, status),
            None => marks,
        };
        let mut ops = vec![
            TxOp::Update {
                key: call_key(sid),
                update: marks,
                cond: Some(Cond::And(vec![Cond::Exists, Cond::AttrNotExists("counted".into())])),
            },
            TxOp::Update {
                key: day_key(&day),
                update: u,
                cond: None,
            },
        ];
        if let Some(facts) = &facts {
            ops.extend(facts.ops(memo_status.as_deref()));
            ops.push(reports::filed_under_day(facts, call, sid));
        }
        match self.store.transact(ops).await {
            Ok(()) => Ok(Counted::Now(memo_status)),
            // Counted by an earlier attempt.
            Err(e) if e.is_condition_failed() => Ok(Counted::Before),
            Err(e) => Err(e.into()),
        }
    }
}

/// How one attempt at counting a call went.
enum Counted {
    /// Nothing to count (no start).
    Done,
    /// Counted by an earlier attempt (under the status the call notes).
    Before,
    /// Counted by this attempt, under this response status.
    Now(Option<String>),
}

/// The board's view of a call, with its memo when known (the push channel sends it without).
pub(crate) fn board_call(sid: &str, call: &CallRecord, memo: Option<&Memo>) -> BoardCall {
    let with = [ParticipantLabel::Transfer, ParticipantLabel::Consult]
        .into_iter()
        .filter(|l| call.joined(*l).is_some())
        .map(|l| l.as_str().to_owned())
        .collect();
    let monitored = call.joined(ParticipantLabel::Monitor).is_some();
    BoardCall {
        sid: sid.to_owned(),
        direction: call.summary.direction.as_str().to_owned(),
        line: call.summary.line.clone(),
        customer: call.summary.customer.clone(),
        customer_display: call.summary.customer_display.clone(),
        account_id: call.summary.account_id.clone(),
        contact_id: call.summary.contact_id.clone(),
        answered_at: call.summary.answered_at.clone(),
        customer_held: call.customer_held(),
        with,
        monitor: call.monitor_mode.clone().filter(|_| monitored),
        monitor_by: call.monitor_by.clone().filter(|_| monitored),
        memo: memo.map(|m| m.text.clone()).unwrap_or_default(),
        response_status: memo.and_then(|m| m.response_status.clone()),
        memo_updated_at: memo.and_then(|m| m.updated_at.clone()),
        memo_version: memo.map_or(0, |m| m.version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Services;
    use crate::domain::calls::{CallSummary, Direction};
    use crate::store::embedded::EmbeddedStore;

    async fn ended(s: &Services, sid: &str, direction: Direction, status: &str, answered: bool) {
        let mut c = CallSummary::new(sid, direction, None, None, status, "2026-11-23T01:00:00Z".into(), None);
        c.answered_at = answered.then(|| "2026-11-23T01:00:30Z".to_owned());
        c.ended_at = Some("2026-11-23T01:05:30Z".into());
        c.duration_seconds = answered.then_some(300);
        s.store.put(c.to_item(), None).await.unwrap();
    }

    #[tokio::test]
    async fn an_ended_call_is_counted_once_on_its_japanese_day_however_often_it_is_reported() {
        let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        ended(&s, "CA01", Direction::Inbound, "completed", true).await;
        ended(&s, "CA02", Direction::Inbound, "abandoned", false).await;
        ended(&s, "CA03", Direction::Outbound, "completed", true).await;
        for sid in ["CA01", "CA02", "CA03", "CA01", "CA02"] {
            s.monitor.count_ended(sid).await.unwrap();
        }
        // 01:00 UTC is 10:00 in Japan, the same day.
        let day = s.monitor.day("2026-11-23").await.unwrap();
        assert_eq!(
            (day.inbound, day.outbound, day.answered, day.abandoned),
            (1 + 1, 1, 2, 1)
        );
        assert_eq!(day.average_handle_seconds, 300);
        assert_eq!(day.average_wait_seconds, 30, "the wait of the answered incoming call");
        assert_eq!(day.hours[10].inbound, 2);
        assert_eq!(day.hours[10].abandoned, 1);
        assert_eq!(day.hours[10].answered, 1, "the chart counts incoming calls only");
        assert_eq!(s.monitor.day("2026-11-22").await.unwrap().inbound, 0);
    }

    #[tokio::test]
    async fn concurrent_reports_of_the_same_end_still_count_it_once() {
        let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        ended(&s, "CA09", Direction::Inbound, "completed", true).await;
        let runs = (0..10).map(|_| {
            let m = s.monitor.clone();
            tokio::spawn(async move { m.count_ended("CA09").await })
        });
        for r in futures::future::join_all(runs).await {
            r.unwrap().unwrap();
        }
        assert_eq!(s.monitor.day("2026-11-23").await.unwrap().answered, 1);
    }

    #[tokio::test]
    async fn a_live_call_enters_its_callers_and_accounts_history_when_it_is_counted() {
        use crate::domain::history::Subject;
        use crate::ids::RecordId;
        use crate::phone::PhoneNumber;
        let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        let phone = PhoneNumber::parse("03-1234-5678").unwrap();
        let account = RecordId::parse("01M8YX07J949AYTFAD3DK0K4JH").unwrap();
        let mut c = CallSummary::new(
            "CA07",
            Direction::Inbound,
            Some(&phone),
            None,
            "in_progress",
            "2026-11-23T01:00:00Z".into(),
            None,
        );
        c.account_id = Some(account.as_str().to_owned());
        s.store.put(c.live_item(), None).await.unwrap();
        let history = |subject: Subject| {
            let s = s.clone();
            async move { s.history.calls(&subject, 10, None).await.unwrap().items.len() }
        };
        // While it is live its record is written often: none of it is copied into the indexes.
        assert_eq!(history(Subject::Phone(phone.clone())).await, 0);
        assert_eq!(history(Subject::Account(account.clone())).await, 0);
        s.store
            .update(
                &call_key("CA07"),
                Update::default()
                    .set("status", "completed")
                    .set("answered_at", "2026-11-23T01:00:30Z")
                    .set("ended_at", "2026-11-23T01:05:30Z"),
                None,
            )
            .await
            .unwrap();
        s.monitor.count_ended("CA07").await.unwrap();
        assert_eq!(
            history(Subject::Phone(phone)).await,
            1,
            "in the caller's history once it ended"
        );
        assert_eq!(history(Subject::Account(account)).await, 1, "and in the account's");
    }
}
