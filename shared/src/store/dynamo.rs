//! The DynamoDB adapter. The mapping between JSON items and `AttributeValue`s stays private to
//! this file; the domain never sees the SDK. Throttling is retried by the SDK's standard retry
//! policy; unprocessed batch items are retried here with backoff, a bounded number of times.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, DeleteRequest, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, KeysAndAttributes, Projection, ProjectionType, Put, PutRequest, ScalarAttributeType,
    TimeToLiveSpecification, TransactWriteItem, Update as DynUpdate, WriteRequest,
};
use serde_json::{Map, Number, Value};

use super::{
    Cond, Cursor, Item, Key, Page, Query, SortKey, Store, StoreError, TxOp, Update, attr, check_item, epoch_now,
    is_expired,
};
use super::{MAX_BATCH_GET, validate_tx};

/// The store on a DynamoDB table (or a DynamoDB-compatible server in tests).
#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// A client from the environment's AWS configuration, with an optional endpoint override.
    pub async fn client_from_env(endpoint: Option<&str>) -> Client {
        Self::client_with(&crate::tls::aws_config_loader().load().await, endpoint)
    }

    /// A client from an AWS configuration the caller already loaded; the endpoint override
    /// applies to DynamoDB only.
    pub fn client_with(aws: &aws_config::SdkConfig, endpoint: Option<&str>) -> Client {
        let mut conf = aws_sdk_dynamodb::config::Builder::from(aws);
        if let Some(url) = endpoint {
            conf = conf.endpoint_url(url);
        }
        Client::from_conf(conf.build())
    }

    /// Creates the table with the console's key design if it does not exist (local servers and
    /// tests; the deployed table is created by the CDK stack with the same definition).
    pub async fn ensure_table(&self) -> Result<(), StoreError> {
        if self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .is_ok()
        {
            return Ok(());
        }
        let s = |n: &str| {
            AttributeDefinition::builder()
                .attribute_name(n)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(invalid)
        };
        let key = |n: &str, t: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(n)
                .key_type(t)
                .build()
                .map_err(invalid)
        };
        let gsi = |name: &str, pk: &str, sk: &str| -> Result<GlobalSecondaryIndex, StoreError> {
            GlobalSecondaryIndex::builder()
                .index_name(name)
                .key_schema(key(pk, KeyType::Hash)?)
                .key_schema(key(sk, KeyType::Range)?)
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()
                .map_err(invalid)
        };
        self.client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(s(attr::PK)?)
            .attribute_definitions(s(attr::SK)?)
            .attribute_definitions(s(attr::GSI1PK)?)
            .attribute_definitions(s(attr::GSI1SK)?)
            .attribute_definitions(s(attr::GSI2PK)?)
            .attribute_definitions(s(attr::GSI2SK)?)
            .key_schema(key(attr::PK, KeyType::Hash)?)
            .key_schema(key(attr::SK, KeyType::Range)?)
            .global_secondary_indexes(gsi("GSI1", attr::GSI1PK, attr::GSI1SK)?)
            .global_secondary_indexes(gsi("GSI2", attr::GSI2PK, attr::GSI2SK)?)
            .send()
            .await
            .map_err(sdk)?;
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(attr::EXPIRES_AT)
                    .enabled(true)
                    .build()
                    .map_err(invalid)?,
            )
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }
}

