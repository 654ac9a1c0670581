//! Handing a call over to another operator (転送): the transfer record on the call item, the
//! steps it goes through, and the screen transfer (画面転送) that travels with it.
//!
//! A transfer lives in flat `transfer_*` attributes of the call item. Each fact Twilio reports
//! about it — the target answered, the target's phone rang out, the first operator's leg left,
//! the target's leg left — is one conditional write of the attributes that fact concerns, so
//! facts arriving retried and in any order never overwrite one another. What happens next is
//! decided from the facts gathered so far ([`next_step`]) and applied by one conditional write
//! too, so it happens once whoever notices first.
//!
//! While a transfer rings, its target is reserved the way a routing offer reserves an operator
//! ([`Routing::transfer_reservation`]): routing offers them nothing and they cannot change
//! their presence until the transfer completes or is let go.
//!
//! A screen transfer is an item of its own (`HANDOFF#<id>`, see [`crate::store::table`]) that
//! expires an hour after the transfer started.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::calls::transfer::{ATTRS, in_progress_cond, of};
pub use super::calls::transfer::{Transfer, TransferMode, TransferState, ended_with_the_call, field, under_way};
use super::calls::{CallRecord, call_key, field as call};
use super::operators::OperatorRecord;
use super::routing::Routing;
use super::settings::{Settings, SettingsService};
use crate::error::DomainError;
use crate::ids::{FieldName, ObjectName, RecordId};
use crate::store::{Cond, Item, Store, StoreError, TxOp, Update, attr};

/// How long a screen transfer can be read after it was made.
pub const HANDOFF_TTL_SECONDS: i64 = 3600;
/// The most characters of memo a screen transfer carries (the memo's own limit).
pub const HANDOFF_MEMO_MAX_CHARS: usize = super::memos::MEMO_MAX_CHARS;
/// The most special-notes entries a screen transfer carries.
pub const HANDOFF_MAX_NOTES: usize = 50;
/// The most fields of a draft inquiry.
pub const HANDOFF_MAX_FIELDS: usize = 200;
/// The most characters of one special note or one draft field value.
pub const HANDOFF_VALUE_MAX_CHARS: usize = 10_000;
/// The most bytes a whole screen transfer may take.
pub const HANDOFF_MAX_BYTES: usize = 64 * 1024;
/// Seconds past the ring timeout after which a transfer nobody reported on counts as unanswered.
const RING_GRACE_SECONDS: i64 = 15;

pub use crate::store::table::handoff_key;

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

use crate::store::str_attr as s;

fn done<T>(r: Result<T, StoreError>) -> Result<(), DomainError> {
    Ok(crate::store::done_unless_failed(r)?)
}

/// What a transfer needs next, from the facts gathered so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferStep {
    /// Wait for the next fact.
    Nothing,
    /// The target answered and the first operator is gone: take the customer off hold and
    /// make the target the call's operator.
    Complete,
    /// It cannot go through, for this reason.
    Fail(&'static str),
    /// It failed after the first operator left: ring them back so the customer is not alone.
    RingBack,
}

/// Decides what a transfer needs next at time `now` (RFC 3339).
pub fn next_step(t: &Transfer, now: &str) -> TransferStep {
    match t.state {
        TransferState::Ringing if !t.ring_until.is_empty() && now > t.ring_until.as_str() => {
            TransferStep::Fail("timeout")
        }
        TransferState::Answered => match (t.to_left_seq, t.from_left) {
            // Both legs left: whichever left first decides (a leg we removed left first).
            (Some(to), true) if t.from_left_seq.is_none_or(|from| from < to) => TransferStep::Complete,
            (Some(_), _) => TransferStep::Fail("target_left"),
            (None, true) => TransferStep::Complete,
            (None, false) => TransferStep::Nothing,
        },
        TransferState::Failed
            if t.from_left && t.rung_back_at.is_none() && t.reason.as_deref() != Some("call_ended") =>
        {
            TransferStep::RingBack
        }
        _ => TransferStep::Nothing,
    }
}

