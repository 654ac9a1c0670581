//! Operators and their presence (受付可 available, 離席 away, 後処理 wrap-up, 休憩 break,
//! オフライン offline, admin-defined ones, and 通話中 on-call which only the system sets).
//!
//! An operator who can take a call right now — available, or in wrap-up whose timer has run
//! out — sits in the sparse `AVAIL` partition of GSI2, sorted by the moment they became free,
//! so the longest-idle operator is the first item of one query. Wrap-up needs no timer process:
//! an operator in wrap-up is filed under the time the wrap-up ends and counts as available
//! from then on.
//!
//! An operator an admin disabled carries `disabled: true`: they are signed off (オフライン) and
//! out of the free list at once, may not change their presence nor get a Voice token, and
//! routing never offers them a call. A call they are on is not cut; when it ends they are
//! signed off instead of going back to the free list.
//!
//! An operator's skills are the queues (窓口) an admin gave them (`skills`, queue ids): routing
//! offers them only calls waiting in those. An operator with none set takes every queue.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::settings::SettingsService;
use crate::auth::Role;
use crate::error::DomainError;
use crate::ids::OperatorId;
use crate::store::{Cond, Index, Item, Query, Store, Update, attr};

/// The partition of every operator (GSI1).
pub use crate::store::table::ALL_OPERATORS_PK as ALL_OPERATORS;
/// The partition of operators free to take a call (GSI2), sorted by `free_since`.
pub use crate::store::table::AVAILABLE_PK as AVAILABLE;
pub use crate::store::table::{free_since_sk, operator_key};

/// The names of an operator item's attributes, spelled once.
pub mod field {
    pub const ID: &str = "id";
    pub const NAME: &str = "name";
    pub const ROLE: &str = "role";
    pub const STATUS: &str = "status";
    pub const STATUS_SINCE: &str = "status_since";
    /// The customer call the operator is offered, talking on, or reserved for by a transfer.
    pub const CURRENT_CALL: &str = "current_call";
    /// The routing offer ringing on the operator's phone.
    pub const OFFER_ID: &str = "offer_id";
    /// Where the operator stood in the free list before an offer or a transfer took them out.
    pub const FREE_SINCE_KEY: &str = "free_since_key";
    pub const WRAP_UP_UNTIL: &str = "wrap_up_until";
    /// The call a wrap-up follows (its response status may be required before it ends).
    pub const WRAP_UP_CALL: &str = "wrap_up_call";
    /// The presence an operator goes back to when their call and its wrap-up are over: the one
    /// they had before the call (an outbound worker in 離席 stays 離席). Absent means 受付可.
    pub const AFTER_CALL_STATUS: &str = "after_call_status";
    pub const MISSED_CALL_AT: &str = "missed_call_at";
    /// The transfer that reserved the operator, and their presence before it.
    pub const TRANSFER_ID: &str = "transfer_id";
    pub const TRANSFER_PREV_STATUS: &str = "transfer_prev_status";
    pub const DISABLED: &str = "disabled";
    pub const VERSION: &str = "version";
    /// The last call the system took the operator off by itself, when and why (the page tells
    /// them): `customer_gone`, the customer had left before they answered.
    pub const RELEASED_CALL: &str = "released_call";
    pub const RELEASED_AT: &str = "released_at";
    pub const RELEASED_REASON: &str = "released_reason";
    /// 手上げ: since when the operator has been asking a supervisor for help.
    pub const HAND_RAISED_AT: &str = "hand_raised_at";
    /// The queues the operator takes (absent: every queue).
    pub const SKILLS: &str = "skills";
    /// The callback task routing handed the operator in its caller's place (they were set
    /// 離席 to dial it): the call they dial next ends in 受付可, not 離席.
    pub const CALLBACK_TASK: &str = "callback_task";
}

/// An operator's presence: the built-in ones, and those an admin defined.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OperatorStatus {
    /// 受付可: free to take a call.
    Available,
    /// 離席.
    Away,
    /// 後処理: after a call, free again when it runs out.
    WrapUp,
    /// 休憩.
    Break,
    /// オフライン: signed off.
    Offline,
    /// 通話中: set by the system only, while a call is connected.
    OnCall,
    /// A status an admin defined in the settings (`presence_statuses`).
    Custom(String),
}

