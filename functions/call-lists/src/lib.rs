//! The `call-lists` function: call lists (架電リスト) and their targets. Admins create lists and
//! import targets from CSV files in chunks; operators work through a list by leasing one target
//! at a time and recording the call's result. Routes live under `/api/call-lists`.

pub mod csv_file;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use shared::auth::{Caller, Role};
use shared::domain::Services;
use shared::domain::call_lists::{
    CallList, CallListUpdate, ChunkResponse, DeleteProgress, Import, Lease, MAX_CHUNK_ROWS, MAX_LINE, NewCallList,
    NewImport, ResultInput, Target, TargetDetail, TargetState,
};
use shared::domain::crm::Paged;
use shared::error::{ApiError, ApiResult, DomainError};
use shared::http::{Json, Path, Query};
use shared::ids::{CallListId, ImportId, TargetId};

use csv_file::Preview;

/// The largest chunk of a CSV file one request may carry: far above 2,000 rows of a typical
/// list, well under API Gateway's 10 MB and Lambda's 6 MB payload limits.
pub const MAX_CHUNK_BYTES: usize = 2 * 1024 * 1024;
/// The largest beginning of a file the preview reads.
pub const MAX_PREVIEW_BYTES: usize = 256 * 1024;

/// The router Lambda and the tests run: [`routes`] with a JSON 404 for unknown paths.
pub fn router(state: Services) -> Router {
    routes(state).fallback(shared::http::not_found)
}

/// This function's routes, for mounting beside the other functions' in the local runtime.
pub fn routes(state: Services) -> Router {
    Router::new()
        .route("/api/call-lists", get(list_lists).post(create_list))
        .route(
            "/api/call-lists/{list}",
            get(read_list).put(update_list).delete(delete_list),
        )
        .route(
            "/api/call-lists/{list}/imports/preview",
            post(preview).layer(DefaultBodyLimit::max(MAX_PREVIEW_BYTES)),
        )
        .route("/api/call-lists/{list}/imports", post(start_import))
        .route("/api/call-lists/{list}/imports/{import}", get(read_import))
        .route(
            "/api/call-lists/{list}/imports/{import}/chunks",
            post(import_chunk).layer(DefaultBodyLimit::max(MAX_CHUNK_BYTES)),
        )
        .route("/api/call-lists/{list}/targets", get(list_targets))
        .route("/api/call-lists/{list}/targets/{target}", get(read_target))
        .route("/api/call-lists/{list}/targets/{target}/lease", post(lease))
        .route("/api/call-lists/{list}/targets/{target}/release", post(release))
        .route("/api/call-lists/{list}/targets/{target}/result", post(record_result))
        .route("/api/call-lists/{list}/queue", get(queue))
        .route("/api/call-lists/{list}/lease-next", post(lease_next))
        .layer(shared::http::body_limit())
        .with_state(state)
}

/// The raw bytes of a CSV upload, with the errors a page can act on.
fn csv_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !["text/csv", "text/plain", "application/octet-stream"]
        .iter()
        .any(|t| content_type.starts_with(t))
    {
        return Err(ApiError::BadRequest(
            "send the bytes of the CSV file as the body, with Content-Type: text/csv".into(),
        ));
    }
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE || e.body_text().contains("length limit") {
            ApiError::Domain(DomainError::TooLarge(format!(
                "the body is over {} KB; send the file in smaller chunks (about 2,000 rows each)",
                limit / 1024
            )))
        } else {
            ApiError::BadRequest(format!("the body could not be read: {}", e.body_text()))
        }
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PageParams {
    /// At most this many (lists: 1–25, default 25; targets: 1–200, default 50).
    limit: Option<u32>,
    /// The `cursor` of the previous page.
    cursor: Option<String>,
}

/// The call lists with their progress counts, newest first.
#[utoipa::path(get, path = "/api/call-lists", params(PageParams), tag = "call-lists",
    responses((status = 200, body = Paged<CallList>), (status = 422, description = "bad cursor")))]
pub async fn list_lists(
    State(s): State<Services>,
    _caller: Caller,
    Query(p): Query<PageParams>,
) -> ApiResult<axum::Json<Paged<CallList>>> {
    Ok(axum::Json(
        s.call_lists.list(p.limit.unwrap_or(25), p.cursor.as_deref()).await?,
    ))
}

