//! Call lists (架電リスト): lists of people to call, made by admins and imported from CSV files,
//! worked through by operators one target at a time.
//!
//! A target is **leased** to the operator who opens it: a write conditioned on the target's
//! version, so two operators never dial the same target; a lease that ran out (a closed tab)
//! can be taken by the next operator. The call's result (a response status, a memo and an
//! outcome) ends the lease and moves the target to 完了 done, 不在 no answer, or 再架電 callback,
//! which brings it back to the front of the queue at the chosen time.
//!
//! Progress counts are counters changed by atomic ADDs in the same transaction as the state
//! change they count, spread over a few counter items (see [`CALL_LIST_COUNTER_SHARDS`]) and summed
//! when read: they stay exact under any number of concurrent operators, and nothing is counted
//! by reading targets. Imports are chunked: each chunk of a file is one request whose target ids
//! are derived from the import and the file's line numbers and written with conditional puts, so
//! sending a chunk twice never duplicates a target. Keys are documented in
//! [`crate::store::table`].

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::crm::{Crm, Lookup, Paged};
use super::settings::SettingsService;
use crate::error::DomainError;
use crate::ids::{OperatorId, RecordId};
use crate::phone::{ContactNumber, PhoneNumber};
use crate::store::table::{
    CALL_LIST_COUNTER_SHARDS, CALL_LIST_SK, CALL_LISTS_GSI_PK, call_list_counter_key, call_list_import_sk,
    call_list_pk, call_list_state_pk, call_list_target_sk,
};
use crate::store::{Cond, Cursor, Index, Item, Key, MAX_TX_OPS, Query, SortKey, Store, StoreError, TxOp, Update, attr};
use crate::twilio::CallSid;

/// How long a lease lasts when the operator does not say.
pub const DEFAULT_LEASE_SECONDS: u32 = 600;
/// The longest lease an operator may ask for.
pub const MAX_LEASE_SECONDS: u32 = 3600;
/// The most rows one import chunk may carry (the page sends about 2,000).
pub const MAX_CHUNK_ROWS: usize = 5_000;
/// The highest line number of an imported file (target ids hold seven digits of it).
pub const MAX_LINE: u64 = 9_999_999;
/// The most columns an imported file may have.
pub const MAX_COLUMNS: usize = 100;
/// The most failed rows a chunk's report lists one by one (all are counted).
pub const MAX_LISTED_FAILURES: usize = 500;
/// The longest memo a result may carry, as for a call's memo.
pub const MEMO_MAX_CHARS: usize = 10_000;

const NAME_MAX_CHARS: usize = 100;
const DESCRIPTION_MAX_CHARS: usize = 1_000;
const CELL_MAX_CHARS: usize = 200;
const NOTES_MAX_CHARS: usize = 2_000;
const EXTRA_MAX_CHARS: usize = 500;
const MAX_EXTRA_COLUMNS: usize = 20;
/// Phone lookups in flight at once while a chunk is linked to the CRM.
const LOOKUP_CONCURRENCY: usize = 16;
/// Targets per import transaction: the rest of the 100 writes are the list check and a counter.
const TARGETS_PER_TX: usize = MAX_TX_OPS - 2;
/// Attempts of a read-modify-write that lost a race before the caller is told to retry.
const ATTEMPTS: usize = 4;
/// A list deletion removes at most this many items per request, so each stays well within
/// the Lambda timeout; the page repeats the request until the list is gone.
const DELETE_ITEMS_PER_REQUEST: usize = 5_000;
const DELETE_TIME_BUDGET: Duration = Duration::from_secs(10);

/// Where a target is in the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetState {
    /// 未架電: not called yet.
    NotCalled,
    /// 架電中: leased to an operator who is calling it.
    InProgress,
    /// 不在: called, nobody answered.
    NoAnswer,
    /// 完了: finished.
    Done,
    /// 再架電: to be called back at `callback_at`.
    Callback,
}

impl TargetState {
    pub const ALL: [TargetState; 5] = [
        TargetState::NotCalled,
        TargetState::InProgress,
        TargetState::NoAnswer,
        TargetState::Done,
        TargetState::Callback,
    ];

    /// The state's name in the API and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetState::NotCalled => "not_called",
            TargetState::InProgress => "in_progress",
            TargetState::NoAnswer => "no_answer",
            TargetState::Done => "done",
            TargetState::Callback => "callback",
        }
    }

    /// The state named `s`, or a 422 listing the names.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| {
            DomainError::invalid_field(
                "invalid_state",
                "state",
                format!("'{s}' is not a target state; use not_called, in_progress, no_answer, done or callback"),
            )
        })
    }
}

impl fmt::Display for TargetState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
    fn state(self) -> TargetState {
        match self {
            Outcome::Done => TargetState::Done,
            Outcome::NoAnswer => TargetState::NoAnswer,
            Outcome::Callback => TargetState::Callback,
        }
    }
}

/// Targets of a list by state. Always exact: kept by the writes that change states.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Counts {
    pub not_called: i64,
    pub in_progress: i64,
    pub no_answer: i64,
    pub done: i64,
    pub callback: i64,
    pub total: i64,
}

impl Counts {
    fn add_item(&mut self, item: &Item) {
        let n = |k: &str| item.get(k).and_then(Value::as_i64).unwrap_or(0);
        self.not_called += n("not_called");
        self.in_progress += n("in_progress");
        self.no_answer += n("no_answer");
        self.done += n("done");
        self.callback += n("callback");
        self.total += n("total");
    }

    /// The count of one state.
    pub fn of(&self, state: TargetState) -> i64 {
        match state {
            TargetState::NotCalled => self.not_called,
            TargetState::InProgress => self.in_progress,
            TargetState::NoAnswer => self.no_answer,
            TargetState::Done => self.done,
            TargetState::Callback => self.callback,
        }
    }
}

/// A call list as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CallList {
    #[schema(value_type = String)]
    pub id: RecordId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The outbound line (caller ID) the list is dialled on: an id of the settings' lines.
    pub line_id: String,
    /// The talk script shown while calling: an id of the settings' scripts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_id: Option<String>,
    pub version: u64,
    #[serde(default)]
    #[schema(required)]
    pub counts: Counts,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// What an admin sends to create a list.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCallList {
    pub name: String,
    pub line_id: String,
    #[serde(default)]
    pub script_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// What an admin sends to change a list: every editable field, and the version read.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallListUpdate {
    pub version: u64,
    pub name: String,
    pub line_id: String,
    #[serde(default)]
    pub script_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A column of the imported file kept on the target as it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExtraValue {
    pub column: String,
    pub value: String,
}

/// Who holds a target's lease, until when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LeaseHolder {
    pub operator_id: String,
    pub operator_name: String,
    pub expires_at: String,
    /// The lease ran out: another operator may take the target.
    #[serde(default)]
    #[schema(required)]
    pub expired: bool,
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

/// A person or company to call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Target {
    pub id: String,
    #[schema(value_type = String)]
    pub list_id: RecordId,
    #[schema(value_type = String)]
    pub import_id: RecordId,
    /// The line of the imported file the target came from.
    pub source_line: u64,
    pub state: TargetState,
    /// E.164, as dialled.
    pub phone: String,
    /// The national form an operator reads (`03-1234-5678`, `03-1234-5678 内線 123`).
    pub phone_display: String,
    /// The extension to dial after the line answers, when the file wrote one (`内線 123`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_extension: Option<String>,
    /// What the operator sees first: the file's name column, else the contact, else the account,
    /// else the number.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    /// The CRM account the number belongs to, when it matched one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The CRM contact the number belongs to, when it matched one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default)]
    #[schema(required)]
    pub extra: Vec<ExtraValue>,
    /// When a 再架電 target is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<LeaseHolder>,
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_result: Option<TargetResult>,
    pub version: u64,
    pub created_at: String,
    pub updated_at: String,
}

/// A target with the results of every call made to it, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TargetDetail {
    pub target: Target,
    pub results: Vec<TargetResult>,
}

/// The outbound line a leased target is dialled on.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LeaseLine {
    pub id: String,
    /// E.164, the caller ID to dial with.
    pub number: String,
    pub display: String,
    pub label: String,
}

/// A target leased to the calling operator, with what dialling it needs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Lease {
    pub target: Target,
    pub line: LeaseLine,
    /// The list's talk script, else the line's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script_id: Option<String>,
    pub expires_at: String,
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

