//! Routing of waiting customers to operators. A customer waits in the conference named after
//! their CallSid, filed in the `QUEUE` partition by arrival time and, on GSI1, under the queue
//! (窓口) they wait in; routing offers the longest-waiting call an available operator can take to
//! the longest-idle free operator with the skill for its queue (an operator without skills set
//! takes every queue), claiming both in one conditional transaction, so a call is never offered
//! to two operators at once and an operator never holds two calls. A call queued before there
//! were queues (no queue on its entry), or in a queue since removed, waits in the first queue. The REST request that rings the operator is made by the caller of
//! [`Routing::next_offer`]; when it fails the offer is released and nothing is lost.
//!
//! A caller who asked to be called back keeps their place in line ([`QueueEntry::callback`]):
//! met there, their callback task is handed to the operator who would have been rung, in the
//! same kind of transaction ([`Routed::CallbackHanded`]), ahead of every caller who rang later.
//!
//! An operator an admin disabled is never offered a call nor reserved for a transfer, and when
//! their last call ends they are signed off rather than freed (see [`super::operators`]).
//!
//! A transfer reserves its target the same way an offer does ([`Routing::transfer_reservation`]),
//! so routing never offers a call to an operator whose phone rings with a transfer; and a live
//! call whose operator is gone can be put back in line ([`Routing::requeue`]).
//!
//! A waiting call is an item of the `QUEUE` partition sorted by arrival, and of its queue's GSI1
//! partition `QUEUE#<queue>` (see [`crate::store::table`]).
//!
//! One routing attempt ([`Routing::route_once`]) costs the free list (one query; nothing more
//! when nobody is free), the 25 longest-waiting calls of every queue together (one query) and
//! one conditional transaction: 3 store requests, as with one queue. Only when every free
//! operator has skills, none of those 25 calls is in a queue they take and more calls wait, it
//! reads each queue they take on its own, one index query per queue: at most 2 + 20 queries
//! (20 queues at most) and the transaction. Rare extras (a lapsed offer released, a few callers
//! no longer waiting taken out of line, a disabled operator signed off) are listed there.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::calls::{CallRecord, call_key, field as call};
use super::operators::{AVAILABLE, OperatorRecord, OperatorStatus, field as op, operator_key, signed_off};
use super::settings::SettingsService;
use crate::error::DomainError;
use crate::store::table::free_since_sk;
use crate::store::{Cond, Index, Item, Query, Store, StoreError, TxOp, Update, attr};

/// The partition of waiting calls.
pub use crate::store::table::QUEUE_PK as QUEUE;
pub use crate::store::table::{queue_entry_key, queue_index_pk, queue_key};

/// The names of a queue entry's attributes, spelled once.
pub mod field {
    pub const SID: &str = "sid";
    pub const ENQUEUED_AT: &str = "enqueued_at";
    /// When a live call whose operator was gone was put back in line.
    pub const REQUEUED_AT: &str = "requeued_at";
    /// The operator the call is offered to, the offer, and when an unreported offer lapses.
    pub const OFFERED_TO: &str = "offered_to";
    pub const OFFER_ID: &str = "offer_id";
    pub const OFFER_EXPIRES_AT: &str = "offer_expires_at";
    /// When the caller last fetched the wait document (Twilio fetches it again each time it
    /// ends, so a caller still waiting keeps this recent).
    pub const WAITED_AT: &str = "waited_at";
    /// The queue (窓口) the call waits in, on its entry and on its call record; absent on calls
    /// queued before there were queues.
    pub const QUEUE: &str = "queue";
    /// The caller asked to be called back: the entry keeps their place for the callback task
    /// named by the same CallSid ([`super::tasks`]), handed to an operator instead of rung.
    pub const CALLBACK: &str = "callback";
}

/// How many entries of one queue's index an attempt reads when it looks queue by queue.
const PER_QUEUE_READ: u32 = 10;

/// How long a caller may go without fetching the wait document before they count as gone:
/// the wait document lasts about 25 s (an announcement and a 15 s pause) and Twilio fetches it
/// again as soon as it ends, so three missed rounds mean nobody is on the line any more.
pub const WAIT_LOOP_STALE_SECONDS: i64 = 90;

/// How long an operator has been free before a waiting caller's wait document routes another
/// caller's call to them ([`Routing::route_once_for`]). Every waiting caller fetches the wait
/// document again every ~25 s and each fetch routes, so on a busy day several fetches are
/// routing whenever an operator comes free: all read the same longest-waiting call and the same
/// operator, and all but one lose their transaction. On Amazon's DynamoDB Local the centre's
/// short day sent 1,694 routing transactions of which 1,490 failed their condition, half of them
/// from wait documents, and the store's answers slowed for every request (operators freed
/// after the bound). An operator who comes free is routed by their own trigger (their status change to
/// 受付可, their call's end, a released offer); wait documents take the ones that trigger did
/// not (a wrap-up that ran out by itself, a race it lost) a moment later.
pub const FALLBACK_IDLE_MS: i64 = 2000;

/// How many callers no longer waiting one routing attempt takes out of line at most (the
/// others are skipped, not offered, and taken out by a later attempt).
pub const GHOSTS_PER_ATTEMPT: usize = 2;

/// A call waiting in line, as its queue entry holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub sid: String,
    pub enqueued_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requeued_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waited_at: Option<String>,
    /// The queue the call waits in; `None` for a call queued before there were queues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// A callback request keeping the caller's place ([`field::CALLBACK`]): nobody is on the
    /// line, the task is handed to an operator who dials the caller back.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub callback: bool,
}

impl QueueEntry {
    /// A call that starts waiting now.
    pub fn new(sid: &str, enqueued_at: &str) -> Self {
        Self {
            sid: sid.to_owned(),
            enqueued_at: enqueued_at.to_owned(),
            requeued_at: None,
            offered_to: None,
            offer_id: None,
            offer_expires_at: None,
            waited_at: None,
            queue: None,
            callback: false,
        }
    }

    /// A call that starts waiting now in `queue`.
    pub fn in_queue(queue: &str, sid: &str, enqueued_at: &str) -> Self {
        Self {
            queue: Some(queue.to_owned()),
            ..Self::new(sid, enqueued_at)
        }
    }

