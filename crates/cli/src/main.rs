//! `crossgate`: CORS, both halves.
//!
//! Exit codes: 0 success (valid, allowed), 1 a finding (invalid policy,
//! blocked request), 2 a usage, configuration or I/O error.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod audit;
mod check;
mod explain;
mod export;
mod import;
mod lint;
mod output;
mod serve;

/// CORS, both halves: a validated policy engine and gateway for servers, and
/// a browser-faithful checker that explains why a request is blocked.
#[derive(Parser)]
#[command(name = "crossgate", version, propagate_version = true)]
struct Cli {
    /// When to colour output: auto (when a terminal), always, never.
    #[arg(long, global = true, value_enum, default_value_t = output::ColorChoice::Auto)]
    color: output::ColorChoice,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a policy file (TOML or JSON) and print every error and warning.
    Lint(lint::Args),
    /// Run a request against a live URL as a browser would, and explain the verdict.
    Check(Box<check::Args>),
    /// Run the CORS gateway (with no --config: the built-in demo).
    Serve(serve::Args),
    /// Read another framework's CORS configuration as a crossgate policy, without running it.
    Import(import::Args),
    /// Write a crossgate policy as Django, Flask, Starlette, Express, nginx, Envoy, Gateway API or S3 configuration, saying what it cannot express.
    Export(export::Args),
    /// Scan URLs for CORS misconfigurations, each finding proven by the browser emulator.
    Audit(Box<audit::Args>),
    /// Diagnose every CORS failure in a browser's HAR file, by replaying each exchange through the emulator.
    Explain(explain::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = output::Output::new(cli.color);
    match cli.command {
        Command::Lint(args) => lint::run(&args, &out),
        Command::Check(args) => check::run(&args, &out),
        Command::Serve(args) => serve::run(&args, &out),
        Command::Import(args) => import::run(&args, &out),
        Command::Export(args) => export::run(&args, &out),
        Command::Audit(args) => audit::run(&args, &out),
        Command::Explain(args) => explain::run(&args, &out),
    }
}
