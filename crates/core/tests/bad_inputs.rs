//! The bad-input table (`bad_inputs.toml`) against the engine: every row,
//! as an actual request and as a preflight, decided by `Policy::evaluate`
//! and finished the way a middleware does (local answer, or the handler's
//! response with the pending headers applied once per layer).

use crossgate_test_support::bad_inputs as table;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crossgate_core::{Action, Policy};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use table::Kind;

#[test]
fn bad_input_table_against_the_engine() {
    let (policy, cases) = table::load();
    let built = Policy::from_toml(&policy).expect("the table's policy builds");
    assert!(built.warnings.is_empty(), "{:?}", built.warnings);
    let policy = built.policy;
    let mut failures = Vec::new();
    let mut rows = BTreeSet::new();
    let (mut representable, mut refused) = (0, 0);
    for case in &cases {
        rows.insert(case.row);
        let Some(headers) = case.header_map() else {
            // CR, LF, NUL and other controls: the `http` crate will not
            // make them a header value, so the engine can never see them.
            assert!(case.unrepresentable, "{}: a value the http crate refuses", case.label());
            refused += 1;
            continue;
        };
        assert!(!case.unrepresentable, "{}: marked unrepresentable but is a valid HeaderValue", case.label());
        representable += 1;
        let method = Method::from_bytes(case.method.as_bytes()).unwrap();
        let started = Instant::now();
        let decision = policy.evaluate(&method, &case.path, &headers);
        let action = decision.into_action();
        let took = started.elapsed();
        // Deciding is linear and bounded: even the 64 KiB and 100 KiB rows
        // are refused by their length alone.
        assert!(took < Duration::from_millis(500), "{}: took {took:?}", case.label());
        let (status, response, handler_called) = match action {
            Action::Answer(answer) => {
                let mut map = HeaderMap::new();
                answer.headers.write_to(&mut map);
                (answer.status.as_u16(), map, false)
            }
            Action::Refuse(vary) => {
                let mut map = HeaderMap::new();
                vary.merge_into(&mut map);
                (403, map, false)
            }
            Action::Forward(pending) => {
                let mut map = HeaderMap::new();
                for (n, v) in &case.upstream {
                    map.append(HeaderName::from_bytes(n.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
                }
                for _ in 0..case.layers {
                    pending.finish(&mut map).expect("the policy replaces upstream CORS headers");
                }
                (case.upstream_status, map, true)
            }
        };
        if let Err(e) = table::check(case, status, &response, handler_called) {
            failures.push(e);
        }
    }
    assert!(rows.len() >= 50, "every row of the research table is here ({} rows)", rows.len());
    assert!(failures.is_empty(), "{} of {} requests failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    eprintln!("bad inputs (engine): {} requests from {} rows passed; {representable} decided, {refused} refused by the http crate", cases.len(), rows.len());
}

#[test]
fn the_table_covers_actual_and_preflight_requests() {
    let (_, cases) = table::load();
    assert!(cases.iter().filter(|c| c.kind == Kind::Actual).count() > 100);
    assert!(cases.iter().filter(|c| c.kind == Kind::Preflight).count() > 100);
}
