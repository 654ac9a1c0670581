//! The Cognito adapter of the directory: the deployed user pool (e-mail addresses as user names,
//! so a user's `Username` is their `sub`), spoken to with the admin API as the `users`
//! function's role. The SDK stays private to this file.
//!
//! A listing is one ListUsers page (60 users). ListUsers does not say which groups a user is in,
//! and asking per user would be 60 more requests a page, so the members of the three console
//! groups are read with ListUsersInGroup (pages of 60, at most [`MAX_GROUP_PAGES`] a group)
//! and matched by `sub`. In a pool larger than that, the users of the page not found in those
//! pages are asked about one by one (AdminListGroupsForUser).
//!
//! Invitation is AdminCreateUser (`email`, `name`, `email_verified`; Cognito e-mails the
//! temporary password) followed by AdminAddUserToGroup. Should the second fail, the user exists
//! in no console group: the list shows them without a role and an admin gives them one.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::primitives::DateTime;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, DeliveryMediumType, UserType};

use super::{DirectoryError, DirectoryUser, Invitation, PAGE_SIZE, ROLES, UserDirectory, UserPage, group_of};
use crate::auth::{Role, role_from_groups};
use crate::ids::OperatorId;

/// How many pages of one group's members a listing reads before asking per user.
pub const MAX_GROUP_PAGES: usize = 10;

/// The directory on a Cognito user pool.
#[derive(Clone)]
pub struct CognitoDirectory {
    client: Client,
    pool_id: String,
}

impl CognitoDirectory {
    pub fn new(client: Client, pool_id: impl Into<String>) -> Self {
        Self {
            client,
            pool_id: pool_id.into(),
        }
    }

    /// The directory on pool `pool_id`, with a client from an AWS configuration the caller
    /// already loaded (see [`crate::tls::aws_config_loader`]).
    pub fn from_config(aws: &aws_config::SdkConfig, pool_id: impl Into<String>) -> Self {
        Self::new(Client::new(aws), pool_id)
    }

    /// The console groups user `id` is in.
    async fn groups_of(&self, id: &OperatorId) -> Result<Vec<Role>, DirectoryError> {
        let mut roles = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .client
                .admin_list_groups_for_user()
                .user_pool_id(&self.pool_id)
                .username(id.as_str())
                .limit(60)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| failure(e, id.as_str()))?;
            roles.extend(
                out.groups()
                    .iter()
                    .filter_map(|g| g.group_name())
                    .filter_map(role_from_groups),
            );
            token = out.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(roles);
            }
        }
    }

    /// The roles of the users of one listed page, by id.
    async fn roles_of(&self, page: &[OperatorId]) -> Result<HashMap<OperatorId, Role>, DirectoryError> {
        let mut roles: HashMap<OperatorId, Role> = HashMap::new();
        let mut complete = true;
        for role in ROLES {
            let mut token: Option<String> = None;
            for pages in 1.. {
                let out = self
                    .client
                    .list_users_in_group()
                    .user_pool_id(&self.pool_id)
                    .group_name(group_of(role))
                    .limit(60)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| failure(e, group_of(role)))?;
                for id in out.users().iter().filter_map(user_id) {
                    roles.entry(id).and_modify(|r| *r = (*r).max(role)).or_insert(role);
                }
                token = out.next_token().map(str::to_owned);
                if token.is_none() {
                    break;
                }
                if pages == MAX_GROUP_PAGES {
                    complete = false;
                    break;
                }
            }
        }
        if !complete {
            let unknown: Vec<&OperatorId> = page.iter().filter(|id| !roles.contains_key(*id)).collect();
            for id in unknown {
                if let Some(role) = self.groups_of(id).await?.into_iter().max() {
                    roles.insert(id.clone(), role);
                }
            }
        }
        Ok(roles)
    }
}

