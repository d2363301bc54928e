//! Shared pieces of the fuzz targets: the response invariants every
//! decision must satisfy, checked on the headers a client would receive.

use crossgate_core::{Action, Mode, Policy, RequestKind, UpstreamCorsHeaders};
use http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use http::Method;

/// One request as a client sends it, and the inner service's headers.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// Request method.
    pub method: Method,
    /// Request path.
    pub path: String,
    /// Request headers.
    pub headers: HeaderMap,
    /// Headers the inner service puts on its response.
    pub upstream: HeaderMap,
}

/// What the client receives: a local status (or the inner response, `None`)
/// and the final header map.
#[derive(Debug)]
pub struct Outcome {
    /// `Some(status)` when answered without the inner service; 502 when the
    /// inner response was refused as a CORS conflict.
    pub local: Option<u16>,
    /// The final response headers.
    pub headers: HeaderMap,
}

fn is_cors(name: &HeaderName) -> bool {
    name.as_str().starts_with("access-control-")
}

/// Whether the map has any of the CORS response headers crossgate owns.
fn has_owned(map: &HeaderMap) -> bool {
    crossgate_core::header::cors_response_header_names().iter().any(|n| map.contains_key(*n))
}

/// The `Access-Control-*` lines, sorted, for comparing two responses.
pub fn cors_lines(map: &HeaderMap) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> =
        map.iter().filter(|(n, _)| is_cors(n)).map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec())).collect();
    v.sort();
    v
}

/// Whether the response's `Vary` covers `Origin` (or everything).
pub fn varies_on_origin(map: &HeaderMap) -> bool {
    map.get_all(VARY).iter().any(|v| {
        v.as_bytes()
            .split(|&b| b == b',')
            .map(|t| t.trim_ascii())
            .any(|t| t == b"*" || t.eq_ignore_ascii_case(b"origin"))
    })
}

/// Runs one exchange through the policy, as the middleware does, and checks
/// every invariant on the result.
pub fn run(policy: &Policy, ex: &Exchange) -> Outcome {
    let decision = policy.evaluate(&ex.method, &ex.path, &ex.headers);
    let origins: Vec<&HeaderValue> = ex.headers.get_all(ORIGIN).iter().collect();
    let kind = decision.kind();
    match kind {
        RequestKind::NotCors => assert!(origins.is_empty()),
        RequestKind::Preflight => {
            assert!(!origins.is_empty() && ex.method == Method::OPTIONS);
            assert!(ex.headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD));
        }
        RequestKind::Actual => assert!(!origins.is_empty()),
    }
    // The decision's own headers, before any inner response.
    let own = decision.headers().clone();
    if decision.is_allowed() && origins.len() != 1 {
        // Only a static `*` policy, which never reads the value, may.
        assert!(own.allow_origin().is_some_and(|a| a == "*"), "allowed with {} Origin lines", origins.len());
    }
    if let Some(acao) = own.allow_origin() {
        assert!(
            acao == "*" || (origins.len() == 1 && acao.as_bytes() == origins[0].as_bytes()),
            "ACAO {acao:?} is neither `*` nor the request's Origin {origins:?}"
        );
        if acao != "*" {
            assert!(decision.is_allowed(), "a reflected ACAO without an allowed decision");
            assert!(own.vary().contains(crossgate_core::VarySet::ORIGIN), "reflected ACAO without Vary: Origin");
        }
    }
    let enforce = policy.mode() == Mode::Enforce;
    let allowed = decision.is_allowed();
    let action = decision.into_action();
    let local = !matches!(action, Action::Forward(_));
    if !enforce {
        assert!(!local, "report-only answered locally");
    }
    if enforce && kind == RequestKind::Preflight {
        assert!(local, "a preflight reached the inner service");
    }
    let outcome = match action {
        Action::Answer(answer) => {
            let mut map = HeaderMap::new();
            answer.headers.write_to(&mut map);
            if answer.status == http::StatusCode::FORBIDDEN {
                assert!(!allowed);
                assert!(cors_lines(&map).is_empty(), "a 403 with CORS headers: {map:?}");
            } else {
                assert!(answer.status.is_success());
                assert!(allowed);
                assert!(answer.debug_body.is_none());
            }
            if let Some(body) = &answer.debug_body {
                assert!(body.ends_with('\n') && body.matches('\n').count() == 1, "debug body not one line: {body:?}");
                assert!(!body.contains(['\r', '\0']), "debug body with CR/NUL: {body:?}");
            }
            Outcome { local: Some(answer.status.as_u16()), headers: map }
        }
        Action::Refuse(vary) => {
            let mut map = HeaderMap::new();
            vary.merge_into(&mut map);
            assert!(!allowed);
            assert!(cors_lines(&map).is_empty(), "a 403 with CORS headers: {map:?}");
            Outcome { local: Some(403), headers: map }
        }
        Action::Forward(pending) => {
            let mut map = ex.upstream.clone();
            match pending.finish(&mut map) {
                Ok(()) => {}
                Err(_) => {
                    assert_eq!(policy.upstream_cors_headers(), UpstreamCorsHeaders::Reject);
                    assert!(has_owned(&ex.upstream));
                    return Outcome { local: Some(502), headers: HeaderMap::new() };
                }
            }
            if !enforce {
                assert_eq!(map, ex.upstream, "report-only changed the response");
            }
            Outcome { local: None, headers: map }
        }
    };
    let kept_upstream = policy.upstream_cors_headers() == UpstreamCorsHeaders::Keep && has_owned(&ex.upstream);
    check_response(&outcome.headers, &origins, enforce && !kept_upstream, &ex.headers);
    outcome
}

