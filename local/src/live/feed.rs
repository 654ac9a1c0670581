//! The local store's change feed, standing where DynamoDB Streams stand deployed: a decorator
//! around the store that, after every successful write of an item the live channel watches,
//! maps the item's old and new image with [`shared::push::changes`] and broadcasts the
//! deliveries to the open connections. A write that failed publishes nothing.
//!
//! The old image is read just before the write and the new one just after it (for updates, the
//! store returns it), so two writers racing on one item may see each other's image: the messages
//! are notices of what changed, and the page reads what it shows after a `*_changed`, so a
//! mixed-up image costs at most a read. Nothing is read while nobody listens.

use std::sync::Arc;

use async_trait::async_trait;
use shared::push::{Delivery, changes, watches};
use shared::store::{Cond, Item, Key, Page, Query, Store, StoreError, TxOp, Update};
use tokio::sync::broadcast;

/// How many batches of deliveries a slow connection may fall behind before it is closed (it
/// reconnects and reads everything once).
const BACKLOG: usize = 1024;

/// The store, publishing what its writes change.
pub struct ChangeFeed {
    inner: Arc<dyn Store>,
    tx: broadcast::Sender<Arc<Vec<Delivery>>>,
}

impl ChangeFeed {
    pub fn new(inner: Arc<dyn Store>) -> Self {
        let (tx, _) = broadcast::channel(BACKLOG);
        Self { inner, tx }
    }

    /// Hears every delivery published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Vec<Delivery>>> {
        self.tx.subscribe()
    }

    fn listened(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    /// The images before a write of these keys (only the watched ones, only while someone
    /// listens).
    async fn before(&self, keys: Vec<Key>) -> Vec<(Key, Option<Item>)> {
        if !self.listened() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for key in keys.into_iter().filter(watches) {
            let old = self.inner.get(&key).await.ok().flatten();
            out.push((key, old));
        }
        out
    }

    fn publish(&self, pairs: Vec<(Option<Item>, Option<Item>)>) {
        let deliveries: Vec<Delivery> = pairs
            .iter()
            .flat_map(|(old, new)| changes(old.as_ref(), new.as_ref()))
            .collect();
        if !deliveries.is_empty() {
            // No receiver is not an error: nobody is connected.
            let _ = self.tx.send(Arc::new(deliveries));
        }
    }

    /// Reads the images after a write and publishes the changes.
    async fn after(&self, before: Vec<(Key, Option<Item>)>) {
        let mut pairs = Vec::new();
        for (key, old) in before {
            let new = self.inner.get(&key).await.ok().flatten();
            pairs.push((old, new));
        }
        self.publish(pairs);
    }
}

#[async_trait]
impl Store for ChangeFeed {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.inner.get_many(keys).await
    }

    // Reads pass on as they were asked for: a store under the feed that counts or prices them
    // (`tests/bench cost`) sees an eventually consistent read as one.
    async fn get_eventually(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get_eventually(key).await
    }

    async fn get_many_eventually(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.inner.get_many_eventually(keys).await
    }

    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        let before = self.before(Key::of(&item).into_iter().collect()).await;
        let stored = (!before.is_empty()).then(|| item.clone());
        self.inner.put(item, cond).await?;
        if let (Some((_, old)), Some(new)) = (before.into_iter().next(), stored) {
            self.publish(vec![(old, Some(new))]);
        }
        Ok(())
    }

    async fn update(&self, key: &Key, update: Update, cond: Option<Cond>) -> Result<Item, StoreError> {
        let before = self.before(vec![key.clone()]).await;
        let new = self.inner.update(key, update, cond).await?;
        if let Some((_, old)) = before.into_iter().next() {
            self.publish(vec![(old, Some(new.clone()))]);
        }
        Ok(new)
    }

    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
        let before = self.before(vec![key.clone()]).await;
        self.inner.delete(key, cond).await?;
        if let Some((_, old)) = before.into_iter().next() {
            self.publish(vec![(old, None)]);
        }
        Ok(())
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }

    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        let keys = ops
            .iter()
            .filter_map(|op| match op {
                TxOp::Put { item, .. } => Key::of(item),
                TxOp::Update { key, .. } | TxOp::Delete { key, .. } => Some(key.clone()),
                TxOp::Check { .. } => None,
            })
            .collect();
        let before = self.before(keys).await;
        self.inner.transact(ops).await?;
        self.after(before).await;
        Ok(())
    }

    async fn batch_write(&self, puts: Vec<Item>, deletes: Vec<Key>) -> Result<(), StoreError> {
        let keys = puts.iter().filter_map(Key::of).chain(deletes.iter().cloned()).collect();
        let before = self.before(keys).await;
        self.inner.batch_write(puts, deletes).await?;
        self.after(before).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use shared::push::Message;
    use shared::store::embedded::EmbeddedStore;

    fn settings(section: &str) -> Item {
        json!({"PK": "SETTINGS", "SK": section, "v": 1})
            .as_object()
            .unwrap()
            .clone()
    }

    #[tokio::test]
    async fn an_eventually_consistent_read_reaches_the_store_underneath_as_one() {
        use shared::store::counting::CountingStore;
        let counting = Arc::new(CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap())));
        let feed = ChangeFeed::new(counting.clone());
        feed.put(settings("objects"), None).await.unwrap();
        let key = Key::of(&settings("objects")).unwrap();
        counting.reset();
        feed.get(&key).await.unwrap().expect("stored");
        feed.get(&key).await.unwrap().expect("stored");
        assert_eq!(counting.counts().read_units, 2, "two strong reads of a small item");
        counting.reset();
        feed.get_eventually(&key).await.unwrap().expect("stored");
        feed.get_many_eventually(std::slice::from_ref(&key)).await.unwrap();
        assert_eq!(counting.counts().read_units, 1, "two eventual reads, half a unit each");
    }

    #[tokio::test]
    async fn a_successful_write_is_published_and_a_failed_one_is_not() {
        let feed = ChangeFeed::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        let mut rx = feed.subscribe();
        feed.put(settings("objects"), None).await.unwrap();
        let got = rx.try_recv().expect("published");
        assert_eq!(
            got[0].message,
            Message::SettingsChanged {
                section: "objects".into()
            }
        );
        let refused = feed.put(settings("objects"), Some(Cond::NotExists)).await;
        assert!(refused.unwrap_err().is_condition_failed());
        assert!(rx.try_recv().is_err(), "a refused write publishes nothing");
        feed.put(json!({"PK": "REC#a#1", "SK": "REC"}).as_object().unwrap().clone(), None)
            .await
            .unwrap();
        assert!(rx.try_recv().is_err(), "an item nobody watches publishes nothing");
    }

    #[tokio::test]
    async fn a_transaction_publishes_each_watched_item_it_changed() {
        let feed = ChangeFeed::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        let mut rx = feed.subscribe();
        feed.transact(vec![
            TxOp::Put {
                item: settings("a"),
                cond: None,
            },
            TxOp::Put {
                item: settings("b"),
                cond: None,
            },
        ])
        .await
        .unwrap();
        let got = rx.try_recv().unwrap();
        assert_eq!(got.len(), 2);
    }
}
