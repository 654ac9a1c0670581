//! The telephony port: what call-control code asks of the phone network.
//!
//! Hold, consult, transfer and hang-up are all conference operations, so the port
//! is a handful of them: add a participant (ring an operator, a consult target or
//! a customer), change one (hold, mute, exit behaviour), remove one, redirect or
//! end a call, end a conference, place a call, read a call's state, and find a conference by
//! name.
//! Call-control code holds an `Arc<dyn Telephony>` and never sees HTTP: the
//! deployed system plugs in [`RestClient`], the local runtime plugs in its Twilio
//! simulator, and router tests plug in `RecordingTelephony` (module `recorder`, built with the
//! `test-support` feature only), which records what was asked and answers as configured.
//!
//! Errors are sorted by what the caller can do about them ([`TelephonyError`]):
//! a participant that is already gone (`NotFound`) is often fine to ignore, a
//! refusal is a bug or a state conflict, and an outage calls for telling the
//! operator to try again.

use std::sync::Arc;

use async_trait::async_trait;

use super::CallSid;
use super::ConferenceSid;
use super::media::{ByteRange, MediaAnswer};
use super::rest::{
    Call, Conference, ConferenceRecording, ConferenceRef, ConferenceStatus, CreateCall, CreateParticipant,
    ListConferences, Participant, ParticipantRef, RestClient, RestError, UpdateCall, UpdateConference,
    UpdateParticipant, UpdateRecording,
};

#[cfg(any(test, feature = "test-support"))]
pub mod recorder;
#[cfg(any(test, feature = "test-support"))]
pub use recorder::{RecordingTelephony, TelephonyOperation, TelephonyRequest};

/// Why a telephony operation failed, sorted by what the caller can do about it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TelephonyError {
    /// The call, conference or participant does not exist (any more): the customer
    /// hung up, or the conference ended.
    // Twilio's messages quote the numbers sent, so they stay out of the text that reaches logs.
    #[error("not found (code {code:?})")]
    NotFound {
        /// Twilio's error code (20404), when it gave one.
        code: Option<u32>,
        /// What was not found.
        message: String,
    },
    /// The request was refused: invalid for the resource's current state, or a bug
    /// on our side. Retrying the same request will not help.
    #[error("refused (HTTP {status}, code {code:?})")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// Twilio's error code.
        code: Option<u32>,
        /// Twilio's message.
        message: String,
    },
    /// Still rate-limited after the client's retries (Participants: 1 request per
    /// second per account by default). Worth retrying later.
    #[error("rate-limited by the telephony provider")]
    RateLimited,
    /// The provider could not be reached or failed. Worth retrying later.
    #[error("the telephony provider is unavailable")]
    Unavailable(#[source] Arc<dyn std::error::Error + Send + Sync>),
}

impl TelephonyError {
    /// An outage with a plain reason, for test doubles and simulators.
    pub fn unavailable(reason: &str) -> Self {
        TelephonyError::Unavailable(Arc::new(std::io::Error::other(reason.to_owned())))
    }
}

/// What a failed telephony request means to whoever asked for the call action: the call is gone
/// (409), Twilio refused it in the call's state (409 with Twilio's code), or try again (503).
impl From<TelephonyError> for crate::error::DomainError {
    fn from(e: TelephonyError) -> Self {
        use crate::error::DomainError;
        match e {
            TelephonyError::NotFound { .. } => {
                DomainError::conflict("call_ended", "the call is no longer connected", None)
            }
            TelephonyError::Rejected { code, .. } => DomainError::conflict(
                "rejected_by_twilio",
                format!(
                    "Twilio refused the action (error {})",
                    code.map(|c| c.to_string()).unwrap_or_default()
                ),
                None,
            ),
            other => DomainError::Unavailable(Box::new(other)),
        }
    }
}

impl From<TelephonyError> for crate::error::ApiError {
    fn from(e: TelephonyError) -> Self {
        crate::error::DomainError::from(e).into()
    }
}

impl From<RestError> for TelephonyError {
    fn from(error: RestError) -> Self {
        match error {
            RestError::Api(api) if api.status == 404 => TelephonyError::NotFound {
                code: api.code,
                message: api.message,
            },
            RestError::Api(api) if api.status == 429 => TelephonyError::RateLimited,
            RestError::Api(api) if (400..500).contains(&api.status) => TelephonyError::Rejected {
                status: api.status,
                code: api.code,
                message: api.message,
            },
            other => TelephonyError::Unavailable(Arc::new(other)),
        }
    }
}