/// Creates a call list (admins).
#[utoipa::path(post, path = "/api/call-lists", request_body = NewCallList, tag = "call-lists",
    responses((status = 201, body = CallList), (status = 422, description = "a field is invalid; `field` names it")))]
pub async fn create_list(
    State(s): State<Services>,
    caller: Caller,
    Json(input): Json<NewCallList>,
) -> ApiResult<(StatusCode, axum::Json<CallList>)> {
    caller.require(Role::Admin)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(s.call_lists.create(input, &caller.id).await?),
    ))
}

/// Reads a call list with its progress counts.
#[utoipa::path(get, path = "/api/call-lists/{list}", tag = "call-lists", params(("list" = String, Path)),
    responses((status = 200, body = CallList), (status = 404)))]
pub async fn read_list(
    State(s): State<Services>,
    _caller: Caller,
    Path(list): Path<CallListId>,
) -> ApiResult<axum::Json<CallList>> {
    Ok(axum::Json(s.call_lists.get(list.record_id()).await?))
}

/// Changes a call list's name, line, script and description (admins); a stale `version` gets
/// 409 with the current list.
#[utoipa::path(put, path = "/api/call-lists/{list}", request_body = CallListUpdate, tag = "call-lists",
    params(("list" = String, Path)),
    responses((status = 200, body = CallList), (status = 409, description = "changed by someone else"), (status = 422)))]
pub async fn update_list(
    State(s): State<Services>,
    caller: Caller,
    Path(list): Path<CallListId>,
    Json(input): Json<CallListUpdate>,
) -> ApiResult<axum::Json<CallList>> {
    caller.require(Role::Admin)?;
    Ok(axum::Json(
        s.call_lists.update(list.record_id(), input, &caller.id).await?,
    ))
}

/// Deletes a call list with its targets (admins). 204 when it is gone; a large list answers
/// 202 with the progress, and the request is repeated until it answers 204.
#[utoipa::path(delete, path = "/api/call-lists/{list}", tag = "call-lists", params(("list" = String, Path)),
    responses((status = 204, description = "deleted"), (status = 202, body = DeleteProgress, description = "partly deleted: send again"), (status = 404)))]
pub async fn delete_list(
    State(s): State<Services>,
    caller: Caller,
    Path(list): Path<CallListId>,
) -> ApiResult<Response> {
    caller.require(Role::Admin)?;
    let progress = s.call_lists.delete(list.record_id()).await?;
    Ok(if progress.done {
        StatusCode::NO_CONTENT.into_response()
    } else {
        (StatusCode::ACCEPTED, axum::Json(progress)).into_response()
    })
}

/// Reads the beginning of a CSV file (admins): its encoding, header, first rows and a
/// suggested column mapping. The body is the file's first bytes (up to 256 KB, cut after a line
/// break), `Content-Type: text/csv`.
#[utoipa::path(post, path = "/api/call-lists/{list}/imports/preview", tag = "call-lists",
    params(("list" = String, Path)), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = Preview), (status = 422, description = "not a CSV file"), (status = 413)))]
pub async fn preview(
    State(s): State<Services>,
    caller: Caller,
    Path(list): Path<CallListId>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<axum::Json<Preview>> {
    caller.require(Role::Admin)?;
    let body = csv_body(&headers, body, MAX_PREVIEW_BYTES)?;
    s.call_lists.get(list.record_id()).await?;
    Ok(axum::Json(csv_file::preview(&body)?))
}

/// Starts importing a file into a list (admins): the file's columns and which hold what.
#[utoipa::path(post, path = "/api/call-lists/{list}/imports", request_body = NewImport, tag = "call-lists",
    params(("list" = String, Path)),
    responses((status = 201, body = Import), (status = 422, description = "the mapping names a column the file does not have")))]
pub async fn start_import(
    State(s): State<Services>,
    caller: Caller,
    Path(list): Path<CallListId>,
    Json(input): Json<NewImport>,
) -> ApiResult<(StatusCode, axum::Json<Import>)> {
    caller.require(Role::Admin)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(s.call_lists.start_import(list.record_id(), input, &caller.id).await?),
    ))
}

