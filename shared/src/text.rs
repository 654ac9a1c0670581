//! Japanese-aware text normalisation for search: NFKC (full-width ASCII and half-width kana
//! become their ordinary forms), katakana folded to hiragana, ASCII lower-cased, white space
//! and separators dropped; then split into bigrams for the inverted index.
//!
//! So 「ヤマダ」 finds a kana reading stored as 「やまだ」, and 「ｱｲｳ」 finds 「アイウ」.

use std::collections::BTreeSet;

use unicode_normalization::UnicodeNormalization;

/// Normalises text for indexing and for queries; both sides must go through this one function.
pub fn normalize(input: &str) -> String {
    input
        .nfkc()
        .filter_map(|c| {
            if c.is_whitespace() || is_separator(c) {
                None
            } else if ('\u{30A1}'..='\u{30F6}').contains(&c) {
                // Katakana ァ..ヶ → hiragana ぁ..ゖ (same offset in both blocks).
                char::from_u32(c as u32 - 0x60)
            } else {
                Some(c.to_lowercase().next().unwrap_or(c))
            }
        })
        .collect()
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        '-' | '‐'
            | '‑'
            | '–'
            | '—'
            | '−'
            | '・'
            | '･'
            | '.'
            | ','
            | '、'
            | '。'
            | '('
            | ')'
            | '（'
            | '）'
            | '/'
            | '_'
            | '\''
            | '"'
            | '「'
            | '」'
    )
}

/// The bigrams of a normalised text; a one-character text yields itself so it can still match
/// an exact one-character query.
pub fn bigrams(normalized: &str) -> BTreeSet<String> {
    let chars: Vec<char> = normalized.chars().collect();
    match chars.len() {
        0 => BTreeSet::new(),
        1 => BTreeSet::from([normalized.to_owned()]),
        _ => chars.windows(2).map(|w| w.iter().collect()).collect(),
    }
}

/// How informative a bigram is likely to be, for picking the posting list to read: kanji and
/// katakana-derived pairs narrow a search far more than digits or the ubiquitous 「株式会社」.
pub fn selectivity(token: &str) -> u32 {
    const COMMON: [&str; 8] = ["株式", "式会", "会社", "有限", "限会", "さん", "ょう", "0"];
    if COMMON.contains(&token) {
        return 0;
    }
    token
        .chars()
        .map(|c| match c {
            '\u{4E00}'..='\u{9FFF}' => 4,
            '\u{3041}'..='\u{3096}' => 3,
            c if c.is_alphabetic() => 2,
            _ => 1,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_width_and_full_width_katakana_fold_to_the_same_text() {
        assert_eq!(normalize("ｱｲｳ"), normalize("アイウ"));
        assert_eq!(normalize("アイウ"), "あいう");
    }

    #[test]
    fn katakana_reading_matches_hiragana_reading() {
        assert_eq!(normalize("ヤマダ タロウ"), normalize("やまだ たろう"));
    }

    #[test]
    fn full_width_ascii_is_case_folded_and_separators_are_dropped() {
        assert_eq!(normalize("ＡＢＣ－Corp"), "abccorp");
        assert_eq!(normalize("03-1234-5678"), "0312345678");
    }

    #[test]
    fn bigrams_cover_every_adjacent_pair() {
        let b = bigrams(&normalize("山田太郎"));
        assert_eq!(b.into_iter().collect::<Vec<_>>(), vec!["太郎", "山田", "田太"]);
        assert_eq!(bigrams("林").len(), 1);
        assert!(bigrams("").is_empty());
    }

    #[test]
    fn company_boilerplate_is_the_least_selective() {
        assert!(selectivity("株式") < selectivity("山田"));
        assert!(selectivity("12") < selectivity("やま"));
    }
}
