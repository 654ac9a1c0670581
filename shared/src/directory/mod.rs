//! The user directory: who may sign in to the console, with which role, and whether they may
//! sign in at all. Deployed it is the Cognito user pool ([`cognito::CognitoDirectory`], behind the
//! `cognito` feature); locally the users are kept in the store ([`local::StoreDirectory`]), so
//! the local runtime invites, changes and disables users the same way. Both adapters pass one
//! conformance suite (`shared/tests/directory_conformance.rs`).
//!
//! A user's role is the Cognito group they are in (`operator`, `supervisor` or `admin`; the
//! highest wins, as in [`crate::auth::role_from_groups`]): it reaches the functions in the
//! `cognito:groups` claim of the next ID token the user gets. [`admin::UserAdmin`] is the admin's
//! user management on this port: it keeps the operator profile in step with the directory, so a
//! disabled user leaves routing at once although their current token stays valid until it expires.

pub mod admin;
#[cfg(feature = "cognito")]
pub mod cognito;
#[cfg(any(test, feature = "test-support"))]
pub mod conformance;
pub mod local;

use async_trait::async_trait;
use serde::Serialize;

use crate::auth::Role;
use crate::error::DomainError;
use crate::ids::OperatorId;
use crate::store::StoreError;

/// Users in one page of a listing: Cognito's ListUsers returns at most 60.
pub const PAGE_SIZE: u32 = 60;

/// The longest display name accepted (Cognito allows 2048 characters; a name on a call-centre
/// screen is far shorter).
pub const MAX_NAME_CHARS: usize = 100;

/// Cognito's status of a user who has not signed in since the invitation (temporary password).
pub const STATUS_INVITED: &str = "FORCE_CHANGE_PASSWORD";
/// Cognito's status of a user who has signed in and chosen a password.
pub const STATUS_CONFIRMED: &str = "CONFIRMED";

/// A user as the admin page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DirectoryUser {
    /// The operator id: Cognito's `sub` when deployed, so it is the `sub` of the user's tokens.
    pub id: OperatorId,
    pub email: String,
    /// The display name (Cognito's `name` attribute).
    pub name: String,
    /// The console role: the highest console group the user is in; `null` for a user in none
    /// (such a user cannot use the console until an admin gives them a role).
    #[schema(required)]
    pub role: Option<Role>,
    /// Whether the user may sign in.
    pub enabled: bool,
    /// Cognito's UserStatus: `FORCE_CHANGE_PASSWORD` until the first sign-in, then `CONFIRMED`
    /// (or `RESET_REQUIRED`, … as Cognito reports it).
    pub status: String,
    /// When the user was created (RFC 3339).
    pub created_at: String,
}

/// One page of users, and the cursor of the next page.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct UserPage {
    pub users: Vec<DirectoryUser>,
    /// Send it back as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// An e-mail address as the directory stores it: checked against RFC 5322 (by the
