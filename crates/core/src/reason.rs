//! Why a request was not granted CORS: one vocabulary for the engine's
//! decisions, the middleware's logs, the gateway's metrics and the browser
//! emulator's explanations.

use std::fmt;

/// A request header the engine reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestHeader {
    /// `Origin`
    Origin,
    /// `Access-Control-Request-Method`
    AccessControlRequestMethod,
    /// `Access-Control-Request-Headers`
    AccessControlRequestHeaders,
}

impl RequestHeader {
    /// The header's name as usually written.
    pub const fn as_str(self) -> &'static str {
        match self {
            RequestHeader::Origin => "Origin",
            RequestHeader::AccessControlRequestMethod => "Access-Control-Request-Method",
            RequestHeader::AccessControlRequestHeaders => "Access-Control-Request-Headers",
        }
    }
}

/// Why a CORS request was rejected.
///
/// Rules are tried in order; when none matches, the reason names the furthest
/// any rule got: no rule covers the path, then no rule's origins match, then
/// no origin-matching rule allows the method, then the first header the first
/// such rule refused, then private-network access. A preflight's
/// `Access-Control-Request-Method` and `-Headers` are read only once some
/// rule covers its path and origin, so a malformed one from an origin no rule
/// allows is `OriginNotAllowed` (or `PathNotCovered`), not
/// `MalformedRequestHeader`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectReason<'a> {
    /// No rule's `paths` covers the request's path.
    PathNotCovered,
    /// No rule allows the request's `Origin` (or it is not a canonical
    /// serialized origin: too long, repeated, upper-case, padded…).
    OriginNotAllowed,
    /// The origin is allowed, but not with this method.
    MethodNotAllowed {
        /// The method as requested (case preserved).
        method: &'a str,
    },
    /// The origin and method are allowed, but not this request header.
    HeaderNotAllowed {
        /// The header name as requested.
        name: &'a str,
    },
    /// The preflight asked for private-network access, which no matching
    /// rule allows.
    PrivateNetworkNotAllowed,
    /// A CORS request header is malformed.
    MalformedRequestHeader {
        /// Which header.
        header: RequestHeader,
        /// What is wrong with it.
        problem: &'static str,
    },
}

impl RejectReason<'_> {
    /// A stable kebab-case code, for logs and metrics.
    pub const fn code(&self) -> &'static str {
        match self {
            RejectReason::PathNotCovered => "path-not-covered",
            RejectReason::OriginNotAllowed => "origin-not-allowed",
            RejectReason::MethodNotAllowed { .. } => "method-not-allowed",
            RejectReason::HeaderNotAllowed { .. } => "header-not-allowed",
            RejectReason::PrivateNetworkNotAllowed => "private-network-not-allowed",
            RejectReason::MalformedRequestHeader { .. } => "malformed-request-header",
        }
    }

    /// Which policy setting would allow the request, in a policy file's terms.
    pub const fn hint(&self) -> &'static str {
        match self {
            RejectReason::PathNotCovered => "add the path to a rule's `paths`, or remove `paths` to cover every path",
            RejectReason::OriginNotAllowed => "add the origin, exactly as the browser sends it, to a rule's `origins`",
            RejectReason::MethodNotAllowed { .. } => "add the method, in the same case, to the rule's `methods`",
            RejectReason::HeaderNotAllowed { .. } => "add the header to the rule's `request_headers`",
            RejectReason::PrivateNetworkNotAllowed => "set `allow_private_network = true` on the rule",
            RejectReason::MalformedRequestHeader { .. } => {
                "browsers never send this; the client is not a browser or the request was altered on the way"
            }
        }
    }
}

impl fmt::Display for RejectReason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectReason::PathNotCovered => f.write_str("no rule covers this path"),
            RejectReason::OriginNotAllowed => f.write_str("origin not allowed"),
            RejectReason::MethodNotAllowed { method } => write!(f, "method `{method}` not allowed"),
            RejectReason::HeaderNotAllowed { name } => write!(f, "header `{name}` not allowed"),
            RejectReason::PrivateNetworkNotAllowed => f.write_str("private network access not allowed"),
            RejectReason::MalformedRequestHeader { header, problem } => {
                write!(f, "malformed {}: {problem}", header.as_str())
            }
        }
    }
}
