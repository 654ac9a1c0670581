//! The `memos` function: the conversation memo (会話メモ) and response status (対応ステータス)
//! of a call, saved while the operator types. Each save names the version it was based on; a
//! stale save gets 409 with the current memo, so two tabs never overwrite each other silently.
//! The memo is mirrored into the call record in the same transaction, so history and
//! supervisors see it as it is typed. Only the operator on the call or a supervisor may act.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::auth::{Caller, Role};
use shared::domain::Services;
use shared::domain::calls::call_key;
use shared::error::{ApiError, ApiResult, DomainError};
use shared::http::Json;
use shared::store::{Cond, Item, Key, StoreError, TxOp, Update};

/// The most characters a memo may hold.
pub const MEMO_MAX_CHARS: usize = 10_000;

/// The router Lambda and the tests run.
pub fn router(state: Services) -> Router {
    routes(state).fallback(shared::http::not_found)
}

/// This function's routes.
pub fn routes(state: Services) -> Router {
    Router::new()
        .route("/api/memos/{call}", get(read).put(save))
        .layer(shared::http::body_limit())
        .with_state(state)
}

/// A call's memo.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Memo {
    pub call_sid: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<String>,
    /// 0 until the first save.
    pub version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
}

/// A save: the version it was based on and the full text.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemoSave {
    pub version: u64,
    pub text: String,
    #[serde(default)]
    pub response_status: Option<String>,
}

fn memo_key(call: &str) -> Key {
    Key::new(format!("CALL#{call}"), "MEMO")
}

fn check_call_id(call: &str) -> Result<(), ApiError> {
    shared::twilio::CallSid::parse(call)
        .map(|_| ())
        .map_err(|_| DomainError::NotFound("there is no such call".into()).into())
}

/// The call, if the caller may see and change its memo.
async fn authorised_call(s: &Services, caller: &Caller, call: &str) -> Result<Item, ApiError> {
    check_call_id(call)?;
    let item = s
        .store
        .get(&call_key(call))
        .await?
        .ok_or_else(|| DomainError::NotFound(format!("there is no call {call}")))?;
    let on_call = [item.get("operator_id"), item.get("offered_to")]
        .iter()
        .any(|v| v.and_then(Value::as_str) == Some(caller.id.as_str()));
    if on_call || caller.role >= Role::Supervisor {
        Ok(item)
    } else {
        Err(ApiError::forbidden(
            "only the operator on this call or a supervisor can see or change its memo",
        ))
    }
}

fn memo_from(call: &str, item: Option<Item>) -> Memo {
    item.and_then(|i| serde_json::from_value(Value::Object(i)).ok())
        .unwrap_or(Memo {
            call_sid: call.to_owned(),
            text: String::new(),
            response_status: None,
            version: 0,
            updated_at: None,
            updated_by: None,
        })
}

/// The memo of a call (empty, version 0, before the first save).
#[utoipa::path(get, path = "/api/memos/{call}", tag = "memos", params(("call" = String, Path)),
    responses((status = 200, body = Memo), (status = 403), (status = 404)))]
pub async fn read(State(s): State<Services>, caller: Caller, Path(call): Path<String>) -> ApiResult<axum::Json<Memo>> {
    authorised_call(&s, &caller, &call).await?;
    Ok(axum::Json(memo_from(&call, s.store.get(&memo_key(&call)).await?)))
}

/// Saves the memo if `version` is current; 409 with the current memo otherwise.
#[utoipa::path(put, path = "/api/memos/{call}", tag = "memos", params(("call" = String, Path)), request_body = MemoSave,
    responses((status = 200, body = Memo), (status = 409, description = "saved meanwhile elsewhere; body has the current memo"), (status = 422)))]
pub async fn save(
    State(s): State<Services>,
    caller: Caller,
    Path(call): Path<String>,
    Json(input): Json<MemoSave>,
) -> ApiResult<axum::Json<Memo>> {
    if input.text.chars().count() > MEMO_MAX_CHARS {
        return Err(DomainError::invalid_field(
            "memo_too_long",
            "text",
            format!("a memo holds at most {MEMO_MAX_CHARS} characters"),
        )
        .into());
    }
    if let Some(rs) = &input.response_status {
        let settings = s.settings.get().await?;
        if !settings.response_statuses.iter().any(|x| x.id.as_str() == rs) {
            return Err(DomainError::invalid_field(
                "unknown_response_status",
                "response_status",
                format!("'{rs}' is not one of the configured response statuses"),
            )
            .into());
        }
    }
    authorised_call(&s, &caller, &call).await?;
    let key = memo_key(&call);
    // No stored memo has the largest version, so a save claiming it is stale like any other.
    let Some(next_version) = input.version.checked_add(1) else {
        return Err(stale(&s, &call, &key).await);
    };
    let memo = Memo {
        call_sid: call.clone(),
        text: input.text,
        response_status: input.response_status,
        version: next_version,
        updated_at: Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        updated_by: Some(caller.id.to_string()),
    };
    let mut item = match serde_json::to_value(&memo) {
        Ok(Value::Object(m)) => m,
        _ => return Err(DomainError::invalid("invalid_memo", "the memo could not be encoded").into()),
    };
    item.insert("PK".into(), key.pk.clone().into());
    item.insert("SK".into(), key.sk.clone().into());
    let cond = if input.version == 0 {
        Cond::NotExists
    } else {
        Cond::version(input.version)
    };
    let mut mirror = Update::default().set("memo", memo.text.as_str());
    mirror = match &memo.response_status {
        Some(rs) => mirror.set("response_status", rs.as_str()),
        None => mirror.remove("response_status"),
    };
    let ops = vec![
        TxOp::Put { item, cond: Some(cond) },
        TxOp::Update {
            key: call_key(&call),
            update: mirror,
            cond: Some(Cond::Exists),
        },
    ];
    match s.store.transact(ops).await {
        Ok(()) => Ok(axum::Json(memo)),
        Err(StoreError::ConditionFailed { .. }) | Err(StoreError::TransactionConflict) => {
            Err(stale(&s, &call, &key).await)
        }
        Err(e) => Err(e.into()),
    }
}

/// The 409 for a save whose version is not the stored one, carrying the memo as it is now.
async fn stale(s: &Services, call: &str, key: &Key) -> ApiError {
    let current = match s.store.get(key).await {
        Ok(item) => memo_from(call, item),
        Err(e) => return e.into(),
    };
    DomainError::conflict(
        "stale_version",
        format!(
            "the memo was saved meanwhile by {} (version {}); merge your text and save again",
            current.updated_by.as_deref().unwrap_or("someone"),
            current.version
        ),
        serde_json::to_value(&current).ok(),
    )
    .into()
}

/// The OpenAPI description of this function's routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(read, save))]
pub struct ApiDoc;
