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
#![allow(clippy::type_complexity)]

mod cases;
mod cdp;
mod model;
mod server;

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossgate_browser::request::{CredentialsMode, Initiator, RedirectMode, RequestMode};
use crossgate_browser::{Action, Browser, Origin, Profile, RequestInit, RequestKind, ResponseHead};
use serde_json::{json, Value};

use model::{reply, Case, Env};
use server::Seen;

/// What one call ended as, on either side.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Outcome {
    ok: bool,
    /// `Response.type` (fetch only).
    response_type: Option<String>,
    /// The exception thrown before any request (`TypeError: …`, or for
    /// XHR `SecurityError: …` / `SyntaxError: …`).
    type_error: Option<String>,
    /// Readable headers (fetch and XHR), sorted.
    headers: Option<Vec<(String, String)>>,
    /// Images: whether `drawImage` tainted a 2D canvas.
    canvas_tainted: Option<bool>,
    /// Images: whether WebGL refused the image as a texture (`None` when
    /// this Chromium has no WebGL, e.g. without a GPU).
    webgl_refused: Option<bool>,
}

struct Emulated {
    /// The emulator's failure codes (or `allowed:<type>`), for the coverage tally.
    codes: Vec<String>,
    /// (CorsError name, failed parameter) of each CORS failure.
    cors_errors: Vec<(String, String)>,
    outcomes: Vec<Outcome>,
    messages: Vec<String>,
    seen: Vec<Seen>,
}

fn header_value(headers: &[(String, String)], name: &str) -> Option<String> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
}

