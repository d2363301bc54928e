//! The sans-IO CORS policy engine behind crossgate.
//!
//! A [`Policy`] is a validated, compiled list of rules. Given a request's
//! method, path and headers it returns a typed [`Decision`]: what kind of
//! request this is (not CORS, preflight, actual), whether it is allowed and
//! by which rule, or why not, and exactly which headers the response gets.
//! No sockets, no async, no clock; deciding allocates nothing.
//!
//! ```
//! use crossgate_core::{Action, Policy, PolicyConfig, RuleConfig};
//! use http::{HeaderMap, HeaderValue, Method};
//!
//! let built = Policy::new(PolicyConfig::new(
//!     RuleConfig::new(["https://app.example.com", "https://*.example.org"])
//!         .methods(["GET", "POST", "DELETE"])
//!         .request_headers(["content-type"])
//!         .credentials(true)
//!         .max_age(600),
//! ))?;
//! assert!(built.warnings.is_empty());
//! let policy = built.policy;
//!
//! let mut request = HeaderMap::new();
//! request.insert("origin", HeaderValue::from_static("https://shop.example.org"));
//! let decision = policy.evaluate(&Method::GET, "/cart", &request);
//! assert!(decision.is_allowed());
//!
//! // Pass the request on, then finish the inner service's response.
//! let Action::Forward(pending) = decision.into_action() else { panic!("not answered locally") };
//! let mut response = HeaderMap::new();
//! pending.finish(&mut response).unwrap();
//! assert_eq!(response["access-control-allow-origin"], "https://shop.example.org");
//! assert_eq!(response["access-control-allow-credentials"], "true");
//! assert_eq!(response["vary"], "Origin");
//! # Ok::<(), crossgate_core::ConfigErrors>(())
//! ```
//!
//! Design decisions:
//!
//! - **Insecure policies cannot be built.** `*` with credentials, `null`,
//!   credentialed public-suffix wildcards and credentialed plain-http origins
//!   are errors unless a `dangerously_…` opt-in says otherwise. Every problem
//!   is reported at once, as a [`Diagnostic`] with a stable [`Code`].
//! - **Origins are compared as bytes.** Configured origins are canonicalised
//!   once; a request's `Origin` is never normalised, so a value a browser
//!   would not send simply does not match.
//! - **Rules are ordered** (S3's `CORSRule` semantics): the first rule that
//!   matches the origin, method and every requested header wins.
//! - **`Vary` is derived**, never configured.

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod acrh;
mod answer;
mod build;
mod config;
mod decision;
mod diagnostics;
mod evaluate;
mod fast_hash;
pub mod fetch;
mod handle;
pub mod header;
pub mod limits;
mod max_age;
pub mod origin;
mod origin_set;
mod path;
mod policy;
mod predicate;
mod preset;
mod reason;
mod response;
mod rule;
mod vary;

pub use answer::{Action, LocalAnswer, Pending};
pub use build::{Built, LoadError};
pub use config::{Mode, PolicyConfig, RuleConfig, UpstreamCorsHeaders};
pub use decision::{Decision, Outcome, RequestKind};
pub use diagnostics::{Code, ConfigErrors, Diagnostic, Location, Severity};
pub use handle::{CurrentPolicy, PolicyHandle};
pub use origin_set::OriginSet;
pub use policy::Policy;
pub use predicate::OriginPredicate;
pub use preset::Preset;
pub use reason::{RejectReason, RequestHeader};
pub use response::{CorsHeaders, UpstreamConflict};
pub use vary::VarySet;
