//! A line's voicemail box: the prompt, a ja-JP real-time transcription of what the caller says
//! and the recording (see [`shared::control::voicemail`] for why the transcription is started
//! beside `<Record>` rather than asked of it), the thanks once the message is recorded, and the
//! recording's and the transcription's callbacks, which make the message an operator task.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use shared::control::transcript::TRANSCRIPTION_NAME;
use shared::control::voicemail::VoicemailBox;
use shared::twilio::CallSid;
use shared::twilio::twiml::{
    Record, RecordingStatusEvent, Start, Stop, Transcription, TranscriptionTrack, Trim, VoiceResponse,
};
use shared::twilio::webhook::{RecordingStatusCallback, TranscriptionCallback};

use crate::VoiceState;
use crate::answer::{callback_outcome, say, twiml};
use crate::signed::{Params, Signed, SignedCallback};

/// The longest message a caller may leave, in seconds.
pub const MAX_MESSAGE_SECONDS: u32 = 120;

/// Seconds of silence that end a message.
const SILENCE_SECONDS: u32 = 10;

/// The voicemail box (`?line=<line id>`, else the line called): who called and on which line
/// are kept for the task, then the caller hears the line's greeting (the one written for its
/// closed hours, else a standard one), the instructions and the beep, and is recorded. A caller
/// whose call was being transcribed live (sent here from the queue) has that transcription
/// stopped first, so the message is transcribed once, for the task. A store failure
/// still lets the caller leave their message (the recording's callback lists it all the same).
#[tracing::instrument(name = "voice.voicemail", skip_all, fields(call = tracing::field::Empty))]
pub async fn voicemail(
    State(st): State<VoiceState>,
    Query(query): Query<HashMap<String, String>>,
    Signed(params): Signed<Params>,
) -> Response {
    let sid = params.get("CallSid").and_then(|s| CallSid::parse(s).ok());
    let Some(sid) = sid else {
        return twiml(VoiceResponse::new().say(say(NOT_AVAILABLE)).hangup());
    };
    tracing::Span::current().record("call", sid.as_str());
    let vbox = match st
        .control
        .voicemail_started(
            sid.as_str(),
            params.get("From"),
            params.get("To"),
            query.get("line").map(String::as_str),
        )
        .await
    {
        Ok(vbox) => vbox,
        Err(e) => {
            tracing::error!(error = %e, "voicemail started without its caller stored (degraded)");
            VoicemailBox::default()
        }
    };
    let urls = &st.control.urls;
    let mut document = VoiceResponse::new();
    if vbox.call_transcribed {
        document = document.stop(Stop::transcription(TRANSCRIPTION_NAME));
    }
    twiml(
        document
            .start(Start::transcription(
                Transcription::new("ja-JP", urls.voicemail_transcript(sid.as_str()))
                    .name("voicemail")
                    .track(TranscriptionTrack::InboundTrack)
                    .partial_results(false)
                    .automatic_punctuation(true),
            ))
            .say(say(vbox.greeting.as_deref().unwrap_or(GREETING)))
            .say(say(PROMPT))
            .record(
                Record::new()
                    .action(urls.voicemail_done())
                    .max_length(MAX_MESSAGE_SECONDS)
                    .timeout(SILENCE_SECONDS)
                    .finish_on_key("#")
                    .play_beep(true)
                    .trim(Trim::TrimSilence)
                    .recording_status_callback(
                        urls.voicemail_recording(sid.as_str()),
                        &[RecordingStatusEvent::Completed, RecordingStatusEvent::Absent],
                    ),
            )
            .say(say(NOTHING_RECORDED))
            .hangup(),
    )
}

/// What the caller hears first when the admin wrote no greeting for the line's voicemail.
const GREETING: &str = "お電話ありがとうございます。ただいま電話に出ることができません。";

const PROMPT: &str =
    "発信音のあとに、お名前とご用件をお話しください。お話しが終わりましたら、シャープを押すか、電話をお切りください。";

const NOTHING_RECORDED: &str = "メッセージが録音されませんでした。恐れ入りますが、もう一度おかけ直しください。";

const NOT_AVAILABLE: &str = "大変申し訳ございません。ただいまメッセージをお預かりできません。";

/// The message is recorded: the caller is thanked and the call ends.
pub async fn voicemail_done(_form: Signed<Params>) -> Response {
    twiml(
        VoiceResponse::new()
            .say(say(
                "メッセージをお預かりしました。担当者より折り返しご連絡いたします。お電話ありがとうございました。",
            ))
            .hangup(),
    )
}

/// A voicemail recording's progress; once complete the message is an operator task.
#[tracing::instrument(name = "voice.voicemail_recording", skip_all, fields(call = %sid))]
pub async fn voicemail_recording(
    State(st): State<VoiceState>,
    SignedCallback(sid, cb): SignedCallback<CallSid, RecordingStatusCallback>,
) -> Response {
    callback_outcome(
        st.control.voicemail_recorded(sid.as_str(), &cb).await,
        "voicemail recording not applied",
    )
}

/// A call's live transcription events (a line that transcribes): each final phrase of the
/// conversation is kept with the call and pushed to the operator on it and to the board.
#[tracing::instrument(name = "voice.call_transcript", skip_all, fields(call = %sid))]
pub async fn call_transcript(
    State(st): State<VoiceState>,
    SignedCallback(sid, cb): SignedCallback<CallSid, TranscriptionCallback>,
) -> Response {
    callback_outcome(
        st.control.call_transcribed(sid.as_str(), &cb).await,
        "call transcript phrase not kept",
    )
}

/// A voicemail's transcription events; each final phrase joins the task's transcript.
#[tracing::instrument(name = "voice.voicemail_transcript", skip_all, fields(call = %sid))]
pub async fn voicemail_transcript(
    State(st): State<VoiceState>,
    SignedCallback(sid, cb): SignedCallback<CallSid, TranscriptionCallback>,
) -> Response {
    callback_outcome(
        st.control.voicemail_transcribed(sid.as_str(), &cb).await,
        "voicemail transcript not applied",
    )
}
