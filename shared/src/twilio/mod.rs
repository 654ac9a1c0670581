//! Everything the product knows about Twilio's wire formats, in one place.
//!
//! Twilio is reached in four ways and each has its own module: webhooks that Twilio
//! sends us ([`webhook`], authenticated by [`signature`]), TwiML documents we answer
//! with ([`twiml`]), access tokens the browser softphone presents to Twilio
//! ([`token`]), and REST requests we send ([`rest`]). Call-control code does not use
//! the REST client directly: it talks to the [`telephony::Telephony`] port, so that
//! tests and the local simulator can stand in for Twilio. The account itself (its TwiML App, API key
//! and numbers) is made right over the same REST client by [`provision`], for the admin
//! command `twilio-provision`.
//!
//! Twilio's own rules — which TwiML documents it runs (`twiml::rules`) and which REST
//! requests its OpenAPI description allows (`spec`) — are checked only where something
//! plays Twilio's part or tests against it: the local simulator, the tests and the fuzz
//! targets. They are built with the `twilio-rules` feature (which `test-support` turns on),
//! so no deployed function carries them.
//!
//! The identifiers shared by all of these live here: Twilio SIDs are two letters and
//! 32 hexadecimal digits, and a string that is not one never gets past the edge.

/// Error for a value outside one of Twilio's documented sets of values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not one of: {expected}")]
pub struct UnknownValue {
    /// The value received.
    pub value: String,
    /// The documented values, space-separated, for the error message.
    pub expected: &'static str,
}

/// Declares an enum for one of Twilio's fixed sets of wire values, with its
/// spelling, parsing, `Display` and serde in one place so they cannot drift apart.
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(
                $(#[$vdoc])*
                #[doc = concat!("\n\nWritten `", $wire, "` on the wire.")]
                #[serde(rename = $wire)]
                $variant
            ),+
        }

        impl $name {
            /// Every value, in Twilio's documentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as Twilio writes it on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::twilio::UnknownValue;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    $($wire => Ok($name::$variant),)+
                    _ => Err($crate::twilio::UnknownValue {
                        value: value.to_owned(),
                        expected: concat!($($wire, " "),+),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Declares an enum for a set of wire values Twilio sends us and may add to (call states,
/// conference events, reasons): the documented values as variants, and any other value kept
/// as sent in `Other`, so a value Twilio adds later never makes us refuse a callback (a 4xx is
/// not retried and would drop the event). An unknown value is logged when it is read.
macro_rules! open_wire_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                $(#[$vdoc])*
                #[doc = concat!("\n\nWritten `", $wire, "` on the wire.")]
                $variant,
            )+
            /// A value this version does not model, as Twilio sent it.
            Other(String),
        }

        impl $name {
            /// Every documented value, in Twilio's documentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as Twilio writes it on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(value) => value,
                }
            }

            /// Whether this is one of the documented values.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(match value {
                    $($wire => $name::$variant,)+
                    _ => {
                        tracing::warn!(value, kind = stringify!($name), "Twilio sent a value this version does not model; kept as sent");
                        $name::Other(value.to_owned())
                    }
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = String::deserialize(d)?;
                Ok(match value.parse() {
                    Ok(v) => v,
                    Err(never) => match never {},
                })
            }
        }
    };
}

pub mod media;
pub mod provision;
pub mod rest;
pub mod signature;
#[cfg(feature = "twilio-rules")]
pub mod spec;
pub mod telephony;
pub mod token;
pub mod twiml;
pub mod webhook;

use std::fmt;
use std::str::FromStr;

/// Why a string is not a Twilio SID of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} must be \"{prefix}\" followed by 32 hexadecimal digits")]
pub struct InvalidSid {
    /// The name of the SID type, such as `CallSid`.
    pub kind: &'static str,
    /// The two-letter prefix that SID type requires.
    pub prefix: &'static str,
}

fn is_sid(value: &str, prefix: &str) -> bool {
    value.len() == 34 && value.starts_with(prefix) && value.as_bytes()[2..].iter().all(u8::is_ascii_hexdigit)
}

