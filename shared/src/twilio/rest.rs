//! A client for the parts of Twilio's REST API 2010-04-01 the console uses.
//!
//! Requests are typed structs for exactly what the product sends (calls,
//! conferences, participants; and, for provisioning the account, TwiML Apps, API keys,
//! phone numbers and the auth token's rotation), encoded as Twilio expects: form
//! bodies, arrays as repeated keys, `true`/`false`, the Account SID in the path and
//! HTTP Basic with an API key (the functions) or the account's SID and auth token (the
//! admin commands: Twilio lets only those manage keys and tokens). The auth-token
//! endpoints live on another host (`accounts.twilio.com`, API v1); every other
//! request goes to `api.twilio.com`. [`PreparedRequest`] is that wire form, kept
//! separate from sending so tests and the simulator can check it against Twilio's
//! OpenAPI spec.
//!
//! Twilio answers errors as JSON (`code`, `message`, `more_info`, `status`), parsed
//! into [`TwilioApiError`]. Retrying follows what Twilio guarantees: a 429 was never
//! processed, so any request may be retried after one, with exponential backoff
//! and full jitter as twilio-node's `autoRetry` does (a random delay up to
//! `min(3 s, 100 ms·2ⁿ)`, three retries); other failures (5xx, timeouts, lost
//! connections) are retried only for updates, deletes and reads, because repeating
//! a create could add a second participant or place a second call. A total time
//! budget bounds the whole exchange, since a webhook handler has seconds, not
//! minutes. The base URL is configurable so tests and the local simulator can
//! point the client at a loopback server.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::Rng as _;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize};

use super::twiml::{CallProgressEvent, ConferenceBeep, ConferenceStatusEvent, HttpMethod, VoiceResponse};
use super::webhook::{CallStatus, ReasonConferenceEnded};
use super::{AccountSid, ApiKeySid, ApplicationSid, CallSid, ClientIdentity, ConferenceSid, PhoneNumberSid};

/// Twilio's API host.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";

/// The host of Twilio's Accounts API (v1), where the auth token is rotated.
pub const DEFAULT_ACCOUNTS_BASE_URL: &str = "https://accounts.twilio.com";

/// The API version every path starts with.
pub const API_VERSION: &str = "2010-04-01";

/// Credentials for REST calls: an API key (not the Auth Token), so a leaked key
/// can be revoked without breaking webhook signatures.
#[derive(Debug, Clone)]
pub struct TwilioCredentials {
    /// The account; it goes in every path.
    pub account_sid: AccountSid,
    /// The API key SID, the Basic-auth user.
    pub api_key_sid: ApiKeySid,
    /// The API key secret, the Basic-auth password.
    pub api_key_secret: SecretString,
}

/// How persistently the client retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (twilio-node: 3).
    pub max_retries: u32,
    /// The backoff unit: the n-th retry waits a random time up to `base_delay·2ⁿ`.
    pub base_delay: Duration,
    /// The cap on one backoff (twilio-node: 3 s).
    pub max_delay: Duration,
    /// The longest one attempt may take.
    pub attempt_timeout: Duration,
    /// The longest the whole exchange may take, waits included; no retry starts
    /// if its backoff would end past it.
    pub total_budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(3000),
            attempt_timeout: Duration::from_secs(5),
            total_budget: Duration::from_secs(10),
        }
    }
}

/// A Twilio error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwilioApiError {
    /// The HTTP status.
    pub status: u16,
    /// Twilio's error code, such as 20404 (not found) or 20429 (too many requests).
    pub code: Option<u32>,
    /// Twilio's message.
    pub message: String,
    /// The error's documentation page.
    pub more_info: Option<String>,
}

impl std::fmt::Display for TwilioApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.code {
            Some(code) => write!(f, "HTTP {} (Twilio error {code}): {}", self.status, self.message),
            None => write!(f, "HTTP {}: {}", self.status, self.message),
        }
    }
}

/// Why a REST call failed.
#[derive(Debug, thiserror::Error)]
pub enum RestError {
    /// Twilio answered with an error.
    #[error("Twilio refused the request: {0}")]
    Api(TwilioApiError),
    /// Twilio could not be reached, or the connection failed mid-way.
    #[error("could not reach Twilio")]
    Transport(#[source] reqwest::Error),
    /// An attempt took longer than the policy allows.
    #[error("Twilio did not answer within {0:?}")]
    Timeout(Duration),
    /// A success response whose body is not the JSON we expect.
    #[error("could not read Twilio's {what} response")]
    Decode {
        /// What was being read.
        what: &'static str,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The configured base URL is not a URL.
    #[error("the Twilio base URL {0:?} is not a valid URL")]
    InvalidBaseUrl(String),
    /// The HTTP client could not be built (TLS set-up).
    #[error("could not build the HTTP client")]
    Client(#[source] reqwest::Error),
}

impl RestError {
    /// A description safe for logs: Twilio's messages can quote the phone numbers
    /// we sent, so only the status and code of an API error are kept.
    pub fn log_summary(&self) -> String {
        match self {
            RestError::Api(api) => match api.code {
                Some(code) => format!("HTTP {} (Twilio error {code})", api.status),
                None => format!("HTTP {}", api.status),
            },
            other => other.to_string(),
        }
    }

    /// The HTTP status Twilio answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            RestError::Api(api) => Some(api.status),
            _ => None,
        }
    }
}

/// An HTTP method of the REST API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestMethod {
    /// Reads.
    Get,
    /// Creates and updates.
    Post,
    /// Deletes.
    Delete,
}

impl RestMethod {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            RestMethod::Get => "GET",
            RestMethod::Post => "POST",
            RestMethod::Delete => "DELETE",
        }
    }
}

/// Which of Twilio's hosts a request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestHost {
    /// `api.twilio.com`: the 2010-04-01 API.
    Api,
    /// `accounts.twilio.com`: the Accounts v1 API (auth tokens).
    Accounts,
}

/// Whether repeating a request is harmless, which decides what may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Creates something: repeating it could create it twice. Retried only when
    /// Twilio answered 429 or the connection was never made.
    Create,
    /// Sets state or reads: repeating it is harmless.
    Idempotent,
}

/// A request in its wire form: host, method, encoded path, parameters (the form body
/// for POST, the query for GET) and whether it may be repeated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// The host it goes to.
    pub host: RestHost,
    /// The HTTP method.
    pub method: RestMethod,
    /// The path, percent-encoded, starting with `/2010-04-01/Accounts/` (or `/v1/` on
    /// the Accounts host).
    pub path: String,
    /// The parameters, in the order they are sent.
    pub params: Vec<(String, String)>,
    /// Whether the request may be repeated.
    pub idempotency: Idempotency,
}

/// Which conference a participant is added to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConferenceRef {
    /// An existing conference by SID; fails if that conference has ended.
    Sid(ConferenceSid),
    /// A conference by name, created if none with that name is active.
    FriendlyName(String),
}

/// Which participant of a conference a request is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParticipantRef {
    /// By the participant's call.
    Call(CallSid),
    /// By the label given when it joined (`customer`, `operator`, …).
    Label(String),
}

impl ParticipantRef {
    fn segment(&self) -> String {
        match self {
            ParticipantRef::Call(sid) => format!("{sid}.json"),
            ParticipantRef::Label(label) => format!("{label}.json"),
        }
    }
}

/// Where the called party of a new participant is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParticipantTo {
    /// A phone number (E.164).
    Number(String),
    /// An operator's softphone, with custom parameters its page receives as
    /// `call.customParameters` (`client:alice?k=v&k2=v2`).
    Client {
        /// The softphone.
        identity: ClientIdentity,
        /// The custom parameters, in order.
        params: Vec<(String, String)>,
    },
    /// A SIP URI.
    Sip(String),
}

impl ParticipantTo {
    /// The `To` value as Twilio expects it.
    pub fn to_param(&self) -> String {
        match self {
            ParticipantTo::Number(number) => number.clone(),
            ParticipantTo::Sip(uri) => uri.clone(),
            ParticipantTo::Client { identity, params } if params.is_empty() => identity.address(),
            ParticipantTo::Client { identity, params } => {
                let mut query = form_urlencoded::Serializer::new(String::new());
                for (name, value) in params {
                    query.append_pair(name, value);
                }
                format!("{}?{}", identity.address(), query.finish())
            }
        }
    }
}

/// What a new call runs when it is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallInstructions {
    /// Fetch TwiML from this URL.
    Url {
        /// The URL.
        url: String,
        /// The method, POST by default.
        method: Option<HttpMethod>,
    },
    /// Run this TwiML (Twilio limits it to 4000 characters).
    Twiml(VoiceResponse),
}

/// `POST /Calls.json`: place a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateCall {
    /// Who to call: a number or `client:<identity>`.
    pub to: String,
    /// The caller ID: one of our numbers.
    pub from: String,
    /// What the call runs.
    pub instructions: CallInstructions,
    /// Where progress events go.
    pub status_callback: Option<String>,
    /// Which progress events go there.
    pub status_callback_event: Vec<CallProgressEvent>,
    /// The method for `status_callback`.
    pub status_callback_method: Option<HttpMethod>,
    /// Seconds to let it ring (Twilio default 60, max 600).
    pub timeout: Option<u32>,
    /// The longest the call may last, in seconds.
    pub time_limit: Option<u32>,
    /// Whether to record the call.
    pub record: Option<bool>,
    /// Keys to press once the call connects (`w` waits half a second): an extension behind a
    /// switchboard. At most 32 characters of `0-9 # * w`.
    pub send_digits: Option<String>,
}

impl CreateCall {
    /// A call to `to` from `from` running `instructions`, with Twilio's defaults otherwise.
    pub fn new(to: impl Into<String>, from: impl Into<String>, instructions: CallInstructions) -> Self {
        Self {
            to: to.into(),
            from: from.into(),
            instructions,
            status_callback: None,
            status_callback_event: Vec::new(),
            status_callback_method: None,
            timeout: None,
            time_limit: None,
            record: None,
            send_digits: None,
        }
    }
}

wire_enum!(
    /// The states a call can be ended into with an update.
    CallUpdateStatus {
        /// Hang up a call in progress.
        Completed = "completed",
        /// Cancel a call that is queued or ringing.
        Canceled = "canceled",
    }
);

/// `POST /Calls/{Sid}.json`: change a live call. The variants are exclusive, as
/// Twilio requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateCall {
    /// Run the TwiML at this URL now (leave a conference, go to voicemail).
    Redirect {
        /// The URL.
        url: String,
        /// The method, POST by default.
        method: Option<HttpMethod>,
    },
    /// Run this TwiML now.
    Twiml(VoiceResponse),
    /// Hang up or cancel the call.
    End(CallUpdateStatus),
}

wire_enum!(
    /// What a conference recording is told to do.
    RecordingControl {
        /// Pause it (a card number being read out).
        Paused = "paused",
        /// Resume it.
        InProgress = "in-progress",
        /// Stop it for good.
        Stopped = "stopped",
    }
);

wire_enum!(
    /// What a paused recording keeps: nothing (`skip`) or silence of the same length.
    PauseBehavior {
        Skip = "skip",
        Silence = "silence",
    }
);

/// `POST /Conferences/{CF}/Recordings/{Sid}.json`: pause, resume or stop a conference
/// recording. The recording may be named `Twilio.CURRENT`, the conference's active one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateRecording {
    pub status: RecordingControl,
    pub pause_behavior: Option<PauseBehavior>,
}

/// The name of a conference's active recording in a recording request.
pub const CURRENT_RECORDING: &str = "Twilio.CURRENT";

/// A conference recording, as Twilio answers an update.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ConferenceRecording {
    /// The recording (`RE…`).
    pub sid: String,
    /// `in-progress`, `paused`, `stopped`, `processing`, `completed`, `absent`.
    #[serde(default)]
    pub status: Option<String>,
    /// The conference.
    #[serde(default)]
    pub conference_sid: Option<String>,
}

wire_enum!(
    /// A conference's state.
    ConferenceStatus {
        /// Created, waiting for a participant that starts it.
        Init = "init",
        /// Running.
        InProgress = "in-progress",
        /// Ended.
        Completed = "completed",
    }
);

/// `GET /Conferences.json`: find conferences by name (ours are named after the
/// customer's CallSid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListConferences {
    /// The exact conference name.
    pub friendly_name: String,
    /// Only conferences in this state.
    pub status: Option<ConferenceStatus>,
    /// At most this many (Twilio default 50); only the first page is read.
    pub page_size: Option<u32>,
}

/// `POST /Conferences/{Sid}.json`: end a conference or play an announcement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateConference {
    /// Ends the conference for everyone (`Status=completed`).
    pub end: bool,
    /// Play the TwiML or audio at this URL to every participant.
    pub announce_url: Option<String>,
    /// The method for `announce_url`.
    pub announce_method: Option<HttpMethod>,
}

impl UpdateConference {
    /// Ends the conference, disconnecting every participant.
    pub fn end() -> Self {
        Self {
            end: true,
            ..Self::default()
        }
    }
}

/// `POST /Conferences/{Sid or name}/Participants.json`: add a caller to a
/// conference by calling them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateParticipant {
    /// The caller ID: one of our numbers, or a client address for client calls.
    pub from: String,
    /// Who is called.
    pub to: ParticipantTo,
    /// The participant's label (`operator`, `consult`, `transfer`).
    pub label: Option<String>,
    /// Whether the caller hears ringing media before answer (Twilio default true).
    pub early_media: Option<bool>,
    /// The beep when this participant joins or leaves.
    pub beep: Option<ConferenceBeep>,
    /// Whether this participant starts the conference (default true).
    pub start_conference_on_enter: Option<bool>,
    /// Whether the conference ends when this participant leaves (default false).
    pub end_conference_on_exit: Option<bool>,
    /// Where this participant's call progress events go.
    pub status_callback: Option<String>,
    /// Which call progress events go there.
    pub status_callback_event: Vec<CallProgressEvent>,
    /// The method for `status_callback`.
    pub status_callback_method: Option<HttpMethod>,
    /// Where conference events go (only the first participant's value counts).
    pub conference_status_callback: Option<String>,
    /// Which conference events go there.
    pub conference_status_callback_event: Vec<ConferenceStatusEvent>,
    /// Seconds to ring the participant (5–600, default 60).
    pub timeout: Option<u32>,
    /// The wait document until the conference starts.
    pub wait_url: Option<String>,
    /// Whether the participant joins muted.
    pub muted: Option<bool>,
    /// The caller ID shown to the called party, when it differs from `from`.
    pub caller_id: Option<String>,
    /// Whether the participant coaches another (whisper).
    pub coaching: Option<bool>,
    /// The call the participant coaches.
    pub call_sid_to_coach: Option<CallSid>,
    /// Whether the participant's call is recorded.
    pub record: Option<bool>,
}

