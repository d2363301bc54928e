//! What every importer shares: reading literal values into typed settings
//! (with a finding naming the line when a value is not a literal), and
//! turning origin regexes into patterns.

use crate::finding::{Code, Finding, Severity};
use crate::regex_origin::{self, Anchoring};
use crate::syntax::value::Value;

/// Where a value was read: `line 12: CORS_ALLOWED_ORIGINS`.
pub(crate) fn at(line: usize, name: &str) -> String {
    format!("line {line}: {name}")
}

/// The literal behind `v`, or a `computed-value` finding.
pub(crate) fn literal<'v>(v: &'v Value, loc: &str, findings: &mut Vec<Finding>) -> Option<&'v Value> {
    match v.not_literal() {
        None => Some(v),
        Some(why) => {
            findings.push(Finding::error(
                Code::ComputedValue,
                loc,
                v.display(),
                format!("the value is not a literal ({why}); it was not read, since reading it would mean running the file"),
                "write the value as a literal (a string, a list of strings, a number, True/False), or translate this setting by hand",
            ));
            None
        }
    }
}

pub(crate) fn wrong_type(loc: &str, v: &Value, wanted: &str) -> Finding {
    Finding::error(
        Code::WrongType,
        loc,
        v.display(),
        format!("expected {wanted}, found {}", v.kind()),
        format!("write {wanted}"),
    )
}

pub(crate) fn boolean(v: &Value, loc: &str, findings: &mut Vec<Finding>) -> Option<bool> {
    match literal(v, loc, findings)? {
        Value::Bool(b) => Some(*b),
        // Python truthiness of the usual stand-ins.
        Value::Int(n) => Some(*n != 0),
        Value::Null => Some(false),
        other => {
            findings.push(wrong_type(loc, other, "True or False"));
            None
        }
    }
}

pub(crate) fn integer(v: &Value, loc: &str, findings: &mut Vec<Finding>) -> Option<Option<i64>> {
    match literal(v, loc, findings)? {
        Value::Int(n) => Some(Some(*n)),
        Value::Null => Some(None),
        Value::Str(s) if s.trim().parse::<i64>().is_ok() => Some(s.trim().parse().ok()),
        Value::Float(f) if f.fract() == 0.0 => Some(Some(*f as i64)),
        other => {
            findings.push(wrong_type(loc, other, "a whole number of seconds"));
            None
        }
    }
}

/// A string or a list of strings (a lone string counts as one item where
/// the framework allows it).
pub(crate) fn strings(v: &Value, loc: &str, lone_string: bool, findings: &mut Vec<Finding>) -> Option<Vec<String>> {
    match literal(v, loc, findings)? {
        Value::Str(s) if lone_string => Some(vec![s.clone()]),
        Value::List(items) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::Str(s) => out.push(s.clone()),
                    other => {
                        findings.push(wrong_type(&format!("{loc}[{i}]"), other, "a string"));
                        return None;
                    }
                }
            }
            Some(out)
        }
        Value::Null => Some(Vec::new()),
        other => {
            findings.push(wrong_type(
                loc,
                other,
                if lone_string { "a string or a list of strings" } else { "a list of strings" },
            ));
            None
        }
    }
}

/// An origin regex translated into patterns, pushed onto `origins`, with
/// the findings that say how exact it is.
pub(crate) fn regex_origins(
    source: &str,
    ignore_case: bool,
    anchoring: Anchoring,
    loc: &str,
    origins: &mut Vec<String>,
    findings: &mut Vec<Finding>,
) {
    match regex_origin::translate(source, ignore_case, anchoring) {
        Ok(t) => {
            for p in &t.patterns {
                if !origins.contains(p) {
                    origins.push(p.clone());
                }
            }
            if !t.exact {
                let code = if t.unanchored { Code::RegexUnanchored } else { Code::RegexNotExpressible };
                findings.push(
                    Finding::error(
                        code,
                        loc,
                        source,
                        format!(
                            "translated to {} ({}), which is not the same set of origins: {}",
                            t.patterns.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", "),
                            anchoring_words(anchoring),
                            t.reasons.join("; ")
                        ),
                        "check the origins listed below; if crossgate's patterns are what you meant, use them as they are",
                    )
                    .differing(t.differs),
                );
            }
        }
        Err(why) => findings.push(Finding::error(
            Code::RegexNotExpressible,
            loc,
            source,
            format!("not translated ({why}); the origins it matches are not in the policy"),
            "list the origins, or use crossgate's patterns: `https://*.example.com` (subdomains), `http://localhost:*` (any port)",
        )),
    }
}

