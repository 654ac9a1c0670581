//! The IVR menu (音声ガイダンス) of a number, the `menu` settings section: a greeting, then
//! options chosen by a key (「料金のお問い合わせは1を」) or, when the admin turns it on, by saying
//! a few words (ja-JP speech recognition), each leading to a queue (the line's, or one the
//! option names), a message, voicemail or a sub-menu. What the caller hears is built here from the settings, so the admin page's preview
//! and the call say the same words.
//!
//! A caller who presses nothing, or a key no option has, hears the menu again, as Twilio's
//! `<Gather>` guidance advises (a `<Redirect>` after the `<Gather>` for silence, the action for a
//! wrong key), up to the menu's number of attempts; then the menu's default is taken.

use serde::{Deserialize, Serialize};

use super::queues::Queue;
use crate::ids::SettingId;

/// The deepest a menu goes: the top menu and two levels of sub-menus.
pub const MAX_DEPTH: usize = 3;
/// The keys an option may use.
pub const KEYS: [&str; 12] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"];
const MAX_TEXT: usize = 1000;
const MAX_KEYWORDS: usize = 10;

/// A number's menu (or a sub-menu).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Menu {
    /// Said once, before the options (「お電話ありがとうございます。〇〇サポートセンターです。」).
    pub greeting: String,
    /// The options, in the order they are said.
    pub options: Vec<MenuOption>,
    /// Also listen for the caller's words (ja-JP), matched against each option's keywords and
    /// its label.
    #[serde(default)]
    pub speech: bool,
    /// Seconds to wait for a key once the options are said (1–30).
    #[serde(default = "five")]
    pub timeout_seconds: u32,
    /// How many times the options are said before the default is taken (1–5).
    #[serde(default = "three")]
    pub attempts: u32,
    /// What a caller who chose nothing gets after the last attempt (not a sub-menu).
    pub default: MenuAction,
}

fn five() -> u32 {
    5
}

fn three() -> u32 {
    3
}

/// One option of a menu.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MenuOption {
    /// Names the choice on the call record (`billing`), for later routing by purpose.
    #[schema(value_type = String)]
    pub id: SettingId,
    /// `0`–`9`, `*` or `#`.
    pub key: String,
    /// What the option is, as the caller hears it (「料金のお問い合わせ」).
    pub label: String,
    /// Words that choose the option when said (speech menus): 「料金」「請求」.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    pub action: MenuAction,
}

/// Where an option leads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum MenuAction {
    /// The caller waits for an operator in `queue` (the line's queue when absent), the choice
    /// kept on the call.
    Queue {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<String>)]
        queue: Option<SettingId>,
    },
    /// A message is read, then the call ends.
    Message { text: String },
    /// The caller leaves a message for the operators.
    Voicemail,
    /// Another menu.
    Submenu {
        #[schema(no_recursion)]
        menu: Box<Menu>,
    },
}

/// Where the caller is in a menu tree: the option indexes taken from the top, written `0.2` in
/// the menu's URL (empty at the top).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MenuPath(pub Vec<usize>);

impl MenuPath {
    /// Reads `0.2`; `None` when malformed or deeper than menus go.
    pub fn parse(s: &str) -> Option<Self> {
        if s.is_empty() {
            return Some(Self::default());
        }
        let steps: Option<Vec<usize>> = s
            .split('.')
            .map(|p| {
                (!p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| p.parse().ok())
                    .flatten()
            })
            .collect();
        steps.filter(|v| v.len() < MAX_DEPTH).map(Self)
    }

    fn then(&self, i: usize) -> Self {
        let mut v = self.0.clone();
        v.push(i);
        Self(v)
    }
}

impl std::fmt::Display for MenuPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

