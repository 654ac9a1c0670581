//! TwiML for Voice: a typed builder for the documents we answer with, and a checker
//! of documents against Twilio's rules.
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
//! [`validate_twiml`] is the other half: it reads any document and says which of
//! Twilio's rules it breaks (unknown verbs, nesting, attributes, `<Reject>` not
//! first, what a conference wait URL may contain). The local Twilio simulator uses
//! it to refuse what Twilio would refuse, so a mistake shows up on a laptop rather
//! than as a dead call.

use std::borrow::Cow;
use std::str::FromStr;

use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;

use super::{CallSid, ClientIdentity};

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

/// A TwiML `<Response>` for a voice call: the verbs Twilio runs, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoiceResponse {
    verbs: Vec<Verb>,
}

/// One verb of a [`VoiceResponse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
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

// ---------------------------------------------------------------------------
// Checking documents against Twilio's rules.
// ---------------------------------------------------------------------------

/// Where a document is going to run, which limits the verbs it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwimlContext {
    /// A call's document (Voice URL, action, redirect): every verb.
    Call,
    /// A conference `waitUrl` (and a participant `holdUrl`): Twilio runs only
    /// `<Play>`, `<Say>`, `<Pause>` and `<Redirect>` there.
    WaitUrl,
}

/// The rule a TwiML document breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TwimlRuleError {
    /// The text is not well-formed XML (Twilio error 12100).
    #[error("the document is not well-formed XML: {0}")]
    Malformed(String),
    /// The root element is not `<Response>`.
    #[error("the root element must be <Response>, not <{0}>")]
    RootNotResponse(String),
    /// An element Twilio does not know (names are case-sensitive).
    #[error("<{element}> is not a TwiML element Twilio knows")]
    UnknownElement {
        /// The element found.
        element: String,
    },
    /// A verb Twilio knows that this checker does not model, so cannot vouch for.
    #[error("<{0}> is a TwiML verb this checker does not model")]
    UnmodelledVerb(String),
    /// An element in a parent that may not contain it.
    #[error("<{element}> is not allowed inside <{parent}>")]
    NotAllowedIn {
        /// The misplaced element.
        element: String,
        /// Its parent.
        parent: String,
    },
    /// An attribute the element does not take.
    #[error("<{element}> has no attribute {attribute:?}")]
    UnknownAttribute {
        /// The element.
        element: String,
        /// The attribute found.
        attribute: String,
    },
    /// An attribute whose value is outside what Twilio accepts.
    #[error("<{element} {attribute}={value:?}> is invalid: expected {expected}")]
    InvalidAttributeValue {
        /// The element.
        element: String,
        /// The attribute.
        attribute: String,
        /// The value found.
        value: String,
        /// What Twilio accepts.
        expected: String,
    },
    /// An attribute the element needs is absent.
    #[error("<{element}> needs the attribute {attribute:?}")]
    MissingAttribute {
        /// The element.
        element: String,
        /// The attribute.
        attribute: &'static str,
    },
    /// Text inside an element that takes none.
    #[error("<{0}> cannot contain text")]
    TextNotAllowed(String),
    /// An element that needs text (a URL, a name, a number) has none.
    #[error("<{0}> needs text content")]
    MissingText(String),
    /// `<Reject>` after another verb: Twilio would already have answered the call.
    #[error("<Reject> must be the first verb of the response")]
    RejectNotFirst,
    /// `<Conference>` or `<Queue>` shares a `<Dial>` with other nouns.
    #[error("<{0}> must be the only noun in its <Dial>")]
    DialNounNotAlone(String),
    /// More than ten endpoints ring at once.
    #[error("a <Dial> may ring at most 10 endpoints, this one has {0}")]
    TooManyDialNouns(usize),
    /// A `<Dial>` with text (a number) and nouns at once.
    #[error("a <Dial> may contain a number as text or nouns, not both")]
    DialTextAndNouns,
    /// A `<Dial>` with nothing to dial.
    #[error("a <Dial> needs a number or a noun to dial")]
    DialWithoutTarget,
    /// A verb the context does not run (such as `<Dial>` in a wait URL).
    #[error("<{verb}> is not allowed in a {context} document")]
    NotAllowedInContext {
        /// The verb.
        verb: String,
        /// The context, e.g. "waitUrl".
        context: &'static str,
    },
}

/// Checks a call document (any verb allowed). See [`validate_twiml_in`].
pub fn validate_twiml(xml: &str) -> Result<(), TwimlRuleError> {
    validate_twiml_in(xml, TwimlContext::Call)
}

/// Checks `xml` against Twilio's TwiML rules for the given context and returns the
/// first rule broken, in document order.
pub fn validate_twiml_in(xml: &str, context: TwimlContext) -> Result<(), TwimlRuleError> {
    parse_twiml(xml, context).map(|_| ())
}

/// Checks `xml` like [`validate_twiml_in`] and returns the document's tree, for code that runs
/// TwiML (the local Twilio simulator) and must run exactly what was checked.
pub fn parse_twiml(xml: &str, context: TwimlContext) -> Result<TwimlElement, TwimlRuleError> {
    let root = parse_tree(xml)?;
    check_document(&root, context)?;
    Ok(root)
}

