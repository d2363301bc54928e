//! The CORS check and the preflight check, as Chromium runs them
//! (Fetch §4.8 "CORS-preflight fetch", §4.9 "CORS check"; Chromium's
//! `cors.cc` `CheckAccess` and `preflight_result.cc`).

use std::collections::BTreeSet;

use crossgate_core::fetch;
use http::HeaderMap;

use crate::error::CorsError;
use crate::Profile;

/// A failed check: the error and Chromium's `failed_parameter`.
pub type Failure = (CorsError, String);

/// Fetch's "get" (§2.2.2): every value of `name`, trimmed of HTTP
/// tab-or-space, joined with `", "`; `None` when absent.
pub fn get_combined(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut values = headers.get_all(name).iter().peekable();
    values.peek()?;
    let parts: Vec<String> =
        values.map(|v| String::from_utf8_lossy(fetch::trim_http_tab_or_space(v.as_bytes())).into_owned()).collect();
    Some(parts.join(", "))
}

/// Chromium's `CheckAccess` (§3.3): `Access-Control-Allow-Origin` against the
/// serialized request origin, then `Access-Control-Allow-Credentials` when
/// credentials are included.
pub fn check_access(headers: &HeaderMap, serialized_origin: &str, include_credentials: bool) -> Result<(), Failure> {
    let acao = get_combined(headers, "access-control-allow-origin");
    match acao.as_deref() {
        Some("*") => {
            if include_credentials {
                return Err((CorsError::WildcardOriginNotAllowed, String::new()));
            }
            return Ok(());
        }
        None => return Err((CorsError::MissingAllowOriginHeader, String::new())),
        Some(v) if v != serialized_origin => {
            let err = if v.contains([' ', ',']) {
                CorsError::MultipleAllowOriginValues
            } else if v == "null" {
                CorsError::AllowOriginMismatch
            } else if !is_valid_gurl(v) {
                CorsError::InvalidAllowOriginValue
            } else {
                CorsError::AllowOriginMismatch
            };
            return Err((err, v.to_owned()));
        }
        Some(_) => {}
    }
    if include_credentials {
        let acac = get_combined(headers, "access-control-allow-credentials");
        if acac.as_deref() != Some("true") {
            return Err((CorsError::InvalidAllowCredentials, acac.unwrap_or_default()));
        }
    }
    Ok(())
}

/// An approximation of Chromium's `GURL::is_valid` for the values servers
/// put in `Access-Control-Allow-Origin`: an absolute URL with a scheme, and
/// a host for the special schemes.
fn is_valid_gurl(v: &str) -> bool {
    url::Url::parse(v).is_ok()
}

/// Chromium's `ParseAccessControlAllowList`: split on `,`, trim, skip empty
/// items, every other item a token. `None` on a syntax error.
pub fn parse_allow_list(value: Option<&str>, lowercase: bool) -> Option<BTreeSet<String>> {
    let mut set = BTreeSet::new();
    let Some(value) = value else { return Some(set) };
    for item in value.split(',') {
        let item = item.trim_matches([' ', '\t']);
        if item.is_empty() {
            continue;
        }
        if !fetch::is_token(item.as_bytes()) {
            return None;
        }
        set.insert(if lowercase { item.to_ascii_lowercase() } else { item.to_owned() });
    }
    Some(set)
}

/// A successful preflight's result (Chromium's `PreflightResult`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreflightResult {
    /// `Access-Control-Allow-Methods`, case kept.
    pub methods: BTreeSet<String>,
    /// `Access-Control-Allow-Headers`, lower-cased.
    pub headers: BTreeSet<String>,
    /// Whether the preflight was for a credentialed request.
    pub credentials: bool,
    /// The max-age in seconds after the profile's clamp.
    pub max_age: u64,
    /// Whether `Access-Control-Allow-Headers: *` also covers `authorization`
    /// (Chromium 156 does; the spec does not).
    pub wildcard_covers_authorization: bool,
}

