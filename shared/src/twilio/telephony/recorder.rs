//! A test double of the telephony port: [`RecordingTelephony`] records every request
//! call control makes and answers with a plausible success, the conferences it was given,
//! or a failure injected for the next call of an operation. Router and domain tests in
//! every crate use it (feature `test-support`); the deployed functions never build it.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use super::{Telephony, TelephonyError};
use crate::twilio::media::{ByteRange, MediaAnswer, MediaPart};
use crate::twilio::rest::{
    CURRENT_RECORDING, Call, CallUpdateStatus, Conference, ConferenceRecording, ConferenceRef, ConferenceStatus,
    CreateCall, CreateParticipant, ListConferences, Participant, ParticipantRef, ParticipantStatus, UpdateCall,
    UpdateConference, UpdateParticipant, UpdateRecording,
};
use crate::twilio::webhook::CallStatus;
use crate::twilio::{AccountSid, CallSid, ConferenceSid};

/// The operations of the port, to aim injected failures at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TelephonyOperation {
    /// [`Telephony::create_participant`].
    CreateParticipant,
    /// [`Telephony::update_participant`].
    UpdateParticipant,
    /// [`Telephony::remove_participant`].
    RemoveParticipant,
    /// [`Telephony::update_call`].
    UpdateCall,
    /// [`Telephony::update_conference`].
    UpdateConference,
    /// [`Telephony::create_call`].
    CreateCall,
    /// [`Telephony::find_conferences`].
    FindConferences,
    /// [`Telephony::update_conference_recording`].
    UpdateRecording,
    /// [`Telephony::fetch_call`].
    FetchCall,
    /// [`Telephony::fetch_participant`].
    FetchParticipant,
    /// [`Telephony::list_participants`].
    ListParticipants,
    /// [`Telephony::delete_recording`].
    DeleteRecording,
    /// [`Telephony::recording_part`] (not recorded as a request: media is not a REST resource
    /// of the spec; see [`RecordingTelephony::media_reads`]).
    RecordingPart,
}

/// One request made to a [`RecordingTelephony`], with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TelephonyRequest {
    /// A participant was added.
    CreateParticipant {
        /// The conference.
        conference: ConferenceRef,
        /// The request.
        request: CreateParticipant,
    },
    /// A participant was changed.
    UpdateParticipant {
        /// The conference.
        conference: ConferenceSid,
        /// The participant.
        participant: ParticipantRef,
        /// The request.
        request: UpdateParticipant,
    },
    /// A participant was removed.
    RemoveParticipant {
        /// The conference.
        conference: ConferenceSid,
        /// The participant.
        participant: ParticipantRef,
    },
    /// A call was redirected or ended.
    UpdateCall {
        /// The call.
        call: CallSid,
        /// The request.
        request: UpdateCall,
    },
    /// A conference was ended or announced to.
    UpdateConference {
        /// The conference.
        conference: ConferenceSid,
        /// The request.
        request: UpdateConference,
    },
    /// A call was placed.
    CreateCall(CreateCall),
    /// A conference recording was paused, resumed or stopped.
    UpdateRecording {
        /// The conference.
        conference: ConferenceSid,
        /// The recording (`RE…` or `Twilio.CURRENT`).
        recording: String,
        /// The request.
        request: UpdateRecording,
    },
    /// A call's state was read.
    FetchCall(CallSid),
    /// A participant's state was read.
    FetchParticipant {
        /// The conference.
        conference: ConferenceSid,
        /// The participant.
        participant: ParticipantRef,
    },
    /// A conference's participants were listed.
    ListParticipants {
        /// The conference.
        conference: ConferenceSid,
    },
    /// A recording was deleted (`RE…`).
    DeleteRecording(String),
    /// Conferences were looked up by name.
    FindConferences {
        /// The name.
        friendly_name: String,
        /// The state filter.
        status: Option<ConferenceStatus>,
    },
}

