//! The Twilio simulator: the phone network and Twilio's voice platform on one machine, so the
//! whole console runs with no Twilio account. Never deployed.
//!
//! - [`rest`] answers the REST API the functions call (calls, conferences, participants) on the
//!   local port under `/2010-04-01`, checking every request against Twilio's OpenAPI spec and
//!   refusing what Twilio would refuse with Twilio's error JSON. The functions reach it through
//!   the real [`shared::twilio::rest::RestClient`], so the deployed code path is the one tested.
//! - [`account`] answers the account's own resources the admin commands provision and rotate:
//!   TwiML Apps, API keys, phone numbers (`/2010-04-01`) and the auth tokens (`/v1/AuthTokens`,
//!   Accounts v1). A call to one of the account's numbers follows that number's voice
//!   configuration (or its TwiML App's), and webhooks are signed with whatever auth token is
//!   primary at the moment, as on Twilio.
//! - [`engine`] plays the network: simulated customers call in and answer (or not), every call
//!   runs the TwiML the voice function returns (checked by Twilio's rules first), conferences hold,
//!   start and end as Twilio's do, and status and conference callbacks go out signed, with
//!   Twilio's parameters and sequence numbers.
//! - [`api`] is the simulator's own API: start and end simulated calls, configure how numbers
//!   answer, wait for a state without sleeping, read what happened; and the softphone channel the
//!   page's simulated phone uses (a WebSocket authenticated with the Voice access token the
//!   `token` function issues, as the real SDK is).

pub mod account;
pub mod api;
pub mod engine;
pub mod media;
pub mod rest;
pub mod webhook_faults;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use shared::twilio::token::VoiceTokenIssuer;

/// The fake Twilio account the local runtime uses: SIDs of the right shape, secrets made per data
/// directory.
#[derive(Clone)]
pub struct SimAccount {
    pub account_sid: String,
    pub api_key_sid: String,
    pub api_key_secret: String,
    pub auth_token: String,
    pub twiml_app_sid: String,
}

impl SimAccount {
    /// An account whose secrets derive from `seed` (the local runtime's dev secret), so tokens
    /// and signatures stay valid across restarts.
    pub fn from_seed(seed: &[u8]) -> Self {
        use sha2::{Digest, Sha256};
        let hex = |label: &str| {
            let mut h = Sha256::new();
            h.update(label.as_bytes());
            h.update(seed);
            h.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        Self {
            account_sid: format!("AC{}", &hex("account")[..32]),
            api_key_sid: format!("SK{}", &hex("api key")[..32]),
            api_key_secret: hex("api key secret")[..32].to_owned(),
            auth_token: hex("auth token")[..32].to_owned(),
            twiml_app_sid: format!("AP{}", &hex("twiml app")[..32]),
        }
    }
}

/// How a simulated number behaves when it is called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", tag = "answer")]
pub enum Answering {
    /// Answers after ringing this long.
    After { ring_ms: u64 },
    /// Rings until the simulator's API answers, rejects or times it out.
    Manual,
    /// Busy at once.
    Busy,
    /// Rings until the caller's timeout.
    NoAnswer,
    /// The call fails (an unreachable number).
    Fail,
}

/// The simulator's settings.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// How numbers nobody configured answer.
    pub default_answering: Answering,
    /// Multiplies every `<Pause>` (1.0 = real time).
    pub pause_scale: f64,
    /// The console's number a simulated call dials when none is given (E.164); one of the
    /// account's numbers.
    pub default_to: String,
    /// More numbers the account has from the start (E.164). Any other number a simulated
    /// customer calls joins the account when first called, as if just bought.
    pub numbers: Vec<String>,
    /// Status callbacks of different calls are sent side by side, as Twilio sends them, each
    /// call's in order (its conference's events with its own legs'); false: all of them one at a
    /// time in one line, which keeps a test's callbacks in a single order. A load run needs
    /// lanes: in one line, a callback waits behind every other call's, seconds on a busy day.
    pub callback_lanes: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            default_answering: Answering::After { ring_ms: 2000 },
            pause_scale: 1.0,
            default_to: "+81368000001".into(),
            numbers: Vec::new(),
            callback_lanes: false,
        }
    }
}

