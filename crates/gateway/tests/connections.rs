//! Connections under abuse, each test named after its finding: half-sent
//! HTTP/2 prefaces, HTTP/2 streams multiplying upstream connections,
//! clients that never read a response or never finish a body, and the
//! admin listener answering any `Host`. Every test talks to a real gateway
//! over loopback sockets. The gateway runs on the test's own thread (a
//! current-thread runtime), so that thread's CPU time is the gateway's.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{gateway, tempdir, upstream};
use http::Request;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const APP: &str = "https://app.example";

/// CPU time (user + system) of the calling thread.
fn thread_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    // Fields after the command name, which is in parentheses: state is the
    // first, utime the 12th and stime the 13th.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<u64> = rest.split_whitespace().skip(11).take(2).map(|v| v.parse().unwrap()).collect();
    // SAFETY: sysconf has no preconditions.
    let tick = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).unwrap();
    Duration::from_millis((f[0] + f[1]) * 1000 / tick)
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// A gauge's value in Prometheus text (the first series of that name).
fn gauge(text: &str, name: &str) -> Option<i64> {
    text.lines().find_map(|l| {
        let (series, value) = l.rsplit_once(' ')?;
        (series == name || series.strip_prefix(name).is_some_and(|r| r.starts_with('{'))).then(|| value.parse().ok())?
    })
}

/// Polls `done` every 10 ms until it holds or `limit` passes; returns the
/// time it took, or `None`.
async fn within(limit: Duration, mut done: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

/// Reads until the peer closes or `limit` passes; whether it closed.
async fn closed_within(s: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 16 * 1024];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

const ROUTE: &str = r#"
[[route]]
path = "/"
upstream = "http://{UP}"
rule = [{ origins = ["https://app.example"], methods = ["GET", "POST"] }]
"#;

async fn get_ok(addr: SocketAddr) -> u16 {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// Issue 12, finding 2: 200 clients that send `P` (a prefix of the HTTP/2
/// preface) and close at once held a slot and a descriptor each until the
/// header timeout, while a `peek` loop woke every millisecond for each.
#[tokio::test]
async fn half_sent_http2_preface_gives_back_its_slot_descriptor_and_cpu_at_once() {
    let up = upstream().await;
    let dir = tempdir("half-preface");
    let gw = gateway(&format!("request_header_timeout_ms = 5000\nmax_connections = 300\n{ROUTE}"), up.addr, &dir).await;
    let addr = gw.local_addr();
    assert_eq!(get_ok(addr).await, 200);
    let base_fds = open_fds();
    let cpu_start = thread_cpu();
    for _ in 0..200 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"P").await.unwrap();
    }
    let back = within(Duration::from_secs(1), || {
        gauge(&gw.metrics(), "crossgate_connections") == Some(0) && open_fds() <= base_fds + 2
    })
    .await;
    let fds = open_fds();
    assert!(
        back.is_some(),
        "after 1 s: {fds} descriptors (baseline {base_fds}), crossgate_connections {:?}",
        gauge(&gw.metrics(), "crossgate_connections")
    );
    // Nothing left to poll: the next second costs the gateway's thread
    // next to no CPU.
    let cpu_idle = thread_cpu();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = thread_cpu() - cpu_idle;
    eprintln!(
        "half-sent prefaces: back to baseline in {:?}; CPU {:?} for the 200 connections, {idle:?} in the second after",
        back.unwrap(),
        cpu_idle - cpu_start
    );
    assert!(idle < Duration::from_millis(100), "{idle:?} of CPU in an idle second");
    // The same clients, staying connected: each keeps its slot only until
    // the header timeout, and costs no CPU while it waits.
    let mut held = Vec::new();
    for _ in 0..50 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
        held.push(s);
    }
    let cpu_wait = thread_cpu();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let waiting = thread_cpu() - cpu_wait;
    assert!(waiting < Duration::from_millis(100), "{waiting:?} of CPU for 50 connections waiting for their preface");
    assert_eq!(gauge(&gw.metrics(), "crossgate_connections"), Some(50));
    assert_eq!(get_ok(addr).await, 200, "other clients are served");
    drop(held);
    assert!(within(Duration::from_secs(1), || gauge(&gw.metrics(), "crossgate_connections") == Some(0))
        .await
        .is_some());
    gw.shutdown().await;
}

