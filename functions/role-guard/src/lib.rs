//! The `role-guard` function: the user pool's pre-token-generation trigger, which keeps the
//! supervisor and admin roles for people who sign in with a second factor.
//!
//! The pool's MFA is optional (operators at shared desks often have no authenticator), and
//! Cognito cannot require it per group. So every time Cognito issues tokens (a sign-in or a
//! renewal), this trigger looks at the user: someone in `supervisor` or `admin` who has no
//! authenticator app (TOTP) registered gets those groups taken out of the tokens and the claim
//! `console:mfa = setup`; the page then asks them to register one (and they keep whatever operator
//! role they have meanwhile). Once TOTP is registered Cognito asks for a code at every sign-in, so
//! "registered" means "signed in with it". Users federated from the company's identity provider
//! are left as they are: their second factor is that provider's policy.

use aws_lambda_events::event::cognito::{ClaimsOverrideDetails, CognitoEventUserPoolsPreTokenGen};

/// Groups that need a second factor.
pub const ELEVATED_GROUPS: [&str; 2] = ["supervisor", "admin"];
/// The claim telling the page that the user must register an authenticator for their role.
pub const MFA_CLAIM: &str = "console:mfa";
/// Its value.
pub const MFA_SETUP: &str = "setup";

/// What went wrong checking a user: the sign-in fails with this message (Cognito shows it).
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error("the sign-in event names no user pool or user")]
    Incomplete,
    #[error("could not check the user's second factor; try signing in again: {0}")]
    Cognito(String),
}

/// The trigger, with the user pool client it reads users through.
#[derive(Clone)]
pub struct RoleGuard {
    cognito: aws_sdk_cognitoidentityprovider::Client,
}

impl RoleGuard {
    pub fn new(cognito: aws_sdk_cognitoidentityprovider::Client) -> Self {
        Self { cognito }
    }

    /// Answers the pre-token-generation event: unchanged for operators, federated users and
    /// users with TOTP; elevated groups removed (and the setup claim added) otherwise.
    pub async fn handle(
        &self,
        mut event: CognitoEventUserPoolsPreTokenGen,
    ) -> Result<CognitoEventUserPoolsPreTokenGen, GuardError> {
        let groups = event.request.group_configuration.groups_to_override.clone();
        let elevated = groups.iter().any(|g| ELEVATED_GROUPS.contains(&g.as_str()));
        let federated = event.request.user_attributes.contains_key("identities");
        if !elevated || federated {
            return Ok(event);
        }
        let header = &event.cognito_event_user_pools_header;
        let (Some(pool), Some(user)) = (header.user_pool_id.clone(), header.user_name.clone()) else {
            return Err(GuardError::Incomplete);
        };
        if self.has_authenticator(&pool, &user).await? {
            return Ok(event);
        }
        tracing::info!(user = %user, "elevated groups withheld until an authenticator is registered");
        let mut details = ClaimsOverrideDetails::default();
        details.group_override_details = event.request.group_configuration.clone();
        details.group_override_details.groups_to_override = groups
            .into_iter()
            .filter(|g| !ELEVATED_GROUPS.contains(&g.as_str()))
            .collect();
        details
            .claims_to_add_or_override
            .insert(MFA_CLAIM.to_owned(), MFA_SETUP.to_owned());
        event.response.claims_override_details = Some(details);
        Ok(event)
    }

    /// Whether the user has an authenticator app (TOTP) registered.
    async fn has_authenticator(&self, pool: &str, user: &str) -> Result<bool, GuardError> {
        let out = self
            .cognito
            .admin_get_user()
            .user_pool_id(pool)
            .username(user)
            .send()
            .await
            .map_err(|e| {
                GuardError::Cognito(aws_sdk_cognitoidentityprovider::error::DisplayErrorContext(&e).to_string())
            })?;
        Ok(out.user_mfa_setting_list().iter().any(|m| m == "SOFTWARE_TOKEN_MFA"))
    }
}
