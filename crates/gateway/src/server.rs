//! Listeners, connections, reload and shutdown.
//!
//! One accept loop per listener. A semaphore bounds open connections (the
//! loop stops accepting while it is full, so the kernel's backlog absorbs
//! bursts instead of the process's memory). Each connection is HTTP/1.1 or
//! HTTP/2 (prior knowledge) by its first bytes, and is known to the drain
//! ([`conn`]), so shutting down means: stop accepting, tell connections to
//! finish their current request, wait for them up to `shutdown_timeout`.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinHandle;

use crate::body::{self, Body};
use crate::code::Code;
use crate::config::{self, Runtime};
use crate::problem::{Problem, Problems};
use crate::proxy;
use crate::response::plain;
use crate::shared::Shared;

mod conn;

use conn::{Drain, Protocol};

/// A running gateway.
pub struct Gateway {
    shared: Arc<Shared>,
    config_path: Option<PathBuf>,
    addr: SocketAddr,
    admin_addr: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<bool>>,
    watcher: Option<JoinHandle<()>>,
}

impl Gateway {
    /// Binds the listeners of `runtime` and starts serving. With a
    /// `config_path`, [`Gateway::reload`] re-reads it, and so does a change
    /// of the file when `watch` is on.
    ///
    /// # Errors
    ///
    /// A listener cannot be bound.
    pub async fn start(runtime: Runtime, config_path: Option<PathBuf>) -> io::Result<Gateway> {
        let listener = TcpListener::bind(runtime.settings.listen).await?;
        let admin = match runtime.settings.admin_listen {
            Some(a) => Some(TcpListener::bind(a).await?),
            None => None,
        };
        Ok(Self::from_listeners(runtime, config_path, listener, admin))
    }

    /// Starts serving on listeners the caller bound (the demo binds its
    /// ports first, to put them in the policy). Spawns tasks, so it must be
    /// called within a Tokio runtime.
    pub fn from_listeners(
        runtime: Runtime,
        config_path: Option<PathBuf>,
        listener: TcpListener,
        admin: Option<TcpListener>,
    ) -> Gateway {
        let settings = runtime.settings.clone();
        let addr = listener.local_addr().unwrap_or(settings.listen);
        let admin_addr = admin.as_ref().and_then(|l| l.local_addr().ok());
        let shared = Arc::new(Shared::new(runtime));
        let (stop, stop_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        let s = Arc::clone(&shared);
        let main_service = move |addr: SocketAddr| {
            let s = Arc::clone(&s);
            let peer = proxy::Peer::new(addr);
            service_fn(move |req: Request<Incoming>| {
                let s = Arc::clone(&s);
                let peer = peer.clone();
                async move { Ok::<_, Infallible>(proxy::handle(s, req.map(body::boxed), peer).await) }
            })
        };
        tasks.push(tokio::spawn(serve(listener, settings.clone(), Arc::clone(&shared), stop_rx.clone(), main_service)));
        if let Some(admin) = admin {
            let s = Arc::clone(&shared);
            let admin_service = move |_peer: SocketAddr| {
                let s = Arc::clone(&s);
                service_fn(move |req: Request<Incoming>| {
                    let s = Arc::clone(&s);
                    async move { Ok::<_, Infallible>(admin_answer(&s, &req, addr)) }
                })
            };
            tasks.push(tokio::spawn(serve(
                admin,
                settings.clone(),
                Arc::clone(&shared),
                stop_rx.clone(),
                admin_service,
            )));
        }
        let mut gw = Gateway { shared, config_path, addr, admin_addr, stop, tasks, watcher: None };
        if settings.watch {
            if let Some(path) = gw.config_path.clone() {
                let s = Arc::clone(&gw.shared);
                gw.watcher = Some(tokio::spawn(watch_file(path, s, stop_rx)));
            }
        }
        gw
    }

    /// The client listener's address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The admin listener's address.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin_addr
    }

    /// The config in force: a snapshot, which a reload replaces and never
    /// changes.
    pub fn runtime(&self) -> Arc<Runtime> {
        self.shared.current()
    }

    /// The metrics as `/-/metrics` serves them (Prometheus text format).
    pub fn metrics(&self) -> String {
        self.shared.metrics.render()
    }

    /// How many upstream connections are pooled idle now.
    pub fn idle_upstream_connections(&self) -> usize {
        self.shared.pool().idle_count()
    }