/// An import and its progress (admins).
#[utoipa::path(get, path = "/api/call-lists/{list}/imports/{import}", tag = "call-lists",
    params(("list" = String, Path), ("import" = String, Path)), responses((status = 200, body = Import), (status = 404)))]
pub async fn read_import(
    State(s): State<Services>,
    caller: Caller,
    Path((list, import)): Path<(CallListId, ImportId)>,
) -> ApiResult<axum::Json<Import>> {
    caller.require(Role::Admin)?;
    Ok(axum::Json(
        s.call_lists.get_import(list.record_id(), import.record_id()).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ChunkParams {
    /// The line of the file the chunk's first row is on (2 for the first chunk of a file with a
    /// header line, which the chunk leaves out).
    first_line: u64,
}

/// Imports one chunk of a file (admins): the raw bytes of whole rows (up to 5,000 rows and
/// 2 MB), `Content-Type: text/csv`. Rows that fail are reported with their line and reason;
/// the rest become targets. Sending a chunk again imports nothing twice and returns the same
/// report with `repeated: true`.
#[utoipa::path(post, path = "/api/call-lists/{list}/imports/{import}/chunks", tag = "call-lists",
    params(("list" = String, Path), ("import" = String, Path), ChunkParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ChunkResponse), (status = 409, description = "a different chunk was imported at this line"),
        (status = 413, description = "too many rows or bytes: send smaller chunks"), (status = 422)))]
pub async fn import_chunk(
    State(s): State<Services>,
    caller: Caller,
    Path((list, import)): Path<(CallListId, ImportId)>,
    Query(p): Query<ChunkParams>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<axum::Json<ChunkResponse>> {
    caller.require(Role::Admin)?;
    let body = csv_body(&headers, body, MAX_CHUNK_BYTES)?;
    let (list, import) = (list.record_id(), import.record_id());
    if !(1..=MAX_LINE).contains(&p.first_line) {
        return Err(DomainError::invalid_field(
            "invalid_first_line",
            "first_line",
            format!("first_line is the file's line number of the chunk's first row, 1 to {MAX_LINE}"),
        )
        .into());
    }
    let spec = s.call_lists.get_import(list, import).await?;
    let decoded = csv_file::decode(&body, spec.encoding)?;
    let rows = csv_file::rows(&decoded.text, p.first_line, MAX_CHUNK_ROWS)?;
    Ok(axum::Json(
        s.call_lists
            .import_chunk(list, import, p.first_line, decoded.encoding, rows)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct TargetParams {
    /// Only targets in this state: not_called, in_progress, no_answer, done or callback.
    state: Option<String>,
    /// 1–200, default 50.
    limit: Option<u32>,
    cursor: Option<String>,
}

/// A page of a list's targets, all (file order) or in one state (the order it is worked in).
#[utoipa::path(get, path = "/api/call-lists/{list}/targets", tag = "call-lists", params(("list" = String, Path), TargetParams),
    responses((status = 200, body = Paged<Target>), (status = 422, description = "unknown state or bad cursor")))]
pub async fn list_targets(
    State(s): State<Services>,
    _caller: Caller,
    Path(list): Path<CallListId>,
    Query(p): Query<TargetParams>,
) -> ApiResult<axum::Json<Paged<Target>>> {
    let state = p
        .state
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(TargetState::parse)
        .transpose()?;
    Ok(axum::Json(
        s.call_lists
            .targets(list.record_id(), state, p.limit.unwrap_or(50), p.cursor.as_deref())
            .await?,
    ))
}

/// A target with the results of its calls, newest first.
#[utoipa::path(get, path = "/api/call-lists/{list}/targets/{target}", tag = "call-lists",
    params(("list" = String, Path), ("target" = String, Path)), responses((status = 200, body = TargetDetail), (status = 404)))]