impl OperatorStatus {
    /// The status of a presence id (an unknown id is an admin-defined one).
    pub fn parse(id: &str) -> Self {
        match id {
            "available" => OperatorStatus::Available,
            "away" => OperatorStatus::Away,
            "wrap_up" => OperatorStatus::WrapUp,
            "break" => OperatorStatus::Break,
            "offline" => OperatorStatus::Offline,
            "on_call" => OperatorStatus::OnCall,
            other => OperatorStatus::Custom(other.to_owned()),
        }
    }

    /// The presence id.
    pub fn as_str(&self) -> &str {
        match self {
            OperatorStatus::Available => "available",
            OperatorStatus::Away => "away",
            OperatorStatus::WrapUp => "wrap_up",
            OperatorStatus::Break => "break",
            OperatorStatus::Offline => "offline",
            OperatorStatus::OnCall => "on_call",
            OperatorStatus::Custom(id) => id,
        }
    }
}

impl From<&str> for OperatorStatus {
    fn from(id: &str) -> Self {
        OperatorStatus::parse(id)
    }
}

impl PartialEq<str> for OperatorStatus {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for OperatorStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for OperatorStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for OperatorStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for OperatorStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(OperatorStatus::parse(&String::deserialize(d)?))
    }
}

impl From<OperatorStatus> for Value {
    fn from(status: OperatorStatus) -> Value {
        Value::String(status.as_str().to_owned())
    }
}

impl utoipa::PartialSchema for OperatorStatus {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "A presence id: available, away, wrap_up, break, offline, on_call (set by the system only), \
                 or an id an admin defined in presence_statuses",
            ))
            .into()
    }
}

impl utoipa::ToSchema for OperatorStatus {}

/// An operator as the API shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Operator {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The presence (`available`, `away`, `wrap_up`, `break`, `offline`, `on_call`, or an
    /// admin-defined id).
    pub status: OperatorStatus,
    pub status_since: String,
    /// The customer call this operator is offered or talking on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_call: Option<String>,
    /// The offer ringing on this operator's phone, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_id: Option<String>,
    /// When wrap-up ends and the operator is available again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap_up_until: Option<String>,
    /// The call the wrap-up follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap_up_call: Option<String>,
    /// The presence wrap-up ends in, when it is not 受付可: the status the operator had before
    /// the call (an outbound call made in 離席 ends in 離席, and no call is routed to them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_call_status: Option<OperatorStatus>,
    /// An admin disabled this user: no calls, no presence changes, no Voice token.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    /// The last call the system took this operator off by itself (its customer had already
    /// gone when they answered), when, and why (`customer_gone`): the page says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_call: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_reason: Option<String>,
    /// 手上げ: since when the operator has had their hand up for a supervisor (lowered by them,
    /// or when a supervisor joins their call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hand_raised_at: Option<String>,
    /// The queues (ids) this operator takes calls from; absent: every queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<String>>,
    /// The callback task (a caller's CallSid) routing handed this operator in the caller's
    /// place: they were set 離席 (away) to dial the caller back, and are 受付可 again after that
    /// call. Gone once they dial or change their presence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_task: Option<String>,
    #[serde(default)]
    #[schema(required)]
    pub version: u64,
}

/// What a disabled operator is told when they try to work.
pub const DISABLED_MESSAGE: &str =
    "your user has been disabled by an administrator; ask an administrator to enable it again";

/// Whether an operator's item says an admin disabled them.
pub fn is_disabled(item: &Item) -> bool {
    item.get(field::DISABLED).and_then(Value::as_bool) == Some(true)
}

