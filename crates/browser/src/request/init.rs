//! What a page asks for: `fetch(url, init)`, an XHR, or an element's load,
//! in the request's terms of Fetch (mode, credentials mode, redirect mode,
//! cache mode, body).

use url::Url;

use super::initiator::Initiator;
use crate::origin::Origin;

/// A request's [mode](https://fetch.spec.whatwg.org/#concept-request-mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestMode {
    /// `cors`
    Cors,
    /// `no-cors`
    NoCors,
    /// `same-origin`
    SameOrigin,
}

/// A request's [credentials mode]: an element's [CORS settings attribute]
/// `anonymous` is `same-origin`, `use-credentials` is `include`.
///
/// [credentials mode]: https://fetch.spec.whatwg.org/#concept-request-credentials-mode
/// [CORS settings attribute]: https://html.spec.whatwg.org/#cors-settings-attribute
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CredentialsMode {
    /// `omit`
    Omit,
    /// `same-origin`
    SameOrigin,
    /// `include`
    Include,
}

/// A request's [redirect mode](https://fetch.spec.whatwg.org/#concept-request-redirect-mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RedirectMode {
    /// `follow`
    Follow,
    /// `error`
    Error,
    /// `manual`
    Manual,
}

/// A request body, by the Content-Type [extracting] it implies.
///
/// [extracting]: https://fetch.spec.whatwg.org/#concept-bodyinit-extract
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
    /// <https://fetch.spec.whatwg.org/#concept-bodyinit-extract>
    ///
    /// The Content-Type extracting this body sets, if any.
    pub(crate) fn implied_content_type(&self) -> Option<String> {
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

/// A request's [cache mode], as far as the preflight cache goes.
///
/// [cache mode]: https://fetch.spec.whatwg.org/#concept-request-cache-mode
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum CacheMode {
    /// `default`, `force-cache`, `only-if-cached`.
    #[default]
    Default,
    /// `no-store`: Chromium neither reads nor fills the preflight cache;
    /// Firefox fills it.
    NoStore,
    /// `reload`: do not read the preflight cache, but fill it.
    Reload,
    /// `no-cache`: Chromium does as for `reload`; Firefox reads the
    /// preflight cache.
    NoCache,
}

impl RequestInit {
    /// A `fetch(url)` from `origin` with every default.
    ///
    /// ```
    /// use crossgate_browser::request::{BodyKind, CacheMode, Initiator, RedirectMode};
    /// use crossgate_browser::{Origin, RequestInit};
    ///
    /// let page = Origin::parse("https://app.example").unwrap();
    /// let init = RequestInit::fetch(page, "https://api.example/items".parse().unwrap());
    /// assert_eq!((init.initiator, init.method.as_str()), (Initiator::Fetch, "GET"));
    /// assert!(init.headers.is_empty());
    /// // Mode and credentials: the initiator's defaults (`cors`, `same-origin`).
    /// assert_eq!((init.mode, init.credentials), (None, None));
    /// assert_eq!((init.redirect, init.body, init.cache), (RedirectMode::Follow, BodyKind::None, CacheMode::Default));
    /// ```
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

    /// Sets the API or element that makes the request; its defaults for the
    /// mode and credentials follow.
    ///
    /// ```
    /// # use crossgate_browser::{Origin, RequestInit};
    /// use crossgate_browser::request::Initiator;
    ///
    /// # let page = Origin::parse("https://app.example").unwrap();
    /// let init = RequestInit::fetch(page, "https://cdn.example/a.png".parse().unwrap()).initiator(Initiator::Image);
    /// assert_eq!(init.initiator, Initiator::Image);
    /// ```
    #[must_use]
    pub fn initiator(mut self, i: Initiator) -> Self {
        self.initiator = i;
        self
    }

    /// Sets the method, as the page writes it (normalized when the request
    /// is constructed: `delete` becomes `DELETE`, `patch` stays).
    ///
    /// ```
    /// # use crossgate_browser::{Origin, RequestInit};
    /// # let page = Origin::parse("https://app.example").unwrap();
    /// let init = RequestInit::fetch(page, "https://api.example/items/1".parse().unwrap()).method("patch");
    /// assert_eq!(init.method, "patch");
    /// ```
    #[must_use]
    pub fn method(mut self, m: &str) -> Self {
        self.method = m.to_owned();
        self
    }

    /// Appends a header, after those already set.
    ///
    /// ```
    /// # use crossgate_browser::{Origin, RequestInit};
    /// # let page = Origin::parse("https://app.example").unwrap();
    /// let init = RequestInit::fetch(page, "https://api.example/items".parse().unwrap())
    ///     .header("Content-Type", "application/json")
    ///     .header("X-Trace", "1");
    /// assert_eq!(init.headers[0], ("Content-Type".to_owned(), "application/json".to_owned()));
    /// assert_eq!(init.headers[1], ("X-Trace".to_owned(), "1".to_owned()));
    /// ```
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the mode, in place of the initiator's default.
    ///
    /// ```
    /// # use crossgate_browser::{Origin, RequestInit};
    /// use crossgate_browser::request::RequestMode;
    ///
    /// # let page = Origin::parse("https://app.example").unwrap();
    /// let init = RequestInit::fetch(page, "https://api.example/ping".parse().unwrap()).mode(RequestMode::NoCors);
    /// assert_eq!(init.mode, Some(RequestMode::NoCors));
    /// ```
    #[must_use]
    pub fn mode(mut self, m: RequestMode) -> Self {
        self.mode = Some(m);
        self
    }

    /// Sets the credentials mode, in place of the initiator's default.
    ///
    /// ```
    /// # use crossgate_browser::{Origin, RequestInit};
    /// use crossgate_browser::request::CredentialsMode;
    ///
    /// # let page = Origin::parse("https://app.example").unwrap();
    /// let init = RequestInit::fetch(page, "https://api.example/me".parse().unwrap());
    /// let init = init.credentials(CredentialsMode::Include);
    /// assert_eq!(init.credentials, Some(CredentialsMode::Include));
    /// ```
    #[must_use]
    pub fn credentials(mut self, c: CredentialsMode) -> Self {
        self.credentials = Some(c);
        self
    }

    /// Sets the redirect mode (default `follow`).
    ///
    /// ```
    /// # use crossgate_browser::{Origin, RequestInit};
    /// use crossgate_browser::request::RedirectMode;
    ///
    /// # let page = Origin::parse("https://app.example").unwrap();
    /// let init = RequestInit::fetch(page, "https://api.example/old".parse().unwrap()).redirect(RedirectMode::Manual);
    /// assert_eq!(init.redirect, RedirectMode::Manual);
    /// ```
    #[must_use]
    pub fn redirect(mut self, r: RedirectMode) -> Self {
        self.redirect = r;
        self
    }

    /// Sets the body; unless the page sets `Content-Type` itself, the body's
    /// kind implies one.
    ///
    /// ```
    /// # use crossgate_browser::{Origin, RequestInit};
    /// use crossgate_browser::request::BodyKind;
    ///
    /// # let page = Origin::parse("https://app.example").unwrap();
    /// let init = RequestInit::fetch(page, "https://api.example/notes".parse().unwrap())
    ///     .method("POST")
    ///     .body(BodyKind::Blob("application/json".into()));
    /// assert_eq!(init.body, BodyKind::Blob("application/json".into()));
    /// ```
    #[must_use]
    pub fn body(mut self, b: BodyKind) -> Self {
        self.body = b;
        self
    }
}
