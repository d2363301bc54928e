//! What the page asked for, read back from what went over the wire: the
//! API or element (Chrome's `_resourceType`, else `Sec-Fetch-Dest`), the
//! mode (`Sec-Fetch-Mode`, else the `Origin` header), the credentials mode
//! (a `Cookie` sent), the headers the page set (those its preflight names,
//! or what is left once the browser's own are taken out) and the body.

use crossgate_browser::request::{BodyKind, CredentialsMode, Initiator, RequestMode};
use crossgate_browser::{Origin, RequestInit};
use crossgate_core::fetch as vocab;
use url::Url;

use crate::exchange::Recorded;
use crate::link::requested_names;

/// How the entry was loaded, as far as CORS cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Load {
    /// A document or frame navigation: CORS does not apply.
    Navigation,
    /// A request the emulator replays.
    Request(Initiator, RequestMode),
}

/// The `Load` of an entry, and whether it was inferred without Chrome's
/// `_resourceType`.
pub(crate) fn load(r: &Recorded) -> Load {
    let mode = match r.request_header("sec-fetch-mode") {
        Some("navigate") => return Load::Navigation,
        Some("cors") => Some(RequestMode::Cors),
        Some("no-cors") => Some(RequestMode::NoCors),
        Some("same-origin") => Some(RequestMode::SameOrigin),
        _ => None,
    };
    let from_type = r.resource_type.as_deref().and_then(|t| match t {
        "document" => Some(None),
        "fetch" => Some(Some(Initiator::Fetch)),
        "xhr" => Some(Some(Initiator::Xhr)),
        "image" => Some(Some(Initiator::Image)),
        "script" => Some(Some(Initiator::Script)),
        "font" => Some(Some(Initiator::Font)),
        "stylesheet" => Some(Some(Initiator::Stylesheet)),
        "media" => Some(Some(Initiator::Video)),
        _ => None,
    });
    let from_dest = || {
        r.request_header("sec-fetch-dest").and_then(|d| match d {
            "document" | "iframe" | "frame" => Some(None),
            "empty" => Some(Some(Initiator::Fetch)),
            "image" => Some(Some(Initiator::Image)),
            "script" => Some(Some(Initiator::Script)),
            "font" => Some(Some(Initiator::Font)),
            "style" => Some(Some(Initiator::Stylesheet)),
            "video" | "audio" | "track" => Some(Some(Initiator::Video)),
            _ => None,
        })
    };
    let has_origin = r.request_header("origin").is_some();
    let initiator = match from_type.or_else(from_dest) {
        Some(None) => return Load::Navigation,
        Some(Some(i)) => i,
        // No type and no Fetch Metadata (an older Safari): a call with
        // `Origin` is a script's CORS request; without, a plain load.
        None if has_origin => Initiator::Fetch,
        None => return Load::Request(Initiator::Image, mode.unwrap_or(RequestMode::NoCors)),
    };
    let mode = mode.unwrap_or(match initiator {
        Initiator::Fetch | Initiator::Xhr | Initiator::Font | Initiator::ModuleScript => RequestMode::Cors,
        _ if has_origin => RequestMode::Cors,
        _ => RequestMode::NoCors,
    });
    // A `<script type=module>` is a CORS script load; Chrome types both "script".
    let initiator = if initiator == Initiator::Script
        && mode == RequestMode::Cors
        && r.request_header("sec-fetch-mode").is_some()
    {
        Initiator::ModuleScript
    } else {
        initiator
    };
    Load::Request(initiator, mode)
}

/// Request headers the browser (or DevTools, or the network stack) adds:
/// never the page's, so never a reason for a preflight.
const BROWSER_HEADERS: &[&str] = &[
    "accept-encoding",
    "accept-language",
    "cache-control",
    "connection",
    "content-length",
    "cookie",
    "dnt",
    "host",
    "if-modified-since",
    "if-none-match",
    "origin",
    "pragma",
    "priority",
    "referer",
    "te",
    "upgrade-insecure-requests",
    "user-agent",
];

