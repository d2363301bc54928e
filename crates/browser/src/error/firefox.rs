//! Firefox's CORS failure vocabulary: the console categories
//! `nsCORSListenerProxy.cpp` logs a blocked request under, their messages
//! (`security.properties`, en-US) and the MDN page Firefox's console links
//! each one to (`devtools/server/actors/errordocs.js`). Checked against
//! Firefox ESR 140 by `tests/firefox/`.

use url::Url;

use super::CorsError;

/// Why Firefox blocked a CORS request, named as the MDN page Firefox links
/// to (its console category without the version suffix).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FirefoxReason {
    /// CORS is turned off (`content.cors.disable`).
    Disabled,
    /// The request failed at the network level, or its preflight did.
    DidNotSucceed,
    /// The `Origin` header could not be added.
    OriginHeaderNotAdded,
    /// A redirect Firefox will not follow for a CORS request (a preflight's).
    ExternalRedirectNotAllowed,
    /// The URL is not `http` or `https`.
    RequestNotHttp,
    /// No `Access-Control-Allow-Origin`.
    MissingAllowOrigin,
    /// `Access-Control-Allow-Origin` twice.
    MultipleAllowOriginNotAllowed,
    /// `Access-Control-Allow-Origin` is not the request's origin (nor `*`).
    AllowOriginNotMatchingOrigin,
    /// `Access-Control-Allow-Origin: *` on a credentialed request.
    NotSupportingCredentials,
    /// The preflight does not allow the method.
    MethodNotFound,
    /// A credentialed request without `Access-Control-Allow-Credentials: true`.
    MissingAllowCredentials,
    /// The preflight's status is not 2xx.
    PreflightDidNotSucceed,
    /// `Access-Control-Allow-Methods` holds something that is not a token.
    InvalidAllowMethod,
    /// `Access-Control-Allow-Headers` holds something that is not a token.
    InvalidAllowHeader,
    /// The preflight does not allow a request header.
    MissingAllowHeaderFromPreflight,
}

const BLOCKED: &str = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at";
const DOCS_BASE: &str = "https://developer.mozilla.org/docs/Web/HTTP/Guides/CORS/Errors/";
const DOCS_PARAMS: &str = "?utm_source=devtools&utm_medium=firefox-cors-errors&utm_campaign=default";

