//! Express's `cors` options object (a JavaScript object literal).

use crossgate_core::PolicyConfig;

use super::pattern::{self, Origin};
use super::{lost, methods_listed, only_first, rule_common};
use crate::finding::Finding;

fn js(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn array(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| js(s)).collect::<Vec<_>>().join(", "))
}

pub(crate) fn write(policy: &PolicyConfig, f: &mut Vec<Finding>) -> String {
    let Some(rule) = only_first(policy, "Express's `cors`", f) else { return "{}\n".into() };
    rule_common(rule, 0, f);
    let mut lines = Vec::new();
    let any = rule.origins.iter().any(|o| o == "*");
    if any && rule.credentials {
        lines.push("origin: true".to_owned());
    } else if any {
        lines.push("origin: '*'".to_owned());
    } else {
        let items: Vec<String> = rule
            .origins
            .iter()
            .map(|o| match pattern::read(o) {
                Origin::Exact(e) => js(e),
                _ => format!("/{}/", pattern::regex(o).unwrap_or_default().replace('/', "\\/")),
            })
            .collect();
        lines.push(format!("origin: [{}]", items.join(", ")));
    }
    if rule.credentials {
        lines.push("credentials: true".into());
    }
    lines.push(format!("methods: {}", array(&methods_listed(rule, 0, "Express's `cors`", f))));
    let star = rule.request_headers.iter().any(|h| h == "*");
    if star && rule.credentials {
        // No `allowedHeaders`: `cors` reflects the requested ones.
    } else if star {
        lines.push("allowedHeaders: '*'".into());
    } else {
        lines.push(format!("allowedHeaders: {}", array(&rule.request_headers)));
    }
    if !rule.expose_headers.is_empty() {
        lines.push(format!("exposedHeaders: {}", array(&rule.expose_headers)));
    }
    if let Some(n) = rule.max_age {
        lines.push(format!("maxAge: {n}"));
    }
    if policy.preflight_status != 204 {
        lines.push(format!("optionsSuccessStatus: {}", policy.preflight_status));
    }
    if rule.allow_private_network {
        f.push(lost("rule[0].allow_private_network", "true", "`cors` has no Private Network Access option"));
    }
    format!("{{\n{}\n}}\n", lines.iter().map(|l| format!("  {l},")).collect::<Vec<_>>().join("\n"))
}
