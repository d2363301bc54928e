//! `crossgate lint` as a user runs it: exit codes, text and JSON.

use std::path::PathBuf;
use std::process::Command;

fn crossgate() -> Command {
    Command::new(env!("CARGO_BIN_EXE_crossgate"))
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("crossgate-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_example_policy_is_valid() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/policy.toml");
    let out = crossgate().args(["lint", example, "--color", "never"]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("valid: "), "{stdout}");
}

#[test]
fn an_invalid_policy_prints_every_problem_and_exits_1() {
    let path = write(
        "bad.toml",
        "[[rule]]\norigins = [\"https://a.com/\", \"*\"]\ncredentials = true\nmethods = [\"patch\"]\nmax_age = 100000\n",
    );
    let out = crossgate().args(["lint", path.to_str().unwrap(), "--color", "never"]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let file = path.display();
    assert!(stdout.contains(&format!("error[origin-has-path]: {file}: rule[0].origins `https://a.com/`: an origin has no path\n  help: did you mean `https://a.com`?")), "{stdout}");
    assert!(stdout.contains("error[any-origin-with-credentials]"), "{stdout}");
    assert!(stdout.contains("error[max-age-out-of-range]"), "{stdout}");
    assert!(stdout.contains("warning[method-not-uppercase]"), "{stdout}");
    assert!(stdout.trim_end().ends_with("(3 errors, 1 warning)"), "{stdout}");
    assert!(!stdout.contains('\x1b'), "no colour with --color never");
}

#[test]
fn warnings_alone_exit_0() {
    let path = write("warn.toml", "[[rule]]\norigins = [\"https://a.com\"]\nrequest_headers = [\"*\"]\n");
    let out = crossgate().args(["lint", path.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("warning[wildcard-headers-without-authorization]"));
}

#[test]
fn json_output_is_one_object() {
    let path = write("bad.json", r#"{"rule": [{"origins": ["https://a.com:443"], "credentials": true}]}"#);
    let out = crossgate().args(["lint", path.to_str().unwrap(), "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "origin-default-port");
    assert_eq!(d["rule"], 0);
    assert_eq!(d["field"], "origins");
    assert_eq!(d["value"], "https://a.com:443");
    assert_eq!(d["help"], "did you mean `https://a.com`?");
}

#[test]
fn syntax_errors_name_the_field_and_exit_1() {
    let path = write("typo.toml", "[[rule]]\norgins = [\"https://a.com\"]\n");
    let out = crossgate().args(["lint", path.to_str().unwrap(), "--color", "never"]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("error[syntax]") && stdout.contains("unknown field `orgins`"), "{stdout}");
}

#[test]
fn an_unreadable_file_exits_2() {
    let out = crossgate().args(["lint", "/nonexistent/policy.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn help_describes_the_subcommands() {
    let out = crossgate().arg("--help").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("lint") && stdout.contains("Check a policy file"), "{stdout}");
}