/// An operator update that signs a disabled operator off: オフライン, out of the free list.
pub fn signed_off(update: Update) -> Update {
    update
        .set(field::STATUS, OperatorStatus::Offline)
        .set(field::STATUS_SINCE, now_rfc3339())
        .remove(attr::GSI2PK)
        .remove(attr::GSI2SK)
        .remove(field::WRAP_UP_UNTIL)
        .remove(field::AFTER_CALL_STATUS)
        .remove(field::HAND_RAISED_AT)
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Reads an operator from its item, applying a wrap-up that has run out: the operator is in
/// the presence they return to after the call (受付可 unless they had another before it).
pub fn operator_from_item(item: &Item) -> Option<Operator> {
    let mut op: Operator = serde_json::from_value(Value::Object(item.clone())).ok()?;
    if op.status != OperatorStatus::WrapUp {
        op.after_call_status = None;
        op.wrap_up_call = None;
    } else if op.wrap_up_until.as_deref().is_some_and(|u| u <= now_rfc3339().as_str()) {
        op.wrap_up_call = None;
        op.status = op.after_call_status.take().unwrap_or(OperatorStatus::Available);
        op.status_since = op.wrap_up_until.clone().unwrap_or_default();
    }
    Some(op)
}

/// The presence an operator returns to after the call they start now: the one they have, or
/// — starting it during a wrap-up — the one that wrap-up ends in; 受付可 for the call that
/// dials a callback routing handed them (it set them 離席 for it). `None` is 受付可.
pub fn status_after_the_call(op: &Operator) -> Option<OperatorStatus> {
    if op.status == OperatorStatus::Away && op.callback_task.is_some() {
        // Set 離席 by routing to dial a callback it handed them, not by themselves.
        return None;
    }
    match &op.status {
        OperatorStatus::WrapUp => op.after_call_status.clone(),
        OperatorStatus::Available | OperatorStatus::OnCall | OperatorStatus::Offline => None,
        other => Some(other.clone()),
    }
}

/// An operator's item as stored: the presence as written (a wrap-up that ran out is still
/// `wrap_up` here), and where they stand in the free list. Conditional writes on an operator are
/// built from this, so they hold only if the item is still what was read.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorRecord {
    pub id: String,
    pub name: String,
    pub status: OperatorStatus,
    pub current_call: Option<String>,
    pub disabled: bool,
    /// The stored version, `None` on a profile written before versions.
    pub version: Option<u64>,
    /// The operator's sort key in the free list (GSI2 `AVAIL`), while they are in it.
    pub free_list_sk: Option<String>,
    /// The queues the operator takes; `None`: every queue.
    pub skills: Option<Vec<String>>,
}

impl OperatorRecord {
    /// Whether the operator can take a call at `now` (RFC 3339): 受付可, or in a wrap-up that
    /// has run out and ends in 受付可 (filed in the free list from its end).
    pub fn takes_calls_at(&self, now: &str) -> bool {
        match self.status {
            OperatorStatus::Available => true,
            OperatorStatus::WrapUp => self
                .free_list_sk
                .as_deref()
                .and_then(|sk| sk.split('#').next())
                .is_some_and(|free_from| free_from <= now),
            _ => false,
        }
    }

    /// Reads an operator's item; `None` when it is not one.
    pub fn from_item(item: &Item) -> Option<Self> {
        let text = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_owned);
        let in_free_list = item.get(attr::GSI2PK).and_then(Value::as_str) == Some(AVAILABLE);
        Some(Self {
            id: text(field::ID)?,
            name: text(field::NAME).unwrap_or_default(),
            status: OperatorStatus::parse(&text(field::STATUS)?),
            current_call: text(field::CURRENT_CALL),
            disabled: is_disabled(item),
            version: item.get(field::VERSION).and_then(Value::as_u64),
            free_list_sk: text(attr::GSI2SK).filter(|_| in_free_list),
            skills: skills_of(item),
        })
    }

    /// Whether the operator takes calls waiting in `queue`.
    pub fn takes(&self, queue: &str) -> bool {
        super::settings::queues::takes(self.skills.as_deref(), queue)
    }
}

