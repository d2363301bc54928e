//! A browser profile with its preflight cache: the state that outlives one
//! fetch. [`Browser::start`] lives beside the fetch it starts.

use crate::cache::PreflightCache;
use crate::profile::Profile;

/// One browser profile: its rules and its preflight cache.
#[derive(Clone, Debug, Default)]
pub struct Browser {
    profile: Profile,
    cache: PreflightCache,
}

impl Browser {
    /// A fresh profile with an empty preflight cache.
    pub fn new(profile: Profile) -> Self {
        Browser { profile, cache: PreflightCache::new(profile) }
    }

    /// The profile.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The preflight cache.
    pub fn cache(&self) -> &PreflightCache {
        &self.cache
    }

    pub(crate) fn cache_mut(&mut self) -> &mut PreflightCache {
        &mut self.cache
    }
}
