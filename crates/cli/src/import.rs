//! `crossgate import FILE --from DIALECT`: another framework's CORS
//! configuration as a crossgate policy, read without running it, with a
//! finding for everything that does not translate exactly.

use std::path::PathBuf;
use std::process::ExitCode;

use crossgate_convert::{Dialect, Finding, Imported, Severity};
use serde_json::json;

use crate::output::{emit, Output, Style};

/// Arguments of `crossgate import`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The file: settings.py (django), the app module that calls
    /// `CORS(app, …)` (flask) or adds `CORSMiddleware` (starlette, fastapi),
    /// the options object of `cors` as JSON or a JavaScript literal (express),
    /// a site file or `server` block (nginx), a CorsPolicy or route
    /// configuration (envoy), or HTTPRoutes (gateway-api), YAML or JSON.
    file: PathBuf,

    /// The dialect the file is written in: django, flask, starlette (fastapi), express, nginx, envoy, gateway-api.
    #[arg(long = "from", value_name = "DIALECT", value_parser = parse_dialect)]
    from: Dialect,

    /// Write the policy here (TOML) instead of printing it.
    #[arg(short = 'o', long = "output", value_name = "POLICY.toml")]
    output: Option<PathBuf>,

    /// Print one JSON object (findings and the policy) instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn parse_dialect(s: &str) -> Result<Dialect, String> {
    s.parse()
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
    let imported = crossgate_convert::import(args.from, &text);
    let toml = imported.policy.as_ref().map(|_| policy_toml(&name, args.from, &imported));
    if let (Some(path), Some(toml)) = (&args.output, &toml) {
        if let Err(e) = std::fs::write(path, toml) {
            eprintln!("crossgate: error: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if args.json {
        emit(&to_json(&name, args.from, &imported).to_string());
    } else {
        print_findings(&name, &imported.findings, out, args.output.is_none());
        if let Some(hosts) = &imported.allowed_hosts {
            note(out, args.output.is_none(), &format!("ALLOWED_HOSTS is a gateway setting: put `allowed_hosts = {}` in the `crossgate serve --config` file", toml_list(hosts)));
        }
        let summary = summary(&name, args.from, &imported, args.output.as_ref().map(|p| p.display().to_string()), out);
        match (&args.output, &toml) {
            (None, Some(toml)) => {
                eprintln!("{summary}");
                print!("{toml}");
            }
            _ => emit(&summary),
        }
    }
    if imported.is_exact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn note(out: &Output, to_stderr: bool, line: &str) {
    let line = format!("{}: {line}", out.paint(Style::Dim, "note"));
    if to_stderr {
        eprintln!("{line}");
    } else {
        emit(&line);
    }
}

/// Findings as `crossgate lint` prints them, with the differing requests indented.
pub(crate) fn print_findings(file: &str, findings: &[Finding], out: &Output, to_stderr: bool) {
    for f in findings {
        let (style, label) = match f.severity {
            Severity::Error => (Style::Error, "error"),
            Severity::Warning => (Style::Warning, "warning"),
            Severity::Note => (Style::Dim, "note"),
        };
        let value = if f.value.is_empty() { String::new() } else { format!(" `{}`", f.value) };
        let place =
            if f.location.is_empty() && value.is_empty() { String::new() } else { format!("{}{value}: ", f.location) };
        let mut lines =
            vec![format!("{}: {file}: {place}{}", out.paint(style, &format!("{label}[{}]", f.code)), f.message)];
        for d in &f.differs {
            lines.push(format!("  {} {d}", out.paint(Style::Dim, "differs:")));
        }
        if f.severity != Severity::Note {
            lines.push(format!("  {} {}", out.paint(Style::Dim, "help:"), f.help));
        }
        for l in lines {
            if to_stderr {
                eprintln!("{l}");
            } else {
                emit(&l);
            }
        }
    }
}

fn summary(file: &str, from: Dialect, imported: &Imported, written: Option<String>, out: &Output) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let counts = format!(
        "{}, {}, {}",
        plural(imported.count(Severity::Error), "error"),
        plural(imported.count(Severity::Warning), "warning"),
        plural(imported.count(Severity::Note), "note")
    );
    let to = written.map(|w| format!(" → {w}")).unwrap_or_default();
    match (&imported.policy, imported.is_exact()) {
        (None, _) => format!(
            "{}: {} ({from}) could not be read ({counts})",
            out.paint(Style::Error, "failed"),
            out.paint(Style::Bold, file)
        ),
        (Some(_), true) => {
            format!("{}: {} ({from}){to} ({counts})", out.paint(Style::Ok, "exact"), out.paint(Style::Bold, file))
        }
        (Some(_), false) => format!(
            "{}: {} ({from}){to}: the closest safe policy, which differs as listed ({counts})",
            out.paint(Style::Error, "not exact"),
            out.paint(Style::Bold, file)
        ),
    }
}

fn toml_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", "))
}

/// The policy file, with a header saying where it came from and what differs.
fn policy_toml(file: &str, from: Dialect, imported: &Imported) -> String {
    let mut s = format!("# Imported from {file} ({from}) by `crossgate import`.\n");
    if !imported.is_exact() {
        s.push_str("# NOT EXACT: this is the closest safe policy; these differ from the original:\n");
    }
    for f in imported.findings.iter().filter(|f| f.severity != Severity::Note) {
        s.push_str(&format!(
            "# {}[{}] {}: {}\n",
            f.severity.as_str(),
            f.code,
            f.location,
            f.message.replace('\n', " ")
        ));
        for d in &f.differs {
            s.push_str(&format!("#   differs: {d}\n"));
        }
    }
    for f in imported.findings.iter().filter(|f| f.severity == Severity::Note) {
        s.push_str(&format!("# note: {}\n", f.message));
    }
    if let Some(hosts) = &imported.allowed_hosts {
        s.push_str(&format!("# gateway: allowed_hosts = {}\n", toml_list(hosts)));
    }
    if let Some(policy) = &imported.policy {
        s.push('\n');
        s.push_str(&toml::to_string(policy).unwrap_or_default());
    }
    s
}

fn to_json(file: &str, from: Dialect, imported: &Imported) -> serde_json::Value {
    json!({
        "file": file,
        "from": from.as_str(),
        "exact": imported.is_exact(),
        "errors": imported.count(Severity::Error),
        "warnings": imported.count(Severity::Warning),
        "notes": imported.count(Severity::Note),
        "findings": findings_json(&imported.findings),
        "policy": imported.policy.as_ref().map(|p| serde_json::to_value(p).unwrap_or_default()),
        "allowed_hosts": imported.allowed_hosts,
    })
}

pub(crate) fn findings_json(findings: &[Finding]) -> Vec<serde_json::Value> {
    findings
        .iter()
        .map(|f| {
            json!({
                "severity": f.severity.as_str(),
                "code": f.code.as_str(),
                "location": f.location,
                "value": f.value,
                "message": f.message,
                "help": f.help,
                "differs": f.differs,
            })
        })
        .collect()
}
