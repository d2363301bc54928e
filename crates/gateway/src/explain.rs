//! crossgate's explanation of a browser call: the browser emulator runs the
//! call against the route's policy in memory ([`crossgate_browser::pair`]),
//! so the explanation says what Chromium sends, what the gateway answers to
//! each request and why (the engine's rule or rejection reason), whether
//! Chromium lets the page read the answer, the console message it prints
//! when it does not, and what to change to allow a blocked call.
//!
//! The demo page asks for this next to every call it makes, so what the
//! browser did and why are shown side by side; the admin listener's
//! `/-/explain` gives operators the same answer for any request.

use std::time::Duration;

use crossgate_browser::pair::{request_header_map, AnsweredBy, Exchange, Pair, PairRun};
use crossgate_browser::verdict::Stage;
use crossgate_browser::{run_to_completion, Browser, OutgoingRequest, Profile, RequestKind, ResponseHead, Verdict};
use crossgate_core::{Mode, RequestKind as EngineKind};
use http::header::{HeaderMap, HeaderValue};
use http::Method;
use serde_json::{json, Map, Value};

use crate::call::{request_init, Call};
use crate::labels::Outcome;
use crate::runtime::{Route, RouteCors, Runtime};
use crate::s3::{S3Cors, S3Decision};

/// What the explanation assumes the API answers, for the JSON.
fn stand_in_json(status: u16) -> Value {
    Value::String(format!("stand-in: {status}, application/json, no CORS headers"))
}

/// The stand-in API behind the gateway: a JSON answer with no CORS headers,
/// like the demo's API (and most services behind a CORS gateway).
fn stand_in(status: u16) -> ResponseHead {
    let mut headers = HeaderMap::new();
    headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    ResponseHead { status, headers }
}

fn pairs_json(pairs: &[(String, String)]) -> Value {
    Value::Object(pairs.iter().map(|(k, v)| (k.to_ascii_lowercase(), Value::String(v.clone()))).collect())
}

fn request_header<'a>(r: &'a OutgoingRequest, name: &str) -> Option<&'a str> {
    r.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// One exchange as JSON: the engine's decision and the answer the browser got.
fn exchange_json(e: &Exchange) -> Value {
    json!({
        "method": e.request.method,
        "url": e.request.url.as_str(),
        "request_headers": pairs_json(&e.request.headers),
        "credentials": e.request.credentials,
        "allowed": e.engine.is_allowed(),
        "kind": match e.engine.kind {
            EngineKind::NotCors => "not-cors",
            EngineKind::Preflight => "preflight",
            EngineKind::Actual => "actual",
        },
        "rule_index": e.engine.rule,
        "reason": e.engine.reject.as_ref().map(|r| r.text.clone()),
        "code": e.engine.reject.as_ref().map(|r| r.code),
        "hint": e.engine.reject.as_ref().map(|r| r.hint),
        "answered_by": e.answered_by.as_str(),
        "status": e.response.status,
        "headers": map_json(&e.response.headers),
    })
}

/// The browser's verdict as JSON.
fn verdict_json(v: &Verdict) -> Value {
    let b = v.blocked.as_ref();
    json!({
        "allowed": v.allowed,
        "status": v.status,
        "response_type": v.response_type.as_str(),
        "readable_headers": pairs_json(&v.readable_headers),
        "cors_error": b.and_then(|b| b.cors_error).map(|e| e.name()),
        "code": b.map(|b| b.code),
        "stage": b.map(|b| b.stage.as_str()),
        "message": b.map(|b| b.message.clone()).filter(|m| !m.is_empty()),
        "hint": b.map(|b| b.hint.clone()).filter(|h| !h.is_empty()),
        "preflights_sent": v.preflights_sent,
        "requests_sent": v.requests_sent,
        "actual_reached_server": v.actual_reached_server,
        "steps": v.steps.iter().map(|s| json!({"stage": s.stage.as_str(), "check": s.what, "passed": s.passed})).collect::<Vec<_>>(),
    })
}

/// Why the browser sent a preflight, from the preflight it sent.
fn why_preflight(pre: &OutgoingRequest) -> String {
    let method = request_header(pre, "access-control-request-method").unwrap_or("");
    let names = request_header(pre, "access-control-request-headers").filter(|n| !n.is_empty());
    let unsafe_method = !crossgate_core::fetch::is_cors_safelisted_method(method.as_bytes());
    match (unsafe_method, names) {
        (true, Some(n)) => {
            format!("{method} is not a CORS-safelisted method and the request sets {}", n.replace(',', ", "))
        }
        (true, None) => format!("{method} is not a CORS-safelisted method"),
        (false, Some(n)) => format!("the request sets {}", n.replace(',', ", ")),
        (false, None) => "the request asks for one".to_owned(),
    }
}

