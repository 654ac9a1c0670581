//! The `history` function: response history (対応履歴) tabs — calls and records linked to a
//! phone number, an account or a contact, with the voicemails and callback requests callers
//! left. Routes live under `/api/history`; the reports (レポート) and their CSV export under
//! `/api/reports` ([`reports`]).

pub mod reports;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use shared::auth::Caller;
use shared::domain::Services;
use shared::domain::crm::{Paged, Record};
use shared::domain::history::{HistoryCall, Subject};
use shared::error::{ApiError, ApiResult, DomainError};
use shared::http::{Path, Query};
use shared::ids::{ObjectName, RecordId};
use shared::phone::PhoneNumber;

/// The router Lambda and the tests run: [`routes`] with a JSON 404 for unknown paths.
pub fn router(state: Services) -> Router {
    routes(state).fallback(shared::http::not_found)
}

/// This function's routes, for mounting beside the other functions' in the local runtime.
pub fn routes(state: Services) -> Router {
    Router::new()
        .route("/api/history/calls", get(calls))
        .route("/api/history/records/{object}", get(records))
        .merge(reports::routes())
        .layer(shared::http::body_limit())
        .with_state(state)
}

/// Whose history: exactly one of `phone`, `account`, `contact`.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct HistoryParams {
    phone: Option<String>,
    account: Option<String>,
    contact: Option<String>,
    /// 1 to 100, default 20.
    limit: Option<u32>,
    cursor: Option<String>,
    /// Only calls whose memo or live transcript holds this word (1 to 50 characters); a page
    /// then covers at most 20 calls, and its cursor goes on to older ones.
    q: Option<String>,
}

fn subject(p: &HistoryParams) -> Result<Subject, ApiError> {
    let invalid = |field: &str, e: String| ApiError::from(DomainError::invalid_field("invalid_subject", field, e));
    match (&p.phone, &p.account, &p.contact) {
        (Some(ph), None, None) => Ok(Subject::Phone(
            PhoneNumber::parse(ph).map_err(|e| invalid("phone", e.to_string()))?,
        )),
        (None, Some(a), None) => Ok(Subject::Account(
            RecordId::parse(a).map_err(|e| invalid("account", e.to_string()))?,
        )),
        (None, None, Some(c)) => Ok(Subject::Contact(
            RecordId::parse(c).map_err(|e| invalid("contact", e.to_string()))?,
        )),
        _ => Err(DomainError::invalid("invalid_subject", "give exactly one of phone, account or contact").into()),
    }
}

/// Calls linked to a phone number or an account, newest first, each with the voicemail or
/// callback request its caller left; a number's voicemails left while its line was closed are
/// listed among them as calls of status `voicemail`. Recording links are shown to supervisors
/// and admins, and to an operator on their own calls when the settings let operators play them
/// (`call_handling.operators_play_own_recordings`); the page plays them through
/// `POST /api/calls/{call}/recording/link`.
#[utoipa::path(get, path = "/api/history/calls", params(HistoryParams), tag = "history",
    responses((status = 200, body = Paged<HistoryCall>)))]
pub async fn calls(
    State(s): State<Services>,
    caller: Caller,
    Query(p): Query<HistoryParams>,
) -> ApiResult<axum::Json<Paged<HistoryCall>>> {
    let subj = subject(&p)?;
    let page = match p.q.as_deref() {
        Some(word) => {
            s.history
                .calls_with_word(&subj, p.limit.unwrap_or(20), p.cursor.as_deref(), word, &s.transcripts)
                .await?
        }
        None => {
            s.history
                .calls(&subj, p.limit.unwrap_or(20), p.cursor.as_deref())
                .await?
        }
    };
    let page = s.history.shown_to(&caller, page).await?;
    Ok(axum::Json(page))
}

/// Records of one object linked to a phone number, an account or a contact, newest first.
#[utoipa::path(get, path = "/api/history/records/{object}", params(("object" = String, Path), HistoryParams), tag = "history",
    responses((status = 200, body = Paged<Record>)))]
pub async fn records(
    State(s): State<Services>,
    _caller: Caller,
    Path(object): Path<ObjectName>,
    Query(p): Query<HistoryParams>,
) -> ApiResult<axum::Json<Paged<Record>>> {
    let subj = subject(&p)?;
    Ok(axum::Json(
        s.history
            .records(&object, &subj, p.limit.unwrap_or(20), p.cursor.as_deref())
            .await?,
    ))
}

/// The OpenAPI description of this function's routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(calls, records, reports::report, reports::export_report, reports::export_calls))]
pub struct ApiDoc;
