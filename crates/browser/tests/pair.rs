//! The emulator against the engine, in memory: properties that hold for any
//! page call and any of a few policies.
//!
//! - nothing panics, and every exchange ends;
//! - when the engine rejects a CORS request (and answers it without CORS
//!   headers), Chromium blocks the call;
//! - when the engine allows every request Chromium sends (and grants the
//!   credentials the page includes), Chromium lets the page read the answer:
//!   the two halves agree.

use crossgate_browser::pair::{AnsweredBy, Pair};
use crossgate_browser::request::{BodyKind, CredentialsMode};
use crossgate_browser::{Origin, RequestInit, RequestKind};
use crossgate_core::{Policy, PolicyConfig, RuleConfig};
use proptest::prelude::*;

fn policies() -> Vec<Policy> {
    let build = |c: PolicyConfig| Policy::new(c).expect("valid policy").policy;
    vec![
        build(PolicyConfig::new(
            RuleConfig::new(["https://app.test"])
                .methods(["GET", "POST", "DELETE", "PATCH"])
                .request_headers(["content-type", "x-a"])
                .credentials(true)
                .max_age(60),
        )),
        build(PolicyConfig::new(RuleConfig::new(["*"]).methods(["*"]).request_headers(["*", "authorization"]))),
        build(
            PolicyConfig::new(RuleConfig::new(["https://*.app.test"]).methods(["PUT"]).paths(["/api/*"]))
                .rule(RuleConfig::new(["https://app.test", "http://localhost:*"]).expose_headers(["x-total"]))
                .strict(true),
        ),
    ]
}

fn header_strategy() -> impl Strategy<Value = (String, String)> {
    let names = prop::sample::select(vec![
        "content-type",
        "Content-Type",
        "x-a",
        "X-B",
        "authorization",
        "accept",
        "accept-language",
        "range",
        "cookie",
        "user-agent",
    ]);
    let values = prop::sample::select(vec![
        "application/json",
        "text/plain",
        "multipart/form-data; boundary=x",
        "1",
        "bytes=0-",
        "bytes=-5",
        "Bearer t",
        "\"q\"",
        "",
    ]);
    (names, values).prop_map(|(n, v)| (n.to_owned(), v.to_owned()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_halves_agree(
        policy in 0usize..3,
        origin in prop::sample::select(vec!["https://app.test", "https://a.app.test", "http://localhost:3000", "https://evil.test", "null"]),
        url in prop::sample::select(vec!["https://api.test/api/x", "https://api.test/other", "https://app.test/same", "http://api.test:8080/api/y?q=1"]),
        method in prop::sample::select(vec!["GET", "HEAD", "POST", "post", "PUT", "DELETE", "delete", "PATCH", "patch", "OPTIONS", "PROPFIND"]),
        headers in prop::collection::vec(header_strategy(), 0..4),
        cred in 0u8..3,
        body in any::<bool>(),
    ) {
        let policies = policies();
        let mut pair = Pair::new(&policies[policy]);
        let page = Origin::parse(origin).expect("origin");
        let mut init = RequestInit::fetch(page, url::Url::parse(url).expect("url")).method(method);
        for (n, v) in &headers {
            init = init.header(n, v);
        }
        init.credentials = Some([CredentialsMode::Omit, CredentialsMode::SameOrigin, CredentialsMode::Include][cred as usize]);
        if body {
            init = init.body(BodyKind::Bytes);
        }
        let Ok(run) = pair.fetch(init) else { return Ok(()) };
        let v = &run.verdict;
        prop_assert_eq!(v.allowed, v.blocked.is_none());
        prop_assert!(run.exchanges.len() <= 2, "no redirects here: {:?}", run.exchanges);
        if v.same_origin {
            prop_assert!(v.allowed);
            return Ok(());
        }
        // An engine rejection is a browser block.
        if let Some(e) = run.exchanges.iter().find(|e| e.engine.reject.is_some()) {
            prop_assert!(!v.allowed, "engine rejected ({:?}) but Chromium allowed: {:?}", e.engine, run.exchanges);
            let code = v.blocked.as_ref().map(|b| b.code).unwrap_or_default();
            let want = if e.request.kind == RequestKind::Preflight { "PreflightMissingAllowOriginHeader" } else { "MissingAllowOriginHeader" };
            prop_assert_eq!(code, want);
            if e.answered_by == AnsweredBy::Engine {
                prop_assert_eq!(e.response.status, 403);
            }
        }
        // An engine grant of every request is a browser allow, unless the
        // page includes credentials that the rule does not grant (the engine
        // cannot know the credentials mode; Chromium then needs
        // `Access-Control-Allow-Credentials: true` on every answer).
        let credentials_granted = cred != 2
            || run.exchanges.iter().all(|e| e.response.headers.get("access-control-allow-credentials").is_some_and(|v| v == "true"));
        if !run.exchanges.is_empty() && run.exchanges.iter().all(|e| e.engine.is_allowed()) && run.actual().is_some() && credentials_granted {
            prop_assert!(v.allowed, "engine allowed every request but Chromium blocked: {:?}\n{:?}", v.blocked, run.exchanges);
        }
        // A block always comes with Chromium's console line.
        if let Some(b) = &v.blocked {
            prop_assert!(b.message.starts_with("Access to fetch at '"), "{}", b.message);
        }
    }
}

#[test]
fn preflight_cache_is_shared_across_calls_of_one_pair() {
    let policies = policies();
    let mut pair = Pair::new(&policies[0]);
    let call = || {
        RequestInit::fetch(
            Origin::parse("https://app.test").expect("origin"),
            url::Url::parse("https://api.test/x").expect("url"),
        )
        .method("DELETE")
    };
    let first = pair.fetch(call()).expect("constructs");
    assert_eq!((first.verdict.preflights_sent, first.exchanges.len()), (1, 2));
    let second = pair.fetch(call()).expect("constructs");
    assert_eq!((second.verdict.preflights_sent, second.exchanges.len()), (0, 1), "served from the preflight cache");
    assert!(second.verdict.allowed);
    pair.clock_mut().advance(std::time::Duration::from_secs(61));
    assert_eq!(pair.fetch(call()).expect("constructs").verdict.preflights_sent, 1, "max_age = 60 expired");
}
