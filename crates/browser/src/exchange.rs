//! What passes between the emulator and the network: the requests it sends,
//! the responses it takes, and what to do next.

use http::HeaderMap;
use url::Url;

use crate::verdict::Verdict;

/// Which request of the exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// The `OPTIONS` preflight.
    Preflight,
    /// The page's own request (or a redirected one).
    Actual,
}

/// A request the browser would send now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingRequest {
    /// Preflight or actual.
    pub kind: RequestKind,
    /// The method.
    pub method: String,
    /// The URL.
    pub url: Url,
    /// The headers that matter for CORS, in the order Chromium adds them
    /// (user agent and network-stack headers left out).
    pub headers: Vec<(String, String)>,
    /// Whether cookies and HTTP auth go with it.
    pub credentials: bool,
    /// Whether the page's body goes with it.
    pub body: bool,
}

/// The parts of a response the browser looks at.
#[derive(Clone, Debug, Default)]
pub struct ResponseHead {
    /// Status code.
    pub status: u16,
    /// Headers as received.
    pub headers: HeaderMap,
}

/// What to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send this request and pass its response to [`Fetch::handle_response`](crate::Fetch::handle_response).
    Send(OutgoingRequest),
    /// Finished.
    Done(Verdict),
}
