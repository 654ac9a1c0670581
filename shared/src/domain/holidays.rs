//! Japan's national holidays (国民の祝日), computed for any year from the rules of the Act on
//! National Holidays (国民の祝日に関する法律) and the special laws that moved or added days,
//! named as the Cabinet Office's list names them. A centre's business hours close on these days
//! unless its admin says otherwise.
//!
//! The rules, as they apply from 1980 (the first year of the equinox formula used here):
//! - fixed days, and the Happy-Monday days (成人の日, 海の日, 敬老の日, 体育の日 / スポーツの日
//!   on the n-th Monday since 2000 and 2003);
//! - 春分の日 and 秋分の日 from the equinox formula the Cabinet Office's yearly announcement
//!   follows for 1980–2099 (the official day is announced each February for the next year: a
//!   year the formula and the announcement disagreed on has not occurred in that range);
//! - the days that special laws moved (the Tokyo Olympics in 2020 and 2021) or added (大喪の礼,
//!   即位礼正殿の儀, 結婚の儀, the accession in 2019);
//! - 振替休日: a holiday on a Sunday makes the next day that is not a holiday a holiday (from
//!   1973-04-12; before 2007 only the Monday after);
//! - 国民の休日 (「休日」): a day that is not a holiday, between two holidays, is a holiday (from
//!   1986; until 2006 not on a Sunday).

use std::sync::OnceLock;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The first and the last year computed ([`holidays_in`] refuses others).
pub const FIRST_YEAR: i32 = 1980;
pub const LAST_YEAR: i32 = 2099;

/// A national holiday: its date and its name as the Cabinet Office's list writes it (which
/// calls a substitute only 「休日」; here it is named after the holiday it stands for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
    pub kind: HolidayKind,
}

/// Why a day is a holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayKind {
    /// A national holiday the law names, or a day a special law made one.
    National,
    /// 振替休日: the day after a national holiday that fell on a Sunday.
    Substitute,
    /// 国民の休日: a day between two national holidays.
    Between,
}

/// A year outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearOutOfRange(pub i32);

impl std::fmt::Display for YearOutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "holidays are computed for {FIRST_YEAR} to {LAST_YEAR}, not {}",
            self.0
        )
    }
}

impl std::error::Error for YearOutOfRange {}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a holiday rule names a real date")
}

/// The `n`-th Monday of a month (Happy Monday).
fn nth_monday(y: i32, m: u32, n: u8) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(y, m, Weekday::Mon, n).expect("every month has four Mondays")
}

/// The day of March of the vernal equinox, 1980–2099.
fn vernal_equinox_day(y: i32) -> u32 {
    equinox_day(20.8431, y)
}

/// The day of September of the autumnal equinox, 1980–2099.
fn autumnal_equinox_day(y: i32) -> u32 {
    equinox_day(23.2488, y)
}

fn equinox_day(base: f64, y: i32) -> u32 {
    let since = f64::from(y - 1980);
    (base + 0.242194 * since - (since / 4.0).floor()).floor() as u32
}

