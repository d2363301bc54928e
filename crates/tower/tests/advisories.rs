//! Middleware-level advisory regressions: the attacks of published CORS
//! advisories replayed against the tower layer in an axum app, over a real
//! TCP socket on loopback. The engine-level suite is
//! `crates/core/tests/advisories.rs`; `docs/security.md` maps both.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Router;
use crossgate_core::Policy;
use crossgate_tower::CorsLayer;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example.net";

const POLICY: &str = r#"
[[rule]]
origins = ["https://app.example.com", "https://*.example.com"]
methods = ["GET", "POST", "PUT", "DELETE"]
request_headers = ["content-type", "x-req-id"]
credentials = true
paths = ["/api/*"]
"#;

fn policy(extra: &str) -> Policy {
    Policy::from_toml(&format!("{extra}\n{POLICY}")).expect("valid policy").policy
}

/// A handler that counts its calls, echoes the `Origin` it saw in
/// `x-seen-origin`, and sets `Vary: Accept-Encoding`.
fn handler(calls: Arc<AtomicUsize>) -> Router {
    Router::new().fallback(move |request: Request| {
        let calls = calls.clone();
        async move {
            calls.fetch_add(1, Ordering::SeqCst);
            let seen =
                request.headers().get("origin").map(|v| v.to_str().unwrap_or("?").to_owned()).unwrap_or_default();
            Response::builder()
                .header("vary", "Accept-Encoding")
                .header("x-seen-origin", seen)
                .body(Body::from("handler"))
                .unwrap()
        }
    })
}

struct Server {
    base: String,
    addr: std::net::SocketAddr,
    calls: Arc<AtomicUsize>,
}

async fn serve(router: Router, calls: Arc<AtomicUsize>) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Server { base: format!("http://{addr}"), addr, calls }
}

async fn serve_policy(policy: Policy) -> Server {
    let calls = Arc::new(AtomicUsize::new(0));
    serve(handler(calls.clone()).layer(CorsLayer::new(policy)), calls).await
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
}

impl Reply {
    fn cors(&self) -> Vec<&str> {
        self.headers.keys().map(|k| k.as_str()).filter(|k| k.starts_with("access-control-")).collect()
    }
    fn vary(&self) -> Vec<&str> {
        self.headers.get_all("vary").iter().map(|v| v.to_str().unwrap()).collect()
    }
}

async fn send(server: &Server, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<bytes::Bytes>>();
    let mut req = http::Request::builder().method(method).uri(format!("{}{path}", server.base));
    for (n, v) in headers {
        req = req.header(*n, *v);
    }
    let res = client.request(req.body(Empty::new()).unwrap()).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    res.into_body().collect().await.unwrap();
    Reply { status, headers }
}

async fn raw(server: &Server, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut response))
        .await
        .expect("answer within 5 s")
        .unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

/// CVE-2015-9236 / GHSA-vwrf-r5r4-7775 (hapi < 11.0.0): a preflight got CORS
/// headers for a route with CORS off and the actual request went through.
/// Over the wire, the layer's preflight verdict and its actual-request
/// verdict agree, and in strict mode a refused actual request never reaches
/// the handler.
#[tokio::test]
async fn cve_2015_9236_hapi_preflight_and_actual_agree_over_the_wire() {
    let server = serve_policy(policy("strict = true")).await;
    for path in ["/api/items", "/admin", "/api/../admin"] {
        for origin in [APP, EVIL] {
            for method in ["GET", "PUT", "PATCH"] {
                let pre =
                    send(&server, "OPTIONS", path, &[("origin", origin), ("access-control-request-method", method)])
                        .await;
                let before = server.calls.load(Ordering::SeqCst);
                let actual = send(&server, method, path, &[("origin", origin)]).await;
                let ran = server.calls.load(Ordering::SeqCst) > before;
                let granted = pre.status == StatusCode::NO_CONTENT;
                assert_eq!(
                    granted,
                    actual.headers.contains_key("access-control-allow-origin"),
                    "{method} {path} {origin}"
                );
                assert_eq!(granted, ran, "{method} {path} {origin}: handler ran {ran}");
                if !granted {
                    assert_eq!(pre.status, StatusCode::FORBIDDEN);
                    assert!(pre.cors().is_empty() && actual.cors().is_empty());
                }
            }
        }
    }
}

