//! Peers, gateways, the call matrix and the comparison.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use crossgate_browser::request::CredentialsMode;
use crossgate_browser::{Action, Browser, Origin, OutgoingRequest, Profile, RequestInit, RequestKind, ResponseHead};
use http_body_util::{BodyExt, Empty, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::exceptions::{exceptions_for, Difference};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Django,
    Flask,
    Starlette,
    Express,
    Nginx,
}

impl Dialect {
    fn name(self) -> &'static str {
        match self {
            Dialect::Django => "django",
            Dialect::Flask => "flask",
            Dialect::Starlette => "starlette",
            Dialect::Express => "express",
            Dialect::Nginx => "nginx",
        }
    }

    /// Whether a file of the fixtures directory is a fixture of this dialect.
    fn is_fixture(self, name: &str) -> bool {
        match self {
            Dialect::Express => name.ends_with(".js") || name.ends_with(".json"),
            Dialect::Nginx => name.ends_with(".conf"),
            _ => name.ends_with(".py"),
        }
    }
}

/// A process killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn peers_dir() -> PathBuf {
    std::env::var_os("CROSSGATE_PEERS_DIR").map_or_else(|| root().join("target/peers"), PathBuf::from)
}

/// The command that runs the real framework over a fixtures directory.
fn peer_command(dialect: Dialect, fixtures: &Path) -> Command {
    if dialect == Dialect::Express {
        let modules = peers_dir().join("node/node_modules");
        assert!(
            modules.join("express").exists() && modules.join("cors").exists(),
            "the express peer needs node and {} with express and cors (crates/cli/tests/peers/node/package-lock.json): run `bash scripts/install-test-deps.sh`",
            modules.display()
        );
        let mut cmd = Command::new("node");
        cmd.arg(root().join("crates/cli/tests/peers/peer.js")).arg(fixtures).env("NODE_PATH", modules);
        return cmd;
    }
    let python = peers_dir().join("venv/bin/python");
    assert!(
        python.exists(),
        "the {} peer needs the Python virtualenv {} with django, django-cors-headers, flask, flask-cors, starlette and uvicorn: run `bash scripts/install-test-deps.sh`",
        dialect.name(),
        python.display()
    );
    let mut cmd = Command::new(&python);
    cmd.arg(root().join("crates/cli/tests/peers/peer.py")).arg(dialect.name()).arg(fixtures);
    cmd
}

/// Starts the real framework; returns the process, its port and its version line.
fn start_peer(dialect: Dialect, fixtures: &Path) -> (Proc, u16, String) {
    let mut child =
        peer_command(dialect, fixtures).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap_or_else(|e| {
            panic!(
                "cannot run the {} peer (is it installed? run `bash scripts/install-test-deps.sh`): {e}",
                dialect.name()
            )
        });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut port, mut version) = (None, None);
    while port.is_none() || version.is_none() {
        let Some(Ok(line)) = lines.next() else {
            let _ = child.kill();
            panic!("the {} peer exited before it listened (is the framework installed? run `bash scripts/install-test-deps.sh`)", dialect.name());
        };
        if let Some(p) = line.strip_prefix("PORT ") {
            port = p.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix("VERSION ") {
            version = Some(v.trim().to_owned());
        }
    }
    (Proc(child), port.unwrap(), version.unwrap())
}

/// The nginx binary: on `PATH`, or where Debian's package puts it.
fn nginx_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("nginx"))
        .find(|p| p.exists());
    let found = on_path.or_else(|| Some(PathBuf::from("/usr/sbin/nginx")).filter(|p| p.exists()));
    found.unwrap_or_else(|| {
        panic!("the nginx peer needs nginx (Debian's package `nginx`): run `bash scripts/install-test-deps.sh`")
    })
}

