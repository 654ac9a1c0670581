//! What a typical call costs to run: the whole console on loopback with the Twilio simulator, a
//! counting layer on the store and on the HTTP router, and one call the way an operator handles
//! it — an incoming call pops the customer up, the operator answers, opens the history tabs, types
//! the memo (saved while typing), holds once for half a minute, takes the customer off hold and
//! hangs up after five minutes of (simulated) talk.
//!
//! It prints the Lambda invocations per function (each request the API Gateway would route to a
//! function), their in-process durations, the store requests and the estimated DynamoDB capacity
//! units, and from those the infrastructure cost per 1,000 calls at list prices given on the
//! command line (defaults: US East list prices, 256 MB arm64 functions). Twilio's own charges
//! (minutes, numbers, recording) are not infrastructure and are not included.
//!
//! `tests/bench cost [--lambda-gb-s P] [--lambda-requests P] [--http-api P] [--rru P] [--wru P]`

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shared::store::counting::CountingStore;
use shared::store::embedded::EmbeddedStore;

/// The function that answers a path when deployed (the routes of `infra/functions.json`).
fn function_of(path: &str) -> Option<&'static str> {
    let f = [
        ("/twilio/", "voice"),
        ("/api/crm", "crm"),
        ("/api/history", "history"),
        ("/api/settings", "settings"),
        ("/api/memos", "memos"),
        ("/api/calls", "calls"),
        ("/api/handoffs", "calls"),
        ("/api/operators", "operators"),
        ("/api/monitor", "operators"),
        ("/api/token", "token"),
        ("/api/call-lists", "call-lists"),
    ];
    f.iter().find(|(p, _)| path.starts_with(p)).map(|(_, f)| *f)
}

#[derive(Default)]
struct Invocations {
    by_function: BTreeMap<&'static str, Vec<Duration>>,
}

struct Prices {
    gb_second: f64,
    per_million_requests: f64,
    http_api_per_million: f64,
    per_million_rru: f64,
    per_million_wru: f64,
    memory_gb: f64,
}

fn prices() -> Prices {
    let mut p = Prices {
        gb_second: 0.000_013_333_4,
        per_million_requests: 0.20,
        http_api_per_million: 1.00,
        per_million_rru: 0.125,
        per_million_wru: 0.625,
        memory_gb: 0.25,
    };
    let args: Vec<String> = std::env::args().collect();
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let mut v = || it.next().and_then(|v| v.parse::<f64>().ok());
        match a.as_str() {
            "--lambda-gb-s" => p.gb_second = v().unwrap_or(p.gb_second),
            "--lambda-requests" => p.per_million_requests = v().unwrap_or(p.per_million_requests),
            "--http-api" => p.http_api_per_million = v().unwrap_or(p.http_api_per_million),
            "--rru" => p.per_million_rru = v().unwrap_or(p.per_million_rru),
            "--wru" => p.per_million_wru = v().unwrap_or(p.per_million_wru),
            "--memory-mb" => p.memory_gb = v().map(|m| m / 1024.0).unwrap_or(p.memory_gb),
            _ => {}
        }
    }
    p
}

struct Console {
    url: String,
    http: reqwest::Client,
}

impl Console {
    async fn api(&self, token: &str, method: &str, path: &str, body: Option<Value>) -> Value {
        let mut r = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.url))
            .bearer_auth(token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let r = r.send().await.unwrap();
        let status = r.status();
        let v = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{method} {path}: {status} {v}");
        v
    }

    async fn sim(&self, method: &str, path: &str, body: Value) -> Value {
        let r = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{method} {path}: {}", r.status());
        r.json().await.unwrap_or(Value::Null)
    }
}

