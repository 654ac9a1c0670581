//! The simulator's own API (`/sim/...`, local only) and the softphone channel.
//!
//! - `POST /sim/calls {from, to?}` a simulated customer calls in; `POST /sim/calls/{sid}/hangup`,
//!   `/answer`, `/busy`, `/no-answer` for what the far end does; `GET /sim/calls/{sid}`;
//!   `POST /sim/calls/{sid}/speak {"text"}` the caller says something (a `<Record>` and a
//!   real-time transcription hear it).
//! - `PUT /sim/numbers/{number}` how a number answers (`{"answer":"after","ring_ms":500}`,
//!   `manual`, `busy`, `no-answer`, `fail`).
//! - `POST /sim/wait {…, timeout_ms}` returns when the state holds (200) or after the timeout
//!   (408 with the state): tests never sleep.
//! - `"choices": [{"digits": "1"}, {"speech": "料金", "confidence": 0.8}, {}]` in
//!   `POST /sim/calls` scripts the caller's answers to the menus (`<Gather>`) they meet, in
//!   order (`{}` is silence).
//! - `GET /sim/state`, `/sim/requests`, `/sim/webhooks`, `/sim/problems`: what happened (the state
//!   with the account's phone numbers and TwiML Apps as provisioned; never a secret).
//! - `PUT /sim/faults {"rest": {"status": 429, "count": 2, "paths": "Participants", "delay_ms": 0}}`
//!   makes the REST API fail (optionally with Twilio's `code` and `message`; see
//!   [`super::rest::RestFault`]), and with `"webhooks": [{"kind": "drop", "paths": "/twilio/voice/status",
//!   "fraction": 0.1, "for_ms": 60000}]` makes the webhooks the simulator sends fail to connect,
//!   answer 429, arrive twice or out of order (see [`super::webhook_faults`]); a `PUT` replaces
//!   both. `GET /sim/faults` shows the faults with how many requests each hit, `DELETE /sim/faults`
//!   clears them.
//! - Softphones driven over HTTP (`/sim/phones/{identity}`: register, events, accept, reject,
//!   hangup, connect) for tests without a browser, and `GET /sim/phone?token=` — the WebSocket the
//!   page's simulated phone uses, authenticated with the Voice access token from `/api/token`.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::mpsc;

use super::{Answering, Party, PhoneEvent, RingEnd, Simulator};

/// The simulator's API and the softphone WebSocket.
pub fn routes(sim: Simulator) -> Router {
    Router::new()
        .route("/sim/calls", post(start_call))
        .route("/sim/calls/{sid}", get(call))
        .route("/sim/calls/{sid}/speak", post(speak))
        .route("/sim/calls/{sid}/{action}", post(call_action))
        .route("/sim/numbers/{number}", put(set_number))
        .route("/sim/wait", post(wait))
        .route("/sim/state", get(state))
        .route("/sim/requests", get(requests))
        .route("/sim/webhooks", get(webhooks))
        .route("/sim/problems", get(problems))
        .route("/sim/faults", put(set_faults).get(faults).delete(clear_faults))
        .route("/sim/phones/{identity}", post(register).delete(unregister))
        .route("/sim/phones/{identity}/events", get(events))
        .route("/sim/phones/{identity}/{action}", post(phone_action))
        .route("/sim/phone", get(socket))
        .with_state(sim)
}

fn bad(message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": {"code": "invalid_request", "message": message.into()}})),
    )
        .into_response()
}

fn missing(message: impl Into<String>) -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"error": {"code": "not_found", "message": message.into()}})),
    )
        .into_response()
}

