//! What `crossgate check` learnt: the exchanges it made and the browser's
//! verdict, for the timeline and the JSON.

use std::time::Duration;

use crossgate_browser::request::Initiator;
use crossgate_browser::{OutgoingRequest, Profile, ResponseHead, Verdict};

/// One request and its answer, for the timeline.
pub(crate) struct Exchange {
    pub(crate) request: OutgoingRequest,
    pub(crate) response: Result<ResponseHead, String>,
    pub(crate) elapsed: Duration,
    /// Checks the browser ran on this response.
    pub(crate) steps: Vec<crossgate_browser::verdict::Step>,
}

/// Everything `check` learnt.
pub(crate) struct Report {
    pub(crate) url: String,
    pub(crate) origin: String,
    pub(crate) method: String,
    pub(crate) initiator: Initiator,
    pub(crate) profile: Profile,
    pub(crate) dropped_headers: Vec<String>,
    pub(crate) before: Vec<crossgate_browser::verdict::Step>,
    pub(crate) exchanges: Vec<Exchange>,
    pub(crate) verdict: Verdict,
}
