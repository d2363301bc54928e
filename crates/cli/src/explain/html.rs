//! `--html`: one self-contained page (no external assets, no script) with
//! the summary, a timeline of the exchanges and the diagnosis of every
//! request, to attach to a bug report.

use std::fmt::Write;

use crossgate_har::{Diagnosis, Report, VerdictKind};

/// Text for HTML element content and quoted attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1d1d1f}\
h1{font-size:1.3em}code,pre{font:12px ui-monospace,monospace}pre{background:#f5f5f7;padding:.5em;white-space:pre-wrap}\
.tl{position:relative;border-left:1px solid #ccc;margin:1em 0}.row{position:relative;height:18px;margin:2px 0}\
.bar{position:absolute;height:14px;border-radius:3px;min-width:3px}.lbl{position:absolute;left:0;font-size:11px;white-space:nowrap}\
.blocked{background:#e5484d}.not-a-cors-problem{background:#f5a524}.allowed{background:#30a46c}.not-cors{background:#a0a0a0}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e5e5e5;padding:.4em;vertical-align:top;text-align:left}\
.v{color:#fff;padding:0 .4em;border-radius:3px;white-space:nowrap}.dim{color:#6e6e73}";

pub(super) fn page(name: &str, report: &Report) -> String {
    let mut h = String::new();
    let title = format!("crossgate explain: {name}");
    let _ = write!(
        h,
        "<!doctype html><html lang=en><head><meta charset=utf-8><link rel=icon href=\"data:,\"><title>{}</title><style>{STYLE}</style></head><body>",
        esc(&title)
    );
    let _ = write!(h, "<h1>{}</h1><p><b>{}</b></p>", esc(&title), esc(&report.summary.line()));
    if !report.creator.is_empty() {
        let _ = write!(h, "<p class=dim>written by {}</p>", esc(&report.creator));
    }
    for note in &report.inferred {
        let _ = write!(h, "<p class=dim>note: {}</p>", esc(note));
    }
    timeline(&mut h, &report.requests);
    h.push_str("<h2>Requests</h2><table><tr><th>#</th><th>request</th><th>verdict</th><th>diagnosis</th></tr>");
    for d in &report.requests {
        row(&mut h, d);
    }
    h.push_str("</table></body></html>\n");
    h
}

fn timeline(h: &mut String, requests: &[Diagnosis]) {
    let end = requests
        .iter()
        .map(|d| d.start_ms.unwrap_or(0).max(0) as f64 + d.duration_ms.unwrap_or(0.0))
        .fold(1.0_f64, f64::max);
    let _ = write!(h, "<h2>Timeline</h2><p class=dim>{end:.0} ms</p><div class=tl>");
    for d in requests {
        let start = d.start_ms.unwrap_or(0).max(0) as f64;
        let left = start / end * 100.0;
        let width = (d.duration_ms.unwrap_or(0.0) / end * 100.0).max(0.4);
        let _ = write!(
            h,
            "<div class=row title=\"{}\"><div class=\"bar {}\" style=\"left:{left:.2}%;width:{width:.2}%\"></div><span class=lbl style=\"left:calc({left:.2}% + {width:.2}% + 4px)\">#{} {} {}</span></div>",
            esc(&format!("#{} {} {} — {}", d.index, d.method, d.url, d.verdict.as_str())),
            d.verdict.as_str(),
            d.index,
            esc(&d.method),
            esc(&d.url)
        );
    }
    h.push_str("</div>");
}

fn row(h: &mut String, d: &Diagnosis) {
    let _ = write!(
        h,
        "<tr id=\"entry-{}\"><td>{}</td><td><code>{} {}</code><br><span class=dim>from {}{}</span></td><td><span class=\"v {}\">{}</span></td><td>",
        d.index,
        d.index,
        esc(&d.method),
        esc(&d.url),
        esc(d.origin.as_deref().unwrap_or("(unknown origin)")),
        if d.status > 0 { format!(", status {}", d.status) } else { String::new() },
        d.verdict.as_str(),
        d.verdict.as_str()
    );
    if let Some(e) = &d.error {
        let _ = write!(h, "<b>{}</b> at the {}<br>", esc(&e.code), esc(e.stage));
        if !e.message.is_empty() {
            let _ = write!(h, "<pre>{}</pre>", esc(e.message.trim_end()));
        }
    }
    if let Some(f) = &d.finding {
        let _ = write!(h, "<p><b>{}</b>: {}</p>", esc(f.code()), esc(&f.title()));
    }
    if let Some(fix) = &d.fix {
        let _ = write!(h, "<p>fix: {}</p>", esc(fix));
    }
    if let Some(rule) = &d.rule {
        let _ = write!(h, "<p>crossgate rule for {}:</p><pre>{}</pre>", esc(&rule.server), esc(&rule.toml));
    }
    for n in &d.inferred {
        let _ = write!(h, "<p class=dim>inferred: {}</p>", esc(n));
    }
    if d.verdict == VerdictKind::NotCors && d.error.is_none() && d.finding.is_none() {
        h.push_str("<span class=dim>CORS does not apply</span>");
    }
    h.push_str("</td></tr>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(esc("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
