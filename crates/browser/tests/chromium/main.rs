//! Differential tests: hundreds of generated cases run in a real headless
//! Chromium (Debian's `chromium`, driven over the DevTools protocol) and in
//! the emulator, compared case by case: verdict, response type, readable
//! headers, `TypeError` messages, Chromium's console message, the
//! `CorsError` name and failed parameter DevTools reports (from
//! `Network.loadingFailed` and `Audits` issues), canvas tainting for images,
//! and the CORS and Fetch Metadata headers of every request that reached
//! the server (so preflights and the preflight cache are compared too).
//!
//! Fonts and videos: the served body is not a font or a video, so even an
//! allowed load fails to decode; for them only messages, CorsErrors and
//! requests are compared.
//!
//! The page is served from `http://127.0.0.1:P`; the scripted API answers on
//! `http://localhost:P`, `http://localhost:Q` and `http://127.0.0.1:Q`, four
//! distinct origins. Every case has its own URLs, so the preflight cache
//! never leaks between cases.
//!
//! Set `CROSSGATE_CHROMIUM` to use another binary than `chromium`.

mod cdp;
#[path = "../shared/mod.rs"]
mod shared;

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use crossgate_browser::request::{Initiator, RequestMode};
use crossgate_browser::Profile;
use serde_json::{json, Value};

use shared::emulate::{emulate, Outcome};
use shared::page::{js_spec, page_outcome, RUNNER};

/// What `fetch()` rejects with on a network error (CORS failures included).
const CHROMIUM_NETWORK_ERROR: &str = "TypeError: Failed to fetch";

