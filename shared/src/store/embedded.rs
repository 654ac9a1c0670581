//! The embedded adapter: the same key design in one SQLite file, for the local runtime and for
//! tests that need no server. It behaves like DynamoDB where the domain could notice: keys
//! compare as UTF-8 bytes, an item over 400 KB is refused, expired items are hidden from reads
//! but still seen by conditions until purged, and a transaction touches each key once.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::Value;

use super::{
    Cond, Cursor, Index, Item, Key, Page, Query, SortKey, Store, StoreError, TxOp, Update, attr, check_item, epoch_now,
    is_expired, str_attr,
};

/// The store in a SQLite file (or in memory).
#[derive(Clone)]
pub struct EmbeddedStore {
    conn: Arc<Mutex<Connection>>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    pk TEXT NOT NULL,
    sk TEXT NOT NULL,
    gsi1pk TEXT, gsi1sk TEXT,
    gsi2pk TEXT, gsi2sk TEXT,
    expires_at INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk) WHERE gsi1pk IS NOT NULL AND gsi1sk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi2 ON items (gsi2pk, gsi2sk, pk, sk) WHERE gsi2pk IS NOT NULL AND gsi2sk IS NOT NULL;
";

impl EmbeddedStore {
    /// Opens (or creates) the store in a file, and purges items whose TTL has passed.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(unavailable)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(unavailable)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(unavailable)?;
        Self::init(conn)
    }

    /// A store that lives only in memory (tests).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory().map_err(unavailable)?)
    }

    fn init(conn: Connection) -> Result<Self, StoreError> {
        conn.execute_batch(SCHEMA).map_err(unavailable)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(unavailable)?;
        conn.execute(
            "DELETE FROM items WHERE expires_at IS NOT NULL AND expires_at <= ?1",
            [epoch_now()],
        )
        .map_err(unavailable)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| StoreError::Unavailable("store lock poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
    }
}

fn unavailable(e: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn read(tx: &Connection, key: &Key) -> Result<Option<Item>, StoreError> {
    let body: Option<String> = tx
        .query_row(
            "SELECT body FROM items WHERE pk = ?1 AND sk = ?2",
            params![key.pk, key.sk],
            |r| r.get(0),
        )
        .optional()
        .map_err(unavailable)?;
    body.map(|b| parse_body(&b)).transpose()
}

fn parse_body(body: &str) -> Result<Item, StoreError> {
    serde_json::from_str(body).map_err(|e| StoreError::Unavailable(format!("corrupt item: {e}")))
}

fn write(tx: &Connection, item: &Item) -> Result<(), StoreError> {
    let key = check_item(item)?;
    let (g1pk, g1sk) = (str_attr(item, attr::GSI1PK), str_attr(item, attr::GSI1SK));
    let (g2pk, g2sk) = (str_attr(item, attr::GSI2PK), str_attr(item, attr::GSI2SK));
    let expires = item.get(attr::EXPIRES_AT).and_then(Value::as_i64);
    let body = serde_json::to_string(item).map_err(|e| StoreError::Invalid(e.to_string()))?;
    tx.execute(
        "INSERT OR REPLACE INTO items (pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, expires_at, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![key.pk, key.sk, g1pk, g1sk, g2pk, g2sk, expires, body],
    )
    .map_err(unavailable)?;
    Ok(())
}

fn remove(tx: &Connection, key: &Key) -> Result<(), StoreError> {
    tx.execute("DELETE FROM items WHERE pk = ?1 AND sk = ?2", params![key.pk, key.sk])
        .map_err(unavailable)?;
    Ok(())
}

/// Compares two attribute values the way DynamoDB conditions do: numbers numerically, strings
/// by bytes; values of different types do not compare.
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Value::Bool(x), Value::Bool(y)) if x == y => Some(Ordering::Equal),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        _ if a == b => Some(Ordering::Equal),
        _ => None,
    }
}