/// How reporting an answer went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// Recorded now.
    Now,
    /// It was already known.
    Already,
    /// The transfer had already failed or been called off: hang the target's leg up.
    TooLate,
    /// There is no such transfer on the call.
    Unknown,
}

/// A special note (特記事項) as the first operator's page showed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpecialNote {
    pub label: String,
    pub value: String,
}

/// The inquiry form (問合せ) the first operator had started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InquiryDraft {
    /// The object of the form (`inquiry`, or an admin-defined one).
    pub object: String,
    /// Field name → value as typed so far (text, number, true/false or null).
    #[schema(schema_with = super::objects::field_values_schema)]
    pub fields: Map<String, Value>,
}

/// What the first operator's screen shows, sent along with a transfer (画面転送).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenTransfer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub special_notes: Vec<SpecialNote>,
    /// The conversation memo so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    /// The response status chosen so far (one of the configured ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inquiry: Option<InquiryDraft>,
}

impl ScreenTransfer {
    /// Checks every part against the settings; the error names the offending field as a path
    /// under `screen` (`screen.inquiry.fields.subject`).
    pub fn validate(&self, settings: &Settings) -> Result<(), DomainError> {
        let bad = |code: &'static str, field: String, message: String| DomainError::invalid_field(code, field, message);
        for (name, id) in [("account_id", &self.account_id), ("contact_id", &self.contact_id)] {
            if let Some(id) = id {
                RecordId::parse(id).map_err(|e| bad("invalid_id", format!("screen.{name}"), e.to_string()))?;
            }
        }
        if self.special_notes.len() > HANDOFF_MAX_NOTES {
            return Err(bad(
                "too_many_notes",
                "screen.special_notes".into(),
                format!("send at most {HANDOFF_MAX_NOTES} special notes"),
            ));
        }
        for (i, n) in self.special_notes.iter().enumerate() {
            if n.label.trim().is_empty() || n.label.chars().count() > 100 {
                return Err(bad(
                    "invalid_note",
                    format!("screen.special_notes[{i}].label"),
                    "give each special note a label of 1 to 100 characters".into(),
                ));
            }
            if n.value.chars().count() > HANDOFF_VALUE_MAX_CHARS {
                return Err(bad(
                    "value_too_long",
                    format!("screen.special_notes[{i}].value"),
                    format!("a special note holds at most {HANDOFF_VALUE_MAX_CHARS} characters"),
                ));
            }
        }
        if let Some(m) = &self.memo
            && m.chars().count() > HANDOFF_MEMO_MAX_CHARS
        {
            return Err(bad(
                "memo_too_long",
                "screen.memo".into(),
                format!("a memo holds at most {HANDOFF_MEMO_MAX_CHARS} characters"),
            ));
        }
        if let Some(rs) = &self.response_status
            && !settings.response_statuses.iter().any(|x| x.id.as_str() == rs)
        {
            return Err(bad(
                "unknown_response_status",
                "screen.response_status".into(),
                format!("'{rs}' is not one of the configured response statuses"),
            ));
        }
        if let Some(draft) = &self.inquiry {
            let object = ObjectName::parse(&draft.object)
                .ok()
                .and_then(|o| settings.object(o.as_str()).ok())
                .ok_or_else(|| {
                    bad(
                        "unknown_object",
                        "screen.inquiry.object".into(),
                        format!("there is no object named '{}'", draft.object),
                    )
                })?;
            if draft.fields.len() > HANDOFF_MAX_FIELDS {
                return Err(bad(
                    "too_many_fields",
                    "screen.inquiry.fields".into(),
                    format!("a draft holds at most {HANDOFF_MAX_FIELDS} fields"),
                ));
            }
            for (name, value) in &draft.fields {
                let path = format!("screen.inquiry.fields.{name}");
                if FieldName::parse(name).is_err() || object.field(name).is_none() {
                    return Err(bad(
                        "unknown_field",
                        path,
                        format!("{} has no field '{name}'", object.name),
                    ));
                }
                match value {
                    Value::String(t) if t.chars().count() > HANDOFF_VALUE_MAX_CHARS => {
                        return Err(bad(
                            "value_too_long",
                            path,
                            format!("a draft value holds at most {HANDOFF_VALUE_MAX_CHARS} characters"),
                        ));
                    }
                    Value::Array(_) | Value::Object(_) => {
                        return Err(bad(
                            "invalid_value",
                            path,
                            "a draft value is text, a number, true/false or null".into(),
                        ));
                    }
                    _ => {}
                }
            }
        }
        let size = serde_json::to_vec(self).map(|v| v.len()).unwrap_or(usize::MAX);
        if size > HANDOFF_MAX_BYTES {
            return Err(DomainError::TooLarge(format!(
                "the screen transfer is {} KB, over the {} KB limit; shorten the memo or the draft",
                size / 1024,
                HANDOFF_MAX_BYTES / 1024
            )));
        }
        Ok(())
    }
}

