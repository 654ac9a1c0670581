//! Twilio's REST API 2010-04-01, as far as the console uses it: create, read and update calls, list and
//! end conferences, add, read, list, change and remove participants; and the account's resources the admin
//! commands use (TwiML Apps, API keys, phone numbers, and the auth tokens of the Accounts v1 API
//! under `/v1`), answered by [`super::account`]. Every request is authenticated (one of the
//! account's API keys, or the account SID with its primary or secondary auth token, HTTP Basic)
//! and checked against Twilio's OpenAPI spec before anything happens; answers have Twilio's JSON
//! shapes and errors Twilio's error JSON.
//!
//! Twilio itself ignores an unknown parameter with warning 20001; the simulator refuses it, since
//! a mistyped parameter is a bug the console must not ship.
//!
//! For fault-injection tests the API can be made to fail ([`RestFault`], set through the
//! simulator's `PUT /sim/faults`): the next `count` requests whose path contains `paths` wait
//! `delay_ms` (longer than the client's attempt timeout is a timeout) and then answer `status`
//! with Twilio's error JSON (429 → 20429, 5xx → 20500, or the `code` and `message` given) without
//! being carried out, as Twilio never processes a rate-limited request. Injected failures
//! appear in `/sim/requests` with their status but are not the functions' problems.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use shared::twilio::spec::{SpecViolation, accounts_subset, voice_subset};

use super::engine::{Instructions, ParticipantChange};
use super::{
    Hook, JoinSpec, Party, RestLogEntry, SimCall, SimConference, SimParticipant, Simulator, StatusHook, new_sid,
};

/// The REST API's routes, under `/2010-04-01` and (the auth tokens) `/v1/AuthTokens`.
pub fn routes(sim: Simulator) -> Router {
    Router::new()
        .route("/2010-04-01/{*rest}", axum::routing::any(handle))
        .route("/v1/AuthTokens/{*rest}", axum::routing::any(handle))
        .with_state(sim)
}

/// Who a request authenticated as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// The account SID with its primary or secondary auth token.
    Account,
    /// One of the account's (Standard) API keys.
    ApiKey,
}

/// An answer in Twilio's error form.
pub(crate) fn error(status: u16, code: u32, message: impl Into<String>) -> Response {
    let body = json!({
        "code": code,
        "message": message.into(),
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status,
    });
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        axum::Json(body),
    )
        .into_response()
}

pub(crate) fn not_found(path: &str) -> Response {
    error(404, 20404, format!("The requested resource {path} was not found"))
}

pub(crate) fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn params_all(params: &[(String, String)], name: &str) -> Vec<String> {
    params
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

fn flag(params: &[(String, String)], name: &str) -> Option<bool> {
    param(params, name).map(|v| v == "true")
}

/// Failures the REST API injects into the requests it receives, for fault-injection tests.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestFault {
    /// The status to answer instead of carrying the request out (429, 500, 503…); none for a
    /// delay alone.
    #[serde(default)]
    pub status: Option<u16>,
    /// How many matching requests fail; the fault clears after them.
    pub count: u32,
    /// Only requests whose path contains this (`Participants`, `Calls`); every request if absent.
    #[serde(default)]
    pub paths: Option<String>,
    /// How long each matching request waits before it is answered.
    #[serde(default)]
    pub delay_ms: u64,
    /// Twilio's code and message for the error (its messages quote the numbers sent, as in
    /// 21210 "The source phone number provided, +81…, is not yet verified"); a generic one if
    /// absent.
    #[serde(default)]
    pub code: Option<u32>,
    #[serde(default)]
    pub message: Option<String>,
    /// Requests that matched so far.
    #[serde(default)]
    pub injected: u32,
}

impl RestFault {
    /// Refuses settings that inject nothing or nothing Twilio would answer.
    pub fn check(&self) -> Result<(), String> {
        if self.count == 0 {
            return Err("count must be at least 1".into());
        }
        match self.status {
            Some(s) if !(400..600).contains(&s) => Err(format!("status {s} is not an error status")),
            None if self.delay_ms == 0 => Err("give a status, a delay_ms or both".into()),
            _ => Ok(()),
        }
    }
}

