//! What the page sees of a response: Fetch's [filtered responses] — their
//! type, and which headers a script may read.
//!
//! [filtered responses]: https://fetch.spec.whatwg.org/#concept-filtered-response

use std::collections::BTreeSet;

use crossgate_core::fetch;
use http::HeaderMap;

use crate::headers::{get_combined, parse_allow_list};

/// A response's [type] as the page sees it, after [main fetch] step 14.2
/// wrapped it in a filtered response.
///
/// [type]: https://fetch.spec.whatwg.org/#concept-response-type
/// [main fetch]: https://fetch.spec.whatwg.org/#main-fetch
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResponseType {
    /// Same-origin: every header but `Set-Cookie`.
    Basic,
    /// Cross-origin, CORS-approved: safelisted and exposed headers only.
    Cors,
    /// `no-cors` cross-origin: status 0, no headers, no body.
    Opaque,
    /// `redirect: "manual"` hit a redirect.
    OpaqueRedirect,
    /// A network error (the fetch failed).
    Error,
}

impl ResponseType {
    /// `basic`, `cors`, `opaque`, `opaqueredirect`, `error`, as `Response.type`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ResponseType::Basic => "basic",
            ResponseType::Cors => "cors",
            ResponseType::Opaque => "opaque",
            ResponseType::OpaqueRedirect => "opaqueredirect",
            ResponseType::Error => "error",
        }
    }
}

/// <https://fetch.spec.whatwg.org/#main-fetch>
///
/// Step 14.1: the response's CORS-exposed header-name list. `None` means
/// every name but `Set-Cookie`/`Set-Cookie2` (a basic response, or
/// `Access-Control-Expose-Headers: *` without credentials).
pub(crate) fn exposed_names(headers: &HeaderMap, include_credentials: bool) -> Option<BTreeSet<String>> {
    let aceh = get_combined(headers, "access-control-expose-headers");
    // CHROMIUM: Blink's `ExtractCorsExposedHeaderNamesList` empties the
    // whole list on a syntax error.
    let list = parse_allow_list(aceh.as_deref(), true).unwrap_or_default();
    if !include_credentials && list.contains("*") {
        return None;
    }
    Some(list)
}

/// <https://fetch.spec.whatwg.org/#concept-filtered-response-cors>
///
/// The headers a script can read of a CORS filtered response (`exposed`
/// given) or a basic one (`None`): lower-case names with combined values,
/// sorted by name.
pub(crate) fn readable_headers(headers: &HeaderMap, exposed: Option<&BTreeSet<String>>) -> Vec<(String, String)> {
    let mut names: Vec<&str> = headers.keys().map(http::HeaderName::as_str).collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter(|n| !fetch::is_forbidden_response_header_name(n.as_bytes()))
        .filter(|n| match exposed {
            None => true,
            Some(list) => fetch::is_cors_safelisted_response_header_name(n.as_bytes()) || list.contains(*n),
        })
        .map(|n| (n.to_owned(), get_combined(headers, n).unwrap_or_default()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headers::header_map as h;

    #[test]
    fn exposure() {
        let m =
            h(&[("x-a", "1"), ("content-type", "t"), ("set-cookie", "a"), ("access-control-expose-headers", "X-A")]);
        let names: Vec<String> =
            readable_headers(&m, exposed_names(&m, false).as_ref()).into_iter().map(|p| p.0).collect();
        assert_eq!(names, ["content-type", "x-a"]);
        let m = h(&[("x-a", "1"), ("set-cookie", "a"), ("access-control-expose-headers", "*")]);
        assert_eq!(readable_headers(&m, exposed_names(&m, false).as_ref()).len(), 2);
        assert_eq!(readable_headers(&m, exposed_names(&m, true).as_ref()).len(), 0);
        let m = h(&[("x-a", "1"), ("access-control-expose-headers", "x-a, b c")]);
        assert!(readable_headers(&m, exposed_names(&m, false).as_ref()).is_empty());
    }
}
