//! The directory kept in the store, for the local runtime (which has no Cognito): users are
//! items of the single table, listed in the order they were created, and an e-mail address is
//! claimed by its own item so that two users never share one (case-insensitively, as the user
//! pool signs in).
//!
//! | item | PK | SK | GSI1PK / GSI1SK |
//! |---|---|---|---|
//! | user | `USER#<id>` | `USER` | `USERS` / `<created_at>#<id>` |
//! | e-mail claim | `USEREMAIL#<address in lower case>` | `EMAIL` | |
//!
//! A listing is one query of the `USERS` partition; an invitation is one transaction writing
//! the user and the claim, each only if absent.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{
    DirectoryError, DirectoryUser, Invitation, PAGE_SIZE, STATUS_CONFIRMED, STATUS_INVITED, UserDirectory, UserPage,
    group_of, parse_role,
};
use crate::auth::Role;
use crate::ids::OperatorId;
use crate::store::{Cond, Cursor, Index, Item, Query, Store, StoreError, TxOp, Update, attr, str_attr};

pub use crate::store::table::{USERS_GSI_PK, email_key, user_key};

/// The user directory on the store port.
pub struct StoreDirectory {
    store: Arc<dyn Store>,
}

impl StoreDirectory {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Adds a user who already signs in (the local runtime's demo users) unless one with this
    /// id or address exists; returns whether it was added. The user keeps the given id, is
    /// enabled and has chosen a password (`CONFIRMED`).
    pub async fn import(
        &self,
        id: &OperatorId,
        email: &super::Email,
        name: &super::DisplayName,
        role: Role,
    ) -> Result<bool, DirectoryError> {
        let user = DirectoryUser {
            id: id.clone(),
            email: email.as_str().to_owned(),
            name: name.as_str().to_owned(),
            role: Some(role),
            enabled: true,
            status: STATUS_CONFIRMED.to_owned(),
            created_at: now(),
        };
        match self.store.transact(create_ops(&user, &email.folded())).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Notes a user's first sign-in: an invited user has then chosen their password, as Cognito
    /// moves a user from `FORCE_CHANGE_PASSWORD` to `CONFIRMED`.
    pub async fn signed_in(&self, id: &OperatorId) -> Result<(), DirectoryError> {
        let update = Update::default().set("status", STATUS_CONFIRMED);
        let cond = Cond::eq("status", STATUS_INVITED);
        Ok(crate::store::done_unless_failed(
            self.store.update(&user_key(id), update, Some(cond)).await,
        )?)
    }

    async fn change(&self, id: &OperatorId, update: Update) -> Result<(), DirectoryError> {
        match self.store.update(&user_key(id), update, Some(Cond::Exists)).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_condition_failed() => Err(DirectoryError::NotFound(id.to_string())),
            Err(e) => Err(e.into()),
        }
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The writes creating a user and claiming their address, each only if absent.
fn create_ops(user: &DirectoryUser, folded_email: &str) -> Vec<TxOp> {
    let key = user_key(&user.id);
    let mut item = Item::new();
    item.insert(attr::PK.into(), key.pk.into());
    item.insert(attr::SK.into(), key.sk.into());
    item.insert(attr::GSI1PK.into(), USERS_GSI_PK.into());
    item.insert(attr::GSI1SK.into(), format!("{}#{}", user.created_at, user.id).into());
    item.insert("id".into(), user.id.as_str().into());
    item.insert("email".into(), user.email.as_str().into());
    item.insert("name".into(), user.name.as_str().into());
    item.insert("role".into(), user.role.map(group_of).into());
    item.insert("enabled".into(), user.enabled.into());
    item.insert("status".into(), user.status.as_str().into());
    item.insert("created_at".into(), user.created_at.as_str().into());
    let claim_key = email_key(folded_email);
    let mut claim = Item::new();
    claim.insert(attr::PK.into(), claim_key.pk.into());
    claim.insert(attr::SK.into(), claim_key.sk.into());
    claim.insert("id".into(), user.id.as_str().into());
    vec![
        TxOp::Put {
            item,
            cond: Some(Cond::NotExists),
        },
        TxOp::Put {
            item: claim,
            cond: Some(Cond::NotExists),
        },
    ]
}

fn user_from_item(item: &Item) -> Option<DirectoryUser> {
    Some(DirectoryUser {
        id: OperatorId::parse(str_attr(item, "id")?).ok()?,
        email: str_attr(item, "email")?.to_owned(),
        name: str_attr(item, "name")?.to_owned(),
        role: str_attr(item, "role").and_then(|r| parse_role(r).ok()),
        enabled: item.get("enabled").and_then(Value::as_bool)?,
        status: str_attr(item, "status")?.to_owned(),
        created_at: str_attr(item, "created_at")?.to_owned(),
    })
}

fn unreadable(id: &str) -> DirectoryError {
    DirectoryError::Unavailable(format!("user {id} is stored in an unreadable form").into())
}

#[async_trait]
impl UserDirectory for StoreDirectory {
    async fn list(&self, cursor: Option<&str>) -> Result<UserPage, DirectoryError> {
        let mut query = Query::partition(USERS_GSI_PK).on(Index::Gsi1).limit(PAGE_SIZE);
        if let Some(text) = cursor {
            let c = Cursor::decode(text)
                .filter(|c| c.fits(&query))
                .ok_or(DirectoryError::InvalidCursor)?;
            query = query.after(Some(c));
        }
        let page = self.store.query(query).await?;
        let users = page
            .items
            .iter()
            .map(|item| user_from_item(item).ok_or_else(|| unreadable(str_attr(item, "id").unwrap_or("?"))))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(UserPage {
            users,
            next_cursor: page.cursor.map(|c| c.encode()),
        })
    }

    async fn get(&self, id: &OperatorId) -> Result<DirectoryUser, DirectoryError> {
        let item = self
            .store
            .get(&user_key(id))
            .await?
            .ok_or_else(|| DirectoryError::NotFound(id.to_string()))?;
        user_from_item(&item).ok_or_else(|| unreadable(id.as_str()))
    }

    async fn invite(&self, invitation: &Invitation) -> Result<DirectoryUser, DirectoryError> {
        let id = OperatorId::parse(&ulid::Ulid::new().to_string().to_lowercase())
            .map_err(|e| DirectoryError::Unavailable(Box::new(e)))?;
        let user = DirectoryUser {
            id,
            email: invitation.email.as_str().to_owned(),
            name: invitation.name.as_str().to_owned(),
            role: Some(invitation.role),
            enabled: true,
            status: STATUS_INVITED.to_owned(),
            created_at: now(),
        };
        match self.store.transact(create_ops(&user, &invitation.email.folded())).await {
            Ok(()) => Ok(user),
            Err(StoreError::ConditionFailed { index: Some(1) }) => {
                Err(DirectoryError::EmailTaken(invitation.email.as_str().to_owned()))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn set_role(&self, id: &OperatorId, role: Role) -> Result<(), DirectoryError> {
        self.change(id, Update::default().set("role", json!(group_of(role))))
            .await
    }

    async fn disable(&self, id: &OperatorId) -> Result<(), DirectoryError> {
        // Local tokens are not revocable (the dev sign-in signs them); a disabled user is refused
        // at the next sign-in, and the operator profile keeps them out of routing meanwhile.
        self.change(id, Update::default().set("enabled", false)).await
    }

    async fn enable(&self, id: &OperatorId) -> Result<(), DirectoryError> {
        self.change(id, Update::default().set("enabled", true)).await
    }
}
