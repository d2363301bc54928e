//! Express's `cors` middleware (2.8.x): its options object, as JSON or a
//! JavaScript object literal (the file may also be the module that calls
//! `cors({…})`). Semantics from `cors/lib/index.js` (2.8.6): the options are
//! merged over `{origin: '*', methods: 'GET,HEAD,PUT,PATCH,POST,DELETE',
//! preflightContinue: false, optionsSuccessStatus: 204}`; a falsy `origin`
//! turns the middleware off; a string `origin` is sent as it is to every
//! origin; arrays compare strings with `===` and test regexes
//! (`RegExp.prototype.test`, unanchored); no `allowedHeaders` reflects
//! `Access-Control-Request-Headers`; `credentials` counts only when `=== true`;
//! every `OPTIONS` request is answered as a preflight; methods and headers are
//! listed, never checked (the browser checks them).

use crossgate_core::{PolicyConfig, RuleConfig};

use super::common::{
    at, capped_max_age, literal, literal_request_headers, reflect_any_with_credentials, regex_origins, unknown,
    with_safelisted_methods, wrong_type,
};
use super::Imported;
use crate::finding::{Code, Finding};
use crate::regex_origin::Anchoring;
use crate::syntax::js::{self, Entry};
use crate::syntax::value::Value;

/// `cors`' default `methods`.
pub(crate) const DEFAULT_METHODS: [&str; 6] = ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"];

const OPTIONS: [&str; 9] = [
    "origin",
    "methods",
    "allowedHeaders",
    "headers",
    "exposedHeaders",
    "credentials",
    "maxAge",
    "preflightContinue",
    "optionsSuccessStatus",
];

/// JavaScript truthiness of a literal.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(n) => *n != 0,
        Value::Float(f) => *f != 0.0 && !f.is_nan(),
        Value::Str(s) => !s.is_empty(),
        _ => true,
    }
}

/// A comma-separated string or an array (joined with `,` by `cors`), as the
/// trimmed, non-empty items of the header it becomes.
fn list(v: &Value, loc: &str, f: &mut Vec<Finding>) -> Option<Vec<String>> {
    let joined = match literal(v, loc, f)? {
        Value::Str(s) => s.clone(),
        Value::List(items) => {
            let mut parts = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::Str(s) => parts.push(s.clone()),
                    other => {
                        f.push(wrong_type(&format!("{loc}[{i}]"), other, "a string"));
                        return None;
                    }
                }
            }
            parts.join(",")
        }
        other => {
            f.push(wrong_type(loc, other, "a comma-separated string or an array of strings"));
            return None;
        }
    };
    Some(joined.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
}

/// The origins an `origin` array (or one regex) allows, pushed onto `origins`.
fn origin_items(v: &Value, loc: &str, origins: &mut Vec<String>, any: &mut bool, f: &mut Vec<Finding>) {
    match v {
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                origin_items(item, &format!("{loc}[{i}]"), origins, any, f);
            }
        }
        Value::Str(s) if s == "*" => f.push(Finding::warning(
            Code::FrameworkSemantics,
            loc,
            "*",
            "in an array `cors` compares `*` with `===`, so it matches no origin (only `origin: \"*\"` alone means any); left out",
            "remove it, or write `origin: \"*\"` if every origin is meant",
        )),
        Value::Str(s) => {
            if !origins.contains(s) {
                origins.push(s.clone());
            }
        }
        Value::Regex { source, ignore_case } => regex_origins(source, *ignore_case, Anchoring::Search, loc, origins, f),
        other => match literal(other, loc, f) {
            None => {}
            // `!!value`: a truthy item allows every origin.
            Some(v) if truthy(v) => *any = true,
            Some(_) => {}
        },
    }
}

