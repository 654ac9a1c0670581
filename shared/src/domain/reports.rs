//! Reports (レポート): a date range's figures per day, per operator, per queue (窓口) and per
//! response status (対応ステータス), read from aggregates written as calls end and as operators
//! change their presence — never counted at read time (the store has no scan).
//!
//! What is kept, per day (Japan time), in one item per day and dimension (see
//! [`crate::store::table::report_key`]):
//! - the centre (`T`), each operator (`O`), each queue (`Q`), each response status (`S`):
//!   incoming calls offered, answered, abandoned, answered within the service level
//!   (`call_handling.service_level_seconds`, 20 s unless set), the wait of answered calls (for
//!   the average speed of answer), talk, hold and 後処理 seconds, calls handled (talked on), and
//!   outgoing calls with how Twilio ended them;
//! - the centre, each operator and each call list (`L`): the call lists' results by result code
//!   (完了, 不在, 再架電), counted when the operator records them ([`result_recorded`]);
//! - each operator additionally: their logged-in seconds and their seconds in each presence
//!   they were in (受付可, 離席, 休憩, their admin-defined ones), for 稼働率 and 占有率.
//!
//! 後処理: a call's planned 後処理 is counted when it ends, for the centre, its operator, its
//! queue and its response status; when the operator leaves it early (or chooses it again) the
//! difference is added to the same figures and noted on the call ([`WRAP_UP_ADJUSTED`]), so a
//! later move of the call's response status moves what was taken.
//!
//! Items stay small whatever the centre's size: one per operator per day (a few hundred bytes),
//! so 500 operators are 500 items of a day, never one item growing with them.
//!
//! Writes: an ended call is added in the transaction of [`super::monitor::Monitor::count`] that
//! marks it counted (a retried callback finds the mark and adds nothing); every figure is an
//! `ADD`, so concurrent writers never lose a count. The response status is counted with the
//! memo's status when the call ends, moved by [`Reports::status_changed`] when the memo's status
//! changes afterwards (the call keeps which status it is counted under, `counted_status`, and the
//! move is conditional on it). Presence is counted when the operator changes it
//! ([`presence_ops`], in the operator's own conditional write): the time since their last
//! change, split at midnight and where the system moved them meanwhile (routing's 離席 after a
//! missed offer or for a callback it handed them, its sign-off of a disabled operator at a
//! call's end: see `presence_segments`; an admin disabling an idle operator closes it in that
//! write); a report adds each operator's presence still open, up to the moment
//! it is read, without writing it.
//!
//! Reads: one query per month the range touches, of the sort-key range of its days, 1000 items
//! a page (an item is under 1 KB, so a page is never cut by DynamoDB's 1 MB limit before). A
//! month of a 200-operator centre with 3 queues and 6 response statuses is 31 × 210 = 6,510
//! items: 7 query requests ([`REPORT_PAGE`]), one of the operator list (the presence still open)
//! and the cached settings. The 92-day maximum of such a centre is at most 24 requests. Each
//! call list with results that day adds one item a day: ten lists dialled every day make the
//! month 31 × 220 = 6,820 items, still 7 queries.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use super::calls::{call_key, field as call_field, memo_key};
use super::settings::SettingsService;
use crate::error::DomainError;
use crate::store::table::{
    ALL_OPERATORS_PK, call_of_day_key, report_day_first, report_day_last, report_key, report_pk,
};
use crate::store::{Cond, Index, Item, Key, Query, SortKey, Store, StoreError, TxOp, Update, str_attr};

/// How many report items one query page reads.
pub const REPORT_PAGE: u32 = 1000;

/// The longest range a report covers, in days.
pub const MAX_RANGE_DAYS: i64 = 92;

/// The call attribute naming the response status the call is counted under.
pub const COUNTED_STATUS: &str = "counted_status";
/// The call attribute naming the queue the call is counted under.
pub const COUNTED_QUEUE: &str = "counted_queue";
/// The call attribute of seconds held, as the tests' records give it directly.
pub const HOLD_SECONDS: &str = "hold_s";
/// The call attribute of the 後処理 seconds its operator did not take of those planned
/// (negative) or chose again (positive), added as they leave or restart it: the call's response
/// status is counted with the planned seconds and these, and moved with them.
pub const WRAP_UP_ADJUSTED: &str = "wrap_adj_s";
/// What the call's notes of the customer's events start with (`hl_<sequence>`).
pub const HOLD_NOTE_PREFIX: &str = "hl_";

/// The call attribute noting the customer's event of conference sequence `sequence`.
pub fn hold_note_attr(sequence: u64) -> String {
    format!("{HOLD_NOTE_PREFIX}{sequence:08}")
}

/// A note of a customer's event: when, and whether it left them on hold.
pub fn hold_note(at: &str, held: bool) -> String {
    format!("{}|{at}", u8::from(held))
}

/// Seconds the customer was on hold, read from the notes of their events in sequence order; a
/// hold still on at the end counts until `ended`.
fn held_seconds(call: &Item, ended: Option<DateTime<Utc>>) -> i64 {
    let mut notes: Vec<(&String, &str)> = call
        .iter()
        .filter(|(k, _)| k.starts_with(HOLD_NOTE_PREFIX))
        .filter_map(|(k, v)| Some((k, v.as_str()?)))
        .collect();
    notes.sort();
    let mut since: Option<DateTime<Utc>> = None;
    let mut total = 0;
    for (_, note) in notes {
        let Some((held, at)) = note.split_once('|') else {
            continue;
        };
        let Some(at) = parse(at) else {
            continue;
        };
        match (held == "1", since) {
            (true, None) => since = Some(at),
            (false, Some(from)) => {
                total += secs(from, at);
                since = None;
            }
            _ => {}
        }
    }
    if let (Some(from), Some(end)) = (since, ended) {
        total += secs(from, end);
    }
    total
}
/// How many times a change of presence that met another one is tried.
const PRESENCE_ATTEMPTS: u32 = 10;

/// How often a move of a call to another response status is tried on the call as it is then.
const STATUS_MOVE_ATTEMPTS: u32 = 5;

/// The operator item's version, bumped by every write of it.
const VERSION: &str = "version";

/// The operator attributes of their presence since their last change of it: which one, since when.
pub const PRESENCE_STATUS: &str = "pres_status";
pub const PRESENCE_SINCE: &str = "pres_since";

/// The outgoing results counted, by the call's final status; any other is `other`.
pub const OUTBOUND_RESULTS: [&str; 6] = ["completed", "busy", "no_answer", "failed", "canceled", "other"];

/// The call lists' result codes counted (the outcomes an operator records for a call to a
/// target, [`super::call_lists::Outcome`]): 完了, 不在, 再架電.
pub const CALL_RESULTS: [&str; 3] = ["done", "no_answer", "callback"];

/// Japan Standard Time: the centre's day.
fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

fn parse(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t).ok().map(|t| t.with_timezone(&Utc))
}

fn day_of(t: DateTime<Utc>) -> String {
    t.with_timezone(&jst()).format("%Y-%m-%d").to_string()
}

fn secs(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_seconds().max(0)
}

/// What an ended call adds to the figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallFacts {
    pub day: String,
    pub operator: Option<String>,
    pub operator_name: Option<String>,
    pub queue: Option<String>,
    pub inbound: bool,
    pub answered: bool,
    pub abandoned: bool,
    pub within_service_level: bool,
    pub wait_seconds: i64,
    pub talk_seconds: i64,
    pub hold_seconds: i64,
    pub wrap_up_seconds: i64,
    /// The 後処理 seconds the call's response status is counted with: those planned, less
    /// what its operator did not take (or plus what they chose again), noted on the call
    /// ([`WRAP_UP_ADJUSTED`]).
    pub status_wrap_up_seconds: i64,
    pub handled: bool,
    /// An outgoing call's result (one of [`OUTBOUND_RESULTS`]).
    pub outbound_result: Option<&'static str>,
}

impl CallFacts {
    /// The facts of an ended call record; `None` for one without a start.
    /// `default_queue` is the queue of an incoming call recorded without one.
    pub fn of(call: &Item, service_level_seconds: u32, wrap_up_seconds: u32, default_queue: &str) -> Option<Self> {
        let started = str_attr(call, call_field::STARTED_AT).and_then(parse)?;
        let inbound = str_attr(call, call_field::DIRECTION) == Some("inbound");
        let status = str_attr(call, call_field::STATUS).unwrap_or_default();
        let answered_at = str_attr(call, call_field::ANSWERED_AT).and_then(parse);
        let connected_at = str_attr(call, call_field::CONNECTED_AT).and_then(parse);
        let ended = str_attr(call, call_field::ENDED_AT).and_then(parse);
        let handled = status == "completed";
        let talk_from = if inbound {
            answered_at
        } else {
            answered_at.or(connected_at)
        };
        let hold = call.get(HOLD_SECONDS).and_then(Value::as_i64).unwrap_or(0).max(0) + held_seconds(call, ended);
        let connected = match (talk_from, ended) {
            (Some(a), Some(e)) => secs(a, e),
            _ => call
                .get(call_field::DURATION_SECONDS)
                .and_then(Value::as_i64)
                .unwrap_or(0),
        };
        let operator = str_attr(call, call_field::OPERATOR_ID).map(str::to_owned);
        let planned_wrap_up = if handled && operator.is_some() {
            i64::from(wrap_up_seconds)
        } else {
            0
        };
        let wait = match (inbound && handled, answered_at) {
            (true, Some(a)) => secs(started, a),
            _ => 0,
        };
        Some(Self {
            day: day_of(started),
            operator_name: str_attr(call, call_field::OPERATOR_NAME).map(str::to_owned),
            queue: inbound.then(|| str_attr(call, "queue").unwrap_or(default_queue).to_owned()),
            inbound,
            answered: inbound && handled,
            abandoned: inbound && status == "abandoned",
            within_service_level: inbound && handled && wait <= i64::from(service_level_seconds),
            wait_seconds: wait,
            talk_seconds: if handled { (connected - hold).max(0) } else { 0 },
            // Not cut to the connected time: an end reported to the second may fall before the
            // last unhold's timestamp.
            hold_seconds: if handled { hold } else { 0 },
            wrap_up_seconds: planned_wrap_up,
            status_wrap_up_seconds: (planned_wrap_up + call.get(WRAP_UP_ADJUSTED).and_then(Value::as_i64).unwrap_or(0))
                .max(0),
            operator,
            handled,
            outbound_result: (!inbound).then(|| OUTBOUND_RESULTS.into_iter().find(|r| *r == status).unwrap_or("other")),
        })
    }

    /// The call's figures added to (`sign` 1) or taken from (`sign` -1) a report item, with
    /// `wrap_up` seconds of 後処理.
    fn added(&self, mut u: Update, sign: i64, wrap_up: i64) -> Update {
        let mut add = |name: &str, n: i64| {
            if n != 0 {
                u = std::mem::take(&mut u).add(name, sign * n);
            }
        };
        if self.inbound {
            add("offered", 1);
        }
        add("answered", i64::from(self.answered));
        add("abandoned", i64::from(self.abandoned));
        add("sl", i64::from(self.within_service_level));
        add("wait_s", self.wait_seconds);
        add("talk_s", self.talk_seconds);
        add("hold_s", self.hold_seconds);
        add("wrap_s", wrap_up);
        add("handled", i64::from(self.handled));
        if let Some(result) = self.outbound_result {
            add("outbound", 1);
            add(&format!("out_{result}"), 1);
        }
        u
    }

