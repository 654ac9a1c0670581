//! `<Record>` (a caller's message) and `<Start><Transcription>` (Twilio's real-time
//! transcription of the call's audio), the two verbs a voicemail box needs.
//!
//! `<Record transcribe="true">` transcribes in English only, so a Japanese message is
//! transcribed by starting a real-time transcription (`languageCode="ja-JP"`, the caller's
//! track only) before the prompt: Twilio posts each final phrase to `statusCallbackUrl` as a
//! `transcription-content` event while the caller speaks, and the recording's own callback
//! says when the message is complete.

use super::{HttpMethod, Node, RecordingStatusEvent, Trim};

wire_enum!(
    /// `<Transcription track>`: whose audio is transcribed.
    TranscriptionTrack {
        InboundTrack = "inbound_track",
        OutboundTrack = "outbound_track",
        BothTracks = "both_tracks",
    }
);

/// `<Record>`: records what the caller says, then fetches `action` with the recording.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    action: Option<String>,
    method: Option<HttpMethod>,
    timeout: Option<u32>,
    finish_on_key: Option<String>,
    max_length: Option<u32>,
    play_beep: Option<bool>,
    trim: Option<Trim>,
    recording_status_callback: Option<String>,
    recording_status_callback_event: Vec<RecordingStatusEvent>,
    recording_status_callback_method: Option<HttpMethod>,
}

impl Record {
    /// A recording with Twilio's defaults (beep, 5 s of silence ends it, `#` or `*` ends it,
    /// an hour at most).
    pub fn new() -> Self {
        Self::default()
    }

    /// The document fetched when the recording ends, with `RecordingUrl`, `RecordingSid`,
    /// `RecordingDuration` and `Digits`.
    pub fn action(mut self, url: impl Into<String>) -> Self {
        self.action = Some(url.into());
        self.method = Some(HttpMethod::Post);
        self
    }

    /// Seconds of silence that end the recording.
    pub fn timeout(mut self, seconds: u32) -> Self {
        self.timeout = Some(seconds);
        self
    }

    /// The keys that end the recording.
    pub fn finish_on_key(mut self, keys: impl Into<String>) -> Self {
        self.finish_on_key = Some(keys.into());
        self
    }

    /// The longest recording, in seconds.
    pub fn max_length(mut self, seconds: u32) -> Self {
        self.max_length = Some(seconds);
        self
    }

    /// Whether the caller hears a beep before recording starts.
    pub fn play_beep(mut self, beep: bool) -> Self {
        self.play_beep = Some(beep);
        self
    }

    /// Whether leading and trailing silence is trimmed.
    pub fn trim(mut self, trim: Trim) -> Self {
        self.trim = Some(trim);
        self
    }

    /// Where Twilio reports the recording's progress (POST), for `events`.
    pub fn recording_status_callback(mut self, url: impl Into<String>, events: &[RecordingStatusEvent]) -> Self {
        self.recording_status_callback = Some(url.into());
        self.recording_status_callback_event = events.to_vec();
        self.recording_status_callback_method = Some(HttpMethod::Post);
        self
    }

    pub(super) fn node(&self) -> Node {
        Node::new("Record")
            .attr("action", self.action.as_deref())
            .attr("method", self.method)
            .attr("timeout", self.timeout)
            .attr("finishOnKey", self.finish_on_key.as_deref())
            .attr("maxLength", self.max_length)
            .attr("playBeep", self.play_beep)
            .attr("trim", self.trim)
            .attr("recordingStatusCallback", self.recording_status_callback.as_deref())
            .list_attr("recordingStatusCallbackEvent", &self.recording_status_callback_event)
            .attr("recordingStatusCallbackMethod", self.recording_status_callback_method)
    }
}

/// `<Start>`: starts something that runs beside the call's next verbs (here a real-time
/// transcription) until the call ends or it is stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    transcription: Transcription,
}

impl Start {
    /// Starts `transcription`.
    pub fn transcription(transcription: Transcription) -> Self {
        Self { transcription }
    }

    pub(super) fn node(&self) -> Node {
        Node::new("Start").child(self.transcription.node())
    }
}

/// `<Stop>`: stops what a `<Start>` started, named by the name it was started with (here a
/// real-time transcription: `<Stop><Transcription name="…"/></Stop>`). Twilio's REST
/// equivalent is `POST /Calls/{CallSid}/Transcriptions/{name}.json` with `Status=stopped`; in
/// TwiML it costs no request of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    transcription: String,
}

