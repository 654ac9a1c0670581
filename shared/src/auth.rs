//! Who is calling. Deployed, API Gateway's JWT authorizer has already verified the Cognito
//! token and put its claims in the request context; locally, the dev sign-in puts the same
//! claims in the same place. Functions read them here and enforce the role.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use lambda_http::request::RequestContext;
use serde::Serialize;

use crate::error::ApiError;
use crate::ids::OperatorId;

/// The roles of the console, lowest first: a supervisor can do all an operator can, an admin
/// all a supervisor can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Operator,
    Supervisor,
    Admin,
}

impl Role {
    /// The role a Cognito group grants: its name exactly, nothing else.
    fn from_group(group: &str) -> Option<Self> {
        match group {
            "operator" => Some(Role::Operator),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// The signed-in user of a request.
#[derive(Debug, Clone, Serialize)]
pub struct Caller {
    pub id: OperatorId,
    pub name: String,
    pub role: Role,
}

impl Caller {
    /// Refuses the request unless the caller has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this action needs the {} role; you are signed in as {}",
                role_name(role),
                role_name(self.role)
            )))
        }
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Operator => "operator",
        Role::Supervisor => "supervisor",
        Role::Admin => "admin",
    }
}

/// Parses Cognito's `cognito:groups` claim as API Gateway's JWT authorizer forwards it: the
/// array's elements between brackets, separated by spaces (`[admin operator]`; a single group may
/// come without brackets). Cognito group names hold no whitespace, so each element is one group
/// name, matched exactly: a group named `sales,admin` or `"admin"` grants nothing. The highest
/// role wins.
pub fn role_from_groups(groups: &str) -> Option<Role> {
    let inner = groups
        .strip_prefix('[')
        .and_then(|g| g.strip_suffix(']'))
        .unwrap_or(groups);
    inner.split_whitespace().filter_map(Role::from_group).max()
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let claims = match parts.extensions.get::<RequestContext>() {
            Some(RequestContext::ApiGatewayV2(ctx)) => {
                ctx.authorizer.as_ref().and_then(|a| a.jwt.as_ref()).map(|j| &j.claims)
            }
            _ => None,
        }
        .ok_or_else(|| ApiError::Unauthorized("sign in first: the request carries no verified token".into()))?;
        Caller::from_claims(|name| claims.get(name).cloned())
    }
}

impl Caller {
    /// The caller named by verified claims as API Gateway forwards them (`sub`, `cognito:groups`
    /// as `[a b]`, `name`): what the HTTP API's functions and the live channel's authorizer read.
    pub fn from_claims(claim: impl Fn(&str) -> Option<String>) -> Result<Self, ApiError> {
        let sub = claim("sub").ok_or_else(|| ApiError::Unauthorized("the token has no subject".into()))?;
        let id = OperatorId::parse(&sub).map_err(|e| ApiError::Unauthorized(e.to_string()))?;
        let role = claim("cognito:groups")
            .and_then(|g| role_from_groups(&g))
            .ok_or_else(|| ApiError::forbidden("your user is in no console group (operator, supervisor or admin)"))?;
        let name = claim("name")
            .or_else(|| claim("cognito:username"))
            .or_else(|| claim("email"))
            .unwrap_or_else(|| id.to_string());
        Ok(Caller { id, name, role })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_as_the_gateway_forwards_them_give_the_highest_role() {
        assert_eq!(role_from_groups("[operator supervisor]"), Some(Role::Supervisor));
        assert_eq!(role_from_groups("[admin operator]"), Some(Role::Admin));
        assert_eq!(role_from_groups("[operator]"), Some(Role::Operator));
        assert_eq!(role_from_groups("operator"), Some(Role::Operator));
        assert_eq!(role_from_groups("[sales]"), None);
        assert_eq!(role_from_groups("[]"), None);
    }

    #[test]
    fn only_a_group_named_exactly_after_a_role_grants_it() {
        assert_eq!(role_from_groups("[sales,admin]"), None);
        assert_eq!(role_from_groups("[sales,admin operator]"), Some(Role::Operator));
        assert_eq!(role_from_groups("[\"admin\"]"), None);
        assert_eq!(role_from_groups("[admins]"), None);
        assert_eq!(role_from_groups("[Admin]"), None);
        assert_eq!(
            role_from_groups("[ admin]"),
            Some(Role::Admin),
            "spaces only separate groups"
        );
    }
}
