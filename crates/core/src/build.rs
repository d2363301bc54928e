//! Building a policy: validation and compilation, configuration in,
//! [`Policy`] or every error out.

use std::collections::BTreeSet;
use std::sync::Arc;

use http::{HeaderValue, StatusCode};

use crate::answer::Routes;
use crate::config::{PolicyConfig, RuleConfig};
use crate::diagnostics::{Code, ConfigErrors, Diagnostic, Sink};
use crate::fetch::{
    is_cors_safelisted_response_header_name, is_forbidden_method, is_forbidden_request_header_name,
    is_forbidden_response_header_name, is_header_name, is_method, CORS_NON_WILDCARD_REQUEST_HEADER_NAME,
};
use crate::max_age;
use crate::origin::{app, parse_pattern, HostSpec, OriginPattern, OriginTable, Scheme};
use crate::path::PathScope;
use crate::policy::Policy;
use crate::response::policy_value;
use crate::rule::{HeaderSet, MethodSet, Rule};
use crate::vary::VarySet;

/// A policy that was built, with the warnings found while building it.
#[derive(Clone, Debug)]
#[must_use]
pub struct Built {
    /// The policy.
    pub policy: Policy,
    /// Non-fatal findings: the policy works, but probably not as meant.
    pub warnings: Vec<Diagnostic>,
}

