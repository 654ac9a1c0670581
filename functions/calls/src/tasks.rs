//! Operator tasks under `/api/calls/tasks`: callers' voicemails and callback requests, listed
//! oldest place first (or the done ones, latest first), taken by one operator at a time,
//! finished and undone; a voicemail's recording is played through a short-lived link to the
//! same ranged media route as a call's recording (see [`crate::recordings`]), so the page never
//! holds Twilio's credentials nor the whole recording.

use axum::extract::State;
use serde::Deserialize;
use shared::auth::{Caller, Role};
use shared::control::CallControl;
use shared::control::recordings::RecordingLink;
use shared::domain::tasks::{Task, TaskPage};
use shared::error::ApiResult;
use shared::http::{Path, Query};
use shared::twilio::CallSid;

/// Which tasks to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TaskListQuery {
    /// `true` for the finished tasks (latest first); open and taken ones otherwise.
    #[serde(default)]
    pub done: bool,
    /// At most this many (1–100, 50 by default).
    pub limit: Option<u32>,
}

/// The tasks: voicemails and callback requests, oldest place first; one bounded query.
#[utoipa::path(get, path = "/api/calls/tasks", operation_id = "list_tasks", tag = "tasks", params(TaskListQuery),
    responses((status = 200, body = TaskPage)))]
#[tracing::instrument(name = "calls.tasks", skip_all)]
pub async fn list(
    State(c): State<CallControl>,
    _caller: Caller,
    Query(q): Query<TaskListQuery>,
) -> ApiResult<axum::Json<TaskPage>> {
    Ok(axum::Json(c.services.tasks.list(q.done, q.limit.unwrap_or(50)).await?))
}

/// Takes a task: 409 `task_taken` naming the operator who holds it, `task_done` when finished.
#[utoipa::path(post, path = "/api/calls/tasks/{task}/take", operation_id = "take_task", tag = "tasks", params(("task" = String, Path)),
    responses((status = 200, body = Task), (status = 404), (status = 409)))]
#[tracing::instrument(name = "calls.task_take", skip_all, fields(task = %task))]
pub async fn take(
    State(c): State<CallControl>,
    caller: Caller,
    Path(task): Path<CallSid>,
) -> ApiResult<axum::Json<Task>> {
    Ok(axum::Json(
        c.services.tasks.take(task.as_str(), &caller.id, &caller.name).await?,
    ))
}

/// Finishes a task the caller holds (409 `not_task_holder` otherwise).
#[utoipa::path(post, path = "/api/calls/tasks/{task}/done", operation_id = "finish_task", tag = "tasks", params(("task" = String, Path)),
    responses((status = 200, body = Task), (status = 404), (status = 409)))]
#[tracing::instrument(name = "calls.task_done", skip_all, fields(task = %task))]
pub async fn done(
    State(c): State<CallControl>,
    caller: Caller,
    Path(task): Path<CallSid>,
) -> ApiResult<axum::Json<Task>> {
    Ok(axum::Json(
        c.services.tasks.done(task.as_str(), &caller.id, &caller.name).await?,
    ))
}

/// Undoes a finished task (it is the caller's again, in its place) or puts a task the caller
/// holds back for others. A supervisor may do either for anyone's task.
#[utoipa::path(post, path = "/api/calls/tasks/{task}/undo", operation_id = "undo_task", tag = "tasks", params(("task" = String, Path)),
    responses((status = 200, body = Task), (status = 403), (status = 404), (status = 409)))]
#[tracing::instrument(name = "calls.task_undo", skip_all, fields(task = %task))]
pub async fn undo(
    State(c): State<CallControl>,
    caller: Caller,
    Path(task): Path<CallSid>,
) -> ApiResult<axum::Json<Task>> {
    let supervisor = caller.role >= Role::Supervisor;
    Ok(axum::Json(
        c.services
            .tasks
            .reopen(task.as_str(), &caller.id, &caller.name, supervisor)
            .await?,
    ))
}

/// A link to play the voicemail's recording, good for 30 minutes, for anyone who may see the
/// task (every signed-in user: the task list is shared). The link is served by range like a
/// call's recording (`GET /api/media/recordings/{token}`), and each play is audited.
#[utoipa::path(post, path = "/api/calls/tasks/{task}/recording/link", operation_id = "task_recording_link", tag = "tasks", params(("task" = String, Path)),
    responses((status = 200, body = RecordingLink), (status = 404, description = "no such task, or it has no recording yet")))]
#[tracing::instrument(name = "calls.task_recording_link", skip_all, fields(task = %task))]
pub async fn recording_link(
    State(c): State<CallControl>,
    caller: Caller,
    Path(task): Path<CallSid>,
) -> ApiResult<axum::Json<RecordingLink>> {
    Ok(axum::Json(c.task_recording_link(&caller, &task).await?))
}
