//! Organisation settings (the admin's "Twilio settings"): outbound lines, response statuses,
//! presence statuses, special-notes fields, history tabs, search objects, talk scripts, object
//! definitions, call handling, where operators may call (`dialing`), the keyboard shortcuts, and
//! for each line its business hours (`hours`) and IVR menu (`menu`), and the queues (`queues`)
//! callers wait in.
//! Each section is one item with its own version, so two admins
//! editing different sections never collide and two editing the same one get a 409.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

mod dialing;
pub mod hours;
pub mod menu;
pub mod queues;
mod shortcuts;
pub mod waiting;

pub use dialing::Dialing;
pub use hours::BusinessHours;
pub use menu::{Menu, Menus};
pub use queues::Queue;
pub use shortcuts::Shortcuts;
pub use waiting::Waiting;

use super::objects::{FieldType, ObjectDef, builtin_objects};
use crate::error::DomainError;
use crate::ids::{FieldName, ObjectName, SettingId};
use crate::phone::PhoneNumber;
use crate::store::table::SETTINGS_PK;
use crate::store::{Cond, Item, Key, Query, Store};

/// An outbound line (caller ID) the organisation owns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Line {
    #[schema(value_type = String)]
    pub id: SettingId,
    #[schema(value_type = String)]
    pub number: PhoneNumber,
    pub label: String,
    /// The label in English, for operators who use the page in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    /// Record calls on this line.
    #[serde(default)]
    pub recording: bool,
    /// Transcribe this line's calls live in Japanese (リアルタイム文字起こし): both sides, shown
    /// beside the memo and on the board, kept with the call.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub transcription: bool,
    /// The talk script shown when dialing on this line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub script_id: Option<SettingId>,
    /// The queue this line's callers wait in, unless its menu sends them to another; absent:
    /// the first queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub queue: Option<SettingId>,
}

/// A choice of 対応ステータス (response status) for a call's memo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ResponseStatus {
    #[schema(value_type = String)]
    pub id: SettingId,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
}

/// An operator presence an admin added beside the built-in ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PresenceStatus {
    #[schema(value_type = String)]
    pub id: SettingId,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
}

/// The presence ids the system defines; admins cannot redefine them.
pub const BUILTIN_PRESENCE: [&str; 6] = ["available", "away", "wrap_up", "break", "offline", "on_call"];

/// A field shown under 特記事項 (special notes) when a record pops up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoteField {
    #[schema(value_type = String)]
    pub object: ObjectName,
    #[schema(value_type = String)]
    pub field: FieldName,
}

/// An object searchable in the Data search region, and the fields searched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchObject {
    #[schema(value_type = String)]
    pub object: ObjectName,
    #[schema(value_type = Vec<String>)]
    pub fields: Vec<FieldName>,
}

/// A talk script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TalkScript {
    #[schema(value_type = String)]
    pub id: SettingId,
    pub title: String,
    /// The title in English, for operators who use the page in English (the body is what they
    /// say to the customer, in Japanese).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    pub body: String,
}

/// How calls are handled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CallHandling {
    /// Seconds of 後処理 (wrap-up) before an operator is Available again.
    pub wrap_up_seconds: u32,
    /// Seconds a caller may wait for an operator before a polite goodbye.
    pub max_wait_seconds: u32,
    /// Seconds an operator's phone rings before the call is offered to the next operator.
    pub ring_timeout_seconds: u32,
    /// Seconds a held customer may be left with no operator before the call heals itself.
    pub orphan_hold_seconds: u32,
    /// 対応ステータス必須: the operator chooses the call's response status before leaving
    /// 後処理 (the page keeps them in wrap-up until they do).
    #[serde(default)]
    pub require_response_status: bool,
    /// サービスレベル: an incoming call answered within this many seconds counts as answered
    /// in time in the reports (20 unless set).
    #[serde(default = "default_service_level_seconds")]
    pub service_level_seconds: u32,
    /// Whether operators may play the recordings of their own calls (supervisors and admins play
    /// every call's); off unless set.
    #[serde(default)]
    pub operators_play_own_recordings: bool,
    /// 録音の保存期間: days a call's recording is kept at Twilio before it is deleted there (0 keeps
    /// recordings for ever); 90 unless set.
    #[serde(default = "default_recording_retention_days")]
    pub recording_retention_days: u32,
}

/// The longest retention an admin may set (ten years); 0 means for ever.
pub const MAX_RECORDING_RETENTION_DAYS: u32 = 3650;

fn default_recording_retention_days() -> u32 {
    90
}

fn default_service_level_seconds() -> u32 {
    20
}