/// GHSA-9895-g6x5-xwcp (Quarkus vertx-http): simple GET/POST with an invalid
/// Origin reached the handler despite the documented 403. In strict mode
/// the layer answers 403 before the handler, for simple requests too.
#[tokio::test]
async fn ghsa_9895_g6x5_xwcp_quarkus_strict_mode_stops_simple_requests() {
    let server = serve_policy(policy("strict = true")).await;
    for method in ["GET", "POST"] {
        for origin in [EVIL, "null", "https://app.example.com.evil.com"] {
            let r = send(&server, method, "/api/items", &[("origin", origin), ("content-type", "text/plain")]).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {origin}");
            assert!(r.cors().is_empty());
        }
    }
    assert_eq!(server.calls.load(Ordering::SeqCst), 0, "the handler never ran");
    assert_eq!(send(&server, "POST", "/api/items", &[("origin", APP)]).await.status, StatusCode::OK);
}

/// CVE-2023-35943 / GHSA-mc6h-6j9x-v3gq (Envoy): the CORS filter kept a
/// pointer to the `Origin` header, and a later filter that removed it left
/// the pointer dangling. Here an inner layer removes and replaces `Origin`
/// before the handler; the response still carries the decision taken on the
/// original request.
#[tokio::test]
async fn cve_2023_35943_envoy_inner_layer_removes_origin() {
    let calls = Arc::new(AtomicUsize::new(0));
    let strip = tower::util::MapRequestLayer::new(|mut r: Request| {
        r.headers_mut().remove("origin");
        r.headers_mut().insert("origin", http::HeaderValue::from_static(EVIL));
        r
    });
    let router = handler(calls.clone()).layer(strip).layer(CorsLayer::new(policy("")));
    let server = serve(router, calls).await;
    let r = send(&server, "GET", "/api/items", &[("origin", APP)]).await;
    assert_eq!(r.headers["x-seen-origin"], EVIL, "the inner layer did replace it");
    assert_eq!(r.headers["access-control-allow-origin"], APP);
    let r = send(&server, "GET", "/api/items", &[("origin", EVIL)]).await;
    assert!(r.cors().is_empty());
}

/// CVE-2017-7674 (Apache Tomcat CorsFilter): no `Vary: Origin`, so caches
/// mixed responses for different origins (also expressjs/cors #106: no
/// `Vary` on a disallowed origin poisoned a CDN). Over the wire, allowed,
/// denied and non-CORS responses all vary on `Origin`, after the handler's
/// own `Vary`.
#[tokio::test]
async fn cve_2017_7674_tomcat_vary_origin_on_every_response() {
    let server = serve_policy(policy("")).await;
    for headers in [&[("origin", APP)][..], &[("origin", EVIL)], &[]] {
        let r = send(&server, "GET", "/api/items", headers).await;
        assert_eq!(r.vary(), ["Accept-Encoding", "Origin"], "{headers:?}");
    }
}

/// Kettle's server-side cache poisoning, the attack CVE-2017-7674 enabled:
/// an `Origin` with a bare CR (read as a line break by some clients and
/// caches) must never be reflected. hyper refuses the request with 400
/// before the layer or the handler sees it.
#[tokio::test]
async fn cve_2017_7674_tomcat_cr_in_origin_is_never_reflected() {
    let server = serve_policy(policy("")).await;
    for origin in [
        &b"https://app.example.com\rContent-Type: text/html; charset=UTF-7"[..],
        b"https://app.example.com\x00",
        b"https://app.example.com\rX: y",
    ] {
        let mut request = b"GET /api/items HTTP/1.1\r\nhost: x\r\nconnection: close\r\norigin: ".to_vec();
        request.extend_from_slice(origin);
        request.extend_from_slice(b"\r\n\r\n");
        let response = raw(&server, &request).await;
        assert!(response.starts_with("HTTP/1.1 400"), "{response}");
        assert!(!response.to_ascii_lowercase().contains("access-control-allow-origin"));
        assert!(!response.contains("UTF-7") && !response.contains("X: y"));
    }
    assert_eq!(server.calls.load(Ordering::SeqCst), 0);
}

