//! The CORS response headers a decision adds, and how they are written.

use http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_MAX_AGE,
};

use crate::config::UpstreamCorsHeaders;
use crate::vary::VarySet;

/// `Access-Control-Allow-Private-Network` ([Private Network Access §3.2]).
///
/// [Private Network Access §3.2]: https://wicg.github.io/private-network-access/#headers
pub static ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");
/// `Access-Control-Request-Private-Network`.
pub static ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");

static TRUE: HeaderValue = HeaderValue::from_static("true");

/// The `Access-Control-*` response headers crossgate ever writes, and so the
/// ones it removes from an inner response before writing its own.
pub fn cors_response_header_names() -> [&'static HeaderName; 7] {
    [
        &ACCESS_CONTROL_ALLOW_ORIGIN,
        &ACCESS_CONTROL_ALLOW_CREDENTIALS,
        &ACCESS_CONTROL_ALLOW_METHODS,
        &ACCESS_CONTROL_ALLOW_HEADERS,
        &ACCESS_CONTROL_MAX_AGE,
        &ACCESS_CONTROL_EXPOSE_HEADERS,
        &ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
    ]
}

/// The CORS headers one decision adds to a response.
///
/// Values are either precomputed when the policy was built or the request's
/// own header values, so holding and writing them never allocates (beyond
/// the header map's own growth).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorsHeaders {
    pub(crate) allow_origin: Option<HeaderValue>,
    pub(crate) allow_credentials: bool,
    pub(crate) allow_methods: Option<HeaderValue>,
    pub(crate) allow_headers: Option<HeaderValue>,
    pub(crate) max_age: Option<HeaderValue>,
    pub(crate) expose_headers: Option<HeaderValue>,
    pub(crate) allow_private_network: bool,
    pub(crate) vary: VarySet,
}

/// The inner response carried `Access-Control-*` headers and the policy says
/// to reject such responses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpstreamConflict;

impl std::fmt::Display for UpstreamConflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the upstream response carries its own Access-Control-* headers")
    }
}

impl std::error::Error for UpstreamConflict {}

impl CorsHeaders {
    /// `Access-Control-Allow-Origin`, if any.
    pub fn allow_origin(&self) -> Option<&HeaderValue> {
        self.allow_origin.as_ref()
    }

    /// The `Vary` names this response needs.
    pub fn vary(&self) -> VarySet {
        self.vary
    }

    /// Every header as a (name, value) pair, `Vary` last, in the order they
    /// are written.
    pub fn iter(&self) -> impl Iterator<Item = (&'static HeaderName, HeaderValue)> + '_ {
        let t = || TRUE.clone();
        [
            self.allow_origin.clone().map(|v| (&ACCESS_CONTROL_ALLOW_ORIGIN, v)),
            self.allow_credentials.then(|| (&ACCESS_CONTROL_ALLOW_CREDENTIALS, t())),
            self.allow_methods.clone().map(|v| (&ACCESS_CONTROL_ALLOW_METHODS, v)),
            self.allow_headers.clone().map(|v| (&ACCESS_CONTROL_ALLOW_HEADERS, v)),
            self.max_age.clone().map(|v| (&ACCESS_CONTROL_MAX_AGE, v)),
            self.expose_headers.clone().map(|v| (&ACCESS_CONTROL_EXPOSE_HEADERS, v)),
            self.allow_private_network.then(|| (&ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, t())),
            (!self.vary.is_empty()).then(|| (&http::header::VARY, self.vary.to_header_value())),
        ]
        .into_iter()
        .flatten()
    }

    /// Writes the headers into a response the caller is building (e.g. a
    /// preflight answer): CORS headers replace any of the same name, `Vary`
    /// is merged.
    pub fn write_to(&self, headers: &mut HeaderMap) {
        for (name, value) in self.iter() {
            if name == http::header::VARY {
                continue;
            }
            headers.insert(name, value);
        }
        self.vary.merge_into(headers);
    }

    /// Applies the headers to an inner service's response, handling the CORS
    /// headers it already set as `upstream` says.
    ///
    /// Never leaves two `Access-Control-Allow-Origin` lines: with
    /// [`Replace`](UpstreamCorsHeaders::Replace) the inner ones are removed
    /// (even when this decision adds none, so a disallowed origin never gets
    /// the inner service's grant); with [`Keep`](UpstreamCorsHeaders::Keep)
    /// a response that has any is left as it is, apart from `Vary`.
    pub fn apply_to_response(
        &self,
        headers: &mut HeaderMap,
        upstream: UpstreamCorsHeaders,
    ) -> Result<(), UpstreamConflict> {
        let has_upstream = || cors_response_header_names().iter().any(|n| headers.contains_key(*n));
        match upstream {
            UpstreamCorsHeaders::Replace => {
                for name in cors_response_header_names() {
                    if headers.contains_key(name) {
                        headers.remove(name);
                    }
                }
            }
            UpstreamCorsHeaders::Keep => {
                if has_upstream() {
                    self.vary.merge_into(headers);
                    return Ok(());
                }
            }
            UpstreamCorsHeaders::Reject => {
                if has_upstream() {
                    return Err(UpstreamConflict);
                }
            }
        }
        self.write_to(headers);
        Ok(())
    }
}
