//! `allowed_hosts`: the `Host` check that runs before anything else.
//!
//! CORS protects a server's responses from other origins' scripts; it does
//! nothing against DNS rebinding, where an attacker's name resolves to a
//! local service and the browser sends `Host: attacker.example`. Refusing
//! unknown `Host` values (Django's `ALLOWED_HOSTS`) does.

use crate::code::Code;
use crate::problem::Problem;

/// The accepted `Host` values, without ports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct AllowedHosts {
    /// Empty: any host.
    entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Entry {
    Any,
    Exact(String),
    /// `.example.com`: the domain and every subdomain.
    Domain(String),
}

impl AllowedHosts {
    /// Parses the config list, reporting bad entries.
    pub(crate) fn parse(list: &[String], problems: &mut Vec<Problem>) -> Self {
        let mut entries = Vec::new();
        for (i, raw) in list.iter().enumerate() {
            let at = format!("allowed_hosts[{i}]");
            let v = raw.to_ascii_lowercase();
            if v == "*" {
                entries.push(Entry::Any);
            } else if v.is_empty() || (v.contains(['/', ':', ' ', '@']) && !v.starts_with('[')) {
                problems.push(Problem::new(
                    Code::AllowedHostInvalid,
                    at,
                    raw,
                    "not a host name",
                    "list host names without scheme or port, e.g. `api.example.com`, `.example.com` or `127.0.0.1`",
                ));
            } else if let Some(domain) = v.strip_prefix('.') {
                entries.push(Entry::Domain(domain.to_owned()));
            } else {
                if raw.bytes().any(|b| b.is_ascii_uppercase()) {
                    problems.push(Problem::new(
                        Code::AllowedHostNotLowercase,
                        at,
                        raw,
                        "host names are compared case-insensitively",
                        "write it in lower case",
                    ));
                }
                entries.push(Entry::Exact(v));
            }
        }
        AllowedHosts { entries }
    }

    /// Whether every host is accepted.
    pub(crate) fn is_any(&self) -> bool {
        self.entries.is_empty() || self.entries.contains(&Entry::Any)
    }

    /// Whether a `Host` header value (with or without port) is accepted.
    pub(crate) fn allows(&self, host_header: Option<&str>) -> bool {
        if self.is_any() {
            return true;
        }
        let Some(host) = host_header.and_then(host_without_port) else { return false };
        let host = host.to_ascii_lowercase();
        let host = host.strip_suffix('.').unwrap_or(&host);
        self.entries.iter().any(|e| match e {
            Entry::Any => true,
            Entry::Exact(h) => h == host,
            Entry::Domain(d) => host == d || host.strip_suffix(d.as_str()).is_some_and(|p| p.ends_with('.')),
        })
    }
}

/// `example.com:8080` → `example.com`, `[::1]:80` → `[::1]`; `None` when
/// the value is not a plausible host.
fn host_without_port(v: &str) -> Option<&str> {
    let v = v.trim();
    if v.starts_with('[') {
        let end = v.find(']')?;
        let rest = &v[end + 1..];
        return (rest.is_empty() || rest.strip_prefix(':').is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit())))
            .then(|| &v[..=end]);
    }
    let host = match v.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        Some(_) => return None,
        None => v,
    };
    (!host.is_empty() && !host.contains(['/', '@', ' ', ':'])).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(list: &[&str]) -> AllowedHosts {
        let mut p = Vec::new();
        let h = AllowedHosts::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>(), &mut p);
        assert!(p.is_empty(), "{p:?}");
        h
    }

    #[test]
    fn matches_like_django() {
        let h = hosts(&["api.example.com", ".example.org", "127.0.0.1", "[::1]"]);
        assert!(h.allows(Some("api.example.com:8080")));
        assert!(h.allows(Some("API.example.com")));
        assert!(h.allows(Some("example.org")));
        assert!(h.allows(Some("a.b.example.org")));
        assert!(!h.allows(Some("badexample.org")));
        assert!(h.allows(Some("127.0.0.1:80")));
        assert!(h.allows(Some("[::1]:80")));
        assert!(!h.allows(Some("attacker.example")));
        assert!(!h.allows(None));
        assert!(!h.allows(Some("api.example.com:x")));
        assert!(hosts(&[]).allows(Some("anything")));
    }
}
