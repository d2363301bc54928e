//! The audit as a sans-IO state machine: [`Audit::poll`] says which probe to
//! send next, [`Audit::handle`] takes what came back, and
//! [`Audit::report`] turns the answers into proven findings.
//!
//! Probes go in stages per path, each planned from what the previous one
//! learnt: the baselines, the `Origin` probes, the follow-ups (preflights,
//! Private Network Access, duplicate `Origin`, CR injection, the cache
//! test), then the path variants. The budget is counted as probes are
//! handed out, so it is never exceeded.

use std::collections::VecDeque;

use crossgate_core::origin::{parse_pattern, OriginPattern};

use crate::class::Class;
use crate::plan::{attacker_domain, origin_probes, path_variants};
use crate::probe::{Family, Method, Probe, ProbeRequest};
use crate::prove;
use crate::report::Report;
use crate::response::{Outcome, ProbeResponse};
use crate::target::Target;

/// The default budget of requests per target.
pub const DEFAULT_MAX_REQUESTS: usize = 300;

/// Failures in a row (raw probes aside) after which the target is taken to
/// have stopped answering.
const MAX_FAILURES_IN_A_ROW: usize = 3;

/// The header a CR-injection probe tries to add to the response.
pub(crate) const MARKER: &str = "X-Crossgate-Probe";

/// What to audit and how.
#[derive(Clone, Debug)]
pub struct Config {
    /// The URL (http or https).
    pub url: String,
    /// More paths to audit on the same origin, after the URL's own.
    pub paths: Vec<String>,
    /// Origins the site trusts on purpose (`--origin`, crossgate's grammar:
    /// `https://app.example.com`, `https://*.example.com`,
    /// `http://localhost:*`): never reported.
    pub trusted: Vec<String>,
    /// Whether the user gave a session (`--cookie`, `-H`), sent with the
    /// credentialed probes.
    pub session: bool,
    /// The most requests to send.
    pub max_requests: usize,
    /// Lower-case letters and digits, making the attacker names unique.
    pub nonce: String,
    /// Families not to run.
    pub skip: Vec<Family>,
}

impl Config {
    /// An audit of `url` with the defaults.
    pub fn new(url: &str, nonce: &str) -> Self {
        Config {
            url: url.to_owned(),
            paths: Vec::new(),
            trusted: Vec::new(),
            session: false,
            max_requests: DEFAULT_MAX_REQUESTS,
            nonce: nonce.to_owned(),
            skip: Vec::new(),
        }
    }
}

/// What to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Send this probe and pass the outcome to [`Audit::handle`].
    Send(Probe),
    /// Answers are outstanding; handle them first.
    Wait,
    /// Finished: call [`Audit::report`].
    Done,
}

/// What a probe was for, to read its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// No `Origin`, with the session.
    Baseline,
    /// No `Origin`, without the session.
    Anonymous,
    /// The target's own origin.
    SameOrigin,
    /// An origin the user trusts.
    Trusted(String),
    /// An `Origin` probe.
    Origin { class: Class, origin: String },
    /// A preflight for `method` with `header`.
    Preflight { origin: String, method: String, header: String },
    /// A Private Network Access preflight.
    Pna { origin: String },
    /// Two `Origin` headers, in this order.
    Duplicate { first: String, second: String },
    /// One comma-joined `Origin`.
    Joined { value: String },
    /// `base` followed by CR (and LF unless `lone_cr`) and the marker.
    Injection { base: String, lone_cr: bool },
    /// The first request of the cache test, with this origin.
    CacheSeed { origin: String },
    /// The second, without `Origin`.
    CacheCheck { seeded: String },
    /// The attacker origin on the path itself, when no `Origin` probe sent it.
    PathBase { origin: String },
    /// A path variant with the attacker origin.
    PathVariant { variant: String, what: &'static str, origin: String },
}

/// A probe and what came back.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub(crate) probe: Probe,
    pub(crate) kind: Kind,
    pub(crate) path: usize,
    pub(crate) outcome: Option<Outcome>,
}

