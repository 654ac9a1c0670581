//! The push function on a DynamoDB Streams batch (fixture): each change reaches the connections
//! subscribed to it, a closed connection is forgotten, and a record that could not be delivered
//! is reported so that the stream retries from it and posts nothing after it first.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use push::{PostError, Poster, Push, StreamEvent, item_from_image};
use serde_json::{Value, json};
use shared::auth::Role;
use shared::push::{Audience, ConnectionId, Connections, Subscriber, Topic};
use shared::store::embedded::EmbeddedStore;

const STREAM: &str = include_str!("fixtures/stream.json");

/// Records every post; answers 410 for the connections in `gone` and fails those in `failing`.
#[derive(Default)]
struct Recorder {
    posted: Mutex<Vec<(String, Value)>>,
    gone: Vec<String>,
    failing: Vec<String>,
}

#[async_trait]
impl Poster for Recorder {
    async fn post(&self, to: &ConnectionId, frame: &str) -> Result<(), PostError> {
        if self.gone.iter().any(|g| g == to.as_str()) {
            return Err(PostError::Gone);
        }
        if self.failing.iter().any(|g| g == to.as_str()) {
            return Err(PostError::Failed("throttled".into()));
        }
        self.posted
            .lock()
            .unwrap()
            .push((to.as_str().to_owned(), serde_json::from_str(frame).unwrap()));
        Ok(())
    }
}

async fn connections(store: Arc<EmbeddedStore>) -> Connections {
    let c = Connections::new(store);
    for (id, sub, role, topics) in [
        (
            "sato=",
            "op-sato",
            Role::Operator,
            vec![Topic::Presence, Topic::Settings],
        ),
        ("suzuki=", "op-suzuki", Role::Operator, vec![Topic::Presence]),
        ("ito=", "sv-ito", Role::Supervisor, vec![Topic::Board]),
    ] {
        let id = ConnectionId::parse(id).unwrap();
        c.connect(&id, &Subscriber { sub: sub.into(), role }).await.unwrap();
        c.subscribe(&id, &topics).await.unwrap();
    }
    c
}

fn event() -> StreamEvent {
    serde_json::from_str(STREAM).unwrap()
}

#[tokio::test]
async fn each_change_reaches_the_connections_subscribed_to_it() {
    let store = Arc::new(EmbeddedStore::in_memory().unwrap());
    connections(store.clone()).await;
    let recorder = Arc::new(Recorder::default());
    let res = Push::new(store, recorder.clone()).handle(event()).await;
    assert!(res.batch_item_failures.is_empty());
    let mut posted: Vec<(String, String)> = recorder
        .posted
        .lock()
        .unwrap()
        .iter()
        .map(|(to, m)| (to.clone(), m["type"].as_str().unwrap().to_owned()))
        .collect();
    posted.sort();
    assert_eq!(
        posted,
        vec![
            ("ito=".to_owned(), "board_row_changed".to_owned()),
            ("sato=".to_owned(), "presence_changed".to_owned()),
            ("sato=".to_owned(), "settings_changed".to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_closed_connection_is_forgotten_and_the_batch_succeeds() {
    let store = Arc::new(EmbeddedStore::in_memory().unwrap());
    let c = connections(store.clone()).await;
    let recorder = Arc::new(Recorder {
        gone: vec!["ito=".into()],
        ..Default::default()
    });
    let res = Push::new(store, recorder).handle(event()).await;
    assert!(res.batch_item_failures.is_empty());
    assert!(c.members(&Audience::Board).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_undelivered_record_is_reported_and_nothing_after_it_is_posted() {
    let store = Arc::new(EmbeddedStore::in_memory().unwrap());
    connections(store.clone()).await;
    let recorder = Arc::new(Recorder {
        failing: vec!["ito=".into()],
        ..Default::default()
    });
    let res = Push::new(store, recorder.clone()).handle(event()).await;
    assert_eq!(
        serde_json::to_value(&res).unwrap(),
        json!({"batchItemFailures": [{"itemIdentifier": "111100000000000000000001"}]})
    );
    assert!(
        !recorder
            .posted
            .lock()
            .unwrap()
            .iter()
            .any(|(_, m)| m["type"] == "settings_changed"),
        "the second record waits for the first"
    );
}

#[test]
fn images_read_as_the_dynamodb_adapter_reads_items() {
    let v: Value = serde_json::from_str(STREAM).unwrap();
    let image = v["Records"][1]["dynamodb"]["NewImage"].as_object().unwrap();
    assert_eq!(
        Value::Object(item_from_image(image)),
        json!({"PK": "SETTINGS", "SK": "objects", "version": 2,
               "value": [{"name": "account", "required": true, "note": null}]})
    );
}
