//! Provisioning: the Twilio account made right for the console over Twilio's REST API,
//! instead of by hand in the Twilio Console.
//!
//! What "right" means is [`Target`]: the TwiML App the softphones dial through (found by
//! its name), an API key for the functions, and each of the console's numbers sending its
//! calls to the voice function, its failures to the static fallback document and its final
//! status to the status callback with Twilio's retry override. [`plan`] reads the account
//! and lists every write that would make it so, each with the fields it changes and their
//! values before and after; [`apply`] carries a plan out. Both are idempotent by
//! construction: a field that already has its value is not in the plan, so an account that
//! is already right gets no write at all.
//!
//! Nothing is deleted: a TwiML App or API key the plan does not use is left alone, and a
//! number the account does not have is an error naming it (numbers are bought and ported in
//! the Twilio Console, with the regulatory bundle Japan requires). An API key's secret is
//! shown by Twilio once, when it is created: [`Provisioned`] hands it to the caller to store.
//!
//! Every request goes through [`RestClient`], so it is the same typed, spec-checked request
//! the rest of the product sends. Managing API keys needs the account's credentials
//! ([`RestClient::with_auth_token`]) or a Main API key; a Standard key is refused by Twilio.

use secrecy::SecretString;
use serde::Serialize;

use super::rest::{
    Application, ApplicationSettings, IncomingPhoneNumber, ListApplications, ListIncomingPhoneNumbers, RestClient,
    RestError, UpdateIncomingPhoneNumber,
};
use super::twiml::HttpMethod;
use super::{AccountSid, ApiKeySid, ApplicationSid, PhoneNumberSid};
use crate::control::webhooks::CallbackUrls;
use crate::phone::PhoneNumber;

/// The name the console's TwiML App is found by.
pub const APPLICATION_NAME: &str = "Operator console";

/// The name given to an API key created for the functions.
pub const API_KEY_NAME: &str = "Operator console functions";

/// Why the account could not be provisioned.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    /// A value of the target is not usable.
    #[error("{field} is invalid: {reason}")]
    InvalidTarget {
        /// The setting at fault.
        field: &'static str,
        /// What to fix.
        reason: String,
    },
    /// Numbers to configure that the account does not have.
    #[error(
        "{} {} not in the Twilio account {account}: buy or port {} in the Twilio Console first, or leave {} out",
        numbers.join(", "),
        if numbers.len() == 1 { "is" } else { "are" },
        if numbers.len() == 1 { "it" } else { "them" },
        if numbers.len() == 1 { "it" } else { "them" }
    )]
    NumbersNotInAccount {
        /// The account.
        account: AccountSid,
        /// The numbers missing, in E.164.
        numbers: Vec<String>,
    },
    /// More than one TwiML App has the console's name, so which one the softphones use
    /// cannot be decided here.
    #[error("{} TwiML Apps are named {name:?} ({}): delete or rename all but one", sids.len(), list(sids))]
    AmbiguousApplication {
        /// The name.
        name: String,
        /// The apps with it.
        sids: Vec<ApplicationSid>,
    },
    /// Twilio refused or could not be reached.
    #[error(transparent)]
    Rest(#[from] RestError),
}

fn list(sids: &[ApplicationSid]) -> String {
    sids.iter().map(ApplicationSid::as_str).collect::<Vec<_>>().join(", ")
}

/// What the account must look like for the console.
#[derive(Debug, Clone)]
pub struct Target {
    /// The API's public base URL (the functions' `PUBLIC_BASE_URL`), no trailing `/`.
    pub public_base_url: String,
    /// The static fallback TwiML (the CloudFront `…/twilio/fallback.xml`), fetched by GET.
    pub fallback_url: String,
    /// The console's numbers, each once.
    pub numbers: Vec<PhoneNumber>,
    /// The TwiML App's name ([`APPLICATION_NAME`] unless chosen otherwise).
    pub application_name: String,
    /// The name of an API key created for the functions ([`API_KEY_NAME`]).
    pub api_key_name: String,
    /// The API key the functions' secret holds now, if any: kept when Twilio still has it,
    /// replaced by a new one otherwise.
    pub api_key_sid: Option<ApiKeySid>,
}

