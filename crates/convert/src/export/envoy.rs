//! Envoy's `CorsPolicy` (API v3), as YAML.

use crossgate_core::PolicyConfig;

use super::pattern::{self, Origin};
use super::{lost, methods_listed, only_first, rule_common};
use crate::finding::{Code, Finding};

/// A YAML double-quoted scalar.
pub(crate) fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

pub(crate) fn write(policy: &PolicyConfig, f: &mut Vec<Finding>) -> String {
    let Some(rule) = only_first(policy, "a CorsPolicy", f) else { return String::new() };
    rule_common(rule, 0, f);
    let mut out = String::from("allow_origin_string_match:\n");
    for o in &rule.origins {
        match pattern::read(o) {
            Origin::Any => out.push_str("- safe_regex: {regex: \".*\"}\n"),
            Origin::Exact(e) => out.push_str(&format!("- exact: {}\n", quoted(e))),
            Origin::Pattern { .. } => {
                out.push_str(&format!("- safe_regex: {{regex: {}}}\n", quoted(&pattern::regex(o).unwrap_or_default())))
            }
        }
    }
    out.push_str(&format!("allow_methods: {}\n", quoted(&methods_listed(rule, 0, "Envoy", f).join(", "))));
    if !rule.request_headers.is_empty() {
        let headers: Vec<&str> =
            rule.request_headers.iter().map(String::as_str).filter(|h| !(rule.credentials && *h == "*")).collect();
        if rule.credentials && rule.request_headers.iter().any(|h| h == "*") {
            f.push(lost(
                "rule[0].request_headers",
                "*",
                "with credentials, Envoy's `*` is a header named `*`; crossgate allows any requested header",
            ));
        }
        out.push_str(&format!("allow_headers: {}\n", quoted(&headers.join(", "))));
    }
    if !rule.expose_headers.is_empty() {
        out.push_str(&format!("expose_headers: {}\n", quoted(&rule.expose_headers.join(", "))));
    }
    if let Some(n) = rule.max_age {
        out.push_str(&format!("max_age: {}\n", quoted(&n.to_string())));
    }
    if rule.credentials {
        out.push_str("allow_credentials: true\n");
    }
    if rule.allow_private_network {
        out.push_str("allow_private_network_access: true\n");
    }
    if policy.preflight_status != 200 {
        f.push(Finding::note(
            "preflight_status",
            format!(
                "Envoy answers allowed preflights 200, where the policy says {}; both succeed",
                policy.preflight_status
            ),
        ));
    }
    f.push(Finding::new(
        crate::Severity::Note,
        Code::FrameworkSemantics,
        "CorsPolicy",
        "",
        "Envoy forwards a preflight from an origin that does not match to the upstream (set `forward_not_matching_preflights: false` to answer it at the edge)",
        "nothing to do",
    ));
    out
}