#[test]
fn emulator_agrees_with_chromium() {
    let binary = std::env::var("CROSSGATE_CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let shared::Scene { env, state, cases } = shared::Scene::start(&rt);
    let t = Duration::from_secs(30);
    let mut chromium = cdp::Chromium::launch(&binary).unwrap_or_else(|e| {
        panic!("{e}: the differential tests need Debian's chromium (scripts/install-test-deps.sh installs it)")
    });
    let version = chromium.call("Browser.getVersion", json!({}), None, t).expect("Browser.getVersion");
    println!(
        "Chromium: {} ({})",
        version["product"].as_str().unwrap_or("?"),
        version["revision"].as_str().unwrap_or("?")
    );
    let target = chromium.call("Target.createTarget", json!({ "url": "about:blank" }), None, t).expect("createTarget");
    let target_id = target["targetId"].as_str().expect("targetId").to_owned();
    let attached = chromium
        .call("Target.attachToTarget", json!({ "targetId": target_id, "flatten": true }), None, t)
        .expect("attachToTarget");
    let sid = attached["sessionId"].as_str().expect("sessionId").to_owned();
    let sid = Some(sid.as_str());
    chromium.call("Log.enable", json!({}), sid, t).expect("Log.enable");
    chromium.call("Audits.enable", json!({}), sid, t).expect("Audits.enable");
    chromium.call("Network.enable", json!({}), sid, t).expect("Network.enable");
    chromium.call("Page.enable", json!({}), sid, t).expect("Page.enable");
    let page_url = format!("{}/", env.page_origin());
    chromium.call("Page.navigate", json!({ "url": page_url }), sid, t).expect("navigate");
    let mut ready = false;
    for _ in 0..100 {
        let r = chromium
            .call(
                "Runtime.evaluate",
                json!({ "expression": "location.href + ' ' + document.readyState", "returnByValue": true }),
                sid,
                t,
            )
            .expect("evaluate");
        if r["result"]["value"].as_str() == Some(&format!("{page_url} complete")) {
            ready = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(ready, "the test page did not load");
    chromium.call("Runtime.evaluate", json!({ "expression": RUNNER }), sid, t).expect("install runner");
    let webgl = chromium
        .call(
            "Runtime.evaluate",
            json!({ "expression": "!!document.createElement('canvas').getContext('webgl')", "returnByValue": true }),
            sid,
            t,
        )
        .expect("webgl probe")["result"]["value"]
        .as_bool()
        .unwrap_or(false);
    println!("WebGL available: {webgl}");
    let specs: Vec<Value> = cases.iter().filter(|c| !c.opaque_page).map(|c| js_spec(&env, c)).collect();
    let opaque_specs: Vec<Value> = cases.iter().filter(|c| c.opaque_page).map(|c| js_spec(&env, c)).collect();
    // The opaque-origin cases run in a sandboxed iframe holding the same runner.
    // Chromium isolates sandboxed frames in their own process: attach to it
    // (auto-attach) and enable its Log domain too.
    chromium
        .call(
            "Target.setAutoAttach",
            json!({ "autoAttach": true, "waitForDebuggerOnStart": false, "flatten": true }),
            sid,
            t,
        )
        .expect("setAutoAttach");
    let make_frame = format!(
        "(async () => {{
            const frame = document.createElement('iframe');
            frame.sandbox = 'allow-scripts';
            frame.srcdoc = '<script>' + {runner} + 'onmessage = async (e) => {{ const r = await Promise.all(e.data.map((s) => window.__run(s))); parent.postMessage(JSON.stringify(r), \"*\"); }};</' + 'script>';
            const loaded = new Promise((r) => {{ frame.onload = r; }});
            document.body.appendChild(frame);
            await loaded;
            window.__frame = frame;
            return true;
        }})()",
        runner = serde_json::to_string(RUNNER).expect("runner"),
    );
    chromium
        .call(
            "Runtime.evaluate",
            json!({ "expression": make_frame, "awaitPromise": true, "returnByValue": true }),
            sid,
            t,
        )
        .expect("sandboxed frame");
    chromium.drain(Duration::from_millis(200));
    let children: Vec<String> = chromium
        .events
        .iter()
        .filter(|e| e["method"] == "Target.attachedToTarget")
        .filter_map(|e| e["params"]["sessionId"].as_str().map(str::to_owned))
        .collect();
    for child in &children {
        chromium.call("Log.enable", json!({}), Some(child), t).expect("Log.enable in the sandboxed frame");
        chromium.call("Audits.enable", json!({}), Some(child), t).expect("Audits.enable in the sandboxed frame");
        chromium.call("Network.enable", json!({}), Some(child), t).expect("Network.enable in the sandboxed frame");
    }
    let expr = format!(
        "(async () => {{
            const frame = window.__frame;
            const fromFrame = new Promise((r) => window.addEventListener('message', (e) => r(JSON.parse(e.data)), {{ once: true }}));
            frame.contentWindow.postMessage({opaque}, '*');
            const [main, sandboxed] = await Promise.all([Promise.all({specs}.map((s) => window.__run(s))), fromFrame]);
            return JSON.stringify([main, sandboxed]);
        }})()",
        opaque = serde_json::to_string(&opaque_specs).expect("specs"),
        specs = serde_json::to_string(&specs).expect("specs"),
    );
    let started = std::time::Instant::now();
    let result = chromium
        .call(
            "Runtime.evaluate",
            json!({ "expression": expr, "awaitPromise": true, "returnByValue": true }),
            sid,
            Duration::from_secs(240),
        )
        .expect("run cases");
    chromium.drain(Duration::from_millis(500));
    let raw = result["result"]["value"].as_str().unwrap_or_else(|| panic!("no result: {result}"));
    let (main, sandboxed): (Vec<Vec<Value>>, Vec<Vec<Value>>) = serde_json::from_str(raw).expect("results");
    let (mut main, mut sandboxed) = (main.into_iter(), sandboxed.into_iter());
    let results: Vec<Vec<Value>> =
        cases.iter().map(|c| if c.opaque_page { sandboxed.next() } else { main.next() }.unwrap_or_default()).collect();
    let browser_time = started.elapsed();
    println!(
        "{} cases ({} calls) ran in Chromium in {browser_time:.1?}",
        cases.len(),
        cases.iter().map(|c| c.calls.len()).sum::<usize>()
    );

    // Chromium's CORS console messages, by case.
    // DevTools' CorsIssue names the CorsError (and its failed parameter).
    // Renderer-side failures come as Audits issues; network-service ones as
    // `Network.loadingFailed` with a `corsErrorStatus`.
    let mut issues: HashMap<usize, Vec<(String, String)>> = HashMap::new();
    let mut request_urls: HashMap<String, String> = HashMap::new();
    for e in &chromium.events {
        let p = &e["params"];
        if e["method"] == "Network.requestWillBeSent" {
            if let (Some(id), Some(url)) = (p["requestId"].as_str(), p["request"]["url"].as_str()) {
                request_urls.insert(id.to_owned(), url.to_owned());
            }
        }
        if e["method"] == "Network.loadingFailed" && p["corsErrorStatus"].is_object() {
            let url = p["requestId"].as_str().and_then(|id| request_urls.get(id)).cloned().unwrap_or_default();
            if let Some(case) = cases.iter().find(|c| url.contains(&format!("/c/{}/", c.id))) {
                issues.entry(case.id).or_default().push((
                    p["corsErrorStatus"]["corsError"].as_str().unwrap_or_default().to_owned(),
                    p["corsErrorStatus"]["failedParameter"].as_str().unwrap_or_default().to_owned(),
                ));
            }
        }
    }
    for e in &chromium.events {
        if std::env::var_os("CROSSGATE_DIFF_LOG").is_some() && e["method"] == "Audits.issueAdded" {
            println!("issue: {}", e["params"]);
        }
        if e["method"] != "Audits.issueAdded" || e["params"]["issue"]["code"] != "CorsIssue" {
            continue;
        }
        let d = &e["params"]["issue"]["details"]["corsIssueDetails"];
        let url = d["request"]["url"].as_str().unwrap_or_default();
        if let Some(case) = cases.iter().find(|c| url.contains(&format!("/c/{}/", c.id))) {
            let status = &d["corsErrorStatus"];
            issues.entry(case.id).or_default().push((
                status["corsError"].as_str().unwrap_or_default().to_owned(),
                status["failedParameter"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    let mut messages: HashMap<usize, Vec<String>> = HashMap::new();
    for e in &chromium.events {
        if e["method"] != "Log.entryAdded" {
            continue;
        }
        let text = e["params"]["entry"]["text"].as_str().unwrap_or_default();
        if std::env::var_os("CROSSGATE_DIFF_LOG").is_some() {
            println!("console: {text}");
        }
        if !(text.contains("has been blocked by CORS policy")
            || text.starts_with("Fetch API cannot load")
            || text.starts_with("Unsafe attempt to load URL"))
        {
            continue;
        }
        if let Some(case) = cases.iter().find(|c| text.contains(&format!("/c/{}/", c.id))) {
            messages.entry(case.id).or_default().push(text.to_owned());
        }
    }
    let seen = state.lock().expect("state").seen.clone();
    if std::env::var_os("CROSSGATE_DIFF_LOG").is_some() {
        println!("server saw for case 0: {:?}", seen.get(&0));
    }
    let mut failures = Vec::new();
    let mut tally: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (case, got) in cases.iter().zip(&results) {
        let emu = emulate(&env, case, Profile::Chromium, webgl);
        for c in &emu.codes {
            *tally.entry(c.clone()).or_default() += 1;
        }
        let mut chrome: Vec<Outcome> =
            got.iter().map(|v| page_outcome(case.initiator, v, CHROMIUM_NETWORK_ERROR)).collect();
        if matches!(case.initiator, Initiator::Font | Initiator::Video) {
            // See the runner: a font's outcome is its console message.
            chrome = emu.outcomes.clone();
        }
        let mut emu_seen = emu.seen.clone();
        let streamed = case.calls.iter().any(|c| c.body_kind == "stream" && c.mode != Some(RequestMode::NoCors));
        if streamed && emu.messages.is_empty() {
            // Chromium streams uploads only over HTTP/2 or QUIC: after the
            // preflight, the upload itself fails on this HTTP/1.1 server
            // (net::ERR_H2_OR_QUIC_REQUIRED) — transport, not CORS. Only the
            // preflight is compared.
            emu_seen.retain(|s| s.method == "OPTIONS");
            let failed = vec![Outcome {
                ok: false,
                type_error: None,
                response_type: None,
                headers: None,
                canvas_tainted: None,
                webgl_refused: None,
            }];
            if chrome == failed {
                chrome = emu.outcomes.clone();
            }
        }
        let mut problems = Vec::new();
        if chrome != emu.outcomes {
            problems.push(format!("outcome: chromium {chrome:?}\n            emulator {:?}", emu.outcomes));
        }
        let mut chrome_issues = issues.get(&case.id).cloned().unwrap_or_default();
        chrome_issues.sort();
        chrome_issues.dedup();
        let mut emu_issues = emu.cors_errors.clone();
        emu_issues.sort();
        emu_issues.dedup();
        if chrome_issues != emu_issues {
            problems.push(format!("CorsError: chromium {chrome_issues:?}\n            emulator {emu_issues:?}"));
        }
        let chrome_msgs = messages.get(&case.id).cloned().unwrap_or_default();
        if chrome_msgs != emu.messages {
            problems.push(format!("console: chromium {chrome_msgs:#?}\n            emulator {:#?}", emu.messages));
        }
        let chrome_seen = seen.get(&case.id).cloned().unwrap_or_default();
        if chrome_seen != emu_seen {
            problems.push(format!("requests: chromium {chrome_seen:?}\n            emulator {emu_seen:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!("case {} `{}`:\n  {}", case.id, case.name, problems.join("\n  ")));
        }
    }
    for f in &failures {
        println!("{f}\n");
    }
    println!("outcomes covered (calls): {tally:?}");
    println!("{} of {} cases agree", cases.len() - failures.len(), cases.len());
    // Outside the test harness's capture, so it shows in every run.
    let _ = writeln!(
        std::io::stderr(),
        "differential: {} of {} cases agree with {} ({} calls, {:.1?} in the browser)",
        cases.len() - failures.len(),
        cases.len(),
        version["product"].as_str().unwrap_or("Chromium ?"),
        cases.iter().map(|c| c.calls.len()).sum::<usize>(),
        browser_time,
    );
    assert!(cases.len() >= 250, "only {} cases", cases.len());
    assert!(failures.is_empty(), "{} cases differ from Chromium", failures.len());
}
