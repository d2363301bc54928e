//! Upstream HTTP/1.1 connections, pooled, each driven by the request that
//! is using it.
//!
//! A general-purpose pooled client runs every connection as a task of its
//! own and hands each request to it over a channel, then the response back:
//! two task wake-ups and two channel hops per request, on top of the
//! client's own bookkeeping. A proxy already has a task per request (the
//! client connection's), so here that task polls the upstream connection
//! itself: while waiting for the response head, then from inside the
//! response body ([`UpstreamBody`]) until the body ends, when the connection
//! goes back to the pool. A connection is only ever used by one request at
//! a time (HTTP/1.1 without pipelining).
//!
//! Idle connections are not polled per request. One the upstream closed
//! while idle is found at checkout (one poll reads its end of stream) and
//! skipped; if hyper finds it closed only when about to write, it hands the
//! request back and it goes on another connection. Once a second a sweep
//! drops idle connections older than `upstream_idle_timeout` and those the
//! upstream has closed (many servers close idle connections after a few
//! seconds), so closed sockets are not kept open on our side.
//!
//! Each upstream has at most `max_upstream_connections` connections, in
//! use and pooled together: each holds a permit of the upstream's
//! semaphore. A request that finds none free and no idle connection waits
//! for either, up to `upstream_queue_timeout`, then fails with
//! [`Saturated`] (the proxy's 503). Without the ceiling, HTTP/2 clients
//! multiply upstream connections: every stream in flight is an exchange of
//! its own on an HTTP/1.1 upstream.
//!
//! Protocol upgrades (WebSocket) get a connection of their own that is never
//! pooled and not counted (it is a relay for as long as the client wants),
//! run as a task, since after `101` it belongs to the relay.

use std::fmt::{self, Write as _};
use std::future::{poll_fn, Future};
use std::io;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::uri::Authority;
use http::{Request, Response};
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use crate::body::{Body, BoxError};

mod link;

use link::Link;

type Sender = http1::SendRequest<Body>;
/// Boxed: a connection is a few hundred bytes and moves in and out of the
/// pool on every request; a box moves as a pointer.
type Connection = Box<Link>;

/// Idle connections kept per upstream, at most.
const MAX_IDLE_PER_UPSTREAM: usize = 1024;

/// A connection waiting in the pool.
struct Idle {
    sender: Sender,
    conn: Connection,
    since: Instant,
    permit: OwnedSemaphorePermit,
}

/// The connection slots of one upstream.
struct Slots {
    /// One permit per connection that may be open.
    permits: Arc<Semaphore>,
    /// Signalled when a connection goes back to the pool.
    returned: Notify,
    /// Requests waiting for a connection.
    waiting: AtomicUsize,
}

/// Idle connections to one upstream, oldest first, and its slots.
struct Upstream {
    authority: Authority,
    idle: Vec<Idle>,
    slots: Arc<Slots>,
}

/// Counts a request as waiting for a connection until dropped, also when
/// the request is cancelled while it waits.
struct Waiting<'a>(&'a Slots);

impl<'a> Waiting<'a> {
    fn new(slots: &'a Slots) -> Self {
        slots.waiting.fetch_add(1, Ordering::Relaxed);
        Waiting(slots)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Every connection to an upstream is in use, and none came free within
/// `upstream_queue_timeout`.
#[derive(Debug)]
pub(crate) struct Saturated;

impl fmt::Display for Saturated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("every connection to the upstream is in use (max_upstream_connections)")
    }
}

impl std::error::Error for Saturated {}

/// Whether an exchange failed because its upstream is saturated.
pub(crate) fn is_saturated(e: &(dyn std::error::Error + 'static)) -> bool {
    e.is::<Saturated>()
}

/// One of the pool's gauges: an upstream's value, given the limit.
type Gauge = fn(&Upstream, usize) -> usize;

/// The pool's limits and timeouts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) connect_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_per_upstream: usize,
    pub(crate) queue_timeout: Duration,
}

