//! Checks REST requests against Twilio's own OpenAPI description of the API.
//!
//! Every request we send must conform to Twilio's spec, and a wrong parameter name
//! or enum value is otherwise only found in production (Twilio answers 400, the
//! operator's hold button does nothing). [`SpecIndex`] reads the spec once into an
//! index of (method, path template) to operation with its form-encoded body schema
//! (or its query parameters, for GETs), and [`SpecIndex::validate`] reports every
//! way a request departs from it: a path not in the spec, unknown or repeated
//! parameters, missing required ones, values of the wrong type, outside an enum,
//! or failing a `format`, `pattern` or bound.
//!
//! The REST client's tests run every request they send through it, and the local
//! Twilio simulator refuses non-conforming requests with it, as Twilio would. The
//! full spec is 1.8 MB and lives outside the repo; [`voice_subset`] loads the part
//! the product uses, extracted by `tests/tools/twilio-vectors/extract_spec_subset.py`.
//! The auth-token rotation endpoints belong to another API (Accounts v1, on
//! `accounts.twilio.com`) with a spec of its own; [`accounts_subset`] loads the two
//! paths of it the rotation uses.
//!
//! One convention of Twilio's is not in the spec: an optional SID field of a resource
//! is cleared by updating it to the empty string (an IncomingPhoneNumber's
//! `VoiceApplicationSid=`, which the spec's own examples show as `""` once unset).
//! [`SpecIndex::validate`] accepts exactly that: an empty value for an optional SID
//! parameter of an instance update (`POST …/{Sid}.json`), nothing else.

use std::collections::{BTreeMap, HashMap};

use regex::Regex;
use serde_json::Value;

use super::twiml::rules::validate_twiml;

/// A way a request departs from the spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecViolation {
    /// No path template in the spec matches the path.
    #[error("{method} {path} is not a path in Twilio's API")]
    PathNotInSpec {
        /// The request method.
        method: String,
        /// The request path.
        path: String,
    },
    /// The path exists but not with this method.
    #[error("{template} has no {method} operation")]
    MethodNotInSpec {
        /// The request method.
        method: String,
        /// The matching path template.
        template: String,
    },
    /// A path segment does not fit its parameter's schema (a SID of the wrong kind).
    #[error("path parameter {name}={value:?} is invalid: {reason}")]
    BadPathParameter {
        /// The template's parameter name.
        name: String,
        /// The segment found.
        value: String,
        /// Which constraint failed.
        reason: String,
    },
    /// A parameter the operation does not take.
    #[error("{name} is not a parameter of this operation")]
    UnknownParameter {
        /// The parameter name.
        name: String,
    },
    /// A required parameter is absent.
    #[error("the required parameter {name} is missing")]
    MissingRequired {
        /// The parameter name.
        name: String,
    },
    /// A scalar parameter sent more than once (only arrays repeat).
    #[error("{name} is sent more than once but is not an array")]
    Repeated {
        /// The parameter name.
        name: String,
    },
    /// A value of the wrong type (`true`/`false`, an integer).
    #[error("{name}={value:?} is not a valid {expected}")]
    WrongType {
        /// The parameter name.
        name: String,
        /// The value sent.
        value: String,
        /// The spec's type.
        expected: String,
    },
    /// A value outside the parameter's enum.
    #[error("{name}={value:?} is not one of {allowed:?}")]
    NotInEnum {
        /// The parameter name.
        name: String,
        /// The value sent.
        value: String,
        /// The values the spec allows.
        allowed: Vec<String>,
    },
    /// A value that fails the parameter's `format`, `pattern`, length or bounds.
    #[error("{name}={value:?} is invalid: {reason}")]
    Constraint {
        /// The parameter name.
        name: String,
        /// The value sent.
        value: String,
        /// Which constraint failed.
        reason: String,
    },
}

/// Why a spec document could not be indexed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the OpenAPI document cannot be indexed: {0}")]
pub struct SpecError(String);

/// The operations of an OpenAPI document, indexed for checking requests.
#[derive(Debug, Clone)]
pub struct SpecIndex {
    operations: Vec<Operation>,
}

