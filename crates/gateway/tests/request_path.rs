//! The request path and the authority under attack: path confusion around a
//! route's policy, scoped rules outside their scope, ambiguous `Host`,
//! strict mode's same-origin exemption, malformed chunked bodies, forged
//! access-log fields and headers that must not pass through. Each test is
//! named after its finding, talks to a real gateway over loopback sockets
//! (raw bytes where the attack needs them) and looks at what a recording
//! upstream received.

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{body, counter, gateway, tempdir};
use http::{Request, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What the upstream received: the request line's target and every header
/// line, in order, lower-case names.
#[derive(Clone, Debug)]
struct Seen {
    target: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn all(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }
}

/// An upstream that records every request and answers 200 `upstream`.
struct Recorder {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
}

impl Recorder {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn targets(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.target).collect()
    }
}

async fn recorder() -> Recorder {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(AtomicUsize::new(0));
    let (s, c) = (Arc::clone(&seen), Arc::clone(&connections));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            c.fetch_add(1, Ordering::SeqCst);
            let s = Arc::clone(&s);
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    let s = Arc::clone(&s);
                    async move {
                        let headers = req
                            .headers()
                            .iter()
                            .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                            .collect();
                        s.lock().unwrap().push(Seen { target: req.uri().to_string(), headers });
                        let _ = req.into_body().collect().await;
                        Ok::<_, Infallible>(Response::new(body::full("upstream")))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
            });
        }
    });
    Recorder { addr, seen, connections }
}

/// Writes `raw`, reads one response (head and a `Content-Length` body, or
/// until the gateway closes) and returns its status and head.
async fn exchange(addr: SocketAddr, raw: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(raw).await.unwrap();
    read_response(&mut s).await
}

async fn read_response(s: &mut TcpStream) -> (u16, String) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(end) = out.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&out[..end + 4]).into_owned();
            let len = header(&head, "content-length").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
            if out.len() >= end + 4 + len {
                let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
                return (status, head);
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => out.extend_from_slice(&buf[..n]),
            _ => return (0, String::from_utf8_lossy(&out).into_owned()),
        }
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A strict `/api` route for one origin and a permissive `/public` route,
/// both in front of the same upstream.
const TWO_ROUTES: &str = r#"
allowed_hosts = ["localhost", "127.0.0.1"]
[[route]]
path = "/api"
upstream = "http://{UP}"
strict = true
rule = [{ origins = ["http://localhost:3000"], methods = ["GET", "POST"], credentials = true }]
[[route]]
path = "/public"
upstream = "http://{UP}"
rule = [{ origins = ["*"], methods = ["GET", "POST"] }]
"#;

fn post(target: &str, origin: &str) -> String {
    format!("POST {target} HTTP/1.1\r\nHost: localhost\r\nOrigin: {origin}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi")
}