/// One of the account's phone numbers (an IncomingPhoneNumber) and its voice configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimNumber {
    pub sid: String,
    pub phone_number: String,
    pub friendly_name: String,
    pub voice_url: Option<String>,
    pub voice_method: String,
    pub voice_fallback_url: Option<String>,
    pub voice_fallback_method: String,
    pub status_callback: Option<String>,
    pub status_callback_method: String,
    /// A TwiML App that handles the number's calls instead of its own URLs.
    pub voice_application_sid: Option<String>,
    pub date_created: String,
    pub date_updated: String,
}

/// A TwiML App of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimApplication {
    pub sid: String,
    pub friendly_name: String,
    pub voice_url: Option<String>,
    pub voice_method: String,
    pub voice_fallback_url: Option<String>,
    pub voice_fallback_method: String,
    pub status_callback: Option<String>,
    pub status_callback_method: String,
    pub date_created: String,
    pub date_updated: String,
}

/// An API key of the account (all Standard keys: they may not manage keys or auth tokens).
#[derive(Debug, Clone, Serialize)]
pub struct SimKey {
    pub sid: String,
    pub friendly_name: String,
    #[serde(skip)]
    pub secret: String,
    pub date_created: String,
    pub date_updated: String,
}

/// The account's auth tokens: the primary one signs webhooks; both authenticate REST requests.
#[derive(Debug, Clone, Default)]
pub struct SimAuthTokens {
    pub primary: String,
    pub secondary: Option<String>,
}

/// Where a call's other end is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "address")]
pub enum Party {
    /// A simulated person on the phone network.
    Phone(String),
    /// A softphone registered with this client identity.
    Client(String),
}

/// A URL Twilio requests, with its method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hook {
    pub url: String,
    pub method: String,
}

impl Hook {
    /// `url` requested by POST, as Twilio does by default.
    pub fn post(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            method: "POST".into(),
        }
    }
}

/// A call status callback subscription.
#[derive(Debug, Clone, Serialize)]
pub struct StatusHook {
    pub hook: Hook,
    /// `initiated`, `ringing`, `answered`, `completed`.
    pub events: Vec<String>,
}

/// How a REST-created participant joins its conference once answered.
#[derive(Debug, Clone, Serialize)]
pub struct JoinSpec {
    pub conference_sid: String,
    pub label: Option<String>,
    pub start_on_enter: bool,
    pub end_on_exit: bool,
    pub muted: bool,
    pub coaching: bool,
    pub call_sid_to_coach: Option<String>,
    pub conference_hook: Option<(Hook, Vec<String>)>,
}

/// One call leg.
#[derive(Debug, Clone, Serialize)]
pub struct SimCall {
    pub sid: String,
    pub parent_call_sid: Option<String>,
    pub from: String,
    pub to: String,
    /// `inbound`, `outbound-api`.
    pub direction: String,
    /// Twilio's CallStatus.
    pub status: String,
    /// The far end this simulator plays (for inbound calls, the caller).
    pub party: Party,
    pub created_at: String,
    pub answered_at: Option<String>,
    pub ended_at: Option<String>,
    /// The conference the call is in, when connected to one.
    pub conference_sid: Option<String>,
    /// What the simulated person heard: `<Say>` texts and `<Play>` URLs, in order.
    pub heard: Vec<String>,
    /// Digits the caller pressed.
    pub digits: String,
    /// What the simulated person said (`POST /sim/calls/{sid}/speak`), in order.
    pub said: Vec<String>,
    /// Whether the softphone on this call muted its microphone (the SDK's `mute`, which Twilio
    /// never sees).
    pub mic_muted: bool,
    /// Custom parameters (a TwiML App call's `Device.connect` params; a client participant's
    /// `client:id?k=v`).
    #[serde(serialize_with = "as_map")]
    pub params: Vec<(String, String)>,
    #[serde(skip)]
    pub status_hook: Option<StatusHook>,
    #[serde(skip)]
    pub status_seq: u64,
    #[serde(skip)]
    pub fallback: Option<Hook>,
    #[serde(skip)]
    pub join: Option<JoinSpec>,
    #[serde(skip)]
    pub timeout_s: u64,
    #[serde(skip)]
    pub application_sid: Option<String>,
    /// What the caller will choose at the next menus (`<Gather>`), in order.
    #[serde(skip)]
    pub choices: std::collections::VecDeque<engine::gather::Choice>,
}