impl Record {
    pub(crate) fn response(&self) -> Option<&ProbeResponse> {
        match &self.outcome {
            Some(Outcome::Response(r)) => Some(r),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Baseline,
    Origins,
    Followups,
    Paths,
    NextPath,
    Finished,
}

/// One audit of one target.
#[derive(Debug)]
pub struct Audit {
    pub(crate) target: Target,
    pub(crate) config: Config,
    pub(crate) trusted: Vec<OriginPattern>,
    pub(crate) paths: Vec<String>,
    pub(crate) records: Vec<Record>,
    queue: VecDeque<(Probe, Kind, usize)>,
    outstanding: usize,
    stage: Stage,
    path: usize,
    sent: usize,
    failures_in_a_row: usize,
    pub(crate) error: Option<String>,
    /// Probes planned but not sent because of the budget.
    pub(crate) unsent: usize,
}

impl Audit {
    /// Starts an audit.
    ///
    /// # Errors
    ///
    /// The URL, a path or a trusted origin is invalid; every problem at once.
    pub fn new(config: Config) -> Result<Audit, Vec<String>> {
        let mut errors = Vec::new();
        let target = Target::parse(&config.url).map_err(|e| errors.push(e)).ok();
        let mut trusted = Vec::new();
        for o in &config.trusted {
            match parse_pattern(o) {
                Ok(p) => trusted.push(p.pattern),
                Err(e) => errors.push(format!("--origin `{o}`: {} ({})", e.message, e.help)),
            }
        }
        for p in &config.paths {
            if !p.starts_with('/') || p.bytes().any(|b| b <= b' ' || b == 0x7f || b == b'#') {
                errors.push(format!("--path `{p}`: a path starts with `/` and has no spaces, controls or `#`"));
            }
        }
        if config.nonce.is_empty() || !config.nonce.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
            errors.push("the nonce must be lower-case letters and digits".to_owned());
        }
        if config.max_requests < 2 {
            errors.push(format!("--max-requests {}: at least 2 (the two baselines)", config.max_requests));
        }
        let Some(target) = target.filter(|_| errors.is_empty()) else { return Err(errors) };
        let own = match target.url.query() {
            Some(q) => format!("{}?{q}", target.url.path()),
            None => target.url.path().to_owned(),
        };
        let mut paths = vec![own];
        for p in &config.paths {
            if !paths.contains(p) {
                paths.push(p.clone());
            }
        }
        Ok(Audit {
            target,
            config,
            trusted,
            paths,
            records: Vec::new(),
            queue: VecDeque::new(),
            outstanding: 0,
            stage: Stage::Baseline,
            path: 0,
            sent: 0,
            failures_in_a_row: 0,
            error: None,
            unsent: 0,
        })
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Requests handed out so far.
    pub fn sent(&self) -> usize {
        self.sent
    }

    /// The next probe to send.
    pub fn poll(&mut self) -> Next {
        loop {
            if self.error.is_some() || self.stage == Stage::Finished && self.queue.is_empty() {
                return if self.outstanding > 0 { Next::Wait } else { Next::Done };
            }
            if let Some((probe, kind, path)) = self.queue.pop_front() {
                if self.sent >= self.config.max_requests {
                    self.unsent += 1 + self.queue.len();
                    self.queue.clear();
                    self.stage = Stage::Finished;
                    continue;
                }
                self.sent += 1;
                self.outstanding += 1;
                self.records.push(Record { probe: probe.clone(), kind, path, outcome: None });
                return Next::Send(probe);
            }
            if self.outstanding > 0 {
                return Next::Wait;
            }
            self.advance();
        }
    }

    /// Takes the outcome of probe `id`.
    pub fn handle(&mut self, id: usize, outcome: Outcome) {
        let Some(record) = self.records.get_mut(id) else { return };
        if record.outcome.is_some() {
            return;
        }
        self.outstanding = self.outstanding.saturating_sub(1);
        if let Outcome::Failed(why) = &outcome {
            let url = format!("{}{}", self.target.origin, record.probe.request.path);
            if record.kind == Kind::Baseline {
                self.error = Some(format!("{url}: {why}"));
            } else if !record.probe.request.raw {
                self.failures_in_a_row += 1;
                if self.failures_in_a_row >= MAX_FAILURES_IN_A_ROW {
                    self.error =
                        Some(format!("{url}: the server stopped answering after {} requests: {why}", self.sent));
                }
            }
        } else if !record.probe.request.raw {
            self.failures_in_a_row = 0;
        }
        record.outcome = Some(outcome);
    }

    /// The findings so far (complete once [`Audit::poll`] says `Done`).
    pub fn report(&self) -> Report {
        crate::analyze::report(self)
    }

    fn enabled(&self, f: Family) -> bool {
        !self.config.skip.contains(&f)
    }

    fn label(&self) -> String {
        format!("cg{}", self.config.nonce)
    }

    /// The attacker's own origin, `https://cg{nonce}.com`.
    pub(crate) fn attacker(&self) -> String {
        format!("https://{}", attacker_domain(&self.label()))
    }

    fn push(&mut self, family: Option<Family>, purpose: impl Into<String>, request: ProbeRequest, kind: Kind) {
        let id = self.records.len() + self.queue.len();
        self.queue.push_back((Probe { id, family, purpose: purpose.into(), request }, kind, self.path));
    }

    pub(crate) fn current_path(&self) -> &str {
        &self.paths[self.path]
    }

    fn advance(&mut self) {
        let path = self.current_path().to_owned();
        match self.stage {
            Stage::Baseline => {
                self.stage = Stage::Origins;
                self.push(None, "baseline without Origin", ProbeRequest::get(&path), Kind::Baseline);
                let own = self.target.origin.clone();
                let req = ProbeRequest::get(&path).header("Origin", own.as_bytes());
                self.push(None, "the site's own origin", req, Kind::SameOrigin);
                if self.config.session {
                    let mut req = ProbeRequest::get(&path);
                    req.credentials = false;
                    self.push(None, "baseline without the session", req, Kind::Anonymous);
                }
            }
            Stage::Origins => {
                self.stage = Stage::Followups;
                for o in self.trusted_exact().into_iter().take(3) {
                    let req = ProbeRequest::get(&path).header("Origin", o.as_bytes());
                    self.push(None, "an origin you trust", req, Kind::Trusted(o));
                }
                let probes = origin_probes(&self.target, &self.label(), |f| self.enabled(f));
                for p in probes {
                    let req = ProbeRequest::get(&path).header("Origin", p.origin.as_bytes());
                    let purpose = format!("{}: {}", p.class.id(), p.origin);
                    self.push(Some(p.family), purpose, req, Kind::Origin { class: p.class, origin: p.origin });
                }
            }
            Stage::Followups => {
                self.stage = Stage::Paths;
                self.plan_followups(&path);
            }
            Stage::Paths => {
                if self.enabled(Family::Paths) {
                    let others: Vec<String> = self.paths.iter().filter(|p| **p != path).cloned().collect();
                    let atk = self.attacker();
                    if !self.has_response(|k| matches!(k, Kind::Origin { origin, .. } if *origin == atk)) {
                        let req = ProbeRequest::get(&path).header("Origin", atk.as_bytes());
                        let kind = Kind::PathBase { origin: atk.clone() };
                        self.push(Some(Family::Paths), "the attacker origin on the path itself", req, kind);
                    }
                    for (variant, what) in path_variants(&path, &others) {
                        let req = ProbeRequest::get(&variant).header("Origin", atk.as_bytes());
                        let kind = Kind::PathVariant { variant: variant.clone(), what, origin: atk.clone() };
                        self.push(Some(Family::Paths), format!("path variant ({what})"), req, kind);
                    }
                }
                self.stage = Stage::NextPath;
            }
            Stage::NextPath => {
                if self.path + 1 < self.paths.len() {
                    self.path += 1;
                    self.stage = Stage::Baseline;
                } else {
                    self.stage = Stage::Finished;
                }
            }
            Stage::Finished => {}
        }
    }

    /// The exact origins among the trusted ones.
    pub(crate) fn trusted_exact(&self) -> Vec<String> {
        self.config.trusted.iter().zip(&self.trusted).filter(|(_, p)| p.is_exact()).map(|(s, _)| s.clone()).collect()
    }

    /// Whether the user trusts `origin` on purpose (or it is the site's own).
    pub(crate) fn is_trusted(&self, origin: &str) -> bool {
        if origin == self.target.origin {
            return true;
        }
        let Ok(p) = parse_pattern(origin) else { return false };
        self.trusted.iter().any(|t| t.covers(&p.pattern))
    }

    fn has_response(&self, f: impl Fn(&Kind) -> bool) -> bool {
        self.records.iter().any(|r| r.path == self.path && f(&r.kind) && r.response().is_some())
    }

    /// Records of the current path.
    fn here(&self) -> impl Iterator<Item = &Record> {
        let path = self.path;
        self.records.iter().filter(move |r| r.path == path)
    }

    /// An origin the server allows that is not the attacker's, to put beside
    /// the attacker's in the duplicate and injection probes: a trusted one it
    /// answered, its own if it answered that, else its own anyway.
    pub(crate) fn allowed_base(&self, path: usize) -> String {
        let answered = |r: &Record, o: &str| r.response().and_then(ProbeResponse::acao).as_deref() == Some(o);
        let mut fallback = None;
        for r in self.records.iter().filter(|r| r.path == path) {
            match &r.kind {
                Kind::Trusted(o) if answered(r, o) => return o.clone(),
                Kind::SameOrigin if answered(r, &self.target.origin) => fallback = Some(self.target.origin.clone()),
                _ => {}
            }
        }
        fallback.unwrap_or_else(|| self.target.origin.clone())
    }

    fn plan_followups(&mut self, path: &str) {
        let atk = self.attacker();
        let url = self.target.url.join(path).unwrap_or_else(|_| self.target.url.clone());
        let header = format!("x-crossgate-{}", self.config.nonce);
        if self.enabled(Family::Preflight) {
            if let Some(headers) = prove::preflight_headers(&url, &atk, "DELETE", &header) {
                let mut req = ProbeRequest { method: Method::Options, credentials: false, ..ProbeRequest::get(path) };
                for (n, v) in headers {
                    req = req.header(&n, v.into_bytes());
                }
                let kind = Kind::Preflight { origin: atk.clone(), method: "DELETE".into(), header: header.clone() };
                self.push(
                    Some(Family::Preflight),
                    "preflight for a credentialed DELETE with an unknown header",
                    req,
                    kind,
                );
            }
        }
        if self.enabled(Family::PrivateNetwork) {
            let req = ProbeRequest { method: Method::Options, credentials: false, ..ProbeRequest::get(path) }
                .header("Accept", "*/*")
                .header("Access-Control-Request-Method", "GET")
                .header("Origin", atk.as_bytes())
                .header("Access-Control-Request-Private-Network", "true");
            self.push(
                Some(Family::PrivateNetwork),
                "Private Network Access preflight",
                req,
                Kind::Pna { origin: atk.clone() },
            );
        }
        let base = self.allowed_base(self.path);
        if self.enabled(Family::Duplicate) {
            for (first, second) in [(base.clone(), atk.clone()), (atk.clone(), base.clone())] {
                let req =
                    ProbeRequest::get(path).header("Origin", first.as_bytes()).header("Origin", second.as_bytes());
                self.push(Some(Family::Duplicate), "two Origin headers", req, Kind::Duplicate { first, second });
            }
            let value = format!("{base}, {atk}");
            let req = ProbeRequest::get(path).header("Origin", value.as_bytes());
            self.push(Some(Family::Duplicate), "a comma-joined Origin", req, Kind::Joined { value });
        }
        if self.enabled(Family::Injection) {
            let marker = format!("{MARKER}: {}", self.config.nonce);
            let mut bases = vec![base.clone()];
            if base != atk {
                bases.push(atk.clone());
            }
            for b in bases {
                for lone_cr in [false, true] {
                    let sep: &[u8] = if lone_cr { b"\r" } else { b"\r\n" };
                    let value = [b.as_bytes(), sep, marker.as_bytes()].concat();
                    let mut req = ProbeRequest::get(path).header("Origin", value);
                    req.raw = true;
                    let what = if lone_cr { "a lone CR" } else { "CRLF" };
                    self.push(
                        Some(Family::Injection),
                        format!("{what} inside Origin"),
                        req,
                        Kind::Injection { base: b.clone(), lone_cr },
                    );
                }
            }
        }
        if self.enabled(Family::Cache) {
            if let Some(seed) = self.dynamic_origin_without_vary() {
                let sep = if path.contains('?') { '&' } else { '?' };
                let busted = format!("{path}{sep}crossgate-cache={}", self.config.nonce);
                let req = ProbeRequest::get(&busted).header("Origin", seed.as_bytes());
                self.push(
                    Some(Family::Cache),
                    "cache test: with Origin",
                    req,
                    Kind::CacheSeed { origin: seed.clone() },
                );
                let req = ProbeRequest::get(&busted);
                self.push(
                    Some(Family::Cache),
                    "cache test: the same URL without Origin",
                    req,
                    Kind::CacheCheck { seeded: seed },
                );
            }
        }
    }

    /// An origin this path echoes in Access-Control-Allow-Origin without
    /// `Vary: Origin`, if any (the cache test seeds with it).
    fn dynamic_origin_without_vary(&self) -> Option<String> {
        self.here().find_map(|r| {
            let origin = match &r.kind {
                Kind::Trusted(o) | Kind::Origin { origin: o, .. } => o,
                Kind::SameOrigin => &self.target.origin,
                _ => return None,
            };
            let resp = r.response()?;
            (resp.acao().as_deref() == Some(origin.as_str()) && !resp.varies_on_origin()).then(|| origin.clone())
        })
    }
}
