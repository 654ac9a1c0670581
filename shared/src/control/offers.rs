//! Incoming calls and the operators rung for them. An incoming call is recorded and queued in
//! its queue (窓口: the one a menu option named, or its line's, or the first) with no REST
//! request (the caller is parked in their conference whatever happens here); routing then
//! offers the longest-waiting call an available operator can take to the longest-idle free
//! operator with the skill ([`crate::domain::routing`]) and their softphone is rung into the
//! conference. An offer that
//! could not ring, or that the operator did not answer, is released in one place,
//! [`Routing::release_offer`], and the call waits for the next operator.

use std::time::Duration;

/// How a status change right after a call waits for the call's end callbacks to land: the
/// operator and their call read at most five times, at 0, 0.2, 0.6, 1.4 and 3.0 s (ten reads).
const END_POLLS: [Duration; 4] = [
    Duration::from_millis(200),
    Duration::from_millis(400),
    Duration::from_millis(800),
    Duration::from_millis(1600),
];

/// How many waiting calls one trigger in a webhook (a caller's wait document, a call's end, an
/// offer that rang out, the reconciliation) offers at most.
pub const OFFERS_PER_TRIGGER: usize = 5;

/// A caller this new in line (seconds since their call started) is not noted as still waiting
/// when they fetch the wait document: their arrival is as recent a sign. A third of
/// [`crate::domain::routing::WAIT_LOOP_STALE_SECONDS`], so with the document fetched every ~25 s
/// the first note comes ~50 s in, well before a caller could count as gone.
const JUST_ARRIVED_SECONDS: i64 = crate::domain::routing::WAIT_LOOP_STALE_SECONDS / 3;

/// The wait document is first fetched as the caller joins their conference, at the same moment
/// as the join's callback, which routes ([`CallControl::conference_event`]). A fetch this soon
/// (seconds) after the caller was put in line leaves routing to the join: two routers offering
/// one call at once had one transaction refused, billed all the same (6 write units a call in
/// `tests/bench cost`). The join is the trigger kept because Twilio retries its callback; the
/// next fetch, ~25 s later, routes again.
const JOIN_ROUTES_SECONDS: i64 = 5;

/// How many lapsed offers one trigger settles at most (each a Twilio read and a write or two).
const LAPSED_PER_TRIGGER: usize = 2;

/// The call record's attribute naming the menu choice that led the caller to the queue.
pub const MENU_CHOICE: &str = "menu_choice";

use super::legs::SoftphoneLeg;
use super::{CallControl, ControlError, now, participant};
use crate::auth::Caller;
use crate::domain::calls::{CallSummary, Direction, ParticipantLabel, field};
use crate::domain::operators::{Operator, OperatorStatus};
use crate::domain::routing::{LapsedOffer, Offer, Routed, Routing, Unanswered, field as routing_field, queue_key};
use crate::error::DomainError;
use crate::ids::OperatorId;
use crate::ids::SettingId;
use crate::phone::PhoneNumber;
use crate::store::{Cond, StoreError, TxOp};
use crate::twilio::CallSid;
use crate::twilio::rest::{CallUpdateStatus, ConferenceRef, ParticipantStatus, UpdateCall};
use crate::twilio::telephony::TelephonyError;
use crate::twilio::twiml::HttpMethod;
use crate::twilio::webhook::{CallStatus, IncomingCall};

impl CallControl {
    /// Records an incoming call and puts it in line in its line's queue, in one transaction,
    /// within `budget` (the CRM lookup that matches the caller's account and contact has the
    /// same budget). A call recorded already (Twilio retried) is left as it is.
    pub async fn record_incoming(&self, call: &IncomingCall, budget: Duration) -> Result<(), String> {
        self.record_queued(call, None, "", budget).await
    }

