//! Diagnostics for a gateway config file.
//!
//! They have the policy engine's shape (code, value, place, message, help)
//! so `crossgate lint` and `crossgate serve --check-config` print them the
//! same way; the place is a path such as `route[1].upstream` because a
//! gateway file nests policies inside routes.

use std::fmt;

pub use crossgate_core::Severity;

/// One problem found in a gateway config (or an S3 CORS document).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// A stable kebab-case code: the engine's codes for policy problems,
    /// the gateway's own (`upstream-invalid`, `s3-too-many-rules`…) otherwise.
    pub code: &'static str,
    /// The offending value, as written.
    pub value: String,
    /// Where it is, e.g. `route[0].rule[1].origins`.
    pub location: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl Problem {
    /// An error.
    pub fn error(
        code: &'static str,
        location: impl Into<String>,
        value: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Problem {
            severity: Severity::Error,
            code,
            value: value.into(),
            location: location.into(),
            message: message.into(),
            help: help.into(),
        }
    }

    /// A warning.
    pub fn warning(
        code: &'static str,
        location: impl Into<String>,
        value: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Problem { severity: Severity::Warning, ..Problem::error(code, location, value, message, help) }
    }

    /// Whether this problem makes the config unusable.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}[{}]: {}", self.code, self.location)?;
        if !self.value.is_empty() {
            write!(f, " `{}`", self.value)?;
        }
        write!(f, ": {} (help: {})", self.message, self.help)
    }
}

/// Every problem of a config that could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.0.iter().filter(|p| p.is_error())
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            p.fmt(f)?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}
