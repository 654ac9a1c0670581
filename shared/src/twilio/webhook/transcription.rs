//! A real-time transcription's status callback (`<Start><Transcription statusCallbackUrl>`):
//! `transcription-started`, one `transcription-content` per result (with `Final` and the
//! result as JSON in `TranscriptionData`), then `transcription-stopped` (or
//! `transcription-error`).

use super::{Params, WebhookError};

open_wire_enum!(
    /// What a transcription callback reports (`TranscriptionEvent`).
    TranscriptionEvent {
        Started = "transcription-started",
        Content = "transcription-content",
        Stopped = "transcription-stopped",
        Error = "transcription-error",
    }
);

open_wire_enum!(
    /// Whose audio a result was heard in (`Track`): `inbound_track` is what the call's party
    /// said to Twilio, `outbound_track` what Twilio played to them (on a customer's leg in a
    /// conference, the operator's voice).
    TranscriptionTrackHeard {
        Inbound = "inbound_track",
        Outbound = "outbound_track",
    }
);

/// One result of a transcription: the text the engine heard and how sure it is.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptionResult {
    /// The words heard.
    pub transcript: String,
    /// The engine's confidence, 0 to 1, when it gave one.
    pub confidence: Option<f64>,
    /// Whether this result is final (not a partial one that a later result replaces).
    pub is_final: bool,
    /// The result's place in the transcription's sequence (from 1).
    pub sequence: u64,
    /// Whose audio it was heard in, when Twilio said (`Track`).
    pub track: Option<TranscriptionTrackHeard>,
    /// When Twilio heard it (`Timestamp`, RFC 3339), when given.
    pub timestamp: Option<String>,
}

/// A transcription status callback.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptionCallback {
    /// The transcription (`GT…`).
    pub transcription_sid: String,
    /// What happened.
    pub event: TranscriptionEvent,
    /// The result, for `transcription-content`.
    pub result: Option<TranscriptionResult>,
}

impl TranscriptionCallback {
    /// Reads a transcription callback; a `transcription-content` event needs `TranscriptionData`
    /// (JSON with a `transcript`) and `SequenceId`.
    pub fn from_params(params: &[(String, String)]) -> Result<Self, WebhookError> {
        let p = Params(params);
        let event: TranscriptionEvent = p.required_as("TranscriptionEvent")?;
        let result = match event {
            TranscriptionEvent::Content => {
                let data = p.required("TranscriptionData")?;
                let json: serde_json::Value = serde_json::from_str(data).map_err(|e| WebhookError::Invalid {
                    name: "TranscriptionData",
                    reason: format!("not JSON: {e}"),
                })?;
                let transcript = json
                    .get("transcript")
                    .and_then(serde_json::Value::as_str)
                    .ok_or(WebhookError::Invalid {
                        name: "TranscriptionData",
                        reason: "has no transcript".into(),
                    })?
                    .to_owned();
                Some(TranscriptionResult {
                    transcript,
                    confidence: json.get("confidence").and_then(serde_json::Value::as_f64),
                    is_final: p.optional_bool("Final")?.unwrap_or(true),
                    sequence: p.required_as("SequenceId")?,
                    track: p.optional_as("Track")?,
                    timestamp: p
                        .optional_string("Timestamp")
                        .filter(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok()),
                })
            }
            _ => None,
        };
        Ok(Self {
            transcription_sid: p.required("TranscriptionSid")?.to_owned(),
            event,
            result,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_final_result_carries_its_text_and_sequence() {
        let cb = TranscriptionCallback::from_params(&params(&[
            ("TranscriptionSid", "GT0123"),
            ("TranscriptionEvent", "transcription-content"),
            (
                "TranscriptionData",
                r#"{"transcript":"明日折り返しお願いします","confidence":0.93}"#,
            ),
            ("Final", "true"),
            ("SequenceId", "2"),
            ("Track", "inbound_track"),
            ("LanguageCode", "ja-JP"),
        ]))
        .unwrap();
        let r = cb.result.unwrap();
        assert_eq!(r.transcript, "明日折り返しお願いします");
        assert_eq!((r.sequence, r.is_final, r.confidence), (2, true, Some(0.93)));
    }

    #[test]
    fn a_result_says_whose_track_it_was_heard_in_and_when() {
        let cb = TranscriptionCallback::from_params(&params(&[
            ("AccountSid", "AC0123"),
            ("CallSid", "CA0123"),
            ("TranscriptionSid", "GT0123"),
            ("TranscriptionEvent", "transcription-content"),
            (
                "TranscriptionData",
                r#"{"transcript":"担当の佐藤です","confidence":0.9}"#,
            ),
            ("Final", "true"),
            ("SequenceId", "5"),
            ("Track", "outbound_track"),
            ("Timestamp", "2026-12-03T01:02:03.456Z"),
            ("Stability", "1.0"),
        ]))
        .unwrap();
        let r = cb.result.unwrap();
        assert_eq!(r.track, Some(TranscriptionTrackHeard::Outbound));
        assert_eq!(r.timestamp.as_deref(), Some("2026-12-03T01:02:03.456Z"));
        let bad_time = TranscriptionCallback::from_params(&params(&[
            ("TranscriptionSid", "GT0123"),
            ("TranscriptionEvent", "transcription-content"),
            ("TranscriptionData", r#"{"transcript":"はい"}"#),
            ("SequenceId", "6"),
            ("Track", "inbound_track"),
            ("Timestamp", "yesterday"),
        ]))
        .unwrap();
        let r = bad_time.result.unwrap();
        assert_eq!(r.track, Some(TranscriptionTrackHeard::Inbound));
        assert_eq!(r.timestamp, None, "a time that is not RFC 3339 is not trusted");
    }

    #[test]
    fn a_content_event_without_its_data_is_refused_naming_it() {
        let err = TranscriptionCallback::from_params(&params(&[
            ("TranscriptionSid", "GT0123"),
            ("TranscriptionEvent", "transcription-content"),
            ("SequenceId", "1"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("TranscriptionData"), "{err}");
    }

    #[test]
    fn a_start_event_has_no_result() {
        let cb = TranscriptionCallback::from_params(&params(&[
            ("TranscriptionSid", "GT0123"),
            ("TranscriptionEvent", "transcription-started"),
        ]))
        .unwrap();
        assert_eq!(cb.event, TranscriptionEvent::Started);
        assert!(cb.result.is_none());
    }
}
