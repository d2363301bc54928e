//! The upstream connection pool over real sockets: connections are reused
//! across requests of every kind, an upstream that closes idle connections
//! costs no failed request, and idle connections are dropped on time.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::body;
use common::{client, gateway, req, send, tempdir, upstream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const CONFIG: &str = r#"
upstream_timeout_ms = 2000
upstream_idle_timeout_ms = 300
[[route]]
path = "/"
upstream = "http://{UP}"
rule = [{ origins = ["https://app.example"], methods = ["GET", "HEAD", "POST"] }]
"#;

#[tokio::test]
async fn sequential_requests_of_every_kind_share_one_upstream_connection() {
    let up = upstream().await;
    let dir = tempdir("pool-reuse");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let addr = gw.local_addr();
    let c = client();
    for i in 0..30 {
        let r = match i % 5 {
            0 => req("GET", addr, "/echo").body(body::empty()),
            1 => req("POST", addr, "/sink").body(body::full(vec![b'x'; 100_000])),
            2 => req("GET", addr, "/big/1").body(body::empty()),
            3 => req("HEAD", addr, "/echo").body(body::empty()),
            _ => req("GET", addr, "/slow/5").header("origin", "https://app.example").body(body::empty()),
        };
        let (status, _, text) = send(&c, r.unwrap()).await;
        assert_eq!(status, 200, "request {i}: {text}");
        if i % 5 == 1 {
            assert_eq!(text, "100000");
        }
        if i % 5 == 2 {
            assert_eq!(text.len(), 1024 * 1024);
        }
    }
    assert_eq!(up.hits.load(Ordering::Relaxed), 30);
    assert_eq!(up.connections.load(Ordering::Relaxed), 1, "one kept-alive upstream connection");
    assert_eq!(gw.idle_upstream_connections(), 1);
    gw.shutdown().await;
}

#[tokio::test]
async fn concurrent_requests_get_connections_of_their_own_and_return_them() {
    let up = upstream().await;
    let dir = tempdir("pool-concurrent");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let addr = gw.local_addr();
    for _round in 0..3 {
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                tokio::spawn(async move {
                    let c = client();
                    send(&c, req("GET", addr, "/slow/50").body(body::empty()).unwrap()).await.0
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), 200);
        }
    }
    let conns = up.connections.load(Ordering::Relaxed);
    assert!((8..=16).contains(&conns), "8 at a time, reused across rounds: {conns} connections");
    assert_eq!(gw.idle_upstream_connections(), conns);
    gw.shutdown().await;
}

/// An upstream that answers one request per connection, then closes the
/// connection a moment later: after a kept-alive response (`keep-alive`),
/// as servers with a short keep-alive timeout do, or after saying so
/// (`close`).
async fn closing_upstream(connection: &'static str) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let conns = Arc::new(AtomicUsize::new(0));
    let n = Arc::clone(&conns);
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else { continue };
            n.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let mut buf = vec![0; 4096];
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(k) => head.extend_from_slice(&buf[..k]),
                    }
                }
                let _ = s
                    .write_all(
                        format!("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: {connection}\r\n\r\nok")
                            .as_bytes(),
                    )
                    .await;
                tokio::time::sleep(Duration::from_millis(20)).await;
            });
        }
    });
    (addr, conns)
}

/// Ten GETs through a gateway in front of `closing_upstream(connection)`,
/// each answered `ok`, with `pause` after each; returns the connections the
/// upstream accepted and those left in the pool.
async fn ten_gets_to_a_closing_upstream(connection: &'static str, pause: Duration) -> (usize, usize) {
    let (up, conns) = closing_upstream(connection).await;
    let dir = tempdir(&format!("pool-{connection}"));
    let gw = gateway(CONFIG, up, &dir).await;
    let c = client();
    for i in 0..10 {
        let (status, _, text) = send(&c, req("GET", gw.local_addr(), "/").body(body::empty()).unwrap()).await;
        assert_eq!((status.as_u16(), text.as_str()), (200, "ok"), "request {i}");
        tokio::time::sleep(pause).await;
    }
    let idle = gw.idle_upstream_connections();
    gw.shutdown().await;
    (conns.load(Ordering::Relaxed), idle)
}

#[tokio::test]
async fn an_upstream_closing_idle_connections_costs_no_failed_request() {
    // Long enough for the upstream to have closed the pooled connection.
    let (conns, _) = ten_gets_to_a_closing_upstream("keep-alive", Duration::from_millis(60)).await;
    assert_eq!(conns, 10, "each closed connection was replaced");
}

#[tokio::test]
async fn idle_connections_are_dropped_after_the_idle_timeout() {
    let up = upstream().await;
    let dir = tempdir("pool-idle");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let addr = gw.local_addr();
    let c = client();
    assert_eq!(send(&c, req("GET", addr, "/").body(body::empty()).unwrap()).await.0, 200);
    assert_eq!(gw.idle_upstream_connections(), 1);
    // The sweep runs every idle timeout (300 ms): gone within two.
    tokio::time::sleep(Duration::from_millis(750)).await;
    assert_eq!(gw.idle_upstream_connections(), 0);
    // And the next request opens a new one.
    assert_eq!(send(&c, req("GET", addr, "/").body(body::empty()).unwrap()).await.0, 200);
    assert_eq!(up.connections.load(Ordering::Relaxed), 2);
    gw.shutdown().await;
}

#[tokio::test]
async fn connection_close_answers_are_not_pooled() {
    assert_eq!(ten_gets_to_a_closing_upstream("close", Duration::ZERO).await, (10, 0));
}

#[tokio::test]
async fn connections_the_upstream_closed_leave_the_pool_before_they_expire() {
    let (up, _conns) = closing_upstream("keep-alive").await;
    let dir = tempdir("pool-sweep");
    // Idle for up to a minute, but the upstream closes after 20 ms.
    let gw =
        gateway(&CONFIG.replace("upstream_idle_timeout_ms = 300", "upstream_idle_timeout_ms = 60000"), up, &dir).await;
    let c = client();
    assert_eq!(send(&c, req("GET", gw.local_addr(), "/").body(body::empty()).unwrap()).await.0, 200);
    assert_eq!(gw.idle_upstream_connections(), 1);
    // The sweep runs every second.
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(gw.idle_upstream_connections(), 0);
    gw.shutdown().await;
}
