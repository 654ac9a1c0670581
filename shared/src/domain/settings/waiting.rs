//! What a caller hears while they wait or are held, and when they are offered a callback (the
//! `waiting` settings section): the hold and wait audio of each line (a URL, or a file the admin
//! put in the page's bucket, named by its path there), played in a loop; a sensible default
//! when a line has none; and after how long a waiting caller is offered to be called back
//! keeping their place (0: never).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::SettingId;

/// The wait music of a line the admin gave none: a piece of the classical playlist Twilio hosts
/// for its own default wait music.
pub const DEFAULT_MUSIC: &str = "https://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3";

/// The longest a URL or a path may be.
const MAX_URL: usize = 1000;

/// A caller's audio: a URL Twilio fetches, or a file of the page's bucket (`music/hold.mp3`),
/// served with the page under `/<path>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "source", rename_all = "snake_case", deny_unknown_fields)]
pub enum Audio {
    /// An `https://` URL.
    Url { url: String },
    /// A path in the page's bucket (letters, digits, `-`, `_`, `.`, `/`), ending .mp3 or .wav.
    Bucket { path: String },
}

impl Audio {
    /// The URL Twilio fetches, with the page's public base URL for a bucket file.
    pub fn url(&self, page_base: &str) -> String {
        match self {
            Audio::Url { url } => url.clone(),
            Audio::Bucket { path } => format!("{}/{}", page_base.trim_end_matches('/'), path.trim_start_matches('/')),
        }
    }

    fn validate(&self) -> Result<(), String> {
        match self {
            Audio::Url { url } => {
                let ok = url.len() <= MAX_URL
                    && url.starts_with("https://")
                    && url.len() > "https://".len()
                    && !url.chars().any(|c| c.is_whitespace() || c.is_control());
                ok.then_some(())
                    .ok_or_else(|| "音声のURLは https:// で始まる1,000文字以内のURLにしてください".to_owned())
            }
            Audio::Bucket { path } => {
                let clean = !path.is_empty()
                    && path.len() <= MAX_URL
                    && !path.split('/').any(|s| s.is_empty() || s == "..")
                    && path
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'));
                let audio = [".mp3", ".wav"].iter().any(|e| path.to_ascii_lowercase().ends_with(e));
                match (clean, audio) {
                    (false, _) => Err(format!(
                        "ファイル名「{path}」には英数字と - _ . / だけを使ってください（例: music/hold.mp3）"
                    )),
                    (true, false) => Err(format!("ファイル「{path}」は .mp3 か .wav のファイルにしてください")),
                    (true, true) => Ok(()),
                }
            }
        }
    }
}

/// One line's audio.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineMusic {
    /// What a caller waiting in the queue hears between the announcements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<Audio>,
    /// What a held customer hears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<Audio>,
}

/// The `waiting` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Waiting {
    /// Seconds a caller waits before being offered a callback that keeps their place; 0 never.
    #[serde(default)]
    pub callback_after_seconds: u32,
    /// Each line's audio, by line id.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, LineMusic>)]
    pub music: BTreeMap<SettingId, LineMusic>,
}

impl Waiting {
    /// Checks the section: the offer's delay, and each line's audio (the lines themselves are
    /// checked against the lines section by the caller). Messages say what to fix, in Japanese.
    pub fn validate(&self) -> Result<(), String> {
        let s = self.callback_after_seconds;
        if s != 0 && !(10..=3600).contains(&s) {
            return Err(format!(
                "折り返しの案内までの待ち時間は10〜3,600秒にしてください（案内しない場合は0）。いまは{s}秒です"
            ));
        }
        for (line, m) in &self.music {
            for (what, audio) in [("待ち受け音", &m.wait), ("保留音", &m.hold)] {
                if let Some(a) = audio {
                    a.validate().map_err(|e| format!("回線 {line} の{what}: {e}"))?;
                }
            }
        }
        Ok(())
    }

    /// What a caller waiting on `line` hears between announcements: the line's wait audio, else
    /// the default.
    pub fn wait_music(&self, line: Option<&str>, page_base: &str) -> String {
        self.line(line)
            .and_then(|m| m.wait.as_ref())
            .map_or_else(|| DEFAULT_MUSIC.to_owned(), |a| a.url(page_base))
    }

    /// What a customer held on `line` hears: the line's hold audio, else its wait audio; `None`
    /// keeps the spoken notice and a short silence, so the held customer is checked on every
    /// 20 s (hold audio is fetched again, and the call checked, each time it ends).
    pub fn hold_music(&self, line: Option<&str>, page_base: &str) -> Option<String> {
        let m = self.line(line)?;
        m.hold.as_ref().or(m.wait.as_ref()).map(|a| a.url(page_base))
    }

    fn line(&self, line: Option<&str>) -> Option<&LineMusic> {
        let line = line?;
        self.music.iter().find(|(id, _)| id.as_str() == line).map(|(_, m)| m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn waiting(v: serde_json::Value) -> Waiting {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_line_without_audio_gets_the_default_and_a_bucket_file_is_served_with_the_page() {
        let w = waiting(json!({"callback_after_seconds": 60, "music": {
            "main": {"wait": {"source": "bucket", "path": "music/wait.mp3"}},
            "sales": {"hold": {"source": "url", "url": "https://cdn.example.jp/hold.mp3"}}
        }}));
        w.validate().unwrap();
        assert_eq!(
            w.wait_music(Some("main"), "https://console.example.jp/"),
            "https://console.example.jp/music/wait.mp3"
        );
        assert_eq!(
            w.hold_music(Some("main"), "https://console.example.jp").as_deref(),
            Some("https://console.example.jp/music/wait.mp3")
        );
        assert_eq!(
            w.hold_music(Some("sales"), "https://c").as_deref(),
            Some("https://cdn.example.jp/hold.mp3")
        );
        assert_eq!(w.hold_music(Some("other"), "https://c"), None);
        assert_eq!(w.wait_music(Some("sales"), "https://c"), DEFAULT_MUSIC);
        assert_eq!(w.wait_music(None, "https://c"), DEFAULT_MUSIC);
    }

    #[test]
    fn mistakes_are_refused_saying_what_to_fix_in_japanese() {
        let cases = [
            (json!({"callback_after_seconds": 5}), "10〜3,600秒"),
            (
                json!({"music": {"main": {"wait": {"source": "url", "url": "http://x.jp/a.mp3"}}}}),
                "https://",
            ),
            (
                json!({"music": {"main": {"hold": {"source": "bucket", "path": "../secret.mp3"}}}}),
                "英数字",
            ),
            (
                json!({"music": {"main": {"hold": {"source": "bucket", "path": "music/hold.txt"}}}}),
                ".mp3 か .wav",
            ),
        ];
        for (v, expected) in cases {
            let err = waiting(v.clone()).validate().unwrap_err();
            assert!(err.contains(expected), "{v}: {err}");
        }
        assert!(waiting(json!({"callback_after_seconds": 0})).validate().is_ok());
    }
}
