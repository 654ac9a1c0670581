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
//!
//! Each handler reads its signed, typed webhook ([`Signed`], [`SignedCallback`]), calls one
//! operation of [`CallControl`] and answers with TwiML or a status; the routes and every URL
//! handed to Twilio come from [`Webhook`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::de::DeserializeOwned;
use shared::control::{CallControl, ControlError, OutboundRefusal, RingBack, Webhook};
use shared::domain::calls::ParticipantLabel;
use shared::ids::OperatorId;
use shared::twilio::CallSid;
use shared::twilio::signature::{WebhookValidator, public_webhook_url};
use shared::twilio::twiml::{
    Conference, ConferenceBeep, ConferenceRecord, ConferenceStatusEvent, Dial, HttpMethod, Pause, RecordingStatusEvent,
    Say, SayLanguage, SayVoice, VoiceResponse,
};
use shared::twilio::webhook::{
    CallStatusCallback, ConferenceCallback, IncomingCall, RecordingStatusCallback, WebhookError, parse_form_body,
};

/// What the voice handlers share, built once at cold start.
#[derive(Clone)]
pub struct VoiceState {
    pub control: CallControl,
    pub validator: Arc<WebhookValidator>,
    /// How long the incoming webhook waits for the CRM (and the store) before parking the
    /// caller without it.
    pub lookup_budget: Duration,
}

impl VoiceState {
    /// The voice function over `control`, checking signatures with `validator`, with the
    /// deployed lookup budget (1.5 s).
    pub fn new(control: CallControl, validator: WebhookValidator) -> Self {
        Self {
            control,
            validator: Arc::new(validator),
            lookup_budget: Duration::from_millis(1500),
        }
    }
}

/// The router Lambda, the local runtime and the tests run.
pub fn router(state: VoiceState) -> Router {
    routes(state)
}

/// This function's routes (all under `/twilio/voice`, see [`Webhook`]).
pub fn routes(state: VoiceState) -> Router {
    Router::new()
        .route(Webhook::Incoming.route(), post(incoming))
        .route(Webhook::Wait.route(), post(wait).get(wait))
        .route(Webhook::Hold.route(), post(hold_music).get(hold_music))
        .route(Webhook::Goodbye.route(), post(goodbye))
        .route(Webhook::Fallback.route(), post(fallback).get(fallback))
        .route(Webhook::Conference.route(), post(conference))
        .route(Webhook::Status.route(), post(status))
        .route(Webhook::OperatorLeg.route(), post(operator_leg))
        .route(Webhook::TransferLeg.route(), post(transfer_leg))
        .route(Webhook::RingBack.route(), post(ring_back))
        .route(Webhook::Recording.route(), post(recording))
        .route(Webhook::Outbound.route(), post(outbound))
        .route(Webhook::JoinCustomer.route(), post(join_customer))
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

/// A webhook's typed parameters (see [`shared::twilio::webhook`]).
pub trait WebhookForm: Sized {
    /// Reads the form; a missing or malformed parameter is named in the error.
    fn from_params(params: &[(String, String)]) -> Result<Self, WebhookError>;
}

/// The form's parameters as sent, for webhooks that read one or two of them.
pub struct Params(pub Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

impl WebhookForm for Params {
    fn from_params(params: &[(String, String)]) -> Result<Self, WebhookError> {
        Ok(Params(params.to_vec()))
    }
}

macro_rules! webhook_forms {
    ($($form:ty),+) => {$(
        impl WebhookForm for $form {
            fn from_params(params: &[(String, String)]) -> Result<Self, WebhookError> {
                <$form>::from_params(params)
            }
        }
    )+};
}

webhook_forms!(
    IncomingCall,
    CallStatusCallback,
    ConferenceCallback,
    RecordingStatusCallback
);

/// A webhook's form, read only when the X-Twilio-Signature over the public URL of the
/// request's path holds (403 otherwise, before anything is read or written), then typed (400
/// naming the parameter when it is not what Twilio sends).
pub struct Signed<T>(pub T);

impl<T: WebhookForm> FromRequest<VoiceState> for Signed<T> {
    type Rejection = Response;

    async fn from_request(req: Request, st: &VoiceState) -> Result<Self, Response> {
        let (_, params) = signed(req, st).await?;
        T::from_params(&params)
            .map(Signed)
            .map_err(|e| Refused::Malformed(e.to_string()).into_response())
    }
}

/// A signed callback whose route carries parameters: the signature is checked first (a forged
/// request is refused whatever its path says), then the path's parameters and the form typed.
pub struct SignedCallback<P, T>(pub P, pub T);

impl<P: DeserializeOwned + Send, T: WebhookForm> FromRequest<VoiceState> for SignedCallback<P, T> {
    type Rejection = Response;

    async fn from_request(req: Request, st: &VoiceState) -> Result<Self, Response> {
        let (mut parts, params) = signed(req, st).await?;
        let axum::extract::Path(path) = axum::extract::Path::<P>::from_request_parts(&mut parts, st)
            .await
            .map_err(|e| {
                Refused::Malformed(format!("the callback's path is not valid: {}", e.body_text())).into_response()
            })?;
        let form = T::from_params(&params).map_err(|e| Refused::Malformed(e.to_string()).into_response())?;
        Ok(SignedCallback(path, form))
    }
}

/// Reads the form and checks its signature over the public URL of this path (the auth tokens
/// re-read once if it does not match, in case Twilio's token was rotated since).
async fn signed(
    req: Request,
    st: &VoiceState,
) -> Result<(axum::http::request::Parts, Vec<(String, String)>), Response> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map_err(|_| Refused::Malformed("the body is not a readable form".into()).into_response())?;
    let params = verified(st, &parts.uri, &parts.headers, &bytes)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok((parts, params))
}

async fn verified(
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
    let url = public_webhook_url(st.control.urls.base(), uri.path(), uri.query().unwrap_or(""));
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

/// The answer to a status callback: 204 when applied; 503 when not, so Twilio retries (every
/// write a callback makes is idempotent).
fn callback_outcome(result: Result<(), ControlError>, what: &str) -> Response {
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "{what}");
            plain(StatusCode::SERVICE_UNAVAILABLE, "try again")
        }
    }
}

