//! The conversation memo (会話メモ) and response status (対応ステータス) of a call, saved while the
//! operator types. Each save names the version it was based on; a stale save is refused with the
//! current memo, so two tabs never overwrite each other silently. A save is one conditional write
//! of the memo item; history and the supervisors' board read memos from there (a page of calls,
//! one batch read), so a save does not also rewrite the call record. Only the operator on the
//! call (or offered it), for a while the operator it was handed over from, and supervisors may
//! read or change it.
//!
//! The memo is an item of its own in the call's partition ([`memo_key`]).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::calls::{Handover, call_key, memo_key};
use super::settings::SettingsService;
use crate::auth::{Caller, Role};
use crate::error::DomainError;
use crate::store::{Cond, Item, Key, Store, StoreError, attr, str_attr};
use crate::twilio::CallSid;

/// How often a save that met another transaction on the memo is tried again (20, 40, 80, 160 ms).
const CONFLICT_RETRIES: u32 = 4;

/// The memo item's attribute holding its response status.
const RESPONSE_STATUS: &str = "response_status";

/// How long the operator a call was handed over from may still save its memo.
pub const HANDOVER_GRACE_MINUTES: i64 = 10;

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

    /// Whether `operator` must still choose the response status (対応ステータス) of `call` before
    /// their wrap-up after it ends: the admin made it required, the call is still theirs (not
    /// handed on to a colleague, whose memo it now is) and its memo has none.
    pub async fn response_status_missing(&self, operator: &str, call: &str) -> Result<bool, DomainError> {
        if !self.settings.get().await?.call_handling.require_response_status {
            return Ok(false);
        }
        let Some(record) = self.store.get(&call_key(call)).await? else {
            return Ok(false);
        };
        if str_attr(&record, super::calls::field::OPERATOR_ID) != Some(operator) {
            return Ok(false);
        }
        let memo = self.store.get(&memo_key(call)).await?;
        Ok(memo
            .as_ref()
            .and_then(Memo::from_stored)
            .and_then(|m| m.response_status)
            .is_none_or(|s| s.trim().is_empty()))
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
        let call_item = self.authorise(caller, call).await?;
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
        // A save that keeps the response status of the memo it replaces (nearly every save while
        // the operator types) cannot move the call in the reports: whichever of the two versions
        // the call's count saw, it saw this status. It is offered first on that condition, and
        // only a save that changes the status (or a stale one) is tried on the version alone and
        // then checks the call's count, which reads the call again strongly.
        let same_status = match &memo.response_status {
            Some(status) => Cond::eq(RESPONSE_STATUS, status.as_str()),
            None => Cond::AttrNotExists(RESPONSE_STATUS.into()),
        };
        let mut keeping_status = input.version != 0;
        let mut conflicts = 0u32;
        // The memo alone is written (one write unit a KB): history reads a call's memo from here,
        // not from a copy on the call, which cost a transaction of both items on every save.
        // A transaction of someone else on the memo at that moment is not a stale version: the
        // save is tried again (briefly) rather than refused with 409, which would leave the
        // operator's last words unsaved.
        loop {
            let condition = if keeping_status {
                Cond::And(vec![cond.clone(), same_status.clone()])
            } else {
                cond.clone()
            };
            match self.store.put(item.clone(), Some(condition)).await {
                Ok(()) => {
                    let counted_as = str_attr(&call_item, super::reports::COUNTED_STATUS);
                    // A call already counted under another response status moves to this one;
                    // a save that kept the status moves it only when the call as read says it
                    // is counted under another (a move an earlier save left undone).
                    let moved = if keeping_status {
                        call_item.contains_key(super::calls::field::COUNTED)
                            && counted_as != memo.response_status.as_deref()
                    } else {
                        counted_as != memo.response_status.as_deref()
                    };
                    if moved {
                        super::reports::Reports::new(self.store.clone(), self.settings.clone())
                            .status_changed(call.as_str(), memo.response_status.as_deref(), memo.version)
                            .await?;
                    }
                    return Ok(memo);
                }
                Err(StoreError::ConditionFailed { .. }) if keeping_status => keeping_status = false,
                Err(StoreError::ConditionFailed { .. }) => return Err(self.stale(call, &key).await),
                Err(StoreError::TransactionConflict) if conflicts < CONFLICT_RETRIES => {
                    tokio::time::sleep(std::time::Duration::from_millis(20 << conflicts)).await;
                    conflicts += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Refuses a caller who is neither on the call (or offered it, or the target of a transfer
    /// of it under way), nor the operator it was handed over from less than
    /// [`HANDOVER_GRACE_MINUTES`] ago, nor a supervisor. Returns the call's record as read.
    ///
    /// The operator who hands a call over (a transfer, or the call put back in line after their
    /// leg left) may have typed words the page has not stored yet: a save queued behind the
    /// handover, or kept by the page through a brief outage. Those words are theirs and would
    /// otherwise be lost, so their saves are still taken for a while; the memo's version keeps
    /// them from overwriting what the new operator saved meanwhile (a stale save is answered
    /// 409 with the current memo, for the page to merge).
    pub async fn authorise(&self, caller: &Caller, call: &CallSid) -> Result<Item, DomainError> {
        use super::calls::field;
        use super::calls::transfer::field as transfer;
        let key = call_key(call.as_str());
        let allowed = |item: &Item| {
            let me = Some(caller.id.as_str());
            let on_call = str_attr(item, field::OPERATOR_ID) == me || str_attr(item, field::OFFERED_TO) == me;
            // The target of a transfer under way talks with the customer before it is theirs.
            let transfer_to_me = str_attr(item, transfer::TRANSFER_TO) == me
                && matches!(str_attr(item, transfer::TRANSFER_STATE), Some("ringing" | "answered"));
            let handovers = item
                .get(field::HANDED_OVER)
                .and_then(|v| serde_json::from_value::<Vec<Handover>>(v.clone()).ok())
                .unwrap_or_default()
                .into_iter()
                // A record written before the list kept one handover in two attributes.
                .chain(str_attr(item, field::HANDED_FROM).map(|operator| Handover {
                    operator: operator.to_owned(),
                    at: str_attr(item, field::HANDED_AT).unwrap_or_default().to_owned(),
                }));
            let handed_from_me = handovers
                .filter(|h| Some(h.operator.as_str()) == me)
                .any(|h| h.within(chrono::Utc::now(), HANDOVER_GRACE_MINUTES));
            on_call || transfer_to_me || handed_from_me || caller.role >= Role::Supervisor
        };
        // Read eventually consistent first, on every save while the operator types (half the
        // read units): a call handed on in the last second still takes the previous operator's
        // words, as the hand-over's grace does. Only a refusal, or no call, is read again
        // strongly before it is answered, so an operator given the call a moment ago is never
        // refused on a stale read.
        if let Some(item) = self.store.get_eventually(&key).await?.filter(|i| allowed(i)) {
            return Ok(item);
        }
        let item = self
            .store
            .get(&key)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("there is no call {call}")))?;
        if allowed(&item) {
            Ok(item)
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

    /// A store whose eventually consistent reads of the call answer as it was before it was
    /// given to the operator (a second behind), and which counts the strong reads.
    struct Behind {
        inner: EmbeddedStore,
        before: Item,
        strong_gets: AtomicU32,
    }

    #[async_trait]
    impl Store for Behind {
        async fn get(&self, k: &Key) -> Result<Option<Item>, StoreError> {
            self.strong_gets.fetch_add(1, Ordering::SeqCst);
            self.inner.get(k).await
        }
        async fn get_eventually(&self, k: &Key) -> Result<Option<Item>, StoreError> {
            if k.sk == "CALL" {
                return Ok(Some(self.before.clone()));
            }
            self.inner.get(k).await
        }
        async fn get_many(&self, k: &[Key]) -> Result<Vec<Item>, StoreError> {
            self.inner.get_many(k).await
        }
        async fn put(&self, i: Item, c: Option<Cond>) -> Result<(), StoreError> {
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
    async fn an_operator_given_the_call_a_moment_ago_is_not_refused_on_a_stale_read() {
        // Given a call just given to Sato, whose eventually consistent read still shows it
        // offered to no one,
        let sid = CallSid::parse("CA0123456789abcdef0123456789abcdec").unwrap();
        let key = call_key(sid.as_str());
        let mut before = Item::new();
        before.insert(attr::PK.into(), key.pk.clone().into());
        before.insert(attr::SK.into(), key.sk.clone().into());
        let mut now = before.clone();
        now.insert("operator_id".into(), "op-sato".into());
        let store = Arc::new(Behind {
            inner: EmbeddedStore::in_memory().unwrap(),
            before,
            strong_gets: AtomicU32::new(0),
        });
        store.inner.put(now, None).await.unwrap();
        let settings = SettingsService::new(store.clone(), std::time::Duration::from_secs(5));
        let memos = Memos::new(store.clone(), Arc::new(settings));
        // when Sato saves, the refusal the stale read suggests is checked strongly and the memo
        // is stored;
        let saved = memos
            .save(&operator("op-sato"), &sid, typed(0, "【お客様】住所変更"))
            .await;
        assert_eq!(saved.unwrap().version, 1);
        assert_eq!(store.strong_gets.load(Ordering::SeqCst), 1);
        // and someone not on the call is still refused after that strong read.
        let refused = memos.save(&operator("op-tanaka"), &sid, typed(1, "横から")).await;
        assert!(matches!(refused, Err(DomainError::Forbidden(_))), "{refused:?}");
    }

    #[tokio::test]
    async fn a_save_on_the_operators_own_call_reads_the_call_eventually_consistent_only() {
        // Given a call Sato has, as both kinds of read see it,
        let (store, memos, sid) = sato_call(None).await;
        // when Sato saves twice, no strong read of the call is made.
        memos
            .save(&operator("op-sato"), &sid, typed(0, "折り返し"))
            .await
            .unwrap();
        memos
            .save(&operator("op-sato"), &sid, typed(1, "折り返し希望"))
            .await
            .unwrap();
        assert_eq!(store.strong_gets.load(Ordering::SeqCst), 0);
    }

    /// A call Sato has, stored in a store that counts strong reads; `counted` marks it counted
    /// in the reports under that response status.
    async fn sato_call(counted: Option<&str>) -> (Arc<Behind>, Memos, CallSid) {
        let sid = CallSid::parse("CA0123456789abcdef0123456789abcdea").unwrap();
        let key = call_key(sid.as_str());
        let mut call = Item::new();
        call.insert(attr::PK.into(), key.pk.into());
        call.insert(attr::SK.into(), key.sk.into());
        call.insert("operator_id".into(), "op-sato".into());
        if let Some(status) = counted {
            call.insert(super::super::calls::field::COUNTED.into(), true.into());
            call.insert(super::super::reports::COUNTED_STATUS.into(), status.into());
        }
        let store = Arc::new(Behind {
            inner: EmbeddedStore::in_memory().unwrap(),
            before: call.clone(),
            strong_gets: AtomicU32::new(0),
        });
        store.inner.put(call, None).await.unwrap();
        let settings = SettingsService::new(store.clone(), std::time::Duration::from_secs(5));
        let memos = Memos::new(store.clone(), Arc::new(settings));
        (store, memos, sid)
    }

    fn with_status(version: u64, text: &str, status: &str) -> MemoSave {
        MemoSave {
            response_status: Some(status.into()),
            ..typed(version, text)
        }
    }

    #[tokio::test]
    async fn saves_that_keep_the_response_status_while_the_call_goes_on_do_not_read_the_call_again() {
        // Given a live call on which Sato chose 対応完了 with the first save (which checks the
        // call's count once),
        let (store, memos, sid) = sato_call(None).await;
        let sato = operator("op-sato");
        memos
            .save(&sato, &sid, with_status(0, "請求書", "resolved"))
            .await
            .unwrap();
        assert_eq!(store.strong_gets.load(Ordering::SeqCst), 1);
        // when Sato goes on typing with the same status,
        for (version, text) in [(1, "請求書の再発行"), (2, "請求書の再発行を希望")] {
            memos
                .save(&sato, &sid, with_status(version, text, "resolved"))
                .await
                .unwrap();
        }
        // then each save is stored without reading the call again.
        assert_eq!(store.strong_gets.load(Ordering::SeqCst), 1);
        let memo = memos.read(&sato, &sid).await.unwrap();
        assert_eq!((memo.version, memo.text.as_str()), (3, "請求書の再発行を希望"));
        assert_eq!(memo.response_status.as_deref(), Some("resolved"));
    }

    #[tokio::test]
    async fn a_save_that_changes_the_response_status_checks_the_calls_count_again() {
        // Given a call counted under 対応完了 whose memo says so,
        let (store, memos, sid) = sato_call(Some("resolved")).await;
        let sato = operator("op-sato");
        memos
            .save(&sato, &sid, with_status(0, "請求書", "resolved"))
            .await
            .unwrap();
        let before = store.strong_gets.load(Ordering::SeqCst);
        // when Sato changes it to 折り返し必要,
        let saved = memos
            .save(&sato, &sid, with_status(1, "請求書、折り返し", "callback"))
            .await
            .unwrap();
        // then the memo is stored with it and the call is read again to move its count,
        assert_eq!((saved.version, saved.response_status.as_deref()), (2, Some("callback")));
        assert!(store.strong_gets.load(Ordering::SeqCst) > before);
        // and a stale save is still refused with the memo as it is.
        let stale = memos
            .save(&sato, &sid, with_status(1, "古い版", "resolved"))
            .await
            .unwrap_err();
        assert!(matches!(stale, DomainError::Conflict { .. }), "{stale:?}");
    }

    /// A call Suzuki has now, handed over from Sato `minutes_ago` (as a record written before
    /// the list of handovers keeps it).
    async fn handed_over(minutes_ago: i64) -> (Memos, CallSid) {
        let store = Arc::new(EmbeddedStore::in_memory().unwrap());
        let sid = CallSid::parse("CA0123456789abcdef0123456789abcdee").unwrap();
        let key = call_key(sid.as_str());
        let at = chrono::Utc::now() - chrono::Duration::minutes(minutes_ago);
        let mut call = Item::new();
        call.insert(attr::PK.into(), key.pk.into());
        call.insert(attr::SK.into(), key.sk.into());
        call.insert("operator_id".into(), "op-suzuki".into());
        call.insert("handed_from".into(), "op-sato".into());
        call.insert("handed_at".into(), at.to_rfc3339().into());
        store.put(call, None).await.unwrap();
        let settings = SettingsService::new(store.clone(), std::time::Duration::from_secs(5));
        (Memos::new(store, Arc::new(settings)), sid)
    }

    fn operator(id: &str) -> Caller {
        Caller {
            id: crate::ids::OperatorId::parse(id).unwrap(),
            name: id.into(),
            role: Role::Operator,
        }
    }

    fn typed(version: u64, text: &str) -> MemoSave {
        MemoSave {
            version,
            text: text.into(),
            response_status: None,
        }
    }

    #[tokio::test]
    async fn the_operator_who_handed_a_call_over_may_still_save_what_they_typed() {
        // Given a call Sato handed over to Suzuki a minute ago,
        let (memos, sid) = handed_over(1).await;
        // when Sato's page saves the words she typed before the handover,
        let saved = memos
            .save(&operator("op-sato"), &sid, typed(0, "住所変更の件、書類送付済み"))
            .await;
        // then they are stored, and Suzuki reads them;
        assert_eq!(saved.unwrap().version, 1);
        let read = memos.read(&operator("op-suzuki"), &sid).await.unwrap();
        assert_eq!(read.text, "住所変更の件、書類送付済み");
        // a save of Sato's on an older version than Suzuki's is stale, not an overwrite;
        memos
            .save(
                &operator("op-suzuki"),
                &sid,
                typed(1, "住所変更の件、書類送付済み。折り返し不要"),
            )
            .await
            .unwrap();
        let stale = memos.save(&operator("op-sato"), &sid, typed(1, "住所変更の件")).await;
        assert!(
            matches!(
                stale,
                Err(DomainError::Conflict {
                    code: "stale_version",
                    ..
                })
            ),
            "{stale:?}"
        );
        // and another operator is still refused.
        let other = memos.save(&operator("op-tanaka"), &sid, typed(2, "x")).await;
        assert!(matches!(other, Err(DomainError::Forbidden(_))), "{other:?}");
    }

    #[tokio::test]
    async fn every_operator_a_call_was_handed_on_from_lately_may_still_save_what_they_typed() {
        // Given a call Sato handed to Suzuki three minutes ago, and Suzuki to Ito just now (a
        // record written by the handovers themselves),
        let store = Arc::new(EmbeddedStore::in_memory().unwrap());
        let sid = CallSid::parse("CA0123456789abcdef0123456789abcdec").unwrap();
        let key = call_key(sid.as_str());
        let mut record = super::super::calls::CallRecord::default();
        let three_ago = (chrono::Utc::now() - chrono::Duration::minutes(3)).to_rfc3339();
        let list = record.handed_over_by("op-sato", &three_ago);
        record.handed_over = serde_json::from_value(list).unwrap();
        let list = record.handed_over_by("op-suzuki", &chrono::Utc::now().to_rfc3339());
        let mut call = Item::new();
        call.insert(attr::PK.into(), key.pk.into());
        call.insert(attr::SK.into(), key.sk.into());
        call.insert("operator_id".into(), "op-ito".into());
        call.insert(super::super::calls::field::HANDED_OVER.into(), list);
        store.put(call, None).await.unwrap();
        let settings = SettingsService::new(store.clone(), std::time::Duration::from_secs(5));
        let memos = Memos::new(store, Arc::new(settings));
        // when Sato's outbox stores the words it kept through an outage, they are taken,
        let saved = memos.save(&operator("op-sato"), &sid, typed(0, "住所変更の件")).await;
        assert_eq!(saved.unwrap().version, 1);
        // as Suzuki's are,
        let saved = memos
            .save(&operator("op-suzuki"), &sid, typed(1, "住所変更の件、送付済み"))
            .await;
        assert_eq!(saved.unwrap().version, 2);
        // and someone the call never reached is still refused.
        let other = memos.save(&operator("op-tanaka"), &sid, typed(2, "x")).await;
        assert!(matches!(other, Err(DomainError::Forbidden(_))), "{other:?}");
    }

    #[test]
    fn a_call_keeps_its_latest_handovers_one_an_operator() {
        let mut record = super::super::calls::CallRecord::default();
        for i in 0..12 {
            let op = format!("op-{}", i % 10);
            let list = record.handed_over_by(&op, &format!("2026-12-03T01:00:{i:02}Z"));
            record.handed_over = serde_json::from_value(list).unwrap();
        }
        let ops: Vec<_> = record.handed_over.iter().map(|h| h.operator.as_str()).collect();
        assert_eq!(ops, ["op-4", "op-5", "op-6", "op-7", "op-8", "op-9", "op-0", "op-1"]);
        assert_eq!(record.handed_over[7].at, "2026-12-03T01:00:11Z");
    }

    #[tokio::test]
    async fn the_operator_who_handed_a_call_over_long_ago_may_not_change_its_memo() {
        let (memos, sid) = handed_over(HANDOVER_GRACE_MINUTES + 1).await;
        let late = memos.save(&operator("op-sato"), &sid, typed(0, "今さらの追記")).await;
        assert!(matches!(late, Err(DomainError::Forbidden(_))), "{late:?}");
    }

    #[tokio::test]
    async fn the_target_of_a_transfer_under_way_may_save_the_memo_before_the_call_is_theirs() {
        // Given Sato's call with a warm transfer to Tanaka answered (they are talking),
        let store = Arc::new(EmbeddedStore::in_memory().unwrap());
        let sid = CallSid::parse("CA0123456789abcdef0123456789abcded").unwrap();
        let key = call_key(sid.as_str());
        let mut call = Item::new();
        call.insert(attr::PK.into(), key.pk.clone().into());
        call.insert(attr::SK.into(), key.sk.clone().into());
        call.insert("operator_id".into(), "op-sato".into());
        call.insert("transfer_to".into(), "op-tanaka".into());
        call.insert("transfer_state".into(), "answered".into());
        store.put(call.clone(), None).await.unwrap();
        let settings = SettingsService::new(store.clone(), std::time::Duration::from_secs(5));
        let memos = Memos::new(store.clone(), Arc::new(settings));
        // when Tanaka saves what the customer tells him, it is stored;
        let saved = memos.save(&operator("op-tanaka"), &sid, typed(0, "折り返し希望")).await;
        assert_eq!(saved.unwrap().version, 1);
        // and once the transfer has failed, he may not.
        call.insert("transfer_state".into(), "failed".into());
        store.put(call, None).await.unwrap();
        let late = memos
            .save(&operator("op-tanaka"), &sid, typed(1, "折り返し希望。"))
            .await;
        assert!(matches!(late, Err(DomainError::Forbidden(_))), "{late:?}");
    }

    #[tokio::test]
    async fn the_response_status_is_missing_only_when_required_and_the_call_is_still_the_operators() {
        // Given a call of Sato's whose memo has no response status,
        let store = Arc::new(EmbeddedStore::in_memory().unwrap());
        let sid = CallSid::parse("CA0123456789abcdef0123456789abcd01").unwrap();
        let key = call_key(sid.as_str());
        let mut call = Item::new();
        call.insert(attr::PK.into(), key.pk.clone().into());
        call.insert(attr::SK.into(), key.sk.clone().into());
        call.insert("operator_id".into(), "op-sato".into());
        store.put(call.clone(), None).await.unwrap();
        let settings = Arc::new(SettingsService::new(store.clone(), std::time::Duration::from_secs(0)));
        let memos = Memos::new(store.clone(), settings.clone());
        memos
            .save(&operator("op-sato"), &sid, typed(0, "住所変更"))
            .await
            .unwrap();
        // nothing is missing while the admin does not require it;
        assert!(!memos.response_status_missing("op-sato", sid.as_str()).await.unwrap());
        // once required, it is missing for Sato, not for a colleague the call is not with;
        let mut handling = serde_json::to_value(&settings.get().await.unwrap().call_handling).unwrap();
        handling["require_response_status"] = true.into();
        settings.put_section("call_handling", 0, handling).await.unwrap();
        assert!(memos.response_status_missing("op-sato", sid.as_str()).await.unwrap());
        assert!(!memos.response_status_missing("op-suzuki", sid.as_str()).await.unwrap());
        // and no longer once the memo has one.
        let mut chosen = typed(1, "住所変更");
        chosen.response_status = Some("resolved".into());
        memos.save(&operator("op-sato"), &sid, chosen).await.unwrap();
        assert!(!memos.response_status_missing("op-sato", sid.as_str()).await.unwrap());
    }
}
