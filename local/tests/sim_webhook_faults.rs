//! The simulator's webhook faults (`PUT /sim/faults {"webhooks": [...]}`) against a stand-in
//! console that hangs up every call and records the status callbacks it receives: a dropped
//! callback never arrives (nor do Twilio's retries), a throttled one is answered 429 and not
//! retried, a duplicated one arrives twice with one idempotency token, a reordered one arrives
//! after the next, a throttled TwiML fetch goes to the fallback URL, and settings that could
//! never hit anything are refused.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use local::sim::{SimAccount, SimConfig, Simulator};
use serde_json::{Value, json};

const MAIN: &str = "+81368000001";

/// A status callback as the stand-in console received it.
#[derive(Debug, Clone)]
struct Received {
    call: String,
    status: String,
    token: Option<String>,
}

#[derive(Clone, Default)]
struct Console {
    callbacks: Arc<Mutex<Vec<Received>>>,
    fallbacks: Arc<Mutex<Vec<String>>>,
}

struct Twilio {
    sim: Simulator,
    url: String,
    http: reqwest::Client,
    console: Console,
}

fn form(body: &str, name: &str) -> String {
    form_field(body, name).unwrap_or_default()
}

fn form_field(body: &str, name: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

async fn incoming() -> &'static str {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Hangup/></Response>"
}

async fn fallback(State(console): State<Console>, body: String) -> &'static str {
    console.fallbacks.lock().unwrap().push(form(&body, "ErrorCode"));
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Hangup/></Response>"
}

