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
    /// Reads `TABLE_NAME`, `PUBLIC_BASE_URL` and the optional `DYNAMODB_ENDPOINT`.
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
