//! Each framework's documented deviations from crossgate, as named
//! predicates over one differing field. A difference that no predicate
//! names fails the test; a verdict difference (the browser allows the call
//! on one side and blocks it on the other) is never excused here.

use crossgate_browser::RequestKind;
use crossgate_convert::Imported;
use crossgate_core::PolicyConfig;

use crate::harness::{Call, Dialect, Run};

/// One field that differs between the framework and crossgate.
#[derive(Clone, Debug)]
pub(crate) struct Difference {
    /// Which exchange of the call (0: the first request sent).
    pub(crate) index: usize,
    pub(crate) kind: RequestKind,
    pub(crate) field: &'static str,
    pub(crate) peer: Option<String>,
    pub(crate) crossgate: Option<String>,
}

/// A named deviation: the difference is expected when `applies` says so.
pub(crate) struct Exception {
    pub(crate) name: &'static str,
    pub(crate) applies: fn(&Difference, &Call, &Imported, &Run, &Run) -> bool,
}

/// The import itself listed this origin or path as behaving differently.
fn predicted(imported: &Imported, call: &Call) -> bool {
    // "every origin, with credentials": every credentialed difference is announced.
    if imported.findings.iter().any(|f| f.code == crossgate_convert::Code::ReflectAnyWithCredentials) {
        return true;
    }
    imported
        .findings
        .iter()
        .flat_map(|f| &f.differs)
        .any(|d| d.starts_with(&format!("{}:", call.origin)) || d.starts_with(&format!("{}:", call.path)))
}

/// Whether crossgate's policy covers the call's path.
fn covered(policy: &PolicyConfig, call: &Call) -> bool {
    policy.rules.iter().any(|r| match &r.paths {
        None => true,
        Some(scopes) => scopes.iter().any(|s| match s.strip_suffix("/*") {
            Some(p) => {
                call.path.starts_with(p) && (call.path.len() == p.len() || call.path.as_bytes()[p.len()] == b'/')
            }
            None => s == call.path,
        }),
    })
}

fn set(v: &Option<String>) -> Vec<String> {
    v.as_deref().map(|s| s.split(", ").map(str::to_owned).collect()).unwrap_or_default()
}

fn subset(small: &Option<String>, big: &Option<String>) -> bool {
    let big = set(big);
    set(small).iter().all(|x| big.contains(x))
}

/// The status crossgate answered this exchange with.
fn cg_status(cg: &Run, d: &Difference) -> u16 {
    cg.exchanges.get(d.index).map_or(0, |e| e.1)
}

/// Both sides end the same way for the browser.
fn same_verdict(peer: &Run, cg: &Run) -> bool {
    peer.allowed == cg.allowed
}

/// The allowed preflight lists every configured method (django-cors-headers
/// `CORS_ALLOW_METHODS`, flask-cors `methods`, Starlette `allow_methods`);
/// crossgate names only the requested one (none for a safelisted method).
const LISTS_EVERY_METHOD: Exception = Exception {
    name: "preflight-lists-every-method",
    applies: |d, _, _, p, c| {
        d.kind == RequestKind::Preflight && d.field == "acam" && subset(&d.crossgate, &d.peer) && same_verdict(p, c)
    },
};

/// The preflight lists every configured header (django-cors-headers
/// `CORS_ALLOW_HEADERS`; Starlette adds the safelisted ones); crossgate
/// names only the requested ones.
const LISTS_EVERY_HEADER: Exception = Exception {
    name: "preflight-lists-every-header",
    applies: |d, _, _, p, c| {
        d.kind == RequestKind::Preflight && d.field == "acah" && subset(&d.crossgate, &d.peer) && same_verdict(p, c)
    },
};

/// crossgate's preflight `Vary` also names `Access-Control-Request-Method`
/// and `-Headers` (its answer depends on them); the frameworks name
/// `Origin` only (Starlette also `-Private-Network`).
const PREFLIGHT_VARY: Exception = Exception {
    name: "preflight-vary-request-headers",
    applies: |d, _, _, p, c| {
        let (a, b) = (set(&d.peer), set(&d.crossgate));
        d.kind == RequestKind::Preflight
            && d.field == "vary"
            && a.iter()
                .chain(&b)
                .filter(|t| !(a.contains(t) && b.contains(t)))
                .all(|t| t.starts_with("access-control-request-"))
            && same_verdict(p, c)
    },
};

/// A refused preflight: the framework answers 200 (django-cors-headers'
/// `HttpResponse`, Flask's automatic OPTIONS) or 400 (Starlette's
/// "Disallowed CORS …"); crossgate answers 403 without CORS headers.
const REFUSED_PREFLIGHT_STATUS: Exception = Exception {
    name: "refused-preflight-status",
    applies: |d, _, _, p, c| {
        d.kind == RequestKind::Preflight
            && d.field == ":status"
            && d.crossgate.as_deref() == Some("403")
            && !p.allowed
            && !c.allowed
    },
};

