//! What the run measures inside the console: a layer on the store that can be switched off (the
//! injected outage) and that counts the store requests each API path makes, tied to the request
//! by a task-local set in a middleware around the local runtime's router. Store requests made
//! outside any request (work the console spawned) are counted under `(background)`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use shared::store::{Cond, Item, Key, Page, Query, Store, StoreError, TxOp, Update};

/// The store requests of one API request.
#[derive(Default)]
pub struct RequestCount {
    ops: AtomicU64,
    largest_batch: AtomicU64,
    /// Transactions refused (a condition failed, or another transaction was on an item).
    refused_tx: AtomicU64,
}

tokio::task_local! {
    static CURRENT: Arc<RequestCount>;
}

/// Store requests by API path.
#[derive(Debug, Clone, Default)]
pub struct PathCounts {
    pub requests: u64,
    pub store_ops: u64,
    pub max_ops: u64,
    /// The most keys one batch read asked for.
    pub largest_batch: u64,
    /// Transactions refused (a condition failed, or another transaction was on an item).
    pub refused_tx: u64,
    /// How long each request took to answer, in ms (webhooks included, which the page's
    /// figures leave out).
    pub millis: Vec<f64>,
}

/// The store behind the run's switch, counting by path.
pub struct Probe {
    inner: Arc<dyn Store>,
    down: AtomicBool,
    refused: AtomicU64,
    background: AtomicU64,
    by_path: Mutex<BTreeMap<String, PathCounts>>,
    /// Each store request's time and outcome, by kind of request.
    by_op: Mutex<BTreeMap<&'static str, OpTimes>>,
    /// Transactions by what they write (see [`shape`]): how many, and how many were refused.
    by_shape: Mutex<BTreeMap<String, (u64, u64)>>,
}

