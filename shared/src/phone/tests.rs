//! Numbers as real customers' records hold them, and what the console makes of them.

use super::*;

/// How CRM exports, spreadsheets, business cards and people write numbers, with the E.164
/// line and the extension each one is.
const SPELLINGS: &[(&str, &str, Option<&str>)] = &[
    // Japanese fixed lines, mobiles and the non-geographic ranges.
    ("03-1234-5678", "+81312345678", None),
    ("(03) 1234-5678", "+81312345678", None),
    ("0312345678", "+81312345678", None),
    ("06-6123-4567", "+81661234567", None),
    ("011-221-2111", "+81112212111", None),
    ("052 123 4567", "+81521234567", None),
    ("090-1234-5678", "+819012345678", None),
    ("080.1234.5678", "+818012345678", None),
    ("070-1234-5678", "+817012345678", None),
    ("050-1234-5678", "+815012345678", None),
    ("0120-123-456", "+81120123456", None),
    ("0800-123-4567", "+818001234567", None),
    ("0570-012-345", "+81570012345", None),
    // Full-width, as typed with a Japanese input method.
    ("０３（１２３４）５６７８", "+81312345678", None),
    ("０９０ー１２３４ー５６７８", "+819012345678", None),
    ("＋８１　３　１２３４　５６７８", "+81312345678", None),
    ("０３－１２３４－５６７８　内線１２３", "+81312345678", Some("123")),
    // International forms of Japanese numbers.
    ("+81 3 1234 5678", "+81312345678", None),
    ("+81-90-1234-5678", "+819012345678", None),
    ("+81 (0)3-1234-5678", "+81312345678", None),
    ("0081-3-1234-5678", "+81312345678", None),
    // Labels and URIs.
    ("TEL: 03-1234-5678", "+81312345678", None),
    ("TEL：０３－１２３４－５６７８", "+81312345678", None),
    ("Tel. 090-1234-5678", "+819012345678", None),
    ("電話：03-1234-5678", "+81312345678", None),
    ("電話番号 03-1234-5678", "+81312345678", None),
    ("携帯：090-1234-5678", "+819012345678", None),
    ("本社: 03-1234-5678", "+81312345678", None),
    ("TEL/FAX 03-1234-5678", "+81312345678", None),
    ("☎ 0120-123-456", "+81120123456", None),
    ("℡03-1234-5678", "+81312345678", None),
    ("tel:+81-3-1234-5678", "+81312345678", None),
    ("tel:+81-3-1234-5678;ext=123", "+81312345678", Some("123")),
    ("tel:03-1234-5678;phone-context=+81", "+81312345678", None),
    // Extensions.
    ("03-1234-5678 内線123", "+81312345678", Some("123")),
    ("03-1234-5678 内線 4567", "+81312345678", Some("4567")),
    ("03-1234-5678（内線：12）", "+81312345678", Some("12")),
    ("03-1234-5678 内線番号 205", "+81312345678", Some("205")),
    ("03-1234-5678 ext. 123", "+81312345678", Some("123")),
    ("03-1234-5678 EXT 12", "+81312345678", Some("12")),
    ("03-1234-5678 x123", "+81312345678", Some("123")),
    ("03-1234-5678#123", "+81312345678", Some("123")),
    ("+1 650-253-0000 ext. 1234", "+16502530000", Some("1234")),
    // Notes in brackets.
    ("03-1234-5678（代表）", "+81312345678", None),
    ("090-1234-5678 (携帯)", "+819012345678", None),
    ("（代表）03-1234-5678", "+81312345678", None),
    ("03-1234-5678【本社】", "+81312345678", None),
    ("03-1234-5678 [自宅]", "+81312345678", None),
    ("03-1234-5678（内線なし）", "+81312345678", None),
    ("TEL：03-1234-5678（代表）内線 21", "+81312345678", Some("21")),
    // Foreign fixed lines and mobiles, with and without the leading zero kept after the code.
    ("+39 02 1234 5678", "+390212345678", None),
    ("0039 02 1234 5678", "+390212345678", None),
    ("010-39-02-1234-5678", "+390212345678", None),
    ("+39 06 6982 1234", "+390669821234", None),
    ("+39 312 345 6789", "+393123456789", None),
    ("+44 (0)20 7183 8750", "+442071838750", None),
    ("+44 7400 123456", "+447400123456", None),
    ("+33 1 42 68 53 00", "+33142685300", None),
    ("0033 6 12 34 56 78", "+33612345678", None),
    ("+49 30 123456", "+4930123456", None),
    ("+1 (650) 253-0000", "+16502530000", None),
    ("010-1-650-253-0000", "+16502530000", None),
    ("+86 139 1234 5678", "+8613912345678", None),
    ("+82 2-123-4567", "+8221234567", None),
    ("+82 10-1234-5678", "+821012345678", None),
    ("+61 2 1234 5678", "+61212345678", None),
    ("+61 412 345 678", "+61412345678", None),
    ("+65 6123 4567", "+6561234567", None),
    ("+7 495 123-45-67", "+74951234567", None),
];

