//! The `voice` function: Twilio's webhooks under `/twilio/voice`. Every request must carry a
//! valid X-Twilio-Signature over the public URL Twilio called (403 otherwise, before anything
//! is read or written).
//!
//! Calls are conferences named after the customer's CallSid. An incoming call is recorded,
//! queued and parked in its conference with wait messages — no REST request on that path, and
//! when the store is slow or down the caller is parked all the same. Routing rings the
//! longest-idle free operator when the customer's wait starts (the wait document's first
//! request), when the customer joins the conference, and when an operator becomes free.
//!
//! Transfers move on from their target's leg callbacks and the conference's events; the hold
//! music, fetched again by Twilio each time it ends, checks on the held customer's call, so a
//! customer held with nobody is reconnected without any server of our own running.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use shared::dispatch::{ControlError, RingBack};
use shared::domain::Services;
use shared::domain::calls::{CallSummary, Direction};
use shared::domain::callstate::{CallStatusEvent, ParticipantEvent};
use shared::domain::routing::{Routing, Unanswered, queue_key};
use shared::ids::OperatorId;
use shared::phone::PhoneNumber;
use shared::store::{Cond, TxOp};
use shared::twilio::CallSid;
use shared::twilio::rest::{CallInstructions, CreateCall, UpdateCall};
use shared::twilio::signature::{WebhookValidator, public_webhook_url, retried_callback};
use shared::twilio::telephony::Telephony;
use shared::twilio::twiml::{
    CallProgressEvent, Conference, ConferenceBeep, ConferenceRecord, ConferenceStatusEvent, Dial, HttpMethod, Pause,
    RecordingStatusEvent, Say, SayLanguage, SayVoice, VoiceResponse,
};
use shared::twilio::webhook::{CallStatusCallback, ConferenceCallback, ConferenceEvent, IncomingCall, parse_form_body};

/// What the voice handlers share, built once at cold start.
#[derive(Clone)]
pub struct VoiceState {
    pub services: Services,
    pub telephony: Arc<dyn Telephony>,
    pub validator: Arc<WebhookValidator>,
    /// The URL prefix Twilio calls (API Gateway's URL or the custom domain), no trailing `/`.
    pub public_base_url: String,
    /// How long the incoming webhook waits for the CRM before parking the caller without it.
    pub lookup_budget: Duration,
}

impl VoiceState {
    /// The dispatcher that rings operators for this state's store and Twilio account.
    pub fn dispatcher(&self) -> shared::dispatch::Dispatcher {
        shared::dispatch::Dispatcher {
            services: self.services.clone(),
            telephony: self.telephony.clone(),
            public_base_url: self.public_base_url.clone(),
        }
    }
}

/// The router Lambda, the local runtime and the tests run.
pub fn router(state: VoiceState) -> Router {
    routes(state)
}

/// This function's routes (all under `/twilio/voice`).
pub fn routes(state: VoiceState) -> Router {
    Router::new()
        .route("/twilio/voice/incoming", post(incoming))
        .route("/twilio/voice/wait", post(wait).get(wait))
        .route("/twilio/voice/hold", post(hold_music).get(hold_music))
        .route("/twilio/voice/goodbye", post(goodbye))
        .route("/twilio/voice/fallback", post(fallback).get(fallback))
        .route("/twilio/voice/conference", post(conference))
        .route("/twilio/voice/status", post(status))
        .route(
            "/twilio/voice/operator-leg/{sid}/{offer}/{operator}",
            post(operator_leg),
        )
        .route(
            "/twilio/voice/transfer-leg/{sid}/{transfer}/{operator}",
            post(transfer_leg),
        )
        .route("/twilio/voice/ring-back/{sid}/{operator}/{why}", post(ring_back))
        .route("/twilio/voice/recording/{sid}", post(recording))
        .route("/twilio/voice/outbound", post(outbound))
        .route("/twilio/voice/join/customer", post(join_customer))
        .with_state(state)
}

const VOICE: SayVoice = SayVoice::PollyMizuki;

fn say(text: &str) -> Say {
    Say::new(text).voice(VOICE).language(SayLanguage::JaJp)
}

fn twiml(r: VoiceResponse) -> Response {
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], r.to_xml()).into_response()
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (status, text).into_response()
}

/// A webhook that failed validation or could not be read.
enum Refused {
    Forged,
    Malformed(String),
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Forged => plain(StatusCode::FORBIDDEN, "invalid Twilio signature"),
            Refused::Malformed(m) => (StatusCode::BAD_REQUEST, m).into_response(),
        }
    }
}

/// A webhook's form parameters, read only when the X-Twilio-Signature over the public URL of
/// the request's path holds (403 otherwise, 400 when the body is not a form).
pub struct SignedForm(pub Vec<(String, String)>);

