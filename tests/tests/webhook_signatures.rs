//! X-Twilio-Signature at the console's door, over loopback: well over a thousand mutations of
//! validly signed webhooks (a parameter added, removed, renamed or changed, a value's case, the
//! URL's scheme, host, port, path or query, the body's encoding, the header missing, altered or
//! duplicated) are each refused with 403 before the store is touched, and Twilio's own helper
//! library agrees that each is invalid. Requests signed by that library (twilio-python's
//! RequestValidator, run from the test tools venv) are all accepted, including the variants it
//! accepts by design (the URL without its port, parameters in another order, spaces as `%20`).
//!
//! The signing algorithm itself is unit-tested against the library's vectors in
//! `shared::twilio::signature`; this suite checks what the router makes of whole requests.

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::twilio::signature::compute_signature;
use support::Console;

const CALL: &str = "CA0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const CONFERENCE: &str = "CF0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const APP: &str = "AP0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const RECORDING: &str = "RE0a1b2c3d4e5f60718293a4b5c6d7e8f9";

type Params = Vec<(String, String)>;

/// A webhook as Twilio sends it: the path (with query) on the console and its form parameters.
#[derive(Clone)]
struct Base {
    method: &'static str,
    path: String,
    params: Params,
}

fn pairs(list: &[(&str, &str)]) -> Params {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// One webhook of each kind the voice function answers, with the values Twilio sends: E.164
/// numbers (a `+` to encode), RFC 2822 dates (spaces and commas), Japanese text, URLs in values,
/// a repeated name, a `client:` address.
fn bases(account: &str) -> Vec<Base> {
    let post = |path: &str, list: &[(&str, &str)]| Base {
        method: "POST",
        path: path.to_owned(),
        params: pairs(list),
    };
    vec![
        post(
            "/twilio/voice/incoming",
            &[
                ("AccountSid", account),
                ("ApiVersion", "2010-04-01"),
                ("CallSid", CALL),
                ("CallStatus", "ringing"),
                ("Called", "+81368000001"),
                ("Caller", "+81312345678"),
                ("CallerName", "ヤマダ タロウ"),
                ("Direction", "inbound"),
                ("From", "+81312345678"),
                ("FromCity", "千代田区"),
                ("To", "+81368000001"),
            ],
        ),
        post(
            "/twilio/voice/status",
            &[
                ("AccountSid", account),
                ("ApiVersion", "2010-04-01"),
                ("CallSid", CALL),
                ("CallStatus", "in-progress"),
                ("CallbackSource", "call-progress-events"),
                ("Direction", "inbound"),
                ("From", "+81312345678"),
                ("SequenceNumber", "1"),
                ("Timestamp", "Tue, 01 Dec 2026 10:00:00 +0000"),
                ("To", "+81368000001"),
            ],
        ),
        post(
            "/twilio/voice/conference",
            &[
                ("AccountSid", account),
                ("CallSid", CALL),
                ("Coaching", "false"),
                ("ConferenceSid", CONFERENCE),
                ("EndConferenceOnExit", "true"),
                ("FriendlyName", CALL),
                ("Hold", "false"),
                ("Muted", "false"),
                ("ParticipantLabel", "customer"),
                ("SequenceNumber", "2"),
                ("StartConferenceOnEnter", "false"),
                ("StatusCallbackEvent", "participant-join"),
                ("Timestamp", "Tue, 01 Dec 2026 10:00:01 +0000"),
            ],
        ),
        post(
            "/twilio/voice/outbound",
            &[
                ("AccountSid", account),
                ("ApiVersion", "2010-04-01"),
                ("ApplicationSid", APP),
                ("CallSid", "CA1f1e1d1c1b1a19181716151413121110"),
                ("CallStatus", "ringing"),
                ("Called", ""),
                ("Caller", "client:op_sato"),
                ("Direction", "inbound"),
                ("From", "client:op_sato"),
                ("LineId", "no-such-line"),
                ("To", "03-1234-5678"),
            ],
        ),
        post(
            "/twilio/voice/recording/CA0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            &[
                ("AccountSid", account),
                ("CallSid", CALL),
                ("ConferenceSid", CONFERENCE),
                ("RecordingChannels", "1"),
                ("RecordingSid", RECORDING),
                ("RecordingSource", "StartConferenceRecordingAPI"),
                ("RecordingStartTime", "Tue, 01 Dec 2026 10:00:02 +0000"),
                ("RecordingStatus", "in-progress"),
                (
                    "RecordingUrl",
                    "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE?a=1&b=%2F",
                ),
            ],
        ),
        post(
            "/twilio/voice/operator-leg/CA0a1b2c3d4e5f60718293a4b5c6d7e8f9/OF1/op-sato",
            &[
                ("AccountSid", account),
                ("ApiVersion", "2010-04-01"),
                ("CallSid", "CA2f2e2d2c2b2a29282726252423222120"),
                ("CallStatus", "ringing"),
                ("Direction", "outbound-api"),
                ("From", "+81312345678"),
                ("ParentCallSid", ""),
                ("SequenceNumber", "0"),
                ("To", "client:op_sato"),
            ],
        ),
        post(
            "/twilio/voice/fallback?lang=ja&note=%E4%BA%88%E5%82%99",
            &[
                ("AccountSid", account),
                ("CallSid", CALL),
                ("ErrorCode", "11200"),
                ("ErrorUrl", "https://console.example.jp/twilio/voice/incoming?x=1&y=%20"),
                ("StirVerstat", "TN-Validation-Passed-A"),
                ("StirVerstat", "TN-Validation-Passed-B"),
            ],
        ),
        post(
            "/twilio/voice/wait",
            &[
                ("AccountSid", account),
                ("CallSid", CALL),
                ("QueuePosition", "1"),
                ("QueueTime", "0"),
            ],
        ),
        Base {
            method: "GET",
            path: format!("/twilio/voice/hold?call={CALL}&lang=ja"),
            params: Vec::new(),
        },
    ]
}