impl CreateParticipant {
    /// Calls `to` from `from`, with Twilio's defaults otherwise.
    pub fn new(from: impl Into<String>, to: ParticipantTo) -> Self {
        Self {
            from: from.into(),
            to,
            label: None,
            early_media: None,
            beep: None,
            start_conference_on_enter: None,
            end_conference_on_exit: None,
            status_callback: None,
            status_callback_event: Vec::new(),
            status_callback_method: None,
            conference_status_callback: None,
            conference_status_callback_event: Vec::new(),
            timeout: None,
            wait_url: None,
            muted: None,
            caller_id: None,
            coaching: None,
            call_sid_to_coach: None,
            record: None,
        }
    }
}

/// `POST /Conferences/{Sid}/Participants/{CallSid or label}.json`: hold, mute,
/// coach or change a participant's exit behaviour.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateParticipant {
    /// Put on hold (`true`) or take off hold (`false`).
    pub hold: Option<bool>,
    /// The hold music document.
    pub hold_url: Option<String>,
    /// The method for `hold_url` (Twilio default GET).
    pub hold_method: Option<HttpMethod>,
    /// Mute or unmute.
    pub muted: Option<bool>,
    /// Play the document or audio at this URL to this participant.
    pub announce_url: Option<String>,
    /// Whether the conference ends when this participant leaves. Twilio ignores
    /// changes to a participant on hold: set it before holding.
    pub end_conference_on_exit: Option<bool>,
    /// Start or stop coaching.
    pub coaching: Option<bool>,
    /// The call to coach.
    pub call_sid_to_coach: Option<CallSid>,
    /// Whether a beep plays when this participant leaves.
    pub beep_on_exit: Option<bool>,
}

impl UpdateParticipant {
    /// Puts the participant on hold with the music at `hold_url`.
    pub fn hold(hold_url: impl Into<String>) -> Self {
        Self {
            hold: Some(true),
            hold_url: Some(hold_url.into()),
            ..Self::default()
        }
    }

    /// Takes the participant off hold.
    pub fn unhold() -> Self {
        Self {
            hold: Some(false),
            ..Self::default()
        }
    }
}

/// A call resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// The call.
    pub sid: CallSid,
    /// The account.
    pub account_sid: AccountSid,
    /// The parent call, for calls created by `<Dial>` or as participants.
    #[serde(default)]
    pub parent_call_sid: Option<CallSid>,
    /// The called party.
    #[serde(default)]
    pub to: Option<String>,
    /// The caller.
    #[serde(default)]
    pub from: Option<String>,
    /// The call's state; `None` if Twilio reports one this code does not know.
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<CallStatus>,
    /// `inbound`, `outbound-api` or `outbound-dial`.
    #[serde(default)]
    pub direction: Option<String>,
    /// When the call was answered.
    #[serde(default, with = "rfc2822_option")]
    pub start_time: Option<DateTime<Utc>>,
    /// When the call ended.
    #[serde(default, with = "rfc2822_option")]
    pub end_time: Option<DateTime<Utc>>,
    /// Talk time in seconds, as Twilio's string.
    #[serde(default)]
    pub duration: Option<String>,
    /// When the resource was created.
    #[serde(default, with = "rfc2822_option")]
    pub date_created: Option<DateTime<Utc>>,
    /// When the resource last changed.
    #[serde(default, with = "rfc2822_option")]
    pub date_updated: Option<DateTime<Utc>>,
    /// The resource's path.
    #[serde(default)]
    pub uri: Option<String>,
}

/// A conference resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conference {
    /// The conference.
    pub sid: ConferenceSid,
    /// The account.
    pub account_sid: AccountSid,
    /// Its name.
    pub friendly_name: String,
    /// Its state; `None` if Twilio reports one this code does not know.
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<ConferenceStatus>,
    /// Where its media is mixed.
    #[serde(default)]
    pub region: Option<String>,
    /// Why it ended, once completed.
    #[serde(default, deserialize_with = "lenient")]
    pub reason_conference_ended: Option<ReasonConferenceEnded>,
    /// The call that ended it.
    #[serde(default)]
    pub call_sid_ending_conference: Option<CallSid>,
    /// When it was created.
    #[serde(default, with = "rfc2822_option")]
    pub date_created: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default, with = "rfc2822_option")]
    pub date_updated: Option<DateTime<Utc>>,
    /// The resource's path.
    #[serde(default)]
    pub uri: Option<String>,
}

wire_enum!(
    /// A participant's call state.
    ParticipantStatus {
        Queued = "queued",
        Connecting = "connecting",
        Ringing = "ringing",
        Connected = "connected",
        Complete = "complete",
        Failed = "failed",
    }
);

/// A conference participant resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// The account.
    pub account_sid: AccountSid,
    /// The participant's call.
    pub call_sid: CallSid,
    /// The conference.
    pub conference_sid: ConferenceSid,
    /// The label, if one was given.
    #[serde(default)]
    pub label: Option<String>,
    /// The participant's state; `None` if Twilio reports one this code does not know.
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<ParticipantStatus>,
    /// Whether muted.
    #[serde(default)]
    pub muted: Option<bool>,
    /// Whether on hold.
    #[serde(default)]
    pub hold: Option<bool>,
    /// Whether coaching.
    #[serde(default)]
    pub coaching: Option<bool>,
    /// The call being coached.
    #[serde(default)]
    pub call_sid_to_coach: Option<CallSid>,
    /// Whether the conference ends when it leaves.
    #[serde(default)]
    pub end_conference_on_exit: Option<bool>,
    /// Whether its arrival starts the conference.
    #[serde(default)]
    pub start_conference_on_enter: Option<bool>,
    /// When it was created.
    #[serde(default, with = "rfc2822_option")]
    pub date_created: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default, with = "rfc2822_option")]
    pub date_updated: Option<DateTime<Utc>>,
    /// The resource's path.
    #[serde(default)]
    pub uri: Option<String>,
}

/// One page of a conference list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConferencePage {
    /// The conferences on this page.
    pub conferences: Vec<Conference>,
    /// The page number.
    #[serde(default)]
    pub page: u32,
    /// The page size.
    #[serde(default)]
    pub page_size: u32,
    /// The next page's path, when there is one.
    #[serde(default)]
    pub next_page_uri: Option<String>,
}

/// How many participants a participant list asks for: more than a conference of ours ever holds
/// (customer, operator, transfer target, outside party, supervisor).
pub const PARTICIPANT_PAGE: u32 = 20;

/// One page of a conference's participants (`GET …/Conferences/{CF}/Participants.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantPage {
    /// The participants in the conference now.
    pub participants: Vec<Participant>,
    /// The page number.
    #[serde(default)]
    pub page: u32,
    /// The page size.
    #[serde(default)]
    pub page_size: u32,
    /// The next page's path, when there is one.
    #[serde(default)]
    pub next_page_uri: Option<String>,
}

/// What a TwiML App does with a call, for creating or changing one
/// (`POST /Applications.json`, `POST /Applications/{AP}.json`). Absent fields are left as
/// they are (Twilio's defaults on create).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationSettings {
    /// The app's name, which the console finds it by.
    pub friendly_name: Option<String>,
    /// The TwiML a softphone's outgoing call runs.
    pub voice_url: Option<String>,
    /// The method for `voice_url`.
    pub voice_method: Option<HttpMethod>,
    /// The TwiML when `voice_url` fails.
    pub voice_fallback_url: Option<String>,
    /// The method for `voice_fallback_url`.
    pub voice_fallback_method: Option<HttpMethod>,
    /// Where the call's final status goes.
    pub status_callback: Option<String>,
    /// The method for `status_callback`.
    pub status_callback_method: Option<HttpMethod>,
}

/// A TwiML App resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    /// The app.
    pub sid: ApplicationSid,
    /// Its name.
    #[serde(default)]
    pub friendly_name: Option<String>,
    /// Its Voice Request URL; `None` when unset.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub voice_url: Option<String>,
    /// The method for `voice_url`.
    #[serde(default, deserialize_with = "lenient")]
    pub voice_method: Option<HttpMethod>,
    /// Its voice fallback URL; `None` when unset.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub voice_fallback_url: Option<String>,
    /// The method for `voice_fallback_url`.
    #[serde(default, deserialize_with = "lenient")]
    pub voice_fallback_method: Option<HttpMethod>,
    /// Its status callback URL; `None` when unset.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub status_callback: Option<String>,
    /// The method for `status_callback`.
    #[serde(default, deserialize_with = "lenient")]
    pub status_callback_method: Option<HttpMethod>,
}

/// `GET /Applications.json`: TwiML Apps, all of them or those with one name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListApplications {
    /// Only apps with exactly this name.
    pub friendly_name: Option<String>,
    /// The page size (Twilio default 50).
    pub page_size: Option<u32>,
}

/// One page of a TwiML App list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationPage {
    /// The apps on this page.
    pub applications: Vec<Application>,
    /// The next page's path and query, when there is one.
    #[serde(default)]
    pub next_page_uri: Option<String>,
}

/// An API key as Twilio lists and fetches it (its secret is never shown again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// The key, the REST user name.
    pub sid: ApiKeySid,
    /// Its name.
    #[serde(default)]
    pub friendly_name: Option<String>,
}

/// A key just created (`POST /Keys.json`): the only time Twilio shows its secret.
#[derive(Debug, Clone, Deserialize)]
pub struct NewApiKey {
    /// The key.
    pub sid: ApiKeySid,
    /// Its name.
    #[serde(default)]
    pub friendly_name: Option<String>,
    /// The secret: the REST password and the access tokens' signing key.
    #[serde(deserialize_with = "secret")]
    pub secret: SecretString,
}

/// `GET /Keys.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListKeys {
    /// The page size (Twilio default 50).
    pub page_size: Option<u32>,
}

/// One page of the API key list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPage {
    /// The keys on this page.
    pub keys: Vec<ApiKey>,
    /// The next page's path and query, when there is one.
    #[serde(default)]
    pub next_page_uri: Option<String>,
}

/// A phone number of the account (an IncomingPhoneNumber resource), with its voice
/// configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingPhoneNumber {
    /// The number's resource.
    pub sid: PhoneNumberSid,
    /// The number in E.164.
    pub phone_number: String,
    /// Its name.
    #[serde(default)]
    pub friendly_name: Option<String>,
    /// What a call to the number fetches first; ignored while an app or trunk is set.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub voice_url: Option<String>,
    /// The method for `voice_url`.
    #[serde(default, deserialize_with = "lenient")]
    pub voice_method: Option<HttpMethod>,
    /// What a call fetches when `voice_url` fails.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub voice_fallback_url: Option<String>,
    /// The method for `voice_fallback_url`.
    #[serde(default, deserialize_with = "lenient")]
    pub voice_fallback_method: Option<HttpMethod>,
    /// Where the call's final status goes.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub status_callback: Option<String>,
    /// The method for `status_callback`.
    #[serde(default, deserialize_with = "lenient")]
    pub status_callback_method: Option<HttpMethod>,
    /// A TwiML App that handles the number's calls instead of its URLs; Twilio writes
    /// `""` when there is none, read as `None`.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub voice_application_sid: Option<String>,
}

/// `GET /IncomingPhoneNumbers.json`: the account's numbers, all or one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListIncomingPhoneNumbers {
    /// Only this number (E.164).
    pub phone_number: Option<String>,
    /// The page size (Twilio default 50).
    pub page_size: Option<u32>,
}

/// One page of the account's numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingPhoneNumberPage {
    /// The numbers on this page.
    pub incoming_phone_numbers: Vec<IncomingPhoneNumber>,
    /// The next page's path and query, when there is one.
    #[serde(default)]
    pub next_page_uri: Option<String>,
}

/// `POST /IncomingPhoneNumbers/{PN}.json`: a number's voice configuration. Absent
/// fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateIncomingPhoneNumber {
    /// What a call fetches first.
    pub voice_url: Option<String>,
    /// The method for `voice_url`.
    pub voice_method: Option<HttpMethod>,
    /// What a call fetches when `voice_url` fails.
    pub voice_fallback_url: Option<String>,
    /// The method for `voice_fallback_url`.
    pub voice_fallback_method: Option<HttpMethod>,
    /// Where the call's final status goes.
    pub status_callback: Option<String>,
    /// The method for `status_callback`.
    pub status_callback_method: Option<HttpMethod>,
    /// `Some(Some(app))` hands the number's calls to a TwiML App; `Some(None)` takes
    /// them back from any app (sent as the empty value, Twilio's way of clearing it).
    pub voice_application_sid: Option<Option<ApplicationSid>>,
}

/// A secondary auth token just created (`POST /v1/AuthTokens/Secondary`).
#[derive(Debug, Clone, Deserialize)]
pub struct SecondaryAuthToken {
    /// The account.
    pub account_sid: AccountSid,
    /// The new token: it authenticates REST requests at once and signs webhooks once
    /// promoted.
    #[serde(deserialize_with = "secret")]
    pub secondary_auth_token: SecretString,
}

/// The answer to `POST /v1/AuthTokens/Promote`.
#[derive(Debug, Clone, Deserialize)]
pub struct AuthTokenPromotion {
    /// The account.
    pub account_sid: AccountSid,
    /// The promoted token, now the account's only one.
    #[serde(deserialize_with = "secret")]
    pub auth_token: SecretString,
}

/// Reads a string field into a [`SecretString`], so it never reaches a `Debug` line.
fn secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SecretString, D::Error> {
    String::deserialize(deserializer).map(SecretString::from)
}

/// Reads an optional string, mapping Twilio's `""` for an unset field to `None`.
fn empty_as_none<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = Option::<String>::deserialize(deserializer)?;
    Ok(value.filter(|v| !v.is_empty()))
}