pub(crate) fn import(src: &str) -> Imported {
    let options = match js::parse_options(src, "cors") {
        Ok(Some(o)) => o,
        Ok(None) => {
            return Imported {
                findings: vec![Finding::error(
                    Code::NotFound,
                    "",
                    "",
                    "no options object and no `cors(…)` call found",
                    "import the options object passed to `cors` (JSON or a JavaScript object literal), or the module that calls `cors({…})`",
                )],
                ..Default::default()
            }
        }
        Err(e) => return Imported::syntax(format!("line {}", e.line), e.message),
    };
    let mut out = Imported::default();
    let f = &mut out.findings;
    for e in &options.entries {
        if e.key == "..." {
            f.push(Finding::error(
                Code::ComputedValue,
                at(e.line, "cors options"),
                e.value.display(),
                "the options are not an object literal (a variable, a spread or a call); they were not read, since reading them would mean running the file",
                "write the options as an object literal, or import the object itself",
            ));
        } else if !OPTIONS.contains(&e.key.as_str()) {
            f.push(unknown(&at(e.line, &e.key), &e.key, &OPTIONS, "Express's `cors`"));
        }
    }
    // Later keys win, as in a JavaScript object.
    let get = |name: &str| -> Option<(&Value, String)> {
        options.entries.iter().rev().find(|e| e.key == name).map(|e: &Entry| (&e.value, at(e.line, name)))
    };

    let credentials = match get("credentials") {
        None => false,
        Some((v, l)) => match literal(v, &l, f) {
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                if truthy(other) {
                    f.push(Finding::warning(
                        Code::WrongType,
                        &l,
                        other.display(),
                        "`cors` enables credentials only for `credentials: true` (it compares with `===`), so this leaves them off",
                        "write `credentials: true`, or remove the option",
                    ));
                }
                false
            }
            None => false,
        },
    };

    // origin
    let mut any = false;
    let mut origins = Vec::new();
    let origin = get("origin");
    match &origin {
        None => any = true,
        Some((v, l)) => match v {
            Value::Str(s) if s == "*" => any = true,
            Value::Str(s) if !s.is_empty() => {
                origins.push(s.clone());
                f.push(Finding::note(
                    l.as_str(),
                    "a string `origin` is sent as it is to every origin, allowed or not (the browser refuses the others); crossgate sends it only to that origin",
                ));
            }
            Value::List(_) | Value::Regex { .. } => origin_items(v, l, &mut origins, &mut any, f),
            Value::Bool(true) => any = true,
            other => match literal(other, l, f) {
                None => {}
                Some(v) if !truthy(v) => {
                    f.push(Finding::error(
                        Code::UnsupportedSetting,
                        l.as_str(),
                        v.display(),
                        "a falsy `origin` turns the middleware off: no request gets CORS headers; crossgate has no policy that allows nothing",
                        "remove the middleware, or list the origins to allow",
                    ));
                    return out;
                }
                Some(v) => f.push(wrong_type(l, v, "a string, a regex, an array of them, or true")),
            },
        },
    }
    let reflects =
        matches!(origin, Some((Value::Bool(true), _))) || (any && matches!(origin, Some((Value::List(_), _))));
    let mut credentials_out = credentials;
    if any {
        origins = vec!["*".into()];
        if credentials && reflects {
            let l = origin.as_ref().map_or_else(|| "origin".to_owned(), |(_, l)| l.clone());
            f.push(reflect_any_with_credentials(
                &l,
                "true with credentials: true",
                "`cors`",
                "list the origins you trust, or drop credentials",
            ));
            credentials_out = false;
        } else if credentials {
            // `*` with credentials: browsers refuse credentialed calls, and
            // allow the others, exactly as `*` without credentials does.
            f.push(Finding::note(
                "credentials",
                "`origin: \"*\"` with `credentials: true` sends `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`, which browsers refuse for credentialed calls; the policy allows `*` without credentials, which answers browsers alike",
            ));
            credentials_out = false;
        }
    }
    let mut rule = RuleConfig::new(origins).credentials(credentials_out);

    // methods: listed, never checked; the safelisted ones always pass.
    let mut methods: Vec<String> = match get("methods") {
        None => DEFAULT_METHODS.iter().map(|m| (*m).to_owned()).collect(),
        Some((v, l)) => list(v, &l, f).unwrap_or_default(),
    };
    if methods.iter().any(|m| m == "*") && credentials_out {
        methods.retain(|m| m != "*");
        f.push(Finding::note(
            "methods",
            "with credentials, browsers read `Access-Control-Allow-Methods: *` as a method named `*`; the policy allows only the methods listed",
        ));
    }
    with_safelisted_methods(&mut methods);
    rule.methods = Some(methods);

    // allowedHeaders (or its alias headers); unset or falsy: the requested ones are reflected.
    let headers =
        get("allowedHeaders").filter(|(v, _)| truthy(v)).or_else(|| get("headers").filter(|(v, _)| truthy(v)));
    rule.request_headers = match headers {
        None => {
            f.push(Finding::note(
                "allowedHeaders",
                "without `allowedHeaders`, `cors` reflects whatever `Access-Control-Request-Headers` asks for; the policy says `*` and `authorization`, which allows a browser the same headers",
            ));
            vec!["*".into(), "authorization".into()]
        }
        Some((v, l)) => {
            let mut names: Vec<String> =
                list(v, &l, f).unwrap_or_default().iter().map(|h| h.to_ascii_lowercase()).collect();
            literal_request_headers(&mut names, credentials_out, &l, f);
            names
        }
    };
    rule.expose_headers = match get("exposedHeaders") {
        Some((v, l)) if truthy(v) => list(v, &l, f).unwrap_or_default(),
        _ => Vec::new(),
    };
    rule.max_age = match get("maxAge") {
        None => None,
        Some((v, l)) => match literal(v, &l, f) {
            Some(Value::Int(n)) => Some(capped_max_age(*n, &l, f)),
            Some(Value::Str(s)) if s.trim().parse::<i64>().is_ok() => {
                s.trim().parse().ok().map(|n| capped_max_age(n, &l, f))
            }
            Some(Value::Null | Value::Bool(false)) => None,
            Some(Value::Str(s)) if s.is_empty() => None,
            Some(other) => {
                f.push(wrong_type(&l, other, "a whole number of seconds"));
                None
            }
            None => None,
        },
    };

    let mut policy = PolicyConfig::new(rule);
    let continues = match get("preflightContinue") {
        None => false,
        Some((v, l)) => literal(v, &l, f).is_some_and(truthy),
    };
    if continues {
        f.push(
            Finding::warning(
                Code::UnsupportedSetting,
                "preflightContinue",
                "true",
                "with `preflightContinue`, `cors` sets the preflight's headers and passes the OPTIONS request on to the app, whose status decides; crossgate answers the preflight itself",
                "make sure the app answers OPTIONS with 2xx on every CORS path, as the translation assumes",
            )
            .differing(vec![
                "every path where the app answers OPTIONS with a status other than 2xx: the preflight fails under `cors`; crossgate's succeeds".into(),
            ]),
        );
    }
    match get("optionsSuccessStatus") {
        Some((v, l)) if !continues => match literal(v, &l, f) {
            Some(Value::Int(n)) if (200..300).contains(n) => policy.preflight_status = *n as u16,
            Some(other @ Value::Int(_)) => f.push(
                Finding::error(
                    Code::WrongType,
                    l,
                    other.display(),
                    "a preflight answered with a status other than 2xx fails in every browser; the policy answers 204",
                    "use 204, or 200 for legacy clients",
                )
                .differing(vec!["every preflight: `cors`' answer fails in the browser; crossgate's succeeds".into()]),
            ),
            Some(other) => f.push(wrong_type(&l, other, "an HTTP status (204, or 200 for legacy clients)")),
            None => {}
        },
        _ => {}
    }
    f.push(Finding::note(
        "cors",
        "`cors` answers every OPTIONS request as a preflight, with its lists, for any origin (a refused one gets no `Access-Control-Allow-Origin`, so the browser refuses it); crossgate answers a refused preflight 403 without CORS headers",
    ));
    out.policy = Some(policy);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn rule(src: &str) -> (RuleConfig, PolicyConfig, Vec<Finding>) {
        let imported = import(src);
        let policy = imported.policy.unwrap_or_else(|| panic!("{src}: no policy: {:?}", imported.findings));
        (policy.rules[0].clone(), policy, imported.findings)
    }

    fn codes(findings: &[Finding], severity: Severity) -> Vec<&'static str> {
        findings.iter().filter(|f| f.severity == severity).map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn defaults_are_cors_defaults() {
        let (r, p, f) = rule("{}");
        assert_eq!(r.origins, ["*"]);
        assert_eq!(r.methods.unwrap(), DEFAULT_METHODS);
        assert_eq!(r.request_headers, ["*", "authorization"]);
        assert!(!r.credentials);
        assert_eq!(p.preflight_status, 204);
        assert!(codes(&f, Severity::Error).is_empty(), "{f:?}");
    }

    #[test]
    fn options_translate() {
        // (options, origins, methods, request headers, expose, credentials, max age, preflight status)
        type Row = (
            &'static str,
            &'static [&'static str],
            &'static [&'static str],
            &'static [&'static str],
            &'static [&'static str],
            bool,
            Option<i64>,
            u16,
        );
        let rows: [Row; 8] = [
            ("{origin: 'https://a.com'}", &["https://a.com"], &DEFAULT_METHODS, &["*", "authorization"], &[], false, None, 204),
            (
                "{origin: ['https://a.com', 'https://b.com'], credentials: true, methods: ['GET', 'PUT'], allowedHeaders: 'Content-Type, X-Trace-Id', exposedHeaders: ['X-Request-Id'], maxAge: 600}",
                &["https://a.com", "https://b.com"],
                &["GET", "PUT", "HEAD", "POST"],
                &["content-type", "x-trace-id"],
                &["X-Request-Id"],
                true,
                Some(600),
                204,
            ),
            ("{origin: true, optionsSuccessStatus: 200}", &["*"], &DEFAULT_METHODS, &["*", "authorization"], &[], false, None, 200),
            ("{origin: '*', methods: 'POST', headers: ['x-a']}", &["*"], &["POST", "GET", "HEAD"], &["x-a"], &[], false, None, 204),
            ("{\"origin\": [\"https://a.com\", \"*\"], \"maxAge\": \"86400\"}", &["https://a.com"], &DEFAULT_METHODS, &["*", "authorization"], &[], false, Some(86400), 204),
            ("{origin: '*', credentials: true, methods: '*'}", &["*"], &["*"], &["*", "authorization"], &[], false, None, 204),
            ("{origin: ['https://a.com'], credentials: true, allowedHeaders: '*', methods: '*'}", &["https://a.com"], &["GET", "HEAD", "POST"], &[], &[], true, None, 204),
            ("{origin: ['https://a.com'], allowedHeaders: '*'}", &["https://a.com"], &DEFAULT_METHODS, &["*", "authorization"], &[], false, None, 204),
        ];
        for (src, origins, methods, headers, expose, credentials, max_age, status) in rows {
            let (r, p, f) = rule(src);
            assert_eq!(r.origins, origins, "{src}");
            assert_eq!(r.methods.as_deref().unwrap(), methods, "{src}");
            assert_eq!(r.request_headers, headers, "{src}");
            assert_eq!(r.expose_headers, expose, "{src}");
            assert_eq!(r.credentials, credentials, "{src}");
            assert_eq!(r.max_age, max_age, "{src}");
            assert_eq!(p.preflight_status, status, "{src}");
            assert!(codes(&f, Severity::Error).is_empty(), "{src}: {f:?}");
        }
    }

    #[test]
    fn regexes_are_unanchored_tests() {
        let (r, _, f) = rule(r"{origin: [/^https:\/\/(.+\.)?example\.com$/, 'http://localhost:3000']}");
        assert_eq!(r.origins, ["https://example.com", "https://*.example.com", "http://localhost:3000"]);
        assert!(codes(&f, Severity::Error).is_empty(), "{f:?}");
        let (r, _, f) = rule(r"{origin: /example\.com$/}");
        assert!(!r.origins.is_empty());
        let unanchored = f.iter().find(|f| f.code == Code::RegexUnanchored).expect("an unanchored regex is an error");
        assert!(unanchored.differs.iter().any(|d| d.starts_with("https://evilexample.com")), "{unanchored:?}");
    }

    #[test]
    fn bad_inputs_are_findings_naming_their_place() {
        // (options, code, location the finding names)
        let rows: [(&str, &str, &str); 12] = [
            ("{\n origin: allowedOrigins }", "computed-value", "line 2: origin"),
            ("{ origin: process.env.ORIGIN }", "computed-value", "line 1: origin"),
            ("{\n\n origin: function (o, cb) { cb(null, true) } }", "computed-value", "line 3: origin"),
            ("{ origin: /example\\.com$/g }", "computed-value", "line 1: origin"),
            ("{ origin: true, credentials: true }", "reflect-any-with-credentials", "line 1: origin"),
            // A truthy array item (`!!item`) allows every origin.
            ("{ origin: ['https://a.com', 42], credentials: true }", "reflect-any-with-credentials", "line 1: origin"),
            ("{ origin: false }", "unsupported-setting", "line 1: origin"),
            ("{ origins: ['https://a.com'] }", "unknown-setting", "line 1: origins"),
            ("{ origin: 'https://a.com', optionsSuccessStatus: 404 }", "wrong-type", "line 1: optionsSuccessStatus"),
            ("{ methods: 42 }", "wrong-type", "line 1: methods"),
            ("{ ...defaults, origin: 'https://a.com' }", "computed-value", "line 1: cors options"),
            ("{ origin: [/^https:\\/\\/.*example\\.com$/] }", "regex-not-expressible", "line 1: origin[0]"),
        ];
        for (src, code, loc) in rows {
            let imported = import(src);
            let found = imported.findings.iter().find(|f| f.code.as_str() == code && f.severity == Severity::Error);
            let found = found.unwrap_or_else(|| panic!("{src}: no {code} error in {:?}", imported.findings));
            assert_eq!(found.location, loc, "{src}");
            assert!(!imported.is_exact(), "{src}");
        }
    }

    #[test]
    fn syntax_and_missing_options() {
        let imported = import("{\n origin: 'a\n}");
        assert_eq!(imported.findings[0].code, Code::SyntaxError);
        assert_eq!(imported.findings[0].location, "line 2");
        assert!(imported.policy.is_none());
        let imported = import("const x = 1;");
        assert_eq!(imported.findings[0].code, Code::NotFound);
    }

    #[test]
    fn credentials_only_when_strictly_true() {
        let (r, _, f) = rule("{ origin: 'https://a.com', credentials: 'true' }");
        assert!(!r.credentials);
        assert!(f.iter().any(|f| f.code == Code::WrongType && f.severity == Severity::Warning));
    }
}
