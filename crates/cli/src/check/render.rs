//! How `crossgate check` shows what happened: a timeline for people, one
//! JSON object for programs.

use crossgate_browser::verdict::{Stage, Step};
use crossgate_browser::{RequestKind, Verdict};
use serde_json::{json, Map, Value};

use super::report::{Exchange, Report};
use crate::output::{emit, Output, Style};

/// Response headers worth showing: the CORS ones, `Location`, `Vary`.
fn relevant(name: &str) -> bool {
    name.starts_with("access-control-") || matches!(name, "location" | "vary")
}

fn response_headers(e: &Exchange) -> Vec<(String, String)> {
    let Ok(r) = &e.response else { return Vec::new() };
    r.headers
        .iter()
        .filter(|(n, _)| relevant(n.as_str()))
        .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect()
}

/// Warnings about side effects, same-origin targets and dropped headers.
pub(crate) fn warnings(report: &Report) -> Vec<String> {
    let v = &report.verdict;
    let mut w = Vec::new();
    if v.same_origin {
        w.push(format!(
            "{} is same-origin with {}: CORS does not apply (no preflight, every header readable)",
            report.url, report.origin
        ));
    }
    if !v.allowed && v.actual_reached_server {
        let refused = report.exchanges.last().is_some_and(|e| {
            e.response.as_ref().is_ok_and(|r| r.status == 403 && !r.headers.contains_key("access-control-allow-origin"))
        });
        if v.preflights_sent == 0 && refused {
            w.push(format!(
                "this was a simple request (no preflight), and the server answered 403 without CORS headers: if a strict \
                 CORS layer refused it (crossgate's `strict = true`), the {} never ran; otherwise its side effects happened",
                report.method
            ));
        } else if v.preflights_sent == 0 {
            w.push(format!(
                "this was a simple request (no preflight): the server received and processed the {} before the browser \
                 blocked the response — its side effects happened, only the page cannot see the result",
                report.method
            ));
        } else {
            w.push(format!(
                "the {} passed its preflight and reached the server, which processed it; only the response was blocked",
                report.method
            ));
        }
    }
    for h in &report.dropped_headers {
        w.push(format!("the browser would not send `{h}`: a page cannot set it (it is dropped silently)"));
    }
    w
}

pub(crate) fn text(report: &Report, out: &Output) {
    let v = &report.verdict;
    emit(&out.paint(
        Style::Bold,
        &format!(
            "{} {} as {} from {} ({:?} rules)",
            report.method,
            report.url,
            kind(report),
            report.origin,
            report.profile
        ),
    ));
    print_steps(&report.before, out);
    for e in &report.exchanges {
        emit("");
        let label = match e.request.kind {
            RequestKind::Preflight => "preflight",
            RequestKind::Actual => "request",
        };
        emit(&format!("→ {} {} {}", out.paint(Style::Bold, label), e.request.method, e.request.url));
        for (n, val) in &e.request.headers {
            emit(&out.paint(Style::Dim, &format!("    {n}: {val}")));
        }
        match &e.response {
            Ok(r) => {
                emit(&format!("← {} ({} ms)", r.status, e.elapsed.as_millis()));
                let shown = response_headers(e);
                if shown.is_empty() {
                    emit(&out.paint(Style::Dim, "    (no Access-Control-* headers)"));
                }
                for (n, val) in shown {
                    emit(&out.paint(Style::Dim, &format!("    {n}: {val}")));
                }
            }
            Err(err) => emit(&out.paint(Style::Error, &format!("← no response: {err}"))),
        }
        print_steps(&e.steps, out);
    }
    emit("");
    if v.allowed {
        emit(&format!(
            "{} response type {}, status {}",
            out.paint(Style::Ok, "ALLOWED"),
            v.response_type.as_str(),
            v.status
        ));
        let names: Vec<&str> = v.readable_headers.iter().map(|(n, _)| n.as_str()).collect();
        if names.is_empty() {
            emit("  the page can read no response headers");
        } else {
            emit(&format!("  the page can read: {}", names.join(", ")));
        }
    } else if let Some(b) = &v.blocked {
        emit(&format!("{} {} (at {})", out.paint(Style::Error, "BLOCKED"), b.code, b.stage.as_str()));
        for line in b.message.trim_end().lines().filter(|l| !l.is_empty()) {
            emit(&format!("  {:?} console: {line}", report.profile));
        }
        if let Some(url) = b.docs_url() {
            emit(&format!("  learn more: {url}"));
        }
        if !b.hint.is_empty() {
            emit(&format!("  fix: {}", b.hint));
        }
    }
    for w in warnings(report) {
        emit(&format!("{} {w}", out.paint(Style::Warning, "warning:")));
    }
}

