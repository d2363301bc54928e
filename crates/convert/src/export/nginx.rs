//! nginx: a `server` block with one `location` per rule, `add_header …
//! always` for every response, an `if ($request_method = OPTIONS)` branch
//! answering preflights, and a `map $http_origin` per rule with a list.

use crossgate_core::PolicyConfig;

use super::pattern::{self, Origin};
use super::{lost, methods_listed, rule_common};
use crate::finding::{Code, Finding};

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

pub(crate) fn write(policy: &PolicyConfig, f: &mut Vec<Finding>) -> String {
    let mut maps = String::new();
    let mut locations = String::new();
    let mut seen: Vec<String> = Vec::new();
    for (i, rule) in policy.rules.iter().enumerate() {
        rule_common(rule, i, f);
        let scopes: Vec<String> = rule.paths.clone().unwrap_or_else(|| vec!["/*".into()]);
        let any = rule.origins.iter().any(|o| o == "*");
        let origin = if any && rule.credentials {
            "$http_origin".to_owned()
        } else if any {
            "*".to_owned()
        } else {
            let var = format!("$cors_origin_{i}");
            maps.push_str(&format!("map $http_origin {var} {{\n    default \"\";\n"));
            for o in &rule.origins {
                let key = match pattern::read(o) {
                    Origin::Exact(e) => quoted(e),
                    _ => quoted(&format!("~{}", pattern::regex(o).unwrap_or_default())),
                };
                maps.push_str(&format!("    {key} $http_origin;\n"));
            }
            maps.push_str("}\n\n");
            var
        };
        let methods = methods_listed(rule, i, "nginx", f);
        let mut preflight =
            vec![format!("Access-Control-Allow-Origin {}", if origin == "*" { "*".into() } else { origin.clone() })];
        let mut actual = preflight.clone();
        if rule.credentials {
            preflight.push("Access-Control-Allow-Credentials true".into());
            actual.push("Access-Control-Allow-Credentials true".into());
        }
        preflight.push(format!("Access-Control-Allow-Methods {}", quoted(&methods.join(", "))));
        let headers: Vec<&str> =
            rule.request_headers.iter().map(String::as_str).filter(|h| !(rule.credentials && *h == "*")).collect();
        if rule.credentials && rule.request_headers.iter().any(|h| h == "*") {
            f.push(lost(
                format!("rule[{i}].request_headers"),
                "*",
                "with credentials, `*` is a header named `*` to a browser, and nginx cannot reflect the requested ones",
            ));
        }
        if !headers.is_empty() {
            preflight.push(format!("Access-Control-Allow-Headers {}", quoted(&headers.join(", "))));
        }
        if let Some(n) = rule.max_age {
            preflight.push(format!("Access-Control-Max-Age {n}"));
        }
        if rule.allow_private_network {
            preflight.push("Access-Control-Allow-Private-Network true".into());
        }
        if !rule.expose_headers.is_empty() {
            actual.push(format!("Access-Control-Expose-Headers {}", quoted(&rule.expose_headers.join(", "))));
        }
        if origin != "*" {
            preflight.push("Vary Origin".into());
            actual.push("Vary Origin".into());
        }
        for scope in &scopes {
            let location = match scope.strip_suffix("/*") {
                Some("") => "/".to_owned(),
                Some(prefix) => {
                    f.push(
                        Finding::warning(
                            Code::PathNotExpressible,
                            format!("rule[{i}].paths"),
                            scope.as_str(),
                            format!("written as `location {prefix}/`, which does not cover `{prefix}` itself"),
                            format!("add `location = {prefix}` with the same headers if `{prefix}` itself needs CORS"),
                        )
                        .differing(vec![format!(
                            "{prefix}: crossgate covers it; nginx's `location {prefix}/` does not"
                        )]),
                    );
                    format!("{prefix}/")
                }
                None => format!("= {scope}"),
            };
            if seen.contains(&location) {
                f.push(lost(
                    format!("rule[{i}].paths"),
                    scope.as_str(),
                    "an earlier rule already has this location; nginx picks one location per request",
                ));
                continue;
            }
            seen.push(location.clone());
            locations.push_str(&format!("    location {location} {{\n        if ($request_method = OPTIONS) {{\n"));
            for h in &preflight {
                locations.push_str(&format!("            add_header {h};\n"));
            }
            locations.push_str(&format!("            return {};\n        }}\n", policy.preflight_status));
            for h in &actual {
                locations.push_str(&format!("        add_header {h} always;\n"));
            }
            locations.push_str("        proxy_pass http://app;  # your upstream\n    }\n");
        }
    }
    f.push(Finding::note(
        "nginx",
        "nginx adds these headers to every request, whatever its origin, method or headers (the browser checks them); crossgate answers only allowed requests",
    ));
    format!("{maps}server {{\n    listen 80;\n\n{locations}}}\n")
}