#[test]
fn real_world_spellings_are_read_as_their_line_and_extension() {
    let mut wrong = Vec::new();
    for &(input, e164, extension) in SPELLINGS {
        match ContactNumber::parse(input) {
            Ok(n) if n.number().as_str() == e164 && n.extension().map(Extension::as_str) == extension => {}
            other => wrong.push(format!("{input:?} → {other:?}, expected {e164} {extension:?}")),
        }
    }
    assert!(SPELLINGS.len() >= 40);
    assert!(
        wrong.is_empty(),
        "{} of {} spellings misread:\n{}",
        wrong.len(),
        SPELLINGS.len(),
        wrong.join("\n")
    );
}

#[test]
fn a_line_parsed_alone_leaves_the_extension_out() {
    assert_eq!(
        PhoneNumber::parse("03-1234-5678 内線 123").unwrap().as_str(),
        "+81312345678"
    );
}

#[test]
fn a_number_with_an_extension_is_stored_in_a_form_that_reads_back_as_itself() {
    let n = ContactNumber::parse("０３（１２３４）５６７８ 内線１２３").unwrap();
    assert_eq!(n.to_string(), "+81312345678;ext=123");
    assert_eq!(ContactNumber::parse(&n.to_string()), Ok(n.clone()));
    assert_eq!(serde_json::to_string(&n).unwrap(), r#""+81312345678;ext=123""#);
    assert_eq!(
        serde_json::from_str::<ContactNumber>(r#""+81312345678;ext=123""#).unwrap(),
        n
    );
}

#[test]
fn an_extension_is_shown_after_the_number_and_dialled_after_a_wait() {
    let n = ContactNumber::parse("03-1234-5678 ext. 123").unwrap();
    assert_eq!(n.display(), "03-1234-5678 内線 123");
    assert_eq!(n.send_digits().as_deref(), Some("ww123"));
    let plain = ContactNumber::parse("03-1234-5678").unwrap();
    assert_eq!(plain.display(), "03-1234-5678");
    assert_eq!(plain.send_digits(), None);
    assert_eq!(plain.to_string(), "+81312345678");
}

#[test]
fn the_same_tokyo_number_written_many_ways_is_one_number() {
    for (input, _, _) in SPELLINGS.iter().filter(|(_, e164, _)| *e164 == "+81312345678") {
        assert_eq!(PhoneNumber::parse(input).unwrap().as_str(), "+81312345678", "{input}");
    }
}

#[test]
fn numbers_are_displayed_in_the_national_japanese_form() {
    assert_eq!(PhoneNumber::parse("+81312345678").unwrap().display(), "03-1234-5678");
    assert_eq!(PhoneNumber::parse("09012345678").unwrap().display(), "090-1234-5678");
    assert_eq!(PhoneNumber::parse("0120123456").unwrap().display(), "0120-123-456");
}

#[test]
fn foreign_numbers_are_displayed_in_their_international_form_with_every_digit() {
    for (input, shown) in [
        ("+7 495 123-45-67", "+7 495 123-45-67"),
        ("+1 650-253-0000", "+1 650-253-0000"),
        ("0039 06 6982 1234", "+39 06 6982 1234"),
        ("+44 (0)20 7183 8750", "+44 20 7183 8750"),
    ] {
        assert_eq!(PhoneNumber::parse(input).unwrap().display(), shown, "{input}");
    }
}

#[test]
fn garbage_and_empty_numbers_are_refused_with_a_reason() {
    assert_eq!(PhoneNumber::parse("  "), Err(PhoneError::Empty));
    assert_eq!(PhoneNumber::parse("　"), Err(PhoneError::Empty));
    assert_eq!(PhoneNumber::parse(&"1".repeat(70)), Err(PhoneError::TooLong));
    for garbage in [
        "12",
        "abc-defg",
        "03-1234-5678; DROP",
        "TEL:",
        "（代表）",
        "03-1234-5678 山田",
        "03:1234:5678",
    ] {
        assert!(
            matches!(PhoneNumber::parse(garbage), Err(PhoneError::Invalid(_))),
            "{garbage}"
        );
    }
}

#[test]
fn an_invalid_number_is_refused_with_examples_to_follow() {
    let message = PhoneNumber::parse("03-1234").unwrap_err().to_string();
    assert!(message.contains("'03-1234'"), "{message}");
    assert!(message.contains("03-1234-5678 内線 123"), "{message}");
}

#[test]
fn an_extension_marker_without_digits_or_with_too_many_is_refused_naming_the_extension() {
    for input in [
        "03-1234-5678 内線",
        "03-1234-5678 ext. abc",
        "03-1234-5678#",
        "03-1234-5678 内線 12345678901",
    ] {
        assert!(
            matches!(ContactNumber::parse(input), Err(PhoneError::Extension(_))),
            "{input}"
        );
    }
}

#[test]
fn two_extensions_or_two_numbers_in_one_cell_are_refused() {
    for input in [
        "03-1234-5678（内線 12）内線 34",
        "tel:+81-3-1234-5678;ext=1 x2",
        "03-1234-5678 / 090-1234-5678",
        "03-1234-5678、090-1234-5678",
    ] {
        assert!(ContactNumber::parse(input).is_err(), "{input}");
    }
}

#[test]
fn a_word_holding_an_x_is_no_extension_marker() {
    for input in [
        "Tel: 03-1234-5678 / Fax: 03-1234-5679",
        "03-1234-5678 Fax",
        "03-1234-5678 next 12",
    ] {
        assert!(
            matches!(ContactNumber::parse(input), Err(PhoneError::Invalid(_))),
            "{input}"
        );
    }
}

#[test]
fn numbers_with_digits_too_many_or_too_few_are_refused() {
    for typo in [
        "0120-031-754-712-348",
        "0120-123-4567",
        "03-1234-56789",
        "090-1234-56789",
        "090-1234-567",
        "+49 5880 158920 55781",
        "+39 000 3900 000504",
        "+999 1234 5678",
    ] {
        assert!(
            matches!(PhoneNumber::parse(typo), Err(PhoneError::Invalid(_))),
            "{typo}"
        );
    }
}

#[test]
fn masked_numbers_keep_only_the_country_code_and_last_two_digits() {
    assert_eq!(PhoneNumber::parse("03-1234-5678").unwrap().masked(), "+81*******78");
    assert_eq!(
        ContactNumber::parse("03-1234-5678 内線 9").unwrap().masked(),
        "+81*******78;ext=…"
    );
}

proptest::proptest! {
    #[test]
    fn parsing_never_panics(s in "\\PC{0,80}") {
        let _ = ContactNumber::parse(&s);
    }

    #[test]
    fn a_parsed_number_reads_back_from_its_stored_and_displayed_forms(
        label in proptest::sample::select(vec!["", "TEL: ", "電話：", "tel:"]),
        line in proptest::sample::select(SPELLINGS.iter().map(|s| s.1).collect::<Vec<_>>()),
        extension in proptest::option::of("[0-9]{1,10}"),
        note in proptest::sample::select(vec!["", "（代表）", " (携帯)"]),
    ) {
        let written = match &extension {
            Some(ext) => format!("{label}{line}{note} 内線 {ext}"),
            None => format!("{label}{line}{note}"),
        };
        let n = ContactNumber::parse(&written).unwrap();
        proptest::prop_assert_eq!(n.number().as_str(), line);
        proptest::prop_assert_eq!(n.extension().map(Extension::as_str), extension.as_deref());
        proptest::prop_assert_eq!(ContactNumber::parse(&n.to_string()), Ok(n.clone()));
        proptest::prop_assert_eq!(ContactNumber::parse(&n.display()), Ok(n.clone()));
    }
}
