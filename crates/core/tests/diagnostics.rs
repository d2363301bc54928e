//! One test per diagnostic code: a policy that triggers it, and the exact
//! code, place and value it must be reported with. A code without a case
//! here fails `every_code_has_a_case`.

use std::collections::BTreeSet;

use crossgate_core::{Code, Policy, PolicyConfig, Severity};

/// (code, policy file, rule index, field, offending value)
const CASES: &[(Code, &str, Option<usize>, &str, &str)] = &[
    (Code::NoRules, "strict = true", None, "rule", ""),
    (Code::NoOrigins, "[[rule]]\nmethods = [\"GET\"]", Some(0), "origins", ""),
    (Code::OriginInvalid, "[[rule]]\norigins = [\"example.com\"]", Some(0), "origins", "example.com"),
    (Code::OriginHasPath, "[[rule]]\norigins = [\"https://a.com/\"]", Some(0), "origins", "https://a.com/"),
    (Code::OriginHasQuery, "[[rule]]\norigins = [\"https://a.com?x=1\"]", Some(0), "origins", "https://a.com?x=1"),
    (Code::OriginHasFragment, "[[rule]]\norigins = [\"https://a.com#top\"]", Some(0), "origins", "https://a.com#top"),
    (Code::OriginHasUserinfo, "[[rule]]\norigins = [\"https://me@a.com\"]", Some(0), "origins", "https://me@a.com"),
    (Code::OriginDefaultPort, "[[rule]]\norigins = [\"https://a.com:443\"]", Some(0), "origins", "https://a.com:443"),
    (Code::OriginTrailingDot, "[[rule]]\norigins = [\"https://a.com.\"]", Some(0), "origins", "https://a.com."),
    (Code::OriginNonCanonicalIp, "[[rule]]\norigins = [\"http://127.1\"]", Some(0), "origins", "http://127.1"),
    (
        Code::OriginNonCanonicalPort,
        "[[rule]]\norigins = [\"http://a.com:08080\"]",
        Some(0),
        "origins",
        "http://a.com:08080",
    ),
    (Code::OriginUnsupportedScheme, "[[rule]]\norigins = [\"ws://a.com\"]", Some(0), "origins", "ws://a.com"),
    (Code::OriginPatternInvalid, "[[rule]]\norigins = [\"https://a.*.com\"]", Some(0), "origins", "https://a.*.com"),
    (Code::NullOriginWithoutOptIn, "[[rule]]\norigins = [\"null\"]", Some(0), "origins", "null"),
    (Code::FileOrigin, "[[rule]]\norigins = [\"file://\"]", Some(0), "origins", "file://"),
    (Code::AnyOriginWithCredentials, "[[rule]]\norigins = [\"*\"]\ncredentials = true", Some(0), "origins", "*"),
    (
        Code::PublicSuffixWithCredentials,
        "[[rule]]\norigins = [\"https://*.github.io\"]\ncredentials = true",
        Some(0),
        "origins",
        "https://*.github.io",
    ),
    (
        Code::InsecureOriginWithCredentials,
        "[[rule]]\norigins = [\"http://app.example.com\"]\ncredentials = true",
        Some(0),
        "origins",
        "http://app.example.com",
    ),
    (
        Code::MethodForbidden,
        "[[rule]]\norigins = [\"https://a.com\"]\nmethods = [\"TRACK\"]",
        Some(0),
        "methods",
        "TRACK",
    ),
    (
        Code::MethodInvalid,
        "[[rule]]\norigins = [\"https://a.com\"]\nmethods = [\"GET POST\"]",
        Some(0),
        "methods",
        "GET POST",
    ),
    (
        Code::HeaderInvalid,
        "[[rule]]\norigins = [\"https://a.com\"]\nrequest_headers = [\"x-a:b\"]",
        Some(0),
        "request_headers",
        "x-a:b",
    ),
    (
        Code::ExposeWildcardWithCredentials,
        "[[rule]]\norigins = [\"https://a.com\"]\ncredentials = true\nexpose_headers = [\"*\"]",
        Some(0),
        "expose_headers",
        "*",
    ),
    (Code::MaxAgeOutOfRange, "[[rule]]\norigins = [\"https://a.com\"]\nmax_age = 86401", Some(0), "max_age", "86401"),
    (
        Code::PreflightStatusInvalid,
        "preflight_status = 302\n[[rule]]\norigins = [\"https://a.com\"]",
        None,
        "preflight_status",
        "302",
    ),
    (Code::PathInvalid, "[[rule]]\norigins = [\"https://a.com\"]\npaths = [\"api/*\"]", Some(0), "paths", "api/*"),
    (
        Code::MaxAgeAboveBrowserCap,
        "[[rule]]\norigins = [\"https://a.com\"]\nmax_age = 7201",
        Some(0),
        "max_age",
        "7201",
    ),
    (
        Code::WildcardHeadersWithoutAuthorization,
        "[[rule]]\norigins = [\"https://a.com\"]\nrequest_headers = [\"*\"]",
        Some(0),
        "request_headers",
        "*",
    ),
    (
        Code::MethodNotUppercase,
        "[[rule]]\norigins = [\"https://a.com\"]\nmethods = [\"patch\"]",
        Some(0),
        "methods",
        "patch",
    ),
    (
        Code::RuleShadowed,
        "[[rule]]\norigins = [\"https://*.a.com\"]\n[[rule]]\norigins = [\"https://x.a.com\"]",
        Some(1),
        "origins",
        "rule[1]",
    ),
    (
        Code::Duplicate,
        "[[rule]]\norigins = [\"https://a.com\", \"https://a.com\"]",
        Some(0),
        "origins",
        "https://a.com",
    ),
    (
        Code::ForbiddenRequestHeader,
        "[[rule]]\norigins = [\"https://a.com\"]\nrequest_headers = [\"cookie\"]",
        Some(0),
        "request_headers",
        "cookie",
    ),
    (
        Code::AppSchemeInvalid,
        "[[rule]]\norigins = [\"https://a.com\"]\napp_schemes = [\"chrome-extension\"]",
        Some(0),
        "app_schemes",
        "chrome-extension",
    ),
    (Code::AppSchemeNotListed, "[[rule]]\norigins = [\"htps://a.com\"]", Some(0), "origins", "htps://a.com"),
    (Code::AppOrigin, "[[rule]]\norigins = [\"tauri://localhost\"]", Some(0), "origins", "tauri://localhost"),
    (Code::OriginNotCanonical, "[[rule]]\norigins = [\"https://App.com\"]", Some(0), "origins", "https://App.com"),
    (
        Code::ExposeHeaderIneffective,
        "[[rule]]\norigins = [\"https://a.com\"]\nexpose_headers = [\"set-cookie\"]",
        Some(0),
        "expose_headers",
        "set-cookie",
    ),
];

