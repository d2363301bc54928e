//! Table-driven scenarios for the emulator against scripted servers, and
//! property tests: no input makes it panic or loop.
#![allow(clippy::type_complexity)]

use std::time::Duration;

use crossgate_browser::request::{BodyKind, CredentialsMode, Initiator, RedirectMode, RequestMode};
use crossgate_browser::verdict::canvas_use;
use crossgate_browser::{
    run_to_completion, Action, Browser, Origin, OutgoingRequest, Profile, RequestInit, RequestKind, ResponseHead,
    ResponseType,
};
use proptest::prelude::*;

const PAGE: &str = "https://app.test";

fn head(status: u16, headers: &[(&str, &str)]) -> ResponseHead {
    let mut map = http::HeaderMap::new();
    for (n, v) in headers {
        map.append(http::HeaderName::from_bytes(n.as_bytes()).unwrap(), http::HeaderValue::from_str(v).unwrap());
    }
    ResponseHead { status, headers: map }
}

fn init(url: &str) -> RequestInit {
    RequestInit::fetch(Origin::parse(PAGE).unwrap(), url::Url::parse(url).unwrap())
}

/// Runs `init` against `server`, recording what was sent.
fn run(
    browser: &mut Browser,
    now: u64,
    init: RequestInit,
    server: impl Fn(&OutgoingRequest) -> ResponseHead,
) -> (crossgate_browser::Verdict, Vec<OutgoingRequest>) {
    let fetch = browser.start(init).expect("constructs");
    let mut sent = Vec::new();
    let v = run_to_completion(browser, fetch, Duration::from_secs(now), |r| {
        sent.push(r.clone());
        server(r)
    });
    (v, sent)
}

fn header<'a>(r: &'a OutgoingRequest, name: &str) -> Option<&'a str> {
    r.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

#[test]
fn preflight_decision_and_acrh() {
    // (method, headers, expected preflight, expected ACRH)
    let cases: &[(&str, &[(&str, &str)], bool, Option<&str>)] = &[
        ("GET", &[], false, None),
        ("post", &[("content-type", "text/plain;charset=utf-8")], false, None),
        ("POST", &[("content-type", "application/json")], true, Some("content-type")),
        ("PUT", &[], true, None),
        ("patch", &[], true, None),
        ("GET", &[("X-B", "1"), ("x-a", "2"), ("Accept", "*/*")], true, Some("x-a,x-b")),
        ("GET", &[("Cookie", "a=b"), ("User-Agent", "x")], false, None),
        ("GET", &[("range", "bytes=0-")], false, None),
        ("GET", &[("range", "bytes=-5")], true, Some("range")),
        ("GET", &[("accept-language", "nn_NO")], true, Some("accept-language")),
    ];
    for (method, headers, preflight, acrh) in cases {
        let mut b = Browser::new(Profile::Chromium);
        let mut i = init("https://api.test/x").method(method);
        for (n, v) in *headers {
            i = i.header(n, v);
        }
        if matches!(*method, "POST" | "post" | "PUT" | "patch") {
            i = i.body(BodyKind::Bytes);
        }
        let (v, sent) = run(&mut b, 0, i, |r| match r.kind {
            RequestKind::Preflight => head(
                204,
                &[
                    ("access-control-allow-origin", "*"),
                    ("access-control-allow-methods", "*"),
                    ("access-control-allow-headers", "*"),
                ],
            ),
            RequestKind::Actual => head(200, &[("access-control-allow-origin", "*")]),
        });
        assert!(v.allowed, "{method} {headers:?}: {v:?}");
        assert_eq!(sent[0].kind == RequestKind::Preflight, *preflight, "{method} {headers:?}");
        if *preflight {
            assert_eq!(header(&sent[0], "access-control-request-headers"), *acrh);
            assert_eq!(
                header(&sent[0], "access-control-request-method"),
                Some(crossgate_core::fetch::normalize_method(method).as_ref())
            );
            assert_eq!(header(&sent[0], "accept"), Some("*/*"));
            assert!(!sent[0].credentials);
        }
    }
}