/// The days the law (and the special laws) make holidays in a year, in date order.
fn national(y: i32) -> Vec<(NaiveDate, &'static str)> {
    let mut days: Vec<(NaiveDate, &'static str)> = vec![(ymd(y, 1, 1), "元日")];
    days.push(if y < 2000 {
        (ymd(y, 1, 15), "成人の日")
    } else {
        (nth_monday(y, 1, 2), "成人の日")
    });
    days.push((ymd(y, 2, 11), "建国記念の日"));
    if y >= 2020 {
        days.push((ymd(y, 2, 23), "天皇誕生日"));
    }
    days.push((ymd(y, 3, vernal_equinox_day(y)), "春分の日"));
    days.push((
        ymd(y, 4, 29),
        match y {
            ..=1988 => "天皇誕生日",
            1989..=2006 => "みどりの日",
            _ => "昭和の日",
        },
    ));
    days.push((ymd(y, 5, 3), "憲法記念日"));
    if y >= 2007 {
        days.push((ymd(y, 5, 4), "みどりの日"));
    }
    days.push((ymd(y, 5, 5), "こどもの日"));
    match y {
        ..=1995 => {}
        1996..=2002 => days.push((ymd(y, 7, 20), "海の日")),
        2020 => days.push((ymd(y, 7, 23), "海の日")),
        2021 => days.push((ymd(y, 7, 22), "海の日")),
        _ => days.push((nth_monday(y, 7, 3), "海の日")),
    }
    // The Olympic years moved スポーツの日 beside 海の日, and 山の日 to the closing ceremony.
    match y {
        2020 => days.push((ymd(y, 7, 24), "スポーツの日")),
        2021 => days.push((ymd(y, 7, 23), "スポーツの日")),
        _ => {}
    }
    match y {
        ..=2015 => {}
        2020 => days.push((ymd(y, 8, 10), "山の日")),
        2021 => days.push((ymd(y, 8, 8), "山の日")),
        _ => days.push((ymd(y, 8, 11), "山の日")),
    }
    days.push(if y <= 2002 {
        (ymd(y, 9, 15), "敬老の日")
    } else {
        (nth_monday(y, 9, 3), "敬老の日")
    });
    days.push((ymd(y, 9, autumnal_equinox_day(y)), "秋分の日"));
    match y {
        ..=1999 => days.push((ymd(y, 10, 10), "体育の日")),
        // The list for 2019 names the day with the name it took from 2020.
        2019 => days.push((nth_monday(y, 10, 2), "体育の日（スポーツの日）")),
        2000..=2018 => days.push((nth_monday(y, 10, 2), "体育の日")),
        2020 | 2021 => {}
        _ => days.push((nth_monday(y, 10, 2), "スポーツの日")),
    }
    days.push((ymd(y, 11, 3), "文化の日"));
    days.push((ymd(y, 11, 23), "勤労感謝の日"));
    if (1989..=2018).contains(&y) {
        days.push((ymd(y, 12, 23), "天皇誕生日"));
    }
    // Days a special law made holidays once.
    match y {
        1989 => days.push((ymd(y, 2, 24), "大喪の礼")),
        1990 => days.push((ymd(y, 11, 12), "即位礼正殿の儀")),
        1993 => days.push((ymd(y, 6, 9), "結婚の儀")),
        2019 => {
            days.push((ymd(y, 5, 1), "休日（祝日扱い）"));
            days.push((ymd(y, 10, 22), "休日（祝日扱い）"));
        }
        _ => {}
    }
    days.sort_by_key(|(d, _)| *d);
    days
}

/// Every national holiday of a year, substitutes and days between holidays included, in date
/// order.
pub fn holidays_in(year: i32) -> Result<Vec<Holiday>, YearOutOfRange> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(YearOutOfRange(year));
    }
    // No rule crosses a year: 12-31 is never a holiday, so neither a substitute nor a day
    // between two holidays falls in the next year.
    let named = national(year);
    let is_named = |d: NaiveDate| named.iter().any(|(n, _)| *n == d);
    let mut out: Vec<Holiday> = named
        .iter()
        .map(|(date, name)| Holiday {
            date: *date,
            name: (*name).to_owned(),
            kind: HolidayKind::National,
        })
        .collect();

    // 振替休日.
    let mut substitutes = Vec::new();
    for (date, name) in &named {
        if date.weekday() != Weekday::Sun {
            continue;
        }
        let mut next = *date + Duration::days(1);
        if year >= 2007 {
            while is_named(next) {
                next += Duration::days(1);
            }
        } else if is_named(next) {
            continue;
        }
        substitutes.push(Holiday {
            date: next,
            name: format!("{name} 振替休日"),
            kind: HolidayKind::Substitute,
        });
    }

    // 国民の休日: between two of the law's holidays, neither a holiday nor a substitute itself.
    let mut between = Vec::new();
    if year >= 1986 {
        for (date, _) in &named {
            let day = *date + Duration::days(1);
            let taken = is_named(day) || substitutes.iter().any(|s| s.date == day);
            let sunday_excluded = year <= 2006 && day.weekday() == Weekday::Sun;
            if !taken && !sunday_excluded && is_named(day + Duration::days(1)) {
                between.push(Holiday {
                    date: day,
                    name: "休日".to_owned(),
                    kind: HolidayKind::Between,
                });
            }
        }
    }

    out.extend(substitutes);
    out.extend(between);
    out.sort_by_key(|h| h.date);
    out.dedup_by_key(|h| h.date);
    Ok(out)
}

