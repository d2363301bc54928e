//! The zoo: one deliberately misconfigured server per class and several
//! correctly configured ones, in-process on 127.0.0.1 (plain and TLS with a
//! CA made here), each audited over real sockets through `--connect-to`.
//!
//! Every class is found with its id; the safe servers get nothing above
//! `info`; each probe family is shown necessary (skipping it loses the
//! class it finds); the budget holds; broken servers give clear errors.

mod servers;

use std::sync::Arc;
use std::time::Duration;

use crossgate_audit::net::{self, Client, ConnectTo, NetOptions};
use crossgate_audit::{Audit, Class, Config, Family, Report, Severity};
use servers::{pki, serve, serve_broken, serve_raw, Broken, Handler, Pki, Req, Resp};

const HOST: &str = "shop.example.com";
const APP: &str = "https://app.example.com";
const ADMIN: &str = "https://admin.example.com";
const PORTAL: &str = "https://portal.example.com";

fn host_of(origin: &str) -> &str {
    let rest = origin.split_once("://").map_or(origin, |(_, r)| r);
    rest.split([':', '/']).next().unwrap_or_default()
}

/// The resource: depends on the cookie, like an account page.
fn body(req: &Req) -> String {
    format!("account of {}", req.cookie.as_deref().unwrap_or("nobody"))
}

/// A CORS layer that allows the origins `allow` says yes to, always with
/// `Vary: Origin`, and answers preflights strictly (GET and POST,
/// `content-type`).
fn cors(allow: impl Fn(&str) -> bool + Send + Sync + 'static, creds: bool) -> Handler {
    Arc::new(move |req: &Req| {
        let allowed = req.origin().filter(|o| allow(o));
        if req.is_preflight() {
            let Some(o) = allowed else { return Resp::new(403, "").h("vary", "Origin") };
            let r = Resp::new(204, "")
                .h("access-control-allow-origin", o)
                .h("access-control-allow-methods", "GET, POST")
                .h("access-control-allow-headers", "content-type")
                .h("vary", "Origin");
            return if creds { r.h("access-control-allow-credentials", "true") } else { r };
        }
        let mut r = Resp::new(200, &body(req)).h("vary", "Origin");
        if let Some(o) = allowed {
            r = r.h("access-control-allow-origin", o);
            if creds {
                r = r.h("access-control-allow-credentials", "true");
            }
        }
        r
    })
}

