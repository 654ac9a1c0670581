//! The conformance suite of the directory port. Both adapters run these same scenarios (see
//! `shared/tests/directory_conformance.rs`): the store directory on the embedded store, and the
//! Cognito adapter against a user pool on moto's server started by the test harness.

use std::collections::HashSet;
use std::sync::Arc;

use super::{DirectoryError, DirectoryUser, Invitation, PAGE_SIZE, STATUS_INVITED, UserDirectory};
use crate::auth::Role;
use crate::ids::OperatorId;

fn invitation(email: &str, name: &str, role: &str) -> Invitation {
    Invitation::parse(Some(email), Some(name), Some(role)).expect("a valid invitation")
}

async fn every_user(d: &dyn UserDirectory) -> Vec<DirectoryUser> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = d.list(cursor.as_deref()).await.expect("a page of users");
        assert!(page.users.len() <= PAGE_SIZE as usize, "a page never exceeds its size");
        out.extend(page.users);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

/// An invited user is enabled, waits for their first sign-in, has the chosen role, and is
/// listed and read back as the invitation said.
pub async fn invited_users_are_listed_with_their_role_and_a_pending_password(d: Arc<dyn UserDirectory>) {
    let invited = d
        .invite(&invitation("hanako.sato@example.jp", "佐藤 花子", "supervisor"))
        .await
        .expect("invite");
    assert_eq!(invited.email, "hanako.sato@example.jp");
    assert_eq!(invited.name, "佐藤 花子");
    assert_eq!(invited.role, Some(Role::Supervisor));
    assert!(invited.enabled);
    assert_eq!(invited.status, STATUS_INVITED);
    assert!(
        chrono::DateTime::parse_from_rfc3339(&invited.created_at).is_ok(),
        "{}",
        invited.created_at
    );

    assert_eq!(d.get(&invited.id).await.expect("get"), invited);
    let listed = every_user(d.as_ref()).await;
    assert_eq!(listed, vec![invited]);
}

/// A second invitation of the same address is refused, and the first user stays as they were.
pub async fn an_address_can_be_invited_once(d: Arc<dyn UserDirectory>) {
    let first = d
        .invite(&invitation("suzuki@example.jp", "鈴木 一郎", "operator"))
        .await
        .expect("invite");
    let again = d
        .invite(&invitation("suzuki@example.jp", "別人", "admin"))
        .await
        .unwrap_err();
    assert!(matches!(again, DirectoryError::EmailTaken(_)), "{again:?}");
    assert_eq!(every_user(d.as_ref()).await, vec![first]);
}

/// Each role change leaves the user with exactly the new role, upwards and downwards.
pub async fn a_role_change_leaves_exactly_the_new_role(d: Arc<dyn UserDirectory>) {
    let u = d
        .invite(&invitation("takahashi@example.jp", "高橋 美咲", "operator"))
        .await
        .expect("invite");
    for role in [
        Role::Admin,
        Role::Supervisor,
        Role::Operator,
        Role::Operator,
        Role::Admin,
    ] {
        d.set_role(&u.id, role).await.expect("set the role");
        assert_eq!(d.get(&u.id).await.expect("get").role, Some(role));
        let listed = every_user(d.as_ref()).await;
        assert_eq!(listed[0].role, Some(role), "the listing reads the same role");
    }
}

/// A disabled user is listed as disabled, and can be enabled again.
pub async fn disabled_users_can_be_enabled_again(d: Arc<dyn UserDirectory>) {
    let u = d
        .invite(&invitation("tanaka@example.jp", "田中 健太", "operator"))
        .await
        .expect("invite");
    let other = d
        .invite(&invitation("ito@example.jp", "伊藤 直樹", "supervisor"))
        .await
        .expect("invite");
    d.disable(&u.id).await.expect("disable");
    assert!(!d.get(&u.id).await.expect("get").enabled);
    let listed = every_user(d.as_ref()).await;
    let enabled: Vec<(String, bool)> = listed.iter().map(|x| (x.email.clone(), x.enabled)).collect();
    assert!(enabled.contains(&("tanaka@example.jp".into(), false)), "{enabled:?}");
    assert!(enabled.contains(&("ito@example.jp".into(), true)), "{enabled:?}");
    d.disable(&u.id).await.expect("disabling twice is fine");
    d.enable(&u.id).await.expect("enable");
    let back = d.get(&u.id).await.expect("get");
    assert!(back.enabled);
    assert_eq!(back.role, Some(Role::Operator), "the role survives");
    assert!(d.get(&other.id).await.expect("get").enabled);
}

/// Every operation on an id nobody has is "not found", and changes nothing.
pub async fn unknown_users_are_not_found(d: Arc<dyn UserDirectory>) {
    let nobody = OperatorId::parse("0f8e2c1a-0000-4000-8000-000000000000").unwrap();
    assert!(matches!(d.get(&nobody).await, Err(DirectoryError::NotFound(_))));
    assert!(matches!(
        d.set_role(&nobody, Role::Admin).await,
        Err(DirectoryError::NotFound(_))
    ));
    assert!(matches!(d.disable(&nobody).await, Err(DirectoryError::NotFound(_))));
    assert!(matches!(d.enable(&nobody).await, Err(DirectoryError::NotFound(_))));
    assert!(every_user(d.as_ref()).await.is_empty());
}

/// More users than a page holds are listed over several pages, each user once, with their roles.
pub async fn long_lists_are_paged_and_list_everyone_once(d: Arc<dyn UserDirectory>) {
    let total = PAGE_SIZE as usize + 7;
    let roles = ["operator", "supervisor", "admin"];
    for n in 0..total {
        d.invite(&invitation(
            &format!("user{n:03}@example.jp"),
            &format!("利用者 {n}"),
            roles[n % 3],
        ))
        .await
        .expect("invite");
    }
    let first = d.list(None).await.expect("first page");
    assert_eq!(first.users.len(), PAGE_SIZE as usize);
    assert!(first.next_cursor.is_some(), "a long list has a next page");
    let all = every_user(d.as_ref()).await;
    assert_eq!(all.len(), total);
    let ids: HashSet<&OperatorId> = all.iter().map(|u| &u.id).collect();
    assert_eq!(ids.len(), total, "no user is listed twice");
    for u in &all {
        let n: usize = u.email[4..7].parse().expect("a numbered address");
        let expected = super::parse_role(roles[n % 3]).unwrap();
        assert_eq!(u.role, Some(expected), "{}", u.email);
    }
}

/// A cursor the listing did not give out is refused as such.
pub async fn tampered_cursors_are_refused(d: Arc<dyn UserDirectory>) {
    d.invite(&invitation("watanabe@example.jp", "渡辺 由美", "admin"))
        .await
        .expect("invite");
    for bad in ["not-a-cursor", "eyJQSyI6IlgifQ"] {
        let err = d.list(Some(bad)).await.unwrap_err();
        assert!(matches!(err, DirectoryError::InvalidCursor), "{bad}: {err:?}");
    }
}
