//! A running gateway: its listeners ([`listener`]), the admin endpoints
//! ([`admin`]), reloads ([`reload`]) and shutdown. Every connection is known
//! to the drain ([`conn`]), so shutting down means: stop accepting, tell
//! connections to finish their current request, wait for them up to
//! `shutdown_timeout`.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use http::Request;
use hyper::body::Incoming;
use hyper::service::service_fn;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use self::client_body::ClientBody;
use self::conn::Activity;
use crate::body;
use crate::code::Code;
use crate::forward::Peer;
use crate::problem::{Problem, Problems};
use crate::proxy;
use crate::runtime::Runtime;
use crate::shared::Shared;

mod admin;
mod client_body;
mod client_io;
mod conn;
mod idle_deadline;
mod listener;
mod reload;

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
        let client_idle = settings.client_idle_timeout;
        let main_service = move |addr: SocketAddr, activity: Arc<Activity>| {
            let s = Arc::clone(&s);
            let peer = Peer::new(addr);
            service_fn(move |req: Request<Incoming>| {
                let s = Arc::clone(&s);
                let peer = peer.clone();
                let busy = activity.begin();
                let req = req.map(|b| body::boxed(ClientBody::new(b, client_idle)));
                async move { Ok::<_, Infallible>(busy.until_sent(proxy::handle(s, req, peer).await)) }
            })
        };
        tasks.push(tokio::spawn(listener::serve(
            listener,
            settings.clone(),
            Arc::clone(&shared),
            stop_rx.clone(),
            main_service,
        )));
        if let Some(admin) = admin {
            let s = Arc::clone(&shared);
            let admin_port = admin_addr.map_or(0, |a| a.port());
            let admin_service = move |_peer: SocketAddr, activity: Arc<Activity>| {
                let s = Arc::clone(&s);
                service_fn(move |req: Request<Incoming>| {
                    let s = Arc::clone(&s);
                    let busy = activity.begin();
                    async move { Ok::<_, Infallible>(busy.until_sent(admin::answer(&s, &req, addr, admin_port))) }
                })
            };
            tasks.push(tokio::spawn(listener::serve(
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
                gw.watcher = Some(tokio::spawn(reload::watch_file(path, s, stop_rx)));
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
        self.shared.render_metrics()
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
            Some(p) => reload::reload_from(p, &self.shared),
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
