//! The simulated account's own resources, as the admin commands provision and rotate them:
//! TwiML Apps, API keys and phone numbers (`/2010-04-01/Accounts/{AC}/…`) and the auth tokens
//! (`/v1/AuthTokens/…`, Twilio's Accounts v1 API on `accounts.twilio.com`). Requests arrive
//! here from [`super::rest`], already authenticated and checked against Twilio's spec.
//!
//! As on Twilio: lists page with `Page`/`PageSize` and name their next page; a new API key's
//! secret is in the create answer and nowhere else; an empty `VoiceApplicationSid` takes a
//! number back from its app; keys and auth tokens are managed only with the account's SID and
//! auth token (the account's keys are Standard keys, which Twilio refuses there with 20003);
//! the secondary auth token authenticates at once and signs webhooks once promoted, and the
//! former primary token stops working at the promotion.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use shared::twilio::signature::{AuthTokenSource, AuthTokens, TokenSourceError};

use super::rest::{Credential, error, not_found, param};
use super::{SimApplication, SimAuthTokens, SimKey, SimNumber, Simulator, World, new_sid, rfc2822_now};

/// The name the console's TwiML App has from the start (what `twilio-provision` looks for).
pub const APPLICATION_NAME: &str = shared::twilio::provision::APPLICATION_NAME;

/// A number as the deployment instructions configure it, pointing at the console at `base`:
/// what the simulator's numbers do until provisioned otherwise.
pub fn default_number(e164: &str, base: &str) -> SimNumber {
    let now = rfc2822_now();
    SimNumber {
        sid: new_sid("PN"),
        phone_number: e164.to_owned(),
        friendly_name: e164.to_owned(),
        voice_url: Some(format!("{base}/twilio/voice/incoming")),
        voice_method: "POST".into(),
        voice_fallback_url: Some(format!("{base}/twilio/voice/fallback")),
        voice_fallback_method: "POST".into(),
        status_callback: Some(shared::twilio::signature::retried_callback(format!(
            "{base}/twilio/voice/status"
        ))),
        status_callback_method: "POST".into(),
        voice_application_sid: None,
        date_created: now.clone(),
        date_updated: now,
    }
}

/// The console's TwiML App pointing at the console at `base`.
pub fn default_application(sid: &str, base: &str) -> SimApplication {
    let now = rfc2822_now();
    SimApplication {
        sid: sid.to_owned(),
        friendly_name: APPLICATION_NAME.to_owned(),
        voice_url: Some(format!("{base}/twilio/voice/outbound")),
        voice_method: "POST".into(),
        voice_fallback_url: Some(format!("{base}/twilio/voice/fallback")),
        voice_fallback_method: "POST".into(),
        status_callback: None,
        status_callback_method: "POST".into(),
        date_created: now.clone(),
        date_updated: now,
    }
}

/// The auth tokens as the product's validator holds them.
pub fn tokens_of(auth: &SimAuthTokens) -> AuthTokens {
    AuthTokens {
        primary: auth.primary.clone().into(),
        secondary: auth.secondary.clone().map(Into::into),
    }
}

/// The simulated account as the source a validator re-reads its auth tokens from (the local
/// runtime's voice function: the account stands where the deployed secret does).
pub struct SimTokenSource(pub Simulator);

#[async_trait::async_trait]
impl AuthTokenSource for SimTokenSource {
    async fn auth_tokens(&self) -> Result<AuthTokens, TokenSourceError> {
        Ok(tokens_of(&self.0.auth_tokens()))
    }
}

/// A random token of Twilio's shape: 32 hexadecimal characters.
fn new_token() -> String {
    format!("{:032x}", rand::random::<u128>())
}

fn iso_now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn account_only(credential: Credential) -> Option<Response> {
    (credential != Credential::Account).then(|| {
        error(
            401,
            20003,
            "Authenticate: API keys and auth tokens are managed with the account SID and auth token, not a Standard API key",
        )
    })
}

