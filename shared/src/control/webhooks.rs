//! The voice function's webhook routes, defined once: the router mounts [`Webhook::route`], and
//! every URL handed to Twilio — the numbers' and the TwiML App's voice URLs, wait and hold music,
//! status, conference and recording callbacks, the legs' progress callbacks, the customer's
//! join document — is built from the same route by [`CallbackUrls`].

use crate::twilio::signature::retried_callback;

/// A webhook of the voice function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Webhook {
    /// A customer calls one of our numbers.
    Incoming,
    /// The wait document a waiting customer fetches again each time it ends.
    Wait,
    /// The hold music a held customer fetches again each time it ends.
    Hold,
    /// The polite end of a call that waited too long.
    Goodbye,
    /// What Twilio plays when our webhook fails.
    Fallback,
    /// The events of a call's conference.
    Conference,
    /// The customer leg's (and a consultation call's) progress.
    Status,
    /// A ringing offer's progress: `{sid}` the call, `{offer}` the offer, `{operator}` whose phone.
    OperatorLeg,
    /// A transfer target's leg: `{sid}` the call, `{transfer}` the transfer, `{operator}` the target.
    TransferLeg,
    /// An operator rung back into their call: `{sid}`, `{operator}`, `{why}` (a ring-back reason).
    RingBack,
    /// A conference recording's progress: `{sid}` the call.
    Recording,
    /// The TwiML App: an operator dials out from the page.
    Outbound,
    /// The customer of an outgoing call answered.
    JoinCustomer,
    /// A line's IVR menu (`?line=<line id>&at=<path>&attempt=<n>`): the caller's keys or words,
    /// or nothing when the `<Gather>` timed out.
    Menu,
    /// The voicemail box of a line (`?line=<line id>`): the prompt, a ja-JP transcription and
    /// the recording.
    Voicemail,
    /// What the caller hears when their message is recorded.
    VoicemailDone,
    /// A voicemail recording's progress: `{sid}` the caller's call.
    VoicemailRecording,
    /// A voicemail's real-time transcription events: `{sid}` the caller's call.
    VoicemailTranscript,
    /// The live transcription of a call on a line that transcribes: `{sid}` the customer's call.
    CallTranscript,
    /// A waiting caller offered a callback that keeps their place (they left the queue's
    /// conference to hear it).
    CallbackOffer,
    /// The caller's answer to the callback offer (`<Gather>`'s action).
    CallbackChoice,
    /// A caller who did not take the offer goes back to their place in the queue.
    CallbackRejoin,
}

impl Webhook {
    /// Every webhook, in the order the router mounts them.
    pub const ALL: [Webhook; 22] = [
        Webhook::Incoming,
        Webhook::Wait,
        Webhook::Hold,
        Webhook::Goodbye,
        Webhook::Fallback,
        Webhook::Conference,
        Webhook::Status,
        Webhook::OperatorLeg,
        Webhook::TransferLeg,
        Webhook::RingBack,
        Webhook::Recording,
        Webhook::Outbound,
        Webhook::JoinCustomer,
        Webhook::Menu,
        Webhook::Voicemail,
        Webhook::VoicemailDone,
        Webhook::VoicemailRecording,
        Webhook::VoicemailTranscript,
        Webhook::CallTranscript,
        Webhook::CallbackOffer,
        Webhook::CallbackChoice,
        Webhook::CallbackRejoin,
    ];

