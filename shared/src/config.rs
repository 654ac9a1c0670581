//! Configuration read once at cold start from the environment. A missing or malformed variable
//! fails start-up with its name in the message, never later on a request path.

use std::env;

/// What every function needs to know about where it runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The DynamoDB table holding every item (single-table design, see [`crate::store::table`]).
    pub table_name: String,
    /// Optional endpoint override for DynamoDB (a local DynamoDB-compatible server in tests).
    pub dynamodb_endpoint: Option<String>,
    /// The public base URL Twilio and the page call, e.g. `https://api.example.jp`. Webhook
    /// signatures are computed over this URL, not over whatever host the proxy forwarded.
    pub public_base_url: String,
    /// Optional base URL of Twilio's REST API instead of `https://api.twilio.com` (the deploy
    /// rehearsal points it at the Twilio simulator). Never set in a deployed template.
    pub twilio_api_base_url: Option<String>,
}

/// A configuration problem, naming the variable so the operator of the deployment can fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

impl Config {
    /// Reads `TABLE_NAME`, `PUBLIC_BASE_URL` and the optional `DYNAMODB_ENDPOINT` and
    /// `TWILIO_API_BASE_URL`.
    pub fn from_env() -> Result<Self, ConfigError> {
        let table_name = required("TABLE_NAME")?;
        let public_base_url = required("PUBLIC_BASE_URL")?;
        if !(public_base_url.starts_with("https://") || public_base_url.starts_with("http://")) {
            return Err(ConfigError::Invalid {
                name: "PUBLIC_BASE_URL",
                reason: "must start with https:// (or http:// locally)".into(),
            });
        }
        Ok(Self {
            table_name,
            dynamodb_endpoint: optional("DYNAMODB_ENDPOINT"),
            public_base_url: public_base_url.trim_end_matches('/').to_owned(),
            twilio_api_base_url: optional("TWILIO_API_BASE_URL"),
        })
    }
}

/// Reads a variable that must be present and non-empty.
pub fn required(name: &'static str) -> Result<String, ConfigError> {
    match env::var(name) {
        Ok(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(ConfigError::Missing(name)),
    }
}

/// Reads a variable that may be absent; an empty value counts as absent.
pub fn optional(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Twilio credentials, read once at cold start from the Secrets Manager secret named by
/// `TWILIO_SECRET_ARN` (JSON with `account_sid`, `api_key_sid`, `api_key_secret`, `auth_token`,
/// `twiml_app_sid`). Nothing secret is ever in the environment or in a template.
pub struct TwilioSecrets {
    pub account_sid: crate::twilio::AccountSid,
    pub api_key_sid: crate::twilio::ApiKeySid,
    pub api_key_secret: secrecy::SecretString,
    pub auth_token: secrecy::SecretString,
    pub twiml_app_sid: crate::twilio::ApplicationSid,
}

#[derive(serde::Deserialize)]
struct RawTwilioSecret {
    account_sid: String,
    api_key_sid: String,
    api_key_secret: String,
    auth_token: String,
    twiml_app_sid: String,
}

impl TwilioSecrets {
    /// Reads and checks the secret; the error names what is wrong without quoting secrets.
    pub async fn load() -> Result<Self, ConfigError> {
        Self::load_with(&crate::tls::aws_config_loader().load().await).await
    }

    /// [`load`](Self::load) with an AWS configuration the caller already loaded.
    pub async fn load_with(aws: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let arn = required("TWILIO_SECRET_ARN")?;
        let client = aws_sdk_secretsmanager::Client::new(aws);
        let out = client
            .get_secret_value()
            .secret_id(&arn)
            .send()
            .await
            .map_err(|e| ConfigError::Invalid {
                name: "TWILIO_SECRET_ARN",
                reason: format!(
                    "the secret could not be read: {}",
                    aws_sdk_secretsmanager::error::DisplayErrorContext(&e)
                ),
            })?;
        Self::parse(out.secret_string().unwrap_or_default())
    }

    /// Parses the secret's JSON.
    pub fn parse(json: &str) -> Result<Self, ConfigError> {
        let bad = |reason: String| ConfigError::Invalid {
            name: "TWILIO_SECRET_ARN",
            reason,
        };
        let raw: RawTwilioSecret =
            serde_json::from_str(json).map_err(|e| bad(format!("the secret is not the expected JSON: {e}")))?;
        Ok(Self {
            account_sid: crate::twilio::AccountSid::parse(&raw.account_sid)
                .map_err(|_| bad("account_sid is not an AC… SID".into()))?,
            api_key_sid: crate::twilio::ApiKeySid::parse(&raw.api_key_sid)
                .map_err(|_| bad("api_key_sid is not an SK… SID".into()))?,
            api_key_secret: raw.api_key_secret.into(),
            auth_token: raw.auth_token.into(),
            twiml_app_sid: crate::twilio::ApplicationSid::parse(&raw.twiml_app_sid)
                .map_err(|_| bad("twiml_app_sid is not an AP… SID".into()))?,
        })
    }
}