impl Target {
    /// A target from the command line's values, checked: both URLs absolute http(s) without
    /// a fragment (the base URL also without a query), at least one number, each a phone
    /// number (E.164, or a Japanese number in any common writing).
    pub fn new(public_base_url: &str, fallback_url: &str, numbers: &[String]) -> Result<Self, ProvisionError> {
        let public_base_url = absolute_url("the API base URL", public_base_url)?;
        if public_base_url.contains('?') {
            return Err(ProvisionError::InvalidTarget {
                field: "the API base URL",
                reason: format!("{public_base_url} has a query; give the base URL the webhooks' paths follow"),
            });
        }
        let fallback_url = absolute_url("the fallback URL", fallback_url)?;
        if numbers.is_empty() {
            return Err(ProvisionError::InvalidTarget {
                field: "the numbers",
                reason: "give at least one of the console's numbers".into(),
            });
        }
        let mut parsed: Vec<PhoneNumber> = Vec::with_capacity(numbers.len());
        for number in numbers {
            let phone = PhoneNumber::parse(number).map_err(|e| ProvisionError::InvalidTarget {
                field: "a number",
                reason: format!("{number:?} is not a phone number: {e}"),
            })?;
            if !parsed.contains(&phone) {
                parsed.push(phone);
            }
        }
        Ok(Self {
            public_base_url: public_base_url.trim_end_matches('/').to_owned(),
            fallback_url,
            numbers: parsed,
            application_name: APPLICATION_NAME.to_owned(),
            api_key_name: API_KEY_NAME.to_owned(),
            api_key_sid: None,
        })
    }

    /// What a call to a number fetches first: the incoming webhook.
    pub fn incoming_url(&self) -> String {
        CallbackUrls::new(&self.public_base_url).incoming()
    }

    /// What a softphone's outgoing call fetches: the TwiML App webhook.
    pub fn outbound_url(&self) -> String {
        CallbackUrls::new(&self.public_base_url).outbound()
    }

    /// Where a call's final status goes, with Twilio's retry override.
    pub fn status_callback(&self) -> String {
        CallbackUrls::new(&self.public_base_url).status()
    }
}

fn absolute_url(field: &'static str, value: &str) -> Result<String, ProvisionError> {
    let invalid = |reason: String| ProvisionError::InvalidTarget { field, reason };
    let url = reqwest::Url::parse(value.trim()).map_err(|e| invalid(format!("{value:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(invalid(format!("{value:?} must be an absolute https:// URL")));
    }
    if url.fragment().is_some() {
        return Err(invalid(format!("{value:?} must not have a #fragment")));
    }
    Ok(value.trim().to_owned())
}

/// One field a write changes, as Twilio names it, with its value before and after (`None`:
/// unset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// The request parameter (`VoiceUrl`, `StatusCallbackMethod`…).
    pub field: &'static str,
    /// The value now.
    pub from: Option<String>,
    /// The value after the write.
    pub to: Option<String>,
}

/// One write the plan makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Step {
    /// No TwiML App has the console's name: create it.
    CreateApplication {
        /// Its name.
        friendly_name: String,
        /// Every field it is created with.
        changes: Vec<FieldChange>,
    },
    /// The TwiML App exists but some of its fields drifted.
    UpdateApplication {
        /// The app.
        sid: ApplicationSid,
        /// Its name.
        friendly_name: String,
        /// The fields that drifted.
        changes: Vec<FieldChange>,
    },
    /// The functions need an API key: the secret has none, or Twilio no longer has it.
    CreateApiKey {
        /// The new key's name.
        friendly_name: String,
        /// Why a key is created.
        reason: String,
    },
    /// A number's voice configuration drifted.
    UpdateNumber {
        /// The number's resource.
        sid: PhoneNumberSid,
        /// The number, E.164.
        phone_number: String,
        /// The fields that drifted.
        changes: Vec<FieldChange>,
    },
}

/// A number of the account the console uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberFound {
    /// The number, E.164.
    pub phone_number: String,
    /// Its resource.
    pub sid: PhoneNumberSid,
}

