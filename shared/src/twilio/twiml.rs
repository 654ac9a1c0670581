//! TwiML for Voice: a typed builder for the documents we answer with.
//!
//! The builder covers what a conference-based call centre says to Twilio: greet
//! (`<Say>`, `<Play>`, `<Pause>`), move a call on (`<Redirect>`, `<Hangup>`,
//! `<Reject>`) and connect it (`<Dial>` with `<Conference>`, `<Client>` or
//! `<Number>`). Every attribute and every piece of text is escaped as it is
//! written, so a caller name such as `<Dial>&"'` is spoken, never executed.
//! Attributes with a fixed set of values take enums, so a typo cannot reach Twilio.
//! The output matches Twilio's Python helper library byte for byte (attributes
//! sorted by name, `<Hangup />` with a space), which the tests check against
//! documents that library generated.
//!
//! Checking a document against Twilio's rules is another job, done by `rules`
//! (feature `twilio-rules`): only the local Twilio simulator, the fuzz targets and
//! the tests read TwiML, so the deployed functions do not carry the checker.

use std::borrow::Cow;

use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;

use super::{CallSid, ClientIdentity};

mod record;
#[cfg(feature = "twilio-rules")]
pub mod rules;

pub use record::{Record, Start, Stop, Transcription, TranscriptionTrack};

wire_enum!(
    /// HTTP method Twilio uses for a callback or a document fetch.
    HttpMethod {
        Get = "GET",
        Post = "POST",
    }
);

wire_enum!(
    /// Text-to-speech voices the console may use. Twilio's full list is long; these
    /// are the Japanese voices (the product's first language), a few English ones,
    /// and the three basic voices. Add a variant to use another.
    SayVoice {
        Man = "man",
        Woman = "woman",
        Alice = "alice",
        PollyMizuki = "Polly.Mizuki",
        PollyTakumi = "Polly.Takumi",
        PollyTakumiNeural = "Polly.Takumi-Neural",
        PollyKazuhaNeural = "Polly.Kazuha-Neural",
        PollyTomokoNeural = "Polly.Tomoko-Neural",
        GoogleJaJpStandardA = "Google.ja-JP-Standard-A",
        GoogleJaJpStandardB = "Google.ja-JP-Standard-B",
        GoogleJaJpStandardC = "Google.ja-JP-Standard-C",
        GoogleJaJpStandardD = "Google.ja-JP-Standard-D",
        GoogleJaJpWavenetA = "Google.ja-JP-Wavenet-A",
        GoogleJaJpWavenetB = "Google.ja-JP-Wavenet-B",
        GoogleJaJpWavenetC = "Google.ja-JP-Wavenet-C",
        GoogleJaJpWavenetD = "Google.ja-JP-Wavenet-D",
        GoogleJaJpNeural2B = "Google.ja-JP-Neural2-B",
        GoogleJaJpNeural2C = "Google.ja-JP-Neural2-C",
        GoogleJaJpNeural2D = "Google.ja-JP-Neural2-D",
        GoogleJaJpChirp3HdAoede = "Google.ja-JP-Chirp3-HD-Aoede",
        GoogleJaJpChirp3HdCharon = "Google.ja-JP-Chirp3-HD-Charon",
        GoogleJaJpChirp3HdFenrir = "Google.ja-JP-Chirp3-HD-Fenrir",
        GoogleJaJpChirp3HdKore = "Google.ja-JP-Chirp3-HD-Kore",
        GoogleJaJpChirp3HdLeda = "Google.ja-JP-Chirp3-HD-Leda",
        GoogleJaJpChirp3HdOrus = "Google.ja-JP-Chirp3-HD-Orus",
        GoogleJaJpChirp3HdPuck = "Google.ja-JP-Chirp3-HD-Puck",
        GoogleJaJpChirp3HdZephyr = "Google.ja-JP-Chirp3-HD-Zephyr",
        PollyJoanna = "Polly.Joanna",
        PollyJoannaNeural = "Polly.Joanna-Neural",
        PollyMatthew = "Polly.Matthew",
        PollyMatthewNeural = "Polly.Matthew-Neural",
    }
);

impl SayVoice {
    /// The one language this voice speaks, or `None` for the basic voices that
    /// speak several. Twilio fails a `<Say>` whose voice and language disagree.
    pub fn language(self) -> Option<SayLanguage> {
        let name = self.as_str();
        if name.starts_with("Google.ja-JP")
            || matches!(
                self,
                SayVoice::PollyMizuki
                    | SayVoice::PollyTakumi
                    | SayVoice::PollyTakumiNeural
                    | SayVoice::PollyKazuhaNeural
                    | SayVoice::PollyTomokoNeural
            )
        {
            Some(SayLanguage::JaJp)
        } else if name.starts_with("Polly.") {
            Some(SayLanguage::EnUs)
        } else {
            None
        }
    }
}

