//! A client's request body with an idle deadline: a client that stops
//! sending a body it announced fails the request after
//! `client_idle_timeout`, instead of holding its slot and the upstream
//! connection the body streams into.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;

use super::idle_deadline::IdleDeadline;
use crate::body::BoxError;

/// The request body as the proxy reads it.
pub(super) struct ClientBody {
    incoming: Incoming,
    deadline: IdleDeadline,
}

impl ClientBody {
    pub(super) fn new(incoming: Incoming, idle: Duration) -> Self {
        ClientBody { incoming, deadline: IdleDeadline::new(idle) }
    }
}

impl HttpBody for ClientBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.incoming).poll_frame(cx) {
            this.deadline.progress();
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        match this.deadline.poll_expired(cx) {
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
