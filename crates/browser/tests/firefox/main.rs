//! Differential tests against Firefox ESR: the cases the Chromium test runs
//! (`tests/shared/`), run in a real headless Firefox (Debian's
//! `firefox-esr`, driven over its built-in WebDriver BiDi endpoint) and in
//! the emulator's [`Profile::Firefox`], compared case by case: verdict,
//! response type, readable headers, whether a call threw before the network,
//! Firefox's console messages byte for byte (`log.entryAdded`), canvas
//! tainting for images, and the CORS and Fetch Metadata headers of every
//! request that reached the server (preflights and the preflight cache).
//!
//! Set `CROSSGATE_FIREFOX` to use another binary than `firefox-esr`.

mod bidi;
#[path = "../shared/mod.rs"]
mod shared;

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use crossgate_browser::request::Initiator;
use crossgate_browser::Profile;
use serde_json::{json, Value};

use shared::emulate::{emulate, Outcome};
use shared::page::{js_spec, page_outcome, RUNNER};

/// What `fetch()` rejects with on a network error (CORS failures included).
const FIREFOX_NETWORK_ERROR: &str = "TypeError: NetworkError when attempting to fetch resource.";

/// Firefox's CORS console lines start with one of these.
const CORS_PREFIXES: [&str; 2] = ["Cross-Origin Request Blocked: ", "Cross-Origin Request Warning: "];

