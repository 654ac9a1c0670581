//! What the console writes to its logs during a whole call: a customer calls in (the first ring is
//! refused by Twilio with a message quoting the number), the operator's page pops them up and
//! opens their history, the operator answers, types a memo naming the
//! customer and a call-back number, holds, and hangs up. The logs are captured as the functions
//! write them on Lambda (JSON lines with the current span and the spans around it, every level
//! down to debug, and a line as each span closes so every span's fields are read) and must
//! hold no phone number in any common form, no memo text, no bearer token, no Voice access
//! token and no Twilio secret; and every line logged while a request was handled names the
//! request (its `request_id`) and, in call control, the call.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine;
use reqwest::StatusCode;
use serde_json::json;

/// The captured log, shared with the subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Every way the customer's number (03-1234-5678) or the call-back number in the memo
/// (090-8765-4321) may be written.
fn number_forms() -> Vec<String> {
    let mut forms = Vec::new();
    for (e164, national, parts) in [
        ("+81312345678", "0312345678", ["03", "1234", "5678"]),
        ("+819087654321", "09087654321", ["090", "8765", "4321"]),
    ] {
        forms.push(e164.to_owned());
        forms.push(e164.trim_start_matches('+').to_owned());
        forms.push(e164.replace('+', "%2B"));
        forms.push(national.to_owned());
        forms.push(national[1..].to_owned());
        for sep in ["-", " ", "%2D", "%20", "(", ")"] {
            forms.push(parts.join(sep));
            forms.push(format!("+81{sep}{}", parts.join(sep).trim_start_matches('0')));
        }
        forms.push(format!("{}{}", parts[1], parts[2]));
        forms.push(format!("{}-{}", parts[1], parts[2]));
        forms.push(format!("{}({}){}", parts[0], parts[1], parts[2]));
    }
    forms
}

