//! Shared test helpers: a scriptable upstream, a gateway from config text,
//! and a small client. Everything listens on 127.0.0.1:0.
#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use crossgate_gateway::Gateway;
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};

/// Bodies for the test clients and upstreams: one boxed, streaming type.
pub mod body {
    use bytes::Bytes;
    use http_body_util::{BodyExt, Empty, Full};

    pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
    pub type Body = http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>;

    pub fn full(bytes: impl Into<Bytes>) -> Body {
        Full::new(bytes.into()).map_err(|never| match never {}).boxed_unsync()
    }

    pub fn empty() -> Body {
        Empty::new().map_err(|never| match never {}).boxed_unsync()
    }

    pub fn boxed<B>(body: B) -> Body
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        body.map_err(Into::into).boxed_unsync()
    }
}

use body::Body;

/// The value of a counter in the gateway's metrics, summed over the series
/// whose labels include `labels`.
pub fn counter(gw: &Gateway, name: &str, labels: &[(&str, &str)]) -> u64 {
    metrics_counter(&gw.metrics(), name, labels)
}

/// [`counter`] over Prometheus text.
pub fn metrics_counter(text: &str, name: &str, labels: &[(&str, &str)]) -> u64 {
    text.lines()
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (n, rest) = series.split_once('{')?;
            let found = parse_labels(rest.strip_suffix('}')?);
            (n == name && labels.iter().all(|(k, v)| found.iter().any(|(fk, fv)| fk == k && fv == v)))
                .then(|| value.parse::<u64>().ok())
                .flatten()
        })
        .sum()
}

/// `a="x",b="y\"z"` → `[("a", "x"), ("b", "y\"z")]`.
fn parse_labels(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some((key, after)) = rest.split_once("=\"") {
        let mut value = String::new();
        let mut chars = after.char_indices();
        let mut end = after.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, other)) => value.push(other),
                    None => {}
                },
                '"' => {
                    end = i + 1;
                    break;
                }
                c => value.push(c),
            }
        }
        out.push((key.trim_start_matches(',').to_owned(), value));
        rest = &after[end..];
    }
    out
}

/// A test upstream; counts requests and connections it received.
pub struct Upstream {
    pub addr: SocketAddr,
    pub hits: Arc<AtomicUsize>,
    pub connections: Arc<AtomicUsize>,
}

/// Starts the upstream. Paths:
/// - `/slow/<ms>`: waits, then answers 200 `slow`;
/// - `/big/<mb>`: streams that many MiB of zeros;
/// - `/sink`: reads the body, answers with the byte count;
/// - `/own-cors`: answers with its own `Access-Control-Allow-Origin: *`;
/// - anything else: echoes method, path, a few headers and the body length.
pub async fn upstream() -> Upstream {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let connections = Arc::new(AtomicUsize::new(0));
    let h = Arc::clone(&hits);
    let conns = Arc::clone(&connections);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            conns.fetch_add(1, Ordering::Relaxed);
            let h = Arc::clone(&h);
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    h.fetch_add(1, Ordering::Relaxed);
                    async move { Ok::<_, Infallible>(answer(req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .with_upgrades()
                    .await;
            });
        }
    });
    Upstream { addr, hits, connections }
}