impl DynamoStore {
    async fn get_item(&self, key: &Key, consistent: bool) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .consistent_read(consistent)
            .send()
            .await
            .map_err(sdk)?;
        Ok(out.item().map(from_map).filter(|i| !is_expired(i, epoch_now())))
    }

    async fn get_items(&self, keys: &[Key], consistent: bool) -> Result<Vec<Item>, StoreError> {
        let mut unique: Vec<Key> = keys.to_vec();
        unique.sort();
        unique.dedup();
        let mut items = Vec::with_capacity(unique.len());
        for chunk in unique.chunks(MAX_BATCH_GET) {
            items.extend(self.batch_get(chunk, consistent).await?);
        }
        let now = epoch_now();
        items.retain(|i| !is_expired(i, now));
        Ok(items)
    }

    /// One BatchGetItem of at most [`MAX_BATCH_GET`] distinct keys, with the keys DynamoDB left
    /// unprocessed (throttling, the 16 MB answer limit) asked again with backoff.
    async fn batch_get(&self, keys: &[Key], consistent: bool) -> Result<Vec<Item>, StoreError> {
        let mut pending = KeysAndAttributes::builder()
            .set_keys(Some(keys.iter().map(key_map).collect()))
            .consistent_read(consistent)
            .build()
            .map_err(invalid)?;
        let mut items = Vec::with_capacity(keys.len());
        for attempt in 0..BATCH_ATTEMPTS {
            let out = self
                .client
                .batch_get_item()
                .request_items(&self.table, pending.clone())
                .send()
                .await
                .map_err(sdk)?;
            if let Some(rows) = out.responses().and_then(|r| r.get(&self.table)) {
                items.extend(rows.iter().map(from_map));
            }
            match out
                .unprocessed_keys()
                .and_then(|u| u.get(&self.table))
                .filter(|k| !k.keys().is_empty())
            {
                Some(rest) => {
                    pending = rest.clone();
                    backoff(attempt).await;
                }
                None => return Ok(items),
            }
        }
        Err(StoreError::Unavailable(
            "batch read still throttled after retries".into(),
        ))
    }
}

fn invalid(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(e.to_string())
}

fn sdk<E, R>(e: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let text = aws_sdk_dynamodb::error::DisplayErrorContext(&e).to_string();
    let code = match &e {
        SdkError::ServiceError(se) => se.err().code().map(str::to_owned),
        // The request never got an answer (connection, timeout, an unreadable response):
        // the store is unreachable for now.
        _ => None,
    };
    classify(code.as_deref(), text)
}

/// What a DynamoDB error code means for the caller: a store that is busy or unreachable is
/// [`StoreError::Unavailable`] (503, retried); a request refused for good — access, validation,
/// a missing table or index — is [`StoreError::Rejected`] (500, logged, alarmed); an item over
/// the size limit is [`StoreError::TooLarge`]. An unknown code counts as unavailable.
pub(crate) fn classify(code: Option<&str>, text: String) -> StoreError {
    if text.contains("Item size") || text.contains("item size") {
        return StoreError::TooLarge(
            "the record is over the 400 KB limit of one stored item; shorten long text fields".into(),
        );
    }
    match code {
        // A single write that met a transaction in progress on its item: worth trying again.
        Some("TransactionConflictException") => StoreError::TransactionConflict,
        Some(
            "AccessDeniedException"
            | "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "MissingAuthenticationTokenException"
            | "IncompleteSignatureException"
            | "ExpiredTokenException"
            | "ValidationException"
            | "ResourceNotFoundException"
            | "SerializationException",
        ) => StoreError::Rejected(text),
        _ => StoreError::Unavailable(text),
    }
}

fn to_av(v: &Value) -> AttributeValue {
    match v {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Array(a) => AttributeValue::L(a.iter().map(to_av).collect()),
        Value::Object(m) => AttributeValue::M(m.iter().map(|(k, v)| (k.clone(), to_av(v))).collect()),
    }
}

fn from_av(av: &AttributeValue) -> Value {
    match av {
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::N(n) => n
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| n.parse::<u64>().map(Value::from))
            .unwrap_or_else(|_| {
                n.parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map(Value::Number)
                    .unwrap_or(Value::Null)
            }),
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::L(l) => Value::Array(l.iter().map(from_av).collect()),
        AttributeValue::M(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), from_av(v))).collect()),
        AttributeValue::Ss(s) => Value::Array(s.iter().cloned().map(Value::String).collect()),
        AttributeValue::Ns(n) => Value::Array(n.iter().map(|x| from_av(&AttributeValue::N(x.clone()))).collect()),
        _ => Value::Null,
    }
}

fn to_map(item: &Item) -> HashMap<String, AttributeValue> {
    item.iter().map(|(k, v)| (k.clone(), to_av(v))).collect()
}

fn from_map(m: &HashMap<String, AttributeValue>) -> Item {
    m.iter().map(|(k, v)| (k.clone(), from_av(v))).collect()
}

