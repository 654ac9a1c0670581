//! The `live` Lambda: every route of the live channel's WebSocket API, on the table.

use std::sync::Arc;

use lambda_runtime::{LambdaEvent, service_fn};
use live::{RouteEvent, Routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let deployed = shared::wiring::Deployed::from_env().await?;
    let routes = Arc::new(Routes::new(deployed.services().store));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<RouteEvent>| {
        let routes = routes.clone();
        async move { routes.handle(event.payload).await.map_err(lambda_runtime::Error::from) }
    }))
    .await
}
