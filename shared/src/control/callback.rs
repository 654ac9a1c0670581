//! The callback offer: a caller who has waited the configured time (the `waiting` settings
//! section) is offered to be called back instead, keeping their place. A conference's wait URL
//! may not gather keys (Twilio runs only `<Play>`, `<Say>`, `<Pause>` and `<Redirect>` there),
//! so the wait document has Twilio redirect the caller's call out of the queue's conference to
//! the offer (`<Gather>`); pressing 1 makes an operator task whose place is the moment they
//! joined the queue and ends the call, anything else puts them back in the queue at that same
//! place. Each caller is offered once. A callback request keeps the caller's place in line:
//! routing hands its task to the next free operator with the queue's skill ahead of callers
//! who rang later, and that operator dials the caller back on the line they called.

use crate::domain::calls::call_key;
use crate::domain::routing::{QueueEntry, Routing, field as routing_field};
use crate::domain::settings::Line;
use crate::domain::tasks::TaskCaller;
use crate::phone::PhoneNumber;
use crate::store::{Cond, Item, TxOp, Update, done_unless_failed};
use crate::twilio::CallSid;
use crate::twilio::rest::UpdateCall;
use crate::twilio::twiml::HttpMethod;

use super::{CallControl, ControlError};

/// When the offer was made, on the call record (each caller is offered once).
const OFFERED_AT: &str = "callback_offered_at";

/// When the caller asked to be called back, on the call record (the call then ends as
/// `callback_requested`, not abandoned: [`super::voicemail::ended_as_task`]).
pub(super) const REQUESTED_AT: &str = "callback_requested_at";

/// The moment a queue entry's sort key (`<enqueued_at>#<sid>`) says the caller joined the queue.
fn enqueued_at(queue_sk: &str) -> &str {
    queue_sk.split_once('#').map_or(queue_sk, |(at, _)| at)
}

/// The writes that put a caller back in line at their place, in the queue the call record
/// names (a call recorded before there were queues waits in the first).
fn back_in_line(item: &Item, queue_sk: &str, sid: &str) -> Vec<TxOp> {
    match crate::store::str_attr(item, routing_field::QUEUE) {
        Some(queue) => Routing::enqueue_in_ops(queue, enqueued_at(queue_sk), sid),
        None => Routing::enqueue_ops(enqueued_at(queue_sk), sid),
    }
}

/// Where a callback is dialled from: the line the caller called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackLine {
    /// The line's label, for what the caller hears.
    pub label: Option<String>,
}

impl CallControl {
    /// Offers the callback when a waiting caller is due for it: they have waited the configured
    /// time, nobody answered yet and they were not offered before. Twilio is asked to take the
    /// caller's call to the offer; true when it was. A caller back from a declined offer has
    /// their queue entry (their place) put back if the conference's end took it.
    #[tracing::instrument(name = "control.offer_callback", skip_all, fields(call = %sid))]
    pub async fn offer_callback_if_due(&self, sid: &CallSid) -> bool {
        match self.try_offer_callback(sid).await {
            Ok(offered) => offered,
            Err(e) => {
                tracing::warn!(error = %e, "the callback offer was not made");
                false
            }
        }
    }

