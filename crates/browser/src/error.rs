//! Chromium's CORS failure vocabulary (`network::mojom::CorsError`), its
//! console messages (Blink's `cors_error_string.cc`) and a plain fix for each,
//! in crossgate policy terms.

mod firefox;

use std::fmt;

use crossgate_core::RejectReason;

pub use firefox::FirefoxReason;

use crate::profile::Profile;
use crate::request::Initiator;
use crate::verdict::Stage;

/// Why Chromium failed a CORS request, named as in Chromium's `CorsError`
/// (without the `k`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CorsError {
    /// A same-origin-mode request ended up cross-origin (after a redirect).
    DisallowedByMode,
    /// `Access-Control-Allow-Origin: *` on a credentialed request.
    WildcardOriginNotAllowed,
    /// No `Access-Control-Allow-Origin` at all.
    MissingAllowOriginHeader,
    /// Several origins (several header lines, or a list).
    MultipleAllowOriginValues,
    /// A value that is not a URL.
    InvalidAllowOriginValue,
    /// A valid value, but not the request's origin.
    AllowOriginMismatch,
    /// A credentialed request without `Access-Control-Allow-Credentials: true`.
    InvalidAllowCredentials,
    /// The URL's scheme cannot be fetched cross-origin.
    CorsDisabledScheme,
    /// [`CorsError::WildcardOriginNotAllowed`] on the preflight.
    PreflightWildcardOriginNotAllowed,
    /// [`CorsError::MissingAllowOriginHeader`] on the preflight.
    PreflightMissingAllowOriginHeader,
    /// [`CorsError::MultipleAllowOriginValues`] on the preflight.
    PreflightMultipleAllowOriginValues,
    /// [`CorsError::InvalidAllowOriginValue`] on the preflight.
    PreflightInvalidAllowOriginValue,
    /// [`CorsError::AllowOriginMismatch`] on the preflight.
    PreflightAllowOriginMismatch,
    /// [`CorsError::InvalidAllowCredentials`] on the preflight.
    PreflightInvalidAllowCredentials,
    /// The preflight's status is not 200–299.
    PreflightInvalidStatus,
    /// The preflight was answered with a redirect.
    PreflightDisallowedRedirect,
    /// `Access-Control-Allow-Methods` is not a list of tokens.
    InvalidAllowMethodsPreflightResponse,
    /// `Access-Control-Allow-Headers` is not a list of tokens.
    InvalidAllowHeadersPreflightResponse,
    /// The preflight does not allow the method.
    MethodDisallowedByPreflightResponse,
    /// The preflight does not allow a request header.
    HeaderDisallowedByPreflightResponse,
    /// A redirect to a URL with a user name or password.
    RedirectContainsCredentials,
    /// A `no-cors` request whose redirect mode is not `follow` (reported by
    /// Blink before the network).
    NoCorsRedirectModeNotFollow,
}

/// `NO_CORS_HINT` in Blink, for `fetch()` only. Chromium 156 dropped the
/// older "…or, if an opaque response serves your needs, set the request's
/// mode to 'no-cors'…" half.
const NO_CORS_HINT: &str = " Have the server send the header with a valid value.";
/// Added for XHR to the credentials messages.
const XHR_CRED_HINT: &str =
    " The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.";
const PREFLIGHT_PREFIX: &str = "Response to preflight request doesn't pass access control check: ";

