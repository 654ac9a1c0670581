//! X-Twilio-Signature: how we know a webhook really came from Twilio.
//!
//! Twilio signs every webhook with HMAC-SHA1 keyed by the account's Auth Token over
//! the URL it called followed by the sorted form parameters. Anyone can reach our
//! public webhook URLs, so a request whose signature does not check out must be
//! refused before we act on it. The rules here follow Twilio's helper libraries
//! (twilio-python `RequestValidator`, twilio-node `validateRequest`) and are tested
//! against vectors those libraries generated:
//!
//! - parameter names are sorted in code-point order; a repeated name contributes
//!   each distinct value once, values sorted;
//! - Twilio is inconsistent about default ports, so a signature over the URL with
//!   or without its port is accepted, as the libraries do;
//! - connection-override fragments (`#rc=…`) are not signed and are stripped;
//! - JSON bodies are signed through a `bodySHA256` query parameter, whose hash we
//!   also check against the body.
//!
//! The comparison is constant-time so the header cannot be guessed byte by byte.
//!
//! The auth token is rotated without refusing a webhook. During a rotation the account
//! has two tokens: the primary one Twilio signs with and a secondary one about to be
//! promoted, and the validator accepts a signature made with either. A validator built
//! with [`WebhookValidator::refreshing`] re-reads both from their [`AuthTokenSource`] (the
//! functions' secret) on a schedule, in the background, and right away when a signature
//! does not match (at most once per [`RefreshPolicy::after_mismatch`], so forged requests
//! cannot make it hammer the source), then checks that signature again: a token promoted
//! at Twilio is picked up without a refused webhook.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The HTTP header Twilio puts the signature in.
pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";

/// Why a webhook was refused. None of these say which part differed: that would
/// help someone forging requests, and the fix is always to check the configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The request carried no X-Twilio-Signature header (or an empty one).
    #[error("the request has no X-Twilio-Signature header")]
    MissingHeader,
    /// The header does not match the URL and parameters we received.
    #[error("the X-Twilio-Signature header does not match the request")]
    Mismatch,
    /// A JSON webhook URL lacks the `bodySHA256` query parameter Twilio signs it with.
    #[error("the webhook URL has no bodySHA256 parameter for its JSON body")]
    MissingBodyHash,
    /// The body does not hash to the `bodySHA256` value in the URL.
    #[error("the request body does not match its bodySHA256 hash")]
    BodyHashMismatch,
}

/// The account's auth tokens: the primary one Twilio signs webhooks with and, while a
/// rotation is under way, the secondary one about to be promoted.
#[derive(Clone)]
pub struct AuthTokens {
    /// The token Twilio signs with now.
    pub primary: SecretString,
    /// The token that will sign once promoted.
    pub secondary: Option<SecretString>,
}

impl AuthTokens {
    /// Only a primary token, as outside a rotation.
    pub fn primary(token: SecretString) -> Self {
        Self {
            primary: token,
            secondary: None,
        }
    }

    fn all(&self) -> impl Iterator<Item = &SecretString> {
        std::iter::once(&self.primary).chain(self.secondary.as_ref())
    }
}

impl std::fmt::Debug for AuthTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthTokens")
            .field("secondary", &self.secondary.is_some())
            .finish_non_exhaustive()
    }
}

/// Why the auth tokens could not be re-read: a description for the log, never a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the Twilio auth tokens could not be re-read: {0}")]
pub struct TokenSourceError(pub String);

/// Where a refreshing validator re-reads the auth tokens (deployed: the functions' secret in
/// Secrets Manager; locally: the simulated account).
#[async_trait::async_trait]
pub trait AuthTokenSource: Send + Sync {
    /// The tokens as they are now.
    async fn auth_tokens(&self) -> Result<AuthTokens, TokenSourceError>;
}

/// How often a refreshing validator re-reads its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// Tokens older than this are re-read in the background when a webhook arrives.
    pub every: Duration,
    /// After a signature mismatch the tokens are re-read at once, but no more often than this.
    pub after_mismatch: Duration,
}

