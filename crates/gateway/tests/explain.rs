//! `/-/explain`'s answers, produced by the browser emulator against the
//! route's policy in memory: the verdict, Chromium's `CorsError` and exact
//! console message, and the engine's rule or rejection reason, for each
//! kind of call. No sockets.

mod common;

use crossgate_gateway::{explain, Call};
use serde_json::Value;

const CONFIG: &str = r#"
listen = "127.0.0.1:8080"
[[route]]
path = "/api"
upstream = "http://127.0.0.1:1"
[[route.rule]]
origins = ["http://localhost:3000"]
methods = ["GET", "POST", "DELETE", "PATCH"]
request_headers = ["content-type"]
credentials = true
[[route]]
path = "/open"
upstream = "http://127.0.0.1:1"
[[route.rule]]
origins = ["http://localhost:3000"]
request_headers = ["*"]
[[route]]
path = "/open-auth"
upstream = "http://127.0.0.1:1"
[[route.rule]]
origins = ["http://localhost:3000"]
request_headers = ["*", "authorization"]
[[route]]
path = "/strict"
upstream = "http://127.0.0.1:1"
strict = true
[[route.rule]]
origins = ["http://localhost:3000"]
[[route]]
path = "/nocred"
upstream = "http://127.0.0.1:1"
[[route.rule]]
origins = ["http://localhost:3000"]
"#;

const APP: &str = "http%3A%2F%2Flocalhost%3A3000";
const OTHER: &str = "http%3A%2F%2F127.0.0.1%3A3000";

fn run(query: &str) -> Value {
    let dir = common::tempdir("explain");
    let rt = crossgate_gateway::load_str(CONFIG, &dir).expect("valid config");
    explain(&rt, "localhost:8000", &Call::from_query(query))
}

/// Chromium's console line for a call to `path` on the API from `origin`.
fn console(path: &str, origin: &str, detail: &str) -> String {
    format!("Access to fetch at 'http://localhost:8000{path}' from origin '{origin}' has been blocked by CORS policy: {detail}")
}

const NO_ACAO: &str = "No 'Access-Control-Allow-Origin' header is present on the requested resource.";
const PREFLIGHT_NO_ACAO: &str =
    "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.";