fn check_document(root: &TwimlElement, context: TwimlContext) -> Result<(), TwimlRuleError> {
    if root.name != "Response" {
        return Err(TwimlRuleError::RootNotResponse(root.name.clone()));
    }
    if !root.attrs.is_empty() {
        return Err(TwimlRuleError::UnknownAttribute {
            element: root.name.clone(),
            attribute: root.attrs[0].0.clone(),
        });
    }
    if !root.text.trim().is_empty() {
        return Err(TwimlRuleError::TextNotAllowed(root.name.clone()));
    }
    for (position, verb) in root.children.iter().enumerate() {
        let Some(rule) = rule_for(&verb.name) else {
            return Err(if UNMODELLED_VERBS.contains(&verb.name.as_str()) {
                TwimlRuleError::UnmodelledVerb(verb.name.clone())
            } else {
                TwimlRuleError::UnknownElement {
                    element: verb.name.clone(),
                }
            });
        };
        if !rule.is_verb {
            return Err(TwimlRuleError::NotAllowedIn {
                element: verb.name.clone(),
                parent: root.name.clone(),
            });
        }
        if context == TwimlContext::WaitUrl && !WAIT_URL_VERBS.contains(&verb.name.as_str()) {
            return Err(TwimlRuleError::NotAllowedInContext {
                verb: verb.name.clone(),
                context: "waitUrl",
            });
        }
        if verb.name == "Reject" && position > 0 {
            return Err(TwimlRuleError::RejectNotFirst);
        }
        check_element(verb, rule)?;
    }
    Ok(())
}

/// A parsed element of a TwiML document: just enough of XML to check and run TwiML.
#[derive(Debug, Clone)]
pub struct TwimlElement {
    /// The element's name, as written (TwiML names are case-sensitive).
    pub name: String,
    /// Its attributes, in document order.
    pub attrs: Vec<(String, String)>,
    /// Its text content (what `<Say>` says, the URL `<Play>` plays, a conference's name).
    pub text: String,
    /// Its child elements.
    pub children: Vec<TwimlElement>,
}

impl TwimlElement {
    /// The value of attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

fn malformed(err: impl std::fmt::Display) -> TwimlRuleError {
    TwimlRuleError::Malformed(err.to_string())
}

fn parse_tree(xml: &str) -> Result<TwimlElement, TwimlRuleError> {
    let mut reader = Reader::from_str(xml);
    let decoder = reader.decoder();
    let mut stack: Vec<TwimlElement> = Vec::new();
    let mut root: Option<TwimlElement> = None;

    let open = |start: &BytesStart<'_>| -> Result<TwimlElement, TwimlRuleError> {
        let name = std::str::from_utf8(start.name().as_ref())
            .map_err(malformed)?
            .to_owned();
        let mut attrs = Vec::new();
        for attr in start.attributes() {
            let attr = attr.map_err(malformed)?;
            let key = std::str::from_utf8(attr.key.as_ref()).map_err(malformed)?.to_owned();
            let value = attr.decode_and_unescape_value(decoder).map_err(malformed)?;
            attrs.push((key, xml_chars(&value)?.to_owned()));
        }
        Ok(TwimlElement {
            name,
            attrs,
            text: String::new(),
            children: Vec::new(),
        })
    };

    loop {
        let event = reader.read_event().map_err(malformed)?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(malformed("more than one root element"));
                }
                stack.push(open(&start)?);
            }
            Event::Empty(start) => {
                if root.is_some() {
                    return Err(malformed("more than one root element"));
                }
                let element = open(&start)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::End(_) => {
                let element = stack.pop().ok_or_else(|| malformed("unexpected end tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::Text(text) => {
                let text = text.xml10_content().map_err(malformed)?;
                push_text(&mut stack, xml_chars(&text)?)?;
            }
            Event::CData(data) => {
                let text = data.xml10_content().map_err(malformed)?;
                push_text(&mut stack, xml_chars(&text)?)?;
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().map_err(malformed)? {
                    Some(c) if is_xml_char(c) => c.to_string(),
                    Some(c) => {
                        return Err(malformed(format!("character {c:?} is not allowed in XML")));
                    }
                    None => {
                        let name = reference.decode().map_err(malformed)?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| malformed(format!("unknown entity &{name};")))?
                            .to_owned()
                    }
                };
                push_text(&mut stack, &resolved)?;
            }
            Event::DocType(_) => return Err(malformed("DOCTYPE declarations are not allowed")),
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(malformed("the document ends inside an element"));
    }
    root.ok_or_else(|| malformed("the document has no root element"))
}

/// Refuses text with a character XML cannot carry (most C0 controls), which Twilio's parser
/// refuses as malformed even when it is written as a reference.
fn xml_chars(text: &str) -> Result<&str, TwimlRuleError> {
    match text.chars().find(|c| !is_xml_char(*c)) {
        Some(c) => Err(malformed(format!("character {c:?} is not allowed in XML"))),
        None => Ok(text),
    }
}

