//! Reading an uploaded CSV file: its encoding (UTF-8 with or without a BOM, or Shift_JIS as
//! Japanese spreadsheets save it) with `encoding_rs`, its records with the `csv` crate, and a
//! preview with a suggested column mapping for the page.

use encoding_rs::{SHIFT_JIS, UTF_8};
use serde::Serialize;
use shared::domain::call_lists::{CsvRow, ImportEncoding};
use shared::error::DomainError;

/// A file's text and how its bytes were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// `utf-8`, `utf-8-bom` or `shift_jis`.
    pub encoding: &'static str,
}

/// Reads bytes as text. A UTF-8 byte-order mark always means UTF-8; otherwise `want` decides,
/// and `auto` takes UTF-8 when the bytes are valid UTF-8 and Shift_JIS (Windows-31J) when they
/// are not. Bytes that are not valid in the chosen encoding become U+FFFD, so the rows holding
/// them are reported rather than imported garbled.
pub fn decode(bytes: &[u8], want: ImportEncoding) -> Result<Decoded, DomainError> {
    if bytes.is_empty() {
        return Err(DomainError::invalid_field(
            "empty_file",
            "body",
            "the body is empty; send the bytes of the CSV file",
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.contains(&0) {
        return Err(DomainError::invalid_field(
            "not_csv",
            "body",
            "this is not a CSV file (an Excel workbook?); save it as CSV (UTF-8 or Shift_JIS) and upload that",
        ));
    }
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        if encoding != UTF_8 {
            return Err(DomainError::invalid_field(
                "unsupported_encoding",
                "body",
                "the file is UTF-16 (\"Unicode text\"); save it as CSV UTF-8 or CSV (Shift_JIS)",
            ));
        }
        let (text, _) = UTF_8.decode_without_bom_handling(&bytes[bom..]);
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: "utf-8-bom",
        });
    }
    let shift_jis = || Decoded {
        text: SHIFT_JIS.decode_without_bom_handling(bytes).0.into_owned(),
        encoding: "shift_jis",
    };
    Ok(match want {
        ImportEncoding::Auto => match UTF_8.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(text) => Decoded {
                text: text.into_owned(),
                encoding: "utf-8",
            },
            None => shift_jis(),
        },
        ImportEncoding::Utf8 => Decoded {
            text: UTF_8.decode_without_bom_handling(bytes).0.into_owned(),
            encoding: "utf-8",
        },
        ImportEncoding::ShiftJis => shift_jis(),
    })
}

/// The records of `text`, each with the line of the file it starts on (`first_line` is the
/// file's line number of the text's first line). Fields are trimmed; rows with every field
/// empty (spreadsheets' trailing `,,,` lines) are skipped. More than `max_rows` rows is a 413.
pub fn rows(text: &str, first_line: u64, max_rows: usize) -> Result<Vec<CsvRow>, DomainError> {
    // Windows and classic Mac line ends become plain ones first: the csv crate counts a CRLF's
    // line break towards the next record, which would put every later row one line early, and
    // ends a record at a lone CR without counting a line, which would give two rows one line.
    let unix;
    let text = if text.contains('\r') {
        unix = text.replace("\r\n", "\n").replace('\r', "\n");
        unix.as_str()
    } else {
        text
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let at = e
                .position()
                .map(|p| format!(" at line {}", first_line.saturating_add(p.line() - 1)))
                .unwrap_or_default();
            DomainError::invalid_field("malformed_csv", "body", format!("the CSV could not be read{at}: {e}"))
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        if out.len() == max_rows {
            return Err(DomainError::TooLarge(format!(
                "a chunk holds at most {max_rows} rows; send smaller chunks"
            )));
        }
        let line = first_line.saturating_add(record.position().map_or(1, |p| p.line()) - 1);
        out.push(CsvRow {
            line,
            cells: record.iter().map(str::to_owned).collect(),
        });
    }
    Ok(out)
}

/// A mapping the page can offer before the admin adjusts it: column names by what they hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SuggestedMapping {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub extra: Vec<String>,
}

/// The beginning of a file as the page shows it before an import.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Preview {
    /// `utf-8`, `utf-8-bom` or `shift_jis`.
    pub encoding: String,
    /// The first row: the header, when the file has one.
    pub columns: Vec<String>,
    /// Up to five rows after the first.
    pub rows: Vec<Vec<String>>,
    pub suggested: SuggestedMapping,
}

/// How many rows after the first a preview shows.
const PREVIEW_ROWS: usize = 5;

/// Reads the beginning of a file (the page sends its first few tens of KB, cut after a line
/// break) and suggests which column holds what from the header's names.
pub fn preview(bytes: &[u8]) -> Result<Preview, DomainError> {
    let decoded = decode(bytes, ImportEncoding::Auto)?;
    let mut all = rows(&decoded.text, 1, usize::MAX)?.into_iter();
    let columns = all
        .next()
        .map(|r| r.cells)
        .ok_or_else(|| DomainError::invalid_field("empty_file", "body", "the file has no rows"))?;
    Ok(Preview {
        encoding: decoded.encoding.to_owned(),
        suggested: suggest(&columns),
        rows: all.take(PREVIEW_ROWS).map(|r| r.cells).collect(),
        columns,
    })
}

