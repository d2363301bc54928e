//! Policies that change at runtime: a handle swapped under load, an origin
//! set a program changes, and the origin predicate's bounds.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use crossgate_core::origin::Scheme;
use crossgate_core::{Action, Code, OriginPredicate, OriginSet, Policy, PolicyConfig, PolicyHandle, RuleConfig};
use http::{HeaderMap, HeaderValue, Method};

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (n, v) in pairs {
        map.append(*n, HeaderValue::from_str(v).unwrap());
    }
    map
}

/// Every header an answer carries, sorted, with its status: a whole
/// answer, so a torn one (one policy's origin with another's methods)
/// cannot pass for either.
type Answer = (u16, Vec<(String, String)>);

fn answer(policy: &Policy, method: &Method, request: &HeaderMap) -> Answer {
    let mut response = HeaderMap::new();
    let status = match policy.evaluate(method, "/items", request).into_action() {
        Action::Answer(a) => {
            let status = a.status.as_u16();
            a.write_headers(&mut response);
            status
        }
        Action::Refuse(vary) => {
            vary.merge_into(&mut response);
            403
        }
        Action::Forward(pending) => {
            pending.finish(&mut response).unwrap();
            200
        }
    };
    let mut all: Vec<_> =
        response.iter().map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned())).collect();
    all.sort();
    (status, all)
}

#[test]
fn swapping_under_load_gives_every_answer_whole_from_the_old_or_the_new_policy() {
    let old = Policy::new(PolicyConfig::new(
        RuleConfig::new(["https://a.example", "https://both.example"])
            .methods(["PUT"])
            .max_age(100)
            .expose_headers(["x-old"]),
    ))
    .unwrap()
    .policy;
    let new = Policy::new(
        PolicyConfig::new(
            RuleConfig::new(["https://b.example", "https://both.example"])
                .methods(["DELETE", "PUT"])
                .request_headers(["content-type"])
                .credentials(true)
                .max_age(200),
        )
        .strict(true),
    )
    .unwrap()
    .policy;
    let requests: Vec<(Method, HeaderMap)> = vec![
        (Method::OPTIONS, headers(&[("origin", "https://both.example"), ("access-control-request-method", "PUT")])),
        (Method::OPTIONS, headers(&[("origin", "https://a.example"), ("access-control-request-method", "PUT")])),
        (Method::OPTIONS, headers(&[("origin", "https://b.example"), ("access-control-request-method", "DELETE")])),
        (Method::GET, headers(&[("origin", "https://both.example")])),
        (Method::DELETE, headers(&[("origin", "https://evil.example"), ("host", "api.example")])),
    ];
    // What each policy answers, computed without any swapping.
    let expected: Vec<[Answer; 2]> = requests.iter().map(|(m, h)| [answer(&old, m, h), answer(&new, m, h)]).collect();
    for (i, [a, b]) in expected.iter().enumerate() {
        assert_ne!(a, b, "request {i} tells the policies apart");
    }

    let handle = PolicyHandle::new(old.clone());
    let (old, new) = (Arc::new(old), Arc::new(new));
    let done = AtomicBool::new(false);
    let decided = AtomicUsize::new(0);
    let seen = [AtomicUsize::new(0), AtomicUsize::new(0)];
    std::thread::scope(|s| {
        for t in 0..8 {
            let (handle, requests, expected, done, decided, seen) =
                (&handle, &requests, &expected, &done, &decided, &seen);
            s.spawn(move || {
                let mut i = t;
                while !done.load(Ordering::Acquire) || i < t + 100 {
                    let (m, h) = &requests[i % requests.len()];
                    let got = answer(&handle.load(), m, h);
                    let which = expected[i % requests.len()].iter().position(|e| *e == got);
                    let which =
                        which.unwrap_or_else(|| panic!("a torn answer to request {}: {got:?}", i % requests.len()));
                    seen[which].fetch_add(1, Ordering::Relaxed);
                    decided.fetch_add(1, Ordering::Release);
                    i += 1;
                }
            });
        }
        s.spawn(|| {
            for n in 0..10_000 {
                let next = if n % 2 == 0 { &new } else { &old };
                handle.replace_shared(Arc::clone(next));
                // Let the deciders run between swaps now and then, so both
                // policies are decided with even on a busy machine.
                if n % 500 == 0 {
                    let before = decided.load(Ordering::Acquire);
                    while decided.load(Ordering::Acquire) < before + 8 {
                        std::thread::yield_now();
                    }
                }
            }
            done.store(true, Ordering::Release);
        });
    });
    let seen = [seen[0].load(Ordering::Relaxed), seen[1].load(Ordering::Relaxed)];
    assert!(seen[0] > 0 && seen[1] > 0, "both policies were in force while deciding: {seen:?}");
    // 10,000 swaps, an even number: the old policy is back.
    assert!(Arc::ptr_eq(&handle.load_full(), &old));
}

