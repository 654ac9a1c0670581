//! The single-table key design. Every item of the console lives in one DynamoDB table keyed
//! `PK`/`SK`, with two sparse global secondary indexes (`GSI1`, `GSI2`, projection ALL) and the
//! TTL attribute `expires_at`. Each access pattern is one Query or GetItem:
//!
//! | item | PK | SK | GSI1PK / GSI1SK | GSI2PK / GSI2SK |
//! |---|---|---|---|---|
//! | settings section | `SETTINGS` | `<section>` | | |
//! | CRM record | `REC#<object>#<id>` | `REC` | `ACC#<account>` / `<object>#<id>` | `CON#<contact>` / `<object>#<id>` |
//! | phone index (copy of the record) | `PHONE#<e164>` | `REC#<object>#<id>` | | |
//! | search posting | `IDX#<object>#<token>` | `<id>` | | |
//! | call | `CALL#<sid>` | `CALL` | `PHONE#<e164>` / `CALL#<started>#<sid>` | `ACC#<account>` / `CALL#<started>#<sid>` |
//! | memo of a call | `CALL#<sid>` | `MEMO` | | |
//! | operator | `OP#<id>` | `OP` | `OPS` / `<id>` | |
//!
//! Access patterns: phone → accounts and contacts (`PHONE#` partition, `REC#` prefix) and the
//! calls of that number (GSI1 `PHONE#`); account → its records (GSI1 `ACC#`, prefix per object)
//! and calls (GSI2 `ACC#`); contact → its records (GSI2 `CON#`); settings → one partition;
//! search → the posting partition of one token. Later items (call lists, queue, handoffs)
//! follow the same pattern and are documented where they are defined.

use super::Key;
use crate::ids::{ObjectName, RecordId};
use crate::phone::PhoneNumber;

/// The partition of all settings sections.
pub const SETTINGS_PK: &str = "SETTINGS";

/// Sort key of a record's own item.
pub const RECORD_SK: &str = "REC";

/// The key of a CRM record.
pub fn record_key(object: &ObjectName, id: &RecordId) -> Key {
    Key::new(format!("REC#{object}#{id}"), RECORD_SK)
}

/// The partition of everything filed under a phone number.
pub fn phone_pk(phone: &PhoneNumber) -> String {
    format!("PHONE#{}", phone.as_str())
}

/// The sort key of a record inside a phone partition.
pub fn phone_record_sk(object: &ObjectName, id: &RecordId) -> String {
    format!("REC#{object}#{id}")
}

/// The partition of an account's related items (on GSI1 for records, GSI2 for calls).
pub fn account_pk(account: &RecordId) -> String {
    format!("ACC#{account}")
}

/// The partition of a contact's related records (GSI2).
pub fn contact_pk(contact: &RecordId) -> String {
    format!("CON#{contact}")
}

/// The sort key of a related record on GSI1/GSI2: grouped by object, newest last.
pub fn related_sk(object: &ObjectName, id: &RecordId) -> String {
    format!("{object}#{id}")
}

/// The partition of one search token of one object.
pub fn posting_pk(object: &ObjectName, token: &str) -> String {
    format!("IDX#{object}#{token}")
}