/// A request on the wire and, for the oracle, what the console reconstructs from it.
struct Wire {
    label: String,
    method: &'static str,
    path: String,
    body: Option<String>,
    content_type: &'static str,
    signatures: Vec<String>,
    /// Whether Twilio's library is asked about it (not for duplicated headers, which it never
    /// sees as such).
    oracle: bool,
}

fn form(params: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter())
        .finish()
}

impl Wire {
    fn new(label: String, base: &Base, params: &[(String, String)], signature: &str) -> Self {
        Wire {
            label,
            method: base.method,
            path: base.path.clone(),
            body: (base.method == "POST").then(|| form(params)),
            content_type: "application/x-www-form-urlencoded",
            signatures: vec![signature.to_owned()],
            oracle: true,
        }
    }

    /// The parameters the console decodes from the body.
    fn received(&self) -> Params {
        self.body
            .as_deref()
            .map(|b| form_urlencoded::parse(b.as_bytes()).into_owned().collect())
            .unwrap_or_default()
    }
}

/// Text that differs in case, if it has letters.
fn case_variants(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    for variant in [v.to_uppercase(), v.to_lowercase()] {
        if variant != v && !out.contains(&variant) {
            out.push(variant);
        }
    }
    if let Some(first) = v.chars().next().filter(|c| c.is_alphabetic()) {
        let flipped: String = if first.is_uppercase() {
            first.to_lowercase().collect()
        } else {
            first.to_uppercase().collect()
        };
        let variant = format!("{flipped}{}", &v[first.len_utf8()..]);
        if variant != v && !out.contains(&variant) {
            out.push(variant);
        }
    }
    out
}

/// Values that are not `v`: longer, shorter, empty, padded, in another case, with full-width
/// digits, with its `+` read as a space.
fn value_variants(v: &str) -> Vec<String> {
    let mut out = vec![format!("{v}0"), format!(" {v}"), format!("{v} ")];
    if !v.is_empty() {
        let mut shorter = v.to_owned();
        shorter.pop();
        out.push(shorter);
        out.push(String::new());
    }
    out.extend(case_variants(v));
    if v.chars().any(|c| c.is_ascii_digit()) {
        out.push(
            v.chars()
                .map(|c| match c {
                    '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap(),
                    other => other,
                })
                .collect(),
        );
    }
    if v.contains('+') {
        out.push(v.replace('+', " "));
    }
    out
}