/// tower-http #397 and #598 (no CVE): the CORS layer overwrote other `Vary`
/// values, and stacked layers duplicated `Vary` (or ACAO). Two crossgate
/// layers over one handler: one ACAO, `Origin` once.
#[tokio::test]
async fn tower_http_issues_397_598_stacked_layers_over_the_wire() {
    let calls = Arc::new(AtomicUsize::new(0));
    let p = policy("");
    let router = handler(calls.clone()).layer(CorsLayer::new(p.clone())).layer(CorsLayer::new(p));
    let server = serve(router, calls).await;
    let r = send(&server, "GET", "/api/items", &[("origin", APP)]).await;
    assert_eq!(r.vary(), ["Accept-Encoding", "Origin"]);
    assert_eq!(r.headers.get_all("access-control-allow-origin").iter().count(), 1);
    assert_eq!(r.headers.get_all("access-control-allow-credentials").iter().count(), 1);
}

/// CVE-2026-37737 (sanic-cors; rasa-sdk 3.17.3 notes): repeated `Origin`
/// headers were joined and the joined value echoed. Over the wire, two
/// `Origin` lines in either order get no grant at all.
#[tokio::test]
async fn cve_2026_37737_sanic_cors_repeated_origin_over_the_wire() {
    let server = serve_policy(policy("")).await;
    for pair in [[APP, EVIL], [EVIL, APP], [APP, APP]] {
        let r = send(&server, "GET", "/api/items", &[("origin", pair[0]), ("origin", pair[1])]).await;
        assert!(r.cors().is_empty(), "{pair:?}: {:?}", r.headers);
        assert_eq!(r.vary(), ["Accept-Encoding", "Origin"]);
        let p = send(
            &server,
            "OPTIONS",
            "/api/items",
            &[("origin", pair[0]), ("origin", pair[1]), ("access-control-request-method", "PUT")],
        )
        .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
    }
}

/// CVE-2025-71381 / GHSA-q7jf-gf43-6x6p (Hono): the request's `Vary` was
/// copied into the response. Over the wire, the response's `Vary` is the
/// handler's plus crossgate's, never the client's.
#[tokio::test]
async fn cve_2025_71381_hono_request_vary_not_copied_over_the_wire() {
    let server = serve_policy(policy("")).await;
    let r = send(&server, "GET", "/api/items", &[("origin", APP), ("vary", "X-Evil, Cookie")]).await;
    assert_eq!(r.vary(), ["Accept-Encoding", "Origin"]);
}

/// CVE-2025-47908 / GHSA-mh55-gqvf-xfwm (rs/cors): a preflight with many
/// commas in `Access-Control-Request-Headers` caused huge allocations.
/// 300 KiB of commas over the wire is refused at once.
#[tokio::test]
async fn cve_2025_47908_rs_cors_many_commas_over_the_wire() {
    let server = serve_policy(policy("")).await;
    let commas = ",".repeat(300 * 1024);
    let started = Instant::now();
    let r = send(
        &server,
        "OPTIONS",
        "/api/items",
        &[("origin", APP), ("access-control-request-method", "PUT"), ("access-control-request-headers", &commas)],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.cors().is_empty());
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// CVE-2025-24010 / GHSA-vg6x-rcgg-rjx6 (Vite): any site could read the dev
/// server's responses and open its WebSocket. In strict mode a WebSocket
/// handshake from a disallowed origin (no preflight ever precedes it) is
/// refused before the handler.
#[tokio::test]
async fn cve_2025_24010_vite_websocket_handshake_from_another_origin() {
    let server = serve_policy(policy("strict = true")).await;
    let handshake = [
        ("upgrade", "websocket"),
        ("connection", "Upgrade"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    let mut headers = vec![("origin", EVIL)];
    headers.extend(handshake);
    let r = send(&server, "GET", "/api/ws", &headers).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(server.calls.load(Ordering::SeqCst), 0);
}
