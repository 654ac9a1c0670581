//! The `memos` function: the conversation memo (会話メモ) and response status (対応ステータス)
//! of a call, saved while the operator types. Each save names the version it was based on; a
//! stale save gets 409 with the current memo, so two tabs never overwrite each other silently.
//! A save of the operator on the call is one conditional write of the memo item (history and
//! the supervisors' board read it from there); only the operator on the call (for a while the
//! one who handed it over) or a supervisor may act. Beside the memo, the call's live transcript
//! on a line that transcribes.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use shared::auth::Caller;
use shared::domain::Services;
pub use shared::domain::memos::{MEMO_MAX_CHARS, Memo, MemoSave};
use shared::domain::transcripts::TranscriptLine;
use shared::error::ApiResult;
use shared::http::{Json, Path, Query};
use shared::twilio::CallSid;

/// The router Lambda and the tests run.
pub fn router(state: Services) -> Router {
    routes(state).fallback(shared::http::not_found)
}

/// This function's routes.
pub fn routes(state: Services) -> Router {
    Router::new()
        .route("/api/memos/{call}", get(read).put(save))
        .route("/api/memos/{call}/transcript", get(transcript))
        .layer(shared::http::body_limit())
        .with_state(state)
}

/// The memo of a call (empty, version 0, before the first save).
#[utoipa::path(get, path = "/api/memos/{call}", operation_id = "read_memo", tag = "memos", params(("call" = String, Path)),
    responses((status = 200, body = Memo), (status = 403), (status = 404)))]
#[tracing::instrument(name = "memos.read", skip_all, fields(call = %call))]
pub async fn read(State(s): State<Services>, caller: Caller, Path(call): Path<CallSid>) -> ApiResult<axum::Json<Memo>> {
    Ok(axum::Json(s.memos.read(&caller, &call).await?))
}

/// Saves the memo if `version` is current; 409 with the current memo otherwise.
#[utoipa::path(put, path = "/api/memos/{call}", tag = "memos", params(("call" = String, Path)), request_body = MemoSave,
    responses((status = 200, body = Memo), (status = 409, description = "saved meanwhile elsewhere; body has the current memo"), (status = 422)))]
#[tracing::instrument(name = "memos.save", skip_all, fields(call = %call))]
pub async fn save(
    State(s): State<Services>,
    caller: Caller,
    Path(call): Path<CallSid>,
    Json(input): Json<MemoSave>,
) -> ApiResult<axum::Json<Memo>> {
    Ok(axum::Json(s.memos.save(&caller, &call, input).await?))
}

/// Which part of a transcript to read.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TranscriptQuery {
    /// Only the last this many phrases (1–20), still in the order they were said: what the
    /// board's card of a call shows when it is opened mid-call. The whole transcript otherwise.
    pub last: Option<u32>,
}

/// The live transcript of a call (リアルタイム文字起こし), in the order it was said (or its
/// `last` phrases): while the call is live for the operator on it and supervisors, once it
/// ended for anyone who reads 対応履歴. Empty for a call of a line that does not transcribe.
#[utoipa::path(get, path = "/api/memos/{call}/transcript", operation_id = "read_transcript", tag = "memos", params(("call" = String, Path), TranscriptQuery),
    responses((status = 200, body = Vec<TranscriptLine>), (status = 403), (status = 404), (status = 422, description = "last outside 1–20")))]
#[tracing::instrument(name = "memos.transcript", skip_all, fields(call = %call))]
pub async fn transcript(
    State(s): State<Services>,
    caller: Caller,
    Path(call): Path<CallSid>,
    Query(q): Query<TranscriptQuery>,
) -> ApiResult<axum::Json<Vec<TranscriptLine>>> {
    Ok(axum::Json(s.transcripts.read(&caller, &call, q.last).await?))
}

/// The OpenAPI description of this function's routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(read, save, transcript))]
pub struct ApiDoc;