#[test]
#[allow(clippy::type_complexity)]
fn verdicts_messages_and_engine_reasons() {
    // (query, verdict, Chromium's CorsError, console message, preflight's
    // engine code ("" when allowed, None when no preflight), actual's
    // engine code, explanation fragment)
    let cred_detail = "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.";
    let cases: Vec<(String, &str, Option<&str>, Option<String>, Option<&str>, Option<&str>, &str)> = vec![
        (
            format!("origin={APP}&method=GET&path=/api/notes"),
            "allowed",
            None,
            None,
            None,
            Some(""),
            "A simple request: no preflight. Allowed by rule 1",
        ),
        (
            format!("origin={APP}&method=POST&path=/api/notes&headers=content-type"),
            "allowed",
            None,
            None,
            Some(""),
            Some(""),
            "preflight (the request sets content-type); crossgate allowed it by rule 1 and answered 204",
        ),
        (
            format!("origin={APP}&method=DELETE&path=/api/notes/1"),
            "allowed",
            None,
            None,
            Some(""),
            Some(""),
            "DELETE is not a CORS-safelisted method",
        ),
        (
            format!("origin={APP}&method=GET&path=/api/me&credentials=1"),
            "allowed",
            None,
            None,
            None,
            Some(""),
            "Access-Control-Allow-Credentials: true, so the cookie is sent",
        ),
        (
            format!("origin={APP}&method=GET&path=/nocred/me&credentials=1"),
            "blocked",
            Some("InvalidAllowCredentials"),
            Some(console("/nocred/me", "http://localhost:3000", cred_detail)),
            None,
            Some(""),
            "set `credentials = true` on the rule",
        ),
        (
            format!("origin={OTHER}&method=GET&path=/api/notes"),
            "blocked",
            Some("MissingAllowOriginHeader"),
            Some(console("/api/notes", "http://127.0.0.1:3000", NO_ACAO)),
            None,
            Some("origin-not-allowed"),
            "the API runs and answers, but without Access-Control-Allow-Origin",
        ),
        (
            format!("origin={OTHER}&method=DELETE&path=/api/notes/1"),
            "blocked",
            Some("PreflightMissingAllowOriginHeader"),
            Some(console("/api/notes/1", "http://127.0.0.1:3000", PREFLIGHT_NO_ACAO)),
            Some("origin-not-allowed"),
            None,
            "never sends the DELETE",
        ),
        (
            format!("origin={OTHER}&method=POST&path=/strict/login"),
            "blocked",
            Some("MissingAllowOriginHeader"),
            Some(console("/strict/login", "http://127.0.0.1:3000", NO_ACAO)),
            None,
            Some("origin-not-allowed"),
            "strict mode, so it answers 403 before the API runs",
        ),
        (
            format!("origin={APP}&method=PATCH&path=/api/notes/1"),
            "allowed",
            None,
            None,
            Some(""),
            Some(""),
            "Allowed by rule 1",
        ),
        (
            format!("origin={APP}&method=patch&path=/api/notes/1"),
            "blocked",
            Some("PreflightMissingAllowOriginHeader"),
            Some(console("/api/notes/1", "http://localhost:3000", PREFLIGHT_NO_ACAO)),
            Some("method-not-allowed"),
            None,
            "method `patch` not allowed",
        ),
        (
            format!("origin={APP}&method=GET&path=/open/x&headers=authorization"),
            "blocked",
            Some("PreflightMissingAllowOriginHeader"),
            Some(console("/open/x", "http://localhost:3000", PREFLIGHT_NO_ACAO)),
            Some("header-not-allowed"),
            None,
            "header `authorization` not allowed",
        ),
        (
            format!("origin={APP}&method=GET&path=/open-auth/x&headers=authorization,x-trace"),
            "allowed",
            None,
            None,
            Some(""),
            Some(""),
            "the request sets authorization, x-trace",
        ),
    ];
    for (query, verdict, cors_error, message, pre_code, actual_code, fragment) in cases {
        let v = run(&query);
        assert_eq!(v["verdict"], verdict, "{query}: {v:#}");
        assert_eq!(v["browser"]["allowed"], verdict == "allowed", "{query}");
        assert_eq!(v["browser"]["cors_error"].as_str(), cors_error, "{query}: {v:#}");
        assert_eq!(v["console"].as_str(), message.as_deref(), "{query}");
        assert_eq!(v["browser"]["message"].as_str(), message.as_deref(), "{query}");
        let code = |part: &str| match v.get(part) {
            None | Some(Value::Null) => None,
            Some(x) => Some(x["code"].as_str().unwrap_or("")),
        };
        assert_eq!(code("preflight"), pre_code, "{query}: {v:#}");
        assert_eq!(code("actual"), actual_code, "{query}: {v:#}");
        let text = v["explanation"].as_str().unwrap_or_default();
        assert!(text.contains(fragment), "{query}: `{fragment}` not in: {text}");
        if let Some(m) = &message {
            assert!(text.contains(m.as_str()), "{query}: the explanation quotes Chromium: {text}");
        }
        if verdict == "allowed" {
            assert_eq!(v["browser"]["status"], 200, "{query}");
            assert!(v["actual"]["rule_index"].is_u64(), "{query}");
        } else {
            assert!(v["browser"]["hint"].as_str().is_some_and(|h| !h.is_empty()), "{query}");
        }
    }
}

#[test]
fn preflight_and_exchanges_show_what_was_sent_and_answered() {
    let v = run(&format!("origin={APP}&method=POST&path=/api/notes&headers=content-type&credentials=1"));
    assert_eq!(v["verdict"], "allowed", "{v:#}");
    let pre = &v["preflight"];
    assert_eq!(pre["method"], "OPTIONS");
    assert_eq!(pre["url"], "http://localhost:8000/api/notes");
    assert_eq!(pre["request_headers"]["access-control-request-method"], "POST");
    assert_eq!(pre["request_headers"]["access-control-request-headers"], "content-type");
    assert_eq!(pre["credentials"], false, "preflights never carry cookies");
    assert_eq!((pre["status"].as_u64(), pre["answered_by"].as_str()), (Some(204), Some("engine")));
    assert_eq!(pre["headers"]["access-control-allow-origin"], "http://localhost:3000");
    assert_eq!(pre["headers"]["access-control-allow-credentials"], "true");
    let actual = &v["actual"];
    assert_eq!((actual["method"].as_str(), actual["credentials"].as_bool()), (Some("POST"), Some(true)));
    assert_eq!(actual["request_headers"]["content-type"], "application/json");
    assert_eq!(actual["answered_by"], "upstream");
    assert_eq!(actual["rule_index"], 0);
    assert_eq!(v["exchanges"].as_array().map(Vec::len), Some(2));
    assert!(v["upstream"].as_str().is_some_and(|u| u.starts_with("stand-in: 200")), "{v:#}");
    assert_eq!(v["browser"]["readable_headers"]["content-type"], "application/json");
    assert_eq!(v["browser"]["preflights_sent"], 1);
    assert!(v["browser"]["steps"].as_array().is_some_and(|s| s.iter().all(|s| s["passed"] == true)));
}

