//! The callback offer a waiting caller hears once they have waited the configured time (see
//! [`shared::control::callback`]): 1 asks to be called back keeping their place, anything else
//! (or nothing) puts them back in the queue at that place.

use axum::extract::State;
use axum::response::Response;
use shared::domain::calls::ParticipantLabel;
use shared::twilio::twiml::{Conference, ConferenceBeep, Gather, GatherInput, HttpMethod, Redirect, VoiceResponse};

use crate::VoiceState;
use crate::answer::{dial_into, say, twiml};
use crate::signed::{Params, Signed};

/// Seconds the caller has to press 1.
const CHOICE_SECONDS: u32 = 8;

/// The offer: one key, then back to the queue when none came.
pub async fn callback_offer(State(st): State<VoiceState>, _form: Signed<Params>) -> Response {
    let urls = &st.control.urls;
    twiml(
        VoiceResponse::new()
            .gather(
                Gather::new()
                    .input(&[GatherInput::Dtmf])
                    .num_digits(1)
                    .timeout(CHOICE_SECONDS)
                    .action(urls.callback_choice())
                    .say(say(
                        "お待たせしております。順番を保ったまま折り返しのお電話をご希望の方は1を、このままお待ちいただく方は何も押さずにお待ちください。",
                    )),
            )
            .redirect(Redirect::new(urls.callback_rejoin()).method(HttpMethod::Post)),
    )
}

/// The caller's key: 1 makes the callback task and ends the call, anything else goes back to
/// the queue.
#[tracing::instrument(name = "voice.callback_choice", skip_all, fields(call = tracing::field::Empty))]
pub async fn callback_choice(State(st): State<VoiceState>, Signed(params): Signed<Params>) -> Response {
    let sid = params.get("CallSid").unwrap_or_default().to_owned();
    tracing::Span::current().record("call", sid.as_str());
    if params.get("Digits") != Some("1") {
        return twiml(
            VoiceResponse::new().redirect(Redirect::new(st.control.urls.callback_rejoin()).method(HttpMethod::Post)),
        );
    }
    match st
        .control
        .callback_requested(&sid, params.get("From"), params.get("To"))
        .await
    {
        Ok(line) => {
            let from = line.label.map(|l| format!("{l}の番号から")).unwrap_or_default();
            twiml(
                VoiceResponse::new()
                    .say(say(&format!(
                        "承りました。お客様の順番になりましたら、担当者より{from}折り返しお電話いたします。お電話ありがとうございました。"
                    )))
                    .hangup(),
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "the callback request was not stored; the caller goes back to the queue");
            twiml(
                VoiceResponse::new()
                    .say(say(
                        "申し訳ございません。折り返しのご依頼を承れませんでした。このままお待ちください。",
                    ))
                    .redirect(Redirect::new(st.control.urls.callback_rejoin()).method(HttpMethod::Post)),
            )
        }
    }
}

/// Back to the queue at the caller's place, in the conference named after their call.
#[tracing::instrument(name = "voice.callback_rejoin", skip_all, fields(call = tracing::field::Empty))]
pub async fn callback_rejoin(State(st): State<VoiceState>, Signed(params): Signed<Params>) -> Response {
    let sid = params.get("CallSid").unwrap_or_default().to_owned();
    tracing::Span::current().record("call", sid.as_str());
    let record = st.control.callback_declined(&sid, st.lookup_budget).await;
    let parked = Conference::new(sid.as_str())
        .start_conference_on_enter(false)
        .end_conference_on_exit(true)
        .beep(ConferenceBeep::False)
        .wait_url(st.control.urls.wait())
        .wait_method(HttpMethod::Post);
    twiml(
        VoiceResponse::new()
            .say(say("かしこまりました。順番はそのままです。引き続きお待ちください。"))
            .dial(dial_into(&st, parked, &sid, ParticipantLabel::Customer, record)),
    )
}
