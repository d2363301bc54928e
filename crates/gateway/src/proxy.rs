//! The request path: its target decided (one authority, checked against
//! `allowed_hosts`; the normal path), route, CORS decision, forward, finish.
//!
//! Every response that leaves here for a route carries that route's CORS
//! headers and `Vary`, including the ones the gateway makes itself (413,
//! 431, 502, 504): a page that gets a plain 502 without CORS headers sees a
//! "CORS error" in the console and goes hunting for the wrong problem.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::header::{self, HeaderValue};
use http::{Request, Response, StatusCode, Version};

use crate::body::{self, Body, BoxError};
use crate::cors_step::{self, Finish, Step};
use crate::forward::{upstream_request, Peer};
use crate::hop_by_hop::{requested_upgrade, strip_hop_by_hop, unsupported_transfer_coding};
use crate::labels::{ErrorKind, Outcome, Reason};
use crate::metrics::Metrics;
use crate::response::plain;
use crate::runtime::Runtime;
use crate::shared::Shared;
use crate::target;
use crate::upstream;

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
        // Request-derived fields are recorded as strings, which the text
        // format quotes and escapes (and JSON writes as strings): an
        // `Origin` with spaces cannot print fields of its own.
        tracing::info!(
            target: "crossgate::access",
            peer = %peer.addr, method = method.as_str(), path = path.as_str(), origin = origin.as_str(), status, route = %log.route(), cors = log.cors.map_or("-", Outcome::as_str), reason = log.reason.map_or("", Reason::as_str),
            upstream_ms = log.upstream.map(|d| d.as_secs_f64() * 1000.0),
            duration_ms = start.elapsed().as_secs_f64() * 1000.0,
            "request"
        );
    }
    response
}

async fn route_request(shared: &Arc<Shared>, mut req: Request<Body>, peer: &Peer, log: &mut Log) -> Response<Body> {
    let rt = shared.current();
    // From here on the request's target is the decided one.
    let host = match target::decide(&mut req, &rt) {
        Ok(authority) => authority,
        Err(refusal) => {
            log.reason = Some(refusal.reason());
            return plain(refusal.status(), refusal.text());
        }
    };
    if unsupported_transfer_coding(req.headers()) {
        log.reason = Some(Reason::TransferCodingUnsupported);
        return plain(
            StatusCode::NOT_IMPLEMENTED,
            "Not Implemented: the only transfer coding accepted is chunked, applied once",
        );
    }
    let Some((index, route)) = rt.route(req.uri().path()) else {
        return plain(StatusCode::NOT_FOUND, "Not Found: no route for this path");
    };
    log.route = Some((Arc::clone(&rt), index));
    let label = route.path.as_str();
    let (step, seen) = cors_step::decide(route, &req, host.as_ref(), &shared.metrics);
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
            if body::is_client_body_error(&*e) {
                tracing::info!(target: "crossgate::client", route = label, error = %error_chain(&*e), "request body unreadable");
                return Err(gateway_error(
                    shared,
                    label,
                    ErrorKind::BadRequestBody,
                    StatusCode::BAD_REQUEST,
                    "Bad Request: the request body is malformed or cut off",
                    finish,
                ));
            }
            if upstream::is_saturated(&*e) {
                return Err(gateway_error(
                    shared,
                    label,
                    ErrorKind::UpstreamBusy,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service Unavailable: every connection to the upstream is in use (max_upstream_connections)",
                    finish,
                ));
            }
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
