//! Business hours (営業時間): when a number answers its callers, as Japanese centres set them —
//! a weekly schedule of spans per day, closed on national holidays unless said otherwise
//! ([`crate::domain::holidays`]), the centre's own closed days (年末年始, お盆, a training day),
//! and what a caller gets while it is closed. The clock is Japan's (JST, UTC+9, no daylight
//! saving), whatever the server's.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::domain::holidays::{FIRST_YEAR, LAST_YEAR, holiday_on};

/// Japan's clock.
pub fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("UTC+9 is an offset")
}

/// A span of a day when the number is open: `09:00`–`18:00`; `24:00` ends at midnight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Span {
    /// `HH:MM`, 00:00 to 23:59.
    pub start: String,
    /// `HH:MM`, after `start`, at most 24:00.
    pub end: String,
}

/// Minutes since midnight of `HH:MM` (`24:00` allowed when `end`).
fn minutes(s: &str, end: bool) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) if end => Some(24 * 60),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

impl Span {
    /// The span in minutes since midnight, start inclusive, end exclusive.
    fn range(&self) -> Option<(u32, u32)> {
        let (s, e) = (minutes(&self.start, false)?, minutes(&self.end, true)?);
        (s < e).then_some((s, e))
    }
}

/// The spans of each day of the week.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Weekly {
    #[serde(default)]
    pub mon: Vec<Span>,
    #[serde(default)]
    pub tue: Vec<Span>,
    #[serde(default)]
    pub wed: Vec<Span>,
    #[serde(default)]
    pub thu: Vec<Span>,
    #[serde(default)]
    pub fri: Vec<Span>,
    #[serde(default)]
    pub sat: Vec<Span>,
    #[serde(default)]
    pub sun: Vec<Span>,
}

impl Weekly {
    fn of(&self, day: Weekday) -> &[Span] {
        match day {
            Weekday::Mon => &self.mon,
            Weekday::Tue => &self.tue,
            Weekday::Wed => &self.wed,
            Weekday::Thu => &self.thu,
            Weekday::Fri => &self.fri,
            Weekday::Sat => &self.sat,
            Weekday::Sun => &self.sun,
        }
    }

    fn days(&self) -> [(&'static str, &[Span]); 7] {
        [
            ("mon", &self.mon),
            ("tue", &self.tue),
            ("wed", &self.wed),
            ("thu", &self.thu),
            ("fri", &self.fri),
            ("sat", &self.sat),
            ("sun", &self.sun),
        ]
    }
}

/// The day's name as the admin page writes it.
fn day_name(day: &str) -> &'static str {
    match day {
        "mon" => "月曜日",
        "tue" => "火曜日",
        "wed" => "水曜日",
        "thu" => "木曜日",
        "fri" => "金曜日",
        "sat" => "土曜日",
        _ => "日曜日",
    }
}

/// Days the centre is closed besides holidays: every year (`12-29` to `01-03`, across the new
/// year) or once (`2026-08-13` to `2026-08-16`); `to` absent is the one day `from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosedDays {
    /// `MM-DD` (every year) or `YYYY-MM-DD` (once).
    pub from: String,
    /// The same form as `from`; the last closed day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// What the days are (年末年始), said in the admin page and the logs.
    pub label: String,
}

/// A closed-days bound, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    Yearly(u32, u32),
    Once(NaiveDate),
}

fn bound(s: &str) -> Option<Bound> {
    if s.len() == 5 {
        // A yearly day is checked against a leap year so that 02-29 is allowed.
        let d = NaiveDate::parse_from_str(&format!("2024-{s}"), "%Y-%m-%d").ok()?;
        return Some(Bound::Yearly(d.month(), d.day()));
    }
    if s.len() == 10 {
        return NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(Bound::Once);
    }
    None
}

impl ClosedDays {
    fn bounds(&self) -> Option<(Bound, Bound)> {
        let from = bound(&self.from)?;
        let to = match &self.to {
            Some(t) => bound(t)?,
            None => from,
        };
        match (from, to) {
            (Bound::Yearly(..), Bound::Yearly(..)) => Some((from, to)),
            (Bound::Once(a), Bound::Once(b)) if a <= b => Some((from, to)),
            _ => None,
        }
    }