/// A number in E.164, from any common way of writing it.
fn e164(number: &str) -> Result<String, String> {
    shared::phone::PhoneNumber::parse(number)
        .map(|p| p.as_str().to_owned())
        .map_err(|e| format!("{number}: {e}"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartCall {
    from: String,
    /// The console's number called; the first configured line when absent.
    to: Option<String>,
    /// What the caller chooses at the menus they meet, in order: `{"digits": "2"}`,
    /// `{"speech": "料金について", "confidence": 0.8}`, or `{}` for silence.
    #[serde(default)]
    choices: Vec<super::engine::gather::Choice>,
    /// What is said once an operator is connected with the caller, in order:
    /// `{"speaker": "customer" | "operator", "text": "…"}` (heard by the call's transcription on
    /// a line that transcribes).
    #[serde(default)]
    script: Vec<super::engine::transcribe::ScriptLine>,
}

async fn start_call(State(sim): State<Simulator>, body: axum::body::Bytes) -> Response {
    let req: StartCall = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad(format!("send {{\"from\": \"03-1234-5678\", \"to\": optional}}: {e}")),
    };
    let from = match e164(&req.from) {
        Ok(f) => f,
        Err(m) => return bad(m),
    };
    let to = match req.to.as_deref().map(e164).transpose() {
        Ok(t) => t.unwrap_or_else(|| sim.inner.config.default_to.clone()),
        Err(m) => return bad(m),
    };
    if let Some(e) = req.choices.iter().find_map(|c| c.check().err()) {
        return bad(format!("choices: {e}"));
    }
    if let Some(e) = req.script.iter().find_map(|l| l.check().err()) {
        return bad(format!("script: {e}"));
    }
    let sid = sim.start_incoming_choosing(&from, &to, req.choices);
    sim.run_script(&sid, req.script);
    (
        StatusCode::CREATED,
        axum::Json(json!({"sid": sid, "from": from, "to": to})),
    )
        .into_response()
}

async fn call(State(sim): State<Simulator>, Path(sid): Path<String>) -> Response {
    let w = sim.world();
    match w.calls.get(&sid) {
        Some(c) => {
            let part = c
                .conference_sid
                .as_ref()
                .and_then(|conf| w.conferences.get(conf))
                .and_then(|conf| conf.participant(&sid))
                .cloned();
            axum::Json(json!({"call": c, "participant": part})).into_response()
        }
        None => missing(format!("no simulated call {sid}")),
    }
}

async fn call_action(State(sim): State<Simulator>, Path((sid, action)): Path<(String, String)>) -> Response {
    let done = match action.as_str() {
        "hangup" => sim.hang_up(&sid),
        "answer" => sim.ring_end(&sid, RingEnd::Answer),
        "busy" => sim.ring_end(&sid, RingEnd::Busy),
        "no-answer" => sim.ring_end(&sid, RingEnd::NoAnswer),
        "fail" => sim.ring_end(&sid, RingEnd::Fail),
        other => {
            return bad(format!(
                "unknown action {other}: use hangup, answer, busy, no-answer or fail"
            ));
        }
    };
    if done {
        StatusCode::NO_CONTENT.into_response()
    } else {
        (
            StatusCode::CONFLICT,
            axum::Json(json!({"error": {"code": "not_applicable", "message": format!("call {sid} is not in a state where {action} applies")}})),
        )
            .into_response()
    }
}

/// What a simulated caller says, or (`"speaker": "operator"`) the operator connected with them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Speech {
    text: String,
    #[serde(default)]
    speaker: Option<super::engine::transcribe::Speaker>,
}

/// The caller (or the operator connected with them) says something: a `<Record>` under way
/// hears it, the real-time transcriptions that hear it post it (see
/// [`super::engine::transcribe`]).
async fn speak(State(sim): State<Simulator>, Path(sid): Path<String>, body: axum::body::Bytes) -> Response {
    let speech: Speech = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return bad(format!("send {{\"text\": \"what the caller says\"}}: {e}")),
    };
    if speech.text.trim().is_empty() || speech.text.chars().count() > 2000 {
        return bad(String::from("text is 1 to 2,000 characters"));
    }
    let said = match speech.speaker {
        Some(super::engine::transcribe::Speaker::Operator) => sim.operator_speaks(&sid, &speech.text),
        _ => sim.speak(&sid, &speech.text),
    };
    if said {
        StatusCode::NO_CONTENT.into_response()
    } else {
        (
            StatusCode::CONFLICT,
            axum::Json(json!({"error": {"code": "not_applicable", "message": format!("call {sid} is not live")}})),
        )
            .into_response()
    }
}

async fn set_number(State(sim): State<Simulator>, Path(number): Path<String>, body: axum::body::Bytes) -> Response {
    let number = match e164(&number) {
        Ok(n) => n,
        Err(m) => return bad(m),
    };
    let answering: Answering = match serde_json::from_slice(&body) {
        Ok(a) => a,
        Err(e) => {
            return bad(format!(
                "send {{\"answer\": \"after\", \"ring_ms\": 500}} or answer manual, busy, no-answer, fail: {e}"
            ));
        }
    };
    sim.set_answering(&number, answering);
    StatusCode::NO_CONTENT.into_response()
}

