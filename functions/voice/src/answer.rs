//! What the voice handlers answer with: TwiML in Japanese with Polly Mizuki's voice, the
//! conference settings every participant shares (events reported, recording on lines that
//! record) and the status a callback answers with.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::control::ControlError;
use shared::domain::calls::ParticipantLabel;
use shared::twilio::twiml::{
    Conference, ConferenceRecord, ConferenceStatusEvent, Dial, HttpMethod, RecordingStatusEvent, Say, SayLanguage,
    SayVoice, VoiceResponse,
};

use crate::VoiceState;

pub(crate) const VOICE: SayVoice = SayVoice::PollyMizuki;

pub(crate) fn say(text: &str) -> Say {
    Say::new(text).voice(VOICE).language(SayLanguage::JaJp)
}

pub(crate) fn twiml(r: VoiceResponse) -> Response {
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], r.to_xml()).into_response()
}

pub(crate) fn plain(status: StatusCode, text: &'static str) -> Response {
    (status, text).into_response()
}

/// The answer to a status callback: 204 when applied; 503 when not, so Twilio retries (every
/// write a callback makes is idempotent).
pub(crate) fn callback_outcome(result: Result<(), ControlError>, what: &str) -> Response {
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "{what}");
            plain(StatusCode::SERVICE_UNAVAILABLE, "try again")
        }
    }
}

/// A conference's participant events reach the conference webhook. Only the first
/// participant's settings count on Twilio, so every participant that may be first sets them.
/// The conference's start is not asked for: the participant whose join starts it is reported
/// joining, with the same conference SID, which is all the start was used for.
pub(crate) fn reported(conference: Conference, st: &VoiceState) -> Conference {
    conference
        .status_callback(st.control.urls.conference_events())
        .status_callback_events(&[
            ConferenceStatusEvent::End,
            ConferenceStatusEvent::Join,
            ConferenceStatusEvent::Leave,
            ConferenceStatusEvent::Hold,
            ConferenceStatusEvent::Modify,
        ])
        .status_callback_method(HttpMethod::Post)
}

/// A conference on a line that records (a setting per line) records from its start; the
/// recording's SID, state and finally its URL land on the call record.
pub(crate) fn recorded(conference: Conference, st: &VoiceState, sid: &str, record: bool) -> Conference {
    if !record {
        return conference;
    }
    conference
        .record(ConferenceRecord::RecordFromStart)
        .recording_status_callback(
            st.control.urls.recording(sid),
            &[
                RecordingStatusEvent::InProgress,
                RecordingStatusEvent::Completed,
                RecordingStatusEvent::Absent,
            ],
        )
}

/// Dials call `sid`'s conference as the participant labelled `label`: reported, and recorded
/// when the line records.
pub(crate) fn dial_into(
    st: &VoiceState,
    conference: Conference,
    sid: &str,
    label: ParticipantLabel,
    record: bool,
) -> Dial {
    let labelled = conference.participant_label(label.as_str());
    Dial::conference(recorded(reported(labelled, st), st, sid, record))
}
