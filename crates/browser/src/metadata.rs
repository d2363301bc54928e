//! Fetch Metadata request headers (<https://w3c.github.io/webappsec-fetch-metadata/>):
//! `Sec-Fetch-Site`, `Sec-Fetch-Mode`, `Sec-Fetch-Dest`, as Chromium sends
//! them — only to potentially trustworthy URLs.

use url::Url;

use crate::origin::{is_potentially_trustworthy, site_of, Origin};
use crate::Initiator;

/// The three headers for a request from `origin` whose URL list is
/// `url_list` (current URL last), in `mode` (`cors`, `no-cors`,
/// `same-origin`; a preflight is `cors`). Empty when `current` is not
/// potentially trustworthy.
pub fn fetch_metadata(
    origin: &Origin,
    url_list: &[Url],
    current: &Url,
    initiator: Initiator,
    mode: &str,
) -> Vec<(String, String)> {
    if !is_potentially_trustworthy(current) {
        return Vec::new();
    }
    // "Set the Sec-Fetch-Site header": the least related URL of the chain.
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
}
