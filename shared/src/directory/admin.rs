//! User management for admins: listing, inviting, changing a role, disabling and enabling, on
//! the directory port, with the operator profile kept in step.
//!
//! The profile is what the functions consult on every request, because an ID token stays valid
//! until it expires (an hour) even after Cognito disabled its user and revoked the refresh
//! tokens. So disabling marks the profile first — the operator leaves the free list at once and
//! the token function and presence changes refuse them — and only then disables the user in
//! the directory; enabling goes the other way round. A failure half-way leaves the user more
//! restricted, never less, and repeating the request completes it.

use std::sync::Arc;

use super::{DirectoryUser, Invitation, UserChange, UserDirectory, UserPage};
use crate::auth::Role;
use crate::domain::operators::Operators;
use crate::error::DomainError;
use crate::ids::OperatorId;

/// The admin's user management.
pub struct UserAdmin {
    directory: Arc<dyn UserDirectory>,
    operators: Arc<Operators>,
}

impl UserAdmin {
    pub fn new(directory: Arc<dyn UserDirectory>, operators: Arc<Operators>) -> Self {
        Self { directory, operators }
    }

    /// One page of users: the first without a cursor (an empty one counts as none).
    pub async fn list(&self, cursor: Option<&str>) -> Result<UserPage, DomainError> {
        let cursor = cursor.filter(|c| !c.is_empty());
        if cursor.is_some_and(|c| c.len() > 4096) {
            return Err(super::DirectoryError::InvalidCursor.into());
        }
        Ok(self.directory.list(cursor).await?)
    }

    /// Invites a user: the directory sends them a temporary password. Their operator profile is
    /// made at their first sign-in.
    pub async fn invite(&self, invitation: &Invitation) -> Result<DirectoryUser, DomainError> {
        Ok(self.directory.invite(invitation).await?)
    }

    /// Applies an admin's change to user `id` and returns the user as they now are. An admin
    /// cannot disable or demote themselves (so the console always keeps an admin who made no
    /// mistake); an unknown id is not found.
    pub async fn change(&self, by: &OperatorId, id: &str, change: UserChange) -> Result<DirectoryUser, DomainError> {
        let id = OperatorId::parse(id).map_err(|_| super::DirectoryError::NotFound(id.to_owned()))?;
        if &id == by {
            if change.enabled == Some(false) {
                return Err(DomainError::conflict(
                    "self_lockout",
                    "you cannot disable your own user; ask another admin to do it",
                    None,
                ));
            }
            if change.role.is_some_and(|r| r != Role::Admin) {
                return Err(DomainError::conflict(
                    "self_lockout",
                    "you cannot take the admin role from yourself; ask another admin to do it",
                    None,
                ));
            }
        }
        let user = self.directory.get(&id).await?;
        if let Some(role) = change.role.filter(|r| user.role != Some(*r)) {
            self.directory.set_role(&id, role).await?;
            self.operators.set_role(&id, role).await?;
        }
        let role = change.role.or(user.role).unwrap_or(Role::Operator);
        match change.enabled {
            Some(false) => {
                self.operators.set_disabled(&id, &user.name, role, true).await?;
                self.directory.disable(&id).await?;
            }
            Some(true) => {
                self.directory.enable(&id).await?;
                self.operators.set_disabled(&id, &user.name, role, false).await?;
            }
            None => {}
        }
        Ok(self.directory.get(&id).await?)
    }
}