/// Chromium's words, quoted, or what Chromium does when it prints none: a
/// whole sentence.
fn chromium_says(v: &Verdict) -> String {
    match v.blocked.as_ref() {
        Some(b) if !b.message.is_empty() => {
            format!("Chromium blocks the call ({}) and logs: \"{}\"", b.code, b.message.trim_end())
        }
        Some(b) => format!("Chromium fails the call ({}).", b.code),
        None => String::new(),
    }
}

/// The explanation in words, from the browser's verdict and the engine's
/// decisions.
fn explanation(run: &PairRun, method: &str, report_only: bool) -> String {
    let v = &run.verdict;
    let rule_n = |e: &Exchange| e.engine.rule.map_or(0, |r| r + 1);
    let mut text = if v.same_origin {
        "The page and the API are on the same origin: no CORS applies, and the page reads the response as it is."
            .to_owned()
    } else if let (false, Some(b)) = (v.allowed, v.blocked.as_ref()) {
        let says = chromium_says(v);
        match (b.stage, run.preflight(), run.actual()) {
            (Stage::Preflight, Some(pre), _) => {
                let why = why_preflight(&pre.request);
                let status = pre.response.status;
                let (answer, fix) = match &pre.engine.reject {
                    Some(r) if pre.answered_by == AnsweredBy::Engine => {
                        (format!("crossgate answers it {status} without Access-Control-Allow-Origin ({}).", r.text), format!("To allow it, {}.", r.hint))
                    }
                    _ if pre.answered_by == AnsweredBy::Upstream => (
                        format!("crossgate does not answer it (the route forwards preflights, or runs report-only), and the API answers {status} without the CORS headers the browser needs."),
                        format!("What to change: {}.", b.hint),
                    ),
                    _ => (
                        format!("crossgate allows it (rule {}) and answers {status}, but the browser still refuses the answer.", rule_n(pre)),
                        format!("What to change: {}.", b.hint),
                    ),
                };
                format!(
                    "The browser first sends a preflight (OPTIONS) because {why}. {answer} {says} The browser therefore never sends the {method} itself, and the API never sees it. {fix}"
                )
            }
            (Stage::Actual, pre, Some(actual)) => {
                let first = match pre {
                    Some(p) => format!("The preflight was allowed by rule {}, then the request was sent. ", rule_n(p)),
                    None => "This is a simple request, sent without a preflight. ".to_owned(),
                };
                let rest = match &actual.engine.reject {
                    Some(r) => {
                        let stop = if actual.answered_by == AnsweredBy::Engine {
                            format!("crossgate runs in strict mode, so it answers {} before the API runs (without strict mode the API would run and only the browser would hide its answer)", actual.response.status)
                        } else {
                            "the API runs and answers, but without Access-Control-Allow-Origin, so the browser hides the response from the page".to_owned()
                        };
                        format!("The policy rejects it ({}): {stop}. {says} To allow it, {}.", r.text, r.hint)
                    }
                    None if actual.engine.is_allowed() => format!(
                        "The origin is allowed by rule {}, but the answer lacks what Chromium requires of this call. {says} What to change: {}.",
                        rule_n(actual),
                        b.hint
                    ),
                    None => format!("{says} What to change: {}.", b.hint),
                };
                first + &rest
            }
            _ => {
                let hint = if b.hint.is_empty() { String::new() } else { format!(" {}.", b.hint) };
                format!("{says}{hint}")
            }
        }
    } else {
        let pre = match run.preflight() {
            Some(p) => format!("The browser first sent a preflight ({}); crossgate allowed it by rule {} and answered {}. Then the request was sent. ", why_preflight(&p.request), rule_n(p), p.response.status),
            None => "A simple request: no preflight. ".to_owned(),
        };
        let (rule, acao, cred) = match run.actual() {
            Some(a) => (
                rule_n(a),
                a.response
                    .headers
                    .get("access-control-allow-origin")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned(),
                a.request.credentials && a.response.headers.contains_key("access-control-allow-credentials"),
            ),
            None => (0, String::new(), false),
        };
        let cred = if cred {
            " and Access-Control-Allow-Credentials: true, so the cookie is sent and the answer is readable"
        } else {
            ""
        };
        let readable: Vec<&str> = v.readable_headers.iter().map(|(n, _)| n.as_str()).collect();
        format!(
            "{pre}Allowed by rule {rule} of the policy: the response carries Access-Control-Allow-Origin: {acao}{cred}. Chromium lets the page read it (status {}, headers: {}).",
            v.status,
            if readable.is_empty() { "none".to_owned() } else { readable.join(", ") }
        )
    };
    if report_only {
        text.push_str(" The route runs report-only: crossgate logs its decisions but adds no CORS headers, so what the browser sees depends on the API's own headers (the stand-in API sends none).");
    }
    text
}

