//! The customer's incoming call: parked in its own conference with wait messages, the wait
//! document that routes it and ends an overlong wait, hold music that checks on a held
//! customer, the goodbye and the fallback.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use shared::domain::calls::ParticipantLabel;
use shared::twilio::CallSid;
use shared::twilio::twiml::{Conference, ConferenceBeep, HttpMethod, Pause, VoiceResponse};
use shared::twilio::webhook::IncomingCall;

use crate::VoiceState;
use crate::answer::{dial_into, say, twiml};
use crate::signed::{Params, Signed};

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
