//! The engine's conformance table (`conformance.toml`, loaded by
//! `crossgate_test_support::conformance`) against `Policy::evaluate`: the
//! kind, the outcome, the local answer and the exact CORS lines of the
//! final response, for every case.
//!
//! A `harness = false` runner, as the `url` crate runs WPT: cases listed in
//! `conformance_expected_failures.txt` must fail, every other case must
//! pass, and an unexpected pass fails the run as an unexpected failure does.

use std::process::ExitCode;

use crossgate_core::{Action, Outcome, Policy, RequestKind};
use crossgate_test_support::conformance::{self, cors_lines, Case, Outcomes};
use http::{HeaderMap, HeaderValue};

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

/// Every difference between what the engine decides for `case` and what
/// the table says.
fn run(policy: &Policy, case: &Case) -> Vec<String> {
    let decision = policy.evaluate(&case.method, &case.path, &case.headers);
    let mut problems = Vec::new();
    if kind_name(decision.kind()) != case.kind {
        problems.push(format!("kind {} != {}", kind_name(decision.kind()), case.kind));
    }
    let outcome = outcome_name(decision.outcome());
    if outcome != case.outcome {
        problems.push(format!("outcome {outcome} != {}", case.outcome));
    }
    let (status, body, headers) = match decision.into_action() {
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
            let mut map = case.upstream.clone();
            if pending.finish(&mut map).is_err() {
                map = HeaderMap::new();
                map.insert("x-upstream-conflict", HeaderValue::from_static("502"));
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
    let conflict = headers.contains_key("x-upstream-conflict");
    let got = cors_lines(&headers);
    if conflict != case.expects_upstream_conflict() || (!conflict && got != case.response) {
        problems.push(format!("headers\n      got      {got:?}\n      expected {:?}", case.response));
    }
    problems
}

fn main() -> ExitCode {
    let expected = conformance::expected_failures(include_str!("conformance_expected_failures.txt"));
    let mut outcomes = Outcomes::default();
    for group in conformance::load() {
        let policy = Policy::from_toml(&group.policy)
            .unwrap_or_else(|e| panic!("group {:?}: the policy does not build: {e}", group.name))
            .policy;
        for case in &group.cases {
            outcomes.record(case, run(&policy, case));
        }
    }
    if outcomes.count() < 150 {
        eprintln!("conformance: the table must keep at least 150 cases (has {})", outcomes.count());
        return ExitCode::FAILURE;
    }
    outcomes.exit("conformance (engine)", &expected)
}
