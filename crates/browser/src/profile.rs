//! The engine profiles: which browser's rules to follow where they differ,
//! and the rules that differ by engine alone (the max-age parse and cap).

use crossgate_core::limits::{CHROMIUM_MAX_AGE_CAP, FIREFOX_MAX_AGE_CAP, WEBKIT_MAX_AGE_CAP};

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

/// Max-age when the header is absent: Fetch's 5 s (CORS-preflight fetch
/// step 7.9), in all three engines.
pub(crate) const DEFAULT_MAX_AGE: u64 = 5;

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

    /// The imposed limit on max-age (CORS-preflight fetch step 7.10):
    /// Chromium 7200 s, Firefox 86400 s, WebKit 600 s.
    pub const fn max_age_cap(self) -> u64 {
        match self {
            Profile::Chromium => CHROMIUM_MAX_AGE_CAP.unsigned_abs(),
            Profile::Firefox => FIREFOX_MAX_AGE_CAP.unsigned_abs(),
            Profile::WebKit => WEBKIT_MAX_AGE_CAP.unsigned_abs(),
        }
    }

    /// <https://fetch.spec.whatwg.org/#cors-preflight-fetch>
    ///
    /// The cache lifetime for an `Access-Control-Max-Age` value (already
    /// trimmed), CORS-preflight fetch steps 7.8–7.10: Chromium and WebKit
    /// read an integer (unparsable: 5 s, negative: not cached); Firefox wants
    /// digits only (else not cached).
    pub fn max_age(self, value: Option<&str>) -> u64 {
        // step 7.9: absent is 5 s.
        let Some(v) = value else { return DEFAULT_MAX_AGE };
        let secs = match self {
            Profile::Firefox => {
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return 0;
                }
                v.parse::<u64>().unwrap_or(u64::MAX)
            }
            // CHROMIUM: `preflight_result.cc` `ParseAccessControlMaxAge`: an
            // int64, negative meaning "do not cache"; Fetch has only failure,
            // which step 7.9 makes 5 s.
            Profile::Chromium | Profile::WebKit => match v.parse::<i64>() {
                Ok(n) if n < 0 => 0,
                Ok(n) => n.unsigned_abs(),
                Err(_) => DEFAULT_MAX_AGE,
            },
        };
        // step 7.10
        secs.min(self.max_age_cap())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