fn anchoring_words(a: Anchoring) -> &'static str {
    match a {
        Anchoring::Start => "the framework matches from the start only",
        Anchoring::Full => "the framework matches the whole origin",
        Anchoring::Search => "the framework matches anywhere in the origin",
    }
}

/// Pushes a finding unless an identical one is there.
pub(crate) fn push_unique(findings: &mut Vec<Finding>, f: Finding) {
    if !findings.contains(&f) {
        findings.push(f);
    }
}

/// The closest of `known` to `name` (for "did you mean").
pub(crate) fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known.iter().map(|k| (distance(name, k), *k)).filter(|(d, _)| *d <= 3).min().map(|(_, k)| k)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// An `unknown-setting` finding with a suggestion.
pub(crate) fn unknown(loc: &str, name: &str, known: &[&str], what: &str) -> Finding {
    let help = match closest(name, known) {
        Some(k) => format!("did you mean `{k}`?"),
        None => format!("remove it; {what} has no such setting"),
    };
    Finding::new(Severity::Error, Code::UnknownSetting, loc, name, format!("{what} has no setting `{name}`"), help)
}

/// A header list the source sends to the browser as it is (Express's
/// `allowedHeaders`, nginx's `Access-Control-Allow-Headers`): `*` is the
/// browser's wildcard only without credentials, and Chromium lets it cover
/// `Authorization` too, so the policy names `authorization` beside it.
pub(crate) fn literal_request_headers(
    names: &mut Vec<String>,
    credentials: bool,
    loc: &str,
    findings: &mut Vec<Finding>,
) {
    if !names.iter().any(|h| h == "*") {
        return;
    }
    if credentials {
        names.retain(|h| h != "*");
        findings.push(Finding::note(
            loc,
            "with credentials, browsers read `Access-Control-Allow-Headers: *` as a header named `*`; the policy allows only the headers listed",
        ));
    } else if !names.iter().any(|h| h == "authorization") {
        // CHROMIUM: cors_util.cc still lets `*` cover `Authorization` (with a deprecation warning).
        names.push("authorization".into());
        findings.push(Finding::note(
            loc,
            "Chromium lets `Access-Control-Allow-Headers: *` cover `Authorization` (the Fetch standard does not); the policy names `authorization` so that calls Chromium allows stay allowed",
        ));
    }
}

/// A max-age the source sends as it is, capped at the engine's limit:
/// every browser caps it lower still (Firefox at 86400 s, Chromium at
/// 7200 s), so the cap changes nothing a browser does.
pub(crate) fn capped_max_age(seconds: i64, loc: &str, findings: &mut Vec<Finding>) -> i64 {
    let limit = crossgate_core::limits::MAX_AGE_LIMIT;
    if seconds > limit {
        findings.push(Finding::note(
            loc,
            format!("a max-age of {seconds} s is capped at {limit} s: browsers cache a preflight for at most that long (Chromium 7200 s) whatever the header says"),
        ));
        return limit;
    }
    seconds
}

/// `reflect-any-with-credentials`: `who` reflects every origin with
/// credentials; the policy allows `*` without them instead.
pub(crate) fn reflect_any_with_credentials(loc: &str, value: &str, who: &str, fix: &str) -> Finding {
    Finding::error(
        Code::ReflectAnyWithCredentials,
        loc,
        value,
        format!("{who} reflects every origin with `Access-Control-Allow-Credentials: true`, so any website can act as the signed-in user; the policy allows `*` without credentials instead"),
        fix,
    )
    .differing(vec![format!("every origin, with credentials: {who} reflects it with credentials; crossgate answers `*` without them")])
}

/// Adds the CORS-safelisted methods (`GET`, `HEAD`, `POST`) to a list that
/// a source only sends to the browser: a browser sends them without a
/// preflight, so the source never refuses them.
pub(crate) fn with_safelisted_methods(methods: &mut Vec<String>) {
    if methods.iter().any(|m| m == "*") {
        return;
    }
    for m in ["GET", "HEAD", "POST"] {
        if !methods.iter().any(|x| x == m) {
            methods.push(m.to_owned());
        }
    }
}
