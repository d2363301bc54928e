//! nginx: `add_header Access-Control-* … [always]` in `http`, `server`,
//! `location` and `if ($request_method = OPTIONS) { … return 204; }` blocks,
//! with `map $http_origin $var { … }` (exact keys and `~`/`~*` regexes) for
//! the allowed origins. Semantics from nginx's documentation of
//! `ngx_http_headers_module` and `ngx_http_map_module` (1.22):
//! - `add_header` is inherited from the enclosing level only when the level
//!   has none of its own (an `if` block is a level);
//! - without `always`, a header is added only to 200, 201, 204, 206, 301,
//!   302, 303, 304, 307 and 308 responses; an empty value adds nothing;
//! - nginx checks nothing: the headers go to every request, whatever its
//!   `Origin`, method or headers (the browser checks them);
//! - a `map` regex is searched anywhere in the string unless anchored.

use crossgate_core::{PolicyConfig, RuleConfig};

use super::common::{
    capped_max_age, closest, literal_request_headers, reflect_any_with_credentials, regex_origins,
    with_safelisted_methods,
};
use super::Imported;
use crate::finding::{Code, Finding, Severity};
use crate::regex_origin::Anchoring;
use crate::syntax::nginx::{self, Directive};

/// The statuses `add_header` without `always` applies to.
const ALWAYS_LESS_STATUSES: &str = "200, 201, 204, 206, 301, 302, 303, 304, 307, 308";
const CORS_HEADERS: [&str; 7] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-expose-headers",
    "access-control-max-age",
    "access-control-allow-private-network",
];

fn at(line: usize, what: &str) -> String {
    format!("line {line}: {what}")
}

/// One `add_header` of a CORS header.
#[derive(Clone, Debug)]
struct Header {
    name: String,
    value: String,
    always: bool,
    line: usize,
}

/// The `add_header`s of one level, or `None` when it has none (and inherits).
fn own_headers(block: &[Directive], f: &mut Vec<Finding>) -> Option<Vec<Header>> {
    let mut any = false;
    let mut out = Vec::new();
    for d in block.iter().filter(|d| d.name == "add_header") {
        any = true;
        let (Some(name), Some(value)) = (d.args.first(), d.args.get(1)) else {
            f.push(Finding::error(
                Code::SyntaxError,
                at(d.line, "add_header"),
                d.args.join(" "),
                "`add_header` takes a name and a value",
                "write `add_header NAME VALUE [always];`",
            ));
            continue;
        };
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("access-control-") && !CORS_HEADERS.contains(&lower.as_str()) {
            let help = closest(&lower, &CORS_HEADERS).map_or_else(
                || "remove it: browsers read no such header".to_owned(),
                |k| format!("did you mean `{k}`?"),
            );
            f.push(Finding::new(
                Severity::Error,
                Code::UnknownSetting,
                at(d.line, "add_header"),
                name.as_str(),
                format!("`{name}` is not a CORS response header; browsers ignore it"),
                help,
            ));
            continue;
        }
        if CORS_HEADERS.contains(&lower.as_str()) {
            out.push(Header {
                name: lower,
                value: value.clone(),
                always: d.args.get(2).is_some_and(|a| a == "always"),
                line: d.line,
            });
        }
    }
    any.then_some(out)
}

/// `map $http_origin $var { … }`: exact keys and regexes whose value is
/// `$http_origin` (reflect) or the key itself.
#[derive(Clone, Debug)]
struct Map {
    var: String,
    line: usize,
    entries: Vec<Directive>,
}

fn maps(directives: &[Directive], out: &mut Vec<Map>) {
    for d in directives {
        if d.name == "map" && d.args.len() == 2 && d.block.is_some() {
            out.push(Map { var: d.args[1].clone(), line: d.line, entries: d.children().to_vec() });
            if d.args[0] != "$http_origin" {
                // Kept, and reported when used: the origins come from something else.
                out.last_mut().expect("just pushed").var = format!("{}\u{0}{}", d.args[1], d.args[0]);
            }
        } else if d.name == "http" {
            maps(d.children(), out);
        }
    }
}

