//! The page side of a differential case: the JSON spec of its calls and the
//! runner script that makes them in a real browser, the same in every engine.

use crossgate_browser::request::{CredentialsMode, Initiator, RedirectMode, RequestMode};
use serde_json::{json, Value};

use super::emulate::Outcome;
use super::model::{Case, Env};

pub fn js_spec(env: &Env, case: &Case) -> Value {
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

pub const RUNNER: &str = r#"
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

/// What the page reported for one call (`v`, from the runner), as an
/// [`Outcome`]; `network_error` is the engine's generic `fetch()` rejection,
/// which says nothing more than `ok: false`.
pub fn page_outcome(kind: Initiator, v: &Value, network_error: &str) -> Outcome {
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
    let type_error = v["error"].as_str().filter(|e| *e != network_error).map(str::to_owned);
    Outcome {
        ok,
        type_error,
        response_type: (kind == Initiator::Fetch && ok).then(|| v["type"].as_str().unwrap_or_default().to_owned()),
        headers: if ok && matches!(kind, Initiator::Fetch | Initiator::Xhr) { headers } else { None },
        canvas_tainted: v["tainted"].as_bool(),
        webgl_refused: v["webgl"].as_bool(),
    }
}
