//! The `voice` Lambda: call control on the table and Twilio's REST client, and the signature
//! validator, wired once at cold start. The validator re-reads the auth tokens from the Twilio
//! secret every 5 minutes and when a signature does not match, so an auth token rotated at
//! Twilio (`twilio-rotate`) never refuses a webhook.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::wiring::serve(|deployed| async move {
        let twilio = deployed.twilio().await?;
        let state = voice::VoiceState::new(
            deployed.call_control_with(&twilio)?,
            deployed.webhook_validator(&twilio)?,
        );
        Ok(voice::router(state))
    })
    .await
}
