//! The reverse proxy over real sockets: forwarding, CORS at the edge,
//! gateway-made errors with CORS headers, allowed_hosts, limits.

mod common;

use std::time::Duration;

use common::body;
use common::{client, gateway, req, send, tempdir, upstream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const APP: &str = "https://app.example";

const CONFIG: &str = r#"
allowed_hosts = ["localhost", "127.0.0.1"]
upstream_timeout_ms = 300
max_request_body_bytes = 1000
max_request_header_bytes = 2048
[[route]]
path = "/"
upstream = "http://{UP}"
[[route.rule]]
origins = ["https://app.example"]
methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
request_headers = ["content-type"]
expose_headers = ["x-hop"]
credentials = true
max_age = 600
[[route]]
path = "/down"
upstream = "http://127.0.0.1:1"
rule = [{ origins = ["https://app.example"] }]
[[route]]
path = "/strict"
upstream = "http://{UP}"
strict = true
debug = true
rule = [{ origins = ["https://app.example"] }]
[[route]]
path = "/own-cors"
upstream = "http://{UP}"
upstream_cors_headers = "reject"
rule = [{ origins = ["https://app.example"] }]
[[route]]
path = "/keep"
upstream = "http://{UP}"
strip_prefix = true
upstream_cors_headers = "keep"
rule = [{ origins = ["https://app.example"] }]
[[route]]
path = "/same-host"
upstream = "http://{UP}"
preserve_host = true
rule = [{ origins = ["https://app.example"] }]
[[route]]
path = "/fwd"
upstream = "http://{UP}"
forward_preflights = true
strip_prefix = true
rule = [{ origins = ["https://app.example"] }]
"#;

#[tokio::test]
async fn forwards_every_method_with_forwarding_headers() {
    let up = upstream().await;
    let dir = tempdir("methods");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let c = client();
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] {
        let r = req(m, gw.local_addr(), "/items/1?q=2")
            .header("origin", APP)
            .header("te", "trailers")
            .header("connection", "x-hop")
            .header("x-hop", "client")
            .body(body::full("abc"))
            .unwrap();
        let (status, headers, text) = send(&c, r).await;
        assert_eq!(status, 200, "{m}");
        assert_eq!(headers["access-control-allow-origin"], APP, "{m}");
        assert_eq!(headers["access-control-allow-credentials"], "true");
        assert_eq!(headers["access-control-expose-headers"], "x-hop");
        assert_eq!(headers["vary"], "Origin");
        // The upstream's hop-by-hop header (named in its Connection) is gone.
        assert!(headers.get("x-hop").is_none(), "{m}: {headers:?}");
        if m == "HEAD" {
            continue;
        }
        assert!(text.starts_with(&format!("{m} /items/1?q=2")), "{text}");
        assert!(text.contains(&format!("host: {}", up.addr)), "{text}");
        assert!(text.contains("x-forwarded-for: 127.0.0.1"), "{text}");
        assert!(text.contains("x-forwarded-proto: http"), "{text}");
        assert!(text.contains(&format!("x-forwarded-host: {}", gw.local_addr())), "{text}");
        assert!(!text.contains("x-hop:") && !text.contains("\nte:"), "hop-by-hop headers reached the upstream: {text}");
        assert!(text.ends_with("body: 3"), "{text}");
    }
    assert!(gw.shutdown().await);
}

