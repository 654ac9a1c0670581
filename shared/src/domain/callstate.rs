//! Applying Twilio's call and conference status callbacks to the call record. Callbacks arrive
//! retried, duplicated and out of order, so every write here is a conditional update that
//! commutes with the others: a status is taken only from a callback with a higher
//! SequenceNumber than the one applied, `answered_at` only moves earlier, `ended_at` only later,
//! and each conference participant is last-writer-wins by the conference's SequenceNumber.
//! Whatever the order, the final record is the same.

use std::sync::Arc;

use serde_json::{Value, json};

use super::calls::call_key;
use crate::error::DomainError;

/// See [`crate::store::done_unless_failed`].
fn done<T>(r: Result<T, StoreError>) -> Result<(), DomainError> {
    Ok(crate::store::done_unless_failed(r)?)
}
use crate::store::{Cond, Store, StoreError, Update};

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
        done(self.store.update(&call_key(conference_name), u, Some(newer)).await)
    }
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
