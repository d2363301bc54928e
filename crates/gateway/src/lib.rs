//! The CORS gateway behind `crossgate serve`: a streaming reverse proxy
//! that answers CORS at the edge with crossgate's policy engine.
//!
//! - [`load_file`] / [`load_str`]: the TOML config, validated as a whole
//!   into a [`Runtime`], or every [`Problem`] at once.
//! - [`Gateway`]: listeners, connection limits, reload and graceful drain.
//! - [`s3`]: S3 bucket CORS configurations and S3's answers.
//! - [`explain()`]: what Chromium does with a described [`Call`] against a
//!   config (the browser emulator and the engine in memory), in words and
//!   JSON, as `/-/explain` answers.
//!
//! Embedding it (what `crossgate serve --config` does, minus signals):
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use std::path::Path;
//!
//! let config = r#"
//! listen = "127.0.0.1:8080"
//! allowed_hosts = ["localhost", "127.0.0.1"]
//! [[route]]
//! path = "/api"
//! upstream = "http://127.0.0.1:8000"
//! rule = [{ origins = ["http://localhost:3000"], methods = ["GET", "POST"], credentials = true }]
//! "#;
//! let runtime = crossgate_gateway::load_str(config, Path::new("."))
//!     .unwrap_or_else(|problems| panic!("{problems}"));
//! let gateway = crossgate_gateway::Gateway::start(runtime, None).await?;
//! println!("listening on {}", gateway.local_addr());
//! // … later: stop accepting and drain in-flight requests.
//! let drained = gateway.shutdown().await;
//! # let _ = drained;
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod body;
mod call;
mod code;
mod codes;
mod config;
mod cors_step;
mod explain;
mod forward;
mod hop_by_hop;
mod hosts;
mod labels;
mod metrics;
mod problem;
mod proxy;
mod query;
mod response;
mod runtime;
pub mod s3;
mod server;
mod shared;
mod target;
mod upstream;

pub use call::Call;
pub use code::Code;
pub use config::{load_file, load_str};
pub use explain::explain;
pub use problem::{Problem, Problems};
pub use runtime::Runtime;
pub use server::Gateway;
