//! The customer's incoming call: the line's business hours and menu first, then parked in its
//! own conference with wait messages, the wait document that routes it and ends an overlong
//! wait, hold music that checks on a held customer, the goodbye and the fallback.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use shared::control::entry::{Closed, Entry};
use shared::control::transcript::call_transcription;
use shared::domain::calls::ParticipantLabel;
use shared::ids::SettingId;
use shared::twilio::CallSid;
use shared::twilio::twiml::{
    Conference, ConferenceBeep, Dial, HttpMethod, Number, Pause, Play, Redirect, VoiceResponse,
};
use shared::twilio::webhook::IncomingCall;

use crate::VoiceState;
use crate::answer::{dial_into, say, twiml};
use crate::menu::menu_document;
use crate::signed::{Params, Signed};

/// An incoming call: where it goes first is decided from the cached settings (the line's
/// business hours and menu, [`CallControl::entry`](shared::control::CallControl::entry)). Closed:
/// the line's message, voicemail or forward. A menu: its first prompt. Otherwise the caller is
/// looked up within the budget, recorded, queued and parked in their own conference with wait
/// messages until an operator joins; the conference ends when the customer leaves. Any failure
/// after the signature check still parks the caller (degraded), so our trouble never drops a
/// customer's call. At most two store requests on a warm instance, no REST request.
#[tracing::instrument(name = "voice.incoming", skip_all, fields(call = %call.call_sid))]
pub async fn incoming(State(st): State<VoiceState>, Signed(call): Signed<IncomingCall>) -> Response {
    match st.control.entry(call.to.as_deref(), st.lookup_budget).await {
        Entry::Queue { record } => {
            queue_and_park(
                &st,
                &call,
                record,
                "お電話ありがとうございます。ただいまおつなぎいたします。",
            )
            .await
        }
        Entry::Menu { line, menu } => twiml(menu_document(&st, &line, menu.start())),
        Entry::Closed { line, closed } => twiml(closed_document(&st, &line, closed)),
    }
}

/// Records and queues the caller (a failure is logged and the caller parked all the same),
/// then parks them in their conference after `greeting`.
pub(crate) async fn queue_and_park(st: &VoiceState, call: &IncomingCall, record: bool, greeting: &str) -> Response {
    if let Err(e) = st.control.record_incoming(call, st.lookup_budget).await {
        tracing::error!(error = %e, "incoming call parked without a stored record (degraded)");
    }
    let transcribe = st
        .control
        .line_transcribes(&[call.to.as_deref()], st.lookup_budget)
        .await;
    park(st, call.call_sid.as_str(), record, transcribe, greeting)
}

/// The caller parked in their own conference with wait messages; on a line that transcribes,
/// the call's live transcription starts first (it runs until the customer's call ends).
pub(crate) fn park(st: &VoiceState, sid: &str, record: bool, transcribe: bool, greeting: &str) -> Response {
    let parked = Conference::new(sid)
        .start_conference_on_enter(false)
        .end_conference_on_exit(true)
        .beep(ConferenceBeep::False)
        .wait_url(st.control.urls.wait())
        .wait_method(HttpMethod::Post);
    let mut document = VoiceResponse::new();
    if transcribe {
        document = document.start(call_transcription(&st.control.urls, sid));
    }
    twiml(
        document
            .say(say(greeting))
            .dial(dial_into(st, parked, sid, ParticipantLabel::Customer, record)),
    )
}

/// What a closed line answers: its message then the end of the call, its voicemail box, or the
/// call forwarded on the line's number.
pub(crate) fn closed_document(st: &VoiceState, line: &SettingId, closed: Closed) -> VoiceResponse {
    match closed {
        Closed::Message(text) => VoiceResponse::new().say(say(&text)).hangup(),
        Closed::Voicemail => VoiceResponse::new()
            .redirect(Redirect::new(st.control.urls.voicemail(line.as_str())).method(HttpMethod::Post)),
        Closed::Forward { to, caller_id } => VoiceResponse::new()
            .say(say("お電話ありがとうございます。担当窓口へおつなぎいたします。"))
            .dial(
                Dial::number(Number::new(to.as_str()))
                    .caller_id(caller_id.as_str())
                    .timeout(30),
            ),
    }
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
        if st.control.offer_callback_if_due(&sid).await {
            // Twilio takes the caller to the offer now; this document is cut short.
            return twiml(VoiceResponse::new().pause(Pause::seconds(5)));
        }
    }
    let (music, _) = st.control.line_music(&[params.get("To")], st.lookup_budget).await;
    twiml(
        VoiceResponse::new()
            .say(say(
                "ただいま電話が大変混み合っております。順番におつなぎいたしますので、このままお待ちください。",
            ))
            .play(Play::new(music).loop_count(1)),
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
    let (_, hold) = st
        .control
        .line_music(&[params.get("To"), params.get("From")], st.lookup_budget)
        .await;
    let document = VoiceResponse::new().say(say(message));
    twiml(match hold {
        Some(music) => document.play(Play::new(music).loop_count(1)),
        None => document.pause(Pause::seconds(20)),
    })
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
