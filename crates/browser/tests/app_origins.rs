//! A page on an app or extension scheme calling an API: the emulator sends
//! its scheme origin, and the engine decides it like any other, so the two
//! halves agree only when the rule opts in.

use crossgate_browser::pair::Pair;
use crossgate_browser::{Origin, RequestInit};
use crossgate_core::{Policy, PolicyConfig, RuleConfig};

const PAGES: [&str; 4] = [
    "tauri://localhost",
    "http://tauri.localhost",
    "capacitor://localhost",
    "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
];

fn policy(rule: RuleConfig) -> Policy {
    Policy::new(PolicyConfig::new(rule.methods(["GET", "PUT"]).request_headers(["content-type"]).credentials(true)))
        .expect("valid policy")
        .policy
}

#[test]
fn app_pages_send_their_scheme_origin_and_are_allowed_only_when_listed() {
    let web_only = policy(RuleConfig::new(["https://app.example.com"]));
    let tauri = policy(RuleConfig::new(["https://app.example.com"]).app_schemes(["tauri"]));
    let extension = policy(RuleConfig::new(["chrome-extension://abcdefghijklmnopabcdefghijklmnop"]));
    let cases: [(&Policy, [bool; 4]); 3] =
        [(&web_only, [false; 4]), (&tauri, [true, true, false, false]), (&extension, [false, false, false, true])];
    for (policy, allowed) in cases {
        for (page, allowed) in PAGES.iter().zip(allowed) {
            let mut pair = Pair::new(policy);
            let origin = Origin::parse(page).expect("an app origin parses");
            let url = url::Url::parse("https://api.example.com/items/1").unwrap();
            let init = RequestInit::fetch(origin, url).method("PUT").header("content-type", "application/json");
            let run = pair.fetch(init).expect("constructs");
            let preflight = run.preflight().expect("a PUT with JSON is preflighted");
            let sent = preflight.request.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("origin"));
            assert_eq!(sent.map(|(_, v)| v.as_str()), Some(*page), "the page sends its own origin");
            assert_eq!(run.verdict.allowed, allowed, "{page}: {:?}", run.verdict.blocked);
            assert_eq!(preflight.engine.is_allowed(), allowed, "{page}");
        }
    }
}