    /// The writes adding the call to its day's figures: the centre's, its operator's, its
    /// queue's and (when the memo has one) its response status's.
    pub fn ops(&self, status: Option<&str>) -> Vec<TxOp> {
        let mut ops = vec![bucket(&self.day, "T", "", None, |u| {
            self.added(u, 1, self.wrap_up_seconds)
        })];
        if let Some(op) = &self.operator {
            ops.push(bucket(&self.day, "O", op, self.operator_name.as_deref(), |u| {
                self.added(u, 1, self.wrap_up_seconds)
            }));
        }
        if let Some(q) = &self.queue {
            ops.push(bucket(&self.day, "Q", q, None, |u| {
                self.added(u, 1, self.wrap_up_seconds)
            }));
        }
        if let Some(s) = status {
            ops.push(bucket(&self.day, "S", s, None, |u| {
                self.added(u, 1, self.status_wrap_up_seconds)
            }));
        }
        ops
    }
}

/// An `ADD` to one report item, naming what it is.
fn bucket(day: &str, kind: &str, id: &str, name: Option<&str>, f: impl FnOnce(Update) -> Update) -> TxOp {
    let mut u = Update::default().set("day", day).set("kind", kind).set("id", id);
    if let Some(name) = name {
        u = u.set("name", name);
    }
    TxOp::Update {
        key: report_key(day, kind, id),
        update: f(u),
        cond: None,
    }
}

/// The counted call filed under its day, for the history export.
pub fn filed_under_day(facts: &CallFacts, call: &Item, sid: &str) -> TxOp {
    let started = str_attr(call, call_field::STARTED_AT).unwrap_or_default();
    // An update, not a put: every function that counts a call (the reconciliation too) may
    // update items, not all may put them.
    TxOp::Update {
        key: call_of_day_key(&facts.day, started, sid),
        update: Update::default().set("sid", sid),
        cond: None,
    }
}

/// The operator's presence since their last change of it, added to their days' figures when
/// they change it at `now` (RFC 3339), with the new presence to remember. `stored` is their
/// item as read before the change; the caller makes its write conditional on
/// [`presence_unchanged`] so the interval is added once. `wrap_up_ends_early` corrects the 後処理
/// counted at the call's end when the operator leaves it before its time (or chooses it again).
pub fn presence_ops(stored: &Item, now: DateTime<Utc>, new_status: &str) -> (Vec<TxOp>, Update) {
    let id = str_attr(stored, "id").unwrap_or_default().to_owned();
    let name = str_attr(stored, "name").map(str::to_owned);
    let mut ops = Vec::new();
    let mut per_day: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (status, since, until) in presence_segments(stored, now) {
        // Split at each midnight (Japan time); an interval longer than the longest report is
        // cut to its last days.
        let mut from = since.max(now - Duration::days(MAX_RANGE_DAYS));
        while from < until {
            let local = from.with_timezone(&jst()).date_naive();
            let next_midnight = (local + Duration::days(1))
                .and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(jst()).single())
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(until);
            let to = next_midnight.min(until);
            *per_day.entry((day_of(from), status.clone())).or_default() += secs(from, to);
            from = to;
        }
    }
    let mut days: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    for ((day, status), seconds) in per_day {
        if seconds > 0 {
            days.entry(day).or_default().push((status, seconds));
        }
    }
    for (day, statuses) in days {
        ops.push(bucket(&day, "O", &id, name.as_deref(), |mut u| {
            // One ADD of the day's signed-in seconds: an update may name an attribute once.
            let mut login = 0;
            for (status, seconds) in statuses {
                u = u.add(&format!("p_{status}_s"), seconds);
                if status != "offline" {
                    login += seconds;
                }
            }
            if login > 0 { u.add("login_s", login) } else { u }
        }));
    }
    let update = Update::default()
        .set(PRESENCE_STATUS, new_status)
        .set(PRESENCE_SINCE, now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    (ops, update)
}

/// The presences the operator was in since their last change of it, up to `now`, each with
/// its start and end. The operator's own changes close the interval ([`write_presence`]); the
/// system moves them without a change of their own, and its write notes when on the operator's
/// item, which is read here, so such an interval ends where the system moved them, whoever
/// closes or reads it later:
/// - routing sets them 離席 (away) when a call it offered rings out unanswered — how a closed
///   browser or a sign-out without choosing オフライン is found out — noting `missed_call_at`;
/// - routing sets them 離席 when it hands them a callback request (`callback_task`), and signs
///   off (オフライン) an operator an admin disabled during a call when it ends (an admin
///   disabling an idle operator closes the interval in that write): the item's `status` and
///   `status_since` say so until they next change presence or take a call. A callback they
///   dial returns them to 受付可 after it, so the time from the hand-off to the dial counts as
///   the 受付可 it continues once they dial it (work routing gave them), as 離席 only if they
///   change presence without dialling.
///
/// 通話中 and 後処理 are not presences of their own here: calls and their 後処理 are counted
/// within the presence they were taken in (see [`Presence`]).
fn presence_segments(stored: &Item, now: DateTime<Utc>) -> Vec<(String, DateTime<Utc>, DateTime<Utc>)> {
    let (Some(status), Some(since)) = (
        str_attr(stored, PRESENCE_STATUS),
        str_attr(stored, PRESENCE_SINCE).and_then(parse),
    ) else {
        return Vec::new();
    };
    let mut marks: Vec<(DateTime<Utc>, &str)> = Vec::new();
    if let Some(at) = str_attr(stored, "missed_call_at").and_then(parse) {
        marks.push((at, "away"));
    }
    if let Some(current) = str_attr(stored, "status").filter(|s| !matches!(*s, "on_call" | "wrap_up"))
        && let Some(at) = str_attr(stored, "status_since").and_then(parse)
    {
        marks.push((at, current));
    }
    marks.retain(|(at, _)| *at > since && *at < now);
    marks.sort();
    let mut segments = Vec::new();
    let (mut status, mut from) = (status, since);
    for (at, next) in marks {
        if next != status {
            segments.push((status.to_owned(), from, at));
            (status, from) = (next, at);
        }
    }
    segments.push((status.to_owned(), from, now));
    segments
}

/// The writes with those to the same report item made one: a transaction may touch an item
/// once (the operator's day gets their presence and a 後処理 correction together).
fn merged(ops: Vec<TxOp>) -> Vec<TxOp> {
    let mut out: Vec<TxOp> = Vec::with_capacity(ops.len());
    for op in ops {
        if let TxOp::Update {
            key,
            update,
            cond: None,
        } = &op
            && let Some(TxOp::Update { update: into, .. }) = out
                .iter_mut()
                .find(|o| matches!(o, TxOp::Update { key: k, cond: None, .. } if k == key))
        {
            for (name, value) in &update.set {
                if !into.set.iter().any(|(n, _)| n == name) {
                    into.set.push((name.clone(), value.clone()));
                }
            }
            for (name, delta) in &update.add {
                match into.add.iter_mut().find(|(n, _)| n == name) {
                    Some((_, d)) => *d += delta,
                    None => into.add.push((name.clone(), *delta)),
                }
            }
            continue;
        }
        out.push(op);
    }
    out
}

/// The operator's item is at the version it was read at (an item never versioned: still none).
fn version_unchanged(stored: &Item) -> Cond {
    match stored.get(VERSION).and_then(Value::as_u64) {
        Some(v) => Cond::version(v),
        None => Cond::AttrNotExists(VERSION.into()),
    }
}

/// The condition that the operator's presence interval is still the one `stored` had.
pub fn presence_unchanged(stored: &Item) -> Cond {
    match str_attr(stored, PRESENCE_SINCE) {
        Some(since) => Cond::eq(PRESENCE_SINCE, since),
        None => Cond::AttrNotExists(PRESENCE_SINCE.into()),
    }
}

/// The 後処理 seconds to add to an operator's figures of `day` (and to the queue's, when known)
/// when they leave a wrap-up or start one by hand: the part of a wrap-up counted at the call's
/// end they did not take (negative), or a wrap-up they chose (positive). With the `call` it
/// follows (as read) counted under a response status, the seconds go to that status's figures
/// of the call's day too; the write notes them on the call ([`wrap_up_noted`]).
pub fn wrap_up_correction(
    day: &str,
    operator: &str,
    name: Option<&str>,
    queue: Option<&str>,
    call: Option<(&str, &Item)>,
    seconds: i64,
) -> Vec<TxOp> {
    if seconds == 0 {
        return Vec::new();
    }
    let mut ops = vec![
        bucket(day, "T", "", None, |u| u.add("wrap_s", seconds)),
        bucket(day, "O", operator, name, |u| u.add("wrap_s", seconds)),
    ];
    if let Some(q) = queue {
        ops.push(bucket(day, "Q", q, None, |u| u.add("wrap_s", seconds)));
    }
    if let Some((_, call)) = call
        && let (Some(day), Some(status)) = (str_attr(call, call_field::COUNTED), str_attr(call, COUNTED_STATUS))
    {
        ops.push(bucket(day, "S", status, None, |u| u.add("wrap_s", seconds)));
    }
    ops
}

/// Notes on the call (`sid`, as read) the 後処理 seconds its operator's change of presence
/// corrects, so a later move of its response status moves them too: conditional on the call
/// still counted as read, so a move meanwhile makes the change of presence try again.
fn wrap_up_noted(sid: &str, call: &Item, seconds: i64) -> TxOp {
    let counted = str_attr(call, call_field::COUNTED);
    let status = str_attr(call, COUNTED_STATUS);
    TxOp::Update {
        key: call_key(sid),
        update: Update::default().add(WRAP_UP_ADJUSTED, seconds),
        cond: Some(Cond::And(vec![
            Cond::Exists,
            match counted {
                Some(d) => Cond::eq(call_field::COUNTED, d),
                None => Cond::AttrNotExists(call_field::COUNTED.into()),
            },
            match status {
                Some(s) => Cond::eq(COUNTED_STATUS, s),
                None => Cond::AttrNotExists(COUNTED_STATUS.into()),
            },
        ])),
    }
}

/// The writes counting a call-list result `code` (one of [`CALL_RESULTS`]) recorded at `at` by
/// `operator` on list `list`: ADDs to that day's centre, operator and list figures, made in the
/// transaction that records the result (each result is recorded once, as a new attempt of its
/// target, so a retried write that found it recorded adds nothing).
pub fn result_recorded(
    at: DateTime<Utc>,
    operator: &str,
    operator_name: &str,
    list: &str,
    list_name: &str,
    code: &str,
) -> Vec<TxOp> {
    let day = report_day(at);
    let field = format!("res_{code}");
    let add = |u: Update| u.add("results", 1).add(&field, 1);
    vec![
        bucket(&day, "T", "", None, add),
        bucket(&day, "O", operator, Some(operator_name), add),
        bucket(&day, "L", list, Some(list_name), add),
    ]
}

/// The day (Japan time) of a moment, as the figures file it.
pub fn report_day(at: DateTime<Utc>) -> String {
    day_of(at)
}

