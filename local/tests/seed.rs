//! The demo data a first start writes: the demo call list is built through the call-list
//! service like an admin's import, linked to the seeded CRM customers, with a few results.

use std::sync::Arc;

use shared::domain::Services;
use shared::domain::call_lists::{Counts, TargetState};
use shared::store::embedded::EmbeddedStore;

#[tokio::test]
async fn the_demo_list_links_seeded_customers_and_shows_every_state() {
    // given a first start on an empty store
    let services = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));

    // when the demo data is written
    assert!(local::seed::seed(&services).await.unwrap(), "an empty store is seeded");

    // then there is one call list on the sales line with the outbound script
    let lists = services.call_lists.list(25, None).await.unwrap().items;
    assert_eq!(lists.len(), 1);
    let list = &lists[0];
    assert_eq!(list.name, "春の更新キャンペーン");
    assert_eq!(list.line_id, "sales");
    assert_eq!(list.script_id.as_deref(), Some("outbound"));
    // and every state but in-progress shows in its counts
    assert_eq!(
        list.counts,
        Counts {
            not_called: 17,
            in_progress: 0,
            no_answer: 1,
            done: 1,
            callback: 1,
            total: 20
        }
    );
    let callbacks = services
        .call_lists
        .targets(&list.id, Some(TargetState::Callback), 10, None)
        .await
        .unwrap()
        .items;
    assert_eq!(callbacks.len(), 1);
    assert!(callbacks[0].callback_at.is_some(), "a callback has its time");
    // and the seeded customers' numbers link to their accounts, the prospects' do not
    let targets = services
        .call_lists
        .targets(&list.id, None, 50, None)
        .await
        .unwrap()
        .items;
    assert_eq!(targets.iter().filter(|t| t.account_id.is_some()).count(), 12);
    assert!(
        targets
            .iter()
            .any(|t| t.account_id.is_none() && t.account_name.as_deref() == Some("青山デザイン株式会社"))
    );

    // and a second start writes nothing again
    assert!(!local::seed::seed(&services).await.unwrap());
    assert_eq!(services.call_lists.list(25, None).await.unwrap().items.len(), 1);
}
