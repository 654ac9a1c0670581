//! The single-table key design. Every item of the console lives in one DynamoDB table keyed
//! `PK`/`SK`, with two sparse global secondary indexes (`GSI1`, `GSI2`, projection ALL) and the
//! TTL attribute `expires_at`. Each access pattern is one Query or GetItem:
//!
//! | item | PK | SK | GSI1PK / GSI1SK | GSI2PK / GSI2SK |
//! |---|---|---|---|---|
//! | settings section | `SETTINGS` | `<section>` | | |
//! | CRM record | `REC#<object>#<id>` | `REC` | `ACC#<account>` / `<object>#<id>` | `CON#<contact>` / `<object>#<id>` |
//! | phone index (copy of the record) | `PHONE#<e164>` | `REC#<object>#<id>` | | |
//! | search posting | `IDX#<object>#<token>` | `<id>` | | |
//! | call (in the two indexes once it ended and was counted) | `CALL#<sid>` | `CALL` | `PHONE#<e164>` / `CALL#<started>#<sid>` | `ACC#<account>` / `CALL#<started>#<sid>` |
//! | memo of a call | `CALL#<sid>` | `MEMO` | | |
//! | a final phrase of a call's live transcript (at most [`TRANSCRIPT_MAX_LINES`]) | `CALL#<sid>` | `TR#<sequence, 6 digits>` | | |
//! | customer call placed for an operator's outbound leg (TTL a day) | `LEG#<leg sid>` | `OUTBOUND` | | |
//! | a waiting call (routing's queue) | `QUEUE` | `<enqueued_at>#<sid>` | `QUEUE#<queue>` / `<enqueued_at>#<sid>` (filed under a queue) | |
//! | screen transfer (TTL an hour) | `HANDOFF#<id>` | `HANDOFF` | | |
//! | a day's call figures (Japan time) | `STATS#<yyyy-mm-dd>` | `DAY` | | |
//! | a report figure: a day's centre total, one operator's, one queue's or one response status's day (Japan time) | `RPT#<yyyy-mm>` | `<yyyy-mm-dd>#T#`, `<yyyy-mm-dd>#O#<operator>`, `<yyyy-mm-dd>#Q#<queue>`, `<yyyy-mm-dd>#S#<status>` | | |
//! | a counted call filed under its day, for the history export (Japan time) | `CALLDAY#<yyyy-mm-dd>` | `<started>#<sid>` | | |
//! | operator | `OP#<id>` | `OP` | `OPS` / `<id>` | `AVAIL` / `<free since>#<id>` while free |
//! | call list | `CL#<list>` | `LIST` | `CLISTS` / `<list>` | |
//! | call-list progress counter (one of [`CALL_LIST_COUNTER_SHARDS`]) | `CL#<list>` | `COUNT#<n>` | | |
//! | call-list target | `CL#<list>` | `T#<target>` | `CLQ#<list>#<state>` / order in that state | |
//! | result of a target's call | `CL#<list>` | `R#<target>#<attempt>` | | |
//! | CSV import into a list | `CL#<list>` | `IMP#<import>` | | |
//! | one imported chunk of a CSV file | `CL#<list>` | `IMP#<import>#C#<first line>` | | |
//! | live-channel connection (TTL 3 hours) | `LIVE#<connection>` | `LIVE` | | |
//! | a connection in an audience (TTL 3 hours) | `AUD#user#<sub>`, `AUD#board`, `AUD#all` | `<connection>` | | |
//! | an audited action (a supervisor releasing an operator), per day (Japan time) | `AUDIT#<yyyy-mm-dd>` | `<at>#<id>` | | |
//! | a call's completed recording filed under the day it completed (Japan time), for the retention sweep | `RECDAY#<yyyy-mm-dd>` | `<sid>` | | |
//! | the retention sweep's place: the oldest day it has not finished | `RECDAY` | `SWEEP` | | |
//! | a link to play a call's or a voicemail's recording, with who holds it (TTL 30 minutes) | `RECLINK#<token>` | `LINK` | | |
//! | operator task (a voicemail or a callback request; the caller's CallSid) | `TASK#<sid>` | `TASK` | `PHONE#<e164>` / `TASK#<created>#<sid>` | `TASKS#open` / `<place>#<sid>`, `TASKS#done` / `<done>#<sid>` |
//! | a voicemail left with no call of its own, as a row of its caller's account's calls | `TASK#<sid>` | `ACC` | | `ACC#<account>` / `CALL#<created>#<sid>` |
//!
//! Access patterns: phone → accounts and contacts (`PHONE#` partition, `REC#` prefix) and the
//! calls of that number (GSI1 `PHONE#`); account → its records (GSI1 `ACC#`, prefix per object)
//! and calls (GSI2 `ACC#`); contact → its records (GSI2 `CON#`); settings → one partition;
//! search → the posting partition of one token; call lists → GSI1 `CLISTS`; a list's targets,
//! counters, results and imports → its `CL#` partition; a list's targets in one state, in the
//! order they are called → GSI1 `CLQ#<list>#<state>`; waiting calls, oldest first → the `QUEUE`
//! partition, and those of one queue (窓口) → GSI1 `QUEUE#<queue>` (a call queued before there
//! were queues is in the partition only); every operator → GSI1 `OPS`; the longest-idle free operator → the first item of
//! GSI2 `AVAIL`; a call, its memo, a screen transfer, a day's figures → one GetItem each; the
//! live connections a message goes to → the partition of its audience (`AUD#…`).
//!
//! Every key of the console's calls, operators, queue, handoffs and figures is built here; the
//! domain modules that own those items re-export the keys they use.