wire_enum!(
    /// Languages `<Say>` is used with in the console.
    SayLanguage {
        JaJp = "ja-JP",
        EnUs = "en-US",
        EnGb = "en-GB",
        KoKr = "ko-KR",
        CmnCn = "cmn-CN",
    }
);

wire_enum!(
    /// `<Reject reason>`: what the caller hears.
    RejectReason {
        Rejected = "rejected",
        Busy = "busy",
    }
);

wire_enum!(
    /// `<Dial record>`: whether and how the dialled call is recorded.
    DialRecord {
        DoNotRecord = "do-not-record",
        RecordFromAnswer = "record-from-answer",
        RecordFromRinging = "record-from-ringing",
        RecordFromAnswerDual = "record-from-answer-dual",
        RecordFromRingingDual = "record-from-ringing-dual",
    }
);

wire_enum!(
    /// `<Dial ringTone>`: the national ringback tone the caller hears.
    RingTone {
        At = "at", Au = "au", Bg = "bg", Br = "br", Be = "be", Ch = "ch", Cl = "cl",
        Cn = "cn", Cz = "cz", De = "de", Dk = "dk", Ee = "ee", Es = "es", Fi = "fi",
        Fr = "fr", Gr = "gr", Hu = "hu", Il = "il", In = "in", It = "it", Lt = "lt",
        Jp = "jp", Mx = "mx", My = "my", Nl = "nl", No = "no", Nz = "nz", Ph = "ph",
        Pl = "pl", Pt = "pt", Ru = "ru", Se = "se", Sg = "sg", Th = "th", Uk = "uk",
        Us = "us", UsOld = "us-old", Tw = "tw", Ve = "ve", Za = "za",
    }
);

wire_enum!(
    /// `<Conference beep>`: when participants hear the entry/exit beep.
    ConferenceBeep {
        True = "true",
        False = "false",
        OnEnter = "onEnter",
        OnExit = "onExit",
    }
);

wire_enum!(
    /// `<Conference record>`.
    ConferenceRecord {
        DoNotRecord = "do-not-record",
        RecordFromStart = "record-from-start",
    }
);

wire_enum!(
    /// A recording status report Twilio can send (`recordingStatusCallbackEvent`).
    RecordingStatusEvent {
        InProgress = "in-progress",
        Completed = "completed",
        Absent = "absent",
    }
);

wire_enum!(
    /// `<Conference region>`: where the conference's media is mixed. `jp1` keeps
    /// Japanese calls' audio in Tokyo.
    ConferenceRegion {
        Us1 = "us1", Us2 = "us2", Ie1 = "ie1", Sg1 = "sg1",
        Br1 = "br1", Au1 = "au1", Jp1 = "jp1", De1 = "de1",
    }
);

wire_enum!(
    /// `trim` on `<Conference>` and `<Dial>`: whether silence is trimmed from recordings.
    Trim {
        TrimSilence = "trim-silence",
        DoNotTrim = "do-not-trim",
    }
);

wire_enum!(
    /// `<Conference statusCallbackEvent>` values; the callbacks themselves arrive
    /// as `conference-start`, `participant-join` and so on.
    ConferenceStatusEvent {
        Start = "start", End = "end", Join = "join", Leave = "leave", Mute = "mute",
        Hold = "hold", Modify = "modify", Speaker = "speaker", Announcement = "announcement",
    }
);

wire_enum!(
    /// `<Conference jitterBufferSize>`.
    JitterBufferSize {
        Large = "large", Medium = "medium", Small = "small", Off = "off",
    }
);

wire_enum!(
    /// Call progress events a status callback can subscribe to, in TwiML
    /// (`<Client>`, `<Number>`) and in REST (`StatusCallbackEvent`).
    CallProgressEvent {
        Initiated = "initiated",
        Ringing = "ringing",
        Answered = "answered",
        Completed = "completed",
    }
);

mod gather;

pub use gather::{Gather, GatherInput};

/// A TwiML `<Response>` for a voice call: the verbs Twilio runs, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoiceResponse {
    verbs: Vec<Verb>,
}

/// One verb of a [`VoiceResponse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    /// Listen for keys or speech while prompts play (a menu).
    Gather(Box<Gather>),
    /// Speak text.
    Say(Say),
    /// Play an audio file.
    Play(Play),
    /// Wait silently.
    Pause(Pause),
    /// Fetch and run another document.
    Redirect(Redirect),
    /// End the call.
    Hangup,
    /// Refuse the call without answering it.
    Reject(Reject),
    /// Connect the call to a conference, a softphone or a number (boxed: it is by far the
    /// largest verb).
    Dial(Box<Dial>),
    /// Record the caller's message.
    Record(Box<Record>),
    /// Start a real-time transcription beside the next verbs.
    Start(Box<Start>),
    /// Stop a real-time transcription started earlier in the call.
    Stop(Stop),
}

impl VoiceResponse {
    /// An empty response, which makes Twilio hang up.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends any verb.
    pub fn verb(mut self, verb: Verb) -> Self {
        self.verbs.push(verb);
        self
    }

