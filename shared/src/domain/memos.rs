//! The conversation memo (会話メモ) and response status (対応ステータス) of a call, saved while the
//! operator types. Each save names the version it was based on; a stale save is refused with the
//! current memo, so two tabs never overwrite each other silently. A save is one conditional write
//! of the memo item; history and the supervisors' board read memos from there (a page of calls,
//! one batch read), so a save does not also rewrite the call record. Only the operator on the
//! call (or offered it), for a while the operator it was handed over from, and supervisors may
//! read or change it.
//!
//! The memo is an item of its own in the call's partition ([`memo_key`]).
//!
//! A save while the operator types reads nothing: the memo item carries a lease ([`LEASE_TO`],
//! [`LEASE_UNTIL`]) given to the operator on the call when a save of theirs was authorised by
//! reading the call, and the write is conditioned on it (and on the version, and on the response
//! status it keeps). Only a write so refused reads: the memo, to tell a stale save (409) from
//! one that changes the status or has no lease, and then the call, to authorise (403 / 404).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::calls::{Handover, call_key, memo_key};
use super::settings::SettingsService;
use crate::auth::{Caller, Role};
use crate::error::DomainError;
use crate::store::table::MEMO_SK;
use crate::store::{Cond, Item, Key, Store, StoreError, Update, attr, epoch_now, str_attr};
use crate::twilio::CallSid;

/// How often a save that met another transaction on the memo is tried again (20, 40, 80, 160 ms).
const CONFLICT_RETRIES: u32 = 4;

/// The memo item's attribute holding its response status.
const RESPONSE_STATUS: &str = "response_status";

/// The memo item's attribute naming the operator whose saves are taken without reading the call.
pub const LEASE_TO: &str = "lease_to";
/// Until when (seconds since the epoch) [`LEASE_TO`]'s saves are taken without reading the call.
pub const LEASE_UNTIL: &str = "lease_until";

/// How long the operator who handed a call over may still save its memo.
pub const HANDOVER_GRACE_MINUTES: i64 = 10;

/// How long a lease lasts: no longer than the hand-over's grace, so a save the lease takes is
/// one reading the call would have taken too (the operator was on the call when the lease was
/// given; handed over since, they are within the grace for as long as the lease runs).
pub const LEASE_SECONDS: i64 = HANDOVER_GRACE_MINUTES * 60;

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

    /// Reads a stored memo item; `None` when it is not one. The call it belongs to is its
    /// partition's (a memo written before the lease also kept it in an attribute of its own).
    pub fn from_stored(item: &Item) -> Option<Self> {
        let mut item = item.clone();
        if !item.contains_key("call_sid")
            && str_attr(&item, attr::SK) == Some(MEMO_SK)
            && let Some(sid) =
                str_attr(&item, attr::PK).and_then(|pk| pk.strip_prefix(crate::store::table::CALL_PREFIX))
        {
            let sid = sid.to_owned();
            item.insert("call_sid".into(), sid.into());
        }
        serde_json::from_value(Value::Object(item)).ok()
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
    /// The page changed the response status since the version this save is based on: the save
    /// is written on the lease without the condition that it keeps the status (a write refused
    /// on it is billed like one), and the call is then moved in the reports. A hint of the
    /// order only: a wrong one costs a read or a refused write, never a wrong memo or count.
    #[serde(default)]
    pub changes_status: bool,
}

/// Reads and saves memos.
pub struct Memos {
    store: Arc<dyn Store>,
    settings: Arc<SettingsService>,
}

