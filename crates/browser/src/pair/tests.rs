use std::time::Duration;

use crossgate_core::{PolicyConfig, RuleConfig};

use super::*;
use crate::origin::Origin;
use crate::request::{BodyKind, CredentialsMode};

const API: &str = "https://api.test";
const APP: &str = "https://app.test";

fn policy(rule: RuleConfig) -> Policy {
    Policy::new(PolicyConfig::new(rule)).expect("valid policy").policy
}

fn call(origin: &str, method: &str, path: &str) -> RequestInit {
    let url = url::Url::parse(&format!("{API}{path}")).expect("url");
    RequestInit::fetch(Origin::parse(origin).expect("origin"), url).method(method)
}

fn app_rule() -> RuleConfig {
    RuleConfig::new([APP])
        .methods(["GET", "POST", "DELETE", "PATCH"])
        .request_headers(["content-type"])
        .credentials(true)
}

/// (name, rule, page's call, allowed, preflight sent, Chromium's code,
/// engine code of the first request, console message fragment)
#[allow(clippy::type_complexity)]
#[test]
fn verdicts_table() {
    let any_headers = || RuleConfig::new([APP]).methods(["GET", "POST"]).request_headers(["*"]);
    let any_with_auth = || RuleConfig::new([APP]).methods(["GET", "POST"]).request_headers(["*", "authorization"]);
    let cases: Vec<(&str, RuleConfig, RequestInit, bool, bool, Option<&str>, Option<&str>, &str)> = vec![
        ("simple GET", app_rule(), call(APP, "GET", "/notes"), true, false, None, None, ""),
        (
            "JSON POST, preflighted",
            app_rule(),
            call(APP, "POST", "/notes").header("Content-Type", "application/json").body(BodyKind::Text),
            true,
            true,
            None,
            None,
            "",
        ),
        ("DELETE, preflighted", app_rule(), call(APP, "DELETE", "/notes/1"), true, true, None, None, ""),
        (
            "credentialed GET with a cookie",
            app_rule(),
            call(APP, "GET", "/me").credentials(CredentialsMode::Include),
            true,
            false,
            None,
            None,
            "",
        ),
        (
            "credentialed GET, rule without credentials",
            RuleConfig::new([APP]),
            call(APP, "GET", "/me").credentials(CredentialsMode::Include),
            false,
            false,
            Some("InvalidAllowCredentials"),
            None,
            "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.",
        ),
        (
            "disallowed origin, simple GET",
            app_rule(),
            call("https://evil.test", "GET", "/notes"),
            false,
            false,
            Some("MissingAllowOriginHeader"),
            Some("origin-not-allowed"),
            "Access to fetch at 'https://api.test/notes' from origin 'https://evil.test' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        ),
        (
            "disallowed origin, DELETE",
            app_rule(),
            call("https://evil.test", "DELETE", "/notes/1"),
            false,
            true,
            Some("PreflightMissingAllowOriginHeader"),
            Some("origin-not-allowed"),
            "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        ),
        ("PATCH", app_rule(), call(APP, "PATCH", "/notes/1"), true, true, None, None, ""),
        (
            "patch, lower-case",
            app_rule(),
            call(APP, "patch", "/notes/1"),
            false,
            true,
            Some("PreflightMissingAllowOriginHeader"),
            Some("method-not-allowed"),
            "has been blocked by CORS policy: Response to preflight request",
        ),
        (
            "authorization under `*`",
            any_headers(),
            call(APP, "GET", "/notes").header("Authorization", "Bearer t"),
            false,
            true,
            Some("PreflightMissingAllowOriginHeader"),
            Some("header-not-allowed"),
            "No 'Access-Control-Allow-Origin' header is present",
        ),
        (
            "authorization named beside `*`",
            any_with_auth(),
            call(APP, "GET", "/notes").header("Authorization", "Bearer t").header("X-Trace", "1"),
            true,
            true,
            None,
            None,
            "",
        ),
    ];
    for (name, rule, init, allowed, preflighted, cors, engine_code, message) in cases {
        let policy = policy(rule);
        let mut pair = Pair::new(&policy);
        let run = pair.fetch(init).expect("no TypeError");
        let v = &run.verdict;
        assert_eq!(v.allowed, allowed, "{name}: {v:?}");
        assert_eq!(run.preflight().is_some(), preflighted, "{name}: {:?}", run.exchanges);
        assert_eq!(v.blocked.as_ref().map(|b| b.code), cors, "{name}");
        let first = &run.exchanges[0].engine;
        assert_eq!(first.reject.as_ref().map(|r| r.code), engine_code, "{name}: {first:?}");
        if let Some(b) = &v.blocked {
            assert!(b.message.starts_with("Access to fetch at 'https://api.test/"), "{name}: {}", b.message);
            assert!(b.message.contains(message), "{name}: {}", b.message);
            assert!(!b.hint.is_empty(), "{name}");
        } else {
            assert_eq!(v.status, 200, "{name}");
            assert_eq!(run.actual().map(|a| a.answered_by), Some(AnsweredBy::Upstream), "{name}");
            assert!(run.actual().is_some_and(|a| a.engine.rule == Some(0)), "{name}");
        }
        if preflighted && allowed {
            let p = run.preflight().expect("preflight");
            assert_eq!(p.answered_by, AnsweredBy::Engine, "{name}");
            assert_eq!(p.engine.kind, EngineKind::Preflight, "{name}");
            assert_eq!(p.response.status, 204, "{name}");
        }
    }
}

#[test]
fn credentialed_call_sends_credentials_and_reads_exposed_headers() {
    let policy = policy(app_rule().expose_headers(["x-total"]));
    let mut pair = Pair::new(&policy).upstream(|_| {
        let mut h = HeaderMap::new();
        h.insert("x-total", HeaderValue::from_static("7"));
        h.insert("x-secret", HeaderValue::from_static("s"));
        h.insert("content-type", HeaderValue::from_static("application/json"));
        ResponseHead { status: 200, headers: h }
    });
    let run = pair.fetch(call(APP, "GET", "/me").credentials(CredentialsMode::Include)).expect("constructs");
    assert!(run.verdict.allowed);
    let actual = run.actual().expect("sent");
    assert!(actual.request.credentials);
    assert_eq!(actual.response.headers["access-control-allow-credentials"], "true");
    let names: Vec<&str> = run.verdict.readable_headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["content-type", "x-total"]);
}

#[test]
fn strict_mode_answers_the_actual_request_itself() {
    let mut cfg = PolicyConfig::new(app_rule());
    cfg.strict = true;
    let policy = Policy::new(cfg).expect("valid").policy;
    let mut reached = 0;
    let mut pair = Pair::new(&policy).upstream(|r| {
        reached += 1;
        plain_upstream(r)
    });
    let run = pair.fetch(call("https://evil.test", "POST", "/login")).expect("constructs");
    drop(pair);
    assert_eq!(reached, 0, "strict mode: the upstream never sees it");
    let actual = run.actual().expect("sent");
    assert_eq!((actual.answered_by, actual.response.status), (AnsweredBy::Engine, 403));
    assert_eq!(run.verdict.blocked.as_ref().map(|b| b.code), Some("MissingAllowOriginHeader"));
}

#[test]
fn the_injected_clock_expires_cached_preflights() {
    let policy = policy(app_rule().max_age(10));
    let mut pair = Pair::new(&policy);
    let delete = || call(APP, "DELETE", "/notes/1");
    assert_eq!(pair.fetch(delete()).expect("ok").verdict.preflights_sent, 1);
    pair.clock_mut().advance(Duration::from_secs(5));
    assert_eq!(pair.fetch(delete()).expect("ok").verdict.preflights_sent, 0, "cached");
    pair.clock_mut().advance(Duration::from_secs(6));
    assert_eq!(pair.fetch(delete()).expect("ok").verdict.preflights_sent, 1, "expired");
    let mut t = 0u64;
    let policy2 = policy.clone();
    let mut closure_clock = Pair::with_clock(&policy2, Profile::Chromium, move || {
        t += 20;
        Duration::from_secs(t)
    });
    assert!(closure_clock.fetch(delete()).expect("ok").verdict.allowed);
}

#[test]
fn forwarded_preflights_and_upstream_conflicts() {
    let policy = policy(app_rule());
    let mut pair = Pair::new(&policy).forward_preflights(true);
    let run = pair.fetch(call(APP, "DELETE", "/notes/1")).expect("constructs");
    let p = run.preflight().expect("sent");
    assert_eq!(p.answered_by, AnsweredBy::Upstream);
    assert_eq!(run.verdict.blocked.as_ref().map(|b| b.code), Some("PreflightMissingAllowOriginHeader"));

    let mut cfg = PolicyConfig::new(app_rule());
    cfg.upstream_cors_headers = crossgate_core::UpstreamCorsHeaders::Reject;
    let policy = Policy::new(cfg).expect("valid").policy;
    let mut pair = Pair::new(&policy).upstream(|_| {
        let mut h = HeaderMap::new();
        h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        ResponseHead { status: 200, headers: h }
    });
    let run = pair.fetch(call(APP, "GET", "/notes")).expect("constructs");
    assert!(run.verdict.allowed, "the 502 carries the policy's headers: {:?}", run.verdict);
    assert_eq!(run.verdict.status, 502);
}

#[test]
fn type_errors_are_returned() {
    let policy = policy(app_rule());
    let mut pair = Pair::new(&policy);
    let err = pair.fetch(call(APP, "CONNECT", "/")).expect_err("forbidden method");
    assert_eq!(err.name, "TypeError");
}