    /// Appends `<Say>`.
    pub fn say(self, say: Say) -> Self {
        self.verb(Verb::Say(say))
    }

    /// Appends `<Gather>`.
    pub fn gather(self, gather: Gather) -> Self {
        self.verb(Verb::Gather(Box::new(gather)))
    }

    /// Appends `<Play>`.
    pub fn play(self, play: Play) -> Self {
        self.verb(Verb::Play(play))
    }

    /// Appends `<Pause>`.
    pub fn pause(self, pause: Pause) -> Self {
        self.verb(Verb::Pause(pause))
    }

    /// Appends `<Redirect>`.
    pub fn redirect(self, redirect: Redirect) -> Self {
        self.verb(Verb::Redirect(redirect))
    }

    /// Appends `<Hangup/>`.
    pub fn hangup(self) -> Self {
        self.verb(Verb::Hangup)
    }

    /// Appends `<Reject/>`. Twilio only avoids answering (and billing) the call
    /// when `<Reject>` is the first verb.
    pub fn reject(self, reject: Reject) -> Self {
        self.verb(Verb::Reject(reject))
    }

    /// Appends `<Dial>`.
    pub fn dial(self, dial: Dial) -> Self {
        self.verb(Verb::Dial(Box::new(dial)))
    }

    /// Appends `<Record>`.
    pub fn record(self, record: Record) -> Self {
        self.verb(Verb::Record(Box::new(record)))
    }

    /// Appends `<Stop>`.
    pub fn stop(self, stop: Stop) -> Self {
        self.verb(Verb::Stop(stop))
    }

    /// Appends `<Start>`.
    pub fn start(self, start: Start) -> Self {
        self.verb(Verb::Start(Box::new(start)))
    }

    /// The verbs so far.
    pub fn verbs(&self) -> &[Verb] {
        &self.verbs
    }

    /// The document, starting with the XML declaration, as Twilio's helper library
    /// writes it. Characters XML cannot carry at all (most C0 controls) are dropped.
    pub fn to_xml(&self) -> String {
        let root = Node {
            name: "Response",
            attrs: Vec::new(),
            text: None,
            children: self.verbs.iter().map(Verb::node).collect(),
        };
        let mut writer = Writer::new(Vec::new());
        writer.config_mut().add_space_before_slash_in_empty_elements = true;
        write_all(&mut writer, &root);
        String::from_utf8(writer.into_inner()).expect("the writer only receives UTF-8")
    }
}

impl std::fmt::Display for VoiceResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_xml())
    }
}

/// `<Say>`: text spoken to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Say {
    text: String,
    voice: Option<SayVoice>,
    language: Option<SayLanguage>,
    loop_count: Option<u32>,
}

impl Say {
    /// Speaks `text` (escaped on output, so any text is safe).
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            voice: None,
            language: None,
            loop_count: None,
        }
    }

    /// Speaks in `voice` and in the language that voice speaks, so the pair cannot
    /// disagree (Twilio fails a `<Say>` whose voice and language disagree).
    pub fn voice(mut self, voice: SayVoice) -> Self {
        self.voice = Some(voice);
        if let Some(language) = voice.language() {
            self.language = Some(language);
        }
        self
    }

    /// Sets the language, for the basic voices that speak several.
    pub fn language(mut self, language: SayLanguage) -> Self {
        self.language = Some(language);
        self
    }

    /// Repeats the text; 0 means "until something else happens" (up to 1000 times).
    pub fn loop_count(mut self, times: u32) -> Self {
        self.loop_count = Some(times);
        self
    }
}

/// `<Play>`: an audio file played to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Play {
    url: String,
    loop_count: Option<u32>,
}

impl Play {
    /// Plays the audio at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            loop_count: None,
        }
    }

    /// Repeats the audio; 0 loops until something else happens (hold music).
    pub fn loop_count(mut self, times: u32) -> Self {
        self.loop_count = Some(times);
        self
    }
}

/// `<Pause>`: silence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pause {
    length: Option<u32>,
}

impl Pause {
    /// A pause of Twilio's default length (one second).
    pub fn new() -> Self {
        Self::default()
    }

    /// A pause of `seconds`.
    pub fn seconds(seconds: u32) -> Self {
        Self { length: Some(seconds) }
    }
}

/// `<Redirect>`: continue with the document at another URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    url: String,
    method: Option<HttpMethod>,
}

impl Redirect {
    /// Redirects to `url` with Twilio's default method (POST).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            method: None,
        }
    }

    /// Sets the method Twilio fetches the URL with.
    pub fn method(mut self, method: HttpMethod) -> Self {
        self.method = Some(method);
        self
    }
}

/// `<Reject>`: refuse the call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reject {
    reason: Option<RejectReason>,
}

impl Reject {
    /// Rejects with Twilio's default (`rejected`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Rejects with a busy signal or a "not in service" message.
    pub fn reason(reason: RejectReason) -> Self {
        Self { reason: Some(reason) }
    }
}

