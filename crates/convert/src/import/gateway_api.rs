//! Kubernetes Gateway API: the `CORS` filter of an `HTTPRoute` rule
//! (`HTTPCORSFilter`, gateway.networking.k8s.io/v1, standard channel of
//! v1.5), in YAML or JSON, one or more documents. Semantics from the API
//! reference (GEP-1767): `allowOrigins` holds `scheme://host[:port]` with an
//! optional leading `*.` label wildcard, or `*`; `allowMethods`,
//! `allowHeaders` and `exposeHeaders` are lists where `*` means any (with
//! credentials, the requested value is returned instead); `maxAge` is in
//! seconds, 5 by default; the rule's `matches[].path` (`PathPrefix`, `Exact`)
//! scope it.

use crossgate_core::{PolicyConfig, RuleConfig};
use serde_norway::{Mapping, Value};

use super::common::{capped_max_age, reflect_any_with_credentials, unknown, with_safelisted_methods};
use super::Imported;
use crate::finding::{Code, Finding};
use crate::syntax::yaml::{self, display, get, keys, kind};

pub(crate) const FIELDS: [&str; 6] =
    ["allowOrigins", "allowMethods", "allowHeaders", "exposeHeaders", "allowCredentials", "maxAge"];

/// `maxAge`'s default.
pub(crate) const DEFAULT_MAX_AGE: i64 = 5;

fn wrong(loc: &str, v: &Value, wanted: &str) -> Finding {
    Finding::error(
        Code::WrongType,
        loc,
        display(v),
        format!("expected {wanted}, found {}", kind(v)),
        format!("write {wanted}"),
    )
}

fn strings(m: &Mapping, key: &str, loc: &str, f: &mut Vec<Finding>) -> Vec<String> {
    match get(m, key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Sequence(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v.as_str() {
                Some(s) => Some(s.to_owned()),
                None => {
                    f.push(wrong(&format!("{loc}[{i}]"), v, "a string"));
                    None
                }
            })
            .collect(),
        Some(other) => {
            f.push(wrong(loc, other, "a list of strings"));
            Vec::new()
        }
    }
}

