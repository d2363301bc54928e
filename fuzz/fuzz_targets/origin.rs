//! Request-`Origin` parsing and matching.
//!
//! - `RequestOrigin::parse` never panics, and accepts only canonical values:
//!   re-serializing the parts gives back the input byte for byte.
//! - A value it accepts that is also a valid policy origin parses as an exact
//!   pattern spelled the same way, and a policy listing it allows it (and
//!   reflects exactly those bytes).
//! - Matching against a fixed policy agrees with a plain string model of the
//!   patterns: exact byte equality, or a suffix at a label boundary.
//! - `parse_pattern` never panics on any text.

#![no_main]

use std::sync::OnceLock;

use crossgate_core::limits::MAX_ORIGIN_LEN;
use crossgate_core::origin::{parse_pattern, RequestOrigin, Scheme};
use crossgate_core::{Policy, PolicyConfig, RuleConfig};
use http::{HeaderMap, HeaderValue, Method};
use libfuzzer_sys::fuzz_target;

const EXACT: &[&str] =
    &["https://app.example.com", "http://[::1]:8080", "https://foo.com", "https://bar.com", "http://127.0.0.1:3000"];

fn fixed() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| {
        let mut origins: Vec<&str> = EXACT.to_vec();
        origins.extend(["https://*.example.com", "http://localhost:*", "https://*.api.example.org:*"]);
        Policy::new(PolicyConfig::new(RuleConfig::new(origins).methods(["GET"]).credentials(true)))
            .expect("the fixed policy builds")
            .policy
    })
}

/// The string model of the fixed policy's patterns.
fn model_allows(value: &[u8], parsed: Option<&RequestOrigin<'_>>) -> bool {
    if EXACT.iter().any(|e| e.as_bytes() == value) {
        return true;
    }
    let Some(o) = parsed else { return false };
    let below = |suffix: &[u8]| {
        o.host.len() > suffix.len() + 1 && o.host.ends_with(suffix) && o.host[o.host.len() - suffix.len() - 1] == b'.'
    };
    (o.scheme == Scheme::Https && o.port.is_none() && below(b"example.com"))
        || (o.scheme == Scheme::Http && o.host == b"localhost")
        || (o.scheme == Scheme::Https && below(b"api.example.org"))
}

fn decide(policy: &Policy, value: &[u8]) -> Option<Option<Vec<u8>>> {
    let v = HeaderValue::from_bytes(value).ok()?;
    let mut headers = HeaderMap::new();
    headers.insert("origin", v);
    let d = policy.evaluate(&Method::GET, "/", &headers);
    let acao = d.headers().allow_origin().map(|a| a.as_bytes().to_vec());
    assert_eq!(d.is_allowed(), acao.is_some());
    Some(acao)
}

fuzz_target!(|data: &[u8]| {
    let parsed = RequestOrigin::parse(data);
    if let Some(o) = &parsed {
        assert!(data.len() <= MAX_ORIGIN_LEN);
        let mut again = format!("{}://", o.scheme.as_str()).into_bytes();
        again.extend_from_slice(o.host);
        if let Some(p) = o.port {
            assert_ne!(p, o.scheme.default_port());
            again.extend_from_slice(format!(":{p}").as_bytes());
        }
        assert_eq!(again, data, "parse accepted a non-canonical value");
        assert!(data.iter().all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase()), "odd byte accepted");
        let authority = &data[o.scheme.as_str().len() + 3..];
        for bad in b"@/\\?#%,\"'`{}|^!$&()*+;=~<>" {
            assert!(!authority.contains(bad), "accepted {:?}", *bad as char);
        }
        let text = std::str::from_utf8(data).unwrap();
        if let Ok(p) = parse_pattern(text) {
            assert!(!p.rewritten && p.pattern.is_exact(), "{text}");
            assert_eq!(p.pattern.to_string(), text);
            let policy = Policy::new(PolicyConfig::new(RuleConfig::new([text]).methods(["GET"])))
                .expect("a canonical origin builds a policy")
                .policy;
            assert_eq!(decide(&policy, data), Some(Some(data.to_vec())));
        }
    }
    // Any text, valid or not, goes through the configuration parser.
    let _ = parse_pattern(&String::from_utf8_lossy(data));

    if let Some(acao) = decide(fixed(), data) {
        let model = model_allows(data, parsed.as_ref());
        assert_eq!(acao.is_some(), model, "engine and model disagree on {:?}", String::from_utf8_lossy(data));
        if let Some(a) = acao {
            assert_eq!(a, data, "ACAO must be the request's bytes");
        }
    }
});
