//! The CORS-preflight cache (Fetch §4.9 "CORS-preflight cache"), shaped as
//! each browser implements it.

use std::collections::HashMap;
use std::time::Duration;

use crate::check::PreflightResult;

/// Which browser's rules to follow where they differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// Chromium (Chrome, Edge…): the reference, and what the tests check.
    #[default]
    Chromium,
    /// Firefox.
    Firefox,
    /// WebKit (Safari).
    WebKit,
}

/// Max-age when the header is absent (all three engines).
pub const DEFAULT_MAX_AGE: u64 = 5;

impl Profile {
    /// Parses `chromium`, `firefox`, `webkit`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "chromium" | "chrome" => Some(Profile::Chromium),
            "firefox" => Some(Profile::Firefox),
            "webkit" | "safari" => Some(Profile::WebKit),
            _ => None,
        }
    }

    /// The cap on `Access-Control-Max-Age`: Chromium 7200 s, Firefox
    /// 86400 s, WebKit 600 s.
    pub const fn max_age_cap(self) -> u64 {
        match self {
            Profile::Chromium => 7200,
            Profile::Firefox => 86400,
            Profile::WebKit => 600,
        }
    }

    /// The cache lifetime for an `Access-Control-Max-Age` value (already
    /// trimmed): Chromium and WebKit read an integer (unparsable: 5 s,
    /// negative: not cached); Firefox wants digits only (else not cached).
    pub fn max_age(self, value: Option<&str>) -> u64 {
        let Some(v) = value else { return DEFAULT_MAX_AGE };
        let secs = match self {
            Profile::Firefox => {
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return 0;
                }
                v.parse::<u64>().unwrap_or(u64::MAX)
            }
            Profile::Chromium | Profile::WebKit => match v.parse::<i64>() {
                Ok(n) if n < 0 => 0,
                Ok(n) => n.unsigned_abs(),
                Err(_) => DEFAULT_MAX_AGE,
            },
        };
        secs.min(self.max_age_cap())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
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

/// One browser profile's preflight cache. Times are `Duration`s since any
/// fixed epoch the caller chooses (the injected clock).
#[derive(Clone, Debug, Default)]
pub struct PreflightCache {
    profile: Profile,
    entries: HashMap<Key, Entry>,
}

/// Chromium does not cache URLs this long or longer.
const MAX_URL_LEN: usize = 1024;

impl PreflightCache {
    /// An empty cache for `profile`.
    pub fn new(profile: Profile) -> Self {
        PreflightCache { profile, entries: HashMap::new() }
    }

    fn key(&self, origin: &str, url: &str, credentials: bool) -> Key {
        let credentials = (self.profile == Profile::Firefox).then_some(credentials);
        Key { origin: origin.to_owned(), url: url.to_owned(), credentials }
    }

    /// Whether a cached preflight lets this request skip its own
    /// (Chromium's `CheckIfRequestCanSkipPreflight`). A stale or insufficient
    /// entry is removed.
    pub fn can_skip(
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

    /// Stores a successful preflight: Chromium and WebKit replace the entry,
    /// Firefox merges methods and headers into it (per-token expiry is
    /// approximated by the latest expiry).
    pub fn store(&mut self, now: Duration, origin: &str, url: &str, result: PreflightResult) {
        if result.max_age == 0 || url.len() >= MAX_URL_LEN {
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

    /// Fetch's "clear cache entries" after a preflighted fetch failed.
    pub fn clear(&mut self, origin: &str, url: &str) {
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
    fn max_age_by_profile() {
        let cases: &[(Profile, Option<&str>, u64)] = &[
            (Profile::Chromium, None, 5),
            (Profile::Chromium, Some("60"), 60),
            (Profile::Chromium, Some("-1"), 0),
            (Profile::Chromium, Some("1.5"), 5),
            (Profile::Chromium, Some("99999"), 7200),
            (Profile::Firefox, Some("99999"), 86400),
            (Profile::Firefox, Some("-1"), 0),
            (Profile::Firefox, Some("x"), 0),
            (Profile::WebKit, Some("99999"), 600),
            (Profile::WebKit, None, 5),
        ];
        for (p, v, want) in cases {
            assert_eq!(p.max_age(*v), *want, "{p:?} {v:?}");
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
