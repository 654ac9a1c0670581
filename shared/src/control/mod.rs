//! Call control: the one service that acts on live calls over the store and Twilio's REST API.
//! The calls, operators and voice functions only extract a request, call one operation here
//! and map its outcome to HTTP or TwiML.
//!
//! Every call is a conference named after the customer's CallSid. By job:
//!
//! - [`offers`]: an incoming call recorded and queued, its wait, operators rung for waiting calls
//!   (one place releases an offer that did not ring or was not answered), the offer's progress;
//! - [`conference`]: what the page asks of a live call — its state, hold, consultation call,
//!   recording, hang-up, rejoining, and supervisors listening, whispering or barging in;
//! - [`transfer`]: transfers to another operator (warm, cold, with a screen transfer), moved on
//!   by their legs' callbacks and the conference's events;
//! - [`external`]: a warm transfer to an outside number (the consultation party takes the
//!   customer, the operator leaves); [`dialing`]: the dial-out policy checked before the page
//!   dials; [`hand`]: 手上げ, answered when a supervisor joins the call;
//! - [`heal`]: ringing an operator back into their call and the call that heals itself;
//! - [`voicemail`]: a line's voicemail box, whose recording and ja-JP transcript become an
//!   operator task; [`callback`]: the callback offered to a caller who has waited, keeping their
//!   place, and each line's wait and hold music;
//! - [`transcript`]: the live ja-JP transcript of a call on a line that transcribes, started in
//!   the customer's TwiML and kept phrase by phrase from its callbacks;
//! - [`empty_room`]: an operator who answers after the customer has gone is freed at once;
//! - [`entry`]: what a caller meets before the queue — the line's business hours and IVR menu;
//! - [`outbound`]: the customer's call placed for an operator's outgoing leg;
//! - [`events`]: Twilio's status, conference and recording callbacks applied to the call;
//! - [`legs`]: the one builder of an operator's (or supervisor's) softphone leg;
//! - [`reconcile`]: the store brought in line with Twilio when end callbacks were lost (every
//!   minute, and a supervisor releasing a stuck operator);
//! - [`recordings`]: a call's recording played in the page through a short-lived link (the
//!   role checked, the listening audited, the media read from Twilio a range at a time) and
//!   deleted at Twilio when its retention runs out (run with [`reconcile`]);
//! - [`webhooks`]: the webhook routes and the URLs built from them.
//!
//! Every step is driven by a request that arrives anyway — a webhook, a callback, the hold
//! music Twilio fetches again each time it ends, an API call — never by a timer, and each is
//! idempotent, so Twilio's retries and out-of-order callbacks only repeat what was done. The one
//! exception is [`reconcile`], run on a schedule for the callbacks that never arrived.

pub mod callback;
pub mod conference;
pub mod dialing;
pub mod empty_room;
pub mod entry;
pub mod events;
pub mod external;
pub mod hand;
pub mod heal;
pub mod legs;
pub mod offers;
pub mod outbound;
pub mod reconcile;
pub mod recordings;
pub mod transcript;
pub mod transfer;
pub mod voicemail;
pub mod webhooks;

use std::sync::Arc;

pub use conference::{ConsultRequest, MonitorMode, RecordingAction};
pub use dialing::{DialCheck, DialRequest};
pub use heal::RingBack;
pub use outbound::{OutboundRefusal, PlacedCall};
pub use reconcile::{Reconciled, Release, ReleaseOutcome};
pub use transfer::TransferRequest;
pub use webhooks::{CallbackUrls, Webhook};

use crate::domain::Services;
use crate::domain::calls::{CallRecord, ParticipantLabel, call_key};
use crate::error::{ApiError, DomainError};
use crate::store::{Cond, StoreError, Update};
use crate::twilio::ConferenceSid;
use crate::twilio::rest::{ConferenceStatus, ParticipantRef, UpdateParticipant};
use crate::twilio::telephony::{Telephony, TelephonyError};
use crate::twilio::twiml::HttpMethod;

/// Why a call-control step failed: a rule of the domain or the store, or the phone network.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Telephony(#[from] TelephonyError),
}

impl From<StoreError> for ControlError {
    fn from(e: StoreError) -> Self {
        ControlError::Domain(e.into())
    }
}

