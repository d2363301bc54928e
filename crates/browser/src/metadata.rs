//! [Fetch Metadata] request headers: `Sec-Fetch-Site`, `Sec-Fetch-Mode`,
//! `Sec-Fetch-Dest`, as Chromium sends them — only to potentially
//! trustworthy URLs.
//!
//! [Fetch Metadata]: https://w3c.github.io/webappsec-fetch-metadata/

use url::Url;

use crate::origin::{site_of, Origin};
use crate::request::Initiator;

/// <https://w3c.github.io/webappsec-fetch-metadata/#fetch-integration>
///
/// The three headers for a request from `origin` whose URL list is
/// `url_list` (current URL last), in `mode` (`cors`, `no-cors`,
/// `same-origin`; a preflight is `cors`). Empty when `current` is not
/// potentially trustworthy.
pub(crate) fn fetch_metadata(
    origin: &Origin,
    url_list: &[Url],
    current: &Url,
    initiator: Initiator,
    mode: &str,
) -> Vec<(String, String)> {
    // step 1
    if !is_potentially_trustworthy(current) {
        return Vec::new();
    }
    // https://w3c.github.io/webappsec-fetch-metadata/#abstract-opdef-set-site
    // step 5: the least related URL of the chain.
    let origin_site = origin.site();
    let mut site = "same-origin";
    for url in url_list {
        if origin.same_origin_url(url) {
            continue;
        }
        site = "same-site";
        if origin_site.is_none() || site_of(url) != origin_site {
            site = "cross-site";
            break;
        }
    }
    let dest = match initiator {
        Initiator::Fetch | Initiator::Xhr => "empty",
        Initiator::Image => "image",
        Initiator::Script | Initiator::ModuleScript => "script",
        Initiator::Font => "font",
        Initiator::Stylesheet => "style",
        Initiator::Video => "video",
    };
    vec![
        ("Sec-Fetch-Site".to_owned(), site.to_owned()),
        ("Sec-Fetch-Mode".to_owned(), mode.to_owned()),
        ("Sec-Fetch-Dest".to_owned(), dest.to_owned()),
    ]
}

/// <https://w3c.github.io/webappsec-secure-contexts/#potentially-trustworthy-url>
///
/// https/wss, loopback IPs, `localhost` and `*.localhost`: the URLs Fetch
/// Metadata headers go to.
fn is_potentially_trustworthy(url: &Url) -> bool {
    if matches!(url.scheme(), "https" | "wss") {
        return true;
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_over_the_redirect_chain() {
        let o = Origin::parse("https://app.example.com").unwrap();
        let u = |s: &str| Url::parse(s).unwrap();
        let site = |list: &[Url]| fetch_metadata(&o, list, list.last().unwrap(), Initiator::Fetch, "cors")[0].1.clone();
        assert_eq!(site(&[u("https://app.example.com/a")]), "same-origin");
        assert_eq!(site(&[u("https://api.example.com/a")]), "same-site");
        assert_eq!(site(&[u("https://api.other.com/a"), u("https://app.example.com/b")]), "cross-site");
        let insecure = u("http://app.example.com/a");
        assert!(fetch_metadata(&o, std::slice::from_ref(&insecure), &insecure, Initiator::Fetch, "cors").is_empty());
        let local = u("http://localhost:8080/");
        let md = fetch_metadata(&o, std::slice::from_ref(&local), &local, Initiator::Stylesheet, "no-cors");
        assert_eq!(
            md[1..],
            [("Sec-Fetch-Mode".to_owned(), "no-cors".to_owned()), ("Sec-Fetch-Dest".to_owned(), "style".to_owned())]
        );
        assert!(fetch_metadata(
            &o,
            &[u("http://example.org/")],
            &u("http://example.org/"),
            Initiator::Image,
            "no-cors"
        )
        .is_empty());
    }

    #[test]
    fn potentially_trustworthy_urls() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(is_potentially_trustworthy(&u("http://127.0.0.2/")));
        assert!(is_potentially_trustworthy(&u("http://[::1]:80/")));
        assert!(is_potentially_trustworthy(&u("http://app.localhost/")));
        assert!(!is_potentially_trustworthy(&u("http://example.com/")));
    }
}
