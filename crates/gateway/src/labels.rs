//! The words the access log and the metrics use for what happened to a
//! request: the CORS outcome, why a request was refused, and which error the
//! gateway made itself.

use std::convert::identity;

use crate::codes::codes;

codes! {
    /// What the CORS step decided (`cors` in the access log, `outcome` in
    /// `crossgate_cors_decisions_total`).
    pub(crate) enum Outcome {
        /// A CORS request the route's policy allows.
        Allowed = "allowed";
        /// A CORS request the route's policy refuses.
        Rejected = "rejected";
        /// Not a CORS request (no `Origin`), or one the route forwards undecided.
        NotCors = "not-cors";
    }
}

codes! {
    /// Why a request was refused (`reason` in the access log and in
    /// `crossgate_cors_decisions_total`).
    pub(crate) enum Reason {
        /// An S3 route: no `CORSRule` matches the origin, method and headers.
        S3NoRuleMatched = "s3-no-rule-matched";
        /// An S3 route without rules: S3 answers "CORS is not enabled for this bucket."
        S3CorsNotEnabled = "s3-cors-not-enabled";
        /// An S3 route: an `OPTIONS` request without `Origin` or `Access-Control-Request-Method` (S3's 400).
        S3BadPreflight = "s3-bad-preflight";
        /// The `Host` is not in `allowed_hosts` (400, before any route).
        HostNotAllowed = "host-not-allowed";
        /// An HTTP/1.1 request without `Host`, or with an empty one (400, RFC 9112 §3.2).
        HostMissing = "host-missing";
        /// More than one `Host` line (400, RFC 9112 §3.2).
        HostRepeated = "host-repeated";
        /// HTTP/2: `host` names another authority than `:authority` (400, RFC 9113 §8.3.1).
        HostMismatch = "host-mismatch";
        /// The `Host` or the target's authority is not a host and port (400).
        HostInvalid = "host-invalid";
        /// An absolute-form or HTTP/2 target with a scheme other than the listener's `http` (400).
        SchemeMismatch = "scheme-mismatch";
        /// The path has `%2F`, `%5C` or `\` and `path_with_escaped_slashes_action = "reject"` (400).
        PathEscapedSeparator = "path-escaped-separator";
        /// The path is read differently by different servers: a bad `%`-escape, `..;`, or `//..` without `merge_slashes` (400).
        PathAmbiguous = "path-ambiguous";
        /// The path is not in normal form and `normalize_path = false` (400).
        PathNotNormal = "path-not-normal";
        /// A transfer coding other than one `chunked` (501, RFC 9112 §6.1).
        TransferCodingUnsupported = "transfer-coding-unsupported";
    }
    /// A policy route: the engine's rejection code (`RejectReason::code`).
    Policy(&'static str) => identity;
}

codes! {
    /// An error response the gateway made itself (`kind` in
    /// `crossgate_upstream_errors_total`).
    pub(crate) enum ErrorKind {
        /// 431: the request's headers exceed `max_request_header_bytes`.
        HeaderTooLarge = "header-too-large";
        /// 413: the request body exceeds `max_request_body_bytes`.
        BodyTooLarge = "body-too-large";
        /// 400: the request's target cannot be forwarded.
        BadTarget = "bad-target";
        /// 400: the client's request body is malformed (a bad chunk) or was cut off; the client's fault, not the upstream's.
        BadRequestBody = "bad-request-body";
        /// 504: the upstream did not answer within `upstream_timeout_ms`.
        Timeout = "timeout";
        /// 502: the upstream cannot be reached.
        Connect = "connect";
        /// 502: the upstream switched protocols when the request asked for no upgrade.
        UnrequestedUpgrade = "unrequested-upgrade";
        /// 502: the upstream set its own CORS headers and the policy says `upstream_cors_headers = "reject"`.
        UpstreamCorsHeaders = "upstream-cors-headers";
        /// 503: every connection to the upstream stayed in use for `upstream_queue_timeout_ms` (`max_upstream_connections`).
        UpstreamBusy = "upstream-busy";
    }
}

/// What the access log and the metrics record of a request's CORS step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Labels {
    pub(crate) outcome: Outcome,
    pub(crate) reason: Option<Reason>,
}

impl Labels {
    /// Labels for an outcome without a reason.
    pub(crate) const fn of(outcome: Outcome) -> Labels {
        Labels { outcome, reason: None }
    }

    /// A rejection.
    pub(crate) const fn rejected(reason: Reason) -> Labels {
        Labels { outcome: Outcome::Rejected, reason: Some(reason) }
    }

    /// The reason as logged and labelled: empty when there is none.
    pub(crate) fn reason_str(&self) -> &'static str {
        self.reason.map_or("", Reason::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = include_str!("../../../docs/errors.md");

    #[test]
    fn every_label_is_documented() {
        let all = Outcome::ALL
            .iter()
            .map(|c| c.as_str())
            .chain(Reason::ALL.iter().map(|c| c.as_str()))
            .chain(ErrorKind::ALL.iter().map(|c| c.as_str()));
        for code in all {
            assert!(DOC.contains(&format!("| `{code}` |")), "docs/errors.md does not document `{code}`");
        }
    }

    #[test]
    fn a_policy_reason_is_the_engines_code() {
        let r = Labels::rejected(Reason::Policy("origin-not-allowed"));
        assert_eq!((r.outcome.as_str(), r.reason_str()), ("rejected", "origin-not-allowed"));
        assert_eq!(Labels::of(Outcome::NotCors).reason_str(), "");
    }
}