fn emulate(env: &Env, case: &Case, webgl: bool) -> Emulated {
    let mut browser = Browser::new(Profile::Chromium);
    let page =
        if case.opaque_page { Origin::opaque() } else { Origin::parse(&env.page_origin()).expect("page origin") };
    let mut now = Duration::ZERO;
    let mut options: HashMap<usize, usize> = HashMap::new();
    let mut out = Emulated {
        codes: Vec::new(),
        cors_errors: Vec::new(),
        outcomes: Vec::new(),
        messages: Vec::new(),
        seen: Vec::new(),
    };
    for call in &case.calls {
        now += Duration::from_millis(call.delay_ms);
        let mut url = url::Url::parse(&format!("{}{}", env.hop_url(case, 0), call.suffix)).expect("case url");
        if call.userinfo {
            let _ = url.set_username("user");
            let _ = url.set_password(Some("pass"));
        }
        let mut init = RequestInit::fetch(page.clone(), url).initiator(case.initiator).method(&call.method);
        init.headers = call.headers.clone();
        init.redirect = call.redirect;
        init.mode = call.mode;
        init.credentials = call.credentials;
        if call.body.is_some() {
            init.body = match call.body_kind {
                "params" => crossgate_browser::request::BodyKind::UrlSearchParams,
                "form" => crossgate_browser::request::BodyKind::FormData,
                "bytes" => crossgate_browser::request::BodyKind::Bytes,
                "stream" => crossgate_browser::request::BodyKind::Stream,
                k => match k.strip_prefix("blob:") {
                    Some(t) => crossgate_browser::request::BodyKind::Blob(t.to_owned()),
                    None => crossgate_browser::request::BodyKind::Text,
                },
            };
        }
        init.xhr_upload_listeners = call.upload;
        init.cache = match call.cache {
            Some("no-store") => crossgate_browser::request::CacheMode::NoStore,
            Some("reload" | "no-cache") => crossgate_browser::request::CacheMode::Reload,
            _ => crossgate_browser::request::CacheMode::Default,
        };
        if matches!(
            case.initiator,
            Initiator::Image | Initiator::Script | Initiator::Stylesheet | Initiator::ModuleScript | Initiator::Video
        ) {
            init.mode = call.crossorigin.map(|_| RequestMode::Cors);
            if case.initiator == Initiator::ModuleScript && call.crossorigin.is_none() {
                init.credentials = Some(CredentialsMode::SameOrigin);
            }
            init.credentials = match call.crossorigin {
                None if case.initiator == Initiator::ModuleScript => Some(CredentialsMode::SameOrigin),
                None => None,
                Some("use-credentials") => Some(CredentialsMode::Include),
                Some(_) => Some(CredentialsMode::SameOrigin),
            };
        }
        let mut fetch = match browser.start(init) {
            Ok(f) => f,
            Err(e) => {
                out.outcomes.push(Outcome {
                    ok: false,
                    type_error: Some(e.to_string()),
                    response_type: None,
                    headers: None,
                    canvas_tainted: None,
                    webgl_refused: None,
                });
                out.messages.extend(e.console);
                continue;
            }
        };
        let verdict = loop {
            match fetch.poll(&mut browser, now) {
                Action::Done(v) => break v,
                Action::Send(req) => {
                    let Some((_, hop)) = server::parse_path(req.url.path()) else {
                        fetch.handle_network_error("not a case URL");
                        continue;
                    };
                    out.seen.push(Seen {
                        hop,
                        method: req.method.clone(),
                        origin: header_value(&req.headers, "origin"),
                        acrm: header_value(&req.headers, "access-control-request-method"),
                        acrh: header_value(&req.headers, "access-control-request-headers"),
                        fetch_metadata: [
                            header_value(&req.headers, "sec-fetch-site"),
                            header_value(&req.headers, "sec-fetch-mode"),
                            header_value(&req.headers, "sec-fetch-dest"),
                        ],
                    });
                    let count = if req.kind == RequestKind::Preflight {
                        let n = options.entry(hop).or_default();
                        *n += 1;
                        *n - 1
                    } else {
                        0
                    };
                    let Some((status, headers, _)) = reply(env, case, hop, &req.method, count) else {
                        fetch.handle_network_error("no such hop");
                        continue;
                    };
                    let mut map = http::HeaderMap::new();
                    for (n, v) in headers {
                        if let (Ok(n), Ok(v)) =
                            (http::HeaderName::from_bytes(n.as_bytes()), http::HeaderValue::from_str(&v))
                        {
                            map.append(n, v);
                        }
                    }
                    fetch.handle_response(&mut browser, now, &ResponseHead { status, headers: map });
                }
            }
        };
        out.codes.push(match &verdict.blocked {
            Some(b) => b.code.to_owned(),
            None => format!("allowed:{}", verdict.response_type.as_str()),
        });
        if let Some(b) = &verdict.blocked {
            if let Some(e) = b.cors_error {
                out.cors_errors.push((e.name().to_owned(), b.param.clone()));
            }
            if !b.message.is_empty() {
                out.messages.push(b.message.clone());
            }
        }
        let readable = match case.initiator {
            Initiator::Fetch | Initiator::Xhr if verdict.allowed => Some(verdict.readable_headers.clone()),
            _ => None,
        };
        let canvas = crossgate_browser::verdict::canvas_use(verdict.response_type);
        let image = case.initiator == Initiator::Image && verdict.allowed;
        out.outcomes.push(Outcome {
            ok: verdict.allowed,
            type_error: None,
            response_type: (case.initiator == Initiator::Fetch && verdict.allowed)
                .then(|| verdict.response_type.as_str().to_owned()),
            headers: readable,
            canvas_tainted: image.then_some(canvas.draw_image_taints),
            webgl_refused: (image && webgl).then_some(canvas.webgl_refuses),
        });
    }
    out
}

