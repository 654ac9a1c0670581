//! The directory port's conformance suite, run on both adapters: the store directory on the
//! embedded store, and the Cognito adapter against a user pool on moto's server (the same server
//! the store suite uses, started by the harness on a free loopback port).

use std::sync::Arc;

use shared::directory::UserDirectory;
use shared::directory::conformance as c;
use shared::directory::local::StoreDirectory;
use shared::store::embedded::EmbeddedStore;

async fn store() -> Arc<dyn UserDirectory> {
    Arc::new(StoreDirectory::new(Arc::new(EmbeddedStore::in_memory().unwrap())))
}

async fn cognito() -> Arc<dyn UserDirectory> {
    Arc::new(shared::directory::cognito::fresh_test_pool().await)
}

macro_rules! suite {
    ($adapter:ident: $($case:ident),* $(,)?) => {
        mod $adapter {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::c::$case(super::$adapter().await).await;
                }
            )*
        }
    };
}

macro_rules! both {
    ($($case:ident),* $(,)?) => {
        suite!(store: $($case),*);
        suite!(cognito: $($case),*);
    };
}

both!(
    invited_users_are_listed_with_their_role_and_a_pending_password,
    an_address_can_be_invited_once,
    a_role_change_leaves_exactly_the_new_role,
    disabled_users_can_be_enabled_again,
    unknown_users_are_not_found,
    long_lists_are_paged_and_list_everyone_once,
    tampered_cursors_are_refused,
);
