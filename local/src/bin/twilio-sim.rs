//! `twilio-sim`: the Twilio simulator on its own, for the deploy rehearsal (`tests/rehearse`),
//! where the functions run as deployed and Twilio is the only part that cannot be real.
//!
//! It answers Twilio's REST API (`/2010-04-01/...`), the simulator's own API (`/sim/...`) and the
//! softphone WebSocket (`/sim/phone`) on `127.0.0.1:PORT`, and sends its signed webhooks to the
//! API's public URL (`--public-url`, e.g. `https://abc123.execute-api.ap-northeast-1.amazonaws.com`),
//! which `--resolve HOST=IP:PORT` points at the rehearsal's front door and `--ca FILE` makes
//! trusted. Once listening it prints one JSON line on stdout: its URL and the account's
//! credentials (what an admin would copy from the Twilio Console into the secret).
//!
//! usage: twilio-sim [--port N] --public-url URL [--resolve HOST=IP:PORT]… [--ca FILE]
//!        [--default-to E164]

use std::net::SocketAddr;
use std::time::Duration;

use local::sim::{SimAccount, SimConfig, Simulator};

const USAGE: &str =
    "usage: twilio-sim [--port N] --public-url URL [--resolve HOST=IP:PORT]... [--ca FILE] [--default-to E164]";

struct Args {
    port: u16,
    public_url: String,
    resolve: Vec<(String, SocketAddr)>,
    ca: Option<String>,
    default_to: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut port = 0;
    let mut public_url = None;
    let mut resolve = Vec::new();
    let mut ca = None;
    let mut default_to = None;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value; {USAGE}"));
        match arg.as_str() {
            "--port" => {
                port = value()?
                    .parse()
                    .map_err(|_| format!("--port needs a number; {USAGE}"))?
            }
            "--public-url" => public_url = Some(value()?),
            "--resolve" => {
                let v = value()?;
                let (host, addr) = v
                    .split_once('=')
                    .ok_or(format!("--resolve takes HOST=IP:PORT, got {v}"))?;
                let addr = addr
                    .parse()
                    .map_err(|_| format!("--resolve takes HOST=IP:PORT, got {v}"))?;
                resolve.push((host.to_owned(), addr));
            }
            "--ca" => ca = Some(value()?),
            "--default-to" => default_to = Some(value()?),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}; {USAGE}")),
        }
    }
    Ok(Args {
        port,
        public_url: public_url.ok_or(format!("--public-url is required; {USAGE}"))?,
        resolve,
        ca,
        default_to,
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    shared::telemetry::init();
    let args = args()?;
    let mut http = match &args.ca {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| format!("--ca {path}: {e}"))?;
            shared::tls::http_client_also_trusting(&pem).map_err(|e| format!("--ca {path}: {e}"))?
        }
        None => shared::tls::http_client(),
    }
    .timeout(Duration::from_secs(15));
    for (host, addr) in &args.resolve {
        http = http.resolve(host, *addr);
    }
    let seed: Vec<u8> = (0..32).map(|_| rand::random::<u8>()).collect();
    let account = SimAccount::from_seed(&seed);
    let mut config = SimConfig::default();
    if let Some(to) = args.default_to {
        config.default_to = to;
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let sim = Simulator::with_http(account.clone(), &args.public_url, config, http.build()?);
    let app = local::sim::rest::routes(sim.clone()).merge(local::sim::api::routes(sim));
    println!(
        "{}",
        serde_json::json!({
            "url": url,
            "account_sid": account.account_sid,
            "api_key_sid": account.api_key_sid,
            "api_key_secret": account.api_key_secret,
            "auth_token": account.auth_token,
            "twiml_app_sid": account.twiml_app_sid,
        })
    );
    axum::serve(listener, app).await?;
    Ok(())
}