/// The operations call control needs from the phone network. Every operator call
/// is a conference named after the customer's CallSid, so these are conference
/// operations plus the few call-level ones around them.
#[async_trait]
pub trait Telephony: Send + Sync {
    /// Calls someone into a conference: an operator's softphone when routing a
    /// waiting customer, a consult or transfer target, or the customer of an
    /// outgoing call. Returns the new participant, whose call SID later callbacks
    /// carry. Not retried on failure by implementations, since a repeat could ring
    /// the same person twice.
    async fn create_participant(
        &self,
        conference: &ConferenceRef,
        request: &CreateParticipant,
    ) -> Result<Participant, TelephonyError>;

    /// Changes a participant: hold and unhold (with hold music), mute, coaching,
    /// and `EndConferenceOnExit`, which must be set before holding because Twilio
    /// ignores changes to a held participant.
    async fn update_participant(
        &self,
        conference: &ConferenceSid,
        participant: &ParticipantRef,
        request: &UpdateParticipant,
    ) -> Result<Participant, TelephonyError>;

    /// Hangs up a participant's leg and removes it from the conference: the first
    /// operator leaving after a transfer, a consult ending.
    async fn remove_participant(
        &self,
        conference: &ConferenceSid,
        participant: &ParticipantRef,
    ) -> Result<(), TelephonyError>;

    /// Redirects a live call to new TwiML or ends it, for calls outside a conference
    /// (still in the incoming webhook's flow) or to hang a customer up for good.
    async fn update_call(&self, call: &CallSid, request: &UpdateCall) -> Result<Call, TelephonyError>;

    /// Ends a conference (everyone is disconnected) or plays an announcement to it.
    async fn update_conference(
        &self,
        conference: &ConferenceSid,
        request: &UpdateConference,
    ) -> Result<Conference, TelephonyError>;

    /// Places a call outside any conference (preview dialling from a call list
    /// starts this way before the callee is joined to a conference).
    async fn create_call(&self, request: &CreateCall) -> Result<Call, TelephonyError>;

    /// Pauses, resumes or stops a conference's recording ([`CURRENT_RECORDING`] names the
    /// active one).
    async fn update_conference_recording(
        &self,
        conference: &ConferenceSid,
        recording: &str,
        request: &UpdateRecording,
    ) -> Result<ConferenceRecording, TelephonyError>;

    /// Reads a call as Twilio knows it now (`GET /Calls/{CA}.json`): the reconciliation asks
    /// it when the store still believes a call live whose end callbacks may have been lost.
    /// `NotFound` when Twilio has no such call.
    async fn fetch_call(&self, call: &CallSid) -> Result<Call, TelephonyError>;

    /// Reads a participant of a conference as Twilio knows it now (`GET
    /// /Conferences/{CF}/Participants/{CA or label}.json`): whether the operator who accepted an
    /// offer is really in the call while their answer callback is late or lost. `NotFound` when
    /// no such participant is in the conference.
    async fn fetch_participant(
        &self,
        conference: &ConferenceSid,
        participant: &ParticipantRef,
    ) -> Result<Participant, TelephonyError>;

    /// Lists who is in a conference now (`GET /Conferences/{CF}/Participants.json`, one page):
    /// the reconciliation compares it with the participants the store believes in, when a
    /// participant's leave or hold callback may have been lost. `NotFound` when Twilio has no
    /// such conference; a conference that ended has nobody in it. A double that does not model
    /// conferences answers `Rejected`.
    async fn list_participants(&self, conference: &ConferenceSid) -> Result<Vec<Participant>, TelephonyError> {
        Err(TelephonyError::Rejected {
            status: 405,
            code: None,
            message: format!("this telephony does not list the participants of {conference}"),
        })
    }

    /// Finds the conferences with this name (the customer's CallSid), to learn the
    /// conference SID that participant updates need.
    async fn find_conferences(
        &self,
        friendly_name: &str,
        status: Option<ConferenceStatus>,
    ) -> Result<Vec<Conference>, TelephonyError>;

    /// A part of a recording's media, at most `max` bytes of `range` (see [`super::media`]):
    /// a call's recording played with seeking. Only the REST client serves media; a double that
    /// does not answers `Rejected`.
    async fn recording_part(&self, recording: &str, range: ByteRange, max: u64) -> Result<MediaAnswer, TelephonyError> {
        let _ = (range, max);
        Err(TelephonyError::Rejected {
            status: 405,
            code: None,
            message: format!("this telephony does not serve the media of {recording}"),
        })
    }

