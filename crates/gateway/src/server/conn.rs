//! One client connection: which HTTP version it speaks, how long it may
//! sit idle, and how it is drained on shutdown.
//!
//! The version is told by reading the first bytes (not peeking: a peek
//! never sees the end of the stream behind bytes already buffered, so a
//! client that sends `P` and closes would be polled until a timeout): HTTP/2
//! without TLS starts with the connection preface (RFC 9113 §3.4), anything
//! else is HTTP/1. The bytes read are replayed to hyper ([`ClientIo`]).
//! hyper-util's `auto` builder reads the same way, but without a deadline
//! for the preface; here the caller bounds the read.
//!
//! An HTTP/2 connection has no header timeout in hyper, so its idleness is
//! watched here: one that has not started a request within
//! `request_header_timeout` (a preface and nothing more, a SETTINGS frame and
//! nothing more) is closed; one that served requests and has had none in
//! flight (response bodies included) for that long is told to go away
//! (GOAWAY), and closed if it is still idle one period later.
//! Draining is a flag checked when the connection's task is polled anyway,
//! plus one wake per connection when shutdown starts, instead of a shutdown
//! future polled on every turn of every connection.
//!
//! [`ClientIo`]: super::client_io::ClientIo

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::Bytes;
use http::Response;
use http_body::{Frame, SizeHint};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::{Instant, Sleep};

use crate::body::{self, Body, BoxError};

/// The HTTP/2 connection preface.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The protocol a client speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Protocol {
    Http1,
    Http2,
}

/// The bytes read from a connection before its protocol was known.
pub(super) struct Preface {
    bytes: [u8; H2_PREFACE.len()],
    len: usize,
}

impl Preface {
    pub(super) fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Reads the client's first bytes until they tell the protocol; `None` when
/// the client closes first. Each read waits for the socket once: no polling
/// loop, and an end of stream is seen as soon as it arrives.
pub(super) async fn read_preface(stream: &mut TcpStream) -> std::io::Result<Option<(Protocol, Preface)>> {
    let mut p = Preface { bytes: [0; H2_PREFACE.len()], len: 0 };
    loop {
        let n = stream.read(&mut p.bytes[p.len..]).await?;
        if n == 0 {
            return Ok(None);
        }
        p.len += n;
        if !H2_PREFACE.starts_with(p.bytes()) {
            return Ok(Some((Protocol::Http1, p)));
        }
        if p.len == H2_PREFACE.len() {
            return Ok(Some((Protocol::Http2, p)));
        }
    }
}

/// The requests of one connection: how many are being handled, and how
/// many have started, so an idle connection can be told from a busy one.
#[derive(Default)]
pub(super) struct Activity {
    active: AtomicUsize,
    started: AtomicU64,
    /// An [`Idle`] deadline watches it: a request is busy until its
    /// response body is sent, not only until its head is ready.
    watched: AtomicBool,
}

impl Activity {
    /// A request started; it ends when the returned guard is dropped.
    pub(super) fn begin(self: &Arc<Self>) -> Busy {
        self.active.fetch_add(1, Ordering::Relaxed);
        self.started.fetch_add(1, Ordering::Relaxed);
        Busy(Arc::clone(self))
    }
}

/// A request being handled on a connection.
pub(super) struct Busy(Arc<Activity>);

impl Busy {
    /// The request's response. On a watched connection its body keeps the
    /// request busy until it is sent (or dropped), so a long download is
    /// not taken for idleness; elsewhere nothing is wrapped.
    pub(super) fn until_sent(self, response: Response<Body>) -> Response<Body> {
        if !self.0.watched.load(Ordering::Relaxed) {
            return response;
        }
        response.map(|inner| body::boxed(BusyBody { inner, _busy: self }))
    }
}

/// A response body that holds its request's [`Busy`].
struct BusyBody {
    inner: Body,
    _busy: Busy,
}

impl http_body::Body for BusyBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::Relaxed);
    }
}

/// An idle deadline for a connection hyper does not time out itself.
pub(super) struct Idle {
    activity: Arc<Activity>,
    every: Duration,
    timer: Pin<Box<Sleep>>,
    /// `started` when the timer was armed.
    seen: u64,
}

impl Idle {
    pub(super) fn new(activity: Arc<Activity>, every: Duration) -> Self {
        activity.watched.store(true, Ordering::Relaxed);
        Idle { activity, every, timer: Box::pin(tokio::time::sleep(every)), seen: 0 }
    }
}

/// What the idle deadline says to do with a connection.
enum Verdict {
    Keep,
    GoAway,
    Close,
}

impl Idle {
    fn poll(&mut self, cx: &mut Context<'_>, told: bool) -> Verdict {
        loop {
            if self.timer.as_mut().poll(cx).is_pending() {
                return Verdict::Keep;
            }
            let started = self.activity.started.load(Ordering::Relaxed);
            let idle = self.activity.active.load(Ordering::Relaxed) == 0 && started == self.seen;
            self.seen = started;
            self.timer.as_mut().reset(Instant::now() + self.every);
            if idle {
                // Nothing ever asked, or asked again after a GOAWAY: nothing
                // to lose by closing.
                return if started == 0 || told { Verdict::Close } else { Verdict::GoAway };
            }
        }
    }
}

