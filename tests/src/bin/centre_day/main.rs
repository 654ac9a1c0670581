//! A centre's day as a load and fault run: the local runtime's router (the same `local::build`
//! the `local` binary serves) on a loopback port, on the embedded store or on a DynamoDB-compatible
//! server (Amazon's DynamoDB Local, started by `tests/centre-day`), with the Twilio simulator
//! inside sending signed webhooks over HTTP. Operators and supervisors sign in with the dev
//! sign-in and make the page's requests (presence every 5 s, the live call every second while
//! on a call, the board every 1.5 s, memo saves while typing); simulated customers call in with
//! bursts, operators dial out and work a call list, consult, transfer (warm, cold, with the
//! screen), supervisors listen, whisper and barge in; the store goes down for a while, callbacks
//! are dropped beyond Twilio's retries, throttled, duplicated and reordered, and a tab is
//! closed mid-call. At the end it prints a table and fails (exit 1) on calls lost, calls
//! double-assigned, operators stuck, memos lost, records unfindable by search and 5xx answered
//! to the page outside the outage.
//!
//! Time inside a call is compressed: a centre's call of about 5 minutes lasts `--talk` seconds
//! here, and the 2-minute bound for an operator to be free after their call really ended is
//! compressed by the same factor (never below 5 s, the page's presence poll).

mod actors;
mod probe;
mod stats;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shared::store::Store;

use probe::Probe;
use stats::{Outages, Stats};

/// A centre's typical call, which `--talk` compresses.
const REAL_CALL_S: f64 = 300.0;
/// The bound, in a real centre, for an operator to be free after their call ended.
const REAL_FREE_BOUND_S: f64 = 120.0;
/// How long an operator's softphone rings (the call-handling setting the day runs with).
pub const RING_TIMEOUT_S: u32 = 10;
/// How long a customer is held with nobody before the call heals itself (the setting; 5 s at
/// least, so not compressed).
pub const ORPHAN_HOLD_S: u32 = 10;

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum StoreKind {
    Embedded,
    Dynamo { url: String, table: String },
}

/// The run's settings, from the command line.
#[derive(Debug, Clone)]
pub struct Config {
    pub operators: usize,
    pub supervisors: usize,
    pub calls: usize,
    pub store: StoreKind,
    /// Real seconds over which calls arrive.
    pub day_s: f64,
    /// Talk time range, seconds.
    pub talk: (f64, f64),
    /// How long callers wait before hanging up, seconds.
    pub patience: (f64, f64),
    /// How long the store is down.
    pub outage_s: f64,
    /// The longest wait the console allows (its setting, 30 s at least).
    pub max_wait_s: u32,
    pub seed: u64,
}

const USAGE: &str = "usage: centre_day [--short] [--operators N] [--supervisors N] [--calls N] \
    [--store embedded|dynamodb-local] [--dynamodb-url URL] [--table NAME] [--day-seconds S] \
    [--talk MIN,MAX] [--patience MIN,MAX] [--outage-seconds S] [--max-wait S] [--seed N]";

impl Config {
    /// The full day: 200 operators, 20 supervisors, 3,000 calls.
    fn full() -> Self {
        Self {
            operators: 200,
            supervisors: 20,
            calls: 3000,
            store: StoreKind::Embedded,
            day_s: 600.0,
            talk: (12.0, 36.0),
            patience: (40.0, 150.0),
            outage_s: 120.0,
            max_wait_s: 90,
            seed: 17,
        }
    }