/// Guesses the mapping from Japanese and English header names; unmatched columns are kept as
/// extra columns.
pub fn suggest(columns: &[String]) -> SuggestedMapping {
    const PHONE: [&str; 5] = ["電話", "tel", "phone", "携帯", "連絡先"];
    const ACCOUNT: [&str; 6] = ["会社", "取引先", "企業", "法人", "company", "account"];
    const CONTACT: [&str; 3] = ["担当", "contact", "person"];
    const NAME: [&str; 4] = ["氏名", "名前", "お名前", "name"];
    const NOTES: [&str; 6] = ["備考", "メモ", "特記", "note", "memo", "comment"];
    let mut s = SuggestedMapping::default();
    for c in columns {
        let lower = c.to_lowercase();
        let is = |words: &[&str]| words.iter().any(|w| lower.contains(w));
        let slot = if is(&PHONE) && s.phone.is_none() {
            &mut s.phone
        } else if is(&ACCOUNT) && s.account.is_none() {
            &mut s.account
        } else if is(&CONTACT) && s.contact.is_none() {
            &mut s.contact
        } else if is(&NAME) && s.name.is_none() {
            &mut s.name
        } else if is(&NOTES) && s.notes.is_none() {
            &mut s.notes
        } else {
            if !c.is_empty() && !s.extra.contains(c) && columns.iter().filter(|x| *x == c).count() == 1 {
                s.extra.push(c.clone());
            }
            continue;
        };
        *slot = Some(c.clone());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_a_bom_and_shift_jis_are_told_apart() {
        let text = "会社名,電話番号\n山田商事,03-1234-5678\n";
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        let (sjis, _, _) = SHIFT_JIS.encode(text);
        for (bytes, encoding) in [
            (text.as_bytes(), "utf-8"),
            (bom.as_slice(), "utf-8-bom"),
            (&sjis[..], "shift_jis"),
        ] {
            let d = decode(bytes, ImportEncoding::Auto).unwrap();
            assert_eq!(d.text, text, "{encoding}");
            assert_eq!(d.encoding, encoding);
        }
    }

    #[test]
    fn utf16_excel_workbooks_and_empty_bodies_are_refused_with_what_to_do() {
        for bytes in [
            b"\xFF\xFEa\x00".as_slice(),
            b"PK\x03\x04rest".as_slice(),
            b"".as_slice(),
        ] {
            let Err(DomainError::Invalid { message, .. }) = decode(bytes, ImportEncoding::Auto) else {
                panic!("accepted {bytes:?}");
            };
            assert!(message.contains("CSV") || message.contains("empty"), "{message}");
        }
    }

    #[test]
    fn records_keep_the_files_line_numbers_across_quoted_line_breaks() {
        let text = "a,\"two\nlines\",c\n\n,,\nd,e,f\n";
        let rows = rows(text, 40, 10).unwrap();
        assert_eq!(rows.len(), 2, "blank and all-empty rows are skipped");
        assert_eq!(rows[0].line, 40);
        assert_eq!(rows[0].cells[1], "two\nlines");
        assert_eq!(rows[1].line, 44);
        let crlf = super::rows("a,b\r\nc,d\r\ne,f\r\n", 1, 10).unwrap();
        let lines: Vec<u64> = crlf.iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 2, 3], "Windows line ends count once");
        assert_eq!(crlf[2].cells, ["e", "f"]);
        let cr = super::rows("a,b\rc,d\r\ne,f\r", 1, 10).unwrap();
        let lines: Vec<u64> = cr.iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 2, 3], "a lone CR ends a line too");
    }

    #[test]
    fn too_many_rows_in_a_chunk_is_too_large() {
        assert!(matches!(rows("1\n2\n3\n", 1, 2), Err(DomainError::TooLarge(_))));
    }

    #[test]
    fn the_mapping_is_guessed_from_japanese_and_english_headers() {
        let cols: Vec<String> = ["会社名", "ご担当者", "電話番号", "備考", "業種"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let s = suggest(&cols);
        assert_eq!(s.account.as_deref(), Some("会社名"));
        assert_eq!(s.contact.as_deref(), Some("ご担当者"));
        assert_eq!(s.phone.as_deref(), Some("電話番号"));
        assert_eq!(s.notes.as_deref(), Some("備考"));
        assert_eq!(s.extra, ["業種"]);
        let en: Vec<String> = ["Name", "Phone"].iter().map(|s| s.to_string()).collect();
        let s = suggest(&en);
        assert_eq!((s.name.as_deref(), s.phone.as_deref()), (Some("Name"), Some("Phone")));
    }
}
