//! The call record: one item per customer call, keyed by the customer leg's CallSid (which is
//! also the conference's name). It is filed under the customer's number and, when matched,
//! under the account, so history is one query either way.
//!
//! [`CallSummary`] is what history shows and what a new call is written as; [`CallRecord`] is the
//! whole record as call control reads it (its conference's participants, its transfer, the
//! bookkeeping of routing and healing), with the names of its attributes spelled once in
//! [`field`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::RecordId;
use crate::phone::PhoneNumber;
use crate::store::table::account_pk;
use crate::store::{Item, attr};

pub mod transfer;

use transfer::Transfer;

/// Which way the call went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    Inbound,
    Outbound,
}

impl Direction {
    /// The direction as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

/// A call as history and monitoring show it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CallSummary {
    #[serde(default)]
    #[schema(required)]
    pub sid: String,
    #[serde(default)]
    #[schema(required)]
    pub direction: Direction,
    /// The customer's number in E.164 (absent for a withheld number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_display: Option<String>,
    /// Our line (the number called, or the caller ID used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    /// waiting, ringing, in_progress, completed, abandoned, failed …
    #[serde(default)]
    #[schema(required)]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_name: Option<String>,
    #[serde(default)]
    #[schema(required)]
    pub started_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<String>,
    /// The conversation memo as last saved (history reads it from the call's memo item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_url: Option<String>,
    /// When the call's recording was deleted at Twilio because its retention period ran out
    /// (保存期間を過ぎたため削除済み); the recording's link is gone from then on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_deleted_at: Option<String>,
    /// 外部転送: the outside number the customer was handed to, if they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalHandover>,
}

/// 外部転送: the customer handed to an outside number, warm (the operator talked to them first)
/// or cold (the operator left at once, while it rang).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExternalHandover {
    /// The outside number (E.164).
    pub to: String,
    /// The outside number as an operator reads it (`090-1111-2222`).
    pub to_display: String,
    /// `warm` or `cold`.
    pub mode: String,
    /// The operator who handed the customer over.
    pub by: String,
    /// When they did.
    pub at: String,
    /// When the outside party and the customer were connected (absent while a cold one rings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_at: Option<String>,
}

impl ExternalHandover {
    /// A cold handover whose outside party has not answered yet.
    pub fn ringing(&self) -> bool {
        self.mode == "cold" && self.connected_at.is_none()
    }
}

pub use crate::store::table::{call_index_sk, call_key, memo_key, outbound_leg_key};

impl CallSummary {
    /// A call that has just started: the customer, our line, and the first account and contact
    /// the screen pop matched (none when the lookup failed or found nothing).
    pub fn new(
        sid: &str,
        direction: Direction,
        customer: Option<&PhoneNumber>,
        line: Option<String>,
        status: &str,
        started_at: String,
        pop: Option<&super::crm::Lookup>,
    ) -> Self {
        Self {
            sid: sid.to_owned(),
            direction,
            customer: customer.map(|p| p.as_str().to_owned()),
            customer_display: customer.map(PhoneNumber::display),
            line,
            status: status.to_owned(),
            account_id: pop.and_then(|l| l.accounts.first()).map(|m| m.record.id.to_string()),
            contact_id: pop.and_then(|l| l.contacts.first()).map(|m| m.record.id.to_string()),
            operator_id: None,
            operator_name: None,
            started_at,
            answered_at: None,
            ended_at: None,
            duration_seconds: None,
            end_reason: None,
            memo: None,
            response_status: None,
            recording_url: None,
            recording_deleted_at: None,
            external: None,
        }
    }

    /// The call as a store item filed in its caller's and its account's history (an ended call).
    pub fn to_item(&self) -> Item {
        let mut item = self.live_item();
        for (name, value) in self.history_keys() {
            item.insert(name.into(), value.into());
        }
        item
    }

