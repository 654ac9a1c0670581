//! The live channel: changes pushed to the pages instead of read by them over and over.
//!
//! # How it is deployed, and why
//!
//! **API Gateway WebSocket API** (stage `live`, served on the page's own origin at `/live`
//! through CloudFront) with a Lambda REQUEST authorizer on `$connect`. It was chosen over
//! AppSync Events because:
//! - the same Cognito ID token the HTTP API accepts opens it, verified by our own code
//!   ([`crate::auth_jwt`]), so the role rules are the console's, not a second copy in resolver
//!   configuration;
//! - subscriptions are per connection and decided by the server: a connection is filed under the
//!   audiences its role may hear (`AUD#user#<sub>`, `AUD#board`, `AUD#all`), and a message to an
//!   audience reaches only those connections. AppSync Events channels are named by the client and
//!   each channel namespace needs its own authorization handlers for the same rules;
//! - cost is per message (32 KB units) and per connection-minute, both listed prices we can
//!   count in `tests/bench cost`; a page that nothing happens to costs connection-minutes only.
//!
//! The token travels as a WebSocket subprotocol, never in the query string (which API Gateway,
//! CloudFront and proxies log): the page opens
//! `new WebSocket(url, ['console.v1', 'bearer.' + idToken])`, the authorizer reads
//! `Sec-WebSocket-Protocol` ([`token_from_protocols`]) and `$connect` answers
//! `Sec-WebSocket-Protocol: console.v1` ([`PROTOCOL`]), which browsers require.
//!
//! **Changes are published from DynamoDB Streams** (NEW_AND_OLD_IMAGES) by the `push` function,
//! not by the writes that make them: a stream is ordered per item, so two changes of one call
//! arrive in the order they were made; no request of an operator pays for the fan-out; and a write
//! that failed (a condition that did not hold, a transaction cancelled) publishes nothing. Each
//! stream record's old and new image is mapped to messages and audiences by [`changes`], the same
//! function the local runtime applies to its store's change feed.
//!
//! # The protocol
//!
//! Client → server: `{"action": "subscribe", "topics": [...]}` and `{"action": "ping"}`
//! ([`ClientMessage`]; API Gateway's route selection reads `$request.body.action`).
//! Server → client: one JSON [`Message`] per frame, tagged by `type`. Who may subscribe to what
//! is [`Topic::allowed`]: every signed-in user hears their own calls, presence, transfer offers and
//! settings changes; supervisors and admins also hear the board (every operator's row, calls,
//! memos as typed, the queue and the day's figures).
//!
//! A message says what changed with enough to apply it where that is cheap (presence, a memo, a
//! board row); where the page's view is built from several items (the live call), it says which
//! call changed and the page reads it once. After a reconnect the page reads everything once:
//! messages sent while it was away are not replayed.

mod connections;
mod mapping;

pub use connections::{ConnectionId, Connections, Member, Subscriber};
pub use mapping::{Delivery, changes, watches};

use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::domain::monitor::BoardCall;
use crate::domain::operators::Operator;
use crate::domain::transcripts::TranscriptLine;

/// The subprotocol of this protocol's version, which `$connect` answers with.
pub const PROTOCOL: &str = "console.v1";
/// What the subprotocol carrying the ID token starts with (`bearer.<token>`).
pub const BEARER_PREFIX: &str = "bearer.";
/// How long a connection's items live in the table: longer than API Gateway's two-hour limit on
/// a connection, so a `$disconnect` that never came is cleaned up by the TTL.
pub const CONNECTION_TTL_SECONDS: i64 = 3 * 3600;

/// The ID token of a `Sec-WebSocket-Protocol` header (`console.v1, bearer.<token>`), if it
/// offers this protocol and carries a token. A JWT is base64url and dots, so it is a valid
/// subprotocol token as it is.
pub fn token_from_protocols(header: &str) -> Option<&str> {
    let offered: Vec<&str> = header.split(',').map(str::trim).collect();
    if !offered.contains(&PROTOCOL) {
        return None;
    }
    offered
        .iter()
        .find_map(|p| p.strip_prefix(BEARER_PREFIX))
        .filter(|t| !t.is_empty())
}

/// What a connection can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Changes of calls the user is on, is offered, or transfers.
    Calls,
    /// The user's own presence (the server sets 通話中 and 後処理 as calls come and go).
    Presence,
    /// Transfers offered to the user.
    Transfers,
    /// The organisation's settings (an admin saved them).
    Settings,
    /// The supervisors' board: every operator, their calls and memos, the queue, the figures.
    Board,
}