impl PreflightResult {
    /// Parses and checks a preflight response in Chromium's order (§3.3 steps
    /// 2–7). A redirect must be recognised by the caller first.
    pub fn from_response(
        status: u16,
        headers: &HeaderMap,
        serialized_origin: &str,
        include_credentials: bool,
        profile: Profile,
    ) -> Result<PreflightResult, Failure> {
        check_access(headers, serialized_origin, include_credentials).map_err(|(e, p)| (e.on_preflight(), p))?;
        if !(200..300).contains(&status) {
            return Err((CorsError::PreflightInvalidStatus, String::new()));
        }
        let methods = parse_allow_list(get_combined(headers, "access-control-allow-methods").as_deref(), false)
            .ok_or((CorsError::InvalidAllowMethodsPreflightResponse, String::new()))?;
        let allowed_headers = parse_allow_list(get_combined(headers, "access-control-allow-headers").as_deref(), true)
            .ok_or((CorsError::InvalidAllowHeadersPreflightResponse, String::new()))?;
        let max_age = profile.max_age(get_combined(headers, "access-control-max-age").as_deref());
        let wildcard_covers_authorization = profile == Profile::Chromium;
        Ok(PreflightResult {
            methods,
            headers: allowed_headers,
            credentials: include_credentials,
            max_age,
            wildcard_covers_authorization,
        })
    }

    /// Chromium's `EnsureAllowedCrossOriginMethod`: the exact method, a
    /// CORS-safelisted method, or `*` without credentials.
    pub fn check_method(&self, method: &str, include_credentials: bool) -> Result<(), Failure> {
        if self.methods.contains(method)
            || fetch::is_cors_safelisted_method(method.as_bytes())
            || (!include_credentials && self.methods.contains("*"))
        {
            return Ok(());
        }
        Err((CorsError::MethodDisallowedByPreflightResponse, method.to_owned()))
    }

    /// Chromium's `EnsureAllowedCrossOriginHeaders`: `*` covers every name,
    /// only without credentials.
    ///
    /// Fetch says `*` never covers `authorization` (the CORS non-wildcard
    /// request-header name); Chromium 156 lets it through (verified by the
    /// differential tests), and this follows Chromium. [`Profile::Firefox`]
    /// and [`Profile::WebKit`] follow the spec.
    pub fn check_headers(&self, unsafe_names: &[String], include_credentials: bool) -> Result<(), Failure> {
        let wildcard = !include_credentials && self.headers.contains("*");
        for name in unsafe_names {
            if self.headers.contains(name) {
                continue;
            }
            if wildcard && (self.wildcard_covers_authorization || name != fetch::CORS_NON_WILDCARD_REQUEST_HEADER_NAME)
            {
                continue;
            }
            return Err((CorsError::HeaderDisallowedByPreflightResponse, name.clone()));
        }
        Ok(())
    }

    /// Chromium's `EnsureAllowedRequest`, used on a cache hit.
    pub fn allows(&self, method: &str, unsafe_names: &[String], include_credentials: bool) -> bool {
        (self.credentials || !include_credentials)
            && self.check_method(method, include_credentials).is_ok()
            && self.check_headers(unsafe_names, include_credentials).is_ok()
    }
}

/// The names a page may read from a response (Fetch §1.14): `None` means
/// every name but `Set-Cookie`/`Set-Cookie2` (a basic response, or
/// `Access-Control-Expose-Headers: *` without credentials).
pub fn exposed_names(headers: &HeaderMap, include_credentials: bool) -> Option<BTreeSet<String>> {
    let aceh = get_combined(headers, "access-control-expose-headers");
    // Blink empties the whole list on a syntax error.
    let list = parse_allow_list(aceh.as_deref(), true).unwrap_or_default();
    if !include_credentials && list.contains("*") {
        return None;
    }
    Some(list)
}