/// What the caller did at a menu.
#[derive(Debug, Clone, PartialEq)]
pub enum Input<'a> {
    /// Nothing before the timeout.
    Nothing,
    /// Keys pressed (`Digits`).
    Keys(&'a str),
    /// Words recognised (`SpeechResult`).
    Speech(&'a str),
    /// Words the recogniser was not sure of (a `Confidence` below [`MIN_CONFIDENCE`]).
    Unclear,
}

/// The recogniser's confidence below which words are asked again rather than acted on. Twilio
/// reports 0 when a speech model gives no confidence, which is not a doubt.
pub const MIN_CONFIDENCE: f64 = 0.3;

impl<'a> Input<'a> {
    /// What Twilio posted to a `<Gather action>`: keys first, then words with their confidence;
    /// nothing when neither came (the `<Redirect>` after the `<Gather>`).
    pub fn from_gather(digits: Option<&'a str>, speech: Option<&'a str>, confidence: Option<&str>) -> Self {
        if let Some(keys) = digits.filter(|d| !d.trim().is_empty()) {
            return Input::Keys(keys);
        }
        let Some(words) = speech.filter(|s| !s.trim().is_empty()) else {
            return Input::Nothing;
        };
        match confidence.and_then(|c| c.trim().parse::<f64>().ok()) {
            Some(c) if c > 0.0 && c < MIN_CONFIDENCE => Input::Unclear,
            _ => Input::Speech(words),
        }
    }
}

/// Why the options are said again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Nothing was pressed or said.
    Silence,
    /// A key (or words) no option has.
    Invalid,
    /// Words the recogniser was not sure of.
    Unclear,
}

impl Retry {
    /// What the caller hears before the options again.
    pub fn notice(self) -> &'static str {
        match self {
            Retry::Silence => "入力が確認できませんでした。",
            Retry::Invalid => "恐れ入りますが、その番号はございません。",
            Retry::Unclear => "恐れ入りますが、聞き取れませんでした。",
        }
    }
}

/// A prompt: say the menu at `path` (its greeting when `greet`, after the notice of a retry)
/// and wait for a choice; `attempt` counts from 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Ask<'a> {
    pub menu: &'a Menu,
    pub path: MenuPath,
    pub attempt: u32,
    pub greet: bool,
    pub retry: Option<Retry>,
}

