//! The engine's conformance table (`crates/core/tests/conformance.toml`):
//! groups of request → expected-response cases, each group under one policy.
//!
//! A case gives the request line, its headers, optionally the inner
//! service's response headers, and what must come out: the request kind,
//! the outcome (`allowed:<rule>`, `rejected:<code>` or `not-cors`), whether
//! the request is answered without the inner service (`local = <status>`),
//! and the exact multiset of `Access-Control-*` and `Vary` lines on the
//! final response. The engine checks all of it; an adapter over a socket
//! checks what the wire shows (status, body, headers, whether the inner
//! service ran).
//!
//! Runners follow the `url` crate's WPT runner: an expected-failures list
//! names the cases known to fail, and an unexpected pass fails the run as
//! an unexpected failure does ([`Outcomes::verdict`]).

use std::collections::BTreeSet;
use std::process::ExitCode;

use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde::Deserialize;

use crate::bad_inputs::unescape;

/// The table, as written.
pub const TABLE: &str = include_str!("../../core/tests/conformance.toml");

/// The response lines of a case whose inner response carries CORS headers
/// under `upstream_cors_headers = "reject"`: the adapter answers 502.
const UPSTREAM_CONFLICT: &str = "x-upstream-conflict: 502";

#[derive(Deserialize)]
struct File {
    group: Vec<GroupFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupFile {
    name: String,
    policy: String,
    case: Vec<CaseFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
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

/// Cases under one policy.
#[derive(Clone, Debug)]
pub struct Group {
    /// The group's name.
    pub name: String,
    /// The policy, as a TOML policy file.
    pub policy: String,
    /// Its cases, in order.
    pub cases: Vec<Case>,
}

/// One request and what must come out.
#[derive(Clone, Debug)]
pub struct Case {
    /// `group / case`, unique in the table: what expected-failures lists name.
    pub id: String,
    /// The request method.
    pub method: Method,
    /// The request path.
    pub path: String,
    /// The request headers.
    pub headers: HeaderMap,
    /// The inner service's response headers.
    pub upstream: HeaderMap,
    /// `not-cors`, `preflight` or `actual`.
    pub kind: String,
    /// `allowed:<rule>`, `rejected:<code>` or `not-cors`.
    pub outcome: String,
    /// The status when answered without the inner service.
    pub local: Option<u16>,
    /// The body of such an answer (debug mode).
    pub body: Option<String>,
    /// The final response's `Access-Control-*` and `Vary` lines, sorted.
    pub response: Vec<String>,
}

impl Case {
    /// Whether the adapter must refuse the inner response (its own CORS
    /// headers, under `upstream_cors_headers = "reject"`) with a 502.
    pub fn expects_upstream_conflict(&self) -> bool {
        self.response == [UPSTREAM_CONFLICT]
    }

    /// What the wire shows against what the case expects: the status (the
    /// local answer's, or `upstream_status` when the inner service
    /// answered), the body of a local answer, the CORS lines, and whether
    /// the inner service ran. An empty list means the case passed.
    pub fn check_wire(
        &self,
        status: u16,
        body: &str,
        headers: &HeaderMap,
        inner_ran: bool,
        upstream_status: u16,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        if self.expects_upstream_conflict() {
            if status != 502 {
                problems.push(format!("status {status}, expected 502 for an inner response with CORS headers"));
            }
            return problems;
        }
        match self.local {
            Some(expected) => {
                if inner_ran {
                    problems.push("the inner service ran for a request answered locally".into());
                }
                if status != expected {
                    problems.push(format!("status {status} != {expected}"));
                }
                let expected_body = self.body.as_deref().unwrap_or("");
                if body.trim_end() != expected_body.trim_end() {
                    problems.push(format!("body {body:?} != {expected_body:?}"));
                }
            }
            None => {
                if !inner_ran {
                    problems.push("the inner service did not run".into());
                }
                if status != upstream_status {
                    problems.push(format!("status {status} != the inner service's {upstream_status}"));
                }
            }
        }
        let got = cors_lines(headers);
        if got != self.response {
            problems.push(format!("headers\n      got      {got:?}\n      expected {:?}", self.response));
        }
        problems
    }
}

/// The table, parsed.
///
/// # Panics
///
/// When the table is malformed: a test data error.
pub fn load() -> Vec<Group> {
    let file: File = toml::from_str(TABLE).unwrap_or_else(|e| panic!("conformance.toml: {e}"));
    let mut ids = BTreeSet::new();
    file.group
        .into_iter()
        .map(|g| {
            let cases = g
                .case
                .into_iter()
                .map(|c| {
                    let (method, path) = c.request.split_once(' ').expect("request is `METHOD /path`");
                    let id = format!("{} / {}", g.name, c.name);
                    assert!(ids.insert(id.clone()), "conformance.toml: two cases are named {id:?}");
                    let mut response = c.response;
                    response.sort();
                    Case {
                        id,
                        method: Method::from_bytes(method.as_bytes()).expect("a method"),
                        path: path.to_owned(),
                        headers: header_map(&c.headers),
                        upstream: header_map(&c.upstream),
                        kind: c.kind,
                        outcome: c.outcome,
                        local: c.local,
                        body: c.body,
                        response,
                    }
                })
                .collect();
            Group { name: g.name, policy: g.policy, cases }
        })
        .collect()
}

/// Header lines `name: value` (`\xNN` escapes allowed in values) as a map.
///
/// # Panics
///
/// On a line that is not a valid header: a test data error.
pub fn header_map(lines: &[String]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').unwrap_or_else(|| panic!("bad header line {line:?}"));
        let value = value.strip_prefix(' ').unwrap_or(value);
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap_or_else(|_| panic!("bad name {name:?}")),
            HeaderValue::from_bytes(&unescape(value)).unwrap_or_else(|_| panic!("bad value {value:?}")),
        );
    }
    map
}