/// Finding 12.1: `/public/../api/notes` and its encodings were routed by
/// their raw prefix to `/public`, answered 200 and forwarded unchanged, so an
/// upstream that resolves dot segments served `/api/notes` without the
/// strict route's policy.
#[tokio::test]
async fn path_confusion_does_not_walk_around_a_routes_policy() {
    let up = recorder().await;
    let dir = tempdir("path-confusion");
    let gw = gateway(TWO_ROUTES, up.addr, &dir).await;
    let evil = "https://evil.example";
    // Dot segments, literal or encoded, and an encoded unreserved letter:
    // the path is the strict route's once resolved, so strict mode refuses.
    for target in [
        "/public/../api/notes",
        "/public/%2e%2e/api/notes",
        "/public/%2E%2E/api/notes",
        "/public/.%2e/api/notes",
        "/public/%2e./api/notes",
        "/public//../api/notes",
        "/public/./../api/notes",
        "/public/x/../../api/notes",
        "/%61pi/notes",
        "/public/../%61pi/notes",
        "//api/notes",
        "/api/./notes",
    ] {
        let (status, head) = exchange(gw.local_addr(), post(target, evil).as_bytes()).await;
        assert_eq!(status, 403, "{target}: {head}");
        assert_eq!(header(&head, "access-control-allow-origin"), None, "{target}: {head}");
    }
    // Encoded separators and dot segments with parameters: servers disagree
    // on them, so they are refused before any route.
    for target in [
        "/public/..%2fapi/notes",
        "/public/..%2Fapi/notes",
        "/public/%2e%2e%2fapi/notes",
        "/public/..%5capi/notes",
        "/public/..%5Capi/notes",
        "/public/..;/api/notes",
        "/public/%zz",
    ] {
        let (status, head) = exchange(gw.local_addr(), post(target, evil).as_bytes()).await;
        assert_eq!(status, 400, "{target}: {head}");
    }
    assert_eq!(up.targets(), Vec::<String>::new(), "nothing reached the upstream");
    // What is forwarded is exactly the path that was routed.
    for (target, forwarded) in [
        ("/public/x", "/public/x"),
        ("/public/./x", "/public/x"),
        ("/public//x?q=%2e%2e/", "/public/x?q=%2e%2e/"),
        ("/public/a/../b", "/public/b"),
        ("/public/%7Euser/%41", "/public/~user/A"),
        ("/public/a%20b", "/public/a%20b"),
    ] {
        let (status, head) = exchange(gw.local_addr(), post(target, evil).as_bytes()).await;
        assert_eq!((status, header(&head, "access-control-allow-origin")), (200, Some("*")), "{target}: {head}");
        assert_eq!(up.targets().last().map(String::as_str), Some(forwarded), "{target}");
    }
    gw.shutdown().await;
}

/// Finding 12.1, the settings: `path_with_escaped_slashes_action` can keep
/// `%2F` (forwarded as received) or unescape it into a separator before the
/// dot segments are resolved; `merge_slashes = false` keeps `//` but refuses
/// `//..`, which a slash-merging upstream resolves differently;
/// `normalize_path = false` forwards paths unchanged and refuses those not
/// already in normal form.
#[tokio::test]
async fn path_normalisation_settings_are_honoured() {
    let up = recorder().await;
    let dir = tempdir("path-settings");
    // (settings, [(target, status, what the upstream got)])
    type Expected<'a> = &'a [(&'a str, u16, Option<&'a str>)];
    let cases: [(&str, Expected); 3] = [
        (
            "path_with_escaped_slashes_action = \"keep\"\nmerge_slashes = false",
            &[
                ("/public/a%2Fb", 200, Some("/public/a%2Fb")),
                ("/public/a//b", 200, Some("/public/a//b")),
                ("/public//../api", 400, None),
                ("/public/../api", 403, None),
            ],
        ),
        (
            "path_with_escaped_slashes_action = \"unescape-and-forward\"",
            &[
                ("/public/a%2Fb", 200, Some("/public/a/b")),
                ("/public/a%5cb", 200, Some("/public/a/b")),
                ("/public/..%2fapi/notes", 403, None),
            ],
        ),
        (
            "normalize_path = false",
            &[
                ("/public/a/b", 200, Some("/public/a/b")),
                ("/public/../api", 400, None),
                ("/public//x", 400, None),
                ("/%61pi", 400, None),
            ],
        ),
    ];
    for (settings, requests) in cases {
        let gw = gateway(&format!("{settings}\n{TWO_ROUTES}"), up.addr, &dir).await;
        for &(target, status, forwarded) in requests {
            let before = up.targets().len();
            let (got, head) = exchange(gw.local_addr(), post(target, "https://evil.example").as_bytes()).await;
            assert_eq!(got, status, "{settings}: {target}: {head}");
            let sent = up.targets().get(before).cloned();
            assert_eq!(sent.as_deref(), forwarded, "{settings}: {target}");
        }
        gw.shutdown().await;
    }
}