#[derive(Debug, Clone)]
struct Operation {
    method: String,
    template: String,
    segments: Vec<Segment>,
    path_params: HashMap<String, Schema>,
    params: BTreeMap<String, Schema>,
    required: Vec<String>,
}

/// An operation whose template fits a path, with how specifically it fits.
struct Candidate<'a> {
    op: &'a Operation,
    captures: Vec<(String, String)>,
    literals: usize,
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    Param { name: String, suffix: String },
}

#[derive(Debug, Clone)]
struct Schema {
    kind: Kind,
    enumeration: Option<Vec<String>>,
    format: Option<String>,
    pattern: Option<Regex>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    minimum: Option<i64>,
    maximum: Option<i64>,
}

#[derive(Debug, Clone)]
enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    Array(Box<Schema>),
    Other,
}

const METHODS: &[&str] = &["get", "post", "delete", "put", "patch"];
const MAX_REF_DEPTH: usize = 16;

/// The committed subset of Twilio's spec covering the operations the product uses:
/// Calls, Conferences and Participants for call control, and Applications, Keys and
/// IncomingPhoneNumbers for provisioning the account. Indexed once per process.
pub fn voice_subset() -> &'static SpecIndex {
    static INDEX: std::sync::OnceLock<SpecIndex> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let text = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/twilio/api_v2010_voice_subset.json"
        ));
        let spec: Value = serde_json::from_str(text).expect("the committed spec subset is JSON");
        SpecIndex::from_spec(&spec).expect("the committed spec subset indexes")
    })
}

/// The Accounts v1 operations that rotate the auth token (`/v1/AuthTokens/Secondary`,
/// `/v1/AuthTokens/Promote`), as Twilio's `twilio_accounts_v1.json` describes them: cut by
/// hand into `testdata/twilio/accounts_v1_auth_tokens.json`, since that spec is not beside
/// the repo. Indexed once per process.
pub fn accounts_subset() -> &'static SpecIndex {
    static INDEX: std::sync::OnceLock<SpecIndex> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let text = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/twilio/accounts_v1_auth_tokens.json"
        ));
        let spec: Value = serde_json::from_str(text).expect("the committed Accounts v1 subset is JSON");
        SpecIndex::from_spec(&spec).expect("the committed Accounts v1 subset indexes")
    })
}

impl SpecIndex {
    /// Indexes every operation of an OpenAPI 3 document.
    pub fn from_spec(spec: &Value) -> Result<Self, SpecError> {
        let paths = spec
            .get("paths")
            .and_then(Value::as_object)
            .ok_or_else(|| SpecError("no paths object".to_owned()))?;
        let mut operations = Vec::new();
        for (template, item) in paths {
            for method in METHODS {
                let Some(op) = item.get(*method) else {
                    continue;
                };
                operations.push(Operation::from_spec(spec, template, method, item, op)?);
            }
        }
        Ok(Self { operations })
    }

    /// The (method, path template) pairs indexed, for diagnostics.
    pub fn operations(&self) -> Vec<(String, String)> {
        self.operations
            .iter()
            .map(|op| (op.method.clone(), op.template.clone()))
            .collect()
    }

