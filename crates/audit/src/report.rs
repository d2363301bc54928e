//! What an audit of one target found, sorted by severity, as the CLI prints
//! it and as `--json` writes it.

use serde_json::{json, Value};

use crate::class::Severity;
use crate::finding::Finding;

/// The result of one audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The URL audited.
    pub target: String,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// Requests sent.
    pub requests: usize,
    /// The budget.
    pub max_requests: usize,
    /// The framework the server seems to use.
    pub framework: Option<&'static str>,
    /// Things worth knowing about the run (budget reached, a redirect…).
    pub notes: Vec<String>,
    /// Why the audit could not finish, if it could not.
    pub error: Option<String>,
}

impl Report {
    /// The most severe finding's severity.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Whether a finding is above `info`.
    pub fn has_findings(&self) -> bool {
        self.worst().is_some_and(|s| s > Severity::Info)
    }

    /// As JSON: `{"target", "findings": [...], "requests", ...}`.
    pub fn to_json(&self) -> Value {
        json!({
            "target": self.target,
            "findings": self.findings.iter().map(Finding::to_json).collect::<Vec<_>>(),
            "requests": self.requests,
            "max_requests": self.max_requests,
            "framework": self.framework,
            "notes": self.notes,
            "error": self.error,
        })
    }
}
