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
//! The root holds the loop above; [`request`] has the options of a
//! [`RequestInit`] (mode, credentials, body…), [`verdict`] the details of a
//! [`Verdict`] (each check, the failure's stage, canvas tainting), and
//! [`pair`] runs the emulator against crossgate's engine.
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
//! The code cites the spec by anchor, the step numbers at the branches, and
//! marks each of these differences `// CHROMIUM:`.
//!
//! # Firefox
//!
//! [`Profile::Firefox`] follows Firefox ESR (checked against Firefox
//! 140.10.2esr on the same cases by `tests/firefox/`): its console lines and
//! reason names ([`FirefoxReason`], in [`Blocked::code`], with the MDN page
//! from [`Blocked::docs_url`]), and its rules where they differ from
//! Chromium's, each marked `// FIREFOX:` — `*` covers `Authorization` there
//! too; a header set twice is checked value by value; a preflight after a
//! cross-origin redirect sends the page's origin; XHR upload listeners force a
//! preflight without a body; `ReadableStream` bodies are text; the cache mode
//! leaves the preflight cache alone but for `no-store` (and `reload`), which
//! still fill it; URLs of any length are cached, per credentials mode and
//! merged; `Access-Control-Max-Age` must be digits, capped at 24 h.
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
#![warn(missing_docs, unreachable_pub)]

mod browser;
mod cache;
mod check;
mod error;
mod exchange;
mod fetch;
mod filtered_response;
mod headers;
mod metadata;
mod origin;
pub mod pair;
mod preflight;
mod profile;
pub mod request;
pub mod verdict;

pub use browser::Browser;
pub use cache::PreflightCache;
pub use error::{CorsError, FirefoxReason};
pub use exchange::{Action, OutgoingRequest, RequestKind, ResponseHead};
pub use fetch::{run_to_completion, Fetch, MAX_REDIRECTS};
pub use filtered_response::ResponseType;
pub use origin::Origin;
pub use profile::Profile;
#[doc(inline)]
pub use request::{RequestInit, TypeError};
#[doc(inline)]
pub use verdict::{Blocked, Verdict};