impl TelephonyRequest {
    /// The request as the REST client would send it for `account`, to check against Twilio's spec.
    pub fn prepared(&self, account: &AccountSid) -> crate::twilio::rest::PreparedRequest {
        use crate::twilio::rest::PreparedRequest as P;
        match self {
            TelephonyRequest::CreateParticipant { conference, request } => {
                P::create_participant(account, conference, request)
            }
            TelephonyRequest::UpdateParticipant {
                conference,
                participant,
                request,
            } => P::update_participant(account, conference, participant, request),
            TelephonyRequest::RemoveParticipant {
                conference,
                participant,
            } => P::delete_participant(account, conference, participant),
            TelephonyRequest::UpdateCall { call, request } => P::update_call(account, call, request),
            TelephonyRequest::UpdateConference { conference, request } => {
                P::update_conference(account, conference, request)
            }
            TelephonyRequest::CreateCall(request) => P::create_call(account, request),
            TelephonyRequest::UpdateRecording {
                conference,
                recording,
                request,
            } => P::update_conference_recording(account, conference, recording, request),
            TelephonyRequest::FetchCall(call) => P::fetch_call(account, call),
            TelephonyRequest::DeleteRecording(recording) => P::delete_recording(account, recording),
            TelephonyRequest::FetchParticipant {
                conference,
                participant,
            } => P::fetch_participant(account, conference, participant),
            TelephonyRequest::ListParticipants { conference } => P::list_participants(account, conference),
            TelephonyRequest::FindConferences { friendly_name, status } => P::list_conferences(
                account,
                &ListConferences {
                    friendly_name: friendly_name.clone(),
                    status: *status,
                    page_size: Some(20),
                },
            ),
        }
    }

    /// Which operation this request was.
    pub fn operation(&self) -> TelephonyOperation {
        match self {
            TelephonyRequest::CreateParticipant { .. } => TelephonyOperation::CreateParticipant,
            TelephonyRequest::UpdateParticipant { .. } => TelephonyOperation::UpdateParticipant,
            TelephonyRequest::RemoveParticipant { .. } => TelephonyOperation::RemoveParticipant,
            TelephonyRequest::UpdateCall { .. } => TelephonyOperation::UpdateCall,
            TelephonyRequest::UpdateConference { .. } => TelephonyOperation::UpdateConference,
            TelephonyRequest::CreateCall(_) => TelephonyOperation::CreateCall,
            TelephonyRequest::FindConferences { .. } => TelephonyOperation::FindConferences,
            TelephonyRequest::UpdateRecording { .. } => TelephonyOperation::UpdateRecording,
            TelephonyRequest::FetchCall(_) => TelephonyOperation::FetchCall,
            TelephonyRequest::DeleteRecording(_) => TelephonyOperation::DeleteRecording,
            TelephonyRequest::FetchParticipant { .. } => TelephonyOperation::FetchParticipant,
            TelephonyRequest::ListParticipants { .. } => TelephonyOperation::ListParticipants,
        }
    }
}

/// A test double of the port for router and domain tests in other crates: it
/// records every request and answers with a plausible success built from the
/// request (fresh, deterministic SIDs), with the conferences it was given, or with
/// a failure injected for the next call of an operation.
///
/// It does not pretend to be Twilio (no call states, no callbacks); the local
/// runtime's simulator does that.
#[derive(Debug)]
pub struct RecordingTelephony {
    account_sid: AccountSid,
    state: Mutex<RecorderState>,
}

#[derive(Debug, Default)]
struct RecorderState {
    requests: Vec<TelephonyRequest>,
    failures: VecDeque<(TelephonyOperation, TelephonyError)>,
    conferences: Vec<Conference>,
    /// What `fetch_call` answers per call: its state and when it ended.
    calls: std::collections::HashMap<String, (CallStatus, Option<chrono::DateTime<chrono::Utc>>)>,
    /// What `list_participants` answers per conference: who is in it (label, call, on hold).
    rooms: std::collections::HashMap<String, Vec<(String, CallSid, bool)>>,
    /// The media of each recording it serves, and the ranges asked of it.
    media: std::collections::HashMap<String, Vec<u8>>,
    media_reads: Vec<(String, ByteRange)>,
    next_sid: u64,
}

impl Default for RecordingTelephony {
    fn default() -> Self {
        Self::new(AccountSid::parse(&format!("AC{}", "0".repeat(32))).expect("a valid constant SID"))
    }
}

