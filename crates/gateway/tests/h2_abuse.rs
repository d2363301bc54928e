//! HTTP/2 abuse against h2c (prior knowledge) over loopback: rapid reset
//! (CVE-2023-44487), a CONTINUATION flood (VU#421644, 2024), SETTINGS, PING
//! and WINDOW_UPDATE floods, and a stream that never sends its body. The
//! well-formed attacks use the `h2` crate as the client; the floods are
//! frames written to the socket (RFC 9113 §4.1 frame layout). Each checks
//! that time and memory stay bounded and that another client is served
//! meanwhile.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{gateway, rss_kib, tempdir, upstream};
use http::Request;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

const CONFIG: &str = r#"
request_header_timeout_ms = 2000
client_idle_timeout_ms = 500
max_upstream_connections = 16
upstream_queue_timeout_ms = 500
[[route]]
path = "/"
upstream = "http://{UP}"
rule = [{ origins = ["https://app.example"], methods = ["GET", "POST"] }]
"#;

/// One frame: 24-bit length, type, flags, 31-bit stream id, payload.
fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).unwrap();
    let mut f = len.to_be_bytes()[1..].to_vec();
    f.extend_from_slice(&[kind, flags]);
    f.extend_from_slice(&(stream & 0x7fff_ffff).to_be_bytes());
    f.extend_from_slice(payload);
    f
}

const HEADERS: u8 = 1;
const SETTINGS: u8 = 4;
const PING: u8 = 6;
const WINDOW_UPDATE: u8 = 8;
const CONTINUATION: u8 = 9;
const END_STREAM: u8 = 0x1;

/// The start of a GET's header block (HPACK, RFC 7541 appendix A: static
/// entries 2 `:method GET`, 6 `:scheme http`, 4 `:path /`, and `:authority`
/// as a literal without indexing).
fn get_block(authority: &str) -> Vec<u8> {
    let mut b = vec![0x82, 0x86, 0x84, 0x01, u8::try_from(authority.len()).unwrap()];
    b.extend_from_slice(authority.as_bytes());
    b
}

/// A client that reads everything the server sends, counting bytes and
/// noting a GOAWAY, until the server closes.
struct Raw {
    write: tokio::net::tcp::OwnedWriteHalf,
    reader: tokio::task::JoinHandle<(usize, bool)>,
}

async fn raw(addr: SocketAddr) -> Raw {
    let s = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = s.into_split();
    write.write_all(&[PREFACE, &frame(SETTINGS, 0, 0, &[])].concat()).await.unwrap();
    let reader = tokio::spawn(async move {
        let mut all = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
            // Keep only what a GOAWAY search needs.
            if all.len() > 1 << 20 {
                all.drain(..all.len() - 4096);
            }
        }
        (all.len(), goaway_in(&all))
    });
    Raw { write, reader }
}

/// Whether a GOAWAY frame header appears in `bytes` (frames are parsed in
/// order from the start when possible).
fn goaway_in(bytes: &[u8]) -> bool {
    bytes.windows(9).any(|w| w[3] == 7 && w[5..9] == [0, 0, 0, 0] && u32::from_be_bytes([0, w[0], w[1], w[2]]) >= 8)
}

/// Writes `frames` until done, the server closes, or `limit`; returns how
/// many were written and whether the server stopped taking them.
async fn flood(w: &mut tokio::net::tcp::OwnedWriteHalf, one: &[u8], count: usize, limit: Duration) -> (usize, bool) {
    let batch: Vec<u8> = one.repeat(64);
    let deadline = tokio::time::Instant::now() + limit;
    let mut sent = 0;
    while sent < count {
        match tokio::time::timeout_at(deadline, w.write_all(&batch)).await {
            Ok(Ok(())) => sent += 64,
            Ok(Err(_)) => return (sent, true),
            Err(_) => return (sent, true),
        }
    }
    (sent, false)
}

/// An HTTP/1.1 request on a fresh connection: its status and how long it
/// took.
async fn other_client(addr: SocketAddr) -> (u16, Duration) {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    let status = String::from_utf8_lossy(&out).split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, start.elapsed())
}

