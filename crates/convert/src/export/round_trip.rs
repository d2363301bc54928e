//! import ∘ export is the identity on what each target can say.

use crossgate_core::{PolicyConfig, RuleConfig};

use crate::{export, import, Dialect, Severity};

fn rule(origins: &[&str], methods: &[&str], headers: &[&str]) -> RuleConfig {
    let mut r = RuleConfig::new(origins.iter().map(|s| (*s).to_owned())).methods(methods.iter().copied());
    r.request_headers = headers.iter().map(|s| (*s).to_owned()).collect();
    r
}

/// (name, policy, the targets that can say it exactly)
fn policies() -> Vec<(&'static str, PolicyConfig, &'static [Dialect])> {
    use Dialect::*;
    let safelisted = ["accept", "accept-language", "content-language", "content-type"];
    let mut starlette =
        rule(&["https://app.example.com", "https://*.example.com"], &["GET", "HEAD", "POST", "PUT"], &safelisted);
    starlette.request_headers.insert(0, "x-trace-id".into());
    starlette.credentials = true;
    starlette.max_age = Some(600);
    starlette.expose_headers = vec!["x-request-id".into()];
    let mut credentialed = rule(
        &["https://app.example.com", "https://admin.example.com"],
        &["GET", "HEAD", "POST", "PUT", "DELETE"],
        &["content-type", "x-trace-id"],
    )
    .credentials(true);
    credentialed.expose_headers = vec!["x-request-id".into()];
    credentialed.max_age = Some(600);
    let mut patterns = rule(&["https://*.example.com", "http://localhost:*"], &["GET", "HEAD", "POST"], &[]);
    patterns.max_age = Some(60);
    let mut subdomains =
        rule(&["https://*.example.org", "https://example.org"], &["GET", "HEAD", "POST", "PATCH"], &["x-custom"]);
    subdomains.max_age = Some(3600);
    subdomains.allow_private_network = true;
    let mut public = rule(&["*"], &["*"], &["*", "authorization"]);
    public.max_age = Some(86400);
    let mut api = rule(&["https://console.example.com"], &["GET", "HEAD", "POST", "DELETE"], &["content-type"]);
    api.paths = Some(vec!["/api/*".into()]);
    api.max_age = Some(120);
    let mut site = rule(&["*"], &["GET", "HEAD", "POST"], &[]);
    site.max_age = Some(5);
    let mut scoped = PolicyConfig::new(api);
    scoped.rules.push(site);
    vec![
        ("credentialed list", PolicyConfig::new(credentialed), &[Express, Nginx, Envoy, GatewayApi, Django, Flask]),
        (
            "patterns with a port wildcard",
            PolicyConfig::new(patterns).preflight_status(200),
            &[Express, Nginx, Envoy, Django, Flask],
        ),
        ("subdomains, private network", PolicyConfig::new(subdomains), &[Nginx, Envoy, Django, Flask]),
        ("public", PolicyConfig::new(public), &[Express, Nginx, Envoy, GatewayApi]),
        ("two scoped rules", scoped, &[GatewayApi]),
        ("every safelisted header listed", PolicyConfig::new(starlette), &[Starlette, Django, Nginx, Envoy, Express]),
    ]
}

/// What the target's import reads back for an exact export: the policy,
/// with the target's fixed preflight status.
fn expected(dialect: Dialect, mut p: PolicyConfig) -> PolicyConfig {
    if matches!(dialect, Dialect::Envoy | Dialect::Django | Dialect::Starlette | Dialect::Flask) {
        p.preflight_status = 200;
    }
    p
}

/// The order of a rule's origins means nothing (they go into one set).
fn origins_sorted(mut p: PolicyConfig) -> PolicyConfig {
    for r in &mut p.rules {
        r.origins.sort();
    }
    p
}

#[test]
fn import_after_export_is_the_identity() {
    let mut checked = 0;
    for (name, policy, targets) in policies() {
        for &dialect in targets {
            let exported = export(dialect, &policy);
            assert!(exported.is_exact(), "{name} → {dialect}: {:?}\n{}", exported.findings, exported.text);
            let back = import(dialect, &exported.text);
            let errors: Vec<_> = back.findings.iter().filter(|f| f.severity == Severity::Error).collect();
            assert!(errors.is_empty(), "{name} → {dialect} → import: {errors:?}\n{}", exported.text);
            assert_eq!(
                back.policy.map(origins_sorted),
                Some(origins_sorted(expected(dialect, policy.clone()))),
                "{name} → {dialect}:\n{}",
                exported.text
            );
            checked += 1;
        }
    }
    assert!(checked >= 23, "{checked}");
}

#[test]
fn what_a_target_cannot_say_is_an_error_naming_it() {
    // (policy, target, the finding's location)
    let mut pna = rule(&["https://a.com"], &["GET", "HEAD", "POST"], &[]);
    pna.allow_private_network = true;
    let mut scoped = rule(&["https://a.com"], &["GET", "HEAD", "POST"], &[]);
    scoped.paths = Some(vec!["/api/*".into()]);
    let put_only = rule(&["https://a.com"], &["PUT"], &[]);
    let ports = rule(&["http://localhost:*"], &["GET", "HEAD", "POST"], &[]);
    let mut two = PolicyConfig::new(rule(&["https://a.com"], &["GET", "HEAD", "POST"], &[]));
    two.rules.push(rule(&["https://b.com"], &["GET", "HEAD", "POST"], &[]));
    let rows: Vec<(PolicyConfig, Dialect, &str)> = vec![
        (PolicyConfig::new(pna.clone()), Dialect::Express, "rule[0].allow_private_network"),
        (PolicyConfig::new(pna), Dialect::GatewayApi, "rule[0].allow_private_network"),
        (PolicyConfig::new(scoped.clone()), Dialect::Express, "rule[0].paths"),
        (PolicyConfig::new(scoped), Dialect::Envoy, "rule[0].paths"),
        (PolicyConfig::new(put_only.clone()), Dialect::Express, "rule[0].methods"),
        (PolicyConfig::new(put_only), Dialect::Nginx, "rule[0].methods"),
        (PolicyConfig::new(ports), Dialect::GatewayApi, "rule[0].origins"),
        (two, Dialect::Envoy, "rule[1]"),
    ];
    for (policy, dialect, loc) in rows {
        let exported = export(dialect, &policy);
        assert!(!exported.is_exact(), "{dialect}: {}", exported.text);
        let f = exported.findings.iter().find(|f| f.location == loc && f.severity == Severity::Error);
        let f = f.unwrap_or_else(|| panic!("{dialect}: no error at {loc}: {:?}", exported.findings));
        assert!(exported.text.contains(&f.message), "the header names it:\n{}", exported.text);
    }
}
