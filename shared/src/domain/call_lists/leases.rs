//! Leases: the queue of targets to call next and who is calling which target. A lease is a
//! write conditioned on the target's version, so two operators never dial the same target.

use super::{
    ATTEMPTS, CallLists, Target, TargetId, TargetState, busy, counter_op, list_alive, now, shard_of, stamp,
    target_from_item, target_item, write_target,
};
use crate::error::DomainError;
use crate::ids::{OperatorId, RecordId};
use crate::store::table::call_list_state_pk;
use crate::store::{Cond, Index, Query, SortKey, TxOp};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// How long a lease lasts when the operator does not say.
pub const DEFAULT_LEASE_SECONDS: u32 = 600;

/// The longest lease an operator may ask for.
pub const MAX_LEASE_SECONDS: u32 = 3600;

/// Who holds a target's lease, until when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LeaseHolder {
    pub operator_id: String,
    pub operator_name: String,
    pub expires_at: String,
    /// The lease ran out: another operator may take the target.
    #[serde(default)]
    #[schema(required)]
    pub expired: bool,
}

/// The outbound line a leased target is dialled on.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LeaseLine {
    pub id: String,
    /// E.164, the caller ID to dial with.
    pub number: String,
    pub display: String,
    pub label: String,
}

/// A target leased to the calling operator, with what dialling it needs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Lease {
    pub target: Target,
    pub line: LeaseLine,
    /// The list's talk script, else the line's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script_id: Option<String>,
    pub expires_at: String,
}

pub(super) fn lease_seconds(seconds: Option<u32>) -> Result<u32, DomainError> {
    match seconds {
        None => Ok(DEFAULT_LEASE_SECONDS),
        Some(s) if (30..=MAX_LEASE_SECONDS).contains(&s) => Ok(s),
        Some(_) => Err(DomainError::invalid_field(
            "invalid_lease_seconds",
            "seconds",
            format!("a lease lasts 30 to {MAX_LEASE_SECONDS} seconds"),
        )),
    }
}

pub(super) fn held_by_other(t: &Target, h: &LeaseHolder) -> DomainError {
    DomainError::conflict(
        "target_leased",
        format!(
            "{} is calling this target (until {}); choose another one",
            h.operator_name, h.expires_at
        ),
        Some(json!({"lease": h, "target": t})),
    )
}

pub(super) fn check_holder(t: &Target, who: &OperatorId) -> Result<(), DomainError> {
    match &t.lease {
        Some(h) if t.state == TargetState::InProgress && h.operator_id == who.as_str() => Ok(()),
        Some(h) if t.state == TargetState::InProgress => Err(DomainError::conflict(
            "not_lease_holder",
            format!(
                "{} took over this target after your lease ran out; your result was not recorded",
                h.operator_name
            ),
            serde_json::to_value(t).ok(),
        )),
        _ => Err(DomainError::conflict(
            "not_leased",
            "you do not hold this target; open it from the list again",
            serde_json::to_value(t).ok(),
        )),
    }
}

impl CallLists {
    /// The targets to call next, in order: callbacks that are due (earliest first), targets
    /// whose lease ran out (abandoned calls), then targets not called yet (file order).
    pub async fn queue(&self, list: &RecordId, limit: usize) -> Result<Vec<Target>, DomainError> {
        self.live_list(list).await?;
        self.queued(list, limit.clamp(1, 100)).await
    }

    pub(super) async fn queued(&self, list: &RecordId, limit: usize) -> Result<Vec<Target>, DomainError> {
        let at = now();
        let parts = [
            (TargetState::Callback, Some(SortKey::Lt(format!("{at}~")))),
            (TargetState::InProgress, Some(SortKey::Lt(at.clone()))),
            (TargetState::NotCalled, None),
        ];
        let mut out = Vec::new();
        for (state, sk) in parts {
            if out.len() >= limit {
                break;
            }
            let mut q = Query::partition(call_list_state_pk(list, state.as_str()))
                .on(Index::Gsi1)
                .limit((limit - out.len()) as u32);
            q.sk = sk;
            for item in self.store.query(q).await?.items {
                out.push(target_from_item(&item, &at)?.target);
            }
        }
        Ok(out)
    }

