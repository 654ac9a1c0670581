//! Webhook requests from Twilio, parsed into types at the edge.
//!
//! Twilio posts `application/x-www-form-urlencoded` bodies. API Gateway may hand
//! the body over base64-encoded (`isBase64Encoded`), so [`parse_form_body`] decodes
//! that first. Parameters keep their order and their exact values, untrimmed,
//! because the signature covers them byte for byte and a caller name may really
//! end in a space.
//!
//! The typed views ([`IncomingCall`], [`CallStatusCallback`], [`ConferenceCallback`],
//! [`RecordingStatusCallback`]) turn the parameters the product relies on into types and
//! refuse a request that lacks one or carries a malformed one with a [`WebhookError`] naming
//! the parameter, which a handler turns into HTTP 400. Values from Twilio's open sets (call
//! states, conference events, reasons, directions) are read into enums that keep a value this
//! version does not model as `Other` and log it: Twilio does not retry a 4xx, so refusing a
//! value it added later would drop the event (a conference's end among them). Nothing here
//! panics on any input: webhook bodies come from the internet.

use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};

use super::{AccountSid, CallSid, ConferenceSid};

mod transcription;
pub use transcription::{TranscriptionCallback, TranscriptionEvent, TranscriptionResult, TranscriptionTrackHeard};

/// Why a webhook body or one of its parameters was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The body was flagged base64 but is not valid base64.
    #[error("the request body is flagged base64 but does not decode")]
    BadBase64,
    /// The body is not UTF-8 text, which every Twilio webhook is.
    #[error("the request body is not UTF-8 form data")]
    NotUtf8,
    /// A parameter the product needs is absent.
    #[error("the webhook has no {name} parameter")]
    Missing {
        /// The Twilio parameter name, such as `CallSid`.
        name: &'static str,
    },
    /// A parameter is present but not in the form Twilio documents.
    #[error("the webhook parameter {name} is not valid: {reason}")]
    Invalid {
        /// The Twilio parameter name, such as `SequenceNumber`.
        name: &'static str,
        /// What was expected, for the log and the 400 body.
        reason: String,
    },
}

/// Parses a form-encoded webhook body into ordered `(name, value)` pairs.
///
/// `is_base64_encoded` is API Gateway's flag of the same name. Values are
/// percent-decoded (and `+` becomes a space, as the form encoding says) but never
/// trimmed; repeated names stay repeated, in order.
pub fn parse_form_body(body: &[u8], is_base64_encoded: bool) -> Result<Vec<(String, String)>, WebhookError> {
    let decoded;
    let raw = if is_base64_encoded {
        let compact: Vec<u8> = body.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
        decoded = BASE64.decode(compact).map_err(|_| WebhookError::BadBase64)?;
        decoded.as_slice()
    } else {
        body
    };
    if std::str::from_utf8(raw).is_err() {
        return Err(WebhookError::NotUtf8);
    }
    Ok(form_urlencoded::parse(raw)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect())
}

/// Read access to a parameter list by name, shared by the typed views.
struct Params<'a>(&'a [(String, String)]);

impl<'a> Params<'a> {
    fn get(&self, name: &str) -> Option<&'a str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn required(&self, name: &'static str) -> Result<&'a str, WebhookError> {
        self.get(name).ok_or(WebhookError::Missing { name })
    }

    fn required_as<T: FromStr>(&self, name: &'static str) -> Result<T, WebhookError>
    where
        T::Err: std::fmt::Display,
    {
        parse_value(name, self.required(name)?)
    }

    /// Absent and empty both mean "not given": Twilio sends `ParentCallSid=` empty.
    fn optional_as<T: FromStr>(&self, name: &'static str) -> Result<Option<T>, WebhookError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(value) => parse_value(name, value).map(Some),
        }
    }

    fn optional_string(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    fn optional_bool(&self, name: &'static str) -> Result<Option<bool>, WebhookError> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(WebhookError::Invalid {
                name,
                reason: "expected true or false".to_owned(),
            }),
        }
    }

    fn optional_timestamp(&self, name: &'static str) -> Result<Option<DateTime<Utc>>, WebhookError> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(value) => parse_rfc2822(name, value).map(Some),
        }
    }
}

fn parse_value<T: FromStr>(name: &'static str, value: &str) -> Result<T, WebhookError>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|err: T::Err| WebhookError::Invalid {
        name,
        reason: err.to_string(),
    })
}

