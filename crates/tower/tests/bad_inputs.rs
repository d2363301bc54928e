//! The bad-input table (`crates/core/tests/bad_inputs.toml`) against the
//! tower layer in an axum app over a real TCP socket on loopback: every row,
//! as an actual request and as a preflight, sent by a hyper client.
//!
//! Values the `http` crate refuses (CR, LF, NUL, other controls) cannot be
//! sent by hyper at all; for those the raw request bytes are written to a
//! `TcpStream`, and the server (hyper, before the layer) must answer one of
//! the row's `raw_status` codes and never echo an injected header.

use crossgate_test_support::bad_inputs as table;
use crossgate_test_support::raw;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;
use crossgate_core::Policy;
use crossgate_tower::CorsLayer;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// The handler: counts its calls, and answers with the status and headers
/// the test asks for in `x-test-status` / `x-test-header` (`name: value`).
fn app(calls: Arc<AtomicUsize>) -> Router {
    Router::new().fallback(move |request: Request| {
        let calls = calls.clone();
        async move {
            calls.fetch_add(1, Ordering::SeqCst);
            let status = request
                .headers()
                .get("x-test-status")
                .and_then(|v| v.to_str().ok()?.parse::<u16>().ok())
                .unwrap_or(200);
            let mut response = Response::new(Body::from("handler"));
            *response.status_mut() = StatusCode::from_u16(status).unwrap();
            for line in request.headers().get_all("x-test-header") {
                let (n, v) = line.to_str().unwrap().split_once(": ").unwrap();
                response
                    .headers_mut()
                    .append(HeaderName::from_bytes(n.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
            }
            response
        }
    })
}

struct Server {
    addr: std::net::SocketAddr,
    calls: Arc<AtomicUsize>,
}

async fn serve(policy: &Policy, layers: usize) -> Server {
    let calls = Arc::new(AtomicUsize::new(0));
    let mut router = app(calls.clone());
    for _ in 0..layers {
        router = router.layer(CorsLayer::new(policy.clone()));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Server { addr, calls }
}

/// Writes a request's raw bytes and reads the response head.
async fn raw_exchange(server: &Server, case: &table::Case) -> (u16, HeaderMap, Vec<u8>) {
    let response = raw::exchange(server.addr, &table::raw_request(case, &server.addr.to_string())).await;
    let (status, headers) = raw::parse_response(&response);
    (status, headers, response)
}

#[tokio::test]
async fn bad_input_table_against_the_layer_over_a_socket() {
    let (policy, cases) = table::load();
    let policy = Policy::from_toml(&policy).expect("the table's policy builds").policy;
    let servers = [serve(&policy, 1).await, serve(&policy, 2).await];
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<bytes::Bytes>>();
    let mut failures = Vec::new();
    let mut rows = BTreeSet::new();
    let (mut sent, mut raw) = (0, 0);
    let mut raw_statuses = std::collections::BTreeMap::new();
    for case in &cases {
        rows.insert(case.row);
        let server = &servers[case.layers - 1];
        let before = server.calls.load(Ordering::SeqCst);
        let Some(headers) = case.header_map() else {
            raw += 1;
            let (status, headers, bytes) = raw_exchange(server, case).await;
            let ran = server.calls.load(Ordering::SeqCst) > before;
            *raw_statuses.entry(status).or_insert(0) += 1;
            if let Err(e) = table::check_raw(case, status, &headers, &bytes, ran) {
                failures.push(e);
            }
            continue;
        };
        sent += 1;
        let mut request =
            http::Request::builder().method(case.method.as_str()).uri(format!("http://{}{}", server.addr, case.path));
        for (n, v) in &headers {
            request = request.header(n, v);
        }
        if case.upstream_status != 200 {
            request = request.header("x-test-status", case.upstream_status.to_string());
        }
        for (n, v) in &case.upstream {
            request = request.header("x-test-header", format!("{n}: {v}"));
        }
        let response = client.request(request.body(Empty::new()).unwrap()).await.unwrap();
        let status = response.status().as_u16();
        let response_headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let ran = server.calls.load(Ordering::SeqCst) > before;
        assert_eq!(ran, body == "handler", "{}", case.label());
        if let Err(e) = table::check(case, status, &response_headers, ran) {
            failures.push(e);
        }
    }
    assert!(rows.len() >= 50, "every row of the research table is here ({} rows)", rows.len());
    assert!(failures.is_empty(), "{} of {} requests failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    eprintln!("bad inputs (tower over TCP): {} requests from {} rows passed; {sent} sent by hyper, {raw} as raw bytes (statuses {raw_statuses:?})", cases.len(), rows.len());
}
