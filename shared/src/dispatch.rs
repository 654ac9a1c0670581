//! Ringing operators: takes offers from routing and adds the operator's softphone to the
//! customer's conference over Twilio's REST API. Used by the voice webhooks (a customer starts
//! waiting, an offer rang out) and by the operators API (an operator becomes free).

use std::sync::Arc;

use crate::domain::Services;
use crate::domain::routing::{Offer, Unanswered};
use crate::ids::OperatorId;
use crate::twilio::ClientIdentity;
use crate::twilio::rest::{ConferenceRef, CreateParticipant, ParticipantTo};
use crate::twilio::telephony::Telephony;
use crate::twilio::twiml::{CallProgressEvent, ConferenceBeep, HttpMethod};

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
    /// the Twilio secret, read once at cold start. Also returns the secret for functions that
    /// need more of it (the voice function's signature validator).
    pub async fn from_env() -> Result<(Self, crate::config::TwilioSecrets), Box<dyn std::error::Error + Send + Sync>> {
        let config = crate::config::Config::from_env()?;
        let twilio = crate::config::TwilioSecrets::load().await?;
        let client = crate::store::dynamo::DynamoStore::client_from_env(config.dynamodb_endpoint.as_deref()).await;
        let rest = crate::twilio::rest::RestClient::new(crate::twilio::rest::TwilioCredentials {
            account_sid: twilio.account_sid.clone(),
            api_key_sid: twilio.api_key_sid.clone(),
            api_key_secret: twilio.api_key_secret.clone(),
        })?;
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
        req.status_callback = Some(format!(
            "{}/twilio/voice/operator-leg/{}/{}/{}",
            self.public_base_url, offer.call_sid, offer.offer_id, offer.operator_id
        ));
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
