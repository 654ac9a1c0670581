//! The store port: the few item operations the domain needs, with two adapters beside each
//! other — [`dynamo::DynamoStore`] for the deployed system and [`embedded::EmbeddedStore`]
//! (SQLite in a file) for the local runtime — and one conformance suite both pass.
//!
//! Items are JSON objects with string keys `PK`/`SK`, optional index keys `GSI1PK`/`GSI1SK`
//! and `GSI2PK`/`GSI2SK`, and an optional TTL `expires_at` (epoch seconds). The key design
//! lives in [`table`]. There is deliberately no scan: every request path is a get, a query on
//! one partition, or a small transaction.

pub mod counting;
pub mod dynamo;
#[cfg(feature = "embedded")]
pub mod embedded;
pub mod table;

#[cfg(any(test, feature = "test-support"))]
pub mod conformance;

use std::fmt;

use async_trait::async_trait;
use base64::Engine;
use serde_json::{Map, Value};

/// An item: a JSON object of attributes.
pub type Item = Map<String, Value>;

/// A string attribute of an item, if it has one.
pub fn str_attr<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name).and_then(Value::as_str)
}

/// DynamoDB's item size limit, enforced by both adapters so the embedded store refuses what
/// the deployed one would.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// Names of the key attributes.
pub mod attr {
    pub const PK: &str = "PK";
    pub const SK: &str = "SK";
    pub const GSI1PK: &str = "GSI1PK";
    pub const GSI1SK: &str = "GSI1SK";
    pub const GSI2PK: &str = "GSI2PK";
    pub const GSI2SK: &str = "GSI2SK";
    pub const EXPIRES_AT: &str = "expires_at";
}

/// The primary key of an item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }

    /// The key of an item, if it has one.
    pub fn of(item: &Item) -> Option<Self> {
        Some(Self::new(item.get(attr::PK)?.as_str()?, item.get(attr::SK)?.as_str()?))
    }
}

/// Which key a query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    Primary,
    Gsi1,
    Gsi2,
}

impl Index {
    /// The partition and sort key attribute names of this index.
    pub fn key_attrs(self) -> (&'static str, &'static str) {
        match self {
            Index::Primary => (attr::PK, attr::SK),
            Index::Gsi1 => (attr::GSI1PK, attr::GSI1SK),
            Index::Gsi2 => (attr::GSI2PK, attr::GSI2SK),
        }
    }

    /// The DynamoDB index name, `None` for the table itself.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Index::Primary => None,
            Index::Gsi1 => Some("GSI1"),
            Index::Gsi2 => Some("GSI2"),
        }
    }
}

/// A condition on the sort key of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKey {
    Eq(String),
    BeginsWith(String),
    Between(String, String),
    Lt(String),
    Le(String),
    Gt(String),
    Ge(String),
}

/// A query of one partition.
#[derive(Debug, Clone)]
pub struct Query {
    pub index: Index,
    pub pk: String,
    pub sk: Option<SortKey>,
    /// Ascending sort-key order when true, descending when false.
    pub forward: bool,
    /// At most this many items in the page (1 to 1000).
    pub limit: u32,
    pub cursor: Option<Cursor>,
    /// Whether a query of the table reads every write acknowledged before it (twice the read
    /// units); indexes are always eventually consistent.
    pub consistent: bool,
}

impl Query {
    /// All items of a partition of the table, ascending, 100 a page.
    pub fn partition(pk: impl Into<String>) -> Self {
        Self {
            index: Index::Primary,
            pk: pk.into(),
            sk: None,
            forward: true,
            limit: 100,
            cursor: None,
            consistent: true,
        }
    }

    /// Reads what the table held up to about a second ago, for half the read units: for reads
    /// where a write of the last second missing is harmless (a screen pop, a history tab), never
    /// for one that decides a write.
    pub fn eventually_consistent(mut self) -> Self {
        self.consistent = false;
        self
    }

    /// Whether the store answers this query strongly consistent (a table query that asked for it).
    pub fn is_consistent(&self) -> bool {
        self.consistent && self.index == Index::Primary
    }

