//! Routing of waiting customers to operators. A customer waits in the conference named after
//! their CallSid, filed in the `QUEUE` partition by arrival time; routing offers the
//! longest-waiting call to the longest-idle free operator by claiming both in one conditional
//! transaction, so a call is never offered to two operators at once and an operator never holds
//! two calls. The REST request that rings the operator is made by the caller of
//! [`Routing::next_offer`]; when it fails the offer is released and nothing is lost.
//!
//! An operator an admin disabled is never offered a call nor reserved for a transfer, and when
//! their last call ends they are signed off rather than freed (see [`super::operators`]).
//!
//! A transfer reserves its target the same way an offer does ([`Routing::transfer_reservation`]),
//! so routing never offers a call to an operator whose phone rings with a transfer; and a live
//! call whose operator is gone can be put back in line ([`Routing::requeue`]).
//!
//! A waiting call is an item of the `QUEUE` partition sorted by arrival (see [`crate::store::table`]).

use std::sync::Arc;

use serde_json::json;

use super::calls::call_key;
use super::operators::{AVAILABLE, is_disabled, operator_key, signed_off};
use super::settings::SettingsService;
use crate::error::DomainError;

/// Files an operator in the free list under `key` (`<free since>#<operator>`).
fn free_under(key: String) -> Update {
    Update::default().set(attr::GSI2PK, AVAILABLE).set(attr::GSI2SK, key)
}

/// An operator update that also lets go of the call they held or were offered.
fn letting_go(update: Update) -> Update {
    update
        .remove("current_call")
        .remove("offer_id")
        .remove("free_since_key")
        .add("version", 1)
}

/// See [`crate::store::done_unless_failed`].
fn done<T>(r: Result<T, StoreError>) -> Result<(), DomainError> {
    Ok(crate::store::done_unless_failed(r)?)
}
use crate::store::{Cond, Index, Item, Query, Store, StoreError, TxOp, Update, attr};

/// The partition of waiting calls.
pub use crate::store::table::QUEUE_PK as QUEUE;
pub use crate::store::table::{queue_entry_key, queue_key};

/// A call offered to an operator: ring them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub call_sid: String,
    pub operator_id: String,
    pub offer_id: String,
    /// Where the operator was in the free list, to put them back on a failed ring.
    pub free_since_key: String,
}

/// How one routing attempt went.
enum Attempt {
    Offered(Offer),
    Nothing,
    LostRace,
}

/// Why an offer ended without an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unanswered {
    /// The operator's phone rang out, was busy or rejected: they are set to 離席 (away) so the
    /// call does not bounce back to an absent desk, and the call goes to the next operator.
    Missed,
    /// We could not ring them (Twilio unreachable): they stay free, first in line.
    NotRung,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn later(seconds: u32) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(seconds as i64))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

use crate::store::str_attr as s;

/// The routing service.
pub struct Routing {
    store: Arc<dyn Store>,
    settings: Arc<SettingsService>,
}

impl Routing {
    pub fn new(store: Arc<dyn Store>, settings: Arc<SettingsService>) -> Self {
        Self { store, settings }
    }

    /// The writes that put a new incoming call in line, for the incoming webhook's own
    /// transaction (with the call record).
    pub fn enqueue_ops(enqueued_at: &str, sid: &str) -> Vec<TxOp> {
        let key = queue_key(enqueued_at, sid);
        let mut item = Item::new();
        item.insert(attr::PK.into(), key.pk.into());
        item.insert(attr::SK.into(), key.sk.into());
        item.insert("sid".into(), sid.into());
        item.insert("enqueued_at".into(), enqueued_at.into());
        vec![TxOp::Put {
            item,
            cond: Some(Cond::NotExists),
        }]
    }

    /// Finds the longest-waiting call without a live offer and the longest-idle free operator
    /// and claims both; `None` when either side is empty. Two queries and one transaction in
    /// the common case. A lost race (another router claimed the call or the operator first)
    /// reads fresh candidates and tries again, a few times at most: under heavy contention
    /// the remaining calls are routed by the next trigger (a customer's wait document, an
    /// operator becoming free), so no work is wasted on stale candidates.
    pub async fn next_offer(&self) -> Result<Option<Offer>, DomainError> {
        for _ in 0..4 {
            match self.try_offer().await? {
                Attempt::Offered(o) => return Ok(Some(o)),
                Attempt::Nothing => return Ok(None),
                Attempt::LostRace => continue,
            }
        }
        Ok(None)
    }