/// The fault that applies to this request, counted; `None` when the API answers normally.
fn strike(sim: &Simulator, path: &str) -> Option<RestFault> {
    sim.with_world(|w| {
        let fault = w.rest_fault.as_mut()?;
        if fault.injected >= fault.count || fault.paths.as_deref().is_some_and(|p| !path.contains(p)) {
            return None;
        }
        fault.injected += 1;
        Some(fault.clone())
    })
}

fn injected_error(status: u16) -> Response {
    match status {
        429 => error(429, 20429, "Too Many Requests"),
        s if s >= 500 => error(s, 20500, "An internal server error has occurred"),
        s => error(s, 20001, "Injected failure"),
    }
}

async fn handle(State(sim): State<Simulator>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().to_owned();
    let raw = if method == Method::GET {
        uri.query().unwrap_or("").as_bytes().to_vec()
    } else {
        body.to_vec()
    };
    let params: Vec<(String, String)> = form_urlencoded::parse(&raw).into_owned().collect();
    let fault = strike(&sim, &path);
    if let Some(f) = &fault
        && f.delay_ms > 0
    {
        tokio::time::sleep(std::time::Duration::from_millis(f.delay_ms)).await;
    }
    if let Some((status, f)) = fault.and_then(|f| f.status.map(|s| (s, f))) {
        sim.with_world(|w| {
            w.rest_log.push(RestLogEntry {
                method: method.to_string(),
                path: path.clone(),
                params: params.clone(),
                status,
            })
        });
        return match (f.code, f.message) {
            (Some(code), Some(message)) => error(status, code, message),
            _ => injected_error(status),
        };
    }
    let response = answer(&sim, &method, &path, &headers, &params);
    let status = response.status().as_u16();
    sim.with_world(|w| {
        w.rest_log.push(RestLogEntry {
            method: method.to_string(),
            path: path.clone(),
            params: params.clone(),
            status,
        })
    });
    // A 404 (a resource gone) and a 416 (a range past a recording's end) are answers, not faults.
    if status >= 400 && status != 404 && status != 416 {
        sim.problem(format!("REST {method} {path} refused with HTTP {status}"));
    }
    response
}

/// Who the request's HTTP Basic credentials are: the account with one of its auth tokens, or
/// one of its API keys; `None` for anything else.
fn authenticated(sim: &Simulator, headers: &HeaderMap) -> Option<Credential> {
    let encoded = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    let w = sim.world();
    if user == sim.inner.account.account_sid {
        let token_matches = password == w.auth.primary || w.auth.secondary.as_deref() == Some(password);
        return token_matches.then_some(Credential::Account);
    }
    w.keys
        .get(user)
        .filter(|key| key.secret == password)
        .map(|_| Credential::ApiKey)
}

