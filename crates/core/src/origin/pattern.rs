//! Origin patterns as written in a policy, and their strict parser.
//!
//! The grammar is deliberately narrow (no regexes, no free-form wildcards):
//!
//! | pattern | matches |
//! |---|---|
//! | `https://app.example.com` | exactly that origin |
//! | `https://*.example.com` | any origin one or more labels below `example.com` (not the apex) |
//! | `http://localhost:*` | `http://localhost` on any port, including the default |
//! | `https://*.example.com:*` | both at once |
//! | `*` | any origin |
//! | `null` | the opaque origin (only with `dangerously_allow_null_origin`) |
//!
//! Exact origins must already be in the form browsers send, except that
//! Unicode hosts are stored as punycode and upper case is lower-cased (with
//! a warning). Everything else that a browser would never send is an error
//! with a precise message.

use std::fmt;

use super::serialized::{is_canonical_host, Scheme};
use crate::diagnostics::Code;

/// Which ports a pattern accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PortSpec {
    /// The scheme's default port only (no port in the serialization).
    Default,
    /// Exactly this (non-default) port.
    Exact(u16),
    /// Any port, including the default (`:*`).
    Any,
}

impl PortSpec {
    /// Whether a request's port (`None` = default) is accepted.
    #[inline]
    pub fn matches(self, port: Option<u16>) -> bool {
        match self {
            PortSpec::Default => port.is_none(),
            PortSpec::Exact(p) => port == Some(p),
            PortSpec::Any => true,
        }
    }

    /// Whether every port `other` accepts, `self` accepts too.
    pub fn covers(self, other: PortSpec) -> bool {
        self == PortSpec::Any || self == other
    }
}

/// Which hosts a pattern accepts.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HostSpec {
    /// Exactly this serialized host.
    Exact(String),
    /// One or more labels followed by `.` and this suffix (`*.suffix`).
    Subdomains(String),
}

/// A parsed, canonical origin pattern.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OriginPattern {
    /// `*`: any origin.
    Any,
    /// `null`: the opaque origin.
    Null,
    /// An origin on an app or extension scheme (`tauri://localhost`,
    /// `chrome-extension://<id>`), in its serialization; only ever exact.
    App(String),
    /// A tuple origin, or a set of them.
    Tuple {
        /// The scheme.
        scheme: Scheme,
        /// The host or host pattern.
        host: HostSpec,
        /// The port or port pattern.
        port: PortSpec,
    },
}

impl OriginPattern {
    /// Whether this pattern names exactly one tuple origin.
    pub fn is_exact(&self) -> bool {
        matches!(
            self,
            OriginPattern::App(_)
                | OriginPattern::Tuple { host: HostSpec::Exact(_), port: PortSpec::Default | PortSpec::Exact(_), .. }
        )
    }

    /// Whether every origin `other` matches, `self` matches too.
    pub fn covers(&self, other: &OriginPattern) -> bool {
        match (self, other) {
            (OriginPattern::Any, _) => true,
            (OriginPattern::Null, OriginPattern::Null) => true,
            (OriginPattern::App(a), OriginPattern::App(b)) => a == b,
            (
                OriginPattern::Tuple { scheme: s1, host: h1, port: p1 },
                OriginPattern::Tuple { scheme: s2, host: h2, port: p2 },
            ) => {
                s1 == s2
                    && p1.covers(*p2)
                    && match (h1, h2) {
                        (HostSpec::Exact(a), HostSpec::Exact(b)) => a == b,
                        (HostSpec::Exact(_), HostSpec::Subdomains(_)) => false,
                        (HostSpec::Subdomains(a), HostSpec::Exact(b)) => is_strict_subdomain(b, a),
                        (HostSpec::Subdomains(a), HostSpec::Subdomains(b)) => a == b || is_strict_subdomain(b, a),
                    }
            }
            _ => false,
        }
    }
}

/// Whether `host` is one or more labels below `suffix`.
pub(crate) fn is_strict_subdomain(host: &str, suffix: &str) -> bool {
    host.len() > suffix.len() + 1 && host.ends_with(suffix) && host.as_bytes()[host.len() - suffix.len() - 1] == b'.'
}

