//! The `token` Lambda: wires the token issuer from the Twilio secret, and the table (a disabled
//! operator gets no token).

use std::sync::Arc;

use shared::config::{Config, TwilioSecrets};
use shared::domain::Services;
use shared::store::dynamo::DynamoStore;
use shared::twilio::token::VoiceTokenIssuer;
use token::TokenState;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let config = Config::from_env()?;
    let aws = shared::tls::aws_config_loader().load().await;
    let twilio = TwilioSecrets::load_with(&aws).await?;
    let store = DynamoStore::new(
        DynamoStore::client_with(&aws, config.dynamodb_endpoint.as_deref()),
        &config.table_name,
    );
    let issuer = VoiceTokenIssuer::new(twilio.account_sid, twilio.api_key_sid, twilio.api_key_secret);
    lambda_http::run(token::router(TokenState {
        issuer: Arc::new(issuer),
        twiml_app: twilio.twiml_app_sid,
        operators: Services::new(Arc::new(store)).operators,
    }))
    .await
}
