//! What a voicemail box needs of the platform: `<Record>` (the caller's message, ended by a key,
//! the longest length, silence after speech, or their hanging up, then the recording callback
//! and the action in Twilio's formats), `<Start><Transcription>` (simulated in
//! [`super::transcribe`]: each phrase the caller says posted as a final
//! `transcription-content` event, `transcription-stopped` when the call ends) and the
//! recording's media, a generated WAV tone as long as the recording.
//!
//! The simulated caller speaks through `POST /sim/calls/{sid}/speak {"text"}`. Silence ends a
//! recording only after the caller has said something, so a test is never raced by the
//! silence timeout before it speaks.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use shared::twilio::twiml::rules::TwimlElement;

use super::super::{Hook, Simulator, new_sid, rfc2822_now};
use super::Instructions;

/// Voicemail state of the world: transcriptions running, recordings under way and made.
#[derive(Debug, Default)]
pub struct Boxes {
    /// Per call: the real-time transcriptions running on it (see [`super::transcribe`]).
    pub(crate) transcriptions: super::transcribe::Running,
    /// Per call: the `<Record>` under way.
    recording: HashMap<String, Recording>,
    /// Every recording made by `<Record>`: its length in seconds, by RecordingSid.
    pub recordings: BTreeMap<String, u64>,
}

#[derive(Debug)]
struct Recording {
    said: Vec<String>,
    last_speech: Option<Instant>,
}

impl Simulator {
    /// The simulated party of call `sid` says `text`: a recording under way hears it, and the
    /// transcriptions that hear it post it (see [`super::transcribe`]). False when the call is
    /// not live.
    pub fn speak(&self, sid: &str, text: &str) -> bool {
        self.with_world(|w| {
            let Some(call) = w.calls.get_mut(sid).filter(|c| !c.is_over()) else {
                return false;
            };
            call.said.push(text.to_owned());
            if let Some(r) = w.voicemail.recording.get_mut(sid) {
                r.said.push(text.to_owned());
                r.last_speech = Some(Instant::now());
            }
            self.w_said(w, sid, text);
            true
        })
    }

    /// `<Record>`: records until a finish key, the longest length, silence after speech or the
    /// caller hanging up; sends the recording callback, then (on a live call) fetches the action
    /// with the recording. `None` goes on with the next verb (nothing was recorded), `Some` is
    /// what runs next.
    pub(super) async fn record(
        &self,
        sid: &str,
        verb: &TwimlElement,
        base: &str,
        token: &CancellationToken,
    ) -> Option<Option<Instructions>> {
        if verb.attr("playBeep") != Some("false") {
            self.with_world(|w| self.w_hear(w, sid, "♪ ピー".into()));
        }
        let seconds = |name: &str, default: f64| verb.attr(name).and_then(|v| v.parse::<f64>().ok()).unwrap_or(default);
        let scale = self.inner.config.pause_scale;
        let max_length = Duration::from_secs_f64((seconds("maxLength", 3600.0) * scale).max(0.05));
        let silence = Duration::from_secs_f64((seconds("timeout", 5.0) * scale).max(0.05));
        let finish_keys = verb.attr("finishOnKey").unwrap_or("1234567890*#").to_owned();
        let started = Instant::now();
        let started_at = rfc2822_now();
        let digits_before = self.with_world(|w| {
            w.voicemail.recording.insert(
                sid.to_owned(),
                Recording {
                    said: Vec::new(),
                    last_speech: None,
                },
            );
            w.calls.get(sid).map(|c| c.digits.len()).unwrap_or(0)
        });
        let mut pressed = String::new();
        loop {
            if token.is_cancelled() {
                break;
            }
            let (over, key, quiet) = self.with_world(|w| {
                let call = w.calls.get(sid);
                let over = call.is_none_or(|c| c.is_over());
                let key = call
                    .and_then(|c| c.digits.get(digits_before..))
                    .and_then(|new| new.chars().find(|k| finish_keys.contains(*k)));
                let quiet = w
                    .voicemail
                    .recording
                    .get(sid)
                    .and_then(|r| r.last_speech)
                    .is_some_and(|t| t.elapsed() >= silence);
                (over, key, quiet)
            });
            if let Some(k) = key {
                pressed.push(k);
            }
            if over || key.is_some() || quiet || started.elapsed() >= max_length {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                _ = token.cancelled() => {}
            }
        }
        let (said, live) = self.with_world(|w| {
            let said = w.voicemail.recording.remove(sid).map(|r| r.said).unwrap_or_default();
            (said, w.calls.get(sid).is_some_and(|c| !c.is_over()))
        });
        let account = self.inner.account.account_sid.clone();
        let callback = verb.attr("recordingStatusCallback").map(|u| self.absolute(base, u));
        let events = verb.attr("recordingStatusCallbackEvent").unwrap_or("completed");
        if said.is_empty() {
            if let Some(url) = callback.filter(|_| events.split_whitespace().any(|e| e == "absent")) {
                self.enqueue(
                    &url,
                    vec![
                        ("AccountSid".into(), account),
                        ("CallSid".into(), sid.to_owned()),
                        ("RecordingSid".into(), new_sid("RE")),
                        ("RecordingStatus".into(), "absent".into()),
                        ("RecordingSource".into(), "RecordVerb".into()),
                        ("RecordingStartTime".into(), started_at),
                        ("ErrorCode".into(), "0".into()),
                    ],
                );
            }
            return (!live).then_some(None);
        }
        let length = ((started.elapsed().as_secs_f64() / scale.max(1e-6)).round() as u64)
            .clamp(1, seconds("maxLength", 3600.0) as u64);
        let recording = new_sid("RE");
        let url = format!("https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{recording}");
        self.with_world(|w| w.voicemail.recordings.insert(recording.clone(), length));
        if let Some(cb) = callback.filter(|_| events.split_whitespace().any(|e| e == "completed")) {
            self.enqueue(
                &cb,
                vec![
                    ("AccountSid".into(), account.clone()),
                    ("CallSid".into(), sid.to_owned()),
                    ("RecordingSid".into(), recording.clone()),
                    ("RecordingUrl".into(), url.clone()),
                    ("RecordingStatus".into(), "completed".into()),
                    ("RecordingDuration".into(), length.to_string()),
                    ("RecordingChannels".into(), "1".into()),
                    ("RecordingSource".into(), "RecordVerb".into()),
                    ("RecordingStartTime".into(), started_at),
                    ("ErrorCode".into(), "0".into()),
                ],
            );
        }
        if !live {
            return Some(None);
        }
        let action = verb.attr("action").map(|a| self.absolute(base, a))?;
        let method = verb.attr("method").unwrap_or("POST").to_owned();
        Some(Some(Instructions::Fetch(
            Hook { url: action, method },
            vec![
                ("RecordingUrl".into(), url),
                ("RecordingSid".into(), recording),
                ("RecordingDuration".into(), length.to_string()),
                (
                    "Digits".into(),
                    if pressed.is_empty() { "hangup".into() } else { pressed },
                ),
            ],
        )))
    }

    /// The media of a recording `<Record>` made, as Twilio serves it at the recording's URL with
    /// `.wav`: an 8 kHz, 16-bit mono WAV (a soft tone) as long as the recording. `None` for a
    /// recording the simulator did not make.
    pub fn recording_wav(&self, recording: &str) -> Option<Vec<u8>> {
        let seconds = *self.world().voicemail.recordings.get(recording)?;
        Some(crate::sim::media::steady_tone(seconds.min(600)))
    }
}
