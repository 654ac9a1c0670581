//! Transfers through the calls router, with the telephony port recording every REST request
//! (each checked against Twilio's OpenAPI description) and Twilio's callbacks applied the way
//! the voice function applies them: warm with a screen transfer, cold, unanswered, called
//! off, refused; nothing half-applied when Twilio fails; a customer held with nobody heals.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};
use shared::auth::Role;
use shared::control::{CallControl, RingBack};
use shared::domain::Services;
use shared::domain::calls::call_key;
use shared::domain::calls::{ParticipantLabel, ParticipantState};
use shared::domain::callstate::ParticipantEvent;
use shared::domain::handoff::handoff_key;
use shared::domain::operators::operator_key;
use shared::domain::routing::Routing;
use shared::ids::OperatorId;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Cond, Item, Query, TxOp, Update, attr};
use shared::testing::{call, json_request, request, signed_in};
use shared::twilio::rest::{ParticipantRef, ParticipantTo};
use shared::twilio::telephony::{RecordingTelephony, TelephonyError, TelephonyOperation, TelephonyRequest};
use shared::twilio::webhook::CallStatus;
use shared::twilio::{AccountSid, CallSid};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const CALL: &str = "CA66666666666666666666666666666666";
const CONF: &str = "CF66666666666666666666666666666666";
const CUSTOMER_LEG: &str = CALL;
const SATO_LEG: &str = "CA88888888888888888888888888888888";

struct Console {
    app: axum::Router,
    services: Services,
    twilio: Arc<RecordingTelephony>,
    d: CallControl,
}

async fn operator(s: &Services, id: &str, name: &str, role: Role, status: &str) {
    let op = OperatorId::parse(id).unwrap();
    s.operators.ensure(&op, name, role).await.unwrap();
    if status != "offline" && status != "on_call" {
        s.operators.set_status(&op, status).await.unwrap();
    }
}

/// A live inbound call answered by 佐藤 (op-sato), customer and operator in the conference;
/// 鈴木 (op-suzuki) is available, 伊藤 (op-ito) signed out, 加藤 (op-kato) away.
async fn console() -> Console {
    let services = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    services
        .settings
        .put_section(
            "lines",
            0,
            json!([{"id": "main", "number": "03-6800-0001", "label": "代表"}]),
        )
        .await
        .unwrap();
    operator(&services, "op-sato", "佐藤 花子", Role::Operator, "away").await;
    operator(&services, "op-suzuki", "鈴木 一郎", Role::Operator, "available").await;
    operator(&services, "op-ito", "伊藤 次郎", Role::Operator, "offline").await;
    operator(&services, "op-kato", "加藤 三郎", Role::Operator, "away").await;
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
    item.insert("answered_at".into(), "2026-11-23T10:00:00.000Z".into());
    item.insert("operator_id".into(), "op-sato".into());
    item.insert("operator_name".into(), "佐藤 花子".into());
    item.insert("conference_sid".into(), CONF.into());
    services.store.put(item, None).await.unwrap();
    let twilio = Arc::new(RecordingTelephony::new(AccountSid::parse(ACCOUNT).unwrap()));
    let d = CallControl::new(services.clone(), twilio.clone(), "https://voice.example.jp");
    let c = Console {
        app: calls::router(d.clone()),
        services,
        twilio,
        d,
    };
    c.event(1, "customer", CUSTOMER_LEG, "joined", false).await;
    c.event(2, "operator", SATO_LEG, "joined", false).await;
    c
}

impl Console {
    /// A conference participant event, applied as the voice function's conference webhook does.
    async fn event(&self, seq: u64, label: &str, leg: &str, state: &'static str, hold: bool) {
        let ev = ParticipantEvent {
            sequence: seq,
            label: ParticipantLabel::parse(label).expect("one of our labels"),
            call_sid: leg.into(),
            state: if state == "left" {
                ParticipantState::Left
            } else {
                ParticipantState::Joined
            },
            hold,
            muted: false,
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        };
        self.services.call_state.apply_participant(CALL, &ev).await.unwrap();
        self.d.after_participant_event(CALL, &ev).await.unwrap();
    }

    /// The target's leg callback, as the voice function's transfer-leg webhook applies it.
    async fn leg(&self, status: &str) {
        let call = self.call().await;
        let transfer = call["transfer_id"].as_str().unwrap().to_owned();
        let leg = CallSid::parse(call["transfer_to_leg"].as_str().unwrap()).unwrap();
        let status = status.parse().unwrap();
        self.d.transfer_progress(CALL, &transfer, &leg, status).await.unwrap();
    }