/// A column of the file, by its header name or its 1-based number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ColumnRef {
    Number(u32),
    Name(String),
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnRef::Number(n) => write!(f, "column {n}"),
            ColumnRef::Name(s) => write!(f, "column '{s}'"),
        }
    }
}

/// Which columns of the file hold what.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    pub phone: ColumnRef,
    #[serde(default)]
    pub name: Option<ColumnRef>,
    /// The account (取引先) name.
    #[serde(default)]
    pub account: Option<ColumnRef>,
    /// The contact (取引先担当者) name.
    #[serde(default)]
    pub contact: Option<ColumnRef>,
    #[serde(default)]
    pub notes: Option<ColumnRef>,
    /// Columns kept on each target as they are.
    #[serde(default)]
    pub extra: Vec<ColumnRef>,
}

/// The mapping as 1-based column numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ResolvedMapping {
    pub phone: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<usize>,
    #[serde(default)]
    #[schema(required)]
    pub extra: Vec<usize>,
}

/// How the bytes of an imported file are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportEncoding {
    /// UTF-8 (with or without a BOM) when the bytes are valid UTF-8, else Shift_JIS.
    #[default]
    Auto,
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "shift_jis")]
    ShiftJis,
}

/// What an admin sends to start importing a file.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewImport {
    /// The names of the file's columns (its header row, as the preview returned it). For a
    /// file without a header, any names, one per column.
    pub columns: Vec<String>,
    pub mapping: ColumnMapping,
    #[serde(default)]
    pub encoding: ImportEncoding,
    #[serde(default)]
    pub file_name: Option<String>,
    /// Rows the page expects to send, for its progress bar.
    #[serde(default)]
    pub total_rows: Option<u64>,
}

/// An import and its progress so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Import {
    #[schema(value_type = String)]
    pub id: RecordId,
    #[schema(value_type = String)]
    pub list_id: RecordId,
    pub columns: Vec<String>,
    pub mapping: ResolvedMapping,
    pub encoding: ImportEncoding,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_rows: Option<u64>,
    /// Rows imported (or found already imported) in the chunks received so far.
    #[serde(default)]
    #[schema(required)]
    pub rows_imported: u64,
    #[serde(default)]
    #[schema(required)]
    pub rows_failed: u64,
    /// Imported rows whose number matched a CRM account or contact.
    #[serde(default)]
    #[schema(required)]
    pub rows_linked: u64,
    #[serde(default)]
    #[schema(required)]
    pub chunks: u64,
    pub created_at: String,
    pub created_by: String,
}

/// A row of an imported file: its line number in the file and its cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsvRow {
    pub line: u64,
    pub cells: Vec<String>,
}

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowFailure {
    /// The line of the file the row starts on.
    pub line: u64,
    /// `wrong_column_count`, `missing_phone`, `invalid_phone`, `too_long` or `bad_encoding`.
    pub code: String,
    /// The column at fault, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub reason: String,
}

/// What became of one chunk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChunkReport {
    #[schema(value_type = String)]
    pub import_id: RecordId,
    pub first_line: u64,
    /// `utf-8`, `utf-8-bom` or `shift_jis`: how the chunk's bytes were read.
    pub encoding: String,
    /// Rows in the chunk (a repeated header row is not counted).
    pub rows: u64,
    /// Rows that are targets now, whether written by this request or an earlier send.
    pub imported: u64,
    /// Imported rows linked to a CRM account or contact.
    pub linked: u64,
    pub failed_count: u64,
    /// The failed rows, at most [`MAX_LISTED_FAILURES`].
    pub failed: Vec<RowFailure>,
    /// This chunk had been received before; nothing was written again.
    #[serde(default)]
    #[schema(required)]
    pub repeated: bool,
}

/// A chunk's report with the import's totals after it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChunkResponse {
    pub chunk: ChunkReport,
    pub import: Import,
}

/// Where deleting a large list got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DeleteProgress {
    pub deleted: u64,
    /// Whether the list is gone; when false, send the request again.
    pub done: bool,
}

/// A target's id: the import it came from and the line of the file, so that a chunk sent twice
/// yields the same ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TargetId(String);

impl TargetId {
    /// The id of the target imported from `line` of the file of `import`.
    pub fn new(import: &RecordId, line: u64) -> Self {
        Self(format!("{import}-{line:07}"))
    }

