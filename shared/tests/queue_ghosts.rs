//! No ghost in the queue: a queued call whose caller is no longer waiting (the wait document
//! not fetched for longer than Twilio's wait loop, or the longest wait passed) leaves the queue
//! without being offered, and the live caller behind it is offered instead.

use std::sync::Arc;

use serde_json::json;
use shared::auth::Role;
use shared::domain::Services;
use shared::domain::calls::{CallSummary, Direction, call_key};
use shared::domain::routing::{QUEUE, Routing};
use shared::ids::OperatorId;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Query, Store, TxOp};

fn ago(seconds: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::seconds(seconds)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn queued(s: &Services, sid: &str, at: &str) {
    let mut item = CallSummary::new(sid, Direction::Inbound, None, None, "waiting", at.to_owned(), None).to_item();
    item.insert("queue_sk".into(), format!("{at}#{sid}").into());
    let mut ops = vec![TxOp::Put { item, cond: None }];
    ops.extend(Routing::enqueue_ops(at, sid));
    s.store.transact(ops).await.unwrap();
}

async fn services(store: Arc<dyn Store>) -> Services {
    let s = Services::new(store);
    s.settings
        .put_section(
            "call_handling",
            0,
            json!({"wrap_up_seconds": 0, "max_wait_seconds": 300, "ring_timeout_seconds": 30, "orphan_hold_seconds": 30}),
        )
        .await
        .unwrap();
    let id = OperatorId::parse("op-sato").unwrap();
    s.operators.ensure(&id, "佐藤 花子", Role::Operator).await.unwrap();
    s.operators.set_status(&id, "available").await.unwrap();
    s
}

const GONE: &str = "CA000000000000000000000000000000aa";
const OVERDUE: &str = "CA000000000000000000000000000000bb";
const LIVE: &str = "CA000000000000000000000000000000cc";

#[tokio::test]
async fn callers_no_longer_waiting_leave_the_queue_and_the_live_caller_is_offered() {
    // Given a caller gone 35 minutes ago (their wait document not fetched since), a caller who
    // kept fetching it but is past the longest wait, and a live caller who arrived last,
    let s = services(Arc::new(EmbeddedStore::in_memory().unwrap())).await;
    queued(&s, GONE, &ago(35 * 60)).await;
    queued(&s, OVERDUE, &ago(301)).await;
    s.routing.still_waiting(OVERDUE).await.unwrap();
    queued(&s, LIVE, &ago(20)).await;
    s.routing.still_waiting(LIVE).await.unwrap();

    // when the free operator is offered the longest-waiting call,
    let offer = s.routing.next_offer().await.unwrap().expect("an offer");

    // then it is the live caller's, and the others have left the queue as abandoned calls.
    assert_eq!(offer.call_sid, LIVE);
    let queue = s.store.query(Query::partition(QUEUE)).await.unwrap();
    let left: Vec<&str> = queue.items.iter().filter_map(|i| i["sid"].as_str()).collect();
    assert_eq!(left, [LIVE]);
    for sid in [GONE, OVERDUE] {
        let call = s.store.get(&call_key(sid)).await.unwrap().unwrap();
        assert_eq!(call["status"], "abandoned", "{sid}");
        assert!(call.get("ended_at").is_some(), "{sid}");
        assert!(call.get("offered_to").is_none(), "{sid} was never offered");
    }
}

#[tokio::test]
async fn a_caller_who_keeps_fetching_the_wait_document_stays_in_line() {
    let s = services(Arc::new(EmbeddedStore::in_memory().unwrap())).await;
    queued(&s, LIVE, &ago(200)).await;
    s.routing.still_waiting(LIVE).await.unwrap();
    let offer = s.routing.next_offer().await.unwrap().expect("an offer");
    assert_eq!(offer.call_sid, LIVE);
}