/// A state to wait for. Every given field must hold.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct WaitFor {
    /// A call…
    call: Option<String>,
    /// …with this CallStatus,
    status: Option<String>,
    /// …connected to a conference (or not),
    in_conference: Option<bool>,
    /// …held (or not),
    held: Option<bool>,
    /// …having heard this text.
    heard: Option<String>,
    /// A softphone with a call ringing (returned as `ringing`).
    phone: Option<String>,
    /// The conference named this (a customer's CallSid)…
    conference: Option<String>,
    /// …has a connected participant with each of these labels,
    labels: Option<Vec<String>>,
    /// …and none with these.
    without_labels: Option<Vec<String>>,
    /// No webhook queued or in flight.
    settled: Option<bool>,
    /// Default 10 s.
    timeout_ms: Option<u64>,
}

async fn wait(State(sim): State<Simulator>, body: axum::body::Bytes) -> Response {
    let w: WaitFor = match serde_json::from_slice(&body) {
        Ok(w) => w,
        Err(e) => return bad(format!("not a wait condition: {e}")),
    };
    let timeout = Duration::from_millis(w.timeout_ms.unwrap_or(10_000).min(120_000));
    let found = sim
        .wait_for(timeout, |world| {
            let mut out = json!({});
            if let Some(sid) = &w.call {
                let c = world.calls.get(sid)?;
                if w.status.as_ref().is_some_and(|s| *s != c.status) {
                    return None;
                }
                if w.in_conference.is_some_and(|b| b != c.conference_sid.is_some()) {
                    return None;
                }
                if let Some(h) = w.held {
                    let held = c
                        .conference_sid
                        .as_ref()
                        .and_then(|conf| world.conferences.get(conf))
                        .and_then(|conf| conf.participant(sid))
                        .is_some_and(|p| p.hold);
                    if held != h {
                        return None;
                    }
                }
                if let Some(text) = &w.heard
                    && !c.heard.iter().any(|h| h.contains(text.as_str()))
                {
                    return None;
                }
                out["call"] = json!(c);
            }
            if let Some(identity) = &w.phone {
                let ringing = world
                    .calls
                    .values()
                    .find(|c| c.party == Party::Client(identity.clone()) && world.rings.contains_key(&c.sid))?;
                out["ringing"] = json!(ringing);
            }
            if let Some(name) = &w.conference {
                let conf = world.conferences.values().rfind(|c| c.friendly_name == *name)?;
                let has = |l: &String| {
                    conf.participants
                        .iter()
                        .any(|p| p.status == "connected" && p.label.as_ref() == Some(l))
                };
                if !w.labels.as_ref().is_none_or(|ls| ls.iter().all(has)) {
                    return None;
                }
                if w.without_labels.as_ref().is_some_and(|ls| ls.iter().any(has)) {
                    return None;
                }
                out["conference"] = json!(conf);
            }
            Some(out)
        })
        .await;
    let settled = match w.settled {
        Some(true) => sim.settle(timeout).await,
        _ => true,
    };
    match found {
        Some(v) if settled => axum::Json(v).into_response(),
        _ => (StatusCode::REQUEST_TIMEOUT, axum::Json(sim.snapshot())).into_response(),
    }
}

async fn state(State(sim): State<Simulator>) -> Response {
    axum::Json(sim.snapshot()).into_response()
}

async fn requests(State(sim): State<Simulator>) -> Response {
    axum::Json(json!(sim.world().rest_log)).into_response()
}

async fn webhooks(State(sim): State<Simulator>) -> Response {
    axum::Json(json!(sim.world().webhook_log)).into_response()
}

async fn problems(State(sim): State<Simulator>) -> Response {
    axum::Json(json!(sim.world().problems)).into_response()
}

/// Faults to inject.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Faults {
    rest: Option<super::rest::RestFault>,
    #[serde(default)]
    webhooks: Vec<super::webhook_faults::WebhookFault>,
}