    /// Re-reads the config file and swaps it in; an invalid file is refused
    /// and the running config keeps serving.
    ///
    /// # Errors
    ///
    /// The new file's problems (already logged).
    pub fn reload(&self) -> Result<Vec<Problem>, Problems> {
        match &self.config_path {
            Some(p) => reload_from(p, &self.shared),
            None => Err(Problems(vec![Problem::new(
                Code::NoConfigFile,
                "",
                "",
                "this gateway was not started from a config file",
                "start it with --config",
            )])),
        }
    }

    /// Stops accepting, lets in-flight requests finish within the
    /// configured shutdown timeout, and returns whether every connection
    /// finished in time.
    pub async fn shutdown(mut self) -> bool {
        let _ = self.stop.send(true);
        if let Some(w) = self.watcher.take() {
            w.abort();
        }
        let mut clean = true;
        for t in self.tasks.drain(..) {
            clean &= t.await.unwrap_or(false);
        }
        clean
    }
}

/// Settings that shape listeners, connections and the upstream pool, so a
/// reload cannot change them (routes, hosts, mode, size limits and the
/// upstream timeout are per request and do change).
fn start_only_changes(old: &crate::config::Settings, new: &crate::config::Settings) -> Vec<&'static str> {
    [
        ("listen", old.listen != new.listen),
        ("admin_listen", old.admin_listen != new.admin_listen),
        ("max_connections", old.max_connections != new.max_connections),
        ("max_request_headers", old.max_request_headers != new.max_request_headers),
        ("connect_timeout_ms", old.connect_timeout != new.connect_timeout),
        ("request_header_timeout_ms", old.request_header_timeout != new.request_header_timeout),
        ("upstream_idle_timeout_ms", old.upstream_idle_timeout != new.upstream_idle_timeout),
        ("shutdown_timeout_ms", old.shutdown_timeout != new.shutdown_timeout),
        ("watch", old.watch != new.watch),
    ]
    .into_iter()
    .filter_map(|(k, changed)| changed.then_some(k))
    .collect()
}

fn reload_from(path: &Path, shared: &Shared) -> Result<Vec<Problem>, Problems> {
    match config::load_file(path) {
        Ok(rt) => {
            let changed = start_only_changes(&shared.current().settings, &rt.settings);
            if !changed.is_empty() {
                tracing::warn!(target: "crossgate::reload", keys = %changed.join(", "), "these settings are read at start and take effect on restart");
            }
            for w in &rt.warnings {
                tracing::warn!(target: "crossgate::reload", "{w}");
            }
            let warnings = rt.warnings.clone();
            shared.swap(rt);
            shared.metrics.reload(true);
            tracing::info!(target: "crossgate::reload", file = %path.display(), "config reloaded");
            Ok(warnings)
        }
        Err(problems) => {
            shared.metrics.reload(false);
            for p in problems.errors() {
                tracing::error!(target: "crossgate::reload", file = %path.display(), "{p}");
            }
            tracing::error!(target: "crossgate::reload", "reload refused; the running config keeps serving");
            Err(problems)
        }
    }
}

/// Modification time and size of the config file and of every policy and
/// S3 file the running config was read from.
fn stamp(path: &Path, shared: &Shared) -> Vec<Option<(SystemTime, u64)>> {
    let one = |p: &Path| std::fs::metadata(p).ok().and_then(|m| Some((m.modified().ok()?, m.len())));
    std::iter::once(one(path)).chain(shared.current().sources.iter().map(|p| one(p))).collect()
}

/// Polls modification times and sizes once a second: portable, and a
/// rename-over (how editors and config managers write) is seen too.
async fn watch_file(path: PathBuf, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut last = stamp(&path, &shared);
    loop {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
        let now = stamp(&path, &shared);
        if now.first().is_some_and(Option::is_some) && now != last {
            // Stamped before reading: a file still being written when it was
            // read changes again, and is read again on the next tick. (A
            // reload that changes the set of files causes one extra,
            // harmless reload.)
            last = now;
            let _ = reload_from(&path, &shared);
        }
    }
}

