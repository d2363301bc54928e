//! The built-in scene `crossgate serve` starts without a config: the seeds'
//! own system. A front-end origin serves a plain HTML/JS page (shipped in
//! the binary, no build step) that calls an API origin: a JSON CRUD service
//! over SQLite behind the gateway's policy. The policy allows the page's
//! `localhost` origin only, so the same page opened as `127.0.0.1` shows
//! the browser blocking the same calls, with crossgate's explanation: the
//! browser emulator's verdict and Chromium's console message for the same
//! call against the same policy, which the page shows beside what the real
//! browser did.
//!
//! It uses the gateway only as any embedder would, through
//! `crossgate-gateway`'s public API.

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod api;
mod gateway;
mod options;
mod page;
mod response;
mod scene;
mod server;

pub use options::{default_data_dir, Options};
pub use scene::{start, Demo};
