//! CRM records: create, read, update (optimistic versions), delete; the phone index that makes
//! the screen pop one query; and the search index (Japanese-normalised bigrams) that makes data
//! search a query on one posting list instead of a scan.
//!
//! A record's own item, its phone-index copies and (when they fit) its search postings are
//! written in one transaction, so a record is never found by phone in a state it never had.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::objects::{FieldType, ObjectDef};
use super::settings::{Settings, SettingsService};
use crate::error::DomainError;
use crate::ids::{ObjectName, OperatorId, RecordId};
use crate::phone::{ContactNumber, PhoneNumber};
use crate::store::table::{
    PHONE_RECORDS_PREFIX, account_pk, contact_pk, phone_pk, phone_record_sk, posting_pk, record_key, related_sk,
    stored_phone_pk,
};
use crate::store::{Cond, Cursor, Index, Item, Key, MAX_TX_OPS, Query, Store, StoreError, TxOp, attr};
use crate::text::{bigrams, normalize, selectivity};

/// How often postings that did not fit a record's transaction are tried.
const POSTING_ATTEMPTS: u32 = 4;

/// The record's attribute naming the search postings written for it (see [`plan`]).
const SEARCH_SIG: &str = "search_sig";

/// A record as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Record {
    #[schema(value_type = String)]
    pub object: ObjectName,
    #[schema(value_type = String)]
    pub id: RecordId,
    pub version: u64,
    #[schema(schema_with = super::objects::field_values_schema)]
    pub fields: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub account_id: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub contact_id: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_sid: Option<String>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Phone fields in the national form an operator reads (`03-1234-5678`).
    #[serde(default)]
    #[schema(required)]
    pub display: BTreeMap<String, String>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
}

/// What a client sends to create a record.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    #[schema(schema_with = super::objects::field_values_schema)]
    pub fields: Map<String, Value>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub account_id: Option<RecordId>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub contact_id: Option<RecordId>,
    #[serde(default)]
    pub call_sid: Option<String>,
}

/// What a client sends to change a record: the version it read, and the fields to change
/// (`null` clears a field; fields left out stay as they are).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordPatch {
    pub version: u64,
    #[serde(default)]
    #[schema(schema_with = super::objects::field_values_schema)]
    pub fields: Map<String, Value>,
    /// `Some(None)` unlinks the account.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub account_id: Option<Option<RecordId>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_id: Option<Option<RecordId>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// A special-notes (特記事項) entry of a popped-up record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Note {
    pub field: String,
    pub label: String,
    pub value: String,
}

/// A record matched by a phone lookup.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Match {
    pub record: Record,
    pub special_notes: Vec<Note>,
    /// `phone` when the record has the number, `contact` when one of its contacts has it.
    pub matched_by: &'static str,
}

/// The screen pop: everything filed under a phone number.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Lookup {
    /// E.164, with `;ext=N` when the number was written with an extension.
    pub phone: String,
    /// As an operator reads it (`03-1234-5678`, `03-1234-5678 内線 123`).
    pub display: String,
    pub accounts: Vec<Match>,
    pub contacts: Vec<Match>,
    /// Records of other objects with the number in a phone field.
    pub others: Vec<Record>,
}

/// One search hit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub object: String,
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The field the query matched best.
    pub matched_field: String,
    pub score: u32,
    /// The record's first phone number (E.164, as stored), for click-to-dial from the hit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// That number as an operator reads it (`03-1234-5678`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_display: Option<String>,
}

/// A page of results.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// Pass back as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// How much of a long-text field is indexed for search.
pub const LONG_TEXT_INDEXED_CHARS: usize = 200;
/// Posting items read at most per search request (the rest is reached through the cursor).
const SEARCH_SCAN_PAGES: usize = 3;
const SEARCH_PAGE_ITEMS: u32 = 300;

