//! The [CORS-preflight cache], shaped as each browser implements it: Fetch
//! keeps one entry per method and per header name; Chromium and WebKit keep
//! one preflight result per (origin, URL) and replace it; Firefox merges.
//!
//! [CORS-preflight cache]: https://fetch.spec.whatwg.org/#cors-preflight-cache

use std::collections::HashMap;
use std::time::Duration;

use crate::preflight::PreflightResult;
use crate::profile::Profile;

/// What an entry is found by: Fetch's cache entry key, byte-serialized
/// origin and URL (the network partition key is left out: one page).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    /// The page's origin. CHROMIUM: keyed by the request's initiator, never
    /// by the redirect-tainted `null` (`preflight_controller.cc`
    /// `PerformPreflightCheck`).
    origin: String,
    url: String,
    /// Firefox keys by credentials; Chromium and WebKit keep the flag in the
    /// entry (a credentialed entry also serves uncredentialed requests).
    credentials: Option<bool>,
}

#[derive(Clone, Debug)]
struct Entry {
    result: PreflightResult,
    expires: Duration,
}

/// One browser profile's [CORS-preflight cache]. Times are `Duration`s since
/// any fixed epoch the caller chooses (the injected clock).
///
/// [CORS-preflight cache]: https://fetch.spec.whatwg.org/#cors-preflight-cache
#[derive(Clone, Debug, Default)]
pub struct PreflightCache {
    profile: Profile,
    entries: HashMap<Key, Entry>,
}

/// CHROMIUM: URLs this long or longer are not cached (Firefox caches them).
const MAX_URL_LEN: usize = 1024;

impl PreflightCache {
    /// An empty cache for `profile`.
    pub(crate) fn new(profile: Profile) -> Self {
        PreflightCache { profile, entries: HashMap::new() }
    }

    fn key(&self, origin: &str, url: &str, credentials: bool) -> Key {
        let credentials = (self.profile == Profile::Firefox).then_some(credentials);
        Key { origin: origin.to_owned(), url: url.to_owned(), credentials }
    }

    /// <https://fetch.spec.whatwg.org/#http-fetch>
    ///
    /// Whether a cached preflight lets this request skip its own (HTTP fetch
    /// step 4.1: a method cache entry match and a header-name cache entry
    /// match for every CORS-unsafe name).
    // CHROMIUM: `preflight_cache.cc` `CheckIfRequestCanSkipPreflight`: the
    // one entry must allow the whole request, and a stale or insufficient
    // entry is erased (Firefox keeps it).
    pub(crate) fn can_skip(
        &mut self,
        now: Duration,
        origin: &str,
        url: &str,
        method: &str,
        unsafe_names: &[String],
        credentials: bool,
    ) -> bool {
        let key = self.key(origin, url, credentials);
        let Some(entry) = self.entries.get(&key) else { return false };
        if now >= entry.expires || !entry.result.allows(method, unsafe_names, credentials) {
            if self.profile != Profile::Firefox {
                self.entries.remove(&key);
            }
            return false;
        }
        true
    }

    /// <https://fetch.spec.whatwg.org/#cors-preflight-fetch>
    ///
    /// Stores a successful preflight (CORS-preflight fetch steps 7.12–7.15:
    /// Fetch updates or creates an entry per method and per header name).
    /// Firefox merges methods and headers into the entry, per-token expiry
    /// approximated by the latest one.
    // CHROMIUM: `preflight_cache.cc` `AppendEntry` replaces the entry whole
    // (WebKit too).
    pub(crate) fn store(&mut self, now: Duration, origin: &str, url: &str, result: PreflightResult) {
        if result.max_age == 0 || (url.len() >= MAX_URL_LEN && self.profile != Profile::Firefox) {
            return;
        }
        let key = self.key(origin, url, result.credentials);
        let expires = now.saturating_add(Duration::from_secs(result.max_age));
        if self.profile == Profile::Firefox {
            if let Some(old) = self.entries.get_mut(&key) {
                if now < old.expires {
                    old.result.methods.extend(result.methods);
                    old.result.headers.extend(result.headers);
                    old.expires = old.expires.max(expires);
                    return;
                }
            }
        }
        self.entries.insert(key, Entry { result, expires });
    }

    /// <https://fetch.spec.whatwg.org/#concept-cache-clear>
    ///
    /// Removes the entries for this origin and URL, after a preflight failed.
    pub(crate) fn clear(&mut self, origin: &str, url: &str) {
        self.entries.retain(|k, _| !(k.origin == origin && k.url == url));
    }

    /// How many entries are held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn result(headers: &[&str], max_age: u64, credentials: bool) -> PreflightResult {
        PreflightResult {
            methods: BTreeSet::from(["PUT".to_owned()]),
            headers: headers.iter().map(|s| (*s).to_owned()).collect(),
            credentials,
            max_age,
            wildcard_covers_authorization: false,
        }
    }

    #[test]
    fn chromium_replaces_and_expires() {
        let mut c = PreflightCache::new(Profile::Chromium);
        let t = Duration::from_secs(100);
        c.store(t, "o", "u", result(&["x-a"], 10, false));
        assert!(c.can_skip(t, "o", "u", "PUT", &["x-a".into()], false));
        assert!(!c.can_skip(t, "o", "u", "PUT", &["x-a".into()], true));
        // The insufficient entry was erased.
        assert!(c.is_empty());
        c.store(t, "o", "u", result(&["x-a"], 10, true));
        c.store(t, "o", "u", result(&["x-b"], 10, true));
        assert!(!c.can_skip(t, "o", "u", "PUT", &["x-a".into()], false));
        c.store(t, "o", "u", result(&["x-b"], 10, true));
        assert!(c.can_skip(t + Duration::from_secs(9), "o", "u", "PUT", &["x-b".into()], false));
        assert!(!c.can_skip(t + Duration::from_secs(10), "o", "u", "PUT", &["x-b".into()], false));
    }

    #[test]
    fn firefox_merges() {
        let mut c = PreflightCache::new(Profile::Firefox);
        let t = Duration::ZERO;
        c.store(t, "o", "u", result(&["x-a"], 10, false));
        c.store(t, "o", "u", result(&["x-b"], 10, false));
        assert!(c.can_skip(t, "o", "u", "PUT", &["x-a".into(), "x-b".into()], false));
        c.clear("o", "u");
        assert_eq!(c.len(), 0);
    }
}
