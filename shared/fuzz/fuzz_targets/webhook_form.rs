//! Twilio's webhook bodies as the voice function reads them (`parse_form_body`, then the typed
//! views): no input panics; what is read survives being written as a form again; API Gateway's
//! base64 flag changes nothing but the transport; and a typed view either reads the first value
//! of every parameter it names or refuses the request naming the parameter at fault.

#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use libfuzzer_sys::fuzz_target;
use shared::twilio::webhook::{CallStatusCallback, ConferenceCallback, IncomingCall, WebhookError, parse_form_body};

fn first<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// A refusal names a parameter: a missing one is absent, an invalid one is present, and the
/// message names it so the log and the 400 body say what to fix.
fn check_refusal(params: &[(String, String)], error: &WebhookError) {
    match error {
        WebhookError::Missing { name } => {
            assert!(first(params, name).is_none(), "{name} is reported missing but was sent");
            assert!(error.to_string().contains(name));
        }
        WebhookError::Invalid { name, reason } => {
            assert!(
                first(params, name).is_some(),
                "{name} is reported invalid but was not sent"
            );
            assert!(!reason.is_empty());
            assert!(error.to_string().contains(name));
        }
        WebhookError::BadBase64 | WebhookError::NotUtf8 => {
            panic!("a typed view refused parsed parameters as a body: {error}")
        }
    }
}

fn check_views(params: &[(String, String)]) {
    match IncomingCall::from_params(params) {
        Ok(call) => {
            assert_eq!(Some(call.call_sid.as_str()), first(params, "CallSid"));
            assert_eq!(Some(call.account_sid.as_str()), first(params, "AccountSid"));
            assert_eq!(Some(call.from.as_str()), first(params, "From"));
            assert_eq!(call.to.as_deref(), first(params, "To"));
            assert_eq!(Some(call.call_status.as_str()), first(params, "CallStatus"));
            assert_eq!(Some(call.direction.as_str()), first(params, "Direction"));
            for (name, value) in &call.custom {
                assert!(params.contains(&(name.clone(), value.clone())));
                assert!(!["CallSid", "AccountSid", "From", "To", "CallStatus", "Direction"].contains(&name.as_str()));
            }
        }
        Err(error) => check_refusal(params, &error),
    }
    match CallStatusCallback::from_params(params) {
        Ok(event) => {
            assert_eq!(Some(event.call_sid.as_str()), first(params, "CallSid"));
            assert_eq!(Some(event.call_status.as_str()), first(params, "CallStatus"));
            if let Some(n) = event.sequence_number {
                assert_eq!(first(params, "SequenceNumber").map(str::parse::<u64>), Some(Ok(n)));
            }
        }
        Err(error) => check_refusal(params, &error),
    }
    match ConferenceCallback::from_params(params) {
        Ok(event) => {
            assert_eq!(Some(event.conference_sid.as_str()), first(params, "ConferenceSid"));
            assert_eq!(Some(event.event.as_str()), first(params, "StatusCallbackEvent"));
            assert_eq!(Some(event.friendly_name.as_str()), first(params, "FriendlyName"));
            assert_eq!(
                first(params, "SequenceNumber").map(str::parse::<u64>),
                Some(Ok(event.sequence_number))
            );
        }
        Err(error) => check_refusal(params, &error),
    }
}

// The first byte says how the rest is sent: bit 0 is API Gateway's base64 flag, the other
// bits where the base64 text is wrapped when the body is sent again encoded.
fuzz_target!(|data: &[u8]| {
    let Some((&how, body)) = data.split_first() else {
        return;
    };
    let base64 = how & 1 == 1;
    let parsed = parse_form_body(body, base64);
    if base64 {
        let compact: Vec<u8> = body.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
        let Ok(decoded) = BASE64.decode(compact) else {
            assert_eq!(parsed, Err(WebhookError::BadBase64));
            return;
        };
        assert_eq!(parsed, parse_form_body(&decoded, false), "base64 is only the transport");
        return;
    }

    let params = match parsed {
        Ok(params) => params,
        Err(error) => {
            assert_eq!(error, WebhookError::NotUtf8);
            assert!(std::str::from_utf8(body).is_err(), "a UTF-8 body was refused");
            return;
        }
    };

    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in &params {
        form.append_pair(name, value);
    }
    let written = form.finish();
    assert_eq!(
        parse_form_body(written.as_bytes(), false).as_ref(),
        Ok(&params),
        "the parameters read survive being written as a form again"
    );

    let mut encoded = BASE64.encode(body).into_bytes();
    let wrap = usize::from((how >> 1).max(4));
    for at in (wrap..encoded.len()).step_by(wrap).rev() {
        encoded.insert(at, b'\n');
    }
    assert_eq!(
        parse_form_body(&encoded, true).as_ref(),
        Ok(&params),
        "the same body sent base64-encoded reads the same"
    );

    check_views(&params);
});
