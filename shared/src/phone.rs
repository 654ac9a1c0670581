//! Telephone numbers as the console stores them: E.164, parsed by Google's libphonenumber with
//! Japan as the default region, so `03-1234-5678`, `０３（１２３４）５６７８`,
//! `TEL: +81 3 1234 5678` and `tel:+81-3-1234-5678` are one number and find the same customer.
//!
//! A number may be written as Japanese CRM exports and spreadsheets write it ([`spelling`]): a
//! label before it, a note in brackets after it, an extension (`内線 123`, `ext. 123`, `x123`).
//! [`PhoneNumber`] is the line alone, what the store indexes and Twilio dials; [`ContactNumber`]
//! keeps the extension beside it, stored as `+81312345678;ext=123` (RFC 3966's extension
//! parameter on the E.164 number), for a call to send as digits after the line answers.
//!
//! The library is the `rlibphonenumber` port, built with `regex-lite`: its metadata for every
//! country is generated at build time and decoded in about a millisecond, and each country's
//! patterns are compiled the first time a number of that country is read, so a function's
//! first parse after a cold start costs about 3 ms (the `phonenumber` crate compiled every
//! country's patterns on the first parse). Keeping only the countries a centre serves would
//! save under a millisecond more, and refuse the others' numbers. Measured in a fresh process
//! on this project's 2-core machine (medians of 10–20 starts), parsing `03-1234-5678` first,
//! then `+39 06 6982 1234`; `tests/bench coldstart` has the functions' own figures:
//!
//! | library | first parse | next country | a parse after | binary | peak RSS | `+39 06…` |
//! |---|---:|---:|---:|---:|---:|---|
//! | `phonenumber` 0.3 | 68 ms | 2.8 ms | 25 µs | 2.9 MB | 15.7 MB | refused |
//! | `rlibphonenumber` 2.2, `regex` | 13 ms | 6.4 ms | 16 µs | 2.0 MB | 16.7 MB | read |
//! | `rlibphonenumber` 2.2, `regex-lite` | 3.4 ms | 0.1 ms | 11 µs | 0.8 MB | 7.2 MB | read |

mod spelling;

use std::fmt;
use std::str::FromStr;

use rlibphonenumber::{PHONE_NUMBER_UTIL, PhoneNumberFormat, enums::Region};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use unicode_normalization::UnicodeNormalization;

/// The longest E.164 number: a plus and 15 digits, country code included.
const E164_MAX_LEN: usize = 16;

/// The most digits an extension may have: the longest a switchboard uses, well inside what
/// Twilio sends after a call connects (32 keys, waits included).
pub const EXTENSION_MAX_DIGITS: usize = 10;

/// Japan's country calling code: its numbers are shown in national form.
const JAPAN: i32 = 81;

/// A valid telephone number in E.164 form (`+81312345678`): the line, without an extension.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

/// An extension behind a switchboard: 1 to [`EXTENSION_MAX_DIGITS`] digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Extension(String);

/// A number as a customer gives it: the line and, when they sit behind a switchboard, the
/// extension to dial after it answers.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContactNumber {
    number: PhoneNumber,
    extension: Option<Extension>,
}

/// Why a typed number was refused; the message tells the user what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("the phone number is empty")]
    Empty,
    #[error("the phone number is too long (at most 64 characters)")]
    TooLong,
    #[error(
        "'{0}' is not a valid phone number (examples: 03-1234-5678, 090-1234-5678, +81 3 1234 5678, 03-1234-5678 内線 123)"
    )]
    Invalid(String),
    #[error("'{0}': write the extension as its digits after 内線, ext. or x (at most 10), e.g. 03-1234-5678 内線 123")]
    Extension(String),
}