/// Issue 12, finding 2 ("a deadline for the whole head"), over HTTP/2: a
/// connection that sends the preface, or the preface and its SETTINGS, and
/// then nothing, is closed after the header timeout; one that served a
/// request and then idles is sent away (GOAWAY) and then closed.
#[tokio::test]
async fn http2_connection_that_never_starts_a_request_is_closed_after_the_header_timeout() {
    let up = upstream().await;
    let dir = tempdir("h2-head-deadline");
    let gw = gateway(&format!("request_header_timeout_ms = 300\n{ROUTE}"), up.addr, &dir).await;
    let addr = gw.local_addr();
    const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    // An empty SETTINGS frame: length 0, type 4, no flags, stream 0.
    const SETTINGS: &[u8] = &[0, 0, 0, 4, 0, 0, 0, 0, 0];
    for (what, bytes) in [("a prefix of the preface", &PREFACE[..10]), ("the preface", PREFACE)] {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(bytes).await.unwrap();
        let start = Instant::now();
        assert!(closed_within(&mut s, Duration::from_secs(3)).await, "{what}, then nothing: left open");
        assert!(start.elapsed() < Duration::from_millis(1200), "{what}: closed after {:?}", start.elapsed());
    }
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(&[PREFACE, SETTINGS].concat()).await.unwrap();
    let start = Instant::now();
    assert!(closed_within(&mut s, Duration::from_secs(3)).await, "preface and SETTINGS, then nothing: left open");
    assert!(start.elapsed() < Duration::from_millis(1200), "closed after {:?}", start.elapsed());
    // A real client: served, then idle, then closed.
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream)).await.unwrap();
    let conn = tokio::spawn(conn);
    let req = Request::get(format!("http://{addr}/x")).body(Empty::<Bytes>::new()).unwrap();
    let r = sender.send_request(req).await.unwrap();
    assert_eq!(r.status(), 200);
    let start = Instant::now();
    let ended = tokio::time::timeout(Duration::from_secs(3), conn).await;
    assert!(ended.is_ok(), "an idle HTTP/2 connection stays open");
    assert!(start.elapsed() >= Duration::from_millis(250), "{:?}", start.elapsed());
    assert!(within(Duration::from_secs(1), || gauge(&gw.metrics(), "crossgate_connections") == Some(0))
        .await
        .is_some());
    gw.shutdown().await;
}

