//! The dial-out policy checked before the page places a call: an outgoing call starts with the
//! operator's own softphone leg, so the page asks here first and a barred or invalid number is
//! refused (422, saying why) before any leg exists. The TwiML App's outbound webhook and the
//! consultation call apply the same check again, so a page that skips this places nothing.

use serde::{Deserialize, Serialize};

use super::{CallControl, ControlError};
use crate::auth::Caller;
use crate::error::DomainError;
use crate::phone::ContactNumber;

/// A number about to be dialled, and the line it would go out on.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DialRequest {
    /// The number as typed (`03-1234-5678`, `+1 212 555 0123`, `03-1234-5678 内線 12`).
    pub to: String,
    /// The outbound line (発信回線) the call would use.
    pub line_id: String,
}

/// A number the operator may call.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DialCheck {
    /// The number in E.164 (with `;ext=` when an extension was written).
    pub number: String,
    /// The number as an operator reads it.
    pub display: String,
    /// Its country (ISO 3166).
    pub country: String,
}

impl CallControl {
    /// Whether the caller may dial `to` on the line `line_id`: the number must parse, the line
    /// exist, and the number be in an allowed country and not premium rate.
    #[tracing::instrument(name = "control.check_dial", skip_all, fields(operator = %caller.id))]
    pub async fn check_dial(&self, caller: &Caller, req: &DialRequest) -> Result<DialCheck, ControlError> {
        let contact = ContactNumber::parse(&req.to)
            .map_err(|e| DomainError::invalid_field("invalid_phone", "to", e.to_string()))?;
        let settings = self.services.settings.get().await?;
        if settings.line(&req.line_id).is_none() {
            return Err(DomainError::invalid_field(
                "unknown_line",
                "line_id",
                "choose one of the configured outbound lines",
            )
            .into());
        }
        if let Err(e) = settings.dialing.check(contact.number(), "to") {
            tracing::warn!(number = %contact.masked(), "a barred number was refused before dialling");
            return Err(e.into());
        }
        Ok(DialCheck {
            number: contact.to_string(),
            display: contact.display(),
            country: contact.number().country(),
        })
    }
}