/// A fixture as nginx runs it here: its `listen` on a loopback port, its
/// `proxy_pass` to the plain upstream; everything else as written.
fn nginx_site(text: &str, port: u16, upstream: u16) -> String {
    text.lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with("listen ") {
                format!("listen 127.0.0.1:{port};")
            } else if t.starts_with("proxy_pass ") {
                format!("proxy_pass http://127.0.0.1:{upstream};")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Starts one nginx per fixture (each has its own `map`s and `server`),
/// unprivileged: a loopback port, a temp prefix, no daemon, no master.
/// Returns the processes, each one's address, and `nginx -v`.
fn start_nginx(scratch: &Path, fixtures: &Path, names: &[String], upstream: u16) -> (Vec<Proc>, Vec<String>, String) {
    let nginx = nginx_binary();
    let version = Command::new(&nginx).arg("-v").output().expect("nginx -v");
    let version = String::from_utf8_lossy(&version.stderr).trim().replace("nginx version: ", "");
    let mut procs = Vec::new();
    let mut bases = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let prefix = scratch.join(format!("nginx-{i}"));
        std::fs::create_dir_all(&prefix).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let site = nginx_site(&std::fs::read_to_string(fixtures.join(name)).unwrap(), port, upstream);
        let p = prefix.display();
        let conf = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {p}/nginx.pid;\nerror_log stderr error;\nevents {{ worker_connections 64; }}\nhttp {{\naccess_log off;\nclient_body_temp_path {p}/body;\nproxy_temp_path {p}/proxy;\nfastcgi_temp_path {p}/fastcgi;\nuwsgi_temp_path {p}/uwsgi;\nscgi_temp_path {p}/scgi;\n{site}\n}}\n"
        );
        std::fs::write(prefix.join("nginx.conf"), conf).unwrap();
        let mut child = Command::new(&nginx)
            .arg("-p")
            .arg(&prefix)
            .arg("-e")
            .arg("stderr")
            .arg("-c")
            .arg(prefix.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", nginx.display()));
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("nginx exited ({status}) on {name}; its config is {}", prefix.join("nginx.conf").display());
            }
            assert!(Instant::now() < deadline, "nginx did not listen on {port} for {name} in 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
        procs.push(Proc(child));
        bases.push(format!("127.0.0.1:{port}"));
    }
    (procs, bases, version)
}

/// Starts `crossgate serve` with a policy in front of `upstream`.
fn start_gateway(
    dir: &Path,
    name: &str,
    policy_toml: &str,
    allowed_hosts: Option<&[String]>,
    upstream: u16,
) -> (Proc, String) {
    let policy = dir.join(format!("{name}.policy.toml"));
    std::fs::write(&policy, policy_toml).unwrap();
    let mut config = String::from("listen = \"127.0.0.1:0\"\nwatch = false\n");
    if let Some(hosts) = allowed_hosts {
        config.push_str(&format!("allowed_hosts = {}\n", toml::Value::from(hosts.to_vec())));
    }
    config.push_str(&format!(
        "[[route]]\npath = \"/\"\nupstream = \"http://127.0.0.1:{upstream}\"\npolicy = {:?}\n",
        policy.display().to_string()
    ));
    let config_path = dir.join(format!("{name}.gateway.toml"));
    std::fs::write(&config_path, config).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_crossgate"))
        .args(["serve", "--workers", "1", "--config"])
        .arg(&config_path)
        .env("CROSSGATE_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut proc = Proc(child);
    let mut lines = BufReader::new(proc.0.stdout.take().unwrap()).lines();
    loop {
        let Some(Ok(line)) = lines.next() else { panic!("crossgate serve exited for {name}") };
        if let Some(addr) = line.strip_prefix("crossgate: gateway listening on http://") {
            return (proc, addr.trim().to_owned());
        }
    }
}

/// A plain upstream: 200 `ok`, or the status named by `/status/<code>`.
async fn upstream() -> u16 {
    use hyper::server::conn::http1;
    use hyper::service::service_fn;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                let svc = service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
                    let status =
                        req.uri().path().strip_prefix("/status/").and_then(|s| s.parse::<u16>().ok()).unwrap_or(200);
                    let mut resp = hyper::Response::new(Full::new(Bytes::from_static(b"ok")));
                    *resp.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
                    Ok::<_, std::convert::Infallible>(resp)
                });
                let _ = http1::Builder::new().serve_connection(hyper_util::rt::TokioIo::new(stream), svc).await;
            });
        }
    });
    port
}

