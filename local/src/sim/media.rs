//! Recordings' media as the simulator serves them at Twilio's media URL
//! (`GET /2010-04-01/Accounts/{AC}/Recordings/{RE}.wav`): a voicemail's (`<Record>`) and a
//! recorded line's conference recording once completed, each a generated WAV, answered with
//! HTTP `Range` honoured as Twilio does (206 with `Content-Range`, 416 past the end, 200 without
//! a range); and a recording deleted (`DELETE /Recordings/{RE}.json`), whose media is gone.
//!
//! A conference recording's audio is at least [`MIN_CALL_SECONDS`] long, whatever the
//! simulated call lasted, so a player has something to seek in: a tone whose pitch rises a step
//! each second, so where a player is can be heard.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::twilio::media::{ByteRange, RangeError};

use super::Simulator;

/// The shortest conference recording the simulator serves, in seconds.
pub const MIN_CALL_SECONDS: u64 = 20;

/// The sample rate of the generated audio (Twilio's recordings are 8 kHz mono).
const RATE: u32 = 8000;

impl Simulator {
    /// The WAV of recording `sid`: a voicemail's, or a completed conference recording's; `None`
    /// for one the account does not have, or deleted.
    pub fn recording_audio(&self, sid: &str) -> Option<Vec<u8>> {
        if self.world().deleted_recordings.contains(sid) {
            return None;
        }
        if let Some(wav) = self.recording_wav(sid) {
            return Some(wav);
        }
        let seconds = self.world().conferences.values().find_map(|c| {
            c.recording
                .as_ref()
                .filter(|r| r.sid == sid && matches!(r.status.as_str(), "completed" | "stopped"))
                .map(|r| r.duration_seconds)
        })?;
        Some(stepped_tone(seconds.clamp(MIN_CALL_SECONDS, 600)))
    }

    /// Deletes a recording: its media is gone from then on. False when the account has none by
    /// that SID (or it was deleted already).
    pub fn delete_recording(&self, sid: &str) -> bool {
        if self.recording_audio(sid).is_none() {
            return false;
        }
        self.with_world(|w| w.deleted_recordings.insert(sid.to_owned()))
    }
}

/// `audio` answered for a request with `headers`, `Range` honoured.
pub fn serve(audio: Vec<u8>, headers: &HeaderMap) -> Response {
    let total = audio.len() as u64;
    let asked = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let range = match ByteRange::parse(asked) {
        Ok(range) => range,
        Err(RangeError::Malformed(_)) => return whole(audio),
        Err(RangeError::Unsatisfiable) => return unsatisfiable(total),
    };
    if asked.is_none() {
        return whole(audio);
    }
    let Some((first, last)) = range.within(total, u64::MAX) else {
        return unsatisfiable(total);
    };
    let mut response = (
        StatusCode::PARTIAL_CONTENT,
        audio[first as usize..=last as usize].to_vec(),
    )
        .into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("audio/x-wav"));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(&format!("bytes {first}-{last}/{total}")) {
        h.insert(header::CONTENT_RANGE, v);
    }
    response
}

fn whole(audio: Vec<u8>) -> Response {
    (
        [(header::CONTENT_TYPE, "audio/x-wav"), (header::ACCEPT_RANGES, "bytes")],
        audio,
    )
        .into_response()
}

fn unsatisfiable(total: u64) -> Response {
    let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("bytes */{total}")) {
        response.headers_mut().insert(header::CONTENT_RANGE, v);
    }
    response
}

/// A WAV file (8 kHz, 16-bit mono PCM, as Twilio's recordings) of these samples.
pub fn wav(samples: &[i16]) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // the fmt chunk's size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&(RATE * 2).to_le_bytes()); // bytes a second
    out.extend_from_slice(&2u16.to_le_bytes()); // bytes a frame
    out.extend_from_slice(&16u16.to_le_bytes()); // bits a sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for v in samples {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// `seconds` of a steady 440 Hz tone at a quiet level (a voicemail's audio).
pub fn steady_tone(seconds: u64) -> Vec<u8> {
    let samples: Vec<i16> = (0..RATE as usize * seconds as usize)
        .map(|i| ((i as f64 / f64::from(RATE)) * 440.0 * std::f64::consts::TAU).sin() * 3000.0)
        .map(|v| v as i16)
        .collect();
    wav(&samples)
}

/// `seconds` of a quiet tone that rises a semitone each second (a call's recording, where a
/// player is can be heard).
pub fn stepped_tone(seconds: u64) -> Vec<u8> {
    let mut phase = 0.0f64;
    let samples: Vec<i16> = (0..RATE as usize * seconds as usize)
        .map(|i| {
            let second = (i / RATE as usize) as f64;
            let hz = 330.0 * 2f64.powf((second % 24.0) / 12.0);
            phase += hz / f64::from(RATE) * std::f64::consts::TAU;
            (phase.sin() * 2500.0) as i16
        })
        .collect();
    wav(&samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_voicemails_generated_recording_is_a_wav_as_long_as_asked() {
        let wav = steady_tone(2);
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(&wav[8..12], b"WAVE");
        assert_eq!(wav.len(), 44 + 2 * 8000 * 2);
    }

    fn ranged(range: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, HeaderValue::from_str(range).unwrap());
        h
    }

    #[test]
    fn the_generated_recording_is_a_wav_of_the_length_asked() {
        let wav = stepped_tone(3);
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(&wav[8..12], b"WAVE");
        assert_eq!(wav.len(), 44 + 3 * 8000 * 2);
    }

    #[tokio::test]
    async fn a_range_is_answered_206_with_the_bytes_asked_and_past_the_end_416() {
        let wav = stepped_tone(1);
        let total = wav.len();
        let r = serve(wav.clone(), &ranged("bytes=100-199"));
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(r.headers()["content-range"], format!("bytes 100-199/{total}").as_str());
        let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        assert_eq!(&body[..], &wav[100..200]);

        let r = serve(wav.clone(), &ranged("bytes=-10"));
        assert_eq!(
            r.headers()["content-range"],
            format!("bytes {}-{}/{total}", total - 10, total - 1).as_str()
        );

        let r = serve(wav.clone(), &ranged(&format!("bytes={total}-")));
        assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(r.headers()["content-range"], format!("bytes */{total}").as_str());

        let r = serve(wav, &HeaderMap::new());
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["accept-ranges"], "bytes");
    }
}
