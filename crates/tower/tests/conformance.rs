//! The engine's conformance table through the tower layer, in an axum app
//! over a real socket on loopback: what the wire shows for every case — the
//! status, the body of a local answer, the exact CORS lines, and whether the
//! handler ran (which also proves that a local answer never reaches it).
//!
//! A `harness = false` runner with its own expected-failures list
//! (`conformance_expected_failures.txt`), as the engine's runner.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Router;
use crossgate_core::Policy;
use crossgate_test_support::conformance::{self, Case, Outcomes};
use crossgate_test_support::raw;

/// What the handler answers with: the case's inner-response headers.
#[derive(Clone, Default)]
struct Inner {
    calls: Arc<AtomicUsize>,
    headers: Arc<Mutex<HeaderMap>>,
}

async fn serve(policy: Policy, inner: Inner) -> std::net::SocketAddr {
    let app = Router::new()
        .fallback(move || {
            let inner = inner.clone();
            async move {
                inner.calls.fetch_add(1, Ordering::SeqCst);
                let mut response = Response::new(Body::from("handler"));
                *response.headers_mut() = inner.headers.lock().unwrap().clone();
                response
            }
        })
        .layer(crossgate_tower::CorsLayer::new(policy));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// The case as raw HTTP/1.1 bytes: exactly its request line and headers
/// (a `Host` only when the case has none), closing after the answer.
fn request_bytes(case: &Case, addr: std::net::SocketAddr) -> Vec<u8> {
    let mut bytes = format!("{} {} HTTP/1.1\r\nconnection: close\r\n", case.method, case.path).into_bytes();
    if !case.headers.contains_key("host") {
        bytes.extend_from_slice(format!("host: {addr}\r\n").as_bytes());
    }
    for (name, value) in &case.headers {
        bytes.extend_from_slice(name.as_str().as_bytes());
        bytes.extend_from_slice(b": ");
        bytes.extend_from_slice(value.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"\r\n");
    bytes
}

/// The body of a raw response with a `Content-Length` (all the layer's
/// answers and the handler's have one).
fn body_of(response: &[u8], headers: &HeaderMap) -> String {
    let start = response.windows(4).position(|w| w == b"\r\n\r\n").map_or(response.len(), |i| i + 4);
    let len = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        .unwrap_or(response.len() - start);
    String::from_utf8_lossy(&response[start..(start + len).min(response.len())]).into_owned()
}

async fn run() -> Outcomes {
    let mut outcomes = Outcomes::default();
    for group in conformance::load() {
        let policy = Policy::from_toml(&group.policy)
            .unwrap_or_else(|e| panic!("group {:?}: the policy does not build: {e}", group.name))
            .policy;
        let inner = Inner::default();
        let addr = serve(policy, inner.clone()).await;
        for case in &group.cases {
            *inner.headers.lock().unwrap() = case.upstream.clone();
            let before = inner.calls.load(Ordering::SeqCst);
            let response = raw::exchange(addr, &request_bytes(case, addr)).await;
            let (status, headers) = raw::parse_response(&response);
            let ran = inner.calls.load(Ordering::SeqCst) > before;
            let body = if case.local.is_some() { body_of(&response, &headers) } else { String::new() };
            outcomes.record(case, case.check_wire(status, &body, &headers, ran, 200));
        }
    }
    outcomes
}

fn main() -> ExitCode {
    let expected = conformance::expected_failures(include_str!("conformance_expected_failures.txt"));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let outcomes = runtime.block_on(run());
    outcomes.exit("conformance (tower layer over a socket)", &expected)
}
