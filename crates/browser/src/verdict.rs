//! How a fetch ended, and why: the verdict, the failure and each check, and
//! what the page may do with what it got.

mod canvas;

pub use crate::filtered_response::ResponseType;
pub use canvas::{canvas_use, CanvasUse};

use crate::error::{CorsError, FirefoxReason};

/// Where a failure happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Before anything was sent (a `TypeError`).
    Request,
    /// The preflight.
    Preflight,
    /// The actual request's final response.
    Actual,
    /// A redirect response.
    Redirect,
}

impl Stage {
    /// `request`, `preflight`, `actual`, `redirect`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Stage::Request => "request",
            Stage::Preflight => "preflight",
            Stage::Actual => "actual",
            Stage::Redirect => "redirect",
        }
    }
}

/// Why the browser failed the fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    /// Where.
    pub stage: Stage,
    /// The CORS error, when it is one.
    pub cors_error: Option<CorsError>,
    /// A stable code in the engine's vocabulary: the `CorsError` name in
    /// Chromium (and WebKit), the `CORS*` reason in Firefox; for other failures
    /// `TypeError`, `RedirectModeError`, `TooManyRedirects`, `InvalidRedirect`,
    /// `NetworkError`.
    pub code: &'static str,
    /// The engine's failed parameter (Chromium's `failed_parameter`, the
    /// second argument of Firefox's message).
    pub param: String,
    /// The engine's console message, one line per message it logs (empty
    /// when it prints none).
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl Blocked {
    /// The page the engine's console links the failure to: Firefox's MDN
    /// "Learn More" page for its reason (Chromium links none).
    pub fn docs_url(&self) -> Option<String> {
        FirefoxReason::from_name(self.code).map(FirefoxReason::docs_url)
    }
}

/// One check the browser ran, for explanations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Which request it concerned.
    pub stage: Stage,
    /// What was checked, in words.
    pub what: String,
    /// Whether it passed.
    pub passed: bool,
}

/// The end of a fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the page's call succeeds.
    pub allowed: bool,
    /// The response's type (`error` when blocked).
    pub response_type: ResponseType,
    /// The status the page sees (0 for opaque and errors).
    pub status: u16,
    /// The headers the page can read: lower-case names, combined values.
    pub readable_headers: Vec<(String, String)>,
    /// The failure, when blocked.
    pub blocked: Option<Blocked>,
    /// Every check, in order.
    pub steps: Vec<Step>,
    /// Whether the initial URL was same-origin with the page (no CORS).
    pub same_origin: bool,
    /// Preflights sent.
    pub preflights_sent: u32,
    /// Actual requests (including redirected ones) sent.
    pub requests_sent: u32,
    /// Whether the blocked request itself (not just a preflight) reached the
    /// server, which processed it: its side effects happened even though the
    /// page never sees the response.
    pub actual_reached_server: bool,
}