/// `/v1/AuthTokens/Secondary` (POST, DELETE) and `/v1/AuthTokens/Promote` (POST).
pub fn auth_tokens(sim: &Simulator, credential: Credential, method: &Method, path: &str) -> Response {
    if let Some(refused) = account_only(credential) {
        return refused;
    }
    let account = sim.inner.account.account_sid.clone();
    match (method.as_str(), path) {
        ("POST", "/v1/AuthTokens/Secondary") => {
            let token = new_token();
            sim.with_world(|w| w.auth.secondary = Some(token.clone()));
            let now = iso_now();
            (
                StatusCode::CREATED,
                axum::Json(json!({
                    "account_sid": account,
                    "date_created": now,
                    "date_updated": now,
                    "secondary_auth_token": token,
                    "url": "https://accounts.twilio.com/v1/AuthTokens/Secondary",
                })),
            )
                .into_response()
        }
        ("DELETE", "/v1/AuthTokens/Secondary") => match sim.with_world(|w| w.auth.secondary.take()) {
            Some(_) => StatusCode::NO_CONTENT.into_response(),
            None => not_found(path),
        },
        ("POST", "/v1/AuthTokens/Promote") => {
            let promoted = sim.with_world(|w| {
                let secondary = w.auth.secondary.take()?;
                w.auth.primary = secondary.clone();
                Some(secondary)
            });
            match promoted {
                Some(token) => {
                    let now = iso_now();
                    axum::Json(json!({
                        "account_sid": account,
                        "auth_token": token,
                        "date_created": now,
                        "date_updated": now,
                        "url": "https://accounts.twilio.com/v1/AuthTokens/Promote",
                    }))
                    .into_response()
                }
                None => error(
                    404,
                    20404,
                    "The requested resource /v1/AuthTokens/Secondary was not found: create a secondary auth token before promoting it",
                ),
            }
        }
        _ => error(
            405,
            20004,
            format!("{method} {path} is not an operation of the auth token API"),
        ),
    }
}

/// `…/Applications`, `…/Keys` and `…/IncomingPhoneNumbers`, list and instance (`rest` is the
/// path after the account, `.json` removed).
pub fn answer(
    sim: &Simulator,
    credential: Credential,
    method: &Method,
    path: &str,
    rest: &[&str],
    params: &[(String, String)],
) -> Response {
    match (method.as_str(), rest) {
        ("GET", ["Applications"]) => list_applications(sim, path, params),
        ("POST", ["Applications"]) => create_application(sim, params),
        ("GET", ["Applications", sid]) => match sim.world().applications.get(*sid) {
            Some(app) => axum::Json(application_json(sim, app)).into_response(),
            None => not_found(path),
        },
        ("POST", ["Applications", sid]) => update_application(sim, path, sid, params),
        (_, ["Keys", ..]) if credential != Credential::Account => {
            account_only(credential).unwrap_or_else(|| not_found(path))
        }
        ("GET", ["Keys"]) => list_keys(sim, path, params),
        ("POST", ["Keys"]) => create_key(sim, params),
        ("GET", ["Keys", sid]) => match sim.world().keys.get(*sid) {
            Some(key) => axum::Json(key_json(key)).into_response(),
            None => not_found(path),
        },
        ("DELETE", ["Keys", sid]) => match sim.with_world(|w| w.keys.remove(*sid)) {
            Some(_) => StatusCode::NO_CONTENT.into_response(),
            None => not_found(path),
        },
        ("GET", ["IncomingPhoneNumbers"]) => list_numbers(sim, path, params),
        ("GET", ["IncomingPhoneNumbers", sid]) => {
            let w = sim.world();
            match w.incoming_numbers.values().find(|n| n.sid == *sid) {
                Some(number) => axum::Json(number_json(sim, number)).into_response(),
                None => not_found(path),
            }
        }
        ("POST", ["IncomingPhoneNumbers", sid]) => update_number(sim, path, sid, params),
        _ => error(
            405,
            20004,
            format!(
                "{method} {path} is in Twilio's API but the console does not use it, so the simulator does not answer it"
            ),
        ),
    }
}