impl RecordingTelephony {
    /// A recorder whose answers carry `account_sid`.
    pub fn new(account_sid: AccountSid) -> Self {
        Self {
            account_sid,
            state: Mutex::new(RecorderState::default()),
        }
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<TelephonyRequest> {
        self.lock().requests.clone()
    }

    /// Every request so far, clearing the record.
    pub fn take_requests(&self) -> Vec<TelephonyRequest> {
        std::mem::take(&mut self.lock().requests)
    }

    /// Makes the next call of `operation` fail with `error` (queued: several
    /// injections for one operation fail its next several calls). The request is
    /// still recorded.
    pub fn fail_next(&self, operation: TelephonyOperation, error: TelephonyError) {
        self.lock().failures.push_back((operation, error));
    }

    /// The conferences `find_conferences` searches.
    pub fn set_conferences(&self, conferences: Vec<Conference>) {
        self.lock().conferences = conferences;
    }

    /// What `fetch_call` answers for `call` from now on: its state, and when it ended. A call
    /// never set is answered as `in-progress` (live).
    pub fn set_call(&self, call: &str, status: CallStatus, ended_at: Option<chrono::DateTime<chrono::Utc>>) {
        self.lock().calls.insert(call.to_owned(), (status, ended_at));
    }

    /// Who `list_participants` finds in `conference` from now on: each one connected, with its
    /// label, its call and whether it is on hold. A conference never set is answered
    /// `NotFound`, as Twilio answers one it does not know.
    pub fn set_participants(&self, conference: &ConferenceSid, participants: &[(&str, &CallSid, bool)]) {
        let room = participants
            .iter()
            .map(|(label, call, hold)| ((*label).to_owned(), (*call).clone(), *hold))
            .collect();
        self.lock().rooms.insert(conference.as_str().to_owned(), room);
    }

    /// The media `recording_part` serves for `recording` from now on (a recording never set is
    /// answered `NotFound`, as Twilio answers one it does not keep).
    pub fn set_recording_media(&self, recording: &str, media: Vec<u8>) {
        self.lock().media.insert(recording.to_owned(), media);
    }

    /// Every media read so far: the recording and the range forwarded (already bounded).
    pub fn media_reads(&self) -> Vec<(String, ByteRange)> {
        self.lock().media_reads.clone()
    }

    fn lock(&self) -> MutexGuard<'_, RecorderState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records the request, then returns the injected failure for it, if any, and
    /// a fresh counter for building SIDs.
    fn record(&self, request: TelephonyRequest) -> Result<u64, TelephonyError> {
        let mut state = self.lock();
        let operation = request.operation();
        state.requests.push(request);
        if let Some(index) = state.failures.iter().position(|(op, _)| *op == operation) {
            let (_, error) = state.failures.remove(index).expect("the index was just found");
            return Err(error);
        }
        state.next_sid += 1;
        Ok(state.next_sid)
    }

    fn participant(
        &self,
        counter: u64,
        conference: Option<&ConferenceSid>,
        call: Option<&CallSid>,
        label: Option<String>,
    ) -> Participant {
        Participant {
            account_sid: self.account_sid.clone(),
            call_sid: call.cloned().unwrap_or_else(|| fresh_sid(counter, "CA")),
            conference_sid: conference.cloned().unwrap_or_else(|| fresh_sid(counter, "CF")),
            label,
            status: Some(ParticipantStatus::Queued),
            muted: Some(false),
            hold: Some(false),
            coaching: Some(false),
            call_sid_to_coach: None,
            end_conference_on_exit: Some(false),
            start_conference_on_enter: Some(true),
            date_created: None,
            date_updated: None,
            uri: None,
        }
    }

    fn call(&self, sid: CallSid, status: CallStatus) -> Call {
        Call {
            sid,
            account_sid: self.account_sid.clone(),
            parent_call_sid: None,
            to: None,
            from: None,
            status: Some(status),
            direction: Some("outbound-api".to_owned()),
            start_time: None,
            end_time: None,
            duration: None,
            date_created: None,
            date_updated: None,
            uri: None,
        }
    }
}

/// A deterministic SID of the given kind: the prefix and the counter in hex.
fn fresh_sid<T: TryFrom<String>>(counter: u64, prefix: &str) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(format!("{prefix}{counter:032x}")).expect("prefix and 32 hex digits make a SID")
}

#[async_trait]
impl Telephony for RecordingTelephony {
    async fn create_participant(
        &self,
        conference: &ConferenceRef,
        request: &CreateParticipant,
    ) -> Result<Participant, TelephonyError> {
        let counter = self.record(TelephonyRequest::CreateParticipant {
            conference: conference.clone(),
            request: request.clone(),
        })?;
        let conference_sid = match conference {
            ConferenceRef::Sid(sid) => Some(sid),
            ConferenceRef::FriendlyName(_) => None,
        };
        let mut participant = self.participant(counter, conference_sid, None, request.label.clone());
        participant.muted = request.muted.or(Some(false));
        participant.coaching = request.coaching.or(Some(false));
        participant.call_sid_to_coach = request.call_sid_to_coach.clone();
        participant.end_conference_on_exit = request.end_conference_on_exit.or(Some(false));
        participant.start_conference_on_enter = request.start_conference_on_enter.or(Some(true));
        Ok(participant)
    }

