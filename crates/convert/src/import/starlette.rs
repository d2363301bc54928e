//! Starlette's (and FastAPI's) `CORSMiddleware`: `app.add_middleware(CORSMiddleware, …)`,
//! `Middleware(CORSMiddleware, …)` or `CORSMiddleware(app, …)`. Semantics
//! from `starlette/middleware/cors.py` (1.10.0): `allow_origin_regex` is
//! matched whole (`fullmatch`); the safelisted headers are always allowed;
//! `*` in `allow_headers` echoes whatever is requested.

use crossgate_core::{PolicyConfig, RuleConfig};

use super::common::{at, boolean, integer, literal, regex_origins, strings, unknown, wrong_type};
use super::Imported;
use crate::finding::{Code, Finding};
use crate::regex_origin::Anchoring;
use crate::syntax::python::{self, StatementKind};
use crate::syntax::value::Value;

/// `ALL_METHODS` in Starlette 1.x (`*` means these).
pub(crate) const ALL_METHODS: [&str; 8] = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY"];
pub(crate) const DEFAULT_MAX_AGE: i64 = 600;

const OPTIONS: [&str; 8] = [
    "allow_origins",
    "allow_methods",
    "allow_headers",
    "allow_credentials",
    "allow_origin_regex",
    "allow_private_network",
    "expose_headers",
    "max_age",
];

/// The CORSMiddleware call, wherever it is in the value.
fn find(v: &Value) -> Option<Vec<(String, Value)>> {
    match v {
        Value::Call { callee, args, kwargs } => {
            let names_middleware =
                |a: &Value| matches!(a, Value::Name(n) if n == "CORSMiddleware" || n.ends_with(".CORSMiddleware"));
            if (callee.ends_with("add_middleware") || callee == "Middleware" || callee.ends_with(".Middleware"))
                && args.first().is_some_and(names_middleware)
            {
                return Some(kwargs.clone());
            }
            if callee == "CORSMiddleware" || callee.ends_with(".CORSMiddleware") {
                return Some(kwargs.clone());
            }
            args.iter().chain(kwargs.iter().map(|(_, v)| v)).find_map(find)
        }
        Value::List(items) => items.iter().find_map(find),
        Value::Dict(pairs) => pairs.iter().find_map(|(_, v)| find(v)),
        _ => None,
    }
}

pub(crate) fn import(src: &str) -> Imported {
    let mut out = Imported::default();
    let stmts = match python::parse(src, &|_| None) {
        Ok(s) => s,
        Err(e) => return Imported::syntax(format!("line {}", e.line), e.message),
    };
    let f = &mut out.findings;
    let found = stmts.iter().find_map(|s| {
        let v = match &s.kind {
            StatementKind::Assign { value, .. } => value,
            StatementKind::Expr(v) => v,
            StatementKind::Other(_) => return None,
        };
        find(v).map(|k| (k, s.line))
    });
    let Some((kwargs, line)) = found else {
        f.push(Finding::error(
            Code::NotFound,
            "",
            "",
            "no `add_middleware(CORSMiddleware, …)`, `Middleware(CORSMiddleware, …)` or `CORSMiddleware(app, …)` found",
            "import the file that adds Starlette's (or FastAPI's) CORSMiddleware",
        ));
        return out;
    };
    let get = |name: &str| kwargs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    for (k, v) in &kwargs {
        if k == "**" {
            f.push(Finding::error(
                Code::ComputedValue,
                at(line, "CORSMiddleware"),
                v.display(),
                "options passed with `**`: not read",
                "pass each option as a keyword argument with a literal value",
            ));
        } else if !OPTIONS.contains(&k.as_str()) {
            f.push(unknown(&at(line, k), k, &OPTIONS, "Starlette's CORSMiddleware"));
        }
    }
    let loc = |n: &str| at(line, n);
    let mut origins: Vec<String> =
        get("allow_origins").and_then(|v| strings(&v, &loc("allow_origins"), false, f)).unwrap_or_default();
    let credentials = get("allow_credentials").and_then(|v| boolean(&v, &loc("allow_credentials"), f)).unwrap_or(false);
    let mut credentials_out = credentials;
    if origins.iter().any(|o| o == "*") {
        origins = vec!["*".into()];
        if credentials {
            f.push(
                Finding::error(
                    Code::ReflectAnyWithCredentials,
                    loc("allow_origins"),
                    "[\"*\"] with allow_credentials=True",
                    "Starlette reflects every origin with `Access-Control-Allow-Credentials: true`, so any website can act as the signed-in user; the policy allows `*` without credentials instead",
                    "list the origins you trust, or drop allow_credentials",
                )
                .differing(vec![
                    "every origin, with credentials: Starlette reflects it with credentials; crossgate answers `*` without them".into(),
                ]),
            );
            credentials_out = false;
        }
    } else if let Some(v) = get("allow_origin_regex") {
        let l = loc("allow_origin_regex");
        match literal(&v, &l, f) {
            Some(Value::Str(s)) => regex_origins(s, false, Anchoring::Full, &l, &mut origins, f),
            Some(Value::Null) | None => {}
            Some(other) => f.push(wrong_type(&l, other, "a regular expression string")),
        }
    }
    let mut rule = RuleConfig::new(origins).credentials(credentials_out);
    let methods = get("allow_methods")
        .and_then(|v| strings(&v, &loc("allow_methods"), false, f))
        .unwrap_or_else(|| vec!["GET".into()]);
    rule.methods = Some(if methods.iter().any(|m| m == "*") {
        ALL_METHODS.iter().map(|s| (*s).to_owned()).collect()
    } else {
        methods
    });
    let headers = get("allow_headers").and_then(|v| strings(&v, &loc("allow_headers"), false, f)).unwrap_or_default();
    rule.request_headers = if headers.iter().any(|h| h == "*") {
        vec!["*".into(), "authorization".into()]
    } else {
        // Starlette always allows its SAFELISTED_HEADERS, whatever the value.
        let mut all: Vec<String> = headers.iter().map(|h| h.to_ascii_lowercase()).collect();
        for h in ["accept", "accept-language", "content-language", "content-type"] {
            if !all.iter().any(|x| x == h) {
                all.push(h.to_owned());
            }
        }
        all
    };
    rule.expose_headers =
        get("expose_headers").and_then(|v| strings(&v, &loc("expose_headers"), false, f)).unwrap_or_default();
    rule.max_age = match get("max_age") {
        Some(v) => integer(&v, &loc("max_age"), f).flatten(),
        None => Some(DEFAULT_MAX_AGE),
    };
    rule.allow_private_network =
        get("allow_private_network").and_then(|v| boolean(&v, &loc("allow_private_network"), f)).unwrap_or(false);
    f.push(Finding::note(
        "Starlette",
        "Starlette answers a refused preflight 400 (\"Disallowed CORS origin\") with its method and header lists; crossgate answers 403 without CORS headers. Both are refusals to a browser",
    ));
    f.push(Finding::note(
        "Starlette",
        "Starlette sends `Access-Control-Allow-Credentials` and `Access-Control-Expose-Headers` on every response to a request with `Origin`, allowed or not; crossgate only to allowed origins",
    ));
    out.policy = Some(PolicyConfig::new(rule).preflight_status(200));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn middleware_in_a_list() {
        let src = "middleware = [\n    Middleware(CORSMiddleware, allow_origins=['https://a.com'])\n]\napp = Starlette(middleware=middleware)\n";
        let stmts = crate::syntax::python::parse(src, &|_| None).unwrap();
        let imported = super::import(src);
        assert!(imported.policy.is_some(), "{stmts:?} {:?}", imported.findings);
    }
}
