//! The `operators` Lambda: call control on the table and Twilio's REST client (an operator
//! becoming available is rung at once), wired once at cold start.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::wiring::serve(|deployed| async move { Ok(operators::router(deployed.call_control().await?)) }).await
}
