//! Twilio's callbacks about a call, applied to its record and acted on: the customer leg's
//! status (the call's end, its final status for history, the day's figures, the operator's
//! wrap-up), the conference's events (participants' state, transfers moving on, routing when
//! the customer joins, the end of the call), and the recording's progress. Each is idempotent
//! and commutes with the others (see [`crate::domain::callstate`]).

use super::{CallControl, ControlError};
use crate::domain::calls::{Direction, ParticipantLabel, ParticipantState, call_key, field};
use crate::domain::callstate::{CallStatusEvent, ParticipantEvent};
use crate::store::{Cond, Update, done_unless_failed};
use crate::twilio::CallSid;
use crate::twilio::webhook::{
    CallStatusCallback, ConferenceCallback, ConferenceEvent, RecordingStatus, RecordingStatusCallback,
};

impl CallControl {
    /// The customer leg's status: recorded in order; at the call's end its final status, the
    /// day's figures, the queue and the operator's wrap-up, and routing for the next call.
    #[tracing::instrument(name = "control.call_status", skip_all, fields(call = %cb.call_sid, status = %cb.call_status))]
    pub async fn call_status(&self, cb: &CallStatusCallback) -> Result<(), ControlError> {
        let sid = cb.call_sid.as_str();
        let ev = CallStatusEvent {
            sequence: cb.sequence_number.unwrap_or(0),
            status: cb.call_status.to_string(),
            at: cb
                .timestamp
                .unwrap_or_else(chrono::Utc::now)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            duration_seconds: cb.call_duration,
        };
        self.apply_call_status(sid, &ev).await
    }

    /// [`CallControl::call_status`] for a status however it was learnt: from Twilio's callback,
    /// or read over REST by the reconciliation when the callbacks were lost. Idempotent, so the
    /// other one arriving afterwards changes nothing.
    pub(crate) async fn apply_call_status(&self, sid: &str, ev: &CallStatusEvent) -> Result<(), ControlError> {
        if self.apply_call_end(sid, ev).await? {
            self.route_waiting().await;
        }
        Ok(())
    }

    /// [`CallControl::apply_call_status`] without the routing round after an end, for the
    /// reconciliation, which applies many ends at once and routes once after them. Returns
    /// whether `ev` was the call's end.
    pub(crate) async fn apply_call_end(&self, sid: &str, ev: &CallStatusEvent) -> Result<bool, ControlError> {
        if !self.services.call_state.apply_status(sid, ev).await? {
            return Ok(false);
        }
        if let Some((call, status)) = self.finish(sid).await? {
            // The final status goes in the transaction that counts the call; on its own only
            // when that transaction is not made (counted before, or nothing to count).
            if !self.services.monitor.count_final(sid, &call, &status).await? {
                let set = Update::default().set(field::STATUS, status);
                self.services
                    .store
                    .update(&call_key(sid), set, Some(Cond::Exists))
                    .await?;
            }
        }
        self.services.routing.ended(sid).await?;
        Ok(true)
    }

    /// The call's final status for history: completed when an operator answered, abandoned
    /// when the caller gave up waiting (`voicemail` or `callback_requested` when they left a
    /// task instead), otherwise Twilio's own ending (busy, no-answer, failed, canceled). Returns
    /// the record as read with that status in it (for the day's figures) and the status, not
    /// yet written; `None` for a call never recorded.
    async fn finish(&self, sid: &str) -> Result<Option<(crate::store::Item, String)>, ControlError> {
        let Some(mut item) = self.services.store.get(&call_key(sid)).await? else {
            return Ok(None);
        };
        let Some(call) = crate::domain::calls::CallRecord::from_item(&item) else {
            return Ok(None);
        };
        let answered = call.summary.answered_at.is_some()
            || call.connected_at.is_some() && call.summary.direction == Direction::Outbound;
        let final_status = if answered {
            "completed".to_owned()
        } else if call.summary.direction == Direction::Inbound {
            super::voicemail::ended_as_task(&item).unwrap_or("abandoned").to_owned()
        } else {
            call.summary.end_reason.as_deref().unwrap_or("failed").replace('-', "_")
        };
        item.insert(field::STATUS.into(), final_status.clone().into());
        Ok(Some((item, final_status)))
    }