fn answer(sim: &Simulator, method: &Method, path: &str, headers: &HeaderMap, params: &[(String, String)]) -> Response {
    let Some(credential) = authenticated(sim, headers) else {
        return error(401, 20003, "Authenticate");
    };
    if let Some(media) = recording_media(sim, method, path, headers) {
        return media;
    }
    let accounts_api = path.starts_with("/v1/");
    let spec = if accounts_api {
        accounts_subset()
    } else {
        voice_subset()
    };
    if let Err(violations) = spec.validate(method.as_str(), path, params) {
        let unknown = violations
            .iter()
            .all(|v| matches!(v, SpecViolation::UnknownParameter { .. }));
        let message = violations.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("; ");
        let not_in_spec = violations.iter().any(|v| {
            matches!(
                v,
                SpecViolation::PathNotInSpec { .. } | SpecViolation::MethodNotInSpec { .. }
            )
        });
        if not_in_spec {
            return not_found(path);
        }
        return error(400, if unknown { 20001 } else { 21100 }, message);
    }
    if accounts_api {
        return super::account::auth_tokens(sim, credential, method, path);
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // ["2010-04-01", "Accounts", AC, ...]
    if segments.len() < 4 || segments[2] != sim.inner.account.account_sid {
        return not_found(path);
    }
    let rest: Vec<String> = segments[3..]
        .iter()
        .map(|s| percent_decode(s).trim_end_matches(".json").to_owned())
        .collect();
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    match (method.as_str(), rest.as_slice()) {
        ("POST", ["Calls"]) => create_call(sim, params),
        ("POST", ["Calls", sid]) => update_call(sim, path, sid, params),
        ("GET", ["Calls", sid]) => fetch_call(sim, path, sid),
        ("GET", ["Conferences"]) => list_conferences(sim, path, params),
        ("POST", ["Conferences", sid]) => update_conference(sim, path, sid, params),
        ("POST", ["Conferences", conf, "Participants"]) => create_participant(sim, path, conf, params),
        ("GET", ["Conferences", conf, "Participants"]) => list_participants(sim, path, conf, params),
        ("POST", ["Conferences", conf, "Participants", who]) => update_participant(sim, path, conf, who, params),
        ("GET", ["Conferences", conf, "Participants", who]) => fetch_participant(sim, path, conf, who),
        ("DELETE", ["Conferences", conf, "Participants", who]) => delete_participant(sim, path, conf, who),
        ("POST", ["Conferences", conf, "Recordings", recording]) => {
            update_recording(sim, path, conf, recording, params)
        }
        ("DELETE", ["Recordings", recording]) => {
            if sim.delete_recording(recording) {
                StatusCode::NO_CONTENT.into_response()
            } else {
                not_found(path)
            }
        }
        (_, ["Applications" | "Keys" | "IncomingPhoneNumbers", ..]) => {
            super::account::answer(sim, credential, method, path, &rest, params)
        }
        _ => error(
            405,
            20004,
            format!(
                "{method} {path} is in Twilio's API but the console does not use it, so the simulator does not answer it"
            ),
        ),
    }
}

/// A recording's media (`GET /2010-04-01/Accounts/{AC}/Recordings/{RE}.wav`, the recording's
/// URL with an extension, which Twilio documents beside the JSON resource the spec describes):
/// the WAV of a recording `<Record>` made or of a recorded call's conference, `Range` honoured
/// (see [`super::media`]), 404 for another. `None` for any other request.
fn recording_media(sim: &Simulator, method: &Method, path: &str, headers: &HeaderMap) -> Option<Response> {
    let prefix = format!("/2010-04-01/Accounts/{}/Recordings/", sim.inner.account.account_sid);
    let sid = path.strip_prefix(&prefix)?.strip_suffix(".wav")?;
    if method != Method::GET {
        return None;
    }
    Some(match sim.recording_audio(sid) {
        Some(wav) => super::media::serve(wav, headers),
        None => not_found(path),
    })
}

fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn call_json(sim: &Simulator, c: &SimCall) -> Value {
    let acc = &sim.inner.account.account_sid;
    let rfc = |s: &Option<String>| {
        s.as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.format("%a, %d %b %Y %H:%M:%S +0000").to_string())
    };
    json!({
        "sid": c.sid,
        "account_sid": acc,
        "parent_call_sid": c.parent_call_sid,
        "to": c.to,
        "to_formatted": c.to,
        "from": c.from,
        "from_formatted": c.from,
        "status": c.status,
        "direction": c.direction,
        "start_time": rfc(&c.answered_at),
        "end_time": rfc(&c.ended_at),
        "duration": talk_seconds(c),
        "price": null,
        "price_unit": "JPY",
        "answered_by": null,
        "api_version": "2010-04-01",
        "forwarded_from": null,
        "caller_name": null,
        "phone_number_sid": null,
        "queue_time": "0",
        "trunk_sid": null,
        "group_sid": null,
        "annotation": null,
        "date_created": rfc(&Some(c.created_at.clone())),
        "date_updated": super::rfc2822_now(),
        "uri": format!("/2010-04-01/Accounts/{acc}/Calls/{}.json", c.sid),
        "subresource_uris": {},
    })
}

