//! What a page asks for, and the request the browser makes of it
//! (Fetch §5.4 "Request class", HTML's CORS settings attributes).

use std::fmt;

use crossgate_core::fetch;
use url::Url;

use crate::origin::Origin;
use crate::Profile;

/// Which API or element started the fetch; it fixes the mode and credentials
/// defaults and Chromium's wording ("Access to {kind} at …").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Initiator {
    /// `fetch()`
    Fetch,
    /// `XMLHttpRequest`
    Xhr,
    /// `<img>`
    Image,
    /// A classic `<script>`
    Script,
    /// `<script type=module>` (always CORS)
    ModuleScript,
    /// An `@font-face` font (always CORS)
    Font,
    /// `<link rel=stylesheet>`
    Stylesheet,
    /// `<video>`
    Video,
}

impl Initiator {
    /// Blink's `Resource::ResourceTypeToString` as used in console messages.
    pub const fn resource_kind(self) -> &'static str {
        match self {
            Initiator::Fetch => "fetch",
            Initiator::Xhr => "XMLHttpRequest",
            Initiator::Image => "image",
            Initiator::Script | Initiator::ModuleScript => "script",
            Initiator::Font => "font",
            Initiator::Stylesheet => "CSS stylesheet",
            Initiator::Video => "video",
        }
    }

    /// Whether scripts set method and headers (Fetch's unsafe-request flag).
    pub const fn is_script_api(self) -> bool {
        matches!(self, Initiator::Fetch | Initiator::Xhr)
    }

    /// Parses `fetch`, `xhr`, `img`, `script`, `module`, `font`, `stylesheet`, `video`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "fetch" => Initiator::Fetch,
            "xhr" => Initiator::Xhr,
            "img" | "image" => Initiator::Image,
            "script" => Initiator::Script,
            "module" => Initiator::ModuleScript,
            "font" => Initiator::Font,
            "stylesheet" | "css" => Initiator::Stylesheet,
            "video" => Initiator::Video,
            _ => return None,
        })
    }
}

/// A request's mode (Fetch §2.2.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestMode {
    /// `cors`
    Cors,
    /// `no-cors`
    NoCors,
    /// `same-origin`
    SameOrigin,
}

/// A request's credentials mode (Fetch §2.2.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CredentialsMode {
    /// `omit`
    Omit,
    /// `same-origin`
    SameOrigin,
    /// `include`
    Include,
}

/// A request's redirect mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RedirectMode {
    /// `follow`
    Follow,
    /// `error`
    Error,
    /// `manual`
    Manual,
}

/// A request body, by the Content-Type it implies (Fetch "extract a body").
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BodyKind {
    /// No body.
    None,
    /// A string: `text/plain;charset=UTF-8`.
    Text,
    /// `URLSearchParams`: `application/x-www-form-urlencoded;charset=UTF-8`.
    UrlSearchParams,
    /// `FormData`: `multipart/form-data; boundary=…`.
    FormData,
    /// A `Blob` with this `type` (empty: no Content-Type).
    Blob(String),
    /// An `ArrayBuffer` or view: no Content-Type.
    Bytes,
    /// A `ReadableStream` (sets the use-CORS-preflight flag).
    Stream,
}

impl BodyKind {
    fn implied_content_type(&self) -> Option<String> {
        match self {
            BodyKind::Text => Some("text/plain;charset=UTF-8".into()),
            BodyKind::UrlSearchParams => Some("application/x-www-form-urlencoded;charset=UTF-8".into()),
            BodyKind::FormData => Some("multipart/form-data; boundary=----crossgate".into()),
            BodyKind::Blob(t) if !t.is_empty() => Some(t.clone()),
            _ => None,
        }
    }
}

/// What the page asked for: `fetch(url, init)`, an XHR, or an element.
#[derive(Clone, Debug)]
pub struct RequestInit {
    /// The page's origin.
    pub origin: Origin,
    /// The URL, already parsed against the page's base URL.
    pub url: Url,
    /// The API or element.
    pub initiator: Initiator,
    /// `method` (as the page wrote it).
    pub method: String,
    /// Headers the page set, in order.
    pub headers: Vec<(String, String)>,
    /// `mode`; `None` takes the initiator's default.
    pub mode: Option<RequestMode>,
    /// `credentials`; `None` takes the initiator's default.
    pub credentials: Option<CredentialsMode>,
    /// `redirect`.
    pub redirect: RedirectMode,
    /// The body.
    pub body: BodyKind,
    /// XHR only: upload listeners registered (forces a preflight).
    pub xhr_upload_listeners: bool,
    /// The document's URL (Chromium names it in some messages); `None`
    /// means the origin's root, `{origin}/`.
    pub document_url: Option<Url>,
    /// `cache`: `no-store`, `reload` and `no-cache` also bypass the
    /// preflight cache in Chromium (`no-store` does not fill it either).
    pub cache: CacheMode,
}