fn diagnostics(file: &str) -> (bool, Vec<crossgate_core::Diagnostic>) {
    let config = PolicyConfig::from_toml(file).unwrap_or_else(|e| panic!("{file:?} is not a policy file: {e}"));
    match Policy::new(config) {
        Ok(built) => (true, built.warnings),
        Err(errors) => (false, errors.diagnostics),
    }
}

#[test]
fn each_code_is_reported_with_its_place_and_value() {
    for &(code, file, rule, field, value) in CASES {
        let (built, found) = diagnostics(file);
        let d = found
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("{code}: not reported for {file:?}; got {found:?}"));
        assert_eq!(d.location.rule, rule, "{code}");
        assert_eq!(d.location.field, field, "{code}");
        assert_eq!(d.value, value, "{code}");
        assert!(!d.message.is_empty() && !d.help.is_empty(), "{code}: message and help");
        // Errors refuse the policy; warnings leave it built.
        assert_eq!(built, code.severity() != Severity::Error, "{code}: severity {:?}", code.severity());
    }
}

#[test]
fn every_code_has_a_case() {
    let covered: BTreeSet<_> = CASES.iter().map(|c| c.0).collect();
    let missing: Vec<_> = Code::ALL.iter().filter(|c| !covered.contains(c)).collect();
    assert!(missing.is_empty(), "codes without a test case: {missing:?}");
}

#[test]
fn opt_ins_turn_the_dangerous_errors_off() {
    let file = r#"
        [[rule]]
        origins = ["*"]
        credentials = true
        dangerously_allow_any_origin_with_credentials = true
        [[rule]]
        origins = ["null", "https://*.github.io", "http://intranet.example"]
        credentials = true
        dangerously_allow_null_origin = true
        dangerously_allow_public_suffix_subdomains = true
        dangerously_allow_insecure_origins_with_credentials = true
    "#;
    let (built, found) = diagnostics(file);
    assert!(built, "{found:?}");
}

#[test]
fn every_error_is_reported_at_once() {
    let file = r#"
        preflight_status = 500
        [[rule]]
        origins = ["https://a.com/", "*", "null"]
        credentials = true
        methods = ["CONNECT", "bad method"]
        request_headers = ["bad header"]
        expose_headers = ["*"]
        max_age = -2
        paths = ["nope"]
        [[rule]]
    "#;
    let (built, found) = diagnostics(file);
    assert!(!built);
    let codes: Vec<_> = found.iter().filter(|d| d.severity() == Severity::Error).map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "preflight-status-invalid",
            "origin-has-path",
            "any-origin-with-credentials",
            "null-origin-without-opt-in",
            "method-forbidden",
            "method-invalid",
            "header-invalid",
            "expose-wildcard-with-credentials",
            "max-age-out-of-range",
            "path-invalid",
            "no-origins",
        ]
    );
}

#[test]
fn credentials_only_guards_do_not_fire_without_credentials() {
    let file = r#"
        [[rule]]
        origins = ["*"]
        [[rule]]
        origins = ["https://*.github.io", "http://intranet.example"]
        methods = ["PUT"]
    "#;
    let (built, found) = diagnostics(file);
    assert!(built, "{found:?}");
}

#[test]
fn loopback_http_origins_are_fine_with_credentials() {
    let file = r#"
        [[rule]]
        origins = ["http://localhost:*", "http://127.0.0.1:8080", "http://[::1]:3000", "http://app.localhost:*"]
        credentials = true
    "#;
    let (built, found) = diagnostics(file);
    assert!(built && found.is_empty(), "{found:?}");
}

#[test]
fn the_errors_document_lists_every_code() {
    let doc = include_str!("../../../docs/errors.md");
    for code in Code::ALL {
        assert!(doc.contains(&format!("`{}`", code.as_str())), "docs/errors.md does not document `{code}`");
    }
}

#[test]
fn json_policies_report_the_same_way() {
    let json = r#"{"rule": [{"origins": ["https://a.com/"]}]}"#;
    let err = Policy::from_json(json).unwrap_err().to_string();
    assert!(err.contains("origin-has-path"), "{err}");
    let err = Policy::from_json(r#"{"rule": [{"orgins": []}]}"#).unwrap_err().to_string();
    assert!(err.contains("unknown field `orgins`"), "{err}");
}
