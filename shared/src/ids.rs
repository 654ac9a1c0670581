//! Identifiers parsed at the edge, so that a handler never sees an id it has to re-check and a
//! key in the store is never built from unchecked text.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a valid {kind}: {rule}")]
pub struct IdError {
    pub kind: &'static str,
    pub value: String,
    pub rule: &'static str,
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $rule:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Parses and checks the identifier.
            pub fn parse(s: &str) -> Result<Self, IdError> {
                let check: fn(&str) -> bool = $check;
                if check(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(IdError { kind: $kind, value: truncate(s), rule: $rule })
                }
            }
            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(concat!("A ", $kind, ": ", $rule)))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }
    };
}

fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

fn is_slug(s: &str, max: usize) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && s.len() <= max
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

string_id!(
    /// The API name of a CRM object (`account`, `contact`, `inquiry`, or one an admin defined).
    ObjectName, "object name", "lower-case letters, digits and _, starting with a letter, at most 40",
    |s| is_slug(s, 40)
);

string_id!(
    /// The API name of a field of an object.
    FieldName, "field name", "lower-case letters, digits and _, starting with a letter, at most 40",
    |s| is_slug(s, 40)
);

string_id!(
    /// The id of a record: a ULID, so ids sort by creation time.
    RecordId, "record id", "a 26-character ULID",
    |s| s.len() == 26 && ulid::Ulid::from_string(s).is_ok()
);

string_id!(
    /// An operator (signed-in user). Deployed it is the Cognito `sub`; locally a seeded id.
    /// The Twilio client identity is derived from it by [`OperatorId::client_identity`].
    OperatorId, "operator id", "lower-case letters, digits and -, at most 64",
    |s| !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
);

string_id!(
    /// A short admin-chosen id for a setting entry (a line, a status, a script).
    SettingId, "setting id", "lower-case letters, digits and _, starting with a letter, at most 40",
    |s| is_slug(s, 40)
);

impl RecordId {
    /// A new id, sorting after every id made before it in this process (a monotonic ULID:
    /// ids made in the same millisecond still sort in creation order).
    pub fn new() -> Self {
        static GENERATOR: std::sync::Mutex<ulid::Generator> = std::sync::Mutex::new(ulid::Generator::new());
        let next = GENERATOR
            .lock()
            .ok()
            .and_then(|mut g| g.generate().ok())
            .unwrap_or_default();
        Self(next.to_string())
    }
}

impl Default for RecordId {
    fn default() -> Self {
        Self::new()
    }
}

impl OperatorId {
    /// The Twilio Voice client identity of this operator. Twilio identities should hold only
    /// letters, digits and `_`, so `-` becomes `_`; the mapping is reversible because an
    /// operator id never contains `_`.
    pub fn client_identity(&self) -> String {
        self.0.replace('-', "_")
    }

    /// The operator behind a Twilio client identity (`client:` prefix allowed).
    pub fn from_client_identity(identity: &str) -> Result<Self, IdError> {
        let id = identity.strip_prefix("client:").unwrap_or(identity);
        Self::parse(&id.replace('_', "-"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_are_lower_case_slugs() {
        assert!(ObjectName::parse("account").is_ok());
        assert!(ObjectName::parse("deal_2").is_ok());
        for bad in ["", "Account", "2deal", "deal-x", "取引先", &"a".repeat(41)] {
            assert!(ObjectName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn record_ids_are_ulids_that_sort_by_creation() {
        let a = RecordId::new();
        let b = RecordId::new();
        assert!(a < b);
        assert!(RecordId::parse(a.as_str()).is_ok());
        assert!(RecordId::parse("not-a-ulid").is_err());
    }

    #[test]
    fn operator_ids_round_trip_through_twilio_client_identities() {
        let op = OperatorId::parse("4f1c-9a2b").unwrap();
        assert_eq!(op.client_identity(), "4f1c_9a2b");
        assert_eq!(OperatorId::from_client_identity("client:4f1c_9a2b").unwrap(), op);
    }
}