async fn status(State(console): State<Console>, headers: HeaderMap, body: String) -> &'static str {
    console.callbacks.lock().unwrap().push(Received {
        call: form(&body, "CallSid"),
        status: form(&body, "CallStatus"),
        token: headers
            .get("I-Twilio-Idempotency-Token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    });
    ""
}

/// The simulator and the stand-in console on one loopback port, as the local runtime mounts them.
async fn twilio() -> Twilio {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = SimConfig {
        default_to: MAIN.into(),
        ..SimConfig::default()
    };
    let sim = Simulator::new(SimAccount::from_seed(b"webhook faults"), &url, config);
    let console = Console::default();
    let app = Router::new()
        .route("/twilio/voice/incoming", post(incoming))
        .route("/twilio/voice/fallback", post(fallback))
        .route("/twilio/voice/status", post(status))
        .with_state(console.clone())
        .merge(local::sim::api::routes(sim.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Twilio {
        sim,
        url,
        http: reqwest::Client::new(),
        console,
    }
}

impl Twilio {
    async fn put_faults(&self, body: Value) -> (u16, Value) {
        let r = self
            .http
            .put(format!("{}/sim/faults", self.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Calls in and waits until the call and every callback it caused are done.
    async fn call_and_settle(&self) -> String {
        let sid = self.sim.start_incoming("+81312345678", MAIN);
        let over = self
            .sim
            .wait_for(Duration::from_secs(10), |w| {
                w.calls.get(&sid).filter(|c| c.status == "completed").map(|_| ())
            })
            .await;
        assert!(over.is_some(), "the call {sid} ended");
        assert!(self.sim.settle(Duration::from_secs(10)).await, "callbacks settled");
        sid
    }

    fn received(&self) -> Vec<Received> {
        self.console.callbacks.lock().unwrap().clone()
    }
}

#[tokio::test]
async fn a_dropped_callback_never_arrives_although_twilio_retries_it() {
    let t = twilio().await;
    let (s, v) = t
        .put_faults(json!({"webhooks": [{"kind": "drop", "paths": "/twilio/voice/status", "count": 1}]}))
        .await;
    assert_eq!(s, 204, "{v}");

    let dropped = t.call_and_settle().await;
    let delivered = t.call_and_settle().await;

    let received = t.received();
    assert!(
        received.iter().all(|r| r.call != dropped),
        "the dropped call's callback never reached the console: {received:?}"
    );
    assert_eq!(
        received.iter().filter(|r| r.call == delivered).count(),
        1,
        "the fault's count is spent: the next call's callback arrives"
    );
    let log = t.get("/sim/webhooks").await;
    let attempts: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["injected"] == "drop")
        .collect();
    assert_eq!(
        attempts.len(),
        4,
        "one attempt and Twilio's 3 retries (#rc=3), each refused: {log}"
    );
    assert!(attempts.iter().all(|e| e["status"] == 0));
    let faults = t.get("/sim/faults").await;
    assert_eq!(faults["webhooks"][0]["injected"], 1, "{faults}");
}

#[tokio::test]
async fn a_throttled_callback_is_answered_429_and_not_retried() {
    let t = twilio().await;
    let (s, v) = t
        .put_faults(json!({"webhooks": [{"kind": "throttle", "paths": "/twilio/voice/status"}]}))
        .await;
    assert_eq!(s, 204, "{v}");

    let sid = t.call_and_settle().await;

    assert!(t.received().iter().all(|r| r.call != sid));
    let log = t.get("/sim/webhooks").await;
    let throttled: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["injected"] == "throttle")
        .collect();
    assert_eq!(throttled.len(), 1, "429 is not in the callback's rp=ct,rt,5xx: {log}");
    assert_eq!(throttled[0]["status"], 429);
}

#[tokio::test]
async fn a_duplicated_callback_arrives_twice_with_one_idempotency_token() {
    let t = twilio().await;
    let (s, v) = t
        .put_faults(json!({"webhooks": [{"kind": "duplicate", "count": 1}]}))
        .await;
    assert_eq!(s, 204, "{v}");

    let sid = t.call_and_settle().await;

    let copies: Vec<Received> = t.received().into_iter().filter(|r| r.call == sid).collect();
    assert_eq!(copies.len(), 2, "{copies:?}");
    assert_eq!(copies[0].status, "completed");
    assert_eq!(copies[0].status, copies[1].status);
    assert!(copies[0].token.is_some(), "Twilio's token rides on every attempt");
    assert_eq!(
        copies[0].token, copies[1].token,
        "the same token: the console can tell a repeat"
    );
}

#[tokio::test]
async fn a_reordered_callback_arrives_after_the_next_one() {
    let t = twilio().await;
    let (s, v) = t
        .put_faults(json!({"webhooks": [{"kind": "reorder", "paths": "/twilio/voice/status", "count": 1}]}))
        .await;
    assert_eq!(s, 204, "{v}");

    // The first call's callback is held back until the second call's is sent.
    let first = t.sim.start_incoming("+81312345678", MAIN);
    t.sim
        .wait_for(Duration::from_secs(10), |w| {
            w.calls.get(&first).filter(|c| c.status == "completed").map(|_| ())
        })
        .await
        .expect("the first call ended");
    let second = t.call_and_settle().await;

    let order: Vec<String> = t.received().into_iter().map(|r| r.call).collect();
    assert_eq!(order, [second, first], "delivered out of order, nothing lost");
}

#[tokio::test]
async fn a_reordered_callback_with_nothing_after_it_is_sent_after_a_short_wait() {
    let t = twilio().await;
    t.put_faults(json!({"webhooks": [{"kind": "reorder", "count": 1}]}))
        .await;

    let sid = t.call_and_settle().await;

    assert_eq!(t.received().len(), 1, "sent once the reorder wait passed");
    assert_eq!(t.received()[0].call, sid);
}

#[tokio::test]
async fn a_throttled_twiml_fetch_goes_to_the_fallback_url() {
    let t = twilio().await;
    t.put_faults(json!({"webhooks": [{"kind": "throttle", "paths": "/twilio/voice/incoming"}]}))
        .await;

    t.call_and_settle().await;

    assert_eq!(*t.console.fallbacks.lock().unwrap(), ["11200"]);
}

#[tokio::test]
async fn a_fault_lasts_only_for_its_window() {
    let t = twilio().await;
    t.put_faults(json!({"webhooks": [{"kind": "drop", "paths": "/twilio/voice/status", "for_ms": 150}]}))
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let sid = t.call_and_settle().await;

    assert_eq!(t.received().len(), 1, "the window had passed");
    assert_eq!(t.received()[0].call, sid);
}

#[tokio::test]
async fn clearing_the_faults_delivers_callbacks_again() {
    let t = twilio().await;
    t.put_faults(json!({"webhooks": [{"kind": "drop"}], "rest": {"status": 500, "count": 1}}))
        .await;
    let faults = t.get("/sim/faults").await;
    assert_eq!(faults["webhooks"][0]["kind"], "drop", "{faults}");
    assert_eq!(faults["rest"]["status"], 500, "{faults}");

    let r = t.http.delete(format!("{}/sim/faults", t.url)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let faults = t.get("/sim/faults").await;
    assert_eq!(faults["webhooks"], json!([]));
    assert_eq!(faults["rest"], Value::Null);

    let sid = t.call_and_settle().await;
    assert_eq!(t.received()[0].call, sid);
}

#[tokio::test]
async fn webhook_faults_that_could_never_hit_are_refused_naming_the_setting() {
    let t = twilio().await;
    for (bad, names) in [
        (json!({"webhooks": [{"kind": "drop", "fraction": 0}]}), "fraction"),
        (json!({"webhooks": [{"kind": "drop", "fraction": 2}]}), "fraction"),
        (
            json!({"webhooks": [{"kind": "drop"}, {"kind": "throttle", "count": 0}]}),
            "webhooks[1]",
        ),
        (json!({"webhooks": [{"kind": "drop", "for_ms": 0}]}), "for_ms"),
        (json!({"webhooks": [{"kind": "drop", "paths": ""}]}), "paths"),
        (json!({"webhooks": [{"kind": "lose"}]}), "kind"),
        (json!({"webhooks": [{"kind": "drop", "path": "typo"}]}), "path"),
    ] {
        let (s, v) = t.put_faults(bad.clone()).await;
        assert_eq!(s, 400, "{bad}: {v}");
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(names), "{bad}: the message names {names}: {message}");
    }
    let faults = t.get("/sim/faults").await;
    assert_eq!(faults["webhooks"], json!([]), "nothing refused was set");
}
