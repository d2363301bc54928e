//! Import CORS configurations: the settings people already have
//! (django-cors-headers, flask-cors, Starlette/FastAPI, Express's `cors`,
//! nginx's `add_header`, Envoy's `CorsPolicy`, the Gateway API's CORS
//! filter) read into a crossgate policy.
//!
//! Nothing is executed: Python, JavaScript, nginx's syntax and YAML are parsed and only literal values are read
//! (a computed value is a finding naming its line). A translation is exact, or its
//! findings say what differs — each regex is checked against crossgate's
//! patterns on a set of probe origins by both matchers, and the origins that
//! behave differently are listed.
//!
//! ```
//! use crossgate_convert::{import, Dialect, Severity};
//!
//! let settings = r#"
//! CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://.*example\.com$"]
//! "#;
//! let imported = import(Dialect::Django, settings);
//! let finding = &imported.findings[0];
//! assert_eq!(finding.severity, Severity::Error);
//! assert_eq!(finding.code.as_str(), "regex-not-expressible");
//! assert!(finding.differs.iter().any(|d| d.starts_with("https://evilexample.com")));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod dialect;
mod export;
mod finding;
mod import;
mod regex_origin;
mod syntax;

pub use dialect::Dialect;
pub use export::{export, export_s3, Exported};
pub use finding::{Code, Finding, Severity};
pub use import::{import, Imported};