/// How a save was let through when it was not on the fast path.
struct Authorised {
    /// The call as read to authorise it (none when the lease or the caller's role did).
    call: Option<Item>,
    /// Whether the save gives the caller the lease (they are the call's operator as read).
    lease: bool,
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
    /// memo otherwise. The text is checked before anything is read or written.
    ///
    /// A save of the lease holder (or a supervisor) that keeps the response status is one
    /// conditional write and nothing else: nearly every save while the operator types. A save
    /// refused on that condition reads the memo: a stale version is answered 409; otherwise the
    /// save is authorised (the lease, the caller's role, or the call as read, which gives the
    /// call's operator the lease) and written on the version read; a change of the response
    /// status then moves the call in the reports if it was counted under another.
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
        let key = memo_key(call.as_str());
        // No stored memo has the largest version, so a save claiming it is stale like any other.
        let Some(next_version) = input.version.checked_add(1) else {
            let current = self.store.get(&key).await?;
            return Err(self.stale(call, current, &input).await);
        };
        let memo = Memo {
            call_sid: call.as_str().to_owned(),
            text: input.text.clone(),
            response_status: input.response_status.clone(),
            version: next_version,
            updated_at: Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            updated_by: Some(caller.id.to_string()),
        };
        let mut write = Update::default()
            .set("text", memo.text.as_str())
            .set("version", memo.version)
            .set("updated_at", memo.updated_at.clone().unwrap_or_default())
            .set("updated_by", caller.id.as_str());
        write = match &memo.response_status {
            Some(status) => write.set(RESPONSE_STATUS, status.as_str()),
            None => write.remove(RESPONSE_STATUS),
        };
        let same_status = match &memo.response_status {
            Some(status) => Cond::eq(RESPONSE_STATUS, status.as_str()),
            None => Cond::AttrNotExists(RESPONSE_STATUS.into()),
        };
        let supervisor = caller.role >= Role::Supervisor;
        let now = epoch_now();

