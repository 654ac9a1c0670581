//! The `reconcile` Lambda: call control on the table and Twilio's REST client, wired once at
//! cold start, run on each scheduled event.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::wiring::run_scheduled(|deployed| async move { Ok(reconcile::handler(deployed.call_control().await?)) })
        .await
}
