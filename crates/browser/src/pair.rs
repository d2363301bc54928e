//! The two halves in memory: the emulator's requests answered by a
//! crossgate policy, with no sockets and an injected clock.
//!
//! The emulator produces exactly the requests Chromium would send (a
//! preflight with its `Access-Control-Request-*` headers when one is
//! needed, then the page's own request); the [`Policy`] decides each one, and
//! it is answered the way a CORS layer in front of a service answers it:
//!
//! - a decision [answered locally](crossgate_core::Action) (every
//!   preflight, and in strict mode a rejected actual request) is
//!   answered with that status and those headers, and never reaches the
//!   service;
//! - anything else goes to a stand-in upstream (by default `200` with no
//!   CORS headers), whose response is finished with
//!   [`Pending::finish`](crossgate_core::Pending::finish).
//!
//! The result is the browser's [`Verdict`] (Chromium's `CorsError`, its
//! console message, the readable headers, the fix) beside the engine's typed
//! decision for every request.
//!
//! ```
//! use crossgate_browser::pair::Pair;
//! use crossgate_browser::{Origin, RequestInit};
//! use crossgate_core::{Policy, PolicyConfig, RuleConfig};
//!
//! let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example"]).methods(["GET", "DELETE"])))
//!     .unwrap()
//!     .policy;
//! let mut pair = Pair::new(&policy);
//! let page = Origin::parse("https://evil.example").unwrap();
//! let url = url::Url::parse("https://api.example/items/1").unwrap();
//! let run = pair.fetch(RequestInit::fetch(page, url).method("DELETE")).unwrap();
//! assert!(!run.verdict.allowed);
//! assert_eq!(run.verdict.blocked.as_ref().unwrap().code, "PreflightMissingAllowOriginHeader");
//! assert_eq!(run.exchanges[0].engine.reject.as_ref().unwrap().code, "origin-not-allowed");
//! ```

mod clock;
mod run;
#[cfg(test)]
mod tests;

use crossgate_core::{Action as EngineAction, Outcome, Policy, RequestKind as EngineKind};
use http::header::{HeaderMap, HeaderName, HeaderValue, HOST};
use http::Method;

pub use clock::{Clock, ManualClock};
pub use run::{AnsweredBy, EngineDecision, Exchange, PairRun, Rejection};

use crate::browser::Browser;
use crate::exchange::{Action, OutgoingRequest, ResponseHead};
use crate::fetch::MAX_REDIRECTS;
use crate::filtered_response::ResponseType;
use crate::profile::Profile;
use crate::request::{RequestInit, TypeError};
use crate::verdict::{Blocked, Stage, Verdict};

type Upstream<'p> = Box<dyn FnMut(&OutgoingRequest) -> ResponseHead + 'p>;

/// A browser profile talking to a policy, in memory.
pub struct Pair<'p, C: Clock = ManualClock> {
    policy: &'p Policy,
    browser: Browser,
    clock: C,
    upstream: Upstream<'p>,
    forward_preflights: bool,
}

impl<C: Clock + std::fmt::Debug> std::fmt::Debug for Pair<'_, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pair")
            .field("browser", &self.browser)
            .field("clock", &self.clock)
            .field("forward_preflights", &self.forward_preflights)
            .finish_non_exhaustive()
    }
}

/// The default stand-in upstream: `200` with no CORS headers, as a service
/// that knows nothing about CORS answers.
pub fn plain_upstream(_: &OutgoingRequest) -> ResponseHead {
    ResponseHead { status: 200, headers: HeaderMap::new() }
}

impl<'p> Pair<'p, ManualClock> {
    /// Chromium against `policy`, at time zero, in front of
    /// [`plain_upstream`].
    pub fn new(policy: &'p Policy) -> Self {
        Pair::with_clock(policy, Profile::Chromium, ManualClock::default())
    }

    /// The manual clock, to move time on (and let cached preflights expire).
    pub fn clock_mut(&mut self) -> &mut ManualClock {
        &mut self.clock
    }
}

impl<'p, C: Clock> Pair<'p, C> {
    /// A `profile` browser against `policy`, reading time from `clock`.
    pub fn with_clock(policy: &'p Policy, profile: Profile, clock: C) -> Self {
        Pair {
            policy,
            browser: Browser::new(profile),
            clock,
            upstream: Box::new(plain_upstream),
            forward_preflights: false,
        }
    }

    /// Replaces the stand-in upstream: it answers every request the engine
    /// does not answer itself, before the decision's headers are applied.
    ///
    /// ```
    /// use crossgate_browser::pair::Pair;
    /// use crossgate_browser::{Origin, RequestInit, ResponseHead};
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    ///
    /// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example"]))).unwrap().policy;
    /// let mut pair = Pair::new(&policy).upstream(|_| ResponseHead { status: 404, headers: Default::default() });
    /// let page = Origin::parse("https://app.example").unwrap();
    /// let run = pair.fetch(RequestInit::fetch(page, "https://api.example/gone".parse().unwrap())).unwrap();
    /// assert_eq!((run.verdict.allowed, run.verdict.status), (true, 404));
    /// ```
    #[must_use]
    pub fn upstream(mut self, f: impl FnMut(&OutgoingRequest) -> ResponseHead + 'p) -> Self {
        self.upstream = Box::new(f);
        self
    }