    /// [`CallControl::record_incoming`] in `queue` when a menu option named one (otherwise the
    /// line's queue, or the first), with the menu `choice` (`billing`, `repair/booking`; empty
    /// when none) on the call record. The queue is read from the cached settings (the incoming
    /// webhook has just read them): no store request beyond the lookup and the transaction.
    #[tracing::instrument(name = "control.record_incoming", skip_all, fields(call = %call.call_sid))]
    pub async fn record_queued(
        &self,
        call: &IncomingCall,
        queue: Option<&SettingId>,
        choice: &str,
        budget: Duration,
    ) -> Result<(), String> {
        let sid = call.call_sid.as_str();
        let customer = PhoneNumber::parse(&call.from).ok();
        let pop = match &customer {
            Some(p) => match tokio::time::timeout(budget, self.services.crm.lookup(p)).await {
                Ok(Ok(l)) => Some(l),
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "CRM lookup failed; routing without customer data");
                    None
                }
                Err(_) => {
                    tracing::warn!("CRM lookup over budget; routing without customer data");
                    None
                }
            },
            None => None,
        };
        let at = now();
        let summary = CallSummary::new(
            sid,
            Direction::Inbound,
            customer.as_ref(),
            call.to.clone(),
            "waiting",
            at.clone(),
            pop.as_ref(),
        );
        let mut item = summary.live_item();
        item.insert(field::QUEUE_SK.into(), queue_key(&at, sid).sk.into());
        if !choice.is_empty() {
            item.insert(MENU_CHOICE.into(), choice.into());
        }
        let queue = match tokio::time::timeout(budget, self.services.settings.get()).await {
            Ok(Ok(settings)) => {
                let line = call
                    .to
                    .as_deref()
                    .and_then(|n| PhoneNumber::parse(n).ok())
                    .and_then(|n| settings.line_of(&n).cloned());
                Some(settings.queue_for(line.as_ref(), queue))
            }
            // Filed with no queue, the call waits in the first queue.
            _ => None,
        };
        let queued = match &queue {
            Some(q) => {
                item.insert(routing_field::QUEUE.into(), q.as_str().into());
                Routing::enqueue_in_ops(q.as_str(), &at, sid)
            }
            None => Routing::enqueue_ops(&at, sid),
        };
        let mut ops = vec![TxOp::Put {
            item,
            cond: Some(Cond::NotExists),
        }];
        ops.extend(queued);
        match tokio::time::timeout(budget, self.services.store.transact(ops)).await {
            Ok(Ok(())) => Ok(()),
            // A retried webhook: the call is already recorded and queued.
            Ok(Err(StoreError::ConditionFailed { index: Some(0) })) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("store over budget".into()),
        }
    }

    /// Whether calls on the line with `number` are recorded. Bounded by `budget` and false
    /// when the settings cannot be read: a call is never held up for its recording.
    pub async fn line_records(&self, number: Option<&str>, budget: Duration) -> bool {
        let Some(number) = number.and_then(|n| PhoneNumber::parse(n).ok()) else {
            return false;
        };
        match tokio::time::timeout(budget, self.services.settings.get()).await {
            Ok(Ok(settings)) => settings.lines.iter().any(|l| l.number == number && l.recording),
            _ => false,
        }
    }

    /// A waiting customer fetched the wait document again: a call the incoming webhook could
    /// not store is recorded now (from `incoming`, the same request's parameters), a call that
    /// waited past the configured longest wait is sent to the goodbye, and routing is tried.
    #[tracing::instrument(name = "control.waiting", skip_all, fields(call = %sid))]
    pub async fn waiting(&self, sid: &CallSid, incoming: Option<&IncomingCall>, budget: Duration) {
        let mut join_routes = false;
        match self.call(sid.as_str()).await {
            Ok(None) => {
                if let Some(call) = incoming {
                    let _ = self.record_incoming(call, budget).await;
                }
            }
            Ok(Some(call)) => {
                let max_wait = self
                    .services
                    .settings
                    .get()
                    .await
                    .map(|s| s.call_handling.max_wait_seconds)
                    .unwrap_or(300);
                let started = chrono::DateTime::parse_from_rfc3339(&call.summary.started_at).ok();
                let waited_too_long = started.is_some_and(|t| {
                    (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds() > max_wait as i64
                });
                // The caller's place notes when they last fetched this document; in their first
                // half-minute in line their arrival says as much (see `QueueEntry::caller_gone`),
                // so the first fetches write nothing.
                let just_arrived = started.is_some_and(|t| {
                    (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds() < JUST_ARRIVED_SECONDS
                }) && call.requeued_at.is_none();
                if let Some(queue_sk) = call
                    .queue_sk
                    .as_deref()
                    .filter(|_| !waited_too_long && !call.is_over() && !just_arrived)
                    && let Err(e) = self.services.routing.still_waiting_in(queue_sk).await
                {
                    tracing::warn!(error = %e, "could not note that the caller is still waiting");
                }
                join_routes = call.requeued_at.is_none()
                    && call
                        .queue_sk
                        .as_deref()
                        .is_some_and(|q| just_put_in_line(q, chrono::Utc::now()));
                if call.summary.status == "waiting" && waited_too_long {
                    let goodbye = UpdateCall::Redirect {
                        url: self.urls.goodbye(),
                        method: Some(HttpMethod::Post),
                    };
                    if let Err(e) = self.telephony.update_call(sid, &goodbye).await {
                        tracing::error!(error = %e, "could not end a call past the longest wait");
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "store unavailable while waiting"),
        }
        if join_routes {
            return;
        }
        // On behalf of this caller: another caller's call goes only to an operator free for a
        // moment, who came free without routing it themselves (see `routing::FALLBACK_IDLE_MS`).
        self.route_and_hand_up_to(OFFERS_PER_TRIGGER, Some(sid.as_str())).await;
    }

    /// Rings free operators for waiting calls, at most [`OFFERS_PER_TRIGGER`] (see
    /// [`CallControl::route_up_to`]).
    #[tracing::instrument(name = "control.route_waiting", skip_all)]
    pub async fn route_waiting(&self) {
        self.route_up_to(OFFERS_PER_TRIGGER).await;
    }

    /// Offers waiting calls to free operators and rings them, at most `most` calls, one routing
    /// attempt each ([`Routing::route_once`]: two queries and a transaction — one more index
    /// query per queue taken when every free operator has skills and none of the 25
    /// longest-waiting calls is theirs — and the call's record read to ring). Stops when nothing is left to pair, at the first lost race (the
    /// router that won goes on with the rest: see [`Routed::Yielded`]), or at a ring that failed
    /// (the operator goes back first in line and the call keeps waiting for the next trigger).
    /// A callback request met in its caller's place is handed to an operator instead of rung
    /// ([`Routed::CallbackHanded`]) and counts as one of the `most`. Returns the offers rung.
    pub async fn route_up_to(&self, most: usize) -> Vec<Offer> {
        self.route_and_hand_up_to(most, None).await.0
    }

    /// [`CallControl::route_up_to`], with the operators handed a callback request; on behalf of
    /// a waiting call's wait document when `on_behalf_of` names it ([`Routing::route_once_for`]).
    async fn route_and_hand_up_to(&self, most: usize, on_behalf_of: Option<&str>) -> (Vec<Offer>, Vec<String>) {
        let mut rung = Vec::new();
        let mut handed = Vec::new();
        let mut lapsed = 0;
        while rung.len() + handed.len() < most {
            let attempt = match on_behalf_of {
                Some(sid) => self.services.routing.route_once_for(sid).await,
                None => self.services.routing.route_once().await,
            };
            let offer = match attempt {
                Ok(Routed::Offered(o)) => o,
                Ok(Routed::CallbackHanded(h)) => {
                    handed.push(h.operator_id);
                    continue;
                }
                Ok(Routed::Idle) => break,
                Ok(Routed::Lapsed(l)) => {
                    // Settled, then the attempt is made again; bounded so that a release that
                    // keeps failing cannot keep this trigger busy.
                    self.settle_lapsed(&l).await;
                    lapsed += 1;
                    if lapsed >= LAPSED_PER_TRIGGER {
                        break;
                    }
                    continue;
                }
                Ok(Routed::Yielded) => {
                    tracing::debug!("another router claimed the call or the operator first; it goes on");
                    break;
                }
                Err(e) => {
                    tracing::error!(error = %e, "routing failed");
                    break;
                }
            };
            if let Err(e) = self.ring(&offer).await {
                tracing::error!(call = %offer.call_sid, error = %e, "could not ring the operator; the call keeps waiting");
                let _ = self
                    .services
                    .routing
                    .release_offer(
                        &offer.call_sid,
                        &offer.operator_id,
                        &offer.offer_id,
                        Some(&offer.free_since_key),
                        Unanswered::NotRung,
                    )
                    .await;
                break;
            }
            rung.push(offer);
        }
        (rung, handed)
    }

    /// An offer that lapsed without any callback reaching us ([`Routed::Lapsed`]): when Twilio
    /// says the operator's leg is connected to the call's conference, they answered and their
    /// answer callback was lost (refused beyond Twilio's retries, or throttled, which Twilio does
    /// not retry), so the answer is applied through the callback's own step
    /// ([`crate::domain::routing::Routing::answered`], conditional on their offer); otherwise,
    /// or when Twilio cannot be asked, the offer is released and the call waits for the next
    /// operator. Before, every lapsed offer was released: the call was offered to a second
    /// operator while the first talked with the customer, and the first one's last memo saves
    /// were refused. One conference read (none when the record knows the conference) and one
    /// participant read.
    async fn settle_lapsed(&self, lapsed: &LapsedOffer) {
        let sid = lapsed.call_sid.as_str();
        let operator = lapsed.operator_id.as_str();
        if self.leg_connected(sid).await {
            let name = match OperatorId::parse(operator) {
                Ok(id) => self
                    .services
                    .operators
                    .get(&id)
                    .await
                    .map(|o| o.name)
                    .unwrap_or_default(),
                Err(_) => String::new(),
            };
            match self
                .services
                .routing
                .answered(sid, operator, &name, &lapsed.offer_id)
                .await
            {
                Ok(()) => {
                    tracing::warn!(call = %sid, operator, "an offer lapsed while its operator talked (answer callback lost); their answer applied");
                    return;
                }
                Err(e) => {
                    tracing::warn!(call = %sid, error = %e, "the answer Twilio reports could not be applied; the offer is released")
                }
            }
        }
        if let Err(e) = self.services.routing.release_lapsed(lapsed).await {
            tracing::error!(call = %sid, error = %e, "a lapsed offer could not be released");
        }
    }

    /// Whether the conference of call `sid` has its `operator` participant connected, as Twilio
    /// says; false when it has none, or when it cannot be told.
    async fn leg_connected(&self, sid: &str) -> bool {
        let call = match self.call(sid).await {
            Ok(Some(call)) => call,
            Ok(None) => return false,
            Err(e) => {
                tracing::warn!(call = %sid, error = %e, "could not read the call of a lapsed offer");
                return false;
            }
        };
        let conference = match self.conference_sid(sid, &call).await {
            Ok(Some(c)) => c,
            Ok(None) => return false,
            Err(e) => {
                tracing::warn!(call = %sid, error = %e, "could not find the conference of a lapsed offer");
                return false;
            }
        };
        match self
            .telephony
            .fetch_participant(&conference, &participant(ParticipantLabel::Operator))
            .await
        {
            Ok(leg) => leg.status == Some(ParticipantStatus::Connected),
            Err(TelephonyError::NotFound { .. }) => false,
            Err(e) => {
                tracing::warn!(call = %sid, error = %e, "could not ask Twilio whether the operator of a lapsed offer answered");
                false
            }
        }
    }

    /// Rings the offered operator's softphone into the call's conference, with the custom
    /// parameters `callSid`, `offerId` and `customer`.
    async fn ring(&self, offer: &Offer) -> Result<(), ControlError> {
        let operator =
            OperatorId::parse(&offer.operator_id).map_err(|e| crate::error::DomainError::NotFound(e.to_string()))?;
        let customer = self
            .call(&offer.call_sid)
            .await?
            .map(|c| c.caller_id().to_owned())
            .unwrap_or_else(|| "anonymous".to_owned());
        let ring_secs = self.ring_seconds().await.unwrap_or(20);
        let callback = self
            .urls
            .operator_leg(&offer.call_sid, &offer.offer_id, &offer.operator_id);
        let leg = SoftphoneLeg::new(&operator, &offer.call_sid, &customer, ParticipantLabel::Operator)?
            .param("offerId", &offer.offer_id)
            .param("customer", &customer)
            .ringing_reported(ring_secs, callback);
        self.telephony
            .create_participant(&ConferenceRef::FriendlyName(offer.call_sid.clone()), &leg.request())
            .await?;
        tracing::info!(call = %offer.call_sid, operator = %offer.operator_id, "operator rung for a waiting call");
        Ok(())
    }

    /// An operator changes their own presence (see
    /// [`crate::domain::operators::Operators::set_status`]); becoming available offers one
    /// waiting call at once, and the operator is read again when it was offered to them (their
    /// phone rings now) or a callback request was handed to them (they are 離席 to dial it).
    ///
    /// Bounded, whatever the load: the operator read (written too at first sign-in or a new
    /// name), the status written, and when it is 受付可 one routing attempt — the free list
    /// queried, the queue queried when someone is free, one transaction when a call waits and
    /// the call read to ring it — and the operator read again if it rang them: 2 to 7 store
    /// requests. A lost race is not retried ([`Routed::Yielded`]). Rarely more: a refused write
    /// reads the operator; a status set while the call's end callbacks are still on their way
    /// reads the operator and the call up to five times in 3 s and applies the end; routing may
    /// release a lapsed offer or take a few callers no longer waiting out of line.
    #[tracing::instrument(name = "control.set_presence", skip_all, fields(status = %status))]
    pub async fn set_presence(&self, caller: &Caller, status: OperatorStatus) -> Result<Operator, ControlError> {
        let operators = &self.services.operators;
        let before = operators.ensure(&caller.id, &caller.name, caller.role).await?;
        self.may_leave_wrap_up(&before, &status).await?;
        let me = match operators.set_status(&caller.id, status.clone()).await {
            Err(DomainError::Conflict {
                code: "call_in_progress",
                ..
            }) if self.call_end_lands(caller).await? => operators.set_status(&caller.id, status.clone()).await?,
            other => other?,
        };
        if status != OperatorStatus::Available {
            return Ok(me);
        }
        // One call offered at most, inside the operator's request: the triggers in webhooks
        // route the rest (see `route_up_to`).
        let (rung, handed) = self.route_and_hand_up_to(1, None).await;
        if rung.iter().any(|o| o.operator_id == caller.id.as_str()) || handed.iter().any(|o| o == caller.id.as_str()) {
            return Ok(operators.get(&caller.id).await?);
        }
        Ok(me)
    }

    /// Refuses to end a wrap-up (or set any status but 後処理) while the admin requires the
    /// response status and the call it follows has none: 409 `response_status_required`.
    async fn may_leave_wrap_up(&self, op: &Operator, next: &OperatorStatus) -> Result<(), ControlError> {
        let (OperatorStatus::WrapUp, Some(call)) = (&op.status, &op.wrap_up_call) else {
            return Ok(());
        };
        if *next == OperatorStatus::WrapUp || !self.services.memos.response_status_missing(&op.id, call).await? {
            return Ok(());
        }
        Err(DomainError::conflict(
            "response_status_required",
            "choose the call's response status (対応ステータス) in the memo before ending wrap-up",
            None,
        )
        .into())
    }

    /// Whether the caller's call lets go of them within about 3 s ([`END_POLLS`]): the page knows the call
    /// has ended as soon as the customer hangs up, while the end callbacks that free the
    /// operator are still on their way. A call whose record has ended already is applied to the
    /// operator at once (the same idempotent step as the callback); a live call is waited on.
    async fn call_end_lands(&self, caller: &Caller) -> Result<bool, ControlError> {
        let mut pauses = END_POLLS.iter();
        loop {
            let me = self.services.operators.get(&caller.id).await?;
            let Some(sid) = me.current_call else {
                return Ok(true);
            };
            if self.call(&sid).await?.is_some_and(|c| c.summary.ended_at.is_some()) {
                self.services.routing.ended(&sid).await?;
                return Ok(true);
            }
            // A call ringing on their phone is theirs to answer or decline first.
            let Some(pause) = pauses.next().filter(|_| me.offer_id.is_none()) else {
                return Ok(false);
            };
            tokio::time::sleep(*pause).await;
        }
    }

    /// An offered operator's softphone reported its progress (`status`, on leg `leg`):
    /// answered → the operator is on the call (a late answer, the call given to someone else
    /// meanwhile, is hung up; an answer after the customer had gone frees the operator at once,
    /// see [`super::empty_room`]); rang out, busy or rejected → the offer is released, the operator
    /// set away and the call goes to the next operator.
    #[tracing::instrument(name = "control.offer_progress", skip_all, fields(call = %call_sid, offer = offer_id, status = %status))]
    pub async fn offer_progress(
        &self,
        call_sid: &CallSid,
        offer_id: &str,
        operator: &OperatorId,
        leg: &CallSid,
        status: CallStatus,
    ) -> Result<(), ControlError> {
        let sid = call_sid.as_str();
        match status {
            CallStatus::InProgress => {
                let name = match self.services.operators.get(operator).await {
                    Ok(o) => o.name,
                    Err(crate::error::DomainError::NotFound(_)) => String::new(),
                    Err(e) => return Err(e.into()),
                };
                let answered = self
                    .services
                    .routing
                    .answered(sid, operator.as_str(), &name, offer_id)
                    .await;
                if let Err(e) = answered {
                    // Only a refusal is a late answer: a store that failed is answered 503 and
                    // the callback tried again, the operator's leg left up.
                    if !matches!(
                        e,
                        crate::error::DomainError::Conflict { .. } | crate::error::DomainError::NotFound(_)
                    ) {
                        return Err(e.into());
                    }
                    // Too late: the call went to someone else. Hang this leg up.
                    tracing::warn!(error = %e, "late answer; releasing the operator's leg");
                    let _ = self
                        .telephony
                        .update_call(leg, &UpdateCall::End(CallUpdateStatus::Completed))
                        .await;
                } else if self.customer_gone(sid).await? {
                    // Nobody on the other end: the operator is not left in an empty room.
                    self.release_from_empty_room(sid, operator.as_str(), leg).await?;
                } else if self.call(sid).await?.is_some_and(|c| c.requeued_at.is_some()) {
                    // A customer put back in line waits on hold: the new operator is here.
                    self.reconnected(sid).await?;
                }
            }
            CallStatus::NoAnswer
            | CallStatus::Busy
            | CallStatus::Failed
            | CallStatus::Canceled
            | CallStatus::Completed => {
                let answered_by_this = self
                    .call(sid)
                    .await?
                    .is_some_and(|c| c.is_operated_by(operator.as_str()));
                if !answered_by_this {
                    self.services
                        .routing
                        .release_offer(sid, operator.as_str(), offer_id, None, Unanswered::Missed)
                        .await?;
                    self.route_waiting().await;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Whether the caller whose place in line is `queue_sk` (`<put in line at>#<CallSid>`) was put
/// there less than [`JOIN_ROUTES_SECONDS`] before `now`: their wait document's fetch is the one
/// that comes with their join.
fn just_put_in_line(queue_sk: &str, now: chrono::DateTime<chrono::Utc>) -> bool {
    let at = queue_sk.split('#').next().unwrap_or_default();
    chrono::DateTime::parse_from_rfc3339(at).is_ok_and(|t| {
        let age = now - t.with_timezone(&chrono::Utc);
        age >= chrono::Duration::zero() - chrono::Duration::seconds(1)
            && age < chrono::Duration::seconds(JOIN_ROUTES_SECONDS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_fetch_within_seconds_of_the_place_in_line_is_the_joins() {
        let put = chrono::DateTime::parse_from_rfc3339("2026-12-04T06:00:00.000Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let sk = "2026-12-04T06:00:00.000Z#CA0123456789abcdef0123456789abcdef";
        let at = |ms: i64| put + chrono::Duration::milliseconds(ms);
        assert!(just_put_in_line(sk, at(300)), "the fetch that comes with the join");
        assert!(just_put_in_line(sk, at(4_900)));
        assert!(just_put_in_line(sk, at(-500)), "a clock a little behind the writer's");
        assert!(!just_put_in_line(sk, at(5_000)), "the next round of the document");
        assert!(!just_put_in_line(sk, at(25_000)));
        assert!(
            !just_put_in_line(sk, at(-5_000)),
            "a place in the future is not a fresh one"
        );
        assert!(!just_put_in_line("not a time#CA1", at(0)), "an unreadable place routes");
    }
}
