//! The `settings` Lambda: the router on the table, nothing else.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::wiring::serve(|deployed| async move { Ok(settings::router(deployed.services())) }).await
}
