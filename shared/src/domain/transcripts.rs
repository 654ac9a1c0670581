//! A call's live transcript (リアルタイム文字起こし): the final phrases Twilio's real-time
//! transcription heard on a line that transcribes, who said each (the customer or the
//! operator) and when, kept with the call after it ends and searchable in 対応履歴.
//!
//! # Why each phrase is an item of its own
//!
//! Phrases are items in the call's partition (`CALL#<sid>` / `TR#<sequence>`, see
//! [`transcript_key`]), not a list on the call record:
//! - a DynamoDB item holds at most 400 KB, and an hour's conversation in Japanese is easily
//!   30,000 characters (90 KB in UTF-8) on each side; on the call record it would run into the
//!   limit, and every later write of the call (each status callback, hold, transfer, the memo's
//!   mirror) would be billed for the whole record, one write unit per KB;
//! - the call record is streamed to the live channel on each change with its old and new image:
//!   a growing transcript on it would make every call message larger, and the board's and
//!   history's reads of calls carry it for nothing;
//! - a phrase written as its own item is a conditional put keyed by Twilio's `SequenceId`, so a
//!   callback Twilio repeats writes nothing twice, and phrases of the two sides never contend
//!   for one item as an append to a list would;
//! - its stream record is the phrase itself, which the live channel pushes as it is
//!   (`transcript_line`) to the operator on the call and to the board.
//!
//! A call keeps at most [`TRANSCRIPT_MAX_LINES`] phrases of at most [`LINE_MAX_CHARS`]
//! characters, so reading a whole transcript is one query of at most 500 small items (a
//! second page only past DynamoDB's 1 MB per page).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::calls::{CallRecord, call_key};
use super::memos::Memos;
use crate::auth::Caller;
use crate::error::DomainError;
use crate::store::table::{CALL_PREFIX, TRANSCRIPT_MAX_LINES, TRANSCRIPT_PREFIX, transcript_key};
use crate::store::{Cond, Item, Query, Store, StoreError};
use crate::twilio::CallSid;

/// The longest phrase kept, in characters; a longer one is cut (a transcription engine's final
/// result is a sentence or two).
pub const LINE_MAX_CHARS: usize = 1000;

/// Who said a phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    /// The customer (the customer leg's inbound track).
    Customer,
    /// The operator (what the customer's leg heard from the conference: its outbound track).
    Operator,
}

/// One final phrase of a call's transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TranscriptLine {
    /// The customer's CallSid.
    pub call: String,
    /// Its place in the transcription's sequence (from 1): lines sort by it.
    pub seq: u64,
    pub speaker: Speaker,
    pub text: String,
    /// When it was heard (RFC 3339).
    pub at: String,
}

/// A phrase heard, to be kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    pub seq: u64,
    pub speaker: Speaker,
    pub text: String,
    pub at: String,
}

/// What keeping a phrase did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// Stored (and so pushed to the page).
    Stored,
    /// Already stored: Twilio sent the callback again.
    Duplicate,
    /// Past [`TRANSCRIPT_MAX_LINES`], or empty: not stored.
    Dropped,
}

const OPERATORS: &str = "operators";

impl TranscriptLine {
    /// A phrase as stored; `None` for an item that is not one.
    pub fn from_stored(item: &Item) -> Option<Self> {
        let s = |name: &str| item.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        Some(Self {
            call: s("call_sid")?,
            seq: item.get("seq")?.as_u64()?,
            speaker: serde_json::from_value(item.get("speaker")?.clone()).ok()?,
            text: s("text")?,
            at: s("at").unwrap_or_default(),
        })
    }

    /// The operators the phrase was written for (the operator on the call, a transfer's ends,
    /// a supervisor listening in), as stored with it for the live channel.
    pub fn audience(item: &Item) -> Vec<String> {
        item.get(OPERATORS)
            .and_then(|v| serde_json::from_value::<Vec<String>>(v.clone()).ok())
            .unwrap_or_default()
    }
}