/// Reads an enum field, mapping values this code does not know to `None` so a new
/// Twilio status does not turn a successful request into an error.
fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: std::str::FromStr,
{
    let value = Option::<String>::deserialize(deserializer)?;
    Ok(value.and_then(|v| v.parse().ok()))
}

/// Twilio's resource dates are RFC 2822 (`Fri, 18 Feb 2011 21:07:19 +0000`).
mod rfc2822_option {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(time) => serializer.serialize_str(&time.to_rfc2822()),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let value = Option::<String>::deserialize(deserializer)?;
        value
            .map(|text| {
                DateTime::parse_from_rfc2822(&text)
                    .map(|time| time.with_timezone(&Utc))
                    .map_err(serde::de::Error::custom)
            })
            .transpose()
    }
}

/// Collects form parameters without the `if let Some` noise.
#[derive(Default)]
struct Form(Vec<(String, String)>);

impl Form {
    fn add(&mut self, name: &str, value: impl ToString) -> &mut Self {
        self.0.push((name.to_owned(), value.to_string()));
        self
    }

    fn opt(&mut self, name: &str, value: Option<impl ToString>) -> &mut Self {
        if let Some(value) = value {
            self.add(name, value);
        }
        self
    }

    fn list<T: std::fmt::Display>(&mut self, name: &str, values: &[T]) -> &mut Self {
        for value in values {
            self.add(name, value);
        }
        self
    }

    fn into_pairs(self) -> Vec<(String, String)> {
        self.0
    }
}

impl ApplicationSettings {
    fn form(&self) -> Form {
        let mut form = Form::default();
        form.opt("FriendlyName", self.friendly_name.as_deref())
            .opt("VoiceUrl", self.voice_url.as_deref())
            .opt("VoiceMethod", self.voice_method)
            .opt("VoiceFallbackUrl", self.voice_fallback_url.as_deref())
            .opt("VoiceFallbackMethod", self.voice_fallback_method)
            .opt("StatusCallback", self.status_callback.as_deref())
            .opt("StatusCallbackMethod", self.status_callback_method);
        form
    }
}

/// Percent-encodes path segments with the URL standard's path rules.
fn account_path(account: &AccountSid, rest: &[&str]) -> String {
    let mut url = reqwest::Url::parse("http://localhost/").expect("a constant URL parses");
    url.path_segments_mut()
        .expect("an http URL has path segments")
        .clear()
        .push(API_VERSION)
        .push("Accounts")
        .push(account.as_str())
        .extend(rest);
    url.path().to_owned()
}

impl PreparedRequest {
    /// `POST /Accounts/{AC}/Calls.json`.
    pub fn create_call(account: &AccountSid, request: &CreateCall) -> Self {
        let mut form = Form::default();
        form.add("To", &request.to).add("From", &request.from);
        match &request.instructions {
            CallInstructions::Url { url, method } => {
                form.add("Url", url).opt("Method", *method);
            }
            CallInstructions::Twiml(twiml) => {
                form.add("Twiml", twiml.to_xml());
            }
        }
        form.opt("StatusCallback", request.status_callback.as_deref())
            .list("StatusCallbackEvent", &request.status_callback_event)
            .opt("StatusCallbackMethod", request.status_callback_method)
            .opt("Timeout", request.timeout)
            .opt("TimeLimit", request.time_limit)
            .opt("Record", request.record)
            .opt("SendDigits", request.send_digits.as_deref());
        Self {
            host: RestHost::Api,
            method: RestMethod::Post,
            path: account_path(account, &["Calls.json"]),
            params: form.into_pairs(),
            idempotency: Idempotency::Create,
        }
    }

    /// `POST /Accounts/{AC}/Calls/{CA}.json`.
    pub fn update_call(account: &AccountSid, call: &CallSid, request: &UpdateCall) -> Self {
        let mut form = Form::default();
        match request {
            UpdateCall::Redirect { url, method } => {
                form.add("Url", url).opt("Method", *method);
            }
            UpdateCall::Twiml(twiml) => {
                form.add("Twiml", twiml.to_xml());
            }
            UpdateCall::End(status) => {
                form.add("Status", status);
            }
        }
        Self {
            host: RestHost::Api,
            method: RestMethod::Post,
            path: account_path(account, &["Calls", &format!("{call}.json")]),
            params: form.into_pairs(),
            idempotency: Idempotency::Idempotent,
        }
    }

    /// `GET /Accounts/{AC}/Calls/{CA}.json`: a call as Twilio knows it now.
    pub fn fetch_call(account: &AccountSid, call: &CallSid) -> Self {
        Self::read(
            account_path(account, &["Calls", &format!("{call}.json")]),
            Form::default(),
        )
    }

    /// `GET /Accounts/{AC}/Conferences.json?FriendlyName=…&Status=…`.
    pub fn list_conferences(account: &AccountSid, request: &ListConferences) -> Self {
        let mut form = Form::default();
        form.add("FriendlyName", &request.friendly_name)
            .opt("Status", request.status)
            .opt("PageSize", request.page_size);
        Self {
            host: RestHost::Api,
            method: RestMethod::Get,
            path: account_path(account, &["Conferences.json"]),
            params: form.into_pairs(),
            idempotency: Idempotency::Idempotent,
        }
    }

    /// `POST /Accounts/{AC}/Conferences/{CF}.json`.
    pub fn update_conference(account: &AccountSid, conference: &ConferenceSid, request: &UpdateConference) -> Self {
        let mut form = Form::default();
        if request.end {
            form.add("Status", ConferenceStatus::Completed);
        }
        form.opt("AnnounceUrl", request.announce_url.as_deref())
            .opt("AnnounceMethod", request.announce_method);
        Self {
            host: RestHost::Api,
            method: RestMethod::Post,
            path: account_path(account, &["Conferences", &format!("{conference}.json")]),
            params: form.into_pairs(),
            idempotency: Idempotency::Idempotent,
        }
    }

    /// `POST /Accounts/{AC}/Conferences/{CF}/Recordings/{RE or Twilio.CURRENT}.json`.
    pub fn update_conference_recording(
        account: &AccountSid,
        conference: &ConferenceSid,
        recording: &str,
        request: &UpdateRecording,
    ) -> Self {
        let mut form = Form::default();
        form.add("Status", request.status)
            .opt("PauseBehavior", request.pause_behavior);
        Self {
            host: RestHost::Api,
            method: RestMethod::Post,
            path: account_path(
                account,
                &[
                    "Conferences",
                    conference.as_str(),
                    "Recordings",
                    &format!("{recording}.json"),
                ],
            ),
            params: form.into_pairs(),
            idempotency: Idempotency::Idempotent,
        }
    }

    /// `POST /Accounts/{AC}/Conferences/{CF or name}/Participants.json`.
    pub fn create_participant(account: &AccountSid, conference: &ConferenceRef, request: &CreateParticipant) -> Self {
        let conference = match conference {
            ConferenceRef::Sid(sid) => sid.to_string(),
            ConferenceRef::FriendlyName(name) => name.clone(),
        };
        let mut form = Form::default();
        form.add("From", &request.from)
            .add("To", request.to.to_param())
            .opt("Label", request.label.as_deref())
            .opt("EarlyMedia", request.early_media)
            .opt("Beep", request.beep)
            .opt("StartConferenceOnEnter", request.start_conference_on_enter)
            .opt("EndConferenceOnExit", request.end_conference_on_exit)
            .opt("StatusCallback", request.status_callback.as_deref())
            .list("StatusCallbackEvent", &request.status_callback_event)
            .opt("StatusCallbackMethod", request.status_callback_method)
            .opt(
                "ConferenceStatusCallback",
                request.conference_status_callback.as_deref(),
            )
            .list(
                "ConferenceStatusCallbackEvent",
                &request.conference_status_callback_event,
            )
            .opt("Timeout", request.timeout)
            .opt("WaitUrl", request.wait_url.as_deref())
            .opt("Muted", request.muted)
            .opt("CallerId", request.caller_id.as_deref())
            .opt("Coaching", request.coaching)
            .opt("CallSidToCoach", request.call_sid_to_coach.as_ref())
            .opt("Record", request.record);
        Self {
            host: RestHost::Api,
            method: RestMethod::Post,
            path: account_path(account, &["Conferences", &conference, "Participants.json"]),
            params: form.into_pairs(),
            idempotency: Idempotency::Create,
        }
    }

    /// `POST /Accounts/{AC}/Conferences/{CF}/Participants/{CA or label}.json`.
    pub fn update_participant(
        account: &AccountSid,
        conference: &ConferenceSid,
        participant: &ParticipantRef,
        request: &UpdateParticipant,
    ) -> Self {
        let mut form = Form::default();
        form.opt("Hold", request.hold)
            .opt("HoldUrl", request.hold_url.as_deref())
            .opt("HoldMethod", request.hold_method)
            .opt("Muted", request.muted)
            .opt("AnnounceUrl", request.announce_url.as_deref())
            .opt("EndConferenceOnExit", request.end_conference_on_exit)
            .opt("Coaching", request.coaching)
            .opt("CallSidToCoach", request.call_sid_to_coach.as_ref())
            .opt("BeepOnExit", request.beep_on_exit);
        Self {
            host: RestHost::Api,
            method: RestMethod::Post,
            path: account_path(
                account,
                &[
                    "Conferences",
                    conference.as_str(),
                    "Participants",
                    &participant.segment(),
                ],
            ),
            params: form.into_pairs(),
            idempotency: Idempotency::Idempotent,
        }
    }

    /// `GET /Accounts/{AC}/Conferences/{CF}/Participants/{CA or label}.json`.
    pub fn fetch_participant(account: &AccountSid, conference: &ConferenceSid, participant: &ParticipantRef) -> Self {
        Self::read(
            account_path(
                account,
                &[
                    "Conferences",
                    conference.as_str(),
                    "Participants",
                    &participant.segment(),
                ],
            ),
            Form::default(),
        )
    }

    /// `GET /Accounts/{AC}/Conferences/{CF}/Participants.json`: who is in the conference now
    /// (first page; a conference of ours has a handful of participants).
    pub fn list_participants(account: &AccountSid, conference: &ConferenceSid) -> Self {
        let mut form = Form::default();
        form.add("PageSize", PARTICIPANT_PAGE);
        Self::read(
            account_path(account, &["Conferences", conference.as_str(), "Participants.json"]),
            form,
        )
    }

    /// `DELETE /Accounts/{AC}/Conferences/{CF}/Participants/{CA or label}.json`.
    pub fn delete_participant(account: &AccountSid, conference: &ConferenceSid, participant: &ParticipantRef) -> Self {
        Self {
            host: RestHost::Api,
            method: RestMethod::Delete,
            path: account_path(
                account,
                &[
                    "Conferences",
                    conference.as_str(),
                    "Participants",
                    &participant.segment(),
                ],
            ),
            params: Vec::new(),
            idempotency: Idempotency::Idempotent,
        }
    }

    /// `GET /Accounts/{AC}/Applications.json?FriendlyName=…`.
    pub fn list_applications(account: &AccountSid, request: &ListApplications) -> Self {
        let mut form = Form::default();
        form.opt("FriendlyName", request.friendly_name.as_deref())
            .opt("PageSize", request.page_size);
        Self::read(account_path(account, &["Applications.json"]), form)
    }

    /// `POST /Accounts/{AC}/Applications.json`.
    pub fn create_application(account: &AccountSid, request: &ApplicationSettings) -> Self {
        Self {
            host: RestHost::Api,
            method: RestMethod::Post,
            path: account_path(account, &["Applications.json"]),
            params: request.form().into_pairs(),
            idempotency: Idempotency::Create,
        }
    }

    /// `GET /Accounts/{AC}/Applications/{AP}.json`.
    pub fn fetch_application(account: &AccountSid, application: &ApplicationSid) -> Self {
        Self::read(
            account_path(account, &["Applications", &format!("{application}.json")]),
            Form::default(),
        )
    }

    /// `POST /Accounts/{AC}/Applications/{AP}.json`.
    pub fn update_application(
        account: &AccountSid,
        application: &ApplicationSid,
        request: &ApplicationSettings,
    ) -> Self {
        Self {
            host: RestHost::Api,
            method: RestMethod::Post,
            path: account_path(account, &["Applications", &format!("{application}.json")]),
            params: request.form().into_pairs(),
            idempotency: Idempotency::Idempotent,
        }
    }

    /// `POST /Accounts/{AC}/Keys.json`: a Standard API key.
    pub fn create_key(account: &AccountSid, friendly_name: &str) -> Self {
        let mut form = Form::default();
        form.add("FriendlyName", friendly_name);
        Self {
            host: RestHost::Api,
            method: RestMethod::Post,
            path: account_path(account, &["Keys.json"]),
            params: form.into_pairs(),
            idempotency: Idempotency::Create,
        }
    }

    /// `GET /Accounts/{AC}/Keys/{SK}.json`.
    pub fn fetch_key(account: &AccountSid, key: &ApiKeySid) -> Self {
        Self::read(
            account_path(account, &["Keys", &format!("{key}.json")]),
            Form::default(),
        )
    }

    /// `GET /Accounts/{AC}/Keys.json`.
    pub fn list_keys(account: &AccountSid, request: &ListKeys) -> Self {
        let mut form = Form::default();
        form.opt("PageSize", request.page_size);
        Self::read(account_path(account, &["Keys.json"]), form)
    }

    /// `DELETE /Accounts/{AC}/Keys/{SK}.json`.
    pub fn delete_key(account: &AccountSid, key: &ApiKeySid) -> Self {
        Self {
            host: RestHost::Api,
            method: RestMethod::Delete,
            path: account_path(account, &["Keys", &format!("{key}.json")]),
            params: Vec::new(),
            idempotency: Idempotency::Idempotent,
        }
    }

    /// `DELETE /Accounts/{AC}/Recordings/{RE}.json`: the recording and its media are gone for
    /// good (the console's retention period ran out).
    pub fn delete_recording(account: &AccountSid, recording: &str) -> Self {
        Self {
            host: RestHost::Api,
            method: RestMethod::Delete,
            path: account_path(account, &["Recordings", &format!("{recording}.json")]),
            params: Vec::new(),
            idempotency: Idempotency::Idempotent,
        }
    }

