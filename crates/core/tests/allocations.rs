//! Deciding allocates nothing for a policy fixed at build time: proved with
//! a counting global allocator over every kind of decision.

use crossgate_core::{Action, Policy, PolicyConfig, RuleConfig};
use crossgate_test_support::alloc::{measure, Counting};
use http::{HeaderMap, HeaderName, HeaderValue, Method};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Allocations made by `f` on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    measure(f).allocations
}

fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (n, v) in pairs {
        map.append(HeaderName::from_static(n), HeaderValue::from_static(v));
    }
    map
}

fn policy() -> Policy {
    let many: Vec<String> = (0..10_000).map(|i| format!("https://app{i}.example.com")).collect();
    Policy::new(
        PolicyConfig::new(
            RuleConfig::new(["https://app.example.com", "https://*.example.org", "http://localhost:*"])
                .methods(["GET", "POST", "PUT", "DELETE"])
                .request_headers(["content-type", "x-requested-with", "authorization"])
                .expose_headers(["x-request-id"])
                .credentials(true)
                .max_age(600),
        )
        .rule(RuleConfig::new(many).methods(["GET"]))
        .rule(RuleConfig::new(["*"]).methods(["GET"]).request_headers(["*"]).paths(["/public/*"]))
        .strict(true),
    )
    .expect("valid policy")
    .policy
}

#[test]
fn no_decision_allocates() {
    let policy = policy();
    let cases: Vec<(Method, &str, HeaderMap)> = vec![
        (Method::GET, "/items", headers(&[])),
        (Method::GET, "/items", headers(&[("origin", "https://app.example.com")])),
        (Method::GET, "/items", headers(&[("origin", "https://shop.example.org")])),
        (Method::GET, "/items", headers(&[("origin", "http://localhost:5173")])),
        (Method::GET, "/items", headers(&[("origin", "https://app9999.example.com")])),
        (Method::GET, "/items", headers(&[("origin", "https://evil.example")])),
        (Method::DELETE, "/items", headers(&[("origin", "https://evil.example"), ("host", "api.example.com")])),
        (Method::GET, "/public/x", headers(&[("origin", "null")])),
        (Method::GET, "/api/../x", headers(&[("origin", "https://app.example.com")])),
        (
            Method::OPTIONS,
            "/items",
            headers(&[
                ("origin", "https://app.example.com"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "authorization,content-type,X-Requested-With"),
            ]),
        ),
        (
            Method::OPTIONS,
            "/items",
            headers(&[
                ("origin", "https://app.example.com"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "content-type"),
                ("access-control-request-headers", "x-requested-with"),
            ]),
        ),
        (
            Method::OPTIONS,
            "/items",
            headers(&[("origin", "https://evil.example"), ("access-control-request-method", "PUT")]),
        ),
        (
            Method::OPTIONS,
            "/items",
            headers(&[
                ("origin", "https://app.example.com"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "x-not-allowed"),
            ]),
        ),
        (
            Method::OPTIONS,
            "/public/x",
            headers(&[
                ("origin", "https://anyone.example"),
                ("access-control-request-method", "GET"),
                ("access-control-request-headers", "x-a"),
            ]),
        ),
    ];
    for (method, path, request) in &cases {
        // Response maps with room for the CORS headers, as a server's are.
        let mut response = HeaderMap::with_capacity(16);
        let n = allocations(|| {
            let action = policy.evaluate(method, path, request).into_action();
            if let Action::Forward(pending) = &action {
                pending.finish(&mut response).expect("no upstream conflict");
            }
            std::hint::black_box((action, &response));
        });
        assert_eq!(n, 0, "{method} {path} {request:?} allocated {n} times");
    }
}

#[test]
fn the_counter_counts() {
    // Guards the test above against a counter that never counts.
    let n = allocations(|| drop(std::hint::black_box(vec![1u8; 64])));
    assert_eq!(n, 1);
}
