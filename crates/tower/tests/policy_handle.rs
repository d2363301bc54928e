//! A layer reading its policy from a handle: the next request sees a
//! replacement, and a request already in the inner service finishes under
//! the policy it started with.

use std::convert::Infallible;
use std::sync::Arc;

use crossgate_core::{Policy, PolicyConfig, PolicyHandle, RuleConfig};
use crossgate_tower::CorsLayer;
use http::{Request, Response};
use tokio::sync::Notify;
use tower::{service_fn, Layer, ServiceExt};

fn build(origin: &str, expose: &str) -> Policy {
    Policy::new(PolicyConfig::new(RuleConfig::new([origin]).methods(["GET", "PUT"]).expose_headers([expose])))
        .expect("valid policy")
        .policy
}

fn get(origin: &str) -> Request<String> {
    Request::get("/items").header("origin", origin).body(String::new()).unwrap()
}

#[tokio::test]
async fn in_flight_requests_finish_under_the_policy_they_started_with() {
    let handle = PolicyHandle::new(build("https://a.example", "x-old"));
    let release = Arc::new(Notify::new());
    let entered = Arc::new(Notify::new());
    let (r, e) = (release.clone(), entered.clone());
    let inner = service_fn(move |req: Request<String>| {
        let (r, e) = (r.clone(), e.clone());
        async move {
            if req.uri().query() != Some("fast") {
                e.notify_one();
                r.notified().await;
            }
            Ok::<_, Infallible>(Response::new(String::from("[]")))
        }
    });
    let service = CorsLayer::from_handle(handle.clone()).layer(inner);

    let slow = tokio::spawn(service.clone().oneshot(get("https://a.example")));
    entered.notified().await;
    handle.replace(build("https://b.example", "x-new"));
    // A request decided now sees the new policy.
    let fast = |origin: &str| Request::get("/items?fast").header("origin", origin).body(String::new()).unwrap();
    let b = service.clone().oneshot(fast("https://b.example")).await.unwrap();
    assert_eq!(b.headers()["access-control-allow-origin"], "https://b.example");
    assert_eq!(b.headers()["access-control-expose-headers"], "x-new");
    let a = service.clone().oneshot(fast("https://a.example")).await.unwrap();
    assert!(!a.headers().contains_key("access-control-allow-origin"));
    // The request that was in the handler when the policy changed.
    release.notify_one();
    let slow = slow.await.unwrap().unwrap();
    assert_eq!(slow.headers()["access-control-allow-origin"], "https://a.example");
    assert_eq!(slow.headers()["access-control-expose-headers"], "x-old");
    assert!(Arc::ptr_eq(&service.policy(), &handle.load_full()));
}