impl SimCall {
    /// A call placed over the REST API (`outbound-api`, queued) to `party`; callers set what
    /// differs (incoming calls, hooks, timeouts).
    pub fn new(sid: &str, from: &str, to: &str, party: Party, params: Vec<(String, String)>) -> Self {
        Self {
            sid: sid.to_owned(),
            parent_call_sid: None,
            from: from.to_owned(),
            to: to.to_owned(),
            direction: "outbound-api".into(),
            status: "queued".into(),
            party,
            created_at: chrono::Utc::now().to_rfc3339(),
            answered_at: None,
            ended_at: None,
            conference_sid: None,
            heard: Vec::new(),
            digits: String::new(),
            said: Vec::new(),
            mic_muted: false,
            params,
            status_hook: None,
            status_seq: 0,
            fallback: None,
            join: None,
            timeout_s: 60,
            application_sid: None,
            choices: Default::default(),
        }
    }

    pub fn is_over(&self) -> bool {
        matches!(
            self.status.as_str(),
            "completed" | "busy" | "no-answer" | "failed" | "canceled"
        )
    }
}

/// A conference participant.
#[derive(Debug, Clone, Serialize)]
pub struct SimParticipant {
    pub call_sid: String,
    pub label: Option<String>,
    /// `queued`, `ringing`, `connected`.
    pub status: String,
    pub hold: bool,
    pub muted: bool,
    pub coaching: bool,
    pub call_sid_to_coach: Option<String>,
    pub start_on_enter: bool,
    pub end_on_exit: bool,
    pub date_created: String,
    pub date_updated: String,
    #[serde(skip)]
    pub hold_hook: Option<Hook>,
    #[serde(skip)]
    pub wait_hook: Option<Hook>,
}

/// A conference.
#[derive(Debug, Clone, Serialize)]
pub struct SimConference {
    pub sid: String,
    pub friendly_name: String,
    /// `init`, `in-progress`, `completed`.
    pub status: String,
    pub participants: Vec<SimParticipant>,
    pub date_created: String,
    pub date_updated: String,
    pub reason_ended: Option<String>,
    pub call_sid_ending: Option<String>,
    #[serde(skip)]
    pub hook: Option<(Hook, Vec<String>)>,
    #[serde(skip)]
    pub seq: u64,
    /// Whether the conference records from its start (`record="record-from-start"`), and where
    /// the recording's progress is reported — the first participant's settings, as on Twilio.
    #[serde(skip)]
    pub record: Option<(Option<Hook>, Vec<String>)>,
    /// The conference's recording, once it started.
    pub recording: Option<SimRecording>,
}

/// A conference recording.
#[derive(Debug, Clone, Serialize)]
pub struct SimRecording {
    pub sid: String,
    /// `in-progress`, `paused`, `stopped`, `completed`.
    pub status: String,
    pub started_at: String,
    /// Seconds recorded so far (pauses skipped), updated as it pauses and ends.
    pub duration_seconds: u64,
    #[serde(skip)]
    pub running_since: Option<std::time::Instant>,
}