    /// The place a caller who asked to be called back keeps: where they joined `queue` (`None`:
    /// a call queued before there were queues) at `enqueued_at`.
    pub fn callback(queue: Option<&str>, sid: &str, enqueued_at: &str) -> Self {
        Self {
            queue: queue.map(str::to_owned),
            callback: true,
            ..Self::new(sid, enqueued_at)
        }
    }

    /// The entry's key.
    pub fn key(&self) -> crate::store::Key {
        queue_key(&self.enqueued_at, &self.sid)
    }

    /// Reads an entry from its item; `None` when it is not one.
    pub fn from_item(item: &Item) -> Option<Self> {
        serde_json::from_value(Value::Object(item.clone())).ok()
    }

    /// The entry as an item.
    pub fn to_item(&self) -> Item {
        let mut item = match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m,
            _ => Item::new(),
        };
        let key = self.key();
        if let Some(queue) = &self.queue {
            item.insert(attr::GSI1PK.into(), queue_index_pk(queue).into());
            item.insert(attr::GSI1SK.into(), key.sk.clone().into());
        }
        item.insert(attr::PK.into(), key.pk.into());
        item.insert(attr::SK.into(), key.sk.into());
        item
    }

    /// Whether the call has no live offer at `now`: never offered, or the offer lapsed.
    fn offerable(&self, now: &str) -> bool {
        self.offered_to.is_none() || self.offer_expires_at.as_deref().is_some_and(|e| e < now)
    }

    /// Whether a caller is on the line waiting at `now`, as the board counts them: not a
    /// callback request's place, nor a caller no longer fetching the wait document.
    pub fn waits(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        !self.callback && !self.caller_gone(now, u32::MAX)
    }

    /// Whether the caller is no longer waiting at `now`: they have not fetched the wait
    /// document for [`WAIT_LOOP_STALE_SECONDS`] (they hung up and the end callback was lost),
    /// or they have waited longer than `max_wait_seconds` (the wait document sends them to the
    /// goodbye). A call put back in line waits on hold in its conference, not on the wait
    /// document, and a callback request keeps its place with nobody on the line: neither is
    /// ever a ghost here.
    pub fn caller_gone(&self, now: chrono::DateTime<chrono::Utc>, max_wait_seconds: u32) -> bool {
        if self.requeued_at.is_some() || self.callback {
            return false;
        }
        let at = |t: &str| {
            chrono::DateTime::parse_from_rfc3339(t)
                .ok()
                .map(|t| t.with_timezone(&chrono::Utc))
        };
        let Some(enqueued) = at(&self.enqueued_at) else {
            return false;
        };
        let last_sign = self
            .waited_at
            .as_deref()
            .and_then(at)
            .map_or(enqueued, |w| w.max(enqueued));
        (now - last_sign).num_seconds() > WAIT_LOOP_STALE_SECONDS
            || (now - enqueued).num_seconds() > i64::from(max_wait_seconds)
    }
}

/// Files an operator in the free list under `key` (`<free since>#<operator>`).
fn free_under(key: String) -> Update {
    Update::default().set(attr::GSI2PK, AVAILABLE).set(attr::GSI2SK, key)
}

/// An operator update that also lets go of the call they held or were offered.
fn letting_go(update: Update) -> Update {
    update
        .remove(op::CURRENT_CALL)
        .remove(op::OFFER_ID)
        .remove(op::FREE_SINCE_KEY)
        .add(op::VERSION, 1)
}

/// An operator update that lets go of a transfer's reservation too.
fn letting_go_of_transfer(update: Update) -> Update {
    letting_go(update.remove(op::TRANSFER_ID).remove(op::TRANSFER_PREV_STATUS))
}

/// An operator update: 離席 (away) after a missed call.
fn away_after_a_missed_call() -> Update {
    Update::default()
        .set(op::STATUS, OperatorStatus::Away)
        .set(op::STATUS_SINCE, now())
        .set(op::MISSED_CALL_AT, now())
        .remove(op::WRAP_UP_UNTIL)
}

/// The condition that an operator still takes `queue` when the write lands: no skills set
/// (every queue), or `queue` among them. An admin taking the skill away between routing's read
/// and its transaction makes the transaction fail rather than route the call to them.
fn still_takes(queue: &str) -> Cond {
    Cond::Or(vec![
        Cond::AttrNotExists(op::SKILLS.into()),
        Cond::Contains(op::SKILLS.into(), json!(queue)),
    ])
}

/// The condition on the operator a call or a callback request is given to: still there,
/// enabled, on no call, free since no later than routing read (`free_until`, their free list
/// key) and still taking `queue`.
fn still_free_for(free_until: &str, queue: &str) -> Cond {
    Cond::And(vec![
        Cond::Exists,
        Cond::AttrNotExists(op::CURRENT_CALL.into()),
        Cond::AttrNotExists(op::DISABLED.into()),
        Cond::eq(attr::GSI2PK, AVAILABLE),
        Cond::Le(attr::GSI2SK.into(), json!(free_until)),
        still_takes(queue),
    ])
}

/// See [`crate::store::done_unless_failed`].
fn done<T>(r: Result<T, StoreError>) -> Result<(), DomainError> {
    Ok(crate::store::done_unless_failed(r)?)
}

/// A call offered to an operator: ring them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub call_sid: String,
    pub operator_id: String,
    pub offer_id: String,
    /// Where the operator was in the free list, to put them back on a failed ring.
    pub free_since_key: String,
}

/// How one routing attempt went ([`Routing::route_once`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routed {
    /// The call was offered: ring the operator now.
    Offered(Offer),
    /// Nothing to pair: nobody free, or no call waiting to be offered.
    Idle,
    /// Another router claimed the call or the operator first (or the free list, an index,
    /// had not caught up yet). It goes on with the rest, so this router stops: trying again on
    /// fresh reads would only race the same winner again.
    Yielded,
    /// The call met first was offered and the offer lapsed without any callback reaching us.
    /// The operator may be talking with the customer (their answer callback lost), so the
    /// caller of [`Routing::route_once`] asks Twilio whether their leg is connected before
    /// anything else: [`Routing::answered`] when it is, [`Routing::release_lapsed`] when not.
    Lapsed(LapsedOffer),
    /// The call met first was a callback request keeping its caller's place: its task was
    /// taken for the longest-idle free operator with the queue's skill (their lease, as if they
    /// had taken it from the list), who was set 離席 (away) out of the free list to dial the
    /// caller back on the line they called; nobody is rung.
    CallbackHanded(HandedCallback),
}