    /// CI's day: short, but 60 operators on calls at once and a board of more than 100 keys.
    fn short() -> Self {
        Self {
            operators: 70,
            supervisors: 5,
            calls: 340,
            day_s: 90.0,
            talk: (12.0, 30.0),
            patience: (20.0, 60.0),
            outage_s: 12.0,
            max_wait_s: 45,
            ..Self::full()
        }
    }

    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut c = if args.iter().any(|a| a == "--short") {
            Self::short()
        } else {
            Self::full()
        };
        let mut store = "embedded".to_owned();
        let mut url = None;
        let mut table = "centre-day".to_owned();
        let mut it = args.iter();
        let num = |v: Option<&String>, name: &str| -> Result<f64, String> {
            v.and_then(|s| s.parse::<f64>().ok())
                .filter(|n| n.is_finite() && *n >= 0.0)
                .ok_or(format!("{name} needs a number"))
        };
        let range = |v: Option<&String>, name: &str| -> Result<(f64, f64), String> {
            let s = v.ok_or(format!("{name} needs MIN,MAX"))?;
            let (a, b) = s.split_once(',').ok_or(format!("{name} needs MIN,MAX, got {s}"))?;
            match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(a), Ok(b)) if a > 0.0 && a <= b => Ok((a, b)),
                _ => Err(format!("{name} needs 0 < MIN <= MAX, got {s}")),
            }
        };
        while let Some(a) = it.next() {
            match a.as_str() {
                "--short" => {}
                "--operators" => c.operators = num(it.next(), a)? as usize,
                "--supervisors" => c.supervisors = num(it.next(), a)? as usize,
                "--calls" => c.calls = num(it.next(), a)? as usize,
                "--store" => store = it.next().ok_or("--store needs embedded or dynamodb-local")?.clone(),
                "--dynamodb-url" => url = Some(it.next().ok_or("--dynamodb-url needs a URL")?.clone()),
                "--table" => table = it.next().ok_or("--table needs a name")?.clone(),
                "--day-seconds" => c.day_s = num(it.next(), a)?,
                "--talk" => c.talk = range(it.next(), a)?,
                "--patience" => c.patience = range(it.next(), a)?,
                "--outage-seconds" => c.outage_s = num(it.next(), a)?,
                "--max-wait" => c.max_wait_s = num(it.next(), a)? as u32,
                "--seed" => c.seed = num(it.next(), a)? as u64,
                "-h" | "--help" => return Err(USAGE.into()),
                other => return Err(format!("unknown argument {other}; {USAGE}")),
            }
        }
        c.store = match store.as_str() {
            "embedded" => StoreKind::Embedded,
            "dynamodb-local" | "dynamodb" => StoreKind::Dynamo {
                url: url.ok_or("--store dynamodb-local needs --dynamodb-url (tests/centre-day starts one)")?,
                table,
            },
            other => return Err(format!("--store {other}: use embedded or dynamodb-local")),
        };
        if c.operators < 4 || c.calls == 0 || c.day_s < 10.0 {
            return Err("at least 4 operators, 1 call and a 10-second day".into());
        }
        if !(30..=3600).contains(&c.max_wait_s) {
            return Err("--max-wait is the console's setting: 30 to 3600 seconds".into());
        }
        Ok(c)
    }

    /// How much time inside a call is compressed.
    pub fn compression(&self) -> f64 {
        REAL_CALL_S / ((self.talk.0 + self.talk.1) / 2.0)
    }

    /// How soon an operator must be free after their call really ended.
    pub fn free_bound(&self) -> Duration {
        Duration::from_secs_f64((REAL_FREE_BOUND_S / self.compression()).max(5.0))
    }

    /// What the console adds for an operator whose leg left the customer alone: the customer is
    /// held for [`ORPHAN_HOLD_S`] (time for 再接続), the check runs at the next hold-music fetch
    /// or reconciliation run, and the operator's ring-back rings for [`RING_TIMEOUT_S`] before
    /// the call goes back in line and the operator is let go.
    pub fn reconnect_grace(&self) -> Duration {
        Duration::from_secs((ORPHAN_HOLD_S + RING_TIMEOUT_S) as u64) + self.reconcile_timing().0
    }

    /// The reconciliation's schedule (every minute, deployed) and the time a call may be believed
    /// live before Twilio is asked about it, compressed as the free bound is: the product's
    /// promise, an end applied within the bound however its callbacks were lost, is checked at
    /// the run's speed.
    pub fn reconcile_timing(&self) -> (Duration, chrono::Duration) {
        let scale = self.free_bound().as_secs_f64() / REAL_FREE_BOUND_S;
        let period = Duration::from_secs_f64(local::RECONCILE_EVERY.as_secs_f64() * scale);
        let live = shared::control::reconcile::LIVE_BOUND_SECONDS as f64 * scale;
        (period, chrono::Duration::milliseconds((live * 1000.0) as i64))
    }
}

