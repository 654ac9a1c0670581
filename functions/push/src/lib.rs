//! The `push` function: DynamoDB Streams (NEW_AND_OLD_IMAGES) to the live channel. Each
//! record's old and new image is mapped by [`shared::push::changes`] to messages and audiences,
//! the audiences' connections are read from the table, and each frame is posted with API
//! Gateway's `PostToConnection`. A connection that is gone (410) is forgotten. A record that
//! could not be delivered is reported as the batch's first failure (`ReportBatchItemFailures`):
//! the stream is ordered per shard, so Lambda retries from that record and nothing after it is
//! posted before it. A retried record may reach a connection twice; messages are notices of a
//! change, so a second one costs the page at most a read.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use shared::push::{ConnectionId, Connections, changes};
use shared::store::{Item, Store};

/// How many posts are under way at once for one record.
const CONCURRENT_POSTS: usize = 16;

/// Why a post did not reach its connection.
#[derive(Debug)]
pub enum PostError {
    /// The connection is closed (410 Gone): forget it.
    Gone,
    /// Anything else (throttled, unavailable): retry the record.
    Failed(String),
}

/// Sends one frame to one connection: `PostToConnection` deployed, a recorder in tests, an HTTP
/// call to the rehearsal's WebSocket emulator.
#[async_trait]
pub trait Poster: Send + Sync {
    async fn post(&self, to: &ConnectionId, frame: &str) -> Result<(), PostError>;
}

/// `PostToConnection` on the WebSocket API's management endpoint.
pub struct ManagementApi {
    client: aws_sdk_apigatewaymanagement::Client,
}

impl ManagementApi {
    /// A client of the stage's management endpoint (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`).
    pub fn new(aws: &aws_config::SdkConfig, endpoint: &str) -> Self {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(aws)
            .endpoint_url(endpoint)
            .build();
        Self {
            client: aws_sdk_apigatewaymanagement::Client::from_conf(config),
        }
    }
}

#[async_trait]
impl Poster for ManagementApi {
    async fn post(&self, to: &ConnectionId, frame: &str) -> Result<(), PostError> {
        use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
        match self
            .client
            .post_to_connection()
            .connection_id(to.as_str())
            .data(aws_sdk_apigatewaymanagement::primitives::Blob::new(frame.as_bytes()))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error() {
                Some(PostToConnectionError::GoneException(_)) => Err(PostError::Gone),
                _ => Err(PostError::Failed(
                    aws_sdk_apigatewaymanagement::error::DisplayErrorContext(&e).to_string(),
                )),
            },
        }
    }
}

/// The part of a DynamoDB Streams event the function reads.
#[derive(Debug, Deserialize)]
pub struct StreamEvent {
    #[serde(rename = "Records", default)]
    pub records: Vec<StreamRecord>,
}

#[derive(Debug, Deserialize)]
pub struct StreamRecord {
    #[serde(rename = "eventName", default)]
    pub event_name: Option<String>,
    pub dynamodb: StreamChange,
}

#[derive(Debug, Deserialize)]
pub struct StreamChange {
    #[serde(rename = "SequenceNumber")]
    pub sequence_number: String,
    #[serde(rename = "NewImage", default)]
    pub new_image: Option<Map<String, Value>>,
    #[serde(rename = "OldImage", default)]
    pub old_image: Option<Map<String, Value>>,
}

/// The batch's answer: the first record to retry, if any.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct BatchResponse {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<ItemFailure>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ItemFailure {
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

/// An item as the store reads it, from an image in DynamoDB's JSON (`{"S": "…"}`, `{"N": "3"}`,
/// …), converted as the DynamoDB adapter converts what it reads.
pub fn item_from_image(image: &Map<String, Value>) -> Item {
    image.iter().map(|(k, v)| (k.clone(), attribute(v))).collect()
}

fn number(n: &str) -> Value {
    n.parse::<i64>()
        .map(Value::from)
        .or_else(|_| n.parse::<u64>().map(Value::from))
        .ok()
        .or_else(|| {
            n.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
        })
        .unwrap_or(Value::Null)
}

fn attribute(v: &Value) -> Value {
    let Some((kind, inner)) = v.as_object().and_then(|m| m.iter().next()) else {
        return Value::Null;
    };
    match (kind.as_str(), inner) {
        ("S", Value::String(s)) => Value::String(s.clone()),
        ("N", Value::String(n)) => number(n),
        ("BOOL", Value::Bool(b)) => Value::Bool(*b),
        ("NULL", _) => Value::Null,
        ("L", Value::Array(items)) => Value::Array(items.iter().map(attribute).collect()),
        ("M", Value::Object(m)) => Value::Object(item_from_image(m)),
        ("SS", Value::Array(items)) => Value::Array(items.clone()),
        ("NS", Value::Array(items)) => Value::Array(items.iter().filter_map(Value::as_str).map(number).collect()),
        _ => Value::Null,
    }
}

/// The push function's handler.
pub struct Push {
    connections: Connections,
    poster: Arc<dyn Poster>,
}

impl Push {
    pub fn new(store: Arc<dyn Store>, poster: Arc<dyn Poster>) -> Self {
        Self {
            connections: Connections::new(store),
            poster,
        }
    }

    /// Delivers a batch in order; stops at the first record that could not be delivered and
    /// reports it.
    pub async fn handle(&self, event: StreamEvent) -> BatchResponse {
        for record in &event.records {
            if let Err(reason) = self.deliver(record).await {
                tracing::warn!(sequence = %record.dynamodb.sequence_number, %reason, "record not delivered; retried from here");
                return BatchResponse {
                    batch_item_failures: vec![ItemFailure {
                        item_identifier: record.dynamodb.sequence_number.clone(),
                    }],
                };
            }
        }
        BatchResponse::default()
    }

    async fn deliver(&self, record: &StreamRecord) -> Result<(), String> {
        let old = record.dynamodb.old_image.as_ref().map(item_from_image);
        let new = record.dynamodb.new_image.as_ref().map(item_from_image);
        let deliveries = changes(old.as_ref(), new.as_ref());
        if deliveries.is_empty() {
            return Ok(());
        }
        let addressed = self
            .connections
            .addressed(&deliveries)
            .await
            .map_err(|e| format!("reading the audiences: {e}"))?;
        use futures::StreamExt;
        let results: Vec<(ConnectionId, Result<(), PostError>)> = futures::stream::iter(addressed)
            .map(|(to, frame)| async move {
                let r = self.poster.post(&to, &frame).await;
                (to, r)
            })
            .buffer_unordered(CONCURRENT_POSTS)
            .collect()
            .await;
        let mut failed = None;
        for (to, result) in results {
            match result {
                Ok(()) => {}
                Err(PostError::Gone) => {
                    if let Err(e) = self.connections.disconnect(&to).await {
                        tracing::warn!(error = %e, "could not forget a closed connection; its TTL will");
                    }
                }
                Err(PostError::Failed(e)) => failed = Some(e),
            }
        }
        match failed {
            Some(e) => Err(format!("posting: {e}")),
            None => Ok(()),
        }
    }
}
