//! A compiled rule and its method and header sets.

use std::sync::Arc;

use http::{HeaderMap, HeaderValue};

use crate::fast_hash::ByteSet;

use crate::fetch::{is_forbidden_method, CORS_NON_WILDCARD_REQUEST_HEADER_NAME};
use crate::origin::{OriginTable, RequestOrigin};
use crate::origin_set::OriginSet;
use crate::path::PathScope;
use crate::predicate::OriginPredicate;

#[derive(Clone, Debug, Default)]
pub(crate) struct MethodSet {
    pub(crate) any: bool,
    pub(crate) list: Vec<Box<str>>,
}

impl MethodSet {
    /// Method matching is case-sensitive (Fetch compares normalized methods
    /// byte for byte). `*` never covers a forbidden method.
    #[inline]
    pub(crate) fn contains(&self, method: &[u8]) -> bool {
        if self.any {
            return !is_forbidden_method(method);
        }
        self.list.iter().any(|m| m.as_bytes() == method)
    }

    pub(crate) fn covers(&self, other: &MethodSet) -> bool {
        self.any || (!other.any && other.list.iter().all(|m| self.contains(m.as_bytes())))
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct HeaderSet {
    /// `*`: any name except `authorization`.
    pub(crate) any: bool,
    /// `authorization` is listed.
    pub(crate) authorization: bool,
    /// Listed names, lower-case.
    pub(crate) names: ByteSet,
}

impl HeaderSet {
    /// Names longer than this are lower-cased by comparison rather than
    /// into a stack buffer.
    const STACK_NAME_LEN: usize = 64;

    /// Whether a requested header name (any case) is allowed.
    #[inline]
    pub(crate) fn allows(&self, name: &[u8]) -> bool {
        if name.eq_ignore_ascii_case(CORS_NON_WILDCARD_REQUEST_HEADER_NAME.as_bytes()) {
            return self.authorization;
        }
        self.any || self.contains(name)
    }

    #[inline]
    fn contains(&self, name: &[u8]) -> bool {
        if self.names.is_empty() {
            return false;
        }
        // A handful of names (the usual case) are cheaper to compare than to
        // hash: most differ in length, and stored names are lower-case.
        if let Some(small) = self.names.small() {
            // Browsers send lower-case names, so try an exact compare first.
            return small.iter().any(|(n, ())| n.len() == name.len() && (**n == *name || n.eq_ignore_ascii_case(name)));
        }
        if !name.iter().any(u8::is_ascii_uppercase) {
            return self.names.contains(name);
        }
        if name.len() <= Self::STACK_NAME_LEN {
            let mut buf = [0u8; Self::STACK_NAME_LEN];
            let lower = &mut buf[..name.len()];
            lower.copy_from_slice(name);
            lower.make_ascii_lowercase();
            return self.names.contains(&*lower);
        }
        self.names.keys().any(|n| n.eq_ignore_ascii_case(name))
    }

    pub(crate) fn covers(&self, other: &HeaderSet) -> bool {
        (self.authorization || !other.authorization)
            && (self.any || !other.any)
            && other.names.keys().all(|n| self.allows(n))
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub(crate) origins: OriginTable,
    /// `*` without credentials: answer `Access-Control-Allow-Origin: *`.
    pub(crate) wildcard_origin: bool,
    /// `*` with credentials (dangerous opt-in): reflect any canonical origin.
    pub(crate) reflect_any: bool,
    pub(crate) methods: MethodSet,
    pub(crate) headers: HeaderSet,
    pub(crate) credentials: bool,
    pub(crate) private_network: bool,
    pub(crate) paths: Option<Vec<PathScope>>,
    pub(crate) max_age: Option<HeaderValue>,
    pub(crate) expose_headers: Option<HeaderValue>,
    /// `*` or `*, authorization`, when `*` is allowed without credentials.
    pub(crate) allow_headers_wildcard: Option<HeaderValue>,
    /// The listed names joined, for requests whose
    /// `Access-Control-Request-Headers` came in several lines.
    pub(crate) allow_headers_list: Option<HeaderValue>,
    /// Origins a program changes at runtime.
    pub(crate) origin_set: Option<OriginSet>,
    /// The rule's origin function.
    pub(crate) predicate: Option<OriginPredicate>,
    /// With credentials, plain-`http` origins the predicate allows are
    /// refused unless this opt-in is set.
    pub(crate) insecure_ok: bool,
    /// Allowed-preflight answers, prebuilt (see `answer`); filled once the
    /// policy's `Vary` is known.
    pub(crate) grant_blocks: Arc<[HeaderMap]>,
}

impl Rule {
    #[inline]
    pub(crate) fn allows_origin(&self, origin: &[u8]) -> bool {
        self.wildcard_origin
            || self.origins.matches_listed(origin)
            || (self.reflect_any && RequestOrigin::parse(origin).is_some())
            || self.origin_set.as_ref().is_some_and(|s| s.contains(origin))
            || self.predicate.as_ref().is_some_and(|p| p.allows(origin, self.credentials, self.insecure_ok))
    }

    #[inline]
    pub(crate) fn covers_path(&self, path: &str, has_dot_segments: bool) -> bool {
        match &self.paths {
            None => true,
            Some(scopes) => !has_dot_segments && scopes.iter().any(|s| s.matches(path)),
        }
    }

    /// Whether every request this rule matches, `self` (an earlier rule)
    /// matches first.
    pub(crate) fn shadows(&self, later: &Rule) -> bool {
        let paths = match (&self.paths, &later.paths) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => b.iter().all(|p| a.iter().any(|q| q.covers(p))),
        };
        // What a later rule's set or function allows is not known when
        // building: only `*` covers it.
        let dynamic = later.origin_set.is_some() || later.predicate.is_some();
        let origins = self.origins.is_any()
            || (!later.origins.is_any() && !dynamic && later.origins.patterns().iter().all(|p| self.origins.covers(p)));
        paths
            && origins
            && self.methods.covers(&later.methods)
            && self.headers.covers(&later.headers)
            && (self.private_network || !later.private_network)
    }
}
