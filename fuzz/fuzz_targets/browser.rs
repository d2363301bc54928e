//! The browser emulator's evaluation of arbitrary responses.
//!
//! A page's call (method, headers, mode, credentials, redirect mode, body)
//! and a script of server answers (status, headers from the CORS vocabulary
//! with arbitrary values, `Location`s to other origins) are derived from
//! the input; the emulator must reach a verdict in a bounded number of
//! exchanges and never panic, and the verdict must be self-consistent.

#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use crossgate_browser::request::{BodyKind, CredentialsMode, RedirectMode, RequestMode};
use crossgate_browser::{
    run_to_completion, Action, Browser, Origin, Profile, RequestInit, ResponseHead, MAX_REDIRECTS,
};
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;

const PAGES: &[&str] = &["https://app.example", "http://localhost:3000", "https://api.example"];
const URLS: &[&str] = &[
    "https://api.example/items/1",
    "https://app.example/same",
    "http://127.0.0.1:8080/x?q=1",
    "https://other.example:8443/",
];
const NAMES: &[&str] = &[
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-expose-headers",
    "access-control-max-age",
    "access-control-allow-private-network",
    "location",
    "vary",
    "content-type",
    "set-cookie",
    "x-custom",
];
const VALUES: &[&str] = &[
    "*",
    "null",
    "https://app.example",
    "http://localhost:3000",
    "true",
    "TRUE",
    "GET, PUT",
    "*, authorization",
    "7200",
    "-1",
    "1.5",
    "https://api.example/next",
    "/relative",
    "data:text/plain,x",
    "https://app.example, https://app.example",
    "",
];
const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "patch", "OPTIONS", "HEAD", "CONNECT", "x y"];

#[derive(Arbitrary, Debug)]
struct Header {
    name: u8,
    value: HeaderText,
}

#[derive(Arbitrary, Debug)]
enum HeaderText {
    Known(u8),
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct Answer {
    status: u16,
    headers: Vec<Header>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    profile: u8,
    page: u8,
    url: u8,
    method: u8,
    request_headers: Vec<(u8, String)>,
    mode: u8,
    credentials: u8,
    redirect: u8,
    body: u8,
    answers: Vec<Answer>,
}

fn pick<'a>(list: &[&'a str], i: u8) -> &'a str {
    list[usize::from(i) % list.len()]
}

fn head(a: &Answer) -> ResponseHead {
    let mut headers = HeaderMap::new();
    for h in a.headers.iter().take(16) {
        let name = HeaderName::from_static(pick(NAMES, h.name));
        let value = match &h.value {
            HeaderText::Known(i) => HeaderValue::from_static(pick(VALUES, *i)),
            HeaderText::Raw(b) => match HeaderValue::from_bytes(b) {
                Ok(v) => v,
                Err(_) => continue,
            },
        };
        headers.append(name, value);
    }
    // Mostly plausible statuses, with the redirect ones well represented.
    let status = match a.status % 8 {
        0 => 200,
        1 => 204,
        2 => [301, 302, 303, 307, 308][usize::from(a.status >> 3) % 5],
        3 => 403,
        4 => 500,
        _ => a.status % 1000,
    };
    ResponseHead { status, headers }
}

fuzz_target!(|input: Input| {
    let profile = [Profile::Chromium, Profile::Firefox, Profile::WebKit][usize::from(input.profile) % 3];
    let Some(page) = Origin::parse(pick(PAGES, input.page)) else { return };
    let url = url::Url::parse(pick(URLS, input.url)).expect("a listed URL");
    let mut init = RequestInit::fetch(page, url).method(pick(METHODS, input.method));
    for (i, (n, v)) in input.request_headers.iter().take(8).enumerate() {
        let name = if i % 2 == 0 {
            pick(&["content-type", "x-req-id", "authorization", "accept", "range"], *n)
        } else {
            "x-free"
        };
        init = init.header(name, v);
    }
    init = match input.mode % 4 {
        0 => init,
        1 => init.mode(RequestMode::Cors),
        2 => init.mode(RequestMode::NoCors),
        _ => init.mode(RequestMode::SameOrigin),
    };
    init = match input.credentials % 4 {
        0 => init,
        1 => init.credentials(CredentialsMode::Omit),
        2 => init.credentials(CredentialsMode::SameOrigin),
        _ => init.credentials(CredentialsMode::Include),
    };
    init = init
        .redirect([RedirectMode::Follow, RedirectMode::Error, RedirectMode::Manual][usize::from(input.redirect) % 3]);
    init = init.body(match input.body % 4 {
        0 => BodyKind::None,
        1 => BodyKind::Text,
        2 => BodyKind::Stream,
        _ => BodyKind::Blob("application/json".into()),
    });
    let mut browser = Browser::new(profile);
    // Two calls, so the second one may use the preflight cache the first
    // filled.
    for round in 0..2u32 {
        let Ok(fetch) = browser.start(init.clone()) else { return };
        let mut n = 0usize;
        let answers = &input.answers;
        let now = Duration::from_secs(u64::from(round));
        let verdict = run_to_completion(&mut browser, fetch, now, |_req| {
            let a = if answers.is_empty() {
                ResponseHead { status: 200, headers: HeaderMap::new() }
            } else {
                head(&answers[n % answers.len()])
            };
            n += 1;
            a
        });
        assert!(n <= 2 * MAX_REDIRECTS as usize + 4, "{n} exchanges");
        assert_eq!(verdict.allowed, verdict.blocked.is_none(), "{verdict:?}");
        assert!(verdict.requests_sent as usize + verdict.preflights_sent as usize <= n + 1, "{verdict:?}");
        let _ = format!("{verdict:?}");
        // Driving by hand: a fetch that is answered with a network error at
        // once also ends.
        if let Ok(mut f) = browser.start(init.clone()) {
            for _ in 0..4 {
                match f.poll(&mut browser, now) {
                    Action::Done(_) => break,
                    Action::Send(_) => f.handle_network_error("fuzz"),
                }
            }
            assert!(matches!(f.poll(&mut browser, now), Action::Done(_)));
        }
    }
});
