//! Import: reading the rows of a CSV file in chunks, checking each row, linking its number to
//! the CRM and writing the rows that pass as targets, so that a chunk sent twice writes nothing twice.

use super::{
    ATTEMPTS, CallLists, ExtraValue, Target, TargetId, TargetState, counter_op, list_alive, list_not_found, now, strip,
    target_item, text, to_item, transact, unreadable,
};
use crate::domain::crm::Lookup;
use crate::error::DomainError;
use crate::ids::{OperatorId, RecordId};
use crate::phone::{ContactNumber, PhoneNumber};
use crate::store::table::{
    CALL_LIST_COUNTER_SHARDS, call_list_chunk_sk, call_list_import_sk, call_list_pk, call_list_target_sk,
};
use crate::store::{Cond, Key, MAX_TX_OPS, Query, SortKey, StoreError, TxOp, Update};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// The most rows one import chunk may carry (the page sends about 2,000).
pub const MAX_CHUNK_ROWS: usize = 5_000;

/// The highest line number of an imported file (target ids hold seven digits of it).
pub const MAX_LINE: u64 = 9_999_999;

/// The most columns an imported file may have.
pub const MAX_COLUMNS: usize = 100;

/// The most failed rows a chunk's report lists one by one (all are counted).
pub const MAX_LISTED_FAILURES: usize = 500;

pub(super) const CELL_MAX_CHARS: usize = 200;

pub(super) const NOTES_MAX_CHARS: usize = 2_000;

pub(super) const EXTRA_MAX_CHARS: usize = 500;

pub(super) const MAX_EXTRA_COLUMNS: usize = 20;

/// Phone lookups in flight at once while a chunk is linked to the CRM.
pub(super) const LOOKUP_CONCURRENCY: usize = 16;

/// Targets per import transaction: the rest of the 100 writes are the list check and a counter.
pub(super) const TARGETS_PER_TX: usize = MAX_TX_OPS - 2;

/// A column of the file, by its header name or its 1-based number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ColumnRef {
    Number(u32),
    Name(String),
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnRef::Number(n) => write!(f, "column {n}"),
            ColumnRef::Name(s) => write!(f, "column '{s}'"),
        }
    }
}

/// Which columns of the file hold what.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    pub phone: ColumnRef,
    #[serde(default)]
    pub name: Option<ColumnRef>,
    /// The account (取引先) name.
    #[serde(default)]
    pub account: Option<ColumnRef>,
    /// The contact (取引先担当者) name.
    #[serde(default)]
    pub contact: Option<ColumnRef>,
    #[serde(default)]
    pub notes: Option<ColumnRef>,
    /// Columns kept on each target as they are.
    #[serde(default)]
    pub extra: Vec<ColumnRef>,
}

/// The mapping as 1-based column numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ResolvedMapping {
    pub phone: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<usize>,
    #[serde(default)]
    #[schema(required)]
    pub extra: Vec<usize>,
}

/// How the bytes of an imported file are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportEncoding {
    /// UTF-8 (with or without a BOM) when the bytes are valid UTF-8, else Shift_JIS.
    #[default]
    Auto,
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "shift_jis")]
    ShiftJis,
}

/// What an admin sends to start importing a file.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewImport {
    /// The names of the file's columns (its header row, as the preview returned it). For a
    /// file without a header, any names, one per column.
    pub columns: Vec<String>,
    pub mapping: ColumnMapping,
    #[serde(default)]
    pub encoding: ImportEncoding,
    #[serde(default)]
    pub file_name: Option<String>,
    /// Rows the page expects to send, for its progress bar.
    #[serde(default)]
    pub total_rows: Option<u64>,
}

/// An import and its progress so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Import {
    #[schema(value_type = String)]
    pub id: RecordId,
    #[schema(value_type = String)]
    pub list_id: RecordId,
    pub columns: Vec<String>,
    pub mapping: ResolvedMapping,
    pub encoding: ImportEncoding,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_rows: Option<u64>,
    /// Rows imported (or found already imported) in the chunks received so far.
    #[serde(default)]
    #[schema(required)]
    pub rows_imported: u64,
    #[serde(default)]
    #[schema(required)]
    pub rows_failed: u64,
    /// Imported rows whose number matched a CRM account or contact.
    #[serde(default)]
    #[schema(required)]
    pub rows_linked: u64,
    #[serde(default)]
    #[schema(required)]
    pub chunks: u64,
    pub created_at: String,
    pub created_by: String,
}