fn parse_rfc2822(name: &'static str, value: &str) -> Result<DateTime<Utc>, WebhookError> {
    DateTime::parse_from_rfc2822(value)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| WebhookError::Invalid {
            name,
            reason: "expected an RFC 2822 date such as \"Tue, 21 Nov 2023 07:41:52 +0000\"".to_owned(),
        })
}

open_wire_enum!(
    /// A call's state as reported in `CallStatus`.
    CallStatus {
        Queued = "queued",
        Initiated = "initiated",
        Ringing = "ringing",
        InProgress = "in-progress",
        Completed = "completed",
        Busy = "busy",
        Failed = "failed",
        NoAnswer = "no-answer",
        Canceled = "canceled",
    }
);

impl CallStatus {
    /// Whether the call has ended, after which no more progress events arrive for it. A state
    /// this version does not model ends nothing.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            CallStatus::Completed | CallStatus::Busy | CallStatus::Failed | CallStatus::NoAnswer | CallStatus::Canceled
        )
    }
}

open_wire_enum!(
    /// Who started a call leg, from `Direction`.
    Direction {
        /// A call to one of our numbers, or from the softphone to our TwiML App.
        Inbound = "inbound",
        /// A call we created over REST (including conference participants).
        OutboundApi = "outbound-api",
        /// A call created by `<Dial>`.
        OutboundDial = "outbound-dial",
    }
);

open_wire_enum!(
    /// What happened in a conference, from the conference `StatusCallbackEvent`.
    ConferenceEvent {
        ConferenceStart = "conference-start",
        ConferenceEnd = "conference-end",
        ParticipantJoin = "participant-join",
        ParticipantLeave = "participant-leave",
        ParticipantMute = "participant-mute",
        ParticipantUnmute = "participant-unmute",
        ParticipantHold = "participant-hold",
        ParticipantUnhold = "participant-unhold",
        ParticipantModify = "participant-modify",
        ParticipantSpeechStart = "participant-speech-start",
        ParticipantSpeechStop = "participant-speech-stop",
        AnnouncementEnd = "announcement-end",
        AnnouncementFail = "announcement-fail",
    }
);

open_wire_enum!(
    /// Why a conference ended, from `ReasonConferenceEnded` on `conference-end`.
    ReasonConferenceEnded {
        ConferenceEndedViaApi = "conference-ended-via-api",
        LastParticipantKicked = "last-participant-kicked",
        LastParticipantLeft = "last-participant-left",
        ParticipantWithEndConferenceOnExitKicked = "participant-with-end-conference-on-exit-kicked",
        ParticipantWithEndConferenceOnExitLeft = "participant-with-end-conference-on-exit-left",
    }
);

open_wire_enum!(
    /// Why a participant left, from `ReasonParticipantLeft` on `participant-leave`.
    ReasonParticipantLeft {
        ConferenceEndedViaApi = "conference_ended_via_api",
        ModeratorEndedConference = "moderator_ended_conference",
        ParticipantUpdatedViaApi = "participant_updated_via_api",
        ParticipantHungUp = "participant_hung_up",
        ParticipantAddFailed = "participant_add_failed",
    }
);

/// Names Twilio itself sends on call webhooks; anything else on an incoming call
/// is a custom parameter (from `Device.connect({params})` or `client:x?k=v`).
const STANDARD_CALL_PARAMS: &[&str] = &[
    "AccountSid",
    "ApiVersion",
    "ApplicationSid",
    "CallSid",
    "CallStatus",
    "CallToken",
    "Called",
    "CalledCity",
    "CalledCountry",
    "CalledState",
    "CalledZip",
    "Caller",
    "CallerCity",
    "CallerCountry",
    "CallerName",
    "CallerState",
    "CallerZip",
    "Direction",
    "ForwardedFrom",
    "From",
    "FromCity",
    "FromCountry",
    "FromState",
    "FromZip",
    "ParentCallSid",
    "StirPassportToken",
    "StirStatus",
    "StirVerstat",
    "To",
    "ToCity",
    "ToCountry",
    "ToState",
    "ToZip",
];

