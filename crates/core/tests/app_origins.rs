//! App-scheme origins (Tauri, Capacitor, extensions, an app's own scheme):
//! accepted only when a rule opts in, matched exactly, never by a pattern.

use crossgate_core::{Code, Policy, PolicyConfig, RuleConfig, Severity};
use http::{HeaderMap, HeaderValue, Method};

const EXTENSION: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
const FIREFOX: &str = "moz-extension://0f3c4e2a-1b2c-4d5e-8f90-123456789abc";

fn build(rule: RuleConfig) -> Result<(Policy, Vec<Code>), Vec<Code>> {
    match Policy::new(PolicyConfig::new(rule)) {
        Ok(b) => Ok((b.policy, b.warnings.iter().map(|d| d.code).collect())),
        Err(e) => Err(e.errors().map(|d| d.code).collect()),
    }
}

/// What `Access-Control-Allow-Origin` a `GET` from `origin` gets.
fn allow_origin(policy: &Policy, origin: &str) -> Option<String> {
    let mut h = HeaderMap::new();
    h.insert("origin", HeaderValue::from_str(origin).unwrap());
    policy.evaluate(&Method::GET, "/", &h).headers().allow_origin().map(|v| v.to_str().unwrap().to_owned())
}

#[test]
fn accepted_only_when_the_rule_opts_in() {
    // (origins, app_schemes, errors, or the request origins then allowed)
    type Case = (&'static [&'static str], &'static [&'static str], Result<&'static [&'static str], &'static [Code]>);
    let cases: &[Case] = &[
        // Listing a known platform's or an extension's origin exactly is the opt-in.
        (&["tauri://localhost"], &[], Ok(&["tauri://localhost"])),
        (&[EXTENSION], &[], Ok(&[EXTENSION])),
        (&[FIREFOX], &[], Ok(&[FIREFOX])),
        (&["vscode-webview://1a2b3c"], &[], Ok(&["vscode-webview://1a2b3c"])),
        // A platform's name adds every origin its builds send.
        (
            &["https://app.example.com"],
            &["tauri"],
            Ok(&["tauri://localhost", "http://tauri.localhost", "https://tauri.localhost"]),
        ),
        (&[], &["capacitor"], Ok(&["capacitor://localhost", "https://localhost", "http://localhost"])),
        // An app's own scheme needs naming, then its origins listed.
        (&["app://main"], &[], Err(&[Code::AppSchemeNotListed])),
        (&["app://main"], &["app"], Ok(&["app://main"])),
        (&["htps://app.example.com"], &[], Err(&[Code::AppSchemeNotListed])),
        // Extension schemes stand for everyone's extensions.
        (&["https://a.example"], &["chrome-extension"], Err(&[Code::AppSchemeInvalid])),
        (&["https://a.example"], &["moz-extension"], Err(&[Code::AppSchemeInvalid])),
        (&["https://a.example"], &["https", "tauri://", "Tauri"], Err(&[Code::AppSchemeInvalid; 3])),
        // Exact only: no wildcard stands for an app origin, hosts are required.
        (&["tauri://*"], &[], Err(&[Code::OriginPatternInvalid])),
        (&["chrome-extension://*"], &[], Err(&[Code::OriginPatternInvalid])),
        (&["app://*.main"], &["app"], Err(&[Code::OriginPatternInvalid])),
        (&["tauri://"], &[], Err(&[Code::OriginInvalid])),
        (&["tauri://localhost/"], &[], Err(&[Code::OriginHasPath])),
        (&["chrome-extension://abcdefghijklmnopabcdefghijklmnoz"], &[], Err(&[Code::OriginInvalid])),
        (&["moz-extension://not-a-uuid"], &[], Err(&[Code::OriginInvalid])),
        (&["ws://a.example"], &[], Err(&[Code::OriginUnsupportedScheme])),
    ];
    let all_requests = [
        "tauri://localhost",
        "http://tauri.localhost",
        "https://tauri.localhost",
        "capacitor://localhost",
        "https://localhost",
        "http://localhost",
        "app://main",
        EXTENSION,
        FIREFOX,
        "vscode-webview://1a2b3c",
    ];
    for (origins, schemes, expected) in cases {
        let rule = RuleConfig::new(origins.iter().copied()).app_schemes(schemes.iter().copied());
        match (build(rule), expected) {
            (Ok((policy, _)), Ok(allowed)) => {
                for request in all_requests {
                    let got = allow_origin(&policy, request);
                    let want = allowed.contains(&request).then(|| request.to_owned());
                    assert_eq!(got, want, "{origins:?} {schemes:?}: {request}");
                }
            }
            (Err(codes), Err(want)) => assert_eq!(codes, *want, "{origins:?} {schemes:?}"),
            (got, want) => panic!("{origins:?} {schemes:?}: got {:?}, want {want:?}", got.map(|(_, w)| w)),
        }
    }
}

