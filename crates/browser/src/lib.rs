//! A sans-IO emulator of the browser half of CORS: what a browser sends,
//! which checks it runs on each response, and what the page ends up seeing —
//! exact to the [Fetch Standard] as Chromium implements it, with Chromium's
//! `CorsError` names and console messages.
//!
//! ```
//! use std::time::Duration;
//! use crossgate_browser::{Action, Browser, Origin, Profile, RequestInit, ResponseHead};
//!
//! let mut browser = Browser::new(Profile::Chromium);
//! let page = Origin::parse("https://app.example").unwrap();
//! let url = url::Url::parse("https://api.example/items/1").unwrap();
//! let mut fetch = browser.start(RequestInit::fetch(page, url).method("DELETE")).unwrap();
//! let now = Duration::ZERO;
//! let Action::Send(preflight) = fetch.poll(&mut browser, now) else { unreachable!() };
//! assert_eq!(preflight.method, "OPTIONS");
//! // The server answers the preflight without CORS headers.
//! fetch.handle_response(&mut browser, now, &ResponseHead { status: 403, headers: Default::default() });
//! let Action::Done(verdict) = fetch.poll(&mut browser, now) else { unreachable!() };
//! let blocked = verdict.blocked.unwrap();
//! assert_eq!(blocked.code, "PreflightMissingAllowOriginHeader");
//! ```
//!
//! # Where Chromium differs from the Fetch Standard
//!
//! The emulator follows Chromium (checked against Chromium 156.0.8078.79 by the
//! differential tests in `tests/chromium/`) where the two disagree:
//!
//! - `Access-Control-Allow-Headers: *` on an uncredentialed preflight also
//!   covers `Authorization`; Fetch says it never does. ([`Profile::Firefox`]
//!   and [`Profile::WebKit`] keep the spec rule.)
//! - `User-Agent` is a forbidden request header: a page's value is dropped
//!   and never causes a preflight.
//! - `Access-Control-Max-Age`: a negative value means "do not cache", an
//!   unparsable one (`1.5`, `abc`) the 5-second default; the cap is 7200 s.
//! - The preflight cache holds one result per (origin, URL), replaced by each
//!   new preflight; a credentialed result also serves uncredentialed
//!   requests. Fetch merges entries per method and per header name.
//! - A same-origin-mode request redirected cross-origin is reported with the
//!   frame loader's "Unsafe attempt to load URL …" line, not a CORS message,
//!   and DevTools records no `CorsError` for it.
//! - A header set twice travels as one combined value (`a, b`), and the
//!   CORS-safelisted checks (128 bytes…) apply to that value, where Fetch's
//!   CORS-unsafe request-header names looks at each entry.
//! - `cache: "no-store"` neither reads nor fills the preflight cache;
//!   `reload` and `no-cache` do not read it but fill it.
//! - Console wording: no hint after "No 'Access-Control-Allow-Origin' header
//!   is present…", and `fetch()`'s other origin messages end with " Have the
//!   server send the header with a valid value." only.
//!
//! # The emulator against the engine
//!
//! [`pair::Pair`] runs a page's call against a crossgate policy in memory:
//! each request the emulator sends is decided by the engine and answered as a
//! CORS layer answers it, with an injected clock, so a test or an explanation
//! gets Chromium's verdict and the engine's reasons together.
//!
//! [Fetch Standard]: https://fetch.spec.whatwg.org/
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cache;
pub mod check;
mod error;
mod fetch;
mod metadata;
mod origin;
pub mod pair;
mod request;
mod verdict;

pub use cache::{PreflightCache, Profile, DEFAULT_MAX_AGE};
pub use error::{console_message, CorsError};
pub use fetch::{run_to_completion, Action, Fetch, OutgoingRequest, RequestKind, ResponseHead, MAX_REDIRECTS};
pub use origin::Origin;
pub use request::{
    is_forbidden_request_header, BodyKind, CacheMode, CredentialsMode, Initiator, RedirectMode, Request, RequestInit,
    RequestMode, TypeError,
};
pub use verdict::{Blocked, Stage, Step, Verdict};

/// A response's type as the page sees it (Fetch "filtered response").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResponseType {
    /// Same-origin: every header but `Set-Cookie`.
    Basic,
    /// Cross-origin, CORS-approved: safelisted and exposed headers only.
    Cors,
    /// `no-cors` cross-origin: status 0, no headers, no body.
    Opaque,
    /// `redirect: "manual"` hit a redirect.
    OpaqueRedirect,
    /// A network error (the fetch failed).
    Error,
}

impl ResponseType {
    /// `basic`, `cors`, `opaque`, `opaqueredirect`, `error`, as `Response.type`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ResponseType::Basic => "basic",
            ResponseType::Cors => "cors",
            ResponseType::Opaque => "opaque",
            ResponseType::OpaqueRedirect => "opaqueredirect",
            ResponseType::Error => "error",
        }
    }
}

/// What a page may do with an image it loaded (HTML "canvas" origin-clean
/// flag, WebGL `texImage2D`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CanvasUse {
    /// `drawImage` marks the canvas not origin-clean: `getImageData` and
    /// `toDataURL` then throw a `SecurityError`.
    pub draw_image_taints: bool,
    /// WebGL refuses to upload it as a texture (`SecurityError`).
    pub webgl_refuses: bool,
}

/// The effect of drawing an image whose response had type `t`: a CORS or
/// same-origin image is clean; an opaque one (an `<img>` without
/// `crossorigin` from another origin) taints a 2D canvas and WebGL refuses it.
pub const fn canvas_use(t: ResponseType) -> CanvasUse {
    let opaque = matches!(t, ResponseType::Opaque | ResponseType::OpaqueRedirect);
    CanvasUse { draw_image_taints: opaque, webgl_refuses: opaque }
}

/// One browser profile: its rules and its preflight cache.
#[derive(Clone, Debug, Default)]
pub struct Browser {
    profile: Profile,
    cache: PreflightCache,
}

impl Browser {
    /// A fresh profile with an empty preflight cache.
    pub fn new(profile: Profile) -> Self {
        Browser { profile, cache: PreflightCache::new(profile) }
    }

    /// The profile.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The preflight cache.
    pub fn cache(&self) -> &PreflightCache {
        &self.cache
    }
}
