//! Twilio's real-time transcription, simulated: `<Start><Transcription>` on a call, then each
//! phrase heard on it posted as a final `transcription-content` event in Twilio's format
//! (`TranscriptionData` JSON, `Track`, `SequenceId`, `Final`, `Timestamp`), and
//! `transcription-stopped` when the call ends.
//!
//! What a call's tracks hear, as on Twilio: its inbound track is what its own party says
//! (`POST /sim/calls/{sid}/speak`, or a scripted line), its outbound track what it is played —
//! the text of each `<Say>` it runs and what the other connected participants of its conference
//! say (so on a customer's leg, the operator). A call may run several transcriptions at once
//! (a call's and, when the caller goes to voicemail, the box's), told apart by `name`; a second
//! `<Start>` of a name already running starts nothing. `<Stop><Transcription name="…">` stops
//! the one of that name (`transcription-stopped`), as Twilio does.
//!
//! A caller can be given a script when the call starts (`"script": [{"speaker": "customer" |
//! "operator", "text"}]`): once an operator is connected with them, the lines are said in order
//! by the customer or by the operator's leg, a pause apart.

use std::collections::HashMap;
use std::time::Duration;

use serde::Deserialize;

use shared::twilio::twiml::rules::TwimlElement;

use super::super::{Hook, Simulator, World, new_sid};

/// The transcriptions running, per call.
#[derive(Debug, Default)]
pub struct Running {
    by_call: HashMap<String, Vec<Transcribing>>,
}

#[derive(Debug)]
struct Transcribing {
    sid: String,
    name: Option<String>,
    hook: Hook,
    language: String,
    track: String,
    sequence: u64,
}

impl Transcribing {
    fn hears(&self, track: &str) -> bool {
        self.track == "both_tracks" || self.track == track
    }
}

/// Who says a scripted line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Customer,
    Operator,
}

/// A line of a simulated conversation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptLine {
    pub speaker: Speaker,
    pub text: String,
}

impl ScriptLine {
    /// Whether the line can be said: 1 to 2,000 characters.
    pub fn check(&self) -> Result<(), String> {
        let n = self.text.trim().chars().count();
        if n == 0 || n > 2000 {
            return Err(format!("a script line is 1 to 2,000 characters, not {n}"));
        }
        Ok(())
    }
}

/// Seconds between two scripted lines, before the simulator's pause scale.
const SCRIPT_GAP_SECONDS: f64 = 1.5;

impl Simulator {
    fn transcription_params(&self, call: &str, t: &Transcribing, event: &str) -> Vec<(String, String)> {
        vec![
            ("AccountSid".to_owned(), self.inner.account.account_sid.clone()),
            ("CallSid".to_owned(), call.to_owned()),
            ("TranscriptionSid".to_owned(), t.sid.clone()),
            ("TranscriptionEvent".to_owned(), event.to_owned()),
            (
                "Timestamp".to_owned(),
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            ),
        ]
    }

    /// `<Start>`: starts each `<Transcription>` in it, unless one of the same name runs on the
    /// call already.
    pub(super) fn start(&self, sid: &str, verb: &TwimlElement, base: &str) {
        for t in verb.children.iter().filter(|c| c.name == "Transcription") {
            let Some(url) = t.attr("statusCallbackUrl") else {
                self.problem("<Transcription> without statusCallbackUrl: its results go nowhere".into());
                continue;
            };
            if t.attr("statusCallbackMethod")
                .is_some_and(|m| m.eq_ignore_ascii_case("GET"))
            {
                self.problem("transcription callbacks by GET are not simulated; use POST".into());
                continue;
            }
            let running = Transcribing {
                sid: new_sid("GT"),
                name: t.attr("name").map(str::to_owned),
                hook: Hook {
                    url: self.absolute(base, url),
                    method: "POST".into(),
                },
                language: t.attr("languageCode").unwrap_or("en-US").to_owned(),
                track: t.attr("track").unwrap_or("both_tracks").to_owned(),
                sequence: 0,
            };
            self.with_world(|w| {
                let on_call = w.voicemail.transcriptions.by_call.entry(sid.to_owned()).or_default();
                if on_call.iter().any(|r| r.name == running.name) {
                    return;
                }
                let p = self.transcription_params(sid, &running, "transcription-started");
                self.enqueue(&running.hook.url, p);
                on_call.push(running);
            });
        }
    }

    /// `<Stop>`: stops each `<Transcription name="…">` in it that runs on the call, which posts
    /// `transcription-stopped` and hears nothing more. As on Twilio a transcription is stopped
    /// by the name it was started with; one without a name, or naming none that runs on the
    /// call, is the product's mistake and reported.
    pub(super) fn stop(&self, sid: &str, verb: &TwimlElement) {
        for t in verb.children.iter().filter(|c| c.name == "Transcription") {
            let Some(name) = t.attr("name") else {
                self.problem("<Stop><Transcription> without a name: Twilio cannot tell which to stop".into());
                continue;
            };
            self.with_world(|w| {
                let on_call = w.voicemail.transcriptions.by_call.entry(sid.to_owned()).or_default();
                let Some(at) = on_call.iter().position(|r| r.name.as_deref() == Some(name)) else {
                    self.problem(format!(
                        "<Stop><Transcription name=\"{name}\"> on call {sid}, where no transcription of that name runs"
                    ));
                    return;
                };
                let stopped = on_call.remove(at);
                let p = self.transcription_params(sid, &stopped, "transcription-stopped");
                self.enqueue(&stopped.hook.url, p);
            });
        }
    }

