//! `twilio-provision`: makes the Twilio account right for the console over Twilio's REST API
//! (instead of infra/README.md section 5 by hand): the TwiML App, an API key for the functions,
//! and each of the console's numbers' voice configuration. Idempotent: a second run against an
//! account that is already right writes nothing. See `shared::twilio::provision`.
//!
//! usage: twilio-provision --account-sid AC… --api-base-url URL --fallback-url URL
//!        --number E164 [--number E164]… [--current-api-key SK…] [--app-name NAME]
//!        [--twilio-api-base URL] [--dry-run]
//!
//! The account's credentials come from the environment, never from a flag (flags end up in
//! shell history and process lists): `TWILIO_AUTH_TOKEN`, or a Main API key as
//! `TWILIO_API_KEY` and `TWILIO_API_SECRET` (a Standard key may not manage API keys).
//!
//! It prints one JSON document on stdout: the plan (every write, with each field's value before
//! and after), the number of writes made, the numbers found, and `secret`: the values the
//! functions' secret must hold (`account_sid`, `twiml_app_sid`, `api_key_sid`, and
//! `api_key_secret` only when a key was created now: Twilio shows it once). The deploy script
//! merges `secret` into the Secrets Manager secret. With `--dry-run` nothing is written and
//! `secret` is null. A readable summary goes to stderr. Exit status 0 on success, 1 when the
//! account could not be provisioned (the reason on stderr), 2 for a usage error.

use std::process::ExitCode;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use shared::twilio::provision::{self, Plan, Provisioned, Step, Target};
use shared::twilio::rest::{DEFAULT_BASE_URL, RestClient, RetryPolicy, TwilioCredentials};
use shared::twilio::{AccountSid, ApiKeySid};

const USAGE: &str = "usage: twilio-provision --account-sid AC... --api-base-url URL --fallback-url URL \
--number E164 [--number E164]... [--current-api-key SK...] [--app-name NAME] [--twilio-api-base URL] [--dry-run]
environment: TWILIO_AUTH_TOKEN (the account's auth token), or TWILIO_API_KEY and TWILIO_API_SECRET (a Main API key)";

struct Args {
    account_sid: AccountSid,
    api_base_url: String,
    fallback_url: String,
    numbers: Vec<String>,
    current_api_key: Option<ApiKeySid>,
    app_name: Option<String>,
    twilio_api_base: String,
    dry_run: bool,
}

fn args() -> Result<Args, String> {
    let mut account_sid = None;
    let mut api_base_url = None;
    let mut fallback_url = None;
    let mut numbers = Vec::new();
    let mut current_api_key = None;
    let mut app_name = None;
    let mut twilio_api_base = DEFAULT_BASE_URL.to_owned();
    let mut dry_run = false;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--account-sid" => {
                let v = value()?;
                account_sid = Some(AccountSid::parse(&v).map_err(|e| format!("--account-sid: {e}"))?);
            }
            "--api-base-url" => api_base_url = Some(value()?),
            "--fallback-url" => fallback_url = Some(value()?),
            "--number" => numbers.push(value()?),
            "--current-api-key" => {
                let v = value()?;
                current_api_key = Some(ApiKeySid::parse(&v).map_err(|e| format!("--current-api-key: {e}"))?);
            }
            "--app-name" => app_name = Some(value()?).filter(|n| !n.trim().is_empty()),
            "--twilio-api-base" => twilio_api_base = value()?,
            "--dry-run" => dry_run = true,
            "--auth-token" | "--api-secret" => {
                return Err(format!(
                    "{arg} is not a flag: put the credential in the environment (TWILIO_AUTH_TOKEN, or TWILIO_API_KEY and TWILIO_API_SECRET)\n{USAGE}"
                ));
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    let required = |value: Option<String>, flag: &str| value.ok_or(format!("{flag} is required\n{USAGE}"));
    Ok(Args {
        account_sid: account_sid.ok_or(format!("--account-sid is required\n{USAGE}"))?,
        api_base_url: required(api_base_url, "--api-base-url")?,
        fallback_url: required(fallback_url, "--fallback-url")?,
        numbers,
        current_api_key,
        app_name,
        twilio_api_base,
        dry_run,
    })
}

/// The REST client for the account's credentials in the environment.
fn client(args: &Args) -> Result<RestClient, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let retry = RetryPolicy::default();
    let built = match (
        env("TWILIO_AUTH_TOKEN"),
        env("TWILIO_API_KEY"),
        env("TWILIO_API_SECRET"),
    ) {
        (Some(token), _, _) => {
            if !shared::config::is_auth_token(&token) {
                return Err("TWILIO_AUTH_TOKEN is not an auth token (32 hexadecimal characters): copy it from the Twilio Console's account info".into());
            }
            RestClient::with_auth_token(
                args.account_sid.clone(),
                SecretString::from(token),
                &args.twilio_api_base,
                retry,
            )
        }
        (None, Some(key), Some(secret)) => {
            let api_key_sid = ApiKeySid::parse(&key).map_err(|e| format!("TWILIO_API_KEY: {e}"))?;
            RestClient::with_base_url(
                TwilioCredentials {
                    account_sid: args.account_sid.clone(),
                    api_key_sid,
                    api_key_secret: SecretString::from(secret),
                },
                &args.twilio_api_base,
                retry,
            )
        }
        _ => {
            return Err(format!(
                "no Twilio credentials: set TWILIO_AUTH_TOKEN, or TWILIO_API_KEY and TWILIO_API_SECRET\n{USAGE}"
            ));
        }
    };
    built.map_err(|e| format!("--twilio-api-base: {e}"))
}