    /// The route as the router matches it: `{name}` for each path parameter.
    pub const fn route(self) -> &'static str {
        match self {
            Webhook::Incoming => "/twilio/voice/incoming",
            Webhook::Wait => "/twilio/voice/wait",
            Webhook::Hold => "/twilio/voice/hold",
            Webhook::Goodbye => "/twilio/voice/goodbye",
            Webhook::Fallback => "/twilio/voice/fallback",
            Webhook::Conference => "/twilio/voice/conference",
            Webhook::Status => "/twilio/voice/status",
            Webhook::OperatorLeg => "/twilio/voice/operator-leg/{sid}/{offer}/{operator}",
            Webhook::TransferLeg => "/twilio/voice/transfer-leg/{sid}/{transfer}/{operator}",
            Webhook::RingBack => "/twilio/voice/ring-back/{sid}/{operator}/{why}",
            Webhook::Recording => "/twilio/voice/recording/{sid}",
            Webhook::Outbound => "/twilio/voice/outbound",
            Webhook::JoinCustomer => "/twilio/voice/join/customer",
            Webhook::Menu => "/twilio/voice/menu",
            Webhook::Voicemail => "/twilio/voice/voicemail",
            Webhook::VoicemailDone => "/twilio/voice/voicemail/done",
            Webhook::VoicemailRecording => "/twilio/voice/voicemail/recording/{sid}",
            Webhook::VoicemailTranscript => "/twilio/voice/voicemail/transcript/{sid}",
            Webhook::CallTranscript => "/twilio/voice/transcript/{sid}",
            Webhook::CallbackOffer => "/twilio/voice/callback/offer",
            Webhook::CallbackChoice => "/twilio/voice/callback/choice",
            Webhook::CallbackRejoin => "/twilio/voice/callback/rejoin",
        }
    }

    /// The route's path with its parameters put in, in order. The values are identifiers
    /// checked at the edge (SIDs, ULIDs, operator ids, reasons), which need no escaping.
    pub fn path(self, params: &[&str]) -> String {
        let mut values = params.iter();
        let path = self
            .route()
            .split('/')
            .map(|segment| match segment.starts_with('{') {
                true => values.next().copied().unwrap_or_default(),
                false => segment,
            })
            .collect::<Vec<_>>()
            .join("/");
        debug_assert!(values.next().is_none(), "{self:?} takes fewer parameters");
        path
    }
}

/// The public URLs Twilio calls, under the base URL it reaches the console at (API Gateway's,
/// the distribution's or a custom domain), built from the webhook routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackUrls {
    base: String,
}