    /// Call `sid`'s `track` heard `text`: each transcription on it that listens to that track
    /// posts it as a final result.
    pub(crate) fn w_transcribe(&self, w: &mut World, sid: &str, text: &str, track: &str) {
        let Some(running) = w.voicemail.transcriptions.by_call.get_mut(sid) else {
            return;
        };
        for t in running.iter_mut().filter(|t| t.hears(track)) {
            t.sequence += 1;
            let mut p = self.transcription_params(sid, t, "transcription-content");
            let data = serde_json::json!({"transcript": text, "confidence": 0.92});
            p.extend([
                ("LanguageCode".to_owned(), t.language.clone()),
                ("Track".to_owned(), track.to_owned()),
                ("TranscriptionData".to_owned(), data.to_string()),
                ("Final".to_owned(), "true".to_owned()),
                ("SequenceId".to_owned(), t.sequence.to_string()),
                ("Stability".to_owned(), "1.0".to_owned()),
            ]);
            self.enqueue(&t.hook.url, p);
        }
    }

    /// The party of call `sid` said `text`: its own inbound track hears it, and the outbound
    /// track of every other participant connected with it in its conference (neither held,
    /// the speaker not muted).
    pub(crate) fn w_said(&self, w: &mut World, sid: &str, text: &str) {
        self.w_transcribe(w, sid, text, "inbound_track");
        let listeners: Vec<String> = w
            .calls
            .get(sid)
            .and_then(|c| c.conference_sid.as_ref())
            .and_then(|conf| w.conferences.get(conf))
            .filter(|conf| {
                conf.participant(sid)
                    .is_some_and(|p| p.status == "connected" && !p.hold && !p.muted)
            })
            .map(|conf| {
                conf.participants
                    .iter()
                    .filter(|p| p.call_sid != sid && p.status == "connected" && !p.hold)
                    .map(|p| p.call_sid.clone())
                    .collect()
            })
            .unwrap_or_default();
        for listener in listeners {
            self.w_transcribe(w, &listener, text, "outbound_track");
        }
    }

    /// Call `sid` was played a `<Say>`: its outbound track hears the text.
    pub(crate) fn w_said_to(&self, w: &mut World, sid: &str, text: &str) {
        if !text.starts_with('♪') && !text.trim().is_empty() {
            self.w_transcribe(w, sid, text, "outbound_track");
        }
    }

    /// The call ended: its transcriptions stop (and say so).
    pub(crate) fn w_transcriptions_stopped(&self, w: &mut World, sid: &str) {
        for t in w.voicemail.transcriptions.by_call.remove(sid).unwrap_or_default() {
            let p = self.transcription_params(sid, &t, "transcription-stopped");
            self.enqueue(&t.hook.url, p);
        }
    }

    /// The operator's leg connected with customer call `sid` in its conference: a connected
    /// participant other than the customer, not held, preferring the one labelled `operator`.
    fn w_operator_leg(w: &World, sid: &str) -> Option<String> {
        let conf = w
            .calls
            .get(sid)
            .and_then(|c| c.conference_sid.as_ref())
            .and_then(|conf| w.conferences.get(conf))?;
        if conf.participant(sid).is_none_or(|p| p.status != "connected") {
            return None;
        }
        let others: Vec<_> = conf
            .participants
            .iter()
            .filter(|p| p.call_sid != sid && p.status == "connected" && !p.hold)
            .collect();
        others
            .iter()
            .find(|p| p.label.as_deref() == Some("operator"))
            .or(others.first())
            .map(|p| p.call_sid.clone())
    }

    /// The operator connected with customer call `sid` says `text`. False when nobody is.
    pub fn operator_speaks(&self, sid: &str, text: &str) -> bool {
        let Some(leg) = self.with_world(|w| Self::w_operator_leg(w, sid)) else {
            return false;
        };
        self.speak(&leg, text)
    }

    /// Plays `script` on customer call `sid`: once an operator is connected with them, each
    /// line is said in order by its speaker, a pause apart. Stops when the call ends.
    pub fn run_script(&self, sid: &str, script: Vec<ScriptLine>) {
        if script.is_empty() {
            return;
        }
        let sim = self.clone();
        let sid = sid.to_owned();
        let gap = Duration::from_secs_f64((SCRIPT_GAP_SECONDS * self.inner.config.pause_scale).max(0.05));
        tokio::spawn(async move {
            for line in script {
                loop {
                    let (over, connected) = {
                        let w = sim.world();
                        let over = w.calls.get(&sid).is_none_or(|c| c.is_over());
                        (over, Self::w_operator_leg(&w, &sid).is_some())
                    };
                    if over {
                        return;
                    }
                    if connected {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                tokio::time::sleep(gap).await;
                let said = match line.speaker {
                    Speaker::Customer => sim.speak(&sid, &line.text),
                    Speaker::Operator => sim.operator_speaks(&sid, &line.text),
                };
                if !said {
                    tracing::info!(call = %sid, "a scripted line was not said: the call moved on");
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_line_is_read_by_speaker_and_an_empty_one_is_refused() {
        let line: ScriptLine =
            serde_json::from_str(r#"{"speaker":"operator","text":"お電話ありがとうございます"}"#).unwrap();
        assert_eq!(line.speaker, Speaker::Operator);
        assert!(line.check().is_ok());
        let empty = ScriptLine {
            speaker: Speaker::Customer,
            text: "  ".into(),
        };
        assert!(empty.check().unwrap_err().contains("1 to 2,000"));
        assert!(serde_json::from_str::<ScriptLine>(r#"{"speaker":"agent","text":"x"}"#).is_err());
    }
}
