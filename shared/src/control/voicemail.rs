//! Voicemail: a caller sent to a line's voicemail box (closed hours, a menu option) leaves a
//! message that becomes an operator task; its recording and ja-JP transcript arrive by
//! callbacks, in any order and possibly twice.
//!
//! Twilio's `<Record transcribe>` transcribes English only, so the box starts a real-time
//! transcription (`<Start><Transcription languageCode="ja-JP" track="inbound_track">`) before
//! the prompt: each final phrase the caller says is posted as `transcription-content` while
//! they speak, and `transcription-stopped` when the call ends. The recording's own callback
//! (`completed`) lists the task; phrases arriving before or after land on the same item.
//!
//! A queued caller who goes to the box has their call marked (`voicemail_at`), so its end is
//! recorded as `voicemail` rather than as a caller who gave up ([`ended_as_task`]); a caller sent
//! there while the line is closed has no call record, and history lists their task by itself,
//! under their number and, when the number is on an account's record, under that account.

use crate::domain::calls::call_key;
use crate::domain::settings::Line;
use crate::domain::settings::hours::WhenClosed;
use crate::domain::tasks::TaskCaller;
use crate::phone::PhoneNumber;
use crate::store::table::queue_entry_key;
use crate::store::{Cond, Item, Update, done_unless_failed};
use crate::twilio::webhook::{RecordingStatus, RecordingStatusCallback, TranscriptionCallback, TranscriptionEvent};

use super::{CallControl, ControlError};

/// When the caller went to the voicemail box, on a call record (a queued caller's).
const VOICEMAIL_AT: &str = "voicemail_at";

/// The final status of an incoming call nobody answered whose caller left a task instead:
/// `callback_requested` or `voicemail`, from the marks on its record; `None` for a caller who
/// gave up (abandoned). Neither is counted or shown as abandoned.
pub(super) fn ended_as_task(call: &Item) -> Option<&'static str> {
    if call.contains_key(super::callback::REQUESTED_AT) {
        Some("callback_requested")
    } else if call.contains_key(VOICEMAIL_AT) {
        Some("voicemail")
    } else {
        None
    }
}

/// What a voicemail box plays and does first, from [`CallControl::voicemail_started`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoicemailBox {
    /// The greeting the admin wrote for the line's closed hours, if any.
    pub greeting: Option<String>,
    /// The call's live transcription runs (a waiting caller on a line that transcribes): the
    /// box stops it before starting its own.
    pub call_transcribed: bool,
}