    async fn update_participant(
        &self,
        conference: &ConferenceSid,
        participant: &ParticipantRef,
        request: &UpdateParticipant,
    ) -> Result<Participant, TelephonyError> {
        let counter = self.record(TelephonyRequest::UpdateParticipant {
            conference: conference.clone(),
            participant: participant.clone(),
            request: request.clone(),
        })?;
        let (call, label) = match participant {
            ParticipantRef::Call(sid) => (Some(sid), None),
            ParticipantRef::Label(label) => (None, Some(label.clone())),
        };
        let mut updated = self.participant(counter, Some(conference), call, label);
        updated.status = Some(ParticipantStatus::Connected);
        updated.hold = request.hold.or(Some(false));
        updated.muted = request.muted.or(Some(false));
        updated.coaching = request.coaching.or(Some(false));
        updated.call_sid_to_coach = request.call_sid_to_coach.clone();
        updated.end_conference_on_exit = request.end_conference_on_exit.or(Some(false));
        Ok(updated)
    }

    /// A participant asked for is answered as connected (as `update_participant` answers); one
    /// that is not there is a failure injected for [`TelephonyOperation::FetchParticipant`].
    async fn fetch_participant(
        &self,
        conference: &ConferenceSid,
        participant: &ParticipantRef,
    ) -> Result<Participant, TelephonyError> {
        let counter = self.record(TelephonyRequest::FetchParticipant {
            conference: conference.clone(),
            participant: participant.clone(),
        })?;
        let (call, label) = match participant {
            ParticipantRef::Call(sid) => (Some(sid), None),
            ParticipantRef::Label(label) => (None, Some(label.clone())),
        };
        let mut found = self.participant(counter, Some(conference), call, label);
        found.status = Some(ParticipantStatus::Connected);
        Ok(found)
    }

    /// The participants set with [`RecordingTelephony::set_participants`], each connected.
    async fn list_participants(&self, conference: &ConferenceSid) -> Result<Vec<Participant>, TelephonyError> {
        let counter = self.record(TelephonyRequest::ListParticipants {
            conference: conference.clone(),
        })?;
        let Some(room) = self.lock().rooms.get(conference.as_str()).cloned() else {
            return Err(TelephonyError::NotFound {
                code: Some(20404),
                message: format!("no conference {conference}"),
            });
        };
        Ok(room
            .into_iter()
            .map(|(label, call, hold)| {
                let mut p = self.participant(counter, Some(conference), Some(&call), Some(label));
                p.status = Some(ParticipantStatus::Connected);
                p.hold = Some(hold);
                p
            })
            .collect())
    }

    async fn remove_participant(
        &self,
        conference: &ConferenceSid,
        participant: &ParticipantRef,
    ) -> Result<(), TelephonyError> {
        self.record(TelephonyRequest::RemoveParticipant {
            conference: conference.clone(),
            participant: participant.clone(),
        })
        .map(drop)
    }

    async fn update_call(&self, call: &CallSid, request: &UpdateCall) -> Result<Call, TelephonyError> {
        self.record(TelephonyRequest::UpdateCall {
            call: call.clone(),
            request: request.clone(),
        })?;
        let status = match request {
            UpdateCall::End(CallUpdateStatus::Canceled) => CallStatus::Canceled,
            UpdateCall::End(_) => CallStatus::Completed,
            _ => CallStatus::InProgress,
        };
        Ok(self.call(call.clone(), status))
    }

    async fn update_conference(
        &self,
        conference: &ConferenceSid,
        request: &UpdateConference,
    ) -> Result<Conference, TelephonyError> {
        self.record(TelephonyRequest::UpdateConference {
            conference: conference.clone(),
            request: request.clone(),
        })?;
        let known = self.lock().conferences.iter().find(|c| &c.sid == conference).cloned();
        let mut result = known.unwrap_or_else(|| Conference {
            sid: conference.clone(),
            account_sid: self.account_sid.clone(),
            friendly_name: String::new(),
            status: Some(ConferenceStatus::InProgress),
            region: None,
            reason_conference_ended: None,
            call_sid_ending_conference: None,
            date_created: None,
            date_updated: None,
            uri: None,
        });
        if request.end {
            result.status = Some(ConferenceStatus::Completed);
        }
        Ok(result)
    }

