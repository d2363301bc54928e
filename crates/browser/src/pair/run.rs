//! What a fetch through the pair records: every request, the engine's
//! decision about it, who answered, and the browser's verdict.

use crossgate_core::{RejectReason, RequestKind as EngineKind};

use crate::exchange::{OutgoingRequest, RequestKind, ResponseHead};
use crate::verdict::Verdict;

/// A rejection, owned: the engine's reason code, its wording and the policy
/// setting that would allow the request (from a [`RejectReason`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The stable kebab-case code (`origin-not-allowed`, …).
    pub code: &'static str,
    /// The reason in words (`method \`patch\` not allowed`).
    pub text: String,
    /// Which policy setting would allow it.
    pub hint: &'static str,
}

impl Rejection {
    pub(super) fn of(r: &RejectReason<'_>) -> Self {
        Rejection { code: r.code(), text: r.to_string(), hint: r.hint() }
    }
}

/// The engine's typed decision about one request, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineDecision {
    /// Not CORS, preflight or actual, as the engine classified it.
    pub kind: EngineKind,
    /// The index (from 0) of the rule that allowed it.
    pub rule: Option<usize>,
    /// Why it was rejected.
    pub reject: Option<Rejection>,
    /// The status of the engine's local answer, when it answered itself.
    pub local_status: Option<u16>,
}

impl EngineDecision {
    /// Whether the engine granted CORS.
    pub fn is_allowed(&self) -> bool {
        self.rule.is_some()
    }
}

/// Who answered a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnsweredBy {
    /// The CORS layer itself (a preflight answer, strict mode's 403).
    Engine,
    /// The stand-in upstream, finished with the decision's headers.
    Upstream,
}

impl AnsweredBy {
    /// `engine` or `upstream`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AnsweredBy::Engine => "engine",
            AnsweredBy::Upstream => "upstream",
        }
    }
}

/// One request of the exchange and its answer.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// What the browser sent.
    pub request: OutgoingRequest,
    /// What the engine decided about it.
    pub engine: EngineDecision,
    /// Who answered.
    pub answered_by: AnsweredBy,
    /// The answer the browser received.
    pub response: ResponseHead,
}

/// The result of one fetch through the pair.
#[derive(Clone, Debug)]
pub struct PairRun {
    /// The browser's verdict.
    pub verdict: Verdict,
    /// Every request, in order, with the engine's decision and the answer.
    pub exchanges: Vec<Exchange>,
}

impl PairRun {
    /// The preflight, if one was sent.
    pub fn preflight(&self) -> Option<&Exchange> {
        self.exchanges.iter().find(|e| e.request.kind == RequestKind::Preflight)
    }

    /// The last actual request, if one was sent.
    pub fn actual(&self) -> Option<&Exchange> {
        self.exchanges.iter().rev().find(|e| e.request.kind == RequestKind::Actual)
    }
}
