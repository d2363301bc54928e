//! `crossgate check` against real loopback servers: exit codes, the JSON
//! object, the timeline, and what actually reached the server.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;

const PAGE: &str = "http://127.0.0.1:3000";

type Log = Arc<Mutex<Vec<String>>>;

/// The scripted API: `/open/*` allows the page's origin, `/closed/*` has no
/// CORS (403 to OPTIONS), `/redirect` sends 302 to `/open/target`,
/// `/preflight-redirect` redirects its preflight.
fn answer(method: &str, path: &str) -> (u16, Vec<(&'static str, String)>) {
    let cors = vec![
        ("access-control-allow-origin", PAGE.to_owned()),
        ("access-control-allow-methods", "GET, POST, DELETE".to_owned()),
        ("access-control-allow-headers", "content-type, x-api-key".to_owned()),
        ("access-control-expose-headers", "x-request-id".to_owned()),
        ("x-request-id", "r-1".to_owned()),
        ("x-secret", "s".to_owned()),
        ("vary", "Origin".to_owned()),
    ];
    match (method, path) {
        ("OPTIONS", p) if p.starts_with("/open/") => (204, cors),
        (_, p) if p.starts_with("/open/") => (200, cors),
        ("OPTIONS", p) if p.starts_with("/closed/") => (403, vec![]),
        (_, p) if p.starts_with("/closed/") => (200, vec![("x-request-id", "r-2".to_owned())]),
        (_, p) if p.starts_with("/strict/") => (403, vec![("vary", "Origin".to_owned())]),
        (_, "/redirect") => {
            (302, vec![("location", "/open/target".to_owned()), ("access-control-allow-origin", "*".to_owned())])
        }
        ("OPTIONS", "/preflight-redirect") => {
            (301, vec![("location", "/open/x".to_owned()), ("access-control-allow-origin", "*".to_owned())])
        }
        _ => (404, vec![]),
    }
}

fn start_server() -> (SocketAddr, Log) {
    serve(None)
}

/// An https server (certificate for `localhost` and 127.0.0.1, signed by
/// the test CA in `tests/fixtures/ca.pem`) with the same answers.
fn start_tls_server() -> SocketAddr {
    use rustls::pki_types::pem::PemObject;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let certs: Vec<_> = rustls::pki_types::CertificateDer::pem_file_iter(format!("{dir}/leaf.pem"))
        .expect("leaf.pem")
        .map(|c| c.expect("certificate"))
        .collect();
    let key = rustls::pki_types::PrivateKeyDer::from_pem_file(format!("{dir}/leaf.pk8.pem")).expect("key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
    serve(Some(tokio_rustls::TlsAcceptor::from(Arc::new(config)))).0
}

/// Serves `answer` on 127.0.0.1 (over TLS with an acceptor), logging each
/// request's method and path.
fn serve(tls: Option<tokio_rustls::TlsAcceptor>) -> (SocketAddr, Log) {
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
                let log = server_log.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                        let log = log.clone();
                        async move {
                            let method = req.method().as_str().to_owned();
                            let path = req.uri().path().to_owned();
                            log.lock().expect("log").push(format!("{method} {path}"));
                            let (status, headers) = answer(&method, &path);
                            let mut resp = hyper::Response::new(Full::new(Bytes::from_static(b"{}")));
                            *resp.status_mut() = hyper::StatusCode::from_u16(status).expect("status");
                            for (n, v) in headers {
                                resp.headers_mut().append(n, v.parse().expect("value"));
                            }
                            Ok::<_, Infallible>(resp)
                        }
                    });
                    match tls {
                        None => {
                            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
                        }
                        Some(acceptor) => {
                            let Ok(stream) = acceptor.accept(stream).await else { return };
                            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
                        }
                    }
                });
            }
        });
    });
    (rx.recv().expect("server address"), log)
}

#[test]
fn https_with_a_private_ca() {
    let addr = start_tls_server();
    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ca.pem");
    let url = format!("https://localhost:{}/open/items", addr.port());
    let (code, v) = check_json(&[&url, "--origin", PAGE, "-X", "DELETE", "--cacert", ca]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["verdict"], "allowed");
    assert_eq!(v["preflight"]["response"]["status"], 204);
    // Without the CA the certificate is not trusted: unreachable.
    let (code, v) = check_json(&[&url, "--origin", PAGE]);
    assert_eq!(code, 2, "{v}");
    assert_eq!(v["error"]["code"], "NetworkError");
    assert!(v["error"]["hint"].as_str().unwrap_or_default().contains("certificate"), "{v}");
}

fn check(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_crossgate")).arg("check").args(args).output().expect("run crossgate");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn check_json(args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.push("--json");
    let (code, stdout) = check(&all);
    let v: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"));
    (code, v)
}