/// Issue 21, finding 2: ten HTTP/2 connections with 200 streams each to a
/// slow path opened 2,001 upstream connections. Now each upstream has at
/// most `max_upstream_connections`, requests beyond them wait up to
/// `upstream_queue_timeout_ms` and then get 503 with the route's CORS
/// headers, and the metrics show both.
#[tokio::test]
async fn http2_streams_do_not_multiply_upstream_connections() {
    let up = upstream().await;
    let dir = tempdir("h2-amplification");
    let config =
        format!("max_upstream_connections = 16\nupstream_queue_timeout_ms = 300\nupstream_timeout_ms = 5000\n{ROUTE}");
    let gw = gateway(&config, up.addr, &dir).await;
    let addr = gw.local_addr();
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream)).await.unwrap();
        tokio::spawn(conn);
        for i in 0..200 {
            let mut sender = sender.clone();
            tasks.push(tokio::spawn(async move {
                let req = Request::get(format!("http://{addr}/slow/100?{i}"))
                    .header("origin", APP)
                    .body(Empty::<Bytes>::new())
                    .unwrap();
                let r = sender.send_request(req).await.unwrap();
                let status = r.status().as_u16();
                let acao = r.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_owned());
                let _ = r.into_body().collect().await;
                (status, acao)
            }));
        }
    }
    let (mut most_upstream, mut most_in_flight, mut most_queued) = (0, 0, 0);
    while !tasks.iter().all(|t| t.is_finished()) {
        let m = gw.metrics();
        most_upstream = most_upstream.max(gauge(&m, "crossgate_upstream_connections").unwrap_or(0));
        most_in_flight = most_in_flight.max(gauge(&m, "crossgate_requests_in_flight").unwrap_or(0));
        most_queued = most_queued.max(gauge(&m, "crossgate_upstream_queue").unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (mut ok, mut busy) = (0, 0);
    for t in tasks {
        let (status, acao) = t.await.unwrap();
        match status {
            200 => ok += 1,
            503 => busy += 1,
            other => panic!("status {other}"),
        }
        assert_eq!(acao.as_deref(), Some(APP), "a {status} without the route's CORS headers");
    }
    let opened = up.connections.load(Ordering::Relaxed);
    eprintln!(
        "10 h2c connections x 200 streams: {opened} upstream connections opened, {ok} answered 200, {busy} 503; \
         at most {most_upstream} upstream connections open, {most_in_flight} requests in flight, {most_queued} queued"
    );
    assert!(opened <= 16, "{opened} upstream connections");
    assert!(most_upstream <= 16 && most_upstream > 0, "{most_upstream}");
    assert!(most_in_flight <= 10 * 100, "{most_in_flight} requests in flight (10 connections x 100 streams)");
    assert!(ok >= 16, "{ok} served");
    assert_eq!(common::counter(&gw, "crossgate_upstream_errors_total", &[("kind", "upstream-busy")]), busy);
    assert_eq!(gauge(&gw.metrics(), "crossgate_upstream_queue").unwrap_or(0), 0, "requests still counted as waiting");
    gw.shutdown().await;
}

/// Issue 21, finding 3: ten clients that ask for a large response and never
/// read it kept 10 client and 11 upstream connections open indefinitely.
/// Now a write that makes no progress for `client_idle_timeout_ms` closes
/// the connection, and the upstream connection goes with the response.
#[tokio::test]
async fn client_that_never_reads_a_large_response_is_cut_off() {
    let up = upstream().await;
    let dir = tempdir("slow-reader");
    let config =
        format!("client_idle_timeout_ms = 500\nrequest_header_timeout_ms = 5000\nupstream_timeout_ms = 3000\n{ROUTE}");
    let gw = gateway(&config, up.addr, &dir).await;
    let addr = gw.local_addr();
    let mut held = Vec::new();
    for _ in 0..10 {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut s = socket.connect(addr).await.unwrap();
        s.write_all(b"GET /big/64 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
        held.push(s);
    }
    let open = |m: &str| {
        (gauge(m, "crossgate_connections").unwrap_or(-1), gauge(m, "crossgate_upstream_connections").unwrap_or(0))
    };
    assert!(
        within(Duration::from_secs(2), || open(&gw.metrics()).1 == 10).await.is_some(),
        "{:?}",
        open(&gw.metrics())
    );
    let released = within(Duration::from_secs(5), || open(&gw.metrics()) == (0, 0)).await;
    eprintln!("10 clients not reading 64 MiB: released after {released:?}; now {:?}", open(&gw.metrics()));
    assert!(released.is_some(), "(client, upstream) connections still open: {:?}", open(&gw.metrics()));
    assert_eq!(get_ok(addr).await, 200, "other clients are served");
    drop(held);
    gw.shutdown().await;
}

/// Issue 21, finding 3, the other direction: a client that announces a
/// body and stops sending it gives back its slot and the upstream
/// connection after `client_idle_timeout_ms`.
#[tokio::test]
async fn client_that_stops_sending_its_body_is_cut_off() {
    let up = upstream().await;
    let dir = tempdir("slow-body");
    let config =
        format!("client_idle_timeout_ms = 500\nrequest_header_timeout_ms = 5000\nupstream_timeout_ms = 10000\n{ROUTE}");
    let gw = gateway(&config, up.addr, &dir).await;
    let addr = gw.local_addr();
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"POST /sink HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n").await.unwrap();
    s.write_all(&[b'x'; 1000]).await.unwrap();
    let start = Instant::now();
    let open = |m: &str| {
        (gauge(m, "crossgate_connections").unwrap_or(-1), gauge(m, "crossgate_upstream_connections").unwrap_or(0))
    };
    assert!(
        within(Duration::from_secs(1), || open(&gw.metrics()) == (1, 1)).await.is_some(),
        "{:?}",
        open(&gw.metrics())
    );
    let released = within(Duration::from_secs(3), || open(&gw.metrics()).1 == 0).await;
    assert!(released.is_some(), "(client, upstream) connections: {:?}", open(&gw.metrics()));
    assert!(start.elapsed() >= Duration::from_millis(450), "{:?}", start.elapsed());
    // The client gets an error answer or a close, not a hang.
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), s.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.is_empty() || text.starts_with("HTTP/1.1 4") || text.starts_with("HTTP/1.1 5"), "{text}");
    assert_eq!(up.hits.load(Ordering::Relaxed), 1);
    gw.shutdown().await;
}

