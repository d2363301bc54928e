//! What a page asks for ([`RequestInit`] and its options), and the request
//! the browser makes of it: normalized, with forbidden headers dropped — or
//! the `TypeError` the page gets instead.

mod init;
mod initiator;

use std::fmt;

use crossgate_core::fetch;
use url::Url;

use crate::origin::Origin;
use crate::profile::Profile;

pub use init::{BodyKind, CacheMode, CredentialsMode, RedirectMode, RequestInit, RequestMode};
pub use initiator::Initiator;

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
    /// The engine whose rules and wording apply.
    pub profile: Profile,
}

impl Request {
    /// <https://fetch.spec.whatwg.org/#dom-request>
    ///
    /// The `Request` constructor and the element and XHR equivalents:
    /// applies each initiator's mode and credentials, [normalizes] the
    /// method, drops [forbidden request-headers] (in Chromium also
    /// `User-Agent`), and refuses what throws a `TypeError`.
    ///
    /// A `TypeError` from `fetch()` reads as Chromium's, e.g. "Failed to
    /// execute 'fetch' on 'Window': 'PUT' is unsupported in no-cors mode.".
    ///
    /// [normalizes]: https://fetch.spec.whatwg.org/#concept-method-normalize
    /// [forbidden request-headers]: https://fetch.spec.whatwg.org/#forbidden-request-header
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
        // https://fetch.spec.whatwg.org/#forbidden-method
        if fetch::is_forbidden_method(method.as_bytes()) {
            return Err(type_error(format!("'{method}' HTTP method is unsupported.")));
        }
        // https://fetch.spec.whatwg.org/#concept-method-normalize
        let method = fetch::normalize_method(&method).into_owned();
        // https://html.spec.whatwg.org/#cors-settings-attribute: an element
        // without `crossorigin` fetches in no-cors mode, with credentials.
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
        // FIREFOX: no streaming request bodies: `fetch()` sends a
        // `ReadableStream` as its string form, a text body.
        if profile == Profile::Firefox && matches!(body, BodyKind::Stream) {
            body = BodyKind::Text;
        }
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
                // The `request-no-cors` guard keeps only no-CORS-safelisted
                // request-headers.
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
                // CHROMIUM: headers with one name travel as one combined
                // value, and the CORS-safelisted checks apply to it; Fetch's
                // CORS-unsafe request-header names look at each header, as
                // Firefox does.
                match kept.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(&name)) {
                    Some((_, v)) if profile != Profile::Firefox => {
                        v.push_str(", ");
                        v.push_str(&value);
                    }
                    _ => kept.push((name, value)),
                }
            }
            let has = |n: &str, list: &[(String, String)]| list.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
            if !has("content-type", &kept) {
                if let Some(ct) = body.implied_content_type() {
                    kept.push(("Content-Type".into(), ct));
                }
            }
        }
        // https://fetch.spec.whatwg.org/#use-cors-preflight-flag
        // FIREFOX: XHR upload listeners force a preflight even without a
        // body (a GET's is dropped by `send()`).
        let use_cors_preflight =
            (initiator == Initiator::Xhr && xhr_upload_listeners && (has_body || profile == Profile::Firefox))
                || matches!(body, BodyKind::Stream);
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
            profile,
        })
    }
}

/// <https://fetch.spec.whatwg.org/#forbidden-request-header>
///
/// Whether the page may not set this header, with Chromium's extra
/// `User-Agent`.
pub(crate) fn is_forbidden_request_header(name: &str, value: &str, profile: Profile) -> bool {
    // steps 1 and 2
    if fetch::is_forbidden_request_header_name(name.as_bytes()) {
        return true;
    }
    // CHROMIUM: `User-Agent` is forbidden too: a page's value is dropped and
    // never causes a preflight (verified by the differential tests).
    if profile == Profile::Chromium && name.eq_ignore_ascii_case("user-agent") {
        return true;
    }
    // step 3
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
