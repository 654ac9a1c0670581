//! Where operators may call (the `dialing` settings section): the countries an outbound call,
//! a consultation call or a transfer to an outside number may reach — Japan alone until an
//! admin adds others — and never a premium-rate number. A stolen operator session can then
//! not run up a bill to an expensive destination: the number is refused before any leg is
//! placed, with a message that says why.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::phone::PhoneNumber;

/// The dial-out policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dialing {
    /// The countries operators may call, as ISO 3166 codes (`JP`, `US`); `JP` alone by default.
    pub allowed_countries: Vec<String>,
}

impl Default for Dialing {
    fn default() -> Self {
        Self {
            allowed_countries: vec!["JP".to_owned()],
        }
    }
}

/// The most countries the section may list.
const MAX_COUNTRIES: usize = 250;

impl Dialing {
    /// Checks the section on its own: at least one country, each a two-letter code
    /// libphonenumber knows, none twice.
    pub fn validate(&self) -> Result<(), String> {
        if self.allowed_countries.is_empty() {
            return Err("発信を許可する国を1つ以上指定してください（日本は JP）".into());
        }
        if self.allowed_countries.len() > MAX_COUNTRIES {
            return Err(format!("国は{MAX_COUNTRIES}か国までです"));
        }
        let mut seen = std::collections::HashSet::new();
        for c in &self.allowed_countries {
            let known = c.len() == 2
                && c.bytes().all(|b| b.is_ascii_uppercase())
                && rlibphonenumber::enums::Region::from_code(c).is_ok_and(|r| {
                    rlibphonenumber::PHONE_NUMBER_UTIL
                        .get_country_code_for_region(r)
                        .is_some()
                });
            if !known {
                return Err(format!(
                    "「{c}」は国コードではありません。ISO 3166 の2文字の大文字で書いてください（JP、US、KR）"
                ));
            }
            if !seen.insert(c.as_str()) {
                return Err(format!("国「{c}」が2回指定されています"));
            }
        }
        Ok(())
    }

    /// Whether operators may call `number`; the refusal names the request field (`field`), the
    /// number as the operator reads it and what to do, in Japanese (the page shows it as is).
    pub fn check(&self, number: &PhoneNumber, field: &str) -> Result<(), DomainError> {
        if number.is_premium_rate() {
            return Err(DomainError::invalid_field(
                "premium_rate_number",
                field,
                format!(
                    "{}: 有料情報サービス（プレミアム料金）の番号のため発信できません。",
                    number.display()
                ),
            ));
        }
        let country = number.country();
        if !self.allowed_countries.contains(&country) {
            return Err(DomainError::invalid_field(
                "barred_country",
                field,
                format!(
                    "{}: 発信が許可されていない国（{}）の番号です（管理者が設定で許可できます）。",
                    number.display(),
                    if country == "001" {
                        "国際番号"
                    } else {
                        country.as_str()
                    }
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(s: &str) -> PhoneNumber {
        PhoneNumber::parse(s).unwrap()
    }

    fn code(e: DomainError) -> &'static str {
        match e {
            DomainError::Invalid { code, .. } => code,
            other => panic!("not an invalid-input error: {other:?}"),
        }
    }

    #[test]
    fn japanese_landlines_mobiles_and_freephone_may_be_called_by_default() {
        let d = Dialing::default();
        for ok in ["03-1234-5678", "090-1234-5678", "0120-123-456", "06-6123-4567"] {
            d.check(&number(ok), "to").unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn a_foreign_number_is_refused_until_its_country_is_allowed() {
        let us = number("+1 212 555 0123");
        let err = Dialing::default().check(&us, "to").unwrap_err();
        assert!(err.to_string().contains("US"), "{err}");
        assert_eq!(code(err), "barred_country");
        let with_us = Dialing {
            allowed_countries: vec!["JP".into(), "US".into()],
        };
        with_us.check(&us, "to").unwrap();
    }

    #[test]
    fn premium_rate_numbers_are_refused_even_in_an_allowed_country() {
        let err = Dialing::default().check(&number("0990-123-456"), "to").unwrap_err();
        assert_eq!(code(err), "premium_rate_number");
        let uk = Dialing {
            allowed_countries: vec!["JP".into(), "GB".into()],
        };
        let err = uk.check(&number("+44 909 876 5432"), "to").unwrap_err();
        assert_eq!(code(err), "premium_rate_number");
        uk.check(&number("+44 20 7946 0123"), "to").unwrap();
    }

    #[test]
    fn numbers_of_no_country_are_refused() {
        let err = Dialing::default().check(&number("+800 1234 5678"), "to").unwrap_err();
        assert_eq!(code(err), "barred_country");
    }

    #[test]
    fn the_section_needs_known_country_codes() {
        for bad in [
            vec![],
            vec!["jp".to_owned()],
            vec!["XX".to_owned()],
            vec!["JPN".to_owned()],
            vec!["JP".to_owned(), "JP".to_owned()],
        ] {
            let d = Dialing {
                allowed_countries: bad.clone(),
            };
            assert!(d.validate().is_err(), "{bad:?}");
        }
        Dialing::default().validate().unwrap();
    }
}
