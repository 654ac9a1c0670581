//! The console's routers, as the local runtime mounts them, on a DynamoDB table instead of the
//! embedded store: what the loopback benchmark runs next to the Node.js peer, both against the
//! same DynamoDB-compatible server on loopback.
//!
//! usage: local-on-dynamodb --endpoint URL --table NAME --secret FILE --port N
//!
//! The secret file holds the dev sign-in key (at least 32 bytes), from which the simulated Twilio
//! account's credentials derive, as the local runtime's `console.secret` beside its data file.
//! The table is created with the console's key design if it does not exist and seeded with the
//! demo data, as the local runtime seeds a new embedded store. Credentials and region come from
//! the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`), as on Lambda.

use std::path::PathBuf;
use std::sync::Arc;

use shared::store::dynamo::DynamoStore;

struct Args {
    endpoint: String,
    table: String,
    secret: PathBuf,
    port: u16,
}

const USAGE: &str = "usage: local-on-dynamodb --endpoint URL --table NAME --secret FILE --port N";

fn args() -> Result<Args, String> {
    let (mut endpoint, mut table, mut secret, mut port) = (None, None, None, None);
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let value = it.next().ok_or(USAGE)?;
        match arg.as_str() {
            "--endpoint" => endpoint = Some(value),
            "--table" => table = Some(value),
            "--secret" => secret = Some(PathBuf::from(value)),
            "--port" => port = Some(value.parse().map_err(|_| USAGE)?),
            _ => return Err(USAGE.into()),
        }
    }
    Ok(Args {
        endpoint: endpoint.ok_or(USAGE)?,
        table: table.ok_or(USAGE)?,
        secret: secret.ok_or(USAGE)?,
        port: port.ok_or(USAGE)?,
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    shared::telemetry::init();
    let args = args()?;
    let client = DynamoStore::client_from_env(Some(&args.endpoint)).await;
    let store = DynamoStore::new(client, &args.table);
    store.ensure_table().await?;
    let secret = std::fs::read(&args.secret)?;
    if secret.len() < 32 {
        return Err(format!("{} holds fewer than 32 bytes", args.secret.display()).into());
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    let url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
    let app = local::build(Arc::new(store), secret, &local::default_static_dir(), &url).await?;
    println!("console on DynamoDB ({} at {}) at {url}/", args.table, args.endpoint);
    axum::serve(listener, app.router).await?;
    Ok(())
}
