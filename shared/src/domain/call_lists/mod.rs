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
//!
//! The service is one [`CallLists`] whose operations live in four rooms: `lists` (create, read,
//! change, delete), `import` (CSV rows, checks, linking to the CRM), `leases` (the queue and
//! who is calling which target) and `results` (outcomes and the counts they move).

mod import;
mod leases;
mod lists;
mod results;

pub use import::{
    ChunkReport, ChunkResponse, ColumnMapping, ColumnRef, CsvRow, Import, ImportEncoding, MAX_CHUNK_ROWS, MAX_COLUMNS,
    MAX_LINE, MAX_LISTED_FAILURES, NewImport, ResolvedMapping, RowFailure,
};
pub use leases::{DEFAULT_LEASE_SECONDS, Lease, LeaseHolder, LeaseLine, MAX_LEASE_SECONDS};
use lists::list_from_item;
pub use lists::{CallList, CallListUpdate, Counts, DeleteProgress, NewCallList};
pub use results::{MEMO_MAX_CHARS, Outcome, ResultInput, TargetResult};

use crate::domain::crm::{Crm, Paged};
use crate::domain::settings::SettingsService;
use crate::error::DomainError;
use crate::ids::RecordId;
use crate::store::table::{
    CALL_LIST_COUNTER_SHARDS, CALL_LIST_SK, CALL_LIST_TARGET_PREFIX, call_list_counter_key, call_list_pk,
    call_list_results_prefix, call_list_state_pk, call_list_target_sk,
};
use crate::store::{Cond, Cursor, Index, Item, Key, Query, Store, StoreError, TxOp, Update, attr};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Attempts of a read-modify-write that lost a race before the caller is told to retry.
const ATTEMPTS: usize = 4;

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

/// A column of the imported file kept on the target as it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExtraValue {
    pub column: String,
    pub value: String,
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

pub use crate::ids::TargetId;

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

/// Applies a change to a target whose first operation is [`list_alive`]: `Ok(true)` when it was
/// written, `Ok(false)` when the target changed meanwhile (the caller reads it again), a 404 when
/// the list is gone.
async fn write_target(store: &dyn Store, list: &RecordId, ops: Vec<TxOp>) -> Result<bool, DomainError> {
    match transact(store, ops).await {
        Ok(()) => Ok(true),
        Err(StoreError::ConditionFailed { index: Some(0) }) => Err(list_not_found(list)),
        Err(StoreError::ConditionFailed { .. }) | Err(StoreError::TransactionConflict) => Ok(false),
        Err(e) => Err(e.into()),
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
            None => Query::partition(call_list_pk(list)).begins_with(CALL_LIST_TARGET_PREFIX),
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
                    .begins_with(call_list_results_prefix(target.as_str()))
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
}

fn busy() -> DomainError {
    DomainError::conflict(
        "busy",
        "this target is being changed by someone else right now; try again",
        None,
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