    async fn call(&self) -> Item {
        self.services.store.get(&call_key(CALL)).await.unwrap().unwrap()
    }

    async fn op(&self, id: &str) -> Item {
        self.services.store.get(&operator_key(id)).await.unwrap().unwrap()
    }

    async fn send(&self, who: &str, role: Role, req: axum::http::Request<axum::body::Body>) -> (StatusCode, Value) {
        call(&self.app, signed_in(req, who, role)).await
    }

    async fn transfer(&self, who: &str, body: Value) -> (StatusCode, Value) {
        self.send(
            who,
            Role::Operator,
            json_request("POST", &format!("/api/calls/{CALL}/transfer"), &body),
        )
        .await
    }

    /// Every request since the last call, each checked against Twilio's spec.
    fn rest(&self) -> Vec<TelephonyRequest> {
        let requests = self.twilio.take_requests();
        shared::testing::spec_checked(ACCOUNT, &requests);
        requests
    }
}

fn label_of(p: &ParticipantRef) -> &str {
    match p {
        ParticipantRef::Label(l) => l,
        ParticipantRef::Call(c) => c.as_str(),
    }
}

/// A compact picture of requests: `keep operator`, `hold customer`, `ring op_suzuki as transfer`, …
fn describe(requests: &[TelephonyRequest]) -> Vec<String> {
    requests
        .iter()
        .map(|r| match r {
            TelephonyRequest::UpdateParticipant {
                participant, request, ..
            } => match (request.hold, request.end_conference_on_exit) {
                (Some(true), _) => format!("hold {}", label_of(participant)),
                (Some(false), _) => format!("unhold {}", label_of(participant)),
                (None, Some(false)) => format!("keep {}", label_of(participant)),
                _ => format!("update {}", label_of(participant)),
            },
            TelephonyRequest::CreateParticipant { request, .. } => match &request.to {
                ParticipantTo::Client { identity, .. } => format!(
                    "ring {} as {}",
                    identity.as_str(),
                    request.label.as_deref().unwrap_or("-")
                ),
                other => format!("dial {other:?}"),
            },
            TelephonyRequest::RemoveParticipant { participant, .. } => format!("remove {}", label_of(participant)),
            TelephonyRequest::UpdateConference { request, .. } if request.end => "end conference".into(),
            TelephonyRequest::UpdateCall { .. } => "update call".into(),
            other => format!("{other:?}"),
        })
        .collect()
}

