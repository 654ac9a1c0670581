//! An offer whose answer callback was lost: the operator answered and talks with the customer,
//! but Twilio's `in-progress` callback never reached the console (refused beyond Twilio's
//! retries, or throttled with 429, which Twilio does not retry). The offer lapses and routing
//! takes it back; the memo the operator types meanwhile must still be theirs to save. The
//! centre's short day lost the last words of such memos (saves answered 403 "only the operator
//! on this call…").

use std::sync::Arc;

use serde_json::json;
use shared::auth::{Caller, Role};
use shared::domain::Services;
use shared::domain::calls::{CallSummary, Direction, call_key};
use shared::domain::memos::MemoSave;
use shared::domain::routing::{Routing, queue_entry_key};
use shared::ids::OperatorId;
use shared::store::embedded::EmbeddedStore;
use shared::store::{TxOp, Update};
use shared::twilio::CallSid;

const SID: &str = "CA00000000000000000000000000000017";

fn caller(id: &str, name: &str) -> Caller {
    Caller {
        id: OperatorId::parse(id).unwrap(),
        name: name.into(),
        role: Role::Operator,
    }
}

#[tokio::test]
async fn an_operator_whose_answer_callback_was_lost_keeps_their_memo_after_the_offer_lapses() {
    // Given a call offered to Sato, who answers; the answer callback is lost,
    let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    s.settings
        .put_section(
            "call_handling",
            0,
            json!({"wrap_up_seconds": 0, "max_wait_seconds": 300, "ring_timeout_seconds": 30, "orphan_hold_seconds": 30}),
        )
        .await
        .unwrap();
    let sato = caller("op-sato", "佐藤 花子");
    let suzuki = caller("op-suzuki", "鈴木 一郎");
    s.operators.ensure(&sato.id, &sato.name, sato.role).await.unwrap();
    s.operators.set_status(&sato.id, "available").await.unwrap();
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let queue_sk = format!("{at}#{SID}");
    let mut item = CallSummary::new(SID, Direction::Inbound, None, None, "waiting", at.clone(), None).to_item();
    item.insert("queue_sk".into(), queue_sk.clone().into());
    let mut ops = vec![TxOp::Put { item, cond: None }];
    ops.extend(Routing::enqueue_ops(&at, SID));
    s.store.transact(ops).await.unwrap();
    let offer = s.routing.next_offer().await.unwrap().expect("offered to Sato");
    assert_eq!(offer.operator_id, "op-sato");
    let call = CallSid::parse(SID).unwrap();
    let typed = |text: &str, version| MemoSave {
        version,
        text: text.into(),
        response_status: None,
        changes_status: false,
    };
    let first = s
        .memos
        .save(&sato, &call, typed("住所変更の問い合わせ", 0))
        .await
        .expect("the operator offered the call saves its memo");
    // when the offer lapses and routing takes it back, offering the call to Suzuki,
    let lapsed = Update::default().set("offer_expires_at", "2000-01-01T00:00:00.000Z");
    s.store.update(&queue_entry_key(&queue_sk), lapsed, None).await.unwrap();
    s.operators.ensure(&suzuki.id, &suzuki.name, suzuki.role).await.unwrap();
    s.operators.set_status(&suzuki.id, "available").await.unwrap();
    let again = s.routing.next_offer().await.unwrap().expect("offered again");
    assert_eq!(again.operator_id, "op-suzuki");
    let record = s.store.get(&call_key(SID)).await.unwrap().unwrap();
    assert_eq!(record["offered_to"], "op-suzuki");
    // then what Sato goes on typing is still stored (the memo's version keeps it from
    // overwriting a save of Suzuki's),
    let saved = s
        .memos
        .save(
            &sato,
            &call,
            typed("住所変更の問い合わせ。新住所は確認済み", first.version),
        )
        .await;
    assert!(saved.is_ok(), "{saved:?}");
    // and Sato is away, not offered calls while the console believes they missed this one.
    let me = s.operators.get(&sato.id).await.unwrap();
    assert_eq!(me.current_call, None);
    assert_eq!(me.status.as_str(), "away");
}
