//! A layer on the store port that counts requests, so the number of store requests each API
//! path makes can be measured and held to a budget in tests (counts are deterministic, unlike
//! timings). It also estimates the DynamoDB capacity units the requests would consume, for the
//! cost model: a read unit per 4 KB read strongly consistent (gets, batch reads, table queries
//! that ask for it), half of one eventually consistent (index queries, and the gets, batch reads
//! and table queries that accept it), a write unit per 1 KB written, doubled inside a transaction; an item's size is its
//! JSON length.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;

use super::{Cond, Item, Key, Page, Query, Store, StoreError, TxOp, Update};

/// Requests seen, by kind. `scans` is always zero: the port has no scan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub gets: u64,
    pub batch_gets: u64,
    pub puts: u64,
    pub updates: u64,
    pub deletes: u64,
    pub queries: u64,
    pub transactions: u64,
    pub batch_writes: u64,
    pub scans: u64,
    /// Estimated read capacity units.
    pub read_units: u64,
    /// Estimated write capacity units.
    pub write_units: u64,
}

impl Counts {
    /// All requests together.
    pub fn total(&self) -> u64 {
        self.gets
            + self.batch_gets
            + self.puts
            + self.updates
            + self.deletes
            + self.queries
            + self.transactions
            + self.batch_writes
            + self.scans
    }
}

/// Wraps a store and counts what passes through.
pub struct CountingStore {
    inner: Arc<dyn Store>,
    c: [AtomicU64; 8],
    /// Read units counted in halves (an eventually consistent read of 4 KB is half a unit).
    read_half_units: AtomicU64,
    write_units: AtomicU64,
}

fn size(item: &Item) -> u64 {
    serde_json::to_vec(item).map(|v| v.len() as u64).unwrap_or(1024)
}

/// Read units for `bytes` read in one request (at least one).
fn read_units(bytes: u64) -> u64 {
    bytes.div_ceil(4096).max(1)
}

/// Write units for an item of `bytes`.
fn write_units(bytes: u64) -> u64 {
    bytes.div_ceil(1024).max(1)
}

impl CountingStore {
    pub fn new(inner: Arc<dyn Store>) -> Self {
        Self {
            inner,
            c: Default::default(),
            read_half_units: AtomicU64::new(0),
            write_units: AtomicU64::new(0),
        }
    }

    /// The counts so far.
    pub fn counts(&self) -> Counts {
        let g = |i: usize| self.c[i].load(Ordering::Relaxed);
        Counts {
            gets: g(0),
            batch_gets: g(1),
            puts: g(2),
            updates: g(3),
            deletes: g(4),
            queries: g(5),
            transactions: g(6),
            batch_writes: g(7),
            scans: 0,
            read_units: self.read_half_units.load(Ordering::Relaxed).div_ceil(2),
            write_units: self.write_units.load(Ordering::Relaxed),
        }
    }

    /// Sets every count back to zero.
    pub fn reset(&self) {
        for c in &self.c {
            c.store(0, Ordering::Relaxed);
        }
        self.read_half_units.store(0, Ordering::Relaxed);
        self.write_units.store(0, Ordering::Relaxed);
    }

    fn bump(&self, i: usize) {
        self.c[i].fetch_add(1, Ordering::Relaxed);
    }

    fn read(&self, units: u64) {
        self.read_half_units.fetch_add(2 * units, Ordering::Relaxed);
    }

    fn read_eventually(&self, bytes: u64) {
        self.read_half_units.fetch_add(read_units(bytes), Ordering::Relaxed);
    }

    fn wrote(&self, units: u64) {
        self.write_units.fetch_add(units, Ordering::Relaxed);
    }
}