/// A callback request handed to an operator ([`Routed::CallbackHanded`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandedCallback {
    /// The task, named by the caller's CallSid.
    pub task_id: String,
    pub operator_id: String,
}

/// An offer that lapsed without any callback reaching us ([`Routed::Lapsed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LapsedOffer {
    pub call_sid: String,
    pub operator_id: String,
    pub offer_id: String,
    /// The call's queue entry.
    pub queue_sk: String,
}

/// Why an offer ended without an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unanswered {
    /// The operator's phone rang out, was busy or rejected: they are set to 離席 (away) so the
    /// call does not bounce back to an absent desk, and the call goes to the next operator.
    Missed,
    /// We could not ring them (Twilio unreachable): they stay free, first in line.
    NotRung,
    /// The offer lapsed without any callback reaching us: set away as [`Unanswered::Missed`],
    /// but the operator may have answered and be talking with the customer (the answer
    /// callback was lost: refused beyond Twilio's retries, or throttled, which Twilio does not
    /// retry), so the call keeps them as an operator it was handed on from: the memo they type
    /// is still theirs to save for the handover's grace, as after a transfer.
    Lapsed,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn later(seconds: u32) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(seconds as i64))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The routing service.
pub struct Routing {
    store: Arc<dyn Store>,
    settings: Arc<SettingsService>,
}

impl Routing {
    pub fn new(store: Arc<dyn Store>, settings: Arc<SettingsService>) -> Self {
        Self { store, settings }
    }

    /// A call's record, if there is one.
    async fn call(&self, sid: &str) -> Result<Option<CallRecord>, DomainError> {
        let item = self.store.get(&call_key(sid)).await?;
        Ok(item.as_ref().and_then(CallRecord::from_item))
    }

    /// The writes that put a new incoming call in line with no queue named (it waits in the
    /// first queue, found only among the 25 longest-waiting calls: prefer
    /// [`Routing::enqueue_in_ops`]), for the caller's own transaction (with the call record).
    pub fn enqueue_ops(enqueued_at: &str, sid: &str) -> Vec<TxOp> {
        vec![TxOp::Put {
            item: QueueEntry::new(sid, enqueued_at).to_item(),
            cond: Some(Cond::NotExists),
        }]
    }

    /// The writes that put a new incoming call in line in `queue`, for the incoming webhook's
    /// own transaction (with the call record, which should carry [`field::QUEUE`] too).
    pub fn enqueue_in_ops(queue: &str, enqueued_at: &str, sid: &str) -> Vec<TxOp> {
        vec![TxOp::Put {
            item: QueueEntry::in_queue(queue, sid, enqueued_at).to_item(),
            cond: Some(Cond::NotExists),
        }]
    }

    /// Finds the longest-waiting call without a live offer and the longest-idle free operator
    /// and claims both; `None` when either side is empty or another router got there first
    /// (see [`Routing::route_once`]).
    pub async fn next_offer(&self) -> Result<Option<Offer>, DomainError> {
        // Without Twilio to ask, a lapsed offer is released (at most two, then the attempt ends).
        for _ in 0..3 {
            match self.route_once().await? {
                Routed::Offered(o) => return Ok(Some(o)),
                Routed::Idle | Routed::Yielded => return Ok(None),
                Routed::Lapsed(l) => self.release_lapsed(&l).await?,
                Routed::CallbackHanded(_) => {}
            }
        }
        Ok(None)
    }

    /// One routing attempt, bounded: the free list read (one query of the 25 longest-idle; when
    /// nobody is free, as while calls wait in a busy centre, that is all), the queue read (one
    /// query of the 25 longest-waiting calls), and one conditional transaction claiming the
    /// operator, the queue entry and the call: 2 queries and a transaction, as with one queue.
    /// Only when every free operator has skills, none of those 25 calls is in a queue they
    /// take and more calls wait, the attempt reads each queue they take on its own (one index
    /// query of [`PER_QUEUE_READ`] entries per queue, at most
    /// [`MAX_QUEUES`](super::settings::queues::MAX_QUEUES)): at most 22 queries and a
    /// transaction. Besides, rarely: a lapsed offer of the call released first (three updates),
    /// at most [`GHOSTS_PER_ATTEMPT`] callers no longer waiting taken out of line (a
    /// transaction each, after their own lapsed offer), a disabled operator found in the free
    /// list signed off (an update). The settings come from the service's cache.
    ///
    /// The call offered is the longest-waiting one that one of the free operators can take,
    /// and it goes to the longest-idle of them with the skill for its queue. The transaction's
    /// condition on the operator rechecks that skill (free, not disabled, no call, and still
    /// taking the queue): an admin taking the skill away in the instant between the read and
    /// the write makes the attempt yield, and the call waits for an operator who has it.
    ///
    /// A lost race (the transaction's condition failed or met another transaction) is not
    /// tried again: [`Routed::Yielded`]. Under load many triggers route at once (each waiting
    /// caller's wait document, each operator becoming free, each call's end), read the same
    /// longest-waiting call and longest-idle operator, and all but one lose; trying again on
    /// fresh reads made every loser race the next pair as well, a storm of transactions bound
    /// to fail. The winner goes on with the rest, and a call still waiting is routed by the
    /// next trigger: its own wait document (fetched again every ~25 s), the next operator who
    /// becomes free, or the reconciliation.
    pub async fn route_once(&self) -> Result<Routed, DomainError> {
        self.attempt(None).await
    }

    /// [`Routing::route_once`] on behalf of the waiting call `sid` (its wait document): when the
    /// call to offer is another one, the operator must have been free for [`FALLBACK_IDLE_MS`]
    /// at least; one who came free more recently is left to the trigger that freed them (their
    /// status change to 受付可, their call's end, a released offer) and the attempt is
    /// [`Routed::Idle`]. The call itself, first in line, is offered to whoever is free.
    pub async fn route_once_for(&self, sid: &str) -> Result<Routed, DomainError> {
        self.attempt(Some(sid)).await
    }

