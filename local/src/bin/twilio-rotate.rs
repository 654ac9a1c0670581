//! `twilio-rotate`: rotates the Twilio account's auth token without a refused webhook.
//!
//! usage: twilio-rotate --secret-id NAME|ARN [--wait SECONDS] [--twilio-accounts-base URL]
//!
//! The functions' secret (Secrets Manager; region, credentials and endpoint from the usual
//! `AWS_*` variables) holds the account SID and its auth token. The rotation:
//!
//! 1. creates the account's secondary auth token at Twilio (Accounts v1
//!    `POST /v1/AuthTokens/Secondary`, with the account SID and the current token);
//! 2. stores it in the secret as `auth_token_secondary`: from then on the voice function
//!    accepts webhooks signed with either token;
//! 3. waits until every function instance can have re-read the secret (by default the voice
//!    function's refresh interval plus 30 s; an instance that has not yet re-reads it when a
//!    signature fails);
//! 4. promotes it at Twilio (`POST /v1/AuthTokens/Promote`): Twilio signs with it from now
//!    on and the former token stops working;
//! 5. stores it as `auth_token` and drops `auth_token_secondary`.
//!
//! Interrupted, it can be run again: a secret that already holds a secondary token resumes at
//! step 3, and a token already promoted at Twilio is only stored. It prints one JSON line on
//! stdout (never a token): the account, the secret, whether it resumed, how long it waited,
//! and the steps done. Progress goes to stderr. Exit status 0 on success, 1 on failure (the
//! reason, and what state the secret and Twilio are left in, on stderr), 2 for a usage error.

use std::process::ExitCode;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use shared::config::{TwilioSecretStore, TwilioSecrets};
use shared::twilio::AccountSid;
use shared::twilio::rest::{
    DEFAULT_ACCOUNTS_BASE_URL, DEFAULT_BASE_URL, ListKeys, RestClient, RestError, RetryPolicy, TwilioApiError,
};
use shared::twilio::signature::RefreshPolicy;

const USAGE: &str =
    "usage: twilio-rotate --secret-id NAME|ARN [--wait SECONDS] [--twilio-accounts-base URL] [--twilio-api-base URL]
AWS region, credentials and endpoint come from the usual AWS_* environment variables.";

struct Args {
    secret_id: String,
    wait: Duration,
    accounts_base: String,
    api_base: String,
}

fn args() -> Result<Args, String> {
    let mut secret_id = None;
    let mut wait = RefreshPolicy::default().every + Duration::from_secs(30);
    let mut accounts_base = DEFAULT_ACCOUNTS_BASE_URL.to_owned();
    let mut api_base = DEFAULT_BASE_URL.to_owned();
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--secret-id" => secret_id = Some(value()?).filter(|v| !v.trim().is_empty()),
            "--wait" => {
                let v = value()?;
                let seconds: u64 = v
                    .parse()
                    .map_err(|_| format!("--wait takes whole seconds, got {v:?}\n{USAGE}"))?;
                wait = Duration::from_secs(seconds);
            }
            "--twilio-accounts-base" => accounts_base = value()?,
            "--twilio-api-base" => api_base = value()?,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(Args {
        secret_id: secret_id.ok_or(format!("--secret-id is required\n{USAGE}"))?,
        wait,
        accounts_base,
        api_base,
    })
}

/// Why the rotation stopped, with what the admin needs to know about where it stopped.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure(error.to_string())
    }
}

fn client(args: &Args, account: &AccountSid, token: &SecretString) -> Result<RestClient, Failure> {
    Ok(
        RestClient::with_auth_token(account.clone(), token.clone(), &args.api_base, RetryPolicy::default())?
            .with_accounts_base_url(&args.accounts_base)?,
    )
}

/// Whether `token` still authenticates the account (a one-item read of its API keys, which
/// only the account's credentials may list).
async fn still_valid(client: &RestClient) -> Result<bool, Failure> {
    match client.list_keys(&ListKeys { page_size: Some(1) }).await {
        Ok(_) => Ok(true),
        Err(RestError::Api(TwilioApiError { status: 401, .. })) => Ok(false),
        Err(other) => Err(other.into()),
    }
}

