//! What a typical call costs to run: the whole console on loopback with the Twilio simulator, a
//! counting layer on the store and on the HTTP router, and one call the way an operator handles
//! it — an incoming call pops the customer up, the operator answers, opens the history tabs, types
//! the memo (saved while typing, at the page's cadence), holds once for half a minute, takes the customer off hold and
//! hangs up after five minutes of (simulated) talk.
//!
//! It prints the Lambda invocations per function (each request that reaches a function: the page's
//! through the HTTP API, Twilio's webhooks at the voice function's own function URL, as
//! `infra/functions.json` deploys them), their in-process durations, the store requests and the estimated DynamoDB capacity
//! units, and from those the infrastructure cost per 1,000 calls at list prices given on the
//! command line (defaults: US East list prices, 256 MB arm64 functions). Twilio's own charges
//! (minutes, numbers, recording) are not infrastructure and are not included.
//!
//! It also prices the live channel's share of the call: the table's stream records the push
//! function is invoked for (writes of the items whose keys start with the event source mapping's
//! filters, `live.stream.watchedKeyPrefixes` of `infra/functions.json`), the messages it posts to
//! the pages that hear them (mapped from each write by `shared::push::changes`, as deployed), and
//! the operator's connection minutes, at the WebSocket API's list prices.
//!
//! `tests/bench cost [--lambda-gb-s P] [--lambda-requests P] [--http-api P] [--rru P] [--wru P]
//! [--ws-messages P] [--ws-minutes P] [--boards N] [--push-ms MS] [--memo-pause-ms MS]
//! [--memo-gap-ms MS] [--memo-max-unsaved-ms MS] [--detail]`; `--detail` also
//! lists the requests by route and the store requests by kind of item.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use local::live::feed::ChangeFeed;
use serde_json::{Value, json};
use shared::push::Audience;
use shared::store::counting::CountingStore;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Cond, Item, Key, Page, Query, Store, StoreError, TxOp, Update};

/// The table's stream as the push function's event source mapping sees it: every successful
/// write of an item whose partition key starts with one of the mapping's filter prefixes is a
/// record the function is invoked for (an upper bound: DynamoDB writes no record for a write
/// that changed nothing).
struct StreamTap {
    inner: Arc<dyn Store>,
    prefixes: Vec<String>,
    records: AtomicU64,
}

impl StreamTap {
    fn heard<'a>(&self, keys: impl IntoIterator<Item = &'a Key>) {
        let n = keys
            .into_iter()
            .filter(|k| self.prefixes.iter().any(|p| k.pk.starts_with(p.as_str())))
            .count();
        self.records.fetch_add(n as u64, Ordering::Relaxed);
    }
}

#[async_trait]
impl Store for StreamTap {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.inner.get_many(keys).await
    }
    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        let key = Key::of(&item);
        self.inner.put(item, cond).await?;
        self.heard(key.iter());
        Ok(())
    }
    async fn update(&self, key: &Key, update: Update, cond: Option<Cond>) -> Result<Item, StoreError> {
        let new = self.inner.update(key, update, cond).await?;
        self.heard([key]);
        Ok(new)
    }
    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
        self.inner.delete(key, cond).await?;
        self.heard([key]);
        Ok(())
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        let keys: Vec<Key> = ops
            .iter()
            .filter_map(|op| match op {
                TxOp::Put { item, .. } => Key::of(item),
                TxOp::Update { key, .. } | TxOp::Delete { key, .. } => Some(key.clone()),
                TxOp::Check { .. } => None,
            })
            .collect();
        self.inner.transact(ops).await?;
        self.heard(keys.iter());
        Ok(())
    }
    async fn batch_write(&self, puts: Vec<Item>, deletes: Vec<Key>) -> Result<(), StoreError> {
        let keys: Vec<Key> = puts.iter().filter_map(Key::of).chain(deletes.iter().cloned()).collect();
        self.inner.batch_write(puts, deletes).await?;
        self.heard(keys.iter());
        Ok(())
    }
}