use super::Key;
use crate::ids::{ObjectName, OperatorId, RecordId};
use crate::phone::PhoneNumber;

/// The partition of all settings sections.
pub const SETTINGS_PK: &str = "SETTINGS";

/// The key of a call's own item (the customer leg's CallSid, also the conference's name).
pub fn call_key(sid: &str) -> Key {
    Key::new(format!("{CALL_PREFIX}{sid}"), CALL_SK)
}

/// The sort key of a call's own item.
pub const CALL_SK: &str = "CALL";

/// The key of a call's conversation memo, in the call's partition.
pub fn memo_key(sid: &str) -> Key {
    Key::new(format!("{CALL_PREFIX}{sid}"), MEMO_SK)
}

/// The sort key of a call's memo.
pub const MEMO_SK: &str = "MEMO";

/// The most phrases a call's transcript keeps: two hours of conversation at one phrase every
/// 15 seconds from each side is under 1,000, and a phrase beyond the bound is dropped (logged).
pub const TRANSCRIPT_MAX_LINES: u64 = 500;

/// The sort-key prefix of a call's transcript phrases, in its partition.
pub const TRANSCRIPT_PREFIX: &str = "TR#";

/// The key of one final phrase of a call's transcript, by its place in Twilio's sequence
/// (six digits, so that phrases sort in the order they were said).
pub fn transcript_key(sid: &str, sequence: u64) -> Key {
    Key::new(
        format!("{CALL_PREFIX}{sid}"),
        format!("{TRANSCRIPT_PREFIX}{sequence:06}"),
    )
}

/// What the partition of a call, and the index sort key of a call, start with.
pub const CALL_PREFIX: &str = "CALL#";

/// The index sort key of a call on GSI1 (phone) and GSI2 (account): by start time, then sid.
pub fn call_index_sk(started_at: &str, sid: &str) -> String {
    format!("{CALL_PREFIX}{started_at}#{sid}")
}

/// The key of the record that an operator's outbound leg (the TwiML App request's CallSid) has
/// placed its customer's call: a replayed or retried request for that leg places none.
pub fn outbound_leg_key(leg_sid: &str) -> Key {
    Key::new(format!("LEG#{leg_sid}"), "OUTBOUND")
}

/// The partition of waiting calls, oldest first.
pub const QUEUE_PK: &str = "QUEUE";

/// The key of a call's entry in the queue.
pub fn queue_key(enqueued_at: &str, sid: &str) -> Key {
    Key::new(QUEUE_PK, format!("{enqueued_at}#{sid}"))
}

/// The GSI1 partition of the calls waiting in one queue (窓口), oldest first; their GSI1 sort
/// key is the entry's sort key.
pub fn queue_index_pk(queue: &str) -> String {
    format!("{QUEUE_PK}#{queue}")
}

/// The key of a queue entry by its sort key, as the call record keeps it (`queue_sk`).
pub fn queue_entry_key(queue_sk: &str) -> Key {
    Key::new(QUEUE_PK, queue_sk)
}

/// The key of a screen transfer.
pub fn handoff_key(id: &str) -> Key {
    Key::new(format!("HANDOFF#{id}"), "HANDOFF")
}

/// The key of a day's call figures.
pub fn day_key(day: &str) -> Key {
    Key::new(format!("{DAY_PREFIX}{day}"), DAY_SK)
}

