//! The console reads numbers as Google's libphonenumber does. The example numbers of
//! libphonenumber's own metadata (every region and non-geographic code, every number type) are
//! kept or given a digit changed, dropped or added, then written in spellings both read
//! (international with `+` or Japan's `010`, national for Japan, grouped, full-width, with a
//! label, as a `tel:` URI, with an extension after `ext.`, `x`, `#` or `;ext=`); each is read by
//! `ContactNumber::parse` and by libphonenumber-js (`tests/tools/phone-oracle`, run through
//! Node as the Twilio oracle runs through Python), and both must agree on whether it is a
//! number, its E.164 form and its extension.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use rlibphonenumber::{PHONE_NUMBER_UTIL, PhoneNumberType, get_national_significant_number_owned};
use serde_json::{Value, json};
use shared::phone::{ContactNumber, Extension};

/// Calling codes of the regions whose metadata changed between the versions the two libraries
/// carry (rlibphonenumber 9.0.42, libphonenumber-js 1.13.16: 9.0.43 updated BJ, CN, DE, EC, ET,
/// GE, LA, RO and ZW): a disagreement there is the metadata's date, not the reading.
const METADATA_DIFFERS: &[i32] = &[229, 86, 49, 593, 251, 995, 856, 40, 263];

const TYPES: &[PhoneNumberType] = &[
    PhoneNumberType::FixedLine,
    PhoneNumberType::Mobile,
    PhoneNumberType::TollFree,
    PhoneNumberType::PremiumRate,
    PhoneNumberType::SharedCost,
    PhoneNumberType::VoIP,
    PhoneNumberType::PersonalNumber,
    PhoneNumberType::Pager,
    PhoneNumberType::UAN,
    PhoneNumberType::VoiceMail,
];

/// Every example number in the metadata: (calling code, national significant number).
fn example_numbers() -> Vec<(i32, String)> {
    let mut out = Vec::new();
    for region in PHONE_NUMBER_UTIL.get_supported_regions() {
        for &kind in TYPES {
            if let Ok(n) = PHONE_NUMBER_UTIL.get_example_number_for_type_and_region(region, kind) {
                out.push((n.country_code, get_national_significant_number_owned(&n)));
            }
        }
    }
    for code in PHONE_NUMBER_UTIL.get_supported_global_network_calling_codes() {
        if let Ok(n) = PHONE_NUMBER_UTIL.get_example_number_for_non_geo_entity(code) {
            out.push((n.country_code, get_national_significant_number_owned(&n)));
        }
    }
    out.sort();
    out.dedup();
    out.retain(|(code, _)| !METADATA_DIFFERS.contains(code));
    out
}

/// What is done to an example's digits before it is written.
#[derive(Debug, Clone)]
enum Mutation {
    Keep,
    Change(usize, u8),
    DropLast,
    Append(u8),
}

/// How the number is written around its digits.
#[derive(Debug, Clone)]
struct Spelling {
    /// 0: `+81312345678`, 1: `+81 3 1234 5678`-like groups, 2: `010-81-…`, 3: national (Japan).
    form: u8,
    group: usize,
    separator: char,
    full_width: bool,
    label: &'static str,
    extension: Option<(usize, String)>,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => Just(Mutation::Keep),
        1 => (any::<usize>(), 0u8..10).prop_map(|(at, d)| Mutation::Change(at, d)),
        1 => Just(Mutation::DropLast),
        1 => (0u8..10).prop_map(Mutation::Append),
    ]
}

fn spelling() -> impl Strategy<Value = Spelling> {
    (
        0u8..4,
        2usize..5,
        prop::sample::select(vec![' ', '-', '.']),
        prop::bool::weighted(0.2),
        prop::sample::select(vec!["", "", "", "TEL: ", "電話：", "tel:"]),
        prop::option::weighted(0.3, (0usize..4, "[0-9]{1,6}")),
    )
        .prop_map(|(form, group, separator, full_width, label, extension)| Spelling {
            form,
            group,
            separator,
            full_width,
            label,
            extension,
        })
}

fn mutate(nsn: &str, m: &Mutation) -> String {
    let mut digits: Vec<u8> = nsn.bytes().collect();
    match *m {
        Mutation::Keep => {}
        Mutation::Change(at, d) => {
            let at = at % digits.len();
            digits[at] = b'0' + d;
        }
        Mutation::DropLast => {
            digits.pop();
        }
        Mutation::Append(d) => digits.push(b'0' + d),
    }
    String::from_utf8(digits).unwrap()
}