impl Default for CallHandling {
    fn default() -> Self {
        Self {
            wrap_up_seconds: 60,
            max_wait_seconds: 300,
            ring_timeout_seconds: 20,
            orphan_hold_seconds: 30,
            require_response_status: false,
            service_level_seconds: default_service_level_seconds(),
            operators_play_own_recordings: false,
            recording_retention_days: default_recording_retention_days(),
        }
    }
}

/// Every section together, as the page reads them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Settings {
    pub lines: Vec<Line>,
    pub response_statuses: Vec<ResponseStatus>,
    pub presence_statuses: Vec<PresenceStatus>,
    pub special_notes: Vec<NoteField>,
    #[schema(value_type = Vec<String>)]
    pub history_tabs: Vec<ObjectName>,
    pub search: Vec<SearchObject>,
    pub scripts: Vec<TalkScript>,
    pub objects: Vec<ObjectDef>,
    pub call_handling: CallHandling,
    /// The countries operators may call (premium-rate numbers never).
    #[serde(default)]
    pub dialing: Dialing,
    /// The keyboard shortcuts for answer, hang-up, hold, mute and transfer.
    #[serde(default)]
    pub shortcuts: Shortcuts,
    /// Business hours by line id; a line without any is always open.
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeMap<String, BusinessHours>)]
    pub hours: std::collections::BTreeMap<SettingId, BusinessHours>,
    /// The IVR menu by line id; a line without one puts callers straight in the queue.
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeMap<String, Menu>)]
    pub menu: Menus,
    /// Each line's wait and hold audio, and when a waiting caller is offered a callback.
    #[serde(default)]
    pub waiting: Waiting,
    /// The queues (窓口) callers wait in, the first one the default; 「総合窓口」 alone until an
    /// admin sets them.
    #[serde(default = "queues::default_queues")]
    pub queues: Vec<Queue>,
    /// The version of each section, for optimistic updates.
    pub versions: std::collections::BTreeMap<String, u64>,
}

/// The names of the sections.
pub const SECTIONS: [&str; 15] = [
    "lines",
    "response_statuses",
    "presence_statuses",
    "special_notes",
    "history_tabs",
    "search",
    "scripts",
    "objects",
    "call_handling",
    "dialing",
    "shortcuts",
    "hours",
    "menu",
    "waiting",
    "queues",
];

fn oname(s: &str) -> ObjectName {
    ObjectName::parse(s).expect("built-in name")
}

fn fname(s: &str) -> FieldName {
    FieldName::parse(s).expect("built-in name")
}

fn sid(s: &str) -> SettingId {
    SettingId::parse(s).expect("built-in id")
}

impl Default for Settings {
    fn default() -> Self {
        let status = |id: &str, label: &str, en: &str| ResponseStatus {
            id: sid(id),
            label: label.into(),
            label_en: Some(en.into()),
        };
        let search = |o: &str, fs: &[&str]| SearchObject {
            object: oname(o),
            fields: fs.iter().map(|f| fname(f)).collect(),
        };
        Settings {
            lines: vec![],
            response_statuses: vec![
                status("resolved", "対応完了", "Resolved"),
                status("callback", "折り返し必要", "Call back"),
                status("escalated", "エスカレーション", "Escalated"),
                status("absent", "担当者不在", "Person absent"),
                status("out_of_scope", "対象外", "Out of scope"),
            ],
            presence_statuses: vec![],
            special_notes: vec![
                NoteField {
                    object: oname("account"),
                    field: fname("rank"),
                },
                NoteField {
                    object: oname("account"),
                    field: fname("notes"),
                },
                NoteField {
                    object: oname("contact"),
                    field: fname("notes"),
                },
            ],
            history_tabs: vec![oname("inquiry")],
            search: vec![
                search("account", &["name", "name_kana", "phone", "address"]),
                search("contact", &["name", "name_kana", "phone", "mobile", "email"]),
                search("inquiry", &["subject", "detail"]),
            ],
            scripts: vec![],
            objects: builtin_objects(),
            call_handling: CallHandling::default(),
            dialing: Dialing::default(),
            shortcuts: Shortcuts::default(),
            hours: Default::default(),
            menu: Default::default(),
            waiting: Default::default(),
            queues: queues::default_queues(),
            versions: Default::default(),
        }
    }
}

impl Settings {
    /// The definition of an object, or a 404-style error naming it.
    pub fn object(&self, name: &str) -> Result<&ObjectDef, DomainError> {
        self.objects
            .iter()
            .find(|o| o.name.as_str() == name)
            .ok_or_else(|| DomainError::NotFound(format!("there is no object named '{name}'")))
    }

