//! The two halves in memory: the emulator's requests answered by a
//! crossgate [`Policy`], with no sockets and an injected clock.
//!
//! The emulator produces exactly the requests Chromium would send (a
//! preflight with its `Access-Control-Request-*` headers when one is
//! needed, then the page's own request); the engine decides each one, and
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

use std::time::Duration;

use crossgate_core::{Action as EngineAction, Outcome, Policy, RejectReason, RequestKind as EngineKind};
use http::header::{HeaderMap, HeaderName, HeaderValue, HOST};
use http::Method;

use crate::fetch::{Action, OutgoingRequest, RequestKind, ResponseHead, MAX_REDIRECTS};
use crate::request::{RequestInit, TypeError};
use crate::verdict::{Stage, Verdict};
use crate::{Browser, Profile};

/// Where the pair's time comes from: the preflight cache's expiry is the
/// only thing that reads it.
pub trait Clock {
    /// The current time, as a duration since any fixed start.
    fn now(&mut self) -> Duration;
}

/// A clock that only moves when told to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ManualClock {
    now: Duration,
}

impl ManualClock {
    /// A clock at `now`.
    pub const fn at(now: Duration) -> Self {
        ManualClock { now }
    }

    /// Moves the clock forward.
    pub fn advance(&mut self, by: Duration) {
        self.now = self.now.saturating_add(by);
    }

    /// Sets the time.
    pub fn set(&mut self, now: Duration) {
        self.now = now;
    }
}

impl Clock for ManualClock {
    fn now(&mut self) -> Duration {
        self.now
    }
}

impl<F: FnMut() -> Duration> Clock for F {
    fn now(&mut self) -> Duration {
        self()
    }
}

/// A rejection, owned: the engine's [`RejectReason`] code, its wording and
/// the policy setting that would allow the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The stable kebab-case code (`origin-not-allowed`, …).
    pub code: &'static str,
    /// The reason in words (`method \`patch\` not allowed`).
    pub text: String,
    /// Which policy setting would allow it.
    pub hint: &'static str,
}

impl Rejection {
    fn of(r: &RejectReason<'_>) -> Self {
        Rejection { code: r.code(), text: r.to_string(), hint: r.hint() }
    }
}

/// The engine's typed decision about one request, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineDecision {
    /// Not CORS, preflight or actual, as the engine classified it.
    pub kind: EngineKind,
    /// The index (from 0) of the rule that allowed it.
    pub rule: Option<usize>,
    /// Why it was rejected.
    pub reject: Option<Rejection>,
    /// The status of the engine's local answer, when it answered itself.
    pub local_status: Option<u16>,
}

impl EngineDecision {
    /// Whether the engine granted CORS.
    pub fn is_allowed(&self) -> bool {
        self.rule.is_some()
    }
}

/// Who answered a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnsweredBy {
    /// The CORS layer itself (a preflight answer, strict mode's 403).
    Engine,
    /// The stand-in upstream, finished with the decision's headers.
    Upstream,
}

impl AnsweredBy {
    /// `engine` or `upstream`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AnsweredBy::Engine => "engine",
            AnsweredBy::Upstream => "upstream",
        }
    }
}

/// One request of the exchange and its answer.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// What the browser sent.
    pub request: OutgoingRequest,
    /// What the engine decided about it.
    pub engine: EngineDecision,
    /// Who answered.
    pub answered_by: AnsweredBy,
    /// The answer the browser received.
    pub response: ResponseHead,
}

/// The result of one fetch through the pair.
#[derive(Clone, Debug)]
pub struct PairRun {
    /// The browser's verdict.
    pub verdict: Verdict,
    /// Every request, in order, with the engine's decision and the answer.
    pub exchanges: Vec<Exchange>,
}

impl PairRun {
    /// The preflight, if one was sent.
    pub fn preflight(&self) -> Option<&Exchange> {
        self.exchanges.iter().find(|e| e.request.kind == RequestKind::Preflight)
    }

