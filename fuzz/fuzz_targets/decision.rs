//! Whole-policy decisions on arbitrary requests.
//!
//! The input is either a seed in text form (`T\n` + policy TOML + `----` +
//! request line and headers + `----` + inner response headers, extracted from
//! the conformance table) or arbitrary bytes from which a policy and a request
//! are derived. Either way every invariant in `crossgate_fuzz::run` is checked,
//! plus the differential `Vary` check against other origins.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use crossgate_core::{Mode, Policy, PolicyConfig, RuleConfig, UpstreamCorsHeaders};
use crossgate_fuzz::{check_vary, run, Exchange};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use libfuzzer_sys::fuzz_target;

const PATTERNS: &[&str] = &[
    "https://app.example.com",
    "https://*.example.com",
    "http://localhost:*",
    "*",
    "null",
    "http://[::1]:8080",
    "https://*.example.com:*",
    "http://127.0.0.1:3000",
    "https://foo.com",
    "https://bar.com",
    "https://*.github.io",
    "http://app.example.com",
    "https://a.b.example.org",
    "HTTPS://App.Example.com",
    "https://bücher.example",
];

const ORIGINS: &[&str] = &[
    "https://app.example.com",
    "https://x.example.com",
    "https://a.b.example.com",
    "https://a.b.example.com:8443",
    "https://app.example.com.evil.com",
    "https://evilexample.com",
    "https://example.com",
    "http://localhost",
    "http://localhost:3000",
    "http://localhost.evil.com:3000",
    "http://[::1]:8080",
    "http://127.0.0.1:3000",
    "https://barfoo.com",
    "https://foo.com",
    "https://bar.com",
    "https://x.github.io",
    "http://app.example.com",
    "https://app.example.com:443",
    "HTTPS://APP.EXAMPLE.COM",
    "null",
    "*",
    "",
    "https://app.example.com, https://evil.com",
    "https://xn--bcher-kva.example",
];

const METHODS: &[&str] =
    &["GET", "POST", "PUT", "DELETE", "PATCH", "patch", "OPTIONS", "HEAD", "CONNECT", "TRACE", "*", "get"];
const HEADERS: &[&str] =
    &["content-type", "x-requested-with", "authorization", "*", "x-a", "X-Custom", "x-request-id", "set-cookie"];
const PATHS: &[&str] = &[
    "/",
    "/api",
    "/api/x",
    "/api/../admin",
    "/admin",
    "/Admin",
    "/api/%2e%2e/admin",
    "/apis",
    "/a+b",
    "/api/..%2fadmin",
    "/api/%2e%2e%2Fadmin",
    "/api/..%5cadmin",
    "/api/..\\admin",
    "/api/..;/admin",
    "/api/a%2Fb",
];
const SCOPES: &[&str] = &["/api/*", "/admin", "/*", "/Admin", "/a b"];

#[derive(Arbitrary, Debug)]
enum Text {
    Pick(u8),
    Raw(String),
}