/// Call figures of one item (a day, an operator, a queue, a status, or a sum of them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// Incoming calls (入電数).
    pub offered: u64,
    /// Incoming calls an operator answered (応答数).
    pub answered: u64,
    /// Incoming calls whose caller hung up before an operator answered (放棄呼).
    pub abandoned: u64,
    /// Incoming calls answered within the service-level threshold.
    pub answered_in_time: u64,
    /// answered_in_time / offered, percent (one decimal); absent with no incoming call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_level_percent: Option<f64>,
    /// abandoned / offered, percent; absent with no incoming call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abandon_percent: Option<f64>,
    /// Average speed of answer (ASA), seconds.
    pub average_answer_seconds: u64,
    /// Calls talked on, either way (the AHT's denominator).
    pub handled: u64,
    pub talk_seconds: u64,
    pub hold_seconds: u64,
    /// 後処理 seconds.
    pub wrap_up_seconds: u64,
    /// Average handle time: (talk + hold + 後処理) / handled, seconds.
    pub average_handle_seconds: u64,
    /// Outgoing calls (発信数).
    pub outbound: u64,
    /// Outgoing calls by how Twilio ended them: completed (つながった), busy, no_answer,
    /// failed, canceled, other.
    pub outbound_results: BTreeMap<String, u64>,
    /// Call-list results recorded (架電結果), counted when the operator records them.
    pub results: u64,
    /// Call-list results by result code ([`CALL_RESULTS`]: done 完了, no_answer 不在,
    /// callback 再架電).
    pub call_results: BTreeMap<String, u64>,
    #[serde(skip)]
    wait_seconds: u64,
}

fn n(item: &Item, name: &str) -> u64 {
    item.get(name).and_then(Value::as_i64).unwrap_or(0).max(0) as u64
}

fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

impl Figures {
    fn of(item: &Item) -> Self {
        let mut f = Self {
            offered: n(item, "offered"),
            answered: n(item, "answered"),
            abandoned: n(item, "abandoned"),
            answered_in_time: n(item, "sl"),
            handled: n(item, "handled"),
            talk_seconds: n(item, "talk_s"),
            hold_seconds: n(item, "hold_s"),
            wrap_up_seconds: n(item, "wrap_s"),
            outbound: n(item, "outbound"),
            results: n(item, "results"),
            wait_seconds: n(item, "wait_s"),
            ..Self::default()
        };
        for r in CALL_RESULTS {
            let c = n(item, &format!("res_{r}"));
            if c > 0 {
                f.call_results.insert(r.to_owned(), c);
            }
        }
        for r in OUTBOUND_RESULTS {
            let c = n(item, &format!("out_{r}"));
            if c > 0 {
                f.outbound_results.insert(r.to_owned(), c);
            }
        }
        f.finish()
    }

    fn plus(mut self, o: &Figures) -> Self {
        self.offered += o.offered;
        self.answered += o.answered;
        self.abandoned += o.abandoned;
        self.answered_in_time += o.answered_in_time;
        self.handled += o.handled;
        self.talk_seconds += o.talk_seconds;
        self.hold_seconds += o.hold_seconds;
        self.wrap_up_seconds += o.wrap_up_seconds;
        self.outbound += o.outbound;
        self.results += o.results;
        self.wait_seconds += o.wait_seconds;
        for (k, v) in &o.call_results {
            *self.call_results.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.outbound_results {
            *self.outbound_results.entry(k.clone()).or_default() += v;
        }
        self.finish()
    }

    fn finish(mut self) -> Self {
        self.service_level_percent = percent(self.answered_in_time, self.offered);
        self.abandon_percent = percent(self.abandoned, self.offered);
        self.average_answer_seconds = self.wait_seconds.checked_div(self.answered).unwrap_or(0);
        self.average_handle_seconds = (self.talk_seconds + self.hold_seconds + self.wrap_up_seconds)
            .checked_div(self.handled)
            .unwrap_or(0);
        self
    }
}

/// An operator's presence over the range.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Presence {
    /// Seconds signed in (every presence but オフライン).
    pub login_seconds: u64,
    /// Seconds 受付可 and waiting for a call: their 受付可 time less the calls and 後処理 in it.
    pub available_seconds: u64,
    /// Seconds in each presence they chose, by presence id (calls taken in it included).
    pub status_seconds: BTreeMap<String, u64>,
    /// 稼働率: (通話 + 保留 + 後処理 + 受付可) / ログイン時間, percent; absent with no login time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utilisation_percent: Option<f64>,
    /// 占有率: (通話 + 保留 + 後処理) / (通話 + 保留 + 後処理 + 受付可), percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occupancy_percent: Option<f64>,
}

impl Presence {
    fn of(item: &Item) -> Self {
        let mut p = Self {
            login_seconds: n(item, "login_s"),
            ..Self::default()
        };
        for (k, v) in item {
            if let Some(status) = k.strip_prefix("p_").and_then(|k| k.strip_suffix("_s"))
                && let Some(v) = v.as_i64()
                && v > 0
            {
                p.status_seconds.insert(status.to_owned(), v as u64);
            }
        }
        p
    }

    fn plus(mut self, o: &Presence) -> Self {
        self.login_seconds += o.login_seconds;
        for (k, v) in &o.status_seconds {
            *self.status_seconds.entry(k.clone()).or_default() += v;
        }
        self
    }

    fn finish(mut self, calls: &Figures) -> Self {
        let busy = calls.talk_seconds + calls.hold_seconds + calls.wrap_up_seconds;
        let available_raw = self.status_seconds.get("available").copied().unwrap_or(0);
        self.available_seconds = available_raw.saturating_sub(busy);
        self.utilisation_percent = percent(
            (busy + self.available_seconds).min(self.login_seconds),
            self.login_seconds,
        );
        self.occupancy_percent = percent(busy, busy + self.available_seconds);
        self
    }
}

/// One day's figures.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DayRow {
    pub day: String,
    pub figures: Figures,
}

/// One operator's figures over the range.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OperatorRow {
    pub id: String,
    pub name: String,
    pub figures: Figures,
    pub presence: Presence,
}

/// One queue's or one response status's figures over the range.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GroupRow {
    pub id: String,
    /// Its name in the settings (the id when it is no longer there).
    pub name: String,
    pub figures: Figures,
}

/// A report of a range of days.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub from: String,
    pub to: String,
    /// The service-level threshold, seconds (calls counted with the setting of their day).
    pub service_level_seconds: u32,
    pub totals: Figures,
    /// The centre's presence: every operator's together.
    pub presence: Presence,
    /// Every day of the range, in order (zeros on a day with no call).
    pub days: Vec<DayRow>,
    pub operators: Vec<OperatorRow>,
    pub queues: Vec<GroupRow>,
    pub statuses: Vec<GroupRow>,
    /// Each call list's results recorded in the range (its name as when last counted).
    pub lists: Vec<GroupRow>,
}

/// A validated range of days (Japan time), at most [`MAX_RANGE_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DayRange {
    /// Parses `from` and `to` (`YYYY-MM-DD`), refusing them with a message in Japanese that
    /// says what to fix.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self, DomainError> {
        let day = |field: &str, v: Option<&str>| {
            let v = v.ok_or_else(|| {
                DomainError::invalid_field(
                    "invalid_range",
                    field,
                    format!("{field} に日付を YYYY-MM-DD で指定してください"),
                )
            })?;
            NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                DomainError::invalid_field(
                    "invalid_range",
                    field,
                    format!("{field} の「{v}」は日付として読めません。YYYY-MM-DD（例: 2026-12-01）で指定してください"),
                )
            })
        };
        let from_day = day("from", from)?;
        let to_day = day("to", to)?;
        if to_day < from_day {
            return Err(DomainError::invalid_field(
                "invalid_range",
                "to",
                "終了日が開始日より前です。開始日以降の日付を指定してください",
            ));
        }
        if (to_day - from_day).num_days() + 1 > MAX_RANGE_DAYS {
            return Err(DomainError::invalid_field(
                "invalid_range",
                "to",
                format!("期間は{MAX_RANGE_DAYS}日以内で指定してください"),
            ));
        }
        Ok(Self {
            from: from_day,
            to: to_day,
        })
    }

    /// Every day of the range, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let from = self.from;
        (0..=(self.to - self.from).num_days()).map(move |i| from + Duration::days(i))
    }
}

/// Reads reports and moves a call's response status between the figures.
pub struct Reports {
    store: Arc<dyn Store>,
    settings: Arc<SettingsService>,
}

impl Reports {
    pub fn new(store: Arc<dyn Store>, settings: Arc<SettingsService>) -> Self {
        Self { store, settings }
    }

    /// The report of a range: one query per month it touches (more pages past 1000 items),
    /// eventually consistent (it is shown, never written from).
    /// Each operator's presence since their last change of it, up to `now`, as the report
    /// items of the days `wanted` (an interval is added to the figures only when it ends, so
    /// without this an operator 受付可 all day would show no logged-in time until they change
    /// status): the operator list read once (one query per 1,000 operators), nothing written.
    async fn open_presence(&self, now: DateTime<Utc>, wanted: impl Fn(&str) -> bool) -> Result<Vec<Item>, DomainError> {
        let mut query = Query::partition(ALL_OPERATORS_PK).on(Index::Gsi1).limit(1000);
        let mut items = Vec::new();
        loop {
            let page = self.store.query(query.clone()).await?;
            for operator in &page.items {
                for op in presence_ops(operator, now, "").0 {
                    if let TxOp::Update { update, .. } = op {
                        let mut item = Item::new();
                        update.apply(&mut item);
                        if str_attr(&item, "day").is_some_and(&wanted) {
                            items.push(item);
                        }
                    }
                }
            }
            match page.cursor {
                Some(cursor) => query = query.after(Some(cursor)),
                None => return Ok(items),
            }
        }
    }