fn push_text(stack: &mut [TwimlElement], text: &str) -> Result<(), TwimlRuleError> {
    match stack.last_mut() {
        Some(element) => {
            element.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(malformed("text outside the root element")),
    }
}

/// How an attribute's value is checked.
#[derive(Clone, Copy)]
enum Value {
    /// Any string, URLs included (TwiML allows relative URLs).
    Any,
    /// `true` or `false`.
    Bool,
    /// A non-negative integer.
    Count,
    /// A value one of our enums accepts.
    OneOf(fn(&str) -> bool, &'static str),
    /// A space-separated list of such values.
    ListOf(fn(&str) -> bool, &'static str),
    /// A `<Say>` voice: a basic voice or a `Polly.`/`Google.` voice name.
    Voice,
    /// A language tag such as `ja-JP`.
    Language,
    /// A call SID.
    CallSid,
}

fn parses<T: FromStr>(value: &str) -> bool {
    value.parse::<T>().is_ok()
}

const METHOD: Value = Value::OneOf(parses::<HttpMethod>, "GET or POST");
const PROGRESS_EVENTS: Value = Value::ListOf(
    parses::<CallProgressEvent>,
    "space-separated initiated, ringing, answered, completed",
);
const RECORDING_EVENTS: Value = Value::ListOf(
    |v| matches!(v, "in-progress" | "completed" | "absent"),
    "space-separated in-progress, completed, absent",
);
const TRIM: Value = Value::OneOf(parses::<Trim>, "trim-silence or do-not-trim");
const MACHINE_DETECTION: &[(&str, Value)] = &[
    ("amdStatusCallback", Value::Any),
    ("amdStatusCallbackMethod", METHOD),
    (
        "machineDetection",
        Value::OneOf(
            |v| matches!(v, "Enable" | "DetectMessageEnd"),
            "Enable or DetectMessageEnd",
        ),
    ),
    ("machineDetectionSilenceTimeout", Value::Count),
    ("machineDetectionSpeechEndThreshold", Value::Count),
    ("machineDetectionSpeechThreshold", Value::Count),
    ("machineDetectionTimeout", Value::Count),
];

/// What text an element takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    None,
    Optional,
    Required,
}

struct Rule {
    name: &'static str,
    is_verb: bool,
    attrs: &'static [(&'static str, Value)],
    extra_attrs: &'static [(&'static str, Value)],
    required_attrs: &'static [&'static str],
    children: &'static [&'static str],
    text: Text,
}

const SSML: &[&str] = &[
    "break",
    "emphasis",
    "lang",
    "p",
    "phoneme",
    "prosody",
    "s",
    "say-as",
    "sub",
    "w",
    "amazon:effect",
    "amazon:domain",
];

/// Verbs Twilio runs in a conference wait URL (and a participant hold URL).
const WAIT_URL_VERBS: &[&str] = &["Play", "Say", "Pause", "Redirect"];

/// Voice verbs Twilio documents that this checker does not model in detail.
const UNMODELLED_VERBS: &[&str] = &["Connect", "Echo", "Pay", "Refer", "Sms", "Start", "Stop"];

