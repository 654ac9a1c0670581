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

/// The most recent phrases one read may ask for ([`Transcripts::last`]): a board card shows a
/// few, so a supervisor opening the board mid-call reads a bounded page per call shown.
pub const LAST_MAX: u32 = 20;

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

    /// The last `n` (1 to [`LAST_MAX`]) kept phrases of call `sid`, in the order they were
    /// said: one query of at most `n` items read newest first.
    pub async fn last(&self, sid: &str, n: u32) -> Result<Vec<TranscriptLine>, DomainError> {
        let q = Query::partition(format!("{CALL_PREFIX}{sid}"))
            .begins_with(TRANSCRIPT_PREFIX)
            .descending()
            .limit(n.clamp(1, LAST_MAX))
            .eventually_consistent();
        let mut lines: Vec<TranscriptLine> = self
            .store
            .query(q)
            .await?
            .items
            .iter()
            .filter_map(TranscriptLine::from_stored)
            .collect();
        lines.sort_by_key(|l| l.seq);
        Ok(lines)
    }

    /// Call `sid`'s transcript for `caller` (only its `last` phrases when given, 1 to
    /// [`LAST_MAX`], 422 otherwise): while the call is live, for those who may read its memo
    /// (the operator on it, supervisors); once it ended, for anyone who reads 対応履歴, where its
    /// memo is shown too.
    pub async fn read(
        &self,
        caller: &Caller,
        sid: &CallSid,
        last: Option<u32>,
    ) -> Result<Vec<TranscriptLine>, DomainError> {
        if let Some(n) = last
            && !(1..=LAST_MAX).contains(&n)
        {
            return Err(DomainError::invalid_field(
                "invalid_last",
                "last",
                format!("last は 1 から {LAST_MAX} までの数で指定してください（{n} は範囲外です）"),
            ));
        }
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
        match last {
            Some(n) => self.last(sid.as_str(), n).await,
            None => self.lines(sid.as_str()).await,
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settings::SettingsService;
    use crate::store::counting::CountingStore;
    use crate::store::embedded::EmbeddedStore;

    const CALL: &str = "CA11111111111111111111111111111111";

    fn transcripts() -> (Transcripts, Arc<CountingStore>) {
        let store = Arc::new(CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap())));
        let settings = Arc::new(SettingsService::new(store.clone(), std::time::Duration::from_secs(1)));
        let memos = Arc::new(Memos::new(store.clone(), settings));
        (Transcripts::new(store.clone(), memos), store)
    }

    fn heard(seq: u64) -> Heard {
        Heard {
            seq,
            speaker: if seq.is_multiple_of(2) {
                Speaker::Operator
            } else {
                Speaker::Customer
            },
            text: format!("{seq}番目の発言です。"),
            at: "2026-12-03T01:00:00Z".into(),
        }
    }

    #[tokio::test]
    async fn the_last_lines_of_a_long_call_are_read_in_one_bounded_query_in_the_order_said() {
        // Given a call of 40 phrases, kept out of order as callbacks may arrive
        let (t, store) = transcripts();
        for seq in (1..=40).rev() {
            assert_eq!(t.keep(CALL, heard(seq), &[]).await.unwrap(), Kept::Stored);
        }
        store.reset();
        // When the board reads the last 3
        let last = t.last(CALL, 3).await.unwrap();
        // Then it gets phrases 38, 39 and 40, in the order they were said, in one query
        assert_eq!(last.iter().map(|l| l.seq).collect::<Vec<_>>(), vec![38, 39, 40]);
        assert_eq!(last[2].text, "40番目の発言です。");
        assert_eq!(last[2].speaker, Speaker::Operator);
        let counts = store.counts();
        assert_eq!((counts.queries, counts.gets), (1, 0), "{counts:?}");
        // And asking for more than the bound reads no more than the bound
        assert_eq!(t.last(CALL, 500).await.unwrap().len(), LAST_MAX as usize);
        // And a call shorter than asked gives what it has
        t.keep("CA22222222222222222222222222222222", heard(1), &[])
            .await
            .unwrap();
        assert_eq!(t.last("CA22222222222222222222222222222222", 3).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn asking_for_no_lines_or_too_many_is_refused_naming_the_bound() {
        let (t, _) = transcripts();
        let caller = Caller {
            id: crate::ids::OperatorId::parse("sv-ito").unwrap(),
            name: "伊藤".into(),
            role: crate::auth::Role::Supervisor,
        };
        let sid = CallSid::parse(CALL).unwrap();
        for n in [0, LAST_MAX + 1] {
            let e = t.read(&caller, &sid, Some(n)).await.unwrap_err();
            assert!(matches!(e, DomainError::Invalid { .. }), "{e:?}");
            assert!(e.to_string().contains("1 から 20"), "{e}");
        }
    }
}
