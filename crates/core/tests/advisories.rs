//! One regression test per published CORS-middleware advisory that applies
//! to a server-side CORS engine (the advisory table of the security
//! research). Each test is named after the advisory, says what the bug
//! was, replays its attack against crossgate and asserts it fails.
//! Middleware-level attacks over a real socket are in
//! `crates/tower/tests/advisories.rs`; the advisories that do not apply
//! are listed, with the reason, in `docs/security.md`.
//!
//! Advisory pages: `https://github.com/advisories/<GHSA-ID>`,
//! `https://www.cve.org/CVERecord?id=<CVE-ID>`.

use std::time::{Duration, Instant};

use crossgate_core::{Action, Code, LoadError, Policy, PolicyConfig, RequestKind, RuleConfig};
use crossgate_test_support::alloc::{measure, Counting};
use http::{HeaderMap, HeaderName, HeaderValue, Method};

// ---------------------------------------------------------------------------
// Helpers: a policy from TOML, and a request run the way a middleware runs it.

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes allocated by `f` on this thread.
fn allocated_bytes(f: impl FnOnce()) -> usize {
    measure(f).bytes
}

fn build(toml: &str) -> Policy {
    Policy::from_toml(toml).unwrap_or_else(|e| panic!("policy does not build: {e}")).policy
}

/// The error codes a policy file is refused with.
fn refused(toml: &str) -> Vec<&'static str> {
    match Policy::from_toml(toml) {
        Ok(_) => panic!("policy builds but must not:\n{toml}"),
        Err(LoadError::Invalid(e)) => e.errors().map(|d| d.code.as_str()).collect(),
        Err(LoadError::Syntax(e)) => panic!("syntax error instead of a validation error: {e}"),
    }
}

struct Reply {
    /// `Some` when the engine answers without calling the handler.
    local: Option<u16>,
    headers: HeaderMap,
}

impl Reply {
    fn acao(&self) -> Option<&[u8]> {
        self.headers.get("access-control-allow-origin").map(HeaderValue::as_bytes)
    }
    fn cors_headers(&self) -> Vec<&str> {
        self.headers.keys().map(HeaderName::as_str).filter(|n| n.starts_with("access-control-")).collect()
    }
    fn vary_has_origin(&self) -> bool {
        self.headers
            .get_all("vary")
            .iter()
            .any(|v| v.to_str().unwrap().split(',').any(|t| t.trim().eq_ignore_ascii_case("origin")))
    }
    fn assert_denied(&self, what: &str) {
        assert!(self.cors_headers().is_empty(), "{what}: CORS headers on a denied request: {:?}", self.headers);
        assert!(self.vary_has_origin(), "{what}: no Vary: Origin on a denied request");
    }
    fn assert_allowed(&self, origin: &str) {
        assert_eq!(self.acao(), Some(origin.as_bytes()), "{origin} should be allowed: {:?}", self.headers);
        assert!(self.vary_has_origin(), "{origin}: no Vary: Origin");
    }
}

