//! CRM objects and their typed fields: the built-in account (取引先), contact (取引先担当者)
//! and inquiry (問合せ), and objects an admin defines. A record's field values are checked
//! against its object's definition before anything is stored.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::DomainError;
use crate::ids::{FieldName, ObjectName, RecordId};
use crate::phone::ContactNumber;

/// One choice of a select field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// The type of a field, with what the type needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldType {
    /// One line of text, at most `max_length` characters (default 255).
    Text {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_length: Option<u32>,
    },
    /// Free text over several lines (at most 100,000 characters).
    LongText,
    Number,
    /// `YYYY-MM-DD`.
    Date,
    /// RFC 3339 with an offset, e.g. `2026-11-23T10:00:00+09:00`.
    Datetime,
    Select {
        options: Vec<Choice>,
    },
    /// Stored in E.164; indexed so a call from that number finds the record.
    Phone,
    Email,
    Checkbox,
    /// The id of an account or contact record.
    Reference {
        object: ObjectName,
    },
}

/// A field of an object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldDef {
    #[schema(value_type = String)]
    pub name: FieldName,
    /// The Japanese label shown in the page.
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    #[serde(flatten)]
    pub kind: FieldType,
    #[serde(default)]
    pub required: bool,
}

/// An object: its fields and how its records are titled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ObjectDef {
    #[schema(value_type = String)]
    pub name: ObjectName,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    pub fields: Vec<FieldDef>,
    /// The field shown as a record's title in lists.
    #[schema(value_type = String)]
    pub title_field: FieldName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub subtitle_field: Option<FieldName>,
    /// Built-in objects cannot be removed, nor their built-in fields.
    #[serde(default)]
    pub builtin: bool,
}

/// The OpenAPI schema of a record's field values by field name (`schema_with` of every `fields`
/// map): each value is text, a number or true/false, as its field's type makes it, and `null`
/// clears a field in a patch. The maps are `serde_json` maps checked against the object's
/// definition, so the schema says what that check lets through.
pub fn field_values_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let value = ObjectBuilder::new().schema_type(SchemaType::Array(vec![
        Type::String,
        Type::Number,
        Type::Boolean,
        Type::Null,
    ]));
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "Field values by field name: text, a number or true/false as the field's type makes \
             it; null clears a field in a patch.",
        ))
        .additional_properties(Some(value))
        .build()
}

/// The most characters a long-text value may hold.
pub const LONG_TEXT_MAX: usize = 100_000;
const TEXT_DEFAULT_MAX: u32 = 255;

impl ObjectDef {
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name.as_str() == name)
    }

    /// The names of this object's phone fields.
    pub fn phone_fields(&self) -> impl Iterator<Item = &FieldDef> {
        self.fields.iter().filter(|f| matches!(f.kind, FieldType::Phone))
    }

    /// Checks a patch of field values (`null` clears a field) and returns the values as they
    /// are to be stored: phone numbers in E.164, text as typed.
    pub fn check_patch(&self, patch: &Map<String, Value>) -> Result<Map<String, Value>, DomainError> {
        let mut out = Map::new();
        for (name, value) in patch {
            let def = self.field(name).ok_or_else(|| {
                DomainError::invalid_field(
                    "unknown_field",
                    name,
                    format!("the {} object has no field '{name}'", self.name),
                )
            })?;
            out.insert(name.clone(), check_value(def, value)?);
        }
        Ok(out)
    }

    /// Checks that every required field has a value.
    pub fn check_required(&self, fields: &Map<String, Value>) -> Result<(), DomainError> {
        for f in self.fields.iter().filter(|f| f.required) {
            let missing = match fields.get(f.name.as_str()) {
                None | Some(Value::Null) => true,
                Some(Value::String(s)) => s.trim().is_empty(),
                _ => false,
            };
            if missing {
                return Err(DomainError::invalid_field(
                    "required",
                    f.name.as_str(),
                    format!("{} ({}) is required", f.label, f.name),
                ));
            }
        }
        Ok(())
    }

    /// The title of a record of this object.
    pub fn title_of(&self, fields: &Map<String, Value>) -> String {
        display_value(fields.get(self.title_field.as_str()))
    }

    /// The subtitle of a record of this object.
    pub fn subtitle_of(&self, fields: &Map<String, Value>) -> Option<String> {
        self.subtitle_field
            .as_ref()
            .map(|f| display_value(fields.get(f.as_str())))
            .filter(|s| !s.is_empty())
    }
}