impl Topic {
    pub const ALL: [Topic; 5] = [
        Topic::Calls,
        Topic::Presence,
        Topic::Transfers,
        Topic::Settings,
        Topic::Board,
    ];

    /// Whether a user of `role` may hear this topic.
    pub fn allowed(self, role: Role) -> bool {
        match self {
            Topic::Board => role >= Role::Supervisor,
            Topic::Calls | Topic::Presence | Topic::Transfers | Topic::Settings => true,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Calls => "calls",
            Topic::Presence => "presence",
            Topic::Transfers => "transfers",
            Topic::Settings => "settings",
            Topic::Board => "board",
        }
    }

    /// The audience a subscriber of this topic is filed under.
    pub fn audience(self, sub: &str) -> Audience {
        match self {
            Topic::Calls | Topic::Presence | Topic::Transfers => Audience::User(sub.to_owned()),
            Topic::Settings => Audience::All,
            Topic::Board => Audience::Board,
        }
    }
}

/// Who a message is for: one user's connections, the supervisors' boards, or everybody.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Audience {
    User(String),
    Board,
    All,
}

impl Audience {
    /// The partition of this audience's connections in the table.
    pub fn pk(&self) -> String {
        match self {
            Audience::User(sub) => crate::store::table::audience_user_pk(sub),
            Audience::Board => crate::store::table::AUDIENCE_BOARD_PK.to_owned(),
            Audience::All => crate::store::table::AUDIENCE_ALL_PK.to_owned(),
        }
    }

    /// Whether a connection of user `sub` subscribed to `topic` is in this audience.
    pub fn includes(&self, sub: &str, topic: Topic) -> bool {
        topic.audience(sub) == *self
    }
}

/// What a page sends.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// Hear these topics from now on (replacing what was subscribed before).
    Subscribe { topics: Vec<Topic> },
    /// Keep the connection open through idle timeouts (API Gateway closes one idle 10 minutes).
    Ping,
}

/// The actions a page may send, named in the error answering anything else.
pub const ACTIONS: &str = "subscribe {\"action\":\"subscribe\",\"topics\":[...]} or ping {\"action\":\"ping\"}";

impl ClientMessage {
    /// Reads a frame a page sent; the error says what to send instead.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() > 4096 {
            return Err(format!(
                "a message is at most 4096 bytes, not {}; send {ACTIONS}",
                text.len()
            ));
        }
        serde_json::from_str(text).map_err(|e| format!("the message is not understood ({e}); send {ACTIONS}"))
    }
}

/// The topics of a subscription that `role` may hear, or the error naming the first it may not.
pub fn check_topics(topics: &[Topic], role: Role) -> Result<Vec<Topic>, String> {
    if topics.is_empty() {
        return Err("subscribe to at least one topic: calls, presence, transfers, settings or board".into());
    }
    if let Some(t) = topics.iter().find(|t| !t.allowed(role)) {
        return Err(format!(
            "the topic '{}' needs the supervisor role; you may subscribe to calls, presence, transfers and settings",
            t.as_str()
        ));
    }
    let mut topics = topics.to_vec();
    topics.sort();
    topics.dedup();
    Ok(topics)
}

/// A call offered to the user as a transfer's target.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TransferOffer {
    /// The customer's CallSid.
    pub call: String,
    pub transfer_id: String,
    /// `warm` or `cold`.
    pub mode: String,
    pub from_operator: String,
    pub from_name: String,
}

