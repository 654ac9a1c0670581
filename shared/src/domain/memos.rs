//! The conversation memo (会話メモ) and response status (対応ステータス) of a call, saved while the
//! operator types. Each save names the version it was based on; a stale save is refused with the
//! current memo, so two tabs never overwrite each other silently. A save is one conditional write
//! of the memo item; history and the supervisors' board read memos from there (a page of calls,
//! one batch read), so a save does not also rewrite the call record. Only the operator on the
//! call (or offered it) and supervisors may read or change it.
//!
//! The memo is an item of its own in the call's partition ([`memo_key`]).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::calls::{call_key, memo_key};
use super::settings::SettingsService;
use crate::auth::{Caller, Role};
use crate::error::DomainError;
use crate::store::{Cond, Item, Key, Store, StoreError, attr, str_attr};
use crate::twilio::CallSid;

/// The most characters a memo may hold (also the most a screen transfer carries).
pub const MEMO_MAX_CHARS: usize = 10_000;

/// A call's memo.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Memo {
    pub call_sid: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<String>,
    /// 0 until the first save.
    pub version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
}

impl Memo {
    fn empty(call: &CallSid) -> Self {
        Memo {
            call_sid: call.as_str().to_owned(),
            text: String::new(),
            response_status: None,
            version: 0,
            updated_at: None,
            updated_by: None,
        }
    }

    fn from_item(call: &CallSid, item: Option<Item>) -> Self {
        item.as_ref()
            .and_then(Memo::from_stored)
            .unwrap_or_else(|| Memo::empty(call))
    }

    /// Reads a stored memo item; `None` when it is not one.
    pub fn from_stored(item: &Item) -> Option<Self> {
        serde_json::from_value(Value::Object(item.clone())).ok()
    }
}

/// A save: the version it was based on and the full text.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemoSave {
    pub version: u64,
    pub text: String,
    #[serde(default)]
    pub response_status: Option<String>,
}

/// Reads and saves memos.
pub struct Memos {
    store: Arc<dyn Store>,
    settings: Arc<SettingsService>,
}

impl Memos {
    pub fn new(store: Arc<dyn Store>, settings: Arc<SettingsService>) -> Self {
        Self { store, settings }
    }

    /// The memo of a call (empty, version 0, before the first save).
    pub async fn read(&self, caller: &Caller, call: &CallSid) -> Result<Memo, DomainError> {
        self.authorise(caller, call).await?;
        Ok(Memo::from_item(call, self.store.get(&memo_key(call.as_str())).await?))
    }

    /// Saves the memo if `input.version` is the stored one; a conflict carrying the current
    /// memo otherwise. The text is checked before anything is read.
    pub async fn save(&self, caller: &Caller, call: &CallSid, input: MemoSave) -> Result<Memo, DomainError> {
        if input.text.chars().count() > MEMO_MAX_CHARS {
            return Err(DomainError::invalid_field(
                "memo_too_long",
                "text",
                format!("a memo holds at most {MEMO_MAX_CHARS} characters"),
            ));
        }
        if let Some(rs) = &input.response_status {
            let settings = self.settings.get().await?;
            if !settings.response_statuses.iter().any(|x| x.id.as_str() == rs) {
                return Err(DomainError::invalid_field(
                    "unknown_response_status",
                    "response_status",
                    format!("'{rs}' is not one of the configured response statuses"),
                ));
            }
        }
        self.authorise(caller, call).await?;
        let key = memo_key(call.as_str());
        // No stored memo has the largest version, so a save claiming it is stale like any other.
        let Some(next_version) = input.version.checked_add(1) else {
            return Err(self.stale(call, &key).await);
        };
        let memo = Memo {
            call_sid: call.as_str().to_owned(),
            text: input.text,
            response_status: input.response_status,
            version: next_version,
            updated_at: Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            updated_by: Some(caller.id.to_string()),
        };
        let mut item = match serde_json::to_value(&memo) {
            Ok(Value::Object(m)) => m,
            _ => return Err(DomainError::invalid("invalid_memo", "the memo could not be encoded")),
        };
        item.insert(attr::PK.into(), key.pk.clone().into());
        item.insert(attr::SK.into(), key.sk.clone().into());
        let cond = if input.version == 0 {
            Cond::NotExists
        } else {
            Cond::version(input.version)
        };
        // The memo alone is written (one write unit a KB): history reads a call's memo from here,
        // not from a copy on the call, which cost a transaction of both items on every save.
        match self.store.put(item, Some(cond)).await {
            Ok(()) => Ok(memo),
            Err(StoreError::ConditionFailed { .. }) | Err(StoreError::TransactionConflict) => {
                Err(self.stale(call, &key).await)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Refuses a caller who is neither on the call (or offered it) nor a supervisor.
    async fn authorise(&self, caller: &Caller, call: &CallSid) -> Result<(), DomainError> {
        let item = self
            .store
            .get(&call_key(call.as_str()))
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("there is no call {call}")))?;
        let me = Some(caller.id.as_str());
        let on_call = str_attr(&item, "operator_id") == me || str_attr(&item, "offered_to") == me;
        if on_call || caller.role >= Role::Supervisor {
            Ok(())
        } else {
            Err(DomainError::Forbidden(
                "only the operator on this call or a supervisor can see or change its memo".into(),
            ))
        }
    }

    /// The conflict for a save whose version is not the stored one, carrying the memo as it is.
    async fn stale(&self, call: &CallSid, key: &Key) -> DomainError {
        let current = match self.store.get(key).await {
            Ok(item) => Memo::from_item(call, item),
            Err(e) => return e.into(),
        };
        DomainError::conflict(
            "stale_version",
            format!(
                "the memo was saved meanwhile by {} (version {}); merge your text and save again",
                current.updated_by.as_deref().unwrap_or("someone"),
                current.version
            ),
            serde_json::to_value(&current).ok(),
        )
    }
}
