//! The `push` Lambda: the DynamoDB stream's batches posted to the live channel's connections at
//! `LIVE_ENDPOINT` (the WebSocket stage's management endpoint).

use std::sync::Arc;

use lambda_runtime::{LambdaEvent, service_fn};
use push::{ManagementApi, Push, StreamEvent};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let deployed = shared::wiring::Deployed::from_env().await?;
    let endpoint = shared::config::required("LIVE_ENDPOINT")?;
    let poster = Arc::new(ManagementApi::new(&deployed.aws, &endpoint));
    let push = Arc::new(Push::new(deployed.services().store, poster));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<StreamEvent>| {
        let push = push.clone();
        async move { Ok::<_, lambda_runtime::Error>(push.handle(event.payload).await) }
    }))
    .await
}
