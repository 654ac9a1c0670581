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
    deletes_honour_conditions,
    compound_conditions,
    queries_read_a_partition_in_order,
    pagination_visits_every_item_once,
    sparse_indexes_and_their_pagination,
    transactions_are_all_or_nothing,
    malformed_transactions_are_refused,
    expired_items_are_hidden_from_reads,
    oversized_items_are_refused,
    batches_write_and_read_many,
    batch_reads_of_any_size_return_every_item,
    concurrent_versioned_writers_lose_nothing,
    tampered_cursors_are_rejected,
);