    /// [`Routing::route_once`], on behalf of a waiting call's own trigger or of nobody.
    async fn attempt(&self, on_behalf_of: Option<&str>) -> Result<Routed, DomainError> {
        let at = now();
        let settings = self.settings.get().await?;
        let handling = settings.call_handling.clone();
        let free = self
            .store
            .query(Query::partition(AVAILABLE).on(Index::Gsi2).limit(25))
            .await?;
        let free: Vec<OperatorRecord> = free.items.iter().filter_map(OperatorRecord::from_item).collect();
        // Free-list keys are `<free since>#<operator>`: free now means the key sorts before
        // `<now>~` (`~` sorts after `#`).
        let free_until = format!("{at}~");
        for stray in free.iter().filter(|o| o.disabled) {
            self.take_out_of_pool(stray).await?;
        }
        let candidates: Vec<(&OperatorRecord, &str)> = free
            .iter()
            .filter_map(|o| {
                let key = o.free_list_sk.as_deref()?;
                (key <= free_until.as_str() && o.current_call.is_none() && !o.disabled).then_some((o, key))
            })
            .collect();
        if candidates.is_empty() {
            return Ok(Routed::Idle);
        }
        // The longest-idle free operator who takes `queue`.
        let taker = |queue: &str| candidates.iter().find(|(o, _)| o.takes(queue)).copied();
        let head = self.store.query(Query::partition(QUEUE).limit(25)).await?;
        let mut ghosts = 0;
        let entries = head.items.iter().filter_map(QueueEntry::from_item).collect();
        let mut pick = self
            .first_taken(entries, &settings, &taker, &mut ghosts, handling.max_wait_seconds)
            .await?;
        if pick.is_none() && head.cursor.is_some() {
            // Every free operator has skills and the calls in front are in other queues: the
            // longest-waiting call of each queue they take, read queue by queue.
            let seen: std::collections::HashSet<&str> = head
                .items
                .iter()
                .filter_map(|i| crate::store::str_attr(i, attr::SK))
                .collect();
            let mut entries: Vec<QueueEntry> = Vec::new();
            for queue in settings
                .queues
                .iter()
                .map(|q| q.id.as_str())
                .filter(|q| taker(q).is_some())
            {
                let page = self
                    .store
                    .query(
                        Query::partition(queue_index_pk(queue))
                            .on(Index::Gsi1)
                            .limit(PER_QUEUE_READ),
                    )
                    .await?;
                entries.extend(
                    page.items
                        .iter()
                        .filter(|i| crate::store::str_attr(i, attr::SK).is_none_or(|sk| !seen.contains(sk)))
                        .filter_map(QueueEntry::from_item),
                );
            }
            entries.sort_by_key(|q| q.key().sk);
            pick = self
                .first_taken(entries, &settings, &taker, &mut ghosts, handling.max_wait_seconds)
                .await?;
        }
        let Some((q, (operator, free_key))) = pick else {
            return Ok(Routed::Idle);
        };
        if let Some(own) = on_behalf_of
            && q.sid != own
        {
            let idle_since = chrono::Utc::now() - chrono::Duration::milliseconds(FALLBACK_IDLE_MS);
            let idle_until = format!("{}~", idle_since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
            if free_key > idle_until.as_str() {
                return Ok(Routed::Idle);
            }
        }
        let queue = settings.queue_of_entry(q.queue.as_deref()).to_owned();
        if q.callback {
            return self.hand_callback(&q, &queue, operator, &free_until).await;
        }
        let operator = operator.id.as_str();
        let (sid, qsk) = (q.sid.as_str(), q.key().sk);
        if let (Some(old_op), Some(old_offer)) = (&q.offered_to, &q.offer_id) {
            // An offer that lapsed without any callback reaching us: the caller of this
            // attempt asks Twilio whether the operator is talking before it is released.
            return Ok(Routed::Lapsed(LapsedOffer {
                call_sid: sid.to_owned(),
                operator_id: old_op.clone(),
                offer_id: old_offer.clone(),
                queue_sk: qsk,
            }));
        }
        let ring = handling.ring_timeout_seconds;
        let offer_id = ulid::Ulid::new().to_string();
        let expires = later(ring + 10);
        let ops = vec![
            TxOp::Update {
                key: operator_key(operator),
                update: Update::default()
                    .set(op::CURRENT_CALL, sid)
                    .set(op::OFFER_ID, offer_id.as_str())
                    .set(op::FREE_SINCE_KEY, free_key)
                    .remove(attr::GSI2PK)
                    .remove(attr::GSI2SK),
                cond: Some(still_free_for(&free_until, &queue)),
            },
            TxOp::Update {
                key: queue_entry_key(&qsk),
                update: Update::default()
                    .set(field::OFFERED_TO, operator)
                    .set(field::OFFER_ID, offer_id.as_str())
                    .set(field::OFFER_EXPIRES_AT, expires.as_str()),
                cond: Some(Cond::And(vec![
                    Cond::Exists,
                    Cond::Or(vec![
                        Cond::AttrNotExists(field::OFFERED_TO.into()),
                        Cond::Lt(field::OFFER_EXPIRES_AT.into(), json!(at)),
                    ]),
                ])),
            },
            TxOp::Update {
                key: call_key(sid),
                update: Update::default()
                    .set(call::STATUS, "ringing")
                    .set(call::OFFERED_TO, operator),
                cond: Some(Cond::Exists),
            },
        ];
        match self.store.transact(ops).await {
            Ok(()) => Ok(Routed::Offered(Offer {
                call_sid: sid.to_owned(),
                operator_id: operator.to_owned(),
                offer_id,
                free_since_key: free_key.to_owned(),
            })),
            Err(StoreError::ConditionFailed { index: Some(2) }) => {
                // A queue entry whose call has no record: no router could ever offer it, and
                // as the longest-waiting entry it would make every attempt fail. It goes.
                tracing::warn!(call = %sid, "a queue entry without its call record left the queue");
                let unoffered = Cond::And(vec![Cond::Exists, Cond::AttrNotExists(field::OFFERED_TO.into())]);
                done(self.store.delete(&queue_entry_key(&qsk), Some(unoffered)).await)?;
                Ok(Routed::Yielded)
            }
            Err(StoreError::ConditionFailed { .. }) | Err(StoreError::TransactionConflict) => Ok(Routed::Yielded),
            Err(e) => Err(e.into()),
        }
    }

    /// Hands the callback request `q` to `operator` (the longest-idle free one with its queue's
    /// skill) in one conditional transaction: the operator leaves the free list for 離席 (away)
    /// noting the task (after the call they dial for it they are back to 受付可), its place in
    /// line goes, and the task is taken for them with a lease, as an operator taking it from the
    /// list does. A task someone already took from the list (or finished) is not taken again:
    /// its place in line just goes.
    async fn hand_callback(
        &self,
        q: &QueueEntry,
        queue: &str,
        operator: &OperatorRecord,
        free_until: &str,
    ) -> Result<Routed, DomainError> {
        let (sid, qsk) = (q.sid.as_str(), q.key().sk);
        let place = Cond::And(vec![Cond::Exists, Cond::AttrExists(field::CALLBACK.into())]);
        let ops = vec![
            TxOp::Update {
                key: operator_key(&operator.id),
                update: Update::default()
                    .set(op::STATUS, OperatorStatus::Away)
                    .set(op::STATUS_SINCE, now())
                    .set(op::CALLBACK_TASK, sid)
                    .remove(attr::GSI2PK)
                    .remove(attr::GSI2SK)
                    .remove(op::WRAP_UP_UNTIL)
                    .remove(op::WRAP_UP_CALL)
                    .remove(op::AFTER_CALL_STATUS)
                    .add(op::VERSION, 1),
                cond: Some(still_free_for(free_until, queue)),
            },
            TxOp::Delete {
                key: queue_entry_key(&qsk),
                cond: Some(place.clone()),
            },
            super::tasks::Tasks::handed_to(sid, &operator.id, &operator.name),
        ];
        match self.store.transact(ops).await {
            Ok(()) => {
                tracing::info!(call = %sid, operator = %operator.id, "a callback request handed to an operator in the caller's place");
                Ok(Routed::CallbackHanded(HandedCallback {
                    task_id: sid.to_owned(),
                    operator_id: operator.id.clone(),
                }))
            }
            Err(StoreError::ConditionFailed { index: Some(2) }) => {
                // Taken from the task list (or finished) already: nothing is left to hand.
                done(self.store.delete(&queue_entry_key(&qsk), Some(place)).await)?;
                Ok(Routed::Yielded)
            }
            Err(StoreError::ConditionFailed { .. }) | Err(StoreError::TransactionConflict) => Ok(Routed::Yielded),
            Err(e) => Err(e.into()),
        }
    }

    /// The first of `entries` (oldest first) that can be offered now to one of the free
    /// operators, with the longest-idle of them who takes its queue ([`Routing::route_once`]).
    /// Callers no longer waiting met on the way are taken out of line, up to
    /// [`GHOSTS_PER_ATTEMPT`] an attempt (`ghosts` counts them).
    async fn first_taken<'o>(
        &self,
        entries: Vec<QueueEntry>,
        settings: &super::settings::Settings,
        taker: &(dyn Fn(&str) -> Option<(&'o OperatorRecord, &'o str)> + Sync),
        ghosts: &mut usize,
        max_wait_seconds: u32,
    ) -> Result<Option<(QueueEntry, (&'o OperatorRecord, &'o str))>, DomainError> {
        let at = now();
        for q in entries {
            if !q.offerable(&at) {
                continue;
            }
            if q.offered_to.is_some() && q.offer_id.is_some() {
                // A lapsed offer: the operator may be talking with this caller (who then
                // fetches no wait document and only looks gone). Settled first, whatever the
                // queue: see [`Routed::Lapsed`].
                if let Some(taken_by) = taker(settings.queue_of_entry(q.queue.as_deref())) {
                    return Ok(Some((q, taken_by)));
                }
                continue;
            }
            if q.caller_gone(chrono::Utc::now(), max_wait_seconds) {
                // Left for a later attempt beyond the first few: an attempt stays bounded.
                if *ghosts < GHOSTS_PER_ATTEMPT {
                    *ghosts += 1;
                    self.drop_gone_caller(&q).await?;
                }
                continue;
            }
            if let Some(taken_by) = taker(settings.queue_of_entry(q.queue.as_deref())) {
                return Ok(Some((q, taken_by)));
            }
        }
        Ok(None)
    }

