//! The admin listener: `/-/health`, `/-/metrics` and `/-/explain`.

use std::net::SocketAddr;

use http::{Request, Response, StatusCode};
use hyper::body::Incoming;

use crate::body::{self, Body};
use crate::call::Call;
use crate::explain::explain;
use crate::query::parse_query;
use crate::response::plain;
use crate::shared::Shared;

/// The admin listener's answers; `listen` is the client listener's address,
/// the API host `/-/explain` assumes when the query names none.
pub(super) fn answer(shared: &Shared, req: &Request<Incoming>, listen: SocketAddr) -> Response<Body> {
    match req.uri().path() {
        "/-/health" => {
            let rt = shared.current();
            let mut r = Response::new(body::full(format!("{{\"status\":\"ok\",\"routes\":{}}}\n", rt.routes.len())));
            r.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
            r
        }
        "/-/metrics" => {
            let mut r = Response::new(body::full(shared.metrics.render()));
            r.headers_mut()
                .insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/plain; version=0.0.4"));
            r
        }
        "/-/explain" => {
            let call = Call::from_query(req.uri().query().unwrap_or(""));
            let host = req
                .uri()
                .query()
                .and_then(|q| parse_query(q).into_iter().find(|(k, _)| k == "host"))
                .map(|(_, v)| v)
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| listen.to_string());
            let v = explain(&shared.current(), &host, &call);
            let mut r = Response::new(body::full(format!("{v}\n")));
            r.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
            r
        }
        _ => plain(StatusCode::NOT_FOUND, "Not Found: the admin listener serves /-/health, /-/metrics and /-/explain"),
    }
}
