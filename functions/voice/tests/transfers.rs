//! Transfers, ring-backs and the call that heals itself through the voice router, fed signed
//! webhooks as Twilio sends them. Transfer-leg and conference callbacks arrive retried and out
//! of order: whatever the order, with duplicates, a transfer ends in the same call record, the
//! same operators and the same REST requests (each checked against Twilio's OpenAPI
//! description).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use shared::auth::Role;
use shared::control::CallControl;
use shared::domain::Services;
use shared::domain::calls::{CallRecord, call_key};
use shared::domain::handoff::{NewTransfer, TransferMode};
use shared::domain::operators::{OperatorRecord, operator_key};
use shared::ids::OperatorId;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Cond, Item, Update, attr};
use shared::twilio::AccountSid;
use shared::twilio::rest::{ParticipantRef, ParticipantTo};
use shared::twilio::signature::{WebhookValidator, compute_signature};
use shared::twilio::telephony::{RecordingTelephony, TelephonyRequest};
use voice::VoiceState;

const TOKEN: &str = "test-auth-token-0123456789abcdef";
const BASE: &str = "https://voice.example.jp";
const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const CALL: &str = "CA11111111111111111111111111111111";
const CONF: &str = "CF11111111111111111111111111111111";
const SATO_LEG: &str = "CA22222222222222222222222222222222";

struct Harness {
    app: axum::Router,
    services: Services,
    twilio: Arc<RecordingTelephony>,
    d: CallControl,
    /// Where each operator was in the free list before the transfer.
    free_keys: std::sync::Mutex<std::collections::HashMap<String, serde_json::Value>>,
}