impl fmt::Display for OriginPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OriginPattern::Any => f.write_str("*"),
            OriginPattern::Null => f.write_str("null"),
            OriginPattern::App(origin) => f.write_str(origin),
            OriginPattern::Tuple { scheme, host, port } => {
                write!(f, "{}://", scheme.as_str())?;
                match host {
                    HostSpec::Exact(h) => f.write_str(h)?,
                    HostSpec::Subdomains(s) => write!(f, "*.{s}")?,
                }
                match port {
                    PortSpec::Default => Ok(()),
                    PortSpec::Exact(p) => write!(f, ":{p}"),
                    PortSpec::Any => f.write_str(":*"),
                }
            }
        }
    }
}

/// Why an origin pattern was refused, with how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError {
    /// The diagnostic code.
    pub code: Code,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// A successfully parsed pattern, and whether it had to be canonicalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedPattern {
    /// The canonical pattern.
    pub pattern: OriginPattern,
    /// Set when the input was not canonical (upper case) and was rewritten.
    pub rewritten: bool,
}

fn err(code: Code, message: impl Into<String>, help: impl Into<String>) -> PatternError {
    PatternError { code, message: message.into(), help: help.into() }
}

impl std::str::FromStr for OriginPattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_pattern(s).map(|p| p.pattern)
    }
}

/// Parses one origin pattern as written in a policy.
pub fn parse_pattern(input: &str) -> Result<ParsedPattern, PatternError> {
    let ok = |pattern| Ok(ParsedPattern { pattern, rewritten: false });
    if input.is_empty() {
        return Err(err(
            Code::OriginInvalid,
            "an origin cannot be empty",
            "write an origin such as `https://app.example.com`, or remove the entry",
        ));
    }
    let trimmed = input.trim();
    if trimmed != input {
        return Err(err(
            Code::OriginInvalid,
            "an origin has no surrounding whitespace",
            format!("did you mean `{trimmed}`?"),
        ));
    }
    match input {
        "*" => return ok(OriginPattern::Any),
        "null" => return ok(OriginPattern::Null),
        _ => {}
    }
    if input.eq_ignore_ascii_case("null") {
        return Err(err(Code::OriginInvalid, "the opaque origin is spelled `null`", "write `null` in lower case"));
    }
    let Some(sep) = input.find("://") else {
        if input.len() >= 5 && input.as_bytes()[..5].eq_ignore_ascii_case(b"file:") {
            return Err(file_origin());
        }
        if let Some(rest) = input.strip_prefix("*.") {
            return Err(err(
                Code::OriginInvalid,
                "an origin pattern needs a scheme",
                format!("did you mean `https://*.{rest}`?"),
            ));
        }
        return Err(err(Code::OriginInvalid, "an origin needs a scheme", format!("did you mean `https://{input}`?")));
    };
    let raw_scheme = &input[..sep];
    let scheme_lower = raw_scheme.to_ascii_lowercase();
    let mut rewritten = scheme_lower != raw_scheme;
    let scheme = match scheme_lower.as_str() {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        "file" => return Err(file_origin()),
        other if super::app::is_app_scheme(other) => {
            let origin = super::app::parse(other, &input[sep + 3..])?;
            return Ok(ParsedPattern { pattern: OriginPattern::App(origin), rewritten });
        }
        other => {
            return Err(err(
                Code::OriginUnsupportedScheme,
                format!("`{other}:` pages do not send a tuple origin"),
                "use an `http://` or `https://` origin (or an app's `scheme://host`)",
            ))
        }
    };
    let rest = &input[sep + 3..];
    if let Some(i) = rest.find(['/', '?', '#']) {
        let authority = &rest[..i];
        let (code, what) = match rest.as_bytes()[i] {
            b'/' => (Code::OriginHasPath, "path"),
            b'?' => (Code::OriginHasQuery, "query"),
            _ => (Code::OriginHasFragment, "fragment"),
        };
        let help = if authority.is_empty() {
            "an origin is `scheme://host[:port]`".to_owned()
        } else {
            format!("did you mean `{scheme_lower}://{authority}`?")
        };
        return Err(err(code, format!("an origin has no {what}"), help));
    }
    if let Some(at) = rest.rfind('@') {
        return Err(err(
            Code::OriginHasUserinfo,
            "an origin has no user name or password",
            format!("did you mean `{scheme_lower}://{}`?", &rest[at + 1..]),
        ));
    }
    let (host, port) = split_config_host_port(rest)
        .ok_or_else(|| err(Code::OriginInvalid, "the host is not valid", "an origin is `scheme://host[:port]`"))?;
    let port = parse_config_port(scheme, &scheme_lower, host, port)?;
    if host.is_empty() {
        return Err(err(Code::OriginInvalid, "an origin needs a host", "an origin is `scheme://host[:port]`"));
    }
    if host.ends_with('.') {
        let fixed = host.trim_end_matches('.');
        return Err(err(
            Code::OriginTrailingDot,
            "browsers never send a host with a trailing dot",
            format!("did you mean `{scheme_lower}://{fixed}{}`?", port_suffix(port)),
        ));
    }
    let (subdomains, host_part) = match host.strip_prefix("*.") {
        Some(h) => (true, h),
        None => (false, host),
    };
    if host_part.contains('*') {
        return Err(err(
            Code::OriginPatternInvalid,
            "`*` may only stand for whole leading labels (`*.example.com`) or the port (`:*`)",
            "write `https://*.example.com` for subdomains, or list the origins one by one",
        ));
    }
    let parsed = url::Host::parse(host_part).map_err(|e| {
        err(Code::OriginInvalid, format!("the host `{host_part}` is not valid: {e}"), "check the host's spelling")
    })?;
    let canonical = match parsed {
        url::Host::Domain(d) => {
            if !is_canonical_host(d.as_bytes()) {
                return Err(err(
                    Code::OriginInvalid,
                    format!("browsers never send the host `{d}`"),
                    "a host is made of letters, digits, `-` and `_`, separated by dots",
                ));
            }
            if d != host_part && host_part.is_ascii() {
                rewritten = true;
            }
            d
        }
        ip @ (url::Host::Ipv4(_) | url::Host::Ipv6(_)) => {
            let canonical = ip.to_string();
            if subdomains {
                return Err(err(
                    Code::OriginPatternInvalid,
                    "`*.` cannot come before an IP address",
                    format!("list the origin `{scheme_lower}://{canonical}{}` instead", port_suffix(port)),
                ));
            }
            if canonical != host_part {
                return Err(err(
                    Code::OriginNonCanonicalIp,
                    format!("browsers serialize this address as `{canonical}`"),
                    format!("did you mean `{scheme_lower}://{canonical}{}`?", port_suffix(port)),
                ));
            }
            canonical
        }
    };
    let host = if subdomains { HostSpec::Subdomains(canonical) } else { HostSpec::Exact(canonical) };
    Ok(ParsedPattern { pattern: OriginPattern::Tuple { scheme, host, port }, rewritten })
}