impl SimConference {
    pub fn participant(&self, call_sid: &str) -> Option<&SimParticipant> {
        self.participants.iter().find(|p| p.call_sid == call_sid)
    }

    pub fn participant_mut(&mut self, call_sid: &str) -> Option<&mut SimParticipant> {
        self.participants.iter_mut().find(|p| p.call_sid == call_sid)
    }
}

/// What a softphone is told.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PhoneEvent {
    /// The device registered (the SDK's `registered`).
    Registered { identity: String },
    /// A call rings (the SDK's `incoming`), with the custom parameters it carries.
    Incoming {
        #[serde(rename = "callSid")]
        call_sid: String,
        from: String,
        params: BTreeMap<String, String>,
    },
    /// An outgoing call was placed (`Device.connect`).
    Outgoing {
        #[serde(rename = "callSid")]
        call_sid: String,
        #[serde(rename = "ref")]
        reference: String,
    },
    /// The call is connected (the SDK's `accept`).
    Accepted {
        #[serde(rename = "callSid")]
        call_sid: String,
    },
    /// A ringing call went away before it was answered here (the SDK's `cancel`).
    Cancelled {
        #[serde(rename = "callSid")]
        call_sid: String,
    },
    /// The call ended (the SDK's `disconnect`).
    Disconnected {
        #[serde(rename = "callSid")]
        call_sid: String,
    },
    /// Something the platform said on the call (a `<Say>` on an outgoing call: why a dial was
    /// refused, for example).
    Heard {
        #[serde(rename = "callSid")]
        call_sid: String,
        text: String,
    },
    /// A request the simulator could not carry out.
    Error { message: String },
}

/// A registered softphone.
pub struct Device {
    pub id: u64,
    pub identity: String,
    pub tx: mpsc::UnboundedSender<PhoneEvent>,
}

/// A REST request as the simulator saw it.
#[derive(Debug, Clone, Serialize)]
pub struct RestLogEntry {
    pub method: String,
    pub path: String,
    pub params: Vec<(String, String)>,
    pub status: u16,
}

/// A webhook the simulator sent and what came back.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookLogEntry {
    pub url: String,
    pub params: Vec<(String, String)>,
    pub status: u16,
    /// The fault that kept this attempt from the console or repeated it (see [`webhook_faults`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub injected: Option<&'static str>,
}

/// Everything the simulator knows.
#[derive(Default)]
pub struct World {
    pub calls: BTreeMap<String, SimCall>,
    pub conferences: BTreeMap<String, SimConference>,
    pub numbers: HashMap<String, Answering>,
    pub devices: Vec<Device>,
    /// Events for devices registered through the test API, by identity.
    pub device_inboxes: HashMap<String, Vec<PhoneEvent>>,
    pub rest_log: Vec<RestLogEntry>,
    pub webhook_log: Vec<WebhookLogEntry>,
    /// Rules the functions broke (refused TwiML, refused REST requests, ignored updates).
    pub problems: Vec<String>,
    /// Failures the REST API injects, set through `PUT /sim/faults` (see [`rest::RestFault`]).
    pub rest_fault: Option<rest::RestFault>,
    /// Faults on the webhooks sent, set through `PUT /sim/faults` (see [`webhook_faults`]).
    pub webhook_faults: Vec<webhook_faults::WebhookFault>,
    /// The account's auth tokens as they are now.
    pub auth: SimAuthTokens,
    /// The account's API keys, by SID.
    pub keys: BTreeMap<String, SimKey>,
    /// The account's TwiML Apps, by SID.
    pub applications: BTreeMap<String, SimApplication>,
    /// The account's phone numbers, by E.164 number.
    pub incoming_numbers: BTreeMap<String, SimNumber>,
    /// Per call: cancels the TwiML it is running (a redirect or hang-up).
    pub(crate) runs: HashMap<String, CancellationToken>,
    /// Per call in a conference: fires when it leaves.
    pub(crate) presence: HashMap<String, CancellationToken>,
    /// Per held participant: stops its hold music.
    pub(crate) holds: HashMap<String, CancellationToken>,
    /// Per ringing call: how the ringing ends.
    pub(crate) rings: HashMap<String, mpsc::UnboundedSender<RingEnd>>,
    pub(crate) next_device: u64,
    /// Transcriptions running and recordings made by `<Record>`.
    pub(crate) voicemail: engine::voicemail::Boxes,
    /// Recordings deleted through the REST API (their media is gone).
    pub deleted_recordings: std::collections::HashSet<String>,
}

