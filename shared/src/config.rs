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

/// Twilio credentials, read at cold start from the Secrets Manager secret named by
/// `TWILIO_SECRET_ARN` (JSON with `account_sid`, `api_key_sid`, `api_key_secret`, `auth_token`,
/// `twiml_app_sid`, and `auth_token_secondary` while the auth token is being rotated). Nothing
/// secret is ever in the environment or in a template. The voice function re-reads the auth
/// tokens later through [`TwilioSecretStore`].
pub struct TwilioSecrets {
    pub account_sid: crate::twilio::AccountSid,
    pub api_key_sid: crate::twilio::ApiKeySid,
    pub api_key_secret: secrecy::SecretString,
    pub auth_token: secrecy::SecretString,
    /// The account's secondary auth token, stored before it is promoted at Twilio so that
    /// webhooks signed with it are accepted from the moment of the promotion.
    pub auth_token_secondary: Option<secrecy::SecretString>,
    pub twiml_app_sid: crate::twilio::ApplicationSid,
}

#[derive(serde::Deserialize)]
struct RawTwilioSecret {
    account_sid: String,
    api_key_sid: String,
    api_key_secret: String,
    auth_token: String,
    #[serde(default)]
    auth_token_secondary: Option<String>,
    twiml_app_sid: String,
}

/// What a Twilio auth token looks like: 32 hexadecimal characters.
pub fn is_auth_token(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

impl TwilioSecrets {
    /// Reads and checks the secret; the error names what is wrong without quoting secrets.
    pub async fn load() -> Result<Self, ConfigError> {
        Self::load_with(&crate::tls::aws_config_loader().load().await).await
    }

    /// [`load`](Self::load) with an AWS configuration the caller already loaded.
    pub async fn load_with(aws: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let arn = required("TWILIO_SECRET_ARN")?;
        TwilioSecretStore::new(aws, &arn).read().await
    }

    /// The auth tokens webhooks are validated with.
    pub fn auth_tokens(&self) -> crate::twilio::signature::AuthTokens {
        crate::twilio::signature::AuthTokens {
            primary: self.auth_token.clone(),
            secondary: self.auth_token_secondary.clone(),
        }
    }

    /// Parses the secret's JSON. An auth token that is empty or not 32 hexadecimal
    /// characters (the deployment's random placeholder, a pasted API key secret) stops the
    /// function here, naming the key, rather than refusing every webhook later.
    pub fn parse(json: &str) -> Result<Self, ConfigError> {
        let bad = |reason: String| ConfigError::Invalid {
            name: "TWILIO_SECRET_ARN",
            reason,
        };
        let raw: RawTwilioSecret =
            serde_json::from_str(json).map_err(|e| bad(format!("the secret is not the expected JSON: {e}")))?;
        let token = |key: &str, value: &str| {
            if is_auth_token(value) {
                Ok(())
            } else {
                Err(bad(format!(
                    "{key} is {} — it must be the Twilio account's auth token (32 hexadecimal characters): \
                     store the account's credentials in the secret (infra/README.md section 4)",
                    if value.is_empty() { "empty" } else { "not an auth token" }
                )))
            }
        };
        token("auth_token", &raw.auth_token)?;
        if let Some(secondary) = &raw.auth_token_secondary {
            token("auth_token_secondary", secondary)?;
        }
        Ok(Self {
            account_sid: crate::twilio::AccountSid::parse(&raw.account_sid)
                .map_err(|_| bad("account_sid is not an AC… SID".into()))?,
            api_key_sid: crate::twilio::ApiKeySid::parse(&raw.api_key_sid)
                .map_err(|_| bad("api_key_sid is not an SK… SID".into()))?,
            api_key_secret: raw.api_key_secret.into(),
            auth_token: raw.auth_token.into(),
            auth_token_secondary: raw.auth_token_secondary.map(Into::into),
            twiml_app_sid: crate::twilio::ApplicationSid::parse(&raw.twiml_app_sid)
                .map_err(|_| bad("twiml_app_sid is not an AP… SID".into()))?,
        })
    }
}

/// Why the Twilio secret could not be read or written. Never quotes the secret's content.
#[derive(Debug, thiserror::Error)]
pub enum SecretStoreError {
    /// Secrets Manager refused or could not be reached.
    #[error("Secrets Manager could not {action} the secret {secret_id}: {reason}")]
    Aws {
        /// `read` or `write`.
        action: &'static str,
        /// The secret's name or ARN.
        secret_id: String,
        /// The SDK's description.
        reason: String,
    },
    /// The secret holds no JSON object.
    #[error("the secret {0} does not hold a JSON object")]
    NotAnObject(String),
}

/// The Twilio secret in Secrets Manager, read and written whole as its JSON object: what the
/// voice function re-reads its auth tokens from, and what the auth-token rotation writes.
pub struct TwilioSecretStore {
    secret_id: String,
    aws: Option<aws_config::SdkConfig>,
    client: tokio::sync::OnceCell<aws_sdk_secretsmanager::Client>,
}

impl TwilioSecretStore {
    /// The secret `secret_id` (a name or an ARN), through a client for `aws`.
    pub fn new(aws: &aws_config::SdkConfig, secret_id: &str) -> Self {
        Self {
            secret_id: secret_id.to_owned(),
            aws: Some(aws.clone()),
            client: tokio::sync::OnceCell::new(),
        }
    }

    /// The secret named by `TWILIO_SECRET_ARN`, with the AWS configuration loaded from the
    /// environment on first use (off the cold-start path of a function that already read the
    /// secret once).
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            secret_id: required("TWILIO_SECRET_ARN")?,
            aws: None,
            client: tokio::sync::OnceCell::new(),
        })
    }

    /// The secret's name or ARN.
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The Secrets Manager client the store uses (tests create the secret with it).
    pub async fn client(&self) -> &aws_sdk_secretsmanager::Client {
        self.client
            .get_or_init(|| async {
                match &self.aws {
                    Some(aws) => aws_sdk_secretsmanager::Client::new(aws),
                    None => aws_sdk_secretsmanager::Client::new(&crate::tls::aws_config_loader().load().await),
                }
            })
            .await
    }

    /// The secret's JSON object as stored now.
    pub async fn read_json(&self) -> Result<serde_json::Map<String, serde_json::Value>, SecretStoreError> {
        let out = self
            .client()
            .await
            .get_secret_value()
            .secret_id(&self.secret_id)
            .send()
            .await
            .map_err(|e| SecretStoreError::Aws {
                action: "read",
                secret_id: self.secret_id.clone(),
                reason: aws_sdk_secretsmanager::error::DisplayErrorContext(&e).to_string(),
            })?;
        match serde_json::from_str(out.secret_string().unwrap_or_default()) {
            Ok(serde_json::Value::Object(map)) => Ok(map),
            _ => Err(SecretStoreError::NotAnObject(self.secret_id.clone())),
        }
    }

    /// Replaces the secret's value with `value` (a new version, made current).
    pub async fn write_json(&self, value: &serde_json::Map<String, serde_json::Value>) -> Result<(), SecretStoreError> {
        self.client()
            .await
            .put_secret_value()
            .secret_id(&self.secret_id)
            .secret_string(serde_json::Value::Object(value.clone()).to_string())
            .send()
            .await
            .map(drop)
            .map_err(|e| SecretStoreError::Aws {
                action: "write",
                secret_id: self.secret_id.clone(),
                reason: aws_sdk_secretsmanager::error::DisplayErrorContext(&e).to_string(),
            })
    }

    /// Reads and checks the secret as the functions use it.
    pub async fn read(&self) -> Result<TwilioSecrets, ConfigError> {
        let value = self.read_json().await.map_err(|e| ConfigError::Invalid {
            name: "TWILIO_SECRET_ARN",
            reason: e.to_string(),
        })?;
        TwilioSecrets::parse(&serde_json::Value::Object(value).to_string())
    }
}

