//! An S3 bucket's `CORSConfiguration` (the XML PutBucketCors takes). S3
//! matches each rule's origins (one `*` anywhere), methods (GET, PUT, POST,
//! DELETE, HEAD, checked on actual requests too) and headers; it answers a
//! listed origin with credentials always, and `*` without.

use crossgate_core::PolicyConfig;

use super::{lost, rule_common};
use crate::finding::Finding;

const METHODS: [&str; 5] = ["GET", "PUT", "POST", "DELETE", "HEAD"];

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

pub(crate) fn write(policy: &PolicyConfig, f: &mut Vec<Finding>) -> String {
    let mut out = String::from("<CORSConfiguration>\n");
    for (i, rule) in policy.rules.iter().enumerate() {
        rule_common(rule, i, f);
        let any = rule.origins.iter().any(|o| o == "*");
        if any && rule.credentials {
            f.push(lost(
                format!("rule[{i}].origins"),
                "*",
                "S3 answers `*` without credentials; it cannot reflect every origin with them",
            ));
        }
        if !any && !rule.credentials {
            f.push(
                lost(
                    format!("rule[{i}].credentials"),
                    "false",
                    "S3 answers a listed origin with `Access-Control-Allow-Credentials: true`, always",
                )
                .differing(vec!["a credentialed call from a listed origin: S3 allows it; crossgate does not".into()]),
            );
        }
        if rule.paths.is_some() {
            f.push(lost(format!("rule[{i}].paths"), "", "S3 rules apply to the whole bucket"));
        }
        if rule.allow_private_network {
            f.push(lost(format!("rule[{i}].allow_private_network"), "true", "S3 has no Private Network Access"));
        }
        out.push_str("  <CORSRule>\n");
        for o in &rule.origins {
            // S3's `*` is any text, so `:*` would miss the origin without a port.
            if let Some(host) = o.strip_suffix(":*") {
                out.push_str(&format!("    <AllowedOrigin>{}</AllowedOrigin>\n", xml(host)));
            }
            out.push_str(&format!("    <AllowedOrigin>{}</AllowedOrigin>\n", xml(o)));
        }
        let mut methods = rule.methods.clone().unwrap_or_else(|| vec!["GET".into(), "HEAD".into(), "POST".into()]);
        if methods.iter().any(|m| m == "*") {
            f.push(lost(format!("rule[{i}].methods"), "*", "S3 has no method wildcard; its five methods are written"));
            methods = METHODS.iter().map(|m| (*m).to_owned()).collect();
        }
        let (known, other): (Vec<&String>, Vec<&String>) = methods.iter().partition(|m| METHODS.contains(&m.as_str()));
        if !other.is_empty() {
            let other: Vec<&str> = other.iter().map(|m| m.as_str()).collect();
            f.push(lost(
                format!("rule[{i}].methods"),
                other.join(", "),
                "S3 allows only GET, PUT, POST, DELETE and HEAD",
            ));
        }
        for m in known {
            out.push_str(&format!("    <AllowedMethod>{m}</AllowedMethod>\n"));
        }
        for h in rule
            .request_headers
            .iter()
            .filter(|h| *h != "authorization" || !rule.request_headers.iter().any(|x| x == "*"))
        {
            out.push_str(&format!("    <AllowedHeader>{}</AllowedHeader>\n", xml(h)));
        }
        for h in &rule.expose_headers {
            if h == "*" {
                f.push(lost(format!("rule[{i}].expose_headers"), "*", "S3 lists exposed headers by name"));
                continue;
            }
            out.push_str(&format!("    <ExposeHeader>{}</ExposeHeader>\n", xml(h)));
        }
        if let Some(n) = rule.max_age.filter(|n| *n >= 0) {
            out.push_str(&format!("    <MaxAgeSeconds>{n}</MaxAgeSeconds>\n"));
        }
        out.push_str("  </CORSRule>\n");
    }
    out.push_str("</CORSConfiguration>\n");
    if policy.preflight_status != 200 {
        f.push(Finding::note("preflight_status", "S3 answers allowed preflights 200; both succeed"));
    }
    out
}
