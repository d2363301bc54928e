//! The request path: `Host` check, route, CORS decision, forward, finish.
//!
//! Every response that leaves here for a route carries that route's CORS
//! headers and `Vary`, including the ones the gateway makes itself (413,
//! 431, 502, 504): a page that gets a plain 502 without CORS headers sees a
//! "CORS error" in the console and goes hunting for the wrong problem.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::uri::PathAndQuery;
use http::{Request, Response, StatusCode, Version};

use crate::body::{self, Body, BoxError};
use crate::config::{Route, Runtime, Settings};
use crate::cors_step::{self, Finish, Step};
use crate::labels::{ErrorKind, Outcome, Reason};
use crate::metrics::Metrics;
use crate::response::plain;
use crate::shared::Shared;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

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

/// What the access log records about one request.
#[derive(Default)]
struct Log {
    /// The config the request was routed with and its route's index.
    route: Option<(Arc<Runtime>, usize)>,
    cors: Option<Outcome>,
    reason: Option<Reason>,
    upstream: Option<Duration>,
}

impl Log {
    /// The route's path, `-` when none matched.
    fn route(&self) -> &str {
        self.route.as_ref().and_then(|(rt, i)| rt.routes.get(*i)).map_or("-", |r| r.path.as_str())
    }
}

/// The request line and origin, kept for the access log only when it is on.
struct Access {
    method: http::Method,
    path: String,
    origin: String,
}

/// Counts a request in flight until dropped, also when the client goes away
/// and the request's future is dropped half-way.
struct InFlight<'a>(&'a Metrics);

impl<'a> InFlight<'a> {
    fn new(m: &'a Metrics) -> Self {
        m.in_flight(1);
        InFlight(m)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight(-1);
    }
}

/// Handles one request.
pub(crate) async fn handle(shared: Arc<Shared>, req: Request<Body>, peer: Peer) -> Response<Body> {
    let start = Instant::now();
    let in_flight = InFlight::new(&shared.metrics);
    // Copied out of the request only when the access log will be written.
    let access = tracing::enabled!(target: "crossgate::access", tracing::Level::INFO).then(|| Access {
        method: req.method().clone(),
        path: req.uri().path().to_owned(),
        origin: req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned(),
    });
    let mut log = Log::default();
    let response = route_request(&shared, req, &peer, &mut log).await;
    drop(in_flight);
    let status = response.status().as_u16();
    shared.metrics.request(log.route(), status);
    if let Some(Access { method, path, origin }) = access {
        tracing::info!(
            target: "crossgate::access",
            peer = %peer.addr, %method, %path, %origin, status, route = %log.route(), cors = log.cors.map_or("-", Outcome::as_str), reason = log.reason.map_or("", Reason::as_str),
            upstream_ms = log.upstream.map(|d| d.as_secs_f64() * 1000.0),
            duration_ms = start.elapsed().as_secs_f64() * 1000.0,
            "request"
        );
    }
    response
}

/// The request's host: its `Host` header when that is text, else the
/// target's authority (HTTP/2's `:authority`). A header value, so the usual
/// case is a reference-count increment, not a copy.
fn request_host(req: &Request<Body>) -> Option<HeaderValue> {
    match req.headers().get(header::HOST) {
        Some(v) if v.to_str().is_ok() => Some(v.clone()),
        _ => req.uri().authority().and_then(|a| HeaderValue::from_str(a.as_str()).ok()),
    }
}

