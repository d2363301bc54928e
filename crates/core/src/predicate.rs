//! The escape hatch for origin logic no list expresses: a function of the
//! parsed origin that says allow or deny.
//!
//! It is bounded on both sides. It sees only a canonical `http`/`https`
//! origin split into scheme, host and port — never the raw header, so the
//! prefix and suffix comparisons behind most origin-check advisories
//! cannot be written — and `null`, app origins and malformed values never
//! reach it. Its answer only adds that origin to the rule: the rule's
//! credentials, methods and headers stay what they are, the response names
//! the origin (never `*`), and with credentials a plain-`http` origin other
//! than loopback stays refused unless the rule opts in as a file would.

use std::fmt;
use std::sync::Arc;

use crate::origin::RequestOrigin;

type Callback = dyn Fn(RequestOrigin<'_>) -> bool + Send + Sync;

/// A shared origin predicate for a rule ([`RuleConfig::origin_predicate`](crate::RuleConfig::origin_predicate)).
#[derive(Clone)]
pub struct OriginPredicate(Arc<Callback>);

impl OriginPredicate {
    /// Wraps `f`, which should be quick and must not block: it runs while
    /// the request is decided.
    pub fn new(f: impl Fn(RequestOrigin<'_>) -> bool + Send + Sync + 'static) -> Self {
        OriginPredicate(Arc::new(f))
    }

    /// Whether the rule allows `origin` (a request's `Origin` value): the
    /// value must parse as a canonical web origin, pass the credentials
    /// check, and satisfy the function.
    #[inline]
    pub(crate) fn allows(&self, origin: &[u8], credentials: bool, insecure_ok: bool) -> bool {
        let Some(o) = RequestOrigin::parse(origin) else { return false };
        if credentials && !insecure_ok && o.scheme == crate::origin::Scheme::Http && !is_loopback(o.host) {
            return false;
        }
        (self.0)(o)
    }
}

/// <https://www.rfc-editor.org/rfc/rfc6761#section-6.3>
///
/// `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`, for a canonical host.
fn is_loopback(host: &[u8]) -> bool {
    host == b"localhost"
        || host.ends_with(b".localhost")
        || host == b"[::1]"
        || std::str::from_utf8(host)
            .ok()
            .and_then(|h| h.parse::<std::net::Ipv4Addr>().ok())
            .is_some_and(|ip| ip.is_loopback())
}

impl fmt::Debug for OriginPredicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OriginPredicate(..)")
    }
}

/// Two predicates are equal when they are the same function, shared.
impl PartialEq for OriginPredicate {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for OriginPredicate {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in ["localhost", "a.localhost", "127.0.0.1", "127.9.9.9", "[::1]"] {
            assert!(is_loopback(h.as_bytes()), "{h}");
        }
        for h in ["localhost.evil.com", "xlocalhost", "128.0.0.1", "[::2]", "example.com"] {
            assert!(!is_loopback(h.as_bytes()), "{h}");
        }
    }
}