/// The request Twilio sends to a number's (or TwiML App's) Voice URL when a call
/// arrives: the customer calling in, or the operator's softphone placing a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingCall {
    /// This call leg.
    pub call_sid: CallSid,
    /// The account the call belongs to; a handler may refuse other accounts.
    pub account_sid: AccountSid,
    /// The caller: an E.164 number, `client:<identity>` or a SIP URI, as Twilio sent it.
    pub from: String,
    /// The number or custom `To` parameter called; the softphone may omit it.
    pub to: Option<String>,
    /// The call's state (usually `ringing`).
    pub call_status: CallStatus,
    /// `inbound` for both customer calls and softphone calls.
    pub direction: Direction,
    /// Always `2010-04-01` today; kept for logging.
    pub api_version: String,
    /// Caller ID name (CNAM) when the number has the lookup enabled.
    pub caller_name: Option<String>,
    /// The parent call when this leg was created by `<Dial>`.
    pub parent_call_sid: Option<CallSid>,
    /// The number that forwarded the call, when the carrier says.
    pub forwarded_from: Option<String>,
    /// The TwiML App, for calls placed by the softphone.
    pub application_sid: Option<String>,
    /// Parameters Twilio does not define: the softphone's `Device.connect` params.
    pub custom: Vec<(String, String)>,
}

impl IncomingCall {
    /// Reads an incoming-call webhook from its parameters.
    pub fn from_params(params: &[(String, String)]) -> Result<Self, WebhookError> {
        let p = Params(params);
        Ok(Self {
            call_sid: p.required_as("CallSid")?,
            account_sid: p.required_as("AccountSid")?,
            from: p.required("From")?.to_owned(),
            to: p.optional_string("To"),
            call_status: p.required_as("CallStatus")?,
            direction: p.required_as("Direction")?,
            api_version: p.required("ApiVersion")?.to_owned(),
            caller_name: p.optional_string("CallerName").filter(|s| !s.is_empty()),
            parent_call_sid: p.optional_as("ParentCallSid")?,
            forwarded_from: p.optional_string("ForwardedFrom").filter(|s| !s.is_empty()),
            application_sid: p.optional_string("ApplicationSid").filter(|s| !s.is_empty()),
            custom: params
                .iter()
                .filter(|(name, _)| STANDARD_CALL_PARAMS.binary_search(&name.as_str()).is_err())
                .cloned()
                .collect(),
        })
    }