/// Why a policy file could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file is not valid TOML or JSON, or a key or type is wrong. The
    /// message names the field and position.
    Syntax(String),
    /// The file parsed, but the policy is invalid.
    Invalid(ConfigErrors),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Syntax(m) => f.write_str(m),
            LoadError::Invalid(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LoadError {}

impl Policy {
    /// Validates and compiles a policy, reporting every problem at once.
    ///
    /// # Errors
    ///
    /// [`ConfigErrors`] lists every error (and the warnings found beside
    /// them), each with its code, value, place and fix.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    ///
    /// let err = Policy::new(PolicyConfig::new(
    ///     RuleConfig::new(["*", "https://a.com/"]).credentials(true),
    /// ))
    /// .unwrap_err();
    /// let codes: Vec<_> = err.errors().map(|d| d.code.as_str()).collect();
    /// assert_eq!(codes, ["any-origin-with-credentials", "origin-has-path"]);
    /// ```
    // Returns the policy together with its warnings, which are part of the
    // answer to "is this configuration right?".
    #[allow(clippy::new_ret_no_self)]
    pub fn new(config: PolicyConfig) -> Result<Built, ConfigErrors> {
        compile(config)
    }

    /// Loads a policy file in TOML.
    ///
    /// # Errors
    ///
    /// [`LoadError::Syntax`] for TOML errors (with the key and line),
    /// [`LoadError::Invalid`] for an invalid policy.
    ///
    /// ```
    /// use crossgate_core::{LoadError, Policy};
    ///
    /// let built = Policy::from_toml("[[rule]]\norigins = [\"https://app.example.com\"]\nmethods = [\"GET\", \"PUT\"]\n")?;
    /// assert_eq!(built.policy.config().rules[0].methods.as_deref(), Some(&["GET".to_owned(), "PUT".to_owned()][..]));
    /// assert!(matches!(Policy::from_toml("[[rule]]\norigins = \"no list\"\n"), Err(LoadError::Syntax(_))));
    /// assert!(matches!(Policy::from_toml("[[rule]]\norigins = []\n"), Err(LoadError::Invalid(_))));
    /// # Ok::<(), LoadError>(())
    /// ```
    #[cfg(feature = "toml")]
    pub fn from_toml(s: &str) -> Result<Built, LoadError> {
        let config = PolicyConfig::from_toml(s).map_err(|e| LoadError::Syntax(e.to_string()))?;
        Policy::new(config).map_err(LoadError::Invalid)
    }

    /// Loads a policy file in JSON.
    ///
    /// # Errors
    ///
    /// As [`Policy::from_toml`].
    ///
    /// ```
    /// use crossgate_core::{LoadError, Policy};
    ///
    /// let built = Policy::from_json(r#"{"strict": true, "rule": [{"origins": ["https://app.example.com"]}]}"#)?;
    /// assert!(built.policy.is_strict());
    /// assert!(matches!(Policy::from_json(r#"{"rule": [{"origins": ["*"], "credentials": true}]}"#), Err(LoadError::Invalid(_))));
    /// # Ok::<(), LoadError>(())
    /// ```
    #[cfg(feature = "json")]
    pub fn from_json(s: &str) -> Result<Built, LoadError> {
        let config = PolicyConfig::from_json(s).map_err(|e| LoadError::Syntax(e.to_string()))?;
        Policy::new(config).map_err(LoadError::Invalid)
    }
}

const DEFAULT_METHODS: [&str; 3] = ["GET", "HEAD", "POST"];

fn compile(mut config: PolicyConfig) -> Result<Built, ConfigErrors> {
    let mut sink = Sink::default();
    if config.rules.is_empty() {
        sink.push(
            Code::NoRules,
            None,
            "rule",
            "",
            "a policy needs at least one rule",
            "add a `[[rule]]` with `origins = [\"https://app.example.com\"]`",
        );
    }
    let preflight_status = match StatusCode::from_u16(config.preflight_status) {
        Ok(s) if s.is_success() => s,
        _ => {
            sink.push(
                Code::PreflightStatusInvalid,
                None,
                "preflight_status",
                config.preflight_status.to_string(),
                "browsers accept a preflight answer only with a 2xx status",
                "use 204 (the default) or 200 for legacy clients",
            );
            StatusCode::NO_CONTENT
        }
    };
    let mut rules = Vec::with_capacity(config.rules.len());
    for (i, rule) in config.rules.iter_mut().enumerate() {
        rules.push(compile_rule(i, rule, &mut sink));
    }
    for j in 1..rules.len() {
        if let Some(i) = (0..j).find(|&i| rules[i].shadows(&rules[j])) {
            sink.push(
                Code::RuleShadowed,
                Some(j),
                "origins",
                format!("rule[{j}]"),
                format!("rule[{i}] matches every request this rule would, so this rule is never used"),
                "move the rule above the one that shadows it, or remove it",
            );
        }
    }
    if sink.has_errors() {
        return Err(ConfigErrors { diagnostics: sink.diagnostics });
    }
    let actual_vary = if rules.iter().all(|r| r.wildcard_origin) { VarySet::EMPTY } else { VarySet::ORIGIN };
    let mut preflight_vary = actual_vary.union(VarySet::REQUEST_METHOD).union(VarySet::REQUEST_HEADERS);
    if rules.iter().any(|r| r.private_network) {
        preflight_vary = preflight_vary.union(VarySet::REQUEST_PRIVATE_NETWORK);
    }
    for rule in &mut rules {
        rule.grant_blocks = crate::answer::grant_blocks(rule, preflight_vary);
    }
    let policy = Policy {
        scoped: rules.iter().any(|r| r.paths.is_some()),
        rules,
        preflight_status,
        strict: config.strict,
        mode: config.mode,
        upstream: config.upstream_cors_headers,
        actual_vary,
        preflight_vary,
        routes: Routes::new(config.mode, config.strict, config.debug),
        config,
    };
    Ok(Built { policy, warnings: sink.diagnostics })
}

fn compile_rule(i: usize, rule: &mut RuleConfig, sink: &mut Sink) -> Rule {
    let r = Some(i);
    let (origins, canonical) = compile_origins(i, rule, sink);
    rule.origins = canonical;
    let any_origin = origins.is_any();

    let lists = crate::preset::expand(i, rule, sink);
    let methods = compile_methods(i, lists.methods.as_deref(), sink);
    let headers = compile_request_headers(i, &lists.request_headers, sink);
    let expose_headers = compile_expose_headers(i, &lists.expose_headers, rule.credentials, sink);

    let max_age = max_age::check(i, rule.max_age, sink);

    let mut paths = None;
    if let Some(list) = &rule.paths {
        let mut scopes = Vec::with_capacity(list.len());
        for p in list {
            match PathScope::parse(p) {
                Some(s) => scopes.push(s),
                None => sink.push(
                    Code::PathInvalid,
                    r,
                    "paths",
                    p.clone(),
                    "a path scope is `/exact` or `/prefix/*`",
                    "start the path with `/`; use `*` only as a final `/*`",
                ),
            }
        }
        paths = Some(scopes);
    }

    let wildcard_origin = any_origin && !rule.credentials;
    let allow_headers_wildcard = (headers.any && !rule.credentials)
        .then(|| HeaderValue::from_static(if headers.authorization { "*, authorization" } else { "*" }));
    let allow_headers_list = (!headers.names.is_empty()).then(|| {
        let mut names: Vec<_> = headers.names.keys().map(|n| String::from_utf8_lossy(n).into_owned()).collect();
        names.sort();
        policy_value(&names.join(", "))
    });
    Rule {
        wildcard_origin,
        reflect_any: any_origin && rule.credentials && rule.dangerously_allow_any_origin_with_credentials,
        origins,
        methods,
        headers,
        credentials: rule.credentials,
        private_network: rule.allow_private_network,
        paths,
        max_age,
        expose_headers,
        allow_headers_wildcard,
        allow_headers_list,
        origin_set: rule.origin_set.clone(),
        predicate: rule.origin_predicate.clone(),
        insecure_ok: rule.dangerously_allow_insecure_origins_with_credentials,
        grant_blocks: Arc::from([]),
    }
}

pub(crate) fn compile_origins(i: usize, rule: &RuleConfig, sink: &mut Sink) -> (OriginTable, Vec<String>) {
    let r = Some(i);
    let mut set = OriginTable::default();
    let mut canonical = Vec::with_capacity(rule.origins.len());
    let mut seen = BTreeSet::new();
    if rule.origins.is_empty()
        && rule.app_schemes.is_empty()
        && rule.origin_set.is_none()
        && rule.origin_predicate.is_none()
    {
        sink.push(
            Code::NoOrigins,
            r,
            "origins",
            "",
            "a rule needs at least one origin",
            "add `origins = [\"https://app.example.com\"]`",
        );
    }
    for raw in &rule.origins {
        let parsed = match parse_pattern(raw) {
            Ok(p) => p,
            Err(e) => {
                sink.push(e.code, r, "origins", raw.clone(), e.message, e.help);
                continue;
            }
        };
        let pattern = parsed.pattern;
        let text = pattern.to_string();
        if parsed.rewritten {
            sink.push(
                Code::OriginNotCanonical,
                r,
                "origins",
                raw.clone(),
                format!("browsers send this origin as `{text}`; it is stored that way"),
                format!("write `{text}`"),
            );
        }
        if !seen.insert(pattern.clone()) {
            duplicate(sink, i, "origins", raw, "");
            continue;
        }
        if let OriginPattern::App(origin) = &pattern {
            check_app_origin(i, rule, raw, origin, sink);
        }
        check_origin_safety(i, rule, raw, &pattern, sink);
        canonical.push(text);
        set.insert(pattern);
    }
    compile_app_schemes(i, rule, &mut seen, &mut set, sink);
    (set, canonical)
}

/// An app-scheme origin is accepted when its scheme is a known platform's
/// or extensions', or the rule names it; a note says who sends it.
fn check_app_origin(i: usize, rule: &RuleConfig, raw: &str, origin: &str, sink: &mut Sink) {
    let scheme = origin.split_once("://").map_or(origin, |(s, _)| s);
    if !app::is_known(scheme) && !rule.app_schemes.iter().any(|s| s == scheme) {
        sink.push(
            Code::AppSchemeNotListed,
            Some(i),
            "origins",
            raw,
            format!("`{scheme}:` is not a scheme browsers give pages an origin on; only an app's own shell does"),
            format!("if your app's pages send `{origin}`, add `app_schemes = [\"{scheme}\"]` to the rule; otherwise check the scheme's spelling"),
        );
        return;
    }
    if let Some(who) = app::who_sends(origin) {
        sink.push(Code::AppOrigin, Some(i), "origins", raw, who, "nothing to do");
    }
}

/// `app_schemes`: each a scheme; a platform's adds the origins it sends.
fn compile_app_schemes(
    i: usize,
    rule: &RuleConfig,
    seen: &mut BTreeSet<OriginPattern>,
    set: &mut OriginTable,
    sink: &mut Sink,
) {
    let mut named = BTreeSet::new();
    for scheme in &rule.app_schemes {
        if let Some((message, help)) = app::check_app_scheme(scheme) {
            sink.push(Code::AppSchemeInvalid, Some(i), "app_schemes", scheme.clone(), message, help);
            continue;
        }
        if !named.insert(scheme.as_str()) {
            duplicate(sink, i, "app_schemes", scheme, "");
            continue;
        }
        let Some(platform) = app::PLATFORMS.iter().find(|p| p.scheme == scheme) else {
            sink.push(
                Code::AppOrigin,
                Some(i),
                "app_schemes",
                scheme.clone(),
                format!("origins on `{scheme}:` listed in `origins` are accepted; no pattern stands for them"),
                "nothing to do",
            );
            continue;
        };
        let sent: Vec<String> = platform.origins.iter().map(|(o, who)| format!("`{o}` ({who})")).collect();
        sink.push(
            Code::AppOrigin,
            Some(i),
            "app_schemes",
            scheme.clone(),
            format!("adds {}", sent.join(", ")),
            "nothing to do",
        );
        for (origin, _) in platform.origins {
            if let Ok(p) = parse_pattern(origin) {
                if seen.insert(p.pattern.clone()) {
                    set.insert(p.pattern);
                }
            }
        }
    }
}

fn check_origin_safety(i: usize, rule: &RuleConfig, raw: &str, pattern: &OriginPattern, sink: &mut Sink) {
    let r = Some(i);
    match pattern {
        OriginPattern::Null if !rule.dangerously_allow_null_origin => sink.push(
            Code::NullOriginWithoutOptIn,
            r,
            "origins",
            raw,
            "`null` is sent by sandboxed iframes, `file:` pages and redirected requests, so any site can send it",
            "remove `null`, or set `dangerously_allow_null_origin = true` if you accept that",
        ),
        OriginPattern::Any if rule.credentials && !rule.dangerously_allow_any_origin_with_credentials => sink.push(
            Code::AnyOriginWithCredentials,
            r,
            "origins",
            raw,
            "`*` with credentials would let every website act as the signed-in user",
            "list the origins you trust, or set credentials = false (a bearer token in `authorization` needs no credentials)",
        ),
        OriginPattern::Tuple { scheme, host, .. } if rule.credentials => {
            if let HostSpec::Subdomains(suffix) = host {
                if is_public_suffix(suffix) && !rule.dangerously_allow_public_suffix_subdomains {
                    sink.push(
                        Code::PublicSuffixWithCredentials,
                        r,
                        "origins",
                        raw,
                        format!("`{suffix}` is a public suffix: anyone can own a `*.{suffix}` site"),
                        format!("list your own sites under `{suffix}` one by one"),
                    );
                }
            }
            if *scheme == Scheme::Http
                && !is_loopback_host(host)
                && !rule.dangerously_allow_insecure_origins_with_credentials
            {
                sink.push(
                    Code::InsecureOriginWithCredentials,
                    r,
                    "origins",
                    raw,
                    "with credentials, a plain-http origin lets anyone on the network act as the user",
                    "use the https:// origin, or set dangerously_allow_insecure_origins_with_credentials = true",
                );
            }
        }
        _ => {}
    }
}

/// <https://publicsuffix.org/list/>
///
/// Whether `*.suffix` would span sites of different owners.
fn is_public_suffix(suffix: &str) -> bool {
    psl::suffix(suffix.as_bytes()).is_some_and(|s| s.as_bytes() == suffix.as_bytes())
}

/// <https://www.rfc-editor.org/rfc/rfc6761#section-6.3>
///
/// `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`.
fn is_loopback_host(host: &HostSpec) -> bool {
    let h = match host {
        HostSpec::Exact(h) | HostSpec::Subdomains(h) => h.as_str(),
    };
    h == "localhost"
        || h.ends_with(".localhost")
        || h == "[::1]"
        || h.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

fn compile_methods(i: usize, methods: Option<&[String]>, sink: &mut Sink) -> MethodSet {
    let r = Some(i);
    let mut set = MethodSet::default();
    let Some(methods) = methods else {
        set.list = DEFAULT_METHODS.iter().map(|m| (*m).into()).collect();
        return set;
    };
    for m in methods {
        if m == "*" {
            set.any = true;
            continue;
        }
        if !is_method(m.as_bytes()) {
            sink.push(
                Code::MethodInvalid,
                r,
                "methods",
                m.clone(),
                "a method is an HTTP token: letters, digits and `!#$%&'*+-.^_`|~`",
                "check the spelling, e.g. `PATCH`",
            );
            continue;
        }
        if is_forbidden_method(m.as_bytes()) {
            sink.push(
                Code::MethodForbidden,
                r,
                "methods",
                m.clone(),
                "browsers never let a page send CONNECT, TRACE or TRACK",
                "remove it",
            );
            continue;
        }
        if m.bytes().any(|b| b.is_ascii_lowercase()) {
            let normalized = crate::fetch::normalize_method(m);
            let help = if normalized != m.as_str() {
                format!("browsers upper-case `{m}` to `{normalized}` before sending it; write `{normalized}`")
            } else {
                format!("a page's `fetch(…, {{method: \"{m}\"}})` sends `{m}` as written; write `{}` (and list both if pages send both)", m.to_ascii_uppercase())
            };
            sink.push(Code::MethodNotUppercase, r, "methods", m.clone(), "method matching is case-sensitive", help);
        }
        if set.list.iter().any(|x| **x == **m) {
            duplicate(sink, i, "methods", m, "");
            continue;
        }
        set.list.push(m.as_str().into());
    }
    set
}

/// Reports a header name that is not a token.
fn invalid_header_name(sink: &mut Sink, rule: usize, field: &'static str, name: &str, example: &str) {
    sink.push(
        Code::HeaderInvalid,
        Some(rule),
        field,
        name,
        "a header name is an HTTP token (no spaces, colons or quotes)",
        format!("check the spelling, e.g. `{example}`"),
    );
}

/// Reports a value listed twice in one field.
fn duplicate(sink: &mut Sink, rule: usize, field: &'static str, value: &str, what: &str) {
    sink.push(
        Code::Duplicate,
        Some(rule),
        field,
        value,
        format!("`{value}` is listed more than once{what}"),
        "remove the duplicate",
    );
}

fn compile_request_headers(i: usize, names: &[String], sink: &mut Sink) -> HeaderSet {
    let r = Some(i);
    let mut set = HeaderSet::default();
    for n in names {
        if n == "*" {
            set.any = true;
            continue;
        }
        if !is_header_name(n.as_bytes()) {
            invalid_header_name(sink, i, "request_headers", n, "content-type");
            continue;
        }
        if is_forbidden_request_header_name(n.as_bytes()) {
            sink.push(
                Code::ForbiddenRequestHeader,
                r,
                "request_headers",
                n.clone(),
                "browsers never let a page set this header, so it never needs allowing",
                "remove it",
            );
        }
        let lower = n.to_ascii_lowercase();
        if lower == CORS_NON_WILDCARD_REQUEST_HEADER_NAME {
            set.authorization = true;
        }
        if !set.names.insert(lower.as_bytes()) {
            duplicate(sink, i, "request_headers", n, " (names are case-insensitive)");
        }
    }
    if set.any && !set.authorization {
        sink.push(
            Code::WildcardHeadersWithoutAuthorization,
            r,
            "request_headers",
            "*",
            "`*` never covers `authorization`: browsers fail preflights that ask for it",
            "add \"authorization\" beside \"*\" if pages send it",
        );
    }
    set
}

fn compile_expose_headers(i: usize, names: &[String], credentials: bool, sink: &mut Sink) -> Option<HeaderValue> {
    let r = Some(i);
    let mut kept: Vec<&str> = Vec::new();
    let mut seen = BTreeSet::new();
    for n in names {
        if n == "*" {
            if credentials {
                sink.push(
                    Code::ExposeWildcardWithCredentials,
                    r,
                    "expose_headers",
                    n.clone(),
                    "with credentials, browsers read `*` as a header literally named `*`",
                    "list the header names the page needs to read",
                );
                continue;
            }
        } else if !is_header_name(n.as_bytes()) {
            invalid_header_name(sink, i, "expose_headers", n, "x-request-id");
            continue;
        } else if is_forbidden_response_header_name(n.as_bytes()) {
            sink.push(
                Code::ExposeHeaderIneffective,
                r,
                "expose_headers",
                n.clone(),
                "browsers never let a page read `set-cookie`, exposed or not",
                "remove it",
            );
        } else if is_cors_safelisted_response_header_name(n.as_bytes()) {
            sink.push(
                Code::ExposeHeaderIneffective,
                r,
                "expose_headers",
                n.clone(),
                "pages can always read this CORS-safelisted response header",
                "remove it",
            );
        }
        if !seen.insert(n.to_ascii_lowercase()) {
            duplicate(sink, i, "expose_headers", n, " (names are case-insensitive)");
            continue;
        }
        kept.push(n);
    }
    (!kept.is_empty()).then(|| policy_value(&kept.join(", ")))
}
