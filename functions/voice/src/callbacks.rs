//! Twilio's status callbacks: conference events, the customer leg's status, and the legs of
//! an operator's ringing phone, a transfer target and a ring-back.

use axum::extract::State;
use axum::response::Response;
use shared::control::RingBack;
use shared::ids::OperatorId;
use shared::twilio::CallSid;
use shared::twilio::webhook::{CallStatusCallback, ConferenceCallback};

use crate::VoiceState;
use crate::answer::callback_outcome;
use crate::signed::{Signed, SignedCallback};

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