    /// The call as a store item while it is live: not in the history indexes yet. A live call's
    /// record is written a dozen times, and each write would be written again in both indexes
    /// (they copy the whole item); the call is filed there when it ends, by the transaction that
    /// counts it ([`CallSummary::history_keys`]).
    pub fn live_item(&self) -> Item {
        let mut item = match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => Item::new(),
        };
        let key = call_key(&self.sid);
        item.insert(attr::PK.into(), key.pk.into());
        item.insert(attr::SK.into(), key.sk.into());
        item
    }

    /// The keys that file the call in its caller's history (GSI1, by phone number) and its
    /// account's (GSI2), as attribute names and values.
    pub fn history_keys(&self) -> Vec<(&'static str, String)> {
        let isk = call_index_sk(&self.started_at, &self.sid);
        let mut keys = Vec::new();
        if let Some(c) = self.customer.as_deref().and_then(|c| PhoneNumber::parse(c).ok()) {
            keys.push((attr::GSI1PK, crate::store::table::phone_pk(&c)));
            keys.push((attr::GSI1SK, isk.clone()));
        }
        if let Some(a) = self.account_id.as_deref().and_then(|a| RecordId::parse(a).ok()) {
            keys.push((attr::GSI2PK, account_pk(&a)));
            keys.push((attr::GSI2SK, isk));
        }
        keys
    }

    /// Reads a call from its item (extra attributes are ignored).
    pub fn from_item(item: &Item) -> Option<Self> {
        serde_json::from_value(serde_json::Value::Object(item.clone())).ok()
    }

    /// Whether `caller` may play this call's recording: supervisors and admins always, an
    /// operator only a call of their own and only when the settings let operators
    /// (`operators_may`, `call_handling.operators_play_own_recordings`).
    pub fn recording_playable_by(&self, caller: &crate::auth::Caller, operators_may: bool) -> bool {
        caller.role >= crate::auth::Role::Supervisor
            || (operators_may && self.operator_id.as_deref() == Some(caller.id.as_str()))
    }
}

/// The names of a call item's attributes, spelled once. Participants are kept one attribute a
/// label (`p_<label>`, with the conference sequence number of its last event in `pseq_<label>`);
/// a transfer in `transfer_*` attributes (see [`transfer`]).
pub mod field {
    pub const SID: &str = "sid";
    pub const DIRECTION: &str = "direction";
    pub const CUSTOMER: &str = "customer";
    pub const LINE: &str = "line";
    pub const STATUS: &str = "status";
    pub const ACCOUNT_ID: &str = "account_id";
    pub const OPERATOR_ID: &str = "operator_id";
    pub const OPERATOR_NAME: &str = "operator_name";
    /// The participant label of the call's operator leg, once a transfer moved them to another.
    pub const OPERATOR_LABEL: &str = "operator_label";
    pub const STARTED_AT: &str = "started_at";
    pub const ANSWERED_AT: &str = "answered_at";
    /// When the customer's leg first reported `in-progress`.
    pub const CONNECTED_AT: &str = "connected_at";
    pub const ENDED_AT: &str = "ended_at";
    pub const DURATION_SECONDS: &str = "duration_seconds";
    pub const END_REASON: &str = "end_reason";
    pub const MEMO: &str = "memo";
    pub const RESPONSE_STATUS: &str = "response_status";
    pub const RECORDING_SID: &str = "recording_sid";
    pub const RECORDING_STATUS: &str = "recording_status";
    pub const RECORDING_URL: &str = "recording_url";
    pub const RECORDING_SECONDS: &str = "recording_seconds";
    pub const RECORDING_PAUSED: &str = "recording_paused";
    /// When the recording was deleted at Twilio after its retention period.
    pub const RECORDING_DELETED_AT: &str = "recording_deleted_at";
    /// The sort key of the call's queue entry while it waits.
    pub const QUEUE_SK: &str = "queue_sk";
    /// The operator whose phone rings with the call.
    pub const OFFERED_TO: &str = "offered_to";
    pub const CONFERENCE_SID: &str = "conference_sid";
    pub const TWILIO_STATUS: &str = "twilio_status";
    pub const TWILIO_SEQ: &str = "twilio_seq";
    pub const ORPHANED_SINCE: &str = "orphaned_since";
    pub const RECONNECTING_AT: &str = "reconnecting_at";
    pub const REQUEUED_AT: &str = "requeued_at";
    pub const HEAL_COUNT: &str = "heal_count";
    pub const MONITOR_MODE: &str = "monitor_mode";
    pub const MONITOR_BY: &str = "monitor_by";
    /// The day whose figures count the call, once counted.
    pub const COUNTED: &str = "counted";
    /// When the operator of an outgoing call left before the customer answered.
    pub const OPERATOR_GONE_AT: &str = "operator_gone_at";
    /// 外部転送 ([`super::ExternalHandover`]).
    pub const EXTERNAL: &str = "external";
    /// The outside number of the consultation call under way (E.164).
    pub const CONSULT_TO: &str = "consult_to";
    /// The operators the call was taken from lately (a completed transfer, or put back in line
    /// after their leg left), each with when ([`super::Handover`]): they may still save the memo
    /// they typed for a while, however many times the call was handed on since.
    pub const HANDED_OVER: &str = "handed_over";
    /// The single handover a record written before [`HANDED_OVER`] keeps (read, never written).
    pub const HANDED_FROM: &str = "handed_from";
    pub const HANDED_AT: &str = "handed_at";
    /// What the attribute of a participant starts with.
    pub const PARTICIPANT_PREFIX: &str = "p_";
    /// What the attribute of a participant's last sequence number starts with.
    pub const PARTICIPANT_SEQ_PREFIX: &str = "pseq_";

