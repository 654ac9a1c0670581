//! Phone numbers as people type them and as Twilio sends them: parsing never panics, and a
//! number that parses is stored in a form that parses back to itself, whichever of its forms
//! (E.164, the operator's display form, JSON) is read again.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::phone::{PhoneError, PhoneNumber};

fuzz_target!(|input: &str| {
    let number = match PhoneNumber::parse(input) {
        Ok(number) => number,
        Err(PhoneError::Invalid(shown)) => {
            assert!(!shown.trim().is_empty(), "an invalid number is shown back to the user");
            return;
        }
        Err(PhoneError::Empty | PhoneError::TooLong) => return,
    };

    let e164 = number.as_str();
    assert!(e164.starts_with('+'), "{e164} is E.164");
    assert!(
        e164.len() > 1 && e164.len() <= 16 && e164[1..].bytes().all(|b| b.is_ascii_digit()),
        "{e164} is a plus and at most 15 digits"
    );
    assert_eq!(
        PhoneNumber::parse(e164).as_ref(),
        Ok(&number),
        "the stored form re-parses to itself"
    );

    let shown = number.display();
    assert_eq!(
        PhoneNumber::parse(&shown).as_ref(),
        Ok(&number),
        "the displayed form {shown:?} is the same number"
    );

    let json = serde_json::to_string(&number).expect("a number serialises");
    assert_eq!(serde_json::from_str::<PhoneNumber>(&json).ok().as_ref(), Some(&number));

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