/// `<Dial>`: connect the call to one conference, or ring up to ten endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dial {
    target: DialTarget,
    action: Option<String>,
    method: Option<HttpMethod>,
    timeout: Option<u32>,
    caller_id: Option<String>,
    answer_on_bridge: Option<bool>,
    record: Option<DialRecord>,
    ring_tone: Option<RingTone>,
    time_limit: Option<u32>,
}

/// What a `<Dial>` connects to. A conference must be alone in its `<Dial>`, which
/// this type makes impossible to get wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialTarget {
    /// Join a conference.
    Conference(Conference),
    /// Ring these endpoints at once; the first to answer wins.
    Endpoints(Vec<DialEndpoint>),
}

/// An endpoint `<Dial>` can ring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialEndpoint {
    /// An operator's softphone.
    Client(Client),
    /// A phone number.
    Number(Number),
}

impl Dial {
    fn with_target(target: DialTarget) -> Self {
        Self {
            target,
            action: None,
            method: None,
            timeout: None,
            caller_id: None,
            answer_on_bridge: None,
            record: None,
            ring_tone: None,
            time_limit: None,
        }
    }

    /// Joins the call to a conference.
    pub fn conference(conference: Conference) -> Self {
        Self::with_target(DialTarget::Conference(conference))
    }

    /// Rings one softphone.
    pub fn client(client: Client) -> Self {
        Self::with_target(DialTarget::Endpoints(vec![DialEndpoint::Client(client)]))
    }

    /// Rings one number.
    pub fn number(number: Number) -> Self {
        Self::with_target(DialTarget::Endpoints(vec![DialEndpoint::Number(number)]))
    }

    /// Rings several endpoints at once (Twilio allows up to ten).
    pub fn endpoints(endpoints: Vec<DialEndpoint>) -> Self {
        Self::with_target(DialTarget::Endpoints(endpoints))
    }

    /// Where Twilio reports the outcome and fetches the next document; without it
    /// the call continues with the verb after `<Dial>`.
    pub fn action(mut self, url: impl Into<String>) -> Self {
        self.action = Some(url.into());
        self
    }

    /// The method for `action`.
    pub fn method(mut self, method: HttpMethod) -> Self {
        self.method = Some(method);
        self
    }

    /// Seconds to ring before giving up (Twilio: 5–600, default 30).
    pub fn timeout(mut self, seconds: u32) -> Self {
        self.timeout = Some(seconds);
        self
    }

    /// The caller ID the dialled party sees; must be one of our numbers.
    pub fn caller_id(mut self, caller_id: impl Into<String>) -> Self {
        self.caller_id = Some(caller_id.into());
        self
    }

    /// Keeps the caller hearing ringback until the other side answers.
    pub fn answer_on_bridge(mut self, on: bool) -> Self {
        self.answer_on_bridge = Some(on);
        self
    }

    /// Records the dialled call.
    pub fn record(mut self, record: DialRecord) -> Self {
        self.record = Some(record);
        self
    }

    /// The ringback tone, e.g. [`RingTone::Jp`].
    pub fn ring_tone(mut self, tone: RingTone) -> Self {
        self.ring_tone = Some(tone);
        self
    }

    /// The longest the dialled call may last, in seconds (default 14400).
    pub fn time_limit(mut self, seconds: u32) -> Self {
        self.time_limit = Some(seconds);
        self
    }
}

/// `<Conference>`: the room every operator call lives in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conference {
    name: String,
    muted: Option<bool>,
    beep: Option<ConferenceBeep>,
    start_conference_on_enter: Option<bool>,
    end_conference_on_exit: Option<bool>,
    participant_label: Option<String>,
    wait_url: Option<String>,
    wait_method: Option<HttpMethod>,
    max_participants: Option<u32>,
    record: Option<ConferenceRecord>,
    region: Option<ConferenceRegion>,
    trim: Option<Trim>,
    coach: Option<CallSid>,
    status_callback: Option<String>,
    status_callback_event: Vec<ConferenceStatusEvent>,
    status_callback_method: Option<HttpMethod>,
    jitter_buffer_size: Option<JitterBufferSize>,
    recording_status_callback: Option<String>,
    recording_status_callback_event: Vec<RecordingStatusEvent>,
}