/// What [`plan`] found and the writes that make the account right, in the order [`apply`]
/// makes them. Empty when the account is already right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The account.
    pub account_sid: AccountSid,
    /// The console's TwiML App, when it exists.
    pub application_sid: Option<ApplicationSid>,
    /// The functions' API key, when the secret names one Twilio still has.
    pub api_key_sid: Option<ApiKeySid>,
    /// The console's numbers, found in the account.
    pub numbers: Vec<NumberFound>,
    /// The writes, none when the account is already right.
    pub steps: Vec<Step>,
}

/// The account after [`apply`]: what the functions' secret must hold.
#[derive(Debug, Clone)]
pub struct Provisioned {
    /// The account.
    pub account_sid: AccountSid,
    /// The console's TwiML App (the secret's `twiml_app_sid`).
    pub twiml_app_sid: ApplicationSid,
    /// The functions' API key (the secret's `api_key_sid`).
    pub api_key_sid: ApiKeySid,
    /// The key's secret, when the key was created now: Twilio never shows it again, so the
    /// caller must store it (the secret's `api_key_secret`). `None` when the secret's key
    /// was kept.
    pub api_key_secret: Option<SecretString>,
    /// The console's numbers.
    pub numbers: Vec<NumberFound>,
    /// Writes made.
    pub writes: usize,
}

/// Reads the account and lists the writes that would make it match `target`, making none.
pub async fn plan(client: &RestClient, target: &Target) -> Result<Plan, ProvisionError> {
    let account_sid = client.account_sid().clone();
    let mut steps = Vec::new();

    let named = client
        .list_applications(&ListApplications {
            friendly_name: Some(target.application_name.clone()),
            page_size: None,
        })
        .await?;
    let mut named: Vec<Application> = named
        .into_iter()
        .filter(|app| app.friendly_name.as_deref() == Some(target.application_name.as_str()))
        .collect();
    if named.len() > 1 {
        return Err(ProvisionError::AmbiguousApplication {
            name: target.application_name.clone(),
            sids: named.into_iter().map(|app| app.sid).collect(),
        });
    }
    let application = named.pop();
    let changes = application_changes(application.as_ref(), target);
    match &application {
        None => steps.push(Step::CreateApplication {
            friendly_name: target.application_name.clone(),
            changes,
        }),
        Some(app) if !changes.is_empty() => steps.push(Step::UpdateApplication {
            sid: app.sid.clone(),
            friendly_name: target.application_name.clone(),
            changes,
        }),
        Some(_) => {}
    }

    let api_key_sid = match &target.api_key_sid {
        None => {
            steps.push(Step::CreateApiKey {
                friendly_name: target.api_key_name.clone(),
                reason: "the secret has no API key".into(),
            });
            None
        }
        Some(sid) => match client.fetch_key(sid).await? {
            Some(key) => Some(key.sid),
            None => {
                steps.push(Step::CreateApiKey {
                    friendly_name: target.api_key_name.clone(),
                    reason: format!("the secret's API key {sid} no longer exists in the account"),
                });
                None
            }
        },
    };

    let mut numbers = Vec::new();
    let mut missing = Vec::new();
    for phone in &target.numbers {
        let found = client
            .list_incoming_phone_numbers(&ListIncomingPhoneNumbers {
                phone_number: Some(phone.as_str().to_owned()),
                page_size: None,
            })
            .await?
            .into_iter()
            .find(|number| number.phone_number == phone.as_str());
        let Some(number) = found else {
            missing.push(phone.as_str().to_owned());
            continue;
        };
        let changes = number_changes(&number, target);
        if !changes.is_empty() {
            steps.push(Step::UpdateNumber {
                sid: number.sid.clone(),
                phone_number: number.phone_number.clone(),
                changes,
            });
        }
        numbers.push(NumberFound {
            phone_number: number.phone_number,
            sid: number.sid,
        });
    }
    if !missing.is_empty() {
        return Err(ProvisionError::NumbersNotInAccount {
            account: account_sid,
            numbers: missing,
        });
    }

    Ok(Plan {
        account_sid,
        application_sid: application.map(|app| app.sid),
        api_key_sid,
        numbers,
        steps,
    })
}

