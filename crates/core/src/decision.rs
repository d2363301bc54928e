//! Deciding: request in, typed decision out. Pure and allocation-free.

use http::header::{
    HeaderMap, HeaderValue, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, HOST, ORIGIN,
};
use http::{Method, StatusCode};

use crate::acrh::RequestedHeaders;
use crate::config::{Mode, UpstreamCorsHeaders};
use crate::fetch::{is_cors_safelisted_method, is_method};
use crate::origin::RequestOrigin;
use crate::path::has_dot_segments;
use crate::policy::Policy;
use crate::reason::{RejectReason, RequestHeader};
use crate::response::{CorsHeaders, UpstreamConflict, ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK};
use crate::rule::Rule;
use crate::vary::VarySet;

static WILDCARD: HeaderValue = HeaderValue::from_static("*");

/// What kind of request this is, per [Fetch §3.2.2 "HTTP requests"].
///
/// [Fetch §3.2.2 "HTTP requests"]: https://fetch.spec.whatwg.org/#http-requests
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// No `Origin` header: not a CORS request.
    NotCors,
    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
    Preflight,
    /// Any other request with an `Origin` header.
    Actual,
}

/// Whether the request was granted CORS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// Not a CORS request; nothing to allow or reject.
    NotApplicable,
    /// Allowed by the rule at this index.
    Allowed {
        /// The index of the first matching rule.
        rule: usize,
    },
    /// Rejected, and why.
    Rejected(RejectReason<'a>),
}

/// A policy's decision about one request.
///
/// It borrows from the policy and the request; [`Decision::into_pending`]
/// keeps what is needed to finish the response after the request has been
/// handed to the inner service.
#[derive(Clone, Debug)]
pub struct Decision<'a> {
    policy: &'a Policy,
    kind: RequestKind,
    outcome: Outcome<'a>,
    headers: CorsHeaders,
    same_origin: bool,
}

/// A response the middleware gives itself, without calling the inner service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalAnswer {
    /// The status: the policy's preflight status, or 403.
    pub status: StatusCode,
    /// The headers to send.
    pub headers: CorsHeaders,
    /// In debug mode, a one-line plain-text explanation of a rejection.
    pub debug_body: Option<String>,
}

/// What is left to do once the request has gone to the inner service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    headers: CorsHeaders,
    upstream: UpstreamCorsHeaders,
    enforce: bool,
}

impl Pending {
    /// Adds the decision's headers to the inner service's response (nothing
    /// in report-only mode).
    ///
    /// # Errors
    ///
    /// [`UpstreamConflict`] when the response carries its own
    /// `Access-Control-*` headers and the policy rejects such responses.
    pub fn finish(&self, response_headers: &mut HeaderMap) -> Result<(), UpstreamConflict> {
        if self.enforce {
            self.headers.apply_to_response(response_headers, self.upstream)
        } else {
            Ok(())
        }
    }

    /// The headers that will be added.
    pub fn headers(&self) -> &CorsHeaders {
        &self.headers
    }
}

impl<'a> Decision<'a> {
    /// The kind of request.
    pub fn kind(&self) -> RequestKind {
        self.kind
    }

