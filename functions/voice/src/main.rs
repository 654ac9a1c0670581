//! The `voice` Lambda: the store, Twilio's REST client and the signature validator, wired once
//! at cold start. The validator re-reads the auth tokens from the Twilio secret every 5 minutes
//! and when a signature does not match, so an auth token rotated at Twilio
//! (`twilio-rotate`) never refuses a webhook.

use std::sync::Arc;
use std::time::Duration;

use shared::config::TwilioSecretStore;
use shared::dispatch::Dispatcher;
use shared::twilio::signature::{RefreshPolicy, WebhookValidator};
use voice::VoiceState;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let (d, twilio) = Dispatcher::from_env().await?;
    let secret = Arc::new(TwilioSecretStore::from_env()?);
    let state = VoiceState {
        services: d.services,
        telephony: d.telephony,
        validator: Arc::new(WebhookValidator::refreshing(
            twilio.auth_tokens(),
            secret,
            RefreshPolicy::default(),
        )),
        public_base_url: d.public_base_url,
        lookup_budget: Duration::from_millis(1500),
    };
    lambda_http::run(voice::router(state)).await
}