impl Default for RefreshPolicy {
    /// Every 5 minutes, and on a mismatch at most once every 10 seconds.
    fn default() -> Self {
        Self {
            every: Duration::from_secs(300),
            after_mismatch: Duration::from_secs(10),
        }
    }
}

/// Checks X-Twilio-Signature headers with the account's auth tokens.
///
/// The tokens stay inside [`SecretString`]s so they never reach a log line through
/// `Debug`. Cheap to clone: clones share their tokens and refreshes.
#[derive(Clone)]
pub struct WebhookValidator {
    inner: Arc<Inner>,
}

struct Inner {
    tokens: RwLock<Arc<AuthTokens>>,
    refresh: Option<Refresh>,
}

struct Refresh {
    source: Arc<dyn AuthTokenSource>,
    policy: RefreshPolicy,
    /// When the tokens were last read (or a read was last tried).
    read_at: Mutex<Instant>,
    /// When a mismatch last made the validator read, for the rate limit.
    mismatch_read_at: Mutex<Option<Instant>>,
    /// One read at a time; requests that failed meanwhile wait for it.
    reading: tokio::sync::Mutex<()>,
    /// A scheduled background read is under way.
    scheduled: AtomicBool,
}

impl std::fmt::Debug for WebhookValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookValidator")
            .field("tokens", &*self.inner.current())
            .field("refreshing", &self.inner.refresh.as_ref().map(|r| r.policy))
            .finish()
    }
}

impl WebhookValidator {
    /// Builds a validator for the account whose (primary) Auth Token is given.
    pub fn new(auth_token: SecretString) -> Self {
        Self::with_tokens(AuthTokens::primary(auth_token))
    }

    /// A validator accepting the primary token and, when given, the secondary one. It never
    /// re-reads them.
    pub fn with_tokens(tokens: AuthTokens) -> Self {
        Self {
            inner: Arc::new(Inner {
                tokens: RwLock::new(Arc::new(tokens)),
                refresh: None,
            }),
        }
    }

    /// A validator starting from `tokens` (read at cold start) that re-reads them from
    /// `source` as `policy` says.
    pub fn refreshing(tokens: AuthTokens, source: Arc<dyn AuthTokenSource>, policy: RefreshPolicy) -> Self {
        Self {
            inner: Arc::new(Inner {
                tokens: RwLock::new(Arc::new(tokens)),
                refresh: Some(Refresh {
                    source,
                    policy,
                    read_at: Mutex::new(Instant::now()),
                    mismatch_read_at: Mutex::new(None),
                    reading: tokio::sync::Mutex::new(()),
                    scheduled: AtomicBool::new(false),
                }),
            }),
        }
    }

    /// Checks a form-encoded webhook (or a GET, with no parameters) against the tokens held
    /// now, and starts a background re-read when they are due one.
    ///
    /// `url` is the full public URL Twilio called, query string included (see
    /// [`public_webhook_url`]); `params` are the decoded form parameters exactly as
    /// received, untrimmed; `header` is the X-Twilio-Signature value.
    pub fn validate(&self, url: &str, params: &[(String, String)], header: &str) -> Result<(), SignatureError> {
        self.schedule_refresh();
        self.inner.check(url, params, header)
    }

    /// [`validate`](Self::validate), and when the signature does not match, the tokens
    /// re-read (unless a mismatch made them re-read less than
    /// [`RefreshPolicy::after_mismatch`] ago) and the signature checked again: a request
    /// signed with a token promoted since the last read is accepted.
    pub async fn validate_or_refresh(
        &self,
        url: &str,
        params: &[(String, String)],
        header: &str,
    ) -> Result<(), SignatureError> {
        let checked_at = Instant::now();
        match self.validate(url, params, header) {
            Err(SignatureError::Mismatch) if self.reread_after_mismatch(checked_at).await => {
                self.inner.check(url, params, header)
            }
            outcome => outcome,
        }
    }

