//! What a caller meets before the queue: the business hours of the line they called (closed:
//! a message, voicemail, or the call forwarded on the line's caller ID) and its IVR menu (a
//! choice that leads to a queue is kept on the call record, and the caller waits in the queue
//! the option names, or the line's). Decided from the cached settings
//! alone, so the incoming webhook keeps its budget; when the settings cannot be read in time the
//! caller is queued as before, since our trouble never turns a caller away.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{CallControl, ControlError};
use crate::domain::settings::hours::{Openness, WhenClosed};
use crate::domain::settings::{Menu, Settings};
use crate::ids::SettingId;
use crate::phone::PhoneNumber;
use crate::twilio::webhook::IncomingCall;

/// What a closed line says when its forward is no longer allowed (the dial-out policy changed
/// after the hours were saved).
pub const CLOSED_APOLOGY: &str = "お電話ありがとうございます。ただいまの時間は受付を行っておりません。恐れ入りますが、営業時間内におかけ直しください。";

/// The moment business hours are judged at: the system's clock, or a moment a test sets (the
/// simulator's holiday call). Clones share it.
#[derive(Clone, Default)]
pub struct HoursClock(Arc<Mutex<Option<DateTime<Utc>>>>);

impl HoursClock {
    /// Now, or the moment set.
    pub fn now(&self) -> DateTime<Utc> {
        self.0.lock().ok().and_then(|at| *at).unwrap_or_else(Utc::now)
    }

    /// Judges hours at `at` from now on (`None`: the system's clock again).
    pub fn set(&self, at: Option<DateTime<Utc>>) {
        if let Ok(mut now) = self.0.lock() {
            *now = at;
        }
    }
}

/// Where an incoming call goes first.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// Straight to the queue (no menu, the line is open or has no hours, or the settings could
    /// not be read); `record` when the line records its calls.
    Queue { record: bool },
    /// The line's menu.
    Menu { line: SettingId, menu: Arc<Menu> },
    /// The line is closed.
    Closed { line: SettingId, closed: Closed },
}

/// What a caller gets while the line is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closed {
    /// A message, then the call ends.
    Message(String),
    /// The line's voicemail box.
    Voicemail,
    /// The call goes on to `to`, shown the line's number.
    Forward { to: PhoneNumber, caller_id: PhoneNumber },
}

impl CallControl {
    /// Where a call to `to` goes first, judged now; no store request beyond the settings (read
    /// once per instance and kept a few seconds), bounded by `budget`.
    pub async fn entry(&self, to: Option<&str>, budget: Duration) -> Entry {
        let Some(number) = to.and_then(|n| PhoneNumber::parse(n).ok()) else {
            return Entry::Queue { record: false };
        };
        match tokio::time::timeout(budget, self.services.settings.get()).await {
            Ok(Ok(settings)) => entry_of(&settings, &number, self.clock.now()),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "settings unreadable; the caller is queued without hours or menu");
                Entry::Queue { record: false }
            }
            Err(_) => {
                tracing::error!("settings over budget; the caller is queued without hours or menu");
                Entry::Queue { record: false }
            }
        }
    }

    /// The menu of the line with id `line`, for the menu webhook; `None` when it has none (any
    /// more) or the settings cannot be read.
    pub async fn menu_of(&self, line: &SettingId) -> Option<(Arc<Menu>, bool)> {
        let settings = self.services.settings.get().await.ok()?;
        let menu = settings.menu.get(line)?.clone();
        let record = settings.line(line.as_str()).is_some_and(|l| l.recording);
        Some((Arc::new(menu), record))
    }

    /// A caller who chose a queue in a menu: recorded and queued as an incoming call is, in the
    /// queue the option named (the line's when it named none), with the choice (`billing`,
    /// `repair/booking`) on the call record, in one transaction.
    pub async fn queue_from_menu(
        &self,
        call: &IncomingCall,
        choice: &str,
        queue: Option<&SettingId>,
        budget: Duration,
    ) -> Result<(), ControlError> {
        self.record_queued(call, queue, choice, budget)
            .await
            .map_err(|e| ControlError::Domain(crate::error::DomainError::Unavailable(e.into())))
    }
}