        // The fast path: the lease (or the caller's role) authorises and the version is current;
        // the response status is kept (nothing in the reports can move), or the page says it
        // changed it (the call is moved if it was counted under another).
        if input.version > 0 {
            let mut cond = vec![Cond::version(input.version)];
            if !input.changes_status {
                cond.push(same_status);
            }
            if !supervisor {
                cond.push(Cond::eq(LEASE_TO, caller.id.as_str()));
                cond.push(Cond::Gt(LEASE_UNTIL.into(), now.into()));
            }
            match self.write(&key, write.clone(), Cond::And(cond)).await {
                Ok(()) => {
                    if input.changes_status {
                        self.move_in_reports(call, memo.response_status.as_deref()).await?;
                    }
                    return Ok(memo);
                }
                Err(StoreError::ConditionFailed { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }

        // Refused on that condition, or the first save: the memo as stored says why.
        let current = if input.version > 0 {
            let current = self.store.get(&key).await?;
            let version = current.as_ref().and_then(|c| c.get("version")).and_then(Value::as_u64);
            if version != Some(input.version) {
                return Err(self.stale(call, current, &input).await);
            }
            current
        } else {
            None
        };
        let leased = current.as_ref().is_some_and(|c| {
            str_attr(c, LEASE_TO) == Some(caller.id.as_str())
                && c.get(LEASE_UNTIL)
                    .and_then(Value::as_i64)
                    .is_some_and(|until| until > now)
        });
        let authorised = if supervisor || leased {
            Authorised {
                call: None,
                lease: false,
            }
        } else {
            let call_item = self.authorise(caller, call).await?;
            let lease = str_attr(&call_item, super::calls::field::OPERATOR_ID) == Some(caller.id.as_str());
            Authorised {
                call: Some(call_item),
                lease,
            }
        };
        if authorised.lease {
            write = write
                .set(LEASE_TO, caller.id.as_str())
                .set(LEASE_UNTIL, now + LEASE_SECONDS);
        }
        let cond = if input.version == 0 {
            Cond::NotExists
        } else {
            Cond::version(input.version)
        };
        match self.write(&key, write, cond).await {
            Ok(()) => {}
            Err(StoreError::ConditionFailed { .. }) => {
                let current = self.store.get(&key).await?;
                return Err(self.stale(call, current, &input).await);
            }
            Err(e) => return Err(e.into()),
        }

        // A call already counted under another response status moves to this one. A save that
        // changed the status checks (status_changed reads the call strongly); one that kept it
        // moves the call only when the call as read here says it is counted under another (a
        // move an earlier save left undone).
        let before = current.as_ref().and_then(|c| str_attr(c, RESPONSE_STATUS));
        let moved = before != memo.response_status.as_deref()
            || authorised.call.as_ref().is_some_and(|c| {
                c.contains_key(super::calls::field::COUNTED)
                    && str_attr(c, super::reports::COUNTED_STATUS) != memo.response_status.as_deref()
            });
        if moved {
            self.move_in_reports(call, memo.response_status.as_deref()).await?;
        }
        Ok(memo)
    }

    /// Writes the memo on `cond`. A transaction of someone else on the memo at that moment is
    /// not a stale version: the write is tried again (briefly) rather than refused with 409,
    /// which would leave the operator's last words unsaved.
    async fn write(&self, key: &Key, update: Update, cond: Cond) -> Result<(), StoreError> {
        let mut conflicts = 0u32;
        loop {
            match self.store.update(key, update.clone(), Some(cond.clone())).await {
                Ok(_) => return Ok(()),
                Err(StoreError::TransactionConflict) if conflicts < CONFLICT_RETRIES => {
                    tokio::time::sleep(std::time::Duration::from_millis(20 << conflicts)).await;
                    conflicts += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Moves the call in the reports to `status` if it was counted under another.
    async fn move_in_reports(&self, call: &CallSid, status: Option<&str>) -> Result<(), DomainError> {
        super::reports::Reports::new(self.store.clone(), self.settings.clone())
            .status_changed(call.as_str(), status)
            .await
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
        // Read eventually consistent first (half the read units): a call handed on in the last
        // second still takes the previous operator's words, as the hand-over's grace does. Only
        // a refusal, or no call, is read again strongly before it is answered, so an operator
        // given the call a moment ago is never refused on a stale read.
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

    /// The conflict for a save whose version is not the stored one, carrying the memo as it is
    /// (`current`, as read). A save that had landed and is sent again (its answer was lost) finds
    /// its own words there: the move in the reports it may have left undone (the save failed
    /// after its write) is made now, and the page takes the 409 as stored.
    async fn stale(&self, call: &CallSid, current: Option<Item>, input: &MemoSave) -> DomainError {
        let current = Memo::from_item(call, current);
        let repeat =
            current.version > 0 && current.text == input.text && current.response_status == input.response_status;
        if repeat && let Err(e) = self.move_in_reports(call, current.response_status.as_deref()).await {
            return e;
        }
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
            changes_status: false,
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
            changes_status: false,
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

    /// A store that counts what passes through, for the saves below: (reads, writes).
    fn counting(inner: EmbeddedStore) -> Arc<crate::store::counting::CountingStore> {
        Arc::new(crate::store::counting::CountingStore::new(Arc::new(inner)))
    }

    /// Sato's call (`sid`) in `store`, with the settings of a fresh centre.
    async fn call_of(store: Arc<dyn Store>, sid: &CallSid, operator: &str) -> Memos {
        let key = call_key(sid.as_str());
        let mut call = Item::new();
        call.insert(attr::PK.into(), key.pk.into());
        call.insert(attr::SK.into(), key.sk.into());
        call.insert("operator_id".into(), operator.into());
        store.put(call, None).await.unwrap();
        let settings = SettingsService::new(store.clone(), std::time::Duration::from_secs(60));
        Memos::new(store, Arc::new(settings))
    }

    #[tokio::test]
    async fn saves_while_the_operator_types_are_one_write_each_and_read_nothing() {
        // Given Sato's call whose memo she saved once (the call read to authorise it),
        let store = counting(EmbeddedStore::in_memory().unwrap());
        let sid = CallSid::parse("CA0123456789abcdef0123456789abcd10").unwrap();
        let memos = call_of(store.clone(), &sid, "op-sato").await;
        let sato = operator("op-sato");
        memos.save(&sato, &sid, typed(0, "住所変更")).await.unwrap();
        store.reset();
        // when she goes on typing and it is saved five more times,
        let mut text = String::from("住所変更");
        for version in 1..=5 {
            text.push_str("、追記");
            memos.save(&sato, &sid, typed(version, &text)).await.unwrap();
        }
        // then each save was one write and nothing was read,
        let c = store.counts();
        assert_eq!((c.gets, c.batch_gets, c.queries), (0, 0, 0), "{c:?}");
        assert_eq!((c.updates, c.puts, c.transactions), (5, 0, 0), "{c:?}");
        // and the memo is all she typed.
        let memo = memos.read(&sato, &sid).await.unwrap();
        assert_eq!((memo.version, memo.text.as_str()), (6, text.as_str()));
    }

    #[tokio::test]
    async fn a_colleague_given_the_call_takes_the_lease_and_the_operator_who_handed_it_over_keeps_the_grace() {
        // Given Sato's call, her memo saved, handed over to Suzuki just now,
        let store = Arc::new(EmbeddedStore::in_memory().unwrap());
        let sid = CallSid::parse("CA0123456789abcdef0123456789abcd11").unwrap();
        let memos = call_of(store.clone(), &sid, "op-sato").await;
        memos
            .save(&operator("op-sato"), &sid, typed(0, "住所変更"))
            .await
            .unwrap();
        let record = super::super::calls::CallRecord::default();
        let handed = record.handed_over_by("op-sato", &chrono::Utc::now().to_rfc3339());
        store
            .update(
                &call_key(sid.as_str()),
                Update::default()
                    .set("operator_id", "op-suzuki")
                    .set(super::super::calls::field::HANDED_OVER, handed),
                None,
            )
            .await
            .unwrap();
        // when Suzuki saves, it is stored (the call read says the call is his) and the lease is his;
        memos
            .save(&operator("op-suzuki"), &sid, typed(1, "住所変更、鈴木が対応"))
            .await
            .unwrap();
        let item = store.get(&memo_key(sid.as_str())).await.unwrap().unwrap();
        assert_eq!(str_attr(&item, LEASE_TO), Some("op-suzuki"));
        // Sato's words typed before the handover are still taken, on the version she is shown;
        let saved = memos
            .save(
                &operator("op-sato"),
                &sid,
                typed(2, "住所変更、鈴木が対応。書類送付済み"),
            )
            .await;
        assert_eq!(saved.unwrap().version, 3);
        // and someone the call never reached is refused.
        let other = memos.save(&operator("op-tanaka"), &sid, typed(3, "横から")).await;
        assert!(matches!(other, Err(DomainError::Forbidden(_))), "{other:?}");
    }

    #[tokio::test]
    async fn a_lease_that_ran_out_is_renewed_by_reading_the_call_or_refused_once_the_call_is_not_hers() {
        // Given Sato's call whose memo lease ran out,
        let store = counting(EmbeddedStore::in_memory().unwrap());
        let sid = CallSid::parse("CA0123456789abcdef0123456789abcd12").unwrap();
        let memos = call_of(store.clone(), &sid, "op-sato").await;
        let sato = operator("op-sato");
        memos.save(&sato, &sid, typed(0, "折り返し")).await.unwrap();
        let run_out = || async {
            store
                .update(
                    &memo_key(sid.as_str()),
                    Update::default().set(LEASE_UNTIL, epoch_now() - 1),
                    None,
                )
                .await
                .unwrap();
        };
        run_out().await;
        // when she saves, the call is read (the memo, then the call) and the lease is hers again,
        store.reset();
        memos.save(&sato, &sid, typed(1, "折り返し希望")).await.unwrap();
        assert_eq!(store.counts().gets, 2);
        let item = store.get(&memo_key(sid.as_str())).await.unwrap().unwrap();
        assert!(item[LEASE_UNTIL].as_i64().unwrap() > epoch_now() + LEASE_SECONDS - 60);
        store.reset();
        memos.save(&sato, &sid, typed(2, "折り返し希望 15時")).await.unwrap();
        assert_eq!(store.counts().gets, 0, "the next save reads nothing");
        // and once the call went to Suzuki longer ago than the grace and the lease ran out,
        // her save is refused.
        let long_ago = (chrono::Utc::now() - chrono::Duration::minutes(HANDOVER_GRACE_MINUTES + 1)).to_rfc3339();
        let record = super::super::calls::CallRecord::default();
        let handed = record.handed_over_by("op-sato", &long_ago);
        store
            .update(
                &call_key(sid.as_str()),
                Update::default()
                    .set("operator_id", "op-suzuki")
                    .set(super::super::calls::field::HANDED_OVER, handed),
                None,
            )
            .await
            .unwrap();
        run_out().await;
        let late = memos.save(&sato, &sid, typed(3, "今さら")).await;
        assert!(matches!(late, Err(DomainError::Forbidden(_))), "{late:?}");
    }

    #[tokio::test]
    async fn a_stale_save_is_409_with_the_memo_as_it_is_and_reads_no_call() {
        // Given Sato's memo saved twice,
        let store = counting(EmbeddedStore::in_memory().unwrap());
        let sid = CallSid::parse("CA0123456789abcdef0123456789abcd13").unwrap();
        let memos = call_of(store.clone(), &sid, "op-sato").await;
        let sato = operator("op-sato");
        memos.save(&sato, &sid, typed(0, "一")).await.unwrap();
        memos.save(&sato, &sid, typed(1, "一二")).await.unwrap();
        store.reset();
        // when another tab saves on the first version,
        let stale = memos.save(&sato, &sid, typed(1, "一三")).await.unwrap_err();
        // then it is refused with the memo as stored, having read the memo alone.
        let DomainError::Conflict { code, current, .. } = stale else {
            panic!("{stale:?}");
        };
        assert_eq!(code, "stale_version");
        let current = current.unwrap();
        assert_eq!(
            (current["text"].as_str(), current["version"].as_u64()),
            (Some("一二"), Some(2))
        );
        assert_eq!(current["call_sid"].as_str(), Some(sid.as_str()));
        assert_eq!(store.counts().gets, 1);
    }

    #[tokio::test]
    async fn a_supervisor_saves_without_taking_the_operators_lease() {
        // Given Sato's memo on her lease,
        let store = counting(EmbeddedStore::in_memory().unwrap());
        let sid = CallSid::parse("CA0123456789abcdef0123456789abcd14").unwrap();
        let memos = call_of(store.clone(), &sid, "op-sato").await;
        memos
            .save(&operator("op-sato"), &sid, typed(0, "請求書"))
            .await
            .unwrap();
        // when supervisor Ito adds a line,
        let ito = Caller {
            id: crate::ids::OperatorId::parse("sv-ito").unwrap(),
            name: "伊藤".into(),
            role: Role::Supervisor,
        };
        store.reset();
        memos
            .save(&ito, &sid, typed(1, "請求書\n（SV確認済み）"))
            .await
            .unwrap();
        assert_eq!(store.counts().gets, 0, "the role authorises it");
        // then Sato's next save is still on her lease, reading nothing.
        store.reset();
        memos
            .save(&operator("op-sato"), &sid, typed(2, "請求書\n（SV確認済み）\n再発行"))
            .await
            .unwrap();
        assert_eq!(store.counts().gets, 0);
    }

    #[test]
    fn a_memo_item_fits_one_write_unit_up_to_286_japanese_characters() {
        // The memo as a save writes it (no copy of the CallSid: it is the partition's), with its
        // status, who saved it when, and the lease: 166 bytes besides the text, which is the rest
        // (3 bytes a Japanese character in UTF-8).
        let key = memo_key("CA0123456789abcdef0123456789abcd15");
        let item_of = |chars: usize| {
            let text: String = "【お客様】請求書の再発行を希望。"
                .repeat(20)
                .chars()
                .take(chars)
                .collect();
            let mut item = Item::new();
            item.insert(attr::PK.into(), key.pk.clone().into());
            item.insert(attr::SK.into(), key.sk.clone().into());
            item.insert("text".into(), text.into());
            item.insert("version".into(), 34.into());
            item.insert(RESPONSE_STATUS.into(), "callback".into());
            item.insert("updated_at".into(), "2026-12-03T01:23:45.678Z".into());
            item.insert("updated_by".into(), "op-sato".into());
            item.insert(LEASE_TO.into(), "op-sato".into());
            item.insert(LEASE_UNTIL.into(), epoch_now().into());
            item
        };
        let size = |item: &Item| crate::store::item_size(item);
        assert_eq!(size(&item_of(0)), 166);
        assert!(size(&item_of(286)) <= 1024);
        assert!(size(&item_of(287)) > 1024);
        // It reads back with its call.
        assert_eq!(
            Memo::from_stored(&item_of(10)).unwrap().call_sid,
            "CA0123456789abcdef0123456789abcd15"
        );
    }

    /// A store whose first `failures` transactions fail as if DynamoDB were unavailable.
    struct TransactionsFail {
        inner: EmbeddedStore,
        failures: AtomicU32,
    }

    #[async_trait]
    impl Store for TransactionsFail {
        async fn get(&self, k: &Key) -> Result<Option<Item>, StoreError> {
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
            if self
                .failures
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                return Err(StoreError::Unavailable("the store is unavailable".into()));
            }
            self.inner.transact(ops).await
        }
        async fn batch_write(&self, p: Vec<Item>, d: Vec<Key>) -> Result<(), StoreError> {
            self.inner.batch_write(p, d).await
        }
    }

    /// Sato's call CA01, answered and ended on 2026-11-23 and counted in the reports with the
    /// memo saved as 対応完了.
    async fn counted_call_of_sato(store: Arc<dyn Store>) -> (crate::domain::Services, CallSid) {
        use super::super::calls::{CallSummary, Direction};
        let s = crate::domain::Services::new(store);
        let sid = CallSid::parse("CA0123456789abcdef0123456789abcd20").unwrap();
        let mut c = CallSummary::new(
            sid.as_str(),
            Direction::Inbound,
            None,
            None,
            "completed",
            "2026-11-23T01:00:00.000Z".into(),
            None,
        );
        c.operator_id = Some("op-sato".into());
        c.answered_at = Some("2026-11-23T01:00:10.000Z".into());
        c.ended_at = Some("2026-11-23T01:02:40.000Z".into());
        s.store.put(c.to_item(), None).await.unwrap();
        s.memos
            .save(&operator("op-sato"), &sid, with_status(0, "請求書", "resolved"))
            .await
            .unwrap();
        s.monitor.count_ended(sid.as_str()).await.unwrap();
        (s, sid)
    }

    /// The calls counted under each response status on the call's day.
    async fn by_status(s: &crate::domain::Services) -> Vec<(String, u64)> {
        let day = super::super::reports::DayRange::parse(Some("2026-11-23"), Some("2026-11-23")).unwrap();
        let r = s.reports.report(day).await.unwrap();
        r.statuses
            .iter()
            .map(|g| (g.id.clone(), g.figures.answered))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    #[tokio::test]
    async fn a_change_of_status_whose_move_failed_is_moved_when_the_page_sends_it_again() {
        // Given Sato's ended call counted under 対応完了, and a store that fails the next
        // transaction (the move of the call in the reports),
        let store = Arc::new(TransactionsFail {
            inner: EmbeddedStore::in_memory().unwrap(),
            failures: AtomicU32::new(0),
        });
        let (s, sid) = counted_call_of_sato(store.clone()).await;
        assert_eq!(by_status(&s).await, [("resolved".to_owned(), 1)]);
        store.failures.store(1, Ordering::SeqCst);
        // when she changes the status to 折り返し必要 and the save fails after the memo was written,
        let change = || with_status(1, "請求書、折り返し", "callback");
        let failed = s.memos.save(&operator("op-sato"), &sid, change()).await;
        assert!(matches!(failed, Err(DomainError::Unavailable(_))), "{failed:?}");
        assert_eq!(by_status(&s).await, [("resolved".to_owned(), 1)]);
        // and her page sends the same save again,
        let again = s.memos.save(&operator("op-sato"), &sid, change()).await;
        // then it is answered as stale with her own words (the page takes it as stored) and the
        // call is counted under 折り返し必要.
        let Err(DomainError::Conflict { current, .. }) = again else {
            panic!("{again:?}");
        };
        assert_eq!(current.unwrap()["text"], "請求書、折り返し");
        assert_eq!(by_status(&s).await, [("callback".to_owned(), 1)]);
    }

    #[tokio::test]
    async fn a_save_keeping_the_status_just_after_a_change_of_it_does_not_undo_the_move() {
        // Given Sato's ended call counted under 対応完了, its memo changed to 折り返し必要 and,
        // before that save's move, saved again with the same status (another tab, the
        // supervisor),
        let (s, sid) = counted_call_of_sato(Arc::new(EmbeddedStore::in_memory().unwrap())).await;
        let key = memo_key(sid.as_str());
        for version in [2u64, 3] {
            s.store
                .update(
                    &key,
                    Update::default()
                        .set("version", version)
                        .set(RESPONSE_STATUS, "callback"),
                    None,
                )
                .await
                .unwrap();
        }
        // when the first save's move comes,
        s.reports.status_changed(sid.as_str(), Some("callback")).await.unwrap();
        // then the call counts under 折り返し必要 (the later save moved nothing and read nothing).
        assert_eq!(by_status(&s).await, [("callback".to_owned(), 1)]);
    }

    #[tokio::test]
    async fn a_save_the_page_says_changes_the_status_is_one_write_and_moves_the_call() {
        // Given Sato's ended call counted under 対応完了, on her lease,
        let store = counting(EmbeddedStore::in_memory().unwrap());
        let (s, sid) = counted_call_of_sato(store.clone()).await;
        // when her page saves 折り返し必要 saying the status changed,
        store.reset();
        let change = MemoSave {
            changes_status: true,
            ..with_status(1, "請求書、折り返し", "callback")
        };
        s.memos.save(&operator("op-sato"), &sid, change).await.unwrap();
        // then the memo was written once, with no write refused and no read of the memo,
        let c = store.counts();
        assert_eq!(c.updates, 1, "{c:?}");
        assert_eq!(c.gets, 1, "the call, read strongly to move it: {c:?}");
        // and the call counts under 折り返し必要.
        assert_eq!(by_status(&s).await, [("callback".to_owned(), 1)]);
        // A page that says so of a save keeping the status moves nothing;
        let same = MemoSave {
            changes_status: true,
            ..with_status(2, "請求書、折り返し希望", "callback")
        };
        s.memos.save(&operator("op-sato"), &sid, same).await.unwrap();
        assert_eq!(by_status(&s).await, [("callback".to_owned(), 1)]);
        // one that does not say so of a change still moves the call (its write is refused first).
        s.memos
            .save(&operator("op-sato"), &sid, with_status(3, "請求書、解決", "resolved"))
            .await
            .unwrap();
        assert_eq!(by_status(&s).await, [("resolved".to_owned(), 1)]);
    }
}