#[tokio::main]
async fn main() {
    let prices = prices();
    let dir = tempfile::tempdir().unwrap();
    let counting = Arc::new(CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // Pauses run at 1/100 of real time: five minutes of talk and the hold music loop pass quickly
    // while the simulator fetches wait and hold documents as often as Twilio would.
    let config = local::sim::SimConfig {
        default_answering: local::sim::Answering::Manual,
        pause_scale: 0.01,
        ..local::sim::SimConfig::default()
    };
    let app = local::build_with(counting.clone(), vec![7; 32], &dir.path().join("none"), &url, config)
        .await
        .unwrap();
    let auth = app.auth.clone();
    let calls = Arc::new(Mutex::new(Invocations::default()));
    let seen = calls.clone();
    let router = app.router.layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let seen = seen.clone();
            async move {
                let function = function_of(req.uri().path());
                let started = Instant::now();
                let response = next.run(req).await;
                if let Some(f) = function {
                    seen.lock()
                        .unwrap()
                        .by_function
                        .entry(f)
                        .or_default()
                        .push(started.elapsed());
                }
                response
            }
        },
    ));
    tokio::spawn(async move { axum::serve(listener, router).await });
    let c = Console {
        url,
        http: shared::tls::http_client().build().expect("an HTTP client"),
    };
    let sato = auth.token_for_id("op-sato").unwrap();

    // The operator's shift start is not part of a call: sign-in, token, status.
    c.sim("POST", "/sim/phones/op_sato", json!({})).await;
    c.api(&sato, "GET", "/api/settings", None).await;
    c.api(
        &sato,
        "PUT",
        "/api/operators/me/status",
        Some(json!({"status": "available"})),
    )
    .await;
    c.sim("POST", "/sim/wait", json!({"settled": true})).await;
    counting.reset();
    calls.lock().unwrap().by_function.clear();

    // The call.
    let started = c.sim("POST", "/sim/calls", json!({"from": "03-1234-5678"})).await;
    let sid = started["sid"].as_str().unwrap().to_owned();
    c.sim("POST", "/sim/wait", json!({"phone": "op_sato"})).await;
    c.sim("POST", "/sim/phones/op_sato/accept", json!({})).await;
    c.sim(
        "POST",
        "/sim/wait",
        json!({"conference": sid, "labels": ["customer", "operator"], "settled": true}),
    )
    .await;
    // The screen pop and the history tabs.
    let pop = c.api(&sato, "GET", "/api/crm/lookup?phone=%2B81312345678", None).await;
    let account = pop["accounts"][0]["record"]["id"].as_str().map(str::to_owned);
    c.api(&sato, "GET", "/api/calls/current", None).await;
    c.api(&sato, "GET", "/api/history/calls?phone=%2B81312345678", None)
        .await;
    if let Some(a) = &account {
        c.api(&sato, "GET", &format!("/api/history/records/inquiry?account={a}"), None)
            .await;
    }
    // The memo, saved while typing: about one save per 25 seconds of a five-minute call.
    let mut version = 0;
    let mut text = String::new();
    for i in 0..12 {
        text.push_str(&format!(
            "【お客様】ご相談内容その{i}。\n【オペレータ】ご案内しました。\n"
        ));
        let saved = c
            .api(
                &sato,
                "PUT",
                &format!("/api/memos/{sid}"),
                Some(json!({"version": version, "text": text, "response_status": "resolved"})),
            )
            .await;
        version = saved["version"].as_u64().unwrap();
        if i == 5 {
            // Half a minute on hold in the middle of the call.
            c.api(&sato, "POST", &format!("/api/calls/{sid}/hold"), None).await;
            c.sim("POST", "/sim/wait", json!({"call": sid, "held": true, "settled": true}))
                .await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            c.api(&sato, "POST", &format!("/api/calls/{sid}/unhold"), None).await;
            c.sim(
                "POST",
                "/sim/wait",
                json!({"call": sid, "held": false, "settled": true}),
            )
            .await;
        }
    }
    // The inquiry registered from the call.
    c.api(
        &sato,
        "POST",
        "/api/crm/objects/inquiry/records",
        Some(json!({"fields": {"subject": "ご相談", "category": "other", "status": "closed"}})),
    )
    .await;
    c.api(&sato, "POST", &format!("/api/calls/{sid}/hangup"), None).await;
    c.sim(
        "POST",
        "/sim/wait",
        json!({"call": sid, "status": "completed", "settled": true}),
    )
    .await;

    let counts = counting.counts();
    let rest = c.sim("GET", "/sim/requests", json!({})).await;
    let inv = std::mem::take(&mut *calls.lock().unwrap());
    let twilio_rest = rest.as_array().map(|a| a.len()).unwrap_or(0);

    println!("\nOne typical call (incoming, history opened, 12 memo saves, one hold, inquiry registered, hang-up)\n");
    println!("| function | invocations | p50 ms | max ms | billed GB-s |");
    println!("|---|---:|---:|---:|---:|");
    let mut invocations = 0usize;
    let mut gb_s = 0.0;
    for (f, ds) in &inv.by_function {
        let mut ms: Vec<f64> = ds.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
        // Lambda bills each invocation rounded up to the millisecond.
        let billed: f64 = ms.iter().map(|m| m.ceil().max(1.0) / 1000.0 * prices.memory_gb).sum();
        invocations += ms.len();
        gb_s += billed;
        println!(
            "| {f} | {} | {:.2} | {:.2} | {:.5} |",
            ms.len(),
            ms[ms.len() / 2],
            ms[ms.len() - 1],
            billed
        );
    }
    println!(
        "\nstore: {} requests ({} reads, {} writes/transactions), ≈ {} read units, ≈ {} write units, 0 scans; Twilio REST requests: {twilio_rest}",
        counts.total(),
        counts.gets + counts.batch_gets + counts.queries,
        counts.puts + counts.updates + counts.deletes + counts.transactions + counts.batch_writes,
        counts.read_units,
        counts.write_units,
    );
    let per_call = invocations as f64 * prices.per_million_requests / 1e6
        + gb_s * prices.gb_second
        + invocations as f64 * prices.http_api_per_million / 1e6
        + counts.read_units as f64 * prices.per_million_rru / 1e6
        + counts.write_units as f64 * prices.per_million_wru / 1e6;
    println!("\nCost per 1,000 calls (USD):");
    println!(
        "| part | per 1,000 calls |\n|---|---:|\n| Lambda requests ({invocations} per call × ${}/M) | {:.4} |",
        prices.per_million_requests,
        invocations as f64 * prices.per_million_requests / 1e3
    );
    println!(
        "| Lambda duration ({gb_s:.5} GB-s per call at {:.0} MB, ${}/GB-s) | {:.4} |",
        prices.memory_gb * 1024.0,
        prices.gb_second,
        gb_s * prices.gb_second * 1e3
    );
    println!(
        "| HTTP API requests (${}/M) | {:.4} |",
        prices.http_api_per_million,
        invocations as f64 * prices.http_api_per_million / 1e3
    );
    println!(
        "| DynamoDB on-demand reads (${}/M RRU) and writes (${}/M WRU) | {:.4} |",
        prices.per_million_rru,
        prices.per_million_wru,
        (counts.read_units as f64 * prices.per_million_rru + counts.write_units as f64 * prices.per_million_wru) / 1e3
    );
    println!("| **total** | **{:.4}** |", per_call * 1e3);
    println!(
        "\nAssumptions: durations are this machine's in-process handler times (deployed, add the network\n\
         round trips to DynamoDB: ~2–5 ms per store request), 256 MB arm64, US East list prices (override\n\
         with --lambda-gb-s, --lambda-requests, --http-api, --rru, --wru, --memory-mb), free tiers ignored,\n\
         storage, logs and CloudFront not included; the supervisor board's polling is per supervisor, not per call."
    );
}
