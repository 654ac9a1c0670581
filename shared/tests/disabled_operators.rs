//! What disabling a user does to them as an operator: out of routing at once, no presence
//! changes, signed off when the call they were on ends; and enabling them again. Driven through
//! the admin's user management ([`UserAdmin`]) on the store directory, as the users function does.

use std::sync::Arc;

use serde_json::json;
use shared::auth::Role;
use shared::directory::admin::UserAdmin;
use shared::directory::local::StoreDirectory;
use shared::directory::{DisplayName, Email, UserChange};
use shared::domain::Services;
use shared::domain::calls::call_key;
use shared::domain::routing::{Routing, Unanswered};
use shared::error::DomainError;
use shared::ids::OperatorId;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Cond, Item, Key, TxOp, attr};

const ADMIN: &str = "admin-watanabe";

struct World {
    s: Services,
    admin: UserAdmin,
}

fn id(s: &str) -> OperatorId {
    OperatorId::parse(s).unwrap()
}

/// Operators who signed in (profile and directory user) and are free, in this order.
async fn world(free: &[&str]) -> World {
    let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    s.settings
        .put_section(
            "call_handling",
            0,
            json!({"wrap_up_seconds": 0, "max_wait_seconds": 300, "ring_timeout_seconds": 20, "orphan_hold_seconds": 30}),
        )
        .await
        .unwrap();
    let directory = Arc::new(StoreDirectory::new(s.store.clone()));
    for (who, role) in free.iter().map(|w| (*w, Role::Operator)).chain([(ADMIN, Role::Admin)]) {
        let email = Email::parse(&format!("{who}@example.jp")).unwrap();
        let name = DisplayName::parse(&format!("利用者 {who}")).unwrap();
        directory.import(&id(who), &email, &name, role).await.unwrap();
        s.operators.ensure(&id(who), name.as_str(), role).await.unwrap();
    }
    for who in free {
        s.operators.set_status(&id(who), "available").await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    let admin = UserAdmin::new(directory, s.operators.clone());
    World { s, admin }
}

async fn incoming(s: &Services, n: u32) -> String {
    let sid = format!("CA{n:032x}");
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let key = call_key(&sid);
    let mut call = Item::new();
    call.insert(attr::PK.into(), key.pk.into());
    call.insert(attr::SK.into(), key.sk.into());
    call.insert("sid".into(), sid.clone().into());
    call.insert("status".into(), "waiting".into());
    call.insert("queue_sk".into(), format!("{at}#{sid}").into());
    let mut ops = vec![TxOp::Put {
        item: call,
        cond: Some(Cond::NotExists),
    }];
    ops.extend(Routing::enqueue_ops(&at, &sid));
    s.store.transact(ops).await.unwrap();
    sid
}

async fn set_enabled(w: &World, who: &str, enabled: bool) {
    let change = UserChange {
        role: None,
        enabled: Some(enabled),
    };
    let user = w.admin.change(&id(ADMIN), who, change).await.unwrap();
    assert_eq!(user.enabled, enabled);
}

async fn in_free_list(s: &Services, who: &str) -> bool {
    let item = s
        .store
        .get(&Key::new(format!("OP#{who}"), "OP"))
        .await
        .unwrap()
        .unwrap();
    item.get(attr::GSI2PK).is_some()
}

#[tokio::test]
async fn a_disabled_operator_leaves_the_free_list_at_once_and_is_never_offered_a_call() {
    let w = world(&["op-sato", "op-suzuki"]).await;
    set_enabled(&w, "op-sato", false).await;

    let sato = w.s.operators.get(&id("op-sato")).await.unwrap();
    assert!(sato.disabled);
    assert_eq!(sato.status, "offline");
    assert!(!in_free_list(&w.s, "op-sato").await);

    incoming(&w.s, 1).await;
    let offer = w.s.routing.next_offer().await.unwrap().expect("Suzuki is free");
    assert_eq!(offer.operator_id, "op-suzuki", "Sato was free longer, but is disabled");
    incoming(&w.s, 2).await;
    assert_eq!(w.s.routing.next_offer().await.unwrap(), None, "nobody else may take it");
}

#[tokio::test]
async fn an_operator_disabled_during_a_call_keeps_it_and_is_signed_off_when_it_ends() {
    let w = world(&["op-sato"]).await;
    let sid = incoming(&w.s, 1).await;
    let offer = w.s.routing.next_offer().await.unwrap().unwrap();
    w.s.routing
        .answered(&sid, "op-sato", "佐藤", &offer.offer_id)
        .await
        .unwrap();

    set_enabled(&w, "op-sato", false).await;
    let sato = w.s.operators.get(&id("op-sato")).await.unwrap();
    assert_eq!(
        (sato.status.as_str(), sato.current_call.as_deref()),
        ("on_call", Some(sid.as_str())),
        "the call goes on"
    );

    w.s.routing.ended(&sid).await.unwrap();
    let sato = w.s.operators.get(&id("op-sato")).await.unwrap();
    assert_eq!(sato.status, "offline", "signed off, not in wrap-up");
    assert_eq!(sato.current_call, None);
    assert!(!in_free_list(&w.s, "op-sato").await);
    incoming(&w.s, 2).await;
    assert_eq!(w.s.routing.next_offer().await.unwrap(), None);
}

#[tokio::test]
async fn a_disabled_operator_freed_by_a_ring_that_failed_is_taken_out_instead_of_offered() {
    let w = world(&["op-sato"]).await;
    let sid = incoming(&w.s, 1).await;
    let offer = w.s.routing.next_offer().await.unwrap().unwrap();
    set_enabled(&w, "op-sato", false).await;
    // Twilio could not ring Sato: an ordinary operator goes back first in line.
    w.s.routing
        .release_offer(
            &sid,
            "op-sato",
            &offer.offer_id,
            Some(&offer.free_since_key),
            Unanswered::NotRung,
        )
        .await
        .unwrap();

    assert_eq!(w.s.routing.next_offer().await.unwrap(), None);
    let sato = w.s.operators.get(&id("op-sato")).await.unwrap();
    assert_eq!(sato.status, "offline");
    assert!(!in_free_list(&w.s, "op-sato").await, "routing took the stray entry out");
}

#[tokio::test]
async fn presence_changes_are_refused_while_disabled_and_allowed_again_once_enabled() {
    let w = world(&["op-sato"]).await;
    set_enabled(&w, "op-sato", false).await;
    for status in ["available", "away", "offline"] {
        let refused = w.s.operators.set_status(&id("op-sato"), status).await.unwrap_err();
        assert!(matches!(refused, DomainError::Forbidden(_)), "{status}: {refused:?}");
    }
    assert!(matches!(
        w.s.operators.refuse_disabled(&id("op-sato")).await,
        Err(DomainError::Forbidden(_))
    ));

    set_enabled(&w, "op-sato", true).await;
    let sato = w.s.operators.get(&id("op-sato")).await.unwrap();
    assert!(!sato.disabled);
    assert_eq!(sato.status, "offline", "enabling does not make anyone available");
    w.s.operators.refuse_disabled(&id("op-sato")).await.unwrap();
    w.s.operators.set_status(&id("op-sato"), "available").await.unwrap();
    incoming(&w.s, 1).await;
    let offer = w.s.routing.next_offer().await.unwrap().expect("Sato takes calls again");
    assert_eq!(offer.operator_id, "op-sato");
}

#[tokio::test]
async fn a_user_disabled_before_their_first_sign_in_has_a_disabled_profile_waiting() {
    let w = world(&[]).await;
    let invited = w
        .admin
        .invite(&shared::directory::Invitation::parse(Some("new@example.jp"), Some("新人"), Some("operator")).unwrap())
        .await
        .unwrap();
    set_enabled(&w, invited.id.as_str(), false).await;
    let profile = w.s.operators.get(&invited.id).await.unwrap();
    assert!(profile.disabled);
    let signed_in = w.s.operators.ensure(&invited.id, "新人", Role::Operator).await.unwrap();
    assert!(signed_in.disabled, "the first sign-in keeps the mark");
    assert!(w.s.operators.set_status(&invited.id, "available").await.is_err());
}

#[tokio::test]
async fn a_role_change_is_written_to_the_profile() {
    let w = world(&["op-sato"]).await;
    let change = UserChange {
        role: Some(Role::Supervisor),
        enabled: None,
    };
    let user = w.admin.change(&id(ADMIN), "op-sato", change).await.unwrap();
    assert_eq!(user.role, Some(Role::Supervisor));
    assert_eq!(w.s.operators.get(&id("op-sato")).await.unwrap().role, Role::Supervisor);
}
