//! A finding: its class and severity, the one-line proof, the evidence (the
//! exact requests and raw response headers), a proof-of-concept page and
//! the fix.

use crossgate_browser::Profile;
use serde_json::{json, Value};

use crate::class::{Class, Severity};
use crate::probe::ProbeRequest;
use crate::prove::engine_id;
use crate::response::{escape_bytes, ProbeResponse};

/// One request as sent and the response as received, as text (bytes
/// outside printable ASCII escaped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// `GET` or `OPTIONS`.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// The request's headers as sent (the user's session shown as
    /// `[session]`).
    pub request_headers: Vec<(String, String)>,
    /// Whether it went over a raw socket.
    pub raw: bool,
    /// The status, 0 when no response came.
    pub status: u16,
    /// The response's header lines, in order, duplicates kept.
    pub response_headers: Vec<(String, String)>,
    /// Why no response came.
    pub error: Option<String>,
}

impl Exchange {
    pub(crate) fn new(origin: &str, request: &ProbeRequest, response: Option<&ProbeResponse>) -> Exchange {
        let mut request_headers: Vec<(String, String)> =
            request.headers.iter().map(|(n, v)| (n.clone(), escape_bytes(v))).collect();
        if request.credentials {
            request_headers.push(("[session]".to_owned(), "the --cookie and -H values, if any".to_owned()));
        }
        Exchange {
            method: request.method.as_str().to_owned(),
            url: format!("{origin}{}", request.path),
            request_headers,
            raw: request.raw,
            status: response.map_or(0, |r| r.status),
            response_headers: response
                .map(|r| r.headers.iter().map(|(n, v)| (n.clone(), escape_bytes(v))).collect())
                .unwrap_or_default(),
            error: None,
        }
    }

    /// As JSON.
    pub fn to_json(&self) -> Value {
        let pairs = |h: &[(String, String)]| -> Value { h.iter().map(|(n, v)| json!([n, v])).collect() };
        json!({
            "request": {"method": self.method, "url": self.url, "headers": pairs(&self.request_headers), "raw_socket": self.raw},
            "response": {"status": self.status, "headers": pairs(&self.response_headers)},
        })
    }
}

/// How to fix a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// The framework the server seems to use, when one was recognised.
    pub framework: Option<&'static str>,
    /// In plain words, for that framework.
    pub words: String,
    /// A crossgate policy that does the right thing (TOML, builds as is).
    pub policy: String,
}

/// One finding, proven by the emulator or, for weaker facts, explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The class.
    pub class: Class,
    /// The severity.
    pub severity: Severity,
    /// The origin of the page that can exploit it (or the value sent).
    pub origin: String,
    /// The path it was found on.
    pub path: String,
    /// The engines in which the emulator proved it.
    pub engines: Vec<Profile>,
    /// Whether it works with the visitor's cookies.
    pub credentials: bool,
    /// Whether the response differed with the session (`--cookie`, `-H`):
    /// `None` when no session was given or it was not compared.
    pub authenticated: Option<bool>,
    /// The one-line proof.
    pub proof: String,
    /// Why this severity.
    pub reason: String,
    /// The exchanges that show it.
    pub evidence: Vec<Exchange>,
    /// A page (or command) that demonstrates it.
    pub poc: String,
    /// The fix.
    pub fix: Fix,
}

impl Finding {
    /// As JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "class": self.class.id(),
            "severity": self.severity.as_str(),
            "title": self.class.title(),
            "origin": self.origin,
            "path": self.path,
            "engines": self.engines.iter().map(|p| engine_id(*p)).collect::<Vec<_>>(),
            "credentials": self.credentials,
            "authenticated": self.authenticated,
            "proof": self.proof,
            "reason": self.reason,
            "evidence": self.evidence.iter().map(Exchange::to_json).collect::<Vec<_>>(),
            "poc": self.poc,
            "fix": {"framework": self.fix.framework, "words": self.fix.words, "policy": self.fix.policy},
        })
    }
}