impl Stop {
    /// Stops the real-time transcription started with `name`.
    pub fn transcription(name: impl Into<String>) -> Self {
        Self {
            transcription: name.into(),
        }
    }

    pub(super) fn node(&self) -> Node {
        Node::new("Stop").child(Node::new("Transcription").attr("name", Some(self.transcription.as_str())))
    }
}

/// `<Transcription>` inside `<Start>`: real-time speech-to-text of the call's audio, each
/// result posted to `statusCallbackUrl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcription {
    name: Option<String>,
    language_code: String,
    track: Option<TranscriptionTrack>,
    status_callback_url: String,
    status_callback_method: Option<HttpMethod>,
    partial_results: Option<bool>,
    enable_automatic_punctuation: Option<bool>,
    inbound_track_label: Option<String>,
    outbound_track_label: Option<String>,
}

impl Transcription {
    /// Transcribes in `language_code` (BCP-47, such as `ja-JP`), reporting to
    /// `status_callback_url` (POST).
    pub fn new(language_code: impl Into<String>, status_callback_url: impl Into<String>) -> Self {
        Self {
            name: None,
            language_code: language_code.into(),
            track: None,
            status_callback_url: status_callback_url.into(),
            status_callback_method: Some(HttpMethod::Post),
            partial_results: None,
            enable_automatic_punctuation: None,
            inbound_track_label: None,
            outbound_track_label: None,
        }
    }

    /// A name that identifies the transcription on the call (to stop it by name).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Whose audio is transcribed.
    pub fn track(mut self, track: TranscriptionTrack) -> Self {
        self.track = Some(track);
        self
    }

    /// Whether interim (not final) results are posted too.
    pub fn partial_results(mut self, partial: bool) -> Self {
        self.partial_results = Some(partial);
        self
    }

    /// Whether the engine adds punctuation.
    pub fn automatic_punctuation(mut self, on: bool) -> Self {
        self.enable_automatic_punctuation = Some(on);
        self
    }

    /// The name Twilio gives the inbound track's speaker in its results.
    pub fn inbound_track_label(mut self, label: impl Into<String>) -> Self {
        self.inbound_track_label = Some(label.into());
        self
    }

    /// The name Twilio gives the outbound track's speaker in its results.
    pub fn outbound_track_label(mut self, label: impl Into<String>) -> Self {
        self.outbound_track_label = Some(label.into());
        self
    }

    fn node(&self) -> Node {
        Node::new("Transcription")
            .attr("name", self.name.as_deref())
            .attr("languageCode", Some(self.language_code.as_str()))
            .attr("track", self.track)
            .attr("statusCallbackUrl", Some(self.status_callback_url.as_str()))
            .attr("statusCallbackMethod", self.status_callback_method)
            .attr("partialResults", self.partial_results)
            .attr("enableAutomaticPunctuation", self.enable_automatic_punctuation)
            .attr("inboundTrackLabel", self.inbound_track_label.as_deref())
            .attr("outboundTrackLabel", self.outbound_track_label.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::super::VoiceResponse;
    use super::*;

    #[test]
    fn a_voicemail_document_starts_a_japanese_transcription_then_records() {
        let xml = VoiceResponse::new()
            .start(Start::transcription(
                Transcription::new("ja-JP", "https://c.example.jp/t?x=1&y=2")
                    .name("voicemail")
                    .track(TranscriptionTrack::InboundTrack)
                    .partial_results(false),
            ))
            .record(
                Record::new()
                    .action("https://c.example.jp/done")
                    .max_length(120)
                    .timeout(10)
                    .finish_on_key("#")
                    .play_beep(true)
                    .recording_status_callback("https://c.example.jp/rec", &[RecordingStatusEvent::Completed]),
            )
            .to_xml();
        assert!(
            xml.contains(r#"<Start><Transcription languageCode="ja-JP" name="voicemail" partialResults="false" statusCallbackMethod="POST" statusCallbackUrl="https://c.example.jp/t?x=1&amp;y=2" track="inbound_track" /></Start>"#),
            "{xml}"
        );
        assert!(xml.contains(r##"<Record action="https://c.example.jp/done" finishOnKey="#" maxLength="120" method="POST" playBeep="true" recordingStatusCallback="https://c.example.jp/rec" recordingStatusCallbackEvent="completed" recordingStatusCallbackMethod="POST" timeout="10" />"##), "{xml}");
    }
}
