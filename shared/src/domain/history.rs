//! Response history (対応履歴): the calls and records linked to a phone number, an account or a
//! contact, newest first, a page at a time, one query per tab.

use std::collections::HashMap;
use std::sync::Arc;

use super::calls::{CallSummary, memo_key};
use super::crm::{Paged, Record};
use super::memos::Memo;
use super::settings::SettingsService;
use crate::error::DomainError;
use crate::ids::{ObjectName, RecordId};
use crate::phone::PhoneNumber;
use crate::store::table::{CALL_PREFIX, account_pk, contact_pk, phone_object_prefix, phone_pk};
use crate::store::{Cursor, Index, Key, Query, Store};

/// Whose history.
#[derive(Debug, Clone)]
pub enum Subject {
    Phone(PhoneNumber),
    Account(RecordId),
    Contact(RecordId),
}

/// The history service.
pub struct History {
    store: Arc<dyn Store>,
    settings: Arc<SettingsService>,
}

fn cursor(c: Option<&str>, query: &Query) -> Result<Option<Cursor>, DomainError> {
    c.map(|s| {
        Cursor::decode(s).filter(|c| c.fits(query)).ok_or_else(|| {
            DomainError::invalid_field("bad_cursor", "cursor", "the cursor is not valid; reload the list")
        })
    })
    .transpose()
}

impl History {
    pub fn new(store: Arc<dyn Store>, settings: Arc<SettingsService>) -> Self {
        Self { store, settings }
    }

    /// Calls of a number or an account, newest first.
    pub async fn calls(
        &self,
        subject: &Subject,
        limit: u32,
        after: Option<&str>,
    ) -> Result<Paged<CallSummary>, DomainError> {
        let q = match subject {
            Subject::Phone(p) => Query::partition(phone_pk(p)).on(Index::Gsi1),
            Subject::Account(a) => Query::partition(account_pk(a)).on(Index::Gsi2),
            Subject::Contact(_) => {
                return Err(DomainError::invalid(
                    "unsupported_subject",
                    "call history is listed by phone number or account; use the contact's phone number",
                ));
            }
        };
        let q = q.begins_with(CALL_PREFIX).descending().limit(limit.clamp(1, 100));
        let after = cursor(after, &q)?;
        let page = self.store.query(q.after(after)).await?;
        let mut items: Vec<CallSummary> = page.items.iter().filter_map(CallSummary::from_item).collect();
        self.with_memos(&mut items).await?;
        Ok(Paged {
            items,
            cursor: page.cursor.map(|c| c.encode()),
        })
    }

    /// Fills in each call's memo and response status as last saved: one batch read of the
    /// page's memos (at most 100 calls a page, so one request), eventually consistent like the
    /// index query that listed the calls: a save of the last second shows at the next refresh.
    async fn with_memos(&self, calls: &mut [CallSummary]) -> Result<(), DomainError> {
        let keys: Vec<Key> = calls.iter().map(|c| memo_key(&c.sid)).collect();
        if keys.is_empty() {
            return Ok(());
        }
        let memos: HashMap<String, Memo> = self
            .store
            .get_many_eventually(&keys)
            .await?
            .iter()
            .filter_map(Memo::from_stored)
            .map(|m| (m.call_sid.clone(), m))
            .collect();
        for call in calls {
            if let Some(m) = memos.get(&call.sid) {
                call.memo = Some(m.text.clone()).filter(|t| !t.is_empty());
                call.response_status = m.response_status.clone();
            }
        }
        Ok(())
    }

    /// Records of one object linked to a number, an account or a contact, newest first.
    pub async fn records(
        &self,
        object: &ObjectName,
        subject: &Subject,
        limit: u32,
        after: Option<&str>,
    ) -> Result<Paged<Record>, DomainError> {
        self.settings.get().await?.object(object.as_str())?;
        let q = match subject {
            Subject::Phone(p) => Query::partition(phone_pk(p)).begins_with(phone_object_prefix(object)),
            Subject::Account(a) => Query::partition(account_pk(a))
                .on(Index::Gsi1)
                .begins_with(format!("{object}#")),
            Subject::Contact(c) => Query::partition(contact_pk(c))
                .on(Index::Gsi2)
                .begins_with(format!("{object}#")),
        };
        // A history tab may miss a record saved in the last second: half the read units.
        let q = q.descending().limit(limit.clamp(1, 100)).eventually_consistent();
        let after = cursor(after, &q)?;
        let page = self.store.query(q.after(after)).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for item in &page.items {
            let mut v = serde_json::Value::Object(item.clone());
            if let Some(m) = v.as_object_mut() {
                for k in [
                    "PK",
                    "SK",
                    "GSI1PK",
                    "GSI1SK",
                    "GSI2PK",
                    "GSI2SK",
                    "phones",
                    "tokens",
                    "search_sig",
                ] {
                    m.remove(k);
                }
            }
            if let Ok(r) = serde_json::from_value::<Record>(v) {
                items.push(r);
            }
        }
        Ok(Paged {
            items,
            cursor: page.cursor.map(|c| c.encode()),
        })
    }
}