/// Every store request of the call by kind and the kind of item it touched (`--detail`): where
/// the read and write units go, as the counting store reckons them.
#[derive(Default)]
struct Ledger {
    /// Per kind of request: how many, and the capacity units they used in halves of a unit (an
    /// eventually consistent read of 4 KB is half a read unit).
    rows: Mutex<BTreeMap<String, (u64, u64)>>,
    /// The same by the request that made them: (route, store request) → (how many, half units).
    by_route: Mutex<BTreeMap<(String, String), (u64, u64)>>,
}

tokio::task_local! {
    /// The route of the request whose handler is running (set by the counting middleware), so
    /// the ledger can say which request made each store request.
    static ROUTE: String;
}

impl Ledger {
    fn note(&self, what: String, half_units: u64) {
        let route = ROUTE
            .try_with(Clone::clone)
            .unwrap_or_else(|_| "(outside a request: background work)".to_owned());
        let mut by_route = self.by_route.lock().unwrap();
        let row = by_route.entry((route, what.clone())).or_default();
        row.0 += 1;
        row.1 += half_units;
        let mut rows = self.rows.lock().unwrap();
        let row = rows.entry(what).or_default();
        row.0 += 1;
        row.1 += half_units;
    }
}

/// The messages the push function posts, by audience (each to every connection of it).
#[derive(Default, Clone, Copy)]
struct Pushed {
    to_user: u64,
    to_board: u64,
    to_all: u64,
    /// Stream records that made at least one message (each needs the audiences read).
    with_messages: u64,
    /// Audiences read (a Query of their connections each).
    audience_reads: u64,
}

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

/// The functions Twilio calls at their own Lambda function URL (`functionUrl` in
/// `infra/functions.json`): their requests are Lambda requests only, no HTTP API request.
fn served_at_function_urls() -> Vec<String> {
    let catalog: Value =
        serde_json::from_str(include_str!("../../infra/functions.json")).expect("infra/functions.json is JSON");
    catalog["functions"]
        .as_array()
        .expect("infra/functions.json lists the functions")
        .iter()
        .filter(|f| f.get("functionUrl").is_some())
        .map(|f| f["name"].as_str().expect("a function has a name").to_owned())
        .collect()
}

/// The event source mapping's filters: `live.stream.watchedKeyPrefixes` of `infra/functions.json`.
fn watched_key_prefixes() -> Vec<String> {
    let catalog: Value =
        serde_json::from_str(include_str!("../../infra/functions.json")).expect("infra/functions.json is JSON");
    catalog["live"]["stream"]["watchedKeyPrefixes"]
        .as_array()
        .expect("infra/functions.json names the live channel's watched key prefixes")
        .iter()
        .map(|p| p.as_str().expect("a prefix is a string").to_owned())
        .collect()
}

/// The push function's memory (`live.functions.push.memoryMb` of `infra/functions.json`), in GB.
fn push_memory_gb() -> f64 {
    let catalog: Value =
        serde_json::from_str(include_str!("../../infra/functions.json")).expect("infra/functions.json is JSON");
    catalog["live"]["functions"]["push"]["memoryMb"]
        .as_f64()
        .unwrap_or(256.0)
        / 1024.0
}

#[derive(Default)]
struct Invocations {
    by_function: BTreeMap<&'static str, Vec<Duration>>,
    /// Requests by method and path (call sids and ids written as `…`).
    by_route: BTreeMap<String, u64>,
}

/// A request's route as a person reads it: the method and the path with its ids left out.
fn route_of(method: &str, path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .map(|p| {
            if p.len() >= 20 || p.starts_with("CA") && p.len() > 10 {
                "…"
            } else {
                p
            }
        })
        .collect();
    format!("{method} {}", parts.join("/"))
}

struct Prices {
    gb_second: f64,
    per_million_requests: f64,
    http_api_per_million: f64,
    per_million_rru: f64,
    per_million_wru: f64,
    memory_gb: f64,
    /// API Gateway WebSocket: per million messages (32 KB each) and per million connection minutes.
    ws_per_million_messages: f64,
    ws_per_million_minutes: f64,
    /// Supervisors' boards open while the call runs, each hearing its board messages.
    boards: f64,
    /// The push function's billed duration per invocation (read the audiences, post the frames).
    push_ms: f64,
}