#[test]
fn emulator_agrees_with_firefox() {
    let binary = std::env::var("CROSSGATE_FIREFOX").unwrap_or_else(|_| "firefox-esr".to_owned());
    let version = bidi::version(&binary).unwrap_or_else(|e| {
        panic!(
            "{e}: the Firefox differential test needs Debian's firefox-esr (scripts/install-test-deps.sh installs it)"
        )
    });
    println!("Firefox: {version}");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let shared::Scene { env, state, cases } = shared::Scene::start(&rt);
    let (results, webgl, events, browser_time) = rt.block_on(run_in_firefox(&binary, &env, &cases));
    println!(
        "{} cases ({} calls) ran in Firefox in {browser_time:.1?}; WebGL available: {webgl}",
        cases.len(),
        cases.iter().map(|c| c.calls.len()).sum::<usize>()
    );

    let mut messages: HashMap<usize, Vec<String>> = HashMap::new();
    for e in &events {
        if e["method"] != "log.entryAdded" {
            continue;
        }
        let text = e["params"]["text"].as_str().unwrap_or_default();
        if std::env::var_os("CROSSGATE_DIFF_LOG").is_some() {
            println!("console: {text}");
        }
        if !CORS_PREFIXES.iter().any(|p| text.starts_with(p)) {
            continue;
        }
        if let Some(case) = cases.iter().find(|c| text.contains(&format!("/c/{}/", c.id))) {
            messages.entry(case.id).or_default().push(text.to_owned());
        }
    }
    let seen = state.lock().expect("state").seen.clone();
    let mut failures = Vec::new();
    let mut tally: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (case, got) in cases.iter().zip(&results) {
        let emu = emulate(&env, case, Profile::Firefox, webgl);
        for c in &emu.codes {
            *tally.entry(c.clone()).or_default() += 1;
        }
        let mut firefox: Vec<Outcome> =
            got.iter().map(|v| page_outcome(case.initiator, v, FIREFOX_NETWORK_ERROR)).collect();
        // The emulator's TypeError texts are Chromium's; Firefox words its
        // own. Whether the call threw before the network is compared.
        let mut emu_outcomes = emu.outcomes.clone();
        for o in firefox.iter_mut().chain(emu_outcomes.iter_mut()) {
            o.type_error = o.type_error.as_ref().map(|_| "threw".to_owned());
        }
        if matches!(case.initiator, Initiator::Font | Initiator::Video) {
            // The body is neither a font nor a video: only messages and
            // requests say anything.
            firefox = emu_outcomes.clone();
        }
        let mut problems = Vec::new();
        if firefox != emu_outcomes {
            problems.push(format!("outcome: firefox  {firefox:?}\n            emulator {emu_outcomes:?}"));
        }
        let ff_msgs = messages.get(&case.id).cloned().unwrap_or_default();
        // One verdict may stand for several console lines.
        let emu_msgs: Vec<String> = emu.messages.iter().flat_map(|m| m.split('\n')).map(str::to_owned).collect();
        if ff_msgs != emu_msgs {
            problems.push(format!("console: firefox {ff_msgs:#?}\n            emulator {emu_msgs:#?}"));
        }
        let ff_seen = seen.get(&case.id).cloned().unwrap_or_default();
        if ff_seen != emu.seen {
            problems.push(format!("requests: firefox  {ff_seen:?}\n            emulator {:?}", emu.seen));
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
    let _ = writeln!(
        std::io::stderr(),
        "differential: {} of {} cases agree with {version} ({} calls, {browser_time:.1?} in the browser)",
        cases.len() - failures.len(),
        cases.len(),
        cases.iter().map(|c| c.calls.len()).sum::<usize>(),
    );
    assert!(cases.len() >= 250, "only {} cases", cases.len());
    assert!(failures.is_empty(), "{} cases differ from Firefox", failures.len());
}

/// Runs every case in Firefox: the page's origin cases in the top-level
/// page, the opaque-origin ones in a sandboxed iframe holding the same
/// runner. Returns each case's call results, whether WebGL works, the BiDi
/// events and the time the calls took.
async fn run_in_firefox(
    binary: &str,
    env: &shared::model::Env,
    cases: &[shared::model::Case],
) -> (Vec<Vec<Value>>, bool, Vec<Value>, Duration) {
    let t = Duration::from_secs(30);
    let mut ff = bidi::Firefox::launch(binary).await.unwrap_or_else(|e| {
        panic!(
            "{e}: the Firefox differential test needs Debian's firefox-esr (scripts/install-test-deps.sh installs it)"
        )
    });
    ff.call("session.subscribe", json!({ "events": ["log.entryAdded"] }), t).await.expect("session.subscribe");
    let tree = ff.call("browsingContext.getTree", json!({}), t).await.expect("browsingContext.getTree");
    let context = tree["contexts"][0]["context"].as_str().expect("a top-level browsing context").to_owned();
    let page_url = format!("{}/", env.page_origin());
    ff.call("browsingContext.navigate", json!({ "context": context, "url": page_url, "wait": "complete" }), t)
        .await
        .expect("navigate");
    let eval = |expression: String| {
        json!({
            "expression": expression,
            "target": { "context": context },
            "awaitPromise": true,
            "resultOwnership": "none",
        })
    };
    let value = |r: &Value| r["result"]["value"].clone();
    let r = ff.call("script.evaluate", eval(format!("{RUNNER}; true")), t).await.expect("install runner");
    assert_eq!(r["type"], "success", "the runner did not install: {r}");
    let r = ff
        .call("script.evaluate", eval("!!document.createElement('canvas').getContext('webgl')".to_owned()), t)
        .await
        .expect("webgl probe");
    let webgl = value(&r).as_bool().unwrap_or(false);
    let specs: Vec<Value> = cases.iter().filter(|c| !c.opaque_page).map(|c| js_spec(env, c)).collect();
    let opaque_specs: Vec<Value> = cases.iter().filter(|c| c.opaque_page).map(|c| js_spec(env, c)).collect();
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
    let r = ff.call("script.evaluate", eval(make_frame), t).await.expect("sandboxed frame");
    assert_eq!(r["type"], "success", "the sandboxed frame did not load: {r}");
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
    let r = ff.call("script.evaluate", eval(expr), Duration::from_secs(120)).await.expect("run cases");
    let browser_time = started.elapsed();
    ff.drain(Duration::from_millis(500)).await;
    let raw = value(&r);
    let raw = raw.as_str().unwrap_or_else(|| panic!("no result: {r}"));
    let (main, sandboxed): (Vec<Vec<Value>>, Vec<Vec<Value>>) = serde_json::from_str(raw).expect("results");
    let (mut main, mut sandboxed) = (main.into_iter(), sandboxed.into_iter());
    let results =
        cases.iter().map(|c| if c.opaque_page { sandboxed.next() } else { main.next() }.unwrap_or_default()).collect();
    (results, webgl, std::mem::take(&mut ff.events), browser_time)
}
