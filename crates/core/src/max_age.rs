//! `Access-Control-Max-Age`: how long a browser may cache a preflight's
//! answer. The range a policy may set, the caps browsers impose, and the
//! header value — everything about this one header, in one place.
//!
//! <https://fetch.spec.whatwg.org/#http-access-control-max-age>

use http::HeaderValue;

use crate::diagnostics::{Code, Sink};
use crate::response::policy_value;

/// Chromium's cap on preflight caching, in seconds.
pub const CHROMIUM_MAX_AGE_CAP: i64 = 7200;
/// WebKit's cap on preflight caching, in seconds.
pub const WEBKIT_MAX_AGE_CAP: i64 = 600;
/// Firefox's cap on preflight caching, in seconds.
pub const FIREFOX_MAX_AGE_CAP: i64 = 86400;
/// The largest max-age crossgate accepts: the highest browser cap
/// (Firefox's); more would mean nothing to any browser.
pub const MAX_AGE_LIMIT: i64 = FIREFOX_MAX_AGE_CAP;

/// A rule's `max_age`, checked: `None` when it is absent (browsers then
/// cache for 5 s) or out of range (an error), otherwise the header value,
/// with a warning when some browser caps it. `-1` forbids caching: it is
/// sent as `0`.
///
/// <https://fetch.spec.whatwg.org/#cors-preflight-fetch-0>, step 7.10: a
/// browser lowers the value to its imposed limit.
pub(crate) fn check(rule: usize, seconds: Option<i64>, sink: &mut Sink) -> Option<HeaderValue> {
    let v = seconds?;
    if !(-1..=MAX_AGE_LIMIT).contains(&v) {
        sink.push(
            Code::MaxAgeOutOfRange,
            Some(rule),
            "max_age",
            v.to_string(),
            format!("max_age must be between -1 (never cache preflights) and {MAX_AGE_LIMIT} seconds"),
            format!("use a value up to {CHROMIUM_MAX_AGE_CAP} (Chromium's cap), or leave it out for the browser default of 5 s"),
        );
        return None;
    }
    if v > WEBKIT_MAX_AGE_CAP {
        let capped = if v > CHROMIUM_MAX_AGE_CAP {
            format!("Chromium caps preflight caching at {CHROMIUM_MAX_AGE_CAP} s and WebKit at {WEBKIT_MAX_AGE_CAP} s")
        } else {
            format!("WebKit caps preflight caching at {WEBKIT_MAX_AGE_CAP} s")
        };
        sink.push(
            Code::MaxAgeAboveBrowserCap,
            Some(rule),
            "max_age",
            v.to_string(),
            format!("{capped}; browsers will use less than {v}"),
            format!("lower max_age to {CHROMIUM_MAX_AGE_CAP} or less if you rely on it"),
        );
    }
    Some(policy_value(&v.max(0).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_findings() {
        let mut sink = Sink::default();
        assert_eq!(check(0, None, &mut sink), None);
        assert_eq!(check(0, Some(-1), &mut sink).unwrap(), "0");
        assert_eq!(check(0, Some(600), &mut sink).unwrap(), "600");
        assert!(sink.diagnostics.is_empty());
        assert_eq!(check(0, Some(7200), &mut sink).unwrap(), "7200");
        assert_eq!(check(0, Some(MAX_AGE_LIMIT), &mut sink).unwrap(), "86400");
        assert_eq!(check(0, Some(MAX_AGE_LIMIT + 1), &mut sink), None);
        assert_eq!(check(0, Some(-2), &mut sink), None);
        let codes: Vec<_> = sink.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [Code::MaxAgeAboveBrowserCap, Code::MaxAgeAboveBrowserCap, Code::MaxAgeOutOfRange, Code::MaxAgeOutOfRange]
        );
    }
}