fn write(code: i32, nsn: &str, s: &Spelling) -> String {
    let grouped: Vec<String> = nsn
        .as_bytes()
        .chunks(s.group)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let sep = s.separator.to_string();
    let mut text = match s.form {
        0 => format!("+{code}{nsn}"),
        1 => format!("+{code}{sep}{}", grouped.join(&sep)),
        2 => format!("010{sep}{code}{sep}{}", grouped.join(&sep)),
        _ if code == 81 => format!("0{}", grouped.join(&sep)),
        _ => format!("+{code} {nsn}"),
    };
    let full_width = |text: String| -> String {
        if !s.full_width {
            return text;
        }
        text.chars()
            .map(|c| match c {
                '0'..='9' | '+' | '-' | '.' | '#' => char::from_u32(u32::from(c) + 0xFEE0).unwrap(),
                ' ' => '　',
                c => c,
            })
            .collect()
    };
    if s.label == "tel:" {
        // A URI carries no spaces; its extension is a parameter.
        text = format!("tel:{}", full_width(text.replace(' ', "-")));
        if let Some((_, ext)) = &s.extension {
            text.push_str(&format!(";ext={}", full_width(ext.clone())));
        }
    } else {
        text = format!("{}{}", s.label, full_width(text));
        // The marker is written in ASCII: libphonenumber reads no ideographic space between it
        // and the digits (the console does, as Japanese text writes `内線　１２３`).
        if let Some((marker, ext)) = &s.extension {
            let marker = [" ext. ", " x", "#", " EXT "][*marker];
            text.push_str(&format!("{marker}{}", full_width(ext.clone())));
        }
    }
    text
}

/// The directory of the oracle's npm package.
fn oracle_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/tools/phone-oracle");
    assert!(
        dir.join("node_modules/libphonenumber-js").exists(),
        "libphonenumber-js is the oracle here: run tests/run once (it installs the test tools), or \
         npm --prefix tests/tools/phone-oracle ci"
    );
    dir
}

/// Asks libphonenumber-js to read every input, in one Node process.
fn oracle(inputs: &[String]) -> Vec<Value> {
    let dir = oracle_dir();
    let mut child = Command::new(std::env::var_os("PHONE_ORACLE_NODE").unwrap_or_else(|| "node".into()))
        .arg(dir.join("oracle.mjs"))
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs the phone-number oracle");
    let mut stdin = child.stdin.take().unwrap();
    let lines: String = inputs
        .iter()
        .map(|input| json!({"input": input, "region": "JP"}).to_string() + "\n")
        .collect();
    let writer = std::thread::spawn(move || stdin.write_all(lines.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "the oracle failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), inputs.len(), "one answer per input");
    answers
}

fn ours(input: &str) -> Value {
    match ContactNumber::parse(input) {
        Ok(n) => json!({
            "valid": true,
            "e164": n.number().as_str(),
            "ext": n.extension().map(Extension::as_str),
        }),
        Err(_) => json!({"valid": false, "e164": null, "ext": null}),
    }
}

#[test]
fn numbers_around_libphonenumbers_own_examples_are_read_as_libphonenumber_js_reads_them() {
    let examples = example_numbers();
    assert!(examples.len() > 500, "{} example numbers", examples.len());
    let mut runner = TestRunner::deterministic();
    let strategy = (mutation(), spelling());
    let mut inputs = Vec::new();
    for (code, nsn) in &examples {
        for _ in 0..3 {
            let (m, s) = strategy.new_tree(&mut runner).unwrap().current();
            inputs.push(write(*code, &mutate(nsn, &m), &s));
        }
    }
    let theirs = oracle(&inputs);
    let mut valid = 0;
    let disagreements: Vec<String> = inputs
        .iter()
        .zip(&theirs)
        .filter_map(|(input, theirs)| {
            let ours = ours(input);
            valid += usize::from(ours["valid"] == true);
            (&ours != theirs).then(|| format!("{input:?}: ours {ours}, libphonenumber-js {theirs}"))
        })
        .collect();
    assert!(
        disagreements.is_empty(),
        "{} of {} readings differ:\n{}",
        disagreements.len(),
        inputs.len(),
        disagreements.iter().take(30).cloned().collect::<Vec<_>>().join("\n")
    );
    eprintln!(
        "{} readings agree with libphonenumber-js, {valid} of them numbers",
        inputs.len()
    );
    // The generated inputs hold both numbers and non-numbers, or the comparison says little.
    assert!(
        valid > inputs.len() / 3 && valid < inputs.len(),
        "{valid} of {} valid",
        inputs.len()
    );
}

#[test]
fn the_spellings_japanese_records_use_are_read_as_libphonenumber_js_reads_them_where_it_reads_them() {
    // What both read: a label, a note in brackets, ext./x/#, full-width digits. (内線 and a
    // bracketed 内線 are ours alone: libphonenumber does not know them.)
    let inputs: Vec<String> = [
        "TEL: 03-1234-5678",
        "電話：03-1234-5678",
        "tel:+81-3-1234-5678;ext=123",
        "03-1234-5678 ext. 12",
        "03-1234-5678 x12",
        "03-1234-5678#123",
        "03-1234-5678（代表）",
        "０３（１２３４）５６７８",
        "+39 06 6982 1234",
        "010 39 06 6982 1234",
        "+81 (0)3-1234-5678",
        "+44 (0)20 7183 8750",
        "03-1234-567",
    ]
    .map(String::from)
    .to_vec();
    let theirs = oracle(&inputs);
    for (input, theirs) in inputs.iter().zip(&theirs) {
        assert_eq!(&ours(input), theirs, "{input}");
    }
}