    async fn try_offer_callback(&self, sid: &CallSid) -> Result<bool, ControlError> {
        let after = self.services.settings.get().await?.waiting.callback_after_seconds;
        if after == 0 {
            return Ok(false);
        }
        let key = call_key(sid.as_str());
        let Some(item) = self.services.store.get(&key).await? else {
            return Ok(false);
        };
        let Some(call) = crate::domain::calls::CallRecord::from_item(&item) else {
            return Ok(false);
        };
        let Some(queue_sk) = call.queue_sk.as_deref() else {
            return Ok(false);
        };
        let waited = chrono::DateTime::parse_from_rfc3339(enqueued_at(queue_sk))
            .map(|t| (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds())
            .unwrap_or(0);
        let waiting = call.summary.status == "waiting" && call.summary.operator_id.is_none();
        if waiting && item.contains_key(OFFERED_AT) && !item.contains_key(REQUESTED_AT) {
            // Back from a declined offer: the end of the conference the caller left may have
            // taken their queue entry after they were put back; their place is kept all the same.
            let r = self
                .services
                .store
                .transact(back_in_line(&item, queue_sk, sid.as_str()))
                .await;
            done_unless_failed(r)?;
            return Ok(false);
        }
        let due = waiting && call.offered_to.is_none() && !item.contains_key(OFFERED_AT) && waited >= i64::from(after);
        if !due {
            return Ok(false);
        }
        let first = Cond::And(vec![
            Cond::Exists,
            Cond::AttrNotExists(OFFERED_AT.into()),
            Cond::AttrNotExists("offered_to".into()),
        ]);
        let noted = self
            .services
            .store
            .update(&key, Update::default().set(OFFERED_AT, super::now()), Some(first))
            .await;
        match noted {
            Ok(_) => {}
            Err(e) if e.is_condition_failed() => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        let offer = UpdateCall::Redirect {
            url: self.urls.callback_offer(),
            method: Some(HttpMethod::Post),
        };
        self.telephony.update_call(sid, &offer).await?;
        Ok(true)
    }

    /// The caller pressed 1: an open task keeping their place (when they joined the queue),
    /// their queue entry turned into the callback's place in line (routing hands the task to
    /// the next free operator with the queue's skill before callers who rang later), the
    /// request noted on the call. Returns the line they called.
    #[tracing::instrument(name = "control.callback_requested", skip_all, fields(call = %sid))]
    pub async fn callback_requested(
        &self,
        sid: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<CallbackLine, ControlError> {
        let stored = self.services.store.get(&call_key(sid)).await?;
        let call = stored.as_ref().and_then(crate::domain::calls::CallRecord::from_item);
        let queue_sk = call.as_ref().and_then(|c| c.queue_sk.clone());
        let now = super::now();
        let place = queue_sk.as_deref().map(enqueued_at).unwrap_or(&now).to_owned();
        let settings = self.services.settings.get().await?;
        let called = call
            .as_ref()
            .and_then(|c| c.summary.line.clone())
            .or_else(|| to.map(str::to_owned))
            .and_then(|n| PhoneNumber::parse(&n).ok());
        let line: Option<&Line> = called.and_then(|n| settings.lines.iter().find(|l| l.number == n));
        let customer = from.and_then(|f| PhoneNumber::parse(f).ok());
        let caller = TaskCaller {
            customer: customer.as_ref().map(PhoneNumber::as_str),
            line_id: line.map(|l| l.id.as_str()),
            line_number: line.map(|l| l.number.as_str()),
            call_recorded: call.is_some(),
        };
        self.services.tasks.callback_requested(sid, caller, &place).await?;
        if let (Some(item), Some(qsk)) = (&stored, &queue_sk) {
            // The same key as the caller's entry: the place they had, written over it. A request
            // repeated after routing handed the task puts the place back, and routing then finds
            // the task taken and lets the place go.
            let queue = crate::store::str_attr(item, routing_field::QUEUE);
            let place = QueueEntry::callback(queue, sid, enqueued_at(qsk));
            self.services.store.put(place.to_item(), None).await?;
        }
        done_unless_failed(
            self.services
                .store
                .update(
                    &call_key(sid),
                    Update::default().set(REQUESTED_AT, now.as_str()),
                    Some(Cond::Exists),
                )
                .await,
        )?;
        Ok(CallbackLine {
            label: line.map(|l| l.label.clone()),
        })
    }

    /// The caller did not take the offer: back in the queue at the place they had (their entry
    /// left with the conference they left). Returns whether the line records calls.
    #[tracing::instrument(name = "control.callback_declined", skip_all, fields(call = %sid))]
    pub async fn callback_declined(&self, sid: &str, budget: std::time::Duration) -> bool {
        let item = match self.services.store.get(&call_key(sid)).await {
            Ok(item) => item,
            Err(e) => {
                tracing::error!(error = %e, "the caller goes back to the queue without their record");
                None
            }
        };
        let call = item.as_ref().and_then(crate::domain::calls::CallRecord::from_item);
        // The conference the caller left has ended; the one they join now gets its own SID,
        // which its first event notes on the record (routing's offers address it).
        let forget = Update::default().remove(crate::domain::calls::field::CONFERENCE_SID);
        if let Err(e) = done_unless_failed(
            self.services
                .store
                .update(&call_key(sid), forget, Some(Cond::Exists))
                .await,
        ) {
            tracing::error!(error = %e, "the ended conference stays on the call record");
        }
        if let (Some(item), Some(qsk)) = (&item, call.as_ref().and_then(|c| c.queue_sk.as_deref())) {
            let r = self.services.store.transact(back_in_line(item, qsk, sid)).await;
            if let Err(e) = done_unless_failed(r) {
                tracing::error!(error = %e, "the caller could not be put back in the queue");
            }
        }
        let line = call.and_then(|c| c.summary.line);
        self.line_records(line.as_deref(), budget).await
    }

    /// The wait music and the hold audio (if the admin chose one) of the line among `numbers`
    /// (the numbers of the call: the one called, or the caller ID used), read within `budget`;
    /// the default wait music when the settings cannot be read in time.
    pub async fn line_music(&self, numbers: &[Option<&str>], budget: std::time::Duration) -> (String, Option<String>) {
        let Ok(Ok(settings)) = tokio::time::timeout(budget, self.services.settings.get()).await else {
            return (crate::domain::settings::waiting::DEFAULT_MUSIC.to_owned(), None);
        };
        let line = numbers
            .iter()
            .flatten()
            .filter_map(|n| PhoneNumber::parse(n).ok())
            .find_map(|n| settings.lines.iter().find(|l| l.number == n))
            .map(|l| l.id.as_str());
        let base = self.urls.base();
        (
            settings.waiting.wait_music(line, base),
            settings.waiting.hold_music(line, base),
        )
    }
}
