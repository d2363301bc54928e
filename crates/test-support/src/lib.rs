//! What crossgate's test suites share, so that every level (the engine, the
//! tower layer, the gateway) reads the same tables and asserts the same:
//!
//! - [`bad_inputs`]: the bad-input table (`crates/core/tests/bad_inputs.toml`)
//!   expanded into concrete requests, and the checks every level applies;
//! - [`conformance`]: the engine's conformance table
//!   (`crates/core/tests/conformance.toml`), its cases and their expected
//!   answers, for the engine and for every adapter;
//! - [`raw`]: HTTP/1.1 exchanges over a plain `TcpStream`, for bytes the
//!   `http` crate will not carry;
//! - [`alloc`]: a counting global allocator;
//! - [`cdp`]: a headless Chromium driven over the DevTools protocol.
//! - [`upstream_path`]: how the most lenient upstream resolves a path, the
//!   model for path-scope and path-normalisation tests.
//!
//! Unpublished: only the workspace's tests and benchmarks use it.

pub mod alloc;
pub mod bad_inputs;
pub mod cdp;
pub mod conformance;
pub mod raw;
pub mod upstream_path;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh, empty temporary directory for one test, named after it and
/// unique per process and call: tests write their scratch files there,
/// never into the tree.
///
/// # Panics
///
/// When the directory cannot be made.
pub fn tempdir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "crossgate-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// A Chrome-shaped HAR export of `n` cross-origin `fetch()` entries with
/// response bodies of `body` bytes; every third one is blocked (its
/// `Access-Control-Allow-Origin` names another origin). For the size and
/// speed bounds of `crossgate explain`.
pub fn generated_har(n: usize, body: usize) -> Vec<u8> {
    let text = "x".repeat(body);
    let mut out = String::with_capacity(n * (body + 900));
    out.push_str(
        r#"{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},"pages":[],"entries":["#,
    );
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        let acao = if i % 3 == 0 { "https://evil.test" } else { "https://app.test" };
        out.push_str(&format!(
            r#"{{"_resourceType":"fetch","startedDateTime":"2026-01-01T00:{:02}:{:02}.{:03}Z","time":3.5,"request":{{"method":"GET","url":"https://api.test/items/{i}","httpVersion":"HTTP/2","headers":[{{"name":":authority","value":"api.test"}},{{"name":"origin","value":"https://app.test"}},{{"name":"accept","value":"*/*"}},{{"name":"user-agent","value":"Mozilla/5.0"}}],"cookies":[],"queryString":[],"headersSize":-1,"bodySize":0}},"response":{{"status":200,"statusText":"","httpVersion":"HTTP/2","headers":[{{"name":"access-control-allow-origin","value":"{acao}"}},{{"name":"content-type","value":"application/json"}}],"cookies":[],"content":{{"size":{body},"mimeType":"application/json","text":"{text}"}},"redirectURL":"","headersSize":-1,"bodySize":-1,"_error":null}},"timings":{{"blocked":-1,"dns":-1,"ssl":-1,"connect":-1,"send":0,"wait":1,"receive":0}}}}"#,
            (i / 60_000) % 60,
            (i / 1000) % 60,
            i % 1000
        ));
    }
    out.push_str("]}}");
    out.into_bytes()
}
