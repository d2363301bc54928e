//! 10,000 concurrent client connections on loopback: every one is answered,
//! all are open at the same time, and the gateway neither runs out of file
//! descriptors nor grows without bound.
//!
//! The gateway runs in a child process (this test binary again, running
//! the ignored `gateway_child`), so that the 10,000 client sockets and the
//! 10,000 accepted ones count against two descriptor tables, and its memory
//! can be read on its own.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CONNECTIONS: usize = 10_000;
const ENV: &str = "CROSSGATE_TEN_K_CONFIG";

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; returns the new soft
/// limit.
fn raise_nofile() -> u64 {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: a valid pointer to an rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return 0;
    }
    if lim.rlim_cur < lim.rlim_max {
        let want = libc::rlimit { rlim_cur: lim.rlim_max, rlim_max: lim.rlim_max };
        // SAFETY: a valid pointer to an rlimit.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &want) } == 0 {
            lim.rlim_cur = lim.rlim_max;
        }
    }
    lim.rlim_cur
}

fn proc_status(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count()).unwrap_or(0)
}

/// The gateway half, in the child process; does nothing when run on its
/// own.
#[test]
#[ignore = "the gateway half of ten_thousand_concurrent_connections, which runs it in a child process"]
fn gateway_child() {
    let Ok(path) = std::env::var(ENV) else { return };
    raise_nofile();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async move {
        let runtime = crossgate_gateway::load_file(std::path::Path::new(&path)).unwrap();
        let gw = crossgate_gateway::Gateway::start(runtime, None).await.unwrap();
        println!("LISTEN {}", gw.local_addr());
        // Serves until the parent closes stdin.
        let mut line = String::new();
        let _ = tokio::task::spawn_blocking(move || std::io::stdin().read_line(&mut line)).await;
        gw.shutdown().await;
    });
}

/// Kills the child if the test fails half-way.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn one(addr: std::net::SocketAddr, i: usize) -> Result<TcpStream, String> {
    let mut s = TcpStream::connect(addr).await.map_err(|e| format!("{i}: connect: {e}"))?;
    let req = if i % 10 == 0 {
        format!("GET /item/{i} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://app.example\r\n\r\n")
    } else {
        format!("OPTIONS /item/{i} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://app.example\r\nAccess-Control-Request-Method: PUT\r\n\r\n")
    };
    s.write_all(req.as_bytes()).await.map_err(|e| format!("{i}: write: {e}"))?;
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut b).await {
            Ok(1) => head.push(b[0]),
            r => return Err(format!("{i}: read: {r:?} after {:?}", String::from_utf8_lossy(&head))),
        }
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let want = if i % 10 == 0 { "http/1.1 200" } else { "http/1.1 204" };
    if !head.starts_with(want) || !head.contains("access-control-allow-origin: https://app.example\r\n") {
        return Err(format!("{i}: {head}"));
    }
    if let Some(len) = head.lines().find_map(|l| l.strip_prefix("content-length:")) {
        let mut body = vec![0u8; len.trim().parse().unwrap_or(0)];
        s.read_exact(&mut body).await.map_err(|e| format!("{i}: body: {e}"))?;
    }
    Ok(s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_connections() {
    let limit = raise_nofile();
    if limit < (CONNECTIONS + 500) as u64 {
        eprintln!("SKIPPED ten_thousand_concurrent_connections: RLIMIT_NOFILE hard limit {limit} is below {} (raise it with `ulimit -Hn`)", CONNECTIONS + 500);
        return;
    }
    let start = Instant::now();
    let up = common::upstream().await;
    let dir = common::tempdir("tenk");
    let config = dir.join("gateway.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\nmax_connections = {}\nrequest_header_timeout_ms = 20000\nupstream_timeout_ms = 10000\n[[route]]\npath = \"/\"\nupstream = \"http://{}\"\nrule = [{{ origins = [\"https://app.example\"], methods = [\"GET\", \"PUT\"] }}]\n",
            CONNECTIONS + 100,
            up.addr
        ),
    )
    .unwrap();
    let mut child = Child(
        Command::new(std::env::current_exe().unwrap())
            .args(["gateway_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env(ENV, &config)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let pid = child.0.id();
    let stdout = child.0.stdout.take().unwrap();
    // The harness prints `test gateway_child ... ` before the child's own
    // line; the rest of its output is drained so it never hits a closed
    // pipe.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some((_, a)) = line.split_once("LISTEN ") {
                let _ = tx.send(a.trim().parse::<std::net::SocketAddr>().unwrap());
            }
        }
    });
    let addr = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(20)))
        .await
        .unwrap()
        .expect("the child gateway started");
    let rss_before = proc_status(pid, "VmRSS:");

    // Open them all, 200 handshakes at a time (the listen backlog is
    // finite), and keep every one open.
    let gate = Arc::new(tokio::sync::Semaphore::new(200));
    let mut tasks = Vec::with_capacity(CONNECTIONS);
    for i in 0..CONNECTIONS {
        let gate = Arc::clone(&gate);
        tasks.push(tokio::spawn(async move {
            let _p = gate.acquire().await.unwrap();
            tokio::time::timeout(Duration::from_secs(20), one(addr, i)).await.map_err(|_| format!("{i}: timed out"))?
        }));
    }
    let mut open = Vec::with_capacity(CONNECTIONS);
    let mut errors = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(s) => open.push(s),
            Err(e) => errors.push(e),
        }
    }
    assert!(errors.is_empty(), "{} of {CONNECTIONS} failed, e.g. {:?}", errors.len(), &errors[..errors.len().min(5)]);
    let fds = open_fds(pid);
    let rss_peak = proc_status(pid, "VmRSS:");
    let opened = start.elapsed();
    // All of them are open at once in the gateway.
    assert!(fds >= CONNECTIONS, "the gateway holds {fds} descriptors");
    // A new client is still served.
    let extra =
        tokio::time::timeout(Duration::from_secs(10), one(addr, 1)).await.expect("a new client is served").unwrap();
    // Every connection is still alive: a second request on a sample.
    for (i, s) in open.iter_mut().enumerate().step_by(97) {
        let req = format!("OPTIONS /again/{i} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://app.example\r\nAccess-Control-Request-Method: GET\r\n\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        let mut buf = [0u8; 12];
        tokio::time::timeout(Duration::from_secs(10), s.read_exact(&mut buf)).await.unwrap().unwrap();
        assert_eq!(&buf, b"HTTP/1.1 204", "connection {i}");
    }
    // Memory stays bounded: well under 64 KiB a connection.
    let grown = rss_peak.saturating_sub(rss_before);
    assert!(grown < 640 * 1024, "the gateway grew by {grown} KiB for {CONNECTIONS} connections");
    drop(open);
    drop(extra);
    // Descriptors come back once the clients close.
    let deadline = Instant::now() + Duration::from_secs(10);
    while open_fds(pid) > 200 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let after = open_fds(pid);
    assert!(after <= 200, "the gateway still holds {after} descriptors after the clients closed");
    drop(child.0.stdin.take());
    let _ = child.0.wait();
    eprintln!(
        "{CONNECTIONS} connections open in {opened:?}; gateway: {fds} descriptors at peak, {after} after; RSS {rss_before} KiB -> {rss_peak} KiB; total {:?}",
        start.elapsed()
    );
    assert!(start.elapsed() < Duration::from_secs(30), "took {:?}", start.elapsed());
}