async fn answer(mut req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_owned();
    if path == "/ws" && req.headers().get("upgrade").is_some_and(|v| v == "echo") {
        // An echo protocol over an upgraded connection.
        let on = hyper::upgrade::on(&mut req);
        tokio::spawn(async move {
            if let Ok(up) = on.await {
                let (mut r, mut w) = tokio::io::split(TokioIo::new(up));
                let _ = tokio::io::copy(&mut r, &mut w).await;
            }
        });
        let mut r = Response::new(body::empty());
        *r.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        r.headers_mut().insert("upgrade", "echo".parse().unwrap());
        r.headers_mut().insert("connection", "upgrade".parse().unwrap());
        return r;
    }
    if let Some(ms) = path.strip_prefix("/slow/") {
        tokio::time::sleep(Duration::from_millis(ms.parse().unwrap_or(100))).await;
        return Response::new(body::full("slow"));
    }
    if let Some(mb) = path.strip_prefix("/big/") {
        let mb: usize = mb.parse().unwrap_or(1);
        let chunk = Bytes::from(vec![0u8; 64 * 1024]);
        let n = mb * 16;
        let stream = futures_stream(n, chunk);
        let mut r = Response::new(stream);
        r.headers_mut().insert("content-length", (mb * 1024 * 1024).into());
        return r;
    }
    if path == "/sink" {
        let mut body = req.into_body();
        let mut n: u64 = 0;
        while let Some(f) = body.frame().await {
            match f {
                Ok(f) => n += f.data_ref().map_or(0, |d| d.len() as u64),
                Err(_) => return status(StatusCode::BAD_REQUEST, "body error"),
            }
        }
        return Response::new(body::full(n.to_string()));
    }
    if path == "/own-cors" {
        let mut r = Response::new(body::full("own"));
        r.headers_mut().insert("access-control-allow-origin", "*".parse().unwrap());
        return r;
    }
    let mut text = format!("{} {}", req.method(), req.uri());
    for name in ["host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "connection", "x-hop", "te"] {
        if let Some(v) = req.headers().get(name) {
            text.push_str(&format!("\n{name}: {}", v.to_str().unwrap_or("?")));
        }
    }
    let len = req.into_body().collect().await.map(|b| b.to_bytes().len()).unwrap_or(0);
    text.push_str(&format!("\nbody: {len}"));
    let mut r = Response::new(body::full(text));
    r.headers_mut().insert("x-hop", "upstream".parse().unwrap());
    r.headers_mut().insert("connection", "x-hop".parse().unwrap());
    r
}

fn status(s: StatusCode, text: &'static str) -> Response<Body> {
    let mut r = Response::new(body::full(text));
    *r.status_mut() = s;
    r
}

/// A body of `n` copies of `chunk`, produced one at a time.
pub fn futures_stream(n: usize, chunk: Bytes) -> Body {
    struct Chunks {
        left: usize,
        chunk: Bytes,
    }
    impl http_body::Body for Chunks {
        type Data = Bytes;
        type Error = Infallible;
        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<Frame<Bytes>, Infallible>>> {
            if self.left == 0 {
                return std::task::Poll::Ready(None);
            }
            self.left -= 1;
            std::task::Poll::Ready(Some(Ok(Frame::data(self.chunk.clone()))))
        }
    }
    body::boxed(Chunks { left: n, chunk })
}

/// Starts a gateway from config text; `{UP}` is replaced by the upstream's
/// address, and the config gets `listen = "127.0.0.1:0"` unless it has one.
pub async fn gateway(config: &str, up: SocketAddr, dir: &Path) -> Gateway {
    let text = config.replace("{UP}", &up.to_string());
    let text = if text.lines().any(|l| l.trim_start().starts_with("listen ")) {
        text
    } else {
        format!("listen = \"127.0.0.1:0\"\n{text}")
    };
    let path = dir.join("gateway.toml");
    std::fs::write(&path, &text).unwrap();
    let rt = crossgate_gateway::load_file(&path).unwrap_or_else(|e| panic!("config: {e}"));
    Gateway::start(rt, Some(path)).await.unwrap()
}

pub use crossgate_test_support::tempdir;

pub type TestClient = Client<hyper_util::client::legacy::connect::HttpConnector, Body>;

pub fn client() -> TestClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// Sends a request and collects the response.
pub async fn send(c: &TestClient, req: Request<Body>) -> (StatusCode, http::HeaderMap, String) {
    let r = tokio::time::timeout(Duration::from_secs(20), c.request(req))
        .await
        .expect("timed out")
        .expect("request failed");
    let (parts, body) = r.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (parts.status, parts.headers, String::from_utf8_lossy(&bytes).into_owned())
}

/// A request builder for `http://addr/path`.
pub fn req(method: &str, addr: SocketAddr, path: &str) -> http::request::Builder {
    Request::builder().method(method).uri(format!("http://{addr}{path}"))
}

/// The process's resident set size in KiB (Linux).
pub fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
