//! A policy that can be replaced while requests are being decided.
//!
//! The handle holds an `Arc<Policy>` in an [`arc_swap::ArcSwap`]: reading
//! it is one atomic load and no allocation, replacing it is one atomic
//! swap. A reader keeps the policy it loaded for as long as it holds the
//! [`CurrentPolicy`], so a request decided under the old policy finishes
//! under it (its [`Action`](crate::Action) owns everything it needs), and
//! the old policy is freed when its last reader is done.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use arc_swap::{ArcSwap, Guard};

use crate::policy::Policy;

/// A shared, replaceable [`Policy`]. Clones share the same slot: replace
/// it through any clone, and every middleware holding one decides the next
/// request with the new policy.
///
/// ```
/// use crossgate_core::{Policy, PolicyConfig, PolicyHandle, RuleConfig};
/// use http::{HeaderMap, HeaderValue, Method};
///
/// let build = |origin: &str| Policy::new(PolicyConfig::new(RuleConfig::new([origin]))).unwrap().policy;
/// let handle = PolicyHandle::new(build("https://a.example"));
/// let mut request = HeaderMap::new();
/// request.insert("origin", HeaderValue::from_static("https://b.example"));
///
/// let before = handle.load();
/// assert!(!before.evaluate(&Method::GET, "/", &request).is_allowed());
/// handle.replace(build("https://b.example"));
/// assert!(handle.load().evaluate(&Method::GET, "/", &request).is_allowed());
/// // What was loaded before stays the policy it was.
/// assert!(!before.evaluate(&Method::GET, "/", &request).is_allowed());
/// ```
#[derive(Clone)]
pub struct PolicyHandle {
    slot: Arc<ArcSwap<Policy>>,
}

/// The policy a handle held when it was loaded; derefs to [`Policy`].
pub struct CurrentPolicy(Guard<Arc<Policy>>);

impl Deref for CurrentPolicy {
    type Target = Policy;

    #[inline]
    fn deref(&self) -> &Policy {
        &self.0
    }
}

impl PolicyHandle {
    /// A handle holding `policy`.
    pub fn new(policy: Policy) -> Self {
        PolicyHandle::shared(Arc::new(policy))
    }

    /// A handle holding an already shared policy.
    pub fn shared(policy: Arc<Policy>) -> Self {
        PolicyHandle { slot: Arc::new(ArcSwap::new(policy)) }
    }

    /// The policy in force: one atomic load, no allocation. Hold it only
    /// while deciding; a long-held one keeps an old policy alive.
    #[inline]
    pub fn load(&self) -> CurrentPolicy {
        CurrentPolicy(self.slot.load())
    }

    /// The policy in force, as an `Arc` that may be kept.
    pub fn load_full(&self) -> Arc<Policy> {
        self.slot.load_full()
    }

    /// Puts `policy` in force for every request decided from now on, and
    /// returns the one it replaces.
    pub fn replace(&self, policy: Policy) -> Arc<Policy> {
        self.slot.swap(Arc::new(policy))
    }

    /// As [`replace`](Self::replace), with an already shared policy.
    pub fn replace_shared(&self, policy: Arc<Policy>) -> Arc<Policy> {
        self.slot.swap(policy)
    }
}

impl fmt::Debug for PolicyHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyHandle").field("rules", &self.load().rule_count()).finish_non_exhaustive()
    }
}

impl From<Policy> for PolicyHandle {
    fn from(policy: Policy) -> Self {
        PolicyHandle::new(policy)
    }
}