/// The headers the page set. With a preflight, exactly what it asked for
/// plus the CORS-safelisted ones; without, the recorded headers minus the
/// browser's own and the forbidden ones.
pub(crate) fn page_headers(r: &Recorded, preflight: Option<&Recorded>) -> Vec<(String, String)> {
    let requested = preflight.map(requested_names);
    let mut out: Vec<(String, String)> = r
        .request_headers
        .iter()
        .filter(|(n, v)| {
            let lower = n.to_ascii_lowercase();
            match &requested {
                Some(names) => {
                    names.contains(&lower) || vocab::is_cors_safelisted_request_header(n.as_bytes(), v.as_bytes())
                }
                None => {
                    !BROWSER_HEADERS.contains(&lower.as_str())
                        && !lower.starts_with("sec-")
                        && !lower.starts_with("proxy-")
                }
            }
        })
        .cloned()
        .collect();
    // A name the preflight asked for but the entry does not show (an export
    // that left it out) still needs allowing.
    for name in requested.unwrap_or_default() {
        if !out.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            out.push((name, "x".to_owned()));
        }
    }
    out
}

/// The request to replay, and what had to be inferred for it.
pub(crate) fn request_init(
    r: &Recorded,
    preflight: Option<&Recorded>,
    page: Origin,
    url: Url,
    (initiator, mode): (Initiator, RequestMode),
    credentials: bool,
    document_url: Option<Url>,
) -> RequestInit {
    let mut init = RequestInit::fetch(page, url).initiator(initiator).method(&r.method).mode(mode);
    init.headers = page_headers(r, preflight);
    init.credentials = Some(if credentials { CredentialsMode::Include } else { CredentialsMode::SameOrigin });
    if r.has_body {
        // The recorded Content-Type header says what the body was.
        init.body = BodyKind::Bytes;
    }
    init.document_url = document_url;
    init
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(resource_type: Option<&str>, headers: &[(&str, &str)]) -> Recorded {
        let headers: Vec<_> = headers.iter().map(|(n, v)| serde_json::json!({"name": n, "value": v})).collect();
        let mut e = serde_json::json!({"request": {"method": "GET", "url": "https://api.test/", "headers": headers}});
        if let Some(t) = resource_type {
            e["_resourceType"] = t.into();
        }
        Recorded::new(0, serde_json::from_value(e).unwrap())
    }

    #[test]
    #[allow(clippy::type_complexity)]
    fn loads() {
        use Initiator::*;
        use RequestMode::*;
        let o = ("Origin", "https://a.test");
        let cases: &[(Option<&str>, &[(&str, &str)], Load)] = &[
            (Some("fetch"), &[o], Load::Request(Fetch, Cors)),
            (Some("xhr"), &[o], Load::Request(Xhr, Cors)),
            (Some("fetch"), &[("Sec-Fetch-Mode", "no-cors")], Load::Request(Fetch, NoCors)),
            (Some("image"), &[], Load::Request(Image, NoCors)),
            (Some("image"), &[o], Load::Request(Image, Cors)),
            (Some("script"), &[o, ("Sec-Fetch-Mode", "cors")], Load::Request(ModuleScript, Cors)),
            (Some("document"), &[], Load::Navigation),
            (None, &[("Sec-Fetch-Mode", "navigate")], Load::Navigation),
            (None, &[("Sec-Fetch-Dest", "empty"), ("Sec-Fetch-Mode", "cors"), o], Load::Request(Fetch, Cors)),
            (None, &[("Sec-Fetch-Dest", "font"), o], Load::Request(Font, Cors)),
            (None, &[o], Load::Request(Fetch, Cors)),
            (None, &[], Load::Request(Image, NoCors)),
        ];
        for (t, h, want) in cases {
            assert_eq!(load(&rec(*t, h)), *want, "{t:?} {h:?}");
        }
    }

    #[test]
    fn page_headers_leave_the_browsers_out() {
        let r = rec(
            Some("fetch"),
            &[
                ("Origin", "https://a.test"),
                ("Cache-Control", "no-cache"),
                ("sec-ch-ua", "x"),
                ("User-Agent", "x"),
                ("Content-Type", "application/json"),
                ("X-Token", "1"),
            ],
        );
        let names = |v: Vec<(String, String)>| v.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(names(page_headers(&r, None)), ["Content-Type", "X-Token"]);
        let mut pf = rec(Some("preflight"), &[("Access-Control-Request-Headers", "cache-control,x-missing")]);
        pf.is_preflight = true;
        assert_eq!(names(page_headers(&r, Some(&pf))), ["Cache-Control", "x-missing"]);
    }
}