fn gauge(text: &str, name: &str) -> Option<i64> {
    text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// CVE-2023-44487: a client opens streams and resets each at once, so the
/// server starts work for every one while the client's concurrency stays
/// near zero. h2 counts streams reset before they were accepted
/// (`max_pending_accept_reset_streams`) and sends GOAWAY; what is accepted
/// meanwhile is bounded by `max_upstream_connections`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cve_2023_44487_rapid_reset_is_bounded_and_others_are_served() {
    let up = upstream().await;
    let dir = tempdir("h2-rapid-reset");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let addr = gw.local_addr();
    let rss_before = rss_kib();
    let stream = TcpStream::connect(addr).await.unwrap();
    let (client, conn) = h2::client::handshake(stream).await.unwrap();
    let conn = tokio::spawn(conn);
    let start = Instant::now();
    let mut client = client;
    let mut opened = 0;
    for i in 0..20_000 {
        client = match tokio::time::timeout(Duration::from_secs(5), client.ready()).await {
            Ok(Ok(c)) => c,
            _ => break,
        };
        let req = Request::get(format!("http://{addr}/slow/1000?{i}")).body(()).unwrap();
        let Ok((_, mut send)) = client.send_request(req, true) else { break };
        send.send_reset(h2::Reason::CANCEL);
        opened += 1;
    }
    let ended = tokio::time::timeout(Duration::from_secs(5), conn).await;
    let took = start.elapsed();
    let (status, other) = other_client(addr).await;
    let hits = up.hits.load(Ordering::Relaxed);
    let grown = rss_kib().saturating_sub(rss_before);
    eprintln!(
        "rapid reset: {opened} streams opened and reset in {took:?}; connection ended: {}; {hits} reached the \
         upstream, {} upstream connections; RSS +{grown} KiB; another client: {status} in {other:?}",
        ended.is_ok(),
        up.connections.load(Ordering::Relaxed)
    );
    assert!(ended.is_ok(), "the resetting connection is still open");
    assert!(opened < 20_000, "all 20,000 reset streams were taken without a GOAWAY");
    assert!(up.connections.load(Ordering::Relaxed) <= 16);
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert_eq!(status, 200);
    assert!(other < Duration::from_secs(1), "{other:?}");
    assert!(grown < 64 * 1024, "RSS grew by {grown} KiB");
    gw.shutdown().await;
}

/// The 2024 CONTINUATION flood: a header block that never ends, sent as
/// endless CONTINUATION frames; servers that buffered or decoded it all ran
/// out of memory or CPU. The block is capped by `max_header_list_size` and
/// h2's limit on CONTINUATION frames, then the connection is closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continuation_flood_is_cut_off() {
    let up = upstream().await;
    let dir = tempdir("h2-continuation");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let addr = gw.local_addr();
    let rss_before = rss_kib();
    let mut c = raw(addr).await;
    let block = get_block(&addr.to_string());
    c.write.write_all(&frame(HEADERS, END_STREAM, 1, &block)).await.unwrap();
    // Literal headers without indexing, `x-a: aaaa…` (255 bytes), 16 KiB per
    // frame; 64 MiB in all if nothing stops it.
    let mut field = vec![0x00, 0x03, b'x', b'-', b'a', 0x7f, 0x80, 0x01];
    field.extend(std::iter::repeat(b'a').take(255));
    let payload: Vec<u8> = field.iter().copied().cycle().take(16 * 1024).collect();
    let one = frame(CONTINUATION, 0, 1, &payload);
    let start = Instant::now();
    let (sent, stopped) = flood(&mut c.write, &one, 4096, Duration::from_secs(5)).await;
    let (status, other) = other_client(addr).await;
    drop(c.write);
    let (_, goaway) = tokio::time::timeout(Duration::from_secs(5), c.reader).await.unwrap().unwrap();
    let grown = rss_kib().saturating_sub(rss_before);
    eprintln!(
        "CONTINUATION flood: {sent} frames of 16 KiB written in {:?}, stopped: {stopped}, GOAWAY: {goaway}; RSS +{grown} KiB; another client: {status} in {other:?}",
        start.elapsed()
    );
    assert!(stopped, "the gateway took 64 MiB of one header block");
    assert!(sent < 1024, "{sent} CONTINUATION frames taken");
    assert_eq!(up.hits.load(Ordering::Relaxed), 1, "only the other client's request reached the upstream");
    assert_eq!(status, 200);
    assert!(other < Duration::from_secs(1), "{other:?}");
    assert!(grown < 64 * 1024, "RSS grew by {grown} KiB");
    gw.shutdown().await;
}

