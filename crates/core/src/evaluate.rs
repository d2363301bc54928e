//! Deciding: request in, typed decision out. Pure and allocation-free.
//!
//! This is the server's side of the CORS protocol
//! (<https://fetch.spec.whatwg.org/#http-cors-protocol>): what the response
//! to a CORS request, or to a CORS-preflight request, says.

use std::cell::Cell;

use http::header::{GetAll, HeaderMap, HeaderValue, ACCESS_CONTROL_REQUEST_METHOD, HOST, ORIGIN};
use http::Method;

use crate::acrh::RequestedHeaders;
use crate::decision::{Decision, Outcome, RequestKind};
use crate::fetch::{is_cors_safelisted_method, is_method};
use crate::header::ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK;
use crate::origin::{RequestOrigin, Scheme};
use crate::path::has_dot_segments;
use crate::policy::Policy;
use crate::reason::{RejectReason, RequestHeader};
use crate::response::CorsHeaders;
use crate::rule::Rule;
use crate::vary::VarySet;

static WILDCARD: HeaderValue = HeaderValue::from_static("*");

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
    /// <https://fetch.spec.whatwg.org/#http-requests>
    ///
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
        self.evaluate_with_authority(method, path, headers, || headers.get(HOST).map(|h| (None, h.as_bytes())))
    }

    /// <https://fetch.spec.whatwg.org/#http-requests>
    ///
    /// Decides an `http::Request`, taking the target from its URI or `Host`.
    /// The scheme is compared in strict mode's same-origin test only when the
    /// URI carries one (HTTP/2, absolute-form); a server that knows its own
    /// scheme says so with [`Policy::evaluate_at`].
    pub fn evaluate_request<'a, B>(&'a self, request: &'a http::Request<B>) -> Decision<'a> {
        let uri = request.uri();
        let scheme = match uri.scheme_str() {
            Some("http") => Some(Scheme::Http),
            Some("https") => Some(Scheme::Https),
            _ => None,
        };
        let authority = || {
            uri.authority()
                .map(|a| a.as_str().as_bytes())
                .or_else(|| request.headers().get(HOST).map(HeaderValue::as_bytes))
                .map(|a| (scheme, a))
        };
        self.evaluate_with_authority(request.method(), uri.path(), request.headers(), authority)
    }

    /// <https://fetch.spec.whatwg.org/#http-requests>
    ///
    /// Decides a request whose target the server has already decided: the
    /// scheme it was received over and the one authority it accepted (a
    /// gateway checks `Host` against an allowlist, and the same authority
    /// must decide strict mode's same-origin exemption). Same origin means
    /// same scheme, host and port.
    pub fn evaluate_at<'a>(
        &'a self,
        method: &'a Method,
        path: &'a str,
        headers: &'a HeaderMap,
        scheme: Scheme,
        authority: &'a [u8],
    ) -> Decision<'a> {
        self.evaluate_with_authority(method, path, headers, || Some((Some(scheme), authority)))
    }

    /// `authority` (the target's scheme when known, and its authority) is
    /// only called for a rejected actual request in strict mode, the one case
    /// that needs the target: looking `Host` up for every request would cost
    /// a header-map probe each time.
    fn evaluate_with_authority<'a, 'h>(
        &'a self,
        method: &'a Method,
        path: &'a str,
        headers: &'a HeaderMap,
        authority: impl FnOnce() -> Option<(Option<Scheme>, &'h [u8])>,
    ) -> Decision<'a> {
        let dotty = self.scoped && has_dot_segments(path);
        let mut origins = headers.get_all(ORIGIN).iter();
        // Fetch: a CORS request is one with an `Origin` header.
        let Some(origin) = origins.next() else {
            return self.not_cors(method, path, dotty);
        };
        // Fetch: a CORS-preflight request is an `OPTIONS` CORS request with
        // `Access-Control-Request-Method`.
        // One probe for `Access-Control-Request-Method`, kept for the preflight.
        let acrm = (method == Method::OPTIONS)
            .then(|| headers.get_all(ACCESS_CONTROL_REQUEST_METHOD))
            .filter(|lines| lines.iter().next().is_some());
        let kind = if acrm.is_some() { RequestKind::Preflight } else { RequestKind::Actual };
        // A repeated `Origin` is refused: no browser sends one, and proxies
        // and servers disagree on which to read. Under a policy whose every
        // rule answers `*` the value is never read nor reflected, so it is
        // treated like any other `Origin`: refusing there would make the
        // response depend on `Origin` without `Vary`, and a cache could
        // serve the refusal to everyone.
        if origins.next().is_some() && !self.actual_vary.is_empty() {
            let reason =
                RejectReason::MalformedRequestHeader { header: RequestHeader::Origin, problem: "sent more than once" };
            return self.rejected(kind, reason, false);
        }
        match acrm {
            Some(acrm) => self.preflight(origin, path, dotty, headers, acrm),
            None => self.actual(origin, method, path, dotty, authority),
        }
    }

    /// The rules that cover the path and allow the origin, in order;
    /// `stage` records how far the furthest rule got, for the reason.
    fn rules_for<'p>(
        &'p self,
        path: &'p str,
        dotty: bool,
        origin: &'p [u8],
        stage: &'p Cell<Stage>,
    ) -> impl Iterator<Item = (usize, &'p Rule)> + 'p {
        self.rules.iter().enumerate().filter(move |(_, rule)| {
            if !rule.covers_path(path, dotty) {
                return false;
            }
            stage.set(stage.get().max(Stage::Path));
            if !rule.allows_origin(origin) {
                return false;
            }
            stage.set(stage.get().max(Stage::Origin));
            true
        })
    }

    /// <https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches>
    ///
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
        let headers = CorsHeaders { vary, ..CorsHeaders::default() };
        Decision::new(self, kind, Outcome::Rejected(reason), headers, same_origin)
    }

    /// <https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches>
    ///
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
        Decision::new(self, RequestKind::NotCors, Outcome::NotApplicable, headers, false)
    }

    fn actual<'a, 'h>(
        &'a self,
        origin: &'a HeaderValue,
        method: &'a Method,
        path: &str,
        dotty: bool,
        authority: impl FnOnce() -> Option<(Option<Scheme>, &'h [u8])>,
    ) -> Decision<'a> {
        let m = method.as_str();
        let stage = Cell::new(Stage::Nothing);
        for (i, rule) in self.rules_for(path, dotty, origin.as_bytes(), &stage) {
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
            return Decision::new(self, RequestKind::Actual, Outcome::Allowed { rule: i }, headers, false);
        }
        let reason = match stage.get() {
            Stage::Nothing => RejectReason::PathNotCovered,
            Stage::Path => RejectReason::OriginNotAllowed,
            _ => RejectReason::MethodNotAllowed { method: m },
        };
        let same_origin =
            self.strict && authority().is_some_and(|(scheme, a)| is_same_origin(origin.as_bytes(), scheme, a));
        self.rejected(RequestKind::Actual, reason, same_origin)
    }

    /// <https://fetch.spec.whatwg.org/#cors-preflight-request>
    ///
    /// The answer to a CORS-preflight request: the headers with which the
    /// browser's CORS-preflight fetch
    /// (<https://fetch.spec.whatwg.org/#cors-preflight-fetch-0>) succeeds,
    /// or none.
    fn preflight<'a>(
        &'a self,
        origin: &'a HeaderValue,
        path: &str,
        dotty: bool,
        headers: &'a HeaderMap,
        acrm: GetAll<'a, HeaderValue>,
    ) -> Decision<'a> {
        let kind = RequestKind::Preflight;
        // Path and origin first: a preflight that no rule admits is refused
        // for that, before its other headers are read — whatever they hold.
        let stage = Cell::new(Stage::Nothing);
        let mut candidates = self.rules_for(path, dotty, origin.as_bytes(), &stage);
        let Some(first) = candidates.next() else {
            let reason = if stage.get() == Stage::Nothing {
                RejectReason::PathNotCovered
            } else {
                RejectReason::OriginNotAllowed
            };
            return self.rejected(kind, reason, false);
        };
        let malformed = |header, problem| RejectReason::MalformedRequestHeader { header, problem };
        // Fetch: `Access-Control-Request-Method` is one `method`
        // (https://fetch.spec.whatwg.org/#http-new-header-syntax).
        let mut acrm_lines = acrm.iter();
        let acrm = match (acrm_lines.next(), acrm_lines.next()) {
            (Some(v), None) if is_method(v.as_bytes()) => v,
            (Some(_), None) => {
                return self.rejected(kind, malformed(RequestHeader::AccessControlRequestMethod, "not a method"), false)
            }
            _ => {
                return self.rejected(
                    kind,
                    malformed(RequestHeader::AccessControlRequestMethod, "sent more than once"),
                    false,
                )
            }
        };
        let requested = match RequestedHeaders::from_headers(headers) {
            Ok(r) => r,
            Err(p) => {
                return self.rejected(kind, malformed(RequestHeader::AccessControlRequestHeaders, p.as_str()), false)
            }
        };
        // Looked up only once a rule has matched everything else: a preflight
        // rejected earlier never pays for hashing this long custom name.
        let mut private_network = None;
        let mut asks_private_network = || *private_network.get_or_insert_with(|| asks_private_network(headers));
        let method = acrm.as_bytes();

        let mut refused_header: Option<&'a [u8]> = None;
        for (i, rule) in std::iter::once(first).chain(candidates) {
            if !rule.methods.contains(method) {
                continue;
            }
            stage.set(stage.get().max(Stage::Method));
            if let Some(name) = requested.names().find(|n| !rule.headers.allows(n)) {
                refused_header.get_or_insert(name);
                continue;
            }
            stage.set(Stage::Headers);
            let private_network = asks_private_network();
            if private_network && !rule.private_network {
                continue;
            }
            let cors = CorsHeaders {
                allow_origin: Some(allow_origin_value(rule, origin)),
                allow_credentials: rule.credentials,
                // Fetch: CORS-preflight fetch, step 7.5: a CORS-safelisted
                // method passes without being listed.
                allow_methods: (!is_cors_safelisted_method(method)).then(|| acrm.clone()),
                allow_headers: allow_headers_value(rule, &requested),
                max_age: rule.max_age.clone(),
                allow_private_network: private_network,
                vary: self.preflight_vary,
                ..CorsHeaders::default()
            };
            return Decision::new(self, kind, Outcome::Allowed { rule: i }, cors, false);
        }
        let as_str = |b: &'a [u8]| std::str::from_utf8(b).unwrap_or("");
        let reason = match (stage.get(), refused_header) {
            (Stage::Nothing, _) => RejectReason::PathNotCovered,
            (Stage::Path, _) => RejectReason::OriginNotAllowed,
            (Stage::Origin, _) => RejectReason::MethodNotAllowed { method: as_str(method) },
            (Stage::Method, Some(name)) => RejectReason::HeaderNotAllowed { name: as_str(name) },
            _ => RejectReason::PrivateNetworkNotAllowed,
        };
        self.rejected(kind, reason, false)
    }
}