    /// A conference event: the conference's SID noted on the call (participant updates address
    /// it), a participant's state recorded and acted on (a transfer moves on, routing runs when
    /// the customer joins), and the conference's end ending the call.
    #[tracing::instrument(name = "control.conference_event", skip_all, fields(call = %ev.friendly_name, event = %ev.event))]
    pub async fn conference_event(&self, ev: &ConferenceCallback) -> Result<(), ControlError> {
        let name = ev.friendly_name.as_str();
        // The conference's SID noted on the call, the first one kept: at its start, and with a
        // participant's join in the join's own write (on its own only when that write is
        // refused as older than what is recorded).
        let note_conference = || async {
            let first = Cond::And(vec![Cond::Exists, Cond::AttrNotExists(field::CONFERENCE_SID.into())]);
            let set = Update::default().set(field::CONFERENCE_SID, ev.conference_sid.as_str());
            done_unless_failed(self.services.store.update(&call_key(name), set, Some(first)).await)
        };
        if ev.event == ConferenceEvent::ConferenceStart {
            note_conference().await?;
        }
        match ev.event {
            ConferenceEvent::ParticipantJoin
            | ConferenceEvent::ParticipantLeave
            | ConferenceEvent::ParticipantHold
            | ConferenceEvent::ParticipantUnhold
            | ConferenceEvent::ParticipantMute
            | ConferenceEvent::ParticipantUnmute
            | ConferenceEvent::ParticipantModify => {
                let Some(label) = ev.participant_label.as_deref().and_then(ParticipantLabel::parse) else {
                    tracing::warn!("a participant event without one of our labels; not recorded");
                    return Ok(());
                };
                let pe = ParticipantEvent {
                    sequence: ev.sequence_number,
                    label,
                    call_sid: ev.call_sid.as_ref().map(|c| c.as_str().to_owned()).unwrap_or_default(),
                    state: if ev.event == ConferenceEvent::ParticipantLeave {
                        ParticipantState::Left
                    } else {
                        ParticipantState::Joined
                    },
                    hold: ev.hold.unwrap_or(false),
                    muted: ev.muted.unwrap_or(false),
                    at: ev.timestamp.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                };
                let join = ev.event == ConferenceEvent::ParticipantJoin;
                let as_written = self
                    .services
                    .call_state
                    .apply_participant_in(name, join.then_some(ev.conference_sid.as_str()), &pe)
                    .await?;
                if join && as_written.is_none() {
                    note_conference().await?;
                }
                self.after_participant_event_on(name, &pe, as_written).await?;
                if join && label == ParticipantLabel::Customer {
                    self.route_waiting().await;
                }
            }
            ConferenceEvent::ConferenceEnd => {
                self.services.routing.ended(name).await?;
                self.abandon_unanswered_outbound(name).await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// A conference recording's progress: its SID and state while it runs, its URL and length
    /// when it is done (the link supervisors find in the call history). A late `in-progress`
    /// never overwrites `completed`.
    #[tracing::instrument(name = "control.recording_progress", skip_all, fields(call = %sid, status = %cb.recording_status))]
    pub async fn recording_progress(&self, sid: &CallSid, cb: &RecordingStatusCallback) -> Result<(), ControlError> {
        let completed = cb.recording_status == RecordingStatus::Completed;
        let mut update = Update::default()
            .set(field::RECORDING_SID, cb.recording_sid.as_str())
            .set(field::RECORDING_STATUS, cb.recording_status.as_str());
        if completed {
            if let Some(link) = &cb.recording_url {
                update = update.set(field::RECORDING_URL, link.as_str());
            }
            if let Some(secs) = cb.recording_duration {
                update = update.set(field::RECORDING_SECONDS, secs);
            }
        }
        let cond = if completed {
            Cond::Exists
        } else {
            Cond::And(vec![
                Cond::Exists,
                Cond::Or(vec![
                    Cond::AttrNotExists(field::RECORDING_STATUS.into()),
                    Cond::Ne(
                        field::RECORDING_STATUS.into(),
                        RecordingStatus::Completed.as_str().into(),
                    ),
                ]),
            ])
        };
        done_unless_failed(
            self.services
                .store
                .update(&call_key(sid.as_str()), update, Some(cond))
                .await,
        )?;
        if completed {
            self.file_recording(sid.as_str(), &cb.recording_sid, chrono::Utc::now())
                .await?;
        }
        Ok(())
    }
}