fn file_origin() -> PatternError {
    err(
        Code::FileOrigin,
        "pages opened from `file:` URLs send `Origin: null`",
        "list `null` and set `dangerously_allow_null_origin = true` if you really mean it; better, serve the page over http://localhost",
    )
}

fn port_suffix(port: PortSpec) -> String {
    match port {
        PortSpec::Default => String::new(),
        PortSpec::Exact(p) => format!(":{p}"),
        PortSpec::Any => ":*".to_owned(),
    }
}

fn split_config_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.starts_with('[') {
        let close = authority.find(']')?;
        match &authority[close + 1..] {
            "" => Some((&authority[..=close], None)),
            p if p.starts_with(':') => Some((&authority[..=close], Some(&p[1..]))),
            _ => None,
        }
    } else {
        match authority.rfind(':') {
            Some(i) => Some((&authority[..i], Some(&authority[i + 1..]))),
            None => Some((authority, None)),
        }
    }
}

fn parse_config_port(
    scheme: Scheme,
    scheme_str: &str,
    host: &str,
    port: Option<&str>,
) -> Result<PortSpec, PatternError> {
    let Some(port) = port else { return Ok(PortSpec::Default) };
    if port == "*" {
        return Ok(PortSpec::Any);
    }
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(
            Code::OriginInvalid,
            format!("`{port}` is not a port"),
            "a port is a number from 1 to 65535, or `*` for any port",
        ));
    }
    let n: u32 = port.parse().unwrap_or(u32::MAX);
    if n == 0 || n > 65535 {
        return Err(err(
            Code::OriginInvalid,
            format!("`{port}` is not a port"),
            "a port is a number from 1 to 65535, or `*` for any port",
        ));
    }
    let n = n as u16;
    if port.starts_with('0') {
        return Err(err(
            Code::OriginNonCanonicalPort,
            format!("browsers serialize this port as `{n}`"),
            format!("did you mean `{scheme_str}://{host}:{n}`?"),
        ));
    }
    if n == scheme.default_port() {
        return Err(err(
            Code::OriginDefaultPort,
            format!("browsers never send the default port `:{n}` for `{scheme_str}`"),
            format!("did you mean `{scheme_str}://{host}`?"),
        ));
    }
    Ok(PortSpec::Exact(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> Code {
        parse_pattern(s).unwrap_err().code
    }

    #[test]
    fn the_path_message_suggests_the_origin() {
        let e = parse_pattern("https://a.com/").unwrap_err();
        assert_eq!(e.code, Code::OriginHasPath);
        assert_eq!(e.message, "an origin has no path");
        assert_eq!(e.help, "did you mean `https://a.com`?");
    }

    #[test]
    fn refusals() {
        assert_eq!(code(""), Code::OriginInvalid);
        assert_eq!(code("example.com"), Code::OriginInvalid);
        assert_eq!(code("https://a.com?x"), Code::OriginHasQuery);
        assert_eq!(code("https://a.com#x"), Code::OriginHasFragment);
        assert_eq!(code("https://u:p@a.com"), Code::OriginHasUserinfo);
        assert_eq!(code("https://a.com:443"), Code::OriginDefaultPort);
        assert_eq!(code("http://a.com:80"), Code::OriginDefaultPort);
        assert_eq!(code("https://a.com."), Code::OriginTrailingDot);
        assert_eq!(code("http://127.000.0.1"), Code::OriginNonCanonicalIp);
        assert_eq!(code("http://0x7f.1"), Code::OriginNonCanonicalIp);
        assert_eq!(code("http://[0:0::1]"), Code::OriginNonCanonicalIp);
        assert_eq!(code("ftp://a.com"), Code::OriginUnsupportedScheme);
        assert_eq!(code("file:///tmp/x.html"), Code::FileOrigin);
        assert_eq!(code("https://a*.com"), Code::OriginPatternInvalid);
        assert_eq!(code("https://*"), Code::OriginPatternInvalid);
        assert_eq!(code("https://*.127.0.0.1"), Code::OriginPatternInvalid);
        assert_eq!(code("https://a.com:08080"), Code::OriginNonCanonicalPort);
        assert_eq!(code("https://a.com:70000"), Code::OriginInvalid);
        assert_eq!(code(" https://a.com"), Code::OriginInvalid);
    }

    #[test]
    fn unicode_hosts_become_punycode() {
        let p = parse_pattern("https://élève.example").unwrap();
        assert_eq!(p.pattern.to_string(), "https://xn--lve-6lad.example");
        assert!(!p.rewritten);
    }

    #[test]
    fn upper_case_is_rewritten_with_a_flag() {
        let p = parse_pattern("HTTPS://App.Example.com").unwrap();
        assert_eq!(p.pattern.to_string(), "https://app.example.com");
        assert!(p.rewritten);
    }

    #[test]
    fn patterns_round_trip() {
        for s in
            ["https://*.example.com", "http://localhost:*", "https://*.example.com:*", "http://[::1]:8080", "*", "null"]
        {
            assert_eq!(parse_pattern(s).unwrap().pattern.to_string(), s);
        }
    }

    #[test]
    fn coverage() {
        let p = |s: &str| parse_pattern(s).unwrap().pattern;
        assert!(p("https://*.example.com").covers(&p("https://a.example.com")));
        assert!(p("https://*.example.com").covers(&p("https://*.a.example.com")));
        assert!(!p("https://*.example.com").covers(&p("https://example.com")));
        assert!(!p("https://*.example.com").covers(&p("https://a.example.com:8443")));
        assert!(p("https://*.example.com:*").covers(&p("https://a.example.com:8443")));
        assert!(p("*").covers(&p("null")));
        assert!(!p("https://a.com").covers(&p("http://a.com")));
    }
}