/// The framework never checks the requested method or headers (django-cors-headers)
/// or keeps its CORS headers on a refused preflight (flask-cors without a
/// method match, Starlette's 400): the headers are there, the browser
/// refuses; crossgate refuses with 403 and no CORS headers. Same verdict.
const REFUSED_PREFLIGHT_HEADERS: Exception = Exception {
    name: "refused-preflight-keeps-cors-headers",
    applies: |d, _, _, p, c| {
        d.kind == RequestKind::Preflight
            && d.peer.is_some()
            && d.crossgate.is_none()
            && cg_status(c, d) == 403
            && !p.allowed
            && !c.allowed
    },
};

/// django-cors-headers and flask-cors send `Access-Control-Expose-Headers`
/// on preflights too, where browsers ignore it.
const EXPOSE_ON_PREFLIGHT: Exception = Exception {
    name: "expose-headers-on-preflight",
    applies: |d, _, _, p, c| {
        d.kind == RequestKind::Preflight && d.field == "aceh" && d.crossgate.is_none() && same_verdict(p, c)
    },
};

/// flask-cors reflects the origin for `origins="*"` (send_wildcard off);
/// crossgate answers `*`. Without credentials a browser treats both alike.
const REFLECTS_FOR_ANY: Exception = Exception {
    name: "reflects-origin-for-any",
    applies: |d, call, _, p, c| {
        d.field == "acao"
            && d.peer.as_deref() == Some(call.origin.as_str())
            && d.crossgate.as_deref() == Some("*")
            && same_verdict(p, c)
    },
};

/// flask-cors adds `Vary: Origin` only with more than one origin or a
/// regex (`get_cors_headers`); crossgate adds it whenever the answer
/// depends on the origin.
const NO_VARY_FOR_ONE_ORIGIN: Exception = Exception {
    name: "no-vary-for-one-origin",
    applies: |d, _, imported, p, c| {
        let Some(policy) = &imported.policy else { return false };
        d.field == "vary"
            && d.peer.is_none()
            && d.crossgate.as_deref().is_some_and(|v| v.contains("origin"))
            && policy.rules.iter().all(|r| r.origins.len() == 1 && !r.origins[0].contains('*'))
            && same_verdict(p, c)
    },
};

/// Starlette adds `Access-Control-Allow-Credentials` and
/// `Access-Control-Expose-Headers` (its `simple_headers`) to every response
/// to a request with `Origin`, allowed or not; without
/// `Access-Control-Allow-Origin` they grant nothing.
const SIMPLE_HEADERS_FOR_EVERY_ORIGIN: Exception = Exception {
    name: "credentials-and-expose-for-refused-origins",
    applies: |d, _, _, p, c| {
        (d.field == "acac" || d.field == "aceh")
            && d.crossgate.is_none()
            && c.exchanges.get(d.index).is_some_and(|e| e.2.get("access-control-allow-origin").is_none())
            && p.exchanges.get(d.index).is_some_and(|e| e.2.get("access-control-allow-origin").is_none())
            && same_verdict(p, c)
    },
};

/// The import's own findings listed this origin or path as one that
/// behaves differently (`path-not-expressible`, `regex-not-expressible`…):
/// the difference was announced, with the verdicts it gives.
const PREDICTED: Exception =
    Exception { name: "announced-by-the-import", applies: |_, call, imported, _, _| predicted(imported, call) };

/// django-cors-headers does nothing on paths outside `CORS_URLS_REGEX` (no
/// `Vary` either); crossgate still sends `Vary: Origin` there, since its
/// answer for the path depends on the origin in general.
const VARY_OUTSIDE_SCOPE: Exception = Exception {
    name: "vary-outside-path-scope",
    applies: |d, call, imported, p, c| {
        imported.policy.as_ref().is_some_and(|policy| !covered(policy, call))
            && d.field == "vary"
            && d.peer.is_none()
            && same_verdict(p, c)
    },
};

/// django-cors-headers adds `Vary: Origin` to every response of an enabled
/// URL; crossgate's answer to a `*` policy does not depend on the origin,
/// so it does not vary.
const VARY_FOR_ANY_ORIGIN: Exception = Exception {
    name: "vary-for-any-origin",
    applies: |d, _, imported, p, c| {
        imported.policy.as_ref().is_some_and(|policy| policy.rules.iter().all(|r| r.origins == ["*"]))
            && d.field == "vary"
            && set(&d.peer).contains(&"origin".to_owned())
            && !set(&d.crossgate).contains(&"origin".to_owned())
            && same_verdict(p, c)
    },
};

