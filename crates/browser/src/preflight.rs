//! The checks of a preflight's response and the result it leaves in the
//! cache: step 7 of [CORS-preflight fetch], in the order and with the names
//! of Chromium's `preflight_controller.cc` and `preflight_result.cc`.
//!
//! [CORS-preflight fetch]: https://fetch.spec.whatwg.org/#cors-preflight-fetch

use std::collections::BTreeSet;

use crossgate_core::fetch;
use http::HeaderMap;

use crate::check::{cors_check, Failure};
use crate::error::CorsError;
use crate::headers::{get_combined, parse_allow_list};
use crate::profile::Profile;

/// A successful preflight's result (Chromium's `PreflightResult`): what
/// Fetch spreads over one cache entry per method and per header name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PreflightResult {
    /// `Access-Control-Allow-Methods`, case kept.
    pub(crate) methods: BTreeSet<String>,
    /// `Access-Control-Allow-Headers`, lower-cased.
    pub(crate) headers: BTreeSet<String>,
    /// Whether the preflight was for a credentialed request.
    pub(crate) credentials: bool,
    /// The max-age in seconds after the profile's clamp.
    pub(crate) max_age: u64,
    /// Whether `Access-Control-Allow-Headers: *` also covers `authorization`
    /// (Chromium 156 and Firefox 140 do; the spec does not).
    pub(crate) wildcard_covers_authorization: bool,
}

impl PreflightResult {
    /// <https://fetch.spec.whatwg.org/#cors-preflight-fetch>
    ///
    /// Parses and checks a preflight response: step 7's condition, then
    /// steps 7.1–7.3 and 7.8–7.10 (the method and headers are checked
    /// against the result next). A redirect must be
    /// recognised by the caller first.
    // CHROMIUM: `preflight_controller.cc` `CheckPreflightAccess` reports a
    // failed CORS check before a bad status, with the `kPreflight*` names,
    // then `PreflightResult::Create` parses the lists.
    pub(crate) fn from_response(
        status: u16,
        headers: &HeaderMap,
        serialized_origin: &str,
        include_credentials: bool,
        profile: Profile,
    ) -> Result<PreflightResult, Failure> {
        // step 7: a CORS check with the request's credentials mode, and an ok
        // status.
        cors_check(headers, serialized_origin, include_credentials).map_err(|(e, p)| (e.on_preflight(), p))?;
        if !(200..300).contains(&status) {
            return Err((CorsError::PreflightInvalidStatus, String::new()));
        }
        // steps 7.1–7.3
        // Chromium reports no parameter; Firefox names the invalid token.
        let param = |item: String| if profile == Profile::Firefox { item } else { String::new() };
        let methods = parse_allow_list(get_combined(headers, "access-control-allow-methods").as_deref(), false)
            .map_err(|item| (CorsError::InvalidAllowMethodsPreflightResponse, param(item)))?;
        let allowed_headers = parse_allow_list(get_combined(headers, "access-control-allow-headers").as_deref(), true)
            .map_err(|item| (CorsError::InvalidAllowHeadersPreflightResponse, param(item)))?;
        // steps 7.8–7.10
        let max_age = profile.max_age(get_combined(headers, "access-control-max-age").as_deref());
        // CHROMIUM: FIREFOX: see `check_headers`.
        let wildcard_covers_authorization = profile != Profile::WebKit;
        Ok(PreflightResult {
            methods,
            headers: allowed_headers,
            credentials: include_credentials,
            max_age,
            wildcard_covers_authorization,
        })
    }

    /// <https://fetch.spec.whatwg.org/#cors-preflight-fetch>
    ///
    /// Step 7.5: the exact method (case-sensitive), a CORS-safelisted method,
    /// or `*` without credentials (Chromium's
    /// `EnsureAllowedCrossOriginMethod`).
    pub(crate) fn check_method(&self, method: &str, include_credentials: bool) -> Result<(), Failure> {
        if self.methods.contains(method)
            || fetch::is_cors_safelisted_method(method.as_bytes())
            || (!include_credentials && self.methods.contains("*"))
        {
            return Ok(());
        }
        Err((CorsError::MethodDisallowedByPreflightResponse, method.to_owned()))
    }

    /// <https://fetch.spec.whatwg.org/#cors-preflight-fetch>
    ///
    /// Steps 7.6 and 7.7: every CORS-unsafe name listed (ignoring case), or
    /// `*` without credentials, which never covers `authorization` (the CORS
    /// non-wildcard request-header name) — except in Chromium.
    // CHROMIUM: `preflight_result.cc` `EnsureAllowedCrossOriginHeaders`:
    // Chromium 156 lets `*` cover `authorization`. FIREFOX: so does Firefox
    // ESR 140 (`network.cors_preflight.authorization_covered_by_wildcard`),
    // without a console warning (both verified by the differential tests);
    // `Profile::WebKit` keeps the spec's rule.
    pub(crate) fn check_headers(&self, unsafe_names: &[String], include_credentials: bool) -> Result<(), Failure> {
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

    /// Whether this result covers a request on a cache hit: a credentialed
    /// result serves both kinds of request (Fetch's "cache entry match"),
    /// then steps 7.5–7.7 (Chromium's `EnsureAllowedRequest`).
    pub(crate) fn allows(&self, method: &str, unsafe_names: &[String], include_credentials: bool) -> bool {
        (self.credentials || !include_credentials)
            && self.check_method(method, include_credentials).is_ok()
            && self.check_headers(unsafe_names, include_credentials).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headers::header_map as h;

    const O: &str = "https://a.test";

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
}