/// Evaluates a condition against the current item (`None` when absent).
pub(crate) fn holds(cond: &Cond, item: Option<&Item>) -> bool {
    let get = |name: &str| item.and_then(|i| i.get(name));
    let cmp =
        |name: &str, v: &Value, ok: fn(Ordering) -> bool| get(name).and_then(|cur| compare(cur, v)).is_some_and(ok);
    match cond {
        Cond::Exists => item.is_some(),
        Cond::NotExists => item.is_none(),
        Cond::AttrExists(a) => get(a).is_some(),
        Cond::AttrNotExists(a) => get(a).is_none(),
        Cond::Eq(a, v) => cmp(a, v, |o| o == Ordering::Equal),
        Cond::Ne(a, v) => !cmp(a, v, |o| o == Ordering::Equal),
        Cond::Lt(a, v) => cmp(a, v, |o| o == Ordering::Less),
        Cond::Le(a, v) => cmp(a, v, |o| o != Ordering::Greater),
        Cond::Gt(a, v) => cmp(a, v, |o| o == Ordering::Greater),
        Cond::Ge(a, v) => cmp(a, v, |o| o != Ordering::Less),
        Cond::Contains(a, v) => match (get(a), v) {
            (Some(Value::Array(list)), v) => list.contains(v),
            (Some(Value::String(text)), Value::String(part)) => text.contains(part.as_str()),
            _ => false,
        },
        Cond::And(cs) => cs.iter().all(|c| holds(c, item)),
        Cond::Or(cs) => cs.iter().any(|c| holds(c, item)),
    }
}

fn check(tx: &Connection, key: &Key, cond: Option<&Cond>, index: Option<usize>) -> Result<Option<Item>, StoreError> {
    let current = read(tx, key)?;
    match cond {
        Some(c) if !holds(c, current.as_ref()) => Err(StoreError::ConditionFailed { index }),
        _ => Ok(current),
    }
}

fn updated(key: &Key, current: Option<Item>, update: &Update) -> Result<Item, StoreError> {
    let mut named = std::collections::HashSet::new();
    for name in update
        .set
        .iter()
        .chain(&update.set_if_absent)
        .map(|(n, _)| n)
        .chain(&update.remove)
        .chain(update.add.iter().map(|(n, _)| n))
    {
        if name == attr::PK || name == attr::SK {
            return Err(StoreError::Invalid("key attributes cannot be updated".into()));
        }
        // DynamoDB refuses an update expression naming one attribute twice ("Two document
        // paths overlap"); so does this store, or such a write would pass every test here.
        if !named.insert(name) {
            return Err(StoreError::Invalid(format!("two document paths overlap: {name}")));
        }
    }
    let mut item = current.unwrap_or_else(|| {
        let mut i = Item::new();
        i.insert(attr::PK.into(), key.pk.clone().into());
        i.insert(attr::SK.into(), key.sk.clone().into());
        i
    });
    update.apply(&mut item);
    Ok(item)
}

fn apply_tx(tx: &Transaction<'_>, ops: &[TxOp]) -> Result<(), StoreError> {
    let mut plans = Vec::with_capacity(ops.len());
    for (i, op) in ops.iter().enumerate() {
        let key = super::tx_key(op)?;
        let cond = match op {
            TxOp::Put { cond, .. } | TxOp::Update { cond, .. } | TxOp::Delete { cond, .. } => cond.as_ref(),
            TxOp::Check { cond, .. } => Some(cond),
        };
        plans.push((key.clone(), check(tx, &key, cond, Some(i))?));
    }
    for (op, (key, current)) in ops.iter().zip(plans) {
        match op {
            TxOp::Put { item, .. } => write(tx, item)?,
            TxOp::Update { update, .. } => write(tx, &updated(&key, current, update)?)?,
            TxOp::Delete { .. } => remove(tx, &key)?,
            TxOp::Check { .. } => {}
        }
    }
    Ok(())
}

fn sort_clause(col: &str, sk: &SortKey, args: &mut Vec<String>) -> String {
    let mut arg = |v: &str| {
        args.push(v.to_owned());
        format!("?{}", args.len())
    };
    match sk {
        SortKey::Eq(v) => format!("{col} = {}", arg(v)),
        SortKey::Lt(v) => format!("{col} < {}", arg(v)),
        SortKey::Le(v) => format!("{col} <= {}", arg(v)),
        SortKey::Gt(v) => format!("{col} > {}", arg(v)),
        SortKey::Ge(v) => format!("{col} >= {}", arg(v)),
        SortKey::Between(a, b) => {
            let a = arg(a);
            format!("{col} BETWEEN {a} AND {}", arg(b))
        }
        // A byte-wise prefix range: [prefix, prefix + U+10FFFF).
        SortKey::BeginsWith(p) => {
            let lo = arg(p);
            format!("({col} >= {lo} AND {col} < {})", arg(&format!("{p}\u{10FFFF}")))
        }
    }
}