#[test]
fn preflighted_delete_is_allowed_and_headers_are_filtered() {
    let (addr, log) = start_server();
    let url = format!("http://localhost:{}/open/items/1", addr.port());
    let (code, v) = check_json(&[&url, "--origin", PAGE, "-X", "DELETE", "-H", "Content-Type: application/json"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["verdict"], "allowed");
    assert_eq!(v["response_type"], "cors");
    assert_eq!(v["error"], Value::Null);
    let pre = &v["preflight"]["request"]["headers"];
    assert_eq!(pre["Access-Control-Request-Method"], "DELETE");
    assert_eq!(pre["Access-Control-Request-Headers"], "content-type");
    assert_eq!(pre["Accept"], "*/*");
    assert_eq!(pre["Origin"], PAGE);
    assert_eq!(v["exposed_headers"], serde_json::json!(["content-length", "x-request-id"]));
    assert_eq!(*log.lock().expect("log"), vec!["OPTIONS /open/items/1", "DELETE /open/items/1"]);
}

#[test]
fn rejected_preflight_blocks_before_the_delete_is_sent() {
    let (addr, log) = start_server();
    let url = format!("http://localhost:{}/closed/items/1", addr.port());
    let (code, v) = check_json(&[&url, "--origin", PAGE, "-X", "DELETE"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["verdict"], "blocked");
    assert_eq!(v["error"]["stage"], "preflight");
    assert_eq!(v["error"]["code"], "PreflightMissingAllowOriginHeader");
    assert_eq!(
        v["error"]["message"],
        format!("Access to fetch at '{url}' from origin '{PAGE}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.")
    );
    assert_eq!(v["preflight"]["response"]["status"], 403);
    let hint = v["error"]["hint"].as_str().unwrap_or("");
    assert!(hint.contains("403 and no CORS headers") && hint.contains("crossgate does"), "{hint}");
    assert_eq!(*log.lock().expect("log"), vec!["OPTIONS /closed/items/1"]);
}

#[test]
fn a_403_to_a_simple_request_may_not_have_run() {
    let (addr, _log) = start_server();
    let url = format!("http://localhost:{}/strict/items", addr.port());
    let (code, v) = check_json(&[&url, "--origin", PAGE, "--data", "a=1"]);
    assert_eq!(code, 1);
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("answered 403 without CORS headers") && warnings.contains("strict = true"), "{warnings}");
    assert!(!warnings.contains("processed the POST"), "{warnings}");
}

#[test]
fn blocked_simple_post_still_reached_the_server() {
    let (addr, log) = start_server();
    let url = format!("http://localhost:{}/closed/form", addr.port());
    let (code, v) = check_json(&[&url, "--origin", PAGE, "--data", "a=1"]);
    assert_eq!(code, 1);
    assert_eq!(v["preflight"], Value::Null);
    assert_eq!(v["error"]["stage"], "actual");
    assert_eq!(v["error"]["code"], "MissingAllowOriginHeader");
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("side effects happened"), "{warnings}");
    assert_eq!(*log.lock().expect("log"), vec!["POST /closed/form"]);
}

#[test]
fn credentials_and_wildcards() {
    let (addr, _log) = start_server();
    let url = format!("http://localhost:{}/open/me", addr.port());
    let (code, v) = check_json(&[&url, "--origin", PAGE, "--credentials", "include"]);
    assert_eq!(code, 1);
    assert_eq!(v["error"]["code"], "InvalidAllowCredentials");
    assert!(v["error"]["hint"].as_str().unwrap_or_default().contains("credentials"));
    // A header the preflight does not list.
    let (code, v) = check_json(&[&url, "--origin", PAGE, "-H", "X-Other: 1"]);
    assert_eq!(code, 1);
    assert_eq!(v["error"]["code"], "HeaderDisallowedByPreflightResponse");
    assert!(v["error"]["message"].as_str().unwrap_or_default().contains("Request header field x-other is not allowed"));
    // A method in the wrong case: `patch` is not normalized.
    let (code, v) = check_json(&[&url, "--origin", PAGE, "-X", "patch"]);
    assert_eq!(code, 1);
    assert_eq!(v["error"]["code"], "MethodDisallowedByPreflightResponse");
}