/// The path scopes of a rule's `matches`: `None` for every path.
fn scopes(rule: &Mapping, loc: &str, f: &mut Vec<Finding>) -> Option<Vec<String>> {
    let matches = get(rule, "matches")?.as_sequence()?;
    let mut out = Vec::new();
    for (i, m) in matches.iter().enumerate() {
        let path = m.as_mapping().and_then(|m| get(m, "path")).and_then(Value::as_mapping);
        let path = path?;
        let ty = get(path, "type").and_then(Value::as_str).unwrap_or("PathPrefix");
        let value = get(path, "value").and_then(Value::as_str).unwrap_or("/");
        match ty {
            "Exact" => out.push(value.to_owned()),
            "PathPrefix" if value.trim_end_matches('/').is_empty() => return None,
            // A PathPrefix matches whole segments: `/api` covers `/api` and `/api/…`.
            "PathPrefix" => out.push(format!("{}/*", value.trim_end_matches('/'))),
            other => {
                f.push(Finding::error(
                    Code::PathNotExpressible,
                    format!("{loc}.matches[{i}].path"),
                    format!("{other} {value}"),
                    "a regular-expression path match is not translated; crossgate's scopes are `/exact` and `/prefix/*`",
                    "use a PathPrefix or Exact match, or write the policy's `paths` by hand",
                ));
                return None;
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Reads one `HTTPCORSFilter` into a rule.
pub(crate) fn rule_of(cors: &Mapping, loc: &str, f: &mut Vec<Finding>) -> RuleConfig {
    let at = |k: &str| if loc.is_empty() { k.to_owned() } else { format!("{loc}.{k}") };
    for k in keys(cors) {
        if !FIELDS.contains(&k) {
            f.push(unknown(&at(k), k, &FIELDS, "HTTPCORSFilter (v1)"));
        }
    }
    let mut origins = strings(cors, "allowOrigins", &at("allowOrigins"), f);
    let credentials = match get(cors, "allowCredentials") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            f.push(wrong(&at("allowCredentials"), other, "true or false"));
            false
        }
    };
    let mut credentials_out = credentials;
    if origins.iter().any(|o| o == "*") {
        origins = vec!["*".into()];
        if credentials {
            f.push(reflect_any_with_credentials(
                &at("allowOrigins"),
                "[\"*\"] with allowCredentials: true",
                "the gateway",
                "list the origins you trust",
            ));
            credentials_out = false;
        }
    }
    let mut rule = RuleConfig::new(origins).credentials(credentials_out);
    let methods = strings(cors, "allowMethods", &at("allowMethods"), f);
    // The safelisted methods pass without a preflight, whatever the list says.
    let mut methods = if methods.is_empty() { vec!["GET".to_owned(), "HEAD".into(), "POST".into()] } else { methods };
    with_safelisted_methods(&mut methods);
    rule.methods = Some(methods);
    let mut headers: Vec<String> =
        strings(cors, "allowHeaders", &at("allowHeaders"), f).iter().map(|h| h.to_ascii_lowercase()).collect();
    if headers.iter().any(|h| h == "*") && !headers.iter().any(|h| h == "authorization") {
        // `*` returns the requested headers with credentials; without, the
        // wildcard, which Chromium lets cover `Authorization`.
        headers.push("authorization".into());
    }
    rule.request_headers = headers;
    rule.expose_headers = strings(cors, "exposeHeaders", &at("exposeHeaders"), f);
    rule.max_age = match get(cors, "maxAge") {
        None | Some(Value::Null) => Some(DEFAULT_MAX_AGE),
        Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64().map(|n| capped_max_age(n, &at("maxAge"), f)),
        Some(other) => {
            f.push(wrong(&at("maxAge"), other, "a whole number of seconds"));
            Some(DEFAULT_MAX_AGE)
        }
    };
    rule
}

pub(crate) fn import(src: &str) -> Imported {
    let docs = match yaml::parse(src) {
        Ok(d) => d,
        Err(e) => return Imported::syntax(format!("line {}", e.line), e.message),
    };
    let mut out = Imported::default();
    let f = &mut out.findings;
    let mut rules = Vec::new();
    for (di, doc) in docs.iter().enumerate() {
        let Some(m) = doc.as_mapping() else { continue };
        let base = if docs.len() > 1 { format!("document[{di}].") } else { String::new() };
        // A bare HTTPCORSFilter.
        if keys(m).any(|k| FIELDS.contains(&k)) && get(m, "spec").is_none() {
            rules.push(rule_of(m, base.trim_end_matches('.'), f));
            continue;
        }
        let kind = get(m, "kind").and_then(Value::as_str).unwrap_or("");
        if !kind.is_empty() && kind != "HTTPRoute" {
            continue;
        }
        let route_rules =
            get(m, "spec").and_then(Value::as_mapping).and_then(|s| get(s, "rules")).and_then(Value::as_sequence);
        for (ri, r) in route_rules.into_iter().flatten().enumerate() {
            let Some(r) = r.as_mapping() else { continue };
            let filters = get(r, "filters").and_then(Value::as_sequence);
            for (fi, filter) in filters.into_iter().flatten().enumerate() {
                let Some(filter) = filter.as_mapping() else { continue };
                if get(filter, "type").and_then(Value::as_str) != Some("CORS") {
                    continue;
                }
                let loc = format!("{base}spec.rules[{ri}].filters[{fi}].cors");
                let Some(cors) = get(filter, "cors").and_then(Value::as_mapping) else {
                    f.push(Finding::error(
                        Code::WrongType,
                        loc,
                        "",
                        "a filter of type CORS needs a `cors:` mapping",
                        "add `cors: {allowOrigins: [...]}`",
                    ));
                    continue;
                };
                let mut rule = rule_of(cors, &loc, f);
                rule.paths = scopes(r, &format!("{base}spec.rules[{ri}]"), f);
                rules.push(rule);
            }
        }
    }
    if rules.is_empty() {
        f.push(Finding::error(
            Code::NotFound,
            "",
            "",
            "no HTTPRoute rule with a filter of type CORS (nor an HTTPCORSFilter) found",
            "import the HTTPRoute whose rules carry `filters: [{type: CORS, cors: {...}}]`",
        ));
        return out;
    }
    // The most specific scope first, as the gateway matches the longest path.
    rules.sort_by_key(|r| {
        std::cmp::Reverse(r.paths.as_ref().map_or(0, |p| p.iter().map(String::len).max().unwrap_or(0)))
    });
    let mut policy = PolicyConfig::default();
    policy.rules = rules;
    out.policy = Some(policy);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    const ROUTE: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /api}
    filters:
    - type: CORS
      cors:
        allowOrigins: ["https://app.example.com", "https://*.example.org"]
        allowMethods: [GET, PUT, DELETE]
        allowHeaders: [Content-Type, X-Trace-Id]
        exposeHeaders: [X-Request-Id]
        allowCredentials: true
        maxAge: 600
    backendRefs: [{name: api, port: 8080}]
  - filters:
    - type: CORS
      cors:
        allowOrigins: ["*"]
"#;

    #[test]
    fn every_field_by_its_semantics() {
        let i = import(ROUTE);
        let p = i.policy.clone().unwrap();
        assert_eq!(p.rules.len(), 2);
        let r = &p.rules[0];
        assert_eq!(r.paths.as_deref().unwrap(), ["/api/*"]);
        assert_eq!(r.origins, ["https://app.example.com", "https://*.example.org"]);
        assert_eq!(r.methods.as_deref().unwrap(), ["GET", "PUT", "DELETE", "HEAD", "POST"]);
        assert_eq!(r.request_headers, ["content-type", "x-trace-id"]);
        assert_eq!(r.expose_headers, ["X-Request-Id"]);
        assert_eq!(r.max_age, Some(600));
        assert!(r.credentials);
        let any = &p.rules[1];
        assert_eq!(
            (any.origins.as_slice(), any.max_age, any.paths.is_none()),
            (&["*".to_owned()][..], Some(DEFAULT_MAX_AGE), true)
        );
        assert!(i.is_exact(), "{:?}", i.findings);
    }

    #[test]
    fn bad_inputs() {
        let rows: [(&str, &str, &str); 5] = [
            ("allowOrigins: ['*']\nallowCredentials: true", "reflect-any-with-credentials", "allowOrigins"),
            ("allowOrigins: ['https://a.com']\nallowOrigin: ['https://b.com']", "unknown-setting", "allowOrigin"),
            ("allowOrigins: 'https://a.com'", "wrong-type", "allowOrigins"),
            ("allowOrigins: ['https://a.com']\nmaxAge: ten", "wrong-type", "maxAge"),
            ("kind: HTTPRoute\nspec:\n  rules:\n  - matches: [{path: {type: RegularExpression, value: '/v[0-9]+'}}]\n    filters: [{type: CORS, cors: {allowOrigins: ['https://a.com']}}]", "path-not-expressible", "spec.rules[0].matches[0].path"),
        ];
        for (src, code, loc) in rows {
            let i = import(src);
            let found = i.findings.iter().find(|f| f.code.as_str() == code && f.severity == Severity::Error);
            let found = found.unwrap_or_else(|| panic!("{src}: no {code} in {:?}", i.findings));
            assert_eq!(found.location, loc, "{src}");
            assert!(!i.is_exact(), "{src}");
        }
        assert_eq!(import("kind: Service\n").findings[0].code, Code::NotFound);
        assert_eq!(import("a: [1\n").findings[0].code, Code::SyntaxError);
    }
}
