//! Operator tasks: a caller's voicemail (the recording and its ja-JP transcript) and a caller's
//! request to be called back instead of waiting (keeping their place: the moment they joined
//! the queue). A task is named by the caller's CallSid, so Twilio's repeated and out-of-order
//! callbacks only repeat what was written.
//!
//! Operators see open tasks oldest place first (a bounded query of one index partition, never
//! a scan); one operator takes a task at a time with a lease written on the task's version (as
//! call-list targets are), finishes it (done) or puts it back (undo, release). A voicemail is
//! listed only once its recording is complete; transcript phrases may arrive before or after.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::DomainError;
use crate::ids::OperatorId;
use crate::store::table::{
    TASK_PHONE_PREFIX, phone_pk, stored_phone_pk, task_account_row_key, task_key, task_list_sk, task_phone_sk, tasks_pk,
};
use crate::store::{Cond, Index, Item, Query, SortKey, Store, Update, attr, str_attr};

/// How long a task is held by the operator who took it when they do not say.
pub const DEFAULT_LEASE_SECONDS: i64 = 600;

/// At most this many transcript phrases are kept for one voicemail.
pub const MAX_TRANSCRIPT_PARTS: usize = 100;

/// At most this many characters of transcript are kept for one voicemail (the task item
/// stays a few KB whatever the caller says).
pub const MAX_TRANSCRIPT_CHARS: usize = 4000;

/// At most this many tasks in one page of the list.
pub const MAX_LIST: u32 = 100;

const ATTEMPTS: usize = 4;

/// What the caller left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// 留守番電話: a recorded message.
    Voicemail,
    /// 折り返し: call the caller back.
    Callback,
}

/// Where a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Nobody has taken it.
    Open,
    /// An operator holds it (until `lease_until`).
    Taken,
    /// Finished.
    Done,
}

/// A task as operators see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Task {
    /// The caller's CallSid.
    pub id: String,
    pub kind: TaskKind,
    pub state: TaskState,
    /// The caller's number (E.164), absent when withheld.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// The line (settings id) the caller called, which the callback is dialled on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<String>,
    /// The line's number (E.164).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_number: Option<String>,
    pub created_at: String,
    /// The caller's place: when they joined the queue (a callback) or left the message.
    pub place_at: String,
    /// The voicemail's recording and its length in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_sid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_seconds: Option<u64>,
    /// What the caller said (ja-JP real-time transcription), phrase by phrase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
    /// The transcription ended (no more phrases will come).
    #[serde(default)]
    pub transcript_complete: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_by_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<String>,
    /// The holder's lease ran out: another operator may take the task.
    #[serde(default)]
    pub lease_expired: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_by_name: Option<String>,
    pub version: u64,
}

impl Task {
    /// The call a voicemail with no call record of its own stands for in 対応履歴: inbound, from
    /// its caller to its line, of status `voicemail`, when it was left.
    pub fn as_call(&self) -> super::calls::CallSummary {
        let customer = self
            .customer
            .as_deref()
            .and_then(|c| crate::phone::PhoneNumber::parse(c).ok());
        super::calls::CallSummary {
            sid: self.id.clone(),
            direction: super::calls::Direction::Inbound,
            customer: customer.as_ref().map(|p| p.as_str().to_owned()),
            customer_display: customer.as_ref().map(crate::phone::PhoneNumber::display),
            line: self.line_number.clone(),
            status: "voicemail".to_owned(),
            started_at: self.created_at.clone(),
            ..super::calls::CallSummary::default()
        }
    }
}

/// A page of tasks.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskPage {
    pub tasks: Vec<Task>,
}

/// The tasks service.
pub struct Tasks {
    store: Arc<dyn Store>,
}

fn now() -> String {
    stamp(chrono::Utc::now())
}

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn u64_attr(item: &Item, name: &str) -> Option<u64> {
    item.get(name).and_then(Value::as_u64)
}