#[test]
fn redirect_taints_origin_and_repreflights() {
    let mut b = Browser::new(Profile::Chromium);
    let (v, sent) =
        run(&mut b, 0, init("https://a.api.test/start").method("PUT"), |r| match (r.kind, r.url.host_str()) {
            (RequestKind::Preflight, _) => head(
                204,
                &[
                    ("access-control-allow-origin", if r.url.host_str() == Some("a.api.test") { PAGE } else { "null" }),
                    ("access-control-allow-methods", "PUT"),
                ],
            ),
            (RequestKind::Actual, Some("a.api.test")) => {
                head(307, &[("access-control-allow-origin", PAGE), ("location", "https://b.api.test/next")])
            }
            (RequestKind::Actual, _) => head(200, &[("access-control-allow-origin", "null")]),
        });
    assert!(v.allowed, "{v:?}");
    let kinds: Vec<_> = sent
        .iter()
        .map(|r| {
            (
                r.kind,
                r.url.host_str().unwrap_or_default().to_owned(),
                header(r, "origin").unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            (RequestKind::Preflight, "a.api.test".into(), PAGE.into()),
            (RequestKind::Actual, "a.api.test".into(), PAGE.into()),
            (RequestKind::Preflight, "b.api.test".into(), "null".into()),
            (RequestKind::Actual, "b.api.test".into(), "null".into()),
        ]
    );
}

#[test]
fn redirect_rewrites_post_and_strips_authorization() {
    let mut b = Browser::new(Profile::Chromium);
    let i = init("https://api.test/form")
        .method("POST")
        .header("content-type", "text/plain")
        .header("authorization", "x")
        .body(BodyKind::Text);
    let (v, sent) = run(&mut b, 0, i, |r| match (r.kind, r.url.path()) {
        (RequestKind::Preflight, _) => {
            head(204, &[("access-control-allow-origin", "*"), ("access-control-allow-headers", "authorization")])
        }
        (_, "/form") => head(303, &[("access-control-allow-origin", "*"), ("location", "https://other.test/done")]),
        _ => head(200, &[("access-control-allow-origin", "*")]),
    });
    assert!(v.allowed, "{v:?}");
    let last = sent.last().unwrap();
    assert_eq!(last.method, "GET");
    assert!(!last.body);
    assert_eq!(header(last, "authorization"), None);
    assert_eq!(header(last, "content-type"), None);
    // After the 303 the GET has no unsafe header left: no second preflight.
    assert_eq!(sent.iter().filter(|r| r.kind == RequestKind::Preflight).count(), 1);
}

#[test]
fn preflight_cache_by_profile() {
    // (profile, max-age, seconds later, preflights expected for 2 calls)
    let cases: &[(Profile, Option<&str>, u64, usize)] = &[
        (Profile::Chromium, None, 4, 1),
        (Profile::Chromium, None, 5, 2),
        (Profile::Chromium, Some("86400"), 7199, 1),
        (Profile::Chromium, Some("86400"), 7200, 2),
        (Profile::Firefox, Some("86400"), 86399, 1),
        (Profile::WebKit, Some("86400"), 600, 2),
        (Profile::WebKit, Some("86400"), 599, 1),
        (Profile::Chromium, Some("-1"), 0, 2),
        (Profile::Firefox, Some("1x"), 0, 2),
    ];
    for (profile, max_age, later, expected) in cases {
        let mut b = Browser::new(*profile);
        let mut preflights = 0;
        for now in [0, *later] {
            let (v, sent) = run(&mut b, now, init("https://api.test/c").method("DELETE"), |r| {
                let mut h = vec![("access-control-allow-origin", "*"), ("access-control-allow-methods", "DELETE")];
                if let Some(m) = max_age {
                    h.push(("access-control-max-age", m));
                }
                head(if r.kind == RequestKind::Preflight { 204 } else { 200 }, &h)
            });
            assert!(v.allowed);
            preflights += sent.iter().filter(|r| r.kind == RequestKind::Preflight).count();
        }
        assert_eq!(preflights, *expected, "{profile:?} max-age {max_age:?} after {later} s");
    }
}

#[test]
fn elements_modes_and_canvas() {
    let cases: &[(Initiator, Option<RequestMode>, Option<CredentialsMode>, &[(&str, &str)], bool, ResponseType)] = &[
        (Initiator::Image, None, None, &[], true, ResponseType::Opaque),
        (Initiator::Image, Some(RequestMode::Cors), Some(CredentialsMode::SameOrigin), &[], false, ResponseType::Error),
        (
            Initiator::Image,
            Some(RequestMode::Cors),
            Some(CredentialsMode::SameOrigin),
            &[("access-control-allow-origin", "*")],
            true,
            ResponseType::Cors,
        ),
        (Initiator::Video, None, None, &[], true, ResponseType::Opaque),
        (Initiator::Font, Some(RequestMode::NoCors), None, &[], false, ResponseType::Error),
        (Initiator::ModuleScript, None, None, &[("access-control-allow-origin", "*")], true, ResponseType::Cors),
        (
            Initiator::Stylesheet,
            Some(RequestMode::Cors),
            Some(CredentialsMode::Include),
            &[("access-control-allow-origin", "*")],
            false,
            ResponseType::Error,
        ),
    ];
    for (initiator, mode, cred, headers, allowed, rt) in cases {
        let mut b = Browser::new(Profile::Chromium);
        let mut i = init("https://cdn.test/a").initiator(*initiator);
        i.mode = *mode;
        i.credentials = *cred;
        let (v, sent) = run(&mut b, 0, i, |_| head(200, headers));
        assert_eq!((v.allowed, v.response_type), (*allowed, *rt), "{initiator:?} {mode:?}");
        assert!(sent.iter().all(|r| r.kind == RequestKind::Actual), "elements never preflight");
    }
    assert!(canvas_use(ResponseType::Opaque).draw_image_taints);
    assert!(canvas_use(ResponseType::Opaque).webgl_refuses);
    assert!(!canvas_use(ResponseType::Cors).draw_image_taints);
}

#[test]
fn messages_name_redirects_and_initiators() {
    let mut b = Browser::new(Profile::Chromium);
    let i = init("https://api.test/a").initiator(Initiator::Xhr).credentials(CredentialsMode::Include);
    let (v, _) = run(&mut b, 0, i, |r| {
        if r.url.path() == "/a" {
            head(
                302,
                &[
                    ("access-control-allow-origin", PAGE),
                    ("access-control-allow-credentials", "true"),
                    ("location", "/b"),
                ],
            )
        } else {
            head(200, &[("access-control-allow-origin", "*")])
        }
    });
    let blocked = v.blocked.unwrap();
    assert_eq!(blocked.code, "WildcardOriginNotAllowed");
    assert_eq!(
        blocked.message,
        "Access to XMLHttpRequest at 'https://api.test/b' (redirected from 'https://api.test/a') from origin 'https://app.test' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'. The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute."
    );
    assert!(blocked.hint.contains("credentials"));
}

#[test]
fn construction_errors() {
    let b = Browser::new(Profile::Chromium);
    assert!(b.start(init("https://api.test/").method("CONNECT")).is_err());
    assert!(b.start(init("https://u:p@api.test/")).is_err());
    assert!(b.start(init("https://api.test/").body(BodyKind::Text)).is_err());
    assert!(b.start(init("https://api.test/").method("PUT").mode(RequestMode::NoCors)).is_err());
    assert!(b.start(init("https://api.test/").header("bad name", "1")).is_err());
    let mut b = Browser::new(Profile::Chromium);
    let (v, _) =
        run(&mut b, 0, init("https://api.test/").mode(RequestMode::NoCors).redirect(RedirectMode::Error), |_| {
            head(200, &[])
        });
    assert_eq!(v.blocked.unwrap().code, "NoCorsRedirectModeNotFollow");
}

#[test]
fn redirect_loops_end() {
    let mut b = Browser::new(Profile::Chromium);
    let (v, sent) = run(&mut b, 0, init("https://api.test/loop"), |_| {
        head(302, &[("access-control-allow-origin", "*"), ("location", "/loop")])
    });
    assert_eq!(v.blocked.unwrap().code, "TooManyRedirects");
    assert_eq!(sent.len(), 21);
}

fn any_header() -> impl Strategy<Value = (String, String)> {
    let names = prop::sample::select(vec![
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-expose-headers",
        "access-control-max-age",
        "location",
        "x-a",
    ]);
    (names, "[ -~]{0,40}").prop_map(|(n, v)| (n.to_owned(), v))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any responses and any page input: no panic, and the exchange ends.
    #[test]
    fn never_panics(
        method in "[!-~]{1,10}",
        req_headers in prop::collection::vec(("[a-zA-Z-]{1,12}", "[ -~]{0,140}"), 0..5),
        responses in prop::collection::vec((100u16..600, prop::collection::vec(any_header(), 0..6)), 1..6),
        cred in 0u8..3,
        mode in 0u8..4,
        initiator in 0u8..8,
        redirect in 0u8..3,
        profile in 0u8..3,
        url in prop::sample::select(vec!["https://api.test/p", "https://app.test/same", "http://api.test:8080/p?q#f", "https://u:p@api.test/"]),
        now in 0u64..100_000,
    ) {
        let mut b = Browser::new([Profile::Chromium, Profile::Firefox, Profile::WebKit][profile as usize]);
        let mut i = init(url).method(&method);
        i.credentials = Some([CredentialsMode::Omit, CredentialsMode::SameOrigin, CredentialsMode::Include][cred as usize]);
        i.mode = [None, Some(RequestMode::Cors), Some(RequestMode::NoCors), Some(RequestMode::SameOrigin)][mode as usize];
        i.redirect = [RedirectMode::Follow, RedirectMode::Error, RedirectMode::Manual][redirect as usize];
        i.initiator = [
            Initiator::Fetch, Initiator::Xhr, Initiator::Image, Initiator::Script,
            Initiator::ModuleScript, Initiator::Font, Initiator::Stylesheet, Initiator::Video,
        ][initiator as usize];
        for (n, v) in &req_headers {
            i = i.header(n, v);
        }
        if let Ok(mut fetch) = b.start(i) {
            let mut k = 0;
            let mut done = false;
            for _ in 0..100 {
                match fetch.poll(&mut b, Duration::from_secs(now)) {
                    Action::Done(v) => {
                        prop_assert_eq!(v.allowed, v.blocked.is_none());
                        done = true;
                        break;
                    }
                    Action::Send(_) => {
                        let (status, hs) = &responses[k % responses.len()];
                        let pairs: Vec<(&str, &str)> = hs.iter().map(|(n, v)| (n.as_str(), v.trim())).collect();
                        fetch.handle_response(&mut b, Duration::from_secs(now), &head(*status, &pairs));
                        k += 1;
                    }
                }
            }
            prop_assert!(done);
        }
    }

    /// ACRH is always sorted, lower-case, without spaces.
    #[test]
    fn acrh_is_sorted_lowercase(names in prop::collection::vec("[a-zA-Z][a-zA-Z0-9-]{0,10}", 1..6)) {
        let mut b = Browser::new(Profile::Chromium);
        let mut i = init("https://api.test/h").method("PUT");
        for n in &names {
            i = i.header(n, "1");
        }
        let mut fetch = b.start(i).expect("valid");
        let Action::Send(pre) = fetch.poll(&mut b, Duration::ZERO) else { panic!("no request") };
        prop_assert_eq!(pre.kind, RequestKind::Preflight);
        if let Some(acrh) = header(&pre, "access-control-request-headers") {
            let parts: Vec<&str> = acrh.split(',').collect();
            let mut sorted = parts.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(&parts, &sorted);
            prop_assert!(acrh.bytes().all(|c| !c.is_ascii_uppercase() && c != b' '));
        }
    }
}

#[test]
fn preflight_status_explains_the_server() {
    for (status, needle) in [(401, "before authentication"), (405, "no OPTIONS handler"), (500, "add the origin")] {
        let mut b = Browser::new(Profile::Chromium);
        let (v, sent) = run(&mut b, 0, init("https://api.test/x").method("DELETE"), |_| head(status, &[]));
        let blocked = v.blocked.unwrap();
        assert_eq!(blocked.code, "PreflightMissingAllowOriginHeader");
        assert!(blocked.hint.contains(needle), "{status}: {}", blocked.hint);
        assert_eq!(sent.len(), 1, "the DELETE is never sent");
        assert!(!v.actual_reached_server);
    }
}

#[test]
fn misuse_does_not_restart_a_finished_fetch() {
    let mut b = Browser::new(Profile::Chromium);
    let mut fetch = b.start(init("https://api.test/x")).unwrap();
    let now = Duration::ZERO;
    let Action::Send(_) = fetch.poll(&mut b, now) else { panic!("expected a request") };
    fetch.handle_response(&mut b, now, &head(200, &[]));
    let Action::Done(first) = fetch.poll(&mut b, now) else { panic!("expected the verdict") };
    // A stray extra response changes nothing.
    fetch.handle_response(&mut b, now, &head(200, &[("access-control-allow-origin", "*")]));
    let Action::Done(again) = fetch.poll(&mut b, now) else { panic!("expected the same verdict") };
    assert_eq!(first, again);
    assert_eq!(first.blocked.unwrap().code, "MissingAllowOriginHeader");
}

#[test]
fn preflight_cache_keys_by_url_including_fragment() {
    // As Chromium 156 does (checked by the differential tests): the cache key
    // is the URL with its fragment, so `#one` and `#two` preflight separately.
    let mut b = Browser::new(Profile::Chromium);
    let mut preflights = 0;
    for url in ["https://api.test/c#one", "https://api.test/c#two", "https://api.test/c#two"] {
        let (v, sent) = run(&mut b, 0, init(url).method("PUT"), |_| {
            head(
                204,
                &[
                    ("access-control-allow-origin", "*"),
                    ("access-control-allow-methods", "PUT"),
                    ("access-control-max-age", "60"),
                ],
            )
        });
        assert!(v.allowed);
        preflights += sent.iter().filter(|r| r.kind == RequestKind::Preflight).count();
    }
    assert_eq!(preflights, 2);
}
