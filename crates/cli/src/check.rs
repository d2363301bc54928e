//! `crossgate check`: not built yet.

use std::process::ExitCode;

use crate::output::Output;

/// Arguments of `crossgate check`.
#[derive(clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: &Args, _out: &Output) -> ExitCode {
    eprintln!("crossgate: `check` is not available in this build");
    ExitCode::from(2)
}