    /// `GET /Accounts/{AC}/IncomingPhoneNumbers.json?PhoneNumber=…`.
    pub fn list_incoming_phone_numbers(account: &AccountSid, request: &ListIncomingPhoneNumbers) -> Self {
        let mut form = Form::default();
        form.opt("PhoneNumber", request.phone_number.as_deref())
            .opt("PageSize", request.page_size);
        Self::read(account_path(account, &["IncomingPhoneNumbers.json"]), form)
    }

    /// `GET /Accounts/{AC}/IncomingPhoneNumbers/{PN}.json`.
    pub fn fetch_incoming_phone_number(account: &AccountSid, number: &PhoneNumberSid) -> Self {
        Self::read(
            account_path(account, &["IncomingPhoneNumbers", &format!("{number}.json")]),
            Form::default(),
        )
    }

    /// `POST /Accounts/{AC}/IncomingPhoneNumbers/{PN}.json`.
    pub fn update_incoming_phone_number(
        account: &AccountSid,
        number: &PhoneNumberSid,
        request: &UpdateIncomingPhoneNumber,
    ) -> Self {
        let mut form = Form::default();
        form.opt("VoiceUrl", request.voice_url.as_deref())
            .opt("VoiceMethod", request.voice_method)
            .opt("VoiceFallbackUrl", request.voice_fallback_url.as_deref())
            .opt("VoiceFallbackMethod", request.voice_fallback_method)
            .opt("StatusCallback", request.status_callback.as_deref())
            .opt("StatusCallbackMethod", request.status_callback_method);
        if let Some(application) = &request.voice_application_sid {
            form.add(
                "VoiceApplicationSid",
                application.as_ref().map_or("", ApplicationSid::as_str),
            );
        }
        Self {
            host: RestHost::Api,
            method: RestMethod::Post,
            path: account_path(account, &["IncomingPhoneNumbers", &format!("{number}.json")]),
            params: form.into_pairs(),
            idempotency: Idempotency::Idempotent,
        }
    }

    /// `POST /v1/AuthTokens/Secondary` on the Accounts host. Each one makes a new token,
    /// so it is not repeated after a failure whose outcome is unknown.
    pub fn create_secondary_auth_token() -> Self {
        Self::accounts(RestMethod::Post, "/v1/AuthTokens/Secondary", Idempotency::Create)
    }

    /// `DELETE /v1/AuthTokens/Secondary` on the Accounts host.
    pub fn delete_secondary_auth_token() -> Self {
        Self::accounts(RestMethod::Delete, "/v1/AuthTokens/Secondary", Idempotency::Idempotent)
    }

    /// `POST /v1/AuthTokens/Promote` on the Accounts host: the secondary token becomes the
    /// only one. Not repeated blindly: a second promotion finds no secondary token.
    pub fn promote_secondary_auth_token() -> Self {
        Self::accounts(RestMethod::Post, "/v1/AuthTokens/Promote", Idempotency::Create)
    }

    /// The next page of a list, from the `next_page_uri` Twilio answered (a path with its
    /// query), as a request of its own so it is checked like the first.
    pub fn next_page(next_page_uri: &str) -> Self {
        let (path, query) = next_page_uri.split_once('?').unwrap_or((next_page_uri, ""));
        Self {
            host: RestHost::Api,
            method: RestMethod::Get,
            path: path.to_owned(),
            params: form_urlencoded::parse(query.as_bytes()).into_owned().collect(),
            idempotency: Idempotency::Idempotent,
        }
    }

    fn read(path: String, form: Form) -> Self {
        Self {
            host: RestHost::Api,
            method: RestMethod::Get,
            path,
            params: form.into_pairs(),
            idempotency: Idempotency::Idempotent,
        }
    }

    fn accounts(method: RestMethod, path: &str, idempotency: Idempotency) -> Self {
        Self {
            host: RestHost::Accounts,
            method,
            path: path.to_owned(),
            params: Vec::new(),
            idempotency,
        }
    }

    /// The form body (or query string) as sent.
    pub fn encoded_params(&self) -> String {
        let mut encoded = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.params {
            encoded.append_pair(name, value);
        }
        encoded.finish()
    }
}

