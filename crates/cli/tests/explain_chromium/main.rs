//! `crossgate explain` on HAR files recorded from a real headless Chromium
//! (Debian's `chromium`, over the DevTools protocol): a page on one loopback
//! origin makes calls that are allowed, blocked with each kind of CORS
//! error, redirected, preflighted (and served from the preflight cache), or
//! answered by a server error. The HAR is written from the Network events as
//! DevTools' export writes it, in full and sanitized; `explain` must name,
//! for every request, exactly the `CorsError` Chromium reported in
//! `Network.loadingFailed` (or none), and Chromium's console message. Then
//! the `--html` page is opened in the same Chromium: it must render with no
//! console error and show every request.
//!
//! Set `CROSSGATE_CHROMIUM` to use another binary than `chromium`.

mod record;
mod server;

use std::collections::{BTreeMap, HashMap};
use std::process::Command;
use std::time::Duration;

use crossgate_test_support::cdp::Chromium;
use serde_json::{json, Value};

/// The calls, each `[name, path, init]`, made in order by the page.
const CALLS: &str = r#"[
  ["allowed", "/api/allowed", {}],
  ["missing", "/api/missing", {}],
  ["server error", "/api/error", {}],
  ["preflight without CORS", "/api/put-nocors", {"method": "PUT"}],
  ["preflight 401", "/api/auth", {"method": "DELETE", "headers": {"Authorization": "Bearer t"}}],
  ["method not allowed", "/api/patch", {"method": "PATCH"}],
  ["header not allowed", "/api/header", {"headers": {"X-Token": "1"}}],
  ["preflight passes", "/api/put-ok", {"method": "PUT"}],
  ["preflight cache hit", "/api/put-ok", {"method": "PUT"}],
  ["redirect allowed", "/api/redirect-ok", {}],
  ["redirect to no CORS", "/api/redirect-bad", {}],
  ["preflight redirected", "/api/pf-redirect", {"method": "PUT"}],
  ["wildcard with credentials", "/api/wild", {"credentials": "include"}],
  ["origin mismatch", "/api/mismatch", {}],
  ["credentials not allowed", "/api/creds", {"credentials": "include"}],
  ["two origins", "/api/multi", {}],
  ["POST JSON to a server error", "/api/error", {"method": "POST", "headers": {"Content-Type": "application/json"}, "body": "{}"}]
]"#;

fn runner(api: &str) -> String {
    format!(
        "(async () => {{
            const out = [];
            for (const [name, path, init] of {CALLS}) {{
                try {{ const r = await fetch('{api}' + path, init); out.push([name, 'ok', r.status]); }}
                catch (e) {{ out.push([name, 'error', String(e)]); }}
            }}
            return JSON.stringify(out);
        }})()"
    )
}