/// For `allow_headers=["*"]` the framework echoes the requested headers;
/// crossgate, for `request_headers = ["*", "authorization"]` without
/// credentials, answers `*, authorization`, which grants a browser the same.
const WILDCARD_HEADERS_ANSWER: Exception = Exception {
    name: "allow-headers-wildcard-answer",
    applies: |d, _, _, p, c| {
        d.kind == RequestKind::Preflight
            && d.field == "acah"
            && d.crossgate.as_deref() == Some("*, authorization")
            && same_verdict(p, c)
    },
};

/// flask-cors adds `Vary` only when it sets CORS headers (`get_cors_headers`
/// returns early for an origin it refuses); crossgate varies the refusal too,
/// so a cache never serves one origin's answer to another.
const NO_VARY_FOR_REFUSED: Exception = Exception {
    name: "no-vary-for-refused-origin",
    applies: |d, _, _, p, c| {
        d.field == "vary"
            && set(&d.peer).iter().all(|t| t.starts_with("access-control-request-"))
            && set(&d.crossgate).contains(&"origin".to_owned())
            && p.exchanges.get(d.index).is_some_and(|e| e.2.get("access-control-allow-origin").is_none())
            && same_verdict(p, c)
    },
};

/// Express's `cors` and nginx send their headers to every request, whatever
/// its `Origin`: a fixed `Access-Control-Allow-Origin` naming another
/// origin, or no allow-origin at all, with the credentials, methods,
/// headers, expose and max-age lists beside it. Without an allow-origin
/// naming the page, they grant nothing; crossgate sends nothing.
const HEADERS_FOR_REFUSED_ORIGINS: Exception = Exception {
    name: "cors-headers-for-refused-origins",
    applies: |d, call, _, p, c| {
        d.crossgate.is_none()
            && p.exchanges.get(d.index).is_some_and(|e| {
                e.2.get("access-control-allow-origin")
                    .and_then(|v| v.to_str().ok())
                    .map_or(true, |v| v != call.origin && v != "*")
            })
            && c.exchanges.get(d.index).is_some_and(|e| e.2.get("access-control-allow-origin").is_none())
            && same_verdict(p, c)
    },
};

/// `cors` and nginx send `Access-Control-Allow-Credentials: true` beside
/// `Access-Control-Allow-Origin: *`, which no browser accepts for a
/// credentialed call; crossgate's `*` goes without it. Same verdicts.
const CREDENTIALS_WITH_WILDCARD: Exception = Exception {
    name: "credentials-with-wildcard-origin",
    applies: |d, _, _, p, c| {
        d.field == "acac"
            && d.peer.as_deref() == Some("true")
            && d.crossgate.is_none()
            && p.exchanges
                .get(d.index)
                .is_some_and(|e| e.2.get("access-control-allow-origin").is_some_and(|v| v == "*"))
            && same_verdict(p, c)
    },
};

/// `methods: '*'` goes to the browser as `Access-Control-Allow-Methods: *`;
/// crossgate names the requested method. Same verdicts.
const WILDCARD_METHODS_ANSWER: Exception = Exception {
    name: "allow-methods-wildcard-answer",
    applies: |d, _, _, p, c| {
        d.kind == RequestKind::Preflight && d.field == "acam" && d.peer.as_deref() == Some("*") && same_verdict(p, c)
    },
};

/// `preflightContinue` (Express), or no `if ($request_method = OPTIONS)`
/// branch (nginx): the app answers the preflight, and where its status is
/// not 2xx (`/status/404`) the browser refuses it; crossgate answers the
/// preflight itself. The import warns about it.
const PREFLIGHT_PASSED_ON: Exception = Exception {
    name: "preflight-passed-on-to-the-app",
    applies: |_, _, imported, p, _| {
        imported.findings.iter().any(|f| {
            (f.location == "preflightContinue" || f.location == "if ($request_method = OPTIONS)")
                && !f.differs.is_empty()
        }) && p.exchanges.first().is_some_and(|e| e.0.kind == RequestKind::Preflight && !(200..300).contains(&e.1))
    },
};

/// nginx adds no `Vary` unless the config adds one; crossgate varies on
/// what its answer depends on. Same verdicts.
const NO_VARY_UNLESS_ADDED: Exception = Exception {
    name: "no-vary-unless-added",
    applies: |d, _, _, p, c| d.field == "vary" && subset(&d.peer, &d.crossgate) && same_verdict(p, c),
};

/// nginx's `add_header` at a location level goes on every response, so
/// the preflight's lists (`Access-Control-Allow-Methods`, `-Headers`,
/// `-Max-Age`, `-Allow-Private-Network`) reach actual responses too, where
/// browsers ignore them.
const PREFLIGHT_HEADERS_ON_ACTUAL: Exception = Exception {
    name: "preflight-headers-on-actual-responses",
    applies: |d, _, _, p, c| {
        d.kind == RequestKind::Actual
            && matches!(d.field, "acam" | "acah" | "acma" | "acapn")
            && d.crossgate.is_none()
            && same_verdict(p, c)
    },
};

