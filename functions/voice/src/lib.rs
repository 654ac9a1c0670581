//! The `voice` function: Twilio's webhooks under `/twilio/voice`. Every request must carry a
//! valid X-Twilio-Signature over the public URL Twilio called (403 otherwise, before anything
//! is read or written).
//!
//! Calls are conferences named after the customer's CallSid. An incoming call is recorded,
//! queued and parked in its conference with wait messages — no REST request on that path, and
//! when the store is slow or down the caller is parked all the same. Routing rings the
//! longest-idle free operator when the customer's wait starts (the wait document's first
//! request), when the customer joins the conference, and when an operator becomes free.
//!
//! Transfers move on from their target's leg callbacks and the conference's events; the hold
//! music, fetched again by Twilio each time it ends, checks on the held customer's call, so a
//! customer held with nobody is reconnected without any server of our own running.
//!
//! Each handler reads its signed, typed webhook ([`Signed`], [`SignedCallback`]), calls one
//! operation of [`CallControl`] and answers with TwiML or a status; the routes and every URL
//! handed to Twilio come from [`Webhook`]. The handlers are grouped by job: `incoming` (the
//! customer's call and its line's business hours, its wait and hold music), `menu` (the line's
//! IVR menu), `callbacks` (conference events and legs' status),
//! `outbound` (calls placed from the page) and `recording`; `signed` reads webhooks and
//! `answer` builds what they answer with; `origin` knows the URL Twilio called (deployed, the
//! function's own function URL, named by each request).

mod answer;
mod callback;
mod callbacks;
mod incoming;
mod menu;
mod origin;
mod outbound;
mod recording;
mod signed;
mod voicemail;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use shared::control::{CallControl, Webhook};
use shared::twilio::signature::WebhookValidator;

use callback::{callback_choice, callback_offer, callback_rejoin};
use callbacks::{conference, operator_leg, ring_back, status, transfer_leg};
use incoming::{fallback, goodbye, hold_music, incoming, wait};
use menu::menu;
pub use origin::FunctionUrls;
use outbound::{join_customer, outbound};
use recording::recording;
pub use signed::{Params, Signed, SignedCallback, WebhookForm};
use voicemail::{call_transcript, voicemail, voicemail_done, voicemail_recording, voicemail_transcript};

/// What the voice handlers share, built once at cold start.
#[derive(Clone)]
pub struct VoiceState {
    pub control: CallControl,
    pub validator: Arc<WebhookValidator>,
    /// How long the incoming webhook waits for the CRM (and the store) before parking the
    /// caller without it.
    pub lookup_budget: Duration,
}

impl VoiceState {
    /// The voice function over `control`, checking signatures with `validator`, with the
    /// deployed lookup budget (1.5 s).
    pub fn new(control: CallControl, validator: WebhookValidator) -> Self {
        Self {
            control,
            validator: Arc::new(validator),
            lookup_budget: Duration::from_millis(1500),
        }
    }
}

/// The router Lambda, the local runtime and the tests run: [`routes`] under the configured
/// base URL, or, when that base names the region's function URLs, at the function URL each
/// request came through (see [`FunctionUrls`]).
pub fn router(state: VoiceState) -> Router {
    match FunctionUrls::named_by(state.control.urls.base()) {
        Some(urls) => urls.router(state),
        None => routes(state),
    }
}

/// This function's routes (all under `/twilio/voice`, see [`Webhook`]).
pub fn routes(state: VoiceState) -> Router {
    Router::new()
        .route(Webhook::Incoming.route(), post(incoming))
        .route(Webhook::Wait.route(), post(wait).get(wait))
        .route(Webhook::Hold.route(), post(hold_music).get(hold_music))
        .route(Webhook::Goodbye.route(), post(goodbye))
        .route(Webhook::Fallback.route(), post(fallback).get(fallback))
        .route(Webhook::Conference.route(), post(conference))
        .route(Webhook::Status.route(), post(status))
        .route(Webhook::OperatorLeg.route(), post(operator_leg))
        .route(Webhook::TransferLeg.route(), post(transfer_leg))
        .route(Webhook::RingBack.route(), post(ring_back))
        .route(Webhook::Recording.route(), post(recording))
        .route(Webhook::Outbound.route(), post(outbound))
        .route(Webhook::JoinCustomer.route(), post(join_customer))
        .route(Webhook::Menu.route(), post(menu))
        .route(Webhook::Voicemail.route(), post(voicemail))
        .route(Webhook::VoicemailDone.route(), post(voicemail_done))
        .route(Webhook::VoicemailRecording.route(), post(voicemail_recording))
        .route(Webhook::VoicemailTranscript.route(), post(voicemail_transcript))
        .route(Webhook::CallTranscript.route(), post(call_transcript))
        .route(Webhook::CallbackOffer.route(), post(callback_offer))
        .route(Webhook::CallbackChoice.route(), post(callback_choice))
        .route(Webhook::CallbackRejoin.route(), post(callback_rejoin))
        .with_state(state)
}
