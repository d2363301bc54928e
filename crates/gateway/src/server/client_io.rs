//! A client's socket as hyper sees it: the bytes read to tell HTTP/2 from
//! HTTP/1 are replayed first, and a write that makes no progress for
//! `client_idle_timeout` fails, so a client that stops reading a response
//! gives back its connection slot (and, by dropping the response, the
//! upstream connection behind it).

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::conn::Preface;
use super::idle_deadline::IdleDeadline;

/// The client connection's byte stream.
pub(super) struct ClientIo {
    stream: TcpStream,
    preface: Preface,
    /// How much of the preface hyper has read back.
    replayed: usize,
    /// Runs while a write is blocked.
    stall: IdleDeadline,
}

impl ClientIo {
    pub(super) fn new(stream: TcpStream, preface: Preface, idle: Duration) -> Self {
        ClientIo { stream, preface, replayed: 0, stall: IdleDeadline::new(idle) }
    }

    fn wrote(&mut self, r: Poll<io::Result<usize>>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        match r {
            // Blocked: fails once the client has not taken a byte for the
            // idle time.
            Poll::Pending => {
                ready!(self.stall.poll_expired(cx));
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the client stopped reading (client_idle_timeout_ms)",
                )))
            }
            done => {
                self.stall.progress();
                done
            }
        }
    }
}

impl AsyncRead for ClientIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let rest = &this.preface.bytes()[this.replayed..];
        if !rest.is_empty() {
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            this.replayed += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ClientIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.wrote(r, cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.wrote(r, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    #[tokio::test]
    async fn replays_the_preface_then_reads_the_socket_and_fails_a_stalled_write() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut client = TcpStream::connect(addr).await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        client.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        let preface = super::super::conn::read_preface(&mut server).await.unwrap().unwrap().1;
        let mut io = ClientIo::new(server, preface, Duration::from_millis(200));
        let mut got = vec![0u8; 16];
        io.read_exact(&mut got).await.unwrap();
        assert_eq!(got, b"GET / HTTP/1.1\r\n");
        client.write_all(b"Host: x\r\n").await.unwrap();
        let mut more = vec![0u8; 9];
        io.read_exact(&mut more).await.unwrap();
        assert_eq!(more, b"Host: x\r\n");
        // The client never reads: the socket buffers fill, then the write
        // fails within the idle time.
        let chunk = vec![0u8; 1 << 20];
        let start = std::time::Instant::now();
        let err = loop {
            match tokio::time::timeout(Duration::from_secs(10), io.write(&chunk)).await.unwrap() {
                Ok(_) => continue,
                Err(e) => break e,
            }
        };
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
        drop(client);
    }
}