    /// The value of a custom parameter, if the softphone sent it.
    pub fn custom_param(&self, name: &str) -> Option<&str> {
        self.custom
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// A call progress event (`statusCallback` of a call, `<Client>` or `<Number>`).
///
/// Twilio retries these and does not deliver them in order; apply them
/// idempotently and order them by [`sequence_number`](Self::sequence_number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallStatusCallback {
    /// The call leg the event is about.
    pub call_sid: CallSid,
    /// The account the call belongs to.
    pub account_sid: AccountSid,
    /// The state the call reached; `answered` arrives as `in-progress`.
    pub call_status: CallStatus,
    /// The caller as Twilio sent it.
    pub from: Option<String>,
    /// The called party as Twilio sent it.
    pub to: Option<String>,
    /// Who started the leg.
    pub direction: Option<Direction>,
    /// Talk time in seconds, on terminal events.
    pub call_duration: Option<u64>,
    /// Billed minutes, on `completed`.
    pub duration: Option<u64>,
    /// When Twilio emitted the event.
    pub timestamp: Option<DateTime<Utc>>,
    /// The event's position among this call's events, from 0.
    pub sequence_number: Option<u64>,
    /// The SIP response code of the attempt, on terminal events.
    pub sip_response_code: Option<u16>,
    /// The parent call for legs created by `<Dial>` (`<Client>`/`<Number>`).
    pub parent_call_sid: Option<CallSid>,
    /// `call-progress-events` for these callbacks.
    pub callback_source: Option<String>,
    /// The parameter that carried an error code, if the call failed.
    pub error_code: Option<String>,
}

impl CallStatusCallback {
    /// Reads a call status callback from its parameters.
    pub fn from_params(params: &[(String, String)]) -> Result<Self, WebhookError> {
        let p = Params(params);
        Ok(Self {
            call_sid: p.required_as("CallSid")?,
            account_sid: p.required_as("AccountSid")?,
            call_status: p.required_as("CallStatus")?,
            from: p.optional_string("From"),
            to: p.optional_string("To"),
            direction: p.optional_as("Direction")?,
            call_duration: p.optional_as("CallDuration")?,
            duration: p.optional_as("Duration")?,
            timestamp: p.optional_timestamp("Timestamp")?,
            sequence_number: p.optional_as("SequenceNumber")?,
            sip_response_code: p.optional_as("SipResponseCode")?,
            parent_call_sid: p.optional_as("ParentCallSid")?,
            callback_source: p.optional_string("CallbackSource"),
            error_code: p.optional_string("ErrorCode").filter(|s| !s.is_empty()),
        })
    }
}

/// A conference `statusCallback` event.
///
/// Only the first participant's `statusCallback` counts for a conference, and
/// events can arrive out of order: order them by
/// [`sequence_number`](Self::sequence_number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConferenceCallback {
    /// What happened.
    pub event: ConferenceEvent,
    /// The conference.
    pub conference_sid: ConferenceSid,
    /// The conference name we chose: the customer's CallSid.
    pub friendly_name: String,
    /// The account the conference belongs to.
    pub account_sid: AccountSid,
    /// The event's position among this conference's events.
    pub sequence_number: u64,
    /// When Twilio emitted the event.
    pub timestamp: DateTime<Utc>,
    /// The participant's call, on participant events.
    pub call_sid: Option<CallSid>,
    /// The label we gave the participant (`customer`, `operator`, …).
    pub participant_label: Option<String>,
    /// Whether the participant is muted, on participant events.
    pub muted: Option<bool>,
    /// Whether the participant is on hold, on participant events.
    pub hold: Option<bool>,
    /// Whether the participant is coaching, on participant events.
    pub coaching: Option<bool>,
    /// Whether the conference ends when this participant leaves.
    pub end_conference_on_exit: Option<bool>,
    /// Whether this participant's arrival starts the conference.
    pub start_conference_on_enter: Option<bool>,
    /// Why the conference ended, on `conference-end`.
    pub reason_conference_ended: Option<ReasonConferenceEnded>,
    /// Twilio's free-text reason, on `conference-end`.
    pub reason: Option<String>,
    /// The call that ended the conference, on `conference-end`.
    pub call_sid_ending_conference: Option<CallSid>,
    /// The label of the participant that ended the conference, on `conference-end`.
    pub participant_label_ending_conference: Option<String>,
    /// Why the participant left, on `participant-leave`.
    pub reason_participant_left: Option<ReasonParticipantLeft>,
    /// The leaving participant's call status, on `participant-leave`.
    pub participant_call_status: Option<CallStatus>,
    /// Why an announcement failed, on `announcement-fail`.
    pub reason_announcement_failed: Option<String>,
    /// The announcement's URL, on announcement events.
    pub announce_url: Option<String>,
}

impl ConferenceCallback {
    /// Reads a conference status callback from its parameters.
    pub fn from_params(params: &[(String, String)]) -> Result<Self, WebhookError> {
        let p = Params(params);
        Ok(Self {
            event: p.required_as("StatusCallbackEvent")?,
            conference_sid: p.required_as("ConferenceSid")?,
            friendly_name: p.required("FriendlyName")?.to_owned(),
            account_sid: p.required_as("AccountSid")?,
            sequence_number: p.required_as("SequenceNumber")?,
            timestamp: parse_rfc2822("Timestamp", p.required("Timestamp")?)?,
            call_sid: p.optional_as("CallSid")?,
            participant_label: p.optional_string("ParticipantLabel").filter(|s| !s.is_empty()),
            muted: p.optional_bool("Muted")?,
            hold: p.optional_bool("Hold")?,
            coaching: p.optional_bool("Coaching")?,
            end_conference_on_exit: p.optional_bool("EndConferenceOnExit")?,
            start_conference_on_enter: p.optional_bool("StartConferenceOnEnter")?,
            reason_conference_ended: p.optional_as("ReasonConferenceEnded")?,
            reason: p.optional_string("Reason").filter(|s| !s.is_empty()),
            call_sid_ending_conference: p.optional_as("CallSidEndingConference")?,
            participant_label_ending_conference: p
                .optional_string("ParticipantLabelEndingConference")
                .filter(|s| !s.is_empty()),
            reason_participant_left: p.optional_as("ReasonParticipantLeft")?,
            participant_call_status: p.optional_as("ParticipantCallStatus")?,
            reason_announcement_failed: p.optional_string("ReasonAnnouncementFailed").filter(|s| !s.is_empty()),
            announce_url: p.optional_string("AnnounceUrl").filter(|s| !s.is_empty()),
        })
    }
}

