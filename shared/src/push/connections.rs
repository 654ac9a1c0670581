//! Open connections of the deployed live channel and the audiences they are filed under, kept in
//! the table (keys in [`crate::store::table`]): `$connect` stores who opened a connection,
//! `subscribe` files it under the audiences of its topics, `$disconnect` (or the TTL, when API
//! Gateway never said) removes it, and the `push` function reads an audience's partition to find
//! whom a message goes to.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::{Value, json};

use super::{Audience, CONNECTION_TTL_SECONDS, Delivery, Topic, check_topics};
use crate::auth::Role;
use crate::error::DomainError;
use crate::store::table::{CONNECTION_SK, connection_key};
use crate::store::{Item, Key, Query, Store, epoch_now, str_attr};

/// An API Gateway connection id (`L0SM9cOFvHcCIhw=`): 1 to 128 characters of base64 and `-_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(String);

impl ConnectionId {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let ok = !s.is_empty()
            && s.len() <= 128
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-' | b'+' | b'/'));
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(DomainError::invalid(
                "connection_id",
                "a connection id is 1 to 128 characters of letters, digits and =_-+/",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who opened a connection, as the authorizer verified them.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscriber {
    pub sub: String,
    pub role: Role,
}

/// A connection of an audience and the topics it hears.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub connection: ConnectionId,
    pub topics: Vec<Topic>,
}

/// The connections of the live channel in the table.
pub struct Connections {
    store: Arc<dyn Store>,
}

fn topics_of(item: &Item) -> Vec<Topic> {
    item.get("topics")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

impl Connections {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Stores a connection that `$connect` accepted; it hears nothing until it subscribes.
    pub async fn connect(&self, id: &ConnectionId, who: &Subscriber) -> Result<(), DomainError> {
        let key = connection_key(id.as_str());
        let mut item = Item::new();
        item.insert("PK".into(), key.pk.into());
        item.insert("SK".into(), CONNECTION_SK.into());
        item.insert("sub".into(), who.sub.clone().into());
        item.insert("role".into(), json!(who.role));
        item.insert("topics".into(), json!([]));
        item.insert(
            "connected_at".into(),
            chrono::Utc::now()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                .into(),
        );
        item.insert("expires_at".into(), (epoch_now() + CONNECTION_TTL_SECONDS).into());
        self.store.put(item, None).await?;
        Ok(())
    }

    /// Who opened a connection, if it is still stored.
    pub async fn subscriber(&self, id: &ConnectionId) -> Result<Option<(Subscriber, Vec<Topic>)>, DomainError> {
        let Some(item) = self.store.get(&connection_key(id.as_str())).await? else {
            return Ok(None);
        };
        let role = item
            .get("role")
            .cloned()
            .and_then(|v| serde_json::from_value::<Role>(v).ok());
        let (Some(sub), Some(role)) = (str_attr(&item, "sub"), role) else {
            return Ok(None);
        };
        Ok(Some((
            Subscriber {
                sub: sub.to_owned(),
                role,
            },
            topics_of(&item),
        )))
    }

    /// Files a connection under the audiences of `topics` (replacing its subscription) and
    /// returns the topics now heard. A topic its role may not hear is refused, naming it.
    pub async fn subscribe(&self, id: &ConnectionId, topics: &[Topic]) -> Result<Vec<Topic>, DomainError> {
        let (who, before) = self
            .subscriber(id)
            .await?
            .ok_or_else(|| DomainError::NotFound("the connection is closed; connect again".into()))?;
        let topics = check_topics(topics, who.role).map_err(|m| DomainError::invalid("topics", m))?;
        let expires = epoch_now() + CONNECTION_TTL_SECONDS;
        let mut grouped: HashMap<Audience, Vec<Topic>> = HashMap::new();
        for t in &topics {
            grouped.entry(t.audience(&who.sub)).or_default().push(*t);
        }
        let mut puts: Vec<Item> = grouped
            .iter()
            .map(|(aud, ts)| {
                let mut item = Item::new();
                item.insert("PK".into(), aud.pk().into());
                item.insert("SK".into(), id.as_str().into());
                item.insert("topics".into(), json!(ts));
                item.insert("expires_at".into(), expires.into());
                item
            })
            .collect();
        let dropped: Vec<Key> = before
            .iter()
            .map(|t| t.audience(&who.sub))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter(|a| !grouped.contains_key(a))
            .map(|a| Key::new(a.pk(), id.as_str()))
            .collect();
        let mut conn = Item::new();
        let key = connection_key(id.as_str());
        conn.insert("PK".into(), key.pk.into());
        conn.insert("SK".into(), CONNECTION_SK.into());
        conn.insert("sub".into(), who.sub.clone().into());
        conn.insert("role".into(), json!(who.role));
        conn.insert("topics".into(), json!(topics));
        conn.insert("expires_at".into(), expires.into());
        puts.push(conn);
        self.store.batch_write(puts, dropped).await?;
        Ok(topics)
    }

    /// Forgets a connection and its place in every audience (`$disconnect`, or a 410 Gone).
    pub async fn disconnect(&self, id: &ConnectionId) -> Result<(), DomainError> {
        let key = connection_key(id.as_str());
        let mut deletes: Vec<Key> = match self.subscriber(id).await? {
            Some((who, topics)) => topics
                .iter()
                .map(|t| t.audience(&who.sub))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .map(|a| Key::new(a.pk(), id.as_str()))
                .collect(),
            None => Vec::new(),
        };
        deletes.push(key);
        self.store.batch_write(Vec::new(), deletes).await?;
        Ok(())
    }

    /// The connections of an audience (expired ones left out).
    pub async fn members(&self, audience: &Audience) -> Result<Vec<Member>, DomainError> {
        let now = epoch_now();
        let mut out = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .store
                .query(Query::partition(audience.pk()).limit(1000).after(cursor))
                .await?;
            for item in &page.items {
                if item.get("expires_at").and_then(Value::as_i64).is_some_and(|t| t <= now) {
                    continue;
                }
                if let Some(id) = str_attr(item, "SK").and_then(|s| ConnectionId::parse(s).ok()) {
                    out.push(Member {
                        connection: id,
                        topics: topics_of(item),
                    });
                }
            }
            cursor = page.cursor;
            if cursor.is_none() {
                return Ok(out);
            }
        }
    }

    /// Whom each delivery reaches: (connection, frame) pairs, each audience read once.
    pub async fn addressed(&self, deliveries: &[Delivery]) -> Result<Vec<(ConnectionId, String)>, DomainError> {
        let mut members: HashMap<Audience, Vec<Member>> = HashMap::new();
        let mut out = Vec::new();
        for d in deliveries {
            if !members.contains_key(&d.audience) {
                let m = self.members(&d.audience).await?;
                members.insert(d.audience.clone(), m);
            }
            let frame = d.message.to_json();
            for m in &members[&d.audience] {
                if m.topics.contains(&d.topic) {
                    out.push((m.connection.clone(), frame.clone()));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::push::Message;
    use crate::store::embedded::EmbeddedStore;

    fn conn(s: &str) -> ConnectionId {
        ConnectionId::parse(s).unwrap()
    }

    async fn connected(c: &Connections, id: &str, sub: &str, role: Role) {
        c.connect(&conn(id), &Subscriber { sub: sub.into(), role })
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_message_reaches_only_the_connections_subscribed_to_its_topic_in_its_audience() {
        let c = Connections::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        connected(&c, "opA=", "op1", Role::Operator).await;
        connected(&c, "opB=", "op2", Role::Operator).await;
        connected(&c, "sup=", "sv1", Role::Supervisor).await;
        c.subscribe(&conn("opA="), &[Topic::Calls, Topic::Settings])
            .await
            .unwrap();
        c.subscribe(&conn("opB="), &[Topic::Presence]).await.unwrap();
        c.subscribe(&conn("sup="), &[Topic::Board, Topic::Settings])
            .await
            .unwrap();
        let deliveries = vec![
            Delivery {
                audience: Audience::User("op1".into()),
                topic: Topic::Calls,
                message: Message::Pong,
            },
            Delivery {
                audience: Audience::All,
                topic: Topic::Settings,
                message: Message::SettingsChanged { section: "s".into() },
            },
            Delivery {
                audience: Audience::Board,
                topic: Topic::Board,
                message: Message::BoardChanged { reason: "queue".into() },
            },
        ];
        let mut to: Vec<(String, String)> = c
            .addressed(&deliveries)
            .await
            .unwrap()
            .into_iter()
            .map(|(id, f)| (id.as_str().to_owned(), f))
            .collect();
        to.sort();
        let names: Vec<(&str, &str)> = to
            .iter()
            .map(|(id, f)| {
                (
                    id.as_str(),
                    if f.contains("pong") {
                        "pong"
                    } else if f.contains("settings") {
                        "settings"
                    } else {
                        "board"
                    },
                )
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("opA=", "pong"),
                ("opA=", "settings"),
                ("sup=", "board"),
                ("sup=", "settings")
            ]
        );
    }

    #[tokio::test]
    async fn an_operator_subscribing_to_the_board_is_refused_and_a_closed_connection_is_gone() {
        let c = Connections::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        connected(&c, "opA=", "op1", Role::Operator).await;
        let e = c.subscribe(&conn("opA="), &[Topic::Board]).await.unwrap_err();
        assert!(e.to_string().contains("supervisor"), "{e}");
        c.subscribe(&conn("opA="), &[Topic::Calls]).await.unwrap();
        c.disconnect(&conn("opA=")).await.unwrap();
        assert!(c.members(&Audience::User("op1".into())).await.unwrap().is_empty());
        assert!(c.subscribe(&conn("opA="), &[Topic::Calls]).await.is_err());
    }

    #[tokio::test]
    async fn a_new_subscription_leaves_the_audiences_it_no_longer_hears() {
        let c = Connections::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
        connected(&c, "sup=", "sv1", Role::Admin).await;
        c.subscribe(&conn("sup="), &[Topic::Board, Topic::Calls]).await.unwrap();
        c.subscribe(&conn("sup="), &[Topic::Settings]).await.unwrap();
        assert!(c.members(&Audience::Board).await.unwrap().is_empty());
        assert!(c.members(&Audience::User("sv1".into())).await.unwrap().is_empty());
        assert_eq!(c.members(&Audience::All).await.unwrap().len(), 1);
    }

    #[test]
    fn connection_ids_are_checked() {
        assert!(ConnectionId::parse("L0SM9cOFvHcCIhw=").is_ok());
        assert!(ConnectionId::parse("").is_err());
        assert!(ConnectionId::parse("a b").is_err());
        assert!(ConnectionId::parse(&"a".repeat(129)).is_err());
    }
}
