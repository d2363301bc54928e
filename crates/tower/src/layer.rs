//! The layer and the service it makes: decide every request with the
//! policy, answer locally what the policy answers, finish the rest.

use std::sync::Arc;
use std::task::{Context, Poll};

use crossgate_core::{Action, Decision, Mode, Policy, PolicyHandle};
use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::body::CorsBody;
use crate::future::ResponseFuture;

/// Applies a CORS [`Policy`] to an inner service.
#[derive(Clone, Debug)]
pub struct CorsLayer {
    policy: Source,
}

/// Where the policy comes from: fixed when the layer was made, or read
/// from a handle per request (one atomic load).
#[derive(Clone, Debug)]
enum Source {
    Fixed(Arc<Policy>),
    Handle(PolicyHandle),
}

impl Source {
    /// The policy as an `Arc`, for callers that keep it.
    fn current(&self) -> Arc<Policy> {
        match self {
            Source::Fixed(p) => Arc::clone(p),
            Source::Handle(h) => h.load_full(),
        }
    }
}

impl CorsLayer {
    /// A layer for this policy.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use http::{Request, Response, StatusCode};
    /// # use tower::{service_fn, ServiceExt};
    /// # // A handler that answers every request 200, and a policy for one origin.
    /// # let handler = service_fn(|_: Request<String>| async { Ok::<_, Infallible>(Response::new(String::new())) });
    /// # let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).methods(["PUT"])))?.policy;
    /// # let preflight = Request::builder()
    /// #     .method("OPTIONS")
    /// #     .header("origin", "https://app.example.com")
    /// #     .header("access-control-request-method", "PUT")
    /// #     .body(String::new())
    /// #     .unwrap();
    /// # let runtime = tokio::runtime::Runtime::new().unwrap();
    /// use crossgate_tower::CorsLayer;
    /// use tower::Layer;
    ///
    /// let service = CorsLayer::new(policy).layer(handler);
    /// let response = runtime.block_on(service.oneshot(preflight))?;
    /// assert_eq!(response.status(), StatusCode::NO_CONTENT);
    /// assert_eq!(response.headers()["access-control-allow-methods"], "PUT");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(policy: Policy) -> Self {
        CorsLayer { policy: Source::Fixed(Arc::new(policy)) }
    }

    /// A layer sharing an existing policy, e.g. one swapped in on reload
    /// and used by several layers at once.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use http::{Request, Response, StatusCode};
    /// # use tower::{service_fn, ServiceExt};
    /// # // A handler that answers every request 200, and a policy for one origin.
    /// # let handler = service_fn(|_: Request<String>| async { Ok::<_, Infallible>(Response::new(String::new())) });
    /// # let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).methods(["PUT"])))?.policy;
    /// # let preflight = Request::builder()
    /// #     .method("OPTIONS")
    /// #     .header("origin", "https://app.example.com")
    /// #     .header("access-control-request-method", "PUT")
    /// #     .body(String::new())
    /// #     .unwrap();
    /// # let runtime = tokio::runtime::Runtime::new().unwrap();
    /// use std::sync::Arc;
    /// use crossgate_tower::CorsLayer;
    /// use tower::Layer;
    ///
    /// let shared = Arc::new(policy);
    /// let service = CorsLayer::shared(Arc::clone(&shared)).layer(handler);
    /// assert!(Arc::ptr_eq(&service.policy(), &shared));
    /// let response = runtime.block_on(service.oneshot(preflight))?;
    /// assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn shared(policy: Arc<Policy>) -> Self {
        CorsLayer { policy: Source::Fixed(policy) }
    }

    /// A layer that decides each request with the policy `handle` holds
    /// at that moment: [`PolicyHandle::replace`] changes it for the next
    /// request, and a request already decided finishes under the policy it
    /// started with.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use http::{Request, Response, StatusCode};
    /// # use tower::{service_fn, ServiceExt};
    /// # let handler = service_fn(|_: Request<String>| async { Ok::<_, Infallible>(Response::new(String::new())) });
    /// # let runtime = tokio::runtime::Runtime::new().unwrap();
    /// use crossgate_core::PolicyHandle;
    /// use crossgate_tower::CorsLayer;
    /// use tower::Layer;
    ///
    /// let build = |origin: &str| Policy::new(PolicyConfig::new(RuleConfig::new([origin]))).unwrap().policy;
    /// let handle = PolicyHandle::new(build("https://a.example"));
    /// let service = CorsLayer::from_handle(handle.clone()).layer(handler);
    /// let get = || Request::get("/").header("origin", "https://b.example").body(String::new()).unwrap();
    ///
    /// let before = runtime.block_on(service.clone().oneshot(get()))?;
    /// assert!(!before.headers().contains_key("access-control-allow-origin"));
    /// handle.replace(build("https://b.example"));
    /// let after = runtime.block_on(service.oneshot(get()))?;
    /// assert_eq!(after.headers()["access-control-allow-origin"], "https://b.example");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_handle(handle: PolicyHandle) -> Self {
        CorsLayer { policy: Source::Handle(handle) }
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Cors { inner, policy: self.policy.clone() }
    }
}