    /// Whether the centre is closed on `day` by this entry.
    fn covers(&self, day: NaiveDate) -> bool {
        match self.bounds() {
            Some((Bound::Once(a), Bound::Once(b))) => a <= day && day <= b,
            Some((Bound::Yearly(fm, fd), Bound::Yearly(tm, td))) => {
                let (from, to, at) = ((fm, fd), (tm, td), (day.month(), day.day()));
                if from <= to {
                    from <= at && at <= to
                } else {
                    // Across the new year: 12-29 to 01-03.
                    at >= from || at <= to
                }
            }
            _ => false,
        }
    }
}

/// What a caller gets while the number is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum WhenClosed {
    /// A message read in Japanese, then the call ends.
    Message { text: String },
    /// A greeting, then the caller leaves a message for the operators.
    Voicemail { greeting: String },
    /// The call goes on to another number (a night line, another site), in E.164.
    Forward { number: String },
}

/// One number's business hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    pub weekly: Weekly,
    /// Closed on Japan's national holidays, 振替休日 and 国民の休日 included (the default).
    #[serde(default = "yes")]
    pub closed_on_holidays: bool,
    #[serde(default)]
    pub closed_days: Vec<ClosedDays>,
    pub when_closed: WhenClosed,
}

fn yes() -> bool {
    true
}

/// The most spans a day may have, and closed-days entries a number.
const MAX_SPANS: usize = 8;
const MAX_CLOSED_DAYS: usize = 200;
const MAX_TEXT: usize = 1000;

/// Whether the number is open at a moment, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Openness {
    /// Open until this moment (the end of the span it is in).
    Open { until: DateTime<FixedOffset> },
    /// Closed, for this reason, until the next opening (`None`: none within a year).
    Closed {
        why: ClosedWhy,
        opens: Option<DateTime<FixedOffset>>,
    },
}

/// Why the number is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClosedWhy {
    /// Outside the day's spans.
    OutsideHours,
    /// A national holiday, by its name.
    Holiday(String),
    /// One of the centre's closed days, by its label.
    ClosedDay(String),
}

impl BusinessHours {
    /// Hours open every weekday 09:00–18:00, closed on holidays and 12-29 to 01-03, with a
    /// message out of hours: what a new line starts with.
    pub fn weekdays_nine_to_six() -> Self {
        let day = || {
            vec![Span {
                start: "09:00".into(),
                end: "18:00".into(),
            }]
        };
        Self {
            weekly: Weekly {
                mon: day(),
                tue: day(),
                wed: day(),
                thu: day(),
                fri: day(),
                sat: vec![],
                sun: vec![],
            },
            closed_on_holidays: true,
            closed_days: vec![ClosedDays {
                from: "12-29".into(),
                to: Some("01-03".into()),
                label: "年末年始".into(),
            }],
            when_closed: WhenClosed::Message {
                text: "お電話ありがとうございます。本日の受付は終了いたしました。\
                       受付時間は平日の午前9時から午後6時までです。"
                    .into(),
            },
        }
    }

