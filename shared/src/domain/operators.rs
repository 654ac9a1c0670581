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
pub use crate::store::table::operator_key;

/// An operator as the API shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Operator {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The presence id (`available`, `away`, `wrap_up`, `break`, `offline`, `on_call`, or an
    /// admin-defined id).
    pub status: String,
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
    /// An admin disabled this user: no calls, no presence changes, no Voice token.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    #[serde(default)]
    pub version: u64,
}

/// What a disabled operator is told when they try to work.
pub const DISABLED_MESSAGE: &str =
    "your user has been disabled by an administrator; ask an administrator to enable it again";

/// Whether an operator's item says an admin disabled them.
pub fn is_disabled(item: &Item) -> bool {
    item.get("disabled").and_then(Value::as_bool) == Some(true)
}

/// An operator update that signs a disabled operator off: オフライン, out of the free list.
pub fn signed_off(update: Update) -> Update {
    update
        .set("status", "offline")
        .set("status_since", now_rfc3339())
        .remove(attr::GSI2PK)
        .remove(attr::GSI2SK)
        .remove("wrap_up_until")
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Reads an operator from its item, applying a wrap-up that has run out.
pub fn operator_from_item(item: &Item) -> Option<Operator> {
    let mut op: Operator = serde_json::from_value(Value::Object(item.clone())).ok()?;
    if op.status == "wrap_up" && op.wrap_up_until.as_deref().is_some_and(|u| u <= now_rfc3339().as_str()) {
        op.status = "available".into();
        op.status_since = op.wrap_up_until.clone().unwrap_or_default();
    }
    Some(op)
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
                    Update::default().set("name", name).set("role", json!(role)),
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

    /// Every operator, for the transfer dialog and monitoring (one query).
    pub async fn list(&self) -> Result<Vec<Operator>, DomainError> {
        let page = self
            .store
            .query(Query::partition(ALL_OPERATORS).on(Index::Gsi1).limit(1000))
            .await?;
        Ok(page.items.iter().filter_map(operator_from_item).collect())
    }

    /// Changes the operator's own presence. `on_call` is the system's; leaving while a call is
    /// ringing or live is refused, so no customer is left with nobody.
    pub async fn set_status(&self, id: &OperatorId, status: &str) -> Result<Operator, DomainError> {
        let settings = self.settings.get().await?;
        if status == "on_call" {
            return Err(DomainError::invalid_field(
                "system_status",
                "status",
                "通話中 (on_call) is set by the system when a call connects",
            ));
        }
        if !settings.is_presence(status) {
            return Err(DomainError::invalid_field(
                "unknown_status",
                "status",
                format!("'{status}' is not a presence status"),
            ));
        }
        let key = operator_key(id.as_str());
        let now = now_rfc3339();
        let mut update = Update::default()
            .set("status", status)
            .set("status_since", now.as_str())
            .add("version", 1)
            .remove("wrap_up_until");
        update = match status {
            "available" => update
                .set(attr::GSI2PK, AVAILABLE)
                .set(attr::GSI2SK, format!("{now}#{id}")),
            "wrap_up" => {
                let until = (chrono::Utc::now()
                    + chrono::Duration::seconds(settings.call_handling.wrap_up_seconds as i64))
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                let mut u = update
                    .set(attr::GSI2PK, AVAILABLE)
                    .set(attr::GSI2SK, format!("{until}#{id}"));
                u.remove.retain(|r| r != "wrap_up_until");
                u.set("wrap_up_until", until)
            }
            _ => update.remove(attr::GSI2PK).remove(attr::GSI2SK),
        };
        let cond = Cond::And(vec![
            Cond::Exists,
            Cond::AttrNotExists("current_call".into()),
            Cond::AttrNotExists("disabled".into()),
        ]);
        match self.store.update(&key, update, Some(cond)).await {
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
        let update = Update::default().set("role", json!(role)).add("version", 1);
        let written = self
            .store
            .update(&operator_key(id.as_str()), update, Some(Cond::Exists))
            .await;
        Ok(crate::store::done_unless_failed(written)?)
    }

    /// Disables or enables an operator. Disabling signs them off and takes them out of the
    /// free list at once; on a call (or with one ringing) the call goes on and only the mark is
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
            let update = Update::default().remove("disabled").add("version", 1);
            let cond = Cond::AttrExists("disabled".into());
            return Ok(crate::store::done_unless_failed(
                self.store.update(&key, update, Some(cond)).await,
            )?);
        }
        for _ in 0..3 {
            let idle = Cond::And(vec![Cond::Exists, Cond::AttrNotExists("current_call".into())]);
            let sign_off = signed_off(Update::default().set("disabled", true).add("version", 1));
            match self.store.update(&key, sign_off, Some(idle)).await {
                Ok(_) => return Ok(()),
                Err(e) if e.is_condition_failed() => {}
                Err(e) => return Err(e.into()),
            }
            let mark = Update::default().set("disabled", true).add("version", 1);
            match self.store.update(&key, mark, Some(Cond::Exists)).await {
                Ok(_) => return Ok(()),
                Err(e) if e.is_condition_failed() => {}
                Err(e) => return Err(e.into()),
            }
            let mut item = new_profile(id, name, role);
            item.insert("disabled".into(), true.into());
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
    item.insert("id".into(), id.as_str().into());
    item.insert("name".into(), name.into());
    item.insert("role".into(), json!(role));
    item.insert("status".into(), "offline".into());
    item.insert("status_since".into(), now_rfc3339().into());
    item.insert("version".into(), 1.into());
    item
}

fn corrupt(id: &OperatorId) -> DomainError {
    DomainError::Unavailable(format!("operator {id} is stored in an unreadable form").into())
}
