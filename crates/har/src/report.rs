//! What `explain` says about a file: a verdict per request, and the summary.

use serde::Serialize;

use crate::finding::Finding;

/// What happened to one request, CORS-wise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerdictKind {
    /// Cross-origin, and the browser let the page read the response.
    Allowed,
    /// Cross-origin, and the browser blocked it for CORS.
    Blocked,
    /// CORS does not apply: same-origin, a navigation, or a `no-cors` load.
    NotCors,
    /// It failed, but not because of CORS (mixed content, CORP, an
    /// extension, the network, a cancel).
    NotACorsProblem,
}

impl VerdictKind {
    /// `allowed`, `blocked`, `not-cors`, `not-a-cors-problem`.
    pub const fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Allowed => "allowed",
            VerdictKind::Blocked => "blocked",
            VerdictKind::NotCors => "not-cors",
            VerdictKind::NotACorsProblem => "not-a-cors-problem",
        }
    }
}

/// The browser's error for a failed request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    /// Chromium's `CorsError` name (`PreflightMissingAllowOriginHeader`), or
    /// the network error (`ERR_BLOCKED_BY_RESPONSE`).
    pub code: String,
    /// The browser's console message (Chromium's wording; empty when it
    /// prints none).
    pub message: String,
    /// `preflight`, `actual`, `redirect` or `request`.
    pub stage: &'static str,
}

/// The policy rule that would allow a blocked call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleSuggestion {
    /// The server it is for (`https://api.example`).
    pub server: String,
    /// The rule, as it goes in a policy file.
    pub toml: String,
}

/// One request of the file.
#[derive(Clone, Debug, Serialize)]
pub struct Diagnosis {
    /// Its `log.entries` index.
    pub index: usize,
    /// The URL the page called.
    pub url: String,
    /// The method.
    pub method: String,
    /// The page's origin, serialized (`null` for an opaque one).
    pub origin: Option<String>,
    /// Where the origin came from: `origin-header`, `page`, `referer`, `option`.
    pub origin_from: Option<&'static str>,
    /// The verdict.
    pub verdict: VerdictKind,
    /// The browser's error, when it failed.
    pub error: Option<ErrorInfo>,
    /// A look-alike or a cause behind the error.
    pub finding: Option<Finding>,
    /// What to change on the server.
    pub fix: Option<String>,
    /// The crossgate rule that would allow it.
    pub rule: Option<RuleSuggestion>,
    /// The status the server answered the page's request (0: none).
    pub status: u16,
    /// The API or element that made it (`fetch`, `XMLHttpRequest`, `image`…).
    pub initiator: &'static str,
    /// Whether it was replayed with credentials.
    pub credentials: bool,
    /// The entry of its preflight, when it had one.
    pub preflight_index: Option<usize>,
    /// The entries of the redirect hops that followed it.
    pub redirect_indices: Vec<usize>,
    /// Milliseconds since the first entry started.
    pub start_ms: Option<i64>,
    /// The entry's duration in milliseconds (absent: `-1` in the file).
    pub duration_ms: Option<f64>,
    /// What was inferred because the file does not say it.
    pub inferred: Vec<String>,
    /// The call as replayed and the rule for it, for `--policy-out`.
    #[serde(skip)]
    pub(crate) replay: Option<ReplayCase>,
}

impl Diagnosis {
    /// Whether this counts as a hidden server error in the summary.
    pub fn is_hidden_server_error(&self) -> bool {
        matches!(self.finding, Some(Finding::HiddenServerError { .. }))
    }
}

/// What `--policy-out` needs to prove a rule: the call, the rule, and what
/// the servers answered each hop (without their CORS headers).
#[derive(Clone, Debug)]
pub(crate) struct ReplayCase {
    pub(crate) init: crossgate_browser::RequestInit,
    pub(crate) rule: crossgate_core::RuleConfig,
    pub(crate) answers: Vec<(String, crossgate_browser::ResponseHead)>,
}

/// The counts the report starts with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Requests diagnosed.
    pub total: usize,
    /// Blocked by CORS (hidden server errors included).
    pub blocked: usize,
    /// Of those, the server's own error hidden behind CORS.
    pub hidden_server_errors: usize,
    /// Failed for another reason.
    pub not_a_cors_problem: usize,
    /// Cross-origin and allowed.
    pub allowed: usize,
    /// CORS did not apply.
    pub not_cors: usize,
}

impl Summary {
    pub(crate) fn of(requests: &[Diagnosis]) -> Self {
        let mut s = Summary { total: requests.len(), ..Summary::default() };
        for r in requests {
            match r.verdict {
                VerdictKind::Blocked => {
                    s.blocked += 1;
                    s.hidden_server_errors += usize::from(r.is_hidden_server_error());
                }
                VerdictKind::NotACorsProblem => s.not_a_cors_problem += 1,
                VerdictKind::Allowed => s.allowed += 1,
                VerdictKind::NotCors => s.not_cors += 1,
            }
        }
        s
    }

    /// "7 requests blocked by CORS, 2 hidden server errors, 31 fine".
    pub fn line(&self) -> String {
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut parts = vec![format!("{} by CORS", plural(self.blocked, "request blocked", "requests blocked"))];
        if self.hidden_server_errors > 0 {
            parts.push(plural(self.hidden_server_errors, "hidden server error", "hidden server errors"));
        }
        if self.not_a_cors_problem > 0 {
            parts.push(format!("{} not caused by CORS", plural(self.not_a_cors_problem, "failure", "failures")));
        }
        parts.push(format!("{} fine", self.allowed + self.not_cors));
        parts.join(", ")
    }
}

/// The whole diagnosis of a file.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The counts.
    pub summary: Summary,
    /// Every request diagnosed, in the file's order (preflights and redirect
    /// hops are folded into the request they belong to).
    pub requests: Vec<Diagnosis>,
    /// The tool that wrote the file (`WebInspector 537.36`, `Firefox 128.0`).
    pub creator: String,
    /// What was inferred about the whole file (a sanitized export…).
    pub inferred: Vec<String>,
}

impl Report {
    /// Whether any request was blocked by CORS.
    pub fn any_blocked(&self) -> bool {
        self.summary.blocked > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line() {
        let cases = [
            (
                Summary { blocked: 7, hidden_server_errors: 2, allowed: 20, not_cors: 11, ..Summary::default() },
                "7 requests blocked by CORS, 2 hidden server errors, 31 fine",
            ),
            (
                Summary { blocked: 1, not_a_cors_problem: 1, allowed: 1, ..Summary::default() },
                "1 request blocked by CORS, 1 failure not caused by CORS, 1 fine",
            ),
            (Summary::default(), "0 requests blocked by CORS, 0 fine"),
        ];
        for (s, want) in cases {
            assert_eq!(s.line(), want);
        }
    }
}
