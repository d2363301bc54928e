//! A built policy — validated, compiled, immutable — and what can be read
//! from it. Building one (`Policy::new`) is in `build`, deciding
//! (`Policy::evaluate`) in `evaluate`: both import this module, never the
//! reverse.

use http::StatusCode;

use crate::answer::Routes;
use crate::config::{Mode, PolicyConfig, UpstreamCorsHeaders};
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
    pub(crate) upstream: UpstreamCorsHeaders,
    /// What actual responses vary on (`Origin`, unless every rule answers `*`).
    pub(crate) actual_vary: VarySet,
    /// What preflight answers vary on.
    pub(crate) preflight_vary: VarySet,
    /// What a middleware does with each kind of decision.
    pub(crate) routes: Routes,
    /// Some rule has a path scope (so dot segments must be checked).
    pub(crate) scoped: bool,
    pub(crate) config: PolicyConfig,
}

impl Policy {
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
