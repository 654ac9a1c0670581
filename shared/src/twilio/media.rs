//! A recording's media served a part at a time: the byte range a listener's player asks for
//! (HTTP `Range`, RFC 9110 §14), parsed at the edge into [`ByteRange`], and the part Twilio
//! answered with ([`MediaPart`]).
//!
//! A part is never larger than [`MAX_PART_BYTES`]. API Gateway's HTTP API and Lambda cap a
//! response at about 6 MB, and a binary body leaves Lambda base64-encoded (4/3 larger), so a
//! part of at most 2 MB (2.7 MB encoded) always fits, with room for the headers. An open-ended
//! range (`bytes=0-`, what `<audio>` asks first) or a range wider than that is answered with the
//! part that starts where it asked, bounded; the `Content-Range` says which bytes came, and the
//! browser asks for the next range when it plays on or seeks. The range is forwarded to Twilio,
//! whose media URLs honour `Range`, so no function ever holds a whole long recording.
//!
//! **Which request is a play.** One listening is many requests: the player's first asks from the
//! start (`bytes=0-`, or no `Range`), the rest carry on from where the last part ended or from
//! where the listener seeked. So a request from byte 0 is where a play starts (the first play,
//! or the listener going back to the beginning) and is what the audit log counts
//! ([`ByteRange::starts_play`]); a later part of the same play is not. A probe of a few first
//! bytes (Safari asks `bytes=0-1` to learn the length before it plays) is not a play either.

/// The most bytes of a recording one response carries (see the module documentation).
pub const MAX_PART_BYTES: u64 = 2 << 20;

/// The most bytes a request from the start may ask for and still be a probe of the recording's
/// length rather than a play (Safari's `bytes=0-1`; a WAV header is 44 bytes).
pub const PROBE_BYTES: u64 = 64;

/// One byte range of a recording, as a player asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// `bytes=<first>-`: from `first` to the end.
    From(u64),
    /// `bytes=<first>-<last>`: both inclusive.
    Between(u64, u64),
    /// `bytes=-<n>`: the last `n` bytes.
    Last(u64),
}

/// Why a `Range` header cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// Not `bytes=<first>-<last>`, `bytes=<first>-` or `bytes=-<n>`, or several ranges.
    #[error(
        "Range の形式が正しくありません（bytes=開始-終了、bytes=開始-、bytes=-長さ のどれか1つを指定してください）: {0}"
    )]
    Malformed(String),
    /// Well formed but outside the recording (`first` past its end, or an empty suffix).
    #[error("指定された範囲は録音の長さを超えています")]
    Unsatisfiable,
}

impl ByteRange {
    /// The range a `Range` header names; `None` (no header) is the whole recording from its
    /// start, served bounded like `bytes=0-`.
    pub fn parse(header: Option<&str>) -> Result<Self, RangeError> {
        let Some(header) = header else {
            return Ok(ByteRange::From(0));
        };
        let malformed = || RangeError::Malformed(header.chars().take(60).collect());
        let spec = header.trim().strip_prefix("bytes=").ok_or_else(malformed)?.trim();
        if spec.contains(',') {
            return Err(malformed());
        }
        let (first, last) = spec.split_once('-').ok_or_else(malformed)?;
        let number = |s: &str| {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u64>().ok())
                .flatten()
        };
        match (first.trim(), last.trim()) {
            ("", n) => match number(n).ok_or_else(malformed)? {
                0 => Err(RangeError::Unsatisfiable),
                n => Ok(ByteRange::Last(n)),
            },
            (f, "") => Ok(ByteRange::From(number(f).ok_or_else(malformed)?)),
            (f, l) => {
                let (f, l) = (number(f).ok_or_else(malformed)?, number(l).ok_or_else(malformed)?);
                if l < f {
                    return Err(malformed());
                }
                Ok(ByteRange::Between(f, l))
            }
        }
    }

    /// The range to ask Twilio for so that at most `max` bytes come back: a start-bounded range
    /// is cut to `max` bytes; a suffix is sent as asked and its answer read to `max` bytes only.
    pub fn bounded(self, max: u64) -> Self {
        let max = max.max(1);
        match self {
            ByteRange::From(f) => ByteRange::Between(f, f.saturating_add(max - 1)),
            ByteRange::Between(f, l) => ByteRange::Between(f, l.min(f.saturating_add(max - 1))),
            last @ ByteRange::Last(_) => last,
        }
    }

    /// Whether a player asking for this range starts a play of the recording: it asks from the
    /// first byte for more than [`PROBE_BYTES`] (see the module documentation).
    pub fn starts_play(self) -> bool {
        match self {
            ByteRange::From(0) => true,
            ByteRange::Between(0, last) => last >= PROBE_BYTES,
            _ => false,
        }
    }

    /// The range as a `Range` header value.
    pub fn header(self) -> String {
        match self {
            ByteRange::From(f) => format!("bytes={f}-"),
            ByteRange::Between(f, l) => format!("bytes={f}-{l}"),
            ByteRange::Last(n) => format!("bytes=-{n}"),
        }
    }

    /// The first and last byte this range names in a recording of `total` bytes, at most `max`
    /// of them; `None` when none of it is in the recording.
    pub fn within(self, total: u64, max: u64) -> Option<(u64, u64)> {
        let (first, last) = match self {
            ByteRange::From(f) => (f, total.checked_sub(1)?),
            ByteRange::Between(f, l) => (f, l.min(total.checked_sub(1)?)),
            ByteRange::Last(n) => (total.saturating_sub(n), total.checked_sub(1)?),
        };
        (first <= last).then(|| (first, last.min(first.saturating_add(max.max(1) - 1))))
    }
}

