//! flask-cors (6.x): `CORS(app, …)`, `CORS().init_app(app, …)` and the
//! `CORS_*` keys of `app.config`. Semantics from `flask_cors/core.py` and
//! `extension.py` (6.0.5): options merge defaults ← app config ← keyword
//! arguments ← per-resource options; a string with any of `*\]?$^[]()` is
//! a regular expression (`re.match`, case-insensitive for origins).

use crossgate_core::{PolicyConfig, RuleConfig};

use super::common::{at, boolean, integer, literal, push_unique, regex_origins, strings, unknown, wrong_type};
use super::Imported;
use crate::finding::{Code, Finding};
use crate::regex_origin::{translate_path, Anchoring};
use crate::syntax::python::{self, StatementKind, Target};
use crate::syntax::value::Value;

/// flask-cors' default methods (`ALL_METHODS`).
pub(crate) const ALL_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"];

const OPTIONS: [&str; 14] = [
    "origins",
    "methods",
    "allow_headers",
    "expose_headers",
    "supports_credentials",
    "max_age",
    "send_wildcard",
    "automatic_options",
    "vary_header",
    "resources",
    "intercept_exceptions",
    "always_send",
    "allow_private_network",
    "app",
];

/// Whether flask-cors treats the string as a regular expression (`probably_regex`).
pub(crate) fn probably_regex(s: &str) -> bool {
    s.chars().any(|c| "*\\]?$^[]()".contains(c))
}

/// Options as (name, value, where it was set).
type Options = Vec<(String, Value, String)>;