/// What `Access-Control-Allow-Origin` allows.
#[derive(Clone, Debug, PartialEq)]
enum Allow {
    /// `*`.
    Any,
    /// `$http_origin`: every origin reflected.
    Reflect,
    /// A fixed string (sent to every origin).
    Fixed(String),
    /// The origins a map lets through, translated.
    Listed(Vec<String>),
}

fn origins_of(h: &Header, maps: &[Map], f: &mut Vec<Finding>) -> Option<Allow> {
    let v = h.value.trim();
    let loc = at(h.line, "Access-Control-Allow-Origin");
    if v == "*" {
        return Some(Allow::Any);
    }
    if v == "$http_origin" {
        return Some(Allow::Reflect);
    }
    if let Some(var) = v.strip_prefix('$') {
        let var = format!("${var}");
        let Some(map) = maps.iter().find(|m| m.var.split('\u{0}').next() == Some(var.as_str())) else {
            f.push(Finding::error(
                Code::ComputedValue,
                &loc,
                v,
                format!("`{v}` is not set by a `map $http_origin {var} {{ … }}` in this file (a `set` in an `if` depends on how the request runs); not read"),
                "define the allowed origins with `map $http_origin … { \"https://app.example.com\" $http_origin; }`, or translate this header by hand",
            ));
            return None;
        };
        if let Some((_, source)) = map.var.split_once('\u{0}') {
            f.push(Finding::error(
                Code::ComputedValue,
                at(map.line, "map"),
                source,
                format!("the map sets `{var}` from `{source}`, not from `$http_origin`"),
                "map `$http_origin` to the allowed origin",
            ));
            return None;
        }
        let mut origins = Vec::new();
        let mut reflect_default = false;
        for e in &map.entries {
            let l = at(e.line, "map");
            let value = e.args.first().map(String::as_str).unwrap_or("");
            let key = e.name.as_str();
            if matches!(key, "hostnames" | "volatile") {
                continue;
            }
            if key == "include" {
                f.push(Finding::error(
                    Code::ComputedValue,
                    l,
                    value,
                    "the map includes another file; its entries were not read",
                    "import a file with the entries written in it",
                ));
                continue;
            }
            let reflects = value == "$http_origin";
            if key == "default" {
                if reflects {
                    reflect_default = true;
                } else if !value.is_empty() {
                    origins.push(value.to_owned());
                }
                continue;
            }
            if !reflects && value != key && !value.is_empty() {
                f.push(Finding::error(
                    Code::UnsupportedSetting,
                    l,
                    format!("{key} {value}"),
                    "the map answers a matching origin with another origin; browsers refuse it, crossgate does not say it",
                    "map each origin to `$http_origin` (or to itself)",
                ));
                continue;
            }
            if value.is_empty() {
                continue;
            }
            if let Some(re) = key.strip_prefix("~*") {
                regex_origins(re, true, Anchoring::Search, &l, &mut origins, f);
            } else if let Some(re) = key.strip_prefix('~') {
                regex_origins(re, false, Anchoring::Search, &l, &mut origins, f);
            } else {
                let key = key.strip_prefix('\\').unwrap_or(key);
                if !origins.iter().any(|o| o == key) {
                    origins.push(key.to_owned());
                }
            }
        }
        return Some(if reflect_default { Allow::Reflect } else { Allow::Listed(origins) });
    }
    if v.contains('$') || v.contains(' ') || v.contains(',') {
        f.push(Finding::error(
            Code::WrongType,
            &loc,
            v,
            "`Access-Control-Allow-Origin` holds one origin, `*`, or a variable; browsers refuse a list or a mix",
            "use a `map $http_origin` that lets each allowed origin through",
        ));
        return None;
    }
    Some(Allow::Fixed(v.to_owned()))
}

fn list(v: &str) -> Vec<String> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn get<'h>(headers: &'h [Header], name: &str) -> Option<&'h Header> {
    headers.iter().rev().find(|h| h.name == name)
}