async fn store(
    secret: &TwilioSecretStore,
    change: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> Result<(), Failure> {
    let mut value = secret.read_json().await?;
    change(&mut value);
    secret.write_json(&value).await?;
    Ok(())
}

async fn rotate(args: Args) -> Result<Value, Failure> {
    let aws = shared::tls::aws_config_loader().load().await;
    let secret = TwilioSecretStore::new(&aws, &args.secret_id);
    let current: TwilioSecrets = secret.read().await?;
    let account = current.account_sid.clone();
    let mut steps: Vec<&str> = Vec::new();

    let resumed = current.auth_token_secondary.is_some();
    let secondary = match current.auth_token_secondary.clone() {
        Some(token) => {
            eprintln!("the secret already holds a secondary auth token: resuming the rotation with it");
            token
        }
        None => {
            let created = client(&args, &account, &current.auth_token)?
                .create_secondary_auth_token()
                .await
                .map_err(|e| Failure(format!("could not create the secondary auth token: {e}")))?;
            steps.push("created the secondary auth token at Twilio");
            let token = created.secondary_auth_token;
            if !shared::config::is_auth_token(token.expose_secret()) {
                return Err(Failure(
                    "Twilio answered a secondary auth token that is not 32 hexadecimal characters; nothing was stored"
                        .into(),
                ));
            }
            let stored = token.expose_secret().to_owned();
            store(&secret, |v| {
                v.insert("auth_token_secondary".into(), Value::String(stored));
            })
            .await
            .map_err(|Failure(e)| {
                Failure(format!(
                    "{e}; the secondary token exists at Twilio but not in the secret: run twilio-rotate again (it creates a new one)"
                ))
            })?;
            steps.push("stored it as auth_token_secondary");
            token
        }
    };

    eprintln!(
        "waiting {} s for every function instance to re-read the secret",
        args.wait.as_secs()
    );
    tokio::time::sleep(args.wait).await;

    let with_secondary = client(&args, &account, &secondary)?;
    match with_secondary.promote_secondary_auth_token().await {
        Ok(promoted) => {
            if promoted.auth_token.expose_secret() != secondary.expose_secret() {
                return Err(Failure(
                    "Twilio promoted a token other than the one in the secret: the secret still holds the former token; \
                     check the account's tokens in the Twilio Console before storing anything"
                        .into(),
                ));
            }
            steps.push("promoted it at Twilio");
        }
        Err(RestError::Api(TwilioApiError { status: 404, .. })) if resumed => {
            // No secondary token at Twilio: either it was already promoted (the former token no
            // longer works) or it was deleted (the former token still does).
            if still_valid(&client(&args, &account, &current.auth_token)?).await? {
                return Err(Failure(
                    "the secret's secondary auth token no longer exists at Twilio and the primary one still works: \
                     remove auth_token_secondary from the secret, then run twilio-rotate again"
                        .into(),
                ));
            }
            steps.push("found it already promoted at Twilio");
        }
        Err(e) => {
            return Err(Failure(format!(
                "could not promote the secondary auth token: {e}; the secret holds both tokens, so nothing is refused: run twilio-rotate again"
            )));
        }
    }

    let promoted = secondary.expose_secret().to_owned();
    store(&secret, |v| {
        v.insert("auth_token".into(), Value::String(promoted));
        v.remove("auth_token_secondary");
    })
    .await
    .map_err(|Failure(e)| {
        Failure(format!(
            "{e}; Twilio already signs with the new token, which the secret holds as auth_token_secondary (so nothing is refused): run twilio-rotate again to store it"
        ))
    })?;
    steps.push("stored it as auth_token and dropped auth_token_secondary");

    Ok(json!({
        "account_sid": account,
        "secret_id": args.secret_id,
        "resumed": resumed,
        "waited_seconds": args.wait.as_secs(),
        "steps": steps,
    }))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match rotate(args).await {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err(Failure(message)) => {
            eprintln!("twilio-rotate: {message}");
            ExitCode::FAILURE
        }
    }
}
