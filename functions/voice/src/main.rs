//! The `voice` Lambda: the store, Twilio's REST client and the signature validator, wired once
//! at cold start.

use std::sync::Arc;
use std::time::Duration;

use shared::dispatch::Dispatcher;
use shared::twilio::signature::WebhookValidator;
use voice::VoiceState;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let (d, twilio) = Dispatcher::from_env().await?;
    let state = VoiceState {
        services: d.services,
        telephony: d.telephony,
        validator: Arc::new(WebhookValidator::new(twilio.auth_token)),
        public_base_url: d.public_base_url,
        lookup_budget: Duration::from_millis(1500),
    };
    lambda_http::run(voice::router(state)).await
}
