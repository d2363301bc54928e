//! Invariants that hold for every policy and every request, whatever bytes
//! it carries.

use crossgate_core::{Action, Policy, PolicyConfig, RuleConfig};
use http::header::{ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN, ORIGIN, VARY};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use proptest::prelude::*;

const ORIGINS: &[&str] = &[
    "https://app.example.com",
    "https://*.example.org",
    "http://localhost:*",
    "https://*.example.net:*",
    "http://127.0.0.1:8080",
    "*",
];

fn origin_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Values close to allowed ones.
        prop::sample::select(vec![
            "https://app.example.com",
            "https://a.example.org",
            "https://example.org",
            "http://localhost",
            "http://localhost:3000",
            "https://x.example.net:8443",
            "http://127.0.0.1:8080",
            "null",
            "https://app.example.com.evil.com",
            "HTTPS://APP.EXAMPLE.COM",
            "https://app.example.com/",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        // Anything a header value may hold (no CR, LF, NUL or other controls).
        prop::collection::vec(prop_oneof![Just(b'\t'), 0x20u8..=0x7e, 0x80u8..=0xff], 0..80),
        // Canonical-looking origins with random hosts.
        ("(https?)://[a-z0-9.-]{1,20}(:[0-9]{1,5})?").prop_map(|s| s.into_bytes()),
    ]
}

fn policy() -> impl Strategy<Value = Option<Policy>> {
    (
        prop::collection::vec(prop::sample::select(ORIGINS), 1..4),
        any::<bool>(),
        prop::sample::subsequence(vec!["GET", "PUT", "DELETE", "patch", "*"], 1..4),
        prop::sample::subsequence(vec!["content-type", "x-a", "authorization", "*"], 0..3),
        any::<bool>(),
    )
        .prop_map(|(origins, credentials, methods, headers, pna)| {
            let rule = RuleConfig::new(origins)
                .credentials(credentials)
                .methods(methods)
                .request_headers(headers)
                .expose_headers(["x-request-id"])
                .allow_private_network(pna)
                .max_age(60);
            let second = RuleConfig::new(["https://other.example.com"]).methods(["GET"]);
            Policy::new(PolicyConfig::new(rule).rule(second)).ok().map(|b| b.policy)
        })
}

fn request() -> impl Strategy<Value = (Method, HeaderMap)> {
    (
        prop::sample::select(vec!["GET", "OPTIONS", "OPTIONS", "PUT", "DELETE", "patch"]),
        prop::collection::vec(origin_value(), 0..3),
        prop::option::of(prop::sample::select(vec!["PUT", "DELETE", "GET", "patch", "TRACE", "P UT"])),
        prop::collection::vec("[a-zA-Z-, ]{0,30}", 0..3),
        any::<bool>(),
    )
        .prop_map(|(method, origins, acrm, acrh, pna)| {
            let mut h = HeaderMap::new();
            for o in origins {
                if let Ok(v) = HeaderValue::from_bytes(&o) {
                    h.append(ORIGIN, v);
                }
            }
            if let Some(m) = acrm {
                h.insert("access-control-request-method", HeaderValue::from_static(m));
            }
            for line in acrh {
                if let Ok(v) = HeaderValue::from_str(&line) {
                    h.append("access-control-request-headers", v);
                }
            }
            if pna {
                h.insert("access-control-request-private-network", HeaderValue::from_static("true"));
            }
            (Method::from_bytes(method.as_bytes()).unwrap(), h)
        })
}

