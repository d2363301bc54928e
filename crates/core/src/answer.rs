//! What a middleware does with a decision: answer it locally, refuse it,
//! or forward it and finish the inner response.
//!
//! An allowed preflight's answer starts from a header map built with the
//! policy: answering clones it and puts the request's own values (origin,
//! method, header list) in their slots, instead of hashing six or seven
//! headers into a fresh map. (A refusal carries `Vary` alone; cloning a
//! one-header map costs more than inserting into a fresh one.)

use std::sync::Arc;

use http::header::{HeaderMap, HeaderValue};
use http::StatusCode;

use crate::config::{Mode, UpstreamCorsHeaders};
use crate::response::{CorsHeaders, UpstreamConflict};
use crate::rule::Rule;
use crate::vary::VarySet;

/// A response the middleware gives itself, without calling the inner service.
#[derive(Clone, Debug)]
pub struct LocalAnswer {
    /// The status: the policy's preflight status, or 403.
    pub status: StatusCode,
    /// The headers to send.
    pub headers: CorsHeaders,
    /// In debug mode, a one-line plain-text explanation of a rejection.
    pub debug_body: Option<String>,
    /// The rule's prebuilt answers ([`grant_blocks`]): the one for
    /// `headers` is cloned into the response, with the request's values put
    /// in, when it is written. Shared, so that holding it allocates nothing.
    prebuilt: Option<Arc<[HeaderMap]>>,
}

/// Equal when status, headers and body are: the prebuilt map is only a
/// faster way to write the same headers.
impl PartialEq for LocalAnswer {
    fn eq(&self, other: &Self) -> bool {
        self.status == other.status && self.headers == other.headers && self.debug_body == other.debug_body
    }
}

impl Eq for LocalAnswer {}

impl LocalAnswer {
    #[inline]
    pub(crate) fn new(status: StatusCode, headers: CorsHeaders, debug_body: Option<String>) -> Self {
        LocalAnswer { status, headers, debug_body, prebuilt: None }
    }

    #[inline]
    pub(crate) fn with_prebuilt(mut self, blocks: Arc<[HeaderMap]>) -> Self {
        self.prebuilt = Some(blocks);
        self
    }

    /// Writes the headers into the response being built: what
    /// `self.headers.write_to(headers)` writes. An allowed preflight's
    /// answer starts from its prebuilt map instead when `headers` is still
    /// empty.
    #[inline]
    pub fn write_headers(self, headers: &mut HeaderMap) {
        match self.prebuilt {
            Some(blocks) if headers.is_empty() => {
                let mut map = blocks[grant_index(&self.headers)].clone();
                self.headers.fill_slots(&mut map);
                *headers = map;
            }
            _ => self.headers.write_to(headers),
        }
    }
}

/// What a middleware does with a request, from
/// [`Decision::into_action`](crate::Decision::into_action).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Answer without calling the inner service: an allowed preflight, or
    /// (in debug mode) a refusal with its explanation.
    Answer(LocalAnswer),
    /// Answer `403 Forbidden` without calling the inner service, with no
    /// body and no header but this `Vary`: a rejected preflight, or in
    /// strict mode a rejected cross-origin request. What a [`LocalAnswer`]
    /// of status 403 with only these headers would write, without building
    /// one.
    Refuse(VarySet),
    /// Call the inner service, then finish its response.
    Forward(Pending),
}

/// Which [`Action`] a decision becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Forward,
    Refuse,
    Answer,
}

/// The [`Route`] of each kind of decision a middleware acts on, settled
/// when the policy is built: every preflight and, in strict mode, a
/// cross-origin rejection is answered locally (a refusal explained only in
/// debug mode), unless the policy only reports; everything else is
/// forwarded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Routes {
    /// An allowed preflight.
    pub(crate) grant: Route,
    /// A rejected preflight.
    pub(crate) refusal: Route,
    /// A rejected cross-origin actual request.
    pub(crate) strict_refusal: Route,
}

impl Routes {
    pub(crate) fn new(mode: Mode, strict: bool, debug: bool) -> Routes {
        let local =
            |answered: bool, route: Route| if answered && mode == Mode::Enforce { route } else { Route::Forward };
        let refuse = if debug { Route::Answer } else { Route::Refuse };
        Routes {
            grant: local(true, Route::Answer),
            refusal: local(true, refuse),
            strict_refusal: local(strict, refuse),
        }
    }
}

/// What is left to do once the request has gone to the inner service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub(crate) headers: CorsHeaders,
    pub(crate) upstream: UpstreamCorsHeaders,
    pub(crate) enforce: bool,
}

impl Pending {
    /// Adds the decision's headers to the inner service's response (nothing
    /// in report-only mode).
    ///
    /// # Errors
    ///
    /// [`UpstreamConflict`] when the response carries its own
    /// `Access-Control-*` headers and the policy rejects such responses.
    #[inline]
    pub fn finish(&self, response_headers: &mut HeaderMap) -> Result<(), UpstreamConflict> {
        if self.enforce {
            self.headers.apply_to_response(response_headers, self.upstream)
        } else {
            Ok(())
        }
    }

    /// The headers that will be added.
    pub fn headers(&self) -> &CorsHeaders {
        &self.headers
    }
}

/// Stands in for a request's value in a prebuilt map until it is filled.
static SLOT: HeaderValue = HeaderValue::from_static("");

/// Which prebuilt grant a preflight's headers need: whether they carry
/// `Access-Control-Allow-Methods`, `-Headers` and `-Private-Network`.
fn grant_index(headers: &CorsHeaders) -> usize {
    usize::from(headers.allow_methods.is_some())
        | usize::from(headers.allow_headers.is_some()) << 1
        | usize::from(headers.allow_private_network) << 2
}

/// A rule's allowed-preflight answers, one per [`grant_index`], with slots
/// for the origin, method and header list.
pub(crate) fn grant_blocks(rule: &Rule, vary: VarySet) -> Arc<[HeaderMap]> {
    let slot = || Some(SLOT.clone());
    (0..8)
        .map(|i: usize| {
            let headers = CorsHeaders {
                allow_origin: slot(),
                allow_credentials: rule.credentials,
                allow_methods: (i & 1 != 0).then(|| SLOT.clone()),
                allow_headers: (i & 2 != 0).then(|| SLOT.clone()),
                max_age: rule.max_age.clone(),
                expose_headers: None,
                allow_private_network: i & 4 != 0,
                vary,
            };
            let mut map = HeaderMap::new();
            headers.write_to(&mut map);
            map
        })
        .collect()
}
