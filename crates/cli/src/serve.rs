//! `crossgate serve`: the CORS gateway, or with no `--config` the built-in
//! demo. A thin wrapper: the gateway and demo crates do the work; this file
//! parses flags, sets up logging and turns signals into reloads and
//! shutdowns.

use std::path::PathBuf;
use std::process::ExitCode;

mod signals;

use crate::lint::print_problems;
use crate::output::{emit, Output, Style};
use signals::wait_for_signals;

/// Arguments of `crossgate serve`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The gateway config (TOML). Without it: the built-in demo, a
    /// front-end and an API on two loopback origins.
    #[arg(long, short)]
    config: Option<PathBuf>,

    /// Validate the config (and every policy and S3 file it names), print
    /// every problem, and exit: 0 valid, 1 invalid.
    #[arg(long, requires = "config")]
    check_config: bool,

    /// Access-log and event format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,

    /// Worker threads (default: one per CPU). With 1, everything runs on a
    /// single thread, like one nginx worker process.
    #[arg(long, env = "CROSSGATE_WORKERS", value_parser = clap::value_parser!(u16).range(1..=1024))]
    workers: Option<u16>,

    /// Demo: where the SQLite file lives (default: the user's data directory).
    #[arg(long)]
    data_dir: Option<PathBuf>,

    /// Demo: the API origin's port (0 picks a free one).
    #[arg(long, default_value_t = 8000)]
    api_port: u16,

    /// Demo: the front-end origin's port (0 picks a free one).
    #[arg(long, default_value_t = 3000)]
    front_port: u16,
}

/// `--log-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CROSSGATE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    if let (Some(path), true) = (&args.config, args.check_config) {
        return check(path, out);
    }
    init_logging(args.log_format);
    // One worker: a current-thread runtime, which skips the work-stealing
    // scheduler's cross-thread bookkeeping.
    let mut builder = match args.workers {
        Some(1) => tokio::runtime::Builder::new_current_thread(),
        Some(n) => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(usize::from(n));
            b
        }
        None => tokio::runtime::Builder::new_multi_thread(),
    };
    let rt = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("crossgate: error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    rt.block_on(async {
        match &args.config {
            Some(path) => serve_config(path, out).await,
            None => serve_demo(args, out).await,
        }
    })
}

fn check(path: &std::path::Path, out: &Output) -> ExitCode {
    let name = path.display().to_string();
    match crossgate_gateway::load_file(path) {
        Ok(rt) => {
            print_problems(&name, rt.warnings(), out);
            emit(&format!(
                "{}: {} ({}, {})",
                out.paint(Style::Ok, "valid"),
                out.paint(Style::Bold, &name),
                plural(rt.route_count(), "route"),
                plural(rt.warnings().len(), "warning")
            ));
            ExitCode::SUCCESS
        }
        Err(problems) => {
            print_problems(&name, &problems.0, out);
            let errors = problems.errors().count();
            emit(&format!(
                "{}: {} ({})",
                out.paint(Style::Error, "invalid"),
                out.paint(Style::Bold, &name),
                plural(errors, "error")
            ));
            ExitCode::from(1)
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

async fn serve_config(path: &std::path::Path, out: &Output) -> ExitCode {
    let runtime = match crossgate_gateway::load_file(path) {
        Ok(rt) => rt,
        Err(problems) => {
            print_problems(&path.display().to_string(), &problems.0, out);
            return ExitCode::from(2);
        }
    };
    for w in runtime.warnings() {
        tracing::warn!("{w}");
    }
    let gateway = match crossgate_gateway::Gateway::start(runtime, Some(path.to_path_buf())).await {
        Ok(g) => g,
        Err(e) => {
            eprintln!("crossgate: error: cannot listen: {e}");
            return ExitCode::from(2);
        }
    };
    emit(&format!("crossgate: gateway listening on http://{}", gateway.local_addr()));
    if let Some(a) = gateway.admin_addr() {
        emit(&format!("crossgate: admin on http://{a}/-/health and http://{a}/-/metrics"));
    }
    wait_for_signals(Some(&gateway)).await;
    tracing::info!("shutting down: draining in-flight requests");
    if !gateway.shutdown().await {
        tracing::warn!("shutdown timeout reached with requests still in flight");
    }
    ExitCode::SUCCESS
}

async fn serve_demo(args: &Args, out: &Output) -> ExitCode {
    let opts = crossgate_demo::Options {
        data_dir: args.data_dir.clone().unwrap_or_else(crossgate_demo::default_data_dir),
        api_port: args.api_port,
        front_port: args.front_port,
    };
    let running = match crossgate_demo::start(&opts).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("crossgate: error: cannot start the demo: {e} (try --api-port 0 --front-port 0 for free ports)");
            return ExitCode::from(2);
        }
    };
    emit(&out.paint(Style::Bold, "crossgate demo: a front-end and an API on two origins"));
    emit(&format!("  front-end (allowed origin):     {}/", running.front_url));
    emit(&format!("  same page, disallowed origin:   {}/", running.other_front_url));
    emit(&format!("  API behind the gateway:         {}/api/notes", running.api_url));
    emit(&format!("  database:                       {}", running.database.display()));
    emit("Open the first URL in a browser; Ctrl-C stops.");
    wait_for_signals(None).await;
    running.shutdown().await;
    ExitCode::SUCCESS
}
