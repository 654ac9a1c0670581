//! Twilio's TwiML rules: [`validate_twiml`] reads any document and says which of them
//! it breaks (unknown verbs, nesting, attributes, `<Reject>` not first, what a
//! conference wait URL may contain), and [`parse_twiml`] hands back the checked tree.
//!
//! The local Twilio simulator runs TwiML through it to refuse what Twilio would refuse,
//! so a mistake shows up on a laptop rather than as a dead call; the tests and the fuzz
//! targets check every document the builder writes with it. Nothing deployed reads TwiML,
//! so this module is built only with the `twilio-rules` feature (which `test-support`
//! turns on).

use std::str::FromStr;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::is_xml_char;
use super::{
    CallProgressEvent, ConferenceBeep, ConferenceRecord, ConferenceRegion, ConferenceStatusEvent, DialRecord,
    HttpMethod, JitterBufferSize, RejectReason, RingTone, SayVoice, Trim,
};
use crate::twilio::CallSid;

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

/// An attribute value as XML hands it to an application (1.0, 2.11 and 3.3.3): each line break
/// written in it (CR LF, CR or LF) and each tab becomes one space before references are
/// resolved, so `&#xA;` stays a line break.
fn normalised_attribute(raw: &str) -> std::borrow::Cow<'_, str> {
    if !raw.contains(['\r', '\n', '\t']) {
        return raw.into();
    }
    raw.replace("\r\n", " ").replace(['\r', '\n', '\t'], " ").into()
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
            let raw = decoder.decode(&attr.value).map_err(malformed)?;
            let raw = normalised_attribute(&raw);
            let value = quick_xml::escape::unescape(&raw).map_err(malformed)?;
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
const UNMODELLED_VERBS: &[&str] = &["Connect", "Echo", "Pay", "Refer", "Sms"];

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

/// `<Start>` and `<Stop>` and what they start or stop: only `<Transcription>` (real-time
/// transcription) is modelled; `<Stream>`, `<Siprec>` and `<Recording>` inside them are refused
/// as not modelled. (What `<Stop>`'s `<Transcription>` needs, its `name`, is checked where it
/// runs: the simulator.)
const START_RULES: &[Rule] = &[
    Rule {
        name: "Start",
        is_verb: true,
        attrs: &[("action", Value::Any), ("method", METHOD)],
        extra_attrs: &[],
        required_attrs: &[],
        children: &["Transcription"],
        text: Text::None,
    },
    Rule {
        name: "Stop",
        is_verb: true,
        attrs: &[],
        extra_attrs: &[],
        required_attrs: &[],
        children: &["Transcription"],
        text: Text::None,
    },
    Rule {
        name: "Transcription",
        is_verb: false,
        attrs: &[
            ("conversationConfiguration", Value::Any),
            ("conversationId", Value::Any),
            ("enableAutomaticPunctuation", Value::Bool),
            ("enableProviderData", Value::Bool),
            ("hints", Value::Any),
            ("inboundTrackLabel", Value::Any),
            ("intelligenceService", Value::Any),
            ("languageCode", Value::Language),
            ("name", Value::Any),
            ("outboundTrackLabel", Value::Any),
            ("partialResults", Value::Bool),
            ("profanityFilter", Value::Bool),
            ("speechModel", Value::Any),
            ("statusCallbackMethod", METHOD),
            ("statusCallbackUrl", Value::Any),
            (
                "track",
                Value::OneOf(
                    |v| matches!(v, "inbound_track" | "outbound_track" | "both_tracks"),
                    "inbound_track, outbound_track or both_tracks",
                ),
            ),
            ("transcriptionEngine", Value::Any),
        ],
        extra_attrs: &[],
        required_attrs: &[],
        children: &[],
        text: Text::None,
    },
];

fn rule_for(name: &str) -> Option<&'static Rule> {
    RULES.iter().chain(START_RULES).find(|rule| rule.name == name)
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
    use proptest::prelude::*;

    use super::super::tests::build;
    use super::super::{Client, Conference, Dial, Say, VoiceResponse, is_xml_char};
    use super::*;
    use crate::twilio::ClientIdentity;

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
    fn attribute_values_read_as_xml_hands_them_over() {
        for (written, read) in [
            ("a\tb", "a b"),
            ("a\r\nb", "a b"),
            ("a\r\rb", "a  b"),
            ("a\r&#xA;b", "a \nb"),
            ("a&#13;&#10;&#9;b", "a\r\n\tb"),
            ("&amp;\n", "& "),
        ] {
            let xml = format!("<Response><Conference participantLabel=\"{written}\">c</Conference></Response>");
            let tree = parse_tree(&xml).unwrap();
            assert_eq!(tree.children[0].attr("participantLabel"), Some(read), "{written:?}");
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