#[test]
fn a_decision_made_before_a_swap_finishes_under_its_policy() {
    let build = |origin: &str, expose: &str| {
        Policy::new(PolicyConfig::new(RuleConfig::new([origin]).expose_headers([expose]))).unwrap().policy
    };
    let handle = PolicyHandle::new(build("https://a.example", "x-old"));
    let request = headers(&[("origin", "https://a.example")]);
    let action = handle.load().evaluate(&Method::GET, "/", &request).into_action();
    handle.replace(build("https://b.example", "x-new"));
    let Action::Forward(pending) = action else { panic!("forwarded") };
    let mut response = HeaderMap::new();
    pending.finish(&mut response).unwrap();
    assert_eq!(response["access-control-allow-origin"], "https://a.example");
    assert_eq!(response["access-control-expose-headers"], "x-old");
    assert!(!handle.load().evaluate(&Method::GET, "/", &request).is_allowed());
}

#[test]
fn an_origin_set_is_checked_like_a_policy_file() {
    let set = OriginSet::new();
    // (entry, the code a policy file reports for it, under credentials)
    let refused = [
        ("https://a.example/", Code::OriginHasPath),
        ("*", Code::AnyOriginWithCredentials),
        ("null", Code::NullOriginWithoutOptIn),
        ("https://*.github.io", Code::PublicSuffixWithCredentials),
        ("http://intranet.example", Code::InsecureOriginWithCredentials),
        ("https://a.example:443", Code::OriginDefaultPort),
        ("app://main", Code::AppSchemeNotListed),
        ("example.com", Code::OriginInvalid),
    ];
    for (entry, code) in refused {
        let err = set.insert(entry).unwrap_err();
        let file = Policy::new(PolicyConfig::new(RuleConfig::new([entry]).credentials(true))).unwrap_err();
        let (a, b) = (&err.diagnostics[0], file.errors().next().unwrap());
        assert_eq!((a.code, &a.message, &a.help), (code, &b.message, &b.help), "{entry}");
        assert_eq!(a.location.to_string(), "origin_set", "{entry}");
    }
    assert!(set.is_empty(), "refused entries change nothing");

    // All or nothing, every problem at once.
    let err = set.insert_all(["https://ok.example", "https://a.example/", "null"]).unwrap_err();
    assert_eq!(err.errors().count(), 2);
    assert!(set.is_empty());

    let findings = set.insert_all(["https://Shop.example", "https://*.tenant.example", "tauri://localhost"]).unwrap();
    let codes: Vec<Code> = findings.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::OriginNotCanonical, Code::AppOrigin]);
    assert_eq!(set.origins(), ["https://*.tenant.example", "https://shop.example", "tauri://localhost"]);
    assert!(set.contains(b"https://shop.example") && set.contains(b"https://x.tenant.example"));
    assert!(!set.contains(b"https://Shop.example") && !set.contains(b"https://tenant.example"));

    assert!(set.remove("https://SHOP.example").unwrap(), "removed by its canonical form");
    assert!(!set.remove("https://shop.example").unwrap());
    assert!(!set.contains(b"https://shop.example"));
    assert_eq!(set.remove("nope").unwrap_err().diagnostics[0].code, Code::OriginInvalid);

    set.replace_all(["https://one.example"]).unwrap();
    assert_eq!(set.origins(), ["https://one.example"]);
    set.replace_all(Vec::<String>::new()).unwrap();
    assert!(set.is_empty());
}