fn display_value(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) if s.starts_with('+') => ContactNumber::parse(s)
            .map(|p| p.display())
            .unwrap_or_else(|_| s.clone()),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn type_error(def: &FieldDef, expected: &str) -> DomainError {
    DomainError::invalid_field(
        "wrong_type",
        def.name.as_str(),
        format!("{} ({}) must be {expected}", def.label, def.name),
    )
}

fn check_value(def: &FieldDef, value: &Value) -> Result<Value, DomainError> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let text = || value.as_str().ok_or_else(|| type_error(def, "text"));
    let too_long = |max: usize| {
        DomainError::invalid_field(
            "too_long",
            def.name.as_str(),
            format!("{} ({}) is limited to {max} characters", def.label, def.name),
        )
    };
    match &def.kind {
        FieldType::Text { max_length } => {
            let s = text()?;
            let max = max_length.unwrap_or(TEXT_DEFAULT_MAX) as usize;
            if s.chars().count() > max {
                return Err(too_long(max));
            }
            if s.contains(['\n', '\r']) {
                return Err(type_error(def, "one line of text"));
            }
            Ok(value.clone())
        }
        FieldType::LongText => {
            if text()?.chars().count() > LONG_TEXT_MAX {
                return Err(too_long(LONG_TEXT_MAX));
            }
            Ok(value.clone())
        }
        FieldType::Number => match value.as_f64() {
            Some(n) if n.is_finite() => Ok(value.clone()),
            _ => Err(type_error(def, "a number")),
        },
        FieldType::Date => {
            let s = text()?;
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| type_error(def, "a date like 2026-11-23"))?;
            Ok(value.clone())
        }
        FieldType::Datetime => {
            let s = text()?;
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| type_error(def, "a date and time like 2026-11-23T10:00:00+09:00"))?;
            Ok(value.clone())
        }
        FieldType::Select { options } => {
            let s = text()?;
            if options.iter().any(|o| o.value == s) {
                Ok(value.clone())
            } else {
                let allowed: Vec<&str> = options.iter().map(|o| o.value.as_str()).collect();
                Err(DomainError::invalid_field(
                    "not_a_choice",
                    def.name.as_str(),
                    format!("{} ({}) must be one of: {}", def.label, def.name, allowed.join(", ")),
                ))
            }
        }
        FieldType::Phone => {
            let s = text()?;
            if s.trim().is_empty() {
                return Ok(Value::Null);
            }
            let p = ContactNumber::parse(s).map_err(|e| {
                DomainError::invalid_field(
                    "invalid_phone",
                    def.name.as_str(),
                    format!("{} ({}): {e}", def.label, def.name),
                )
            })?;
            // E.164, with `;ext=…` when an extension was written.
            Ok(Value::String(p.to_string()))
        }
        FieldType::Email => {
            let s = text()?;
            let ok = s.len() <= 254
                && s.split_once('@')
                    .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'))
                && !s.chars().any(char::is_whitespace);
            if ok {
                Ok(value.clone())
            } else {
                Err(type_error(def, "an e-mail address like name@example.jp"))
            }
        }
        FieldType::Checkbox => value
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| type_error(def, "true or false")),
        FieldType::Reference { object } => {
            let s = text()?;
            RecordId::parse(s).map_err(|_| type_error(def, &format!("the id of a {object} record")))?;
            Ok(value.clone())
        }
    }
}

fn text_field(name: &str, label: &str, label_en: &str, required: bool) -> FieldDef {
    FieldDef {
        name: FieldName::parse(name).expect("built-in field name"),
        label: label.into(),
        label_en: Some(label_en.into()),
        kind: FieldType::Text { max_length: None },
        required,
    }
}

fn field(name: &str, label: &str, label_en: &str, kind: FieldType) -> FieldDef {
    FieldDef {
        name: FieldName::parse(name).expect("built-in field name"),
        label: label.into(),
        label_en: Some(label_en.into()),
        kind,
        required: false,
    }
}

fn choices(pairs: &[(&str, &str)]) -> Vec<Choice> {
    pairs
        .iter()
        .map(|(v, l)| Choice {
            value: (*v).into(),
            label: (*l).into(),
        })
        .collect()
}

fn object(
    name: &str,
    label: &str,
    label_en: &str,
    fields: Vec<FieldDef>,
    title: &str,
    subtitle: Option<&str>,
) -> ObjectDef {
    ObjectDef {
        name: ObjectName::parse(name).expect("built-in object"),
        label: label.into(),
        label_en: Some(label_en.into()),
        fields,
        title_field: FieldName::parse(title).expect("title field"),
        subtitle_field: subtitle.map(|s| FieldName::parse(s).expect("subtitle field")),
        builtin: true,
    }
}