/// How a ringing call stops ringing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingEnd {
    Answer,
    Busy,
    NoAnswer,
    Fail,
    Cancel,
}

/// The simulator. Cheap to clone.
#[derive(Clone)]
pub struct Simulator {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub account: SimAccount,
    /// The local runtime's origin (`http://127.0.0.1:8080`): webhooks go there and are signed
    /// over URLs that start with it.
    pub base_url: String,
    pub config: SimConfig,
    pub world: Mutex<World>,
    /// Bumped on every change, for waiters.
    pub changed: watch::Sender<u64>,
    /// Callbacks, delivered one at a time in the order they happened.
    pub callbacks: mpsc::UnboundedSender<(String, Vec<(String, String)>)>,
    /// Webhooks queued or in flight.
    pub in_flight: watch::Sender<usize>,
    pub http: reqwest::Client,
    pub tokens: VoiceTokenIssuer,
}

impl Simulator {
    /// A simulator for the local runtime at `base_url`. Starts its callback sender on the current
    /// Tokio runtime.
    pub fn new(account: SimAccount, base_url: &str, config: SimConfig) -> Self {
        let http = shared::tls::http_client()
            .timeout(Duration::from_secs(15))
            .build()
            .expect("an HTTP client with default TLS settings builds");
        Self::with_http(account, base_url, config, http)
    }

