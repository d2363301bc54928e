//! Path scopes under every spelling of a dot segment and a separator: a
//! rule scoped to `/public/*` never grants a path that an upstream resolves
//! to somewhere outside `/public` — an upstream that decodes every
//! percent-escape, takes `\` for `/`, drops `;parameters`, merges slashes
//! and removes dot segments, the most a server does before serving a file.
//! The input is a path (bytes as text), tried as an actual request and as a
//! preflight, with a `/private/*` rule behind it for a credentialed origin.

#![no_main]

use crossgate_core::{Policy, PolicyConfig, RuleConfig};
use crossgate_test_support::upstream_path::resolved;
use http::header::{HeaderMap, HeaderValue, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::Method;
use libfuzzer_sys::fuzz_target;

fn policy() -> Policy {
    let public = RuleConfig::new(["*"]).methods(["GET", "PUT"]).paths(["/public/*"]);
    let private = RuleConfig::new(["https://app.example.com"]).credentials(true).paths(["/private/*"]);
    Policy::new(PolicyConfig::new(public).rule(private)).expect("a valid policy").policy
}

fuzz_target!(|data: &[u8]| {
    let Ok(path) = std::str::from_utf8(data) else { return };
    thread_local!(static POLICY: Policy = policy());
    POLICY.with(|policy| {
        let mut headers = HeaderMap::new();
        headers.insert(ORIGIN, HeaderValue::from_static("https://evil.example"));
        let actual = policy.evaluate(&Method::GET, path, &headers).is_allowed();
        headers.insert(ACCESS_CONTROL_REQUEST_METHOD, HeaderValue::from_static("PUT"));
        let preflight = policy.evaluate(&Method::OPTIONS, path, &headers).is_allowed();
        if actual || preflight {
            let r = resolved(path);
            assert!(r == "/public" || r.starts_with("/public/"), "{path:?} is granted but resolves to {r:?}");
        }
    });
});