/// One page of `items` as Twilio pages lists: `Page` and `PageSize` (default 50), with the
/// query's filters repeated in the page URIs.
fn page(path: &str, key: &str, items: Vec<Value>, params: &[(String, String)], filters: &[&str]) -> Response {
    let size: usize = param(params, "PageSize").and_then(|s| s.parse().ok()).unwrap_or(50);
    let number: usize = param(params, "Page").and_then(|s| s.parse().ok()).unwrap_or(0);
    let query = |page: usize, token: Option<&str>| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for name in filters {
            if let Some(value) = param(params, name) {
                q.append_pair(name, value);
            }
        }
        q.append_pair("PageSize", &size.to_string())
            .append_pair("Page", &page.to_string());
        if let Some(token) = token {
            q.append_pair("PageToken", token);
        }
        format!("{path}?{}", q.finish())
    };
    let start = number.saturating_mul(size);
    let total = items.len();
    let shown: Vec<Value> = items.into_iter().skip(start).take(size).collect();
    let last_sid = shown
        .last()
        .and_then(|item| item["sid"].as_str())
        .map(|sid| format!("PA{sid}"));
    let next = (start + size < total).then(|| query(number + 1, last_sid.as_deref()));
    let previous = (number > 0).then(|| query(number - 1, None));
    let mut body = json!({
        "page": number,
        "page_size": size,
        "start": start,
        "end": (start + shown.len()).saturating_sub(1),
        "uri": query(number, param(params, "PageToken")),
        "first_page_uri": query(0, None),
        "next_page_uri": next,
        "previous_page_uri": previous,
    });
    body[key] = Value::Array(shown);
    axum::Json(body).into_response()
}

/// A URL field: `None` when sent empty, which unsets it.
fn url_field(params: &[(String, String)], name: &str) -> Option<Option<String>> {
    param(params, name).map(|v| (!v.is_empty()).then(|| v.to_owned()))
}

fn method_field(params: &[(String, String)], name: &str) -> Option<String> {
    param(params, name).map(str::to_owned)
}

/// Parameters the simulator does not play (SMS, caller ID lookup, trunks, emergency
/// calling…): valid at Twilio, refused here rather than silently dropped.
fn unplayed(params: &[(String, String)], played: &[&str]) -> Option<Response> {
    let ignored: Vec<&str> = params
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| !played.contains(name))
        .collect();
    (!ignored.is_empty()).then(|| {
        error(
            400,
            20004,
            format!(
                "{} valid at Twilio but not played by the simulator (the console does not set {})",
                ignored.join(", "),
                if ignored.len() == 1 { "it" } else { "them" }
            ),
        )
    })
}

const APPLICATION_FIELDS: &[&str] = &[
    "FriendlyName",
    "VoiceUrl",
    "VoiceMethod",
    "VoiceFallbackUrl",
    "VoiceFallbackMethod",
    "StatusCallback",
    "StatusCallbackMethod",
];

fn apply_application(app: &mut SimApplication, params: &[(String, String)]) {
    if let Some(name) = param(params, "FriendlyName") {
        app.friendly_name = name.to_owned();
    }
    if let Some(url) = url_field(params, "VoiceUrl") {
        app.voice_url = url;
    }
    if let Some(method) = method_field(params, "VoiceMethod") {
        app.voice_method = method;
    }
    if let Some(url) = url_field(params, "VoiceFallbackUrl") {
        app.voice_fallback_url = url;
    }
    if let Some(method) = method_field(params, "VoiceFallbackMethod") {
        app.voice_fallback_method = method;
    }
    if let Some(url) = url_field(params, "StatusCallback") {
        app.status_callback = url;
    }
    if let Some(method) = method_field(params, "StatusCallbackMethod") {
        app.status_callback_method = method;
    }
    app.date_updated = rfc2822_now();
}

fn list_applications(sim: &Simulator, path: &str, params: &[(String, String)]) -> Response {
    let name = param(params, "FriendlyName");
    let items = sim
        .world()
        .applications
        .values()
        .filter(|app| name.is_none_or(|n| app.friendly_name == n))
        .map(|app| application_json(sim, app))
        .collect();
    page(path, "applications", items, params, &["FriendlyName"])
}

