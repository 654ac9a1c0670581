//! On DynamoDB the operator list is a global secondary index, which lags the operators' own
//! items: an operator let go of an ended call a moment ago can still be listed on it. Seen in
//! the centre-day run on DynamoDB Local (the reconciliation applied 190 ends against 18 on the
//! embedded store): each run applied those ends again and counted them as lost callbacks.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;
use shared::control::CallControl;
use shared::domain::Services;
use shared::domain::calls::{CallSummary, Direction};
use shared::domain::operators::operator_key;
use shared::store::counting::CountingStore;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Cond, Index, Item, Key, Page, Query, Store, StoreError, TxOp, Update};
use shared::twilio::AccountSid;
use shared::twilio::telephony::RecordingTelephony;

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const CALL: &str = "CA0000000000000000000000000000000a";

/// The embedded store whose operator index still shows Sato on the ended call.
struct LaggingIndex(EmbeddedStore);

#[async_trait]
impl Store for LaggingIndex {
    async fn get(&self, k: &Key) -> Result<Option<Item>, StoreError> {
        self.0.get(k).await
    }
    async fn get_many(&self, k: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.0.get_many(k).await
    }
    async fn put(&self, i: Item, c: Option<Cond>) -> Result<(), StoreError> {
        self.0.put(i, c).await
    }
    async fn update(&self, k: &Key, u: Update, c: Option<Cond>) -> Result<Item, StoreError> {
        self.0.update(k, u, c).await
    }
    async fn delete(&self, k: &Key, c: Option<Cond>) -> Result<(), StoreError> {
        self.0.delete(k, c).await
    }
    async fn query(&self, q: Query) -> Result<Page, StoreError> {
        let on_index = q.index == Index::Gsi1;
        let mut page = self.0.query(q).await?;
        if on_index {
            for item in &mut page.items {
                if item.get("id") == Some(&json!("op-sato")) {
                    item.insert("current_call".into(), CALL.into());
                    item.insert("status".into(), "on_call".into());
                }
            }
        }
        Ok(page)
    }
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        self.0.transact(ops).await
    }
    async fn batch_write(&self, p: Vec<Item>, d: Vec<Key>) -> Result<(), StoreError> {
        self.0.batch_write(p, d).await
    }
}

#[tokio::test]
async fn an_end_already_applied_is_not_applied_again_for_an_operator_the_index_still_lists() {
    // Given a call that ended a minute ago and Sato already in wrap-up, while the operator
    // index still lists her on it,
    let store = Arc::new(CountingStore::new(Arc::new(LaggingIndex(
        EmbeddedStore::in_memory().unwrap(),
    ))));
    let at = |secs| {
        (chrono::Utc::now() - chrono::Duration::seconds(secs)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    let key = operator_key("op-sato");
    let sato = json!({
        "PK": key.pk, "SK": key.sk, "GSI1PK": "OPS", "GSI1SK": "op-sato",
        "id": "op-sato", "name": "佐藤 花子", "role": "operator",
        "status": "wrap_up", "status_since": at(55), "wrap_up_until": at(50), "version": 4
    });
    store.put(sato.as_object().cloned().unwrap(), None).await.unwrap();
    let mut call = CallSummary::new(CALL, Direction::Inbound, None, None, "completed", at(300), None);
    call.operator_id = Some("op-sato".into());
    call.answered_at = Some(at(290));
    call.ended_at = Some(at(60));
    store.put(call.to_item(), None).await.unwrap();
    let twilio = Arc::new(RecordingTelephony::new(AccountSid::parse(ACCOUNT).unwrap()));
    let control = CallControl::new(Services::new(store.clone()), twilio.clone(), "https://voice.example.jp");
    let before = store.get(&shared::domain::calls::call_key(CALL)).await.unwrap();
    store.reset();

    // when the reconciliation runs,
    let report = control.reconcile(chrono::Utc::now()).await.unwrap();

    // then it sees the call through the index, finds Sato let go already, and applies nothing.
    assert_eq!(report.calls, 1, "{report:?}");
    assert!(report.ended.is_empty(), "{report:?}");
    let counts = store.counts();
    assert_eq!(
        counts.puts + counts.updates + counts.deletes + counts.transactions + counts.batch_writes,
        0,
        "{counts:?}"
    );
    let after = store.get(&shared::domain::calls::call_key(CALL)).await.unwrap();
    assert_eq!(after, before);
    assert!(twilio.requests().is_empty());
}
