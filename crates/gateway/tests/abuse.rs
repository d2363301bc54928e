//! A gateway that survives abuse: slow and silent clients, idle
//! connections, the connection limit, oversized and malformed requests,
//! and upstreams that refuse, reset, stall or speak garbage. Every test
//! talks to a real gateway over loopback sockets, with small timeouts.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{gateway, tempdir, upstream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const APP: &str = "https://app.example";

/// Reads until the peer closes, an error, or `limit`; returns the bytes
/// and whether the connection ended (closed or reset) within `limit`.
async fn read_until_close(s: &mut TcpStream, limit: Duration) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Err(_) => return (out, false),
            Ok(Ok(0) | Err(_)) => return (out, true),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// Reads one response head (up to the blank line) within `limit`.
async fn read_head(s: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut out = Vec::new();
    let mut b = [0u8; 1];
    let deadline = Instant::now() + limit;
    while !out.ends_with(b"\r\n\r\n") {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut b)).await {
            Ok(Ok(1)) => out.push(b[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Reads a whole `Content-Length` response (head and body).
async fn read_response(s: &mut TcpStream, limit: Duration) -> Option<String> {
    let head = read_head(s, limit).await?;
    let len: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    tokio::time::timeout(limit, s.read_exact(&mut body)).await.ok()?.ok()?;
    Some(head)
}

fn status_of(head: &str) -> u16 {
    head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn get(path: &str, origin: Option<&str>) -> String {
    let o = origin.map(|o| format!("Origin: {o}\r\n")).unwrap_or_default();
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{o}\r\n")
}

async fn exchange(addr: SocketAddr, raw: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(raw).await.unwrap();
    read_response(&mut s, Duration::from_secs(5)).await.unwrap_or_default()
}

const TIMEOUTS: &str = r#"
request_header_timeout_ms = 300
upstream_timeout_ms = 300
connect_timeout_ms = 300
max_request_header_bytes = 2048
[[route]]
path = "/"
upstream = "http://{UP}"
rule = [{ origins = ["https://app.example"], credentials = true }]
"#;

#[tokio::test]
async fn slowloris_head_a_byte_at_a_time_is_cut_off() {
    let up = upstream().await;
    let dir = tempdir("slowloris");
    let gw = gateway(TIMEOUTS, up.addr, &dir).await;
    let mut s = TcpStream::connect(gw.local_addr()).await.unwrap();
    let head = get("/", Some(APP));
    let start = Instant::now();
    let mut cut = false;
    // One byte every 50 ms: the whole head would take several seconds.
    for b in head.as_bytes() {
        if s.write_all(&[*b]).await.is_err() {
            cut = true;
            break;
        }
        let mut buf = [0u8; 512];
        match tokio::time::timeout(Duration::from_millis(50), s.read(&mut buf)).await {
            Err(_) => {}
            Ok(Ok(0) | Err(_)) => {
                cut = true;
                break;
            }
            // hyper answers 408 before closing.
            Ok(Ok(_)) => {}
        }
        assert!(start.elapsed() < Duration::from_secs(3), "still open after {:?}", start.elapsed());
    }
    assert!(cut, "the slow head was read to its end");
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(250) && took < Duration::from_millis(1500), "cut after {took:?}");
    assert_eq!(up.hits.load(Ordering::Relaxed), 0);
    gw.shutdown().await;
}

#[tokio::test]
async fn silent_connection_is_closed_after_the_header_timeout() {
    let up = upstream().await;
    let dir = tempdir("silent");
    let gw = gateway(TIMEOUTS, up.addr, &dir).await;
    // Connects and never sends a byte: it must not hold a connection slot
    // forever.
    let mut s = TcpStream::connect(gw.local_addr()).await.unwrap();
    let start = Instant::now();
    let (_, closed) = read_until_close(&mut s, Duration::from_secs(3)).await;
    assert!(closed, "a connection that sends nothing stays open");
    assert!(start.elapsed() < Duration::from_millis(1500), "closed after {:?}", start.elapsed());
    gw.shutdown().await;
}

#[tokio::test]
async fn idle_keep_alive_connection_is_closed() {
    let up = upstream().await;
    let dir = tempdir("idle");
    let gw = gateway(TIMEOUTS, up.addr, &dir).await;
    let mut s = TcpStream::connect(gw.local_addr()).await.unwrap();
    s.write_all(get("/a", Some(APP)).as_bytes()).await.unwrap();
    let head = read_response(&mut s, Duration::from_secs(5)).await.expect("a response");
    assert_eq!(status_of(&head), 200, "{head}");
    assert_ne!(header(&head, "connection"), Some("close"));
    let start = Instant::now();
    let (rest, closed) = read_until_close(&mut s, Duration::from_secs(3)).await;
    assert!(closed, "an idle keep-alive connection stays open");
    assert!(start.elapsed() < Duration::from_millis(1500), "closed after {:?}", start.elapsed());
    let rest = String::from_utf8_lossy(&rest);
    assert!(rest.is_empty() || rest.starts_with("HTTP/1.1 408"), "{rest}");
    gw.shutdown().await;
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_and_are_served_once_others_close() {
    let up = upstream().await;
    let dir = tempdir("limit");
    let config = format!(
        "max_connections = 4\n{}",
        TIMEOUTS.replace("request_header_timeout_ms = 300", "request_header_timeout_ms = 3000")
    );
    let gw = gateway(&config, up.addr, &dir).await;
    let addr = gw.local_addr();
    // Four keep-alive connections, each served once and now idle: the
    // limit is reached.
    let mut held = Vec::new();
    for i in 0..4 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(get(&format!("/held/{i}"), Some(APP)).as_bytes()).await.unwrap();
        let head = read_response(&mut s, Duration::from_secs(5)).await.expect("served");
        assert_eq!(status_of(&head), 200);
        held.push(s);
    }
    // Twenty more: the kernel completes the handshake (backlog), the
    // gateway does not read them yet.
    let mut waiting = Vec::new();
    for i in 0..20 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        // `Connection: close`, so each frees its slot once answered.
        let req = format!("GET /waiting/{i} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {APP}\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        waiting.push(s);
    }
    let mut probe = [0u8; 1];
    for s in &mut waiting {
        assert!(
            tokio::time::timeout(Duration::from_millis(20), s.read(&mut probe)).await.is_err(),
            "served beyond max_connections"
        );
    }
    assert_eq!(up.hits.load(Ordering::Relaxed), 4);
    // Closing the held ones lets the waiting ones in, a few at a time.
    drop(held);
    for s in &mut waiting {
        let head = read_response(s, Duration::from_secs(5)).await.expect("served once others closed");
        assert_eq!(status_of(&head), 200);
        assert_eq!(header(&head, "access-control-allow-origin"), Some(APP));
    }
    drop(waiting);
    let head = exchange(addr, get("/after", Some(APP)).as_bytes()).await;
    assert_eq!(status_of(&head), 200);
    assert_eq!(up.hits.load(Ordering::Relaxed), 25);
    gw.shutdown().await;
}

#[tokio::test]
async fn oversized_headers_get_431_with_cors_headers_and_never_reach_the_upstream() {
    let up = upstream().await;
    let dir = tempdir("431");
    let gw = gateway(TIMEOUTS, up.addr, &dir).await;
    let addr = gw.local_addr();
    // Over max_request_header_bytes (2048): the gateway's own 431.
    let big = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {APP}\r\nX-Big: {}\r\n\r\n", "a".repeat(4000));
    let head = exchange(addr, big.as_bytes()).await;
    assert_eq!(status_of(&head), 431, "{head}");
    assert_eq!(header(&head, "access-control-allow-origin"), Some(APP), "{head}");
    assert_eq!(header(&head, "vary"), Some("Origin"), "{head}");
    // Many headers, each small: within max_request_headers, over the
    // bytes limit, the gateway's 431; over max_request_headers (100 by
    // default), hyper's own 431 before any handler runs.
    let many = |lines: usize, len: usize| {
        let mut m = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {APP}\r\n");
        for i in 0..lines {
            m.push_str(&format!("X-H{i}: {}\r\n", "b".repeat(len)));
        }
        m + "\r\n"
    };
    let head = exchange(addr, many(90, 30).as_bytes()).await;
    assert_eq!(status_of(&head), 431, "{head}");
    assert_eq!(header(&head, "access-control-allow-origin"), Some(APP), "{head}");
    let head = exchange(addr, many(200, 5).as_bytes()).await;
    assert_eq!(status_of(&head), 431, "{head}");
    assert_eq!(header(&head, "access-control-allow-origin"), None, "{head}");
    let raised = gateway(
        &TIMEOUTS
            .replace("max_request_header_bytes = 2048", "max_request_header_bytes = 2048\nmax_request_headers = 1000"),
        up.addr,
        &dir,
    )
    .await;
    let head = exchange(raised.local_addr(), many(200, 20).as_bytes()).await;
    assert_eq!(status_of(&head), 431, "{head}");
    assert_eq!(header(&head, "access-control-allow-origin"), Some(APP), "{head}");
    raised.shutdown().await;
    // Far beyond hyper's read buffer: hyper's own 431 (no CORS headers
    // possible: the head was never parsed), and the connection closes.
    let mut s = TcpStream::connect(addr).await.unwrap();
    let huge =
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {APP}\r\nX-Huge: {}\r\n\r\n", "c".repeat(1024 * 1024));
    let _ = s.write_all(huge.as_bytes()).await;
    let (out, closed) = read_until_close(&mut s, Duration::from_secs(5)).await;
    assert!(closed);
    let out = String::from_utf8_lossy(&out);
    assert!(out.is_empty() || out.starts_with("HTTP/1.1 431"), "{out}");
    // A preflight with oversized headers is answered by the policy (no
    // upstream either way).
    assert_eq!(up.hits.load(Ordering::Relaxed), 0);
    let head = exchange(addr, get("/", Some(APP)).as_bytes()).await;
    assert_eq!(status_of(&head), 200, "still serving");
    gw.shutdown().await;
}

#[tokio::test]
async fn malformed_http_gets_400_and_never_reaches_the_upstream() {
    let up = upstream().await;
    let dir = tempdir("malformed");
    let gw = gateway(TIMEOUTS, up.addr, &dir).await;
    let addr = gw.local_addr();
    let cases: &[&[u8]] = &[
        b"GARBAGE\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Nul: a\0b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://app.example\rSet-Cookie: a=b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n",
        b"GET /\x7f HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"G\x01T / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n Origin: https://app.example\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin : https://app.example\r\n\r\n",
    ];
    for raw in cases {
        let mut s = TcpStream::connect(addr).await.unwrap();
        let _ = s.write_all(raw).await;
        let (out, closed) = read_until_close(&mut s, Duration::from_secs(5)).await;
        let out = String::from_utf8_lossy(&out);
        assert!(closed, "{:?}: left open", String::from_utf8_lossy(raw));
        assert!(out.starts_with("HTTP/1.1 400"), "{:?} -> {out:?}", String::from_utf8_lossy(raw));
    }
    assert_eq!(up.hits.load(Ordering::Relaxed), 0, "a malformed request reached the upstream");
    assert_eq!(up.connections.load(Ordering::Relaxed), 0, "a malformed request opened an upstream connection");
    let head = exchange(addr, get("/", Some(APP)).as_bytes()).await;
    assert_eq!(status_of(&head), 200, "still serving");
    gw.shutdown().await;
}

/// How a faulty upstream behaves once it has read a request head.
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// Closes without a word.
    Close,
    /// Sends half a status line, then resets the connection.
    ResetInHead,
    /// Sends a head promising 100 bytes, 3 of them, then resets.
    ResetInBody,
    /// Never answers.
    Stall,
    /// Answers with bytes that are not HTTP.
    Garbage,
    /// Answers a status line, then never finishes the head.
    StallInHead,
}

fn reset_on_drop(s: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger { l_onoff: 1, l_linger: 0 };
    // SAFETY: a valid socket descriptor and a correctly sized option value.
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            std::ptr::addr_of!(linger).cast(),
            libc::socklen_t::try_from(std::mem::size_of::<libc::linger>()).unwrap(),
        )
    };
    assert_eq!(rc, 0);
}

