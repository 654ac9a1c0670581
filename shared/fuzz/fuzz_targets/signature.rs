//! X-Twilio-Signature checks: no URL, parameters or header panics the validator; the signature
//! Twilio would compute for a request validates (with or without a connection-override
//! fragment, with or without the default port); and a changed request is refused unless the
//! string Twilio signs (the URL, then the sorted distinct name-value pairs, concatenated) is
//! byte for byte the one that was signed.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use secrecy::SecretString;
use shared::twilio::signature::{
    SignatureError, WebhookValidator, body_sha256_hex, compute_signature, public_webhook_url,
};

#[derive(Debug, Arbitrary)]
struct Input {
    token: String,
    /// Any URL at all, for the checks that must hold whatever the URL.
    raw_url: String,
    header: String,
    https: bool,
    /// A host of letters, digits, dots and dashes, so the URL's port is where Twilio's
    /// libraries look for it.
    host: String,
    port: Option<u16>,
    path_and_query: String,
    fragment: Option<String>,
    params: Vec<(String, String)>,
    body: Vec<u8>,
    change: Change,
}

#[derive(Debug, Arbitrary)]
enum Change {
    AppendToValue(usize, char),
    AppendToName(usize, char),
    Drop(usize),
    Add(String, String),
    AppendToPath(char),
    OtherScheme,
    OtherToken(char),
    FlipHeader(usize),
}

fn validator(token: &str) -> WebhookValidator {
    WebhookValidator::new(SecretString::from(token.to_owned()))
}

/// The string Twilio signs, as its documentation describes it.
fn signed_string(url: &str, params: &[(String, String)]) -> String {
    let mut pairs: Vec<&(String, String)> = params.iter().collect();
    pairs.sort();
    pairs.dedup();
    let mut out = url.to_owned();
    for (name, value) in pairs {
        out.push_str(name);
        out.push_str(value);
    }
    out
}

fuzz_target!(|input: Input| {
    let v = validator(&input.token);

    // Whatever arrives, the validator answers without panicking, and only an empty header is
    // "missing".
    let outcome = v.validate(&input.raw_url, &input.params, &input.header);
    assert_eq!(outcome == Err(SignatureError::MissingHeader), input.header.is_empty());
    let _ = v.validate_json_body(&input.raw_url, &input.body, &input.header);

    // The signature over any URL (less its fragment, which Twilio does not sign) validates.
    let unsigned_part = input.raw_url.split('#').next().unwrap_or_default();
    let header = compute_signature(&input.token, unsigned_part, &input.params);
    assert_eq!(v.validate(&input.raw_url, &input.params, &header), Ok(()));

    // A URL whose port Twilio's libraries can find: signed with or without its default port.
    let host: String = input
        .host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        .collect();
    if host.is_empty() {
        return;
    }
    let rest: String = input.path_and_query.chars().filter(|c| *c != '#').collect();
    let rest = if rest.starts_with(['/', '?']) || rest.is_empty() {
        rest
    } else {
        format!("/{rest}")
    };
    let url = Url {
        https: input.https,
        host,
        port: input.port,
        rest,
    };
    let params = input.params;
    let header = compute_signature(&input.token, &url.text(), &params);
    let received = match &input.fragment {
        Some(fragment) => format!("{}#{fragment}", url.text()),
        None => url.text(),
    };
    assert_eq!(v.validate(&received, &params, &header), Ok(()));
    // Signed without a port, the URL is accepted with the default one and the other way round.
    let default_port = if url.https { 443 } else { 80 };
    if url.port.is_none_or(|port| port == default_port) {
        assert_eq!(
            v.validate(&url.twin(), &params, &header),
            Ok(()),
            "signed {}, received {}",
            url.text(),
            url.twin()
        );
    }

    let signed = signed_string(&url.text(), &params);
    let mut changed = url.clone();
    let mut changed_params = params.clone();
    let mut changed_token = input.token.clone();
    let mut changed_header = header.clone();
    match input.change {
        Change::AppendToValue(i, c) if !changed_params.is_empty() => {
            let i = i % changed_params.len();
            changed_params[i].1.push(c);
        }
        Change::AppendToName(i, c) if !changed_params.is_empty() => {
            let i = i % changed_params.len();
            changed_params[i].0.push(c);
        }
        Change::Drop(i) if !changed_params.is_empty() => {
            changed_params.remove(i % changed_params.len());
        }
        Change::Add(name, value) => changed_params.push((name, value)),
        Change::AppendToPath(c) if c != '#' => {
            if changed.rest.is_empty() {
                changed.rest.push('/');
            }
            changed.rest.push(c);
        }
        Change::OtherScheme => changed.https = !changed.https,
        // HMAC pads a short key with zero bytes, so a token and the same token with a NUL
        // appended sign alike; Auth Tokens are hexadecimal.
        Change::OtherToken(c) => changed_token.push(if c == '\0' { '0' } else { c }),
        Change::FlipHeader(i) => {
            let mut bytes = changed_header.into_bytes();
            let i = i % bytes.len();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            changed_header = String::from_utf8(bytes).expect("base64 is ASCII");
        }
        _ => {}
    }
    let outcome = validator(&changed_token).validate(&changed.text(), &changed_params, &changed_header);
    let still_signed = changed_token == input.token
        && changed_header == header
        && (signed_string(&changed.text(), &changed_params) == signed
            || signed_string(&changed.twin(), &changed_params) == signed);
    if still_signed {
        assert_eq!(outcome, Ok(()), "the same signed string is accepted");
    } else {
        assert_eq!(
            outcome,
            Err(SignatureError::Mismatch),
            "a changed request is refused: {} {changed_params:?}",
            changed.text()
        );
    }

    // A JSON webhook is signed through the hash of its body in the URL.
    let json_url = public_webhook_url(
        &format!("{}://{}", url.scheme(), url.host),
        "/json",
        &format!("bodySHA256={}", body_sha256_hex(&input.body)),
    );
    let json_header = compute_signature(&input.token, &json_url, &[]);
    assert_eq!(v.validate_json_body(&json_url, &input.body, &json_header), Ok(()));
    let mut other_body = input.body.clone();
    other_body.push(b' ');
    assert_eq!(
        v.validate_json_body(&json_url, &other_body, &json_header),
        Err(SignatureError::BodyHashMismatch)
    );
});

/// A URL whose port Twilio's libraries can find: a host of letters, digits, dots and dashes,
/// an optional port, and the path and query after them.
#[derive(Debug, Clone)]
struct Url {
    https: bool,
    host: String,
    port: Option<u16>,
    rest: String,
}

impl Url {
    fn scheme(&self) -> &'static str {
        if self.https { "https" } else { "http" }
    }

    fn text(&self) -> String {
        match self.port {
            Some(port) => format!("{}://{}:{port}{}", self.scheme(), self.host, self.rest),
            None => format!("{}://{}{}", self.scheme(), self.host, self.rest),
        }
    }

    /// The same URL without its port, or with the scheme's default port: the other form
    /// Twilio may have signed.
    fn twin(&self) -> String {
        match self.port {
            Some(_) => format!("{}://{}{}", self.scheme(), self.host, self.rest),
            None => {
                let port = if self.https { 443 } else { 80 };
                format!("{}://{}:{port}{}", self.scheme(), self.host, self.rest)
            }
        }
    }
}