#[test]
fn a_rule_with_a_set_matches_what_the_set_holds_now() {
    let set = OriginSet::new();
    let policy = Policy::new(
        PolicyConfig::new(
            RuleConfig::new(["https://app.example"]).origin_set(set.clone()).methods(["PUT"]).credentials(true),
        )
        .rule(RuleConfig::new(["*"]).methods(["GET"])),
    )
    .unwrap();
    assert_eq!(policy.warnings, [], "a set does not make the rule after it shadowed, nor is it");
    let policy = policy.policy;
    let allow = |origin: &str| {
        let request = headers(&[("origin", origin)]);
        let d = policy.evaluate(&Method::PUT, "/", &request);
        d.is_allowed().then(|| d.headers().allow_origin().unwrap().to_str().unwrap().to_owned())
    };
    assert_eq!(allow("https://c.example"), None);
    set.insert("https://c.example").unwrap();
    assert_eq!(allow("https://c.example").as_deref(), Some("https://c.example"));
    assert_eq!(allow("https://app.example").as_deref(), Some("https://app.example"));
    set.remove("https://c.example").unwrap();
    assert_eq!(allow("https://c.example"), None);

    // A rule may have only a set; an empty rule still is an error.
    assert!(Policy::new(PolicyConfig::new(RuleConfig::new(Vec::<String>::new()).origin_set(OriginSet::new()))).is_ok());
    let err = Policy::new(PolicyConfig::new(RuleConfig::new(Vec::<String>::new()))).unwrap_err();
    assert_eq!(err.diagnostics[0].code, Code::NoOrigins);
}

#[test]
fn the_predicate_sees_parsed_origins_only_and_cannot_widen_the_rule() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let predicate = OriginPredicate::new(move |o| {
        counted.fetch_add(1, Ordering::Relaxed);
        // Everything it is given is canonical: these hold for every call.
        assert!(o.host_str().bytes().all(|b| !b.is_ascii_uppercase()));
        assert!(o.port != Some(o.scheme.default_port()));
        true
    });
    let rule = |credentials: bool| {
        RuleConfig::new(["https://app.example"])
            .origin_predicate(predicate.clone())
            .methods(["GET"])
            .credentials(credentials)
    };
    for credentials in [false, true] {
        let policy = Policy::new(PolicyConfig::new(rule(credentials))).unwrap().policy;
        let decide = |origin: &str| policy.evaluate(&Method::GET, "/", &headers(&[("origin", origin)])).is_allowed();
        // Allowed: the origin itself, never `*`, credentials as the rule says.
        let (_, answered) = answer(&policy, &Method::GET, &headers(&[("origin", "https://anything.example:8443")]));
        let get = |name: &str| answered.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        assert_eq!(get("access-control-allow-origin"), Some("https://anything.example:8443"));
        assert_eq!(get("access-control-allow-credentials"), credentials.then_some("true"));
        // Never asked: null, app origins, anything not canonical.
        let before = calls.load(Ordering::Relaxed);
        for raw in ["null", "tauri://localhost", "https://A.example", "https://a.example/", "https://a.example:443", ""]
        {
            assert!(!decide(raw), "{raw}");
        }
        assert_eq!(calls.load(Ordering::Relaxed), before, "the predicate never saw a raw value");
        // With credentials, plain http stays refused off loopback.
        assert_eq!(decide("http://intranet.example"), !credentials);
        assert!(decide("http://localhost:3000"));
        // Methods are still the rule's.
        assert!(!policy.evaluate(&Method::DELETE, "/", &headers(&[("origin", "https://x.example")])).is_allowed());
    }
    let insecure = Policy::new(PolicyConfig::new(rule(true).dangerously_allow_insecure_origins_with_credentials(true)))
        .unwrap()
        .policy;
    assert!(insecure.evaluate(&Method::GET, "/", &headers(&[("origin", "http://intranet.example")])).is_allowed());

    // What no list says: https on any port of hosts whose first label is a
    // ticket number — and a suffix trick cannot pass, since the host is whole.
    let review = OriginPredicate::new(|o| {
        o.scheme == Scheme::Https
            && o.host_str().strip_suffix(".review.example").is_some_and(|l| !l.contains('.') && l.starts_with("pr-"))
    });
    let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example"]).origin_predicate(review)))
        .unwrap()
        .policy;
    for (origin, ok) in [
        ("https://pr-12.review.example:8443", true),
        ("https://pr-12.review.example", true),
        ("https://x.pr-12.review.example", false),
        ("https://pr-12.review.example.evil.example", false),
        ("http://pr-12.review.example", false),
    ] {
        assert_eq!(policy.evaluate(&Method::GET, "/", &headers(&[("origin", origin)])).is_allowed(), ok, "{origin}");
    }
}
