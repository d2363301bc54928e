//! The look-alikes: failures developers take for CORS (or CORS failures
//! with another cause behind them), each named as its own finding with the
//! fix in server terms.

use serde::Serialize;

/// A finding beside (or instead of) the CORS verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Finding {
    /// The server answered 4xx/5xx without CORS headers: the page sees a CORS
    /// error, the real problem is the server's error.
    HiddenServerError {
        /// The status the server answered.
        status: u16,
    },
    /// The preflight was answered 401, 403, 404 or 405: authentication or
    /// routing ran before CORS.
    PreflightRefused {
        /// The preflight's status.
        status: u16,
    },
    /// The preflight was answered with a redirect, which browsers never follow.
    PreflightRedirect,
    /// `Access-Control-Allow-Origin: *` on a credentialed request.
    WildcardWithCredentials,
    /// An `http:` URL from an `https:` page: blocked before any CORS check.
    MixedContent,
    /// A public page calling a private or loopback address (Local Network
    /// Access, formerly Private Network Access).
    LocalNetworkAccess,
    /// `net::ERR_BLOCKED_BY_RESPONSE`: `Cross-Origin-Resource-Policy` or the
    /// page's `Cross-Origin-Embedder-Policy`, not CORS.
    BlockedByResponse,
    /// `net::ERR_BLOCKED_BY_CLIENT`: an extension (an ad blocker) cancelled it.
    BlockedByClient,
    /// A `no-cors` request: it "succeeded", but the page gets an opaque
    /// response it cannot read.
    OpaqueResponse,
    /// The browser cancelled the request (navigation, `AbortController`).
    Cancelled,
    /// A credentialed call answered 401/403 with no cookie sent: the browser
    /// kept the cookies back (third-party cookies blocked, `SameSite`).
    CredentialsNotSent {
        /// The status the server answered.
        status: u16,
    },
    /// A network failure (DNS, refused connection, TLS): the server never answered.
    NetworkError {
        /// The browser's error, e.g. `net::ERR_CONNECTION_REFUSED`.
        error: String,
    },
    /// The browser failed the request but the file keeps no response to
    /// replay (an export without the blocked response's headers).
    NoResponseRecorded,
    /// The page's origin is not in the file; `--origin` supplies it.
    OriginUnknown,
}

