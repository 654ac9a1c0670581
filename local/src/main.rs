//! `cargo run -p local`: the console on this machine, with demo data, at http://127.0.0.1:8080.
//!
//! Options: `--data FILE` (default `local-data/console.sqlite`), `--port N` (or `PORT`),
//! `--reset` to start again from fresh demo data, `--dynamodb URL [--table NAME]` to keep the data
//! in a DynamoDB-compatible server instead of the embedded store (the table, `console` unless
//! named, is created and seeded if new; region and credentials come from the environment; the
//! dev sign-in secret stays beside `--data`), `--oidc-issuer URL --oidc-client-id ID` to sign in
//! at an OpenID Connect provider (tests/idp's `server.mjs`, for one) instead of the dev sign-in:
//! the page then signs in as it does at Cognito deployed, and API requests carry its ID tokens.
//!
//! The Twilio simulator runs inside. From another terminal, a simulated customer calls in with
//! `cargo run -p local -- call 03-1234-5678` (`--port N` if not 8080) and hangs up with
//! `cargo run -p local -- hangup CA…`.

use std::path::PathBuf;
use std::sync::Arc;

use shared::store::Store;
use shared::store::dynamo::DynamoStore;
use shared::store::embedded::EmbeddedStore;

struct Args {
    data: PathBuf,
    port: u16,
    reset: bool,
    dynamodb: Option<String>,
    table: String,
    oidc_issuer: Option<String>,
    oidc_client_id: Option<String>,
}

const USAGE: &str = "usage: local [--data FILE] [--port N] [--reset] [--dynamodb URL [--table NAME]] \
                     [--oidc-issuer URL --oidc-client-id ID]";

fn args() -> Result<Args, String> {
    let mut a = Args {
        data: PathBuf::from("local-data/console.sqlite"),
        port: std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8080),
        reset: false,
        dynamodb: None,
        table: "console".to_owned(),
        oidc_issuer: None,
        oidc_client_id: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--data" => a.data = it.next().ok_or("--data needs a file path")?.into(),
            "--port" => a.port = it.next().and_then(|p| p.parse().ok()).ok_or("--port needs a number")?,
            "--reset" => a.reset = true,
            "--dynamodb" => a.dynamodb = Some(it.next().ok_or("--dynamodb needs the server's URL")?),
            "--table" => a.table = it.next().ok_or("--table needs a table name")?,
            "--oidc-issuer" => a.oidc_issuer = Some(it.next().ok_or("--oidc-issuer needs the provider's issuer URL")?),
            "--oidc-client-id" => {
                a.oidc_client_id = Some(it.next().ok_or("--oidc-client-id needs the page's client id")?)
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}; {USAGE}")),
        }
    }
    if a.reset && a.dynamodb.is_some() {
        return Err("--reset starts the embedded store again; to start a DynamoDB table again, delete it".into());
    }
    if a.oidc_issuer.is_some() != a.oidc_client_id.is_some() {
        return Err(
            "--oidc-issuer and --oidc-client-id go together: the provider and the page's client id there".into(),
        );
    }
    Ok(a)
}

/// `local call NUMBER [--to NUMBER] [--port N]` and `local hangup CALLSID [--port N]`: drive the
/// simulator of a console already running on this machine.
async fn simulator_command(command: &str, rest: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let usage = "usage: local call NUMBER [--to NUMBER] [--port N] | local hangup CALLSID [--port N]";
    let mut port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8080);
    let mut to = None;
    let mut target = None;
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--port" => port = it.next().and_then(|p| p.parse().ok()).ok_or(usage)?,
            "--to" => to = Some(it.next().ok_or(usage)?.clone()),
            other if target.is_none() => target = Some(other.to_owned()),
            _ => return Err(usage.into()),
        }
    }
    let target = target.ok_or(usage)?;
    let base = format!("http://127.0.0.1:{port}");
    let http = shared::tls::http_client().build()?;
    let response = if command == "call" {
        let body = serde_json::json!({ "from": target, "to": to });
        http.post(format!("{base}/sim/calls")).json(&body).send().await
    } else {
        http.post(format!("{base}/sim/calls/{target}/hangup")).send().await
    }
    .map_err(|e| format!("is the console running at {base}? {e}"))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(format!("the simulator said {status}: {text}").into());
    }
    if command == "call" {
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let field = |name: &str| v[name].as_str().unwrap_or_default().to_owned();
        println!("calling from {} to {}: {}", field("from"), field("to"), field("sid"));
        println!("hang up with: cargo run -p local -- hangup {}", field("sid"));
    } else {
        println!("hung up {target}");
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if let Some(command) = argv.first().filter(|c| matches!(c.as_str(), "call" | "hangup")) {
        return simulator_command(command, &argv[1..]).await;
    }
    shared::telemetry::init();
    let args = args()?;
    if let Some(dir) = args.data.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    if args.reset {
        for ext in ["sqlite", "sqlite-wal", "sqlite-shm", "secret"] {
            let _ = std::fs::remove_file(args.data.with_extension(ext));
        }
    }
    let store: Arc<dyn Store> = match &args.dynamodb {
        Some(url) => {
            let dynamo = DynamoStore::new(DynamoStore::client_from_env(Some(url)).await, &args.table);
            dynamo.ensure_table().await?;
            Arc::new(dynamo)
        }
        None => Arc::new(EmbeddedStore::open(&args.data)?),
    };
    let secret = local::dev_secret(&args.data)?;
    let sign_in = match (&args.oidc_issuer, &args.oidc_client_id) {
        (Some(issuer), Some(client_id)) => {
            local::SignIn::Oidc(Arc::new(local::oidc::OidcAuth::discover(issuer, client_id).await?))
        }
        _ => local::SignIn::Dev,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    let port = listener.local_addr()?.port();
    let url = format!("http://127.0.0.1:{port}");
    let app = local::build_full(
        store,
        secret,
        &local::default_static_dir(),
        &args.data.with_file_name("uploads"),
        &url,
        local::sim::SimConfig::default(),
        sign_in.clone(),
    )
    .await?;
    local::spawn_reconciler(app.control.clone(), local::RECONCILE_EVERY);
    println!("\nオペレータコンソール is running at {url}/");
    let data = match &args.dynamodb {
        Some(endpoint) => format!("table {} at {endpoint}", args.table),
        None => args.data.display().to_string(),
    };
    println!("  data: {data}   API description: {url}/api/openapi.json");
    match &sign_in {
        local::SignIn::Dev => {
            let token = app.auth.token_for_id("op-sato").unwrap_or_default();
            println!("  try:  curl -H 'Authorization: Bearer {token}' '{url}/api/crm/lookup?phone=03-1234-5678'");
        }
        local::SignIn::Oidc(provider) => println!(
            "  sign-in: at {} (the page's ID tokens are the API's bearer)",
            provider.issuer()
        ),
    }
    println!("  a simulated customer calls in:  cargo run -p local -- call 03-1234-5678 --port {port}\n");
    axum::serve(listener, app.router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