fn js_spec(env: &Env, case: &Case) -> Value {
    let kind = match case.initiator {
        Initiator::Fetch => "fetch",
        Initiator::Xhr => "xhr",
        Initiator::Image => "img",
        Initiator::ModuleScript => "module",
        Initiator::Stylesheet => "stylesheet",
        Initiator::Font => "font",
        Initiator::Video => "video",
        _ => "script",
    };
    let calls: Vec<Value> = case
        .calls
        .iter()
        .map(|c| {
            json!({
                "delay": c.delay_ms,
                "method": c.method,
                "headers": c.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
                "credentials": c.credentials.map(|c| match c { CredentialsMode::Omit => "omit", CredentialsMode::SameOrigin => "same-origin", CredentialsMode::Include => "include" }),
                "mode": c.mode.map(|m| match m { RequestMode::Cors => "cors", RequestMode::NoCors => "no-cors", RequestMode::SameOrigin => "same-origin" }),
                "redirect": match c.redirect { RedirectMode::Follow => "follow", RedirectMode::Error => "error", RedirectMode::Manual => "manual" },
                "body": c.body,
                "crossorigin": c.crossorigin,
                "upload": c.upload,
                "userinfo": c.userinfo,
                "cache": c.cache,
                "suffix": c.suffix,
                "bodyKind": c.body_kind,
            })
        })
        .collect();
    json!({ "id": case.id, "kind": kind, "url": env.hop_url(case, 0), "calls": calls })
}

const RUNNER: &str = r#"
window.__run = async function (spec) {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const out = [];
  for (const c of spec.calls) {
    if (c.delay) await sleep(c.delay);
    out.push(await one(spec, c));
  }
  return out;
};
async function one(spec, c) {
  if (spec.kind === 'fetch') {
    const init = { method: c.method, headers: c.headers, redirect: c.redirect };
    if (c.credentials) init.credentials = c.credentials;
    if (c.mode) init.mode = c.mode;
    if (c.cache) init.cache = c.cache;
    if (c.body !== null) {
      const k = c.bodyKind;
      if (k === 'params') init.body = new URLSearchParams({ a: c.body });
      else if (k === 'form') { const f = new FormData(); f.append('a', c.body); init.body = f; }
      else if (k === 'bytes') init.body = new TextEncoder().encode(c.body).buffer;
      else if (k === 'stream') { init.body = new ReadableStream({ start(ctl) { ctl.close(); } }); init.duplex = 'half'; }
      else if (k.startsWith('blob:')) init.body = new Blob([c.body], { type: k.slice(5) });
      else init.body = c.body;
    }
    try {
      const url = (c.userinfo ? spec.url.replace('http://', 'http://user:pass@') : spec.url) + c.suffix;
      const r = await fetch(url, init);
      try { await r.text(); } catch (e) {}
      return { ok: true, type: r.type, headers: [...r.headers] };
    } catch (e) {
      return { ok: false, error: String(e) };
    }
  }
  if (spec.kind === 'xhr') {
    return await new Promise((res) => {
      const x = new XMLHttpRequest();
      try {
        x.open(c.method, c.userinfo ? spec.url.replace('http://', 'http://user:pass@') : spec.url);
        x.withCredentials = c.credentials === 'include';
        for (const [n, v] of c.headers) x.setRequestHeader(n, v);
      } catch (e) {
        return res({ ok: false, error: String(e) });
      }
      x.onload = () => res({ ok: true, headers: x.getAllResponseHeaders().split('\r\n').filter((l) => l).map((l) => { const i = l.indexOf(': '); return [l.slice(0, i), l.slice(i + 2)]; }) });
      x.onerror = () => res({ ok: false });
      if (c.upload) x.upload.onprogress = () => {};
      const k = c.bodyKind;
      if (c.body !== null && k.startsWith('blob:')) return x.send(new Blob([c.body], { type: k.slice(5) }));
      x.send(c.body);
    });
  }
  if (spec.kind === 'font') {
    // The body is not a font, so even an allowed load fails to decode: only
    // the console message and the requests are compared for fonts.
    try { await new FontFace('f' + spec.id, 'url(' + spec.url + ')').load(); return { ok: true }; } catch (e) { return { ok: false }; }
  }
  if (spec.kind === 'video') {
    // Not a real video either: compared like fonts.
    return await new Promise((res) => {
      const v = document.createElement('video');
      if (c.crossorigin) v.crossOrigin = c.crossorigin;
      v.preload = 'auto';
      v.onloadeddata = () => res({ ok: true });
      v.onerror = () => res({ ok: false });
      setTimeout(() => res({ ok: false }), 3000);
      v.src = spec.url;
      document.body.appendChild(v);
    });
  }
  if (spec.kind === 'stylesheet') {
    return await new Promise((res) => {
      const l = document.createElement('link');
      l.rel = 'stylesheet';
      if (c.crossorigin) l.crossOrigin = c.crossorigin;
      l.onload = () => res({ ok: true });
      l.onerror = () => res({ ok: false });
      l.href = spec.url;
      document.head.appendChild(l);
    });
  }
  return await new Promise((res) => {
    const el = document.createElement(spec.kind === 'img' ? 'img' : 'script');
    if (spec.kind === 'module') el.type = 'module';
    if (c.crossorigin) el.crossOrigin = c.crossorigin;
    el.onload = () => {
      if (spec.kind !== 'img') return res({ ok: true });
      const cv = document.createElement('canvas');
      cv.width = 1; cv.height = 1;
      const ctx = cv.getContext('2d');
      ctx.drawImage(el, 0, 0);
      let tainted = false;
      try { ctx.getImageData(0, 0, 1, 1); } catch (e) { tainted = true; }
      let webgl = null;
      const gl = document.createElement('canvas').getContext('webgl');
      if (gl) {
        gl.bindTexture(gl.TEXTURE_2D, gl.createTexture());
        try { gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, el); webgl = false; } catch (e) { webgl = true; }
      }
      res({ ok: true, tainted, webgl });
    };
    el.onerror = () => res({ ok: false });
    el.src = spec.url;
    document.body.appendChild(el);
  });
}
"#;