    async fn try_offer(&self) -> Result<Attempt, DomainError> {
        let at = now();
        let calls = self.store.query(Query::partition(QUEUE).limit(25)).await?;
        let Some(q) = calls
            .items
            .iter()
            .find(|q| s(q, "offered_to").is_none() || s(q, "offer_expires_at").is_some_and(|e| e < at.as_str()))
        else {
            return Ok(Attempt::Nothing);
        };
        let free = self
            .store
            .query(Query::partition(AVAILABLE).on(Index::Gsi2).limit(25))
            .await?;
        // Free-list keys are `<free since>#<operator>`: free now means the key sorts before
        // `<now>~` (`~` sorts after `#`).
        let free_until = format!("{at}~");
        for stray in free.items.iter().filter(|o| is_disabled(o)) {
            self.take_out_of_pool(stray).await?;
        }
        let Some(op) = free.items.iter().find(|o| {
            s(o, attr::GSI2SK).is_some_and(|k| k <= free_until.as_str())
                && o.get("current_call").is_none()
                && !is_disabled(o)
        }) else {
            return Ok(Attempt::Nothing);
        };
        let (Some(sid), Some(qsk), Some(op_id), Some(free_key)) =
            (s(q, "sid"), s(q, attr::SK), s(op, "id"), s(op, attr::GSI2SK))
        else {
            return Ok(Attempt::Nothing);
        };
        if let (Some(old_op), Some(old_offer)) = (s(q, "offered_to"), s(q, "offer_id")) {
            // An offer that rang out without any callback reaching us: release it first.
            self.release(sid, qsk, old_op, old_offer, None, Unanswered::Missed)
                .await?;
        }
        let ring = self.settings.get().await?.call_handling.ring_timeout_seconds;
        let offer_id = ulid::Ulid::new().to_string();
        let expires = later(ring + 10);
        let ops = vec![
            TxOp::Update {
                key: operator_key(op_id),
                update: Update::default()
                    .set("current_call", sid)
                    .set("offer_id", offer_id.as_str())
                    .set("free_since_key", free_key)
                    .remove(attr::GSI2PK)
                    .remove(attr::GSI2SK),
                cond: Some(Cond::And(vec![
                    Cond::Exists,
                    Cond::AttrNotExists("current_call".into()),
                    Cond::AttrNotExists("disabled".into()),
                    Cond::eq(attr::GSI2PK, AVAILABLE),
                    Cond::Le(attr::GSI2SK.into(), json!(free_until)),
                ])),
            },
            TxOp::Update {
                key: queue_entry_key(qsk),
                update: Update::default()
                    .set("offered_to", op_id)
                    .set("offer_id", offer_id.as_str())
                    .set("offer_expires_at", expires.as_str()),
                cond: Some(Cond::And(vec![
                    Cond::Exists,
                    Cond::Or(vec![
                        Cond::AttrNotExists("offered_to".into()),
                        Cond::Lt("offer_expires_at".into(), json!(at)),
                    ]),
                ])),
            },
            TxOp::Update {
                key: call_key(sid),
                update: Update::default().set("status", "ringing").set("offered_to", op_id),
                cond: Some(Cond::Exists),
            },
        ];
        match self.store.transact(ops).await {
            Ok(()) => Ok(Attempt::Offered(Offer {
                call_sid: sid.to_owned(),
                operator_id: op_id.to_owned(),
                offer_id,
                free_since_key: free_key.to_owned(),
            })),
            Err(StoreError::ConditionFailed { .. }) | Err(StoreError::TransactionConflict) => Ok(Attempt::LostRace),
            Err(e) => Err(e.into()),
        }
    }

    /// Signs off a disabled operator found in the free list (they were let go by a call that
    /// ended while an admin disabled them), so they stop holding a place there.
    async fn take_out_of_pool(&self, op: &Item) -> Result<(), DomainError> {
        let Some(id) = s(op, "id") else {
            return Ok(());
        };
        let cond = Cond::And(vec![
            Cond::eq("disabled", true),
            Cond::AttrNotExists("current_call".into()),
            Cond::eq(attr::GSI2PK, AVAILABLE),
        ]);
        done(
            self.store
                .update(
                    &operator_key(id),
                    signed_off(Update::default().add("version", 1)),
                    Some(cond),
                )
                .await,
        )
    }

