//! Lists: creating, reading, changing and deleting call lists, with the progress counts
//! summed from their counter items.

use super::{CallLists, TargetState, decode_cursor, list_key, list_not_found, now, strip, text, to_item, unreadable};
use crate::domain::crm::Paged;
use crate::error::DomainError;
use crate::ids::{OperatorId, RecordId};
use crate::store::table::{
    CALL_LIST_COUNTER_SHARDS, CALL_LIST_SK, CALL_LISTS_GSI_PK, call_list_counter_key, call_list_pk,
};
use crate::store::{Cond, Index, Item, Key, Query, Update, attr};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};

pub(super) const NAME_MAX_CHARS: usize = 100;

pub(super) const DESCRIPTION_MAX_CHARS: usize = 1_000;

/// A list deletion removes at most this many items per request, so each stays well within
/// the Lambda timeout; the page repeats the request until the list is gone.
pub(super) const DELETE_ITEMS_PER_REQUEST: usize = 5_000;

pub(super) const DELETE_TIME_BUDGET: Duration = Duration::from_secs(10);

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
    pub(super) fn add_item(&mut self, item: &Item) {
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

/// Where deleting a large list got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DeleteProgress {
    pub deleted: u64,
    /// Whether the list is gone; when false, send the request again.
    pub done: bool,
}

pub(super) fn list_from_item(item: &Item) -> Result<CallList, DomainError> {
    serde_json::from_value(Value::Object(strip(item, &["deleting"]))).map_err(|e| unreadable("call list", e))
}

pub(super) fn stale_list(current: &CallList) -> DomainError {
    DomainError::conflict(
        "stale_version",
        format!(
            "this list was changed by {} (now version {}); reload it and apply your change again",
            current.updated_by, current.version
        ),
        serde_json::to_value(current).ok(),
    )
}

impl CallLists {
    pub(super) async fn check_line_and_script(
        &self,
        line_id: &str,
        script_id: Option<&str>,
    ) -> Result<(), DomainError> {
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

    /// A list's name and description checked, its line and script known to the settings.
    async fn checked_fields(
        &self,
        name: &str,
        description: Option<&str>,
        line_id: &str,
        script_id: Option<String>,
    ) -> Result<(String, Option<String>, Option<String>), DomainError> {
        let name = text(name, "name", NAME_MAX_CHARS, true)?.unwrap_or_default();
        let description = text(
            description.unwrap_or_default(),
            "description",
            DESCRIPTION_MAX_CHARS,
            false,
        )?;
        let script_id = script_id.filter(|s| !s.trim().is_empty());
        self.check_line_and_script(line_id, script_id.as_deref()).await?;
        Ok((name, description, script_id))
    }

    /// Creates a list.
    pub async fn create(&self, input: NewCallList, by: &OperatorId) -> Result<CallList, DomainError> {
        let (name, description, script_id) = self
            .checked_fields(
                &input.name,
                input.description.as_deref(),
                &input.line_id,
                input.script_id,
            )
            .await?;
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
        let (name, description, script_id) = self
            .checked_fields(
                &input.name,
                input.description.as_deref(),
                &input.line_id,
                input.script_id,
            )
            .await?;
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
    pub(super) async fn live_list(&self, list: &RecordId) -> Result<CallList, DomainError> {
        match self.store.get(&list_key(list)).await? {
            Some(item) if !item.contains_key("deleting") => list_from_item(&item),
            _ => Err(list_not_found(list)),
        }
    }
}
