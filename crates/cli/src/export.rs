//! `crossgate export POLICY --to DIALECT`: a crossgate policy written as
//! another framework's CORS configuration, with a comment header saying
//! what the target cannot express.

use std::path::PathBuf;
use std::process::ExitCode;

use crossgate_convert::{Dialect, Severity};
use crossgate_core::{Policy, PolicyConfig};

use crate::import::{parse_dialect, print_findings};
use crate::output::{emit, Output, Style};

/// Arguments of `crossgate export`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The policy file (TOML, or JSON when it ends in `.json`).
    policy: PathBuf,

    /// The dialect to write.
    #[arg(long = "to", value_name = "DIALECT", value_parser = parse_dialect)]
    to: Dialect,

    /// Write here instead of printing.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    let name = args.policy.display().to_string();
    let text = match std::fs::read_to_string(&args.policy) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("crossgate: error: cannot read {name}: {e}");
            return ExitCode::from(2);
        }
    };
    let json = args.policy.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let config = if json {
        PolicyConfig::from_json(&text).map_err(|e| e.to_string())
    } else {
        PolicyConfig::from_toml(&text).map_err(|e| e.to_string())
    };
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            emit(&format!("{}: {name}: {}", out.paint(Style::Error, "error[syntax]"), e.trim_end()));
            return ExitCode::from(1);
        }
    };
    if let Err(errors) = Policy::new(config.clone()) {
        for d in &errors.diagnostics {
            emit(&format!("{}: {name}: {} `{}`: {}", out.paint(Style::Error, &format!("{}[{}]", d.severity().as_str(), d.code)), d.location, d.value, d.message));
            emit(&format!("  {} {}", out.paint(Style::Dim, "help:"), d.help));
        }
        emit(&format!("{}: {name} is not a valid policy; nothing exported", out.paint(Style::Error, "invalid")));
        return ExitCode::from(1);
    }
    let exported = crossgate_convert::export(args.to, &config);
    print_findings(&name, &exported.findings, out, args.output.is_none());
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &exported.text) {
                eprintln!("crossgate: error: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
            let n = exported.findings.iter().filter(|f| f.severity != Severity::Note).count();
            emit(&format!(
                "{}: {name} → {} ({}, {n} thing{} the target cannot express)",
                out.paint(Style::Ok, "exported"),
                path.display(),
                args.to,
                if n == 1 { "" } else { "s" }
            ));
        }
        None => print!("{}", exported.text),
    }
    ExitCode::SUCCESS
}
