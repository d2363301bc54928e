//! Inputs the fuzz targets (`fuzz/`) found, kept as regression tests. Each
//! test names the target that found the input and what went wrong.

use crossgate_core::origin::parse_pattern;
use crossgate_core::{Action, Code, LoadError, Policy, PolicyConfig, RuleConfig};

/// Found by `origin` (through `parse_pattern`): an origin without `://`
/// whose fifth byte falls inside a multi-byte character made the `file:`
/// check slice a `str` off a character boundary and panic. Reachable from
/// any policy file.
#[test]
fn fuzz_origin_pattern_without_scheme_and_multibyte_fifth_char() {
    for input in ["n\u{fffd}\u{fffd}igin", "abcdé", "fileé", "ééé", "file\u{1f600}"] {
        let e = parse_pattern(input).unwrap_err();
        assert_eq!(e.code, Code::OriginInvalid, "{input:?}");
    }
    // Still recognised when it is spelled in ASCII.
    assert_eq!(parse_pattern("FILE:foo").unwrap_err().code, Code::FileOrigin);
    assert!(matches!(Policy::from_toml("[[rule]]\norigins = [\"abcdé\"]\n"), Err(LoadError::Invalid(_))));
    assert!(Policy::new(PolicyConfig::new(RuleConfig::new(["n\u{fffd}igin"]))).is_err());
}

fn vary_of(map: &http::HeaderMap) -> Vec<&str> {
    map.get_all("vary").iter().map(|v| v.to_str().unwrap()).collect()
}

/// What a middleware sends for this request: the local answer's status and
/// headers, or the handler's 200 with the decision's headers.
fn respond(policy: &Policy, method: &str, headers: &[(&str, &str)]) -> (u16, http::HeaderMap) {
    let mut map = http::HeaderMap::new();
    for (n, v) in headers {
        map.append(http::HeaderName::from_bytes(n.as_bytes()).unwrap(), http::HeaderValue::from_str(v).unwrap());
    }
    let method = http::Method::from_bytes(method.as_bytes()).unwrap();
    let d = policy.evaluate(&method, "/x", &map);
    let mut out = http::HeaderMap::new();
    match d.into_action() {
        Action::Answer(a) => {
            a.headers.write_to(&mut out);
            (a.status.as_u16(), out)
        }
        Action::Refuse(vary) => {
            vary.merge_into(&mut out);
            (403, out)
        }
        Action::Forward(pending) => {
            pending.finish(&mut out).unwrap();
            (200, out)
        }
    }
}

/// Found by `decision` (the differential `Vary` check): under a strict
/// policy whose rules all answer `*`, a request no rule covers passed
/// through without `Origin` but got a 403 with one, and neither response
/// said `Vary: Origin`, so a cache could serve one for the other. Strict
/// mode now varies on `Origin` whenever it does not grant `*`.
#[test]
fn fuzz_decision_strict_static_wildcard_policy_varies_when_it_may_refuse() {
    let policy = Policy::from_toml("strict = true\n[[rule]]\norigins = [\"*\"]\nmethods = [\"GET\"]\n").unwrap().policy;
    let (status, h) = respond(&policy, "POST", &[]);
    assert_eq!((status, vary_of(&h)), (200, vec!["Origin"]));
    let (status, h) = respond(&policy, "POST", &[("origin", "https://evil.example")]);
    assert_eq!((status, vary_of(&h)), (403, vec!["Origin"]));
    // A same-origin POST passes, and varies too.
    let (status, h) = respond(&policy, "POST", &[("origin", "https://api.example.com"), ("host", "api.example.com")]);
    assert_eq!((status, vary_of(&h)), (200, vec!["Origin"]));
    // What is granted `*` is the same for everyone: still no Vary.
    for headers in [&[][..], &[("origin", "https://evil.example")]] {
        let (status, h) = respond(&policy, "GET", headers);
        assert_eq!(status, 200);
        assert_eq!(h["access-control-allow-origin"], "*");
        assert!(vary_of(&h).is_empty());
    }
    // Without strict mode nothing depends on Origin, so nothing varies.
    let lax = Policy::from_toml("[[rule]]\norigins = [\"*\"]\nmethods = [\"GET\"]\n").unwrap().policy;
    for headers in [&[][..], &[("origin", "https://evil.example")]] {
        let (status, h) = respond(&lax, "POST", headers);
        assert_eq!((status, vary_of(&h).len()), (200, 0));
    }
}

/// Found by `decision` (the differential `Vary` check): under a policy whose
/// rules all answer `*` (and so send no `Vary`), a request with two
/// `Origin` lines was refused (no ACAO) while any single or absent `Origin`
/// got `*`; a shared cache storing that refusal would have served it to
/// every browser. Such a policy never reads the value, so a repeated
/// `Origin` now gets the same `*`; elsewhere it is still refused.
#[test]
fn fuzz_decision_repeated_origin_under_a_static_wildcard_policy() {
    let star = Policy::from_toml("[[rule]]\norigins = [\"*\"]\nmethods = [\"GET\"]\n").unwrap().policy;
    for headers in [
        &[("origin", "https://foo.com"), ("origin", ":")][..],
        &[("origin", "https://a.example"), ("origin", "https://b.example")],
        &[("origin", "https://foo.com")],
        &[],
    ] {
        let (status, h) = respond(&star, "GET", headers);
        assert_eq!(status, 200);
        assert_eq!(h.get_all("access-control-allow-origin").iter().collect::<Vec<_>>(), ["*"], "{headers:?}");
        assert!(vary_of(&h).is_empty());
    }
    // Wherever the answer depends on the origin, two Origin lines get nothing.
    let listed = Policy::from_toml(
        "[[rule]]\norigins = [\"*\"]\n[[rule]]\norigins = [\"https://b.example\"]\ncredentials = true\n",
    )
    .unwrap()
    .policy;
    let (_, h) = respond(&listed, "GET", &[("origin", "https://b.example"), ("origin", "https://b.example")]);
    assert!(h.get("access-control-allow-origin").is_none());
    assert_eq!(vary_of(&h), ["Origin"]);
}
