//! Kubernetes Gateway API: an `HTTPRoute` (v1) with one rule per policy
//! rule, each with a `CORS` filter (`HTTPCORSFilter`, v1.5 standard channel).

use crossgate_core::PolicyConfig;

use super::envoy::quoted;
use super::pattern::{self, Origin};
use super::{lost, rule_common};
use crate::finding::Finding;

fn list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| quoted(s)).collect::<Vec<_>>().join(", "))
}

pub(crate) fn write(policy: &PolicyConfig, f: &mut Vec<Finding>) -> String {
    let mut out = String::from(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: cors\nspec:\n  parentRefs:\n  - name: gateway  # yours\n  rules:\n",
    );
    for (i, rule) in policy.rules.iter().enumerate() {
        rule_common(rule, i, f);
        out.push_str("  - ");
        if let Some(paths) = &rule.paths {
            out.push_str("matches:\n");
            for p in paths {
                let (ty, value) = match p.strip_suffix("/*") {
                    Some("") => ("PathPrefix", "/"),
                    Some(prefix) => ("PathPrefix", prefix),
                    None => ("Exact", p.as_str()),
                };
                out.push_str(&format!("    - path: {{type: {ty}, value: {}}}\n", quoted(value)));
            }
            out.push_str("    ");
        }
        out.push_str("filters:\n    - type: CORS\n      cors:\n");
        for o in &rule.origins {
            if let Origin::Pattern { any_port: true, .. } = pattern::read(o) {
                f.push(lost(
                    format!("rule[{i}].origins"),
                    o.as_str(),
                    "the Gateway API has no port wildcard; list the ports",
                ));
            }
        }
        out.push_str(&format!("        allowOrigins: {}\n", list(&rule.origins)));
        if let Some(m) = &rule.methods {
            out.push_str(&format!("        allowMethods: {}\n", list(m)));
        }
        if !rule.request_headers.is_empty() {
            out.push_str(&format!("        allowHeaders: {}\n", list(&rule.request_headers)));
        }
        if !rule.expose_headers.is_empty() {
            out.push_str(&format!("        exposeHeaders: {}\n", list(&rule.expose_headers)));
        }
        if rule.credentials {
            out.push_str("        allowCredentials: true\n");
        }
        match rule.max_age {
            Some(n) => out.push_str(&format!("        maxAge: {n}\n")),
            None => f.push(Finding::note(
                format!("rule[{i}].max_age"),
                "no max_age: the Gateway API's default is 5 s, which is also what browsers use without the header",
            )),
        }
        if rule.allow_private_network {
            f.push(lost(
                format!("rule[{i}].allow_private_network"),
                "true",
                "HTTPCORSFilter has no Private Network Access field",
            ));
        }
        out.push_str("    backendRefs:\n    - name: app  # yours\n      port: 80\n");
    }
    if policy.preflight_status != 204 {
        f.push(Finding::note(
            "preflight_status",
            "the Gateway API leaves the preflight's 2xx status to the implementation",
        ));
    }
    out
}