/// The holidays of each year, computed once per process when first asked for: the incoming
/// webhook asks on every call, and a business-hours search for the next opening asks for up to a
/// year of days.
static YEARS: [OnceLock<Vec<Holiday>>; (LAST_YEAR - FIRST_YEAR + 1) as usize] =
    [const { OnceLock::new() }; (LAST_YEAR - FIRST_YEAR + 1) as usize];

/// [`holidays_in`], computed once per year and kept.
pub fn holidays_of(year: i32) -> Result<&'static [Holiday], YearOutOfRange> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(YearOutOfRange(year));
    }
    let slot = &YEARS[(year - FIRST_YEAR) as usize];
    Ok(slot.get_or_init(|| holidays_in(year).expect("the year is in range")))
}

/// The holiday on a date, if it is one.
pub fn holiday_on(date: NaiveDate) -> Result<Option<Holiday>, YearOutOfRange> {
    Ok(holidays_of(date.year())?.iter().find(|h| h.date == date).cloned())
}

/// The next `n` holidays from `from` (included), within the years computed.
pub fn upcoming(from: NaiveDate, n: usize) -> Vec<Holiday> {
    (from.year()..=LAST_YEAR)
        .filter_map(|y| holidays_of(y).ok())
        .flat_map(|days| days.iter())
        .filter(|h| h.date >= from)
        .take(n)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(y: i32, m: u32, d: u32) -> Option<String> {
        holiday_on(ymd(y, m, d)).unwrap().map(|h| h.name)
    }

    #[test]
    fn the_rules_that_make_a_day_a_holiday() {
        // A Sunday holiday moves to the next day that is not one (2007 on): 2026-05-03 is a
        // Sunday, 05-04 and 05-05 are holidays, so 05-06 is off.
        assert_eq!(on(2026, 5, 6).as_deref(), Some("憲法記念日 振替休日"));
        assert_eq!(on(2020, 5, 6).as_deref(), Some("憲法記念日 振替休日"));
        // A day between 敬老の日 and 秋分の日.
        assert_eq!(on(2026, 9, 22).as_deref(), Some("休日"));
        assert_eq!(on(2015, 9, 22).as_deref(), Some("休日"));
        // The accession in 2019 and the days it put between holidays.
        assert_eq!(on(2019, 4, 30).as_deref(), Some("休日"));
        assert_eq!(on(2019, 5, 1).as_deref(), Some("休日（祝日扱い）"));
        assert_eq!(on(2019, 5, 2).as_deref(), Some("休日"));
        // The Olympic moves.
        assert_eq!(on(2021, 7, 23).as_deref(), Some("スポーツの日"));
        assert_eq!(on(2021, 8, 9).as_deref(), Some("山の日 振替休日"));
        assert_eq!(on(2021, 10, 11), None);
        // Before 2007, a Sunday between two holidays stays a Sunday.
        assert_eq!(on(1986, 5, 4), None);
        assert_eq!(on(1991, 5, 4).as_deref(), Some("休日"));
        // An ordinary day.
        assert_eq!(on(2026, 12, 2), None);
    }

    #[test]
    fn the_kept_years_are_the_computed_ones_and_the_next_holidays_cross_the_year() {
        assert_eq!(holidays_of(2026).unwrap(), holidays_in(2026).unwrap().as_slice());
        assert!(std::ptr::eq(holidays_of(2026).unwrap(), holidays_of(2026).unwrap()));
        let next: Vec<_> = upcoming(ymd(2026, 11, 23), 3)
            .into_iter()
            .map(|h| (h.date, h.name))
            .collect();
        assert_eq!(
            next,
            vec![
                (ymd(2026, 11, 23), "勤労感謝の日".to_owned()),
                (ymd(2027, 1, 1), "元日".to_owned()),
                (ymd(2027, 1, 11), "成人の日".to_owned()),
            ]
        );
        assert!(upcoming(ymd(2099, 12, 1), 5).is_empty());
    }

    #[test]
    fn years_outside_the_formula_are_refused() {
        assert_eq!(holidays_in(1979), Err(YearOutOfRange(1979)));
        assert!(holidays_in(2100).unwrap_err().to_string().contains("1980 to 2099"));
        assert_eq!(holidays_in(2099).unwrap().first().unwrap().name, "元日");
    }
}
