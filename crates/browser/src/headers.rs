//! Reading response headers as Fetch and Chromium read them: the combined
//! value of a name, and the comma-separated lists of the
//! `Access-Control-Allow-*` and `-Expose-Headers` headers.

use std::collections::BTreeSet;

use crossgate_core::fetch;
use http::HeaderMap;

/// <https://fetch.spec.whatwg.org/#concept-header-list-get>
///
/// Every value of `name`, trimmed of HTTP tab or space, joined with `", "`;
/// `None` when absent.
pub(crate) fn get_combined(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut values = headers.get_all(name).iter().peekable();
    values.peek()?;
    let parts: Vec<String> =
        values.map(|v| String::from_utf8_lossy(fetch::trim_http_tab_or_space(v.as_bytes())).into_owned()).collect();
    Some(parts.join(", "))
}

/// <https://fetch.spec.whatwg.org/#extract-header-list-values>
///
/// Split on `,`, trim, skip empty items, every other item a token; the
/// first item that is not (failure) on a syntax error, an empty set when
/// absent.
// CHROMIUM: `preflight_result.cc` `ParseAccessControlAllowList`.
pub(crate) fn parse_allow_list(value: Option<&str>, lowercase: bool) -> Result<BTreeSet<String>, String> {
    let mut set = BTreeSet::new();
    let Some(value) = value else { return Ok(set) };
    for item in value.split(',') {
        let item = item.trim_matches([' ', '\t']);
        if item.is_empty() {
            continue;
        }
        if !fetch::is_token(item.as_bytes()) {
            return Err(item.to_owned());
        }
        set.insert(if lowercase { item.to_ascii_lowercase() } else { item.to_owned() });
    }
    Ok(set)
}

/// A header map from name-value pairs, for the unit tests.
#[cfg(test)]
pub(crate) fn header_map(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut m = HeaderMap::new();
    for (k, v) in pairs {
        m.append(http::HeaderName::from_bytes(k.as_bytes()).unwrap(), http::HeaderValue::from_str(v).unwrap());
    }
    m
}
