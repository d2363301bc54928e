//! `crossgate export POLICY --to DIALECT`: a crossgate policy written as
//! another system's CORS configuration, with a comment header (and a
//! finding) for everything the target cannot say.

use std::path::PathBuf;
use std::process::ExitCode;

use crossgate_convert::Dialect;
use crossgate_core::PolicyConfig;

use crate::import::print_findings;
use crate::output::{emit, Output, Style};

/// Arguments of `crossgate export`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The policy file (TOML, or JSON for a `.json` file).
    policy: PathBuf,

    /// The target: django (settings), flask (an app calling CORS), starlette (an app with CORSMiddleware),
    /// express (cors options), nginx (a server block), envoy (a v3
    /// CorsPolicy), gateway-api (an HTTPRoute with CORS filters).
    /// s3 (a bucket's CORSConfiguration, XML).
    #[arg(long = "to", value_name = "DIALECT", value_parser = parse_target)]
    to: Target,

    /// Write the configuration here instead of printing it.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

/// What `--to` names: a dialect `import` also reads, or S3.
#[derive(Clone, Copy)]
enum Target {
    Dialect(Dialect),
    S3,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Dialect(d) => d.fmt(f),
            Target::S3 => f.write_str("s3"),
        }
    }
}

fn parse_target(s: &str) -> Result<Target, String> {
    if s.eq_ignore_ascii_case("s3") {
        return Ok(Target::S3);
    }
    crate::import::parse_dialect(s).map(Target::Dialect).map_err(|e| format!("{e}, s3"))
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
    let parsed: Result<PolicyConfig, String> = if args.policy.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    } else {
        toml::from_str(&text).map_err(|e| e.to_string())
    };
    let policy = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!("crossgate: error: {name} is not a policy file: {e} (check it with `crossgate lint {name}`)");
            return ExitCode::from(2);
        }
    };
    let exported = match args.to {
        Target::Dialect(d) => crossgate_convert::export(d, &policy),
        Target::S3 => crossgate_convert::export_s3(&policy),
    };
    let to_stderr = args.output.is_none();
    print_findings(&name, &exported.findings, out, to_stderr);
    let verdict = if exported.is_exact() {
        format!("{}: {} → {}", out.paint(Style::Ok, "exact"), out.paint(Style::Bold, &name), args.to)
    } else {
        format!(
            "{}: {} → {}: the target answers differently as listed",
            out.paint(Style::Error, "not exact"),
            out.paint(Style::Bold, &name),
            args.to
        )
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &exported.text) {
                eprintln!("crossgate: error: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
            emit(&format!("{verdict} ({})", path.display()));
        }
        None => {
            eprintln!("{verdict}");
            print!("{}", exported.text);
        }
    }
    if exported.is_exact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
