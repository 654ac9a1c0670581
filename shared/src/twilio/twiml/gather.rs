//! `<Gather>`: the caller's choice in a menu, by keys (DTMF) or by voice (speech recognition),
//! with the prompts said while Twilio listens. Twilio posts what it heard to `action` as
//! `Digits`, or `SpeechResult` with its `Confidence`; when the caller gives nothing before the
//! timeout Twilio goes on to the verb after the `<Gather>` (a `<Redirect>` back to the menu, as
//! Twilio's guidance does it).

use super::{HttpMethod, Node, Pause, Play, Say, SayLanguage, Verb};

wire_enum!(
    /// `<Gather input>`: what Twilio listens for.
    GatherInput {
        Dtmf = "dtmf",
        Speech = "speech",
    }
);

/// `<Gather>`: listens for keys or speech while its prompts play.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gather {
    action: Option<String>,
    method: Option<HttpMethod>,
    input: Vec<GatherInput>,
    language: Option<SayLanguage>,
    num_digits: Option<u32>,
    timeout: Option<u32>,
    speech_timeout_auto: bool,
    hints: Option<String>,
    action_on_empty_result: Option<bool>,
    prompts: Vec<Verb>,
}

impl Gather {
    /// Listens with Twilio's defaults (keys only, 5 s, the document's own URL as action).
    pub fn new() -> Self {
        Self::default()
    }

    /// Where Twilio posts what it heard (POST).
    pub fn action(mut self, url: impl Into<String>) -> Self {
        self.action = Some(url.into());
        self.method = Some(HttpMethod::Post);
        self
    }

    /// Keys, speech or both.
    pub fn input(mut self, input: &[GatherInput]) -> Self {
        self.input = input.to_vec();
        self
    }

    /// The language speech is recognised in.
    pub fn language(mut self, language: SayLanguage) -> Self {
        self.language = Some(language);
        self
    }

    /// The number of keys that ends the input at once.
    pub fn num_digits(mut self, n: u32) -> Self {
        self.num_digits = Some(n);
        self
    }

    /// Seconds of silence after the prompts (or between keys) that end the input.
    pub fn timeout(mut self, seconds: u32) -> Self {
        self.timeout = Some(seconds);
        self
    }

    /// Speech ends when the caller pauses (`speechTimeout="auto"`).
    pub fn speech_timeout_auto(mut self) -> Self {
        self.speech_timeout_auto = true;
        self
    }

    /// Words and phrases the recogniser should expect, comma-separated.
    pub fn hints(mut self, hints: impl Into<String>) -> Self {
        self.hints = Some(hints.into());
        self
    }

    /// Whether `action` is fetched even when nothing was heard.
    pub fn action_on_empty_result(mut self, on: bool) -> Self {
        self.action_on_empty_result = Some(on);
        self
    }

    /// Says `say` while listening.
    pub fn say(mut self, say: Say) -> Self {
        self.prompts.push(Verb::Say(say));
        self
    }

    /// Plays `play` while listening.
    pub fn play(mut self, play: Play) -> Self {
        self.prompts.push(Verb::Play(play));
        self
    }

    /// Waits silently while listening.
    pub fn pause(mut self, pause: Pause) -> Self {
        self.prompts.push(Verb::Pause(pause));
        self
    }

    pub(super) fn node(&self) -> Node {
        let mut node = Node::new("Gather")
            .attr("action", self.action.as_deref())
            .attr("method", self.method)
            .list_attr("input", &self.input)
            .attr("language", self.language)
            .attr("numDigits", self.num_digits)
            .attr("timeout", self.timeout)
            .attr("speechTimeout", self.speech_timeout_auto.then_some("auto"))
            .attr("hints", self.hints.as_deref())
            .attr("actionOnEmptyResult", self.action_on_empty_result);
        for prompt in &self.prompts {
            node = node.child(prompt.node());
        }
        node
    }
}

#[cfg(test)]
mod tests {
    use super::super::VoiceResponse;
    use super::*;
    use crate::twilio::twiml::Redirect;

    #[test]
    fn a_menu_listens_for_a_key_or_japanese_words_while_it_speaks() {
        let xml = VoiceResponse::new()
            .gather(
                Gather::new()
                    .action("https://c.example.jp/twilio/voice/menu?line=main&at=&attempt=1")
                    .input(&[GatherInput::Dtmf, GatherInput::Speech])
                    .language(SayLanguage::JaJp)
                    .num_digits(1)
                    .timeout(5)
                    .speech_timeout_auto()
                    .hints("料金,修理")
                    .say(Say::new("料金のお問い合わせは1を押してください。").language(SayLanguage::JaJp)),
            )
            .redirect(Redirect::new(
                "https://c.example.jp/twilio/voice/menu?line=main&at=&attempt=1",
            ))
            .to_xml();
        assert!(
            xml.contains(
                r#"<Gather action="https://c.example.jp/twilio/voice/menu?line=main&amp;at=&amp;attempt=1" hints="料金,修理" input="dtmf speech" language="ja-JP" method="POST" numDigits="1" speechTimeout="auto" timeout="5"><Say language="ja-JP">料金のお問い合わせは1を押してください。</Say></Gather>"#
            ),
            "{xml}"
        );
        #[cfg(feature = "twilio-rules")]
        assert_eq!(super::super::rules::validate_twiml(&xml), Ok(()));
    }
}