/// SETTINGS, PING and WINDOW_UPDATE floods (the 2019 HTTP/2 DoS family,
/// CVE-2019-9512 ping flood, CVE-2019-9515 settings flood): each frame asks
/// the server for an answer or bookkeeping. A client that floods without
/// reading gets backpressure and, once the gateway's writes stall for
/// `client_idle_timeout_ms`, a closed connection; one that floods and reads
/// is answered at the cost of its own bandwidth. Memory stays flat and
/// other clients are served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_ping_and_window_update_floods_are_bounded() {
    let up = upstream().await;
    let dir = tempdir("h2-floods");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let addr = gw.local_addr();
    let rss_before = rss_kib();
    let floods = [
        ("SETTINGS", frame(SETTINGS, 0, 0, &[])),
        ("PING", frame(PING, 0, 0, &[7; 8])),
        ("WINDOW_UPDATE", frame(WINDOW_UPDATE, 0, 0, &1u32.to_be_bytes())),
    ];
    for (name, one) in &floods {
        for reading in [false, true] {
            let s = TcpStream::connect(addr).await.unwrap();
            let (read, mut write) = s.into_split();
            write.write_all(&[PREFACE, &frame(SETTINGS, 0, 0, &[])].concat()).await.unwrap();
            let reader = reading.then(|| {
                tokio::spawn(async move {
                    let mut read = read;
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = read.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                    }
                })
            });
            let start = Instant::now();
            let (sent, stopped) = flood(&mut write, one, 200_000, Duration::from_secs(3)).await;
            let (status, other) = other_client(addr).await;
            eprintln!(
                "{name} flood ({}): {sent} frames in {:?}, stopped: {stopped}; another client: {status} in {other:?}",
                if reading { "reading" } else { "not reading" },
                start.elapsed()
            );
            assert_eq!(status, 200, "{name}");
            assert!(other < Duration::from_secs(2), "{name}: {other:?}");
            drop(write);
            if let Some(r) = reader {
                r.abort();
            }
        }
    }
    let closed = {
        let start = Instant::now();
        loop {
            if gauge(&gw.metrics(), "crossgate_connections") == Some(0) {
                break true;
            }
            if start.elapsed() > Duration::from_secs(3) {
                break false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let grown = rss_kib().saturating_sub(rss_before);
    eprintln!("floods: RSS +{grown} KiB");
    assert!(closed, "flooding connections still open: {:?}", gauge(&gw.metrics(), "crossgate_connections"));
    assert!(grown < 64 * 1024, "RSS grew by {grown} KiB");
    assert_eq!(up.hits.load(Ordering::Relaxed), 2 * 3);
    gw.shutdown().await;
}

/// A stream that announces a body and never sends it: after
/// `client_idle_timeout_ms` the request fails, the upstream connection is
/// given back, and the client's other streams are unaffected.
#[tokio::test]
async fn http2_stream_that_never_sends_its_body_is_cut_off() {
    let up = upstream().await;
    let dir = tempdir("h2-stalled-body");
    let gw = gateway(CONFIG, up.addr, &dir).await;
    let addr = gw.local_addr();
    let stream = TcpStream::connect(addr).await.unwrap();
    let (client, conn) = h2::client::handshake(stream).await.unwrap();
    tokio::spawn(conn);
    let mut client = client.ready().await.unwrap();
    let req = Request::post(format!("http://{addr}/sink")).header("content-length", "100000").body(()).unwrap();
    let (response, mut body) = client.send_request(req, false).unwrap();
    body.send_data(Bytes::from_static(&[b'x'; 100]), false).unwrap();
    let start = Instant::now();
    let answer = tokio::time::timeout(Duration::from_secs(3), response).await.expect("no answer to a stalled body");
    let took = start.elapsed();
    eprintln!("stalled h2 body: {:?} after {took:?}", answer.as_ref().map(|r| r.status()));
    match answer {
        Ok(r) => assert!(r.status().is_client_error() || r.status().is_server_error(), "{}", r.status()),
        Err(e) => assert!(e.is_reset(), "{e}"),
    }
    assert!(took >= Duration::from_millis(400), "{took:?}");
    let released = {
        let start = Instant::now();
        loop {
            let m = gw.metrics();
            let open = m.lines().find_map(|l| {
                l.strip_prefix("crossgate_upstream_connections{")?.rsplit_once(' ')?.1.parse::<i64>().ok()
            });
            if open.unwrap_or(0) == 0 {
                break true;
            }
            if start.elapsed() > Duration::from_secs(2) {
                break false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    assert!(released, "the upstream connection is still held");
    // The same connection still serves.
    let mut client = client.ready().await.unwrap();
    let (response, _) = client.send_request(Request::get(format!("http://{addr}/ok")).body(()).unwrap(), true).unwrap();
    let r = tokio::time::timeout(Duration::from_secs(3), response).await.unwrap().unwrap();
    assert_eq!(r.status(), 200);
    gw.shutdown().await;
}