impl PhoneNumber {
    /// Parses what a person typed, what a file held or what Twilio sent, with Japan as the
    /// default region. An extension written with the number is read and left out: this is
    /// the line (see [`ContactNumber::parse`] to keep it).
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        ContactNumber::parse(input).map(|contact| contact.number)
    }

    /// The E.164 form, as stored and as sent to Twilio.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form a Japanese operator reads: `03-1234-5678` for Japanese numbers, the
    /// international form (`+39 06 6982 1234`) for others.
    pub fn display(&self) -> String {
        let Ok(number) = PHONE_NUMBER_UTIL.parse(&self.0, None) else {
            return self.0.clone();
        };
        let (shown, expected) = if number.country_code == JAPAN {
            (
                PHONE_NUMBER_UTIL.format(&number, PhoneNumberFormat::National),
                format!("0{}", &self.0[3..]),
            )
        } else {
            (
                PHONE_NUMBER_UTIL.format(&number, PhoneNumberFormat::International),
                self.0[1..].to_owned(),
            )
        };
        // A formatted form that does not carry every digit of the number is not shown.
        if shown.chars().filter(char::is_ascii_digit).eq(expected.chars()) {
            shown.into_owned()
        } else {
            self.0.clone()
        }
    }

    /// A masked form for logs: the country code and the last two digits.
    pub fn masked(&self) -> String {
        mask_digits(&self.0)
    }

    /// The country the number belongs to, as an ISO 3166 code (`JP`, `US`), or `001` for a
    /// number of no country (international freephone, satellite networks).
    pub fn country(&self) -> String {
        PHONE_NUMBER_UTIL
            .parse(&self.0, None)
            .ok()
            .and_then(|n| n.get_region_code())
            .map(|r| r.to_string())
            .unwrap_or_else(|| "001".to_owned())
    }

    /// Whether libphonenumber's metadata classes the number as premium rate (Japan's 0990,
    /// the UK's 09…): a call the caller pays extra for, and the usual aim of toll fraud.
    pub fn is_premium_rate(&self) -> bool {
        PHONE_NUMBER_UTIL
            .parse(&self.0, None)
            .is_ok_and(|n| n.get_type() == rlibphonenumber::PhoneNumberType::PremiumRate)
    }

    /// The E.164 form of the number libphonenumber reads in `text` (Japan as the default
    /// region), when it is one that its country gives out.
    fn read(text: &str) -> Option<Self> {
        let number = PHONE_NUMBER_UTIL.parse(text, Some(Region::JP)).ok()?;
        if !PHONE_NUMBER_UTIL.is_valid_number(&number) {
            return None;
        }
        let e164 = PHONE_NUMBER_UTIL.format(&number, PhoneNumberFormat::E164);
        (e164.len() <= E164_MAX_LEN).then(|| Self(e164.into_owned()))
    }
}

impl Extension {
    /// Reads an extension's digits (full-width digits folded).
    pub fn parse(digits: &str) -> Result<Self, PhoneError> {
        let folded: String = digits.trim().nfkc().collect();
        if folded.is_empty() || folded.len() > EXTENSION_MAX_DIGITS || !folded.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError::Extension(digits.trim().to_owned()));
        }
        Ok(Self(folded))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl ContactNumber {
    /// Parses a number as it is written, keeping an extension written with it.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let spelled = spelling::read(input)?;
        let number = PhoneNumber::read(&spelled.number).ok_or(PhoneError::Invalid(spelled.shown))?;
        Ok(Self {
            number,
            extension: spelled.extension,
        })
    }

    /// The line.
    pub fn number(&self) -> &PhoneNumber {
        &self.number
    }

    /// The extension, when the customer sits behind a switchboard.
    pub fn extension(&self) -> Option<&Extension> {
        self.extension.as_ref()
    }

    /// What a call to this number sends after the line answers, as Twilio's `SendDigits` (and
    /// TwiML's `sendDigits`) read it: a second's wait (`ww`) for the switchboard to listen,
    /// then the extension. `None` without an extension.
    pub fn send_digits(&self) -> Option<String> {
        self.extension.as_ref().map(|ext| format!("ww{}", ext.0))
    }

    /// The form an operator reads: `03-1234-5678 内線 123`.
    pub fn display(&self) -> String {
        match &self.extension {
            Some(ext) => format!("{} 内線 {}", self.number.display(), ext.0),
            None => self.number.display(),
        }
    }

    /// A masked form for logs.
    pub fn masked(&self) -> String {
        match &self.extension {
            Some(_) => format!("{};ext=…", self.number.masked()),
            None => self.number.masked(),
        }
    }
}

impl From<PhoneNumber> for ContactNumber {
    fn from(number: PhoneNumber) -> Self {
        Self {
            number,
            extension: None,
        }
    }
}

/// Masks a phone-like string for logs, keeping only the last two digits.
pub fn mask_digits(s: &str) -> String {
    let n = s.chars().count();
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if c.is_ascii_digit() && i + 2 < n && i > 2 {
                '*'
            } else {
                c
            }
        })
        .collect()
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

impl fmt::Display for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Extension({})", self.0)
    }
}

/// The stored form: `+81312345678`, or `+81312345678;ext=123` with an extension.
impl fmt::Display for ContactNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.extension {
            Some(ext) => write!(f, "{};ext={}", self.number, ext),
            None => write!(f, "{}", self.number),
        }
    }
}

impl fmt::Debug for ContactNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContactNumber({})", self.masked())
    }
}

impl FromStr for PhoneNumber {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl FromStr for ContactNumber {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Serialize for ContactNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ContactNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