/// A row of an imported file: its line number in the file and its cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsvRow {
    pub line: u64,
    pub cells: Vec<String>,
}

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowFailure {
    /// The line of the file the row starts on.
    pub line: u64,
    /// `wrong_column_count`, `missing_phone`, `invalid_phone`, `too_long` or `bad_encoding`.
    pub code: String,
    /// The column at fault, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub reason: String,
}

/// What became of one chunk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChunkReport {
    #[schema(value_type = String)]
    pub import_id: RecordId,
    pub first_line: u64,
    /// `utf-8`, `utf-8-bom` or `shift_jis`: how the chunk's bytes were read.
    pub encoding: String,
    /// Rows in the chunk (a repeated header row is not counted).
    pub rows: u64,
    /// Rows that are targets now, whether written by this request or an earlier send.
    pub imported: u64,
    /// Imported rows linked to a CRM account or contact.
    pub linked: u64,
    pub failed_count: u64,
    /// The failed rows, at most [`MAX_LISTED_FAILURES`].
    pub failed: Vec<RowFailure>,
    /// This chunk had been received before; nothing was written again.
    #[serde(default)]
    #[schema(required)]
    pub repeated: bool,
}

/// A chunk's report with the import's totals after it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChunkResponse {
    pub chunk: ChunkReport,
    pub import: Import,
}

pub(super) fn import_key(list: &RecordId, import: &RecordId) -> Key {
    Key::new(call_list_pk(list), call_list_import_sk(import))
}

pub(super) fn chunk_key(list: &RecordId, import: &RecordId, first_line: u64) -> Key {
    Key::new(call_list_pk(list), call_list_chunk_sk(import, first_line))
}

/// What a phone number links a target to in the CRM.
#[derive(Debug, Clone, Default)]
pub(super) struct Link {
    account_id: Option<String>,
    account_name: Option<String>,
    contact_id: Option<String>,
    contact_name: Option<String>,
}

pub(super) fn link_of(l: &Lookup) -> Option<Link> {
    if let Some(c) = l.contacts.first() {
        let account = c
            .record
            .account_id
            .as_ref()
            .and_then(|a| l.accounts.iter().find(|m| &m.record.id == a));
        return Some(Link {
            account_id: c.record.account_id.as_ref().map(|a| a.to_string()),
            account_name: account.map(|m| m.record.title.clone()),
            contact_id: Some(c.record.id.to_string()),
            contact_name: Some(c.record.title.clone()),
        });
    }
    l.accounts.first().map(|a| Link {
        account_id: Some(a.record.id.to_string()),
        account_name: Some(a.record.title.clone()),
        ..Link::default()
    })
}

/// A row that passed the checks, before it is linked to the CRM.
pub(super) struct GoodRow {
    line: u64,
    phone: ContactNumber,
    name: Option<String>,
    account: Option<String>,
    contact: Option<String>,
    notes: Option<String>,
    extra: Vec<ExtraValue>,
}