/// A request's cache mode, as far as the preflight cache goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum CacheMode {
    /// `default`, `force-cache`, `only-if-cached`.
    #[default]
    Default,
    /// `no-store`: neither read nor fill the preflight cache.
    NoStore,
    /// `reload` or `no-cache`: do not read it, but fill it.
    Reload,
}

impl RequestInit {
    /// A `fetch(url)` from `origin` with every default.
    pub fn fetch(origin: Origin, url: Url) -> Self {
        RequestInit {
            origin,
            url,
            initiator: Initiator::Fetch,
            method: "GET".into(),
            headers: Vec::new(),
            mode: None,
            credentials: None,
            redirect: RedirectMode::Follow,
            body: BodyKind::None,
            xhr_upload_listeners: false,
            document_url: None,
            cache: CacheMode::Default,
        }
    }

    /// Sets the initiator.
    pub fn initiator(mut self, i: Initiator) -> Self {
        self.initiator = i;
        self
    }
    /// Sets the method.
    pub fn method(mut self, m: &str) -> Self {
        self.method = m.to_owned();
        self
    }
    /// Appends a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
    /// Sets the mode.
    pub fn mode(mut self, m: RequestMode) -> Self {
        self.mode = Some(m);
        self
    }
    /// Sets the credentials mode.
    pub fn credentials(mut self, c: CredentialsMode) -> Self {
        self.credentials = Some(c);
        self
    }
    /// Sets the redirect mode.
    pub fn redirect(mut self, r: RedirectMode) -> Self {
        self.redirect = r;
        self
    }
    /// Sets the body.
    pub fn body(mut self, b: BodyKind) -> Self {
        self.body = b;
        self
    }
}

/// Thrown before any network activity (a `TypeError` in JS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeError {
    /// The exception's name: `TypeError` for `fetch()`; XHR throws
    /// `SecurityError` or `SyntaxError` DOMExceptions instead.
    pub name: &'static str,
    /// What the page did wrong, worded as Chromium's exception message.
    pub message: String,
    /// Chromium's console message, when it prints one.
    pub console: Option<String>,
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl std::error::Error for TypeError {}

fn type_error(message: impl Into<String>) -> TypeError {
    TypeError { name: "TypeError", message: message.into(), console: None }
}

/// How XHR reports what `fetch()` throws as a `TypeError`.
fn xhr_exception(e: TypeError, method: &str, name: &str, value: &str) -> TypeError {
    let (ex, message) = match e.message.as_str() {
        m if m.ends_with("HTTP method is unsupported.") => {
            ("SecurityError", format!("Failed to execute 'open' on 'XMLHttpRequest': '{method}' HTTP method is unsupported."))
        }
        m if m.ends_with("is not a valid HTTP method.") => {
            ("SyntaxError", format!("Failed to execute 'open' on 'XMLHttpRequest': '{method}' is not a valid HTTP method."))
        }
        "Invalid name" => (
            "SyntaxError",
            format!("Failed to execute 'setRequestHeader' on 'XMLHttpRequest': '{name}' is not a valid HTTP header field name."),
        ),
        "Invalid value" => (
            "SyntaxError",
            format!("Failed to execute 'setRequestHeader' on 'XMLHttpRequest': '{value}' is not a valid HTTP header field value."),
        ),
        _ => return e,
    };
    TypeError { name: ex, message, console: e.console }
}

/// A request as the browser holds it after construction: normalized method,
/// forbidden headers dropped, implied headers added.
#[derive(Clone, Debug)]
pub struct Request {
    /// The page's origin.
    pub origin: Origin,
    /// The URL the page asked for.
    pub url: Url,
    /// The API or element.
    pub initiator: Initiator,
    /// The normalized method.
    pub method: String,
    /// Author headers that survived, in order.
    pub headers: Vec<(String, String)>,
    /// Header names the browser dropped (forbidden), for explanations.
    pub dropped_headers: Vec<String>,
    /// The mode.
    pub mode: RequestMode,
    /// The credentials mode.
    pub credentials: CredentialsMode,
    /// The redirect mode.
    pub redirect: RedirectMode,
    /// Fetch's use-CORS-preflight flag.
    pub use_cors_preflight: bool,
    /// Whether a body is sent.
    pub has_body: bool,
    /// The document's URL.
    pub document_url: Url,
    /// The cache mode.
    pub cache: CacheMode,
}

