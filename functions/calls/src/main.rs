//! The `calls` Lambda: wires the store and Twilio's REST client.

use std::sync::Arc;

use shared::config::{Config, TwilioSecrets};
use shared::dispatch::Dispatcher;
use shared::domain::Services;
use shared::store::dynamo::DynamoStore;
use shared::twilio::rest::{RestClient, TwilioCredentials};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let config = Config::from_env()?;
    let twilio = TwilioSecrets::load().await?;
    let client = DynamoStore::client_from_env(config.dynamodb_endpoint.as_deref()).await;
    let rest = RestClient::new(TwilioCredentials {
        account_sid: twilio.account_sid,
        api_key_sid: twilio.api_key_sid,
        api_key_secret: twilio.api_key_secret,
    })?;
    let dispatcher = Dispatcher {
        services: Services::new(Arc::new(DynamoStore::new(client, &config.table_name))),
        telephony: Arc::new(rest),
        public_base_url: config.public_base_url,
    };
    lambda_http::run(calls::router(dispatcher)).await
}
