//! Response history (対応履歴): the calls and records linked to a phone number, an account or a
//! contact, newest first, a page at a time, one query per tab.
//!
//! What callers left for the operators is history too: a call that ended as a voicemail or a
//! callback request carries its task (read with the page's memos, in the same batch), and a
//! number's voicemails left while its line was closed — no call record of their own — are
//! listed among its calls, in the stretch of time each page covers (one more query). Such a
//! voicemail from a number on an account's record is filed among that account's calls as a row
//! of its own ([`Tasks::file_under_account`]), so the account's history lists it in the same
//! query as its calls.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use super::calls::{CallSummary, memo_key};
use super::crm::{Paged, Record};
use super::memos::Memo;
use super::settings::SettingsService;
use super::tasks::{Task, Tasks, task_of};
use super::transcripts::{TranscriptLine, Transcripts};
use crate::error::DomainError;
use crate::ids::{ObjectName, RecordId};
use crate::phone::PhoneNumber;
use crate::store::table::{CALL_PREFIX, account_pk, contact_pk, phone_object_prefix, phone_pk, task_key};
use crate::store::{Cursor, Index, Key, Query, Store};

/// Whose history.
#[derive(Debug, Clone)]
pub enum Subject {
    Phone(PhoneNumber),
    Account(RecordId),
    Contact(RecordId),
}

/// One row of the call history: a call, with the task its caller left (a voicemail, a callback
/// request) if any. A voicemail left while the line was closed is a row of its own: a call of
/// status `voicemail` named by its CallSid, with no operator.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryCall {
    #[serde(flatten)]
    pub call: CallSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<Task>,
    /// In a search by a word: the first phrase of the call's transcript that holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_hit: Option<TranscriptLine>,
}

/// The most calls a search by a word reads the transcripts of at once: one query each.
pub const SEARCH_PAGE: u32 = 20;

/// The final statuses of a call whose caller left a task (see `control::voicemail`).
const LEFT_TASK: [&str; 2] = ["voicemail", "callback_requested"];

impl HistoryCall {
    /// The row of a voicemail that has no call record of its own.
    fn of_task(task: Task) -> Self {
        Self {
            call: task.as_call(),
            task: Some(task),
            transcript_hit: None,
        }
    }
}

/// The history service.
pub struct History {
    store: Arc<dyn Store>,
    settings: Arc<SettingsService>,
    tasks: Tasks,
}

/// When the call a history cursor stopped after started: the `<started>` of its index sort key
/// `CALL#<started>#<sid>`.
fn started_after(cursor: &Cursor, index: Index) -> Option<String> {
    let (_, sk) = index.key_attrs();
    let rest = cursor.get(sk)?.strip_prefix(CALL_PREFIX)?;
    Some(rest.rsplit_once('#')?.0.to_owned())
}

fn cursor(c: Option<&str>, query: &Query) -> Result<Option<Cursor>, DomainError> {
    c.map(|s| {
        Cursor::decode(s).filter(|c| c.fits(query)).ok_or_else(|| {
            DomainError::invalid_field("bad_cursor", "cursor", "the cursor is not valid; reload the list")
        })
    })
    .transpose()
}

impl History {
    pub fn new(store: Arc<dyn Store>, settings: Arc<SettingsService>) -> Self {
        Self {
            tasks: Tasks::new(store.clone()),
            store,
            settings,
        }
    }

    /// Calls of a number or an account, newest first, each with the task its caller left; a
    /// number's page also lists the voicemails it left while the line was closed, in the stretch
    /// of time the page covers (from the previous page's last call to this page's last one).
    pub async fn calls(
        &self,
        subject: &Subject,
        limit: u32,
        after: Option<&str>,
    ) -> Result<Paged<HistoryCall>, DomainError> {
        let q = match subject {
            Subject::Phone(p) => Query::partition(phone_pk(p)).on(Index::Gsi1),
            Subject::Account(a) => Query::partition(account_pk(a)).on(Index::Gsi2),
            Subject::Contact(_) => {
                return Err(DomainError::invalid(
                    "unsupported_subject",
                    "call history is listed by phone number or account; use the contact's phone number",
                ));
            }
        };
        let index = q.index;
        let q = q.begins_with(CALL_PREFIX).descending().limit(limit.clamp(1, 100));
        let after = cursor(after, &q)?;
        let newest = after.as_ref().and_then(|c| started_after(c, index));
        let page = self.store.query(q.after(after)).await?;
        let mut calls: Vec<CallSummary> = page.items.iter().filter_map(CallSummary::from_item).collect();
        let oldest = page.cursor.as_ref().and(calls.last()).map(|c| c.started_at.clone());
        let tasks = self.with_memos_and_tasks(&mut calls).await?;
        let mut items: Vec<HistoryCall> = calls
            .into_iter()
            .map(|call| HistoryCall {
                task: tasks.get(&call.sid).cloned(),
                call,
                transcript_hit: None,
            })
            .collect();
        if let Subject::Phone(p) = subject {
            let left = self
                .tasks
                .left_without_call(p, oldest.as_deref(), newest.as_deref())
                .await?;
            if !left.is_empty() {
                items.extend(left.into_iter().map(HistoryCall::of_task));
                items.sort_by(|a, b| b.call.started_at.cmp(&a.call.started_at));
            }
        }
        Ok(Paged {
            items,
            cursor: page.cursor.map(|c| c.encode()),
        })
    }