async fn route_request(shared: &Arc<Shared>, mut req: Request<Body>, peer: &Peer, log: &mut Log) -> Response<Body> {
    let rt = shared.current();
    let host = request_host(&req);
    let host_text = host.as_ref().and_then(|v| v.to_str().ok());
    if !rt.allowed_hosts.allows(host_text) {
        log.reason = Some(Reason::HostNotAllowed);
        return plain(StatusCode::BAD_REQUEST, "Bad Request: this Host is not served here (allowed_hosts)");
    }
    // HTTP/2 clients send `:authority`; upstreams get a Host header.
    if !req.headers().contains_key(header::HOST) {
        if let Some(h) = host.clone() {
            req.headers_mut().insert(header::HOST, h);
        }
    }
    let Some((index, route)) = rt.route(req.uri().path()) else {
        return plain(StatusCode::NOT_FOUND, "Not Found: no route for this path");
    };
    log.route = Some((Arc::clone(&rt), index));
    let label = route.path.as_str();
    let (step, seen) = cors_step::decide(route, &req, &shared.metrics);
    log.cors = Some(seen.outcome);
    log.reason = seen.reason;
    shared.metrics.decision(label, seen);
    let finish = match step {
        Step::Answer(resp) => return resp,
        Step::Forward(finish) => finish,
    };

    let s = &rt.settings;
    if header_bytes(&req) > s.max_request_header_bytes {
        return gateway_error(
            shared,
            label,
            ErrorKind::HeaderTooLarge,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "Request Header Fields Too Large: the request's headers exceed max_request_header_bytes",
            &finish,
        );
    }
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > s.max_request_body_bytes) {
        return gateway_error(
            shared,
            label,
            ErrorKind::BodyTooLarge,
            StatusCode::PAYLOAD_TOO_LARGE,
            "Content Too Large: the request body exceeds max_request_body_bytes",
            &finish,
        );
    }
    // A protocol upgrade (WebSocket): the handshake goes through the policy
    // like any request (strict mode refuses disallowed origins, which is
    // what stops cross-site WebSocket hijacking), then bytes are relayed.
    let upgrade = requested_upgrade(req.headers());
    let client_upgrade = upgrade.is_some().then(|| hyper::upgrade::on(&mut req));
    let upstream_req = match upstream_request(req, route, s, peer, host, upgrade) {
        Ok(r) => r,
        Err(()) => {
            return gateway_error(
                shared,
                label,
                ErrorKind::BadTarget,
                StatusCode::BAD_REQUEST,
                "Bad Request: the target cannot be forwarded",
                &finish,
            )
        }
    };
    let authority = &route.upstream.authority;
    let sent = Instant::now();
    if let Some(client_upgrade) = client_upgrade {
        let upstream = match exchange(
            shared,
            label,
            &finish,
            s.upstream_timeout,
            shared.pool().send_upgrade(authority, upstream_req),
        )
        .await
        {
            Ok(r) => r,
            Err(answer) => return answer,
        };
        upstream_answered(shared, log, label, sent);
        if upstream.status() == StatusCode::SWITCHING_PROTOCOLS {
            return switch_protocols(upstream, client_upgrade, &finish);
        }
        return relay(shared, label, upstream, &finish);
    }
    let upstream =
        match exchange(shared, label, &finish, s.upstream_timeout, shared.pool().send(authority, upstream_req)).await {
            Ok(r) => r,
            Err(answer) => return answer,
        };
    upstream_answered(shared, log, label, sent);
    if upstream.status() == StatusCode::SWITCHING_PROTOCOLS {
        return gateway_error(
            shared,
            label,
            ErrorKind::UnrequestedUpgrade,
            StatusCode::BAD_GATEWAY,
            "Bad Gateway: the upstream switched protocols unasked",
            &finish,
        );
    }
    relay(shared, label, upstream, &finish)
}

/// Records the time to the upstream's response head.
fn upstream_answered(shared: &Shared, log: &mut Log, label: &str, sent: Instant) {
    let took = sent.elapsed();
    log.upstream = Some(took);
    shared.metrics.upstream_latency(label, took);
}

/// Waits for the upstream's response head within the upstream timeout; a
/// failure becomes the gateway's own answer (504, 413 or 502, with the
/// route's CORS headers).
async fn exchange<T>(
    shared: &Shared,
    label: &str,
    finish: &Finish,
    timeout: Duration,
    response: impl Future<Output = Result<Response<T>, BoxError>>,
) -> Result<Response<T>, Response<Body>> {
    match tokio::time::timeout(timeout, response).await {
        Err(_) => Err(gateway_error(
            shared,
            label,
            ErrorKind::Timeout,
            StatusCode::GATEWAY_TIMEOUT,
            "Gateway Timeout: the upstream did not answer in time",
            finish,
        )),
        Ok(Err(e)) => {
            if body::is_length_limit(&*e) {
                return Err(gateway_error(
                    shared,
                    label,
                    ErrorKind::BodyTooLarge,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Content Too Large: the request body exceeds max_request_body_bytes",
                    finish,
                ));
            }
            tracing::warn!(target: "crossgate::upstream", route = label, error = %error_chain(&*e), "upstream request failed");
            Err(gateway_error(
                shared,
                label,
                ErrorKind::Connect,
                StatusCode::BAD_GATEWAY,
                "Bad Gateway: the upstream cannot be reached",
                finish,
            ))
        }
        Ok(Ok(r)) => Ok(r),
    }
}