/// Whether an `if` condition tests for OPTIONS: `($request_method = OPTIONS)`.
fn is_options_test(d: &Directive) -> bool {
    let cond = d.args.join(" ");
    let cond = cond.trim().trim_start_matches('(').trim_end_matches(')');
    let words: Vec<&str> = cond.split_whitespace().map(|w| w.trim_matches(['"', '\''])).collect();
    matches!(words.as_slice(), ["$request_method", "=", "OPTIONS"])
}

/// The preflight branch of a block: its headers (own, or inherited) and the status it returns.
struct Preflight {
    headers: Vec<Header>,
    status: Option<(u16, usize)>,
}

fn preflight_of(block: &[Directive], inherited: &[Header], f: &mut Vec<Finding>) -> Option<Preflight> {
    let iff = block.iter().find(|d| d.name == "if" && is_options_test(d))?;
    let headers = own_headers(iff.children(), f).unwrap_or_else(|| inherited.to_vec());
    let status = iff.children().iter().find(|d| d.name == "return").and_then(|r| {
        let code = r.args.first().and_then(|c| c.parse::<u16>().ok());
        if code.is_none() {
            f.push(Finding::error(
                Code::WrongType,
                at(r.line, "return"),
                r.args.join(" "),
                "the preflight branch returns something other than a status",
                "write `return 204;`",
            ));
        }
        code.map(|c| (c, r.line))
    });
    Some(Preflight { headers, status })
}

/// A location's path scope in crossgate's grammar, with how it differs.
fn scope_of(d: &Directive, f: &mut Vec<Finding>) -> Option<Option<String>> {
    let loc = at(d.line, "location");
    match d.args.as_slice() {
        [p] if p == "/" => Some(None),
        [m, p] if m == "^~" && p == "/" => Some(None),
        [m, p] if m == "=" => Some(Some(p.clone())),
        [p] | [_, p] if d.args.len() == 1 || d.args[0] == "^~" => {
            let base = p.trim_end_matches('/');
            let (scope, differs) = if p.ends_with('/') {
                (
                    format!("{base}/*"),
                    format!("{base}: nginx's `location {p}` does not cover it; crossgate's `{base}/*` does"),
                )
            } else {
                (
                    format!("{base}/*"),
                    format!("{base}x (any longer name): nginx's prefix `location {p}` covers it; crossgate's `{base}/*` does not"),
                )
            };
            f.push(
                Finding::warning(
                    Code::PathNotExpressible,
                    loc,
                    p.as_str(),
                    format!("nginx's prefix `{p}` translated to `{scope}`, which covers `{base}` itself and not a longer name"),
                    "check the paths listed below",
                )
                .differing(vec![differs]),
            );
            Some(Some(scope))
        }
        _ => {
            f.push(Finding::error(
                Code::PathNotExpressible,
                loc,
                d.args.join(" "),
                "a regex location is not translated; crossgate's scopes are `/exact` and `/prefix/*`",
                "use a prefix location, or write the policy's `paths` by hand",
            ));
            None
        }
    }
}

/// One level that answers requests: its actual-response headers and its preflight branch.
struct Level {
    scope: Option<String>,
    line: usize,
    actual: Vec<Header>,
    preflight: Option<Preflight>,
}