    /// Checks a request: `path` is the URL path (no query string), `params` the
    /// form body for POST or the query parameters for GET and DELETE, decoded.
    /// Returns every violation found, not just the first.
    pub fn validate(&self, method: &str, path: &str, params: &[(String, String)]) -> Result<(), Vec<SpecViolation>> {
        let method = method.to_ascii_uppercase();
        let mut best: Option<Candidate<'_>> = None;
        let mut template_for_path: Option<&str> = None;
        for op in &self.operations {
            let Some((captures, literals)) = op.matches(path) else {
                continue;
            };
            template_for_path.get_or_insert(&op.template);
            if op.method != method {
                continue;
            }
            if best.as_ref().is_none_or(|best| literals > best.literals) {
                best = Some(Candidate { op, captures, literals });
            }
        }
        let Some(Candidate { op, captures, .. }) = best else {
            return Err(vec![match template_for_path {
                Some(template) => SpecViolation::MethodNotInSpec {
                    method,
                    template: template.to_owned(),
                },
                None => SpecViolation::PathNotInSpec {
                    method,
                    path: path.to_owned(),
                },
            }]);
        };

        let mut violations = Vec::new();
        for (name, value) in &captures {
            if let Some(schema) = op.path_params.get(name)
                && let Err(reason) = schema.check_string(value)
            {
                violations.push(SpecViolation::BadPathParameter {
                    name: name.clone(),
                    value: value.clone(),
                    reason,
                });
            }
        }

        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (name, value) in params {
            let Some(schema) = op.params.get(name) else {
                violations.push(SpecViolation::UnknownParameter { name: name.clone() });
                continue;
            };
            *counts.entry(name).or_default() += 1;
            let (item_schema, is_array) = match &schema.kind {
                Kind::Array(items) => (items.as_ref(), true),
                _ => (schema, false),
            };
            if !is_array && counts[name.as_str()] == 2 {
                violations.push(SpecViolation::Repeated { name: name.clone() });
            }
            if value.is_empty() && op.clears(name, schema) {
                continue;
            }
            item_schema.check(name, value, &mut violations);
        }
        for name in &op.required {
            if !counts.contains_key(name.as_str()) {
                violations.push(SpecViolation::MissingRequired { name: name.clone() });
            }
        }
        if violations.is_empty() { Ok(()) } else { Err(violations) }
    }
}

impl Operation {
    fn from_spec(spec: &Value, template: &str, method: &str, item: &Value, op: &Value) -> Result<Self, SpecError> {
        let segments = template
            .trim_start_matches('/')
            .split('/')
            .map(
                |segment| match segment.strip_prefix('{').and_then(|rest| rest.split_once('}')) {
                    Some((name, suffix)) => Segment::Param {
                        name: name.to_owned(),
                        suffix: suffix.to_owned(),
                    },
                    None => Segment::Literal(segment.to_owned()),
                },
            )
            .collect();

        let mut path_params = HashMap::new();
        let mut params = BTreeMap::new();
        let mut required = Vec::new();
        let declared = item
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .chain(op.get("parameters").and_then(Value::as_array).into_iter().flatten());
        for parameter in declared {
            let parameter = resolve(spec, parameter, 0)?;
            let name = parameter
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| SpecError(format!("{method} {template}: a parameter has no name")))?;
            let schema = Schema::from_spec(spec, parameter.get("schema").unwrap_or(&Value::Null), 0)?;
            match parameter.get("in").and_then(Value::as_str) {
                Some("path") => {
                    path_params.insert(name.to_owned(), schema);
                }
                Some("query") => {
                    if parameter.get("required").and_then(Value::as_bool) == Some(true) {
                        required.push(name.to_owned());
                    }
                    params.insert(name.to_owned(), schema);
                }
                _ => {}
            }
        }

        let form = op
            .pointer("/requestBody/content/application~1x-www-form-urlencoded/schema")
            .map(|schema| resolve(spec, schema, 0))
            .transpose()?;
        if let Some(form) = form {
            if let Some(properties) = form.get("properties").and_then(Value::as_object) {
                for (name, property) in properties {
                    params.insert(name.clone(), Schema::from_spec(spec, property, 0)?);
                }
            }
            required.extend(
                form.get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned),
            );
        }

        Ok(Self {
            method: method.to_ascii_uppercase(),
            template: template.to_owned(),
            segments,
            path_params,
            params,
            required,
        })
    }

    /// Whether an empty `name` is Twilio's way of clearing a SID field: an optional
    /// SID parameter of an instance update.
    fn clears(&self, name: &str, schema: &Schema) -> bool {
        self.method == "POST"
            && self.template.ends_with("/{Sid}.json")
            && !self.required.iter().any(|required| required == name)
            && schema.is_sid()
    }

    /// The captured path parameters and the number of literal segments, when the
    /// path fits this template.
    fn matches(&self, path: &str) -> Option<(Vec<(String, String)>, usize)> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut captures = Vec::new();
        let mut literals = 0;
        for (part, segment) in parts.iter().zip(&self.segments) {
            match segment {
                Segment::Literal(literal) => {
                    if part != literal {
                        return None;
                    }
                    literals += 1;
                }
                Segment::Param { name, suffix } => {
                    let value = part.strip_suffix(suffix.as_str())?;
                    if value.is_empty() {
                        return None;
                    }
                    captures.push((name.clone(), value.to_owned()));
                }
            }
        }
        Some((captures, literals))
    }
}