/// One line per write, for the admin reading along.
fn summary(plan: &Plan) -> String {
    if plan.steps.is_empty() {
        return format!("account {} is already right: nothing to write", plan.account_sid);
    }
    let change = |c: &provision::FieldChange| {
        format!(
            "    {}: {} -> {}",
            c.field,
            c.from.as_deref().unwrap_or("(unset)"),
            c.to.as_deref().unwrap_or("(cleared)")
        )
    };
    let mut lines = Vec::new();
    for step in &plan.steps {
        match step {
            Step::CreateApplication { friendly_name, changes } => {
                lines.push(format!("create TwiML App {friendly_name:?}"));
                lines.extend(changes.iter().map(change));
            }
            Step::UpdateApplication {
                sid,
                friendly_name,
                changes,
            } => {
                lines.push(format!("update TwiML App {friendly_name:?} ({sid})"));
                lines.extend(changes.iter().map(change));
            }
            Step::CreateApiKey { friendly_name, reason } => {
                lines.push(format!("create API key {friendly_name:?}: {reason}"));
            }
            Step::UpdateNumber {
                sid,
                phone_number,
                changes,
            } => {
                lines.push(format!("update number {phone_number} ({sid})"));
                lines.extend(changes.iter().map(change));
            }
        }
    }
    lines.join("\n")
}

fn secret_json(done: &Provisioned) -> Value {
    let mut secret = json!({
        "account_sid": done.account_sid,
        "api_key_sid": done.api_key_sid,
        "twiml_app_sid": done.twiml_app_sid,
    });
    if let Some(key_secret) = &done.api_key_secret {
        secret["api_key_secret"] = Value::String(key_secret.expose_secret().to_owned());
    }
    secret
}

async fn run(args: Args) -> Result<Value, String> {
    let client = client(&args)?;
    let mut target = Target::new(&args.api_base_url, &args.fallback_url, &args.numbers).map_err(|e| e.to_string())?;
    target.api_key_sid = args.current_api_key.clone();
    if let Some(name) = &args.app_name {
        target.application_name = name.clone();
    }
    let plan = provision::plan(&client, &target).await.map_err(|e| e.to_string())?;
    eprintln!("{}", summary(&plan));
    let (writes, secret) = if args.dry_run {
        eprintln!("dry run: nothing written");
        (0, Value::Null)
    } else {
        let done = provision::apply(&client, &target, &plan)
            .await
            .map_err(|e| e.to_string())?;
        (done.writes, secret_json(&done))
    };
    Ok(json!({
        "dry_run": args.dry_run,
        "account_sid": plan.account_sid,
        "plan": plan.steps,
        "writes": writes,
        "numbers": plan.numbers,
        "secret": secret,
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
    match run(args).await {
        Ok(output) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&output).expect("JSON values serialise")
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("twilio-provision: {message}");
            ExitCode::FAILURE
        }
    }
}
