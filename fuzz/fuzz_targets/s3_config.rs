//! S3 CORS configurations (`PutBucketCors` XML and the console's JSON), as
//! the gateway reads them for `cors = "s3"` routes.
//!
//! Parsing never panics, whatever the bytes; problems display fine; a
//! document that parses decides a few probe requests without panicking,
//! and every header it answers with is free of CR, LF and NUL.

#![no_main]

use crossgate_gateway::s3::{S3Cors, S3Decision};
use http::{HeaderMap, HeaderValue, Method};
use libfuzzer_sys::fuzz_target;

const PROBES: &[(&str, &[(&str, &str)])] = &[
    ("GET", &[("origin", "https://app.example.com")]),
    ("PUT", &[("origin", "http://localhost:3000")]),
    ("GET", &[]),
    (
        "OPTIONS",
        &[
            ("origin", "https://a.example.com"),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "content-type,x-amz-meta-a"),
        ],
    ),
    ("OPTIONS", &[("origin", "https://evil.example.net"), ("access-control-request-method", "GET")]),
    (
        "OPTIONS",
        &[("origin", "null"), ("access-control-request-method", "DELETE"), ("access-control-request-headers", "*")],
    ),
];

fn clean(map: &HeaderMap) {
    for (name, value) in map {
        assert!(!value.as_bytes().iter().any(|b| matches!(b, b'\r' | b'\n' | 0)), "{name}: {value:?}");
    }
}

fn probe(s3: &S3Cors, extra_origin: Option<&str>) {
    for (method, hs) in PROBES {
        let mut headers = HeaderMap::new();
        for (n, v) in *hs {
            headers.append(*n, HeaderValue::from_static(v));
        }
        if let (Some(o), true) = (extra_origin, headers.contains_key("origin")) {
            if let Ok(v) = HeaderValue::from_str(o) {
                headers.insert("origin", v);
            }
        }
        let method = Method::from_bytes(method.as_bytes()).expect("a probe method");
        match s3.decide(&method, &headers) {
            S3Decision::NotCors => {}
            S3Decision::PreflightAllowed(h) | S3Decision::Actual { headers: h, .. } => clean(&h),
            S3Decision::PreflightRejected(e) => {
                let _ = e.body("OBJECT", "0");
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The first line, when short, doubles as an extra Origin to probe with.
    let extra = text.lines().next().filter(|l| l.len() < 200);
    for json in [false, true] {
        let mut problems = Vec::new();
        let parsed = S3Cors::parse(text, json, "fuzz", &mut problems);
        for p in &problems {
            let _ = p.to_string();
        }
        if let Some(s3) = parsed {
            assert!(!problems.iter().any(|p| p.is_error()), "parsed despite errors");
            let _ = s3.rule_count();
            probe(&s3, extra);
        }
    }
});