pub(super) fn check_row(import: &Import, row: &CsvRow) -> Result<GoodRow, RowFailure> {
    let fail = |code: &str, column: Option<usize>, reason: String| RowFailure {
        line: row.line,
        code: code.into(),
        column: column.and_then(|c| import.columns.get(c - 1).cloned()),
        reason,
    };
    if row.cells.len() != import.columns.len() {
        return Err(fail(
            "wrong_column_count",
            None,
            format!(
                "line {} has {} columns but the file has {}; check for a missing or extra comma or an unclosed quote",
                row.line,
                row.cells.len(),
                import.columns.len()
            ),
        ));
    }
    if let Some((i, _)) = row.cells.iter().enumerate().find(|(_, c)| c.contains('\u{FFFD}')) {
        return Err(fail(
            "bad_encoding",
            Some(i + 1),
            format!(
                "line {} has characters that could not be read; save the file as CSV in UTF-8 or Shift_JIS",
                row.line
            ),
        ));
    }
    let m = &import.mapping;
    let cell = |c: usize| row.cells[c - 1].trim();
    let raw_phone = cell(m.phone);
    if raw_phone.is_empty() {
        return Err(fail(
            "missing_phone",
            Some(m.phone),
            format!("line {}: the phone number is empty", row.line),
        ));
    }
    let phone = ContactNumber::parse(raw_phone)
        .map_err(|e| fail("invalid_phone", Some(m.phone), format!("line {}: {e}", row.line)))?;
    let opt = |c: Option<usize>, max: usize| -> Result<Option<String>, RowFailure> {
        let Some(c) = c else { return Ok(None) };
        let v = cell(c);
        if v.chars().count() > max {
            return Err(fail(
                "too_long",
                Some(c),
                format!(
                    "line {}: {} holds at most {max} characters",
                    row.line,
                    import.columns[c - 1]
                ),
            ));
        }
        Ok((!v.is_empty()).then(|| v.to_owned()))
    };
    let name = opt(m.name, CELL_MAX_CHARS)?;
    let account = opt(m.account, CELL_MAX_CHARS)?;
    let contact = opt(m.contact, CELL_MAX_CHARS)?;
    let notes = opt(m.notes, NOTES_MAX_CHARS)?;
    let mut extra = Vec::with_capacity(m.extra.len());
    for &c in &m.extra {
        if let Some(value) = opt(Some(c), EXTRA_MAX_CHARS)? {
            extra.push(ExtraValue {
                column: import.columns[c - 1].clone(),
                value,
            });
        }
    }
    Ok(GoodRow {
        line: row.line,
        phone,
        name,
        account,
        contact,
        notes,
        extra,
    })
}

pub(super) fn resolve_mapping(columns: &[String], mapping: &ColumnMapping) -> Result<ResolvedMapping, DomainError> {
    let resolve = |r: &ColumnRef, field: &str| -> Result<usize, DomainError> {
        match r {
            ColumnRef::Number(n) if *n >= 1 && (*n as usize) <= columns.len() => Ok(*n as usize),
            ColumnRef::Number(n) => Err(DomainError::invalid_field(
                "unknown_column",
                format!("mapping.{field}"),
                format!("column {n} does not exist; the file has {} columns", columns.len()),
            )),
            ColumnRef::Name(s) => {
                let hits: Vec<usize> = columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.trim() == s.trim())
                    .map(|(i, _)| i + 1)
                    .collect();
                match hits.as_slice() {
                    [one] => Ok(*one),
                    [] => Err(DomainError::invalid_field(
                        "unknown_column",
                        format!("mapping.{field}"),
                        format!("there is no column '{s}'; the columns are: {}", columns.join(", ")),
                    )),
                    _ => Err(DomainError::invalid_field(
                        "ambiguous_column",
                        format!("mapping.{field}"),
                        format!(
                            "the file has {} columns named '{s}'; refer to it by its number",
                            hits.len()
                        ),
                    )),
                }
            }
        }
    };
    let opt = |r: &Option<ColumnRef>, field: &str| r.as_ref().map(|r| resolve(r, field)).transpose();
    if mapping.extra.len() > MAX_EXTRA_COLUMNS {
        return Err(DomainError::invalid_field(
            "too_many_columns",
            "mapping.extra",
            format!("keep at most {MAX_EXTRA_COLUMNS} extra columns"),
        ));
    }
    let resolved = ResolvedMapping {
        phone: resolve(&mapping.phone, "phone")?,
        name: opt(&mapping.name, "name")?,
        account: opt(&mapping.account, "account")?,
        contact: opt(&mapping.contact, "contact")?,
        notes: opt(&mapping.notes, "notes")?,
        extra: mapping
            .extra
            .iter()
            .map(|r| resolve(r, "extra"))
            .collect::<Result<_, _>>()?,
    };
    let mut seen = BTreeSet::new();
    for c in [
        Some(resolved.phone),
        resolved.name,
        resolved.account,
        resolved.contact,
        resolved.notes,
    ]
    .into_iter()
    .flatten()
    .chain(resolved.extra.iter().copied())
    {
        if !seen.insert(c) {
            return Err(DomainError::invalid_field(
                "column_mapped_twice",
                "mapping",
                format!("the column '{}' is mapped twice; map each column once", columns[c - 1]),
            ));
        }
    }
    Ok(resolved)
}

