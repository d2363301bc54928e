//! crossgate's origin patterns as regular expressions, for the targets that
//! match origins with them (Express, nginx's `map`, Envoy's `safe_regex`).

/// One origin pattern, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin<'a> {
    /// `*`.
    Any,
    /// An exact origin (or `null`).
    Exact(&'a str),
    /// `scheme://*.suffix[:port]` or `scheme://host:*`.
    Pattern { scheme: &'a str, subdomains_of: Option<&'a str>, host: &'a str, any_port: bool, port: Option<&'a str> },
}

pub(crate) fn read(p: &str) -> Origin<'_> {
    if p == "*" {
        return Origin::Any;
    }
    if !p.contains('*') {
        return Origin::Exact(p);
    }
    let (scheme, rest) = p.split_once("://").unwrap_or(("https", p));
    let (hostpart, port) = match rest.rsplit_once(':') {
        Some((h, port)) if !h.ends_with(']') || rest.starts_with('[') => (h, Some(port)),
        _ => (rest, None),
    };
    let any_port = port == Some("*");
    let port = port.filter(|p| *p != "*");
    match hostpart.strip_prefix("*.") {
        Some(suffix) => Origin::Pattern { scheme, subdomains_of: Some(suffix), host: suffix, any_port, port },
        None => Origin::Pattern { scheme, subdomains_of: None, host: hostpart, any_port, port },
    }
}

/// A regex matching exactly the serialized origins the pattern allows:
/// `*.` is one or more labels, `:*` any port or none.
pub(crate) fn regex(p: &str) -> Option<String> {
    match read(p) {
        Origin::Any => None,
        Origin::Exact(e) => Some(format!("^{}$", regex::escape(e))),
        Origin::Pattern { scheme, subdomains_of, host, any_port, port } => {
            let sub = if subdomains_of.is_some() { "([a-z0-9-]+\\.)+" } else { "" };
            let port = match (any_port, port) {
                (true, _) => "(:[0-9]+)?".to_owned(),
                (false, Some(p)) => format!(":{}", regex::escape(p)),
                (false, None) => String::new(),
            };
            Some(format!("^{}://{sub}{}{port}$", regex::escape(scheme), regex::escape(host)))
        }
    }
}