macro_rules! sid_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The two letters every SID of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            /// Parses a SID, refusing anything that is not the prefix and 32 hex digits.
            pub fn parse(value: &str) -> Result<Self, InvalidSid> {
                if is_sid(value, $prefix) {
                    Ok(Self(value.to_owned()))
                } else {
                    Err(InvalidSid { kind: stringify!($name), prefix: $prefix })
                }
            }

            /// The SID as Twilio writes it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = InvalidSid;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::parse(value)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidSid;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                if is_sid(&value, $prefix) {
                    Ok(Self(value))
                } else {
                    Err(InvalidSid { kind: stringify!($name), prefix: $prefix })
                }
            }
        }

        impl From<$name> for String {
            fn from(sid: $name) -> String {
                sid.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

sid_type!(
    /// A call's SID (`CA…`). Every operator call is a conference named after the
    /// customer's CallSid, so this is the key most records hang from.
    CallSid,
    "CA"
);
sid_type!(
    /// A conference's SID (`CF…`), which Twilio requires when updating participants.
    ConferenceSid,
    "CF"
);
sid_type!(
    /// The Twilio account's SID (`AC…`), which goes in every REST path.
    AccountSid,
    "AC"
);
sid_type!(
    /// An API key's SID (`SK…`): the REST user name and the access token issuer.
    ApiKeySid,
    "SK"
);
sid_type!(
    /// A TwiML App's SID (`AP…`), which the softphone's outgoing calls run through.
    ApplicationSid,
    "AP"
);
sid_type!(
    /// A phone number's SID (`PN…`): the IncomingPhoneNumber resource whose voice
    /// configuration sends its calls to the console.
    PhoneNumberSid,
    "PN"
);

/// Why a string cannot be a softphone identity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a client identity must be 1 to 256 ASCII letters, digits or underscores")]
pub struct InvalidClientIdentity;

/// The identity a browser softphone registers under: what `<Client>` and
/// `client:<identity>` ring and what the access token grants. Twilio allows only
/// letters, digits and underscores in Voice identities, so anything else would
/// register a softphone nobody can call.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientIdentity(String);

impl ClientIdentity {
    /// Parses an identity, refusing characters Twilio does not allow.
    pub fn parse(value: &str) -> Result<Self, InvalidClientIdentity> {
        let valid =
            !value.is_empty() && value.len() <= 256 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidClientIdentity)
        }
    }

    /// The identity as Twilio sees it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `client:<identity>` address Twilio uses in `From`/`To`.
    pub fn address(&self) -> String {
        format!("client:{}", self.0)
    }
}

impl TryFrom<String> for ClientIdentity {
    type Error = InvalidClientIdentity;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ClientIdentity> for String {
    fn from(identity: ClientIdentity) -> String {
        identity.0
    }
}

impl FromStr for ClientIdentity {
    type Err = InvalidClientIdentity;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::parse(value)
    }
}

impl fmt::Display for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sids_accept_both_hex_cases_and_refuse_other_shapes() {
        assert!(CallSid::parse(&format!("CA{}", "aB3".repeat(10) + "f0")).is_ok());
        assert!(CallSid::parse(&format!("CF{}", "0".repeat(32))).is_err());
        assert!(CallSid::parse(&format!("CA{}", "0".repeat(31))).is_err());
        assert!(CallSid::parse(&format!("CA{}", "g".repeat(32))).is_err());
        assert!(CallSid::parse(&format!("ca{}", "0".repeat(32))).is_err());
        assert!(CallSid::parse("CA１２").is_err());
        let err = ConferenceSid::parse("nope").unwrap_err();
        assert_eq!(
            err.to_string(),
            "ConferenceSid must be \"CF\" followed by 32 hexadecimal digits"
        );
    }

    #[test]
    fn sids_round_trip_through_json() {
        let sid = AccountSid::parse(&format!("AC{}", "1".repeat(32))).unwrap();
        let json = serde_json::to_string(&sid).unwrap();
        assert_eq!(serde_json::from_str::<AccountSid>(&json).unwrap(), sid);
        assert!(serde_json::from_str::<AccountSid>("\"AC1\"").is_err());
    }

    #[test]
    fn client_identities_allow_only_letters_digits_and_underscores() {
        assert_eq!(
            ClientIdentity::parse("op_Yamada01").unwrap().address(),
            "client:op_Yamada01"
        );
        for bad in ["", "op-1", "op 1", "op@x", "山田", "a?b=c"] {
            assert!(ClientIdentity::parse(bad).is_err(), "{bad}");
        }
    }
}
