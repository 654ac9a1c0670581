//! Phone numbers as people type them, files hold them and Twilio sends them: parsing never
//! panics, a refusal shows the user what they wrote, and a number that parses is stored in a
//! form that parses back to itself, whichever of its forms (E.164 with its extension, the
//! operator's display form, JSON) is read again; its line is the same read alone.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::phone::{ContactNumber, EXTENSION_MAX_DIGITS, PhoneError, PhoneNumber};

fuzz_target!(|input: &str| {
    let contact = match ContactNumber::parse(input) {
        Ok(contact) => contact,
        Err(PhoneError::Invalid(shown) | PhoneError::Extension(shown)) => {
            assert!(!shown.trim().is_empty(), "a refused number is shown back to the user");
            assert!(PhoneNumber::parse(input).is_err(), "the line alone is refused too");
            return;
        }
        Err(PhoneError::Empty | PhoneError::TooLong) => return,
    };

    let number = contact.number();
    assert_eq!(PhoneNumber::parse(input).as_ref(), Ok(number), "the line read alone is the same");
    let e164 = number.as_str();
    assert!(e164.starts_with('+'), "{e164} is E.164");
    assert!(
        e164.len() > 1 && e164.len() <= 16 && e164[1..].bytes().all(|b| b.is_ascii_digit()),
        "{e164} is a plus and at most 15 digits"
    );
    assert_eq!(PhoneNumber::parse(e164).as_ref(), Ok(number), "the line re-parses to itself");

    if let Some(ext) = contact.extension() {
        assert!(
            (1..=EXTENSION_MAX_DIGITS).contains(&ext.as_str().len())
                && ext.as_str().bytes().all(|b| b.is_ascii_digit()),
            "the extension {ext} is digits"
        );
        let digits = contact.send_digits().expect("an extension is dialled");
        assert!(digits.len() <= 32 && digits.ends_with(ext.as_str()), "{digits} fits Twilio's SendDigits");
    } else {
        assert_eq!(contact.send_digits(), None);
    }

    let stored = contact.to_string();
    assert_eq!(
        ContactNumber::parse(&stored).as_ref(),
        Ok(&contact),
        "the stored form {stored:?} re-parses to itself"
    );

    let shown = contact.display();
    assert_eq!(
        ContactNumber::parse(&shown).as_ref(),
        Ok(&contact),
        "the displayed form {shown:?} is the same number"
    );

    let json = serde_json::to_string(&contact).expect("a number serialises");
    assert_eq!(serde_json::from_str::<ContactNumber>(&json).ok().as_ref(), Some(&contact));

    let masked = number.masked();
    assert_eq!(masked.len(), e164.len());
    assert!(
        masked.ends_with(&e164[e164.len() - 2..]),
        "{masked} keeps the last two digits"
    );
    assert!(
        masked.contains('*') || e164.len() <= 5,
        "{masked} hides the middle digits"
    );
});
