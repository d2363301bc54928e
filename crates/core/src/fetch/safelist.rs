//! CORS-safelisted request headers and the CORS-unsafe request-header names.
//!
//! <https://fetch.spec.whatwg.org/#cors-safelisted-request-header>
//!
//! These decide whether a page's request needs a preflight, and what its
//! `Access-Control-Request-Headers` says.

use super::header::{is_forbidden_request_header_name, is_http_whitespace};
use super::token::is_token;

/// Longest value a CORS-safelisted request header may have, in bytes
/// (<https://fetch.spec.whatwg.org/#cors-safelisted-request-header>, step 1).
pub const MAX_SAFELISTED_VALUE_LEN: usize = 128;

/// Largest total of safelisted header values before all of them count as
/// CORS-unsafe (<https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names>, step 5).
pub const MAX_SAFELISTED_TOTAL_LEN: usize = 1024;

/// <https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte>
pub const fn is_cors_unsafe_request_header_byte(b: u8) -> bool {
    (b < 0x20 && b != 0x09)
        || matches!(b, b'"' | b'(' | b')' | b':' | b'<' | b'>' | b'?' | b'@' | b'[' | b'\\' | b']' | b'{' | b'}' | 0x7f)
}

/// <https://fetch.spec.whatwg.org/#no-cors-safelisted-request-header-name>
pub fn is_no_cors_safelisted_request_header_name(name: &[u8]) -> bool {
    [&b"accept"[..], b"accept-language", b"content-language", b"content-type"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}

/// <https://fetch.spec.whatwg.org/#request-body-header-name>
///
/// Deleted when a redirect turns the request into a `GET`.
pub fn is_request_body_header_name(name: &[u8]) -> bool {
    [&b"content-encoding"[..], b"content-language", b"content-location", b"content-type"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}

/// <https://fetch.spec.whatwg.org/#cors-safelisted-request-header>
///
/// Whether a page may send `name: value` without a preflight.
pub fn is_cors_safelisted_request_header(name: &[u8], value: &[u8]) -> bool {
    // step 1
    if value.len() > MAX_SAFELISTED_VALUE_LEN {
        return false;
    }
    // step 2
    let lower = name.to_ascii_lowercase();
    match lower.as_slice() {
        b"accept" => !value.iter().any(|&b| is_cors_unsafe_request_header_byte(b)),
        b"accept-language" | b"content-language" => value
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'*' | b',' | b'-' | b'.' | b';' | b'=')),
        b"content-type" => {
            !value.iter().any(|&b| is_cors_unsafe_request_header_byte(b))
                && matches!(
                    mime_essence(value).as_deref(),
                    Some("application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain")
                )
        }
        b"range" => matches!(parse_single_range(value), Some((Some(_), _))),
        _ => false,
    }
}

/// <https://mimesniff.spec.whatwg.org/#parse-a-mime-type>
///
/// The essence (`type/subtype`, lower-case) of a MIME type, parsed as that
/// algorithm does; `None` on failure. The parameters are not read: the
/// steps that collect them (11 and 12) never fail.
pub fn mime_essence(value: &[u8]) -> Option<String> {
    // step 1
    let v = trim_http_whitespace(value);
    // steps 3 and 5: the type runs to a `/`, which must be there
    let slash = v.iter().position(|&b| b == b'/')?;
    let ty = &v[..slash];
    // step 4
    if !is_token(ty) {
        return None;
    }
    // steps 6 to 8
    let rest = &v[slash + 1..];
    let end = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
    let sub = trim_http_whitespace_end(&rest[..end]);
    // step 9
    if !is_token(sub) {
        return None;
    }
    // step 10
    let essence = [ty, b"/", sub].concat().to_ascii_lowercase();
    String::from_utf8(essence).ok()
}

/// <https://fetch.spec.whatwg.org/#simple-range-header-value>
///
/// With allowWhitespace false: `bytes=start-end`, either number optional
/// (not both). Returns `(start, end)`.
pub fn parse_single_range(value: &[u8]) -> Option<(Option<u64>, Option<u64>)> {
    // steps 2 to 6 (no whitespace to skip: steps 4 and 7 do nothing)
    let rest = value.strip_prefix(b"bytes=")?;
    // steps 8 to 16: digits, `-`, digits, and nothing else
    let dash = rest.iter().position(|&b| b == b'-')?;
    let number = |s: &[u8]| -> Result<Option<u64>, ()> {
        if s.is_empty() {
            return Ok(None);
        }
        if !s.iter().all(u8::is_ascii_digit) {
            return Err(());
        }
        std::str::from_utf8(s).ok().and_then(|s| s.parse().ok()).map(Some).ok_or(())
    };
    let start = number(&rest[..dash]).ok()?;
    let end = number(&rest[dash + 1..]).ok()?;
    match (start, end) {
        // step 17
        (None, None) => None,
        // step 18
        (Some(s), Some(e)) if s > e => None,
        r => Some(r),
    }
}