/// Pooled HTTP/1.1 connections to upstreams, by authority. A gateway has a
/// handful of upstreams, so they are found by a linear scan comparing the
/// authority's text (configs hold it in canonical form), not by hashing.
pub(crate) struct Pool {
    upstreams: Mutex<Vec<Upstream>>,
    connect_timeout: Duration,
    idle_timeout: Duration,
    max_per_upstream: usize,
    queue_timeout: Duration,
}

impl Pool {
    /// A pool; inside a Tokio runtime it also starts the idle sweep, which
    /// ends when the pool is dropped.
    pub(crate) fn new(limits: Limits) -> Arc<Pool> {
        let Limits { connect_timeout, idle_timeout, max_per_upstream, queue_timeout } = limits;
        let pool = Arc::new(Pool {
            upstreams: Mutex::new(Vec::new()),
            connect_timeout,
            idle_timeout,
            max_per_upstream: max_per_upstream.min(Semaphore::MAX_PERMITS),
            queue_timeout,
        });
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(sweep(Arc::downgrade(&pool), idle_timeout, idle_timeout.min(Duration::from_secs(1))));
        }
        pool
    }

    /// Sends `req` (origin-form target, `Host` set) to `authority` and
    /// returns the response head with a body that keeps the connection
    /// going.
    ///
    /// # Errors
    ///
    /// The upstream cannot be reached, or the exchange failed before a
    /// response head arrived.
    pub(crate) async fn send(
        self: &Arc<Self>,
        authority: &Authority,
        mut req: Request<Body>,
    ) -> Result<Response<UpstreamBody>, BoxError> {
        let slots = self.slots(authority);
        let deadline = tokio::time::Instant::now() + self.queue_timeout;
        loop {
            // Listening before looking, so a connection returned between the
            // look and the wait is not missed.
            let returned = slots.returned.notified();
            let mut returned = pin!(returned);
            returned.as_mut().enable();
            while let Some(Idle { mut sender, mut conn, permit, .. }) = self.checkout(authority) {
                if !poll_fn(|cx| Poll::Ready(usable(&mut sender, &mut conn, cx))).await {
                    continue;
                }
                // Queuing the request wakes the connection; the first pass of
                // `drive` covers that.
                conn.begin();
                match drive(&mut conn, sender.try_send_request(req)).await {
                    Ok(head) => return Ok(self.lease(authority, sender, conn, permit, head).await),
                    Err(mut e) => match e.take_message() {
                        // Never written: the connection had closed. Try another.
                        Some(unsent) => req = unsent,
                        None => return Err(e.into_error().into()),
                    },
                }
            }
            let permit = match Arc::clone(&slots.permits).try_acquire_owned() {
                Ok(p) => p,
                Err(_) => {
                    let waiting = Waiting::new(&slots);
                    let got = tokio::select! {
                        p = Arc::clone(&slots.permits).acquire_owned() => p.ok(),
                        () = &mut returned => None,
                        () = tokio::time::sleep_until(deadline) => return Err(Box::new(Saturated)),
                    };
                    drop(waiting);
                    match got {
                        Some(p) => p,
                        // A connection came back: look again.
                        None => continue,
                    }
                }
            };
            let (mut sender, mut conn) = self.connect(authority).await?;
            conn.begin();
            let head = drive(&mut conn, sender.send_request(req)).await?;
            return Ok(self.lease(authority, sender, conn, permit, head).await);
        }
    }

    /// Sends a request that asks for a protocol upgrade on a connection of
    /// its own, run as a task so that a `101` hands its bytes to
    /// [`hyper::upgrade::on`].
    ///
    /// # Errors
    ///
    /// As [`Pool::send`].
    pub(crate) async fn send_upgrade(
        &self,
        authority: &Authority,
        req: Request<Body>,
    ) -> Result<Response<Incoming>, BoxError> {
        let (mut sender, conn) = self.connect(authority).await?;
        tokio::spawn(async move {
            if let Err(e) = conn.into_connection().with_upgrades().await {
                tracing::debug!(target: "crossgate::upstream", error = %e, "upgraded upstream connection ended");
            }
        });
        Ok(sender.send_request(req).await?)
    }

    /// Idle connections currently pooled, for all upstreams.
    pub(crate) fn idle_count(&self) -> usize {
        self.lock().iter().map(|u| u.idle.len()).sum()
    }

    /// The slots of `authority`'s upstream, made on first use.
    fn slots(&self, authority: &Authority) -> Arc<Slots> {
        let mut upstreams = self.lock();
        if let Some(u) = upstreams.iter().find(|u| u.authority.as_str() == authority.as_str()) {
            return Arc::clone(&u.slots);
        }
        let slots = Arc::new(Slots {
            permits: Arc::new(Semaphore::new(self.max_per_upstream)),
            returned: Notify::new(),
            waiting: AtomicUsize::new(0),
        });
        upstreams.push(Upstream { authority: authority.clone(), idle: Vec::new(), slots: Arc::clone(&slots) });
        slots
    }

    /// Gauges per upstream, in the Prometheus text format: connections
    /// open (in use and idle), idle, and requests waiting for one.
    pub(crate) fn render_metrics(&self, out: &mut String) {
        let upstreams = self.lock();
        let gauges: [(&str, &str, Gauge); 3] = [
            (
                "crossgate_upstream_connections",
                "Open upstream connections (in use and idle), by upstream.",
                |u, max| max.saturating_sub(u.slots.permits.available_permits()),
            ),
            ("crossgate_upstream_connections_idle", "Idle pooled upstream connections, by upstream.", |u, _| {
                u.idle.len()
            }),
            ("crossgate_upstream_queue", "Requests waiting for an upstream connection, by upstream.", |u, _| {
                u.slots.waiting.load(Ordering::Relaxed)
            }),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            for u in upstreams.iter() {
                let _ = writeln!(out, "{name}{{upstream=\"{}\"}} {}", u.authority, value(u, self.max_per_upstream));
            }
        }
        let name = "crossgate_upstream_connections_limit";
        let _ = writeln!(
            out,
            "# HELP {name} max_upstream_connections, per upstream.\n# TYPE {name} gauge\n{name} {}",
            self.max_per_upstream
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Upstream>> {
        self.upstreams.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The most recently used idle connection (its socket is the warmest),
    /// dropping any that have been idle too long.
    fn checkout(&self, authority: &Authority) -> Option<Idle> {
        let mut upstreams = self.lock();
        let list = &mut upstreams.iter_mut().find(|u| u.authority.as_str() == authority.as_str())?.idle;
        let now = Instant::now();
        // Oldest first: expired ones are a prefix.
        let expired = list.iter().take_while(|i| now.duration_since(i.since) >= self.idle_timeout).count();
        if expired > 0 {
            list.drain(..expired);
        }
        list.pop()
    }

    /// Pools a connection (its upstream's entry exists: [`Pool::send`]
    /// made it) and tells a waiting request.
    fn put(&self, authority: &Authority, sender: Sender, conn: Connection, permit: OwnedSemaphorePermit) {
        let mut upstreams = self.lock();
        let Some(u) = upstreams.iter_mut().find(|u| u.authority.as_str() == authority.as_str()) else { return };
        if u.idle.len() < MAX_IDLE_PER_UPSTREAM {
            u.idle.push(Idle { sender, conn, since: Instant::now(), permit });
            u.slots.returned.notify_one();
        }
    }

    async fn connect(&self, authority: &Authority) -> Result<(Sender, Connection), BoxError> {
        let stream = match tokio::time::timeout(self.connect_timeout, TcpStream::connect(authority.as_str())).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return Err(e.into()),
            Err(_) => return Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out").into()),
        };
        let _ = stream.set_nodelay(true);
        let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
        Ok((sender, Link::new(conn)))
    }

    /// Wraps the response body; a response without one gives its
    /// connection back at once.
    async fn lease(
        self: &Arc<Self>,
        authority: &Authority,
        sender: Sender,
        conn: Connection,
        permit: OwnedSemaphorePermit,
        head: Response<Incoming>,
    ) -> Response<UpstreamBody> {
        let (parts, incoming) = head.into_parts();
        let mut body = UpstreamBody {
            incoming,
            lease: Some(Lease { pool: Arc::clone(self), authority: authority.clone(), sender, conn, permit }),
        };
        if body.incoming.is_end_stream() {
            poll_fn(|cx| {
                body.release(cx);
                Poll::Ready(())
            })
            .await;
        }
        Response::from_parts(parts, body)
    }
}

/// Whether a pooled connection can take a request: it has not ended (one
/// poll reads an end of stream that arrived while it was idle) and it is
/// waiting for one.
fn usable(sender: &mut Sender, conn: &mut Connection, cx: &mut Context<'_>) -> bool {
    let _ = conn.pass(cx, |_| Poll::Ready(()));
    !conn.ended() && sender.is_ready()
}

/// Polls the connection alongside the response future, so that the request
/// is written and the response read in this task. When the connection ends,
/// hyper has already failed the exchange, so the response future is ready
/// on the same turn.
async fn drive<F: Future>(conn: &mut Connection, response: F) -> F::Output {
    let mut response = pin!(response);
    poll_fn(move |cx| conn.pass(cx, |cx| response.as_mut().poll(cx))).await
}

/// Every `every`, drops idle connections past `idle_timeout` and those
/// that have ended, until the pool is gone.
async fn sweep(pool: Weak<Pool>, idle_timeout: Duration, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        let Some(pool) = pool.upgrade() else { return };
        let now = Instant::now();
        poll_fn(|cx| {
            pool.lock().retain_mut(|u| {
                u.idle.retain_mut(|i| {
                    now.duration_since(i.since) < idle_timeout && usable(&mut i.sender, &mut i.conn, cx)
                });
                // Kept while any of its connections is open or a request
                // waits: its semaphore is the limit.
                !u.idle.is_empty() || Arc::strong_count(&u.slots) > 1 || Arc::strong_count(&u.slots.permits) > 1
            });
            Poll::Ready(())
        })
        .await;
    }
}