async fn set_faults(State(sim): State<Simulator>, body: axum::body::Bytes) -> Response {
    let faults: Faults = match serde_json::from_slice(&body) {
        Ok(f) => f,
        Err(e) => {
            return bad(format!(
                "send {{\"rest\": {{\"status\": 429, \"count\": 2, \"paths\": \"Participants\", \"delay_ms\": 0}}, \
                 \"webhooks\": [{{\"kind\": \"drop\", \"paths\": \"/twilio/voice/status\", \"fraction\": 0.5, \
                 \"for_ms\": 60000, \"count\": 10}}]}} (kind: drop, throttle, duplicate or reorder): {e}"
            ));
        }
    };
    if let Some(Err(m)) = faults.rest.as_ref().map(|f| f.check()) {
        return bad(m);
    }
    for (i, fault) in faults.webhooks.iter().enumerate() {
        if let Err(m) = fault.check() {
            return bad(format!("webhooks[{i}]: {m}"));
        }
    }
    sim.with_world(|w| w.rest_fault = faults.rest);
    sim.set_webhook_faults(faults.webhooks);
    StatusCode::NO_CONTENT.into_response()
}

async fn faults(State(sim): State<Simulator>) -> Response {
    let webhooks = sim.webhook_faults();
    axum::Json(json!({"rest": sim.world().rest_fault, "webhooks": webhooks})).into_response()
}

async fn clear_faults(State(sim): State<Simulator>) -> Response {
    sim.with_world(|w| w.rest_fault = None);
    sim.set_webhook_faults(Vec::new());
    StatusCode::NO_CONTENT.into_response()
}

fn check_identity(identity: &str) -> Result<(), String> {
    shared::twilio::ClientIdentity::parse(identity)
        .map(|_| ())
        .map_err(|e| format!("{identity}: {e}"))
}