pub(super) fn chunk_hash(rows: &[CsvRow]) -> String {
    let mut h = Sha256::new();
    for r in rows {
        h.update(r.line.to_be_bytes());
        for c in &r.cells {
            h.update((c.len() as u64).to_be_bytes());
            h.update(c.as_bytes());
        }
    }
    format!("{:x}", h.finalize())
}

impl CallLists {
    /// Starts an import into a list: checks the column mapping against the file's columns.
    pub async fn start_import(
        &self,
        list: &RecordId,
        input: NewImport,
        by: &OperatorId,
    ) -> Result<Import, DomainError> {
        self.live_list(list).await?;
        if input.columns.is_empty() || input.columns.len() > MAX_COLUMNS {
            return Err(DomainError::invalid_field(
                "invalid_columns",
                "columns",
                format!("send the file's column names, 1 to {MAX_COLUMNS} of them"),
            ));
        }
        if let Some(c) = input.columns.iter().find(|c| c.chars().count() > CELL_MAX_CHARS) {
            return Err(DomainError::invalid_field(
                "invalid_columns",
                "columns",
                format!(
                    "the column name '{}…' is longer than {CELL_MAX_CHARS} characters",
                    c.chars().take(20).collect::<String>()
                ),
            ));
        }
        let columns: Vec<String> = input.columns.iter().map(|c| c.trim().to_owned()).collect();
        let mapping = resolve_mapping(&columns, &input.mapping)?;
        let file_name = text(input.file_name.as_deref().unwrap_or_default(), "file_name", 255, false)?;
        let import = Import {
            id: RecordId::new(),
            list_id: list.clone(),
            columns,
            mapping,
            encoding: input.encoding,
            file_name,
            total_rows: input.total_rows,
            rows_imported: 0,
            rows_failed: 0,
            rows_linked: 0,
            chunks: 0,
            created_at: now(),
            created_by: by.to_string(),
        };
        let item = to_item(&import, import_key(list, &import.id), "import")?;
        let ops = vec![
            list_alive(list),
            TxOp::Put {
                item,
                cond: Some(Cond::NotExists),
            },
        ];
        match transact(&*self.store, ops).await {
            Ok(()) => Ok(import),
            Err(StoreError::ConditionFailed { index: Some(0) }) => Err(list_not_found(list)),
            Err(e) => Err(e.into()),
        }
    }