/// Every way to make a signed request invalid that the console must refuse.
fn mutations(c: &Console, bases: &[Base]) -> Vec<Wire> {
    let token = &c.account.auth_token;
    let base_url = &c.url;
    let mut out = Vec::new();
    for (b, base) in bases.iter().enumerate() {
        let url = format!("{base_url}{}", base.path);
        let params = &base.params;
        let sig = compute_signature(token, &url, params);
        let name = |what: String| format!("{} {}: {what}", base.method, base.path);

        // Parameters: the body no longer says what was signed.
        for (i, (k, v)) in params.iter().enumerate() {
            let mut removed = params.clone();
            removed.remove(i);
            out.push(Wire::new(name(format!("{k} removed")), base, &removed, &sig));
            for changed in value_variants(v) {
                let mut p = params.clone();
                p[i].1 = changed.clone();
                out.push(Wire::new(name(format!("{k}={changed:?}")), base, &p, &sig));
            }
            let mut renames = case_variants(k);
            renames.push(format!("{k}_"));
            for renamed in renames {
                let mut p = params.clone();
                p[i].0 = renamed.clone();
                out.push(Wire::new(name(format!("{k} renamed {renamed}")), base, &p, &sig));
            }
            let mut repeated = params.clone();
            repeated.push((k.clone(), format!("{v}1")));
            out.push(Wire::new(
                name(format!("{k} repeated with another value")),
                base,
                &repeated,
                &sig,
            ));
            if let Some((k2, v2)) = params.get(i + 1)
                && v2 != v
                && k2 != k
            {
                let mut swapped = params.clone();
                swapped[i].1 = v2.clone();
                swapped[i + 1].1 = v.clone();
                out.push(Wire::new(name(format!("{k} and {k2} swapped")), base, &swapped, &sig));
            }
        }
        // The body's encoding: the same text read differently.
        if base.method == "POST" {
            for (k, v) in [("Foo", "bar"), ("X", ""), ("callsid", CALL), ("AccountSid", "AC0")] {
                let mut added = params.clone();
                added.push((k.into(), v.into()));
                out.push(Wire::new(name(format!("{k}={v} added")), base, &added, &sig));
            }
            let body = form(params);
            let mut encodings: Vec<(&str, String)> = vec![
                ("`;` between parameters", body.replace('&', ";")),
                ("the body as JSON", {
                    let map: serde_json::Map<String, Value> =
                        params.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                    Value::Object(map).to_string()
                }),
                ("the body cut short", body[..body.len() - 1].to_owned()),
            ];
            if body.contains("%2B") {
                encodings.push(("`+` sent unencoded (read as a space)", body.replace("%2B", "+")));
                encodings.push(("`+` encoded twice", body.replace("%2B", "%252B")));
            }
            if body.contains("%E3") || body.contains("%E4") || body.contains("%E5") {
                encodings.push((
                    "UTF-8 encoded twice",
                    body.replace("%E3", "%C3%A3").replace("%E4", "%C3%A4"),
                ));
                encodings.push((
                    "percent signs encoded",
                    body.replace("%E3", "%25E3").replace("%E4", "%25E4"),
                ));
            }
            if body.contains('+') {
                encodings.push(("a space sent as `%2B`", body.replace('+', "%2B")));
            }
            for (what, text) in encodings {
                let mut w = Wire::new(name(what.into()), base, params, &sig);
                w.body = Some(text);
                if what.contains("JSON") {
                    w.content_type = "application/json";
                }
                out.push(w);
            }
        }

        // The URL: signed for somewhere else than where it arrived.
        let port = base_url.rsplit(':').next().unwrap();
        let next_port = (port.parse::<u16>().unwrap() % 60000 + 1).to_string();
        let (path_only, query) = base.path.split_once('?').unwrap_or((&base.path, ""));
        let mut urls = vec![
            ("https", url.replacen("http://", "https://", 1)),
            ("host localhost", url.replacen("127.0.0.1", "localhost", 1)),
            (
                "another port",
                url.replacen(&format!(":{port}/"), &format!(":{next_port}/"), 1),
            ),
            ("a trailing slash", format!("{base_url}{path_only}/{}", q(query))),
            (
                "the path in capitals",
                format!("{base_url}{}{}", path_only.to_uppercase(), q(query)),
            ),
            ("a segment more", format!("{base_url}{path_only}/x{}", q(query))),
            ("a double slash", format!("{base_url}/{}{}", path_only, q(query))),
            (
                "a query added",
                format!("{url}{}x=1", if query.is_empty() { '?' } else { '&' }),
            ),
            (
                "the path percent-encoded",
                format!(
                    "{base_url}{}{}",
                    path_only.replacen("/voice/", "/voic%65/", 1),
                    q(query)
                ),
            ),
            ("a prefix", format!("{base_url}/prod{}", base.path)),
        ];
        if !query.is_empty() {
            urls.push(("the query dropped", format!("{base_url}{path_only}")));
            let reordered: Vec<&str> = query.split('&').rev().collect();
            if reordered.len() > 1 {
                urls.push((
                    "the query reordered",
                    format!("{base_url}{path_only}?{}", reordered.join("&")),
                ));
            }
            urls.push(("a query value changed", format!("{url}0")));
        }
        for (other, o) in bases.iter().enumerate() {
            if other != b && o.path != base.path {
                urls.push(("signed for another webhook", format!("{base_url}{}", o.path)));
            }
        }
        for (what, signed_url) in urls {
            let s = compute_signature(token, &signed_url, params);
            out.push(Wire::new(name(format!("{what} ({signed_url})")), base, params, &s));
        }
        let mut unsigned_query = Wire::new(name("a query the signature does not cover".into()), base, params, &sig);
        unsigned_query.path = format!("{}{}utm=1", base.path, if query.is_empty() { '?' } else { '&' });
        out.push(unsigned_query);

        // The header.
        let other_base = &bases[(b + 1) % bases.len()];
        let mut flipped = sig.clone().into_bytes();
        flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
        let headers: Vec<(&str, Vec<String>)> = vec![
            ("no header", vec![]),
            ("an empty header", vec![String::new()]),
            ("one character changed", vec![String::from_utf8(flipped).unwrap()]),
            ("the last character dropped", vec![sig[..sig.len() - 1].to_owned()]),
            ("a character added", vec![format!("{sig}A")]),
            ("in lower case", vec![sig.to_lowercase()]),
            ("reversed", vec![sig.chars().rev().collect()]),
            (
                "URL-safe base64",
                vec![sig.replace('+', "-").replace('/', "_").trim_end_matches('=').to_owned()],
            ),
            (
                "another request's signature",
                vec![compute_signature(
                    token,
                    &format!("{base_url}{}", other_base.path),
                    &other_base.params,
                )],
            ),
            (
                "signed with the API key secret",
                vec![compute_signature(&c.account.api_key_secret, &url, params)],
            ),
            (
                "signed with another auth token",
                vec![compute_signature(&format!("{token}x"), &url, params)],
            ),
            (
                "signed over the parameters alone",
                vec![compute_signature(token, "", params)],
            ),
            ("two signatures joined by a comma", vec![format!("{sig},{sig}")]),
        ];
        for (what, values) in headers {
            let mut w = Wire::new(name(what.into()), base, params, &sig);
            w.signatures = values;
            out.push(w);
        }
        for (what, values) in [
            ("the header twice", vec![sig.clone(), sig.clone()]),
            (
                "a forged header after the valid one",
                vec![sig.clone(), "Zm9yZ2Vk".to_owned()],
            ),
            (
                "a forged header before the valid one",
                vec!["Zm9yZ2Vk".to_owned(), sig.clone()],
            ),
        ] {
            let mut w = Wire::new(name(what.into()), base, params, &sig);
            w.signatures = values;
            w.oracle = false;
            out.push(w);
        }
    }
    out
}

