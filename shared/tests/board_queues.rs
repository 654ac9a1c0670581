//! The supervisors' board shows each queue (窓口): how many callers wait in it and the longest
//! wait, a call queued before there were queues counted in the first queue.

use std::sync::Arc;

use serde_json::json;
use shared::domain::Services;
use shared::domain::calls::call_key;
use shared::domain::routing::Routing;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Cond, Item, TxOp, attr};

async fn waiting_since(s: &Services, sid: &str, seconds_ago: i64, queue: Option<&str>) {
    let at = (chrono::Utc::now() - chrono::Duration::seconds(seconds_ago))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let key = call_key(sid);
    let mut call = Item::new();
    call.insert(attr::PK.into(), key.pk.into());
    call.insert(attr::SK.into(), key.sk.into());
    call.insert("sid".into(), sid.into());
    call.insert("direction".into(), "inbound".into());
    call.insert("status".into(), "waiting".into());
    call.insert("started_at".into(), at.clone().into());
    call.insert("queue_sk".into(), format!("{at}#{sid}").into());
    let mut ops = vec![TxOp::Put {
        item: call,
        cond: Some(Cond::NotExists),
    }];
    ops.extend(match queue {
        Some(q) => Routing::enqueue_in_ops(q, &at, sid),
        None => Routing::enqueue_ops(&at, sid),
    });
    s.store.transact(ops).await.unwrap();
    s.routing.still_waiting_in(&format!("{at}#{sid}")).await.unwrap();
}

#[tokio::test]
async fn the_board_shows_each_queues_waiting_callers_and_longest_wait() {
    let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    s.settings
        .put_section(
            "queues",
            0,
            json!([{"id": "general", "name": "総合窓口"}, {"id": "billing", "name": "料金窓口", "name_en": "Billing"}, {"id": "repair", "name": "修理窓口"}]),
        )
        .await
        .unwrap();
    waiting_since(&s, "CA01", 50, Some("billing")).await;
    waiting_since(&s, "CA02", 20, Some("billing")).await;
    waiting_since(&s, "CA03", 40, None).await;

    let board = s.monitor.board(chrono::Utc::now()).await.unwrap();

    let figures: Vec<(&str, &str, u64, u64)> = board
        .queues
        .iter()
        .map(|q| (q.id.as_str(), q.name.as_str(), q.waiting, q.longest_wait_seconds))
        .collect();
    assert_eq!(figures.len(), 3);
    assert_eq!((figures[0].0, figures[0].1, figures[0].2), ("general", "総合窓口", 1));
    assert!((40..=42).contains(&figures[0].3), "{figures:?}");
    assert_eq!((figures[1].0, figures[1].2), ("billing", 2));
    assert!((50..=52).contains(&figures[1].3), "{figures:?}");
    assert_eq!(board.queues[1].name_en.as_deref(), Some("Billing"));
    assert_eq!(figures[2], ("repair", "修理窓口", 0, 0));
    let listed: Vec<(&str, &str)> = board.queue.iter().map(|w| (w.sid.as_str(), w.queue.as_str())).collect();
    assert_eq!(listed, [("CA01", "billing"), ("CA03", "general"), ("CA02", "billing")]);
}
