//! `crossgate lint FILE`: every error and warning in a policy file, a
//! gateway config (`crossgate serve --config`), or an S3 bucket CORS
//! configuration (XML, or the JSON `aws s3api get-bucket-cors` prints).

use std::path::PathBuf;
use std::process::ExitCode;

use std::path::Path;

use crossgate_core::{Diagnostic, Policy, PolicyConfig, Severity};
use crossgate_gateway::Problem;
use serde_json::json;

use crate::output::{emit, Output, Style};

/// Arguments of `crossgate lint`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The file: a policy (TOML, or JSON when it ends in `.json`), a gateway
    /// config (TOML with [[route]]), or an S3 CORS configuration (`.xml`, or
    /// JSON with `CORSRules`).
    file: PathBuf,

    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// What linting a file found.
pub(crate) enum Findings {
    /// The file is not TOML/JSON of the right shape.
    Syntax(String),
    /// Diagnostics from validation (possibly warnings only).
    Checked(Vec<Diagnostic>),
    /// Problems in a gateway config or S3 CORS file.
    Problems(Vec<Problem>),
}

impl Findings {
    fn is_valid(&self) -> bool {
        match self {
            Findings::Syntax(_) => false,
            Findings::Checked(d) => d.iter().all(|d| d.severity() != Severity::Error),
            Findings::Problems(p) => p.iter().all(|p| !p.is_error()),
        }
    }
}

/// Which kind of file this is, from its extension and top-level keys.
pub(crate) fn lint_any(path: &Path, text: &str) -> Findings {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("xml") => lint_s3(text, false),
        Some("json") => {
            let s3 = serde_json::from_str::<serde_json::Value>(text)
                .is_ok_and(|v| v.get("CORSRules").is_some() || v.get("CORSConfiguration").is_some());
            if s3 {
                lint_s3(text, true)
            } else {
                lint_policy(text, true)
            }
        }
        _ => {
            let gateway =
                toml::from_str::<toml::Table>(text).is_ok_and(|t| t.contains_key("route") || t.contains_key("listen"));
            if gateway {
                let base = path.parent().unwrap_or(Path::new("."));
                Findings::Problems(match crossgate_gateway::load_str(text, base) {
                    Ok(rt) => rt.warnings().to_vec(),
                    Err(p) => p.0,
                })
            } else {
                lint_policy(text, false)
            }
        }
    }
}

fn lint_s3(text: &str, json: bool) -> Findings {
    let mut problems = Vec::new();
    let _ = crossgate_gateway::s3::S3Cors::parse(text, json, "CORSConfiguration", &mut problems);
    Findings::Problems(problems)
}

/// Parses and validates a policy file's text.
pub(crate) fn lint_policy(text: &str, json: bool) -> Findings {
    let config = if json {
        PolicyConfig::from_json(text).map_err(|e| e.to_string())
    } else {
        PolicyConfig::from_toml(text).map_err(|e| e.to_string())
    };
    match config {
        Err(e) => Findings::Syntax(e.trim_end().to_owned()),
        Ok(config) => match Policy::new(config) {
            Ok(built) => Findings::Checked(built.warnings),
            Err(errors) => Findings::Checked(errors.diagnostics),
        },
    }
}

pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    let name = args.file.display().to_string();
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("crossgate: error: cannot read {name}: {e}");
            return ExitCode::from(2);
        }
    };
    let findings = lint_any(&args.file, &text);
    if args.json {
        emit(&to_json(&name, &findings).to_string());
    } else {
        print_text(&name, &findings, out);
    }
    if findings.is_valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn to_json(file: &str, findings: &Findings) -> serde_json::Value {
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

fn print_text(file: &str, findings: &Findings, out: &Output) {
    match findings {
        Findings::Syntax(message) => {
            emit(&format!("{}: {file}: {message}", out.paint(Style::Error, "error[syntax]")));
        }
        Findings::Checked(diagnostics) => {
            for d in diagnostics {
                let (style, label) = match d.severity() {
                    Severity::Error => (Style::Error, "error"),
                    Severity::Warning => (Style::Warning, "warning"),
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