/// Finding 21.1: with `*` for `/public/*` and a credentialed origin for
/// `/private/*`, `GET /public/..%2fprivate/secret.txt` got
/// `Access-Control-Allow-Origin: *` and reached an upstream that decodes
/// `%2F`. Refused by default; with escaped slashes kept, forwarded without
/// the `/public/*` grant.
#[tokio::test]
async fn scoped_rule_does_not_apply_outside_its_scope_through_encoded_separators() {
    let up = recorder().await;
    let dir = tempdir("scoped-rule");
    let routes = r#"
[[route]]
path = "/"
upstream = "http://{UP}"
rule = [
  { origins = ["*"], paths = ["/public/*"] },
  { origins = ["https://app.example"], credentials = true, paths = ["/private/*"] },
]
"#;
    let attacks = [
        "/public/..%2fprivate/secret.txt",
        "/public/..%2Fprivate/secret.txt",
        "/public/%2e%2e%2fprivate/secret.txt",
        "/public/%2E%2E%2Fprivate/secret.txt",
        "/public/..%5cprivate/secret.txt",
        "/public/%2e%2e%5Cprivate/secret.txt",
        "/public/x%2f..%2f..%2fprivate/secret.txt",
        "/public/..;/private/secret.txt",
    ];
    let get =
        |target: &str| format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nOrigin: https://evil.example\r\n\r\n");
    let gw = gateway(routes, up.addr, &dir).await;
    for target in attacks {
        let (status, head) = exchange(gw.local_addr(), get(target).as_bytes()).await;
        assert_eq!(status, 400, "{target}: {head}");
        assert_eq!(header(&head, "access-control-allow-origin"), None, "{target}: {head}");
    }
    assert!(up.targets().is_empty(), "refused before the upstream: {:?}", up.targets());
    gw.shutdown().await;
    // Escaped slashes kept: forwarded as they came, but the engine reads
    // every spelling of a separator and grants nothing.
    let keep = format!("path_with_escaped_slashes_action = \"keep\"\n{routes}");
    let gw = gateway(&keep, up.addr, &dir).await;
    for target in attacks.iter().filter(|t| !t.contains(';')) {
        let (status, head) = exchange(gw.local_addr(), get(target).as_bytes()).await;
        assert_eq!(status, 200, "{target}: {head}");
        assert_eq!(header(&head, "access-control-allow-origin"), None, "{target}: {head}");
        // Normalised all the same: `%2e` is a dot.
        let forwarded = target.replace("%2e", ".").replace("%2E", ".");
        assert_eq!(up.targets().last(), Some(&forwarded));
    }
    // Inside the scope it still grants.
    let (status, head) = exchange(gw.local_addr(), get("/public/a%2Fb").as_bytes()).await;
    assert_eq!((status, header(&head, "access-control-allow-origin")), (200, Some("*")), "{head}");
    gw.shutdown().await;
}

const PRESERVE_HOST: &str = r#"
allowed_hosts = ["localhost"]
[[route]]
path = "/"
upstream = "http://{UP}"
preserve_host = true
rule = [{ origins = ["http://localhost:3000"] }]
"#;

/// Finding 12.3: two `Host` lines were accepted and the upstream could see
/// the second; an absolute-form target's authority was never checked
/// against `allowed_hosts`. One authority is decided per request (the
/// target's, else `Host`), checked, and the only one forwarded.
#[tokio::test]
async fn ambiguous_host_is_refused_and_one_authority_is_forwarded() {
    let up = recorder().await;
    let dir = tempdir("ambiguous-host");
    let gw = gateway(PRESERVE_HOST, up.addr, &dir).await;
    let addr = gw.local_addr();
    for raw in [
        "GET /x HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: evil.example\r\nHost: localhost\r\n\r\n",
        "GET http://evil.example/x HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET http://user@localhost/x HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET https://localhost/x HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET /x HTTP/1.1\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: \r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: local host\r\n\r\n",
    ] {
        let (status, head) = exchange(addr, raw.as_bytes()).await;
        assert_eq!(status, 400, "{raw:?}: {head}");
    }
    assert!(up.seen().is_empty(), "refused before the upstream: {:?}", up.targets());
    // The target's authority replaces `Host` (RFC 9112 §3.2.2), and only it
    // is forwarded.
    let (status, head) = exchange(addr, b"GET http://localhost:8000/x HTTP/1.1\r\nHost: evil.example\r\n\r\n").await;
    assert_eq!(status, 200, "{head}");
    let seen = up.seen().pop().unwrap();
    assert_eq!(seen.target, "/x");
    assert_eq!(seen.all("host"), ["localhost:8000"]);
    assert_eq!(seen.all("x-forwarded-host"), ["localhost:8000"]);
    gw.shutdown().await;
}