/// A call's talk time in whole seconds once it has ended, as Twilio's string.
fn talk_seconds(c: &SimCall) -> Option<String> {
    let at = |t: &Option<String>| t.as_deref().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let (answered, ended) = (at(&c.answered_at)?, at(&c.ended_at)?);
    Some((ended - answered).num_seconds().max(0).to_string())
}

fn conference_json(sim: &Simulator, c: &SimConference) -> Value {
    let acc = &sim.inner.account.account_sid;
    json!({
        "sid": c.sid,
        "account_sid": acc,
        "friendly_name": c.friendly_name,
        "status": c.status,
        "region": "jp1",
        "reason_conference_ended": c.reason_ended,
        "call_sid_ending_conference": c.call_sid_ending,
        "date_created": c.date_created,
        "date_updated": c.date_updated,
        "api_version": "2010-04-01",
        "uri": format!("/2010-04-01/Accounts/{acc}/Conferences/{}.json", c.sid),
        "subresource_uris": {
            "participants": format!("/2010-04-01/Accounts/{acc}/Conferences/{}/Participants.json", c.sid),
            "recordings": format!("/2010-04-01/Accounts/{acc}/Conferences/{}/Recordings.json", c.sid),
        },
    })
}

fn participant_json(sim: &Simulator, conf: &str, p: &SimParticipant) -> Value {
    let acc = &sim.inner.account.account_sid;
    let status = match p.status.as_str() {
        "connected" | "ringing" | "queued" => p.status.as_str(),
        _ => "complete",
    };
    json!({
        "account_sid": acc,
        "call_sid": p.call_sid,
        "conference_sid": conf,
        "label": p.label,
        "status": status,
        "muted": p.muted,
        "hold": p.hold,
        "coaching": p.coaching,
        "call_sid_to_coach": p.call_sid_to_coach,
        "end_conference_on_exit": p.end_on_exit,
        "start_conference_on_enter": p.start_on_enter,
        "queue_time": null,
        "date_created": p.date_created,
        "date_updated": p.date_updated,
        "uri": format!("/2010-04-01/Accounts/{acc}/Conferences/{conf}/Participants/{}.json", p.call_sid),
    })
}

/// `client:alice?k=v` → (party, custom parameters); anything else is a phone number.
fn party_of(to: &str) -> Result<(Party, Vec<(String, String)>), String> {
    if let Some(rest) = to.strip_prefix("client:") {
        let (identity, query) = rest.split_once('?').unwrap_or((rest, ""));
        shared::twilio::ClientIdentity::parse(identity).map_err(|e| format!("To={to}: {e}"))?;
        let params = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        return Ok((Party::Client(identity.to_owned()), params));
    }
    if to.starts_with("sip:") || to.starts_with("app:") {
        return Err(format!("To={to}: SIP and app addresses are not used by the console"));
    }
    let digits = to.strip_prefix('+').unwrap_or(to);
    if !to.starts_with('+') || digits.len() < 8 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "The 'To' number {to} is not a valid phone number (E.164 expected)"
        ));
    }
    Ok((Party::Phone(to.to_owned()), Vec::new()))
}

fn status_hook(sim: &Simulator, params: &[(String, String)]) -> Option<StatusHook> {
    let url = param(params, "StatusCallback")?;
    let mut events = params_all(params, "StatusCallbackEvent");
    if events.is_empty() {
        events.push("completed".into());
    }
    let _ = sim;
    Some(StatusHook {
        hook: Hook {
            url: url.to_owned(),
            method: param(params, "StatusCallbackMethod").unwrap_or("POST").to_owned(),
        },
        events,
    })
}