    /// Parses an id from a path.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let ok = s.len() == 34
            && s.is_ascii()
            && s.as_bytes()[26] == b'-'
            && RecordId::parse(&s[..26]).is_ok()
            && s[27..].bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(DomainError::NotFound(format!(
                "there is no target '{}'",
                s.chars().take(64).collect::<String>()
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TargetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn now() -> String {
    stamp(chrono::Utc::now())
}

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn list_key(list: &RecordId) -> Key {
    Key::new(call_list_pk(list), CALL_LIST_SK)
}

fn target_key(list: &RecordId, target: &str) -> Key {
    Key::new(call_list_pk(list), call_list_target_sk(target))
}

fn import_key(list: &RecordId, import: &RecordId) -> Key {
    Key::new(call_list_pk(list), call_list_import_sk(import))
}

fn chunk_key(list: &RecordId, import: &RecordId, first_line: u64) -> Key {
    Key::new(
        call_list_pk(list),
        format!("{}#C#{first_line:07}", call_list_import_sk(import)),
    )
}

fn result_key(list: &RecordId, target: &str, attempt: u32) -> Key {
    Key::new(call_list_pk(list), format!("R#{target}#{attempt:05}"))
}

fn list_not_found(list: &RecordId) -> DomainError {
    DomainError::NotFound(format!("there is no call list {list}"))
}

fn target_not_found(target: &TargetId) -> DomainError {
    DomainError::NotFound(format!("there is no target {target} in this list"))
}

fn unreadable(what: &str, e: impl fmt::Display) -> DomainError {
    DomainError::Unavailable(format!("stored {what} is unreadable: {e}").into())
}

/// The counter item a target's state changes are counted on.
fn shard_of(target: &str) -> u64 {
    let h = Sha256::digest(target.as_bytes());
    u64::from(h[0]) % CALL_LIST_COUNTER_SHARDS
}

/// The condition every write into a list carries: the list exists and is not being deleted.
fn list_alive(list: &RecordId) -> TxOp {
    TxOp::Check {
        key: list_key(list),
        cond: Cond::And(vec![Cond::Exists, Cond::AttrNotExists("deleting".into())]),
    }
}

fn counter_op(list: &RecordId, shard: u64, deltas: &[(TargetState, i64)], total: i64) -> TxOp {
    let mut update = Update::default();
    for (state, d) in deltas {
        update = update.add(state.as_str(), *d);
    }
    if total != 0 {
        update = update.add("total", total);
    }
    TxOp::Update {
        key: call_list_counter_key(list, shard),
        update,
        cond: None,
    }
}

/// Applies a transaction, retrying a few times with jittered backoff when DynamoDB reports a
/// conflict with another transaction on the same items (counters are shared by design).
async fn transact(store: &dyn Store, ops: Vec<TxOp>) -> Result<(), StoreError> {
    let mut attempt = 0u32;
    loop {
        match store.transact(ops.clone()).await {
            Err(StoreError::TransactionConflict) if attempt < 5 => {
                let ms = 10u64 << attempt;
                tokio::time::sleep(Duration::from_millis(rand::random_range(ms / 2..=ms))).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn text(value: &str, field: &str, max: usize, required: bool) -> Result<Option<String>, DomainError> {
    let t = value.trim();
    if t.is_empty() {
        return if required {
            Err(DomainError::invalid_field(
                "required",
                field,
                format!("{field} is required"),
            ))
        } else {
            Ok(None)
        };
    }
    if t.chars().count() > max {
        return Err(DomainError::invalid_field(
            "too_long",
            field,
            format!("{field} holds at most {max} characters"),
        ));
    }
    Ok(Some(t.to_owned()))
}

fn list_from_item(item: &Item) -> Result<CallList, DomainError> {
    serde_json::from_value(Value::Object(strip(item, &["deleting"]))).map_err(|e| unreadable("call list", e))
}

fn strip(item: &Item, extra: &[&str]) -> Item {
    let mut m = item.clone();
    for k in [
        attr::PK,
        attr::SK,
        attr::GSI1PK,
        attr::GSI1SK,
        attr::GSI2PK,
        attr::GSI2SK,
    ]
    .iter()
    .chain(extra)
    {
        m.remove(*k);
    }
    m
}

/// A target as stored: the API's view plus the state a lease returns to.
struct Stored {
    target: Target,
    prev_state: Option<TargetState>,
}

fn target_from_item(item: &Item, at: &str) -> Result<Stored, DomainError> {
    let prev_state = item
        .get("prev_state")
        .and_then(Value::as_str)
        .and_then(|s| TargetState::parse(s).ok());
    let mut target: Target =
        serde_json::from_value(Value::Object(strip(item, &["prev_state"]))).map_err(|e| unreadable("target", e))?;
    if let Some(l) = &mut target.lease {
        l.expired = l.expires_at.as_str() <= at;
    }
    Ok(Stored { target, prev_state })
}

/// Where a target sorts within its state: the order the queue calls them in.
fn state_order_key(t: &Target) -> String {
    match t.state {
        TargetState::NotCalled => t.id.clone(),
        TargetState::InProgress => format!(
            "{}#{}",
            t.lease.as_ref().map(|l| l.expires_at.as_str()).unwrap_or_default(),
            t.id
        ),
        TargetState::Callback => format!("{}#{}", t.callback_at.as_deref().unwrap_or_default(), t.id),
        TargetState::NoAnswer | TargetState::Done => format!("{}#{}", t.updated_at, t.id),
    }
}

fn target_item(t: &Target, prev_state: Option<TargetState>) -> Result<Item, DomainError> {
    let Value::Object(mut item) = serde_json::to_value(t).map_err(|e| unreadable("target", e))? else {
        return Err(unreadable("target", "not an object"));
    };
    if let Some(Value::Object(l)) = item.get_mut("lease") {
        l.remove("expired");
    }
    let key = target_key(&t.list_id, &t.id);
    item.insert(attr::PK.into(), key.pk.into());
    item.insert(attr::SK.into(), key.sk.into());
    item.insert(
        attr::GSI1PK.into(),
        call_list_state_pk(&t.list_id, t.state.as_str()).into(),
    );
    item.insert(attr::GSI1SK.into(), state_order_key(t).into());
    if let Some(p) = prev_state {
        item.insert("prev_state".into(), p.as_str().into());
    }
    Ok(item)
}

fn to_item<T: Serialize>(value: &T, key: Key, what: &str) -> Result<Item, DomainError> {
    let Value::Object(mut item) = serde_json::to_value(value).map_err(|e| unreadable(what, e))? else {
        return Err(unreadable(what, "not an object"));
    };
    item.insert(attr::PK.into(), key.pk.into());
    item.insert(attr::SK.into(), key.sk.into());
    Ok(item)
}

/// What a phone number links a target to in the CRM.
#[derive(Debug, Clone, Default)]
struct Link {
    account_id: Option<String>,
    account_name: Option<String>,
    contact_id: Option<String>,
    contact_name: Option<String>,
}

fn link_of(l: &Lookup) -> Option<Link> {
    if let Some(c) = l.contacts.first() {
        let account = c
            .record
            .account_id
            .as_ref()
            .and_then(|a| l.accounts.iter().find(|m| &m.record.id == a));
        return Some(Link {
            account_id: c.record.account_id.as_ref().map(|a| a.to_string()),
            account_name: account.map(|m| m.record.title.clone()),
            contact_id: Some(c.record.id.to_string()),
            contact_name: Some(c.record.title.clone()),
        });
    }
    l.accounts.first().map(|a| Link {
        account_id: Some(a.record.id.to_string()),
        account_name: Some(a.record.title.clone()),
        ..Link::default()
    })
}

/// A row that passed the checks, before it is linked to the CRM.
struct GoodRow {
    line: u64,
    phone: ContactNumber,
    name: Option<String>,
    account: Option<String>,
    contact: Option<String>,
    notes: Option<String>,
    extra: Vec<ExtraValue>,
}

fn check_row(import: &Import, row: &CsvRow) -> Result<GoodRow, RowFailure> {
    let fail = |code: &str, column: Option<usize>, reason: String| RowFailure {
        line: row.line,
        code: code.into(),
        column: column.and_then(|c| import.columns.get(c - 1).cloned()),
        reason,
    };
    if row.cells.len() != import.columns.len() {
        return Err(fail(
            "wrong_column_count",
            None,
            format!(
                "line {} has {} columns but the file has {}; check for a missing or extra comma or an unclosed quote",
                row.line,
                row.cells.len(),
                import.columns.len()
            ),
        ));
    }
    if let Some((i, _)) = row.cells.iter().enumerate().find(|(_, c)| c.contains('\u{FFFD}')) {
        return Err(fail(
            "bad_encoding",
            Some(i + 1),
            format!(
                "line {} has characters that could not be read; save the file as CSV in UTF-8 or Shift_JIS",
                row.line
            ),
        ));
    }
    let m = &import.mapping;
    let cell = |c: usize| row.cells[c - 1].trim();
    let raw_phone = cell(m.phone);
    if raw_phone.is_empty() {
        return Err(fail(
            "missing_phone",
            Some(m.phone),
            format!("line {}: the phone number is empty", row.line),
        ));
    }
    let phone = ContactNumber::parse(raw_phone)
        .map_err(|e| fail("invalid_phone", Some(m.phone), format!("line {}: {e}", row.line)))?;
    let opt = |c: Option<usize>, max: usize| -> Result<Option<String>, RowFailure> {
        let Some(c) = c else { return Ok(None) };
        let v = cell(c);
        if v.chars().count() > max {
            return Err(fail(
                "too_long",
                Some(c),
                format!(
                    "line {}: {} holds at most {max} characters",
                    row.line,
                    import.columns[c - 1]
                ),
            ));
        }
        Ok((!v.is_empty()).then(|| v.to_owned()))
    };
    let name = opt(m.name, CELL_MAX_CHARS)?;
    let account = opt(m.account, CELL_MAX_CHARS)?;
    let contact = opt(m.contact, CELL_MAX_CHARS)?;
    let notes = opt(m.notes, NOTES_MAX_CHARS)?;
    let mut extra = Vec::with_capacity(m.extra.len());
    for &c in &m.extra {
        if let Some(value) = opt(Some(c), EXTRA_MAX_CHARS)? {
            extra.push(ExtraValue {
                column: import.columns[c - 1].clone(),
                value,
            });
        }
    }
    Ok(GoodRow {
        line: row.line,
        phone,
        name,
        account,
        contact,
        notes,
        extra,
    })
}

fn resolve_mapping(columns: &[String], mapping: &ColumnMapping) -> Result<ResolvedMapping, DomainError> {
    let resolve = |r: &ColumnRef, field: &str| -> Result<usize, DomainError> {
        match r {
            ColumnRef::Number(n) if *n >= 1 && (*n as usize) <= columns.len() => Ok(*n as usize),
            ColumnRef::Number(n) => Err(DomainError::invalid_field(
                "unknown_column",
                format!("mapping.{field}"),
                format!("column {n} does not exist; the file has {} columns", columns.len()),
            )),
            ColumnRef::Name(s) => {
                let hits: Vec<usize> = columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.trim() == s.trim())
                    .map(|(i, _)| i + 1)
                    .collect();
                match hits.as_slice() {
                    [one] => Ok(*one),
                    [] => Err(DomainError::invalid_field(
                        "unknown_column",
                        format!("mapping.{field}"),
                        format!("there is no column '{s}'; the columns are: {}", columns.join(", ")),
                    )),
                    _ => Err(DomainError::invalid_field(
                        "ambiguous_column",
                        format!("mapping.{field}"),
                        format!(
                            "the file has {} columns named '{s}'; refer to it by its number",
                            hits.len()
                        ),
                    )),
                }
            }
        }
    };
    let opt = |r: &Option<ColumnRef>, field: &str| r.as_ref().map(|r| resolve(r, field)).transpose();
    if mapping.extra.len() > MAX_EXTRA_COLUMNS {
        return Err(DomainError::invalid_field(
            "too_many_columns",
            "mapping.extra",
            format!("keep at most {MAX_EXTRA_COLUMNS} extra columns"),
        ));
    }
    let resolved = ResolvedMapping {
        phone: resolve(&mapping.phone, "phone")?,
        name: opt(&mapping.name, "name")?,
        account: opt(&mapping.account, "account")?,
        contact: opt(&mapping.contact, "contact")?,
        notes: opt(&mapping.notes, "notes")?,
        extra: mapping
            .extra
            .iter()
            .map(|r| resolve(r, "extra"))
            .collect::<Result<_, _>>()?,
    };
    let mut seen = BTreeSet::new();
    for c in [
        Some(resolved.phone),
        resolved.name,
        resolved.account,
        resolved.contact,
        resolved.notes,
    ]
    .into_iter()
    .flatten()
    .chain(resolved.extra.iter().copied())
    {
        if !seen.insert(c) {
            return Err(DomainError::invalid_field(
                "column_mapped_twice",
                "mapping",
                format!("the column '{}' is mapped twice; map each column once", columns[c - 1]),
            ));
        }
    }
    Ok(resolved)
}

fn chunk_hash(rows: &[CsvRow]) -> String {
    let mut h = Sha256::new();
    for r in rows {
        h.update(r.line.to_be_bytes());
        for c in &r.cells {
            h.update((c.len() as u64).to_be_bytes());
            h.update(c.as_bytes());
        }
    }
    format!("{:x}", h.finalize())
}

fn parse_callback_at(
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

/// The call-list service.
pub struct CallLists {
    store: Arc<dyn Store>,
    settings: Arc<SettingsService>,
    crm: Arc<Crm>,
}

impl CallLists {
    /// The service links imported numbers to the CRM through its own [`Crm`] on the same store
    /// and settings.
    pub fn new(store: Arc<dyn Store>, settings: Arc<SettingsService>) -> Self {
        Self {
            crm: Arc::new(Crm::new(store.clone(), settings.clone())),
            store,
            settings,
        }
    }

    async fn check_line_and_script(&self, line_id: &str, script_id: Option<&str>) -> Result<(), DomainError> {
        let settings = self.settings.get().await?;
        if settings.line(line_id).is_none() {
            let known: Vec<&str> = settings.lines.iter().map(|l| l.id.as_str()).collect();
            return Err(DomainError::invalid_field(
                "unknown_line",
                "line_id",
                if known.is_empty() {
                    "no outbound line is set up yet; add one in the settings first".to_owned()
                } else {
                    format!("there is no line '{line_id}'; choose one of: {}", known.join(", "))
                },
            ));
        }
        if let Some(s) = script_id
            && !settings.scripts.iter().any(|x| x.id.as_str() == s)
        {
            return Err(DomainError::invalid_field(
                "unknown_script",
                "script_id",
                format!("there is no talk script '{s}'; choose one from the settings or leave it empty"),
            ));
        }
        Ok(())
    }

    /// Creates a list.
    pub async fn create(&self, input: NewCallList, by: &OperatorId) -> Result<CallList, DomainError> {
        let name = text(&input.name, "name", NAME_MAX_CHARS, true)?.unwrap_or_default();
        let description = text(
            input.description.as_deref().unwrap_or_default(),
            "description",
            DESCRIPTION_MAX_CHARS,
            false,
        )?;
        let script_id = input.script_id.filter(|s| !s.trim().is_empty());
        self.check_line_and_script(&input.line_id, script_id.as_deref()).await?;
        let at = now();
        let list = CallList {
            id: RecordId::new(),
            name,
            description,
            line_id: input.line_id,
            script_id,
            version: 1,
            counts: Counts::default(),
            created_at: at.clone(),
            created_by: by.to_string(),
            updated_at: at,
            updated_by: by.to_string(),
        };
        let mut item = to_item(&list, list_key(&list.id), "call list")?;
        item.remove("counts");
        item.insert(attr::GSI1PK.into(), CALL_LISTS_GSI_PK.into());
        item.insert(attr::GSI1SK.into(), list.id.as_str().into());
        self.store.put(item, Some(Cond::NotExists)).await?;
        Ok(list)
    }

    /// Reads a list with its progress counts: one batch read.
    pub async fn get(&self, list: &RecordId) -> Result<CallList, DomainError> {
        let mut keys = vec![list_key(list)];
        keys.extend((0..CALL_LIST_COUNTER_SHARDS).map(|n| call_list_counter_key(list, n)));
        let items = self.store.get_many(&keys).await?;
        let mut counts = Counts::default();
        let mut found = None;
        for item in &items {
            match item.get(attr::SK).and_then(Value::as_str) {
                Some(CALL_LIST_SK) if !item.contains_key("deleting") => found = Some(list_from_item(item)?),
                Some(CALL_LIST_SK) => {}
                _ => counts.add_item(item),
            }
        }
        let mut l = found.ok_or_else(|| list_not_found(list))?;
        l.counts = counts;
        Ok(l)
    }

    /// Lists the call lists, newest first, with their counts.
    pub async fn list(&self, limit: u32, cursor: Option<&str>) -> Result<Paged<CallList>, DomainError> {
        let limit = limit.clamp(1, 100 / (CALL_LIST_COUNTER_SHARDS as u32));
        let query = Query::partition(CALL_LISTS_GSI_PK)
            .on(Index::Gsi1)
            .descending()
            .limit(limit);
        let cursor = decode_cursor(cursor, &query)?;
        let page = self.store.query(query.after(cursor)).await?;
        let mut lists = page
            .items
            .iter()
            .filter(|i| !i.contains_key("deleting"))
            .map(list_from_item)
            .collect::<Result<Vec<_>, _>>()?;
        let keys: Vec<Key> = lists
            .iter()
            .flat_map(|l| (0..CALL_LIST_COUNTER_SHARDS).map(|n| call_list_counter_key(&l.id, n)))
            .collect();
        if !keys.is_empty() {
            let mut by_list: HashMap<String, Counts> = HashMap::new();
            for item in self.store.get_many(&keys).await? {
                if let Some(pk) = item.get(attr::PK).and_then(Value::as_str) {
                    by_list.entry(pk.to_owned()).or_default().add_item(&item);
                }
            }
            for l in &mut lists {
                l.counts = by_list.remove(&call_list_pk(&l.id)).unwrap_or_default();
            }
        }
        Ok(Paged {
            items: lists,
            cursor: page.cursor.map(|c| c.encode()),
        })
    }

    /// Changes a list's name, line, script and description if `version` is current; otherwise
    /// 409 with the current list.
    pub async fn update(
        &self,
        list: &RecordId,
        input: CallListUpdate,
        by: &OperatorId,
    ) -> Result<CallList, DomainError> {
        let current = self.get(list).await?;
        let name = text(&input.name, "name", NAME_MAX_CHARS, true)?.unwrap_or_default();
        let description = text(
            input.description.as_deref().unwrap_or_default(),
            "description",
            DESCRIPTION_MAX_CHARS,
            false,
        )?;
        let script_id = input.script_id.filter(|s| !s.trim().is_empty());
        self.check_line_and_script(&input.line_id, script_id.as_deref()).await?;
        if current.version != input.version {
            return Err(stale_list(&current));
        }
        let mut update = Update::default()
            .set("name", name.as_str())
            .set("line_id", input.line_id.as_str())
            .set("updated_at", now())
            .set("updated_by", by.as_str())
            .add("version", 1);
        update = match &description {
            Some(d) => update.set("description", d.as_str()),
            None => update.remove("description"),
        };
        update = match &script_id {
            Some(s) => update.set("script_id", s.as_str()),
            None => update.remove("script_id"),
        };
        let cond = Cond::And(vec![
            Cond::Exists,
            Cond::AttrNotExists("deleting".into()),
            Cond::version(input.version),
        ]);
        match self.store.update(&list_key(list), update, Some(cond)).await {
            Ok(item) => {
                let mut l = list_from_item(&item)?;
                l.counts = current.counts;
                Ok(l)
            }
            Err(e) if e.is_condition_failed() => Err(stale_list(&self.get(list).await?)),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes a list with its targets, results and imports. A large list takes several
    /// requests: the first hides the list at once (no one can lease from it any more), each
    /// removes up to a few thousand items, and the list's own item goes last.
    pub async fn delete(&self, list: &RecordId) -> Result<DeleteProgress, DomainError> {
        let started = Instant::now();
        let key = list_key(list);
        let mark = Update::default()
            .set("deleting", true)
            .remove(attr::GSI1PK)
            .remove(attr::GSI1SK);
        match self.store.update(&key, mark, Some(Cond::Exists)).await {
            Ok(_) => {}
            Err(e) if e.is_condition_failed() => return Err(list_not_found(list)),
            Err(e) => return Err(e.into()),
        }
        let mut deleted = 0u64;
        loop {
            // The list's own item sorts after counters and imports but before targets; it
            // is skipped here and deleted when nothing else is left.
            let page = self
                .store
                .query(Query::partition(call_list_pk(list)).limit(1000))
                .await?;
            let keys: Vec<Key> = page
                .items
                .iter()
                .filter_map(Key::of)
                .filter(|k| k.sk != CALL_LIST_SK)
                .collect();
            if keys.is_empty() {
                self.store.delete(&key, None).await?;
                return Ok(DeleteProgress {
                    deleted: deleted + 1,
                    done: true,
                });
            }
            deleted += keys.len() as u64;
            self.store.batch_write(vec![], keys).await?;
            if deleted as usize >= DELETE_ITEMS_PER_REQUEST || started.elapsed() > DELETE_TIME_BUDGET {
                return Ok(DeleteProgress { deleted, done: false });
            }
        }
    }

    /// A list that exists and is not being deleted, without its counts.
    async fn live_list(&self, list: &RecordId) -> Result<CallList, DomainError> {
        match self.store.get(&list_key(list)).await? {
            Some(item) if !item.contains_key("deleting") => list_from_item(&item),
            _ => Err(list_not_found(list)),
        }
    }

    /// Starts an import into a list: checks the column mapping against the file's columns.
    pub async fn start_import(
        &self,
        list: &RecordId,
        input: NewImport,
        by: &OperatorId,
    ) -> Result<Import, DomainError> {
        self.live_list(list).await?;
        if input.columns.is_empty() || input.columns.len() > MAX_COLUMNS {
            return Err(DomainError::invalid_field(
                "invalid_columns",
                "columns",
                format!("send the file's column names, 1 to {MAX_COLUMNS} of them"),
            ));
        }
        if let Some(c) = input.columns.iter().find(|c| c.chars().count() > CELL_MAX_CHARS) {
            return Err(DomainError::invalid_field(
                "invalid_columns",
                "columns",
                format!(
                    "the column name '{}…' is longer than {CELL_MAX_CHARS} characters",
                    c.chars().take(20).collect::<String>()
                ),
            ));
        }
        let columns: Vec<String> = input.columns.iter().map(|c| c.trim().to_owned()).collect();
        let mapping = resolve_mapping(&columns, &input.mapping)?;
        let file_name = text(input.file_name.as_deref().unwrap_or_default(), "file_name", 255, false)?;
        let import = Import {
            id: RecordId::new(),
            list_id: list.clone(),
            columns,
            mapping,
            encoding: input.encoding,
            file_name,
            total_rows: input.total_rows,
            rows_imported: 0,
            rows_failed: 0,
            rows_linked: 0,
            chunks: 0,
            created_at: now(),
            created_by: by.to_string(),
        };
        let item = to_item(&import, import_key(list, &import.id), "import")?;
        let ops = vec![
            list_alive(list),
            TxOp::Put {
                item,
                cond: Some(Cond::NotExists),
            },
        ];
        match transact(&*self.store, ops).await {
            Ok(()) => Ok(import),
            Err(StoreError::ConditionFailed { index: Some(0) }) => Err(list_not_found(list)),
            Err(e) => Err(e.into()),
        }
    }

    /// Reads an import and its progress.
    pub async fn get_import(&self, list: &RecordId, import: &RecordId) -> Result<Import, DomainError> {
        let item = self
            .store
            .get(&import_key(list, import))
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("there is no import {import} in call list {list}")))?;
        serde_json::from_value(Value::Object(strip(&item, &[]))).map_err(|e| unreadable("import", e))
    }

    /// Imports one chunk of a file: the rows that pass become targets, linked to the CRM
    /// account or contact their number belongs to; the others are reported with their line
    /// and the reason. Sending the same chunk again writes nothing and returns the same report;
    /// a different chunk under the same `first_line` is refused.
    pub async fn import_chunk(
        &self,
        list: &RecordId,
        import: &RecordId,
        first_line: u64,
        encoding: &str,
        rows: Vec<CsvRow>,
    ) -> Result<ChunkResponse, DomainError> {
        if first_line == 0 || first_line > MAX_LINE {
            return Err(DomainError::invalid_field(
                "invalid_first_line",
                "first_line",
                format!("first_line is the file's line number of the chunk's first row, 1 to {MAX_LINE}"),
            ));
        }
        if rows.len() > MAX_CHUNK_ROWS {
            return Err(DomainError::TooLarge(format!(
                "a chunk holds at most {MAX_CHUNK_ROWS} rows; this one has {}: send smaller chunks",
                rows.len()
            )));
        }
        if let Some(r) = rows.iter().find(|r| r.line > MAX_LINE) {
            return Err(DomainError::invalid_field(
                "file_too_long",
                "first_line",
                format!("line {} is past the last line an import can have ({MAX_LINE})", r.line),
            ));
        }
        self.live_list(list).await?;
        let spec = self.get_import(list, import).await?;
        let hash = chunk_hash(&rows);
        let ckey = chunk_key(list, import, first_line);
        if let Some(done) = self.stored_chunk(&ckey, &hash).await? {
            return Ok(ChunkResponse {
                chunk: done,
                import: self.get_import(list, import).await?,
            });
        }

        let mut failed = Vec::new();
        let mut good = Vec::new();
        let mut count = 0u64;
        let mut lines = BTreeSet::new();
        for row in &rows {
            if row
                .cells
                .iter()
                .map(|c| c.trim())
                .eq(spec.columns.iter().map(String::as_str))
            {
                continue;
            }
            count += 1;
            if !lines.insert(row.line) {
                return Err(DomainError::invalid_field(
                    "duplicate_line",
                    "body",
                    format!("line {} appears twice in the chunk", row.line),
                ));
            }
            match check_row(&spec, row) {
                Ok(g) => good.push(g),
                Err(f) => failed.push(f),
            }
        }

        let links = self.link_all(&good).await?;
        let at = now();
        let targets: Vec<Target> = good
            .into_iter()
            .map(|g| {
                let link = links.get(g.phone.number()).cloned().flatten().unwrap_or_default();
                let account_name = link.account_name.or(g.account);
                let contact_name = link.contact_name.or(g.contact);
                let name = g
                    .name
                    .or_else(|| contact_name.clone())
                    .or_else(|| account_name.clone())
                    .unwrap_or_else(|| g.phone.display());
                Target {
                    id: TargetId::new(import, g.line).0,
                    list_id: list.clone(),
                    import_id: import.clone(),
                    source_line: g.line,
                    state: TargetState::NotCalled,
                    phone_display: g.phone.display(),
                    phone: g.phone.number().as_str().to_owned(),
                    phone_extension: g.phone.extension().map(|e| e.as_str().to_owned()),
                    name,
                    account_name,
                    contact_name,
                    account_id: link.account_id,
                    contact_id: link.contact_id,
                    notes: g.notes,
                    extra: g.extra,
                    callback_at: None,
                    lease: None,
                    attempts: 0,
                    last_result: None,
                    version: 1,
                    created_at: at.clone(),
                    updated_at: at.clone(),
                }
            })
            .collect();
        let linked = targets
            .iter()
            .filter(|t| t.account_id.is_some() || t.contact_id.is_some())
            .count() as u64;
        self.write_targets(list, import, &targets).await?;

        let failed_count = failed.len() as u64;
        failed.truncate(MAX_LISTED_FAILURES);
        let report = ChunkReport {
            import_id: import.clone(),
            first_line,
            encoding: encoding.to_owned(),
            rows: count,
            imported: targets.len() as u64,
            linked,
            failed_count,
            failed,
            repeated: false,
        };
        let mut item = to_item(&report, ckey.clone(), "import chunk")?;
        item.insert("hash".into(), hash.clone().into());
        let ops = vec![
            TxOp::Put {
                item,
                cond: Some(Cond::NotExists),
            },
            TxOp::Update {
                key: import_key(list, import),
                update: Update::default()
                    .add("rows_imported", report.imported as i64)
                    .add("rows_failed", failed_count as i64)
                    .add("rows_linked", linked as i64)
                    .add("chunks", 1),
                cond: Some(Cond::Exists),
            },
        ];
        let chunk = match transact(&*self.store, ops).await {
            Ok(()) => report,
            // The same chunk was sent twice at once and the other request recorded it first.
            Err(StoreError::ConditionFailed { index: Some(0) }) => self
                .stored_chunk(&ckey, &hash)
                .await?
                .ok_or_else(|| DomainError::Unavailable("import chunk vanished".into()))?,
            Err(e) => return Err(e.into()),
        };
        Ok(ChunkResponse {
            chunk,
            import: self.get_import(list, import).await?,
        })
    }

    /// The report of a chunk received before, if any; 409 when its rows differ.
    async fn stored_chunk(&self, key: &Key, hash: &str) -> Result<Option<ChunkReport>, DomainError> {
        let Some(item) = self.store.get(key).await? else {
            return Ok(None);
        };
        if item.get("hash").and_then(Value::as_str) != Some(hash) {
            return Err(DomainError::conflict(
                "chunk_differs",
                "a different chunk was already imported starting at this line; \
                 start a new import to import a changed file",
                None,
            ));
        }
        let mut report: ChunkReport = serde_json::from_value(Value::Object(strip(&item, &["hash"])))
            .map_err(|e| unreadable("import chunk", e))?;
        report.repeated = true;
        Ok(Some(report))
    }

    /// Looks every distinct number up in the CRM, a few at a time.
    async fn link_all(&self, rows: &[GoodRow]) -> Result<HashMap<PhoneNumber, Option<Link>>, DomainError> {
        let phones: BTreeSet<PhoneNumber> = rows.iter().map(|r| r.phone.number().clone()).collect();
        let crm = &self.crm;
        let mut lookups = futures::stream::iter(phones)
            .map(|p| async move {
                let l = crm.lookup(&p).await?;
                Ok::<_, DomainError>((p, link_of(&l)))
            })
            .buffer_unordered(LOOKUP_CONCURRENCY);
        let mut links = HashMap::new();
        while let Some(r) = lookups.next().await {
            let (p, l) = r?;
            links.insert(p, l);
        }
        Ok(links)
    }

    /// Writes the targets that are not there yet, each batch with its counter increment in one
    /// transaction, so counts match targets even when a chunk is sent twice at once.
    async fn write_targets(&self, list: &RecordId, import: &RecordId, targets: &[Target]) -> Result<(), DomainError> {
        let (Some(first), Some(last)) = (targets.first(), targets.last()) else {
            return Ok(());
        };
        let mut existing = self
            .existing_targets(list, import, first.source_line, last.source_line)
            .await?;
        for (n, batch) in targets.chunks(TARGETS_PER_TX).enumerate() {
            let mut written = false;
            for _ in 0..ATTEMPTS {
                let fresh: Vec<&Target> = batch.iter().filter(|t| !existing.contains(&t.id)).collect();
                if fresh.is_empty() {
                    written = true;
                    break;
                }
                let mut ops = vec![
                    list_alive(list),
                    counter_op(
                        list,
                        n as u64 % CALL_LIST_COUNTER_SHARDS,
                        &[(TargetState::NotCalled, fresh.len() as i64)],
                        fresh.len() as i64,
                    ),
                ];
                for t in &fresh {
                    ops.push(TxOp::Put {
                        item: target_item(t, None)?,
                        cond: Some(Cond::NotExists),
                    });
                }
                match transact(&*self.store, ops).await {
                    Ok(()) => {
                        existing.extend(fresh.iter().map(|t| t.id.clone()));
                        written = true;
                        break;
                    }
                    Err(StoreError::ConditionFailed { index: Some(0) }) => return Err(list_not_found(list)),
                    // Another request wrote some of these at the same moment: see which.
                    Err(StoreError::ConditionFailed { .. }) => {
                        let (a, b) = (batch[0].source_line, batch[batch.len() - 1].source_line);
                        existing.extend(self.existing_targets(list, import, a, b).await?);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            if !written {
                return Err(DomainError::conflict(
                    "busy",
                    "this chunk is being imported by another request at the same time; send it again",
                    None,
                ));
            }
        }
        Ok(())
    }

    /// The ids of the targets already imported from lines `first..=last` of an import.
    async fn existing_targets(
        &self,
        list: &RecordId,
        import: &RecordId,
        first: u64,
        last: u64,
    ) -> Result<BTreeSet<String>, DomainError> {
        let range = SortKey::Between(
            call_list_target_sk(TargetId::new(import, first).as_str()),
            call_list_target_sk(TargetId::new(import, last).as_str()),
        );
        let mut ids = BTreeSet::new();
        let mut cursor = None;
        loop {
            let page = self
                .store
                .query(
                    Query::partition(call_list_pk(list))
                        .sk(range.clone())
                        .limit(1000)
                        .after(cursor),
                )
                .await?;
            ids.extend(
                page.items
                    .iter()
                    .filter_map(|i| i.get("id").and_then(Value::as_str).map(str::to_owned)),
            );
            cursor = page.cursor;
            if cursor.is_none() {
                return Ok(ids);
            }
        }
    }

    /// A page of a list's targets: all of them in file order, or those in one state in the
    /// order the state is worked in (not called: file order; in progress: lease ending first;
    /// callback: due first; no answer and done: latest first).
    pub async fn targets(
        &self,
        list: &RecordId,
        state: Option<TargetState>,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Paged<Target>, DomainError> {
        self.live_list(list).await?;
        let query = match state {
            None => Query::partition(call_list_pk(list)).begins_with("T#"),
            Some(s) => {
                let q = Query::partition(call_list_state_pk(list, s.as_str())).on(Index::Gsi1);
                if matches!(s, TargetState::NoAnswer | TargetState::Done) {
                    q.descending()
                } else {
                    q
                }
            }
        };
        let query = query.limit(limit.clamp(1, 200));
        let cursor = decode_cursor(cursor, &query)?;
        let page = self.store.query(query.after(cursor)).await?;
        let at = now();
        Ok(Paged {
            items: page
                .items
                .iter()
                .map(|i| target_from_item(i, &at).map(|s| s.target))
                .collect::<Result<_, _>>()?,
            cursor: page.cursor.map(|c| c.encode()),
        })
    }

    /// A target with its results, newest first.
    pub async fn target(&self, list: &RecordId, target: &TargetId) -> Result<TargetDetail, DomainError> {
        self.live_list(list).await?;
        let item = self
            .store
            .get(&target_key(list, target.as_str()))
            .await?
            .ok_or_else(|| target_not_found(target))?;
        let t = target_from_item(&item, &now())?.target;
        let page = self
            .store
            .query(
                Query::partition(call_list_pk(list))
                    .begins_with(format!("R#{target}#"))
                    .descending()
                    .limit(100),
            )
            .await?;
        let results = page
            .items
            .iter()
            .map(|i| serde_json::from_value(Value::Object(strip(i, &[]))).map_err(|e| unreadable("result", e)))
            .collect::<Result<_, _>>()?;
        Ok(TargetDetail { target: t, results })
    }

    /// The targets to call next, in order: callbacks that are due (earliest first), targets
    /// whose lease ran out (abandoned calls), then targets not called yet (file order).
    pub async fn queue(&self, list: &RecordId, limit: usize) -> Result<Vec<Target>, DomainError> {
        self.live_list(list).await?;
        self.queued(list, limit.clamp(1, 100)).await
    }

    async fn queued(&self, list: &RecordId, limit: usize) -> Result<Vec<Target>, DomainError> {
        let at = now();
        let parts = [
            (TargetState::Callback, Some(SortKey::Lt(format!("{at}~")))),
            (TargetState::InProgress, Some(SortKey::Lt(at.clone()))),
            (TargetState::NotCalled, None),
        ];
        let mut out = Vec::new();
        for (state, sk) in parts {
            if out.len() >= limit {
                break;
            }
            let mut q = Query::partition(call_list_state_pk(list, state.as_str()))
                .on(Index::Gsi1)
                .limit((limit - out.len()) as u32);
            q.sk = sk;
            for item in self.store.query(q).await?.items {
                out.push(target_from_item(&item, &at)?.target);
            }
        }
        Ok(out)
    }

    /// Leases the first target of the queue that nobody else has taken; `None` when there is
    /// nothing left to call.
    pub async fn lease_next(
        &self,
        list: &RecordId,
        who: &OperatorId,
        name: &str,
        seconds: Option<u32>,
    ) -> Result<Option<Lease>, DomainError> {
        let seconds = lease_seconds(seconds)?;
        self.live_list(list).await?;
        for _ in 0..2 {
            let candidates = self.queued(list, 20).await?;
            let full = candidates.len() == 20;
            for c in candidates {
                let id = TargetId(c.id);
                match self.lease(list, &id, who, name, Some(seconds)).await {
                    Ok(l) => return Ok(Some(l)),
                    // Taken by someone else since the queue was read: try the next one.
                    Err(DomainError::Conflict { code, .. }) if code != "line_missing" => continue,
                    Err(DomainError::NotFound(_)) => continue,
                    Err(e) => return Err(e),
                }
            }
            if !full {
                break;
            }
        }
        Ok(None)
    }

    /// Leases a target to an operator for `seconds` (default 10 minutes): allowed when nobody
    /// holds it, when the holder's lease ran out, or when the operator holds it already (the
    /// lease is extended). Otherwise 409 naming the holder. A finished target cannot be leased.
    pub async fn lease(
        &self,
        list: &RecordId,
        target: &TargetId,
        who: &OperatorId,
        name: &str,
        seconds: Option<u32>,
    ) -> Result<Lease, DomainError> {
        let seconds = lease_seconds(seconds)?;
        for _ in 0..ATTEMPTS {
            let (l, stored) = self.list_and_target(list, target).await?;
            let settings = self.settings.get().await?;
            let line = settings.line(&l.line_id).ok_or_else(|| {
                DomainError::conflict(
                    "line_missing",
                    format!(
                        "this list's outbound line '{}' was removed from the settings; ask an admin to choose another line for the list",
                        l.line_id
                    ),
                    None,
                )
            })?;
            let mut t = stored.target.clone();
            match (&t.state, &t.lease) {
                (TargetState::Done, _) => {
                    return Err(DomainError::conflict(
                        "target_done",
                        "this target is already done; choose another one",
                        serde_json::to_value(&t).ok(),
                    ));
                }
                (_, Some(h)) if h.operator_id != who.as_str() && !h.expired => {
                    return Err(held_by_other(&t, h));
                }
                _ => {}
            }
            let at = chrono::Utc::now();
            let expires_at = stamp(at + chrono::Duration::seconds(i64::from(seconds)));
            let from = t.state;
            let prev_state = if from == TargetState::InProgress {
                stored.prev_state.or(Some(TargetState::NotCalled))
            } else {
                Some(from)
            };
            t.state = TargetState::InProgress;
            t.lease = Some(LeaseHolder {
                operator_id: who.to_string(),
                operator_name: name.to_owned(),
                expires_at: expires_at.clone(),
                expired: false,
            });
            t.version += 1;
            t.updated_at = stamp(at);
            let mut ops = vec![
                list_alive(list),
                TxOp::Put {
                    item: target_item(&t, prev_state)?,
                    cond: Some(Cond::version(stored.target.version)),
                },
            ];
            if from != TargetState::InProgress {
                ops.push(counter_op(
                    list,
                    shard_of(&t.id),
                    &[(from, -1), (TargetState::InProgress, 1)],
                    0,
                ));
            }
            match transact(&*self.store, ops).await {
                Ok(()) => {
                    return Ok(Lease {
                        target: t,
                        line: LeaseLine {
                            id: line.id.to_string(),
                            number: line.number.as_str().to_owned(),
                            display: line.number.display(),
                            label: line.label.clone(),
                        },
                        script_id: l
                            .script_id
                            .clone()
                            .or_else(|| line.script_id.as_ref().map(|s| s.to_string())),
                        expires_at,
                    });
                }
                Err(StoreError::ConditionFailed { index: Some(0) }) => return Err(list_not_found(list)),
                Err(StoreError::ConditionFailed { .. }) | Err(StoreError::TransactionConflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(busy())
    }

    /// Gives a leased target back without a result: it returns to the state it was in.
    pub async fn release(&self, list: &RecordId, target: &TargetId, who: &OperatorId) -> Result<Target, DomainError> {
        for _ in 0..ATTEMPTS {
            let (_, stored) = self.list_and_target(list, target).await?;
            let mut t = stored.target.clone();
            check_holder(&t, who)?;
            let back = stored.prev_state.unwrap_or(TargetState::NotCalled);
            t.state = back;
            t.lease = None;
            t.version += 1;
            t.updated_at = now();
            let ops = vec![
                list_alive(list),
                TxOp::Put {
                    item: target_item(&t, None)?,
                    cond: Some(Cond::version(stored.target.version)),
                },
                counter_op(list, shard_of(&t.id), &[(TargetState::InProgress, -1), (back, 1)], 0),
            ];
            match transact(&*self.store, ops).await {
                Ok(()) => return Ok(t),
                Err(StoreError::ConditionFailed { index: Some(0) }) => return Err(list_not_found(list)),
                Err(StoreError::ConditionFailed { .. }) | Err(StoreError::TransactionConflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(busy())
    }

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
            let (_, stored) = self.list_and_target(list, target).await?;
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
            let ops = vec![
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
            match transact(&*self.store, ops).await {
                Ok(()) => return Ok(t),
                Err(StoreError::ConditionFailed { index: Some(0) }) => return Err(list_not_found(list)),
                Err(StoreError::ConditionFailed { .. }) | Err(StoreError::TransactionConflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(busy())
    }

    /// The list (alive) and one of its targets, in one batch read.
    async fn list_and_target(&self, list: &RecordId, target: &TargetId) -> Result<(CallList, Stored), DomainError> {
        let items = self
            .store
            .get_many(&[list_key(list), target_key(list, target.as_str())])
            .await?;
        let mut l = None;
        let mut t = None;
        for item in &items {
            if item.get(attr::SK).and_then(Value::as_str) == Some(CALL_LIST_SK) {
                if !item.contains_key("deleting") {
                    l = Some(list_from_item(item)?);
                }
            } else {
                t = Some(target_from_item(item, &now())?);
            }
        }
        let l = l.ok_or_else(|| list_not_found(list))?;
        let t = t.ok_or_else(|| target_not_found(target))?;
        Ok((l, t))
    }

    /// The demo call list of the local runtime: about twenty targets on the `sales` line (or
    /// the first line) with the `outbound` script when there is one; `known_numbers` are
    /// numbers of seeded CRM customers, which the import links to their records, mixed with
    /// numbers the CRM does not know. A few targets already have results, so the progress
    /// counts show every state. Returns the list.
    pub async fn seed_demo(&self, by: &OperatorId, known_numbers: &[String]) -> Result<CallList, DomainError> {
        let settings = self.settings.get().await?;
        let line = settings
            .line("sales")
            .or_else(|| settings.lines.first())
            .ok_or_else(|| DomainError::invalid("seed", "the demo call list needs an outbound line in the settings"))?;
        let script_id = settings
            .scripts
            .iter()
            .find(|s| s.id.as_str() == "outbound")
            .map(|s| s.id.to_string());
        let list = self
            .create(
                NewCallList {
                    name: "春の更新キャンペーン".into(),
                    line_id: line.id.to_string(),
                    script_id,
                    description: Some("契約更新のご案内。既存顧客と展示会で名刺交換した見込み客。".into()),
                },
                by,
            )
            .await?;
        let columns: Vec<String> = ["会社名", "担当者", "電話番号", "備考", "地域"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        let import = self
            .start_import(
                &list.id,
                NewImport {
                    columns: columns.clone(),
                    mapping: ColumnMapping {
                        phone: ColumnRef::Name("電話番号".into()),
                        name: None,
                        account: Some(ColumnRef::Name("会社名".into())),
                        contact: Some(ColumnRef::Name("担当者".into())),
                        notes: Some(ColumnRef::Name("備考".into())),
                        extra: vec![ColumnRef::Name("地域".into())],
                    },
                    encoding: ImportEncoding::Auto,
                    file_name: Some("demo.csv".into()),
                    total_rows: None,
                },
                by,
            )
            .await?;
        const PROSPECTS: [(&str, &str, &str, &str); 8] = [
            ("青山デザイン株式会社", "青山 真理", "03-5500-1201", "東京"),
            ("株式会社みなと商会", "港 健二", "045-330-8812", "神奈川"),
            ("北斗システム株式会社", "北村 翔太", "011-200-4455", "北海道"),
            ("さくら食品株式会社", "桜井 美穂", "06-6300-7710", "大阪"),
            ("株式会社なごやテック", "名取 大地", "052-210-3398", "愛知"),
            ("博多ロジスティクス株式会社", "博田 涼", "092-400-6621", "福岡"),
            ("個人 山内 様", "", "090-8765-4321", "東京"),
            ("京都工芸株式会社", "京野 千尋", "075-250-1180", "京都"),
        ];
        let notes = ["展示会で名刺交換", "資料送付済み", "", "午後希望"];
        let mut rows = Vec::new();
        for (i, n) in known_numbers.iter().take(12).enumerate() {
            rows.push(vec![
                String::new(),
                String::new(),
                n.clone(),
                "既存顧客・契約更新".into(),
                String::new(),
            ]);
            if i % 3 == 0 {
                rows.push(vec![
                    PROSPECTS[(i / 3) % PROSPECTS.len()].0.into(),
                    PROSPECTS[(i / 3) % PROSPECTS.len()].1.into(),
                    PROSPECTS[(i / 3) % PROSPECTS.len()].2.into(),
                    notes[i % notes.len()].into(),
                    PROSPECTS[(i / 3) % PROSPECTS.len()].3.into(),
                ]);
            }
        }
        for (i, p) in PROSPECTS.iter().enumerate().skip(4) {
            rows.push(vec![
                p.0.into(),
                p.1.into(),
                p.2.into(),
                notes[i % notes.len()].into(),
                p.3.into(),
            ]);
        }
        let rows: Vec<CsvRow> = rows
            .into_iter()
            .enumerate()
            .map(|(i, cells)| CsvRow {
                line: i as u64 + 2,
                cells,
            })
            .collect();
        self.import_chunk(&list.id, &import.id, 2, "utf-8", rows).await?;

        // A few calls already made, so every state shows in the counts.
        let demo = [
            ("op-sato", "佐藤 花子", Outcome::Done, "resolved", None),
            ("op-suzuki", "鈴木 一郎", Outcome::NoAnswer, "absent", None),
            (
                "op-takahashi",
                "高橋 美咲",
                Outcome::Callback,
                "callback",
                Some(chrono::Duration::hours(3)),
            ),
        ];
        let first = self.targets(&list.id, None, 3, None).await?.items;
        for (t, (op, op_name, outcome, status, later)) in first.iter().zip(demo) {
            let op = OperatorId::parse(op).map_err(|e| DomainError::invalid("seed", e.to_string()))?;
            let id = TargetId(t.id.clone());
            self.lease(&list.id, &id, &op, op_name, None).await?;
            let status = if settings.response_statuses.iter().any(|s| s.id.as_str() == status) {
                status.to_owned()
            } else {
                settings
                    .response_statuses
                    .first()
                    .map(|s| s.id.to_string())
                    .unwrap_or_default()
            };
            self.record_result(
                &list.id,
                &id,
                &op,
                op_name,
                ResultInput {
                    call_sid: None,
                    response_status: status,
                    memo: Some("【オペレータ】デモの架電結果".into()),
                    outcome,
                    callback_at: later.map(|d| stamp(chrono::Utc::now() + d)),
                },
            )
            .await?;
        }
        self.get(&list.id).await
    }
}

fn lease_seconds(seconds: Option<u32>) -> Result<u32, DomainError> {
    match seconds {
        None => Ok(DEFAULT_LEASE_SECONDS),
        Some(s) if (30..=MAX_LEASE_SECONDS).contains(&s) => Ok(s),
        Some(_) => Err(DomainError::invalid_field(
            "invalid_lease_seconds",
            "seconds",
            format!("a lease lasts 30 to {MAX_LEASE_SECONDS} seconds"),
        )),
    }
}

fn held_by_other(t: &Target, h: &LeaseHolder) -> DomainError {
    DomainError::conflict(
        "target_leased",
        format!(
            "{} is calling this target (until {}); choose another one",
            h.operator_name, h.expires_at
        ),
        Some(json!({"lease": h, "target": t})),
    )
}

fn check_holder(t: &Target, who: &OperatorId) -> Result<(), DomainError> {
    match &t.lease {
        Some(h) if t.state == TargetState::InProgress && h.operator_id == who.as_str() => Ok(()),
        Some(h) if t.state == TargetState::InProgress => Err(DomainError::conflict(
            "not_lease_holder",
            format!(
                "{} took over this target after your lease ran out; your result was not recorded",
                h.operator_name
            ),
            serde_json::to_value(t).ok(),
        )),
        _ => Err(DomainError::conflict(
            "not_leased",
            "you do not hold this target; open it from the list again",
            serde_json::to_value(t).ok(),
        )),
    }
}

fn busy() -> DomainError {
    DomainError::conflict(
        "busy",
        "this target is being changed by someone else right now; try again",
        None,
    )
}

fn stale_list(current: &CallList) -> DomainError {
    DomainError::conflict(
        "stale_version",
        format!(
            "this list was changed by {} (now version {}); reload it and apply your change again",
            current.updated_by, current.version
        ),
        serde_json::to_value(current).ok(),
    )
}

fn decode_cursor(cursor: Option<&str>, query: &Query) -> Result<Option<Cursor>, DomainError> {
    cursor
        .map(|c| {
            Cursor::decode(c).filter(|c| c.fits(query)).ok_or_else(|| {
                DomainError::invalid_field(
                    "bad_cursor",
                    "cursor",
                    "the cursor is not valid; load the first page again",
                )
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(columns: &[&str], mapping: ColumnMapping) -> Result<Import, DomainError> {
        let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        Ok(Import {
            id: RecordId::new(),
            list_id: RecordId::new(),
            mapping: resolve_mapping(&columns, &mapping)?,
            columns,
            encoding: ImportEncoding::Auto,
            file_name: None,
            total_rows: None,
            rows_imported: 0,
            rows_failed: 0,
            rows_linked: 0,
            chunks: 0,
            created_at: now(),
            created_by: "t".into(),
        })
    }

    fn mapping(phone: ColumnRef) -> ColumnMapping {
        ColumnMapping {
            phone,
            name: None,
            account: None,
            contact: None,
            notes: None,
            extra: vec![],
        }
    }

    #[test]
    fn target_ids_carry_the_import_and_the_line_and_sort_in_file_order() {
        let import = RecordId::new();
        let a = TargetId::new(&import, 2);
        let b = TargetId::new(&import, 10);
        assert!(a < b);
        assert_eq!(TargetId::parse(a.as_str()).unwrap(), a);
        assert!(TargetId::parse("nope").is_err());
        assert!(TargetId::parse(&format!("{import}-00000x1")).is_err());
        assert!(
            TargetId::parse(&format!("a{}", "あ".repeat(11))).is_err(),
            "no panic on multi-byte text"
        );
    }

    #[test]
    fn columns_are_mapped_by_name_or_number_and_bad_references_name_the_field() {
        let m = ColumnMapping {
            notes: Some(ColumnRef::Number(3)),
            ..mapping(ColumnRef::Name("電話番号".into()))
        };
        let i = import(&["会社名", "電話番号", "備考"], m).unwrap();
        assert_eq!(i.mapping.phone, 2);
        assert_eq!(i.mapping.notes, Some(3));
        let Err(DomainError::Invalid { field, message, .. }) =
            import(&["a", "b"], mapping(ColumnRef::Name("tel".into())))
        else {
            panic!("accepted an unknown column")
        };
        assert_eq!(field.as_deref(), Some("mapping.phone"));
        assert!(message.contains("a, b"), "{message}");
        assert!(import(&["a", "b"], mapping(ColumnRef::Number(3))).is_err());
        assert!(import(&["tel", "tel"], mapping(ColumnRef::Name("tel".into()))).is_err());
        let twice = ColumnMapping {
            name: Some(ColumnRef::Number(1)),
            ..mapping(ColumnRef::Number(1))
        };
        assert!(import(&["a", "b"], twice).is_err());
    }

    #[test]
    fn rows_fail_with_their_line_and_a_reason() {
        let m = ColumnMapping {
            name: Some(ColumnRef::Number(1)),
            ..mapping(ColumnRef::Number(2))
        };
        let i = import(&["名前", "電話"], m).unwrap();
        let row = |line, cells: &[&str]| CsvRow {
            line,
            cells: cells.iter().map(|c| c.to_string()).collect(),
        };
        let ok = check_row(&i, &row(2, &["山田", "03-1234-5678"])).ok().unwrap();
        assert_eq!(ok.phone.number().as_str(), "+81312345678");
        assert_eq!(ok.name.as_deref(), Some("山田"));
        let codes: Vec<(u64, String)> = [
            row(3, &["山田"]),
            row(4, &["山田", ""]),
            row(5, &["山田", "12"]),
            row(6, &[&"長".repeat(201), "03-1234-5678"]),
            row(7, &["山\u{FFFD}", "03-1234-5678"]),
        ]
        .iter()
        .map(|r| check_row(&i, r).err().map(|f| (f.line, f.code)).unwrap())
        .collect();
        let want = [
            "wrong_column_count",
            "missing_phone",
            "invalid_phone",
            "too_long",
            "bad_encoding",
        ];
        assert_eq!(
            codes,
            (3..=7).zip(want.iter().map(|s| s.to_string())).collect::<Vec<_>>()
        );
    }

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