fn prices() -> Prices {
    let mut p = Prices {
        gb_second: 0.000_013_333_4,
        per_million_requests: 0.20,
        http_api_per_million: 1.00,
        per_million_rru: 0.125,
        per_million_wru: 0.625,
        memory_gb: 0.25,
        ws_per_million_messages: 1.00,
        ws_per_million_minutes: 0.25,
        boards: 1.0,
        push_ms: 30.0,
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
            "--ws-messages" => p.ws_per_million_messages = v().unwrap_or(p.ws_per_million_messages),
            "--ws-minutes" => p.ws_per_million_minutes = v().unwrap_or(p.ws_per_million_minutes),
            "--boards" => p.boards = v().unwrap_or(p.boards),
            "--push-ms" => p.push_ms = v().unwrap_or(p.push_ms),
            _ => {}
        }
    }
    p
}

/// How the page saves the memo while the operator types: `static-ui/src/state/memo.ts`'s
/// `MEMO_PAUSE_MS` (a pause in typing this long saves), `MEMO_SAVE_GAP_MS` (but not sooner than
/// this after the save before; the first pause of a call at once) and `MEMO_MAX_UNSAVED_MS`
/// (typing that goes on is saved at least this often), read from that file unless
/// `--memo-pause-ms`, `--memo-gap-ms` or `--memo-max-unsaved-ms` says otherwise (to price another
/// cadence with the same typing: the page's former one is `--memo-pause-ms 300 --memo-gap-ms 0
/// --memo-max-unsaved-ms 5000`).
struct Cadence {
    pause_ms: u64,
    gap_ms: u64,
    max_unsaved_ms: u64,
}

fn page_cadence() -> Cadence {
    let page = include_str!("../../static-ui/src/state/memo.ts");
    let constant = |name: &str| -> Option<u64> {
        let at = page.find(&format!("export const {name} = "))?;
        let digits: String = page[at..]
            .split('=')
            .nth(1)?
            .chars()
            .skip_while(|c| c.is_whitespace())
            .take_while(|c| c.is_ascii_digit() || *c == '_')
            .filter(|c| *c != '_')
            .collect();
        digits.parse().ok()
    };
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| args.windows(2).find(|p| p[0] == name).and_then(|p| p[1].parse().ok());
    Cadence {
        pause_ms: flag("--memo-pause-ms")
            .or_else(|| constant("MEMO_PAUSE_MS"))
            .expect("memo.ts defines MEMO_PAUSE_MS (or --memo-pause-ms is given)"),
        gap_ms: flag("--memo-gap-ms")
            .or_else(|| constant("MEMO_SAVE_GAP_MS"))
            .expect("memo.ts defines MEMO_SAVE_GAP_MS (or --memo-gap-ms is given)"),
        max_unsaved_ms: flag("--memo-max-unsaved-ms")
            .or_else(|| constant("MEMO_MAX_UNSAVED_MS"))
            .expect("memo.ts defines MEMO_MAX_UNSAVED_MS (or --memo-max-unsaved-ms is given)"),
    }
}

/// How long the operator types each of the call's twelve notes (seconds), with [`LISTEN_S`] of
/// listening between two notes: about 4 minutes 40 of a five-minute call.
const NOTE_SECONDS: [u64; 12] = [9, 14, 6, 18, 11, 7, 16, 10, 13, 8, 20, 12];
const LISTEN_S: u64 = 12;
/// A change of the memo while typing this often: a keystroke, those of an IME composition
/// included (each is an input event of the memo box), five a second.
const CHANGE_EVERY_MS: u64 = 200;
/// The customer is held after this note.
const HOLD_AFTER_NOTE: usize = 5;
/// The operator chooses 対応ステータス this long after the last keystroke of the last note, as
/// the customer says goodbye (a save at once); then registers the inquiry and hangs up, with
/// nothing typed in between (their flushes find nothing to save).
const STATUS_AFTER_MS: u64 = 1000;

fn note_text(i: usize) -> String {
    format!("【お客様】ご相談内容その{i}。\n【オペレータ】ご案内しました。\n")
}

/// One save of the memo: the note being typed, the text sent, and whether it is the save of
/// 対応ステータス chosen (the saves before carry none).
struct MemoSave {
    note: usize,
    text: String,
    with_status: bool,
}