/// `email_address` crate), with a domain of at least two labels and no display text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Checks an address typed by an admin (surrounding spaces are dropped).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let text = raw.trim();
        let options = email_address::Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        match email_address::EmailAddress::parse_with_options(text, options) {
            Ok(address) => Ok(Self(address.as_str().to_owned())),
            Err(e) => Err(DomainError::invalid_field(
                "invalid_email",
                "email",
                format!(
                    "'{}' is not an e-mail address like name@example.jp ({e})",
                    shorten(text)
                ),
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two addresses are compared in: the user pool signs in case-insensitively.
    pub fn folded(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A display name: 1 to [`MAX_NAME_CHARS`] characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(DomainError::invalid_field(
                "required",
                "name",
                "enter the user's display name",
            ));
        }
        let chars = text.chars().count();
        if chars > MAX_NAME_CHARS {
            return Err(DomainError::invalid_field(
                "too_long",
                "name",
                format!("the display name is {chars} characters; at most {MAX_NAME_CHARS} are allowed"),
            ));
        }
        if text.chars().any(char::is_control) {
            return Err(DomainError::invalid_field(
                "invalid_name",
                "name",
                "the display name cannot contain line breaks or control characters",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The Cognito group of a role.
pub fn group_of(role: Role) -> &'static str {
    match role {
        Role::Operator => "operator",
        Role::Supervisor => "supervisor",
        Role::Admin => "admin",
    }
}

/// Every role, lowest first: the console's groups.
pub const ROLES: [Role; 3] = [Role::Operator, Role::Supervisor, Role::Admin];

/// Reads a role an admin chose (`operator`, `supervisor` or `admin`).
pub fn parse_role(raw: &str) -> Result<Role, DomainError> {
    ROLES.into_iter().find(|r| group_of(*r) == raw.trim()).ok_or_else(|| {
        DomainError::invalid_field(
            "unknown_role",
            "role",
            format!("'{}' is not a role: choose operator, supervisor or admin", shorten(raw)),
        )
    })
}

/// A checked invitation: who to invite, under which name and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub email: Email,
    pub name: DisplayName,
    pub role: Role,
}

impl Invitation {
    /// Checks the fields of an invitation, naming the first one that is missing or wrong.
    pub fn parse(email: Option<&str>, name: Option<&str>, role: Option<&str>) -> Result<Self, DomainError> {
        let required =
            |field: &str, what: &str| DomainError::invalid_field("required", field, format!("enter the user's {what}"));
        let email = Email::parse(email.ok_or_else(|| required("email", "e-mail address"))?)?;
        let name = DisplayName::parse(name.ok_or_else(|| required("name", "display name"))?)?;
        let role = parse_role(role.ok_or_else(|| required("role", "role (operator, supervisor or admin)"))?)?;
        Ok(Self { email, name, role })
    }
}

/// A change an admin makes to a user: a new role, disabling or enabling, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserChange {
    pub role: Option<Role>,
    pub enabled: Option<bool>,
}

impl UserChange {
    /// Checks a change; one that changes nothing is refused, so a typo in a field name shows.
    pub fn parse(role: Option<&str>, enabled: Option<bool>) -> Result<Self, DomainError> {
        let role = role.map(parse_role).transpose()?;
        if role.is_none() && enabled.is_none() {
            return Err(DomainError::invalid(
                "nothing_to_change",
                "send a new role, or enabled true or false",
            ));
        }
        Ok(Self { role, enabled })
    }
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(64).collect();
    if s.chars().count() > 64 {
        out.push('…');
    }
    out
}

/// What can go wrong in the directory.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// No user has this id.
    #[error("there is no user '{0}'")]
    NotFound(String),
    /// A user with this e-mail address exists already.
    #[error("a user with the e-mail address {0} already exists")]
    EmailTaken(String),
    /// The cursor was not given out by this listing (edited, or from another list).
    #[error("the cursor is not one this list gave out; start again from the first page")]
    InvalidCursor,
    /// The directory refused the values (Cognito's InvalidParameterException); the message says why.
    #[error("the user directory refused the request: {0}")]
    Rejected(String),
    /// The directory could not be reached or failed; safe retries were made.
    #[error("the user directory is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<StoreError> for DirectoryError {
    fn from(e: StoreError) -> Self {
        DirectoryError::Unavailable(Box::new(e))
    }
}

impl From<DirectoryError> for DomainError {
    fn from(e: DirectoryError) -> Self {
        match e {
            DirectoryError::NotFound(_) => DomainError::NotFound(e.to_string()),
            DirectoryError::EmailTaken(_) => DomainError::conflict("email_taken", e.to_string(), None),
            DirectoryError::InvalidCursor => DomainError::invalid_field("invalid_cursor", "cursor", e.to_string()),
            DirectoryError::Rejected(_) => DomainError::invalid("rejected_by_directory", e.to_string()),
            DirectoryError::Unavailable(source) => DomainError::Unavailable(source),
        }
    }
}

/// The directory port. Every change is made as the directory's admin, never as the user.
#[async_trait]
pub trait UserDirectory: Send + Sync {
    /// One page of users (at most [`PAGE_SIZE`]) with their roles, after `cursor`.
    async fn list(&self, cursor: Option<&str>) -> Result<UserPage, DirectoryError>;

    /// One user.
    async fn get(&self, id: &OperatorId) -> Result<DirectoryUser, DirectoryError>;

    /// Creates the user with a temporary password sent to their address (deployed, Cognito's
    /// invitation e-mail), the address marked verified, in the group of the invitation's role.
    async fn invite(&self, invitation: &Invitation) -> Result<DirectoryUser, DirectoryError>;

    /// Puts the user in the role's group and out of the other console groups.
    async fn set_role(&self, id: &OperatorId, role: Role) -> Result<(), DirectoryError>;

    /// Stops the user signing in and ends their sessions (their refresh tokens are revoked).
    async fn disable(&self, id: &OperatorId) -> Result<(), DirectoryError>;

    /// Lets a disabled user sign in again.
    async fn enable(&self, id: &OperatorId) -> Result<(), DirectoryError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(e: DomainError) -> (String, &'static str) {
        match e {
            DomainError::Invalid { code, field, .. } => (field.unwrap_or_default(), code),
            other => panic!("not an invalid-field error: {other:?}"),
        }
    }

    #[test]
    fn addresses_people_type_are_accepted_and_trimmed() {
        for ok in ["sato@example.jp", " hanako.sato+call@sub.example.co.jp ", "a@b.jp"] {
            assert_eq!(Email::parse(ok).unwrap().as_str(), ok.trim());
        }
    }

    #[test]
    fn malformed_addresses_are_refused_naming_the_email_field() {
        for bad in [
            "",
            "sato",
            "sato@",
            "@example.jp",
            "sato@localhost",
            "sato@@example.jp",
            "sato example@example.jp",
            "佐藤 <sato@example.jp>",
            "sato@[127.0.0.1]",
            "sato@-example.jp",
        ] {
            assert_eq!(
                field_of(Email::parse(bad).unwrap_err()),
                ("email".into(), "invalid_email"),
                "{bad}"
            );
        }
    }

    #[test]
    fn names_must_be_present_short_and_on_one_line() {
        assert_eq!(DisplayName::parse("  佐藤 花子 ").unwrap().as_str(), "佐藤 花子");
        assert_eq!(
            field_of(DisplayName::parse("   ").unwrap_err()),
            ("name".into(), "required")
        );
        assert!(DisplayName::parse(&"あ".repeat(MAX_NAME_CHARS)).is_ok());
        assert_eq!(
            field_of(DisplayName::parse(&"あ".repeat(MAX_NAME_CHARS + 1)).unwrap_err()),
            ("name".into(), "too_long")
        );
        assert_eq!(
            field_of(DisplayName::parse("佐藤\n花子").unwrap_err()),
            ("name".into(), "invalid_name")
        );
    }

    #[test]
    fn only_the_three_console_roles_are_roles() {
        assert_eq!(parse_role("supervisor").unwrap(), Role::Supervisor);
        for bad in ["", "Admin", "admins", "owner"] {
            assert_eq!(field_of(parse_role(bad).unwrap_err()), ("role".into(), "unknown_role"));
        }
    }

    #[test]
    fn an_invitation_names_the_first_missing_field() {
        assert_eq!(
            field_of(Invitation::parse(None, Some("佐藤"), Some("operator")).unwrap_err()),
            ("email".into(), "required")
        );
        assert_eq!(
            field_of(Invitation::parse(Some("a@b.jp"), None, Some("operator")).unwrap_err()),
            ("name".into(), "required")
        );
        assert_eq!(
            field_of(Invitation::parse(Some("a@b.jp"), Some("佐藤"), None).unwrap_err()),
            ("role".into(), "required")
        );
        let ok = Invitation::parse(Some("a@b.jp"), Some("佐藤"), Some("admin")).unwrap();
        assert_eq!(ok.role, Role::Admin);
    }

    #[test]
    fn a_change_must_change_something() {
        assert!(matches!(
            UserChange::parse(None, None),
            Err(DomainError::Invalid {
                code: "nothing_to_change",
                ..
            })
        ));
        assert_eq!(
            UserChange::parse(Some("operator"), Some(false)).unwrap(),
            UserChange {
                role: Some(Role::Operator),
                enabled: Some(false)
            }
        );
    }
}