    /// Sends preflights to the upstream instead of answering them (a
    /// gateway route's `forward_preflights`).
    ///
    /// ```
    /// use crossgate_browser::pair::{AnsweredBy, Pair};
    /// use crossgate_browser::{Origin, RequestInit};
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    ///
    /// let rule = RuleConfig::new(["https://app.example"]).methods(["DELETE"]);
    /// let policy = Policy::new(PolicyConfig::new(rule)).unwrap().policy;
    /// let mut pair = Pair::new(&policy).forward_preflights(true);
    /// let page = Origin::parse("https://app.example").unwrap();
    /// let delete = RequestInit::fetch(page, "https://api.example/1".parse().unwrap()).method("DELETE");
    /// let run = pair.fetch(delete).unwrap();
    /// // The stand-in upstream knows nothing of CORS: the preflight fails.
    /// assert_eq!(run.preflight().unwrap().answered_by, AnsweredBy::Upstream);
    /// assert!(!run.verdict.allowed);
    /// ```
    #[must_use]
    pub fn forward_preflights(mut self, yes: bool) -> Self {
        self.forward_preflights = yes;
        self
    }

    /// The browser (its preflight cache persists across fetches).
    pub fn browser(&self) -> &Browser {
        &self.browser
    }

    /// Runs one page call to its verdict.
    ///
    /// # Errors
    ///
    /// The [`TypeError`] the page's call throws before anything is sent.
    pub fn fetch(&mut self, init: RequestInit) -> Result<PairRun, TypeError> {
        let mut fetch = self.browser.start(init)?;
        let mut exchanges = Vec::new();
        // Each round sends one request: at most one preflight per redirect hop.
        for _ in 0..(2 * MAX_REDIRECTS + 4) {
            let now = self.clock.now();
            match fetch.poll(&mut self.browser, now) {
                Action::Done(verdict) => return Ok(PairRun { verdict, exchanges }),
                Action::Send(request) => {
                    let (engine, answered_by, response) = self.answer(&request);
                    let now = self.clock.now();
                    fetch.handle_response(&mut self.browser, now, &response);
                    exchanges.push(Exchange { request, engine, answered_by, response });
                }
            }
        }
        fetch.handle_network_error("the exchange did not finish");
        let now = self.clock.now();
        let verdict = match fetch.poll(&mut self.browser, now) {
            Action::Done(v) => v,
            // Unreachable in practice: a network error always ends the fetch.
            Action::Send(_) => Verdict {
                allowed: false,
                response_type: ResponseType::Error,
                status: 0,
                readable_headers: Vec::new(),
                blocked: Some(Blocked {
                    stage: Stage::Actual,
                    cors_error: None,
                    code: "NetworkError",
                    param: String::new(),
                    message: String::new(),
                    hint: String::new(),
                }),
                steps: Vec::new(),
                same_origin: false,
                preflights_sent: 0,
                requests_sent: 0,
                actual_reached_server: false,
            },
        };
        Ok(PairRun { verdict, exchanges })
    }

    /// Decides `request` with the engine and answers it.
    fn answer(&mut self, request: &OutgoingRequest) -> (EngineDecision, AnsweredBy, ResponseHead) {
        let headers = request_header_map(request);
        let Ok(method) = Method::from_bytes(request.method.as_bytes()) else {
            // The emulator only sends valid methods; answer like a server
            // that cannot parse the request line.
            let engine = EngineDecision { kind: EngineKind::NotCors, rule: None, reject: None, local_status: None };
            return (engine, AnsweredBy::Upstream, ResponseHead { status: 400, headers: HeaderMap::new() });
        };
        let path = request.url.path();
        let decision = self.policy.evaluate(&method, path, &headers);
        let (rule, reject) = match decision.outcome() {
            Outcome::NotApplicable => (None, None),
            Outcome::Allowed { rule } => (Some(rule), None),
            Outcome::Rejected(r) => (None, Some(Rejection::of(&r))),
        };
        let kind = decision.kind();
        let mut engine = EngineDecision { kind, rule, reject, local_status: None };
        let forwarded_preflight = kind == EngineKind::Preflight;
        if self.forward_preflights && forwarded_preflight {
            // A forwarded preflight is the upstream's to answer.
            return (engine, AnsweredBy::Upstream, (self.upstream)(request));
        }
        let mut h = HeaderMap::new();
        let status = match decision.into_action() {
            EngineAction::Answer(local) => {
                local.headers.write_to(&mut h);
                local.status.as_u16()
            }
            EngineAction::Refuse(vary) => {
                vary.merge_into(&mut h);
                403
            }
            EngineAction::Forward(pending) => {
                let mut response = (self.upstream)(request);
                // A preflight forwarded in report-only mode is the upstream's to answer.
                if !forwarded_preflight && pending.finish(&mut response.headers).is_err() {
                    // The upstream set its own CORS headers and the policy rejects
                    // such responses: a gateway answers 502, with the decision's
                    // headers so that the page can read it.
                    let _ = pending.finish(&mut h);
                    response = ResponseHead { status: 502, headers: h };
                }
                return (engine, AnsweredBy::Upstream, response);
            }
        };
        engine.local_status = Some(status);
        (engine, AnsweredBy::Engine, ResponseHead { status, headers: h })
    }
}

/// A sent request's headers as a server reads them, with `Host` from the
/// URL (for driving other CORS implementations the same way).
pub fn request_header_map(request: &OutgoingRequest) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in &request.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            headers.append(n, v);
        }
    }
    if let Some(host) = request.url.host_str() {
        let authority = match request.url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        if let Ok(v) = HeaderValue::from_str(&authority) {
            headers.insert(HOST, v);
        }
    }
    headers
}