open_wire_enum!(
    /// A conference recording's state, from a recording status callback's `RecordingStatus`.
    RecordingStatus {
        InProgress = "in-progress",
        Completed = "completed",
        Absent = "absent",
        Failed = "failed",
    }
);

/// A recording status callback (`recordingStatusCallback` of a conference).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingStatusCallback {
    /// The recording (`RE…`).
    pub recording_sid: String,
    /// Its state.
    pub recording_status: RecordingStatus,
    /// Where the recording can be fetched, once completed.
    pub recording_url: Option<String>,
    /// Its length in seconds, once completed (left out when not a number).
    pub recording_duration: Option<u64>,
}

impl RecordingStatusCallback {
    /// Reads a recording status callback from its parameters.
    pub fn from_params(params: &[(String, String)]) -> Result<Self, WebhookError> {
        let p = Params(params);
        Ok(Self {
            recording_sid: p.required("RecordingSid")?.to_owned(),
            recording_status: p.required_as("RecordingStatus")?,
            recording_url: p.optional_string("RecordingUrl"),
            recording_duration: p.get("RecordingDuration").and_then(|d| d.parse().ok()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn body(pairs: &[(&str, &str)]) -> String {
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (name, value) in pairs {
            form.append_pair(name, value);
        }
        form.finish()
    }

    fn parsed(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        parse_form_body(body(pairs).as_bytes(), false).unwrap()
    }

    const CALL: &str = "CA0123456789abcdef0123456789abcdef";
    const PARENT: &str = "CAffffffffffffffffffffffffffffffff";
    const ACCOUNT: &str = "AC00000000000000000000000000000000";
    const CONFERENCE: &str = "CF11111111111111111111111111111111";

    #[test]
    fn the_standard_names_stay_sorted_for_binary_search() {
        assert!(STANDARD_CALL_PARAMS.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn values_keep_their_spaces_order_and_repeats() {
        let params = parse_form_body(b"B=+two++&A=%20one%20&B=three&Empty=&Jp=%E5%B1%B1%E7%94%B0", false).unwrap();
        assert_eq!(
            params,
            vec![
                ("B".to_owned(), " two  ".to_owned()),
                ("A".to_owned(), " one ".to_owned()),
                ("B".to_owned(), "three".to_owned()),
                ("Empty".to_owned(), String::new()),
                ("Jp".to_owned(), "山田".to_owned()),
            ]
        );
    }

    #[test]
    fn base64_bodies_from_api_gateway_are_decoded_first() {
        let raw = body(&[("CallSid", CALL), ("CallerName", "山田 太郎 ")]);
        let encoded = BASE64.encode(raw.as_bytes());
        assert_eq!(
            parse_form_body(encoded.as_bytes(), true).unwrap(),
            parse_form_body(raw.as_bytes(), false).unwrap()
        );
        assert_eq!(parse_form_body(b"not base64!", true), Err(WebhookError::BadBase64));
    }

    #[test]
    fn a_body_that_is_not_utf8_is_refused() {
        assert_eq!(parse_form_body(b"From=\xff\xfe", false), Err(WebhookError::NotUtf8));
    }

    #[test]
    fn an_incoming_customer_call_is_read_with_its_types() {
        let params = parsed(&[
            ("AccountSid", ACCOUNT),
            ("ApiVersion", "2010-04-01"),
            ("CallSid", CALL),
            ("CallStatus", "ringing"),
            ("Called", "+815012345678"),
            ("Caller", "+81312345678"),
            ("CallerName", "ヤマダ タロウ"),
            ("Direction", "inbound"),
            ("From", "+81312345678"),
            ("FromCountry", "JP"),
            ("ParentCallSid", ""),
            ("To", "+815012345678"),
        ]);
        let call = IncomingCall::from_params(&params).unwrap();
        assert_eq!(call.call_sid.as_str(), CALL);
        assert_eq!(call.call_status, CallStatus::Ringing);
        assert_eq!(call.direction, Direction::Inbound);
        assert_eq!(call.caller_name.as_deref(), Some("ヤマダ タロウ"));
        assert_eq!(call.parent_call_sid, None);
        assert_eq!(call.to.as_deref(), Some("+815012345678"));
        assert!(call.custom.is_empty());
    }

    #[test]
    fn a_softphone_call_keeps_its_custom_parameters() {
        let params = parsed(&[
            ("AccountSid", ACCOUNT),
            ("ApiVersion", "2010-04-01"),
            ("ApplicationSid", "AP99999999999999999999999999999999"),
            ("CallSid", CALL),
            ("CallStatus", "ringing"),
            ("Called", ""),
            ("Caller", "client:op_yamada"),
            ("From", "client:op_yamada"),
            ("Direction", "inbound"),
            ("To", "+81312345678"),
            ("lineId", "line-1"),
            ("handoff", " spaced "),
        ]);
        let call = IncomingCall::from_params(&params).unwrap();
        assert_eq!(call.from, "client:op_yamada");
        assert_eq!(call.custom_param("lineId"), Some("line-1"));
        assert_eq!(call.custom_param("handoff"), Some(" spaced "));
        assert_eq!(call.custom.len(), 2);
    }

    #[test]
    fn errors_name_the_parameter_that_is_wrong() {
        let missing = parsed(&[("AccountSid", ACCOUNT)]);
        assert_eq!(
            IncomingCall::from_params(&missing),
            Err(WebhookError::Missing { name: "CallSid" })
        );
        let bad_number = parsed(&[
            ("AccountSid", ACCOUNT),
            ("ApiVersion", "2010-04-01"),
            ("CallSid", CALL),
            ("CallStatus", "ringing"),
            ("Direction", "inbound"),
            ("From", "+81312345678"),
            ("ParentCallSid", "CA-not-a-sid"),
        ]);
        let err = IncomingCall::from_params(&bad_number).unwrap_err();
        assert!(
            matches!(
                err,
                WebhookError::Invalid {
                    name: "ParentCallSid",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("ParentCallSid"));
        let bad_sid = parsed(&[("CallSid", "CA123"), ("AccountSid", ACCOUNT)]);
        assert!(matches!(
            IncomingCall::from_params(&bad_sid),
            Err(WebhookError::Invalid { name: "CallSid", .. })
        ));
    }

    #[test]
    fn a_terminal_call_status_callback_carries_duration_and_order() {
        let params = parsed(&[
            ("AccountSid", ACCOUNT),
            ("CallSid", CALL),
            ("CallStatus", "completed"),
            ("CallDuration", "125"),
            ("Duration", "3"),
            ("CallbackSource", "call-progress-events"),
            ("Direction", "outbound-dial"),
            ("ParentCallSid", PARENT),
            ("SequenceNumber", "3"),
            ("SipResponseCode", "200"),
            ("Timestamp", "Tue, 21 Nov 2023 07:41:52 +0000"),
        ]);
        let event = CallStatusCallback::from_params(&params).unwrap();
        assert_eq!(event.call_status, CallStatus::Completed);
        assert!(event.call_status.is_terminal());
        assert_eq!(event.call_duration, Some(125));
        assert_eq!(event.sequence_number, Some(3));
        assert_eq!(event.sip_response_code, Some(200));
        assert_eq!(event.parent_call_sid.as_ref().map(CallSid::as_str), Some(PARENT));
        assert_eq!(event.timestamp.unwrap().to_rfc3339(), "2023-11-21T07:41:52+00:00");
        let bad = parsed(&[
            ("AccountSid", ACCOUNT),
            ("CallSid", CALL),
            ("CallStatus", "completed"),
            ("SequenceNumber", "-1"),
        ]);
        assert!(matches!(
            CallStatusCallback::from_params(&bad),
            Err(WebhookError::Invalid {
                name: "SequenceNumber",
                ..
            })
        ));
    }

    #[test]
    fn a_participant_join_is_read_with_flags_and_label() {
        let params = parsed(&[
            ("AccountSid", ACCOUNT),
            ("CallSid", CALL),
            ("Coaching", "false"),
            ("ConferenceSid", CONFERENCE),
            ("EndConferenceOnExit", "true"),
            ("FriendlyName", PARENT),
            ("Hold", "false"),
            ("Muted", "false"),
            ("ParticipantLabel", "customer"),
            ("SequenceNumber", "2"),
            ("StartConferenceOnEnter", "false"),
            ("StatusCallbackEvent", "participant-join"),
            ("Timestamp", "Tue, 21 Nov 2023 07:41:52 +0000"),
        ]);
        let event = ConferenceCallback::from_params(&params).unwrap();
        assert_eq!(event.event, ConferenceEvent::ParticipantJoin);
        assert_eq!(event.participant_label.as_deref(), Some("customer"));
        assert_eq!(event.end_conference_on_exit, Some(true));
        assert_eq!(event.hold, Some(false));
        assert_eq!(event.sequence_number, 2);
    }

    #[test]
    fn a_conference_end_and_a_participant_leave_carry_their_reasons() {
        let end = parsed(&[
            ("AccountSid", ACCOUNT),
            ("ConferenceSid", CONFERENCE),
            ("FriendlyName", PARENT),
            ("SequenceNumber", "9"),
            ("StatusCallbackEvent", "conference-end"),
            ("Timestamp", "Tue, 21 Nov 2023 07:45:00 +0000"),
            ("ReasonConferenceEnded", "participant-with-end-conference-on-exit-left"),
            (
                "Reason",
                "Participant CA... with endConferenceOnExit left the conference",
            ),
            ("CallSidEndingConference", CALL),
            ("ParticipantLabelEndingConference", "customer"),
        ]);
        let event = ConferenceCallback::from_params(&end).unwrap();
        assert_eq!(
            event.reason_conference_ended,
            Some(ReasonConferenceEnded::ParticipantWithEndConferenceOnExitLeft)
        );
        assert_eq!(
            event.call_sid_ending_conference.as_ref().map(CallSid::as_str),
            Some(CALL)
        );

        let leave = parsed(&[
            ("AccountSid", ACCOUNT),
            ("CallSid", CALL),
            ("ConferenceSid", CONFERENCE),
            ("FriendlyName", PARENT),
            ("SequenceNumber", "5"),
            ("StatusCallbackEvent", "participant-leave"),
            ("Timestamp", "Tue, 21 Nov 2023 07:44:00 +0000"),
            ("ReasonParticipantLeft", "participant_hung_up"),
            ("ParticipantCallStatus", "completed"),
        ]);
        let event = ConferenceCallback::from_params(&leave).unwrap();
        assert_eq!(
            event.reason_participant_left,
            Some(ReasonParticipantLeft::ParticipantHungUp)
        );
        assert_eq!(event.participant_call_status, Some(CallStatus::Completed));
    }

    #[test]
    fn every_documented_conference_event_parses() {
        for event in ConferenceEvent::ALL {
            assert_eq!(event.as_str().parse::<ConferenceEvent>().unwrap(), *event);
        }
        assert_eq!(ConferenceEvent::ALL.len(), 13);
        assert!(ConferenceEvent::ALL.iter().all(ConferenceEvent::is_known));
    }

    #[test]
    fn values_twilio_adds_later_are_kept_as_sent_instead_of_refusing_the_callback() {
        let end = parsed(&[
            ("AccountSid", ACCOUNT),
            ("ConferenceSid", CONFERENCE),
            ("FriendlyName", PARENT),
            ("SequenceNumber", "9"),
            ("StatusCallbackEvent", "conference-end"),
            ("Timestamp", "Tue, 21 Nov 2023 07:45:00 +0000"),
            ("ReasonConferenceEnded", "conference-ended-by-region-failover"),
            ("ReasonParticipantLeft", "participant_moved_elsewhere"),
            ("ParticipantCallStatus", "transferred"),
        ]);
        let event = ConferenceCallback::from_params(&end).unwrap();
        assert_eq!(event.event, ConferenceEvent::ConferenceEnd, "the end is still an end");
        assert_eq!(
            event.reason_conference_ended,
            Some(ReasonConferenceEnded::Other(
                "conference-ended-by-region-failover".into()
            ))
        );
        assert_eq!(
            event.reason_participant_left,
            Some(ReasonParticipantLeft::Other("participant_moved_elsewhere".into()))
        );
        assert_eq!(
            event.participant_call_status,
            Some(CallStatus::Other("transferred".into()))
        );
        let new_event = parsed(&[
            ("AccountSid", ACCOUNT),
            ("ConferenceSid", CONFERENCE),
            ("FriendlyName", PARENT),
            ("SequenceNumber", "10"),
            ("StatusCallbackEvent", "participant-whisper-start"),
            ("Timestamp", "Tue, 21 Nov 2023 07:45:01 +0000"),
        ]);
        let event = ConferenceCallback::from_params(&new_event).unwrap();
        assert_eq!(event.event.as_str(), "participant-whisper-start");
        assert!(!event.event.is_known());
        let status = parsed(&[
            ("AccountSid", ACCOUNT),
            ("CallSid", CALL),
            ("CallStatus", "answering-machine"),
        ]);
        let status = CallStatusCallback::from_params(&status).unwrap();
        assert_eq!(status.call_status, CallStatus::Other("answering-machine".into()));
        assert!(!status.call_status.is_terminal(), "an unknown state ends nothing");
    }

    #[test]
    fn a_bad_boolean_or_timestamp_is_named() {
        let params = parsed(&[
            ("AccountSid", ACCOUNT),
            ("ConferenceSid", CONFERENCE),
            ("FriendlyName", "x"),
            ("SequenceNumber", "1"),
            ("StatusCallbackEvent", "participant-mute"),
            ("Timestamp", "yesterday"),
        ]);
        assert!(matches!(
            ConferenceCallback::from_params(&params),
            Err(WebhookError::Invalid { name: "Timestamp", .. })
        ));
        let mut params = params;
        params[5].1 = "Tue, 21 Nov 2023 07:41:52 +0000".to_owned();
        params.push(("Muted".to_owned(), "TRUE".to_owned()));
        assert!(matches!(
            ConferenceCallback::from_params(&params),
            Err(WebhookError::Invalid { name: "Muted", .. })
        ));
    }

    #[test]
    fn a_completed_recording_carries_its_link_and_an_unknown_status_is_kept() {
        let mut params = parsed(&[
            ("AccountSid", ACCOUNT),
            ("CallSid", CALL),
            ("ConferenceSid", CONFERENCE),
            ("RecordingSid", "RE0123456789abcdef0123456789abcdef"),
            ("RecordingStatus", "completed"),
            (
                "RecordingUrl",
                "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE",
            ),
            ("RecordingDuration", "42"),
        ]);
        let done = RecordingStatusCallback::from_params(&params).unwrap();
        assert_eq!(done.recording_status, RecordingStatus::Completed);
        assert_eq!(done.recording_duration, Some(42));
        assert!(done.recording_url.is_some_and(|u| u.ends_with("/Recordings/RE")));
        params[4].1 = "paused".to_owned();
        assert_eq!(
            RecordingStatusCallback::from_params(&params).unwrap().recording_status,
            RecordingStatus::Other("paused".into()),
            "a state this version does not model is kept, not refused"
        );
    }

    proptest! {
        #[test]
        fn parsing_never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400), b64 in any::<bool>()) {
            if let Ok(params) = parse_form_body(&bytes, b64) {
                let _ = IncomingCall::from_params(&params);
                let _ = CallStatusCallback::from_params(&params);
                let _ = ConferenceCallback::from_params(&params);
                let _ = RecordingStatusCallback::from_params(&params);
            }
        }

        #[test]
        fn typed_views_never_panic_on_arbitrary_values(values in proptest::collection::vec(".{0,40}", 20)) {
            let names = ["AccountSid", "ApiVersion", "CallSid", "CallStatus", "Direction", "From", "To",
                "ParentCallSid", "CallDuration", "SequenceNumber", "SipResponseCode", "Timestamp",
                "StatusCallbackEvent", "ConferenceSid", "FriendlyName", "Muted", "Hold",
                "ReasonConferenceEnded", "ReasonParticipantLeft", "ParticipantCallStatus"];
            let params: Vec<(String, String)> = names.iter().zip(values).map(|(n, v)| (n.to_string(), v)).collect();
            let _ = IncomingCall::from_params(&params);
            let _ = CallStatusCallback::from_params(&params);
            let _ = ConferenceCallback::from_params(&params);
        }

        #[test]
        fn form_encoding_round_trips_any_text(pairs in proptest::collection::vec(("\\PC{0,12}", "\\PC{0,20}"), 0..8)) {
            let mut form = form_urlencoded::Serializer::new(String::new());
            for (name, value) in &pairs {
                form.append_pair(name, value);
            }
            let parsed = parse_form_body(form.finish().as_bytes(), false).unwrap();
            prop_assert_eq!(parsed, pairs);
        }
    }
}