/// The API path as a route: ids replaced by `{id}`, webhooks by their kind.
pub fn route_of(method: &str, path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    let shown: Vec<String> = if path.starts_with("/twilio/voice/") && segments.len() > 4 {
        segments[..4]
            .iter()
            .map(|s| s.to_string())
            .chain(["…".to_owned()])
            .collect()
    } else {
        segments
            .iter()
            .map(|s| {
                let id = s.len() >= 20 || s.chars().any(|c| c.is_ascii_digit() || c.is_ascii_uppercase());
                if id { "{id}".to_owned() } else { s.to_string() }
            })
            .collect()
    };
    format!("{method} {}", shown.join("/"))
}

/// A customer's call as the run follows it.
#[derive(Debug, Default, Clone)]
pub struct CallTrack {
    pub from: String,
    pub outbound: bool,
    pub started: Option<Instant>,
    /// When an operator first talked with the customer.
    pub answered: Option<Instant>,
    /// The caller hung up, tired of waiting.
    pub abandoned: bool,
    /// Operators who took a fresh offer of this call, with when their leg was connected and ended.
    pub takers: Vec<(String, Instant, Option<Instant>)>,
}

/// Something the run found wrong, with what to look at.
#[derive(Debug, Clone)]
pub struct Failure {
    pub check: &'static str,
    pub detail: String,
}

/// Everything the actors share.
pub struct Day {
    pub cfg: Config,
    pub base: String,
    pub http: reqwest::Client,
    pub sim: local::sim::Simulator,
    pub probe: Arc<Probe>,
    pub stats: Stats,
    pub outages: Outages,
    pub started: Instant,
    /// No new calls arrive; operators finish and stop.
    pub closing: AtomicBool,
    /// Everyone stops.
    pub over: AtomicBool,
    pub calls: Mutex<HashMap<String, CallTrack>>,
    /// Per call, the memo as last typed and who typed it.
    pub memos: Mutex<HashMap<String, String>>,
    /// Per call, the memo saves refused for good (status, when, the answer), to say why a memo
    /// was lost.
    pub memo_refused: Mutex<HashMap<String, Vec<String>>>,
    /// Per call, memos a page's outbox keeps as 競合 for its operator to settle (another
    /// operator saved the call's memo since): kept on that page, not lost.
    pub memo_conflicts: Mutex<HashMap<String, Vec<String>>>,
    /// Inquiry records created, with the word they can be found by and their call.
    pub records: Mutex<Vec<(String, String, String)>>,
    pub failures: Mutex<Vec<Failure>>,
    /// Seconds from a call's real end to the operator being free, per operator leg.
    pub free_delays: Mutex<Vec<f64>>,
    /// Memos the pages' outboxes are still trying to store after their call.
    pub memo_outbox: AtomicUsize,
    /// Operators currently on a call (for the "at once" figure) and the most at once.
    pub on_call: AtomicUsize,
    pub most_on_call: AtomicUsize,
    /// Counters of what happened, by name.
    pub counts: Mutex<BTreeMap<String, u64>>,
    /// Operators whose tab is to close during their current call.
    pub close_tab: Mutex<HashSet<String>>,
    pub operators: Mutex<Vec<actors::Person>>,
    pub supervisors: Mutex<Vec<actors::Person>>,
    pub call_list: Mutex<Option<String>>,
    /// The admin's token, for the checks at the end.
    pub admin: Mutex<String>,
    /// The console's main line, which callers dial.
    pub line: Mutex<String>,
}