/// <https://wicg.github.io/private-network-access/#http-headerdef-access-control-request-private-network>
///
/// Whether the preflight asks for private-network access
/// (`Access-Control-Request-Private-Network: true`).
///
/// Hashing this 38-byte custom name for a probe costs more than comparing a
/// few names, where a standard name differs from it in its representation
/// alone. So in a request with few distinct names (a browser's preflight
/// has a dozen or so) the names are scanned first and the map probed only
/// if the header is there; a larger request is probed at once.
fn asks_private_network(headers: &HeaderMap) -> bool {
    const SCAN_BELOW: usize = 16;
    if headers.keys_len() < SCAN_BELOW && !headers.keys().any(|name| *name == ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK) {
        return false;
    }
    headers.get(&ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK).is_some_and(|v| v.as_bytes() == b"true")
}

/// <https://fetch.spec.whatwg.org/#http-access-control-allow-origin>
///
/// `*`, or the literal value of the request's `Origin`.
fn allow_origin_value(rule: &Rule, origin: &HeaderValue) -> HeaderValue {
    if rule.wildcard_origin {
        WILDCARD.clone()
    } else {
        origin.clone()
    }
}

/// <https://fetch.spec.whatwg.org/#http-access-control-allow-headers>
///
/// For an allowed preflight: `*` without credentials when the rule allows
/// any header, naming `authorization` if allowed (CORS-preflight fetch,
/// step 7.6: `*` never covers it; step 7.7: `*` counts only without
/// credentials); otherwise the requested names, which the rule has just
/// allowed one by one.
fn allow_headers_value(rule: &Rule, requested: &RequestedHeaders<'_>) -> Option<HeaderValue> {
    if requested.is_empty() {
        return None;
    }
    if let Some(wildcard) = &rule.allow_headers_wildcard {
        return Some(wildcard.clone());
    }
    if requested.line_count() == 1 {
        return requested.first_line().cloned();
    }
    if let (false, Some(list)) = (rule.headers.any, &rule.allow_headers_list) {
        return Some(list.clone());
    }
    // Several lines under a credentialed `*`: join the requested names.
    let joined: Vec<&[u8]> = requested.names().collect();
    HeaderValue::from_bytes(&joined.join(&b","[..])).ok()
}

