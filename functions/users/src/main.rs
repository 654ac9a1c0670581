//! The `users` Lambda: the user pool (`USER_POOL_ID`) and the table, wired once at cold start.

use std::sync::Arc;

use shared::config::{Config, required};
use shared::directory::cognito::CognitoDirectory;
use shared::domain::Services;
use shared::store::dynamo::DynamoStore;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let config = Config::from_env()?;
    let pool_id = required("USER_POOL_ID")?;
    let aws = shared::tls::aws_config_loader().load().await;
    let store = DynamoStore::new(
        DynamoStore::client_with(&aws, config.dynamodb_endpoint.as_deref()),
        &config.table_name,
    );
    let directory = Arc::new(CognitoDirectory::from_config(&aws, pool_id));
    let services = Services::new(Arc::new(store));
    lambda_http::run(users::router(users::UsersState::new(directory, &services))).await
}