/// An API answer.
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Day {
    pub fn count(&self, what: impl Into<String>) {
        *self.counts.lock().unwrap().entry(what.into()).or_default() += 1;
    }

    pub fn fail(&self, check: &'static str, detail: String) {
        self.failures.lock().unwrap().push(Failure { check, detail });
    }

    pub fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// A request as the page makes it, timed and recorded by route. Like the page's client
    /// (`static-ui/src/api/client.ts`), a 429 or 503 is tried again when repeating it cannot do
    /// anything twice (a read, a write carrying its version, a status set again, a hang-up): at
    /// most three tries, waiting with full jitter up to 0.5 s then 1 s, or as `Retry-After`
    /// says, 8 s in all at most. Every answer is recorded, the retried ones too.
    pub async fn api(&self, token: &str, method: &str, path: &str, body: Option<Value>) -> Answer {
        let repeatable = method == "GET"
            || body.as_ref().is_some_and(|b| b["version"].is_number())
            || (method == "PUT" && path == "/api/operators/me/status")
            || (method == "POST" && path.starts_with("/api/calls/") && path.ends_with("/hangup"));
        let mut waited = 0.0;
        let mut n = 0;
        loop {
            let (answer, retry_after) = self.api_once(token, method, path, body.as_ref()).await;
            n += 1;
            if !repeatable || !matches!(answer.status, 429 | 503) || n >= 3 {
                return answer;
            }
            let wait = retry_after.unwrap_or_else(|| rand::random::<f64>() * 0.5 * f64::from(1 << (n - 1)));
            if waited + wait > 8.0 {
                return answer;
            }
            waited += wait;
            tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        }
    }

    /// One try of a request; the answer with its `Retry-After` in seconds.
    async fn api_once(&self, token: &str, method: &str, path: &str, body: Option<&Value>) -> (Answer, Option<f64>) {
        let route = route_of(method, path.split('?').next().unwrap_or(path));
        let mut r = self
            .http
            .request(method.parse().expect("a method"), format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            r = r.json(b);
        }
        let sent = Instant::now();
        let (status, retry_after, text) = match r.send().await {
            Ok(resp) => {
                let s = resp.status().as_u16();
                let after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<f64>().ok());
                (s, after, resp.text().await.unwrap_or_default())
            }
            Err(e) => (0, None, format!("no answer: {e}")),
        };
        let answered = Instant::now();
        self.stats.record(&route, status, sent, answered, &text);
        let answer = Answer {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        };
        (answer, retry_after)
    }

    /// A request to the simulator's or the sign-in API (not counted as the page's).
    pub async fn raw(&self, method: &str, path: &str, body: Value) -> Answer {
        let r = self
            .http
            .request(method.parse().expect("a method"), format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await;
        match r {
            Ok(resp) => {
                let status = resp.status().as_u16();
                Answer {
                    status,
                    body: resp.json().await.unwrap_or(Value::Null),
                }
            }
            Err(e) => Answer {
                status: 0,
                body: json!({"error": e.to_string()}),
            },
        }
    }
}

