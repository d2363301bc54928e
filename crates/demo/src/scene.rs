//! The scene: the API, the gateway in front of it and the front-end, each
//! on its own loopback origin.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crossgate_gateway::Gateway;
use http::Request;
use hyper::body::Incoming;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::api::Api;
use crate::options::Options;
use crate::page::Front;
use crate::server::serve;

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
    /// The API's own listener (loopback). It answers only requests whose
    /// `Host` is the gateway's, so browsers reach it only through the
    /// gateway.
    pub api_addr: SocketAddr,
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

/// Starts the API, the gateway in front of it and the front-end, all on
/// 127.0.0.1.
///
/// # Errors
///
/// A port cannot be bound, or the database cannot be opened.
pub async fn start(opts: &Options) -> io::Result<Demo> {
    std::fs::create_dir_all(&opts.data_dir)?;
    let database = opts.data_dir.join("demo.sqlite3");
    let api = Api::open(&database).map_err(|e| io::Error::other(format!("{}: {e}", database.display())))?;
    let front_listener = TcpListener::bind(("127.0.0.1", opts.front_port)).await?;
    let gw_listener = TcpListener::bind(("127.0.0.1", opts.api_port)).await?;
    let api_listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let front_port = front_listener.local_addr()?.port();
    let api_port = gw_listener.local_addr()?.port();
    let api_addr = api_listener.local_addr()?;
    let api_url = format!("http://localhost:{api_port}");
    let front_url = format!("http://localhost:{front_port}");
    let other_front_url = format!("http://127.0.0.1:{front_port}");

    let runtime =
        crate::gateway::runtime(&front_url, api_addr, api_port).map_err(|e| io::Error::other(e.to_string()))?;
    let gateway = Gateway::from_listeners(runtime, None, gw_listener, None);

    let mut tasks = Vec::new();
    // The gateway keeps the client's Host (`preserve_host`), one of these.
    let gateway_hosts = vec![format!("localhost:{api_port}"), format!("127.0.0.1:{api_port}")];
    tasks.push(tokio::spawn(serve(api_listener, gateway_hosts, move |req: Request<Incoming>| {
        let api = api.clone();
        async move { api.handle(req).await }
    })));
    // Started without a config file, the gateway never reloads: the config
    // it started with is the one it serves with until it stops.
    let front = Arc::new(Front::new(&api_url, &front_url, &other_front_url, gateway.runtime()));
    let front_hosts = vec![format!("localhost:{front_port}"), format!("127.0.0.1:{front_port}")];
    tasks.push(tokio::spawn(serve(front_listener, front_hosts, move |req: Request<Incoming>| {
        let front = Arc::clone(&front);
        async move { front.answer(&req) }
    })));
    Ok(Demo { gateway, api_url, front_url, other_front_url, database, api_addr, tasks })
}