fn params_of(r: &TelephonyRequest) -> Vec<(String, String)> {
    match r {
        TelephonyRequest::CreateParticipant {
            request:
                shared::twilio::rest::CreateParticipant {
                    to: ParticipantTo::Client { params, .. },
                    ..
                },
            ..
        } => params.clone(),
        other => panic!("not a client ring: {other:?}"),
    }
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn screen() -> Value {
    json!({
        "account_id": "01JD0000000000000000000001",
        "contact_id": "01JD0000000000000000000002",
        "special_notes": [{"label": "ランク", "value": "A"}, {"label": "備考", "value": "請求書は郵送希望"}],
        "memo": "【お客様】請求書を再発行してほしい 🙏\n【オペレータ】担当部署へおつなぎします",
        "response_status": "escalated",
        "inquiry": {"object": "inquiry", "fields": {"subject": "請求書の再発行", "detail": "先月分"}}
    })
}

#[tokio::test]
async fn a_warm_transfer_with_a_screen_transfer_hands_the_customer_to_the_target_when_the_first_operator_hangs_up() {
    let c = console().await;
    let suzuki_before = c.op("op-suzuki").await;

    // Given 佐藤 transfers warm to 鈴木 with what her screen shows
    let (status, t) = c
        .transfer(
            "op-sato",
            json!({"to_operator": "op-suzuki", "mode": "warm", "screen": screen()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    assert_eq!(
        (t["state"].as_str(), t["mode"].as_str()),
        (Some("ringing"), Some("warm"))
    );
    let requests = c.rest();
    assert_eq!(
        describe(&requests),
        ["keep operator", "hold customer", "ring op_suzuki as transfer"],
        "the exit flag is set before the hold"
    );
    let TelephonyRequest::UpdateParticipant { request: hold, .. } = &requests[1] else {
        panic!()
    };
    assert_eq!(
        hold.hold_url.as_deref(),
        Some(format!("https://voice.example.jp/twilio/voice/hold?call={CALL}").as_str()),
        "the hold music can check on the call"
    );
    let TelephonyRequest::CreateParticipant { request: ring, .. } = &requests[2] else {
        panic!()
    };
    let params = params_of(&requests[2]);
    assert_eq!(param(&params, "callSid"), Some(CALL));
    assert_eq!(param(&params, "transferId"), t["id"].as_str());
    assert_eq!(param(&params, "mode"), Some("warm"));
    assert_eq!(param(&params, "fromOperator"), Some("佐藤 花子"));
    let handoff_id = param(&params, "handoffId")
        .expect("the handoff travels with the ring")
        .to_owned();
    assert_eq!(t["handoff_id"].as_str(), Some(handoff_id.as_str()));
    assert_eq!(ring.timeout, Some(20), "the configured ring timeout");
    assert_eq!(
        ring.status_callback.as_deref(),
        Some(
            format!(
                "https://voice.example.jp/twilio/voice/transfer-leg/{CALL}/{}/op-suzuki#rc=3&rp=ct,rt,5xx",
                t["id"].as_str().unwrap()
            )
            .as_str()
        )
    );

    // Then 鈴木 is reserved: routing offers him nothing while the transfer rings
    let suzuki = c.op("op-suzuki").await;
    assert_eq!(suzuki["current_call"], CALL);
    assert!(suzuki.get(attr::GSI2PK).is_none(), "out of the free list");
    let waiting = "CA77777777777777777777777777777777";
    let mut other = Item::new();
    let key = call_key(waiting);
    other.insert("PK".into(), key.pk.into());
    other.insert("SK".into(), key.sk.into());
    other.insert("sid".into(), waiting.into());
    other.insert("status".into(), "waiting".into());
    let mut ops = vec![TxOp::Put {
        item: other,
        cond: None,
    }];
    ops.extend(Routing::enqueue_ops("2026-11-23T10:00:30.000Z", waiting));
    c.services.store.transact(ops).await.unwrap();
    assert_eq!(c.services.routing.next_offer().await.unwrap(), None);
    let set = c
        .services
        .operators
        .set_status(&OperatorId::parse("op-suzuki").unwrap(), "break")
        .await;
    assert!(set.is_err(), "nor can he step away while it rings");

    // And a second transfer is refused
    let (status, body) = c
        .transfer("op-sato", json!({"to_operator": "op-kato", "mode": "cold"}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("transfer_in_progress"))
    );

    // When 鈴木's page loads the screen transfer as his phone rings
    let path = format!("/api/handoffs/{handoff_id}");
    let (status, h) = c.send("op-suzuki", Role::Operator, request("GET", &path)).await;
    assert_eq!(status, StatusCode::OK, "{h}");
    assert_eq!(
        h["screen"],
        screen(),
        "everything arrives intact, emoji and brackets included"
    );
    assert_eq!(
        (h["call_sid"].as_str(), h["from_name"].as_str()),
        (Some(CALL), Some("佐藤 花子"))
    );
    for who in ["op-kato", "op-sato"] {
        let (status, _) = c.send(who, Role::Operator, request("GET", &path)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} is not the target");
    }
    let (status, _) = c.send("sv-ito", Role::Supervisor, request("GET", &path)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, live) = c
        .send(
            "op-suzuki",
            Role::Operator,
            request("GET", &format!("/api/calls/{CALL}")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the target may follow the call");
    assert_eq!(live["transfer_in_progress"], true);

    // And he answers; the two operators talk while the customer is held
    c.event(3, "customer", CUSTOMER_LEG, "joined", true).await;
    c.leg("in-progress").await;
    let leg = c.call().await["transfer_to_leg"].as_str().unwrap().to_owned();
    c.event(4, "transfer", &leg, "joined", false).await;
    assert!(c.rest().is_empty(), "answering changes nothing at Twilio");
    let (_, live) = c
        .send("op-sato", Role::Operator, request("GET", &format!("/api/calls/{CALL}")))
        .await;
    assert_eq!(live["transfer"]["state"], "answered");
    assert_eq!(live["held"], json!(["customer"]));
    assert_eq!(c.op("op-suzuki").await["status"], "on_call");

    // And 佐藤 hangs up
    let (status, body) = c
        .send(
            "op-sato",
            Role::Operator,
            request("POST", &format!("/api/calls/{CALL}/hangup")),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        describe(&c.rest()),
        ["remove operator", "unhold customer"],
        "only her leg leaves; the conference goes on"
    );
    c.event(5, "operator", SATO_LEG, "left", false).await;
    c.event(6, "customer", CUSTOMER_LEG, "joined", false).await;
    assert!(c.rest().is_empty(), "the callbacks of what we did change nothing more");

    // Then the customer talks with 鈴木, whose call it is now
    let call = c.call().await;
    assert_eq!(
        (
            call["operator_id"].as_str(),
            call["operator_name"].as_str(),
            call["operator_label"].as_str()
        ),
        (Some("op-suzuki"), Some("鈴木 一郎"), Some("transfer"))
    );
    assert_eq!(call["transfer_state"], "completed");
    let (sato, suzuki) = (c.op("op-sato").await, c.op("op-suzuki").await);
    assert_eq!(
        (sato["status"].as_str(), sato.get("current_call")),
        (Some("wrap_up"), None)
    );
    assert_eq!(
        (suzuki["status"].as_str(), suzuki["current_call"].as_str()),
        (Some("on_call"), Some(CALL))
    );
    assert!(suzuki.get("transfer_id").is_none() && suzuki.get("free_since_key").is_none());
    assert_ne!(suzuki["version"], suzuki_before["version"]);
    let (_, live) = c
        .send("op-suzuki", Role::Operator, request("GET", "/api/calls/current"))
        .await;
    assert_eq!(
        (live["customer_held"].as_bool(), live["operator_label"].as_str()),
        (Some(false), Some("transfer"))
    );

    // And the call's controls follow him: his leg is the `transfer` one
    let (status, _) = c
        .send(
            "op-sato",
            Role::Operator,
            request("POST", &format!("/api/calls/{CALL}/hold")),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no longer her call");
    let (status, _) = c
        .send(
            "op-suzuki",
            Role::Operator,
            request("POST", &format!("/api/calls/{CALL}/hold")),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(describe(&c.rest()), ["keep transfer", "hold customer"]);
    c.event(7, "customer", CUSTOMER_LEG, "joined", true).await;
    let (status, _) = c
        .send(
            "op-suzuki",
            Role::Operator,
            request("POST", &format!("/api/calls/{CALL}/unhold")),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    c.event(8, "customer", CUSTOMER_LEG, "joined", false).await;
    let (status, _) = c
        .send(
            "op-suzuki",
            Role::Operator,
            request("POST", &format!("/api/calls/{CALL}/hangup")),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        describe(&c.rest()),
        ["unhold customer", "end conference"],
        "a normal call ends for everyone"
    );
}

#[tokio::test]
async fn a_cold_transfer_leaves_at_once_and_the_customer_is_with_the_target_when_he_answers() {
    let c = console().await;
    let (status, t) = c
        .transfer("op-sato", json!({"to_operator": "op-suzuki", "mode": "cold"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    assert_eq!(
        describe(&c.rest()),
        [
            "keep operator",
            "hold customer",
            "ring op_suzuki as transfer",
            "remove operator"
        ]
    );
    assert_eq!(t["from_left"], true);
    c.event(3, "customer", CUSTOMER_LEG, "joined", true).await;
    c.event(4, "operator", SATO_LEG, "left", false).await;
    let (_, live) = c
        .send("op-sato", Role::Operator, request("GET", &format!("/api/calls/{CALL}")))
        .await;
    assert_eq!(
        (
            live["customer_held"].as_bool(),
            live["transfer"]["state"].as_str(),
            live["orphaned_since"].as_str()
        ),
        (Some(true), Some("ringing"), None),
        "held with hold music, not alone: the transfer keeps them company"
    );
    c.leg("in-progress").await;
    assert_eq!(describe(&c.rest()), ["unhold customer"]);
    let call = c.call().await;
    assert_eq!(
        (call["operator_id"].as_str(), call["transfer_state"].as_str()),
        (Some("op-suzuki"), Some("completed"))
    );
    assert_eq!(c.op("op-sato").await["status"], "wrap_up");
    c.leg("in-progress").await;
    assert!(c.rest().is_empty(), "a repeated callback repeats nothing");
}

#[tokio::test]
async fn a_warm_transfer_nobody_answers_leaves_the_customer_held_with_the_first_operator() {
    let c = console().await;
    let free_key = c.op("op-suzuki").await[attr::GSI2SK].clone();
    let (status, _) = c
        .transfer("op-sato", json!({"to_operator": "op-suzuki", "mode": "warm"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    c.rest();
    c.event(3, "customer", CUSTOMER_LEG, "joined", true).await;
    c.leg("no-answer").await;
    assert!(c.rest().is_empty(), "she is still there: nothing to do at Twilio");
    let (_, live) = c
        .send("op-sato", Role::Operator, request("GET", &format!("/api/calls/{CALL}")))
        .await;
    assert_eq!(
        (
            live["transfer"]["state"].as_str(),
            live["transfer"]["reason"].as_str(),
            live["customer_held"].as_bool()
        ),
        (Some("failed"), Some("no_answer"), Some(true))
    );
    assert_eq!(live["call"]["operator_id"], "op-sato");
    let suzuki = c.op("op-suzuki").await;
    assert_eq!(
        (
            suzuki["status"].as_str(),
            suzuki.get("current_call"),
            &suzuki[attr::GSI2SK]
        ),
        (Some("available"), None, &free_key),
        "back in the free list where he was"
    );
    let (status, _) = c
        .send(
            "op-sato",
            Role::Operator,
            request("POST", &format!("/api/calls/{CALL}/unhold")),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "she takes the customer back");
}

#[tokio::test]
async fn a_cold_transfer_nobody_answers_rings_the_first_operator_back_and_then_the_queue() {
    let c = console().await;
    let (status, t) = c
        .transfer("op-sato", json!({"to_operator": "op-suzuki", "mode": "cold"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    c.rest();
    c.event(3, "customer", CUSTOMER_LEG, "joined", true).await;
    c.event(4, "operator", SATO_LEG, "left", false).await;

    c.leg("busy").await;
    let requests = c.rest();
    assert_eq!(describe(&requests), ["ring op_sato as operator"], "never left alone");
    let params = params_of(&requests[0]);
    assert_eq!(param(&params, "callSid"), Some(CALL));
    assert_eq!(param(&params, "ringBack"), Some("transfer_failed"));
    assert_eq!(param(&params, "reason"), Some("busy"));
    assert_eq!(param(&params, "transferId"), t["id"].as_str());
    let call = c.call().await;
    assert_eq!(
        (call["transfer_state"].as_str(), call["operator_id"].as_str()),
        (Some("failed"), Some("op-sato"))
    );
    c.leg("busy").await;
    assert!(c.rest().is_empty(), "rung back once");

    // When 佐藤 does not pick up either, the longest-idle free operator gets the call (鈴木,
    // back in the free list where he was)
    c.d.ring_back_progress(CALL, "op-sato", RingBack::TransferFailed, CallStatus::NoAnswer)
        .await
        .unwrap();
    assert_eq!(describe(&c.rest()), ["ring op_suzuki as operator"]);
    let call = c.call().await;
    assert_eq!(
        (call["status"].as_str(), call["offered_to"].as_str()),
        (Some("ringing"), Some("op-suzuki"))
    );
    assert_eq!(c.op("op-sato").await["status"], "away", "treated as a missed call");
}

#[tokio::test]
async fn a_warm_transfer_can_be_called_off_but_a_cold_one_cannot() {
    let c = console().await;
    let (status, _) = c
        .transfer("op-sato", json!({"to_operator": "op-suzuki", "mode": "warm"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    c.rest();
    c.event(3, "customer", CUSTOMER_LEG, "joined", true).await;
    c.leg("in-progress").await;
    let (status, t) = c
        .send(
            "op-sato",
            Role::Operator,
            request("DELETE", &format!("/api/calls/{CALL}/transfer")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert_eq!(t["state"], "canceled");
    assert_eq!(
        describe(&c.rest()),
        ["remove transfer"],
        "the customer stays held with her"
    );
    let suzuki = c.op("op-suzuki").await;
    assert_eq!(
        (suzuki["status"].as_str(), suzuki.get("current_call")),
        (Some("available"), None)
    );
    c.leg("in-progress").await;
    assert!(c.rest().is_empty(), "a late duplicate of the answer changes nothing");
    assert_eq!(c.call().await["transfer_state"], "canceled");
    let (status, body) = c
        .send(
            "op-sato",
            Role::Operator,
            request("DELETE", &format!("/api/calls/{CALL}/transfer")),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("no_transfer"))
    );

    let (status, _) = c
        .transfer("op-sato", json!({"to_operator": "op-suzuki", "mode": "cold"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "a new transfer after the one called off");
    c.rest();
    let (status, body) = c
        .send(
            "op-sato",
            Role::Operator,
            request("DELETE", &format!("/api/calls/{CALL}/transfer")),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("transfer_cannot_be_canceled"))
    );
}

#[tokio::test]
async fn transfers_to_the_wrong_person_or_of_the_wrong_call_are_refused_with_what_to_fix() {
    let c = console().await;
    let (status, _) = c
        .send(
            "op-kato",
            Role::Operator,
            json_request(
                "POST",
                &format!("/api/calls/{CALL}/transfer"),
                &json!({"to_operator": "op-suzuki", "mode": "warm"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "someone else's call");
    c.services
        .store
        .update(
            &operator_key("op-kato"),
            Update::default().set("current_call", "CA99999999999999999999999999999999"),
            None,
        )
        .await
        .unwrap();
    let cases = [
        (
            json!({"to_operator": "op-ito", "mode": "warm"}),
            StatusCode::CONFLICT,
            "target_offline",
        ),
        (
            json!({"to_operator": "op-kato", "mode": "warm"}),
            StatusCode::CONFLICT,
            "target_busy",
        ),
        (
            json!({"to_operator": "op-nobody", "mode": "warm"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_operator",
        ),
        (
            json!({"to_operator": "Op Sato!", "mode": "warm"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_operator",
        ),
        (
            json!({"to_operator": "op-sato", "mode": "warm"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "same_operator",
        ),
        (
            json!({"to_operator": "op-suzuki", "mode": "sideways"}),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            json!({"to_operator": "op-suzuki", "mode": "warm", "screen": {"response_status": "made_up"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_response_status",
        ),
        (
            json!({"to_operator": "op-suzuki", "mode": "warm", "screen": {"memo": "あ".repeat(10_001)}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "memo_too_long",
        ),
    ];
    for (body, expected, code) in cases {
        let (status, got) = c.transfer("op-sato", body.clone()).await;
        assert_eq!(
            (status, got["error"]["code"].as_str()),
            (expected, Some(code)),
            "{body}"
        );
    }
    let (_, got) = c
        .transfer("op-sato", json!({"to_operator": "op-suzuki", "mode": "warm", "screen": {"inquiry": {"object": "inquiry", "fields": {"colour": "red"}}}}))
        .await;
    assert_eq!(got["error"]["field"], "screen.inquiry.fields.colour");
    assert!(c.twilio.requests().is_empty(), "nothing reached Twilio");
    assert!(c.call().await.get("transfer_id").is_none());

    c.services
        .store
        .update(
            &call_key(CALL),
            Update::default().set("ended_at", "2026-11-23T10:10:00Z"),
            None,
        )
        .await
        .unwrap();
    let (status, body) = c
        .transfer("op-sato", json!({"to_operator": "op-suzuki", "mode": "warm"}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("call_ended"))
    );
    let (status, _) = c
        .send(
            "op-suzuki",
            Role::Operator,
            request("GET", "/api/handoffs/01JD0000000000000000000009"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no such (or an expired) screen transfer");
}

#[tokio::test]
async fn an_expired_screen_transfer_is_gone() {
    let c = console().await;
    let (_, t) = c
        .transfer(
            "op-sato",
            json!({"to_operator": "op-suzuki", "mode": "warm", "screen": {"memo": "メモ"}}),
        )
        .await;
    let id = t["handoff_id"].as_str().unwrap().to_owned();
    c.services
        .store
        .update(
            &handoff_key(&id),
            Update::default().set(attr::EXPIRES_AT, shared::store::epoch_now() - 1),
            None,
        )
        .await
        .unwrap();
    let (status, _) = c
        .send(
            "op-suzuki",
            Role::Operator,
            request("GET", &format!("/api/handoffs/{id}")),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn when_twilio_fails_a_transfer_leaves_nothing_half_applied() {
    let down = || TelephonyError::unavailable("Twilio is down");
    let gone = || TelephonyError::NotFound {
        code: Some(20404),
        message: "no such participant".into(),
    };
    let cases = [
        (
            "warm",
            vec![(TelephonyOperation::UpdateParticipant, down())],
            vec!["keep operator"],
        ),
        (
            // Her leg is already gone (fine for a cold transfer); the hold fails.
            "cold",
            vec![
                (TelephonyOperation::UpdateParticipant, gone()),
                (TelephonyOperation::UpdateParticipant, down()),
            ],
            vec!["keep operator", "hold customer"],
        ),
        (
            "warm",
            vec![(TelephonyOperation::CreateParticipant, down())],
            vec![
                "keep operator",
                "hold customer",
                "ring op_suzuki as transfer",
                "unhold customer",
            ],
        ),
        (
            "cold",
            vec![(TelephonyOperation::RemoveParticipant, down())],
            vec![
                "keep operator",
                "hold customer",
                "ring op_suzuki as transfer",
                "remove operator",
                "remove transfer",
                "unhold customer",
            ],
        ),
    ];
    for (mode, failures, undone) in cases {
        let c = console().await;
        let suzuki_before = c.op("op-suzuki").await;
        let call_before = c.call().await;
        for (operation, error) in failures {
            c.twilio.fail_next(operation, error);
        }
        let body = json!({"to_operator": "op-suzuki", "mode": mode, "screen": {"memo": "途中のメモ"}});
        let (status, got) = c.transfer("op-sato", body).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{undone:?}: {got}");
        let requests = c.rest();
        assert_eq!(describe(&requests), undone);
        let call = c.call().await;
        assert!(
            call.keys().all(|k| !k.starts_with("transfer_")),
            "no transfer left on the call: {call:?}"
        );
        assert_eq!(call.get("operator_id"), call_before.get("operator_id"));
        let suzuki = c.op("op-suzuki").await;
        for a in [
            "status",
            "current_call",
            "transfer_id",
            attr::GSI2PK,
            attr::GSI2SK,
            "free_since_key",
        ] {
            assert_eq!(suzuki.get(a), suzuki_before.get(a), "{undone:?}: 鈴木's {a}");
        }
        if let Some(ring) = requests
            .iter()
            .find(|r| matches!(r, TelephonyRequest::CreateParticipant { .. }))
        {
            let id = param(&params_of(ring), "handoffId").unwrap().to_owned();
            assert!(
                c.services.store.get(&handoff_key(&id)).await.unwrap().is_none(),
                "no screen transfer left"
            );
        }
        let (status, _) = c
            .transfer("op-sato", json!({"to_operator": "op-suzuki", "mode": "warm"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{undone:?}: it can be tried again");
    }
}

#[tokio::test]
async fn a_customer_held_with_nobody_is_reconnected_to_the_operator_then_to_the_queue() {
    let c = console().await;
    c.event(3, "customer", CUSTOMER_LEG, "joined", true).await;
    c.event(4, "operator", SATO_LEG, "left", false).await;
    let since = c.call().await["orphaned_since"]
        .as_str()
        .expect("noted from the conference event")
        .to_owned();

    // Not yet: the configured 30 seconds have not passed
    let (_, live) = c
        .send(
            "sv-ito",
            Role::Supervisor,
            request("GET", &format!("/api/calls/{CALL}")),
        )
        .await;
    assert_eq!(
        (live["orphaned_since"].as_str(), live["reconnecting"].as_bool()),
        (Some(since.as_str()), Some(false))
    );
    assert!(c.rest().is_empty());

    // When they have (the mark is moved back rather than waiting)
    let past =
        (chrono::Utc::now() - chrono::Duration::seconds(31)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    c.services
        .store
        .update(
            &call_key(CALL),
            Update::default().set("orphaned_since", past.as_str()),
            None,
        )
        .await
        .unwrap();
    let (_, live) = c
        .send(
            "sv-ito",
            Role::Supervisor,
            request("GET", &format!("/api/calls/{CALL}")),
        )
        .await;
    assert_eq!(live["reconnecting"], true, "{live}");
    let requests = c.rest();
    assert_eq!(
        describe(&requests),
        ["ring op_sato as operator"],
        "her phone rings back, like a rejoin"
    );
    let params = params_of(&requests[0]);
    assert_eq!(
        (param(&params, "ringBack"), param(&params, "reason")),
        (Some("reconnect"), Some("orphaned_hold"))
    );
    let (_, again) = c
        .send(
            "sv-ito",
            Role::Supervisor,
            request("GET", &format!("/api/calls/{CALL}")),
        )
        .await;
    assert_eq!(again["reconnecting"], true);
    assert!(c.rest().is_empty(), "once");

    // She answers: the customer is taken off hold
    c.d.ring_back_progress(CALL, "op-sato", RingBack::Reconnect, CallStatus::InProgress)
        .await
        .unwrap();
    c.event(5, "operator", "CA89898989898989898989898989898989", "joined", false)
        .await;
    assert_eq!(describe(&c.rest()), ["unhold customer"]);
    let (_, live) = c
        .send("op-sato", Role::Operator, request("GET", &format!("/api/calls/{CALL}")))
        .await;
    assert_eq!(
        (live["reconnecting"].as_bool(), live["orphaned_since"].as_str()),
        (Some(false), None)
    );

    // Held with nobody a second time: she had her chance, the call goes back in line
    c.event(6, "customer", CUSTOMER_LEG, "joined", true).await;
    c.event(7, "operator", "CA89898989898989898989898989898989", "left", false)
        .await;
    c.services
        .store
        .update(
            &call_key(CALL),
            Update::default()
                .set("orphaned_since", past.as_str())
                .set("heal_count", 1),
            None,
        )
        .await
        .unwrap();
    operator(&c.services, "op-suzuki", "鈴木 一郎", Role::Operator, "available").await;
    let (_, live) = c
        .send(
            "sv-ito",
            Role::Supervisor,
            request("GET", &format!("/api/calls/{CALL}")),
        )
        .await;
    assert_eq!(live["reconnecting"], true);
    assert_eq!(
        describe(&c.rest()),
        ["ring op_suzuki as operator"],
        "the next free operator"
    );
    let queue = c.services.store.query(Query::partition("QUEUE")).await.unwrap();
    assert_eq!(queue.items.len(), 1);
    assert!(
        queue.items[0]["SK"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-23T09:59:00.000Z"),
        "ahead of calls that arrived after it"
    );
    assert_eq!(c.op("op-sato").await["status"], "away");
}

#[tokio::test]
async fn while_a_transfer_rings_the_customer_stays_held_and_a_hang_up_by_the_customer_frees_the_target() {
    let c = console().await;
    let (status, _) = c
        .transfer("op-sato", json!({"to_operator": "op-suzuki", "mode": "warm"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    c.rest();
    c.event(3, "customer", CUSTOMER_LEG, "joined", true).await;
    for (method, path, body) in [
        ("POST", "unhold", None),
        (
            "POST",
            "consult",
            Some(json!({"to": "090-1234-5678", "line_id": "main"})),
        ),
        ("POST", "rejoin", None),
    ] {
        let uri = format!("/api/calls/{CALL}/{path}");
        let req = match body {
            Some(b) => json_request(method, &uri, &b),
            None => request(method, &uri),
        };
        let (status, got) = c.send("op-sato", Role::Operator, req).await;
        assert_eq!(
            (status, got["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("transfer_in_progress")),
            "{path}"
        );
    }
    assert!(c.rest().is_empty());

    // The customer hangs up: the call ends, 佐藤 wraps up, 鈴木 is free again
    c.services
        .store
        .update(
            &call_key(CALL),
            Update::default().set("ended_at", chrono::Utc::now().to_rfc3339()),
            None,
        )
        .await
        .unwrap();
    c.services.routing.ended(CALL).await.unwrap();
    let call = c.call().await;
    assert_eq!(
        (call["transfer_state"].as_str(), call["transfer_reason"].as_str()),
        (Some("failed"), Some("call_ended"))
    );
    let suzuki = c.op("op-suzuki").await;
    assert_eq!(
        (
            suzuki["status"].as_str(),
            suzuki.get("current_call"),
            suzuki.get(attr::GSI2PK).is_some()
        ),
        (Some("available"), None, true)
    );
    assert_eq!(c.op("op-sato").await["status"], "wrap_up");
    c.d.advance_transfer(CALL).await.unwrap();
    assert!(c.rest().is_empty(), "nobody is rung back into an ended call");
}

#[test]
fn the_api_document_describes_transfers_and_screen_transfers() {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(calls::ApiDoc::openapi()).unwrap();
    for path in ["/api/calls/{call}/transfer", "/api/handoffs/{id}"] {
        assert!(doc["paths"].get(path).is_some(), "{path}");
    }
    assert!(doc["paths"]["/api/calls/{call}/transfer"].get("delete").is_some());
    for schema in ["Transfer", "TransferRequest", "Handoff", "ScreenTransfer", "LiveCall"] {
        assert!(doc["components"]["schemas"].get(schema).is_some(), "{schema}");
    }
}

#[tokio::test]
async fn a_cold_transfer_twilio_never_reports_on_is_given_up_after_the_ring_timeout() {
    let c = console().await;
    let (status, _) = c
        .transfer("op-sato", json!({"to_operator": "op-suzuki", "mode": "cold"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    c.rest();
    c.event(3, "customer", CUSTOMER_LEG, "joined", true).await;
    c.event(4, "operator", SATO_LEG, "left", false).await;
    let (_, live) = c
        .send("op-sato", Role::Operator, request("GET", &format!("/api/calls/{CALL}")))
        .await;
    assert_eq!(live["transfer"]["state"], "ringing", "within the ring timeout");
    assert!(c.rest().is_empty());

    let past = (chrono::Utc::now() - chrono::Duration::seconds(1)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    c.services
        .store
        .update(
            &call_key(CALL),
            Update::default().set("transfer_ring_until", past),
            None,
        )
        .await
        .unwrap();
    let (_, live) = c
        .send("op-sato", Role::Operator, request("GET", &format!("/api/calls/{CALL}")))
        .await;
    assert_eq!(
        (live["transfer"]["state"].as_str(), live["transfer"]["reason"].as_str()),
        (Some("failed"), Some("timeout"))
    );
    assert_eq!(
        describe(&c.rest()),
        ["remove transfer", "ring op_sato as operator"],
        "the silent ring is hung up and the first operator rung back"
    );
    assert_eq!(c.op("op-suzuki").await["status"], "available");
}
