//! The response future: the inner service's, finished with the CORS headers,
//! or a ready local answer.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use crossgate_core::{LocalAnswer, Pending, VarySet};
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Response, StatusCode};
use pin_project_lite::pin_project;

use crate::body::CorsBody;

pin_project! {
    /// The future [`Cors`](crate::Cors) returns.
    #[project = ResponseFutureProj]
    pub struct ResponseFuture<F> {
        #[pin]
        state: State<F>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Inner { #[pin] future: F, pending: Pending },
        Local { answer: Option<LocalAnswer> },
        Refused { vary: VarySet },
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn inner(future: F, pending: Pending) -> Self {
        ResponseFuture { state: State::Inner { future, pending } }
    }

    pub(crate) fn local(answer: LocalAnswer) -> Self {
        ResponseFuture { state: State::Local { answer: Some(answer) } }
    }

    pub(crate) fn refused(vary: VarySet) -> Self {
        ResponseFuture { state: State::Refused { vary } }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<CorsBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Inner { future, pending } => {
                let response = ready!(future.poll(cx))?;
                let (mut parts, body) = response.into_parts();
                if let Err(conflict) = pending.finish(&mut parts.headers) {
                    tracing::error!(target: "crossgate", %conflict, "inner response rejected");
                    let mut response = Response::new(CorsBody::local(None));
                    *response.status_mut() = StatusCode::BAD_GATEWAY;
                    // The refusal depends on the request as the grant would have.
                    pending.headers().vary().merge_into(response.headers_mut());
                    return Poll::Ready(Ok(response));
                }
                Poll::Ready(Ok(Response::from_parts(parts, CorsBody::inner(body))))
            }
            StateProj::Local { answer } => {
                let mut answer = answer.take().expect("ResponseFuture polled after completion");
                let debug_body = answer.debug_body.take();
                let has_body = debug_body.is_some();
                let mut response = Response::new(CorsBody::local(debug_body));
                *response.status_mut() = answer.status;
                answer.write_headers(response.headers_mut());
                if has_body {
                    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
                }
                Poll::Ready(Ok(response))
            }
            // Fetch (https://fetch.spec.whatwg.org/#http-responses): a 403
            // with the CORS headers omitted says the request is not shared.
            StateProj::Refused { vary } => {
                let mut response = Response::new(CorsBody::local(None));
                *response.status_mut() = StatusCode::FORBIDDEN;
                vary.merge_into(response.headers_mut());
                Poll::Ready(Ok(response))
            }
        }
    }
}
