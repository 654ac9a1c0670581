//! The one way a softphone is rung into a call's conference: an operator offered the call, a
//! transfer's target, an operator rung back or rejoining, a supervisor monitoring. Each leg is
//! a participant added over REST to the client identity of the user, labelled with its role in
//! the call, showing the customer's number, joining without a beep and never ending the
//! conference when it leaves; its custom parameters start with `callSid` so the page knows
//! which call rings.

use super::ControlError;
use crate::domain::calls::ParticipantLabel;
use crate::error::DomainError;
use crate::ids::OperatorId;
use crate::twilio::rest::{CreateParticipant, ParticipantTo};
use crate::twilio::twiml::{CallProgressEvent, ConferenceBeep, HttpMethod};
use crate::twilio::{CallSid, ClientIdentity};

/// A softphone leg about to be added to a call's conference.
pub struct SoftphoneLeg {
    request: CreateParticipant,
}

impl SoftphoneLeg {
    /// `user`'s softphone as participant `label` of call `call_sid`, showing `caller_id`. It
    /// starts the conference when it joins (the customer may be waiting in it) and rings for
    /// Twilio's default time unless told otherwise.
    pub fn new(
        user: &OperatorId,
        call_sid: &str,
        caller_id: &str,
        label: ParticipantLabel,
    ) -> Result<Self, ControlError> {
        let identity = ClientIdentity::parse(&user.client_identity())
            .map_err(|_| DomainError::NotFound(format!("operator {user} has no softphone identity")))?;
        let params = vec![("callSid".to_owned(), call_sid.to_owned())];
        let mut request = CreateParticipant::new(caller_id.to_owned(), ParticipantTo::Client { identity, params });
        request.label = Some(label.as_str().to_owned());
        request.start_conference_on_enter = Some(true);
        request.end_conference_on_exit = Some(false);
        request.beep = Some(ConferenceBeep::False);
        Ok(Self { request })
    }

    /// A custom parameter the page reads when the softphone rings.
    pub fn param(mut self, name: &str, value: &str) -> Self {
        if let ParticipantTo::Client { params, .. } = &mut self.request.to {
            params.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    /// Rings for `seconds` at most.
    pub fn ring_for(mut self, seconds: u32) -> Self {
        self.request.timeout = Some(seconds);
        self
    }

    /// Rings for `seconds` with the ringing heard in the conference (early media), and reports
    /// its progress to `callback`: how offers, transfers and ring-backs ring. Only the answer and
    /// the end are asked for (`completed` brings every end: no-answer, busy, failed, canceled);
    /// a `ringing` report would be a webhook request that changes nothing, as none of the three
    /// acts on it.
    pub fn ringing_reported(mut self, seconds: u32, callback: String) -> Self {
        self.request.timeout = Some(seconds);
        self.request.early_media = Some(true);
        self.request.status_callback = Some(callback);
        self.request.status_callback_event = vec![CallProgressEvent::Answered, CallProgressEvent::Completed];
        self.request.status_callback_method = Some(HttpMethod::Post);
        self
    }

    /// A supervisor's leg: it does not start the conference, is muted to listen, and coaches
    /// the operator leg `coach` to whisper.
    pub fn monitoring(mut self, muted: bool, coach: Option<CallSid>) -> Self {
        self.request.start_conference_on_enter = Some(false);
        self.request.muted = Some(muted);
        self.request.coaching = Some(coach.is_some());
        self.request.call_sid_to_coach = coach;
        self
    }

    /// The REST request.
    pub fn request(self) -> CreateParticipant {
        self.request
    }
}