/// nginx's `add_header` without `always` adds nothing to a 4xx or 5xx
/// (anything but 200, 201, 204, 206, 301, 302, 303, 304, 307, 308), so the
/// browser hides that response; crossgate's headers go on every response.
/// The import's `add-header-without-always` error announces it.
const NOTHING_ON_ERRORS_WITHOUT_ALWAYS: Exception = Exception {
    name: "no-headers-on-errors-without-always",
    applies: |_, _, imported, p, _| {
        const LISTED: [u16; 10] = [200, 201, 204, 206, 301, 302, 303, 304, 307, 308];
        imported.findings.iter().any(|f| f.code == crossgate_convert::Code::AddHeaderWithoutAlways)
            && p.exchanges.iter().any(|e| !LISTED.contains(&e.1))
    },
};

/// A max-age above crossgate's limit is imported capped at it; browsers
/// cap it lower still, so both cache the preflight alike.
const MAX_AGE_CAPPED: Exception = Exception {
    name: "max-age-capped",
    applies: |d, _, _, p, c| {
        let limit = crossgate_core::limits::MAX_AGE_LIMIT;
        d.field == "acma"
            && d.crossgate.as_deref() == Some(limit.to_string().as_str())
            && d.peer.as_deref().and_then(|v| v.parse::<i64>().ok()).is_some_and(|v| v > limit)
            && same_verdict(p, c)
    },
};

pub(crate) fn exceptions_for(dialect: Dialect) -> Vec<Exception> {
    match dialect {
        Dialect::Django => vec![
            PREDICTED,
            VARY_OUTSIDE_SCOPE,
            VARY_FOR_ANY_ORIGIN,
            LISTS_EVERY_METHOD,
            LISTS_EVERY_HEADER,
            PREFLIGHT_VARY,
            REFUSED_PREFLIGHT_STATUS,
            REFUSED_PREFLIGHT_HEADERS,
            EXPOSE_ON_PREFLIGHT,
        ],
        Dialect::Flask => vec![
            PREDICTED,
            VARY_FOR_ANY_ORIGIN,
            WILDCARD_HEADERS_ANSWER,
            NO_VARY_FOR_REFUSED,
            LISTS_EVERY_METHOD,
            PREFLIGHT_VARY,
            REFUSED_PREFLIGHT_STATUS,
            REFUSED_PREFLIGHT_HEADERS,
            EXPOSE_ON_PREFLIGHT,
            REFLECTS_FOR_ANY,
            NO_VARY_FOR_ONE_ORIGIN,
        ],
        Dialect::Express => vec![
            PREDICTED,
            HEADERS_FOR_REFUSED_ORIGINS,
            WILDCARD_HEADERS_ANSWER,
            CREDENTIALS_WITH_WILDCARD,
            WILDCARD_METHODS_ANSWER,
            PREFLIGHT_PASSED_ON,
            VARY_FOR_ANY_ORIGIN,
            LISTS_EVERY_METHOD,
            LISTS_EVERY_HEADER,
            PREFLIGHT_VARY,
            REFUSED_PREFLIGHT_STATUS,
            REFUSED_PREFLIGHT_HEADERS,
            EXPOSE_ON_PREFLIGHT,
            REFLECTS_FOR_ANY,
        ],
        Dialect::Nginx => vec![
            PREDICTED,
            NOTHING_ON_ERRORS_WITHOUT_ALWAYS,
            MAX_AGE_CAPPED,
            PREFLIGHT_PASSED_ON,
            HEADERS_FOR_REFUSED_ORIGINS,
            NO_VARY_UNLESS_ADDED,
            PREFLIGHT_HEADERS_ON_ACTUAL,
            WILDCARD_HEADERS_ANSWER,
            WILDCARD_METHODS_ANSWER,
            LISTS_EVERY_METHOD,
            LISTS_EVERY_HEADER,
            REFUSED_PREFLIGHT_STATUS,
            REFUSED_PREFLIGHT_HEADERS,
            REFLECTS_FOR_ANY,
        ],
        Dialect::Starlette => vec![
            PREDICTED,
            VARY_FOR_ANY_ORIGIN,
            WILDCARD_HEADERS_ANSWER,
            LISTS_EVERY_METHOD,
            LISTS_EVERY_HEADER,
            PREFLIGHT_VARY,
            REFUSED_PREFLIGHT_STATUS,
            REFUSED_PREFLIGHT_HEADERS,
            SIMPLE_HEADERS_FOR_EVERY_ORIGIN,
        ],
    }
}
