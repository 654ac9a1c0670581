//! The `settings` function: the organisation's console settings. Every signed-in user reads
//! them (the page needs lines, statuses, objects); only admins change them. Routes live under
//! `/api/settings`. Admins also upload hold and wait music into the page's bucket ([`upload`]).

pub mod upload;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::Value;
use shared::auth::{Caller, Role};
use shared::domain::Services;
use shared::domain::settings::Settings;
use shared::domain::settings::hours::{BusinessHours, HoursPreview};
use shared::domain::settings::menu::{Menu, MenuPreview};
use shared::error::ApiResult;
use shared::error::DomainError;
use shared::http::{Json, Path};
use shared::ids::SectionName;
use upload::{MusicUpload, MusicUploadRequest, UploadHeaders, UploadSigner, UploadTarget};

/// The router Lambda and the tests run: [`routes`] with a JSON 404 for unknown paths.
pub fn router(state: Services, uploads: Arc<dyn UploadSigner>) -> Router {
    routes(state, uploads).fallback(shared::http::not_found)
}

/// This function's routes, for mounting beside the other functions' in the local runtime;
/// `uploads` says where an admin's music file is sent.
pub fn routes(state: Services, uploads: Arc<dyn UploadSigner>) -> Router {
    Router::new()
        .route("/api/settings", get(read))
        .route("/api/settings/{section}", put(write))
        .route("/api/settings/hours/preview", post(preview_hours))
        .route("/api/settings/menu/preview", post(preview_menu))
        .with_state(state)
        .merge(
            Router::new()
                .route("/api/settings/music-upload", post(music_upload))
                .with_state(uploads),
        )
        .layer(shared::http::body_limit())
}

/// Where to send a hold or wait music file (admins only): its name, type and size are checked
/// (422 saying what to fix in Japanese) and the answer is a URL accepting one PUT of it for five
/// minutes, and the path in the page's bucket the line's `waiting` setting then names.
#[utoipa::path(post, path = "/api/settings/music-upload", request_body = MusicUploadRequest, tag = "settings",
    responses((status = 200, body = UploadTarget), (status = 403), (status = 422)))]
pub async fn music_upload(
    State(uploads): State<Arc<dyn UploadSigner>>,
    caller: Caller,
    Json(req): Json<MusicUploadRequest>,
) -> ApiResult<axum::Json<UploadTarget>> {
    caller.require(Role::Admin)?;
    let upload = MusicUpload::parse(req)?;
    let upload_url = uploads.put_url(&upload).await?;
    Ok(axum::Json(UploadTarget {
        upload_url,
        method: "PUT",
        headers: UploadHeaders {
            content_type: upload.content_type,
        },
        path: upload.path,
    }))
}

/// All settings sections with their versions.
#[utoipa::path(get, path = "/api/settings", operation_id = "read_settings", tag = "settings", responses((status = 200, body = Settings)))]
pub async fn read(State(s): State<Services>, _caller: Caller) -> ApiResult<axum::Json<Settings>> {
    Ok(axum::Json((*s.settings.get().await?).clone()))
}

/// A new value for one section, with the version it was based on (0 if never saved).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionUpdate {
    pub version: u64,
    /// The section's whole new value ([`SECTION_VALUE`]).
    #[schema(schema_with = section_value)]
    pub value: Value,
}

/// The sections `PUT /api/settings/{section}` replaces: each a field of `Settings` (`hours` and
/// `menu` by line id; `waiting` each line's wait and hold audio and the callback offer's delay;
/// `queues` the queues (窓口) callers wait in and operators take by skill).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = SettingsSection)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum Section {
    Lines,
    ResponseStatuses,
    PresenceStatuses,
    SpecialNotes,
    HistoryTabs,
    Search,
    Scripts,
    Objects,
    CallHandling,
    Dialing,
    Shortcuts,
    Hours,
    Menu,
    Waiting,
    Queues,
}

/// What a section's new value is, as the OpenAPI document says it.
const SECTION_VALUE: &str = "The section's whole new value, shaped as the field of Settings the section \
     names: `queues` a list of Queue (the first one the default), `waiting` a Waiting (each line's wait and \
     hold audio, and after how long a waiting caller is offered a callback), `hours` and `menu` maps by \
     line id, and so on.";