/// One browser call of the matrix.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) origin: String,
    pub(crate) method: &'static str,
    pub(crate) headers: Vec<(&'static str, &'static str)>,
    pub(crate) credentials: bool,
    pub(crate) path: &'static str,
}

const ORIGINS: [&str; 12] = [
    "https://app.example.com",
    "https://admin.example.com",
    "https://example.com",
    "https://a.b.example.com",
    "https://evilexample.com",
    "https://app.example.com.evil.example",
    "http://localhost:3000",
    "http://127.0.0.1:5173",
    "https://console.example.com",
    "https://legacy.example.com",
    "http://localhost:8080",
    "https://evil.example",
];

fn matrix() -> Vec<Call> {
    type Kind = (&'static str, &'static [(&'static str, &'static str)], bool);
    let kinds: [Kind; 8] = [
        ("GET", &[], false),
        ("GET", &[], true),
        ("POST", &[("content-type", "application/json")], false),
        ("POST", &[("content-type", "application/json")], true),
        ("DELETE", &[], true),
        ("PUT", &[("x-trace-id", "1")], false),
        ("GET", &[("authorization", "Bearer t")], false),
        ("PATCH", &[("x-custom", "1")], false),
    ];
    let mut calls = Vec::new();
    for origin in ORIGINS {
        for (method, headers, credentials) in kinds {
            calls.push(Call {
                origin: origin.into(),
                method,
                headers: headers.to_vec(),
                credentials,
                path: "/api/items",
            });
        }
        for path in ["/other", "/status/500", "/api"] {
            calls.push(Call { origin: origin.into(), method: "GET", headers: vec![], credentials: false, path });
        }
        calls.push(Call {
            origin: origin.into(),
            method: "DELETE",
            headers: vec![],
            credentials: false,
            path: "/status/404",
        });
    }
    calls
}

/// What one server did with one call.
#[derive(Clone, Debug)]
pub(crate) struct Run {
    pub(crate) exchanges: Vec<(OutgoingRequest, u16, http::HeaderMap)>,
    pub(crate) allowed: bool,
    pub(crate) blocked: Option<String>,
}

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Empty<Bytes>>;

async fn run_call(client: &HttpClient, base: &str, config: Option<&str>, call: &Call) -> Run {
    let mut browser = Browser::new(Profile::Chromium);
    let page = Origin::parse(&call.origin).unwrap();
    let url = url::Url::parse(&format!("http://{base}{}", call.path)).unwrap();
    let mut init = RequestInit::fetch(page, url).method(call.method);
    for (n, v) in &call.headers {
        init = init.header(n, v);
    }
    if call.credentials {
        init = init.credentials(CredentialsMode::Include);
    }
    let mut fetch = browser.start(init).unwrap();
    let now = Duration::ZERO;
    let mut exchanges = Vec::new();
    loop {
        match fetch.poll(&mut browser, now) {
            Action::Send(req) => {
                let mut builder = hyper::Request::builder().method(req.method.as_str()).uri(req.url.as_str());
                for (n, v) in &req.headers {
                    builder = builder.header(n.as_str(), v.as_str());
                }
                builder = builder.header("host", base);
                if let Some(c) = config {
                    builder = builder.header("x-peer-config", c);
                }
                let resp =
                    tokio::time::timeout(Duration::from_secs(10), client.request(builder.body(Empty::new()).unwrap()))
                        .await
                        .unwrap_or_else(|_| panic!("{base} did not answer {call:?} in 10 s"))
                        .unwrap_or_else(|e| panic!("{base} failed {call:?}: {e}"));
                let status = resp.status().as_u16();
                let headers = resp.headers().clone();
                let _ = resp.into_body().collect().await;
                fetch.handle_response(&mut browser, now, &ResponseHead { status, headers: headers.clone() });
                exchanges.push((req, status, headers));
            }
            Action::Done(verdict) => {
                return Run {
                    exchanges,
                    allowed: verdict.allowed,
                    blocked: verdict.blocked.map(|b| b.code.to_owned()),
                };
            }
        }
    }
}

