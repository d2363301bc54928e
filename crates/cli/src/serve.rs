//! `crossgate serve`: not built yet.

use std::process::ExitCode;

use crate::output::Output;

/// Arguments of `crossgate serve`.
#[derive(clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: &Args, _out: &Output) -> ExitCode {
    eprintln!("crossgate: `serve` is not available in this build");
    ExitCode::from(2)
}
