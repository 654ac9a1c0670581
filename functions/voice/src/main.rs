//! The `voice` Lambda: wires the store, Twilio's REST client and the signature validator.

use std::sync::Arc;
use std::time::Duration;

use shared::config::{Config, TwilioSecrets};
use shared::domain::Services;
use shared::store::dynamo::DynamoStore;
use shared::twilio::rest::{RestClient, TwilioCredentials};
use shared::twilio::signature::WebhookValidator;
use voice::VoiceState;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let config = Config::from_env()?;
    let twilio = TwilioSecrets::load().await?;
    let client = DynamoStore::client_from_env(config.dynamodb_endpoint.as_deref()).await;
    let services = Services::new(Arc::new(DynamoStore::new(client, &config.table_name)));
    let rest = RestClient::new(TwilioCredentials {
        account_sid: twilio.account_sid,
        api_key_sid: twilio.api_key_sid,
        api_key_secret: twilio.api_key_secret,
    })?;
    let state = VoiceState {
        services,
        telephony: Arc::new(rest),
        validator: Arc::new(WebhookValidator::new(twilio.auth_token)),
        public_base_url: config.public_base_url,
        lookup_budget: Duration::from_millis(1500),
    };
    lambda_http::run(voice::router(state)).await
}
