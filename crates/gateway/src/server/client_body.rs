//! A client's request body with an idle deadline: a client that stops
//! sending a body it announced fails the request after
//! `client_idle_timeout`, instead of holding its slot and the upstream
//! connection the body streams into.

use std::future::Future as _;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use tokio::time::{Instant, Sleep};

use crate::body::BoxError;

/// The request body as the proxy reads it.
pub(super) struct ClientBody {
    incoming: Incoming,
    idle: Duration,
    /// Made on the first wait for a frame, reset on the next waits.
    timer: Option<Pin<Box<Sleep>>>,
    armed: bool,
}

impl ClientBody {
    pub(super) fn new(incoming: Incoming, idle: Duration) -> Self {
        ClientBody { incoming, idle, timer: None, armed: false }
    }
}

impl HttpBody for ClientBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.incoming).poll_frame(cx) {
            this.armed = false;
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        let deadline = Instant::now() + this.idle;
        let timer = match &mut this.timer {
            Some(t) => {
                if !this.armed {
                    t.as_mut().reset(deadline);
                }
                t
            }
            None => this.timer.insert(Box::pin(tokio::time::sleep_until(deadline))),
        };
        this.armed = true;
        match timer.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped sending the request body (client_idle_timeout_ms)",
            )
            .into()))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.incoming.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.incoming.size_hint()
    }
}
