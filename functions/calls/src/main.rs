//! The `calls` Lambda: the store and Twilio's REST client, wired once at cold start.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let (dispatcher, _) = shared::dispatch::Dispatcher::from_env().await?;
    lambda_http::run(calls::router(dispatcher)).await
}
