//! The demo's response type and the few responses it makes.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use http_body_util::Full;
use serde_json::Value;

/// Every demo response is complete when it is made.
pub(crate) type Body = Full<Bytes>;

/// A response with a status and a body.
pub(crate) fn with_status(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r
}

/// A JSON response.
pub(crate) fn json(status: StatusCode, v: &Value) -> Response<Body> {
    let mut r = with_status(status, v.to_string());
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// A short plain-text response, as the gateway makes its own.
pub(crate) fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut r = with_status(status, format!("{text}\n"));
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
