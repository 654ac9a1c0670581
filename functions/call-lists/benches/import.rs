//! CSV import into a call list on the embedded store: 50,000 rows (or the count given) sent as
//! the page sends them, in chunks of 2,000 rows through the router, once as UTF-8 and once as
//! Shift_JIS, with 10,000 CRM accounts for the numbers to link to. Prints rows/s, chunk latency
//! and store requests per chunk; never asserted. `tests/bench call-lists [ROWS]`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use shared::auth::Role;
use shared::domain::Services;
use shared::domain::crm::NewRecord;
use shared::ids::{ObjectName, OperatorId};
use shared::store::counting::CountingStore;
use shared::store::embedded::EmbeddedStore;
use shared::testing::{call, json_request, signed_in};

const CHUNK_ROWS: usize = 2_000;
const CRM_ACCOUNTS: usize = 10_000;

fn phone(i: usize) -> String {
    format!("03-{:04}-{:04}", 2000 + (i / 10_000) % 8000, i % 10_000)
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p) as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The file's rows cut into chunks of whole lines, as the page cuts them.
fn chunks(file: &[u8]) -> Vec<(u64, Vec<u8>)> {
    let mut out = Vec::new();
    let (mut line, mut start, mut count) = (1u64, 0usize, 0usize);
    for (i, b) in file.iter().enumerate() {
        if *b == b'\n' {
            count += 1;
            if count == CHUNK_ROWS {
                out.push((line, file[start..=i].to_vec()));
                line += count as u64;
                (start, count) = (i + 1, 0);
            }
        }
    }
    if start < file.len() {
        out.push((line, file[start..].to_vec()));
    }
    out
}

async fn admin(app: &axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    call(app, signed_in(req, "bench-admin", Role::Admin)).await
}

async fn import(app: &axum::Router, counting: &CountingStore, label: &str, file: &[u8], rows: usize) {
    let (_, list) = admin(
        app,
        json_request(
            "POST",
            "/api/call-lists",
            &json!({"name": format!("bench {label}"), "line_id": "sales"}),
        ),
    )
    .await;
    let list = list["id"].as_str().expect("list").to_owned();
    let (_, imp) = admin(
        app,
        json_request(
            "POST",
            &format!("/api/call-lists/{list}/imports"),
            &json!({"columns": ["会社名", "担当者", "電話番号", "備考"],
                    "mapping": {"phone": "電話番号", "account": "会社名", "contact": "担当者", "notes": "備考"}}),
        ),
    )
    .await;
    let imp = imp["id"].as_str().expect("import").to_owned();
    let before = counting.counts();
    let mut latencies = Vec::new();
    let started = Instant::now();
    let mut last = Value::Null;
    let parts = chunks(file);
    let n = parts.len();
    for (first_line, bytes) in parts {
        let req = Request::builder()
            .method("POST")
            .uri(format!(
                "/api/call-lists/{list}/imports/{imp}/chunks?first_line={first_line}"
            ))
            .header("content-type", "text/csv")
            .body(Body::from(bytes))
            .expect("request");
        let t = Instant::now();
        let (status, body) = admin(app, req).await;
        latencies.push(t.elapsed());
        assert_eq!(status, StatusCode::OK, "{body}");
        last = body;
    }
    let elapsed = started.elapsed();
    let after = counting.counts();
    let requests = after.total() - before.total();
    let imported = last["import"]["rows_imported"].as_u64().unwrap_or(0);
    println!(
        "| {label} | {rows} | {imported} | {} | {:.0} | {} | {} | {:.0} |",
        last["import"]["rows_linked"],
        imported as f64 / elapsed.as_secs_f64(),
        ms(percentile(latencies.clone(), 0.5)),
        ms(percentile(latencies, 0.95)),
        requests as f64 / n as f64,
    );
}

#[tokio::main]
async fn main() {
    let rows: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(50_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let counting = Arc::new(CountingStore::new(Arc::new(
        EmbeddedStore::open(&dir.path().join("bench.sqlite")).expect("store"),
    )));
    let services = Services::new(counting.clone());
    services
        .settings
        .put_section(
            "lines",
            0,
            json!([{"id": "sales", "number": "050-3000-1234", "label": "営業部"}]),
        )
        .await
        .expect("lines");
    let account = ObjectName::parse("account").expect("object");
    let by = OperatorId::parse("bench").expect("id");
    let mut batch = Vec::new();
    // Every fifth row's number belongs to a CRM account.
    for i in (0..CRM_ACCOUNTS * 5).step_by(5) {
        let fields = json!({"name": format!("既存顧客{i}株式会社"), "phone": phone(i)});
        batch.push(NewRecord {
            fields: fields.as_object().cloned().unwrap_or_default(),
            account_id: None,
            contact_id: None,
            call_sid: None,
        });
        if batch.len() == 5_000 {
            services
                .crm
                .import(&account, std::mem::take(&mut batch), &by)
                .await
                .expect("crm");
        }
    }
    if !batch.is_empty() {
        services.crm.import(&account, batch, &by).await.expect("crm");
    }
    let app = call_lists::router(services);

    let mut file = String::from("会社名,担当者,電話番号,備考\n");
    for i in 0..rows {
        file.push_str(&format!(
            "株式会社見込み{i},営業部 担当{i},{},展示会で名刺交換\n",
            phone(i)
        ));
    }
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&file);
    println!("CSV import on the embedded store: {rows} rows in chunks of {CHUNK_ROWS}, {CRM_ACCOUNTS} CRM accounts");
    println!("| file | rows | imported | linked to CRM | rows/s | chunk p50 | chunk p95 | store requests / chunk |");
    println!("|---|---|---|---|---|---|---|---|");
    import(&app, &counting, "UTF-8", file.as_bytes(), rows).await;
    import(&app, &counting, "Shift_JIS", &sjis, rows).await;
}