fn signed(path: &str, params: &[(String, String)], token: &str) -> Request<Body> {
    let sig = compute_signature(token, &format!("{BASE}{path}"), params);
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter())
        .finish();
    Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", sig)
        .body(Body::from(body))
        .unwrap()
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, String) {
    use tower::ServiceExt;
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn form(params: &[(&str, &str)]) -> Vec<(String, String)> {
    params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A callback's Timestamp: now, `seconds` on (events are stamped as they happen).
fn rfc2822(seconds: u64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(seconds as i64)).to_rfc2822()
}

/// One callback Twilio sends.
#[derive(Debug, Clone)]
enum Callback {
    /// A conference participant event: sequence, label, leg, event, hold.
    Conference(u64, &'static str, String, &'static str, bool),
    /// The transfer target's leg status.
    Leg(&'static str),
}

/// A live call answered by 佐藤 (op-sato); 鈴木 (op-suzuki) is available.
async fn harness() -> Harness {
    let services = Services::with_settings_ttl(Arc::new(EmbeddedStore::in_memory().unwrap()), Duration::from_secs(0));
    for (id, name, status) in [
        ("op-sato", "佐藤 花子", "away"),
        ("op-suzuki", "鈴木 一郎", "available"),
    ] {
        let op = OperatorId::parse(id).unwrap();
        services.operators.ensure(&op, name, Role::Operator).await.unwrap();
        services.operators.set_status(&op, status).await.unwrap();
    }
    services
        .store
        .update(
            &operator_key("op-sato"),
            Update::default().set("status", "on_call").set("current_call", CALL),
            Some(Cond::Exists),
        )
        .await
        .unwrap();
    let mut item = Item::new();
    let key = call_key(CALL);
    item.insert("PK".into(), key.pk.into());
    item.insert("SK".into(), key.sk.into());
    item.insert("sid".into(), CALL.into());
    item.insert("direction".into(), "inbound".into());
    item.insert("status".into(), "in_progress".into());
    item.insert("customer".into(), "+81312345678".into());
    item.insert("started_at".into(), "2026-11-23T09:59:00.000Z".into());
    item.insert("operator_id".into(), "op-sato".into());
    item.insert("operator_name".into(), "佐藤 花子".into());
    services.store.put(item, None).await.unwrap();
    let twilio = Arc::new(RecordingTelephony::new(AccountSid::parse(ACCOUNT).unwrap()));
    let control = CallControl::new(services.clone(), twilio.clone(), BASE);
    let state = VoiceState {
        lookup_budget: Duration::from_millis(300),
        ..VoiceState::new(control, WebhookValidator::new(TOKEN.to_owned().into()))
    };
    let h = Harness {
        d: state.control.clone(),
        app: voice::router(state),
        services,
        twilio,
        free_keys: Default::default(),
    };
    h.deliver(
        &Callback::Conference(1, "customer", CALL.into(), "participant-join", false),
        "",
    )
    .await;
    h.deliver(
        &Callback::Conference(2, "operator", SATO_LEG.into(), "participant-join", false),
        "",
    )
    .await;
    h
}

impl Harness {
    async fn call(&self) -> Item {
        self.services.store.get(&call_key(CALL)).await.unwrap().unwrap()
    }

    async fn op(&self, id: &str) -> Item {
        self.services.store.get(&operator_key(id)).await.unwrap().unwrap()
    }

    /// Starts a transfer to 鈴木 the way the calls API does; returns its id and the target leg.
    async fn start(&self, mode: TransferMode) -> (String, String) {
        for id in ["op-sato", "op-suzuki"] {
            let key = self.op(id).await.get(attr::GSI2SK).cloned().unwrap_or_default();
            self.free_keys.lock().unwrap().insert(id.into(), key);
        }
        let call = CallRecord::from_item(&self.call().await).unwrap();
        let target = OperatorRecord::from_item(&self.op("op-suzuki").await).unwrap();
        let (t, _) = self
            .d
            .start_transfer(NewTransfer {
                call_sid: CALL,
                call: &call,
                target: &target,
                mode,
                by: "op-sato",
                screen: None,
            })
            .await
            .unwrap();
        self.twilio.take_requests();
        let leg = self.call().await["transfer_to_leg"].as_str().unwrap().to_owned();
        (t.id, leg)
    }

    async fn deliver(&self, cb: &Callback, transfer: &str) {
        let (path, params) = match cb {
            Callback::Conference(seq, label, leg, event, hold) => {
                let seq = seq.to_string();
                let at = rfc2822(seq.parse().unwrap());
                let hold = hold.to_string();
                let mut p = form(&[
                    ("AccountSid", ACCOUNT),
                    ("ConferenceSid", CONF),
                    ("FriendlyName", CALL),
                    ("SequenceNumber", &seq),
                    ("Timestamp", &at),
                    ("StatusCallbackEvent", event),
                    ("CallSid", leg),
                    ("ParticipantLabel", label),
                    ("Hold", &hold),
                    ("Muted", "false"),
                ]);
                if *event == "participant-leave" {
                    p.push(("ReasonParticipantLeft".into(), "participant_hung_up".into()));
                }
                ("/twilio/voice/conference".to_owned(), p)
            }
            Callback::Leg(status) => {
                let leg = self.call().await["transfer_to_leg"]
                    .as_str()
                    .unwrap_or(SATO_LEG)
                    .to_owned();
                (
                    format!("/twilio/voice/transfer-leg/{CALL}/{transfer}/op-suzuki"),
                    form(&[
                        ("AccountSid", ACCOUNT),
                        ("CallSid", &leg),
                        ("CallStatus", status),
                        ("ApiVersion", "2010-04-01"),
                    ]),
                )
            }
        };
        let (status, body) = send(&self.app, signed(&path, &params, TOKEN)).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{cb:?}: {body}");
    }

    /// What a user would notice of the outcome: who has the call, how the transfer ended,
    /// who is held, whether the customer is marked as held with nobody, and the operators.
    async fn outcome(&self) -> serde_json::Value {
        let call = self.call().await;
        let p = |label: &str| {
            call.get(&format!("p_{label}"))
                .map(|p| format!("{} hold={}", p["state"].as_str().unwrap_or("-"), p["hold"]))
        };
        let free_keys = self.free_keys.lock().unwrap().clone();
        let op = |id: &str, item: Item| {
            let free = match item.get(attr::GSI2SK) {
                None => "not free",
                Some(k) if Some(k) == free_keys.get(id) => "free, in the same place",
                Some(_) => "free from a new time",
            };
            serde_json::json!([
                item.get("status"),
                item.get("current_call"),
                item.get("transfer_id"),
                free,
                item.get("free_since_key").is_some()
            ])
        };
        serde_json::json!({
            "status": call.get("status"),
            "operator": [call.get("operator_id"), call.get("operator_name"), call.get("operator_label")],
            "transfer": [call.get("transfer_state"), call.get("transfer_reason"), call.get("transfer_from_left"), call.get("transfer_rung_back_at").is_some()],
            "participants": [p("customer"), p("operator"), p("transfer")],
            "orphaned": call.get("orphaned_since").is_some(),
            "sato": op("op-sato", self.op("op-sato").await),
            "suzuki": op("op-suzuki", self.op("op-suzuki").await),
        })
    }
}

fn describe(requests: &[TelephonyRequest]) -> Vec<String> {
    let label = |p: &ParticipantRef| match p {
        ParticipantRef::Label(l) => l.clone(),
        ParticipantRef::Call(c) => c.to_string(),
    };
    requests
        .iter()
        .map(|r| match r {
            TelephonyRequest::UpdateParticipant {
                participant, request, ..
            } => match request.hold {
                Some(true) => format!("hold {}", label(participant)),
                Some(false) => format!("unhold {}", label(participant)),
                None => format!("update {}", label(participant)),
            },
            TelephonyRequest::CreateParticipant { request, .. } => match &request.to {
                ParticipantTo::Client { identity, params } => format!(
                    "ring {} as {} ({})",
                    identity.as_str(),
                    request.label.as_deref().unwrap_or("-"),
                    params
                        .iter()
                        .filter(|(k, _)| k == "ringBack" || k == "reason")
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                other => format!("dial {other:?}"),
            },
            TelephonyRequest::RemoveParticipant { participant, .. } => format!("remove {}", label(participant)),
            TelephonyRequest::UpdateCall { .. } => "update call".into(),
            TelephonyRequest::FetchCall(_) => "read call".into(),
            other => format!("{other:?}"),
        })
        .collect()
}

/// A small deterministic generator, so every failing order can be replayed from its seed.
struct Shuffle(u64);

impl Shuffle {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below as u64) as usize
    }

    /// The indexes 0..n in a shuffled order, with up to three repeated.
    fn order(&mut self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.next(i + 1);
            order.swap(i, j);
        }
        for _ in 0..self.next(4) {
            let dup = self.next(n);
            let at = self.next(order.len() + 1);
            order.insert(at, dup);
        }
        order
    }
}

