//! The console's keyboard shortcuts (the `shortcuts` settings section): one key combination each
//! for answering, hanging up, holding, muting and transferring, which the page listens for
//! wherever the focus is and lists in its help (`?`). An admin changes them; an empty one
//! turns that shortcut off.

use serde::{Deserialize, Serialize};

/// A key combination per action, written `Ctrl+Alt+A`, `Alt+Shift+H` or `F9`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Shortcuts {
    /// 応答: answers the call ringing.
    pub answer: String,
    /// 切断: hangs up.
    pub hang_up: String,
    /// 保留 / 保留解除.
    pub hold: String,
    /// ミュート / ミュート解除.
    pub mute: String,
    /// 転送: opens the transfer dialog.
    pub transfer: String,
}

impl Default for Shortcuts {
    fn default() -> Self {
        Self {
            answer: "Ctrl+Alt+A".into(),
            hang_up: "Ctrl+Alt+E".into(),
            hold: "Ctrl+Alt+H".into(),
            mute: "Ctrl+Alt+M".into(),
            transfer: "Ctrl+Alt+T".into(),
        }
    }
}

/// The modifiers, in the order a combination writes them.
const MODIFIERS: [&str; 4] = ["Ctrl", "Alt", "Shift", "Meta"];

/// Reads one combination: modifiers in [`MODIFIERS`] order, then a letter, a digit or F1–F12.
/// A letter or digit needs Ctrl, Alt or Meta, or it would fire while the operator types.
fn check_combo(combo: &str) -> Result<(), String> {
    let parts: Vec<&str> = combo.split('+').collect();
    let (key, mods) = parts.split_last().expect("split yields one part at least");
    let mut last = None;
    for m in mods {
        let Some(at) = MODIFIERS.iter().position(|x| x == m) else {
            return Err(format!("「{m}」は修飾キーではありません（Ctrl、Alt、Shift、Meta）"));
        };
        if last.is_some_and(|l| at <= l) {
            return Err("修飾キーは Ctrl+Alt+Shift+Meta の順に1回ずつ書いてください".into());
        }
        last = Some(at);
    }
    let function_key = key
        .strip_prefix('F')
        .and_then(|n| n.parse::<u8>().ok())
        .is_some_and(|n| (1..=12).contains(&n) && !key[1..].starts_with('0'));
    let plain = key.len() == 1 && key.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !function_key && !plain {
        return Err(format!(
            "「{key}」はキーではありません。英大文字、数字、F1〜F12 のいずれかにしてください"
        ));
    }
    if plain && !mods.iter().any(|m| matches!(*m, "Ctrl" | "Alt" | "Meta")) {
        return Err(format!(
            "「{combo}」は文字入力中に反応してしまいます。Ctrl、Alt、Meta のいずれかを加えてください（例: Ctrl+Alt+{key}）"
        ));
    }
    Ok(())
}

impl Shortcuts {
    /// The actions with their combinations.
    pub fn actions(&self) -> [(&'static str, &str); 5] {
        [
            ("answer", &self.answer),
            ("hang_up", &self.hang_up),
            ("hold", &self.hold),
            ("mute", &self.mute),
            ("transfer", &self.transfer),
        ]
    }

    /// Checks every combination and that no two actions share one.
    pub fn validate(&self) -> Result<(), String> {
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for (action, combo) in self.actions() {
            if combo.is_empty() {
                continue;
            }
            check_combo(combo).map_err(|e| format!("{action}: {e}"))?;
            if let Some((other, _)) = seen.iter().find(|(_, c)| *c == combo) {
                return Err(format!("{action} と {other} が同じキー {combo} を使っています"));
            }
            seen.push((action, combo));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        Shortcuts::default().validate().unwrap();
    }

    #[test]
    fn combinations_are_written_modifiers_first_with_a_letter_digit_or_function_key() {
        for ok in ["Ctrl+Alt+A", "Alt+Shift+1", "F9", "Shift+F2", "Meta+K", "Ctrl+F12"] {
            check_combo(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for bad in [
            "A",
            "Shift+A",
            "Alt+Ctrl+A",
            "Ctrl+Ctrl+A",
            "Ctrl+a",
            "Ctrl+Alt+",
            "Hyper+A",
            "F13",
            "F0",
            "F01",
            "Ctrl+Enter",
        ] {
            assert!(check_combo(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn two_actions_may_not_share_a_combination_but_any_may_be_turned_off() {
        let mut s = Shortcuts::default();
        s.mute = s.hold.clone();
        assert!(s.validate().unwrap_err().contains("同じキー"));
        s.mute = String::new();
        s.hold = String::new();
        s.validate().unwrap();
    }
}
