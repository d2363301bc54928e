//! Diagnostics for a gateway config file.
//!
//! They have the policy engine's shape (code, value, place, message, help)
//! so `crossgate lint` and `crossgate serve --check-config` print them the
//! same way; the place is a path such as `route[1].upstream` because a
//! gateway file nests policies inside routes.

use std::fmt;

use crossgate_core::Severity;

use crate::code::Code;

/// One problem found in a gateway config (or an S3 CORS document).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// What kind of problem it is: the engine's code for a policy problem,
    /// the gateway's own otherwise.
    pub code: Code,
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
    /// A problem; its severity is its code's.
    pub(crate) fn new(
        code: Code,
        location: impl Into<String>,
        value: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Problem { code, value: value.into(), location: location.into(), message: message.into(), help: help.into() }
    }

    /// Error or warning (from its code).
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// Whether this problem makes the config unusable.
    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]: {}", self.severity().as_str(), self.code, self.location)?;
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