    /// Checks the hours on their own, saying in Japanese what to fix (the admin page shows the
    /// message as it is).
    pub fn validate(&self) -> Result<(), String> {
        for (day, spans) in self.weekly.days() {
            let name = day_name(day);
            if spans.len() > MAX_SPANS {
                return Err(format!("{name}: 時間帯は1日{MAX_SPANS}件までです"));
            }
            let mut ranges = Vec::with_capacity(spans.len());
            for (i, s) in spans.iter().enumerate() {
                let r = s.range().ok_or_else(|| {
                    format!(
                        "{name}の{}件目: 時間帯は「09:00」のような時刻から、それより後の時刻（24:00まで）\
                         で書いてください（{}〜{} は使えません）",
                        i + 1,
                        s.start,
                        s.end
                    )
                })?;
                ranges.push(r);
            }
            ranges.sort();
            if ranges.windows(2).any(|w| w[1].0 < w[0].1) {
                return Err(format!(
                    "{name}: 時間帯が重なっています。重ならないように直してください"
                ));
            }
        }
        if self.closed_days.len() > MAX_CLOSED_DAYS {
            return Err(format!("独自休業日は{MAX_CLOSED_DAYS}件までです"));
        }
        for (i, c) in self.closed_days.iter().enumerate() {
            if c.bounds().is_none() {
                return Err(format!(
                    "独自休業日の{}件目: 開始と終了は両方「12-29」の形（毎年）か、両方「2026-08-13」の形\
                     （一度だけ、終了は開始と同じ日か後）で書いてください（{} / {} は使えません）",
                    i + 1,
                    c.from,
                    c.to.as_deref().unwrap_or("-")
                ));
            }
            if c.label.trim().is_empty() || c.label.chars().count() > 100 {
                return Err(format!(
                    "独自休業日の{}件目: 名前（年末年始など）を1〜100文字で書いてください",
                    i + 1
                ));
            }
        }
        let text = match &self.when_closed {
            WhenClosed::Message { text } => Some(("休業時のメッセージ", text)),
            WhenClosed::Voicemail { greeting } => Some(("留守番電話の案内", greeting)),
            WhenClosed::Forward { number } => {
                let ok = number.starts_with('+')
                    && (8..=16).contains(&number.len())
                    && number[1..].bytes().all(|b| b.is_ascii_digit());
                if !ok {
                    return Err(format!(
                        "休業時の転送先: +81312345678 のような国際形式（E.164）で書いてください（{number} は使えません）"
                    ));
                }
                None
            }
        };
        if let Some((field, t)) = text
            && (t.trim().is_empty() || t.chars().count() > MAX_TEXT)
        {
            return Err(format!("{field}を1〜{MAX_TEXT}文字で書いてください"));
        }
        Ok(())
    }

    /// Why the whole of `day` is closed, if it is (a closed day, then a holiday).
    fn closed_day(&self, day: NaiveDate) -> Option<ClosedWhy> {
        if let Some(c) = self.closed_days.iter().find(|c| c.covers(day)) {
            return Some(ClosedWhy::ClosedDay(c.label.clone()));
        }
        if self.closed_on_holidays
            && (FIRST_YEAR..=LAST_YEAR).contains(&day.year())
            && let Ok(Some(h)) = holiday_on(day)
        {
            return Some(ClosedWhy::Holiday(h.name));
        }
        None
    }

    /// The day's open spans in minutes, sorted, touching spans joined (`09:00–12:00` and
    /// `12:00–18:00` are one).
    fn open_ranges(&self, day: NaiveDate) -> Vec<(u32, u32)> {
        if self.closed_day(day).is_some() {
            return Vec::new();
        }
        let mut ranges: Vec<(u32, u32)> = self.weekly.of(day.weekday()).iter().filter_map(Span::range).collect();
        ranges.sort();
        let mut joined: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match joined.last_mut() {
                Some(last) if r.0 <= last.1 => last.1 = last.1.max(r.1),
                _ => joined.push(r),
            }
        }
        joined
    }

    /// Whether the number is open at `at`. An opening that runs to 24:00 and goes on at 00:00
    /// the next day is one opening.
    pub fn at(&self, at: DateTime<Utc>) -> Openness {
        let local = at.with_timezone(&jst());
        let day = local.date_naive();
        let now = local.hour() * 60 + local.minute();
        if let Some((_, end)) = self.open_ranges(day).into_iter().find(|(s, e)| *s <= now && now < *e) {
            return Openness::Open {
                until: self.open_until(day, end),
            };
        }
        let why = self.closed_day(day).unwrap_or(ClosedWhy::OutsideHours);
        Openness::Closed {
            why,
            opens: self.next_opening(day, now),
        }
    }

    /// The end of an opening that ends at `end` minutes of `day`, followed across midnights.
    fn open_until(&self, mut day: NaiveDate, mut end: u32) -> DateTime<FixedOffset> {
        for _ in 0..7 {
            if end < 24 * 60 {
                break;
            }
            let next = day + Duration::days(1);
            match self.open_ranges(next).first() {
                Some((0, e)) => {
                    day = next;
                    end = *e;
                }
                _ => break,
            }
        }
        local_moment(day, end)
    }

    /// The next opening after `now` minutes of `day`, within a year.
    fn next_opening(&self, day: NaiveDate, now: u32) -> Option<DateTime<FixedOffset>> {
        if let Some((s, _)) = self.open_ranges(day).into_iter().find(|(s, _)| *s > now) {
            return Some(local_moment(day, s));
        }
        (1..=366).find_map(|i| {
            let d = day + Duration::days(i);
            self.open_ranges(d).first().map(|(s, _)| local_moment(d, *s))
        })
    }
}

