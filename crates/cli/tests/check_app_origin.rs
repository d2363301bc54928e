//! `crossgate check --origin tauri://localhost`: the page's scheme origin
//! goes out in `Origin`, and a server running a policy answers it as the
//! rule's `app_schemes` says.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use crossgate_core::{Action, Policy, PolicyConfig, RuleConfig};
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;

type Log = Arc<Mutex<Vec<String>>>;

/// Serves `policy` in front of a handler that answers `{}`, on loopback,
/// logging each request's method and `Origin`.
fn serve(policy: Policy) -> (SocketAddr, Log) {
    let policy = Arc::new(policy);
    let log: Log = Arc::default();
    let (tx, rx) = std::sync::mpsc::channel();
    let server_log = log.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            tx.send(listener.local_addr().expect("addr")).expect("send addr");
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let (policy, log) = (policy.clone(), server_log.clone());
                tokio::spawn(async move {
                    let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                        let (policy, log) = (policy.clone(), log.clone());
                        async move {
                            let origin = req.headers().get("origin").map(|v| v.to_str().unwrap_or("?").to_owned());
                            log.lock().expect("log").push(format!("{} {}", req.method(), origin.unwrap_or_default()));
                            let mut resp = hyper::Response::new(Full::new(Bytes::from_static(b"{}")));
                            match policy.evaluate_request(&req).into_action() {
                                Action::Answer(answer) => {
                                    *resp.status_mut() = answer.status;
                                    answer.write_headers(resp.headers_mut());
                                }
                                Action::Refuse(vary) => {
                                    *resp.status_mut() = hyper::StatusCode::FORBIDDEN;
                                    vary.merge_into(resp.headers_mut());
                                }
                                Action::Forward(pending) => pending.finish(resp.headers_mut()).expect("finish"),
                            }
                            Ok::<_, Infallible>(resp)
                        }
                    });
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
                });
            }
        });
    });
    (rx.recv().expect("server address"), log)
}

fn check_json(args: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_crossgate"))
        .arg("check")
        .args(args)
        .arg("--json")
        .output()
        .expect("run crossgate");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"));
    (out.status.code().unwrap_or(-1), v)
}

#[test]
fn a_tauri_page_calls_an_api_that_lists_tauri() {
    let rule = RuleConfig::new(["https://app.example.com"])
        .app_schemes(["tauri"])
        .methods(["GET", "PUT"])
        .request_headers(["content-type"])
        .credentials(true);
    let (addr, log) = serve(Policy::new(PolicyConfig::new(rule)).expect("valid policy").policy);
    let url = format!("http://127.0.0.1:{}/items/1", addr.port());
    let put = |origin: &str| {
        check_json(&[&url, "--origin", origin, "-X", "PUT", "-H", "Content-Type: application/json", "--data", "{}"])
    };

    for origin in ["tauri://localhost", "http://tauri.localhost"] {
        let (code, v) = put(origin);
        assert_eq!((code, &v["verdict"]), (0, &Value::from("allowed")), "{origin}: {v}");
        assert_eq!(v["preflight"]["request"]["headers"]["Origin"], origin, "{v}");
        assert_eq!(v["preflight"]["response"]["headers"]["access-control-allow-origin"], origin, "{v}");
    }
    // Capacitor is not listed: the preflight is refused and the PUT never sent.
    let (code, v) = put("capacitor://localhost");
    assert_eq!((code, &v["verdict"]), (1, &Value::from("blocked")), "{v}");
    let log = log.lock().unwrap().clone();
    assert_eq!(
        log,
        [
            "OPTIONS tauri://localhost",
            "PUT tauri://localhost",
            "OPTIONS http://tauri.localhost",
            "PUT http://tauri.localhost",
            "OPTIONS capacitor://localhost"
        ]
    );
}

#[test]
fn an_origin_without_a_host_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_crossgate"))
        .args(["check", "http://127.0.0.1:9/", "--origin", "tauri:localhost"])
        .output()
        .expect("run crossgate");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("invalid --origin 'tauri:localhost'"), "{stderr}");
}