/// What the partition of a day's figures starts with.
const DAY_PREFIX: &str = "STATS#";

/// The sort key of a day's figures.
const DAY_SK: &str = "DAY";

/// The partition of a month's report figures (`yyyy-mm`, Japan time): a range of days is one
/// query of the sort-key range `<first day>#` to `<last day>#~` in each month it touches.
pub fn report_pk(month: &str) -> String {
    format!("RPT#{month}")
}

/// The key of a report figure of a day: `kind` is `T` (the centre), `O` (an operator), `Q` (a
/// queue) or `S` (a response status), `id` the operator, queue or status (empty for `T`).
pub fn report_key(day: &str, kind: &str, id: &str) -> Key {
    Key::new(report_pk(day.get(..7).unwrap_or(day)), format!("{day}#{kind}#{id}"))
}

/// The first sort key of a day's report figures.
pub fn report_day_first(day: &str) -> String {
    format!("{day}#")
}

/// A sort key after every report figure of a day.
pub fn report_day_last(day: &str) -> String {
    format!("{day}#~")
}

/// The partition of the calls counted on a day (Japan time), sorted by start.
pub fn calls_of_day_pk(day: &str) -> String {
    format!("CALLDAY#{day}")
}

/// The key of a counted call filed under its day.
pub fn call_of_day_key(day: &str, started_at: &str, sid: &str) -> Key {
    Key::new(calls_of_day_pk(day), format!("{started_at}#{sid}"))
}

/// The key of an operator's item.
pub fn operator_key(id: &str) -> Key {
    Key::new(format!("{OPERATOR_PREFIX}{id}"), OPERATOR_SK)
}

/// What the partition of an operator's item starts with.
const OPERATOR_PREFIX: &str = "OP#";

/// The sort key of an operator's item.
const OPERATOR_SK: &str = "OP";

/// The GSI1 partition of every operator.
pub const ALL_OPERATORS_PK: &str = "OPS";

/// The GSI2 partition of operators free to take a call, sorted by `<free since>#<id>`.
pub const AVAILABLE_PK: &str = "AVAIL";

/// The sort key of a free operator on GSI2: the moment they became (or become) free.
pub fn free_since_sk(since: &str, operator: &str) -> String {
    format!("{since}#{operator}")
}

/// Sort key of a record's own item.
pub const RECORD_SK: &str = "REC";

/// The key of a CRM record.
pub fn record_key(object: &ObjectName, id: &RecordId) -> Key {
    Key::new(format!("REC#{object}#{id}"), RECORD_SK)
}

/// The partition of everything filed under a phone number.
pub fn phone_pk(phone: &PhoneNumber) -> String {
    stored_phone_pk(phone.as_str())
}

/// The partition of a number as a record stores it (E.164, read back from the record's
/// `phones`), for removing the record's copy from a number it no longer has.
pub fn stored_phone_pk(e164: &str) -> String {
    format!("PHONE#{e164}")
}

/// The sort-key prefix of every record inside a phone partition.
pub const PHONE_RECORDS_PREFIX: &str = "REC#";

/// The sort-key prefix of the records of one object inside a phone partition.
pub fn phone_object_prefix(object: &ObjectName) -> String {
    format!("{PHONE_RECORDS_PREFIX}{object}#")
}

/// The sort key of a record inside a phone partition.
pub fn phone_record_sk(object: &ObjectName, id: &RecordId) -> String {
    format!("{}{id}", phone_object_prefix(object))
}

/// The partition of an account's related items (on GSI1 for records, GSI2 for calls).
pub fn account_pk(account: &RecordId) -> String {
    format!("ACC#{account}")
}

/// The partition of a contact's related records (GSI2).
pub fn contact_pk(contact: &RecordId) -> String {
    format!("CON#{contact}")
}

/// The sort key of a related record on GSI1/GSI2: grouped by object, newest last.
pub fn related_sk(object: &ObjectName, id: &RecordId) -> String {
    format!("{object}#{id}")
}

/// The GSI1 partition listing every user of the local directory.
pub const USERS_GSI_PK: &str = "USERS";

/// The key of a user's item in the local directory.
pub fn user_key(id: &OperatorId) -> Key {
    Key::new(format!("USER#{id}"), "USER")
}

/// The key of the item claiming an e-mail address in the local directory.
pub fn email_key(folded_email: &str) -> Key {
    Key::new(format!("USEREMAIL#{folded_email}"), "EMAIL")
}

