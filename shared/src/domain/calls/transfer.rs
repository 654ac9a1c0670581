//! A call's transfer as its record keeps it: the flat `transfer_*` attributes of the call item
//! (spelled once in [`field`]), the [`Transfer`] read from them, and the conditions and updates
//! on them that routing and the transfer service share. It lives beside the call record because
//! the record carries it; the transfer service ([`crate::domain::handoff`]) writes it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ParticipantLabel;
use crate::store::str_attr as s;
use crate::store::{Cond, Item, Update};

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Warm: the first operator talks to the target while the customer is held, then leaves.
/// Cold: the first operator leaves at once; the customer is held until the target answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferMode {
    Warm,
    Cold,
}

impl TransferMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TransferMode::Warm => "warm",
            TransferMode::Cold => "cold",
        }
    }
}

/// Where a transfer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferState {
    /// The target's phone is ringing.
    Ringing,
    /// The target answered and talks with the first operator (warm) while the customer waits.
    Answered,
    /// The target is the call's operator now.
    Completed,
    /// It did not go through (`reason` says why); the call stayed with the first operator.
    Failed,
    /// The first operator called it off.
    Canceled,
}

impl TransferState {
    pub fn as_str(self) -> &'static str {
        match self {
            TransferState::Ringing => "ringing",
            TransferState::Answered => "answered",
            TransferState::Completed => "completed",
            TransferState::Failed => "failed",
            TransferState::Canceled => "canceled",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "ringing" => TransferState::Ringing,
            "answered" => TransferState::Answered,
            "completed" => TransferState::Completed,
            "failed" => TransferState::Failed,
            "canceled" => TransferState::Canceled,
            _ => return None,
        })
    }

    /// Ringing or answered: the call is being handed over.
    pub fn in_progress(self) -> bool {
        matches!(self, TransferState::Ringing | TransferState::Answered)
    }
}

/// A transfer as the page follows it (the last one stays on the call after it ended).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Transfer {
    pub id: String,
    pub mode: TransferMode,
    pub state: TransferState,
    /// The operator the call is handed to.
    pub to_operator: String,
    pub to_name: String,
    /// The participant label of the target's leg: `transfer`, or `operator` when the call's
    /// operator is already on a `transfer` leg (a call transferred twice).
    pub to_label: ParticipantLabel,
    /// The operator handing the call over.
    pub from_operator: String,
    pub from_name: String,
    pub from_label: ParticipantLabel,
    /// Whether the first operator's leg has left the conference.
    pub from_left: bool,
    /// Who asked for the transfer (the first operator, or a supervisor).
    pub by: String,
    /// The screen transfer's id, when one was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handoff_id: Option<String>,
    pub started_at: String,
    /// When an unanswered ring counts as rung out even if Twilio never said so.
    pub ring_until: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<String>,
    /// Why it failed: `no_answer`, `busy` (a softphone that declined reports busy), `failed`,
    /// `canceled`, `timeout`, `target_left`, `call_ended`, `not_rung`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the first operator was rung back after a cold transfer failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rung_back_at: Option<String>,
    /// The first operator's leg when the transfer started.
    #[serde(skip)]
    pub from_leg: Option<String>,
    /// The last conference sequence number of `from_label` when the transfer started.
    #[serde(skip)]
    pub from_seq: u64,
    /// The target's leg, once known.
    #[serde(skip)]
    pub to_leg: Option<String>,
    /// The last conference sequence number of `to_label` when the transfer started.
    #[serde(skip)]
    pub to_seq: u64,
    /// The conference sequence number at which the first operator's leg left, when a
    /// conference event reported it (a leg we removed ourselves counts as leaving first).
    #[serde(skip)]
    pub from_left_seq: Option<u64>,
    /// The conference sequence number at which the target's leg left.
    #[serde(skip)]
    pub to_left_seq: Option<u64>,
}

/// The names of the attributes a transfer keeps on the call item, spelled once.
pub mod field {
    pub const TRANSFER_ID: &str = "transfer_id";
    pub const TRANSFER_STATE: &str = "transfer_state";
    pub const TRANSFER_MODE: &str = "transfer_mode";
    pub const TRANSFER_TO: &str = "transfer_to";
    pub const TRANSFER_TO_NAME: &str = "transfer_to_name";
    pub const TRANSFER_TO_LABEL: &str = "transfer_to_label";
    pub const TRANSFER_TO_LEG: &str = "transfer_to_leg";
    pub const TRANSFER_TO_SEQ: &str = "transfer_to_seq";
    pub const TRANSFER_FROM: &str = "transfer_from";
    pub const TRANSFER_FROM_NAME: &str = "transfer_from_name";
    pub const TRANSFER_FROM_LABEL: &str = "transfer_from_label";
    pub const TRANSFER_FROM_LEG: &str = "transfer_from_leg";
    pub const TRANSFER_FROM_SEQ: &str = "transfer_from_seq";
    pub const TRANSFER_FROM_LEFT: &str = "transfer_from_left";
    pub const TRANSFER_FROM_LEFT_SEQ: &str = "transfer_from_left_seq";
    pub const TRANSFER_TO_LEFT_SEQ: &str = "transfer_to_left_seq";
    pub const TRANSFER_BY: &str = "transfer_by";
    pub const TRANSFER_HANDOFF: &str = "transfer_handoff";
    pub const TRANSFER_STARTED_AT: &str = "transfer_started_at";
    pub const TRANSFER_RING_UNTIL: &str = "transfer_ring_until";
    pub const TRANSFER_ANSWERED_AT: &str = "transfer_answered_at";
    pub const TRANSFER_ENDED_AT: &str = "transfer_ended_at";
    pub const TRANSFER_REASON: &str = "transfer_reason";
    pub const TRANSFER_RUNG_BACK_AT: &str = "transfer_rung_back_at";
}

