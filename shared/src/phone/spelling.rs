//! How people write a number around its digits, in Japanese CRM exports, spreadsheets and
//! business cards, brought down to what libphonenumber reads: a label before it (`TEL:`,
//! `電話：`, `☎`), a `tel:` URI with its parameters, a note in brackets (`（代表）`, `(携帯)`),
//! and an extension after it (`内線 123`, `ext. 123`, `x123`, `#123`, `（内線123）`, `;ext=123`).
//!
//! This module reads only those conventions; the digits themselves, country codes, national and
//! international prefixes and every country's rules are libphonenumber's.
//!
//! It is plain string work, no regular expressions: it runs on every number the console reads,
//! including the first one a function parses after a cold start.

use unicode_normalization::UnicodeNormalization;

use super::{Extension, PhoneError};

/// The most characters a number may be written with, labels, notes and extension included.
pub const MAX_CHARS: usize = 64;

/// Labels written before a number without a colon (with one, any short label is read).
const LABELS: &[&str] = &[
    "tel/fax",
    "tel.",
    "tel",
    "phone",
    "電話番号",
    "携帯電話",
    "電話",
    "携帯",
    "☎",
    "☏",
    "📞",
];

/// Words that introduce an extension, longest first so `extension` is not read as `ext`.
const EXTENSION_MARKERS: &[&str] = &[
    "extension",
    "内線番号",
    "内線",
    "extn.",
    "extn",
    "ext.",
    "ext",
    "x",
    "#",
];

/// Pairs of brackets a note or an area code may be written in (after NFKC folding, which turns
/// full-width `（）［］｛｝＜＞` into their ASCII forms).
const BRACKETS: &[(char, char)] = &[
    ('(', ')'),
    ('[', ']'),
    ('{', '}'),
    ('<', '>'),
    ('【', '】'),
    ('〔', '〕'),
    ('「', '」'),
    ('『', '』'),
    ('〈', '〉'),
    ('《', '》'),
];

/// A number as written, with what surrounds it read and removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spelled {
    /// The input folded and trimmed: what an error message shows back.
    pub shown: String,
    /// The number alone, for libphonenumber: digits, a leading `+` and punctuation.
    pub number: String,
    /// The extension, when one was written.
    pub extension: Option<Extension>,
}

/// Reads the number, extension and notes out of what a person typed or a file held.
pub fn read(input: &str) -> Result<Spelled, PhoneError> {
    if input.chars().count() > 4 * MAX_CHARS {
        return Err(PhoneError::TooLong);
    }
    let shown = fold(input);
    let shown = shown.trim().to_owned();
    if shown.is_empty() {
        return Err(PhoneError::Empty);
    }
    if shown.chars().count() > MAX_CHARS {
        return Err(PhoneError::TooLong);
    }
    let invalid = || PhoneError::Invalid(shown.clone());
    // An extension refused is shown in the whole input, where the user sees it.
    let in_context = |e: PhoneError| match e {
        PhoneError::Extension(_) => PhoneError::Extension(shown.clone()),
        e => e,
    };

    let rest = strip_label(&shown);
    let (rest, params) = rest.split_once(';').unwrap_or((rest, ""));
    let uri = read_uri_parameters(params).ok_or_else(invalid)?;
    let (rest, bracketed_extension) = strip_brackets(rest).map_err(in_context)?;
    let (rest, written_extension) = split_extension(&rest).map_err(in_context)?;

    let mut extensions = [uri.extension, bracketed_extension, written_extension]
        .into_iter()
        .flatten();
    let extension = extensions.next();
    if extensions.next().is_some() {
        return Err(invalid());
    }

    let number = rest.trim();
    if !number.chars().any(|c| c.is_ascii_digit())
        || !number
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')' | '[' | ']' | '.' | '/'))
    {
        return Err(invalid());
    }
    let number = match (number.strip_prefix("00"), uri.context) {
        // `00` is how most of the world dials abroad and how people abroad write a number for
        // Japan; no Japanese national number starts with it. Japan's own `010` is the library's.
        (Some(international), _) => format!("+{international}"),
        // RFC 3966: a local number is read in the context of the global number prefix given.
        (None, Some(context)) if !number.starts_with('+') => format!("{context}{number}"),
        (None, _) => number.to_owned(),
    };
    Ok(Spelled {
        shown,
        number,
        extension,
    })
}