#[tokio::test]
async fn a_whole_call_leaves_no_phone_number_memo_token_or_secret_in_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
        .json()
        .with_current_span(true)
        .with_span_list(true)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this test process");

    let c = support::start_with(local::sim::SimConfig {
        default_answering: local::sim::Answering::Manual,
        // The wait message comes back soon, and with it the next routing round.
        pause_scale: 0.05,
        ..local::sim::SimConfig::default()
    })
    .await;
    let sato = c.operator("op-sato").await;
    // The first ring is refused the way Twilio refuses a participant, quoting the number sent
    // (the customer's, as caller ID); routing tries again and Sato's phone rings.
    let (s, v) = c
        .sim(
            "PUT",
            "/sim/faults",
            json!({"rest": {"status": 400, "count": 1, "paths": "/Participants.json", "code": 21210,
                "message": "The source phone number provided, +81312345678, is not yet verified for your account."}}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (s, voice) = c.api(&sato, "GET", "/api/token", None).await;
    assert_eq!(s, StatusCode::OK);
    let voice_token = voice["token"].as_str().unwrap().to_owned();

    let (s, started) = c.sim("POST", "/sim/calls", json!({"from": "03-1234-5678"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let sid = started["sid"].as_str().unwrap().to_owned();
    c.wait(json!({"phone": "op_sato", "timeout_ms": 30000})).await;
    // The page pops the caller up and opens their history while the phone rings.
    let (s, _) = c.api(&sato, "GET", "/api/crm/lookup?phone=03-1234-5678", None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = c
        .api(&sato, "GET", "/api/history/calls?phone=%2B81312345678", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    c.sim("POST", "/sim/phones/op_sato/accept", json!({})).await;
    c.wait(json!({"conference": sid, "labels": ["customer", "operator"], "settled": true}))
        .await;

    let memo = "【お客様】山田太郎様より請求書の再発行依頼。折り返し先は090-8765-4321";
    let mut version = 0;
    for text in [&memo[..memo.len() / 2], memo] {
        let (s, saved) = c
            .api(
                &sato,
                "PUT",
                &format!("/api/memos/{sid}"),
                Some(json!({"version": version, "text": text, "response_status": "resolved"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{saved}");
        version = saved["version"].as_u64().unwrap();
    }
    // A stale save from a second tab (409) logs nothing of the memo either.
    let (s, _) = c
        .api(
            &sato,
            "PUT",
            &format!("/api/memos/{sid}"),
            Some(json!({"version": 1, "text": memo})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hold"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    c.wait(json!({"call": sid, "held": true, "settled": true})).await;
    let (s, _) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hangup"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    let (_, history) = c.api(&sato, "GET", "/api/history/calls?phone=03-1234-5678", None).await;
    assert_eq!(history["items"][0]["memo"], memo, "the call went through: {history}");

    let (_, faults) = c.sim("GET", "/sim/faults", json!({})).await;
    assert_eq!(faults["rest"]["injected"], 1, "the refusal happened: {faults}");

    let log = captured.text();
    let lines = log.lines().count();
    assert!(lines > 50, "the call was logged ({lines} lines)");
    assert!(
        log.contains(&sid),
        "call ids are logged, so the scan reads the call's lines"
    );
    let mut secrets: Vec<(String, String)> = number_forms()
        .into_iter()
        .map(|f| ("a phone number".to_owned(), f))
        .collect();
    for part in ["山田太郎", "請求書の再発行", "折り返し先", "\\u5c71\\u7530"] {
        secrets.push(("memo text".into(), part.into()));
    }
    secrets.push(("the operator's bearer token".into(), sato.clone()));
    secrets.push((
        "a bearer token's signature".into(),
        sato.rsplit('.').next().unwrap().to_owned(),
    ));
    secrets.push(("the Voice access token".into(), voice_token.clone()));
    secrets.push((
        "the Voice access token's signature".into(),
        voice_token.rsplit('.').next().unwrap().to_owned(),
    ));
    secrets.push(("the Twilio auth token".into(), c.account.auth_token.clone()));
    secrets.push(("the API key secret".into(), c.account.api_key_secret.clone()));
    secrets.push((
        "the REST credentials".into(),
        base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", c.account.api_key_sid, c.account.api_key_secret)),
    ));
    let mut leaks = Vec::new();
    for line in log.lines() {
        for (what, secret) in &secrets {
            if line.contains(secret.as_str()) {
                leaks.push(format!(
                    "{what} ({secret}) in: {}",
                    line.chars().take(400).collect::<String>()
                ));
            }
        }
    }
    println!(
        "logs: {lines} lines scanned for {} forms of secrets, {} leaks",
        secrets.len(),
        leaks.len()
    );
    assert!(leaks.is_empty(), "{} leaks:\n{}", leaks.len(), leaks.join("\n"));

    let traced = traced_lines(&log, &sid);
    println!(
        "spans: {} lines in handlers and call control, all with their request id; {} of them in the calls API, all with the call id",
        traced.in_handlers, traced.in_calls_api
    );
    assert!(
        traced.unnamed.is_empty(),
        "lines without their ids:\n{}",
        traced.unnamed.join("\n")
    );
    for handler in [
        "calls.hold",
        "calls.hangup",
        "memos.save",
        "voice.incoming",
        "voice.conference",
        "voice.status",
    ] {
        assert!(
            traced.handlers.contains(handler),
            "{handler} left no line: {:?}",
            traced.handlers
        );
    }
    assert!(
        traced.operations.contains("control.hold") && traced.operations.contains("control.hang_up"),
        "call control's operations are spans too: {:?}",
        traced.operations
    );
}

/// What the spans of the captured log say.
#[derive(Default)]
struct Traced {
    /// Lines logged inside a handler or a call-control operation.
    in_handlers: usize,
    /// Lines logged while the calls API handled a request about the call.
    in_calls_api: usize,
    /// The handler spans and the call-control spans seen.
    handlers: std::collections::BTreeSet<String>,
    operations: std::collections::BTreeSet<String>,
    /// Lines inside a handler without the request's id, or in the calls API without the call's.
    unnamed: Vec<String>,
}

/// Reads every JSON line's span list: a line inside a handler (`calls.*`, `voice.*`, `memos.*`,
/// `operators.*`, `monitor.*`) or a call-control operation (`control.*`) must be inside the
/// request's span with its `request_id`; one inside a calls API handler must name the call `sid`.
fn traced_lines(log: &str, sid: &str) -> Traced {
    let mut traced = Traced::default();
    let handler_prefixes = ["calls.", "voice.", "memos.", "operators.", "monitor."];
    for line in log.lines() {
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        // The spans around the line; a span's closing line names that span apart.
        let mut spans = entry["spans"].as_array().cloned().unwrap_or_default();
        if entry["span"].is_object() && spans.last() != Some(&entry["span"]) {
            spans.push(entry["span"].clone());
        }
        let named = |prefixes: &[&str]| -> Vec<serde_json::Value> {
            spans
                .iter()
                .filter(|s| {
                    s["name"]
                        .as_str()
                        .is_some_and(|n| prefixes.iter().any(|p| n.starts_with(p)))
                })
                .cloned()
                .collect()
        };
        let handlers = named(&handler_prefixes);
        let operations = named(&["control."]);
        if handlers.is_empty() && operations.is_empty() {
            continue;
        }
        traced.in_handlers += 1;
        for span in handlers.iter().chain(&operations) {
            let name = span["name"].as_str().unwrap_or_default().to_owned();
            if name.starts_with("control.") {
                traced.operations.insert(name);
            } else {
                traced.handlers.insert(name);
            }
        }
        let request_id = spans
            .iter()
            .filter(|s| s["name"] == "request")
            .find_map(|s| s["request_id"].as_str())
            .unwrap_or_default();
        if request_id.is_empty() {
            traced.unnamed.push(format!("no request id: {line}"));
        }
        // One call was made: a span that names a call names it.
        if let Some(other) = handlers
            .iter()
            .chain(&operations)
            .find(|s| s.get("call").is_some_and(|c| c != sid))
        {
            traced
                .unnamed
                .push(format!("another call than {sid} in {other}: {line}"));
        }
        if let Some(api) = handlers.iter().find(|s| {
            s["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("calls.") && n != "calls.current")
        }) {
            traced.in_calls_api += 1;
            if api["call"] != sid {
                traced.unnamed.push(format!("not the call {sid}: {line}"));
            }
        }
    }
    traced
}
