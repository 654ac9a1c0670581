//! The centre's queues (窓口, the `queues` settings section): each waiting caller is in one, and
//! an operator takes the queues an admin gave them as skills (every queue when none were
//! given). A line names the queue its callers wait in unless its menu sends them elsewhere; a
//! menu option's `queue` action may name one. Centres that never set queues have one,
//! 「総合窓口」 (`general`), so their calls route as before.

use serde::{Deserialize, Serialize};

use crate::ids::SettingId;

/// The most queues a centre has: routing may read one index page per queue an operator takes,
/// so this bounds a routing attempt.
pub const MAX_QUEUES: usize = 20;

/// The id of the queue centres have until an admin sets their own.
pub const DEFAULT_QUEUE_ID: &str = "general";

/// One queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Queue {
    /// Names the queue on waiting calls, lines, menu options and operators' skills.
    #[schema(value_type = String)]
    pub id: SettingId,
    /// The name supervisors and admins see (「料金窓口」).
    pub name: String,
    /// The name in English, for those who use the page in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
}

/// The queues a centre has before an admin sets any: 「総合窓口」 alone.
pub fn default_queues() -> Vec<Queue> {
    vec![Queue {
        id: SettingId::parse(DEFAULT_QUEUE_ID).expect("built-in id"),
        name: "総合窓口".into(),
        name_en: Some("General".into()),
    }]
}

/// Checks the queues on their own, saying in Japanese what to fix.
pub fn validate(queues: &[Queue]) -> Result<(), String> {
    if queues.is_empty() || queues.len() > MAX_QUEUES {
        return Err(format!("窓口を1〜{MAX_QUEUES}件にしてください"));
    }
    let mut ids = std::collections::HashSet::new();
    for (i, q) in queues.iter().enumerate() {
        if !ids.insert(q.id.as_str()) {
            return Err(format!("{}件目: ID {} が2つの窓口で使われています", i + 1, q.id));
        }
        let named = |n: &str| !n.trim().is_empty() && n.chars().count() <= 50;
        if !named(&q.name) {
            return Err(format!("{}件目（{}）: 窓口名を1〜50文字で書いてください", i + 1, q.id));
        }
        if q.name_en.as_deref().is_some_and(|n| !named(n)) {
            return Err(format!(
                "{}件目（{}）: 英語の窓口名は1〜50文字で書くか、空にしてください",
                i + 1,
                q.id
            ));
        }
    }
    Ok(())
}

/// Which queues an operator takes: every queue (`None`, no skills set) or those named.
pub fn takes(skills: Option<&[String]>, queue: &str) -> bool {
    skills.is_none_or(|s| s.iter().any(|q| q == queue))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn queues(v: serde_json::Value) -> Vec<Queue> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_default_is_one_general_queue() {
        let q = default_queues();
        validate(&q).unwrap();
        assert_eq!(q[0].id.as_str(), "general");
        assert_eq!(q[0].name, "総合窓口");
    }

    #[test]
    fn what_is_wrong_is_said_in_japanese() {
        assert!(validate(&[]).unwrap_err().contains("1〜20件"));
        let twice = queues(json!([{"id": "billing", "name": "料金"}, {"id": "billing", "name": "料金2"}]));
        assert!(validate(&twice).unwrap_err().contains("ID billing が2つ"));
        let unnamed = queues(json!([{"id": "billing", "name": " "}]));
        assert!(validate(&unnamed).unwrap_err().contains("窓口名を1〜50文字"));
        let many: Vec<Queue> = (0..21)
            .map(|i| Queue {
                id: SettingId::parse(&format!("q{i}")).unwrap(),
                name: format!("窓口{i}"),
                name_en: None,
            })
            .collect();
        assert!(validate(&many).is_err());
    }

    #[test]
    fn an_operator_without_skills_takes_every_queue() {
        assert!(takes(None, "billing"));
        let skills = vec!["billing".to_owned()];
        assert!(takes(Some(&skills), "billing"));
        assert!(!takes(Some(&skills), "repair"));
    }
}