fn key_map(key: &Key) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (attr::PK.to_owned(), AttributeValue::S(key.pk.clone())),
        (attr::SK.to_owned(), AttributeValue::S(key.sk.clone())),
    ])
}

/// Builds expression strings with `#n`/`:v` placeholders, so no attribute name or value is
/// ever spliced into an expression.
#[derive(Default)]
struct Expr {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expr {
    fn name(&mut self, n: &str) -> String {
        if let Some((p, _)) = self.names.iter().find(|(_, v)| v.as_str() == n) {
            return p.clone();
        }
        let p = format!("#n{}", self.names.len());
        self.names.insert(p.clone(), n.to_owned());
        p
    }

    fn value(&mut self, v: AttributeValue) -> String {
        let p = format!(":v{}", self.values.len());
        self.values.insert(p.clone(), v);
        p
    }

    fn cond(&mut self, c: &Cond) -> String {
        let bin = |e: &mut Self, a: &str, op: &str, v: &Value| format!("{} {op} {}", e.name(a), e.value(to_av(v)));
        match c {
            Cond::Exists => format!("attribute_exists({})", self.name(attr::PK)),
            Cond::NotExists => format!("attribute_not_exists({})", self.name(attr::PK)),
            Cond::AttrExists(a) => format!("attribute_exists({})", self.name(a)),
            Cond::AttrNotExists(a) => format!("attribute_not_exists({})", self.name(a)),
            Cond::Eq(a, v) => bin(self, a, "=", v),
            Cond::Ne(a, v) => bin(self, a, "<>", v),
            Cond::Lt(a, v) => bin(self, a, "<", v),
            Cond::Le(a, v) => bin(self, a, "<=", v),
            Cond::Gt(a, v) => bin(self, a, ">", v),
            Cond::Ge(a, v) => bin(self, a, ">=", v),
            Cond::Contains(a, v) => format!("contains({}, {})", self.name(a), self.value(to_av(v))),
            Cond::And(cs) => format!(
                "({})",
                cs.iter().map(|c| self.cond(c)).collect::<Vec<_>>().join(" AND ")
            ),
            Cond::Or(cs) => format!("({})", cs.iter().map(|c| self.cond(c)).collect::<Vec<_>>().join(" OR ")),
        }
    }

    fn update(&mut self, u: &Update) -> String {
        let mut parts = Vec::new();
        let mut sets: Vec<String> = u
            .set
            .iter()
            .map(|(n, v)| format!("{} = {}", self.name(n), self.value(to_av(v))))
            .collect();
        for (n, v) in &u.set_if_absent {
            let name = self.name(n);
            let value = self.value(to_av(v));
            sets.push(format!("{name} = if_not_exists({name}, {value})"));
        }
        if !sets.is_empty() {
            parts.push(format!("SET {}", sets.join(", ")));
        }
        if !u.remove.is_empty() {
            let rm: Vec<String> = u.remove.iter().map(|n| self.name(n)).collect();
            parts.push(format!("REMOVE {}", rm.join(", ")));
        }
        if !u.add.is_empty() {
            let adds: Vec<String> = u
                .add
                .iter()
                .map(|(n, d)| format!("{} {}", self.name(n), self.value(AttributeValue::N(d.to_string()))))
                .collect();
            parts.push(format!("ADD {}", adds.join(", ")));
        }
        parts.join(" ")
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

fn condition_failed<E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static, R: std::fmt::Debug>(
    e: SdkError<E, R>,
    is_ccf: impl Fn(&E) -> bool,
) -> StoreError {
    match e.as_service_error() {
        Some(se) if is_ccf(se) => StoreError::ConditionFailed { index: None },
        _ => sdk(e),
    }
}

const BATCH_ATTEMPTS: u32 = 8;

async fn backoff(attempt: u32) {
    let ms = (25u64 << attempt.min(6)).min(2_000);
    tokio::time::sleep(Duration::from_millis(rand::random_range(ms / 2..=ms))).await;
}

#[async_trait]
impl Store for DynamoStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.get_item(key, true).await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.get_items(keys, true).await
    }

    async fn get_eventually(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.get_item(key, false).await
    }