/// Follows `$ref`s (`#/components/...`) to the value they point at.
fn resolve<'a>(spec: &'a Value, value: &'a Value, depth: usize) -> Result<&'a Value, SpecError> {
    match value.get("$ref").and_then(Value::as_str) {
        None => Ok(value),
        Some(_) if depth >= MAX_REF_DEPTH => Err(SpecError("$ref chain too deep".to_owned())),
        Some(reference) => {
            let pointer = reference
                .strip_prefix('#')
                .ok_or_else(|| SpecError(format!("external $ref {reference}")))?;
            let target = spec
                .pointer(pointer)
                .ok_or_else(|| SpecError(format!("dangling $ref {reference}")))?;
            resolve(spec, target, depth + 1)
        }
    }
}

impl Schema {
    fn from_spec(spec: &Value, value: &Value, depth: usize) -> Result<Self, SpecError> {
        let value = resolve(spec, value, depth)?;
        let kind = match value.get("type").and_then(Value::as_str) {
            Some("string") => Kind::String,
            Some("integer") => Kind::Integer,
            Some("number") => Kind::Number,
            Some("boolean") => Kind::Boolean,
            Some("array") => {
                let items = value.get("items").unwrap_or(&Value::Null);
                Kind::Array(Box::new(Schema::from_spec(spec, items, depth + 1)?))
            }
            _ => Kind::Other,
        };
        let pattern = value
            .get("pattern")
            .and_then(Value::as_str)
            .map(|pattern| Regex::new(pattern).map_err(|err| SpecError(format!("pattern {pattern}: {err}"))))
            .transpose()?;
        Ok(Self {
            kind,
            enumeration: value.get("enum").and_then(Value::as_array).map(|values| {
                values
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect()
            }),
            format: value.get("format").and_then(Value::as_str).map(str::to_owned),
            pattern,
            min_length: value.get("minLength").and_then(Value::as_u64),
            max_length: value.get("maxLength").and_then(Value::as_u64),
            minimum: value.get("minimum").and_then(Value::as_i64),
            maximum: value.get("maximum").and_then(Value::as_i64),
        })
    }

    fn check(&self, name: &str, value: &str, violations: &mut Vec<SpecViolation>) {
        let wrong_type = |expected: &str| SpecViolation::WrongType {
            name: name.to_owned(),
            value: value.to_owned(),
            expected: expected.to_owned(),
        };
        match self.kind {
            Kind::Boolean if !matches!(value, "true" | "false") => {
                violations.push(wrong_type("boolean (true or false)"));
                return;
            }
            Kind::Integer => match value.parse::<i64>() {
                Err(_) => {
                    violations.push(wrong_type("integer"));
                    return;
                }
                Ok(number) => {
                    if let Some(reason) = self.out_of_bounds(number) {
                        violations.push(SpecViolation::Constraint {
                            name: name.to_owned(),
                            value: value.to_owned(),
                            reason,
                        });
                    }
                }
            },
            Kind::Number if value.parse::<f64>().is_err() => {
                violations.push(wrong_type("number"));
                return;
            }
            _ => {}
        }
        if let Some(allowed) = &self.enumeration
            && !allowed.iter().any(|candidate| candidate == value)
        {
            violations.push(SpecViolation::NotInEnum {
                name: name.to_owned(),
                value: value.to_owned(),
                allowed: allowed.clone(),
            });
            return;
        }
        if let Err(reason) = self.check_string(value).and_then(|()| self.check_format(value)) {
            violations.push(SpecViolation::Constraint {
                name: name.to_owned(),
                value: value.to_owned(),
                reason,
            });
        }
    }

    /// A string whose pattern is a SID's: two capital letters and 32 hex digits.
    fn is_sid(&self) -> bool {
        static SID_PATTERN: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
        let sid = SID_PATTERN
            .get_or_init(|| Regex::new(r"^\^[A-Z]{2}\[0-9a-fA-F\]\{32\}\$$").expect("a constant pattern compiles"));
        matches!(self.kind, Kind::String) && self.pattern.as_ref().is_some_and(|p| sid.is_match(p.as_str()))
    }

