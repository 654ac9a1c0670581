//! The `dial-lists` Lambda: wires the store and the router, nothing else.

use std::sync::Arc;

use shared::config::Config;
use shared::domain::Services;
use shared::store::dynamo::DynamoStore;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let config = Config::from_env()?;
    let client = DynamoStore::client_from_env(config.dynamodb_endpoint.as_deref()).await;
    let services = Services::new(Arc::new(DynamoStore::new(client, &config.table_name)));
    lambda_http::run(dial_lists::router(services)).await
}