/// Invariants of a final response whose CORS headers crossgate owns.
fn check_response(map: &HeaderMap, origins: &[&HeaderValue], owned: bool, request: &HeaderMap) {
    for (name, value) in map {
        assert!(
            !value.as_bytes().iter().any(|&b| b == b'\r' || b == b'\n' || b == 0),
            "CR/LF/NUL in {name}: {value:?}"
        );
    }
    if !owned {
        return;
    }
    let acao: Vec<_> = map.get_all(ACCESS_CONTROL_ALLOW_ORIGIN).iter().collect();
    assert!(acao.len() <= 1, "two ACAO lines: {acao:?}");
    let acac: Vec<_> = map.get_all(ACCESS_CONTROL_ALLOW_CREDENTIALS).iter().collect();
    assert!(acac.len() <= 1, "two ACAC lines");
    if let Some(c) = acac.first() {
        assert_eq!(*c, "true");
        assert!(!acao.is_empty(), "ACAC without ACAO");
    }
    if let Some(a) = acao.first() {
        if *a == "*" {
            assert!(acac.is_empty(), "ACAO * with credentials");
        } else {
            assert!(origins.len() == 1 && a.as_bytes() == origins[0].as_bytes(), "ACAO {a:?} vs Origin {origins:?}");
            assert!(varies_on_origin(map), "reflected ACAO without Vary: Origin: {map:?}");
        }
    }
    if let Some(m) = map.get(ACCESS_CONTROL_ALLOW_METHODS) {
        assert_eq!(Some(m), request.get(ACCESS_CONTROL_REQUEST_METHOD), "ACAM is not the requested method");
    }
}

/// The differential `Vary` check: the same request with another `Origin`
/// (or none). When the two responses differ in status or CORS headers, each
/// one a cache may store must say it varies on `Origin`, or the cache could
/// serve it for the other request.
pub fn check_vary(policy: &Policy, ex: &Exchange, first: &Outcome, other_origin: Option<&HeaderValue>) {
    let mut variant = ex.clone();
    variant.headers.remove(ORIGIN);
    if let Some(o) = other_origin {
        variant.headers.insert(ORIGIN, o.clone());
    }
    let second = run(policy, &variant);
    let differ = first.local != second.local || cors_lines(&first.headers) != cors_lines(&second.headers);
    // A local answer (403, or 502 for a refused inner response) has no
    // freshness information and a status no cache stores heuristically
    // (RFC 9111 §4.2.2), so only the handler's responses must say it.
    let cacheable_without_vary = |o: &Outcome| o.local.is_none() && !varies_on_origin(&o.headers);
    if differ && ex.method != Method::OPTIONS {
        assert!(
            !cacheable_without_vary(first) && !cacheable_without_vary(&second),
            "the response depends on Origin without Vary: Origin\n  request {:?}\n  -> {:?}\n  variant {:?}\n  -> {:?}",
            ex.headers,
            first,
            variant.headers,
            second
        );
    }
}
