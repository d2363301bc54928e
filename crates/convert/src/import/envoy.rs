//! Envoy's `CorsPolicy` (API v3, `envoy.config.route.v3.CorsPolicy`, as the
//! CORS filter `envoy.extensions.filters.http.cors.v3.Cors` reads it from a
//! route, a virtual host or `typed_per_filter_config`), in YAML or JSON: the
//! policy itself, or a route configuration holding it. Semantics from the
//! API reference (v3): `allow_origin_string_match` is a list of
//! `type.matcher.v3.StringMatcher` (`exact`, `prefix`, `suffix`, `contains`,
//! `safe_regex` matched whole, each with `ignore_case`); a matching origin is
//! reflected; `allow_methods`, `allow_headers` and `expose_headers` are
//! comma-separated strings sent as they are; `max_age` is a string of
//! seconds; a preflight from an origin that does not match is forwarded
//! upstream (`forward_not_matching_preflights`, default true).

use crossgate_core::{PolicyConfig, RuleConfig};
use serde_norway::{Mapping, Value};

use super::common::{
    capped_max_age, literal_request_headers, push_unique, reflect_any_with_credentials, regex_origins, unknown,
    with_safelisted_methods,
};
use super::Imported;
use crate::finding::{Code, Finding};
use crate::regex_origin::Anchoring;
use crate::syntax::yaml::{self, display, get, keys, kind};

pub(crate) const FIELDS: [&str; 10] = [
    "allow_origin_string_match",
    "allow_methods",
    "allow_headers",
    "expose_headers",
    "max_age",
    "allow_credentials",
    "allow_private_network_access",
    "filter_enabled",
    "shadow_enabled",
    "forward_not_matching_preflights",
];

/// Fields of `CorsPolicy` (and of the v2 API's, removed in v3) that mark a mapping as one.
fn is_cors_policy(m: &Mapping) -> bool {
    keys(m).any(|k| k == "allow_origin_string_match" || k == "allowOriginStringMatch" || k == "allow_origin")
}

fn wrong(loc: &str, v: &Value, wanted: &str) -> Finding {
    Finding::error(
        Code::WrongType,
        loc,
        display(v),
        format!("expected {wanted}, found {}", kind(v)),
        format!("write {wanted}"),
    )
}

/// A protobuf-JSON field: `snake_case` or its `lowerCamelCase` form.
fn field<'m>(m: &'m Mapping, snake: &str) -> Option<&'m Value> {
    get(m, snake).or_else(|| get(m, &camel(snake)))
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A `BoolValue`: `true`, or `{value: true}`.
fn bool_value(v: &Value, loc: &str, f: &mut Vec<Finding>) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Mapping(m) if get(m, "value").is_some_and(Value::is_bool) => {
            get(m, "value").and_then(Value::as_bool).unwrap_or(false)
        }
        other => {
            f.push(wrong(loc, other, "true or false"));
            false
        }
    }
}

fn list(v: &Value, loc: &str, f: &mut Vec<Finding>) -> Vec<String> {
    match v.as_str() {
        Some(s) => s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        None => {
            f.push(wrong(loc, v, "a comma-separated string"));
            Vec::new()
        }
    }
}

/// Escapes `s` for a regex.
fn escape(s: &str) -> String {
    regex::escape(s)
}

/// One `StringMatcher`, as origins.
fn matcher(m: &Value, loc: &str, origins: &mut Vec<String>, any: &mut bool, f: &mut Vec<Finding>) {
    let Some(m) = m.as_mapping() else {
        f.push(wrong(loc, m, "a StringMatcher (`exact:`, `prefix:`, `suffix:`, `contains:` or `safe_regex:`)"));
        return;
    };
    let ignore_case = field(m, "ignore_case").and_then(Value::as_bool).unwrap_or(false);
    let text = |k: &str| field(m, k).and_then(Value::as_str);
    if let Some(s) = text("exact") {
        let lower = s.to_ascii_lowercase();
        if ignore_case && lower != s {
            f.push(Finding::note(loc, "`ignore_case` with an exact origin: crossgate compares serialized (lower-case) origins, as browsers send them"));
        }
        if !origins.contains(&lower) {
            origins.push(if ignore_case { lower } else { s.to_owned() });
        }
        return;
    }
    let (source, anchoring) = if let Some(p) = text("prefix") {
        if p.is_empty() {
            *any = true;
            return;
        }
        if p.ends_with(':') && p.matches(':').count() == 2 {
            // After the host's colon a serialized origin has only its port.
            (format!("^{}\\d+$", escape(p)), Anchoring::Full)
        } else {
            (format!("^{}", escape(p)), Anchoring::Start)
        }
    } else if let Some(s) = text("suffix") {
        (format!("{}$", escape(s)), Anchoring::Search)
    } else if let Some(c) = text("contains") {
        (escape(c), Anchoring::Search)
    } else if let Some(re) =
        field(m, "safe_regex").and_then(Value::as_mapping).and_then(|r| get(r, "regex")).and_then(Value::as_str)
    {
        if matches!(re, ".*" | "^.*$" | ".+") {
            *any = true;
            return;
        }
        (re.to_owned(), Anchoring::Full)
    } else {
        f.push(Finding::error(
            Code::UnsupportedSetting,
            loc,
            display(&Value::Mapping(m.clone())),
            "a StringMatcher crossgate does not read (only `exact`, `prefix`, `suffix`, `contains` and `safe_regex.regex`)",
            "list the origins with `exact:`",
        ));
        return;
    };
    regex_origins(&source, ignore_case, anchoring, loc, origins, f);
}