/// A refused or failed call action as the API reports it: the domain's status, and for the
/// phone network a conflict (the call is gone, or Twilio refused it) or 503.
impl From<ControlError> for ApiError {
    fn from(e: ControlError) -> Self {
        match e {
            ControlError::Domain(d) => d.into(),
            ControlError::Telephony(t) => t.into(),
        }
    }
}

/// The call-control service, built once at cold start and shared by handlers.
#[derive(Clone)]
pub struct CallControl {
    pub services: Services,
    pub telephony: Arc<dyn Telephony>,
    /// The URLs Twilio calls back.
    pub urls: CallbackUrls,
    /// The moment business hours are judged at (the system's clock but in tests).
    pub clock: entry::HoursClock,
    /// The recordings' retention sweep is known to have its place (it is set once and only
    /// moves on): later recordings need not write it again.
    sweep_placed: Arc<std::sync::atomic::AtomicBool>,
}

impl CallControl {
    /// Call control over `services` and `telephony`, with Twilio calling back at
    /// `public_base_url`.
    pub fn new(services: Services, telephony: Arc<dyn Telephony>, public_base_url: &str) -> Self {
        Self {
            services,
            telephony,
            urls: CallbackUrls::new(public_base_url),
            clock: entry::HoursClock::default(),
            sweep_placed: Arc::default(),
        }
    }

    /// A call's record, if there is one.
    pub async fn call(&self, sid: &str) -> Result<Option<CallRecord>, ControlError> {
        let item = self.services.store.get(&call_key(sid)).await?;
        Ok(item.as_ref().and_then(CallRecord::from_item))
    }

    /// The conference's SID: from the call record, or, before its first callback arrived,
    /// found by name. `None` when the conference is not running.
    pub async fn conference_sid(
        &self,
        call_sid: &str,
        call: &CallRecord,
    ) -> Result<Option<ConferenceSid>, TelephonyError> {
        if let Some(sid) = call
            .conference_sid
            .as_deref()
            .and_then(|c| ConferenceSid::parse(c).ok())
        {
            return Ok(Some(sid));
        }
        let found = self
            .telephony
            .find_conferences(call_sid, Some(ConferenceStatus::InProgress))
            .await?;
        Ok(found.into_iter().next().map(|c| c.sid))
    }

    /// [`CallControl::conference_sid`], refused when the conference is not running.
    async fn conference_or_gone(&self, call_sid: &str, call: &CallRecord) -> Result<ConferenceSid, ControlError> {
        self.conference_sid(call_sid, call)
            .await?
            .ok_or_else(|| DomainError::conflict("no_conference", "the call is not connected yet", None).into())
    }

    /// Puts the customer on hold with the hold music, or takes them off it.
    async fn set_customer_hold(&self, conf: &ConferenceSid, call_sid: &str, hold: bool) -> Result<(), TelephonyError> {
        let request = if hold {
            let mut h = UpdateParticipant::hold(self.urls.hold_music(call_sid));
            h.hold_method = Some(HttpMethod::Post);
            h
        } else {
            UpdateParticipant::unhold()
        };
        self.telephony
            .update_participant(conf, &participant(ParticipantLabel::Customer), &request)
            .await
            .map(|_| ())
    }

    /// Writes `update` to a call's record (which must exist).
    async fn note(&self, sid: &str, update: Update) -> Result<(), ControlError> {
        self.services
            .store
            .update(&call_key(sid), update, Some(Cond::Exists))
            .await?;
        Ok(())
    }

    /// How long an operator's softphone rings (the call-handling settings).
    async fn ring_seconds(&self) -> Result<u32, ControlError> {
        Ok(self.services.settings.get().await?.call_handling.ring_timeout_seconds)
    }
}

/// The participant labelled `label` of a conference, as the REST API addresses it.
fn participant(label: ParticipantLabel) -> ParticipantRef {
    ParticipantRef::Label(label.as_str().to_owned())
}

/// A request about a leg or a participant that is already gone counts as done.
fn gone_is_fine<T>(r: Result<T, TelephonyError>) -> Result<(), TelephonyError> {
    match r {
        Ok(_) | Err(TelephonyError::NotFound { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