/// Sorts an SDK failure into what the port reports; `subject` names what was asked about.
fn failure<E>(e: SdkError<E>, subject: &str) -> DirectoryError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match e.code() {
        Some("UserNotFoundException") => DirectoryError::NotFound(subject.to_owned()),
        Some("UsernameExistsException" | "AliasExistsException") => DirectoryError::EmailTaken(subject.to_owned()),
        Some("InvalidParameterException") => {
            DirectoryError::Rejected(e.message().unwrap_or("a value is not accepted").to_owned())
        }
        _ => DirectoryError::Unavailable(Box::new(e)),
    }
}

fn attribute<'a>(attributes: &'a [AttributeType], name: &str) -> Option<&'a str> {
    attributes.iter().find(|a| a.name() == name).and_then(|a| a.value())
}

/// A user's operator id: their `sub` (which is also their user name in a pool that signs in
/// with e-mail addresses).
fn user_id(u: &UserType) -> Option<OperatorId> {
    attribute(u.attributes(), "sub")
        .or(u.username())
        .and_then(|s| OperatorId::parse(s).ok())
}

fn rfc3339(at: Option<&DateTime>) -> String {
    at.and_then(|t| chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

struct Fields<'a> {
    attributes: &'a [AttributeType],
    enabled: bool,
    status: Option<&'a str>,
    created: Option<&'a DateTime>,
}

fn directory_user(id: OperatorId, f: Fields<'_>, role: Option<Role>) -> DirectoryUser {
    let email = attribute(f.attributes, "email").unwrap_or_default().to_owned();
    DirectoryUser {
        id,
        name: attribute(f.attributes, "name")
            .map(str::to_owned)
            .unwrap_or_else(|| email.clone()),
        email,
        role,
        enabled: f.enabled,
        status: f.status.unwrap_or("UNKNOWN").to_owned(),
        created_at: rfc3339(f.created),
    }
}

fn listed(u: &UserType) -> Fields<'_> {
    Fields {
        attributes: u.attributes(),
        enabled: u.enabled(),
        status: u.user_status().map(|s| s.as_str()),
        created: u.user_create_date(),
    }
}

#[async_trait]
impl UserDirectory for CognitoDirectory {
    async fn list(&self, cursor: Option<&str>) -> Result<UserPage, DirectoryError> {
        let out = self
            .client
            .list_users()
            .user_pool_id(&self.pool_id)
            .limit(PAGE_SIZE as i32)
            .set_pagination_token(cursor.map(str::to_owned))
            .send()
            .await
            .map_err(|e| match e.code() {
                // The token is the only value of the request a client chose.
                Some("InvalidParameterException" | "InvalidToken") if cursor.is_some() => DirectoryError::InvalidCursor,
                _ => failure(e, "the user list"),
            })?;
        let page: Vec<(OperatorId, &UserType)> = out
            .users()
            .iter()
            .filter_map(|u| match user_id(u) {
                Some(id) => Some((id, u)),
                None => {
                    tracing::warn!(username = ?u.username(), "a user pool user without a usable sub is left out");
                    None
                }
            })
            .collect();
        let ids: Vec<OperatorId> = page.iter().map(|(id, _)| id.clone()).collect();
        let roles = self.roles_of(&ids).await?;
        Ok(UserPage {
            users: page
                .into_iter()
                .map(|(id, u)| {
                    let role = roles.get(&id).copied();
                    directory_user(id, listed(u), role)
                })
                .collect(),
            next_cursor: out.pagination_token().map(str::to_owned),
        })
    }

    async fn get(&self, id: &OperatorId) -> Result<DirectoryUser, DirectoryError> {
        let out = self
            .client
            .admin_get_user()
            .user_pool_id(&self.pool_id)
            .username(id.as_str())
            .send()
            .await
            .map_err(|e| failure(e, id.as_str()))?;
        let role = self.groups_of(id).await?.into_iter().max();
        let fields = Fields {
            attributes: out.user_attributes(),
            enabled: out.enabled(),
            status: out.user_status().map(|s| s.as_str()),
            created: out.user_create_date(),
        };
        Ok(directory_user(id.clone(), fields, role))
    }