pub(crate) fn import(src: &str) -> Imported {
    let mut out = Imported::default();
    let stmts = match python::parse(src, &|_| None) {
        Ok(s) => s,
        Err(e) => return Imported::syntax(format!("line {}", e.line), e.message),
    };
    let f = &mut out.findings;
    let mut config: Vec<(String, Value, usize)> = Vec::new();
    let mut calls: Vec<(Value, usize)> = Vec::new();
    let mut cors_objects: Vec<String> = Vec::new();
    for s in &stmts {
        match &s.kind {
            StatementKind::Assign { target: Target::Subscript(obj, Value::Str(key)), value, .. }
                if obj.ends_with("config") && key.starts_with("CORS_") =>
            {
                config.push((key.clone(), value.clone(), s.line));
            }
            StatementKind::Expr(Value::Call { callee, kwargs, .. }) if callee.ends_with("config.update") => {
                for (k, v) in kwargs.iter().filter(|(k, _)| k.starts_with("CORS_")) {
                    config.push((k.clone(), v.clone(), s.line));
                }
            }
            StatementKind::Assign { value: v @ Value::Call { callee, .. }, target, .. }
                if callee == "CORS" || callee.ends_with(".CORS") =>
            {
                if let Target::Name(n) = target {
                    cors_objects.push(n.clone());
                }
                calls.push((v.clone(), s.line));
            }
            StatementKind::Expr(v @ Value::Call { callee, .. }) if callee == "CORS" || callee.ends_with(".CORS") => {
                calls.push((v.clone(), s.line));
            }
            StatementKind::Expr(v @ Value::Call { callee, .. }) if callee.ends_with(".init_app") => {
                let obj = callee.trim_end_matches(".init_app");
                if cors_objects.iter().any(|o| o == obj) {
                    calls.push((v.clone(), s.line));
                }
            }
            StatementKind::Other(w)
                if w == "@" && src.lines().nth(s.line - 1).is_some_and(|l| l.contains("cross_origin")) =>
            {
                push_unique(
                    f,
                    Finding::error(
                        Code::UnsupportedSetting,
                        at(s.line, "@cross_origin"),
                        "",
                        "a per-view `@cross_origin` decorator is not read (its route is known only when the app runs)",
                        "move its options into `CORS(app, resources={r\"/path\": {...}})`",
                    ),
                );
            }
            _ => {}
        }
    }
    let found = calls.into_iter().find(|(c, _)| {
        // `CORS()` with no app, later `init_app`: take the call that has options.
        matches!(c, Value::Call { args, kwargs, .. } if !args.is_empty() || !kwargs.is_empty())
    });
    let (call, line) = if let Some(found) = found {
        found
    } else {
        if config.is_empty() {
            f.push(Finding::error(
                Code::NotFound,
                "",
                "",
                "no `CORS(app, …)` call found",
                "import the file that creates the Flask app and calls `CORS(app, …)`",
            ));
            return out;
        }
        (Value::Call { callee: "CORS".into(), args: vec![], kwargs: vec![] }, 0)
    };
    // Options in flask-cors' order of precedence.
    let mut opts: Vec<(String, Value, String)> = Vec::new();
    for (key, value, l) in &config {
        let name = key.trim_start_matches("CORS_").to_ascii_lowercase();
        if !OPTIONS.contains(&name.as_str()) || name == "app" {
            f.push(unknown(&at(*l, key), key, &[], "flask-cors"));
            continue;
        }
        opts.push((name, value.clone(), at(*l, key)));
    }
    if let Value::Call { kwargs, .. } = &call {
        for (k, v) in kwargs {
            if k == "**" {
                f.push(Finding::error(
                    Code::ComputedValue,
                    at(line, "CORS"),
                    v.display(),
                    "options passed with `**`: not read, since reading them would mean running the file",
                    "pass each option as a keyword argument with a literal value",
                ));
                continue;
            }
            if !OPTIONS.contains(&k.as_str()) {
                f.push(unknown(&at(line, k), k, &OPTIONS, "flask-cors"));
                continue;
            }
            opts.push((k.clone(), v.clone(), at(line, k)));
        }
    }
    let top: Vec<(String, Value, String)> = opts.iter().filter(|(k, _, _)| k != "resources").cloned().collect();
    let resources = opts.iter().rev().find(|(k, _, _)| k == "resources").cloned();
    // Resources: (path pattern, its own options).
    let mut res: Vec<(String, Options, String)> = Vec::new();
    match &resources {
        None => res.push(("/*".into(), Vec::new(), "resources (default)".into())),
        Some((_, v, loc)) => match literal_or_dict(v, loc, f) {
            Some(Value::Str(s)) => res.push((s.clone(), Vec::new(), loc.clone())),
            Some(Value::List(items)) => {
                for i in items {
                    if let Value::Str(s) = i {
                        res.push((s.clone(), Vec::new(), loc.clone()));
                    }
                }
            }
            Some(Value::Dict(pairs)) => {
                for (k, v) in pairs {
                    let Value::Str(path) = k else {
                        f.push(wrong_type(loc, k, "a path string"));
                        continue;
                    };
                    let sub_loc = format!("{loc}[{path:?}]");
                    let mut o = Vec::new();
                    match v {
                        Value::Dict(inner) => {
                            for (ik, iv) in inner {
                                match ik {
                                    Value::Str(name) if OPTIONS.contains(&name.as_str()) => {
                                        o.push((name.clone(), iv.clone(), format!("{sub_loc}.{name}")))
                                    }
                                    Value::Str(name) => f.push(unknown(&sub_loc, name, &OPTIONS, "flask-cors")),
                                    other => f.push(wrong_type(&sub_loc, other, "an option name")),
                                }
                            }
                        }
                        other => f.push(wrong_type(&sub_loc, other, "a dict of options")),
                    }
                    res.push((path.clone(), o, sub_loc));
                }
                // flask-cors tries resources most specific first (`parse_resources`).
                res.sort_by_key(|(p, _, _)| {
                    let slashes = -(p.matches('/').count() as i64);
                    let len = -(p.len() as i64);
                    (i64::from(probably_regex(p)), i64::from(probably_regex(p)), slashes, len)
                });
            }
            Some(other) => f.push(wrong_type(loc, other, "a path, a list of paths or a dict")),
            None => {}
        },
    }
    let mut rules = Vec::new();
    for (path, own, loc) in &res {
        let merged: Vec<&(String, Value, String)> = top.iter().chain(own.iter()).collect();
        let get = |name: &str| merged.iter().rev().find(|(k, _, _)| k == name).map(|(_, v, l)| (v, l.as_str()));
        let mut rule = RuleConfig::new(Vec::<String>::new());
        // Path scope.
        let path = if path == "*" { ".*".to_owned() } else { path.clone() };
        if probably_regex(&path) {
            match translate_path(&path, Anchoring::Start) {
                Ok(t) => {
                    rule.paths = t.scopes.clone();
                    if !t.exact {
                        push_unique(
                            f,
                            Finding::error(
                                Code::PathNotExpressible,
                                loc,
                                &path,
                                format!(
                                    "flask-cors matches this resource as a regular expression from the start of the path; translated to {}",
                                    t.scopes.as_ref().map_or("every path".into(), |s| s.join(", "))
                                ),
                                "check the paths listed below",
                            )
                            .differing(t.differs),
                        );
                    }
                }
                Err(why) => f.push(Finding::error(
                    Code::PathNotExpressible,
                    loc,
                    &path,
                    format!("not translated ({why})"),
                    "write resources as `/prefix/.*` or exact paths",
                )),
            }
        } else {
            rule.paths = Some(vec![path.clone()]);
        }
        // Origins.
        let credentials = get("supports_credentials").and_then(|(v, l)| boolean(v, l, f)).unwrap_or(false);
        let send_wildcard = get("send_wildcard").and_then(|(v, l)| boolean(v, l, f)).unwrap_or(false);
        let mut origins = Vec::new();
        let (origin_values, origin_loc) = match get("origins") {
            Some((v, l)) => (literal(v, l, f).cloned(), l.to_owned()),
            None => (Some(Value::Str("*".into())), "origins (default `*`)".to_owned()),
        };
        let items = match origin_values {
            Some(Value::List(items)) => items,
            Some(v @ (Value::Str(_) | Value::Regex { .. })) => vec![v],
            Some(other) => {
                f.push(wrong_type(&origin_loc, &other, "a string or a list of strings"));
                Vec::new()
            }
            None => Vec::new(),
        };
        let mut all = false;
        for (i, item) in items.iter().enumerate() {
            let l = format!("{origin_loc}[{i}]");
            match item {
                Value::Str(s) if s == "*" || s == ".*" => all = true,
                Value::Str(s) if probably_regex(s) => regex_origins(s, true, Anchoring::Start, &l, &mut origins, f),
                Value::Str(s) => {
                    let lower = s.to_ascii_lowercase();
                    if lower != *s {
                        f.push(Finding::warning(
                            Code::OriginNotExpressible,
                            &l,
                            s,
                            "flask-cors compares origins case-insensitively; browsers send them in lower case, so the policy lists the lower-case form",
                            "write origins in lower case",
                        ));
                    }
                    origins.push(lower)
                }
                Value::Regex { source, .. } => regex_origins(source, true, Anchoring::Start, &l, &mut origins, f),
                other => f.push(wrong_type(&l, other, "an origin string or regex")),
            }
        }
        let mut credentials_out = credentials;
        if all {
            origins = vec!["*".into()];
            if credentials {
                push_unique(
                    f,
                    Finding::error(
                        Code::ReflectAnyWithCredentials,
                        &origin_loc,
                        "*",
                        "with supports_credentials, flask-cors reflects every origin with `Access-Control-Allow-Credentials: true`, so any website can act as the signed-in user; the policy allows `*` without credentials instead",
                        "list the origins you trust, or drop supports_credentials",
                    )
                    .differing(vec![
                        "every origin, with credentials: flask-cors reflects it with credentials; crossgate answers `*` without them".into(),
                    ]),
                );
                credentials_out = false;
            } else if !send_wildcard {
                push_unique(
                    f,
                    Finding::note(
                        &origin_loc,
                        "flask-cors reflects the request's origin for `*` (send_wildcard is off); crossgate answers `*`, which a browser treats the same without credentials",
                    ),
                );
            }
        }
        rule.origins = origins;
        rule.credentials = credentials_out;
        // Methods.
        rule.methods = Some(match get("methods") {
            Some((v, l)) => strings(v, l, true, f)
                .unwrap_or_default()
                .iter()
                .flat_map(|m| m.split(',').map(|m| m.trim().to_ascii_uppercase()).collect::<Vec<_>>())
                .filter(|m| !m.is_empty())
                .collect(),
            None => ALL_METHODS.iter().map(|s| (*s).to_owned()).collect(),
        });
        // Request headers: `*` echoes any requested header, `authorization` included.
        let headers = match get("allow_headers") {
            Some((v, l)) => strings(v, l, true, f).unwrap_or_default(),
            None => vec!["*".into()],
        };
        let mut request_headers = Vec::new();
        for h in headers {
            if h == "*" || h == ".*" {
                request_headers.push("*".to_owned());
                request_headers.push("authorization".to_owned());
            } else if probably_regex(&h) {
                f.push(Finding::error(
                    Code::RegexNotExpressible,
                    loc,
                    &h,
                    "a header-name regex is not translated; crossgate lists header names",
                    "list the header names",
                ));
            } else {
                request_headers.push(h.to_ascii_lowercase());
            }
        }
        request_headers.dedup();
        rule.request_headers = request_headers;
        rule.expose_headers = match get("expose_headers") {
            Some((v, l)) => strings(v, l, true, f).unwrap_or_default(),
            None => Vec::new(),
        };
        rule.max_age = get("max_age").and_then(|(v, l)| integer(v, l, f)).flatten();
        rule.allow_private_network = get("allow_private_network").and_then(|(v, l)| boolean(v, l, f)).unwrap_or(false);
        if get("vary_header").and_then(|(v, l)| boolean(v, l, f)) == Some(false) {
            push_unique(
                f,
                Finding::warning(
                    Code::UnsupportedSetting,
                    loc,
                    "vary_header=False",
                    "crossgate always sends `Vary: Origin` where the answer depends on the origin (caches need it)",
                    "nothing to do; the policy keeps `Vary`",
                ),
            );
        }
        rules.push(rule);
    }
    f.push(Finding::note(
        "flask-cors",
        "with always_send (the default) flask-cors adds `Access-Control-Allow-Origin` to responses of requests without `Origin` (the list of literal origins, or `*`); crossgate adds none, since no browser needs it",
    ));
    f.push(Finding::note(
        "flask-cors",
        "flask-cors answers every preflight 200 (its automatic OPTIONS), leaving out the CORS headers when the origin or method is not allowed; crossgate answers an allowed preflight 200 and a refused one 403",
    ));
    let _ = literal;
    out.policy = Some(PolicyConfig::default().rules(rules).preflight_status(200));
    out
}

fn literal_or_dict<'v>(v: &'v Value, loc: &str, f: &mut Vec<Finding>) -> Option<&'v Value> {
    literal(v, loc, f)
}
