//! `<Dial><Number>` as Twilio plays it, for a call forwarded out of hours: a child leg
//! (`outbound-dial`, its parent the caller's call) rings the number from the `<Dial callerId>`
//! for the `<Dial timeout>`, answers as the number is set to (`PUT /sim/numbers/{number}`, or
//! `POST /sim/calls/{child}/answer` when it rings until told), and
//! the two stay connected until either hangs up. The `<Dial>` ends with Twilio's
//! `DialCallStatus` (`completed`, `busy`, `no-answer`, `failed`), and the caller hanging up ends
//! the child too.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use shared::twilio::twiml::rules::TwimlElement;

use super::{Answering, Party, RingEnd, SimCall, Simulator, new_sid};

/// How often the dial looks at its two legs (the simulator's world has no per-call signal).
const LOOK_EVERY: Duration = Duration::from_millis(50);

impl Simulator {
    /// Rings `noun`'s number for call `sid` and waits for the outcome.
    pub(crate) async fn dial_number(
        &self,
        sid: &str,
        verb: &TwimlElement,
        noun: &TwimlElement,
        token: &CancellationToken,
    ) -> &'static str {
        let to = noun.text.trim().to_owned();
        let Some(parent) = self.world().calls.get(sid).cloned() else {
            return "failed";
        };
        let from = verb
            .attr("callerId")
            .map(str::to_owned)
            .unwrap_or_else(|| parent.to.clone());
        let timeout_s = verb.attr("timeout").and_then(|t| t.parse::<u64>().ok()).unwrap_or(30);
        let child = new_sid("CA");
        let call = SimCall {
            parent_call_sid: Some(sid.to_owned()),
            direction: "outbound-dial".into(),
            timeout_s,
            ..SimCall::new(&child, &from, &to, Party::Phone(to.clone()), Vec::new())
        };
        let answering = self
            .world()
            .numbers
            .get(&to)
            .cloned()
            .unwrap_or_else(|| self.inner.config.default_answering.clone());
        let (tx, mut rx) = mpsc::unbounded_channel();
        self.with_world(|w| {
            w.calls.insert(child.clone(), call);
            w.rings.insert(child.clone(), tx.clone());
            self.w_status(w, &child, "initiated");
            self.w_status(w, &child, "ringing");
        });
        match answering {
            Answering::After { ring_ms } => {
                let tx = tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(ring_ms)).await;
                    let _ = tx.send(RingEnd::Answer);
                });
            }
            Answering::Busy => {
                let _ = tx.send(RingEnd::Busy);
            }
            Answering::Fail => {
                let _ = tx.send(RingEnd::Fail);
            }
            Answering::Manual | Answering::NoAnswer => {}
        }
        drop(tx);
        let end = tokio::select! {
            e = rx.recv() => e.unwrap_or(RingEnd::Cancel),
            _ = tokio::time::sleep(Duration::from_secs(timeout_s.max(1))) => RingEnd::NoAnswer,
            _ = token.cancelled() => RingEnd::Cancel,
        };
        self.with_world(|w| {
            w.rings.remove(&child);
            match end {
                RingEnd::Answer => self.w_status(w, &child, "in-progress"),
                RingEnd::Busy => self.w_end_call(w, &child, "busy"),
                RingEnd::NoAnswer => self.w_end_call(w, &child, "no-answer"),
                RingEnd::Fail => self.w_end_call(w, &child, "failed"),
                RingEnd::Cancel => self.w_end_call(w, &child, "canceled"),
            }
        });
        let mut answered = false;
        loop {
            let (parent_over, status) = {
                let w = self.world();
                (
                    w.calls.get(sid).is_none_or(|c| c.is_over()),
                    w.calls.get(&child).map(|c| c.status.clone()).unwrap_or_default(),
                )
            };
            answered |= status == "in-progress";
            if parent_over || token.is_cancelled() {
                self.hang_up(&child);
                return "completed";
            }
            match status.as_str() {
                "completed" if answered => return "completed",
                "busy" => return "busy",
                "no-answer" | "canceled" | "completed" => return "no-answer",
                "failed" => return "failed",
                _ => {}
            }
            tokio::select! {
                _ = tokio::time::sleep(LOOK_EVERY) => {}
                _ = token.cancelled() => {}
            }
        }
    }
}