    /// Deletes a recording and its media at Twilio (`DELETE /Recordings/{RE}.json`), when the
    /// console's retention period for it ran out. `NotFound` when Twilio has no such recording
    /// (any more).
    async fn delete_recording(&self, recording: &str) -> Result<(), TelephonyError> {
        Err(TelephonyError::Rejected {
            status: 405,
            code: None,
            message: format!("this telephony does not delete {recording}"),
        })
    }
}

#[async_trait]
impl Telephony for RestClient {
    async fn create_participant(
        &self,
        conference: &ConferenceRef,
        request: &CreateParticipant,
    ) -> Result<Participant, TelephonyError> {
        Ok(RestClient::create_participant(self, conference, request).await?)
    }

    async fn update_participant(
        &self,
        conference: &ConferenceSid,
        participant: &ParticipantRef,
        request: &UpdateParticipant,
    ) -> Result<Participant, TelephonyError> {
        Ok(RestClient::update_participant(self, conference, participant, request).await?)
    }

    async fn remove_participant(
        &self,
        conference: &ConferenceSid,
        participant: &ParticipantRef,
    ) -> Result<(), TelephonyError> {
        Ok(RestClient::delete_participant(self, conference, participant).await?)
    }

    async fn update_call(&self, call: &CallSid, request: &UpdateCall) -> Result<Call, TelephonyError> {
        Ok(RestClient::update_call(self, call, request).await?)
    }

    async fn update_conference(
        &self,
        conference: &ConferenceSid,
        request: &UpdateConference,
    ) -> Result<Conference, TelephonyError> {
        Ok(RestClient::update_conference(self, conference, request).await?)
    }

    async fn create_call(&self, request: &CreateCall) -> Result<Call, TelephonyError> {
        Ok(RestClient::create_call(self, request).await?)
    }

    async fn update_conference_recording(
        &self,
        conference: &ConferenceSid,
        recording: &str,
        request: &UpdateRecording,
    ) -> Result<ConferenceRecording, TelephonyError> {
        Ok(RestClient::update_conference_recording(self, conference, recording, request).await?)
    }

    async fn fetch_call(&self, call: &CallSid) -> Result<Call, TelephonyError> {
        Ok(RestClient::fetch_call(self, call).await?)
    }

    async fn fetch_participant(
        &self,
        conference: &ConferenceSid,
        participant: &ParticipantRef,
    ) -> Result<Participant, TelephonyError> {
        Ok(RestClient::fetch_participant(self, conference, participant).await?)
    }

    async fn list_participants(&self, conference: &ConferenceSid) -> Result<Vec<Participant>, TelephonyError> {
        Ok(RestClient::list_participants(self, conference).await?.participants)
    }

    async fn find_conferences(
        &self,
        friendly_name: &str,
        status: Option<ConferenceStatus>,
    ) -> Result<Vec<Conference>, TelephonyError> {
        let request = ListConferences {
            friendly_name: friendly_name.to_owned(),
            status,
            page_size: Some(20),
        };
        Ok(self.list_conferences(&request).await?.conferences)
    }

    async fn recording_part(&self, recording: &str, range: ByteRange, max: u64) -> Result<MediaAnswer, TelephonyError> {
        Ok(RestClient::recording_part(self, recording, range, max).await?)
    }

    async fn delete_recording(&self, recording: &str) -> Result<(), TelephonyError> {
        Ok(RestClient::delete_recording(self, recording).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::twilio::rest::{RestError, TwilioApiError};

    #[test]
    fn rest_errors_map_to_what_the_caller_can_do() {
        let api = |status, code| {
            RestError::Api(TwilioApiError {
                status,
                code,
                message: "m".to_owned(),
                more_info: None,
            })
        };
        assert!(matches!(
            TelephonyError::from(api(404, Some(20404))),
            TelephonyError::NotFound { .. }
        ));
        assert!(matches!(
            TelephonyError::from(api(429, Some(20429))),
            TelephonyError::RateLimited
        ));
        assert!(matches!(
            TelephonyError::from(api(400, Some(21205))),
            TelephonyError::Rejected { status: 400, .. }
        ));
        assert!(matches!(
            TelephonyError::from(api(503, None)),
            TelephonyError::Unavailable(_)
        ));
        assert!(matches!(
            TelephonyError::from(RestError::Timeout(std::time::Duration::from_secs(1))),
            TelephonyError::Unavailable(_)
        ));
    }
}