/// A memo as its operator saved it, for the board.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MemoUpdate {
    /// The customer's CallSid.
    pub call: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_status: Option<String>,
    pub version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// What the server sends on the live channel.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    /// A call the user is on (or offered, or transferring) changed: read its live state once.
    CallChanged {
        call: String,
        /// The call's status as stored (`ringing`, `in-progress`, `completed`, …).
        status: String,
        /// Whether the call has ended.
        ended: bool,
    },
    /// The user's own presence changed.
    PresenceChanged { operator: Operator },
    /// A transfer is offered to the user.
    TransferOffered { offer: TransferOffer },
    /// An admin saved a settings section: read the settings once.
    SettingsChanged { section: String },
    /// An operator's row of the board changed (presence, current call).
    BoardRowChanged { operator: Operator },
    /// A call on the board changed; its memo fields are empty (memos come as `memo_changed`).
    BoardCallChanged {
        call: BoardCall,
        /// The operators the call involves (its operator, the one offered it, a transfer's ends).
        operators: Vec<String>,
        ended: bool,
    },
    /// An operator saved a call's memo.
    MemoChanged { memo: MemoUpdate },
    /// A phrase of a call's live transcript was heard (to the operators on the call and the
    /// board).
    TranscriptLine { line: TranscriptLine },
    /// A caller joined or left the queue, or a call was counted in the day's figures: read the
    /// board once.
    BoardChanged { reason: String },
    /// The answer to a subscription: the topics now heard.
    Subscribed { topics: Vec<Topic> },
    /// The answer to a ping.
    Pong,
    /// A message the server could not act on; `message` says what to send.
    Error { code: String, message: String },
}

impl Message {
    /// The message as the frame sent.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|_| r#"{"type":"error","code":"internal","message":"unserialisable"}"#.into())
    }

    /// An error answer.
    pub fn error(code: &str, message: impl Into<String>) -> Self {
        Message::Error {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// The live channel's messages in the API document, so the page's generated types carry them.
#[derive(utoipa::OpenApi)]
#[openapi(components(schemas(Message, ClientMessage, Topic, TransferOffer, MemoUpdate, TranscriptLine)))]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_read_from_the_offered_subprotocols_only_with_this_protocol() {
        assert_eq!(
            token_from_protocols("console.v1, bearer.abc.def.ghi"),
            Some("abc.def.ghi")
        );
        assert_eq!(
            token_from_protocols("bearer.abc.def.ghi,console.v1"),
            Some("abc.def.ghi")
        );
        assert_eq!(
            token_from_protocols("bearer.abc.def.ghi"),
            None,
            "no protocol version offered"
        );
        assert_eq!(token_from_protocols("console.v1"), None);
        assert_eq!(token_from_protocols("console.v1, bearer."), None);
        assert_eq!(token_from_protocols("console.v2, bearer.x"), None);
    }

    #[test]
    fn an_operator_may_not_subscribe_to_the_board_and_is_told_which_topics_they_may() {
        let e = check_topics(&[Topic::Calls, Topic::Board], Role::Operator).unwrap_err();
        assert!(e.contains("'board'") && e.contains("calls, presence"), "{e}");
        assert_eq!(
            check_topics(&[Topic::Board, Topic::Settings, Topic::Board], Role::Supervisor).unwrap(),
            vec![Topic::Settings, Topic::Board]
        );
        assert!(check_topics(&[], Role::Admin).is_err());
    }

    #[test]
    fn client_messages_are_read_by_action_and_anything_else_is_refused_naming_the_actions() {
        assert_eq!(
            ClientMessage::parse(r#"{"action":"subscribe","topics":["calls","settings"]}"#).unwrap(),
            ClientMessage::Subscribe {
                topics: vec![Topic::Calls, Topic::Settings]
            }
        );
        assert_eq!(
            ClientMessage::parse(r#"{"action":"ping"}"#).unwrap(),
            ClientMessage::Ping
        );
        for bad in [
            r#"{"action":"publish","topics":[]}"#,
            r#"{"action":"subscribe","topics":["everything"]}"#,
            "not json",
        ] {
            let e = ClientMessage::parse(bad).unwrap_err();
            assert!(e.contains("subscribe") && e.contains("ping"), "{bad}: {e}");
        }
        assert!(ClientMessage::parse(&"x".repeat(5000)).unwrap_err().contains("4096"));
    }

    #[test]
    fn messages_are_tagged_by_type() {
        let m = Message::SettingsChanged {
            section: "objects".into(),
        };
        assert_eq!(m.to_json(), r#"{"type":"settings_changed","section":"objects"}"#);
        assert_eq!(Message::Pong.to_json(), r#"{"type":"pong"}"#);
    }

    #[test]
    fn an_audience_holds_the_subscribers_of_its_topics() {
        assert!(Audience::User("u1".into()).includes("u1", Topic::Calls));
        assert!(!Audience::User("u1".into()).includes("u2", Topic::Calls));
        assert!(!Audience::User("u1".into()).includes("u1", Topic::Board));
        assert!(Audience::Board.includes("anyone", Topic::Board));
        assert!(Audience::All.includes("anyone", Topic::Settings));
    }
}
