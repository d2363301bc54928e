//! django-cors-headers settings (4.x): `CORS_*` in a settings module, and
//! `ALLOWED_HOSTS` for the gateway. Semantics from `corsheaders/middleware.py`
//! and `conf.py` (4.9.0).

use crossgate_core::{PolicyConfig, RuleConfig};

use super::common::{at, boolean, integer, literal, regex_origins, strings, unknown, wrong_type};
use super::Imported;
use crate::finding::{Code, Finding};
use crate::regex_origin::{translate_path, Anchoring};
use crate::syntax::python::{self, StatementKind, Target};
use crate::syntax::value::Value;

/// Django's defaults (`corsheaders.defaults`).
pub(crate) const DEFAULT_HEADERS: [&str; 6] =
    ["accept", "authorization", "content-type", "user-agent", "x-csrftoken", "x-requested-with"];
pub(crate) const DEFAULT_METHODS: [&str; 6] = ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"];
pub(crate) const DEFAULT_MAX_AGE: i64 = 86400;

const SETTINGS: [&str; 13] = [
    "CORS_ALLOWED_ORIGINS",
    "CORS_ORIGIN_WHITELIST",
    "CORS_ALLOWED_ORIGIN_REGEXES",
    "CORS_ORIGIN_REGEX_WHITELIST",
    "CORS_ALLOW_ALL_ORIGINS",
    "CORS_ORIGIN_ALLOW_ALL",
    "CORS_ALLOW_CREDENTIALS",
    "CORS_ALLOW_METHODS",
    "CORS_ALLOW_HEADERS",
    "CORS_EXPOSE_HEADERS",
    "CORS_PREFLIGHT_MAX_AGE",
    "CORS_URLS_REGEX",
    "CORS_ALLOW_PRIVATE_NETWORK",
];

fn known(name: &str) -> Option<Value> {
    let list = |v: &[&str]| Value::List(v.iter().map(|s| Value::Str((*s).into())).collect());
    match name {
        "default_headers" | "corsheaders.defaults.default_headers" => Some(list(&DEFAULT_HEADERS)),
        "default_methods" | "corsheaders.defaults.default_methods" => Some(list(&DEFAULT_METHODS)),
        _ => None,
    }
}

