//! Deciding allocates nothing for a policy fixed at build time: proved with
//! a counting global allocator over every kind of decision.

use crossgate_core::origin::Scheme;
use crossgate_core::{Action, OriginPredicate, OriginSet, Policy, PolicyConfig, PolicyHandle, RuleConfig};
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

#[test]
fn deciding_through_a_handle_with_a_set_and_a_predicate_allocates_nothing() {
    let tenants = OriginSet::new();
    tenants.insert_all((0..10_000).map(|i| format!("https://tenant{i}.example.net"))).expect("valid origins");
    tenants.insert("https://*.shops.example.net").expect("a valid pattern");
    let review = OriginPredicate::new(|o| o.scheme == Scheme::Https && o.host_str().ends_with(".review.example"));
    let rule = RuleConfig::new(["https://app.example.com"])
        .origin_set(tenants.clone())
        .origin_predicate(review)
        .methods(["GET", "PUT"])
        .request_headers(["content-type"])
        .credentials(true)
        .max_age(600);
    let handle = PolicyHandle::new(Policy::new(PolicyConfig::new(rule).strict(true)).expect("valid policy").policy);
    let cases = [
        (Method::GET, headers(&[("origin", "https://tenant9999.example.net")])),
        (Method::GET, headers(&[("origin", "https://a.shops.example.net")])),
        (Method::GET, headers(&[("origin", "https://pr-1.review.example")])),
        (Method::GET, headers(&[("origin", "https://evil.example"), ("host", "api.example.com")])),
        (
            Method::OPTIONS,
            headers(&[("origin", "https://tenant1.example.net"), ("access-control-request-method", "PUT")]),
        ),
        (Method::OPTIONS, headers(&[("origin", "https://evil.example"), ("access-control-request-method", "PUT")])),
    ];
    // arc-swap registers each thread once, on its first load.
    drop(handle.load());
    for (method, request) in &cases {
        let mut response = HeaderMap::with_capacity(16);
        let n = allocations(|| {
            let action = handle.load().evaluate(method, "/items", request).into_action();
            if let Action::Forward(pending) = &action {
                pending.finish(&mut response).expect("no upstream conflict");
            }
            std::hint::black_box((action, &response));
        });
        assert_eq!(n, 0, "{method} {request:?} allocated {n} times");
    }
    // Changing the set allocates (a new table); deciding afterwards does not.
    tenants.insert("https://late.example.net").unwrap();
    let late = headers(&[("origin", "https://late.example.net")]);
    let n = allocations(|| {
        std::hint::black_box(handle.load().evaluate(&Method::GET, "/items", &late).into_action());
    });
    assert_eq!(n, 0);
}