/// A part of a recording's media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaPart {
    /// The bytes, `first..=first + len - 1` of the recording.
    pub bytes: Vec<u8>,
    /// Where they start in the recording.
    pub first: u64,
    /// The recording's whole length in bytes.
    pub total: u64,
    /// The media type Twilio gave (`audio/x-wav`).
    pub content_type: String,
}

impl MediaPart {
    /// The last byte's offset (for `Content-Range`).
    pub fn last(&self) -> u64 {
        self.first + (self.bytes.len() as u64).saturating_sub(1)
    }

    /// Whether this part is the whole recording.
    pub fn is_whole(&self) -> bool {
        self.first == 0 && self.bytes.len() as u64 == self.total
    }
}

/// What Twilio answered for a range of a recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaAnswer {
    /// The part asked for (bounded).
    Part(MediaPart),
    /// The range is outside the recording, which is `total` bytes long when Twilio said.
    Unsatisfiable {
        /// The recording's length, when known.
        total: Option<u64>,
    },
}

/// `bytes <first>-<last>/<total>` or `bytes */<total>` read back: the first byte, and the total
/// when given.
pub fn parse_content_range(value: &str) -> Option<(Option<u64>, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let total = total.trim().parse().ok();
    if span.trim() == "*" {
        return Some((None, total));
    }
    let (first, _) = span.split_once('-')?;
    Some((Some(first.trim().parse().ok()?), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ranges_a_player_asks_for_are_read() {
        assert_eq!(ByteRange::parse(Some("bytes=0-")), Ok(ByteRange::From(0)));
        assert_eq!(
            ByteRange::parse(Some("bytes=100-199")),
            Ok(ByteRange::Between(100, 199))
        );
        assert_eq!(ByteRange::parse(Some("bytes=-500")), Ok(ByteRange::Last(500)));
        assert_eq!(ByteRange::parse(None), Ok(ByteRange::From(0)));
    }

    #[test]
    fn a_malformed_or_multiple_range_is_refused_and_an_empty_suffix_is_unsatisfiable() {
        for bad in [
            "bytes=abc",
            "items=0-1",
            "bytes=5-1",
            "bytes=0-1,5-6",
            "bytes=",
            "bytes=-",
            "bytes=+1-2",
        ] {
            assert!(
                matches!(ByteRange::parse(Some(bad)), Err(RangeError::Malformed(_))),
                "{bad}"
            );
        }
        assert_eq!(ByteRange::parse(Some("bytes=-0")), Err(RangeError::Unsatisfiable));
    }

    #[test]
    fn an_open_or_wide_range_is_bounded_to_one_part() {
        assert_eq!(ByteRange::From(0).bounded(10), ByteRange::Between(0, 9));
        assert_eq!(ByteRange::Between(5, 100).bounded(10), ByteRange::Between(5, 14));
        assert_eq!(ByteRange::Between(5, 7).bounded(10), ByteRange::Between(5, 7));
        assert_eq!(ByteRange::Last(50).bounded(10), ByteRange::Last(50));
    }

    #[test]
    fn a_range_is_placed_within_a_recording() {
        assert_eq!(ByteRange::From(0).within(1000, 2000), Some((0, 999)));
        assert_eq!(ByteRange::From(0).within(1000, 100), Some((0, 99)));
        assert_eq!(ByteRange::Between(100, 199).within(1000, 2000), Some((100, 199)));
        assert_eq!(ByteRange::Last(500).within(1000, 2000), Some((500, 999)));
        assert_eq!(ByteRange::Last(5000).within(1000, 2000), Some((0, 999)));
        assert_eq!(ByteRange::Last(500).within(1000, 100), Some((500, 599)));
        assert_eq!(ByteRange::From(1000).within(1000, 2000), None);
        assert_eq!(ByteRange::From(0).within(0, 2000), None);
    }

    #[test]
    fn a_range_from_the_first_byte_starts_a_play_and_a_later_part_or_a_probe_does_not() {
        assert!(ByteRange::parse(None).unwrap().starts_play());
        assert!(ByteRange::From(0).starts_play());
        assert!(ByteRange::Between(0, 2_097_151).starts_play());
        assert!(
            !ByteRange::From(2_097_152).starts_play(),
            "the next part of the same play"
        );
        assert!(!ByteRange::Between(1_000, 5_000).starts_play(), "a seek");
        assert!(!ByteRange::Last(500).starts_play());
        assert!(!ByteRange::Between(0, 1).starts_play(), "Safari's probe of the length");
    }

    #[test]
    fn content_ranges_are_read_back() {
        assert_eq!(parse_content_range("bytes 100-199/1000"), Some((Some(100), Some(1000))));
        assert_eq!(parse_content_range("bytes */1000"), Some((None, Some(1000))));
        assert_eq!(parse_content_range("bytes 0-9/*"), Some((Some(0), None)));
        assert_eq!(parse_content_range("nonsense"), None);
    }
}