/// Makes the writes of `plan` (from [`plan`] for the same `target`), in order.
pub async fn apply(client: &RestClient, target: &Target, plan: &Plan) -> Result<Provisioned, ProvisionError> {
    let mut twiml_app_sid = plan.application_sid.clone();
    let mut api_key_sid = plan.api_key_sid.clone();
    let mut api_key_secret = None;
    for step in &plan.steps {
        match step {
            Step::CreateApplication { friendly_name, .. } => {
                let settings = ApplicationSettings {
                    friendly_name: Some(friendly_name.clone()),
                    ..application_settings(target)
                };
                twiml_app_sid = Some(client.create_application(&settings).await?.sid);
            }
            Step::UpdateApplication { sid, changes, .. } => {
                let wanted = application_settings(target);
                let settings = ApplicationSettings {
                    friendly_name: None,
                    voice_url: changed(changes, "VoiceUrl", wanted.voice_url),
                    voice_method: changed(changes, "VoiceMethod", wanted.voice_method),
                    voice_fallback_url: changed(changes, "VoiceFallbackUrl", wanted.voice_fallback_url),
                    voice_fallback_method: changed(changes, "VoiceFallbackMethod", wanted.voice_fallback_method),
                    status_callback: changed(changes, "StatusCallback", wanted.status_callback),
                    status_callback_method: changed(changes, "StatusCallbackMethod", wanted.status_callback_method),
                };
                client.update_application(sid, &settings).await?;
            }
            Step::CreateApiKey { friendly_name, .. } => {
                let key = client.create_key(friendly_name).await?;
                api_key_sid = Some(key.sid);
                api_key_secret = Some(key.secret);
            }
            Step::UpdateNumber { sid, changes, .. } => {
                let wanted = number_settings(target);
                let update = UpdateIncomingPhoneNumber {
                    voice_url: changed(changes, "VoiceUrl", wanted.voice_url),
                    voice_method: changed(changes, "VoiceMethod", wanted.voice_method),
                    voice_fallback_url: changed(changes, "VoiceFallbackUrl", wanted.voice_fallback_url),
                    voice_fallback_method: changed(changes, "VoiceFallbackMethod", wanted.voice_fallback_method),
                    status_callback: changed(changes, "StatusCallback", wanted.status_callback),
                    status_callback_method: changed(changes, "StatusCallbackMethod", wanted.status_callback_method),
                    voice_application_sid: changes.iter().any(|c| c.field == "VoiceApplicationSid").then_some(None),
                };
                client.update_incoming_phone_number(sid, &update).await?;
            }
        }
    }
    let (Some(twiml_app_sid), Some(api_key_sid)) = (twiml_app_sid, api_key_sid) else {
        return Err(ProvisionError::InvalidTarget {
            field: "the plan",
            reason: "it neither finds nor creates the TwiML App and the API key: make it with plan()".into(),
        });
    };
    Ok(Provisioned {
        account_sid: plan.account_sid.clone(),
        twiml_app_sid,
        api_key_sid,
        api_key_secret,
        numbers: plan.numbers.clone(),
        writes: plan.steps.len(),
    })
}

/// The value to send for `field`: the wanted one when the plan changes that field.
fn changed<T>(changes: &[FieldChange], field: &str, wanted: Option<T>) -> Option<T> {
    wanted.filter(|_| changes.iter().any(|c| c.field == field))
}

/// The TwiML App's voice settings the console needs.
fn application_settings(target: &Target) -> ApplicationSettings {
    ApplicationSettings {
        friendly_name: None,
        voice_url: Some(target.outbound_url()),
        voice_method: Some(HttpMethod::Post),
        voice_fallback_url: Some(target.fallback_url.clone()),
        voice_fallback_method: Some(HttpMethod::Get),
        status_callback: Some(target.status_callback()),
        status_callback_method: Some(HttpMethod::Post),
    }
}

/// A number's voice settings the console needs.
fn number_settings(target: &Target) -> UpdateIncomingPhoneNumber {
    UpdateIncomingPhoneNumber {
        voice_url: Some(target.incoming_url()),
        voice_method: Some(HttpMethod::Post),
        voice_fallback_url: Some(target.fallback_url.clone()),
        voice_fallback_method: Some(HttpMethod::Get),
        status_callback: Some(target.status_callback()),
        status_callback_method: Some(HttpMethod::Post),
        voice_application_sid: Some(None),
    }
}