/// Runs a transfer's callbacks in their natural order, then in many shuffled orders with
/// duplicates, and checks every run ends the same: same record, same operators, same REST
/// requests. Returns the outcome and the requests of the natural order.
async fn same_in_any_order(
    mode: TransferMode,
    callbacks: impl Fn(&str) -> Vec<Callback>,
) -> (serde_json::Value, Vec<String>) {
    async fn run(
        mode: TransferMode,
        callbacks: &dyn Fn(&str) -> Vec<Callback>,
        order: Option<&[usize]>,
    ) -> (serde_json::Value, Vec<String>) {
        let h = harness().await;
        let (transfer, leg) = h.start(mode).await;
        let cbs = callbacks(&leg);
        let natural: Vec<usize> = (0..cbs.len()).collect();
        for &i in order.unwrap_or(&natural) {
            h.deliver(&cbs[i], &transfer).await;
        }
        let requests = h.twilio.take_requests();
        shared::testing::spec_checked(ACCOUNT, &requests);
        (h.outcome().await, describe(&requests))
    }
    let expected = run(mode, &callbacks, None).await;
    let n = callbacks("CA-leg").len();
    let mut shuffle = Shuffle(0x5eed_0000 + n as u64);
    for case in 0..60 {
        let order = shuffle.order(n);
        let got = run(mode, &callbacks, Some(&order)).await;
        assert_eq!(got, expected, "case {case}, order {order:?}");
    }
    expected
}

fn conf(seq: u64, label: &'static str, leg: &str, event: &'static str, hold: bool) -> Callback {
    Callback::Conference(seq, label, leg.to_owned(), event, hold)
}

#[tokio::test]
async fn a_warm_transfer_completes_the_same_whatever_the_order_of_its_callbacks() {
    // The target answers, then the first operator hangs up on her softphone.
    let (outcome, requests) = same_in_any_order(TransferMode::Warm, |leg| {
        vec![
            conf(3, "customer", CALL, "participant-hold", true),
            Callback::Leg("ringing"),
            Callback::Leg("in-progress"),
            conf(4, "transfer", leg, "participant-join", false),
            conf(5, "operator", SATO_LEG, "participant-leave", false),
            conf(6, "customer", CALL, "participant-unhold", false),
        ]
    })
    .await;
    assert_eq!(requests, ["unhold customer"], "the customer is taken off hold once");
    assert_eq!(
        outcome["operator"],
        serde_json::json!(["op-suzuki", "鈴木 一郎", "transfer"])
    );
    assert_eq!(outcome["transfer"][0], "completed");
    assert_eq!(outcome["orphaned"], false);
    assert_eq!(outcome["sato"][0], "wrap_up");
    assert_eq!(outcome["suzuki"][0], "on_call");
}