/// <https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names>
///
/// As Chromium computes it: names a page could not have set (forbidden
/// request headers) are skipped. Returns the sorted, de-duplicated
/// lower-case set.
pub fn cors_unsafe_request_header_names<'a, I>(headers: I) -> Vec<String>
where
    I: IntoIterator<Item = (&'a str, &'a [u8])>,
{
    // steps 1 to 3
    let mut unsafe_names = Vec::new();
    let mut potentially = Vec::new();
    let mut total = 0usize;
    // step 4
    for (name, value) in headers {
        // CHROMIUM: cors.cc CorsUnsafeNotForbiddenRequestHeaderNames skips
        // forbidden request headers, which only the browser itself sets.
        if is_forbidden_request_header_name(name.as_bytes()) {
            continue;
        }
        if is_cors_safelisted_request_header(name.as_bytes(), value) {
            // step 4.2
            potentially.push(name.to_ascii_lowercase());
            total = total.saturating_add(value.len());
        } else {
            // step 4.1
            unsafe_names.push(name.to_ascii_lowercase());
        }
    }
    // step 5
    if total > MAX_SAFELISTED_TOTAL_LEN {
        unsafe_names.extend(potentially);
    }
    // step 6
    unsafe_names.sort();
    unsafe_names.dedup();
    unsafe_names
}

fn trim_http_whitespace(v: &[u8]) -> &[u8] {
    let start = v.iter().position(|&b| !is_http_whitespace(b)).unwrap_or(v.len());
    trim_http_whitespace_end(&v[start..])
}

fn trim_http_whitespace_end(v: &[u8]) -> &[u8] {
    let end = v.iter().rposition(|&b| !is_http_whitespace(b)).map_or(0, |i| i + 1);
    &v[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_values() {
        let cases: &[(&str, bool)] = &[
            ("text/plain", true),
            ("Text/Plain", true),
            ("text/plain;garbage", true),
            ("text/plain; charset=utf-8", true),
            ("multipart/form-data; boundary=x", true),
            ("application/x-www-form-urlencoded", true),
            ("text/html", false),
            ("application/json", false),
            ("text /plain", false),
            ("text/plain,", false),
            ("text/plain,x/x", false),
            ("text/plain\"", false),
            ("", false),
            ("text", false),
        ];
        for (v, ok) in cases {
            assert_eq!(is_cors_safelisted_request_header(b"content-type", v.as_bytes()), *ok, "{v}");
        }
    }

    #[test]
    fn range_values() {
        let cases: &[(&str, bool)] = &[
            ("bytes=0-", true),
            ("bytes=200-", true),
            ("bytes=0-1", true),
            ("bytes=5-5", true),
            ("bytes=-200", false),
            ("bytes=100-200,300-400", false),
            ("bytes =1-2", false),
            ("bytes= 1-2", false),
            ("bytes=200-100", false),
            ("bytes=-", false),
            ("bytes 0-", false),
            ("BYTES=0-", false),
            ("bytes=a-", false),
        ];
        for (v, ok) in cases {
            assert_eq!(is_cors_safelisted_request_header(b"range", v.as_bytes()), *ok, "{v}");
        }
    }

    #[test]
    fn language_and_accept_values() {
        assert!(is_cors_safelisted_request_header(b"Accept-Language", b"en-US,en;q=0.9"));
        assert!(!is_cors_safelisted_request_header(b"accept-language", b"nn_NO"));
        assert!(!is_cors_safelisted_request_header(b"content-language", b"@"));
        assert!(is_cors_safelisted_request_header(b"accept", b"application/json, text/*"));
        assert!(!is_cors_safelisted_request_header(b"accept", b"\""));
        assert!(!is_cors_safelisted_request_header(b"accept", &[b'a'; 129]));
        assert!(is_cors_safelisted_request_header(b"accept", &[b'a'; 128]));
        assert!(!is_cors_safelisted_request_header(b"x-custom", b"1"));
        assert!(!is_cors_safelisted_request_header(b"authorization", b"Bearer x"));
    }

    #[test]
    fn unsafe_names_sorted_and_total_limit() {
        let h: Vec<(&str, &[u8])> = vec![
            ("X-B", b"1"),
            ("Content-Type", b"application/json"),
            ("x-a", b"2"),
            ("Accept", b"*/*"),
            ("X-B", b"3"),
        ];
        assert_eq!(cors_unsafe_request_header_names(h), ["content-type", "x-a", "x-b"]);
        let long = [b'a'; 128];
        let many: Vec<(&str, &[u8])> = (0..9).map(|_| ("accept", &long[..])).collect();
        assert_eq!(cors_unsafe_request_header_names(many), vec!["accept".to_owned()]);
        let fits: Vec<(&str, &[u8])> = (0..8).map(|_| ("accept", &long[..])).collect();
        assert!(cors_unsafe_request_header_names(fits).is_empty());
        let forbidden: Vec<(&str, &[u8])> = vec![("Cookie", b"a=b"), ("sec-x", b"1")];
        assert!(cors_unsafe_request_header_names(forbidden).is_empty());
    }
}