/// The CORS-relevant fields of a response, normalised for comparison.
pub(crate) fn fields(kind: RequestKind, status: u16, h: &http::HeaderMap) -> BTreeMap<&'static str, String> {
    let mut m = BTreeMap::new();
    if kind == RequestKind::Preflight {
        m.insert(":status", if (200..300).contains(&status) { "ok".to_owned() } else { status.to_string() });
    }
    let join = |name: &str, lower: bool| -> Option<String> {
        let mut items: Vec<String> = h
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|s| if lower { s.trim().to_ascii_lowercase() } else { s.trim().to_owned() })
            .filter(|s| !s.is_empty())
            .collect();
        items.sort();
        items.dedup();
        (!items.is_empty()).then(|| items.join(", "))
    };
    for (key, name, lower) in [
        ("acao", "access-control-allow-origin", false),
        ("acac", "access-control-allow-credentials", false),
        ("acam", "access-control-allow-methods", false),
        ("acah", "access-control-allow-headers", true),
        ("aceh", "access-control-expose-headers", true),
        ("acma", "access-control-max-age", false),
        ("acapn", "access-control-allow-private-network", false),
    ] {
        if let Some(v) = join(name, lower) {
            m.insert(key, v);
        }
    }
    if let Some(v) = join("vary", true) {
        let cors: Vec<&str> =
            v.split(", ").filter(|t| *t == "origin" || t.starts_with("access-control-request-") || *t == "*").collect();
        if !cors.is_empty() {
            m.insert("vary", cors.join(", "));
        }
    }
    m
}

#[derive(Default)]
struct Tally {
    requests: usize,
    identical: usize,
    excepted: usize,
    per_exception: BTreeMap<&'static str, usize>,
    unexplained: Vec<String>,
}