#[test]
fn no_pattern_stands_for_an_app_origin() {
    // `*` with credentials (its dangerous opt-in) reflects any web origin,
    // never an app one.
    let (any, _) =
        build(RuleConfig::new(["*"]).credentials(true).dangerously_allow_any_origin_with_credentials(true)).unwrap();
    assert_eq!(allow_origin(&any, "https://a.example").as_deref(), Some("https://a.example"));
    for origin in ["tauri://localhost", EXTENSION, "app://main"] {
        assert_eq!(allow_origin(&any, origin), None, "{origin}");
    }
    // Subdomain and port patterns are for http(s) only.
    let (patterns, _) = build(RuleConfig::new(["https://*.localhost", "http://localhost:*"])).unwrap();
    for origin in ["tauri://localhost", "capacitor://localhost", "tauri://a.localhost"] {
        assert_eq!(allow_origin(&patterns, origin), None, "{origin}");
    }
}

#[test]
fn request_origins_match_only_as_sent() {
    let (policy, _) = build(RuleConfig::new(["tauri://localhost", EXTENSION]).credentials(true)).unwrap();
    assert_eq!(allow_origin(&policy, "tauri://localhost").as_deref(), Some("tauri://localhost"));
    for near in [
        "TAURI://localhost",
        "tauri://LOCALHOST",
        "tauri://localhost/",
        "tauri://localhost:0",
        "tauri://localhost.",
        "tauri:localhost",
        "tauri://localhost.evil.com",
        "chrome-extension://ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP",
    ] {
        assert_eq!(allow_origin(&policy, near), None, "{near}");
    }
}

#[test]
fn notes_say_which_platform_sends_which_origin() {
    let built =
        Policy::new(PolicyConfig::new(RuleConfig::new(["tauri://localhost", EXTENSION]).app_schemes(["capacitor"])))
            .unwrap();
    let notes: Vec<_> = built.warnings.iter().filter(|d| d.severity() == Severity::Note).collect();
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(built.warnings.iter().all(|d| d.code == Code::AppOrigin));
    let text = |value: &str| notes.iter().find(|d| d.value == value).map(|d| d.message.clone()).unwrap();
    let tauri = text("tauri://localhost");
    assert!(tauri.starts_with("Tauri 2 on macOS and Linux sends this origin"), "{tauri}");
    assert!(tauri.contains("`http://tauri.localhost`") && tauri.contains("app_schemes = [\"tauri\"]"), "{tauri}");
    assert!(text(EXTENSION).contains("32 letters a–p") && text(EXTENSION).contains("only that extension"));
    let capacitor = text("capacitor");
    assert!(
        capacitor.contains("`capacitor://localhost` (Capacitor on iOS)") && capacitor.contains("Android"),
        "{capacitor}"
    );
}

#[test]
fn policy_files_list_app_schemes() {
    let built = Policy::from_toml(
        "[[rule]]\norigins = [\"https://app.example.com\", \"TAURI://localhost\"]\napp_schemes = [\"capacitor\"]\ncredentials = true\n",
    )
    .unwrap();
    let rule = &built.policy.config().rules[0];
    // Stored canonical, the expansion left out so the file reads back the same.
    assert_eq!(rule.origins, ["https://app.example.com", "tauri://localhost"]);
    assert_eq!(rule.app_schemes, ["capacitor"]);
    assert!(built.warnings.iter().any(|d| d.code == Code::OriginNotCanonical));
    assert_eq!(allow_origin(&built.policy, "capacitor://localhost").as_deref(), Some("capacitor://localhost"));
}
