//! What the audit sends: probes, grouped in families, each one request.
//!
//! Only `GET` and `OPTIONS` exist here: a state-changing method is only ever
//! named in a preflight's `Access-Control-Request-Method`, never sent.

use std::fmt;

/// The only methods a probe can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// A read.
    Get,
    /// A preflight.
    Options,
}

impl Method {
    /// `GET` or `OPTIONS`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Options => "OPTIONS",
        }
    }
}

/// A family of probes: the unit `--skip` works on, and what each test of
/// "this family finds that class" removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// A random attacker origin, over https and http.
    Reflect,
    /// `Origin: null`.
    Null,
    /// The target's origin with something appended.
    Prefix,
    /// Something prepended to the registrable domain.
    Suffix,
    /// Truncations of the target (reverse substring) and the target inside
    /// an attacker name (contains).
    Substring,
    /// The host with one dot replaced, when the result is registrable.
    Dot,
    /// The host followed by a character some browsers allow in hosts.
    Special,
    /// Percent-encoded, userinfo and path forms no browser sends.
    Percent,
    /// A random subdomain of the registrable domain and of the host.
    Subdomain,
    /// The `http` scheme on an https target.
    Scheme,
    /// Hosting platforms where anyone can publish a page.
    ThirdParty,
    /// `localhost` and `127.0.0.1` development ports.
    Dev,
    /// `localhost.` followed by an attacker domain.
    LocalhostEdge,
    /// Preflights with a state-changing method and an unknown header.
    Preflight,
    /// A Private Network Access preflight.
    PrivateNetwork,
    /// A two-request test of a cache in front of the target.
    Cache,
    /// CR and CRLF inside `Origin`, over a raw socket.
    Injection,
    /// Two `Origin` headers, and a comma-joined one.
    Duplicate,
    /// Variants of each path a router may resolve to the same resource.
    Paths,
}

impl Family {
    /// Every family, in the order the audit runs them.
    pub const ALL: [Family; 19] = [
        Family::Reflect,
        Family::Null,
        Family::Prefix,
        Family::Suffix,
        Family::Substring,
        Family::Dot,
        Family::Special,
        Family::Percent,
        Family::Subdomain,
        Family::Scheme,
        Family::ThirdParty,
        Family::Dev,
        Family::LocalhostEdge,
        Family::Preflight,
        Family::PrivateNetwork,
        Family::Cache,
        Family::Injection,
        Family::Duplicate,
        Family::Paths,
    ];

    /// The name `--skip` takes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Family::Reflect => "reflect",
            Family::Null => "null",
            Family::Prefix => "prefix",
            Family::Suffix => "suffix",
            Family::Substring => "substring",
            Family::Dot => "dot",
            Family::Special => "special",
            Family::Percent => "percent",
            Family::Subdomain => "subdomain",
            Family::Scheme => "scheme",
            Family::ThirdParty => "third-party",
            Family::Dev => "dev",
            Family::LocalhostEdge => "localhost",
            Family::Preflight => "preflight",
            Family::PrivateNetwork => "private-network",
            Family::Cache => "cache",
            Family::Injection => "injection",
            Family::Duplicate => "duplicate",
            Family::Paths => "paths",
        }
    }

    /// Parses a name from [`Family::as_str`].
    pub fn parse(s: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One request to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeRequest {
    /// `GET` or `OPTIONS`.
    pub method: Method,
    /// The path and query, as sent (never normalised).
    pub path: String,
    /// Headers in order; a name may repeat. Values are bytes: a raw probe's
    /// may hold CR or LF.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Whether the user's session (`--cookie`, `-H`) goes along, as a
    /// browser's cookies go with `credentials: "include"`.
    pub credentials: bool,
    /// Whether it must be written on a raw socket: it holds bytes an HTTP
    /// library refuses to send.
    pub raw: bool,
}

impl ProbeRequest {
    /// A `GET` of `path` with the user's session.
    pub(crate) fn get(path: &str) -> Self {
        ProbeRequest { method: Method::Get, path: path.to_owned(), headers: Vec::new(), credentials: true, raw: false }
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &str, value: impl Into<Vec<u8>>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The first value of `name`, if any.
    pub fn header_value(&self, name: &str) -> Option<&[u8]> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_slice())
    }
}

/// A probe the audit wants sent, with the id to answer it by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    /// Pass it back to [`Audit::handle`](crate::Audit::handle).
    pub id: usize,
    /// `None` for the baseline requests every audit sends.
    pub family: Option<Family>,
    /// Why it is sent, in a few words.
    pub purpose: String,
    /// The request.
    pub request: ProbeRequest,
}