impl CorsError {
    /// The name, as Chromium spells it without the `k` (and as DevTools
    /// reports it in `CorsIssue.corsErrorStatus.corsError`).
    pub const fn name(self) -> &'static str {
        use CorsError::*;
        match self {
            DisallowedByMode => "DisallowedByMode",
            WildcardOriginNotAllowed => "WildcardOriginNotAllowed",
            MissingAllowOriginHeader => "MissingAllowOriginHeader",
            MultipleAllowOriginValues => "MultipleAllowOriginValues",
            InvalidAllowOriginValue => "InvalidAllowOriginValue",
            AllowOriginMismatch => "AllowOriginMismatch",
            InvalidAllowCredentials => "InvalidAllowCredentials",
            CorsDisabledScheme => "CorsDisabledScheme",
            PreflightWildcardOriginNotAllowed => "PreflightWildcardOriginNotAllowed",
            PreflightMissingAllowOriginHeader => "PreflightMissingAllowOriginHeader",
            PreflightMultipleAllowOriginValues => "PreflightMultipleAllowOriginValues",
            PreflightInvalidAllowOriginValue => "PreflightInvalidAllowOriginValue",
            PreflightAllowOriginMismatch => "PreflightAllowOriginMismatch",
            PreflightInvalidAllowCredentials => "PreflightInvalidAllowCredentials",
            PreflightInvalidStatus => "PreflightInvalidStatus",
            PreflightDisallowedRedirect => "PreflightDisallowedRedirect",
            InvalidAllowMethodsPreflightResponse => "InvalidAllowMethodsPreflightResponse",
            InvalidAllowHeadersPreflightResponse => "InvalidAllowHeadersPreflightResponse",
            MethodDisallowedByPreflightResponse => "MethodDisallowedByPreflightResponse",
            HeaderDisallowedByPreflightResponse => "HeaderDisallowedByPreflightResponse",
            RedirectContainsCredentials => "RedirectContainsCredentials",
            NoCorsRedirectModeNotFollow => "NoCorsRedirectModeNotFollow",
        }
    }

    /// The `CheckAccess` error as seen on a preflight (Chromium's
    /// `kPreflight*` variants).
    pub(crate) const fn on_preflight(self) -> Self {
        use CorsError::*;
        match self {
            WildcardOriginNotAllowed => PreflightWildcardOriginNotAllowed,
            MissingAllowOriginHeader => PreflightMissingAllowOriginHeader,
            MultipleAllowOriginValues => PreflightMultipleAllowOriginValues,
            InvalidAllowOriginValue => PreflightInvalidAllowOriginValue,
            AllowOriginMismatch => PreflightAllowOriginMismatch,
            InvalidAllowCredentials => PreflightInvalidAllowCredentials,
            other => other,
        }
    }

    /// Whether Blink prefixes the message with "Response to preflight request
    /// doesn't pass access control check: ".
    const fn has_preflight_prefix(self) -> bool {
        use CorsError::*;
        matches!(
            self,
            PreflightWildcardOriginNotAllowed
                | PreflightMissingAllowOriginHeader
                | PreflightMultipleAllowOriginValues
                | PreflightInvalidAllowOriginValue
                | PreflightAllowOriginMismatch
                | PreflightInvalidAllowCredentials
                | PreflightInvalidStatus
                | PreflightDisallowedRedirect
        )
    }

    /// The detail part of Chromium's console message (after "has been
    /// blocked by CORS policy: "), Blink's `GetErrorString`.
    ///
    /// `param` is Chromium's `failed_parameter` (the ACAO or ACAC value, the
    /// method or header name). Chromium 156 no longer appends the "set the
    /// request's mode to 'no-cors'" hint to a missing `Access-Control-Allow-Origin`.
    pub fn detail(self, param: &str, initiator: Initiator) -> String {
        use CorsError::*;
        let is_xhr = initiator == Initiator::Xhr;
        let is_fetch = initiator == Initiator::Fetch;
        let no_cors = if is_fetch { NO_CORS_HINT } else { "" };
        let xhr = if is_xhr { XHR_CRED_HINT } else { "" };
        let prefix = if self.has_preflight_prefix() { PREFLIGHT_PREFIX } else { "" };
        let body = match self {
            DisallowedByMode => "Cross origin requests are not allowed by request mode.".to_owned(),
            WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => format!("The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.{xhr}"),
            MissingAllowOriginHeader | PreflightMissingAllowOriginHeader => {
                "No 'Access-Control-Allow-Origin' header is present on the requested resource.".to_owned()
            }
            MultipleAllowOriginValues | PreflightMultipleAllowOriginValues => format!("The 'Access-Control-Allow-Origin' header contains multiple values '{param}', but only one is allowed.{no_cors}"),
            InvalidAllowOriginValue | PreflightInvalidAllowOriginValue => {
                format!("The 'Access-Control-Allow-Origin' header contains the invalid value '{param}'.{no_cors}")
            }
            AllowOriginMismatch | PreflightAllowOriginMismatch => format!("The 'Access-Control-Allow-Origin' header has a value '{param}' that is not equal to the supplied origin.{no_cors}"),
            InvalidAllowCredentials | PreflightInvalidAllowCredentials => format!("The value of the 'Access-Control-Allow-Credentials' header in the response is '{param}' which must be 'true' when the request's credentials mode is 'include'.{xhr}"),
            CorsDisabledScheme => format!("Cross origin requests are only supported for protocol schemes: {param}."),
            PreflightInvalidStatus => "It does not have HTTP ok status.".to_owned(),
            PreflightDisallowedRedirect => "Redirect is not allowed for a preflight request.".to_owned(),
            InvalidAllowMethodsPreflightResponse => {
                "Cannot parse Access-Control-Allow-Methods response header field in preflight response.".to_owned()
            }
            InvalidAllowHeadersPreflightResponse => {
                "Cannot parse Access-Control-Allow-Headers response header field in preflight response.".to_owned()
            }
            MethodDisallowedByPreflightResponse => {
                format!("Method {param} is not allowed by Access-Control-Allow-Methods in preflight response.")
            }
            HeaderDisallowedByPreflightResponse => format!(
                "Request header field {param} is not allowed by Access-Control-Allow-Headers in preflight response."
            ),
            RedirectContainsCredentials => format!("Redirect location '{param}' contains a username and password, which is disallowed for cross-origin requests."),
            NoCorsRedirectModeNotFollow => "Request mode is \"no-cors\" but the redirect mode is not \"follow\".".to_owned(),
        };
        format!("{prefix}{body}")
    }

    /// How to fix the server, naming the crossgate policy setting when there
    /// is one.
    pub const fn hint(self) -> &'static str {
        use CorsError::*;
        match self {
            DisallowedByMode => "the page asked for mode 'same-origin'; no server header can allow a cross-origin response — call a same-origin URL or use mode 'cors'",
            WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => "a credentialed request needs the exact origin echoed, never `*`: list the origin in `origins` (not `*`) and set `credentials = true`",
            MissingAllowOriginHeader | PreflightMissingAllowOriginHeader => "the server did not answer with CORS headers: add the origin, exactly as the browser sends it, to a rule's `origins` (and make sure the rule covers this path and method)",
            MultipleAllowOriginValues | PreflightMultipleAllowOriginValues => "send exactly one origin: `Access-Control-Allow-Origin` is set twice (often by both the app and a proxy) or holds a list — let one layer answer CORS, with the origin in `origins`",
            InvalidAllowOriginValue | PreflightInvalidAllowOriginValue => "`Access-Control-Allow-Origin` must be `*`, `null` or one serialized origin (scheme://host[:port], no path): list the origin in `origins`",
            AllowOriginMismatch | PreflightAllowOriginMismatch => "the server echoed a different origin: add this exact origin (scheme, host, port; lower-case; no trailing slash) to `origins`",
            InvalidAllowCredentials | PreflightInvalidAllowCredentials => "the request sends cookies or auth: set `credentials = true` on the rule (it answers `Access-Control-Allow-Credentials: true`), or have the page omit credentials",
            CorsDisabledScheme => "only http and https URLs can be fetched cross-origin",
            PreflightInvalidStatus => "answer the OPTIONS preflight with a 2xx status (crossgate answers 204): let the CORS layer handle OPTIONS before authentication or routing",
            PreflightDisallowedRedirect => "answer the OPTIONS preflight where it was sent; browsers never follow a redirect on a preflight (a trailing slash or http→https redirect is the usual cause)",
            InvalidAllowMethodsPreflightResponse => "`Access-Control-Allow-Methods` must be a comma-separated list of method tokens: fix `methods`",
            InvalidAllowHeadersPreflightResponse => "`Access-Control-Allow-Headers` must be a comma-separated list of header names: fix `request_headers`",
            MethodDisallowedByPreflightResponse => "add the method, in exactly the case the page sends it, to the rule's `methods`",
            HeaderDisallowedByPreflightResponse => "add the header to the rule's `request_headers` (`*` does not cover `authorization`, nor anything on credentialed requests)",
            RedirectContainsCredentials => "do not redirect a cross-origin request to a URL with a user name or password",
            NoCorsRedirectModeNotFollow => "a no-cors request must use redirect mode 'follow'",
        }
    }

    /// The error Chromium reports when crossgate's engine rejected the
    /// request with `reason` and answered without CORS headers: a rejected
    /// preflight (403, no `Access-Control-*`) fails on its missing
    /// `Access-Control-Allow-Origin` before its status is looked at; a
    /// rejected actual request is passed through without CORS headers.
    pub fn from_server_rejection(reason: &RejectReason<'_>, preflight: bool) -> Self {
        match reason {
            RejectReason::PathNotCovered
            | RejectReason::OriginNotAllowed
            | RejectReason::MethodNotAllowed { .. }
            | RejectReason::HeaderNotAllowed { .. }
            | RejectReason::PrivateNetworkNotAllowed
            | RejectReason::MalformedRequestHeader { .. } => {
                if preflight {
                    CorsError::PreflightMissingAllowOriginHeader
                } else {
                    CorsError::MissingAllowOriginHeader
                }
            }
            _ => CorsError::MissingAllowOriginHeader,
        }
    }
}

