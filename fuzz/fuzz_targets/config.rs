//! Policy files: TOML and JSON.
//!
//! Loading never panics (errors display fine), and a policy that builds
//! round-trips: its canonical `config()` serialized to TOML and to JSON
//! loads again into the same configuration and makes the same decisions.

#![no_main]

use crossgate_core::{Policy, PolicyConfig};
use http::{HeaderMap, HeaderValue, Method};
use libfuzzer_sys::fuzz_target;

const PROBES: &[(&str, &str, &[(&str, &str)])] = &[
    ("GET", "/", &[("origin", "https://app.example.com")]),
    ("GET", "/api/x", &[("origin", "https://x.example.com")]),
    ("GET", "/", &[]),
    (
        "OPTIONS",
        "/api",
        &[
            ("origin", "http://localhost:3000"),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "content-type,x-a"),
        ],
    ),
    ("DELETE", "/", &[("origin", "https://evil.example.net")]),
];

fn same_decisions(a: &Policy, b: &Policy) {
    for (method, path, hs) in PROBES {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let mut headers = HeaderMap::new();
        for (n, v) in *hs {
            headers.append(*n, HeaderValue::from_static(v));
        }
        let (da, db) = (a.evaluate(&method, path, &headers), b.evaluate(&method, path, &headers));
        assert_eq!(da.headers(), db.headers());
        assert_eq!(da.outcome(), db.outcome());
        assert_eq!(da.into_action(), db.into_action());
    }
}

fn round_trip(policy: &Policy) {
    let config = policy.config();
    let toml_text = toml::to_string(config).expect("a config serializes to TOML");
    let json_text = serde_json::to_string(config).expect("a config serializes to JSON");
    for (what, again) in [("toml", Policy::from_toml(&toml_text)), ("json", Policy::from_json(&json_text))] {
        let again = again.unwrap_or_else(|e| panic!("{what} round trip failed: {e}\n{toml_text}"));
        assert_eq!(again.policy.config(), config, "{what} round trip changed the config");
        assert!(
            again.warnings.iter().all(|w| w.code.as_str() != "origin-not-canonical"),
            "a canonical config warned about canonical form"
        );
        same_decisions(policy, &again.policy);
    }
    let direct = Policy::new(PolicyConfig::clone(config)).expect("a canonical config builds");
    assert_eq!(direct.policy.config(), config);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for loaded in [Policy::from_toml(text), Policy::from_json(text)] {
        match loaded {
            Ok(built) => {
                for w in &built.warnings {
                    let _ = w.to_string();
                }
                round_trip(&built.policy);
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
