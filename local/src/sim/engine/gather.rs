//! `<Gather>` as Twilio plays it: the nested prompts are heard, then the caller's next scripted
//! choice (`POST /sim/calls {"choices": [...]}`) is taken — keys posted to the action as
//! `Digits` (cut to `numDigits`), words as `SpeechResult` with their `Confidence` when the
//! `<Gather>` listens for speech — and a caller with nothing left to choose stays silent for the
//! timeout, after which the document goes on to the verb after the `<Gather>` (or posts the
//! action empty with `actionOnEmptyResult="true"`).

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use shared::twilio::twiml::rules::TwimlElement;

use super::{Hook, Instructions, Simulator};

/// One thing a simulated caller does at a `<Gather>`: press keys, say words, or nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Keys pressed (`0`–`9`, `*`, `#`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digits: Option<String>,
    /// Words said, as the recogniser would return them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speech: Option<String>,
    /// The recogniser's confidence in `speech`, 0 to 1 (0.9 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

impl Choice {
    /// Refuses keys a phone does not have and a confidence outside 0–1.
    pub fn check(&self) -> Result<(), String> {
        if let Some(d) = &self.digits
            && (d.is_empty() || !d.chars().all(|c| c.is_ascii_digit() || c == '*' || c == '#'))
        {
            return Err(format!("digits are 0-9, * and #, not {d:?}"));
        }
        if self.confidence.is_some_and(|c| !(0.0..=1.0).contains(&c)) {
            return Err("confidence is 0 to 1".into());
        }
        if self.digits.is_some() && self.speech.is_some() {
            return Err("a choice is digits or speech, not both".into());
        }
        Ok(())
    }
}

/// How a `<Gather>` ended.
pub(crate) enum Gathered {
    /// Fetch the action with what was heard.
    Then(Instructions),
    /// Nothing heard: go on to the next verb.
    Continue,
    /// The call was cancelled or redirected meanwhile.
    Cancelled,
}

impl Simulator {
    /// Plays one `<Gather>` of call `sid`'s document at `base`.
    pub(crate) async fn gather(
        &self,
        sid: &str,
        verb: &TwimlElement,
        base: &str,
        token: &CancellationToken,
    ) -> Gathered {
        for prompt in &verb.children {
            match prompt.name.as_str() {
                "Say" => self.with_world(|w| self.w_hear(w, sid, prompt.text.trim().to_owned())),
                "Play" => self.with_world(|w| self.w_hear(w, sid, format!("♪ {}", prompt.text.trim()))),
                _ => {
                    let secs = prompt.attr("length").and_then(|l| l.parse::<f64>().ok()).unwrap_or(1.0);
                    if !self.pause(secs, token).await {
                        return Gathered::Cancelled;
                    }
                }
            }
        }
        if token.is_cancelled() {
            return Gathered::Cancelled;
        }
        let inputs = verb.attr("input").unwrap_or("dtmf");
        let listens = |kind: &str| inputs.split_whitespace().any(|i| i == kind);
        let choice = self.with_world(|w| w.calls.get_mut(sid).and_then(|c| c.choices.pop_front()));
        let mut heard: Vec<(String, String)> = Vec::new();
        match choice {
            Some(Choice { digits: Some(keys), .. }) if listens("dtmf") => {
                let wanted = verb.attr("numDigits").and_then(|n| n.parse::<usize>().ok());
                let finish = verb.attr("finishOnKey").unwrap_or("#");
                let mut pressed: String = keys.chars().take(wanted.unwrap_or(usize::MAX)).collect();
                let mut finished_on = String::new();
                if wanted.is_none()
                    && let Some(at) = pressed.find(|c| finish.contains(c))
                {
                    finished_on = pressed[at..at + 1].to_owned();
                    pressed.truncate(at);
                }
                self.with_world(|w| {
                    if let Some(c) = w.calls.get_mut(sid) {
                        c.digits.push_str(&keys);
                    }
                });
                heard.push(("Digits".into(), pressed));
                heard.push(("FinishedOnKey".into(), finished_on));
            }
            Some(Choice {
                speech: Some(words),
                confidence,
                ..
            }) if listens("speech") => {
                heard.push(("SpeechResult".into(), words));
                heard.push(("Confidence".into(), format!("{:.8}", confidence.unwrap_or(0.9))));
                if let Some(language) = verb.attr("language") {
                    heard.push(("Language".into(), language.to_owned()));
                }
            }
            _ => {
                // Silence (or input this <Gather> does not listen for): the timeout runs out.
                let secs = verb.attr("timeout").and_then(|t| t.parse::<f64>().ok()).unwrap_or(5.0);
                if !self.pause(secs, token).await {
                    return Gathered::Cancelled;
                }
                if verb.attr("actionOnEmptyResult") != Some("true") {
                    return Gathered::Continue;
                }
            }
        }
        let url = verb
            .attr("action")
            .map(|a| self.absolute(base, a))
            .unwrap_or_else(|| base.to_owned());
        let method = verb.attr("method").unwrap_or("POST").to_owned();
        Gathered::Then(Instructions::Fetch(Hook { url, method }, heard))
    }
}
