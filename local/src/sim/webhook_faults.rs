//! Faults on the webhooks the simulator sends, for load and fault runs (`tests/centre-day`) and
//! the simulator's own tests: what a flaky network, a throttled Lambda or Twilio's at-least-once
//! delivery does to the console's callbacks and TwiML fetches.
//!
//! Set through `PUT /sim/faults {"webhooks": [...]}` (with the REST fault beside it); each fault
//! hits the webhooks whose URL contains `paths` (all if absent), a `fraction` of them (all if
//! absent), while its window `for_ms` lasts from when it was set and until `count` were hit
//! (either may be absent: then it lasts until cleared). What it does:
//!
//! - `drop`: every attempt fails to connect, so Twilio's retries (the URL's `#rc`, `rp=ct`) fail
//!   too and the callback never arrives; a TwiML fetch goes to the fallback URL.
//! - `throttle`: every attempt is answered 429 without reaching the console, as API Gateway
//!   answers when the Lambda is throttled; Twilio retries it only when the URL's `rp` names
//!   `4xx`, and a TwiML fetch goes to the fallback URL (error 11200).
//! - `duplicate`: a callback is delivered twice with the same `I-Twilio-Idempotency-Token`, as
//!   when Twilio retries an attempt whose answer it never saw.
//! - `reorder`: a callback is held back and delivered after the next one (or after
//!   [`REORDER_WAIT`] when nothing follows). TwiML fetches are never duplicated or reordered:
//!   Twilio waits for them.
//!
//! Webhooks a fault hit appear in `/sim/webhooks` with `injected` naming the fault; callbacks
//! lost to injected faults are not the functions' problems.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::Simulator;

/// How long a reordered callback waits for a later one before it is sent anyway.
pub const REORDER_WAIT: Duration = Duration::from_secs(2);

/// What a fault does to a webhook it hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookFaultKind {
    Drop,
    Throttle,
    Duplicate,
    Reorder,
}

impl WebhookFaultKind {
    /// The name `/sim/webhooks` shows for a webhook this fault hit.
    pub fn name(self) -> &'static str {
        match self {
            Self::Drop => "drop",
            Self::Throttle => "throttle",
            Self::Duplicate => "duplicate",
            Self::Reorder => "reorder",
        }
    }

    /// Whether the fault applies to a TwiML fetch (which Twilio waits for) as well as a callback.
    fn hits_fetches(self) -> bool {
        matches!(self, Self::Drop | Self::Throttle)
    }
}

/// A fault on the webhooks the simulator sends.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookFault {
    pub kind: WebhookFaultKind,
    /// Only webhooks whose URL contains this (`/twilio/voice/status`); every webhook if absent.
    #[serde(default)]
    pub paths: Option<String>,
    /// The share of matching webhooks hit, from 0 (exclusive) to 1; all of them if absent.
    #[serde(default)]
    pub fraction: Option<f64>,
    /// How long the fault lasts from when it was set, in ms; until cleared if absent.
    #[serde(default)]
    pub for_ms: Option<u64>,
    /// How many webhooks it hits at most; no limit if absent.
    #[serde(default)]
    pub count: Option<u32>,
    /// Webhooks hit so far.
    #[serde(default)]
    pub injected: u32,
    #[serde(skip)]
    pub(crate) since: Option<Instant>,
}

impl WebhookFault {
    /// Refuses settings that could never hit anything.
    pub fn check(&self) -> Result<(), String> {
        if let Some(f) = self.fraction
            && !(f > 0.0 && f <= 1.0)
        {
            return Err(format!("fraction {f} must be above 0 and at most 1"));
        }
        if self.for_ms == Some(0) {
            return Err("for_ms must be at least 1, or absent for a fault that lasts until cleared".into());
        }
        if self.count == Some(0) {
            return Err("count must be at least 1, or absent for no limit".into());
        }
        if self.paths.as_deref() == Some("") {
            return Err("paths must not be empty: leave it out to hit every webhook".into());
        }
        Ok(())
    }

    /// Whether the fault still applies at `now`.
    fn active(&self, now: Instant) -> bool {
        let in_window = match (self.for_ms, self.since) {
            (Some(ms), Some(since)) => now.duration_since(since) < Duration::from_millis(ms),
            _ => true,
        };
        in_window && self.count.is_none_or(|c| self.injected < c)
    }
}

impl Simulator {
    /// Replaces the webhook faults, their windows starting now.
    pub fn set_webhook_faults(&self, mut faults: Vec<WebhookFault>) {
        let now = Instant::now();
        for f in &mut faults {
            f.since = Some(now);
            f.injected = 0;
        }
        self.with_world(|w| w.webhook_faults = faults);
    }

    /// The webhook faults set, with how many webhooks each hit.
    pub fn webhook_faults(&self) -> Vec<WebhookFault> {
        self.world().webhook_faults.clone()
    }

    /// The fault that hits this webhook (the first set that applies, counted), if any. `url` is
    /// the URL without its fragment; `callback` is false for a TwiML fetch.
    pub(crate) fn strike_webhook(&self, url: &str, callback: bool) -> Option<WebhookFaultKind> {
        let now = Instant::now();
        let mut w = self.world();
        let fault = w.webhook_faults.iter_mut().find(|f| {
            f.active(now)
                && (callback || f.kind.hits_fetches())
                && f.paths.as_deref().is_none_or(|p| url.contains(p))
                && f.fraction.is_none_or(|share| rand::random::<f64>() < share)
        })?;
        fault.injected += 1;
        Some(fault.kind)
    }

    /// Notes a webhook attempt a fault kept from the console (`status` 0 when it never connected).
    pub(crate) fn log_injected(&self, url: &str, params: &[(String, String)], status: u16, kind: WebhookFaultKind) {
        self.with_world(|w| {
            w.webhook_log.push(super::WebhookLogEntry {
                url: url.to_owned(),
                params: params.to_vec(),
                status,
                injected: Some(kind.name()),
            })
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(kind: WebhookFaultKind) -> WebhookFault {
        WebhookFault {
            kind,
            paths: None,
            fraction: None,
            for_ms: None,
            count: None,
            injected: 0,
            since: Some(Instant::now()),
        }
    }

    #[test]
    fn a_fault_that_could_never_hit_is_refused() {
        let mut f = fault(WebhookFaultKind::Drop);
        assert!(f.check().is_ok());
        f.fraction = Some(0.0);
        assert!(f.check().unwrap_err().contains("fraction"));
        f.fraction = Some(1.5);
        assert!(f.check().is_err());
        f.fraction = None;
        f.for_ms = Some(0);
        assert!(f.check().unwrap_err().contains("for_ms"));
        f.for_ms = None;
        f.count = Some(0);
        assert!(f.check().unwrap_err().contains("count"));
    }

    #[test]
    fn a_fault_stops_after_its_count_and_its_window() {
        let mut f = fault(WebhookFaultKind::Throttle);
        f.count = Some(2);
        f.injected = 2;
        assert!(!f.active(Instant::now()));
        let mut f = fault(WebhookFaultKind::Throttle);
        f.for_ms = Some(10);
        let start = f.since.unwrap();
        assert!(f.active(start));
        assert!(!f.active(start + Duration::from_millis(11)));
    }

    #[test]
    fn only_drops_and_throttles_hit_twiml_fetches() {
        assert!(WebhookFaultKind::Drop.hits_fetches());
        assert!(WebhookFaultKind::Throttle.hits_fetches());
        assert!(!WebhookFaultKind::Duplicate.hits_fetches());
        assert!(!WebhookFaultKind::Reorder.hits_fetches());
    }
}
