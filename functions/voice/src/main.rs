//! The `voice` Lambda: call control on the table and Twilio's REST client, and the signature
//! validator, wired once at cold start. The validator re-reads the auth tokens from the Twilio
//! secret every 5 minutes and when a signature does not match, so an auth token rotated at
//! Twilio (`twilio-rotate`) never refuses a webhook. Every call starts with the caller's number
//! read, so the phone-number library is made ready beside the start rather than after it.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::wiring::read_phone_numbers_ahead();
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
