//! The response body: the inner service's, or the layer's own (empty, or a
//! debug line).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

pin_project! {
    /// A response body from the inner service, or one the layer made itself
    /// (preflight answers, strict-mode 403s).
    pub struct CorsBody<B> {
        #[pin]
        kind: Kind<B>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<B> {
        Inner { #[pin] body: B },
        Local { data: Option<Bytes> },
    }
}

impl<B> CorsBody<B> {
    pub(crate) fn inner(body: B) -> Self {
        CorsBody { kind: Kind::Inner { body } }
    }

    pub(crate) fn local(data: Option<String>) -> Self {
        CorsBody { kind: Kind::Local { data: data.map(Bytes::from) } }
    }

    /// Whether the layer made this body itself.
    pub fn is_local(&self) -> bool {
        matches!(self.kind, Kind::Local { .. })
    }
}

impl<B> Body for CorsBody<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.project().kind.project() {
            KindProj::Inner { body } => body.poll_frame(cx),
            KindProj::Local { data } => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Inner { body } => body.is_end_stream(),
            Kind::Local { data } => data.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Inner { body } => body.size_hint(),
            Kind::Local { data } => SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64)),
        }
    }
}