impl FromRequest<VoiceState> for SignedForm {
    type Rejection = Response;

    async fn from_request(req: Request, st: &VoiceState) -> Result<Self, Response> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, 64 * 1024)
            .await
            .map_err(|_| Refused::Malformed("the body is not a readable form".into()).into_response())?;
        signed(st, &parts.uri, &parts.headers, &bytes)
            .await
            .map(SignedForm)
            .map_err(IntoResponse::into_response)
    }
}

/// The answer to a status callback: 204 when applied; 503 when not, so Twilio retries (every
/// write a callback makes is idempotent).
fn callback_outcome(result: Result<(), shared::error::DomainError>, call: &str, what: &str) -> Response {
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => {
            tracing::error!(call = %call, error = %e, "{what}");
            plain(StatusCode::SERVICE_UNAVAILABLE, "try again")
        }
    }
}

/// Reads the form and checks its signature over the public URL of this path (the auth tokens
/// re-read once if it does not match, in case Twilio's token was rotated since).
async fn signed(
    st: &VoiceState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<(String, String)>, Refused> {
    // Twilio sends exactly one header. Two are a forgery or a proxy's doing, refused like a
    // missing one (API Gateway would join them with a comma, which never validates either).
    let mut values = headers.get_all("x-twilio-signature").iter();
    let signature = match (values.next(), values.next()) {
        (Some(v), None) => v.to_str().unwrap_or_default(),
        _ => "",
    };
    let url = public_webhook_url(&st.public_base_url, uri.path(), uri.query().unwrap_or(""));
    let params = parse_form_body(body, false).map_err(|e| Refused::Malformed(e.to_string()))?;
    st.validator
        .validate_or_refresh(&url, &params, signature)
        .await
        .map_err(|_| {
            tracing::warn!(path = uri.path(), "refused a webhook with an invalid signature");
            Refused::Forged
        })?;
    Ok(params)
}

fn url(st: &VoiceState, path: &str) -> String {
    format!("{}{path}", st.public_base_url)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The customer's place in their own conference: wait messages until an operator joins; the
/// conference ends when the customer leaves.
fn customer_conference(st: &VoiceState, sid: &str, record: bool) -> Dial {
    Dial::conference(recorded(
        reported(
            Conference::new(sid)
                .participant_label("customer")
                .start_conference_on_enter(false)
                .end_conference_on_exit(true)
                .beep(ConferenceBeep::False)
                .wait_url(url(st, "/twilio/voice/wait"))
                .wait_method(HttpMethod::Post),
            st,
        ),
        st,
        sid,
        record,
    ))
}

/// A conference on a line that records (a setting per line) records from its start; the
/// recording's SID, state and finally its URL land on the call record.
fn recorded(conference: Conference, st: &VoiceState, sid: &str, record: bool) -> Conference {
    if !record {
        return conference;
    }
    conference
        .record(ConferenceRecord::RecordFromStart)
        .recording_status_callback(
            retried_callback(url(st, &format!("/twilio/voice/recording/{sid}"))),
            &[
                RecordingStatusEvent::InProgress,
                RecordingStatusEvent::Completed,
                RecordingStatusEvent::Absent,
            ],
        )
}

/// Whether calls on the line with this number are recorded. Bounded by the lookup budget and
/// false when the settings cannot be read: a call is never held up for its recording.
async fn line_records(st: &VoiceState, number: Option<&str>) -> bool {
    let Some(number) = number.and_then(|n| PhoneNumber::parse(n).ok()) else {
        return false;
    };
    match tokio::time::timeout(st.lookup_budget, st.services.settings.get()).await {
        Ok(Ok(settings)) => settings.lines.iter().any(|l| l.number == number && l.recording),
        _ => false,
    }
}

/// A conference's participant events reach `/twilio/voice/conference`. Only the first participant's
/// settings count on Twilio, so every participant that may be first sets them.
fn reported(conference: Conference, st: &VoiceState) -> Conference {
    conference
        .status_callback(retried_callback(url(st, "/twilio/voice/conference")))
        .status_callback_events(&[
            ConferenceStatusEvent::Start,
            ConferenceStatusEvent::End,
            ConferenceStatusEvent::Join,
            ConferenceStatusEvent::Leave,
            ConferenceStatusEvent::Hold,
            ConferenceStatusEvent::Modify,
        ])
        .status_callback_method(HttpMethod::Post)
}

/// An incoming call: look the caller up within the budget, record and queue the call, and park
/// the caller. Any failure after the signature check still parks the caller (degraded), so our
/// trouble never drops a customer's call.
pub async fn incoming(State(st): State<VoiceState>, SignedForm(params): SignedForm) -> Response {
    let call = match IncomingCall::from_params(&params) {
        Ok(c) => c,
        Err(e) => return Refused::Malformed(e.to_string()).into_response(),
    };
    let sid = call.call_sid.as_str().to_owned();
    // Whether the line records is read alongside the caller's record, not after it: on a cold
    // instance it is a settings read, and this webhook's answer must be fast.
    let (recorded, record) = tokio::join!(record_incoming(&st, &call), line_records(&st, call.to.as_deref()));
    if let Err(e) = recorded {
        tracing::error!(call = %sid, error = %e, "incoming call parked without a stored record (degraded)");
    }
    twiml(
        VoiceResponse::new()
            .say(say("お電話ありがとうございます。ただいまおつなぎいたします。"))
            .dial(customer_conference(&st, &sid, record)),
    )
}

async fn record_incoming(st: &VoiceState, call: &IncomingCall) -> Result<(), String> {
    let sid = call.call_sid.as_str();
    let customer = PhoneNumber::parse(&call.from).ok();
    let pop = match &customer {
        Some(p) => match tokio::time::timeout(st.lookup_budget, st.services.crm.lookup(p)).await {
            Ok(Ok(l)) => Some(l),
            Ok(Err(e)) => {
                tracing::warn!(call = %sid, error = %e, "CRM lookup failed; routing without customer data");
                None
            }
            Err(_) => {
                tracing::warn!(call = %sid, "CRM lookup over budget; routing without customer data");
                None
            }
        },
        None => None,
    };
    let at = now();
    let summary = CallSummary::new(
        sid,
        Direction::Inbound,
        customer.as_ref(),
        call.to.clone(),
        "waiting",
        at.clone(),
        pop.as_ref(),
    );
    let mut item = summary.to_item();
    item.insert("queue_sk".into(), queue_key(&at, sid).sk.into());
    let mut ops = vec![TxOp::Put {
        item,
        cond: Some(Cond::NotExists),
    }];
    ops.extend(Routing::enqueue_ops(&at, sid));
    match tokio::time::timeout(st.lookup_budget, st.services.store.transact(ops)).await {
        Ok(Ok(())) => Ok(()),
        // A retried webhook: the call is already recorded and queued.
        Ok(Err(shared::store::StoreError::ConditionFailed { index: Some(0) })) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("store over budget".into()),
    }
}

/// Rings free operators for waiting calls (see [`shared::dispatch`]).
pub async fn route_waiting(st: &VoiceState) {
    st.dispatcher().route_waiting().await;
}

/// The wait document, requested as the customer starts waiting and again each time it ends:
/// it re-records a call the incoming webhook could not store, tries routing, and after the
/// configured longest wait ends the call politely.
pub async fn wait(State(st): State<VoiceState>, SignedForm(params): SignedForm) -> Response {
    if let Some(sid) = param(&params, "CallSid").and_then(|s| CallSid::parse(s).ok()) {
        let key = shared::domain::calls::call_key(sid.as_str());
        match st.services.store.get(&key).await {
            Ok(None) => {
                if let Ok(call) = IncomingCall::from_params(&params) {
                    let _ = record_incoming(&st, &call).await;
                }
            }
            Ok(Some(item)) => {
                let max_wait = st
                    .services
                    .settings
                    .get()
                    .await
                    .map(|s| s.call_handling.max_wait_seconds)
                    .unwrap_or(300);
                let started = item
                    .get("started_at")
                    .and_then(|v| v.as_str())
                    .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
                let waiting = item
                    .get("status")
                    .and_then(|v| v.as_str())
                    .is_some_and(|s| s == "waiting");
                if waiting
                    && started.is_some_and(|t| {
                        (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds() > max_wait as i64
                    })
                {
                    let goodbye = UpdateCall::Redirect {
                        url: url(&st, "/twilio/voice/goodbye"),
                        method: Some(HttpMethod::Post),
                    };
                    if let Err(e) = st.telephony.update_call(&sid, &goodbye).await {
                        tracing::error!(call = %sid, error = %e, "could not end a call past the longest wait");
                    }
                }
            }
            Err(e) => tracing::error!(call = %sid, error = %e, "store unavailable while waiting"),
        }
        route_waiting(&st).await;
    }
    twiml(
        VoiceResponse::new()
            .say(say(
                "ただいま電話が大変混み合っております。順番におつなぎいたしますので、このままお待ちください。",
            ))
            .pause(Pause::seconds(15)),
    )
}

/// Hold music for a held customer. Twilio fetches it again each time it ends, so each fetch
/// checks on the call (named by the `call` query parameter the hold URL carries, or the held
/// participant's CallSid, which is the customer's): a customer held with nobody for too long
/// is reconnected and hears that they are.
pub async fn hold_music(
    State(st): State<VoiceState>,
    Query(query): Query<HashMap<String, String>>,
    SignedForm(params): SignedForm,
) -> Response {
    let sid = query
        .get("call")
        .map(String::as_str)
        .or_else(|| param(&params, "CallSid"))
        .and_then(|s| CallSid::parse(s).ok());
    let reconnecting = match &sid {
        Some(sid) => st.dispatcher().check_call(sid.as_str()).await.unwrap_or_else(|e| {
            tracing::error!(call = %sid, error = %e, "could not check on a held call");
            false
        }),
        None => false,
    };
    let message = if reconnecting {
        "ただいま担当者におつなぎし直しております。恐れ入りますが、このままお待ちください。"
    } else {
        "ただいま確認しております。少々お待ちください。"
    };
    twiml(VoiceResponse::new().say(say(message)).pause(Pause::seconds(20)))
}

/// The polite end of a call that waited longer than the organisation allows.
pub async fn goodbye(_form: SignedForm) -> Response {
    twiml(
        VoiceResponse::new()
            .say(say("大変申し訳ございません。ただいま電話が大変混み合っております。恐れ入りますが、時間をおいておかけ直しください。"))
            .hangup(),
    )
}

/// The fallback Twilio uses when our webhook fails: an apology, with no store or REST access.
/// The same document is published as a static file on the CDN (`infra/assets`).
pub async fn fallback(_form: SignedForm) -> Response {
    twiml(
        VoiceResponse::new()
            .say(say("大変申し訳ございません。ただいまシステムに問題が発生しております。恐れ入りますが、しばらくしてからおかけ直しください。"))
            .hangup(),
    )
}

/// Conference events: participants' state on the call record; the customer's join triggers
/// routing; the conference's end ends the call.
pub async fn conference(State(st): State<VoiceState>, SignedForm(params): SignedForm) -> Response {
    let ev = match ConferenceCallback::from_params(&params) {
        Ok(e) => e,
        Err(e) => return Refused::Malformed(e.to_string()).into_response(),
    };
    let name = ev.friendly_name.clone();
    let at = ev.timestamp.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let result = async {
        if matches!(
            ev.event,
            ConferenceEvent::ConferenceStart | ConferenceEvent::ParticipantJoin
        ) {
            // Participant updates (hold, consult, transfer) address the conference by its SID.
            let first = Cond::And(vec![Cond::Exists, Cond::AttrNotExists("conference_sid".into())]);
            let set = shared::store::Update::default().set("conference_sid", ev.conference_sid.as_str());
            match st
                .services
                .store
                .update(&shared::domain::calls::call_key(&name), set, Some(first))
                .await
            {
                Ok(_) => {}
                Err(e) if e.is_condition_failed() => {}
                Err(e) => return Err(e.into()),
            }
        }
        match ev.event {
            ConferenceEvent::ParticipantJoin
            | ConferenceEvent::ParticipantLeave
            | ConferenceEvent::ParticipantHold
            | ConferenceEvent::ParticipantUnhold
            | ConferenceEvent::ParticipantMute
            | ConferenceEvent::ParticipantUnmute
            | ConferenceEvent::ParticipantModify => {
                let label = ev.participant_label.clone().unwrap_or_else(|| "unknown".into());
                let pe = ParticipantEvent {
                    sequence: ev.sequence_number,
                    label: label.clone(),
                    call_sid: ev.call_sid.as_ref().map(|c| c.as_str().to_owned()).unwrap_or_default(),
                    state: if ev.event == ConferenceEvent::ParticipantLeave {
                        "left"
                    } else {
                        "joined"
                    },
                    hold: ev.hold.unwrap_or(false),
                    muted: ev.muted.unwrap_or(false),
                    at,
                };
                st.services.call_state.apply_participant(&name, &pe).await?;
                st.dispatcher()
                    .after_participant_event(&name, &pe)
                    .await
                    .map_err(control_to_domain)?;
                if ev.event == ConferenceEvent::ParticipantJoin && label == "customer" {
                    route_waiting(&st).await;
                }
            }
            ConferenceEvent::ConferenceEnd => {
                st.services.routing.ended(&name).await?;
                abandon_unanswered_outbound(&st, &name).await?;
            }
            _ => {}
        }
        Ok::<(), shared::error::DomainError>(())
    }
    .await;
    callback_outcome(result, &name, "conference event not applied")
}

fn control_to_domain(e: ControlError) -> shared::error::DomainError {
    match e {
        ControlError::Domain(d) => d,
        ControlError::Telephony(t) => shared::error::DomainError::Unavailable(Box::new(t)),
    }
}

/// The customer leg's status: the call record's end, and the operator's wrap-up.
pub async fn status(State(st): State<VoiceState>, SignedForm(params): SignedForm) -> Response {
    let cb = match CallStatusCallback::from_params(&params) {
        Ok(c) => c,
        Err(e) => return Refused::Malformed(e.to_string()).into_response(),
    };
    let sid = cb.call_sid.as_str().to_owned();
    let ev = CallStatusEvent {
        sequence: cb.sequence_number.unwrap_or(0),
        status: cb.call_status.to_string(),
        at: cb
            .timestamp
            .unwrap_or_else(chrono::Utc::now)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        duration_seconds: cb.call_duration,
    };
    let result = async {
        if st.services.call_state.apply_status(&sid, &ev).await? {
            if let Some(call) = finish(&st, &sid).await? {
                st.services.monitor.count(&sid, &call).await?;
            }
            st.services.routing.ended(&sid).await?;
            route_waiting(&st).await;
        }
        Ok::<(), shared::error::DomainError>(())
    }
    .await;
    callback_outcome(result, &sid, "status callback not applied")
}

/// The call's final status for history: completed when an operator answered, abandoned when the
/// caller gave up waiting, otherwise Twilio's own ending (busy, no-answer, failed, canceled).
/// Returns the record as it now is (for the day's figures), or `None` for a call never recorded.
async fn finish(st: &VoiceState, sid: &str) -> Result<Option<shared::store::Item>, shared::error::DomainError> {
    let key = shared::domain::calls::call_key(sid);
    let Some(item) = st.services.store.get(&key).await? else {
        return Ok(None);
    };
    let answered = item.get("answered_at").is_some()
        || item.get("connected_at").is_some() && item.get("direction").and_then(|d| d.as_str()) == Some("outbound");
    let final_status = if answered {
        "completed".to_owned()
    } else if item.get("direction").and_then(|d| d.as_str()) == Some("inbound") {
        "abandoned".to_owned()
    } else {
        item.get("end_reason")
            .and_then(|v| v.as_str())
            .unwrap_or("failed")
            .replace('-', "_")
    };
    let updated = st
        .services
        .store
        .update(
            &key,
            shared::store::Update::default().set("status", final_status),
            Some(Cond::Exists),
        )
        .await?;
    Ok(Some(updated))
}

/// An operator's ringing phone: answered → the operator is on the call; rang out, busy or
/// rejected → the offer ends, the operator is set away and the call goes to the next operator.
pub async fn operator_leg(
    State(st): State<VoiceState>,
    Path((sid, offer, operator)): Path<(String, String, String)>,
    SignedForm(params): SignedForm,
) -> Response {
    let cb = match CallStatusCallback::from_params(&params) {
        Ok(c) => c,
        Err(e) => return Refused::Malformed(e.to_string()).into_response(),
    };
    let status = cb.call_status.to_string();
    let result = async {
        match status.as_str() {
            "in-progress" => {
                let name = st
                    .services
                    .store
                    .get(&shared::domain::operators::operator_key(&operator))
                    .await?
                    .and_then(|o| o.get("name").and_then(|n| n.as_str()).map(str::to_owned))
                    .unwrap_or_default();
                if let Err(e) = st.services.routing.answered(&sid, &operator, &name, &offer).await {
                    // Too late: the call went to someone else. Hang this leg up.
                    tracing::warn!(call = %sid, error = %e, "late answer; releasing the operator's leg");
                    let _ = st
                        .telephony
                        .update_call(
                            &cb.call_sid,
                            &UpdateCall::End(shared::twilio::rest::CallUpdateStatus::Completed),
                        )
                        .await;
                } else if st
                    .services
                    .store
                    .get(&shared::domain::calls::call_key(&sid))
                    .await?
                    .is_some_and(|c| c.get("requeued_at").is_some())
                {
                    // A customer put back in line waits on hold: the new operator is here.
                    st.dispatcher().reconnected(&sid).await.map_err(control_to_domain)?;
                }
            }
            "no-answer" | "busy" | "failed" | "canceled" | "completed" => {
                let call = st.services.store.get(&shared::domain::calls::call_key(&sid)).await?;
                let answered_by_this = call
                    .as_ref()
                    .and_then(|c| c.get("operator_id"))
                    .and_then(|v| v.as_str())
                    == Some(operator.as_str());
                if !answered_by_this {
                    let qsk = call
                        .as_ref()
                        .and_then(|c| c.get("queue_sk"))
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned();
                    st.services
                        .routing
                        .release(&sid, &qsk, &operator, &offer, None, Unanswered::Missed)
                        .await?;
                    route_waiting(&st).await;
                }
            }
            _ => {}
        }
        Ok::<(), shared::error::DomainError>(())
    }
    .await;
    callback_outcome(result, &sid, "operator leg event not applied")
}

/// A transfer target's ringing phone: answered → the transfer is answered (a cold one
/// completes at once); rang out, busy, declined or failed → the transfer fails and the
/// customer, still held, goes back to the first operator (rung back if they had left).
pub async fn transfer_leg(
    State(st): State<VoiceState>,
    Path((sid, transfer, _operator)): Path<(String, String, String)>,
    SignedForm(params): SignedForm,
) -> Response {
    let cb = match CallStatusCallback::from_params(&params) {
        Ok(c) => c,
        Err(e) => return Refused::Malformed(e.to_string()).into_response(),
    };
    let status = cb.call_status.to_string();
    let result = st
        .dispatcher()
        .transfer_leg_status(&sid, &transfer, &cb.call_sid, &status)
        .await
        .map_err(control_to_domain);
    callback_outcome(result, &sid, "transfer leg event not applied")
}

/// An operator rung back into their call (after a failed cold transfer, or to reconnect a
/// customer held with nobody): answered → a reconnected customer is taken off hold; not
/// answered → the call goes back in line for the next free operator.
pub async fn ring_back(
    State(st): State<VoiceState>,
    Path((sid, operator, why)): Path<(String, String, String)>,
    SignedForm(params): SignedForm,
) -> Response {
    let cb = match CallStatusCallback::from_params(&params) {
        Ok(c) => c,
        Err(e) => return Refused::Malformed(e.to_string()).into_response(),
    };
    let Some(why) = RingBack::parse(&why) else {
        return Refused::Malformed(format!("unknown ring-back reason '{why}'")).into_response();
    };
    let status = cb.call_status.to_string();
    let result = st
        .dispatcher()
        .ring_back_status(&sid, &operator, why, &status)
        .await
        .map_err(control_to_domain);
    callback_outcome(result, &sid, "ring-back event not applied")
}

/// The TwiML App: an operator dials out from the page. The line must be a configured line and
/// the number must parse; dialing is refused while the operator is 受付可 (available), as the
/// console's manual says. The customer is called first, so the conference can carry the
/// customer's CallSid; the operator joins it at once.
pub async fn outbound(State(st): State<VoiceState>, SignedForm(params): SignedForm) -> Response {
    let call = match IncomingCall::from_params(&params) {
        Ok(c) => c,
        Err(e) => return Refused::Malformed(e.to_string()).into_response(),
    };
    match place_outbound(&st, &call).await {
        Ok((customer_sid, record)) => twiml(
            VoiceResponse::new().dial(Dial::conference(recorded(
                reported(
                    Conference::new(customer_sid.as_str())
                        .participant_label("operator")
                        .start_conference_on_enter(true)
                        .end_conference_on_exit(true)
                        .beep(ConferenceBeep::False)
                        .silent_wait(),
                    &st,
                ),
                &st,
                &customer_sid,
                record,
            ))),
        ),
        Err(message) => twiml(VoiceResponse::new().say(say(message)).hangup()),
    }
}

/// Places the customer's call; returns its CallSid and whether the line records.
async fn place_outbound(st: &VoiceState, call: &IncomingCall) -> Result<(String, bool), &'static str> {
    let operator =
        OperatorId::from_client_identity(&call.from).map_err(|_| "発信元のオペレータを確認できませんでした。")?;
    let to = call
        .custom_param("To")
        .or(call.to.as_deref())
        .unwrap_or_default()
        .to_owned();
    let number = PhoneNumber::parse(&to).map_err(|_| "電話番号が正しくありません。番号を確認してください。")?;
    let settings = st
        .services
        .settings
        .get()
        .await
        .map_err(|_| "ただいま発信できません。しばらくしてからおかけ直しください。")?;
    let line_id = call.custom_param("LineId").unwrap_or_default().to_owned();
    let line = settings
        .line(&line_id)
        .ok_or("発信回線が設定されていません。発信回線を選択してください。")?
        .clone();
    let me = st
        .services
        .operators
        .get(&operator)
        .await
        .map_err(|_| "オペレータ情報を読み込めませんでした。")?;
    // One customer call per operator leg: a request Twilio retries, or a signed request replayed,
    // for a leg that has already placed its call places none.
    let leg = shared::domain::calls::outbound_leg_key(call.call_sid.as_str());
    if st.services.store.get(&leg).await.ok().flatten().is_some() {
        return replayed_outbound(st, &leg, &operator, line.recording).await;
    }
    if me.status == "available" {
        return Err("受付可の状態では発信できません。ステータスを変更してから発信してください。");
    }
    if me.current_call.is_some() {
        return Err("通話中のため発信できません。");
    }
    let mut claim = shared::store::Item::new();
    claim.insert(shared::store::attr::PK.into(), leg.pk.clone().into());
    claim.insert(shared::store::attr::SK.into(), leg.sk.clone().into());
    claim.insert(
        shared::store::attr::EXPIRES_AT.into(),
        (chrono::Utc::now().timestamp() + 86_400).into(),
    );
    match st.services.store.put(claim, Some(Cond::NotExists)).await {
        Ok(()) => {}
        Err(e) if e.is_condition_failed() => return replayed_outbound(st, &leg, &operator, line.recording).await,
        Err(e) => {
            tracing::error!(error = %e, "outbound leg not recorded; no call placed");
            return Err("ただいま発信できません。しばらくしてからおかけ直しください。");
        }
    }
    let mut req = CreateCall::new(
        number.as_str(),
        line.number.as_str(),
        CallInstructions::Url {
            url: url(st, "/twilio/voice/join/customer"),
            method: Some(HttpMethod::Post),
        },
    );
    req.status_callback = Some(retried_callback(url(st, "/twilio/voice/status")));
    req.status_callback_event = vec![
        CallProgressEvent::Initiated,
        CallProgressEvent::Ringing,
        CallProgressEvent::Answered,
        CallProgressEvent::Completed,
    ];
    req.status_callback_method = Some(HttpMethod::Post);
    req.timeout = Some(45);
    let placed = st.telephony.create_call(&req).await.map_err(|e| {
        tracing::error!(error = %e, "outbound call not placed");
        "ただいま発信できません。しばらくしてからおかけ直しください。"
    })?;
    let sid = placed.sid.as_str().to_owned();
    let at = now();
    let pop = st.services.crm.lookup(&number).await.ok();
    let mut summary = CallSummary::new(
        &sid,
        Direction::Outbound,
        Some(&number),
        Some(line.number.as_str().to_owned()),
        "ringing",
        at.clone(),
        pop.as_ref(),
    );
    summary.operator_id = Some(operator.to_string());
    summary.operator_name = Some(me.name.clone());
    let op_update = shared::store::Update::default()
        .set("current_call", sid.as_str())
        .set("status", "on_call")
        .set("status_since", at.as_str())
        .add("version", 1);
    let ops = vec![
        TxOp::Put {
            item: summary.to_item(),
            cond: Some(Cond::NotExists),
        },
        TxOp::Update {
            key: shared::domain::operators::operator_key(operator.as_str()),
            update: op_update,
            cond: Some(Cond::And(vec![
                Cond::Exists,
                Cond::AttrNotExists("current_call".into()),
                Cond::Ne("status".into(), "available".into()),
            ])),
        },
        TxOp::Update {
            key: leg,
            update: shared::store::Update::default().set("customer_call", sid.as_str()),
            cond: Some(Cond::Exists),
        },
    ];
    if let Err(e) = st.services.store.transact(ops).await {
        tracing::error!(call = %sid, error = %e, "outbound call not recorded; cancelling it");
        let _ = st
            .telephony
            .update_call(
                &placed.sid,
                &UpdateCall::End(shared::twilio::rest::CallUpdateStatus::Canceled),
            )
            .await;
        return Err("発信を記録できなかったため取り消しました。もう一度おかけください。");
    }
    Ok((sid, line.recording))
}

/// The answer to a request for an outbound leg that has already placed its customer's call: the
/// same conference while that call is live (Twilio retried), otherwise nothing placed again.
async fn replayed_outbound(
    st: &VoiceState,
    leg: &shared::store::Key,
    operator: &OperatorId,
    record: bool,
) -> Result<(String, bool), &'static str> {
    let placed = st.services.store.get(leg).await.ok().flatten();
    let Some(sid) = placed
        .as_ref()
        .and_then(|p| p.get("customer_call"))
        .and_then(|v| v.as_str())
    else {
        return Err("この発信は処理中です。");
    };
    let call = st
        .services
        .store
        .get(&shared::domain::calls::call_key(sid))
        .await
        .ok()
        .flatten();
    let live = call.as_ref().is_some_and(|c| {
        c.get("ended_at").is_none() && c.get("operator_id").and_then(|v| v.as_str()) == Some(operator.as_str())
    });
    if live {
        Ok((sid.to_owned(), record))
    } else {
        tracing::warn!(call = %sid, "a request for an outbound leg that already called was refused");
        Err("この発信はすでに終了しています。")
    }
}

/// The customer of an outbound call answered: they join the conference named after their call.
pub async fn join_customer(State(st): State<VoiceState>, SignedForm(params): SignedForm) -> Response {
    let Some(sid) = param(&params, "CallSid").and_then(|s| CallSid::parse(s).ok()) else {
        return Refused::Malformed("CallSid is missing or invalid".into()).into_response();
    };
    let answered = st
        .services
        .store
        .update(
            &shared::domain::calls::call_key(sid.as_str()),
            shared::store::Update::default()
                .set("status", "in_progress")
                .set("answered_at", now()),
            Some(Cond::And(vec![
                Cond::Exists,
                Cond::AttrNotExists("operator_gone_at".into()),
            ])),
        )
        .await;
    if matches!(&answered, Err(e) if e.is_condition_failed())
        && st
            .services
            .store
            .get(&shared::domain::calls::call_key(sid.as_str()))
            .await
            .ok()
            .flatten()
            .is_some_and(|c| c.contains_key("operator_gone_at"))
    {
        // The operator hung up while it rang and the cancel crossed the answer.
        return twiml(
            VoiceResponse::new()
                .say(say("お電話ありがとうございます。申し訳ございません、担当者が対応できなくなりました。改めてご連絡いたします。"))
                .hangup(),
        );
    }
    twiml(
        VoiceResponse::new().dial(Dial::conference(recorded(
            reported(
                Conference::new(sid.as_str())
                    .participant_label("customer")
                    .end_conference_on_exit(true)
                    .beep(ConferenceBeep::False),
                &st,
            ),
            &st,
            sid.as_str(),
            line_records(&st, param(&params, "From")).await,
        ))),
    )
}

/// A conference recording's progress: its SID and state while it runs, its URL and length when
/// it is done (the link supervisors find in the call history). A late `in-progress` never
/// overwrites `completed`.
pub async fn recording(
    State(st): State<VoiceState>,
    Path(sid): Path<String>,
    SignedForm(params): SignedForm,
) -> Response {
    let Ok(sid) = CallSid::parse(&sid) else {
        return Refused::Malformed("the recording callback names no valid call".into()).into_response();
    };
    let (Some(recording), Some(status)) = (param(&params, "RecordingSid"), param(&params, "RecordingStatus")) else {
        return Refused::Malformed("RecordingSid and RecordingStatus are required".into()).into_response();
    };
    if !matches!(status, "in-progress" | "completed" | "absent" | "failed") {
        return Refused::Malformed(format!("unknown RecordingStatus {status}")).into_response();
    }
    let mut update = shared::store::Update::default()
        .set("recording_sid", recording)
        .set("recording_status", status);
    if status == "completed" {
        if let Some(link) = param(&params, "RecordingUrl") {
            update = update.set("recording_url", link);
        }
        if let Some(secs) = param(&params, "RecordingDuration").and_then(|d| d.parse::<u64>().ok()) {
            update = update.set("recording_seconds", secs);
        }
    }
    let cond = if status == "completed" {
        Cond::Exists
    } else {
        Cond::And(vec![
            Cond::Exists,
            Cond::Or(vec![
                Cond::AttrNotExists("recording_status".into()),
                Cond::Ne("recording_status".into(), "completed".into()),
            ]),
        ])
    };
    let key = shared::domain::calls::call_key(sid.as_str());
    let result = match st.services.store.update(&key, update, Some(cond)).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_condition_failed() => Ok(()),
        Err(e) => Err(e.into()),
    };
    callback_outcome(result, sid.as_str(), "recording callback not applied")
}