/// Keeps and reads calls' transcripts.
pub struct Transcripts {
    store: Arc<dyn Store>,
    memos: Arc<Memos>,
}

impl Transcripts {
    pub fn new(store: Arc<dyn Store>, memos: Arc<Memos>) -> Self {
        Self { store, memos }
    }

    /// Keeps a final phrase of call `sid`, for `operators` to hear live. Written once per
    /// sequence number: a repeated callback is [`Kept::Duplicate`] and writes nothing.
    pub async fn keep(&self, sid: &str, heard: Heard, operators: &[String]) -> Result<Kept, DomainError> {
        let text: String = heard.text.trim().chars().take(LINE_MAX_CHARS).collect();
        if text.is_empty() || heard.seq == 0 || heard.seq > TRANSCRIPT_MAX_LINES {
            return Ok(Kept::Dropped);
        }
        let key = transcript_key(sid, heard.seq);
        let mut item = Item::new();
        item.insert("PK".into(), key.pk.clone().into());
        item.insert("SK".into(), key.sk.clone().into());
        item.insert("call_sid".into(), sid.into());
        item.insert("seq".into(), heard.seq.into());
        item.insert(
            "speaker".into(),
            serde_json::to_value(heard.speaker).unwrap_or_default(),
        );
        item.insert("text".into(), text.into());
        item.insert("at".into(), heard.at.into());
        item.insert(OPERATORS.into(), serde_json::to_value(operators).unwrap_or_default());
        match self.store.put(item, Some(Cond::NotExists)).await {
            Ok(()) => Ok(Kept::Stored),
            Err(StoreError::ConditionFailed { .. }) => Ok(Kept::Duplicate),
            Err(e) => Err(e.into()),
        }
    }

    /// Every kept phrase of call `sid`, in the order they were said (read eventually
    /// consistent: a phrase of the last second may follow live).
    pub async fn lines(&self, sid: &str) -> Result<Vec<TranscriptLine>, DomainError> {
        let mut out = Vec::new();
        let mut cursor = None;
        // At most 500 items of ~1 KB: one page, a second only past DynamoDB's 1 MB.
        for _ in 0..4 {
            let mut q = Query::partition(format!("{CALL_PREFIX}{sid}"))
                .begins_with(TRANSCRIPT_PREFIX)
                .limit(TRANSCRIPT_MAX_LINES as u32)
                .eventually_consistent();
            q.cursor = cursor;
            let page = self.store.query(q).await?;
            out.extend(page.items.iter().filter_map(TranscriptLine::from_stored));
            cursor = page.cursor;
            if cursor.is_none() || out.len() >= TRANSCRIPT_MAX_LINES as usize {
                break;
            }
        }
        Ok(out)
    }

    /// Call `sid`'s transcript for `caller`: while the call is live, for those who may read its
    /// memo (the operator on it, supervisors); once it ended, for anyone who reads 対応履歴,
    /// where its memo is shown too.
    pub async fn read(&self, caller: &Caller, sid: &CallSid) -> Result<Vec<TranscriptLine>, DomainError> {
        let call = self
            .store
            .get_eventually(&call_key(sid.as_str()))
            .await?
            .as_ref()
            .and_then(CallRecord::from_item)
            .ok_or_else(|| DomainError::NotFound(format!("there is no call {sid}")))?;
        if call.summary.ended_at.is_none() {
            self.memos.authorise(caller, sid).await?;
        }
        self.lines(sid.as_str()).await
    }

    /// The first phrase of call `sid` holding `word` (compared as search text: width, case and
    /// kana folded), if any. One query of the call's partition.
    pub async fn find(&self, sid: &str, word: &str) -> Result<Option<TranscriptLine>, DomainError> {
        let word = crate::text::normalize(word);
        if word.is_empty() {
            return Ok(None);
        }
        Ok(self
            .lines(sid)
            .await?
            .into_iter()
            .find(|l| crate::text::normalize(&l.text).contains(&word)))
    }
}