/// Reads one `CorsPolicy` mapping into a rule.
pub(crate) fn rule_of(m: &Mapping, base: &str, f: &mut Vec<Finding>) -> Option<RuleConfig> {
    let loc = |k: &str| if base.is_empty() { k.to_owned() } else { format!("{base}.{k}") };
    for k in keys(m) {
        let snake: String = k
            .chars()
            .flat_map(|c| if c.is_ascii_uppercase() { vec!['_', c.to_ascii_lowercase()] } else { vec![c] })
            .collect();
        if FIELDS.contains(&snake.as_str()) {
            continue;
        }
        if matches!(snake.as_str(), "allow_origin" | "allow_origin_regex" | "enabled") {
            f.push(Finding::error(
                Code::UnknownSetting,
                loc(k),
                k,
                format!("`{k}` was removed from the API in v3; Envoy's v3 CORS filter ignores it"),
                "use `allow_origin_string_match` (`exact:`, `safe_regex:`) and `filter_enabled`",
            ));
        } else if k != "@type" {
            f.push(unknown(&loc(k), k, &FIELDS, "Envoy's CorsPolicy (v3)"));
        }
    }
    for k in ["filter_enabled", "shadow_enabled"] {
        if field(m, k).is_some() {
            f.push(Finding::warning(
                Code::UnsupportedSetting,
                loc(k),
                "",
                format!(
                    "`{k}` turns CORS on for a runtime fraction of requests; crossgate's policy applies to all of them"
                ),
                "remove it, or roll the policy out with the gateway's routes",
            ));
        }
    }
    let mut origins = Vec::new();
    let mut any = false;
    match field(m, "allow_origin_string_match") {
        Some(Value::Sequence(items)) => {
            for (i, item) in items.iter().enumerate() {
                matcher(item, &format!("{}[{i}]", loc("allow_origin_string_match")), &mut origins, &mut any, f);
            }
        }
        Some(other) => f.push(wrong(&loc("allow_origin_string_match"), other, "a list of StringMatchers")),
        None => {}
    }
    let credentials = field(m, "allow_credentials").is_some_and(|v| bool_value(v, &loc("allow_credentials"), f));
    let mut credentials_out = credentials;
    if any {
        origins = vec!["*".into()];
        if credentials {
            f.push(reflect_any_with_credentials(
                &loc("allow_origin_string_match"),
                "every origin with allow_credentials",
                "Envoy",
                "list the origins you trust",
            ));
            credentials_out = false;
        }
    }
    if origins.is_empty() {
        f.push(Finding::error(
            Code::NotFound,
            loc("allow_origin_string_match"),
            "",
            "no origin is allowed: Envoy adds no CORS headers",
            "list the allowed origins under `allow_origin_string_match`",
        ));
        return None;
    }
    let mut rule = RuleConfig::new(origins).credentials(credentials_out);
    let mut methods = field(m, "allow_methods").map(|v| list(v, &loc("allow_methods"), f)).unwrap_or_default();
    with_safelisted_methods(&mut methods);
    rule.methods = Some(methods);
    let mut headers: Vec<String> = field(m, "allow_headers")
        .map(|v| list(v, &loc("allow_headers"), f).iter().map(|h| h.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    literal_request_headers(&mut headers, credentials_out, &loc("allow_headers"), f);
    rule.request_headers = headers;
    rule.expose_headers = field(m, "expose_headers").map(|v| list(v, &loc("expose_headers"), f)).unwrap_or_default();
    rule.max_age = field(m, "max_age").and_then(|v| {
        let n = match v {
            Value::String(s) => s.trim().parse::<i64>().ok(),
            Value::Number(n) => n.as_i64(),
            _ => None,
        };
        if n.is_none() {
            f.push(wrong(&loc("max_age"), v, "a whole number of seconds, as a string (`\"600\"`)"));
        }
        n.map(|n| capped_max_age(n, &loc("max_age"), f))
    });
    rule.allow_private_network = field(m, "allow_private_network_access")
        .is_some_and(|v| bool_value(v, &loc("allow_private_network_access"), f));
    push_unique(
        f,
        Finding::note(
            "CorsPolicy",
            "Envoy forwards a preflight whose origin does not match to the upstream (`forward_not_matching_preflights`, default true); crossgate refuses it with 403",
        ),
    );
    Some(rule)
}

pub(crate) fn import(src: &str) -> Imported {
    let docs = match yaml::parse(src) {
        Ok(d) => d,
        Err(e) => return Imported::syntax(format!("line {}", e.line), e.message),
    };
    let mut out = Imported::default();
    let mut found = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let mut all = Vec::new();
        yaml::mappings(d, if docs.len() > 1 { format!("document[{i}]") } else { String::new() }, &mut all);
        found.extend(all.into_iter().filter(|(_, m)| is_cors_policy(m)));
    }
    let f = &mut out.findings;
    let Some((path, policy)) = found.first() else {
        f.push(Finding::error(
            Code::NotFound,
            "",
            "",
            "no CorsPolicy (a mapping with `allow_origin_string_match`) found",
            "import the route configuration or the CorsPolicy itself",
        ));
        return out;
    };
    if let Some((other, _)) = found.get(1) {
        f.push(Finding::warning(
            Code::UnsupportedSetting,
            other.as_str(),
            "",
            "only the first CorsPolicy is imported",
            "import each route's policy on its own",
        ));
    }
    if let Some(rule) = rule_of(policy, path, f) {
        out.policy = Some(PolicyConfig::new(rule).preflight_status(200));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn rule(src: &str) -> (RuleConfig, Vec<Finding>) {
        let i = import(src);
        let p = i.policy.unwrap_or_else(|| panic!("{src}: {:?}", i.findings));
        (p.rules[0].clone(), i.findings)
    }

    #[test]
    fn every_field_by_its_semantics() {
        let src = r#"
virtual_hosts:
- name: api
  domains: ["*"]
  typed_per_filter_config:
    envoy.filters.http.cors:
      "@type": type.googleapis.com/envoy.config.route.v3.CorsPolicy
      allow_origin_string_match:
      - exact: https://app.example.com
      - safe_regex: {regex: "https://[a-z0-9-]+\\.example\\.com"}
      - prefix: "http://localhost:"
      allow_methods: "GET, PUT, DELETE"
      allow_headers: "content-type,x-trace-id"
      expose_headers: "x-request-id"
      max_age: "600"
      allow_credentials: true
      allow_private_network_access: true
"#;
        let (r, f) = rule(src);
        assert_eq!(r.origins, ["https://app.example.com", "https://*.example.com", "http://localhost:*"]);
        assert_eq!(r.methods.as_deref().unwrap(), ["GET", "PUT", "DELETE", "HEAD", "POST"]);
        assert_eq!(r.request_headers, ["content-type", "x-trace-id"]);
        assert_eq!(r.expose_headers, ["x-request-id"]);
        assert_eq!(r.max_age, Some(600));
        assert!(r.credentials && r.allow_private_network);
        let errors: Vec<_> = f.iter().filter(|f| f.severity == Severity::Error).collect();
        assert!(errors.iter().all(|e| e.code == Code::RegexNotExpressible), "{errors:?}");
    }

    #[test]
    fn json_and_camel_case_and_bool_values() {
        let (r, _) = rule(
            r#"{"allowOriginStringMatch": [{"exact": "https://a.com"}], "allowCredentials": {"value": true}, "maxAge": "86400000"}"#,
        );
        assert_eq!(r.origins, ["https://a.com"]);
        assert!(r.credentials);
        assert_eq!(r.max_age, Some(crossgate_core::limits::MAX_AGE_LIMIT));
    }

    #[test]
    fn bad_inputs() {
        let rows: [(&str, &str, &str); 7] = [
            (
                "allow_origin_string_match: [{prefix: \"\"}]\nallow_credentials: true",
                "reflect-any-with-credentials",
                "allow_origin_string_match",
            ),
            ("allow_origin_string_match: [{suffix: example.com}]", "regex-unanchored", "allow_origin_string_match[0]"),
            (
                "allow_origin_string_match: [{exact: https://a.com}]\nallow_origin: ['*']",
                "unknown-setting",
                "allow_origin",
            ),
            (
                "allow_origin_string_match: [{exact: https://a.com}]\nallow_method: GET",
                "unknown-setting",
                "allow_method",
            ),
            ("allow_origin_string_match: https://a.com", "wrong-type", "allow_origin_string_match"),
            ("allow_origin_string_match: [{exact: https://a.com}]\nmax_age: ten", "wrong-type", "max_age"),
            ("allow_origin_string_match: [{exact: [1]\n", "syntax-error", "line 2"),
        ];
        for (src, code, loc) in rows {
            let i = import(src);
            let found = i.findings.iter().find(|f| f.code.as_str() == code && f.severity == Severity::Error);
            let found = found.unwrap_or_else(|| panic!("{src}: no {code} in {:?}", i.findings));
            assert_eq!(found.location, loc, "{src}");
            assert!(!i.is_exact(), "{src}");
        }
        assert_eq!(import("routes: []").findings[0].code, Code::NotFound);
    }
}
