//! Path scopes: which request paths a rule applies to.
//!
//! A scope is `/exact` or `/prefix/*`. `/api/*` covers `/api` and everything
//! below `/api/`, but not `/apis`. Paths are compared as raw bytes, and a
//! path with dot segments (`/api/../admin`, also percent-encoded) is in no
//! scope: servers resolve those differently, and a CORS grant must not leak
//! to the path they resolve to.

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PathScope {
    Exact(Box<str>),
    /// The prefix without the trailing `/*`, e.g. `/api`.
    Prefix(Box<str>),
}

impl PathScope {
    pub(crate) fn parse(s: &str) -> Option<PathScope> {
        if !s.starts_with('/') || s.bytes().any(|b| b <= b' ' || b == 0x7f || b == b'?' || b == b'#') {
            return None;
        }
        match s.strip_suffix("/*") {
            Some(prefix) if !prefix.contains('*') => Some(PathScope::Prefix(prefix.into())),
            Some(_) => None,
            None if s.contains('*') => None,
            None => Some(PathScope::Exact(s.into())),
        }
    }

    #[inline]
    pub(crate) fn matches(&self, path: &str) -> bool {
        match self {
            PathScope::Exact(p) => path == &**p,
            PathScope::Prefix(p) => {
                path.starts_with(&**p) && (path.len() == p.len() || path.as_bytes()[p.len()] == b'/')
            }
        }
    }

    /// Whether every path `other` matches, `self` matches too.
    pub(crate) fn covers(&self, other: &PathScope) -> bool {
        match (self, other) {
            (PathScope::Exact(a), PathScope::Exact(b)) => a == b,
            (PathScope::Exact(_), PathScope::Prefix(_)) => false,
            (PathScope::Prefix(_), PathScope::Exact(b)) => self.matches(b),
            (PathScope::Prefix(_), PathScope::Prefix(b)) => self.matches(b),
        }
    }
}

/// <https://url.spec.whatwg.org/#single-dot-path-segment>,
/// <https://url.spec.whatwg.org/#double-dot-path-segment>
///
/// Whether a path has `.` or `..` segments, literally or percent-encoded.
pub(crate) fn has_dot_segments(path: &str) -> bool {
    path.split('/').any(|seg| {
        let seg = seg.as_bytes();
        let is_dot = |s: &[u8]| s == b"." || s.eq_ignore_ascii_case(b"%2e");
        match seg.len() {
            1 | 3 => is_dot(seg),
            2 => seg == b"..",
            4 => (seg[0] == b'.' && is_dot(&seg[1..])) || (is_dot(&seg[..3]) && seg[3] == b'.'),
            6 => is_dot(&seg[..3]) && is_dot(&seg[3..]),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_scopes() {
        let s = PathScope::parse("/api/*").unwrap();
        assert!(s.matches("/api"));
        assert!(s.matches("/api/"));
        assert!(s.matches("/api/x/y"));
        assert!(!s.matches("/apis"));
        assert!(!s.matches("/"));
        let root = PathScope::parse("/*").unwrap();
        assert!(root.matches("/anything"));
    }

    #[test]
    fn invalid_scopes() {
        for s in ["api", "/a*b", "/*/x", "/a b", "/a?x"] {
            assert!(PathScope::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn dot_segments() {
        for p in ["/api/../admin", "/api/./x", "/api/%2e%2e/admin", "/api/.%2E/x", "/api/%2e./x", "/.."] {
            assert!(has_dot_segments(p), "{p}");
        }
        for p in ["/api/x", "/api/.hidden", "/api/...", "/a..b"] {
            assert!(!has_dot_segments(p), "{p}");
        }
    }
}
