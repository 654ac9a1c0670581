//! The network and the voice platform: calls ring and are answered, run TwiML, sit in
//! conferences, are held and hung up; every change sends the callback Twilio would send.
//!
//! The world changes under one lock through the `w_*` functions, which never wait; TwiML runs,
//! ringing, pauses and hold music are tasks that wait outside the lock and re-check the world
//! when they wake. Callbacks are queued in the order things happened and sent one at a time.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use shared::twilio::signature::compute_signature;
use shared::twilio::twiml::rules::{TwimlContext, TwimlElement, parse_twiml};

use super::webhook_faults::{REORDER_WAIT, WebhookFaultKind};

pub(crate) mod transcribe;
pub(crate) mod voicemail;
use super::{
    Answering, Hook, Party, PhoneEvent, RingEnd, SimCall, SimConference, SimParticipant, Simulator, StatusHook, World,
    new_sid, rfc2822_now,
};

pub(crate) mod dial_number;
pub(crate) mod gather;

/// How long one play of a wait or hold piece lasts in the simulator, in seconds (scaled).
const MUSIC_SECONDS: f64 = 15.0;

/// Where a call to a number or a TwiML App goes: its Voice URL, fallback and status callback.
#[derive(Debug, Clone, Default)]
struct VoiceConfig {
    url: Option<Hook>,
    fallback: Option<Hook>,
    status: Option<Hook>,
}

impl VoiceConfig {
    fn hook(url: &Option<String>, method: &str) -> Option<Hook> {
        url.as_ref().map(|url| Hook {
            url: url.clone(),
            method: method.to_owned(),
        })
    }

    fn of_number(n: &super::SimNumber) -> Self {
        Self {
            url: Self::hook(&n.voice_url, &n.voice_method),
            fallback: Self::hook(&n.voice_fallback_url, &n.voice_fallback_method),
            status: Self::hook(&n.status_callback, &n.status_callback_method),
        }
    }

    fn of_application(a: &super::SimApplication) -> Self {
        Self {
            url: Self::hook(&a.voice_url, &a.voice_method),
            fallback: Self::hook(&a.voice_fallback_url, &a.voice_fallback_method),
            status: Self::hook(&a.status_callback, &a.status_callback_method),
        }
    }
}

/// What a call runs when answered (or redirected).
#[derive(Debug, Clone)]
pub enum Instructions {
    /// Fetch TwiML from a URL, with extra parameters (a `<Dial action>`'s outcome).
    Fetch(Hook, Vec<(String, String)>),
    /// A TwiML document given inline (`Twiml=` on a REST request).
    Inline(String),
}

/// How a participant is placed in a conference.
#[derive(Debug, Clone)]
pub struct Placement {
    pub label: Option<String>,
    pub start_on_enter: bool,
    pub end_on_exit: bool,
    pub muted: bool,
    pub coaching: bool,
    pub call_sid_to_coach: Option<String>,
    pub wait: Option<Hook>,
    pub hook: Option<(Hook, Vec<String>)>,
    /// `record="record-from-start"`, with its status callback and events.
    pub record: Option<(Option<Hook>, Vec<String>)>,
}

/// A change to a participant (a REST update).
#[derive(Debug, Clone, Default)]
pub struct ParticipantChange {
    pub hold: Option<bool>,
    pub hold_hook: Option<Hook>,
    pub muted: Option<bool>,
    pub end_on_exit: Option<bool>,
    pub coaching: Option<bool>,
    pub call_sid_to_coach: Option<String>,
    pub announce: Option<Hook>,
}

fn short_event(event: &str) -> &str {
    match event {
        "conference-start" => "start",
        "conference-end" => "end",
        "participant-join" => "join",
        "participant-leave" => "leave",
        "participant-mute" | "participant-unmute" => "mute",
        "participant-hold" | "participant-unhold" => "hold",
        "participant-modify" => "modify",
        other => other,
    }
}

fn is_terminal(status: &str) -> bool {
    matches!(status, "completed" | "busy" | "no-answer" | "failed" | "canceled")
}

/// Twilio's connection overrides in a URL's fragment (`#rc=3&rp=ct,rt,5xx`): how many times to
/// retry and on what. Without them Twilio retries once, on a connect failure only.
struct Overrides {
    retries: u32,
    on_4xx: bool,
    on_5xx: bool,
    on_connect: bool,
    on_timeout: bool,
}

/// The URL without its fragment (Twilio neither sends nor signs it) and its overrides.
fn overrides(url: &str) -> (String, Overrides) {
    let (bare, fragment) = url.split_once('#').unwrap_or((url, ""));
    let mut o = Overrides {
        retries: 1,
        on_4xx: false,
        on_5xx: false,
        on_connect: true,
        on_timeout: false,
    };
    for (k, v) in form_urlencoded::parse(fragment.as_bytes()) {
        match k.as_ref() {
            "rc" => o.retries = v.parse::<u32>().unwrap_or(1).min(5),
            "rp" => {
                let kinds: Vec<&str> = v.split(',').collect();
                let all = kinds.contains(&"all");
                o.on_4xx = all || kinds.contains(&"4xx");
                o.on_5xx = all || kinds.contains(&"5xx");
                o.on_connect = all || kinds.contains(&"ct");
                o.on_timeout = all || kinds.contains(&"rt");
            }
            _ => {}
        }
    }
    (bare.to_owned(), o)
}

/// A queued callback: its URL and parameters.
type Queued = (String, Vec<(String, String)>);

