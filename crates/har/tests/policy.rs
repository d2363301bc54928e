//! `--policy-out`'s proposal: one policy that the engine accepts, that
//! allows every blocked call it lists (each proven by replaying the call
//! against it in memory, with the servers' recorded answers behind it), and
//! that refuses, with a reason, what it must not allow.

use crossgate_browser::pair::{ManualClock, Pair};
use crossgate_browser::{Origin, Profile, RequestInit};
use crossgate_core::Policy;
use crossgate_har::{explain, propose, Options};

#[test]
fn the_firefox_file_gets_one_rule_that_allows_its_blocked_calls() {
    let report = explain(include_bytes!("fixtures/firefox.har"), &Options::default()).unwrap();
    let proposal = propose(&report, Profile::Chromium);
    assert_eq!(proposal.allowed, [3, 4, 6]);
    assert!(proposal.refused.is_empty(), "{:?}", proposal.refused);
    assert_eq!(proposal.servers, ["https://api.example"]);
    // The file form loads back as the same policy.
    let text = proposal.to_toml();
    assert_eq!(Policy::from_toml(&text).unwrap().policy.config(), proposal.config.as_ref().unwrap());
    let config = proposal.config.unwrap();
    let built = Policy::new(config.clone()).unwrap();
    assert!(built.warnings.is_empty(), "{:?}", built.warnings);
    let rule = &config.rules[0];
    assert_eq!(rule.origins, ["https://shop.example"]);
    assert!(rule.credentials);
    assert_eq!(rule.methods.as_deref().unwrap(), ["GET", "HEAD", "POST", "PUT"]);
    assert_eq!(rule.paths.as_deref().unwrap(), ["/orders", "/cart/1", "/me"]);
    // Exactly these calls: another origin, or another path, stays blocked.
    let mut pair = Pair::with_clock(&built.policy, Profile::Chromium, ManualClock::default());
    for (origin, url) in
        [("https://evil.example", "https://api.example/me"), ("https://shop.example", "https://api.example/admin")]
    {
        let run = pair.fetch(RequestInit::fetch(Origin::parse(origin).unwrap(), url.parse().unwrap())).unwrap();
        assert!(!run.verdict.allowed, "{origin} {url}");
    }
}

#[test]
fn null_and_insecure_credentialed_origins_are_refused() {
    let entry = |origin: &str, url: &str, cookie: bool| {
        let mut headers = vec![serde_json::json!({"name": "Origin", "value": origin})];
        if cookie {
            headers.push(serde_json::json!({"name": "Cookie", "value": "s=1"}));
        }
        serde_json::json!({"_resourceType": "fetch", "startedDateTime": "2026-01-01T00:00:00Z",
            "request": {"method": "GET", "url": url, "headers": headers},
            "response": {"status": 200, "headers": [], "_error": "net::ERR_FAILED"}})
    };
    let har = serde_json::json!({"log": {"version": "1.2", "entries": [
        entry("null", "https://api.test/a", false),
        entry("http://app.test", "https://api.test/b", true),
        entry("https://app.test", "https://api.test/c", false),
    ]}});
    let report = explain(&serde_json::to_vec(&har).unwrap(), &Options::default()).unwrap();
    assert_eq!(report.summary.blocked, 3);
    let proposal = propose(&report, Profile::Chromium);
    assert_eq!(proposal.allowed, [2]);
    let reasons: Vec<(usize, bool)> = proposal
        .refused
        .iter()
        .map(|r| (r.index, r.reason.contains(if r.index == 0 { "`null`" } else { "insecure-origin-with-credentials" })))
        .collect();
    assert_eq!(reasons, [(0, true), (1, true)], "{:?}", proposal.refused);
    let origins: Vec<String> = proposal.config.unwrap().rules.into_iter().flat_map(|r| r.origins).collect();
    assert_eq!(origins, ["https://app.test"]);
}