/// Import: every fixture, run by the framework as written and by crossgate as imported.
pub(crate) fn run_dialect(dialect: Dialect) {
    let fixtures = root().join("crates/cli/tests/fixtures/convert").join(dialect.name());
    let mut names: Vec<String> = std::fs::read_dir(&fixtures)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| dialect.is_fixture(n))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "at least 10 fixtures for {}", dialect.name());
    let scratch = std::env::temp_dir().join(format!("crossgate-equivalence-{}-{}", dialect.name(), std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let convert_dialect: crossgate_convert::Dialect = dialect.name().parse().unwrap();
    let imports = names
        .iter()
        .map(|name| crossgate_convert::import(convert_dialect, &std::fs::read_to_string(fixtures.join(name)).unwrap()))
        .collect();
    compare(dialect, "import", &scratch, &fixtures, &names, imports);
}

/// Export: every policy of `tests/fixtures/export/` that the target can say
/// exactly, run by the framework as exported and by crossgate as written.
pub(crate) fn run_export(dialect: Dialect) {
    let scratch = std::env::temp_dir().join(format!("crossgate-export-{}-{}", dialect.name(), std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let exported_dir = scratch.join("exported");
    std::fs::create_dir_all(&exported_dir).unwrap();
    let policies = root().join("crates/cli/tests/fixtures/export");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&policies).unwrap().filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    let convert_dialect: crossgate_convert::Dialect = dialect.name().parse().unwrap();
    let (mut names, mut cases, mut inexact) = (Vec::new(), Vec::new(), Vec::new());
    for file in &files {
        let policy: crossgate_core::PolicyConfig = toml::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let exported = crossgate_convert::export(convert_dialect, &policy);
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        if !exported.is_exact() {
            inexact.push(stem);
            continue;
        }
        let ext = match dialect {
            Dialect::Nginx => "conf",
            Dialect::Express => "js",
            _ => "py",
        };
        let name = format!("{stem}.{ext}");
        std::fs::write(exported_dir.join(&name), &exported.text).unwrap();
        names.push(name);
        cases.push(crossgate_convert::Imported {
            policy: Some(policy),
            allowed_hosts: None,
            findings: exported.findings,
        });
    }
    assert!(names.len() >= 4, "at least 4 policies {} can say exactly (not: {inexact:?})", dialect.name());
    eprintln!(
        "export {}: {} of {} policies exact ({} not: {inexact:?})",
        dialect.name(),
        names.len(),
        files.len(),
        inexact.len()
    );
    compare(dialect, "export", &scratch, &exported_dir, &names, cases);
}

/// Runs every call of the matrix against the framework serving each file of
/// `fixtures` and against crossgate serving each case's policy, and
/// compares them.
fn compare(
    dialect: Dialect,
    direction: &str,
    scratch: &Path,
    fixtures: &Path,
    names: &[String],
    imports: Vec<crossgate_convert::Imported>,
) {
    let started = Instant::now();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let up = rt.block_on(upstream());
    let (_peers, peer_bases, version) = if dialect == Dialect::Nginx {
        start_nginx(scratch, fixtures, names, up)
    } else {
        let (peer, port, version) = start_peer(dialect, fixtures);
        (vec![peer], vec![format!("127.0.0.1:{port}"); names.len()], version)
    };
    let mut gateways = Vec::new();
    for (name, imported) in names.iter().zip(&imports) {
        let policy = imported.policy.clone().unwrap_or_else(|| panic!("{name}: no policy: {:?}", imported.findings));
        let toml = toml::to_string(&policy).unwrap();
        let (proc, addr) = start_gateway(scratch, name, &toml, imported.allowed_hosts.as_deref(), up);
        gateways.push((proc, addr));
    }
    let calls = Arc::new(matrix());
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let exceptions = exceptions_for(dialect);
    let mut tally = Tally::default();
    let results = rt.block_on(async {
        let sem = Arc::new(tokio::sync::Semaphore::new(12));
        let mut set = tokio::task::JoinSet::new();
        for (fi, name) in names.iter().enumerate() {
            for (ci, _) in calls.iter().enumerate() {
                let (client, calls, sem) = (client.clone(), calls.clone(), sem.clone());
                let (peer_base, cg_base, name) = (peer_bases[fi].clone(), gateways[fi].1.clone(), name.clone());
                set.spawn(async move {
                    let _permit = sem.acquire().await.unwrap();
                    let call = &calls[ci];
                    let peer = run_call(&client, &peer_base, Some(&name), call).await;
                    let cg = run_call(&client, &cg_base, None, call).await;
                    (fi, ci, peer, cg)
                });
            }
        }
        let mut out = Vec::new();
        while let Some(r) = set.join_next().await {
            out.push(r.unwrap());
        }
        out
    });
    for (fi, ci, peer, cg) in results {
        let call = &calls[ci];
        let name = &names[fi];
        let policy = &imports[fi];
        let n = peer.exchanges.len().min(cg.exchanges.len());
        let mut diffs = Vec::new();
        for i in 0..n {
            let (pr, ps, ph) = &peer.exchanges[i];
            let (cr, cs, chh) = &cg.exchanges[i];
            assert_eq!(pr.kind, cr.kind, "{name} {call:?}: the browser sent different requests");
            let (pf, cf) = (fields(pr.kind, *ps, ph), fields(cr.kind, *cs, chh));
            let keys: std::collections::BTreeSet<&str> = pf.keys().chain(cf.keys()).copied().collect();
            for k in keys {
                if pf.get(k) != cf.get(k) {
                    diffs.push(Difference {
                        index: i,
                        kind: pr.kind,
                        field: k,
                        peer: pf.get(k).cloned(),
                        crossgate: cf.get(k).cloned(),
                    });
                }
            }
        }
        tally.requests += peer.exchanges.len().max(cg.exchanges.len());
        let verdicts_agree = peer.allowed == cg.allowed;
        if diffs.is_empty() && verdicts_agree && peer.exchanges.len() == cg.exchanges.len() {
            tally.identical += n;
            continue;
        }
        let differing = diffs.iter().map(|d| d.index).collect::<std::collections::BTreeSet<_>>().len();
        tally.identical += n.saturating_sub(differing);
        let mut all_explained = true;
        let mut used: Vec<&'static str> = Vec::new();
        for d in &diffs {
            match exceptions.iter().find(|e| (e.applies)(d, call, policy, &peer, &cg)) {
                Some(e) => used.push(e.name),
                None => {
                    all_explained = false;
                    tally.unexplained.push(format!(
                        "{name}: {} {} from {} (credentials {}, headers {:?}): {:?} {}: {} gives {:?}, crossgate {:?}",
                        call.method,
                        call.path,
                        call.origin,
                        call.credentials,
                        call.headers,
                        d.kind,
                        d.field,
                        dialect.name(),
                        d.peer,
                        d.crossgate
                    ));
                }
            }
        }
        if !verdicts_agree || peer.exchanges.len() != cg.exchanges.len() {
            let v = Difference { index: n, kind: RequestKind::Actual, field: ":verdict", peer: None, crossgate: None };
            match exceptions.iter().find(|e| (e.applies)(&v, call, policy, &peer, &cg)) {
                Some(e) => used.push(e.name),
                None => {
                    all_explained = false;
                    tally.unexplained.push(format!(
                        "{name}: {} {} from {} (credentials {}, headers {:?}): the browser's verdict differs: {} {:?} {:?}, crossgate {:?} {:?}",
                        call.method, call.path, call.origin, call.credentials, call.headers, dialect.name(), peer.allowed, peer.blocked, cg.allowed, cg.blocked
                    ));
                }
            }
        }
        if all_explained {
            tally.excepted += differing.max(1);
            used.sort_unstable();
            used.dedup();
            for u in used {
                *tally.per_exception.entry(u).or_default() += 1;
            }
        }
    }
    let _ = std::fs::remove_dir_all(scratch);
    eprintln!(
        "equivalence {direction} {} ({version}): {} fixtures, {} calls, {} requests compared: {} identical, {} named exceptions, {} unexplained ({:.1} s)",
        dialect.name(),
        names.len(),
        names.len() * calls.len(),
        tally.requests,
        tally.identical,
        tally.excepted,
        tally.unexplained.len(),
        started.elapsed().as_secs_f64()
    );
    for (name, count) in &tally.per_exception {
        eprintln!("  exception {name}: {count} calls");
    }
    if !tally.unexplained.is_empty() {
        let shown: Vec<_> = tally
            .unexplained
            .iter()
            .take(std::env::var("CROSSGATE_EQUIVALENCE_SHOW").ok().and_then(|n| n.parse().ok()).unwrap_or(25))
            .collect();
        panic!(
            "{} differences between {} and crossgate are not named exceptions:\n{}",
            tally.unexplained.len(),
            dialect.name(),
            shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
        );
    }
    // An import fixture set exercises every exception it names; an export
    // set need not.
    for e in exceptions.iter().filter(|_| direction == "import") {
        assert!(
            tally.per_exception.contains_key(e.name),
            "the named exception `{}` of {} never applied: remove it or add the call it is for",
            e.name,
            dialect.name()
        );
    }
}
