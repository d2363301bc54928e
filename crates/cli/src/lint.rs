//! `crossgate lint FILE`: every error and warning in a policy file.

use std::path::PathBuf;
use std::process::ExitCode;

use crossgate_core::{Diagnostic, Policy, PolicyConfig, Severity};
use serde_json::json;

use crate::output::{emit, Output, Style};

/// Arguments of `crossgate lint`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The policy file: TOML, or JSON when it ends in `.json`.
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
}

impl Findings {
    fn is_valid(&self) -> bool {
        match self {
            Findings::Syntax(_) => false,
            Findings::Checked(d) => d.iter().all(|d| d.severity() != Severity::Error),
        }
    }
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
    let is_json = args.file.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let findings = lint_policy(&text, is_json);
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
    }
    let (errors, warnings) = match findings {
        Findings::Syntax(_) => (1, 0),
        Findings::Checked(d) => (
            d.iter().filter(|d| d.severity() == Severity::Error).count(),
            d.iter().filter(|d| d.severity() == Severity::Warning).count(),
        ),
    };
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if errors == 0 {
        emit(&format!("{}: {} ({})", out.paint(Style::Ok, "valid"), out.paint(Style::Bold, file), plural(warnings, "warning")));
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
