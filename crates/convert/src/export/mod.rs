//! Writing a crossgate policy as another framework's configuration.

use crossgate_core::PolicyConfig;

use crate::finding::Finding;
use crate::Dialect;

/// What an export produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exported {
    /// The configuration, with a comment header saying what could not be expressed.
    pub text: String,
    /// What the target cannot express, one finding each.
    pub findings: Vec<Finding>,
}

/// Writes `policy` as `dialect`'s configuration.
pub fn export(dialect: Dialect, policy: &PolicyConfig) -> Exported {
    let _ = (dialect, policy);
    Exported::default()
}