    /// Checks a webhook with a JSON body, which Twilio signs through the
    /// `bodySHA256` query parameter instead of form parameters.
    ///
    /// Both the signature over the URL and the hash of the raw body must match.
    pub fn validate_json_body(&self, url: &str, body: &[u8], header: &str) -> Result<(), SignatureError> {
        let url = strip_fragment(url);
        let claimed = body_hash_in_url(url).ok_or(SignatureError::MissingBodyHash)?;
        self.validate(url, &[], header)?;
        let actual = body_sha256_hex(body);
        if bool::from(actual.as_bytes().ct_eq(claimed.as_bytes())) {
            Ok(())
        } else {
            Err(SignatureError::BodyHashMismatch)
        }
    }

    /// Whether a secondary token is accepted now.
    pub fn has_secondary(&self) -> bool {
        self.inner.current().secondary.is_some()
    }

    /// Starts a background re-read when the tokens are older than the policy allows and none
    /// is under way (only inside a Tokio runtime; a Lambda frozen meanwhile finishes it on its
    /// next invocation).
    fn schedule_refresh(&self) {
        let Some(refresh) = &self.inner.refresh else { return };
        let due = lock(&refresh.read_at).elapsed() >= refresh.policy.every;
        if !due {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if refresh.scheduled.swap(true, Ordering::AcqRel) {
            return;
        }
        let inner = self.inner.clone();
        runtime.spawn(async move {
            if let Some(refresh) = &inner.refresh {
                let _reading = refresh.reading.lock().await;
                if lock(&refresh.read_at).elapsed() >= refresh.policy.every {
                    inner.read("scheduled").await;
                }
                refresh.scheduled.store(false, Ordering::Release);
            }
        });
    }

    /// Re-reads the tokens after a mismatch seen at `checked_at`; true when the signature is
    /// worth checking again (tokens read since then, by this request or another).
    async fn reread_after_mismatch(&self, checked_at: Instant) -> bool {
        let Some(refresh) = &self.inner.refresh else {
            return false;
        };
        let _reading = refresh.reading.lock().await;
        if *lock(&refresh.read_at) > checked_at {
            return true;
        }
        let now = Instant::now();
        let limited =
            lock(&refresh.mismatch_read_at).is_some_and(|at| now.duration_since(at) < refresh.policy.after_mismatch);
        if limited {
            return false;
        }
        *lock(&refresh.mismatch_read_at) = Some(now);
        self.inner.read("signature mismatch").await
    }
}

impl Inner {
    fn current(&self) -> Arc<AuthTokens> {
        self.tokens.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Checks against every token held now, in constant time per token.
    fn check(&self, url: &str, params: &[(String, String)], header: &str) -> Result<(), SignatureError> {
        if header.is_empty() {
            return Err(SignatureError::MissingHeader);
        }
        let tokens = self.current();
        let url = strip_fragment(url);
        let mut matched = subtle::Choice::from(0);
        for token in tokens.all() {
            for candidate in port_variants(url) {
                let expected = compute_signature(token.expose_secret(), &candidate, params);
                matched |= expected.as_bytes().ct_eq(header.as_bytes());
            }
        }
        if bool::from(matched) {
            Ok(())
        } else {
            Err(SignatureError::Mismatch)
        }
    }

    /// Reads the source and keeps what it answers; true when the tokens were read.
    async fn read(&self, why: &'static str) -> bool {
        let Some(refresh) = &self.refresh else {
            return false;
        };
        let outcome = refresh.source.auth_tokens().await;
        *lock(&refresh.read_at) = Instant::now();
        match outcome {
            Ok(tokens) => {
                let secondary = tokens.secondary.is_some();
                *self.tokens.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(tokens);
                tracing::debug!(why, secondary, "re-read the Twilio auth tokens");
                true
            }
            Err(error) => {
                tracing::warn!(why, %error, "kept the Twilio auth tokens held");
                false
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Computes the X-Twilio-Signature Twilio would send for `url` and `params`.
///
/// The URL is used exactly as given (no port or fragment handling): this is the
/// signing side, used by tests and by the local simulator when it plays Twilio.
pub fn compute_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<(&str, &str)> = params
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    sorted.sort_unstable();
    sorted.dedup();

    let mut mac = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    BASE64.encode(mac.finalize().into_bytes())
}

/// The lowercase hex SHA-256 of a body, as Twilio puts it in `bodySHA256`.
pub fn body_sha256_hex(body: &[u8]) -> String {
    Sha256::digest(body).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Rebuilds the URL Twilio called, which is what it signed.
///
/// `public_base_url` is the configured public base: the API Gateway stage URL such
/// as `https://abc.execute-api.ap-northeast-1.amazonaws.com/prod`, or a custom
/// domain such as `https://console.example.jp` (with its base path, if the API is
/// mapped under one). `path_in_function` is the request's path *relative to that
/// base*, e.g. `/twilio/voice/incoming`. `raw_query_string` is the query exactly as
/// received (API Gateway's `rawQueryString`), without the leading `?`.
///
/// Why not just use the request's own host and path: behind API Gateway the Lambda
/// sees neither reliably. In an HTTP API (payload 2.0) event `rawPath` *includes*
/// the stage prefix (`/prod/twilio/...`) for a named stage but *not* the API mapping
/// key of a custom domain, and `lambda_http` has had releases that doubled or
/// dropped the stage (aws-lambda-rust-runtime #450, #668, #919). Joining the stage
/// URL with a `rawPath` that already carries `/prod` yields `/prod/prod/...` and
/// every signature fails. So strip the stage from the path (or use the router's
/// matched path) and put it in the configured base exactly once. TLS termination
/// does not matter here because the scheme comes from the configuration. The query
/// must be the raw string: rebuilding it from parsed parameters changes order and
/// encoding, which changes the signature.
pub fn public_webhook_url(public_base_url: &str, path_in_function: &str, raw_query_string: &str) -> String {
    let base = public_base_url.trim_end_matches('/');
    let path = path_in_function.trim_start_matches('/');
    let mut url = format!("{base}/{path}");
    if !raw_query_string.is_empty() {
        url.push('?');
        url.push_str(raw_query_string);
    }
    url
}

/// Twilio's connection overrides for a status callback: retry up to three times on a connect
/// failure, a read timeout or a 5xx. The console's callback handlers are idempotent and answer
/// 503 when the store is unavailable, so a callback refused during an outage is applied once the
/// store is back instead of being lost. The overrides ride in the URL's fragment, which Twilio
/// does not sign.
pub const CALLBACK_RETRIES: &str = "#rc=3&rp=ct,rt,5xx";

/// `url` with [`CALLBACK_RETRIES`].
pub fn retried_callback(url: impl Into<String>) -> String {
    let mut url = url.into();
    url.push_str(CALLBACK_RETRIES);
    url
}

/// Drops a `#…` fragment: Twilio's connection overrides (`#rc=2&rp=ct`) ride in the
/// fragment and are not part of what it signs.
fn strip_fragment(url: &str) -> &str {
    url.split_once('#').map_or(url, |(before, _)| before)
}

fn body_hash_in_url(url: &str) -> Option<String> {
    let (_, query) = url.split_once('?')?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "bodySHA256")
        .map(|(_, value)| value.into_owned())
}

/// The URL as given plus the same URL with its port removed (if it has one) or the
/// scheme's default port added (if it has none), as Twilio's libraries try both.
fn port_variants(url: &str) -> [String; 2] {
    let Some(parts) = UrlParts::split(url) else {
        return [url.to_owned(), url.to_owned()];
    };
    let other = if parts.port.is_empty() {
        let default = if parts.scheme.eq_ignore_ascii_case("https://") {
            ":443"
        } else {
            ":80"
        };
        format!(
            "{}{}{}{}{}",
            parts.scheme, parts.user_info, parts.host, default, parts.rest
        )
    } else {
        format!("{}{}{}{}", parts.scheme, parts.user_info, parts.host, parts.rest)
    };
    [url.to_owned(), other]
}

/// A URL split without normalising anything, so the bytes Twilio signed survive.
struct UrlParts<'a> {
    scheme: &'a str,
    user_info: &'a str,
    host: &'a str,
    port: &'a str,
    rest: &'a str,
}

impl<'a> UrlParts<'a> {
    fn split(url: &'a str) -> Option<Self> {
        let scheme_end = url.find("://")? + 3;
        let scheme = &url[..scheme_end];
        let name = &scheme[..scheme_end - 3];
        let mut chars = name.chars();
        let valid_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !valid_scheme {
            return None;
        }
        let after = &url[scheme_end..];
        let authority_len = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (authority, rest) = after.split_at(authority_len);
        let user_info_len = authority.rfind('@').map_or(0, |at| at + 1);
        let (user_info, host_and_port) = authority.split_at(user_info_len);
        let search_from = host_and_port.rfind(']').map_or(0, |bracket| bracket + 1);
        let (host, port) = match host_and_port[search_from..].find(':') {
            Some(colon) => host_and_port.split_at(search_from + colon),
            None => (host_and_port, ""),
        };
        Some(Self {
            scheme,
            user_info,
            host,
            port,
            rest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Vectors {
        form: Vec<FormCase>,
        json: Vec<JsonCase>,
    }

    #[derive(Deserialize)]
    struct FormCase {
        name: String,
        auth_token: String,
        url: String,
        params: Vec<(String, String)>,
        signature: String,
        checks: Vec<FormCheck>,
    }

    #[derive(Deserialize)]
    struct FormCheck {
        label: String,
        url: String,
        params: Vec<(String, String)>,
        header: String,
        valid: bool,
    }

    #[derive(Deserialize)]
    struct JsonCase {
        name: String,
        auth_token: String,
        url: String,
        body: String,
        body_sha256: String,
        signature: String,
        checks: Vec<JsonCheck>,
    }

    #[derive(Deserialize)]
    struct JsonCheck {
        label: String,
        url: String,
        body: String,
        header: String,
        valid: bool,
    }

    fn vectors() -> Vectors {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/twilio/signature_vectors.json"
        ))
        .expect("signature vectors are committed");
        serde_json::from_str(&text).expect("signature vectors parse")
    }

    fn validator(token: &str) -> WebhookValidator {
        WebhookValidator::new(SecretString::from(token.to_owned()))
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn signatures_match_the_ones_twilio_python_computed() {
        let vectors = vectors();
        assert!(vectors.form.len() >= 10);
        for case in &vectors.form {
            assert_eq!(
                compute_signature(&case.auth_token, &case.url, &case.params),
                case.signature,
                "case {}",
                case.name
            );
        }
    }

    #[test]
    fn validation_accepts_and_refuses_exactly_what_twilio_python_does() {
        for case in vectors().form {
            let validator = validator(&case.auth_token);
            for check in &case.checks {
                let outcome = validator.validate(&check.url, &check.params, &check.header);
                assert_eq!(
                    outcome.is_ok(),
                    check.valid,
                    "case {} check {}: {outcome:?}",
                    case.name,
                    check.label
                );
            }
        }
    }

    #[test]
    fn json_bodies_are_checked_by_signature_and_by_hash() {
        for case in vectors().json {
            assert_eq!(body_sha256_hex(case.body.as_bytes()), case.body_sha256);
            assert_eq!(compute_signature(&case.auth_token, &case.url, &[]), case.signature);
            let validator = validator(&case.auth_token);
            for check in &case.checks {
                let outcome = validator.validate_json_body(&check.url, check.body.as_bytes(), &check.header);
                assert_eq!(
                    outcome.is_ok(),
                    check.valid,
                    "case {} check {}: {outcome:?}",
                    case.name,
                    check.label
                );
            }
        }
    }

    #[test]
    fn the_documented_reference_vectors_hold() {
        let params = pairs(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675309"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
        ]);
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(compute_signature("12345", url, &params), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
        let dupes = pairs(&[
            ("Sid", "CA123"),
            ("SidAccount", "AC123"),
            ("Digits", "5678"),
            ("Digits", "1234"),
            ("Digits", "1234"),
        ]);
        assert_eq!(compute_signature("12345", url, &dupes), "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
    }

    #[test]
    fn a_json_webhook_without_body_hash_is_refused() {
        let validator = validator("12345");
        let url = "https://mycompany.com/myapp.php?foo=1";
        let header = compute_signature("12345", url, &[]);
        assert_eq!(
            validator.validate_json_body(url, b"{}", &header),
            Err(SignatureError::MissingBodyHash)
        );
    }

    #[test]
    fn an_empty_header_is_reported_as_missing() {
        assert_eq!(
            validator("t").validate("https://x.example/", &[], ""),
            Err(SignatureError::MissingHeader)
        );
    }

    #[test]
    fn ports_are_found_after_user_info_and_ipv6_brackets() {
        assert_eq!(
            port_variants("https://u:p@[::1]:8443/a?b=c"),
            [
                "https://u:p@[::1]:8443/a?b=c".to_owned(),
                "https://u:p@[::1]/a?b=c".to_owned()
            ]
        );
        assert_eq!(
            port_variants("http://host?x=1:2"),
            ["http://host?x=1:2".to_owned(), "http://host:80?x=1:2".to_owned()]
        );
        assert_eq!(port_variants("not a url")[1], "not a url");
    }

    #[test]
    fn public_url_joins_base_path_and_raw_query_once() {
        assert_eq!(
            public_webhook_url(
                "https://abc.execute-api.ap-northeast-1.amazonaws.com/prod/",
                "/twilio/voice/incoming",
                "lang=ja&x=%27"
            ),
            "https://abc.execute-api.ap-northeast-1.amazonaws.com/prod/twilio/voice/incoming?lang=ja&x=%27"
        );
        assert_eq!(
            public_webhook_url("https://console.example.jp", "twilio/voice/status", ""),
            "https://console.example.jp/twilio/voice/status"
        );
    }

    fn signed_request() -> impl Strategy<Value = (String, String, Vec<(String, String)>)> {
        (
            "[ -~]{1,32}",
            "(http|https)://[a-z]{1,10}\\.example(:[0-9]{2,5})?/[a-z/]{0,20}(\\?[a-z]{1,5}=[A-Za-z0-9%+]{0,10})?",
            proptest::collection::btree_map("[A-Za-z]{1,12}", "\\PC{0,16}", 0..8),
        )
            .prop_map(|(token, url, params)| (token, url, params.into_iter().collect()))
    }

    proptest! {
        #[test]
        fn validation_never_panics_on_any_input(url in "\\PC{0,80}", header in "\\PC{0,40}", params in proptest::collection::vec(("\\PC{0,8}", "\\PC{0,8}"), 0..4)) {
            let validator = validator("token");
            let _ = validator.validate(&url, &params, &header);
            let _ = validator.validate_json_body(&url, url.as_bytes(), &header);
        }

        #[test]
        fn a_signed_request_validates_and_any_mutation_is_refused(
            (token, url, params) in signed_request(),
            pick in any::<prop::sample::Index>(),
            extra in "[A-Za-z0-9]{1,4}",
        ) {
            let validator = validator(&token);
            let header = compute_signature(&token, &url, &params);
            prop_assert_eq!(validator.validate(&url, &params, &header), Ok(()));
            prop_assert_eq!(validator.validate(&format!("{url}#rc=1"), &params, &header), Ok(()));

            if !params.is_empty() {
                let i = pick.index(params.len());
                let mut changed = params.clone();
                changed[i].1.push_str(&extra);
                prop_assert_eq!(validator.validate(&url, &changed, &header), Err(SignatureError::Mismatch));

                let mut dropped = params.clone();
                dropped.remove(i);
                prop_assert_eq!(validator.validate(&url, &dropped, &header), Err(SignatureError::Mismatch));

                let mut renamed = params.clone();
                renamed[i].0.push_str(&extra);
                prop_assert_eq!(validator.validate(&url, &renamed, &header), Err(SignatureError::Mismatch));
            }
            let mut added = params.clone();
            added.push((format!("Zz{extra}"), extra.clone()));
            prop_assert_eq!(validator.validate(&url, &added, &header), Err(SignatureError::Mismatch));

            prop_assert_eq!(validator.validate(&format!("{url}{extra}"), &params, &header), Err(SignatureError::Mismatch));
            let path_start = url.find(".example").unwrap();
            let mut other_host = url.clone();
            other_host.insert_str(path_start, &extra);
            prop_assert_eq!(validator.validate(&other_host, &params, &header), Err(SignatureError::Mismatch));
            let scheme_swapped = if let Some(rest) = url.strip_prefix("https://") { format!("http://{rest}") } else { url.replacen("http://", "https://", 1) };
            prop_assert_eq!(validator.validate(&scheme_swapped, &params, &header), Err(SignatureError::Mismatch));

            let other_token = validator_with_other_token(&token);
            prop_assert_eq!(other_token.validate(&url, &params, &header), Err(SignatureError::Mismatch));
        }
    }

    fn validator_with_other_token(token: &str) -> WebhookValidator {
        validator(&format!("{token}!"))
    }

    const OLD: &str = "0123456789abcdef0123456789abcdef";
    const NEW: &str = "fedcba9876543210fedcba9876543210";
    const URL: &str = "https://console.example.jp/twilio/voice/status";

    fn secret(token: &str) -> SecretString {
        SecretString::from(token.to_owned())
    }

    fn tokens(primary: &str, secondary: Option<&str>) -> AuthTokens {
        AuthTokens {
            primary: secret(primary),
            secondary: secondary.map(secret),
        }
    }

    /// The functions' secret as a test sets it, counting how often it is read.
    struct Stored {
        tokens: Mutex<AuthTokens>,
        reads: std::sync::atomic::AtomicUsize,
    }

    impl Stored {
        fn new(primary: &str) -> Arc<Self> {
            Arc::new(Self {
                tokens: Mutex::new(tokens(primary, None)),
                reads: 0.into(),
            })
        }

        fn set(&self, primary: &str, secondary: Option<&str>) {
            *self.tokens.lock().unwrap() = tokens(primary, secondary);
        }

        fn reads(&self) -> usize {
            self.reads.load(Ordering::SeqCst)
        }
    }

    #[async_trait::async_trait]
    impl AuthTokenSource for Stored {
        async fn auth_tokens(&self) -> Result<AuthTokens, TokenSourceError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            Ok(self.tokens.lock().unwrap().clone())
        }
    }

    fn signed_with(token: &str) -> (Vec<(String, String)>, String) {
        let params = pairs(&[("CallSid", "CA1"), ("CallStatus", "completed")]);
        let header = compute_signature(token, URL, &params);
        (params, header)
    }

    #[test]
    fn during_a_rotation_both_tokens_are_accepted_and_no_other() {
        let validator = WebhookValidator::with_tokens(tokens(OLD, Some(NEW)));
        for token in [OLD, NEW] {
            let (params, header) = signed_with(token);
            assert_eq!(validator.validate(URL, &params, &header), Ok(()), "{token}");
        }
        let (params, header) = signed_with("00000000000000000000000000000000");
        assert_eq!(validator.validate(URL, &params, &header), Err(SignatureError::Mismatch));
        assert!(validator.has_secondary());
        assert!(!format!("{validator:?}").contains(OLD), "no token in Debug");
    }

    #[tokio::test]
    async fn a_token_promoted_since_the_last_read_is_accepted_after_one_reread() {
        let stored = Stored::new(OLD);
        let validator = WebhookValidator::refreshing(tokens(OLD, None), stored.clone(), RefreshPolicy::default());
        stored.set(NEW, None);
        let (params, header) = signed_with(NEW);
        assert_eq!(validator.validate(URL, &params, &header), Err(SignatureError::Mismatch));
        assert_eq!(validator.validate_or_refresh(URL, &params, &header).await, Ok(()));
        assert_eq!(stored.reads(), 1);
        assert_eq!(validator.validate_or_refresh(URL, &params, &header).await, Ok(()));
        assert_eq!(stored.reads(), 1, "a match reads nothing");
        let (params, header) = signed_with(OLD);
        assert_eq!(
            validator.validate_or_refresh(URL, &params, &header).await,
            Err(SignatureError::Mismatch),
            "the former token is refused once the secret dropped it"
        );
    }

    #[tokio::test]
    async fn forged_requests_reread_the_tokens_at_most_once_per_interval() {
        let stored = Stored::new(OLD);
        let policy = RefreshPolicy {
            every: Duration::from_secs(300),
            after_mismatch: Duration::from_millis(300),
        };
        let validator = WebhookValidator::refreshing(tokens(OLD, None), stored.clone(), policy);
        let (params, header) = signed_with("forged-forged-forged-forged-1234");
        let forged = (0..20).map(|_| validator.validate_or_refresh(URL, &params, &header));
        let outcomes = futures::future::join_all(forged).await;
        assert!(outcomes.iter().all(|o| *o == Err(SignatureError::Mismatch)));
        assert_eq!(stored.reads(), 1);
        tokio::time::sleep(Duration::from_millis(350)).await;
        let _ = validator.validate_or_refresh(URL, &params, &header).await;
        assert_eq!(stored.reads(), 2);
    }

    #[tokio::test]
    async fn concurrent_requests_after_a_promotion_share_one_reread_and_all_pass() {
        let stored = Stored::new(OLD);
        let validator = WebhookValidator::refreshing(tokens(OLD, None), stored.clone(), RefreshPolicy::default());
        stored.set(NEW, None);
        let (params, header) = signed_with(NEW);
        let requests = (0..16).map(|_| validator.validate_or_refresh(URL, &params, &header));
        let outcomes = futures::future::join_all(requests).await;
        assert!(outcomes.iter().all(|o| *o == Ok(())), "{outcomes:?}");
        assert_eq!(stored.reads(), 1);
    }

    #[tokio::test]
    async fn stale_tokens_are_reread_in_the_background_on_schedule() {
        let stored = Stored::new(OLD);
        let policy = RefreshPolicy {
            every: Duration::from_millis(50),
            after_mismatch: Duration::from_secs(10),
        };
        let validator = WebhookValidator::refreshing(tokens(OLD, None), stored.clone(), policy);
        stored.set(OLD, Some(NEW));
        let (params, header) = signed_with(OLD);
        assert_eq!(validator.validate(URL, &params, &header), Ok(()));
        assert_eq!(stored.reads(), 0, "fresh tokens are not re-read");
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(validator.validate(URL, &params, &header), Ok(()));
        for _ in 0..100 {
            if validator.has_secondary() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(validator.has_secondary(), "the secondary token was picked up");
        assert_eq!(stored.reads(), 1);
    }

    #[tokio::test]
    async fn a_validator_without_a_source_never_rereads() {
        let validator = validator(OLD);
        let (params, header) = signed_with(NEW);
        assert_eq!(
            validator.validate_or_refresh(URL, &params, &header).await,
            Err(SignatureError::Mismatch)
        );
    }
}
