//! Applying Twilio's call and conference status callbacks to the call record. Callbacks arrive
//! retried, duplicated and out of order, so every write here is a conditional update that
//! commutes with the others: a status is taken only from a callback with a higher
//! SequenceNumber than the one applied, `answered_at` only moves earlier, `ended_at` only later,
//! and each conference participant is last-writer-wins by the conference's SequenceNumber.
//! Whatever the order, the final record is the same.
//!
//! From the participants it also tells when a customer is held with nobody ([`orphaned`]) and
//! notes since when (`orphaned_since`), for the call to heal itself (see
//! [`crate::dispatch::Dispatcher::check_call`]).

use std::sync::Arc;

use serde_json::{Value, json};

use super::calls::call_key;
use crate::error::DomainError;

/// See [`crate::store::done_unless_failed`].
fn done<T>(r: Result<T, StoreError>) -> Result<(), DomainError> {
    Ok(crate::store::done_unless_failed(r)?)
}
use crate::store::{Cond, Item, Store, StoreError, Update};

/// A customer-leg call status callback, reduced to what the record keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct CallStatusEvent {
    pub sequence: u64,
    /// Twilio's CallStatus (`ringing`, `in-progress`, `completed`, `busy`, …).
    pub status: String,
    /// RFC 3339, from the callback's Timestamp.
    pub at: String,
    pub duration_seconds: Option<u64>,
}

/// A participant event of the call's conference.
#[derive(Debug, Clone, PartialEq)]
pub struct ParticipantEvent {
    pub sequence: u64,
    /// `customer`, `operator`, `consult`, `transfer`, `monitor`.
    pub label: String,
    pub call_sid: String,
    /// `joined` or `left`.
    pub state: &'static str,
    pub hold: bool,
    pub muted: bool,
    pub at: String,
}

fn is_terminal(status: &str) -> bool {
    matches!(status, "completed" | "busy" | "no-answer" | "failed" | "canceled")
}

/// Applies call status callbacks and conference events to call records.
pub struct CallState {
    store: Arc<dyn Store>,
}

