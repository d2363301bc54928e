//! `crossgate explain`'s library: reads a browser's HAR file (Chrome/Edge,
//! sanitized or not, Firefox, Safari) and diagnoses every cross-origin
//! request in it by replaying the recorded exchange — preflight, redirect
//! hops, the responses' headers and statuses — through crossgate's browser
//! emulator. Each request gets a verdict (`allowed`, `blocked`, `not-cors`,
//! `not-a-cors-problem`), Chromium's error name and console message, the
//! step that failed, the fix in server terms, the crossgate rule that would
//! allow it, and the look-alikes (a server error hidden behind the CORS
//! error, a preflight refused by authentication, mixed content, CORP…).
//!
//! ```
//! use crossgate_har::{explain, Options, VerdictKind};
//!
//! let har = r#"{"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"}, "entries": [
//!   {"startedDateTime": "2026-01-01T00:00:00.000Z", "_resourceType": "fetch",
//!    "request": {"method": "GET", "url": "https://api.example/items",
//!                "headers": [{"name": "Origin", "value": "https://app.example"}]},
//!    "response": {"status": 500, "headers": [], "_error": "net::ERR_FAILED"}}]}}"#;
//! let report = explain(har.as_bytes(), &Options::default()).unwrap();
//! let d = &report.requests[0];
//! assert_eq!(d.verdict, VerdictKind::Blocked);
//! assert_eq!(d.error.as_ref().unwrap().code, "MissingAllowOriginHeader");
//! assert_eq!(d.finding.as_ref().unwrap().code(), "hidden-server-error");
//! assert_eq!(report.summary.line(), "1 request blocked by CORS, 1 hidden server error, 0 fine");
//! ```
//!
//! Sans-IO: it takes the file's bytes and returns the report; the CLI reads
//! the file and prints. It sits beside the audit scanner on layer 2 because
//! it joins the emulator with the engine (a proposed policy is linted by
//! the engine and proven by [`crossgate_browser::pair`]), and because it
//! needs `serde_json`, which the emulator does not.
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod diagnose;
mod exchange;
mod finding;
mod infer;
mod link;
mod model;
mod origin;
mod policy;
mod read;
mod replay;
mod report;
mod rule;

pub use diagnose::Options;
pub use finding::Finding;
pub use policy::{propose, Proposal, Refusal};
pub use read::{ReadError, ReadErrorKind};
pub use report::{Diagnosis, ErrorInfo, Report, RuleSuggestion, Summary, VerdictKind};

/// Reads `har` and diagnoses every request in it.
///
/// # Errors
///
/// A [`ReadError`] when the file is not HAR 1.1/1.2 JSON: empty, truncated
/// (naming the entry it stops in), of the wrong shape or version.
pub fn explain(har: &[u8], options: &Options) -> Result<Report, ReadError> {
    let har = read::read(har)?;
    let log = har.log;
    let creator = log.creator.map(|c| format!("{} {}", c.name, c.version).trim().to_owned()).unwrap_or_default();
    let entries: Vec<exchange::Recorded> =
        log.entries.0.into_iter().enumerate().map(|(i, e)| exchange::Recorded::new(i, e)).collect();
    Ok(diagnose::diagnose(entries, &log.pages, creator, options))
}