/// What the admin page shows beside the hours being edited: open or closed now, until when or
/// from when, why closed, and the next national holidays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HoursPreview {
    pub open: bool,
    /// While open: when the opening ends (RFC 3339, Japan's clock).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// While closed: the next opening within a year (RFC 3339, Japan's clock).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opens: Option<String>,
    /// While closed on a whole day: the holiday's name or the closed day's label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_for: Option<String>,
    /// The next national holidays from today, closed on or not.
    pub holidays: Vec<UpcomingHoliday>,
}

/// A national holiday in the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UpcomingHoliday {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub name: String,
}

impl BusinessHours {
    /// [`BusinessHours::preview`] now.
    pub fn preview_now(&self, holidays: usize) -> HoursPreview {
        self.preview(Utc::now(), holidays)
    }

    /// The preview at `now`, with the next `holidays` national holidays.
    pub fn preview(&self, now: DateTime<Utc>, holidays: usize) -> HoursPreview {
        let today = now.with_timezone(&jst()).date_naive();
        let holidays = crate::domain::holidays::upcoming(today, holidays)
            .into_iter()
            .map(|h| UpcomingHoliday {
                date: h.date.format("%Y-%m-%d").to_string(),
                name: h.name,
            })
            .collect();
        match self.at(now) {
            Openness::Open { until } => HoursPreview {
                open: true,
                until: Some(until.to_rfc3339()),
                opens: None,
                closed_for: None,
                holidays,
            },
            Openness::Closed { why, opens } => HoursPreview {
                open: false,
                until: None,
                opens: opens.map(|o| o.to_rfc3339()),
                closed_for: match why {
                    ClosedWhy::OutsideHours => None,
                    ClosedWhy::Holiday(name) | ClosedWhy::ClosedDay(name) => Some(name),
                },
                holidays,
            },
        }
    }
}