/// Full-width digits, letters and brackets to ASCII (NFKC), and the dashes and spaces Japanese
/// text uses to `-` and ` `.
fn fold(input: &str) -> String {
    input
        .nfkc()
        .map(|c| match c {
            'ー' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | '─' | '━' | '﹣' => '-',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect()
}

/// Removes a label before the number: any short text ending in a colon (`TEL:`, `電話：`,
/// `本社:`, the `tel:` of a URI), or one of [`LABELS`] on its own.
fn strip_label(s: &str) -> &str {
    if let Some((label, rest)) = s.split_once(':') {
        let label = label.trim();
        if label.chars().count() <= 12 && !label.chars().any(|c| c.is_ascii_digit() || c == '+') {
            return rest.trim_start();
        }
    }
    let lower = s.to_ascii_lowercase();
    for label in LABELS {
        if lower.starts_with(label) {
            let rest = &s[label.len()..];
            if !rest.starts_with(|c: char| c.is_alphabetic()) {
                return rest.trim_start_matches([' ', '.', '=']);
            }
        }
    }
    s
}

/// What a `tel:` URI's parameters (`;ext=123;phone-context=+81`) say.
#[derive(Default)]
struct UriParameters {
    extension: Option<Extension>,
    /// A global number prefix (`+81`) a local number is to be read in.
    context: Option<String>,
}

/// Reads RFC 3966 parameters; `None` when the text after a `;` is not one (`; DROP`).
fn read_uri_parameters(params: &str) -> Option<UriParameters> {
    let mut read = UriParameters::default();
    if params.is_empty() {
        return Some(read);
    }
    for param in params.split(';') {
        let (name, value) = param.trim().split_once('=')?;
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return None;
        }
        let value = value.trim();
        match name.as_str() {
            "ext" => read.extension = Some(Extension::parse(value).ok()?),
            "phone-context" if value.starts_with('+') => {
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                read.context = Some(format!("+{digits}"));
            }
            // A domain name as the context, an ISDN subaddress, other parameters: nothing to dial.
            _ => {}
        }
    }
    Some(read)
}

/// Removes notes in brackets (`（代表）`, `[自宅]`: no digits inside) and reads an extension
/// written in them (`（内線123）`); brackets around digits (`(03)`) stay, for the library.
fn strip_brackets(s: &str) -> Result<(String, Option<Extension>), PhoneError> {
    let mut out = String::with_capacity(s.len());
    let mut extension = None;
    let mut rest = s;
    while let Some((at, open)) = rest.char_indices().find(|(_, c)| BRACKETS.iter().any(|(o, _)| o == c)) {
        let close = BRACKETS
            .iter()
            .find(|(o, _)| *o == open)
            .map(|(_, c)| *c)
            .unwrap_or(open);
        let inside_from = at + open.len_utf8();
        let Some(len) = rest[inside_from..].find(close) else {
            break;
        };
        let inside = &rest[inside_from..inside_from + len];
        out.push_str(&rest[..at]);
        let has_digits = inside.chars().any(|c| c.is_ascii_digit());
        match extension_in(inside.trim()) {
            Some(Ok(found)) => {
                if extension.replace(found).is_some() {
                    return Err(PhoneError::Invalid(s.to_owned()));
                }
                out.push(' ');
            }
            Some(Err(refused)) if has_digits => return Err(refused),
            _ if has_digits => out.push_str(&rest[at..inside_from + len + close.len_utf8()]),
            // A note, `（内線なし）` included.
            _ => out.push(' '),
        }
        rest = &rest[inside_from + len + close.len_utf8()..];
    }
    out.push_str(rest);
    Ok((out, extension))
}

/// The extension a bracket holds when it starts with a marker (`内線123`, `ext. 12`).
fn extension_in(inside: &str) -> Option<Result<Extension, PhoneError>> {
    let lower = inside.to_ascii_lowercase();
    let marker = EXTENSION_MARKERS.iter().find(|m| lower.starts_with(**m))?;
    Some(Extension::parse(trim_separators(&inside[marker.len()..])))
}

/// Splits an extension written after the number (`03-1234-5678 内線 123`, `… ext.12`, `…x12`,
/// `…#12`) from it. A marker with no digits after it is refused, naming the extension.
fn split_extension(s: &str) -> Result<(String, Option<Extension>), PhoneError> {
    let lower = s.to_ascii_lowercase();
    let first_digit = lower.find(|c: char| c.is_ascii_digit()).unwrap_or(lower.len());
    let found = EXTENSION_MARKERS
        .iter()
        .flat_map(|m| {
            lower[first_digit..]
                .match_indices(m)
                .map(move |(at, _)| (first_digit + at, m.len()))
        })
        .filter(|&(at, len)| is_a_word(&lower, at, len))
        .min_by_key(|&(at, len)| (at, std::cmp::Reverse(len)));
    match found {
        Some((at, len)) => {
            let extension = Extension::parse(trim_separators(&s[at + len..]))?;
            Ok((s[..at].to_owned(), Some(extension)))
        }
        None => Ok((s.to_owned(), None)),
    }
}

/// Whether `s[at..at + len]` stands as a word of its own: `x` in `Fax` or `ext` in `next` is
/// no extension marker.
fn is_a_word(s: &str, at: usize, len: usize) -> bool {
    let letter_before = s[..at].chars().next_back().is_some_and(|c| c.is_ascii_alphabetic());
    let letter_after = s[at + len..].chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let word = &s[at..at + len];
    !(word.starts_with(|c: char| c.is_ascii_alphabetic()) && letter_before
        || word.ends_with(|c: char| c.is_ascii_alphabetic()) && letter_after)
}

/// What may stand between an extension's marker and its digits: `内線: 123`, `ext. 123`,
/// `内線 No.123`.
fn trim_separators(s: &str) -> &str {
    let s = s.trim_start_matches([' ', ':', '.', '-', '=']);
    let s = s.strip_prefix("No.").or_else(|| s.strip_prefix("no.")).unwrap_or(s);
    s.trim()
}
