//! The layer in a real axum app, over a real TCP socket on loopback.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, options};
use axum::Router;
use crossgate_core::{Mode, Policy, PolicyConfig, RuleConfig, UpstreamCorsHeaders};
use crossgate_tower::CorsLayer;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example.net";

fn policy(config: PolicyConfig) -> Policy {
    Policy::new(config).expect("valid policy").policy
}

fn api_rule() -> RuleConfig {
    RuleConfig::new([APP, "http://localhost:*"])
        .methods(["GET", "POST", "DELETE"])
        .request_headers(["content-type"])
        .expose_headers(["x-request-id"])
        .credentials(true)
        .max_age(600)
}

/// Serves `app` on 127.0.0.1 and returns its base URL.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn send(base: &str, method: Method, path: &str, headers: &[(&str, &str)]) -> Reply {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<bytes::Bytes>>();
    let mut req = http::Request::builder().method(method).uri(format!("{base}{path}"));
    for (n, v) in headers {
        req = req.header(*n, *v);
    }
    let res = client.request(req.body(Empty::new()).unwrap()).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Reply { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
}

fn counted_app(calls: Arc<AtomicUsize>) -> Router {
    let c1 = calls.clone();
    let c2 = calls.clone();
    Router::new()
        .route(
            "/items",
            get(|| async { ([("vary", "accept-encoding"), ("x-request-id", "42")], "[]") })
                .delete(move || {
                    c1.fetch_add(1, Ordering::SeqCst);
                    async { StatusCode::NO_CONTENT }
                })
                .post(move || {
                    c2.fetch_add(1, Ordering::SeqCst);
                    async { "created" }
                }),
        )
        .route("/boom", get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response() }))
        .route(
            "/self-cors",
            get(|| async {
                ([("access-control-allow-origin", "*"), ("access-control-allow-credentials", "true")], "x")
            }),
        )
        .route("/opts", options(|| async { (StatusCode::OK, "inner options") }))
}