/// Explains `call` against a loaded config (a running gateway's is
/// [`Gateway::runtime`](crate::Gateway::runtime)); `api_host` is the `Host`
/// the browser sends to the API (the config's `listen` address when empty).
///
/// For a route with a crossgate policy, the explanation comes from the
/// browser emulator running against the route's policy in memory (a
/// [`Pair`]): the preflight and the request Chromium would send, the
/// engine's answer to each (a stand-in API answers what reaches it: the
/// call's `upstream_status` or 200, JSON, no CORS headers), and Chromium's
/// verdict and console message.
pub fn explain(rt: &Runtime, api_host: &str, call: &Call) -> Value {
    // Routed as the gateway routes it: by the normal path.
    let path = match crate::target::normalize(&call.path, &rt.paths) {
        Ok(p) => p,
        Err(problem) => {
            let text = crate::target::Refusal::Path(problem).text();
            return json!({"verdict": "blocked", "explanation": format!("The gateway refuses this path before any route: 400 ({text}).")});
        }
    };
    let Some((_, route)) = rt.route(&path) else {
        return json!({"verdict": "blocked", "explanation": format!("No gateway route serves {}; the gateway answers 404.", call.path)});
    };
    let listen = rt.settings.listen.to_string();
    let host = if api_host.is_empty() { listen.as_str() } else { api_host };
    let policy = match &route.cors {
        RouteCors::Policy(p) => p,
        RouteCors::S3(s3) => return explain_s3(s3, route, host, call),
    };
    let init = match request_init(call, host) {
        Ok(i) => i,
        Err(e) => return json!({"verdict": "blocked", "explanation": e}),
    };
    let status = call.upstream_status.unwrap_or(200);
    let mut pair = Pair::new(policy).upstream(move |_| stand_in(status)).forward_preflights(route.forward_preflights);
    let run = match pair.fetch(init) {
        Ok(r) => r,
        Err(e) => {
            return json!({
                "route": route.path,
                "verdict": "blocked",
                "explanation": format!("The browser throws before sending anything: {}.", e.to_string().trim_end_matches('.')),
                "console": e.console,
                "browser": {"allowed": false, "code": e.name, "cors_error": null, "stage": "request", "message": e.console, "hint": e.message},
            });
        }
    };
    let mut out = Map::new();
    out.insert("route".into(), Value::String(route.path.clone()));
    out.insert("verdict".into(), Value::String(if run.verdict.allowed { "allowed" } else { "blocked" }.into()));
    out.insert(
        "explanation".into(),
        Value::String(explanation(
            &run,
            &run.exchanges.first().map_or(call.method.clone(), |e| {
                request_header(&e.request, "access-control-request-method").unwrap_or(&e.request.method).to_owned()
            }),
            policy.mode() == Mode::ReportOnly,
        )),
    );
    let console = run.verdict.blocked.as_ref().map(|b| b.message.clone()).filter(|m| !m.is_empty());
    out.insert("console".into(), console.map_or(Value::Null, Value::String));
    out.insert("browser".into(), verdict_json(&run.verdict));
    if let Some(p) = run.preflight() {
        out.insert("preflight".into(), exchange_json(p));
    }
    if let Some(a) = run.actual() {
        out.insert("actual".into(), exchange_json(a));
    }
    out.insert("exchanges".into(), Value::Array(run.exchanges.iter().map(exchange_json).collect()));
    out.insert("upstream".into(), stand_in_json(status));
    Value::Object(out)
}

fn map_json(h: &HeaderMap) -> Value {
    Value::Object(
        h.iter().map(|(k, v)| (k.as_str().to_owned(), Value::String(v.to_str().unwrap_or("").to_owned()))).collect(),
    )
}

/// What the S3 CORS configuration did with one request.
struct S3Exchange {
    request: OutgoingRequest,
    outcome: Outcome,
    /// S3's error message, for a rejected preflight.
    message: Option<&'static str>,
    response: ResponseHead,
}

