//! The store port's conformance suite, run on both adapters: the embedded store, and the
//! DynamoDB adapter against moto's DynamoDB-compatible server started by the harness.

use std::sync::Arc;

use shared::store::Store;
use shared::store::conformance as c;
use shared::store::embedded::EmbeddedStore;

async fn embedded() -> Arc<dyn Store> {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(&dir.path().join("store.sqlite")).unwrap();
    std::mem::forget(dir);
    Arc::new(store)
}

async fn dynamodb() -> Arc<dyn Store> {
    Arc::new(shared::testing::fresh_dynamo_store().await)
}

macro_rules! suite {
    ($adapter:ident: $($case:ident),* $(,)?) => {
        mod $adapter {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    super::c::$case(super::$adapter().await).await;
                }
            )*
        }
    };
}

macro_rules! both {
    ($($case:ident),* $(,)?) => {
        suite!(embedded: $($case),*);
        suite!(dynamodb: $($case),*);
    };
}

both!(
    items_round_trip,
    create_only_writes_refuse_an_existing_item,
    stale_versions_are_refused,
    updates_upsert_add_and_remove,
    updates_naming_an_attribute_twice_are_refused,
    values_set_if_absent_keep_the_first,
    deletes_honour_conditions,
    compound_conditions,
    list_membership_conditions,
    queries_read_a_partition_in_order,
    pagination_visits_every_item_once,
    sparse_indexes_and_their_pagination,
    transactions_are_all_or_nothing,
    malformed_transactions_are_refused,
    expired_items_are_hidden_from_reads,
    eventually_consistent_reads_return_settled_items,
    oversized_items_are_refused,
    batches_write_and_read_many,
    batch_reads_of_any_size_return_every_item,
    concurrent_versioned_writers_lose_nothing,
    tampered_cursors_are_rejected,
);

/// A request DynamoDB refuses for good (here: a table that does not exist, as with a wrong
/// table name or missing permissions) is reported as refused, which the API answers 500 with
/// the cause logged, not as a passing outage answered 503 and retried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_dynamodb_refuses_for_good_is_not_reported_as_unavailable() {
    use axum::response::IntoResponse;
    use shared::store::{Key, StoreError};
    let client = shared::testing::local_dynamodb_client(shared::testing::moto_endpoint());
    let store = shared::store::dynamo::DynamoStore::new(client, "console-no-such-table");
    let err = store.get(&Key::new("A#1", "X")).await.unwrap_err();
    assert!(matches!(err, StoreError::Rejected(_)), "{err:?}");
    let response = shared::error::ApiError::from(err).into_response();
    assert_eq!(response.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.headers().get("retry-after").is_none());
    let outage = shared::error::ApiError::from(StoreError::Unavailable("throttled".into())).into_response();
    assert_eq!(outage.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(outage.headers()["retry-after"], "1");
}
