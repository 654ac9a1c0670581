//! A call's recording played in the page, and deleted at Twilio when its retention runs out.
//!
//! **Playing.** `<audio>` cannot send the bearer token, and the HTTP API's JWT authorizer reads
//! only that header. So the page first asks for a link ([`CallControl::recording_link`], behind
//! the authorizer): the role is checked there (supervisors and admins play every call's
//! recording; an operator only their own calls', and only when the settings allow it; a
//! voicemail's, anyone who sees the task list), the link is written to the audit log, and a
//! random token good for [`LINK_MINUTES`] is stored with who holds it. The link's path is a public route that serves the recording a part at a time
//! ([`CallControl::recording_part`]): one GetItem of the token, then the player's `Range`
//! forwarded to Twilio with the account's credentials, at most
//! [`crate::twilio::media::MAX_PART_BYTES`] a response (why: [`crate::twilio::media`]). The
//! player seeks with ordinary range requests on the one URL, so seeking works as with any file.
//! Each request from the recording's first byte starts a play and is written to the audit log
//! as a listening by the link's holder (one entry per play, not per part: see
//! [`ByteRange::starts_play`]).
//!
//! **Retention.** A recording — a call's, or a voicemail a caller left — is filed under the day
//! it completed (Japan time) when Twilio reports it done ([`CallControl::file_recording`]). Every minute the scheduled reconcile
//! function runs [`CallControl::sweep_recordings`]: from the oldest day not yet finished (the
//! sweep's place, one item) to the last day past the retention period, it reads each day's
//! partition a bounded page at a time (never a scan), deletes each recording at Twilio (a 404
//! counts as deleted, so a repeat is harmless), marks the call record
//! (`recording_deleted_at`, the link removed) and drops the day's item. At most
//! [`SWEEP_BATCH`] deletions and [`SWEEP_DAYS`] day partitions a run.

use std::sync::atomic::Ordering;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{CallControl, ControlError};
use crate::auth::{Caller, Role};
use crate::domain::audit::{AuditEntry, record as audit};
use crate::domain::calls::{call_key, field};
use crate::error::DomainError;
use crate::ids::LinkToken;
use crate::store::table::{recording_link_key, recording_of_day_key, recording_sweep_key, recordings_of_day_pk};
use crate::store::{Cond, Item, Query, Update, attr, done_unless_failed, is_expired, str_attr};
use crate::twilio::CallSid;
use crate::twilio::media::{ByteRange, MAX_PART_BYTES, MediaAnswer};
use crate::twilio::telephony::TelephonyError;

/// How long a link to play a recording lives: long enough to listen to a long call and seek in
/// it (each range request checks the link), short enough that a copied URL soon stops working.
/// The page asks for a new link when an old one is refused.
pub const LINK_MINUTES: i64 = 30;

/// The most recordings one sweep deletes (Twilio is asked one at a time).
pub const SWEEP_BATCH: u32 = 25;

/// The most day partitions one sweep reads.
pub const SWEEP_DAYS: u32 = 31;

/// The path of the public route serving a recording through a link.
pub const MEDIA_PATH_PREFIX: &str = "/api/media/recordings/";

/// The action written to the audit log each time someone starts playing a recording (the
/// request from its first byte, see [`ByteRange::starts_play`]), with who held the link.
pub const AUDIT_ACTION: &str = "play_recording";

/// The action written to the audit log when a link to play a recording is issued (a link can
/// be handed on while it lives, so who got it is kept beside who played it).
pub const LINK_AUDIT_ACTION: &str = "recording_link";

/// What a link plays: the call (or voicemail task, by the caller's CallSid), its recording, and
/// whose work it was (the call's operator, the task's holder; empty when nobody's).
struct Listened<'a> {
    call: &'a str,
    recording: &'a str,
    subject: &'a str,
}

/// A link to play a call's recording.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordingLink {
    /// The path to give `<audio>` as its source (under the API's base URL).
    pub url: String,
    /// When the link stops working (RFC 3339).
    pub expires_at: String,
    /// The recording's length in seconds, when Twilio said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u64>,
}