fn print_steps(steps: &[Step], out: &Output) {
    for s in steps {
        let mark = if s.passed { out.paint(Style::Ok, "✓") } else { out.paint(Style::Error, "✗") };
        emit(&format!("  {mark} {}", s.what));
    }
}

fn kind(report: &Report) -> &'static str {
    use crossgate_browser::request::Initiator::*;
    match report.initiator {
        Fetch => "fetch()",
        Xhr => "XMLHttpRequest",
        Image => "<img>",
        Script => "<script>",
        ModuleScript => "<script type=module>",
        Font => "@font-face",
        Stylesheet => "<link rel=stylesheet>",
        Video => "<video>",
    }
}

fn headers_object(pairs: &[(String, String)]) -> Value {
    let mut m = Map::new();
    for (n, v) in pairs {
        m.insert(n.clone(), Value::String(v.clone()));
    }
    Value::Object(m)
}

fn exchange_json(e: &Exchange) -> Value {
    let (status, headers, error) = match &e.response {
        Ok(r) => {
            let all: Vec<(String, String)> = r
                .headers
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            (json!(r.status), headers_object(&all), Value::Null)
        }
        Err(err) => (Value::Null, Value::Null, json!(err)),
    };
    json!({
        "kind": match e.request.kind { RequestKind::Preflight => "preflight", RequestKind::Actual => "actual" },
        "request": { "method": e.request.method, "url": e.request.url.as_str(), "headers": headers_object(&e.request.headers), "credentials": e.request.credentials },
        "response": if error.is_null() { json!({ "status": status, "headers": headers }) } else { Value::Null },
        "network_error": error,
        "checks": e.steps.iter().map(step_json).collect::<Vec<_>>(),
    })
}

fn step_json(s: &Step) -> Value {
    json!({ "stage": s.stage.as_str(), "check": s.what, "passed": s.passed })
}

pub(crate) fn json(report: &Report) -> Value {
    let v: &Verdict = &report.verdict;
    let preflight = report.exchanges.iter().rev().find(|e| e.request.kind == RequestKind::Preflight).map(exchange_json);
    let error = v.blocked.as_ref().map(|b| {
        json!({
            "stage": match b.stage { Stage::Request => "actual", s => s.as_str() },
            "code": b.code,
            "message": b.message,
            "hint": b.hint,
            "cors_error": b.cors_error.map(|e| e.name()),
            "docs_url": b.docs_url(),
        })
    });
    json!({
        "verdict": if v.allowed { "allowed" } else { "blocked" },
        "url": report.url,
        "origin": report.origin,
        "method": report.method,
        "browser": format!("{:?}", report.profile).to_ascii_lowercase(),
        "same_origin": v.same_origin,
        "preflight": preflight,
        "requests": report.exchanges.iter().map(exchange_json).collect::<Vec<_>>(),
        "error": error,
        "response_type": v.response_type.as_str(),
        "status": v.status,
        "exposed_headers": v.readable_headers.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        "readable_headers": headers_object(&v.readable_headers),
        "warnings": warnings(report),
        "steps": report.before.iter().chain(report.exchanges.iter().flat_map(|e| e.steps.iter())).map(step_json).collect::<Vec<_>>(),
    })
}
