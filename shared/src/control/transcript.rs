//! The live transcript of a call on a line that transcribes (リアルタイム文字起こし).
//!
//! The customer's leg starts Twilio's real-time transcription in TwiML as it enters its
//! conference (`<Start><Transcription languageCode="ja-JP" track="both_tracks">`, see
//! [`call_transcription`]): no REST request, so the incoming webhook keeps its budget, and it
//! runs until the customer's call ends, through holds and transfers. On the customer's leg the
//! inbound track is what the customer says and the outbound track what they hear from the
//! conference: the operator.
//!
//! Each final phrase arrives as a signed `transcription-content` callback and is kept as its
//! own item (see [`crate::domain::transcripts`] for why not on the call record), once per
//! `SequenceId`, for the operators on the call at that moment; the live channel pushes it to
//! them and to the board as it is stored. Phrases heard before an operator answered (the
//! greeting and wait messages on the outbound track, a waiting caller talking to themselves)
//! and what a held customer hears (the hold music's announcements, on the outbound track) are
//! not the conversation and are not kept.
//!
//! A waiting caller sent to the line's voicemail box leaves the conversation for good: the box
//! stops the call's transcription (`<Stop><Transcription name="call">`) before it starts its
//! own, so the message is transcribed once, into the voicemail task, and the call's
//! transcription (billed by the minute) does not run on unheard. The box knows the call's runs
//! from the call record, marked when Twilio reports `transcription-started`.

use crate::domain::calls::call_key;
use crate::domain::transcripts::{Heard, Kept, Speaker};
use crate::store::{Cond, Update, done_unless_failed};
use crate::twilio::twiml::{Start, Transcription, TranscriptionTrack};
use crate::twilio::webhook::{TranscriptionCallback, TranscriptionEvent, TranscriptionTrackHeard};

use super::{CallControl, CallbackUrls, ControlError};

/// The name of a call's transcription on Twilio (a voicemail box's is `voicemail`).
pub const TRANSCRIPTION_NAME: &str = "call";

/// The call record's attribute saying when the call's transcription started.
const TRANSCRIPTION_STARTED_AT: &str = "transcription_started_at";

/// The `<Start>` that transcribes customer call `sid` live, both sides, in Japanese, final
/// results only, reporting to [`CallbackUrls::call_transcript`].
pub fn call_transcription(urls: &CallbackUrls, sid: &str) -> Start {
    Start::transcription(
        Transcription::new("ja-JP", urls.call_transcript(sid))
            .name(TRANSCRIPTION_NAME)
            .track(TranscriptionTrack::BothTracks)
            .partial_results(false)
            .automatic_punctuation(true)
            .inbound_track_label("customer")
            .outbound_track_label("operator"),
    )
}

impl CallControl {
    /// Twilio started call `sid`'s transcription: the call record says so (once), so that a
    /// voicemail box the caller is later sent to stops it (see
    /// [`CallControl::voicemail_started`]). A call with no record is left as it is.
    async fn call_transcription_started(&self, sid: &str) -> Result<(), ControlError> {
        let first = Cond::And(vec![Cond::Exists, Cond::AttrNotExists(TRANSCRIPTION_STARTED_AT.into())]);
        done_unless_failed(
            self.services
                .store
                .update(
                    &call_key(sid),
                    Update::default().set(TRANSCRIPTION_STARTED_AT, super::now()),
                    Some(first),
                )
                .await,
        )?;
        Ok(())
    }

    /// Whether the line among `numbers` (the number called, or the caller ID of a call placed
    /// from the page) transcribes its calls, from the cached settings within `budget`; false
    /// when they cannot be read in time (the call goes on untranscribed).
    pub async fn line_transcribes(&self, numbers: &[Option<&str>], budget: std::time::Duration) -> bool {
        let Ok(Ok(settings)) = tokio::time::timeout(budget, self.services.settings.get()).await else {
            return false;
        };
        numbers
            .iter()
            .flatten()
            .filter_map(|n| crate::phone::PhoneNumber::parse(n).ok())
            .find_map(|n| settings.lines.iter().find(|l| l.number == n))
            .is_some_and(|l| l.transcription)
    }

    /// A call's transcription event: a final phrase said once an operator answered is kept
    /// (once per sequence number) for the operators on the call; partial results, phrases
    /// before the answer, what a held customer hears, and phrases of a call we have no record
    /// of are skipped.
    #[tracing::instrument(name = "control.call_transcribed", skip_all, fields(call = %sid))]
    pub async fn call_transcribed(&self, sid: &str, cb: &TranscriptionCallback) -> Result<(), ControlError> {
        let r = match (&cb.event, &cb.result) {
            (TranscriptionEvent::Content, Some(r)) if r.is_final && !r.transcript.trim().is_empty() => r,
            (TranscriptionEvent::Started, _) => return self.call_transcription_started(sid).await,
            (TranscriptionEvent::Error, _) => {
                tracing::warn!("the call's transcription failed");
                return Ok(());
            }
            _ => return Ok(()),
        };
        let Some(call) = self.call(sid).await? else {
            tracing::info!("a transcript phrase of a call with no record; skipped");
            return Ok(());
        };
        if call.summary.answered_at.is_none() {
            tracing::debug!("a phrase before an operator answered; not the conversation");
            return Ok(());
        }
        let speaker = match r.track {
            Some(TranscriptionTrackHeard::Outbound) => Speaker::Operator,
            _ => Speaker::Customer,
        };
        if speaker == Speaker::Operator && call.customer_held() {
            tracing::debug!("what a held customer hears is the hold music, not the operator");
            return Ok(());
        }
        let heard = Heard {
            seq: r.sequence,
            speaker,
            text: r.transcript.clone(),
            at: r.timestamp.clone().unwrap_or_else(super::now),
        };
        match self
            .services
            .transcripts
            .keep(sid, heard, &call.involved_operators())
            .await?
        {
            Kept::Stored | Kept::Duplicate => {}
            Kept::Dropped => tracing::warn!(seq = r.sequence, "a transcript phrase past the bound; dropped"),
        }
        Ok(())
    }
}