fn create_call(sim: &Simulator, params: &[(String, String)]) -> Response {
    let to = param(params, "To").unwrap_or_default();
    let from = param(params, "From").unwrap_or_default();
    let (party, custom) = match party_of(to) {
        Ok(p) => p,
        Err(m) => return error(400, 21211, m),
    };
    let instructions = match (param(params, "Url"), param(params, "Twiml")) {
        (Some(url), None) => Instructions::Fetch(
            Hook {
                url: url.to_owned(),
                method: param(params, "Method").unwrap_or("POST").to_owned(),
            },
            vec![],
        ),
        (None, Some(xml)) => Instructions::Inline(xml.to_owned()),
        _ => return error(400, 21205, "Exactly one of Url, Twiml or ApplicationSid is required"),
    };
    let sid = new_sid("CA");
    let mut call = SimCall::new(&sid, from, to, party, custom);
    call.status_hook = status_hook(sim, params);
    call.timeout_s = param(params, "Timeout").and_then(|t| t.parse().ok()).unwrap_or(60);
    call.fallback = param(params, "FallbackUrl").map(Hook::post);
    let json = call_json(sim, &call);
    sim.with_world(|w| w.calls.insert(sid.clone(), call));
    tokio::spawn(sim.clone().ring(sid, Some(instructions)));
    (StatusCode::CREATED, axum::Json(json)).into_response()
}

fn update_call(sim: &Simulator, path: &str, sid: &str, params: &[(String, String)]) -> Response {
    let exists = sim.world().calls.get(sid).map(|c| c.is_over());
    match exists {
        None => return not_found(path),
        Some(true) => {
            return error(
                400,
                21220,
                "Call is not in-progress. Cannot redirect or end a call that has already ended.",
            );
        }
        Some(false) => {}
    }
    let redirect = match (param(params, "Url"), param(params, "Twiml")) {
        (Some(url), None) => Some(Instructions::Fetch(
            Hook {
                url: url.to_owned(),
                method: param(params, "Method").unwrap_or("POST").to_owned(),
            },
            vec![],
        )),
        (None, Some(xml)) => Some(Instructions::Inline(xml.to_owned())),
        (Some(_), Some(_)) => return error(400, 21205, "Url and Twiml are mutually exclusive"),
        (None, None) => None,
    };
    match (param(params, "Status"), redirect) {
        (Some(status), _) => {
            sim.with_world(|w| {
                let ringing = w.rings.contains_key(sid);
                let end = if ringing && status == "canceled" {
                    "canceled"
                } else {
                    "completed"
                };
                if status == "completed" || ringing {
                    sim.w_end_call(w, sid, end);
                }
            });
        }
        (None, Some(instructions)) => {
            sim.with_world(|w| {
                if let Some(c) = w.calls.get_mut(sid) {
                    // Redirected out of its conference, a participant call runs the new TwiML.
                    c.join = None;
                }
                if let Some(t) = w.runs.remove(sid) {
                    t.cancel();
                }
                sim.w_leave(w, sid, "participant_updated_via_api");
            });
            tokio::spawn(sim.clone().run(sid.to_owned(), instructions));
        }
        (None, None) => {}
    }
    let call = sim.world().calls.get(sid).cloned();
    match call {
        Some(c) => axum::Json(call_json(sim, &c)).into_response(),
        None => not_found(path),
    }
}

/// A call as it is now: its real state, whatever callbacks about it were dropped.
fn fetch_call(sim: &Simulator, path: &str, sid: &str) -> Response {
    let call = sim.world().calls.get(sid).cloned();
    match call {
        Some(c) => axum::Json(call_json(sim, &c)).into_response(),
        None => not_found(path),
    }
}

