//! The `role-guard` Lambda: the user pool client built once at cold start.

use lambda_runtime::{LambdaEvent, service_fn};
use role_guard::RoleGuard;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let aws = shared::tls::aws_config_loader().load().await;
    let guard = RoleGuard::new(aws_sdk_cognitoidentityprovider::Client::new(&aws));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<_>| {
        let guard = guard.clone();
        async move { guard.handle(event.payload).await.map_err(lambda_runtime::Error::from) }
    }))
    .await
}
