//! Ringing operators and moving calls between them over Twilio's REST API: offers from
//! routing, transfers (warm, cold, with a screen transfer), ringing the first operator back
//! when a transfer fails, and the call that heals itself. Used by the voice webhooks (a
//! customer starts waiting, an offer rang out, a transfer leg or conference event, the hold
//! music's next fetch), by the calls API and by the operators API (an operator becomes free).
//!
//! Every step here is driven by a request that arrives anyway — a webhook, a callback, the
//! hold music Twilio fetches again each time it ends, an API call — never by a timer, and each
//! is idempotent, so Twilio's retries and out-of-order callbacks only repeat what was done.

use std::sync::Arc;

use serde_json::Value;

use crate::domain::Services;
use crate::domain::calls::call_key;
use crate::domain::callstate::orphaned;
use crate::domain::handoff::{
    Handoff, NewTransfer, ScreenTransfer, Transfer, TransferMode, TransferState, TransferStep, next_step,
    operator_label,
};
use crate::domain::routing::{Offer, Unanswered};
use crate::error::DomainError;
use crate::ids::OperatorId;
use crate::store::{Cond, Item, Update};
use crate::twilio::rest::{
    ConferenceRef, ConferenceStatus, CreateParticipant, ParticipantRef, ParticipantTo, UpdateParticipant,
};
use crate::twilio::telephony::{Telephony, TelephonyError};
use crate::twilio::twiml::{CallProgressEvent, ConferenceBeep, HttpMethod};
use crate::twilio::{ClientIdentity, ConferenceSid};

/// Why a call-control step failed: a rule of the domain or the store, or the phone network.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Telephony(#[from] TelephonyError),
}

impl From<crate::store::StoreError> for ControlError {
    fn from(e: crate::store::StoreError) -> Self {
        ControlError::Domain(e.into())
    }
}

/// Why an operator is rung back into a call they had left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingBack {
    /// Their cold transfer did not go through; the customer is still held.
    TransferFailed,
    /// The customer was held with nobody for too long.
    Reconnect,
}

impl RingBack {
    pub fn as_str(self) -> &'static str {
        match self {
            RingBack::TransferFailed => "transfer_failed",
            RingBack::Reconnect => "reconnect",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "transfer_failed" => Some(RingBack::TransferFailed),
            "reconnect" => Some(RingBack::Reconnect),
            _ => None,
        }
    }
}

/// A transfer the calls API asks for, checked at the edge.
pub struct TransferOrder<'a> {
    pub call_sid: &'a str,
    /// The call as read just before.
    pub call: &'a Item,
    /// The target operator's item as read just before.
    pub target: &'a Item,
    pub mode: TransferMode,
    pub by: &'a str,
    pub screen: Option<ScreenTransfer>,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

use crate::store::str_attr as s;

/// Whether the customer is being reconnected to an operator (rung back, or back in line).
pub fn reconnecting(call: &Item) -> bool {
    call.get("ended_at").is_none() && (call.get("reconnecting_at").is_some() || call.get("requeued_at").is_some())
}

