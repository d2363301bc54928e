//! What the benchmarks share: the scenarios, each library configured for
//! them, and one way to drive every service.
//!
//! Every library gets the same policy, written in its own API, and the same
//! request, built the same way per iteration: a fresh `http` header map
//! whose values are clones of values made once at setup. Those values are
//! backed by shared `Bytes`, as hyper's parser produces them, so cloning one
//! is a reference-count increment for every library alike (a `from_static`
//! value would hide the cost; a `Vec`-backed one would allocate on its first
//! clone, which no server does). Each iteration gets a fresh response from
//! the inner service, which carries `content-type` like any framework's.
//!
//! Overhead is always measured against a baseline that does the same work
//! without CORS: the bare inner service for tower, the bare inner service
//! for actix (whose request type costs much more to build), and building
//! the request alone for the engine.

#![allow(dead_code)] // each bench target uses part of this module

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use actix_web::dev::{Service as ActixService, ServiceRequest, ServiceResponse, Transform};
use bytes::{Bytes, BytesMut};
use crossgate_core::{Policy, PolicyConfig, RuleConfig};
use http::header::{
    HeaderName, HeaderValue, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, CONTENT_TYPE, ORIGIN,
};
use http::{Method, Request, Response, Uri};
use http_body_util::Full;
use tower::Service;

/// The origin every scenario but the origin-list ones allows.
pub const APP: &str = "https://app.example.com";
/// An origin no scenario allows.
pub const EVIL: &str = "https://evil.example.net";
/// The requested header names of a normal preflight, both allowed.
pub const ALLOWED_HEADERS: [&str; 2] = ["content-type", "x-requested-with"];
/// The preflight answer's cache lifetime, in seconds.
pub const MAX_AGE: u64 = 600;

/// Which origins a scenario's policy allows.
#[derive(Clone, Debug)]
pub enum Origins {
    /// Exact origins.
    List(Vec<String>),
    /// `https://*.example.com`: tower-http has no pattern, so it gets the
    /// nearest equivalent, a predicate; actix-cors gets `allowed_origin_fn`.
    Subdomain,
}

/// One request against one policy.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: &'static str,
    pub origins: Origins,
    pub method: Method,
    /// Built once; cloned into every request.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Whether this is a hostile preflight (the allocation target excludes them).
    pub hostile: bool,
    /// The same method and headers in actix-web's types (it is on `http` 0.2).
    pub actix: ActixParts,
}

/// A request's method and headers as actix-web's `http` 0.2 types.
#[derive(Clone, Debug)]
pub struct ActixParts {
    pub method: actix_web::http::Method,
    pub headers: Vec<(actix_web::http::header::HeaderName, actix_web::http::header::HeaderValue)>,
}

impl Scenario {
    fn new(
        name: &'static str,
        origins: Origins,
        method: Method,
        headers: Vec<(HeaderName, HeaderValue)>,
        hostile: bool,
    ) -> Self {
        let actix = ActixParts {
            method: actix_web::http::Method::from_bytes(method.as_str().as_bytes()).expect("method"),
            headers: headers
                .iter()
                .map(|(n, v)| {
                    let name = actix_web::http::header::HeaderName::from_bytes(n.as_str().as_bytes()).expect("name");
                    let value = actix_web::http::header::HeaderValue::from_maybe_shared(shared_bytes(v.as_bytes()))
                        .expect("value");
                    (name, value)
                })
                .collect(),
        };
        Scenario { name, origins, method, headers, hostile, actix }
    }
}

/// A header value backed by shared `Bytes`, as hyper's parser makes them.
pub fn shared_value(s: &str) -> HeaderValue {
    HeaderValue::from_maybe_shared(shared_bytes(s.as_bytes())).expect("valid header value")
}

fn shared_bytes(b: &[u8]) -> Bytes {
    let mut buf = BytesMut::from(b);
    // Splitting promotes the buffer to shared storage, as hyper's read buffer is.
    buf.split_to(b.len()).freeze()
}

fn list(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("https://o{i:05}.example.com")).collect()
}

/// The configured origins of the origin-list scenarios, and the last one
/// (the one requested).
fn list_scenario(name: &'static str, n: usize) -> Scenario {
    let origins = list(n);
    let last = origins.last().expect("n > 0").clone();
    Scenario::new(name, Origins::List(origins), Method::GET, vec![(ORIGIN, shared_value(&last))], false)
}

fn preflight(name: &'static str, origin: &str, acrh: Option<&str>, hostile: bool) -> Scenario {
    let mut headers = vec![(ORIGIN, shared_value(origin)), (ACCESS_CONTROL_REQUEST_METHOD, shared_value("PUT"))];
    if let Some(acrh) = acrh {
        headers.push((ACCESS_CONTROL_REQUEST_HEADERS, shared_value(acrh)));
    }
    Scenario::new(name, Origins::List(vec![APP.into()]), Method::OPTIONS, headers, hostile)
}

