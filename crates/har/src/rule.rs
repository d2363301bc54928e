//! The crossgate rule that would allow one blocked call: its origin, its
//! method when it is not a default one, the headers its preflight asked
//! for, credentials when it carried them, and its path.

use crossgate_browser::{Origin, RequestInit};
use crossgate_core::RuleConfig;

/// Methods a rule allows without naming them.
const DEFAULT_METHODS: [&str; 3] = ["GET", "HEAD", "POST"];

/// The narrowest rule that allows `init` from `page`, on the path of each
/// URL it went through (its redirect hops).
pub(crate) fn rule_for(
    page: &Origin,
    init: &RequestInit,
    requested_headers: &[String],
    credentials: bool,
    urls: &[url::Url],
) -> RuleConfig {
    let mut paths: Vec<String> = Vec::new();
    for u in urls.iter().chain(urls.is_empty().then_some(&init.url)) {
        if !paths.iter().any(|p| p == u.path()) {
            paths.push(u.path().to_owned());
        }
    }
    let mut rule = RuleConfig::new([page.serialize()]).credentials(credentials).paths(paths);
    if !DEFAULT_METHODS.contains(&init.method.as_str()) {
        rule = rule.methods([init.method.clone()]);
    }
    if !requested_headers.is_empty() {
        rule = rule.request_headers(requested_headers.iter().cloned());
    }
    rule
}

/// Merges `b` into `a` (same origin): the union of methods, headers and paths.
pub(crate) fn merge(a: &mut RuleConfig, b: &RuleConfig) {
    let union = |x: &mut Vec<String>, y: &[String]| {
        for v in y {
            if !x.contains(v) {
                x.push(v.clone());
            }
        }
    };
    a.methods = match (a.methods.take(), &b.methods) {
        (None, None) => None,
        (x, y) => {
            let mut m: Vec<String> = x.unwrap_or_else(|| DEFAULT_METHODS.iter().map(|s| (*s).to_owned()).collect());
            union(&mut m, y.as_deref().unwrap_or(&DEFAULT_METHODS.map(str::to_owned)));
            Some(m)
        }
    };
    union(&mut a.request_headers, &b.request_headers);
    let mut paths = a.paths.take().unwrap_or_default();
    union(&mut paths, b.paths.as_deref().unwrap_or_default());
    a.paths = Some(paths);
    a.credentials |= b.credentials;
}

/// One `[[rule]]` table, as a policy file has it.
pub(crate) fn rule_toml(rule: &RuleConfig) -> String {
    // A JSON string is a valid TOML basic string (same escapes).
    let list = |v: &[String]| {
        let items: Vec<String> = v.iter().map(|s| serde_json::Value::from(s.as_str()).to_string()).collect();
        format!("[{}]", items.join(", "))
    };
    let mut out = format!("[[rule]]\norigins = {}\n", list(&rule.origins));
    if let Some(m) = &rule.methods {
        out.push_str(&format!("methods = {}\n", list(m)));
    }
    if !rule.request_headers.is_empty() {
        out.push_str(&format!("request_headers = {}\n", list(&rule.request_headers)));
    }
    if rule.credentials {
        out.push_str("credentials = true\n");
    }
    if let Some(p) = &rule.paths {
        out.push_str(&format!("paths = {}\n", list(p)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_narrow_and_valid() {
        let page = Origin::parse("https://app.test").unwrap();
        let init = RequestInit::fetch(page.clone(), "https://api.test/v1/items?x=1".parse().unwrap()).method("PUT");
        let rule = rule_for(&page, &init, &["x-token".to_owned()], true, &[]);
        let text = rule_toml(&rule);
        assert_eq!(
            text,
            "[[rule]]\norigins = [\"https://app.test\"]\nmethods = [\"PUT\"]\nrequest_headers = [\"x-token\"]\ncredentials = true\npaths = [\"/v1/items\"]\n"
        );
        let built = crossgate_core::Policy::from_toml(&text).unwrap();
        assert_eq!(built.policy.config().rules[0], rule);
        let mut merged = rule.clone();
        let hops: [url::Url; 2] =
            ["https://api.test/v1/other".parse().unwrap(), "https://api.test/v1/items".parse().unwrap()];
        let get = rule_for(&page, &RequestInit::fetch(page.clone(), hops[0].clone()), &[], false, &hops);
        merge(&mut merged, &get);
        assert_eq!(merged.methods.as_deref().unwrap(), ["PUT", "GET", "HEAD", "POST"]);
        assert_eq!(merged.paths.as_deref().unwrap(), ["/v1/items", "/v1/other"]);
        assert!(merged.credentials);
    }
}