impl Conference {
    /// Joins the conference called `name` (ours are named after the customer's CallSid).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            muted: None,
            beep: None,
            start_conference_on_enter: None,
            end_conference_on_exit: None,
            participant_label: None,
            wait_url: None,
            wait_method: None,
            max_participants: None,
            record: None,
            region: None,
            trim: None,
            coach: None,
            status_callback: None,
            status_callback_event: Vec::new(),
            status_callback_method: None,
            jitter_buffer_size: None,
            recording_status_callback: None,
            recording_status_callback_event: Vec::new(),
        }
    }

    /// Where Twilio reports the conference recording's progress (its SID when it starts, its
    /// URL when it is done), and which of those reports to send.
    pub fn recording_status_callback(mut self, url: impl Into<String>, events: &[RecordingStatusEvent]) -> Self {
        self.recording_status_callback = Some(url.into());
        self.recording_status_callback_event = events.to_vec();
        self
    }

    /// Joins muted (a supervisor listening in).
    pub fn muted(mut self, muted: bool) -> Self {
        self.muted = Some(muted);
        self
    }

    /// When the beep plays.
    pub fn beep(mut self, beep: ConferenceBeep) -> Self {
        self.beep = Some(beep);
        self
    }

    /// Whether this participant starts the conference; a customer waiting for an
    /// operator joins with `false` and hears the wait URL.
    pub fn start_conference_on_enter(mut self, on: bool) -> Self {
        self.start_conference_on_enter = Some(on);
        self
    }

    /// Whether the conference ends when this participant leaves.
    pub fn end_conference_on_exit(mut self, on: bool) -> Self {
        self.end_conference_on_exit = Some(on);
        self
    }

    /// The label (`customer`, `operator`, …) REST calls can address the participant by.
    pub fn participant_label(mut self, label: impl Into<String>) -> Self {
        self.participant_label = Some(label.into());
        self
    }

    /// The document played while waiting for the conference to start.
    pub fn wait_url(mut self, url: impl Into<String>) -> Self {
        self.wait_url = Some(url.into());
        self
    }

    /// Waits in silence instead of Twilio's default music (`waitUrl=""`).
    pub fn silent_wait(mut self) -> Self {
        self.wait_url = Some(String::new());
        self
    }

    /// The method for `waitUrl`.
    pub fn wait_method(mut self, method: HttpMethod) -> Self {
        self.wait_method = Some(method);
        self
    }

    /// Caps the conference size (Twilio's default is 250).
    pub fn max_participants(mut self, max: u32) -> Self {
        self.max_participants = Some(max);
        self
    }

    /// Records the conference.
    pub fn record(mut self, record: ConferenceRecord) -> Self {
        self.record = Some(record);
        self
    }

    /// Where the media is mixed.
    pub fn region(mut self, region: ConferenceRegion) -> Self {
        self.region = Some(region);
        self
    }

    /// Whether silence is trimmed from the recording.
    pub fn trim(mut self, trim: Trim) -> Self {
        self.trim = Some(trim);
        self
    }

    /// Joins as a coach whom only the given call hears (supervisor whisper).
    pub fn coach(mut self, call: CallSid) -> Self {
        self.coach = Some(call);
        self
    }

    /// Where conference events are posted. Only the first participant's value counts.
    pub fn status_callback(mut self, url: impl Into<String>) -> Self {
        self.status_callback = Some(url.into());
        self
    }

    /// Which conference events are posted (written space-separated).
    pub fn status_callback_events(mut self, events: &[ConferenceStatusEvent]) -> Self {
        self.status_callback_event = events.to_vec();
        self
    }

    /// The method for `statusCallback`.
    pub fn status_callback_method(mut self, method: HttpMethod) -> Self {
        self.status_callback_method = Some(method);
        self
    }

    /// The jitter buffer for this participant's audio.
    pub fn jitter_buffer_size(mut self, size: JitterBufferSize) -> Self {
        self.jitter_buffer_size = Some(size);
        self
    }
}

/// `<Client>`: an operator's browser softphone, with custom parameters its page
/// receives as `call.customParameters`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    identity: ClientIdentity,
    parameters: Vec<(String, String)>,
    url: Option<String>,
    method: Option<HttpMethod>,
    status_callback: Option<String>,
    status_callback_event: Vec<CallProgressEvent>,
    status_callback_method: Option<HttpMethod>,
}

impl Client {
    /// Rings the softphone registered as `identity`.
    pub fn new(identity: ClientIdentity) -> Self {
        Self {
            identity,
            parameters: Vec::new(),
            url: None,
            method: None,
            status_callback: None,
            status_callback_event: Vec::new(),
            status_callback_method: None,
        }
    }

    /// Adds a `<Parameter>` the softphone receives (a handoff id, a caller name).
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parameters.push((name.into(), value.into()));
        self
    }

    /// A document played to the operator before the call connects (a whisper).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// The method for `url`.
    pub fn method(mut self, method: HttpMethod) -> Self {
        self.method = Some(method);
        self
    }

    /// Where this leg's progress events are posted.
    pub fn status_callback(mut self, url: impl Into<String>) -> Self {
        self.status_callback = Some(url.into());
        self
    }

    /// Which progress events are posted.
    pub fn status_callback_events(mut self, events: &[CallProgressEvent]) -> Self {
        self.status_callback_event = events.to_vec();
        self
    }

    /// The method for `statusCallback`.
    pub fn status_callback_method(mut self, method: HttpMethod) -> Self {
        self.status_callback_method = Some(method);
        self
    }
}

/// `<Number>`: a phone number to ring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    number: String,
    send_digits: Option<String>,
    url: Option<String>,
    method: Option<HttpMethod>,
    status_callback: Option<String>,
    status_callback_event: Vec<CallProgressEvent>,
    status_callback_method: Option<HttpMethod>,
}

