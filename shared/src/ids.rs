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

        parsed_id!($name);

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
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
    };
}

/// What every id shares once it has a `parse`: shown as its text (`Debug` with its type's name),
/// read from a string by `serde` and `FromStr` through `parse`, so a malformed one is refused
/// wherever it comes from.
macro_rules! parsed_id {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }

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

string_id!(
    /// The token of a short-lived link (a recording played in the page): 128 random bits as 32
    /// lower-case hexadecimal digits, a capability no one can guess while it lives.
    LinkToken, "link token", "32 lower-case hexadecimal digits",
    |s| s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
);

impl LinkToken {
    /// A fresh token from the operating system's random source.
    pub fn new() -> Self {
        Self(format!("{:032x}", rand::random::<u128>()))
    }
}

impl Default for LinkToken {
    fn default() -> Self {
        Self::new()
    }
}

string_id!(
    /// The name of a section of the settings (`lines`, `scripts`, `objects` …); which sections
    /// there are is the settings service's to say.
    SectionName, "settings section", "lower-case letters, digits and _, starting with a letter, at most 40",
    |s| is_slug(s, 40)
);

string_id!(
    /// A call list's target: the id of the import it came from, `-` and the line of the file
    /// (seven digits), so that a chunk sent twice yields the same ids and ids sort in file order.
    TargetId, "call-list target id", "a 26-character ULID, '-' and seven digits",
    |s| s.len() == 34
        && s.is_ascii()
        && s.as_bytes()[26] == b'-'
        && RecordId::parse(&s[..26]).is_ok()
        && s[27..].bytes().all(|b| b.is_ascii_digit())
);

impl TargetId {
    /// The id of the target imported from `line` of the file of `import`.
    pub fn new(import: &RecordId, line: u64) -> Self {
        Self(format!("{import}-{line:07}"))
    }

    /// A target id as the store keeps it (written by [`TargetId::new`], so not checked again).
    pub(crate) fn from_stored(id: String) -> Self {
        Self(id)
    }

    /// The identifier as owned text.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A record id standing for one kind of thing (a call list, an import), so that a path naming
/// something else is refused with what an id of that kind looks like.
macro_rules! record_id_of {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(RecordId);

        impl $name {
            /// Parses and checks the identifier.
            pub fn parse(s: &str) -> Result<Self, IdError> {
                RecordId::parse(s).map(Self).map_err(|e| IdError { kind: $kind, ..e })
            }
            /// The record id it is.
            pub fn record_id(&self) -> &RecordId {
                &self.0
            }
        }

        parsed_id!($name);
    };
}

record_id_of!(
    /// A call list (架電リスト).
    CallListId, "call list id"
);

record_id_of!(
    /// A CSV import into a call list.
    ImportId, "import id"
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

    #[test]
    fn target_ids_carry_the_import_and_the_line_and_sort_in_file_order() {
        let import = RecordId::new();
        let a = TargetId::new(&import, 2);
        let b = TargetId::new(&import, 10);
        assert!(a < b);
        assert_eq!(TargetId::parse(a.as_str()).unwrap(), a);
        assert!(TargetId::parse("nope").is_err());
        assert!(TargetId::parse(&format!("{import}-00000x1")).is_err());
        assert!(
            TargetId::parse(&format!("a{}", "あ".repeat(11))).is_err(),
            "no panic on multi-byte text"
        );
    }

    #[test]
    fn a_list_or_import_id_is_a_record_id_refused_under_its_own_name() {
        let id = RecordId::new();
        assert_eq!(CallListId::parse(id.as_str()).unwrap().record_id(), &id);
        let e = CallListId::parse("not-a-list").unwrap_err();
        assert_eq!((e.kind, e.value.as_str()), ("call list id", "not-a-list"));
        assert!(e.to_string().contains("26-character ULID"), "{e}");
        assert_eq!(ImportId::parse("x").unwrap_err().kind, "import id");
        let from_json: ImportId = serde_json::from_value(serde_json::json!(id.as_str())).unwrap();
        assert_eq!(from_json.record_id(), &id);
    }

    #[test]
    fn section_names_are_slugs() {
        assert!(SectionName::parse("response_statuses").is_ok());
        for bad in ["", "Lines", "lines/x", "設定"] {
            assert!(SectionName::parse(bad).is_err(), "{bad}");
        }
    }
}
