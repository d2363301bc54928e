//! The decision about one request: what kind of request it is, whether it
//! is allowed and why not, the headers its response gets, and what a
//! middleware does with it.

use http::StatusCode;

use crate::answer::{grant_block, Action, LocalAnswer, Pending};
use crate::config::Mode;
use crate::policy::Policy;
use crate::reason::RejectReason;
use crate::response::CorsHeaders;
use crate::vary::VarySet;

/// What kind of request this is, per [Fetch §3.2.2 "HTTP requests"].
///
/// [Fetch §3.2.2 "HTTP requests"]: https://fetch.spec.whatwg.org/#http-requests
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
/// It borrows from the policy and the request; [`Decision::into_pending`]
/// keeps what is needed to finish the response after the request has been
/// handed to the inner service.
#[derive(Clone, Debug)]
pub struct Decision<'a> {
    policy: &'a Policy,
    kind: RequestKind,
    outcome: Outcome<'a>,
    headers: CorsHeaders,
    same_origin: bool,
}

/// Why a decision is answered locally.
#[derive(Clone, Copy)]
enum Local<'a> {
    /// An allowed preflight.
    Grant,
    /// A rejected preflight, or a strict-mode rejection: what was rejected, and why.
    Reject(&'static str, RejectReason<'a>),
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
        Decision { policy, kind, outcome, headers, same_origin }
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

    /// Whether the `Origin` names the host the request was sent to (a
    /// same-origin request that browsers still label with `Origin`, such as
    /// a same-origin `POST`). Strict mode never blocks those.
    pub fn is_same_origin(&self) -> bool {
        self.same_origin
    }

    /// The response to give without calling the inner service, if any:
    /// every preflight (allowed or rejected), and, in strict mode, a
    /// rejected cross-origin actual request. Always `None` in report-only
    /// mode.
    pub fn local_answer(&self) -> Option<LocalAnswer> {
        Some(match self.local()? {
            Local::Grant => LocalAnswer::new(self.policy.preflight_status, self.headers.clone(), None),
            Local::Reject(what, reason) => self.refusal(what, reason),
        })
    }

    /// What to do with the request, consuming the decision: answer it here,
    /// or pass it on and finish the response with [`Pending`]. The same as
    /// [`local_answer`](Self::local_answer) then
    /// [`into_pending`](Self::into_pending), without copying the headers.
    #[inline]
    pub fn into_action(self) -> Action {
        match self.local() {
            Some(Local::Grant) => {
                let rule = &self.policy.rules[self.rule().unwrap_or_default()];
                let block = grant_block(&rule.grant_blocks, &self.headers);
                Action::Answer(LocalAnswer::new(self.policy.preflight_status, self.headers, None).with_prebuilt(block))
            }
            Some(Local::Reject(what, reason)) => Action::Answer(self.refusal(what, reason)),
            None => Action::Forward(self.into_pending()),
        }
    }

    /// Whether the middleware answers this request itself (see
    /// [`into_action`](Self::into_action)): a middleware can then pass a
    /// forwarded request on with [`into_pending`](Self::into_pending)
    /// without building an [`Action`].
    #[inline]
    pub fn answers_locally(&self) -> bool {
        self.local().is_some()
    }

    /// For a bare refusal — a rejected preflight or a strict-mode rejection,
    /// answered 403 with only `Vary` (no explanation: not in debug mode) —
    /// that `Vary`, so a middleware can answer without building an
    /// [`Action`]; `None` for every other decision.
    #[inline]
    pub fn plain_refusal(&self) -> Option<VarySet> {
        match self.local()? {
            Local::Reject(..) if !self.policy.debug => Some(self.headers.vary),
            _ => None,
        }
    }

    #[inline]
    fn local(&self) -> Option<Local<'a>> {
        if self.policy.mode == Mode::ReportOnly {
            return None;
        }
        match (self.kind, &self.outcome) {
            (RequestKind::Preflight, Outcome::Allowed { .. }) => Some(Local::Grant),
            (RequestKind::Preflight, Outcome::Rejected(reason)) => Some(Local::Reject("preflight", *reason)),
            (RequestKind::Actual, Outcome::Rejected(reason)) if self.policy.strict && !self.same_origin => {
                Some(Local::Reject("request", *reason))
            }
            _ => None,
        }
    }

    #[inline]
    fn refusal(&self, what: &str, reason: RejectReason<'_>) -> LocalAnswer {
        let headers = CorsHeaders { vary: self.headers.vary, ..CorsHeaders::default() };
        let debug_body =
            self.policy.debug.then(|| format!("CORS {what} rejected: {reason}; to allow it, {}.\n", reason.hint()));
        LocalAnswer::new(StatusCode::FORBIDDEN, headers, debug_body)
    }

    /// Keeps what is needed to finish the inner service's response.
    #[inline]
    pub fn into_pending(self) -> Pending {
        Pending { headers: self.headers, upstream: self.policy.upstream, enforce: self.policy.mode == Mode::Enforce }
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
    fn into_action_agrees_with_local_answer_and_into_pending() {
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
                let expected = match decision.local_answer() {
                    Some(answer) => Action::Answer(answer),
                    None => Action::Forward(decision.clone().into_pending()),
                };
                assert_eq!(decision.answers_locally(), matches!(expected, Action::Answer(_)), "{method} {headers:?}");
                let action = decision.into_action();
                assert_eq!(action, expected, "{method} {headers:?}");
                // The prebuilt map holds exactly what writing the headers gives.
                if let (Action::Answer(prebuilt), Action::Answer(written)) = (action, expected) {
                    assert_eq!(parts(prebuilt), parts(written), "{method} {headers:?}");
                }
            }
        }
    }
}
