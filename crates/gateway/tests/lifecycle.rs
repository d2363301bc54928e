//! Reload under load, graceful drain, and the admin listener's metrics.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::body;
use common::{client, gateway, req, send, tempdir, upstream};

/// Waits (bounded) until the upstream has received a request, so the
/// request is surely in flight in the gateway.
async fn wait_for_hit(up: &common::Upstream) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while up.hits.load(Ordering::Relaxed) == 0 {
        assert!(Instant::now() < deadline, "the request never reached the upstream");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn config(origin: &str) -> String {
    format!("watch = true\nadmin_listen = \"127.0.0.1:0\"\n[[route]]\npath = \"/\"\nupstream = \"http://{{UP}}\"\nrule = [{{ origins = [\"{origin}\"] }}]\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_under_load_fails_no_request() {
    let up = upstream().await;
    let dir = tempdir("reload");
    let gw = gateway(&config("https://a.example"), up.addr, &dir).await;
    let path = dir.join("gateway.toml");
    let addr = gw.local_addr();
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let mut load = Vec::new();
    for _ in 0..4 {
        let (stop, ok, failed) = (Arc::clone(&stop), Arc::clone(&ok), Arc::clone(&failed));
        load.push(tokio::spawn(async move {
            let c = client();
            // Bounded: at most 5000 requests per task.
            for _ in 0..5000 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let r = req("GET", addr, "/x").header("origin", "https://a.example").body(body::empty()).unwrap();
                match tokio::time::timeout(Duration::from_secs(5), c.request(r)).await {
                    Ok(Ok(resp)) if resp.status() == 200 => {
                        let _ = http_body_util::BodyExt::collect(resp.into_body()).await;
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    let c = client();
    let acao = |origin: &'static str| {
        let c = c.clone();
        async move {
            let (_, h, _) =
                send(&c, req("GET", addr, "/x").header("origin", origin).body(body::empty()).unwrap()).await;
            h.get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_owned())
        }
    };
    let text_for = |o: &str| config(o).replace("{UP}", &up.addr.to_string());
    for i in 0..20 {
        let origin = if i % 2 == 0 { "https://b.example" } else { "https://a.example" };
        std::fs::write(&path, text_for(origin)).unwrap();
        gw.reload().unwrap();
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // Last valid config allows a.example. An invalid file is refused; the old config keeps serving.
    std::fs::write(&path, "[[route]]\npath = \"nope\"\n").unwrap();
    let err = gw.reload().unwrap_err();
    assert!(err.errors().any(|p| p.code.as_str() == "route-path-invalid"), "{err}");
    assert_eq!(acao("https://a.example").await.as_deref(), Some("https://a.example"));
    // A change of the file is picked up by the watcher (polled every second).
    std::fs::write(&path, text_for("https://b.example")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while acao("https://b.example").await.is_none() {
        assert!(Instant::now() < deadline, "the file change was not picked up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.await.unwrap();
    }
    let (ok, failed) = (ok.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
    println!("reload under load: {ok} requests succeeded, {failed} failed, 21 reloads + 1 refused");
    assert_eq!(failed, 0);
    assert!(ok > 50, "too little load: {ok}");
    assert!(common::counter(&gw, "crossgate_reloads_total", &[("result", "ok")]) >= 21);
    // The watcher may also have seen the invalid file before it was replaced.
    assert!(common::counter(&gw, "crossgate_reloads_total", &[("result", "error")]) >= 1);
    assert!(gw.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_drains_in_flight_requests() {
    let up = upstream().await;
    let dir = tempdir("drain");
    let gw = gateway(&config("https://a.example"), up.addr, &dir).await;
    let addr = gw.local_addr();
    let c = client();
    let in_flight = tokio::spawn({
        let c = c.clone();
        async move { send(&c, req("GET", addr, "/slow/700").body(body::empty()).unwrap()).await }
    });
    wait_for_hit(&up).await;
    let started = Instant::now();
    let shutdown = tokio::spawn(gw.shutdown());
    let deadline = Instant::now() + Duration::from_secs(2);
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(Instant::now() < deadline, "still accepting while draining");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, _, text) = in_flight.await.unwrap();
    assert_eq!((status.as_u16(), text.as_str()), (200, "slow"));
    assert!(shutdown.await.unwrap(), "did not drain in time");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_gives_up_after_its_timeout() {
    let up = upstream().await;
    let dir = tempdir("drain-timeout");
    let gw = gateway(&format!("shutdown_timeout_ms = 200\n{}", config("https://a.example")), up.addr, &dir).await;
    let addr = gw.local_addr();
    let c = client();
    let _slow =
        tokio::spawn(
            async move { c.request(req("GET", addr, "/slow/5000").body(body::empty()).unwrap()).await.is_ok() },
        );
    wait_for_hit(&up).await;
    let started = Instant::now();
    assert!(!gw.shutdown().await);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn admin_health_and_metrics() {
    let up = upstream().await;
    let dir = tempdir("metrics");
    let gw = gateway(&config("https://a.example"), up.addr, &dir).await;
    let addr = gw.local_addr();
    let admin = gw.admin_addr().unwrap();
    let c = client();
    send(&c, req("GET", addr, "/x").header("origin", "https://a.example").body(body::empty()).unwrap()).await;
    send(&c, req("GET", addr, "/x").header("origin", "https://evil.example").body(body::empty()).unwrap()).await;
    send(
        &c,
        req("OPTIONS", addr, "/x")
            .header("origin", "https://a.example")
            .header("access-control-request-method", "GET")
            .body(body::empty())
            .unwrap(),
    )
    .await;
    send(&c, req("GET", addr, "/x").body(body::empty()).unwrap()).await;
    let (s, _, health) = send(&c, req("GET", admin, "/-/health").body(body::empty()).unwrap()).await;
    assert_eq!((s.as_u16(), health.trim()), (200, "{\"status\":\"ok\",\"routes\":1}"));
    let (s, h, text) = send(&c, req("GET", admin, "/-/metrics").body(body::empty()).unwrap()).await;
    assert_eq!(s, 200);
    assert_eq!(h["content-type"], "text/plain; version=0.0.4");
    for line in [
        "crossgate_requests_total{route=\"/\",status=\"200\"} 3",
        "crossgate_requests_total{route=\"/\",status=\"204\"} 1",
        "crossgate_cors_decisions_total{route=\"/\",outcome=\"allowed\",reason=\"\"} 2",
        "crossgate_cors_decisions_total{route=\"/\",outcome=\"rejected\",reason=\"origin-not-allowed\"} 1",
        "crossgate_cors_decisions_total{route=\"/\",outcome=\"not-cors\",reason=\"\"} 1",
        "crossgate_preflights_answered_total{route=\"/\",status=\"204\"} 1",
        "crossgate_upstream_latency_seconds_count{route=\"/\"} 3",
        "# TYPE crossgate_upstream_latency_seconds histogram",
        "crossgate_upstream_latency_seconds_bucket{route=\"/\",le=\"+Inf\"} 3",
        "crossgate_requests_in_flight 0",
    ] {
        assert!(text.lines().any(|l| l == line), "missing `{line}` in:\n{text}");
    }
    let (s, _, text) = send(
        &c,
        req("GET", admin, "/-/explain?origin=https%3A%2F%2Fevil.example&method=PUT&path=/x")
            .body(body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["verdict"], "blocked", "{v}");
    assert_eq!(v["preflight"]["status"], 403, "{v}");
    // The emulated Chromium's verdict and console line, for a call to this
    // gateway's own address, with the engine's reason.
    assert_eq!(v["browser"]["cors_error"], "PreflightMissingAllowOriginHeader", "{v}");
    assert_eq!(
        v["console"],
        format!("Access to fetch at 'http://{addr}/x' from origin 'https://evil.example' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."),
        "{v}"
    );
    assert_eq!(v["preflight"]["code"], "origin-not-allowed", "{v}");
    let (s, ..) = send(&c, req("GET", admin, "/other").body(body::empty()).unwrap()).await;
    assert_eq!(s, 404);
    gw.shutdown().await;
}

#[tokio::test]
async fn a_changed_policy_file_is_reloaded() {
    let up = upstream().await;
    let dir = tempdir("policy-watch");
    std::fs::write(dir.join("api.toml"), "[[rule]]\norigins = [\"https://a.example\"]\n").unwrap();
    let gw =
        gateway("[[route]]\npath = \"/\"\nupstream = \"http://{UP}\"\npolicy = \"api.toml\"\n", up.addr, &dir).await;
    let c = client();
    let addr = gw.local_addr();
    let allowed = |origin: &'static str| {
        let c = c.clone();
        async move {
            send(&c, req("GET", addr, "/").header("origin", origin).body(body::empty()).unwrap())
                .await
                .1
                .contains_key("access-control-allow-origin")
        }
    };
    assert!(allowed("https://a.example").await);
    assert!(!allowed("https://b.example").await);
    // An invalid policy is refused: a.example keeps working.
    std::fs::write(dir.join("api.toml"), "[[rule]]\norigins = [\"*\"]\ncredentials = true\n").unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(allowed("https://a.example").await);
    assert!(common::counter(&gw, "crossgate_reloads_total", &[("result", "error")]) >= 1);
    std::fs::write(dir.join("api.toml"), "[[rule]]\norigins = [\"https://b.example\"]\n").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !allowed("https://b.example").await {
        assert!(Instant::now() < deadline, "the policy change was not picked up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!allowed("https://a.example").await);
    gw.shutdown().await;
}
