//! The decision about one request: what kind of request it is, whether it
//! is allowed and why not, the headers its response gets, and what a
//! middleware does with it.

use std::sync::Arc;

use http::StatusCode;

use crate::answer::{Action, LocalAnswer, Pending, Route};
use crate::config::Mode;
use crate::policy::Policy;
use crate::reason::RejectReason;
use crate::response::CorsHeaders;

/// <https://fetch.spec.whatwg.org/#http-requests>
///
/// What kind of request this is: a CORS request, a CORS-preflight request,
/// or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// No `Origin` header: not a CORS request.
    NotCors,
    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
    Preflight,
    /// Any other request with an `Origin` header.
    Actual,
}

/// Whether the request was granted CORS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// Not a CORS request; nothing to allow or reject.
    NotApplicable,
    /// Allowed by the rule at this index.
    Allowed {
        /// The index of the first matching rule.
        rule: usize,
    },
    /// Rejected, and why.
    Rejected(RejectReason<'a>),
}

/// A policy's decision about one request.
///
/// It borrows from the policy and the request. Read it (for logs and
/// metrics) with the getters; act on it with [`into_action`](Self::into_action),
/// the one way every adapter consumes a decision.
#[derive(Clone, Debug)]
pub struct Decision<'a> {
    policy: &'a Policy,
    kind: RequestKind,
    outcome: Outcome<'a>,
    headers: CorsHeaders,
    /// What [`into_action`](Self::into_action) does, settled when the
    /// decision is made so that acting on it reads one field.
    route: Route,
}

impl<'a> Decision<'a> {
    #[inline]
    pub(crate) fn new(
        policy: &'a Policy,
        kind: RequestKind,
        outcome: Outcome<'a>,
        headers: CorsHeaders,
        same_origin: bool,
    ) -> Self {
        // One load: the policy settled each case when it was built.
        // `same_origin`: the `Origin` names the host the request was sent to
        // (a same-origin request that browsers still label with `Origin`,
        // such as a same-origin `POST`); strict mode never blocks those.
        let route = match (kind, outcome) {
            (RequestKind::Preflight, Outcome::Allowed { .. }) => policy.routes.grant,
            (RequestKind::Preflight, Outcome::Rejected(_)) => policy.routes.refusal,
            (RequestKind::Actual, Outcome::Rejected(_)) if !same_origin => policy.routes.strict_refusal,
            _ => Route::Forward,
        };
        Decision { policy, kind, outcome, headers, route }
    }

    /// The kind of request.
    pub fn kind(&self) -> RequestKind {
        self.kind
    }