    /// The last actual request, if one was sent.
    pub fn actual(&self) -> Option<&Exchange> {
        self.exchanges.iter().rev().find(|e| e.request.kind == RequestKind::Actual)
    }
}

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
    pub fn upstream(mut self, f: impl FnMut(&OutgoingRequest) -> ResponseHead + 'p) -> Self {
        self.upstream = Box::new(f);
        self
    }

    /// Sends preflights to the upstream instead of answering them (a
    /// gateway route's `forward_preflights`).
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
                response_type: crate::ResponseType::Error,
                status: 0,
                readable_headers: Vec::new(),
                blocked: Some(crate::Blocked {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CredentialsMode, Origin};
    use crossgate_core::{PolicyConfig, RuleConfig};

    const API: &str = "https://api.test";
    const APP: &str = "https://app.test";

    fn policy(rule: RuleConfig) -> Policy {
        Policy::new(PolicyConfig::new(rule)).expect("valid policy").policy
    }

    fn call(origin: &str, method: &str, path: &str) -> RequestInit {
        let url = url::Url::parse(&format!("{API}{path}")).expect("url");
        RequestInit::fetch(Origin::parse(origin).expect("origin"), url).method(method)
    }

    fn app_rule() -> RuleConfig {
        RuleConfig::new([APP])
            .methods(["GET", "POST", "DELETE", "PATCH"])
            .request_headers(["content-type"])
            .credentials(true)
    }

    /// (name, rule, page's call, allowed, preflight sent, Chromium's code,
    /// engine code of the first request, console message fragment)
    #[allow(clippy::type_complexity)]
    #[test]
    fn verdicts_table() {
        let any_headers = || RuleConfig::new([APP]).methods(["GET", "POST"]).request_headers(["*"]);
        let any_with_auth = || RuleConfig::new([APP]).methods(["GET", "POST"]).request_headers(["*", "authorization"]);
        let cases: Vec<(&str, RuleConfig, RequestInit, bool, bool, Option<&str>, Option<&str>, &str)> = vec![
            ("simple GET", app_rule(), call(APP, "GET", "/notes"), true, false, None, None, ""),
            (
                "JSON POST, preflighted",
                app_rule(),
                call(APP, "POST", "/notes").header("Content-Type", "application/json").body(crate::BodyKind::Text),
                true,
                true,
                None,
                None,
                "",
            ),
            ("DELETE, preflighted", app_rule(), call(APP, "DELETE", "/notes/1"), true, true, None, None, ""),
            (
                "credentialed GET with a cookie",
                app_rule(),
                call(APP, "GET", "/me").credentials(CredentialsMode::Include),
                true,
                false,
                None,
                None,
                "",
            ),
            (
                "credentialed GET, rule without credentials",
                RuleConfig::new([APP]),
                call(APP, "GET", "/me").credentials(CredentialsMode::Include),
                false,
                false,
                Some("InvalidAllowCredentials"),
                None,
                "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.",
            ),
            (
                "disallowed origin, simple GET",
                app_rule(),
                call("https://evil.test", "GET", "/notes"),
                false,
                false,
                Some("MissingAllowOriginHeader"),
                Some("origin-not-allowed"),
                "Access to fetch at 'https://api.test/notes' from origin 'https://evil.test' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
            ),
            (
                "disallowed origin, DELETE",
                app_rule(),
                call("https://evil.test", "DELETE", "/notes/1"),
                false,
                true,
                Some("PreflightMissingAllowOriginHeader"),
                Some("origin-not-allowed"),
                "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
            ),
            ("PATCH", app_rule(), call(APP, "PATCH", "/notes/1"), true, true, None, None, ""),
            (
                "patch, lower-case",
                app_rule(),
                call(APP, "patch", "/notes/1"),
                false,
                true,
                Some("PreflightMissingAllowOriginHeader"),
                Some("method-not-allowed"),
                "has been blocked by CORS policy: Response to preflight request",
            ),
            (
                "authorization under `*`",
                any_headers(),
                call(APP, "GET", "/notes").header("Authorization", "Bearer t"),
                false,
                true,
                Some("PreflightMissingAllowOriginHeader"),
                Some("header-not-allowed"),
                "No 'Access-Control-Allow-Origin' header is present",
            ),
            (
                "authorization named beside `*`",
                any_with_auth(),
                call(APP, "GET", "/notes").header("Authorization", "Bearer t").header("X-Trace", "1"),
                true,
                true,
                None,
                None,
                "",
            ),
        ];
        for (name, rule, init, allowed, preflighted, cors, engine_code, message) in cases {
            let policy = policy(rule);
            let mut pair = Pair::new(&policy);
            let run = pair.fetch(init).expect("no TypeError");
            let v = &run.verdict;
            assert_eq!(v.allowed, allowed, "{name}: {v:?}");
            assert_eq!(run.preflight().is_some(), preflighted, "{name}: {:?}", run.exchanges);
            assert_eq!(v.blocked.as_ref().map(|b| b.code), cors, "{name}");
            let first = &run.exchanges[0].engine;
            assert_eq!(first.reject.as_ref().map(|r| r.code), engine_code, "{name}: {first:?}");
            if let Some(b) = &v.blocked {
                assert!(b.message.starts_with("Access to fetch at 'https://api.test/"), "{name}: {}", b.message);
                assert!(b.message.contains(message), "{name}: {}", b.message);
                assert!(!b.hint.is_empty(), "{name}");
            } else {
                assert_eq!(v.status, 200, "{name}");
                assert_eq!(run.actual().map(|a| a.answered_by), Some(AnsweredBy::Upstream), "{name}");
                assert!(run.actual().is_some_and(|a| a.engine.rule == Some(0)), "{name}");
            }
            if preflighted && allowed {
                let p = run.preflight().expect("preflight");
                assert_eq!(p.answered_by, AnsweredBy::Engine, "{name}");
                assert_eq!(p.engine.kind, EngineKind::Preflight, "{name}");
                assert_eq!(p.response.status, 204, "{name}");
            }
        }
    }

    #[test]
    fn credentialed_call_sends_credentials_and_reads_exposed_headers() {
        let policy = policy(app_rule().expose_headers(["x-total"]));
        let mut pair = Pair::new(&policy).upstream(|_| {
            let mut h = HeaderMap::new();
            h.insert("x-total", HeaderValue::from_static("7"));
            h.insert("x-secret", HeaderValue::from_static("s"));
            h.insert("content-type", HeaderValue::from_static("application/json"));
            ResponseHead { status: 200, headers: h }
        });
        let run = pair.fetch(call(APP, "GET", "/me").credentials(CredentialsMode::Include)).expect("constructs");
        assert!(run.verdict.allowed);
        let actual = run.actual().expect("sent");
        assert!(actual.request.credentials);
        assert_eq!(actual.response.headers["access-control-allow-credentials"], "true");
        let names: Vec<&str> = run.verdict.readable_headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["content-type", "x-total"]);
    }

    #[test]
    fn strict_mode_answers_the_actual_request_itself() {
        let mut cfg = PolicyConfig::new(app_rule());
        cfg.strict = true;
        let policy = Policy::new(cfg).expect("valid").policy;
        let mut reached = 0;
        let mut pair = Pair::new(&policy).upstream(|r| {
            reached += 1;
            plain_upstream(r)
        });
        let run = pair.fetch(call("https://evil.test", "POST", "/login")).expect("constructs");
        drop(pair);
        assert_eq!(reached, 0, "strict mode: the upstream never sees it");
        let actual = run.actual().expect("sent");
        assert_eq!((actual.answered_by, actual.response.status), (AnsweredBy::Engine, 403));
        assert_eq!(run.verdict.blocked.as_ref().map(|b| b.code), Some("MissingAllowOriginHeader"));
    }

    #[test]
    fn the_injected_clock_expires_cached_preflights() {
        let policy = policy(app_rule().max_age(10));
        let mut pair = Pair::new(&policy);
        let delete = || call(APP, "DELETE", "/notes/1");
        assert_eq!(pair.fetch(delete()).expect("ok").verdict.preflights_sent, 1);
        pair.clock_mut().advance(Duration::from_secs(5));
        assert_eq!(pair.fetch(delete()).expect("ok").verdict.preflights_sent, 0, "cached");
        pair.clock_mut().advance(Duration::from_secs(6));
        assert_eq!(pair.fetch(delete()).expect("ok").verdict.preflights_sent, 1, "expired");
        let mut t = 0u64;
        let policy2 = policy.clone();
        let mut closure_clock = Pair::with_clock(&policy2, Profile::Chromium, move || {
            t += 20;
            Duration::from_secs(t)
        });
        assert!(closure_clock.fetch(delete()).expect("ok").verdict.allowed);
    }

    #[test]
    fn forwarded_preflights_and_upstream_conflicts() {
        let policy = policy(app_rule());
        let mut pair = Pair::new(&policy).forward_preflights(true);
        let run = pair.fetch(call(APP, "DELETE", "/notes/1")).expect("constructs");
        let p = run.preflight().expect("sent");
        assert_eq!(p.answered_by, AnsweredBy::Upstream);
        assert_eq!(run.verdict.blocked.as_ref().map(|b| b.code), Some("PreflightMissingAllowOriginHeader"));

        let mut cfg = PolicyConfig::new(app_rule());
        cfg.upstream_cors_headers = crossgate_core::UpstreamCorsHeaders::Reject;
        let policy = Policy::new(cfg).expect("valid").policy;
        let mut pair = Pair::new(&policy).upstream(|_| {
            let mut h = HeaderMap::new();
            h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
            ResponseHead { status: 200, headers: h }
        });
        let run = pair.fetch(call(APP, "GET", "/notes")).expect("constructs");
        assert!(run.verdict.allowed, "the 502 carries the policy's headers: {:?}", run.verdict);
        assert_eq!(run.verdict.status, 502);
    }

    #[test]
    fn type_errors_are_returned() {
        let policy = policy(app_rule());
        let mut pair = Pair::new(&policy);
        let err = pair.fetch(call(APP, "CONNECT", "/")).expect_err("forbidden method");
        assert_eq!(err.name, "TypeError");
    }
}