/// Shutdown's view of the open connections.
#[derive(Default)]
pub(super) struct Drain {
    draining: AtomicBool,
    next: AtomicU64,
    /// The task of every connection being served, woken once when
    /// draining starts.
    tasks: Mutex<HashMap<u64, Waker>>,
    /// Signalled when the last connection ends.
    empty: Notify,
}

impl Drain {
    /// Starts draining: every connection finishes its current request and
    /// closes.
    pub(super) fn start(&self) {
        self.draining.store(true, Ordering::SeqCst);
        for waker in self.lock().values() {
            waker.wake_by_ref();
        }
    }

    /// Waits until every connection has ended.
    pub(super) async fn finished(&self) {
        loop {
            let notified = self.empty.notified();
            if self.lock().is_empty() {
                return;
            }
            notified.await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Waker>> {
        self.tasks.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Serves `conn`, which is told to shut down gracefully once draining
    /// starts, and closed or told to go away by `idle` when given.
    pub(super) async fn serve<C: Drainable>(self: &Arc<Self>, conn: C, idle: Option<Idle>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let guard = Registered { drain: Arc::clone(self), id };
        Watched { conn, drain: self, id, registered: false, told: false, idle }.await;
        drop(guard);
    }
}

/// Removes a connection from the drain, also when its task is dropped.
struct Registered {
    drain: Arc<Drain>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut tasks = self.drain.lock();
        tasks.remove(&self.id);
        if tasks.is_empty() {
            self.drain.empty.notify_waiters();
        }
    }
}

/// A connection hyper can shut down gracefully.
pub(super) trait Drainable: Future + Unpin {
    /// Finish the current exchange, then close.
    fn graceful_shutdown(self: Pin<&mut Self>);
}

impl<I, S> Drainable for hyper::server::conn::http1::UpgradeableConnection<I, S>
where
    S: hyper::service::HttpService<hyper::body::Incoming>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S::ResBody: 'static,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        hyper::server::conn::http1::UpgradeableConnection::graceful_shutdown(self);
    }
}

impl<I, S, E> Drainable for hyper::server::conn::http2::Connection<I, S, E>
where
    S: hyper::service::HttpService<hyper::body::Incoming>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin + 'static,
    S::ResBody: 'static,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    E: hyper::rt::bounds::Http2ServerConnExec<S::Future, S::ResBody>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        hyper::server::conn::http2::Connection::graceful_shutdown(self);
    }
}

struct Watched<'a, C> {
    conn: C,
    drain: &'a Arc<Drain>,
    id: u64,
    registered: bool,
    told: bool,
    idle: Option<Idle>,
}

impl<C: Drainable> Future for Watched<'_, C> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if !this.registered {
            // A spawned task keeps its waker, so once is enough.
            this.drain.lock().insert(this.id, cx.waker().clone());
            this.registered = true;
        }
        if !this.told && this.drain.draining.load(Ordering::SeqCst) {
            this.told = true;
            Pin::new(&mut this.conn).graceful_shutdown();
        }
        if Pin::new(&mut this.conn).poll(cx).is_ready() {
            return Poll::Ready(());
        }
        match this.idle.as_mut().map_or(Verdict::Keep, |i| i.poll(cx, this.told)) {
            Verdict::Keep => Poll::Pending,
            Verdict::Close => Poll::Ready(()),
            Verdict::GoAway => {
                this.told = true;
                Pin::new(&mut this.conn).graceful_shutdown();
                Pin::new(&mut this.conn).poll(cx).map(|_| ())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpListener;

    /// What `read_preface` says of a client that sends `parts` with pauses
    /// between, and the bytes it read.
    async fn told(parts: &[&'static [u8]]) -> Option<(Protocol, Vec<u8>)> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let parts = parts.to_vec();
        let client = tokio::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            for p in parts {
                s.write_all(p).await.unwrap();
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        let (mut server, _) = listener.accept().await.unwrap();
        let found = tokio::time::timeout(Duration::from_secs(5), read_preface(&mut server)).await.unwrap().unwrap();
        client.await.unwrap();
        found.map(|(p, pre)| (p, pre.bytes().to_vec()))
    }

    #[tokio::test]
    async fn tells_http2_prior_knowledge_from_http1_by_the_first_bytes() {
        let h1 = |b: &[u8]| Some((Protocol::Http1, b.to_vec()));
        assert_eq!(told(&[b"GET / HTTP/1.1\r\n"]).await, h1(b"GET / HTTP/1.1\r\n"));
        assert_eq!(told(&[b"PUT / HTTP/1.1\r\n"]).await, h1(b"PUT / HTTP/1.1\r\n"));
        assert_eq!(told(&[H2_PREFACE]).await, Some((Protocol::Http2, H2_PREFACE.to_vec())));
        // Split inside the preface: waits for the rest instead of guessing.
        assert_eq!(
            told(&[b"P", b"RI * HTTP/2.0\r\n", b"\r\nSM\r\n\r\n"]).await,
            Some((Protocol::Http2, H2_PREFACE.to_vec()))
        );
        assert_eq!(told(&[b"P", b"OST / HTTP/1.1\r\n"]).await, h1(b"POST / HTTP/1.1\r\n"));
        // Nothing but a close, and a prefix of the preface then a close.
        assert_eq!(told(&[]).await, None);
        assert_eq!(told(&[b"P"]).await, None);
        assert_eq!(told(&[b"PRI * HTTP/2.0\r\n"]).await, None);
    }
}