impl FirefoxReason {
    /// The name, e.g. `CORSMissingAllowOrigin`.
    pub const fn name(self) -> &'static str {
        use FirefoxReason::*;
        match self {
            Disabled => "CORSDisabled",
            DidNotSucceed => "CORSDidNotSucceed",
            OriginHeaderNotAdded => "CORSOriginHeaderNotAdded",
            ExternalRedirectNotAllowed => "CORSExternalRedirectNotAllowed",
            RequestNotHttp => "CORSRequestNotHttp",
            MissingAllowOrigin => "CORSMissingAllowOrigin",
            MultipleAllowOriginNotAllowed => "CORSMultipleAllowOriginNotAllowed",
            AllowOriginNotMatchingOrigin => "CORSAllowOriginNotMatchingOrigin",
            NotSupportingCredentials => "CORSNotSupportingCredentials",
            MethodNotFound => "CORSMethodNotFound",
            MissingAllowCredentials => "CORSMissingAllowCredentials",
            PreflightDidNotSucceed => "CORSPreflightDidNotSucceed",
            InvalidAllowMethod => "CORSInvalidAllowMethod",
            InvalidAllowHeader => "CORSInvalidAllowHeader",
            MissingAllowHeaderFromPreflight => "CORSMissingAllowHeaderFromPreflight",
        }
    }

    /// The reason named `name` (as [`FirefoxReason::name`] spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        use FirefoxReason::*;
        [
            Disabled,
            DidNotSucceed,
            OriginHeaderNotAdded,
            ExternalRedirectNotAllowed,
            RequestNotHttp,
            MissingAllowOrigin,
            MultipleAllowOriginNotAllowed,
            AllowOriginNotMatchingOrigin,
            NotSupportingCredentials,
            MethodNotFound,
            MissingAllowCredentials,
            PreflightDidNotSucceed,
            InvalidAllowMethod,
            InvalidAllowHeader,
            MissingAllowHeaderFromPreflight,
        ]
        .into_iter()
        .find(|r| r.name() == name)
    }

    /// The MDN page Firefox's console links the message to ("Learn More").
    pub fn docs_url(self) -> String {
        format!("{DOCS_BASE}{}{DOCS_PARAMS}", self.name())
    }

    /// Firefox's reason for the failure the emulator names `error`: Firefox
    /// has no separate preflight names (the message says which request
    /// failed by its status), and calls every `Access-Control-Allow-Origin`
    /// value other than the origin or `*` a mismatch, lists and repeated
    /// lines included (they reach its check combined).
    pub const fn from_cors_error(error: CorsError) -> Option<Self> {
        use CorsError::*;
        Some(match error {
            WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => FirefoxReason::NotSupportingCredentials,
            MissingAllowOriginHeader | PreflightMissingAllowOriginHeader => FirefoxReason::MissingAllowOrigin,
            MultipleAllowOriginValues
            | PreflightMultipleAllowOriginValues
            | InvalidAllowOriginValue
            | PreflightInvalidAllowOriginValue
            | AllowOriginMismatch
            | PreflightAllowOriginMismatch => FirefoxReason::AllowOriginNotMatchingOrigin,
            InvalidAllowCredentials | PreflightInvalidAllowCredentials => FirefoxReason::MissingAllowCredentials,
            CorsDisabledScheme => FirefoxReason::RequestNotHttp,
            PreflightInvalidStatus => FirefoxReason::PreflightDidNotSucceed,
            PreflightDisallowedRedirect => FirefoxReason::ExternalRedirectNotAllowed,
            // The redirect is refused before any response to it.
            RedirectContainsCredentials => FirefoxReason::DidNotSucceed,
            InvalidAllowMethodsPreflightResponse => FirefoxReason::InvalidAllowMethod,
            InvalidAllowHeadersPreflightResponse => FirefoxReason::InvalidAllowHeader,
            MethodDisallowedByPreflightResponse => FirefoxReason::MethodNotFound,
            HeaderDisallowedByPreflightResponse => FirefoxReason::MissingAllowHeaderFromPreflight,
            DisallowedByMode | NoCorsRedirectModeNotFollow => return None,
        })
    }

    /// Firefox's console message for a request to `url` blocked for this
    /// reason. `param` is the message's second argument (the
    /// `Access-Control-Allow-Origin` value, the invalid token, the header
    /// name) and `status` the HTTP status, `None` printing as Firefox's
    /// `(null)`.
    pub fn message(self, url: &Url, param: &str, status: Option<u16>) -> String {
        use FirefoxReason::*;
        let status = status.map_or_else(|| "(null)".to_owned(), |s| s.to_string());
        match self {
            Disabled => format!("{BLOCKED} {url}. (Reason: CORS disabled)."),
            DidNotSucceed => format!("{BLOCKED} {url}. (Reason: CORS request did not succeed). Status code: {status}."),
            OriginHeaderNotAdded => format!("{BLOCKED} {url}. (Reason: CORS header ‘Origin’ cannot be added)."),
            ExternalRedirectNotAllowed => format!("{BLOCKED} {url}. (Reason: CORS request external redirect not allowed)."),
            RequestNotHttp => format!("{BLOCKED} {url}. (Reason: CORS request not http)."),
            MissingAllowOrigin => format!(
                "{BLOCKED} {url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: {status}."
            ),
            MultipleAllowOriginNotAllowed => {
                format!("{BLOCKED} {url}. (Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed).")
            }
            AllowOriginNotMatchingOrigin => {
                format!("{BLOCKED} {url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘{param}’).")
            }
            NotSupportingCredentials => format!("{BLOCKED} ‘{url}’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’)."),
            MethodNotFound => {
                format!("{BLOCKED} {url}. (Reason: Did not find method in CORS header ‘Access-Control-Allow-Methods’).")
            }
            MissingAllowCredentials => {
                format!("{BLOCKED} {url}. (Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’).")
            }
            PreflightDidNotSucceed => {
                format!("{BLOCKED} {url}. (Reason: CORS preflight response did not succeed). Status code: {status}.")
            }
            InvalidAllowMethod => {
                format!("{BLOCKED} {url}. (Reason: invalid token ‘{param}’ in CORS header ‘Access-Control-Allow-Methods’).")
            }
            InvalidAllowHeader => {
                format!("{BLOCKED} {url}. (Reason: invalid token ‘{param}’ in CORS header ‘Access-Control-Allow-Headers’).")
            }
            MissingAllowHeaderFromPreflight => format!("{BLOCKED} {url}. (Reason: header ‘{param}’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response)."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_link_to_mdn() {
        for e in [CorsError::PreflightMissingAllowOriginHeader, CorsError::MethodDisallowedByPreflightResponse] {
            let r = FirefoxReason::from_cors_error(e).unwrap();
            assert_eq!(FirefoxReason::from_name(r.name()), Some(r));
            assert!(r.docs_url().contains(&format!("/CORS/Errors/{}?", r.name())), "{}", r.docs_url());
        }
        assert_eq!(FirefoxReason::from_name("MissingAllowOriginHeader"), None);
        assert_eq!(FirefoxReason::from_cors_error(CorsError::DisallowedByMode), None);
    }

    #[test]
    fn messages() {
        let u = Url::parse("https://api.b.test/data").unwrap();
        assert_eq!(
            FirefoxReason::MissingAllowOrigin.message(&u, "", Some(200)),
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.b.test/data. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200."
        );
        assert!(FirefoxReason::DidNotSucceed.message(&u, "", None).ends_with("Status code: (null)."));
        assert!(FirefoxReason::NotSupportingCredentials
            .message(&u, "", None)
            .contains("at ‘https://api.b.test/data’."));
    }
}