async fn faulty_upstream(fault: Fault) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut b = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut b).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&b[..n]),
                    }
                }
                match fault {
                    Fault::Close => {}
                    Fault::ResetInHead => {
                        let _ = s.write_all(b"HTTP/1.1 200 O").await;
                        reset_on_drop(&s);
                    }
                    Fault::ResetInBody => {
                        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc").await;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        reset_on_drop(&s);
                    }
                    Fault::Stall => tokio::time::sleep(Duration::from_secs(30)).await,
                    Fault::Garbage => {
                        let _ = s.write_all(b"SSH-2.0-OpenSSH_9.6\r\n\x00\x01\x02 certainly not http\r\n\r\n").await;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Fault::StallInHead => {
                        let _ = s.write_all(b"HTTP/1.1 200 OK\r\n").await;
                        tokio::time::sleep(Duration::from_secs(30)).await;
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn upstream_faults_become_502_or_504_with_cors_headers() {
    let good = upstream().await;
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mut config = String::from("upstream_timeout_ms = 300\nconnect_timeout_ms = 300\n[[route]]\npath = \"/ok\"\nupstream = \"http://{UP}\"\nrule = [{ origins = [\"https://app.example\"], credentials = true }]\n");
    let faults =
        [Fault::Close, Fault::ResetInHead, Fault::ResetInBody, Fault::Stall, Fault::Garbage, Fault::StallInHead];
    let mut routes = vec![("/refused".to_owned(), refused, None)];
    for f in faults {
        routes.push((format!("/{f:?}").to_lowercase(), faulty_upstream(f).await, Some(f)));
    }
    for (path, addr, _) in &routes {
        config.push_str(&format!("[[route]]\npath = \"{path}\"\nupstream = \"http://{addr}\"\nrule = [{{ origins = [\"https://app.example\"], credentials = true }}]\n"));
    }
    let dir = tempdir("faults");
    let gw = gateway(&config, good.addr, &dir).await;
    let addr = gw.local_addr();
    for round in 0..2 {
        for (path, _, fault) in &routes {
            let start = Instant::now();
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(get(path, Some(APP)).as_bytes()).await.unwrap();
            let head = read_head(&mut s, Duration::from_secs(5)).await.unwrap_or_else(|| panic!("{path}: no answer"));
            let status = status_of(&head);
            let expected: &[u16] = match fault {
                None | Some(Fault::Close | Fault::ResetInHead | Fault::Garbage) => &[502],
                Some(Fault::Stall | Fault::StallInHead) => &[504],
                // The head was already forwarded when the body broke off.
                Some(Fault::ResetInBody) => &[200],
            };
            assert!(expected.contains(&status), "round {round} {path}: {head}");
            assert_eq!(header(&head, "access-control-allow-origin"), Some(APP), "{path}: {head}");
            assert_eq!(header(&head, "access-control-allow-credentials"), Some("true"), "{path}: {head}");
            assert_eq!(header(&head, "vary"), Some("Origin"), "{path}: {head}");
            if status == 504 {
                assert!(start.elapsed() >= Duration::from_millis(250), "{path}: {:?}", start.elapsed());
            }
            if let Some(Fault::ResetInBody) = fault {
                // The client sees the body break off: fewer bytes than
                // promised, then the connection ends.
                let (body, closed) = read_until_close(&mut s, Duration::from_secs(5)).await;
                assert!(closed && body.len() < 100, "{path}: {} bytes", body.len());
            }
            assert!(start.elapsed() < Duration::from_secs(3), "{path}: {:?}", start.elapsed());
        }
        // The gateway keeps serving.
        let head = exchange(addr, get("/ok", Some(APP)).as_bytes()).await;
        assert_eq!(status_of(&head), 200, "{head}");
        assert_eq!(header(&head, "access-control-allow-origin"), Some(APP));
    }
    // A disallowed origin's 502 carries no CORS headers but still varies.
    let head = exchange(addr, get("/refused", Some("https://evil.example")).as_bytes()).await;
    assert_eq!(status_of(&head), 502);
    assert_eq!(header(&head, "access-control-allow-origin"), None);
    assert_eq!(header(&head, "vary"), Some("Origin"));
    assert!(gw.shutdown().await);
}