/// The skills an operator's item holds; `None` when none are set.
fn skills_of(item: &Item) -> Option<Vec<String>> {
    let list = item.get(field::SKILLS)?.as_array()?;
    Some(list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
}

/// The operators service.
pub struct Operators {
    store: Arc<dyn Store>,
    settings: Arc<SettingsService>,
}

impl Operators {
    pub fn new(store: Arc<dyn Store>, settings: Arc<SettingsService>) -> Self {
        Self { store, settings }
    }

    /// Creates the operator's profile on first sign-in (deployed, Cognito users appear here the
    /// first time they open the page), or refreshes name and role.
    pub async fn ensure(&self, id: &OperatorId, name: &str, role: Role) -> Result<Operator, DomainError> {
        let key = operator_key(id.as_str());
        if let Some(item) = self.store.get(&key).await? {
            let op = operator_from_item(&item).ok_or_else(|| corrupt(id))?;
            if op.name == name && op.role == role {
                return Ok(op);
            }
            let out = self
                .store
                .update(
                    &key,
                    Update::default().set(field::NAME, name).set(field::ROLE, json!(role)),
                    Some(Cond::Exists),
                )
                .await?;
            return operator_from_item(&out).ok_or_else(|| corrupt(id));
        }
        let item = new_profile(id, name, role);
        match self.store.put(item.clone(), Some(Cond::NotExists)).await {
            Ok(()) => operator_from_item(&item).ok_or_else(|| corrupt(id)),
            Err(e) if e.is_condition_failed() => self.get(id).await,
            Err(e) => Err(e.into()),
        }
    }

    /// One operator.
    pub async fn get(&self, id: &OperatorId) -> Result<Operator, DomainError> {
        let item = self
            .store
            .get(&operator_key(id.as_str()))
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("there is no operator '{id}'")))?;
        operator_from_item(&item).ok_or_else(|| corrupt(id))
    }

    /// Every operator, for the transfer dialog and monitoring: one query per 1,000 operators
    /// (a page also ends at DynamoDB's 1 MB, some 3,000 operators), so a team of any size is
    /// listed whole.
    pub async fn list(&self) -> Result<Vec<Operator>, DomainError> {
        let mut query = Query::partition(ALL_OPERATORS).on(Index::Gsi1).limit(1000);
        let mut operators = Vec::new();
        loop {
            let page = self.store.query(query.clone()).await?;
            operators.extend(page.items.iter().filter_map(operator_from_item));
            match page.cursor {
                Some(cursor) => query = query.after(Some(cursor)),
                None => return Ok(operators),
            }
        }
    }

    /// Changes the operator's own presence. `on_call` is the system's; leaving while a call is
    /// ringing or live is refused, so no customer is left with nobody.
    pub async fn set_status(
        &self,
        id: &OperatorId,
        status: impl Into<OperatorStatus>,
    ) -> Result<Operator, DomainError> {
        let status = status.into();
        let settings = self.settings.get().await?;
        if status == OperatorStatus::OnCall {
            return Err(DomainError::invalid_field(
                "system_status",
                field::STATUS,
                "通話中 (on_call) is set by the system when a call connects",
            ));
        }
        if !settings.is_presence(status.as_str()) {
            return Err(DomainError::invalid_field(
                "unknown_status",
                field::STATUS,
                format!("'{status}' is not a presence status"),
            ));
        }
        let key = operator_key(id.as_str());
        let now = now_rfc3339();
        let mut update = Update::default()
            .set(field::STATUS, status.clone())
            .set(field::STATUS_SINCE, now.as_str())
            .add(field::VERSION, 1)
            .remove(field::WRAP_UP_UNTIL)
            .remove(field::WRAP_UP_CALL)
            .remove(field::CALLBACK_TASK);
        if status == OperatorStatus::Offline {
            // Signed off, a raised hand has nobody to answer it.
            update = update.remove(field::HAND_RAISED_AT);
        }
        update = match status {
            OperatorStatus::Available => update
                .set(attr::GSI2PK, AVAILABLE)
                .set(attr::GSI2SK, free_since_sk(&now, id.as_str()))
                .remove(field::AFTER_CALL_STATUS),
            OperatorStatus::WrapUp => {
                // 後処理 chosen again while in it: the countdown starts over and still ends in
                // the status the call will return them to.
                let current = self
                    .store
                    .get(&key)
                    .await?
                    .as_ref()
                    .and_then(operator_from_item)
                    .filter(|o| o.status == OperatorStatus::WrapUp);
                let in_wrap_up = current.is_some();
                let after = current.and_then(|o| o.after_call_status);
                let until = (chrono::Utc::now()
                    + chrono::Duration::seconds(settings.call_handling.wrap_up_seconds as i64))
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                let mut u = update;
                // ... and still follows the same call.
                u.remove
                    .retain(|r| r != field::WRAP_UP_UNTIL && !(in_wrap_up && r == field::WRAP_UP_CALL));
                u = u.set(field::WRAP_UP_UNTIL, until.as_str());
                match after {
                    Some(after) => u
                        .set(field::AFTER_CALL_STATUS, after)
                        .remove(attr::GSI2PK)
                        .remove(attr::GSI2SK),
                    None => u
                        .set(attr::GSI2PK, AVAILABLE)
                        .set(attr::GSI2SK, free_since_sk(&until, id.as_str())),
                }
            }
            _ => update
                .remove(attr::GSI2PK)
                .remove(attr::GSI2SK)
                .remove(field::AFTER_CALL_STATUS),
        };
        let cond = Cond::And(vec![
            Cond::Exists,
            Cond::AttrNotExists(field::CURRENT_CALL.into()),
            Cond::AttrNotExists(field::DISABLED.into()),
        ]);
        // The presence it ends is added to the operator's report figures in the same write.
        match super::reports::write_presence(self.store.as_ref(), &key, update, cond).await {
            Ok(item) => operator_from_item(&item).ok_or_else(|| corrupt(id)),
            Err(e) if e.is_condition_failed() => {
                let current = self.get(id).await?;
                if current.disabled {
                    return Err(DomainError::Forbidden(DISABLED_MESSAGE.into()));
                }
                Err(DomainError::conflict(
                    "call_in_progress",
                    "finish the call that is ringing or connected before changing your status",
                    serde_json::to_value(current).ok(),
                ))
            }
            Err(e) => Err(e.into()),
        }
    }
}

