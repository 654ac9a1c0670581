//! The `crm` function: the phone lookup behind the screen pop, CRUD of records of every object,
//! and data search. Routes live under `/api/crm`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use shared::auth::Caller;
use shared::domain::Services;
use shared::domain::crm::{Hit, Lookup, NewRecord, Paged, Record, RecordPatch};
use shared::domain::history::{HistoryCall, Subject};
use shared::error::{ApiError, ApiResult, DomainError};
use shared::http::{Json, Path, Query};
use shared::ids::{ObjectName, RecordId};
use shared::phone::ContactNumber;

/// The router Lambda and the tests run: [`routes`] with a JSON 404 for unknown paths.
pub fn router(state: Services) -> Router {
    routes(state).fallback(shared::http::not_found)
}

/// This function's routes, for mounting beside the other functions' in the local runtime.
pub fn routes(state: Services) -> Router {
    Router::new()
        .route("/api/crm/lookup", get(lookup))
        .route("/api/crm/search", get(search))
        .route("/api/crm/objects/{object}/records", axum::routing::post(create))
        .route(
            "/api/crm/objects/{object}/records/{id}",
            get(read).put(update).delete(remove),
        )
        .layer(shared::http::body_limit())
        .with_state(state)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct LookupParams {
    /// The number in any common form: 03-1234-5678, ０３（１２３４）５６７８, +81 3 1234 5678.
    phone: String,
    /// Also the first page of the number's calls (対応履歴), this many (1 to 100), as
    /// `GET /api/history/calls?phone=` lists them: the screen pop and its history in one request.
    calls: Option<u32>,
}

fn parse_phone(s: &str) -> Result<ContactNumber, ApiError> {
    ContactNumber::parse(s).map_err(|e| DomainError::invalid_field("invalid_phone", "phone", e.to_string()).into())
}

fn parse_object(s: &str) -> Result<ObjectName, ApiError> {
    ObjectName::parse(s).map_err(|e| DomainError::NotFound(e.to_string()).into())
}

/// The screen pop: what the CRM files under a number ([`Lookup`]), with the first page of the
/// number's calls when the lookup asks for it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ScreenPop {
    #[serde(flatten)]
    pub lookup: Lookup,
    /// The number's calls (対応履歴), newest first: their first page, when the lookup asks for it
    /// (`calls`), so that the screen pop and its history come in one request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls: Option<Paged<HistoryCall>>,
}

/// The accounts, contacts and other records filed under a phone number (screen pop), with the
/// first page of the number's calls when `calls` asks for it.
#[utoipa::path(get, path = "/api/crm/lookup", params(LookupParams), tag = "crm",
    responses((status = 200, body = ScreenPop), (status = 422, description = "not a phone number, or `calls` out of range")))]
pub async fn lookup(
    State(s): State<Services>,
    caller: Caller,
    Query(p): Query<LookupParams>,
) -> ApiResult<axum::Json<ScreenPop>> {
    let phone = parse_phone(&p.phone)?;
    let limit = match p.calls {
        None => {
            return Ok(axum::Json(ScreenPop {
                lookup: s.crm.lookup_contact(&phone).await?,
                calls: None,
            }));
        }
        Some(n @ 1..=100) => n,
        Some(_) => {
            return Err(DomainError::invalid_field("invalid_limit", "calls", "ask for 1 to 100 calls").into());
        }
    };
    let subject = Subject::Phone(phone.number().clone());
    let (lookup, page) = tokio::try_join!(s.crm.lookup_contact(&phone), s.history.calls(&subject, limit, None))?;
    Ok(axum::Json(ScreenPop {
        lookup,
        calls: Some(s.history.shown_to(&caller, page).await?),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SearchParams {
    /// The object to search (one of the objects configured for data search).
    object: String,
    /// At least two characters; kana, full/half width and case are folded.
    q: String,
    limit: Option<usize>,
    cursor: Option<String>,
}

/// Searches the configured fields of one object.
#[utoipa::path(get, path = "/api/crm/search", params(SearchParams), tag = "crm",
    responses((status = 200, body = Paged<Hit>), (status = 422, description = "query too short or object not searchable")))]
pub async fn search(
    State(s): State<Services>,
    _caller: Caller,
    Query(p): Query<SearchParams>,
) -> ApiResult<axum::Json<Paged<Hit>>> {
    let object = parse_object(&p.object)?;
    Ok(axum::Json(
        s.crm
            .search(&object, &p.q, p.limit.unwrap_or(20), p.cursor.as_deref())
            .await?,
    ))
}

/// Creates a record.
#[utoipa::path(post, path = "/api/crm/objects/{object}/records", request_body = NewRecord, tag = "crm",
    params(("object" = String, Path)),
    responses((status = 201, body = Record), (status = 422, description = "a field is invalid"), (status = 413, description = "over 400 KB")))]
pub async fn create(
    State(s): State<Services>,
    caller: Caller,
    Path(object): Path<ObjectName>,
    Json(input): Json<NewRecord>,
) -> ApiResult<(StatusCode, axum::Json<Record>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.crm.create(&object, input, &caller.id).await?),
    ))
}

/// Reads a record.
#[utoipa::path(get, path = "/api/crm/objects/{object}/records/{id}", operation_id = "read_record", tag = "crm",
    params(("object" = String, Path), ("id" = String, Path)), responses((status = 200, body = Record), (status = 404)))]
pub async fn read(
    State(s): State<Services>,
    _caller: Caller,
    Path((object, id)): Path<(ObjectName, RecordId)>,
) -> ApiResult<axum::Json<Record>> {
    Ok(axum::Json(s.crm.get(&object, &id).await?))
}

/// Changes a record; a stale `version` gets 409 with the current record.
#[utoipa::path(put, path = "/api/crm/objects/{object}/records/{id}", operation_id = "update_record", request_body = RecordPatch, tag = "crm",
    params(("object" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Record), (status = 409, description = "changed by someone else; body has the current record")))]
pub async fn update(
    State(s): State<Services>,
    caller: Caller,
    Path((object, id)): Path<(ObjectName, RecordId)>,
    Json(patch): Json<RecordPatch>,
) -> ApiResult<axum::Json<Record>> {
    Ok(axum::Json(s.crm.update(&object, &id, patch, &caller.id).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DeleteParams {
    /// The version being deleted (a stale one gets 409).
    version: u64,
}

/// Deletes a record (supervisors and admins).
#[utoipa::path(delete, path = "/api/crm/objects/{object}/records/{id}", tag = "crm",
    params(("object" = String, Path), ("id" = String, Path), DeleteParams), responses((status = 204), (status = 409)))]
pub async fn remove(
    State(s): State<Services>,
    caller: Caller,
    Path((object, id)): Path<(ObjectName, RecordId)>,
    Query(p): Query<DeleteParams>,
) -> ApiResult<StatusCode> {
    caller.require(shared::auth::Role::Supervisor)?;
    s.crm.delete(&object, &id, p.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The OpenAPI description of this function's routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(lookup, search, create, read, update, remove))]
pub struct ApiDoc;
