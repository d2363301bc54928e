//! Findings printed: as text, one line and a help line each, or as one
//! JSON object.

use crossgate_core::Severity;
use crossgate_gateway::Problem;
use serde_json::json;

use super::findings::Findings;
use crate::output::{emit, Output, Style};

/// The findings as one JSON object: the file, whether it is valid, the
/// counts and every diagnostic.
pub(crate) fn to_json(file: &str, findings: &Findings) -> serde_json::Value {
    let diagnostics: Vec<_> = match findings {
        Findings::Syntax(message) => vec![json!({
            "severity": "error", "code": "syntax", "rule": null, "field": null,
            "value": null, "message": message, "help": "fix the file's syntax or the key's type",
        })],
        Findings::Checked(d) => d
            .iter()
            .map(|d| {
                json!({
                    "severity": d.severity().as_str(),
                    "code": d.code.as_str(),
                    "rule": d.location.rule,
                    "field": d.location.field,
                    "value": d.value,
                    "message": d.message,
                    "help": d.help,
                })
            })
            .collect(),
        Findings::Problems(p) => p
            .iter()
            .map(|p| {
                json!({
                    "severity": p.severity().as_str(),
                    "code": p.code.as_str(),
                    "location": p.location,
                    "value": p.value,
                    "message": p.message,
                    "help": p.help,
                })
            })
            .collect(),
    };
    let count = |s: &str| diagnostics.iter().filter(|d| d["severity"] == s).count();
    json!({
        "file": file,
        "valid": findings.is_valid(),
        "errors": count("error"),
        "warnings": count("warning"),
        "diagnostics": diagnostics,
    })
}

/// Prints gateway/S3 problems, one line and a help line each.
pub(crate) fn print_problems(file: &str, problems: &[Problem], out: &Output) {
    for p in problems {
        let (style, label) = if p.is_error() { (Style::Error, "error") } else { (Style::Warning, "warning") };
        let value = if p.value.is_empty() { String::new() } else { format!(" `{}`", p.value) };
        let place =
            if p.location.is_empty() && value.is_empty() { String::new() } else { format!("{}{value}: ", p.location) };
        emit(&format!("{}: {file}: {place}{}", out.paint(style, &format!("{label}[{}]", p.code)), p.message));
        emit(&format!("  {} {}", out.paint(Style::Dim, "help:"), p.help));
    }
}

/// The findings as text, then a summary line.
pub(crate) fn print_text(file: &str, findings: &Findings, out: &Output) {
    match findings {
        Findings::Syntax(message) => {
            emit(&format!("{}: {file}: {message}", out.paint(Style::Error, "error[syntax]")));
        }
        Findings::Checked(diagnostics) => {
            for d in diagnostics {
                let (style, label) = match d.severity() {
                    Severity::Error => (Style::Error, "error"),
                    Severity::Warning => (Style::Warning, "warning"),
                    Severity::Note => (Style::Dim, "note"),
                };
                let value = if d.value.is_empty() { String::new() } else { format!(" `{}`", d.value) };
                emit(&format!(
                    "{}: {file}: {}{value}: {}",
                    out.paint(style, &format!("{label}[{}]", d.code)),
                    d.location,
                    d.message
                ));
                emit(&format!("  {} {}", out.paint(Style::Dim, "help:"), d.help));
            }
        }
        Findings::Problems(p) => print_problems(file, p, out),
    }
    let (errors, warnings) = match findings {
        Findings::Syntax(_) => (1, 0),
        Findings::Checked(d) => (
            d.iter().filter(|d| d.severity() == Severity::Error).count(),
            d.iter().filter(|d| d.severity() == Severity::Warning).count(),
        ),
        Findings::Problems(p) => {
            (p.iter().filter(|p| p.is_error()).count(), p.iter().filter(|p| !p.is_error()).count())
        }
    };
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if errors == 0 {
        emit(&format!(
            "{}: {} ({})",
            out.paint(Style::Ok, "valid"),
            out.paint(Style::Bold, file),
            plural(warnings, "warning")
        ));
    } else {
        emit(&format!(
            "{}: {} ({}, {})",
            out.paint(Style::Error, "invalid"),
            out.paint(Style::Bold, file),
            plural(errors, "error"),
            plural(warnings, "warning")
        ));
    }
}
