//! Header names: the Private Network Access headers `http` does not name,
//! and the CORS response headers crossgate owns.

use http::header::{
    HeaderName, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
};

/// `Access-Control-Allow-Private-Network`: an allowed preflight's answer to
/// a private-network request.
///
/// <https://wicg.github.io/private-network-access/#http-headerdef-access-control-allow-private-network>
pub static ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// `Access-Control-Request-Private-Network`: a preflight for a request to a
/// more private network than the page's.
///
/// <https://wicg.github.io/private-network-access/#http-headerdef-access-control-request-private-network>
pub static ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");

/// The `Access-Control-*` response headers crossgate ever writes, and so the
/// ones it removes from an inner response before writing its own.
///
/// ```
/// let names = crossgate_core::header::cors_response_header_names();
/// assert!(names.iter().any(|n| n.as_str() == "access-control-allow-origin"));
/// assert!(names.iter().all(|n| n.as_str().starts_with("access-control-")));
/// ```
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