    /// A page of calls as `caller` may see it: recording links are kept for supervisors and
    /// admins, and for an operator on their own calls when the settings let operators play them
    /// (`call_handling.operators_play_own_recordings`, read only when the page holds such a call).
    pub async fn shown_to(
        &self,
        caller: &crate::auth::Caller,
        mut page: Paged<HistoryCall>,
    ) -> Result<Paged<HistoryCall>, DomainError> {
        if caller.role >= crate::auth::Role::Supervisor {
            return Ok(page);
        }
        let own_recording = page
            .items
            .iter()
            .any(|r| r.call.recording_url.is_some() && r.call.recording_playable_by(caller, true));
        let operators_may = own_recording && self.settings.get().await?.call_handling.operators_play_own_recordings;
        for row in &mut page.items {
            if !row.call.recording_playable_by(caller, operators_may) {
                row.call.recording_url = None;
            }
        }
        Ok(page)
    }

    /// The calls of one page of [`History::calls`] (at most [`SEARCH_PAGE`]) whose memo or
    /// live transcript holds `word`, compared as search text (width, case and kana folded), each
    /// with the first phrase that holds it. Bounded: the page's own reads, then one query of each
    /// of its calls' transcripts; never a scan. The cursor is the page's, so a search goes on
    /// through older calls a page at a time.
    pub async fn calls_with_word(
        &self,
        subject: &Subject,
        limit: u32,
        after: Option<&str>,
        word: &str,
        transcripts: &Transcripts,
    ) -> Result<Paged<HistoryCall>, DomainError> {
        let folded = crate::text::normalize(word);
        if folded.is_empty() || word.chars().count() > 50 {
            return Err(DomainError::invalid_field(
                "invalid_word",
                "q",
                "search by a word of 1 to 50 characters",
            ));
        }
        let page = self.calls(subject, limit.clamp(1, SEARCH_PAGE), after).await?;
        let mut items = Vec::new();
        for mut row in page.items {
            row.transcript_hit = transcripts.find(&row.call.sid, word).await?;
            let in_memo = row
                .call
                .memo
                .as_deref()
                .is_some_and(|m| crate::text::normalize(m).contains(&folded));
            if in_memo || row.transcript_hit.is_some() {
                items.push(row);
            }
        }
        Ok(Paged {
            items,
            cursor: page.cursor,
        })
    }

    /// Fills in each call's memo and response status as last saved, and returns the tasks left
    /// by the calls that ended as one, by CallSid: one batch read of the page's memos and tasks
    /// (at most 100 calls a page), eventually consistent like the index query that listed the
    /// calls: a save of the last second shows at the next refresh.
    async fn with_memos_and_tasks(&self, calls: &mut [CallSummary]) -> Result<HashMap<String, Task>, DomainError> {
        let mut keys: Vec<Key> = calls.iter().map(|c| memo_key(&c.sid)).collect();
        keys.extend(
            calls
                .iter()
                .filter(|c| LEFT_TASK.contains(&c.status.as_str()))
                .map(|c| task_key(&c.sid)),
        );
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        // A memo has no task's kind and state, a task no memo's text: each reads as one only.
        let items = self.store.get_many_eventually(&keys).await?;
        let memos: HashMap<String, Memo> = items
            .iter()
            .filter_map(Memo::from_stored)
            .map(|m| (m.call_sid.clone(), m))
            .collect();
        for call in calls.iter_mut() {
            if let Some(m) = memos.get(&call.sid) {
                call.memo = Some(m.text.clone()).filter(|t| !t.is_empty());
                call.response_status = m.response_status.clone();
            }
        }
        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        Ok(items
            .iter()
            .filter_map(|i| task_of(i, &at))
            .map(|t| (t.id.clone(), t))
            .collect())
    }

    /// Records of one object linked to a number, an account or a contact, newest first.
    pub async fn records(
        &self,
        object: &ObjectName,
        subject: &Subject,
        limit: u32,
        after: Option<&str>,
    ) -> Result<Paged<Record>, DomainError> {
        self.settings.get().await?.object(object.as_str())?;
        let q = match subject {
            Subject::Phone(p) => Query::partition(phone_pk(p)).begins_with(phone_object_prefix(object)),
            Subject::Account(a) => Query::partition(account_pk(a))
                .on(Index::Gsi1)
                .begins_with(format!("{object}#")),
            Subject::Contact(c) => Query::partition(contact_pk(c))
                .on(Index::Gsi2)
                .begins_with(format!("{object}#")),
        };
        // A history tab may miss a record saved in the last second: half the read units.
        let q = q.descending().limit(limit.clamp(1, 100)).eventually_consistent();
        let after = cursor(after, &q)?;
        let page = self.store.query(q.after(after)).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for item in &page.items {
            let mut v = serde_json::Value::Object(item.clone());
            if let Some(m) = v.as_object_mut() {
                for k in [
                    "PK",
                    "SK",
                    "GSI1PK",
                    "GSI1SK",
                    "GSI2PK",
                    "GSI2SK",
                    "phones",
                    "tokens",
                    "search_sig",
                ] {
                    m.remove(k);
                }
            }
            if let Ok(r) = serde_json::from_value::<Record>(v) {
                items.push(r);
            }
        }
        Ok(Paged {
            items,
            cursor: page.cursor.map(|c| c.encode()),
        })
    }
}
