//! Lookup and search latency on the embedded store at scale, and the store requests each makes.
//! `tests/bench crm [RECORDS…]` (default 100000). Figures are printed, never asserted: the
//! machine is shared and noisy, so compare runs side by side.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use shared::domain::Services;
use shared::domain::calls::{CallSummary, Direction};
use shared::domain::crm::NewRecord;
use shared::domain::history::Subject;
use shared::ids::{ObjectName, OperatorId};
use shared::phone::PhoneNumber;
use shared::store::counting::CountingStore;
use shared::store::embedded::EmbeddedStore;

const SURNAMES: [(&str, &str); 12] = [
    ("山田", "ヤマダ"),
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山本", "ヤマモト"),
];
const KINDS: [(&str, &str); 6] = [
    ("商事", "ショウジ"),
    ("製作所", "セイサクショ"),
    ("物産", "ブッサン"),
    ("工業", "コウギョウ"),
    ("電機", "デンキ"),
    ("運輸", "ウンユ"),
];

fn phone(i: usize) -> String {
    format!("03-{:04}-{:04}", 2000 + (i / 10_000) % 8000, i % 10_000)
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p) as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

async fn run(records: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let embedded = Arc::new(EmbeddedStore::open(&dir.path().join("bench.sqlite")).expect("store"));
    let counting = Arc::new(CountingStore::new(embedded));
    let services = Services::new(counting.clone());
    let account = ObjectName::parse("account").expect("object");
    let by = OperatorId::parse("bench").expect("id");
    let load = Instant::now();
    // Bulk import, 5,000 records a batch: the same record and index items `create` writes.
    let mut batch = Vec::with_capacity(5_000);
    for i in 0..records {
        let (sn, sk) = SURNAMES[i % SURNAMES.len()];
        let (kn, kk) = KINDS[(i / SURNAMES.len()) % KINDS.len()];
        let fields =
            json!({"name": format!("{sn}{kn}{i}号株式会社"), "name_kana": format!("{sk}{kk}{i}"), "phone": phone(i)});
        batch.push(NewRecord {
            fields: fields.as_object().cloned().unwrap_or_default(),
            account_id: None,
            contact_id: None,
            call_sid: None,
        });
        if batch.len() == 5_000 || i + 1 == records {
            services
                .crm
                .import(&account, std::mem::take(&mut batch), &by)
                .await
                .expect("import");
        }
    }
    let load = load.elapsed();
    println!(
        "\n## {records} accounts (each with a phone and ~{} search postings)",
        2 * 14
    );
    println!(
        "load: {:.1} s ({:.0} records/s)",
        load.as_secs_f64(),
        records as f64 / load.as_secs_f64()
    );

    let samples = 2000.min(records);
    let mut lookups = Vec::with_capacity(samples);
    counting.reset();
    for k in 0..samples {
        let i = (k * 7919) % records;
        let p = PhoneNumber::parse(&phone(i)).expect("phone");
        let t = Instant::now();
        let r = services.crm.lookup(&p).await.expect("lookup");
        lookups.push(t.elapsed());
        assert!(!r.accounts.is_empty());
    }
    let lookup_requests = counting.counts().total() as f64 / samples as f64;
    let queries = ["ヤマダショウジ", "やまだ", "山田商事", "ｻﾄｳｾｲｻｸｼｮ", "田中電機1234"];
    let mut searches = Vec::new();
    counting.reset();
    let mut hits = 0;
    for k in 0..(samples / 4).max(queries.len()) {
        let q = queries[k % queries.len()];
        let t = Instant::now();
        let r = services.crm.search(&account, q, 20, None).await.expect("search");
        searches.push(t.elapsed());
        hits += r.items.len();
    }
    let n_search = searches.len();
    let search_requests = counting.counts().total() as f64 / n_search as f64;
    println!("| path | p50 | p99 | store requests / call |");
    println!("|---|---|---|---|");
    println!(
        "| lookup by phone | {} | {} | {lookup_requests:.2} |",
        ms(percentile(lookups.clone(), 0.5)),
        ms(percentile(lookups, 0.99))
    );
    println!(
        "| search (kana, kanji, half-width) | {} | {} | {search_requests:.2} |",
        ms(percentile(searches.clone(), 0.5)),
        ms(percentile(searches, 0.99))
    );
    println!(
        "(search returned {:.1} hits per query on average; scans: 0)",
        hits as f64 / n_search as f64
    );
    history_of_a_busy_number(&services, &counting).await;
}

/// A number with 10,000 calls: its history read page by page (50 a page), newest first.
async fn history_of_a_busy_number(services: &Services, counting: &CountingStore) {
    const CALLS: usize = 10_000;
    let number = PhoneNumber::parse(&phone(0)).expect("phone");
    let start = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z").expect("time");
    let items: Vec<_> = (0..CALLS)
        .map(|i| {
            let at = (start + chrono::Duration::minutes(i as i64 * 37)).to_rfc3339();
            CallSummary::new(
                &format!("CA{i:032x}"),
                Direction::Inbound,
                Some(&number),
                None,
                "completed",
                at,
                None,
            )
            .to_item()
        })
        .collect();
    services.store.batch_write(items, Vec::new()).await.expect("calls");
    counting.reset();
    let subject = Subject::Phone(number);
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    let mut seen = 0;
    let mut newest_first = true;
    let mut last: Option<String> = None;
    loop {
        let t = Instant::now();
        let page = services
            .history
            .calls(&subject, 50, cursor.as_deref())
            .await
            .expect("history");
        pages.push(t.elapsed());
        for c in &page.items {
            newest_first &= last.as_ref().is_none_or(|l| c.call.started_at <= *l);
            last = Some(c.call.started_at.clone());
        }
        seen += page.items.len();
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let per_page = counting.counts().total() as f64 / pages.len() as f64;
    println!("\n| path | p50 | p99 | store requests / page |\n|---|---|---|---|");
    println!(
        "| history of a number with {CALLS} calls, 50 a page ({} pages, {seen} calls, newest first: {newest_first}) | {} | {} | {per_page:.2} |",
        pages.len(),
        ms(percentile(pages.clone(), 0.5)),
        ms(percentile(pages, 0.99))
    );
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.replace('_', "").parse().ok())
        .collect();
    let sizes = if sizes.is_empty() { vec![100_000] } else { sizes };
    println!("# CRM lookup and search on the embedded store (release build)");
    for n in sizes {
        run(n).await;
    }
}