#[test]
fn unusual_input_is_explained_not_panicked_on() {
    for q in [
        "origin=&method=GET&path=/api",
        "origin=nonsense&method=GET&path=/api",
        &format!("origin={APP}&method=CONNECT&path=/api"),
        &format!("origin={APP}&method=G%20T&path=/api"),
        &format!("origin={APP}&method=GET&path=/api&headers=%00bad"),
        &format!("origin={APP}&method=GET&path=/nowhere"),
        &format!("origin={APP}&method=GET&path=api%2F..%2F..%2Fx"),
        &format!("origin={APP}&method=GET&path=/api&headers=x-a:%E2%9C%93,content-type:text/plain"),
    ] {
        let v = run(q);
        assert_eq!(v["verdict"], "blocked", "{q}: {v:#}");
        assert!(v["explanation"].as_str().is_some_and(|e| !e.is_empty()), "{q}");
    }
    // A page's TypeError is reported as the browser throws it.
    let v = run(&format!("origin={APP}&method=CONNECT&path=/api/x"));
    assert_eq!(v["browser"]["code"], "TypeError", "{v:#}");
    assert!(v["explanation"].as_str().unwrap_or_default().contains("'CONNECT' HTTP method is unsupported"), "{v:#}");
    // Same origin: no CORS at all.
    let v = run("origin=http%3A%2F%2Flocalhost%3A8000&method=DELETE&path=/api/notes/1");
    assert_eq!(v["verdict"], "allowed", "{v:#}");
    assert!(v.get("preflight").is_none(), "{v:#}");
}

#[test]
fn forwarded_preflights_and_report_only_routes_are_explained_as_the_gateway_runs_them() {
    let dir = common::tempdir("explain-modes");
    let forwarding = crossgate_gateway::load_str(
        "[[route]]\npath = \"/\"\nupstream = \"http://127.0.0.1:1\"\nforward_preflights = true\nrule = [{ origins = [\"http://localhost:3000\"], methods = [\"DELETE\"] }]\n",
        &dir,
    )
    .expect("valid config");
    let v = explain(&forwarding, "localhost:8000", &Call::from_query(&format!("origin={APP}&method=DELETE&path=/x")));
    assert_eq!(v["verdict"], "blocked", "{v:#}");
    assert_eq!(
        (v["preflight"]["answered_by"].as_str(), v["preflight"]["allowed"].as_bool()),
        (Some("upstream"), Some(true)),
        "{v:#}"
    );
    assert_eq!(v["browser"]["cors_error"], "PreflightMissingAllowOriginHeader");
    assert!(v["explanation"].as_str().unwrap_or_default().contains("the route forwards preflights"), "{v:#}");

    let report_only = crossgate_gateway::load_str(
        "mode = \"report-only\"\n[[route]]\npath = \"/\"\nupstream = \"http://127.0.0.1:1\"\nrule = [{ origins = [\"http://localhost:3000\"] }]\n",
        &dir,
    )
    .expect("valid config");
    let v = explain(&report_only, "localhost:8000", &Call::from_query(&format!("origin={APP}&method=GET&path=/x")));
    assert_eq!(v["verdict"], "blocked", "report-only adds no headers: {v:#}");
    assert_eq!(v["actual"]["allowed"], true, "the engine would allow it: {v:#}");
    assert_eq!(v["browser"]["cors_error"], "MissingAllowOriginHeader");
    assert!(v["explanation"].as_str().unwrap_or_default().contains("report-only"), "{v:#}");
}

#[test]
fn calls_are_routed_by_the_normal_path_as_the_gateway_routes_them() {
    for path in ["/nocred/../strict/x", "/nocred/%2e%2e/strict/x", "//strict/x"] {
        let v = run(&format!("origin={OTHER}&method=POST&path={}", path.replace('%', "%25")));
        assert_eq!(v["route"], "/strict", "{path}: {v:#}");
    }
    let v = run(&format!("origin={APP}&method=GET&path=/open/..%252fapi"));
    assert_eq!(v["verdict"], "blocked", "{v:#}");
    assert!(v["explanation"].as_str().is_some_and(|e| e.contains("400")), "{v:#}");
    assert!(v.get("route").is_none(), "{v:#}");
}