impl CallbackUrls {
    /// The URLs under `public_base_url` (a trailing `/` is ignored).
    pub fn new(public_base_url: &str) -> Self {
        Self {
            base: public_base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The base URL, no trailing `/`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The public URL of `hook` with its parameters.
    pub fn of(&self, hook: Webhook, params: &[&str]) -> String {
        format!("{}{}", self.base, hook.path(params))
    }

    /// A status callback's URL: retried by Twilio on a connect failure, a timeout or a 5xx
    /// (see [`retried_callback`]).
    pub fn retried(&self, hook: Webhook, params: &[&str]) -> String {
        retried_callback(self.of(hook, params))
    }

    /// The numbers' voice URL.
    pub fn incoming(&self) -> String {
        self.of(Webhook::Incoming, &[])
    }

    /// The TwiML App's voice URL.
    pub fn outbound(&self) -> String {
        self.of(Webhook::Outbound, &[])
    }

    /// The customer leg's progress callback (numbers, outgoing calls, consultation calls).
    pub fn status(&self) -> String {
        self.retried(Webhook::Status, &[])
    }

    /// The wait document of a waiting customer.
    pub fn wait(&self) -> String {
        self.of(Webhook::Wait, &[])
    }

    /// The goodbye of a customer who waited longer than allowed.
    pub fn goodbye(&self) -> String {
        self.of(Webhook::Goodbye, &[])
    }

    /// The hold music for a call: Twilio fetches it again each time it ends, and the call's SID
    /// in it lets that fetch check on the call (the signature covers the query string).
    pub fn hold_music(&self, call_sid: &str) -> String {
        format!("{}?call={call_sid}", self.of(Webhook::Hold, &[]))
    }

    /// The conference events callback.
    pub fn conference_events(&self) -> String {
        self.retried(Webhook::Conference, &[])
    }

    /// The recording callback of a call's conference.
    pub fn recording(&self, call_sid: &str) -> String {
        self.retried(Webhook::Recording, &[call_sid])
    }

    /// The progress callback of an offer ringing on `operator`'s phone.
    pub fn operator_leg(&self, call_sid: &str, offer_id: &str, operator: &str) -> String {
        self.retried(Webhook::OperatorLeg, &[call_sid, offer_id, operator])
    }

    /// The progress callback of a transfer target's leg.
    pub fn transfer_leg(&self, call_sid: &str, transfer_id: &str, operator: &str) -> String {
        self.retried(Webhook::TransferLeg, &[call_sid, transfer_id, operator])
    }

    /// The progress callback of an operator rung back into their call, and why.
    pub fn ring_back(&self, call_sid: &str, operator: &str, why: &str) -> String {
        self.retried(Webhook::RingBack, &[call_sid, operator, why])
    }

    /// The document an outgoing call's customer gets when they answer.
    pub fn join_customer(&self) -> String {
        self.of(Webhook::JoinCustomer, &[])
    }

    /// The menu of line `line_id` at `at` (a menu path, `0.2`), on the caller's `attempt`; the
    /// values are a settings id, digits and dots, which need no escaping.
    pub fn menu(&self, line_id: &str, at: &str, attempt: u32) -> String {
        format!(
            "{}?line={line_id}&at={at}&attempt={attempt}",
            self.of(Webhook::Menu, &[])
        )
    }

    /// The voicemail box of the line `line_id` (a settings id, which needs no escaping).
    pub fn voicemail(&self, line_id: &str) -> String {
        format!("{}?line={line_id}", self.of(Webhook::Voicemail, &[]))
    }

    /// The document a caller gets once their message is recorded.
    pub fn voicemail_done(&self) -> String {
        self.of(Webhook::VoicemailDone, &[])
    }

    /// The recording callback of a caller's voicemail.
    pub fn voicemail_recording(&self, call_sid: &str) -> String {
        self.retried(Webhook::VoicemailRecording, &[call_sid])
    }

    /// The real-time transcription callback of a caller's voicemail.
    pub fn voicemail_transcript(&self, call_sid: &str) -> String {
        self.retried(Webhook::VoicemailTranscript, &[call_sid])
    }

    /// The live transcription callback of a customer's call.
    pub fn call_transcript(&self, call_sid: &str) -> String {
        self.retried(Webhook::CallTranscript, &[call_sid])
    }

    /// The callback offer a waiting caller is redirected to.
    pub fn callback_offer(&self) -> String {
        self.of(Webhook::CallbackOffer, &[])
    }

    /// Where the caller's key for the callback offer goes.
    pub fn callback_choice(&self) -> String {
        self.of(Webhook::CallbackChoice, &[])
    }

    /// Back to the queue for a caller who did not take the offer.
    pub fn callback_rejoin(&self) -> String {
        self.of(Webhook::CallbackRejoin, &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_its_route_with_the_parameters_put_in() {
        let urls = CallbackUrls::new("https://console.example.jp/");
        assert_eq!(urls.incoming(), "https://console.example.jp/twilio/voice/incoming");
        assert_eq!(
            urls.operator_leg("CA1", "01OFFER", "op-sato"),
            "https://console.example.jp/twilio/voice/operator-leg/CA1/01OFFER/op-sato#rc=3&rp=ct,rt,5xx"
        );
        assert_eq!(
            urls.hold_music("CA1"),
            "https://console.example.jp/twilio/voice/hold?call=CA1"
        );
        assert_eq!(
            Webhook::RingBack.path(&["CA1", "op-sato", "reconnect"]),
            "/twilio/voice/ring-back/CA1/op-sato/reconnect"
        );
    }

    #[test]
    fn every_route_is_under_the_voice_prefix_and_distinct() {
        let routes: std::collections::HashSet<_> = Webhook::ALL.iter().map(|w| w.route()).collect();
        assert_eq!(routes.len(), Webhook::ALL.len());
        assert!(routes.iter().all(|r| r.starts_with("/twilio/voice/")));
    }
}