fn create_application(sim: &Simulator, params: &[(String, String)]) -> Response {
    if let Some(refused) = unplayed(params, APPLICATION_FIELDS) {
        return refused;
    }
    let now = rfc2822_now();
    let mut app = SimApplication {
        sid: new_sid("AP"),
        friendly_name: String::new(),
        voice_url: None,
        voice_method: "POST".into(),
        voice_fallback_url: None,
        voice_fallback_method: "POST".into(),
        status_callback: None,
        status_callback_method: "POST".into(),
        date_created: now.clone(),
        date_updated: now,
    };
    apply_application(&mut app, params);
    let json = application_json(sim, &app);
    sim.with_world(|w| w.applications.insert(app.sid.clone(), app));
    (StatusCode::CREATED, axum::Json(json)).into_response()
}

fn update_application(sim: &Simulator, path: &str, sid: &str, params: &[(String, String)]) -> Response {
    if let Some(refused) = unplayed(params, APPLICATION_FIELDS) {
        return refused;
    }
    let updated = sim.with_world(|w| {
        let app = w.applications.get_mut(sid)?;
        apply_application(app, params);
        Some(app.clone())
    });
    match updated {
        Some(app) => axum::Json(application_json(sim, &app)).into_response(),
        None => not_found(path),
    }
}

fn application_json(sim: &Simulator, app: &SimApplication) -> Value {
    let acc = &sim.inner.account.account_sid;
    json!({
        "account_sid": acc,
        "api_version": "2010-04-01",
        "date_created": app.date_created,
        "date_updated": app.date_updated,
        "friendly_name": app.friendly_name,
        "message_status_callback": null,
        "sid": app.sid,
        "sms_fallback_method": "POST",
        "sms_fallback_url": null,
        "sms_method": "POST",
        "sms_status_callback": null,
        "sms_url": null,
        "status_callback": app.status_callback,
        "status_callback_method": app.status_callback_method,
        "uri": format!("/2010-04-01/Accounts/{acc}/Applications/{}.json", app.sid),
        "voice_caller_id_lookup": false,
        "voice_fallback_method": app.voice_fallback_method,
        "voice_fallback_url": app.voice_fallback_url,
        "voice_method": app.voice_method,
        "voice_url": app.voice_url,
        "public_application_connect_enabled": true,
    })
}

fn key_json(key: &SimKey) -> Value {
    json!({
        "sid": key.sid,
        "friendly_name": key.friendly_name,
        "date_created": key.date_created,
        "date_updated": key.date_updated,
    })
}

fn list_keys(sim: &Simulator, path: &str, params: &[(String, String)]) -> Response {
    let items = sim.world().keys.values().map(key_json).collect();
    page(path, "keys", items, params, &[])
}

fn create_key(sim: &Simulator, params: &[(String, String)]) -> Response {
    let now = rfc2822_now();
    let key = SimKey {
        sid: new_sid("SK"),
        friendly_name: param(params, "FriendlyName").unwrap_or_default().to_owned(),
        secret: format!("{:032x}", rand::random::<u128>()),
        date_created: now.clone(),
        date_updated: now,
    };
    let mut json = key_json(&key);
    json["secret"] = Value::String(key.secret.clone());
    sim.with_world(|w| w.keys.insert(key.sid.clone(), key));
    (StatusCode::CREATED, axum::Json(json)).into_response()
}

fn number_json(sim: &Simulator, n: &SimNumber) -> Value {
    let acc = &sim.inner.account.account_sid;
    json!({
        "account_sid": acc,
        "address_requirements": "none",
        "address_sid": null,
        "api_version": "2010-04-01",
        "beta": false,
        "capabilities": {"voice": true, "sms": false, "mms": false, "fax": false},
        "date_created": n.date_created,
        "date_updated": n.date_updated,
        "emergency_status": "Inactive",
        "emergency_address_sid": null,
        "emergency_address_status": "unregistered",
        "friendly_name": n.friendly_name,
        "identity_sid": null,
        "origin": "twilio",
        "phone_number": n.phone_number,
        "sid": n.sid,
        "sms_application_sid": "",
        "sms_fallback_method": "POST",
        "sms_fallback_url": "",
        "sms_method": "POST",
        "sms_url": "",
        "status_callback": n.status_callback.clone().unwrap_or_default(),
        "status_callback_method": n.status_callback_method,
        "trunk_sid": null,
        "uri": format!("/2010-04-01/Accounts/{acc}/IncomingPhoneNumbers/{}.json", n.sid),
        "voice_receive_mode": "voice",
        "voice_application_sid": n.voice_application_sid.clone().unwrap_or_default(),
        "voice_caller_id_lookup": false,
        "voice_fallback_method": n.voice_fallback_method,
        "voice_fallback_url": n.voice_fallback_url,
        "voice_method": n.voice_method,
        "voice_url": n.voice_url,
        "bundle_sid": null,
        "status": "in-use",
        "type": "local",
    })
}