    /// A waiting caller fetched the wait document again: their queue entry notes it, so
    /// routing knows they are still on the line (see [`WAIT_LOOP_STALE_SECONDS`]).
    pub async fn still_waiting(&self, sid: &str) -> Result<(), DomainError> {
        let Some(queue_sk) = self.call(sid).await?.and_then(|c| c.queue_sk) else {
            return Ok(());
        };
        self.still_waiting_in(&queue_sk).await
    }

    /// [`Routing::still_waiting`] for the queue entry `queue_sk` (the caller read the call).
    pub async fn still_waiting_in(&self, queue_sk: &str) -> Result<(), DomainError> {
        let update = Update::default().set(field::WAITED_AT, now());
        done(
            self.store
                .update(&queue_entry_key(queue_sk), update, Some(Cond::Exists))
                .await,
        )
    }

    /// Takes a caller who is no longer waiting out of line without offering the call: an offer
    /// that lapsed on them is released first (the operator is not left holding it), then the
    /// queue entry goes and the call is recorded as abandoned (対応履歴 shows it as such).
    async fn drop_gone_caller(&self, q: &QueueEntry) -> Result<(), DomainError> {
        let qsk = q.key().sk;
        if let (Some(op), Some(offer)) = (&q.offered_to, &q.offer_id) {
            self.release(&q.sid, &qsk, op, offer, None, Unanswered::Lapsed).await?;
        }
        let at = now();
        let no_live_offer = Cond::And(vec![
            Cond::Exists,
            Cond::Or(vec![
                Cond::AttrNotExists(field::OFFERED_TO.into()),
                Cond::Lt(field::OFFER_EXPIRES_AT.into(), json!(at)),
            ]),
        ]);
        let ops = vec![
            TxOp::Delete {
                key: queue_entry_key(&qsk),
                cond: Some(no_live_offer.clone()),
            },
            TxOp::Update {
                key: call_key(&q.sid),
                update: Update::default()
                    .set(call::STATUS, "abandoned")
                    .set(call::ENDED_AT, at.as_str())
                    .set(call::END_REASON, "caller_gone")
                    .remove(call::OFFERED_TO),
                cond: Some(Cond::And(vec![
                    Cond::Exists,
                    Cond::AttrNotExists(call::ENDED_AT.into()),
                    Cond::AttrNotExists(call::OPERATOR_ID.into()),
                ])),
            },
        ];
        match self.store.transact(ops).await {
            Ok(()) => {
                tracing::warn!(call = %q.sid, "a caller no longer waiting left the queue without being offered");
                Ok(())
            }
            // The call ended or was answered meanwhile: only its stale entry goes.
            Err(StoreError::ConditionFailed { index: Some(1) }) => {
                done(self.store.delete(&queue_entry_key(&qsk), Some(no_live_offer)).await)
            }
            Err(e) if e.is_condition_failed() => Ok(()),
            Err(StoreError::TransactionConflict) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Signs off a disabled operator found in the free list (they were let go by a call that
    /// ended while an admin disabled them), so they stop holding a place there.
    async fn take_out_of_pool(&self, stray: &OperatorRecord) -> Result<(), DomainError> {
        let cond = Cond::And(vec![
            Cond::eq(op::DISABLED, true),
            Cond::AttrNotExists(op::CURRENT_CALL.into()),
            Cond::eq(attr::GSI2PK, AVAILABLE),
        ]);
        done(
            self.store
                .update(
                    &operator_key(&stray.id),
                    signed_off(Update::default().add(op::VERSION, 1)),
                    Some(cond),
                )
                .await,
        )
    }

    /// Ends an unanswered offer of a call (idempotent: each write is conditional on the offer
    /// id, and one already undone is left alone). The call is waiting again, in its place in
    /// line. `free_since_key` is where the operator stood in the free list, for an offer that
    /// never rang ([`Unanswered::NotRung`]).
    pub async fn release_offer(
        &self,
        sid: &str,
        operator: &str,
        offer_id: &str,
        free_since_key: Option<&str>,
        why: Unanswered,
    ) -> Result<(), DomainError> {
        let queue_sk = self.call(sid).await?.and_then(|c| c.queue_sk).unwrap_or_default();
        self.release(sid, &queue_sk, operator, offer_id, free_since_key, why)
            .await
    }

    /// Releases an offer that lapsed without any callback reaching us, the operator not on
    /// the call as far as Twilio knows (or Twilio could not be asked): see [`Routed::Lapsed`].
    pub async fn release_lapsed(&self, lapsed: &LapsedOffer) -> Result<(), DomainError> {
        self.release(
            &lapsed.call_sid,
            &lapsed.queue_sk,
            &lapsed.operator_id,
            &lapsed.offer_id,
            None,
            Unanswered::Lapsed,
        )
        .await
    }

    /// [`Routing::release_offer`] of the queue entry `queue_sk`.
    async fn release(
        &self,
        sid: &str,
        queue_sk: &str,
        operator: &str,
        offer_id: &str,
        free_since_key: Option<&str>,
        why: Unanswered,
    ) -> Result<(), DomainError> {
        let op_update = match why {
            Unanswered::NotRung => {
                let key = free_since_key
                    .map(str::to_owned)
                    .unwrap_or_else(|| free_since_sk(&now(), operator));
                free_under(key)
            }
            Unanswered::Missed | Unanswered::Lapsed => away_after_a_missed_call(),
        };
        done(
            self.store
                .update(
                    &operator_key(operator),
                    letting_go(op_update),
                    Some(Cond::eq(op::OFFER_ID, offer_id)),
                )
                .await,
        )?;
        let q_update = Update::default()
            .remove(field::OFFERED_TO)
            .remove(field::OFFER_ID)
            .remove(field::OFFER_EXPIRES_AT);
        done(
            self.store
                .update(
                    &queue_entry_key(queue_sk),
                    q_update,
                    Some(Cond::eq(field::OFFER_ID, offer_id)),
                )
                .await,
        )?;
        let mut c_update = Update::default().set(call::STATUS, "waiting").remove(call::OFFERED_TO);
        if why == Unanswered::Lapsed
            && let Some(record) = self.call(sid).await?
        {
            c_update = c_update.set(call::HANDED_OVER, record.handed_over_by(operator, &now()));
        }
        let c_cond = Cond::And(vec![
            Cond::eq(call::OFFERED_TO, operator),
            Cond::eq(call::STATUS, "ringing"),
        ]);
        done(self.store.update(&call_key(sid), c_update, Some(c_cond)).await)?;
        Ok(())
    }

    /// The operator answered: they are on the call and it leaves the queue, atomically. A
    /// conflict means the offer had already been taken back (the answer came too late).
    pub async fn answered(
        &self,
        sid: &str,
        operator: &str,
        operator_name: &str,
        offer_id: &str,
    ) -> Result<(), DomainError> {
        let record = self
            .call(sid)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no call {sid}")))?;
        let withdrawn =
            || DomainError::conflict("offer_withdrawn", "this call was already given to someone else", None);
        if record.is_operated_by(operator) {
            // Applied already: the answer reaches us by the leg's callback (repeated when Twilio
            // did not see our reply) and by the operator's first call control, which asks
            // Twilio rather than wait for it. The transaction would only fail its condition.
            return if self.holds_answered(sid, operator).await? {
                Ok(())
            } else {
                Err(withdrawn())
            };
        }
        let at = now();
        let mut ops = vec![TxOp::Update {
            key: operator_key(operator),
            update: Update::default()
                .set(op::STATUS, OperatorStatus::OnCall)
                .set(op::STATUS_SINCE, at.as_str())
                .remove(op::OFFER_ID)
                .remove(op::FREE_SINCE_KEY)
                .add(op::VERSION, 1),
            cond: Some(Cond::And(vec![
                Cond::eq(op::CURRENT_CALL, sid),
                Cond::eq(op::OFFER_ID, offer_id),
            ])),
        }];
        let mut answered = Update::default()
            .set(call::STATUS, "in_progress")
            .set(call::OPERATOR_ID, operator)
            .set(call::OPERATOR_NAME, operator_name)
            .set(call::ANSWERED_AT, at.as_str())
            .remove(call::OFFERED_TO);
        if record.queue_sk.is_some() {
            // Out of line, the call forgets its place: the call's ends find nothing to delete
            // (a delete of an absent entry is still a write billed).
            answered = answered.remove(call::QUEUE_SK);
        }
        ops.push(TxOp::Update {
            key: call_key(sid),
            update: answered,
            cond: Some(Cond::Exists),
        });
        if let Some(qsk) = &record.queue_sk {
            ops.push(TxOp::Delete {
                key: queue_entry_key(qsk),
                cond: Some(Cond::eq(field::OFFER_ID, offer_id)),
            });
        }
        match self.store.transact(ops).await {
            Ok(()) => Ok(()),
            // Twilio delivers a callback again when it never saw our answer: the answer that
            // already made this operator the call's operator is not a late one.
            Err(e) if e.is_condition_failed() && self.answer_landed(sid, operator).await? => Ok(()),
            Err(e) if e.is_condition_failed() => Err(withdrawn()),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether `operator` is already on call `sid` as its operator (an answer applied before).
    async fn answer_landed(&self, sid: &str, operator: &str) -> Result<bool, DomainError> {
        let theirs = self.call(sid).await?.is_some_and(|c| c.is_operated_by(operator));
        if !theirs {
            return Ok(false);
        }
        self.holds_answered(sid, operator).await
    }

    /// Whether `operator` holds call `sid` as an answered call (no offer pending on it).
    async fn holds_answered(&self, sid: &str, operator: &str) -> Result<bool, DomainError> {
        let holds = self.store.get(&operator_key(operator)).await?.is_some_and(|o| {
            crate::store::str_attr(&o, op::CURRENT_CALL) == Some(sid)
                && crate::store::str_attr(&o, op::OFFER_ID).is_none()
        });
        Ok(holds)
    }

    /// The customer's call ended: its queue entry goes (an abandoned call), the operator who
    /// had it moves to wrap-up, filed as free from the end of wrap-up, and a transfer target
    /// still ringing or talking to the first operator is let go as they were.
    pub async fn ended(&self, sid: &str) -> Result<(), DomainError> {
        let Some(record) = self.call(sid).await? else {
            return Ok(());
        };
        if let Some(qsk) = &record.queue_sk {
            // A caller who asked to be called back left their place in line for the callback.
            let waiting = Cond::AttrNotExists(field::CALLBACK.into());
            done(self.store.delete(&queue_entry_key(qsk), Some(waiting)).await)?;
        }
        if let Some(offered) = record
            .offered_to
            .as_deref()
            .filter(|_| record.summary.operator_id.is_none())
        {
            // The caller hung up while this operator's phone rang: they are free again.
            let update = letting_go(free_under(free_since_sk(&now(), offered)));
            done(
                self.store
                    .update(&operator_key(offered), update, Some(Cond::eq(op::CURRENT_CALL, sid)))
                    .await,
            )?;
        }
        if let Some(t) = record.transfer_under_way() {
            let over = super::calls::transfer::ended_with_the_call();
            let cond = super::calls::transfer::under_way(&t.id);
            done(self.store.update(&call_key(sid), over, Some(cond)).await)?;
            self.release_transfer_target(&t.to_operator, &t.id).await?;
        }
        if let Some(operator) = &record.summary.operator_id {
            self.wrap_up(operator, sid).await?;
        }
        Ok(())
    }

    /// The operator is done with the call: wrap-up, filed as free from the end of wrap-up
    /// (idempotent: only while the operator still holds this call).
    ///
    /// A call's end arrives at least twice (its status callback and its conference's end, each
    /// possibly repeated): once the operator no longer holds the call, nothing is written. One
    /// read and one conditional update, not a transaction bound to fail: on DynamoDB Local the
    /// centre's short day sent 542 wrap-up transactions of which 291 failed their condition.
    pub async fn wrap_up(&self, operator: &str, sid: &str) -> Result<(), DomainError> {
        let item = self.store.get(&operator_key(operator)).await?;
        if item.as_ref().and_then(|i| crate::store::str_attr(i, op::CURRENT_CALL)) != Some(sid) {
            return Ok(());
        }
        match self.wrap_up_of(operator, sid, item.as_ref()).await? {
            TxOp::Update { key, update, cond } => done(self.store.update(&key, update, cond).await),
            other => done(self.store.transact(vec![other]).await),
        }
    }

    /// [`Routing::wrap_up`] as a write of a transaction. An operator an admin disabled during
    /// the call is signed off instead.
    pub async fn wrap_up_op(&self, operator: &str, sid: &str) -> Result<TxOp, DomainError> {
        let item = self.store.get(&operator_key(operator)).await?;
        self.wrap_up_of(operator, sid, item.as_ref()).await
    }

    /// [`Routing::wrap_up_op`] of the operator's item as read (`None`: no such operator).
    async fn wrap_up_of(&self, operator: &str, sid: &str, item: Option<&Item>) -> Result<TxOp, DomainError> {
        let record = item.and_then(OperatorRecord::from_item);
        if record.is_some_and(|o| o.disabled) {
            return Ok(TxOp::Update {
                key: operator_key(operator),
                update: letting_go(signed_off(Update::default())),
                cond: Some(Cond::eq(op::CURRENT_CALL, sid)),
            });
        }
        let wrap = self.settings.get().await?.call_handling.wrap_up_seconds;
        let until = later(wrap);
        let update = Update::default()
            .set(op::STATUS, OperatorStatus::WrapUp)
            .set(op::STATUS_SINCE, now())
            .set(op::WRAP_UP_UNTIL, until.as_str())
            .set(op::WRAP_UP_CALL, sid);
        // An operator who had another status than 受付可 before the call (an outbound call made
        // in 離席) returns to it: out of the free list, so no call is routed to them.
        let after = item
            .and_then(|i| i.get(op::AFTER_CALL_STATUS))
            .and_then(Value::as_str)
            .map(OperatorStatus::parse)
            .filter(|s| *s != OperatorStatus::Available);
        let update = letting_go(match after {
            Some(_) => update.remove(attr::GSI2PK).remove(attr::GSI2SK),
            None => update
                .set(attr::GSI2PK, AVAILABLE)
                .set(attr::GSI2SK, free_since_sk(&until, operator))
                .remove(op::AFTER_CALL_STATUS),
        });
        Ok(TxOp::Update {
            key: operator_key(operator),
            update,
            cond: Some(Cond::eq(op::CURRENT_CALL, sid)),
        })
    }

    /// Reserves the target of a transfer the way an offer reserves an operator: the call is
    /// theirs to answer (`current_call`), they leave the free list (their place is kept in
    /// `free_since_key`) and their presence is remembered to be restored if the transfer does
    /// not go through. The write holds only if the operator is unchanged since `target` was
    /// read, signed in and not on any call; `None` when they are offline or busy.
    pub fn transfer_reservation(target: &OperatorRecord, sid: &str, transfer_id: &str) -> Option<TxOp> {
        if target.status == OperatorStatus::Offline || target.current_call.is_some() || target.disabled {
            return None;
        }
        let mut update = Update::default()
            .set(op::CURRENT_CALL, sid)
            .set(op::TRANSFER_ID, transfer_id)
            .set(op::TRANSFER_PREV_STATUS, target.status.clone())
            .remove(attr::GSI2PK)
            .remove(attr::GSI2SK)
            .add(op::VERSION, 1);
        if let Some(key) = &target.free_list_sk {
            update = update.set(op::FREE_SINCE_KEY, key.as_str());
        }
        let unchanged = match target.version {
            Some(v) => Cond::eq(op::VERSION, v),
            None => Cond::AttrNotExists(op::VERSION.into()),
        };
        Some(TxOp::Update {
            key: operator_key(&target.id),
            update,
            cond: Some(Cond::And(vec![
                Cond::Exists,
                Cond::AttrNotExists(op::CURRENT_CALL.into()),
                Cond::eq(op::STATUS, target.status.clone()),
                unchanged,
            ])),
        })
    }

    /// Undoes [`Routing::transfer_reservation`] in the same transaction as other writes, for
    /// a transfer that never rang: the operator is exactly as they were.
    pub fn transfer_reservation_undone(target: &OperatorRecord, transfer_id: &str) -> TxOp {
        let update = match &target.free_list_sk {
            Some(key) => free_under(key.clone()),
            None => Update::default(),
        };
        TxOp::Update {
            key: operator_key(&target.id),
            update: letting_go_of_transfer(update),
            cond: Some(Cond::eq(op::TRANSFER_ID, transfer_id)),
        }
    }

    /// The transfer target answered: they are on the call (通話中) while the transfer lasts.
    pub fn transfer_target_answered(operator: &str, sid: &str, transfer_id: &str) -> TxOp {
        TxOp::Update {
            key: operator_key(operator),
            update: Update::default()
                .set(op::STATUS, OperatorStatus::OnCall)
                .set(op::STATUS_SINCE, now())
                .add(op::VERSION, 1),
            cond: Some(Cond::And(vec![
                Cond::eq(op::TRANSFER_ID, transfer_id),
                Cond::eq(op::CURRENT_CALL, sid),
            ])),
        }
    }

    /// The transfer completed: the target is the call's operator now, like one who answered
    /// an offer.
    pub fn transfer_target_takes_over(operator: &str, sid: &str, transfer_id: &str) -> TxOp {
        TxOp::Update {
            key: operator_key(operator),
            update: Update::default()
                .set(op::STATUS, OperatorStatus::OnCall)
                .remove(op::TRANSFER_ID)
                .remove(op::TRANSFER_PREV_STATUS)
                .remove(op::FREE_SINCE_KEY)
                .add(op::VERSION, 1),
            cond: Some(Cond::And(vec![
                Cond::eq(op::TRANSFER_ID, transfer_id),
                Cond::eq(op::CURRENT_CALL, sid),
            ])),
        }
    }

    /// Lets the target of a transfer that did not go through go back to what they were doing:
    /// their presence before the transfer, and their place in the free list if they had one
    /// (idempotent: only while they are still reserved by this transfer).
    pub async fn release_transfer_target(&self, operator: &str, transfer_id: &str) -> Result<(), DomainError> {
        let key = operator_key(operator);
        let Some(item) = self.store.get(&key).await? else {
            return Ok(());
        };
        let text = |name: &str| item.get(name).and_then(Value::as_str);
        if text(op::TRANSFER_ID) != Some(transfer_id) {
            return Ok(());
        }
        let reserved = Some(Cond::eq(op::TRANSFER_ID, transfer_id));
        if super::operators::is_disabled(&item) {
            let update = letting_go_of_transfer(signed_off(Update::default()));
            return done(self.store.update(&key, update, reserved).await);
        }
        let mut update = match text(op::FREE_SINCE_KEY) {
            Some(k) => free_under(k.to_owned()),
            None => Update::default(),
        };
        if let Some(prev) = text(op::TRANSFER_PREV_STATUS)
            && text(op::STATUS) != Some(prev)
        {
            update = update.set(op::STATUS, prev).set(op::STATUS_SINCE, now());
        }
        done(self.store.update(&key, letting_go_of_transfer(update), reserved).await)
    }

    /// Puts a live call whose operator is gone back in line, ahead of the calls that arrived
    /// after it (it is filed under its start time), and lets that operator go as one who
    /// missed a call (離席 away). The customer stays in their conference; the next free
    /// operator is rung into it, in the queue it waited in before. Returns false when the call
    /// changed meanwhile (another operator took it, it ended, or it was already put back).
    pub async fn requeue(&self, sid: &str, operator: &str) -> Result<bool, DomainError> {
        let Some(item) = self.store.get(&call_key(sid)).await? else {
            return Ok(false);
        };
        let Some(record) = CallRecord::from_item(&item) else {
            return Ok(false);
        };
        let at = now();
        let enqueued_at = if record.summary.started_at.is_empty() {
            at.clone()
        } else {
            record.summary.started_at.clone()
        };
        let mut entry = QueueEntry::new(sid, &enqueued_at);
        entry.requeued_at = Some(at.clone());
        entry.queue = crate::store::str_attr(&item, field::QUEUE).map(str::to_owned);
        let qkey = entry.key();
        let ops = vec![
            TxOp::Update {
                key: call_key(sid),
                update: Update::default()
                    .set(call::STATUS, "waiting")
                    .set(call::QUEUE_SK, qkey.sk.as_str())
                    .set(call::REQUEUED_AT, at.as_str())
                    .set(call::HANDED_OVER, record.handed_over_by(operator, &at))
                    .remove(call::OPERATOR_ID)
                    .remove(call::OPERATOR_NAME)
                    .remove(call::OPERATOR_LABEL)
                    .remove(call::OFFERED_TO)
                    .remove(call::ORPHANED_SINCE),
                cond: Some(Cond::And(vec![
                    Cond::Exists,
                    Cond::AttrNotExists(call::ENDED_AT.into()),
                    Cond::eq(call::STATUS, "in_progress"),
                    Cond::eq(call::OPERATOR_ID, operator),
                ])),
            },
            TxOp::Put {
                item: entry.to_item(),
                cond: Some(Cond::NotExists),
            },
        ];
        match self.store.transact(ops).await {
            Ok(()) => {}
            Err(e) if e.is_condition_failed() => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        let away = letting_go_of_transfer(away_after_a_missed_call());
        done(
            self.store
                .update(&operator_key(operator), away, Some(Cond::eq(op::CURRENT_CALL, sid)))
                .await,
        )?;
        Ok(true)
    }
}
