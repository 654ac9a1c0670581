//! A line's IVR menu on the phone: each prompt is a `<Gather>` for one key (and ja-JP words when
//! the menu listens for them) followed by a `<Redirect>` back to the menu, which Twilio follows
//! when the caller gives nothing; the menu webhook reads the caller's `Digits` or
//! `SpeechResult` and answers with the next prompt, a message, voicemail or the queue.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared::domain::settings::menu::{Ask, Input, MenuAction, MenuPath, Step};
use shared::ids::SettingId;
use shared::twilio::twiml::{Gather, GatherInput, HttpMethod, Redirect, SayLanguage, VoiceResponse};
use shared::twilio::webhook::IncomingCall;

use crate::VoiceState;
use crate::answer::{say, twiml};
use crate::incoming::{closed_document, queue_and_park};
use crate::signed::{Params, Signed};

/// Where the caller is in the menu, from the menu URL's query.
struct At {
    line: SettingId,
    path: MenuPath,
    attempt: u32,
}

impl At {
    fn from_query(q: &HashMap<String, String>) -> Result<Self, String> {
        let line = q
            .get("line")
            .and_then(|l| SettingId::parse(l).ok())
            .ok_or("line: a line id such as main")?;
        let path = MenuPath::parse(q.get("at").map(String::as_str).unwrap_or_default())
            .ok_or("at: a menu path such as 0.1")?;
        let attempt = q
            .get("attempt")
            .and_then(|a| a.parse::<u32>().ok())
            .filter(|a| (1..=10).contains(a))
            .ok_or("attempt: 1 to 10")?;
        Ok(Self { line, path, attempt })
    }
}

/// What the caller gave at the `<Gather>` (see [`Input::from_gather`]).
fn input(params: &Params) -> Input<'_> {
    Input::from_gather(
        params.get("Digits"),
        params.get("SpeechResult"),
        params.get("Confidence"),
    )
}

/// The menu webhook: the caller's choice (or silence) at a prompt of `line`'s menu.
#[tracing::instrument(name = "voice.menu", skip_all, fields(call = tracing::field::Empty))]
pub async fn menu(
    State(st): State<VoiceState>,
    Query(query): Query<HashMap<String, String>>,
    Signed(params): Signed<Params>,
) -> Response {
    let at = match At::from_query(&query) {
        Ok(at) => at,
        Err(e) => return (StatusCode::BAD_REQUEST, e).into_response(),
    };
    let call = match IncomingCall::from_params(&params.0) {
        Ok(call) => call,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    tracing::Span::current().record("call", call.call_sid.as_str());
    let Some((menu, record)) = st.control.menu_of(&at.line).await else {
        // The menu was removed (or the settings cannot be read) while the caller listened.
        return queue_and_park(&st, &call, false, "ただいまおつなぎいたします。").await;
    };
    let step = menu
        .next(&at.path, at.attempt, input(&params))
        .unwrap_or_else(|| Step::Ask(menu.start()));
    match step {
        Step::Act { action, choice } => match action {
            MenuAction::Queue { queue } => {
                let queued = st
                    .control
                    .queue_from_menu(&call, &choice, queue.as_ref(), st.lookup_budget)
                    .await;
                if let Err(e) = queued {
                    tracing::error!(error = %e, "menu choice parked without a stored record (degraded)");
                }
                let transcribe = st
                    .control
                    .line_transcribes(&[call.to.as_deref()], st.lookup_budget)
                    .await;
                crate::incoming::park(
                    &st,
                    call.call_sid.as_str(),
                    record,
                    transcribe,
                    "ただいまおつなぎいたします。",
                )
            }
            MenuAction::Message { text } => twiml(VoiceResponse::new().say(say(text)).hangup()),
            MenuAction::Voicemail => twiml(closed_document(
                &st,
                &at.line,
                shared::control::entry::Closed::Voicemail,
            )),
            // A sub-menu is always a prompt; a choice never names one.
            MenuAction::Submenu { .. } => twiml(menu_document(&st, &at.line, menu.start())),
        },
        Step::Ask(ask) => twiml(menu_document(&st, &at.line, ask)),
    }
}

/// A menu prompt: a `<Gather>` saying the notice (after silence or a wrong key), the greeting
/// (the first time) and the options, then a `<Redirect>` back for a caller who gave nothing.
pub(crate) fn menu_document(st: &VoiceState, line: &SettingId, ask: Ask<'_>) -> VoiceResponse {
    let Ask {
        menu,
        path,
        attempt,
        greet,
        retry,
    } = ask;
    let url = st.control.urls.menu(line.as_str(), &path.to_string(), attempt);
    let mut gather = Gather::new().action(&url).num_digits(1).timeout(menu.timeout_seconds);
    if menu.speech {
        let hints: Vec<&str> = menu
            .options
            .iter()
            .flat_map(|o| o.keywords.iter().map(String::as_str).chain([o.label.as_str()]))
            .collect();
        gather = gather
            .input(&[GatherInput::Dtmf, GatherInput::Speech])
            .language(SayLanguage::JaJp)
            .speech_timeout_auto()
            .hints(hints.join(","));
    }
    if let Some(retry) = retry {
        gather = gather.say(say(retry.notice()));
    }
    if greet {
        gather = gather.say(say(menu.greeting.trim()));
    }
    gather = gather.say(say(&menu.options_prompt()));
    VoiceResponse::new()
        .gather(gather)
        .redirect(Redirect::new(url).method(HttpMethod::Post))
}
