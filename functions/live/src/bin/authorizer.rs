//! The `live-authorizer` Lambda: the `$connect` REQUEST authorizer, verifying ID tokens of the
//! issuer `JWT_ISSUER` (the user pool's provider URL) for the app client `JWT_AUDIENCE`, with the
//! issuer's keys at `{JWT_ISSUER}/.well-known/jwks.json` read at the first connection.

use std::sync::Arc;

use lambda_runtime::{LambdaEvent, service_fn};
use live::{Authorizer, AuthorizerEvent};
use shared::auth_jwt::JwtVerifier;
use shared::config::required;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let issuer = required("JWT_ISSUER")?;
    let audience = required("JWT_AUDIENCE")?;
    let jwks = format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/'));
    let authorizer = Arc::new(Authorizer::new(JwtVerifier::new(&issuer, &audience, &jwks, None)?));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<AuthorizerEvent>| {
        let authorizer = authorizer.clone();
        async move {
            authorizer.authorize(event.payload).await.map_err(|e| {
                tracing::info!(reason = %e.0, "connection refused");
                lambda_runtime::Error::from(e)
            })
        }
    }))
    .await
}