#[async_trait]
impl Store for CountingStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.bump(0);
        let got = self.inner.get(key).await?;
        self.read(read_units(got.as_ref().map(size).unwrap_or(0)));
        Ok(got)
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        let distinct = keys.iter().collect::<std::collections::HashSet<_>>().len();
        self.c[1].fetch_add(distinct.div_ceil(super::MAX_BATCH_GET) as u64, Ordering::Relaxed);
        let got = self.inner.get_many(keys).await?;
        // Each key of a batch read is a read of its own.
        self.read(got.iter().map(|i| read_units(size(i))).sum::<u64>() + distinct.saturating_sub(got.len()) as u64);
        Ok(got)
    }
    async fn get_eventually(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.bump(0);
        let got = self.inner.get_eventually(key).await?;
        self.read_eventually(got.as_ref().map(size).unwrap_or(0));
        Ok(got)
    }
    async fn get_many_eventually(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        let distinct = keys.iter().collect::<std::collections::HashSet<_>>().len();
        self.c[1].fetch_add(distinct.div_ceil(super::MAX_BATCH_GET) as u64, Ordering::Relaxed);
        let got = self.inner.get_many_eventually(keys).await?;
        // Each key is a read of its own, at half a unit per 4 KB.
        let halves = got.iter().map(|i| read_units(size(i))).sum::<u64>() + distinct.saturating_sub(got.len()) as u64;
        self.read_half_units.fetch_add(halves, Ordering::Relaxed);
        Ok(got)
    }
    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        self.bump(2);
        self.wrote(write_units(size(&item)));
        self.inner.put(item, cond).await
    }
    async fn update(&self, key: &Key, update: Update, cond: Option<Cond>) -> Result<Item, StoreError> {
        self.bump(3);
        let updated = self.inner.update(key, update, cond).await;
        self.wrote(updated.as_ref().map(|i| write_units(size(i))).unwrap_or(1));
        updated
    }
    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
        self.bump(4);
        self.wrote(1);
        self.inner.delete(key, cond).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.bump(5);
        let consistent = query.is_consistent();
        let page = self.inner.query(query).await?;
        let bytes = page.items.iter().map(size).sum();
        if consistent {
            self.read(read_units(bytes));
        } else {
            self.read_eventually(bytes);
        }
        Ok(page)
    }
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        self.bump(6);
        let units: u64 = ops
            .iter()
            .map(|op| match op {
                TxOp::Put { item, .. } => write_units(size(item)),
                _ => 1,
            })
            .sum();
        self.wrote(2 * units);
        self.inner.transact(ops).await
    }
    async fn batch_write(&self, puts: Vec<Item>, deletes: Vec<Key>) -> Result<(), StoreError> {
        let n = (puts.len() + deletes.len()).div_ceil(25) as u64;
        self.c[7].fetch_add(n, Ordering::Relaxed);
        self.wrote(puts.iter().map(|i| write_units(size(i))).sum::<u64>() + deletes.len() as u64);
        self.inner.batch_write(puts, deletes).await
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::embedded::EmbeddedStore;
    use crate::store::{Index, attr};

    fn item(pk: &str, sk: &str, bytes: usize) -> Item {
        let mut i = Item::new();
        i.insert(attr::PK.into(), json!(pk));
        i.insert(attr::SK.into(), json!(sk));
        i.insert(attr::GSI1PK.into(), json!("IDX"));
        i.insert(attr::GSI1SK.into(), json!(sk));
        i.insert("text".into(), json!("x".repeat(bytes)));
        i
    }

    #[tokio::test]
    async fn an_eventually_consistent_read_costs_half_a_strongly_consistent_one() {
        let store = CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        // 10 items of just under 2 KB: under 20 KB a page, 5 units strongly consistent.
        let items = (0..10).map(|n| item("P", &format!("S#{n:02}"), 1_800)).collect();
        store.batch_write(items, vec![]).await.unwrap();
        store.reset();
        store.query(Query::partition("P")).await.unwrap();
        assert_eq!(store.counts().read_units, 5, "a table query, strongly consistent");
        store.reset();
        store
            .query(Query::partition("P").eventually_consistent())
            .await
            .unwrap();
        assert_eq!(store.counts().read_units, 3, "half of 5, rounded up");
        store.reset();
        store.query(Query::partition("IDX").on(Index::Gsi1)).await.unwrap();
        assert_eq!(store.counts().read_units, 3, "an index is always eventually consistent");
        assert!(!Query::partition("IDX").on(Index::Gsi1).is_consistent());
        assert!(Query::partition("P").is_consistent());
    }

    #[tokio::test]
    async fn an_eventually_consistent_get_costs_half_a_strong_one() {
        let store = CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        // Two items of about 6 KB: two read units each read strongly, one each eventually.
        for sk in ["a", "b"] {
            store.put(item("G", sk, 6000), None).await.unwrap();
        }
        store.reset();
        store.get(&Key::new("G", "a")).await.unwrap().expect("stored");
        assert_eq!(store.counts().read_units, 2);
        store.reset();
        store
            .get_eventually(&Key::new("G", "a"))
            .await
            .unwrap()
            .expect("stored");
        assert_eq!(store.counts().read_units, 1);
        assert_eq!(store.counts().gets, 1, "a request like any get");
        store.reset();
        let keys = [Key::new("G", "a"), Key::new("G", "b"), Key::new("G", "missing")];
        assert_eq!(store.get_many(&keys).await.unwrap().len(), 2);
        assert_eq!(store.counts().read_units, 5, "2 + 2, and 1 for the missing key");
        store.reset();
        assert_eq!(store.get_many_eventually(&keys).await.unwrap().len(), 2);
        assert_eq!(store.counts().read_units, 3, "half of 5, rounded up");
        assert_eq!(store.counts().batch_gets, 1);
    }
}