    /// Allowed, rejected or not applicable.
    pub fn outcome(&self) -> Outcome<'a> {
        self.outcome
    }

    /// Whether CORS was granted.
    pub fn is_allowed(&self) -> bool {
        matches!(self.outcome, Outcome::Allowed { .. })
    }

    /// The reason for a rejection.
    pub fn reject_reason(&self) -> Option<RejectReason<'a>> {
        match self.outcome {
            Outcome::Rejected(r) => Some(r),
            _ => None,
        }
    }

    /// The index of the rule that allowed the request.
    pub fn rule(&self) -> Option<usize> {
        match self.outcome {
            Outcome::Allowed { rule } => Some(rule),
            _ => None,
        }
    }

    /// The policy's mode: report-only decisions change nothing.
    pub fn mode(&self) -> Mode {
        self.policy.mode
    }

    /// The CORS headers the response gets.
    pub fn headers(&self) -> &CorsHeaders {
        &self.headers
    }

    /// Whether the `Origin` names the host the request was sent to (a
    /// same-origin request that browsers still label with `Origin`, such as
    /// a same-origin `POST`). Strict mode never blocks those.
    pub fn is_same_origin(&self) -> bool {
        self.same_origin
    }

    /// The response to give without calling the inner service, if any:
    /// every preflight (allowed or rejected), and, in strict mode, a
    /// rejected cross-origin actual request. Always `None` in report-only
    /// mode.
    pub fn local_answer(&self) -> Option<LocalAnswer> {
        if self.policy.mode == Mode::ReportOnly {
            return None;
        }
        let rejected = |what: &str, reason: &RejectReason<'_>| LocalAnswer {
            status: StatusCode::FORBIDDEN,
            headers: CorsHeaders { vary: self.headers.vary, ..CorsHeaders::default() },
            debug_body: self
                .policy
                .debug
                .then(|| format!("CORS {what} rejected: {reason}; to allow it, {}.\n", reason.hint())),
        };
        match (self.kind, &self.outcome) {
            (RequestKind::Preflight, Outcome::Allowed { .. }) => Some(LocalAnswer {
                status: self.policy.preflight_status,
                headers: self.headers.clone(),
                debug_body: None,
            }),
            (RequestKind::Preflight, Outcome::Rejected(reason)) => Some(rejected("preflight", reason)),
            (RequestKind::Actual, Outcome::Rejected(reason)) if self.policy.strict && !self.same_origin => {
                Some(rejected("request", reason))
            }
            _ => None,
        }
    }

    /// Keeps what is needed to finish the inner service's response.
    pub fn into_pending(self) -> Pending {
        Pending {
            headers: self.headers,
            upstream: self.policy.upstream,
            enforce: self.policy.mode == Mode::Enforce,
        }
    }
}

/// The furthest a rule got in matching a request, for the rejection reason.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Nothing,
    Path,
    Origin,
    Method,
    Headers,
}