impl Text {
    fn get(&self, vocab: &[&str]) -> String {
        match self {
            Text::Pick(i) => vocab[usize::from(*i) % vocab.len()].to_owned(),
            Text::Raw(s) => s.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Bytes {
    Pick(u8),
    Join(u8, u8),
    Insert(u8, u8, u8),
    Raw(Vec<u8>),
}

impl Bytes {
    fn get(&self, vocab: &[&str]) -> Vec<u8> {
        let pick = |i: &u8| vocab[usize::from(*i) % vocab.len()].as_bytes().to_vec();
        match self {
            Bytes::Pick(i) => pick(i),
            Bytes::Join(a, b) => [pick(a), pick(b)].concat(),
            Bytes::Insert(i, at, byte) => {
                let mut v = pick(i);
                let at = usize::from(*at) % (v.len() + 1);
                v.insert(at, *byte);
                v
            }
            Bytes::Raw(v) => v.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Rule {
    origins: Vec<Text>,
    methods: Option<Vec<Text>>,
    request_headers: Vec<Text>,
    expose_headers: Vec<Text>,
    credentials: bool,
    max_age: Option<i64>,
    private_network: bool,
    paths: Option<Vec<Text>>,
    dangers: u8,
}

#[derive(Arbitrary, Debug)]
struct Input {
    rules: Vec<Rule>,
    strict: bool,
    debug: bool,
    report_only: bool,
    upstream_mode: u8,
    preflight_200: bool,
    method: Text,
    path: Text,
    origins: Vec<Bytes>,
    acrm: Vec<Bytes>,
    acrh: Vec<Bytes>,
    acrpn: Option<Bytes>,
    host: Option<Bytes>,
    upstream: Vec<(u8, Bytes)>,
    other_origin: Bytes,
}

fn texts(v: &[Text], vocab: &[&str]) -> Vec<String> {
    v.iter().take(6).map(|t| t.get(vocab)).collect()
}

fn policy_of(input: &Input) -> Option<Policy> {
    let mut config = PolicyConfig::default()
        .strict(input.strict)
        .debug(input.debug)
        .mode(if input.report_only { Mode::ReportOnly } else { Mode::Enforce })
        .upstream_cors_headers(match input.upstream_mode % 3 {
            0 => UpstreamCorsHeaders::Replace,
            1 => UpstreamCorsHeaders::Keep,
            _ => UpstreamCorsHeaders::Reject,
        })
        .preflight_status(if input.preflight_200 { 200 } else { 204 });
    for r in input.rules.iter().take(4) {
        let mut rule = RuleConfig::new(texts(&r.origins, PATTERNS))
            .request_headers(texts(&r.request_headers, HEADERS))
            .expose_headers(texts(&r.expose_headers, HEADERS))
            .credentials(r.credentials)
            .allow_private_network(r.private_network);
        if let Some(m) = &r.methods {
            rule = rule.methods(texts(m, METHODS));
        }
        if let Some(p) = &r.paths {
            rule = rule.paths(texts(p, SCOPES));
        }
        rule.max_age = r.max_age;
        rule.dangerously_allow_null_origin = r.dangers & 1 != 0;
        rule.dangerously_allow_any_origin_with_credentials = r.dangers & 2 != 0;
        rule.dangerously_allow_insecure_origins_with_credentials = r.dangers & 4 != 0;
        rule.dangerously_allow_public_suffix_subdomains = r.dangers & 8 != 0;
        config = config.rule(rule);
    }
    Policy::new(config).ok().map(|b| b.policy)
}

fn append(map: &mut HeaderMap, name: &str, value: &[u8]) {
    if let Ok(v) = HeaderValue::from_bytes(value) {
        map.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), v);
    }
}

const UPSTREAM_NAMES: &[&str] = &[
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "vary",
    "access-control-expose-headers",
    "x-request-id",
];
const UPSTREAM_VALUES: &[&str] = &["*", "https://evil.com", "true", "accept-encoding", "Origin", "x-a"];

fn exchange_of(input: &Input) -> Option<Exchange> {
    let method = Method::from_bytes(input.method.get(METHODS).as_bytes()).ok()?;
    let mut headers = HeaderMap::new();
    for o in input.origins.iter().take(3) {
        append(&mut headers, "origin", &o.get(ORIGINS));
    }
    for m in input.acrm.iter().take(2) {
        append(&mut headers, "access-control-request-method", &m.get(METHODS));
    }
    for h in input.acrh.iter().take(10) {
        append(&mut headers, "access-control-request-headers", &h.get(HEADERS));
    }
    if let Some(p) = &input.acrpn {
        append(&mut headers, "access-control-request-private-network", &p.get(&["true", "false", "TRUE"]));
    }
    if let Some(h) = &input.host {
        append(&mut headers, "host", &h.get(&["app.example.com", "127.0.0.1:3000", "localhost:3000", "[::1]:8080"]));
    }
    let mut upstream = HeaderMap::new();
    for (n, v) in input.upstream.iter().take(4) {
        append(&mut upstream, UPSTREAM_NAMES[usize::from(*n) % UPSTREAM_NAMES.len()], &v.get(UPSTREAM_VALUES));
    }
    Some(Exchange { method, path: input.path.get(PATHS), headers, upstream })
}

/// The text form of a seed: policy TOML, request, inner response headers.
fn parse_text(data: &[u8]) -> Option<(Policy, Exchange)> {
    let data = data.strip_prefix(b"T\n")?;
    let mut parts = data.split(|&b| b == 0x1e);
    let policy = std::str::from_utf8(parts.next()?).ok()?;
    let request = parts.next()?;
    let upstream = parts.next().unwrap_or(b"");
    let policy = Policy::from_toml(policy).ok()?.policy;
    let mut lines = request.split(|&b| b == b'\n');
    let line = std::str::from_utf8(lines.next()?).ok()?;
    let (method, path) = line.split_once(' ')?;
    let method = Method::from_bytes(method.as_bytes()).ok()?;
    let parse_headers = |lines: &mut dyn Iterator<Item = &[u8]>| {
        let mut map = HeaderMap::new();
        for l in lines {
            let Some(colon) = l.iter().position(|&b| b == b':') else { continue };
            let (n, v) = (&l[..colon], &l[colon + 1..]);
            let v = v.strip_prefix(b" ").unwrap_or(v);
            if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(n), HeaderValue::from_bytes(v)) {
                map.append(n, v);
            }
        }
        map
    };
    let headers = parse_headers(&mut lines);
    let upstream = parse_headers(&mut upstream.split(|&b| b == b'\n'));
    Some((policy, Exchange { method, path: path.to_owned(), headers, upstream }))
}

fuzz_target!(|data: &[u8]| {
    let (policy, ex, other) = if data.starts_with(b"T\n") {
        let Some((p, e)) = parse_text(data) else { return };
        (p, e, HeaderValue::from_static("https://other.example.net"))
    } else {
        let mut u = Unstructured::new(data);
        let Ok(input) = Input::arbitrary(&mut u) else { return };
        let Some(policy) = policy_of(&input) else { return };
        let Some(ex) = exchange_of(&input) else { return };
        let other = HeaderValue::from_bytes(&input.other_origin.get(ORIGINS))
            .unwrap_or(HeaderValue::from_static("https://other.example.net"));
        (policy, ex, other)
    };
    let first = run(&policy, &ex);
    check_vary(&policy, &ex, &first, None);
    check_vary(&policy, &ex, &first, Some(&other));
});
