//! A CORS misconfiguration scanner that proves what it reports.
//!
//! The audit sends probes derived from the target's own origin and
//! registrable domain — `Origin` values an attacker could own, preflights
//! asking for state-changing methods, Private Network Access, duplicate and
//! comma-joined `Origin`, CR and CRLF inside `Origin`, path variants — and
//! hands each answer to [`crossgate_browser`]'s emulator. A finding is
//! reported only when the emulator says a page on the probe's origin can
//! read the response (with or without the visitor's cookies, and in which
//! engines); weaker facts are `info` or `low`, with the reason.
//!
//! Sans-IO, like the emulator: [`Audit::poll`] says which probe to send,
//! [`Audit::handle`] takes the answer, [`Audit::report`] proves and explains.
//! The `net` feature adds the I/O (`net::run`: HTTP/1.1 over TCP and rustls,
//! raw-socket probes, `--connect-to`, a rate and timeouts).
//!
//! ```
//! use crossgate_audit::{Audit, Config, Next, Outcome, ProbeResponse};
//!
//! let mut audit = Audit::new(Config::new("https://shop.example.com/api/account", "doc1")).unwrap();
//! // A server that reflects every Origin, with credentials.
//! while let Next::Send(probe) = audit.poll() {
//!     let mut headers = vec![("vary", "Origin")];
//!     let origin = probe.request.header_value("origin").map(|o| String::from_utf8_lossy(o).into_owned());
//!     if let Some(o) = &origin {
//!         headers.push(("access-control-allow-origin", o));
//!         headers.push(("access-control-allow-credentials", "true"));
//!     }
//!     audit.handle(probe.id, Outcome::Response(ProbeResponse::new(200, &headers)));
//! }
//! let report = audit.report();
//! assert_eq!(report.findings[0].class.id(), "reflect_any");
//! assert_eq!(report.findings[0].proof,
//!     "a page on https://cgdoc1.com can read /api/account with the visitor's cookies in Chromium, Firefox and WebKit");
//! assert!(report.requests <= 300);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod analyze;
mod audit;
mod class;
mod finding;
mod fix;
#[cfg(feature = "net")]
pub mod net;
mod plan;
mod poc;
mod probe;
mod prove;
mod report;
mod response;
mod target;

pub use audit::{Audit, Config, Next, DEFAULT_MAX_REQUESTS};
pub use class::{Class, Severity};
pub use finding::{Exchange, Finding, Fix};
pub use probe::{Family, Method, Probe, ProbeRequest};
pub use prove::ENGINES;
pub use report::Report;
pub use response::{body_hash, Outcome, ProbeResponse};
pub use target::{AddressSpace, Target};
