//! The admin listener: `/-/health`, `/-/metrics` and `/-/explain`.
//!
//! It answers only requests whose `Host` (or HTTP/2 `:authority`) is one of
//! `admin_allowed_hosts` (loopback names by default), with no port or the
//! admin listener's own: a page on another site that makes its name resolve
//! to 127.0.0.1 (DNS rebinding) sends its own name, and gets 421.

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
/// the API host `/-/explain` assumes when the query names none, and `port`
/// the admin listener's.
pub(super) fn answer(shared: &Shared, req: &Request<Incoming>, listen: SocketAddr, port: u16) -> Response<Body> {
    if !host_allowed(req, &shared.current().settings.admin_allowed_hosts, port) {
        return plain(
            StatusCode::MISDIRECTED_REQUEST,
            "Misdirected Request: the admin listener answers only the names in admin_allowed_hosts",
        );
    }
    match req.uri().path() {
        "/-/health" => {
            let rt = shared.current();
            let mut r = Response::new(body::full(format!("{{\"status\":\"ok\",\"routes\":{}}}\n", rt.routes.len())));
            r.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
            r
        }
        "/-/metrics" => {
            let mut r = Response::new(body::full(shared.render_metrics()));
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

/// Whether the request names one of `names`, with no port or `port`. One
/// `Host` line only; HTTP/2 requests without one name their `:authority`.
fn host_allowed(req: &Request<Incoming>, names: &[String], port: u16) -> bool {
    let mut hosts = req.headers().get_all(http::header::HOST).iter();
    let authority = match (hosts.next(), hosts.next()) {
        (Some(h), None) => h.to_str().ok(),
        (None, _) => req.uri().authority().map(http::uri::Authority::as_str),
        (Some(_), Some(_)) => None,
    };
    let Some(authority) = authority else { return false };
    authority_allowed(authority, names, port)
}

fn authority_allowed(authority: &str, names: &[String], port: u16) -> bool {
    // The port follows the last `:` after any `]` of an IPv6 literal.
    let split = authority.rfind(':').filter(|&i| !authority[i..].contains(']'));
    let (name, given) = match split {
        Some(i) => (&authority[..i], Some(&authority[i + 1..])),
        None => (authority, None),
    };
    let port_ok = given.map_or(true, |p| p.parse::<u16>().is_ok_and(|p| p == port));
    port_ok && names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::authority_allowed;

    #[test]
    fn loopback_names_with_no_port_or_the_listener_port() {
        let names: Vec<String> = ["localhost", "127.0.0.1", "[::1]"].map(str::to_owned).to_vec();
        let table = [
            ("localhost", true),
            ("LOCALHOST:9090", true),
            ("127.0.0.1:9090", true),
            ("[::1]:9090", true),
            ("[::1]", true),
            ("localhost:9091", false),
            ("localhost:", false),
            ("localhost:99999", false),
            ("evil.example", false),
            ("evil.example:9090", false),
            ("localhost.evil.example", false),
            ("127.0.0.1.nip.io:9090", false),
            ("::1", false),
            ("[::2]:9090", false),
            ("", false),
        ];
        for (authority, want) in table {
            assert_eq!(authority_allowed(authority, &names, 9090), want, "{authority}");
        }
    }
}
