//! One client connection: which HTTP version it speaks, and how it is
//! drained on shutdown.
//!
//! The version is read from the first bytes with `peek`, so nothing has to
//! be replayed to hyper: HTTP/2 without TLS starts with the connection
//! preface (RFC 9113 §3.4), anything else is HTTP/1. Draining is a flag
//! checked when the connection's task is polled anyway, plus one wake per
//! connection when shutdown starts, instead of a shutdown future polled on
//! every turn of every connection.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::sync::Notify;

/// The HTTP/2 connection preface.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The protocol a client speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Protocol {
    Http1,
    Http2,
}

/// Looks at the client's first bytes without consuming them; `None` when it
/// closes first.
pub(super) async fn sniff(stream: &TcpStream) -> std::io::Result<Option<Protocol>> {
    let mut buf = [0u8; H2_PREFACE.len()];
    loop {
        let n = stream.peek(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        if !H2_PREFACE.starts_with(&buf[..n]) {
            return Ok(Some(Protocol::Http1));
        }
        if n == H2_PREFACE.len() {
            return Ok(Some(Protocol::Http2));
        }
        // A prefix of the preface so far ("P", "PRI * HT", …). Peeking
        // leaves the socket readable, so wait a moment before looking again
        // rather than spin; the caller's timeout bounds the whole wait.
        tokio::time::sleep(Duration::from_millis(1)).await;
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
    /// starts.
    pub(super) async fn serve<C: Drainable>(self: &Arc<Self>, conn: C) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let guard = Registered { drain: Arc::clone(self), id };
        Watched { conn, drain: self, id, registered: false, told: false }.await;
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
        Pin::new(&mut this.conn).poll(cx).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpListener;

    /// What `sniff` says of a client that sends `parts` with pauses between.
    async fn sniffed(parts: &[&'static [u8]]) -> Option<Protocol> {
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
        let (server, _) = listener.accept().await.unwrap();
        let found = tokio::time::timeout(Duration::from_secs(5), sniff(&server)).await.unwrap().unwrap();
        client.await.unwrap();
        found
    }

    #[tokio::test]
    async fn tells_http2_prior_knowledge_from_http1_by_the_first_bytes() {
        assert_eq!(sniffed(&[b"GET / HTTP/1.1\r\n"]).await, Some(Protocol::Http1));
        assert_eq!(sniffed(&[b"PUT / HTTP/1.1\r\n"]).await, Some(Protocol::Http1));
        assert_eq!(sniffed(&[H2_PREFACE]).await, Some(Protocol::Http2));
        // Split inside the preface: waits for the rest instead of guessing.
        assert_eq!(sniffed(&[b"P", b"RI * HTTP/2.0\r\n", b"\r\nSM\r\n\r\n"]).await, Some(Protocol::Http2));
        assert_eq!(sniffed(&[b"P", b"OST / HTTP/1.1\r\n"]).await, Some(Protocol::Http1));
        // Nothing but a close.
        assert_eq!(sniffed(&[]).await, None);
    }
}