impl Number {
    /// Rings `number` (E.164).
    pub fn new(number: impl Into<String>) -> Self {
        Self {
            number: number.into(),
            send_digits: None,
            url: None,
            method: None,
            status_callback: None,
            status_callback_event: Vec::new(),
            status_callback_method: None,
        }
    }

    /// DTMF digits sent once the number answers (`w` waits half a second).
    pub fn send_digits(mut self, digits: impl Into<String>) -> Self {
        self.send_digits = Some(digits.into());
        self
    }

    /// A document played to the called party before the call connects.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// The method for `url`.
    pub fn method(mut self, method: HttpMethod) -> Self {
        self.method = Some(method);
        self
    }

    /// Where this leg's progress events are posted.
    pub fn status_callback(mut self, url: impl Into<String>) -> Self {
        self.status_callback = Some(url.into());
        self
    }

    /// Which progress events are posted.
    pub fn status_callback_events(mut self, events: &[CallProgressEvent]) -> Self {
        self.status_callback_event = events.to_vec();
        self
    }

    /// The method for `statusCallback`.
    pub fn status_callback_method(mut self, method: HttpMethod) -> Self {
        self.status_callback_method = Some(method);
        self
    }
}

/// An element ready to write: the typed structs all lower to this.
struct Node {
    name: &'static str,
    attrs: Vec<(&'static str, String)>,
    text: Option<String>,
    children: Vec<Node>,
}

impl Node {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            attrs: Vec::new(),
            text: None,
            children: Vec::new(),
        }
    }

    fn text(mut self, text: &str) -> Self {
        self.text = Some(text.to_owned());
        self
    }

    fn attr(mut self, name: &'static str, value: Option<impl ToString>) -> Self {
        if let Some(value) = value {
            self.attrs.push((name, value.to_string()));
        }
        self
    }

    fn list_attr<T: std::fmt::Display>(self, name: &'static str, values: &[T]) -> Self {
        let joined = (!values.is_empty()).then(|| values.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "));
        self.attr(name, joined)
    }

    fn child(mut self, child: Node) -> Self {
        self.children.push(child);
        self
    }
}

impl Verb {
    fn node(&self) -> Node {
        match self {
            Verb::Gather(gather) => gather.node(),
            Verb::Say(say) => Node::new("Say")
                .text(&say.text)
                .attr("voice", say.voice)
                .attr("language", say.language)
                .attr("loop", say.loop_count),
            Verb::Play(play) => Node::new("Play").text(&play.url).attr("loop", play.loop_count),
            Verb::Pause(pause) => Node::new("Pause").attr("length", pause.length),
            Verb::Redirect(redirect) => Node::new("Redirect")
                .text(&redirect.url)
                .attr("method", redirect.method),
            Verb::Hangup => Node::new("Hangup"),
            Verb::Reject(reject) => Node::new("Reject").attr("reason", reject.reason),
            Verb::Dial(dial) => dial.node(),
            Verb::Record(record) => record.node(),
            Verb::Start(start) => start.node(),
            Verb::Stop(stop) => stop.node(),
        }
    }
}

impl Dial {
    fn node(&self) -> Node {
        let mut node = Node::new("Dial")
            .attr("action", self.action.as_deref())
            .attr("method", self.method)
            .attr("timeout", self.timeout)
            .attr("callerId", self.caller_id.as_deref())
            .attr("answerOnBridge", self.answer_on_bridge)
            .attr("record", self.record)
            .attr("ringTone", self.ring_tone)
            .attr("timeLimit", self.time_limit);
        match &self.target {
            DialTarget::Conference(conference) => node = node.child(conference.node()),
            DialTarget::Endpoints(endpoints) => {
                for endpoint in endpoints {
                    node = node.child(match endpoint {
                        DialEndpoint::Client(client) => client.node(),
                        DialEndpoint::Number(number) => number.node(),
                    });
                }
            }
        }
        node
    }
}

impl Conference {
    fn node(&self) -> Node {
        Node::new("Conference")
            .text(&self.name)
            .attr("muted", self.muted)
            .attr("beep", self.beep)
            .attr("startConferenceOnEnter", self.start_conference_on_enter)
            .attr("endConferenceOnExit", self.end_conference_on_exit)
            .attr("participantLabel", self.participant_label.as_deref())
            .attr("waitUrl", self.wait_url.as_deref())
            .attr("waitMethod", self.wait_method)
            .attr("maxParticipants", self.max_participants)
            .attr("record", self.record)
            .attr("region", self.region)
            .attr("trim", self.trim)
            .attr("coach", self.coach.as_ref())
            .attr("statusCallback", self.status_callback.as_deref())
            .list_attr("statusCallbackEvent", &self.status_callback_event)
            .attr("statusCallbackMethod", self.status_callback_method)
            .attr("jitterBufferSize", self.jitter_buffer_size)
            .attr("recordingStatusCallback", self.recording_status_callback.as_deref())
            .list_attr("recordingStatusCallbackEvent", &self.recording_status_callback_event)
    }
}