/// What comes next for the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Step<'a> {
    /// Say a menu and wait.
    Ask(Ask<'a>),
    /// Do what was chosen (never a sub-menu); `choice` is the option ids from the top joined
    /// with `/` (the menu's own path when its default was taken, empty at the top).
    Act { action: &'a MenuAction, choice: String },
}

/// How a key is said in a prompt.
fn spoken_key(key: &str) -> &str {
    match key {
        "*" => "米印",
        "#" => "シャープ",
        k => k,
    }
}

impl Menu {
    /// The prompt that lists the options: 「料金のお問い合わせは1を、…押してください。」
    pub fn options_prompt(&self) -> String {
        let listed: Vec<String> = self
            .options
            .iter()
            .map(|o| format!("{}は{}を", o.label.trim(), spoken_key(&o.key)))
            .collect();
        let mut prompt = format!("{}押してください。", listed.join("、"));
        if self.speech {
            prompt.push_str("ご用件をお話しいただくこともできます。");
        }
        prompt
    }

    /// The menu at `path` and the option ids that lead to it.
    pub fn at(&self, path: &MenuPath) -> Option<(&Menu, Vec<&str>)> {
        let mut menu = self;
        let mut ids = Vec::new();
        for &i in &path.0 {
            let option = menu.options.get(i)?;
            let MenuAction::Submenu { menu: sub } = &option.action else {
                return None;
            };
            ids.push(option.id.as_str());
            menu = sub;
        }
        Some((menu, ids))
    }

    /// The first prompt of a call: the top menu, greeting included.
    pub fn start(&self) -> Ask<'_> {
        Ask {
            menu: self,
            path: MenuPath::default(),
            attempt: 1,
            greet: true,
            retry: None,
        }
    }

    /// The step after the caller's `input` at `path`, on `attempt`; `None` when the path does
    /// not name a menu (the settings changed under the call: the caller starts again).
    pub fn next(&self, path: &MenuPath, attempt: u32, input: Input<'_>) -> Option<Step<'_>> {
        let (menu, ids) = self.at(path)?;
        let chosen = match input {
            Input::Nothing => Err(Retry::Silence),
            Input::Keys(keys) => {
                let key = keys.trim();
                menu.options.iter().position(|o| o.key == key).ok_or(Retry::Invalid)
            }
            Input::Speech(words) => menu.heard(words).ok_or(Retry::Invalid),
            Input::Unclear => Err(Retry::Unclear),
        };
        Some(match chosen {
            Ok(i) => {
                let option = &menu.options[i];
                let mut choice = ids.clone();
                choice.push(option.id.as_str());
                match &option.action {
                    MenuAction::Submenu { menu: sub } => Step::Ask(Ask {
                        menu: sub,
                        path: path.then(i),
                        attempt: 1,
                        greet: true,
                        retry: None,
                    }),
                    action => Step::Act {
                        action,
                        choice: choice.join("/"),
                    },
                }
            }
            Err(retry) if attempt < menu.attempts => Step::Ask(Ask {
                menu,
                path: path.clone(),
                attempt: attempt + 1,
                greet: false,
                retry: Some(retry),
            }),
            Err(_) => Step::Act {
                action: &menu.default,
                choice: ids.join("/"),
            },
        })
    }

    /// The option whose keyword (or label) the caller said, if exactly one matches.
    fn heard(&self, words: &str) -> Option<usize> {
        let said = normalise(words);
        if said.is_empty() {
            return None;
        }
        let matches: Vec<usize> = self
            .options
            .iter()
            .enumerate()
            .filter(|(_, o)| {
                o.keywords
                    .iter()
                    .chain(std::iter::once(&o.label))
                    .map(|k| normalise(k))
                    .any(|k| !k.is_empty() && said.contains(&k))
            })
            .map(|(i, _)| i)
            .collect();
        (matches.len() == 1).then(|| matches[0])
    }

    /// Every prompt a caller can hear, in order, for the admin's preview: the greeting and the
    /// options of each menu, then what each option leads to, a queue (窓口) said by its name
    /// among the centre's `queues`.
    pub fn preview(&self, queues: &[Queue]) -> Vec<String> {
        let mut lines = Vec::new();
        self.preview_into(&mut lines, "", queues);
        lines
    }

    fn preview_into(&self, lines: &mut Vec<String>, at: &str, queues: &[Queue]) {
        lines.push(format!("{at}{}", self.greeting.trim()));
        lines.push(format!("{at}{}", self.options_prompt()));
        for o in &self.options {
            let here = format!("{at}[{}] ", o.key);
            match &o.action {
                MenuAction::Submenu { menu } => menu.preview_into(lines, &here, queues),
                other => lines.push(format!("{here}{}", describe(other, queues))),
            }
        }
        lines.push(format!("{at}[—] {}", describe(&self.default, queues)));
    }

    /// Every queue the menu's options and defaults name, each with where it is named
    /// (「メニューの1件目（料金のお問い合わせ）」), for checking against the centre's queues.
    pub fn queues_named(&self) -> Vec<(String, &SettingId)> {
        let mut named = Vec::new();
        self.queues_into(&mut named, "メニュー");
        named
    }

    fn queues_into<'a>(&'a self, named: &mut Vec<(String, &'a SettingId)>, name: &str) {
        for (i, o) in self.options.iter().enumerate() {
            let at = format!("{name}の{}件目（{}）", i + 1, o.label.trim());
            match &o.action {
                MenuAction::Queue { queue: Some(q) } => named.push((at, q)),
                MenuAction::Submenu { menu } => menu.queues_into(named, &format!("{at}のサブメニュー")),
                _ => {}
            }
        }
        if let MenuAction::Queue { queue: Some(q) } = &self.default {
            named.push((format!("{name}の選択がなかったとき"), q));
        }
    }

    /// Checks the menu on its own, saying in Japanese what to fix.
    pub fn validate(&self) -> Result<(), String> {
        self.validate_at(1, "メニュー")
    }

    fn validate_at(&self, depth: usize, name: &str) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("{name}: サブメニューは{}階層までです", MAX_DEPTH - 1));
        }
        text(&self.greeting, &format!("{name}の最初の案内"))?;
        if self.options.is_empty() || self.options.len() > KEYS.len() {
            return Err(format!("{name}: 選択肢を1〜{}件にしてください", KEYS.len()));
        }
        if !(1..=30).contains(&self.timeout_seconds) {
            return Err(format!("{name}: 入力を待つ秒数は1〜30秒にしてください"));
        }
        if !(1..=5).contains(&self.attempts) {
            return Err(format!("{name}: 案内を繰り返す回数は1〜5回にしてください"));
        }
        let mut keys = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for (i, o) in self.options.iter().enumerate() {
            let at = format!("{name}の{}件目", i + 1);
            if !KEYS.contains(&o.key.as_str()) {
                return Err(format!(
                    "{at}: キーは0〜9、* または # の1文字にしてください（{} は使えません）",
                    o.key
                ));
            }
            if !keys.insert(o.key.as_str()) {
                return Err(format!("{at}: キー {} が2つの選択肢で使われています", o.key));
            }
            if !ids.insert(o.id.as_str()) {
                return Err(format!("{at}: ID {} が2つの選択肢で使われています", o.id));
            }
            if o.label.trim().is_empty() || o.label.chars().count() > 100 {
                return Err(format!(
                    "{at}: 内容（料金のお問い合わせ など）を1〜100文字で書いてください"
                ));
            }
            if o.keywords.len() > MAX_KEYWORDS
                || o.keywords.iter().any(|k| k.trim().is_empty() || k.chars().count() > 50)
            {
                return Err(format!(
                    "{at}: 音声で選ぶ言葉は{MAX_KEYWORDS}件まで、それぞれ1〜50文字で書いてください"
                ));
            }
            match &o.action {
                MenuAction::Submenu { menu } => menu.validate_at(depth + 1, &format!("{at}のサブメニュー"))?,
                other => validate_action(other, &at)?,
            }
        }
        if matches!(self.default, MenuAction::Submenu { .. }) {
            return Err(format!(
                "{name}: 選択がなかったときの対応は、待ち行列・メッセージ・留守番電話のどれかにしてください"
            ));
        }
        validate_action(&self.default, &format!("{name}の選択がなかったとき"))
    }
}