/// The service [`CorsLayer`] produces.
#[derive(Clone, Debug)]
pub struct Cors<S> {
    inner: S,
    policy: Source,
}

impl<S> Cors<S> {
    /// Wraps `inner` with `policy`: what [`CorsLayer`] does, without a layer.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use http::{Request, Response, StatusCode};
    /// # use tower::{service_fn, ServiceExt};
    /// # // A handler that answers every request 200, and a policy for one origin.
    /// # let handler = service_fn(|_: Request<String>| async { Ok::<_, Infallible>(Response::new(String::new())) });
    /// # let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).methods(["PUT"])))?.policy;
    /// # let preflight = Request::builder()
    /// #     .method("OPTIONS")
    /// #     .header("origin", "https://app.example.com")
    /// #     .header("access-control-request-method", "PUT")
    /// #     .body(String::new())
    /// #     .unwrap();
    /// # let runtime = tokio::runtime::Runtime::new().unwrap();
    /// use std::sync::Arc;
    /// use crossgate_tower::Cors;
    ///
    /// let service = Cors::new(handler, Arc::new(policy));
    /// let response = runtime.block_on(service.oneshot(preflight))?;
    /// assert_eq!(response.status(), StatusCode::NO_CONTENT);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(inner: S, policy: Arc<Policy>) -> Self {
        Cors { inner, policy: Source::Fixed(policy) }
    }

    /// The policy in force (for a handle, the one it holds now).
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use http::{Request, Response, StatusCode};
    /// # use tower::{service_fn, ServiceExt};
    /// # // A handler that answers every request 200, and a policy for one origin.
    /// # let handler = service_fn(|_: Request<String>| async { Ok::<_, Infallible>(Response::new(String::new())) });
    /// # let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).methods(["PUT"])))?.policy;
    /// # let preflight = Request::builder()
    /// #     .method("OPTIONS")
    /// #     .header("origin", "https://app.example.com")
    /// #     .header("access-control-request-method", "PUT")
    /// #     .body(String::new())
    /// #     .unwrap();
    /// # let runtime = tokio::runtime::Runtime::new().unwrap();
    /// use std::sync::Arc;
    /// use crossgate_tower::Cors;
    ///
    /// let service = Cors::new(handler, Arc::new(policy));
    /// assert_eq!(service.policy().rule_count(), 1);
    /// # drop((preflight, runtime));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn policy(&self) -> Arc<Policy> {
        self.policy.current()
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

    /// <https://fetch.spec.whatwg.org/#http-cors-protocol>
    ///
    /// Decides the request, then answers a preflight (or a strict-mode
    /// refusal) here, or calls the inner service and finishes its response.
    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // Consuming the decision moves its headers into the answer or the
        // pending finish instead of cloning them. The action owns what it
        // needs, so a handle's policy may be replaced once it is made.
        let action = match &self.policy {
            Source::Fixed(policy) => decide(policy, &request),
            Source::Handle(handle) => decide(&handle.load(), &request),
        };
        match action {
            Action::Forward(pending) => ResponseFuture::inner(self.inner.call(request), pending),
            Action::Refuse(vary) => ResponseFuture::refused(vary),
            Action::Answer(answer) => ResponseFuture::local(answer),
        }
    }
}

#[inline]
fn decide<B>(policy: &Policy, request: &Request<B>) -> Action {
    let decision = policy.evaluate_request(request);
    trace_decision(&decision, request);
    decision.into_action()
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