    /// The search configuration of an object, if it is searchable.
    pub fn search_of(&self, object: &str) -> Option<&SearchObject> {
        self.search.iter().find(|s| s.object.as_str() == object)
    }

    /// A line by id.
    pub fn line(&self, id: &str) -> Option<&Line> {
        self.lines.iter().find(|l| l.id.as_str() == id)
    }

    /// Whether a presence id is built in or configured.
    pub fn is_presence(&self, id: &str) -> bool {
        BUILTIN_PRESENCE.contains(&id) || self.presence_statuses.iter().any(|p| p.id.as_str() == id)
    }

    fn section_value(&self, section: &str) -> Value {
        match section {
            "lines" => json!(self.lines),
            "response_statuses" => json!(self.response_statuses),
            "presence_statuses" => json!(self.presence_statuses),
            "special_notes" => json!(self.special_notes),
            "history_tabs" => json!(self.history_tabs),
            "search" => json!(self.search),
            "scripts" => json!(self.scripts),
            "objects" => json!(self.objects),
            "dialing" => json!(self.dialing),
            "shortcuts" => json!(self.shortcuts),
            "hours" => json!(self.hours),
            "menu" => json!(self.menu),
            "waiting" => json!(self.waiting),
            "queues" => json!(self.queues),
            _ => json!(self.call_handling),
        }
    }

    /// Replaces one section with a new value, checking it on its own and against the rest.
    pub fn with_section(&self, section: &str, value: Value) -> Result<Settings, DomainError> {
        let next = self.with_section_unchecked(section, value)?;
        next.validate()?;
        Ok(next)
    }

    /// Replaces one section, checking only its shape. Used when loading stored sections, which
    /// were checked as a whole when written and refer to each other.
    fn with_section_unchecked(&self, section: &str, value: Value) -> Result<Settings, DomainError> {
        let mut next = self.clone();
        let parse_err = |e: serde_json::Error| {
            DomainError::invalid(
                "invalid_settings",
                format!("{}: 値の形式が正しくありません（{e}）", section_name(section)),
            )
        };
        match section {
            "lines" => next.lines = serde_json::from_value(value).map_err(parse_err)?,
            "response_statuses" => next.response_statuses = serde_json::from_value(value).map_err(parse_err)?,
            "presence_statuses" => next.presence_statuses = serde_json::from_value(value).map_err(parse_err)?,
            "special_notes" => next.special_notes = serde_json::from_value(value).map_err(parse_err)?,
            "history_tabs" => next.history_tabs = serde_json::from_value(value).map_err(parse_err)?,
            "search" => next.search = serde_json::from_value(value).map_err(parse_err)?,
            "scripts" => next.scripts = serde_json::from_value(value).map_err(parse_err)?,
            "objects" => next.objects = serde_json::from_value(value).map_err(parse_err)?,
            "call_handling" => next.call_handling = serde_json::from_value(value).map_err(parse_err)?,
            "dialing" => next.dialing = serde_json::from_value(value).map_err(parse_err)?,
            "shortcuts" => next.shortcuts = serde_json::from_value(value).map_err(parse_err)?,
            "hours" => next.hours = serde_json::from_value(value).map_err(parse_err)?,
            "menu" => next.menu = serde_json::from_value(value).map_err(parse_err)?,
            "waiting" => next.waiting = serde_json::from_value(value).map_err(parse_err)?,
            "queues" => next.queues = serde_json::from_value(value).map_err(parse_err)?,
            other => {
                return Err(DomainError::NotFound(format!(
                    "there is no settings section '{other}'; sections are: {}",
                    SECTIONS.join(", ")
                )));
            }
        }
        Ok(next)
    }

