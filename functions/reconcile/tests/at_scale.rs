//! The reconciliation at a centre's size: 500 operators on calls and a queue, read without a
//! scan in a handful of store requests, each call believed live asked of Twilio once (its
//! conference's participants, or the call itself), and only the calls Twilio says ended, or whose
//! room differs from the store, acted on.

use std::sync::Arc;

use serde_json::json;
use shared::control::CallControl;
use shared::domain::Services;
use shared::domain::calls::{CallSummary, Direction};
use shared::domain::operators::{OperatorStatus, operator_key};
use shared::domain::routing::Routing;
use shared::ids::OperatorId;
use shared::store::counting::CountingStore;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Item, Store};
use shared::testing::spec_checked;
use shared::twilio::telephony::{RecordingTelephony, TelephonyOperation, TelephonyRequest};
use shared::twilio::webhook::CallStatus;
use shared::twilio::{AccountSid, CallSid, ConferenceSid};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";

fn item(v: serde_json::Value) -> Item {
    v.as_object().cloned().expect("an object")
}

fn sid(i: usize) -> String {
    format!("CA{i:032x}")
}

/// `operators` operators each talking on a call answered an hour ago, and `waiting` callers.
async fn centre(store: &dyn Store, operators: usize, waiting: usize) {
    let at = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut puts = Vec::new();
    for i in 0..operators {
        let id = format!("op-{i:04}");
        let key = operator_key(&id);
        puts.push(item(json!({
            "PK": key.pk, "SK": key.sk, "GSI1PK": "OPS", "GSI1SK": id,
            "id": id, "name": format!("オペレータ {i}"), "role": "operator",
            "status": "on_call", "status_since": at, "current_call": sid(i), "version": 3
        })));
        let mut c = CallSummary::new(&sid(i), Direction::Inbound, None, None, "in_progress", at.clone(), None);
        c.operator_id = Some(id.clone());
        c.answered_at = Some(at.clone());
        puts.push(c.to_item());
    }
    store.batch_write(puts, vec![]).await.unwrap();
    for i in 0..waiting {
        let sid = format!("CA{:032x}", 1_000_000 + i);
        let at =
            (chrono::Utc::now() - chrono::Duration::seconds(20)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let c = CallSummary::new(&sid, Direction::Inbound, None, None, "waiting", at.clone(), None);
        store.put(c.to_item(), None).await.unwrap();
        store.transact(Routing::enqueue_ops(&at, &sid)).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_operators_on_calls_cost_a_few_store_requests_and_one_twilio_read_a_call() {
    // Given 500 operators on calls answered an hour ago and 20 callers waiting, three of the
    // calls over at Twilio although the store never heard of it,
    let counting = Arc::new(CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap())));
    centre(&*counting, 500, 20).await;
    let twilio = Arc::new(RecordingTelephony::new(AccountSid::parse(ACCOUNT).unwrap()));
    let ended_at = chrono::Utc::now() - chrono::Duration::seconds(70);
    for i in [7, 250, 499] {
        twilio.set_call(&sid(i), CallStatus::Completed, Some(ended_at));
    }
    let control = CallControl::new(
        Services::new(counting.clone()),
        twilio.clone(),
        "https://voice.example.jp",
    );
    counting.reset();

    // when the reconciliation runs,
    let report = reconcile::run(&control, reconcile::ScheduledEvent::default())
        .await
        .unwrap();

    // then every call is asked about once, with requests Twilio's spec allows,
    assert_eq!(
        (report.operators, report.calls, report.asked),
        (500, 500, 500),
        "{report:?}"
    );
    let requests = twilio.requests();
    assert!(requests.iter().all(|r| r.operation() == TelephonyOperation::FetchCall));
    assert_eq!(requests.len(), 500);
    spec_checked(ACCOUNT, &requests);
    // only the three calls that ended are applied, and their operators go to wrap-up,
    let mut ended = report.ended.clone();
    ended.sort();
    assert_eq!(ended, [sid(7), sid(250), sid(499)]);
    for i in [7, 250, 499, 8] {
        let op = control
            .services
            .operators
            .get(&OperatorId::parse(&format!("op-{i:04}")).unwrap())
            .await
            .unwrap();
        if i == 8 {
            assert_eq!((op.status, op.current_call), (OperatorStatus::OnCall, Some(sid(8))));
        } else {
            assert_eq!(op.status, OperatorStatus::WrapUp, "op-{i:04}");
            assert_eq!(op.current_call, None);
        }
    }
    // and finding the candidates took the operator list, the queue and one batch read per 100
    // calls; no scan.
    let counts = counting.counts();
    eprintln!("store requests of a run at 500 operators: {counts:?}");
    assert_eq!(counts.batch_gets, 5, "{counts:?}");
    assert_eq!(counts.scans, 0, "{counts:?}");
    // The rest is the three ends applied as their callbacks would be (about 14 requests each)
    // and routing run once more: the run's cost follows the calls that ended, not the team.
    assert!(counts.total() <= 7 + 3 * 15 + 4, "{counts:?}");
}

fn conference(i: usize) -> String {
    format!("CF{i:032x}")
}

fn leg(i: usize) -> String {
    format!("CA{:032x}", 5_000_000 + i)
}

/// `operators` operators each talking on a call answered an hour ago, in its conference with
/// the customer, as the store has it from the conference's callbacks.
async fn centre_in_conferences(store: &dyn Store, operators: usize) {
    let at = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut puts = Vec::new();
    for i in 0..operators {
        let id = format!("op-{i:04}");
        let key = operator_key(&id);
        puts.push(item(json!({
            "PK": key.pk, "SK": key.sk, "GSI1PK": "OPS", "GSI1SK": id,
            "id": id, "name": format!("オペレータ {i}"), "role": "operator",
            "status": "on_call", "status_since": at, "current_call": sid(i), "version": 3
        })));
        let mut c = CallSummary::new(&sid(i), Direction::Inbound, None, None, "in_progress", at.clone(), None);
        c.operator_id = Some(id.clone());
        c.answered_at = Some(at.clone());
        let mut call = c.to_item();
        for (k, v) in [
            ("conference_sid", json!(conference(i))),
            (
                "p_customer",
                json!({"label": "customer", "call_sid": sid(i), "state": "joined", "hold": false, "muted": false, "at": at}),
            ),
            ("pseq_customer", json!(1)),
            (
                "p_operator",
                json!({"label": "operator", "call_sid": leg(i), "state": "joined", "hold": false, "muted": false, "at": at}),
            ),
            ("pseq_operator", json!(2)),
        ] {
            call.insert(k.into(), v);
        }
        puts.push(call);
    }
    store.batch_write(puts, vec![]).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_conferences_are_listed_once_each_and_only_a_lost_leave_or_end_is_acted_on() {
    // Given 500 operators talking in their conferences, three whose legs left unheard (the
    // customer alone in the room) and two calls over at Twilio (nobody left in the room),
    let counting = Arc::new(CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap())));
    centre_in_conferences(&*counting, 500).await;
    let twilio = Arc::new(RecordingTelephony::new(AccountSid::parse(ACCOUNT).unwrap()));
    let left_alone = [3, 260, 498];
    let over = [11, 400];
    for i in 0..500 {
        let cf = ConferenceSid::parse(&conference(i)).unwrap();
        let (customer, operator) = (CallSid::parse(&sid(i)).unwrap(), CallSid::parse(&leg(i)).unwrap());
        if over.contains(&i) {
            twilio.set_participants(&cf, &[]);
            twilio.set_call(&sid(i), CallStatus::Completed, Some(chrono::Utc::now()));
        } else if left_alone.contains(&i) {
            twilio.set_participants(&cf, &[("customer", &customer, false)]);
        } else {
            twilio.set_participants(&cf, &[("customer", &customer, false), ("operator", &operator, false)]);
        }
    }
    let control = CallControl::new(
        Services::new(counting.clone()),
        twilio.clone(),
        "https://voice.example.jp",
    );
    counting.reset();

    // when the reconciliation runs,
    let report = reconcile::run(&control, reconcile::ScheduledEvent::default())
        .await
        .unwrap();

    // then each conference is listed once, and only the rooms without the customer read the
    // call (a room that differed is listed again around its fix),
    let requests = twilio.requests();
    spec_checked(ACCOUNT, &requests);
    let count = |op| requests.iter().filter(|r| r.operation() == op).count();
    assert_eq!(count(TelephonyOperation::FetchCall), 2);
    assert_eq!(count(TelephonyOperation::ListParticipants), 500 + 2 * left_alone.len());
    let mut ended = report.ended.clone();
    ended.sort();
    assert_eq!(ended, [sid(11), sid(400)]);
    let mut corrected = report.corrected.clone();
    corrected.sort();
    assert_eq!(corrected, left_alone.map(sid));
    // a customer left alone is held (hearing that they are being reconnected), and their
    // operator is kept for 再接続 while the call heals itself, as after a leave that was heard;
    let mut held: Vec<String> = requests
        .iter()
        .filter_map(|r| match r {
            TelephonyRequest::UpdateParticipant {
                conference, request, ..
            } if request.hold == Some(true) => Some(conference.to_string()),
            _ => None,
        })
        .collect();
    held.sort();
    assert_eq!(held, left_alone.map(conference).to_vec(), "{requests:?}");
    for i in left_alone {
        let call = control.call(&sid(i)).await.unwrap().unwrap();
        assert!(
            call.joined(shared::domain::calls::ParticipantLabel::Operator).is_none(),
            "{i}"
        );
        assert!(call.reconnecting_at.is_some(), "{i}");
        let op = control
            .services
            .operators
            .get(&OperatorId::parse(&format!("op-{i:04}")).unwrap())
            .await
            .unwrap();
        assert_eq!(op.current_call, Some(sid(i)), "kept for 再接続");
    }
    // the others are left as they were;
    let untouched = control.call(&sid(8)).await.unwrap().unwrap();
    assert!(
        untouched
            .joined(shared::domain::calls::ParticipantLabel::Operator)
            .is_some()
    );
    assert!(untouched.reconnecting_at.is_none());
    // and the store requests follow what was found, not the team: the candidates in a few
    // batch reads, about 14 for each end applied and a handful for each room fixed.
    let counts = counting.counts();
    eprintln!("store requests of a run at 500 operators in conferences: {counts:?}");
    assert_eq!(counts.batch_gets, 5, "{counts:?}");
    assert_eq!(counts.scans, 0, "{counts:?}");
    assert!(counts.total() <= 7 + 2 * 15 + 3 * 8 + 4, "{counts:?}");
}
