//! CORS at the edge: a route's decision for one request, before anything is
//! forwarded. Either the gateway answers now (a preflight, strict mode's
//! 403, S3's 403), or the request goes upstream and [`Finish`] says what to
//! do to the response's headers, whichever response it turns out to be (the
//! upstream's or one the gateway makes).

use crossgate_core::{
    header::cors_response_header_names, Action, Mode, Outcome, Pending, Policy, RequestKind, UpstreamConflict,
};
use http::header::{self, HeaderMap, HeaderValue};
use http::{Request, Response, StatusCode};

use crate::body::{self, Body};
use crate::labels::Outcome::{Allowed, NotCors};
use crate::labels::{Labels, Reason};
use crate::metrics::Metrics;
use crate::response::{plain, with_status};
use crate::runtime::{Route, RouteCors};
use crate::s3::{S3Cors, S3Decision, NOT_ENABLED};
use crate::target::SCHEME;

/// What to do to a response's headers once it exists.
pub(crate) enum Finish {
    /// Nothing (not CORS, forwarded preflights, report-only S3 routes).
    Nothing,
    /// The policy's headers, per its `upstream_cors_headers`.
    Policy(Pending),
    /// S3's headers, replacing the upstream's.
    S3(HeaderMap),
}

impl Finish {
    pub(crate) fn apply(&self, headers: &mut HeaderMap) -> Result<(), UpstreamConflict> {
        match self {
            Finish::Nothing => Ok(()),
            Finish::Policy(p) => p.finish(headers),
            Finish::S3(add) => {
                for name in cors_response_header_names() {
                    headers.remove(name);
                }
                for (k, v) in add {
                    if k == header::VARY {
                        headers.append(k, v.clone());
                    } else {
                        headers.insert(k, v.clone());
                    }
                }
                Ok(())
            }
        }
    }
}

/// The result of the CORS step.
pub(crate) enum Step {
    /// Answer with this, without calling the upstream.
    Answer(Response<Body>),
    /// Forward, then finish the response so.
    Forward(Finish),
}

/// Decides a request for `route`, counting preflights answered in `metrics`;
/// `authority` is the request's decided one, which strict mode's
/// same-origin test compares with the listener's scheme.
pub(crate) fn decide(
    route: &Route,
    req: &Request<Body>,
    authority: Option<&HeaderValue>,
    metrics: &Metrics,
) -> (Step, Labels) {
    match &route.cors {
        RouteCors::Policy(policy) => decide_policy(route, policy, req, authority, metrics),
        RouteCors::S3(s3) if route.mode == Mode::ReportOnly => {
            let seen = match s3.decide(req.method(), req.headers()) {
                S3Decision::NotCors => Labels::of(NotCors),
                S3Decision::PreflightAllowed(_) | S3Decision::Actual { allowed: true, .. } => Labels::of(Allowed),
                S3Decision::PreflightRejected(_) | S3Decision::Actual { allowed: false, .. } => {
                    Labels::rejected(Reason::S3NoRuleMatched)
                }
            };
            report_only(route, req, seen.reason_str());
            (Step::Forward(Finish::Nothing), seen)
        }
        RouteCors::S3(s3) => decide_s3(route, s3, req, metrics),
    }
}

fn report_only(route: &Route, req: &Request<Body>, reason: &str) {
    if !reason.is_empty() {
        tracing::warn!(target: "crossgate::report_only", route = %route.path, path = req.uri().path(), origin = ?req.headers().get(header::ORIGIN), reason, "would reject (report-only)");
    }
}

fn decide_policy(
    route: &Route,
    policy: &Policy,
    req: &Request<Body>,
    authority: Option<&HeaderValue>,
    metrics: &Metrics,
) -> (Step, Labels) {
    let (method, path, headers) = (req.method(), req.uri().path(), req.headers());
    let decision = match authority {
        Some(a) => policy.evaluate_at(method, path, headers, SCHEME, a.as_bytes()),
        None => policy.evaluate(method, path, headers),
    };
    let verdict = match decision.outcome() {
        Outcome::NotApplicable => Labels::of(NotCors),
        Outcome::Allowed { .. } => Labels::of(Allowed),
        Outcome::Rejected(r) => Labels::rejected(Reason::Policy(r.code())),
    };
    if policy.mode() == Mode::ReportOnly {
        report_only(route, req, verdict.reason_str());
    }
    let preflight = decision.kind() == RequestKind::Preflight;
    if route.forward_preflights && preflight {
        return (Step::Forward(Finish::Nothing), verdict);
    }
    let resp = match decision.into_action() {
        Action::Forward(pending) => return (Step::Forward(Finish::Policy(pending)), verdict),
        Action::Refuse(vary) => {
            let mut resp = with_status(StatusCode::FORBIDDEN, body::empty());
            vary.merge_into(resp.headers_mut());
            resp
        }
        Action::Answer(mut local) => {
            let mut resp = match local.debug_body.take() {
                Some(text) => plain(local.status, text.trim_end()),
                None => with_status(local.status, body::empty()),
            };
            local.write_headers(resp.headers_mut());
            resp
        }
    };
    if preflight {
        metrics.preflight(&route.path, resp.status().as_u16());
    }
    (Step::Answer(resp), verdict)
}

fn decide_s3(route: &Route, s3: &S3Cors, req: &Request<Body>, metrics: &Metrics) -> (Step, Labels) {
    let is_preflight = req.method() == http::Method::OPTIONS
        && req.headers().contains_key(header::ORIGIN)
        && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let not_cors = Labels::of(NotCors);
    match s3.decide(req.method(), req.headers()) {
        // S3 itself adds no Vary here, but a cache that stores this answer
        // must not serve it to a later cross-origin request.
        S3Decision::NotCors if s3.rule_count() > 0 => {
            let mut vary = HeaderMap::new();
            vary.insert(header::VARY, HeaderValue::from_static(crate::s3::VARY));
            (Step::Forward(Finish::S3(vary)), not_cors)
        }
        S3Decision::NotCors => (Step::Forward(Finish::Nothing), not_cors),
        _ if is_preflight && route.forward_preflights => (Step::Forward(Finish::Nothing), not_cors),
        S3Decision::PreflightAllowed(h) => {
            metrics.preflight(&route.path, 200);
            let mut resp = with_status(StatusCode::OK, body::empty());
            resp.headers_mut().extend(h);
            (Step::Answer(resp), Labels::of(Allowed))
        }
        S3Decision::PreflightRejected(e) => {
            let reason = if e.message == NOT_ENABLED {
                Reason::S3CorsNotEnabled
            } else if e.status == StatusCode::FORBIDDEN {
                Reason::S3NoRuleMatched
            } else {
                Reason::S3BadPreflight
            };
            metrics.preflight(&route.path, e.status.as_u16());
            let path = req.uri().path();
            let kind = if path.trim_end_matches('/') == route.path.trim_end_matches('/') { "BUCKET" } else { "OBJECT" };
            let mut resp = with_status(e.status, body::full(e.body(kind, &request_id())));
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml"));
            (Step::Answer(resp), Labels::rejected(reason))
        }
        S3Decision::Actual { headers, allowed } => {
            let seen = if allowed { Labels::of(Allowed) } else { Labels::rejected(Reason::S3NoRuleMatched) };
            (Step::Forward(Finish::S3(headers)), seen)
        }
    }
}

/// An id for S3 error bodies (S3 sends one; clients log it).
fn request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{:08X}{:08X}", nanos, NEXT.fetch_add(1, Ordering::Relaxed))
}