fn list_conferences(sim: &Simulator, path: &str, params: &[(String, String)]) -> Response {
    let name = param(params, "FriendlyName");
    let status = param(params, "Status");
    let size: usize = param(params, "PageSize").and_then(|s| s.parse().ok()).unwrap_or(50);
    let w = sim.world();
    let found: Vec<Value> = w
        .conferences
        .values()
        .filter(|c| name.is_none_or(|n| c.friendly_name == n))
        .filter(|c| status.is_none_or(|s| c.status == s))
        .take(size)
        .map(|c| conference_json(sim, c))
        .collect();
    let n = found.len();
    axum::Json(json!({
        "conferences": found,
        "page": 0,
        "page_size": size,
        "start": 0,
        "end": n.saturating_sub(1),
        "uri": path,
        "first_page_uri": path,
        "next_page_uri": null,
        "previous_page_uri": null,
    }))
    .into_response()
}

fn update_conference(sim: &Simulator, path: &str, sid: &str, params: &[(String, String)]) -> Response {
    let live = sim.world().conferences.get(sid).map(|c| c.status != "completed");
    match live {
        None => return not_found(path),
        Some(false) if param(params, "Status") == Some("completed") => {}
        Some(false) => return error(400, 20001, "The conference has ended"),
        Some(true) => {}
    }
    sim.with_world(|w| {
        if param(params, "Status") == Some("completed") {
            sim.w_end_conference(w, sid, "conference-ended-via-api", None);
        }
    });
    if let Some(url) = param(params, "AnnounceUrl") {
        let members: Vec<String> = sim
            .world()
            .conferences
            .get(sid)
            .map(|c| c.participants.iter().map(|p| p.call_sid.clone()).collect())
            .unwrap_or_default();
        for m in members {
            let change = ParticipantChange {
                announce: Some(Hook {
                    url: url.to_owned(),
                    method: param(params, "AnnounceMethod").unwrap_or("POST").to_owned(),
                }),
                ..ParticipantChange::default()
            };
            sim.with_world(|w| sim.w_change_participant(w, sid, &m, &change));
        }
    }
    let conf = sim.world().conferences.get(sid).cloned();
    match conf {
        Some(c) => axum::Json(conference_json(sim, &c)).into_response(),
        None => not_found(path),
    }
}

fn create_participant(sim: &Simulator, path: &str, conf: &str, params: &[(String, String)]) -> Response {
    let to = param(params, "To").unwrap_or_default();
    let from = param(params, "From").unwrap_or_default();
    let (party, custom) = match party_of(to) {
        Ok(p) => p,
        Err(m) => return error(400, 21211, m),
    };
    let conference_hook = param(params, "ConferenceStatusCallback").map(|url| {
        let mut events = params_all(params, "ConferenceStatusCallbackEvent");
        if events.is_empty() {
            events = vec!["start".into(), "end".into()];
        }
        (
            Hook {
                url: url.to_owned(),
                method: param(params, "ConferenceStatusCallbackMethod")
                    .unwrap_or("POST")
                    .to_owned(),
            },
            events,
        )
    });
    let label = param(params, "Label").map(str::to_owned);
    let sid = new_sid("CA");
    let made = sim.with_world(|w| {
        let conf_sid = if conf.starts_with("CF") && conf.len() == 34 {
            match w.conferences.get(conf) {
                Some(c) if c.status != "completed" => conf.to_owned(),
                _ => return Err(None),
            }
        } else {
            sim.w_conference_named(w, conf, conference_hook.clone())
        };
        let c = w.conferences.get_mut(&conf_sid).expect("found or made above");
        if let Some(l) = &label
            && c.participants.iter().any(|p| p.label.as_deref() == Some(l))
        {
            return Err(Some(format!(
                "A participant labelled {l} is already in conference {}",
                c.sid
            )));
        }
        let now = super::rfc2822_now();
        let part = SimParticipant {
            call_sid: sid.clone(),
            label: label.clone(),
            status: "queued".into(),
            hold: false,
            muted: flag(params, "Muted").unwrap_or(false),
            coaching: flag(params, "Coaching").unwrap_or(false),
            call_sid_to_coach: param(params, "CallSidToCoach").map(str::to_owned),
            start_on_enter: flag(params, "StartConferenceOnEnter").unwrap_or(true),
            end_on_exit: flag(params, "EndConferenceOnExit").unwrap_or(false),
            date_created: now.clone(),
            date_updated: now,
            hold_hook: None,
            wait_hook: None,
        };
        c.participants.push(part.clone());
        let mut call = SimCall::new(&sid, from, to, party, custom);
        call.status_hook = status_hook(sim, params);
        call.timeout_s = param(params, "Timeout").and_then(|t| t.parse().ok()).unwrap_or(60);
        call.join = Some(JoinSpec {
            conference_sid: conf_sid.clone(),
            label: label.clone(),
            start_on_enter: part.start_on_enter,
            end_on_exit: part.end_on_exit,
            muted: part.muted,
            coaching: part.coaching,
            call_sid_to_coach: part.call_sid_to_coach.clone(),
            conference_hook: conference_hook.clone(),
        });
        w.calls.insert(sid.clone(), call);
        Ok(participant_json(sim, &conf_sid, &part))
    });
    match made {
        Ok(json) => {
            tokio::spawn(sim.clone().ring(sid, None));
            (StatusCode::CREATED, axum::Json(json)).into_response()
        }
        Err(None) => not_found(path),
        Err(Some(message)) => error(409, 16025, message),
    }
}