/// The CRM service.
pub struct Crm {
    store: Arc<dyn Store>,
    settings: Arc<SettingsService>,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn not_found(object: &ObjectName, id: &RecordId) -> DomainError {
    DomainError::NotFound(format!("there is no {object} record {id}"))
}

/// What a record contributes to the indexes.
struct Indexed {
    phones: BTreeSet<PhoneNumber>,
    tokens: BTreeSet<String>,
    /// Normalised text of each searchable field (what postings verify a query against).
    texts: Map<String, Value>,
    /// The first phone number of the record, stored and as read, which its hits carry.
    dial: Option<(String, String)>,
    signature: String,
}

fn indexed(
    def: &ObjectDef,
    settings: &Settings,
    fields: &Map<String, Value>,
    title: &str,
    subtitle: &Option<String>,
    account: &Option<RecordId>,
) -> Indexed {
    let phones = def
        .phone_fields()
        .filter_map(|f| fields.get(f.name.as_str()).and_then(Value::as_str))
        .filter_map(|s| PhoneNumber::parse(s).ok())
        .collect();
    let mut tokens = BTreeSet::new();
    let mut texts = Map::new();
    if let Some(search) = settings.search_of(def.name.as_str()) {
        for f in &search.fields {
            let Some(fd) = def.field(f.as_str()) else {
                continue;
            };
            let raw = match (fields.get(f.as_str()), &fd.kind) {
                (Some(Value::String(s)), FieldType::LongText) => s.chars().take(LONG_TEXT_INDEXED_CHARS).collect(),
                (Some(Value::String(s)), FieldType::Phone) => {
                    // Index the national form's digits too, so 0312345678 finds +81312345678.
                    ContactNumber::parse(s)
                        .map(|p| p.display())
                        .unwrap_or_else(|_| s.clone())
                }
                (Some(Value::String(s)), _) => s.clone(),
                _ => continue,
            };
            let n = normalize(&raw);
            if n.is_empty() {
                continue;
            }
            tokens.extend(bigrams(&n));
            texts.insert(f.to_string(), Value::String(n));
        }
    }
    let dial = def.phone_fields().find_map(|f| {
        let s = fields.get(f.name.as_str())?.as_str()?;
        Some((s.to_owned(), ContactNumber::parse(s).ok()?.display()))
    });
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(&json!([texts, title, subtitle, account, dial])).unwrap_or_default());
    Indexed {
        phones,
        tokens,
        texts,
        dial,
        signature: format!("{:x}", h.finalize()),
    }
}

fn record_from_item(item: &Item) -> Result<Record, DomainError> {
    let mut v = Value::Object(item.clone());
    if let Some(m) = v.as_object_mut() {
        for k in [
            attr::PK,
            attr::SK,
            attr::GSI1PK,
            attr::GSI1SK,
            attr::GSI2PK,
            attr::GSI2SK,
            "phones",
            "tokens",
            "search_sig",
        ] {
            m.remove(k);
        }
    }
    serde_json::from_value(v).map_err(|e| DomainError::Unavailable(format!("stored record is unreadable: {e}").into()))
}

fn display_phones(def: &ObjectDef, fields: &Map<String, Value>) -> BTreeMap<String, String> {
    def.phone_fields()
        .filter_map(|f| {
            let s = fields.get(f.name.as_str())?.as_str()?;
            Some((f.name.to_string(), ContactNumber::parse(s).ok()?.display()))
        })
        .collect()
}

impl Crm {
    pub fn new(store: Arc<dyn Store>, settings: Arc<SettingsService>) -> Self {
        Self { store, settings }
    }

    /// Reads a record.
    pub async fn get(&self, object: &ObjectName, id: &RecordId) -> Result<Record, DomainError> {
        let settings = self.settings.get().await?;
        settings.object(object.as_str())?;
        let item = self
            .store
            .get(&record_key(object, id))
            .await?
            .ok_or_else(|| not_found(object, id))?;
        if let Err(e) = self.repair_postings(&settings, &item).await {
            tracing::warn!(error = %e, "could not write a record's missing search postings");
        }
        record_from_item(&item)
    }

