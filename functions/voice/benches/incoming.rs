//! The incoming-call webhook in-process: latency (signature check, CRM lookup, record and
//! queue, TwiML) and store requests per call, on the embedded store with 1,000 accounts.
//! Printed, never asserted. `tests/bench voice`.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use serde_json::json;
use shared::domain::Services;
use shared::domain::crm::NewRecord;
use shared::ids::{ObjectName, OperatorId};
use shared::store::counting::CountingStore;
use shared::store::embedded::EmbeddedStore;
use shared::twilio::AccountSid;
use shared::twilio::signature::{WebhookValidator, compute_signature};
use shared::twilio::telephony::RecordingTelephony;
use tower::ServiceExt;

const TOKEN: &str = "bench-auth-token";
const BASE: &str = "https://voice.example.jp";

fn request(n: usize) -> Request<Body> {
    let params: Vec<(String, String)> = [
        ("AccountSid", "AC0123456789abcdef0123456789abcdef".to_owned()),
        ("ApiVersion", "2010-04-01".to_owned()),
        ("CallSid", format!("CA{n:032x}")),
        ("CallStatus", "ringing".to_owned()),
        ("Direction", "inbound".to_owned()),
        ("From", format!("+8136{:07}", n % 1000)),
        ("To", "+81368000001".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let sig = compute_signature(TOKEN, &format!("{BASE}/twilio/voice/incoming"), &params);
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter())
        .finish();
    Request::post("/twilio/voice/incoming")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", sig)
        .body(Body::from(body))
        .expect("request")
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let counting = Arc::new(CountingStore::new(Arc::new(
        EmbeddedStore::open(&dir.path().join("b.sqlite")).expect("store"),
    )));
    let services = Services::new(counting.clone());
    let account = ObjectName::parse("account").expect("object");
    let by = OperatorId::parse("bench").expect("id");
    for i in 0..1000 {
        let fields = json!({"name": format!("ベンチ商事{i}"), "phone": format!("+8136{i:07}")})
            .as_object()
            .cloned()
            .unwrap_or_default();
        services
            .crm
            .create(
                &account,
                NewRecord {
                    fields,
                    account_id: None,
                    contact_id: None,
                    call_sid: None,
                },
                &by,
            )
            .await
            .expect("seed");
    }
    let twilio = Arc::new(RecordingTelephony::new(
        AccountSid::parse("AC0123456789abcdef0123456789abcdef").expect("sid"),
    ));
    let control = shared::control::CallControl::new(services.clone(), twilio.clone(), BASE);
    let app = voice::router(voice::VoiceState::new(
        control,
        WebhookValidator::new(TOKEN.to_owned().into()),
    ));
    let _ = app.clone().oneshot(request(1_000_000)).await;
    counting.reset();
    let n = 3000;
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        let resp = app.clone().oneshot(request(i)).await.expect("response");
        assert!(resp.status().is_success());
        times.push(t.elapsed());
    }
    times.sort();
    let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize].as_secs_f64() * 1000.0;
    println!("# incoming-call webhook, in-process, embedded store, 1,000 accounts, {n} calls");
    println!("| p50 | p90 | p99 | store requests / call | REST requests |");
    println!("|---|---|---|---|---|");
    println!(
        "| {:.3} ms | {:.3} ms | {:.3} ms | {:.2} | {} |",
        pct(0.5),
        pct(0.9),
        pct(0.99),
        counting.counts().total() as f64 / n as f64,
        twilio.requests().len()
    );
}