/// A connection lent to one exchange, with its slot.
struct Lease {
    pool: Arc<Pool>,
    authority: Authority,
    sender: Sender,
    conn: Connection,
    permit: OwnedSemaphorePermit,
}

/// An upstream response body. Polling it also drives its connection (the
/// rest of the request body goes out, the response comes in); at its end
/// the connection returns to the pool, and dropping it early closes the
/// connection.
pub(crate) struct UpstreamBody {
    incoming: Incoming,
    lease: Option<Lease>,
}

impl UpstreamBody {
    /// One more turn lets the connection finish the exchange and ask for the
    /// next request; only then is it pooled.
    fn release(&mut self, cx: &mut Context<'_>) {
        if let Some(Lease { pool, authority, mut sender, mut conn, permit }) = self.lease.take() {
            if usable(&mut sender, &mut conn, cx) {
                pool.put(&authority, sender, conn, permit);
            }
        }
    }
}

impl HttpBody for UpstreamBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = self.get_mut();
        let incoming = &mut this.incoming;
        let frame = match this.lease.as_mut() {
            Some(lease) => {
                let frame = lease.conn.pass(cx, |cx| Pin::new(&mut *incoming).poll_frame(cx));
                if lease.conn.ended() {
                    // Closed or failed: the body reports how.
                    this.lease = None;
                }
                frame
            }
            None => Pin::new(incoming).poll_frame(cx),
        };
        // A server stops polling once the body says it has ended, so the
        // connection is released with the last frame, not after it.
        match &frame {
            Poll::Ready(None) => this.release(cx),
            Poll::Ready(Some(Ok(_))) if this.incoming.is_end_stream() => this.release(cx),
            _ => {}
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.incoming.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.incoming.size_hint()
    }
}