fn validate_action(action: &MenuAction, at: &str) -> Result<(), String> {
    match action {
        MenuAction::Message { text: t } => text(t, &format!("{at}のメッセージ")),
        _ => Ok(()),
    }
}

fn text(t: &str, what: &str) -> Result<(), String> {
    if t.trim().is_empty() || t.chars().count() > MAX_TEXT {
        return Err(format!("{what}を1〜{MAX_TEXT}文字で書いてください"));
    }
    Ok(())
}

/// What an action does, as the preview says it: a queue by its name (one the centre's `queues`
/// no longer have by its id, saying its callers wait in the line's queue).
fn describe(action: &MenuAction, queues: &[Queue]) -> String {
    match action {
        MenuAction::Queue { queue: None } => "→ オペレーターにおつなぎします（回線の窓口）".to_owned(),
        MenuAction::Queue { queue: Some(q) } => match queues.iter().find(|k| k.id == *q) {
            Some(k) => format!("→ オペレーターにおつなぎします（{}）", k.name.trim()),
            None => format!("→ オペレーターにおつなぎします（窓口 {q} はありません: 回線の窓口）"),
        },
        MenuAction::Message { text } => format!("{} → 通話終了", text.trim()),
        MenuAction::Voicemail => "→ 留守番電話".to_owned(),
        MenuAction::Submenu { .. } => "→ サブメニュー".to_owned(),
    }
}