    /// Checks the settings as a whole: unique ids, references to existing objects and fields.
    /// The reasons are in Japanese, as the admin page shows them, each after the section's name.
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad = |section: &str, msg: String| {
            DomainError::invalid("invalid_settings", format!("{}: {msg}", section_name(section)))
        };
        unique(self.lines.iter().map(|l| l.id.as_str()), "lines", "ID")?;
        unique(self.lines.iter().map(|l| l.number.as_str()), "lines", "番号")?;
        for l in &self.lines {
            nonempty(&l.label, "lines", "表示名")?;
            if let Some(s) = &l.script_id
                && !self.scripts.iter().any(|x| &x.id == s)
            {
                return Err(bad(
                    "lines",
                    format!(
                        "回線 {} のトークスクリプト「{s}」がありません。トークスクリプトの設定にあるものを選んでください",
                        l.id
                    ),
                ));
            }
        }
        if self.response_statuses.is_empty() {
            return Err(bad("response_statuses", "対応ステータスを1つ以上残してください".into()));
        }
        unique(
            self.response_statuses.iter().map(|s| s.id.as_str()),
            "response_statuses",
            "ID",
        )?;
        for s in &self.response_statuses {
            nonempty(&s.label, "response_statuses", "表示名")?;
        }
        unique(
            self.presence_statuses.iter().map(|s| s.id.as_str()),
            "presence_statuses",
            "ID",
        )?;
        for p in &self.presence_statuses {
            if BUILTIN_PRESENCE.contains(&p.id.as_str()) {
                return Err(bad(
                    "presence_statuses",
                    format!("「{}」は組み込みのステータスのIDです。別のIDにしてください", p.id),
                ));
            }
            nonempty(&p.label, "presence_statuses", "表示名")?;
        }
        self.validate_objects()?;
        queues::validate(&self.queues).map_err(|e| bad("queues", e))?;
        for l in &self.lines {
            if let Some(q) = l.queue.as_ref().filter(|q| self.queue(q.as_str()).is_none()) {
                return Err(bad(
                    "lines",
                    format!(
                        "回線 {} の窓口「{q}」がありません。窓口の設定にあるものを選んでください",
                        l.id
                    ),
                ));
            }
        }
        for n in &self.special_notes {
            self.object_field(&n.object, &n.field, "special_notes")?;
        }
        unique(
            self.history_tabs.iter().map(|t| t.as_str()),
            "history_tabs",
            "オブジェクト",
        )?;
        for t in &self.history_tabs {
            self.object(t.as_str())
                .map_err(|_| bad("history_tabs", format!("オブジェクト「{t}」はありません")))?;
        }
        unique(self.search.iter().map(|s| s.object.as_str()), "search", "オブジェクト")?;
        for s in &self.search {
            if s.fields.is_empty() {
                return Err(bad(
                    "search",
                    format!("{} の検索する項目を1つ以上選んでください", s.object),
                ));
            }
            for f in &s.fields {
                let def = self.object_field(&s.object, f, "search")?;
                if matches!(
                    def.kind,
                    FieldType::Number | FieldType::Checkbox | FieldType::Reference { .. }
                ) {
                    return Err(bad(
                        "search",
                        format!("{}.{} は文字の項目ではないため検索できません", s.object, f),
                    ));
                }
            }
        }
        unique(self.scripts.iter().map(|s| s.id.as_str()), "scripts", "ID")?;
        for s in &self.scripts {
            nonempty(&s.title, "scripts", "タイトル")?;
            if s.body.chars().count() > 20_000 {
                return Err(bad(
                    "scripts",
                    format!("トークスクリプト {} の本文が20,000文字を超えています", s.id),
                ));
            }
        }
        let ch = &self.call_handling;
        if ch.wrap_up_seconds > 3600
            || !(30..=3600).contains(&ch.max_wait_seconds)
            || !(5..=60).contains(&ch.ring_timeout_seconds)
            || !(5..=600).contains(&ch.orphan_hold_seconds)
        {
            return Err(bad(
                "call_handling",
                "後処理時間は0〜3600秒、最大待ち時間は30〜3600秒、呼出時間は5〜60秒、保留放置の上限は5〜600秒で指定してください"
                    .into(),
            ));
        }
        if ch.recording_retention_days > MAX_RECORDING_RETENTION_DAYS {
            return Err(bad(
                "call_handling",
                format!(
                    "録音の保存期間は0〜{MAX_RECORDING_RETENTION_DAYS}日で指定してください（0は無期限に保存します）"
                ),
            ));
        }
        if !(1..=600).contains(&ch.service_level_seconds) {
            return Err(bad(
                "call_handling",
                "サービスレベルの基準秒数は1〜600秒で指定してください".into(),
            ));
        }
        self.dialing.validate().map_err(|e| bad("dialing", e))?;
        self.shortcuts.validate().map_err(|e| bad("shortcuts", e))?;
        self.validate_hours_and_menus()?;
        self.waiting.validate().map_err(|e| bad("waiting", e))?;
        for line in self.waiting.music.keys() {
            if self.line(line.as_str()).is_none() {
                return Err(bad(
                    "waiting",
                    format!("回線「{line}」はありません。回線の設定にある回線を選んでください"),
                ));
            }
        }
        Ok(())
    }

    /// Each line's hours and menu: the line exists, the hours and menu are well formed, and a
    /// forward when closed goes where operators may call.
    fn validate_hours_and_menus(&self) -> Result<(), DomainError> {
        let bad = |section: &str, msg: String| {
            DomainError::invalid("invalid_settings", format!("{}: {msg}", section_name(section)))
        };
        let no_line = |id: &SettingId| format!("回線 {id} はありません。回線の設定にある回線を選んでください");
        for (id, hours) in &self.hours {
            let Some(line) = self.line(id.as_str()) else {
                return Err(bad("hours", no_line(id)));
            };
            hours
                .validate()
                .map_err(|e| bad("hours", format!("{}（{id}）の{e}", line.label)))?;
            if let hours::WhenClosed::Forward { number } = &hours.when_closed {
                let parsed = PhoneNumber::parse(number)
                    .map_err(|e| bad("hours", format!("{}（{id}）の休業時の転送先: {e}", line.label)))?;
                self.dialing
                    .check(&parsed, "hours")
                    .map_err(|e| bad("hours", format!("{}（{id}）の休業時の転送先: {e}", line.label)))?;
            }
        }
        for (id, menu) in &self.menu {
            let Some(line) = self.line(id.as_str()) else {
                return Err(bad("menu", no_line(id)));
            };
            menu.validate()
                .map_err(|e| bad("menu", format!("{}（{id}）の{e}", line.label)))?;
            for (at, queue) in menu.queues_named() {
                if self.queue(queue.as_str()).is_none() {
                    return Err(bad(
                        "menu",
                        format!(
                            "{}（{id}）の{at}: 窓口「{queue}」がありません。窓口の設定にあるものを選んでください",
                            line.label
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// A queue by id.
    pub fn queue(&self, id: &str) -> Option<&Queue> {
        self.queues.iter().find(|q| q.id.as_str() == id)
    }

    /// The queue callers wait in when nothing names one: the first.
    pub fn default_queue(&self) -> &str {
        self.queues.first().map_or(queues::DEFAULT_QUEUE_ID, |q| q.id.as_str())
    }

    /// The queue a waiting call is in: the one it was filed under while that queue exists,
    /// otherwise (a call queued before there were queues, or its queue since removed) the
    /// default one.
    pub fn queue_of_entry<'a>(&'a self, filed: Option<&'a str>) -> &'a str {
        filed
            .filter(|q| self.queue(q).is_some())
            .unwrap_or_else(|| self.default_queue())
    }

    /// The queue a caller to `line` waits in: the queue a menu option named, or the line's, or
    /// the default.
    pub fn queue_for(&self, line: Option<&Line>, chosen: Option<&SettingId>) -> SettingId {
        [chosen, line.and_then(|l| l.queue.as_ref())]
            .into_iter()
            .flatten()
            .find(|q| self.queue(q.as_str()).is_some())
            .cloned()
            .unwrap_or_else(|| SettingId::parse(self.default_queue()).expect("a queue id is a setting id"))
    }

    /// The line a number belongs to.
    pub fn line_of(&self, number: &PhoneNumber) -> Option<&Line> {
        self.lines.iter().find(|l| &l.number == number)
    }

    fn validate_objects(&self) -> Result<(), DomainError> {
        let bad = |msg: String| DomainError::invalid("invalid_settings", format!("{}: {msg}", section_name("objects")));
        unique(self.objects.iter().map(|o| o.name.as_str()), "objects", "名前")?;
        for builtin in builtin_objects() {
            let Some(o) = self.objects.iter().find(|o| o.name == builtin.name) else {
                return Err(bad(format!("組み込みのオブジェクト {} は削除できません", builtin.name)));
            };
            for f in &builtin.fields {
                match o.field(f.name.as_str()) {
                    Some(g) if g.kind == f.kind => {}
                    Some(_) => {
                        return Err(bad(format!(
                            "組み込みの項目 {}.{} の種類は変えられません",
                            o.name, f.name
                        )));
                    }
                    None => {
                        return Err(bad(format!("組み込みの項目 {}.{} は削除できません", o.name, f.name)));
                    }
                }
            }
        }
        if self.objects.len() > 50 {
            return Err(bad("オブジェクトは50個までです".into()));
        }
        for o in &self.objects {
            nonempty(&o.label, "objects", &format!("{} の表示名", o.name))?;
            if o.fields.is_empty() || o.fields.len() > 100 {
                return Err(bad(format!("{} の項目は1〜100個にしてください", o.name)));
            }
            unique(
                o.fields.iter().map(|f| f.name.as_str()),
                "objects",
                &format!("{} の項目名", o.name),
            )?;
            if o.field(o.title_field.as_str()).is_none() {
                return Err(bad(format!(
                    "{} のタイトルにする項目 {} がありません",
                    o.name, o.title_field
                )));
            }
            if let Some(s) = &o.subtitle_field
                && o.field(s.as_str()).is_none()
            {
                return Err(bad(format!("{} のサブタイトルにする項目 {s} がありません", o.name)));
            }
            for f in &o.fields {
                nonempty(&f.label, "objects", &format!("{}.{} の表示名", o.name, f.name))?;
                match &f.kind {
                    FieldType::Select { options } if options.is_empty() => {
                        return Err(bad(format!(
                            "{}.{}: 選択肢の項目には選択肢を1つ以上設けてください",
                            o.name, f.name
                        )));
                    }
                    FieldType::Select { options } => unique(
                        options.iter().map(|c| c.value.as_str()),
                        "objects",
                        &format!("{}.{} の選択肢", o.name, f.name),
                    )?,
                    FieldType::Reference { object } if !matches!(object.as_str(), "account" | "contact") => {
                        return Err(bad(format!(
                            "{}.{}: 参照先にできるのは取引先（account）か取引先担当者（contact）です",
                            o.name, f.name
                        )));
                    }
                    FieldType::Text { max_length: Some(m) } if *m == 0 || *m > 2000 => {
                        return Err(bad(format!("{}.{}: 最大文字数は1〜2000にしてください", o.name, f.name)));
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    fn object_field(
        &self,
        object: &ObjectName,
        field: &FieldName,
        section: &str,
    ) -> Result<&super::objects::FieldDef, DomainError> {
        let o = self.object(object.as_str()).map_err(|_| {
            DomainError::invalid(
                "invalid_settings",
                format!("{}: オブジェクト「{object}」はありません", section_name(section)),
            )
        })?;
        o.field(field.as_str()).ok_or_else(|| {
            DomainError::invalid(
                "invalid_settings",
                format!("{}: {object} に項目「{field}」はありません", section_name(section)),
            )
        })
    }
}

/// A section's name as the admin page shows it, for the reasons given in Japanese.
fn section_name(section: &str) -> &str {
    match section {
        "lines" => "発信回線",
        "response_statuses" => "対応ステータス",
        "presence_statuses" => "オペレータステータス",
        "special_notes" => "特記事項の項目",
        "history_tabs" => "対応履歴のタブ",
        "search" => "データ検索",
        "scripts" => "トークスクリプト",
        "objects" => "オブジェクトと項目",
        "call_handling" => "着信処理",
        "dialing" => "発信先の制限",
        "shortcuts" => "キーボードショートカット",
        "hours" => "営業時間",
        "menu" => "IVRメニュー",
        "queues" => "窓口",
        other => other,
    }
}

fn unique<'a>(values: impl Iterator<Item = &'a str>, section: &str, what: &str) -> Result<(), DomainError> {
    let mut seen = HashSet::new();
    for v in values {
        if !seen.insert(v) {
            return Err(DomainError::invalid(
                "invalid_settings",
                format!("{}: {what}「{v}」が2回使われています", section_name(section)),
            ));
        }
    }
    Ok(())
}

fn nonempty(s: &str, section: &str, what: &str) -> Result<(), DomainError> {
    if s.trim().is_empty() || s.chars().count() > 200 {
        return Err(DomainError::invalid(
            "invalid_settings",
            format!("{}: {what}は1〜200文字で入力してください", section_name(section)),
        ));
    }
    Ok(())
}

/// Reads and writes settings, with a short in-process cache: a warm function does not read the
/// settings partition on every request, and a change made here is seen at once.
pub struct SettingsService {
    store: Arc<dyn Store>,
    ttl: Duration,
    cache: Mutex<Option<(Instant, Arc<Settings>)>>,
}

impl SettingsService {
    /// `ttl` is how long another instance's change may take to be seen here.
    pub fn new(store: Arc<dyn Store>, ttl: Duration) -> Self {
        Self {
            store,
            ttl,
            cache: Mutex::new(None),
        }
    }

    /// The current settings (one query when the cache is cold). The query is eventually
    /// consistent: the cache already lets another instance's change take `ttl` to be seen here,
    /// and a second more is harmless; [`SettingsService::put_section`] reads strongly.
    pub async fn get(&self) -> Result<Arc<Settings>, DomainError> {
        if let Some((at, s)) = self.cache.lock().ok().and_then(|c| c.clone())
            && at.elapsed() < self.ttl
        {
            return Ok(s);
        }
        self.load(Query::partition(SETTINGS_PK).limit(100).eventually_consistent())
            .await
    }

    async fn load(&self, query: Query) -> Result<Arc<Settings>, DomainError> {
        let page = self.store.query(query).await?;
        let mut settings = Settings::default();
        for item in page.items {
            let (Some(section), Some(value)) = (item.get("SK").and_then(Value::as_str), item.get("value")) else {
                continue;
            };
            let version = item.get("version").and_then(Value::as_u64).unwrap_or(0);
            match settings.with_section_unchecked(section, value.clone()) {
                Ok(next) => settings = next,
                Err(e) => {
                    tracing::error!(section, error = %e, "stored settings section is invalid; using the default")
                }
            }
            settings.versions.insert(section.to_owned(), version);
        }
        let settings = Arc::new(settings);
        if let Ok(mut c) = self.cache.lock() {
            *c = Some((Instant::now(), settings.clone()));
        }
        Ok(settings)
    }

    /// Replaces one section if `version` is the current one (0 when never saved).
    pub async fn put_section(&self, section: &str, version: u64, value: Value) -> Result<Arc<Settings>, DomainError> {
        let current = self.get_fresh().await?;
        let next = current.with_section(section, value)?;
        let stored = current.versions.get(section).copied().unwrap_or(0);
        if stored != version {
            return Err(DomainError::conflict(
                "stale_version",
                format!("the {section} settings were changed by someone else (version {stored}); reload and try again"),
                Some(json!({"version": stored, "value": current.section_value(section)})),
            ));
        }
        let mut item = Item::new();
        item.insert("PK".into(), SETTINGS_PK.into());
        item.insert("SK".into(), section.into());
        item.insert("value".into(), next.section_value(section));
        item.insert("version".into(), (version + 1).into());
        item.insert("updated_at".into(), chrono::Utc::now().to_rfc3339().into());
        let cond = if version == 0 {
            Cond::NotExists
        } else {
            Cond::version(version)
        };
        self.store.put(item, Some(cond)).await.map_err(|e| {
            if e.is_condition_failed() {
                DomainError::conflict(
                    "stale_version",
                    format!("the {section} settings were just changed by someone else"),
                    None,
                )
            } else {
                e.into()
            }
        })?;
        self.invalidate();
        self.get().await
    }

    async fn get_fresh(&self) -> Result<Arc<Settings>, DomainError> {
        self.invalidate();
        self.load(Query::partition(SETTINGS_PK).limit(100)).await
    }

    /// Drops the cached settings.
    pub fn invalidate(&self) {
        if let Ok(mut c) = self.cache.lock() {
            *c = None;
        }
    }

    /// The store key of a section (for seeding).
    pub fn section_key(section: &str) -> Key {
        Key::new(SETTINGS_PK, section)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        Settings::default().validate().unwrap();
    }

    #[test]
    fn a_history_tab_must_name_an_existing_object() {
        let err = Settings::default()
            .with_section("history_tabs", json!(["nothing"]))
            .unwrap_err();
        assert!(err.to_string().contains("nothing"), "{err}");
    }

    #[test]
    fn built_in_objects_and_fields_cannot_be_removed() {
        let mut objects = builtin_objects();
        objects[0].fields.retain(|f| f.name.as_str() != "phone");
        let err = Settings::default().with_section("objects", json!(objects)).unwrap_err();
        assert!(
            err.to_string()
                .contains("組み込みの項目 account.phone は削除できません"),
            "{err}"
        );
    }

    #[test]
    fn built_in_presence_ids_are_reserved() {
        let err = Settings::default()
            .with_section("presence_statuses", json!([{"id": "available", "label": "x"}]))
            .unwrap_err();
        assert!(err.to_string().contains("組み込みのステータス"), "{err}");
    }

    fn with_main_line() -> Settings {
        Settings::default()
            .with_section(
                "lines",
                json!([{"id": "main", "number": "03-6800-0001", "label": "代表"}]),
            )
            .unwrap()
    }

    #[test]
    fn hours_and_menus_belong_to_lines_that_exist() {
        let s = with_main_line();
        let hours = json!({"main": hours::BusinessHours::weekdays_nine_to_six()});
        let with_hours = s.with_section("hours", hours.clone()).unwrap();
        assert!(with_hours.hours.contains_key(&sid("main")));
        let err = s
            .with_section("hours", json!({"sales": hours::BusinessHours::weekdays_nine_to_six()}))
            .unwrap_err();
        assert!(err.to_string().contains("回線 sales はありません"), "{err}");
        let menu = json!({"main": {"greeting": "お電話ありがとうございます。", "options": [
            {"id": "billing", "key": "1", "label": "料金", "action": {"action": "queue"}}
        ], "default": {"action": "queue"}}});
        s.with_section("menu", menu).unwrap();
        let err = s
            .with_section(
                "menu",
                json!({"main": {"greeting": "", "options": [], "default": {"action": "queue"}}}),
            )
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("IVRメニュー: 代表（main）のメニューの最初の案内"),
            "{err}"
        );
    }

    #[test]
    fn centres_without_queues_have_the_general_queue_and_old_settings_still_read() {
        let s = Settings::default();
        assert_eq!(s.default_queue(), "general");
        let mut old = serde_json::to_value(&s).unwrap();
        old.as_object_mut().unwrap().remove("queues");
        let read: Settings = serde_json::from_value(old).unwrap();
        assert_eq!(read.queues, queues::default_queues());
        assert_eq!(read.queue_for(None, None).as_str(), "general");
        assert_eq!(read.queue_of_entry(None), "general");
        assert_eq!(read.queue_of_entry(Some("removed")), "general");
    }

    #[test]
    fn lines_and_menu_options_name_queues_that_exist() {
        let s = with_main_line()
            .with_section(
                "queues",
                json!([{"id": "general", "name": "総合窓口"}, {"id": "billing", "name": "料金窓口"}]),
            )
            .unwrap();
        let line = |queue: &str| json!([{"id": "main", "number": "03-6800-0001", "label": "代表", "queue": queue}]);
        let s = s.with_section("lines", line("billing")).unwrap();
        assert_eq!(s.queue_for(s.line("main"), None).as_str(), "billing");
        let err = s.with_section("lines", line("repair")).unwrap_err();
        assert!(
            err.to_string().contains("回線 main の窓口「repair」がありません"),
            "{err}"
        );
        let menu = |queue: &str| {
            json!({"main": {"greeting": "お電話ありがとうございます。", "options": [
                {"id": "billing", "key": "1", "label": "料金のお問い合わせ", "action": {"action": "queue", "queue": "billing"}},
                {"id": "other", "key": "2", "label": "修理", "action": {"action": "submenu", "menu": {
                    "greeting": "修理ですね。",
                    "options": [{"id": "booking", "key": "1", "label": "新しいご依頼", "action": {"action": "queue", "queue": queue}}],
                    "default": {"action": "queue"}
                }}}
            ], "default": {"action": "queue"}}})
        };
        let with_menu = s.with_section("menu", menu("general")).unwrap();
        let chosen = sid("billing");
        assert_eq!(with_menu.queue_for(with_menu.line("main"), Some(&chosen)), chosen);
        // A queue named by a menu the settings no longer have gives way to the line's.
        assert_eq!(
            with_menu
                .queue_for(with_menu.line("main"), Some(&sid("removed")))
                .as_str(),
            "billing"
        );
        let err = s.with_section("menu", menu("repair")).unwrap_err();
        assert!(
            err.to_string().contains(
                "IVRメニュー: 代表（main）のメニューの2件目（修理）のサブメニューの1件目（新しいご依頼）: 窓口「repair」がありません"
            ),
            "{err}"
        );
        // A queue still named cannot be removed.
        let err = with_menu
            .with_section("queues", json!([{"id": "general", "name": "総合窓口"}]))
            .unwrap_err();
        assert!(err.to_string().contains("窓口「billing」がありません"), "{err}");
        let err = s.with_section("queues", json!([])).unwrap_err();
        assert!(err.to_string().starts_with("窓口: 窓口を1〜20件"), "{err}");
    }

    #[test]
    fn a_closed_line_forwards_only_where_operators_may_call() {
        let s = with_main_line();
        let forward = |number: &str| {
            let mut h = hours::BusinessHours::weekdays_nine_to_six();
            h.when_closed = hours::WhenClosed::Forward { number: number.into() };
            json!({"main": h})
        };
        s.with_section("hours", forward("+81312345678")).unwrap();
        let err = s.with_section("hours", forward("+12125550123")).unwrap_err();
        assert!(err.to_string().contains("発信が許可されていない国"), "{err}");
        let err = s.with_section("hours", forward("+81990123456")).unwrap_err();
        assert!(err.to_string().contains("有料情報サービス"), "{err}");
    }

    #[test]
    fn lines_need_valid_unique_numbers() {
        let lines = json!([{"id": "main", "number": "03-1234-5678", "label": "代表"}, {"id": "sub", "number": "+81312345678", "label": "x"}]);
        assert!(Settings::default().with_section("lines", lines).is_err());
        let err = Settings::default()
            .with_section("lines", json!([{"id": "main", "number": "12", "label": "代表"}]))
            .unwrap_err();
        assert!(err.to_string().contains("not a valid phone number"), "{err}");
    }
}