    /// The same partition on an index.
    pub fn on(mut self, index: Index) -> Self {
        self.index = index;
        self
    }

    pub fn sk(mut self, sk: SortKey) -> Self {
        self.sk = Some(sk);
        self
    }

    pub fn begins_with(self, prefix: impl Into<String>) -> Self {
        self.sk(SortKey::BeginsWith(prefix.into()))
    }

    pub fn descending(mut self) -> Self {
        self.forward = false;
        self
    }

    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit.clamp(1, 1000);
        self
    }

    pub fn after(mut self, cursor: Option<Cursor>) -> Self {
        self.cursor = cursor;
        self
    }
}

/// Where a page ended. Opaque to clients; both adapters encode the last item's keys the same
/// way, so a cursor is a URL-safe string that can travel through the API.
#[derive(Clone, PartialEq, Eq)]
pub struct Cursor(pub(crate) Map<String, Value>);

impl Cursor {
    /// The cursor after `item`, for a query on `index`.
    pub fn after_item(item: &Item, index: Index) -> Self {
        let (ipk, isk) = index.key_attrs();
        let mut keys = Map::new();
        for a in [attr::PK, attr::SK, ipk, isk] {
            if let Some(v) = item.get(a) {
                keys.insert(a.to_owned(), v.clone());
            }
        }
        Self(keys)
    }

    /// The cursor as text for the API.
    pub fn encode(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(&self.0).unwrap_or_default())
    }

    /// Reads a cursor a client sent back; `None` if it was tampered with.
    pub fn decode(s: &str) -> Option<Self> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).ok()?;
        let map: Map<String, Value> = serde_json::from_slice(&bytes).ok()?;
        let all_strings = map.values().all(Value::is_string);
        (all_strings && map.contains_key(attr::PK) && map.contains_key(attr::SK) && map.len() <= 4).then_some(Self(map))
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    /// Whether this cursor can continue `query`: it ends on an item of the query's index,
    /// partition and sort-key range. A client may send back a cursor of another list or an edited
    /// one; the adapters refuse those as a bug, so callers check first and answer the client.
    pub fn fits(&self, query: &Query) -> bool {
        let (ipk, isk) = query.index.key_attrs();
        let Some(sk) = self.get(isk) else {
            return false;
        };
        let in_range = match &query.sk {
            None => true,
            Some(SortKey::Eq(v)) => sk == v,
            Some(SortKey::BeginsWith(p)) => sk.starts_with(p.as_str()),
            Some(SortKey::Between(a, b)) => a.as_str() <= sk && sk <= b.as_str(),
            Some(SortKey::Lt(v)) => sk < v.as_str(),
            Some(SortKey::Le(v)) => sk <= v.as_str(),
            Some(SortKey::Gt(v)) => sk > v.as_str(),
            Some(SortKey::Ge(v)) => sk >= v.as_str(),
        };
        self.get(ipk) == Some(query.pk.as_str()) && in_range
    }
}

impl fmt::Debug for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cursor({})", self.encode())
    }
}

/// One page of a query.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<Item>,
    pub cursor: Option<Cursor>,
}

/// A condition on the current state of the item a write touches.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// The item exists.
    Exists,
    /// The item does not exist.
    NotExists,
    AttrExists(String),
    AttrNotExists(String),
    Eq(String, Value),
    Ne(String, Value),
    Lt(String, Value),
    Le(String, Value),
    Gt(String, Value),
    Ge(String, Value),
    /// The list attribute holds `value` as one of its elements (or the string attribute holds
    /// it as a substring), as DynamoDB's `contains` does.
    Contains(String, Value),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

impl Cond {
    /// `attr = value`.
    pub fn eq(name: &str, value: impl Into<Value>) -> Self {
        Cond::Eq(name.to_owned(), value.into())
    }

    /// The optimistic-concurrency check: the stored `version` is `expected`.
    pub fn version(expected: u64) -> Self {
        Cond::eq("version", expected)
    }
}

