//! A built policy: validated, compiled, immutable.

use http::StatusCode;

use crate::config::{Mode, PolicyConfig, UpstreamCorsHeaders};
use crate::diagnostics::{ConfigErrors, Diagnostic};
use crate::rule::Rule;
use crate::vary::VarySet;

/// A validated, compiled CORS policy.
///
/// Build one with [`Policy::new`]; it never changes afterwards (to change a
/// running policy, build a new one and swap an `Arc`). Deciding is
/// [`Policy::evaluate`](crate::Policy::evaluate).
#[derive(Clone, Debug)]
pub struct Policy {
    pub(crate) rules: Vec<Rule>,
    pub(crate) preflight_status: StatusCode,
    pub(crate) strict: bool,
    pub(crate) mode: Mode,
    pub(crate) debug: bool,
    pub(crate) upstream: UpstreamCorsHeaders,
    /// What actual responses vary on (`Origin`, unless every rule answers `*`).
    pub(crate) actual_vary: VarySet,
    /// What preflight answers vary on.
    pub(crate) preflight_vary: VarySet,
    /// Some rule has a path scope (so dot segments must be checked).
    pub(crate) scoped: bool,
    pub(crate) config: PolicyConfig,
}

/// A policy that was built, with the warnings found while building it.
#[derive(Clone, Debug)]
#[must_use]
pub struct Built {
    /// The policy.
    pub policy: Policy,
    /// Non-fatal findings: the policy works, but probably not as meant.
    pub warnings: Vec<Diagnostic>,
}

/// Why a policy file could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file is not valid TOML or JSON, or a key or type is wrong. The
    /// message names the field and position.
    Syntax(String),
    /// The file parsed, but the policy is invalid.
    Invalid(ConfigErrors),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Syntax(m) => f.write_str(m),
            LoadError::Invalid(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LoadError {}

impl Policy {
    /// Validates and compiles a policy, reporting every problem at once.
    ///
    /// # Errors
    ///
    /// [`ConfigErrors`] lists every error (and the warnings found beside
    /// them), each with its code, value, place and fix.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    ///
    /// let err = Policy::new(PolicyConfig::new(
    ///     RuleConfig::new(["*", "https://a.com/"]).credentials(true),
    /// ))
    /// .unwrap_err();
    /// let codes: Vec<_> = err.errors().map(|d| d.code.as_str()).collect();
    /// assert_eq!(codes, ["any-origin-with-credentials", "origin-has-path"]);
    /// ```
    // Returns the policy together with its warnings, which are part of the
    // answer to "is this configuration right?".
    #[allow(clippy::new_ret_no_self)]
    pub fn new(config: PolicyConfig) -> Result<Built, ConfigErrors> {
        crate::compile::compile(config)
    }

    /// Loads a policy file in TOML.
    ///
    /// # Errors
    ///
    /// [`LoadError::Syntax`] for TOML errors (with the key and line),
    /// [`LoadError::Invalid`] for an invalid policy.
    #[cfg(feature = "toml")]
    pub fn from_toml(s: &str) -> Result<Built, LoadError> {
        let config = PolicyConfig::from_toml(s).map_err(|e| LoadError::Syntax(e.to_string()))?;
        Policy::new(config).map_err(LoadError::Invalid)
    }

    /// Loads a policy file in JSON.
    ///
    /// # Errors
    ///
    /// As [`Policy::from_toml`].
    #[cfg(feature = "json")]
    pub fn from_json(s: &str) -> Result<Built, LoadError> {
        let config = PolicyConfig::from_json(s).map_err(|e| LoadError::Syntax(e.to_string()))?;
        Policy::new(config).map_err(LoadError::Invalid)
    }

    /// The configuration this policy was built from, with origins in
    /// canonical form.
    pub fn config(&self) -> &PolicyConfig {
        &self.config
    }

    /// Enforce or report-only.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Whether strict mode is on.
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// What to do with CORS headers an inner service sets.
    pub fn upstream_cors_headers(&self) -> UpstreamCorsHeaders {
        self.upstream
    }

    /// The number of rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }
}
