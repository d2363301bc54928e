//! Path scopes: which request paths a rule applies to.
//!
//! A scope is `/exact` or `/prefix/*`. `/api/*` covers `/api` and everything
//! below `/api/`, but not `/apis`. Paths are compared as raw bytes, and a
//! path with dot segments is in no scope: servers resolve those differently,
//! and a CORS grant must not leak to the path they resolve to. A dot segment
//! is counted whatever its spelling — `.` as `%2e`, separated by `/`, `\`,
//! `%2F` or `%5C` (many servers and static file handlers decode an escaped
//! slash before resolving dots, and some take `\` for `/`), or followed by
//! `;parameters` (which Tomcat and Jetty drop before resolving).

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
/// Whether a path has `.` or `..` segments under any server's reading: dots
/// literal or as `%2e`, segments split at `/`, `\`, `%2F` or `%5C`, and a
/// `;` ending the segment. One pass, no allocation.
pub(crate) fn has_dot_segments(path: &str) -> bool {
    let b = path.as_bytes();
    let mut i = 0;
    // The current segment so far: its dots, whether anything else came
    // before a `;`, and whether a `;` has started its parameters.
    let (mut dots, mut other, mut params) = (0u8, false, false);
    loop {
        let separator = separator_len(b, i);
        if i == b.len() || separator > 0 {
            if !other && (dots == 1 || dots == 2) {
                return true;
            }
            if i == b.len() {
                return false;
            }
            i += separator;
            (dots, other, params) = (0, false, false);
        } else if params {
            i += 1;
        } else if b[i] == b'.' {
            dots = dots.saturating_add(1);
            i += 1;
        } else if escaped(b, i, b'e') {
            dots = dots.saturating_add(1);
            i += 3;
        } else {
            params = b[i] == b';';
            other |= !params;
            i += 1;
        }
    }
}

/// The length of the path separator at `i`: 1 for `/` or `\`, 3 for `%2F`
/// or `%5C` (either case), 0 for none.
fn separator_len(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b'/' | b'\\') => 1,
        Some(b'%') if escaped(b, i, b'f') || escaped_byte(b, i, b'5', b'c') => 3,
        _ => 0,
    }
}

/// Whether `b[i..]` starts with `%2` and `low` (either case).
fn escaped(b: &[u8], i: usize, low: u8) -> bool {
    escaped_byte(b, i, b'2', low)
}

fn escaped_byte(b: &[u8], i: usize, high: u8, low: u8) -> bool {
    b.get(i) == Some(&b'%')
        && b.get(i + 1) == Some(&high)
        && b.get(i + 2).is_some_and(|c| c.to_ascii_lowercase() == low)
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
        for p in [
            "/api/../admin",
            "/api/./x",
            "/api/%2e%2e/admin",
            "/api/.%2E/x",
            "/api/%2e./x",
            "/..",
            "/api/..%2fadmin",
            "/api/..%2Fadmin",
            "/api/%2e%2e%2fadmin",
            "/api/%2E%2E%2Fadmin",
            "/api%2f..%2fadmin",
            "/api/..%5cadmin",
            "/api/%2e%2e%5Cadmin",
            "/api\\..\\admin",
            "/api/..\\admin",
            "/api/..;/admin",
            "/api/.;x/admin",
            "/api/%2e%2e;jsessionid=1/admin",
            "/api/x/..",
            "/api/x/%2e",
        ] {
            assert!(has_dot_segments(p), "{p}");
        }
        for p in [
            "/api/x",
            "/api/.hidden",
            "/api/...",
            "/a..b",
            "/api/a%2Fb",
            "/api/a%5Cb",
            "/api/x;..",
            "/api/%2e%2e%2e",
            "/api/%2",
            "/api/%",
            "/api/..x",
            "/api/x.",
            "",
        ] {
            assert!(!has_dot_segments(p), "{p}");
        }
    }
}
