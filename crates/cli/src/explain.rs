//! `crossgate explain FILE.har`: diagnose every CORS failure in a browser's
//! exported network log (`crossgate-har` does the work), as text, JSON or a
//! self-contained HTML page, and optionally write the policy that would
//! allow the blocked calls.
//!
//! Exit codes: 0 nothing was blocked, 1 something was, 2 an unreadable file
//! or a usage error.

mod html;
mod json;
mod text;

use std::path::PathBuf;
use std::process::ExitCode;

use crossgate_browser::{Origin, Profile};
use crossgate_har::{explain, propose, Options, Proposal};

use crate::output::{emit, Output};

/// Arguments of `crossgate explain`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The HAR file (DevTools → Network → Export HAR).
    file: PathBuf,
    /// Which browser's rules to replay with.
    #[arg(long, default_value = "chromium", value_parser = ["chromium", "firefox", "webkit"])]
    browser: String,
    /// Only requests whose URL matches this glob (`*` matches anything).
    #[arg(long, value_name = "URL-GLOB")]
    only: Option<String>,
    /// The page's origin, for requests whose origin the file does not show.
    #[arg(long)]
    origin: Option<String>,
    /// Print one JSON object instead of the report.
    #[arg(long)]
    json: bool,
    /// Also write the diagnosis as one self-contained HTML page.
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
    /// Write the policy that allows the blocked calls that looked intended.
    #[arg(long, value_name = "POLICY.toml")]
    policy_out: Option<PathBuf>,
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("crossgate explain: {msg}");
    ExitCode::from(2)
}

pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    let origin = match args.origin.as_deref().map(|o| (o, Origin::parse(o))) {
        None => None,
        Some((_, Some(o))) => Some(o),
        Some((o, None)) => return fail(&format!("--origin `{o}` is not an origin (scheme://host[:port])")),
    };
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => return fail(&format!("{}: {e}", args.file.display())),
    };
    let profile = Profile::parse(&args.browser).unwrap_or_default();
    let options = Options { profile, origin, only: args.only.clone() };
    let report = match explain(&bytes, &options) {
        Ok(r) => r,
        Err(e) => return fail(&format!("{}: {e}", args.file.display())),
    };
    let name =
        args.file.file_name().map_or_else(|| args.file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let proposal = args.policy_out.as_ref().map(|_| propose(&report, profile));
    if let (Some(path), Some(p)) = (&args.policy_out, &proposal) {
        if let Err(e) = write_policy(path, p) {
            return fail(&e);
        }
    }
    if let Some(path) = &args.html {
        if let Err(e) = std::fs::write(path, html::page(&name, &report)) {
            return fail(&format!("{}: {e}", path.display()));
        }
    }
    if args.json {
        emit(&json::report(&report, proposal.as_ref()));
    } else {
        for line in text::report(&name, &report, out) {
            emit(&line);
        }
        if let (Some(path), Some(p)) = (&args.policy_out, &proposal) {
            for line in text::proposal(path, p) {
                emit(&line);
            }
        }
    }
    ExitCode::from(u8::from(report.any_blocked()))
}

/// The proposal as a policy file, linted by loading it back.
fn write_policy(path: &std::path::Path, p: &Proposal) -> Result<(), String> {
    let mut text = p.to_toml();
    if p.config.is_some() {
        let built =
            crossgate_core::Policy::from_toml(&text).map_err(|e| format!("the proposed policy does not load: {e}"))?;
        for w in &built.warnings {
            text.push_str(&format!("# lint: {w}\n"));
        }
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}