/// The readable response headers, lower-case names with combined values,
/// sorted by name.
pub fn readable_headers(headers: &HeaderMap, exposed: Option<&BTreeSet<String>>) -> Vec<(String, String)> {
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

    fn h(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.append(http::HeaderName::from_bytes(k.as_bytes()).unwrap(), http::HeaderValue::from_str(v).unwrap());
        }
        m
    }

    const O: &str = "https://a.test";

    #[test]
    #[allow(clippy::type_complexity)]
    fn check_access_table() {
        use CorsError::*;
        let cases: &[(&[(&str, &str)], bool, Option<(CorsError, &str)>)] = &[
            (&[("access-control-allow-origin", "*")], false, None),
            (&[("access-control-allow-origin", " * ")], false, None),
            (&[("access-control-allow-origin", "*")], true, Some((WildcardOriginNotAllowed, ""))),
            (&[], false, Some((MissingAllowOriginHeader, ""))),
            (&[("access-control-allow-origin", O)], false, None),
            (
                &[("access-control-allow-origin", "https://a.test/")],
                false,
                Some((AllowOriginMismatch, "https://a.test/")),
            ),
            (
                &[("access-control-allow-origin", "HTTPS://A.TEST")],
                false,
                Some((AllowOriginMismatch, "HTTPS://A.TEST")),
            ),
            (&[("access-control-allow-origin", "null")], false, Some((AllowOriginMismatch, "null"))),
            (&[("access-control-allow-origin", "")], false, Some((InvalidAllowOriginValue, ""))),
            (&[("access-control-allow-origin", "**")], false, Some((InvalidAllowOriginValue, "**"))),
            (
                &[("access-control-allow-origin", O), ("access-control-allow-origin", O)],
                false,
                Some((MultipleAllowOriginValues, "https://a.test, https://a.test")),
            ),
            (&[("access-control-allow-origin", O)], true, Some((InvalidAllowCredentials, ""))),
            (
                &[("access-control-allow-origin", O), ("access-control-allow-credentials", "True")],
                true,
                Some((InvalidAllowCredentials, "True")),
            ),
            (&[("access-control-allow-origin", O), ("access-control-allow-credentials", "true")], true, None),
        ];
        for (headers, cred, want) in cases {
            let got = check_access(&h(headers), O, *cred).err();
            assert_eq!(got, want.map(|(e, p)| (e, p.to_owned())), "{headers:?} {cred}");
        }
    }

    #[test]
    fn preflight_order_and_lists() {
        let r = PreflightResult::from_response(500, &h(&[]), O, false, Profile::Chromium);
        assert_eq!(r.unwrap_err().0, CorsError::PreflightMissingAllowOriginHeader);
        let r = PreflightResult::from_response(
            500,
            &h(&[("access-control-allow-origin", "*")]),
            O,
            false,
            Profile::Chromium,
        );
        assert_eq!(r.unwrap_err().0, CorsError::PreflightInvalidStatus);
        let r = PreflightResult::from_response(
            200,
            &h(&[("access-control-allow-origin", "*"), ("access-control-allow-methods", "Bad value")]),
            O,
            false,
            Profile::Chromium,
        );
        assert_eq!(r.unwrap_err().0, CorsError::InvalidAllowMethodsPreflightResponse);
        let r = PreflightResult::from_response(
            204,
            &h(&[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-methods", "PATCH, ,*"),
                ("access-control-allow-headers", "X-A, *"),
            ]),
            O,
            false,
            Profile::Chromium,
        )
        .unwrap();
        assert!(r.check_method("patch", false).is_ok());
        assert!(r.check_method("patch", true).is_err());
        assert!(r.check_method("PATCH", true).is_ok());
        assert!(r.check_headers(&["x-b".into()], false).is_ok());
        assert!(r.check_headers(&["authorization".into()], false).is_ok());
        let spec = PreflightResult { wildcard_covers_authorization: false, ..r.clone() };
        assert_eq!(spec.check_headers(&["authorization".into()], false).unwrap_err().1, "authorization");
        assert_eq!(r.check_headers(&["x-b".into()], true).unwrap_err().1, "x-b");
        assert_eq!(r.max_age, 5);
    }

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
