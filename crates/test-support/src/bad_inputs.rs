//! Reads `bad_inputs.toml` (the bad-input table) into concrete requests, and
//! checks a response against a row's expected result. Shared by the engine
//! test, the tower layer over a socket and the gateway, so every level
//! asserts the same.

use http::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;

/// The table, as written.
pub const TABLE: &str = include_str!("../../core/tests/bad_inputs.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    policy: String,
    case: Vec<Row>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    row: u32,
    what: String,
    #[serde(default)]
    origins: Vec<String>,
    #[serde(default)]
    origin_lines: Vec<Vec<String>>,
    #[serde(default)]
    kinds: Option<Vec<String>>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    acrm: Option<Vec<String>>,
    #[serde(default)]
    acrh: Option<Vec<String>>,
    #[serde(default)]
    paths: Option<Vec<String>>,
    #[serde(default)]
    request_headers: Vec<String>,
    #[serde(default)]
    upstream: Vec<String>,
    #[serde(default)]
    upstream_status: Option<Vec<u16>>,
    #[serde(default)]
    layers: Option<usize>,
    #[serde(default)]
    vary: Option<Vec<String>>,
    #[serde(default)]
    unrepresentable: bool,
    #[serde(default)]
    raw_status: Vec<u16>,
    expect: String,
    /// Where the gateway differs by design: it decides on the normalised
    /// path, so a result word, or a status it refuses the path with.
    #[serde(default)]
    gateway: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Actual,
    Preflight,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Allow,
    Deny,
    NotCors,
}

/// What the gateway (`crossgate serve`) does with a row that it treats
/// differently from the engine: it normalises the path before routing, so it
/// decides `/api/./x` as `/api/x`, and refuses encoded separators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gateway {
    /// Decided as this result.
    Expect(Expect),
    /// Refused with this status before the policy, without CORS headers and
    /// without calling the upstream.
    Refused(u16),
}

/// One concrete request of the table.
#[derive(Clone, Debug)]
pub struct Case {
    pub row: u32,
    pub what: String,
    pub kind: Kind,
    pub method: String,
    pub path: String,
    pub origin_lines: Vec<Vec<u8>>,
    pub acrm: Option<Vec<u8>>,
    pub acrh: Option<Vec<u8>>,
    /// Other request headers: (name, value).
    pub extra: Vec<(String, Vec<u8>)>,
    /// Headers the handler sets on its response.
    pub upstream: Vec<(String, String)>,
    pub upstream_status: u16,
    pub layers: usize,
    pub vary: Option<Vec<String>>,
    pub unrepresentable: bool,
    pub raw_status: Vec<u16>,
    pub expect: Expect,
    /// `None`: the gateway gives `expect` like the engine.
    pub gateway: Option<Gateway>,
}

impl Case {
    /// A short label for failure messages.
    pub fn label(&self) -> String {
        let show = |b: &[u8]| {
            let s = String::from_utf8_lossy(b);
            if s.len() > 60 {
                format!("{}…({} bytes)", &s[..s.char_indices().nth(50).map_or(s.len(), |(i, _)| i)], b.len())
            } else {
                format!("{s:?}")
            }
        };
        let origins: Vec<_> = self.origin_lines.iter().map(|o| show(o)).collect();
        format!(
            "row {} ({}), {:?} {} {}, origin {:?}, acrm {:?}, acrh {:?}",
            self.row,
            self.what,
            self.kind,
            self.method,
            self.path,
            origins,
            self.acrm.as_deref().map(show),
            self.acrh.as_deref().map(show)
        )
    }

    /// Every request header line, in order (values may be unrepresentable).
    pub fn header_lines(&self) -> Vec<(String, Vec<u8>)> {
        let mut lines: Vec<(String, Vec<u8>)> =
            self.origin_lines.iter().map(|o| ("origin".to_owned(), o.clone())).collect();
        if let Some(m) = &self.acrm {
            lines.push(("access-control-request-method".to_owned(), m.clone()));
        }
        if let Some(h) = &self.acrh {
            lines.push(("access-control-request-headers".to_owned(), h.clone()));
        }
        lines.extend(self.extra.iter().cloned());
        lines
    }

    /// The request headers as a map, or `None` when a value is one the
    /// `http` crate refuses.
    pub fn header_map(&self) -> Option<HeaderMap> {
        let mut map = HeaderMap::new();
        for (n, v) in self.header_lines() {
            map.append(HeaderName::from_bytes(n.as_bytes()).unwrap(), HeaderValue::from_bytes(&v).ok()?);
        }
        Some(map)
    }
}