const RULES: &[Rule] = &[
    Rule {
        name: "Say",
        is_verb: true,
        attrs: &[
            ("voice", Value::Voice),
            ("language", Value::Language),
            ("loop", Value::Count),
        ],
        extra_attrs: &[],
        required_attrs: &[],
        children: SSML,
        text: Text::Optional,
    },
    Rule {
        name: "Play",
        is_verb: true,
        attrs: &[("loop", Value::Count), ("digits", Value::Any)],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[],
        text: Text::Optional,
    },
    Rule {
        name: "Pause",
        is_verb: true,
        attrs: &[("length", Value::Count)],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[],
        text: Text::None,
    },
    Rule {
        name: "Redirect",
        is_verb: true,
        attrs: &[("method", METHOD)],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[],
        text: Text::Required,
    },
    Rule {
        name: "Hangup",
        is_verb: true,
        attrs: &[],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[],
        text: Text::None,
    },
    Rule {
        name: "Leave",
        is_verb: true,
        attrs: &[],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[],
        text: Text::None,
    },
    Rule {
        name: "Reject",
        is_verb: true,
        attrs: &[("reason", Value::OneOf(parses::<RejectReason>, "rejected or busy"))],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[],
        text: Text::None,
    },
    Rule {
        name: "Dial",
        is_verb: true,
        attrs: &[
            ("action", Value::Any),
            ("answerOnBridge", Value::Bool),
            ("callerId", Value::Any),
            (
                "events",
                Value::OneOf(|v| v == "call-progress-event", "call-progress-event"),
            ),
            ("hangupOnStar", Value::Bool),
            ("method", METHOD),
            ("passports", Value::Any),
            (
                "record",
                Value::OneOf(parses::<DialRecord>, "a DialRecord value such as record-from-answer"),
            ),
            ("recordingConfigurationId", Value::Any),
            ("recordingStatusCallback", Value::Any),
            ("recordingStatusCallbackEvent", RECORDING_EVENTS),
            ("recordingStatusCallbackMethod", METHOD),
            (
                "recordingTrack",
                Value::OneOf(
                    |v| matches!(v, "both" | "inbound" | "outbound"),
                    "both, inbound or outbound",
                ),
            ),
            ("referMethod", METHOD),
            ("referUrl", Value::Any),
            (
                "ringTone",
                Value::OneOf(parses::<RingTone>, "a two-letter ring tone country such as jp"),
            ),
            ("sequential", Value::Bool),
            ("timeLimit", Value::Count),
            ("timeout", Value::Count),
            ("trim", TRIM),
        ],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[
            "Application",
            "Client",
            "Conference",
            "Number",
            "Queue",
            "Sim",
            "Sip",
            "WhatsApp",
        ],
        text: Text::Optional,
    },
    Rule {
        name: "Conference",
        is_verb: false,
        attrs: &[
            (
                "beep",
                Value::OneOf(parses::<ConferenceBeep>, "true, false, onEnter or onExit"),
            ),
            ("coach", Value::CallSid),
            ("endConferenceOnExit", Value::Bool),
            ("eventCallbackUrl", Value::Any),
            (
                "jitterBufferSize",
                Value::OneOf(parses::<JitterBufferSize>, "large, medium, small or off"),
            ),
            ("maxParticipants", Value::Count),
            ("muted", Value::Bool),
            ("participantLabel", Value::Any),
            (
                "record",
                Value::OneOf(parses::<ConferenceRecord>, "do-not-record or record-from-start"),
            ),
            ("recordingConfigurationId", Value::Any),
            ("recordingStatusCallback", Value::Any),
            ("recordingStatusCallbackEvent", RECORDING_EVENTS),
            ("recordingStatusCallbackMethod", METHOD),
            (
                "region",
                Value::OneOf(parses::<ConferenceRegion>, "us1, us2, ie1, sg1, br1, au1, jp1 or de1"),
            ),
            ("startConferenceOnEnter", Value::Bool),
            ("statusCallback", Value::Any),
            (
                "statusCallbackEvent",
                Value::ListOf(
                    parses::<ConferenceStatusEvent>,
                    "space-separated start, end, join, leave, mute, hold, modify, speaker, announcement",
                ),
            ),
            ("statusCallbackMethod", METHOD),
            ("trim", TRIM),
            ("waitMethod", METHOD),
            ("waitUrl", Value::Any),
        ],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[],
        text: Text::Required,
    },
    Rule {
        name: "Client",
        is_verb: false,
        attrs: &[
            ("method", METHOD),
            ("statusCallback", Value::Any),
            ("statusCallbackEvent", PROGRESS_EVENTS),
            ("statusCallbackMethod", METHOD),
            ("url", Value::Any),
        ],
        extra_attrs: &[],
        required_attrs: &[],
        children: &["Identity", "Parameter"],
        text: Text::Optional,
    },
    Rule {
        name: "Identity",
        is_verb: false,
        attrs: &[],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[],
        text: Text::Required,
    },
    Rule {
        name: "Parameter",
        is_verb: false,
        attrs: &[("name", Value::Any), ("value", Value::Any)],
        extra_attrs: &[],
        required_attrs: &["name"],
        children: &[],
        text: Text::None,
    },
    Rule {
        name: "Number",
        is_verb: false,
        attrs: &[
            ("byoc", Value::Any),
            ("method", METHOD),
            ("sendDigits", Value::Any),
            ("statusCallback", Value::Any),
            ("statusCallbackEvent", PROGRESS_EVENTS),
            ("statusCallbackMethod", METHOD),
            ("url", Value::Any),
        ],
        extra_attrs: MACHINE_DETECTION,
        required_attrs: &[],
        children: &[],
        text: Text::Required,
    },
    Rule {
        name: "Sip",
        is_verb: false,
        attrs: &[
            ("method", METHOD),
            ("password", Value::Any),
            ("statusCallback", Value::Any),
            ("statusCallbackEvent", PROGRESS_EVENTS),
            ("statusCallbackMethod", METHOD),
            ("url", Value::Any),
            ("username", Value::Any),
        ],
        extra_attrs: MACHINE_DETECTION,
        required_attrs: &[],
        children: &[],
        text: Text::Required,
    },
    Rule {
        name: "Queue",
        is_verb: false,
        attrs: &[
            ("method", METHOD),
            ("postWorkActivitySid", Value::Any),
            ("reservationSid", Value::Any),
            ("url", Value::Any),
        ],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[],
        text: Text::Required,
    },
    Rule {
        name: "Sim",
        is_verb: false,
        attrs: &[],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[],
        text: Text::Required,
    },
    Rule {
        name: "Application",
        is_verb: false,
        attrs: &[
            ("copyParentTo", Value::Bool),
            ("customerId", Value::Any),
            ("method", METHOD),
            ("statusCallback", Value::Any),
            ("statusCallbackEvent", PROGRESS_EVENTS),
            ("statusCallbackMethod", METHOD),
            ("url", Value::Any),
        ],
        extra_attrs: &[],
        required_attrs: &[],
        children: &["ApplicationSid", "Parameter"],
        text: Text::Optional,
    },
    Rule {
        name: "ApplicationSid",
        is_verb: false,
        attrs: &[],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[],
        text: Text::Required,
    },
    Rule {
        name: "WhatsApp",
        is_verb: false,
        attrs: &[
            ("method", METHOD),
            ("statusCallback", Value::Any),
            ("statusCallbackEvent", PROGRESS_EVENTS),
            ("statusCallbackMethod", METHOD),
            ("url", Value::Any),
        ],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[],
        text: Text::Required,
    },
    Rule {
        name: "Gather",
        is_verb: true,
        attrs: &[
            ("action", Value::Any),
            ("actionOnEmptyResult", Value::Bool),
            ("bargeIn", Value::Bool),
            ("debug", Value::Bool),
            ("enhanced", Value::Bool),
            ("finishOnKey", Value::Any),
            ("hints", Value::Any),
            (
                "input",
                Value::ListOf(|v| matches!(v, "dtmf" | "speech"), "space-separated dtmf, speech"),
            ),
            ("language", Value::Language),
            ("maxSpeechTime", Value::Count),
            ("method", METHOD),
            ("numDigits", Value::Count),
            ("partialResultCallback", Value::Any),
            ("partialResultCallbackMethod", METHOD),
            ("profanityFilter", Value::Bool),
            ("speechModel", Value::Any),
            ("speechTimeout", Value::Any),
            ("timeout", Value::Count),
        ],
        extra_attrs: &[],
        required_attrs: &[],
        children: &["Say", "Play", "Pause"],
        text: Text::None,
    },
    Rule {
        name: "Enqueue",
        is_verb: true,
        attrs: &[
            ("action", Value::Any),
            ("maxQueueSize", Value::Count),
            ("method", METHOD),
            ("waitUrl", Value::Any),
            ("waitUrlMethod", METHOD),
            ("workflowSid", Value::Any),
        ],
        extra_attrs: &[],
        required_attrs: &[],
        children: &["Task"],
        text: Text::Optional,
    },
    Rule {
        name: "Task",
        is_verb: false,
        attrs: &[("priority", Value::Count), ("timeout", Value::Count)],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[],
        text: Text::Required,
    },
    Rule {
        name: "Record",
        is_verb: true,
        attrs: &[
            ("action", Value::Any),
            ("finishOnKey", Value::Any),
            ("maxLength", Value::Count),
            ("method", METHOD),
            ("playBeep", Value::Bool),
            ("recordingConfigurationId", Value::Any),
            ("recordingStatusCallback", Value::Any),
            ("recordingStatusCallbackEvent", RECORDING_EVENTS),
            ("recordingStatusCallbackMethod", METHOD),
            ("timeout", Value::Count),
            ("transcribe", Value::Bool),
            ("transcribeCallback", Value::Any),
            ("trim", TRIM),
        ],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[],
        text: Text::None,
    },
];