/// A conference's participant events reach the conference webhook. Only the first
/// participant's settings count on Twilio, so every participant that may be first sets them.
fn reported(conference: Conference, st: &VoiceState) -> Conference {
    conference
        .status_callback(st.control.urls.conference_events())
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

/// A conference on a line that records (a setting per line) records from its start; the
/// recording's SID, state and finally its URL land on the call record.
fn recorded(conference: Conference, st: &VoiceState, sid: &str, record: bool) -> Conference {
    if !record {
        return conference;
    }
    conference
        .record(ConferenceRecord::RecordFromStart)
        .recording_status_callback(
            st.control.urls.recording(sid),
            &[
                RecordingStatusEvent::InProgress,
                RecordingStatusEvent::Completed,
                RecordingStatusEvent::Absent,
            ],
        )
}

/// Dials call `sid`'s conference as the participant labelled `label`: reported, and recorded
/// when the line records.
fn dial_into(st: &VoiceState, conference: Conference, sid: &str, label: ParticipantLabel, record: bool) -> Dial {
    let labelled = conference.participant_label(label.as_str());
    Dial::conference(recorded(reported(labelled, st), st, sid, record))
}

/// An incoming call: look the caller up within the budget, record and queue the call, and park
/// the caller in their own conference with wait messages until an operator joins; the
/// conference ends when the customer leaves. Any failure after the signature check still parks
/// the caller (degraded), so our trouble never drops a customer's call.
#[tracing::instrument(name = "voice.incoming", skip_all, fields(call = %call.call_sid))]
pub async fn incoming(State(st): State<VoiceState>, Signed(call): Signed<IncomingCall>) -> Response {
    let sid = call.call_sid.as_str();
    // Whether the line records is read alongside the caller's record, not after it: on a cold
    // instance it is a settings read, and this webhook's answer must be fast.
    let (recorded, record) = tokio::join!(
        st.control.record_incoming(&call, st.lookup_budget),
        st.control.line_records(call.to.as_deref(), st.lookup_budget)
    );
    if let Err(e) = recorded {
        tracing::error!(error = %e, "incoming call parked without a stored record (degraded)");
    }
    let parked = Conference::new(sid)
        .start_conference_on_enter(false)
        .end_conference_on_exit(true)
        .beep(ConferenceBeep::False)
        .wait_url(st.control.urls.wait())
        .wait_method(HttpMethod::Post);
    twiml(
        VoiceResponse::new()
            .say(say("お電話ありがとうございます。ただいまおつなぎいたします。"))
            .dial(dial_into(&st, parked, sid, ParticipantLabel::Customer, record)),
    )
}

/// The wait document, requested as the customer starts waiting and again each time it ends:
/// it re-records a call the incoming webhook could not store, tries routing, and after the
/// configured longest wait ends the call politely.
#[tracing::instrument(name = "voice.wait", skip_all, fields(call = tracing::field::Empty))]
pub async fn wait(State(st): State<VoiceState>, Signed(params): Signed<Params>) -> Response {
    if let Some(sid) = params.get("CallSid").and_then(|s| CallSid::parse(s).ok()) {
        tracing::Span::current().record("call", sid.as_str());
        let incoming = IncomingCall::from_params(&params.0).ok();
        st.control.waiting(&sid, incoming.as_ref(), st.lookup_budget).await;
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
#[tracing::instrument(name = "voice.hold_music", skip_all, fields(call = tracing::field::Empty))]
pub async fn hold_music(
    State(st): State<VoiceState>,
    Query(query): Query<HashMap<String, String>>,
    Signed(params): Signed<Params>,
) -> Response {
    let sid = query
        .get("call")
        .map(String::as_str)
        .or_else(|| params.get("CallSid"))
        .and_then(|s| CallSid::parse(s).ok());
    if let Some(sid) = &sid {
        tracing::Span::current().record("call", sid.as_str());
    }
    let reconnecting = match &sid {
        Some(sid) => st.control.check_call(sid.as_str()).await.unwrap_or_else(|e| {
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
pub async fn goodbye(_form: Signed<Params>) -> Response {
    twiml(
        VoiceResponse::new()
            .say(say("大変申し訳ございません。ただいま電話が大変混み合っております。恐れ入りますが、時間をおいておかけ直しください。"))
            .hangup(),
    )
}

/// The fallback Twilio uses when our webhook fails: an apology, with no store or REST access.
/// The same document is published as a static file on the CDN (`infra/assets`).
pub async fn fallback(_form: Signed<Params>) -> Response {
    twiml(
        VoiceResponse::new()
            .say(say("大変申し訳ございません。ただいまシステムに問題が発生しております。恐れ入りますが、しばらくしてからおかけ直しください。"))
            .hangup(),
    )
}

/// Conference events: participants' state on the call record; the customer's join triggers
/// routing; the conference's end ends the call.
#[tracing::instrument(name = "voice.conference", skip_all, fields(call = %ev.friendly_name))]
pub async fn conference(State(st): State<VoiceState>, Signed(ev): Signed<ConferenceCallback>) -> Response {
    callback_outcome(st.control.conference_event(&ev).await, "conference event not applied")
}

/// The customer leg's status: the call record's end, and the operator's wrap-up.
#[tracing::instrument(name = "voice.status", skip_all, fields(call = %cb.call_sid))]
pub async fn status(State(st): State<VoiceState>, Signed(cb): Signed<CallStatusCallback>) -> Response {
    callback_outcome(st.control.call_status(&cb).await, "status callback not applied")
}

/// An operator's ringing phone: answered → the operator is on the call; rang out, busy or
/// rejected → the offer ends, the operator is set away and the call goes to the next operator.
#[tracing::instrument(name = "voice.operator_leg", skip_all, fields(call = %sid))]
pub async fn operator_leg(
    State(st): State<VoiceState>,
    SignedCallback((sid, offer, operator), cb): SignedCallback<(CallSid, String, OperatorId), CallStatusCallback>,
) -> Response {
    let result = st
        .control
        .offer_progress(&sid, &offer, &operator, &cb.call_sid, cb.call_status)
        .await;
    callback_outcome(result, "operator leg event not applied")
}

/// A transfer target's ringing phone: answered → the transfer is answered (a cold one
/// completes at once); rang out, busy, declined or failed → the transfer fails and the
/// customer, still held, goes back to the first operator (rung back if they had left).
#[tracing::instrument(name = "voice.transfer_leg", skip_all, fields(call = %sid))]
pub async fn transfer_leg(
    State(st): State<VoiceState>,
    SignedCallback((sid, transfer, _target), cb): SignedCallback<(CallSid, String, OperatorId), CallStatusCallback>,
) -> Response {
    let result = st
        .control
        .transfer_progress(sid.as_str(), &transfer, &cb.call_sid, cb.call_status)
        .await;
    callback_outcome(result, "transfer leg event not applied")
}

/// An operator rung back into their call (after a failed cold transfer, or to reconnect a
/// customer held with nobody): answered → a reconnected customer is taken off hold; not
/// answered → the call goes back in line for the next free operator.
#[tracing::instrument(name = "voice.ring_back", skip_all, fields(call = %sid))]
pub async fn ring_back(
    State(st): State<VoiceState>,
    SignedCallback((sid, operator, why), cb): SignedCallback<(CallSid, OperatorId, RingBack), CallStatusCallback>,
) -> Response {
    let result = st
        .control
        .ring_back_progress(sid.as_str(), operator.as_str(), why, cb.call_status)
        .await;
    callback_outcome(result, "ring-back event not applied")
}

/// The TwiML App: an operator dials out from the page (see
/// [`CallControl::place_outbound`]); the operator joins the conference named after the
/// customer's call at once, or hears why no call was placed.
#[tracing::instrument(name = "voice.outbound", skip_all, fields(leg = %leg.call_sid))]
pub async fn outbound(State(st): State<VoiceState>, Signed(leg): Signed<IncomingCall>) -> Response {
    match st.control.place_outbound(&leg).await {
        Ok(placed) => {
            let joined = Conference::new(placed.call_sid.as_str())
                .start_conference_on_enter(true)
                .end_conference_on_exit(true)
                .beep(ConferenceBeep::False)
                .silent_wait();
            let dial = dial_into(
                &st,
                joined,
                &placed.call_sid,
                ParticipantLabel::Operator,
                placed.recorded,
            );
            twiml(VoiceResponse::new().dial(dial))
        }
        Err(refusal) => twiml(VoiceResponse::new().say(say(spoken(refusal))).hangup()),
    }
}

/// What the operator hears when no call was placed.
fn spoken(refusal: OutboundRefusal) -> &'static str {
    match refusal {
        OutboundRefusal::UnknownOperator => "発信元のオペレータを確認できませんでした。",
        OutboundRefusal::InvalidNumber => "電話番号が正しくありません。番号を確認してください。",
        OutboundRefusal::Unavailable => "ただいま発信できません。しばらくしてからおかけ直しください。",
        OutboundRefusal::UnknownLine => "発信回線が設定されていません。発信回線を選択してください。",
        OutboundRefusal::OperatorUnreadable => "オペレータ情報を読み込めませんでした。",
        OutboundRefusal::OperatorAvailable => {
            "受付可の状態では発信できません。ステータスを変更してから発信してください。"
        }
        OutboundRefusal::OperatorBusy => "通話中のため発信できません。",
        OutboundRefusal::NotRecorded => "発信を記録できなかったため取り消しました。もう一度おかけください。",
        OutboundRefusal::InProgress => "この発信は処理中です。",
        OutboundRefusal::AlreadyEnded => "この発信はすでに終了しています。",
    }
}

/// The customer of an outbound call answered: they join the conference named after their call.
#[tracing::instrument(name = "voice.join_customer", skip_all, fields(call = tracing::field::Empty))]
pub async fn join_customer(State(st): State<VoiceState>, Signed(params): Signed<Params>) -> Response {
    let Some(sid) = params.get("CallSid").and_then(|s| CallSid::parse(s).ok()) else {
        return Refused::Malformed("CallSid is missing or invalid".into()).into_response();
    };
    tracing::Span::current().record("call", sid.as_str());
    if !st.control.customer_answered(&sid).await {
        // The operator hung up while it rang and the cancel crossed the answer.
        return twiml(
            VoiceResponse::new()
                .say(say("お電話ありがとうございます。申し訳ございません、担当者が対応できなくなりました。改めてご連絡いたします。"))
                .hangup(),
        );
    }
    let record = st.control.line_records(params.get("From"), st.lookup_budget).await;
    let joining = Conference::new(sid.as_str())
        .end_conference_on_exit(true)
        .beep(ConferenceBeep::False);
    twiml(VoiceResponse::new().dial(dial_into(
        &st,
        joining,
        sid.as_str(),
        ParticipantLabel::Customer,
        record,
    )))
}

/// A conference recording's progress: its SID and state while it runs, its URL and length when
/// it is done (the link supervisors find in the call history). A late `in-progress` never
/// overwrites `completed`.
#[tracing::instrument(name = "voice.recording", skip_all, fields(call = %sid))]
pub async fn recording(
    State(st): State<VoiceState>,
    SignedCallback(sid, cb): SignedCallback<CallSid, RecordingStatusCallback>,
) -> Response {
    callback_outcome(
        st.control.recording_progress(&sid, &cb).await,
        "recording callback not applied",
    )
}
