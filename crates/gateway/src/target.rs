//! The request's target, decided once, before anything reads it: the one
//! authority the request is for, and its path as the upstream will
//! understand it ([`path`]). The `Host` check, the router, the policy
//! (strict mode's same-origin test) and the forwarded request all read this
//! decision — the request is rewritten to it — never the raw request, so
//! they cannot disagree about where a request goes.

use std::borrow::Cow;

use crossgate_core::origin::Scheme;
use http::header::{self, HeaderValue};
use http::uri::PathAndQuery;
use http::{Request, Uri, Version};

use crate::body::Body;
use crate::labels::Reason;
use crate::runtime::Runtime;

mod path;

pub(crate) use path::{normalize, EscapedSlashes, PathOptions, PathProblem};

/// The scheme clients reach the gateway over: its listener is plain TCP.
pub(crate) const SCHEME: Scheme = Scheme::Http;

/// Why a request's target is refused, before any route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// An HTTP/1.1 request without `Host` (RFC 9112 §3.2), or with an empty one.
    HostMissing,
    /// More than one `Host` line (RFC 9112 §3.2).
    HostRepeated,
    /// HTTP/2: `host` names another authority than `:authority` (RFC 9113 §8.3.1).
    HostMismatch,
    /// Not a host and port: userinfo, other characters (RFC 9110 §4.2.4).
    HostInvalid,
    /// Not in `allowed_hosts`.
    HostNotAllowed,
    /// An absolute-form or HTTP/2 target whose scheme is not the listener's.
    SchemeMismatch,
    /// The path cannot be routed safely.
    Path(PathProblem),
}

impl Refusal {
    /// The status it is answered with.
    pub(crate) fn status(self) -> http::StatusCode {
        http::StatusCode::BAD_REQUEST
    }

    /// The access log's reason.
    pub(crate) fn reason(self) -> Reason {
        match self {
            Refusal::HostMissing => Reason::HostMissing,
            Refusal::HostRepeated => Reason::HostRepeated,
            Refusal::HostMismatch => Reason::HostMismatch,
            Refusal::HostInvalid => Reason::HostInvalid,
            Refusal::HostNotAllowed => Reason::HostNotAllowed,
            Refusal::SchemeMismatch => Reason::SchemeMismatch,
            Refusal::Path(PathProblem::EscapedSeparator) => Reason::PathEscapedSeparator,
            Refusal::Path(PathProblem::Ambiguous) => Reason::PathAmbiguous,
            Refusal::Path(PathProblem::NotNormal) => Reason::PathNotNormal,
        }
    }

    /// The body of the 400.
    pub(crate) fn text(self) -> &'static str {
        match self {
            Refusal::HostMissing => "Bad Request: the request has no Host",
            Refusal::HostRepeated => "Bad Request: the request has more than one Host",
            Refusal::HostMismatch => "Bad Request: Host and :authority name different authorities",
            Refusal::HostInvalid => "Bad Request: the Host is not a host and port",
            Refusal::HostNotAllowed => "Bad Request: this Host is not served here (allowed_hosts)",
            Refusal::SchemeMismatch => "Bad Request: this listener serves http",
            Refusal::Path(PathProblem::EscapedSeparator) => {
                "Bad Request: the path has an encoded / or \\ (path_with_escaped_slashes_action)"
            }
            Refusal::Path(PathProblem::Ambiguous) => {
                "Bad Request: the path is read differently by different servers (bad %-escape, `..;`, `//..`)"
            }
            Refusal::Path(PathProblem::NotNormal) => {
                "Bad Request: the path is not in normal form (normalize_path = false)"
            }
        }
    }
}

