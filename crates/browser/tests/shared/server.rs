//! The scripted loopback server: the page at `/`, each case's hops at
//! `/c/{case}/{hop}`. It records what arrives.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::model::{reply, Case, Env};

/// What one request looked like, as far as CORS goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub hop: usize,
    pub method: String,
    pub origin: Option<String>,
    pub acrm: Option<String>,
    pub acrh: Option<String>,
    /// `Sec-Fetch-Site`, `-Mode`, `-Dest`.
    pub fetch_metadata: [Option<String>; 3],
}

#[derive(Default)]
pub struct State {
    pub env: Option<Env>,
    pub cases: Vec<Case>,
    /// Per case: requests in arrival order.
    pub seen: HashMap<usize, Vec<Seen>>,
    /// Per (case, hop): OPTIONS requests answered.
    options: HashMap<(usize, usize), usize>,
}

pub type Shared = Arc<Mutex<State>>;

pub const PAGE: &str = "<!doctype html><html><head><title>crossgate</title></head><body></body></html>";

/// Parses `/c/{case}/{hop}`.
pub fn parse_path(path: &str) -> Option<(usize, usize)> {
    let rest = path.strip_prefix("/c/")?;
    let (c, h) = rest.split_once('/')?;
    Some((c.parse().ok()?, h.parse().ok()?))
}

fn header(req: &hyper::Request<hyper::body::Incoming>, name: &str) -> Option<String> {
    req.headers().get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

async fn handle(
    state: Shared,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    if path == "/" {
        let mut resp = hyper::Response::new(Full::new(Bytes::from_static(PAGE.as_bytes())));
        resp.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static("text/html"));
        return Ok(resp);
    }
    let method = req.method().as_str().to_owned();
    let answer = parse_path(&path).and_then(|(c, h)| {
        let mut st = state.lock().ok()?;
        st.seen.entry(c).or_default().push(Seen {
            hop: h,
            method: method.clone(),
            origin: header(&req, "origin"),
            acrm: header(&req, "access-control-request-method"),
            acrh: header(&req, "access-control-request-headers"),
            fetch_metadata: [
                header(&req, "sec-fetch-site"),
                header(&req, "sec-fetch-mode"),
                header(&req, "sec-fetch-dest"),
            ],
        });
        let count = if method == "OPTIONS" {
            let n = st.options.entry((c, h)).or_default();
            *n += 1;
            *n - 1
        } else {
            0
        };
        let env = st.env.clone()?;
        let case = st.cases.get(c)?;
        reply(&env, case, h, &method, count)
    });
    let Some((status, headers, body)) = answer else {
        let mut r = hyper::Response::new(Full::new(Bytes::new()));
        *r.status_mut() = hyper::StatusCode::NOT_FOUND;
        return Ok(r);
    };
    let mut resp = hyper::Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (n, v) in headers {
        if let (Ok(n), Ok(v)) =
            (hyper::header::HeaderName::from_bytes(n.as_bytes()), hyper::header::HeaderValue::from_str(&v))
        {
            resp.headers_mut().append(n, v);
        }
    }
    Ok(resp)
}

/// Serves `listener` forever (until the runtime stops).
pub async fn serve(listener: TcpListener, state: Shared) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let state = state.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| handle(state.clone(), req));
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
        });
    }
}
