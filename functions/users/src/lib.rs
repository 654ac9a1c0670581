//! The `users` function: user management for admins under `/api/users` — the list of users with
//! their role and sign-in state, invitations (the user pool e-mails a temporary password), role
//! changes, disabling or enabling a user, and each operator's skills (the queues they take). Every route is for admins only, refused before
//! anything is read or written. Deployed the directory is the Cognito user pool; the local
//! runtime mounts the same routes on its store directory.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use serde::{Deserialize, Serialize};
use shared::auth::{Caller, Role};
use shared::directory::admin::UserAdmin;
use shared::directory::{DirectoryUser, Invitation, UserChange, UserDirectory, UserPage};
use shared::domain::Services;
use shared::domain::operators::Operators;
use shared::error::ApiResult;
use shared::http::{Json, Path, Query};
use shared::ids::OperatorId;

/// What the routes work on: the admin's user management over a directory.
#[derive(Clone)]
pub struct UsersState {
    pub admin: Arc<UserAdmin>,
    pub directory: Arc<dyn UserDirectory>,
    pub operators: Arc<Operators>,
}

impl UsersState {
    /// User management on `directory`, keeping the operator profiles of `services` in step.
    pub fn new(directory: Arc<dyn UserDirectory>, services: &Services) -> Self {
        Self {
            admin: Arc::new(UserAdmin::new(directory.clone(), services.operators.clone())),
            directory,
            operators: services.operators.clone(),
        }
    }
}

/// The router Lambda and the tests run: [`routes`] with a JSON 404 for unknown paths.
pub fn router(state: UsersState) -> Router {
    routes(state).fallback(shared::http::not_found)
}

/// This function's routes, for mounting beside the other functions' in the local runtime.
pub fn routes(state: UsersState) -> Router {
    Router::new()
        .route("/api/users", get(list).post(invite))
        .route("/api/users/skills", get(skills))
        .route("/api/users/{id}", put(update))
        .route("/api/users/{id}/skills", put(set_skills))
        .layer(shared::http::body_limit())
        .with_state(state)
}

/// Where a listing continues.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// The `next_cursor` of the previous page; absent for the first page.
    pub cursor: Option<String>,
}

/// One page of users (60 at most), in the directory's order.
#[utoipa::path(get, path = "/api/users", operation_id = "list_users", tag = "users", params(Page),
    responses((status = 200, body = UserPage), (status = 403), (status = 422)))]
pub async fn list(
    State(s): State<UsersState>,
    caller: Caller,
    Query(page): Query<Page>,
) -> ApiResult<axum::Json<UserPage>> {
    caller.require(Role::Admin)?;
    Ok(axum::Json(s.admin.list(page.cursor.as_deref()).await?))
}

/// A user to invite. Every field is required; each is checked and named when it is wrong.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// The address the invitation (with a temporary password) is sent to; the user signs in with it.
    pub email: Option<String>,
    /// The display name shown in the console (1 to 100 characters).
    pub name: Option<String>,
    /// `operator`, `supervisor` or `admin`.
    pub role: Option<String>,
}

/// Invites a user: 201 with the user, who waits for their first sign-in
/// (`FORCE_CHANGE_PASSWORD`); 409 when the address is taken.
#[utoipa::path(post, path = "/api/users", request_body = NewUser, tag = "users",
    responses((status = 201, body = DirectoryUser), (status = 403), (status = 409), (status = 422)))]
pub async fn invite(
    State(s): State<UsersState>,
    caller: Caller,
    Json(new): Json<NewUser>,
) -> ApiResult<(StatusCode, axum::Json<DirectoryUser>)> {
    caller.require(Role::Admin)?;
    let invitation = Invitation::parse(new.email.as_deref(), new.name.as_deref(), new.role.as_deref())?;
    Ok((StatusCode::CREATED, axum::Json(s.admin.invite(&invitation).await?)))
}

/// A change to a user: a new role, `enabled`, or both.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    /// `operator`, `supervisor` or `admin`; it takes effect when the user next signs in (their
    /// next token carries it).
    pub role: Option<String>,
    /// false disables the user: they cannot sign in, get no Voice token and are taken out of
    /// call routing at once (a call in progress goes on). true enables them again.
    pub enabled: Option<bool>,
}

/// Changes a user's role or disables or enables them, and returns the user as they now are.
/// 404 for an unknown id; 409 when an admin would disable or demote themselves.
#[utoipa::path(put, path = "/api/users/{id}", operation_id = "update_user", request_body = UserUpdate, tag = "users",
    params(("id" = String, Path, description = "The user's id (the operator id)")),
    responses((status = 200, body = DirectoryUser), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    State(s): State<UsersState>,
    caller: Caller,
    Path(id): Path<OperatorId>,
    Json(change): Json<UserUpdate>,
) -> ApiResult<axum::Json<DirectoryUser>> {
    caller.require(Role::Admin)?;
    let change = UserChange::parse(change.role.as_deref(), change.enabled)?;
    Ok(axum::Json(s.admin.change(&caller.id, id.as_str(), change).await?))
}

/// Every operator's skills, by operator id: only operators an admin gave skills appear (the
/// others take every queue).
#[derive(Serialize, utoipa::ToSchema)]
pub struct SkillsList {
    pub skills: BTreeMap<String, Vec<String>>,
}

/// The operators' skills (admins only): one read of the operator list.
#[utoipa::path(get, path = "/api/users/skills", operation_id = "list_skills", tag = "users",
    responses((status = 200, body = SkillsList), (status = 403)))]
pub async fn skills(State(s): State<UsersState>, caller: Caller) -> ApiResult<axum::Json<SkillsList>> {
    caller.require(Role::Admin)?;
    let skills = s
        .operators
        .list()
        .await?
        .into_iter()
        .filter_map(|o| Some((o.id, o.skills?)))
        .collect();
    Ok(axum::Json(SkillsList { skills }))
}

/// The queues an operator takes.
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Skills {
    /// Queue ids from the `queues` settings; an empty list takes every queue.
    pub queues: Vec<String>,
}

/// Sets the queues a user takes calls from and returns them as stored (an empty list: every
/// queue). 404 for an unknown user; 422 naming a queue the centre does not have.
#[utoipa::path(put, path = "/api/users/{id}/skills", operation_id = "set_skills", request_body = Skills, tag = "users",
    params(("id" = String, Path, description = "The user's id (the operator id)")),
    responses((status = 200, body = Skills), (status = 403), (status = 404), (status = 422)))]
pub async fn set_skills(
    State(s): State<UsersState>,
    caller: Caller,
    Path(id): Path<OperatorId>,
    Json(skills): Json<Skills>,
) -> ApiResult<axum::Json<Skills>> {
    caller.require(Role::Admin)?;
    let user = s.directory.get(&id).await.map_err(shared::error::DomainError::from)?;
    let role = user.role.unwrap_or(Role::Operator);
    let stored = s.operators.set_skills(&id, &user.name, role, &skills.queues).await?;
    Ok(axum::Json(Skills {
        queues: stored.unwrap_or_default(),
    }))
}

/// The OpenAPI description of this function's routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, invite, update, skills, set_skills))]
pub struct ApiDoc;
