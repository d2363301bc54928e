//! The built-in scene `crossgate serve` starts without a config: the seeds'
//! own system. A front-end origin serves a plain HTML/JS page (shipped in
//! the binary, no build step) that calls an API origin: a JSON CRUD service
//! over SQLite behind the gateway's policy. The policy allows the page's
//! `localhost` origin only, so the same page opened as `127.0.0.1` shows
//! the browser blocking the same calls, with crossgate's explanation: the
//! browser emulator's verdict and Chromium's console message for the same
//! call against the same policy, which the page shows beside what the real
//! browser did.

pub mod api;

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crossgate_core::RuleConfig;
use http::{header, HeaderValue, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::body::{self, Body};
use crate::config::{GatewayFile, RouteFile};
use crate::explain;
use crate::proxy::Shared;
use crate::server::Gateway;

const PAGE: &str = include_str!("page.html");

/// Where and how to run the demo.
#[derive(Clone, Debug)]
pub struct Options {
    /// Directory for the SQLite file.
    pub data_dir: PathBuf,
    /// The API origin's port (the gateway's); 0 picks one.
    pub api_port: u16,
    /// The front-end origin's port; 0 picks one.
    pub front_port: u16,
}

/// The running demo.
pub struct Demo {
    /// The gateway in front of the API.
    pub gateway: Gateway,
    /// The API origin, e.g. `http://localhost:8000`.
    pub api_url: String,
    /// The front-end on the origin the policy allows.
    pub front_url: String,
    /// The same front-end on an origin the policy does not allow.
    pub other_front_url: String,
    /// The SQLite file.
    pub database: PathBuf,
    tasks: Vec<JoinHandle<()>>,
}

impl Demo {
    /// Stops the front-end and the API, and drains the gateway.
    pub async fn shutdown(self) -> bool {
        for t in &self.tasks {
            t.abort();
        }
        self.gateway.shutdown().await
    }
}

/// The per-user data directory: `$XDG_DATA_HOME/crossgate`, else
/// `~/.local/share/crossgate`, else a directory under the temp dir.
pub fn default_data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("crossgate");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(h).join(".local/share/crossgate");
    }
    std::env::temp_dir().join("crossgate")
}

/// Starts the API, the gateway in front of it and the front-end, all on
/// 127.0.0.1.
///
/// # Errors
///
/// A port cannot be bound, or the database cannot be opened.
pub async fn start(opts: &Options) -> io::Result<Demo> {
    std::fs::create_dir_all(&opts.data_dir)?;
    let database = opts.data_dir.join("demo.sqlite3");
    let api = api::Api::open(&database).map_err(|e| io::Error::other(format!("{}: {e}", database.display())))?;
    let front_listener = TcpListener::bind(("127.0.0.1", opts.front_port)).await?;
    let gw_listener = TcpListener::bind(("127.0.0.1", opts.api_port)).await?;
    let api_listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let front_port = front_listener.local_addr()?.port();
    let api_port = gw_listener.local_addr()?.port();
    let api_addr = api_listener.local_addr()?;
    let api_url = format!("http://localhost:{api_port}");
    let front_url = format!("http://localhost:{front_port}");
    let other_front_url = format!("http://127.0.0.1:{front_port}");

    let runtime = demo_runtime(&front_url, api_addr, api_port).map_err(|e| io::Error::other(e.to_string()))?;
    let gateway = Gateway::from_listeners(runtime, None, gw_listener, None);

    let mut tasks = Vec::new();
    tasks.push(tokio::spawn(serve_plain(api_listener, move |req: Request<Incoming>| {
        let api = api.clone();
        async move { api.handle(req).await }
    })));
    let page = Arc::new(
        PAGE.replace("__API__", &api_url).replace("__ALLOWED__", &front_url).replace("__OTHER__", &other_front_url),
    );
    let shared = Arc::clone(gateway.shared());
    let api_host = format!("localhost:{api_port}");
    tasks.push(tokio::spawn(serve_plain(front_listener, move |req: Request<Incoming>| {
        let page = Arc::clone(&page);
        let shared = Arc::clone(&shared);
        let api_host = api_host.clone();
        async move { front(&req, &page, &shared, &api_host) }
    })));
    Ok(Demo { gateway, api_url, front_url, other_front_url, database, tasks })
}

/// The demo's gateway config: `/api` in front of the SQLite API, allowing
/// the `localhost` front-end origin only, with credentials, in strict mode
/// (so a disallowed `POST` never reaches the API); and `/api/offline`, whose
/// upstream is down.
fn demo_runtime(
    front_origin: &str,
    api_addr: SocketAddr,
    gateway_port: u16,
) -> Result<crate::Runtime, crate::Problems> {
    let rule = RuleConfig::new([front_origin])
        .methods(["GET", "POST", "DELETE"])
        .request_headers(["content-type"])
        .credentials(true)
        .max_age(5);
    let file = GatewayFile {
        listen: Some(format!("127.0.0.1:{gateway_port}")),
        allowed_hosts: vec!["localhost".into(), "127.0.0.1".into()],
        watch: Some(false),
        routes: vec![
            RouteFile {
                path: Some("/api".into()),
                upstream: Some(format!("http://{api_addr}")),
                strict: Some(true),
                rule: vec![rule.clone()],
                ..RouteFile::default()
            },
            // An upstream that is down (nothing listens on port 1): the
            // gateway's 502 carries CORS headers, so the page can read it.
            RouteFile {
                path: Some("/api/offline".into()),
                upstream: Some("http://127.0.0.1:1".into()),
                strict: Some(true),
                rule: vec![rule],
                ..RouteFile::default()
            },
        ],
        ..GatewayFile::default()
    };
    crate::config::build(file, Path::new("."))
}

fn front(req: &Request<Incoming>, page: &str, shared: &Shared, api_host: &str) -> Response<Body> {
    match req.uri().path() {
        "/" | "/index.html" => {
            let mut r = Response::new(body::full(page.to_owned()));
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        "/explain" => {
            let call = explain::Call::from_query(req.uri().query().unwrap_or(""));
            api::json_response(StatusCode::OK, &explain::explain(&shared.current(), api_host, &call))
        }
        _ => crate::proxy::plain(StatusCode::NOT_FOUND, "Not Found"),
    }
}

/// A minimal HTTP/1.1 server for the demo's own origins.
async fn serve_plain<F, Fut>(listener: TcpListener, handler: F)
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send + 'static,
{
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let handler = handler.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| {
                let fut = handler(req);
                async move { Ok::<_, Infallible>(fut.await) }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
        });
    }
}