fn gone_is_fine<T>(r: Result<T, TelephonyError>) -> Result<(), TelephonyError> {
    match r {
        Ok(_) | Err(TelephonyError::NotFound { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Rings operators for waiting calls.
#[derive(Clone)]
pub struct Dispatcher {
    pub services: Services,
    pub telephony: Arc<dyn Telephony>,
    /// The public URL prefix of the voice webhooks, no trailing `/`.
    pub public_base_url: String,
}

impl Dispatcher {
    /// The deployed wiring: the DynamoDB table and Twilio's REST API with the credentials of
    /// the Twilio secret, read once at cold start, both from one AWS configuration. Also returns
    /// the secret for functions that need more of it (the voice function's signature validator).
    pub async fn from_env() -> Result<(Self, crate::config::TwilioSecrets), Box<dyn std::error::Error + Send + Sync>> {
        let config = crate::config::Config::from_env()?;
        let aws = crate::tls::aws_config_loader().load().await;
        let twilio = crate::config::TwilioSecrets::load_with(&aws).await?;
        let client = crate::store::dynamo::DynamoStore::client_with(&aws, config.dynamodb_endpoint.as_deref());
        let credentials = crate::twilio::rest::TwilioCredentials {
            account_sid: twilio.account_sid.clone(),
            api_key_sid: twilio.api_key_sid.clone(),
            api_key_secret: twilio.api_key_secret.clone(),
        };
        let rest = crate::twilio::rest::RestClient::with_base_url(
            credentials,
            config
                .twilio_api_base_url
                .as_deref()
                .unwrap_or(crate::twilio::rest::DEFAULT_BASE_URL),
            crate::twilio::rest::RetryPolicy::default(),
        )?;
        let dispatcher = Dispatcher {
            services: Services::new(Arc::new(crate::store::dynamo::DynamoStore::new(
                client,
                &config.table_name,
            ))),
            telephony: Arc::new(rest),
            public_base_url: config.public_base_url,
        };
        Ok((dispatcher, twilio))
    }

    /// Rings free operators for waiting calls, a few at a time. A failed ring puts the operator
    /// back first in line and leaves the call waiting; the next trigger tries again.
    pub async fn route_waiting(&self) {
        for _ in 0..5 {
            let offer = match self.services.routing.next_offer().await {
                Ok(Some(o)) => o,
                Ok(None) => return,
                Err(e) => {
                    tracing::error!(error = %e, "routing failed");
                    return;
                }
            };
            if let Err(e) = self.ring(&offer).await {
                tracing::error!(call = %offer.call_sid, error = %e, "could not ring the operator; the call keeps waiting");
                let call = self
                    .services
                    .store
                    .get(&crate::domain::calls::call_key(&offer.call_sid))
                    .await
                    .ok()
                    .flatten();
                let qsk = call
                    .as_ref()
                    .and_then(|c| c.get("queue_sk"))
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned();
                let _ = self
                    .services
                    .routing
                    .release(
                        &offer.call_sid,
                        &qsk,
                        &offer.operator_id,
                        &offer.offer_id,
                        Some(&offer.free_since_key),
                        Unanswered::NotRung,
                    )
                    .await;
                return;
            }
        }
    }

    async fn ring(&self, offer: &Offer) -> Result<(), String> {
        let op = OperatorId::parse(&offer.operator_id).map_err(|e| e.to_string())?;
        let identity = ClientIdentity::parse(&op.client_identity()).map_err(|e| e.to_string())?;
        let call = self
            .services
            .store
            .get(&crate::domain::calls::call_key(&offer.call_sid))
            .await
            .map_err(|e| e.to_string())?;
        let customer = call
            .as_ref()
            .and_then(|c| c.get("customer"))
            .and_then(|v| v.as_str())
            .unwrap_or("anonymous")
            .to_owned();
        let ring_secs = self
            .services
            .settings
            .get()
            .await
            .map(|s| s.call_handling.ring_timeout_seconds)
            .unwrap_or(20);
        let mut req = CreateParticipant::new(
            customer.clone(),
            ParticipantTo::Client {
                identity,
                params: vec![
                    ("callSid".into(), offer.call_sid.clone()),
                    ("offerId".into(), offer.offer_id.clone()),
                    ("customer".into(), customer),
                ],
            },
        );
        req.label = Some("operator".into());
        req.start_conference_on_enter = Some(true);
        req.end_conference_on_exit = Some(false);
        req.beep = Some(ConferenceBeep::False);
        req.timeout = Some(ring_secs);
        req.early_media = Some(true);
        req.status_callback = Some(crate::twilio::signature::retried_callback(format!(
            "{}/twilio/voice/operator-leg/{}/{}/{}",
            self.public_base_url, offer.call_sid, offer.offer_id, offer.operator_id
        )));
        req.status_callback_event = vec![
            CallProgressEvent::Ringing,
            CallProgressEvent::Answered,
            CallProgressEvent::Completed,
        ];
        req.status_callback_method = Some(HttpMethod::Post);
        self.telephony
            .create_participant(&ConferenceRef::FriendlyName(offer.call_sid.clone()), &req)
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}

/// Transfers, ring-backs and healing.
impl Dispatcher {
    /// The hold music URL for a call: Twilio fetches it again each time it ends, and the call's
    /// sid in it lets that fetch check on the call (the signature covers the query string).
    pub fn hold_url(&self, call_sid: &str) -> String {
        format!("{}/twilio/voice/hold?call={call_sid}", self.public_base_url)
    }

    /// The conference's SID: from the call record, or, before its first callback arrived,
    /// found by name. `None` when the conference is not running.
    pub async fn conference_sid(&self, call_sid: &str, call: &Item) -> Result<Option<ConferenceSid>, TelephonyError> {
        if let Some(sid) = s(call, "conference_sid").and_then(|c| ConferenceSid::parse(c).ok()) {
            return Ok(Some(sid));
        }
        let found = self
            .telephony
            .find_conferences(call_sid, Some(ConferenceStatus::InProgress))
            .await?;
        Ok(found.into_iter().next().map(|c| c.sid))
    }

    async fn conference_or_gone(&self, call_sid: &str, call: &Item) -> Result<ConferenceSid, ControlError> {
        self.conference_sid(call_sid, call)
            .await?
            .ok_or_else(|| DomainError::conflict("no_conference", "the call is not connected", None).into())
    }

    async fn set_customer_hold(&self, conf: &ConferenceSid, call_sid: &str, hold: bool) -> Result<(), TelephonyError> {
        let request = if hold {
            let mut h = UpdateParticipant::hold(self.hold_url(call_sid));
            h.hold_method = Some(HttpMethod::Post);
            h
        } else {
            UpdateParticipant::unhold()
        };
        self.telephony
            .update_participant(conf, &ParticipantRef::Label("customer".into()), &request)
            .await
            .map(|_| ())
    }

    /// Starts a transfer: records it and reserves the target (one transaction), keeps the
    /// conference running when the first operator leaves (set before holding: Twilio ignores
    /// flag changes on a held participant), holds the customer, rings the target's softphone
    /// and, for a cold transfer, takes the first operator out at once. When a request to Twilio
    /// fails, what was done is undone — at Twilio as far as it matters to the customer, and in
    /// the store entirely — and the error is returned.
    pub async fn start_transfer(&self, order: TransferOrder<'_>) -> Result<(Transfer, Option<Handoff>), ControlError> {
        let sid = order.call_sid;
        let conf = self.conference_or_gone(sid, order.call).await?;
        let (transfer, handoff) = self
            .services
            .transfers
            .begin(NewTransfer {
                call_sid: sid,
                call: order.call,
                target: order.target,
                mode: order.mode,
                by: order.by,
                screen: order.screen,
            })
            .await?;
        let was_held = order
            .call
            .get("p_customer")
            .is_some_and(|p| p["state"] == "joined" && p["hold"] == true);
        match self
            .ring_target(&conf, sid, order.call, &transfer, order.mode, was_held)
            .await
        {
            Ok(()) => {}
            Err(e) => {
                if let Err(undo) = self.services.transfers.undo_begin(sid, &transfer, order.target).await {
                    tracing::error!(call = %sid, error = %undo, "could not take back a transfer that never rang");
                }
                return Err(e);
            }
        }
        let current = self.services.store.get(&call_key(sid)).await?;
        let transfer = current.as_ref().and_then(Transfer::from_item).unwrap_or(transfer);
        Ok((transfer, handoff))
    }

    async fn ring_target(
        &self,
        conf: &ConferenceSid,
        sid: &str,
        call: &Item,
        t: &Transfer,
        mode: TransferMode,
        was_held: bool,
    ) -> Result<(), ControlError> {
        let from = ParticipantRef::Label(t.from_label.clone());
        let keep = UpdateParticipant {
            end_conference_on_exit: Some(false),
            ..UpdateParticipant::default()
        };
        match self.telephony.update_participant(conf, &from, &keep).await {
            Ok(_) => {}
            Err(TelephonyError::NotFound { .. }) if mode == TransferMode::Cold => {}
            Err(TelephonyError::NotFound { .. }) => {
                return Err(DomainError::conflict(
                    "not_connected",
                    "your softphone is not connected to this call; rejoin it before a warm transfer",
                    None,
                )
                .into());
            }
            Err(e) => return Err(e.into()),
        }
        if !was_held {
            self.set_customer_hold(conf, sid, true).await?;
        }
        let undo_hold = |e: ControlError| async move {
            if !was_held && let Err(u) = self.set_customer_hold(conf, sid, false).await {
                tracing::error!(call = %sid, error = %u, "could not take the customer off hold after a failed transfer");
            }
            e
        };
        let target = OperatorId::parse(&t.to_operator).map_err(|e| DomainError::NotFound(e.to_string()))?;
        let identity = ClientIdentity::parse(&target.client_identity())
            .map_err(|_| DomainError::NotFound(format!("operator {target} has no softphone identity")))?;
        let customer = s(call, "customer").unwrap_or("anonymous").to_owned();
        let mut params = vec![
            ("callSid".to_owned(), sid.to_owned()),
            ("transferId".to_owned(), t.id.clone()),
            ("mode".to_owned(), mode.as_str().to_owned()),
            ("fromOperator".to_owned(), t.from_name.clone()),
            ("fromOperatorId".to_owned(), t.from_operator.clone()),
            ("customer".to_owned(), customer.clone()),
        ];
        if let Some(h) = &t.handoff_id {
            params.push(("handoffId".to_owned(), h.clone()));
        }
        let ring_secs = self.services.settings.get().await?.call_handling.ring_timeout_seconds;
        let mut req = CreateParticipant::new(customer, ParticipantTo::Client { identity, params });
        req.label = Some(t.to_label.clone());
        req.start_conference_on_enter = Some(true);
        req.end_conference_on_exit = Some(false);
        req.beep = Some(ConferenceBeep::False);
        req.timeout = Some(ring_secs);
        req.early_media = Some(true);
        req.status_callback = Some(crate::twilio::signature::retried_callback(format!(
            "{}/twilio/voice/transfer-leg/{sid}/{}/{}",
            self.public_base_url, t.id, t.to_operator
        )));
        req.status_callback_event = vec![
            CallProgressEvent::Ringing,
            CallProgressEvent::Answered,
            CallProgressEvent::Completed,
        ];
        req.status_callback_method = Some(HttpMethod::Post);
        let leg = match self
            .telephony
            .create_participant(&ConferenceRef::Sid(conf.clone()), &req)
            .await
        {
            Ok(p) => p.call_sid,
            Err(e) => return Err(undo_hold(e.into()).await),
        };
        self.services.transfers.set_to_leg(sid, &t.id, leg.as_str()).await?;
        if mode == TransferMode::Cold {
            if let Err(e) = gone_is_fine(self.telephony.remove_participant(conf, &from).await) {
                if let Err(u) = gone_is_fine(
                    self.telephony
                        .remove_participant(conf, &ParticipantRef::Label(t.to_label.clone()))
                        .await,
                ) {
                    tracing::error!(call = %sid, error = %u, "could not hang up the target of a failed cold transfer");
                }
                return Err(undo_hold(e.into()).await);
            }
            self.services.transfers.from_left(sid, &t.id, None).await?;
        }
        Ok(())
    }

    /// Calls off a warm transfer under way: the target's leg is hung up and let go; the
    /// customer stays held with the first operator.
    pub async fn cancel_transfer(&self, call_sid: &str, call: &Item) -> Result<Transfer, ControlError> {
        let t = Transfer::from_item(call)
            .filter(|t| t.state.in_progress())
            .ok_or_else(|| DomainError::conflict("no_transfer", "no transfer of this call is under way", None))?;
        if t.from_left {
            return Err(DomainError::conflict(
                "transfer_cannot_be_canceled",
                "the first operator has already left this transfer; it can no longer be called off",
                serde_json::to_value(&t).ok(),
            )
            .into());
        }
        let conf = self.conference_or_gone(call_sid, call).await?;
        gone_is_fine(
            self.telephony
                .remove_participant(&conf, &ParticipantRef::Label(t.to_label.clone()))
                .await,
        )?;
        self.services
            .transfers
            .end(call_sid, &t, TransferState::Canceled, "canceled")
            .await?;
        let current = self.services.store.get(&call_key(call_sid)).await?;
        Ok(current.as_ref().and_then(Transfer::from_item).unwrap_or(t))
    }

    /// The first operator leaves a call being transferred (hang-up during a transfer): only
    /// their leg is removed; an answered transfer then completes, a ringing one goes on with
    /// the customer held.
    pub async fn leave_transfer(&self, call_sid: &str, call: &Item, t: &Transfer) -> Result<(), ControlError> {
        let conf = self.conference_or_gone(call_sid, call).await?;
        gone_is_fine(
            self.telephony
                .remove_participant(&conf, &ParticipantRef::Label(t.from_label.clone()))
                .await,
        )?;
        self.services.transfers.from_left(call_sid, &t.id, None).await?;
        self.advance_transfer(call_sid).await
    }

    /// Moves the call's transfer on from the facts known so far ([`next_step`]): completes
    /// it (customer off hold, call reassigned), fails one that rang out unreported, rings the
    /// first operator back after a failed cold transfer. Idempotent.
    pub async fn advance_transfer(&self, call_sid: &str) -> Result<(), ControlError> {
        for _ in 0..4 {
            let Some(call) = self.services.store.get(&call_key(call_sid)).await? else {
                return Ok(());
            };
            if call.get("ended_at").is_some() {
                return Ok(());
            }
            let Some(t) = Transfer::from_item(&call) else {
                return Ok(());
            };
            match next_step(&t, &now()) {
                TransferStep::Nothing => return Ok(()),
                TransferStep::Complete => {
                    // Off hold first: repeating it is harmless, and a failure leaves the
                    // transfer answered for the next callback to finish.
                    if let Some(conf) = self.conference_sid(call_sid, &call).await? {
                        gone_is_fine(self.set_customer_hold(&conf, call_sid, false).await)?;
                    }
                    self.services.transfers.complete(call_sid, &t).await?;
                }
                TransferStep::Fail(reason) => {
                    // A ring nobody reported on may still be ringing: hang it up.
                    if reason == "timeout"
                        && let Some(conf) = self.conference_sid(call_sid, &call).await?
                        && let Err(e) = gone_is_fine(
                            self.telephony
                                .remove_participant(&conf, &ParticipantRef::Label(t.to_label.clone()))
                                .await,
                        )
                    {
                        tracing::warn!(call = %call_sid, error = %e, "could not hang up the target of a failed transfer");
                    }
                    self.services
                        .transfers
                        .end(call_sid, &t, TransferState::Failed, reason)
                        .await?;
                }
                TransferStep::RingBack => {
                    if self.services.transfers.claim_ring_back(call_sid, &t.id).await? {
                        let reason = t.reason.clone().unwrap_or_else(|| "failed".into());
                        let extra = [("transferId", t.id.as_str())];
                        if let Err(e) = self
                            .ring_back(call_sid, &call, RingBack::TransferFailed, &reason, &extra)
                            .await
                        {
                            // The customer is held with nobody: the call heals itself shortly.
                            tracing::error!(call = %call_sid, error = %e, "could not ring the first operator back");
                        }
                    }
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Rings the call's operator back into the conference, on the leg label the call has for
    /// them, with the custom parameters `callSid`, `rejoin=true`, `ringBack` (why) and
    /// `reason`, plus `extra`. Their leg's callback goes to the voice function's ring-back
    /// route, which puts the call back in line if they do not answer.
    pub async fn ring_back(
        &self,
        call_sid: &str,
        call: &Item,
        why: RingBack,
        reason: &str,
        extra: &[(&str, &str)],
    ) -> Result<(), ControlError> {
        let operator = s(call, "operator_id")
            .and_then(|o| OperatorId::parse(o).ok())
            .ok_or_else(|| DomainError::conflict("no_operator", "no operator is on this call", None))?;
        let identity = ClientIdentity::parse(&operator.client_identity())
            .map_err(|_| DomainError::NotFound(format!("operator {operator} has no softphone identity")))?;
        let conf = self.conference_or_gone(call_sid, call).await?;
        let mut params = vec![
            ("callSid".to_owned(), call_sid.to_owned()),
            ("rejoin".to_owned(), "true".to_owned()),
            ("ringBack".to_owned(), why.as_str().to_owned()),
            ("reason".to_owned(), reason.to_owned()),
        ];
        params.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let ring_secs = self.services.settings.get().await?.call_handling.ring_timeout_seconds;
        let from = s(call, "customer").unwrap_or("anonymous").to_owned();
        let mut req = CreateParticipant::new(from, ParticipantTo::Client { identity, params });
        req.label = Some(operator_label(call).to_owned());
        req.start_conference_on_enter = Some(true);
        req.end_conference_on_exit = Some(false);
        req.beep = Some(ConferenceBeep::False);
        req.timeout = Some(ring_secs);
        req.early_media = Some(true);
        req.status_callback = Some(crate::twilio::signature::retried_callback(format!(
            "{}/twilio/voice/ring-back/{call_sid}/{operator}/{}",
            self.public_base_url,
            why.as_str()
        )));
        req.status_callback_event = vec![
            CallProgressEvent::Ringing,
            CallProgressEvent::Answered,
            CallProgressEvent::Completed,
        ];
        req.status_callback_method = Some(HttpMethod::Post);
        self.telephony
            .create_participant(&ConferenceRef::Sid(conf), &req)
            .await?;
        Ok(())
    }

    /// What a conference participant event means beyond the participant's own state (which
    /// [`crate::domain::callstate::CallState::apply_participant`] records): for a transfer
    /// under way, the target joined, the first operator left, or the target left; and whether
    /// the customer is now held with nobody, since when.
    pub async fn after_participant_event(
        &self,
        call_sid: &str,
        ev: &crate::domain::callstate::ParticipantEvent,
    ) -> Result<(), ControlError> {
        let Some(call) = self.services.store.get(&call_key(call_sid)).await? else {
            return Ok(());
        };
        if let Some(t) = Transfer::from_item(&call).filter(|t| t.state.in_progress()) {
            let transfers = &self.services.transfers;
            let (label, leg, seq) = (ev.label.as_str(), ev.call_sid.as_str(), ev.sequence);
            if ev.state == "joined" && t.is_to_leg(label, leg, seq) {
                transfers
                    .answered(call_sid, &t.id, (!leg.is_empty()).then_some(leg))
                    .await?;
            } else if ev.state == "left" && t.is_from_leg(label, leg, seq) {
                transfers.from_left(call_sid, &t.id, Some(seq)).await?;
            } else if ev.state == "left" && t.is_to_leg(label, leg, seq) {
                transfers.to_left(call_sid, &t.id, seq).await?;
            }
            self.advance_transfer(call_sid).await?;
        }
        if let Some(call) = self.services.store.get(&call_key(call_sid)).await? {
            self.services.call_state.track_orphan(call_sid, call, &ev.at).await?;
        }
        Ok(())
    }

    /// The target's leg of a transfer reported its progress (`CallStatus`): answered, or rang
    /// out / busy / failed. An answer that comes after the transfer was given up as rung out
    /// hangs the leg up.
    pub async fn transfer_leg_status(
        &self,
        call_sid: &str,
        transfer_id: &str,
        leg: &crate::twilio::CallSid,
        status: &str,
    ) -> Result<(), ControlError> {
        let transfers = &self.services.transfers;
        match status {
            "in-progress" => {
                let outcome = transfers.answered(call_sid, transfer_id, Some(leg.as_str())).await?;
                // Only a ring we gave up on unreported can still be up when it is answered:
                // every other way a transfer ends already took the leg down.
                let gave_up = || async {
                    let call = self.services.store.get(&call_key(call_sid)).await?;
                    Ok::<bool, ControlError>(call.as_ref().and_then(Transfer::from_item).is_some_and(|t| {
                        t.id == transfer_id && t.reason.as_deref() == Some("timeout") && t.to_left_seq.is_none()
                    }))
                };
                if outcome == crate::domain::handoff::Answered::TooLate && gave_up().await? {
                    let end = crate::twilio::rest::UpdateCall::End(crate::twilio::rest::CallUpdateStatus::Completed);
                    gone_is_fine(self.telephony.update_call(leg, &end).await)?;
                }
            }
            "no-answer" | "busy" | "failed" | "canceled" => {
                let call = self.services.store.get(&call_key(call_sid)).await?;
                if let Some(t) = call
                    .as_ref()
                    .and_then(Transfer::from_item)
                    .filter(|t| t.id == transfer_id)
                {
                    transfers
                        .end(call_sid, &t, TransferState::Failed, &status.replace('-', "_"))
                        .await?;
                }
            }
            _ => {}
        }
        self.advance_transfer(call_sid).await?;
        if let Some(call) = self.services.store.get(&call_key(call_sid)).await? {
            self.services.call_state.track_orphan(call_sid, call, &now()).await?;
        }
        Ok(())
    }

    /// A ring-back reported its progress: answered → for a reconnect, the customer is taken
    /// off hold; rang out / busy / failed → the call goes back in line for the next free
    /// operator (the customer stays held, hearing that they are being reconnected).
    pub async fn ring_back_status(
        &self,
        call_sid: &str,
        operator: &str,
        why: RingBack,
        status: &str,
    ) -> Result<(), ControlError> {
        match status {
            "in-progress" if why == RingBack::Reconnect => self.reconnected(call_sid).await,
            "no-answer" | "busy" | "failed" | "canceled" => {
                let Some(call) = self.services.store.get(&call_key(call_sid)).await? else {
                    return Ok(());
                };
                let back = call
                    .get(&format!("p_{}", operator_label(&call)))
                    .is_some_and(|p| p["state"] == "joined");
                if s(&call, "operator_id") == Some(operator) && !back && call.get("ended_at").is_none() {
                    self.requeue(call_sid, operator).await?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    async fn requeue(&self, call_sid: &str, operator: &str) -> Result<(), ControlError> {
        if self.services.routing.requeue(call_sid, operator).await? {
            tracing::warn!(call = %call_sid, operator = %operator, "operator gone: the call is back in line");
            self.route_waiting().await;
        }
        Ok(())
    }

    /// An operator is back with a customer who was being reconnected: the customer is taken
    /// off hold and the call is no longer marked as reconnecting.
    pub async fn reconnected(&self, call_sid: &str) -> Result<(), ControlError> {
        let Some(call) = self.services.store.get(&call_key(call_sid)).await? else {
            return Ok(());
        };
        if let Some(conf) = self.conference_sid(call_sid, &call).await? {
            gone_is_fine(self.set_customer_hold(&conf, call_sid, false).await)?;
        }
        let done = Update::default()
            .remove("reconnecting_at")
            .remove("requeued_at")
            .remove("heal_count");
        crate::store::done_unless_failed(
            self.services
                .store
                .update(&call_key(call_sid), done, Some(Cond::Exists))
                .await,
        )?;
        Ok(())
    }

    /// The call that heals itself, checked on requests that recur anyway (the hold music's
    /// next fetch, each calls API request): a transfer that rang out unreported fails; a
    /// customer held with nobody is noted, and after the configured `orphan_hold_seconds` is
    /// offered again — to their operator first (rung back like a rejoin, once) if that operator
    /// is still signed in and on this call, otherwise to the next free operator (back in line,
    /// ahead of later calls). The customer stays on hold meanwhile and is told they are being
    /// reconnected; they are taken off hold the moment an operator is back. Returns whether the
    /// call is being reconnected (for the hold message).
    pub async fn check_call(&self, call_sid: &str) -> Result<bool, ControlError> {
        Ok(self.checked_call(call_sid).await?.is_some_and(|c| reconnecting(&c)))
    }

    /// [`Dispatcher::check_call`], returning the call as it is afterwards (one read of the
    /// store when there is nothing to do).
    pub async fn checked_call(&self, call_sid: &str) -> Result<Option<Item>, ControlError> {
        match self.services.store.get(&call_key(call_sid)).await? {
            Some(call) => self.checked_record(call_sid, call).await,
            None => Ok(None),
        }
    }

    /// [`checked_call`](Self::checked_call) on a record the caller has already read (and, on
    /// the page's API, authorised the user for: the check may write and call Twilio).
    pub async fn checked_record(&self, call_sid: &str, mut call: Item) -> Result<Option<Item>, ControlError> {
        let key = call_key(call_sid);
        if Transfer::from_item(&call).is_some_and(|t| next_step(&t, &now()) != TransferStep::Nothing) {
            self.advance_transfer(call_sid).await?;
            match self.services.store.get(&key).await? {
                Some(c) => call = c,
                None => return Ok(None),
            }
        }
        let at = now();
        if orphaned(&call) != call.get("orphaned_since").is_some() {
            call = self.services.call_state.track_orphan(call_sid, call, &at).await?;
        }
        if !orphaned(&call) {
            return Ok(Some(call));
        }
        let since = s(&call, "orphaned_since").unwrap_or_default().to_owned();
        let limit = self.services.settings.get().await?.call_handling.orphan_hold_seconds;
        let overdue = chrono::DateTime::parse_from_rfc3339(&since)
            .map(|t| (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds() >= limit as i64)
            .unwrap_or(true);
        if !overdue {
            return Ok(Some(call));
        }
        let claim = Update::default()
            .remove("orphaned_since")
            .set("reconnecting_at", at.as_str())
            .add("heal_count", 1);
        let cond = Cond::And(vec![
            Cond::eq("orphaned_since", since.as_str()),
            Cond::eq("status", "in_progress"),
            Cond::AttrNotExists("ended_at".into()),
        ]);
        let call = match self.services.store.update(&key, claim, Some(cond)).await {
            Ok(c) => c,
            Err(e) if e.is_condition_failed() => return Ok(self.services.store.get(&key).await?),
            Err(e) => return Err(e.into()),
        };
        let Some(operator) = s(&call, "operator_id").map(str::to_owned) else {
            return Ok(Some(call));
        };
        tracing::warn!(call = %call_sid, operator = %operator, "customer held with nobody: reconnecting");
        let first_time = call.get("heal_count").and_then(Value::as_i64) == Some(1);
        let still_theirs = match OperatorId::parse(&operator) {
            Ok(id) => self
                .services
                .operators
                .get(&id)
                .await
                .is_ok_and(|o| o.current_call.as_deref() == Some(call_sid) && o.status != "offline"),
            Err(_) => false,
        };
        if first_time && still_theirs {
            match self
                .ring_back(call_sid, &call, RingBack::Reconnect, "orphaned_hold", &[])
                .await
            {
                Ok(()) => return Ok(Some(call)),
                Err(e) => {
                    tracing::error!(call = %call_sid, error = %e, "could not ring the operator back; back in line")
                }
            }
        }
        self.requeue(call_sid, &operator).await?;
        Ok(self.services.store.get(&key).await?)
    }
}
