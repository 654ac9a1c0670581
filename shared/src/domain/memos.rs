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

/// How often a save that met another transaction on the memo is tried again (20, 40, 80, 160 ms).
const CONFLICT_RETRIES: u32 = 4;

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
        // A transaction of someone else on the memo at that moment is not a stale version: the
        // save is tried again (briefly) rather than refused with 409, which would leave the
        // operator's last words unsaved.
        for attempt in 0u32.. {
            match self.store.put(item.clone(), Some(cond.clone())).await {
                Ok(()) => return Ok(memo),
                Err(StoreError::ConditionFailed { .. }) => return Err(self.stale(call, &key).await),
                Err(StoreError::TransactionConflict) if attempt < CONFLICT_RETRIES => {
                    tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        unreachable!("the loop returns")
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use async_trait::async_trait;

    use super::*;
    use crate::store::embedded::EmbeddedStore;
    use crate::store::{Page, Query};

    /// A store whose first `conflicts` puts meet another transaction on the item.
    struct Contended {
        inner: EmbeddedStore,
        conflicts: AtomicU32,
    }

    #[async_trait]
    impl Store for Contended {
        async fn get(&self, k: &Key) -> Result<Option<Item>, StoreError> {
            self.inner.get(k).await
        }
        async fn get_many(&self, k: &[Key]) -> Result<Vec<Item>, StoreError> {
            self.inner.get_many(k).await
        }
        async fn put(&self, i: Item, c: Option<Cond>) -> Result<(), StoreError> {
            if self
                .conflicts
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                return Err(StoreError::TransactionConflict);
            }
            self.inner.put(i, c).await
        }
        async fn update(&self, k: &Key, u: crate::store::Update, c: Option<Cond>) -> Result<Item, StoreError> {
            self.inner.update(k, u, c).await
        }
        async fn delete(&self, k: &Key, c: Option<Cond>) -> Result<(), StoreError> {
            self.inner.delete(k, c).await
        }
        async fn query(&self, q: Query) -> Result<Page, StoreError> {
            self.inner.query(q).await
        }
        async fn transact(&self, ops: Vec<crate::store::TxOp>) -> Result<(), StoreError> {
            self.inner.transact(ops).await
        }
        async fn batch_write(&self, p: Vec<Item>, d: Vec<Key>) -> Result<(), StoreError> {
            self.inner.batch_write(p, d).await
        }
    }

    #[tokio::test]
    async fn a_save_that_meets_another_transaction_is_stored_not_refused_as_stale() {
        // Given a call on which the first two saves meet another transaction,
        let store = Arc::new(Contended {
            inner: EmbeddedStore::in_memory().unwrap(),
            conflicts: AtomicU32::new(2),
        });
        let sid = CallSid::parse("CA0123456789abcdef0123456789abcdef").unwrap();
        let key = call_key(sid.as_str());
        let mut call = Item::new();
        call.insert(attr::PK.into(), key.pk.into());
        call.insert(attr::SK.into(), key.sk.into());
        call.insert("operator_id".into(), "op-sato".into());
        store.inner.put(call, None).await.unwrap();
        let settings = SettingsService::new(store.clone(), std::time::Duration::from_secs(5));
        let memos = Memos::new(store.clone(), Arc::new(settings));
        let caller = Caller {
            id: crate::ids::OperatorId::parse("op-sato").unwrap(),
            name: "佐藤".into(),
            role: Role::Operator,
        };
        // when the operator saves,
        let input = MemoSave {
            version: 0,
            text: "【お客様】請求書の再発行".into(),
            response_status: None,
        };
        let saved = memos.save(&caller, &sid, input).await;
        // then the memo is stored.
        assert_eq!(saved.unwrap().version, 1);
        assert_eq!(
            memos.read(&caller, &sid).await.unwrap().text,
            "【お客様】請求書の再発行"
        );
    }
}