/// Registers a softphone driven over HTTP: its events collect in an inbox.
async fn register(State(sim): State<Simulator>, Path(identity): Path<String>) -> Response {
    if let Err(m) = check_identity(&identity) {
        return bad(m);
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = sim.register(&identity, tx);
    let s = sim.clone();
    let who = identity.clone();
    sim.with_world(|w| {
        w.device_inboxes.entry(identity.clone()).or_default();
    });
    tokio::spawn(async move {
        while let Some(ev) = rx.recv().await {
            s.with_world(|w| w.device_inboxes.entry(who.clone()).or_default().push(ev));
        }
    });
    (
        StatusCode::CREATED,
        axum::Json(json!({"device": id, "identity": identity})),
    )
        .into_response()
}

async fn unregister(State(sim): State<Simulator>, Path(identity): Path<String>) -> Response {
    let ids: Vec<u64> = sim
        .world()
        .devices
        .iter()
        .filter(|d| d.identity == identity)
        .map(|d| d.id)
        .collect();
    for id in ids {
        sim.unregister(id);
    }
    sim.with_world(|w| w.device_inboxes.remove(&identity));
    StatusCode::NO_CONTENT.into_response()
}

async fn events(State(sim): State<Simulator>, Path(identity): Path<String>) -> Response {
    match sim.world().device_inboxes.get(&identity) {
        Some(evs) => axum::Json(json!(evs)).into_response(),
        None => missing(format!("no phone registered over HTTP as {identity}")),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PhoneAction {
    #[serde(rename = "callSid")]
    call_sid: Option<String>,
    digits: Option<String>,
    params: Option<BTreeMap<String, String>>,
}

/// The call a phone action is about: the one named, else the one ringing (accept, reject) or
/// connected (hangup, digits) on this phone.
fn call_of(sim: &Simulator, identity: &str, named: Option<String>, ringing: bool) -> Option<String> {
    if named.is_some() {
        return named;
    }
    let w = sim.world();
    w.calls
        .values()
        .filter(|c| c.party == Party::Client(identity.to_owned()) && !c.is_over())
        .find(|c| w.rings.contains_key(&c.sid) == ringing)
        .map(|c| c.sid.clone())
}

async fn phone_action(
    State(sim): State<Simulator>,
    Path((identity, action)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let req: PhoneAction = if body.is_empty() {
        PhoneAction::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => return bad(format!("not a phone action: {e}")),
        }
    };
    let result = match action.as_str() {
        "accept" => call_of(&sim, &identity, req.call_sid, true)
            .ok_or_else(|| "nothing rings this phone".to_owned())
            .and_then(|sid| sim.accept(&identity, &sid).map(|_| json!({"callSid": sid}))),
        "reject" => call_of(&sim, &identity, req.call_sid, true)
            .ok_or_else(|| "nothing rings this phone".to_owned())
            .and_then(|sid| sim.reject(&identity, &sid).map(|_| json!({"callSid": sid}))),
        "hangup" => call_of(&sim, &identity, req.call_sid, false)
            .ok_or_else(|| "no call on this phone".to_owned())
            .and_then(|sid| sim.disconnect(&identity, &sid).map(|_| json!({"callSid": sid}))),
        "digits" => call_of(&sim, &identity, req.call_sid, false)
            .ok_or_else(|| "no call on this phone".to_owned())
            .and_then(|sid| {
                sim.digits(&identity, &sid, req.digits.as_deref().unwrap_or_default())
                    .map(|_| json!({"callSid": sid}))
            }),
        "connect" => {
            let params = req.params.unwrap_or_default().into_iter().collect();
            Ok(json!({"callSid": sim.connect(&identity, params)}))
        }
        other => {
            return bad(format!(
                "unknown action {other}: use accept, reject, hangup, digits or connect"
            ));
        }
    };
    match result {
        Ok(v) => axum::Json(v).into_response(),
        Err(m) => (
            StatusCode::CONFLICT,
            axum::Json(json!({"error": {"code": "not_applicable", "message": m}})),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
struct SocketQuery {
    token: String,
}

/// The page's simulated phone: authenticated with the Voice access token, like the SDK.
async fn socket(State(sim): State<Simulator>, Query(q): Query<SocketQuery>, ws: WebSocketUpgrade) -> Response {
    let claims = match sim.inner.tokens.verify(&q.token, chrono::Utc::now()) {
        Ok(c) => c,
        Err(e) => {
            return (
                StatusCode::UNAUTHORIZED,
                format!("the access token is not valid (Twilio error 20101): {e}"),
            )
                .into_response();
        }
    };
    let identity = claims.grants.identity.clone();
    ws.on_upgrade(move |socket| phone_session(sim, identity, socket))
}

/// What the page sends.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum PhoneCommand {
    Accept {
        #[serde(rename = "callSid")]
        call_sid: String,
    },
    Reject {
        #[serde(rename = "callSid")]
        call_sid: String,
    },
    Disconnect {
        #[serde(rename = "callSid")]
        call_sid: String,
    },
    Digits {
        #[serde(rename = "callSid")]
        call_sid: String,
        digits: String,
    },
    Mute {
        #[serde(rename = "callSid")]
        call_sid: String,
        muted: bool,
    },
    Connect {
        #[serde(rename = "ref")]
        reference: String,
        params: BTreeMap<String, String>,
    },
}

async fn phone_session(sim: Simulator, identity: String, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = sim.register(&identity, tx.clone());
    loop {
        tokio::select! {
            ev = rx.recv() => {
                let Some(ev) = ev else { break };
                let text = serde_json::to_string(&ev).unwrap_or_default();
                if socket.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            msg = socket.recv() => {
                let text = match msg {
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Binary(_))) => continue,
                    _ => break,
                };
                let outcome = match serde_json::from_str::<PhoneCommand>(&text) {
                    Ok(PhoneCommand::Accept { call_sid }) => sim.accept(&identity, &call_sid),
                    Ok(PhoneCommand::Reject { call_sid }) => sim.reject(&identity, &call_sid),
                    Ok(PhoneCommand::Disconnect { call_sid }) => sim.disconnect(&identity, &call_sid),
                    Ok(PhoneCommand::Digits { call_sid, digits }) => sim.digits(&identity, &call_sid, &digits),
                    Ok(PhoneCommand::Mute { call_sid, muted }) => sim.mute(&identity, &call_sid, muted),
                    Ok(PhoneCommand::Connect { reference, params }) => {
                        let sid = sim.connect(&identity, params.into_iter().collect());
                        let _ = tx.send(PhoneEvent::Outgoing { call_sid: sid, reference });
                        Ok(())
                    }
                    Err(e) => Err(format!("not a phone command: {e}")),
                };
                if let Err(message) = outcome {
                    let _ = tx.send(PhoneEvent::Error { message });
                }
            }
        }
    }
    sim.unregister(id);
}