    /// Reads an import and its progress.
    pub async fn get_import(&self, list: &RecordId, import: &RecordId) -> Result<Import, DomainError> {
        let item = self
            .store
            .get(&import_key(list, import))
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("there is no import {import} in call list {list}")))?;
        serde_json::from_value(Value::Object(strip(&item, &[]))).map_err(|e| unreadable("import", e))
    }

    /// Imports one chunk of a file: the rows that pass become targets, linked to the CRM
    /// account or contact their number belongs to; the others are reported with their line
    /// and the reason. Sending the same chunk again writes nothing and returns the same report;
    /// a different chunk under the same `first_line` is refused.
    pub async fn import_chunk(
        &self,
        list: &RecordId,
        import: &RecordId,
        first_line: u64,
        encoding: &str,
        rows: Vec<CsvRow>,
    ) -> Result<ChunkResponse, DomainError> {
        if first_line == 0 || first_line > MAX_LINE {
            return Err(DomainError::invalid_field(
                "invalid_first_line",
                "first_line",
                format!("first_line is the file's line number of the chunk's first row, 1 to {MAX_LINE}"),
            ));
        }
        if rows.len() > MAX_CHUNK_ROWS {
            return Err(DomainError::TooLarge(format!(
                "a chunk holds at most {MAX_CHUNK_ROWS} rows; this one has {}: send smaller chunks",
                rows.len()
            )));
        }
        if let Some(r) = rows.iter().find(|r| r.line > MAX_LINE) {
            return Err(DomainError::invalid_field(
                "file_too_long",
                "first_line",
                format!("line {} is past the last line an import can have ({MAX_LINE})", r.line),
            ));
        }
        self.live_list(list).await?;
        let spec = self.get_import(list, import).await?;
        let hash = chunk_hash(&rows);
        let ckey = chunk_key(list, import, first_line);
        if let Some(done) = self.stored_chunk(&ckey, &hash).await? {
            return Ok(ChunkResponse {
                chunk: done,
                import: self.get_import(list, import).await?,
            });
        }

        let mut failed = Vec::new();
        let mut good = Vec::new();
        let mut count = 0u64;
        let mut lines = BTreeSet::new();
        for row in &rows {
            if row
                .cells
                .iter()
                .map(|c| c.trim())
                .eq(spec.columns.iter().map(String::as_str))
            {
                continue;
            }
            count += 1;
            if !lines.insert(row.line) {
                return Err(DomainError::invalid_field(
                    "duplicate_line",
                    "body",
                    format!("line {} appears twice in the chunk", row.line),
                ));
            }
            match check_row(&spec, row) {
                Ok(g) => good.push(g),
                Err(f) => failed.push(f),
            }
        }

        let links = self.link_all(&good).await?;
        let at = now();
        let targets: Vec<Target> = good
            .into_iter()
            .map(|g| {
                let link = links.get(g.phone.number()).cloned().flatten().unwrap_or_default();
                let account_name = link.account_name.or(g.account);
                let contact_name = link.contact_name.or(g.contact);
                let name = g
                    .name
                    .or_else(|| contact_name.clone())
                    .or_else(|| account_name.clone())
                    .unwrap_or_else(|| g.phone.display());
                Target {
                    id: TargetId::new(import, g.line).into_string(),
                    list_id: list.clone(),
                    import_id: import.clone(),
                    source_line: g.line,
                    state: TargetState::NotCalled,
                    phone_display: g.phone.display(),
                    phone: g.phone.number().as_str().to_owned(),
                    phone_extension: g.phone.extension().map(|e| e.as_str().to_owned()),
                    name,
                    account_name,
                    contact_name,
                    account_id: link.account_id,
                    contact_id: link.contact_id,
                    notes: g.notes,
                    extra: g.extra,
                    callback_at: None,
                    lease: None,
                    attempts: 0,
                    last_result: None,
                    version: 1,
                    created_at: at.clone(),
                    updated_at: at.clone(),
                }
            })
            .collect();
        let linked = targets
            .iter()
            .filter(|t| t.account_id.is_some() || t.contact_id.is_some())
            .count() as u64;
        self.write_targets(list, import, &targets).await?;

        let failed_count = failed.len() as u64;
        failed.truncate(MAX_LISTED_FAILURES);
        let report = ChunkReport {
            import_id: import.clone(),
            first_line,
            encoding: encoding.to_owned(),
            rows: count,
            imported: targets.len() as u64,
            linked,
            failed_count,
            failed,
            repeated: false,
        };
        let mut item = to_item(&report, ckey.clone(), "import chunk")?;
        item.insert("hash".into(), hash.clone().into());
        let ops = vec![
            TxOp::Put {
                item,
                cond: Some(Cond::NotExists),
            },
            TxOp::Update {
                key: import_key(list, import),
                update: Update::default()
                    .add("rows_imported", report.imported as i64)
                    .add("rows_failed", failed_count as i64)
                    .add("rows_linked", linked as i64)
                    .add("chunks", 1),
                cond: Some(Cond::Exists),
            },
        ];
        let chunk = match transact(&*self.store, ops).await {
            Ok(()) => report,
            // The same chunk was sent twice at once and the other request recorded it first.
            Err(StoreError::ConditionFailed { index: Some(0) }) => self
                .stored_chunk(&ckey, &hash)
                .await?
                .ok_or_else(|| DomainError::Unavailable("import chunk vanished".into()))?,
            Err(e) => return Err(e.into()),
        };
        Ok(ChunkResponse {
            chunk,
            import: self.get_import(list, import).await?,
        })
    }

    /// The report of a chunk received before, if any; 409 when its rows differ.
    pub(super) async fn stored_chunk(&self, key: &Key, hash: &str) -> Result<Option<ChunkReport>, DomainError> {
        let Some(item) = self.store.get(key).await? else {
            return Ok(None);
        };
        if item.get("hash").and_then(Value::as_str) != Some(hash) {
            return Err(DomainError::conflict(
                "chunk_differs",
                "a different chunk was already imported starting at this line; \
                 start a new import to import a changed file",
                None,
            ));
        }
        let mut report: ChunkReport = serde_json::from_value(Value::Object(strip(&item, &["hash"])))
            .map_err(|e| unreadable("import chunk", e))?;
        report.repeated = true;
        Ok(Some(report))
    }

    /// Looks every distinct number up in the CRM, a few at a time.
    pub(super) async fn link_all(&self, rows: &[GoodRow]) -> Result<HashMap<PhoneNumber, Option<Link>>, DomainError> {
        let phones: BTreeSet<PhoneNumber> = rows.iter().map(|r| r.phone.number().clone()).collect();
        let crm = &self.crm;
        let mut lookups = futures::stream::iter(phones)
            .map(|p| async move {
                let l = crm.lookup(&p).await?;
                Ok::<_, DomainError>((p, link_of(&l)))
            })
            .buffer_unordered(LOOKUP_CONCURRENCY);
        let mut links = HashMap::new();
        while let Some(r) = lookups.next().await {
            let (p, l) = r?;
            links.insert(p, l);
        }
        Ok(links)
    }

    /// Writes the targets that are not there yet, each batch with its counter increment in one
    /// transaction, so counts match targets even when a chunk is sent twice at once.
    pub(super) async fn write_targets(
        &self,
        list: &RecordId,
        import: &RecordId,
        targets: &[Target],
    ) -> Result<(), DomainError> {
        let (Some(first), Some(last)) = (targets.first(), targets.last()) else {
            return Ok(());
        };
        let mut existing = self
            .existing_targets(list, import, first.source_line, last.source_line)
            .await?;
        for (n, batch) in targets.chunks(TARGETS_PER_TX).enumerate() {
            let mut written = false;
            for _ in 0..ATTEMPTS {
                let fresh: Vec<&Target> = batch.iter().filter(|t| !existing.contains(&t.id)).collect();
                if fresh.is_empty() {
                    written = true;
                    break;
                }
                let mut ops = vec![
                    list_alive(list),
                    counter_op(
                        list,
                        n as u64 % CALL_LIST_COUNTER_SHARDS,
                        &[(TargetState::NotCalled, fresh.len() as i64)],
                        fresh.len() as i64,
                    ),
                ];
                for t in &fresh {
                    ops.push(TxOp::Put {
                        item: target_item(t, None)?,
                        cond: Some(Cond::NotExists),
                    });
                }
                match transact(&*self.store, ops).await {
                    Ok(()) => {
                        existing.extend(fresh.iter().map(|t| t.id.clone()));
                        written = true;
                        break;
                    }
                    Err(StoreError::ConditionFailed { index: Some(0) }) => return Err(list_not_found(list)),
                    // Another request wrote some of these at the same moment: see which.
                    Err(StoreError::ConditionFailed { .. }) => {
                        let (a, b) = (batch[0].source_line, batch[batch.len() - 1].source_line);
                        existing.extend(self.existing_targets(list, import, a, b).await?);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            if !written {
                return Err(DomainError::conflict(
                    "busy",
                    "this chunk is being imported by another request at the same time; send it again",
                    None,
                ));
            }
        }
        Ok(())
    }

    /// The ids of the targets already imported from lines `first..=last` of an import.
    pub(super) async fn existing_targets(
        &self,
        list: &RecordId,
        import: &RecordId,
        first: u64,
        last: u64,
    ) -> Result<BTreeSet<String>, DomainError> {
        let range = SortKey::Between(
            call_list_target_sk(TargetId::new(import, first).as_str()),
            call_list_target_sk(TargetId::new(import, last).as_str()),
        );
        let mut ids = BTreeSet::new();
        let mut cursor = None;
        loop {
            let page = self
                .store
                .query(
                    Query::partition(call_list_pk(list))
                        .sk(range.clone())
                        .limit(1000)
                        .after(cursor),
                )
                .await?;
            ids.extend(
                page.items
                    .iter()
                    .filter_map(|i| i.get("id").and_then(Value::as_str).map(str::to_owned)),
            );
            cursor = page.cursor;
            if cursor.is_none() {
                return Ok(ids);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::call_lists::now;

    fn import(columns: &[&str], mapping: ColumnMapping) -> Result<Import, DomainError> {
        let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        Ok(Import {
            id: RecordId::new(),
            list_id: RecordId::new(),
            mapping: resolve_mapping(&columns, &mapping)?,
            columns,
            encoding: ImportEncoding::Auto,
            file_name: None,
            total_rows: None,
            rows_imported: 0,
            rows_failed: 0,
            rows_linked: 0,
            chunks: 0,
            created_at: now(),
            created_by: "t".into(),
        })
    }

    fn mapping(phone: ColumnRef) -> ColumnMapping {
        ColumnMapping {
            phone,
            name: None,
            account: None,
            contact: None,
            notes: None,
            extra: vec![],
        }
    }

    #[test]
    fn columns_are_mapped_by_name_or_number_and_bad_references_name_the_field() {
        let m = ColumnMapping {
            notes: Some(ColumnRef::Number(3)),
            ..mapping(ColumnRef::Name("電話番号".into()))
        };
        let i = import(&["会社名", "電話番号", "備考"], m).unwrap();
        assert_eq!(i.mapping.phone, 2);
        assert_eq!(i.mapping.notes, Some(3));
        let Err(DomainError::Invalid { field, message, .. }) =
            import(&["a", "b"], mapping(ColumnRef::Name("tel".into())))
        else {
            panic!("accepted an unknown column")
        };
        assert_eq!(field.as_deref(), Some("mapping.phone"));
        assert!(message.contains("a, b"), "{message}");
        assert!(import(&["a", "b"], mapping(ColumnRef::Number(3))).is_err());
        assert!(import(&["tel", "tel"], mapping(ColumnRef::Name("tel".into()))).is_err());
        let twice = ColumnMapping {
            name: Some(ColumnRef::Number(1)),
            ..mapping(ColumnRef::Number(1))
        };
        assert!(import(&["a", "b"], twice).is_err());
    }

    #[test]
    fn rows_fail_with_their_line_and_a_reason() {
        let m = ColumnMapping {
            name: Some(ColumnRef::Number(1)),
            ..mapping(ColumnRef::Number(2))
        };
        let i = import(&["名前", "電話"], m).unwrap();
        let row = |line, cells: &[&str]| CsvRow {
            line,
            cells: cells.iter().map(|c| c.to_string()).collect(),
        };
        let ok = check_row(&i, &row(2, &["山田", "03-1234-5678"])).ok().unwrap();
        assert_eq!(ok.phone.number().as_str(), "+81312345678");
        assert_eq!(ok.name.as_deref(), Some("山田"));
        let codes: Vec<(u64, String)> = [
            row(3, &["山田"]),
            row(4, &["山田", ""]),
            row(5, &["山田", "12"]),
            row(6, &[&"長".repeat(201), "03-1234-5678"]),
            row(7, &["山\u{FFFD}", "03-1234-5678"]),
        ]
        .iter()
        .map(|r| check_row(&i, r).err().map(|f| (f.line, f.code)).unwrap())
        .collect();
        let want = [
            "wrong_column_count",
            "missing_phone",
            "invalid_phone",
            "too_long",
            "bad_encoding",
        ];
        assert_eq!(
            codes,
            (3..=7).zip(want.iter().map(|s| s.to_string())).collect::<Vec<_>>()
        );
    }
}