/// The built-in objects every organisation has.
pub fn builtin_objects() -> Vec<ObjectDef> {
    vec![
        object(
            "account",
            "取引先",
            "Account",
            vec![
                text_field("name", "取引先名", "Account name", true),
                text_field("name_kana", "取引先名（カナ）", "Name (kana)", false),
                field("phone", "電話番号", "Phone", FieldType::Phone),
                field("phone2", "電話番号2", "Phone 2", FieldType::Phone),
                field("email", "メール", "E-mail", FieldType::Email),
                text_field("address", "住所", "Address", false),
                field(
                    "rank",
                    "ランク",
                    "Rank",
                    FieldType::Select {
                        options: choices(&[("a", "A"), ("b", "B"), ("c", "C")]),
                    },
                ),
                text_field("industry", "業種", "Industry", false),
                field("notes", "特記事項", "Special notes", FieldType::LongText),
            ],
            "name",
            Some("name_kana"),
        ),
        object(
            "contact",
            "取引先担当者",
            "Contact",
            vec![
                text_field("name", "氏名", "Name", true),
                text_field("name_kana", "氏名（カナ）", "Name (kana)", false),
                text_field("department", "部署", "Department", false),
                text_field("title", "役職", "Title", false),
                field("phone", "電話番号", "Phone", FieldType::Phone),
                field("mobile", "携帯電話", "Mobile", FieldType::Phone),
                field("email", "メール", "E-mail", FieldType::Email),
                field("notes", "特記事項", "Special notes", FieldType::LongText),
            ],
            "name",
            Some("department"),
        ),
        object(
            "inquiry",
            "問合せ",
            "Inquiry",
            vec![
                text_field("subject", "件名", "Subject", true),
                field(
                    "category",
                    "問合せ種別",
                    "Category",
                    FieldType::Select {
                        options: choices(&[
                            ("product", "製品について"),
                            ("billing", "請求・契約"),
                            ("repair", "故障・修理"),
                            ("cancel", "解約"),
                            ("other", "その他"),
                        ]),
                    },
                ),
                field(
                    "status",
                    "対応状況",
                    "Status",
                    FieldType::Select {
                        options: choices(&[("open", "未対応"), ("in_progress", "対応中"), ("closed", "完了")]),
                    },
                ),
                field("detail", "内容", "Detail", FieldType::LongText),
                field("phone", "電話番号", "Phone", FieldType::Phone),
                field("received_at", "受付日時", "Received at", FieldType::Datetime),
            ],
            "subject",
            Some("category"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn account() -> ObjectDef {
        builtin_objects().remove(0)
    }

    fn patch(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn phone_fields_are_stored_in_e164() {
        let out = account()
            .check_patch(&patch(json!({"phone": "０３（１２３４）５６７８"})))
            .unwrap();
        assert_eq!(out["phone"], "+81312345678");
    }

    #[test]
    fn unknown_fields_and_wrong_types_name_the_field() {
        let err = account().check_patch(&patch(json!({"nmae": "x"}))).unwrap_err();
        assert!(matches!(err, DomainError::Invalid { code: "unknown_field", field: Some(ref f), .. } if f == "nmae"));
        let err = account().check_patch(&patch(json!({"name": 12}))).unwrap_err();
        assert!(matches!(err, DomainError::Invalid { code: "wrong_type", .. }));
        let err = account().check_patch(&patch(json!({"rank": "z"}))).unwrap_err();
        assert!(err.to_string().contains("a, b, c"), "{err}");
        let err = account()
            .check_patch(&patch(json!({"email": "no-at-sign"})))
            .unwrap_err();
        assert!(matches!(err, DomainError::Invalid { code: "wrong_type", .. }));
    }

    #[test]
    fn required_fields_must_not_be_blank() {
        assert!(account().check_required(&patch(json!({"name": "  "}))).is_err());
        assert!(account().check_required(&patch(json!({"name": "山田商事"}))).is_ok());
    }

    #[test]
    fn text_limits_are_enforced() {
        let err = account()
            .check_patch(&patch(json!({"name": "あ".repeat(256)})))
            .unwrap_err();
        assert!(matches!(err, DomainError::Invalid { code: "too_long", .. }));
        assert!(
            account()
                .check_patch(&patch(json!({"notes": "【オペレータ】🙂\n".repeat(1000)})))
                .is_ok()
        );
    }
}
