//! The built-in demo: its API over the gateway, its explain endpoint, and
//! headless Chromium running the page's calls from the allowed origin and
//! from one the policy does not allow.

use std::process::Stdio;
use std::time::Duration;

use bytes::Bytes;
use crossgate_demo::{Demo, Options};
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// Request bodies: complete when sent.
mod body {
    use bytes::Bytes;
    use http_body_util::Full;

    pub type Body = Full<Bytes>;

    pub fn full(bytes: impl Into<Bytes>) -> Body {
        Full::new(bytes.into())
    }

    pub fn empty() -> Body {
        Full::new(Bytes::new())
    }
}

type TestClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn client() -> TestClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// Sends a request and collects the response.
async fn send(c: &TestClient, req: Request<body::Body>) -> (StatusCode, http::HeaderMap, String) {
    let r = tokio::time::timeout(Duration::from_secs(20), c.request(req))
        .await
        .expect("timed out")
        .expect("request failed");
    let (parts, body) = r.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (parts.status, parts.headers, String::from_utf8_lossy(&bytes).into_owned())
}

use crossgate_test_support::tempdir;

/// The value of a counter in Prometheus text, summed over the series whose
/// labels include `labels`.
fn counter(text: &str, name: &str, labels: &[(&str, &str)]) -> u64 {
    text.lines()
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (n, rest) = series.split_once('{')?;
            let found: Vec<&str> = rest.strip_suffix('}')?.split(',').collect();
            (n == name && labels.iter().all(|(k, v)| found.contains(&format!("{k}=\"{v}\"").as_str())))
                .then(|| value.parse::<u64>().ok())
                .flatten()
        })
        .sum()
}

async fn start() -> (Demo, std::path::PathBuf) {
    let dir = tempdir("demo");
    let d = crossgate_demo::start(&Options { data_dir: dir.clone(), api_port: 0, front_port: 0 }).await.unwrap();
    (d, dir)
}

fn get(url: &str, origin: &str) -> Request<body::Body> {
    Request::get(url).header("origin", origin).body(body::empty()).unwrap()
}