fn q(query: &str) -> String {
    if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    }
}

/// The requests Twilio's library signs, which the console must accept: each webhook as it is,
/// in the forms the library accepts by design, and many with unusual parameters added.
fn to_sign(c: &Console, bases: &[Base]) -> Vec<(String, Base, Option<String>)> {
    let url_without_port = |path: &str| format!("{}{path}", c.url.rsplit_once(':').unwrap().0);
    let mut out = Vec::new();
    for base in bases {
        out.push(("as Twilio sends it".to_owned(), base.clone(), None));
        out.push((
            "signed without the port".to_owned(),
            base.clone(),
            Some(url_without_port(&base.path)),
        ));
        if base.method == "POST" {
            let mut reversed = base.clone();
            reversed.params.reverse();
            out.push(("parameters in another order".to_owned(), reversed, None));
            let mut repeated = base.clone();
            repeated.params.push(base.params[0].clone());
            out.push(("a parameter repeated with the same value".to_owned(), repeated, None));
        }
    }
    // Unusual names and values on the fallback, which answers whatever it gets.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet: Vec<char> = "aZ09 +&=%#?/;,.:~!'()*\"<>[]{}\\|^`@$\n\t\rあア亜ｱ😀\u{301}é€"
        .chars()
        .collect();
    for n in 0..200 {
        let mut params = bases[6].params.clone();
        for _ in 0..(1 + next() % 6) {
            let name_len = 1 + next() % 12;
            let name: String = (0..name_len).map(|_| (b'A' + (next() % 26) as u8) as char).collect();
            let value_len = next() % 24;
            let value: String = (0..value_len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            params.push((name, value));
        }
        let base = Base {
            method: "POST",
            path: format!("/twilio/voice/fallback?n={n}"),
            params,
        };
        out.push((format!("unusual parameters #{n}"), base, None));
    }
    out
}

fn oracle_python() -> PathBuf {
    if let Some(p) = std::env::var_os("TWILIO_ORACLE_PYTHON") {
        return p.into();
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".tools/venv/bin/python");
    assert!(
        venv.exists(),
        "Twilio's helper library is the oracle here: run tests/run once (it installs the test tools), or \
         python3 -m venv tests/.tools/venv && tests/.tools/venv/bin/pip install -r tests/requirements.txt"
    );
    venv
}

/// Asks twilio-python to sign and validate.
fn twilio_python(job: Value) -> Value {
    use std::io::Write;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/twilio_signatures.py");
    let mut child = Command::new(oracle_python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the oracle python runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(job.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "twilio-python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn send(c: &Console, w: &Wire) -> (StatusCode, String) {
    let mut req = c
        .http
        .request(w.method.parse().unwrap(), format!("{}{}", c.url, w.path));
    if let Some(body) = &w.body {
        req = req.header("content-type", w.content_type).body(body.clone());
    }
    for s in &w.signatures {
        req = req.header("x-twilio-signature", s);
    }
    let r = req.send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn mutated_webhooks_are_refused_and_requests_signed_by_twilios_library_are_accepted() {
    let c = support::start().await;
    let bases = bases(&c.account.account_sid);

    let wires = mutations(&c, &bases);
    assert!(wires.len() >= 1000, "only {} mutations", wires.len());
    let checked: Vec<&Wire> = wires.iter().filter(|w| w.oracle).collect();
    let verdicts = twilio_python(json!({
        "token": c.account.auth_token,
        "validate": checked.iter().map(|w| json!({
            "url": format!("{}{}", c.url, w.path),
            "params": w.received(),
            "signature": w.signatures.first().cloned().unwrap_or_default(),
        })).collect::<Vec<_>>(),
    }));
    let library_accepts: Vec<&str> = checked
        .iter()
        .zip(verdicts["valid"].as_array().unwrap())
        .filter(|(_, v)| v.as_bool() == Some(true))
        .map(|(w, _)| w.label.as_str())
        .collect();
    assert!(
        library_accepts.is_empty(),
        "not mutations: Twilio's library accepts {library_accepts:#?}"
    );

    let store_before = (c.store.reads(), c.store.writes());
    let mut wrong = Vec::new();
    for w in &wires {
        let (status, body) = send(&c, w).await;
        if status != StatusCode::FORBIDDEN {
            wrong.push(format!("{}: {status} {body}", w.label));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} mutations were not refused with 403:\n{}",
        wrong.len(),
        wires.len(),
        wrong.join("\n")
    );
    assert_eq!(
        (c.store.reads(), c.store.writes()),
        store_before,
        "a refused webhook reached the store"
    );

    let signed = to_sign(&c, &bases);
    let answer = twilio_python(json!({
        "token": c.account.auth_token,
        "sign": signed.iter().map(|(_, base, url)| json!({
            "url": url.clone().unwrap_or_else(|| format!("{}{}", c.url, base.path)),
            "params": base.params,
        })).collect::<Vec<_>>(),
    }));
    let signatures = answer["signatures"].as_array().unwrap();
    let mut refused = Vec::new();
    for ((label, base, url), signature) in signed.iter().zip(signatures) {
        let signature = signature.as_str().unwrap();
        let signed_url = url.clone().unwrap_or_else(|| format!("{}{}", c.url, base.path));
        assert_eq!(
            compute_signature(&c.account.auth_token, &signed_url, &base.params),
            signature,
            "our signing agrees with the library's ({label})"
        );
        let w = Wire::new(label.clone(), base, &base.params, signature);
        let (status, body) = send(&c, &w).await;
        if !status.is_success() {
            refused.push(format!("{} {}: {label}: {status} {body}", base.method, base.path));
        }
    }
    assert!(
        refused.is_empty(),
        "requests signed by Twilio's library were refused:\n{}",
        refused.join("\n")
    );
    assert!(
        c.store.writes() > store_before.1,
        "the accepted incoming call was stored"
    );
    assert!(c.stored_call(CALL).await.is_some());
    println!(
        "webhook signatures: {} mutations refused with 403 (twilio-python refuses the {} it can express), {} requests signed by twilio-python accepted",
        wires.len(),
        checked.len(),
        signed.len()
    );
}
