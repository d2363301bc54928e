//! The fetch state machine: Fetch's [main fetch], [HTTP fetch],
//! [HTTP-redirect fetch] and [CORS-preflight fetch], in the order Chromium's
//! `CorsURLLoader` (`cors_url_loader.cc`) and `PreflightController`
//! (`preflight_controller.cc`) run them.
//!
//! Sans-IO: [`Fetch::poll`] says what to send, [`Fetch::handle_response`]
//! takes the answer, and the clock is passed in.
//!
//! [main fetch]: https://fetch.spec.whatwg.org/#main-fetch
//! [HTTP fetch]: https://fetch.spec.whatwg.org/#http-fetch
//! [HTTP-redirect fetch]: https://fetch.spec.whatwg.org/#http-redirect-fetch
//! [CORS-preflight fetch]: https://fetch.spec.whatwg.org/#cors-preflight-fetch

use std::time::Duration;

use crossgate_core::fetch as vocab;
use url::Url;

use crate::browser::Browser;
use crate::check::cors_check;
use crate::error::{report, CorsError, Place};
use crate::exchange::{Action, OutgoingRequest, RequestKind, ResponseHead};
use crate::filtered_response::{exposed_names, readable_headers, ResponseType};
use crate::headers::get_combined;
use crate::metadata::fetch_metadata;
use crate::preflight::PreflightResult;
use crate::profile::Profile;
use crate::request::{CacheMode, CredentialsMode, RedirectMode, Request, RequestInit, RequestMode, TypeError};
use crate::verdict::{Blocked, Stage, Step, Verdict};

/// Redirects followed before a network error ([HTTP-redirect fetch] step 7).
///
/// [HTTP-redirect fetch]: https://fetch.spec.whatwg.org/#http-redirect-fetch
pub const MAX_REDIRECTS: u32 = 20;

#[derive(Clone, Debug)]
enum State {
    /// Run main fetch for the current URL.
    Decide,
    /// Waiting for the response to this request.
    Waiting(OutgoingRequest),
    Done(Verdict),
}

/// One fetch in flight.
#[derive(Clone, Debug)]
pub struct Fetch {
    request: Request,
    initial_url: Url,
    current_url: Url,
    /// Every URL visited (Fetch's URL list).
    url_list: Vec<Url>,
    method: String,
    headers: Vec<(String, String)>,
    has_body: bool,
    /// Response tainting `cors`: once set, it stays set across redirects.
    cors_flag: bool,
    /// Response tainting `opaque`: a no-cors request went cross-origin (it
    /// stays opaque, even if redirected back).
    opaque: bool,
    /// The request's redirect-taint is not `same-origin`: its origin
    /// serializes as `null`.
    tainted_origin: bool,
    redirects: u32,
    preflighted_this_hop: bool,
    steps: Vec<Step>,
    preflights_sent: u32,
    requests_sent: u32,
    /// The status of the last response (for Firefox's messages).
    last_status: Option<u16>,
    state: State,
}

impl Browser {
    /// Starts a fetch: constructs the request (which may throw a
    /// [`TypeError`]).
    pub fn start(&self, init: RequestInit) -> Result<Fetch, TypeError> {
        let request = Request::new(init, self.profile())?;
        Ok(Fetch::new(request))
    }
}

impl Fetch {
    /// A fetch of an already constructed request.
    pub fn new(request: Request) -> Self {
        Fetch {
            initial_url: request.url.clone(),
            current_url: request.url.clone(),
            url_list: vec![request.url.clone()],
            method: request.method.clone(),
            headers: request.headers.clone(),
            has_body: request.has_body,
            request,
            cors_flag: false,
            opaque: false,
            tainted_origin: false,
            redirects: 0,
            preflighted_this_hop: false,
            steps: Vec::new(),
            preflights_sent: 0,
            requests_sent: 0,
            last_status: None,
            state: State::Decide,
        }
    }

    /// The checks run so far.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The request as constructed.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// <https://fetch.spec.whatwg.org/#serializing-a-request-origin>
    ///
    /// The serialized request origin: `null` once a redirect tainted it.
    pub fn serialized_origin(&self) -> String {
        if self.tainted_origin {
            "null".to_owned()
        } else {
            self.request.origin.serialize()
        }
    }

    /// The origin a preflight sends and is checked against.
    // FIREFOX: `nsCORSListenerProxy` preflights with the document's origin
    // even after a redirect tainted the request's (the request itself then
    // sends `Origin: null`).
    fn preflight_origin(&self) -> String {
        if self.request.profile == Profile::Firefox {
            self.request.origin.serialize()
        } else {
            self.serialized_origin()
        }
    }