    /// [`new`](Self::new) with the client webhooks are sent through (the deploy rehearsal's
    /// simulator reaches the API's public host name on loopback and trusts the rehearsal's CA).
    pub fn with_http(account: SimAccount, base_url: &str, config: SimConfig, http: reqwest::Client) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let tokens = VoiceTokenIssuer::new(
            shared::twilio::AccountSid::parse(&account.account_sid).expect("the simulated account SID is well formed"),
            shared::twilio::ApiKeySid::parse(&account.api_key_sid).expect("the simulated API key SID is well formed"),
            secrecy::SecretString::from(account.api_key_secret.clone()),
        );
        let base_url = base_url.trim_end_matches('/').to_owned();
        let world = World {
            auth: SimAuthTokens {
                primary: account.auth_token.clone(),
                secondary: None,
            },
            keys: BTreeMap::from([(
                account.api_key_sid.clone(),
                SimKey {
                    sid: account.api_key_sid.clone(),
                    friendly_name: shared::twilio::provision::API_KEY_NAME.into(),
                    secret: account.api_key_secret.clone(),
                    date_created: rfc2822_now(),
                    date_updated: rfc2822_now(),
                },
            )]),
            applications: BTreeMap::from([(
                account.twiml_app_sid.clone(),
                account::default_application(&account.twiml_app_sid, &base_url),
            )]),
            incoming_numbers: std::iter::once(&config.default_to)
                .chain(&config.numbers)
                .map(|number| (number.clone(), account::default_number(number, &base_url)))
                .collect(),
            ..World::default()
        };
        let sim = Simulator {
            inner: Arc::new(Inner {
                account,
                base_url,
                config,
                world: Mutex::new(world),
                changed: watch::channel(0).0,
                callbacks: tx,
                in_flight: watch::channel(0).0,
                http,
                tokens,
            }),
        };
        tokio::spawn(engine::deliver_callbacks(sim.clone(), rx));
        sim
    }

    /// The account as it started (its auth token may have been rotated since: see
    /// [`auth_tokens`](Self::auth_tokens)).
    pub fn account(&self) -> &SimAccount {
        &self.inner.account
    }

    /// The account's auth tokens now: the primary one and the secondary one, if created.
    pub fn auth_tokens(&self) -> SimAuthTokens {
        self.world().auth.clone()
    }

    /// One of the account's numbers, with its voice configuration.
    pub fn incoming_number(&self, e164: &str) -> Option<SimNumber> {
        self.world().incoming_numbers.get(e164).cloned()
    }

    /// A TwiML App of the account.
    pub fn application(&self, sid: &str) -> Option<SimApplication> {
        self.world().applications.get(sid).cloned()
    }

    /// The webhooks sent so far, with the status each was answered.
    pub fn webhook_log(&self) -> Vec<WebhookLogEntry> {
        self.world().webhook_log.clone()
    }

    /// The REST requests received so far, with the status each was answered.
    pub fn rest_log(&self) -> Vec<RestLogEntry> {
        self.world().rest_log.clone()
    }

    /// A validator for the voice function of the local runtime: it accepts the account's
    /// auth tokens as they are now, re-reading them from the simulated account when a
    /// signature does not match (so a rotation against the simulator refuses nothing).
    pub fn webhook_validator(&self) -> shared::twilio::signature::WebhookValidator {
        use shared::twilio::signature::{RefreshPolicy, WebhookValidator};
        WebhookValidator::refreshing(
            account::tokens_of(&self.auth_tokens()),
            Arc::new(account::SimTokenSource(self.clone())),
            RefreshPolicy::default(),
        )
    }

    /// The world, locked. Never held across an `.await`.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        self.inner.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies a change to the world and wakes waiters.
    pub(crate) fn with_world<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
        let out = f(&mut self.world());
        self.inner.changed.send_modify(|v| *v += 1);
        out
    }

    /// Notes a rule the functions broke, for the simulator's API and the log.
    pub(crate) fn problem(&self, message: String) {
        tracing::warn!(target: "twilio_simulator", "{message}");
        self.with_world(|w| w.problems.push(message));
    }

    /// Waits until `pred` holds of the world (re-checked on every change) or `timeout` passes.
    pub async fn wait_for<T>(&self, timeout: Duration, mut pred: impl FnMut(&World) -> Option<T>) -> Option<T> {
        let mut rx = self.inner.changed.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(v) = pred(&self.world()) {
                return Some(v);
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                _ => return pred(&self.world()),
            }
        }
    }

    /// Waits until no webhook is queued or in flight.
    pub async fn settle(&self, timeout: Duration) -> bool {
        let mut rx = self.inner.in_flight.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|n| *n == 0)).await.is_ok()
    }

    /// A snapshot of calls, conferences and logs, as the simulator's API shows them.
    pub fn snapshot(&self) -> Value {
        let w = self.world();
        serde_json::json!({
            "calls": w.calls.values().collect::<Vec<_>>(),
            "conferences": w.conferences.values().collect::<Vec<_>>(),
            "phones": w.devices.iter().map(|d| d.identity.clone()).collect::<Vec<_>>(),
            "numbers": w.numbers,
            "incoming_phone_numbers": w.incoming_numbers.values().collect::<Vec<_>>(),
            "applications": w.applications.values().collect::<Vec<_>>(),
            "problems": w.problems,
        })
    }

    pub(crate) fn in_flight(&self, delta: isize) {
        self.inner
            .in_flight
            .send_modify(|n| *n = n.saturating_add_signed(delta));
    }
}

fn as_map<S: serde::Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

/// A fresh SID of the given kind (`CA`, `CF`).
pub(crate) fn new_sid(prefix: &str) -> String {
    format!("{prefix}{:032x}", rand::random::<u128>())
}

/// Twilio's date format (RFC 2822, GMT).
pub(crate) fn rfc2822_now() -> String {
    chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}