impl Operators {
    /// Refuses an operator an admin disabled (the token function asks before issuing a Voice
    /// token). A user with no profile yet was never disabled.
    pub async fn refuse_disabled(&self, id: &OperatorId) -> Result<(), DomainError> {
        match self.store.get(&operator_key(id.as_str())).await? {
            Some(item) if is_disabled(&item) => Err(DomainError::Forbidden(DISABLED_MESSAGE.into())),
            _ => Ok(()),
        }
    }

    /// Writes a role an admin gave the user into their profile (the token they sign in with
    /// next carries it). A user with no profile yet gets it from that token at first sign-in.
    pub async fn set_role(&self, id: &OperatorId, role: Role) -> Result<(), DomainError> {
        let update = Update::default().set(field::ROLE, json!(role)).add(field::VERSION, 1);
        let written = self
            .store
            .update(&operator_key(id.as_str()), update, Some(Cond::Exists))
            .await;
        Ok(crate::store::done_unless_failed(written)?)
    }

    /// Sets the queues an operator takes (their skills); an empty list takes the skills away,
    /// so they take every queue again. Each queue must be one of the centre's (422 in Japanese
    /// naming the one that is not). A user without a profile gets one, signed off, carrying
    /// the skills before their first sign-in. Returns the skills as stored.
    pub async fn set_skills(
        &self,
        id: &OperatorId,
        name: &str,
        role: Role,
        queues: &[String],
    ) -> Result<Option<Vec<String>>, DomainError> {
        let settings = self.settings.get().await?;
        let mut skills: Vec<String> = Vec::new();
        for q in queues {
            if settings.queue(q).is_none() {
                return Err(DomainError::invalid_field(
                    "unknown_queue",
                    "queues",
                    format!("窓口「{q}」はありません。窓口の設定にあるものを選んでください"),
                ));
            }
            if !skills.contains(q) {
                skills.push(q.clone());
            }
        }
        let key = operator_key(id.as_str());
        let update = if skills.is_empty() {
            Update::default().remove(field::SKILLS)
        } else {
            Update::default().set(field::SKILLS, json!(skills))
        }
        .add(field::VERSION, 1);
        let stored = (!skills.is_empty()).then_some(skills);
        for _ in 0..3 {
            match self.store.update(&key, update.clone(), Some(Cond::Exists)).await {
                Ok(_) => return Ok(stored),
                Err(e) if e.is_condition_failed() => {}
                Err(e) => return Err(e.into()),
            }
            let mut item = new_profile(id, name, role);
            if let Some(s) = &stored {
                item.insert(field::SKILLS.into(), json!(s));
            }
            match self.store.put(item, Some(Cond::NotExists)).await {
                Ok(()) => return Ok(stored),
                // Created meanwhile by a first sign-in: update that profile.
                Err(e) if e.is_condition_failed() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(DomainError::Unavailable(
            format!("operator {id} changed too often to set their skills; try again").into(),
        ))
    }

    /// Disables or enables an operator. Disabling signs them off and takes them out of the
    /// free list at once, their presence interval added to their report figures in that write; on a call (or with one ringing) the call goes on and only the mark is
    /// written, so wrap-up signs them off instead of freeing them. A user without a profile
    /// gets one, disabled, so the mark is there before their first sign-in. Enabling removes
    /// the mark and leaves the presence as it is (オフライン until they choose).
    pub async fn set_disabled(
        &self,
        id: &OperatorId,
        name: &str,
        role: Role,
        disabled: bool,
    ) -> Result<(), DomainError> {
        let key = operator_key(id.as_str());
        if !disabled {
            let update = Update::default().remove(field::DISABLED).add(field::VERSION, 1);
            let cond = Cond::AttrExists(field::DISABLED.into());
            return Ok(crate::store::done_unless_failed(
                self.store.update(&key, update, Some(cond)).await,
            )?);
        }
        for _ in 0..3 {
            let idle = Cond::And(vec![Cond::Exists, Cond::AttrNotExists(field::CURRENT_CALL.into())]);
            let sign_off = signed_off(Update::default().set(field::DISABLED, true).add(field::VERSION, 1));
            // The presence it ends is added to the operator's report figures in the same write.
            match super::reports::write_presence(self.store.as_ref(), &key, sign_off, idle).await {
                Ok(_) => return Ok(()),
                Err(e) if e.is_condition_failed() => {}
                Err(e) => return Err(e.into()),
            }
            let mark = Update::default().set(field::DISABLED, true).add(field::VERSION, 1);
            match self.store.update(&key, mark, Some(Cond::Exists)).await {
                Ok(_) => return Ok(()),
                Err(e) if e.is_condition_failed() => {}
                Err(e) => return Err(e.into()),
            }
            let mut item = new_profile(id, name, role);
            item.insert(field::DISABLED.into(), true.into());
            match self.store.put(item, Some(Cond::NotExists)).await {
                Ok(()) => return Ok(()),
                // Created meanwhile by a first sign-in: mark that profile.
                Err(e) if e.is_condition_failed() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(DomainError::Unavailable(
            format!("operator {id} changed too often to be disabled; try again").into(),
        ))
    }
}

/// A new operator's profile: signed off, in the list of every operator.
fn new_profile(id: &OperatorId, name: &str, role: Role) -> Item {
    let key = operator_key(id.as_str());
    let mut item = Item::new();
    item.insert(attr::PK.into(), key.pk.into());
    item.insert(attr::SK.into(), key.sk.into());
    item.insert(attr::GSI1PK.into(), ALL_OPERATORS.into());
    item.insert(attr::GSI1SK.into(), id.as_str().into());
    item.insert(field::ID.into(), id.as_str().into());
    item.insert(field::NAME.into(), name.into());
    item.insert(field::ROLE.into(), json!(role));
    item.insert(field::STATUS.into(), OperatorStatus::Offline.into());
    item.insert(field::STATUS_SINCE.into(), now_rfc3339().into());
    item.insert(field::VERSION.into(), 1.into());
    item
}

fn corrupt(id: &OperatorId) -> DomainError {
    DomainError::Unavailable(format!("operator {id} is stored in an unreadable form").into())
}
