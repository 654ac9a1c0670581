//! The `reconcile` function: every minute, on an EventBridge rule, the store is brought in line
//! with what Twilio knows (see [`shared::control::reconcile`]): an operator whose call ended
//! while every end callback was lost is let go, and the call is recorded as it really ended.
//! The same run deletes at Twilio a bounded batch of the recordings past the retention period
//! set in the settings (see [`shared::control::recordings`]); a failure of that sweep is
//! logged and leaves the reconciliation's report as it is (the sweep goes on next minute).
//! The local runtime runs the same job on a timer (`local::spawn_reconciler`).

use std::future::Future;

use serde::Deserialize;
use shared::control::{CallControl, Reconciled};
use shared::wiring::StartError;

/// An EventBridge scheduled event, as far as the job reads it: when the rule fired. Anything
/// else in it is ignored, so an event from a test console (`{}`) runs the job too.
#[derive(Debug, Default, Deserialize)]
pub struct ScheduledEvent {
    #[serde(default)]
    pub time: Option<chrono::DateTime<chrono::Utc>>,
}

/// One run: the reconciliation as of now, its report returned (and logged), then the
/// recordings' retention sweep.
pub async fn run(control: &CallControl, event: ScheduledEvent) -> Result<Reconciled, StartError> {
    let now = chrono::Utc::now();
    let report = control.reconcile(now).await?;
    match control.sweep_recordings(now).await {
        Ok(swept) => tracing::info!(
            deleted = swept.deleted,
            already_gone = swept.already_gone,
            failed = swept.failed,
            days = swept.days,
            "recordings past their retention swept"
        ),
        Err(e) => tracing::error!(error = %e, "the recordings' retention sweep failed; tried again next minute"),
    }
    tracing::info!(
        fired = ?event.time,
        operators = report.operators,
        calls = report.calls,
        asked = report.asked,
        ended = report.ended.len(),
        failed = report.failed,
        "reconciled"
    );
    Ok(report)
}

/// The handler Lambda calls with each event.
pub fn handler(
    control: CallControl,
) -> impl Fn(ScheduledEvent) -> std::pin::Pin<Box<dyn Future<Output = Result<Reconciled, StartError>> + Send>> {
    move |event| {
        let control = control.clone();
        Box::pin(async move { run(&control, event).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scheduled_event_is_read_and_an_empty_one_too() {
        let event: ScheduledEvent = serde_json::from_str(
            r#"{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event",
                "source":"aws.events","account":"123456789012","time":"2026-12-02T09:00:00Z","region":"ap-northeast-1",
                "resources":["arn:aws:events:ap-northeast-1:123456789012:rule/reconcile"],"detail":{}}"#,
        )
        .unwrap();
        assert_eq!(event.time.unwrap().to_rfc3339(), "2026-12-02T09:00:00+00:00");
        let empty: ScheduledEvent = serde_json::from_str("{}").unwrap();
        assert!(empty.time.is_none());
    }
}