/// Collects the fields whose current value differs from the wanted one.
#[derive(Default)]
struct Diff(Vec<FieldChange>);

impl Diff {
    fn field<T: ToString + PartialEq>(&mut self, field: &'static str, current: Option<&T>, wanted: Option<T>) {
        let Some(wanted) = wanted else { return };
        if current != Some(&wanted) {
            self.0.push(FieldChange {
                field,
                from: current.map(ToString::to_string),
                to: Some(wanted.to_string()),
            });
        }
    }
}

/// The fields of the console's TwiML App that differ from what `target` needs (all of them
/// when there is no app yet).
pub fn application_changes(current: Option<&Application>, target: &Target) -> Vec<FieldChange> {
    let wanted = application_settings(target);
    let mut diff = Diff::default();
    diff.field("VoiceUrl", current.and_then(|a| a.voice_url.as_ref()), wanted.voice_url);
    diff.field(
        "VoiceMethod",
        current.and_then(|a| a.voice_method.as_ref()),
        wanted.voice_method,
    );
    diff.field(
        "VoiceFallbackUrl",
        current.and_then(|a| a.voice_fallback_url.as_ref()),
        wanted.voice_fallback_url,
    );
    diff.field(
        "VoiceFallbackMethod",
        current.and_then(|a| a.voice_fallback_method.as_ref()),
        wanted.voice_fallback_method,
    );
    diff.field(
        "StatusCallback",
        current.and_then(|a| a.status_callback.as_ref()),
        wanted.status_callback,
    );
    diff.field(
        "StatusCallbackMethod",
        current.and_then(|a| a.status_callback_method.as_ref()),
        wanted.status_callback_method,
    );
    diff.0
}