/// Where a call to `number` goes at `now`, by the settings.
pub fn entry_of(settings: &Settings, number: &PhoneNumber, now: DateTime<Utc>) -> Entry {
    let Some(line) = settings.line_of(number) else {
        return Entry::Queue { record: false };
    };
    if let Some(hours) = settings.hours.get(&line.id)
        && let Openness::Closed { why, .. } = hours.at(now)
    {
        tracing::info!(line = %line.id, ?why, "the line is closed");
        let closed = match &hours.when_closed {
            WhenClosed::Message { text } => Closed::Message(text.clone()),
            WhenClosed::Voicemail { .. } => Closed::Voicemail,
            WhenClosed::Forward { number: to } => match PhoneNumber::parse(to) {
                Ok(to) if settings.dialing.check(&to, "forward").is_ok() => Closed::Forward {
                    to,
                    caller_id: line.number.clone(),
                },
                _ => {
                    tracing::error!(line = %line.id, "the closed line's forward is not allowed; the caller hears the apology");
                    Closed::Message(CLOSED_APOLOGY.to_owned())
                }
            },
        };
        return Entry::Closed {
            line: line.id.clone(),
            closed,
        };
    }
    match settings.menu.get(&line.id) {
        Some(menu) => Entry::Menu {
            line: line.id.clone(),
            menu: Arc::new(menu.clone()),
        },
        None => Entry::Queue { record: line.recording },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settings::BusinessHours;
    use serde_json::json;

    fn jst(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("{s}+09:00"))
            .unwrap()
            .with_timezone(&Utc)
    }

    fn settings(when_closed: serde_json::Value, with_menu: bool) -> Settings {
        let mut hours = serde_json::to_value(BusinessHours::weekdays_nine_to_six()).unwrap();
        hours["when_closed"] = when_closed;
        let s = Settings::default()
            .with_section(
                "lines",
                json!([{"id": "main", "number": "03-6800-0001", "label": "代表", "recording": true},
                       {"id": "sales", "number": "03-6800-0002", "label": "営業"}]),
            )
            .unwrap()
            .with_section("hours", json!({"main": hours}))
            .unwrap();
        if !with_menu {
            return s;
        }
        s.with_section(
            "menu",
            json!({"main": {"greeting": "お電話ありがとうございます。", "options": [
                {"id": "billing", "key": "1", "label": "料金", "action": {"action": "queue"}}
            ], "default": {"action": "queue"}}}),
        )
        .unwrap()
    }

    fn main() -> PhoneNumber {
        PhoneNumber::parse("+81368000001").unwrap()
    }

    #[test]
    fn a_call_on_a_holiday_gets_the_lines_closed_path_and_a_weekday_its_menu() {
        let s = settings(json!({"action": "message", "text": "本日は休業日です。"}), true);
        // 2026-11-03 文化の日, a Tuesday, at 10:00.
        assert_eq!(
            entry_of(&s, &main(), jst("2026-11-03T10:00:00")),
            Entry::Closed {
                line: SettingId::parse("main").unwrap(),
                closed: Closed::Message("本日は休業日です。".into())
            }
        );
        assert!(matches!(
            entry_of(&s, &main(), jst("2026-11-04T10:00:00")),
            Entry::Menu { .. }
        ));
        // A line without hours or menu is queued, recorded or not as the line says.
        let sales = PhoneNumber::parse("+81368000002").unwrap();
        assert_eq!(
            entry_of(&s, &sales, jst("2026-11-03T10:00:00")),
            Entry::Queue { record: false }
        );
        let open = settings(json!({"action": "voicemail", "greeting": "x"}), false);
        assert_eq!(
            entry_of(&open, &main(), jst("2026-11-04T10:00:00")),
            Entry::Queue { record: true }
        );
        assert_eq!(
            entry_of(&open, &main(), jst("2026-11-04T19:00:00")),
            Entry::Closed {
                line: SettingId::parse("main").unwrap(),
                closed: Closed::Voicemail
            }
        );
    }

    #[test]
    fn a_forward_goes_out_on_the_lines_number_unless_the_dial_out_policy_now_bars_it() {
        let mut s = settings(json!({"action": "forward", "number": "+819011112222"}), false);
        let night = jst("2026-11-04T22:00:00");
        assert_eq!(
            entry_of(&s, &main(), night),
            Entry::Closed {
                line: SettingId::parse("main").unwrap(),
                closed: Closed::Forward {
                    to: PhoneNumber::parse("+819011112222").unwrap(),
                    caller_id: main()
                }
            }
        );
        s.hours.get_mut(&SettingId::parse("main").unwrap()).unwrap().when_closed = WhenClosed::Forward {
            number: "+12125550123".into(),
        };
        assert_eq!(
            entry_of(&s, &main(), night),
            Entry::Closed {
                line: SettingId::parse("main").unwrap(),
                closed: Closed::Message(CLOSED_APOLOGY.into())
            }
        );
    }

    #[test]
    fn the_clock_a_test_sets_is_shared_by_clones() {
        let clock = HoursClock::default();
        let copy = clock.clone();
        clock.set(Some(jst("2026-11-03T10:00:00")));
        assert_eq!(copy.now(), jst("2026-11-03T10:00:00"));
        clock.set(None);
        assert!((Utc::now() - copy.now()).num_seconds().abs() < 5);
    }
}