/// The digits of a number or of a `PhoneNumber` filter, which Twilio matches as a pattern
/// (a filter of some digits finds the numbers containing them).
fn digits(value: &str) -> String {
    value.chars().filter(char::is_ascii_digit).collect()
}

fn list_numbers(sim: &Simulator, path: &str, params: &[(String, String)]) -> Response {
    let pattern = param(params, "PhoneNumber").map(digits);
    let name = param(params, "FriendlyName");
    let origin = param(params, "Origin");
    let items = sim
        .world()
        .incoming_numbers
        .values()
        .filter(|n| {
            pattern
                .as_ref()
                .is_none_or(|p| digits(&n.phone_number).contains(p.as_str()))
        })
        .filter(|n| name.is_none_or(|f| n.friendly_name.contains(f)))
        // Every simulated number was bought from Twilio (origin `twilio`); none is in beta,
        // so `Beta` (whether to include beta numbers) keeps them all.
        .filter(|_| origin.is_none_or(|o| o == "twilio"))
        .map(|n| number_json(sim, n))
        .collect();
    page(
        path,
        "incoming_phone_numbers",
        items,
        params,
        &["Beta", "FriendlyName", "PhoneNumber", "Origin"],
    )
}

fn update_number(sim: &Simulator, path: &str, sid: &str, params: &[(String, String)]) -> Response {
    const FIELDS: &[&str] = &[
        "FriendlyName",
        "VoiceUrl",
        "VoiceMethod",
        "VoiceFallbackUrl",
        "VoiceFallbackMethod",
        "StatusCallback",
        "StatusCallbackMethod",
        "VoiceApplicationSid",
    ];
    if let Some(refused) = unplayed(params, FIELDS) {
        return refused;
    }
    /// Why a number was not updated.
    enum Refusal {
        UnknownApplication(String),
        NotFound,
    }
    let outcome = sim.with_world(|w: &mut World| {
        if let Some(app) = param(params, "VoiceApplicationSid").filter(|a| !a.is_empty())
            && !w.applications.contains_key(app)
        {
            return Err(Refusal::UnknownApplication(app.to_owned()));
        }
        let Some(number) = w.incoming_numbers.values_mut().find(|n| n.sid == sid) else {
            return Err(Refusal::NotFound);
        };
        if let Some(name) = param(params, "FriendlyName") {
            number.friendly_name = name.to_owned();
        }
        if let Some(url) = url_field(params, "VoiceUrl") {
            number.voice_url = url;
        }
        if let Some(method) = method_field(params, "VoiceMethod") {
            number.voice_method = method;
        }
        if let Some(url) = url_field(params, "VoiceFallbackUrl") {
            number.voice_fallback_url = url;
        }
        if let Some(method) = method_field(params, "VoiceFallbackMethod") {
            number.voice_fallback_method = method;
        }
        if let Some(url) = url_field(params, "StatusCallback") {
            number.status_callback = url;
        }
        if let Some(method) = method_field(params, "StatusCallbackMethod") {
            number.status_callback_method = method;
        }
        if let Some(app) = url_field(params, "VoiceApplicationSid") {
            number.voice_application_sid = app;
        }
        number.date_updated = rfc2822_now();
        Ok(number.clone())
    });
    match outcome {
        Ok(number) => axum::Json(number_json(sim, &number)).into_response(),
        Err(Refusal::UnknownApplication(app)) => error(
            400,
            21100,
            format!("VoiceApplicationSid {app} is not an application of this account"),
        ),
        Err(Refusal::NotFound) => not_found(path),
    }
}