impl CallState {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Applies a customer-leg status callback. Returns whether it was the call's end.
    pub async fn apply_status(&self, sid: &str, ev: &CallStatusEvent) -> Result<bool, DomainError> {
        let key = call_key(sid);
        let exists = Cond::Exists;
        let newer = Cond::And(vec![
            exists.clone(),
            Cond::Or(vec![
                Cond::AttrNotExists("twilio_seq".into()),
                Cond::Lt("twilio_seq".into(), json!(ev.sequence)),
            ]),
        ]);
        done(
            self.store
                .update(
                    &key,
                    Update::default()
                        .set("twilio_status", ev.status.as_str())
                        .set("twilio_seq", ev.sequence),
                    Some(newer),
                )
                .await,
        )?;
        if ev.status == "in-progress" {
            let earlier = Cond::And(vec![
                exists.clone(),
                Cond::Or(vec![
                    Cond::AttrNotExists("connected_at".into()),
                    Cond::Gt("connected_at".into(), json!(ev.at)),
                ]),
            ]);
            done(
                self.store
                    .update(
                        &key,
                        Update::default().set("connected_at", ev.at.as_str()),
                        Some(earlier),
                    )
                    .await,
            )?;
        }
        if is_terminal(&ev.status) {
            let mut u = Update::default()
                .set("ended_at", ev.at.as_str())
                .set("end_reason", ev.status.as_str());
            if let Some(d) = ev.duration_seconds {
                u = u.set("duration_seconds", d);
            }
            let later = Cond::And(vec![
                exists,
                Cond::Or(vec![
                    Cond::AttrNotExists("ended_at".into()),
                    Cond::Lt("ended_at".into(), json!(ev.at)),
                ]),
            ]);
            done(self.store.update(&key, u, Some(later)).await)?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Applies a conference participant event: the participant's latest state by sequence.
    pub async fn apply_participant(&self, conference_name: &str, ev: &ParticipantEvent) -> Result<(), DomainError> {
        self.apply_participant_item(conference_name, ev).await.map(|_| ())
    }

    /// Like [`CallState::apply_participant`], returning the call as it is after the event, or
    /// `None` when the event was older than what is recorded (or there is no such call).
    pub async fn apply_participant_item(
        &self,
        conference_name: &str,
        ev: &ParticipantEvent,
    ) -> Result<Option<Item>, DomainError> {
        let label = sanitize(&ev.label);
        let seq_attr = format!("pseq_{label}");
        let value: Value = json!({
            "label": ev.label, "call_sid": ev.call_sid, "state": ev.state, "hold": ev.hold, "muted": ev.muted, "at": ev.at,
        });
        let newer = Cond::And(vec![
            Cond::Exists,
            Cond::Or(vec![
                Cond::AttrNotExists(seq_attr.clone()),
                Cond::Lt(seq_attr.clone(), json!(ev.sequence)),
            ]),
        ]);
        let u = Update::default()
            .set(&format!("p_{label}"), value)
            .set(&seq_attr, ev.sequence);
        match self.store.update(&call_key(conference_name), u, Some(newer)).await {
            Ok(item) => Ok(Some(item)),
            Err(e) if e.is_condition_failed() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Keeps `orphaned_since` true to the call's participants (see [`orphaned`]): set to `at`
    /// when the customer has just been found held with nobody, removed once someone is back.
    /// Returns the call as it is afterwards. Concurrent callbacks may leave a stale mark
    /// behind; whoever acts on it checks [`orphaned`] again first.
    pub async fn track_orphan(&self, sid: &str, item: Item, at: &str) -> Result<Item, DomainError> {
        let key = call_key(sid);
        let since = item.get("orphaned_since").cloned();
        let result = match (orphaned(&item), since) {
            (true, None) => {
                let cond = Cond::And(vec![Cond::Exists, Cond::AttrNotExists("orphaned_since".into())]);
                self.store
                    .update(&key, Update::default().set("orphaned_since", at), Some(cond))
                    .await
            }
            (false, Some(v)) => {
                let cond = Cond::Eq("orphaned_since".into(), v);
                self.store
                    .update(&key, Update::default().remove("orphaned_since"), Some(cond))
                    .await
            }
            _ => return Ok(item),
        };
        match result {
            Ok(after) => Ok(after),
            Err(e) if e.is_condition_failed() => Ok(self.store.get(&key).await?.unwrap_or(item)),
            Err(e) => Err(e.into()),
        }
    }
}

/// The labels of operator legs: the call's operator is on one, a transfer target on the other.
pub const OPERATOR_LABELS: [&str; 2] = ["operator", "transfer"];

/// The participant labelled `label` of a call record, if it is in the conference now.
pub fn joined<'a>(item: &'a Item, label: &str) -> Option<&'a Value> {
    item.get(&format!("p_{label}")).filter(|p| p["state"] == "joined")
}

/// Whether the call's customer is held with nobody: the call is live, the customer is in the
/// conference on hold, no operator leg and no consultation call is connected, and no transfer
/// is under way (a ringing transfer keeps the customer on hold on purpose).
pub fn orphaned(item: &Item) -> bool {
    let live = item.get("status").and_then(Value::as_str) == Some("in_progress") && item.get("ended_at").is_none();
    let held = joined(item, "customer").is_some_and(|p| p["hold"] == true);
    let company = OPERATOR_LABELS
        .iter()
        .chain(["consult"].iter())
        .any(|l| joined(item, l).is_some());
    let transferring = matches!(
        item.get("transfer_state").and_then(Value::as_str),
        Some("ringing" | "answered")
    );
    live && held && !company && !transferring
}

fn sanitize(label: &str) -> String {
    label
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect()
}

/// The participants of a call record, from its `p_<label>` attributes.
pub fn participants(item: &crate::store::Item) -> Vec<Value> {
    item.iter()
        .filter(|(k, _)| k.starts_with("p_"))
        .map(|(_, v)| v.clone())
        .collect()
}
