//! A tower [`Layer`] that applies a [`crossgate_core::Policy`] to every
//! request: axum, hyper and tonic alike.
//!
//! ```
//! use axum::{routing::get, Router};
//! use crossgate_core::{Policy, PolicyConfig, RuleConfig};
//! use crossgate_tower::CorsLayer;
//!
//! let policy = Policy::new(PolicyConfig::new(
//!     RuleConfig::new(["https://app.example.com"])
//!         .methods(["GET", "POST", "DELETE"])
//!         .request_headers(["content-type"]),
//! ))
//! .expect("valid policy")
//! .policy;
//!
//! let app: Router = Router::new()
//!     .route("/items", get(|| async { "[]" }))
//!     .layer(CorsLayer::new(policy));
//! # drop(app);
//! ```
//!
//! What the layer does, per request ([`Policy::evaluate_request`]):
//!
//! - **Preflight** (`OPTIONS` + `Origin` + `Access-Control-Request-Method`):
//!   answered here, never passed on — the policy's status with its headers,
//!   or 403 without CORS headers (with a one-line reason in debug mode).
//!   Any other `OPTIONS` goes to the inner service.
//! - **Actual request**: passed to the inner service; its response, whatever
//!   the status, gets the CORS headers and `Vary`. In strict mode a rejected
//!   cross-origin request is answered 403 before the inner service runs.
//! - **Report-only mode**: nothing is changed; each rejection is logged.
//!
//! Rejections are `tracing` events (target `crossgate`) with the typed reason.
//! The layer never allocates to decide; the response body type wraps the
//! inner one ([`CorsBody`]) so that no `Default` body is required.
//!
//! [`Policy::evaluate_request`]: crossgate_core::Policy::evaluate_request

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod body;
mod future;

use std::sync::Arc;
use std::task::{Context, Poll};

use crossgate_core::{Action, Decision, Mode, Policy};
use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

pub use body::CorsBody;
pub use future::ResponseFuture;

/// Applies a CORS [`Policy`] to an inner service.
#[derive(Clone, Debug)]
pub struct CorsLayer {
    policy: Arc<Policy>,
}

impl CorsLayer {
    /// A layer for this policy.
    pub fn new(policy: Policy) -> Self {
        CorsLayer { policy: Arc::new(policy) }
    }

    /// A layer sharing an existing policy.
    pub fn shared(policy: Arc<Policy>) -> Self {
        CorsLayer { policy }
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Cors { inner, policy: Arc::clone(&self.policy) }
    }
}

/// The service [`CorsLayer`] produces.
#[derive(Clone, Debug)]
pub struct Cors<S> {
    inner: S,
    policy: Arc<Policy>,
}

impl<S> Cors<S> {
    /// Wraps `inner` with `policy`.
    pub fn new(inner: S, policy: Arc<Policy>) -> Self {
        Cors { inner, policy }
    }

    /// The policy in force.
    pub fn policy(&self) -> &Arc<Policy> {
        &self.policy
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<CorsBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let decision = self.policy.evaluate_request(&request);
        trace_decision(&decision, &request);
        // Consuming the decision moves its headers into the answer or the
        // pending finish instead of cloning them.
        match decision.into_action() {
            Action::Forward(pending) => ResponseFuture::inner(self.inner.call(request), pending),
            Action::Refuse(vary) => ResponseFuture::refused(vary),
            Action::Answer(answer) => ResponseFuture::local(answer),
        }
    }
}

fn trace_decision<B>(decision: &Decision<'_>, request: &Request<B>) {
    let Some(reason) = decision.reject_reason() else { return };
    // Fields are evaluated only when the event is enabled: no `Origin`
    // lookup per rejection when nobody listens.
    let origin = || request.headers().get(http::header::ORIGIN);
    let kind = decision.kind();
    if decision.mode() == Mode::ReportOnly {
        tracing::info!(
            target: "crossgate",
            ?kind, code = reason.code(), %reason, origin = ?origin(), method = %request.method(), path = request.uri().path(),
            "CORS request would be rejected (report-only)"
        );
    } else {
        tracing::debug!(
            target: "crossgate",
            ?kind, code = reason.code(), %reason, origin = ?origin(), method = %request.method(), path = request.uri().path(),
            "CORS request rejected"
        );
    }
}

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