impl fmt::Display for CorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the console shows for a CORS failure, and its code, in `profile`'s
/// words.
pub(crate) struct Report {
    /// The failure's name in the engine's vocabulary (Chromium's
    /// `CorsError`, Firefox's `CORS*` category).
    pub(crate) code: &'static str,
    /// The console lines, joined with `\n`.
    pub(crate) message: String,
}

/// Where a failure happened, for its console message.
pub(crate) struct Place<'a> {
    pub(crate) initiator: Initiator,
    pub(crate) last_url: &'a url::Url,
    pub(crate) initial_url: &'a url::Url,
    pub(crate) origin: &'a str,
    /// The status of the response that failed (`None`: no response).
    pub(crate) status: Option<u16>,
    /// Which response failed (Firefox then also reports the request a
    /// preflight or a redirect was for).
    pub(crate) stage: Stage,
}

/// The console report of `error` in `profile`'s vocabulary.
pub(crate) fn report(profile: Profile, error: CorsError, param: &str, at: &Place<'_>) -> Report {
    match (profile, FirefoxReason::from_cors_error(error)) {
        (Profile::Firefox, Some(reason)) => {
            let status = if reason == FirefoxReason::DidNotSucceed { None } else { at.status };
            let mut lines = vec![reason.message(at.last_url, param, status)];
            // The preflight channel fails on the redirect, then the preflight
            // on its status.
            if error == CorsError::PreflightDisallowedRedirect {
                lines.push(FirefoxReason::PreflightDidNotSucceed.message(at.last_url, "", at.status));
            }
            // Then the request a preflight or a redirect was for fails too,
            // without a response.
            if matches!(at.stage, Stage::Preflight | Stage::Redirect) && reason != FirefoxReason::DidNotSucceed {
                lines.push(FirefoxReason::DidNotSucceed.message(at.last_url, "", None));
            }
            Report { code: reason.name(), message: lines.join("\n") }
        }
        (Profile::Firefox, None) => Report { code: error.name(), message: String::new() },
        _ => Report {
            code: error.name(),
            message: console_message(error, param, at.initiator, at.last_url, at.initial_url, at.origin),
        },
    }
}

