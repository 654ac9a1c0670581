//! From a changed item of the table (a stream record's old and new image, or the local store's
//! change feed) to the messages it makes and who hears them. Pure: the `push` function and the
//! local runtime call it with the images they have and read nothing more.

use serde_json::Value;

use super::{Audience, MemoUpdate, Message, Topic, TransferOffer};
use crate::domain::calls::CallRecord;
use crate::domain::handoff::TransferState;
use crate::domain::memos::Memo;
use crate::domain::monitor::board_call;
use crate::domain::operators::Operator;
use crate::domain::transcripts::TranscriptLine;
use crate::store::table::{Followed, followed};
use crate::store::{Item, Key};

/// One message for one audience, heard by its connections subscribed to `topic`.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub audience: Audience,
    pub topic: Topic,
    pub message: Message,
}

fn to(audience: Audience, topic: Topic, message: Message) -> Delivery {
    Delivery {
        audience,
        topic,
        message,
    }
}

/// Whether a change of the item at `key` can make a message: the items the views show
/// (settings, operators, calls and their memos, the queue, a day's figures). Feeds skip the rest
/// without reading them.
pub fn watches(key: &Key) -> bool {
    followed(key).is_some()
}

/// The messages a change of one item makes: `old` is the item before the write (`None` when it
/// was created), `new` after it (`None` when it was deleted). An item nobody watches, or a
/// write that changed nothing, makes none.
pub fn changes(old: Option<&Item>, new: Option<&Item>) -> Vec<Delivery> {
    if old == new {
        return Vec::new();
    }
    let Some(key) = new.or(old).and_then(Key::of) else {
        return Vec::new();
    };
    let board = |reason: &str| {
        vec![to(
            Audience::Board,
            Topic::Board,
            Message::BoardChanged { reason: reason.into() },
        )]
    };
    match followed(&key) {
        None => Vec::new(),
        Some(Followed::Settings { section }) => vec![to(
            Audience::All,
            Topic::Settings,
            Message::SettingsChanged {
                section: section.to_owned(),
            },
        )],
        Some(Followed::QueueEntry) => board("queue"),
        Some(Followed::Day { .. }) => board("figures"),
        Some(Followed::Operator { .. }) => operator_changed(old, new),
        Some(Followed::Call { .. }) => call_changed(old, new),
        Some(Followed::Memo { .. }) => new.and_then(Memo::from_stored).map(memo_changed).unwrap_or_default(),
        Some(Followed::Transcript { .. }) => match (old, new) {
            (None, Some(item)) => transcript_line(item),
            _ => Vec::new(),
        },
    }
}

/// A phrase kept: to the operators it was written for, and to the board. A phrase is written
/// once; a later change of its item (none is made) would tell nobody.
fn transcript_line(item: &Item) -> Vec<Delivery> {
    let Some(line) = TranscriptLine::from_stored(item) else {
        return Vec::new();
    };
    let mut out: Vec<Delivery> = TranscriptLine::audience(item)
        .into_iter()
        .map(|id| {
            to(
                Audience::User(id),
                Topic::Calls,
                Message::TranscriptLine { line: line.clone() },
            )
        })
        .collect();
    out.push(to(Audience::Board, Topic::Board, Message::TranscriptLine { line }));
    out
}

fn memo_changed(m: Memo) -> Vec<Delivery> {
    vec![to(
        Audience::Board,
        Topic::Board,
        Message::MemoChanged {
            memo: MemoUpdate {
                call: m.call_sid,
                text: m.text,
                response_status: m.response_status,
                version: m.version,
                updated_at: m.updated_at,
            },
        },
    )]
}

/// An operator as stored (a wrap-up that ran out is still `wrap_up`: the page counts it down).
fn operator(item: Option<&Item>) -> Option<Operator> {
    serde_json::from_value(Value::Object(item?.clone())).ok()
}

