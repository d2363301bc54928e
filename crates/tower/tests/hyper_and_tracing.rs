//! The layer under a bare hyper 1 server (no axum), and its tracing events.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use crossgate_core::{Mode, Policy, PolicyConfig, RuleConfig};
use crossgate_tower::{Cors, CorsLayer};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tower::{Layer, ServiceExt};

fn policy(mode: Mode) -> Policy {
    Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).methods(["GET", "PUT"])).mode(mode))
        .unwrap()
        .policy
}

async fn hello(_: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(b"hello"))))
}

#[tokio::test]
async fn works_under_a_bare_hyper_server() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let layer = CorsLayer::new(policy(Mode::Enforce));
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let service = TowerToHyperService::new(layer.layer(tower::service_fn(hello)));
            tokio::spawn(async move {
                let _ =
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let req =
        Request::get(format!("http://{addr}/")).header("origin", "https://app.example.com").body(Empty::new()).unwrap();
    let res = client.request(req).await.unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "https://app.example.com");
    assert_eq!(res.into_body().collect().await.unwrap().to_bytes(), "hello");

    let req = Request::builder()
        .method(Method::OPTIONS)
        .uri(format!("http://{addr}/"))
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "PUT")
        .body(Empty::new())
        .unwrap();
    let res = client.request(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(res.headers()["access-control-allow-methods"], "PUT");
}

/// Collects formatted tracing output.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logged(mode: Mode, request: Request<Empty<Bytes>>) -> String {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let service: Cors<_> = CorsLayer::new(policy(mode)).layer(tower::service_fn(|_: Request<Empty<Bytes>>| async {
        Ok::<_, Infallible>(Response::new(Empty::<Bytes>::new()))
    }));
    tracing::subscriber::with_default(subscriber, || {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(service.oneshot(request)).unwrap();
    });
    let out = buffer.0.lock().unwrap().clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn rejections_are_tracing_events_with_the_typed_reason() {
    let req = Request::builder()
        .method(Method::OPTIONS)
        .uri("/items")
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "PUT")
        .body(Empty::new())
        .unwrap();
    let log = logged(Mode::Enforce, req);
    assert!(log.contains("CORS request rejected"), "{log}");
    assert!(log.contains("code=\"origin-not-allowed\""), "{log}");
    assert!(log.contains("kind=Preflight"), "{log}");
    assert!(log.contains("evil.example"), "{log}");
}

#[test]
fn report_only_decisions_are_logged_as_would_be_rejections() {
    let req = Request::builder()
        .method(Method::DELETE)
        .uri("/items")
        .header("origin", "https://app.example.com")
        .body(Empty::new())
        .unwrap();
    let log = logged(Mode::ReportOnly, req);
    assert!(log.contains("would be rejected (report-only)"), "{log}");
    assert!(log.contains("code=\"method-not-allowed\""), "{log}");
    assert!(log.contains(" INFO "), "{log}");
}

#[test]
fn allowed_requests_log_nothing() {
    let req = Request::get("/items").header("origin", "https://app.example.com").body(Empty::new()).unwrap();
    assert_eq!(logged(Mode::Enforce, req), "");
}