/// `minutes` since midnight of `day` on Japan's clock (24:00 is the next midnight).
fn local_moment(day: NaiveDate, minutes: u32) -> DateTime<FixedOffset> {
    let midnight = day
        .and_time(NaiveTime::MIN)
        .and_local_timezone(jst())
        .single()
        .expect("a fixed offset has one local time");
    midnight + Duration::minutes(i64::from(minutes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A moment on Japan's clock.
    fn jp(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_str(&format!("{s} +0900"), "%Y-%m-%d %H:%M %z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn opens(h: &BusinessHours, s: &str) -> Option<String> {
        match h.at(jp(s)) {
            Openness::Closed { opens, .. } => opens.map(|o| o.format("%Y-%m-%d %H:%M").to_string()),
            Openness::Open { .. } => None,
        }
    }

    #[test]
    fn a_weekday_centre_through_a_year_end_and_a_holiday() {
        let h = BusinessHours::weekdays_nine_to_six();
        h.validate().unwrap();
        // Wednesday 2026-12-02 10:00 JST (01:00 UTC) is open until 18:00.
        match h.at(jp("2026-12-02 10:00")) {
            Openness::Open { until } => assert_eq!(until.format("%H:%M").to_string(), "18:00"),
            other => panic!("{other:?}"),
        }
        // 17:59 open, 18:00 closed: the end is exclusive.
        assert!(matches!(h.at(jp("2026-12-02 17:59")), Openness::Open { .. }));
        assert_eq!(opens(&h, "2026-12-02 18:00").as_deref(), Some("2026-12-03 09:00"));
        // 年末年始: closed from 12-29 to 01-03, then 01-04 is a Monday.
        match h.at(jp("2026-12-29 10:00")) {
            Openness::Closed { why, opens } => {
                assert_eq!(why, ClosedWhy::ClosedDay("年末年始".into()));
                assert_eq!(opens.unwrap().format("%Y-%m-%d %H:%M").to_string(), "2027-01-04 09:00");
            }
            other => panic!("{other:?}"),
        }
        // A holiday Monday (スポーツの日 2026-10-12) is closed and named.
        match h.at(jp("2026-10-12 10:00")) {
            Openness::Closed { why, .. } => assert_eq!(why, ClosedWhy::Holiday("スポーツの日".into())),
            other => panic!("{other:?}"),
        }
        // シルバーウィーク 2026: 09-21 敬老の日, 09-22 休日, 09-23 秋分の日 — open again Thursday.
        assert_eq!(opens(&h, "2026-09-18 18:30").as_deref(), Some("2026-09-24 09:00"));
        // Open on holidays when the admin says so.
        let open_on_holidays = BusinessHours {
            closed_on_holidays: false,
            ..h.clone()
        };
        assert!(matches!(
            open_on_holidays.at(jp("2026-10-12 10:00")),
            Openness::Open { .. }
        ));
    }

    #[test]
    fn the_preview_says_until_when_open_or_from_when_and_why_closed() {
        let h = BusinessHours::weekdays_nine_to_six();
        let open = h.preview(jp("2026-12-03 10:00"), 3);
        assert!(open.open);
        assert_eq!(open.until.as_deref(), Some("2026-12-03T18:00:00+09:00"));
        assert_eq!(open.holidays[0].date, "2027-01-01");
        assert_eq!(open.holidays.len(), 3);
        let holiday = h.preview(jp("2026-11-23 10:00"), 1);
        assert!(!holiday.open);
        assert_eq!(holiday.closed_for.as_deref(), Some("勤労感謝の日"));
        assert_eq!(holiday.opens.as_deref(), Some("2026-11-24T09:00:00+09:00"));
        assert_eq!(holiday.holidays[0].name, "勤労感謝の日");
        let evening = h.preview(jp("2026-12-03 19:00"), 0);
        assert_eq!((evening.open, evening.closed_for), (false, None));
    }

    #[test]
    fn the_clock_is_japans_whatever_the_servers() {
        let h = BusinessHours::weekdays_nine_to_six();
        // 2026-12-02 23:30 UTC is Thursday 08:30 in Tokyo: closed, opening at 09:00 JST.
        let at = DateTime::parse_from_rfc3339("2026-12-02T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        match h.at(at) {
            Openness::Closed { why, opens } => {
                assert_eq!(why, ClosedWhy::OutsideHours);
                assert_eq!(opens.unwrap().to_rfc3339(), "2026-12-03T09:00:00+09:00");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_opening_across_midnight_and_spans_that_touch_are_one() {
        let span = |s: &str, e: &str| Span {
            start: s.into(),
            end: e.into(),
        };
        let mut h = BusinessHours::weekdays_nine_to_six();
        h.weekly.fri = vec![span("09:00", "12:00"), span("12:00", "24:00")];
        h.weekly.sat = vec![span("00:00", "02:00")];
        h.validate().unwrap();
        match h.at(jp("2026-12-04 11:00")) {
            Openness::Open { until } => {
                assert_eq!(until.format("%Y-%m-%d %H:%M").to_string(), "2026-12-05 02:00");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(h.at(jp("2026-12-05 01:59")), Openness::Open { .. }));
        assert_eq!(opens(&h, "2026-12-05 02:00").as_deref(), Some("2026-12-07 09:00"));
    }

    #[test]
    fn closed_days_once_and_every_year() {
        let mut h = BusinessHours::weekdays_nine_to_six();
        h.closed_days.push(ClosedDays {
            from: "2026-12-10".into(),
            to: Some("2026-12-11".into()),
            label: "研修日".into(),
        });
        h.validate().unwrap();
        assert!(matches!(
            h.at(jp("2026-12-10 10:00")),
            Openness::Closed { why: ClosedWhy::ClosedDay(l), .. } if l == "研修日"
        ));
        assert!(matches!(h.at(jp("2027-12-10 10:00")), Openness::Open { .. }));
        // Every year's 年末年始 again in 2030.
        assert!(matches!(
            h.at(jp("2031-01-02 10:00")),
            Openness::Closed {
                why: ClosedWhy::ClosedDay(_),
                ..
            }
        ));
    }

    #[test]
    fn a_number_never_open_says_so() {
        let h = BusinessHours {
            weekly: Weekly::default(),
            ..BusinessHours::weekdays_nine_to_six()
        };
        assert_eq!(
            h.at(jp("2026-12-02 10:00")),
            Openness::Closed {
                why: ClosedWhy::OutsideHours,
                opens: None
            }
        );
    }

    #[test]
    fn what_is_wrong_is_said() {
        let base = BusinessHours::weekdays_nine_to_six();
        let with = |f: &dyn Fn(&mut BusinessHours)| {
            let mut h = base.clone();
            f(&mut h);
            h.validate().unwrap_err()
        };
        let span = |s: &str, e: &str| Span {
            start: s.into(),
            end: e.into(),
        };
        assert!(with(&|h| h.weekly.mon = vec![span("18:00", "09:00")]).starts_with("月曜日の1件目"));
        assert!(with(&|h| h.weekly.tue = vec![span("9:00", "18:00")]).starts_with("火曜日の1件目"));
        assert!(with(&|h| h.weekly.wed = vec![span("24:00", "24:00")]).starts_with("水曜日の1件目"));
        assert!(with(&|h| h.weekly.thu = vec![span("09:00", "13:00"), span("12:00", "18:00")]).contains("重なって"));
        assert!(with(&|h| h.weekly.fri = vec![span("00:00", "01:00"); 9]).contains("8件まで"));
        assert!(
            with(&|h| h.closed_days[0].to = Some("2027-01-03".into())).starts_with("独自休業日の1件目: 開始と終了")
        );
        assert!(with(&|h| h.closed_days[0].from = "02-30".into()).starts_with("独自休業日の1件目"));
        assert!(with(&|h| h.closed_days[0].label = " ".into()).contains("名前"));
        assert!(
            with(&|h| h.when_closed = WhenClosed::Forward {
                number: "03-1234-5678".into()
            })
            .starts_with("休業時の転送先")
        );
        assert!(with(&|h| h.when_closed = WhenClosed::Message { text: "".into() }).starts_with("休業時のメッセージ"));
        // The JSON an admin page sends is read, and an unknown key is refused by serde.
        let json = r#"{"weekly":{"mon":[{"start":"09:00","end":"18:00"}]},"when_closed":{"action":"voicemail","greeting":"ただいまの時間は受付時間外です。"}}"#;
        let h: BusinessHours = serde_json::from_str(json).unwrap();
        assert!(h.closed_on_holidays);
        h.validate().unwrap();
        assert!(
            serde_json::from_str::<BusinessHours>(
                r#"{"weekly":{},"when_closed":{"action":"message","text":"x"},"holidays":true}"#
            )
            .is_err()
        );
    }

    proptest! {
        /// Whatever the schedule, a moment is open exactly when the next opening is absent, an
        /// open moment's end is after it, and a closed moment's next opening is after it and open.
        #[test]
        fn openness_agrees_with_itself(
            starts in proptest::collection::vec((0u32..24, 0u32..4, 1u32..12), 0..3),
            minute in 0i64..(60 * 24 * 21),
        ) {
            let mut h = BusinessHours::weekdays_nine_to_six();
            let spans: Vec<Span> = starts
                .iter()
                .map(|(hh, q, len)| {
                    let s = hh * 60 + q * 15;
                    let e = (s + len * 30).min(24 * 60);
                    Span { start: format!("{:02}:{:02}", s / 60, s % 60), end: format!("{:02}:{:02}", e / 60, e % 60) }
                })
                .collect();
            let mut ranges: Vec<_> = spans.iter().filter_map(Span::range).collect();
            ranges.sort();
            prop_assume!(ranges.len() == spans.len() && ranges.windows(2).all(|w| w[1].0 >= w[0].1));
            h.weekly.sat = spans;
            h.validate().unwrap();
            let at = jp("2026-11-28 00:00") + Duration::minutes(minute);
            match h.at(at) {
                Openness::Open { until } => prop_assert!(until > at),
                Openness::Closed { opens, .. } => {
                    let opens = opens.expect("weekdays open every week");
                    prop_assert!(opens > at);
                    prop_assert!(matches!(h.at(opens.with_timezone(&Utc)), Openness::Open { .. }), "not open at its opening");
                    let before = opens.with_timezone(&Utc) - Duration::minutes(1);
                    let closed_before = before < at || matches!(h.at(before), Openness::Closed { .. });
                    prop_assert!(closed_before, "open a minute before its opening");
                }
            }
        }
    }
}