/// The transcript phrases stored on a task, by sequence number.
fn parts_of(item: &Item) -> BTreeMap<u64, String> {
    item.get("transcript_parts")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// A listed task read back from its item; `None` for an item not listed yet (a voicemail whose
/// recording is not complete).
pub(crate) fn task_of(item: &Item, at: &str) -> Option<Task> {
    let state = match str_attr(item, "state")? {
        "open" => TaskState::Open,
        "taken" => TaskState::Taken,
        "done" => TaskState::Done,
        _ => return None,
    };
    let kind = match str_attr(item, "kind")? {
        "voicemail" => TaskKind::Voicemail,
        "callback" => TaskKind::Callback,
        _ => return None,
    };
    let s = |n: &str| str_attr(item, n).map(str::to_owned);
    let parts = parts_of(item);
    let transcript = (!parts.is_empty()).then(|| parts.into_values().collect::<Vec<_>>().join(""));
    let lease_until = s("lease_until");
    Some(Task {
        id: s("id")?,
        kind,
        state,
        customer: s("customer"),
        line_id: s("line_id"),
        line_number: s("line_number"),
        created_at: s("created_at").unwrap_or_default(),
        place_at: s("place_at").unwrap_or_default(),
        recording_sid: s("recording_sid"),
        recording_seconds: u64_attr(item, "recording_seconds"),
        transcript,
        transcript_complete: item.get("transcript_complete").and_then(Value::as_bool) == Some(true),
        taken_by: s("taken_by"),
        taken_by_name: s("taken_by_name"),
        lease_expired: state == TaskState::Taken && lease_until.as_deref().is_some_and(|u| u <= at),
        lease_until,
        done_at: s("done_at"),
        done_by_name: s("done_by_name"),
        version: u64_attr(item, "version").unwrap_or(0),
    })
}

/// Who the caller is and which line they called, as a task records them.
#[derive(Debug, Clone, Default)]
pub struct TaskCaller<'a> {
    /// The caller's number, E.164.
    pub customer: Option<&'a str>,
    /// The line's settings id and number.
    pub line_id: Option<&'a str>,
    pub line_number: Option<&'a str>,
    /// The call has a record of its own (the caller was queued), which history lists with the
    /// task; a task left with none (a voicemail while the line was closed) is listed by itself.
    pub call_recorded: bool,
}

/// Marks a task whose call has a record of its own ([`TaskCaller::call_recorded`]).
const CALL_RECORDED: &str = "call_recorded";

impl Tasks {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    async fn item(&self, sid: &str) -> Result<Option<Item>, DomainError> {
        Ok(self.store.get(&task_key(sid)).await?)
    }

    /// A caller reached the voicemail box: who they are and which line, kept until the
    /// recording is complete (not listed yet). Repeating it changes nothing.
    pub async fn voicemail_started(&self, sid: &str, caller: TaskCaller<'_>) -> Result<(), DomainError> {
        let key = task_key(sid);
        let at = now();
        let mut update = Update::default()
            .set("id", sid)
            .set("kind", "voicemail")
            .set("created_at", at.as_str());
        if let Some(c) = caller.customer {
            update = update.set("customer", c);
        }
        if let Some(l) = caller.line_id {
            update = update.set("line_id", l);
        }
        if let Some(n) = caller.line_number {
            update = update.set("line_number", n);
        }
        if caller.call_recorded {
            update = update.set(CALL_RECORDED, true);
        }
        let r = self
            .store
            .update(&key, update, Some(Cond::AttrNotExists("created_at".into())))
            .await;
        crate::store::done_unless_failed(r)?;
        Ok(())
    }

    /// The voicemail's recording is complete: the task is listed for operators. A repeated
    /// callback leaves the task as it is (taken or done included).
    pub async fn voicemail_recorded(
        &self,
        sid: &str,
        recording_sid: &str,
        seconds: Option<u64>,
    ) -> Result<(), DomainError> {
        let key = task_key(sid);
        let stored = self.item(sid).await?.unwrap_or_default();
        if stored.contains_key("state") {
            return Ok(());
        }
        let at = now();
        let created = str_attr(&stored, "created_at").unwrap_or(&at).to_owned();
        let mut update = Update::default()
            .set("id", sid)
            .set("kind", "voicemail")
            .set("state", "open")
            .set("created_at", created.as_str())
            .set("place_at", created.as_str())
            .set("recording_sid", recording_sid)
            .set(attr::GSI2PK, tasks_pk(false))
            .set(attr::GSI2SK, task_list_sk(&created, sid))
            .add("version", 1);
        if let Some(s) = seconds {
            update = update.set("recording_seconds", s);
        }
        if let Some(c) = str_attr(&stored, "customer") {
            update = update
                .set(attr::GSI1PK, stored_phone_pk(c))
                .set(attr::GSI1SK, task_phone_sk(&created, sid));
        }
        let r = self
            .store
            .update(&key, update, Some(Cond::AttrNotExists("state".into())))
            .await;
        crate::store::done_unless_failed(r)?;
        Ok(())
    }

