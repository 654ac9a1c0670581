//! `cargo run -p local`: the console on this machine, with demo data, at http://127.0.0.1:8080.
//!
//! Options: `--data FILE` (default `local-data/console.sqlite`), `--port N` (or `PORT`),
//! `--reset` to start again from fresh demo data.

use std::path::PathBuf;
use std::sync::Arc;

use shared::store::embedded::EmbeddedStore;

struct Args {
    data: PathBuf,
    port: u16,
    reset: bool,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        data: PathBuf::from("local-data/console.sqlite"),
        port: std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8080),
        reset: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--data" => a.data = it.next().ok_or("--data needs a file path")?.into(),
            "--port" => a.port = it.next().and_then(|p| p.parse().ok()).ok_or("--port needs a number")?,
            "--reset" => a.reset = true,
            "-h" | "--help" => return Err("usage: local [--data FILE] [--port N] [--reset]".into()),
            other => {
                return Err(format!(
                    "unknown argument {other}; usage: local [--data FILE] [--port N] [--reset]"
                ));
            }
        }
    }
    Ok(a)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
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
    let store = Arc::new(EmbeddedStore::open(&args.data)?);
    let secret = local::dev_secret(&args.data)?;
    let app = local::build(store, secret, &local::default_static_dir()).await?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    let url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
    let token = app.auth.token_for_id("op-sato").unwrap_or_default();
    println!("\nオペレータコンソール is running at {url}/");
    println!(
        "  data: {}   API description: {url}/api/openapi.json",
        args.data.display()
    );
    println!("  try:  curl -H 'Authorization: Bearer {token}' '{url}/api/crm/lookup?phone=03-1234-5678'\n");
    axum::serve(listener, app.router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
