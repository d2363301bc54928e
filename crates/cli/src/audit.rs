//! `crossgate audit`: scan URLs for CORS misconfigurations and prove each
//! finding with the browser emulator (`crossgate-audit` does the work).
//!
//! Exit codes: 0 no finding above `info`, 1 findings, 2 a usage error or a
//! target that could not be audited.

use std::process::ExitCode;
use std::time::Duration;

use crossgate_audit::net::{self, Client, ConnectTo, NetOptions};
use crossgate_audit::{Audit, Config, Family, Finding, Report, Severity};

use crate::output::{emit, Output, Style};

/// Arguments of `crossgate audit`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The URLs to audit (http or https).
    #[arg(required = true, value_name = "URL")]
    urls: Vec<String>,
    /// Print one JSON object per target (one per line) instead of text.
    #[arg(long)]
    json: bool,
    /// A header sent with the credentialed probes, `Name: value`, as a
    /// signed-in browser would send its credentials (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// The `Cookie` of a signed-in session, `name=value; …`: sent with the
    /// credentialed probes, and compared with an answer without it.
    #[arg(long, value_name = "NAME=VALUE")]
    cookie: Option<String>,
    /// An origin the site trusts on purpose, never reported (crossgate's
    /// grammar: `https://app.example.com`, `https://*.example.com`,
    /// `http://localhost:*`; repeatable).
    #[arg(long = "origin", value_name = "ORIGIN")]
    origins: Vec<String>,
    /// Another path to audit on each URL's origin (repeatable).
    #[arg(long = "path", value_name = "PATH")]
    paths: Vec<String>,
    /// Connect to ADDR:PORT for requests to HOST:PORT (curl's syntax,
    /// repeatable).
    #[arg(long = "connect-to", value_name = "HOST:PORT:ADDR:PORT")]
    connect_to: Vec<String>,
    /// Also trust the CA certificates in this PEM file (for https).
    #[arg(long, value_name = "PEM")]
    cacert: Option<std::path::PathBuf>,
    /// The most requests per target.
    #[arg(long, default_value_t = crossgate_audit::DEFAULT_MAX_REQUESTS)]
    max_requests: usize,
    /// Requests per second, `N` or `N/s` (0: no limit).
    #[arg(long, default_value = "10/s", value_name = "N/s")]
    rate: String,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 10.0, value_name = "S")]
    timeout: f64,
    /// Probe families not to run (repeatable): reflect, null, prefix,
    /// suffix, substring, dot, special, percent, subdomain, scheme,
    /// third-party, dev, localhost, preflight, private-network, cache,
    /// injection, duplicate, paths.
    #[arg(long, value_name = "FAMILY")]
    skip: Vec<String>,
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("crossgate audit: {msg}");
    ExitCode::from(2)
}

fn parse_rate(s: &str) -> Option<f64> {
    let n = s.strip_suffix("/s").unwrap_or(s).trim();
    n.parse::<f64>().ok().filter(|r| r.is_finite() && *r >= 0.0)
}

/// A nonce for the attacker names: different on every run.
fn nonce() -> String {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let mut x = (t as u64) ^ u64::from(std::process::id()).rotate_left(32);
    let mut s = String::new();
    for _ in 0..6 {
        let d = (x % 36) as u8;
        s.push(char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 }));
        x /= 36;
    }
    s
}

pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    let mut problems = Vec::new();
    let rate = parse_rate(&args.rate).unwrap_or_else(|| {
        problems.push(format!("--rate `{}`: write requests per second, e.g. 10/s (0: no limit)", args.rate));
        0.0
    });
    let mut connect_to = Vec::new();
    for c in &args.connect_to {
        match ConnectTo::parse(c) {
            Ok(c) => connect_to.push(c),
            Err(e) => problems.push(e),
        }
    }
    let mut headers = Vec::new();
    for h in &args.headers {
        match h.split_once(':') {
            Some((n, v)) if !n.trim().is_empty() => headers.push((n.trim().to_owned(), v.trim().to_owned())),
            _ => problems.push(format!("-H `{h}`: write `Name: value`")),
        }
    }
    let mut skip = Vec::new();
    for s in &args.skip {
        match Family::parse(s) {
            Some(f) => skip.push(f),
            None => {
                let names: Vec<&str> = Family::ALL.iter().map(|f| f.as_str()).collect();
                problems.push(format!("--skip `{s}`: not a probe family (one of {})", names.join(", ")));
            }
        }
    }
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        problems.push(format!("--timeout {}: a positive number of seconds", args.timeout));
    }
    let nonce = nonce();
    let mut audits = Vec::new();
    for url in &args.urls {
        let mut config = Config::new(url, &nonce);
        config.paths.clone_from(&args.paths);
        config.trusted.clone_from(&args.origins);
        config.session = args.cookie.is_some() || !headers.is_empty();
        config.max_requests = args.max_requests;
        config.skip.clone_from(&skip);
        match Audit::new(config) {
            Ok(a) => audits.push(a),
            Err(errors) => problems.extend(errors),
        }
    }
    if !problems.is_empty() {
        problems.dedup();
        for p in &problems {
            eprintln!("crossgate audit: {p}");
        }
        return ExitCode::from(2);
    }
    let options = NetOptions {
        connect_to,
        cacert: args.cacert.clone(),
        headers,
        cookie: args.cookie.clone(),
        timeout: Duration::from_secs_f64(args.timeout),
    };
    let client = match Client::new(options) {
        Ok(c) => c,
        Err(e) => return usage(&e),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return usage(&format!("cannot start the runtime: {e}")),
    };
    let (mut findings, mut failed) = (false, false);
    for audit in audits {
        let report = runtime.block_on(net::run(audit, &client, rate));
        findings |= report.has_findings();
        failed |= report.error.is_some();
        if args.json {
            emit(&report.to_json().to_string());
        } else {
            render(&report, out);
        }
    }
    ExitCode::from(if failed {
        2
    } else if findings {
        1
    } else {
        0
    })
}

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::High | Severity::Medium => Style::Error,
        Severity::Low => Style::Warning,
        Severity::Info => Style::Dim,
    }
}

fn render(report: &Report, out: &Output) {
    let counted = report.findings.iter().filter(|f| f.severity > Severity::Info).count();
    let infos = report.findings.len() - counted;
    emit(&out.paint(
        Style::Bold,
        &format!(
            "crossgate audit {} — {} requests, {counted} finding{}{}",
            report.target,
            report.requests,
            if counted == 1 { "" } else { "s" },
            if infos > 0 { format!(" (and {infos} info)") } else { String::new() }
        ),
    ));
    if let Some(fw) = report.framework {
        emit(&out.paint(Style::Dim, &format!("  the server looks like {fw}")));
    }
    for f in &report.findings {
        emit("");
        render_finding(f, out);
    }
    for n in &report.notes {
        emit(&out.paint(Style::Dim, &format!("note: {n}")));
    }
    if let Some(e) = &report.error {
        emit(&out.paint(Style::Error, &format!("error: {e}")));
        emit("  help: check the URL, --connect-to and --cacert; --timeout waits longer for slow servers");
    } else if report.findings.is_empty() {
        emit(&out.paint(Style::Ok, "no finding: no probe origin could read the answers, and nothing else stood out"));
    }
}

fn render_finding(f: &Finding, out: &Output) {
    let sev = out.paint(severity_style(f.severity), &format!("{:<6}", f.severity.as_str().to_uppercase()));
    emit(&format!("{sev} {}  {}", out.paint(Style::Bold, f.class.id()), f.class.title()));
    emit(&format!("  {}", f.proof));
    emit(&out.paint(Style::Dim, &format!("  why: {}", f.reason)));
    for e in f.evidence.iter().take(2) {
        let origin =
            e.request_headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("origin")).map(|(_, v)| v.as_str());
        let origins: Vec<&str> = origin.collect();
        let path = e.url.splitn(4, '/').nth(3).map_or("/".to_owned(), |p| format!("/{p}"));
        emit(&format!(
            "  → {} {path}{}",
            e.method,
            if origins.is_empty() { String::new() } else { format!("  Origin: {}", origins.join(" + ")) }
        ));
        let cors: Vec<String> = e
            .response_headers
            .iter()
            .filter(|(n, _)| n.starts_with("access-control-") || n == "vary" || n.starts_with("x-crossgate"))
            .map(|(n, v)| format!("{n}: {v}"))
            .collect();
        emit(&format!(
            "  ← {}  {}",
            e.status,
            if cors.is_empty() { "(no CORS headers)".to_owned() } else { cors.join("  ") }
        ));
    }
    let fw = f.fix.framework.map(|fw| format!(" ({fw})")).unwrap_or_default();
    emit(&format!("  fix{fw}: {}", f.fix.words));
    for line in f.fix.policy.lines() {
        emit(&out.paint(Style::Dim, &format!("    {line}")));
    }
    if f.severity > Severity::Info {
        emit(&out.paint(Style::Dim, "  proof of concept: the `poc` of this finding in --json"));
    }
}