fn run_query(conn: &Connection, q: &Query) -> Result<Page, StoreError> {
    let (pk_col, sk_col) = match q.index {
        Index::Primary => ("pk", "sk"),
        Index::Gsi1 => ("gsi1pk", "gsi1sk"),
        Index::Gsi2 => ("gsi2pk", "gsi2sk"),
    };
    let mut args = vec![q.pk.clone()];
    let mut sql = format!("SELECT body FROM items WHERE {pk_col} = ?1");
    if q.index != Index::Primary {
        sql.push_str(&format!(" AND {sk_col} IS NOT NULL"));
    }
    if let Some(sk) = &q.sk {
        sql.push_str(" AND ");
        sql.push_str(&sort_clause(sk_col, sk, &mut args));
    }
    let dir = if q.forward { ">" } else { "<" };
    if let Some(c) = &q.cursor {
        let (ipk, isk) = q.index.key_attrs();
        let (Some(cpk), Some(csk)) = (c.get(attr::PK), c.get(attr::SK)) else {
            return Err(StoreError::Invalid("cursor without keys".into()));
        };
        if q.index == Index::Primary {
            args.push(csk.to_owned());
            sql.push_str(&format!(" AND sk {dir} ?{}", args.len()));
        } else {
            let (Some(_), Some(cisk)) = (c.get(ipk), c.get(isk)) else {
                return Err(StoreError::Invalid("cursor is not for this index".into()));
            };
            args.extend([cisk.to_owned(), cpk.to_owned(), csk.to_owned()]);
            let n = args.len();
            sql.push_str(&format!(
                " AND ({sk_col}, pk, sk) {dir} (?{}, ?{}, ?{})",
                n - 2,
                n - 1,
                n
            ));
        }
    }
    args.push(epoch_now().to_string());
    sql.push_str(&format!(
        " AND (expires_at IS NULL OR expires_at > CAST(?{} AS INTEGER))",
        args.len()
    ));
    let order = if q.forward { "ASC" } else { "DESC" };
    if q.index == Index::Primary {
        sql.push_str(&format!(" ORDER BY sk {order}"));
    } else {
        sql.push_str(&format!(" ORDER BY {sk_col} {order}, pk {order}, sk {order}"));
    }
    let limit = q.limit.clamp(1, 1000) as usize;
    sql.push_str(&format!(" LIMIT {}", limit + 1));
    let mut stmt = conn.prepare_cached(&sql).map_err(unavailable)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| r.get::<_, String>(0))
        .map_err(unavailable)?;
    let mut items = Vec::new();
    for row in rows {
        items.push(parse_body(&row.map_err(unavailable)?)?);
    }
    let more = items.len() > limit;
    items.truncate(limit);
    let cursor = if more {
        items.last().map(|i| Cursor::after_item(i, q.index))
    } else {
        None
    };
    Ok(Page { items, cursor })
}

#[async_trait]
impl Store for EmbeddedStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let key = key.clone();
        self.run(move |c| Ok(read(c, &key)?.filter(|i| !is_expired(i, epoch_now()))))
            .await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        let keys: Vec<Key> = keys.iter().cloned().collect::<HashSet<_>>().into_iter().collect();
        self.run(move |c| {
            let now = epoch_now();
            let mut out = Vec::new();
            for k in &keys {
                if let Some(i) = read(c, k)?.filter(|i| !is_expired(i, now)) {
                    out.push(i);
                }
            }
            Ok(out)
        })
        .await
    }

    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        let key = check_item(&item)?;
        self.run(move |c| {
            let tx = c.transaction().map_err(unavailable)?;
            check(&tx, &key, cond.as_ref(), None)?;
            write(&tx, &item)?;
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn update(&self, key: &Key, update: Update, cond: Option<Cond>) -> Result<Item, StoreError> {
        let key = key.clone();
        self.run(move |c| {
            let tx = c.transaction().map_err(unavailable)?;
            let current = check(&tx, &key, cond.as_ref(), None)?;
            let item = updated(&key, current, &update)?;
            write(&tx, &item)?;
            tx.commit().map_err(unavailable)?;
            Ok(item)
        })
        .await
    }

    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
        let key = key.clone();
        self.run(move |c| {
            let tx = c.transaction().map_err(unavailable)?;
            check(&tx, &key, cond.as_ref(), None)?;
            remove(&tx, &key)?;
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.run(move |c| run_query(c, &query)).await
    }

    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        super::validate_tx(&ops)?;
        for op in &ops {
            if let TxOp::Put { item, .. } = op {
                check_item(item)?;
            }
        }
        self.run(move |c| {
            let tx = c.transaction().map_err(unavailable)?;
            apply_tx(&tx, &ops)?;
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn batch_write(&self, puts: Vec<Item>, deletes: Vec<Key>) -> Result<(), StoreError> {
        for item in &puts {
            check_item(item)?;
        }
        self.run(move |c| {
            let tx = c.transaction().map_err(unavailable)?;
            for item in &puts {
                write(&tx, item)?;
            }
            for key in &deletes {
                remove(&tx, key)?;
            }
            tx.commit().map_err(unavailable)
        })
        .await
    }
}