fn chromium_outcome(kind: Initiator, v: &Value) -> Outcome {
    let ok = v["ok"].as_bool().unwrap_or(false);
    let headers = v["headers"].as_array().map(|hs| {
        let mut list: Vec<(String, String)> = hs
            .iter()
            .map(|p| {
                (p[0].as_str().unwrap_or_default().to_ascii_lowercase(), p[1].as_str().unwrap_or_default().to_owned())
            })
            .collect();
        list.sort();
        list
    });
    let type_error = v["error"].as_str().filter(|e| *e != "TypeError: Failed to fetch").map(str::to_owned);
    Outcome {
        ok,
        type_error,
        response_type: (kind == Initiator::Fetch && ok).then(|| v["type"].as_str().unwrap_or_default().to_owned()),
        headers: if ok && matches!(kind, Initiator::Fetch | Initiator::Xhr) { headers } else { None },
        canvas_tainted: v["tainted"].as_bool(),
        webgl_refused: v["webgl"].as_bool(),
    }
}

#[test]
fn emulator_agrees_with_chromium() {
    let binary = std::env::var("CROSSGATE_CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let state: server::Shared = Arc::new(Mutex::new(server::State::default()));
    let (p, q) = rt.block_on(async {
        let a = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let b = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let ports = (a.local_addr().expect("addr").port(), b.local_addr().expect("addr").port());
        tokio::spawn(server::serve(a, state.clone()));
        tokio::spawn(server::serve(b, state.clone()));
        ports
    });
    let env = Env { p, q };
    let cases = cases::generate();
    {
        let mut st = state.lock().expect("state");
        st.env = Some(env.clone());
        st.cases = cases.clone();
    }
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
        let emu = emulate(&env, case, webgl);
        for c in &emu.codes {
            *tally.entry(c.clone()).or_default() += 1;
        }
        let mut chrome: Vec<Outcome> = got.iter().map(|v| chromium_outcome(case.initiator, v)).collect();
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
