//! One listener's accept loop: a semaphore bounds open connections from
//! accept to close (the loop stops accepting while it is full, so the
//! kernel's backlog absorbs bursts instead of the process's memory); each
//! connection is HTTP/1.1 or HTTP/2 by its first bytes ([`conn`]), read
//! within `request_header_timeout`, and is drained on shutdown.
//!
//! The HTTP/2 limits are set here, explicitly, rather than left to hyper's
//! defaults (which hyper says may change): see `docs/security.md`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

use super::client_io::ClientIo;
use super::conn::{self, Activity, Drain, Idle, Protocol};
use crate::body::Body;
use crate::runtime::{Settings, HYPER_DEFAULT_MAX_HEADERS};
use crate::shared::Shared;

/// How long an HTTP/2 keep-alive ping waits for its answer.
const H2_KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(20);
/// h2's own default, set so it cannot change under us.
const H2_MAX_PENDING_ACCEPT_RESET_STREAMS: usize = 20;
/// hyper's own default, set so it cannot change under us.
const H2_MAX_LOCAL_ERROR_RESET_STREAMS: usize = 1024;

/// Accepts connections until told to stop, then drains them. Returns
/// whether every connection finished within the shutdown timeout.
pub(super) async fn serve<M, S>(
    listener: TcpListener,
    settings: Settings,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
    make: M,
) -> bool
where
    M: Fn(SocketAddr, Arc<Activity>) -> S,
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
    if settings.max_request_headers != HYPER_DEFAULT_MAX_HEADERS {
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
        .keep_alive_timeout(H2_KEEP_ALIVE_TIMEOUT)
        // Requests in flight per connection (RFC 9113 §5.1.2): without it
        // one connection asks for as many upstream exchanges as it likes.
        .max_concurrent_streams(settings.max_concurrent_streams)
        // Rapid reset (CVE-2023-44487): streams the client opened and reset
        // before they were accepted; more and the connection gets GOAWAY.
        .max_pending_accept_reset_streams(H2_MAX_PENDING_ACCEPT_RESET_STREAMS)
        // Streams the server had to reset for the client's protocol errors
        // (RUSTSEC-2024-0003).
        .max_local_error_reset_streams(H2_MAX_LOCAL_ERROR_RESET_STREAMS)
        // The decoded header block, CONTINUATION frames included (the 2024
        // CONTINUATION flood, VU#421644): past it the stream is refused.
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
        let activity = Arc::new(Activity::default());
        let service = make(peer, Arc::clone(&activity));
        let builders = Arc::clone(&builders);
        let drain = Arc::clone(&drain);
        let mut stop = stop.clone();
        let header_timeout = settings.request_header_timeout;
        let client_idle = settings.client_idle_timeout;
        let metrics_owner = Arc::clone(&shared);
        metrics_owner.metrics.connections(1);
        tokio::spawn(async move {
            let mut stream = stream;
            // hyper's header timeout starts once it is given the
            // connection, so telling HTTP/1 from HTTP/2 gets the same
            // timeout: a client that says nothing, or part of the preface,
            // is closed after it.
            let protocol = tokio::select! {
                r = tokio::time::timeout(header_timeout, conn::read_preface(&mut stream)) => r.ok().and_then(Result::ok).flatten(),
                _ = stop.changed() => None,
            };
            let (http1, http2) = &*builders;
            match protocol {
                Some((Protocol::Http1, preface)) => {
                    let io = TokioIo::new(ClientIo::new(stream, preface, client_idle));
                    drain.serve(http1.serve_connection(io, service).with_upgrades(), None).await
                }
                Some((Protocol::Http2, preface)) => {
                    let io = TokioIo::new(ClientIo::new(stream, preface, client_idle));
                    let idle = Idle::new(activity, header_timeout);
                    drain.serve(http2.serve_connection(io, service), Some(idle)).await
                }
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