    async fn update_conference_recording(
        &self,
        conference: &ConferenceSid,
        recording: &str,
        request: &UpdateRecording,
    ) -> Result<ConferenceRecording, TelephonyError> {
        let counter = self.record(TelephonyRequest::UpdateRecording {
            conference: conference.clone(),
            recording: recording.to_owned(),
            request: request.clone(),
        })?;
        Ok(ConferenceRecording {
            sid: if recording == CURRENT_RECORDING {
                fresh_sid(counter, "RE")
            } else {
                recording.to_owned()
            },
            status: Some(request.status.to_string()),
            conference_sid: Some(conference.to_string()),
        })
    }

    async fn create_call(&self, request: &CreateCall) -> Result<Call, TelephonyError> {
        let counter = self.record(TelephonyRequest::CreateCall(request.clone()))?;
        let mut call = self.call(fresh_sid(counter, "CA"), CallStatus::Queued);
        call.to = Some(request.to.clone());
        call.from = Some(request.from.clone());
        Ok(call)
    }

    async fn fetch_call(&self, call: &CallSid) -> Result<Call, TelephonyError> {
        self.record(TelephonyRequest::FetchCall(call.clone()))?;
        let known = self.lock().calls.get(call.as_str()).cloned();
        let (status, ended) = known.unwrap_or((CallStatus::InProgress, None));
        let mut answer = self.call(call.clone(), status);
        answer.direction = Some("inbound".to_owned());
        answer.end_time = ended;
        Ok(answer)
    }

    /// Deleting a recording forgets its media; an injected `NotFound` plays one already gone.
    async fn delete_recording(&self, recording: &str) -> Result<(), TelephonyError> {
        self.record(TelephonyRequest::DeleteRecording(recording.to_owned()))?;
        self.lock().media.remove(recording);
        Ok(())
    }

    /// Serves the media set with [`RecordingTelephony::set_recording_media`] as Twilio does: the
    /// range forwarded bounded (recorded in [`RecordingTelephony::media_reads`]), then cut to
    /// `max` bytes.
    async fn recording_part(&self, recording: &str, range: ByteRange, max: u64) -> Result<MediaAnswer, TelephonyError> {
        let mut state = self.lock();
        state.media_reads.push((recording.to_owned(), range.bounded(max)));
        if let Some(index) = state
            .failures
            .iter()
            .position(|(op, _)| *op == TelephonyOperation::RecordingPart)
        {
            let (_, error) = state.failures.remove(index).expect("the index was just found");
            return Err(error);
        }
        let Some(media) = state.media.get(recording) else {
            return Err(TelephonyError::NotFound {
                code: Some(20404),
                message: format!("no recording {recording}"),
            });
        };
        let total = media.len() as u64;
        Ok(match range.bounded(max).within(total, max) {
            Some((first, last)) => MediaAnswer::Part(MediaPart {
                bytes: media[first as usize..=last as usize].to_vec(),
                first,
                total,
                content_type: "audio/x-wav".to_owned(),
            }),
            None => MediaAnswer::Unsatisfiable { total: Some(total) },
        })
    }

