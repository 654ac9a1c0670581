//! Telephone numbers as the console stores them: E.164, parsed with a libphonenumber port with
//! Japan as the default region, so `03-1234-5678`, `０３（１２３４）５６７８` and
//! `+81 3 1234 5678` are one number and find the same customer.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock, PoisonError};

use phonenumber::metadata::{DATABASE, Descriptor};
use phonenumber::{Mode, country::Id};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use unicode_normalization::UnicodeNormalization;

/// The longest E.164 number: a plus and 15 digits, country code included. The `phonenumber`
/// crate's metadata lets some numbers (German ones) run past it, and such a number is not the
/// E.164 form the console stores and sends to Twilio.
const E164_MAX_LEN: usize = 16;

/// A valid telephone number in E.164 form (`+81312345678`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

/// Why a typed number was refused; the message tells the user what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("the phone number is empty")]
    Empty,
    #[error("the phone number is too long (at most 32 characters)")]
    TooLong,
    #[error("'{0}' is not a valid phone number (examples: 03-1234-5678, 090-1234-5678, +81 3 1234 5678)")]
    Invalid(String),
}

impl PhoneNumber {
    /// Parses what a person typed, or what Twilio sent, with Japan as the default region.
    ///
    /// Full-width digits and brackets are folded by NFKC first; an international prefix of
    /// `00` or `010` (dialled from Japan) is read as `+`.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let folded: String = input.nfkc().collect();
        let trimmed = folded.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        if trimmed.chars().count() > 32 {
            return Err(PhoneError::TooLong);
        }
        if trimmed
            .chars()
            .any(|c| !(c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')' | '.' | 'ー' | '‐' | '−')))
        {
            return Err(PhoneError::Invalid(trimmed.to_owned()));
        }
        let digits: String = trimmed.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
        let normalised = if let Some(rest) = digits.strip_prefix("010") {
            format!("+{rest}")
        } else if let Some(rest) = digits.strip_prefix("00") {
            format!("+{rest}")
        } else {
            digits
        };
        let parsed =
            phonenumber::parse(Some(Id::JP), &normalised).map_err(|_| PhoneError::Invalid(trimmed.to_owned()))?;
        if !phonenumber::is_valid(&parsed) || !matches_a_pattern_in_full(&parsed) {
            return Err(PhoneError::Invalid(trimmed.to_owned()));
        }
        let e164 = parsed.format().mode(Mode::E164).to_string();
        if e164.len() > E164_MAX_LEN || !reads_back(&parsed, &e164) {
            return Err(PhoneError::Invalid(trimmed.to_owned()));
        }
        Ok(Self(e164))
    }

    /// The E.164 form, as stored and as sent to Twilio.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form a Japanese operator reads: `03-1234-5678` for Japanese numbers, the
    /// international form for others.
    ///
    /// A formatted form that does not carry every digit of the number (the `phonenumber` crate
    /// drops one from some Russian numbers) is not shown: the E.164 form is.
    pub fn display(&self) -> String {
        let (shown, expected) = match phonenumber::parse(None, &self.0) {
            Ok(n) if n.code().value() == 81 => (
                n.format().mode(Mode::National).to_string(),
                format!("0{}", &self.0[3..]),
            ),
            Ok(n) => (n.format().mode(Mode::International).to_string(), self.0[1..].to_owned()),
            Err(_) => return self.0.clone(),
        };
        if shown.chars().filter(char::is_ascii_digit).eq(expected.chars()) {
            shown
        } else {
            self.0.clone()
        }
    }

    /// A masked form for logs: the country code and the last two digits.
    pub fn masked(&self) -> String {
        mask_digits(&self.0)
    }
}

/// Whether the E.164 form reads back as the same number. The crate does not always manage it
/// outside Japan (a number typed `+39 000…` loses leading zeros, and its E.164 form then loses
/// another), and a number stored in a form that reads as another could never be found again.
fn reads_back(parsed: &phonenumber::PhoneNumber, e164: &str) -> bool {
    parsed.code().value() == 81
        || phonenumber::parse(Some(Id::JP), e164).is_ok_and(|again| again.format().mode(Mode::E164).to_string() == e164)
}

