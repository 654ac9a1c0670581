//! Logging: JSON lines on Lambda (CloudWatch reads them), readable lines locally. Phone numbers
//! and memo text never reach a log line in clear: code logs masked forms only
//! ([`crate::phone::PhoneNumber::masked`], [`mask_text`]).
//!
//! Each line carries the spans it was logged in: the request's (`request_id`, see
//! [`crate::http::traced`]), the handler's and call control's (`call`, the customer's CallSid),
//! so one call's or one request's lines can be found with a single filter.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls are ignored (tests call it freely).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let on_lambda = std::env::var("AWS_LAMBDA_FUNCTION_NAME").is_ok();
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    let _ = if on_lambda {
        builder
            .json()
            .without_time()
            .with_current_span(true)
            .with_span_list(true)
            .try_init()
    } else {
        builder.compact().try_init()
    };
}

/// A memo or other free text as it may appear in a log: its length only.
pub fn mask_text(text: &str) -> String {
    format!("<{} chars>", text.chars().count())
}