impl Policy {
    /// Decides a request, from its method, path and headers.
    ///
    /// The `Host` header names the request's target, for telling same-origin
    /// requests apart in strict mode; use [`Policy::evaluate_request`] when
    /// the target is in the URI (HTTP/2).
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig, RequestKind};
    /// use http::{HeaderMap, HeaderValue, Method};
    ///
    /// let policy = Policy::new(PolicyConfig::new(
    ///     RuleConfig::new(["https://app.example.com"]).methods(["GET", "DELETE"]),
    /// ))?.policy;
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("origin", HeaderValue::from_static("https://app.example.com"));
    /// headers.insert("access-control-request-method", HeaderValue::from_static("DELETE"));
    /// let decision = policy.evaluate(&Method::OPTIONS, "/items/7", &headers);
    /// assert_eq!(decision.kind(), RequestKind::Preflight);
    /// assert!(decision.is_allowed());
    /// assert_eq!(decision.headers().allow_origin().unwrap(), "https://app.example.com");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    pub fn evaluate<'a>(&'a self, method: &'a Method, path: &'a str, headers: &'a HeaderMap) -> Decision<'a> {
        let authority = headers.get(HOST).map(HeaderValue::as_bytes);
        self.evaluate_with_authority(method, path, headers, authority)
    }

    /// Decides an `http::Request`, taking the target from its URI or `Host`.
    pub fn evaluate_request<'a, B>(&'a self, request: &'a http::Request<B>) -> Decision<'a> {
        let authority = request
            .uri()
            .authority()
            .map(|a| a.as_str().as_bytes())
            .or_else(|| request.headers().get(HOST).map(HeaderValue::as_bytes));
        self.evaluate_with_authority(request.method(), request.uri().path(), request.headers(), authority)
    }

    fn evaluate_with_authority<'a>(
        &'a self,
        method: &'a Method,
        path: &'a str,
        headers: &'a HeaderMap,
        authority: Option<&[u8]>,
    ) -> Decision<'a> {
        let dotty = self.scoped && has_dot_segments(path);
        let mut origins = headers.get_all(ORIGIN).iter();
        let Some(origin) = origins.next() else {
            return self.not_cors(method, path, dotty);
        };
        let kind = if method == Method::OPTIONS && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD) {
            RequestKind::Preflight
        } else {
            RequestKind::Actual
        };
        // A repeated `Origin` is refused: no browser sends one, and proxies
        // and servers disagree on which to read. Under a policy whose every
        // rule answers `*` the value is never read nor reflected, so it is
        // treated like any other `Origin`: refusing there would make the
        // response depend on `Origin` without `Vary`, and a cache could
        // serve the refusal to everyone.
        if origins.next().is_some() && !self.actual_vary.is_empty() {
            let reason = RejectReason::MalformedRequestHeader { header: RequestHeader::Origin, problem: "sent more than once" };
            return self.rejected(kind, reason, false);
        }
        match kind {
            RequestKind::Preflight => self.preflight(origin, path, dotty, headers),
            _ => self.actual(origin, method, path, dotty, authority),
        }
    }

    /// What a response that grants nothing varies on: as every actual
    /// response, and in strict mode `Origin` even under a static `*` policy,
    /// since the origin then decides between a 403 and the handler's answer.
    fn refusal_vary(&self) -> VarySet {
        if self.strict {
            self.actual_vary.union(VarySet::ORIGIN)
        } else {
            self.actual_vary
        }
    }

    fn rejected<'a>(&'a self, kind: RequestKind, reason: RejectReason<'a>, same_origin: bool) -> Decision<'a> {
        let vary = if kind == RequestKind::Preflight { self.preflight_vary } else { self.refusal_vary() };
        Decision {
            policy: self,
            kind,
            outcome: Outcome::Rejected(reason),
            headers: CorsHeaders { vary, ..CorsHeaders::default() },
            same_origin,
        }
    }

    /// No `Origin`: nothing to grant, but a response that a cache may later
    /// serve to a CORS request must still say it varies on `Origin` — or, for
    /// a policy that answers `*` to everyone, carry `*` already.
    fn not_cors<'a>(&'a self, method: &'a Method, path: &str, dotty: bool) -> Decision<'a> {
        let mut headers = CorsHeaders { vary: self.refusal_vary(), ..CorsHeaders::default() };
        if self.actual_vary.is_empty() {
            let m = method.as_str().as_bytes();
            if let Some(rule) = self.rules.iter().find(|r| r.covers_path(path, dotty) && r.methods.contains(m)) {
                headers.allow_origin = Some(WILDCARD.clone());
                headers.expose_headers = rule.expose_headers.clone();
                headers.vary = VarySet::EMPTY;
            }
        }
        Decision { policy: self, kind: RequestKind::NotCors, outcome: Outcome::NotApplicable, headers, same_origin: false }
    }

    fn actual<'a>(
        &'a self,
        origin: &'a HeaderValue,
        method: &'a Method,
        path: &str,
        dotty: bool,
        authority: Option<&[u8]>,
    ) -> Decision<'a> {
        let m = method.as_str();
        let mut stage = Stage::Nothing;
        for (i, rule) in self.rules.iter().enumerate() {
            if !rule.covers_path(path, dotty) {
                continue;
            }
            stage = stage.max(Stage::Path);
            if !rule.allows_origin(origin.as_bytes()) {
                continue;
            }
            stage = stage.max(Stage::Origin);
            if !rule.methods.contains(m.as_bytes()) {
                continue;
            }
            let headers = CorsHeaders {
                allow_origin: Some(allow_origin_value(rule, origin)),
                allow_credentials: rule.credentials,
                expose_headers: rule.expose_headers.clone(),
                vary: self.actual_vary,
                ..CorsHeaders::default()
            };
            return Decision { policy: self, kind: RequestKind::Actual, outcome: Outcome::Allowed { rule: i }, headers, same_origin: false };
        }
        let reason = match stage {
            Stage::Nothing => RejectReason::PathNotCovered,
            Stage::Path => RejectReason::OriginNotAllowed,
            _ => RejectReason::MethodNotAllowed { method: m },
        };
        let same_origin = self.strict && authority.is_some_and(|a| is_same_origin(origin.as_bytes(), a));
        self.rejected(RequestKind::Actual, reason, same_origin)
    }

    fn preflight<'a>(&'a self, origin: &'a HeaderValue, path: &str, dotty: bool, headers: &'a HeaderMap) -> Decision<'a> {
        let kind = RequestKind::Preflight;
        let malformed = |header, problem| RejectReason::MalformedRequestHeader { header, problem };
        // Fetch: CORS-preflight request, `Access-Control-Request-Method` is one method.
        let mut acrm_lines = headers.get_all(ACCESS_CONTROL_REQUEST_METHOD).iter();
        let acrm = match (acrm_lines.next(), acrm_lines.next()) {
            (Some(v), None) if is_method(v.as_bytes()) => v,
            (Some(_), None) => return self.rejected(kind, malformed(RequestHeader::AccessControlRequestMethod, "not a method"), false),
            _ => return self.rejected(kind, malformed(RequestHeader::AccessControlRequestMethod, "sent more than once"), false),
        };
        let requested = match RequestedHeaders::from_headers(headers) {
            Ok(r) => r,
            Err(p) => return self.rejected(kind, malformed(RequestHeader::AccessControlRequestHeaders, p.as_str()), false),
        };
        let private_network = headers
            .get(&ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
            .is_some_and(|v| v.as_bytes() == b"true");
        let method = acrm.as_bytes();

        let mut stage = Stage::Nothing;
        let mut refused_header: Option<&'a [u8]> = None;
        for (i, rule) in self.rules.iter().enumerate() {
            if !rule.covers_path(path, dotty) {
                continue;
            }
            stage = stage.max(Stage::Path);
            if !rule.allows_origin(origin.as_bytes()) {
                continue;
            }
            stage = stage.max(Stage::Origin);
            if !rule.methods.contains(method) {
                continue;
            }
            stage = stage.max(Stage::Method);
            if let Some(name) = requested.names().find(|n| !rule.headers.allows(n)) {
                refused_header.get_or_insert(name);
                continue;
            }
            stage = Stage::Headers;
            if private_network && !rule.private_network {
                continue;
            }
            let cors = CorsHeaders {
                allow_origin: Some(allow_origin_value(rule, origin)),
                allow_credentials: rule.credentials,
                allow_methods: (!is_cors_safelisted_method(method)).then(|| acrm.clone()),
                allow_headers: allow_headers_value(rule, &requested, headers),
                max_age: rule.max_age.clone(),
                allow_private_network: private_network,
                vary: self.preflight_vary,
                ..CorsHeaders::default()
            };
            return Decision { policy: self, kind, outcome: Outcome::Allowed { rule: i }, headers: cors, same_origin: false };
        }
        let as_str = |b: &'a [u8]| std::str::from_utf8(b).unwrap_or("");
        let reason = match (stage, refused_header) {
            (Stage::Nothing, _) => RejectReason::PathNotCovered,
            (Stage::Path, _) => RejectReason::OriginNotAllowed,
            (Stage::Origin, _) => RejectReason::MethodNotAllowed { method: as_str(method) },
            (Stage::Method, Some(name)) => RejectReason::HeaderNotAllowed { name: as_str(name) },
            _ => RejectReason::PrivateNetworkNotAllowed,
        };
        self.rejected(kind, reason, false)
    }
}

