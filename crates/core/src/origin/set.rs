//! A compiled set of origin patterns: O(1) for exact origins, and for
//! patterns a cost that depends on the request host's label count, never on
//! how many patterns are configured.
//!
//! Exact origins live in a hash set of their canonical serializations, so a
//! request's `Origin` is looked up as raw bytes — no parsing, no copying.
//! `host:*` patterns are keyed by host, and `*.suffix` patterns by suffix; a
//! request host `a.b.example.com` probes `b.example.com`, `example.com` and
//! `com`, one hash lookup each.

use super::pattern::{HostSpec, OriginPattern, PortSpec};
use super::serialized::{is_canonical_host, split_origin, RequestOrigin, Scheme, MAX_ORIGIN_LEN};
use crate::fast_hash::{ByteMap, ByteSet};

#[derive(Clone, Debug, Default)]
pub(crate) struct OriginTable {
    any: bool,
    null: bool,
    exact: ByteSet,
    /// host → schemes accepted on any port.
    any_port: ByteMap<Vec<Scheme>>,
    /// suffix → (scheme, ports) accepted one or more labels below it.
    subdomains: ByteMap<Vec<(Scheme, PortSpec)>>,
    patterns: Vec<OriginPattern>,
}

impl OriginTable {
    pub(crate) fn insert(&mut self, pattern: OriginPattern) {
        match &pattern {
            OriginPattern::Any => self.any = true,
            OriginPattern::Null => self.null = true,
            OriginPattern::App(origin) => {
                self.exact.insert(origin.as_bytes());
            }
            OriginPattern::Tuple { scheme, host: HostSpec::Exact(h), port: PortSpec::Any } => {
                self.any_port.entry(h.as_bytes()).push(*scheme);
            }
            OriginPattern::Tuple { host: HostSpec::Exact(_), .. } => {
                self.exact.insert(pattern.to_string().as_bytes());
            }
            OriginPattern::Tuple { scheme, host: HostSpec::Subdomains(s), port } => {
                self.subdomains.entry(s.as_bytes()).push((*scheme, *port));
            }
        }
        self.patterns.push(pattern);
    }

    /// Whether `*` is in the set.
    pub(crate) fn is_any(&self) -> bool {
        self.any
    }

    pub(crate) fn patterns(&self) -> &[OriginPattern] {
        &self.patterns
    }

    /// Whether the set matches this exact `Origin` value (not counting `*`).
    ///
    /// The value is compared as bytes against canonical forms; patterns
    /// match only values that [`RequestOrigin::parse`] accepts as canonical.
    #[inline]
    pub(crate) fn matches_listed(&self, origin: &[u8]) -> bool {
        if origin.len() > MAX_ORIGIN_LEN {
            return false;
        }
        if origin == b"null" {
            return self.null;
        }
        if self.exact.contains(origin) {
            return true;
        }
        if self.any_port.is_empty() && self.subdomains.is_empty() {
            return false;
        }
        split_origin(origin).is_some_and(|o| self.matches_split(&o))
    }

    /// Patterns, for an origin whose scheme and port are checked but whose
    /// host is not: the tables hold canonical hosts and suffixes, so only
    /// the labels in front of a matched suffix need checking (see
    /// [`RequestOrigin::parse`]).
    fn matches_split(&self, o: &RequestOrigin<'_>) -> bool {
        if let Some(schemes) = self.any_port.get(o.host) {
            if schemes.contains(&o.scheme) {
                return true;
            }
        }
        let host = o.host;
        if self.subdomains.is_empty() || host.len() > 253 || host.first() == Some(&b'[') {
            return false;
        }
        let allowed = |specs: &Vec<(Scheme, PortSpec)>| specs.iter().any(|(s, p)| *s == o.scheme && p.matches(o.port));
        // `host` is `labels.suffix`: the suffix matched a canonical entry, so
        // the host is canonical when the labels in front are.
        let below = |dot: usize| is_canonical_host(&host[..dot]);
        if let Some(small) = self.subdomains.small() {
            // A few suffixes: test each against the host's end, which is what
            // the probes below find — a proper suffix of the host that starts
            // right after a dot.
            return small.iter().any(|(suffix, specs)| {
                host.len() > suffix.len()
                    && host.ends_with(suffix)
                    && host[host.len() - suffix.len() - 1] == b'.'
                    && allowed(specs)
                    && below(host.len() - suffix.len() - 1)
            });
        }
        // Probe every proper suffix that starts after a dot: `a.b.c` → `b.c`, `c`.
        for (i, _) in host.iter().enumerate().filter(|(_, &b)| b == b'.') {
            if let Some(specs) = self.subdomains.get(&host[i + 1..]) {
                if allowed(specs) && below(i) {
                    return true;
                }
            }
        }
        false
    }