    /// Allowed, rejected or not applicable.
    pub fn outcome(&self) -> Outcome<'a> {
        self.outcome
    }

    /// Whether CORS was granted.
    pub fn is_allowed(&self) -> bool {
        matches!(self.outcome, Outcome::Allowed { .. })
    }

    /// The reason for a rejection.
    pub fn reject_reason(&self) -> Option<RejectReason<'a>> {
        match self.outcome {
            Outcome::Rejected(r) => Some(r),
            _ => None,
        }
    }

    /// The index of the rule that allowed the request.
    pub fn rule(&self) -> Option<usize> {
        match self.outcome {
            Outcome::Allowed { rule } => Some(rule),
            _ => None,
        }
    }

    /// The policy's mode: report-only decisions change nothing.
    pub fn mode(&self) -> Mode {
        self.policy.mode
    }

    /// The CORS headers the response gets.
    pub fn headers(&self) -> &CorsHeaders {
        &self.headers
    }

    /// What to do with the request, consuming the decision (its headers are
    /// moved, not copied):
    ///
    /// - [`Action::Answer`]: an allowed preflight, or a refusal explained in
    ///   debug mode;
    /// - [`Action::Refuse`]: a rejected preflight, or in strict mode a
    ///   rejected cross-origin actual request — 403 with only `Vary`;
    /// - [`Action::Forward`]: everything else, and every request in
    ///   report-only mode.
    ///
    /// ```
    /// use crossgate_core::{Action, Policy, PolicyConfig, RuleConfig};
    /// use http::{HeaderMap, HeaderValue, Method, StatusCode};
    ///
    /// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).methods(["PUT"])))?.policy;
    /// let mut request = HeaderMap::new();
    /// request.insert("origin", HeaderValue::from_static("https://app.example.com"));
    /// request.insert("access-control-request-method", HeaderValue::from_static("PUT"));
    ///
    /// let Action::Answer(answer) = policy.evaluate(&Method::OPTIONS, "/", &request).into_action() else {
    ///     panic!("a preflight is answered locally");
    /// };
    /// assert_eq!(answer.status, StatusCode::NO_CONTENT);
    /// let mut response = HeaderMap::new();
    /// answer.write_headers(&mut response);
    /// assert_eq!(response["access-control-allow-methods"], "PUT");
    ///
    /// request.insert("origin", HeaderValue::from_static("https://evil.example"));
    /// let action = policy.evaluate(&Method::OPTIONS, "/", &request).into_action();
    /// assert!(matches!(action, Action::Refuse(vary) if vary.names().next() == Some("Origin")));
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[inline]
    pub fn into_action(self) -> Action {
        // Kept this small so that it is inlined before code generation: the
        // headers then move straight from the decision into the action,
        // without a copy of the whole decision first.
        match self.route {
            Route::Forward => Action::Forward(Pending {
                headers: self.headers,
                upstream: self.policy.upstream,
                enforce: self.policy.mode == Mode::Enforce,
            }),
            // A bare refusal carries its `Vary` alone: no answer is built.
            Route::Refuse => Action::Refuse(self.headers.vary),
            Route::Answer => self.answer(),
        }
    }

    /// An allowed preflight's answer, or a refusal explained (debug mode).
    fn answer(self) -> Action {
        match self.outcome {
            Outcome::Rejected(reason) => {
                let what = if self.kind == RequestKind::Preflight { "preflight" } else { "request" };
                let headers = CorsHeaders { vary: self.headers.vary, ..CorsHeaders::default() };
                let body = format!("CORS {what} rejected: {reason}; to allow it, {}.\n", reason.hint());
                Action::Answer(LocalAnswer::new(StatusCode::FORBIDDEN, headers, Some(body)))
            }
            _ => {
                let blocks = Arc::clone(&self.policy.rules[self.rule().unwrap_or_default()].grant_blocks);
                Action::Answer(LocalAnswer::new(self.policy.preflight_status, self.headers, None).with_prebuilt(blocks))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PolicyConfig, RuleConfig};
    use http::{HeaderMap, HeaderValue, Method};

    fn request(method: Method, pairs: &[(&'static str, &'static str)]) -> (Method, HeaderMap) {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.append(*n, HeaderValue::from_static(v));
        }
        (method, h)
    }

    #[test]
    fn into_action_follows_the_definition_and_prebuilt_answers_write_the_plain_headers() {
        let rule = || {
            RuleConfig::new(["https://a.example"])
                .methods(["GET", "PUT"])
                .request_headers(["x-a"])
                .credentials(true)
                .max_age(60)
        };
        let policies = [
            PolicyConfig::new(rule()),
            PolicyConfig::new(rule()).strict(true).debug(true),
            PolicyConfig::new(rule()).mode(Mode::ReportOnly),
            PolicyConfig::new(RuleConfig::new(["*"]).methods(["*"]).request_headers(["*"]).allow_private_network(true)),
        ];
        let preflight = |extra: &[(&'static str, &'static str)]| {
            let mut pairs = vec![("origin", "https://a.example"), ("access-control-request-method", "PUT")];
            pairs.extend_from_slice(extra);
            request(Method::OPTIONS, &pairs)
        };
        let requests = [
            request(Method::GET, &[]),
            request(Method::GET, &[("origin", "https://a.example")]),
            request(Method::GET, &[("origin", "https://b.example")]),
            request(Method::GET, &[("origin", "https://b.example"), ("host", "b.example")]),
            preflight(&[]),
            preflight(&[("access-control-request-headers", "x-a")]),
            preflight(&[("access-control-request-headers", "x-b")]),
            preflight(&[("access-control-request-headers", "x-a"), ("access-control-request-private-network", "true")]),
            preflight(&[("access-control-request-private-network", "true")]),
            request(Method::OPTIONS, &[("origin", "https://a.example"), ("access-control-request-method", "GET")]),
            request(Method::OPTIONS, &[("origin", "https://b.example"), ("access-control-request-method", "PUT")]),
            request(Method::OPTIONS, &[("origin", "https://a.example")]),
        ];
        // The answer's parts, with its headers in the order they are sent.
        let parts = |answer: LocalAnswer| {
            let (status, body) = (answer.status, answer.debug_body.clone());
            let mut map = HeaderMap::new();
            answer.write_headers(&mut map);
            let headers: Vec<_> = map.iter().map(|(n, v)| (n.clone(), v.clone())).collect();
            (status, headers, body)
        };
        for config in policies {
            let policy = Policy::new(config).unwrap().policy;
            for (method, headers) in &requests {
                let decision = policy.evaluate(method, "/", headers);
                // Only one request names its own host (`Host` and `Origin` agree).
                let same_origin = headers
                    .get("host")
                    .is_some_and(|h| headers["origin"] == format!("https://{}", h.to_str().unwrap()));
                let expected = definition(&decision, same_origin);
                let action = decision.into_action();
                assert_eq!(action, expected, "{method} {headers:?}");
                match (action, expected) {
                    // The prebuilt map holds exactly what writing the headers gives.
                    (Action::Answer(prebuilt), Action::Answer(written)) => {
                        assert_eq!(parts(prebuilt), parts(written), "{method} {headers:?}");
                    }
                    // A bare refusal writes what a plain 403 answer with its headers would.
                    (Action::Refuse(vary), _) => {
                        let mut map = HeaderMap::new();
                        vary.merge_into(&mut map);
                        let refused: Vec<_> = map.iter().map(|(n, v)| (n.clone(), v.clone())).collect();
                        let plain = LocalAnswer::new(
                            StatusCode::FORBIDDEN,
                            CorsHeaders { vary, ..CorsHeaders::default() },
                            None,
                        );
                        assert_eq!(parts(plain), (StatusCode::FORBIDDEN, refused, None), "{method} {headers:?}");
                    }
                    _ => {}
                }
            }
        }
    }

    /// What to do with a request, written out from the decision's parts:
    /// every preflight and, in strict mode, a cross-origin rejection is
    /// answered here (refusals explained in debug mode), unless the policy
    /// only reports; everything else is forwarded with the decision's headers.
    fn definition(decision: &Decision<'_>, same_origin: bool) -> Action {
        let policy = decision.policy;
        let headers = decision.headers().clone();
        let refused = |what: &str| {
            let reason = decision.reject_reason().unwrap();
            if !policy.config.debug {
                return Action::Refuse(headers.vary);
            }
            let body = format!("CORS {what} rejected: {reason}; to allow it, {}.\n", reason.hint());
            let only_vary = CorsHeaders { vary: headers.vary, ..CorsHeaders::default() };
            Action::Answer(LocalAnswer::new(StatusCode::FORBIDDEN, only_vary, Some(body)))
        };
        let local = policy.mode == Mode::Enforce;
        match (decision.kind(), decision.is_allowed()) {
            (RequestKind::Preflight, true) if local => {
                Action::Answer(LocalAnswer::new(policy.preflight_status, headers.clone(), None))
            }
            (RequestKind::Preflight, false) if local => refused("preflight"),
            (RequestKind::Actual, false) if local && policy.strict && !same_origin => refused("request"),
            _ => Action::Forward(Pending {
                headers: headers.clone(),
                upstream: policy.upstream,
                enforce: policy.mode == Mode::Enforce,
            }),
        }
    }
}
