//! The audit log: actions one user takes on another's work that must be answerable later (a
//! supervisor releasing an operator stuck on a call). One item per action in its day's
//! partition (Japan time, `AUDIT#<yyyy-mm-dd>`, see [`crate::store::table`]), sorted by time,
//! written once and never changed.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::DomainError;
use crate::store::table::audit_key;
use crate::store::{Cond, Item, Query, Store, attr};

/// One audited action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// What was done (`release_operator`).
    pub action: String,
    /// Who did it, and their name as they were signed in.
    pub by: String,
    pub by_name: String,
    /// To whom (the operator released).
    pub subject: String,
    /// The call it was about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// What came of it (`released`, `already_free`, `refused_live`).
    pub outcome: String,
    /// What was found (Twilio's status of the call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// The Japan day of an RFC 3339 instant.
fn day_of(at: &str) -> String {
    let jst = FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset");
    DateTime::parse_from_rfc3339(at)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now())
        .with_timezone(&jst)
        .format("%Y-%m-%d")
        .to_string()
}

/// Writes an audit entry (never overwriting another).
pub async fn record(store: &dyn Store, entry: &AuditEntry) -> Result<(), DomainError> {
    let id = crate::ids::RecordId::new().to_string();
    let key = audit_key(&day_of(&entry.at), &entry.at, &id);
    let mut item: Item = match serde_json::to_value(entry) {
        Ok(Value::Object(m)) => m,
        _ => Item::new(),
    };
    item.insert(attr::PK.into(), key.pk.into());
    item.insert(attr::SK.into(), key.sk.into());
    store.put(item, Some(Cond::NotExists)).await?;
    Ok(())
}

/// A day's audit entries (Japan time, `yyyy-mm-dd`), oldest first, at most `limit`.
pub async fn day(store: &dyn Store, day: &str, limit: u32) -> Result<Vec<AuditEntry>, DomainError> {
    let pk = audit_key(day, "", "").pk;
    let page = store.query(Query::partition(pk).limit(limit)).await?;
    Ok(page
        .items
        .into_iter()
        .filter_map(|i| serde_json::from_value(Value::Object(i)).ok())
        .collect())
}