/// What one retention sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Swept {
    /// Recordings deleted at Twilio.
    pub deleted: u32,
    /// Recordings Twilio no longer had (404), counted as deleted.
    pub already_gone: u32,
    /// Deletions Twilio failed (tried again next run).
    pub failed: u32,
    /// Day partitions read.
    pub days: u32,
}

fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

/// The Japan day of an instant.
fn day_of(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&jst()).date_naive()
}

impl CallControl {
    /// A link to play the recording of `sid` for `caller`. Supervisors and admins may play
    /// every call's; an operator only their own calls' and only when
    /// `call_handling.operators_play_own_recordings` is on (403 in Japanese otherwise). 404 when
    /// there is no such call or it has no recording (or it was deleted after its retention).
    /// Who got a link to which call goes to the audit log, and each play of it (see [`CallControl::recording_part`]).
    #[tracing::instrument(name = "control.recording_link", skip_all, fields(call = %sid))]
    pub async fn recording_link(&self, caller: &Caller, sid: &CallSid) -> Result<RecordingLink, ControlError> {
        let record = self
            .call(sid.as_str())
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("通話 {sid} はありません")))?;
        if caller.role < Role::Supervisor {
            let operators_may = self
                .services
                .settings
                .get()
                .await?
                .call_handling
                .operators_play_own_recordings;
            if !operators_may {
                return Err(DomainError::Forbidden(
                    "録音を再生できるのはスーパーバイザーと管理者です（オペレーターによる再生は設定で許可されていません）"
                        .into(),
                )
                .into());
            }
            if !record.summary.recording_playable_by(caller, operators_may) {
                return Err(DomainError::Forbidden(
                    "オペレーターが再生できるのは自分が対応した通話の録音だけです".into(),
                )
                .into());
            }
        }
        if record.summary.recording_deleted_at.is_some() {
            return Err(DomainError::NotFound("この通話の録音は保存期間を過ぎたため削除済みです".into()).into());
        }
        let recording = match (&record.recording_sid, record.recording_status.as_deref()) {
            (Some(recording), Some("completed")) => recording.clone(),
            (Some(_), _) => {
                return Err(DomainError::NotFound(
                    "この通話の録音はまだ終わっていません。通話の終了後に再生できます".into(),
                )
                .into());
            }
            (None, _) => return Err(DomainError::NotFound("この通話には録音がありません".into()).into()),
        };
        self.issue_link(
            caller,
            Listened {
                call: sid.as_str(),
                recording: &recording,
                subject: record.summary.operator_id.as_deref().unwrap_or_default(),
            },
            record.recording_seconds,
        )
        .await
    }

    /// A link to play the recording of voicemail task `task` (the caller's CallSid), for anyone
    /// who may see the task: every signed-in user, as the task list is shared. 404 when there is
    /// no such task or it has no recording yet. The same link and media route as a call's
    /// recording, so a voicemail plays and seeks by range and each play is audited.
    #[tracing::instrument(name = "control.task_recording_link", skip_all, fields(task = %task))]
    pub async fn task_recording_link(&self, caller: &Caller, task: &CallSid) -> Result<RecordingLink, ControlError> {
        let t = self.services.tasks.get(task.as_str()).await?;
        let recording = t.recording_sid.ok_or_else(|| {
            DomainError::NotFound("この伝言の録音はまだありません。録音が終わると再生できます".into())
        })?;
        self.issue_link(
            caller,
            Listened {
                call: task.as_str(),
                recording: &recording,
                subject: t.taken_by.as_deref().unwrap_or_default(),
            },
            t.recording_seconds,
        )
        .await
    }

    /// Stores a link token for `caller` to play `what` and audits that it was issued.
    async fn issue_link(
        &self,
        caller: &Caller,
        what: Listened<'_>,
        seconds: Option<u64>,
    ) -> Result<RecordingLink, ControlError> {
        let now = Utc::now();
        let expires = now + Duration::minutes(LINK_MINUTES);
        let token = LinkToken::new();
        let key = recording_link_key(token.as_str());
        let mut item = Item::new();
        item.insert(attr::PK.into(), key.pk.into());
        item.insert(attr::SK.into(), key.sk.into());
        item.insert("call".into(), what.call.into());
        item.insert("recording_sid".into(), what.recording.into());
        item.insert("by".into(), caller.id.as_str().into());
        item.insert("by_name".into(), caller.name.as_str().into());
        item.insert("subject".into(), what.subject.into());
        item.insert(attr::EXPIRES_AT.into(), expires.timestamp().into());
        self.services.store.put(item, Some(Cond::NotExists)).await?;
        audit(
            self.services.store.as_ref(),
            &AuditEntry {
                action: LINK_AUDIT_ACTION.into(),
                by: caller.id.to_string(),
                by_name: caller.name.clone(),
                subject: what.subject.to_owned(),
                call: Some(what.call.to_owned()),
                outcome: "issued".into(),
                detail: Some(what.recording.to_owned()),
                at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            },
        )
        .await?;
        Ok(RecordingLink {
            url: format!("{MEDIA_PATH_PREFIX}{token}"),
            expires_at: expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            seconds,
        })
    }

    /// A part of the recording a link names, at most [`MAX_PART_BYTES`] from where `range`
    /// starts, read from Twilio. A part that starts a play is audited as a listening by the
    /// link's holder. 404 when the link is unknown or expired, or Twilio no longer keeps the
    /// recording.
    #[tracing::instrument(name = "control.recording_part", skip_all)]
    pub async fn recording_part(&self, token: &LinkToken, range: ByteRange) -> Result<MediaAnswer, ControlError> {
        let gone = || DomainError::NotFound("この再生用リンクは無効か期限切れです。もう一度再生してください".into());
        let item = self
            .services
            .store
            .get(&recording_link_key(token.as_str()))
            .await?
            .filter(|item| !is_expired(item, Utc::now().timestamp()))
            .ok_or_else(gone)?;
        let recording = str_attr(&item, "recording_sid").ok_or_else(gone)?;
        match self.telephony.recording_part(recording, range, MAX_PART_BYTES).await {
            Ok(answer @ MediaAnswer::Part(_)) if range.starts_play() => {
                self.audit_play(&item, recording).await?;
                Ok(answer)
            }
            Ok(answer) => Ok(answer),
            Err(TelephonyError::NotFound { .. }) => Err(DomainError::NotFound(
                "この録音はTwilioに残っていません（保存期間を過ぎて削除された可能性があります）".into(),
            )
            .into()),
            Err(e) => Err(DomainError::from(e).into()),
        }
    }

    /// Writes to the audit log that the holder of link `link` started playing `recording`.
    async fn audit_play(&self, link: &Item, recording: &str) -> Result<(), ControlError> {
        let by = str_attr(link, "by").unwrap_or_default();
        audit(
            self.services.store.as_ref(),
            &AuditEntry {
                action: AUDIT_ACTION.into(),
                by: by.to_owned(),
                by_name: str_attr(link, "by_name").unwrap_or(by).to_owned(),
                subject: str_attr(link, "subject").unwrap_or_default().to_owned(),
                call: str_attr(link, "call").map(str::to_owned),
                outcome: "listened".into(),
                detail: Some(recording.to_owned()),
                at: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            },
        )
        .await?;
        Ok(())
    }

    /// Files a completed recording under the day it completed (Japan time), for the retention
    /// sweep; the sweep's place is set to that day when it has none yet. Idempotent.
    pub async fn file_recording(&self, sid: &str, recording: &str, now: DateTime<Utc>) -> Result<(), ControlError> {
        let day = day_of(now).format("%Y-%m-%d").to_string();
        let key = recording_of_day_key(&day, sid);
        let mut item = Item::new();
        item.insert(attr::PK.into(), key.pk.into());
        item.insert(attr::SK.into(), key.sk.into());
        item.insert("call".into(), sid.into());
        item.insert("recording_sid".into(), recording.into());
        self.services.store.put(item, None).await?;
        if self.sweep_placed.load(Ordering::Relaxed) {
            return Ok(());
        }
        // The sweep starts from the first day with a recording: placed once, by the first
        // recording filed; a refusal means it is placed already (each is a write billed).
        done_unless_failed(
            self.services
                .store
                .update(
                    &recording_sweep_key(),
                    Update::default().set("day", day.as_str()),
                    Some(Cond::AttrNotExists("day".into())),
                )
                .await,
        )?;
        self.sweep_placed.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Deletes at Twilio the recordings past the retention period as of `now`, a bounded batch
    /// (see the module documentation). Nothing when the retention is 0 (kept for ever).
    #[tracing::instrument(name = "control.sweep_recordings", skip_all)]
    pub async fn sweep_recordings(&self, now: DateTime<Utc>) -> Result<Swept, ControlError> {
        let mut swept = Swept::default();
        let days = self
            .services
            .settings
            .get()
            .await?
            .call_handling
            .recording_retention_days;
        if days == 0 {
            return Ok(swept);
        }
        let Some(last_due) = day_of(now).checked_sub_days(chrono::Days::new(u64::from(days) + 1)) else {
            return Ok(swept);
        };
        let place = self.services.store.get(&recording_sweep_key()).await?;
        let Some(mut day) = place
            .as_ref()
            .and_then(|item| str_attr(item, "day"))
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        else {
            return Ok(swept);
        };
        let started = day;
        let mut budget = SWEEP_BATCH;
        'days: while day <= last_due && budget > 0 && swept.days < SWEEP_DAYS {
            swept.days += 1;
            let day_text = day.format("%Y-%m-%d").to_string();
            let page = self
                .services
                .store
                .query(Query::partition(recordings_of_day_pk(&day_text)).limit(budget))
                .await?;
            let (asked, read) = (budget, page.items.len() as u32);
            for item in &page.items {
                budget -= 1;
                let (Some(sid), Some(recording)) = (str_attr(item, "call"), str_attr(item, "recording_sid")) else {
                    // Not one this module wrote: dropped, so that it never holds the day up.
                    if let Some(key) = crate::store::Key::of(item) {
                        self.services.store.delete(&key, None).await?;
                    }
                    continue;
                };
                match self.telephony.delete_recording(recording).await {
                    Ok(()) => swept.deleted += 1,
                    Err(TelephonyError::NotFound { .. }) => swept.already_gone += 1,
                    Err(e) => {
                        tracing::warn!(error = %e, call = sid, "a recording past its retention was not deleted; tried again next run");
                        swept.failed += 1;
                        break 'days;
                    }
                }
                self.mark_recording_deleted(sid, now).await?;
                self.services
                    .store
                    .delete(&recording_of_day_key(&day_text, sid), None)
                    .await?;
            }
            // A full page may have more behind it: the day is read again next run.
            if read == asked && page.cursor.is_some() {
                break;
            }
            day = day.succ_opt().unwrap_or(day);
        }
        if day != started {
            self.services
                .store
                .update(
                    &recording_sweep_key(),
                    Update::default().set("day", day.format("%Y-%m-%d").to_string()),
                    None,
                )
                .await?;
        }
        if swept.deleted + swept.already_gone > 0 {
            tracing::info!(
                deleted = swept.deleted,
                already_gone = swept.already_gone,
                "recordings past their retention deleted at Twilio"
            );
        }
        Ok(swept)
    }

    /// Marks a call's recording deleted: when, and its link removed (nothing when the call
    /// record is gone).
    async fn mark_recording_deleted(&self, sid: &str, now: DateTime<Utc>) -> Result<(), ControlError> {
        let update = Update::default()
            .set(
                field::RECORDING_DELETED_AT,
                Value::from(now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            )
            .set(field::RECORDING_STATUS, "deleted")
            .remove(field::RECORDING_URL);
        done_unless_failed(
            self.services
                .store
                .update(&call_key(sid), update, Some(Cond::Exists))
                .await,
        )?;
        Ok(())
    }
}