    /// A phrase of the voicemail's transcript (sequence `seq`); a phrase already stored, or one
    /// past the bounds ([`MAX_TRANSCRIPT_PARTS`], [`MAX_TRANSCRIPT_CHARS`]), changes nothing.
    pub async fn transcribed(&self, sid: &str, seq: u64, text: &str) -> Result<(), DomainError> {
        let key = task_key(sid);
        for _ in 0..ATTEMPTS {
            let stored = self.item(sid).await?;
            let mut parts = stored.as_ref().map(parts_of).unwrap_or_default();
            let used: usize = parts.values().map(|p| p.chars().count()).sum();
            if parts.contains_key(&seq) || parts.len() >= MAX_TRANSCRIPT_PARTS || used >= MAX_TRANSCRIPT_CHARS {
                return Ok(());
            }
            let room = MAX_TRANSCRIPT_CHARS - used;
            parts.insert(seq, text.trim().chars().take(room).collect());
            let map: serde_json::Map<String, Value> = parts
                .into_iter()
                .map(|(k, v)| (format!("{k:06}"), Value::from(v)))
                .collect();
            let version = stored.as_ref().and_then(|i| u64_attr(i, "version"));
            let update = Update::default()
                .set("id", sid)
                .set("transcript_parts", Value::Object(map))
                .set("version", version.unwrap_or(0) + 1);
            let cond = match version {
                Some(v) => Cond::version(v),
                None => Cond::AttrNotExists("version".into()),
            };
            match self.store.update(&key, update, Some(cond)).await {
                Ok(_) => return Ok(()),
                Err(e) if e.is_condition_failed() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(DomainError::conflict(
            "task_busy",
            "the task changed too often to add the transcript; Twilio will retry",
            None,
        ))
    }

    /// The transcription ended: no more phrases will come.
    pub async fn transcript_complete(&self, sid: &str) -> Result<(), DomainError> {
        self.store
            .update(
                &task_key(sid),
                Update::default().set("id", sid).set("transcript_complete", true),
                None,
            )
            .await?;
        Ok(())
    }

    /// A waiting caller asked to be called back: an open task keeping their place (when they
    /// joined the queue). Repeating it changes nothing.
    pub async fn callback_requested(
        &self,
        sid: &str,
        caller: TaskCaller<'_>,
        enqueued_at: &str,
    ) -> Result<(), DomainError> {
        let at = now();
        let mut item = Item::new();
        let key = task_key(sid);
        item.insert(attr::PK.into(), key.pk.clone().into());
        item.insert(attr::SK.into(), key.sk.clone().into());
        item.insert("id".into(), sid.into());
        item.insert("kind".into(), "callback".into());
        item.insert("state".into(), "open".into());
        item.insert("created_at".into(), at.as_str().into());
        item.insert("place_at".into(), enqueued_at.into());
        item.insert("version".into(), 1.into());
        item.insert(attr::GSI2PK.into(), tasks_pk(false).into());
        item.insert(attr::GSI2SK.into(), task_list_sk(enqueued_at, sid).into());
        if let Some(c) = caller.customer {
            item.insert("customer".into(), c.into());
            item.insert(attr::GSI1PK.into(), stored_phone_pk(c).into());
            item.insert(attr::GSI1SK.into(), task_phone_sk(&at, sid).into());
        }
        if let Some(l) = caller.line_id {
            item.insert("line_id".into(), l.into());
        }
        if let Some(n) = caller.line_number {
            item.insert("line_number".into(), n.into());
        }
        if caller.call_recorded {
            item.insert(CALL_RECORDED.into(), true.into());
        }
        let r = self.store.put(item, Some(Cond::NotExists)).await;
        crate::store::done_unless_failed(r)?;
        Ok(())
    }

    /// Files a voicemail left with no call of its own (the line closed) in the 対応履歴 of
    /// `account`, the account its caller's number is on: a row of the account's calls (GSI2
    /// `ACC#<account>`, by when it was left) reading as the call it stands for, status
    /// `voicemail`, which history lists with its task as it lists a queued caller's voicemail.
    /// Not under the number (its history finds the task itself); nothing for a task whose call
    /// is recorded (the call is the account's row) or not listed yet. Repeating it writes the
    /// same row.
    pub async fn file_under_account(&self, sid: &str, account: &crate::ids::RecordId) -> Result<(), DomainError> {
        let Some(item) = self.item(sid).await? else {
            return Ok(());
        };
        if item.get(CALL_RECORDED).and_then(Value::as_bool) == Some(true) {
            return Ok(());
        }
        let Some(task) = task_of(&item, &now()) else {
            return Ok(());
        };
        let mut call = task.as_call();
        call.account_id = Some(account.to_string());
        let mut row = call.to_item();
        row.remove(attr::GSI1PK);
        row.remove(attr::GSI1SK);
        let key = task_account_row_key(sid);
        row.insert(attr::PK.into(), key.pk.into());
        row.insert(attr::SK.into(), key.sk.into());
        self.store.put(row, None).await?;
        Ok(())
    }

    /// The write that takes the open callback task `sid` for `operator` (named `name`), as
    /// [`Tasks::take`] does, for routing's transaction handing the caller's place to them
    /// ([`super::routing::Routed::CallbackHanded`]): it holds only while nobody has taken the
    /// task, and raises its version, so an operator taking it from the list at the same moment
    /// either wins or is told who has it.
    pub fn handed_to(sid: &str, operator: &str, name: &str) -> crate::store::TxOp {
        let until = stamp(chrono::Utc::now() + chrono::Duration::seconds(DEFAULT_LEASE_SECONDS));
        crate::store::TxOp::Update {
            key: task_key(sid),
            update: Update::default()
                .set("state", "taken")
                .set("taken_by", operator)
                .set("taken_by_name", name)
                .set("lease_until", until.as_str())
                .add("version", 1),
            cond: Some(Cond::And(vec![Cond::eq("state", "open"), Cond::eq("kind", "callback")])),
        }
    }

    /// Open (and taken) tasks, the caller who has waited longest first; or done ones, the
    /// latest first. One query of at most `limit` ([`MAX_LIST`]) items.
    pub async fn list(&self, done: bool, limit: u32) -> Result<TaskPage, DomainError> {
        let mut q = Query::partition(tasks_pk(done))
            .on(Index::Gsi2)
            .limit(limit.clamp(1, MAX_LIST));
        if done {
            q = q.descending();
        }
        let at = now();
        let page = self.store.query(q).await?;
        Ok(TaskPage {
            tasks: page.items.iter().filter_map(|i| task_of(i, &at)).collect(),
        })
    }

    /// The tasks left by one number (its history), latest first.
    pub async fn of_phone(&self, phone: &crate::phone::PhoneNumber, limit: u32) -> Result<Vec<Task>, DomainError> {
        let q = Query::partition(phone_pk(phone))
            .on(Index::Gsi1)
            .sk(SortKey::BeginsWith(TASK_PHONE_PREFIX.into()))
            .descending()
            .limit(limit.clamp(1, MAX_LIST));
        let at = now();
        Ok(self
            .store
            .query(q)
            .await?
            .items
            .iter()
            .filter_map(|i| task_of(i, &at))
            .collect())
    }

    /// The tasks a number left with no call record of their own (voicemails left while the line
    /// was closed), latest first, left after `newer_than` and before `older_than` (each open when
    /// absent): the stretch of time one page of the number's call history covers. One query.
    pub async fn left_without_call(
        &self,
        phone: &crate::phone::PhoneNumber,
        newer_than: Option<&str>,
        older_than: Option<&str>,
    ) -> Result<Vec<Task>, DomainError> {
        let from = newer_than.map_or_else(|| TASK_PHONE_PREFIX.to_owned(), |at| task_phone_sk(at, ""));
        let to = task_phone_sk(older_than.unwrap_or("~"), "");
        let q = Query::partition(phone_pk(phone))
            .on(Index::Gsi1)
            .sk(SortKey::Between(from, to))
            .descending()
            .limit(MAX_LIST);
        let at = now();
        Ok(self
            .store
            .query(q)
            .await?
            .items
            .iter()
            .filter(|i| i.get(CALL_RECORDED).and_then(Value::as_bool) != Some(true))
            .filter_map(|i| task_of(i, &at))
            .collect())
    }

    /// One listed task.
    pub async fn get(&self, sid: &str) -> Result<Task, DomainError> {
        self.item(sid)
            .await?
            .and_then(|i| task_of(&i, &now()))
            .ok_or_else(|| DomainError::NotFound(format!("there is no task {sid}")))
    }

    /// Changes a task by the optimistic-concurrency loop every operator action uses: read it,
    /// let `decide` refuse, answer it as it is, or give the update, written on the version read
    /// (which it raises); a write that lost to another is decided again on the newer task.
    async fn change(
        &self,
        sid: &str,
        decide: impl Fn(&Item, &Task) -> Result<Result<Update, Task>, DomainError>,
    ) -> Result<Task, DomainError> {
        for _ in 0..ATTEMPTS {
            let item = self.item(sid).await?.ok_or_else(|| gone(sid))?;
            let t = task_of(&item, &now()).ok_or_else(|| gone(sid))?;
            let update = match decide(&item, &t)? {
                Ok(update) => update.set("version", t.version + 1),
                Err(unchanged) => return Ok(unchanged),
            };
            match self
                .store
                .update(&task_key(sid), update, Some(Cond::version(t.version)))
                .await
            {
                Ok(item) => return task_of(&item, &now()).ok_or_else(|| gone(sid)),
                Err(e) if e.is_condition_failed() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(DomainError::conflict(
            "task_busy",
            "someone else is changing this task; try again",
            None,
        ))
    }

    /// Takes a task for `who`: allowed when nobody holds it, when the holder's lease ran out,
    /// or when `who` holds it already (the lease is extended). Two operators taking it at once:
    /// one gets it, the other a 409 naming them.
    pub async fn take(&self, sid: &str, who: &OperatorId, name: &str) -> Result<Task, DomainError> {
        self.change(sid, |_, t| {
            match t.state {
                TaskState::Done => {
                    return Err(DomainError::conflict(
                        "task_done",
                        format!(
                            "{} has already finished this task",
                            t.done_by_name.clone().unwrap_or_default()
                        ),
                        serde_json::to_value(t).ok(),
                    ));
                }
                TaskState::Taken if t.taken_by.as_deref() != Some(who.as_str()) && !t.lease_expired => {
                    return Err(taken_by_other(t));
                }
                _ => {}
            }
            let until = stamp(chrono::Utc::now() + chrono::Duration::seconds(DEFAULT_LEASE_SECONDS));
            Ok(Ok(Update::default()
                .set("state", "taken")
                .set("taken_by", who.as_str())
                .set("taken_by_name", name)
                .set("lease_until", until.as_str())))
        })
        .await
    }

    /// The holder finishes the task; it leaves the open list for the done one.
    pub async fn done(&self, sid: &str, who: &OperatorId, name: &str) -> Result<Task, DomainError> {
        self.change(sid, |_, t| {
            if t.state == TaskState::Done {
                return Ok(Err(t.clone()));
            }
            if t.state != TaskState::Taken || t.taken_by.as_deref() != Some(who.as_str()) {
                return Err(not_holder(t));
            }
            let at = now();
            Ok(Ok(Update::default()
                .set("state", "done")
                .set("done_at", at.as_str())
                .set("done_by", who.as_str())
                .set("done_by_name", name)
                .set(attr::GSI2PK, tasks_pk(true))
                .set(attr::GSI2SK, task_list_sk(&at, sid))
                .remove("lease_until")))
        })
        .await
    }

    /// Undoes a finished task (its finisher, or a supervisor): it is open again, held by
    /// `who`, in its place. Or the holder puts a task they hold back for others (`release`).
    pub async fn reopen(&self, sid: &str, who: &OperatorId, name: &str, supervisor: bool) -> Result<Task, DomainError> {
        self.change(sid, |item, t| {
            let update = match t.state {
                TaskState::Done => {
                    if str_attr(item, "done_by") != Some(who.as_str()) && !supervisor {
                        return Err(DomainError::Forbidden(format!(
                            "only {} (who finished it) or a supervisor can undo this task",
                            t.done_by_name.clone().unwrap_or_default()
                        )));
                    }
                    let until = stamp(chrono::Utc::now() + chrono::Duration::seconds(DEFAULT_LEASE_SECONDS));
                    Update::default()
                        .set("state", "taken")
                        .set("taken_by", who.as_str())
                        .set("taken_by_name", name)
                        .set("lease_until", until.as_str())
                        .remove("done_at")
                        .remove("done_by")
                        .remove("done_by_name")
                }
                TaskState::Taken if t.taken_by.as_deref() == Some(who.as_str()) || supervisor => Update::default()
                    .set("state", "open")
                    .remove("taken_by")
                    .remove("taken_by_name")
                    .remove("lease_until"),
                TaskState::Taken => return Err(not_holder(t)),
                TaskState::Open => return Ok(Err(t.clone())),
            };
            Ok(Ok(update
                .set(attr::GSI2PK, tasks_pk(false))
                .set(attr::GSI2SK, task_list_sk(&t.place_at, sid))))
        })
        .await
    }
}

fn gone(sid: &str) -> DomainError {
    DomainError::NotFound(format!("there is no task {sid}"))
}

fn taken_by_other(t: &Task) -> DomainError {
    DomainError::conflict(
        "task_taken",
        format!(
            "{} is handling this task (until {}); choose another one",
            t.taken_by_name.clone().unwrap_or_default(),
            t.lease_until.clone().unwrap_or_default()
        ),
        Some(json!(t)),
    )
}

fn not_holder(t: &Task) -> DomainError {
    DomainError::conflict(
        "not_task_holder",
        "you do not hold this task; take it from the list first",
        serde_json::to_value(t).ok(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::embedded::EmbeddedStore;

    fn tasks() -> Tasks {
        Tasks::new(Arc::new(EmbeddedStore::in_memory().unwrap()))
    }

    fn op(id: &str) -> OperatorId {
        OperatorId::parse(id).unwrap()
    }

    const CALLER: TaskCaller<'static> = TaskCaller {
        customer: Some("+819012345678"),
        line_id: Some("main"),
        line_number: Some("+81312345678"),
        call_recorded: false,
    };

    #[tokio::test]
    async fn a_voicemail_is_listed_once_its_recording_is_complete_with_its_transcript_in_order() {
        let t = tasks();
        t.voicemail_started("CA1", CALLER).await.unwrap();
        t.transcribed("CA1", 2, "折り返しお願いします。").await.unwrap();
        assert!(t.list(false, 10).await.unwrap().tasks.is_empty());
        t.voicemail_recorded("CA1", "RE1", Some(12)).await.unwrap();
        t.voicemail_recorded("CA1", "RE1", Some(12)).await.unwrap();
        t.transcribed("CA1", 1, "山田です。").await.unwrap();
        t.transcribed("CA1", 1, "山田です。").await.unwrap();
        let list = t.list(false, 10).await.unwrap().tasks;
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].transcript.as_deref(), Some("山田です。折り返しお願いします。"));
        assert_eq!(list[0].customer.as_deref(), Some("+819012345678"));
        assert_eq!(list[0].recording_seconds, Some(12));
    }

    #[tokio::test]
    async fn the_transcript_is_bounded() {
        let t = tasks();
        t.voicemail_started("CA1", CALLER).await.unwrap();
        let long = "あ".repeat(3000);
        for seq in 1..=3 {
            t.transcribed("CA1", seq, &long).await.unwrap();
        }
        t.voicemail_recorded("CA1", "RE1", None).await.unwrap();
        let got = t.get("CA1").await.unwrap().transcript.unwrap();
        assert_eq!(got.chars().count(), MAX_TRANSCRIPT_CHARS);
    }

    #[tokio::test]
    async fn a_task_is_taken_by_one_operator_and_finished_by_them_only() {
        let t = tasks();
        t.callback_requested("CA2", CALLER, "2026-12-03T01:00:00.000Z")
            .await
            .unwrap();
        let (op_a, op_b) = (op("op-a"), op("op-b"));
        let (a, b) = tokio::join!(t.take("CA2", &op_a, "佐藤"), t.take("CA2", &op_b, "鈴木"));
        let (winner, loser) = match (&a, &b) {
            (Ok(_), Err(_)) => ("op-a", &b),
            (Err(_), Ok(_)) => ("op-b", &a),
            other => panic!("exactly one should take the task: {other:?}"),
        };
        assert!(
            matches!(loser, Err(DomainError::Conflict { code: "task_taken", .. })),
            "{loser:?}"
        );
        let other = if winner == "op-a" { "op-b" } else { "op-a" };
        assert!(t.done("CA2", &op(other), "x").await.is_err());
        let done = t.done("CA2", &op(winner), "x").await.unwrap();
        assert_eq!(done.state, TaskState::Done);
        assert!(t.list(false, 10).await.unwrap().tasks.is_empty());
        assert_eq!(t.list(true, 10).await.unwrap().tasks.len(), 1);
        let undone = t.reopen("CA2", &op(winner), "x", false).await.unwrap();
        assert_eq!(
            (undone.state, undone.taken_by.as_deref()),
            (TaskState::Taken, Some(winner))
        );
        assert_eq!(
            t.list(false, 10).await.unwrap().tasks[0].place_at,
            "2026-12-03T01:00:00.000Z"
        );
    }

    #[tokio::test]
    async fn open_tasks_come_in_the_callers_order_of_arrival() {
        let t = tasks();
        t.callback_requested("CA3", CALLER, "2026-12-03T01:05:00.000Z")
            .await
            .unwrap();
        t.callback_requested("CA4", CALLER, "2026-12-03T01:01:00.000Z")
            .await
            .unwrap();
        t.callback_requested("CA4", CALLER, "2026-12-03T09:00:00.000Z")
            .await
            .unwrap();
        let ids: Vec<_> = t
            .list(false, 10)
            .await
            .unwrap()
            .tasks
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(ids, ["CA4", "CA3"]);
        let phone = crate::phone::PhoneNumber::parse("+819012345678").unwrap();
        assert_eq!(t.of_phone(&phone, 10).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn history_finds_the_tasks_left_without_a_call_in_the_stretch_of_time_asked() {
        let t = tasks();
        for (sid, at) in [("CA5", "01:00"), ("CA6", "02:00"), ("CA7", "03:00")] {
            t.voicemail_started(sid, CALLER).await.unwrap();
            t.voicemail_recorded(sid, &format!("RE{sid}"), Some(3)).await.unwrap();
            // Filed under the number at the moment given, as if left then.
            let created = format!("2026-12-03T{at}:00.000Z");
            t.store
                .update(
                    &task_key(sid),
                    Update::default()
                        .set("created_at", created.as_str())
                        .set(attr::GSI1SK, task_phone_sk(&created, sid)),
                    None,
                )
                .await
                .unwrap();
        }
        let queued = TaskCaller {
            call_recorded: true,
            ..CALLER
        };
        t.callback_requested("CA8", queued, "2026-12-03T02:30:00.000Z")
            .await
            .unwrap();
        let phone = crate::phone::PhoneNumber::parse("+819012345678").unwrap();
        let ids = |v: Vec<Task>| v.into_iter().map(|t| t.id).collect::<Vec<_>>();
        assert_eq!(
            ids(t.left_without_call(&phone, None, None).await.unwrap()),
            ["CA7", "CA6", "CA5"],
            "the callback request has a call of its own"
        );
        assert_eq!(
            ids(t
                .left_without_call(
                    &phone,
                    Some("2026-12-03T01:30:00.000Z"),
                    Some("2026-12-03T03:00:00.000Z")
                )
                .await
                .unwrap()),
            ["CA6"]
        );
    }
}
