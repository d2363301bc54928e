//! `crossgate serve` as a process: --check-config, SIGHUP reload, SIGTERM
//! drain and exit 0 (multi-threaded and --workers 1); `crossgate lint` on gateway and S3 files.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_crossgate"))
}

use crossgate_test_support::tempdir;

fn config(origin: &str) -> String {
    format!("listen = \"127.0.0.1:0\"\nwatch = false\n[[route]]\npath = \"/\"\nupstream = \"http://127.0.0.1:9\"\nrule = [{{ origins = [\"{origin}\"] }}]\n")
}

/// A preflight over a raw socket; returns the status line and headers.
fn preflight(addr: &str, origin: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "OPTIONS /x HTTP/1.1\r\nHost: localhost\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: GET\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn check_config_reports_every_problem() {
    let dir = tempdir("check");
    let good = dir.join("good.toml");
    std::fs::write(&good, config("https://a.example")).unwrap();
    let out = bin().args(["serve", "--check-config", "--config"]).arg(&good).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    // The documented example (three routes: policy file, inline rules, S3 XML).
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/gateway/gateway.toml");
    let out = bin().args(["serve", "--check-config", "--config"]).arg(&example).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 routes"));
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[[route]]\npath = \"api\"\nupstream = \"ftp://x\"\npolicy = \"missing.toml\"\n").unwrap();
    let out = bin().args(["serve", "--check-config", "--config"]).arg(&bad).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for code in ["route-path-invalid", "upstream-invalid", "file-unreadable"] {
        assert!(text.contains(&format!("error[{code}]")), "{code} missing: {text}");
    }
}

#[test]
fn lint_reads_gateway_and_s3_files() {
    let dir = tempdir("lint");
    let gw = dir.join("gateway.toml");
    std::fs::write(&gw, "[[route]]\npath = \"/\"\nupstream = \"http://127.0.0.1:1\"\nrule = [{ origins = [\"*\"], credentials = true }]\n").unwrap();
    let out = bin().args(["lint", "--json"]).arg(&gw).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["code"], "any-origin-with-credentials");
    assert_eq!(v["diagnostics"][0]["location"], "route[0].rule[0].origins");
    let xml = dir.join("cors.xml");
    std::fs::write(&xml, "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>").unwrap();
    let out = bin().arg("lint").arg(&xml).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("error[s3-method-unsupported]"));
    let json = dir.join("cors.json");
    std::fs::write(&json, r#"{"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]}"#).unwrap();
    let out = bin().arg("lint").arg(&json).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[cfg(unix)]
#[test]
fn sighup_reloads_and_sigterm_exits_zero() {
    reload_and_stop("signals", &[]);
}

/// The same on one thread: reload, signals and drain all run on the
/// current-thread runtime `--workers 1` selects.
#[test]
fn one_worker_serves_reloads_and_stops() {
    reload_and_stop("one-worker", &["--workers", "1"]);
}

#[test]
fn zero_workers_is_refused() {
    let out = bin().args(["serve", "--workers", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--workers"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Starts `crossgate serve` with `extra` arguments, checks a preflight,
/// reloads on SIGHUP, stops on SIGTERM with exit 0, and reads the access log.
fn reload_and_stop(name: &str, extra: &[&str]) {
    let dir = tempdir(name);
    let path = dir.join("gateway.toml");
    std::fs::write(&path, config("https://a.example")).unwrap();
    let log = std::fs::File::create(dir.join("log.jsonl")).unwrap();
    let mut child = bin()
        .args(["serve", "--log-format", "json"])
        .args(extra)
        .arg("--config")
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().rsplit("http://").next().unwrap().to_owned();
    assert!(preflight(&addr, "https://a.example").starts_with("HTTP/1.1 204"));
    assert!(preflight(&addr, "https://b.example").starts_with("HTTP/1.1 403"));
    std::fs::write(&path, config("https://b.example")).unwrap();
    let pid = child.id().to_string();
    // The shell's built-in `kill`: no dependency on a procps binary.
    let signal =
        |name: &str| Command::new("sh").arg("-c").arg(format!("kill -{name} {pid}")).status().unwrap().success();
    assert!(signal("HUP"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !preflight(&addr, "https://b.example").starts_with("HTTP/1.1 204") {
        assert!(Instant::now() < deadline, "SIGHUP did not reload");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(signal("TERM"));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0));
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("SIGTERM did not stop the gateway");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // The access log, one JSON object per line.
    let log = std::fs::read_to_string(dir.join("log.jsonl")).unwrap();
    let access: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["target"] == "crossgate::access")
        .collect();
    assert!(access.len() >= 3, "{log}");
    assert_eq!(access[0]["fields"]["status"], 204);
    assert_eq!(access[1]["fields"]["reason"], "origin-not-allowed");
    assert!(log.contains("config reloaded"), "{log}");
}