#[tokio::test]
async fn preflights_are_answered_at_the_edge() {
    let up = upstream().await;
    let dir = tempdir("preflight");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let c = client();
    let pre = |origin: &str, method: &str| {
        req("OPTIONS", gw.local_addr(), "/items")
            .header("origin", origin)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", "content-type")
            .body(body::empty())
            .unwrap()
    };
    let (status, h, _) = send(&c, pre(APP, "DELETE")).await;
    assert_eq!(status, 204);
    assert_eq!(h["access-control-allow-origin"], APP);
    assert_eq!(h["access-control-allow-methods"], "DELETE");
    assert_eq!(h["access-control-allow-headers"], "content-type");
    assert_eq!(h["access-control-max-age"], "600");
    let (status, h, _) = send(&c, pre("https://evil.example", "DELETE")).await;
    assert_eq!(status, 403);
    assert!(h.get("access-control-allow-origin").is_none());
    assert_eq!(up.hits.load(std::sync::atomic::Ordering::Relaxed), 0, "a preflight reached the upstream");
    // forward_preflights: the upstream answers (here: its echo), prefix stripped.
    let r = req("OPTIONS", gw.local_addr(), "/fwd/x")
        .header("origin", APP)
        .header("access-control-request-method", "PUT")
        .body(body::empty())
        .unwrap();
    let (status, _, text) = send(&c, r).await;
    assert_eq!(status, 200);
    assert!(text.starts_with("OPTIONS /x"), "{text}");
    assert_eq!(common::counter(&gw, "crossgate_preflights_answered_total", &[("status", "204")]), 1);
    // The upstream's own `Access-Control-Allow-Origin: *` is replaced by the policy's.
    let (status, h, _) =
        send(&c, req("GET", gw.local_addr(), "/fwd/own-cors").header("origin", APP).body(body::empty()).unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(h.get_all("access-control-allow-origin").iter().collect::<Vec<_>>(), [APP]);
    // `keep`: the upstream's own headers stay as they are (plus Vary).
    let (status, h, _) =
        send(&c, req("GET", gw.local_addr(), "/keep/own-cors").header("origin", APP).body(body::empty()).unwrap())
            .await;
    assert_eq!(status, 200);
    assert_eq!(h.get_all("access-control-allow-origin").iter().collect::<Vec<_>>(), ["*"]);
    assert_eq!(h["vary"], "Origin");
    assert_eq!(common::counter(&gw, "crossgate_cors_decisions_total", &[("reason", "origin-not-allowed")]), 1);
    gw.shutdown().await;
}

#[tokio::test]
async fn gateway_errors_carry_cors_headers() {
    let up = upstream().await;
    let dir = tempdir("errors");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let c = client();
    let check = |h: &http::HeaderMap| {
        assert_eq!(h["access-control-allow-origin"], APP, "{h:?}");
        assert_eq!(h["vary"], "Origin");
    };
    // 502: the upstream is down.
    let (s, h, text) =
        send(&c, req("GET", gw.local_addr(), "/down").header("origin", APP).body(body::empty()).unwrap()).await;
    assert_eq!(s, 502, "{text}");
    check(&h);
    // 504: the upstream is too slow.
    let (s, h, _) =
        send(&c, req("GET", gw.local_addr(), "/slow/2000").header("origin", APP).body(body::empty()).unwrap()).await;
    assert_eq!(s, 504);
    check(&h);
    // 413: declared too large, and streamed too large (chunked).
    let (s, h, _) = send(
        &c,
        req("POST", gw.local_addr(), "/sink").header("origin", APP).body(body::full(vec![b'x'; 5000])).unwrap(),
    )
    .await;
    assert_eq!(s, 413);
    check(&h);
    let chunked = common::futures_stream(10, bytes::Bytes::from(vec![b'y'; 500]));
    let (s, h, _) = send(&c, req("POST", gw.local_addr(), "/sink").header("origin", APP).body(chunked).unwrap()).await;
    assert_eq!(s, 413);
    check(&h);
    // 431: headers too large.
    let (s, h, _) = send(
        &c,
        req("GET", gw.local_addr(), "/x")
            .header("origin", APP)
            .header("x-big", "z".repeat(3000))
            .body(body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, 431);
    check(&h);
    // Still ours (not hyper's bare 431) far beyond the limit.
    let (s, h, _) = send(
        &c,
        req("GET", gw.local_addr(), "/x")
            .header("origin", APP)
            .header("x-big", "z".repeat(100_000))
            .body(body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, 431);
    check(&h);
    // 502: the upstream set its own CORS headers and the route rejects that.
    let (s, h, _) =
        send(&c, req("GET", gw.local_addr(), "/own-cors").header("origin", APP).body(body::empty()).unwrap()).await;
    assert_eq!(s, 502);
    check(&h);
    assert_eq!(common::counter(&gw, "crossgate_upstream_errors_total", &[("kind", "body-too-large")]), 2);
    gw.shutdown().await;
}

#[tokio::test]
async fn strict_mode_blocks_before_the_upstream() {
    let up = upstream().await;
    let dir = tempdir("strict");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let c = client();
    let (s, h, text) = send(
        &c,
        req("DELETE", gw.local_addr(), "/strict/1")
            .header("origin", "https://evil.example")
            .body(body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, 403);
    assert!(text.contains("origin not allowed"), "{text}");
    assert_eq!(h["vary"], "Origin");
    assert_eq!(up.hits.load(std::sync::atomic::Ordering::Relaxed), 0);
    let (s, ..) =
        send(&c, req("POST", gw.local_addr(), "/strict/1").header("origin", APP).body(body::empty()).unwrap()).await;
    assert_eq!(s, 200);
    gw.shutdown().await;
}

#[tokio::test]
async fn unknown_hosts_get_400_before_anything_else() {
    let up = upstream().await;
    let dir = tempdir("hosts");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let c = client();
    for host in ["attacker.example", "attacker.example:80", "localhost.attacker.example"] {
        let r = req("OPTIONS", gw.local_addr(), "/x")
            .header("host", host)
            .header("origin", APP)
            .header("access-control-request-method", "GET")
            .body(body::empty())
            .unwrap();
        let (s, h, _) = send(&c, r).await;
        assert_eq!(s, 400, "{host}");
        assert!(h.get("access-control-allow-origin").is_none());
    }
    let r = req("GET", gw.local_addr(), "/x").header("host", "localhost:1234").body(body::empty()).unwrap();
    let (s, h, _) = send(&c, r).await;
    assert_eq!(s, 200);
    // Not a CORS request, but the answer still varies on Origin (for caches).
    assert_eq!(h["vary"], "Origin");
    assert_eq!(up.hits.load(std::sync::atomic::Ordering::Relaxed), 1);
    gw.shutdown().await;
}

#[tokio::test]
async fn report_only_mode_forwards_and_adds_nothing() {
    let up = upstream().await;
    let dir = tempdir("report");
    let gw = gateway(&format!("mode = \"report-only\"\n{CONFIG}"), up.addr, &dir).await;
    let c = client();
    let (s, h, _) = send(
        &c,
        req("DELETE", gw.local_addr(), "/strict/1")
            .header("origin", "https://evil.example")
            .body(body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert!(h.get("access-control-allow-origin").is_none());
    assert_eq!(common::counter(&gw, "crossgate_cors_decisions_total", &[("outcome", "rejected")]), 1);
    gw.shutdown().await;
}

#[tokio::test]
async fn h2c_prior_knowledge_and_raw_http1() {
    let up = upstream().await;
    let dir = tempdir("h2c");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let c: common::TestClient =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).http2_only(true).build_http();
    let (s, h, text) =
        send(&c, req("GET", gw.local_addr(), "/h2").header("origin", APP).body(body::empty()).unwrap()).await;
    assert_eq!(s, 200);
    assert_eq!(h["access-control-allow-origin"], APP);
    assert!(text.starts_with("GET /h2"), "{text}");
    // A raw HTTP/1.1 exchange with keep-alive: two requests on one socket.
    let mut sock = tokio::net::TcpStream::connect(gw.local_addr()).await.unwrap();
    let one = "GET /a HTTP/1.1\r\nHost: localhost\r\nOrigin: https://app.example\r\n\r\n";
    sock.write_all(format!("{one}{one}").as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while got.windows(15).filter(|w| w == b"HTTP/1.1 200 OK").count() < 2 {
        let n = tokio::time::timeout(Duration::from_secs(5), sock.read(&mut buf)).await.unwrap().unwrap();
        assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    gw.shutdown().await;
}

async fn read_response(sock: &mut tokio::net::TcpStream, within: Duration) -> Option<String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        match tokio::time::timeout_at(deadline, sock.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&got).into_owned())
}

#[tokio::test]
async fn connection_limit_and_header_timeout() {
    let up = upstream().await;
    let dir = tempdir("limits");
    let config = "max_connections = 1\nrequest_header_timeout_ms = 600\n[[route]]\npath = \"/\"\nupstream = \"http://{UP}\"\nrule = [{ origins = [\"https://app.example\"] }]\n";
    let gw = gateway(config, up.addr, &dir).await;
    let one = b"GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let mut a = tokio::net::TcpStream::connect(gw.local_addr()).await.unwrap();
    a.write_all(one).await.unwrap();
    assert!(read_response(&mut a, Duration::from_secs(5)).await.unwrap().starts_with("HTTP/1.1 200"));
    // The only slot is taken by `a` (kept alive): `b` waits.
    let mut b = tokio::net::TcpStream::connect(gw.local_addr()).await.unwrap();
    b.write_all(one).await.unwrap();
    assert!(read_response(&mut b, Duration::from_millis(300)).await.is_none(), "served beyond max_connections");
    // `a` idles past the header timeout and is closed; then `b` is served.
    let mut rest = [0u8; 16];
    let closed = tokio::time::timeout(Duration::from_secs(3), a.read(&mut rest)).await;
    assert!(matches!(closed, Ok(Ok(0)) | Ok(Err(_))), "idle connection not closed: {closed:?}");
    assert!(read_response(&mut b, Duration::from_secs(3)).await.unwrap().starts_with("HTTP/1.1 200"));
    // A client that starts headers and stalls is cut off too.
    drop(b);
    let mut c = tokio::net::TcpStream::connect(gw.local_addr()).await.unwrap();
    c.write_all(b"GET /a HTTP/1.1\r\nHost: local").await.unwrap();
    let mut buf = [0u8; 512];
    let r = tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            match c.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    })
    .await;
    assert!(r.is_ok(), "a stalled request head was not timed out");
    gw.shutdown().await;
}

#[tokio::test]
async fn upgrades_are_relayed_and_strict_mode_guards_them() {
    let up = upstream().await;
    let dir = tempdir("upgrade");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let handshake = |path: &str, origin: &str| {
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nOrigin: {origin}\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
    };
    let mut sock = tokio::net::TcpStream::connect(gw.local_addr()).await.unwrap();
    sock.write_all(handshake("/ws", APP).as_bytes()).await.unwrap();
    let head = read_response(&mut sock, Duration::from_secs(5)).await.unwrap();
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    assert!(head.to_ascii_lowercase().contains("upgrade: echo"), "{head}");
    for msg in ["ping", "and again"] {
        sock.write_all(msg.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; msg.len()];
        tokio::time::timeout(Duration::from_secs(5), sock.read_exact(&mut buf)).await.unwrap().unwrap();
        assert_eq!(buf, msg.as_bytes());
    }
    // Strict mode: a handshake from a disallowed origin never reaches the upstream.
    let hits = up.hits.load(std::sync::atomic::Ordering::Relaxed);
    let mut sock = tokio::net::TcpStream::connect(gw.local_addr()).await.unwrap();
    sock.write_all(handshake("/strict/ws", "https://evil.example").as_bytes()).await.unwrap();
    let head = read_response(&mut sock, Duration::from_secs(5)).await.unwrap();
    assert!(head.starts_with("HTTP/1.1 403"), "{head}");
    assert_eq!(up.hits.load(std::sync::atomic::Ordering::Relaxed), hits);
    gw.shutdown().await;
}

#[tokio::test]
async fn upstream_connections_are_pooled() {
    let up = upstream().await;
    let dir = tempdir("pool");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    // Fresh client connections each time; the gateway still reuses one upstream connection.
    for i in 0..20 {
        let c = client();
        let (s, ..) = send(&c, req("GET", gw.local_addr(), &format!("/n/{i}")).body(body::empty()).unwrap()).await;
        assert_eq!(s, 200);
    }
    assert_eq!(up.hits.load(std::sync::atomic::Ordering::Relaxed), 20);
    assert_eq!(up.connections.load(std::sync::atomic::Ordering::Relaxed), 1);
    gw.shutdown().await;
}

#[tokio::test]
async fn forwarded_for_is_appended() {
    let up = upstream().await;
    let dir = tempdir("xff");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let c = client();
    let r = req("GET", gw.local_addr(), "/x")
        .header("x-forwarded-for", "203.0.113.7")
        .header("x-forwarded-for", "198.51.100.2")
        .header("x-forwarded-proto", "https")
        .body(body::empty())
        .unwrap();
    let (_, _, text) = send(&c, r).await;
    assert!(text.contains("x-forwarded-for: 203.0.113.7, 198.51.100.2, 127.0.0.1"), "{text}");
    // The gateway speaks plain HTTP to clients, so it says so, whatever the client claimed.
    assert!(text.contains("x-forwarded-proto: http\n"), "{text}");
    gw.shutdown().await;
}

#[tokio::test]
async fn preserve_host_keeps_the_clients_host() {
    let up = upstream().await;
    let dir = tempdir("preserve-host");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let c = client();
    let (_, _, text) = send(
        &c,
        req("GET", gw.local_addr(), "/same-host").header("host", "localhost:9999").body(body::empty()).unwrap(),
    )
    .await;
    assert!(text.contains("\nhost: localhost:9999\n"), "{text}");
    let (_, _, text) =
        send(&c, req("GET", gw.local_addr(), "/other").header("host", "localhost:9999").body(body::empty()).unwrap())
            .await;
    assert!(text.contains(&format!("\nhost: {}\n", up.addr)), "{text}");
    assert!(text.contains("\nx-forwarded-host: localhost:9999\n"), "{text}");
    gw.shutdown().await;
}