    /// Creates a record.
    pub async fn create(&self, object: &ObjectName, input: NewRecord, by: &OperatorId) -> Result<Record, DomainError> {
        let settings = self.settings.get().await?;
        let def = settings.object(object.as_str())?;
        let record = new_record(def, input, by)?;
        self.write(&settings, def, &record, None, None).await?;
        Ok(record)
    }

    /// Creates many new records at once (imports, demo and benchmark data). Each record is
    /// checked exactly as [`Crm::create`] checks it and gets the same index items, written in
    /// large batches instead of one transaction per record: meant for records nobody can be
    /// editing yet. Nothing is written when any record is invalid; the error names the row.
    pub async fn import(
        &self,
        object: &ObjectName,
        inputs: Vec<NewRecord>,
        by: &OperatorId,
    ) -> Result<Vec<RecordId>, DomainError> {
        let settings = self.settings.get().await?;
        let def = settings.object(object.as_str())?;
        let mut items = Vec::new();
        let mut ids = Vec::with_capacity(inputs.len());
        for (row, input) in inputs.into_iter().enumerate() {
            let record = new_record(def, input, by).map_err(|e| match e {
                DomainError::Invalid { code, field, message } => DomainError::Invalid {
                    code,
                    field,
                    message: format!("row {}: {message}", row + 1),
                },
                other => other,
            })?;
            let p = plan(&settings, def, &record, None)?;
            items.push(p.item);
            items.extend(p.phone_puts);
            items.extend(p.posting_puts);
            ids.push(record.id);
        }
        self.store.batch_write(items, vec![]).await?;
        Ok(ids)
    }

    /// Applies a patch if `patch.version` is the current version; otherwise 409 with the
    /// current record, and nothing changes.
    pub async fn update(
        &self,
        object: &ObjectName,
        id: &RecordId,
        patch: RecordPatch,
        by: &OperatorId,
    ) -> Result<Record, DomainError> {
        let settings = self.settings.get().await?;
        let def = settings.object(object.as_str())?;
        let changes = def.check_patch(&patch.fields)?;
        let item = self
            .store
            .get(&record_key(object, id))
            .await?
            .ok_or_else(|| not_found(object, id))?;
        let current = record_from_item(&item)?;
        if current.version != patch.version {
            return Err(stale(&current));
        }
        let mut next = current.clone();
        for (k, v) in changes {
            if v.is_null() {
                next.fields.remove(&k);
            } else {
                next.fields.insert(k, v);
            }
        }
        def.check_required(&next.fields)?;
        if let Some(a) = patch.account_id {
            next.account_id = a;
        }
        if let Some(c) = patch.contact_id {
            next.contact_id = c;
        }
        check_links(object, &next.account_id, &next.contact_id)?;
        next.version += 1;
        next.title = def.title_of(&next.fields);
        next.subtitle = def.subtitle_of(&next.fields);
        next.display = display_phones(def, &next.fields);
        next.updated_at = now();
        next.updated_by = Some(by.to_string());
        match self
            .write(&settings, def, &next, Some(&item), Some(patch.version))
            .await
        {
            Err(DomainError::Conflict { .. }) => {
                let latest = self.get(object, id).await?;
                Err(stale(&latest))
            }
            other => other.map(|_| next),
        }
    }