    async fn get_many_eventually(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.get_items(keys, false).await
    }

    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        check_item(&item)?;
        let mut e = Expr::default();
        let ce = cond.as_ref().map(|c| e.cond(c));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_map(&item)))
            .set_condition_expression(ce)
            .set_expression_attribute_names(e.names())
            .set_expression_attribute_values(e.values())
            .send()
            .await
            .map_err(|err| condition_failed(err, |s| s.is_conditional_check_failed_exception()))?;
        Ok(())
    }

    async fn update(&self, key: &Key, update: Update, cond: Option<Cond>) -> Result<Item, StoreError> {
        let mut e = Expr::default();
        let ue = e.update(&update);
        let ce = cond.as_ref().map(|c| e.cond(c));
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .update_expression(ue)
            .set_condition_expression(ce)
            .set_expression_attribute_names(e.names())
            .set_expression_attribute_values(e.values())
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await
            .map_err(|err| condition_failed(err, |s| s.is_conditional_check_failed_exception()))?;
        Ok(out.attributes().map(from_map).unwrap_or_default())
    }

    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
        let mut e = Expr::default();
        let ce = cond.as_ref().map(|c| e.cond(c));
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .set_condition_expression(ce)
            .set_expression_attribute_names(e.names())
            .set_expression_attribute_values(e.values())
            .send()
            .await
            .map_err(|err| condition_failed(err, |s| s.is_conditional_check_failed_exception()))?;
        Ok(())
    }

    async fn query(&self, q: Query) -> Result<Page, StoreError> {
        let mut e = Expr::default();
        let (pk_attr, sk_attr) = q.index.key_attrs();
        let mut kce = format!("{} = {}", e.name(pk_attr), e.value(AttributeValue::S(q.pk.clone())));
        if let Some(sk) = &q.sk {
            let n = e.name(sk_attr);
            let mut v = |s: &str| e.value(AttributeValue::S(s.to_owned()));
            let clause = match sk {
                SortKey::Eq(s) => format!("{n} = {}", v(s)),
                SortKey::Lt(s) => format!("{n} < {}", v(s)),
                SortKey::Le(s) => format!("{n} <= {}", v(s)),
                SortKey::Gt(s) => format!("{n} > {}", v(s)),
                SortKey::Ge(s) => format!("{n} >= {}", v(s)),
                SortKey::Between(a, b) => {
                    let a = v(a);
                    format!("{n} BETWEEN {a} AND {}", v(b))
                }
                SortKey::BeginsWith(p) => format!("begins_with({n}, {})", v(p)),
            };
            kce = format!("{kce} AND {clause}");
        }
        let start = q.cursor.as_ref().map(|c| {
            c.0.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), AttributeValue::S(s.to_owned()))))
                .collect::<HashMap<_, _>>()
        });
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(q.index.name().map(str::to_owned))
            .key_condition_expression(kce)
            .set_expression_attribute_names(e.names())
            .set_expression_attribute_values(e.values())
            .scan_index_forward(q.forward)
            .limit(q.limit.clamp(1, 1000) as i32)
            .set_exclusive_start_key(start)
            .set_consistent_read(q.is_consistent().then_some(true))
            .send()
            .await
            .map_err(sdk)?;
        let now = epoch_now();
        let items: Vec<Item> = out
            .items()
            .iter()
            .map(from_map)
            .filter(|i| !is_expired(i, now))
            .collect();
        let cursor = out.last_evaluated_key().map(|k| {
            Cursor(
                k.iter()
                    .map(|(n, v)| (n.clone(), from_av(v)))
                    .collect::<Map<String, Value>>(),
            )
        });
        Ok(Page { items, cursor })
    }

    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        validate_tx(&ops)?;
        let mut items = Vec::with_capacity(ops.len());
        for op in &ops {
            let mut e = Expr::default();
            let item = match op {
                TxOp::Put { item, cond } => {
                    check_item(item)?;
                    let ce = cond.as_ref().map(|c| e.cond(c));
                    let put = Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(to_map(item)))
                        .set_condition_expression(ce)
                        .set_expression_attribute_names(e.names())
                        .set_expression_attribute_values(e.values())
                        .build()
                        .map_err(invalid)?;
                    TransactWriteItem::builder().put(put).build()
                }
                TxOp::Update { key, update, cond } => {
                    let ue = e.update(update);
                    let ce = cond.as_ref().map(|c| e.cond(c));
                    let u = DynUpdate::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_map(key)))
                        .update_expression(ue)
                        .set_condition_expression(ce)
                        .set_expression_attribute_names(e.names())
                        .set_expression_attribute_values(e.values())
                        .build()
                        .map_err(invalid)?;
                    TransactWriteItem::builder().update(u).build()
                }
                TxOp::Delete { key, cond } => {
                    let ce = cond.as_ref().map(|c| e.cond(c));
                    let d = Delete::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_map(key)))
                        .set_condition_expression(ce)
                        .set_expression_attribute_names(e.names())
                        .set_expression_attribute_values(e.values())
                        .build()
                        .map_err(invalid)?;
                    TransactWriteItem::builder().delete(d).build()
                }
                TxOp::Check { key, cond } => {
                    let ce = e.cond(cond);
                    let c = ConditionCheck::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_map(key)))
                        .condition_expression(ce)
                        .set_expression_attribute_names(e.names())
                        .set_expression_attribute_values(e.values())
                        .build()
                        .map_err(invalid)?;
                    TransactWriteItem::builder().condition_check(c).build()
                }
            };
            items.push(item);
        }
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err) => {
                if let Some(se) = err.as_service_error()
                    && let aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(tc) = se {
                        let reasons = tc.cancellation_reasons();
                        if let Some(i) = reasons.iter().position(|r| r.code() == Some("ConditionalCheckFailed")) {
                            return Err(StoreError::ConditionFailed { index: Some(i) });
                        }
                        if reasons.iter().any(|r| r.code() == Some("TransactionConflict")) {
                            return Err(StoreError::TransactionConflict);
                        }
                    }
                Err(sdk(err))
            }
        }
    }

    async fn batch_write(&self, puts: Vec<Item>, deletes: Vec<Key>) -> Result<(), StoreError> {
        let mut requests = Vec::with_capacity(puts.len() + deletes.len());
        for item in &puts {
            check_item(item)?;
            requests.push(
                WriteRequest::builder()
                    .put_request(
                        PutRequest::builder()
                            .set_item(Some(to_map(item)))
                            .build()
                            .map_err(invalid)?,
                    )
                    .build(),
            );
        }
        for key in &deletes {
            requests.push(
                WriteRequest::builder()
                    .delete_request(
                        DeleteRequest::builder()
                            .set_key(Some(key_map(key)))
                            .build()
                            .map_err(invalid)?,
                    )
                    .build(),
            );
        }
        for chunk in requests.chunks(25) {
            let mut pending = chunk.to_vec();
            let mut attempt = 0;
            while !pending.is_empty() {
                if attempt == BATCH_ATTEMPTS {
                    return Err(StoreError::Unavailable(
                        "batch write still throttled after retries".into(),
                    ));
                }
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(sdk)?;
                pending = out
                    .unprocessed_items()
                    .and_then(|u| u.get(&self.table))
                    .cloned()
                    .unwrap_or_default();
                if !pending.is_empty() {
                    backoff(attempt).await;
                }
                attempt += 1;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_or_unreachable_stores_are_unavailable_and_refusals_for_good_are_rejected() {
        for code in [
            "ProvisionedThroughputExceededException",
            "ThrottlingException",
            "RequestLimitExceeded",
            "InternalServerError",
            "ServiceUnavailable",
        ] {
            assert!(
                matches!(classify(Some(code), code.into()), StoreError::Unavailable(_)),
                "{code}"
            );
        }
        assert!(matches!(
            classify(None, "dispatch failure".into()),
            StoreError::Unavailable(_)
        ));
        for code in [
            "AccessDeniedException",
            "ValidationException",
            "ResourceNotFoundException",
        ] {
            assert!(
                matches!(classify(Some(code), code.into()), StoreError::Rejected(_)),
                "{code}"
            );
        }
        assert!(matches!(
            classify(
                Some("ValidationException"),
                "Item size has exceeded the maximum allowed size".into()
            ),
            StoreError::TooLarge(_)
        ));
    }
}
