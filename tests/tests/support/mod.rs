//! What the reliability and security suites share: the whole console on a loopback port with the
//! Twilio simulator (as in `simulator.rs`), on a store that can be switched to fail or be slow
//! while the console runs and that counts the requests passing through.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::store::embedded::EmbeddedStore;
use shared::store::{Cond, Item, Key, Page, Query, Store, StoreError, TxOp, Update};

/// How a [`SwitchStore`] behaves right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Healthy,
    /// Every request fails, as in an outage.
    Down,
    /// Every request answers after [`SwitchStore::SLOW`].
    Slow,
}

/// The embedded store behind a switch: healthy, down or slow, changed while the console runs,
/// with counts of the reads and writes that reached it (requests refused by an outage are
/// counted apart and never reach it).
pub struct SwitchStore {
    inner: Arc<dyn Store>,
    mode: AtomicU8,
    reads: AtomicU64,
    writes: AtomicU64,
    refused: AtomicU64,
    /// Requests still to refuse before the store is healthy again (a short outage).
    blip: AtomicU64,
}

impl SwitchStore {
    /// How long a slow store takes to answer: over the incoming webhook's 1.5 s lookup budget.
    pub const SLOW: Duration = Duration::from_millis(2500);

    pub fn new(inner: Arc<dyn Store>) -> Self {
        Self {
            inner,
            mode: AtomicU8::new(0),
            reads: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            blip: AtomicU64::new(0),
        }
    }

    /// Refuses the next `n` requests, then answers again: an outage shorter than Twilio's
    /// callback retries.
    pub fn fail_next(&self, n: u64) {
        self.blip.store(n, Ordering::SeqCst);
    }

    pub fn set(&self, mode: Mode) {
        let m = match mode {
            Mode::Healthy => 0,
            Mode::Down => 1,
            Mode::Slow => 2,
        };
        self.mode.store(m, Ordering::SeqCst);
    }

    /// Reads that reached the store.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::SeqCst)
    }

    /// Writes (puts, updates, deletes, transactions, batch writes) that reached the store.
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    /// Requests an outage refused.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::SeqCst)
    }

    async fn strike(&self, write: bool) -> Result<(), StoreError> {
        if self
            .blip
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return Err(StoreError::Unavailable("injected outage".into()));
        }
        match self.mode.load(Ordering::SeqCst) {
            1 => {
                self.refused.fetch_add(1, Ordering::SeqCst);
                return Err(StoreError::Unavailable("injected outage".into()));
            }
            2 => tokio::time::sleep(Self::SLOW).await,
            _ => {}
        }
        let counter = if write { &self.writes } else { &self.reads };
        counter.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[async_trait::async_trait]
impl Store for SwitchStore {
    async fn get(&self, k: &Key) -> Result<Option<Item>, StoreError> {
        self.strike(false).await?;
        self.inner.get(k).await
    }
    async fn get_many(&self, k: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.strike(false).await?;
        self.inner.get_many(k).await
    }
    async fn put(&self, i: Item, c: Option<Cond>) -> Result<(), StoreError> {
        self.strike(true).await?;
        self.inner.put(i, c).await
    }
    async fn update(&self, k: &Key, u: Update, c: Option<Cond>) -> Result<Item, StoreError> {
        self.strike(true).await?;
        self.inner.update(k, u, c).await
    }
    async fn delete(&self, k: &Key, c: Option<Cond>) -> Result<(), StoreError> {
        self.strike(true).await?;
        self.inner.delete(k, c).await
    }
    async fn query(&self, q: Query) -> Result<Page, StoreError> {
        self.strike(false).await?;
        self.inner.query(q).await
    }
    async fn transact(&self, o: Vec<TxOp>) -> Result<(), StoreError> {
        self.strike(true).await?;
        self.inner.transact(o).await
    }
    async fn batch_write(&self, p: Vec<Item>, d: Vec<Key>) -> Result<(), StoreError> {
        self.strike(true).await?;
        self.inner.batch_write(p, d).await
    }
}

/// The console on a loopback port.
pub struct Console {
    pub url: String,
    pub http: reqwest::Client,
    pub account: local::sim::SimAccount,
    pub auth: local::devauth::DevAuth,
    /// The store the console runs on, behind its switch.
    pub store: Arc<SwitchStore>,
    /// The same store without the switch, for checking what was written.
    pub raw: Arc<dyn Store>,
    /// Call control as the console runs it (the reconciliation is driven from here).
    pub control: shared::control::CallControl,
    _dir: tempfile::TempDir,
}