/// Whether `recording` is a recording SID (`RE` and 32 hexadecimal digits).
fn is_recording_sid(recording: &str) -> bool {
    recording.len() == 34 && recording.starts_with("RE") && recording[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Twilio's 404 for what is not a recording SID, answered without asking.
fn not_a_recording() -> RestError {
    RestError::Api(TwilioApiError {
        status: 404,
        code: Some(20404),
        message: "not a recording SID".to_owned(),
        more_info: None,
    })
}

/// Twilio's REST API over HTTPS (reqwest with rustls).
#[derive(Debug, Clone)]
pub struct RestClient {
    http: reqwest::Client,
    base_url: String,
    accounts_base_url: String,
    account_sid: AccountSid,
    user: String,
    password: SecretString,
    retry: RetryPolicy,
}

/// What one attempt produced.
enum Attempt {
    Done {
        status: reqwest::StatusCode,
        body: String,
        retry_after: Option<Duration>,
    },
    Failed {
        error: RestError,
        retryable: bool,
        sent: bool,
    },
}

impl RestClient {
    /// A client for `https://api.twilio.com` with the default retry policy.
    pub fn new(credentials: TwilioCredentials) -> Result<Self, RestError> {
        Self::with_base_url(credentials, DEFAULT_BASE_URL, RetryPolicy::default())
    }

    /// A client for another base URL (a loopback test server, the simulator).
    pub fn with_base_url(
        credentials: TwilioCredentials,
        base_url: &str,
        retry: RetryPolicy,
    ) -> Result<Self, RestError> {
        let user = credentials.api_key_sid.to_string();
        Self::build(
            credentials.account_sid,
            user,
            credentials.api_key_secret,
            base_url,
            retry,
        )
    }

    /// A client authenticated with the account's SID and auth token, which Twilio requires
    /// for managing API keys and the auth token itself (a Standard API key may not). For
    /// the admin commands only: the functions use an API key.
    pub fn with_auth_token(
        account_sid: AccountSid,
        auth_token: SecretString,
        base_url: &str,
        retry: RetryPolicy,
    ) -> Result<Self, RestError> {
        let user = account_sid.to_string();
        Self::build(account_sid, user, auth_token, base_url, retry)
    }

    /// The same client sending the auth-token requests to another Accounts API host than
    /// `https://accounts.twilio.com` (the simulator, which answers both APIs on one port).
    pub fn with_accounts_base_url(mut self, accounts_base_url: &str) -> Result<Self, RestError> {
        self.accounts_base_url = checked_base_url(accounts_base_url)?;
        Ok(self)
    }

    fn build(
        account_sid: AccountSid,
        user: String,
        password: SecretString,
        base_url: &str,
        retry: RetryPolicy,
    ) -> Result<Self, RestError> {
        let base_url = checked_base_url(base_url)?;
        let http = crate::tls::http_client()
            .user_agent(concat!("operator-console-twilio/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(RestError::Client)?;
        Ok(Self {
            http,
            base_url,
            accounts_base_url: DEFAULT_ACCOUNTS_BASE_URL.to_owned(),
            account_sid,
            user,
            password,
            retry,
        })
    }

    /// The account requests are made for.
    pub fn account_sid(&self) -> &AccountSid {
        &self.account_sid
    }

    /// Places a call.
    pub async fn create_call(&self, request: &CreateCall) -> Result<Call, RestError> {
        let prepared = PreparedRequest::create_call(self.account_sid(), request);
        self.send_json(&prepared, "call").await
    }

    /// Redirects, re-scripts or ends a live call.
    pub async fn update_call(&self, call: &CallSid, request: &UpdateCall) -> Result<Call, RestError> {
        let prepared = PreparedRequest::update_call(self.account_sid(), call, request);
        self.send_json(&prepared, "call").await
    }

    /// Reads a call's current state (the reconciliation's question when a callback was lost).
    pub async fn fetch_call(&self, call: &CallSid) -> Result<Call, RestError> {
        let prepared = PreparedRequest::fetch_call(self.account_sid(), call);
        self.send_json(&prepared, "call").await
    }

    /// Lists conferences by name (first page only).
    pub async fn list_conferences(&self, request: &ListConferences) -> Result<ConferencePage, RestError> {
        let prepared = PreparedRequest::list_conferences(self.account_sid(), request);
        self.send_json(&prepared, "conference list").await
    }

    /// Ends a conference or plays an announcement to it.
    pub async fn update_conference(
        &self,
        conference: &ConferenceSid,
        request: &UpdateConference,
    ) -> Result<Conference, RestError> {
        let prepared = PreparedRequest::update_conference(self.account_sid(), conference, request);
        self.send_json(&prepared, "conference").await
    }

    /// Pauses, resumes or stops a conference recording.
    pub async fn update_conference_recording(
        &self,
        conference: &ConferenceSid,
        recording: &str,
        request: &UpdateRecording,
    ) -> Result<ConferenceRecording, RestError> {
        let prepared = PreparedRequest::update_conference_recording(self.account_sid(), conference, recording, request);
        self.send_json(&prepared, "conference recording").await
    }

    /// Calls someone into a conference.
    pub async fn create_participant(
        &self,
        conference: &ConferenceRef,
        request: &CreateParticipant,
    ) -> Result<Participant, RestError> {
        let prepared = PreparedRequest::create_participant(self.account_sid(), conference, request);
        self.send_json(&prepared, "participant").await
    }

    /// Reads a participant of a conference as it is now (its call and state).
    pub async fn fetch_participant(
        &self,
        conference: &ConferenceSid,
        participant: &ParticipantRef,
    ) -> Result<Participant, RestError> {
        let prepared = PreparedRequest::fetch_participant(self.account_sid(), conference, participant);
        self.send_json(&prepared, "participant").await
    }

    /// Lists the participants in a conference now (first page, [`PARTICIPANT_PAGE`] of them).
    pub async fn list_participants(&self, conference: &ConferenceSid) -> Result<ParticipantPage, RestError> {
        let prepared = PreparedRequest::list_participants(self.account_sid(), conference);
        self.send_json(&prepared, "participant list").await
    }

    /// Holds, mutes or otherwise changes a participant.
    pub async fn update_participant(
        &self,
        conference: &ConferenceSid,
        participant: &ParticipantRef,
        request: &UpdateParticipant,
    ) -> Result<Participant, RestError> {
        let prepared = PreparedRequest::update_participant(self.account_sid(), conference, participant, request);
        self.send_json(&prepared, "participant").await
    }

    /// Removes a participant from a conference, hanging up its call.
    ///
    /// A 404 on a retry (after an attempt whose fate is unknown) counts as done:
    /// the earlier attempt most likely removed it.
    pub async fn delete_participant(
        &self,
        conference: &ConferenceSid,
        participant: &ParticipantRef,
    ) -> Result<(), RestError> {
        let prepared = PreparedRequest::delete_participant(self.account_sid(), conference, participant);
        self.send(&prepared).await.map(drop)
    }

    /// Lists TwiML Apps, following every page.
    pub async fn list_applications(&self, request: &ListApplications) -> Result<Vec<Application>, RestError> {
        let first = PreparedRequest::list_applications(self.account_sid(), request);
        self.collect_pages(first, "application list", |page: ApplicationPage| {
            (page.applications, page.next_page_uri)
        })
        .await
    }

    /// Creates a TwiML App.
    pub async fn create_application(&self, request: &ApplicationSettings) -> Result<Application, RestError> {
        let prepared = PreparedRequest::create_application(self.account_sid(), request);
        self.send_json(&prepared, "application").await
    }

    /// Reads a TwiML App.
    pub async fn fetch_application(&self, application: &ApplicationSid) -> Result<Application, RestError> {
        let prepared = PreparedRequest::fetch_application(self.account_sid(), application);
        self.send_json(&prepared, "application").await
    }

    /// Changes a TwiML App.
    pub async fn update_application(
        &self,
        application: &ApplicationSid,
        request: &ApplicationSettings,
    ) -> Result<Application, RestError> {
        let prepared = PreparedRequest::update_application(self.account_sid(), application, request);
        self.send_json(&prepared, "application").await
    }

    /// Creates a Standard API key; its secret is in the answer and nowhere else, ever.
    pub async fn create_key(&self, friendly_name: &str) -> Result<NewApiKey, RestError> {
        let prepared = PreparedRequest::create_key(self.account_sid(), friendly_name);
        self.send_json(&prepared, "API key").await
    }

    /// Reads an API key (without its secret); `None` when the account has no such key.
    pub async fn fetch_key(&self, key: &ApiKeySid) -> Result<Option<ApiKey>, RestError> {
        let prepared = PreparedRequest::fetch_key(self.account_sid(), key);
        match self.send_json(&prepared, "API key").await {
            Ok(key) => Ok(Some(key)),
            Err(RestError::Api(TwilioApiError { status: 404, .. })) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// Lists the account's API keys, following every page.
    pub async fn list_keys(&self, request: &ListKeys) -> Result<Vec<ApiKey>, RestError> {
        let first = PreparedRequest::list_keys(self.account_sid(), request);
        self.collect_pages(first, "API key list", |page: KeyPage| (page.keys, page.next_page_uri))
            .await
    }

    /// Deletes an API key: every request signed with it fails from then on.
    pub async fn delete_key(&self, key: &ApiKeySid) -> Result<(), RestError> {
        let prepared = PreparedRequest::delete_key(self.account_sid(), key);
        self.send(&prepared).await.map(drop)
    }

    /// Lists the account's numbers (all, or one by `phone_number`), following every page.
    pub async fn list_incoming_phone_numbers(
        &self,
        request: &ListIncomingPhoneNumbers,
    ) -> Result<Vec<IncomingPhoneNumber>, RestError> {
        let first = PreparedRequest::list_incoming_phone_numbers(self.account_sid(), request);
        self.collect_pages(first, "phone number list", |page: IncomingPhoneNumberPage| {
            (page.incoming_phone_numbers, page.next_page_uri)
        })
        .await
    }

    /// Reads one of the account's numbers.
    pub async fn fetch_incoming_phone_number(&self, number: &PhoneNumberSid) -> Result<IncomingPhoneNumber, RestError> {
        let prepared = PreparedRequest::fetch_incoming_phone_number(self.account_sid(), number);
        self.send_json(&prepared, "phone number").await
    }

    /// Changes a number's voice configuration.
    pub async fn update_incoming_phone_number(
        &self,
        number: &PhoneNumberSid,
        request: &UpdateIncomingPhoneNumber,
    ) -> Result<IncomingPhoneNumber, RestError> {
        let prepared = PreparedRequest::update_incoming_phone_number(self.account_sid(), number, request);
        self.send_json(&prepared, "phone number").await
    }

    /// Creates the account's secondary auth token (needs the account's credentials).
    pub async fn create_secondary_auth_token(&self) -> Result<SecondaryAuthToken, RestError> {
        self.send_json(&PreparedRequest::create_secondary_auth_token(), "secondary auth token")
            .await
    }

    /// Deletes the account's secondary auth token.
    pub async fn delete_secondary_auth_token(&self) -> Result<(), RestError> {
        self.send(&PreparedRequest::delete_secondary_auth_token())
            .await
            .map(drop)
    }

    /// Promotes the secondary auth token: Twilio signs webhooks with it from now on and
    /// the former primary token no longer authenticates anything.
    pub async fn promote_secondary_auth_token(&self) -> Result<AuthTokenPromotion, RestError> {
        self.send_json(&PreparedRequest::promote_secondary_auth_token(), "auth token promotion")
            .await
    }

    /// A recording's media URL as WAV (Twilio's, which answers audio rather than JSON).
    fn recording_wav_url(&self, recording: &str) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Recordings/{recording}.wav",
            self.base_url, self.account_sid
        )
    }

    /// Deletes a recording (`DELETE /Recordings/{RE}.json`). Twilio's 404 for one already gone
    /// comes back as an error; the caller decides it means done.
    pub async fn delete_recording(&self, recording: &str) -> Result<(), RestError> {
        if !is_recording_sid(recording) {
            return Err(not_a_recording());
        }
        let prepared = PreparedRequest::delete_recording(self.account_sid(), recording);
        self.send(&prepared).await.map(drop)
    }

    /// A part of a recording's WAV (`GET /Recordings/{RE}.wav` with `Range`), at most `max`
    /// bytes: the range is forwarded bounded, and the answer is read no further than `max` bytes
    /// past the range's start even when Twilio sends more (a suffix, or a whole file when it
    /// ignores `Range`), so a long recording is never held whole. One attempt within the client's
    /// attempt timeout: the player asks again.
    pub async fn recording_part(
        &self,
        recording: &str,
        range: super::media::ByteRange,
        max: u64,
    ) -> Result<super::media::MediaAnswer, RestError> {
        use super::media::{MediaAnswer, MediaPart, parse_content_range};
        if !is_recording_sid(recording) {
            return Err(not_a_recording());
        }
        let url = self.recording_wav_url(recording);
        let exchange = async {
            let mut response = self
                .http
                .get(url)
                .basic_auth(&self.user, Some(self.password.expose_secret()))
                .header(reqwest::header::RANGE, range.bounded(max).header())
                .send()
                .await?;
            let status = response.status();
            let header = |name: reqwest::header::HeaderName| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let content_type = header(reqwest::header::CONTENT_TYPE).unwrap_or_else(|| "audio/x-wav".to_owned());
            let content_range = header(reqwest::header::CONTENT_RANGE).and_then(|v| parse_content_range(&v));
            if status == reqwest::StatusCode::RANGE_NOT_SATISFIABLE {
                return Ok(Err(MediaAnswer::Unsatisfiable {
                    total: content_range.and_then(|(_, total)| total),
                }));
            }
            if !status.is_success() {
                let body = response.bytes().await.unwrap_or_default();
                return Ok(Ok((status, Vec::new(), 0, 0, content_type, Some(body))));
            }
            // Where the answer starts in the recording, how long the recording is, and which of
            // the answer's bytes to keep.
            let (answer_first, total) = if status == reqwest::StatusCode::PARTIAL_CONTENT {
                let (first, total) = content_range.unwrap_or((None, None));
                (first.unwrap_or(0), total)
            } else {
                (0, response.content_length())
            };
            let Some(total) = total else {
                return Ok(Ok((status, Vec::new(), 0, 0, content_type, Some(Default::default()))));
            };
            let Some((first, last)) = range.within(total, max) else {
                return Ok(Err(MediaAnswer::Unsatisfiable { total: Some(total) }));
            };
            let skip = first.saturating_sub(answer_first);
            let keep = last - first + 1;
            let mut kept = Vec::with_capacity(keep as usize);
            let mut seen = 0u64;
            while (kept.len() as u64) < keep {
                let Some(chunk) = response.chunk().await? else { break };
                let from = skip.saturating_sub(seen).min(chunk.len() as u64) as usize;
                seen += chunk.len() as u64;
                let room = (keep - kept.len() as u64) as usize;
                let slice = &chunk[from..];
                kept.extend_from_slice(&slice[..slice.len().min(room)]);
            }
            Ok(Ok((status, kept, first, total, content_type, None)))
        };
        let answer = tokio::time::timeout(self.retry.attempt_timeout, exchange)
            .await
            .map_err(|_| RestError::Timeout(self.retry.attempt_timeout))?
            .map_err(RestError::Transport)?;
        match answer {
            Err(unsatisfiable) => Ok(unsatisfiable),
            Ok((status, _, _, _, _, Some(body))) => Err(RestError::Api(parse_api_error(
                status.as_u16(),
                &String::from_utf8_lossy(&body),
            ))),
            Ok((_, bytes, first, total, content_type, None)) => Ok(MediaAnswer::Part(MediaPart {
                bytes,
                first,
                total,
                content_type,
            })),
        }
    }

    /// Reads a list and its following pages, at most 100 pages (5,000 items at the
    /// default page size): a list longer than that is not the console's account.
    async fn collect_pages<P, T>(
        &self,
        first: PreparedRequest,
        what: &'static str,
        split: impl Fn(P) -> (Vec<T>, Option<String>),
    ) -> Result<Vec<T>, RestError>
    where
        P: serde::de::DeserializeOwned,
    {
        let mut items = Vec::new();
        let mut request = first;
        for _ in 0..100 {
            let (page, next) = split(self.send_json(&request, what).await?);
            items.extend(page);
            match next.filter(|uri| !uri.is_empty()) {
                Some(uri) => request = PreparedRequest::next_page(&uri),
                None => return Ok(items),
            }
        }
        Ok(items)
    }

    async fn send_json<T: serde::de::DeserializeOwned>(
        &self,
        request: &PreparedRequest,
        what: &'static str,
    ) -> Result<T, RestError> {
        let body = self.send(request).await?;
        serde_json::from_str(&body).map_err(|source| RestError::Decode { what, source })
    }

    /// Sends with retries and returns the success body.
    async fn send(&self, request: &PreparedRequest) -> Result<String, RestError> {
        let started = Instant::now();
        let deadline = started + self.retry.total_budget;
        let mut earlier_attempt_may_have_landed = false;
        let mut attempt = 0u32;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let outcome = self.attempt(request, self.retry.attempt_timeout.min(remaining)).await;
            let mut server_delay = None;
            let (error, retryable, sent) = match outcome {
                Attempt::Done { status, body, .. } if status.is_success() => return Ok(body),
                Attempt::Done { status, .. }
                    if status == reqwest::StatusCode::NOT_FOUND
                        && request.method == RestMethod::Delete
                        && earlier_attempt_may_have_landed =>
                {
                    return Ok(String::new());
                }
                Attempt::Done {
                    status,
                    body,
                    retry_after,
                } => {
                    server_delay = retry_after;
                    let error = RestError::Api(parse_api_error(status.as_u16(), &body));
                    let retryable = match status.as_u16() {
                        429 => true,
                        503 | 500 | 502 | 504 => request.idempotency == Idempotency::Idempotent,
                        _ => false,
                    };
                    (error, retryable, status.as_u16() != 429)
                }
                Attempt::Failed { error, retryable, sent } => (error, retryable, sent),
            };
            earlier_attempt_may_have_landed |= sent;
            if !retryable || attempt >= self.retry.max_retries {
                return Err(error);
            }
            let delay = self.backoff(attempt).max(server_delay.unwrap_or_default());
            if Instant::now() + delay >= deadline {
                tracing::warn!(
                    method = request.method.as_str(),
                    path = %request.path,
                    attempt,
                    failure = %error.log_summary(),
                    "Twilio retry budget exhausted"
                );
                return Err(error);
            }
            tracing::warn!(
                method = request.method.as_str(),
                path = %request.path,
                attempt,
                delay_ms = delay.as_millis() as u64,
                failure = %error.log_summary(),
                "retrying Twilio request"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// A random delay up to `min(max_delay, base_delay·2ⁿ)` (full jitter).
    fn backoff(&self, attempt: u32) -> Duration {
        let cap = self
            .retry
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.retry.max_delay);
        let cap_ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::rng().random_range(0..=cap_ms))
    }

    async fn attempt(&self, request: &PreparedRequest, timeout: Duration) -> Attempt {
        let base = match request.host {
            RestHost::Api => &self.base_url,
            RestHost::Accounts => &self.accounts_base_url,
        };
        let url = format!("{base}{}", request.path);
        let builder = match request.method {
            RestMethod::Get => {
                let query = request.encoded_params();
                let url = if query.is_empty() {
                    url
                } else {
                    format!("{url}?{query}")
                };
                self.http.get(url)
            }
            RestMethod::Delete => self.http.delete(url),
            RestMethod::Post => self
                .http
                .post(url)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(request.encoded_params()),
        };
        let builder = builder
            .basic_auth(&self.user, Some(self.password.expose_secret()))
            .header(reqwest::header::ACCEPT, "application/json");
        let exchange = async {
            let response = builder.send().await?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let body = response.text().await?;
            Ok::<_, reqwest::Error>((status, body, retry_after))
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(Ok((status, body, retry_after))) => Attempt::Done {
                status,
                body,
                retry_after,
            },
            Ok(Err(error)) => {
                let never_sent = error.is_connect();
                let retryable = never_sent || request.idempotency == Idempotency::Idempotent;
                Attempt::Failed {
                    error: RestError::Transport(error),
                    retryable,
                    sent: !never_sent,
                }
            }
            Err(_) => Attempt::Failed {
                error: RestError::Timeout(timeout),
                retryable: request.idempotency == Idempotency::Idempotent,
                sent: true,
            },
        }
    }
}

/// A base URL with an http(s) scheme, without its trailing `/`.
fn checked_base_url(base_url: &str) -> Result<String, RestError> {
    let parsed = reqwest::Url::parse(base_url).map_err(|_| RestError::InvalidBaseUrl(base_url.to_owned()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(RestError::InvalidBaseUrl(base_url.to_owned()));
    }
    Ok(base_url.trim_end_matches('/').to_owned())
}

/// Reads Twilio's error JSON, in either its classic form or RFC 9457 form; a body
/// that is neither still yields an error carrying the status and a short excerpt.
fn parse_api_error(status: u16, body: &str) -> TwilioApiError {
    #[derive(Deserialize)]
    struct Classic {
        code: Option<u32>,
        message: Option<String>,
        more_info: Option<String>,
        detail: Option<String>,
        title: Option<String>,
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    match serde_json::from_str::<Classic>(body) {
        Ok(parsed) => TwilioApiError {
            status,
            code: parsed.code,
            message: parsed
                .message
                .or(parsed.detail)
                .or(parsed.title)
                .unwrap_or_else(|| "no message".to_owned()),
            more_info: parsed.more_info.or(parsed.kind),
        },
        Err(_) => TwilioApiError {
            status,
            code: None,
            message: body.chars().take(200).collect(),
            more_info: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::twilio::spec::{accounts_subset, voice_subset};
    use crate::twilio::telephony::{Telephony, TelephonyError};
    use crate::twilio::twiml::{Conference as TwimlConference, Dial, Say, SayVoice};
    use axum::body::Bytes;
    use axum::http::{HeaderMap, Method, StatusCode, Uri};
    use base64::Engine as _;
    use proptest::prelude::*;
    use std::sync::{Arc, Mutex};

    const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
    const KEY: &str = "SKfedcba9876543210fedcba9876543210";
    const SECRET: &str = "api-key-secret";
    const CONFERENCE: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const CUSTOMER: &str = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const OPERATOR_LEG: &str = "CAcccccccccccccccccccccccccccccccc";

    fn account() -> AccountSid {
        AccountSid::parse(ACCOUNT).unwrap()
    }

    fn conference() -> ConferenceSid {
        ConferenceSid::parse(CONFERENCE).unwrap()
    }

    fn call(sid: &str) -> CallSid {
        CallSid::parse(sid).unwrap()
    }

    fn credentials() -> TwilioCredentials {
        TwilioCredentials {
            account_sid: account(),
            api_key_sid: ApiKeySid::parse(KEY).unwrap(),
            api_key_secret: SecretString::from(SECRET.to_owned()),
        }
    }

    fn fast_retries() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(20),
            attempt_timeout: Duration::from_secs(5),
            total_budget: Duration::from_secs(10),
        }
    }

    /// A request as the loopback server saw it.
    #[derive(Debug, Clone)]
    struct Seen {
        method: String,
        path: String,
        query: String,
        authorization: Option<String>,
        content_type: Option<String>,
        body: String,
    }

    impl Seen {
        /// The parameters Twilio would read: the form body, or the query for GET.
        fn params(&self) -> Vec<(String, String)> {
            let raw = if self.method == "GET" { &self.query } else { &self.body };
            form_urlencoded::parse(raw.as_bytes()).into_owned().collect()
        }
    }

    /// A loopback HTTP server that answers with scripted responses, in order (the
    /// last one repeats), records every request, and checks each against
    /// Twilio's OpenAPI spec so no test can pass with a request Twilio would refuse.
    struct ScriptedServer {
        base_url: String,
        seen: Arc<Mutex<Vec<Seen>>>,
    }

    impl ScriptedServer {
        async fn start(script: Vec<(u16, &'static str)>) -> Self {
            Self::start_with_delay(script, Duration::ZERO).await
        }

        async fn start_with_delay(script: Vec<(u16, &'static str)>, delay: Duration) -> Self {
            let seen = Arc::new(Mutex::new(Vec::new()));
            let recorded = seen.clone();
            let script = Arc::new(script);
            let app = axum::Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let recorded = recorded.clone();
                let script = script.clone();
                async move {
                    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
                    let index = {
                        let mut seen = recorded.lock().unwrap();
                        seen.push(Seen {
                            method: method.to_string(),
                            path: uri.path().to_owned(),
                            query: uri.query().unwrap_or_default().to_owned(),
                            authorization: header("authorization"),
                            content_type: header("content-type"),
                            body: String::from_utf8(body.to_vec()).unwrap(),
                        });
                        seen.len() - 1
                    };
                    tokio::time::sleep(delay).await;
                    let (status, body) = script[index.min(script.len() - 1)];
                    (
                        StatusCode::from_u16(status).unwrap(),
                        [("content-type", "application/json")],
                        body,
                    )
                }
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            tokio::spawn(async move {
                axum::serve(listener, app).await.unwrap();
            });
            Self {
                base_url: format!("http://{address}"),
                seen,
            }
        }

        fn client(&self) -> RestClient {
            self.client_with(fast_retries())
        }

        fn client_with(&self, retry: RetryPolicy) -> RestClient {
            RestClient::with_base_url(credentials(), &self.base_url, retry).unwrap()
        }

        fn seen(&self) -> Vec<Seen> {
            let seen = self.seen.lock().unwrap().clone();
            for request in &seen {
                let spec = if request.path.starts_with("/v1/") {
                    accounts_subset()
                } else {
                    voice_subset()
                };
                assert_eq!(
                    spec.validate(&request.method, &request.path, &request.params()),
                    Ok(()),
                    "{request:?} does not conform to Twilio's spec"
                );
            }
            seen
        }
    }

    /// A media server for recording `RE…aa`: 5,000 bytes (byte `i` is `i % 251`), answered as a
    /// server that honours `Range` does, or whole (200) as one that ignores it.
    async fn media_server(honours_range: bool) -> (String, Arc<Mutex<Vec<Option<String>>>>) {
        let ranges = Arc::new(Mutex::new(Vec::new()));
        let seen = ranges.clone();
        let app = axum::Router::new().fallback(move |headers: HeaderMap| {
            let seen = seen.clone();
            async move {
                let media: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
                let range = headers.get("range").and_then(|v| v.to_str().ok()).map(str::to_owned);
                seen.lock().unwrap().push(range.clone());
                let asked = range.as_deref().filter(|_| honours_range);
                match asked.map(|r| crate::twilio::media::ByteRange::parse(Some(r)).unwrap()) {
                    None => (StatusCode::OK, HeaderMap::new(), media),
                    Some(r) => {
                        let mut h = HeaderMap::new();
                        match r.within(5000, u64::MAX) {
                            Some((first, last)) => {
                                h.insert("content-range", format!("bytes {first}-{last}/5000").parse().unwrap());
                                (
                                    StatusCode::PARTIAL_CONTENT,
                                    h,
                                    media[first as usize..=last as usize].to_vec(),
                                )
                            }
                            None => {
                                h.insert("content-range", "bytes */5000".parse().unwrap());
                                (StatusCode::RANGE_NOT_SATISFIABLE, h, Vec::new())
                            }
                        }
                    }
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        (format!("http://{address}"), ranges)
    }

    fn part(answer: crate::twilio::media::MediaAnswer) -> crate::twilio::media::MediaPart {
        match answer {
            crate::twilio::media::MediaAnswer::Part(p) => p,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_recording_part_is_asked_bounded_and_read_no_further_than_its_bound() {
        use crate::twilio::media::{ByteRange, MediaAnswer};
        let recording = format!("RE{}", "a".repeat(32));
        let whole: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        for honours in [true, false] {
            let (base, ranges) = media_server(honours).await;
            let client = RestClient::with_base_url(credentials(), &base, fast_retries()).unwrap();
            // An open range is asked for bounded to the part's size.
            let p = part(
                client
                    .recording_part(&recording, ByteRange::From(100), 1000)
                    .await
                    .unwrap(),
            );
            assert_eq!(
                (p.first, p.total, p.bytes.as_slice()),
                (100, 5000, &whole[100..1100]),
                "honours {honours}"
            );
            assert_eq!(ranges.lock().unwrap()[0].as_deref(), Some("bytes=100-1099"));
            // A suffix wider than a part is cut to a part from where it starts.
            let p = part(
                client
                    .recording_part(&recording, ByteRange::Last(3000), 1000)
                    .await
                    .unwrap(),
            );
            assert_eq!(
                (p.first, p.bytes.as_slice()),
                (2000, &whole[2000..3000]),
                "honours {honours}"
            );
            // A range past the end is unsatisfiable, with the recording's length.
            assert_eq!(
                client
                    .recording_part(&recording, ByteRange::From(5000), 1000)
                    .await
                    .unwrap(),
                MediaAnswer::Unsatisfiable { total: Some(5000) },
                "honours {honours}"
            );
        }
    }

    #[tokio::test]
    async fn deleting_a_recording_sends_a_delete_twilio_allows_and_a_404_means_gone() {
        let server = ScriptedServer::start(vec![
            (204, ""),
            (
                404,
                r#"{"code": 20404, "message": "The requested resource was not found", "status": 404}"#,
            ),
        ])
        .await;
        let client = server.client();
        let recording = format!("RE{}", "b".repeat(32));
        Telephony::delete_recording(&client, &recording).await.unwrap();
        let again = Telephony::delete_recording(&client, &recording).await;
        assert!(matches!(again, Err(TelephonyError::NotFound { .. })), "{again:?}");
        let seen = server.seen();
        assert_eq!(seen[0].method, "DELETE");
        assert_eq!(
            seen[0].path,
            format!("/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Recordings/{recording}.json")
        );
        assert!(matches!(
            client.delete_recording("RE-not-a-sid").await,
            Err(RestError::Api(TwilioApiError { status: 404, .. }))
        ));
    }

    const PARTICIPANT_JSON: &str = r#"{
        "account_sid": "AC0123456789abcdef0123456789abcdef",
        "call_sid": "CAcccccccccccccccccccccccccccccccc",
        "label": "operator",
        "conference_sid": "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "date_created": "Fri, 18 Feb 2011 21:07:19 +0000",
        "date_updated": "Fri, 18 Feb 2011 21:07:19 +0000",
        "end_conference_on_exit": false,
        "muted": false,
        "hold": false,
        "status": "queued",
        "start_conference_on_enter": true,
        "coaching": false,
        "call_sid_to_coach": null,
        "queue_time": "1000",
        "uri": "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Conferences/CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Participants/CAcccccccccccccccccccccccccccccccc.json"
    }"#;

    const CALL_JSON: &str = r#"{
        "sid": "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        "account_sid": "AC0123456789abcdef0123456789abcdef",
        "parent_call_sid": null,
        "to": "+81312345678",
        "from": "+81501234567",
        "status": "completed",
        "direction": "inbound",
        "start_time": "Tue, 21 Nov 2023 07:40:00 +0000",
        "end_time": "Tue, 21 Nov 2023 07:45:00 +0000",
        "duration": "300",
        "price": null,
        "subresource_uris": {"notifications": "/x.json"}
    }"#;

    const RATE_LIMITED: &str = r#"{"code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429}"#;
    const NOT_FOUND: &str = r#"{"code": 20404, "message": "The requested resource /2010-04-01/Accounts/AC.../Participants/CA....json was not found", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}"#;
    const SERVER_ERROR: &str = r#"{"code": 20500, "message": "Internal Server Error", "more_info": "https://www.twilio.com/docs/errors/20500", "status": 500}"#;

    fn operator_participant() -> CreateParticipant {
        CreateParticipant {
            label: Some("operator".to_owned()),
            early_media: Some(true),
            beep: Some(ConferenceBeep::OnEnter),
            start_conference_on_enter: Some(true),
            end_conference_on_exit: Some(false),
            status_callback: Some("https://console.example.jp/twilio/voice/status?leg=operator".to_owned()),
            status_callback_event: vec![
                CallProgressEvent::Ringing,
                CallProgressEvent::Answered,
                CallProgressEvent::Completed,
            ],
            conference_status_callback: Some("https://console.example.jp/twilio/conference/status".to_owned()),
            conference_status_callback_event: vec![ConferenceStatusEvent::Join, ConferenceStatusEvent::Leave],
            timeout: Some(20),
            ..CreateParticipant::new(
                "+81501234567",
                ParticipantTo::Client {
                    identity: ClientIdentity::parse("op_yamada").unwrap(),
                    params: vec![
                        ("handoffId".to_owned(), "h 1".to_owned()),
                        ("callerName".to_owned(), "山田&様".to_owned()),
                    ],
                },
            )
        }
    }

    #[tokio::test]
    async fn adding_an_operator_sends_the_exact_form_with_basic_auth() {
        let server = ScriptedServer::start(vec![(201, PARTICIPANT_JSON)]).await;
        let participant = server
            .client()
            .create_participant(
                &ConferenceRef::FriendlyName(CUSTOMER.to_owned()),
                &operator_participant(),
            )
            .await
            .unwrap();

        assert_eq!(participant.call_sid, call(OPERATOR_LEG));
        assert_eq!(participant.status, Some(ParticipantStatus::Queued));
        assert_eq!(
            participant.date_created.unwrap().to_rfc3339(),
            "2011-02-18T21:07:19+00:00"
        );

        let seen = server.seen();
        assert_eq!(seen.len(), 1);
        let request = &seen[0];
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.path,
            format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CUSTOMER}/Participants.json")
        );
        let expected_auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:{SECRET}"))
        );
        assert_eq!(request.authorization.as_deref(), Some(expected_auth.as_str()));
        assert_eq!(
            request.content_type.as_deref(),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(
            request.body,
            "From=%2B81501234567\
             &To=client%3Aop_yamada%3FhandoffId%3Dh%2B1%26callerName%3D%25E5%25B1%25B1%25E7%2594%25B0%2526%25E6%25A7%2598\
             &Label=operator&EarlyMedia=true&Beep=onEnter&StartConferenceOnEnter=true&EndConferenceOnExit=false\
             &StatusCallback=https%3A%2F%2Fconsole.example.jp%2Ftwilio%2Fvoice%2Fstatus%3Fleg%3Doperator\
             &StatusCallbackEvent=ringing&StatusCallbackEvent=answered&StatusCallbackEvent=completed\
             &ConferenceStatusCallback=https%3A%2F%2Fconsole.example.jp%2Ftwilio%2Fconference%2Fstatus\
             &ConferenceStatusCallbackEvent=join&ConferenceStatusCallbackEvent=leave&Timeout=20"
        );
        let to = request.params().into_iter().find(|(k, _)| k == "To").unwrap().1;
        assert_eq!(
            to,
            "client:op_yamada?handoffId=h+1&callerName=%E5%B1%B1%E7%94%B0%26%E6%A7%98"
        );
    }

    #[tokio::test]
    async fn rate_limited_requests_are_retried_until_twilio_accepts() {
        let server =
            ScriptedServer::start(vec![(429, RATE_LIMITED), (429, RATE_LIMITED), (201, PARTICIPANT_JSON)]).await;
        let result = server
            .client()
            .create_participant(&ConferenceRef::Sid(conference()), &operator_participant())
            .await;
        assert!(result.is_ok(), "{result:?}");
        let seen = server.seen();
        assert_eq!(seen.len(), 3);
        assert!(
            seen.iter().all(|s| s.body == seen[0].body),
            "every retry sends the same body"
        );
    }

    #[tokio::test]
    async fn rate_limiting_that_outlasts_three_retries_is_reported() {
        let server = ScriptedServer::start(vec![(429, RATE_LIMITED)]).await;
        let error = server
            .client()
            .create_call(&CreateCall::new(
                "+81312345678",
                "+81501234567",
                CallInstructions::Url {
                    url: "https://console.example.jp/twilio/voice/outbound".to_owned(),
                    method: None,
                },
            ))
            .await
            .unwrap_err();
        assert_eq!(server.seen().len(), 4, "one attempt and three retries");
        assert!(matches!(TelephonyError::from(error), TelephonyError::RateLimited));
    }

    #[tokio::test]
    async fn a_create_is_not_retried_after_a_server_error() {
        let server = ScriptedServer::start(vec![(500, SERVER_ERROR), (201, PARTICIPANT_JSON)]).await;
        let error = server
            .client()
            .create_participant(&ConferenceRef::Sid(conference()), &operator_participant())
            .await
            .unwrap_err();
        assert_eq!(
            server.seen().len(),
            1,
            "a repeated create could ring the operator twice"
        );
        match error {
            RestError::Api(api) => {
                assert_eq!(api.status, 500);
                assert_eq!(api.code, Some(20500));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn an_update_is_retried_after_503_and_500() {
        let server =
            ScriptedServer::start(vec![(503, SERVER_ERROR), (500, SERVER_ERROR), (200, PARTICIPANT_JSON)]).await;
        let participant = server
            .client()
            .update_participant(
                &conference(),
                &ParticipantRef::Label("customer".to_owned()),
                &UpdateParticipant::hold("https://console.example.jp/twilio/voice/hold-music"),
            )
            .await
            .unwrap();
        assert_eq!(participant.conference_sid, conference());
        let seen = server.seen();
        assert_eq!(seen.len(), 3);
        assert_eq!(
            seen[0].path,
            format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants/customer.json")
        );
        assert_eq!(
            seen[0].body,
            "Hold=true&HoldUrl=https%3A%2F%2Fconsole.example.jp%2Ftwilio%2Fvoice%2Fhold-music"
        );
    }

    #[tokio::test]
    async fn twilio_errors_are_parsed_and_a_missing_participant_is_not_found() {
        let server = ScriptedServer::start(vec![(404, NOT_FOUND)]).await;
        let error = server
            .client()
            .update_participant(
                &conference(),
                &ParticipantRef::Call(call(OPERATOR_LEG)),
                &UpdateParticipant::unhold(),
            )
            .await
            .unwrap_err();
        assert_eq!(server.seen().len(), 1, "a 404 is not retried");
        match &error {
            RestError::Api(api) => {
                assert_eq!(api.status, 404);
                assert_eq!(api.code, Some(20404));
                assert_eq!(
                    api.more_info.as_deref(),
                    Some("https://www.twilio.com/docs/errors/20404")
                );
                assert!(api.message.contains("was not found"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            TelephonyError::from(error),
            TelephonyError::NotFound { code: Some(20404), .. }
        ));
    }

    #[test]
    fn rfc_9457_and_non_json_error_bodies_still_give_an_error() {
        let problem = parse_api_error(
            400,
            r#"{"type":"https://www.twilio.com/docs/errors/21201","title":"Invalid","status":400,"code":21201,"detail":"No 'To' number is specified","instance":"/x"}"#,
        );
        assert_eq!(problem.code, Some(21201));
        assert_eq!(problem.message, "No 'To' number is specified");
        assert_eq!(
            problem.more_info.as_deref(),
            Some("https://www.twilio.com/docs/errors/21201")
        );
        let html = parse_api_error(502, "<html>Bad Gateway</html>");
        assert_eq!((html.status, html.code), (502, None));
        assert_eq!(html.message, "<html>Bad Gateway</html>");
    }

    #[tokio::test]
    async fn removing_a_participant_sends_delete_and_reads_204() {
        let server = ScriptedServer::start(vec![(204, "")]).await;
        server
            .client()
            .delete_participant(&conference(), &ParticipantRef::Label("consult".to_owned()))
            .await
            .unwrap();
        let seen = server.seen();
        assert_eq!(seen[0].method, "DELETE");
        assert_eq!(
            seen[0].path,
            format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants/consult.json")
        );
        assert_eq!(seen[0].body, "");
    }

    #[tokio::test]
    async fn a_delete_retried_after_an_unknown_outcome_treats_404_as_done() {
        let server = ScriptedServer::start(vec![(500, SERVER_ERROR), (404, NOT_FOUND)]).await;
        let result = server
            .client()
            .delete_participant(&conference(), &ParticipantRef::Call(call(OPERATOR_LEG)))
            .await;
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(server.seen().len(), 2);

        let first_try = ScriptedServer::start(vec![(404, NOT_FOUND)]).await;
        assert!(
            first_try
                .client()
                .delete_participant(&conference(), &ParticipantRef::Call(call(OPERATOR_LEG)))
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn conferences_are_found_by_name_with_a_query_string() {
        let page = r#"{"conferences": [{
            "account_sid": "AC0123456789abcdef0123456789abcdef",
            "date_created": "Tue, 21 Nov 2023 07:40:00 +0000",
            "date_updated": "Tue, 21 Nov 2023 07:41:00 +0000",
            "api_version": "2010-04-01",
            "friendly_name": "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            "region": "jp1",
            "sid": "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "status": "in-progress",
            "uri": "/x.json",
            "subresource_uris": {},
            "reason_conference_ended": null,
            "call_sid_ending_conference": null
        }], "page": 0, "page_size": 20, "first_page_uri": "/x", "next_page_uri": null, "previous_page_uri": null, "start": 0, "end": 0, "uri": "/x"}"#;
        let server = ScriptedServer::start(vec![(200, page)]).await;
        let conferences = Telephony::find_conferences(&server.client(), CUSTOMER, Some(ConferenceStatus::InProgress))
            .await
            .unwrap();
        assert_eq!(conferences.len(), 1);
        assert_eq!(conferences[0].sid, conference());
        assert_eq!(conferences[0].status, Some(ConferenceStatus::InProgress));
        let seen = server.seen();
        assert_eq!(seen[0].method, "GET");
        assert_eq!(
            seen[0].query,
            format!("FriendlyName={CUSTOMER}&Status=in-progress&PageSize=20")
        );
        assert_eq!(seen[0].body, "");
    }

    #[tokio::test]
    async fn a_call_is_read_with_a_get_that_conforms_to_the_spec() {
        let server = ScriptedServer::start(vec![(200, CALL_JSON), (404, NOT_FOUND)]).await;
        let client = server.client();
        let read = Telephony::fetch_call(&client, &call(CUSTOMER)).await.unwrap();
        assert_eq!(read.status, Some(CallStatus::Completed));
        assert!(read.end_time.is_some());
        let gone = Telephony::fetch_call(&client, &call(CUSTOMER)).await.unwrap_err();
        assert!(matches!(gone, TelephonyError::NotFound { .. }), "{gone:?}");
        let seen = server.seen();
        assert_eq!(seen[0].method, "GET");
        assert_eq!(
            seen[0].path,
            format!("/2010-04-01/Accounts/{ACCOUNT}/Calls/{CUSTOMER}.json")
        );
        assert_eq!((seen[0].query.as_str(), seen[0].body.as_str()), ("", ""));
    }

    #[tokio::test]
    async fn calls_are_redirected_rescripted_and_ended() {
        let server = ScriptedServer::start(vec![(200, CALL_JSON)]).await;
        let client = server.client();
        let customer = call(CUSTOMER);
        let twiml = VoiceResponse::new()
            .say(Say::new("お待たせしました").voice(SayVoice::PollyMizuki))
            .dial(Dial::conference(TwimlConference::new(CUSTOMER)));
        let updated = client
            .update_call(&customer, &UpdateCall::Twiml(twiml.clone()))
            .await
            .unwrap();
        assert_eq!(updated.status, Some(CallStatus::Completed));
        assert_eq!(updated.duration.as_deref(), Some("300"));
        client
            .update_call(
                &customer,
                &UpdateCall::Redirect {
                    url: "https://console.example.jp/twilio/voice/hangup".to_owned(),
                    method: Some(HttpMethod::Post),
                },
            )
            .await
            .unwrap();
        client
            .update_call(&customer, &UpdateCall::End(CallUpdateStatus::Completed))
            .await
            .unwrap();
        let seen = server.seen();
        let params: Vec<_> = seen.iter().map(Seen::params).collect();
        assert_eq!(params[0], vec![("Twiml".to_owned(), twiml.to_xml())]);
        assert_eq!(
            seen[1].body,
            "Url=https%3A%2F%2Fconsole.example.jp%2Ftwilio%2Fvoice%2Fhangup&Method=POST"
        );
        assert_eq!(seen[2].body, "Status=completed");
        assert!(
            seen.iter()
                .all(|s| s.path == format!("/2010-04-01/Accounts/{ACCOUNT}/Calls/{CUSTOMER}.json"))
        );
    }

    #[tokio::test]
    async fn a_conference_is_ended_with_status_completed() {
        let body = r#"{"account_sid": "AC0123456789abcdef0123456789abcdef", "friendly_name": "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            "sid": "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "status": "completed", "reason_conference_ended": "conference-ended-via-api",
            "call_sid_ending_conference": null, "date_created": null, "date_updated": null, "region": "jp1", "uri": "/x"}"#;
        let server = ScriptedServer::start(vec![(200, body)]).await;
        let ended = server
            .client()
            .update_conference(&conference(), &UpdateConference::end())
            .await
            .unwrap();
        assert_eq!(
            ended.reason_conference_ended,
            Some(ReasonConferenceEnded::ConferenceEndedViaApi)
        );
        assert_eq!(server.seen()[0].body, "Status=completed");
    }

    #[tokio::test]
    async fn a_slow_twilio_is_abandoned_within_the_time_budget() {
        let server = ScriptedServer::start_with_delay(vec![(200, PARTICIPANT_JSON)], Duration::from_secs(2)).await;
        let client = server.client_with(RetryPolicy {
            attempt_timeout: Duration::from_millis(150),
            total_budget: Duration::from_millis(400),
            ..fast_retries()
        });
        let started = Instant::now();
        let error = client
            .update_participant(
                &conference(),
                &ParticipantRef::Label("customer".to_owned()),
                &UpdateParticipant::unhold(),
            )
            .await
            .unwrap_err();
        assert!(matches!(error, RestError::Timeout(_)), "{error:?}");
        assert!(
            started.elapsed() < Duration::from_millis(1000),
            "took {:?}",
            started.elapsed()
        );
        let attempts = server.seen().len();
        assert!((2..=4).contains(&attempts), "{attempts} attempts");
    }

    #[tokio::test]
    async fn an_unreachable_twilio_is_a_transport_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let closed = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        let client = RestClient::with_base_url(credentials(), &closed, fast_retries()).unwrap();
        let error = client
            .create_participant(&ConferenceRef::Sid(conference()), &operator_participant())
            .await
            .unwrap_err();
        assert!(matches!(error, RestError::Transport(_)), "{error:?}");
        assert!(matches!(TelephonyError::from(error), TelephonyError::Unavailable(_)));
    }

    #[test]
    fn a_base_url_must_be_http() {
        assert!(matches!(
            RestClient::with_base_url(credentials(), "ftp://example.com", RetryPolicy::default()),
            Err(RestError::InvalidBaseUrl(_))
        ));
        assert!(RestClient::with_base_url(credentials(), "not a url", RetryPolicy::default()).is_err());
    }

    #[test]
    fn labels_and_names_are_percent_encoded_as_one_path_segment() {
        let prepared =
            PreparedRequest::delete_participant(&account(), &conference(), &ParticipantRef::Label("a b/c?".to_owned()));
        assert_eq!(
            prepared.path,
            format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants/a%20b%2Fc%3F.json")
        );
        assert_eq!(voice_subset().validate("DELETE", &prepared.path, &[]), Ok(()));
    }

    #[test]
    fn backoff_stays_within_the_twilio_node_bounds() {
        let client = RestClient::with_base_url(credentials(), "http://127.0.0.1:9", RetryPolicy::default()).unwrap();
        for attempt in 0..8 {
            let cap = Duration::from_millis((100u64 << attempt).min(3000));
            for _ in 0..50 {
                assert!(client.backoff(attempt) <= cap);
            }
        }
    }

    const APP: &str = "APdddddddddddddddddddddddddddddddd";
    const NUMBER: &str = "PNeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn number_json(voice_application_sid: &str) -> String {
        format!(
            r#"{{"sid": "{NUMBER}", "account_sid": "{ACCOUNT}", "phone_number": "+81368000001", "friendly_name": "03-6800-0001",
            "voice_url": "https://console.example.jp/twilio/voice/incoming", "voice_method": "POST", "voice_fallback_url": null,
            "voice_fallback_method": "POST", "status_callback": "", "status_callback_method": "POST",
            "voice_application_sid": "{voice_application_sid}", "trunk_sid": null, "capabilities": {{"voice": true}}}}"#
        )
    }

    fn leak(text: String) -> &'static str {
        Box::leak(text.into_boxed_str())
    }

    #[tokio::test]
    async fn the_account_credentials_authenticate_as_the_account_on_both_hosts() {
        let api = ScriptedServer::start(vec![(200, leak(number_json("")))]).await;
        let accounts = ScriptedServer::start(vec![(
            201,
            r#"{"account_sid": "AC0123456789abcdef0123456789abcdef", "date_created": "2015-07-31T04:00:00Z", "date_updated": "2015-07-31T04:00:00Z",
                "secondary_auth_token": "fedcba9876543210fedcba9876543210", "url": "https://accounts.twilio.com/v1/AuthTokens/Secondary"}"#,
        )])
        .await;
        let client = RestClient::with_auth_token(
            account(),
            SecretString::from(TOKEN.to_owned()),
            &api.base_url,
            fast_retries(),
        )
        .unwrap()
        .with_accounts_base_url(&accounts.base_url)
        .unwrap();
        let number = client
            .fetch_incoming_phone_number(&PhoneNumberSid::parse(NUMBER).unwrap())
            .await
            .unwrap();
        assert_eq!(number.voice_application_sid, None, "Twilio's empty string is no app");
        assert_eq!(number.voice_fallback_url, None);
        assert_eq!(number.status_callback, None);
        let secondary = client.create_secondary_auth_token().await.unwrap();
        assert_eq!(
            secondary.secondary_auth_token.expose_secret(),
            "fedcba9876543210fedcba9876543210"
        );
        assert!(!format!("{secondary:?}").contains("fedcba98"), "no token in Debug");

        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT}:{TOKEN}"))
        );
        let (api_seen, accounts_seen) = (api.seen(), accounts.seen());
        assert_eq!(api_seen.len(), 1);
        assert_eq!(accounts_seen.len(), 1);
        assert_eq!(accounts_seen[0].path, "/v1/AuthTokens/Secondary");
        assert_eq!(accounts_seen[0].method, "POST");
        for request in api_seen.iter().chain(&accounts_seen) {
            assert_eq!(request.authorization.as_deref(), Some(expected.as_str()));
        }
    }

    #[tokio::test]
    async fn a_list_is_read_to_its_last_page() {
        let page = |sid: &str, next: &str| {
            leak(format!(
                r#"{{"applications": [{{"sid": "{sid}", "friendly_name": "Operator console", "voice_url": "https://console.example.jp/twilio/voice/outbound",
                "voice_method": "POST", "status_callback": null}}], "page": 0, "page_size": 1, "next_page_uri": {next}}}"#
            ))
        };
        let next = format!(
            "\"/2010-04-01/Accounts/{ACCOUNT}/Applications.json?FriendlyName=Operator+console&PageSize=1&Page=1&PageToken=PAAP1\""
        );
        let server = ScriptedServer::start(vec![
            (200, page(APP, &next)),
            (200, page("APffffffffffffffffffffffffffffffff", "null")),
        ])
        .await;
        let apps = server
            .client()
            .list_applications(&ListApplications {
                friendly_name: Some("Operator console".to_owned()),
                page_size: Some(1),
            })
            .await
            .unwrap();
        assert_eq!(apps.len(), 2);
        assert_eq!(apps[0].voice_method, Some(HttpMethod::Post));
        let seen = server.seen();
        assert_eq!(seen[0].query, "FriendlyName=Operator+console&PageSize=1");
        assert_eq!(
            seen[1].query,
            "FriendlyName=Operator+console&PageSize=1&Page=1&PageToken=PAAP1"
        );
    }

    #[tokio::test]
    async fn a_deleted_key_is_none_and_a_new_key_carries_its_secret_once() {
        let server = ScriptedServer::start(vec![
            (
                404,
                r#"{"code": 20404, "message": "The requested resource was not found", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}"#,
            ),
            (
                201,
                r#"{"sid": "SKfedcba9876543210fedcba9876543210", "friendly_name": "Operator console functions", "secret": "new-secret",
                "date_created": "Mon, 13 Jun 2016 22:50:08 +0000", "date_updated": "Mon, 13 Jun 2016 22:50:08 +0000"}"#,
            ),
        ])
        .await;
        let client = server.client();
        assert_eq!(client.fetch_key(&ApiKeySid::parse(KEY).unwrap()).await.unwrap(), None);
        let key = client.create_key("Operator console functions").await.unwrap();
        assert_eq!(key.secret.expose_secret(), "new-secret");
        let seen = server.seen();
        assert_eq!(seen[1].body, "FriendlyName=Operator+console+functions");
    }

    #[tokio::test]
    async fn a_number_taken_back_from_an_app_sends_the_empty_sid() {
        let server = ScriptedServer::start(vec![(200, leak(number_json("")))]).await;
        let update = UpdateIncomingPhoneNumber {
            voice_url: Some("https://console.example.jp/twilio/voice/incoming".to_owned()),
            voice_method: Some(HttpMethod::Post),
            voice_application_sid: Some(None),
            ..UpdateIncomingPhoneNumber::default()
        };
        server
            .client()
            .update_incoming_phone_number(&PhoneNumberSid::parse(NUMBER).unwrap(), &update)
            .await
            .unwrap();
        assert_eq!(
            server.seen()[0].body,
            "VoiceUrl=https%3A%2F%2Fconsole.example.jp%2Ftwilio%2Fvoice%2Fincoming&VoiceMethod=POST&VoiceApplicationSid="
        );
    }

    fn application_settings() -> impl Strategy<Value = ApplicationSettings> {
        (
            proptest::option::of("[A-Za-z0-9 ]{1,30}"),
            proptest::option::of(http_url()),
            proptest::option::of(method()),
            proptest::option::of(http_url()),
            proptest::option::of(method()),
            proptest::option::of(http_url().prop_map(|url| format!("{url}#rc=3&rp=ct,rt,5xx"))),
            proptest::option::of(method()),
        )
            .prop_map(
                |(
                    friendly_name,
                    voice_url,
                    voice_method,
                    voice_fallback_url,
                    voice_fallback_method,
                    status_callback,
                    status_callback_method,
                )| ApplicationSettings {
                    friendly_name,
                    voice_url,
                    voice_method,
                    voice_fallback_url,
                    voice_fallback_method,
                    status_callback,
                    status_callback_method,
                },
            )
    }

    fn number_update() -> impl Strategy<Value = UpdateIncomingPhoneNumber> {
        (
            application_settings(),
            proptest::option::of(proptest::option::of(
                "[0-9a-f]{32}".prop_map(|hex| ApplicationSid::parse(&format!("AP{hex}")).unwrap()),
            )),
        )
            .prop_map(|(s, voice_application_sid)| UpdateIncomingPhoneNumber {
                voice_url: s.voice_url,
                voice_method: s.voice_method,
                voice_fallback_url: s.voice_fallback_url,
                voice_fallback_method: s.voice_fallback_method,
                status_callback: s.status_callback,
                status_callback_method: s.status_callback_method,
                voice_application_sid,
            })
    }

    fn http_url() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("https://console.example.jp/twilio/voice/status".to_owned()),
            "[a-z]{1,8}".prop_map(|p| format!("https://console.example.jp/{p}?x=1&y=%E5%B1%B1")),
        ]
    }

    fn label() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("customer".to_owned()),
            Just("operator".to_owned()),
            "[a-z0-9 _-]{1,20}"
        ]
    }

    fn method() -> impl Strategy<Value = HttpMethod> {
        prop_oneof![Just(HttpMethod::Get), Just(HttpMethod::Post)]
    }

    fn call_sid() -> impl Strategy<Value = CallSid> {
        "[0-9a-f]{32}".prop_map(|hex| CallSid::parse(&format!("CA{hex}")).unwrap())
    }

    fn participant_to() -> impl Strategy<Value = ParticipantTo> {
        prop_oneof![
            "\\+81[0-9]{9,10}".prop_map(ParticipantTo::Number),
            (
                "[a-zA-Z0-9_]{1,20}",
                proptest::collection::vec(("[a-zA-Z]{1,8}", "\\PC{0,12}"), 0..3)
            )
                .prop_map(|(id, params)| {
                    ParticipantTo::Client {
                        identity: ClientIdentity::parse(&id).unwrap(),
                        params,
                    }
                }),
            Just(ParticipantTo::Sip("sip:alice@example.sip.twilio.com".to_owned())),
        ]
    }

    fn create_participant() -> impl Strategy<Value = CreateParticipant> {
        (
            (
                participant_to(),
                proptest::option::of(label()),
                proptest::option::of(any::<bool>()),
                proptest::option::of(proptest::sample::select(ConferenceBeep::ALL)),
                proptest::option::of(any::<bool>()),
                proptest::option::of(any::<bool>()),
                proptest::option::of(http_url()),
            ),
            (
                proptest::sample::subsequence(CallProgressEvent::ALL, 0..=4),
                proptest::option::of(method()),
                proptest::option::of(http_url()),
                proptest::sample::subsequence(ConferenceStatusEvent::ALL, 0..=9),
                proptest::option::of(5u32..=600),
                proptest::option::of(http_url()),
            ),
            (
                proptest::option::of(any::<bool>()),
                proptest::option::of("\\+81[0-9]{9}"),
                proptest::option::of(any::<bool>()),
                proptest::option::of(call_sid()),
                proptest::option::of(any::<bool>()),
            ),
        )
            .prop_map(
                |(
                    (to, label, early_media, beep, start, end, status_callback),
                    (events, sc_method, conf_cb, conf_events, timeout, wait_url),
                    (muted, caller_id, coaching, coach, record),
                )| {
                    CreateParticipant {
                        label,
                        early_media,
                        beep,
                        start_conference_on_enter: start,
                        end_conference_on_exit: end,
                        status_callback,
                        status_callback_event: events,
                        status_callback_method: sc_method,
                        conference_status_callback: conf_cb,
                        conference_status_callback_event: conf_events,
                        timeout,
                        wait_url,
                        muted,
                        caller_id,
                        coaching,
                        call_sid_to_coach: coach,
                        record,
                        ..CreateParticipant::new("+81501234567", to)
                    }
                },
            )
    }

    fn update_participant() -> impl Strategy<Value = UpdateParticipant> {
        (
            proptest::option::of(any::<bool>()),
            proptest::option::of(http_url()),
            proptest::option::of(method()),
            proptest::option::of(any::<bool>()),
            proptest::option::of(http_url()),
            proptest::option::of(any::<bool>()),
            proptest::option::of(any::<bool>()),
            proptest::option::of(call_sid()),
            proptest::option::of(any::<bool>()),
        )
            .prop_map(
                |(hold, hold_url, hold_method, muted, announce_url, end, coaching, coach, beep_on_exit)| {
                    UpdateParticipant {
                        hold,
                        hold_url,
                        hold_method,
                        muted,
                        announce_url,
                        end_conference_on_exit: end,
                        coaching,
                        call_sid_to_coach: coach,
                        beep_on_exit,
                    }
                },
            )
    }

    fn twiml() -> impl Strategy<Value = VoiceResponse> {
        (
            "\\PC{0,40}",
            proptest::option::of(proptest::sample::select(SayVoice::ALL)),
        )
            .prop_map(|(text, voice)| {
                let say = Say::new(text);
                let say = match voice {
                    Some(voice) => say.voice(voice),
                    None => say,
                };
                VoiceResponse::new()
                    .say(say)
                    .dial(Dial::conference(TwimlConference::new(CUSTOMER)))
                    .hangup()
            })
    }

    fn create_call() -> impl Strategy<Value = CreateCall> {
        (
            prop_oneof!["\\+81[0-9]{9,10}", Just("client:op_yamada".to_owned())],
            prop_oneof![
                (http_url(), proptest::option::of(method()))
                    .prop_map(|(url, method)| CallInstructions::Url { url, method }),
                twiml().prop_map(CallInstructions::Twiml),
            ],
            proptest::option::of(http_url()),
            proptest::sample::subsequence(CallProgressEvent::ALL, 0..=4),
            proptest::option::of(method()),
            proptest::option::of(1u32..=600),
            proptest::option::of(1u32..=14400),
            proptest::option::of(any::<bool>()),
        )
            .prop_map(
                |(to, instructions, status_callback, events, sc_method, timeout, time_limit, record)| CreateCall {
                    status_callback,
                    status_callback_event: events,
                    status_callback_method: sc_method,
                    timeout,
                    time_limit,
                    record,
                    ..CreateCall::new(to, "+81501234567", instructions)
                },
            )
    }

    fn update_call() -> impl Strategy<Value = UpdateCall> {
        prop_oneof![
            (http_url(), proptest::option::of(method())).prop_map(|(url, method)| UpdateCall::Redirect { url, method }),
            twiml().prop_map(UpdateCall::Twiml),
            proptest::sample::select(CallUpdateStatus::ALL).prop_map(UpdateCall::End),
        ]
    }

    fn assert_conforms(prepared: &PreparedRequest) -> Result<(), TestCaseError> {
        let spec = match prepared.host {
            RestHost::Api => voice_subset(),
            RestHost::Accounts => accounts_subset(),
        };
        let outcome = spec.validate(prepared.method.as_str(), &prepared.path, &prepared.params);
        prop_assert!(outcome.is_ok(), "{prepared:?}: {outcome:?}");
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn every_participant_request_the_client_can_build_conforms_to_the_spec(
            create in create_participant(), update in update_participant(), name in "[A-Za-z0-9 _-]{1,30}", label in label(), leg in call_sid(),
        ) {
            assert_conforms(&PreparedRequest::create_participant(&account(), &ConferenceRef::Sid(conference()), &create))?;
            assert_conforms(&PreparedRequest::create_participant(&account(), &ConferenceRef::FriendlyName(name), &create))?;
            assert_conforms(&PreparedRequest::update_participant(&account(), &conference(), &ParticipantRef::Label(label.clone()), &update))?;
            assert_conforms(&PreparedRequest::update_participant(&account(), &conference(), &ParticipantRef::Call(leg.clone()), &update))?;
            assert_conforms(&PreparedRequest::delete_participant(&account(), &conference(), &ParticipantRef::Label(label)))?;
            assert_conforms(&PreparedRequest::delete_participant(&account(), &conference(), &ParticipantRef::Call(leg)))?;
            assert_conforms(&PreparedRequest::list_participants(&account(), &conference()))?;
        }

        #[test]
        fn every_call_and_conference_request_the_client_can_build_conforms_to_the_spec(
            create in create_call(), update in update_call(), leg in call_sid(),
            end in any::<bool>(), announce in proptest::option::of(http_url()), announce_method in proptest::option::of(method()),
            name in "[A-Za-z0-9]{1,34}", status in proptest::option::of(proptest::sample::select(ConferenceStatus::ALL)), page_size in proptest::option::of(1u32..=1000),
        ) {
            assert_conforms(&PreparedRequest::create_call(&account(), &create))?;
            assert_conforms(&PreparedRequest::update_call(&account(), &leg, &update))?;
            assert_conforms(&PreparedRequest::fetch_call(&account(), &leg))?;
            let conference_update = UpdateConference { end, announce_url: announce, announce_method };
            assert_conforms(&PreparedRequest::update_conference(&account(), &conference(), &conference_update))?;
            assert_conforms(&PreparedRequest::list_conferences(&account(), &ListConferences { friendly_name: name, status, page_size }))?;
        }

        #[test]
        fn every_provisioning_request_the_client_can_build_conforms_to_the_spec(
            settings in application_settings(), update in number_update(),
            name in proptest::option::of("[A-Za-z0-9 ]{1,30}"), page_size in proptest::option::of(1u32..=1000),
            number in proptest::option::of("\\+81[0-9]{9,10}"), hex in "[0-9a-f]{32}",
        ) {
            let app = ApplicationSid::parse(&format!("AP{hex}")).unwrap();
            let key = ApiKeySid::parse(&format!("SK{hex}")).unwrap();
            let pn = PhoneNumberSid::parse(&format!("PN{hex}")).unwrap();
            assert_conforms(&PreparedRequest::list_applications(&account(), &ListApplications { friendly_name: name.clone(), page_size }))?;
            assert_conforms(&PreparedRequest::create_application(&account(), &settings))?;
            assert_conforms(&PreparedRequest::fetch_application(&account(), &app))?;
            assert_conforms(&PreparedRequest::update_application(&account(), &app, &settings))?;
            assert_conforms(&PreparedRequest::create_key(&account(), name.as_deref().unwrap_or("key")))?;
            assert_conforms(&PreparedRequest::fetch_key(&account(), &key))?;
            assert_conforms(&PreparedRequest::list_keys(&account(), &ListKeys { page_size }))?;
            assert_conforms(&PreparedRequest::delete_key(&account(), &key))?;
            assert_conforms(&PreparedRequest::list_incoming_phone_numbers(&account(), &ListIncomingPhoneNumbers { phone_number: number, page_size }))?;
            assert_conforms(&PreparedRequest::fetch_incoming_phone_number(&account(), &pn))?;
            assert_conforms(&PreparedRequest::update_incoming_phone_number(&account(), &pn, &update))?;
            assert_conforms(&PreparedRequest::create_secondary_auth_token())?;
            assert_conforms(&PreparedRequest::delete_secondary_auth_token())?;
            assert_conforms(&PreparedRequest::promote_secondary_auth_token())?;
        }

        #[test]
        fn every_recording_request_the_client_can_build_conforms_to_the_spec(
            status in proptest::sample::select(RecordingControl::ALL),
            pause_behavior in proptest::option::of(proptest::sample::select(PauseBehavior::ALL)),
            recording in prop_oneof![Just(CURRENT_RECORDING.to_owned()), "RE[0-9a-f]{32}"],
        ) {
            let request = UpdateRecording { status, pause_behavior };
            assert_conforms(&PreparedRequest::update_conference_recording(&account(), &conference(), &recording, &request))?;
        }

        #[test]
        fn deleting_a_recording_conforms_to_the_spec(recording in "RE[0-9a-f]{32}") {
            assert_conforms(&PreparedRequest::delete_recording(&account(), &recording))?;
        }
    }
}
