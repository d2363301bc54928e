//! `crossgate audit` as a process: against a misconfigured loopback server
//! (text and JSON), against `crossgate serve` running the demo and the
//! example configurations (nothing above `info`), usage errors and an
//! unreachable target.

use std::convert::Infallible;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_crossgate"))
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("crossgate-cli-audit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A server on 127.0.0.1 that copies any Origin into
/// Access-Control-Allow-Origin, with credentials.
fn reflecting_server() -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            tx.send(listener.local_addr().expect("addr")).expect("send addr");
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                tokio::spawn(async move {
                    let svc = service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
                        let mut resp = hyper::Response::new(Full::new(Bytes::from_static(b"{\"balance\": 12}")));
                        resp.headers_mut().insert("vary", "Origin".parse().unwrap());
                        resp.headers_mut().insert("x-powered-by", "Express".parse().unwrap());
                        if let Some(o) = req.headers().get("origin").cloned() {
                            resp.headers_mut().insert("access-control-allow-origin", o);
                            resp.headers_mut().insert("access-control-allow-credentials", "true".parse().unwrap());
                        }
                        Ok::<_, Infallible>(resp)
                    });
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
                });
            }
        });
    });
    rx.recv().expect("server address")
}

fn audit(args: &[&str]) -> (i32, String, String) {
    let out = bin().arg("audit").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

fn above_info(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .map(|f| format!("{} {} {}: {}", f["severity"], f["class"], f["path"], f["proof"]))
        .collect()
}

#[test]
fn a_reflecting_server_is_reported_with_proof_poc_and_fix() {
    let addr = reflecting_server();
    let url = "http://api.shop.test:8080/api/account".to_owned();
    let connect = format!("api.shop.test:8080:127.0.0.1:{}", addr.port());
    let (code, text, _) = audit(&[&url, "--connect-to", &connect, "--rate", "0", "--cookie", "sid=1"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("HIGH   reflect_any"), "{text}");
    assert!(
        text.contains("can read /api/account with the visitor's cookies in Chromium, Firefox and WebKit"),
        "{text}"
    );
    assert!(text.contains("fix (Express)"), "{text}");
    let (code, out, _) = audit(&[&url, "--connect-to", &connect, "--rate", "0", "--json"]);
    assert_eq!(code, 1);
    let v = &json_lines(&out)[0];
    assert_eq!(v["target"], url.as_str());
    let f = &v["findings"][0];
    assert_eq!(f["class"], "reflect_any");
    assert_eq!(f["severity"], "high");
    assert_eq!(f["credentials"], true);
    assert_eq!(f["engines"], serde_json::json!(["chromium", "firefox", "webkit"]));
    for key in ["origin", "path", "evidence", "poc", "fix"] {
        assert!(!f[key].is_null(), "{key} missing: {f}");
    }
    assert!(f["poc"].as_str().unwrap().contains("credentials: \"include\""));
    assert!(f["fix"]["policy"].as_str().unwrap().contains("[[rule]]"));
    assert!(v["requests"].as_u64().unwrap() <= 300);
}

#[test]
fn usage_errors_are_reported_at_once() {
    let (code, _, err) = audit(&[
        "ftp://a.example/",
        "--origin",
        "https://a.example/",
        "--rate",
        "fast",
        "--connect-to",
        "a:b:c:d",
        "--skip",
        "nothing",
    ]);
    assert_eq!(code, 2);
    for want in [
        "only http and https",
        "--origin `https://a.example/`",
        "--rate `fast`",
        "--connect-to `a:b:c:d`",
        "--skip `nothing`",
    ] {
        assert!(err.contains(want), "{want} missing: {err}");
    }
}

#[test]
fn an_unreachable_target_is_an_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (code, out, _) = audit(&[&format!("http://127.0.0.1:{port}/x"), "--json", "--timeout", "2"]);
    assert_eq!(code, 2);
    let v = &json_lines(&out)[0];
    assert!(v["error"].as_str().unwrap().contains("connection refused"), "{v}");
}

/// A `crossgate serve` child, stopped when dropped.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `crossgate serve ARGS` and returns it with the first stdout line
/// containing `marker`.
fn serve(args: &[&str], marker: &str) -> (Served, String) {
    let mut child = bin().arg("serve").args(args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let served = Served(child);
    let mut lines = BufReader::new(stdout).lines();
    for _ in 0..20 {
        let Some(Ok(line)) = lines.next() else { break };
        if line.contains(marker) {
            // Keep draining so the child never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            return (served, line);
        }
    }
    panic!("crossgate serve printed no line with {marker}");
}

#[test]
fn the_demo_has_nothing_above_info() {
    let dir = tempdir("demo");
    let data = dir.to_str().unwrap();
    let (_served, line) =
        serve(&["--api-port", "0", "--front-port", "0", "--data-dir", data], "API behind the gateway");
    let api = line.split_whitespace().last().unwrap().to_owned();
    let (code, out, err) = audit(&[&api, "--path", "/api/me", "--path", "/api/login", "--rate", "0", "--json"]);
    let v = &json_lines(&out)[0];
    assert!(v["error"].is_null(), "{v} {err}");
    assert_eq!(above_info(v), Vec::<String>::new());
    assert_eq!(code, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// The example gateway config, on a free port, audited under the name it is
/// written for (`api.example.com`) with the origins its policies trust.
#[test]
fn the_example_configs_have_nothing_above_info() {
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let dir = tempdir("examples");
    copy_dir(&examples.join("gateway"), &dir.join("gateway"));
    std::fs::copy(examples.join("policy.toml"), dir.join("policy.toml")).unwrap();
    let gw = dir.join("gateway/gateway.toml");
    let text = std::fs::read_to_string(&gw).unwrap();
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("admin_listen"))
        .map(|l| {
            if l.starts_with("listen") {
                "listen = \"127.0.0.1:0\""
            } else if l.starts_with("watch") {
                "watch = false"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&gw, text).unwrap();
    // examples/policy.toml behind a gateway of its own.
    let solo = dir.join("policy-gateway.toml");
    std::fs::write(&solo, "listen = \"127.0.0.1:0\"\nwatch = false\nallowed_hosts = [\"api.example.com\"]\n[[route]]\npath = \"/\"\nupstream = \"http://127.0.0.1:9\"\npolicy = \"policy.toml\"\n").unwrap();
    let trusted = ["https://app.example.com", "http://localhost:3000", "https://*.example.org", "http://localhost:*"];
    for (config, paths) in [
        (&gw, ["/api/notes", "/public/index.html", "/assets/logo.png"]),
        (&solo, ["/api/account", "/public/feed", "/other"]),
    ] {
        let (_served, line) = serve(&["--config", config.to_str().unwrap()], "gateway listening on");
        let addr = line.rsplit("http://").next().unwrap().trim().to_owned();
        let port = addr.rsplit(':').next().unwrap();
        let connect = format!("api.example.com:80:127.0.0.1:{port}");
        let url = format!("http://api.example.com{}", paths[0]);
        let mut args = vec![url.as_str(), "--connect-to", &connect, "--rate", "0", "--json"];
        for p in &paths[1..] {
            args.extend(["--path", p]);
        }
        for o in trusted {
            args.extend(["--origin", o]);
        }
        let (code, out, err) = audit(&args);
        let v = &json_lines(&out)[0];
        assert!(v["error"].is_null(), "{} {v} {err}", config.display());
        assert_eq!(above_info(v), Vec::<String>::new(), "{}", config.display());
        assert_eq!(code, 0, "{}", config.display());
        // Without saying which origins are trusted, the audit sees the
        // development origin the policy lets in with credentials, and
        // nothing else.
        let (code, out, _) = audit(&args[..args.len() - 2 * trusted.len()]);
        let v = &json_lines(&out)[0];
        let found = above_info(v);
        assert_eq!(code, 1, "{found:?}");
        assert!(found.iter().all(|f| f.contains("dev_origins")), "{}: {found:?}", config.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
