//! The `token` Lambda: the token issuer from the Twilio secret, and the table (a disabled
//! operator gets no token).

use std::sync::Arc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::wiring::serve(|deployed| async move {
        let twilio = deployed.twilio().await?;
        Ok(token::router(token::TokenState {
            issuer: Arc::new(deployed.voice_token_issuer(&twilio)),
            twiml_app: twilio.twiml_app_sid,
            operators: deployed.services().operators,
        }))
    })
    .await
}
