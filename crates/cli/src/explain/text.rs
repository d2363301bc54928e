//! The terminal report: the summary line, then one block per request that
//! needs attention, grouped by page origin, then by server.

use std::path::Path;

use crossgate_har::{Diagnosis, Proposal, Report, VerdictKind};

use crate::output::{Output, Style};

/// Whether a request gets a block (the fine ones are only counted).
fn needs_attention(d: &Diagnosis) -> bool {
    matches!(d.verdict, VerdictKind::Blocked | VerdictKind::NotACorsProblem) || d.finding.is_some()
}

fn server_of(url: &str) -> String {
    url::Url::parse(url).map_or_else(|_| url.to_owned(), |u| u.origin().ascii_serialization())
}

/// A server and the requests to it, in the order they first appear.
type Server<'a> = (String, Vec<&'a Diagnosis>);

pub(super) fn report(name: &str, report: &Report, out: &Output) -> Vec<String> {
    let mut lines = Vec::new();
    let creator = if report.creator.is_empty() { String::new() } else { format!(", written by {}", report.creator) };
    lines.push(out.paint(Style::Bold, &report.summary.line()));
    lines.push(out.paint(Style::Dim, &format!("{name}: {} requests{creator}", report.summary.total)));
    for note in &report.inferred {
        lines.push(out.paint(Style::Dim, &format!("note: {note}")));
    }
    // origin → server → requests, in the order they first appear.
    let mut groups: Vec<(String, Vec<Server<'_>>)> = Vec::new();
    for d in report.requests.iter().filter(|d| needs_attention(d)) {
        let origin = d.origin.clone().unwrap_or_else(|| "(unknown origin)".into());
        let server = server_of(&d.url);
        let g = match groups.iter().position(|g| g.0 == origin) {
            Some(i) => &mut groups[i],
            None => {
                groups.push((origin, Vec::new()));
                groups.last_mut().expect("just pushed")
            }
        };
        match g.1.iter_mut().find(|s| s.0 == server) {
            Some(s) => s.1.push(d),
            None => g.1.push((server, vec![d])),
        }
    }
    for (origin, servers) in groups {
        lines.push(String::new());
        lines.push(out.paint(Style::Bold, &format!("from {origin}")));
        for (server, requests) in servers {
            lines.push(format!("  to {server}"));
            for d in requests {
                block(d, out, &mut lines);
            }
        }
    }
    lines
}

fn block(d: &Diagnosis, out: &Output, lines: &mut Vec<String>) {
    let (mark, style) = match d.verdict {
        VerdictKind::Blocked => ("blocked", Style::Error),
        VerdictKind::NotACorsProblem => ("not a CORS problem", Style::Warning),
        VerdictKind::Allowed => ("allowed", Style::Ok),
        VerdictKind::NotCors => ("not CORS", Style::Dim),
    };
    let status = if d.status > 0 { format!(", status {}", d.status) } else { String::new() };
    let stage = d.error.as_ref().map_or("", |e| match e.stage {
        "preflight" => " at the preflight",
        "redirect" => " at a redirect hop",
        "request" => " before anything was sent",
        _ => " on the response",
    });
    lines.push(format!("    {} #{} {} {}{stage}{status}", out.paint(style, mark), d.index, d.method, d.url));
    if let Some(e) = &d.error {
        lines.push(format!("      {}", out.paint(Style::Bold, &e.code)));
        if !e.message.is_empty() {
            lines.push(format!("      {}", e.message.trim_end()));
        }
    }
    if let Some(f) = &d.finding {
        lines.push(format!("      {} {}: {}", out.paint(Style::Warning, "finding"), f.code(), f.title()));
    }
    if let Some(fix) = &d.fix {
        lines.push(format!("      fix: {fix}"));
    }
    if let Some(rule) = &d.rule {
        lines.push(format!("      crossgate rule for {}:", rule.server));
        lines.extend(rule.toml.lines().map(|l| format!("        {l}")));
    }
    for n in &d.inferred {
        lines.push(out.paint(Style::Dim, &format!("      inferred: {n}")));
    }
}

pub(super) fn proposal(path: &Path, p: &Proposal) -> Vec<String> {
    let mut lines = vec![String::new()];
    let rules = p.config.as_ref().map_or(0, |c| c.rules.len());
    lines.push(format!(
        "wrote {}: {rules} rule(s) allowing {} blocked call(s), each checked by replaying it against the policy",
        path.display(),
        p.allowed.len()
    ));
    for r in &p.refused {
        lines.push(format!("  not allowed: #{} {}: {}", r.index, r.url, r.reason));
    }
    lines
}