/// An outgoing call whose operator left before the customer answered: the customer's ringing
/// call is cancelled (it would otherwise be answered into an empty conference), and the call
/// is marked so an answer that crosses the cancel is told and hung up.
async fn abandon_unanswered_outbound(st: &VoiceState, sid: &str) -> Result<(), shared::error::DomainError> {
    let key = shared::domain::calls::call_key(sid);
    let Some(call) = st.services.store.get(&key).await? else {
        return Ok(());
    };
    let outbound = call.get("direction").and_then(|v| v.as_str()) == Some("outbound");
    if !outbound || call.contains_key("answered_at") || call.contains_key("ended_at") {
        return Ok(());
    }
    let mark = shared::store::Update::default().set("operator_gone_at", now());
    match st
        .services
        .store
        .update(
            &key,
            mark,
            Some(Cond::And(vec![Cond::Exists, Cond::AttrNotExists("answered_at".into())])),
        )
        .await
    {
        Ok(_) => {}
        Err(e) if e.is_condition_failed() => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    let Ok(customer) = CallSid::parse(sid) else {
        return Ok(());
    };
    let cancel = UpdateCall::End(shared::twilio::rest::CallUpdateStatus::Canceled);
    match st.telephony.update_call(&customer, &cancel).await {
        Ok(_) | Err(shared::twilio::telephony::TelephonyError::NotFound { .. }) => {}
        // Already answered or ended: a cancel is refused, and the answer is handled above.
        Err(shared::twilio::telephony::TelephonyError::Rejected { .. }) => {}
        Err(e) => tracing::error!(call = %sid, error = %e, "could not cancel an outgoing call its operator left"),
    }
    Ok(())
}