/// Every scenario, in the order of the tables.
pub fn scenarios() -> Vec<Scenario> {
    let app = || Origins::List(vec![APP.into()]);
    // An allowed name repeated to 1 MiB: a parser that reads it all pays for all of it.
    let mib = {
        let mut s = "content-type,".repeat((1 << 20) / "content-type,".len());
        s.push_str("content-type");
        s
    };
    let commas = ",".repeat(10_000);
    let names = (0..1000).map(|i| format!("x-h{i:03}")).collect::<Vec<_>>().join(",");
    vec![
        Scenario::new("no_origin", app(), Method::GET, vec![], false),
        Scenario::new("actual_allowed", app(), Method::GET, vec![(ORIGIN, shared_value(APP))], false),
        Scenario::new("actual_disallowed", app(), Method::GET, vec![(ORIGIN, shared_value(EVIL))], false),
        preflight("preflight_allowed", APP, Some(&ALLOWED_HEADERS.join(",")), false),
        preflight("preflight_rejected", EVIL, Some(&ALLOWED_HEADERS.join(",")), false),
        list_scenario("origins_1", 1),
        list_scenario("origins_100", 100),
        list_scenario("origins_10000", 10_000),
        Scenario::new(
            "subdomain",
            Origins::Subdomain,
            Method::GET,
            vec![(ORIGIN, shared_value("https://api.eu.example.com"))],
            false,
        ),
        preflight("hostile_acrh_1mib", APP, Some(&mib), true),
        preflight("hostile_acrh_commas", APP, Some(&commas), true),
        preflight("hostile_acrh_names", APP, Some(&names), true),
    ]
}

/// The libraries (and baselines), in the order of the tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lib {
    /// The inner tower service alone.
    TowerBaseline,
    /// `crossgate_tower::CorsLayer`.
    Crossgate,
    /// `tower_http::cors::CorsLayer`.
    TowerHttp,
    /// The inner actix service alone.
    ActixBaseline,
    /// `actix_cors::Cors`.
    ActixCors,
    /// Building the request alone.
    EngineBaseline,
    /// `Policy::evaluate`, no middleware.
    Engine,
}

impl Lib {
    pub const ALL: [Lib; 7] = [
        Lib::TowerBaseline,
        Lib::Crossgate,
        Lib::TowerHttp,
        Lib::ActixBaseline,
        Lib::ActixCors,
        Lib::EngineBaseline,
        Lib::Engine,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Lib::TowerBaseline => "tower_baseline",
            Lib::Crossgate => "crossgate",
            Lib::TowerHttp => "tower_http",
            Lib::ActixBaseline => "actix_baseline",
            Lib::ActixCors => "actix_cors",
            Lib::EngineBaseline => "engine_baseline",
            Lib::Engine => "engine",
        }
    }

    pub fn from_name(name: &str) -> Option<Lib> {
        Lib::ALL.into_iter().find(|l| l.name() == name)
    }
}

// ---------------------------------------------------------------- policies

const METHODS: [Method; 4] = [Method::GET, Method::POST, Method::PUT, Method::DELETE];

fn is_example_subdomain(origin: &[u8]) -> bool {
    origin
        .strip_prefix(b"https://")
        .is_some_and(|host| host.len() > ".example.com".len() && host.ends_with(b".example.com"))
}

pub fn crossgate_policy(s: &Scenario) -> Policy {
    let origins = match &s.origins {
        Origins::List(l) => l.clone(),
        Origins::Subdomain => vec!["https://*.example.com".into()],
    };
    let rule = RuleConfig::new(origins)
        .methods(METHODS.iter().map(Method::as_str))
        .request_headers(ALLOWED_HEADERS)
        .credentials(true)
        .max_age(MAX_AGE as i64);
    Policy::new(PolicyConfig::new(rule)).expect("valid policy").policy
}

pub fn tower_http_layer(s: &Scenario) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let origin = match &s.origins {
        // Not `AllowOrigin::exact`: that sends its origin to every request
        // unchecked, leaving the check to the browser; `list` reflects only
        // allowed origins, as the other two do.
        Origins::List(l) => AllowOrigin::list(l.iter().map(|o| HeaderValue::from_str(o).expect("origin"))),
        Origins::Subdomain => AllowOrigin::predicate(|origin, _| is_example_subdomain(origin.as_bytes())),
    };
    CorsLayer::new()
        .allow_origin(origin)
        .allow_methods(METHODS)
        .allow_headers(ALLOWED_HEADERS.map(HeaderName::from_static))
        .allow_credentials(true)
        .max_age(Duration::from_secs(MAX_AGE))
}

pub fn actix_cors(s: &Scenario) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(METHODS.iter().map(Method::as_str))
        .allowed_headers(ALLOWED_HEADERS)
        .supports_credentials()
        .max_age(MAX_AGE as usize);
    match &s.origins {
        Origins::List(l) => {
            for o in l {
                cors = cors.allowed_origin(o);
            }
        }
        Origins::Subdomain => cors = cors.allowed_origin_fn(|origin, _| is_example_subdomain(origin.as_bytes())),
    }
    cors
}