/// The upstream's response on its way to the client: hop-by-hop headers
/// out, the route's CORS headers in, the body streamed.
fn relay<B>(shared: &Shared, label: &str, upstream: Response<B>, finish: &Finish) -> Response<Body>
where
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let (mut parts, incoming) = upstream.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    if finish.apply(&mut parts.headers).is_err() {
        return gateway_error(
            shared,
            label,
            ErrorKind::UpstreamCorsHeaders,
            StatusCode::BAD_GATEWAY,
            "Bad Gateway: the upstream set its own Access-Control-* headers (upstream_cors_headers = \"reject\")",
            finish,
        );
    }
    parts.version = Version::HTTP_11;
    Response::from_parts(parts, body::boxed(incoming))
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// The size of a request head as the limit counts it: target plus every
/// header line.
fn header_bytes(req: &Request<Body>) -> usize {
    let target = req.uri().path_and_query().map_or(1, |p| p.as_str().len());
    target + req.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum::<usize>()
}

fn gateway_error(
    shared: &Shared,
    route: &str,
    kind: ErrorKind,
    status: StatusCode,
    text: &str,
    finish: &Finish,
) -> Response<Body> {
    shared.metrics.upstream_error(route, kind);
    let mut r = plain(status, text);
    // A fresh response has no upstream CORS headers, so this cannot conflict.
    let _ = finish.apply(r.headers_mut());
    r
}

/// Headers that describe one hop's connection, not the message (RFC 9110
/// §7.6.1). `Connection` first: its value names more.
const HOP_BY_HOP: [HeaderName; 9] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// Removes the hop-by-hop headers and any the `Connection` header names.
/// Most messages carry none, or only `Connection: keep-alive`, so one pass
/// over the names finds which are there before anything is removed.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let mut present = 0u16;
    for name in headers.keys() {
        if let Some(i) = HOP_BY_HOP.iter().position(|h| h == name) {
            present |= 1 << i;
        }
    }
    if present == 0 {
        return;
    }
    if present & 1 != 0 {
        let named: Vec<HeaderName> = headers
            .get_all(header::CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            // `close` names no header; the fixed ones go below anyway.
            .filter(|t| {
                !t.eq_ignore_ascii_case("close") && !HOP_BY_HOP.iter().any(|h| t.eq_ignore_ascii_case(h.as_str()))
            })
            .filter_map(|t| HeaderName::from_bytes(t.as_bytes()).ok())
            .collect();
        for n in named {
            headers.remove(n);
        }
    }
    for (i, h) in HOP_BY_HOP.iter().enumerate() {
        if present & (1 << i) != 0 {
            headers.remove(h);
        }
    }
}

/// The `Upgrade` value of an HTTP/1.1 request that asks for one.
fn requested_upgrade(h: &HeaderMap) -> Option<HeaderValue> {
    let asks = h
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case("upgrade"));
    if asks {
        h.get(header::UPGRADE).cloned()
    } else {
        None
    }
}

/// Answers 101 to the client and relays bytes between the two upgraded
/// connections until either side closes.
fn switch_protocols(
    mut upstream: Response<hyper::body::Incoming>,
    client: hyper::upgrade::OnUpgrade,
    finish: &Finish,
) -> Response<Body> {
    let protocol = upstream.headers().get(header::UPGRADE).cloned();
    let upstream_upgrade = hyper::upgrade::on(&mut upstream);
    tokio::spawn(async move {
        match (client.await, upstream_upgrade.await) {
            (Ok(c), Ok(u)) => {
                let _ = tokio::io::copy_bidirectional(
                    &mut hyper_util::rt::TokioIo::new(c),
                    &mut hyper_util::rt::TokioIo::new(u),
                )
                .await;
            }
            (c, u) => {
                tracing::warn!(target: "crossgate::upstream", client = c.is_ok(), upstream = u.is_ok(), "upgrade failed")
            }
        }
    });
    let (mut parts, _) = upstream.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    let _ = finish.apply(&mut parts.headers);
    parts.headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    if let Some(p) = protocol {
        parts.headers.insert(header::UPGRADE, p);
    }
    Response::from_parts(parts, body::empty())
}

fn upstream_request(
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
        body::boxed(http_body_util::Limited::new(body, usize::try_from(s.max_request_body_bytes).unwrap_or(usize::MAX)))
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