impl Client {
    fn node(&self) -> Node {
        let mut node = Node::new("Client")
            .attr("url", self.url.as_deref())
            .attr("method", self.method)
            .attr("statusCallback", self.status_callback.as_deref())
            .list_attr("statusCallbackEvent", &self.status_callback_event)
            .attr("statusCallbackMethod", self.status_callback_method)
            .child(Node::new("Identity").text(self.identity.as_str()));
        for (name, value) in &self.parameters {
            node = node.child(
                Node::new("Parameter")
                    .attr("name", Some(name))
                    .attr("value", Some(value)),
            );
        }
        node
    }
}

impl Number {
    fn node(&self) -> Node {
        Node::new("Number")
            .text(&self.number)
            .attr("sendDigits", self.send_digits.as_deref())
            .attr("url", self.url.as_deref())
            .attr("method", self.method)
            .attr("statusCallback", self.status_callback.as_deref())
            .list_attr("statusCallbackEvent", &self.status_callback_event)
            .attr("statusCallbackMethod", self.status_callback_method)
    }
}

fn write_all(writer: &mut Writer<Vec<u8>>, root: &Node) {
    writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .expect("writing to a Vec cannot fail");
    write_node(writer, root);
}

fn write_node(writer: &mut Writer<Vec<u8>>, node: &Node) {
    let mut start = BytesStart::new(node.name);
    let mut attrs: Vec<&(&'static str, String)> = node.attrs.iter().collect();
    attrs.sort_by_key(|(name, _)| *name);
    for (name, value) in attrs {
        start.push_attribute(Attribute {
            key: QName(name.as_bytes()),
            value: Cow::Owned(escape_attribute(value).into_bytes()),
        });
    }
    let text = node.text.as_deref().filter(|text| !text.is_empty());
    let event_result = if text.is_none() && node.children.is_empty() {
        writer.write_event(Event::Empty(start))
    } else {
        writer.write_event(Event::Start(start)).and_then(|()| {
            if let Some(text) = text {
                writer.write_event(Event::Text(BytesText::from_escaped(escape_text(text))))?;
            }
            for child in &node.children {
                write_node(writer, child);
            }
            writer.write_event(Event::End(BytesEnd::new(node.name)))
        })
    };
    event_result.expect("writing to a Vec cannot fail");
}

/// Characters XML 1.0 cannot represent even as references; they are dropped.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn xml_chars_only(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_xml_char) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|c| is_xml_char(*c)).collect())
    }
}

/// Text escaping as Python's ElementTree does it (`&`, `<`, `>`), plus `\r` as a
/// reference so a parser's line-end normalisation cannot eat it.
fn escape_text(text: &str) -> String {
    partial_escape(xml_chars_only(text)).replace('\r', "&#13;")
}