    /// The attribute holding the participant labelled `label`.
    pub fn participant(label: super::ParticipantLabel) -> String {
        format!("{PARTICIPANT_PREFIX}{label}")
    }

    /// The attribute holding the sequence number of the last event of `label`.
    pub fn participant_seq(label: super::ParticipantLabel) -> String {
        format!("{PARTICIPANT_SEQ_PREFIX}{label}")
    }
}

/// Who a leg of a call's conference is: the label every participant is given when it is added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantLabel {
    /// The customer, whose CallSid names the conference.
    Customer,
    /// The call's operator (or a transfer's target, when the operator is on `transfer`).
    Operator,
    /// A transfer's target (or the call's operator after a completed transfer).
    Transfer,
    /// The third party of a consultation call during hold.
    Consult,
    /// A supervisor listening, whispering or barging in.
    Monitor,
}

impl ParticipantLabel {
    /// The labels of operator legs: the call's operator is on one, a transfer's target on the other.
    pub const OPERATOR_LEGS: [ParticipantLabel; 2] = [ParticipantLabel::Operator, ParticipantLabel::Transfer];

    /// The label as Twilio carries it.
    pub fn as_str(self) -> &'static str {
        match self {
            ParticipantLabel::Customer => "customer",
            ParticipantLabel::Operator => "operator",
            ParticipantLabel::Transfer => "transfer",
            ParticipantLabel::Consult => "consult",
            ParticipantLabel::Monitor => "monitor",
        }
    }

    /// The label of a participant Twilio reports, if it is one of ours.
    pub fn parse(label: &str) -> Option<Self> {
        Some(match label {
            "customer" => ParticipantLabel::Customer,
            "operator" => ParticipantLabel::Operator,
            "transfer" => ParticipantLabel::Transfer,
            "consult" => ParticipantLabel::Consult,
            "monitor" => ParticipantLabel::Monitor,
            _ => return None,
        })
    }

    /// The operator leg label not in use: a transfer target's leg is `transfer`, unless the
    /// call's operator is already on it (a call transferred twice).
    pub fn other_operator_leg(self) -> Self {
        if self == ParticipantLabel::Transfer {
            ParticipantLabel::Operator
        } else {
            ParticipantLabel::Transfer
        }
    }
}

impl std::fmt::Display for ParticipantLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a participant is in the conference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantState {
    Joined,
    Left,
}

/// A participant of the call's conference as its last event left it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Participant {
    pub label: ParticipantLabel,
    /// The participant's own leg (empty when Twilio did not name it).
    #[serde(default)]
    #[schema(required)]
    pub call_sid: String,
    pub state: ParticipantState,
    #[serde(default)]
    #[schema(required)]
    pub hold: bool,
    #[serde(default)]
    #[schema(required)]
    pub muted: bool,
    /// When the event happened (RFC 3339).
    #[serde(default)]
    #[schema(required)]
    pub at: String,
    /// The conference sequence number of that event.
    #[serde(skip)]
    pub sequence: u64,
}

