//! The simulator's callback lines (`SimConfig::callback_lanes`): with lanes, a call's status
//! callback is not held up by another call's that the console is slow to answer, as with Twilio,
//! which sends different calls' callbacks side by side; without, every callback waits in one
//! line behind the one before it (the order tests rely on).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use local::sim::{SimAccount, SimConfig, Simulator};

const MAIN: &str = "+81368000001";

#[derive(Clone, Default)]
struct Console {
    /// The calls whose status callbacks were answered, in the order they were answered.
    answered: Arc<Mutex<Vec<String>>>,
    /// The first callback is answered 1.5 s late (a console slow on one call).
    slow_done: Arc<AtomicBool>,
}

async fn incoming() -> &'static str {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Hangup/></Response>"
}

async fn status(State(console): State<Console>, body: String) -> &'static str {
    if !console.slow_done.swap(true, Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    let call = body
        .split('&')
        .find_map(|p| p.strip_prefix("CallSid="))
        .unwrap_or_default()
        .to_owned();
    console.answered.lock().unwrap().push(call);
    ""
}

/// Two calls one after the other, the first one's callback answered slowly; the calls whose
/// callbacks were answered, in order.
async fn two_calls(lanes: bool) -> (String, String, Vec<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = SimConfig {
        default_to: MAIN.into(),
        callback_lanes: lanes,
        ..SimConfig::default()
    };
    let sim = Simulator::new(SimAccount::from_seed(b"callback lanes"), &url, config);
    let console = Console::default();
    let app = Router::new()
        .route("/twilio/voice/incoming", post(incoming))
        .route("/twilio/voice/status", post(status))
        .with_state(console.clone())
        .merge(local::sim::api::routes(sim.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let ended = |sim: &Simulator, sid: String| {
        let sim = sim.clone();
        async move {
            sim.wait_for(Duration::from_secs(10), |w| {
                w.calls.get(&sid).filter(|c| c.status == "completed").map(|_| ())
            })
            .await
            .expect("the call ended")
        }
    };
    let first = sim.start_incoming("+81312345678", MAIN);
    ended(&sim, first.clone()).await;
    let second = sim.start_incoming("+81312345679", MAIN);
    ended(&sim, second.clone()).await;
    assert!(sim.settle(Duration::from_secs(10)).await, "callbacks settled");
    let answered = console.answered.lock().unwrap().clone();
    (first, second, answered)
}

#[tokio::test]
async fn with_lanes_a_call_s_callback_does_not_wait_behind_another_call_s() {
    let (first, second, answered) = two_calls(true).await;
    assert_eq!(
        answered,
        [second, first],
        "the second call's callback was answered first"
    );
}

#[tokio::test]
async fn without_lanes_callbacks_go_in_one_line() {
    let (first, second, answered) = two_calls(false).await;
    assert_eq!(
        answered,
        [first, second],
        "the second call's callback waited for the first"
    );
}