/// Every attribute a transfer keeps on the call item.
pub(crate) const ATTRS: [&str; 24] = [
    field::TRANSFER_ID,
    field::TRANSFER_STATE,
    field::TRANSFER_MODE,
    field::TRANSFER_TO,
    field::TRANSFER_TO_NAME,
    field::TRANSFER_TO_LABEL,
    field::TRANSFER_TO_LEG,
    field::TRANSFER_TO_SEQ,
    field::TRANSFER_FROM,
    field::TRANSFER_FROM_NAME,
    field::TRANSFER_FROM_LABEL,
    field::TRANSFER_FROM_LEG,
    field::TRANSFER_FROM_SEQ,
    field::TRANSFER_FROM_LEFT,
    field::TRANSFER_FROM_LEFT_SEQ,
    field::TRANSFER_TO_LEFT_SEQ,
    field::TRANSFER_BY,
    field::TRANSFER_HANDOFF,
    field::TRANSFER_STARTED_AT,
    field::TRANSFER_RING_UNTIL,
    field::TRANSFER_ANSWERED_AT,
    field::TRANSFER_ENDED_AT,
    field::TRANSFER_REASON,
    field::TRANSFER_RUNG_BACK_AT,
];

impl Transfer {
    /// The call's transfer, if it ever had one.
    pub fn from_item(item: &Item) -> Option<Self> {
        let text = |n: &str| s(item, n).map(str::to_owned);
        let num = |n: &str| item.get(n).and_then(Value::as_u64);
        Some(Transfer {
            id: text(field::TRANSFER_ID)?,
            mode: match s(item, field::TRANSFER_MODE)? {
                "cold" => TransferMode::Cold,
                _ => TransferMode::Warm,
            },
            state: TransferState::parse(s(item, field::TRANSFER_STATE)?)?,
            to_operator: text(field::TRANSFER_TO)?,
            to_name: text(field::TRANSFER_TO_NAME).unwrap_or_default(),
            to_label: s(item, field::TRANSFER_TO_LABEL)
                .and_then(ParticipantLabel::parse)
                .unwrap_or(ParticipantLabel::Transfer),
            from_operator: text(field::TRANSFER_FROM)?,
            from_name: text(field::TRANSFER_FROM_NAME).unwrap_or_default(),
            from_label: s(item, field::TRANSFER_FROM_LABEL)
                .and_then(ParticipantLabel::parse)
                .unwrap_or(ParticipantLabel::Operator),
            from_left: item
                .get(field::TRANSFER_FROM_LEFT)
                .and_then(Value::as_bool)
                .unwrap_or(false),
            by: text(field::TRANSFER_BY).unwrap_or_default(),
            handoff_id: text(field::TRANSFER_HANDOFF),
            started_at: text(field::TRANSFER_STARTED_AT).unwrap_or_default(),
            ring_until: text(field::TRANSFER_RING_UNTIL).unwrap_or_default(),
            answered_at: text(field::TRANSFER_ANSWERED_AT),
            ended_at: text(field::TRANSFER_ENDED_AT),
            reason: text(field::TRANSFER_REASON),
            rung_back_at: text(field::TRANSFER_RUNG_BACK_AT),
            from_leg: text(field::TRANSFER_FROM_LEG),
            from_seq: num(field::TRANSFER_FROM_SEQ).unwrap_or(0),
            to_leg: text(field::TRANSFER_TO_LEG),
            to_seq: num(field::TRANSFER_TO_SEQ).unwrap_or(0),
            from_left_seq: num(field::TRANSFER_FROM_LEFT_SEQ),
            to_left_seq: num(field::TRANSFER_TO_LEFT_SEQ),
        })
    }

    /// Whether a conference event of `label`'s leg `call_sid` with `sequence` is the first
    /// operator's leg of this transfer (a delayed event of an earlier leg is not).
    pub fn is_from_leg(&self, label: ParticipantLabel, call_sid: &str, sequence: u64) -> bool {
        label == self.from_label
            && match &self.from_leg {
                Some(leg) => leg == call_sid,
                None => sequence > self.from_seq,
            }
    }

    /// Whether a conference event is the target's leg of this transfer.
    pub fn is_to_leg(&self, label: ParticipantLabel, call_sid: &str, sequence: u64) -> bool {
        label == self.to_label
            && match &self.to_leg {
                Some(leg) => leg == call_sid,
                None => sequence > self.to_seq,
            }
    }
}

pub(crate) fn in_progress_cond() -> Cond {
    Cond::Or(vec![
        Cond::eq(field::TRANSFER_STATE, "ringing"),
        Cond::eq(field::TRANSFER_STATE, "answered"),
    ])
}

pub(crate) fn of(transfer_id: &str, also: Cond) -> Cond {
    Cond::And(vec![Cond::eq(field::TRANSFER_ID, transfer_id), also])
}

/// The condition that transfer `transfer_id` of a call is still ringing or answered.
pub fn under_way(transfer_id: &str) -> Cond {
    of(transfer_id, in_progress_cond())
}

/// The call-item update that fails a transfer under way because the call itself ended.
pub fn ended_with_the_call() -> Update {
    Update::default()
        .set(field::TRANSFER_STATE, TransferState::Failed.as_str())
        .set(field::TRANSFER_REASON, "call_ended")
        .set(field::TRANSFER_ENDED_AT, now())
}
