//! `Access-Control-Request-Headers` parsing, through a preflight.
//!
//! The input is split on `\n` into header lines. The engine's verdict must
//! agree with a plain model of the bounded grammar (at most 8 lines and
//! 4096 bytes, elements separated by `,` and trimmed of spaces and tabs,
//! at most 16 empty elements, each other element a token), and an allowed
//! preflight's `Access-Control-Allow-Headers` is a clean list.

#![no_main]

use std::sync::OnceLock;

use crossgate_core::limits::{MAX_ACRH_BYTES, MAX_ACRH_EMPTY_ELEMENTS, MAX_ACRH_LINES};
use crossgate_core::{Action, Policy, PolicyConfig, RuleConfig};
use http::{HeaderMap, HeaderValue, Method};
use libfuzzer_sys::fuzz_target;

const LISTED: &[&str] = &["content-type", "x-requested-with", "authorization", "x-a"];

fn policies() -> &'static [Policy; 2] {
    static P: OnceLock<[Policy; 2]> = OnceLock::new();
    P.get_or_init(|| {
        let build = |rule: RuleConfig| Policy::new(PolicyConfig::new(rule)).expect("builds").policy;
        [
            build(
                RuleConfig::new(["https://app.example.com"])
                    .methods(["PUT"])
                    .request_headers(LISTED.iter().copied())
                    .credentials(true),
            ),
            build(RuleConfig::new(["https://app.example.com"]).methods(["PUT"]).request_headers(["*"])),
        ]
    })
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `Some(names)` when the header is acceptable, per the documented limits.
fn model(lines: &[&[u8]]) -> Option<Vec<Vec<u8>>> {
    if lines.len() > MAX_ACRH_LINES || lines.iter().map(|l| l.len()).sum::<usize>() > MAX_ACRH_BYTES {
        return None;
    }
    let mut names = Vec::new();
    let mut empty = 0;
    for line in lines {
        for e in line.split(|&b| b == b',') {
            let e = trim(e);
            if e.is_empty() {
                empty += 1;
            } else if e.iter().all(|&b| is_tchar(b)) {
                names.push(e.to_ascii_lowercase());
            } else {
                return None;
            }
        }
    }
    (empty <= MAX_ACRH_EMPTY_ELEMENTS).then_some(names)
}

fn trim(mut e: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = e {
        e = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = e {
        e = rest;
    }
    e
}

fuzz_target!(|data: &[u8]| {
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let mut headers = HeaderMap::new();
    headers.insert("origin", HeaderValue::from_static("https://app.example.com"));
    headers.insert("access-control-request-method", HeaderValue::from_static("PUT"));
    for l in &lines {
        let Ok(v) = HeaderValue::from_bytes(l) else { return };
        headers.append("access-control-request-headers", v);
    }
    let names = model(&lines);
    for (i, policy) in policies().iter().enumerate() {
        let d = policy.evaluate(&Method::OPTIONS, "/", &headers);
        let expected = match &names {
            None => false,
            Some(n) if i == 0 => n.iter().all(|n| LISTED.iter().any(|l| l.as_bytes() == n.as_slice())),
            Some(n) => n.iter().all(|n| n.as_slice() != b"authorization"),
        };
        assert_eq!(d.is_allowed(), expected, "policy {i}, lines {lines:?}");
        assert!(!matches!(d.clone().into_action(), Action::Forward(_)), "a preflight is answered locally");
        let acah = d.headers().iter().find(|(n, _)| n.as_str() == "access-control-allow-headers");
        if let Some((_, v)) = acah {
            assert!(v.as_bytes().iter().all(|&b| is_tchar(b) || b == b',' || b == b' ' || b == b'\t'), "{v:?}");
        }
    }
});
