//! A tower [`Layer`] that applies a [`crossgate_core::Policy`] to every
//! request: axum, hyper and tonic alike.
//!
//! ```
//! use axum::{routing::get, Router};
//! use crossgate_core::{Policy, PolicyConfig, RuleConfig};
//! use crossgate_tower::CorsLayer;
//!
//! let policy = Policy::new(PolicyConfig::new(
//!     RuleConfig::new(["https://app.example.com"])
//!         .methods(["GET", "POST", "DELETE"])
//!         .request_headers(["content-type"]),
//! ))
//! .expect("valid policy")
//! .policy;
//!
//! let app: Router = Router::new()
//!     .route("/items", get(|| async { "[]" }))
//!     .layer(CorsLayer::new(policy));
//! # drop(app);
//! ```
//!
//! What the layer does, per request ([`Policy::evaluate_request`]):
//!
//! - **Preflight** (`OPTIONS` + `Origin` + `Access-Control-Request-Method`):
//!   answered here, never passed on — the policy's status with its headers,
//!   or 403 without CORS headers (with a one-line reason in debug mode).
//!   Any other `OPTIONS` goes to the inner service.
//! - **Actual request**: passed to the inner service; its response, whatever
//!   the status, gets the CORS headers and `Vary`. In strict mode a rejected
//!   cross-origin request is answered 403 before the inner service runs.
//! - **Report-only mode**: nothing is changed; each rejection is logged.
//!
//! Rejections are `tracing` events (target `crossgate`) with the typed reason.
//! The layer never allocates to decide; the response body type wraps the
//! inner one ([`CorsBody`]) so that no `Default` body is required.
//!
//! [`Policy::evaluate_request`]: crossgate_core::Policy::evaluate_request

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod body;
mod future;
mod layer;

pub use body::CorsBody;
pub use future::ResponseFuture;
pub use layer::{Cors, CorsLayer};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
mod readme {}