    fn include_credentials_mode(&self) -> bool {
        self.request.credentials == CredentialsMode::Include
    }

    /// <https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names>
    ///
    /// Only with the unsafe-request flag, which the script APIs set.
    fn unsafe_names(&self) -> Vec<String> {
        if !self.request.initiator.is_script_api() {
            return Vec::new();
        }
        vocab::cors_unsafe_request_header_names(self.headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())))
    }

    fn step(&mut self, stage: Stage, what: impl Into<String>, passed: bool) {
        self.steps.push(Step { stage, what: what.into(), passed });
    }

    /// The next thing to do.
    pub fn poll(&mut self, browser: &mut Browser, now: Duration) -> Action {
        if let State::Decide = self.state {
            self.decide(browser, now);
        }
        match &self.state {
            State::Waiting(req) => Action::Send(req.clone()),
            State::Done(v) => Action::Done(v.clone()),
            State::Decide => {
                Action::Done(self.verdict_error(Stage::Request, None, "NetworkError", String::new(), String::new()))
            }
        }
    }

    /// <https://fetch.spec.whatwg.org/#main-fetch>
    ///
    /// Main fetch for the current URL (step 12), then HTTP fetch's preflight
    /// decision (step 4.1) and the preflight request (CORS-preflight fetch
    /// steps 1–5).
    // CHROMIUM: `cors_url_loader.cc` `CorsURLLoader::StartRequest` and
    // `preflight_controller.cc` `CreatePreflightRequest`.
    fn decide(&mut self, browser: &mut Browser, now: Duration) {
        let url = self.current_url.clone();
        let same_origin = self.request.origin.same_origin_url(&url);
        // step 12: same origin, response tainting `basic`: no CORS.
        if same_origin && !self.cors_flag && !self.opaque {
            self.step(Stage::Actual, format!("{url} is same-origin with {}: no CORS", self.request.origin), true);
            self.send_actual(false);
            return;
        }
        // step 12: not an HTTP(S) scheme, a network error (checked before the
        // mode here, and reported as Chromium's `CorsDisabledScheme`).
        if !matches!(url.scheme(), "http" | "https") {
            let (e, p) = (
                CorsError::CorsDisabledScheme,
                "http, data, isolated-app, chrome-extension, chrome, https, chrome-untrusted".to_owned(),
            );
            self.fail_cors(Stage::Request, e, p);
            return;
        }
        match self.request.mode {
            // step 12: mode `same-origin`, a network error.
            RequestMode::SameOrigin => {
                // CHROMIUM: Blink's `fetch_manager.cc` refuses the first URL
                // with its own message.
                if self.redirects == 0 {
                    let msg = self.blink_only(format!(
                        "Fetch API cannot load {url}. Request mode is \"same-origin\" but the URL's origin is not same as the request origin {}.",
                        self.request.origin
                    ));
                    let e = CorsError::DisallowedByMode;
                    self.state =
                        State::Done(self.verdict_error(Stage::Request, Some(e), e.name(), msg, e.hint().to_owned()));
                } else {
                    // CHROMIUM: Blink's resource fetcher refuses the redirect
                    // before CORS runs: DevTools records no CorsError for it.
                    self.fail_cors(Stage::Redirect, CorsError::DisallowedByMode, String::new());
                    if let State::Done(v) = &mut self.state {
                        if let Some(b) = v.blocked.as_mut() {
                            b.cors_error = None;
                        }
                    }
                }
                return;
            }
            // step 12: mode `no-cors`: a network error unless the redirect
            // mode is `follow`, else response tainting `opaque`.
            RequestMode::NoCors => {
                if self.request.redirect != RedirectMode::Follow {
                    let msg = self.blink_only(format!(
                        "Fetch API cannot load {url}. Request mode is \"no-cors\" but the redirect mode is not \"follow\"."
                    ));
                    let e = CorsError::NoCorsRedirectModeNotFollow;
                    self.state =
                        State::Done(self.verdict_error(Stage::Request, Some(e), e.name(), msg, e.hint().to_owned()));
                    return;
                }
                self.opaque = true;
                self.step(Stage::Actual, "mode no-cors: no CORS check, the response will be opaque", true);
                self.send_actual(false);
                return;
            }
            RequestMode::Cors => {}
        }
        // step 12: response tainting `cors`, with a preflight when the
        // use-CORS-preflight flag is set, or the unsafe-request flag is and
        // the method or a header is not CORS-safelisted.
        self.cors_flag = true;
        let unsafe_names = self.unsafe_names();
        let method_safe = vocab::is_cors_safelisted_method(self.method.as_bytes());
        let script = self.request.initiator.is_script_api();
        let needs_preflight = self.request.use_cors_preflight || (script && (!method_safe || !unsafe_names.is_empty()));
        if !needs_preflight || self.preflighted_this_hop {
            if !needs_preflight {
                self.step(Stage::Actual, "simple request: CORS-safelisted method and headers, no preflight", true);
            }
            self.send_actual(true);
            return;
        }
        // HTTP fetch step 4.1: a cached preflight that covers the request
        // saves sending one.
        let cred = self.include_credentials_mode();
        let origin_key = self.request.origin.serialize();
        // CHROMIUM: `preflight_controller.cc` `RetrieveCacheFlags`: cache
        // modes `no-store`, `reload` and `no-cache` do not read the cache.
        // FIREFOX: `no-store` skips it but fills it, `no-cache` reads it;
        // `reload` is taken to skip it as in Chromium (no case covers it).
        let read_cache = match self.request.profile {
            Profile::Firefox => !matches!(self.request.cache, CacheMode::NoStore | CacheMode::Reload),
            _ => self.request.cache == CacheMode::Default,
        };
        if read_cache && browser.cache_mut().can_skip(now, &origin_key, url.as_str(), &self.method, &unsafe_names, cred)
        {
            self.step(Stage::Preflight, "a cached preflight covers this request: no preflight sent", true);
            self.send_actual(true);
            return;
        }
        // CORS-preflight fetch steps 1–5; the `Origin` and Fetch Metadata
        // headers are HTTP-network-or-cache fetch's (steps 8.12 and 8.13).
        let mut headers = vec![
            ("Accept".to_owned(), "*/*".to_owned()),
            ("Access-Control-Request-Method".to_owned(), self.method.clone()),
        ];
        if !unsafe_names.is_empty() {
            headers.push(("Access-Control-Request-Headers".to_owned(), unsafe_names.join(",")));
        }
        headers.push(("Origin".to_owned(), self.preflight_origin()));
        headers.extend(self.fetch_metadata("cors"));
        self.preflights_sent += 1;
        self.state = State::Waiting(OutgoingRequest {
            kind: RequestKind::Preflight,
            method: "OPTIONS".into(),
            url,
            headers,
            credentials: false,
            body: false,
        });
    }

    /// <https://fetch.spec.whatwg.org/#http-network-or-cache-fetch>
    ///
    /// The page's request as it goes out: with `Accept`, `Origin` (step
    /// 8.12), the Fetch Metadata headers (step 8.13), and credentials or not
    /// (includeCredentials, step 8.3).
    fn send_actual(&mut self, cors: bool) {
        let mut headers = self.headers.clone();
        let has = |n: &str, h: &[(String, String)]| h.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
        if self.request.initiator.is_script_api() && !has("accept", &headers) {
            headers.push(("Accept".into(), "*/*".into()));
        }
        // https://fetch.spec.whatwg.org/#append-a-request-origin-header
        // steps 3 and 4 (the referrer policy's `null` left out).
        if cors || !matches!(self.method.as_str(), "GET" | "HEAD") {
            headers.push(("Origin".into(), self.serialized_origin()));
        }
        let mode = match self.request.mode {
            RequestMode::Cors => "cors",
            RequestMode::NoCors => "no-cors",
            RequestMode::SameOrigin => "same-origin",
        };
        headers.extend(self.fetch_metadata(mode));
        let credentials = match self.request.credentials {
            CredentialsMode::Include => true,
            CredentialsMode::SameOrigin => !self.cors_flag && self.request.origin.same_origin_url(&self.current_url),
            CredentialsMode::Omit => false,
        };
        self.requests_sent += 1;
        self.state = State::Waiting(OutgoingRequest {
            kind: RequestKind::Actual,
            method: self.method.clone(),
            url: self.current_url.clone(),
            headers,
            credentials,
            body: self.has_body,
        });
    }

    fn fetch_metadata(&self, mode: &str) -> Vec<(String, String)> {
        fetch_metadata(&self.request.origin, &self.url_list, &self.current_url, self.request.initiator, mode)
    }

    /// The request could not be completed (connection refused, DNS…).
    pub fn handle_network_error(&mut self, description: &str) {
        let stage = match &self.state {
            State::Waiting(r) if r.kind == RequestKind::Preflight => Stage::Preflight,
            _ => Stage::Actual,
        };
        let hint = format!("the server could not be reached: {description}");
        let mut v = self.verdict_error(stage, None, "NetworkError", String::new(), hint);
        v.actual_reached_server = false;
        self.state = State::Done(v);
    }

    /// Takes the response to the request [`Fetch::poll`] asked for.
    pub fn handle_response(&mut self, browser: &mut Browser, now: Duration, response: &ResponseHead) {
        // A response nobody asked for (after the verdict, or twice) is ignored.
        if !matches!(self.state, State::Waiting(_)) {
            return;
        }
        let State::Waiting(sent) = std::mem::replace(&mut self.state, State::Decide) else {
            return;
        };
        self.last_status = Some(response.status);
        match sent.kind {
            RequestKind::Preflight => self.handle_preflight(browser, now, response),
            RequestKind::Actual => self.handle_actual(response),
        }
    }

    /// <https://fetch.spec.whatwg.org/#cors-preflight-fetch>
    ///
    /// Steps 6–8 on the preflight's response; a failure clears the cache
    /// entries (main fetch step 12).
    fn handle_preflight(&mut self, browser: &mut Browser, now: Duration, response: &ResponseHead) {
        let cred = self.include_credentials_mode();
        let origin_key = self.request.origin.serialize();
        let url = self.current_url.to_string();
        // Step 6 never follows a redirect, so step 8 fails it.
        // CHROMIUM: `preflight_controller.cc` `PreflightLoader::HandleRedirect`
        // names it `PreflightDisallowedRedirect`.
        if is_redirect(response) {
            self.step(Stage::Preflight, format!("preflight answered {}, a redirect", response.status), false);
            browser.cache_mut().clear(&origin_key, &url);
            self.fail_cors(Stage::Preflight, CorsError::PreflightDisallowedRedirect, String::new());
            return;
        }
        let origin = self.preflight_origin();
        let result =
            PreflightResult::from_response(response.status, &response.headers, &origin, cred, browser.profile())
                .and_then(|r| {
                    r.check_method(&self.method, cred)?;
                    r.check_headers(&self.unsafe_names(), cred)?;
                    Ok(r)
                });
        match result {
            Ok(r) => {
                self.step(Stage::Preflight, format!("Access-Control-Allow-Origin matches {origin}"), true);
                self.step(Stage::Preflight, format!("status {} is ok (200-299)", response.status), true);
                self.step(Stage::Preflight, format!("method {} allowed", self.method), true);
                let names = self.unsafe_names();
                if !names.is_empty() {
                    self.step(Stage::Preflight, format!("request headers allowed: {}", names.join(", ")), true);
                }
                self.step(Stage::Preflight, format!("cached for {} s", r.max_age), true);
                // CHROMIUM: `PreflightLoader::FinishHandleResponseHeader`:
                // cache mode `no-store` does not fill the cache either.
                if self.request.cache != CacheMode::NoStore || self.request.profile == Profile::Firefox {
                    browser.cache_mut().store(now, &origin_key, &url, r);
                }
                self.preflighted_this_hop = true;
                self.send_actual(true);
            }
            Err((e, p)) => {
                browser.cache_mut().clear(&origin_key, &url);
                self.fail_cors(Stage::Preflight, e, p);
                if let Some(extra) = preflight_status_hint(e, response.status) {
                    if let State::Done(v) = &mut self.state {
                        if let Some(b) = v.blocked.as_mut() {
                            b.hint = format!("{extra} (and list the origin in a rule's `origins`)");
                        }
                    }
                }
            }
        }
    }

    /// <https://fetch.spec.whatwg.org/#http-fetch>
    ///
    /// The page's response: the CORS check (step 4.4), a redirect (step 6),
    /// or the filtered response main fetch hands to the page (main fetch
    /// step 14).
    fn handle_actual(&mut self, response: &ResponseHead) {
        let redirect = is_redirect(response);
        let stage = if redirect { Stage::Redirect } else { Stage::Actual };
        // step 4.4, on redirects too; never on a 304.
        if self.cors_flag && response.status != 304 {
            let origin = self.serialized_origin();
            match cors_check(&response.headers, &origin, self.include_credentials_mode()) {
                Ok(()) => self.step(stage, format!("Access-Control-Allow-Origin allows {origin}"), true),
                Err((e, p)) => {
                    self.fail_cors(stage, e, p);
                    return;
                }
            }
        }
        if redirect {
            self.follow_redirect(response);
            return;
        }
        // main fetch step 14.2
        let response_type = if self.cors_flag {
            ResponseType::Cors
        } else if self.opaque {
            ResponseType::Opaque
        } else {
            ResponseType::Basic
        };
        let (status, readable) = match response_type {
            ResponseType::Cors => {
                // main fetch step 14.1
                let exposed = exposed_names(&response.headers, self.include_credentials_mode());
                (response.status, readable_headers(&response.headers, exposed.as_ref()))
            }
            ResponseType::Basic => (response.status, readable_headers(&response.headers, None)),
            _ => (0, Vec::new()),
        };
        self.state = State::Done(self.verdict_success(response_type, status, readable));
    }

    /// <https://fetch.spec.whatwg.org/#http-redirect-fetch>
    ///
    /// After HTTP fetch's switch on the redirect mode (step 6.3).
    fn follow_redirect(&mut self, response: &ResponseHead) {
        // HTTP fetch step 6.3
        match self.request.redirect {
            RedirectMode::Error => {
                let hint = "the page asked for redirect 'error': call the final URL directly".to_owned();
                self.state =
                    State::Done(self.verdict_error(Stage::Redirect, None, "RedirectModeError", String::new(), hint));
                return;
            }
            RedirectMode::Manual => {
                self.state = State::Done(self.verdict_success(ResponseType::OpaqueRedirect, 0, Vec::new()));
                return;
            }
            RedirectMode::Follow => {}
        }
        // steps 3–5
        let location = get_combined(&response.headers, "location").unwrap_or_default();
        let Ok(next) = self.current_url.join(&location) else {
            let hint = format!("the Location header '{location}' is not a valid URL");
            self.state = State::Done(self.verdict_error(Stage::Redirect, None, "InvalidRedirect", String::new(), hint));
            return;
        };
        // step 7 (before step 6, as Chromium's network stack counts first)
        if self.redirects >= MAX_REDIRECTS {
            let hint = "more than 20 redirects".to_owned();
            self.state =
                State::Done(self.verdict_error(Stage::Redirect, None, "TooManyRedirects", String::new(), hint));
            return;
        }
        // step 6
        if !matches!(next.scheme(), "http" | "https") {
            let hint = format!("a redirect to a {} URL", next.scheme());
            self.state = State::Done(self.verdict_error(Stage::Redirect, None, "InvalidRedirect", String::new(), hint));
            return;
        }
        // steps 9 and 10
        let has_credentials = !next.username().is_empty() || next.password().is_some();
        if has_credentials
            && (self.cors_flag
                || (self.request.mode == RequestMode::Cors && !self.request.origin.same_origin_url(&next)))
        {
            self.fail_cors(Stage::Redirect, CorsError::RedirectContainsCredentials, String::new());
            return;
        }
        // step 8
        self.redirects += 1;
        let status = response.status;
        // step 12
        if ((status == 301 || status == 302) && self.method == "POST")
            || (status == 303 && !matches!(self.method.as_str(), "GET" | "HEAD"))
        {
            self.method = "GET".into();
            self.has_body = false;
            self.headers.retain(|(n, _)| !vocab::is_request_body_header_name(n.as_bytes()));
        }
        // step 13: the CORS non-wildcard request-header name goes.
        if next.origin() != self.current_url.origin() {
            self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
        }
        // step 18 extends the URL list, and with it the redirect-taint.
        if next.origin() != self.current_url.origin() && !self.request.origin.same_origin_url(&self.current_url) {
            self.tainted_origin = true;
        }
        self.step(Stage::Redirect, format!("{status} redirect to {next} followed"), true);
        self.url_list.push(next.clone());
        self.current_url = next;
        // step 22: main fetch again, for the new URL.
        self.preflighted_this_hop = false;
        self.state = State::Decide;
    }

    /// A console line only Blink prints (Firefox logs nothing for it).
    fn blink_only(&self, message: String) -> String {
        if self.request.profile == Profile::Firefox {
            String::new()
        } else {
            message
        }
    }

    fn fail_cors(&mut self, stage: Stage, error: CorsError, param: String) {
        // CHROMIUM: Chromium 156 reports a same-origin-mode request redirected
        // cross-origin with the frame loader's message (ending in a newline),
        // not a CORS one.
        let message = if error == CorsError::DisallowedByMode && self.request.profile != Profile::Firefox {
            format!(
                "Unsafe attempt to load URL {} from frame with URL {}. Domains, protocols and ports must match.\n",
                self.current_url, self.request.document_url
            )
        } else {
            String::new()
        };
        let origin = self.request.origin.serialize();
        let place = Place {
            initiator: self.request.initiator,
            last_url: &self.current_url,
            initial_url: &self.initial_url,
            origin: &origin,
            status: if stage == Stage::Request { None } else { self.last_status },
            stage,
        };
        let report = report(self.request.profile, error, &param, &place);
        let message = if message.is_empty() { report.message } else { message };
        self.step(stage, error.detail(&param, self.request.initiator), false);
        let mut v = self.verdict_error(stage, Some(error), report.code, message, error.hint().to_owned());
        if let Some(b) = v.blocked.as_mut() {
            b.param = param;
        }
        self.state = State::Done(v);
    }

    /// The verdict of a call the page gets an answer to.
    fn verdict_success(
        &self,
        response_type: ResponseType,
        status: u16,
        readable_headers: Vec<(String, String)>,
    ) -> Verdict {
        Verdict {
            allowed: true,
            response_type,
            status,
            readable_headers,
            blocked: None,
            steps: self.steps.clone(),
            same_origin: self.request.origin.same_origin_url(&self.initial_url),
            preflights_sent: self.preflights_sent,
            requests_sent: self.requests_sent,
            actual_reached_server: false,
        }
    }

    fn verdict_error(
        &mut self,
        stage: Stage,
        error: Option<CorsError>,
        code: &'static str,
        message: String,
        hint: String,
    ) -> Verdict {
        let reached = matches!(stage, Stage::Actual | Stage::Redirect) && self.requests_sent > 0;
        Verdict {
            allowed: false,
            response_type: ResponseType::Error,
            status: 0,
            readable_headers: Vec::new(),
            blocked: Some(Blocked { stage, cors_error: error, code, param: String::new(), message, hint }),
            steps: self.steps.clone(),
            same_origin: self.request.origin.same_origin_url(&self.initial_url),
            preflights_sent: self.preflights_sent,
            requests_sent: self.requests_sent,
            actual_reached_server: reached,
        }
    }
}