/// When the page's next save is due (`memoSaveDue` of memo.ts): a pause in typing, but not
/// sooner than the gap after the last save sent (the first pause at once); typing that goes
/// on, the longest it keeps a change unsaved.
fn save_due(c: &Cadence, last_change: u64, last_sent: Option<u64>, unsaved_since: u64) -> u64 {
    let paused = (last_change + c.pause_ms).max(last_sent.map_or(0, |t| t + c.gap_ms));
    paused.min(unsaved_since + c.max_unsaved_ms)
}

/// The memo saves of the call, in order: the page's cadence run over the typing of
/// [`NOTE_SECONDS`], then the save of 対応ステータス chosen after the last note.
fn memo_saves(cadence: &Cadence) -> Vec<MemoSave> {
    // Every change: when, which note, how much of it is typed.
    let mut changes = Vec::new();
    let mut at = 0;
    for (note, seconds) in NOTE_SECONDS.iter().enumerate() {
        let n = (seconds * 1000 / CHANGE_EVERY_MS).max(1);
        for k in 1..=n {
            changes.push((at + k * CHANGE_EVERY_MS, note, k as f64 / n as f64));
        }
        at += seconds * 1000 + LISTEN_S * 1000;
    }
    let text_at = |note: usize, typed: f64| {
        let mut text: String = (0..note).map(note_text).collect();
        let current = note_text(note);
        let chars = (current.chars().count() as f64 * typed).round() as usize;
        text.extend(current.chars().take(chars));
        text
    };
    let mut saves = Vec::new();
    let mut last_sent: Option<u64> = None;
    // The change not yet sent: the oldest one's time, the last one's time and what it typed.
    let mut unsaved: Option<(u64, u64, usize, f64)> = None;
    let status_at = changes.last().map_or(0, |c| c.0) + STATUS_AFTER_MS;
    for (t, note, typed) in changes.into_iter().chain([(status_at, usize::MAX, 0.0)]) {
        if let Some((since, last, n, f)) = unsaved {
            let due = save_due(cadence, last, last_sent, since);
            if due <= t {
                saves.push(MemoSave {
                    note: n,
                    text: text_at(n, f),
                    with_status: false,
                });
                last_sent = Some(due);
                unsaved = None;
            }
        }
        if note == usize::MAX {
            // 対応ステータス chosen: saved at once with all that is typed.
            let last = NOTE_SECONDS.len() - 1;
            saves.push(MemoSave {
                note: last,
                text: text_at(last, 1.0),
                with_status: true,
            });
            break;
        }
        let since = unsaved.map_or(t, |u| u.0);
        unsaved = Some((since, t, note, typed));
    }
    saves
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
    // embedded ← the change feed (what the push function makes of each write) ← the stream tap
    // (what its event source mapping invokes it for) ← the counting store the console uses: the
    // feed's own reads of old and new images are not the console's and are not counted.
    let feed = Arc::new(ChangeFeed::new(Arc::new(EmbeddedStore::in_memory().unwrap())));
    let tap = Arc::new(StreamTap {
        inner: feed.clone(),
        prefixes: watched_key_prefixes(),
        records: AtomicU64::new(0),
    });
    let ledger = Arc::new(Ledger::default());
    let noted = ledger.clone();
    let counting =
        Arc::new(CountingStore::new(tap.clone()).noting(Arc::new(move |what, halves| noted.note(what, halves))));
    let pushed = Arc::new(Mutex::new(Pushed::default()));
    {
        let mut rx = feed.subscribe();
        let pushed = pushed.clone();
        tokio::spawn(async move {
            while let Ok(batch) = rx.recv().await {
                let mut p = pushed.lock().unwrap();
                p.with_messages += 1;
                let mut audiences = std::collections::HashSet::new();
                for d in batch.iter() {
                    audiences.insert(d.audience.pk());
                    match d.audience {
                        Audience::User(_) => p.to_user += 1,
                        Audience::Board => p.to_board += 1,
                        Audience::All => p.to_all += 1,
                    }
                }
                p.audience_reads += audiences.len() as u64;
            }
        });
    }
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
                let route = route_of(req.method().as_str(), req.uri().path());
                let started = Instant::now();
                let response = ROUTE.scope(route.clone(), next.run(req)).await;
                if let Some(f) = function {
                    let mut seen = seen.lock().unwrap();
                    seen.by_function.entry(f).or_default().push(started.elapsed());
                    *seen.by_route.entry(route).or_default() += 1;
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
    {
        let mut calls = calls.lock().unwrap();
        calls.by_function.clear();
        calls.by_route.clear();
    }
    tap.records.store(0, Ordering::Relaxed);
    ledger.rows.lock().unwrap().clear();
    ledger.by_route.lock().unwrap().clear();
    *pushed.lock().unwrap() = Pushed::default();

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
    // The screen pop, which brings the history's calls tab with it (as the page asks), and the
    // records tab.
    let pop = c
        .api(&sato, "GET", "/api/crm/lookup?phone=%2B81312345678&calls=20", None)
        .await;
    assert!(pop["calls"]["items"].is_array(), "the pop brings the calls tab: {pop}");
    let account = pop["accounts"][0]["record"]["id"].as_str().map(str::to_owned);
    c.api(&sato, "GET", "/api/calls/current", None).await;
    if let Some(a) = &account {
        c.api(&sato, "GET", &format!("/api/history/records/inquiry?account={a}"), None)
            .await;
    }
    // The memo, saved as the page saves it while the operator types (see `memo_saves`).
    let cadence = page_cadence();
    let saves = memo_saves(&cadence);
    let mut version = 0;
    let mut held = false;
    for MemoSave {
        note,
        text,
        with_status,
    } in &saves
    {
        if *note > HOLD_AFTER_NOTE && !held {
            // Half a minute on hold in the middle of the call.
            held = true;
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
        let saved = c
            .api(
                &sato,
                "PUT",
                &format!("/api/memos/{sid}"),
                Some(if *with_status {
                    json!({"version": version, "text": text, "response_status": "resolved", "changes_status": true})
                } else {
                    json!({"version": version, "text": text})
                }),
            )
            .await;
        version = saved["version"].as_u64().unwrap();
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

    println!(
        "\nOne typical call (incoming, the screen pop with its calls tab, the records tab opened, the memo typed in {} notes and saved {} times by the page's\n\
         cadence: a pause of {} ms saves, not sooner than {} ms after the save before (the first at once), typing that\n\
         goes on at least every {} ms; 対応ステータス chosen after the last note, a save at once; one hold, inquiry\n\
         registered, hang-up with nothing left to save)\n",
        NOTE_SECONDS.len(),
        saves.len(),
        cadence.pause_ms,
        cadence.gap_ms,
        cadence.max_unsaved_ms,
    );
    println!("| function | invocations | p50 ms | max ms | billed GB-s |");
    println!("|---|---:|---:|---:|---:|");
    let at_urls = served_at_function_urls();
    let mut invocations = 0usize;
    // Of which at a function URL (Twilio's webhooks): no HTTP API request.
    let mut at_url = 0usize;
    let mut gb_s = 0.0;
    for (f, ds) in &inv.by_function {
        let mut ms: Vec<f64> = ds.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
        // Lambda bills each invocation rounded up to the millisecond.
        let billed: f64 = ms.iter().map(|m| m.ceil().max(1.0) / 1000.0 * prices.memory_gb).sum();
        invocations += ms.len();
        if at_urls.iter().any(|u| u == f) {
            at_url += ms.len();
        }
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
    if std::env::args().any(|a| a == "--detail") {
        println!("\n| request | per call |\n|---|---:|");
        for (route, n) in &inv.by_route {
            println!("| {route} | {n} |");
        }
        println!(
            "\n| store request (item: partition/sort key kind; reads eventually consistent unless marked) | per call | ≈ units |\n|---|---:|---:|"
        );
        for (what, (n, halves)) in ledger.rows.lock().unwrap().iter() {
            println!("| {what} | {n} | {:.1} |", *halves as f64 / 2.0);
        }
        println!("\n| request (route) | store request | per call | ≈ units |\n|---|---|---:|---:|");
        for ((route, what), (n, halves)) in ledger.by_route.lock().unwrap().iter() {
            println!("| {route} | {what} | {n} | {:.1} |", *halves as f64 / 2.0);
        }
    }
    let through_api = invocations - at_url;
    let per_call = invocations as f64 * prices.per_million_requests / 1e6
        + gb_s * prices.gb_second
        + through_api as f64 * prices.http_api_per_million / 1e6
        + counts.read_units as f64 * prices.per_million_rru / 1e6
        + counts.write_units as f64 * prices.per_million_wru / 1e6;
    // The same call had Twilio's webhooks gone through the HTTP API as well (as deployed before
    // they were served at the function URL).
    let per_call_all_through_api = per_call + at_url as f64 * prices.http_api_per_million / 1e6;
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
        "| HTTP API requests (the page's {through_api} per call × ${}/M; Twilio's {at_url} webhooks reach {} at its function URL: Lambda requests only) | {:.4} |",
        prices.http_api_per_million,
        at_urls.join(", "),
        through_api as f64 * prices.http_api_per_million / 1e3
    );
    println!(
        "| DynamoDB on-demand reads (${}/M RRU) and writes (${}/M WRU) | {:.4} |",
        prices.per_million_rru,
        prices.per_million_wru,
        (counts.read_units as f64 * prices.per_million_rru + counts.write_units as f64 * prices.per_million_wru) / 1e3
    );
    println!("| **total** | **{:.4}** |", per_call * 1e3);
    println!(
        "| (before: Twilio's {at_url} webhooks through the HTTP API too, {:.4} more) | ({:.4}) |",
        at_url as f64 * prices.http_api_per_million / 1e3,
        per_call_all_through_api * 1e3
    );

    // The memo's share: its saves' requests, durations and store units.
    {
        let memo_ms: Vec<f64> = inv
            .by_function
            .get("memos")
            .map(|ds| ds.iter().map(|d| d.as_secs_f64() * 1000.0).collect())
            .unwrap_or_default();
        let requests = memo_ms.len() as f64;
        let memo_gb_s: f64 = memo_ms
            .iter()
            .map(|m| m.ceil().max(1.0) / 1000.0 * prices.memory_gb)
            .sum();
        let (mut read_halves, mut write_halves, mut store_requests) = (0u64, 0u64, 0u64);
        for ((route, what), (n, halves)) in ledger.by_route.lock().unwrap().iter() {
            if !route.starts_with("PUT /api/memos") {
                continue;
            }
            store_requests += n;
            if what.starts_with("get") || what.starts_with("query") || what.starts_with("batch get") {
                read_halves += halves;
            } else {
                write_halves += halves;
            }
        }
        let parts = [
            requests * (prices.per_million_requests + prices.http_api_per_million) / 1e3,
            memo_gb_s * prices.gb_second * 1e3,
            read_halves as f64 / 2.0 * prices.per_million_rru / 1e3,
            write_halves as f64 / 2.0 * prices.per_million_wru / 1e3,
        ];
        println!(
            "\nThe memo's share: {} saves (PUT /api/memos), {store_requests} store requests, ≈ {:.1} read units, ≈ {:.1} write units\n\
             | requests (Lambda + HTTP API) | duration | reads | writes | **memo total** |\n|---:|---:|---:|---:|---:|\n\
             | {:.4} | {:.4} | {:.4} | {:.4} | **{:.4}** |",
            saves.len(),
            read_halves as f64 / 2.0,
            write_halves as f64 / 2.0,
            parts[0],
            parts[1],
            parts[2],
            parts[3],
            parts.iter().sum::<f64>(),
        );
    }

    // The live channel's share of the same call.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let records = tap.records.load(Ordering::Relaxed) as f64;
    let p = *pushed.lock().unwrap();
    let call_minutes = 5.0;
    // Each message goes to every connection of its audience: the operator's own page, every open
    // board, and (settings) every page — one operator and the boards during this call.
    let messages = p.to_user as f64 + p.to_board as f64 * prices.boards + p.to_all as f64 * (1.0 + prices.boards);
    let push_gb_s = records * (prices.push_ms.ceil() / 1000.0) * push_memory_gb();
    let live_parts = [
        (
            format!(
                "push invocations ({records:.0} stream records per call × ${}/M)",
                prices.per_million_requests
            ),
            records * prices.per_million_requests / 1e3,
        ),
        (
            format!(
                "push duration ({push_gb_s:.5} GB-s: {:.0} ms each at 256 MB)",
                prices.push_ms
            ),
            push_gb_s * prices.gb_second * 1e3,
        ),
        (
            format!(
                "audience reads ({} Queries of connections, ≈ 1 RRU each, ${}/M RRU)",
                p.audience_reads, prices.per_million_rru
            ),
            p.audience_reads as f64 * prices.per_million_rru / 1e3,
        ),
        (
            format!(
                "WebSocket messages ({messages:.0}: {} to the operator, {} × {} board(s), {} to everyone; ${}/M)",
                p.to_user, p.to_board, prices.boards, p.to_all, prices.ws_per_million_messages
            ),
            messages * prices.ws_per_million_messages / 1e3,
        ),
        (
            format!(
                "connection minutes (the operator's page for the {call_minutes:.0}-minute call, ${}/M)",
                prices.ws_per_million_minutes
            ),
            call_minutes * prices.ws_per_million_minutes / 1e3,
        ),
    ];
    println!("\nThe live channel's share of the call (per 1,000 calls, USD):");
    println!("| part | per 1,000 calls |\n|---|---:|");
    let mut live_total = 0.0;
    for (part, cost) in &live_parts {
        live_total += cost;
        println!("| {part} | {cost:.4} |");
    }
    println!("| **live channel total** | **{live_total:.4}** |");
    println!(
        "| **call with the live channel** | **{:.4}** |",
        per_call * 1e3 + live_total
    );
    println!(
        "\nLive-channel assumptions: one stream record per write of a watched item ({} stream records of\n\
         which {} made messages), each its own push invocation (an upper bound: records a quarter second\n\
         apart share a batch), {:.0} ms billed per invocation (--push-ms); {} board(s) open\n\
         (--boards); WebSocket messages of under 32 KB, ${}/M, connection minutes ${}/M (--ws-messages,\n\
         --ws-minutes, US East list prices); the stream's reads by Lambda are free; $connect, subscribe,\n\
         $disconnect and pings are per page and shift, not per call; a board's connection minutes are\n\
         per supervisor, not per call.",
        records,
        p.with_messages,
        prices.push_ms,
        prices.boards,
        prices.ws_per_million_messages,
        prices.ws_per_million_minutes,
    );
    println!(
        "\nAssumptions: durations are this machine's in-process handler times (deployed, add the network\n\
         round trips to DynamoDB: ~2–5 ms per store request), 256 MB arm64, US East list prices (override\n\
         with --lambda-gb-s, --lambda-requests, --http-api, --rru, --wru, --memory-mb), free tiers ignored,\n\
         storage, logs and CloudFront not included; the supervisor board's polling is per supervisor, not per call.\n\
         Capacity units as an on-demand table bills them (shared/src/store/counting.rs): item sizes as DynamoDB\n\
         counts them, a write billed on the larger of the item before and after, doubled in a transaction, and\n\
         one more write in each global secondary index the item is in (both project ALL), two when it moves there.\n\
         Where requests go: the page's through the HTTP API (an API request each, beside the Lambda request);\n\
         Twilio's webhooks at the Lambda function URL of {} (infra/functions.json functionUrl: the Lambda\n\
         request only; before, they went through CloudFront and the HTTP API, priced on the line in brackets).\n\
         The memo: {} notes typed for {} s in all (a change every {} ms), {} s of listening between two notes,\n\
         saved by the page's cadence ({} ms pause, {} ms gap, {} ms at most unsaved: --memo-pause-ms, --memo-gap-ms,\n\
         --memo-max-unsaved-ms price another; the former 300/0/5000), 対応ステータス chosen {} ms after the last note.",
        at_urls.join(", "),
        NOTE_SECONDS.len(),
        NOTE_SECONDS.iter().sum::<u64>(),
        CHANGE_EVERY_MS,
        LISTEN_S,
        cadence.pause_ms,
        cadence.gap_ms,
        cadence.max_unsaved_ms,
        STATUS_AFTER_MS,
    );
}