impl Request {
    /// Fetch's Request constructor and the element/XHR equivalents: applies
    /// each initiator's mode and credentials, normalizes the method (§1.1),
    /// drops forbidden request headers (§1.6; in Chromium also `User-Agent`),
    /// and refuses what throws a `TypeError`.
    ///
    /// A `TypeError` from `fetch()` reads as Chromium's, e.g. "Failed to
    /// execute 'fetch' on 'Window': 'PUT' is unsupported in no-cors mode.".
    pub fn new(init: RequestInit, profile: Profile) -> Result<Request, TypeError> {
        let initiator = init.initiator;
        let method = init.method.clone();
        let bad_header = init
            .headers
            .iter()
            .find(|(n, v)| {
                let v = v.trim_matches(|c| matches!(c, '\t' | '\n' | '\r' | ' '));
                !crossgate_core::fetch::is_header_name(n.as_bytes())
                    || v.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n'))
            })
            .cloned()
            .unwrap_or_default();
        Self::construct(init, profile).map_err(|mut e| match initiator {
            Initiator::Fetch => {
                e.message = format!("Failed to execute 'fetch' on 'Window': {}", e.message);
                e
            }
            Initiator::Xhr => xhr_exception(e, &method, &bad_header.0, &bad_header.1),
            _ => e,
        })
    }

    fn construct(init: RequestInit, profile: Profile) -> Result<Request, TypeError> {
        let RequestInit {
            origin,
            mut url,
            initiator,
            method,
            headers,
            mode,
            credentials,
            redirect,
            body,
            xhr_upload_listeners,
            document_url,
            cache,
        } = init;
        let document_url = document_url
            .or_else(|| Url::parse(&format!("{}/", origin.serialize())).ok())
            .unwrap_or_else(|| url.clone());
        if !fetch::is_method(method.as_bytes()) {
            return Err(type_error(format!("'{method}' is not a valid HTTP method.")));
        }
        if fetch::is_forbidden_method(method.as_bytes()) {
            return Err(type_error(format!("'{method}' HTTP method is unsupported.")));
        }
        let method = fetch::normalize_method(&method).into_owned();
        let (default_mode, default_credentials) = match initiator {
            Initiator::Fetch => (RequestMode::Cors, CredentialsMode::SameOrigin),
            Initiator::Xhr => (RequestMode::Cors, CredentialsMode::SameOrigin),
            Initiator::ModuleScript | Initiator::Font => (RequestMode::Cors, CredentialsMode::SameOrigin),
            Initiator::Image | Initiator::Script | Initiator::Stylesheet | Initiator::Video => {
                (RequestMode::NoCors, CredentialsMode::Include)
            }
        };
        let mode = match initiator {
            Initiator::Xhr | Initiator::Font | Initiator::ModuleScript => RequestMode::Cors,
            _ => mode.unwrap_or(default_mode),
        };
        let credentials = match initiator {
            Initiator::Font => CredentialsMode::SameOrigin,
            Initiator::Xhr => match credentials {
                Some(CredentialsMode::Include) => CredentialsMode::Include,
                _ => CredentialsMode::SameOrigin,
            },
            _ => credentials.unwrap_or(default_credentials),
        };
        let method = if initiator.is_script_api() { method } else { "GET".to_owned() };
        if url.username() != "" || url.password().is_some() {
            if initiator == Initiator::Fetch {
                return Err(type_error(format!(
                    "Request cannot be constructed from a URL that includes credentials: {url}"
                )));
            }
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        let mut body = body;
        if (method == "GET" || method == "HEAD") && !matches!(body, BodyKind::None) {
            if initiator != Initiator::Xhr {
                return Err(type_error("Request with GET/HEAD method cannot have body."));
            }
            // XHR's send() ignores the body of a GET or HEAD.
            body = BodyKind::None;
        }
        let has_body = !matches!(body, BodyKind::None);
        if matches!(body, BodyKind::Stream) && mode == RequestMode::NoCors {
            return Err(type_error(
                "If request is made from ReadableStream, mode should be\"same-origin\" or \"cors\"",
            ));
        }
        if mode == RequestMode::NoCors && !fetch::is_cors_safelisted_method(method.as_bytes()) {
            return Err(type_error(format!("'{method}' is unsupported in no-cors mode.")));
        }
        let mut kept: Vec<(String, String)> = Vec::new();
        let mut dropped = Vec::new();
        if initiator.is_script_api() {
            for (name, value) in headers {
                let value = value.trim_matches(|c| matches!(c, '\t' | '\n' | '\r' | ' ')).to_owned();
                if !fetch::is_header_name(name.as_bytes()) {
                    return Err(type_error("Invalid name"));
                }
                if value.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n')) {
                    return Err(type_error("Invalid value"));
                }
                if is_forbidden_request_header(&name, &value, profile) {
                    dropped.push(name.to_ascii_lowercase());
                    continue;
                }
                if mode == RequestMode::NoCors {
                    if !fetch::is_no_cors_safelisted_request_header_name(name.as_bytes()) {
                        dropped.push(name.to_ascii_lowercase());
                        continue;
                    }
                    if !fetch::is_cors_safelisted_request_header(name.as_bytes(), value.as_bytes()) {
                        dropped.push(name.to_ascii_lowercase());
                        continue;
                    }
                }
                // Headers with one name travel as one combined value (Fetch's
                // "get"; Chromium checks the combined value).
                match kept.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(&name)) {
                    Some((_, v)) => {
                        v.push_str(", ");
                        v.push_str(&value);
                    }
                    None => kept.push((name, value)),
                }
            }
            let has = |n: &str, list: &[(String, String)]| list.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
            if !has("content-type", &kept) {
                if let Some(ct) = body.implied_content_type() {
                    kept.push(("Content-Type".into(), ct));
                }
            }
        }
        let use_cors_preflight =
            (initiator == Initiator::Xhr && xhr_upload_listeners && has_body) || matches!(body, BodyKind::Stream);
        Ok(Request {
            origin,
            url,
            initiator,
            method,
            headers: kept,
            dropped_headers: dropped,
            mode,
            credentials,
            redirect,
            use_cors_preflight,
            has_body,
            document_url,
            cache,
        })
    }
}