impl Participant {
    /// Whether the participant is in the conference now.
    pub fn is_joined(&self) -> bool {
        self.state == ParticipantState::Joined
    }
}

/// An operator the call was taken from (by a transfer, or back in line after their leg left),
/// and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Handover {
    pub operator: String,
    pub at: String,
}

impl Handover {
    /// The most handovers a call keeps: enough for every operator of a call handed on again
    /// and again within the memo's grace, and a bound on the item's size.
    pub const KEPT: usize = 8;

    /// Whether the handover was less than `minutes` before `now`.
    pub fn within(&self, now: chrono::DateTime<chrono::Utc>, minutes: i64) -> bool {
        chrono::DateTime::parse_from_rfc3339(&self.at)
            .is_ok_and(|t| now - t.to_utc() < chrono::Duration::minutes(minutes))
    }
}

/// A call record as call control reads it: the call as history shows it, and what routing,
/// the conference, transfers, recording, monitoring and healing keep on it. Attributes the
/// record does not have are `None`; unknown ones are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CallRecord {
    #[serde(flatten)]
    pub summary: CallSummary,
    /// The outside number of the last consultation call placed (E.164): a warm 外部転送 hands
    /// the customer to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consult_to: Option<String>,
    /// The leg label of the call's operator, once a transfer put them on another than `operator`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_label: Option<ParticipantLabel>,
    /// The operator whose phone rings with the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered_to: Option<String>,
    /// When the customer's leg first reported `in-progress`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conference_sid: Option<String>,
    /// Twilio's latest CallStatus of the customer's leg, and its sequence number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twilio_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twilio_seq: Option<u64>,
    /// On a recorded line: the recording, Twilio's status of it (`in-progress`, `completed`, …),
    /// its length once done, and whether the operator paused it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_sid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_paused: Option<bool>,
    /// The sort key of the call's queue entry while it waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_sk: Option<String>,
    /// When Twilio reported the call's live transcription started (on a line that
    /// transcribes): a voicemail box the caller is sent to stops it before starting its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcription_started_at: Option<String>,
    /// Since when the customer has been held with nobody.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orphaned_since: Option<String>,
    /// When the call started being reconnected to an operator (rung back, or back in line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconnecting_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requeued_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heal_count: Option<u64>,
    /// How and by whom a supervisor is on the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitor_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitor_by: Option<String>,
    /// The day whose figures count the call, once counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted: Option<String>,
    /// When the operator of an outgoing call left before the customer answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_gone_at: Option<String>,
    /// The operators the call was handed on from lately, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handed_over: Vec<Handover>,
    /// The participants of the conference, by label.
    #[serde(skip)]
    pub participants: Vec<Participant>,
    /// The transfer under way, or the last one.
    #[serde(skip)]
    pub transfer: Option<Transfer>,
}

impl CallRecord {
    /// The call's handovers once `operator` hands it on at `at`, as [`field::HANDED_OVER`]
    /// keeps them: their earlier handover replaced, the oldest dropped beyond
    /// [`Handover::KEPT`].
    pub fn handed_over_by(&self, operator: &str, at: &str) -> Value {
        let mut list: Vec<&Handover> = self.handed_over.iter().filter(|h| h.operator != operator).collect();
        let latest = Handover {
            operator: operator.to_owned(),
            at: at.to_owned(),
        };
        list.push(&latest);
        let dropped = list.len().saturating_sub(Handover::KEPT);
        serde_json::to_value(&list[dropped..]).unwrap_or_default()
    }

    /// Reads a call record from its item; `None` when it is not one.
    pub fn from_item(item: &Item) -> Option<Self> {
        let mut record: CallRecord = serde_json::from_value(Value::Object(item.clone())).ok()?;
        record.participants = ParticipantLabel::ALL
            .iter()
            .filter_map(|label| {
                let mut p: Participant = serde_json::from_value(item.get(&field::participant(*label))?.clone()).ok()?;
                p.sequence = item
                    .get(&field::participant_seq(*label))
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                Some(p)
            })
            .collect();
        record.transfer = Transfer::from_item(item);
        Some(record)
    }

