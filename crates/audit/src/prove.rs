//! Proof: the recorded responses handed to `crossgate-browser`'s emulator,
//! which says whether a page on the probe's origin can read them, with or
//! without the visitor's cookies, in which engines.
//!
//! A probe proves nothing about an engine that would never send its
//! `Origin`: the emulator builds the page's request, and its `Origin` header
//! must be the probe's byte for byte.

use std::time::Duration;

use crossgate_browser::request::CredentialsMode;
use crossgate_browser::{Action, Browser, Origin, Profile, RequestInit, RequestKind, ResponseHead, ResponseType};
use url::Url;

use crate::response::ProbeResponse;

/// The engines the audit proves against.
pub const ENGINES: [Profile; 3] = [Profile::Chromium, Profile::Firefox, Profile::WebKit];

/// What the emulator says about one response for one page origin.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Reading {
    /// Engines where the page can read it without credentials.
    pub(crate) plain: Vec<Profile>,
    /// Engines where the page can read it with `credentials: "include"`.
    pub(crate) credentialed: Vec<Profile>,
}

impl Reading {
    pub(crate) fn readable(&self) -> bool {
        !self.plain.is_empty() || !self.credentialed.is_empty()
    }

    /// The engines of the strongest reading: credentialed if any.
    pub(crate) fn engines(&self) -> &[Profile] {
        if self.credentialed.is_empty() {
            &self.plain
        } else {
            &self.credentialed
        }
    }
}

/// The page origin a browser would have for `origin`, and the engines that
/// would send exactly this `Origin` header.
///
/// `null` is any sandboxed page. Hosts with only letters, digits, `.`, `-`
/// and `_` exist in every engine (Chromium and Firefox accept `_`); other
/// characters the URL Standard allows in hosts (`` ` ``, `{`, `!`, `$`…) only
/// in WebKit, whose URL parser follows the Standard (`cors-security` §1.1,
/// §1.4).
pub(crate) fn page_for(origin: &str) -> Option<(Origin, Vec<Profile>)> {
    if origin == "null" {
        return Some((Origin::opaque(), ENGINES.to_vec()));
    }
    let page = Origin::parse(origin)?;
    if page.serialize() != origin {
        return None;
    }
    let host = Url::parse(origin).ok()?.host_str()?.to_owned();
    let plain = host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'[' | b']' | b':'));
    let engines = if plain { ENGINES.to_vec() } else { vec![Profile::WebKit] };
    Some((page, engines))
}

/// Whether a page on `origin` can read `response` to a `fetch(url)` whose
/// request carried `Origin: origin`, per engine, with and without
/// credentials. A redirect is not followed: the audit judges the hop it got.
pub(crate) fn read(url: &Url, origin: &str, response: &ProbeResponse) -> Reading {
    let mut reading = Reading::default();
    let Some((page, engines)) = page_for(origin) else { return reading };
    for profile in engines {
        for (mode, list) in [(CredentialsMode::Omit, 0), (CredentialsMode::Include, 1)] {
            let init = RequestInit::fetch(page.clone(), url.clone()).credentials(mode);
            if simple_fetch_reads(profile, init, origin, response) {
                if list == 0 {
                    reading.plain.push(profile);
                } else {
                    reading.credentialed.push(profile);
                }
            }
        }
    }
    reading
}

fn head(response: &ProbeResponse) -> ResponseHead {
    ResponseHead { status: response.status, headers: response.header_map() }
}

fn origin_header(headers: &[(String, String)]) -> Option<&str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("origin")).map(|(_, v)| v.as_str())
}

fn simple_fetch_reads(profile: Profile, init: RequestInit, origin: &str, response: &ProbeResponse) -> bool {
    let mut browser = Browser::new(profile);
    let Ok(mut fetch) = browser.start(init) else { return false };
    let now = Duration::ZERO;
    let mut answered = false;
    for _ in 0..4 {
        match fetch.poll(&mut browser, now) {
            Action::Done(v) => return v.allowed && v.response_type == ResponseType::Cors,
            Action::Send(req) => {
                let same = req.kind == RequestKind::Actual && origin_header(&req.headers) == Some(origin);
                if answered || !same {
                    fetch.handle_network_error("not recorded by the audit");
                } else {
                    answered = true;
                    fetch.handle_response(&mut browser, now, &head(response));
                }
            }
        }
    }
    false
}

/// The preflight Chromium sends before a credentialed `fetch(url, {method,
/// headers: {header: "1"}})` from `origin`: the headers to send as a probe.
pub(crate) fn preflight_headers(url: &Url, origin: &str, method: &str, header: &str) -> Option<Vec<(String, String)>> {
    let (page, _) = page_for(origin)?;
    let init =
        RequestInit::fetch(page, url.clone()).method(method).header(header, "1").credentials(CredentialsMode::Include);
    let mut browser = Browser::new(Profile::Chromium);
    let mut fetch = browser.start(init).ok()?;
    match fetch.poll(&mut browser, Duration::ZERO) {
        Action::Send(req) if req.kind == RequestKind::Preflight => Some(req.headers),
        _ => None,
    }
}

