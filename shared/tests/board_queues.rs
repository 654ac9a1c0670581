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

#[tokio::test]
async fn the_board_counts_every_caller_of_each_queue_when_more_than_a_hundred_wait() {
    // Given 130 callers waiting for billing, then 40 for repair behind them all, and one who
    // asked to be called back (their place kept, nobody on the line).
    let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    s.settings
        .put_section(
            "queues",
            0,
            json!([{"id": "general", "name": "総合窓口"}, {"id": "billing", "name": "料金窓口"}, {"id": "repair", "name": "修理窓口"}]),
        )
        .await
        .unwrap();
    for n in 0..130 {
        waiting_since(&s, &format!("CAB{n:03}"), 200 - n, Some("billing")).await;
    }
    for n in 0..40 {
        waiting_since(&s, &format!("CAR{n:03}"), 60 - n, Some("repair")).await;
    }
    let place = shared::domain::routing::QueueEntry::callback(Some("repair"), "CAX", "2026-01-01T00:00:00.000Z");
    s.store.put(place.to_item(), None).await.unwrap();

    // When a supervisor reads the board,
    let board = s.monitor.board(chrono::Utc::now()).await.unwrap();

    // then each queue's figure counts all its callers, the longest wait its oldest caller's.
    let figures: Vec<(&str, u64)> = board.queues.iter().map(|q| (q.id.as_str(), q.waiting)).collect();
    assert_eq!(figures, [("general", 0), ("billing", 130), ("repair", 40)]);
    assert!(
        (200..=202).contains(&board.queues[1].longest_wait_seconds),
        "{:?}",
        board.queues[1]
    );
    assert!(
        (60..=62).contains(&board.queues[2].longest_wait_seconds),
        "{:?}",
        board.queues[2]
    );
    assert_eq!(board.queue.len(), 30, "the list stays the first 30 in line");
}
