//! A conference recording's progress callbacks.

use axum::extract::State;
use axum::response::Response;
use shared::twilio::CallSid;
use shared::twilio::webhook::RecordingStatusCallback;

use crate::VoiceState;
use crate::answer::callback_outcome;
use crate::signed::SignedCallback;

/// A conference recording's progress: its SID and state while it runs, its URL and length when
/// it is done (the link supervisors find in the call history). A late `in-progress` never
/// overwrites `completed`.
#[tracing::instrument(name = "voice.recording", skip_all, fields(call = %sid))]
pub async fn recording(
    State(st): State<VoiceState>,
    SignedCallback(sid, cb): SignedCallback<CallSid, RecordingStatusCallback>,
) -> Response {
    callback_outcome(
        st.control.recording_progress(&sid, &cb).await,
        "recording callback not applied",
    )
}