/// `\xNN` escapes and `{{N*text}}` repetitions.
pub fn expand(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("{{") {
        out.extend(unescape(&rest[..i]));
        let end = rest[i..].find("}}").expect("closing }}") + i;
        let (n, text) = rest[i + 2..end].split_once('*').expect("{{N*text}}");
        let n: usize = n.parse().expect("repeat count");
        out.extend(unescape(text).repeat(n));
        rest = &rest[end + 2..];
    }
    out.extend(unescape(rest));
    out
}

/// `\xNN` escapes let a row carry any byte.
pub fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') && i + 3 < b.len() {
            out.push(u8::from_str_radix(&s[i + 2..i + 4], 16).expect("hex escape"));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn split_header(line: &str) -> (String, Vec<u8>) {
    let (n, v) = line.split_once(':').expect("name: value");
    (n.trim().to_ascii_lowercase(), expand(v.strip_prefix(' ').unwrap_or(v)))
}

/// A row as the raw bytes of an HTTP/1.1 request to `host` (for values the
/// `http` crate will not carry), closing the connection after the answer.
pub fn raw_request(case: &Case, host: &str) -> Vec<u8> {
    let mut request =
        format!("{} {} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n", case.method, case.path).into_bytes();
    for (n, v) in case.header_lines() {
        request.extend_from_slice(n.as_bytes());
        request.extend_from_slice(b": ");
        request.extend_from_slice(&v);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    request
}

/// What a row sent as raw bytes must get: a status the row allows, no 400
/// that still reached the handler, no injected `Set-Cookie`, and at most one
/// `Access-Control-Allow-Origin`, never anything but the allowed origin.
pub fn check_raw(case: &Case, status: u16, headers: &HeaderMap, bytes: &[u8], handler_ran: bool) -> Result<(), String> {
    let acao: Vec<_> = headers.get_all("access-control-allow-origin").iter().collect();
    let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    if !case.raw_status.contains(&status)
        || (status == 400 && handler_ran)
        || headers.contains_key("set-cookie")
        || text.contains("set-cookie")
        || acao.len() > 1
        || acao.first().is_some_and(|a| *a != "https://app.example.com")
    {
        return Err(format!("{} (raw): status {status}, handler ran {handler_ran}, headers {headers:?}", case.label()));
    }
    Ok(())
}

/// The table's policy (TOML) and every request it expands to.
pub fn load() -> (String, Vec<Case>) {
    let file: File = toml::from_str(TABLE).unwrap_or_else(|e| panic!("bad_inputs.toml: {e}"));
    let mut cases = Vec::new();
    for row in &file.case {
        let word = |w: &str| match w {
            "allow" => Expect::Allow,
            "deny" => Expect::Deny,
            "not-cors" => Expect::NotCors,
            other => panic!("row {}: unknown expect {other}", row.row),
        };
        let expect = word(&row.expect);
        let gateway = row.gateway.as_deref().map(|g| match g.parse::<u16>() {
            Ok(status) => Gateway::Refused(status),
            Err(_) => Gateway::Expect(word(g)),
        });
        let mut origin_sets: Vec<Vec<Vec<u8>>> = row.origins.iter().map(|o| vec![expand(o)]).collect();
        origin_sets.extend(row.origin_lines.iter().map(|l| l.iter().map(|o| expand(o)).collect()));
        assert!(!origin_sets.is_empty(), "row {} has no origin", row.row);
        let kinds = row.kinds.clone().unwrap_or_else(|| vec!["actual".into(), "preflight".into()]);
        let paths = row.paths.clone().unwrap_or_else(|| vec!["/api/items".into()]);
        let statuses = row.upstream_status.clone().unwrap_or_else(|| vec![200]);
        for kind in &kinds {
            let kind = match kind.as_str() {
                "actual" => Kind::Actual,
                "preflight" => Kind::Preflight,
                other => panic!("row {}: unknown kind {other}", row.row),
            };
            let acrms: Vec<Option<Vec<u8>>> = match (kind, &row.acrm) {
                (Kind::Actual, _) => vec![None],
                (Kind::Preflight, None) => vec![Some(b"PUT".to_vec())],
                (Kind::Preflight, Some(list)) => list.iter().map(|m| Some(expand(m))).collect(),
            };
            let acrhs: Vec<Option<Vec<u8>>> = match &row.acrh {
                None => vec![None],
                Some(list) => list.iter().map(|h| Some(expand(h))).collect(),
            };
            let method = match kind {
                Kind::Preflight => "OPTIONS".to_owned(),
                Kind::Actual => row.method.clone().unwrap_or_else(|| "GET".into()),
            };
            for origins in &origin_sets {
                for acrm in &acrms {
                    for acrh in &acrhs {
                        for path in &paths {
                            for &status in &statuses {
                                cases.push(Case {
                                    row: row.row,
                                    what: row.what.clone(),
                                    kind,
                                    method: method.clone(),
                                    path: path.clone(),
                                    origin_lines: origins.clone(),
                                    acrm: acrm.clone(),
                                    acrh: acrh.clone(),
                                    extra: row.request_headers.iter().map(|h| split_header(h)).collect(),
                                    upstream: row
                                        .upstream
                                        .iter()
                                        .map(|h| {
                                            let (n, v) = split_header(h);
                                            (n, String::from_utf8(v).unwrap())
                                        })
                                        .collect(),
                                    upstream_status: status,
                                    layers: row.layers.unwrap_or(1),
                                    vary: row.vary.clone(),
                                    unrepresentable: row.unrepresentable,
                                    raw_status: row.raw_status.clone(),
                                    expect,
                                    gateway,
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    (file.policy, cases)
}

fn vary_tokens(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("vary")
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("").split(',').map(|t| t.trim().to_ascii_lowercase()).collect::<Vec<_>>())
        .collect()
}

/// Checks what came back for `case`: the status (the local answer's, or the
/// handler's), the response headers and whether the handler ran.
pub fn check(case: &Case, status: u16, headers: &HeaderMap, handler_called: bool) -> Result<(), String> {
    let mut problems = Vec::new();
    let mut expect = |ok: bool, what: String| {
        if !ok {
            problems.push(what);
        }
    };
    let cors: Vec<_> = headers.keys().filter(|k| k.as_str().starts_with("access-control-")).collect();
    let acao: Vec<_> = headers.get_all("access-control-allow-origin").iter().collect();
    expect(acao.len() <= 1, format!("{} ACAO lines", acao.len()));
    let vary = vary_tokens(headers);
    let vary_count = vary.iter().filter(|t| *t == "origin").count();
    expect(vary_count == 1, format!("Vary has Origin {vary_count} times: {vary:?}"));
    expect(!vary.iter().any(|t| t == "evil" || t == "*"), format!("the request's Vary was copied: {vary:?}"));
    for (n, v) in headers {
        expect(!v.as_bytes().iter().any(|&b| b == b'\r' || b == b'\n' || b == 0), format!("CR/LF/NUL in {n}"));
    }
    expect(!headers.contains_key("set-cookie"), "a Set-Cookie in the response".into());
    if let Some(exact) = &case.vary {
        let lines: Vec<_> = headers.get_all("vary").iter().map(|v| v.to_str().unwrap_or("?").to_owned()).collect();
        expect(&lines == exact, format!("Vary lines {lines:?}, expected {exact:?}"));
    }
    let origin = case.origin_lines.first().map(|o| o.as_slice()).unwrap_or(b"");
    match (case.expect, case.kind) {
        (Expect::Allow, Kind::Actual) => {
            expect(handler_called, "the handler did not run".into());
            expect(status == case.upstream_status, format!("status {status}"));
            expect(acao.first().map(|v| v.as_bytes()) == Some(origin), format!("ACAO {acao:?}"));
            expect(
                headers.get("access-control-allow-credentials").is_some_and(|v| v == "true"),
                "no ACAC: true".into(),
            );
        }
        (Expect::Allow, Kind::Preflight) => {
            expect(!handler_called, "the handler ran for a preflight".into());
            expect(status == 204, format!("status {status}"));
            expect(acao.first().map(|v| v.as_bytes()) == Some(origin), format!("ACAO {acao:?}"));
            expect(
                headers.get("access-control-allow-credentials").is_some_and(|v| v == "true"),
                "no ACAC: true".into(),
            );
            let acam = headers.get("access-control-allow-methods").map(|v| v.as_bytes());
            expect(acam == case.acrm.as_deref(), format!("ACAM {acam:?}"));
            let acah = headers.get("access-control-allow-headers").map(|v| v.as_bytes().to_vec());
            let requested = case.acrh.as_ref().map(|h| h.trim_ascii().to_vec());
            expect(acah.as_ref().map(|v| v.trim_ascii().to_vec()) == requested, format!("ACAH {acah:?}"));
            expect(headers.get("access-control-max-age").is_some_and(|v| v == "600"), "no Max-Age: 600".into());
        }
        (Expect::Deny, Kind::Actual) => {
            expect(handler_called, "the handler did not run".into());
            expect(status == case.upstream_status, format!("status {status}"));
            expect(cors.is_empty(), format!("CORS headers on a denied request: {cors:?}"));
        }
        (Expect::Deny, Kind::Preflight) => {
            expect(!handler_called, "the handler ran for a preflight".into());
            expect(status == 403, format!("status {status}"));
            expect(cors.is_empty(), format!("CORS headers on a denied preflight: {cors:?}"));
        }
        (Expect::NotCors, _) => {
            expect(handler_called, "the handler did not run".into());
            expect(acao.is_empty(), format!("ACAO {acao:?}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}:\n    {}", case.label(), problems.join("\n    ")))
    }
}
