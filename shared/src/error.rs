//! Errors: the domain's own enum, and the one `ApiError` that turns any of them into an HTTP
//! status with a JSON body `{"error": {"code", "message"}}`. A 5xx body never says anything
//! internal; the cause goes to the log.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use crate::store::StoreError;

/// What went wrong in the domain, without any notion of HTTP.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The input breaks a rule; `field` names the offending field when there is one.
    #[error("{message}")]
    Invalid {
        code: &'static str,
        field: Option<String>,
        message: String,
    },
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Someone else changed it first, or the state no longer allows the action; `current`
    /// carries the current state so the client can merge or reload.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        current: Option<Value>,
    },
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The payload exceeds a documented limit.
    #[error("{0}")]
    TooLarge(String),
    /// A dependency (the store, Twilio) failed; safe retries were already made.
    #[error("a dependency is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A dependency refused the request as not allowed or malformed (access denied, a
    /// validation error, a missing table): a fault of the code or of the deployment that no
    /// retry cures. Reported as 500 with the cause in the log, where an alarm watches for it.
    #[error("a dependency refused the request")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl DomainError {
    /// An invalid-input error about one field.
    pub fn invalid_field(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// An invalid-input error about the request as a whole.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            field: None,
            message: message.into(),
        }
    }

    /// A conflict carrying the current state.
    pub fn conflict(code: &'static str, message: impl Into<String>, current: Option<Value>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            current,
        }
    }
}

impl From<StoreError> for DomainError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::TooLarge(m) => DomainError::TooLarge(m),
            e @ (StoreError::Invalid(_) | StoreError::Rejected(_)) => DomainError::Internal(Box::new(e)),
            other => DomainError::Unavailable(Box::new(other)),
        }
    }
}

/// An error as the API reports it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The request could not be read (malformed JSON, bad query string, bad path).
    #[error("{0}")]
    BadRequest(String),
    /// No or an invalid credential.
    #[error("{0}")]
    Unauthorized(String),
    /// A bug or an unexpected failure; logged, reported as a generic 500.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// Shorthand for a 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Domain(DomainError::Forbidden(message.into()))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self::Domain(e.into())
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    current: Option<&'a Value>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, field, current) = match &self {
            ApiError::Domain(DomainError::Invalid { code, field, message }) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                *code,
                message.clone(),
                field.as_deref(),
                None,
            ),
            ApiError::Domain(DomainError::NotFound(m)) => (StatusCode::NOT_FOUND, "not_found", m.clone(), None, None),
            ApiError::Domain(DomainError::Conflict { code, message, current }) => {
                (StatusCode::CONFLICT, *code, message.clone(), None, current.as_ref())
            }
            ApiError::Domain(DomainError::Forbidden(m)) => (StatusCode::FORBIDDEN, "forbidden", m.clone(), None, None),
            ApiError::Domain(DomainError::TooLarge(m)) => {
                (StatusCode::PAYLOAD_TOO_LARGE, "too_large", m.clone(), None, None)
            }
            ApiError::Domain(DomainError::Unavailable(source)) => {
                tracing::error!(error = %source, "dependency unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The service is temporarily unavailable. Please try again in a moment.".to_owned(),
                    None,
                    None,
                )
            }
            ApiError::Domain(DomainError::Internal(source)) => {
                // The marker the stacks' metric filters count (infra/functions.json `logAlarms`: DependencyRejectedAlarm).
                tracing::error!(error = %source, alarm = "dependency_rejected", "a dependency refused the request");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "An unexpected error occurred. It has been logged.".to_owned(),
                    None,
                    None,
                )
            }
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.clone(), None, None),
            ApiError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "unauthorized", m.clone(), None, None),
            ApiError::Internal(source) => {
                tracing::error!(error = %source, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "An unexpected error occurred. It has been logged.".to_owned(),
                    None,
                    None,
                )
            }
        };
        let body = Body {
            error: ErrorBody {
                code,
                message,
                field,
                current,
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("1"));
        }
        response
    }
}

/// The result type of every handler.
pub type ApiResult<T> = Result<T, ApiError>;
