//! What is being audited: the URL, its origin, its registrable domain (from
//! the public suffix list) and the address space a browser would place it in.

use std::net::IpAddr;

use url::{Host, Url};

/// The [address space] of the target, judged from the URL's host.
///
/// A browser judges it from the address it connects to; the audit judges it
/// from the name, so that a public name tested on a loopback address
/// (`--connect-to`) is still treated as public. Use an intranet name or an
/// IP literal in the URL to audit an intranet service as one.
///
/// [address space]: https://wicg.github.io/private-network-access/#ip-address-space-section
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressSpace {
    /// The public internet.
    Public,
    /// An intranet: private IP ranges, and names under `.internal`, `.corp`,
    /// `.lan`, `.local`, `.intranet`, `.home.arpa`, or with a single label.
    Private,
    /// The visitor's own machine: loopback addresses and `localhost`.
    Local,
}

impl AddressSpace {
    /// `public`, `private`, `local`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AddressSpace::Public => "public",
            AddressSpace::Private => "private",
            AddressSpace::Local => "local",
        }
    }

    /// Whether data here may be protected by where the visitor is rather
    /// than by who they are (an intranet, a device, a local dev server).
    pub const fn is_non_public(self) -> bool {
        !matches!(self, AddressSpace::Public)
    }
}

/// The audited URL and what the probes are derived from.
#[derive(Clone, Debug)]
pub struct Target {
    /// The URL as given.
    pub url: Url,
    /// Its serialized origin, `scheme://host[:port]`.
    pub origin: String,
    /// `http` or `https`.
    pub scheme: String,
    /// The host as serialized in the URL (IPv6 in brackets).
    pub host: String,
    /// The host with its port when the URL has a non-default one.
    pub authority: String,
    /// The registrable domain (eTLD+1), `None` for IP addresses, `localhost`
    /// and names under an unknown suffix.
    pub registrable: Option<String>,
    /// Where a browser would place it.
    pub space: AddressSpace,
}

impl Target {
    /// Parses an `http` or `https` URL with a host.
    ///
    /// # Errors
    ///
    /// Another scheme, no host, or not a URL, with what to write instead.
    pub fn parse(input: &str) -> Result<Target, String> {
        let url =
            Url::parse(input).map_err(|e| format!("`{input}` is not a URL ({e}): write it as https://host/path"))?;
        Target::from_url(url)
    }

    /// A target from a parsed URL.
    ///
    /// # Errors
    ///
    /// Another scheme than `http` and `https`, or no host.
    pub fn from_url(url: Url) -> Result<Target, String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("`{url}`: only http and https URLs can be audited"));
        }
        let Some(host) = url.host_str().map(str::to_owned) else {
            return Err(format!("`{url}` has no host"));
        };
        let authority = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        };
        let space = address_space(&url);
        let registrable = match url.host() {
            Some(Host::Domain(d)) => registrable_domain(d),
            _ => None,
        };
        Ok(Target {
            origin: url.origin().ascii_serialization(),
            scheme: url.scheme().to_owned(),
            host,
            authority,
            registrable,
            space,
            url,
        })
    }

    /// Whether the target is served over https.
    pub fn is_https(&self) -> bool {
        self.scheme == "https"
    }
}

/// The registrable domain of `host` when its public suffix is on the list.
pub(crate) fn registrable_domain(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.');
    let domain = psl::domain(host.as_bytes())?;
    if !domain.suffix().is_known() {
        return None;
    }
    std::str::from_utf8(domain.as_bytes()).ok().map(str::to_ascii_lowercase)
}

fn address_space(url: &Url) -> AddressSpace {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip_space(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => ip_space(IpAddr::V6(ip)),
        Some(Host::Domain(d)) => name_space(d),
        None => AddressSpace::Public,
    }
}

/// <https://wicg.github.io/private-network-access/#ip-address-space-section>
pub(crate) fn ip_space(ip: IpAddr) -> AddressSpace {
    match ip {
        IpAddr::V4(v4) => {
            if v4.is_loopback() {
                AddressSpace::Local
            } else if v4.is_private() || v4.is_link_local() || v4.is_unspecified() {
                AddressSpace::Private
            } else {
                AddressSpace::Public
            }
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return ip_space(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            if v6.is_loopback() {
                AddressSpace::Local
            } else if (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80 || v6.is_unspecified() {
                AddressSpace::Private
            } else {
                AddressSpace::Public
            }
        }
    }
}

fn name_space(name: &str) -> AddressSpace {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return AddressSpace::Local;
    }
    const INTRANET: [&str; 8] = ["internal", "corp", "lan", "local", "intranet", "home.arpa", "home", "localdomain"];
    let intranet = INTRANET.iter().any(|s| name == *s || name.ends_with(&format!(".{s}")));
    if intranet || !name.contains('.') {
        AddressSpace::Private
    } else {
        AddressSpace::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_and_domains() {
        let cases = [
            ("https://app.example.co.uk/x", AddressSpace::Public, Some("example.co.uk")),
            ("http://127.0.0.1:8080/", AddressSpace::Local, None),
            ("http://localhost:3000/", AddressSpace::Local, None),
            ("http://10.1.2.3/", AddressSpace::Private, None),
            ("http://[fd00::1]/", AddressSpace::Private, None),
            ("http://[::1]:9/", AddressSpace::Local, None),
            ("http://wiki.corp.internal/", AddressSpace::Private, None),
            ("http://printer/", AddressSpace::Private, None),
            ("https://8.8.8.8/", AddressSpace::Public, None),
            ("https://user.github.io/", AddressSpace::Public, Some("user.github.io")),
        ];
        for (url, space, reg) in cases {
            let t = Target::parse(url).unwrap();
            assert_eq!(t.space, space, "{url}");
            assert_eq!(t.registrable.as_deref(), reg, "{url}");
        }
        assert!(Target::parse("ftp://a.example/").is_err());
        assert!(Target::parse("not a url").unwrap_err().contains("https://host/path"));
        assert_eq!(Target::parse("https://a.example.com:8443/").unwrap().authority, "a.example.com:8443");
    }
}
