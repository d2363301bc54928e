//! The request as the upstream gets it: in origin form with the route's
//! target, its own `Host` (unless `preserve_host`), `X-Forwarded-*` set,
//! hop-by-hop headers out, and the body limited to `max_request_body_bytes`.

use std::net::SocketAddr;

use http::header::{self, HeaderName, HeaderValue};
use http::uri::PathAndQuery;
use http::{Request, Version};

use crate::body::{self, Body, ClientBodyError};
use crate::hop_by_hop::strip_hop_by_hop;
use crate::runtime::{Route, Settings};

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
/// RFC 7239; what the client says about earlier hops, which the gateway
/// cannot vouch for.
const FORWARDED: HeaderName = HeaderName::from_static("forwarded");
const X_REAL_IP: HeaderName = HeaderName::from_static("x-real-ip");

/// The client at the other end of a connection.
#[derive(Clone, Debug)]
pub(crate) struct Peer {
    /// Its address.
    pub(crate) addr: SocketAddr,
    /// Its IP address as text, made once per connection for
    /// `X-Forwarded-For`.
    ip: HeaderValue,
}

impl Peer {
    /// The peer at `addr`.
    pub(crate) fn new(addr: SocketAddr) -> Self {
        let ip = HeaderValue::from_str(&addr.ip().to_string()).unwrap_or_else(|_| HeaderValue::from_static("unknown"));
        Peer { addr, ip }
    }

    fn ip_text(&self) -> &str {
        self.ip.to_str().unwrap_or("unknown")
    }
}

/// The request for the upstream of `route`; `host` is the request's decided
/// authority (already its only `Host`), and `upgrade` the protocol it asks
/// to switch to. `Err` when the target cannot be forwarded.
pub(crate) fn upstream_request(
    req: Request<Body>,
    route: &Route,
    s: &Settings,
    peer: &Peer,
    host: Option<HeaderValue>,
    upgrade: Option<HeaderValue>,
) -> Result<Request<Body>, ()> {
    let (mut parts, body) = req.into_parts();
    // Origin-form (RFC 9112 §3.2.1): the upstream connection is already
    // to the right authority, and `Host` names it.
    parts.uri = upstream_target(&parts.uri, route)?.into();
    parts.version = Version::HTTP_11;
    strip_hop_by_hop(&mut parts.headers);
    let h = &mut parts.headers;
    if let Some(u) = upgrade {
        h.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        h.insert(header::UPGRADE, u);
    }
    // Every earlier hop, from however many header lines, then this client.
    let forwarded_for = if h.contains_key(X_FORWARDED_FOR) {
        let mut xff = String::new();
        for v in h.get_all(X_FORWARDED_FOR).iter().filter_map(|v| v.to_str().ok()) {
            xff.push_str(v);
            xff.push_str(", ");
        }
        xff.push_str(peer.ip_text());
        HeaderValue::from_str(&xff).map_err(|_| ())?
    } else {
        peer.ip.clone()
    };
    h.insert(X_FORWARDED_FOR, forwarded_for);
    // The gateway states the client's address, scheme and host in
    // `X-Forwarded-*`; a client's own `Forwarded` or `X-Real-IP` would let
    // it claim another address or host to an upstream that reads those.
    h.remove(FORWARDED);
    h.remove(X_REAL_IP);
    h.insert(X_FORWARDED_PROTO, HeaderValue::from_static("http"));
    if let Some(v) = host {
        h.insert(X_FORWARDED_HOST, v);
    }
    if !route.preserve_host || !h.contains_key(header::HOST) {
        h.insert(header::HOST, route.upstream.host.clone());
    }
    // A request without a body (most) has nothing to limit.
    let body = if http_body::Body::is_end_stream(&body) {
        body
    } else {
        // Marked, so that a malformed body is answered as the client's 400.
        let marked = http_body_util::BodyExt::map_err(body, ClientBodyError);
        body::boxed(http_body_util::Limited::new(
            marked,
            usize::try_from(s.max_request_body_bytes).unwrap_or(usize::MAX),
        ))
    };
    Ok(Request::from_parts(parts, body))
}

/// The upstream's target: the route's base path, then the request's path
/// (without the route's prefix when `strip_prefix` is on), then its query.
/// Usually that is the request's own target, which is reused as it is.
fn upstream_target(uri: &http::Uri, route: &Route) -> Result<PathAndQuery, ()> {
    let path = uri.path();
    let rest = if route.strip_prefix && route.path != "/" {
        path.strip_prefix(route.path.as_str()).unwrap_or(path)
    } else {
        path
    };
    if route.upstream.base_path.is_empty() && rest.len() == path.len() && path.starts_with('/') {
        if let Some(pq) = uri.path_and_query() {
            return Ok(pq.clone());
        }
    }
    let mut target =
        String::with_capacity(route.upstream.base_path.len() + rest.len() + 1 + uri.query().map_or(0, |q| q.len() + 1));
    target.push_str(&route.upstream.base_path);
    if !rest.starts_with('/') {
        target.push('/');
    }
    target.push_str(rest);
    if let Some(q) = uri.query() {
        target.push('?');
        target.push_str(q);
    }
    PathAndQuery::try_from(target).map_err(|_| ())
}
