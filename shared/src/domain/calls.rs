//! The call record: one item per customer call, keyed by the customer leg's CallSid (which is
//! also the conference's name). It is filed under the customer's number and, when matched,
//! under the account, so history is one query either way.

use serde::{Deserialize, Serialize};

use crate::ids::RecordId;
use crate::phone::PhoneNumber;
use crate::store::table::account_pk;
use crate::store::{Item, attr};

/// Which way the call went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

/// A call as history and monitoring show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CallSummary {
    pub sid: String,
    pub direction: Direction,
    /// The customer's number in E.164 (absent for a withheld number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_display: Option<String>,
    /// Our line (the number called, or the caller ID used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    /// waiting, ringing, in_progress, completed, abandoned, failed …
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_name: Option<String>,
    pub started_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<String>,
    /// The conversation memo as saved at the end of the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_url: Option<String>,
}

pub use crate::store::table::{call_index_sk, call_key, memo_key, outbound_leg_key};

impl CallSummary {
    /// A call that has just started: the customer, our line, and the first account and contact
    /// the screen pop matched (none when the lookup failed or found nothing).
    pub fn new(
        sid: &str,
        direction: Direction,
        customer: Option<&PhoneNumber>,
        line: Option<String>,
        status: &str,
        started_at: String,
        pop: Option<&super::crm::Lookup>,
    ) -> Self {
        Self {
            sid: sid.to_owned(),
            direction,
            customer: customer.map(|p| p.as_str().to_owned()),
            customer_display: customer.map(PhoneNumber::display),
            line,
            status: status.to_owned(),
            account_id: pop.and_then(|l| l.accounts.first()).map(|m| m.record.id.to_string()),
            contact_id: pop.and_then(|l| l.contacts.first()).map(|m| m.record.id.to_string()),
            operator_id: None,
            operator_name: None,
            started_at,
            answered_at: None,
            ended_at: None,
            duration_seconds: None,
            end_reason: None,
            memo: None,
            response_status: None,
            recording_url: None,
        }
    }

    /// The call as a store item, with its history index keys.
    pub fn to_item(&self) -> Item {
        let mut item = match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => Item::new(),
        };
        let key = call_key(&self.sid);
        item.insert(attr::PK.into(), key.pk.into());
        item.insert(attr::SK.into(), key.sk.into());
        let isk = call_index_sk(&self.started_at, &self.sid);
        if let Some(c) = self.customer.as_deref().and_then(|c| PhoneNumber::parse(c).ok()) {
            item.insert(attr::GSI1PK.into(), crate::store::table::phone_pk(&c).into());
            item.insert(attr::GSI1SK.into(), isk.clone().into());
        }
        if let Some(a) = self.account_id.as_deref().and_then(|a| RecordId::parse(a).ok()) {
            item.insert(attr::GSI2PK.into(), account_pk(&a).into());
            item.insert(attr::GSI2SK.into(), isk.into());
        }
        item
    }

    /// Reads a call from its item (extra attributes are ignored).
    pub fn from_item(item: &Item) -> Option<Self> {
        serde_json::from_value(serde_json::Value::Object(item.clone())).ok()
    }
}
