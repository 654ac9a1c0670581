//! The holiday calendar against the Cabinet Office's list as `@holiday-jp/holiday_jp` carries it
//! (`tests/tools/holiday-oracle`, run through Node): every national holiday, substitute and day
//! between two holidays from 1980 to 2030, by date and by name, and no day besides. (The list
//! calls a substitute 「休日」; the package names it after a holiday of the weekend, not always
//! the Sunday's — 2026-05-06 is こどもの日's there, 2020-05-06 憲法記念日's — so a substitute is
//! checked as one, not by the holiday it names.)

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use shared::domain::holidays::{FIRST_YEAR, HolidayKind, holidays_in};

const LAST_CHECKED: i32 = 2030;

fn oracle() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/tools/holiday-oracle");
    assert!(
        dir.join("node_modules/@holiday-jp/holiday_jp").exists(),
        "@holiday-jp/holiday_jp is the oracle here: run tests/run once (it installs the test tools), \
         or npm --prefix tests/tools/holiday-oracle ci"
    );
    let out = Command::new(std::env::var_os("PHONE_ORACLE_NODE").unwrap_or_else(|| "node".into()))
        .arg(dir.join("oracle.mjs"))
        .arg(FIRST_YEAR.to_string())
        .arg(LAST_CHECKED.to_string())
        .current_dir(&dir)
        .output()
        .expect("node runs the holiday oracle");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["date"].as_str().unwrap().to_owned(),
                v["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_holiday_from_1980_to_2030_is_the_cabinet_offices() {
    let expected = oracle();
    assert!(expected.len() > 800, "the oracle printed {} days", expected.len());
    let ours: Vec<(String, String)> = (FIRST_YEAR..=LAST_CHECKED)
        .flat_map(|y| holidays_in(y).unwrap())
        .map(|h| {
            let name = match h.kind {
                HolidayKind::Substitute => "振替休日".to_owned(),
                _ => h.name,
            };
            (h.date.format("%Y-%m-%d").to_string(), name)
        })
        .collect();
    let expected: Vec<(String, String)> = expected
        .into_iter()
        .map(|(date, name)| match name.ends_with(" 振替休日") {
            true => (date, "振替休日".to_owned()),
            false => (date, name),
        })
        .collect();
    let missing: Vec<_> = expected.iter().filter(|e| !ours.contains(e)).collect();
    let extra: Vec<_> = ours.iter().filter(|o| !expected.contains(o)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing (date, name): {missing:?}\nnot in the list: {extra:?}"
    );
}