/// Whether the number is one its country gives out: its digits match one of the country's
/// patterns (fixed line, mobile, toll-free…) from first digit to last. The `phonenumber` crate's
/// own check accepts a number when a pattern matches its beginning, so `0120-123-456789`, a
/// free-dial number with three digits too many, would pass and be stored in a form longer than
/// E.164 allows.
fn matches_a_pattern_in_full(number: &phonenumber::PhoneNumber) -> bool {
    let Some(meta) = number.metadata(&DATABASE) else {
        return false;
    };
    let national = number.national().to_string();
    let d = meta.descriptors();
    matches_in_full(d.general(), &national)
        && [
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ]
        .into_iter()
        .flatten()
        .any(|desc| matches_in_full(desc, &national))
}

fn matches_in_full(desc: &Descriptor, national: &str) -> bool {
    static ANCHORED: OnceLock<Mutex<HashMap<String, regex::Regex>>> = OnceLock::new();
    let lengths = desc.possible_length();
    if !lengths.is_empty() && !lengths.iter().any(|&n| usize::from(n) == national.len()) {
        return false;
    }
    let pattern = desc.national_number().as_str();
    let mut anchored = ANCHORED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if !anchored.contains_key(pattern) {
        let Ok(regex) = regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .ignore_whitespace(true)
            .build()
        else {
            return false;
        };
        anchored.insert(pattern.to_owned(), regex);
    }
    anchored[pattern].is_match(national)
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

impl FromStr for PhoneNumber {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_tokyo_number_written_six_ways_is_one_number() {
        let forms = [
            "03-1234-5678",
            "０３（１２３４）５６７８",
            "+81 3 1234 5678",
            "0312345678",
            "0081312345678",
            "(03) 1234-5678",
            "+81-3-1234-5678",
        ];
        for f in forms {
            assert_eq!(PhoneNumber::parse(f).unwrap().as_str(), "+81312345678", "{f}");
        }
    }

    #[test]
    fn japanese_mobile_ip_freedial_and_navidial_numbers_are_accepted() {
        for (input, e164) in [
            ("090-1234-5678", "+819012345678"),
            ("080-1234-5678", "+818012345678"),
            ("070-1234-5678", "+817012345678"),
            ("050-1234-5678", "+815012345678"),
            ("0120-123-456", "+81120123456"),
            ("0570-012-345", "+81570012345"),
        ] {
            assert_eq!(PhoneNumber::parse(input).unwrap().as_str(), e164, "{input}");
        }
    }

    #[test]
    fn numbers_are_displayed_in_the_national_japanese_form() {
        assert_eq!(PhoneNumber::parse("+81312345678").unwrap().display(), "03-1234-5678");
        assert_eq!(PhoneNumber::parse("09012345678").unwrap().display(), "090-1234-5678");
    }

    #[test]
    fn a_displayed_number_keeps_every_digit() {
        for (input, shown) in [
            ("+7 809 132 5678", "+78091325678"),
            ("+7 495 123-45-67", "+7 495 123-45-67"),
            ("+1 650-253-0000", "+1 650-253-0000"),
            ("0120-123-456", "0120-123-456"),
        ] {
            assert_eq!(PhoneNumber::parse(input).unwrap().display(), shown, "{input}");
        }
    }

    #[test]
    fn garbage_and_empty_numbers_are_refused_with_a_reason() {
        assert_eq!(PhoneNumber::parse("  "), Err(PhoneError::Empty));
        assert!(matches!(PhoneNumber::parse("12"), Err(PhoneError::Invalid(_))));
        assert!(matches!(PhoneNumber::parse("abc-defg"), Err(PhoneError::Invalid(_))));
        assert!(matches!(
            PhoneNumber::parse("03-1234-5678; DROP"),
            Err(PhoneError::Invalid(_))
        ));
        assert_eq!(PhoneNumber::parse(&"1".repeat(40)), Err(PhoneError::TooLong));
    }

    #[test]
    fn numbers_with_digits_too_many_or_that_read_back_as_another_are_refused() {
        for typo in [
            "0120-031-754-712-348",
            "0120-123-4567",
            "03-1234-56789",
            "090-1234-56789",
            "+49 5880 158920 55781",
            "+39 000 3900 000504",
        ] {
            assert!(
                matches!(PhoneNumber::parse(typo), Err(PhoneError::Invalid(_))),
                "{typo}"
            );
        }
    }

    #[test]
    fn masked_numbers_keep_only_the_country_code_and_last_two_digits() {
        assert_eq!(PhoneNumber::parse("03-1234-5678").unwrap().masked(), "+81*******78");
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC{0,40}") {
            let _ = PhoneNumber::parse(&s);
        }
    }
}
