//! Status callbacks arrive retried and out of order: applied in any order, with duplicates, a
//! call's lifecycle always ends in the same record.

use std::sync::Arc;

use proptest::prelude::*;
use shared::domain::calls::call_key;
use shared::domain::calls::{ParticipantLabel, ParticipantState};
use shared::domain::callstate::{CallState, CallStatusEvent, ParticipantEvent};
use shared::store::counting::CountingStore;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Item, Store, attr};

#[derive(Debug, Clone)]
enum Ev {
    Status(CallStatusEvent),
    Participant(ParticipantEvent),
}

fn lifecycle() -> Vec<Ev> {
    let st = |sequence, status: &str, at: &str, duration| {
        Ev::Status(CallStatusEvent {
            sequence,
            status: status.into(),
            at: at.into(),
            duration_seconds: duration,
        })
    };
    let p = |sequence, label: &str, state: &str, hold, at: &str| {
        Ev::Participant(ParticipantEvent {
            sequence,
            label: ParticipantLabel::parse(label).expect("one of our labels"),
            call_sid: format!("CA-{label}"),
            state: if state == "left" {
                ParticipantState::Left
            } else {
                ParticipantState::Joined
            },
            hold,
            muted: false,
            at: at.into(),
        })
    };
    vec![
        st(0, "ringing", "2026-11-23T10:00:00Z", None),
        st(1, "in-progress", "2026-11-23T10:00:01Z", None),
        p(1, "customer", "joined", false, "2026-11-23T10:00:01Z"),
        p(2, "operator", "joined", false, "2026-11-23T10:00:20Z"),
        p(3, "customer", "joined", true, "2026-11-23T10:01:00Z"),
        p(4, "consult", "joined", false, "2026-11-23T10:01:05Z"),
        p(5, "consult", "left", false, "2026-11-23T10:02:00Z"),
        p(6, "customer", "joined", false, "2026-11-23T10:02:10Z"),
        p(7, "operator", "left", false, "2026-11-23T10:05:00Z"),
        p(8, "customer", "left", false, "2026-11-23T10:05:00Z"),
        st(2, "completed", "2026-11-23T10:05:01Z", Some(300)),
    ]
}

async fn apply(order: &[usize], events: &[Ev]) -> Item {
    let store: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
    let key = call_key("CA1");
    let mut item = Item::new();
    item.insert(attr::PK.into(), key.pk.clone().into());
    item.insert(attr::SK.into(), key.sk.clone().into());
    item.insert("status".into(), "waiting".into());
    store.put(item, None).await.unwrap();
    let cs = CallState::new(store.clone());
    for &i in order {
        match &events[i] {
            Ev::Status(e) => {
                cs.apply_status("CA1", e).await.unwrap();
            }
            Ev::Participant(e) => cs.apply_participant("CA1", e).await.unwrap(),
        }
    }
    store.get(&key).await.unwrap().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, .. ProptestConfig::default() })]

    #[test]
    fn any_order_with_duplicates_gives_the_same_final_record(
        order in Just((0..11usize).collect::<Vec<_>>()).prop_shuffle(),
        dups in proptest::collection::vec(0..11usize, 0..8),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let events = lifecycle();
        let expected = rt.block_on(apply(&(0..11).collect::<Vec<_>>(), &events));
        let mut shuffled = order.clone();
        for d in &dups {
            let at = (*d * 7) % (shuffled.len() + 1);
            shuffled.insert(at, *d);
        }
        let got = rt.block_on(apply(&shuffled, &events));
        prop_assert_eq!(&got, &expected);
        prop_assert_eq!(got["twilio_status"].as_str(), Some("completed"));
        prop_assert_eq!(got["connected_at"].as_str(), Some("2026-11-23T10:00:01Z"));
        prop_assert_eq!(got["duration_seconds"].as_u64(), Some(300));
        prop_assert_eq!(got["p_customer"]["state"].as_str(), Some("left"));
        prop_assert_eq!(got["p_consult"]["state"].as_str(), Some("left"));
    }
}

/// Call `CA1` recorded on a store that counts its requests, and the call state over it.
async fn counted_call() -> (Arc<CountingStore>, Arc<dyn Store>, CallState) {
    let embedded: Arc<dyn Store> = Arc::new(EmbeddedStore::in_memory().unwrap());
    let counting = Arc::new(CountingStore::new(embedded));
    let store: Arc<dyn Store> = counting.clone();
    let key = call_key("CA1");
    let mut item = Item::new();
    item.insert(attr::PK.into(), key.pk.into());
    item.insert(attr::SK.into(), key.sk.into());
    store.put(item, None).await.unwrap();
    let cs = CallState::new(store.clone());
    (counting, store, cs)
}

/// In order, as callbacks nearly always come, each status callback is one write of the record
/// (its status, `connected_at` and the end together), not one per part.
#[tokio::test]
async fn status_callbacks_in_order_write_the_record_once_each() {
    let (counting, store, cs) = counted_call().await;
    let key = call_key("CA1");
    let statuses: Vec<CallStatusEvent> = lifecycle()
        .into_iter()
        .filter_map(|e| match e {
            Ev::Status(s) => Some(s),
            Ev::Participant(_) => None,
        })
        .collect();
    counting.reset();
    for e in &statuses {
        cs.apply_status("CA1", e).await.unwrap();
    }
    assert_eq!(counting.counts().updates, statuses.len() as u64);
    let got = store.get(&key).await.unwrap().unwrap();
    assert_eq!(got["connected_at"].as_str(), Some("2026-11-23T10:00:01Z"));
    assert_eq!(got["ended_at"].as_str(), Some("2026-11-23T10:05:01Z"));
    // The end again (Twilio repeats a callback it saw no answer to) changes nothing.
    cs.apply_status("CA1", &statuses[2]).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap().unwrap(), got);
}

/// A participant's join notes the conference's SID in its own write, the first SID kept.
#[tokio::test]
async fn a_join_notes_the_conference_in_its_own_write_keeping_the_first() {
    let (counting, store, cs) = counted_call().await;
    let key = call_key("CA1");
    let joins: Vec<ParticipantEvent> = lifecycle()
        .into_iter()
        .filter_map(|e| match e {
            Ev::Participant(p) if p.state == ParticipantState::Joined && p.sequence <= 2 => Some(p),
            _ => None,
        })
        .collect();
    counting.reset();
    cs.apply_participant_in("CA1", Some("CF1"), &joins[0]).await.unwrap();
    cs.apply_participant_in("CA1", Some("CF2"), &joins[1]).await.unwrap();
    assert_eq!(counting.counts().updates, 2);
    let got = store.get(&key).await.unwrap().unwrap();
    assert_eq!(got["conference_sid"], "CF1");
    assert_eq!(got["p_operator"]["state"], "joined");
}