#[tokio::test]
async fn a_cold_transfer_completes_the_same_whatever_the_order_of_its_callbacks() {
    let (outcome, requests) = same_in_any_order(TransferMode::Cold, |leg| {
        vec![
            conf(3, "customer", CALL, "participant-hold", true),
            conf(4, "operator", SATO_LEG, "participant-leave", false),
            Callback::Leg("ringing"),
            Callback::Leg("in-progress"),
            conf(5, "transfer", leg, "participant-join", false),
            conf(6, "customer", CALL, "participant-unhold", false),
        ]
    })
    .await;
    assert_eq!(requests, ["unhold customer"]);
    assert_eq!(outcome["operator"][0], "op-suzuki");
    assert_eq!(outcome["transfer"][0], "completed");
}

#[tokio::test]
async fn an_unanswered_warm_transfer_ends_the_same_whatever_the_order() {
    let (outcome, requests) = same_in_any_order(TransferMode::Warm, |_| {
        vec![
            conf(3, "customer", CALL, "participant-hold", true),
            Callback::Leg("ringing"),
            Callback::Leg("no-answer"),
        ]
    })
    .await;
    assert!(requests.is_empty(), "{requests:?}");
    assert_eq!(outcome["operator"][0], "op-sato");
    assert_eq!(
        outcome["transfer"],
        serde_json::json!(["failed", "no_answer", false, false])
    );
    assert_eq!(outcome["participants"][0], "joined hold=true", "still held, with her");
    assert_eq!(outcome["orphaned"], false);
    assert_eq!(outcome["suzuki"][0], "available");
    assert_eq!(outcome["suzuki"][1], serde_json::Value::Null);
}

#[tokio::test]
async fn an_unanswered_cold_transfer_rings_the_first_operator_back_once_whatever_the_order() {
    let (outcome, requests) = same_in_any_order(TransferMode::Cold, |_| {
        vec![
            conf(3, "customer", CALL, "participant-hold", true),
            conf(4, "operator", SATO_LEG, "participant-leave", false),
            Callback::Leg("ringing"),
            Callback::Leg("busy"),
        ]
    })
    .await;
    assert_eq!(
        requests,
        ["ring op_sato as operator (ringBack=transfer_failed reason=busy)"]
    );
    assert_eq!(outcome["operator"][0], "op-sato");
    assert_eq!(outcome["transfer"], serde_json::json!(["failed", "busy", true, true]));
    assert_eq!(outcome["orphaned"], true, "held with nobody until she is back: noted");
}

#[tokio::test]
async fn a_target_who_hangs_up_during_a_warm_transfer_fails_it_the_same_whatever_the_order() {
    let (outcome, requests) = same_in_any_order(TransferMode::Warm, |leg| {
        vec![
            conf(3, "customer", CALL, "participant-hold", true),
            Callback::Leg("in-progress"),
            conf(4, "transfer", leg, "participant-join", false),
            conf(5, "transfer", leg, "participant-leave", false),
        ]
    })
    .await;
    assert!(requests.is_empty(), "{requests:?}");
    assert_eq!(outcome["operator"][0], "op-sato");
    assert_eq!(outcome["transfer"][0], "failed");
    assert_eq!(outcome["transfer"][1], "target_left");
    assert_eq!(outcome["suzuki"][0], "available", "back to what he was doing");
}

