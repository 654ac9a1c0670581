//! The reconciliation at a centre's size: 500 operators on calls and a queue, read without a
//! scan in a handful of store requests, each call believed live asked of Twilio once, and only
//! the calls Twilio says ended applied.

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
use shared::twilio::AccountSid;
use shared::twilio::telephony::{RecordingTelephony, TelephonyOperation};
use shared::twilio::webhook::CallStatus;

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