pub(crate) fn import(src: &str) -> Imported {
    let mut out = Imported::default();
    let stmts = match python::parse(src, &known) {
        Ok(s) => s,
        Err(e) => return Imported::syntax(format!("line {}", e.line), e.message),
    };
    // The last top-level assignment of each setting wins, as in Python.
    let mut settings: Vec<(String, usize, Value)> = Vec::new();
    for s in &stmts {
        let StatementKind::Assign { target: Target::Name(name), value, augmented } = &s.kind else { continue };
        if !(name.starts_with("CORS_") || name == "ALLOWED_HOSTS") {
            continue;
        }
        if s.indent > 0 {
            out.findings.push(Finding::error(
                Code::ConditionalSetting,
                at(s.line, name),
                value.display(),
                "set inside a block (`if`, `def`, `try`), so its value depends on how the settings run; not read",
                "set it once at the top level of the settings module",
            ));
            continue;
        }
        if name != "ALLOWED_HOSTS" && !SETTINGS.contains(&name.as_str()) {
            let f = if ["CORS_REPLACE_HTTPS_REFERER", "CORS_MODEL", "CORS_URLS_ALLOW_ALL_REGEX"]
                .contains(&name.as_str())
            {
                Finding::error(
                    Code::UnsupportedSetting,
                    at(s.line, name),
                    value.display(),
                    format!("`{name}` was removed from django-cors-headers and has no crossgate equivalent; not read"),
                    "remove it",
                )
            } else {
                unknown(&at(s.line, name), name, &SETTINGS, "django-cors-headers")
            };
            out.findings.push(f);
            continue;
        }
        let value = if *augmented {
            match settings.iter().rev().find(|(n, _, _)| n == name) {
                Some((_, _, Value::List(prev))) => match value {
                    Value::List(more) => Value::List(prev.iter().chain(more).cloned().collect()),
                    other => Value::Computed(format!("`+=` of {}", other.kind())),
                },
                _ => Value::Computed(format!("`+=` on a setting not set before, or not a list: {}", value.display())),
            }
        } else {
            value.clone()
        };
        settings.push((name.clone(), s.line, value));
    }
    let get = |names: &[&str]| -> Option<(String, usize, Value)> {
        // The first name is the current one; an alias set later does not override it.
        names.iter().find_map(|n| settings.iter().rev().find(|(k, _, _)| k == n).cloned())
    };
    let f = &mut out.findings;
    let mut origins: Vec<String> = Vec::new();
    let mut null = false;
    if let Some((n, line, v)) = get(&["CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST"]) {
        for o in strings(&v, &at(line, &n), false, f).unwrap_or_default() {
            if o == "null" {
                null = true;
            }
            origins.push(o);
        }
    }
    if let Some((n, line, v)) = get(&["CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST"]) {
        if let Some(Value::List(items)) = literal_list(&v, &at(line, &n), f) {
            for (i, item) in items.iter().enumerate() {
                let loc = format!("{}[{i}]", at(line, &n));
                match item {
                    Value::Str(s) => regex_origins(s, false, Anchoring::Start, &loc, &mut origins, f),
                    Value::Regex { source, ignore_case } => {
                        regex_origins(source, *ignore_case, Anchoring::Start, &loc, &mut origins, f)
                    }
                    other => f.push(wrong_type(&loc, other, "a regular expression string")),
                }
            }
        }
    }
    let bool_of = |names: &[&str], f: &mut Vec<Finding>| {
        get(names).and_then(|(n, line, v)| boolean(&v, &at(line, &n), f)).unwrap_or(false)
    };
    let all = bool_of(&["CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"], f);
    let mut credentials = bool_of(&["CORS_ALLOW_CREDENTIALS"], f);
    let private = bool_of(&["CORS_ALLOW_PRIVATE_NETWORK"], f);
    if all {
        if credentials {
            let line = get(&["CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"]).map_or(0, |(_, l, _)| l);
            f.push(
                Finding::error(
                    Code::ReflectAnyWithCredentials,
                    at(line, "CORS_ALLOW_ALL_ORIGINS"),
                    "True (with CORS_ALLOW_CREDENTIALS = True)",
                    "django-cors-headers reflects every origin with `Access-Control-Allow-Credentials: true`, so any website can act as the signed-in user; crossgate will not build that, and the policy allows `*` without credentials instead",
                    "list the origins you trust in CORS_ALLOWED_ORIGINS and keep credentials, or drop credentials",
                )
                .differing(vec![
                    "every origin, with credentials: django-cors-headers reflects it with credentials; crossgate answers `*` without them".into(),
                ]),
            );
            credentials = false;
        }
        origins = vec!["*".into()];
    }
    let mut rule = RuleConfig::new(origins).credentials(credentials).allow_private_network(private);
    rule.dangerously_allow_null_origin = null;
    let list_of = |names: &[&str], default: &[&str], f: &mut Vec<Finding>| -> Vec<String> {
        match get(names) {
            Some((n, line, v)) => strings(&v, &at(line, &n), false, f).unwrap_or_default(),
            None => default.iter().map(|s| (*s).to_owned()).collect(),
        }
    };
    // CORS_ALLOW_METHODS only fills `Access-Control-Allow-Methods`; browsers
    // never need GET, HEAD or POST there, so django-cors-headers cannot refuse them.
    let mut methods = list_of(&["CORS_ALLOW_METHODS"], &DEFAULT_METHODS, f);
    for m in ["GET", "HEAD", "POST"] {
        if !methods.iter().any(|x| x == m) {
            methods.push(m.to_owned());
        }
    }
    rule.methods = Some(methods);
    rule.request_headers = list_of(&["CORS_ALLOW_HEADERS"], &DEFAULT_HEADERS, f);
    rule.expose_headers = list_of(&["CORS_EXPOSE_HEADERS"], &[], f);
    rule.max_age = match get(&["CORS_PREFLIGHT_MAX_AGE"]) {
        Some((n, line, v)) => integer(&v, &at(line, &n), f).flatten().filter(|n| *n != 0),
        None => Some(DEFAULT_MAX_AGE),
    };
    if let Some((n, line, v)) = get(&["CORS_URLS_REGEX"]) {
        let loc = at(line, &n);
        let source = match literal(&v, &loc, f) {
            Some(Value::Str(s)) => Some((s.clone(), false)),
            Some(Value::Regex { source, ignore_case }) => Some((source.clone(), *ignore_case)),
            Some(other) => {
                f.push(wrong_type(&loc, other, "a regular expression string"));
                None
            }
            None => None,
        };
        if let Some((source, _)) = source {
            match translate_path(&source, Anchoring::Start) {
                Ok(t) => {
                    rule.paths = t.scopes.clone();
                    if !t.exact {
                        f.push(
                            Finding::error(
                                Code::PathNotExpressible,
                                &loc,
                                &source,
                                format!(
                                    "translated to the path scope {}, which does not cover the same paths",
                                    t.scopes.as_ref().map_or("(every path)".into(), |s| s.join(", "))
                                ),
                                "check the paths listed below",
                            )
                            .differing(t.differs),
                        );
                    }
                }
                Err(why) => f.push(Finding::error(
                    Code::PathNotExpressible,
                    &loc,
                    &source,
                    format!("not translated ({why}); the policy covers every path"),
                    "write it as `^/prefix/` or `^/exact$`, or scope rules with `paths` by hand",
                )),
            }
        }
    }
    if let Some((n, line, v)) = get(&["ALLOWED_HOSTS"]) {
        out.allowed_hosts = strings(&v, &at(line, &n), false, f);
    }
    f.push(Finding::note(
        "django-cors-headers",
        "it never checks the requested method or headers: an allowed origin's preflight gets the whole CORS_ALLOW_METHODS and CORS_ALLOW_HEADERS lists and the browser decides; crossgate checks them and answers 403 to a preflight it refuses (django-cors-headers answers 200 without CORS headers)",
    ));
    f.push(Finding::note(
        "django-cors-headers",
        "it answers preflights with 200, so the policy says `preflight_status = 200`",
    ));
    out.policy = Some(PolicyConfig::new(rule).preflight_status(200));
    out
}

fn literal_list<'v>(v: &'v Value, loc: &str, f: &mut Vec<Finding>) -> Option<&'v Value> {
    match literal(v, loc, f)? {
        l @ Value::List(_) => Some(l),
        other => {
            f.push(wrong_type(loc, other, "a list of regular expression strings"));
            None
        }
    }
}