    fn out_of_bounds(&self, number: i64) -> Option<String> {
        match (self.minimum, self.maximum) {
            (Some(min), _) if number < min => Some(format!("below the minimum {min}")),
            (_, Some(max)) if number > max => Some(format!("above the maximum {max}")),
            _ => None,
        }
    }

    fn check_string(&self, value: &str) -> Result<(), String> {
        let length = value.chars().count() as u64;
        if let Some(min) = self.min_length.filter(|min| length < *min) {
            return Err(format!("shorter than {min} characters"));
        }
        if let Some(max) = self.max_length.filter(|max| length > *max) {
            return Err(format!("longer than {max} characters"));
        }
        if let Some(pattern) = self.pattern.as_ref().filter(|p| !p.is_match(value)) {
            return Err(format!("does not match {}", pattern.as_str()));
        }
        Ok(())
    }

    fn check_format(&self, value: &str) -> Result<(), String> {
        match self.format.as_deref() {
            Some("uri") => match reqwest::Url::parse(value) {
                Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(()),
                _ => Err("not an absolute http(s) URL".to_owned()),
            },
            Some("date-time") => chrono::DateTime::parse_from_rfc3339(value)
                .map(drop)
                .map_err(|_| "not an RFC 3339 date-time".to_owned()),
            Some("date") => chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map(drop)
                .map_err(|_| "not a YYYY-MM-DD date".to_owned()),
            Some("twiml") => validate_twiml(value).map_err(|err| err.to_string()),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "AC00000000000000000000000000000000";
    const CONFERENCE: &str = "CF11111111111111111111111111111111";
    const CALL: &str = "CA22222222222222222222222222222222";

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn participants_path() -> String {
        format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants.json")
    }

    #[test]
    fn the_subset_indexes_every_operation_the_product_uses() {
        let ops = voice_subset().operations();
        for (method, template) in [
            ("POST", "/2010-04-01/Accounts/{AccountSid}/Calls.json"),
            ("POST", "/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json"),
            ("GET", "/2010-04-01/Accounts/{AccountSid}/Conferences.json"),
            ("POST", "/2010-04-01/Accounts/{AccountSid}/Conferences/{Sid}.json"),
            (
                "POST",
                "/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants.json",
            ),
            (
                "POST",
                "/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants/{CallSid}.json",
            ),
            (
                "DELETE",
                "/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants/{CallSid}.json",
            ),
            (
                "POST",
                "/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Recordings/{Sid}.json",
            ),
            ("GET", "/2010-04-01/Accounts/{AccountSid}/Applications.json"),
            ("POST", "/2010-04-01/Accounts/{AccountSid}/Applications.json"),
            ("GET", "/2010-04-01/Accounts/{AccountSid}/Applications/{Sid}.json"),
            ("POST", "/2010-04-01/Accounts/{AccountSid}/Applications/{Sid}.json"),
            ("GET", "/2010-04-01/Accounts/{AccountSid}/Keys.json"),
            ("POST", "/2010-04-01/Accounts/{AccountSid}/Keys.json"),
            ("GET", "/2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json"),
            ("DELETE", "/2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json"),
            ("GET", "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json"),
            (
                "GET",
                "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json",
            ),
            (
                "POST",
                "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json",
            ),
        ] {
            assert!(
                ops.contains(&(method.to_owned(), template.to_owned())),
                "{method} {template}"
            );
        }
    }

    #[test]
    fn a_conforming_participant_request_passes() {
        let form = pairs(&[
            ("From", "+81501234567"),
            ("To", "client:op_yamada?handoffId=h1"),
            ("Label", "operator"),
            ("EarlyMedia", "true"),
            ("Beep", "onEnter"),
            ("StatusCallbackEvent", "initiated"),
            ("StatusCallbackEvent", "answered"),
            ("Timeout", "20"),
            ("WaitUrl", "https://console.example.jp/twilio/voice/wait"),
            ("CallSidToCoach", CALL),
        ]);
        assert_eq!(voice_subset().validate("POST", &participants_path(), &form), Ok(()));
    }

    #[test]
    fn every_kind_of_departure_is_reported_together() {
        let form = pairs(&[
            ("To", "+81312345678"),
            ("Lable", "operator"),
            ("EarlyMedia", "yes"),
            ("Timeout", "twenty"),
            ("StatusCallbackMethod", "PUT"),
            ("Label", "a"),
            ("Label", "b"),
            ("WaitUrl", "/relative/path"),
            ("CallSidToCoach", "CF11111111111111111111111111111111"),
        ]);
        let violations = voice_subset()
            .validate("POST", &participants_path(), &form)
            .unwrap_err();
        let has = |predicate: &dyn Fn(&SpecViolation) -> bool| violations.iter().any(predicate);
        assert!(has(
            &|v| matches!(v, SpecViolation::UnknownParameter { name } if name == "Lable")
        ));
        assert!(has(
            &|v| matches!(v, SpecViolation::MissingRequired { name } if name == "From")
        ));
        assert!(has(
            &|v| matches!(v, SpecViolation::WrongType { name, .. } if name == "EarlyMedia")
        ));
        assert!(has(
            &|v| matches!(v, SpecViolation::WrongType { name, .. } if name == "Timeout")
        ));
        assert!(has(
            &|v| matches!(v, SpecViolation::NotInEnum { name, .. } if name == "StatusCallbackMethod")
        ));
        assert!(has(
            &|v| matches!(v, SpecViolation::Repeated { name } if name == "Label")
        ));
        assert!(has(
            &|v| matches!(v, SpecViolation::Constraint { name, .. } if name == "WaitUrl")
        ));
        assert!(has(
            &|v| matches!(v, SpecViolation::Constraint { name, .. } if name == "CallSidToCoach")
        ));
        assert_eq!(violations.len(), 8, "{violations:#?}");
    }

    #[test]
    fn paths_and_methods_outside_the_spec_are_refused() {
        let index = voice_subset();
        assert!(matches!(
            index
                .validate("POST", &format!("/2010-04-01/Accounts/{ACCOUNT}/Queues.json"), &[])
                .unwrap_err()[..],
            [SpecViolation::PathNotInSpec { .. }]
        ));
        assert!(matches!(
            index
                .validate(
                    "DELETE",
                    &format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}.json"),
                    &[]
                )
                .unwrap_err()[..],
            [SpecViolation::MethodNotInSpec { .. }]
        ));
    }

    #[test]
    fn a_participant_update_needs_a_conference_sid_not_a_name() {
        let path = format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/{CALL}/Participants/customer.json");
        let violations = voice_subset()
            .validate("POST", &path, &pairs(&[("Hold", "true")]))
            .unwrap_err();
        assert!(matches!(&violations[..], [SpecViolation::BadPathParameter { name, .. }] if name == "ConferenceSid"));
    }

    #[test]
    fn enums_behind_refs_and_query_parameters_are_checked() {
        let index = voice_subset();
        let call = format!("/2010-04-01/Accounts/{ACCOUNT}/Calls/{CALL}.json");
        assert_eq!(
            index.validate("POST", &call, &pairs(&[("Status", "completed")])),
            Ok(())
        );
        assert!(matches!(
            &index.validate("POST", &call, &pairs(&[("Status", "in-progress")])).unwrap_err()[..],
            [SpecViolation::NotInEnum { name, .. }] if name == "Status"
        ));
        let list = format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences.json");
        assert_eq!(
            index.validate(
                "GET",
                &list,
                &pairs(&[("FriendlyName", CALL), ("Status", "in-progress"), ("PageSize", "20")])
            ),
            Ok(())
        );
        assert!(matches!(
            &index.validate("GET", &list, &pairs(&[("PageSize", "5000")])).unwrap_err()[..],
            [SpecViolation::Constraint { name, .. }] if name == "PageSize"
        ));
    }

    #[test]
    fn twiml_parameters_are_checked_as_twiml() {
        let call = format!("/2010-04-01/Accounts/{ACCOUNT}/Calls/{CALL}.json");
        let index = voice_subset();
        assert_eq!(
            index.validate("POST", &call, &pairs(&[("Twiml", "<Response><Hangup/></Response>")])),
            Ok(())
        );
        assert!(matches!(
            &index.validate("POST", &call, &pairs(&[("Twiml", "<Response><Hangup>")])).unwrap_err()[..],
            [SpecViolation::Constraint { name, .. }] if name == "Twiml"
        ));
    }

    #[test]
    fn an_empty_optional_sid_clears_it_on_an_instance_update_only() {
        let index = voice_subset();
        let number = format!(
            "/2010-04-01/Accounts/{ACCOUNT}/IncomingPhoneNumbers/PN{}.json",
            "3".repeat(32)
        );
        assert_eq!(
            index.validate("POST", &number, &pairs(&[("VoiceApplicationSid", "")])),
            Ok(())
        );
        assert!(matches!(
            &index.validate("POST", &number, &pairs(&[("VoiceApplicationSid", "AP1")])).unwrap_err()[..],
            [SpecViolation::Constraint { name, .. }] if name == "VoiceApplicationSid"
        ));
        assert!(matches!(
            &index.validate("POST", &number, &pairs(&[("VoiceUrl", "")])).unwrap_err()[..],
            [SpecViolation::Constraint { name, .. }] if name == "VoiceUrl"
        ));
        let numbers = format!("/2010-04-01/Accounts/{ACCOUNT}/IncomingPhoneNumbers.json");
        assert!(
            index
                .validate("POST", &numbers, &pairs(&[("VoiceApplicationSid", "")]))
                .is_err(),
            "creating is not clearing"
        );
        let participant = format!("{}/{CALL}.json", participants_path().trim_end_matches(".json"));
        assert!(
            index
                .validate("POST", &participant, &pairs(&[("CallSidToCoach", "")]))
                .is_err()
        );
    }

    #[test]
    fn provisioning_requests_are_checked_like_call_control() {
        let index = voice_subset();
        let apps = format!("/2010-04-01/Accounts/{ACCOUNT}/Applications.json");
        assert_eq!(
            index.validate(
                "POST",
                &apps,
                &pairs(&[
                    ("FriendlyName", "Operator console"),
                    ("VoiceUrl", "https://console.example.jp/twilio/voice/outbound"),
                    ("VoiceMethod", "POST"),
                    (
                        "StatusCallback",
                        "https://console.example.jp/twilio/voice/status#rc=3&rp=ct,rt,5xx"
                    ),
                ])
            ),
            Ok(())
        );
        assert!(matches!(
            &index.validate("POST", &apps, &pairs(&[("VoiceMethod", "PUT")])).unwrap_err()[..],
            [SpecViolation::NotInEnum { name, .. }] if name == "VoiceMethod"
        ));
        let numbers = format!("/2010-04-01/Accounts/{ACCOUNT}/IncomingPhoneNumbers.json");
        assert_eq!(
            index.validate(
                "GET",
                &numbers,
                &pairs(&[("PhoneNumber", "+81368000001"), ("PageSize", "50")])
            ),
            Ok(())
        );
        let key = format!("/2010-04-01/Accounts/{ACCOUNT}/Keys/{CALL}.json");
        assert!(matches!(
            &index.validate("DELETE", &key, &[]).unwrap_err()[..],
            [SpecViolation::BadPathParameter { name, .. }] if name == "Sid"
        ));
    }

    #[test]
    fn the_auth_token_endpoints_take_no_parameters() {
        let index = accounts_subset();
        assert_eq!(index.validate("POST", "/v1/AuthTokens/Secondary", &[]), Ok(()));
        assert_eq!(index.validate("DELETE", "/v1/AuthTokens/Secondary", &[]), Ok(()));
        assert_eq!(index.validate("POST", "/v1/AuthTokens/Promote", &[]), Ok(()));
        assert!(matches!(
            &index
                .validate("POST", "/v1/AuthTokens/Promote", &pairs(&[("AuthToken", "x")]))
                .unwrap_err()[..],
            [SpecViolation::UnknownParameter { .. }]
        ));
        assert!(matches!(
            &index.validate("DELETE", "/v1/AuthTokens/Promote", &[]).unwrap_err()[..],
            [SpecViolation::MethodNotInSpec { .. }]
        ));
        assert!(matches!(
            &index.validate("POST", "/v1/AuthTokens", &[]).unwrap_err()[..],
            [SpecViolation::PathNotInSpec { .. }]
        ));
    }

    #[test]
    fn a_document_without_paths_is_not_indexed() {
        assert!(SpecIndex::from_spec(&serde_json::json!({"openapi": "3.0.1"})).is_err());
        let dangling = serde_json::json!({"paths": {"/x.json": {"post": {"parameters": [{"$ref": "#/nowhere"}]}}}});
        assert!(SpecIndex::from_spec(&dangling).is_err());
    }

    /// The full spec, where CI and developers have it beside the repo.
    fn full_spec_path() -> Option<std::path::PathBuf> {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        [
            "../shared/reference/twilio_api_v2010.json",
            "../../shared/reference/twilio_api_v2010.json",
        ]
        .iter()
        .map(|relative| manifest.join(relative))
        .find(|path| path.exists())
    }

    fn subset_value() -> Value {
        serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/twilio/api_v2010_voice_subset.json"
        )))
        .unwrap()
    }

    fn collect_refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    match (key.as_str(), item) {
                        ("$ref", Value::String(reference)) => out.push(reference.clone()),
                        _ => collect_refs(item, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
            _ => {}
        }
    }

    /// The committed subset is exactly what the extraction script would produce
    /// from the full spec: the same path items and the transitive closure of the
    /// component schemas they reference, each identical to the full spec's.
    #[test]
    fn the_committed_subset_matches_a_fresh_extraction() {
        let Some(full_path) = full_spec_path() else {
            eprintln!("skipping: the full Twilio spec is not beside the repo");
            return;
        };
        let full: Value = serde_json::from_str(&std::fs::read_to_string(&full_path).unwrap()).unwrap();
        let subset = subset_value();

        let paths = subset["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 14);
        for (path, item) in paths {
            assert_eq!(item, &full["paths"][path], "path {path} differs from the full spec");
        }

        let mut pending = Vec::new();
        collect_refs(&subset["paths"], &mut pending);
        let mut closure = std::collections::BTreeSet::new();
        while let Some(reference) = pending.pop() {
            let name = reference.strip_prefix("#/components/schemas/").unwrap().to_owned();
            if closure.insert(name.clone()) {
                collect_refs(&full["components"]["schemas"][&name], &mut pending);
            }
        }
        let schemas = subset["components"]["schemas"].as_object().unwrap();
        assert_eq!(
            schemas.keys().cloned().collect::<std::collections::BTreeSet<_>>(),
            closure
        );
        for (name, schema) in schemas {
            assert_eq!(schema, &full["components"]["schemas"][name], "schema {name} differs");
        }
        for key in ["openapi", "info", "servers", "security"] {
            assert_eq!(subset[key], full[key], "{key} differs");
        }
        assert_eq!(
            subset["components"]["securitySchemes"],
            full["components"]["securitySchemes"]
        );

        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/twilio-vectors/extract_spec_subset.py");
        let script = if script.exists() {
            script
        } else {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../tests/tools/twilio-vectors/extract_spec_subset.py")
        };
        let out = std::env::temp_dir().join(format!("twilio-subset-{}.json", std::process::id()));
        match std::process::Command::new("python3")
            .arg(&script)
            .arg("--spec")
            .arg(&full_path)
            .arg("--out")
            .arg(&out)
            .output()
        {
            Ok(result) if result.status.success() => {
                let fresh = std::fs::read_to_string(&out).unwrap();
                let _ = std::fs::remove_file(&out);
                let committed = include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/testdata/twilio/api_v2010_voice_subset.json"
                ));
                assert!(
                    fresh == committed,
                    "re-run tests/tools/twilio-vectors/extract_spec_subset.py and commit the result"
                );
            }
            Ok(result) => panic!(
                "the extraction script failed: {}",
                String::from_utf8_lossy(&result.stderr)
            ),
            Err(_) => eprintln!("python3 is not installed; compared the subset in Rust only"),
        }
    }
}