/// What a transaction writes, to tell its refusals apart: each write as its verb and the kind
/// of item (the partition key up to its first `#`), `update OP + update QUEUE + update CALL`
/// for routing's offer. The same write repeated is written once with how often (`put IDX ×3+`
/// for a record's search postings, however many), so a table of shapes stays a few lines.
pub fn shape(ops: &[TxOp]) -> String {
    let kind = |k: &Key| k.pk.split('#').next().unwrap_or_default().to_owned();
    ops.iter()
        .map(|o| match o {
            TxOp::Put { item, .. } => format!(
                "put {}",
                item.get("PK")
                    .and_then(|v| v.as_str())
                    .map(|p| p.split('#').next().unwrap_or_default().to_owned())
                    .unwrap_or_default()
            ),
            TxOp::Update { key, .. } => format!("update {}", kind(key)),
            TxOp::Delete { key, .. } => format!("delete {}", kind(key)),
            TxOp::Check { key, .. } => format!("check {}", kind(key)),
        })
        .fold(Vec::<(String, usize)>::new(), |mut runs, write| {
            match runs.last_mut() {
                Some((last, n)) if *last == write => *n += 1,
                _ => runs.push((write, 1)),
            }
            runs
        })
        .into_iter()
        .map(|(write, n)| match n {
            1 => write,
            2 => format!("{write} ×2"),
            _ => format!("{write} ×3+"),
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The store's own figures for one kind of request: how long it took and how it ended.
#[derive(Debug, Clone, Default)]
pub struct OpTimes {
    pub millis: Vec<f64>,
    /// Outcomes other than success, by kind (a condition that failed, a transaction conflict,
    /// the store unavailable with the first words of its reason).
    pub outcomes: BTreeMap<String, u64>,
}

impl Probe {
    pub fn new(inner: Arc<dyn Store>) -> Self {
        Self {
            inner,
            down: AtomicBool::new(false),
            refused: AtomicU64::new(0),
            background: AtomicU64::new(0),
            by_path: Mutex::default(),
            by_op: Mutex::default(),
            by_shape: Mutex::default(),
        }
    }

    /// Transactions by what they write: how many, how many refused.
    pub fn by_shape(&self) -> BTreeMap<String, (u64, u64)> {
        self.by_shape.lock().unwrap().clone()
    }

    /// Switches the outage on or off.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Requests refused by the outage.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::SeqCst)
    }

    /// Store requests made outside any API request.
    pub fn background(&self) -> u64 {
        self.background.load(Ordering::SeqCst)
    }

    pub fn by_path(&self) -> BTreeMap<String, PathCounts> {
        self.by_path.lock().unwrap().clone()
    }

    /// A stored item as it is, read past the switch and the counts (for the report).
    pub async fn peek(&self, key: &Key) -> Option<Item> {
        self.inner.get(key).await.ok().flatten()
    }

    pub fn by_op(&self) -> BTreeMap<&'static str, OpTimes> {
        self.by_op.lock().unwrap().clone()
    }

    /// Runs one store request, timing it and noting how it ended.
    async fn timed<T>(
        &self,
        op: &'static str,
        request: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let sent = std::time::Instant::now();
        let r = request.await;
        let ms = sent.elapsed().as_secs_f64() * 1000.0;
        if op == "transact"
            && matches!(
                r,
                Err(StoreError::ConditionFailed { .. } | StoreError::TransactionConflict)
            )
        {
            let _ = CURRENT.try_with(|c| c.refused_tx.fetch_add(1, Ordering::Relaxed));
        }
        let outcome = match &r {
            Ok(_) => None,
            Err(StoreError::ConditionFailed { index: Some(i) }) => Some(format!("condition failed (write {i})")),
            Err(StoreError::ConditionFailed { index: None }) => Some("condition failed".to_owned()),
            Err(StoreError::TransactionConflict) => Some("transaction conflict".to_owned()),
            Err(e) => Some(e.to_string().chars().take(400).collect()),
        };
        let mut by_op = self.by_op.lock().unwrap();
        let row = by_op.entry(op).or_default();
        row.millis.push(ms);
        if let Some(o) = outcome {
            *row.outcomes.entry(o).or_default() += 1;
        }
        r
    }

    fn strike(&self, batch: usize) -> Result<(), StoreError> {
        let counted = CURRENT.try_with(|c| {
            c.ops.fetch_add(1, Ordering::Relaxed);
            c.largest_batch.fetch_max(batch as u64, Ordering::Relaxed);
        });
        if counted.is_err() {
            self.background.fetch_add(1, Ordering::Relaxed);
        }
        if self.down.load(Ordering::SeqCst) {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(StoreError::Unavailable("injected outage (centre-day)".into()));
        }
        Ok(())
    }

    /// The middleware that ties store requests to the API path being served.
    pub async fn middleware(probe: axum::extract::State<Arc<Probe>>, req: Request, next: Next) -> Response {
        let raw = req.uri().path();
        if !raw.starts_with("/api/") && !raw.starts_with("/twilio/") {
            // The simulator's own API and Twilio's REST API, which the simulator answers.
            return next.run(req).await;
        }
        let path = crate::route_of(req.method().as_str(), raw);
        let count = Arc::new(RequestCount::default());
        let sent = std::time::Instant::now();
        let response = CURRENT.scope(count.clone(), next.run(req)).await;
        let ms = sent.elapsed().as_secs_f64() * 1000.0;
        let ops = count.ops.load(Ordering::Relaxed);
        let mut by_path = probe.by_path.lock().unwrap();
        let row = by_path.entry(path).or_default();
        row.requests += 1;
        row.store_ops += ops;
        row.max_ops = row.max_ops.max(ops);
        row.largest_batch = row.largest_batch.max(count.largest_batch.load(Ordering::Relaxed));
        row.refused_tx += count.refused_tx.load(Ordering::Relaxed);
        row.millis.push(ms);
        response
    }
}

#[async_trait]
impl Store for Probe {
    async fn get(&self, k: &Key) -> Result<Option<Item>, StoreError> {
        self.strike(1)?;
        self.timed("get", self.inner.get(k)).await
    }
    async fn get_many(&self, k: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.strike(k.len())?;
        self.timed("get_many", self.inner.get_many(k)).await
    }
    // Passed on as eventually consistent reads, as Lambda's DynamoDB client makes them (half the
    // read units, and on DynamoDB a write of the last second may be missing); without these the
    // trait's defaults would read every one strongly through `get`.
    async fn get_eventually(&self, k: &Key) -> Result<Option<Item>, StoreError> {
        self.strike(1)?;
        self.timed("get (ev)", self.inner.get_eventually(k)).await
    }
    async fn get_many_eventually(&self, k: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.strike(k.len())?;
        self.timed("get_many (ev)", self.inner.get_many_eventually(k)).await
    }
    async fn put(&self, i: Item, c: Option<Cond>) -> Result<(), StoreError> {
        self.strike(0)?;
        self.timed("put", self.inner.put(i, c)).await
    }
    async fn update(&self, k: &Key, u: Update, c: Option<Cond>) -> Result<Item, StoreError> {
        self.strike(0)?;
        self.timed("update", self.inner.update(k, u, c)).await
    }
    async fn delete(&self, k: &Key, c: Option<Cond>) -> Result<(), StoreError> {
        self.strike(0)?;
        self.timed("delete", self.inner.delete(k, c)).await
    }
    async fn query(&self, q: Query) -> Result<Page, StoreError> {
        self.strike(0)?;
        let op = if q.is_consistent() { "query" } else { "query (ev)" };
        self.timed(op, self.inner.query(q)).await
    }
    async fn transact(&self, o: Vec<TxOp>) -> Result<(), StoreError> {
        self.strike(0)?;
        let shape = shape(&o);
        let r = self.timed("transact", self.inner.transact(o)).await;
        let mut by_shape = self.by_shape.lock().unwrap();
        let row = by_shape.entry(shape).or_default();
        row.0 += 1;
        if r.is_err() {
            row.1 += 1;
        }
        r
    }
    async fn batch_write(&self, p: Vec<Item>, d: Vec<Key>) -> Result<(), StoreError> {
        self.strike(0)?;
        self.timed("batch_write", self.inner.batch_write(p, d)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_repeated_is_shown_once_with_how_often() {
        let put = |pk: &str| {
            let mut item = Item::new();
            item.insert("PK".into(), pk.into());
            TxOp::Put { item, cond: None }
        };
        let update = |pk: &str| TxOp::Update {
            key: Key::new(pk, "S"),
            update: shared::store::Update::default(),
            cond: None,
        };
        let mut ops = vec![put("REC#1"), put("PHONE#1"), put("PHONE#2")];
        ops.extend((0..22).map(|i| put(&format!("IDX#{i}"))));
        assert_eq!(shape(&ops), "put REC + put PHONE ×2 + put IDX ×3+");
        ops.push(put("IDX#23"));
        assert_eq!(
            shape(&ops),
            "put REC + put PHONE ×2 + put IDX ×3+",
            "one line however many"
        );
        assert_eq!(
            shape(&[update("OP#a"), update("QUEUE"), update("CALL#b")]),
            "update OP + update QUEUE + update CALL"
        );
    }
    use shared::store::counting::CountingStore;
    use shared::store::embedded::EmbeddedStore;

    /// Eventually consistent reads reach the store below as such (half a read unit each on
    /// DynamoDB), not as strong reads: the run measures the reads Lambda makes.
    #[tokio::test]
    async fn eventual_reads_pass_through_as_eventual() {
        let counting = Arc::new(CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap())));
        let probe = Probe::new(counting.clone());
        let key = Key::new("P", "S");
        let mut item = Item::new();
        item.insert("PK".into(), "P".into());
        item.insert("SK".into(), "S".into());
        counting.put(item, None).await.unwrap();
        counting.reset();
        for _ in 0..4 {
            assert!(probe.get_eventually(&key).await.unwrap().is_some());
        }
        assert_eq!(
            probe
                .get_many_eventually(&[key.clone(), key.clone()])
                .await
                .unwrap()
                .len(),
            1
        );
        let counts = counting.counts();
        assert_eq!((counts.gets, counts.batch_gets), (4, 1));
        assert_eq!(
            counts.read_units, 3,
            "5 eventual reads of a small item: 2.5 units, not 5"
        );
        let times = probe.by_op();
        assert_eq!(times["get (ev)"].millis.len(), 4);
        assert_eq!(times["get_many (ev)"].millis.len(), 1);
        assert!(!times.contains_key("get"));
    }
}
