//! The TwiML builder with any text in any place a caller name, a memo-derived label or a URL
//! can reach: the document is well-formed XML for an independent, strict XML parser, and it
//! reads back as exactly the elements, attributes and text that were put in (less the
//! characters XML cannot carry at all). The rule checker the simulator runs reads the same
//! document as well-formed and, when it accepts it, sees the same tree.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use shared::twilio::ClientIdentity;
use shared::twilio::twiml::rules::{TwimlContext, TwimlElement, TwimlRuleError, parse_twiml};
use shared::twilio::twiml::{
    Client, Conference, Dial, DialEndpoint, HttpMethod, Number, Pause, Play, Redirect, Reject, RejectReason, Say,
    SayVoice, VoiceResponse,
};

#[derive(Debug, Arbitrary)]
enum VerbInput {
    Say {
        text: String,
        voice: Option<u8>,
        loop_count: Option<u32>,
    },
    Play {
        url: String,
        loop_count: Option<u32>,
    },
    Pause(Option<u32>),
    Redirect {
        url: String,
        post: Option<bool>,
    },
    Hangup,
    Reject(Option<bool>),
    Conference {
        name: String,
        label: Option<String>,
        wait_url: Option<String>,
        status_callback: Option<String>,
        action: Option<String>,
    },
    Endpoints {
        caller_id: Option<String>,
        endpoints: Vec<EndpointInput>,
    },
}

#[derive(Debug, Arbitrary)]
enum EndpointInput {
    Client {
        identity: String,
        url: Option<String>,
        parameters: Vec<(String, String)>,
    },
    Number {
        number: String,
        send_digits: Option<String>,
    },
}

/// An element as a reader sees it: attributes sorted by name, text joined.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            attrs: Vec::new(),
            text: String::new(),
            children: Vec::new(),
        }
    }

    fn text(mut self, text: &str) -> Self {
        self.text = representable(text);
        self
    }

    fn attr(mut self, name: &str, value: Option<impl ToString>) -> Self {
        if let Some(value) = value {
            self.attrs.push((name.to_owned(), representable(&value.to_string())));
            self.attrs.sort();
        }
        self
    }

    fn child(mut self, child: Element) -> Self {
        self.children.push(child);
        self
    }
}

/// What XML can carry of a text: every character but most C0 controls, U+FFFE and U+FFFF.
fn representable(text: &str) -> String {
    text.chars()
        .filter(|c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..))
        .collect()
}

fn method(post: Option<bool>) -> Option<HttpMethod> {
    post.map(|post| if post { HttpMethod::Post } else { HttpMethod::Get })
}

