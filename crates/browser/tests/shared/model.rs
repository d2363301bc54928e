//! The differential cases: what the page does, and how the scripted server
//! answers each hop. Both the real server and the emulator's simulated
//! server answer through [`reply`], so they see identical responses.

use crossgate_browser::request::{CredentialsMode, Initiator, RedirectMode, RequestMode};

/// Which loopback origin a URL is on. The page is on `Page`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    /// `http://127.0.0.1:P`, the page's own origin.
    Page,
    /// `http://localhost:P`: same server, another origin.
    Api,
    /// `http://localhost:Q`.
    Api2,
    /// `http://127.0.0.1:Q`.
    Api3,
}

/// The origins of the run.
#[derive(Clone, Debug)]
pub struct Env {
    pub p: u16,
    pub q: u16,
}

impl Env {
    pub fn base(&self, h: Host) -> String {
        match h {
            Host::Page => format!("http://127.0.0.1:{}", self.p),
            Host::Api => format!("http://localhost:{}", self.p),
            Host::Api2 => format!("http://localhost:{}", self.q),
            Host::Api3 => format!("http://127.0.0.1:{}", self.q),
        }
    }
    pub fn page_origin(&self) -> String {
        self.base(Host::Page)
    }
    pub fn hop_url(&self, case: &Case, hop: usize) -> String {
        let host = case.hops.get(hop).map_or(Host::Api, |h| h.host);
        format!("{}/c/{}/{hop}", self.base(host), case.id)
    }
    /// Replaces `{origin}`, `{api}`, `{hopN}`, `{credhopN}` in a scripted value.
    pub fn expand(&self, case: &Case, v: &str) -> String {
        let mut out = v.replace("{origin}", &self.page_origin()).replace("{api}", &self.base(Host::Api));
        for n in 0..case.hops.len() {
            let url = self.hop_url(case, n);
            out = out.replace(&format!("{{credhop{n}}}"), &url.replacen("http://", "http://user:pass@", 1));
            out = out.replace(&format!("{{hop{n}}}"), &url);
        }
        out
    }
}

/// A scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn new(status: u16) -> Self {
        Reply { status, headers: Vec::new() }
    }
    pub fn h(mut self, n: &str, v: &str) -> Self {
        self.headers.push((n.to_owned(), v.to_owned()));
        self
    }
    pub fn acao(self, v: &str) -> Self {
        self.h("access-control-allow-origin", v)
    }
}

/// One URL of a case and how it answers.
#[derive(Clone, Debug)]
pub struct Hop {
    pub host: Host,
    /// Answers to successive `OPTIONS` requests (the last one repeats).
    pub preflight: Vec<Reply>,
    pub actual: Reply,
}

/// One call the page makes.
#[derive(Clone, Debug)]
pub struct Call {
    /// Milliseconds to wait before it (after the previous call ended).
    pub delay_ms: u64,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub credentials: Option<CredentialsMode>,
    pub mode: Option<RequestMode>,
    pub redirect: RedirectMode,
    pub body: Option<String>,
    /// Elements: the `crossorigin` attribute.
    pub crossorigin: Option<&'static str>,
    /// XHR: register an upload listener (forces a preflight).
    pub upload: bool,
    /// Put `user:pass@` in the URL.
    pub userinfo: bool,
    /// fetch's `cache` option.
    pub cache: Option<&'static str>,
    /// Appended to the case URL (a query, a fragment).
    pub suffix: &'static str,
    /// With `body`: what JS object carries it: `text` (a string, the
    /// default), `params` (URLSearchParams), `form` (FormData), `bytes`
    /// (ArrayBuffer), or `blob:<type>`.
    pub body_kind: &'static str,
}

impl Call {
    pub fn get() -> Self {
        Call {
            delay_ms: 0,
            method: "GET".into(),
            headers: Vec::new(),
            credentials: None,
            mode: None,
            redirect: RedirectMode::Follow,
            body: None,
            crossorigin: None,
            upload: false,
            userinfo: false,
            cache: None,
            suffix: "",
            body_kind: "text",
        }
    }
    pub fn method(mut self, m: &str) -> Self {
        self.method = m.to_owned();
        self
    }
    pub fn h(mut self, n: &str, v: &str) -> Self {
        self.headers.push((n.to_owned(), v.to_owned()));
        self
    }
    pub fn cred(mut self, c: CredentialsMode) -> Self {
        self.credentials = Some(c);
        self
    }
    pub fn body(mut self, b: &str) -> Self {
        self.body = Some(b.to_owned());
        self
    }
    pub fn delay(mut self, ms: u64) -> Self {
        self.delay_ms = ms;
        self
    }
}

#[derive(Clone, Debug)]
pub struct Case {
    pub id: usize,
    pub name: String,
    pub initiator: Initiator,
    pub calls: Vec<Call>,
    pub hops: Vec<Hop>,
    /// Run from a sandboxed iframe (an opaque origin, serialized `null`).
    pub opaque_page: bool,
}

/// A fixed `Date` so both sides see the same headers.
pub const DATE: &str = "Thu, 01 Jan 2026 00:00:00 GMT";

/// A complete response: status, headers, body.
pub type Answer = (u16, Vec<(String, String)>, Vec<u8>);

/// The complete response to `method` on hop `hop`, after `options_seen`
/// earlier `OPTIONS` on that hop; `None` when the hop does not exist.
pub fn reply(env: &Env, case: &Case, hop: usize, method: &str, options_seen: usize) -> Option<Answer> {
    let h = case.hops.get(hop)?;
    let r = if method == "OPTIONS" {
        h.preflight.get(options_seen).or_else(|| h.preflight.last()).cloned().unwrap_or_else(|| Reply::new(404))
    } else {
        h.actual.clone()
    };
    let (ctype, body): (&str, Vec<u8>) = match case.initiator {
        Initiator::Image => ("image/gif", GIF.to_vec()),
        Initiator::Script | Initiator::ModuleScript => ("text/javascript", b"void 0;".to_vec()),
        Initiator::Stylesheet => ("text/css", b"p{}".to_vec()),
        Initiator::Font => ("font/woff2", b"not a font".to_vec()),
        Initiator::Video => ("video/mp4", b"not a video".to_vec()),
        _ if method == "OPTIONS" => ("text/plain", Vec::new()),
        _ => ("text/plain", b"ok".to_vec()),
    };
    let mut headers: Vec<(String, String)> = r.headers.iter().map(|(n, v)| (n.clone(), env.expand(case, v))).collect();
    let has = |n: &str| r.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
    if !has("content-type") {
        headers.push(("content-type".into(), ctype.into()));
    }
    headers.push(("date".into(), DATE.into()));
    // hyper sends no Content-Length on a 204 or 304, whatever is set.
    if !matches!(r.status, 204 | 304) {
        headers.push(("content-length".into(), body.len().to_string()));
    }
    Some((r.status, headers, body))
}

/// A 1×1 transparent GIF.
pub const GIF: [u8; 43] = [
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02,
    0x02, 0x44, 0x01, 0x00, 0x3b,
];