#[tokio::test]
async fn api_crud_and_session_through_the_gateway() {
    let (d, _dir) = start().await;
    assert!(d.database.exists());
    let c = client();
    let origin = d.front_url.clone();
    // Host is `localhost:port` as a browser sends it; the client connects to 127.0.0.1.
    let api = d.api_url.replace("localhost", "127.0.0.1");
    let with_host = |r: http::request::Builder| r.header("host", d.api_url.trim_start_matches("http://"));
    let post = with_host(Request::post(format!("{api}/api/notes")))
        .header("origin", &origin)
        .header("content-type", "application/json")
        .body(body::full(r#"{"text":"from the test"}"#))
        .unwrap();
    let (s, h, text) = send(&c, post).await;
    assert_eq!(s, 201, "{text}");
    assert_eq!(h["access-control-allow-origin"], origin.as_str());
    let id = serde_json::from_str::<serde_json::Value>(&text).unwrap()["id"].as_i64().unwrap();
    let (s, _, text) = send(&c, get(&format!("{api}/api/notes"), &origin)).await;
    assert_eq!(s, 200);
    assert!(text.contains("from the test"));
    let del = with_host(Request::delete(format!("{api}/api/notes/{id}")))
        .header("origin", &origin)
        .body(body::empty())
        .unwrap();
    assert_eq!(send(&c, del).await.0, 204);
    let login =
        with_host(Request::post(format!("{api}/api/login"))).header("origin", &origin).body(body::empty()).unwrap();
    let (s, h, _) = send(&c, login).await;
    assert_eq!(s, 200);
    let cookie = h["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let me = with_host(Request::get(format!("{api}/api/me")))
        .header("origin", &origin)
        .header("cookie", &cookie)
        .body(body::empty())
        .unwrap();
    let (s, h, text) = send(&c, me).await;
    assert_eq!((s.as_u16(), h["access-control-allow-credentials"].to_str().unwrap()), (200, "true"), "{text}");
    // Strict mode: the disallowed origin's POST never reaches the API.
    let bad = with_host(Request::post(format!("{api}/api/login")))
        .header("origin", &d.other_front_url)
        .body(body::empty())
        .unwrap();
    assert_eq!(send(&c, bad).await.0, 403);
    // allowed_hosts: a rebinding name is refused.
    let rebound =
        Request::get(format!("{api}/api/notes")).header("host", "attacker.example").body(body::empty()).unwrap();
    assert_eq!(send(&c, rebound).await.0, 400);
    // The explain endpoint on the front-end origin.
    let front = d.front_url.replace("localhost", "127.0.0.1");
    let q = format!(
        "{front}/explain?origin={}&method=DELETE&path=/api/notes/1&headers=",
        d.other_front_url.replace(':', "%3A").replace('/', "%2F")
    );
    let (s, _, text) = send(&c, Request::get(q).body(body::empty()).unwrap()).await;
    assert_eq!(s, 200);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["verdict"], "blocked");
    assert_eq!(v["preflight"]["status"], 403);
    assert!(v["explanation"].as_str().unwrap().contains("never sends the DELETE"), "{v}");
    // The verdict and the message are the emulated Chromium's, against the demo's policy.
    let message = format!(
        "Access to fetch at '{}/api/notes/1' from origin '{}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        d.api_url, d.other_front_url
    );
    assert_eq!(v["console"], message.as_str(), "{v}");
    assert_eq!(v["browser"]["cors_error"], "PreflightMissingAllowOriginHeader", "{v}");
    assert_eq!(v["preflight"]["code"], "origin-not-allowed", "{v}");
    assert!(v["explanation"].as_str().unwrap().contains(&message), "{v}");
    // The allowed origin's JSON POST: preflighted, allowed by the rule.
    let q = format!(
        "{front}/explain?origin={}&method=POST&path=/api/notes&headers=content-type",
        d.front_url.replace(':', "%3A").replace('/', "%2F")
    );
    let (s, _, text) = send(&c, Request::get(q).body(body::empty()).unwrap()).await;
    assert_eq!(s, 200);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (v["verdict"].as_str(), v["preflight"]["status"].as_u64(), v["actual"]["rule_index"].as_u64()),
        (Some("allowed"), Some(204), Some(0)),
        "{v}"
    );
    assert!(v["console"].is_null(), "{v}");
    // The page passes the status its browser read: a gateway-made 502 is
    // readable because it carries the CORS headers.
    let q = format!(
        "{front}/explain?origin={}&method=GET&path=/api/offline/notes&status=502",
        d.front_url.replace(':', "%3A").replace('/', "%2F")
    );
    let (_, _, text) = send(&c, Request::get(q).body(body::empty()).unwrap()).await;
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!((v["verdict"].as_str(), v["browser"]["status"].as_u64()), (Some("allowed"), Some(502)), "{v}");
    assert!(v["explanation"].as_str().unwrap().contains("status 502"), "{v}");
    d.shutdown().await;
}

/// A raw HTTP/1.1 exchange: the status of the answer.
async fn raw_status(addr: std::net::SocketAddr, request: String) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await.unwrap().unwrap();
    String::from_utf8_lossy(&out).split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// Issue 21, finding 6: the raw API listened on a loopback port of its own
/// and accepted any `Host` and `Origin`, so a text/plain POST straight to
/// that port (from any page, or by DNS rebinding) created a note. Now it
/// answers only the gateway's `Host`, and a disallowed POST reaches it by
/// no route.
#[tokio::test]
async fn a_disallowed_post_never_reaches_the_api_not_even_at_its_own_port() {
    let (d, _dir) = start().await;
    let c = client();
    let api = d.api_url.replace("localhost", "127.0.0.1");
    let notes = || async {
        let (s, _, text) = send(&c, get(&format!("{api}/api/notes"), &d.front_url)).await;
        assert_eq!(s, 200, "{text}");
        serde_json::from_str::<serde_json::Value>(&text).unwrap().as_array().unwrap().len()
    };
    let before = notes().await;
    let port = d.api_addr.port();
    let post = |host: &str, origin: &str| {
        let body = r#"{"text":"csrf"}"#;
        format!(
            "POST /api/notes HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    // Straight to the API's port, as a page or a rebound name would send it.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "attacker.example".to_owned(),
        format!("attacker.example:{port}"),
    ] {
        for origin in ["http://attacker.example", d.other_front_url.as_str()] {
            assert_eq!(raw_status(d.api_addr, post(&host, origin)).await, 421, "Host: {host}, Origin: {origin}");
        }
    }
    // Through the gateway from the disallowed origin: strict mode's 403.
    let gw = d.gateway.local_addr();
    let gw_host = d.api_url.trim_start_matches("http://");
    assert_eq!(raw_status(gw, post(gw_host, &d.other_front_url)).await, 403);
    assert_eq!(notes().await, before, "a disallowed POST created a note");
    // The allowed origin through the gateway: created (the API reads the
    // body as JSON whatever its type).
    assert_eq!(raw_status(gw, post(gw_host, &d.front_url)).await, 201);
    assert_eq!(notes().await, before + 1);
    // The front-end answers its two names only.
    let front_port = d.front_url.rsplit(':').next().unwrap();
    let front: std::net::SocketAddr = format!("127.0.0.1:{front_port}").parse().unwrap();
    let page = |host: &str| format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    assert_eq!(raw_status(front, page(&format!("localhost:{front_port}"))).await, 200);
    assert_eq!(raw_status(front, page(&format!("127.0.0.1:{front_port}"))).await, 200);
    assert_eq!(raw_status(front, page(&format!("attacker.example:{front_port}"))).await, 421);
    d.shutdown().await;
}

/// Runs headless Chromium on `url` and returns the DOM after the page's
/// script finished (virtual time waits for its fetches), and Chromium's log
/// (with the page's console lines).
async fn chromium_dom(url: &str, profile: &std::path::Path) -> (String, String) {
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .expect("no Chromium found: run scripts/install-test-deps.sh");
    let out = tokio::time::timeout(
        Duration::from_secs(90),
        tokio::process::Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(["--enable-logging=stderr", "--v=0", "--virtual-time-budget=15000", "--dump-dom", url])
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("chromium timed out")
    .expect("chromium did not run");
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// An attribute's value in a serialized start tag, unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(tag[start..end].replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
}

/// The attributes of the `<tr data-call="id" …>` row.
fn row<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom.find(&format!("<tr data-call=\"{id}\"")).unwrap_or_else(|| panic!("no row {id} in:\n{dom}"));
    let end = dom[start..].find('>').map_or(dom.len(), |e| start + e);
    &dom[start..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_runs_the_page_from_both_origins() {
    let (d, dir) = start().await;
    let (dom, _) = chromium_dom(&format!("{}/", d.front_url), &dir.join("profile-allowed")).await;
    assert!(dom.contains("data-done=\"1\""), "the page did not finish:\n{dom}");
    for (id, status) in [
        ("simple-get", "200"),
        ("json-post", "201"),
        ("delete", "204"),
        ("login", "200"),
        ("me", "200"),
        ("offline", "502"),
    ] {
        let r = row(&dom, id);
        assert!(r.contains("data-outcome=\"ok\""), "{id} from the allowed origin: {r}");
        assert!(r.contains(&format!("data-status=\"{status}\"")), "{id}: {r}");
        assert!(r.contains("data-verdict=\"allowed\""), "{id}: {r}");
        assert!(r.contains("data-agree=\"1\""), "{id}: the emulator agrees with Chromium: {r}");
        assert!(!r.contains("data-console="), "{id}: no console message when allowed: {r}");
    }
    let (dom, log) = chromium_dom(&format!("{}/", d.other_front_url), &dir.join("profile-other")).await;

    assert!(dom.contains("data-done=\"1\""), "the page did not finish:\n{dom}");
    for id in ["simple-get", "json-post", "delete", "login", "me", "offline"] {
        let r = row(&dom, id);
        assert!(r.contains("data-outcome=\"blocked\""), "{id} from the disallowed origin: {r}");
        assert!(r.contains("data-verdict=\"blocked\""), "{id}: {r}");
        assert!(r.contains("data-agree=\"1\""), "{id}: the emulator agrees with Chromium: {r}");
        let code = if matches!(id, "json-post" | "delete") {
            "PreflightMissingAllowOriginHeader"
        } else {
            "MissingAllowOriginHeader"
        };
        assert!(r.contains(&format!("data-cors-error=\"{code}\"")), "{id}: {r}");
        // The page shows the emulator's console message: exactly the line
        // this Chromium logged for the call.
        let message = attribute(r, "data-console").unwrap_or_else(|| panic!("{id}: no console message: {r}"));
        assert!(message.starts_with("Access to fetch at '"), "{id}: {message}");
        assert!(
            log.contains(&format!("\"{message}\", source: ")),
            "{id}: `{message}` is not what Chromium logged:\n{log}"
        );
    }
    assert_eq!(counter(&d.gateway.metrics(), "crossgate_preflights_answered_total", &[("status", "403")]), 2);
    d.shutdown().await;
}