fn operator_changed(old: Option<&Item>, new: Option<&Item>) -> Vec<Delivery> {
    let Some(now) = operator(new) else {
        return Vec::new();
    };
    // Only what the views show: a move in the free list alone changes neither.
    if operator(old).as_ref() == Some(&now) {
        return Vec::new();
    }
    vec![
        to(
            Audience::User(now.id.clone()),
            Topic::Presence,
            Message::PresenceChanged { operator: now.clone() },
        ),
        to(
            Audience::Board,
            Topic::Board,
            Message::BoardRowChanged { operator: now },
        ),
    ]
}

/// The attributes of a call item that only mirror its memo (saved as the memo item, which is
/// pushed on its own): a change of these alone changes no view of the call.
const MEMO_MIRROR: [&str; 2] = ["memo", "response_status"];

fn without_memo_mirror(item: Option<&Item>) -> Option<Item> {
    let mut item = item?.clone();
    for name in MEMO_MIRROR {
        item.remove(name);
    }
    Some(item)
}

fn call_changed(old: Option<&Item>, new: Option<&Item>) -> Vec<Delivery> {
    if without_memo_mirror(old) == without_memo_mirror(new) {
        return Vec::new();
    }
    let before = old.and_then(CallRecord::from_item);
    let Some(after) = new.and_then(CallRecord::from_item) else {
        return Vec::new();
    };
    let sid = after.summary.sid.clone();
    let ended = after.summary.ended_at.is_some();
    // Someone who was on the call and is no longer hears that it changed too.
    let mut operators = after.involved_operators();
    if let Some(b) = &before {
        operators.extend(b.involved_operators());
        operators.sort();
        operators.dedup();
    }
    let mut out: Vec<Delivery> = operators
        .iter()
        .map(|id| {
            to(
                Audience::User(id.clone()),
                Topic::Calls,
                Message::CallChanged {
                    call: sid.clone(),
                    status: after.summary.status.clone(),
                    ended,
                },
            )
        })
        .collect();
    if let Some(t) = after.transfer.as_ref().filter(|t| t.state == TransferState::Ringing) {
        let already = before
            .as_ref()
            .and_then(|b| b.transfer.as_ref())
            .is_some_and(|b| b.id == t.id && b.state == TransferState::Ringing);
        if !already {
            out.push(to(
                Audience::User(t.to_operator.clone()),
                Topic::Transfers,
                Message::TransferOffered {
                    offer: TransferOffer {
                        call: sid.clone(),
                        transfer_id: t.id.clone(),
                        mode: t.mode.as_str().to_owned(),
                        from_operator: t.from_operator.clone(),
                        from_name: t.from_name.clone(),
                    },
                },
            ));
        }
    }
    if !operators.is_empty() {
        out.push(to(
            Audience::Board,
            Topic::Board,
            Message::BoardCallChanged {
                call: board_call(&sid, &after, None),
                operators,
                ended,
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calls::{CallSummary, Direction};
    use serde_json::json;

    fn item(v: Value) -> Item {
        v.as_object().unwrap().clone()
    }

    fn operator_item(status: &str, call: Option<&str>, free_sk: Option<&str>) -> Item {
        let mut v = json!({
            "PK": "OP#op1", "SK": "OP", "GSI1PK": "OPS", "GSI1SK": "op1",
            "id": "op1", "name": "佐藤", "role": "operator", "status": status,
            "status_since": "2026-12-02T01:00:00.000Z", "version": 3
        });
        if let Some(c) = call {
            v["current_call"] = json!(c);
        }
        if let Some(sk) = free_sk {
            v["GSI2PK"] = json!("AVAIL");
            v["GSI2SK"] = json!(sk);
        }
        item(v)
    }

    fn call_item(operator: Option<&str>, status: &str) -> Item {
        let mut c = CallSummary::new(
            "CA0123456789abcdef0123456789abcdef",
            Direction::Inbound,
            None,
            None,
            status,
            "2026-12-02T01:00:00Z".into(),
            None,
        );
        c.operator_id = operator.map(str::to_owned);
        c.to_item()
    }

    fn audiences(d: &[Delivery]) -> Vec<(Audience, Topic, &'static str)> {
        d.iter()
            .map(|d| {
                let kind = match d.message {
                    Message::CallChanged { .. } => "call_changed",
                    Message::PresenceChanged { .. } => "presence_changed",
                    Message::TransferOffered { .. } => "transfer_offered",
                    Message::SettingsChanged { .. } => "settings_changed",
                    Message::BoardRowChanged { .. } => "board_row_changed",
                    Message::BoardCallChanged { .. } => "board_call_changed",
                    Message::MemoChanged { .. } => "memo_changed",
                    Message::BoardChanged { .. } => "board_changed",
                    _ => "other",
                };
                (d.audience.clone(), d.topic, kind)
            })
            .collect()
    }

    #[test]
    fn a_settings_section_saved_reaches_everybody() {
        let new = item(json!({"PK": "SETTINGS", "SK": "objects", "objects": []}));
        let d = changes(None, Some(&new));
        assert_eq!(
            d,
            vec![Delivery {
                audience: Audience::All,
                topic: Topic::Settings,
                message: Message::SettingsChanged {
                    section: "objects".into()
                }
            }]
        );
    }

    #[test]
    fn an_operator_going_on_a_call_tells_them_and_the_board_but_a_move_in_the_free_list_tells_nobody() {
        let free = operator_item("available", None, Some("2026-12-02T01:00:00Z#op1"));
        let moved = operator_item("available", None, Some("2026-12-02T01:05:00Z#op1"));
        assert!(changes(Some(&free), Some(&moved)).is_empty());
        let on_call = operator_item("on_call", Some("CA1"), None);
        let d = changes(Some(&free), Some(&on_call));
        assert_eq!(
            audiences(&d),
            vec![
                (Audience::User("op1".into()), Topic::Presence, "presence_changed"),
                (Audience::Board, Topic::Board, "board_row_changed"),
            ]
        );
        let Message::PresenceChanged { operator } = &d[0].message else {
            panic!()
        };
        assert_eq!(operator.current_call.as_deref(), Some("CA1"));
        assert_eq!(operator.status.to_string(), "on_call");
    }

    #[test]
    fn a_call_change_reaches_its_operator_and_the_one_who_left_it_and_the_board() {
        let ringing = call_item(Some("op1"), "ringing");
        let mut moved = call_item(Some("op2"), "in-progress");
        moved.insert("answered_at".into(), json!("2026-12-02T01:00:10Z"));
        let d = changes(Some(&ringing), Some(&moved));
        assert_eq!(
            audiences(&d),
            vec![
                (Audience::User("op1".into()), Topic::Calls, "call_changed"),
                (Audience::User("op2".into()), Topic::Calls, "call_changed"),
                (Audience::Board, Topic::Board, "board_call_changed"),
            ]
        );
        let Message::BoardCallChanged { call, operators, ended } = &d[2].message else {
            panic!()
        };
        assert_eq!(call.answered_at.as_deref(), Some("2026-12-02T01:00:10Z"));
        assert!(call.memo.is_empty(), "memos travel on their own");
        assert_eq!(operators, &vec!["op1".to_owned(), "op2".to_owned()]);
        assert!(!ended);
    }

    #[test]
    fn a_memo_mirrored_into_the_call_makes_no_call_message() {
        let call = call_item(Some("op1"), "in-progress");
        let mut mirrored = call.clone();
        mirrored.insert("memo".into(), json!("折り返し希望"));
        mirrored.insert("response_status".into(), json!("callback"));
        assert!(changes(Some(&call), Some(&mirrored)).is_empty());
    }

    #[test]
    fn a_waiting_call_with_nobody_on_it_tells_only_the_boards_queue() {
        let waiting = call_item(None, "queued");
        assert!(changes(None, Some(&waiting)).is_empty());
        let entry = item(json!({"PK": "QUEUE", "SK": "2026-12-02T01:00:00Z#CA1", "sid": "CA1"}));
        assert_eq!(
            audiences(&changes(None, Some(&entry))),
            vec![(Audience::Board, Topic::Board, "board_changed")]
        );
        assert_eq!(
            audiences(&changes(Some(&entry), None)),
            vec![(Audience::Board, Topic::Board, "board_changed")]
        );
    }

    #[test]
    fn a_transfer_ringing_is_offered_to_its_target_once() {
        let before = call_item(Some("op1"), "in-progress");
        let mut ringing = before.clone();
        for (k, v) in [
            ("transfer_id", "tr1"),
            ("transfer_state", "ringing"),
            ("transfer_mode", "warm"),
            ("transfer_to", "op2"),
            ("transfer_to_name", "鈴木"),
            ("transfer_from", "op1"),
            ("transfer_from_name", "佐藤"),
        ] {
            ringing.insert(k.into(), json!(v));
        }
        let d = changes(Some(&before), Some(&ringing));
        let offer = d
            .iter()
            .find(|d| matches!(d.message, Message::TransferOffered { .. }))
            .expect("offered");
        assert_eq!(offer.audience, Audience::User("op2".into()));
        assert_eq!(offer.topic, Topic::Transfers);
        let Message::TransferOffered { offer } = &offer.message else {
            panic!()
        };
        assert_eq!((offer.from_name.as_str(), offer.mode.as_str()), ("佐藤", "warm"));
        let mut again = ringing.clone();
        again.insert("twilio_seq".into(), json!(4));
        assert!(
            !changes(Some(&ringing), Some(&again))
                .iter()
                .any(|d| matches!(d.message, Message::TransferOffered { .. })),
            "a later change of a ringing transfer offers nothing new"
        );
    }

    #[test]
    fn a_memo_saved_reaches_the_board_with_its_text() {
        let memo = item(json!({
            "PK": "CALL#CA1", "SK": "MEMO", "call_sid": "CA1", "text": "折り返し希望",
            "response_status": "callback", "version": 2, "updated_at": "2026-12-02T01:00:00Z"
        }));
        let d = changes(None, Some(&memo));
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].audience.clone(), d[0].topic), (Audience::Board, Topic::Board));
        assert_eq!(
            serde_json::to_value(&d[0].message).unwrap(),
            json!({"type": "memo_changed", "memo": {"call": "CA1", "text": "折り返し希望",
                   "response_status": "callback", "version": 2, "updated_at": "2026-12-02T01:00:00Z"}})
        );
    }

    #[test]
    fn items_nobody_watches_and_unchanged_writes_make_no_message() {
        let rec = item(json!({"PK": "REC#account#1", "SK": "REC", "name": "x"}));
        assert!(changes(None, Some(&rec)).is_empty());
        let memo = item(json!({"PK": "CALL#CA1", "SK": "MEMO", "call_sid": "CA1", "text": "a", "version": 1}));
        assert!(changes(Some(&memo), Some(&memo)).is_empty());
        assert!(changes(None, None).is_empty());
        assert!(!watches(&Key::new("REC#account#1", "REC")));
        assert!(watches(&Key::new("CALL#CA1", "MEMO")));
    }

    #[test]
    fn a_transcript_phrase_kept_reaches_the_operators_on_the_call_and_the_board_once() {
        let phrase = item(json!({
            "PK": "CALL#CA1", "SK": "TR#000003", "call_sid": "CA1", "seq": 3,
            "speaker": "customer", "text": "請求書が届いていません", "at": "2026-12-02T01:00:05Z",
            "operators": ["op1"]
        }));
        let d = changes(None, Some(&phrase));
        assert_eq!(
            audiences(&d),
            vec![
                (Audience::User("op1".into()), Topic::Calls, "other"),
                (Audience::Board, Topic::Board, "other"),
            ]
        );
        assert_eq!(
            serde_json::to_value(&d[1].message).unwrap(),
            json!({"type": "transcript_line", "line": {"call": "CA1", "seq": 3, "speaker": "customer",
                   "text": "請求書が届いていません", "at": "2026-12-02T01:00:05Z"}})
        );
        assert!(changes(Some(&phrase), None).is_empty(), "a phrase removed tells nobody");
    }

    #[test]
    fn a_days_figures_counted_tell_the_board_to_read_them() {
        let day = item(json!({"PK": "STATS#2026-12-02", "SK": "DAY", "inbound": 1}));
        assert_eq!(
            audiences(&changes(None, Some(&day))),
            vec![(Audience::Board, Topic::Board, "board_changed")]
        );
    }
}