/// A screen transfer as the target's page loads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Handoff {
    pub id: String,
    pub call_sid: String,
    pub transfer_id: String,
    pub from_operator: String,
    pub from_name: String,
    pub to_operator: String,
    pub created_at: String,
    /// Readable until then (RFC 3339); gone afterwards.
    pub valid_until: String,
    pub screen: ScreenTransfer,
}

impl Handoff {
    fn to_item(&self) -> Item {
        let mut item = match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m,
            _ => Item::new(),
        };
        let key = handoff_key(&self.id);
        item.insert(attr::PK.into(), key.pk.into());
        item.insert(attr::SK.into(), key.sk.into());
        let expires = chrono::DateTime::parse_from_rfc3339(&self.valid_until)
            .map(|t| t.timestamp())
            .unwrap_or_else(|_| crate::store::epoch_now() + HANDOFF_TTL_SECONDS);
        item.insert(attr::EXPIRES_AT.into(), expires.into());
        item
    }
}

/// A transfer about to start: the call and the target operator as read just before.
pub struct NewTransfer<'a> {
    pub call_sid: &'a str,
    pub call: &'a CallRecord,
    pub target: &'a OperatorRecord,
    pub mode: TransferMode,
    /// Who asks for it.
    pub by: &'a str,
    /// The screen transfer, already checked with [`ScreenTransfer::validate`].
    pub screen: Option<ScreenTransfer>,
}

/// Transfers and screen transfers.
pub struct Transfers {
    store: Arc<dyn Store>,
    settings: Arc<SettingsService>,
    routing: Arc<Routing>,
}

impl Transfers {
    pub fn new(store: Arc<dyn Store>, settings: Arc<SettingsService>, routing: Arc<Routing>) -> Self {
        Self {
            store,
            settings,
            routing,
        }
    }

