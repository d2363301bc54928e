//! A loaded config: what the gateway serves with until the next reload,
//! immutable and swapped whole.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crossgate_core::{Mode, Policy};
use http::uri::Authority;

use crate::hosts::AllowedHosts;
use crate::problem::Problem;
use crate::s3::S3Cors;
use crate::target::PathOptions;

/// hyper's default limit on request header lines (`max_headers`).
pub(crate) const HYPER_DEFAULT_MAX_HEADERS: usize = 100;

/// Limits and timeouts, resolved with their defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Settings {
    /// Client listener.
    pub(crate) listen: SocketAddr,
    /// Admin listener.
    pub(crate) admin_listen: Option<SocketAddr>,
    /// Connection limit.
    pub(crate) max_connections: usize,
    /// HTTP/2 streams in flight per client connection.
    pub(crate) max_concurrent_streams: u32,
    /// Connections per upstream (in use and pooled).
    pub(crate) max_upstream_connections: usize,
    /// Longest wait for a connection to a saturated upstream (then 503).
    pub(crate) upstream_queue_timeout: Duration,
    /// Longest a client may leave a response unread or a request body
    /// unsent.
    pub(crate) client_idle_timeout: Duration,
    /// `Host` names the admin listener answers.
    pub(crate) admin_allowed_hosts: Vec<String>,
    /// Header-size limit (431).
    pub(crate) max_request_header_bytes: usize,
    /// Header-line limit (431 from the HTTP layer, without CORS headers).
    pub(crate) max_request_headers: usize,
    /// Body-size limit (413).
    pub(crate) max_request_body_bytes: u64,
    /// Upstream connect timeout.
    pub(crate) connect_timeout: Duration,
    /// Client request-header (and keep-alive idle) timeout.
    pub(crate) request_header_timeout: Duration,
    /// Upstream response timeout (504).
    pub(crate) upstream_timeout: Duration,
    /// Pooled connection idle timeout.
    pub(crate) upstream_idle_timeout: Duration,
    /// Drain time on shutdown.
    pub(crate) shutdown_timeout: Duration,
    /// Reload on file change.
    pub(crate) watch: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            admin_listen: None,
            max_connections: 1024,
            max_concurrent_streams: 100,
            max_upstream_connections: 1024,
            upstream_queue_timeout: Duration::from_secs(5),
            client_idle_timeout: Duration::from_secs(30),
            admin_allowed_hosts: ["localhost", "127.0.0.1", "[::1]"].map(str::to_owned).to_vec(),
            max_request_header_bytes: 16 * 1024,
            // hyper's default: up to 100 lines are parsed into a stack
            // array; a larger limit costs a heap array per request.
            max_request_headers: HYPER_DEFAULT_MAX_HEADERS,
            max_request_body_bytes: 1 << 30,
            connect_timeout: Duration::from_secs(5),
            request_header_timeout: Duration::from_secs(30),
            upstream_timeout: Duration::from_secs(60),
            upstream_idle_timeout: Duration::from_secs(90),
            shutdown_timeout: Duration::from_secs(30),
            watch: true,
        }
    }
}

/// Where a route sends requests, over `http` (TLS toward upstreams is not
/// supported).
#[derive(Clone, Debug)]
pub(crate) struct Upstream {
    /// Host and port.
    pub(crate) authority: Authority,
    /// Base path prepended to forwarded paths, without a trailing `/`.
    pub(crate) base_path: String,
    /// The authority as a `Host` value, made once.
    pub(crate) host: http::HeaderValue,
}

/// How a route decides CORS.
#[derive(Debug)]
pub(crate) enum RouteCors {
    /// A crossgate policy.
    Policy(Box<Policy>),
    /// An S3 bucket CORS configuration.
    S3(S3Cors),
}

/// A validated route.
#[derive(Debug)]
pub(crate) struct Route {
    /// The prefix.
    pub(crate) path: String,
    /// The upstream.
    pub(crate) upstream: Upstream,
    /// Strip the prefix when forwarding.
    pub(crate) strip_prefix: bool,
    /// Forward preflights.
    pub(crate) forward_preflights: bool,
    /// Keep the client's `Host`.
    pub(crate) preserve_host: bool,
    /// Enforce, or only report (S3 routes; a policy carries its own mode).
    pub(crate) mode: Mode,
    /// The CORS decision maker.
    pub(crate) cors: RouteCors,
}

impl Route {
    /// Whether `path` falls under this route's prefix.
    pub(crate) fn matches(&self, path: &str) -> bool {
        prefix_matches(&self.path, path)
    }
}

pub(crate) fn prefix_matches(prefix: &str, path: &str) -> bool {
    if prefix == "/" {
        return true;
    }
    match path.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

/// A loaded config: what the proxy serves with until the next reload.
#[derive(Debug)]
pub struct Runtime {
    /// Limits and timeouts.
    pub(crate) settings: Settings,
    /// The `Host` check.
    pub(crate) allowed_hosts: AllowedHosts,
    /// How request paths are normalised before routing.
    pub(crate) paths: PathOptions,
    /// Routes, longest prefix first.
    pub(crate) routes: Vec<Route>,
    /// Warnings found while loading.
    pub(crate) warnings: Vec<Problem>,
    /// The policy and S3 files the routes were read from (watched with
    /// the config file).
    pub(crate) sources: Vec<PathBuf>,
}

impl Runtime {
    /// The warnings found while loading (a config with errors is not loaded).
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// How many routes it has.
    pub fn route_count(&self) -> usize {
        self.routes.len()
    }

    /// The route for a path: the longest matching prefix.
    pub(crate) fn route(&self, path: &str) -> Option<(usize, &Route)> {
        self.routes.iter().enumerate().find(|(_, r)| r.matches(path))
    }
}