/// Finding 12.3 over HTTP/2: `:authority` is the target's authority; a
/// `host` header naming another is malformed (RFC 9113 §8.3.1).
#[tokio::test]
async fn ambiguous_authority_over_http2_is_refused() {
    let up = recorder().await;
    let dir = tempdir("ambiguous-h2");
    let gw = gateway(PRESERVE_HOST, up.addr, &dir).await;
    let stream = TcpStream::connect(gw.local_addr()).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake::<_, _, body::Body>(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let cases = [
        ("http://localhost/x", Some("evil.example"), 400),
        ("http://evil.example/x", None, 400),
        ("http://evil.example/x", Some("localhost"), 400),
        ("http://localhost/x", Some("LOCALHOST"), 200),
        ("http://localhost/x", None, 200),
    ];
    for (uri, host, status) in cases {
        let mut req = Request::get(uri);
        if let Some(h) = host {
            req = req.header("host", h);
        }
        let resp = sender.send_request(req.body(body::empty()).unwrap()).await.unwrap();
        assert_eq!(resp.status().as_u16(), status, "{uri} host {host:?}");
    }
    let seen = up.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    for s in seen {
        assert_eq!(s.all("host"), ["localhost"], "{s:?}");
    }
    gw.shutdown().await;
}

/// Finding 21.4: strict mode's same-origin exemption read the target's
/// authority while `allowed_hosts` read `Host`, and ignored the scheme: an
/// absolute-form `POST http://evil.example/…` from `Origin:
/// http://evil.example` was forwarded, and so was `Origin:
/// https://localhost:P` on a plain-http listener.
#[tokio::test]
async fn strict_mode_same_origin_means_the_decided_scheme_host_and_port() {
    let up = recorder().await;
    let dir = tempdir("same-origin");
    let config = r#"
allowed_hosts = ["localhost"]
[[route]]
path = "/api"
upstream = "http://{UP}"
strict = true
rule = [{ origins = ["http://localhost:3000"], methods = ["GET", "POST"] }]
"#;
    let gw = gateway(config, up.addr, &dir).await;
    let port = gw.local_addr().port();
    let request = |target: &str, host: &str, origin: &str| {
        format!("POST {target} HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nContent-Length: 0\r\n\r\n")
    };
    let cases = [
        (request("http://evil.example/api/notes", "localhost", "http://evil.example"), 400),
        (request("/api/notes", &format!("localhost:{port}"), &format!("https://localhost:{port}")), 403),
        (request("/api/notes", "localhost", "https://localhost"), 403),
        (request("/api/notes", "localhost:443", "https://localhost"), 403),
        (request("/api/notes", &format!("localhost:{port}"), "http://localhost"), 403),
        (request("/api/notes", &format!("localhost:{port}"), &format!("http://localhost:{port}")), 200),
        (request("/api/notes", "localhost", "http://localhost"), 200),
        (
            request(&format!("http://localhost:{port}/api/notes"), "evil.example", &format!("http://localhost:{port}")),
            200,
        ),
    ];
    for (raw, status) in &cases {
        let (got, head) = exchange(gw.local_addr(), raw.as_bytes()).await;
        assert_eq!(got, *status, "{raw:?}: {head}");
    }
    assert_eq!(up.seen().len(), cases.iter().filter(|(_, s)| *s == 200).count());
    gw.shutdown().await;
}

/// Finding 12.4: a malformed chunked body from the client was answered
/// `502 Bad Gateway: the upstream cannot be reached` and counted as an
/// upstream connect error. It is the client's 400, counted as
/// `bad-request-body`, and the upstream connection it was streaming into is
/// closed, not pooled.
#[tokio::test]
async fn malformed_chunked_body_from_the_client_is_a_400_not_an_upstream_failure() {
    let up = recorder().await;
    let dir = tempdir("bad-chunks");
    let gw = gateway(TWO_ROUTES, up.addr, &dir).await;
    let bodies: [&[u8]; 4] = [
        b"zz\r\nhello\r\n0\r\n\r\n",
        b"5\nhello\n0\n\n",
        b"ffffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
        b"5\r\nhello\r\n-1\r\n\r\n",
    ];
    for (i, chunks) in bodies.iter().enumerate() {
        let mut raw =
            b"POST /public/x HTTP/1.1\r\nHost: localhost\r\nOrigin: https://evil.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                .to_vec();
        raw.extend_from_slice(chunks);
        let (status, head) = exchange(gw.local_addr(), &raw).await;
        assert_eq!(status, 400, "body {i}: {head}");
        // Still the route's CORS headers: a page reads the 400.
        assert_eq!(header(&head, "access-control-allow-origin"), Some("*"), "body {i}: {head}");
        assert_eq!(gw.idle_upstream_connections(), 0, "body {i}: the broken upstream connection was pooled");
    }
    let kind = |k| counter(&gw, "crossgate_upstream_errors_total", &[("kind", k)]);
    assert_eq!(kind("bad-request-body"), bodies.len() as u64, "{}", gw.metrics());
    assert_eq!(kind("connect"), 0, "{}", gw.metrics());
    // A well-formed request afterwards is served, on a fresh connection.
    let before = up.connections.load(Ordering::SeqCst);
    let (status, _) = exchange(gw.local_addr(), post("/public/x", "https://evil.example").as_bytes()).await;
    assert_eq!(status, 200);
    assert!(before >= 1, "the malformed bodies were streaming into an upstream connection");
    assert!(up.connections.load(Ordering::SeqCst) > before, "a closed connection was reused");
    gw.shutdown().await;
}

/// Finding 21.7: `Forwarded` and `X-Real-IP` from the client reached the
/// upstream untouched while `X-Forwarded-*` were overwritten;
/// `Transfer-Encoding: gzip, chunked` was forwarded as `chunked`, dropping a
/// coding; `Upgrade: h2c` was relayed to the upstream.
#[tokio::test]
async fn client_forwarding_headers_unknown_codings_and_h2c_upgrades_do_not_pass() {
    let up = recorder().await;
    let dir = tempdir("pass-through");
    let gw = gateway(TWO_ROUTES, up.addr, &dir).await;
    let addr = gw.local_addr();
    let raw = "GET /public/x HTTP/1.1\r\nHost: localhost\r\nForwarded: for=10.0.0.1;host=admin.internal\r\nX-Real-IP: 10.0.0.1\r\nX-Forwarded-For: 10.0.0.2\r\n\r\n";
    let (status, head) = exchange(addr, raw.as_bytes()).await;
    assert_eq!(status, 200, "{head}");
    let seen = up.seen().pop().unwrap();
    assert!(seen.all("forwarded").is_empty() && seen.all("x-real-ip").is_empty(), "{seen:?}");
    assert_eq!(seen.all("x-forwarded-for"), ["10.0.0.2, 127.0.0.1"]);

    let before = up.seen().len();
    for coding in ["gzip, chunked", "deflate,chunked", "chunked, chunked"] {
        let raw = format!(
            "POST /public/x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: {coding}\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
        );
        let (status, head) = exchange(addr, raw.as_bytes()).await;
        assert_eq!(status, 501, "{coding}: {head}");
    }
    assert_eq!(up.seen().len(), before, "refused codings reached the upstream");

    let raw = "GET /public/x HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n";
    let (status, head) = exchange(addr, raw.as_bytes()).await;
    assert_eq!(status, 200, "{head}");
    let seen = up.seen().pop().unwrap();
    assert!(seen.all("upgrade").is_empty() && seen.all("http2-settings").is_empty(), "{seen:?}");
    assert!(seen.all("connection").iter().all(|v| !v.to_ascii_lowercase().contains("upgrade")), "{seen:?}");
    gw.shutdown().await;
}