    /// Ends an unanswered offer (idempotent: each write is conditional on the offer id, and
    /// one already undone is left alone). The call is waiting again.
    pub async fn release(
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
                    .unwrap_or_else(|| format!("{}#{operator}", now()));
                free_under(key)
            }
            Unanswered::Missed => Update::default()
                .set("status", "away")
                .set("status_since", now())
                .set("missed_call_at", now())
                .remove("wrap_up_until"),
        };
        let op_update = letting_go(op_update);
        done(
            self.store
                .update(&operator_key(operator), op_update, Some(Cond::eq("offer_id", offer_id)))
                .await,
        )?;
        let q_update = Update::default()
            .remove("offered_to")
            .remove("offer_id")
            .remove("offer_expires_at");
        done(
            self.store
                .update(
                    &queue_entry_key(queue_sk),
                    q_update,
                    Some(Cond::eq("offer_id", offer_id)),
                )
                .await,
        )?;
        let c_update = Update::default().set("status", "waiting").remove("offered_to");
        let c_cond = Cond::And(vec![Cond::eq("offered_to", operator), Cond::eq("status", "ringing")]);
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
        let call = self
            .store
            .get(&call_key(sid))
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no call {sid}")))?;
        let queue_sk = s(&call, "queue_sk").map(str::to_owned);
        let at = now();
        let mut ops = vec![
            TxOp::Update {
                key: operator_key(operator),
                update: Update::default()
                    .set("status", "on_call")
                    .set("status_since", at.as_str())
                    .remove("offer_id")
                    .remove("free_since_key")
                    .add("version", 1),
                cond: Some(Cond::And(vec![
                    Cond::eq("current_call", sid),
                    Cond::eq("offer_id", offer_id),
                ])),
            },
            TxOp::Update {
                key: call_key(sid),
                update: Update::default()
                    .set("status", "in_progress")
                    .set("operator_id", operator)
                    .set("operator_name", operator_name)
                    .set("answered_at", at.as_str())
                    .remove("offered_to"),
                cond: Some(Cond::Exists),
            },
        ];
        if let Some(qsk) = queue_sk {
            ops.push(TxOp::Delete {
                key: queue_entry_key(&qsk),
                cond: Some(Cond::eq("offer_id", offer_id)),
            });
        }
        self.store.transact(ops).await.map_err(|e| match e {
            e if e.is_condition_failed() => {
                DomainError::conflict("offer_withdrawn", "this call was already given to someone else", None)
            }
            other => other.into(),
        })
    }

    /// The customer's call ended: its queue entry goes (an abandoned call), the operator who
    /// had it moves to wrap-up, filed as free from the end of wrap-up, and a transfer target
    /// still ringing or talking to the first operator is let go as they were.
    pub async fn ended(&self, sid: &str) -> Result<(), DomainError> {
        let Some(call) = self.store.get(&call_key(sid)).await? else {
            return Ok(());
        };
        if let Some(qsk) = s(&call, "queue_sk") {
            self.store.delete(&queue_entry_key(qsk), None).await?;
        }
        if let Some(op) = s(&call, "offered_to").filter(|_| s(&call, "operator_id").is_none()) {
            // The caller hung up while this operator's phone rang: they are free again.
            let update = letting_go(free_under(format!("{}#{op}", now())));
            done(
                self.store
                    .update(&operator_key(op), update, Some(Cond::eq("current_call", sid)))
                    .await,
            )?;
        }
        if let (Some(id), Some(to), Some("ringing" | "answered")) = (
            s(&call, "transfer_id"),
            s(&call, "transfer_to"),
            s(&call, "transfer_state"),
        ) {
            let over = Update::default()
                .set("transfer_state", "failed")
                .set("transfer_reason", "call_ended")
                .set("transfer_ended_at", now());
            let cond = Cond::And(vec![
                Cond::eq("transfer_id", id),
                Cond::Or(vec![
                    Cond::eq("transfer_state", "ringing"),
                    Cond::eq("transfer_state", "answered"),
                ]),
            ]);
            done(self.store.update(&call_key(sid), over, Some(cond)).await)?;
            self.release_transfer_target(to, id).await?;
        }
        if let Some(op) = s(&call, "operator_id") {
            self.wrap_up(op, sid).await?;
        }
        Ok(())
    }

    /// The operator is done with the call: wrap-up, filed as free from the end of wrap-up
    /// (idempotent: only while the operator still holds this call).
    pub async fn wrap_up(&self, operator: &str, sid: &str) -> Result<(), DomainError> {
        done(self.store.transact(vec![self.wrap_up_op(operator, sid).await?]).await)
    }

    /// [`Routing::wrap_up`] as a write of a transaction. An operator an admin disabled during
    /// the call is signed off instead.
    pub async fn wrap_up_op(&self, operator: &str, sid: &str) -> Result<TxOp, DomainError> {
        let op = self.store.get(&operator_key(operator)).await?;
        if op.as_ref().is_some_and(is_disabled) {
            return Ok(TxOp::Update {
                key: operator_key(operator),
                update: letting_go(signed_off(Update::default())),
                cond: Some(Cond::eq("current_call", sid)),
            });
        }
        let wrap = self.settings.get().await?.call_handling.wrap_up_seconds;
        let until = later(wrap);
        let update = Update::default()
            .set("status", "wrap_up")
            .set("status_since", now())
            .set("wrap_up_until", until.as_str());
        let update = letting_go(
            update
                .set(attr::GSI2PK, AVAILABLE)
                .set(attr::GSI2SK, format!("{until}#{operator}")),
        );
        Ok(TxOp::Update {
            key: operator_key(operator),
            update,
            cond: Some(Cond::eq("current_call", sid)),
        })
    }

    /// Reserves the target of a transfer the way an offer reserves an operator: the call is
    /// theirs to answer (`current_call`), they leave the free list (their place is kept in
    /// `free_since_key`) and their presence is remembered to be restored if the transfer does
    /// not go through. The write holds only if the operator is unchanged since `target` was
    /// read, signed in and not on any call; `None` when they are offline or busy.
    pub fn transfer_reservation(target: &Item, sid: &str, transfer_id: &str) -> Option<TxOp> {
        let id = s(target, "id")?;
        let status = s(target, "status")?;
        if status == "offline" || target.get("current_call").is_some() || is_disabled(target) {
            return None;
        }
        let mut update = Update::default()
            .set("current_call", sid)
            .set("transfer_id", transfer_id)
            .set("transfer_prev_status", status)
            .remove(attr::GSI2PK)
            .remove(attr::GSI2SK)
            .add("version", 1);
        if s(target, attr::GSI2PK) == Some(AVAILABLE)
            && let Some(key) = s(target, attr::GSI2SK)
        {
            update = update.set("free_since_key", key);
        }
        let unchanged = match target.get("version") {
            Some(v) => Cond::Eq("version".into(), v.clone()),
            None => Cond::AttrNotExists("version".into()),
        };
        Some(TxOp::Update {
            key: operator_key(id),
            update,
            cond: Some(Cond::And(vec![
                Cond::Exists,
                Cond::AttrNotExists("current_call".into()),
                Cond::eq("status", status),
                unchanged,
            ])),
        })
    }

    /// Undoes [`Routing::transfer_reservation`] in the same transaction as other writes, for
    /// a transfer that never rang: the operator is exactly as they were.
    pub fn transfer_reservation_undone(target: &Item, transfer_id: &str) -> Option<TxOp> {
        let id = s(target, "id")?;
        let update = match (s(target, attr::GSI2PK), s(target, attr::GSI2SK)) {
            (Some(AVAILABLE), Some(key)) => free_under(key.to_owned()),
            _ => Update::default(),
        };
        let update = letting_go(update.remove("transfer_id").remove("transfer_prev_status"));
        Some(TxOp::Update {
            key: operator_key(id),
            update,
            cond: Some(Cond::eq("transfer_id", transfer_id)),
        })
    }

    /// The transfer target answered: they are on the call (通話中) while the transfer lasts.
    pub fn transfer_target_answered(operator: &str, sid: &str, transfer_id: &str) -> TxOp {
        TxOp::Update {
            key: operator_key(operator),
            update: Update::default()
                .set("status", "on_call")
                .set("status_since", now())
                .add("version", 1),
            cond: Some(Cond::And(vec![
                Cond::eq("transfer_id", transfer_id),
                Cond::eq("current_call", sid),
            ])),
        }
    }

    /// The transfer completed: the target is the call's operator now, like one who answered
    /// an offer.
    pub fn transfer_target_takes_over(operator: &str, sid: &str, transfer_id: &str) -> TxOp {
        TxOp::Update {
            key: operator_key(operator),
            update: Update::default()
                .set("status", "on_call")
                .remove("transfer_id")
                .remove("transfer_prev_status")
                .remove("free_since_key")
                .add("version", 1),
            cond: Some(Cond::And(vec![
                Cond::eq("transfer_id", transfer_id),
                Cond::eq("current_call", sid),
            ])),
        }
    }

    /// Lets the target of a transfer that did not go through go back to what they were doing:
    /// their presence before the transfer, and their place in the free list if they had one
    /// (idempotent: only while they are still reserved by this transfer).
    pub async fn release_transfer_target(&self, operator: &str, transfer_id: &str) -> Result<(), DomainError> {
        let key = operator_key(operator);
        let Some(op) = self.store.get(&key).await? else {
            return Ok(());
        };
        if s(&op, "transfer_id") != Some(transfer_id) {
            return Ok(());
        }
        if is_disabled(&op) {
            let update = letting_go(signed_off(
                Update::default().remove("transfer_id").remove("transfer_prev_status"),
            ));
            return done(
                self.store
                    .update(&key, update, Some(Cond::eq("transfer_id", transfer_id)))
                    .await,
            );
        }
        let mut update = match s(&op, "free_since_key") {
            Some(k) => free_under(k.to_owned()),
            None => Update::default(),
        };
        if let Some(prev) = s(&op, "transfer_prev_status")
            && s(&op, "status") != Some(prev)
        {
            update = update.set("status", prev).set("status_since", now());
        }
        let update = letting_go(update.remove("transfer_id").remove("transfer_prev_status"));
        done(
            self.store
                .update(&key, update, Some(Cond::eq("transfer_id", transfer_id)))
                .await,
        )
    }

    /// Puts a live call whose operator is gone back in line, ahead of the calls that arrived
    /// after it (it is filed under its start time), and lets that operator go as one who
    /// missed a call (離席 away). The customer stays in their conference; the next free
    /// operator is rung into it. Returns false when the call changed meanwhile (another
    /// operator took it, it ended, or it was already put back).
    pub async fn requeue(&self, sid: &str, operator: &str) -> Result<bool, DomainError> {
        let Some(call) = self.store.get(&call_key(sid)).await? else {
            return Ok(false);
        };
        let at = now();
        let enqueued_at = s(&call, "started_at").unwrap_or(at.as_str()).to_owned();
        let qkey = queue_key(&enqueued_at, sid);
        let mut entry = Item::new();
        entry.insert(attr::PK.into(), qkey.pk.clone().into());
        entry.insert(attr::SK.into(), qkey.sk.clone().into());
        entry.insert("sid".into(), sid.into());
        entry.insert("enqueued_at".into(), enqueued_at.into());
        entry.insert("requeued_at".into(), at.clone().into());
        let ops = vec![
            TxOp::Update {
                key: call_key(sid),
                update: Update::default()
                    .set("status", "waiting")
                    .set("queue_sk", qkey.sk.as_str())
                    .set("requeued_at", at.as_str())
                    .remove("operator_id")
                    .remove("operator_name")
                    .remove("operator_label")
                    .remove("offered_to")
                    .remove("orphaned_since"),
                cond: Some(Cond::And(vec![
                    Cond::Exists,
                    Cond::AttrNotExists("ended_at".into()),
                    Cond::eq("status", "in_progress"),
                    Cond::eq("operator_id", operator),
                ])),
            },
            TxOp::Put {
                item: entry,
                cond: Some(Cond::NotExists),
            },
        ];
        match self.store.transact(ops).await {
            Ok(()) => {}
            Err(e) if e.is_condition_failed() => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        let away = letting_go(
            Update::default()
                .set("status", "away")
                .set("status_since", now())
                .set("missed_call_at", now())
                .remove("wrap_up_until")
                .remove("transfer_id")
                .remove("transfer_prev_status"),
        );
        done(
            self.store
                .update(&operator_key(operator), away, Some(Cond::eq("current_call", sid)))
                .await,
        )?;
        Ok(true)
    }
}
