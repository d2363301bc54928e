//! [Origins] and sites: tuple or opaque, same origin, the serialized origin
//! the `Origin` header carries, and the site Fetch Metadata compares.
//!
//! [Origins]: https://html.spec.whatwg.org/#concept-origin

use std::fmt;

use url::Url;

/// A page's or a URL's origin.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin(url::Origin);

impl Origin {
    /// <https://url.spec.whatwg.org/#concept-url-origin>
    ///
    /// The origin of `url` (a new opaque origin for non-special schemes).
    pub fn of(url: &Url) -> Self {
        Origin(url.origin())
    }

    /// Parses a serialized origin (`scheme://host[:port]`, a path is
    /// ignored) or `null` (a fresh opaque origin, as a sandboxed page has).
    ///
    /// An app or extension page's origin (`tauri://localhost`,
    /// `chrome-extension://<id>`) parses too, as the tuple origin its
    /// embedder gives it: per URL such a scheme's URLs have an opaque
    /// origin, but Chromium registers extension schemes as standard ones and
    /// WebView2/WKWebView do the same for a shell's registered scheme, so
    /// the page sends `Origin: tauri://localhost` (Tauri's and Capacitor's
    /// documentation; crossgate-core's `origin::app` lists the sources).
    pub fn parse(s: &str) -> Option<Self> {
        if s == "null" {
            return Some(Self::opaque());
        }
        let url = Url::parse(s).ok()?;
        match url.scheme() {
            "http" | "https" => Some(Origin::of(&url)),
            "ws" | "wss" | "ftp" | "file" | "blob" | "data" | "about" | "javascript" => None,
            scheme => {
                let host = url.host()?.to_owned();
                Some(Origin(url::Origin::Tuple(scheme.to_owned(), host, url.port().unwrap_or(0))))
            }
        }
    }

    /// A new opaque origin: equal only to itself, serialized `null`.
    pub fn opaque() -> Self {
        Origin(url::Origin::new_opaque())
    }

    /// Whether this is an opaque origin.
    pub fn is_opaque(&self) -> bool {
        !self.0.is_tuple()
    }

    /// <https://html.spec.whatwg.org/#same-origin>
    ///
    /// The same opaque origin, or equal scheme, host and port (default ports
    /// already elided by the URL parser).
    pub fn same_origin(&self, other: &Origin) -> bool {
        self.0 == other.0
    }

    /// Whether `url`'s origin is the same origin as this one.
    pub fn same_origin_url(&self, url: &Url) -> bool {
        self.0 == url.origin()
    }

    /// <https://html.spec.whatwg.org/#ascii-serialisation-of-an-origin>
    ///
    /// `scheme://host[:port]`, or `null` for an opaque origin.
    pub fn serialize(&self) -> String {
        match &self.0 {
            // An app scheme has no default port: port 0 stands for none.
            url::Origin::Tuple(scheme, host, 0) if !matches!(scheme.as_str(), "http" | "https") => {
                format!("{scheme}://{host}")
            }
            origin => origin.ascii_serialization(),
        }
    }
}

/// <https://html.spec.whatwg.org/#obtain-a-site>
///
/// The site of a URL's origin: scheme plus registrable domain, or plus the
/// host when it has none (IP addresses, `localhost`); ports never matter.
/// Two origins are [same site](https://html.spec.whatwg.org/#same-site) when
/// their sites are equal.
pub(crate) fn site_of(url: &Url) -> Option<(String, String)> {
    let host = url.host_str()?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let domain = match url.host() {
        Some(url::Host::Domain(d)) => psl::domain_str(d).unwrap_or(host),
        _ => host,
    };
    Some((url.scheme().to_owned(), domain.to_ascii_lowercase()))
}

impl Origin {
    /// <https://html.spec.whatwg.org/#obtain-a-site>
    ///
    /// The origin's site, `None` when opaque.
    pub fn site(&self) -> Option<(String, String)> {
        match &self.0 {
            url::Origin::Tuple(scheme, host, port) => {
                let url = Url::parse(&format!("{scheme}://{host}:{port}/")).ok()?;
                site_of(&url)
            }
            url::Origin::Opaque(_) => None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.serialize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuple_origins() {
        let a = Origin::parse("http://example.com:80/path?q").unwrap();
        assert_eq!(a.serialize(), "http://example.com");
        assert!(a.same_origin(&Origin::parse("http://EXAMPLE.com").unwrap()));
        assert!(!a.same_origin(&Origin::parse("https://example.com").unwrap()));
        let l = Origin::parse("http://localhost:8080").unwrap();
        assert!(!l.same_origin(&Origin::parse("http://127.0.0.1:8080").unwrap()));
        assert_eq!(Origin::parse("http://[::1]:81").unwrap().serialize(), "http://[::1]:81");
        assert!(Origin::parse("ftp://x").is_none());
    }

    #[test]
    fn sites() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(site_of(&u("https://a.b.example.co.uk:8443/x")), Some(("https".into(), "example.co.uk".into())));
        assert_eq!(site_of(&u("http://127.0.0.1:9/")), Some(("http".into(), "127.0.0.1".into())));
        assert_ne!(site_of(&u("http://localhost/")), site_of(&u("http://127.0.0.1/")));
        assert_eq!(Origin::parse("http://localhost:1").unwrap().site(), site_of(&u("http://localhost:2/")));
    }

    #[test]
    fn app_origins_are_tuples_their_pages_send() {
        for s in [
            "tauri://localhost",
            "capacitor://localhost",
            "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
            "app://main:8080",
        ] {
            let o = Origin::parse(s).unwrap();
            assert!(!o.is_opaque(), "{s}");
            assert_eq!(o.serialize(), s);
            assert!(o.same_origin(&Origin::parse(s).unwrap()));
            assert!(!o.same_origin_url(&Url::parse("http://localhost/").unwrap()));
        }
        assert!(Origin::parse("tauri:localhost").is_none(), "no host");
        assert!(Origin::parse("ws://a.example").is_none());
    }

    #[test]
    fn opaque_origins() {
        let n = Origin::parse("null").unwrap();
        assert!(n.is_opaque());
        assert_eq!(n.serialize(), "null");
        assert!(n.same_origin(&n.clone()));
        assert!(!n.same_origin(&Origin::opaque()));
    }
}