/// Starts the console; simulated phones answer only when told to.
pub async fn start() -> Console {
    start_with(local::sim::SimConfig {
        default_answering: local::sim::Answering::Manual,
        ..local::sim::SimConfig::default()
    })
    .await
}

/// Starts the console with the simulator set up as given.
pub async fn start_with(config: local::sim::SimConfig) -> Console {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("console.sqlite");
    let raw: Arc<dyn Store> = Arc::new(EmbeddedStore::open(&data).unwrap());
    let store = Arc::new(SwitchStore::new(raw.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = local::build_with(
        store.clone(),
        local::dev_secret(&data).unwrap(),
        &dir.path().join("no-page"),
        &url,
        config,
    )
    .await
    .unwrap();
    let account = app.sim.account().clone();
    let auth = app.auth.clone();
    let control = app.control.clone();
    tokio::spawn(async move { axum::serve(listener, app.router).await });
    Console {
        url,
        http: shared::tls::http_client().build().expect("an HTTP client"),
        account,
        auth,
        store,
        raw,
        control,
        _dir: dir,
    }
}

impl Console {
    pub async fn sign_in(&self, user: &str) -> String {
        let r = self
            .http
            .post(format!("{}/api/dev/sign-in", self.url))
            .json(&json!({"user_id": user}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }

    pub async fn api(&self, token: &str, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut r = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.url))
            .bearer_auth(token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let r = r.send().await.unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }

    pub async fn sim(&self, method: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }

    /// Waits until the simulator's state matches; fails the test with the state otherwise.
    pub async fn wait(&self, condition: Value) -> Value {
        let (status, v) = self.sim("POST", "/sim/wait", condition.clone()).await;
        assert_eq!(status, StatusCode::OK, "never reached {condition}: {v:#}");
        v
    }

    /// Waits until no webhook is queued or in flight.
    pub async fn settle(&self) {
        self.wait(json!({"settled": true})).await;
    }

    /// Signs an operator in, registers their simulated phone and makes them available.
    pub async fn operator(&self, user: &str) -> String {
        let token = self.sign_in(user).await;
        let identity = user.replace('-', "_");
        let (s, _) = self.sim("POST", &format!("/sim/phones/{identity}"), json!({})).await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, v) = self
            .api(
                &token,
                "PUT",
                "/api/operators/me/status",
                Some(json!({"status": "available"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        token
    }

    /// A customer calls from `from`; `user`'s phone rings and they answer. Returns the call id.
    pub async fn answered_call(&self, from: &str, user: &str) -> String {
        let (s, started) = self.sim("POST", "/sim/calls", json!({"from": from})).await;
        assert_eq!(s, StatusCode::CREATED, "{started}");
        let sid = started["sid"].as_str().unwrap().to_owned();
        let identity = user.replace('-', "_");
        self.wait(json!({"phone": identity})).await;
        let (s, _) = self
            .sim("POST", &format!("/sim/phones/{identity}/accept"), json!({}))
            .await;
        assert_eq!(s, StatusCode::OK);
        self.wait(json!({"conference": sid, "labels": ["customer", "operator"], "settled": true}))
            .await;
        sid
    }

    /// The stored call record, read around the switch.
    pub async fn stored_call(&self, sid: &str) -> Option<Item> {
        self.raw.get(&shared::domain::calls::call_key(sid)).await.unwrap()
    }

    /// The simulator saw no rule broken and refused no REST request.
    pub async fn assert_no_problems(&self) {
        let (_, problems) = self.sim("GET", "/sim/problems", json!({})).await;
        assert_eq!(
            problems,
            json!([]),
            "the simulator saw the functions break Twilio's rules"
        );
        for r in self.rest_log().await {
            assert!(r["status"].as_u64().unwrap() < 400, "refused REST request: {r}");
        }
    }

    /// The call `sid` as the history of `phone` shows it to the user of `token`.
    pub async fn history_row(&self, token: &str, phone: &str, sid: &str) -> Value {
        let (s, history) = self
            .api(token, "GET", &format!("/api/history/calls?phone={phone}"), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{history}");
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["sid"] == sid)
            .cloned()
            .unwrap_or_else(|| panic!("the call {sid} is in the history: {history:#}"))
    }

    /// The REST requests the simulator answered, with their statuses.
    pub async fn rest_log(&self) -> Vec<Value> {
        let (_, requests) = self.sim("GET", "/sim/requests", json!({})).await;
        requests.as_array().cloned().unwrap_or_default()
    }
}