/// The partition of one search token of one object.
pub fn posting_pk(object: &ObjectName, token: &str) -> String {
    format!("IDX#{object}#{token}")
}

/// The partition of a call list: the list, its counters, targets, results and imports.
pub fn call_list_pk(list: &RecordId) -> String {
    format!("CL#{list}")
}

/// The GSI1 partition listing every call list.
pub const CALL_LISTS_GSI_PK: &str = "CLISTS";

/// Sort key of a call list's own item.
pub const CALL_LIST_SK: &str = "LIST";

/// How many counter items a list's progress counts are spread over, so that operators
/// changing targets of one list at once rarely touch the same counter item.
pub const CALL_LIST_COUNTER_SHARDS: u64 = 4;

/// The key of one of a list's counter items.
pub fn call_list_counter_key(list: &RecordId, shard: u64) -> Key {
    Key::new(call_list_pk(list), format!("COUNT#{shard}"))
}

/// The sort-key prefix of every target of a list.
pub const CALL_LIST_TARGET_PREFIX: &str = "T#";

/// The sort key of a target inside its list's partition.
pub fn call_list_target_sk(target: &str) -> String {
    format!("{CALL_LIST_TARGET_PREFIX}{target}")
}

/// The GSI1 partition of a list's targets in one state.
pub fn call_list_state_pk(list: &RecordId, state: &str) -> String {
    format!("CLQ#{list}#{state}")
}

/// The sort key of a CSV import inside its list's partition.
pub fn call_list_import_sk(import: &RecordId) -> String {
    format!("IMP#{import}")
}

/// The sort key of one imported chunk of a CSV file: the import's sort key and the line the
/// chunk starts on, seven digits so that chunks sort in file order.
pub fn call_list_chunk_sk(import: &RecordId, first_line: u64) -> String {
    format!("{}#C#{first_line:07}", call_list_import_sk(import))
}

/// The sort key of the result of one call to a target, five digits of the attempt so that
/// results sort in the order they were made.
pub fn call_list_result_sk(target: &str, attempt: u32) -> String {
    format!("{}{attempt:05}", call_list_results_prefix(target))
}

/// The sort-key prefix of every result of one target.
pub fn call_list_results_prefix(target: &str) -> String {
    format!("R#{target}#")
}

/// The sort key of a live-channel connection's own item.
pub const CONNECTION_SK: &str = "LIVE";

/// The key of an open connection of the live channel (TTL a few hours): who opened it and the
/// topics it hears.
pub fn connection_key(connection_id: &str) -> Key {
    Key::new(format!("LIVE#{connection_id}"), CONNECTION_SK)
}

/// The partition of one user's live connections (their calls, presence and transfer offers);
/// one item per connection, sort key the connection id.
pub fn audience_user_pk(sub: &str) -> String {
    format!("AUD#user#{sub}")
}

/// The partition of the connections showing the supervisors' board.
pub const AUDIENCE_BOARD_PK: &str = "AUD#board";

/// The partition of every connection that hears settings changes.
pub const AUDIENCE_ALL_PK: &str = "AUD#all";

/// The key of an audited action: a day's partition (Japan time), sorted by when it was done.
pub fn audit_key(day: &str, at: &str, id: &str) -> Key {
    Key::new(format!("AUDIT#{day}"), format!("{at}#{id}"))
}

/// The partition of the recordings completed on a day (Japan time), one item each, sorted by
/// the call's sid: what the retention sweep reads, a bounded page at a time.
pub fn recordings_of_day_pk(day: &str) -> String {
    format!("RECDAY#{day}")
}

/// The key of a call's completed recording filed under its day.
pub fn recording_of_day_key(day: &str, sid: &str) -> Key {
    Key::new(recordings_of_day_pk(day), sid)
}

/// The key of the retention sweep's place (the oldest day it has not finished).
pub fn recording_sweep_key() -> Key {
    Key::new("RECDAY", "SWEEP")
}

/// The key of a link to play a call's recording, named by its random token.
pub fn recording_link_key(token: &str) -> Key {
    Key::new(format!("RECLINK#{token}"), "LINK")
}

/// The key of an operator task (a voicemail or a callback request), named by the caller's CallSid.
pub fn task_key(sid: &str) -> Key {
    Key::new(format!("TASK#{sid}"), "TASK")
}

