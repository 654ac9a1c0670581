//! Calls an operator places from the page through the TwiML App, and the customer of such a
//! call joining the conference once they answer.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use shared::control::OutboundRefusal;
use shared::control::transcript::call_transcription;
use shared::domain::calls::ParticipantLabel;
use shared::twilio::CallSid;
use shared::twilio::twiml::{Conference, ConferenceBeep, VoiceResponse};
use shared::twilio::webhook::IncomingCall;

use crate::VoiceState;
use crate::answer::{dial_into, say, twiml};
use crate::signed::{Params, Refused, Signed};

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
        OutboundRefusal::BarredNumber => "この番号には発信できません。発信先の国または番号の種類が許可されていません。",
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
    let mut document = VoiceResponse::new();
    if st
        .control
        .line_transcribes(&[params.get("From")], st.lookup_budget)
        .await
    {
        document = document.start(call_transcription(&st.control.urls, sid.as_str()));
    }
    twiml(document.dial(dial_into(
        &st,
        joining,
        sid.as_str(),
        ParticipantLabel::Customer,
        record,
    )))
}