/// The fields of a number's voice configuration that differ from what `target` needs.
pub fn number_changes(current: &IncomingPhoneNumber, target: &Target) -> Vec<FieldChange> {
    let wanted = number_settings(target);
    let mut diff = Diff::default();
    diff.field("VoiceUrl", current.voice_url.as_ref(), wanted.voice_url);
    diff.field("VoiceMethod", current.voice_method.as_ref(), wanted.voice_method);
    diff.field(
        "VoiceFallbackUrl",
        current.voice_fallback_url.as_ref(),
        wanted.voice_fallback_url,
    );
    diff.field(
        "VoiceFallbackMethod",
        current.voice_fallback_method.as_ref(),
        wanted.voice_fallback_method,
    );
    diff.field(
        "StatusCallback",
        current.status_callback.as_ref(),
        wanted.status_callback,
    );
    diff.field(
        "StatusCallbackMethod",
        current.status_callback_method.as_ref(),
        wanted.status_callback_method,
    );
    if let Some(app) = &current.voice_application_sid {
        diff.0.push(FieldChange {
            field: "VoiceApplicationSid",
            from: Some(app.clone()),
            to: None,
        });
    }
    diff.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target::new(
            "https://api.example.jp/",
            "https://d111.cloudfront.net/twilio/fallback.xml",
            &[
                "03-6800-0001".to_owned(),
                "+81368000001".to_owned(),
                "+815030001234".to_owned(),
            ],
        )
        .unwrap()
    }

    fn number(json: serde_json::Value) -> IncomingPhoneNumber {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_target_keeps_each_number_once_in_e164_and_the_base_without_its_slash() {
        let target = target();
        assert_eq!(
            target.numbers.iter().map(PhoneNumber::as_str).collect::<Vec<_>>(),
            ["+81368000001", "+815030001234"]
        );
        assert_eq!(target.incoming_url(), "https://api.example.jp/twilio/voice/incoming");
        assert_eq!(target.outbound_url(), "https://api.example.jp/twilio/voice/outbound");
        assert_eq!(
            target.status_callback(),
            "https://api.example.jp/twilio/voice/status#rc=3&rp=ct,rt,5xx"
        );
    }

    #[test]
    fn a_target_refuses_what_twilio_could_not_call_naming_it() {
        let fallback = "https://d111.cloudfront.net/twilio/fallback.xml";
        let numbers = ["+81368000001".to_owned()];
        for (base, fallback, numbers, field) in [
            ("api.example.jp", fallback, &numbers[..], "the API base URL"),
            ("ftp://api.example.jp", fallback, &numbers[..], "the API base URL"),
            ("https://api.example.jp?x=1", fallback, &numbers[..], "the API base URL"),
            (
                "https://api.example.jp",
                "/twilio/fallback.xml",
                &numbers[..],
                "the fallback URL",
            ),
            (
                "https://api.example.jp",
                "https://x.example/f.xml#a",
                &numbers[..],
                "the fallback URL",
            ),
            ("https://api.example.jp", fallback, &[][..], "the numbers"),
            ("https://api.example.jp", fallback, &["電話".to_owned()][..], "a number"),
        ] {
            match Target::new(base, fallback, numbers) {
                Err(ProvisionError::InvalidTarget { field: found, .. }) => {
                    assert_eq!(found, field, "{base} {fallback}")
                }
                other => panic!("{base} {fallback}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_number_configured_by_hand_differs_in_every_field_the_console_sets() {
        let current = number(serde_json::json!({
            "sid": format!("PN{}", "1".repeat(32)),
            "phone_number": "+81368000001",
            "voice_url": "https://demo.twilio.com/welcome/voice/",
            "voice_method": "POST",
            "voice_fallback_url": "",
            "voice_fallback_method": "POST",
            "status_callback": "",
            "status_callback_method": "POST",
            "voice_application_sid": format!("AP{}", "2".repeat(32)),
        }));
        let changes = number_changes(&current, &target());
        let fields: Vec<_> = changes.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [
                "VoiceUrl",
                "VoiceFallbackUrl",
                "VoiceFallbackMethod",
                "StatusCallback",
                "VoiceApplicationSid"
            ]
        );
        assert_eq!(
            changes[0],
            FieldChange {
                field: "VoiceUrl",
                from: Some("https://demo.twilio.com/welcome/voice/".into()),
                to: Some("https://api.example.jp/twilio/voice/incoming".into()),
            }
        );
        assert_eq!(changes[1].from, None, "Twilio's empty string is an unset field");
        assert_eq!(changes[4].to, None, "the app is cleared");
    }

    #[test]
    fn a_number_already_right_has_no_change() {
        let target = target();
        let current = number(serde_json::json!({
            "sid": format!("PN{}", "1".repeat(32)),
            "phone_number": "+81368000001",
            "voice_url": target.incoming_url(),
            "voice_method": "POST",
            "voice_fallback_url": target.fallback_url,
            "voice_fallback_method": "GET",
            "status_callback": target.status_callback(),
            "status_callback_method": "POST",
            "voice_application_sid": "",
        }));
        assert_eq!(number_changes(&current, &target), []);
    }

    #[test]
    fn a_missing_app_is_created_with_every_field_and_a_drifted_one_changes_only_what_drifted() {
        let target = target();
        let created = application_changes(None, &target);
        assert_eq!(created.len(), 6);
        assert!(created.iter().all(|c| c.from.is_none() && c.to.is_some()));
        let app: Application = serde_json::from_value(serde_json::json!({
            "sid": format!("AP{}", "2".repeat(32)),
            "friendly_name": APPLICATION_NAME,
            "voice_url": "https://old.example.jp/twilio/voice/outbound",
            "voice_method": "POST",
            "voice_fallback_url": target.fallback_url,
            "voice_fallback_method": "GET",
            "status_callback": target.status_callback(),
            "status_callback_method": "POST",
        }))
        .unwrap();
        let drifted = application_changes(Some(&app), &target);
        assert_eq!(
            drifted,
            [FieldChange {
                field: "VoiceUrl",
                from: Some("https://old.example.jp/twilio/voice/outbound".into()),
                to: Some(target.outbound_url()),
            }]
        );
    }

    #[test]
    fn the_missing_numbers_are_named_in_the_error() {
        let error = ProvisionError::NumbersNotInAccount {
            account: AccountSid::parse(&format!("AC{}", "0".repeat(32))).unwrap(),
            numbers: vec!["+81368000009".into(), "+815030009999".into()],
        };
        let text = error.to_string();
        assert!(
            text.contains("+81368000009, +815030009999 are not in the Twilio account AC000"),
            "{text}"
        );
    }
}