/// Fetch's forbidden request-header (§1.6), with Chromium's extra
/// `User-Agent`.
pub fn is_forbidden_request_header(name: &str, value: &str, profile: Profile) -> bool {
    if fetch::is_forbidden_request_header_name(name.as_bytes()) {
        return true;
    }
    if profile == Profile::Chromium && name.eq_ignore_ascii_case("user-agent") {
        return true;
    }
    let overrides = ["x-http-method", "x-http-method-override", "x-method-override"];
    overrides.iter().any(|o| o.eq_ignore_ascii_case(name))
        && value.split(',').any(|m| fetch::is_forbidden_method(m.trim_matches([' ', '\t']).as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn init(m: &str) -> RequestInit {
        let o = Origin::parse("http://a.test").unwrap();
        RequestInit::fetch(o, Url::parse("http://b.test/x").unwrap()).method(m)
    }

    #[test]
    fn methods() {
        assert_eq!(Request::new(init("patch"), Profile::Chromium).unwrap().method, "patch");
        assert_eq!(Request::new(init("delete"), Profile::Chromium).unwrap().method, "DELETE");
        assert!(Request::new(init("TRACE"), Profile::Chromium).is_err());
        assert!(Request::new(init("bad method"), Profile::Chromium).is_err());
    }

    #[test]
    fn forbidden_headers_are_dropped() {
        let r = Request::new(
            init("GET")
                .header("Cookie", "a=b")
                .header("User-Agent", "x")
                .header("X-HTTP-Method-Override", "GET,track ")
                .header("X-A", "1"),
            Profile::Chromium,
        )
        .unwrap();
        assert_eq!(r.headers, vec![("X-A".to_owned(), "1".to_owned())]);
        let r = Request::new(init("GET").header("User-Agent", "x"), Profile::Firefox).unwrap();
        assert_eq!(r.headers.len(), 1);
    }

    #[test]
    fn elements_and_modes() {
        let r = Request::new(init("GET").initiator(Initiator::Image), Profile::Chromium).unwrap();
        assert_eq!((r.mode, r.credentials), (RequestMode::NoCors, CredentialsMode::Include));
        let r =
            Request::new(init("GET").initiator(Initiator::Font).mode(RequestMode::NoCors), Profile::Chromium).unwrap();
        assert_eq!(r.mode, RequestMode::Cors);
        assert!(Request::new(init("PUT").mode(RequestMode::NoCors), Profile::Chromium).is_err());
        let r = Request::new(init("POST").body(BodyKind::Blob("application/json".into())), Profile::Chromium).unwrap();
        assert_eq!(r.headers[0].1, "application/json");
    }
}