/// The schema of a section's value: one of the shapes of the `Settings` fields.
fn section_value() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
    use utoipa::openapi::{Ref, RefOr, Schema};
    let list = |name: &str| -> RefOr<Schema> { ArrayBuilder::new().items(Ref::from_schema_name(name)).into() };
    let by_line = |name: &str| -> RefOr<Schema> {
        ObjectBuilder::new()
            .additional_properties(Some(Ref::from_schema_name(name)))
            .description(Some("By line id"))
            .into()
    };
    let one = |name: &str| -> RefOr<Schema> { Ref::from_schema_name(name).into() };
    let shapes = OneOfBuilder::new()
        .item(list("Line"))
        .item(list("ResponseStatus"))
        .item(list("PresenceStatus"))
        .item(list("NoteField"))
        .item(RefOr::<Schema>::from(
            ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)),
        ))
        .item(list("SearchObject"))
        .item(list("TalkScript"))
        .item(list("ObjectDef"))
        .item(one("CallHandling"))
        .item(one("Dialing"))
        .item(one("Shortcuts"))
        .item(by_line("BusinessHours"))
        .item(by_line("Menu"))
        .item(one("Waiting"))
        .item(list("Queue"))
        .description(Some(SECTION_VALUE))
        .build();
    Schema::OneOf(shapes).into()
}

/// Replaces one section (admins only); a stale version gets 409 with the current value. A
/// section's value is checked whole (a `waiting` naming a line that does not exist, a `queues`
/// with the same id twice, a line or menu naming a queue that is not there: 422 saying what to
/// fix in Japanese).
#[utoipa::path(put, path = "/api/settings/{section}", request_body = SectionUpdate, tag = "settings",
    params(("section" = Section, Path, description = "The section to replace: a field of Settings")),
    responses((status = 200, body = Settings), (status = 403), (status = 409), (status = 422)))]
pub async fn write(
    State(s): State<Services>,
    caller: Caller,
    Path(section): Path<SectionName>,
    Json(update): Json<SectionUpdate>,
) -> ApiResult<axum::Json<Settings>> {
    caller.require(Role::Admin)?;
    let next = s
        .settings
        .put_section(section.as_str(), update.version, update.value)
        .await?;
    Ok(axum::Json((*next).clone()))
}

/// What business hours being edited mean now (admins only): open until when, or closed from
/// when and why, and the next national holidays; nothing is saved.
#[utoipa::path(post, path = "/api/settings/hours/preview", request_body = BusinessHours, tag = "settings",
    responses((status = 200, body = HoursPreview), (status = 403), (status = 422)))]
pub async fn preview_hours(
    _s: State<Services>,
    caller: Caller,
    Json(hours): Json<BusinessHours>,
) -> ApiResult<axum::Json<HoursPreview>> {
    caller.require(Role::Admin)?;
    hours
        .validate()
        .map_err(|e| DomainError::invalid("invalid_settings", format!("営業時間: {e}")))?;
    Ok(axum::Json(hours.preview_now(5)))
}

/// What a caller would hear from a menu being edited (admins only): every prompt in order,
/// sub-menus and what each option leads to included; nothing is saved.
#[utoipa::path(post, path = "/api/settings/menu/preview", request_body = Menu, tag = "settings",
    responses((status = 200, body = MenuPreview), (status = 403), (status = 422)))]
pub async fn preview_menu(
    State(s): State<Services>,
    caller: Caller,
    Json(menu): Json<Menu>,
) -> ApiResult<axum::Json<MenuPreview>> {
    caller.require(Role::Admin)?;
    menu.validate()
        .map_err(|e| DomainError::invalid("invalid_settings", format!("IVRメニュー: {e}")))?;
    let queues = s.settings.get().await?.queues.clone();
    Ok(axum::Json(MenuPreview {
        prompts: menu.preview(&queues),
    }))
}

/// The OpenAPI description of this function's routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(read, write, preview_hours, preview_menu, music_upload),
    components(schemas(Section))
)]
pub struct ApiDoc;