    /// Records a transfer as ringing, reserves its target and stores the screen transfer, all
    /// in one transaction: refused (409) while another transfer of the call is under way, when
    /// the call changed hands or ended, or when the target became busy or signed out.
    pub async fn begin(&self, new: NewTransfer<'_>) -> Result<(Transfer, Option<Handoff>), DomainError> {
        let sid = new.call_sid;
        let from = new
            .call
            .summary
            .operator_id
            .as_deref()
            .ok_or_else(|| DomainError::conflict("no_operator", "no operator is on this call yet", None))?;
        let to = new.target.id.as_str();
        if from == to {
            return Err(DomainError::invalid_field(
                "same_operator",
                "to_operator",
                "choose another operator than the one on the call",
            ));
        }
        let ring = self.settings.get().await?.call_handling.ring_timeout_seconds;
        let started = chrono::Utc::now();
        let at = started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let ring_until = (started + chrono::Duration::seconds(ring as i64 + RING_GRACE_SECONDS))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let from_label = new.call.operator_label();
        let to_label = from_label.other_operator_leg();
        let from_leg = new
            .call
            .joined(from_label)
            .map(|p| p.call_sid.clone())
            .filter(|c| !c.is_empty());
        let from_name = new.call.summary.operator_name.clone().unwrap_or_default();
        let id = ulid::Ulid::new().to_string();
        let handoff = new.screen.map(|screen| Handoff {
            id: RecordId::new().to_string(),
            call_sid: sid.to_owned(),
            transfer_id: id.clone(),
            from_operator: from.to_owned(),
            from_name: from_name.clone(),
            to_operator: to.to_owned(),
            created_at: at.clone(),
            valid_until: (started + chrono::Duration::seconds(HANDOFF_TTL_SECONDS))
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            screen,
        });
        let transfer = Transfer {
            id: id.clone(),
            mode: new.mode,
            state: TransferState::Ringing,
            to_operator: to.to_owned(),
            to_name: new.target.name.clone(),
            to_label,
            from_operator: from.to_owned(),
            from_name,
            from_label,
            from_left: false,
            by: new.by.to_owned(),
            handoff_id: handoff.as_ref().map(|h| h.id.clone()),
            started_at: at,
            ring_until,
            answered_at: None,
            ended_at: None,
            reason: None,
            rung_back_at: None,
            from_leg,
            from_seq: new.call.sequence_of(from_label),
            to_leg: None,
            to_seq: new.call.sequence_of(to_label),
            from_left_seq: None,
            to_left_seq: None,
        };
        let mut record = Update::default()
            .set(field::TRANSFER_ID, transfer.id.as_str())
            .set(field::TRANSFER_STATE, "ringing")
            .set(field::TRANSFER_MODE, transfer.mode.as_str())
            .set(field::TRANSFER_TO, transfer.to_operator.as_str())
            .set(field::TRANSFER_TO_NAME, transfer.to_name.as_str())
            .set(field::TRANSFER_TO_LABEL, transfer.to_label.as_str())
            .set(field::TRANSFER_TO_SEQ, transfer.to_seq)
            .set(field::TRANSFER_FROM, transfer.from_operator.as_str())
            .set(field::TRANSFER_FROM_NAME, transfer.from_name.as_str())
            .set(field::TRANSFER_FROM_LABEL, transfer.from_label.as_str())
            .set(field::TRANSFER_FROM_SEQ, transfer.from_seq)
            .set(field::TRANSFER_FROM_LEFT, false)
            .set(field::TRANSFER_BY, transfer.by.as_str())
            .set(field::TRANSFER_STARTED_AT, transfer.started_at.as_str())
            .set(field::TRANSFER_RING_UNTIL, transfer.ring_until.as_str());
        record = match &transfer.from_leg {
            Some(leg) => record.set(field::TRANSFER_FROM_LEG, leg.as_str()),
            None => record.remove(field::TRANSFER_FROM_LEG),
        };
        record = match &transfer.handoff_id {
            Some(h) => record.set(field::TRANSFER_HANDOFF, h.as_str()),
            None => record.remove(field::TRANSFER_HANDOFF),
        };
        for stale in [
            field::TRANSFER_TO_LEG,
            field::TRANSFER_FROM_LEFT_SEQ,
            field::TRANSFER_TO_LEFT_SEQ,
            field::TRANSFER_ANSWERED_AT,
            field::TRANSFER_ENDED_AT,
            field::TRANSFER_REASON,
            field::TRANSFER_RUNG_BACK_AT,
        ] {
            record = record.remove(stale);
        }
        let call_cond = Cond::And(vec![
            Cond::Exists,
            Cond::AttrNotExists(call::ENDED_AT.into()),
            Cond::eq(call::STATUS, "in_progress"),
            Cond::eq(call::OPERATOR_ID, from),
            Cond::Or(vec![
                Cond::AttrNotExists(field::TRANSFER_STATE.into()),
                Cond::eq(field::TRANSFER_STATE, "completed"),
                Cond::eq(field::TRANSFER_STATE, "failed"),
                Cond::eq(field::TRANSFER_STATE, "canceled"),
            ]),
        ]);
        let busy = || {
            DomainError::conflict(
                "target_busy",
                format!(
                    "{} is on another call or being offered one; choose someone else or try again shortly",
                    transfer.to_name
                ),
                None,
            )
        };
        let reserve = Routing::transfer_reservation(new.target, sid, &id).ok_or_else(busy)?;
        let mut ops = vec![
            TxOp::Update {
                key: call_key(sid),
                update: record,
                cond: Some(call_cond),
            },
            reserve,
        ];
        if let Some(h) = &handoff {
            ops.push(TxOp::Put {
                item: h.to_item(),
                cond: Some(Cond::NotExists),
            });
        }
        match self.store.transact(ops).await {
            Ok(()) => Ok((transfer, handoff)),
            Err(StoreError::ConditionFailed { index: Some(1) }) => Err(busy()),
            Err(StoreError::ConditionFailed { .. }) | Err(StoreError::TransactionConflict) => {
                let current = self.store.get(&call_key(sid)).await?;
                let current = current.as_ref().and_then(CallRecord::from_item);
                if let Some(t) = current.as_ref().and_then(CallRecord::transfer_under_way) {
                    return Err(DomainError::conflict(
                        "transfer_in_progress",
                        format!(
                            "this call is already being transferred to {}; wait for it or cancel it first",
                            t.to_name
                        ),
                        serde_json::to_value(t).ok(),
                    ));
                }
                if current.as_ref().is_none_or(|c| !c.is_in_progress()) {
                    return Err(DomainError::conflict("call_ended", "this call has already ended", None));
                }
                if current.is_none_or(|c| !c.is_operated_by(from)) {
                    return Err(DomainError::conflict(
                        "operator_changed",
                        "the call was handed to another operator meanwhile; reload it",
                        None,
                    ));
                }
                Err(busy())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Takes back a transfer whose target could not be rung: the call, the target and the
    /// screen transfer are as they were before [`Transfers::begin`] (one transaction).
    pub async fn undo_begin(
        &self,
        sid: &str,
        t: &Transfer,
        target_as_read: &OperatorRecord,
    ) -> Result<(), DomainError> {
        let mut clear = Update::default();
        for a in ATTRS {
            clear = clear.remove(a);
        }
        let mut ops = vec![TxOp::Update {
            key: call_key(sid),
            update: clear,
            cond: Some(of(&t.id, Cond::eq(field::TRANSFER_STATE, "ringing"))),
        }];
        ops.push(Routing::transfer_reservation_undone(target_as_read, &t.id));
        if let Some(h) = &t.handoff_id {
            ops.push(TxOp::Delete {
                key: handoff_key(h),
                cond: None,
            });
        }
        done(self.store.transact(ops).await)
    }

    /// Notes the target's leg once Twilio named it.
    pub async fn set_to_leg(&self, sid: &str, transfer_id: &str, leg: &str) -> Result<(), DomainError> {
        let u = Update::default().set(field::TRANSFER_TO_LEG, leg);
        let cond = of(transfer_id, Cond::AttrNotExists(field::TRANSFER_TO_LEG.into()));
        done(self.store.update(&call_key(sid), u, Some(cond)).await)
    }

    /// The target answered (their leg's callback, or their join of the conference).
    pub async fn answered(&self, sid: &str, transfer_id: &str, leg: Option<&str>) -> Result<Answered, DomainError> {
        let mut u = Update::default()
            .set(field::TRANSFER_STATE, "answered")
            .set(field::TRANSFER_ANSWERED_AT, now());
        if let Some(leg) = leg {
            u = u.set(field::TRANSFER_TO_LEG, leg);
        }
        let cond = of(transfer_id, Cond::eq(field::TRANSFER_STATE, "ringing"));
        match self.store.update(&call_key(sid), u, Some(cond)).await {
            Ok(item) => {
                if let Some(to) = s(&item, field::TRANSFER_TO) {
                    let on_call = Routing::transfer_target_answered(to, sid, transfer_id);
                    done(self.store.transact(vec![on_call]).await)?;
                }
                Ok(Answered::Now)
            }
            Err(e) if e.is_condition_failed() => {
                let item = self.store.get(&call_key(sid)).await?;
                Ok(match item.as_ref().and_then(Transfer::from_item) {
                    Some(t) if t.id == transfer_id => match t.state {
                        TransferState::Answered | TransferState::Completed => Answered::Already,
                        _ => Answered::TooLate,
                    },
                    _ => Answered::Unknown,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The first operator's leg left (we removed it, or a conference event said so), while the
    /// transfer is under way. `sequence` is the conference event's, when there was one.
    pub async fn from_left(&self, sid: &str, transfer_id: &str, sequence: Option<u64>) -> Result<(), DomainError> {
        let key = call_key(sid);
        let u = Update::default().set(field::TRANSFER_FROM_LEFT, true);
        done(
            self.store
                .update(&key, u, Some(of(transfer_id, in_progress_cond())))
                .await,
        )?;
        if let Some(seq) = sequence {
            self.earliest(sid, transfer_id, field::TRANSFER_FROM_LEFT_SEQ, seq)
                .await?;
        }
        Ok(())
    }

    /// The target's leg left the conference at `sequence`.
    pub async fn to_left(&self, sid: &str, transfer_id: &str, sequence: u64) -> Result<(), DomainError> {
        self.earliest(sid, transfer_id, field::TRANSFER_TO_LEFT_SEQ, sequence)
            .await
    }

    async fn earliest(&self, sid: &str, transfer_id: &str, attr_name: &str, seq: u64) -> Result<(), DomainError> {
        let cond = of(
            transfer_id,
            Cond::And(vec![
                in_progress_cond(),
                Cond::Or(vec![
                    Cond::AttrNotExists(attr_name.into()),
                    Cond::Gt(attr_name.into(), json!(seq)),
                ]),
            ]),
        );
        let u = Update::default().set(attr_name, seq);
        done(self.store.update(&call_key(sid), u, Some(cond)).await)
    }

    /// Ends a transfer under way as failed (`reason`) or, for `canceled`, as called off; its
    /// target is let go. Returns whether this call ended it.
    pub async fn end(&self, sid: &str, t: &Transfer, state: TransferState, reason: &str) -> Result<bool, DomainError> {
        let u = Update::default()
            .set(field::TRANSFER_STATE, state.as_str())
            .set(field::TRANSFER_REASON, reason)
            .set(field::TRANSFER_ENDED_AT, now());
        let applied = match self
            .store
            .update(&call_key(sid), u, Some(of(&t.id, in_progress_cond())))
            .await
        {
            Ok(_) => true,
            Err(e) if e.is_condition_failed() => false,
            Err(e) => return Err(e.into()),
        };
        self.routing.release_transfer_target(&t.to_operator, &t.id).await?;
        Ok(applied)
    }

    /// Hands the call to the target: they become its operator (with their leg's label), the
    /// transfer completes, and the first operator moves to wrap-up — the call and both
    /// operators in one transaction (without the first operator if they no longer hold the
    /// call). `record` is the call as read before, whose handovers the first operator's is added
    /// to. Returns false when the transfer was no longer ready.
    pub async fn complete(&self, sid: &str, record: &CallRecord, t: &Transfer) -> Result<bool, DomainError> {
        let at = now();
        let call = TxOp::Update {
            key: call_key(sid),
            update: Update::default()
                .set(call::OPERATOR_ID, t.to_operator.as_str())
                .set(call::OPERATOR_NAME, t.to_name.as_str())
                .set(call::OPERATOR_LABEL, t.to_label.as_str())
                .set(field::TRANSFER_STATE, "completed")
                .set(field::TRANSFER_ENDED_AT, at.as_str())
                .set(call::HANDED_OVER, record.handed_over_by(&t.from_operator, &at))
                .remove(call::ORPHANED_SINCE),
            cond: Some(of(
                &t.id,
                Cond::And(vec![
                    Cond::eq(field::TRANSFER_STATE, "answered"),
                    Cond::eq(field::TRANSFER_FROM_LEFT, true),
                    Cond::eq(call::OPERATOR_ID, t.from_operator.as_str()),
                    Cond::AttrNotExists(call::ENDED_AT.into()),
                ]),
            )),
        };
        let target = Routing::transfer_target_takes_over(&t.to_operator, sid, &t.id);
        let first = self.routing.wrap_up_op(&t.from_operator, sid).await?;
        let outcome = match self.store.transact(vec![call.clone(), target.clone(), first]).await {
            Err(StoreError::ConditionFailed { index: Some(2) }) => self.store.transact(vec![call, target]).await,
            other => other,
        };
        match outcome {
            Ok(()) => Ok(true),
            Err(e) if e.is_condition_failed() || matches!(e, StoreError::TransactionConflict) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Claims the ring-back of the first operator after a failed transfer (once).
    pub async fn claim_ring_back(&self, sid: &str, transfer_id: &str) -> Result<bool, DomainError> {
        let cond = of(
            transfer_id,
            Cond::And(vec![
                Cond::eq(field::TRANSFER_STATE, "failed"),
                Cond::eq(field::TRANSFER_FROM_LEFT, true),
                Cond::AttrNotExists(field::TRANSFER_RUNG_BACK_AT.into()),
            ]),
        );
        let u = Update::default().set(field::TRANSFER_RUNG_BACK_AT, now());
        match self.store.update(&call_key(sid), u, Some(cond)).await {
            Ok(_) => Ok(true),
            Err(e) if e.is_condition_failed() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// A screen transfer, for its target or a supervisor; 404 once it expired.
    pub async fn handoff(&self, id: &str, reader: &str, supervisor: bool) -> Result<Handoff, DomainError> {
        let missing = || DomainError::NotFound("there is no such screen transfer (they expire after an hour)".into());
        if RecordId::parse(id).is_err() {
            return Err(missing());
        }
        let item = self.store.get(&handoff_key(id)).await?.ok_or_else(missing)?;
        let h: Handoff = serde_json::from_value(Value::Object(item)).map_err(|_| missing())?;
        if h.to_operator != reader && !supervisor {
            return Err(DomainError::Forbidden(
                "this screen transfer was sent to another operator".into(),
            ));
        }
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calls::ParticipantLabel;

    fn transfer(state: TransferState) -> Transfer {
        Transfer {
            id: "T".into(),
            mode: TransferMode::Warm,
            state,
            to_operator: "op-b".into(),
            to_name: "B".into(),
            to_label: ParticipantLabel::Transfer,
            from_operator: "op-a".into(),
            from_name: "A".into(),
            from_label: ParticipantLabel::Operator,
            from_left: false,
            by: "op-a".into(),
            handoff_id: None,
            started_at: "2026-11-23T10:00:00.000Z".into(),
            ring_until: "2026-11-23T10:00:35.000Z".into(),
            answered_at: None,
            ended_at: None,
            reason: None,
            rung_back_at: None,
            from_leg: Some("CA-a".into()),
            from_seq: 2,
            to_leg: None,
            to_seq: 0,
            from_left_seq: None,
            to_left_seq: None,
        }
    }

    #[test]
    fn an_answered_transfer_completes_once_the_first_operator_left_first() {
        let mut t = transfer(TransferState::Answered);
        assert_eq!(next_step(&t, "2026-11-23T10:00:10Z"), TransferStep::Nothing);
        t.from_left = true;
        assert_eq!(next_step(&t, "2026-11-23T10:00:10Z"), TransferStep::Complete);
        t.from_left_seq = Some(9);
        t.to_left_seq = Some(12);
        assert_eq!(next_step(&t, "2026-11-23T10:00:10Z"), TransferStep::Complete);
        t.to_left_seq = Some(7);
        assert_eq!(next_step(&t, "2026-11-23T10:00:10Z"), TransferStep::Fail("target_left"));
    }

    #[test]
    fn a_ring_nobody_reported_on_fails_after_the_ring_timeout_and_a_cold_one_rings_back() {
        let mut t = transfer(TransferState::Ringing);
        assert_eq!(next_step(&t, "2026-11-23T10:00:20Z"), TransferStep::Nothing);
        assert_eq!(next_step(&t, "2026-11-23T10:00:36Z"), TransferStep::Fail("timeout"));
        t.state = TransferState::Failed;
        assert_eq!(
            next_step(&t, "2026-11-23T10:00:36Z"),
            TransferStep::Nothing,
            "warm: still there"
        );
        t.from_left = true;
        assert_eq!(next_step(&t, "2026-11-23T10:00:36Z"), TransferStep::RingBack);
        t.rung_back_at = Some("2026-11-23T10:00:37Z".into());
        assert_eq!(next_step(&t, "2026-11-23T10:00:40Z"), TransferStep::Nothing, "once");
    }

    #[test]
    fn only_the_legs_of_this_transfer_count() {
        let t = transfer(TransferState::Ringing);
        assert!(t.is_from_leg(ParticipantLabel::Operator, "CA-a", 1));
        assert!(
            !t.is_from_leg(ParticipantLabel::Operator, "CA-old", 5),
            "an earlier leg of the operator"
        );
        assert!(t.is_to_leg(ParticipantLabel::Transfer, "CA-b", 3));
        assert!(!t.is_to_leg(ParticipantLabel::Operator, "CA-b", 3));
    }

    #[test]
    fn a_screen_transfer_names_the_field_to_fix() {
        let settings = Settings::default();
        let ok = ScreenTransfer {
            account_id: Some(RecordId::new().to_string()),
            memo: Some("【お客様】請求書の再発行 🙏".into()),
            response_status: Some("callback".into()),
            inquiry: Some(InquiryDraft {
                object: "inquiry".into(),
                fields: json!({"subject": "請求書"}).as_object().unwrap().clone(),
            }),
            ..ScreenTransfer::default()
        };
        assert!(ok.validate(&settings).is_ok());
        let field_of = |st: ScreenTransfer| match st.validate(&settings) {
            Err(DomainError::Invalid { field, .. }) => field.unwrap_or_default(),
            Err(DomainError::TooLarge(_)) => "too large".into(),
            other => panic!("{other:?}"),
        };
        let mut bad = ok.clone();
        bad.account_id = Some("nope".into());
        assert_eq!(field_of(bad), "screen.account_id");
        let mut bad = ok.clone();
        bad.response_status = Some("made_up".into());
        assert_eq!(field_of(bad), "screen.response_status");
        let mut bad = ok.clone();
        bad.memo = Some("あ".repeat(HANDOFF_MEMO_MAX_CHARS + 1));
        assert_eq!(field_of(bad), "screen.memo");
        let mut bad = ok.clone();
        bad.inquiry.as_mut().unwrap().fields.insert("nope".into(), json!("x"));
        assert_eq!(field_of(bad), "screen.inquiry.fields.nope");
        let mut bad = ok.clone();
        bad.inquiry
            .as_mut()
            .unwrap()
            .fields
            .insert("subject".into(), json!({"a": 1}));
        assert_eq!(field_of(bad), "screen.inquiry.fields.subject");
        let mut bad = ok.clone();
        bad.special_notes = vec![
            SpecialNote {
                label: "備考".into(),
                value: "あ".repeat(9_000),
            };
            8
        ];
        assert_eq!(field_of(bad), "too large");
    }
}
