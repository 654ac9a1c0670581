//! A layer on the store port that counts requests, so the number of store requests each API
//! path makes can be measured and held to a budget in tests (counts are deterministic, unlike
//! timings).

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
}

impl CountingStore {
    pub fn new(inner: Arc<dyn Store>) -> Self {
        Self {
            inner,
            c: Default::default(),
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
        }
    }

    /// Sets every count back to zero.
    pub fn reset(&self) {
        for c in &self.c {
            c.store(0, Ordering::Relaxed);
        }
    }

    fn bump(&self, i: usize) {
        self.c[i].fetch_add(1, Ordering::Relaxed);
    }
}

#[async_trait]
impl Store for CountingStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.bump(0);
        self.inner.get(key).await
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        if !keys.is_empty() {
            self.bump(1);
        }
        self.inner.get_many(keys).await
    }
    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        self.bump(2);
        self.inner.put(item, cond).await
    }
    async fn update(&self, key: &Key, update: Update, cond: Option<Cond>) -> Result<Item, StoreError> {
        self.bump(3);
        self.inner.update(key, update, cond).await
    }
    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
        self.bump(4);
        self.inner.delete(key, cond).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.bump(5);
        self.inner.query(query).await
    }
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        self.bump(6);
        self.inner.transact(ops).await
    }
    async fn batch_write(&self, puts: Vec<Item>, deletes: Vec<Key>) -> Result<(), StoreError> {
        let n = (puts.len() + deletes.len()).div_ceil(25) as u64;
        self.c[7].fetch_add(n, Ordering::Relaxed);
        self.inner.batch_write(puts, deletes).await
    }
}