    /// Deletes a record (with its index entries). An account that still has related records
    /// is kept, with a 409 saying so.
    pub async fn delete(&self, object: &ObjectName, id: &RecordId, version: u64) -> Result<(), DomainError> {
        let settings = self.settings.get().await?;
        settings.object(object.as_str())?;
        let key = record_key(object, id);
        let item = self.store.get(&key).await?.ok_or_else(|| not_found(object, id))?;
        let current = record_from_item(&item)?;
        if current.version != version {
            return Err(stale(&current));
        }
        if object.as_str() == "account" {
            let related = self
                .store
                .query(Query::partition(account_pk(id)).on(Index::Gsi1).limit(1))
                .await?;
            if !related.items.is_empty() {
                return Err(DomainError::conflict(
                    "has_related_records",
                    "this account still has contacts or records; delete or move them first",
                    None,
                ));
            }
        }
        let mut ops = vec![TxOp::Delete {
            key,
            cond: Some(Cond::version(version)),
        }];
        for p in stored_list(&item, "phones") {
            ops.push(TxOp::Delete {
                key: Key::new(stored_phone_pk(&p), phone_record_sk(object, id)),
                cond: None,
            });
        }
        let postings: Vec<Key> = stored_list(&item, "tokens")
            .map(|t| Key::new(posting_pk(object, &t), id.as_str()))
            .collect();
        let (inline, spill) = split_for_tx(ops.len(), postings);
        ops.extend(inline.into_iter().map(|key| TxOp::Delete { key, cond: None }));
        self.store.transact(ops).await.map_err(|e| conflict_or(e, &current))?;
        if !spill.is_empty() {
            self.postings_with_retries(vec![], spill).await?;
        }
        Ok(())
    }

    /// Writes search postings that did not fit the record's transaction, trying again on a
    /// failure ([`POSTING_ATTEMPTS`] tries, 50 ms then doubling): putting or deleting a posting
    /// twice leaves the same item, so a retry never harms.
    async fn postings_with_retries(&self, puts: Vec<Item>, deletes: Vec<Key>) -> Result<(), StoreError> {
        let mut attempt = 0;
        loop {
            match self.store.batch_write(puts.clone(), deletes.clone()).await {
                Ok(()) => return Ok(()),
                Err(e) if attempt + 1 >= POSTING_ATTEMPTS || !matches!(e, StoreError::Unavailable(_)) => return Err(e),
                Err(e) => {
                    tracing::warn!(error = %e, attempt, "search postings not written; trying again");
                    tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
                    attempt += 1;
                }
            }
        }
    }

    /// The postings of a large record, written after its transaction: once they are all
    /// written the record is marked with their signature (`search_sig`, only if no later save
    /// changed it meanwhile). Until then the record carries none, so a record whose postings
    /// could not be written is never taken as indexed: its next save writes them all again,
    /// and so does its next read ([`Crm::get`]).
    async fn spilled_postings(&self, record: &Record, signature: &str, puts: Vec<Item>, deletes: Vec<Key>) {
        if let Err(e) = self.postings_with_retries(puts, deletes).await {
            tracing::error!(error = %e, object = %record.object, id = %record.id,
                "search postings not written: written again on the record's next read or save");
            return;
        }
        let indexed = crate::store::Update::default().set(SEARCH_SIG, signature);
        let same_version = Cond::version(record.version);
        let key = record_key(&record.object, &record.id);
        if let Err(e) = crate::store::done_unless_failed(self.store.update(&key, indexed, Some(same_version)).await) {
            tracing::warn!(error = %e, object = %record.object, id = %record.id,
                "search postings written, not yet marked: written again on the next read or save");
        }
    }

    /// A record read whose postings were left unwritten (see [`Crm::spilled_postings`]) has
    /// them written now.
    async fn repair_postings(&self, settings: &Settings, item: &Item) -> Result<(), DomainError> {
        if item.contains_key(SEARCH_SIG) {
            return Ok(());
        }
        let record = record_from_item(item)?;
        let def = settings.object(record.object.as_str())?;
        let Plan {
            item: planned,
            posting_puts,
            ..
        } = plan(settings, def, &record, None)?;
        let signature = planned
            .get(SEARCH_SIG)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        tracing::warn!(object = %record.object, id = %record.id, "writing a record's missing search postings");
        self.spilled_postings(&record, &signature, posting_puts, vec![]).await;
        Ok(())
    }