/// The call SID of participant `who` (a CallSid or a label) in conference `conf`.
fn resolve(sim: &Simulator, conf: &str, who: &str) -> Option<String> {
    let w = sim.world();
    let c = w.conferences.get(conf)?;
    if c.status == "completed" {
        return None;
    }
    c.participants
        .iter()
        .find(|p| p.call_sid == who || p.label.as_deref() == Some(who))
        .map(|p| p.call_sid.clone())
}

fn update_participant(sim: &Simulator, path: &str, conf: &str, who: &str, params: &[(String, String)]) -> Response {
    let Some(sid) = resolve(sim, conf, who) else {
        return not_found(path);
    };
    let connected = sim
        .world()
        .conferences
        .get(conf)
        .and_then(|c| c.participant(&sid))
        .is_some_and(|p| p.status == "connected");
    if !connected && (param(params, "Hold").is_some() || param(params, "Muted").is_some()) {
        return error(
            400,
            16027,
            "The participant is not connected yet; it cannot be held or muted",
        );
    }
    let change = ParticipantChange {
        hold: flag(params, "Hold"),
        hold_hook: param(params, "HoldUrl").map(|u| Hook {
            url: u.to_owned(),
            method: param(params, "HoldMethod").unwrap_or("GET").to_owned(),
        }),
        muted: flag(params, "Muted"),
        end_on_exit: flag(params, "EndConferenceOnExit"),
        coaching: flag(params, "Coaching"),
        call_sid_to_coach: param(params, "CallSidToCoach").map(str::to_owned),
        announce: param(params, "AnnounceUrl").map(|u| Hook {
            url: u.to_owned(),
            method: param(params, "AnnounceMethod").unwrap_or("POST").to_owned(),
        }),
    };
    if change.hold == Some(true) && change.hold_hook.is_none() {
        sim.problem(format!(
            "participant {who} held without a HoldUrl: the customer hears Twilio's default music"
        ));
    }
    let json = sim.with_world(|w| {
        sim.w_change_participant(w, conf, &sid, &change);
        w.conferences
            .get(conf)
            .and_then(|c| c.participant(&sid))
            .map(|p| participant_json(sim, conf, p))
    });
    match json {
        Some(j) => axum::Json(j).into_response(),
        None => not_found(path),
    }
}

/// A participant as it is now, by its call or its label (the latest to join with that label).
fn fetch_participant(sim: &Simulator, path: &str, conf: &str, who: &str) -> Response {
    let w = sim.world();
    let found = w
        .conferences
        .get(conf)
        .filter(|c| c.status != "completed")
        .and_then(|c| {
            c.participants
                .iter()
                .rev()
                .find(|p| p.call_sid == who || p.label.as_deref() == Some(who))
        })
        .map(|p| participant_json(sim, conf, p));
    drop(w);
    match found {
        Some(j) => axum::Json(j).into_response(),
        None => not_found(path),
    }
}