async fn open_store(cfg: &Config, dir: &std::path::Path) -> Result<Arc<dyn Store>, Box<dyn std::error::Error>> {
    Ok(match &cfg.store {
        StoreKind::Embedded => Arc::new(shared::store::embedded::EmbeddedStore::open(
            &dir.join("console.sqlite"),
        )?),
        StoreKind::Dynamo { url, table } => {
            let dynamo = shared::store::dynamo::DynamoStore::new(
                shared::store::dynamo::DynamoStore::client_from_env(Some(url)).await,
                table,
            );
            dynamo.ensure_table().await?;
            Arc::new(dynamo)
        }
    })
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match Config::parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    match runtime.block_on(run(cfg)) {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(e) => {
            eprintln!("centre-day could not run: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn run(cfg: Config) -> Result<bool, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = open_store(&cfg, dir.path()).await?;
    let probe = Arc::new(Probe::new(store));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = local::build_with(
        probe.clone(),
        local::dev_secret(&dir.path().join("console.sqlite"))?,
        &dir.path().join("no-page"),
        &base,
        local::sim::SimConfig {
            default_answering: local::sim::Answering::After { ring_ms: 800 },
            pause_scale: 1.0,
            // Twilio sends different calls' callbacks side by side: in one line, each would
            // wait behind every other call's, seconds on DynamoDB Local (answers landing after
            // the operator acted, ends after the bound), which no deployed console sees.
            callback_lanes: true,
            ..local::sim::SimConfig::default()
        },
    )
    .await?;
    let router = app
        .router
        .layer(axum::middleware::from_fn_with_state(probe.clone(), Probe::middleware));
    let sim = app.sim.clone();
    let control = app.control.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });

    let http = shared::tls::http_client()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(512)
        .build()?;
    let day = Arc::new(Day {
        cfg: cfg.clone(),
        base,
        http,
        sim,
        probe,
        stats: Stats::default(),
        outages: Outages::default(),
        started: Instant::now(),
        closing: AtomicBool::new(false),
        over: AtomicBool::new(false),
        calls: Mutex::default(),
        memos: Mutex::default(),
        memo_refused: Mutex::default(),
        memo_conflicts: Mutex::default(),
        records: Mutex::default(),
        failures: Mutex::default(),
        free_delays: Mutex::default(),
        memo_outbox: AtomicUsize::new(0),
        on_call: AtomicUsize::new(0),
        most_on_call: AtomicUsize::new(0),
        counts: Mutex::default(),
        close_tab: Mutex::default(),
        operators: Mutex::default(),
        supervisors: Mutex::default(),
        call_list: Mutex::default(),
        admin: Mutex::default(),
        line: Mutex::default(),
    });
    let store_name = match &cfg.store {
        StoreKind::Embedded => "embedded store".to_owned(),
        StoreKind::Dynamo { url, .. } => format!("DynamoDB-compatible server at {url}"),
    };
    println!(
        "centre-day: {} operators, {} supervisors, {} calls over {:.0} s on the {store_name}; talk {:.0}–{:.0} s \
         (a 5-minute call compressed {:.1}×: an operator must be free {:.1} s after their call ended)",
        cfg.operators,
        cfg.supervisors,
        cfg.calls,
        cfg.day_s,
        cfg.talk.0,
        cfg.talk.1,
        cfg.compression(),
        cfg.free_bound().as_secs_f64()
    );
    let (reconcile_every, live_bound) = cfg.reconcile_timing();
    println!(
        "  the reconciliation runs every {:.1} s and asks about calls believed live for {:.1} s \
         (the deployed schedule's minute and {} s, compressed)",
        reconcile_every.as_secs_f64(),
        live_bound.num_milliseconds() as f64 / 1000.0,
        shared::control::reconcile::LIVE_BOUND_SECONDS
    );
    spawn_reconciler(day.clone(), control, reconcile_every, live_bound);

    actors::set_up(&day).await?;
    let setup_s = day.elapsed();
    println!("  set up in {setup_s:.1} s: users invited and signed in, a call list imported");

    let mut people = Vec::new();
    for p in day.operators.lock().unwrap().clone() {
        people.push(tokio::spawn(actors::operator(day.clone(), p)));
    }
    for p in day.supervisors.lock().unwrap().clone() {
        people.push(tokio::spawn(actors::supervisor(day.clone(), p)));
    }
    let faults = tokio::spawn(actors::faults(day.clone()));
    let customers = tokio::spawn(actors::customers(day.clone()));
    customers.await?;
    day.closing.store(true, Ordering::SeqCst);
    faults.await?;
    // Operators finish their calls; then everyone stops.
    let drain_until = Instant::now() + Duration::from_secs_f64(cfg.talk.1 + 20.0) + cfg.free_bound() * 2;
    while Instant::now() < drain_until && live_customers(&day) > 0 {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(cfg.free_bound() + Duration::from_secs(2)).await;
    day.over.store(true, Ordering::SeqCst);
    for p in people {
        let _ = p.await;
    }
    // The pages' outboxes store what they kept (their back-off is at most a minute).
    let outbox_until = Instant::now() + Duration::from_secs(90);
    while day.memo_outbox.load(Ordering::SeqCst) > 0 && Instant::now() < outbox_until {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let left = day.memo_outbox.load(Ordering::SeqCst);
    if left > 0 {
        day.count(format!("memos still in an outbox at the end ({left})"));
    }
    let settled = day.sim.settle(Duration::from_secs(20)).await;
    if !settled {
        day.count("webhooks still in flight at the end");
    }
    actors::check_at_end(&day).await;
    Ok(report(&day))
}

/// The local runtime's reconciliation timer (`local::spawn_reconciler`) at the run's speed, until
/// the day is over; what it applied is counted.
fn spawn_reconciler(day: Arc<Day>, control: shared::control::CallControl, every: Duration, live: chrono::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        while !day.over.load(Ordering::SeqCst) {
            tick.tick().await;
            let began = day.elapsed();
            match control.reconcile_within(chrono::Utc::now(), live).await {
                Ok(r) => {
                    for _ in &r.ended {
                        day.count("call ends applied by the reconciliation");
                    }
                    for _ in &r.corrected {
                        day.count("rooms the reconciliation found otherwise than the store (lost leaves, holds)");
                    }
                    if !r.ended.is_empty() || !r.corrected.is_empty() {
                        // How soon a lost end is applied depends on how long a run takes.
                        println!(
                            "    {began:>5.1} s  reconciliation: of {} calls asked about, {} found ended and {} rooms \
                             corrected, applied in {:.1} s",
                            r.asked,
                            r.ended.len(),
                            r.corrected.len(),
                            day.elapsed() - began
                        );
                    }
                }
                Err(_) => day.count("reconciliation runs that failed (tried again next run)"),
            }
        }
    });
}

/// Customers still on a call the console placed or answered.
fn live_customers(day: &Day) -> usize {
    let sids: Vec<String> = day.calls.lock().unwrap().keys().cloned().collect();
    sids.iter().filter(|s| actors::customer_live(day, s)).count()
}

fn report(day: &Day) -> bool {
    let calls = day.calls.lock().unwrap().clone();
    let counts = day.counts.lock().unwrap().clone();
    let failures = day.failures.lock().unwrap().clone();
    let by_check = |check: &str| failures.iter().filter(|f| f.check == check).count();
    let mut free = day.free_delays.lock().unwrap().clone();
    free.sort_by(|a, b| a.total_cmp(b));
    let incoming = calls.values().filter(|c| !c.outbound).count();
    let answered = calls.values().filter(|c| !c.outbound && c.answered.is_some()).count();
    let abandoned = calls.values().filter(|c| !c.outbound && c.abandoned).count();
    let outbound = calls.values().filter(|c| c.outbound).count();
    let errors = day.stats.errors();
    let grace = Duration::from_secs(2);
    let inside = errors
        .iter()
        .filter(|e| day.outages.covers(e.sent, e.answered, grace))
        .count();

    println!("\n== centre-day: {:.0} s ==", day.elapsed());
    let rows: Vec<(&str, String)> = vec![
        ("incoming calls", incoming.to_string()),
        ("  answered", answered.to_string()),
        ("  abandoned by the caller", abandoned.to_string()),
        (
            "  sent to the goodbye",
            counts.get("goodbye").copied().unwrap_or(0).to_string(),
        ),
        ("outbound and call-list calls", outbound.to_string()),
        (
            "most operators on calls at once",
            day.most_on_call.load(Ordering::SeqCst).to_string(),
        ),
        ("lost", by_check("lost").to_string()),
        ("double-assigned", by_check("double-assigned").to_string()),
        (
            "operators stuck",
            format!(
                "{} (bound {:.1} s)",
                by_check("stuck"),
                day.cfg.free_bound().as_secs_f64()
            ),
        ),
        (
            "free after the call ends p50 / p99 / max",
            format!(
                "{:.1} / {:.1} / {:.1} s",
                stats::percentile(&free, 0.5),
                stats::percentile(&free, 0.99),
                free.last().copied().unwrap_or(0.0)
            ),
        ),
        ("memos lost", by_check("memo lost").to_string()),
        ("records unfindable", by_check("unfindable").to_string()),
        ("5xx to the page outside the outage", by_check("5xx").to_string()),
        ("5xx to the page inside the outage", inside.to_string()),
        ("store requests refused by the outage", day.probe.refused().to_string()),
    ];
    for (k, v) in &rows {
        println!("  {k:<42} {v}");
    }
    println!("\n  what happened:");
    for (k, v) in &counts {
        println!("    {k:<56} {v}");
    }

    println!(
        "\n  {:<52} {:>7} {:>8} {:>8} {:>6} {:>6} {:>9} {:>7} {:>7} {:>8}",
        "route (page requests; webhooks from the simulator)",
        "n",
        "p50 ms",
        "p99 ms",
        "4xx",
        "5xx",
        "store/req",
        "max",
        "batch",
        "tx lost"
    );
    let by_path = day.probe.by_path();
    let mut seen = HashSet::new();
    for (route, n, p50, p99, c4, c5) in day.stats.table() {
        let s = by_path.get(&route).cloned().unwrap_or_default();
        seen.insert(route.clone());
        let per = if s.requests > 0 {
            s.store_ops as f64 / s.requests as f64
        } else {
            0.0
        };
        println!(
            "  {route:<52} {n:>7} {p50:>8.1} {p99:>8.1} {c4:>6} {c5:>6} {per:>9.2} {:>7} {:>7} {:>8}",
            s.max_ops, s.largest_batch, s.refused_tx
        );
    }
    for (route, s) in &by_path {
        if seen.contains(route) || s.requests == 0 {
            continue;
        }
        // A webhook: the console's own time to answer it (the simulator sent it).
        let per = s.store_ops as f64 / s.requests as f64;
        let mut ms = s.millis.clone();
        ms.sort_by(|a, b| a.total_cmp(b));
        println!(
            "  {route:<52} {:>7} {:>8.1} {:>8.1} {:>6} {:>6} {per:>9.2} {:>7} {:>7} {:>8}",
            s.requests,
            stats::percentile(&ms, 0.5),
            stats::percentile(&ms, 0.99),
            "-",
            "-",
            s.max_ops,
            s.largest_batch,
            s.refused_tx
        );
    }
    println!(
        "  {:<52} {:>7} (store requests outside any request)",
        "(background)",
        day.probe.background()
    );
    println!(
        "\n  {:<14} {:>8} {:>8} {:>8} {:>8}   outcomes other than success",
        "store request", "n", "p50 ms", "p99 ms", "max ms"
    );
    for (op, t) in day.probe.by_op() {
        let mut ms = t.millis.clone();
        ms.sort_by(|a, b| a.total_cmp(b));
        let outcomes: Vec<String> = t.outcomes.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        println!(
            "  {op:<14} {:>8} {:>8.1} {:>8.1} {:>8.1}   {}",
            ms.len(),
            stats::percentile(&ms, 0.5),
            stats::percentile(&ms, 0.99),
            ms.last().copied().unwrap_or(0.0),
            outcomes.join("; ")
        );
    }
    println!(
        "\n  {:<64} {:>8} {:>8}",
        "transactions by what they write", "n", "refused"
    );
    for (shape, (n, refused)) in day.probe.by_shape() {
        println!("  {shape:<64} {n:>8} {refused:>8}");
    }
    println!("\n  refusals (4xx) the page saw, with the first answer of each:");
    for ((route, status), (n, body)) in day.stats.refusals() {
        println!("    {route} {status} ×{n}: {body}");
    }

    if failures.is_empty() {
        println!("\ncentre-day: PASS");
        return true;
    }
    println!("\ncentre-day: FAIL ({} findings)", failures.len());
    let mut by: BTreeMap<&str, Vec<&Failure>> = BTreeMap::new();
    for f in &failures {
        by.entry(f.check).or_default().push(f);
    }
    for (check, list) in by {
        println!("  {check}: {}", list.len());
        for f in list.iter().take(12) {
            println!("    - {}", f.detail);
        }
        if list.len() > 12 {
            println!("    … and {} more", list.len() - 12);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn routes_hide_ids_and_webhook_parameters() {
        assert_eq!(
            route_of("GET", "/api/calls/CA0123456789abcdef0123456789abcdef"),
            "GET /api/calls/{id}"
        );
        assert_eq!(
            route_of("POST", "/api/call-lists/01jq8m3x4y5z6a7b8c9d0e1f2g/lease-next"),
            "POST /api/call-lists/{id}/lease-next"
        );
        assert_eq!(route_of("GET", "/api/operators/me"), "GET /api/operators/me");
        assert_eq!(
            route_of("POST", "/twilio/voice/operator-leg/CA01/01J/op-1"),
            "POST /twilio/voice/operator-leg/…"
        );
    }

    #[test]
    fn the_short_day_crosses_the_limits_and_the_bound_scales_with_the_compression() {
        let c = Config::parse(&args("--short")).unwrap();
        assert!(c.operators >= 60, "60 operators can be on calls at once");
        assert!((c.compression() - 14.285).abs() < 0.01);
        assert!((c.free_bound().as_secs_f64() - 8.4).abs() < 0.01);
        let (every, live) = c.reconcile_timing();
        assert!(
            (every.as_secs_f64() - 4.2).abs() < 0.01,
            "a minute compressed: {every:?}"
        );
        assert_eq!(live.num_milliseconds(), 3150, "45 s compressed");
        assert!(
            every.as_secs_f64() + live.num_milliseconds() as f64 / 1000.0 < c.free_bound().as_secs_f64(),
            "a lost end is applied within the bound, as deployed within two minutes"
        );
        let slow = Config::parse(&args("--short --talk 200,400")).unwrap();
        assert_eq!(
            slow.free_bound(),
            Duration::from_secs_f64(120.0 / 1.0),
            "uncompressed: 2 minutes"
        );
        let fast = Config::parse(&args("--short --talk 1,2")).unwrap();
        assert_eq!(
            fast.free_bound(),
            Duration::from_secs(5),
            "never below the presence poll"
        );
    }

    #[test]
    fn bad_arguments_say_what_to_fix() {
        assert!(
            Config::parse(&args("--store dynamodb-local"))
                .unwrap_err()
                .contains("--dynamodb-url")
        );
        assert!(Config::parse(&args("--talk 5")).unwrap_err().contains("MIN,MAX"));
        assert!(
            Config::parse(&args("--max-wait 10"))
                .unwrap_err()
                .contains("30 to 3600")
        );
        assert!(Config::parse(&args("--operators x")).unwrap_err().contains("number"));
        assert!(
            Config::parse(&args("--frobnicate"))
                .unwrap_err()
                .contains("unknown argument")
        );
        let c = Config::parse(&args(
            "--operators 200 --supervisors 20 --calls 3000 --store dynamodb-local --dynamodb-url http://127.0.0.1:1",
        ))
        .unwrap();
        assert!(matches!(c.store, StoreKind::Dynamo { .. }));
    }
}