    async fn write(
        &self,
        settings: &Settings,
        def: &ObjectDef,
        record: &Record,
        old: Option<&Item>,
        expected: Option<u64>,
    ) -> Result<(), DomainError> {
        let Plan {
            mut item,
            phone_puts,
            phone_deletes,
            posting_puts,
            posting_deletes,
        } = plan(settings, def, record, old)?;
        let signature = item
            .get(SEARCH_SIG)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let room = MAX_TX_OPS.saturating_sub(1 + phone_puts.len() + phone_deletes.len());
        let spilled = posting_puts.len() + posting_deletes.len() > room;
        if spilled {
            // Marked only once the postings after the transaction are all written.
            item.remove(SEARCH_SIG);
        }
        let cond = match expected {
            None => Cond::NotExists,
            Some(v) => Cond::version(v),
        };
        let mut ops = vec![TxOp::Put { item, cond: Some(cond) }];
        ops.extend(phone_puts.into_iter().map(|item| TxOp::Put { item, cond: None }));
        ops.extend(phone_deletes.into_iter().map(|key| TxOp::Delete { key, cond: None }));
        let mut spill_puts = Vec::new();
        let mut spill_deletes = Vec::new();
        if spilled {
            spill_puts = posting_puts;
            spill_deletes = posting_deletes;
        } else {
            ops.extend(posting_deletes.into_iter().map(|key| TxOp::Delete { key, cond: None }));
            ops.extend(posting_puts.into_iter().map(|item| TxOp::Put { item, cond: None }));
        }
        self.store.transact(ops).await.map_err(|e| match e {
            StoreError::ConditionFailed { index: Some(0) } | StoreError::ConditionFailed { index: None } => {
                DomainError::conflict("stale_version", "the record was changed by someone else", None)
            }
            other => other.into(),
        })?;
        if spilled {
            // Large records: postings follow the record, which is already safe.
            self.spilled_postings(record, &signature, spill_puts, spill_deletes)
                .await;
        }
        Ok(())
    }

    /// [`Crm::lookup`] of a number as the operator wrote it: the records are the line's, and the
    /// extension written with it stays in what is shown and dialled (`phone`, `display`).
    pub async fn lookup_contact(&self, contact: &ContactNumber) -> Result<Lookup, DomainError> {
        let mut found = self.lookup(contact.number()).await?;
        if contact.extension().is_some() {
            found.phone = contact.to_string();
            found.display = contact.display();
        }
        Ok(found)
    }

    /// Everything filed under a phone number: accounts and contacts with their special notes,
    /// and the accounts of matched contacts. One query on the phone partition, one batch read
    /// for contacts' accounts when needed, and the (cached) settings.
    pub async fn lookup(&self, phone: &PhoneNumber) -> Result<Lookup, DomainError> {
        let settings = self.settings.get().await?;
        let page = self
            .store
            // A record saved in the last second may be missed by a screen pop: half the read units.
            .query(
                Query::partition(phone_pk(phone))
                    .begins_with(PHONE_RECORDS_PREFIX)
                    .limit(200)
                    .eventually_consistent(),
            )
            .await?;
        let mut accounts = Vec::new();
        let mut contacts = Vec::new();
        let mut others = Vec::new();
        for item in &page.items {
            let r = record_from_item(item)?;
            match r.object.as_str() {
                "account" => accounts.push(r),
                "contact" => contacts.push(r),
                _ => others.push(r),
            }
        }
        let missing: Vec<Key> = contacts
            .iter()
            .filter_map(|c| c.account_id.clone())
            .filter(|a| !accounts.iter().any(|x| &x.id == a))
            .map(|a| record_key(&ObjectName::parse("account").expect("built-in"), &a))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .take(100)
            .collect();
        let via_contact = if missing.is_empty() {
            vec![]
        } else {
            self.store.get_many(&missing).await?
        };
        let notes = |r: &Record| special_notes(&settings, r);
        let mut account_matches: Vec<Match> = accounts
            .iter()
            .map(|r| Match {
                special_notes: notes(r),
                record: r.clone(),
                matched_by: "phone",
            })
            .collect();
        for item in &via_contact {
            let r = record_from_item(item)?;
            account_matches.push(Match {
                special_notes: notes(&r),
                record: r,
                matched_by: "contact",
            });
        }
        others.sort_by(|a, b| b.id.cmp(&a.id));
        Ok(Lookup {
            phone: phone.as_str().to_owned(),
            display: phone.display(),
            accounts: account_matches,
            contacts: contacts
                .iter()
                .map(|r| Match {
                    special_notes: notes(r),
                    record: r.clone(),
                    matched_by: "phone",
                })
                .collect(),
            others,
        })
    }