/// A partial update: set attributes, remove attributes, add to numbers. Applied to an empty
/// item when the key does not exist yet (an upsert), as DynamoDB does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    pub set: Vec<(String, Value)>,
    /// Set only where the attribute is absent (DynamoDB's `if_not_exists`).
    pub set_if_absent: Vec<(String, Value)>,
    pub remove: Vec<String>,
    pub add: Vec<(String, i64)>,
}

impl Update {
    pub fn set(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.set.push((name.to_owned(), value.into()));
        self
    }

    /// Sets `name` unless the item has it already: a first value kept in a write that does
    /// more, without a condition that would refuse the whole write.
    pub fn set_if_absent(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.set_if_absent.push((name.to_owned(), value.into()));
        self
    }

    pub fn remove(mut self, name: &str) -> Self {
        self.remove.push(name.to_owned());
        self
    }

    pub fn add(mut self, name: &str, delta: i64) -> Self {
        self.add.push((name.to_owned(), delta));
        self
    }

    /// Applies the update to an item in memory (used by the embedded adapter and by tests).
    pub fn apply(&self, item: &mut Item) {
        for (k, v) in &self.set {
            item.insert(k.clone(), v.clone());
        }
        for (k, v) in &self.set_if_absent {
            item.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for k in &self.remove {
            item.remove(k);
        }
        for (k, d) in &self.add {
            let cur = item.get(k).and_then(Value::as_i64).unwrap_or(0);
            item.insert(k.clone(), Value::from(cur + d));
        }
    }
}

/// One write of a transaction.
#[derive(Debug, Clone)]
pub enum TxOp {
    Put {
        item: Item,
        cond: Option<Cond>,
    },
    Update {
        key: Key,
        update: Update,
        cond: Option<Cond>,
    },
    Delete {
        key: Key,
        cond: Option<Cond>,
    },
    Check {
        key: Key,
        cond: Cond,
    },
}

/// At most this many keys in one batch read request (DynamoDB's BatchGetItem limit).
pub const MAX_BATCH_GET: usize = 100;

/// At most this many writes in one transaction (DynamoDB's limit).
pub const MAX_TX_OPS: usize = 100;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A write's condition did not hold. For a transaction, `index` says which write failed.
    #[error("the condition of write {index:?} did not hold")]
    ConditionFailed { index: Option<usize> },
    /// Two transactions touched the same item at once; safe to retry.
    #[error("transaction conflict")]
    TransactionConflict,
    /// The item is bigger than [`MAX_ITEM_BYTES`].
    #[error("{0}")]
    TooLarge(String),
    /// The request was malformed (a bug in the caller, not a user error).
    #[error("invalid store request: {0}")]
    Invalid(String),
    /// Throttled or unavailable after the adapter's own retries: worth retrying later.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The store refused the request for good: access denied, a request it finds invalid, a
    /// missing table. A fault of the code or the deployment; retrying does not help.
    #[error("store refused the request: {0}")]
    Rejected(String),
}

impl StoreError {
    /// Whether this is a failed condition (at any position).
    pub fn is_condition_failed(&self) -> bool {
        matches!(self, StoreError::ConditionFailed { .. })
    }
}

/// The item store the domain is written against. Every method is one request to the store
/// (batch methods: one per chunk of DynamoDB's batch limit), so request counts are meaningful.
#[async_trait]
pub trait Store: Send + Sync {
    /// Reads one item, strongly consistent. Expired items (TTL passed) are not returned.
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;

    /// Reads items by key, in no particular order; missing ones are left out, a key given twice
    /// is read once. Any number of keys: DynamoDB reads at most [`MAX_BATCH_GET`] a request, so
    /// this is one request per [`MAX_BATCH_GET`] distinct keys (plus retries of unprocessed ones).
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError>;

    /// [`Store::get`] as the table held the item up to about a second ago, for half the read
    /// units: for a read that only shows something (a board, a history row, settings already
    /// cached for seconds) where a write of the last second missing is harmless — never for one
    /// that decides a write or answers who may do what. An adapter with one kind of read (the
    /// embedded store) reads as [`Store::get`]; a layer over another store passes it on as this.
    async fn get_eventually(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.get(key).await
    }

