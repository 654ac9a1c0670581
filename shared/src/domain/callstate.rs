//! Applying Twilio's call and conference status callbacks to the call record. Callbacks arrive
//! retried, duplicated and out of order, so every write here is a conditional update that
//! commutes with the others: a status is taken only from a callback with a higher
//! SequenceNumber than the one applied, `answered_at` only moves earlier, `ended_at` only later,
//! and each conference participant is last-writer-wins by the conference's SequenceNumber.
//! Whatever the order, the final record is the same.
//!
//! From the participants it also notes since when a customer is held with nobody
//! ([`CallRecord::orphaned`], `orphaned_since`), for the call to heal itself (see
//! [`crate::control::CallControl::check_call`]).

use std::sync::Arc;

use serde_json::{Value, json};

use super::calls::{CallRecord, Participant, ParticipantLabel, ParticipantState, call_key, field};
use crate::error::DomainError;
use crate::store::{Cond, Store, StoreError, Update};

/// See [`crate::store::done_unless_failed`].
fn done<T>(r: Result<T, StoreError>) -> Result<(), DomainError> {
    Ok(crate::store::done_unless_failed(r)?)
}

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
    pub label: ParticipantLabel,
    pub call_sid: String,
    pub state: ParticipantState,
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
    ///
    /// A callback sets up to three things, each under its own condition: Twilio's status (when
    /// its sequence number is newer), `connected_at` (when earlier) and the end (when later).
    /// In order, as callbacks nearly always come, every condition holds: the parts go in one
    /// write under all their conditions. Only when that write is refused is each part tried on
    /// its own, so the record ends the same as with three writes, at a third of their cost.
    pub async fn apply_status(&self, sid: &str, ev: &CallStatusEvent) -> Result<bool, DomainError> {
        let key = call_key(sid);
        let mut parts = vec![(
            Update::default()
                .set(field::TWILIO_STATUS, ev.status.as_str())
                .set(field::TWILIO_SEQ, ev.sequence),
            Cond::Or(vec![
                Cond::AttrNotExists(field::TWILIO_SEQ.into()),
                Cond::Lt(field::TWILIO_SEQ.into(), json!(ev.sequence)),
            ]),
        )];
        if ev.status == "in-progress" {
            parts.push((
                Update::default().set(field::CONNECTED_AT, ev.at.as_str()),
                Cond::Or(vec![
                    Cond::AttrNotExists(field::CONNECTED_AT.into()),
                    Cond::Gt(field::CONNECTED_AT.into(), json!(ev.at)),
                ]),
            ));
        }
        let terminal = is_terminal(&ev.status);
        if terminal {
            let mut u = Update::default()
                .set(field::ENDED_AT, ev.at.as_str())
                .set(field::END_REASON, ev.status.as_str());
            if let Some(d) = ev.duration_seconds {
                u = u.set(field::DURATION_SECONDS, d);
            }
            parts.push((
                u,
                Cond::Or(vec![
                    Cond::AttrNotExists(field::ENDED_AT.into()),
                    Cond::Lt(field::ENDED_AT.into(), json!(ev.at)),
                ]),
            ));
        }
        let mut all = Update::default();
        let mut conds = vec![Cond::Exists];
        for (u, c) in &parts {
            all.set.extend(u.set.iter().cloned());
            conds.push(c.clone());
        }
        match self.store.update(&key, all, Some(Cond::And(conds))).await {
            Ok(_) => return Ok(terminal),
            Err(e) if e.is_condition_failed() => {
                if parts.len() == 1 {
                    return Ok(terminal);
                }
            }
            Err(e) => return Err(e.into()),
        }
        for (u, c) in parts {
            done(self.store.update(&key, u, Some(Cond::And(vec![Cond::Exists, c]))).await)?;
        }
        Ok(terminal)
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
    ) -> Result<Option<CallRecord>, DomainError> {
        self.apply_participant_in(conference_name, None, ev).await
    }

    /// [`CallState::apply_participant_item`] noting, in the same write, the conference's SID
    /// when the call has none yet (`conference_sid`: a join's, as the first SID is kept).
    pub async fn apply_participant_in(
        &self,
        conference_name: &str,
        conference_sid: Option<&str>,
        ev: &ParticipantEvent,
    ) -> Result<Option<CallRecord>, DomainError> {
        let seq_attr = field::participant_seq(ev.label);
        let participant = Participant {
            label: ev.label,
            call_sid: ev.call_sid.clone(),
            state: ev.state,
            hold: ev.hold,
            muted: ev.muted,
            at: ev.at.clone(),
            sequence: ev.sequence,
        };
        let value = serde_json::to_value(&participant).unwrap_or(Value::Null);
        let newer = Cond::And(vec![
            Cond::Exists,
            Cond::Or(vec![
                Cond::AttrNotExists(seq_attr.clone()),
                Cond::Lt(seq_attr.clone(), json!(ev.sequence)),
            ]),
        ]);
        let mut u = Update::default()
            .set(&field::participant(ev.label), value)
            .set(&seq_attr, ev.sequence);
        if let Some(conference) = conference_sid {
            u = u.set_if_absent(field::CONFERENCE_SID, conference);
        }
        let customer = ev.label == ParticipantLabel::Customer;
        if customer {
            // The customer's hold note goes in the same write (the call item is written once per
            // event, not twice); an event older than the state recorded still leaves its note.
            let (attr, note) = Self::hold_note(ev);
            u = u.set(&attr, note);
        }
        match self.store.update(&call_key(conference_name), u, Some(newer)).await {
            Ok(item) => Ok(CallRecord::from_item(&item)),
            Err(e) if e.is_condition_failed() => {
                if customer {
                    self.track_hold(conference_name, ev).await?;
                }
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The customer's hold note for `ev`: its attribute (by sequence number) and its value.
    fn hold_note(ev: &ParticipantEvent) -> (String, Value) {
        let held = ev.hold && ev.state == ParticipantState::Joined;
        (
            super::reports::hold_note_attr(ev.sequence),
            super::reports::hold_note(&ev.at, held).into(),
        )
    }

    /// Keeps the customer's hold time for the reports: each of the customer's events is noted
    /// on the call by its sequence number (when, and whether it left them on hold), in whatever
    /// order the events come and however often, so the record is the same in any order; the
    /// time on hold is read from the notes in order when the call is counted
    /// ([`super::reports::CallFacts`]).
    async fn track_hold(&self, sid: &str, ev: &ParticipantEvent) -> Result<(), DomainError> {
        let (attr, note) = Self::hold_note(ev);
        let u = Update::default().set(&attr, note);
        match self.store.update(&call_key(sid), u, Some(Cond::Exists)).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_condition_failed() => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Keeps `orphaned_since` true to the call's participants (see [`CallRecord::orphaned`]):
    /// set to `at` when the customer has just been found held with nobody, removed once someone
    /// is back. Returns the call as it is afterwards. Concurrent callbacks may leave a stale mark
    /// behind; whoever acts on it checks [`CallRecord::orphaned`] again first.
    pub async fn track_orphan(&self, sid: &str, call: CallRecord, at: &str) -> Result<CallRecord, DomainError> {
        let key = call_key(sid);
        let result = match (call.orphaned(), &call.orphaned_since) {
            (true, None) => {
                let cond = Cond::And(vec![Cond::Exists, Cond::AttrNotExists(field::ORPHANED_SINCE.into())]);
                self.store
                    .update(&key, Update::default().set(field::ORPHANED_SINCE, at), Some(cond))
                    .await
            }
            (false, Some(since)) => {
                let cond = Cond::eq(field::ORPHANED_SINCE, since.as_str());
                self.store
                    .update(&key, Update::default().remove(field::ORPHANED_SINCE), Some(cond))
                    .await
            }
            _ => return Ok(call),
        };
        let after = match result {
            Ok(after) => Some(after),
            Err(e) if e.is_condition_failed() => self.store.get(&key).await?,
            Err(e) => return Err(e.into()),
        };
        Ok(after.as_ref().and_then(CallRecord::from_item).unwrap_or(call))
    }
}