    /// Every operator the call involves, sorted and once each: its operator, the one it is
    /// offered to, a transfer's ends and the supervisor on it — whom its changes (and its live
    /// transcript) are pushed to.
    pub fn involved_operators(&self) -> Vec<String> {
        let mut ids: Vec<String> = [
            self.summary.operator_id.clone(),
            self.offered_to.clone(),
            self.monitor_by.clone(),
        ]
        .into_iter()
        .flatten()
        .chain(
            self.transfer
                .iter()
                .flat_map(|t| [t.to_operator.clone(), t.from_operator.clone()]),
        )
        .filter(|id| !id.is_empty())
        .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The participant labelled `label`, in the conference or not.
    pub fn participant(&self, label: ParticipantLabel) -> Option<&Participant> {
        self.participants.iter().find(|p| p.label == label)
    }

    /// The participant labelled `label`, if it is in the conference now.
    pub fn joined(&self, label: ParticipantLabel) -> Option<&Participant> {
        self.participant(label).filter(|p| p.is_joined())
    }

    /// The sequence number of the last event of `label` (0 before any).
    pub fn sequence_of(&self, label: ParticipantLabel) -> u64 {
        self.participant(label).map(|p| p.sequence).unwrap_or(0)
    }

    /// The labels of the participants on hold now.
    pub fn held(&self) -> Vec<ParticipantLabel> {
        self.participants
            .iter()
            .filter(|p| p.is_joined() && p.hold)
            .map(|p| p.label)
            .collect()
    }

    /// Whether the customer is in the conference, on hold.
    pub fn customer_held(&self) -> bool {
        self.joined(ParticipantLabel::Customer).is_some_and(|p| p.hold)
    }

    /// The participant label of the call's operator now: `operator`, or `transfer` after a
    /// completed transfer.
    pub fn operator_label(&self) -> ParticipantLabel {
        self.operator_label.unwrap_or(ParticipantLabel::Operator)
    }

    /// Whether the call has ended (or was given its final status).
    pub fn is_over(&self) -> bool {
        self.summary.ended_at.is_some() || matches!(self.summary.status.as_str(), "completed" | "abandoned" | "failed")
    }

    /// Whether the call is live with an operator on it.
    pub fn is_in_progress(&self) -> bool {
        self.summary.status == "in_progress" && self.summary.ended_at.is_none()
    }

    /// Whether the call's operator is `operator`.
    pub fn is_operated_by(&self, operator: &str) -> bool {
        self.summary.operator_id.as_deref() == Some(operator)
    }

    /// The caller ID an operator's leg shows: the customer's number, or `anonymous`.
    pub fn caller_id(&self) -> &str {
        self.summary.customer.as_deref().unwrap_or("anonymous")
    }

    /// The transfer of the call, if one is ringing or answered.
    pub fn transfer_under_way(&self) -> Option<&Transfer> {
        self.transfer.as_ref().filter(|t| t.state.in_progress())
    }

    /// Whether the customer is held with nobody: the call is live, the customer is in the
    /// conference on hold, no operator leg and no consultation call is connected, and no
    /// transfer is under way (a ringing transfer keeps the customer on hold on purpose).
    pub fn orphaned(&self) -> bool {
        self.is_in_progress() && self.customer_held() && !self.has_company() && self.transfer_under_way().is_none()
    }

    /// Whether an operator leg or a consultation call is in the conference with the customer.
    pub fn has_company(&self) -> bool {
        ParticipantLabel::OPERATOR_LEGS
            .iter()
            .chain([ParticipantLabel::Consult].iter())
            .any(|l| self.joined(*l).is_some())
    }

    /// Whether the customer is being reconnected to an operator (rung back, or back in line).
    pub fn reconnecting(&self) -> bool {
        self.summary.ended_at.is_none() && (self.reconnecting_at.is_some() || self.requeued_at.is_some())
    }
}

impl ParticipantLabel {
    /// Every label, in the order a call's participants are listed.
    pub const ALL: [ParticipantLabel; 5] = [
        ParticipantLabel::Consult,
        ParticipantLabel::Customer,
        ParticipantLabel::Monitor,
        ParticipantLabel::Operator,
        ParticipantLabel::Transfer,
    ];
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A live call as the store holds it: Sato with the customer, who is on hold, and a
    /// transfer to Suzuki ringing.
    fn stored() -> Item {
        let mut item = CallSummary::new(
            "CA01",
            Direction::Inbound,
            PhoneNumber::parse("03-1234-5678").ok().as_ref(),
            Some("+81368000001".into()),
            "in_progress",
            "2026-11-23T10:00:00.000Z".into(),
            None,
        )
        .to_item();
        for (key, value) in [
            ("operator_id", json!("op-sato")),
            ("queue_sk", json!("2026-11-23T10:00:00.000Z#CA01")),
            ("twilio_seq", json!(3)),
            (
                "p_operator",
                json!({"label": "operator", "call_sid": "CA02", "state": "joined", "hold": false, "muted": false, "at": "t1"}),
            ),
            ("pseq_operator", json!(2)),
            (
                "p_customer",
                json!({"label": "customer", "call_sid": "CA01", "state": "joined", "hold": true, "muted": false, "at": "t2"}),
            ),
            ("pseq_customer", json!(4)),
            ("transfer_id", json!("01TRANSFER")),
            ("transfer_state", json!("ringing")),
            ("transfer_mode", json!("warm")),
            ("transfer_to", json!("op-suzuki")),
            ("transfer_from", json!("op-sato")),
        ] {
            item.insert(key.into(), value);
        }
        item
    }