    /// Whether every origin `pattern` matches is matched by this set too.
    pub(crate) fn covers(&self, pattern: &OriginPattern) -> bool {
        self.patterns.iter().any(|p| p.covers(pattern))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fast_hash::SMALL_SET;

    fn set(patterns: &[&str]) -> OriginTable {
        let mut s = OriginTable::default();
        for p in patterns {
            s.insert(p.parse().unwrap());
        }
        s
    }

    #[test]
    fn exact_and_patterns() {
        let s = set(&["https://app.example.com", "https://*.example.org", "http://localhost:*"]);
        assert!(s.matches_listed(b"https://app.example.com"));
        assert!(!s.matches_listed(b"https://app.example.com.evil.com"));
        assert!(!s.matches_listed(b"https://evilapp.example.com"));
        assert!(s.matches_listed(b"https://a.example.org"));
        assert!(s.matches_listed(b"https://a.b.example.org"));
        assert!(!s.matches_listed(b"https://example.org"));
        assert!(!s.matches_listed(b"https://evilexample.org"));
        assert!(!s.matches_listed(b"http://a.example.org"));
        assert!(!s.matches_listed(b"https://a.example.org:8443"));
        assert!(s.matches_listed(b"http://localhost"));
        assert!(s.matches_listed(b"http://localhost:3000"));
        assert!(!s.matches_listed(b"https://localhost:3000"));
        assert!(!s.matches_listed(b"http://localhost.evil.com:3000"));
        assert!(!s.matches_listed(b"http://LOCALHOST:3000"));
        assert!(!s.matches_listed(b"null"));
    }

    #[test]
    fn small_and_hashed_sets_agree() {
        // Up to SMALL_SET entries are searched linearly, more are hashed:
        // the same questions must get the same answers either way.
        let base =
            ["https://app.example.com", "https://*.example.org", "https://*.b.example.net:8443", "http://localhost:*"];
        let padding: Vec<String> = (0..2 * SMALL_SET).map(|i| format!("https://*.pad{i}.test")).collect();
        let exact_padding: Vec<String> = (0..2 * SMALL_SET).map(|i| format!("https://pad{i}.test")).collect();
        let small = set(&base);
        let mut all: Vec<&str> = base.to_vec();
        all.extend(padding.iter().map(String::as_str));
        all.extend(exact_padding.iter().map(String::as_str));
        let big = set(&all);
        for origin in [
            "https://app.example.com",
            "https://x.app.example.com",
            "https://a.example.org",
            "https://a.b.example.org",
            "https://example.org",
            "https://xexample.org",
            "http://a.example.org",
            "https://a.example.org:8443",
            "https://c.b.example.net:8443",
            "https://c.b.example.net",
            "https://b.example.net:8443",
            "http://localhost:3000",
            "https://localhost:3000",
            "null",
            "https://[::1]",
            "https://a.pad3.test",
        ] {
            let padded = origin.contains("pad");
            assert_eq!(
                small.matches_listed(origin.as_bytes()),
                !padded && big.matches_listed(origin.as_bytes()),
                "{origin}"
            );
        }
        assert!(big.matches_listed(b"https://a.pad3.test"));
        assert!(big.matches_listed(b"https://pad3.test"));
        assert!(!big.matches_listed(b"https://pad3.testx"));
    }

    /// What the set means: exact bytes, or a canonical origin whose host is
    /// a listed any-port host or lies below a listed suffix.
    /// (The generated origins are never `null`; `parse` refuses long ones.)
    fn reference(set: &OriginTable, origin: &[u8]) -> bool {
        if set.exact.contains(origin) {
            return true;
        }
        let Some(o) = RequestOrigin::parse(origin) else { return false };
        set.patterns.iter().any(|p| match p {
            OriginPattern::Tuple { scheme, host: HostSpec::Exact(h), port: PortSpec::Any } => {
                *scheme == o.scheme && h.as_bytes() == o.host
            }
            OriginPattern::Tuple { scheme, host: HostSpec::Subdomains(s), port } => {
                let (h, s) = (o.host, s.as_bytes());
                *scheme == o.scheme
                    && port.matches(o.port)
                    && h.len() > s.len() + 1
                    && h.ends_with(s)
                    && h[h.len() - s.len() - 1] == b'.'
            }
            _ => false,
        })
    }

    #[test]
    fn checking_only_the_unmatched_labels_agrees_with_parsing_first() {
        let base = [
            "https://app.example.com",
            "https://*.example.org",
            "https://*.b.example.net:8443",
            "http://localhost:*",
            "http://[::1]:*",
            "https://*.x_y.test:*",
        ];
        let padding: Vec<String> = (0..2 * SMALL_SET).map(|i| format!("https://*.pad{i}.test")).collect();
        let small = set(&base);
        let mut all: Vec<&str> = base.to_vec();
        all.extend(padding.iter().map(String::as_str));
        let big = set(&all);
        let schemes = ["https://", "http://", "ftp://", "", "HTTPS://"];
        let labels = [
            "",
            "a",
            "a.",
            ".a",
            "-a",
            "a-",
            "a-b",
            "A",
            "a_b",
            "a:b",
            "a b",
            "[::1]",
            "é",
            "a..b",
            &"x".repeat(64),
            &"x".repeat(63),
        ];
        let suffixes = [
            "",
            "example.org",
            "b.example.net",
            "localhost",
            "pad3.test",
            "x_y.test",
            "example.com",
            "app.example.com",
            "[::1]",
            "org",
        ];
        let ports = ["", ":443", ":80", ":8443", ":08443", ":", ":99999", ":3000", ":0", ":a", "/", ":8443/"];
        let mut checked = 0;
        for scheme in schemes {
            for label in labels {
                for suffix in suffixes {
                    for port in ports {
                        for host in [
                            format!("{label}{suffix}"),
                            format!("{label}.{suffix}"),
                            format!("{label}.{label}.{suffix}"),
                        ] {
                            let origin = format!("{scheme}{host}{port}");
                            for s in [&small, &big] {
                                assert_eq!(
                                    s.matches_listed(origin.as_bytes()),
                                    reference(s, origin.as_bytes()),
                                    "{origin}"
                                );
                            }
                            checked += 1;
                        }
                    }
                }
            }
        }
        let long = format!("https://{}.example.org", vec!["a".repeat(60); 5].join("."));
        assert!(long.len() > 253 + 8 && !small.matches_listed(long.as_bytes()) && !reference(&small, long.as_bytes()));
        assert!(checked > 20_000);
    }

    #[test]
    fn suffixes_do_not_bleed_into_each_other() {
        // The suffix-sharing bug class (GHSA-vhxv-fg4m-p2w8 in another library).
        let s = set(&["https://foo.com", "https://bar.com", "https://*.foo.com"]);
        assert!(!s.matches_listed(b"https://barfoo.com"));
        assert!(!s.matches_listed(b"https://xfoo.com"));
        assert!(s.matches_listed(b"https://x.foo.com"));
    }
}
