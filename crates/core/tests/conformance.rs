//! The engine's conformance table: `conformance.toml` holds groups of
//! request → expected-response cases, each group under one policy.
//!
//! A case gives the request line, its headers, optionally the inner
//! service's response headers, and what must come out: the request kind, the
//! outcome (`allowed:<rule>`, `rejected:<code>` or `not-cors`), whether the
//! engine answers locally (`local = <status>`) and the exact multiset of
//! `Access-Control-*` and `Vary` header lines on the final response.

use std::collections::BTreeMap;

// The bad-input table's loader, for its `\xNN` unescaping.
#[path = "support/bad_inputs.rs"]
mod table;
use table::unescape;

use crossgate_core::{Action, Outcome, Policy, RequestKind};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde::Deserialize;

#[derive(Deserialize)]
struct Table {
    group: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    name: String,
    policy: String,
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    request: String,
    #[serde(default)]
    headers: Vec<String>,
    #[serde(default)]
    upstream: Vec<String>,
    kind: String,
    outcome: String,
    local: Option<u16>,
    #[serde(default)]
    body: Option<String>,
    response: Vec<String>,
}

fn header_map(lines: &[String]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').unwrap_or_else(|| panic!("bad header line {line:?}"));
        let value = value.strip_prefix(' ').unwrap_or(value);
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_bytes(&unescape(value)).unwrap_or_else(|_| panic!("bad value {value:?}")),
        );
    }
    map
}

fn cors_lines(map: &HeaderMap) -> Vec<String> {
    let mut lines: Vec<String> = map
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("access-control-") || *n == "vary")
        .map(|(n, v)| format!("{}: {}", n, String::from_utf8_lossy(v.as_bytes())))
        .collect();
    lines.sort();
    lines
}

fn kind_name(k: RequestKind) -> &'static str {
    match k {
        RequestKind::NotCors => "not-cors",
        RequestKind::Preflight => "preflight",
        RequestKind::Actual => "actual",
    }
}

fn outcome_name(o: Outcome<'_>) -> String {
    match o {
        Outcome::NotApplicable => "not-cors".into(),
        Outcome::Allowed { rule } => format!("allowed:{rule}"),
        Outcome::Rejected(r) => format!("rejected:{}", r.code()),
    }
}

#[test]
fn conformance_table() {
    let table: Table =
        toml::from_str(include_str!("conformance.toml")).unwrap_or_else(|e| panic!("conformance.toml: {e}"));
    let mut failures = Vec::new();
    let mut count = 0;
    let mut by_group = BTreeMap::new();
    for group in &table.group {
        let policy = Policy::from_toml(&group.policy)
            .unwrap_or_else(|e| panic!("group {:?}: policy does not build: {e}", group.name))
            .policy;
        for case in &group.case {
            count += 1;
            *by_group.entry(group.name.as_str()).or_insert(0) += 1;
            let (method, path) = case.request.split_once(' ').expect("request is `METHOD /path`");
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let headers = header_map(&case.headers);
            let decision = policy.evaluate(&method, path, &headers);

            let mut problems = Vec::new();
            if kind_name(decision.kind()) != case.kind {
                problems.push(format!("kind {} != {}", kind_name(decision.kind()), case.kind));
            }
            let outcome = outcome_name(decision.outcome());
            if outcome != case.outcome {
                problems.push(format!("outcome {outcome} != {}", case.outcome));
            }
            let (status, body, final_headers) = match decision.into_action() {
                Action::Answer(answer) => {
                    let mut map = HeaderMap::new();
                    answer.headers.write_to(&mut map);
                    (Some(answer.status.as_u16()), answer.debug_body, map)
                }
                Action::Refuse(vary) => {
                    let mut map = HeaderMap::new();
                    vary.merge_into(&mut map);
                    (Some(403), None, map)
                }
                Action::Forward(pending) => {
                    let mut map = header_map(&case.upstream);
                    if let Err(e) = pending.finish(&mut map) {
                        map = HeaderMap::new();
                        map.insert("x-upstream-conflict", HeaderValue::from_static("502"));
                        let _ = e;
                    }
                    (None, None, map)
                }
            };
            if status.is_some() && case.body.as_deref() != body.as_deref() {
                problems.push(format!("body {body:?} != {:?}", case.body));
            }
            if status != case.local {
                problems.push(format!("local answer {status:?} != {:?}", case.local));
            }
            let mut expected = case.response.clone();
            expected.sort();
            let got = cors_lines(&final_headers);
            if got != expected
                && !(case.response == ["x-upstream-conflict: 502"] && final_headers.contains_key("x-upstream-conflict"))
            {
                problems.push(format!("headers\n      got      {got:?}\n      expected {expected:?}"));
            }
            if !problems.is_empty() {
                failures.push(format!("[{}] {}:\n    {}", group.name, case.name, problems.join("\n    ")));
            }
        }
    }
    assert!(count >= 150, "the table must keep at least 150 cases (has {count})");
    assert!(failures.is_empty(), "{} of {count} cases failed:\n{}", failures.len(), failures.join("\n"));
    eprintln!("conformance: {count} cases passed in {} groups", by_group.len());
}
