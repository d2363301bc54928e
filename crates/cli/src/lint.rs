//! `crossgate lint FILE`: every error and warning in a policy file, a
//! gateway config (`crossgate serve --config`), or an S3 bucket CORS
//! configuration (XML, or the JSON `aws s3api get-bucket-cors` prints).

mod findings;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::output::{emit, Output};
use findings::lint_any;
pub(crate) use report::print_problems;
use report::{print_text, to_json};

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