fn final_headers(policy: &Policy, method: &Method, request: &HeaderMap) -> HeaderMap {
    let decision = policy.evaluate(method, "/x", request);
    let mut out = HeaderMap::new();
    match decision.into_action() {
        Action::Answer(answer) => answer.headers.write_to(&mut out),
        Action::Refuse(vary) => vary.merge_into(&mut out),
        Action::Forward(pending) => pending.finish(&mut out).unwrap(),
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn allow_origin_is_the_request_origin_or_star(policy in policy(), (method, request) in request()) {
        let Some(policy) = policy else { return Ok(()) };
        let out = final_headers(&policy, &method, &request);
        let acao: Vec<_> = out.get_all(ACCESS_CONTROL_ALLOW_ORIGIN).iter().collect();
        prop_assert!(acao.len() <= 1, "never two ACAO lines: {acao:?}");
        if let Some(v) = acao.first() {
            let origins: Vec<_> = request.get_all(ORIGIN).iter().collect();
            prop_assert!(
                *v == "*" || (origins.len() == 1 && origins[0].as_bytes() == v.as_bytes()),
                "ACAO {v:?} is neither * nor the request's own Origin {origins:?}"
            );
        }
    }

    #[test]
    fn never_star_with_credentials(policy in policy(), (method, request) in request()) {
        let Some(policy) = policy else { return Ok(()) };
        let out = final_headers(&policy, &method, &request);
        if out.get(ACCESS_CONTROL_ALLOW_CREDENTIALS).is_some() {
            prop_assert_eq!(&out[ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
            prop_assert_ne!(&out[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        }
    }

    #[test]
    fn origin_dependent_responses_vary_on_origin(policy in policy(), (method, request) in request()) {
        let Some(policy) = policy else { return Ok(()) };
        let out = final_headers(&policy, &method, &request);
        let varies = out.get_all(VARY).iter().any(|v| v.to_str().unwrap_or("").split(',').any(|t| t.trim().eq_ignore_ascii_case("origin")));
        // The second rule lists one origin, so every policy here depends on
        // the origin: every response, allowed, rejected or not CORS, says so.
        prop_assert!(varies, "no Vary: Origin in {out:?}");
        if let Some(v) = out.get(ACCESS_CONTROL_ALLOW_ORIGIN) {
            if v != "*" { prop_assert!(varies); }
        }
    }

    #[test]
    fn output_header_values_are_clean(policy in policy(), (method, request) in request()) {
        let Some(policy) = policy else { return Ok(()) };
        let out = final_headers(&policy, &method, &request);
        for (name, value) in &out {
            prop_assert!(!value.as_bytes().iter().any(|&b| b == b'\r' || b == b'\n' || b == 0), "{name}: {value:?}");
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        policy in policy(),
        method in "[A-Za-z!#$%&'*+.^_`|~-]{1,12}",
        path in "/[ -~]{0,40}",
        pairs in prop::collection::vec(("(origin|access-control-request-method|access-control-request-headers|access-control-request-private-network|host|x-[a-z]{1,5})", prop::collection::vec(prop_oneof![Just(b'\t'), 0x20u8..=0x7e, 0x80u8..=0xff], 0..200)), 0..8),
    ) {
        let Some(policy) = policy else { return Ok(()) };
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            if let Ok(v) = HeaderValue::from_bytes(&v) {
                h.append(HeaderName::from_bytes(n.as_bytes()).unwrap(), v);
            }
        }
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let decision = policy.evaluate(&method, &path, &h);
        let mut out = HeaderMap::new();
        match decision.into_action() {
            Action::Answer(answer) => answer.write_headers(&mut out),
            Action::Refuse(vary) => vary.merge_into(&mut out),
            Action::Forward(pending) => {
                let _ = pending.finish(&mut out);
            }
        }
    }
}

#[test]
fn a_megabyte_of_request_headers_is_refused_by_length() {
    let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["*"]).request_headers(["*"]))).unwrap().policy;
    let mut h = HeaderMap::new();
    h.insert(ORIGIN, HeaderValue::from_static("https://a.example"));
    h.insert("access-control-request-method", HeaderValue::from_static("GET"));
    h.insert("access-control-request-headers", HeaderValue::from_str(&",".repeat(1 << 20)).unwrap());
    let d = policy.evaluate(&Method::OPTIONS, "/", &h);
    assert_eq!(d.reject_reason().map(|r| r.code()), Some("malformed-request-header"));
}

fn path_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "/", "public", "private", "x", ".", "..", "%2e", "%2E", "%2f", "%2F", "%5c", "%5C", "\\", ";", ";a=1", "%25",
        "%2e%2e", ".%2e", "%2", "a%2Fb", "...",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    /// A `paths = ["/public/*"]` rule never grants a path that an upstream
    /// resolves to somewhere outside `/public`, whatever the spelling of its
    /// dots and separators.
    #[test]
    fn a_scoped_rule_never_applies_outside_its_scope(pieces in prop::collection::vec(path_piece(), 0..10)) {
        let path = format!("/public/{}", pieces.concat());
        let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["*"]).paths(["/public/*"]))).unwrap().policy;
        let mut headers = HeaderMap::new();
        headers.insert(ORIGIN, HeaderValue::from_static("https://evil.example"));
        let granted = policy.evaluate(&Method::GET, &path, &headers).is_allowed();
        let resolved = crossgate_test_support::upstream_path::resolved(&path);
        if granted {
            prop_assert!(resolved == "/public" || resolved.starts_with("/public/"), "{path} is granted but resolves to {resolved}");
        }
    }
}
