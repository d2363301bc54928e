//! Header names and the sets Fetch defines over them:
//! <https://fetch.spec.whatwg.org/#terminology-headers>.

use super::token::is_token;

/// <https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name>
///
/// The one name `Access-Control-Allow-Headers: *` never covers.
pub const CORS_NON_WILDCARD_REQUEST_HEADER_NAME: &str = "authorization";

/// <https://fetch.spec.whatwg.org/#header-name>
///
/// Whether `s` is a header name: a `field-name`, which is a token
/// ([RFC 9110 §5.1](https://www.rfc-editor.org/rfc/rfc9110#section-5.1)).
pub fn is_header_name(s: &[u8]) -> bool {
    is_token(s)
}

/// <https://fetch.spec.whatwg.org/#http-tab-or-space-byte>
#[inline]
pub const fn is_http_tab_or_space(b: u8) -> bool {
    b == b'\t' || b == b' '
}

/// <https://fetch.spec.whatwg.org/#http-whitespace-byte>
#[inline]
pub const fn is_http_whitespace(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r' | b' ')
}

/// <https://www.rfc-editor.org/rfc/rfc9110#section-5.6.3>
///
/// Strips leading and trailing HTTP tab-or-space bytes: the optional
/// whitespace (`OWS`) around a list element or a field value.
pub fn trim_http_tab_or_space(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_http_tab_or_space(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !is_http_tab_or_space(*last) {
            break;
        }
        s = rest;
    }
    s
}

/// Names a page can never set (<https://fetch.spec.whatwg.org/#forbidden-request-header>),
/// lower-case. `proxy-` and `sec-` prefixes are checked separately.
const FORBIDDEN_REQUEST_HEADER_NAMES: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// <https://fetch.spec.whatwg.org/#forbidden-request-header>
///
/// Whether a page's script can never set a header of this name: steps 1
/// and 2, which look at the name only (step 3, the `X-HTTP-Method` family,
/// depends on the value and is not included).
pub fn is_forbidden_request_header_name(name: &[u8]) -> bool {
    // step 1
    FORBIDDEN_REQUEST_HEADER_NAMES.iter().any(|f| f.as_bytes().eq_ignore_ascii_case(name))
        // step 2
        || starts_with_ignore_case(name, b"proxy-")
        || starts_with_ignore_case(name, b"sec-")
}

/// <https://fetch.spec.whatwg.org/#forbidden-response-header-name>
///
/// `Set-Cookie` and `Set-Cookie2`, never readable by a page.
pub fn is_forbidden_response_header_name(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"set-cookie") || name.eq_ignore_ascii_case(b"set-cookie2")
}

/// <https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name>
///
/// Without an exposed list: the names a page can always read from a CORS
/// response.
pub fn is_cors_safelisted_response_header_name(name: &[u8]) -> bool {
    const SAFELISTED: [&str; 7] =
        ["cache-control", "content-language", "content-length", "content-type", "expires", "last-modified", "pragma"];
    SAFELISTED.iter().any(|s| s.as_bytes().eq_ignore_ascii_case(name))
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_request_headers() {
        assert!(is_forbidden_request_header_name(b"Cookie"));
        assert!(is_forbidden_request_header_name(b"sec-fetch-mode"));
        assert!(is_forbidden_request_header_name(b"Proxy-Authorization"));
        assert!(!is_forbidden_request_header_name(b"authorization"));
        assert!(!is_forbidden_request_header_name(b"x-cookie"));
    }

    #[test]
    fn trimming() {
        assert_eq!(trim_http_tab_or_space(b" \t a b\t "), b"a b");
        assert_eq!(trim_http_tab_or_space(b"   "), b"");
    }
}
