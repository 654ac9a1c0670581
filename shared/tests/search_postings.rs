//! A large record's search postings do not fit its transaction and are written after it. When
//! that write fails, the record must still be found by its words: the write is tried again, and
//! a record whose postings could not be written is written again on its next read or save
//! (before, its signature was committed with it and the postings were never written again).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use serde_json::json;
use shared::domain::Services;
use shared::domain::crm::{NewRecord, RecordPatch};
use shared::ids::{ObjectName, OperatorId};
use shared::store::embedded::EmbeddedStore;
use shared::store::{Cond, Item, Key, Page, Query, Store, StoreError, TxOp, Update};

/// The embedded store whose next `failing` batch writes fail as in an outage.
struct FlakyBatches {
    inner: EmbeddedStore,
    failing: AtomicU32,
}

#[async_trait]
impl Store for FlakyBatches {
    async fn get(&self, k: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(k).await
    }
    async fn get_many(&self, k: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.inner.get_many(k).await
    }
    async fn put(&self, i: Item, c: Option<Cond>) -> Result<(), StoreError> {
        self.inner.put(i, c).await
    }
    async fn update(&self, k: &Key, u: Update, c: Option<Cond>) -> Result<Item, StoreError> {
        self.inner.update(k, u, c).await
    }
    async fn delete(&self, k: &Key, c: Option<Cond>) -> Result<(), StoreError> {
        self.inner.delete(k, c).await
    }
    async fn query(&self, q: Query) -> Result<Page, StoreError> {
        self.inner.query(q).await
    }
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        self.inner.transact(ops).await
    }
    async fn batch_write(&self, p: Vec<Item>, d: Vec<Key>) -> Result<(), StoreError> {
        if self
            .failing
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(StoreError::Unavailable("injected outage".into()));
        }
        self.inner.batch_write(p, d).await
    }
}

fn console(failing: u32) -> (Services, Arc<FlakyBatches>) {
    let store = Arc::new(FlakyBatches {
        inner: EmbeddedStore::in_memory().unwrap(),
        failing: AtomicU32::new(failing),
    });
    (Services::new(store.clone()), store)
}

/// An account whose name has far more distinct bigrams than a transaction holds.
fn large_account() -> NewRecord {
    let name: String = "株式会社".chars().chain('\u{4e10}'..'\u{4ea0}').collect();
    NewRecord {
        fields: json!({ "name": name }).as_object().unwrap().clone(),
        account_id: None,
        contact_id: None,
        call_sid: None,
    }
}

/// Hits for a word from the middle of the large name.
async fn found(s: &Services) -> usize {
    let account = ObjectName::parse("account").unwrap();
    let word: String = ('\u{4e50}'..'\u{4e53}').collect();
    s.crm.search(&account, &word, 10, None).await.unwrap().items.len()
}

#[tokio::test]
async fn postings_that_fail_once_after_the_record_are_written_by_a_retry() {
    let (s, store) = console(1);
    let account = ObjectName::parse("account").unwrap();
    s.crm
        .create(&account, large_account(), &OperatorId::parse("op-sato").unwrap())
        .await
        .unwrap();
    assert_eq!(store.failing.load(Ordering::SeqCst), 0, "the batch write did fail once");
    assert_eq!(found(&s).await, 1);
}

#[tokio::test]
async fn a_record_whose_postings_could_not_be_written_is_found_after_its_next_read() {
    // Given an outage that outlasts every retry of the postings after the record,
    let (s, store) = console(100);
    let account = ObjectName::parse("account").unwrap();
    let created = s
        .crm
        .create(&account, large_account(), &OperatorId::parse("op-sato").unwrap())
        .await
        .unwrap();
    assert_eq!(found(&s).await, 0, "not findable while the postings are missing");
    // when the store is back and the record is read (a screen pop, its page),
    store.failing.store(0, Ordering::SeqCst);
    s.crm.get(&account, &created.id).await.unwrap();
    // then it is found by its words, and the next read writes nothing more.
    assert_eq!(found(&s).await, 1);
    store.failing.store(1, Ordering::SeqCst);
    s.crm.get(&account, &created.id).await.unwrap();
    assert_eq!(store.failing.load(Ordering::SeqCst), 1, "no postings written again");
}

#[tokio::test]
async fn a_record_whose_postings_could_not_be_written_is_found_after_its_next_save() {
    let (s, store) = console(100);
    let account = ObjectName::parse("account").unwrap();
    let by = OperatorId::parse("op-sato").unwrap();
    let created = s.crm.create(&account, large_account(), &by).await.unwrap();
    store.failing.store(0, Ordering::SeqCst);
    // A save that changes another field carries the same words, and writes them again.
    let patch: RecordPatch =
        serde_json::from_value(json!({"version": created.version, "fields": {"notes": "請求書は郵送希望"}})).unwrap();
    s.crm.update(&account, &created.id, patch, &by).await.unwrap();
    assert_eq!(found(&s).await, 1);
}