    async fn find_conferences(
        &self,
        friendly_name: &str,
        status: Option<ConferenceStatus>,
    ) -> Result<Vec<Conference>, TelephonyError> {
        self.record(TelephonyRequest::FindConferences {
            friendly_name: friendly_name.to_owned(),
            status,
        })?;
        Ok(self
            .lock()
            .conferences
            .iter()
            .filter(|c| c.friendly_name == friendly_name)
            .filter(|c| status.is_none() || c.status == status)
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::twilio::ClientIdentity;
    use crate::twilio::rest::ParticipantTo;

    fn conference() -> ConferenceSid {
        ConferenceSid::parse(&format!("CF{}", "a".repeat(32))).unwrap()
    }

    fn customer() -> CallSid {
        CallSid::parse(&format!("CA{}", "b".repeat(32))).unwrap()
    }

    fn ring_operator() -> CreateParticipant {
        CreateParticipant {
            label: Some("operator".to_owned()),
            end_conference_on_exit: Some(false),
            ..CreateParticipant::new(
                "client:system",
                ParticipantTo::Client {
                    identity: ClientIdentity::parse("op_yamada").unwrap(),
                    params: Vec::new(),
                },
            )
        }
    }

    /// Call-control code holds the port as a trait object; both adapters fit.
    fn as_port(telephony: Arc<dyn Telephony>) -> Arc<dyn Telephony> {
        telephony
    }

    #[tokio::test]
    async fn the_recorder_answers_with_fresh_sids_and_records_in_order() {
        let recorder = Arc::new(RecordingTelephony::default());
        let port = as_port(recorder.clone());

        let first = port
            .create_participant(&ConferenceRef::FriendlyName(customer().to_string()), &ring_operator())
            .await
            .unwrap();
        let second = port
            .create_participant(&ConferenceRef::Sid(conference()), &ring_operator())
            .await
            .unwrap();
        assert_ne!(first.call_sid, second.call_sid);
        assert_eq!(second.conference_sid, conference());
        assert_eq!(first.label.as_deref(), Some("operator"));

        let held = port
            .update_participant(
                &conference(),
                &ParticipantRef::Label("customer".to_owned()),
                &UpdateParticipant::hold("https://x.example/hold"),
            )
            .await
            .unwrap();
        assert_eq!(held.hold, Some(true));
        port.remove_participant(&conference(), &ParticipantRef::Call(first.call_sid.clone()))
            .await
            .unwrap();
        let ended = port
            .update_call(&customer(), &UpdateCall::End(CallUpdateStatus::Completed))
            .await
            .unwrap();
        assert_eq!(ended.status, Some(CallStatus::Completed));

        let operations: Vec<_> = recorder.requests().iter().map(TelephonyRequest::operation).collect();
        assert_eq!(
            operations,
            vec![
                TelephonyOperation::CreateParticipant,
                TelephonyOperation::CreateParticipant,
                TelephonyOperation::UpdateParticipant,
                TelephonyOperation::RemoveParticipant,
                TelephonyOperation::UpdateCall,
            ]
        );
        assert_eq!(recorder.take_requests().len(), 5);
        assert!(recorder.requests().is_empty());
    }

    #[tokio::test]
    async fn an_injected_failure_hits_only_the_next_call_of_its_operation() {
        let recorder = RecordingTelephony::default();
        recorder.fail_next(TelephonyOperation::CreateParticipant, TelephonyError::RateLimited);
        recorder.fail_next(
            TelephonyOperation::RemoveParticipant,
            TelephonyError::NotFound {
                code: Some(20404),
                message: "gone".to_owned(),
            },
        );

        assert!(
            recorder
                .update_call(&customer(), &UpdateCall::End(CallUpdateStatus::Canceled))
                .await
                .is_ok()
        );
        assert!(matches!(
            recorder
                .create_participant(&ConferenceRef::Sid(conference()), &ring_operator())
                .await,
            Err(TelephonyError::RateLimited)
        ));
        assert!(
            recorder
                .create_participant(&ConferenceRef::Sid(conference()), &ring_operator())
                .await
                .is_ok()
        );
        assert!(matches!(
            recorder
                .remove_participant(&conference(), &ParticipantRef::Label("consult".to_owned()))
                .await,
            Err(TelephonyError::NotFound { .. })
        ));
        assert_eq!(recorder.requests().len(), 4, "failed requests are recorded too");
    }

    #[tokio::test]
    async fn conferences_are_found_among_the_configured_ones() {
        let recorder = RecordingTelephony::default();
        let room = |sid: char, name: &str, status| Conference {
            sid: ConferenceSid::parse(&format!("CF{}", sid.to_string().repeat(32))).unwrap(),
            account_sid: AccountSid::parse(&format!("AC{}", "0".repeat(32))).unwrap(),
            friendly_name: name.to_owned(),
            status: Some(status),
            region: None,
            reason_conference_ended: None,
            call_sid_ending_conference: None,
            date_created: None,
            date_updated: None,
            uri: None,
        };
        recorder.set_conferences(vec![
            room('1', "CAx", ConferenceStatus::Completed),
            room('2', "CAx", ConferenceStatus::InProgress),
            room('3', "CAy", ConferenceStatus::InProgress),
        ]);
        let found = recorder
            .find_conferences("CAx", Some(ConferenceStatus::InProgress))
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].sid.as_str(), format!("CF{}", "2".repeat(32)));
        assert_eq!(recorder.find_conferences("CAx", None).await.unwrap().len(), 2);
        let ended = recorder
            .update_conference(&found[0].sid, &UpdateConference::end())
            .await
            .unwrap();
        assert_eq!(ended.status, Some(ConferenceStatus::Completed));
    }
}