fn rule_for(name: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.name == name)
}

fn check_value(element: &TwimlElement, attribute: &str, value: &str, kind: Value) -> Result<(), TwimlRuleError> {
    let ok_or = |ok: bool, expected: &str| {
        if ok {
            Ok(())
        } else {
            Err(TwimlRuleError::InvalidAttributeValue {
                element: element.name.clone(),
                attribute: attribute.to_owned(),
                value: value.to_owned(),
                expected: expected.to_owned(),
            })
        }
    };
    match kind {
        Value::Any => Ok(()),
        Value::Bool => ok_or(matches!(value, "true" | "false"), "true or false"),
        Value::Count => ok_or(
            !value.is_empty() && value.len() <= 9 && value.bytes().all(|b| b.is_ascii_digit()),
            "a whole number",
        ),
        Value::OneOf(accepts, expected) => ok_or(accepts(value), expected),
        Value::ListOf(accepts, expected) => ok_or(
            !value.trim().is_empty() && value.split_whitespace().all(accepts),
            expected,
        ),
        Value::Voice => ok_or(
            matches!(value, "man" | "woman" | "alice")
                || ["Polly.", "Google."].iter().any(|prefix| {
                    value
                        .strip_prefix(prefix)
                        .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
                }),
            "man, woman, alice or a Polly./Google. voice",
        ),
        Value::Language => ok_or(is_language_tag(value), "a language tag such as ja-JP"),
        Value::CallSid => ok_or(CallSid::parse(value).is_ok(), "a CallSid"),
    }
}