/// The engines in which that preflight's answer lets the browser send the
/// credentialed call itself (and, in `plain`, the uncredentialed one).
pub(crate) fn preflight_passes(url: &Url, origin: &str, method: &str, header: &str, answer: &ProbeResponse) -> Reading {
    let mut reading = Reading::default();
    let Some((page, engines)) = page_for(origin) else { return reading };
    for profile in engines {
        for mode in [CredentialsMode::Omit, CredentialsMode::Include] {
            let init =
                RequestInit::fetch(page.clone(), url.clone()).method(method).header(header, "1").credentials(mode);
            let mut browser = Browser::new(profile);
            let Ok(mut fetch) = browser.start(init) else { continue };
            let now = Duration::ZERO;
            let Action::Send(req) = fetch.poll(&mut browser, now) else { continue };
            if req.kind != RequestKind::Preflight {
                continue;
            }
            fetch.handle_response(&mut browser, now, &head(answer));
            // The actual request going out is the proof: the browser sends
            // the state-changing call.
            if let Action::Send(next) = fetch.poll(&mut browser, now) {
                if next.kind == RequestKind::Actual {
                    if mode == CredentialsMode::Include {
                        reading.credentialed.push(profile);
                    } else {
                        reading.plain.push(profile);
                    }
                }
            }
        }
    }
    reading
}

/// Human list of engines: "Chromium, Firefox and WebKit".
pub(crate) fn engine_list(engines: &[Profile]) -> String {
    let names: Vec<&str> = engines.iter().map(|p| engine_name(*p)).collect();
    match names.as_slice() {
        [] => "no engine".to_owned(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `Chromium`, `Firefox`, `WebKit`.
pub(crate) const fn engine_name(p: Profile) -> &'static str {
    match p {
        Profile::Chromium => "Chromium",
        Profile::Firefox => "Firefox",
        Profile::WebKit => "WebKit",
    }
}

/// `chromium`, `firefox`, `webkit`.
pub(crate) const fn engine_id(p: Profile) -> &'static str {
    match p {
        Profile::Chromium => "chromium",
        Profile::Firefox => "firefox",
        Profile::WebKit => "webkit",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://shop.example.com/api/account").unwrap()
    }

    #[test]
    fn credentialed_reflection_is_readable_everywhere() {
        let o = "https://evil.example";
        let r = ProbeResponse::new(
            200,
            &[("access-control-allow-origin", o), ("access-control-allow-credentials", "true")],
        );
        let reading = read(&url(), o, &r);
        assert_eq!(reading.credentialed, ENGINES.to_vec());
        assert_eq!(reading.plain, ENGINES.to_vec());
        // `*` is never readable with credentials.
        let r = ProbeResponse::new(
            200,
            &[("access-control-allow-origin", "*"), ("access-control-allow-credentials", "true")],
        );
        let reading = read(&url(), o, &r);
        assert!(reading.credentialed.is_empty());
        assert_eq!(reading.plain.len(), 3);
        // `True` is not `true`.
        let r = ProbeResponse::new(
            200,
            &[("access-control-allow-origin", o), ("access-control-allow-credentials", "True")],
        );
        assert!(read(&url(), o, &r).credentialed.is_empty());
    }

    #[test]
    fn origins_no_browser_sends_prove_nothing() {
        for o in ["https://shop.example.com%60.evil.example", "https://a.example/", "HTTPS://A.EXAMPLE", "Null"] {
            let r = ProbeResponse::new(200, &[("access-control-allow-origin", o)]);
            assert!(!read(&url(), o, &r).readable(), "{o}");
        }
        let o = "https://shop.example.com`.evil.example";
        let r = ProbeResponse::new(200, &[("access-control-allow-origin", o)]);
        assert_eq!(read(&url(), o, &r).plain, vec![Profile::WebKit]);
        let o = "https://shop.example.com_.evil.example";
        let r = ProbeResponse::new(200, &[("access-control-allow-origin", o)]);
        assert_eq!(read(&url(), o, &r).plain.len(), 3);
        // A comma in the host: the header equals the origin's serialization,
        // which is all the CORS check compares.
        let o = "https://shop.example.com,.evil.example";
        let r = ProbeResponse::new(200, &[("access-control-allow-origin", o)]);
        assert_eq!(read(&url(), o, &r).plain, vec![Profile::WebKit]);
    }

    #[test]
    fn null_and_preflights() {
        let r = ProbeResponse::new(
            200,
            &[("access-control-allow-origin", "null"), ("access-control-allow-credentials", "true")],
        );
        assert_eq!(read(&url(), "null", &r).credentialed.len(), 3);
        let h = preflight_headers(&url(), "https://evil.example", "DELETE", "x-probe").unwrap();
        assert!(h.contains(&("Access-Control-Request-Method".to_owned(), "DELETE".to_owned())));
        let open = ProbeResponse::new(
            204,
            &[
                ("access-control-allow-origin", "https://evil.example"),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-methods", "DELETE"),
                ("access-control-allow-headers", "x-probe"),
            ],
        );
        assert_eq!(preflight_passes(&url(), "https://evil.example", "DELETE", "x-probe", &open).credentialed.len(), 3);
        let closed = ProbeResponse::new(403, &[]);
        assert!(!preflight_passes(&url(), "https://evil.example", "DELETE", "x-probe", &closed).readable());
        assert_eq!(engine_list(&ENGINES), "Chromium, Firefox and WebKit");
    }
}