#[tokio::test]
async fn the_hold_music_reconnects_a_customer_held_with_nobody_and_says_so() {
    let h = harness().await;
    h.deliver(&conf(3, "customer", CALL, "participant-hold", true), "")
        .await;
    h.deliver(&conf(4, "operator", SATO_LEG, "participant-leave", false), "")
        .await;
    assert!(h.call().await.get("orphaned_since").is_some());
    let path = format!("/twilio/voice/hold?call={CALL}");
    let fetch = form(&[
        ("AccountSid", ACCOUNT),
        ("CallSid", CALL),
        ("CallStatus", "in-progress"),
        ("ApiVersion", "2010-04-01"),
    ]);

    // Within the configured time, the usual hold message
    let (status, body) = send(&h.app, signed(&path, &fetch, TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    shared::twilio::twiml::rules::validate_twiml_in(&body, shared::twilio::twiml::rules::TwimlContext::WaitUrl)
        .unwrap();
    assert!(body.contains("確認しております"), "{body}");
    assert!(h.twilio.take_requests().is_empty());

    // After it (the mark moved back instead of waiting), the next fetch reconnects
    let past =
        (chrono::Utc::now() - chrono::Duration::seconds(31)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    h.services
        .store
        .update(&call_key(CALL), Update::default().set("orphaned_since", past), None)
        .await
        .unwrap();
    let (status, body) = send(&h.app, signed(&path, &fetch, TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    shared::twilio::twiml::rules::validate_twiml_in(&body, shared::twilio::twiml::rules::TwimlContext::WaitUrl)
        .unwrap();
    assert!(
        body.contains("おつなぎし直しております"),
        "told what is happening: {body}"
    );
    let requests = h.twilio.take_requests();
    shared::testing::spec_checked(ACCOUNT, &requests);
    assert_eq!(
        describe(&requests),
        ["ring op_sato as operator (ringBack=reconnect reason=orphaned_hold)"]
    );
    let TelephonyRequest::CreateParticipant { request, .. } = &requests[0] else {
        panic!()
    };
    assert_eq!(
        request.status_callback.as_deref(),
        Some(format!("{BASE}/twilio/voice/ring-back/{CALL}/op-sato/reconnect#rc=3&rp=ct,rt,5xx").as_str())
    );

    // She does not answer: back in line, still held, still told
    let missed = form(&[
        ("AccountSid", ACCOUNT),
        ("CallSid", "CA33333333333333333333333333333333"),
        ("CallStatus", "no-answer"),
        ("ApiVersion", "2010-04-01"),
    ]);
    let ring_back = format!("/twilio/voice/ring-back/{CALL}/op-sato/reconnect");
    let (status, _) = send(&h.app, signed(&ring_back, &missed, TOKEN)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let call = h.call().await;
    assert_eq!(
        (
            call["status"].as_str(),
            call.get("operator_id"),
            call["offered_to"].as_str()
        ),
        (Some("ringing"), None, Some("op-suzuki")),
        "back in line, and offered at once"
    );
    assert_eq!(h.op("op-sato").await["status"], "away", "as after a missed call");
    assert_eq!(
        describe(&h.twilio.take_requests()),
        ["ring op_suzuki as operator ()"],
        "the next free operator"
    );
    let (_, body) = send(&h.app, signed(&path, &fetch, TOKEN)).await;
    assert!(body.contains("おつなぎし直しております"), "{body}");

    // 鈴木 answers: the customer is taken off hold
    let offer = h.op("op-suzuki").await["offer_id"].as_str().unwrap().to_owned();
    let answered = form(&[
        ("AccountSid", ACCOUNT),
        ("CallSid", "CA44444444444444444444444444444444"),
        ("CallStatus", "in-progress"),
        ("ApiVersion", "2010-04-01"),
    ]);
    let leg = format!("/twilio/voice/operator-leg/{CALL}/{offer}/op-suzuki");
    let (status, body) = send(&h.app, signed(&leg, &answered, TOKEN)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        describe(&h.twilio.take_requests()),
        ["read call", "unhold customer"],
        "the customer is still there (asked of Twilio), then off hold"
    );
    let call = h.call().await;
    assert_eq!(
        (call["status"].as_str(), call["operator_id"].as_str()),
        (Some("in_progress"), Some("op-suzuki"))
    );
    assert!(call.get("requeued_at").is_none() && call.get("reconnecting_at").is_none());
}

#[tokio::test]
async fn a_hold_music_fetch_whose_query_was_tampered_with_is_refused() {
    let h = harness().await;
    let fetch = form(&[
        ("AccountSid", ACCOUNT),
        ("CallSid", CALL),
        ("CallStatus", "in-progress"),
    ]);
    let mut req = signed(&format!("/twilio/voice/hold?call={CALL}"), &fetch, TOKEN);
    *req.uri_mut() = "/twilio/voice/hold?call=CA99999999999999999999999999999999"
        .parse()
        .unwrap();
    let (status, _) = send(&h.app, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the signature covers the query string");
}