/// Issue 21, finding 6: `/-/metrics` and `/-/explain` answered any `Host`,
/// so a page whose name resolves to 127.0.0.1 (DNS rebinding) could read
/// them. Now only the admin listener's loopback names answer; others get
/// 421.
#[tokio::test]
async fn admin_listener_refuses_hosts_that_are_not_its_own() {
    let up = upstream().await;
    let dir = tempdir("admin-host");
    let gw = gateway(&format!("admin_listen = \"127.0.0.1:0\"\n{ROUTE}"), up.addr, &dir).await;
    let admin = gw.admin_addr().unwrap();
    let port = admin.port();
    let ask = |host: String, path: &'static str| async move {
        let mut s = TcpStream::connect(admin).await.unwrap();
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut out = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await.unwrap().unwrap();
        let text = String::from_utf8_lossy(&out).into_owned();
        (text.split_whitespace().nth(1).and_then(|s| s.parse::<u16>().ok()).unwrap_or(0), text)
    };
    for path in ["/-/metrics", "/-/explain", "/-/health"] {
        for host in
            [format!("127.0.0.1:{port}"), format!("localhost:{port}"), "localhost".into(), format!("[::1]:{port}")]
        {
            let (status, text) = ask(host.clone(), path).await;
            assert_eq!(status, 200, "{path} Host: {host}: {text}");
        }
        for host in [
            format!("evil.example:{port}"),
            "evil.example".into(),
            format!("localhost.evil.example:{port}"),
            format!("localhost:{}", port.wrapping_add(1)),
        ] {
            let (status, text) = ask(host.clone(), path).await;
            assert_eq!(status, 421, "{path} Host: {host}: {text}");
            assert!(!text.contains("crossgate_requests_total"), "{text}");
        }
    }
    gw.shutdown().await;
}

/// The HTTP/2 idle deadline counts a request as busy until its response
/// body is sent: a download read slowly for many header timeouts is not
/// taken for an idle connection.
#[tokio::test]
async fn http2_download_longer_than_the_idle_deadline_is_not_cut() {
    let up = upstream().await;
    let dir = tempdir("h2-long-download");
    let gw = gateway(&format!("request_header_timeout_ms = 300\n{ROUTE}"), up.addr, &dir).await;
    let addr = gw.local_addr();
    let stream = TcpStream::connect(addr).await.unwrap();
    let (client, conn) = h2::client::handshake(stream).await.unwrap();
    tokio::spawn(conn);
    let mut client = client.ready().await.unwrap();
    let (response, _) =
        client.send_request(Request::get(format!("http://{addr}/big/2")).body(()).unwrap(), true).unwrap();
    let mut body = response.await.unwrap().into_body();
    let start = Instant::now();
    let mut got = 0;
    while let Some(chunk) = body.data().await {
        let chunk = chunk.unwrap_or_else(|e| panic!("cut after {got} bytes and {:?}: {e}", start.elapsed()));
        got += chunk.len();
        body.flow_control().release_capacity(chunk.len()).unwrap();
        // 16 KiB every 10 ms: 2 MiB take over a second, several timeouts.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(got, 2 * 1024 * 1024);
    assert!(start.elapsed() > Duration::from_millis(900), "{:?}", start.elapsed());
    gw.shutdown().await;
}
