//! Methods: <https://fetch.spec.whatwg.org/#methods>.

use super::token::is_token;

/// <https://fetch.spec.whatwg.org/#concept-method>
///
/// Whether `s` is a method: a token.
pub fn is_method(s: &[u8]) -> bool {
    is_token(s)
}

/// <https://fetch.spec.whatwg.org/#cors-safelisted-method>
///
/// `GET`, `HEAD` or `POST`, compared case-sensitively (after normalization).
pub fn is_cors_safelisted_method(s: &[u8]) -> bool {
    matches!(s, b"GET" | b"HEAD" | b"POST")
}

/// <https://fetch.spec.whatwg.org/#forbidden-method>
///
/// A byte-case-insensitive match for `CONNECT`, `TRACE` or `TRACK`.
pub fn is_forbidden_method(s: &[u8]) -> bool {
    [&b"CONNECT"[..], b"TRACE", b"TRACK"].iter().any(|m| m.eq_ignore_ascii_case(s))
}

/// <https://fetch.spec.whatwg.org/#concept-method-normalize>
///
/// A byte-case-insensitive match for `DELETE`, `GET`, `HEAD`, `OPTIONS`, `POST`
/// or `PUT` is upper-cased; every other method keeps its exact bytes, which is
/// why `fetch(url, {method: "patch"})` sends `patch`.
pub fn normalize_method(s: &str) -> std::borrow::Cow<'_, str> {
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    match NORMALIZED.iter().find(|m| m.eq_ignore_ascii_case(s)) {
        Some(m) if *m != s => std::borrow::Cow::Borrowed(m),
        _ => std::borrow::Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_upper_cases_only_the_six() {
        assert_eq!(normalize_method("delete"), "DELETE");
        assert_eq!(normalize_method("Put"), "PUT");
        assert_eq!(normalize_method("options"), "OPTIONS");
        assert_eq!(normalize_method("patch"), "patch");
        assert_eq!(normalize_method("chicken"), "chicken");
    }

    #[test]
    fn forbidden_methods_are_case_insensitive() {
        assert!(is_forbidden_method(b"connect"));
        assert!(is_forbidden_method(b"TrAcK"));
        assert!(!is_forbidden_method(b"TRACES"));
    }

    #[test]
    fn safelisted_methods_are_case_sensitive() {
        assert!(is_cors_safelisted_method(b"POST"));
        assert!(!is_cors_safelisted_method(b"post"));
        assert!(!is_cors_safelisted_method(b"PUT"));
    }
}