fn chromium() -> Chromium {
    let binary = std::env::var("CROSSGATE_CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
    Chromium::launch(&binary)
        .unwrap_or_else(|e| panic!("{e}: this test needs Debian's chromium (scripts/install-test-deps.sh installs it)"))
}

/// What Chromium reported per request id: the `CorsError`, when it failed
/// one.
fn cors_errors(events: &[Value]) -> HashMap<String, String> {
    events
        .iter()
        .filter(|e| e["method"] == "Network.loadingFailed" && e["params"]["corsErrorStatus"].is_object())
        .map(|e| {
            let p = &e["params"];
            (
                p["requestId"].as_str().unwrap_or_default().to_owned(),
                p["corsErrorStatus"]["corsError"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Chromium's console lines (Log.entryAdded), for the messages.
fn console(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["method"] == "Log.entryAdded")
        .map(|e| e["params"]["entry"]["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn explain_names_the_errors_chromium_reported() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let port = rt.block_on(async {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = l.local_addr().expect("addr").port();
        tokio::spawn(server::serve(l, format!("http://127.0.0.1:{port}")));
        port
    });
    let page_url = format!("http://127.0.0.1:{port}/");
    let api = format!("http://localhost:{port}");
    let t = Duration::from_secs(30);
    let mut chromium = chromium();
    let version = chromium.call("Browser.getVersion", json!({}), None, t).expect("Browser.getVersion");
    println!("Chromium: {}", version["product"].as_str().unwrap_or("?"));
    let sid = chromium.open_tab(&["Network", "Log", "Page", "Runtime"], t).expect("tab");
    chromium.load(&sid, &page_url, t).expect("load the page");
    chromium.events.clear();
    let r = chromium
        .call(
            "Runtime.evaluate",
            json!({"expression": runner(&api), "awaitPromise": true, "returnByValue": true}),
            Some(&sid),
            t,
        )
        .expect("run the calls");
    let outcomes: Vec<(String, String, Value)> =
        serde_json::from_str(r["result"]["value"].as_str().expect("the runner's result")).expect("outcomes");
    // The ExtraInfo and Log events of the last calls may still be on their way.
    chromium.drain(Duration::from_millis(800));
    let events = chromium.events.clone();
    let reported = cors_errors(&events);
    let lines = console(&events);
    assert!(reported.len() >= 10, "Chromium reported only {reported:?}");

    let dir = crossgate_test_support::tempdir("explain-chromium");
    let mut html_pages = Vec::new();
    for sanitized in [false, true] {
        let rec = record::har(&events, &page_url, sanitized);
        let path = dir.join(if sanitized { "sanitized.har" } else { "full.har" });
        std::fs::write(&path, serde_json::to_vec_pretty(&rec.har).expect("json")).expect("write the HAR");
        let html = dir.join(if sanitized { "sanitized.html" } else { "full.html" });
        let o = Command::new(env!("CARGO_BIN_EXE_crossgate"))
            .args(["explain", "--json", "--html"])
            .arg(&html)
            .arg(&path)
            .output()
            .expect("run crossgate explain");
        assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
        let v: Value = serde_json::from_slice(&o.stdout).expect("explain's JSON");
        let by_index: HashMap<u64, &Value> =
            v["requests"].as_array().expect("requests").iter().map(|r| (r["index"].as_u64().unwrap_or(0), r)).collect();
        // Every page call that Chromium made: its first entry, Chromium's
        // error, explain's.
        let mut compared = BTreeMap::new();
        for (id, first) in &rec.first_entry {
            let entry = &rec.har["log"]["entries"][*first];
            if entry["_resourceType"] != "fetch" {
                continue;
            }
            let d = by_index.get(&(*first as u64)).unwrap_or_else(|| panic!("entry {first} not diagnosed: {v}"));
            let chromium_says = reported.get(id).cloned();
            let explain_says =
                (d["verdict"] == "blocked").then(|| d["error"]["code"].as_str().unwrap_or_default().to_owned());
            assert_eq!(
                explain_says, chromium_says,
                "sanitized={sanitized} entry {first} {}: {d}",
                entry["request"]["url"]
            );
            if chromium_says.is_some() {
                let message = d["error"]["message"].as_str().unwrap_or_default();
                assert!(lines.iter().any(|l| l == message), "sanitized={sanitized}: {message:?} not in {lines:#?}");
            } else {
                assert_eq!(d["verdict"], "allowed", "{d}");
            }
            // Every preflight Chromium sent is in the file, and the second
            // PUT was a preflight-cache hit in the emulator too.
            let notes = d["inferred"].to_string();
            assert!(!notes.contains("taken as passed") && !notes.contains("did not need"), "entry {first}: {notes}");
            compared.insert(*first, explain_says.unwrap_or_else(|| "allowed".into()));
        }
        // The page's own view agrees: as many calls failed as were blocked.
        let failed = outcomes.iter().filter(|o| o.1 == "error").count();
        assert_eq!(compared.values().filter(|c| *c != "allowed").count(), failed, "{compared:?} {outcomes:?}");
        assert_eq!(compared.len(), outcomes.len(), "{compared:?}");
        // The look-alikes the scene contains.
        let findings: Vec<&str> =
            v["requests"].as_array().unwrap().iter().filter_map(|r| r["finding"]["code"].as_str()).collect();
        for want in ["hidden-server-error", "preflight-refused", "preflight-redirect", "wildcard-with-credentials"] {
            assert!(findings.contains(&want), "sanitized={sanitized}: no {want} in {findings:?}");
        }
        if !sanitized {
            println!("{} calls compared: {compared:?}", compared.len());
        }
        html_pages.push((html, v["requests"].as_array().map_or(0, Vec::len)));
    }

    // The --html page, in the same browser: it renders with no console
    // error, and shows every request.
    for (html, n) in html_pages {
        let sid = chromium.open_tab(&["Log", "Page", "Runtime"], t).expect("tab");
        chromium.events.clear();
        let url = format!("file://{}", html.display());
        chromium.load(&sid, &url, t).expect("load the report");
        chromium.drain(Duration::from_millis(300));
        let errors: Vec<&Value> = chromium
            .events
            .iter()
            .filter(|e| {
                (e["method"] == "Log.entryAdded" && e["params"]["entry"]["level"] == "error")
                    || e["method"] == "Runtime.exceptionThrown"
            })
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", html.display());
        let r = chromium
            .call(
                "Runtime.evaluate",
                json!({"expression": "[document.querySelectorAll('tr[id^=entry-]').length, document.querySelectorAll('.tl .row').length, document.body.innerText.length]", "returnByValue": true}),
                Some(&sid),
                t,
            )
            .expect("count the rows");
        let counts = &r["result"]["value"];
        assert_eq!((counts[0].as_u64(), counts[1].as_u64()), (Some(n as u64), Some(n as u64)), "{}", html.display());
        assert!(counts[2].as_u64().unwrap_or(0) > 500, "{counts}");
    }
}
