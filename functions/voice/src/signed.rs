//! Signed, typed webhooks: a handler's form is read only when the X-Twilio-Signature over the
//! public URL holds (403 otherwise, before anything is read or written), then typed (400 naming
//! the parameter when it is not what Twilio sends).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use shared::twilio::signature::public_webhook_url;
use shared::twilio::webhook::{
    CallStatusCallback, ConferenceCallback, IncomingCall, RecordingStatusCallback, TranscriptionCallback, WebhookError,
    parse_form_body,
};

use crate::VoiceState;
use crate::answer::plain;

/// A webhook that failed validation or could not be read.
pub(crate) enum Refused {
    Forged,
    Malformed(String),
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Forged => plain(StatusCode::FORBIDDEN, "invalid Twilio signature"),
            Refused::Malformed(m) => (StatusCode::BAD_REQUEST, m).into_response(),
        }
    }
}

/// A webhook's typed parameters (see [`shared::twilio::webhook`]).
pub trait WebhookForm: Sized {
    /// Reads the form; a missing or malformed parameter is named in the error.
    fn from_params(params: &[(String, String)]) -> Result<Self, WebhookError>;
}

/// The form's parameters as sent, for webhooks that read one or two of them.
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

impl WebhookForm for Params {
    fn from_params(params: &[(String, String)]) -> Result<Self, WebhookError> {
        Ok(Params(params.to_vec()))
    }
}

macro_rules! webhook_forms {
    ($($form:ty),+) => {$(
        impl WebhookForm for $form {
            fn from_params(params: &[(String, String)]) -> Result<Self, WebhookError> {
                <$form>::from_params(params)
            }
        }
    )+};
}

webhook_forms!(
    IncomingCall,
    CallStatusCallback,
    ConferenceCallback,
    RecordingStatusCallback,
    TranscriptionCallback
);

/// A webhook's form, read only when the X-Twilio-Signature over the public URL of the
/// request's path holds (403 otherwise, before anything is read or written), then typed (400
/// naming the parameter when it is not what Twilio sends).
pub struct Signed<T>(pub T);

impl<T: WebhookForm> FromRequest<VoiceState> for Signed<T> {
    type Rejection = Response;

    async fn from_request(req: Request, st: &VoiceState) -> Result<Self, Response> {
        let (_, params) = signed(req, st).await?;
        T::from_params(&params)
            .map(Signed)
            .map_err(|e| Refused::Malformed(e.to_string()).into_response())
    }
}

/// A signed callback whose route carries parameters: the signature is checked first (a forged
/// request is refused whatever its path says), then the path's parameters and the form typed.
pub struct SignedCallback<P, T>(pub P, pub T);

impl<P: DeserializeOwned + Send, T: WebhookForm> FromRequest<VoiceState> for SignedCallback<P, T> {
    type Rejection = Response;

    async fn from_request(req: Request, st: &VoiceState) -> Result<Self, Response> {
        let (mut parts, params) = signed(req, st).await?;
        let axum::extract::Path(path) = axum::extract::Path::<P>::from_request_parts(&mut parts, st)
            .await
            .map_err(|e| {
                Refused::Malformed(format!("the callback's path is not valid: {}", e.body_text())).into_response()
            })?;
        let form = T::from_params(&params).map_err(|e| Refused::Malformed(e.to_string()).into_response())?;
        Ok(SignedCallback(path, form))
    }
}

/// Reads the form and checks its signature over the public URL of this path (the auth tokens
/// re-read once if it does not match, in case Twilio's token was rotated since).
pub(crate) async fn signed(
    req: Request,
    st: &VoiceState,
) -> Result<(axum::http::request::Parts, Vec<(String, String)>), Response> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map_err(|_| Refused::Malformed("the body is not a readable form".into()).into_response())?;
    let params = verified(st, &parts.uri, &parts.headers, &bytes)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok((parts, params))
}

pub(crate) async fn verified(
    st: &VoiceState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<(String, String)>, Refused> {
    // Twilio sends exactly one header. Two are a forgery or a proxy's doing, refused like a
    // missing one (API Gateway would join them with a comma, which never validates either).
    let mut values = headers.get_all("x-twilio-signature").iter();
    let signature = match (values.next(), values.next()) {
        (Some(v), None) => v.to_str().unwrap_or_default(),
        _ => "",
    };
    let url = public_webhook_url(st.control.urls.base(), uri.path(), uri.query().unwrap_or(""));
    let params = parse_form_body(body, false).map_err(|e| Refused::Malformed(e.to_string()))?;
    st.validator
        .validate_or_refresh(&url, &params, signature)
        .await
        .map_err(|_| {
            tracing::warn!(path = uri.path(), "refused a webhook with an invalid signature");
            Refused::Forged
        })?;
    Ok(params)
}