/// Decides the request's authority and path and rewrites the request to
/// them: an origin-form target with the normal path, and one `Host`, the
/// decided authority. Returns that authority (`None` only for HTTP/1.0
/// without `Host`).
pub(crate) fn decide(req: &mut Request<Body>, rt: &Runtime) -> Result<Option<HeaderValue>, Refusal> {
    let authority = authority(req)?;
    if !rt.allowed_hosts.allows(authority.as_ref().and_then(|a| a.to_str().ok())) {
        return Err(Refusal::HostNotAllowed);
    }
    let uri = req.uri();
    let path = normalize(uri.path(), &rt.paths).map_err(Refusal::Path)?;
    if matches!(path, Cow::Owned(_)) || uri.scheme().is_some() {
        let target = match uri.query() {
            Some(q) => PathAndQuery::try_from(format!("{path}?{q}")),
            None => PathAndQuery::try_from(path.as_ref()),
        }
        .map_err(|_| Refusal::Path(PathProblem::Ambiguous))?;
        *req.uri_mut() = Uri::from(target);
    }
    if let Some(a) = &authority {
        // One `Host`, the decided one (also for HTTP/2, whose upstream
        // request needs one).
        if req.headers().get(header::HOST) != Some(a) {
            req.headers_mut().insert(header::HOST, a.clone());
        }
    }
    Ok(authority)
}

/// The request's one authority: the target's when it has one (absolute
/// form, RFC 9112 §3.2.2; HTTP/2's `:authority`), else `Host`.
fn authority(req: &Request<Body>) -> Result<Option<HeaderValue>, Refusal> {
    let mut lines = req.headers().get_all(header::HOST).iter();
    let host = lines.next();
    if lines.next().is_some() {
        return Err(Refusal::HostRepeated);
    }
    let uri = req.uri();
    if uri.scheme().is_some_and(|s| s.as_str() != SCHEME.as_str()) {
        return Err(Refusal::SchemeMismatch);
    }
    if let Some(target) = uri.authority() {
        let text = target.as_str();
        if !is_authority(text.as_bytes()) {
            return Err(Refusal::HostInvalid);
        }
        if req.version() == Version::HTTP_2 {
            if let Some(h) = host {
                if h.as_bytes() == text.as_bytes() {
                    return Ok(Some(h.clone()));
                }
                if !h.as_bytes().eq_ignore_ascii_case(text.as_bytes()) {
                    return Err(Refusal::HostMismatch);
                }
            }
        }
        // HTTP/1.1 absolute form: `Host` is ignored and replaced.
        return HeaderValue::from_str(text).map(Some).map_err(|_| Refusal::HostInvalid);
    }
    match host {
        None if req.version() == Version::HTTP_10 || req.version() == Version::HTTP_09 => Ok(None),
        None => Err(Refusal::HostMissing),
        Some(h) if h.is_empty() => Err(Refusal::HostMissing),
        Some(h) if is_authority(h.as_bytes()) => Ok(Some(h.clone())),
        Some(_) => Err(Refusal::HostInvalid),
    }
}

/// <https://www.rfc-editor.org/rfc/rfc3986#section-3.2>
///
/// Whether `b` is `host[:port]` with a host that names a machine: a
/// bracketed IPv6 literal, or letters, digits, `-`, `.`, `_` and `~` (what
/// DNS names and IPv4 addresses use). Userinfo, percent-escapes and
/// sub-delimiters, which no client puts in a host and servers read
/// differently, are refused.
fn is_authority(b: &[u8]) -> bool {
    let (host, port) = match b.iter().rposition(|&c| c == b':') {
        Some(i) if !b[i..].contains(&b']') => (&b[..i], Some(&b[i + 1..])),
        _ => (b, None),
    };
    let port_ok = match port {
        None => true,
        Some(p) => !p.is_empty() && p.len() <= 5 && p.iter().all(u8::is_ascii_digit),
    };
    let host_ok = match host {
        [b'[', inner @ .., b']'] => {
            !inner.is_empty() && inner.iter().all(|&c| c.is_ascii_hexdigit() || c == b':' || c == b'.')
        }
        _ => {
            !host.is_empty()
                && host.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~'))
        }
    };
    port_ok && host_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities() {
        for a in ["localhost", "localhost:8080", "a.example.com", "127.0.0.1:80", "[::1]", "[::1]:8080", "x_y.example"]
        {
            assert!(is_authority(a.as_bytes()), "{a}");
        }
        for a in [
            "",
            ":80",
            "user@host",
            "a b",
            "host:",
            "host:123456",
            "host:x",
            "[::1",
            "[]",
            "a%2eb",
            "a,b",
            "h:1:2",
            "[::1]x",
        ] {
            assert!(!is_authority(a.as_bytes()), "{a}");
        }
    }
}
