//! The bad-input table (`crates/core/tests/bad_inputs.toml`) against a real
//! gateway over loopback sockets: every row, as an actual request and as a
//! preflight, goes through `crossgate serve` to an upstream that counts its
//! calls and answers with the status and headers the row asks for.
//!
//! Values the `http` crate refuses (CR, LF, NUL, other controls) cannot be
//! sent by hyper; for those the raw request bytes are written to a
//! `TcpStream`, and the gateway must answer one of the row's `raw_status`
//! codes, never echo an injected header, and never reach the upstream with
//! a 400. Rows with two layers run through two gateways in a chain. An
//! actual request whose head exceeds `max_request_header_bytes` (the 64 KiB
//! origin of row 28) is refused with 431 before the upstream. Paths are
//! decided in normal form, so rows whose `gateway` says so expect the
//! result for the normal path, or a refusal before the policy.

use crossgate_test_support::bad_inputs as table;
use crossgate_test_support::raw;

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use crossgate_gateway::Gateway;
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};

/// The upstream: counts its calls, answers with the status and headers the
/// test asks for in `x-test-status` / `x-test-header` (`name: value`).
async fn upstream() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&calls);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let c = Arc::clone(&c);
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    c.fetch_add(1, Ordering::SeqCst);
                    let status = req
                        .headers()
                        .get("x-test-status")
                        .and_then(|v| v.to_str().ok()?.parse::<u16>().ok())
                        .unwrap_or(200);
                    let mut r = Response::new(Full::new(Bytes::from_static(b"handler")));
                    *r.status_mut() = StatusCode::from_u16(status).unwrap();
                    for line in req.headers().get_all("x-test-header") {
                        let (n, v) = line.to_str().unwrap().split_once(": ").unwrap();
                        r.headers_mut()
                            .append(HeaderName::from_bytes(n.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
                    }
                    async move { Ok::<_, Infallible>(r) }
                });
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
            });
        }
    });
    (addr, calls)
}

/// A gateway with one route `/` to `up` under the table's policy.
async fn gateway(policy: &str, up: SocketAddr, dir: &std::path::Path, name: &str) -> Gateway {
    std::fs::write(dir.join(format!("{name}-policy.toml")), policy).unwrap();
    let config = format!("listen = \"127.0.0.1:0\"\nrequest_header_timeout_ms = 2000\nupstream_timeout_ms = 5000\n[[route]]\npath = \"/\"\nupstream = \"http://{up}\"\npolicy = \"{name}-policy.toml\"\n");
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, config).unwrap();
    let rt = crossgate_gateway::load_file(&path).unwrap_or_else(|e| panic!("config: {e}"));
    Gateway::start(rt, Some(path)).await.unwrap()
}

/// Writes a request's raw bytes and reads the response head.
async fn raw_exchange(addr: SocketAddr, case: &table::Case) -> (u16, HeaderMap, Vec<u8>) {
    let response = raw::exchange(addr, &table::raw_request(case, &addr.to_string())).await;
    let (status, headers) = raw::parse_response(&response);
    (status, headers, response)
}

#[tokio::test]
async fn bad_input_table_through_the_gateway() {
    let (policy, cases) = table::load();
    let dir = std::env::temp_dir().join(format!("crossgate-gw-bad-inputs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (up, calls) = upstream().await;
    let one = gateway(&policy, up, &dir, "one").await;
    // Two layers: a gateway in front of a gateway in front of the upstream.
    let inner = gateway(&policy, up, &dir, "inner").await;
    let outer = gateway(&policy, inner.local_addr(), &dir, "outer").await;
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let mut failures = Vec::new();
    let mut rows = BTreeSet::new();
    let (mut sent, mut raw, mut oversized) = (0, 0, 0);
    let mut raw_statuses = BTreeMap::new();
    for case in &cases {
        rows.insert(case.row);
        let addr = if case.layers == 1 { one.local_addr() } else { outer.local_addr() };
        let before = calls.load(Ordering::SeqCst);
        let Some(headers) = case.header_map() else {
            raw += 1;
            let (status, headers, bytes) = raw_exchange(addr, case).await;
            let ran = calls.load(Ordering::SeqCst) > before;
            *raw_statuses.entry(status).or_insert(0) += 1;
            if let Err(e) = table::check_raw(case, status, &headers, &bytes, ran) {
                failures.push(e);
            }
            continue;
        };
        sent += 1;
        let mut request = Request::builder().method(case.method.as_str()).uri(format!("http://{addr}{}", case.path));
        for (n, v) in &headers {
            request = request.header(n, v);
        }
        if case.upstream_status != 200 {
            request = request.header("x-test-status", case.upstream_status.to_string());
        }
        for (n, v) in &case.upstream {
            request = request.header("x-test-header", format!("{n}: {v}"));
        }
        let response =
            tokio::time::timeout(Duration::from_secs(10), client.request(request.body(Empty::new()).unwrap()))
                .await
                .expect("answered within 10 s")
                .unwrap();
        let status = response.status().as_u16();
        let response_headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let ran = calls.load(Ordering::SeqCst) > before;
        assert_eq!(ran, body == "handler", "{}", case.label());
        // Heads over max_request_header_bytes (16 KiB by default) that the
        // policy does not answer itself are refused with 431 before the
        // upstream, with the CORS headers the policy gives the origin.
        let head_bytes: usize = case.header_lines().iter().map(|(n, v)| n.len() + v.len() + 4).sum();
        if head_bytes > 16 * 1024 && matches!(case.kind, table::Kind::Actual) {
            let cors = response_headers.keys().any(|k| k.as_str().starts_with("access-control-"));
            let vary = response_headers
                .get_all("vary")
                .iter()
                .any(|v| v.to_str().is_ok_and(|v| v.to_ascii_lowercase().contains("origin")));
            if status != 431 || ran || (cors && matches!(case.expect, table::Expect::Deny)) || !vary {
                failures.push(format!(
                    "{} (oversized head): status {status}, upstream called {ran}, headers {response_headers:?}",
                    case.label()
                ));
            }
            oversized += 1;
            continue;
        }
        let checked = match case.gateway {
            None => table::check(case, status, &response_headers, ran),
            Some(table::Gateway::Expect(expect)) => {
                table::check(&table::Case { expect, ..case.clone() }, status, &response_headers, ran)
            }
            Some(table::Gateway::Refused(code)) => {
                let cors: Vec<_> =
                    response_headers.keys().filter(|k| k.as_str().starts_with("access-control-")).collect();
                if status == code && !ran && cors.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "{}: status {status} (expected {code}), upstream called {ran}, CORS {cors:?}",
                        case.label()
                    ))
                }
            }
        };
        if let Err(e) = checked {
            failures.push(e);
        }
    }
    assert!(rows.len() >= 50, "every row of the research table is here ({} rows)", rows.len());
    assert!(failures.is_empty(), "{} of {} requests failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    eprintln!("bad inputs (gateway over TCP): {} requests from {} rows passed; {sent} sent by hyper ({oversized} of them 431 for heads over the limit), {raw} as raw bytes (statuses {raw_statuses:?})", cases.len(), rows.len());
    for g in [one, outer, inner] {
        g.shutdown().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