    async fn invite(&self, invitation: &Invitation) -> Result<DirectoryUser, DirectoryError> {
        let email = invitation.email.as_str();
        let mut attributes = Vec::new();
        for (name, value) in [
            ("email", email),
            ("name", invitation.name.as_str()),
            ("email_verified", "true"),
        ] {
            let a = AttributeType::builder()
                .name(name)
                .value(value)
                .build()
                .map_err(|e| DirectoryError::Unavailable(Box::new(e)))?;
            attributes.push(a);
        }
        let out = self
            .client
            .admin_create_user()
            .user_pool_id(&self.pool_id)
            .username(email)
            .set_user_attributes(Some(attributes))
            .desired_delivery_mediums(DeliveryMediumType::Email)
            .send()
            .await
            .map_err(|e| failure(e, email))?;
        let user = out
            .user()
            .ok_or_else(|| DirectoryError::Unavailable("Cognito created the user but did not describe it".into()))?;
        let id = user_id(user)
            .ok_or_else(|| DirectoryError::Unavailable("Cognito created a user without a usable sub".into()))?;
        self.client
            .admin_add_user_to_group()
            .user_pool_id(&self.pool_id)
            .username(id.as_str())
            .group_name(group_of(invitation.role))
            .send()
            .await
            .map_err(|e| failure(e, id.as_str()))?;
        Ok(directory_user(id, listed(user), Some(invitation.role)))
    }

    async fn set_role(&self, id: &OperatorId, role: Role) -> Result<(), DirectoryError> {
        let current = self.groups_of(id).await?;
        if !current.contains(&role) {
            self.client
                .admin_add_user_to_group()
                .user_pool_id(&self.pool_id)
                .username(id.as_str())
                .group_name(group_of(role))
                .send()
                .await
                .map_err(|e| failure(e, id.as_str()))?;
        }
        for other in current.into_iter().filter(|r| *r != role) {
            self.client
                .admin_remove_user_from_group()
                .user_pool_id(&self.pool_id)
                .username(id.as_str())
                .group_name(group_of(other))
                .send()
                .await
                .map_err(|e| failure(e, id.as_str()))?;
        }
        Ok(())
    }

    async fn disable(&self, id: &OperatorId) -> Result<(), DirectoryError> {
        self.client
            .admin_disable_user()
            .user_pool_id(&self.pool_id)
            .username(id.as_str())
            .send()
            .await
            .map_err(|e| failure(e, id.as_str()))?;
        self.client
            .admin_user_global_sign_out()
            .user_pool_id(&self.pool_id)
            .username(id.as_str())
            .send()
            .await
            .map_err(|e| failure(e, id.as_str()))?;
        Ok(())
    }

    async fn enable(&self, id: &OperatorId) -> Result<(), DirectoryError> {
        self.client
            .admin_enable_user()
            .user_pool_id(&self.pool_id)
            .username(id.as_str())
            .send()
            .await
            .map_err(|e| failure(e, id.as_str()))?;
        Ok(())
    }
}

/// A fresh user pool set up like the deployed one (e-mail addresses as user names, the three
/// console groups) on the test server of [`crate::testing::moto_endpoint`], which also serves
/// Cognito's API.
#[cfg(any(test, feature = "test-support"))]
pub async fn fresh_test_pool() -> CognitoDirectory {
    use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_cognitoidentityprovider::types::{UsernameAttributeType, VerifiedAttributeType};

    let conf = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("ap-northeast-1"))
        .endpoint_url(crate::testing::moto_endpoint())
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .http_client(crate::tls::aws_http_client())
        .build();
    let client = Client::from_conf(conf);
    let pool = client
        .create_user_pool()
        .pool_name(format!("console-test-{}", ulid::Ulid::new().to_string().to_lowercase()))
        .username_attributes(UsernameAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .expect("create the test user pool");
    let pool_id = pool
        .user_pool()
        .and_then(|p| p.id())
        .expect("the test pool has an id")
        .to_owned();
    for role in ROLES {
        client
            .create_group()
            .user_pool_id(&pool_id)
            .group_name(group_of(role))
            .send()
            .await
            .expect("create a console group");
    }
    CognitoDirectory::new(client, pool_id)
}
