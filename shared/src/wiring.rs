//! The composition root of the deployed functions: what a Lambda is built from, read once at
//! cold start — the configuration, one AWS configuration for every client, the DynamoDB table,
//! the Twilio secret and Twilio's REST client — and the one way a function's router is run on
//! Lambda ([`serve`]), behind the request-id span of [`crate::http::traced`]. Each function's
//! `main.rs` is one call of [`serve`] naming what its router needs, or, for a job run on a
//! schedule, of [`run_scheduled`] naming its handler.
//!
//! Every `main` runs on Tokio's current-thread runtime: a Lambda handles one event at a time on
//! a fraction of a vCPU, so worker threads add nothing but their start (about 1.5 ms of CPU
//! before the first answer of voice and crm, `tests/bench coldstart`); requests to the store
//! and Twilio still overlap on the one thread.

use std::future::Future;
use std::sync::Arc;

use axum::Router;

use crate::config::{Config, TwilioSecretStore, TwilioSecrets};
use crate::control::CallControl;
use crate::domain::Services;
use crate::store::dynamo::DynamoStore;
use crate::twilio::rest::{DEFAULT_BASE_URL, RestClient, RetryPolicy, TwilioCredentials};
use crate::twilio::signature::{RefreshPolicy, WebhookValidator};
use crate::twilio::token::VoiceTokenIssuer;

/// What a failed start-up returns: the variable or the service that is missing, by name.
pub type StartError = Box<dyn std::error::Error + Send + Sync>;

/// Where a deployed function runs: its configuration and the AWS configuration its clients share.
pub struct Deployed {
    pub config: Config,
    pub aws: aws_config::SdkConfig,
}

impl Deployed {
    /// Reads the configuration (`TABLE_NAME`, `PUBLIC_BASE_URL`, …; see [`Config`]) and the AWS
    /// settings from the environment.
    pub async fn from_env() -> Result<Self, StartError> {
        let config = Config::from_env()?;
        let aws = crate::tls::aws_config_loader().load().await;
        Ok(Self { config, aws })
    }

    /// The domain services on the DynamoDB table.
    pub fn services(&self) -> Services {
        let client = DynamoStore::client_with(&self.aws, self.config.dynamodb_endpoint.as_deref());
        Services::new(Arc::new(DynamoStore::new(client, &self.config.table_name)))
    }

    /// The Twilio secret (`TWILIO_SECRET_ARN`).
    pub async fn twilio(&self) -> Result<TwilioSecrets, StartError> {
        Ok(TwilioSecrets::load_with(&self.aws).await?)
    }

    /// Call control with the Twilio secret read now (see [`Deployed::call_control_with`]).
    pub async fn call_control(&self) -> Result<CallControl, StartError> {
        self.call_control_with(&self.twilio().await?)
    }

    /// Call control: the services and Twilio's REST client with the secret's API key (at
    /// `TWILIO_API_BASE_URL` when set, the rehearsal's simulator), Twilio calling back at
    /// `PUBLIC_BASE_URL`.
    pub fn call_control_with(&self, twilio: &TwilioSecrets) -> Result<CallControl, StartError> {
        let credentials = TwilioCredentials {
            account_sid: twilio.account_sid.clone(),
            api_key_sid: twilio.api_key_sid.clone(),
            api_key_secret: twilio.api_key_secret.clone(),
        };
        let base = self.config.twilio_api_base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
        let rest = RestClient::with_base_url(credentials, base, RetryPolicy::default())?;
        Ok(CallControl::new(
            self.services(),
            Arc::new(rest),
            &self.config.public_base_url,
        ))
    }

    /// The validator of Twilio's webhook signatures: the secret's auth tokens, re-read from the
    /// secret every 5 minutes and when a signature does not match, so an auth token rotated at
    /// Twilio never refuses a webhook.
    pub fn webhook_validator(&self, twilio: &TwilioSecrets) -> Result<WebhookValidator, StartError> {
        let secret = Arc::new(TwilioSecretStore::from_env()?);
        Ok(WebhookValidator::refreshing(
            twilio.auth_tokens(),
            secret,
            RefreshPolicy::default(),
        ))
    }

    /// The issuer of the softphone's Voice access tokens, with the secret's API key.
    pub fn voice_token_issuer(&self, twilio: &TwilioSecrets) -> VoiceTokenIssuer {
        VoiceTokenIssuer::new(
            twilio.account_sid.clone(),
            twilio.api_key_sid.clone(),
            twilio.api_key_secret.clone(),
        )
    }
}

/// Reads a telephone number now, on a thread of its own, so that the phone-number library is
/// ready when the first request reads one. Its first use decodes every country's metadata and
/// compiles Japan's patterns: 3–4 ms of CPU, nearly half of it page faults on the fresh memory
/// that takes (perf profile of voice's start, `tests/perf/coldstart.py --breakdown`). Called
/// first thing in `main`, that work overlaps what the start waits on — the Twilio secret's
/// read above all — instead of following it; a request that reads a number sooner waits for
/// the thread, never reads it twice. Only for functions whose requests read numbers: elsewhere
/// it would cost the CPU and the memory for nothing.
///
/// Measured on voice (`tests/bench coldstart`, quiet machine, three runs of 20 starts): its own
/// cold start p50 7.6–7.9 ms with the thread; 10.4–10.8 ms with the same work as a task on the
/// current-thread runtime, which spends 0.4 ms less CPU (no second thread or allocator arena)
/// but runs only once the start first waits, sometimes before the secret's request is sent.
pub fn read_phone_numbers_ahead() {
    // Should no thread start, the first request reads the library as it would have anyway.
    let _ = std::thread::Builder::new()
        .name("phone-numbers".into())
        .spawn(|| crate::phone::PhoneNumber::parse("03-1234-5678").is_ok());
}

/// Runs a function on Lambda: logging set up, the router built once by `build` from the
/// deployed wiring (a missing variable or secret stops the start, naming it), every request in
/// a span carrying its API Gateway request id.
pub async fn serve<F, Fut>(build: F) -> Result<(), lambda_http::Error>
where
    F: FnOnce(Deployed) -> Fut,
    Fut: Future<Output = Result<Router, StartError>>,
{
    crate::telemetry::init();
    let router = build(Deployed::from_env().await?).await?;
    lambda_http::run(crate::http::traced(router)).await
}

/// Runs a scheduled job on Lambda (an EventBridge rule's events): logging set up, the handler
/// built once by `build` from the deployed wiring, then called with each event; what it returns
/// is the invocation's result (in the function's log), an error fails the invocation.
pub async fn run_scheduled<B, BFut, H, HFut, E, R>(build: B) -> Result<(), lambda_http::Error>
where
    B: FnOnce(Deployed) -> BFut,
    BFut: Future<Output = Result<H, StartError>>,
    H: Fn(E) -> HFut,
    HFut: Future<Output = Result<R, StartError>>,
    E: serde::de::DeserializeOwned,
    R: serde::Serialize,
{
    use lambda_http::lambda_runtime::{LambdaEvent, run, service_fn};
    crate::telemetry::init();
    let handler = build(Deployed::from_env().await?).await?;
    run(service_fn(move |event: LambdaEvent<E>| handler(event.payload))).await
}
