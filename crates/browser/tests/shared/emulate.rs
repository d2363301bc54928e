//! The emulator's side of a differential case: the same calls, answered by
//! the same scripted replies, recorded the way the real browser's side is.

use std::collections::HashMap;
use std::time::Duration;

use crossgate_browser::request::{CredentialsMode, Initiator, RequestMode};
use crossgate_browser::{Action, Browser, Origin, Profile, RequestInit, RequestKind, ResponseHead};

use super::model::{reply, Case, Env};
use super::server::{self, Seen};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub ok: bool,
    /// `Response.type` (fetch only).
    pub response_type: Option<String>,
    /// The exception thrown before any request (`TypeError: …`, or for
    /// XHR `SecurityError: …` / `SyntaxError: …`).
    pub type_error: Option<String>,
    /// Readable headers (fetch and XHR), sorted.
    pub headers: Option<Vec<(String, String)>>,
    /// Images: whether `drawImage` tainted a 2D canvas.
    pub canvas_tainted: Option<bool>,
    /// Images: whether WebGL refused the image as a texture (`None` when
    /// this Chromium has no WebGL, e.g. without a GPU).
    pub webgl_refused: Option<bool>,
}

pub struct Emulated {
    /// The emulator's failure codes (or `allowed:<type>`), for the coverage tally.
    pub codes: Vec<String>,
    /// (CorsError name, failed parameter) of each CORS failure.
    pub cors_errors: Vec<(String, String)>,
    pub outcomes: Vec<Outcome>,
    pub messages: Vec<String>,
    pub seen: Vec<Seen>,
}

fn header_value(headers: &[(String, String)], name: &str) -> Option<String> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
}

pub fn emulate(env: &Env, case: &Case, profile: Profile, webgl: bool) -> Emulated {
    let mut browser = Browser::new(profile);
    let page =
        if case.opaque_page { Origin::opaque() } else { Origin::parse(&env.page_origin()).expect("page origin") };
    let mut now = Duration::ZERO;
    let mut options: HashMap<usize, usize> = HashMap::new();
    let mut out = Emulated {
        codes: Vec::new(),
        cors_errors: Vec::new(),
        outcomes: Vec::new(),
        messages: Vec::new(),
        seen: Vec::new(),
    };
    for call in &case.calls {
        now += Duration::from_millis(call.delay_ms);
        let mut url = url::Url::parse(&format!("{}{}", env.hop_url(case, 0), call.suffix)).expect("case url");
        if call.userinfo {
            let _ = url.set_username("user");
            let _ = url.set_password(Some("pass"));
        }
        let mut init = RequestInit::fetch(page.clone(), url).initiator(case.initiator).method(&call.method);
        init.headers = call.headers.clone();
        init.redirect = call.redirect;
        init.mode = call.mode;
        init.credentials = call.credentials;
        if call.body.is_some() {
            init.body = match call.body_kind {
                "params" => crossgate_browser::request::BodyKind::UrlSearchParams,
                "form" => crossgate_browser::request::BodyKind::FormData,
                "bytes" => crossgate_browser::request::BodyKind::Bytes,
                "stream" => crossgate_browser::request::BodyKind::Stream,
                k => match k.strip_prefix("blob:") {
                    Some(t) => crossgate_browser::request::BodyKind::Blob(t.to_owned()),
                    None => crossgate_browser::request::BodyKind::Text,
                },
            };
        }
        init.xhr_upload_listeners = call.upload;
        init.cache = match call.cache {
            Some("no-store") => crossgate_browser::request::CacheMode::NoStore,
            Some("reload") => crossgate_browser::request::CacheMode::Reload,
            Some("no-cache") => crossgate_browser::request::CacheMode::NoCache,
            _ => crossgate_browser::request::CacheMode::Default,
        };
        if matches!(
            case.initiator,
            Initiator::Image | Initiator::Script | Initiator::Stylesheet | Initiator::ModuleScript | Initiator::Video
        ) {
            init.mode = call.crossorigin.map(|_| RequestMode::Cors);
            if case.initiator == Initiator::ModuleScript && call.crossorigin.is_none() {
                init.credentials = Some(CredentialsMode::SameOrigin);
            }
            init.credentials = match call.crossorigin {
                None if case.initiator == Initiator::ModuleScript => Some(CredentialsMode::SameOrigin),
                None => None,
                Some("use-credentials") => Some(CredentialsMode::Include),
                Some(_) => Some(CredentialsMode::SameOrigin),
            };
        }
        let mut fetch = match browser.start(init) {
            Ok(f) => f,
            Err(e) => {
                out.outcomes.push(Outcome {
                    ok: false,
                    type_error: Some(e.to_string()),
                    response_type: None,
                    headers: None,
                    canvas_tainted: None,
                    webgl_refused: None,
                });
                out.messages.extend(e.console);
                continue;
            }
        };
        let verdict = loop {
            match fetch.poll(&mut browser, now) {
                Action::Done(v) => break v,
                Action::Send(req) => {
                    let Some((_, hop)) = server::parse_path(req.url.path()) else {
                        fetch.handle_network_error("not a case URL");
                        continue;
                    };
                    out.seen.push(Seen {
                        hop,
                        method: req.method.clone(),
                        origin: header_value(&req.headers, "origin"),
                        acrm: header_value(&req.headers, "access-control-request-method"),
                        acrh: header_value(&req.headers, "access-control-request-headers"),
                        fetch_metadata: [
                            header_value(&req.headers, "sec-fetch-site"),
                            header_value(&req.headers, "sec-fetch-mode"),
                            header_value(&req.headers, "sec-fetch-dest"),
                        ],
                    });
                    let count = if req.kind == RequestKind::Preflight {
                        let n = options.entry(hop).or_default();
                        *n += 1;
                        *n - 1
                    } else {
                        0
                    };
                    let Some((status, headers, _)) = reply(env, case, hop, &req.method, count) else {
                        fetch.handle_network_error("no such hop");
                        continue;
                    };
                    let mut map = http::HeaderMap::new();
                    for (n, v) in headers {
                        if let (Ok(n), Ok(v)) =
                            (http::HeaderName::from_bytes(n.as_bytes()), http::HeaderValue::from_str(&v))
                        {
                            map.append(n, v);
                        }
                    }
                    fetch.handle_response(&mut browser, now, &ResponseHead { status, headers: map });
                }
            }
        };
        out.codes.push(match &verdict.blocked {
            Some(b) => b.code.to_owned(),
            None => format!("allowed:{}", verdict.response_type.as_str()),
        });
        if let Some(b) = &verdict.blocked {
            if let Some(e) = b.cors_error {
                out.cors_errors.push((e.name().to_owned(), b.param.clone()));
            }
            if !b.message.is_empty() {
                out.messages.push(b.message.clone());
            }
        }
        let readable = match case.initiator {
            Initiator::Fetch | Initiator::Xhr if verdict.allowed => Some(verdict.readable_headers.clone()),
            _ => None,
        };
        let canvas = crossgate_browser::verdict::canvas_use(verdict.response_type);
        let image = case.initiator == Initiator::Image && verdict.allowed;
        out.outcomes.push(Outcome {
            ok: verdict.allowed,
            type_error: None,
            response_type: (case.initiator == Initiator::Fetch && verdict.allowed)
                .then(|| verdict.response_type.as_str().to_owned()),
            headers: readable,
            canvas_tainted: image.then_some(canvas.draw_image_taints),
            webgl_refused: (image && webgl).then_some(canvas.webgl_refuses),
        });
    }
    out
}