/// The admin listener's answers; `listen` is the client listener's address,
/// the API host `/-/explain` assumes when the query names none.
fn admin_answer(shared: &Shared, req: &Request<Incoming>, listen: SocketAddr) -> Response<Body> {
    match req.uri().path() {
        "/-/health" => {
            let rt = shared.current();
            let mut r = Response::new(body::full(format!("{{\"status\":\"ok\",\"routes\":{}}}\n", rt.routes.len())));
            r.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
            r
        }
        "/-/metrics" => {
            let mut r = Response::new(body::full(shared.metrics.render()));
            r.headers_mut()
                .insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/plain; version=0.0.4"));
            r
        }
        "/-/explain" => {
            let call = crate::explain::Call::from_query(req.uri().query().unwrap_or(""));
            let host = req
                .uri()
                .query()
                .and_then(|q| crate::query::parse_query(q).into_iter().find(|(k, _)| k == "host"))
                .map(|(_, v)| v)
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| listen.to_string());
            let v = crate::explain::explain(&shared.current(), &host, &call);
            let mut r = Response::new(body::full(format!("{v}\n")));
            r.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
            r
        }
        _ => plain(StatusCode::NOT_FOUND, "Not Found: the admin listener serves /-/health, /-/metrics and /-/explain"),
    }
}

/// Accepts connections until told to stop, then drains them. Returns
/// whether every connection finished within the shutdown timeout.
async fn serve<M, S>(
    listener: TcpListener,
    settings: crate::config::Settings,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
    make: M,
) -> bool
where
    M: Fn(SocketAddr) -> S,
    S: hyper::service::Service<Request<Incoming>, Response = Response<Body>, Error = Infallible> + Send + 'static,
    S::Future: Send + 'static,
{
    let mut http1 = hyper::server::conn::http1::Builder::new();
    http1.timer(TokioTimer::new()).header_read_timeout(settings.request_header_timeout).keep_alive(true);
    // Over this many header lines hyper answers 431 itself (no CORS
    // headers); the gateway's own 431 covers heads under the limit that are
    // too large in bytes. Set only when it differs from hyper's default:
    // setting it at all makes hyper fill a slot array per request instead
    // of using its stack array.
    if settings.max_request_headers != crate::config::HYPER_DEFAULT_MAX_HEADERS {
        http1.max_headers(settings.max_request_headers);
    }
    // Room well beyond the configured limit, so oversized heads reach the
    // handler and get a 431 with CORS headers (hyper's own 431, past this
    // buffer, has none).
    http1.max_buf_size(settings.max_request_header_bytes.saturating_mul(4).max(256 * 1024));
    let mut http2 = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
    http2
        .timer(TokioTimer::new())
        // Pings find HTTP/2 peers that vanished without closing, so their
        // connection slots come back.
        .keep_alive_interval(settings.request_header_timeout)
        .keep_alive_timeout(Duration::from_secs(20))
        .max_header_list_size(
            u32::try_from(settings.max_request_header_bytes.saturating_mul(4)).unwrap_or(u32::MAX).max(256 * 1024),
        );
    let builders = Arc::new((http1, http2));
    let drain = Arc::new(Drain::default());
    let limit = Arc::new(Semaphore::new(settings.max_connections));
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&limit).acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = stop.changed() => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(target: "crossgate::accept", error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let service = make(peer);
        let builders = Arc::clone(&builders);
        let drain = Arc::clone(&drain);
        let mut stop = stop.clone();
        let header_timeout = settings.request_header_timeout;
        let metrics_owner = Arc::clone(&shared);
        metrics_owner.metrics.connections(1);
        tokio::spawn(async move {
            // hyper's header timeout starts with the first byte, so a client
            // that connects and says nothing would hold its connection slot
            // forever: telling HTTP/1 from HTTP/2 gets the same timeout.
            let protocol = tokio::select! {
                r = tokio::time::timeout(header_timeout, conn::sniff(&stream)) => r.ok().and_then(Result::ok).flatten(),
                _ = stop.changed() => None,
            };
            let (http1, http2) = &*builders;
            match protocol {
                Some(Protocol::Http1) => {
                    drain.serve(http1.serve_connection(TokioIo::new(stream), service).with_upgrades()).await
                }
                Some(Protocol::Http2) => drain.serve(http2.serve_connection(TokioIo::new(stream), service)).await,
                None => {}
            }
            metrics_owner.metrics.connections(-1);
            drop(permit);
        });
    }
    drop(listener);
    drain.start();
    tokio::time::timeout(settings.shutdown_timeout, drain.finished()).await.is_ok()
}