fn fixed(headers: &'static [(&'static str, &'static str)]) -> Handler {
    Arc::new(move |req: &Req| {
        let mut r = Resp::new(if req.is_preflight() { 204 } else { 200 }, &body(req));
        for (n, v) in headers {
            r = r.h(n, v);
        }
        r
    })
}

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A router that resolves paths loosely (decoding, case, slashes, matrix
/// parameters, dot segments).
fn route(raw: &str) -> String {
    let path = pct_decode(raw.split('?').next().unwrap_or_default()).to_ascii_lowercase();
    let mut segs: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        let seg = seg.split(';').next().unwrap_or_default();
        match seg {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    format!("/{}", segs.join("/"))
}

/// The account resource behind the loose router, with the CORS rule chosen
/// on the raw path (`on_raw`) or on the routed one.
fn routed(on_raw: bool) -> Handler {
    let strict = cors(|o| o == APP, true);
    let loose = cors(|_| true, true);
    Arc::new(move |req: &Req| {
        let routed = route(&req.raw_path);
        let key = if on_raw { req.raw_path.split('?').next().unwrap_or_default().to_owned() } else { routed.clone() };
        let layer = if key == "/api/account" { &strict } else { &loose };
        let mut r = layer(req);
        if routed != "/api/account" && !req.is_preflight() {
            r.status = 404;
            r.body = "not found".into();
        }
        r
    })
}

enum Server {
    Hyper(Handler),
    Raw(fn(Option<&[u8]>) -> Vec<u8>),
}

struct Case {
    name: &'static str,
    https: bool,
    host: &'static str,
    path: &'static str,
    trusted: &'static [&'static str],
    server: Server,
    /// Classes that must be found, with their least severity.
    expect: &'static [(Class, Severity)],
    /// Other classes this server may show (the same bug seen by another
    /// family).
    also: &'static [Class],
}

fn misconfigured() -> Vec<Case> {
    use Class::*;
    use Severity::*;
    let own = |https: bool| if https { "https://shop.example.com" } else { "http://shop.example.com" };
    vec![
        Case {
            name: "reflect",
            https: true,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(cors(|_| true, true)),
            expect: &[(ReflectAny, High)],
            also: &[],
        },
        Case {
            name: "null",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(cors(|o| o == APP || o == "null", true)),
            expect: &[(NullTrusted, High)],
            also: &[],
        },
        Case {
            name: "null-as-deny",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(Arc::new(|req: &Req| {
                let r = Resp::new(200, &body(req)).h("vary", "Origin");
                match req.origin() {
                    Some(o) if o == APP => {
                        r.h("access-control-allow-origin", o).h("access-control-allow-credentials", "true")
                    }
                    Some(_) => r.h("access-control-allow-origin", "null").h("access-control-allow-credentials", "true"),
                    None => r,
                }
            })),
            expect: &[(NullAsDeny, High)],
            also: &[],
        },
        Case {
            name: "prefix",
            https: true,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(cors(move |o| o.starts_with(own(true)), true)),
            expect: &[(PrefixMatch, High)],
            also: &[],
        },
        Case {
            name: "suffix",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(cors(|o| host_of(o).ends_with("example.com"), true)),
            expect: &[(SuffixMatch, High)],
            also: &[],
        },
        Case {
            name: "substring-reverse",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(cors(|o| "http://shop.example.com https://app.example.com".contains(o), true)),
            expect: &[(SubstringReverse, High)],
            also: &[],
        },
        Case {
            name: "substring-contains",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(cors(|o| o.contains(HOST), true)),
            expect: &[(SubstringContains, High)],
            also: &[],
        },
        Case {
            name: "unescaped-dot",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(cors(
                |o| {
                    let p = "http://shop.example.com";
                    o.len() == p.len() && o.bytes().zip(p.bytes()).all(|(a, b)| a == b || b == b'.')
                },
                true,
            )),
            expect: &[(UnescapedDot, High)],
            also: &[],
        },
        Case {
            name: "special-chars",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(cors(
                move |o| {
                    o == own(false)
                        || o.strip_prefix(own(false))
                            .and_then(|r| r.bytes().next())
                            .is_some_and(|b| !(b.is_ascii_alphanumeric() || b == b'.' || b == b'-'))
                },
                true,
            )),
            expect: &[(SpecialChars, High)],
            also: &[],
        },
        Case {
            name: "percent-decode",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(Arc::new(move |req: &Req| {
                let r = Resp::new(200, &body(req)).h("vary", "Origin");
                let Some(o) = req.origin() else { return r };
                let decoded = pct_decode(o);
                let rest = decoded.strip_prefix("http://").unwrap_or_default();
                let host: String =
                    rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-').collect();
                if host == HOST {
                    r.h("access-control-allow-origin", &decoded).h("access-control-allow-credentials", "true")
                } else {
                    r
                }
            })),
            expect: &[(PercentDecode, Low), (SpecialChars, High)],
            also: &[],
        },
        Case {
            name: "any-subdomain",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(cors(
                |o| {
                    let h = host_of(o);
                    h == "example.com" || h.ends_with(".example.com")
                },
                true,
            )),
            expect: &[(AnySubdomain, Low)],
            also: &[],
        },
        Case {
            name: "http-origin",
            https: true,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(cors(|o| o == APP || o == "http://shop.example.com", true)),
            expect: &[(HttpOrigin, Medium)],
            also: &[],
        },
        Case {
            name: "third-party",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(cors(|o| o == APP || host_of(o).ends_with(".github.io"), true)),
            expect: &[(ThirdParty, High)],
            also: &[],
        },
        Case {
            name: "dev-origins",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(cors(|o| o == APP || o == "http://localhost:3000", true)),
            expect: &[(DevOrigins, Low)],
            also: &[],
        },
        Case {
            name: "localhost-regex",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(cors(
                |o| o.starts_with("http://localhost") || o.starts_with("https://localhost"),
                true,
            )),
            expect: &[(LocalhostRegex, High)],
            also: &[DevOrigins],
        },
        Case {
            name: "wildcard-sensitive",
            https: false,
            host: "wiki.corp.internal",
            path: "/pages",
            trusted: &[],
            server: Server::Hyper(fixed(&[("access-control-allow-origin", "*")])),
            expect: &[(WildcardSensitive, Medium)],
            also: &[],
        },
        Case {
            name: "wildcard-credentials",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(fixed(&[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-credentials", "true"),
            ])),
            expect: &[(WildcardCredentials, Low)],
            also: &[],
        },
        Case {
            name: "missing-vary",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[APP],
            server: Server::Hyper(Arc::new(|req: &Req| {
                let r = Resp::new(200, &body(req));
                if req.origin() == Some(APP) {
                    r.h("access-control-allow-origin", APP).h("access-control-allow-credentials", "true")
                } else {
                    r
                }
            })),
            expect: &[(MissingVary, Low)],
            also: &[],
        },
        Case {
            name: "missing-vary-cached",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[APP],
            server: Server::Hyper({
                // A cache in front that keys on the URL alone, for URLs with a query.
                let cache: Arc<std::sync::Mutex<std::collections::HashMap<String, Resp>>> = Arc::default();
                Arc::new(move |req: &Req| {
                    let mut c = cache.lock().unwrap();
                    if req.raw_path.contains('?') {
                        if let Some(hit) = c.get(&req.raw_path) {
                            return hit.clone().h("age", "1");
                        }
                    }
                    let mut r = Resp::new(200, &body(req)).h("cache-control", "public, max-age=60");
                    if req.origin() == Some(APP) {
                        r = r.h("access-control-allow-origin", APP).h("access-control-allow-credentials", "true");
                    }
                    if req.raw_path.contains('?') {
                        c.insert(req.raw_path.clone(), r.clone());
                    }
                    r
                })
            }),
            expect: &[(MissingVary, Medium)],
            also: &[],
        },
        Case {
            name: "preflight-permissive",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper({
                let get = cors(|o| o == APP, true);
                Arc::new(move |req: &Req| {
                    if !req.is_preflight() {
                        return get(req);
                    }
                    let mut r = Resp::new(204, "")
                        .h("access-control-allow-origin", req.origin().unwrap_or("*"))
                        .h("access-control-allow-credentials", "true");
                    if let Some(m) = &req.acrm {
                        r = r.h("access-control-allow-methods", m);
                    }
                    if let Some(h) = &req.acrh {
                        r = r.h("access-control-allow-headers", h);
                    }
                    r
                })
            }),
            expect: &[(PreflightPermissive, High)],
            also: &[],
        },
        Case {
            name: "pna-granted",
            https: false,
            host: "printer.lan",
            path: "/status",
            trusted: &[],
            server: Server::Hyper({
                let get = cors(|o| o == PORTAL, false);
                Arc::new(move |req: &Req| {
                    if req.is_preflight() && req.acrpn {
                        return Resp::new(204, "")
                            .h("access-control-allow-origin", req.origin().unwrap_or("*"))
                            .h("access-control-allow-methods", "GET")
                            .h("access-control-allow-private-network", "true");
                    }
                    get(req)
                })
            }),
            expect: &[(PnaGranted, Medium)],
            also: &[],
        },
        Case {
            name: "invalid-acao",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(fixed(&[
                ("access-control-allow-origin", "https://app.example.com https://admin.example.com"),
                ("access-control-allow-credentials", "true"),
            ])),
            expect: &[(InvalidAcao, Low)],
            also: &[],
        },
        Case {
            name: "header-injection",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Raw(|origin| match origin {
                // The check reads up to the first CR; the echo copies it all.
                Some(o) if o.split(|b| *b == b'\r').next() == Some(b"http://shop.example.com".as_slice()) => {
                    [b"Access-Control-Allow-Origin: ".as_slice(), o, b"\r\nAccess-Control-Allow-Credentials: true\r\n"]
                        .concat()
                }
                _ => Vec::new(),
            }),
            expect: &[(HeaderInjection, Medium)],
            also: &[],
        },
        Case {
            name: "duplicate-origin",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(Arc::new(|req: &Req| {
                let r = Resp::new(200, &body(req)).h("vary", "Origin");
                // Checks the first Origin, echoes the last.
                match (req.origins.first(), req.origins.last()) {
                    (Some(first), Some(last)) if first == "http://shop.example.com" || first == APP => {
                        r.h("access-control-allow-origin", last).h("access-control-allow-credentials", "true")
                    }
                    _ => r,
                }
            })),
            expect: &[(DuplicateOrigin, Medium)],
            also: &[],
        },
        Case {
            name: "path-scoped",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(routed(true)),
            expect: &[(PathScoped, High)],
            also: &[],
        },
    ]
}

fn safe() -> Vec<Case> {
    use Class::*;
    use Severity::*;
    vec![
        Case {
            name: "exact allow-list",
            https: true,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(cors(|o| o == APP || o == ADMIN, true)),
            expect: &[],
            also: &[],
        },
        Case {
            name: "* on public data",
            https: false,
            host: HOST,
            path: "/api/catalog",
            trusted: &[],
            server: Server::Hyper(fixed(&[("access-control-allow-origin", "*")])),
            expect: &[(Wildcard, Info)],
            also: &[],
        },
        Case {
            name: "no CORS at all",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(fixed(&[])),
            expect: &[],
            also: &[],
        },
        Case {
            name: "strict preflight",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[APP],
            server: Server::Hyper(cors(|o| o == APP, true)),
            expect: &[],
            also: &[],
        },
        Case {
            name: "anchored regex",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(cors(
                |o| {
                    o.strip_prefix("https://")
                        .and_then(|h| h.strip_suffix(".example.com"))
                        .is_some_and(|l| l == "app" || l == "admin")
                },
                true,
            )),
            expect: &[],
            also: &[],
        },
        Case {
            name: "static single origin",
            https: true,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(fixed(&[
                ("access-control-allow-origin", "https://app.example.com"),
                ("access-control-allow-credentials", "true"),
            ])),
            expect: &[],
            also: &[],
        },
        Case {
            name: "reflection without credentials on public data",
            https: false,
            host: HOST,
            path: "/api/catalog",
            trusted: &[],
            server: Server::Hyper(cors(|_| true, false)),
            expect: &[(ReflectAny, Info)],
            also: &[],
        },
        Case {
            name: "PNA granted only to a portal",
            https: false,
            host: "printer.lan",
            path: "/status",
            trusted: &[PORTAL],
            server: Server::Hyper({
                let get = cors(|o| o == PORTAL, false);
                Arc::new(move |req: &Req| {
                    if req.is_preflight() && req.acrpn {
                        return if req.origin() == Some(PORTAL) {
                            Resp::new(204, "")
                                .h("access-control-allow-origin", PORTAL)
                                .h("access-control-allow-private-network", "true")
                                .h("vary", "Origin")
                        } else {
                            Resp::new(403, "").h("vary", "Origin")
                        };
                    }
                    get(req)
                })
            }),
            expect: &[],
            also: &[],
        },
        Case {
            name: "path rules on the normalised path",
            https: false,
            host: HOST,
            path: "/api/account",
            trusted: &[],
            server: Server::Hyper(routed(false)),
            expect: &[],
            also: &[],
        },
    ]
}

struct Zoo {
    pki: Pki,
    ca_file: std::path::PathBuf,
}

impl Zoo {
    fn new() -> Zoo {
        let pki = pki(&[HOST, "wiki.corp.internal", "printer.lan"]);
        let ca_file = std::env::temp_dir().join(format!(
            "crossgate-zoo-ca-{}-{:?}.pem",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::write(&ca_file, &pki.ca_pem).expect("CA file");
        Zoo { pki, ca_file }
    }
}

impl Drop for Zoo {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.ca_file);
    }
}

struct Run {
    report: Report,
    requests_seen: usize,
    methods: Vec<String>,
}

async fn audit(zoo: &Zoo, case: &Case, tweak: impl FnOnce(&mut Config)) -> Run {
    let running = match &case.server {
        Server::Hyper(h) => serve(Arc::clone(h), case.https.then(|| zoo.pki.acceptor.clone())).await,
        Server::Raw(f) => serve_raw(*f).await,
    };
    let scheme = if case.https { "https" } else { "http" };
    let default_port = if case.https { 443 } else { 80 };
    let url = format!("{scheme}://{}{}", case.host, case.path);
    let mut config = Config::new(&url, "zoo1");
    config.trusted = case.trusted.iter().map(|s| (*s).to_owned()).collect();
    config.session = true;
    tweak(&mut config);
    let audit = Audit::new(config).expect("config");
    let client = Client::new(NetOptions {
        connect_to: vec![
            ConnectTo::parse(&format!("{}:{default_port}:127.0.0.1:{}", case.host, running.addr.port())).unwrap()
        ],
        cacert: Some(zoo.ca_file.clone()),
        cookie: Some("session=zoo".into()),
        timeout: Duration::from_secs(5),
        ..NetOptions::default()
    })
    .expect("client");
    let report = net::run(audit, &client, 0.0).await;
    let requests_seen = running.requests.load(std::sync::atomic::Ordering::SeqCst);
    let methods = running.methods.lock().unwrap().clone();
    Run { report, requests_seen, methods }
}

fn summary(r: &Report) -> String {
    let mut s = String::new();
    for f in &r.findings {
        s.push_str(&format!("\n  {} {} {} — {}", f.severity, f.class, f.origin, f.proof));
    }
    if let Some(e) = &r.error {
        s.push_str(&format!("\n  error: {e}"));
    }
    s
}

fn check_case(case: &Case, run: &Run) {
    let r = &run.report;
    assert!(r.error.is_none(), "{}: {}", case.name, summary(r));
    for (class, least) in case.expect {
        let f = r.findings.iter().find(|f| f.class == *class);
        let f = f.unwrap_or_else(|| panic!("{}: {class} not found:{}", case.name, summary(r)));
        assert!(f.severity >= *least, "{}: {class} is {} (want ≥ {least}):{}", case.name, f.severity, summary(r));
        // Every finding has its evidence, its proof-of-concept and its fix.
        assert!(
            !f.evidence.is_empty() && !f.poc.is_empty() && !f.fix.words.is_empty() && !f.proof.is_empty(),
            "{}",
            case.name
        );
        assert!(crossgate_core::Policy::from_toml(&f.fix.policy).is_ok(), "{}: {}", case.name, f.fix.policy);
        assert!(!f.evidence[0].response_headers.is_empty() || f.class == Class::PathScoped, "{}", case.name);
    }
    for f in &r.findings {
        let expected = case.expect.iter().any(|(c, _)| *c == f.class) || case.also.contains(&f.class);
        assert!(
            expected || f.severity == Severity::Info,
            "{}: unexpected {} {}:{}",
            case.name,
            f.severity,
            f.class,
            summary(r)
        );
    }
    // Safe by construction: within the budget, and only GET and OPTIONS.
    assert!(run.requests_seen <= 300 && r.requests <= 300, "{}: {} requests", case.name, r.requests);
    assert!(run.methods.iter().all(|m| m == "GET" || m == "OPTIONS"), "{}: {:?}", case.name, run.methods);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn every_class_is_found_with_its_id() {
    let rt = runtime();
    let zoo = Zoo::new();
    let cases = misconfigured();
    let mut found = std::collections::BTreeSet::new();
    rt.block_on(async {
        for case in &cases {
            let run = audit(&zoo, case, |_| {}).await;
            check_case(case, &run);
            found.extend(run.report.findings.iter().map(|f| f.class));
        }
    });
    for class in Class::ALL {
        if class != Class::Wildcard {
            assert!(found.contains(&class), "no zoo server shows {class}");
        }
    }
}

#[test]
fn safe_servers_get_nothing_above_info() {
    let rt = runtime();
    let zoo = Zoo::new();
    rt.block_on(async {
        for case in &safe() {
            let run = audit(&zoo, case, |_| {}).await;
            check_case(case, &run);
            assert!(!run.report.has_findings(), "{}:{}", case.name, summary(&run.report));
        }
    });
}

/// Each family finds something no other family finds: without it, the
/// class it is for is lost (for the cache test, the proof is).
#[test]
fn each_probe_family_is_needed() {
    use Class::*;
    let table: &[(Family, &str, Class)] = &[
        (Family::Reflect, "reflect", ReflectAny),
        (Family::Null, "null", NullTrusted),
        (Family::Prefix, "prefix", PrefixMatch),
        (Family::Suffix, "suffix", SuffixMatch),
        (Family::Substring, "substring-reverse", SubstringReverse),
        (Family::Substring, "substring-contains", SubstringContains),
        (Family::Dot, "unescaped-dot", UnescapedDot),
        (Family::Special, "special-chars", SpecialChars),
        (Family::Percent, "percent-decode", PercentDecode),
        (Family::Subdomain, "any-subdomain", AnySubdomain),
        (Family::Scheme, "http-origin", HttpOrigin),
        (Family::ThirdParty, "third-party", ThirdParty),
        (Family::Dev, "dev-origins", DevOrigins),
        (Family::LocalhostEdge, "localhost-regex", LocalhostRegex),
        (Family::Preflight, "preflight-permissive", PreflightPermissive),
        (Family::PrivateNetwork, "pna-granted", PnaGranted),
        (Family::Injection, "header-injection", HeaderInjection),
        (Family::Duplicate, "duplicate-origin", DuplicateOrigin),
        (Family::Paths, "path-scoped", PathScoped),
        (Family::Cache, "missing-vary-cached", MissingVary),
    ];
    let rt = runtime();
    let zoo = Zoo::new();
    let cases = misconfigured();
    rt.block_on(async {
        for (family, name, class) in table {
            let case = cases.iter().find(|c| c.name == *name).expect("case");
            let with = audit(&zoo, case, |_| {}).await;
            let without = audit(&zoo, case, |c| c.skip.push(*family)).await;
            let sev = |r: &Report| r.findings.iter().find(|f| f.class == *class).map(|f| f.severity);
            assert!(sev(&with.report).is_some(), "{name}: {class} not found with {family}");
            if *family == Family::Cache {
                assert_eq!(sev(&with.report), Some(Severity::Medium), "{name}:{}", summary(&with.report));
                assert_eq!(sev(&without.report), Some(Severity::Low), "{name}:{}", summary(&without.report));
            } else {
                assert_eq!(
                    sev(&without.report),
                    None,
                    "{name}: {class} still found without {family}:{}",
                    summary(&without.report)
                );
            }
            assert!(without.report.notes.iter().any(|n| n.contains(family.as_str())));
        }
    });
}

#[test]
fn the_budget_is_respected() {
    let rt = runtime();
    let zoo = Zoo::new();
    let reflect = misconfigured().into_iter().find(|c| c.name == "reflect").unwrap();
    rt.block_on(async {
        let run = audit(&zoo, &reflect, |c| c.max_requests = 40).await;
        assert_eq!(run.requests_seen, 40);
        assert_eq!(run.report.requests, 40);
        assert!(run.report.notes.iter().any(|n| n.contains("budget of 40")), "{:?}", run.report.notes);
        // Several paths with the default budget: never more than 300.
        let run = audit(&zoo, &reflect, |c| c.paths = ["/a", "/b", "/c", "/d"].map(String::from).to_vec()).await;
        // (The server sees fewer: its HTTP layer refuses the raw CR probes.)
        assert!(run.requests_seen <= run.report.requests && run.report.requests <= 300, "{}", run.report.requests);
        assert!(run.report.findings.iter().filter(|f| f.class == Class::ReflectAny).count() >= 3);
    });
}

#[test]
fn broken_servers_give_clear_errors() {
    let rt = runtime();
    rt.block_on(async {
        for (kind, want) in
            [(Broken::Hang, "no response within"), (Broken::Reset, "reset"), (Broken::Garbage, "not HTTP")]
        {
            let running = serve_broken(kind).await;
            let url = format!("http://127.0.0.1:{}/x", running.addr.port());
            let audit = Audit::new(Config::new(&url, "zoo1")).unwrap();
            let client =
                Client::new(NetOptions { timeout: Duration::from_millis(500), ..NetOptions::default() }).unwrap();
            let report = net::run(audit, &client, 0.0).await;
            let err = report.error.clone().unwrap_or_default();
            assert!(err.contains(want) || (matches!(kind, Broken::Reset) && err.contains("closed")), "{kind:?}: {err}");
            assert!(err.starts_with(&url), "{err}");
            assert!(report.findings.is_empty());
            assert!(report.requests <= 3, "{kind:?}: {}", report.requests);
        }
        // Nothing listening.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let audit = Audit::new(Config::new(&format!("http://127.0.0.1:{port}/"), "zoo1")).unwrap();
        let client = Client::new(NetOptions { timeout: Duration::from_secs(2), ..NetOptions::default() }).unwrap();
        let report = net::run(audit, &client, 0.0).await;
        assert!(report.error.unwrap_or_default().contains("connection refused"));
    });
}

#[test]
fn a_rate_spaces_the_requests() {
    let rt = runtime();
    let zoo = Zoo::new();
    let case = safe().into_iter().find(|c| c.name == "no CORS at all").unwrap();
    rt.block_on(async {
        let started = std::time::Instant::now();
        let running = match &case.server {
            Server::Hyper(h) => serve(Arc::clone(h), None).await,
            Server::Raw(_) => unreachable!(),
        };
        let mut config = Config::new(&format!("http://{HOST}/api/account"), "zoo1");
        config.max_requests = 6;
        let client = Client::new(NetOptions {
            connect_to: vec![ConnectTo::parse(&format!("{HOST}:80:127.0.0.1:{}", running.addr.port())).unwrap()],
            timeout: Duration::from_secs(5),
            ..NetOptions::default()
        })
        .unwrap();
        let report = net::run(Audit::new(config).unwrap(), &client, 20.0).await;
        assert_eq!(report.requests, 6);
        // Five gaps of 50 ms at least.
        assert!(started.elapsed() >= Duration::from_millis(250), "{:?}", started.elapsed());
        drop(zoo);
    });
}
