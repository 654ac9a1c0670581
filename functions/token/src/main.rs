//! The `token` Lambda: wires the token issuer from the Twilio secret.

use std::sync::Arc;

use shared::config::TwilioSecrets;
use shared::twilio::token::VoiceTokenIssuer;
use token::TokenState;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let twilio = TwilioSecrets::load().await?;
    let issuer = VoiceTokenIssuer::new(twilio.account_sid, twilio.api_key_sid, twilio.api_key_secret);
    lambda_http::run(token::router(TokenState {
        issuer: Arc::new(issuer),
        twiml_app: twilio.twiml_app_sid,
    }))
    .await
}
