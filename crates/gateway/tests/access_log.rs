//! The access log under attack: request-derived fields cannot forge
//! fields of their own. Its own test binary: the test installs a log
//! subscriber for its thread, and tracing's per-callsite interest cache is
//! shared with any test running beside it.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{gateway, tempdir, upstream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TWO_ROUTES: &str = r#"
allowed_hosts = ["localhost"]
[[route]]
path = "/api"
upstream = "http://{UP}"
strict = true
rule = [{ origins = ["http://localhost:3000"] }]
[[route]]
path = "/public"
upstream = "http://{UP}"
rule = [{ origins = ["*"] }]
"#;

/// A log sink for the access-log test.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `key=value` pairs of a text log line, values unquoted and unescaped.
fn fields(line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while chars.peek().is_some() {
        let key: String = chars.by_ref().take_while(|c| *c != '=' && *c != ' ').collect();
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
            chars.next();
        } else {
            value = chars.by_ref().take_while(|c| *c != ' ').collect();
        }
        out.push((key, value));
    }
    out
}

/// Finding 21.5: in the text access log an `Origin` with spaces was written
/// unquoted, so it could print a fake outcome before the real one. Every
/// request-derived field is quoted and escaped.
#[tokio::test]
async fn access_log_fields_cannot_be_forged() {
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);
    let up = upstream().await;
    let dir = tempdir("access-log");
    let gw = gateway(TWO_ROUTES, up.addr, &dir).await;
    let forged = r#"https://evil.example status=200 route=/public cors="allowed" reason=x"#;
    let raw = format!("GET /api/notes?a=%22%20b HTTP/1.1\r\nHost: localhost\r\nOrigin: {forged}\r\n\r\n");
    let mut s = TcpStream::connect(gw.local_addr()).await.unwrap();
    s.write_all(raw.as_bytes()).await.unwrap();
    let mut head = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut head)).await.unwrap().unwrap();
    let head = String::from_utf8_lossy(&head[..n]).into_owned();
    assert!(head.starts_with("HTTP/1.1 403"), "{head}");
    gw.shutdown().await;
    let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    let line =
        text.lines().find(|l| l.contains("crossgate::access")).unwrap_or_else(|| panic!("no access line in {text}"));
    let (_, rest) = line.split_once("crossgate::access: request ").unwrap();
    let fields = fields(rest);
    let value = |k: &str| -> Vec<&str> { fields.iter().filter(|(n, _)| n == k).map(|(_, v)| v.as_str()).collect() };
    assert_eq!(value("origin"), [forged], "{line}");
    assert_eq!(value("status"), ["403"], "{line}");
    assert_eq!(value("route"), ["/api"], "{line}");
    assert_eq!(value("cors"), ["rejected"], "{line}");
    assert_eq!(value("method"), ["GET"], "{line}");
    let mut keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    let before = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), before, "a field appears twice: {line}");
}