fn is_language_tag(value: &str) -> bool {
    let mut parts = value.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|part| (2..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn check_element(element: &TwimlElement, rule: &Rule) -> Result<(), TwimlRuleError> {
    for (attribute, value) in &element.attrs {
        let kind = rule
            .attrs
            .iter()
            .chain(rule.extra_attrs)
            .find(|(name, _)| name == attribute)
            .map(|(_, kind)| *kind)
            .ok_or_else(|| TwimlRuleError::UnknownAttribute {
                element: element.name.clone(),
                attribute: attribute.clone(),
            })?;
        check_value(element, attribute, value, kind)?;
    }
    for required in rule.required_attrs {
        if !element.attrs.iter().any(|(name, _)| name == required) {
            return Err(TwimlRuleError::MissingAttribute {
                element: element.name.clone(),
                attribute: required,
            });
        }
    }
    check_say_voice(element)?;

    let has_text = !element.text.trim().is_empty();
    match rule.text {
        Text::None if has_text => return Err(TwimlRuleError::TextNotAllowed(element.name.clone())),
        Text::Required if !has_text => {
            return Err(TwimlRuleError::MissingText(element.name.clone()));
        }
        _ => {}
    }
    if element.name == "Play" && !has_text && !element.attrs.iter().any(|(name, _)| name == "digits") {
        return Err(TwimlRuleError::MissingText(element.name.clone()));
    }
    if element.name == "Client" && !has_text && !element.children.iter().any(|c| c.name == "Identity") {
        return Err(TwimlRuleError::MissingText(element.name.clone()));
    }

    for child in &element.children {
        if !rule.children.contains(&child.name.as_str()) {
            return Err(
                if rule_for(&child.name).is_some() || SSML.contains(&child.name.as_str()) {
                    TwimlRuleError::NotAllowedIn {
                        element: child.name.clone(),
                        parent: element.name.clone(),
                    }
                } else {
                    TwimlRuleError::UnknownElement {
                        element: child.name.clone(),
                    }
                },
            );
        }
        if SSML.contains(&child.name.as_str()) {
            check_ssml(child)?;
        } else if let Some(child_rule) = rule_for(&child.name) {
            check_element(child, child_rule)?;
        }
    }
    if element.name == "Dial" {
        check_dial(element, has_text)?;
    }
    Ok(())
}

/// SSML inside `<Say>` is passed to the speech engine; only its nesting is checked.
fn check_ssml(element: &TwimlElement) -> Result<(), TwimlRuleError> {
    for child in &element.children {
        if !SSML.contains(&child.name.as_str()) {
            return Err(TwimlRuleError::NotAllowedIn {
                element: child.name.clone(),
                parent: element.name.clone(),
            });
        }
        check_ssml(child)?;
    }
    Ok(())
}

fn check_say_voice(element: &TwimlElement) -> Result<(), TwimlRuleError> {
    if element.name != "Say" {
        return Ok(());
    }
    let attr = |name: &str| {
        element
            .attrs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let (Some(voice), Some(language)) = (attr("voice"), attr("language")) else {
        return Ok(());
    };
    let spoken = voice.parse::<SayVoice>().ok().and_then(SayVoice::language);
    match spoken {
        Some(spoken) if spoken.as_str() != language => Err(TwimlRuleError::InvalidAttributeValue {
            element: element.name.clone(),
            attribute: "language".to_owned(),
            value: language.to_owned(),
            expected: format!("{spoken}, the language of {voice}"),
        }),
        _ => Ok(()),
    }
}

fn check_dial(dial: &TwimlElement, has_text: bool) -> Result<(), TwimlRuleError> {
    let nouns = &dial.children;
    if has_text && !nouns.is_empty() {
        return Err(TwimlRuleError::DialTextAndNouns);
    }
    if !has_text && nouns.is_empty() {
        return Err(TwimlRuleError::DialWithoutTarget);
    }
    if nouns.len() > 1
        && let Some(alone) = nouns.iter().find(|n| matches!(n.name.as_str(), "Conference" | "Queue"))
    {
        return Err(TwimlRuleError::DialNounNotAlone(alone.name.clone()));
    }
    if nouns.len() > 10 {
        return Err(TwimlRuleError::TooManyDialNouns(nouns.len()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
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
    fn build(name: &str) -> VoiceResponse {
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
    fn every_document_the_builder_makes_for_the_vectors_passes_the_checker() {
        for name in [
            "hangup",
            "reject_busy",
            "say_japanese",
            "say_hostile_caller_name",
            "customer_parked_in_conference",
            "operator_joins_conference",
            "dial_client_with_parameters",
            "dial_two_numbers",
            "whitespace_in_attributes",
            "english_and_defaults",
        ] {
            let xml = build(name).to_xml();
            assert_eq!(validate_twiml(&xml), Ok(()), "{name}: {xml}");
        }
        let wait = build("wait_url_document").to_xml();
        assert_eq!(validate_twiml_in(&wait, TwimlContext::WaitUrl), Ok(()));
    }

    #[test]
    fn a_hostile_caller_name_stays_text() {
        let xml = VoiceResponse::new()
            .say(Say::new("</Say><Dial><Number>+819000000000</Number></Dial><Say>"))
            .to_xml();
        assert!(!xml.contains("<Dial>"));
        assert_eq!(validate_twiml(&xml), Ok(()));
    }

    #[test]
    fn characters_xml_cannot_carry_are_dropped() {
        let xml = VoiceResponse::new().say(Say::new("a\u{0}b\u{1b}c\u{fffe}")).to_xml();
        assert!(xml.contains("<Say>abc</Say>"), "{xml}");
    }

    fn refused(xml: &str) -> TwimlRuleError {
        validate_twiml(xml).expect_err("the checker should refuse this document")
    }

    #[test]
    fn unknown_verbs_and_wrong_case_are_refused() {
        assert_eq!(
            refused("<Response><Speak>hi</Speak></Response>"),
            TwimlRuleError::UnknownElement {
                element: "Speak".into()
            }
        );
        assert_eq!(
            refused("<Response><say>hi</say></Response>"),
            TwimlRuleError::UnknownElement { element: "say".into() }
        );
        assert_eq!(
            refused("<Reply><Hangup/></Reply>"),
            TwimlRuleError::RootNotResponse("Reply".into())
        );
        assert_eq!(
            refused("<Response><Connect><Stream url=\"wss://x\"/></Connect></Response>"),
            TwimlRuleError::UnmodelledVerb("Connect".into())
        );
    }

    #[test]
    fn characters_xml_cannot_carry_make_a_document_malformed() {
        for xml in [
            "<Response><Say>a\u{c}b</Say></Response>",
            "<Response><Play loop=\"1\u{1}\">https://x.example/a.mp3</Play></Response>",
            "<Response><Play loop=\"&#1;\">https://x.example/a.mp3</Play></Response>",
            "<Response><Say><![CDATA[\u{0}]]></Say></Response>",
        ] {
            assert!(matches!(refused(xml), TwimlRuleError::Malformed(_)), "{xml:?}");
        }
    }

    #[test]
    fn malformed_xml_is_refused() {
        for xml in [
            "",
            "<Response>",
            "<Response><Say>a</Response>",
            "<Response></Response><Response></Response>",
            "<Response><Say>&bogus;</Say></Response>",
            "<Response><Say a=\"1\" a=\"2\">x</Say></Response>",
            "<!DOCTYPE x [<!ENTITY e \"boom\">]><Response><Say>&e;</Say></Response>",
            "text<Response/>",
        ] {
            assert!(matches!(refused(xml), TwimlRuleError::Malformed(_)), "{xml}");
        }
    }

    #[test]
    fn nouns_outside_dial_and_verbs_inside_dial_are_refused() {
        assert_eq!(
            refused("<Response><Conference>room</Conference></Response>"),
            TwimlRuleError::NotAllowedIn {
                element: "Conference".into(),
                parent: "Response".into()
            }
        );
        assert_eq!(
            refused("<Response><Dial><Say>hi</Say></Dial></Response>"),
            TwimlRuleError::NotAllowedIn {
                element: "Say".into(),
                parent: "Dial".into()
            }
        );
        assert_eq!(
            refused("<Response><Gather><Dial>+8131234</Dial></Gather></Response>"),
            TwimlRuleError::NotAllowedIn {
                element: "Dial".into(),
                parent: "Gather".into()
            }
        );
    }

    #[test]
    fn a_conference_must_be_alone_in_its_dial() {
        assert_eq!(
            refused("<Response><Dial><Conference>a</Conference><Client>op</Client></Dial></Response>"),
            TwimlRuleError::DialNounNotAlone("Conference".into())
        );
        assert_eq!(
            refused("<Response><Dial>+81312345678<Number>+81312345679</Number></Dial></Response>"),
            TwimlRuleError::DialTextAndNouns
        );
        assert_eq!(
            refused("<Response><Dial/></Response>"),
            TwimlRuleError::DialWithoutTarget
        );
        let eleven = "<Client>op</Client>".repeat(11);
        assert_eq!(
            refused(&format!("<Response><Dial>{eleven}</Dial></Response>")),
            TwimlRuleError::TooManyDialNouns(11)
        );
        assert_eq!(
            validate_twiml("<Response><Dial><Client>a</Client><Number>+81312345678</Number></Dial></Response>"),
            Ok(())
        );
    }

    #[test]
    fn attributes_are_checked_per_element() {
        assert_eq!(
            refused("<Response><Hangup reason=\"busy\"/></Response>"),
            TwimlRuleError::UnknownAttribute {
                element: "Hangup".into(),
                attribute: "reason".into()
            }
        );
        assert!(matches!(
            refused("<Response><Reject reason=\"later\"/></Response>"),
            TwimlRuleError::InvalidAttributeValue { ref attribute, .. } if attribute == "reason"
        ));
        assert!(matches!(
            refused("<Response><Dial><Conference beep=\"yes\">a</Conference></Dial></Response>"),
            TwimlRuleError::InvalidAttributeValue { ref attribute, .. } if attribute == "beep"
        ));
        assert!(matches!(
            refused("<Response><Dial><Conference statusCallbackEvent=\"start finish\">a</Conference></Dial></Response>"),
            TwimlRuleError::InvalidAttributeValue { ref attribute, .. } if attribute == "statusCallbackEvent"
        ));
        assert!(matches!(
            refused("<Response><Pause length=\"-1\"/></Response>"),
            TwimlRuleError::InvalidAttributeValue { ref attribute, .. } if attribute == "length"
        ));
        assert!(matches!(
            refused("<Response><Dial timeout=\"soon\">+81312345678</Dial></Response>"),
            TwimlRuleError::InvalidAttributeValue { ref attribute, .. } if attribute == "timeout"
        ));
        assert!(matches!(
            refused("<Response><Say voice=\"Polly.Mizuki\" language=\"en-US\">hi</Say></Response>"),
            TwimlRuleError::InvalidAttributeValue { ref attribute, .. } if attribute == "language"
        ));
        assert_eq!(
            refused(
                "<Response><Dial><Client><Parameter value=\"x\"/><Identity>a</Identity></Client></Dial></Response>"
            ),
            TwimlRuleError::MissingAttribute {
                element: "Parameter".into(),
                attribute: "name"
            }
        );
    }

    #[test]
    fn reject_must_come_first() {
        assert_eq!(
            refused("<Response><Say>hi</Say><Reject/></Response>"),
            TwimlRuleError::RejectNotFirst
        );
        assert_eq!(
            validate_twiml("<Response><Reject reason=\"busy\"/><Say>x</Say></Response>"),
            Ok(())
        );
    }

    #[test]
    fn elements_that_need_text_say_so() {
        assert_eq!(
            refused("<Response><Redirect/></Response>"),
            TwimlRuleError::MissingText("Redirect".into())
        );
        assert_eq!(
            refused("<Response><Play/></Response>"),
            TwimlRuleError::MissingText("Play".into())
        );
        assert_eq!(
            refused("<Response><Dial><Conference> </Conference></Dial></Response>"),
            TwimlRuleError::MissingText("Conference".into())
        );
        assert_eq!(
            refused("<Response><Hangup>now</Hangup></Response>"),
            TwimlRuleError::TextNotAllowed("Hangup".into())
        );
        assert_eq!(validate_twiml("<Response><Play digits=\"ww1\"/></Response>"), Ok(()));
    }

    #[test]
    fn wait_url_documents_may_only_play_say_pause_and_redirect() {
        let dial = "<Response><Say>wait</Say><Dial>+81312345678</Dial></Response>";
        assert_eq!(validate_twiml(dial), Ok(()));
        assert_eq!(
            validate_twiml_in(dial, TwimlContext::WaitUrl),
            Err(TwimlRuleError::NotAllowedInContext {
                verb: "Dial".into(),
                context: "waitUrl"
            })
        );
        assert!(validate_twiml_in("<Response><Hangup/></Response>", TwimlContext::WaitUrl).is_err());
        assert_eq!(
            validate_twiml_in(
                "<?xml version=\"1.0\"?>\n<Response>\n  <Play loop=\"0\">https://x/m.mp3</Play>\n  <!-- music -->\n</Response>\n",
                TwimlContext::WaitUrl
            ),
            Ok(())
        );
    }

    #[test]
    fn ssml_inside_say_is_allowed_but_verbs_are_not() {
        assert_eq!(
            validate_twiml(
                "<Response><Say voice=\"Polly.Mizuki\">こんにちは<break time=\"1s\"/><prosody rate=\"slow\">ゆっくり</prosody></Say></Response>"
            ),
            Ok(())
        );
        assert!(validate_twiml("<Response><Say><prosody><Dial>1</Dial></prosody></Say></Response>").is_err());
    }

    fn any_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                any::<char>(),
                Just('<'),
                Just('>'),
                Just('&'),
                Just('"'),
                Just('\''),
                Just('\n'),
                Just('\r'),
                Just('\t'),
                Just('山'),
                Just(']'),
            ],
            0..40,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    /// Reads back the text of every element and every attribute value, in order.
    fn read_back(xml: &str) -> (Vec<String>, Vec<String>) {
        let root = parse_tree(xml).expect("the builder writes well-formed XML");
        let mut texts = Vec::new();
        let mut attrs = Vec::new();
        fn walk(element: &TwimlElement, texts: &mut Vec<String>, attrs: &mut Vec<String>) {
            if !element.text.is_empty() {
                texts.push(element.text.clone());
            }
            attrs.extend(element.attrs.iter().map(|(_, v)| v.clone()));
            for child in &element.children {
                walk(child, texts, attrs);
            }
        }
        walk(&root, &mut texts, &mut attrs);
        (texts, attrs)
    }

    fn representable(text: &str) -> String {
        text.chars().filter(|c| is_xml_char(*c)).collect()
    }

    proptest! {
        #[test]
        fn any_text_round_trips_through_the_builder(say in any_text(), label in any_text(), param in any_text()) {
            let xml = VoiceResponse::new()
                .say(Say::new(say.clone()))
                .dial(Dial::client(Client::new(ClientIdentity::parse("op").unwrap()).parameter("p", param.clone())))
                .dial(Dial::conference(Conference::new("room").participant_label(label.clone())))
                .to_xml();
            let (texts, attrs) = read_back(&xml);
            let mut expected_texts = Vec::new();
            if !representable(&say).is_empty() {
                expected_texts.push(representable(&say));
            }
            expected_texts.push("op".to_owned());
            expected_texts.push("room".to_owned());
            prop_assert_eq!(texts, expected_texts);
            prop_assert_eq!(attrs, vec!["p".to_owned(), representable(&param), representable(&label)]);
        }

        #[test]
        fn the_checker_never_panics(xml in "\\PC{0,200}") {
            let _ = validate_twiml(&xml);
            let _ = validate_twiml_in(&format!("<Response>{xml}</Response>"), TwimlContext::WaitUrl);
        }
    }
}