pub async fn read_target(
    State(s): State<Services>,
    _caller: Caller,
    Path((list, target)): Path<(CallListId, TargetId)>,
) -> ApiResult<axum::Json<TargetDetail>> {
    Ok(axum::Json(s.call_lists.target(list.record_id(), &target).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct QueueParams {
    /// 1–100, default 20.
    limit: Option<usize>,
}

/// The targets to call next: due callbacks, then abandoned leases, then targets not called.
#[utoipa::path(get, path = "/api/call-lists/{list}/queue", tag = "call-lists", params(("list" = String, Path), QueueParams),
    responses((status = 200, body = Paged<Target>), (status = 404)))]
pub async fn queue(
    State(s): State<Services>,
    _caller: Caller,
    Path(list): Path<CallListId>,
    Query(p): Query<QueueParams>,
) -> ApiResult<axum::Json<Paged<Target>>> {
    let items = s.call_lists.queue(list.record_id(), p.limit.unwrap_or(20)).await?;
    Ok(axum::Json(Paged { items, cursor: None }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct LeaseParams {
    /// How long the lease lasts, 30–3600 seconds (default 600).
    seconds: Option<u32>,
}

/// Leases a target to the calling operator, with the line and talk script to dial it with.
/// 409 `target_leased` (with the holder) when another operator holds it, `target_done` when
/// it is finished.
#[utoipa::path(post, path = "/api/call-lists/{list}/targets/{target}/lease", tag = "call-lists",
    params(("list" = String, Path), ("target" = String, Path), LeaseParams),
    responses((status = 200, body = Lease), (status = 409, description = "held by another operator, done, or the list's line is gone"), (status = 404)))]
pub async fn lease(
    State(s): State<Services>,
    caller: Caller,
    Path((list, target)): Path<(CallListId, TargetId)>,
    Query(p): Query<LeaseParams>,
) -> ApiResult<axum::Json<Lease>> {
    Ok(axum::Json(
        s.call_lists
            .lease(list.record_id(), &target, &caller.id, &caller.name, p.seconds)
            .await?,
    ))
}

/// Leases the next target of the queue nobody else holds; 204 when nothing is left to call.
#[utoipa::path(post, path = "/api/call-lists/{list}/lease-next", tag = "call-lists",
    params(("list" = String, Path), LeaseParams),
    responses((status = 200, body = Lease), (status = 204, description = "nothing left to call"), (status = 404)))]
pub async fn lease_next(
    State(s): State<Services>,
    caller: Caller,
    Path(list): Path<CallListId>,
    Query(p): Query<LeaseParams>,
) -> ApiResult<Response> {
    let next = s
        .call_lists
        .lease_next(list.record_id(), &caller.id, &caller.name, p.seconds)
        .await?;
    Ok(match next {
        Some(l) => axum::Json(l).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// Gives a leased target back without a result.
#[utoipa::path(post, path = "/api/call-lists/{list}/targets/{target}/release", tag = "call-lists",
    params(("list" = String, Path), ("target" = String, Path)),
    responses((status = 200, body = Target), (status = 409, description = "the caller does not hold the target")))]
pub async fn release(
    State(s): State<Services>,
    caller: Caller,
    Path((list, target)): Path<(CallListId, TargetId)>,
) -> ApiResult<axum::Json<Target>> {
    Ok(axum::Json(
        s.call_lists.release(list.record_id(), &target, &caller.id).await?,
    ))
}

/// Records the result of a call to a leased target (its holder only) and ends the lease.
#[utoipa::path(post, path = "/api/call-lists/{list}/targets/{target}/result", request_body = ResultInput, tag = "call-lists",
    params(("list" = String, Path), ("target" = String, Path)),
    responses((status = 200, body = Target), (status = 409, description = "the caller does not hold the target"),
        (status = 422, description = "unknown response status, bad or past callback time")))]
pub async fn record_result(
    State(s): State<Services>,
    caller: Caller,
    Path((list, target)): Path<(CallListId, TargetId)>,
    Json(input): Json<ResultInput>,
) -> ApiResult<axum::Json<Target>> {
    Ok(axum::Json(
        s.call_lists
            .record_result(list.record_id(), &target, &caller.id, &caller.name, input)
            .await?,
    ))
}

/// The OpenAPI description of this function's routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_lists,
    create_list,
    read_list,
    update_list,
    delete_list,
    preview,
    start_import,
    read_import,
    import_chunk,
    list_targets,
    read_target,
    queue,
    lease,
    lease_next,
    release,
    record_result
))]
pub struct ApiDoc;