/// Chromium's full console line for a CORS failure:
/// `Access to {kind} at '{url}' [(redirected from '{initial}') ]from origin
/// '{origin}' has been blocked by CORS policy: {detail}`.
fn console_message(
    error: CorsError,
    param: &str,
    initiator: Initiator,
    last_url: &url::Url,
    initial_url: &url::Url,
    origin: &str,
) -> String {
    let redirected =
        if last_url != initial_url { format!("(redirected from '{initial_url}') ") } else { String::new() };
    format!(
        "Access to {} at '{last_url}' {redirected}from origin '{origin}' has been blocked by CORS policy: {}",
        initiator.resource_kind(),
        error.detail(param, initiator)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        let u = url::Url::parse("https://api.b.test/data").unwrap();
        assert_eq!(
            console_message(CorsError::PreflightMissingAllowOriginHeader, "", Initiator::Fetch, &u, &u, "https://a.test"),
            "Access to fetch at 'https://api.b.test/data' from origin 'https://a.test' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."
        );
        let d = CorsError::InvalidAllowCredentials.detail("", Initiator::Xhr);
        assert!(d.ends_with("withCredentials attribute."), "{d}");
        assert_eq!(
            CorsError::MethodDisallowedByPreflightResponse.detail("patch", Initiator::Fetch),
            "Method patch is not allowed by Access-Control-Allow-Methods in preflight response."
        );
    }

    #[test]
    fn firefox_reports_the_preflight_then_the_request() {
        let u = url::Url::parse("https://api.b.test/data").unwrap();
        let at = |stage, status| Place {
            initiator: Initiator::Fetch,
            last_url: &u,
            initial_url: &u,
            origin: "https://a.test",
            status,
            stage,
        };
        let r = report(Profile::Firefox, CorsError::PreflightInvalidStatus, "", &at(Stage::Preflight, Some(403)));
        assert_eq!(r.code, "CORSPreflightDidNotSucceed");
        let lines: Vec<&str> = r.message.lines().collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].ends_with("(Reason: CORS preflight response did not succeed). Status code: 403."));
        assert!(lines[1].ends_with("(Reason: CORS request did not succeed). Status code: (null)."));
        let r = report(Profile::Firefox, CorsError::PreflightDisallowedRedirect, "", &at(Stage::Preflight, Some(302)));
        assert_eq!(r.message.lines().count(), 3, "{}", r.message);
        let r =
            report(Profile::Firefox, CorsError::AllowOriginMismatch, "https://c.test", &at(Stage::Actual, Some(200)));
        assert_eq!(r.message.lines().count(), 1, "{}", r.message);
        assert!(r.message.contains("does not match ‘https://c.test’"), "{}", r.message);
        let r =
            report(Profile::Chromium, CorsError::AllowOriginMismatch, "https://c.test", &at(Stage::Actual, Some(200)));
        assert_eq!(r.code, "AllowOriginMismatch");
        assert!(r.message.starts_with("Access to fetch at "), "{}", r.message);
    }

    #[test]
    fn server_rejections_map_to_missing_acao() {
        let r = RejectReason::MethodNotAllowed { method: "PUT" };
        assert_eq!(CorsError::from_server_rejection(&r, true), CorsError::PreflightMissingAllowOriginHeader);
        assert_eq!(
            CorsError::from_server_rejection(&RejectReason::OriginNotAllowed, false),
            CorsError::MissingAllowOriginHeader
        );
    }
}