fn allow_origin_value(rule: &Rule, origin: &HeaderValue) -> HeaderValue {
    if rule.wildcard_origin {
        WILDCARD.clone()
    } else {
        origin.clone()
    }
}

/// `Access-Control-Allow-Headers` for an allowed preflight: `*` without
/// credentials when the rule allows any header (naming `authorization` if
/// allowed, since `*` never covers it); otherwise the requested names, which
/// the rule has just allowed one by one.
fn allow_headers_value(rule: &Rule, requested: &RequestedHeaders<'_>, headers: &HeaderMap) -> Option<HeaderValue> {
    if requested.is_empty() {
        return None;
    }
    if let Some(wildcard) = &rule.allow_headers_wildcard {
        return Some(wildcard.clone());
    }
    if requested.line_count() == 1 {
        return headers.get(ACCESS_CONTROL_REQUEST_HEADERS).cloned();
    }
    if let (false, Some(list)) = (rule.headers.any, &rule.allow_headers_list) {
        return Some(list.clone());
    }
    // Several lines under a credentialed `*`: join the requested names.
    let joined: Vec<&[u8]> = requested.names().collect();
    HeaderValue::from_bytes(&joined.join(&b","[..])).ok()
}

/// Whether `origin` (an `Origin` value) names the same host and port as
/// `authority` (a `Host` value or URI authority).
fn is_same_origin(origin: &[u8], authority: &[u8]) -> bool {
    let Some(o) = RequestOrigin::parse(origin) else { return false };
    let (host, port) = match authority.iter().rposition(|&b| b == b':') {
        Some(i) if !authority[i..].contains(&b']') => (&authority[..i], std::str::from_utf8(&authority[i + 1..]).ok().and_then(|p| p.parse::<u16>().ok())),
        _ => (authority, None),
    };
    host.eq_ignore_ascii_case(o.host) && port.unwrap_or(o.scheme.default_port()) == o.port_or_default()
}