    /// [`Store::get_many`] eventually consistent (see [`Store::get_eventually`]).
    async fn get_many_eventually(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.get_many(keys).await
    }

    /// Writes a whole item, if `cond` holds for the current one.
    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError>;

    /// Updates attributes of an item (creating it when absent), if `cond` holds; returns the
    /// item as it is after the update.
    async fn update(&self, key: &Key, update: Update, cond: Option<Cond>) -> Result<Item, StoreError>;

    /// Deletes an item, if `cond` holds. Deleting a missing item without a condition is fine.
    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError>;

    /// Reads one page of a partition. Index queries are eventually consistent on DynamoDB.
    async fn query(&self, query: Query) -> Result<Page, StoreError>;

    /// Applies up to [`MAX_TX_OPS`] writes atomically: all or none.
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError>;

    /// Writes and deletes many items without conditions (index maintenance, imports). Not
    /// atomic; each item is written at least once.
    async fn batch_write(&self, puts: Vec<Item>, deletes: Vec<Key>) -> Result<(), StoreError>;
}

/// A conditional write whose condition did not hold counts as done: for idempotent writes
/// (callbacks, releases) where "already applied" and "applied now" are the same outcome.
pub fn done_unless_failed<T>(r: Result<T, StoreError>) -> Result<(), StoreError> {
    match r {
        Ok(_) => Ok(()),
        Err(e) if e.is_condition_failed() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Approximate stored size of an item, counted the way DynamoDB counts it (names + values).
pub fn item_size(item: &Item) -> usize {
    fn value_size(v: &Value) -> usize {
        match v {
            Value::Null | Value::Bool(_) => 1,
            Value::Number(n) => n.to_string().len().div_ceil(2) + 1,
            Value::String(s) => s.len(),
            Value::Array(a) => 3 + a.iter().map(|v| value_size(v) + 1).sum::<usize>(),
            Value::Object(m) => 3 + m.iter().map(|(k, v)| k.len() + value_size(v) + 1).sum::<usize>(),
        }
    }
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

/// Refuses an item DynamoDB would refuse for its size or missing keys.
pub fn check_item(item: &Item) -> Result<Key, StoreError> {
    let key = Key::of(item).ok_or_else(|| StoreError::Invalid("item without string PK and SK".into()))?;
    if key.pk.is_empty() || key.sk.is_empty() {
        return Err(StoreError::Invalid("empty key".into()));
    }
    let size = item_size(item);
    if size > MAX_ITEM_BYTES {
        return Err(StoreError::TooLarge(format!(
            "the record is {} KB, over the 400 KB limit of one stored item; shorten long text fields",
            size / 1024
        )));
    }
    Ok(key)
}

/// Whether an item's TTL has passed at `now` (epoch seconds).
pub fn is_expired(item: &Item, now: i64) -> bool {
    item.get(attr::EXPIRES_AT)
        .and_then(Value::as_i64)
        .is_some_and(|t| t <= now)
}

/// Seconds since the epoch, the unit of `expires_at`.
pub fn epoch_now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub(crate) fn tx_key(op: &TxOp) -> Result<Key, StoreError> {
    match op {
        TxOp::Put { item, .. } => Key::of(item).ok_or_else(|| StoreError::Invalid("item without key".into())),
        TxOp::Update { key, .. } | TxOp::Delete { key, .. } | TxOp::Check { key, .. } => Ok(key.clone()),
    }
}

/// Rejects transactions DynamoDB would reject before running them.
pub(crate) fn validate_tx(ops: &[TxOp]) -> Result<(), StoreError> {
    if ops.is_empty() || ops.len() > MAX_TX_OPS {
        return Err(StoreError::Invalid(format!(
            "a transaction has 1 to {MAX_TX_OPS} writes, not {}",
            ops.len()
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for op in ops {
        if !seen.insert(tx_key(op)?) {
            return Err(StoreError::Invalid("a transaction touches the same item twice".into()));
        }
    }
    Ok(())
}