/// Adds a verb to the response and to the expected tree.
fn add(response: VoiceResponse, expected: Element, verb: VerbInput) -> (VoiceResponse, Element) {
    match verb {
        VerbInput::Say {
            text,
            voice,
            loop_count,
        } => {
            let mut say = Say::new(text.clone());
            let mut node = Element::new("Say").text(&text);
            if let Some(i) = voice {
                let voice = SayVoice::ALL[usize::from(i) % SayVoice::ALL.len()];
                say = say.voice(voice);
                node = node.attr("voice", Some(voice)).attr("language", voice.language());
            }
            if let Some(n) = loop_count {
                say = say.loop_count(n);
                node = node.attr("loop", Some(n));
            }
            (response.say(say), expected.child(node))
        }
        VerbInput::Play { url, loop_count } => {
            let mut play = Play::new(url.clone());
            if let Some(n) = loop_count {
                play = play.loop_count(n);
            }
            let node = Element::new("Play").text(&url).attr("loop", loop_count);
            (response.play(play), expected.child(node))
        }
        VerbInput::Pause(length) => {
            let pause = length.map_or_else(Pause::new, Pause::seconds);
            (
                response.pause(pause),
                expected.child(Element::new("Pause").attr("length", length)),
            )
        }
        VerbInput::Redirect { url, post } => {
            let mut redirect = Redirect::new(url.clone());
            if let Some(m) = method(post) {
                redirect = redirect.method(m);
            }
            let node = Element::new("Redirect").text(&url).attr("method", method(post));
            (response.redirect(redirect), expected.child(node))
        }
        VerbInput::Hangup => (response.hangup(), expected.child(Element::new("Hangup"))),
        VerbInput::Reject(busy) => {
            let reason = busy.map(|busy| {
                if busy {
                    RejectReason::Busy
                } else {
                    RejectReason::Rejected
                }
            });
            let reject = reason.map_or_else(Reject::new, Reject::reason);
            (
                response.reject(reject),
                expected.child(Element::new("Reject").attr("reason", reason)),
            )
        }
        VerbInput::Conference {
            name,
            label,
            wait_url,
            status_callback,
            action,
        } => {
            let mut conference = Conference::new(name.clone());
            if let Some(label) = &label {
                conference = conference.participant_label(label.clone());
            }
            if let Some(url) = &wait_url {
                conference = conference.wait_url(url.clone());
            }
            if let Some(url) = &status_callback {
                conference = conference.status_callback(url.clone());
            }
            let node = Element::new("Conference")
                .text(&name)
                .attr("participantLabel", label)
                .attr("waitUrl", wait_url)
                .attr("statusCallback", status_callback);
            let mut dial = Dial::conference(conference);
            if let Some(url) = &action {
                dial = dial.action(url.clone());
            }
            let dial_node = Element::new("Dial").attr("action", action).child(node);
            (response.dial(dial), expected.child(dial_node))
        }
        VerbInput::Endpoints { caller_id, endpoints } => {
            let mut list = Vec::new();
            let mut dial_node = Element::new("Dial").attr("callerId", caller_id.clone());
            for endpoint in endpoints {
                match endpoint {
                    EndpointInput::Client {
                        identity,
                        url,
                        parameters,
                    } => {
                        let Ok(identity) = ClientIdentity::parse(&identity) else {
                            continue;
                        };
                        let mut client = Client::new(identity.clone());
                        let mut node = Element::new("Client")
                            .attr("url", url.clone())
                            .child(Element::new("Identity").text(identity.as_str()));
                        if let Some(url) = url {
                            client = client.url(url);
                        }
                        for (name, value) in parameters {
                            node = node.child(
                                Element::new("Parameter")
                                    .attr("name", Some(&name))
                                    .attr("value", Some(&value)),
                            );
                            client = client.parameter(name, value);
                        }
                        list.push(DialEndpoint::Client(client));
                        dial_node = dial_node.child(node);
                    }
                    EndpointInput::Number { number, send_digits } => {
                        let mut n = Number::new(number.clone());
                        if let Some(digits) = &send_digits {
                            n = n.send_digits(digits.clone());
                        }
                        list.push(DialEndpoint::Number(n));
                        dial_node =
                            dial_node.child(Element::new("Number").text(&number).attr("sendDigits", send_digits));
                    }
                }
            }
            let mut dial = Dial::endpoints(list);
            if let Some(id) = caller_id {
                dial = dial.caller_id(id);
            }
            (response.dial(dial), expected.child(dial_node))
        }
    }
}

fn from_strict_parser(node: roxmltree::Node<'_, '_>) -> Element {
    let mut attrs: Vec<(String, String)> = node
        .attributes()
        .map(|a| (a.name().to_owned(), a.value().to_owned()))
        .collect();
    attrs.sort();
    Element {
        name: node.tag_name().name().to_owned(),
        attrs,
        text: node
            .children()
            .filter(|c| c.is_text())
            .filter_map(|c| c.text())
            .collect(),
        children: node
            .children()
            .filter(|c| c.is_element())
            .map(from_strict_parser)
            .collect(),
    }
}

fn from_checker(element: &TwimlElement) -> Element {
    let mut attrs = element.attrs.clone();
    attrs.sort();
    Element {
        name: element.name.clone(),
        attrs,
        text: element.text.clone(),
        children: element.children.iter().map(from_checker).collect(),
    }
}

fuzz_target!(|verbs: Vec<VerbInput>| {
    let mut response = VoiceResponse::new();
    let mut expected = Element::new("Response");
    for verb in verbs {
        (response, expected) = add(response, expected, verb);
    }
    let xml = response.to_xml();

    let document = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("not well-formed ({e}): {xml}"));
    assert_eq!(from_strict_parser(document.root_element()), expected, "{xml}");

    match parse_twiml(&xml, TwimlContext::Call) {
        Ok(tree) => assert_eq!(from_checker(&tree), expected, "{xml}"),
        Err(TwimlRuleError::Malformed(e)) => panic!("the checker reads the builder's XML as malformed ({e}): {xml}"),
        Err(_) => {}
    }
});