    /// Searches one object's configured fields. Reads the posting list of the query's most
    /// selective bigram (newest records first), checks each candidate's normalised text for
    /// the whole query, and ranks: whole-field match, then prefix, then substring; earlier
    /// configured fields weigh more. At most three posting pages per request; the cursor
    /// continues from there.
    pub async fn search(
        &self,
        object: &ObjectName,
        q: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Paged<Hit>, DomainError> {
        let settings = self.settings.get().await?;
        settings.object(object.as_str())?;
        let search = settings.search_of(object.as_str()).ok_or_else(|| {
            DomainError::invalid_field(
                "not_searchable",
                "object",
                format!("{object} is not set up for data search"),
            )
        })?;
        let needle = normalize(q);
        if needle.chars().count() < 2 {
            return Err(DomainError::invalid_field(
                "query_too_short",
                "q",
                "type at least 2 characters to search",
            ));
        }
        if needle.chars().count() > 100 {
            return Err(DomainError::invalid_field(
                "query_too_long",
                "q",
                "search with at most 100 characters",
            ));
        }
        let token = bigrams(&needle)
            .into_iter()
            .enumerate()
            .max_by_key(|(i, t)| (selectivity(t), std::cmp::Reverse(*i)))
            .map(|(_, t)| t)
            .unwrap_or_default();
        let mut next = match cursor {
            Some(c) => Some(
                Cursor::decode(c)
                    .filter(|c| c.fits(&Query::partition(posting_pk(object, &token)).descending()))
                    .ok_or_else(|| {
                        DomainError::invalid_field(
                            "bad_cursor",
                            "cursor",
                            "the cursor is not valid; start the search again",
                        )
                    })?,
            ),
            None => None,
        };
        let field_order: Vec<String> = search.fields.iter().map(|f| f.to_string()).collect();
        let limit = limit.clamp(1, 100);
        let mut hits = Vec::new();
        for _ in 0..SEARCH_SCAN_PAGES {
            let page = self
                .store
                .query(
                    Query::partition(posting_pk(object, &token))
                        .descending()
                        .limit(SEARCH_PAGE_ITEMS)
                        .after(next.take())
                        .eventually_consistent(),
                )
                .await?;
            for p in &page.items {
                if let Some(hit) = score(object, p, &needle, &field_order) {
                    hits.push(hit);
                }
            }
            next = page.cursor;
            if next.is_none() || hits.len() >= limit {
                break;
            }
        }
        hits.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| b.id.cmp(&a.id)));
        hits.truncate(limit);
        Ok(Paged {
            items: hits,
            cursor: next.map(|c| c.encode()),
        })
    }
}

/// The items one record's write puts and deletes: the record, its phone-index copies, and its
/// search postings (rewritten only when what they carry changed since `old`).
struct Plan {
    item: Item,
    phone_puts: Vec<Item>,
    phone_deletes: Vec<Key>,
    posting_puts: Vec<Item>,
    posting_deletes: Vec<Key>,
}