/// Sends queued callbacks: one line for all (see [`super::SimConfig::callback_lanes`]), or a
/// line per call, each call's callbacks in order while different calls' go side by side.
pub async fn deliver_callbacks(sim: Simulator, mut rx: mpsc::UnboundedReceiver<(String, Vec<(String, String)>)>) {
    if !sim.inner.config.callback_lanes {
        deliver_in_order(sim, rx).await;
        return;
    }
    let mut lanes: std::collections::HashMap<String, mpsc::UnboundedSender<Queued>> = std::collections::HashMap::new();
    while let Some((url, params)) = rx.recv().await {
        // A conference's events are named after the customer's call; a leg's status carries
        // its own CallSid.
        let key = ["FriendlyName", "CallSid"]
            .iter()
            .find_map(|k| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
            .unwrap_or_default();
        let lane = lanes.entry(key).or_insert_with(|| {
            let (tx, lane_rx) = mpsc::unbounded_channel();
            tokio::spawn(deliver_in_order(sim.clone(), lane_rx));
            tx
        });
        if let Err(mpsc::error::SendError(lost)) = lane.send((url, params)) {
            // The lane's task is gone (only when the runtime stops): sent in this task.
            deliver_callback(&sim, &lost.0, &lost.1, None).await;
        }
    }
}

/// Sends queued callbacks one at a time, in order, retrying as the URL's connection overrides
/// say (each retry carries the same `I-Twilio-Idempotency-Token`, as Twilio's do). Webhook faults
/// ([`super::webhook_faults`]) drop, throttle, repeat or hold back callbacks on the way.
async fn deliver_in_order(sim: Simulator, mut rx: mpsc::UnboundedReceiver<(String, Vec<(String, String)>)>) {
    // A callback a reorder fault held back: sent after the next one.
    let mut held_back: Option<(String, Vec<(String, String)>)> = None;
    loop {
        let next = if held_back.is_some() {
            tokio::time::timeout(REORDER_WAIT, rx.recv()).await.ok()
        } else {
            Some(rx.recv().await)
        };
        let Some(next) = next else {
            if let Some((url, params)) = held_back.take() {
                deliver_callback(&sim, &url, &params, None).await;
            }
            continue;
        };
        let Some((url, params)) = next else { break };
        let fault = sim.strike_webhook(&overrides(&url).0, true);
        if fault == Some(WebhookFaultKind::Reorder) && held_back.is_none() {
            held_back = Some((url, params));
            continue;
        }
        deliver_callback(&sim, &url, &params, fault).await;
        if let Some((url, params)) = held_back.take() {
            deliver_callback(&sim, &url, &params, None).await;
        }
    }
}

/// Delivers one queued callback, with its retries and the fault that hits it.
async fn deliver_callback(sim: &Simulator, url: &str, params: &[(String, String)], fault: Option<WebhookFaultKind>) {
    let (bare, retry) = overrides(url);
    let hook = Hook::post(bare);
    let token = new_sid("ID");
    let mut attempt = 0;
    loop {
        let outcome = match fault {
            Some(kind @ WebhookFaultKind::Drop) => {
                sim.log_injected(&hook.url, params, 0, kind);
                Err("connection refused (injected)".to_owned())
            }
            Some(kind @ WebhookFaultKind::Throttle) => {
                sim.log_injected(&hook.url, params, 429, kind);
                Ok((429, "Too Many Requests (injected)".to_owned()))
            }
            _ => sim.send_with(&hook, params, Some(&token)).await,
        };
        let again = attempt < retry.retries
            && match &outcome {
                Ok((status, _)) if (400..500).contains(status) => retry.on_4xx,
                Ok((status, _)) => (500..600).contains(status) && retry.on_5xx,
                Err(e) if e.contains("timed out") => retry.on_timeout,
                Err(_) => retry.on_connect,
            };
        if again {
            attempt += 1;
            tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
            continue;
        }
        match outcome {
            _ if matches!(fault, Some(WebhookFaultKind::Drop | WebhookFaultKind::Throttle)) => {}
            Ok((status, body)) if !(200..300).contains(&status) => sim.problem(format!(
                "callback {} answered HTTP {status} after {} attempt(s): {}",
                hook.url,
                attempt + 1,
                body.chars().take(200).collect::<String>()
            )),
            Ok(_) => {}
            Err(e) => sim.problem(format!("callback {} failed: {e}", hook.url)),
        }
        break;
    }
    if fault == Some(WebhookFaultKind::Duplicate) {
        let (status, _) = sim
            .send_with(&hook, params, Some(&token))
            .await
            .unwrap_or((0, String::new()));
        sim.with_world(|w| {
            if let Some(last) = w
                .webhook_log
                .iter_mut()
                .rev()
                .find(|e| e.url == hook.url && e.status == status)
            {
                last.injected = Some(WebhookFaultKind::Duplicate.name());
            }
        });
    }
    sim.in_flight(-1);
}

impl Simulator {
    /// Sends a signed request as Twilio does: POST with a form body, or GET with the parameters
    /// in the query; the signature is over the full URL (and a POST's parameters).
    pub(crate) async fn send(&self, hook: &Hook, params: &[(String, String)]) -> Result<(u16, String), String> {
        let (bare, _) = overrides(&hook.url);
        let hook = Hook {
            url: bare,
            method: hook.method.clone(),
        };
        match self.strike_webhook(&hook.url, false) {
            Some(kind @ WebhookFaultKind::Drop) => {
                self.log_injected(&hook.url, params, 0, kind);
                Err(format!("{}: connection refused (injected)", hook.url))
            }
            Some(kind @ WebhookFaultKind::Throttle) => {
                self.log_injected(&hook.url, params, 429, kind);
                Ok((429, "Too Many Requests (injected)".into()))
            }
            _ => self.send_with(&hook, params, None).await,
        }
    }

    /// [`Simulator::send`] to a URL without a fragment, with Twilio's idempotency token on retries.
    async fn send_with(
        &self,
        hook: &Hook,
        params: &[(String, String)],
        idempotency: Option<&str>,
    ) -> Result<(u16, String), String> {
        // Signed with the account's primary token at the moment, as Twilio signs.
        let token = self.world().auth.primary.clone();
        let response = if hook.method.eq_ignore_ascii_case("GET") {
            let mut url = reqwest::Url::parse(&hook.url).map_err(|e| format!("bad URL {}: {e}", hook.url))?;
            url.query_pairs_mut().extend_pairs(params);
            let signature = compute_signature(&token, url.as_str(), &[]);
            self.inner
                .http
                .get(url)
                .header("X-Twilio-Signature", signature)
                .header("User-Agent", "TwilioProxy/1.1")
                .send()
                .await
        } else {
            let signature = compute_signature(&token, &hook.url, params);
            let mut request = self
                .inner
                .http
                .post(&hook.url)
                .header("X-Twilio-Signature", signature)
                .header("User-Agent", "TwilioProxy/1.1");
            if let Some(t) = idempotency {
                request = request.header("I-Twilio-Idempotency-Token", t);
            }
            request.form(params).send().await
        };
        let response = response.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let is_xml = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("xml"));
        let body = response.text().await.map_err(|e| e.to_string())?;
        self.with_world(|w| {
            w.webhook_log.push(super::WebhookLogEntry {
                url: hook.url.clone(),
                params: params.to_vec(),
                status,
                injected: None,
            })
        });
        if status == 200 && !is_xml && hook.url.contains("/twilio/") && body.starts_with('<') {
            return Err(format!("{} answered TwiML without an XML Content-Type", hook.url));
        }
        Ok((status, body))
    }

    fn enqueue(&self, url: &str, params: Vec<(String, String)>) {
        self.in_flight(1);
        if self.inner.callbacks.send((url.to_owned(), params)).is_err() {
            self.in_flight(-1);
        }
    }

    fn absolute(&self, base: &str, url: &str) -> String {
        reqwest::Url::parse(base)
            .and_then(|b| b.join(url))
            .map(|u| u.to_string())
            .unwrap_or_else(|_| format!("{}{url}", self.inner.base_url))
    }

    /// The parameters Twilio sends about a call on every request.
    fn call_params(&self, c: &SimCall) -> Vec<(String, String)> {
        let mut p = vec![
            ("AccountSid".to_owned(), self.inner.account.account_sid.clone()),
            ("ApiVersion".to_owned(), "2010-04-01".to_owned()),
            ("CallSid".to_owned(), c.sid.clone()),
            ("CallStatus".to_owned(), c.status.clone()),
            ("Called".to_owned(), c.to.clone()),
            ("Caller".to_owned(), c.from.clone()),
            ("Direction".to_owned(), c.direction.clone()),
            ("From".to_owned(), c.from.clone()),
            ("To".to_owned(), c.to.clone()),
        ];
        if let Some(parent) = &c.parent_call_sid {
            p.push(("ParentCallSid".into(), parent.clone()));
        }
        if let Some(app) = &c.application_sid {
            p.push(("ApplicationSid".into(), app.clone()));
        }
        p
    }

    // ---------------------------------------------------------------------------------------
    // Changes to the world (under the lock; never wait).
    // ---------------------------------------------------------------------------------------

    /// Moves a call to `status` and sends its status callback if subscribed.
    pub(crate) fn w_status(&self, w: &mut World, sid: &str, status: &str) {
        let Some(c) = w.calls.get_mut(sid) else { return };
        if c.status == status || c.is_over() {
            return;
        }
        c.status = status.to_owned();
        let now = chrono::Utc::now();
        if status == "in-progress" {
            c.answered_at = Some(now.to_rfc3339());
        }
        if is_terminal(status) {
            c.ended_at = Some(now.to_rfc3339());
        }
        let event = match status {
            "initiated" => "initiated",
            "ringing" => "ringing",
            "in-progress" => "answered",
            s if is_terminal(s) => "completed",
            _ => return,
        };
        let Some(StatusHook { hook, events }) = c.status_hook.clone() else {
            return;
        };
        if !events.iter().any(|e| e == event) {
            return;
        }
        let seq = c.status_seq;
        c.status_seq += 1;
        let c = c.clone();
        let mut p = self.call_params(&c);
        p.push(("Timestamp".into(), rfc2822_now()));
        p.push(("CallbackSource".into(), "call-progress-events".into()));
        p.push(("SequenceNumber".into(), seq.to_string()));
        if is_terminal(status) {
            let secs = match (&c.answered_at, &c.ended_at) {
                (Some(a), Some(e)) => chrono::DateTime::parse_from_rfc3339(e)
                    .ok()
                    .zip(chrono::DateTime::parse_from_rfc3339(a).ok())
                    .map(|(e, a)| (e - a).num_seconds().max(0))
                    .unwrap_or(0),
                _ => 0,
            };
            p.push(("CallDuration".into(), secs.to_string()));
            p.push(("Duration".into(), ((secs + 59) / 60).to_string()));
            let sip = match status {
                "completed" => "200",
                "busy" => "486",
                "no-answer" | "canceled" => "487",
                _ => "500",
            };
            p.push(("SipResponseCode".into(), sip.into()));
        }
        if hook.method.eq_ignore_ascii_case("GET") {
            self.problem("status callbacks by GET are not simulated; use POST".into());
            return;
        }
        self.enqueue(&hook.url, p);
    }

    /// Tells every softphone registered as `identity`.
    pub(crate) fn w_notify(&self, w: &mut World, identity: &str, event: PhoneEvent) {
        w.devices.retain(|d| !d.tx.is_closed());
        for d in w.devices.iter().filter(|d| d.identity == identity) {
            let _ = d.tx.send(event.clone());
        }
    }

    fn w_hear(&self, w: &mut World, sid: &str, text: String) {
        self.w_said_to(w, sid, &text);
        let Some(c) = w.calls.get_mut(sid) else { return };
        c.heard.push(text.clone());
        if let Party::Client(identity) = c.party.clone() {
            self.w_notify(
                w,
                &identity,
                PhoneEvent::Heard {
                    call_sid: sid.to_owned(),
                    text,
                },
            );
        }
    }

    /// Sends a conference event if the conference's callback subscribes to it.
    fn w_conf_event(
        &self,
        w: &mut World,
        conf_sid: &str,
        event: &str,
        participant: Option<&SimParticipant>,
        extra: Vec<(String, String)>,
    ) {
        let account = self.inner.account.account_sid.clone();
        let Some(conf) = w.conferences.get_mut(conf_sid) else {
            return;
        };
        let Some((hook, events)) = conf.hook.clone() else {
            return;
        };
        if !events.iter().any(|e| e == short_event(event)) {
            return;
        }
        conf.seq += 1;
        let mut p = vec![
            ("AccountSid".to_owned(), account),
            ("ConferenceSid".to_owned(), conf.sid.clone()),
            ("FriendlyName".to_owned(), conf.friendly_name.clone()),
            ("SequenceNumber".to_owned(), conf.seq.to_string()),
            ("Timestamp".to_owned(), rfc2822_now()),
            ("StatusCallbackEvent".to_owned(), event.to_owned()),
        ];
        if let Some(part) = participant {
            p.push(("CallSid".into(), part.call_sid.clone()));
            p.push(("Muted".into(), part.muted.to_string()));
            p.push(("Hold".into(), part.hold.to_string()));
            p.push(("Coaching".into(), part.coaching.to_string()));
            p.push(("EndConferenceOnExit".into(), part.end_on_exit.to_string()));
            p.push(("StartConferenceOnEnter".into(), part.start_on_enter.to_string()));
            if let Some(label) = &part.label {
                p.push(("ParticipantLabel".into(), label.clone()));
            }
            if let Some(c) = &part.call_sid_to_coach {
                p.push(("CallSidToCoach".into(), c.clone()));
            }
        }
        p.extend(extra);
        if hook.method.eq_ignore_ascii_case("GET") {
            self.problem("conference callbacks by GET are not simulated; use POST".into());
            return;
        }
        self.enqueue(&hook.url, p);
    }

    /// The active conference named `name`, or a new one (in `init`) whose status callback is the
    /// one given (the first participant's settings win, as on Twilio).
    pub(crate) fn w_conference_named(&self, w: &mut World, name: &str, hook: Option<(Hook, Vec<String>)>) -> String {
        if let Some(c) = w
            .conferences
            .values()
            .find(|c| c.friendly_name == name && c.status != "completed")
        {
            return c.sid.clone();
        }
        let sid = new_sid("CF");
        let now = rfc2822_now();
        w.conferences.insert(
            sid.clone(),
            SimConference {
                sid: sid.clone(),
                friendly_name: name.to_owned(),
                status: "init".into(),
                participants: Vec::new(),
                date_created: now.clone(),
                date_updated: now,
                reason_ended: None,
                call_sid_ending: None,
                hook,
                seq: 0,
                record: None,
                recording: None,
            },
        );
        sid
    }

    /// Connects a call to a conference; returns the token that fires when it leaves.
    pub(crate) fn w_join(&self, w: &mut World, sid: &str, conf_sid: &str, place: &Placement) -> CancellationToken {
        let presence = CancellationToken::new();
        let now = rfc2822_now();
        let Some(conf) = w.conferences.get_mut(conf_sid) else {
            presence.cancel();
            return presence;
        };
        if conf.status == "completed" {
            presence.cancel();
            return presence;
        }
        if conf.participants.iter().all(|p| p.status != "connected") {
            if conf.hook.is_none() {
                conf.hook = place.hook.clone();
            }
            if conf.record.is_none() {
                conf.record = place.record.clone();
            }
        }
        let part = SimParticipant {
            call_sid: sid.to_owned(),
            label: place.label.clone(),
            status: "connected".into(),
            hold: false,
            muted: place.muted,
            coaching: place.coaching,
            call_sid_to_coach: place.call_sid_to_coach.clone(),
            start_on_enter: place.start_on_enter,
            end_on_exit: place.end_on_exit,
            date_created: now.clone(),
            date_updated: now,
            hold_hook: None,
            wait_hook: place.wait.clone(),
        };
        match conf.participant_mut(sid) {
            Some(p) => *p = part.clone(),
            None => conf.participants.push(part.clone()),
        }
        let starts = conf.status == "init" && place.start_on_enter;
        let waits = conf.status == "init" && !place.start_on_enter;
        if let Some(c) = w.calls.get_mut(sid) {
            c.conference_sid = Some(conf_sid.to_owned());
        }
        w.presence.insert(sid.to_owned(), presence.clone());
        self.w_conf_event(w, conf_sid, "participant-join", Some(&part), vec![]);
        if starts {
            if let Some(conf) = w.conferences.get_mut(conf_sid) {
                conf.status = "in-progress".into();
                let waiting: Vec<String> = conf
                    .participants
                    .iter()
                    .map(|p| format!("wait:{}", p.call_sid))
                    .collect();
                for key in waiting {
                    if let Some(t) = w.holds.remove(&key) {
                        t.cancel();
                    }
                }
            }
            self.w_conf_event(w, conf_sid, "conference-start", None, vec![]);
            self.w_start_recording(w, conf_sid);
        }
        if waits && let Some(hook) = place.wait.clone() {
            let token = presence.child_token();
            w.holds.insert(format!("wait:{sid}"), token.clone());
            tokio::spawn(self.clone().music(sid.to_owned(), hook, token));
        }
        presence
    }

    /// Takes a call out of its conference (idempotent).
    pub(crate) fn w_leave(&self, w: &mut World, sid: &str, reason: &str) {
        let Some(conf_sid) = w.calls.get(sid).and_then(|c| c.conference_sid.clone()) else {
            return;
        };
        if let Some(c) = w.calls.get_mut(sid) {
            c.conference_sid = None;
        }
        let Some(conf) = w.conferences.get_mut(&conf_sid) else {
            return;
        };
        let Some(pos) = conf.participants.iter().position(|p| p.call_sid == sid) else {
            return;
        };
        let part = conf.participants.remove(pos);
        for key in [format!("hold:{sid}"), format!("wait:{sid}")] {
            if let Some(t) = w.holds.remove(&key) {
                t.cancel();
            }
        }
        if let Some(t) = w.presence.remove(sid) {
            t.cancel();
        }
        let call_status = w.calls.get(sid).map(|c| c.status.clone()).unwrap_or_default();
        self.w_conf_event(
            w,
            &conf_sid,
            "participant-leave",
            Some(&part),
            vec![
                ("ParticipantCallStatus".into(), call_status),
                ("ReasonParticipantLeft".into(), reason.to_owned()),
            ],
        );
        let (status, anyone_left) = w
            .conferences
            .get(&conf_sid)
            .map(|c| (c.status.clone(), c.participants.iter().any(|p| p.status == "connected")))
            .unwrap_or_default();
        if status != "completed" {
            if part.end_on_exit && status == "in-progress" {
                let why = if reason == "participant_hung_up" {
                    "participant-with-end-conference-on-exit-left"
                } else {
                    "participant-with-end-conference-on-exit-kicked"
                };
                self.w_end_conference(w, &conf_sid, why, Some(&part));
            } else if !anyone_left {
                let why = if reason == "participant_hung_up" {
                    "last-participant-left"
                } else {
                    "last-participant-kicked"
                };
                self.w_end_conference(w, &conf_sid, why, Some(&part));
            }
        }
        // A participant added over REST has no TwiML to go back to: leaving hangs it up.
        if w.calls.get(sid).is_some_and(|c| c.join.is_some() && !c.is_over()) {
            self.w_end_call(w, sid, "completed");
        }
    }

    /// Ends a conference: everyone still in it leaves, ringing participants are cancelled.
    pub(crate) fn w_end_conference(
        &self,
        w: &mut World,
        conf_sid: &str,
        reason: &str,
        ending: Option<&SimParticipant>,
    ) {
        let Some(conf) = w.conferences.get_mut(conf_sid) else {
            return;
        };
        if conf.status == "completed" {
            return;
        }
        conf.status = "completed".into();
        conf.reason_ended = Some(reason.to_owned());
        conf.call_sid_ending = ending.map(|p| p.call_sid.clone());
        let rest: Vec<SimParticipant> = conf.participants.clone();
        for p in rest {
            if p.status == "connected" {
                let leave_reason = if reason == "conference-ended-via-api" {
                    "conference_ended_via_api"
                } else {
                    "moderator_ended_conference"
                };
                self.w_leave(w, &p.call_sid, leave_reason);
            } else if let Some(tx) = w.rings.get(&p.call_sid) {
                let _ = tx.send(RingEnd::Cancel);
            }
        }
        let mut extra = vec![("ReasonConferenceEnded".to_owned(), reason.to_owned())];
        let human = match reason {
            "conference-ended-via-api" => "Conference ended via API".to_owned(),
            "last-participant-left" => "Last participant left".to_owned(),
            r => format!("Participant ended the conference ({r})"),
        };
        extra.push(("Reason".into(), human));
        if let Some(p) = ending {
            extra.push(("CallSidEndingConference".into(), p.call_sid.clone()));
            if let Some(l) = &p.label {
                extra.push(("ParticipantLabelEndingConference".into(), l.clone()));
            }
        }
        self.w_conf_event(w, conf_sid, "conference-end", None, extra);
        self.w_recording(w, conf_sid, "completed");
    }

    /// Starts the conference's recording if it records from the start.
    fn w_start_recording(&self, w: &mut World, conf_sid: &str) {
        let Some(conf) = w.conferences.get_mut(conf_sid) else {
            return;
        };
        if conf.record.is_none() || conf.recording.is_some() {
            return;
        }
        conf.recording = Some(super::SimRecording {
            sid: new_sid("RE"),
            status: "in-progress".into(),
            started_at: rfc2822_now(),
            duration_seconds: 0,
            running_since: Some(std::time::Instant::now()),
        });
        self.w_recording_event(w, conf_sid, "in-progress");
    }

    /// Moves the conference's recording to `status` (`paused`, `in-progress`, `stopped`,
    /// `completed`); false when there is no recording or it is over.
    pub(crate) fn w_recording(&self, w: &mut World, conf_sid: &str, status: &str) -> bool {
        let Some(rec) = w.conferences.get_mut(conf_sid).and_then(|c| c.recording.as_mut()) else {
            return false;
        };
        if matches!(rec.status.as_str(), "stopped" | "completed") {
            return false;
        }
        if let Some(since) = rec.running_since.take() {
            rec.duration_seconds += since.elapsed().as_secs();
        }
        if status == "in-progress" {
            rec.running_since = Some(std::time::Instant::now());
        }
        rec.status = status.to_owned();
        if matches!(status, "stopped" | "completed") {
            self.w_recording_event(w, conf_sid, "completed");
        }
        true
    }

    /// Sends a recording status callback if subscribed.
    fn w_recording_event(&self, w: &mut World, conf_sid: &str, event: &str) {
        let Some(conf) = w.conferences.get(conf_sid) else {
            return;
        };
        let (Some((Some(hook), events)), Some(rec)) = (conf.record.clone(), conf.recording.clone()) else {
            return;
        };
        if !events.iter().any(|e| e == event) {
            return;
        }
        let account = &self.inner.account.account_sid;
        let mut p = vec![
            ("AccountSid".to_owned(), account.clone()),
            ("ConferenceSid".to_owned(), conf_sid.to_owned()),
            ("RecordingSid".to_owned(), rec.sid.clone()),
            (
                "RecordingUrl".to_owned(),
                format!(
                    "https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{}",
                    rec.sid
                ),
            ),
            ("RecordingStatus".to_owned(), event.to_owned()),
            ("RecordingChannels".to_owned(), "1".to_owned()),
            ("RecordingSource".to_owned(), "Conference".to_owned()),
            ("RecordingStartTime".to_owned(), rec.started_at.clone()),
            ("Timestamp".to_owned(), rfc2822_now()),
        ];
        if event == "completed" {
            p.push(("RecordingDuration".into(), rec.duration_seconds.to_string()));
        }
        if hook.method.eq_ignore_ascii_case("GET") {
            self.problem("recording callbacks by GET are not simulated; use POST".into());
            return;
        }
        self.enqueue(&hook.url, p);
    }

    /// Ends a call with a terminal status: it leaves its conference, its TwiML stops, its
    /// softphone hears of it.
    pub(crate) fn w_end_call(&self, w: &mut World, sid: &str, status: &str) {
        let Some(c) = w.calls.get(sid) else { return };
        if c.is_over() {
            return;
        }
        let was_ringing = matches!(c.status.as_str(), "queued" | "initiated" | "ringing");
        let party = c.party.clone();
        self.w_status(w, sid, status);
        self.w_transcriptions_stopped(w, sid);
        if let Some(t) = w.runs.remove(sid) {
            t.cancel();
        }
        if let Some(tx) = w.rings.remove(sid) {
            let _ = tx.send(RingEnd::Cancel);
        }
        self.w_leave(w, sid, "participant_hung_up");
        // A participant that never connected just disappears from its conference.
        for conf in w.conferences.values_mut() {
            conf.participants.retain(|p| p.call_sid != sid);
        }
        if let Party::Client(identity) = party {
            let event = if was_ringing {
                PhoneEvent::Cancelled {
                    call_sid: sid.to_owned(),
                }
            } else {
                PhoneEvent::Disconnected {
                    call_sid: sid.to_owned(),
                }
            };
            self.w_notify(w, &identity, event);
        }
    }

    /// Applies a REST update to a participant. As on Twilio, a held participant's
    /// `EndConferenceOnExit` does not change (unless the same request un-holds it); the simulator
    /// notes it so the mistake shows.
    pub(crate) fn w_change_participant(&self, w: &mut World, conf_sid: &str, sid: &str, change: &ParticipantChange) {
        let Some(p) = w.conferences.get_mut(conf_sid).and_then(|c| c.participant_mut(sid)) else {
            return;
        };
        let was_held = p.hold;
        let mut events: Vec<&'static str> = Vec::new();
        let mut ignored = None;
        if let Some(e) = change.end_on_exit {
            if was_held && change.hold != Some(false) {
                let label = p.label.clone().unwrap_or_else(|| sid.to_owned());
                ignored = Some(format!(
                    "EndConferenceOnExit={e} on held participant {label} was ignored (Twilio ignores flag changes on a held participant)"
                ));
            } else {
                p.end_on_exit = e;
            }
        }
        if let Some(m) = change.muted
            && m != p.muted
        {
            p.muted = m;
            events.push(if m { "participant-mute" } else { "participant-unmute" });
        }
        if change.coaching.is_some() || change.call_sid_to_coach.is_some() {
            if let Some(c) = change.coaching {
                p.coaching = c;
            }
            if change.call_sid_to_coach.is_some() {
                p.call_sid_to_coach = change.call_sid_to_coach.clone();
            }
            events.push("participant-modify");
        }
        let mut start_music = None;
        match change.hold {
            Some(true) if !was_held => {
                p.hold = true;
                p.hold_hook = change.hold_hook.clone();
                start_music = change.hold_hook.clone();
                events.push("participant-hold");
            }
            Some(false) if was_held => {
                p.hold = false;
                p.hold_hook = None;
                events.push("participant-unhold");
            }
            _ => {}
        }
        p.date_updated = rfc2822_now();
        let part = p.clone();
        if let Some(msg) = ignored {
            tracing::warn!(target: "twilio_simulator", "{msg}");
            w.problems.push(msg);
        }
        if change.hold == Some(false)
            && let Some(t) = w.holds.remove(&format!("hold:{sid}"))
        {
            t.cancel();
        }
        for e in events {
            self.w_conf_event(w, conf_sid, e, Some(&part), vec![]);
        }
        if let Some(hook) = start_music {
            let token = w.presence.get(sid).map(|t| t.child_token()).unwrap_or_default();
            w.holds.insert(format!("hold:{sid}"), token.clone());
            tokio::spawn(self.clone().music(sid.to_owned(), hook, token));
        }
        if let Some(hook) = change.announce.clone() {
            tokio::spawn(self.clone().announce(sid.to_owned(), hook));
        }
    }

    // ---------------------------------------------------------------------------------------
    // Tasks.
    // ---------------------------------------------------------------------------------------

    /// Fetches and checks a TwiML document for a call.
    async fn fetch(
        &self,
        sid: &str,
        hook: &Hook,
        extra: &[(String, String)],
        context: TwimlContext,
    ) -> Result<TwimlElement, String> {
        let Some(call) = self.world().calls.get(sid).cloned() else {
            return Err("the call is gone".into());
        };
        let mut params = self.call_params(&call);
        if context == TwimlContext::Call {
            params.extend(call.params.iter().cloned());
        }
        params.extend(extra.iter().cloned());
        self.in_flight(1);
        let sent = self.send(hook, &params).await;
        self.in_flight(-1);
        let (status, body) = sent?;
        if status != 200 {
            return Err(format!(
                "{} answered HTTP {status} (Twilio error 11200): {}",
                hook.url,
                body.chars().take(300).collect::<String>()
            ));
        }
        parse_twiml(&body, context)
            .map_err(|e| format!("{} returned TwiML Twilio would refuse (error 12100): {e}", hook.url))
    }

    /// Runs a call's TwiML from `first` until it hangs up, is redirected or cancelled.
    pub(crate) async fn run(self, sid: String, first: Instructions) {
        let token = CancellationToken::new();
        let old = self.with_world(|w| w.runs.insert(sid.clone(), token.clone()));
        if let Some(old) = old {
            old.cancel();
        }
        let mut next = Some(first);
        let mut fell_back = false;
        let mut current_url = format!("{}/", self.inner.base_url);
        while let Some(step) = next.take() {
            if token.is_cancelled() {
                return;
            }
            let doc = match &step {
                Instructions::Fetch(hook, extra) => {
                    current_url = hook.url.clone();
                    self.fetch(&sid, hook, extra, TwimlContext::Call).await
                }
                Instructions::Inline(xml) => parse_twiml(xml, TwimlContext::Call).map_err(|e| e.to_string()),
            };
            if token.is_cancelled() {
                return;
            }
            let doc = match doc {
                Ok(d) => d,
                Err(e) => {
                    self.problem(e.clone());
                    let fallback = self.world().calls.get(&sid).and_then(|c| c.fallback.clone());
                    if let (false, Some(fb)) = (fell_back, fallback) {
                        fell_back = true;
                        let code = if e.contains("12100") { "12100" } else { "11200" };
                        next = Some(Instructions::Fetch(
                            fb,
                            vec![
                                ("ErrorCode".into(), code.into()),
                                ("ErrorUrl".into(), current_url.clone()),
                            ],
                        ));
                        continue;
                    }
                    self.with_world(|w| {
                        self.w_hear(
                            w,
                            &sid,
                            "We are sorry, an application error has occurred. Goodbye.".into(),
                        );
                        self.w_end_call(w, &sid, "completed");
                    });
                    return;
                }
            };
            for verb in &doc.children {
                if token.is_cancelled() {
                    return;
                }
                if verb.name == "Reject" {
                    let status = if verb.attr("reason") == Some("busy") {
                        "busy"
                    } else {
                        "no-answer"
                    };
                    self.with_world(|w| self.w_end_call(w, &sid, status));
                    return;
                }
                self.answer_if_ringing(&sid);
                match verb.name.as_str() {
                    "Gather" => match self.gather(&sid, verb, &current_url, &token).await {
                        gather::Gathered::Then(then) => {
                            next = Some(then);
                            break;
                        }
                        gather::Gathered::Continue => {}
                        gather::Gathered::Cancelled => return,
                    },
                    "Say" => {
                        let times = verb
                            .attr("loop")
                            .and_then(|l| l.parse::<u32>().ok())
                            .unwrap_or(1)
                            .clamp(1, 3);
                        for _ in 0..times {
                            self.with_world(|w| self.w_hear(w, &sid, verb.text.trim().to_owned()));
                        }
                    }
                    "Play" => {
                        let text = format!("♪ {}", verb.text.trim());
                        self.with_world(|w| self.w_hear(w, &sid, text));
                    }
                    "Pause" => {
                        let secs = verb.attr("length").and_then(|l| l.parse::<f64>().ok()).unwrap_or(1.0);
                        if !self.pause(secs, &token).await {
                            return;
                        }
                    }
                    "Hangup" => {
                        self.with_world(|w| self.w_end_call(w, &sid, "completed"));
                        return;
                    }
                    "Redirect" => {
                        let url = self.absolute(&current_url, verb.text.trim());
                        let method = verb.attr("method").unwrap_or("POST").to_owned();
                        next = Some(Instructions::Fetch(Hook { url, method }, vec![]));
                        break;
                    }
                    "Dial" => {
                        let outcome = self.dial(&sid, verb, &current_url, &token).await;
                        if token.is_cancelled() {
                            return;
                        }
                        if let Some(action) = verb.attr("action") {
                            let url = self.absolute(&current_url, action);
                            let method = verb.attr("method").unwrap_or("POST").to_owned();
                            next = Some(Instructions::Fetch(
                                Hook { url, method },
                                vec![("DialCallStatus".into(), outcome.into())],
                            ));
                            break;
                        }
                    }
                    "Start" => self.start(&sid, verb, &current_url),
                    "Stop" => self.stop(&sid, verb),
                    "Record" => match self.record(&sid, verb, &current_url, &token).await {
                        None => {}
                        Some(None) => return,
                        Some(Some(then)) => {
                            next = Some(then);
                            break;
                        }
                    },
                    other => self.problem(format!("<{other}> is valid TwiML but the simulator does not play it")),
                }
            }
        }
        if !token.is_cancelled() {
            self.with_world(|w| self.w_end_call(w, &sid, "completed"));
        }
    }

    /// Sleeps `secs` (scaled); false when cancelled meanwhile.
    async fn pause(&self, secs: f64, token: &CancellationToken) -> bool {
        let d = Duration::from_secs_f64((secs * self.inner.config.pause_scale).max(0.0));
        tokio::select! {
            _ = tokio::time::sleep(d) => true,
            _ = token.cancelled() => false,
        }
    }

    /// An incoming call (or a TwiML App call) is answered when its TwiML starts doing something.
    fn answer_if_ringing(&self, sid: &str) {
        self.with_world(|w| {
            let Some(c) = w.calls.get(sid) else { return };
            if c.direction == "inbound" && c.status == "ringing" {
                let party = c.party.clone();
                self.w_status(w, sid, "in-progress");
                if let Party::Client(identity) = party {
                    self.w_notify(
                        w,
                        &identity,
                        PhoneEvent::Accepted {
                            call_sid: sid.to_owned(),
                        },
                    );
                }
            }
        });
    }

    /// `<Dial>`: a `<Conference>`, or one `<Number>` (a forward); returns the DialCallStatus.
    async fn dial(&self, sid: &str, verb: &TwimlElement, base: &str, token: &CancellationToken) -> &'static str {
        if let [number] = verb.children.as_slice()
            && number.name == "Number"
        {
            return self.dial_number(sid, verb, number, token).await;
        }
        let Some(noun) = verb.children.iter().find(|c| c.name == "Conference") else {
            self.problem(
                "<Dial> to a client, several numbers or a number as text is not used by the console and not simulated"
                    .into(),
            );
            return "failed";
        };
        let flag = |name: &str, default: bool| noun.attr(name).map(|v| v == "true").unwrap_or(default);
        let hook = noun.attr("statusCallback").map(|url| {
            let events = noun
                .attr("statusCallbackEvent")
                .map(|e| {
                    e.split([' ', ','])
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_else(|| vec!["start".to_owned(), "end".to_owned()]);
            (
                Hook {
                    url: self.absolute(base, url),
                    method: noun.attr("statusCallbackMethod").unwrap_or("POST").to_owned(),
                },
                events,
            )
        });
        let wait = match noun.attr("waitUrl") {
            Some("") => None,
            Some(url) => Some(Hook {
                url: self.absolute(base, url),
                method: noun.attr("waitMethod").unwrap_or("POST").to_owned(),
            }),
            None => None,
        };
        let record = (noun.attr("record") == Some("record-from-start")).then(|| {
            let hook = noun.attr("recordingStatusCallback").map(|url| Hook {
                url: self.absolute(base, url),
                method: noun.attr("recordingStatusCallbackMethod").unwrap_or("POST").to_owned(),
            });
            let events = noun
                .attr("recordingStatusCallbackEvent")
                .map(|e| {
                    e.split([' ', ','])
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_else(|| vec!["completed".to_owned()]);
            (hook, events)
        });
        let place = Placement {
            record,
            label: noun.attr("participantLabel").map(str::to_owned),
            start_on_enter: flag("startConferenceOnEnter", true),
            end_on_exit: flag("endConferenceOnExit", false),
            muted: flag("muted", false),
            coaching: noun.attr("coach").is_some(),
            call_sid_to_coach: noun.attr("coach").map(str::to_owned),
            wait,
            hook: hook.clone(),
        };
        let name = noun.text.trim().to_owned();
        let presence = self.with_world(|w| {
            if let Some(label) = &place.label {
                let clash = w
                    .conferences
                    .values()
                    .find(|c| c.friendly_name == name && c.status != "completed")
                    .is_some_and(|c| c.participants.iter().any(|p| p.label.as_deref() == Some(label)));
                if clash {
                    let msg = format!("participantLabel {label} is already in use in conference {name}");
                    w.problems.push(msg);
                }
            }
            let conf = self.w_conference_named(w, &name, hook);
            self.w_join(w, sid, &conf, &place)
        });
        tokio::select! {
            _ = presence.cancelled() => "completed",
            _ = token.cancelled() => {
                self.with_world(|w| self.w_leave(w, sid, "participant_updated_via_api"));
                "completed"
            }
        }
    }

    /// Wait or hold music: fetches `hook` and plays it again each time it ends, until `token`.
    pub(crate) async fn music(self, sid: String, mut hook: Hook, token: CancellationToken) {
        let mut rounds = 0u32;
        while !token.is_cancelled() {
            rounds += 1;
            let doc = match self.fetch(&sid, &hook, &[], TwimlContext::WaitUrl).await {
                Ok(d) => d,
                Err(e) => {
                    self.problem(e);
                    return;
                }
            };
            let mut paused = false;
            for verb in &doc.children {
                if token.is_cancelled() {
                    return;
                }
                match verb.name.as_str() {
                    "Say" => self.with_world(|w| self.w_hear(w, &sid, verb.text.trim().to_owned())),
                    "Play" => {
                        let text = format!("♪ {}", verb.text.trim());
                        self.with_world(|w| self.w_hear(w, &sid, text));
                        // The simulator has no audio: each play of a piece lasts as long as the
                        // spoken wait and hold documents used to pause.
                        paused = true;
                        let times = verb.attr("loop").and_then(|l| l.parse::<u32>().ok()).unwrap_or(1);
                        if !self.pause(f64::from(times.clamp(1, 10)) * MUSIC_SECONDS, &token).await {
                            return;
                        }
                    }
                    "Pause" => {
                        paused = true;
                        let secs = verb.attr("length").and_then(|l| l.parse::<f64>().ok()).unwrap_or(1.0);
                        if !self.pause(secs, &token).await {
                            return;
                        }
                    }
                    "Redirect" => {
                        hook = Hook {
                            url: self.absolute(&hook.url, verb.text.trim()),
                            method: verb.attr("method").unwrap_or("POST").to_owned(),
                        };
                        break;
                    }
                    _ => {}
                }
            }
            // A document with no pause would loop as fast as the network allows; real audio
            // takes time, so give each round a floor.
            if !paused && !self.pause(2.0, &token).await {
                return;
            }
            if rounds > 10_000 {
                return;
            }
        }
    }

    async fn announce(self, sid: String, hook: Hook) {
        match self.fetch(&sid, &hook, &[], TwimlContext::WaitUrl).await {
            Ok(doc) => {
                for verb in doc.children.iter().filter(|v| v.name == "Say" || v.name == "Play") {
                    let text = verb.text.trim().to_owned();
                    self.with_world(|w| self.w_hear(w, &sid, text));
                }
            }
            Err(e) => self.problem(e),
        }
    }

    /// Rings a new outgoing call and carries out how it ends: answered calls join their
    /// conference (participants) or run their TwiML (calls).
    pub(crate) async fn ring(self, sid: String, then: Option<Instructions>) {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (party, timeout_s) = self.with_world(|w| {
            w.rings.insert(sid.clone(), tx.clone());
            self.w_status(w, &sid, "initiated");
            self.w_status(w, &sid, "ringing");
            let c = w.calls.get(&sid).cloned();
            for conf in w.conferences.values_mut() {
                if let Some(p) = conf.participant_mut(&sid) {
                    p.status = "ringing".into();
                }
            }
            match c {
                Some(c) => (Some(c.party.clone()), c.timeout_s),
                None => (None, 0),
            }
        });
        let Some(party) = party else { return };
        match &party {
            Party::Client(identity) => {
                let (registered, event) = self.with_world(|w| {
                    let c = w.calls.get(&sid).cloned();
                    let registered = w.devices.iter().any(|d| d.identity == *identity && !d.tx.is_closed());
                    (registered, c)
                });
                if !registered {
                    let _ = tx.send(RingEnd::NoAnswer);
                } else if let Some(c) = event {
                    let params: BTreeMap<String, String> = c.params.iter().cloned().collect();
                    self.with_world(|w| {
                        self.w_notify(
                            w,
                            identity,
                            PhoneEvent::Incoming {
                                call_sid: sid.clone(),
                                from: c.from.clone(),
                                params,
                            },
                        )
                    });
                }
            }
            Party::Phone(number) => {
                let answering = self
                    .world()
                    .numbers
                    .get(number)
                    .cloned()
                    .unwrap_or_else(|| self.inner.config.default_answering.clone());
                match answering {
                    Answering::After { ring_ms } => {
                        let tx = tx.clone();
                        tokio::spawn(async move {
                            tokio::time::sleep(Duration::from_millis(ring_ms)).await;
                            let _ = tx.send(RingEnd::Answer);
                        });
                    }
                    Answering::Busy => {
                        let _ = tx.send(RingEnd::Busy);
                    }
                    Answering::Fail => {
                        let _ = tx.send(RingEnd::Fail);
                    }
                    Answering::Manual | Answering::NoAnswer => {}
                }
            }
        }
        drop(tx);
        let end = tokio::select! {
            e = rx.recv() => e.unwrap_or(RingEnd::Cancel),
            _ = tokio::time::sleep(Duration::from_secs(timeout_s.max(1))) => RingEnd::NoAnswer,
        };
        self.with_world(|w| {
            w.rings.remove(&sid);
            let still_ringing = w.calls.get(&sid).is_some_and(|c| !c.is_over());
            if !still_ringing {
                return;
            }
            match end {
                RingEnd::Answer => {
                    self.w_status(w, &sid, "in-progress");
                    if let Party::Client(identity) = &party {
                        self.w_notify(w, identity, PhoneEvent::Accepted { call_sid: sid.clone() });
                    }
                    let join = w.calls.get(&sid).and_then(|c| c.join.clone());
                    if let Some(spec) = join {
                        let live = w
                            .conferences
                            .get(&spec.conference_sid)
                            .is_some_and(|c| c.status != "completed");
                        if !live {
                            self.w_end_call(w, &sid, "completed");
                            return;
                        }
                        let place = Placement {
                            label: spec.label.clone(),
                            start_on_enter: spec.start_on_enter,
                            end_on_exit: spec.end_on_exit,
                            muted: spec.muted,
                            coaching: spec.coaching,
                            call_sid_to_coach: spec.call_sid_to_coach.clone(),
                            wait: None,
                            hook: spec.conference_hook.clone(),
                            record: None,
                        };
                        self.w_join(w, &sid, &spec.conference_sid, &place);
                    }
                }
                RingEnd::Busy => self.w_end_call(w, &sid, "busy"),
                RingEnd::NoAnswer => self.w_end_call(w, &sid, "no-answer"),
                RingEnd::Fail => self.w_end_call(w, &sid, "failed"),
                RingEnd::Cancel => self.w_end_call(w, &sid, "canceled"),
            }
        });
        if end == RingEnd::Answer
            && let Some(instructions) = then
            && self.world().calls.get(&sid).is_some_and(|c| !c.is_over())
        {
            self.run(sid, instructions).await;
        }
    }

    // ---------------------------------------------------------------------------------------
    // What the simulated people and softphones do.
    // ---------------------------------------------------------------------------------------

    /// A simulated customer calls one of the console's numbers. Returns the CallSid.
    ///
    /// The call follows the number's voice configuration (or its TwiML App's), as Twilio's
    /// do; a number the account does not have yet joins it first, configured as the deployment
    /// instructions say (see [`super::account::default_number`]).
    pub fn start_incoming(&self, from: &str, to: &str) -> String {
        self.start_incoming_choosing(from, to, Vec::new())
    }

    /// [`Simulator::start_incoming`] by a caller who makes `choices` at the menus they meet
    /// (`<Gather>`), in order.
    pub fn start_incoming_choosing(&self, from: &str, to: &str, choices: Vec<gather::Choice>) -> String {
        let sid = new_sid("CA");
        let base = self.inner.base_url.clone();
        let voice = self.with_world(|w| {
            let number = w
                .incoming_numbers
                .entry(to.to_owned())
                .or_insert_with(|| super::account::default_number(to, &base))
                .clone();
            match number
                .voice_application_sid
                .as_ref()
                .and_then(|app| w.applications.get(app))
            {
                Some(app) => VoiceConfig::of_application(app),
                None => VoiceConfig::of_number(&number),
            }
        });
        let call = SimCall {
            direction: "inbound".into(),
            status: "ringing".into(),
            status_hook: voice.status.map(|hook| StatusHook {
                hook,
                events: vec!["completed".into()],
            }),
            fallback: voice.fallback,
            choices: choices.into(),
            ..SimCall::new(&sid, from, to, Party::Phone(from.to_owned()), Vec::new())
        };
        self.with_world(|w| w.calls.insert(sid.clone(), call));
        self.start_run(&sid, voice.url, &format!("number {to}"));
        sid
    }

    /// A softphone's `Device.connect({params})`: a call from the client to the TwiML App, which
    /// it follows as configured.
    pub fn connect(&self, identity: &str, params: Vec<(String, String)>) -> String {
        let sid = new_sid("CA");
        let app_sid = self.inner.account.twiml_app_sid.clone();
        let to = params
            .iter()
            .find(|(k, _)| k == "To")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let voice = self
            .world()
            .applications
            .get(&app_sid)
            .map(VoiceConfig::of_application)
            .unwrap_or_default();
        let call = SimCall {
            direction: "inbound".into(),
            status: "ringing".into(),
            status_hook: voice.status.map(|hook| StatusHook {
                hook,
                events: vec!["completed".into()],
            }),
            fallback: voice.fallback,
            application_sid: Some(app_sid.clone()),
            ..SimCall::new(
                &sid,
                &format!("client:{identity}"),
                &to,
                Party::Client(identity.to_owned()),
                params,
            )
        };
        self.with_world(|w| w.calls.insert(sid.clone(), call));
        self.start_run(&sid, voice.url, &format!("TwiML App {app_sid}"));
        sid
    }

    /// Runs a new call's first document, or ends it as Twilio does when the number or app it
    /// reached has no Voice URL.
    fn start_run(&self, sid: &str, url: Option<Hook>, reached: &str) {
        match url {
            Some(hook) => {
                tokio::spawn(self.clone().run(sid.to_owned(), Instructions::Fetch(hook, vec![])));
            }
            None => {
                self.problem(format!("{reached} has no Voice URL: the call cannot be answered"));
                self.with_world(|w| {
                    self.w_hear(
                        w,
                        sid,
                        "We are sorry, an application error has occurred. Goodbye.".into(),
                    );
                    self.w_end_call(w, sid, "failed");
                });
            }
        }
    }

    /// Ends a ringing call the way its far end chooses (answer, busy, no answer).
    pub fn ring_end(&self, sid: &str, end: RingEnd) -> bool {
        self.world().rings.get(sid).is_some_and(|tx| tx.send(end).is_ok())
    }

    /// The far end hangs up.
    pub fn hang_up(&self, sid: &str) -> bool {
        self.with_world(|w| {
            let live = w.calls.get(sid).is_some_and(|c| !c.is_over());
            if live {
                let ringing = w.rings.contains_key(sid);
                self.w_end_call(w, sid, if ringing { "canceled" } else { "completed" });
            }
            live
        })
    }

    /// A softphone answers a call ringing it.
    pub fn accept(&self, identity: &str, sid: &str) -> Result<(), String> {
        let own = self
            .world()
            .calls
            .get(sid)
            .map(|c| c.party == Party::Client(identity.to_owned()));
        match own {
            Some(true) if self.ring_end(sid, RingEnd::Answer) => Ok(()),
            Some(true) => Err("the call is no longer ringing".into()),
            _ => Err("no such call rings this phone".into()),
        }
    }

    /// A softphone rejects a call ringing it.
    pub fn reject(&self, identity: &str, sid: &str) -> Result<(), String> {
        let own = self
            .world()
            .calls
            .get(sid)
            .map(|c| c.party == Party::Client(identity.to_owned()));
        match own {
            Some(true) if self.ring_end(sid, RingEnd::Busy) => Ok(()),
            Some(true) => Err("the call is no longer ringing".into()),
            _ => Err("no such call rings this phone".into()),
        }
    }

    /// A softphone hangs up its call.
    pub fn disconnect(&self, identity: &str, sid: &str) -> Result<(), String> {
        let own = self
            .world()
            .calls
            .get(sid)
            .map(|c| c.party == Party::Client(identity.to_owned()));
        match own {
            Some(true) => {
                self.hang_up(sid);
                Ok(())
            }
            _ => Err("no such call on this phone".into()),
        }
    }

    /// A softphone presses keys.
    pub fn digits(&self, identity: &str, sid: &str, digits: &str) -> Result<(), String> {
        self.with_world(|w| match w.calls.get_mut(sid) {
            Some(c) if c.party == Party::Client(identity.to_owned()) => {
                c.digits.push_str(digits);
                Ok(())
            }
            _ => Err("no such call on this phone".into()),
        })
    }

    /// A softphone mutes or unmutes its microphone.
    pub fn mute(&self, identity: &str, sid: &str, muted: bool) -> Result<(), String> {
        self.with_world(|w| match w.calls.get_mut(sid) {
            Some(c) if c.party == Party::Client(identity.to_owned()) => {
                c.mic_muted = muted;
                Ok(())
            }
            _ => Err("no such call on this phone".into()),
        })
    }

    /// Registers a softphone; its events go to `tx`.
    pub fn register(&self, identity: &str, tx: mpsc::UnboundedSender<PhoneEvent>) -> u64 {
        self.with_world(|w| {
            w.next_device += 1;
            let id = w.next_device;
            let _ = tx.send(PhoneEvent::Registered {
                identity: identity.to_owned(),
            });
            w.devices.push(super::Device {
                id,
                identity: identity.to_owned(),
                tx,
            });
            id
        })
    }

    /// Unregisters a softphone. Calls ringing only it stop ringing (no answer).
    pub fn unregister(&self, id: u64) {
        self.with_world(|w| {
            let Some(pos) = w.devices.iter().position(|d| d.id == id) else {
                return;
            };
            let identity = w.devices.remove(pos).identity;
            if w.devices.iter().any(|d| d.identity == identity) {
                return;
            }
            let ringing: Vec<String> = w
                .calls
                .values()
                .filter(|c| c.party == Party::Client(identity.clone()) && w.rings.contains_key(&c.sid))
                .map(|c| c.sid.clone())
                .collect();
            for sid in ringing {
                if let Some(tx) = w.rings.get(&sid) {
                    let _ = tx.send(RingEnd::NoAnswer);
                }
            }
        })
    }

    /// Sets how a number answers.
    pub fn set_answering(&self, number: &str, answering: Answering) {
        self.with_world(|w| w.numbers.insert(number.to_owned(), answering));
    }
}