pub(crate) fn import(src: &str) -> Imported {
    let directives = match nginx::parse(src) {
        Ok(d) => d,
        Err(e) => return Imported::syntax(format!("line {}", e.line), e.message),
    };
    let mut out = Imported::default();
    let f = &mut out.findings;
    let mut all_maps = Vec::new();
    maps(&directives, &mut all_maps);
    // The server block (top level, or inside `http`), or the file as one.
    let http = directives.iter().find(|d| d.name == "http");
    let top: &[Directive] = http.map_or(&directives, |h| h.children());
    let http_headers = own_headers(top, f).unwrap_or_default();
    let servers: Vec<&Directive> = top.iter().filter(|d| d.name == "server").collect();
    let (server_body, server_line): (&[Directive], usize) = match servers.as_slice() {
        [] => (top, 1),
        [one, ..] => {
            if servers.len() > 1 {
                f.push(Finding::warning(
                    Code::UnsupportedSetting,
                    at(servers[1].line, "server"),
                    "",
                    "only the first `server` block is imported",
                    "import each server's file on its own",
                ));
            }
            (one.children(), one.line)
        }
    };
    let server_headers = own_headers(server_body, f).unwrap_or(http_headers);
    let server_preflight = preflight_of(server_body, &server_headers, f);
    let mut levels = Vec::new();
    let mut has_root = false;
    for d in server_body.iter().filter(|d| d.name == "location") {
        let Some(scope) = scope_of(d, f) else { continue };
        has_root |= scope.is_none();
        let actual = own_headers(d.children(), f).unwrap_or_else(|| server_headers.clone());
        let preflight = preflight_of(d.children(), &actual, f);
        levels.push(Level { scope, line: d.line, actual, preflight });
    }
    if !has_root {
        levels.push(Level { scope: None, line: server_line, actual: server_headers.clone(), preflight: None });
    }
    // The most specific scope first, as nginx picks the longest prefix.
    levels.sort_by_key(|l| std::cmp::Reverse(l.scope.as_ref().map_or(0, |s| s.len() + usize::from(!s.ends_with('*')))));

    let mut rules = Vec::new();
    let mut preflight_status = None;
    let mut without_cors = Vec::new();
    for level in &levels {
        // A server-level `if` runs before any location.
        let preflight = server_preflight.as_ref().or(level.preflight.as_ref());
        let Some(acao) = get(&level.actual, "access-control-allow-origin") else {
            if preflight.is_some_and(|p| get(&p.headers, "access-control-allow-origin").is_some()) {
                f.push(Finding::error(
                    Code::UnsupportedSetting,
                    at(level.line, "location"),
                    "",
                    "the preflight branch allows origins but the other responses carry no `Access-Control-Allow-Origin`, so every call fails after its preflight",
                    "add the same `add_header Access-Control-Allow-Origin` outside the `if`",
                ));
            }
            without_cors.push(level);
            continue;
        };
        let Some(allow) = origins_of(acao, &all_maps, f) else { continue };
        let credentials =
            get(&level.actual, "access-control-allow-credentials").is_some_and(|h| h.value.trim() == "true");
        let pf_headers: &[Header] = preflight.map_or(&level.actual, |p| &p.headers);
        if let Some(p) = preflight {
            let pf_allow =
                get(&p.headers, "access-control-allow-origin").and_then(|h| origins_of(h, &all_maps, &mut Vec::new()));
            if pf_allow.as_ref() != Some(&allow) {
                f.push(Finding::error(
                    Code::UnsupportedSetting,
                    at(p.headers.first().map_or(level.line, |h| h.line), "if ($request_method = OPTIONS)"),
                    "",
                    "the preflight branch allows other origins than the other responses; crossgate has one list for both (the other responses' is used)",
                    "repeat the same `Access-Control-Allow-Origin` in the `if` block",
                ));
            }
            match p.status {
                Some((code, _)) if (200..300).contains(&code) => preflight_status = Some(code),
                Some((code, line)) => f.push(Finding::error(
                    Code::WrongType,
                    at(line, "return"),
                    code.to_string(),
                    "a preflight answered with a status other than 2xx fails in every browser; the policy answers 204",
                    "write `return 204;`",
                )),
                None => {}
            }
        }
        let missing: Vec<&str> = level
            .actual
            .iter()
            .filter(|h| {
                !h.always
                    && matches!(
                        h.name.as_str(),
                        "access-control-allow-origin"
                            | "access-control-allow-credentials"
                            | "access-control-expose-headers"
                    )
            })
            .map(|h| h.name.as_str())
            .collect();
        if !missing.is_empty() {
            f.push(
                Finding::error(
                    Code::AddHeaderWithoutAlways,
                    at(acao.line, "add_header"),
                    missing.join(", "),
                    format!("without `always`, nginx adds these only to {ALWAYS_LESS_STATUSES} responses, so a page cannot read an error (4xx, 5xx) or sees it without them; crossgate adds its headers to every response"),
                    "add `always` (`add_header Access-Control-Allow-Origin … always;`) so error responses reach the page too",
                )
                .differing(vec![format!(
                    "every response with a status other than {ALWAYS_LESS_STATUSES}: nginx sends no {}; crossgate does",
                    missing.join(", ")
                )]),
            );
        }
        let mut credentials_out = credentials;
        let origins = match allow {
            Allow::Any => {
                if credentials {
                    f.push(Finding::note(
                        "Access-Control-Allow-Origin",
                        "`*` with `Access-Control-Allow-Credentials: true`: browsers refuse every credentialed call; the policy allows `*` without credentials, which answers browsers alike",
                    ));
                    credentials_out = false;
                }
                vec!["*".to_owned()]
            }
            Allow::Reflect => {
                if credentials {
                    f.push(reflect_any_with_credentials(
                        &at(acao.line, "Access-Control-Allow-Origin"),
                        "$http_origin with credentials",
                        "nginx",
                        "let only the origins you trust through a `map $http_origin`",
                    ));
                    credentials_out = false;
                }
                vec!["*".to_owned()]
            }
            Allow::Fixed(o) => {
                f.push(Finding::note(
                    at(acao.line, "Access-Control-Allow-Origin"),
                    "a fixed origin is sent to every origin, allowed or not (the browser refuses the others); crossgate sends it only to that origin",
                ));
                vec![o]
            }
            Allow::Listed(o) if o.is_empty() => {
                f.push(Finding::error(
                    Code::UnsupportedSetting,
                    at(acao.line, "Access-Control-Allow-Origin"),
                    acao.value.as_str(),
                    "the map lets no origin through; crossgate has no rule that allows nothing",
                    "add the allowed origins to the map",
                ));
                continue;
            }
            Allow::Listed(o) => o,
        };
        let mut rule = RuleConfig::new(origins).credentials(credentials_out);
        let mut methods = get(pf_headers, "access-control-allow-methods").map(|h| list(&h.value)).unwrap_or_default();
        if credentials_out && methods.iter().any(|m| m == "*") {
            methods.retain(|m| m != "*");
        }
        with_safelisted_methods(&mut methods);
        rule.methods = Some(methods);
        let acah = get(pf_headers, "access-control-allow-headers");
        let mut headers: Vec<String> =
            acah.map(|h| list(&h.value).iter().map(|n| n.to_ascii_lowercase()).collect()).unwrap_or_default();
        let acah_loc = at(acah.map_or(level.line, |h| h.line), "Access-Control-Allow-Headers");
        literal_request_headers(&mut headers, credentials_out, &acah_loc, f);
        rule.request_headers = headers;
        rule.expose_headers =
            get(&level.actual, "access-control-expose-headers").map(|h| list(&h.value)).unwrap_or_default();
        rule.max_age = match get(pf_headers, "access-control-max-age") {
            None => None,
            Some(h) => match h.value.trim().parse::<i64>() {
                Ok(n) => Some(capped_max_age(n, &at(h.line, "Access-Control-Max-Age"), f)),
                Err(_) => {
                    f.push(Finding::error(
                        Code::WrongType,
                        at(h.line, "Access-Control-Max-Age"),
                        h.value.as_str(),
                        "not a whole number of seconds; browsers ignore it and cache for 5 s",
                        "write a number of seconds",
                    ));
                    None
                }
            },
        };
        rule.allow_private_network =
            get(pf_headers, "access-control-allow-private-network").is_some_and(|h| h.value.trim() == "true");
        rule.paths = level.scope.clone().map(|s| vec![s]);
        rules.push(rule);
    }
    // A location without CORS headers inside a scope that has them.
    for level in &without_cors {
        let Some(scope) = &level.scope else { continue };
        if rules.iter().any(|r| r.paths.is_none()) {
            f.push(
                Finding::error(
                    Code::PathNotExpressible,
                    at(level.line, "location"),
                    scope.as_str(),
                    "this location sends no CORS headers, but crossgate's rules cover it (a rule cannot allow nothing)",
                    "give the location the same headers, or scope the other rules' paths so they leave it out",
                )
                .differing(vec![format!(
                    "{}: nginx sends no CORS headers; crossgate answers as its broader rule",
                    scope.trim_end_matches("/*")
                )]),
            );
        }
    }
    if rules.is_empty() {
        f.push(Finding::error(
            Code::NotFound,
            "",
            "",
            "no `add_header Access-Control-Allow-Origin …` found",
            "import the server block (or site file) that adds the CORS headers",
        ));
        return out;
    }
    if server_preflight.is_none() && levels.iter().all(|l| l.preflight.is_none()) {
        f.push(
            Finding::warning(
                Code::UnsupportedSetting,
                "if ($request_method = OPTIONS)",
                "",
                "there is no preflight branch: nginx passes preflights on to the upstream, whose status decides, with the headers above; crossgate answers them itself",
                "make sure the upstream answers OPTIONS with 2xx on every CORS path, as the translation assumes, or add `if ($request_method = OPTIONS) { …; return 204; }`",
            )
            .differing(vec![
                "every path where the upstream answers OPTIONS with a status other than 2xx: the preflight fails behind nginx; crossgate's succeeds".into(),
            ]),
        );
    }
    f.push(Finding::note(
        "nginx",
        "nginx adds its headers to every request, whatever its `Origin`, method or requested headers (the browser checks them), and no `Vary` unless one is added; crossgate answers only allowed requests, refuses a preflight with 403, and varies on what it reads",
    ));
    let mut policy = PolicyConfig::default();
    policy.rules = rules;
    if let Some(s) = preflight_status {
        policy.preflight_status = s;
    }
    out.policy = Some(policy);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imported(src: &str) -> (Vec<RuleConfig>, Vec<Finding>) {
        let i = import(src);
        (i.policy.map(|p| p.rules).unwrap_or_default(), i.findings)
    }

    const ENABLE_CORS: &str = r#"
server {
    listen 80;
    location / {
        if ($request_method = 'OPTIONS') {
            add_header 'Access-Control-Allow-Origin' 'https://app.example.com';
            add_header 'Access-Control-Allow-Methods' 'GET, POST, OPTIONS';
            add_header 'Access-Control-Allow-Headers' 'DNT,User-Agent,X-Requested-With,Content-Type';
            add_header 'Access-Control-Max-Age' 1728000;
            add_header 'Content-Type' 'text/plain; charset=utf-8';
            return 204;
        }
        add_header 'Access-Control-Allow-Origin' 'https://app.example.com' always;
        add_header 'Access-Control-Expose-Headers' 'Content-Length,Content-Range' always;
        proxy_pass http://backend;
    }
}
"#;

    #[test]
    fn the_enable_cors_recipe() {
        let (rules, f) = imported(ENABLE_CORS);
        assert_eq!(rules.len(), 1);
        let r = &rules[0];
        assert_eq!(r.origins, ["https://app.example.com"]);
        assert_eq!(r.methods.as_deref().unwrap(), ["GET", "POST", "OPTIONS", "HEAD"]);
        assert_eq!(r.request_headers, ["dnt", "user-agent", "x-requested-with", "content-type"]);
        assert_eq!(r.expose_headers, ["Content-Length", "Content-Range"]);
        assert_eq!(r.max_age, Some(crossgate_core::limits::MAX_AGE_LIMIT));
        assert!(r.paths.is_none());
        assert!(f.iter().all(|f| f.severity != Severity::Error), "{f:?}");
    }

    #[test]
    fn a_map_of_exact_origins_and_regexes() {
        let src = r#"
map $http_origin $cors_origin {
    default "";
    "https://app.example.com" $http_origin;
    "~^https://([a-z0-9-]+\.)?example\.org$" $http_origin;
}
server {
    location /api/ {
        add_header Access-Control-Allow-Origin $cors_origin always;
        add_header Access-Control-Allow-Credentials true always;
        add_header Vary Origin always;
        proxy_pass http://app;
    }
}
"#;
        let (rules, f) = imported(src);
        assert_eq!(rules[0].origins, ["https://app.example.com", "https://example.org", "https://*.example.org"]);
        assert!(rules[0].credentials);
        assert_eq!(rules[0].paths.as_deref().unwrap(), ["/api/*"]);
        let path = f.iter().find(|f| f.code == Code::PathNotExpressible).expect("the prefix is announced");
        assert!(path.differs[0].starts_with("/api:"), "{path:?}");
    }

    #[test]
    fn missing_always_is_an_error_with_what_differs() {
        let src = "server { location / { add_header Access-Control-Allow-Origin *; proxy_pass http://a; } }";
        let (rules, f) = imported(src);
        assert_eq!(rules[0].origins, ["*"]);
        let always = f.iter().find(|f| f.code == Code::AddHeaderWithoutAlways).expect("always is named");
        assert_eq!(always.location, "line 1: add_header");
        assert!(always.differs[0].contains("status other than"));
    }

    #[test]
    fn inheritance_follows_nginx() {
        // The location has an add_header of its own, so the server's are not inherited.
        let src = "server {\n add_header Access-Control-Allow-Origin https://a.com always;\n location / { add_header X-Frame-Options DENY; }\n location /pub/ { proxy_pass http://a; }\n}";
        let (rules, f) = imported(src);
        assert_eq!(rules.len(), 1, "{rules:?}");
        assert_eq!(rules[0].paths.as_deref().unwrap(), ["/pub/*"]);
        assert!(f.iter().any(|f| f.code == Code::PathNotExpressible), "{f:?}");
    }

    #[test]
    fn bad_inputs_are_findings_naming_their_place() {
        let rows: [(&str, &str, &str); 9] = [
            ("server { add_header Access-Control-Allow-Origin $origin_ok always; }", "computed-value", "line 1: Access-Control-Allow-Origin"),
            ("server {\n add_header Access-Control-Allow-Origin $http_origin always;\n add_header Access-Control-Allow-Credentials true always;\n}", "reflect-any-with-credentials", "line 2: Access-Control-Allow-Origin"),
            ("server { add_header Access-Control-Allow-Origin 'https://a.com, https://b.com' always; }", "wrong-type", "line 1: Access-Control-Allow-Origin"),
            ("server {\n add_header Access-Control-Allow-Origin * always;\n add_header Access-Control-Allow-Header x-a always; }", "unknown-setting", "line 3: add_header"),
            ("server { location ~ ^/api { add_header Access-Control-Allow-Origin * always; } }", "not-found", ""),
            ("server { location / { if ($request_method = OPTIONS) { add_header Access-Control-Allow-Origin * always; return 403; } add_header Access-Control-Allow-Origin * always; } }", "wrong-type", "line 1: return"),
            ("server { add_header Access-Control-Allow-Origin * always; add_header Access-Control-Max-Age 1d always; }", "wrong-type", "line 1: Access-Control-Max-Age"),
            ("map $host $c { default $http_origin; }\nserver { add_header Access-Control-Allow-Origin $c always; }", "computed-value", "line 1: map"),
            ("server { listen 80; }", "cors-config-not-found", ""),
        ];
        for (src, code, loc) in rows {
            let i = import(src);
            let code = if code == "not-found" { "cors-config-not-found" } else { code };
            let found = i.findings.iter().find(|f| f.code.as_str() == code && f.severity == Severity::Error);
            let found = found.unwrap_or_else(|| panic!("{src}: no {code} error in {:?}", i.findings));
            assert_eq!(found.location, loc, "{src}");
            assert!(!i.is_exact(), "{src}");
        }
        let i = import("server {\n location / {\n");
        assert_eq!((i.findings[0].code, i.findings[0].location.as_str()), (Code::SyntaxError, "line 2"));
    }
}