/// The `Access-Control-*` and `Vary` lines of a response, sorted.
pub fn cors_lines(map: &HeaderMap) -> Vec<String> {
    let mut lines: Vec<String> = map
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("access-control-") || *n == "vary")
        .map(|(n, v)| format!("{}: {}", n, String::from_utf8_lossy(v.as_bytes())))
        .collect();
    lines.sort();
    lines
}

/// The case ids of an expected-failures list: one per line, `#` comments
/// and blank lines ignored.
pub fn expected_failures(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The results of one run, case by case.
#[derive(Debug, Default)]
pub struct Outcomes {
    ran: BTreeSet<String>,
    failed: Vec<(String, Vec<String>)>,
}

impl Outcomes {
    /// Records a case's problems (none: it passed).
    pub fn record(&mut self, case: &Case, problems: Vec<String>) {
        self.ran.insert(case.id.clone());
        if !problems.is_empty() {
            self.failed.push((case.id.clone(), problems));
        }
    }

    /// How many cases ran.
    pub fn count(&self) -> usize {
        self.ran.len()
    }

    /// `Ok` with a summary line when every failure was expected, every
    /// expected failure failed, and every listed case ran; `Err` with the
    /// whole story otherwise.
    pub fn verdict(&self, runner: &str, expected: &BTreeSet<String>) -> Result<String, String> {
        let failed: BTreeSet<&String> = self.failed.iter().map(|(id, _)| id).collect();
        let mut story = Vec::new();
        for (id, problems) in &self.failed {
            if !expected.contains(id) {
                story.push(format!("FAIL [{id}]:\n    {}", problems.join("\n    ")));
            }
        }
        for id in expected {
            if !self.ran.contains(id) {
                story.push(format!("LISTED BUT NOT RUN [{id}]: remove it from the expected failures"));
            } else if !failed.contains(id) {
                story.push(format!("UNEXPECTED PASS [{id}]: remove it from the expected failures"));
            }
        }
        let expected_and_failed = failed.iter().filter(|id| expected.contains(**id)).count();
        let summary = format!(
            "{runner}: {} cases, {} passed, {} failed as expected",
            self.ran.len(),
            self.ran.len() - failed.len(),
            expected_and_failed
        );
        if story.is_empty() {
            Ok(summary)
        } else {
            Err(format!("{summary}\n{}", story.join("\n")))
        }
    }

    /// [`verdict`](Self::verdict) printed, as a runner's exit status.
    pub fn exit(&self, runner: &str, expected: &BTreeSet<String>) -> ExitCode {
        match self.verdict(runner, expected) {
            Ok(summary) => {
                println!("{summary}");
                ExitCode::SUCCESS
            }
            Err(story) => {
                eprintln!("{story}");
                ExitCode::FAILURE
            }
        }
    }
}