    /// Leases the first target of the queue that nobody else has taken; `None` when there is
    /// nothing left to call.
    pub async fn lease_next(
        &self,
        list: &RecordId,
        who: &OperatorId,
        name: &str,
        seconds: Option<u32>,
    ) -> Result<Option<Lease>, DomainError> {
        let seconds = lease_seconds(seconds)?;
        self.live_list(list).await?;
        for _ in 0..2 {
            let candidates = self.queued(list, 20).await?;
            let full = candidates.len() == 20;
            for c in candidates {
                let id = TargetId::from_stored(c.id);
                match self.lease(list, &id, who, name, Some(seconds)).await {
                    Ok(l) => return Ok(Some(l)),
                    // Taken by someone else since the queue was read: try the next one.
                    Err(DomainError::Conflict { code, .. }) if code != "line_missing" => continue,
                    Err(DomainError::NotFound(_)) => continue,
                    Err(e) => return Err(e),
                }
            }
            if !full {
                break;
            }
        }
        Ok(None)
    }

    /// Leases a target to an operator for `seconds` (default 10 minutes): allowed when nobody
    /// holds it, when the holder's lease ran out, or when the operator holds it already (the
    /// lease is extended). Otherwise 409 naming the holder. A finished target cannot be leased.
    pub async fn lease(
        &self,
        list: &RecordId,
        target: &TargetId,
        who: &OperatorId,
        name: &str,
        seconds: Option<u32>,
    ) -> Result<Lease, DomainError> {
        let seconds = lease_seconds(seconds)?;
        for _ in 0..ATTEMPTS {
            let (l, stored) = self.list_and_target(list, target).await?;
            let settings = self.settings.get().await?;
            let line = settings.line(&l.line_id).ok_or_else(|| {
                DomainError::conflict(
                    "line_missing",
                    format!(
                        "this list's outbound line '{}' was removed from the settings; ask an admin to choose another line for the list",
                        l.line_id
                    ),
                    None,
                )
            })?;
            let mut t = stored.target.clone();
            match (&t.state, &t.lease) {
                (TargetState::Done, _) => {
                    return Err(DomainError::conflict(
                        "target_done",
                        "this target is already done; choose another one",
                        serde_json::to_value(&t).ok(),
                    ));
                }
                (_, Some(h)) if h.operator_id != who.as_str() && !h.expired => {
                    return Err(held_by_other(&t, h));
                }
                _ => {}
            }
            let at = chrono::Utc::now();
            let expires_at = stamp(at + chrono::Duration::seconds(i64::from(seconds)));
            let from = t.state;
            let prev_state = if from == TargetState::InProgress {
                stored.prev_state.or(Some(TargetState::NotCalled))
            } else {
                Some(from)
            };
            t.state = TargetState::InProgress;
            t.lease = Some(LeaseHolder {
                operator_id: who.to_string(),
                operator_name: name.to_owned(),
                expires_at: expires_at.clone(),
                expired: false,
            });
            t.version += 1;
            t.updated_at = stamp(at);
            let mut ops = vec![
                list_alive(list),
                TxOp::Put {
                    item: target_item(&t, prev_state)?,
                    cond: Some(Cond::version(stored.target.version)),
                },
            ];
            if from != TargetState::InProgress {
                ops.push(counter_op(
                    list,
                    shard_of(&t.id),
                    &[(from, -1), (TargetState::InProgress, 1)],
                    0,
                ));
            }
            if write_target(&*self.store, list, ops).await? {
                return Ok(Lease {
                    target: t,
                    line: LeaseLine {
                        id: line.id.to_string(),
                        number: line.number.as_str().to_owned(),
                        display: line.number.display(),
                        label: line.label.clone(),
                    },
                    script_id: l
                        .script_id
                        .clone()
                        .or_else(|| line.script_id.as_ref().map(|s| s.to_string())),
                    expires_at,
                });
            }
        }
        Err(busy())
    }

    /// Gives a leased target back without a result: it returns to the state it was in.
    pub async fn release(&self, list: &RecordId, target: &TargetId, who: &OperatorId) -> Result<Target, DomainError> {
        for _ in 0..ATTEMPTS {
            let (_, stored) = self.list_and_target(list, target).await?;
            let mut t = stored.target.clone();
            check_holder(&t, who)?;
            let back = stored.prev_state.unwrap_or(TargetState::NotCalled);
            t.state = back;
            t.lease = None;
            t.version += 1;
            t.updated_at = now();
            let ops = vec![
                list_alive(list),
                TxOp::Put {
                    item: target_item(&t, None)?,
                    cond: Some(Cond::version(stored.target.version)),
                },
                counter_op(list, shard_of(&t.id), &[(TargetState::InProgress, -1), (back, 1)], 0),
            ];
            if write_target(&*self.store, list, ops).await? {
                return Ok(t);
            }
        }
        Err(busy())
    }
}
