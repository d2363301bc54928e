//! The page behind a request: its origin, from the request's `Origin`, else
//! the page it belongs to (`pages[]`), else `Referer`, else the caller's
//! `--origin`; and the address spaces that mixed content and Local Network
//! Access compare.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crossgate_browser::Origin;
use url::{Host, Url};

use crate::exchange::Recorded;

/// Where a page origin came from.
pub(crate) type Source = &'static str;

/// The page origin of `r`, and where it came from.
pub(crate) fn page_origin(
    r: &Recorded,
    pages: &HashMap<String, Url>,
    fallback: Option<&Origin>,
) -> Option<(Origin, Source)> {
    if let Some(o) = r.request_header("origin") {
        if let Some(origin) = Origin::parse(o.trim()) {
            return Some((origin, "origin-header"));
        }
    }
    if let Some(url) = r.pageref.as_ref().and_then(|p| pages.get(p)) {
        return Some((Origin::of(url), "page"));
    }
    if let Some(referer) = r.request_header("referer").and_then(|v| Url::parse(v).ok()) {
        if matches!(referer.scheme(), "http" | "https") {
            return Some((Origin::of(&referer), "referer"));
        }
    }
    fallback.map(|o| (o.clone(), "option"))
}

/// <https://wicg.github.io/local-network-access/#ip-address-space-heading>
///
/// The address space a URL's host is in: loopback, local (private), or
/// public. A name other than `localhost` is public: its address is not in
/// the file (`serverIPAddress` is, for the target, and is used instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum AddressSpace {
    Loopback,
    Local,
    Public,
}

pub(crate) fn address_space(url: &Url) -> AddressSpace {
    match url.host() {
        Some(Host::Ipv4(a)) => v4_space(a),
        Some(Host::Ipv6(a)) => v6_space(a),
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            if d == "localhost" || d.ends_with(".localhost") {
                AddressSpace::Loopback
            } else if d.ends_with(".local") {
                AddressSpace::Local
            } else {
                AddressSpace::Public
            }
        }
        None => AddressSpace::Public,
    }
}

pub(crate) fn ip_space(ip: IpAddr) -> AddressSpace {
    match ip {
        IpAddr::V4(a) => v4_space(a),
        IpAddr::V6(a) => v6_space(a),
    }
}

fn v4_space(a: Ipv4Addr) -> AddressSpace {
    if a.is_loopback() {
        AddressSpace::Loopback
    } else if a.is_private() || a.is_link_local() || (a.octets()[0] == 100 && (a.octets()[1] & 0xc0) == 64) {
        AddressSpace::Local
    } else {
        AddressSpace::Public
    }
}

fn v6_space(a: Ipv6Addr) -> AddressSpace {
    if let Some(v4) = a.to_ipv4_mapped() {
        return v4_space(v4);
    }
    let first = a.segments()[0];
    if a.is_loopback() {
        AddressSpace::Loopback
    } else if (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80 {
        AddressSpace::Local
    } else {
        AddressSpace::Public
    }
}

/// <https://w3c.github.io/webappsec-mixed-content/#a-priori-authenticated-url>
///
/// Whether an `https:` page calling `url` is mixed content: `http:` to a
/// host that is not potentially trustworthy (loopback is).
pub(crate) fn is_mixed_content(page: &Origin, url: &Url) -> bool {
    page.serialize().starts_with("https:") && url.scheme() == "http" && address_space(url) != AddressSpace::Loopback
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_spaces() {
        let cases = [
            ("http://127.0.0.1:8080/", AddressSpace::Loopback),
            ("http://[::1]/", AddressSpace::Loopback),
            ("http://localhost/", AddressSpace::Loopback),
            ("http://api.localhost/", AddressSpace::Loopback),
            ("http://192.168.1.10/", AddressSpace::Local),
            ("http://10.0.0.1/", AddressSpace::Local),
            ("http://100.64.0.1/", AddressSpace::Local),
            ("http://[fd00::1]/", AddressSpace::Local),
            ("http://printer.local/", AddressSpace::Local),
            ("https://example.com/", AddressSpace::Public),
            ("http://8.8.8.8/", AddressSpace::Public),
        ];
        for (u, want) in cases {
            assert_eq!(address_space(&Url::parse(u).unwrap()), want, "{u}");
        }
    }

    #[test]
    fn mixed_content() {
        let https = Origin::parse("https://app.test").unwrap();
        let http = Origin::parse("http://app.test").unwrap();
        let cases = [
            (&https, "http://api.test/", true),
            (&https, "http://localhost:3000/", false),
            (&https, "https://api.test/", false),
            (&http, "http://api.test/", false),
        ];
        for (page, u, want) in cases {
            assert_eq!(is_mixed_content(page, &Url::parse(u).unwrap()), want, "{u}");
        }
    }
}