/// What a failed preflight's status says about the server, when it says
/// something: an authentication layer answering before CORS, or no route
/// for `OPTIONS`.
fn preflight_status_hint(error: CorsError, status: u16) -> Option<&'static str> {
    if !matches!(error, CorsError::PreflightMissingAllowOriginHeader | CorsError::PreflightInvalidStatus) {
        return None;
    }
    match status {
        401 | 407 => Some("the preflight was refused with an authentication status: browsers never send cookies or Authorization on a preflight, so the CORS layer must answer OPTIONS before authentication"),
        403 => Some("the server refused the preflight with 403 and no CORS headers: a CORS layer that does not allow this origin, method or these headers answers that way (crossgate does), and so does an authorization layer that runs before CORS"),
        404 | 405 | 501 => Some("the server has no OPTIONS handler for this path: the CORS layer must answer preflights itself, before routing"),
        _ => None,
    }
}

/// <https://fetch.spec.whatwg.org/#http-fetch>
///
/// Step 6: a redirect status (301, 302, 303, 307, 308) — with a `Location`,
/// since without one HTTP-redirect fetch returns the response as it is
/// (step 4), as Chromium's network stack does.
fn is_redirect(response: &ResponseHead) -> bool {
    matches!(response.status, 301 | 302 | 303 | 307 | 308) && response.headers.contains_key(http::header::LOCATION)
}

/// A whole exchange against a scripted server, for tests and examples:
/// `server` answers each request.
pub fn run_to_completion<F>(browser: &mut Browser, mut fetch: Fetch, now: Duration, mut server: F) -> Verdict
where
    F: FnMut(&OutgoingRequest) -> ResponseHead,
{
    for _ in 0..(2 * MAX_REDIRECTS + 4) {
        match fetch.poll(browser, now) {
            Action::Done(v) => return v,
            Action::Send(req) => {
                let resp = server(&req);
                fetch.handle_response(browser, now, &resp);
            }
        }
    }
    fetch.handle_network_error("the exchange did not finish");
    match fetch.poll(browser, now) {
        Action::Done(v) => v,
        Action::Send(_) => fetch.verdict_error(Stage::Actual, None, "NetworkError", String::new(), String::new()),
    }
}