impl CallControl {
    /// A voicemail left with no call of its own (the line closed) from a number on an account's
    /// record is filed in that account's 対応履歴 (the first account the number matches, as a
    /// call's screen pop files the call). A CRM lookup that fails leaves it in the number's
    /// history only (logged); a store that fails is an error, and Twilio sends the callback again.
    async fn file_under_account(&self, sid: &str) -> Result<(), ControlError> {
        let task = match self.services.tasks.get(sid).await {
            Ok(t) => t,
            Err(crate::error::DomainError::NotFound(_)) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        if self.call(sid).await?.is_some() {
            return Ok(());
        }
        let Some(customer) = task.customer.as_deref().and_then(|c| PhoneNumber::parse(c).ok()) else {
            return Ok(());
        };
        let account = match self.services.crm.lookup(&customer).await {
            Ok(found) => found.accounts.first().map(|m| m.record.id.clone()),
            Err(e) => {
                tracing::warn!(error = %e, "CRM lookup failed; the voicemail is in the number's history only");
                None
            }
        };
        if let Some(account) = account {
            self.services.tasks.file_under_account(sid, &account).await?;
        }
        Ok(())
    }

    /// The line a voicemail box belongs to: the settings line named `line_id`, else the one
    /// whose number was called.
    async fn line_of(&self, line_id: Option<&str>, to: Option<&str>) -> Result<Option<Line>, ControlError> {
        let settings = self.services.settings.get().await?;
        if let Some(l) = line_id.and_then(|id| settings.line(id)) {
            return Ok(Some(l.clone()));
        }
        let called = to.and_then(|n| PhoneNumber::parse(n).ok());
        Ok(called.and_then(|n| settings.lines.iter().find(|l| l.number == n).cloned()))
    }

    /// A caller reached a voicemail box: who they are and the line are kept for the task, and a
    /// call still waiting in the queue leaves it (nobody should be rung for it) and is marked to
    /// end as a voicemail. Returns the greeting the admin wrote for the line's closed hours, if
    /// any, and whether the call's live transcription runs (the box stops it first).
    #[tracing::instrument(name = "control.voicemail_started", skip_all, fields(call = %sid))]
    pub async fn voicemail_started(
        &self,
        sid: &str,
        from: Option<&str>,
        to: Option<&str>,
        line_id: Option<&str>,
    ) -> Result<VoicemailBox, ControlError> {
        let line = self.line_of(line_id, to).await?;
        let greeting = match &line {
            Some(l) => match self
                .services
                .settings
                .get()
                .await?
                .hours
                .get(&l.id)
                .map(|h| &h.when_closed)
            {
                Some(WhenClosed::Voicemail { greeting }) if !greeting.trim().is_empty() => Some(greeting.clone()),
                _ => None,
            },
            None => None,
        };
        let customer = from.and_then(|f| PhoneNumber::parse(f).ok());
        let call = self.call(sid).await?;
        let caller = TaskCaller {
            customer: customer.as_ref().map(PhoneNumber::as_str),
            line_id: line.as_ref().map(|l| l.id.as_str()),
            line_number: line.as_ref().map(|l| l.number.as_str()),
            call_recorded: call.is_some(),
        };
        self.services.tasks.voicemail_started(sid, caller).await?;
        let call_transcribed = call.as_ref().is_some_and(|c| c.transcription_started_at.is_some());
        if let Some(call) = call {
            let first = Cond::And(vec![Cond::Exists, Cond::AttrNotExists(VOICEMAIL_AT.into())]);
            done_unless_failed(
                self.services
                    .store
                    .update(
                        &call_key(sid),
                        Update::default().set(VOICEMAIL_AT, super::now()),
                        Some(first),
                    )
                    .await,
            )?;
            if let Some(qsk) = call.queue_sk {
                self.services.store.delete(&queue_entry_key(&qsk), None).await?;
            }
        }
        Ok(VoicemailBox {
            greeting,
            call_transcribed,
        })
    }

    /// A voicemail recording's progress: once complete, the task is listed for operators and
    /// the recording filed for the retention sweep, as a call's recording is. A recording that
    /// is absent (the caller said nothing) or failed makes no task.
    #[tracing::instrument(name = "control.voicemail_recorded", skip_all, fields(call = %sid))]
    pub async fn voicemail_recorded(&self, sid: &str, cb: &RecordingStatusCallback) -> Result<(), ControlError> {
        match cb.recording_status {
            RecordingStatus::Completed => {
                self.services
                    .tasks
                    .voicemail_recorded(sid, &cb.recording_sid, cb.recording_duration)
                    .await?;
                self.file_under_account(sid).await?;
                self.file_recording(sid, &cb.recording_sid, chrono::Utc::now()).await?;
            }
            ref other => tracing::info!(status = ?other, "voicemail recording not kept"),
        }
        Ok(())
    }

    /// A voicemail's transcription event: a final phrase is added to the task's transcript,
    /// the end marks it complete; partial results are skipped (a final one replaces them).
    #[tracing::instrument(name = "control.voicemail_transcribed", skip_all, fields(call = %sid))]
    pub async fn voicemail_transcribed(&self, sid: &str, cb: &TranscriptionCallback) -> Result<(), ControlError> {
        match (&cb.event, &cb.result) {
            (TranscriptionEvent::Content, Some(r)) if r.is_final && !r.transcript.trim().is_empty() => {
                self.services.tasks.transcribed(sid, r.sequence, &r.transcript).await?;
            }
            (TranscriptionEvent::Stopped, _) => self.services.tasks.transcript_complete(sid).await?,
            (TranscriptionEvent::Error, _) => tracing::warn!("the voicemail's transcription failed"),
            _ => {}
        }
        Ok(())
    }
}
