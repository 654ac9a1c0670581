//! The `calls` Lambda: call control on the table and Twilio's REST client, wired once at cold start.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::wiring::serve(|deployed| async move { Ok(calls::router(deployed.call_control().await?)) }).await
}