/// The key of the row a voicemail left with no call of its own (the line closed) has in the
/// 対応履歴 of its caller's account, in the task's partition.
pub fn task_account_row_key(sid: &str) -> Key {
    Key::new(format!("TASK#{sid}"), "ACC")
}

/// The GSI2 partition of open tasks (sorted by the caller's place) or done ones (by when).
pub fn tasks_pk(done: bool) -> &'static str {
    if done { "TASKS#done" } else { "TASKS#open" }
}

/// The sort key of a task on GSI2: `at` (its place, or when it was done), then its id.
pub fn task_list_sk(at: &str, sid: &str) -> String {
    format!("{at}#{sid}")
}

/// The sort-key prefix of the tasks under a caller's number on GSI1.
pub const TASK_PHONE_PREFIX: &str = "TASK#";

/// The sort key of a task under its caller's number on GSI1, beside the number's calls.
pub fn task_phone_sk(created_at: &str, sid: &str) -> String {
    format!("{TASK_PHONE_PREFIX}{created_at}#{sid}")
}

/// An item the live channel follows, read back from its key: the inverse of [`call_key`],
/// [`memo_key`], [`transcript_key`], [`operator_key`], [`day_key`], [`queue_key`] and a settings section's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Followed<'a> {
    /// A settings section (`SETTINGS` / `<section>`).
    Settings { section: &'a str },
    /// A waiting call's entry in the queue.
    QueueEntry,
    /// A day's call figures.
    Day { day: &'a str },
    /// An operator's item.
    Operator { id: &'a str },
    /// A call's own item.
    Call { sid: &'a str },
    /// A call's memo.
    Memo { sid: &'a str },
    /// A phrase of a call's live transcript.
    Transcript { sid: &'a str },
}

/// What the item at `key` is, when it is one of [`Followed`]; `None` for every other item
/// (records, postings, call lists, connections …).
pub fn followed(key: &Key) -> Option<Followed<'_>> {
    let (pk, sk) = (key.pk.as_str(), key.sk.as_str());
    if pk == SETTINGS_PK {
        return Some(Followed::Settings { section: sk });
    }
    if pk == QUEUE_PK {
        return Some(Followed::QueueEntry);
    }
    if let Some(day) = pk.strip_prefix(DAY_PREFIX) {
        return (sk == DAY_SK).then_some(Followed::Day { day });
    }
    if let Some(id) = pk.strip_prefix(OPERATOR_PREFIX) {
        return (sk == OPERATOR_SK).then_some(Followed::Operator { id });
    }
    let sid = pk.strip_prefix(CALL_PREFIX)?;
    match sk {
        CALL_SK => Some(Followed::Call { sid }),
        MEMO_SK => Some(Followed::Memo { sid }),
        _ if sk.starts_with(TRANSCRIPT_PREFIX) => Some(Followed::Transcript { sid }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_followed_items_are_read_back_from_the_keys_built_here() {
        let cases = [
            (
                Key::new(SETTINGS_PK, "lines"),
                Some(Followed::Settings { section: "lines" }),
            ),
            (queue_key("2026-12-02T01:00:00Z", "CA1"), Some(Followed::QueueEntry)),
            (day_key("2026-12-02"), Some(Followed::Day { day: "2026-12-02" })),
            (operator_key("op-1"), Some(Followed::Operator { id: "op-1" })),
            (call_key("CA1"), Some(Followed::Call { sid: "CA1" })),
            (memo_key("CA1"), Some(Followed::Memo { sid: "CA1" })),
            (transcript_key("CA1", 7), Some(Followed::Transcript { sid: "CA1" })),
        ];
        for (key, expected) in cases {
            assert_eq!(followed(&key), expected, "{key:?}");
        }
    }

    #[test]
    fn other_items_and_other_sort_keys_are_not_followed() {
        let object = ObjectName::parse("account").unwrap();
        let id = RecordId::new();
        for key in [
            record_key(&object, &id),
            handoff_key("h1"),
            outbound_leg_key("CA2"),
            connection_key("c1"),
            user_key(&OperatorId::parse("op-1").unwrap()),
            Key::new(call_list_pk(&id), CALL_LIST_SK),
            Key::new(format!("{CALL_PREFIX}CA1"), "OTHER"),
            Key::new(format!("{OPERATOR_PREFIX}op-1"), "OTHER"),
            Key::new(format!("{DAY_PREFIX}2026-12-02"), "OTHER"),
        ] {
            assert_eq!(followed(&key), None, "{key:?}");
        }
    }
}
