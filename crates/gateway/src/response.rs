//! Responses the gateway makes itself: a status with a body, and the short
//! plain-text answers for its own errors.

use http::header::{self, HeaderValue};
use http::{Response, StatusCode};

use crate::body::{self, Body};

/// A response with a status and a body.
pub(crate) fn with_status(status: StatusCode, body: Body) -> Response<Body> {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r
}

/// A short plain-text response the gateway makes itself.
pub(crate) fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut r = with_status(status, body::full(format!("{text}\n")));
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
