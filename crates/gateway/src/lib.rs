//! The CORS gateway behind `crossgate serve`: a streaming reverse proxy
//! that answers CORS at the edge with crossgate's policy engine.
//!
//! - [`config`]: the TOML config, validated as a whole ([`load_file`]).
//! - [`proxy`]: the request path (`Host` check, route, decision, forward).
//! - [`s3`]: S3 bucket CORS configurations and S3's answers.
//! - [`server`]: listeners, connection limits, reload and graceful drain.
//! - [`upstream`]: pooled upstream connections, driven by the requests using them.
//! - [`explain`]: what Chromium does with a described call against the running
//!   policy (the browser emulator and the engine in memory), in words and
//!   JSON, for the demo page and `/-/explain`.
//! - [`demo`]: the built-in scene `crossgate serve` starts without a config.
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

pub mod body;
pub mod config;
pub mod demo;
mod cors_step;
pub mod explain;
pub mod hosts;
pub mod metrics;
pub mod problem;
pub mod proxy;
pub mod s3;
pub mod server;
pub mod upstream;

pub use config::{load_file, load_str, Runtime};
pub use problem::{Problem, Problems};
pub use server::Gateway;
