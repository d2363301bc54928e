//! The CORS response headers a decision adds, and how they are written.
//!
//! <https://fetch.spec.whatwg.org/#http-responses>

use http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
};

use crate::config::UpstreamCorsHeaders;
use crate::header::{cors_response_header_names, ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK};
use crate::vary::VarySet;

static TRUE: HeaderValue = HeaderValue::from_static("true");

/// A header value a policy holds, built once when the policy is built, and
/// cloned once here so that later clones share its buffer instead of
/// allocating.
pub(crate) fn policy_value(s: &str) -> HeaderValue {
    let v = HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static(""));
    drop(v.clone());
    v
}

/// Whether `name` is one of [`cors_response_header_names`].
fn is_cors_response_header(name: &HeaderName) -> bool {
    cors_response_header_names().contains(&name)
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
        // Field by field rather than through `iter()`: no intermediate array
        // of cloned values, and an absent header costs one test (no call, no
        // name built and dropped). Names are constants, so keying the map
        // clones nothing.
        macro_rules! put {
            ($name:expr, $value:expr) => {
                if let Some(v) = $value {
                    headers.insert($name, v.clone());
                }
            };
        }
        put!(ACCESS_CONTROL_ALLOW_ORIGIN, &self.allow_origin);
        put!(ACCESS_CONTROL_ALLOW_CREDENTIALS, self.allow_credentials.then_some(&TRUE));
        put!(ACCESS_CONTROL_ALLOW_METHODS, &self.allow_methods);
        put!(ACCESS_CONTROL_ALLOW_HEADERS, &self.allow_headers);
        put!(ACCESS_CONTROL_MAX_AGE, &self.max_age);
        put!(ACCESS_CONTROL_EXPOSE_HEADERS, &self.expose_headers);
        put!(&ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, self.allow_private_network.then_some(&TRUE));
        self.vary.merge_into(headers);
    }

    /// Moves the request's own values (origin, method, header list) into
    /// the slots of a map prebuilt from the same headers (see `answer`).
    pub(crate) fn fill_slots(self, map: &mut HeaderMap) {
        let mut values = [self.allow_origin, self.allow_methods, self.allow_headers];
        let mut left = values.iter().filter(|v| v.is_some()).count();
        // The slots come first (origin, credentials, methods, headers): stop
        // once they are filled rather than walk the constant headers after.
        for (name, value) in map.iter_mut() {
            if left == 0 {
                break;
            }
            let slot = if name == ACCESS_CONTROL_ALLOW_ORIGIN {
                0
            } else if name == ACCESS_CONTROL_ALLOW_METHODS {
                1
            } else if name == ACCESS_CONTROL_ALLOW_HEADERS {
                2
            } else {
                continue;
            };
            if let Some(v) = values[slot].take() {
                *value = v;
                left -= 1;
            }
        }
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
        // One pass over the response's names (a handful) instead of a probe
        // per CORS header name (seven): most responses have none.
        let has_upstream = headers.keys().any(is_cors_response_header);
        match upstream {
            UpstreamCorsHeaders::Replace => {
                if has_upstream {
                    for name in cors_response_header_names() {
                        headers.remove(name);
                    }
                }
            }
            UpstreamCorsHeaders::Keep => {
                if has_upstream {
                    self.vary.merge_into(headers);
                    return Ok(());
                }
            }
            UpstreamCorsHeaders::Reject => {
                if has_upstream {
                    return Err(UpstreamConflict);
                }
            }
        }
        self.write_to(headers);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::{CONTENT_TYPE, VARY};

    fn grant() -> CorsHeaders {
        CorsHeaders {
            allow_origin: Some(HeaderValue::from_static("https://a.example")),
            allow_credentials: true,
            vary: VarySet::ORIGIN,
            ..CorsHeaders::default()
        }
    }

    fn upstream_response() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        h.append(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("https://b.example"));
        h.insert(&ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, HeaderValue::from_static("true"));
        h.insert(VARY, HeaderValue::from_static("accept-encoding"));
        h
    }

    #[test]
    fn replace_removes_every_upstream_cors_header() {
        let mut h = upstream_response();
        grant().apply_to_response(&mut h, UpstreamCorsHeaders::Replace).unwrap();
        let acao: Vec<_> = h.get_all(ACCESS_CONTROL_ALLOW_ORIGIN).iter().collect();
        assert_eq!(acao, ["https://a.example"]);
        assert!(!h.contains_key(&ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK));
        assert_eq!(h[ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
        let vary: Vec<_> = h.get_all(VARY).iter().collect();
        assert_eq!(vary, ["accept-encoding", "Origin"]);

        // Even a decision that grants nothing removes the inner grant.
        let mut h = upstream_response();
        CorsHeaders { vary: VarySet::ORIGIN, ..CorsHeaders::default() }
            .apply_to_response(&mut h, UpstreamCorsHeaders::Replace)
            .unwrap();
        assert!(!h.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN));
    }

    #[test]
    fn keep_and_reject_see_upstream_headers() {
        let mut h = upstream_response();
        grant().apply_to_response(&mut h, UpstreamCorsHeaders::Keep).unwrap();
        assert_eq!(h.get_all(ACCESS_CONTROL_ALLOW_ORIGIN).iter().count(), 2);
        assert!(!h.contains_key(ACCESS_CONTROL_ALLOW_CREDENTIALS));
        assert_eq!(h.get_all(VARY).iter().count(), 2);

        let mut h = upstream_response();
        assert_eq!(grant().apply_to_response(&mut h, UpstreamCorsHeaders::Reject), Err(UpstreamConflict));

        let mut clean = HeaderMap::new();
        clean.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        for mode in [UpstreamCorsHeaders::Keep, UpstreamCorsHeaders::Reject, UpstreamCorsHeaders::Replace] {
            let mut h = clean.clone();
            grant().apply_to_response(&mut h, mode).unwrap();
            assert_eq!(h[ACCESS_CONTROL_ALLOW_ORIGIN], "https://a.example");
            assert_eq!(h[VARY], "Origin");
        }
    }
}