/// Words compared as said: full-width letters and digits folded to half-width, lower case,
/// spaces and punctuation dropped.
fn normalise(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '！'..='～' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation() && !matches!(c, '、' | '。' | '・' | '「' | '」'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// What a caller can hear from a menu being edited, in order (the admin page's preview).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MenuPreview {
    pub prompts: Vec<String>,
}

/// The menus of the lines, by line id: validated together with the lines they name.
pub type Menus = std::collections::BTreeMap<SettingId, Menu>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A support line: 1 料金 (queue), 2 修理 → a sub-menu (1 予約 queue, 2 状況 message), 9
    /// 営業時間 (message), 0 voicemail; the default is the queue.
    pub(crate) fn support() -> Menu {
        serde_json::from_value(json!({
            "greeting": "お電話ありがとうございます。サンプルサポートセンターです。",
            "speech": true,
            "attempts": 2,
            "options": [
                {"id": "billing", "key": "1", "label": "料金のお問い合わせ", "keywords": ["料金", "請求"], "action": {"action": "queue"}},
                {"id": "repair", "key": "2", "label": "修理のご依頼", "keywords": ["修理"], "action": {"action": "submenu", "menu": {
                    "greeting": "修理のご依頼ですね。",
                    "options": [
                        {"id": "booking", "key": "1", "label": "新しいご依頼", "action": {"action": "queue"}},
                        {"id": "status", "key": "2", "label": "修理状況の確認", "action": {"action": "message", "text": "修理状況はウェブサイトでご確認いただけます。"}}
                    ],
                    "default": {"action": "queue"}
                }}},
                {"id": "hours", "key": "9", "label": "営業時間のご案内", "action": {"action": "message", "text": "受付時間は平日9時から18時までです。"}},
                {"id": "message", "key": "#", "label": "伝言", "action": {"action": "voicemail"}}
            ],
            "default": {"action": "queue"}
        }))
        .unwrap()
    }

    fn act(step: Option<Step<'_>>) -> (MenuAction, String) {
        match step {
            Some(Step::Act { action, choice }) => (action.clone(), choice),
            other => panic!("not an action: {other:?}"),
        }
    }

    #[test]
    fn the_prompt_lists_each_option_with_its_key() {
        let m = support();
        m.validate().unwrap();
        assert_eq!(
            m.options_prompt(),
            "料金のお問い合わせは1を、修理のご依頼は2を、営業時間のご案内は9を、伝言はシャープを押してください。\
             ご用件をお話しいただくこともできます。"
        );
        let preview = m.preview(&super::super::queues::default_queues());
        assert_eq!(preview[0], "お電話ありがとうございます。サンプルサポートセンターです。");
        assert!(preview.contains(&"[2] 修理のご依頼ですね。".to_owned()), "{preview:#?}");
        assert!(preview.contains(&"[2] [2] 修理状況はウェブサイトでご確認いただけます。 → 通話終了".to_owned()));
        assert_eq!(
            preview.last().unwrap(),
            "[—] → オペレーターにおつなぎします（回線の窓口）"
        );
    }

    #[test]
    fn the_preview_says_a_queue_by_its_name_and_a_queue_the_centre_no_longer_has_by_its_id() {
        let menu: Menu = serde_json::from_value(json!({
            "greeting": "お電話ありがとうございます。",
            "options": [
                {"id": "billing", "key": "1", "label": "料金", "action": {"action": "queue", "queue": "billing"}},
                {"id": "old", "key": "2", "label": "旧窓口", "action": {"action": "queue", "queue": "closed_desk"}}
            ],
            "default": {"action": "queue"}
        }))
        .unwrap();
        let queues: Vec<Queue> = serde_json::from_value(json!([
            {"id": "general", "name": "総合窓口"},
            {"id": "billing", "name": "料金窓口", "name_en": "Billing"}
        ]))
        .unwrap();
        let preview = menu.preview(&queues);
        assert!(
            preview.contains(&"[1] → オペレーターにおつなぎします（料金窓口）".to_owned()),
            "{preview:#?}"
        );
        assert!(
            preview.contains(
                &"[2] → オペレーターにおつなぎします（窓口 closed_desk はありません: 回線の窓口）".to_owned()
            ),
            "{preview:#?}"
        );
        assert!(!preview.iter().any(|p| p.contains("billing")), "{preview:#?}");
    }

    #[test]
    fn a_key_or_words_lead_to_the_option_and_a_sub_menu_starts_with_its_greeting() {
        let m = support();
        let top = MenuPath::default();
        assert_eq!(
            act(m.next(&top, 1, Input::Keys("1"))),
            (MenuAction::Queue { queue: None }, "billing".into())
        );
        assert_eq!(
            act(m.next(&top, 1, Input::Speech("えっと、請求について聞きたいです"))),
            (MenuAction::Queue { queue: None }, "billing".into())
        );
        assert_eq!(
            act(m.next(&top, 1, Input::Keys("#"))),
            (MenuAction::Voicemail, "message".into())
        );
        let Some(Step::Ask(Ask {
            path,
            greet: true,
            attempt: 1,
            menu,
            ..
        })) = m.next(&top, 1, Input::Keys("2"))
        else {
            panic!("a sub-menu")
        };
        assert_eq!(path.to_string(), "1");
        assert_eq!(menu.greeting, "修理のご依頼ですね。");
        assert_eq!(
            act(m.next(&path, 1, Input::Keys("1"))),
            (MenuAction::Queue { queue: None }, "repair/booking".into())
        );
        assert!(matches!(
            act(m.next(&path, 1, Input::Keys("2"))).0,
            MenuAction::Message { .. }
        ));
    }

    #[test]
    fn silence_or_a_wrong_key_repeats_the_options_then_the_default_is_taken() {
        let m = support();
        let top = MenuPath::default();
        let Some(Step::Ask(Ask {
            attempt: 2,
            greet: false,
            retry: Some(Retry::Silence),
            ..
        })) = m.next(&top, 1, Input::Nothing)
        else {
            panic!("asked again")
        };
        let Some(Step::Ask(Ask {
            retry: Some(Retry::Invalid),
            ..
        })) = m.next(&top, 1, Input::Keys("5"))
        else {
            panic!("asked again")
        };
        // Words that name two options, or none, are not a choice.
        assert!(matches!(
            m.next(&top, 1, Input::Speech("料金と修理")),
            Some(Step::Ask(_))
        ));
        assert_eq!(
            act(m.next(&top, 2, Input::Keys("5"))),
            (MenuAction::Queue { queue: None }, String::new())
        );
        let sub = MenuPath::parse("1").unwrap();
        assert_eq!(
            act(m.next(&sub, 3, Input::Nothing)),
            (MenuAction::Queue { queue: None }, "repair".into())
        );
    }

    #[test]
    fn keys_come_first_and_words_the_recogniser_doubts_are_asked_again() {
        assert_eq!(
            Input::from_gather(Some("1"), Some("料金"), Some("0.9")),
            Input::Keys("1")
        );
        assert_eq!(
            Input::from_gather(Some(""), Some("料金"), Some("0.82")),
            Input::Speech("料金")
        );
        assert_eq!(Input::from_gather(None, Some("料金"), Some("0.12")), Input::Unclear);
        assert_eq!(
            Input::from_gather(None, Some("料金"), Some("0.0")),
            Input::Speech("料金"),
            "0 is no confidence given"
        );
        assert_eq!(Input::from_gather(None, Some("料金"), None), Input::Speech("料金"));
        assert_eq!(Input::from_gather(None, Some(" "), Some("0.9")), Input::Nothing);
        let m = support();
        let Some(Step::Ask(Ask {
            retry: Some(Retry::Unclear),
            attempt: 2,
            ..
        })) = m.next(&MenuPath::default(), 1, Input::Unclear)
        else {
            panic!("asked again")
        };
    }

    #[test]
    fn paths_are_read_strictly_and_a_stale_path_starts_over() {
        assert_eq!(MenuPath::parse("").unwrap().0, Vec::<usize>::new());
        assert_eq!(MenuPath::parse("1.0").unwrap().0, vec![1, 0]);
        for bad in ["1.", ".1", "a", "1.2.3", "-1", "123"] {
            assert!(MenuPath::parse(bad).is_none(), "{bad}");
        }
        let m = support();
        assert!(
            m.next(&MenuPath(vec![0]), 1, Input::Keys("1")).is_none(),
            "option 0 is no sub-menu"
        );
        assert!(m.next(&MenuPath(vec![7]), 1, Input::Keys("1")).is_none());
    }

    #[test]
    fn what_is_wrong_is_said_in_japanese() {
        let with = |f: &dyn Fn(&mut Menu)| {
            let mut m = support();
            f(&mut m);
            m.validate().unwrap_err()
        };
        assert!(with(&|m| m.options[1].key = "1".into()).contains("キー 1 が2つ"));
        assert!(with(&|m| m.options[0].key = "10".into()).contains("0〜9"));
        assert!(with(&|m| m.greeting = " ".into()).contains("最初の案内"));
        assert!(with(&|m| m.options.clear()).contains("選択肢を1〜12件"));
        assert!(with(&|m| m.attempts = 0).contains("繰り返す回数"));
        assert!(with(&|m| m.timeout_seconds = 60).contains("待つ秒数"));
        assert!(with(&|m| m.default = m.options[1].action.clone()).contains("選択がなかったとき"));
        assert!(with(&|m| m.options[2].action = MenuAction::Message { text: "".into() }).contains("3件目のメッセージ"));
        // Three levels of sub-menus are one too many.
        let err = with(&|m| {
            let deepest = support();
            let mut middle = support();
            middle.options[1].action = MenuAction::Submenu {
                menu: Box::new(deepest),
            };
            m.options[1].action = MenuAction::Submenu { menu: Box::new(middle) };
        });
        assert!(err.contains("2階層まで"), "{err}");
    }
}