/// Runs a request through the policy as a middleware does: the local answer,
/// or the handler's response headers (`upstream`) finished with the decision.
fn run(policy: &Policy, method: &str, path: &str, headers: &[(&str, &[u8])], upstream: &[(&str, &str)]) -> Reply {
    let mut map = HeaderMap::new();
    for (n, v) in headers {
        map.append(HeaderName::from_bytes(n.as_bytes()).unwrap(), HeaderValue::from_bytes(v).unwrap());
    }
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let pending = match policy.evaluate(&method, path, &map).into_action() {
        Action::Answer(answer) => {
            let mut headers = HeaderMap::new();
            answer.headers.write_to(&mut headers);
            return Reply { local: Some(answer.status.as_u16()), headers };
        }
        Action::Refuse(vary) => {
            let mut headers = HeaderMap::new();
            vary.merge_into(&mut headers);
            return Reply { local: Some(403), headers };
        }
        Action::Forward(pending) => pending,
    };
    let mut headers = HeaderMap::new();
    for (n, v) in upstream {
        headers.append(HeaderName::from_bytes(n.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
    }
    pending.finish(&mut headers).unwrap();
    Reply { local: None, headers }
}

fn get(policy: &Policy, origin: &str) -> Reply {
    run(policy, "GET", "/", &[("origin", origin.as_bytes())], &[])
}

fn get_path(policy: &Policy, path: &str, origin: &str) -> Reply {
    run(policy, "GET", path, &[("origin", origin.as_bytes())], &[])
}

fn preflight(policy: &Policy, path: &str, origin: &str, method: &str, acrh: Option<&str>) -> Reply {
    let mut headers: Vec<(&str, &[u8])> =
        vec![("origin", origin.as_bytes()), ("access-control-request-method", method.as_bytes())];
    if let Some(h) = acrh {
        headers.push(("access-control-request-headers", h.as_bytes()));
    }
    run(policy, "OPTIONS", path, &headers, &[])
}

const APP: &str = "https://app.example.com";

fn app_policy() -> Policy {
    build(
        r#"
        [[rule]]
        origins = ["https://app.example.com"]
        methods = ["GET", "POST", "PUT"]
        request_headers = ["content-type", "x-req-id"]
        credentials = true
        "#,
    )
}

fn subdomain_policy() -> Policy {
    build(
        r#"
        [[rule]]
        origins = ["https://example.com", "https://*.example.com"]
        credentials = true
        "#,
    )
}

/// The origins that prefix, suffix, substring and unescaped-dot matchers
/// let through for an allow-list of `https://example.com` and its
/// subdomains (or for `https://app.example.com`).
const LOOKALIKES: &[&str] = &[
    "https://example.com.evil.com",
    "https://app.example.com.evil.com",
    "https://example.com-evil.com",
    "https://example.comevil.com",
    "https://evilexample.com",
    "https://evil-example.com",
    "https://notexample.com",
    "https://example.common.net",
    "https://xample.com",
    "https://example.co",
    "https://appxexample.com",
    "https://app.examplexcom",
    "https://evil.com/example.com",
    "https://evil.com?example.com",
    "https://evil.com#.example.com",
    "https://example.com@evil.com",
    "https://example.com_.evil.com",
    "https://example.com%60.evil.com",
    "http://example.com",
    "HTTPS://EXAMPLE.COM",
];

fn assert_lookalikes_denied(policy: &Policy) {
    for origin in LOOKALIKES {
        get(policy, origin).assert_denied(origin);
        let p = preflight(policy, "/", origin, "PUT", None);
        assert_eq!(p.local, Some(403), "{origin}");
        assert!(p.cors_headers().is_empty(), "{origin}");
    }
}

// ---------------------------------------------------------------------------
// Flask-CORS (PyPI)

/// CVE-2020-25032 (Flask-CORS < 3.0.9): the resource path was matched before
/// normalisation, so `/api/../private` got the `/api/*` rule's CORS grant.
#[test]
fn cve_2020_25032_flask_cors_dot_segments_escape_the_path_scope() {
    let policy = build(
        r#"
        [[rule]]
        origins = ["https://app.example.com"]
        credentials = true
        paths = ["/api/*"]
        "#,
    );
    get_path(&policy, "/api/items", APP).assert_allowed(APP);
    for path in [
        "/api/../private",
        "/api/./../private",
        "/api/%2e%2e/private",
        "/api/%2E%2e/private",
        "/api/.%2e/private",
        "/api/x/../../private",
    ] {
        get_path(&policy, path, APP).assert_denied(path);
        assert_eq!(preflight(&policy, path, APP, "PUT", None).local, Some(403), "{path}");
    }
}

/// The same escape with the separator encoded (`..%2f`, `%2e%2e%5c`, `..;/`):
/// an upstream that decodes `%2F` before resolving dots (Python's
/// `http.server`, many static file servers), takes `\` for `/` or drops
/// `;parameters` (Tomcat) serves the private file, so a scoped rule must not
/// grant it, whatever the spelling.
#[test]
fn cve_2020_25032_flask_cors_encoded_separators_escape_the_path_scope() {
    let policy = build(
        r#"
        [[rule]]
        origins = ["*"]
        paths = ["/public/*"]
        [[rule]]
        origins = ["https://app.example.com"]
        credentials = true
        paths = ["/private/*"]
        "#,
    );
    let evil = "https://evil.example";
    assert_eq!(get_path(&policy, "/public/a%2Fb", evil).acao(), Some(&b"*"[..]));
    assert_eq!(preflight(&policy, "/public/x", evil, "GET", None).local, Some(204));
    for path in [
        "/public/..%2fprivate/secret.txt",
        "/public/..%2Fprivate/secret.txt",
        "/public/%2e%2e%2fprivate/secret.txt",
        "/public/%2E%2E%2Fprivate/secret.txt",
        "/public/.%2e%2fprivate/secret.txt",
        "/public/..%5cprivate/secret.txt",
        "/public/%2e%2e%5Cprivate/secret.txt",
        "/public/..\\private/secret.txt",
        "/public\\..\\private/secret.txt",
        "/public/x%2f..%2f..%2fprivate/secret.txt",
        "/public/..;/private/secret.txt",
        "/public/%2e%2e;x=1/private/secret.txt",
    ] {
        get_path(&policy, path, evil).assert_denied(path);
        assert_eq!(preflight(&policy, path, evil, "GET", None).local, Some(403), "{path}");
    }
}

/// CVE-2024-1681 / GHSA-84pr-m4jr-85g5 (Flask-CORS ≤ 4.0.0): CRLF in the
/// request path was written to the debug log (log injection). crossgate's
/// debug output (the body of a rejected preflight in debug mode) names only
/// validated tokens from the request, and is always exactly one line; a
/// path cannot even carry CR/LF through `http::Uri`.
#[test]
fn cve_2024_1681_flask_cors_log_injection_through_request_data() {
    assert!(http::Uri::try_from("/api/\r\nX-Injected: 1").is_err());
    let policy = Policy::new(
        PolicyConfig::new(RuleConfig::new([APP]).methods(["GET", "PUT"]).request_headers(["x-req-id"])).debug(true),
    )
    .unwrap()
    .policy;
    let mut headers = HeaderMap::new();
    headers.insert("origin", HeaderValue::from_static(APP));
    headers.insert("access-control-request-method", HeaderValue::from_static("PUT"));
    for acrh in ["x-evil", "x-a,x-b\u{0}", "x-a\u{b}b", "x-%0d%0aSet-Cookie"] {
        let Ok(v) = HeaderValue::from_str(acrh) else { continue };
        headers.insert("access-control-request-headers", v);
        let d = policy.evaluate(&Method::OPTIONS, "/api", &headers);
        let Action::Answer(answer) = d.into_action() else { panic!("a debug refusal is an answer") };
        let body = answer.debug_body.unwrap();
        assert_eq!(body.matches('\n').count(), 1, "{body:?}");
        assert!(body.ends_with('\n') && !body.contains('\r'), "{body:?}");
    }
}

/// CVE-2024-6221 / GHSA-hxwh-jpp2-84pm / PYSEC-2024-71 (Flask-CORS ≤ 4.0.1):
/// `Access-Control-Allow-Private-Network: true` was sent by default, letting
/// public sites reach private-network services.
#[test]
fn cve_2024_6221_flask_cors_private_network_access_by_default() {
    let policy = app_policy();
    let pna = |policy: &Policy| {
        run(
            policy,
            "OPTIONS",
            "/",
            &[
                ("origin", APP.as_bytes()),
                ("access-control-request-method", b"PUT"),
                ("access-control-request-private-network", b"true"),
            ],
            &[],
        )
    };
    let r = pna(&policy);
    assert_eq!(r.local, Some(403));
    assert!(r.headers.get("access-control-allow-private-network").is_none());
    // Without the PNA request header, the same preflight never gets it either.
    let r = preflight(&policy, "/", APP, "PUT", None);
    assert_eq!(r.local, Some(204));
    assert!(r.headers.get("access-control-allow-private-network").is_none());
    // Only an explicit opt-in grants it, and only when asked.
    let opted = Policy::new(PolicyConfig::new(RuleConfig::new([APP]).methods(["PUT"]).allow_private_network(true)))
        .unwrap()
        .policy;
    assert_eq!(pna(&opted).headers["access-control-allow-private-network"], "true");
    assert!(preflight(&opted, "/", APP, "PUT", None).headers.get("access-control-allow-private-network").is_none());
}

/// CVE-2024-6839 / GHSA-7rxf-gvfg-47g4 (Flask-CORS < 6.0.0): path rules were
/// ordered by regex length, not as written, so a less restrictive rule could
/// apply to a sensitive path. crossgate's rules apply in the order written
/// (first match wins, whatever the path lengths), and a scoped rule never
/// applies outside its scope.
#[test]
fn cve_2024_6839_flask_cors_rule_order_by_length() {
    let policy = build(
        r#"
        [[rule]]
        origins = ["https://app.example.com"]
        paths = ["/api/admin/*"]
        [[rule]]
        origins = ["https://app.example.com", "https://partner.example.net"]
        credentials = true
        paths = ["/api/*"]
        "#,
    );
    // The admin rule is first: no credentials there, and no partner access.
    let admin = get_path(&policy, "/api/admin/users", APP);
    assert_eq!(admin.acao(), Some(APP.as_bytes()));
    assert!(admin.headers.get("access-control-allow-credentials").is_none(), "the first (admin) rule applies");
    let mut h = HeaderMap::new();
    h.insert("origin", HeaderValue::from_static(APP));
    assert_eq!(policy.evaluate(&Method::GET, "/api/admin/users", &h).rule(), Some(0));
    // The broader rule elsewhere.
    assert_eq!(get_path(&policy, "/api/items", APP).headers["access-control-allow-credentials"], "true");
    get_path(&policy, "/admin", "https://partner.example.net").assert_denied("outside every scope");
}

/// CVE-2024-6844 / GHSA-8vgw-p6qm-5gr7 (Flask-CORS < 6.0.0): paths were
/// decoded with `unquote_plus`, turning `+` into a space, so the wrong rule
/// matched. crossgate compares the raw path bytes: no decoding at all.
#[test]
fn cve_2024_6844_flask_cors_plus_decoded_as_space() {
    let policy = build(
        r#"
        [[rule]]
        origins = ["https://app.example.com"]
        paths = ["/files/a+b"]
        "#,
    );
    get_path(&policy, "/files/a+b", APP).assert_allowed(APP);
    for path in ["/files/a%20b", "/files/a%2Bb", "/files/a%2bb", "/files/ab"] {
        get_path(&policy, path, APP).assert_denied(path);
    }
    // A scope with a space cannot even be written.
    assert_eq!(
        refused("[[rule]]\norigins = [\"https://app.example.com\"]\npaths = [\"/files/a b\"]\n"),
        ["path-invalid"]
    );
}

/// CVE-2024-6866 / GHSA-43qf-4rqw-9q2g (Flask-CORS < 6.0.0): path matching
/// was case-insensitive, so `/Admin` matched rules written for `/admin`.
#[test]
fn cve_2024_6866_flask_cors_case_insensitive_paths() {
    let policy = build(
        r#"
        [[rule]]
        origins = ["https://app.example.com"]
        paths = ["/public/*"]
        "#,
    );
    get_path(&policy, "/public/x", APP).assert_allowed(APP);
    for path in ["/Public/x", "/PUBLIC/x", "/pUblic"] {
        get_path(&policy, path, APP).assert_denied(path);
    }
}

/// Flask-CORS 6.x (no CVE, from its source): `origins='*'` with
/// `supports_credentials=True` reflects any Origin, `null` included, with
/// credentials; regex origins are only start-anchored; and `always_send`
/// lists every configured origin when no Origin is sent.
#[test]
fn flask_cors_6x_wildcard_credentials_reflection_and_allow_list_leak() {
    assert_eq!(refused("[[rule]]\norigins = [\"*\"]\ncredentials = true\n"), ["any-origin-with-credentials"]);
    // Even the explicit, dangerous opt-in never reflects `null` or junk.
    let reflect = build(
        "[[rule]]\norigins = [\"*\"]\ncredentials = true\ndangerously_allow_any_origin_with_credentials = true\n",
    );
    for origin in ["null", "https://evil.com/", "https://evil.com, https://app.example.com", "*"] {
        get(&reflect, origin).assert_denied(origin);
    }
    assert_lookalikes_denied(&app_policy());
    // No Origin: nothing about the allow-list is sent.
    let policy =
        build("[[rule]]\norigins = [\"https://a.example.com\", \"https://b.example.com\"]\ncredentials = true\n");
    let r = run(&policy, "GET", "/", &[], &[]);
    assert!(r.cors_headers().is_empty(), "{:?}", r.headers);
    assert!(r.vary_has_origin());
}

// ---------------------------------------------------------------------------
// Other Python frameworks

/// CVE-2026-37737 (sanic-cors): origins were matched with `re.match` (start
/// anchored only), so `https://trusted.com` also allowed
/// `https://trusted.com.attacker.io`; rasa-sdk's fix for the same release
/// also stopped joining repeated `Origin` headers and echoing the result.
#[test]
fn cve_2026_37737_sanic_cors_prefix_match_and_joined_origins() {
    let policy = build("[[rule]]\norigins = [\"https://trusted.com\"]\ncredentials = true\n");
    for origin in
        ["https://trusted.com.attacker.io", "https://trusted.comattacker.io", "https://trusted.com:1@attacker.io"]
    {
        get(&policy, origin).assert_denied(origin);
    }
    for lines in [
        [&b"https://trusted.com"[..], b"https://attacker.io"],
        [b"https://attacker.io", b"https://trusted.com"],
        [b"https://trusted.com", b"https://trusted.com"],
    ] {
        let r = run(&policy, "GET", "/", &[("origin", lines[0]), ("origin", lines[1])], &[]);
        r.assert_denied("two Origin headers");
    }
    get(&policy, "https://trusted.com, https://attacker.io").assert_denied("comma-joined");
}

/// CVE-2026-40110 / GHSA-24qx-w28j-9m6p (jupyter-server): `allow_origin_pat`
/// was used as an unanchored regex (CWE-777), so any origin containing a
/// match was allowed. crossgate has no regexes: patterns are whole-value.
#[test]
fn cve_2026_40110_jupyter_server_unanchored_origin_pattern() {
    let policy = subdomain_policy();
    get(&policy, "https://example.com").assert_allowed("https://example.com");
    get(&policy, "https://nb.example.com").assert_allowed("https://nb.example.com");
    assert_lookalikes_denied(&policy);
    for origin in [
        "https://evil.com.nb.example.com.evil.com",
        "https://nb.example.com.evil.com",
        "https://evil.com/https://nb.example.com",
    ] {
        get(&policy, origin).assert_denied(origin);
    }
}

/// Starlette / FastAPI PR #801 and PR #3165 (no CVE): `allow_origin_regex`
/// used `re.match`, so the documented `https://.*\.example\.org` allowed
/// `https://x.example.org.evil.com`, and `.*` also matches `/`, `?`, `#`
/// and `@`. crossgate's `*.` covers whole DNS labels only.
#[test]
fn starlette_pr_801_regex_wildcard_not_full_match() {
    let policy = build("[[rule]]\norigins = [\"https://*.example.org\"]\ncredentials = true\n");
    get(&policy, "https://x.example.org").assert_allowed("https://x.example.org");
    for origin in [
        "https://x.example.org.evil.com",
        "https://evil.com/.example.org",
        "https://evil.com?.example.org",
        "https://evil.com#.example.org",
        "https://evil.com@x.example.org",
        "https://x.example.org:443",
        "https://.example.org",
        "https://example.org",
    ] {
        get(&policy, origin).assert_denied(origin);
    }
    // `.*`-style patterns cannot be written.
    for pattern in
        ["https://.*.example.org", "https://*example.org", "https://x*.example.org", "https://*.*.example.org"]
    {
        let toml = format!("[[rule]]\norigins = [\"{pattern}\"]\n");
        assert!(Policy::from_toml(&toml).is_err(), "{pattern}");
    }
}

/// django-cors-headers (no CVE; pyup flags 3.0.0 as a security fix): before
/// 3.0 the allow-list compared the host (`netloc`) only, ignoring the scheme,
/// and its regexes use `re.match`. crossgate compares the whole
/// scheme-host-port triple.
#[test]
fn django_cors_headers_scheme_ignored_in_allow_list() {
    let policy = app_policy();
    for origin in [
        "http://app.example.com",
        "https://app.example.com:8443",
        "http://app.example.com:443",
        "wss://app.example.com",
    ] {
        get(&policy, origin).assert_denied(origin);
    }
}

// ---------------------------------------------------------------------------
// Ruby

/// CVE-2017-11173 (rack-cors < 0.4.1): the regex generated from a configured
/// origin was not anchored, so `example.com.example.net` and
/// `example.com-example.net` were allowed.
#[test]
fn cve_2017_11173_rack_cors_unanchored_generated_regex() {
    let policy = build("[[rule]]\norigins = [\"https://example.com\"]\ncredentials = true\n");
    for origin in [
        "https://example.com.example.net",
        "https://example.com-example.net",
        "https://wwwexample.com",
        "https://example.com.",
        "https://aexample.com",
    ] {
        get(&policy, origin).assert_denied(origin);
    }
    assert_lookalikes_denied(&policy);
}

/// CVE-2019-18978 / GHSA-pf8f-w267-mq2h (rack-cors < 1.0.4): `../` in the
/// path escaped the resource rules.
#[test]
fn cve_2019_18978_rack_cors_path_traversal_escapes_resource() {
    let policy = build(
        r#"
        [[rule]]
        origins = ["https://app.example.com"]
        credentials = true
        paths = ["/public/*"]
        "#,
    );
    get_path(&policy, "/public/a", APP).assert_allowed(APP);
    for path in ["/public/../secret", "/public/..", "/public/%2e%2e/secret", "/public/.%2E/secret", "/public/./x"] {
        get_path(&policy, path, APP).assert_denied(path);
    }
}

/// rack-cors PR #142 (no CVE): credentials defaulted on even with a wildcard
/// origin. crossgate's credentials default to off, and `*` answers a
/// literal `*` without credentials.
#[test]
fn rack_cors_pr_142_credentials_default_with_wildcard() {
    let policy = build("[[rule]]\norigins = [\"*\"]\n");
    let r = get(&policy, "https://evil.com");
    assert_eq!(r.acao(), Some(&b"*"[..]));
    assert!(r.headers.get("access-control-allow-credentials").is_none());
    assert!(!RuleConfig::default().credentials);
}

// ---------------------------------------------------------------------------
// Go

/// CVE-2018-20744 (rs/cors ≤ 1.3.0): a wildcard-plus-credentials setting was
/// turned into reflecting an arbitrary Origin with credentials.
#[test]
fn cve_2018_20744_rs_cors_wildcard_with_credentials_becomes_reflection() {
    assert_eq!(refused("[[rule]]\norigins = [\"*\"]\ncredentials = true\n"), ["any-origin-with-credentials"]);
    let e = Policy::new(PolicyConfig::new(RuleConfig::new(["*"]).credentials(true))).unwrap_err();
    assert_eq!(e.errors().map(|d| d.code).collect::<Vec<_>>(), [Code::AnyOriginWithCredentials]);
    // Without credentials, `*` is answered as `*`: never the request's origin.
    let r = get(&build("[[rule]]\norigins = [\"*\"]\n"), "https://evil.com");
    assert_eq!(r.acao(), Some(&b"*"[..]));
}

/// CVE-2025-47908 / GHSA-mh55-gqvf-xfwm / GO-2024-2883 (rs/cors 1.9.0 to
/// < 1.11.0): a preflight whose `Access-Control-Request-Headers` held many
/// commas made huge heap allocations (DoS). crossgate refuses a header
/// longer than 4 KiB by its length, and parses the rest without
/// allocating.
#[test]
fn cve_2025_47908_rs_cors_many_commas_in_acrh() {
    let policy = app_policy();
    let mut headers = HeaderMap::new();
    headers.insert("origin", HeaderValue::from_static(APP));
    headers.insert("access-control-request-method", HeaderValue::from_static("PUT"));
    for acrh in [",".repeat(1 << 20), ",".repeat(4000), format!("x-req-id{}", ", ".repeat(2000)), "a,".repeat(2000)] {
        headers.insert("access-control-request-headers", HeaderValue::from_str(&acrh).unwrap());
        let started = Instant::now();
        let mut allowed = true;
        let bytes = allocated_bytes(|| allowed = policy.evaluate(&Method::OPTIONS, "/", &headers).is_allowed());
        assert!(!allowed, "{} bytes of commas", acrh.len());
        assert_eq!(bytes, 0, "deciding allocated {bytes} bytes for a {}-byte header", acrh.len());
        assert!(started.elapsed() < Duration::from_millis(200));
    }
    // Many lines of the header are refused the same way.
    let mut many = headers.clone();
    for _ in 0..1000 {
        many.append("access-control-request-headers", HeaderValue::from_static(","));
    }
    assert!(allocated_bytes(|| assert!(!policy.evaluate(&Method::OPTIONS, "/", &many).is_allowed())) == 0);
}

/// CVE-2017-20146 (gorilla/handlers < 1.3.0): the CORS handler let the
/// requester control the `Access-Control-Allow-Origin` value. crossgate
/// answers either a literal `*` (no credentials) or the exact `Origin` bytes
/// after they matched; no other request header reaches the response.
#[test]
fn cve_2017_20146_gorilla_handlers_requester_controls_acao() {
    let star = build("[[rule]]\norigins = [\"*\"]\n");
    let sneaky: &[(&str, &[u8])] = &[
        ("origin", b"https://evil.com"),
        ("access-control-allow-origin", b"https://evil.com"),
        ("access-control-allow-credentials", b"true"),
        ("x-forwarded-host", b"evil.com"),
    ];
    let r = run(&star, "GET", "/", sneaky, &[]);
    assert_eq!(r.headers.get_all("access-control-allow-origin").iter().collect::<Vec<_>>(), ["*"]);
    assert!(r.headers.get("access-control-allow-credentials").is_none());
    let r = run(&app_policy(), "GET", "/", sneaky, &[]);
    r.assert_denied("request-supplied ACAO");
}

/// CVE-2024-25124 / GHSA-fmg4-x8pw-hjhg (gofiber/fiber < 2.52.1, issue
/// #2338): `AllowOrigins: "*"` with `AllowCredentials: true` was accepted
/// and reflected origins.
#[test]
fn cve_2024_25124_fiber_wildcard_with_credentials_accepted() {
    for toml in [
        "[[rule]]\norigins = [\"*\"]\ncredentials = true\n",
        "[[rule]]\norigins = [\"https://app.example.com\", \"*\"]\ncredentials = true\n",
    ] {
        assert!(refused(toml).contains(&"any-origin-with-credentials"), "{toml}");
    }
    assert!(Policy::from_json(r#"{"rule": [{"origins": ["*"], "credentials": true}]}"#).is_err());
}

/// CVE-2024-27302 / GHSA-fgxv-gw55-r5fq (go-zero): origins were checked with
/// `strings.HasSuffix(origin, allowed)`, so `evil-victim.com` passed.
#[test]
fn cve_2024_27302_go_zero_suffix_match_without_label_boundary() {
    let policy = build("[[rule]]\norigins = [\"https://victim.com\", \"https://*.victim.com\"]\ncredentials = true\n");
    get(&policy, "https://victim.com").assert_allowed("https://victim.com");
    get(&policy, "https://a.victim.com").assert_allowed("https://a.victim.com");
    for origin in [
        "https://evil-victim.com",
        "https://evilvictim.com",
        "https://evil.com.victim.com.evil.com",
        "https://a.evil-victim.com",
        "http://a.victim.com",
    ] {
        get(&policy, origin).assert_denied(origin);
    }
}

/// CVE-2023-28109 (play-with-docker, cited in github/codeql PR #16813): an
/// incorrect origin check let other sites through; the same family as the
/// prefix/suffix/substring bugs. Replayed as every lookalike of one
/// configured origin.
#[test]
fn cve_2023_28109_play_with_docker_incorrect_origin_check() {
    let policy = build("[[rule]]\norigins = [\"https://labs.example.com\"]\ncredentials = true\n");
    for origin in [
        "https://labs.example.com.evil.com",
        "https://evillabs.example.com",
        "https://labs.example.comm",
        "https://labs.example.co",
        "https://abs.example.com",
        "https://evil.com/labs.example.com",
        "https://labs-example.com",
    ] {
        get(&policy, origin).assert_denied(origin);
    }
}

/// GHSA-vhxv-fg4m-p2w8 / GO-2024-2813 (jub0bs/cors): a radix-tree bug made
/// the patterns `https://foo.com` and `https://bar.com` together allow
/// `https://barfoo.com`. crossgate keeps exact origins in a hash set and
/// `*.` suffixes keyed by whole labels; checked over many combinations.
#[test]
fn ghsa_vhxv_fg4m_p2w8_jub0bs_cors_radix_tree_combines_patterns() {
    let policy = build(
        "[[rule]]\norigins = [\"https://foo.com\", \"https://bar.com\", \"https://*.foo.com\"]\ncredentials = true\n",
    );
    for origin in [
        "https://barfoo.com",
        "https://foobar.com",
        "https://fbaroo.com",
        "https://bar.com.foo.com.evil",
        "https://barfoo.com.foo",
    ] {
        get(&policy, origin).assert_denied(origin);
    }
    get(&policy, "https://bar.foo.com").assert_allowed("https://bar.foo.com");
    assert_no_combination_allows_more_than_its_parts();
}

/// GHSA-v84h-653v-4pq9 / GO-2024-2812 (jub0bs/fcors): the same radix-tree
/// bug in the sister library. Replayed with other hosts and ports: the set
/// of allowed origins is exactly the union of what each pattern allows.
#[test]
fn ghsa_v84h_653v_4pq9_jub0bs_fcors_radix_tree_combines_patterns() {
    let policy = build(
        "[[rule]]\norigins = [\"https://a.com\", \"https://ba.com\", \"https://b.com:8443\", \"http://localhost:*\", \"https://*.a.com\"]\n",
    );
    for origin in [
        "https://bba.com",
        "https://aba.com",
        "https://b.com",
        "https://ba.com:8443",
        "http://blocalhost",
        "http://localhost.a.com",
        "https://xba.com",
        "https://a.com:8443",
    ] {
        get(&policy, origin).assert_denied(origin);
    }
    for origin in ["https://a.com", "https://ba.com", "https://b.com:8443", "http://localhost:1", "https://x.a.com"] {
        get(&policy, origin).assert_allowed(origin);
    }
}

/// For every pair of a small set of hosts, a policy listing both allows a
/// candidate origin iff a policy with one of them alone does.
fn assert_no_combination_allows_more_than_its_parts() {
    let hosts = ["a.com", "b.com", "ab.com", "ba.com", "a.b.com", "b.a.com"];
    let patterns: Vec<String> = hosts.iter().flat_map(|h| [format!("https://{h}"), format!("https://*.{h}")]).collect();
    let candidates: Vec<String> = hosts
        .iter()
        .flat_map(|h| hosts.iter().map(move |g| format!("{h}{g}")))
        .chain(hosts.iter().flat_map(|h| hosts.iter().map(move |g| format!("{h}.{g}"))))
        .chain(hosts.iter().map(|h| (*h).to_owned()))
        .map(|h| format!("https://{h}"))
        .collect();
    let single: Vec<Policy> = patterns.iter().map(|p| build(&format!("[[rule]]\norigins = [\"{p}\"]\n"))).collect();
    for (i, p) in patterns.iter().enumerate() {
        for (j, q) in patterns.iter().enumerate().skip(i + 1) {
            let both = build(&format!("[[rule]]\norigins = [\"{p}\", \"{q}\"]\n"));
            for c in &candidates {
                let union = get(&single[i], c).acao().is_some() || get(&single[j], c).acao().is_some();
                assert_eq!(get(&both, c).acao().is_some(), union, "{p} + {q} on {c}");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Scala, JavaScript, Java

/// CVE-2021-39185 / GHSA-52cf-226f-rhr6 (http4s): the default CORS config
/// was any origin plus credentials, reflecting every origin (and `null`).
/// crossgate has no default policy, refuses `null` without an opt-in, and
/// never reflects `null` even under the any-origin opt-in.
#[test]
fn cve_2021_39185_http4s_default_any_origin_with_credentials_and_null() {
    assert!(refused("").contains(&"no-rules"));
    assert!(Policy::new(PolicyConfig::default()).is_err());
    assert!(refused("[[rule]]\norigins = [\"null\"]\ncredentials = true\n").contains(&"null-origin-without-opt-in"));
    let reflect = build(
        "[[rule]]\norigins = [\"*\"]\ncredentials = true\ndangerously_allow_any_origin_with_credentials = true\n",
    );
    get(&reflect, "null").assert_denied("null");
}

/// CVE-2023-49803 (@koa/cors < 5.0.0): with no origin configured, the
/// request's Origin was reflected.
#[test]
fn cve_2023_49803_koa_cors_no_origin_configured_reflects() {
    assert_eq!(refused("[[rule]]\nmethods = [\"GET\"]\n"), ["no-origins"]);
    assert_eq!(refused("[[rule]]\norigins = []\ncredentials = true\n"), ["no-origins"]);
}

/// CVE-2026-54290 / GHSA-88fw-hqm2-52qc (Hono < 4.12.25): `credentials:
/// true` with the default wildcard origin reflected any Origin with
/// credentials.
#[test]
fn cve_2026_54290_hono_credentials_with_default_wildcard() {
    assert_eq!(refused("[[rule]]\ncredentials = true\n"), ["no-origins"]);
    assert_eq!(refused("[[rule]]\norigins = [\"*\"]\ncredentials = true\n"), ["any-origin-with-credentials"]);
}

/// CVE-2025-71381 / GHSA-q7jf-gf43-6x6p (Hono < 4.10.3): the request's
/// `Vary` header was copied into the response, polluting cache keys.
#[test]
fn cve_2025_71381_hono_request_vary_copied_to_response() {
    let policy = app_policy();
    for origin in [APP, "https://evil.com"] {
        let r = run(
            &policy,
            "GET",
            "/",
            &[("origin", origin.as_bytes()), ("vary", b"Cookie, X-Evil"), ("vary", b"*")],
            &[],
        );
        let vary: Vec<_> = r.headers.get_all("vary").iter().collect();
        assert_eq!(vary, ["Origin"], "{origin}");
    }
    let r = run(
        &policy,
        "OPTIONS",
        "/",
        &[("origin", APP.as_bytes()), ("access-control-request-method", b"PUT"), ("vary", b"X-Evil")],
        &[],
    );
    assert!(!r.headers.get_all("vary").iter().any(|v| v.to_str().unwrap().contains("X-Evil")));
}

/// CVE-2026-69207 (Hono < 4.12.34): a whitespace-tolerant regex over
/// `Access-Control-Request-Headers` took quadratic time (ReDoS), in the
/// default config. crossgate scans the header once, without regexes.
#[test]
fn cve_2026_69207_hono_redos_on_acrh_whitespace() {
    let policy = build("[[rule]]\norigins = [\"https://app.example.com\"]\nmethods = [\"PUT\"]\nrequest_headers = [\"*\", \"authorization\"]\n");
    let mut headers = HeaderMap::new();
    headers.insert("origin", HeaderValue::from_static(APP));
    headers.insert("access-control-request-method", HeaderValue::from_static("PUT"));
    let time = |acrh: &str, headers: &mut HeaderMap| {
        headers.insert("access-control-request-headers", HeaderValue::from_str(acrh).unwrap());
        let started = Instant::now();
        for _ in 0..200 {
            std::hint::black_box(policy.evaluate(&Method::OPTIONS, "/", headers).is_allowed());
        }
        started.elapsed()
    };
    // Whitespace runs between names, up to the 4 KiB limit: accepted, fast.
    let spaced = format!("x-a{}, \t{}x-b", " \t".repeat(1000), " ".repeat(1000));
    assert!(spaced.len() < 4096);
    headers.insert("access-control-request-headers", HeaderValue::from_str(&spaced).unwrap());
    assert!(policy.evaluate(&Method::OPTIONS, "/", &headers).is_allowed());
    let small = time(&format!("x-a{}x", " ".repeat(100)), &mut headers);
    let large = time(&format!("x-a{}x", " ".repeat(4000)), &mut headers);
    assert!(large < Duration::from_secs(2), "200 decisions on 4 KiB took {large:?}");
    // Linear: 40x the input costs far less than the 1600x of a quadratic scan.
    assert!(large < small * 400 + Duration::from_millis(50), "100 B: {small:?}, 4 KiB: {large:?}");
}

/// CVE-2025-50864 (elysia-cors ≤ 1.3.0): a substring check let
/// `notexample.com` and `example.common.net` through.
#[test]
fn cve_2025_50864_elysia_cors_substring_match() {
    let policy = subdomain_policy();
    for origin in
        ["https://notexample.com", "https://example.common.net", "https://example.com.net", "https://my-example.com"]
    {
        get(&policy, origin).assert_denied(origin);
    }
}

/// CVE-2020-28481 (socket.io < 2.4.0): every origin was allowed by default.
#[test]
fn cve_2020_28481_socket_io_all_origins_by_default() {
    assert!(Policy::new(PolicyConfig::default()).is_err());
    assert!(Policy::from_json("{}").is_err());
    assert_eq!(refused("[[rule]]\n"), ["no-origins"]);
}

/// CVE-2015-9236 / GHSA-vwrf-r5r4-7775 (hapi < 11.0.0): a preflight got the
/// default CORS headers for a route with CORS off, and the actual request
/// then went through. crossgate takes the same decision for a preflight and
/// the actual request it announces.
#[test]
fn cve_2015_9236_hapi_preflight_and_actual_disagree() {
    let policy = build(
        r#"
        strict = true
        [[rule]]
        origins = ["https://app.example.com"]
        methods = ["GET", "PUT"]
        request_headers = ["x-req-id"]
        paths = ["/cors/*"]
        "#,
    );
    for path in ["/cors/a", "/no-cors", "/cors/../no-cors"] {
        for origin in [APP, "https://evil.com"] {
            for method in ["GET", "PUT", "DELETE"] {
                let pre = preflight(&policy, path, origin, method, None);
                let actual = run(&policy, method, path, &[("origin", origin.as_bytes())], &[]);
                let pre_ok = pre.local == Some(204);
                assert_eq!(pre_ok, actual.acao().is_some(), "{method} {path} from {origin}");
                assert_eq!(
                    pre_ok,
                    actual.local.is_none(),
                    "strict: a refused actual request is stopped ({method} {path} {origin})"
                );
                if !pre_ok {
                    assert!(pre.cors_headers().is_empty());
                }
            }
        }
    }
}

/// CVE-2025-24010 / GHSA-vg6x-rcgg-rjx6 (Vite): the dev server's default
/// CORS let any site read responses. crossgate has no default policy, and
/// in strict mode a disallowed cross-origin request (including a WebSocket
/// handshake, which carries `Origin` but never a preflight) is refused
/// before the handler runs.
#[test]
fn cve_2025_24010_vite_dev_server_default_cors() {
    assert!(Policy::new(PolicyConfig::default()).is_err());
    let policy = build("strict = true\n[[rule]]\norigins = [\"http://localhost:5173\"]\n");
    let handshake: &[(&str, &[u8])] = &[
        ("origin", b"https://evil.com"),
        ("upgrade", b"websocket"),
        ("connection", b"Upgrade"),
        ("sec-websocket-version", b"13"),
        ("host", b"localhost:5173"),
    ];
    let r = run(&policy, "GET", "/", handshake, &[]);
    assert_eq!(r.local, Some(403));
    let own: Vec<(&str, &[u8])> =
        [("origin", &b"http://localhost:5173"[..])].into_iter().chain(handshake[1..].iter().copied()).collect();
    assert_eq!(run(&policy, "GET", "/", &own, &[]).local, None);
}

/// CVE-2018-8014 (Apache Tomcat CorsFilter): the defaults enabled
/// `supportsCredentials` for all origins.
#[test]
fn cve_2018_8014_tomcat_default_credentials_for_any_origin() {
    let defaults = RuleConfig::default();
    assert!(!defaults.credentials && defaults.origins.is_empty());
    assert!(!defaults.dangerously_allow_any_origin_with_credentials);
    assert_eq!(refused("[[rule]]\norigins = [\"*\"]\ncredentials = true\n"), ["any-origin-with-credentials"]);
}

/// CVE-2017-7674 (Apache Tomcat CorsFilter): no `Vary: Origin`, allowing
/// client- and server-side cache poisoning. crossgate adds it to allowed,
/// denied and non-CORS responses alike, merged with the handler's `Vary`.
#[test]
fn cve_2017_7674_tomcat_missing_vary_origin() {
    for policy in [app_policy(), subdomain_policy()] {
        get(&policy, "https://evil.com").assert_denied("denied");
        assert!(run(&policy, "GET", "/", &[], &[]).vary_has_origin(), "no Origin");
    }
    let r = run(&app_policy(), "GET", "/", &[("origin", APP.as_bytes())], &[("vary", "Accept-Encoding")]);
    let vary: Vec<_> = r.headers.get_all("vary").iter().collect();
    assert_eq!(vary, ["Accept-Encoding", "Origin"]);
    assert!(preflight(&app_policy(), "/", APP, "PUT", None).vary_has_origin());
    // A static `*` answers the same to everyone, so it needs no Vary.
    let star = build("[[rule]]\norigins = [\"*\"]\n");
    for r in [get(&star, APP), run(&star, "GET", "/", &[], &[])] {
        assert_eq!(r.acao(), Some(&b"*"[..]));
    }
}

/// CVE-2026-89058 (RESTEasy CorsFilter): a `"*"` config reflected the Origin
/// together with `Access-Control-Allow-Credentials: true`.
#[test]
fn cve_2026_89058_resteasy_star_reflects_with_credentials() {
    let star = build("[[rule]]\norigins = [\"*\"]\n");
    for origin in ["https://evil.com", APP, "null"] {
        let r = get(&star, origin);
        assert_eq!(r.acao(), Some(&b"*"[..]), "{origin}");
        assert!(r.headers.get("access-control-allow-credentials").is_none());
    }
    assert!(Policy::from_toml("[[rule]]\norigins = [\"*\"]\ncredentials = true\n").is_err());
}

/// GHSA-9895-g6x5-xwcp (Quarkus vertx-http, 2022): simple GET/POST requests
/// with an invalid Origin reached the handler, contrary to the documented
/// 403. crossgate's strict mode is that promise, and it holds for simple
/// requests too.
#[test]
fn ghsa_9895_g6x5_xwcp_quarkus_simple_requests_bypass_origin_check() {
    let policy = build(
        "strict = true\n[[rule]]\norigins = [\"https://app.example.com\"]\nmethods = [\"GET\", \"POST\", \"HEAD\"]\n",
    );
    for method in ["GET", "POST", "HEAD"] {
        for origin in ["https://evil.com", "null", "https://app.example.com.evil.com", ""] {
            let r = run(
                &policy,
                method,
                "/",
                &[("origin", origin.as_bytes()), ("content-type", b"text/plain"), ("host", b"api.example.com")],
                &[],
            );
            assert_eq!(r.local, Some(403), "{method} from {origin:?}");
            assert!(r.cors_headers().is_empty());
        }
        assert_eq!(run(&policy, method, "/", &[("origin", APP.as_bytes())], &[]).local, None);
    }
}

/// CVE-2023-35943 / GHSA-mc6h-6j9x-v3gq (Envoy CORS filter): the filter kept
/// a pointer to the request's `Origin`; a route that removed the header left
/// it dangling (use-after-free). crossgate's pending decision owns what it
/// needs: the request may be changed or dropped before the response is
/// finished.
#[test]
fn cve_2023_35943_envoy_origin_removed_between_phases() {
    let policy = app_policy();
    let mut request = HeaderMap::new();
    request.insert("origin", HeaderValue::from_static(APP));
    let Action::Forward(pending) = policy.evaluate(&Method::GET, "/", &request).into_action() else {
        panic!("an actual request is forwarded");
    };
    request.remove("origin");
    request.insert("origin", HeaderValue::from_static("https://evil.com"));
    drop(request);
    let mut response = HeaderMap::new();
    pending.finish(&mut response).unwrap();
    assert_eq!(response["access-control-allow-origin"], APP);
}

/// CVE-2023-35944 (Envoy): scheme checks were case-sensitive in one place
/// and not another. crossgate canonicalises the configured scheme (with a
/// warning) and compares request origins as the exact bytes browsers send,
/// so an upper-case request scheme simply never matches.
#[test]
fn cve_2023_35944_envoy_scheme_case() {
    let built = Policy::from_toml("[[rule]]\norigins = [\"HTTPS://App.Example.com\"]\n").unwrap();
    assert_eq!(built.warnings.iter().map(|w| w.code).collect::<Vec<_>>(), [Code::OriginNotCanonical]);
    assert_eq!(built.policy.config().rules[0].origins, ["https://app.example.com"]);
    get(&built.policy, APP).assert_allowed(APP);
    for origin in ["HTTPS://app.example.com", "Https://app.example.com", "HTTP://app.example.com"] {
        get(&built.policy, origin).assert_denied(origin);
    }
}

/// CVE-2019-9580 (StackStorm st2): a disallowed origin got
/// `Access-Control-Allow-Origin: null`, which `null`-origin documents then
/// match. crossgate omits the header on every denial.
#[test]
fn cve_2019_9580_stackstorm_acao_null_on_deny() {
    let policy = app_policy();
    for origin in ["https://evil.com", "null", ""] {
        let r = get(&policy, origin);
        r.assert_denied(origin);
        let p = preflight(&policy, "/", origin, "PUT", None);
        assert!(p.acao().is_none());
    }
}

// ---------------------------------------------------------------------------
// Rust libraries (no CVE; issues from their trackers)

/// tower-http (no CVE): `very_permissive()` reflects any origin with
/// credentials; wildcard with credentials panics at build time; #397 the
/// layer clobbered other `Vary` values; #598 duplicate `Vary` when stacked;
/// #194 `*` in `Access-Control-Allow-Headers` with credentials.
#[test]
fn tower_http_issues_194_397_598_permissive_vary_and_wildcard_headers() {
    // An error, not a panic.
    let e = Policy::new(PolicyConfig::new(RuleConfig::new(["*"]).credentials(true).request_headers(["*"])));
    assert!(e.is_err());
    // #194: with credentials, a `*` in request_headers is never sent as `*`.
    let policy = build("[[rule]]\norigins = [\"https://app.example.com\"]\nmethods = [\"PUT\"]\nrequest_headers = [\"*\", \"authorization\"]\ncredentials = true\n");
    let r = preflight(&policy, "/", APP, "PUT", Some("x-a,x-b"));
    assert_eq!(r.headers["access-control-allow-headers"], "x-a,x-b");
    // #397 / #598: Vary merged, and only once when two layers apply.
    let policy = app_policy();
    let mut request = HeaderMap::new();
    request.insert("origin", HeaderValue::from_static(APP));
    let mut response = HeaderMap::new();
    response.insert("vary", HeaderValue::from_static("accept-encoding"));
    for _ in 0..2 {
        let Action::Forward(pending) = policy.evaluate(&Method::GET, "/", &request).into_action() else {
            panic!("an actual request is forwarded");
        };
        pending.finish(&mut response).unwrap();
    }
    assert_eq!(response.get_all("vary").iter().collect::<Vec<_>>(), ["accept-encoding", "Origin"]);
    assert_eq!(response.get_all("access-control-allow-origin").iter().count(), 1);
}

/// actix-cors (no CVE): `Cors::permissive()` reflects any origin with
/// credentials, and the first of several `Origin` headers is used.
/// crossgate has no permissive preset and refuses repeated `Origin`.
#[test]
fn actix_cors_permissive_and_first_origin_header() {
    let policy = app_policy();
    let r = run(&policy, "GET", "/", &[("origin", APP.as_bytes()), ("origin", b"https://evil.com")], &[]);
    r.assert_denied("first Origin allowed, second evil");
    let mut h = HeaderMap::new();
    h.append("origin", HeaderValue::from_static(APP));
    h.append("origin", HeaderValue::from_static(APP));
    let d = policy.evaluate(&Method::GET, "/", &h);
    assert_eq!(d.kind(), RequestKind::Actual);
    assert_eq!(d.reject_reason().unwrap().code(), "malformed-request-header");
}

/// expressjs/cors (no CVE): `origin: true` reflects; the README's regex
/// `/example\.com$/` also matches `https://evil-example.com` (issue #408);
/// no `Vary` on a disallowed origin poisoned a CDN (issue #106).
#[test]
fn expressjs_cors_issues_106_408_regex_suffix_and_vary_on_deny() {
    let policy = subdomain_policy();
    get(&policy, "https://evil-example.com").assert_denied("suffix");
    get(&policy, "https://evil.com").assert_denied("vary on deny");
}

/// Spring Framework (no CVE): the blogged "fix" `allowedOriginPatterns("*")`
/// restores any-origin reflection with credentials. crossgate has no
/// pattern that means "any origin" other than `*`, which refuses
/// credentials.
#[test]
fn spring_allowed_origin_patterns_star_with_credentials() {
    for pattern in ["https://*", "*://*", "https://*.*", "http*://*", "https://*:*", "*.*"] {
        let toml = format!("[[rule]]\norigins = [\"{pattern}\"]\ncredentials = true\n");
        assert!(Policy::from_toml(&toml).is_err(), "{pattern}");
    }
}

/// ASP.NET Core (no CVE; dotnet/aspnetcore#21988, aspnet/CORS#97): no
/// `Vary: Origin` with a custom `SetIsOriginAllowed`. In crossgate every
/// policy whose answer depends on the origin varies on it, patterns
/// included.
#[test]
fn aspnetcore_21988_no_vary_with_origin_predicate() {
    let policy = build("[[rule]]\norigins = [\"https://*.example.com\", \"http://localhost:*\"]\n");
    for origin in ["https://a.example.com", "http://localhost:3000", "https://evil.com"] {
        assert!(get(&policy, origin).vary_has_origin(), "{origin}");
    }
}