    pub async fn report(&self, range: DayRange) -> Result<Report, DomainError> {
        let settings = self.settings.get().await?;
        let mut items = Vec::new();
        let mut month_start = range.from;
        while month_start <= range.to {
            let month = month_start.format("%Y-%m").to_string();
            let next_month = first_of_next_month(month_start);
            let month_end = (next_month - Duration::days(1)).min(range.to);
            let sk = SortKey::Between(
                report_day_first(&month_start.format("%Y-%m-%d").to_string()),
                report_day_last(&month_end.format("%Y-%m-%d").to_string()),
            );
            let mut cursor = None;
            loop {
                let page = self
                    .store
                    .query(
                        Query::partition(report_pk(&month))
                            .sk(sk.clone())
                            .limit(REPORT_PAGE)
                            .eventually_consistent()
                            .after(cursor),
                    )
                    .await?;
                items.extend(page.items);
                match page.cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            month_start = next_month;
        }
        let mut days: BTreeMap<String, Figures> = range
            .days()
            .map(|d| (d.format("%Y-%m-%d").to_string(), Figures::default()))
            .collect();
        items.extend(self.open_presence(Utc::now(), |day| days.contains_key(day)).await?);
        let mut operators: BTreeMap<String, (String, Figures, Presence)> = BTreeMap::new();
        let mut queues: BTreeMap<String, Figures> = BTreeMap::new();
        let mut statuses: BTreeMap<String, Figures> = BTreeMap::new();
        let mut lists: BTreeMap<String, (String, Figures)> = BTreeMap::new();
        for item in &items {
            let (Some(day), Some(kind), Some(id)) =
                (str_attr(item, "day"), str_attr(item, "kind"), str_attr(item, "id"))
            else {
                continue;
            };
            let figures = Figures::of(item);
            match kind {
                "T" => {
                    if let Some(d) = days.get_mut(day) {
                        *d = std::mem::take(d).plus(&figures);
                    }
                }
                "O" => {
                    let e = operators.entry(id.to_owned()).or_default();
                    if let Some(name) = str_attr(item, "name") {
                        e.0 = name.to_owned();
                    }
                    e.1 = std::mem::take(&mut e.1).plus(&figures);
                    e.2 = std::mem::take(&mut e.2).plus(&Presence::of(item));
                }
                "Q" => {
                    let e = queues.entry(id.to_owned()).or_default();
                    *e = std::mem::take(e).plus(&figures);
                }
                "S" => {
                    let e = statuses.entry(id.to_owned()).or_default();
                    *e = std::mem::take(e).plus(&figures);
                }
                "L" => {
                    let e = lists.entry(id.to_owned()).or_default();
                    if let Some(name) = str_attr(item, "name") {
                        e.0 = name.to_owned();
                    }
                    e.1 = std::mem::take(&mut e.1).plus(&figures);
                }
                _ => {}
            }
        }
        let totals = days.values().fold(Figures::default(), |a, f| a.plus(f));
        let mut all_presence = Presence::default();
        let mut operator_rows = Vec::new();
        for (id, (name, figures, presence)) in operators {
            all_presence = all_presence.plus(&presence);
            operator_rows.push(OperatorRow {
                name: if name.is_empty() { id.clone() } else { name },
                id,
                presence: presence.finish(&figures),
                figures,
            });
        }
        // Queues and statuses in the order of the settings, those no longer there after.
        let mut queue_rows: Vec<GroupRow> = settings
            .queues
            .iter()
            .filter_map(|q| {
                queues.remove(q.id.as_str()).map(|figures| GroupRow {
                    id: q.id.to_string(),
                    name: q.name.clone(),
                    figures,
                })
            })
            .collect();
        queue_rows.extend(queues.into_iter().map(|(id, figures)| GroupRow {
            name: id.clone(),
            id,
            figures,
        }));
        let mut status_rows: Vec<GroupRow> = settings
            .response_statuses
            .iter()
            .filter_map(|s| {
                statuses.remove(s.id.as_str()).map(|figures| GroupRow {
                    id: s.id.to_string(),
                    name: s.label.clone(),
                    figures,
                })
            })
            .collect();
        status_rows.extend(statuses.into_iter().map(|(id, figures)| GroupRow {
            name: id.clone(),
            id,
            figures,
        }));
        let centre_calls = operator_rows.iter().fold(Figures::default(), |a, o| a.plus(&o.figures));
        Ok(Report {
            from: range.from.format("%Y-%m-%d").to_string(),
            to: range.to.format("%Y-%m-%d").to_string(),
            service_level_seconds: settings.call_handling.service_level_seconds,
            totals,
            presence: all_presence.finish(&centre_calls),
            days: days.into_iter().map(|(day, figures)| DayRow { day, figures }).collect(),
            operators: operator_rows,
            queues: queue_rows,
            statuses: status_rows,
            lists: lists
                .into_iter()
                .map(|(id, (name, figures))| GroupRow {
                    name: if name.is_empty() { id.clone() } else { name },
                    id,
                    figures,
                })
                .collect(),
        })
    }

    /// A memo's response status changed to `status`: a call already counted under another
    /// status is moved to this one. The move holds only if the call is still counted under the
    /// status read and the memo still has `status`, so a move and the call's count never both
    /// add it, a later change of the status makes its own move, and a later save that keeps the
    /// status (which moves nothing) does not undo this one.
    ///
    /// A move refused because another write changed the call meanwhile (another save's move,
    /// its 後処理 corrected, a transaction at the same moment) is tried again on the call as it
    /// is then: nothing else would make it, as a save that keeps the status reads nothing.
    pub async fn status_changed(&self, sid: &str, status: Option<&str>) -> Result<(), DomainError> {
        for attempt in 0..STATUS_MOVE_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(10 << attempt)).await;
            }
            if self.move_status(sid, status).await? {
                return Ok(());
            }
        }
        tracing::warn!(
            call = sid,
            "the call's response status could not be moved in the reports"
        );
        Ok(())
    }

    /// One try of [`Self::status_changed`]: `false` when the call changed meanwhile.
    async fn move_status(&self, sid: &str, status: Option<&str>) -> Result<bool, DomainError> {
        let Some(call) = self.store.get(&call_key(sid)).await? else {
            return Ok(true);
        };
        if !call.contains_key(call_field::COUNTED) {
            // Counted with the memo's status when it ends.
            return Ok(true);
        }
        let before = str_attr(&call, COUNTED_STATUS);
        if before == status {
            return Ok(true);
        }
        let settings = self.settings.get().await?;
        let Some(facts) = CallFacts::of(
            &call,
            settings.call_handling.service_level_seconds,
            settings.call_handling.wrap_up_seconds,
            settings.queue_of_entry(None),
        ) else {
            return Ok(true);
        };
        let mut mark = Update::default();
        mark = match status {
            Some(s) => mark.set(COUNTED_STATUS, s),
            None => mark.remove(COUNTED_STATUS),
        };
        let mut ops = vec![
            TxOp::Update {
                key: call_key(sid),
                update: mark,
                cond: Some(Cond::And(vec![
                    match before {
                        Some(b) => Cond::eq(COUNTED_STATUS, b),
                        None => Cond::And(vec![Cond::Exists, Cond::AttrNotExists(COUNTED_STATUS.into())]),
                    },
                    // The 後処理 moved is the one read: not corrected meanwhile.
                    match call.get(WRAP_UP_ADJUSTED) {
                        Some(v) => Cond::eq(WRAP_UP_ADJUSTED, v.clone()),
                        None => Cond::AttrNotExists(WRAP_UP_ADJUSTED.into()),
                    },
                ])),
            },
            TxOp::Check {
                key: memo_key(sid),
                cond: match status {
                    Some(s) => Cond::eq("response_status", s),
                    None => Cond::AttrNotExists("response_status".into()),
                },
            },
        ];
        if let Some(b) = before {
            ops.push(bucket(&facts.day, "S", b, None, |u| {
                facts.added(u, -1, facts.status_wrap_up_seconds)
            }));
        }
        if let Some(s) = status {
            ops.push(bucket(&facts.day, "S", s, None, |u| {
                facts.added(u, 1, facts.status_wrap_up_seconds)
            }));
        }
        match self.store.transact(ops).await {
            Ok(()) => Ok(true),
            // The memo's status changed again: that save makes its own move.
            Err(StoreError::ConditionFailed { index: Some(1) }) => Ok(true),
            Err(e) if e.is_condition_failed() => Ok(false),
            Err(StoreError::TransactionConflict) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

/// How many calls one page of the history export holds at most.
pub const EXPORT_PAGE: usize = 100;

/// One call of the history export: the call as recorded, and its memo.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportCall {
    pub call: super::calls::CallRecord,
    pub wait_seconds: i64,
    pub talk_seconds: i64,
    pub hold_seconds: i64,
    pub queue: Option<String>,
    pub memo: Option<String>,
    pub response_status: Option<String>,
}

/// A page of the history export and where the next one starts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportPage {
    pub calls: Vec<ExportCall>,
    /// The cursor of the next page; `None` after the last.
    pub cursor: Option<String>,
}

impl Reports {
    /// A page of the calls counted on the range's days, oldest first, with their memos: at
    /// most `limit` (1 to [`EXPORT_PAGE`]) calls, read by one query per day it reaches (a day
    /// partition's page, or the rest of it) and one batch read per 50 calls (the call and its
    /// memo). `cursor` is the previous page's; one from another range is refused.
    pub async fn export_page(
        &self,
        range: DayRange,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ExportPage, DomainError> {
        let limit = limit.clamp(1, EXPORT_PAGE);
        let bad_cursor = || {
            DomainError::invalid_field(
                "invalid_cursor",
                "cursor",
                "続きの位置（cursor）が正しくありません。最初から取得し直してください",
            )
        };
        let (mut day, mut store_cursor) = match cursor {
            None => (range.from, None),
            Some(c) => {
                let (d, rest) = c.split_once('.').ok_or_else(bad_cursor)?;
                let d = NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| bad_cursor())?;
                if d < range.from || d > range.to {
                    return Err(bad_cursor());
                }
                let sc = if rest.is_empty() {
                    None
                } else {
                    Some(crate::store::Cursor::decode(rest).ok_or_else(bad_cursor)?)
                };
                (d, sc)
            }
        };
        let mut sids: Vec<String> = Vec::new();
        let next = loop {
            let query = Query::partition(crate::store::table::calls_of_day_pk(
                &day.format("%Y-%m-%d").to_string(),
            ))
            .limit((limit - sids.len()) as u32)
            .eventually_consistent();
            if let Some(c) = &store_cursor
                && !c.fits(&query)
            {
                return Err(bad_cursor());
            }
            let page = self.store.query(query.after(store_cursor.take())).await?;
            sids.extend(page.items.iter().filter_map(|i| str_attr(i, "sid")).map(str::to_owned));
            match page.cursor {
                Some(c) if sids.len() >= limit => break Some(format!("{}.{}", day.format("%Y-%m-%d"), c.encode())),
                Some(c) => store_cursor = Some(c),
                None if day >= range.to => break None,
                None => {
                    day += Duration::days(1);
                    if sids.len() >= limit {
                        break Some(format!("{}.", day.format("%Y-%m-%d")));
                    }
                }
            }
        };
        let keys: Vec<_> = sids.iter().flat_map(|sid| [call_key(sid), memo_key(sid)]).collect();
        let items = if keys.is_empty() {
            Vec::new()
        } else {
            self.store.get_many_eventually(&keys).await?
        };
        let mut calls: BTreeMap<String, Item> = BTreeMap::new();
        let mut memos: BTreeMap<String, Item> = BTreeMap::new();
        for item in items {
            let sk = str_attr(&item, crate::store::attr::SK).unwrap_or_default().to_owned();
            let Some(sid) = str_attr(&item, crate::store::attr::PK)
                .and_then(|pk| pk.strip_prefix(crate::store::table::CALL_PREFIX))
                .map(str::to_owned)
            else {
                continue;
            };
            if sk == crate::store::table::MEMO_SK {
                memos.insert(sid, item);
            } else {
                calls.insert(sid, item);
            }
        }
        let settings = self.settings.get().await?;
        let ch = &settings.call_handling;
        let calls = sids
            .iter()
            .filter_map(|sid| {
                let item = calls.get(sid)?;
                let facts = CallFacts::of(
                    item,
                    ch.service_level_seconds,
                    ch.wrap_up_seconds,
                    settings.queue_of_entry(None),
                )?;
                let memo = memos.get(sid);
                Some(ExportCall {
                    call: super::calls::CallRecord::from_item(item)?,
                    wait_seconds: facts.wait_seconds,
                    talk_seconds: facts.talk_seconds,
                    hold_seconds: facts.hold_seconds,
                    queue: facts.queue,
                    memo: memo.and_then(|m| str_attr(m, "text")).map(str::to_owned),
                    response_status: memo.and_then(|m| str_attr(m, "response_status")).map(str::to_owned),
                })
            })
            .collect();
        Ok(ExportPage { calls, cursor: next })
    }
}