#[tokio::test]
async fn allowed_preflight_gets_204_and_the_right_headers() {
    let base =
        serve(counted_app(Default::default()).layer(CorsLayer::new(policy(PolicyConfig::new(api_rule()))))).await;
    let r = send(
        &base,
        Method::OPTIONS,
        "/items",
        &[
            ("origin", APP),
            ("access-control-request-method", "DELETE"),
            ("access-control-request-headers", "content-type"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(r.headers["access-control-allow-origin"], APP);
    assert_eq!(r.headers["access-control-allow-credentials"], "true");
    assert_eq!(r.headers["access-control-allow-methods"], "DELETE");
    assert_eq!(r.headers["access-control-allow-headers"], "content-type");
    assert_eq!(r.headers["access-control-max-age"], "600");
    assert_eq!(r.headers["vary"], "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn disallowed_preflight_gets_403_without_cors_headers() {
    let base =
        serve(counted_app(Default::default()).layer(CorsLayer::new(policy(PolicyConfig::new(api_rule()))))).await;
    let engine = policy(PolicyConfig::new(api_rule()));
    for headers in [
        &[("origin", EVIL), ("access-control-request-method", "DELETE")][..],
        &[("origin", APP), ("access-control-request-method", "PUT")],
        &[("origin", APP), ("access-control-request-method", "DELETE"), ("access-control-request-headers", "x-secret")],
    ] {
        let r = send(&base, Method::OPTIONS, "/items", headers).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(r.headers.keys().all(|k| !k.as_str().starts_with("access-control-")), "{:?}", r.headers);
        assert!(r.body.is_empty(), "no body outside debug mode");
        // The layer's bare refusal sends what the engine's decision holds:
        // `Vary` and nothing else.
        let mut request = axum::http::Request::builder().method(Method::OPTIONS).uri("/items");
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let request = request.body(()).unwrap();
        let decision = engine.evaluate_request(&request);
        let mut expected = HeaderMap::new();
        decision.headers().write_to(&mut expected);
        assert_eq!(
            r.headers.get_all("vary").iter().collect::<Vec<_>>(),
            expected.get_all("vary").iter().collect::<Vec<_>>(),
            "{headers:?}"
        );
        assert!(expected.contains_key("vary"));
    }
}

#[tokio::test]
async fn inner_errors_still_carry_cors_headers() {
    let base =
        serve(counted_app(Default::default()).layer(CorsLayer::new(policy(PolicyConfig::new(api_rule()))))).await;
    let r = send(&base, Method::GET, "/boom", &[("origin", APP)]).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.headers["access-control-allow-origin"], APP);
    assert_eq!(r.headers["access-control-allow-credentials"], "true");
    assert_eq!(r.headers["vary"], "Origin");
    assert_eq!(r.body, "boom");
}

#[tokio::test]
async fn actual_requests_merge_vary_and_expose_headers() {
    let base =
        serve(counted_app(Default::default()).layer(CorsLayer::new(policy(PolicyConfig::new(api_rule()))))).await;
    let r = send(&base, Method::GET, "/items", &[("origin", "http://localhost:5173")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["access-control-allow-origin"], "http://localhost:5173");
    assert_eq!(r.headers["access-control-expose-headers"], "x-request-id");
    let vary: Vec<_> = r.headers.get_all("vary").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(vary, ["accept-encoding", "Origin"]);

    // Disallowed origin: passes through, no grant, still varies on Origin.
    let r = send(&base, Method::GET, "/items", &[("origin", EVIL)]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("access-control-allow-origin").is_none());
    let vary: Vec<_> = r.headers.get_all("vary").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(vary, ["accept-encoding", "Origin"]);

    // No Origin at all: Vary: Origin all the same.
    let r = send(&base, Method::GET, "/items", &[]).await;
    assert!(r.headers.get_all("vary").iter().any(|v| v == "Origin"));
}

#[tokio::test]
async fn inner_cors_headers_are_replaced_never_duplicated() {
    let base =
        serve(counted_app(Default::default()).layer(CorsLayer::new(policy(PolicyConfig::new(api_rule()))))).await;
    let r = send(&base, Method::GET, "/self-cors", &[("origin", APP)]).await;
    assert_eq!(r.headers.get_all("access-control-allow-origin").iter().collect::<Vec<_>>(), [APP]);
    let r = send(&base, Method::GET, "/self-cors", &[("origin", EVIL)]).await;
    assert!(r.headers.get("access-control-allow-origin").is_none(), "the inner grant must not leak");
    assert!(r.headers.get("access-control-allow-credentials").is_none());

    let keep = PolicyConfig::new(api_rule()).upstream_cors_headers(UpstreamCorsHeaders::Keep);
    let base = serve(counted_app(Default::default()).layer(CorsLayer::new(policy(keep)))).await;
    let r = send(&base, Method::GET, "/self-cors", &[("origin", APP)]).await;
    assert_eq!(r.headers.get_all("access-control-allow-origin").iter().collect::<Vec<_>>(), ["*"]);

    let reject = PolicyConfig::new(api_rule()).upstream_cors_headers(UpstreamCorsHeaders::Reject);
    let base = serve(counted_app(Default::default()).layer(CorsLayer::new(policy(reject)))).await;
    let r = send(&base, Method::GET, "/self-cors", &[("origin", APP)]).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert_eq!(r.headers["vary"], "Origin");
    assert!(r.headers.get("access-control-allow-origin").is_none());
    assert_eq!(send(&base, Method::GET, "/items", &[("origin", APP)]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn other_options_requests_reach_the_inner_service() {
    let base =
        serve(counted_app(Default::default()).layer(CorsLayer::new(policy(PolicyConfig::new(api_rule()))))).await;
    let r = send(&base, Method::OPTIONS, "/opts", &[("origin", APP)]).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "inner options"));
    // An actual OPTIONS request: the rule does not list OPTIONS, so no grant.
    assert!(r.headers.get("access-control-allow-origin").is_none());
    let r = send(&base, Method::OPTIONS, "/opts", &[]).await;
    assert_eq!(r.body, "inner options");
}

#[tokio::test]
async fn strict_mode_stops_a_disallowed_delete_before_it_runs() {
    let calls = Arc::new(AtomicUsize::new(0));
    let strict = PolicyConfig::new(api_rule()).strict(true);
    let base = serve(counted_app(calls.clone()).layer(CorsLayer::new(policy(strict)))).await;

    let r = send(&base, Method::DELETE, "/items", &[("origin", EVIL)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(calls.load(Ordering::SeqCst), 0, "the inner service must not run");
    assert!(r.headers.get("access-control-allow-origin").is_none());

    let r = send(&base, Method::DELETE, "/items", &[("origin", APP)]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // A same-origin POST carries Origin too; strict mode must let it through.
    let own_origin = base.clone();
    let r = send(&base, Method::POST, "/items", &[("origin", &own_origin)]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn without_strict_mode_the_disallowed_delete_runs_and_the_browser_blocks_reading() {
    let calls = Arc::new(AtomicUsize::new(0));
    let base = serve(counted_app(calls.clone()).layer(CorsLayer::new(policy(PolicyConfig::new(api_rule()))))).await;
    let r = send(&base, Method::DELETE, "/items", &[("origin", EVIL)]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(r.headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn debug_mode_explains_a_rejected_preflight_in_one_line() {
    let debug = PolicyConfig::new(api_rule()).debug(true);
    let base = serve(counted_app(Default::default()).layer(CorsLayer::new(policy(debug)))).await;
    let r = send(
        &base,
        Method::OPTIONS,
        "/items",
        &[("origin", APP), ("access-control-request-method", "DELETE"), ("access-control-request-headers", "x-secret")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(
        r.body,
        "CORS preflight rejected: header `x-secret` not allowed; to allow it, add the header to the rule's `request_headers`.\n"
    );
    assert_eq!(r.body.lines().count(), 1);
}

#[tokio::test]
async fn report_only_changes_nothing() {
    let report = PolicyConfig::new(api_rule()).mode(Mode::ReportOnly).strict(true);
    let calls = Arc::new(AtomicUsize::new(0));
    let base = serve(counted_app(calls.clone()).layer(CorsLayer::new(policy(report)))).await;
    let r = send(&base, Method::DELETE, "/items", &[("origin", EVIL)]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let r =
        send(&base, Method::OPTIONS, "/opts", &[("origin", APP), ("access-control-request-method", "DELETE")]).await;
    assert_eq!(r.body, "inner options", "preflights go to the inner service in report-only mode");
    let r = send(&base, Method::GET, "/self-cors", &[("origin", EVIL)]).await;
    assert_eq!(r.headers["access-control-allow-origin"], "*", "inner headers untouched");
}

#[tokio::test]
async fn a_static_wildcard_policy_answers_star_without_vary() {
    let open = PolicyConfig::new(RuleConfig::new(["*"]).methods(["GET"]));
    let base = serve(counted_app(Default::default()).layer(CorsLayer::new(policy(open)))).await;
    for origin in [Some(EVIL), Some(APP), None] {
        let headers: Vec<_> = origin.map(|o| ("origin", o)).into_iter().collect();
        let r = send(&base, Method::GET, "/boom", &headers).await;
        assert_eq!(r.headers["access-control-allow-origin"], "*");
        assert!(r.headers.get("vary").is_none());
    }
}

#[test]
fn the_header_value_type_is_reexported_from_http() {
    // The layer speaks `http` 1.x types; axum re-exports the same crate.
    let v: HeaderValue = http::HeaderValue::from_static("x");
    assert_eq!(v, "x");
}