/// The same explanation for a route configured with S3 bucket CORS: the
/// emulator against the configuration's decisions, answered as the gateway
/// answers them (S3's 403 for a rejected preflight; the stand-in API with
/// S3's headers for actual requests).
fn explain_s3(s3: &S3Cors, route: &Route, host: &str, call: &Call) -> Value {
    let init = match request_init(call, host) {
        Ok(i) => i,
        Err(e) => return json!({"verdict": "blocked", "explanation": e}),
    };
    let mut browser = Browser::new(Profile::Chromium);
    let fetch = match browser.start(init) {
        Ok(f) => f,
        Err(e) => {
            return json!({"route": route.path, "verdict": "blocked", "explanation": format!("The browser throws before sending anything: {}.", e.to_string().trim_end_matches('.')), "console": e.console})
        }
    };
    let report_only = route.mode == Mode::ReportOnly;
    let status = call.upstream_status.unwrap_or(200);
    let mut exchanges: Vec<S3Exchange> = Vec::new();
    let verdict = run_to_completion(&mut browser, fetch, Duration::ZERO, |req| {
        let headers = request_header_map(req);
        let Ok(method) = Method::from_bytes(req.method.as_bytes()) else { return stand_in(status) };
        let is_preflight = req.kind == RequestKind::Preflight;
        let (outcome, message, response) = match s3.decide(&method, &headers) {
            S3Decision::NotCors => (Outcome::NotCors, None, stand_in(status)),
            _ if report_only || (is_preflight && route.forward_preflights) => {
                (Outcome::NotCors, None, stand_in(status))
            }
            S3Decision::PreflightAllowed(h) => (Outcome::Allowed, None, ResponseHead { status: 200, headers: h }),
            S3Decision::PreflightRejected(e) => (
                Outcome::Rejected,
                Some(e.message),
                ResponseHead { status: e.status.as_u16(), headers: HeaderMap::new() },
            ),
            S3Decision::Actual { headers: add, allowed } => {
                let mut r = stand_in(status);
                for (k, v) in &add {
                    r.headers.append(k, v.clone());
                }
                (if allowed { Outcome::Allowed } else { Outcome::Rejected }, None, r)
            }
        };
        exchanges.push(S3Exchange { request: req.clone(), outcome, message, response: response.clone() });
        response
    });
    let json_of = |e: &S3Exchange| {
        json!({
            "method": e.request.method,
            "url": e.request.url.as_str(),
            "request_headers": pairs_json(&e.request.headers),
            "allowed": e.outcome == Outcome::Allowed,
            "outcome": e.outcome.as_str(),
            "reason": e.message,
            "status": e.response.status,
            "headers": map_json(&e.response.headers),
        })
    };
    let pre = exchanges.iter().find(|e| e.request.kind == RequestKind::Preflight);
    let actual = exchanges.iter().rev().find(|e| e.request.kind == RequestKind::Actual);
    let says = chromium_says(&verdict);
    let text = match (&verdict.blocked, pre, actual) {
        (None, p, _) => format!(
            "{}The first matching CORSRule allows it: the response carries Access-Control-Allow-Origin, and Chromium lets the page read it (status {}).",
            if p.is_some() { "The preflight was allowed, then the request was sent. " } else { "A simple request: no preflight. " },
            verdict.status
        ),
        (Some(b), Some(p), _) if b.stage == Stage::Preflight => format!(
            "The browser first sends a preflight (OPTIONS) because {}. The S3 CORS configuration answers {}{}. {says} The browser therefore never sends the {} itself. To allow it, add a CORSRule whose AllowedOrigin, AllowedMethod and AllowedHeader cover it.",
            why_preflight(&p.request),
            p.response.status,
            p.message.map(|m| format!(" \"{m}\"")).unwrap_or_default(),
            call.method
        ),
        (Some(b), _, Some(a)) if a.outcome == Outcome::Allowed => format!(
            "A CORSRule matches, but Chromium refuses the answer (with AllowedOrigin `*`, S3 answers `Access-Control-Allow-Origin: *`, which browsers refuse for credentialed requests). {says} To allow it, list the origin explicitly in AllowedOrigin (what Chromium asks for: {}).",
            b.hint
        ),
        (Some(_), _, Some(_)) => format!(
            "No CORSRule matches this origin and method: S3 still serves the request, but without Access-Control-Allow-Origin, so the browser hides the response. {says} To allow it, add a CORSRule for the origin and method."
        ),
        (Some(b), _, _) => format!("{says} {}", b.hint),
    };
    let mut out = Map::new();
    out.insert("route".into(), Value::String(route.path.clone()));
    out.insert("verdict".into(), Value::String(if verdict.allowed { "allowed" } else { "blocked" }.into()));
    out.insert("explanation".into(), Value::String(text));
    let console = verdict.blocked.as_ref().map(|b| b.message.clone()).filter(|m| !m.is_empty());
    out.insert("console".into(), console.map_or(Value::Null, Value::String));
    out.insert("browser".into(), verdict_json(&verdict));
    out.insert("preflight".into(), pre.map_or(Value::Null, json_of));
    if let Some(a) = actual {
        out.insert("actual".into(), json_of(a));
    }
    out.insert("exchanges".into(), Value::Array(exchanges.iter().map(json_of).collect()));
    out.insert("upstream".into(), stand_in_json(status));
    Value::Object(out)
}