impl Finding {
    /// The stable code (`hidden-server-error`…).
    pub const fn code(&self) -> &'static str {
        match self {
            Finding::HiddenServerError { .. } => "hidden-server-error",
            Finding::PreflightRefused { .. } => "preflight-refused",
            Finding::PreflightRedirect => "preflight-redirect",
            Finding::WildcardWithCredentials => "wildcard-with-credentials",
            Finding::MixedContent => "mixed-content",
            Finding::LocalNetworkAccess => "local-network-access",
            Finding::BlockedByResponse => "blocked-by-response",
            Finding::BlockedByClient => "blocked-by-client",
            Finding::OpaqueResponse => "opaque-response",
            Finding::Cancelled => "cancelled",
            Finding::CredentialsNotSent { .. } => "credentials-not-sent",
            Finding::NetworkError { .. } => "network-error",
            Finding::NoResponseRecorded => "no-response-recorded",
            Finding::OriginUnknown => "origin-unknown",
        }
    }

    /// What it means, in one sentence.
    pub fn title(&self) -> String {
        match self {
            Finding::HiddenServerError { status } => {
                format!("the server's own error ({status}) is hidden behind the CORS error")
            }
            Finding::PreflightRefused { status } => {
                format!("the preflight was refused with {status}: authentication or routing runs before CORS")
            }
            Finding::PreflightRedirect => {
                "the preflight was redirected; browsers never follow a preflight's redirect".into()
            }
            Finding::WildcardWithCredentials => "`Access-Control-Allow-Origin: *` on a request with credentials".into(),
            Finding::MixedContent => {
                "an http: URL called from an https: page (mixed content), blocked before CORS".into()
            }
            Finding::LocalNetworkAccess => {
                "a public page calling a private or loopback address (Local Network Access)".into()
            }
            Finding::BlockedByResponse => {
                "blocked by Cross-Origin-Resource-Policy or Cross-Origin-Embedder-Policy, not by CORS".into()
            }
            Finding::BlockedByClient => {
                "blocked inside the browser by an extension (ERR_BLOCKED_BY_CLIENT), not by the server".into()
            }
            Finding::OpaqueResponse => {
                "a no-cors request: it succeeds, but the page cannot read the opaque response".into()
            }
            Finding::Cancelled => "the browser cancelled the request before it finished".into(),
            Finding::CredentialsNotSent { status } => {
                format!("a credentialed call answered {status} with no cookie sent: the browser held the cookies back")
            }
            Finding::NetworkError { error } => format!("a network error ({error}): the server never answered"),
            Finding::NoResponseRecorded => {
                "the browser failed the request, and the file keeps no response to replay".into()
            }
            Finding::OriginUnknown => "the page's origin is not in the file".into(),
        }
    }

    /// What to change, in server terms (`None`: the emulator's fix stands).
    pub fn fix(&self) -> String {
        match self {
            Finding::HiddenServerError { status } => format!("your API returned {status}; fix that, then add CORS headers to error responses too (a crossgate layer in front of the service adds them to every response)"),
            Finding::PreflightRefused { status: 401 | 407 } => "browsers never send cookies or Authorization on a preflight: answer OPTIONS in the CORS layer before authentication".into(),
            Finding::PreflightRefused { status: 403 } => "the OPTIONS request was refused: allow this origin, method and these headers in the CORS rule, and run CORS before authorization".into(),
            Finding::PreflightRefused { .. } => "the server has no OPTIONS route here: let the CORS layer answer preflights before routing".into(),
            Finding::PreflightRedirect => "answer the preflight at the URL the page calls (no http→https or trailing-slash redirect), or have the page call the final URL".into(),
            Finding::WildcardWithCredentials => "echo the exact origin instead of `*` and send `Access-Control-Allow-Credentials: true` (list the origin in `origins`, set `credentials = true`)".into(),
            Finding::MixedContent => "serve the API over https (no CORS header can allow an http: call from an https: page)".into(),
            Finding::LocalNetworkAccess => "the user must grant the page local-network access (Chromium's permission prompt), or serve the API from a public address; for the older Private Network Access preflight set `allow_private_network = true`".into(),
            Finding::BlockedByResponse => "send `Cross-Origin-Resource-Policy: cross-origin` on this resource (or make the page's COEP `credentialless`); CORS headers do not lift it".into(),
            Finding::BlockedByClient => "nothing on the server: disable the extension, or rename the path that its filter lists match".into(),
            Finding::OpaqueResponse => "if the page needs the response, drop `mode: 'no-cors'` and allow the origin with CORS headers".into(),
            Finding::Cancelled => "not a server problem: the page navigated away or aborted the request".into(),
            Finding::CredentialsNotSent { .. } => "third-party cookies are blocked or the cookie is not `SameSite=None; Secure`: serve the API on the page's site, or authenticate with a bearer token in Authorization".into(),
            Finding::NetworkError { .. } => "make the server reachable from the browser (DNS, port, certificate)".into(),
            Finding::NoResponseRecorded => "replay it live with `crossgate check`, or export again from a browser that keeps the failed response's headers".into(),
            Finding::OriginUnknown => "pass the page's origin with --origin".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let all = [
            Finding::HiddenServerError { status: 500 },
            Finding::PreflightRefused { status: 401 },
            Finding::PreflightRedirect,
            Finding::WildcardWithCredentials,
            Finding::MixedContent,
            Finding::LocalNetworkAccess,
            Finding::BlockedByResponse,
            Finding::BlockedByClient,
            Finding::OpaqueResponse,
            Finding::Cancelled,
            Finding::CredentialsNotSent { status: 401 },
            Finding::NetworkError { error: "net::ERR_CONNECTION_REFUSED".into() },
            Finding::NoResponseRecorded,
            Finding::OriginUnknown,
        ];
        let mut codes: Vec<_> = all.iter().map(Finding::code).collect();
        for (f, c) in all.iter().zip(&codes) {
            assert_eq!(serde_json::to_value(f).unwrap()["code"], *c);
            assert!(c.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{c}");
            assert!(!f.title().is_empty() && !f.fix().is_empty());
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }
}
