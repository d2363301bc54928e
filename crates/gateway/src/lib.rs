//! The CORS gateway behind `crossgate serve`: a streaming reverse proxy
//! that answers CORS at the edge with crossgate's policy engine.
//!
//! - [`config`]: the TOML config, validated as a whole ([`load_file`]).
//! - [`proxy`]: the request path (`Host` check, route, decision, forward).
//! - [`s3`]: S3 bucket CORS configurations and S3's answers.
//! - [`server`]: listeners, connection limits, reload and graceful drain.
//! - [`explain`]: a policy decision in words, for the demo page and `/-/explain`.
//! - [`demo`]: the built-in scene `crossgate serve` starts without a config.

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub mod body;
pub mod config;
pub mod demo;
mod edge;
pub mod explain;
pub mod hosts;
pub mod metrics;
pub mod problem;
pub mod proxy;
pub mod s3;
pub mod server;

pub use config::{load_file, load_str, Runtime};
pub use problem::{Problem, Problems};
pub use server::Gateway;