// ---------------------------------------------------------------- services

/// The body every inner service answers with.
pub type Body = Full<Bytes>;

fn hello_response() -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"hello")));
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

/// The inner tower service: a fixed small response, ready at once.
#[derive(Clone, Copy, Debug)]
pub struct Hello;

impl Service<Request<()>> for Hello {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Ready<Result<Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        ready(Ok(hello_response()))
    }
}

/// Polls a future that must be ready at once (every service here is).
pub fn now<F: Future>(f: F) -> F::Output {
    match pin!(f).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("a benchmarked future was not ready at once"),
    }
}

/// Calls a tower service once.
pub fn call_tower<S>(svc: &mut S, request: Request<()>) -> S::Response
where
    S: Service<Request<()>>,
    S::Error: std::fmt::Debug,
{
    match svc.poll_ready(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(r) => r.expect("ready"),
        Poll::Pending => panic!("service not ready"),
    }
    now(svc.call(request)).expect("response")
}

/// A request for the tower services and the engine.
pub fn tower_request(s: &Scenario) -> Request<()> {
    let mut request = Request::new(());
    *request.method_mut() = s.method.clone();
    *request.uri_mut() = Uri::from_static("/");
    let headers = request.headers_mut();
    for (name, value) in &s.headers {
        headers.append(name.clone(), value.clone());
    }
    request
}

/// A request for the actix services.
pub fn actix_request(s: &Scenario) -> ServiceRequest {
    let mut t = actix_web::test::TestRequest::default().method(s.actix.method.clone()).uri("/");
    for (name, value) in &s.actix.headers {
        t = t.append_header((name.clone(), value.clone()));
    }
    t.to_srv_request()
}

async fn actix_hello(req: ServiceRequest) -> Result<ServiceResponse, actix_web::Error> {
    let response = actix_web::HttpResponse::Ok().content_type("text/plain").body("hello");
    Ok(req.into_response(response))
}

/// The inner actix service.
pub fn actix_inner(
) -> impl ActixService<ServiceRequest, Response = ServiceResponse, Error = actix_web::Error, Future: 'static> + 'static
{
    actix_web::dev::fn_service(actix_hello)
}

/// The actix-cors middleware around the inner actix service.
pub fn actix_middleware(
    s: &Scenario,
) -> impl ActixService<ServiceRequest, Response = ServiceResponse<impl actix_web::body::MessageBody>, Error = actix_web::Error>
{
    now(actix_cors(s).new_transform(actix_inner())).expect("actix-cors configuration")
}

/// Calls an actix service once.
pub fn call_actix<S, B>(svc: &S, request: ServiceRequest) -> ServiceResponse<B>
where
    S: ActixService<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    now(svc.call(request)).expect("actix response")
}

/// One prepared library under one scenario: call `run` once per request.
pub struct Prepared {
    pub scenario: Scenario,
    pub run: Box<dyn FnMut()>,
}

/// Prepares `lib` for `s`: the policy or middleware is built here, outside
/// any measurement; `run` builds one request, answers it and drops the
/// response. (Used by the counting binary; criterion separates request
/// building from the measured call itself.)
pub fn prepare(lib: Lib, s: &Scenario) -> Box<dyn FnMut()> {
    let s = s.clone();
    match lib {
        Lib::TowerBaseline => {
            let mut svc = Hello;
            Box::new(move || drop(std::hint::black_box(call_tower(&mut svc, tower_request(&s)))))
        }
        Lib::Crossgate => {
            let mut svc = tower::Layer::layer(&crossgate_tower::CorsLayer::new(crossgate_policy(&s)), Hello);
            Box::new(move || drop(std::hint::black_box(call_tower(&mut svc, tower_request(&s)))))
        }
        Lib::TowerHttp => {
            let mut svc = tower::Layer::layer(&tower_http_layer(&s), Hello);
            Box::new(move || drop(std::hint::black_box(call_tower(&mut svc, tower_request(&s)))))
        }
        Lib::ActixBaseline => {
            let svc = actix_inner();
            Box::new(move || drop(std::hint::black_box(call_actix(&svc, actix_request(&s)))))
        }
        Lib::ActixCors => {
            let svc = actix_middleware(&s);
            Box::new(move || drop(std::hint::black_box(call_actix(&svc, actix_request(&s)))))
        }
        Lib::EngineBaseline => Box::new(move || drop(std::hint::black_box(tower_request(&s)))),
        Lib::Engine => {
            let policy = crossgate_policy(&s);
            Box::new(move || {
                let request = tower_request(&s);
                let decision = policy.evaluate(request.method(), request.uri().path(), request.headers());
                drop(std::hint::black_box(decision));
            })
        }
    }
}