#[cfg(any(test, feature = "test-support"))]
impl TwilioSecretStore {
    /// The secret on a Secrets Manager-compatible test server (moto), with static test
    /// credentials and a fixed region, loopback only.
    pub fn on_test_server(endpoint: &str, secret_id: &str) -> Self {
        let credentials = aws_credential_types::Credentials::new("test", "test", None, None, "static");
        let aws = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("ap-northeast-1"))
            .endpoint_url(endpoint)
            .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
                credentials,
            ))
            .http_client(crate::tls::aws_http_client())
            .build();
        Self::new(&aws, secret_id)
    }
}

#[async_trait::async_trait]
impl crate::twilio::signature::AuthTokenSource for TwilioSecretStore {
    async fn auth_tokens(
        &self,
    ) -> Result<crate::twilio::signature::AuthTokens, crate::twilio::signature::TokenSourceError> {
        self.read()
            .await
            .map(|secrets| secrets.auth_tokens())
            .map_err(|e| crate::twilio::signature::TokenSourceError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn secret(auth_token: &str, secondary: Option<&str>) -> String {
        let mut value = serde_json::json!({
            "account_sid": format!("AC{}", "1".repeat(32)),
            "api_key_sid": format!("SK{}", "2".repeat(32)),
            "api_key_secret": "key-secret",
            "auth_token": auth_token,
            "twiml_app_sid": format!("AP{}", "3".repeat(32)),
        });
        if let Some(secondary) = secondary {
            value["auth_token_secondary"] = secondary.into();
        }
        value.to_string()
    }

    #[test]
    fn a_secret_with_a_secondary_token_holds_both() {
        let parsed = TwilioSecrets::parse(&secret(
            "0123456789abcdef0123456789ABCDEF",
            Some("fedcba9876543210fedcba9876543210"),
        ))
        .unwrap();
        let tokens = parsed.auth_tokens();
        assert_eq!(tokens.primary.expose_secret(), "0123456789abcdef0123456789ABCDEF");
        assert_eq!(
            tokens.secondary.unwrap().expose_secret(),
            "fedcba9876543210fedcba9876543210"
        );
        let without = TwilioSecrets::parse(&secret("0123456789abcdef0123456789abcdef", None)).unwrap();
        assert!(without.auth_token_secondary.is_none());
    }

    #[test]
    fn an_empty_or_malformed_auth_token_stops_start_up_naming_its_key() {
        let placeholder = "Xq7pT2mK9vB4nR8sW1yZ6cF3hJ5dL0aG";
        for (json, key) in [
            (secret("", None), "auth_token is empty"),
            (secret(placeholder, None), "auth_token is not an auth token"),
            (secret("0123456789abcdef", None), "auth_token is not an auth token"),
            (
                secret("0123456789abcdef0123456789abcdef", Some("")),
                "auth_token_secondary is empty",
            ),
            (
                secret("0123456789abcdef0123456789abcdef", Some(placeholder)),
                "auth_token_secondary is not an auth token",
            ),
        ] {
            let message = match TwilioSecrets::parse(&json) {
                Err(e) => e.to_string(),
                Ok(_) => panic!("{key}: accepted"),
            };
            assert!(message.contains(key), "{message}");
            assert!(message.contains("TWILIO_SECRET_ARN"), "{message}");
            assert!(message.contains("infra/README.md section 4"), "{message}");
            assert!(!message.contains(placeholder), "the value is never quoted: {message}");
        }
    }
}