/// <https://html.spec.whatwg.org/multipage/origin.html#same-origin>
///
/// Whether `origin` (an `Origin` value) is the origin of the target: the
/// same scheme, host and port. `authority` is a `Host` value or URI
/// authority, whose missing port is its scheme's default; when the target's
/// scheme is unknown (`Host` alone does not carry one), only the host and
/// port are compared, the port defaulting to the origin's scheme's.
fn is_same_origin(origin: &[u8], scheme: Option<Scheme>, authority: &[u8]) -> bool {
    let Some(o) = RequestOrigin::parse(origin) else { return false };
    if scheme.is_some_and(|s| s != o.scheme) {
        return false;
    }
    let (host, port) = match authority.iter().rposition(|&b| b == b':') {
        Some(i) if !authority[i..].contains(&b']') => {
            match std::str::from_utf8(&authority[i + 1..]).ok().and_then(|p| p.parse::<u16>().ok()) {
                Some(p) => (&authority[..i], Some(p)),
                None => return false,
            }
        }
        _ => (authority, None),
    };
    host.eq_ignore_ascii_case(o.host)
        && port.unwrap_or(scheme.unwrap_or(o.scheme).default_port()) == o.port_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_origin_is_scheme_host_and_port() {
        let http = Some(Scheme::Http);
        let https = Some(Scheme::Https);
        let cases: [(&str, Option<Scheme>, &str, bool); 16] = [
            ("http://localhost:8080", http, "localhost:8080", true),
            ("http://localhost:8080", http, "LOCALHOST:8080", true),
            ("https://localhost:8080", http, "localhost:8080", false),
            ("http://localhost", http, "localhost", true),
            ("http://localhost", http, "localhost:80", true),
            ("https://localhost", http, "localhost:443", false),
            ("https://localhost", https, "localhost:443", true),
            ("https://localhost", https, "localhost", true),
            ("http://localhost", https, "localhost", false),
            ("http://localhost:8080", http, "localhost", false),
            ("http://evil.example", http, "localhost", false),
            ("http://[::1]:8080", http, "[::1]:8080", true),
            ("http://[::1]", http, "[::1]", true),
            ("http://localhost", http, "localhost:x", false),
            // Unknown scheme (a bare `Host`): host and port only.
            ("https://localhost:8080", None, "localhost:8080", true),
            ("https://localhost", None, "localhost", true),
        ];
        for (origin, scheme, authority, same) in cases {
            assert_eq!(
                is_same_origin(origin.as_bytes(), scheme, authority.as_bytes()),
                same,
                "{origin} {scheme:?} {authority}"
            );
        }
    }

    #[test]
    fn private_network_scan_agrees_with_the_probe() {
        for padding in [0, 5, 15, 16, 40] {
            for value in [None, Some("true"), Some("false"), Some("TRUE")] {
                let mut h = HeaderMap::new();
                for i in 0..padding {
                    h.insert(
                        http::header::HeaderName::try_from(format!("x-pad-{i}")).unwrap(),
                        HeaderValue::from_static("1"),
                    );
                }
                h.insert(http::header::ACCEPT, HeaderValue::from_static("*/*"));
                if let Some(v) = value {
                    h.append(&ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK, HeaderValue::from_static(v));
                    h.append(&ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK, HeaderValue::from_static("true"));
                }
                let probed = h.get(&ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK).is_some_and(|v| v.as_bytes() == b"true");
                assert_eq!(asks_private_network(&h), probed, "{padding} {value:?}");
            }
        }
    }
}
