//! The `users` Lambda: the user pool (`USER_POOL_ID`) and the table, wired once at cold start.

use std::sync::Arc;

use shared::directory::cognito::CognitoDirectory;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::wiring::serve(|deployed| async move {
        let pool_id = shared::config::required("USER_POOL_ID")?;
        let directory = Arc::new(CognitoDirectory::from_config(&deployed.aws, pool_id));
        Ok(users::router(users::UsersState::new(directory, &deployed.services())))
    })
    .await
}