#[test]
fn same_origin_no_cors_and_redirects() {
    let (addr, _log) = start_server();
    let origin = format!("http://localhost:{}", addr.port());
    let (code, v) = check_json(&[&format!("{origin}/closed/x"), "--origin", &origin, "-X", "PUT"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["response_type"], "basic");
    assert_eq!(v["same_origin"], true);
    assert!(v["warnings"].to_string().contains("same-origin"));
    let url = format!("http://127.0.0.1:{}/closed/x", addr.port());
    let (code, v) = check_json(&[&url, "--origin", PAGE, "--mode", "no-cors"]);
    assert_eq!((code, v["response_type"].as_str()), (0, Some("opaque")));
    assert_eq!(v["exposed_headers"], serde_json::json!([]));
    let (code, v) = check_json(&[&format!("http://localhost:{}/redirect", addr.port()), "--origin", PAGE]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["requests"].as_array().map(Vec::len), Some(2));
    let (code, v) = check_json(&[
        &format!("http://localhost:{}/preflight-redirect", addr.port()),
        "--origin",
        PAGE,
        "-X",
        "DELETE",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["error"]["code"], "PreflightDisallowedRedirect");
    let (code, v) =
        check_json(&[&format!("http://localhost:{}/redirect", addr.port()), "--origin", PAGE, "--redirect", "manual"]);
    assert_eq!((code, v["response_type"].as_str()), (0, Some("opaqueredirect")));
}

#[test]
fn timeline_text_and_exit_codes() {
    let (addr, _log) = start_server();
    let url = format!("http://localhost:{}/closed/items", addr.port());
    let (code, text) = check(&[&url, "--origin", PAGE, "-X", "DELETE"]);
    assert_eq!(code, 1);
    assert!(text.contains("→ preflight OPTIONS"), "{text}");
    assert!(text.contains("Access-Control-Request-Method: DELETE"), "{text}");
    assert!(text.contains("BLOCKED PreflightMissingAllowOriginHeader (at preflight)"), "{text}");
    assert!(text.contains("fix: "), "{text}");
    assert!(!text.contains('\x1b'), "no colour in a pipe");
    // Unreachable target, TLS to a plain-HTTP port, and usage errors: 2.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead_port = dead.local_addr().expect("addr").port();
    drop(dead);
    assert_eq!(check(&[&format!("http://127.0.0.1:{dead_port}/"), "--origin", PAGE]).0, 2);
    assert_eq!(check(&[&format!("https://localhost:{}/open/x", addr.port()), "--origin", PAGE, "--timeout", "3"]).0, 2);
    assert_eq!(check(&[&url, "--origin", "not an origin"]).0, 2);
    assert_eq!(check(&[&url, "--origin", PAGE, "-X", "TRACE"]).0, 2);
    assert_eq!(check(&["ftp://x/", "--origin", PAGE]).0, 2);
}

#[test]
fn initiators_and_browser_profiles() {
    let (addr, log) = start_server();
    let closed = format!("http://localhost:{}/closed/pic.png", addr.port());
    // An <img> without crossorigin: no-cors, opaque, allowed.
    let (code, v) = check_json(&[&closed, "--origin", PAGE, "--as", "img"]);
    assert_eq!((code, v["response_type"].as_str()), (0, Some("opaque")), "{v}");
    // With crossorigin it needs CORS, and Chromium words it as an image.
    let (code, v) = check_json(&[&closed, "--origin", PAGE, "--as", "img", "--mode", "cors"]);
    assert_eq!(code, 1);
    assert!(v["error"]["message"].as_str().unwrap_or_default().starts_with("Access to image at"), "{v}");
    // XHR withCredentials: the message adds Chromium's XHR sentence.
    let open = format!("http://localhost:{}/open/x", addr.port());
    let (code, v) = check_json(&[&open, "--origin", PAGE, "--as", "xhr", "--credentials", "include"]);
    assert_eq!(code, 1);
    assert!(
        v["error"]["message"].as_str().unwrap_or_default().ends_with("controlled by the withCredentials attribute."),
        "{v}"
    );
    // A script-set User-Agent: dropped by Chromium (no preflight), sent by Firefox (preflight).
    let ua = format!("http://localhost:{}/open/ua", addr.port());
    let (code, v) = check_json(&[&ua, "--origin", PAGE, "-H", "User-Agent: bot"]);
    assert_eq!((code, v["preflight"].is_null()), (0, true), "{v}");
    assert!(v["warnings"].to_string().contains("user-agent"), "{v}");
    let (code, v) = check_json(&[&ua, "--origin", PAGE, "-H", "User-Agent: bot", "--browser", "firefox"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["preflight"]["request"]["headers"]["Access-Control-Request-Headers"], "user-agent");
    assert_eq!(v["browser"], "firefox");
    // Firefox's vocabulary and wording, with the engine-neutral reason beside.
    let code = v["error"]["code"].as_str().unwrap_or_default();
    assert!(code.starts_with("CORS"), "{v}");
    assert!(v["error"]["cors_error"].as_str().is_some_and(|e| !e.starts_with("CORS")), "{v}");
    assert!(v["error"]["message"].as_str().unwrap_or_default().starts_with("Cross-Origin Request Blocked: "), "{v}");
    assert!(v["error"]["docs_url"].as_str().unwrap_or_default().contains(&format!("/CORS/Errors/{code}?")), "{v}");
    assert!(log.lock().expect("log").iter().any(|l| l == "OPTIONS /open/ua"));
}
