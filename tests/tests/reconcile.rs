//! The reconciliation through the whole console: a call whose end callbacks are all lost (the
//! simulator drops every webhook after the customer hangs up, beyond Twilio's retries) leaves
//! its operator 通話中 until the reconciliation asks the simulator's REST API what became of the
//! call; the run is driven here with a clock the test controls, as the schedule runs it once a
//! minute, instead of waiting minutes.

mod support;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::Console;

async fn drop_every_webhook(c: &Console) {
    let (s, v) = c
        .sim("PUT", "/sim/faults", json!({"webhooks": [{"kind": "drop"}]}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
}

async fn me(c: &Console, token: &str) -> Value {
    let (s, me) = c.api(token, "GET", "/api/operators/me", None).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    me
}

/// Runs the reconciliation as the once-a-minute schedule would, from `from` on, until `free`
/// says the operator is let go; returns when (on the test's clock) that happened.
async fn reconcile_each_minute(c: &Console, token: &str, from: DateTime<Utc>, minutes: i64) -> Option<DateTime<Utc>> {
    for minute in 0..=minutes {
        let at = from + Duration::seconds(60 * minute);
        let report = c.control.reconcile(at).await.expect("the reconciliation runs");
        if me(c, token).await["current_call"].is_null() {
            assert!(!report.ended.is_empty(), "{report:?}");
            return Some(at);
        }
    }
    None
}

/// The REST requests that read call `sid`, with their statuses.
async fn reads_of(c: &Console, sid: &str) -> Vec<u64> {
    c.rest_log()
        .await
        .iter()
        .filter(|r| r["method"] == "GET" && r["path"].as_str().unwrap().ends_with(&format!("/Calls/{sid}.json")))
        .map(|r| r["status"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn an_operator_whose_call_lost_every_end_callback_is_free_within_two_minutes() {
    let c = support::start().await;
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;

    assert_eq!(
        reads_of(&c, &sid).await,
        [200],
        "asked once whether the customer was there when she answered"
    );
    drop_every_webhook(&c).await;
    let (s, _) = c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let hung_up = Utc::now();
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    let stuck = me(&c, &sato).await;
    assert_eq!(
        (stuck["status"].as_str(), stuck["current_call"].as_str()),
        (Some("on_call"), Some(sid.as_str())),
        "without the callbacks the store still has the operator on the call: {stuck}"
    );

    // The schedule's first run falls just after the hang-up, when the call is too young to be
    // asked about; the operator is still free within two minutes of the call's end.
    let freed = reconcile_each_minute(&c, &sato, hung_up + Duration::seconds(1), 2)
        .await
        .expect("the reconciliation let the operator go");
    assert!(
        freed - hung_up <= Duration::seconds(120),
        "freed {}s after the call ended",
        (freed - hung_up).num_seconds()
    );
    let after = me(&c, &sato).await;
    assert_eq!(after["status"], "wrap_up", "{after}");
    assert_eq!(
        reads_of(&c, &sid).await,
        [200, 200],
        "one more read of the call, valid against Twilio's spec"
    );
    let row = c.history_row(&sato, "03-1234-5678", &sid).await;
    assert_eq!(
        (row["status"].as_str(), row["operator_id"].as_str()),
        (Some("completed"), Some("op-sato")),
        "{row:#}"
    );
    assert!(row["ended_at"].as_str().is_some(), "{row:#}");

    // A later run asks nothing more, and the lost callback arriving late changes nothing.
    let stored = c.stored_call(&sid).await.unwrap();
    let report = c.control.reconcile(Utc::now() + Duration::seconds(600)).await.unwrap();
    assert!(report.ended.is_empty() && report.asked == 0, "{report:?}");
    let late = [
        ("CallSid", sid.as_str()),
        ("AccountSid", c.account.account_sid.as_str()),
        ("CallStatus", "completed"),
        ("CallDuration", "3"),
        ("SequenceNumber", "3"),
        ("Timestamp", &Utc::now().to_rfc2822()),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    let callback = shared::twilio::webhook::CallStatusCallback::from_params(&late).unwrap();
    c.control.call_status(&callback).await.unwrap();
    let again = c.stored_call(&sid).await.unwrap();
    for field in ["status", "twilio_status", "twilio_seq", "operator_id", "counted"] {
        assert_eq!(
            again.get(field),
            stored.get(field),
            "{field} changed by the late callback"
        );
    }
    assert_eq!(
        me(&c, &sato).await["version"],
        after["version"],
        "the operator is left as they were"
    );
    let (_, today) = c.api(&c.sign_in("sv-ito").await, "GET", "/api/monitor", None).await;
    assert_eq!(today["today"]["answered"], 1, "counted once: {}", today["today"]);
}

#[tokio::test]
async fn a_live_call_is_never_ended_by_the_reconciliation() {
    let c = support::start().await;
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;

    let report = c.control.reconcile(Utc::now()).await.unwrap();
    assert_eq!(
        (report.calls, report.asked),
        (1, 0),
        "a call just answered is not asked about: {report:?}"
    );
    let report = c.control.reconcile(Utc::now() + Duration::seconds(3600)).await.unwrap();
    assert_eq!((report.asked, report.ended.len()), (1, 0), "{report:?}");
    let still = me(&c, &sato).await;
    assert_eq!(still["current_call"], sid.as_str(), "{still}");
    c.wait(json!({"conference": sid, "labels": ["customer", "operator"], "settled": true}))
        .await;
    c.assert_no_problems().await;
}

#[tokio::test]
async fn a_supervisor_releases_an_operator_whose_call_lost_its_end_and_is_refused_on_a_live_one() {
    let c = support::start().await;
    let sato = c.operator("op-sato").await;
    let ito = c.sign_in("sv-ito").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;

    let (s, refused) = c
        .api(&ito, "POST", "/api/monitor/operators/op-sato/release", None)
        .await;
    assert_eq!(
        (s, refused["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("call_live")),
        "{refused}"
    );
    assert_eq!(me(&c, &sato).await["current_call"], sid.as_str());

    drop_every_webhook(&c).await;
    c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    let (s, released) = c
        .api(&ito, "POST", "/api/monitor/operators/op-sato/release", None)
        .await;
    assert_eq!(
        (s, released["outcome"].as_str()),
        (StatusCode::OK, Some("released")),
        "{released}"
    );
    let after = me(&c, &sato).await;
    assert!(after["current_call"].is_null(), "{after}");
    let (s, _) = c
        .api(
            &sato,
            "PUT",
            "/api/operators/me/status",
            Some(json!({"status": "away"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "the operator may change their status again");
    let (s, _) = c
        .api(&sato, "POST", "/api/monitor/operators/op-sato/release", None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "operators release nobody");
}

#[tokio::test]
async fn an_operator_who_answers_after_the_customer_left_is_freed_at_once_and_the_call_is_abandoned() {
    let c = support::start().await;
    let sato = c.sign_in("op-sato").await;
    let (s, _) = c.sim("POST", "/sim/phones/op_sato", json!({})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, started) = c.sim("POST", "/sim/calls", json!({"from": "03-1234-5678"})).await;
    assert_eq!(s, StatusCode::CREATED, "{started}");
    let sid = started["sid"].as_str().unwrap().to_owned();
    c.wait(json!({"call": sid, "in_conference": true, "settled": true}))
        .await;

    // The caller hangs up while nobody is free, and every callback saying so is lost: the
    // store still has them waiting, in their conference.
    drop_every_webhook(&c).await;
    c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    let (s, _) = c.sim("DELETE", "/sim/faults", json!({})).await;
    assert!(s.is_success());

    // Sato becomes free: the call is offered and rings, and she answers into an empty room.
    let (s, v) = c
        .api(
            &sato,
            "PUT",
            "/api/operators/me/status",
            Some(json!({"status": "available"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let ring = c.wait(json!({"phone": "op_sato"})).await;
    assert_eq!(ring["ringing"]["params"]["callSid"], json!(sid), "{ring:#}");
    let (s, v) = c.sim("POST", "/sim/phones/op_sato/accept", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    c.settle().await;

    let after = me(&c, &sato).await;
    assert_eq!(
        (after["status"].as_str(), after["current_call"].as_str()),
        (Some("available"), None),
        "free again at once, not 通話中 in an empty room: {after}"
    );
    assert_eq!(after["released_call"], sid.as_str(), "{after}");
    assert_eq!(after["released_reason"], "customer_gone", "{after}");
    let row = c.history_row(&sato, "03-1234-5678", &sid).await;
    assert_eq!(row["status"], "abandoned", "recorded as abandoned: {row:#}");
    assert!(row.get("operator_id").is_none(), "nobody talked to the caller: {row:#}");
    assert_eq!(row["end_reason"], "caller_gone_before_answer", "{row:#}");
    let (_, board) = c.api(&c.sign_in("sv-ito").await, "GET", "/api/monitor", None).await;
    assert_eq!(
        (
            board["today"]["abandoned"].as_u64(),
            board["today"]["answered"].as_u64()
        ),
        (Some(1), Some(0)),
        "{}",
        board["today"]
    );
    let (_, phone) = c.sim("GET", "/sim/phones/op_sato/events", json!({})).await;
    assert!(
        phone.as_array().unwrap().iter().any(|e| e["type"] == "disconnected"),
        "her leg was hung up: {phone:#}"
    );
    // What she typed in the moment before is still hers to save (it was refused 403 and lost).
    let words = json!({"version": 0, "text": "無言のため切断"});
    let (s, saved) = c.api(&sato, "PUT", &format!("/api/memos/{sid}"), Some(words)).await;
    assert_eq!(s, StatusCode::OK, "{saved}");
}

/// The local runtime started again on the same store (`local/run` after a restart): a new
/// simulator that knows none of the calls the store still has live. Returns its base URL and
/// call control; its dev sign-in is at `/api/dev/sign-in` as before.
async fn restarted(c: &Console) -> (String, shared::control::CallControl) {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = local::build_with(
        c.raw.clone(),
        local::dev_secret(&dir.path().join("console.sqlite")).unwrap(),
        &dir.path().join("no-page"),
        &url,
        local::sim::SimConfig {
            default_answering: local::sim::Answering::Manual,
            ..local::sim::SimConfig::default()
        },
    )
    .await
    .unwrap();
    let control = app.control.clone();
    tokio::spawn(async move {
        let _dir = dir;
        axum::serve(listener, app.router).await
    });
    (url, control)
}

#[tokio::test]
async fn a_call_the_restarted_simulator_does_not_know_frees_its_operator_and_ends_unknown() {
    let c = support::start().await;
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;
    assert_eq!(me(&c, &sato).await["current_call"], sid.as_str());

    // The runtime (and its simulator) restarts: the call is still live in the store, and the
    // Twilio it now talks to has never heard of it.
    let (url, control) = restarted(&c).await;
    let mut again = c;
    (again.url, again.control) = (url, control);
    let sato = again.sign_in("op-sato").await;
    let stuck = me(&again, &sato).await;
    assert_eq!(
        (stuck["status"].as_str(), stuck["current_call"].as_str()),
        (Some("on_call"), Some(sid.as_str())),
        "{stuck}"
    );

    // The timer's next run after the live bound: Twilio answers 404 for the call.
    let report = again
        .control
        .reconcile(Utc::now() + Duration::seconds(60))
        .await
        .expect("the reconciliation runs");
    assert_eq!(
        (report.asked, report.ended.clone()),
        (1, vec![sid.clone()]),
        "{report:?}"
    );
    assert_eq!(
        reads_of(&again, &sid).await,
        [404],
        "asked once; Twilio knows no such call"
    );
    let after = me(&again, &sato).await;
    assert!(after["current_call"].is_null(), "the operator is let go: {after}");
    assert_eq!(after["status"], "wrap_up", "{after}");
    let (s, v) = again
        .api(
            &sato,
            "PUT",
            "/api/operators/me/status",
            Some(json!({"status": "available"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "she may take calls again: {v}");

    let row = again.history_row(&sato, "03-1234-5678", &sid).await;
    assert_eq!(
        (
            row["status"].as_str(),
            row["operator_id"].as_str(),
            row["end_reason"].as_str()
        ),
        (Some("completed"), Some("op-sato"), Some("unknown")),
        "talked to, then cut off for a reason nobody reported (not 接続失敗): {row:#}"
    );
    assert!(row["ended_at"].as_str().is_some(), "{row:#}");
    let report = again
        .control
        .reconcile(Utc::now() + Duration::seconds(600))
        .await
        .unwrap();
    assert!(
        report.ended.is_empty() && report.asked == 0,
        "settled for good: {report:?}"
    );
}

/// Sets how long a customer may be held with nobody and how long an operator's phone rings, as
/// the admin does (5 s each, the least allowed, for a test that does not wait a minute).
async fn heal_quickly(c: &Console) {
    let admin = c.sign_in("admin-watanabe").await;
    let (_, settings) = c.api(&admin, "GET", "/api/settings", None).await;
    let mut value = settings["call_handling"].clone();
    value["orphan_hold_seconds"] = json!(5);
    value["ring_timeout_seconds"] = json!(5);
    let version = settings["versions"]["call_handling"].as_u64().unwrap_or(0);
    let (s, v) = c
        .api(
            &admin,
            "PUT",
            "/api/settings/call_handling",
            Some(json!({"version": version, "value": value})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// Seen in the centre's day (76 operators stuck on the embedded store): an operator's 切断 was
/// refused while the store was down, her softphone then hung up its own leg, and every callback
/// saying so was lost. The customer stayed alone in the conference, the call live at Twilio, so
/// the reconciliation (which read only the call) left her 通話中 for good. Now it lists the
/// conference's participants, finds her leg gone and applies the leave as the callback would
/// have: the customer is held for 再接続, she is rung back once, and when nobody answers (its
/// callback lost too) the call goes back in line and she is let go.
#[tokio::test]
async fn an_operator_whose_leg_left_with_every_callback_lost_is_let_go_and_the_customer_kept() {
    let c = support::start_with(local::sim::SimConfig {
        pause_scale: 0.05,
        ..local::sim::SimConfig::default()
    })
    .await;
    heal_quickly(&c).await;
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;
    c.wait(json!({"conference": sid, "labels": ["customer", "operator"], "settled": true}))
        .await;

    // Given her leg gone from the conference and every webhook from then on lost,
    drop_every_webhook(&c).await;
    let (s, v) = c.sim("POST", "/sim/phones/op_sato/hangup", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    c.wait(json!({"conference": sid, "labels": ["customer"], "without_labels": ["operator"], "settled": true}))
        .await;
    let left = std::time::Instant::now();
    let stuck = me(&c, &sato).await;
    assert_eq!(
        (stuck["status"].as_str(), stuck["current_call"].as_str()),
        (Some("on_call"), Some(sid.as_str())),
        "nothing told the console: {stuck}"
    );

    // when the schedule runs (every 2 s here; the call is past the live bound),
    let mut corrected = Vec::new();
    let mut free = None;
    while left.elapsed() < std::time::Duration::from_secs(60) {
        let report = c
            .control
            .reconcile(Utc::now() + Duration::seconds(60))
            .await
            .expect("the reconciliation runs");
        corrected.extend(report.corrected);
        let now = me(&c, &sato).await;
        if now["current_call"].is_null() {
            free = Some((left.elapsed(), now));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }

    // then she is let go once the customer was held for 再接続 and her ring-back rang out
    // (5 s, 5 s and the grace for a lost callback: well inside a minute),
    let (after, now) = free.expect("the operator was let go");
    assert!(after.as_secs() <= 30, "let go {after:?} after her leg left");
    assert_eq!(now["status"], "away", "as after a ring-back she missed: {now}");
    assert!(corrected.contains(&sid), "{corrected:?}");
    // the customer was never hung up: still on the line, held, and back in line for the next
    // operator,
    c.wait(json!({"call": sid, "status": "in-progress", "held": true}))
        .await;
    let (_, phone) = c.sim("GET", "/sim/phones/op_sato/events", json!({})).await;
    let rung_back = phone
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "incoming" && e["params"]["ringBack"] == "reconnect")
        .count();
    assert_eq!(rung_back, 1, "she was rung back once first: {phone:#}");
    let stored = c.stored_call(&sid).await.unwrap();
    assert_eq!(stored["status"], "waiting", "{stored:?}");
    assert!(stored.get("operator_id").is_none(), "{stored:?}");
    let (s, _) = c.sim("DELETE", "/sim/faults", json!({})).await;
    assert!(s.is_success());
    let suzuki = c.operator("op-suzuki").await;
    let offered = c.wait(json!({"phone": "op_suzuki", "timeout_ms": 20000})).await;
    assert_eq!(offered["ringing"]["params"]["callSid"], sid.as_str(), "{offered:#}");
    assert!(me(&c, &suzuki).await["current_call"] == sid.as_str());
    // and every request asked of Twilio is one its spec allows (the hold music's fetches the
    // fault dropped are the only problems the simulator saw).
    let (_, problems) = c.sim("GET", "/sim/problems", json!({})).await;
    assert!(
        problems
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p.as_str().is_some_and(|p| p.ends_with("(injected)"))),
        "{problems:#}"
    );
    let rest = c.rest_log().await;
    assert!(rest.iter().all(|r| r["status"].as_u64().unwrap() < 400), "{rest:#?}");
    assert!(
        rest.iter()
            .any(|r| r["method"] == "GET" && r["path"].as_str().unwrap().ends_with("/Participants.json")),
        "the conference's participants were listed: {rest:#?}"
    );
}

/// Seen in the centre's day: the operator was consulting (customer held, the outside party on
/// the line) when her leg went (the page's 切断 and 通話終了 refused in the store outage, the
/// softphone hung up). The outside party kept the customer company, so the call never counted
/// as one held with nobody and never healed: the operator stayed 通話中 for good. Now the
/// consultation call she left behind is hung up, and the call heals as any other: she is rung
/// back, and when she does not answer the call goes back in line and she is let go.
#[tokio::test]
async fn a_consultation_the_operators_leg_left_behind_is_hung_up_and_the_call_heals() {
    let c = support::start_with(local::sim::SimConfig {
        pause_scale: 0.05,
        ..local::sim::SimConfig::default()
    })
    .await;
    heal_quickly(&c).await;
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;
    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hold"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (s, v) = c
        .api(
            &sato,
            "POST",
            &format!("/api/calls/{sid}/consult"),
            Some(json!({"to": "090-1111-2222", "line_id": "sales"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (_, state) = c.sim("GET", "/sim/state", json!({})).await;
    let outside = state["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|call| call["to"] == "+819011112222")
        .expect("the outside party is called")["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    c.sim("POST", &format!("/sim/calls/{outside}/answer"), json!({})).await;
    c.wait(json!({"conference": sid, "labels": ["customer", "operator", "consult"], "settled": true}))
        .await;

    // Given her leg gone mid-consultation,
    let (s, v) = c.sim("POST", "/sim/phones/op_sato/hangup", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // then the outside party is hung up, the customer kept on hold,
    c.wait(json!({"call": outside, "status": "completed", "settled": true}))
        .await;
    c.wait(json!({"call": sid, "status": "in-progress", "held": true}))
        .await;
    // she is rung back for 再接続, and when she lets it ring out she is let go and the caller
    // is offered to the next operator.
    let rung = c.wait(json!({"phone": "op_sato", "timeout_ms": 20000})).await;
    assert_eq!(rung["ringing"]["params"]["ringBack"], "reconnect", "{rung:#}");
    let suzuki = c.operator("op-suzuki").await;
    let offered = c.wait(json!({"phone": "op_suzuki", "timeout_ms": 30000})).await;
    assert_eq!(offered["ringing"]["params"]["callSid"], sid.as_str(), "{offered:#}");
    let now = me(&c, &sato).await;
    assert!(now["current_call"].is_null(), "let go: {now}");
    assert!(me(&c, &suzuki).await["current_call"] == sid.as_str());
    c.assert_no_problems().await;
}

/// Seen in the centre's day on DynamoDB Local: the operator had put the customer on hold when
/// the store went down; her 通話再開 and 切断 were refused, her softphone hung up, and the
/// leave callback was lost in the outage. The customer was left on hold with nobody and no
/// record of the leave: the reconciliation found her leg gone, and the call must heal from
/// there as after a leave that was heard (she is rung back, then the call goes back in line).
#[tokio::test]
async fn a_customer_on_hold_whose_operators_leg_left_unheard_heals() {
    let c = support::start_with(local::sim::SimConfig {
        pause_scale: 0.05,
        ..local::sim::SimConfig::default()
    })
    .await;
    heal_quickly(&c).await;
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;
    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hold"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(json!({"call": sid, "held": true, "settled": true})).await;

    // Given her leg gone while the customer is on hold, its leave callback lost,
    let (s, v) = c
        .sim(
            "PUT",
            "/sim/faults",
            json!({"webhooks": [{"kind": "drop", "paths": "/twilio/voice/conference"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (s, v) = c.sim("POST", "/sim/phones/op_sato/hangup", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    c.wait(json!({"conference": sid, "labels": ["customer"], "without_labels": ["operator"], "settled": true}))
        .await;
    let (s, _) = c.sim("DELETE", "/sim/faults", json!({})).await;
    assert!(s.is_success());
    let left = std::time::Instant::now();

    // when the schedule runs (every 2 s here),
    let mut rung = None;
    while left.elapsed() < std::time::Duration::from_secs(40) && rung.is_none() {
        c.control
            .reconcile(Utc::now() + Duration::seconds(60))
            .await
            .expect("the reconciliation runs");
        let (_, phone) = c.sim("GET", "/sim/phones/op_sato/events", json!({})).await;
        rung = phone
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["type"] == "incoming" && e["params"]["ringBack"] == "reconnect")
            .cloned();
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }

    // then she is rung back for 再接続 once the customer was held with nobody long enough,
    assert!(rung.is_some(), "rung back within 40 s of her leg leaving");
    // and when she lets it ring out, she is let go and the caller offered to the next operator.
    let suzuki = c.operator("op-suzuki").await;
    let offered = c.wait(json!({"phone": "op_suzuki", "timeout_ms": 30000})).await;
    assert_eq!(offered["ringing"]["params"]["callSid"], sid.as_str(), "{offered:#}");
    assert!(me(&c, &sato).await["current_call"].is_null());
    assert!(me(&c, &suzuki).await["current_call"] == sid.as_str());
}
