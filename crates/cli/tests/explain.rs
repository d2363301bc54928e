//! `crossgate explain` end to end: the report, `--json`, `--html`,
//! `--policy-out`, `--only`, `--origin`, and the exit codes (0 nothing
//! blocked, 1 something blocked, 2 unreadable).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../har/tests/fixtures").join(name)
}

fn explain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossgate")).arg("explain").args(args).output().expect("run crossgate")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn exit_codes() {
    let dir = crossgate_test_support::tempdir("explain-exit");
    let fine = dir.join("fine.har");
    std::fs::write(&fine, r#"{"log":{"version":"1.2","entries":[{"request":{"method":"GET","url":"https://api.test/","headers":[{"name":"Origin","value":"https://a.test"}]},"response":{"status":200,"headers":[{"name":"Access-Control-Allow-Origin","value":"*"}]}}]}}"#).unwrap();
    let truncated = dir.join("cut.har");
    let full = std::fs::read(fixture("firefox.har")).unwrap();
    std::fs::write(&truncated, &full[..full.len() / 2]).unwrap();
    let firefox = fixture("firefox.har");
    let missing = dir.join("missing.har");
    let cases: [(&[&str], i32, &str); 5] = [
        (&[fine.to_str().unwrap()], 0, "0 requests blocked by CORS, 1 fine"),
        (&[firefox.to_str().unwrap()], 1, "3 requests blocked by CORS, 1 hidden server error, 3 fine"),
        (&[truncated.to_str().unwrap()], 2, ""),
        (&[missing.to_str().unwrap()], 2, ""),
        (&[fine.to_str().unwrap(), "--origin", "not an origin"], 2, ""),
    ];
    for (args, code, first) in cases {
        let o = explain(args);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        if code == 2 {
            assert!(!o.stderr.is_empty() && o.stdout.is_empty(), "{args:?}");
        } else {
            assert_eq!(stdout(&o).lines().next(), Some(first), "{args:?}");
        }
    }
    let o = explain(&[truncated.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("ends too early") && err.contains("log.entries["), "{err}");
}

#[test]
fn the_report_groups_by_origin_then_server_without_colour_in_a_pipe() {
    let o = explain(&[fixture("firefox.har").to_str().unwrap()]);
    let text = stdout(&o);
    assert!(!text.contains('\x1b'), "{text}");
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s} not in {text}"));
    assert!(at("from https://shop.example") < at("  to https://api.example"));
    assert!(at("#3 POST https://api.example/orders") < at("#4 PUT") && at("#4 PUT") < at("#6 GET"));
    assert!(text.contains("finding hidden-server-error"));
    // The fine requests are counted, not listed.
    assert!(!text.contains("#1 GET"), "{text}");
}

#[test]
fn json_has_every_request() {
    let o = explain(&[fixture("safari.har").to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["summary"]["blocked"], 1);
    let requests = v["requests"].as_array().unwrap();
    let got: Vec<(u64, &str)> =
        requests.iter().map(|r| (r["index"].as_u64().unwrap(), r["verdict"].as_str().unwrap())).collect();
    assert_eq!(got, [(0, "not-cors"), (1, "blocked"), (3, "allowed"), (4, "not-a-cors-problem")]);
    let blocked = &requests[1];
    for key in ["url", "method", "fix"] {
        assert!(blocked[key].is_string(), "{key}: {blocked}");
    }
    assert_eq!(blocked["error"]["code"], "AllowOriginMismatch");
    assert_eq!(blocked["error"]["stage"], "actual");
    assert!(blocked["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Access to fetch at 'https://api.news.example/feed'"));
    assert_eq!(requests[3]["finding"]["code"], "mixed-content");
}

#[test]
fn only_and_policy_out() {
    let dir = crossgate_test_support::tempdir("explain-policy");
    let policy = dir.join("policy.toml");
    let html = dir.join("report.html");
    let o = explain(&[
        fixture("firefox.har").to_str().unwrap(),
        "--only",
        "https://api.example/*",
        "--policy-out",
        policy.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("allowing 3 blocked call(s)"), "{}", stdout(&o));
    let text = std::fs::read_to_string(&policy).unwrap();
    let built = crossgate_core::Policy::from_toml(&text).unwrap();
    assert!(built.warnings.is_empty());
    assert_eq!(built.policy.config().rules.len(), 1);
    let page = std::fs::read_to_string(&html).unwrap();
    // --only kept the api.example calls: entries 1, 3, 4 and 6.
    for i in [1, 3, 4, 6] {
        assert!(page.contains(&format!("id=\"entry-{i}\"")), "entry {i}");
    }
    assert!(!page.contains("id=\"entry-5\""));
    assert!(!page.contains("http://") && !page.contains("<script") && !page.contains("src="), "external assets");
    let o = explain(&[fixture("firefox.har").to_str().unwrap(), "--only", "https://cdn.example/*"]);
    assert_eq!(o.status.code(), Some(0));
}