fn plan(settings: &Settings, def: &ObjectDef, record: &Record, old: Option<&Item>) -> Result<Plan, DomainError> {
    let ix = indexed(
        def,
        settings,
        &record.fields,
        &record.title,
        &record.subtitle,
        &record.account_id,
    );
    let mut item = match serde_json::to_value(record) {
        Ok(Value::Object(m)) => m,
        _ => {
            return Err(DomainError::invalid(
                "invalid_record",
                "the record could not be encoded",
            ));
        }
    };
    let key = record_key(&record.object, &record.id);
    item.insert(attr::PK.into(), key.pk.clone().into());
    item.insert(attr::SK.into(), key.sk.clone().into());
    let rel = related_sk(&record.object, &record.id);
    if let Some(a) = &record.account_id {
        item.insert(attr::GSI1PK.into(), account_pk(a).into());
        item.insert(attr::GSI1SK.into(), rel.clone().into());
    }
    if let Some(c) = &record.contact_id {
        item.insert(attr::GSI2PK.into(), contact_pk(c).into());
        item.insert(attr::GSI2SK.into(), rel.into());
    }
    item.insert(
        "phones".into(),
        json!(ix.phones.iter().map(|p| p.as_str()).collect::<Vec<_>>()),
    );
    item.insert("tokens".into(), json!(ix.tokens));
    item.insert("search_sig".into(), ix.signature.clone().into());

    let mut phone_puts = Vec::new();
    let mut phone_deletes = Vec::new();
    // Phone-index copies: a full projection, so the screen pop is one query.
    let sk = phone_record_sk(&record.object, &record.id);
    for p in &ix.phones {
        let mut copy = item.clone();
        for k in [
            attr::GSI1PK,
            attr::GSI1SK,
            attr::GSI2PK,
            attr::GSI2SK,
            "tokens",
            "search_sig",
        ] {
            copy.remove(k);
        }
        copy.insert(attr::PK.into(), phone_pk(p).into());
        copy.insert(attr::SK.into(), sk.clone().into());
        phone_puts.push(copy);
    }
    let old_phones: BTreeSet<String> = old.map(|o| stored_list(o, "phones").collect()).unwrap_or_default();
    for gone in old_phones
        .iter()
        .filter(|p| !ix.phones.iter().any(|n| n.as_str() == p.as_str()))
    {
        phone_deletes.push(Key::new(stored_phone_pk(gone), sk.clone()));
    }
    // Search postings: rewritten only when what they carry changed.
    let old_sig = old.and_then(|o| o.get("search_sig")).and_then(Value::as_str);
    let mut posting_puts = Vec::new();
    let mut posting_deletes = Vec::new();
    if old_sig != Some(ix.signature.as_str()) {
        let old_tokens: BTreeSet<String> = old.map(|o| stored_list(o, "tokens").collect()).unwrap_or_default();
        for t in old_tokens.difference(&ix.tokens) {
            posting_deletes.push(Key::new(posting_pk(&record.object, t), record.id.as_str()));
        }
        for t in &ix.tokens {
            let mut p = Item::new();
            p.insert(attr::PK.into(), posting_pk(&record.object, t).into());
            p.insert(attr::SK.into(), record.id.as_str().into());
            p.insert("t".into(), Value::Object(ix.texts.clone()));
            p.insert("title".into(), record.title.clone().into());
            if let Some(s) = &record.subtitle {
                p.insert("subtitle".into(), s.clone().into());
            }
            if let Some(a) = &record.account_id {
                p.insert("account_id".into(), a.as_str().into());
            }
            if let Some((phone, display)) = &ix.dial {
                p.insert("phone".into(), phone.as_str().into());
                p.insert("phone_display".into(), display.as_str().into());
            }
            posting_puts.push(p);
        }
    }
    Ok(Plan {
        item,
        phone_puts,
        phone_deletes,
        posting_puts,
        posting_deletes,
    })
}

/// A new record from what a client sent, checked against its object's definition.
fn new_record(def: &ObjectDef, input: NewRecord, by: &OperatorId) -> Result<Record, DomainError> {
    let mut fields = def.check_patch(&input.fields)?;
    fields.retain(|_, v| !v.is_null());
    def.check_required(&fields)?;
    check_links(&def.name, &input.account_id, &input.contact_id)?;
    let at = now();
    Ok(Record {
        object: def.name.clone(),
        id: RecordId::new(),
        version: 1,
        title: def.title_of(&fields),
        subtitle: def.subtitle_of(&fields),
        display: display_phones(def, &fields),
        fields,
        account_id: input.account_id,
        contact_id: input.contact_id,
        call_sid: input.call_sid,
        created_at: at.clone(),
        updated_at: at,
        created_by: Some(by.to_string()),
        updated_by: Some(by.to_string()),
    })
}