/// `GET …/Conferences/{CF}/Participants.json`: who is in the conference now, as Twilio lists
/// them (those who left are gone from the list, a conference that ended lists nobody), filtered
/// by `Hold`, `Muted` and `Coaching` when asked, one page of `PageSize` (50 by default). 404 for
/// a conference the account never had.
fn list_participants(sim: &Simulator, path: &str, conf: &str, params: &[(String, String)]) -> Response {
    let flag = |name: &str| param(params, name).map(|v| v.eq_ignore_ascii_case("true"));
    let (hold, muted, coaching) = (flag("Hold"), flag("Muted"), flag("Coaching"));
    let size: usize = param(params, "PageSize").and_then(|s| s.parse().ok()).unwrap_or(50);
    let w = sim.world();
    let Some(c) = w.conferences.get(conf) else {
        drop(w);
        return not_found(path);
    };
    let found: Vec<Value> = c
        .participants
        .iter()
        .filter(|_| c.status != "completed")
        .filter(|p| hold.is_none_or(|h| p.hold == h))
        .filter(|p| muted.is_none_or(|m| p.muted == m))
        .filter(|p| coaching.is_none_or(|x| p.coaching == x))
        .take(size)
        .map(|p| participant_json(sim, conf, p))
        .collect();
    drop(w);
    let n = found.len();
    axum::Json(json!({
        "participants": found,
        "page": 0,
        "page_size": size,
        "start": 0,
        "end": n.saturating_sub(1),
        "uri": path,
        "first_page_uri": path,
        "next_page_uri": null,
        "previous_page_uri": null,
    }))
    .into_response()
}

fn delete_participant(sim: &Simulator, path: &str, conf: &str, who: &str) -> Response {
    let Some(sid) = resolve(sim, conf, who) else {
        return not_found(path);
    };
    sim.with_world(|w| {
        if w.rings.contains_key(&sid) {
            sim.w_end_call(w, &sid, "canceled");
        } else {
            sim.w_leave(w, &sid, "participant_updated_via_api");
            sim.w_end_call(w, &sid, "completed");
        }
    });
    StatusCode::NO_CONTENT.into_response()
}

fn update_recording(sim: &Simulator, path: &str, conf: &str, recording: &str, params: &[(String, String)]) -> Response {
    let status = param(params, "Status").unwrap_or_default();
    let result = sim.with_world(|w| {
        let Some(c) = w.conferences.get(conf) else {
            return Err(None);
        };
        let Some(rec) = c.recording.clone() else {
            return Err(Some("The conference is not being recorded".to_owned()));
        };
        if recording != shared::twilio::rest::CURRENT_RECORDING && recording != rec.sid {
            return Err(None);
        }
        if !sim.w_recording(w, conf, status) {
            return Err(Some(format!("Recording {} has already ended", rec.sid)));
        }
        let rec = w.conferences.get(conf).and_then(|c| c.recording.clone()).expect("just updated");
        Ok(json!({
            "sid": rec.sid,
            "account_sid": sim.inner.account.account_sid,
            "conference_sid": conf,
            "status": rec.status,
            "start_time": rec.started_at,
            "duration": rec.duration_seconds.to_string(),
            "channels": 1,
            "source": "StartConferenceRecordingAPI",
            "api_version": "2010-04-01",
            "uri": format!("/2010-04-01/Accounts/{}/Conferences/{conf}/Recordings/{}.json", sim.inner.account.account_sid, rec.sid),
        }))
    });
    match result {
        Ok(v) => axum::Json(v).into_response(),
        Err(None) => not_found(path),
        Err(Some(m)) => error(400, 21220, m),
    }
}