/// Attribute escaping as Python's ElementTree does it: quotes and the whitespace
/// characters that attribute-value normalisation would otherwise turn into spaces.
fn escape_attribute(value: &str) -> String {
    partial_escape(xml_chars_only(value))
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#09;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Vectors {
        documents: Vec<Document>,
    }

    #[derive(Deserialize)]
    struct Document {
        name: String,
        xml: String,
    }

    const CUSTOMER_CALL: &str = "CA0123456789abcdef0123456789abcdef";
    const HOLD_URL: &str = "https://console.example.jp/twilio/voice/hold-music?lang=ja&v=2";
    const STATUS_URL: &str = "https://console.example.jp/twilio/conference/status";

    /// The same documents tests/tools/twilio-vectors/make_vectors.py builds with
    /// twilio-python, built with our builder.
    pub(super) fn build(name: &str) -> VoiceResponse {
        let r = VoiceResponse::new();
        match name {
            "hangup" => r.hangup(),
            "reject_default" => r.reject(Reject::new()),
            "reject_busy" => r.reject(Reject::reason(RejectReason::Busy)),
            "say_japanese" => r.say(
                Say::new("お電話ありがとうございます。担当者におつなぎします。")
                    .voice(SayVoice::PollyMizuki)
                    .loop_count(2),
            ),
            "say_hostile_caller_name" => r
                .say(Say::new("お客様 <Dial>&\"' 様からのお電話です").voice(SayVoice::GoogleJaJpNeural2B))
                .hangup(),
            "say_empty" => r.say(Say::new("")),
            "play_hold_music_forever" => r.play(Play::new(HOLD_URL).loop_count(0)),
            "wait_url_document" => r
                .say(Say::new("ただいま電話が混み合っております。").voice(SayVoice::PollyTakumiNeural))
                .play(Play::new("https://console.example.jp/static/wait.mp3").loop_count(3))
                .pause(Pause::seconds(2))
                .redirect(
                    Redirect::new("https://console.example.jp/twilio/voice/wait?attempt=2&x=<y>")
                        .method(HttpMethod::Post),
                ),
            "customer_parked_in_conference" => r
                .say(Say::new("少々お待ちください。").voice(SayVoice::PollyKazuhaNeural))
                .dial(
                    Dial::conference(
                        Conference::new(CUSTOMER_CALL)
                            .muted(false)
                            .beep(ConferenceBeep::False)
                            .start_conference_on_enter(false)
                            .end_conference_on_exit(true)
                            .participant_label("customer")
                            .wait_url(HOLD_URL)
                            .wait_method(HttpMethod::Get)
                            .max_participants(10)
                            .record(ConferenceRecord::DoNotRecord)
                            .region(ConferenceRegion::Jp1)
                            .trim(Trim::TrimSilence)
                            .status_callback(STATUS_URL)
                            .status_callback_events(ConferenceStatusEvent::ALL)
                            .status_callback_method(HttpMethod::Post)
                            .jitter_buffer_size(JitterBufferSize::Small),
                    )
                    .answer_on_bridge(true),
                ),
            "operator_joins_conference" => r.dial(
                Dial::conference(
                    Conference::new(CUSTOMER_CALL)
                        .start_conference_on_enter(true)
                        .end_conference_on_exit(false)
                        .participant_label("operator")
                        .beep(ConferenceBeep::OnEnter)
                        .silent_wait()
                        .coach(CallSid::parse(&format!("CA{}", "f".repeat(32))).unwrap()),
                )
                .action(format!(
                    "https://console.example.jp/twilio/voice/dial-done?call={CUSTOMER_CALL}"
                ))
                .method(HttpMethod::Post)
                .timeout(20)
                .caller_id("+81501234567")
                .answer_on_bridge(false)
                .record(DialRecord::RecordFromAnswerDual)
                .ring_tone(RingTone::Jp)
                .time_limit(14400),
            ),
            "dial_client_with_parameters" => r.dial(
                Dial::client(
                    Client::new(ClientIdentity::parse("op_yamada").unwrap())
                        .url("https://console.example.jp/twilio/voice/whisper")
                        .method(HttpMethod::Post)
                        .status_callback("https://console.example.jp/twilio/voice/status?leg=client")
                        .status_callback_events(CallProgressEvent::ALL)
                        .status_callback_method(HttpMethod::Post)
                        .parameter("handoffId", "h-01HZX")
                        .parameter("callerName", "<Dial>&\"' 山田"),
                )
                .timeout(30)
                .answer_on_bridge(true),
            ),
            "dial_two_numbers" => r.dial(
                Dial::endpoints(vec![
                    DialEndpoint::Number(
                        Number::new("+81312345678")
                            .send_digits("ww1234#")
                            .url("https://console.example.jp/twilio/voice/screen")
                            .method(HttpMethod::Get)
                            .status_callback("https://console.example.jp/twilio/voice/status")
                            .status_callback_events(&[CallProgressEvent::Answered, CallProgressEvent::Completed])
                            .status_callback_method(HttpMethod::Post),
                    ),
                    DialEndpoint::Number(Number::new("+81398765432")),
                ])
                .caller_id("+81501234567")
                .timeout(45)
                .record(DialRecord::DoNotRecord),
            ),
            "whitespace_in_attributes" => r.say(Say::new("改行\nと\tタブ").language(SayLanguage::JaJp)).dial(
                Dial::conference(
                    Conference::new("名前 with <&> \"quotes\" 'apos'").participant_label("label\twith\ttabs"),
                )
                .action("https://console.example.jp/a?x=1\n2\t3\r4"),
            ),
            "english_and_defaults" => r
                .pause(Pause::new())
                .say(
                    Say::new("Thank you for calling.")
                        .voice(SayVoice::PollyJoanna)
                        .loop_count(1),
                )
                .redirect(Redirect::new("https://console.example.jp/twilio/voice/next")),
            other => panic!("no Rust builder for vector {other}"),
        }
    }

    #[test]
    fn documents_match_twilio_python_byte_for_byte() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/twilio/twiml_vectors.json"
        ))
        .expect("TwiML vectors are committed");
        let vectors: Vectors = serde_json::from_str(&text).unwrap();
        assert!(vectors.documents.len() >= 12);
        for document in vectors.documents {
            assert_eq!(
                build(&document.name).to_xml(),
                document.xml,
                "document {}",
                document.name
            );
        }
    }

    #[test]
    fn a_hostile_caller_name_stays_text() {
        let xml = VoiceResponse::new()
            .say(Say::new("</Say><Dial><Number>+819000000000</Number></Dial><Say>"))
            .to_xml();
        assert!(!xml.contains("<Dial>"));
        assert!(
            xml.contains("<Say>&lt;/Say&gt;&lt;Dial&gt;&lt;Number&gt;+819000000000"),
            "{xml}"
        );
    }

    #[test]
    fn characters_xml_cannot_carry_are_dropped() {
        let xml = VoiceResponse::new().say(Say::new("a\u{0}b\u{1b}c\u{fffe}")).to_xml();
        assert!(xml.contains("<Say>abc</Say>"), "{xml}");
    }
}