fn score(object: &ObjectName, posting: &Item, needle: &str, fields: &[String]) -> Option<Hit> {
    let texts = posting.get("t")?.as_object()?;
    let mut best: Option<(u32, &str)> = None;
    for (rank, f) in fields.iter().enumerate() {
        let Some(text) = texts.get(f).and_then(Value::as_str) else {
            continue;
        };
        let kind = if text == needle {
            3
        } else if text.starts_with(needle) {
            2
        } else if text.contains(needle) {
            1
        } else {
            continue;
        };
        let s = kind * 100 + (fields.len() - rank) as u32;
        if best.is_none_or(|(b, _)| s > b) {
            best = Some((s, f));
        }
    }
    let (score, field) = best?;
    Some(Hit {
        object: object.to_string(),
        id: posting.get(attr::SK)?.as_str()?.to_owned(),
        title: posting
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        subtitle: posting.get("subtitle").and_then(Value::as_str).map(str::to_owned),
        account_id: posting.get("account_id").and_then(Value::as_str).map(str::to_owned),
        matched_field: field.to_owned(),
        score,
        phone: posting.get("phone").and_then(Value::as_str).map(str::to_owned),
        phone_display: posting.get("phone_display").and_then(Value::as_str).map(str::to_owned),
    })
}

fn special_notes(settings: &Settings, r: &Record) -> Vec<Note> {
    let Ok(def) = settings.object(r.object.as_str()) else {
        return vec![];
    };
    settings
        .special_notes
        .iter()
        .filter(|n| n.object == r.object)
        .filter_map(|n| {
            let fd = def.field(n.field.as_str())?;
            let value = match (r.fields.get(n.field.as_str())?, &fd.kind) {
                (Value::String(s), FieldType::Select { options }) => options
                    .iter()
                    .find(|o| &o.value == s)
                    .map(|o| o.label.clone())
                    .unwrap_or_else(|| s.clone()),
                (Value::String(s), FieldType::Phone) => ContactNumber::parse(s)
                    .map(|p| p.display())
                    .unwrap_or_else(|_| s.clone()),
                (Value::String(s), _) => s.clone(),
                (Value::Bool(b), _) => {
                    if *b {
                        "✓".into()
                    } else {
                        "—".into()
                    }
                }
                (v, _) => v.to_string(),
            };
            Some(Note {
                field: n.field.to_string(),
                label: fd.label.clone(),
                value,
            })
        })
        .collect()
}

fn stored_list<'a>(item: &'a Item, name: &str) -> impl Iterator<Item = String> + 'a {
    item.get(name)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
}

fn split_for_tx(used: usize, keys: Vec<Key>) -> (Vec<Key>, Vec<Key>) {
    let room = MAX_TX_OPS.saturating_sub(used);
    if keys.len() <= room {
        (keys, vec![])
    } else {
        (vec![], keys)
    }
}

fn check_links(object: &ObjectName, account: &Option<RecordId>, contact: &Option<RecordId>) -> Result<(), DomainError> {
    if object.as_str() == "account" && (account.is_some() || contact.is_some()) {
        return Err(DomainError::invalid_field(
            "invalid_link",
            "account_id",
            "an account cannot be linked to another account or contact",
        ));
    }
    if object.as_str() == "contact" && contact.is_some() {
        return Err(DomainError::invalid_field(
            "invalid_link",
            "contact_id",
            "a contact cannot be linked to another contact",
        ));
    }
    Ok(())
}

fn stale(current: &Record) -> DomainError {
    DomainError::conflict(
        "stale_version",
        format!(
            "this record was changed by {} (now version {}); reload it and apply your change again",
            current.updated_by.as_deref().unwrap_or("someone else"),
            current.version
        ),
        serde_json::to_value(current).ok(),
    )
}

fn conflict_or(e: StoreError, current: &Record) -> DomainError {
    if e.is_condition_failed() {
        stale(current)
    } else {
        e.into()
    }
}