fn first_of_next_month(d: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

/// The count marks a call's record gets with its figures: counted on its day, under the
/// memo's response status and in its queue.
pub fn counted_marks(day: &str, status: Option<&str>, queue: Option<&str>) -> Update {
    let mut u = Update::default().set(call_field::COUNTED, json!(day));
    if let Some(s) = status {
        u = u.set(COUNTED_STATUS, s);
    }
    if let Some(q) = queue {
        u = u.set(COUNTED_QUEUE, q);
    }
    u
}

/// Writes an operator's change of presence (`update`, if `cond` holds) together with the
/// presence it ends: their time since their last change, added to their days' figures, and the
/// 後処理 counted at their call's end that they did not take (leaving it early), or the one they
/// chose by hand. The write also holds only if nobody changed their presence since it was read,
/// so the interval is added once; it is read again and tried again when somebody did. Returns
/// the operator's item as written, or `ConditionFailed` when `cond` does not hold.
pub async fn write_presence(store: &dyn Store, key: &Key, update: Update, cond: Cond) -> Result<Item, StoreError> {
    let set = |name: &str| {
        update
            .set
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_str())
            .map(str::to_owned)
    };
    let new_status = set("status").unwrap_or_default();
    // The presence they are in between calls: a wrap-up chosen by hand ends in 受付可 or the
    // presence the call returns them to.
    let segment = if new_status == "wrap_up" {
        set("after_call_status").unwrap_or_else(|| "available".to_owned())
    } else {
        new_status.clone()
    };
    // Each attempt that fails met another change that went through: a few more are tried,
    // a little apart, before the conflict is reported.
    for attempt in 0..PRESENCE_ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(5 << attempt.min(4))).await;
        }
        let Some(stored) = store.get(key).await? else {
            return Err(StoreError::ConditionFailed { index: Some(0) });
        };
        let now = Utc::now();
        let (mut ops, presence) = presence_ops(&stored, now, &segment);
        let id = str_attr(&stored, "id").unwrap_or_default().to_owned();
        let name = str_attr(&stored, "name").map(str::to_owned);
        // A wrap-up still running: the call it follows, and the part of it not taken.
        let running = str_attr(&stored, "wrap_up_until")
            .and_then(parse)
            .filter(|until| str_attr(&stored, "status") == Some("wrap_up") && *until > now);
        let call = match (running, str_attr(&stored, "wrap_up_call")) {
            (Some(_), Some(sid)) => store.get(&call_key(sid)).await?.map(|c| (sid, c)),
            _ => None,
        };
        let call = call.as_ref().map(|(sid, c)| (*sid, c));
        let mut call_adjusted = 0;
        // A call nobody talked on (an outgoing call that found the line busy) was counted with
        // no 後処理: none is taken back.
        let talked = call.is_none_or(|(_, c)| str_attr(c, call_field::STATUS) == Some("completed"));
        if let Some(until) = running.filter(|_| talked) {
            // Taken from the day and queue the call's 後処理 was counted in.
            let since = str_attr(&stored, "status_since").and_then(parse).unwrap_or(now);
            let day = call
                .and_then(|(_, c)| str_attr(c, call_field::COUNTED))
                .map_or_else(|| report_day(since), str::to_owned);
            let queue = call.and_then(|(_, c)| str_attr(c, COUNTED_QUEUE).or_else(|| str_attr(c, "queue")));
            ops.extend(wrap_up_correction(
                &day,
                &id,
                name.as_deref(),
                queue,
                call,
                -secs(now, until),
            ));
            call_adjusted -= secs(now, until);
        }
        if new_status == "wrap_up"
            && let Some(until) = set("wrap_up_until").as_deref().and_then(parse)
        {
            // Chosen again in a running wrap-up, it still follows the same call.
            ops.extend(wrap_up_correction(
                &report_day(now),
                &id,
                name.as_deref(),
                None,
                call,
                secs(now, until),
            ));
            call_adjusted += secs(now, until);
        }
        if let Some((sid, c)) = call
            && call_adjusted != 0
        {
            ops.push(wrap_up_noted(sid, c, call_adjusted));
        }
        let mut u = update.clone();
        u.set.extend(presence.set);
        // Unchanged since read (its version too), so the item as written is the one read with
        // the update applied: no read after the write.
        let write = TxOp::Update {
            key: key.clone(),
            update: u.clone(),
            cond: Some(Cond::And(vec![
                cond.clone(),
                presence_unchanged(&stored),
                version_unchanged(&stored),
            ])),
        };
        ops.insert(0, write);
        match store.transact(merged(ops)).await {
            Ok(()) => {
                let mut written = stored;
                u.apply(&mut written);
                return Ok(written);
            }
            Err(StoreError::TransactionConflict) => continue,
            // The call whose 後処理 it corrects changed meanwhile (its status moved): read again.
            Err(StoreError::ConditionFailed { index: Some(i) }) if i > 0 => continue,
            Err(e) if e.is_condition_failed() => {
                let now_stored = store.get(key).await?;
                let moved = now_stored.as_ref().and_then(|i| str_attr(i, PRESENCE_SINCE))
                    != str_attr(&stored, PRESENCE_SINCE)
                    || now_stored.as_ref().and_then(|i| i.get(VERSION)) != stored.get(VERSION);
                if !moved {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::TransactionConflict)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Services;
    use crate::domain::calls::{CallSummary, Direction};
    use crate::store::Page;
    use crate::store::counting::CountingStore;
    use crate::store::embedded::EmbeddedStore;

    /// An ended call: started at 10:00 Japan time on 2026-11-23 (01:00 UTC), answered after
    /// `wait` seconds (when answered), ended `talk` seconds later, held `hold` of them.
    #[allow(clippy::too_many_arguments)]
    async fn ended(
        s: &Services,
        sid: &str,
        direction: Direction,
        status: &str,
        operator: Option<&str>,
        queue: Option<&str>,
        wait: Option<i64>,
        talk: i64,
        hold: i64,
    ) {
        let start = DateTime::parse_from_rfc3339("2026-11-23T01:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut c = CallSummary::new(sid, direction, None, None, status, at(start), None);
        c.operator_id = operator.map(str::to_owned);
        c.operator_name = operator.map(|o| format!("{o}さん"));
        let answered = wait.map(|w| start + Duration::seconds(w));
        c.answered_at = answered.map(at);
        c.ended_at = Some(at(answered.unwrap_or(start) + Duration::seconds(talk)));
        let mut item = c.to_item();
        if let Some(q) = queue {
            item.insert("queue".into(), q.into());
        }
        if hold > 0 {
            item.insert(HOLD_SECONDS.into(), hold.into());
        }
        s.store.put(item, None).await.unwrap();
    }

    async fn memo(s: &Services, sid: &str, status: &str, version: u64) {
        let key = memo_key(sid);
        let mut item = Item::new();
        item.insert("PK".into(), key.pk.into());
        item.insert("SK".into(), key.sk.into());
        item.insert("call_sid".into(), sid.into());
        item.insert("text".into(), "".into());
        item.insert("response_status".into(), status.into());
        item.insert("version".into(), version.into());
        s.store.put(item, None).await.unwrap();
    }

    fn day(range: &str) -> DayRange {
        DayRange::parse(Some(range), Some(range)).unwrap()
    }

    #[tokio::test]
    async fn ended_calls_are_counted_once_per_day_operator_queue_and_response_status() {
        // Given two answered calls in two queues, an abandoned one, and two outgoing calls,
        let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        ended(
            &s,
            "CA01",
            Direction::Inbound,
            "completed",
            Some("op-sato"),
            Some("repair"),
            Some(10),
            150,
            30,
        )
        .await;
        ended(
            &s,
            "CA02",
            Direction::Inbound,
            "completed",
            Some("op-suzuki"),
            Some("billing"),
            Some(40),
            200,
            0,
        )
        .await;
        ended(
            &s,
            "CA03",
            Direction::Inbound,
            "abandoned",
            None,
            Some("billing"),
            None,
            25,
            0,
        )
        .await;
        ended(
            &s,
            "CA04",
            Direction::Outbound,
            "busy",
            Some("op-sato"),
            None,
            None,
            0,
            0,
        )
        .await;
        ended(
            &s,
            "CA05",
            Direction::Outbound,
            "completed",
            Some("op-sato"),
            None,
            Some(5),
            60,
            0,
        )
        .await;
        memo(&s, "CA01", "resolved", 3).await;
        // when every end is reported twice (a retried callback),
        for sid in ["CA01", "CA02", "CA03", "CA04", "CA05", "CA01", "CA03"] {
            s.monitor.count_ended(sid).await.unwrap();
        }
        // then the centre's figures count each call once,
        let r = s.reports.report(day("2026-11-23")).await.unwrap();
        let t = &r.totals;
        assert_eq!((t.offered, t.answered, t.abandoned, t.answered_in_time), (3, 2, 1, 1));
        assert_eq!(t.service_level_percent, Some(33.3), "1 of 3 offered within 20 s");
        assert_eq!(t.average_answer_seconds, 25, "(10 + 40) / 2");
        assert_eq!((t.talk_seconds, t.hold_seconds), (120 + 200 + 60, 30));
        assert_eq!(t.wrap_up_seconds, 3 * 60, "the planned 60 s after each talked call");
        assert_eq!(t.handled, 3);
        assert_eq!(t.average_handle_seconds, (380 + 30 + 180) / 3);
        assert_eq!(t.outbound, 2);
        assert_eq!(t.outbound_results.get("busy"), Some(&1));
        assert_eq!(t.outbound_results.get("completed"), Some(&1));
        assert_eq!(r.days.len(), 1);
        assert_eq!(r.days[0].figures, *t);
        // per operator,
        let sato = r.operators.iter().find(|o| o.id == "op-sato").unwrap();
        assert_eq!(sato.name, "op-satoさん");
        assert_eq!(
            (sato.figures.answered, sato.figures.outbound, sato.figures.handled),
            (1, 2, 2)
        );
        assert_eq!(sato.figures.talk_seconds, 120 + 60);
        // per queue,
        let billing = r.queues.iter().find(|q| q.id == "billing").unwrap();
        assert_eq!(
            (
                billing.figures.offered,
                billing.figures.answered,
                billing.figures.abandoned
            ),
            (2, 1, 1)
        );
        let repair = r.queues.iter().find(|q| q.id == "repair").unwrap();
        assert_eq!((repair.figures.offered, repair.figures.answered_in_time), (1, 1));
        // and per response status, the one the memo had when the call ended.
        assert_eq!(r.statuses.len(), 1);
        assert_eq!(
            (r.statuses[0].id.as_str(), r.statuses[0].name.as_str()),
            ("resolved", "対応完了")
        );
        assert_eq!(r.statuses[0].figures.answered, 1);
    }

    /// A store on which the memo's response status changes to `callback` just before the
    /// first transaction that counts a call commits: a save made while the call is counted.
    struct StatusSavedDuringTheCount {
        inner: Arc<dyn Store>,
        saved: std::sync::atomic::AtomicBool,
    }

    #[async_trait::async_trait]
    impl Store for StatusSavedDuringTheCount {
        async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
            self.inner.get(key).await
        }
        async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
            self.inner.get_many(keys).await
        }
        async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
            self.inner.put(item, cond).await
        }
        async fn update(&self, key: &Key, update: Update, cond: Option<Cond>) -> Result<Item, StoreError> {
            self.inner.update(key, update, cond).await
        }
        async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
            self.inner.delete(key, cond).await
        }
        async fn query(&self, query: Query) -> Result<Page, StoreError> {
            self.inner.query(query).await
        }
        async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
            let counts = ops.iter().any(|op| {
                matches!(op, TxOp::Update { update, .. } if update.set.iter().any(|(k, _)| k == call_field::COUNTED))
            });
            if counts && !self.saved.swap(true, std::sync::atomic::Ordering::SeqCst) {
                let saved = Update::default().set("response_status", "callback").add("version", 1);
                self.inner.update(&memo_key("CA01"), saved, None).await?;
                // The save's move finds the call not counted yet and leaves it to the count.
                Services::new(self.inner.clone())
                    .reports
                    .status_changed("CA01", Some("callback"))
                    .await
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            }
            self.inner.transact(ops).await
        }
        async fn batch_write(&self, puts: Vec<Item>, deletes: Vec<Key>) -> Result<(), StoreError> {
            self.inner.batch_write(puts, deletes).await
        }
    }

    #[tokio::test]
    async fn a_response_status_saved_while_the_call_is_counted_is_the_one_it_counts_under() {
        // Given an ended call whose memo says 対応完了,
        let inner: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
        let s = Services::new(inner.clone());
        ended(
            &s,
            "CA01",
            Direction::Inbound,
            "completed",
            Some("op-sato"),
            None,
            Some(10),
            150,
            0,
        )
        .await;
        memo(&s, "CA01", "resolved", 1).await;
        // when the memo is saved with 折り返し必要 between the count's read of it and its commit,
        let racing = Services::new(Arc::new(StatusSavedDuringTheCount {
            inner,
            saved: Default::default(),
        }));
        racing.monitor.count_ended("CA01").await.unwrap();
        // then the call counts under 折り返し必要, once.
        let r = s.reports.report(day("2026-11-23")).await.unwrap();
        let by: Vec<(&str, u64)> = r.statuses.iter().map(|g| (g.id.as_str(), g.figures.answered)).collect();
        assert_eq!(by, [("resolved", 0), ("callback", 1)]);
    }

    #[tokio::test]
    async fn a_response_status_changed_after_the_call_moves_the_call_to_the_new_status() {
        // Given a call counted under 対応完了,
        let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        ended(
            &s,
            "CA01",
            Direction::Inbound,
            "completed",
            Some("op-sato"),
            Some("repair"),
            Some(10),
            150,
            0,
        )
        .await;
        memo(&s, "CA01", "resolved", 1).await;
        s.monitor.count_ended("CA01").await.unwrap();
        // when the memo is saved with 折り返し必要 (and the same move is reported twice),
        memo(&s, "CA01", "callback", 2).await;
        s.reports.status_changed("CA01", Some("callback")).await.unwrap();
        s.reports.status_changed("CA01", Some("callback")).await.unwrap();
        // then the call counts under 折り返し必要 only, once.
        let r = s.reports.report(day("2026-11-23")).await.unwrap();
        let by: Vec<(&str, u64)> = r.statuses.iter().map(|g| (g.id.as_str(), g.figures.answered)).collect();
        assert_eq!(by, [("resolved", 0), ("callback", 1)]);
        // A stale move (to a status the memo no longer has) changes nothing.
        s.reports.status_changed("CA01", Some("escalated")).await.unwrap();
        let r = s.reports.report(day("2026-11-23")).await.unwrap();
        assert!(
            r.statuses
                .iter()
                .all(|g| g.id != "escalated" || g.figures.answered == 0)
        );
    }

    #[tokio::test]
    async fn concurrent_counts_of_many_calls_lose_no_figure() {
        let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        for i in 0..20 {
            let sid = format!("CA{i:02}");
            ended(
                &s,
                &sid,
                Direction::Inbound,
                "completed",
                Some("op-sato"),
                Some("repair"),
                Some(5),
                100,
                0,
            )
            .await;
        }
        let runs = (0..40).map(|i| {
            let m = s.monitor.clone();
            tokio::spawn(async move { m.count_ended(&format!("CA{:02}", i % 20)).await })
        });
        for r in futures::future::join_all(runs).await {
            r.unwrap().unwrap();
        }
        let r = s.reports.report(day("2026-11-23")).await.unwrap();
        assert_eq!(r.totals.answered, 20);
        assert_eq!(r.operators[0].figures.talk_seconds, 20 * 100);
    }

    /// Sato, whose presence was `presence` before the call, 10 s into the 60 s 後処理 of CA01;
    /// their operator key.
    async fn sato_ten_seconds_into_wrap_up_of_ca01(store: &dyn Store, presence: &str) -> Key {
        let now = Utc::now();
        let at = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let key = crate::store::table::operator_key("op-sato");
        let mut op = operator_item(presence, &at(now - Duration::seconds(100)));
        op.insert("PK".into(), key.pk.clone().into());
        op.insert("SK".into(), key.sk.clone().into());
        op.insert("status".into(), "wrap_up".into());
        op.insert("status_since".into(), at(now - Duration::seconds(10)).into());
        op.insert("wrap_up_until".into(), at(now + Duration::seconds(50)).into());
        op.insert("wrap_up_call".into(), "CA01".into());
        store.put(op, None).await.unwrap();
        key
    }

    fn operator_item(status: &str, since: &str) -> Item {
        let mut item = Item::new();
        item.insert("id".into(), "op-sato".into());
        item.insert("name".into(), "佐藤".into());
        item.insert(PRESENCE_STATUS.into(), status.into());
        item.insert(PRESENCE_SINCE.into(), since.into());
        item
    }

    fn added(ops: &[TxOp]) -> Vec<(String, Vec<(String, i64)>)> {
        ops.iter()
            .filter_map(|op| match op {
                TxOp::Update { key, update, .. } => Some((key.sk.clone(), update.add.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn presence_over_midnight_is_split_between_the_two_japanese_days() {
        // 受付可 from 23:30 to 00:15 Japan time.
        let stored = operator_item("available", "2026-11-23T14:30:00.000Z");
        let now = DateTime::parse_from_rfc3339("2026-11-23T15:15:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let (ops, next) = presence_ops(&stored, now, "away");
        let expected = |d: &str, s: i64| {
            (
                format!("{d}#O#op-sato"),
                vec![("p_available_s".to_owned(), s), ("login_s".to_owned(), s)],
            )
        };
        assert_eq!(added(&ops), [expected("2026-11-23", 1800), expected("2026-11-24", 900)]);
        assert!(next.set.contains(&(PRESENCE_STATUS.to_owned(), json!("away"))));
    }

    #[test]
    fn time_signed_off_is_not_login_time() {
        let stored = operator_item("offline", "2026-11-23T00:00:00.000Z");
        let now = DateTime::parse_from_rfc3339("2026-11-23T01:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let (ops, _) = presence_ops(&stored, now, "available");
        assert_eq!(
            added(&ops),
            [(
                "2026-11-23#O#op-sato".to_owned(),
                vec![("p_offline_s".to_owned(), 3600)]
            )]
        );
    }

    #[tokio::test]
    async fn utilisation_and_occupancy_follow_the_definitions_shown_in_the_page() {
        // Given an operator logged in 3600 s: 受付可 3000 s (a call of 600 s talk + 60 s 後処理
        // in it), 離席 600 s,
        let store: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
        let s = Services::new(store.clone());
        ended(
            &s,
            "CA01",
            Direction::Inbound,
            "completed",
            Some("op-sato"),
            Some("repair"),
            Some(5),
            600,
            0,
        )
        .await;
        s.monitor.count_ended("CA01").await.unwrap();
        let stored = operator_item("available", "2026-11-23T00:00:00.000Z");
        let (ops, _) = presence_ops(
            &stored,
            DateTime::parse_from_rfc3339("2026-11-23T00:50:00Z").unwrap().into(),
            "away",
        );
        store.transact(ops).await.unwrap();
        let stored = operator_item("away", "2026-11-23T00:50:00.000Z");
        let (ops, _) = presence_ops(
            &stored,
            DateTime::parse_from_rfc3339("2026-11-23T01:00:00Z").unwrap().into(),
            "offline",
        );
        store.transact(ops).await.unwrap();
        // then 稼働率 = (600 + 60 + 2340) / 3600 and 占有率 = 660 / 3000.
        let r = s.reports.report(day("2026-11-23")).await.unwrap();
        let p = &r.operators[0].presence;
        assert_eq!(p.login_seconds, 3600);
        assert_eq!(p.available_seconds, 3000 - 660);
        assert_eq!(p.utilisation_percent, Some(83.3));
        assert_eq!(p.occupancy_percent, Some(22.0));
        assert_eq!(p.status_seconds.get("away"), Some(&600));
    }

    #[tokio::test]
    async fn a_month_of_a_200_operator_centre_is_read_in_eight_queries() {
        // Given 31 days of figures of 200 operators, 3 queues and 6 response statuses (210 a
        // day, 6,510 items),
        let inner: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
        let mut puts = Vec::new();
        for d in 1..=31 {
            let day = format!("2026-12-{d:02}");
            let mut ids: Vec<(&str, String)> = vec![("T", String::new())];
            ids.extend((0..200).map(|i| ("O", format!("op-{i:03}"))));
            ids.extend(["repair", "billing", "sales"].map(|q| ("Q", q.to_owned())));
            ids.extend((0..6).map(|i| ("S", format!("status{i}"))));
            for (kind, id) in ids {
                let key = report_key(&day, kind, &id);
                let mut item = Item::new();
                item.insert("PK".into(), key.pk.into());
                item.insert("SK".into(), key.sk.into());
                for (k, v) in [
                    ("day", json!(day)),
                    ("kind", json!(kind)),
                    ("id", json!(id)),
                    ("offered", json!(1)),
                ] {
                    item.insert(k.into(), v);
                }
                puts.push(item);
            }
        }
        for chunk in puts.chunks(500) {
            inner.batch_write(chunk.to_vec(), Vec::new()).await.unwrap();
        }
        let counting = Arc::new(CountingStore::new(inner));
        let s = Services::new(counting.clone());
        s.settings.get().await.unwrap();
        counting.reset();
        // when December is reported,
        let r = s
            .reports
            .report(DayRange::parse(Some("2026-12-01"), Some("2026-12-31")).unwrap())
            .await
            .unwrap();
        // then every figure is read, in 7 queries of at most 1,000 items, and the operators'
        // presence still open in one of the operator list, and nothing else.
        assert_eq!(r.totals.offered, 31);
        assert_eq!(r.operators.len(), 200);
        assert_eq!(r.operators[0].figures.offered, 31);
        let c = counting.counts();
        assert_eq!((c.queries, c.total()), (8, 8), "{c:?}");
    }

    #[tokio::test]
    async fn a_presence_not_yet_changed_counts_up_to_now_in_the_report() {
        // Given an operator 受付可 for two hours who has not changed their status since,
        let store: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
        let s = Services::new(store.clone());
        let id = crate::ids::OperatorId::parse("op-sato").unwrap();
        s.operators
            .ensure(&id, "佐藤", crate::auth::Role::Operator)
            .await
            .unwrap();
        s.operators.set_status(&id, "available").await.unwrap();
        let since = (Utc::now() - Duration::hours(2)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        store
            .update(
                &crate::store::table::operator_key("op-sato"),
                Update::default().set(PRESENCE_SINCE, since.as_str()),
                None,
            )
            .await
            .unwrap();
        // when yesterday and today are reported (two hours may reach back over midnight),
        let today = Utc::now().with_timezone(&jst()).date_naive();
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let range = DayRange::parse(Some(&day(today - Duration::days(1))), Some(&day(today))).unwrap();
        let r = s.reports.report(range).await.unwrap();
        // then their two hours are logged in and 受付可, though nothing was written for them yet.
        let row = r
            .operators
            .iter()
            .find(|o| o.id == "op-sato")
            .expect("the operator's row");
        assert!(
            (7195..=7210).contains(&row.presence.login_seconds),
            "{:?}",
            row.presence
        );
        assert!(
            (7195..=7210).contains(&row.presence.available_seconds),
            "{:?}",
            row.presence
        );
    }

    #[tokio::test]
    async fn the_history_export_pages_through_every_counted_call_of_the_range_in_bounded_pages() {
        // Given 250 counted calls over three days (120, 0 and 130) and one the day after,
        let inner: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
        let s = Services::new(inner.clone());
        let mut expected = Vec::new();
        for (d, n) in [("2026-11-23", 120), ("2026-11-25", 130), ("2026-11-26", 1)] {
            for i in 0..n {
                let sid = format!("CA{d}-{i:03}");
                let started = format!("{d}T01:00:{:02}.{:03}Z", i / 1000, i % 1000);
                let mut c = CallSummary::new(&sid, Direction::Inbound, None, None, "completed", started, None);
                c.answered_at = c.started_at.clone().into();
                c.ended_at = c.started_at.clone().into();
                s.store.put(c.to_item(), None).await.unwrap();
                s.monitor.count_ended(&sid).await.unwrap();
                if d != "2026-11-26" {
                    expected.push(sid);
                }
            }
        }
        memo(&s, &expected[0], "resolved", 1).await;
        let counting = Arc::new(CountingStore::new(inner));
        let s = Services::new(counting.clone());
        s.settings.get().await.unwrap();
        let range = DayRange::parse(Some("2026-11-23"), Some("2026-11-25")).unwrap();
        // when it is read page by page,
        let mut got = Vec::new();
        let mut cursor: Option<String> = None;
        let mut requests = Vec::new();
        loop {
            counting.reset();
            let page = s
                .reports
                .export_page(range, cursor.as_deref(), EXPORT_PAGE)
                .await
                .unwrap();
            requests.push((counting.counts().queries, counting.counts().batch_gets));
            assert!(page.calls.len() <= EXPORT_PAGE);
            got.extend(page.calls.iter().map(|c| c.call.summary.sid.clone()));
            if got.len() == 1 {
                assert_eq!(page.calls[0].response_status.as_deref(), Some("resolved"));
            }
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        // then every call of the range comes once, in order, and none of the day after;
        assert_eq!(got, expected);
        // each page of 100 calls is a query or a few and two batch reads (200 keys, 100 a request).
        assert_eq!(requests, [(1, 2), (3, 2), (1, 1)], "(queries, batch reads) per page");
        // A cursor of another range is refused.
        let other = DayRange::parse(Some("2026-12-01"), Some("2026-12-02")).unwrap();
        let err = s.reports.export_page(other, Some("2026-11-23."), 10).await.unwrap_err();
        assert!(err.to_string().contains("cursor"), "{err}");
    }

    #[tokio::test]
    async fn leaving_wrap_up_early_takes_the_unused_part_from_the_calls_day_operator_and_queue() {
        // Given a call counted with 60 s of 後処理 planned, its operator 10 s into it,
        let store: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
        let s = Services::new(store.clone());
        ended(
            &s,
            "CA01",
            Direction::Inbound,
            "completed",
            Some("op-sato"),
            Some("repair"),
            Some(5),
            100,
            0,
        )
        .await;
        s.monitor.count_ended("CA01").await.unwrap();
        let key = sato_ten_seconds_into_wrap_up_of_ca01(store.as_ref(), "available").await;
        // when they choose 受付可 now,
        let update = Update::default().set("status", "available");
        write_presence(store.as_ref(), &key, update, Cond::Exists)
            .await
            .unwrap();
        // then the call's day keeps about the 10 s they took, for the centre, them and the queue.
        let r = s.reports.report(day("2026-11-23")).await.unwrap();
        let about_ten = |v: u64| (9..=11).contains(&v);
        assert!(about_ten(r.totals.wrap_up_seconds), "{:?}", r.totals);
        assert!(
            about_ten(r.operators[0].figures.wrap_up_seconds),
            "{:?}",
            r.operators[0]
        );
        assert!(about_ten(r.queues[0].figures.wrap_up_seconds), "{:?}", r.queues[0]);
    }

    #[tokio::test]
    async fn the_wrap_up_taken_after_a_call_counts_under_the_status_its_memo_ends_with() {
        // Given a call counted under 対応完了 with 60 s of 後処理 planned, its operator 10 s
        // into it,
        let store: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
        let s = Services::new(store.clone());
        ended(
            &s,
            "CA01",
            Direction::Inbound,
            "completed",
            Some("op-sato"),
            Some("repair"),
            Some(5),
            100,
            20,
        )
        .await;
        memo(&s, "CA01", "resolved", 1).await;
        s.monitor.count_ended("CA01").await.unwrap();
        let r = s.reports.report(day("2026-11-23")).await.unwrap();
        let resolved = &r.statuses[0].figures;
        assert_eq!(resolved.wrap_up_seconds, 60, "the planned 後処理 at the call's end");
        assert_eq!(resolved.average_handle_seconds, 80 + 20 + 60);
        let key = sato_ten_seconds_into_wrap_up_of_ca01(store.as_ref(), "available").await;
        // when they choose 受付可 now,
        write_presence(
            store.as_ref(),
            &key,
            Update::default().set("status", "available"),
            Cond::Exists,
        )
        .await
        .unwrap();
        // then 対応完了 keeps the 10 s they took, as the centre does, in its AHT too;
        let about_ten = |v: u64| (9..=11).contains(&v);
        let r = s.reports.report(day("2026-11-23")).await.unwrap();
        let resolved = &r.statuses[0];
        assert_eq!(resolved.id, "resolved");
        assert!(about_ten(resolved.figures.wrap_up_seconds), "{resolved:?}");
        assert_eq!(resolved.figures.wrap_up_seconds, r.totals.wrap_up_seconds);
        assert_eq!(
            resolved.figures.average_handle_seconds,
            80 + 20 + resolved.figures.wrap_up_seconds
        );
        // and when the memo is saved afterwards with 折り返し必要, the 10 s move with the call.
        memo(&s, "CA01", "callback", 2).await;
        s.reports.status_changed("CA01", Some("callback")).await.unwrap();
        let r = s.reports.report(day("2026-11-23")).await.unwrap();
        let by: Vec<(&str, u64, bool)> = r
            .statuses
            .iter()
            .map(|g| (g.id.as_str(), g.figures.answered, about_ten(g.figures.wrap_up_seconds)))
            .collect();
        assert_eq!(by, [("resolved", 0, false), ("callback", 1, true)]);
        assert_eq!(r.statuses[0].figures.wrap_up_seconds, 0);
    }

    #[tokio::test]
    async fn leaving_the_wrap_up_of_a_call_nobody_answered_takes_no_wrap_up_back() {
        // Given Sato's outgoing call that found the line busy (counted with no 後処理) and
        // after it the wrap-up routing starts after any call, 10 s into its 60,
        let store: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
        let s = Services::new(store.clone());
        // the same day as a call they talked on (60 s of 後処理),
        ended(
            &s,
            "CA01",
            Direction::Outbound,
            "busy",
            Some("op-sato"),
            None,
            None,
            0,
            0,
        )
        .await;
        ended(
            &s,
            "CA02",
            Direction::Inbound,
            "completed",
            Some("op-sato"),
            Some("repair"),
            Some(5),
            100,
            0,
        )
        .await;
        memo(&s, "CA01", "resolved", 1).await;
        memo(&s, "CA02", "resolved", 1).await;
        s.monitor.count_ended("CA01").await.unwrap();
        s.monitor.count_ended("CA02").await.unwrap();
        let key = sato_ten_seconds_into_wrap_up_of_ca01(store.as_ref(), "away").await;
        // when they sign off,
        write_presence(
            store.as_ref(),
            &key,
            Update::default().set("status", "offline"),
            Cond::Exists,
        )
        .await
        .unwrap();
        // then nothing is taken from the day's 後処理: the busy call was counted with none.
        let r = s.reports.report(day("2026-11-23")).await.unwrap();
        let wrap = |items: &[(&str, &Figures)]| items.iter().map(|(_, f)| f.wrap_up_seconds).collect::<Vec<_>>();
        let stored = store.get(&call_key("CA01")).await.unwrap().unwrap();
        assert_eq!(stored.get(WRAP_UP_ADJUSTED), None);
        assert_eq!(
            wrap(&[
                ("centre", &r.totals),
                ("operator", &r.operators[0].figures),
                ("status", &r.statuses[0].figures)
            ]),
            [60, 60, 60]
        );
    }

    /// Sato's stored item: 受付可 since `since_minutes` ago by their own choice, and what the
    /// system wrote after (`extra`).
    async fn sato_available_since(store: &Arc<dyn Store>, since_minutes: i64, extra: &[(&str, Value)]) {
        let at = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let since = at(Utc::now() - Duration::minutes(since_minutes));
        let key = crate::store::table::operator_key("op-sato");
        let mut op = operator_item("available", &since);
        op.insert("PK".into(), key.pk.clone().into());
        op.insert("SK".into(), key.sk.clone().into());
        op.insert("GSI1PK".into(), ALL_OPERATORS_PK.into());
        op.insert("GSI1SK".into(), "op-sato".into());
        op.insert("role".into(), "operator".into());
        op.insert("status".into(), "available".into());
        op.insert("status_since".into(), since.into());
        op.insert("version".into(), 3.into());
        for (k, v) in extra {
            op.insert((*k).into(), v.clone());
        }
        store.put(op, None).await.unwrap();
    }

    fn minutes_ago(m: i64) -> Value {
        (Utc::now() - Duration::minutes(m))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            .into()
    }

    async fn today_presence(s: &Services) -> Presence {
        let now = Utc::now();
        let range = DayRange::parse(Some(&report_day(now - Duration::hours(3))), Some(&report_day(now))).unwrap();
        let r = s.reports.report(range).await.unwrap();
        r.operators
            .into_iter()
            .find(|o| o.id == "op-sato")
            .expect("Sato's row")
            .presence
    }

    fn about(minutes: u64, seconds: Option<&u64>) -> bool {
        seconds.is_some_and(|s| s.abs_diff(minutes * 60) <= 5)
    }

    #[tokio::test]
    async fn an_offer_missed_ends_the_available_interval_where_routing_set_them_away() {
        // Given Sato 受付可 for 100 minutes, whose browser was closed 40 minutes ago: the call
        // routing offered then rang out and routing set them 離席,
        let store: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
        let s = Services::new(store.clone());
        sato_available_since(
            &store,
            100,
            &[
                ("status", "away".into()),
                ("status_since", minutes_ago(40)),
                ("missed_call_at", minutes_ago(40)),
            ],
        )
        .await;
        // when the report is read, 60 minutes are 受付可 and 40 離席, not 100 受付可;
        let p = today_presence(&s).await;
        assert!(about(60, p.status_seconds.get("available")), "{p:?}");
        assert!(about(40, p.status_seconds.get("away")), "{p:?}");
        assert!(about(100, Some(&p.login_seconds)), "{p:?}");
        // and when they come back and choose 受付可, the interval closed is the same.
        let id = crate::ids::OperatorId::parse("op-sato").unwrap();
        s.operators.set_status(&id, "available").await.unwrap();
        let p = today_presence(&s).await;
        assert!(about(60, p.status_seconds.get("available")), "{p:?}");
        assert!(about(40, p.status_seconds.get("away")), "{p:?}");
    }

    #[tokio::test]
    async fn a_callback_handed_by_routing_ends_the_available_interval_where_it_set_them_away() {
        // Given Sato 受付可 for 90 minutes, handed a callback request 30 minutes ago (離席),
        let store: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
        let s = Services::new(store.clone());
        sato_available_since(
            &store,
            90,
            &[
                ("status", "away".into()),
                ("status_since", minutes_ago(30)),
                ("callback_task", "CA0123456789abcdef0123456789abcdef".into()),
            ],
        )
        .await;
        // when they choose 休憩 without dialling it,
        let id = crate::ids::OperatorId::parse("op-sato").unwrap();
        s.operators.set_status(&id, "break").await.unwrap();
        // then 60 minutes are 受付可 and 30 離席.
        let p = today_presence(&s).await;
        assert!(about(60, p.status_seconds.get("available")), "{p:?}");
        assert!(about(30, p.status_seconds.get("away")), "{p:?}");
    }

    #[tokio::test]
    async fn an_admin_disabling_an_operator_ends_their_logged_in_time_in_the_same_write() {
        // Given Sato 受付可 for two hours,
        let store: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
        let s = Services::new(store.clone());
        sato_available_since(&store, 120, &[]).await;
        let id = crate::ids::OperatorId::parse("op-sato").unwrap();
        // when an admin disables them (signed off at once),
        s.operators
            .set_disabled(&id, "佐藤", crate::auth::Role::Operator, true)
            .await
            .unwrap();
        // then their two hours are written to their figures with the sign-off,
        let stored = store
            .get(&crate::store::table::operator_key("op-sato"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(str_attr(&stored, PRESENCE_STATUS), Some("offline"));
        let now = Utc::now();
        let mut written = 0;
        for d in [report_day(now - Duration::hours(2)), report_day(now)]
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
        {
            if let Some(item) = store.get(&report_key(&d, "O", "op-sato")).await.unwrap() {
                written += n(&item, "login_s");
            }
        }
        assert!(about(120, Some(&written)), "{written} s written");
        // and half an hour later (the sign-off's interval moved back to say so) the report
        // still counts two hours logged in, and the half hour signed off.
        let since = (Utc::now() - Duration::minutes(30)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        store
            .update(
                &crate::store::table::operator_key("op-sato"),
                Update::default().set(PRESENCE_SINCE, since.as_str()),
                None,
            )
            .await
            .unwrap();
        let p = today_presence(&s).await;
        assert!(about(120, Some(&p.login_seconds)), "{p:?}");
        assert!(about(30, p.status_seconds.get("offline")), "{p:?}");
    }

    #[tokio::test]
    async fn an_operator_signed_off_by_the_system_counts_signed_off_from_then() {
        // Given Sato 受付可 for two hours, disabled while on a call that ended 30 minutes ago
        // (routing signed them off: オフライン since then, their own interval still open),
        let store: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
        let s = Services::new(store.clone());
        sato_available_since(
            &store,
            120,
            &[
                ("status", "offline".into()),
                ("status_since", minutes_ago(30)),
                ("disabled", true.into()),
            ],
        )
        .await;
        // then the report counts 90 minutes logged in and 30 signed off,
        let p = today_presence(&s).await;
        assert!(about(90, Some(&p.login_seconds)), "{p:?}");
        assert!(about(30, p.status_seconds.get("offline")), "{p:?}");
        // and so it stays once they are enabled again and choose 受付可.
        let id = crate::ids::OperatorId::parse("op-sato").unwrap();
        s.operators
            .set_disabled(&id, "佐藤", crate::auth::Role::Operator, false)
            .await
            .unwrap();
        s.operators.set_status(&id, "available").await.unwrap();
        let p = today_presence(&s).await;
        assert!(about(90, Some(&p.login_seconds)), "{p:?}");
        assert!(about(30, p.status_seconds.get("offline")), "{p:?}");
    }

    #[tokio::test]
    async fn call_list_results_count_per_code_for_the_centre_the_operator_and_the_list() {
        // Given two results recorded by Sato on one list and one by Suzuki on another,
        let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        let at = DateTime::parse_from_rfc3339("2026-11-23T01:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut ops = result_recorded(at, "op-sato", "佐藤", "L1", "11月キャンペーン", "done");
        s.store.transact(ops.clone()).await.unwrap();
        ops = result_recorded(at, "op-sato", "佐藤", "L1", "11月キャンペーン", "no_answer");
        s.store.transact(ops).await.unwrap();
        ops = result_recorded(at, "op-suzuki", "鈴木", "L2", "休眠顧客", "no_answer");
        s.store.transact(ops).await.unwrap();
        // when the day is reported,
        let r = s.reports.report(day("2026-11-23")).await.unwrap();
        // then the centre has 3 by code, Sato 2, and each list its own.
        let codes = |f: &Figures| CALL_RESULTS.map(|c| f.call_results.get(c).copied().unwrap_or(0));
        assert_eq!((r.totals.results, codes(&r.totals)), (3, [1, 2, 0]));
        let sato = r.operators.iter().find(|o| o.id == "op-sato").unwrap();
        assert_eq!((sato.name.as_str(), codes(&sato.figures)), ("佐藤", [1, 1, 0]));
        let lists: Vec<(&str, [u64; 3])> = r.lists.iter().map(|l| (l.name.as_str(), codes(&l.figures))).collect();
        assert_eq!(lists, [("11月キャンペーン", [1, 1, 0]), ("休眠顧客", [0, 1, 0])]);
    }

    #[tokio::test]
    async fn concurrent_presence_changes_add_each_interval_once() {
        // Given Sato 受付可 for the last 100 s,
        let store: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
        let s = Services::new(store.clone());
        let start = Utc::now() - Duration::seconds(100);
        let key = crate::store::table::operator_key("op-sato");
        let mut op = operator_item("available", &start.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        op.insert("PK".into(), key.pk.clone().into());
        op.insert("SK".into(), key.sk.clone().into());
        op.insert("status".into(), "available".into());
        op.insert("status_since".into(), op["pres_since"].clone());
        op.insert("role".into(), "operator".into());
        op.insert("version".into(), 1.into());
        store.put(op, None).await.unwrap();
        // when eight changes of their presence race,
        let id = crate::ids::OperatorId::parse("op-sato").unwrap();
        let runs = (0..8).map(|i| {
            let ops = s.operators.clone();
            let id = id.clone();
            tokio::spawn(async move { ops.set_status(&id, if i % 2 == 0 { "away" } else { "available" }).await })
        });
        for r in futures::future::join_all(runs).await {
            r.unwrap().unwrap();
        }
        // then the intervals they closed add up to the time since the first one began, none lost
        // or counted twice.
        let stored = store.get(&key).await.unwrap().unwrap();
        let last = parse(str_attr(&stored, PRESENCE_SINCE).unwrap()).unwrap();
        let today = report_day(Utc::now());
        let r = s
            .reports
            .report(DayRange::parse(Some(&report_day(start)), Some(&today)).unwrap())
            .await
            .unwrap();
        let login = r.operators[0].presence.login_seconds as i64;
        let elapsed = (last - start).num_seconds();
        assert!((elapsed - 8..=elapsed).contains(&login), "login {login} of {elapsed} s");
    }

    #[tokio::test]
    async fn choosing_wrap_up_by_hand_adds_it_beside_the_presence_it_ends() {
        // Given Sato 受付可 for 100 s,
        let store: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
        let s = Services::new(store.clone());
        let start = Utc::now() - Duration::seconds(100);
        let key = crate::store::table::operator_key("op-sato");
        let mut op = operator_item("available", &start.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        op.insert("PK".into(), key.pk.clone().into());
        op.insert("SK".into(), key.sk.clone().into());
        op.insert("status".into(), "available".into());
        op.insert("status_since".into(), op["pres_since"].clone());
        op.insert("role".into(), "operator".into());
        store.put(op, None).await.unwrap();
        // when they choose 後処理 (60 s by default), both go to their day's item in one write.
        let id = crate::ids::OperatorId::parse("op-sato").unwrap();
        s.operators.set_status(&id, "wrap_up").await.unwrap();
        let today = report_day(Utc::now());
        let r = s
            .reports
            .report(DayRange::parse(Some(&report_day(start)), Some(&today)).unwrap())
            .await
            .unwrap();
        let o = &r.operators[0];
        assert!((99..=101).contains(&o.presence.login_seconds), "{o:?}");
        assert!((59..=60).contains(&o.figures.wrap_up_seconds), "{o:?}");
    }

    #[test]
    fn hold_is_read_from_the_notes_in_sequence_order_whatever_order_they_were_written() {
        let mut call = Item::new();
        for (seq, at, held) in [
            (7, "2026-11-23T01:02:40Z", false),
            (3, "2026-11-23T01:01:00Z", true),
            (9, "2026-11-23T01:03:00Z", true),
            (5, "2026-11-23T01:01:30Z", false),
            (6, "2026-11-23T01:02:00Z", true),
        ] {
            call.insert(hold_note_attr(seq), hold_note(at, held).into());
        }
        let end = parse("2026-11-23T01:03:20Z");
        // 30 s, then 40 s, then 20 s still on hold at the end.
        assert_eq!(held_seconds(&call, end), 30 + 40 + 20);
    }

    #[test]
    fn a_range_is_refused_in_japanese_saying_what_to_fix() {
        let msg = |from: Option<&str>, to: Option<&str>| DayRange::parse(from, to).unwrap_err().to_string();
        assert!(msg(None, Some("2026-12-01")).contains("from に日付を YYYY-MM-DD で指定してください"));
        assert!(msg(Some("2026/12/01"), Some("2026-12-01")).contains("日付として読めません"));
        assert!(msg(Some("2026-12-02"), Some("2026-12-01")).contains("終了日が開始日より前です"));
        assert!(msg(Some("2026-01-01"), Some("2026-04-03")).contains("期間は92日以内で指定してください"));
        assert!(
            DayRange::parse(Some("2026-01-01"), Some("2026-04-02")).is_ok(),
            "92 days"
        );
    }
}