    #[test]
    fn a_stored_call_reads_as_a_typed_record_with_its_participants_and_transfer() {
        let call = CallRecord::from_item(&stored()).expect("a call record");
        assert_eq!(call.summary.operator_id.as_deref(), Some("op-sato"));
        let labels: Vec<_> = call.participants.iter().map(|p| p.label).collect();
        assert_eq!(labels, [ParticipantLabel::Customer, ParticipantLabel::Operator]);
        assert_eq!(call.sequence_of(ParticipantLabel::Customer), 4);
        assert!(call.customer_held());
        assert_eq!(call.held(), [ParticipantLabel::Customer]);
        assert_eq!(call.operator_label(), ParticipantLabel::Operator);
        assert_eq!(
            call.transfer_under_way().map(|t| t.to_operator.as_str()),
            Some("op-suzuki")
        );
        assert!(!call.orphaned(), "the operator is connected and a transfer rings");
    }

    #[test]
    fn a_customer_held_with_nobody_is_orphaned_unless_a_transfer_rings() {
        let mut item = stored();
        item.insert("p_operator".into(), json!({"label": "operator", "call_sid": "CA02", "state": "left", "hold": false, "muted": false, "at": "t3"}));
        let ringing = CallRecord::from_item(&item).unwrap();
        assert!(
            !ringing.orphaned(),
            "a ringing transfer keeps the customer on hold on purpose"
        );
        item.insert("transfer_state".into(), json!("failed"));
        assert!(CallRecord::from_item(&item).unwrap().orphaned());
    }

    #[test]
    fn the_record_serves_as_the_call_without_keys_participants_or_transfer_attributes() {
        let served = serde_json::to_value(CallRecord::from_item(&stored()).unwrap()).unwrap();
        let served = served.as_object().unwrap();
        for internal in [
            "PK",
            "SK",
            "GSI1PK",
            "GSI1SK",
            "p_customer",
            "pseq_customer",
            "transfer_id",
            "participants",
            "transfer",
        ] {
            assert!(!served.contains_key(internal), "{internal} in {served:?}");
        }
        assert_eq!(served["sid"], "CA01");
        assert_eq!(served["customer"], "+81312345678");
        assert_eq!(served["queue_sk"], "2026-11-23T10:00:00.000Z#CA01");
        assert_eq!(served["twilio_seq"], 3);
    }
}
