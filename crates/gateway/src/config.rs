//! The gateway config file: TOML, validated as a whole.
//!
//! Loading never stops at the first problem: every route is checked and
//! every policy compiled, so one run of `crossgate serve --check-config`
//! lists everything to fix. A loaded config is a [`Runtime`]: immutable,
//! swapped atomically on reload.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crossgate_core::{Mode, Policy, PolicyConfig, RuleConfig, UpstreamCorsHeaders};
use http::uri::Scheme;
use http::Uri;
use serde::Deserialize;

use crate::code::Code;
use crate::hosts::AllowedHosts;
use crate::problem::{Problem, Problems};
use crate::runtime::{Route, RouteCors, Runtime, Settings, Upstream};
use crate::target::{normalize, EscapedSlashes, PathOptions};

/// The most header lines `max_request_headers` can allow (hyper parses
/// them into an array of this many slots per request).
const MAX_REQUEST_HEADERS_CAP: usize = 10_000;

/// The file as written.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GatewayFile {
    /// Where clients connect, e.g. `127.0.0.1:8080`.
    pub(crate) listen: Option<String>,
    /// Where `/-/health` and `/-/metrics` are served; absent: nowhere.
    pub(crate) admin_listen: Option<String>,
    /// `Host` values accepted; empty or absent: any.
    #[serde(default)]
    pub(crate) allowed_hosts: Vec<String>,
    /// Rewrite request paths into normal form before routing (Envoy's
    /// `normalize_path`); `false`: refuse paths not in normal form.
    pub(crate) normalize_path: Option<bool>,
    /// Merge `//` in request paths (Envoy's `merge_slashes`).
    pub(crate) merge_slashes: Option<bool>,
    /// `reject`, `keep` or `unescape-and-forward` for `%2F`, `%5C` and `\`
    /// (Envoy's `path_with_escaped_slashes_action`).
    pub(crate) path_with_escaped_slashes_action: Option<EscapedSlashes>,
    /// `enforce` or `report-only`, for every route.
    pub(crate) mode: Option<Mode>,
    /// Most simultaneous client connections.
    pub(crate) max_connections: Option<usize>,
    /// Most HTTP/2 streams in flight per client connection.
    pub(crate) max_concurrent_streams: Option<u32>,
    /// Most connections per upstream, in use and pooled.
    pub(crate) max_upstream_connections: Option<usize>,
    /// Milliseconds a request waits for a connection to a saturated
    /// upstream before 503.
    pub(crate) upstream_queue_timeout_ms: Option<u64>,
    /// Milliseconds a client may leave a response unread, or a request body
    /// unsent, before its connection is closed.
    pub(crate) client_idle_timeout_ms: Option<u64>,
    /// `Host` names the admin listener answers (with or without its port).
    pub(crate) admin_allowed_hosts: Option<Vec<String>>,
    /// Most bytes of request headers (names + values) before 431.
    pub(crate) max_request_header_bytes: Option<usize>,
    /// Most request header lines before 431.
    pub(crate) max_request_headers: Option<usize>,
    /// Most bytes of request body before 413.
    pub(crate) max_request_body_bytes: Option<u64>,
    /// Milliseconds to connect to an upstream.
    pub(crate) connect_timeout_ms: Option<u64>,
    /// Milliseconds a client has to send a request's headers (and the
    /// longest a kept-alive connection waits idle for the next one).
    pub(crate) request_header_timeout_ms: Option<u64>,
    /// Milliseconds to wait for an upstream's response headers before 504.
    pub(crate) upstream_timeout_ms: Option<u64>,
    /// Milliseconds a pooled upstream connection may stay idle.
    pub(crate) upstream_idle_timeout_ms: Option<u64>,
    /// Milliseconds in-flight requests get to finish on shutdown.
    pub(crate) shutdown_timeout_ms: Option<u64>,
    /// Reload when the file changes (checked every second); SIGHUP always works.
    pub(crate) watch: Option<bool>,
    /// The routes; the longest matching `path` prefix wins.
    #[serde(default, rename = "route")]
    pub(crate) routes: Vec<RouteFile>,
}

/// One `[[route]]` as written.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RouteFile {
    /// Path prefix, e.g. `/api` (matches `/api` and `/api/…`, not `/apix`).
    pub(crate) path: Option<String>,
    /// `http://host:port`, optionally with a base path.
    pub(crate) upstream: Option<String>,
    /// Remove the route's prefix before forwarding.
    #[serde(default)]
    pub(crate) strip_prefix: bool,
    /// Send preflights to the upstream instead of answering them.
    #[serde(default)]
    pub(crate) forward_preflights: bool,
    /// Send the client's `Host` to the upstream instead of the upstream's
    /// own authority (which is the default, as with nginx's `proxy_pass`).
    #[serde(default)]
    pub(crate) preserve_host: bool,
    /// A policy file (TOML, or JSON by extension), relative to this file.
    pub(crate) policy: Option<String>,
    /// An S3 CORS configuration (XML, or JSON by extension).
    pub s3_cors: Option<String>,
    /// Inline policy rules, with the policy file's keys.
    #[serde(default)]
    pub(crate) rule: Vec<RuleConfig>,
    /// Policy-wide keys, inline or overriding the policy file's.
    pub(crate) strict: Option<bool>,
    /// As in a policy file.
    pub(crate) preflight_status: Option<u16>,
    /// As in a policy file.
    pub(crate) debug: Option<bool>,
    /// As in a policy file.
    pub(crate) upstream_cors_headers: Option<UpstreamCorsHeaders>,
}

/// Reads and validates a config file; relative paths inside it are
/// resolved against its directory.
///
/// # Errors
///
/// Every problem found, errors and warnings.
pub fn load_file(path: &Path) -> Result<Runtime, Problems> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Problems(vec![Problem::new(
            Code::FileUnreadable,
            path.display().to_string(),
            "",
            format!("cannot read the config: {e}"),
            "check the path and permissions",
        )])
    })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    load_str(&text, &base)
}

/// Parses and validates config text; `base` is the directory relative
/// paths are resolved against.
///
/// # Errors
///
/// Every problem found, errors and warnings.
pub fn load_str(text: &str, base: &Path) -> Result<Runtime, Problems> {
    let file: GatewayFile = toml::from_str(text).map_err(|e| {
        Problems(vec![Problem::new(
            Code::Syntax,
            "",
            "",
            e.to_string().trim_end().to_owned(),
            "fix the file's syntax or the key's type",
        )])
    })?;
    build(file, base)
}

/// Validates a parsed file.
///
/// # Errors
///
/// Every problem found, errors and warnings.
fn build(file: GatewayFile, base: &Path) -> Result<Runtime, Problems> {
    let mut problems = Vec::new();
    let mut settings = Settings::default();
    if let Some(listen) = &file.listen {
        match listen.parse() {
            Ok(a) => settings.listen = a,
            Err(_) => problems.push(Problem::new(
                Code::ListenInvalid,
                "listen",
                listen,
                "not an IP address and port",
                "write it as `127.0.0.1:8080` or `[::1]:8080`",
            )),
        }
    }
    if let Some(admin) = &file.admin_listen {
        match admin.parse() {
            Ok(a) => settings.admin_listen = Some(a),
            Err(_) => problems.push(Problem::new(
                Code::ListenInvalid,
                "admin_listen",
                admin,
                "not an IP address and port",
                "write it as `127.0.0.1:9090`",
            )),
        }
    }
    let positive = |problems: &mut Vec<Problem>, key: &str, v: Option<u64>| -> Option<u64> {
        match v {
            Some(0) => {
                problems.push(zero_limit(key));
                None
            }
            v => v,
        }
    };
    let ms = Duration::from_millis;
    if let Some(v) = positive(&mut problems, "max_connections", file.max_connections.map(|v| v as u64)) {
        settings.max_connections = usize::try_from(v).unwrap_or(usize::MAX);
    }
    if let Some(v) =
        positive(&mut problems, "max_request_header_bytes", file.max_request_header_bytes.map(|v| v as u64))
    {
        settings.max_request_header_bytes = usize::try_from(v).unwrap_or(usize::MAX);
    }
    match positive(&mut problems, "max_request_headers", file.max_request_headers.map(|v| v as u64)) {
        Some(v) if v > MAX_REQUEST_HEADERS_CAP as u64 => problems.push(Problem::new(
            Code::LimitInvalid,
            "max_request_headers",
            v.to_string(),
            format!("must be at most {MAX_REQUEST_HEADERS_CAP}"),
            "real clients send a few dozen header lines; keep it near the default of 100",
        )),
        Some(v) => settings.max_request_headers = usize::try_from(v).unwrap_or(MAX_REQUEST_HEADERS_CAP),
        None => {}
    }
    if let Some(v) = positive(&mut problems, "max_request_body_bytes", file.max_request_body_bytes) {
        settings.max_request_body_bytes = v;
    }
    if let Some(v) = positive(&mut problems, "connect_timeout_ms", file.connect_timeout_ms) {
        settings.connect_timeout = ms(v);
    }
    if let Some(v) = positive(&mut problems, "request_header_timeout_ms", file.request_header_timeout_ms) {
        settings.request_header_timeout = ms(v);
    }
    if let Some(v) = positive(&mut problems, "upstream_timeout_ms", file.upstream_timeout_ms) {
        settings.upstream_timeout = ms(v);
    }
    if let Some(v) = positive(&mut problems, "upstream_idle_timeout_ms", file.upstream_idle_timeout_ms) {
        settings.upstream_idle_timeout = ms(v);
    }
    if let Some(v) = positive(&mut problems, "shutdown_timeout_ms", file.shutdown_timeout_ms) {
        settings.shutdown_timeout = ms(v);
    }
    if let Some(w) = file.watch {
        settings.watch = w;
    }
    connection_limits(&file, &mut settings, &mut problems);
    let allowed_hosts = AllowedHosts::parse(&file.allowed_hosts, &mut problems);
    let defaults = PathOptions::default();
    let paths = PathOptions {
        normalize: file.normalize_path.unwrap_or(defaults.normalize),
        merge_slashes: file.merge_slashes.unwrap_or(defaults.merge_slashes),
        escaped_slashes: file.path_with_escaped_slashes_action.unwrap_or(defaults.escaped_slashes),
    };
    if file.routes.is_empty() {
        problems.push(Problem::new(
            Code::NoRoutes,
            "route",
            "",
            "the config has no [[route]]",
            "add a [[route]] with `path`, `upstream` and a policy",
        ));
    }
    let mode = file.mode.unwrap_or_default();
    let mut routes: Vec<Route> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut sources: Vec<PathBuf> = Vec::new();
    for (i, r) in file.routes.into_iter().enumerate() {
        let at = format!("route[{i}]");
        if let Some(p) = &r.path {
            if seen.contains(p) {
                problems.push(Problem::new(
                    Code::RoutePathDuplicate,
                    format!("{at}.path"),
                    p,
                    "another route has the same path",
                    "merge the two routes or change one path",
                ));
            }
            seen.push(p.clone());
        }
        sources.extend(r.policy.iter().chain(r.s3_cors.iter()).map(|f| base.join(f)));
        if let Some(route) = build_route(r, &at, mode, &paths, base, &mut problems) {
            routes.push(route);
        }
    }
    routes.sort_by_key(|r| std::cmp::Reverse(r.path.len()));
    let (errors, warnings): (Vec<_>, Vec<_>) = problems.into_iter().partition(Problem::is_error);
    if !errors.is_empty() {
        return Err(Problems(errors.into_iter().chain(warnings).collect()));
    }
    Ok(Runtime { settings, allowed_hosts, paths, routes, warnings, sources })
}

/// A limit or timeout set to zero.
fn zero_limit(key: &str) -> Problem {
    Problem::new(Code::LimitInvalid, key, "0", "must be greater than zero", "remove the key to use the default")
}

/// The connection, HTTP/2 and upstream-pool limits, and the admin
/// listener's `Host` names.
fn connection_limits(file: &GatewayFile, settings: &mut Settings, problems: &mut Vec<Problem>) {
    let zero = |problems: &mut Vec<Problem>, key: &str| problems.push(zero_limit(key));
    match file.max_concurrent_streams {
        Some(0) => zero(problems, "max_concurrent_streams"),
        Some(v) => settings.max_concurrent_streams = v,
        None => {}
    }
    match file.max_upstream_connections {
        Some(0) => zero(problems, "max_upstream_connections"),
        Some(v) => settings.max_upstream_connections = v,
        None => {}
    }
    match file.upstream_queue_timeout_ms {
        Some(0) => zero(problems, "upstream_queue_timeout_ms"),
        Some(v) => settings.upstream_queue_timeout = Duration::from_millis(v),
        None => {}
    }
    match file.client_idle_timeout_ms {
        Some(0) => zero(problems, "client_idle_timeout_ms"),
        Some(v) => settings.client_idle_timeout = Duration::from_millis(v),
        None => {}
    }
    if let Some(hosts) = &file.admin_allowed_hosts {
        let mut names = Vec::new();
        for (i, h) in hosts.iter().enumerate() {
            let name = h.to_ascii_lowercase();
            let bracketed = name.starts_with('[')
                && name.ends_with(']')
                && name[1..name.len() - 1].parse::<std::net::Ipv6Addr>().is_ok();
            let plain = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
            if bracketed || plain {
                names.push(name);
            } else {
                problems.push(Problem::new(
                    Code::AllowedHostInvalid,
                    format!("admin_allowed_hosts[{i}]"),
                    h,
                    "not a host name or IP address",
                    "write a name such as `admin.internal`, an IPv4 address, or an IPv6 address in brackets, without a port",
                ));
            }
        }
        settings.admin_allowed_hosts = names;
    }
}

fn build_route(
    r: RouteFile,
    at: &str,
    mode: Mode,
    paths: &PathOptions,
    base: &Path,
    problems: &mut Vec<Problem>,
) -> Option<Route> {
    let path = match r.path.as_deref() {
        None => {
            problems.push(Problem::new(
                Code::RoutePathMissing,
                format!("{at}.path"),
                "",
                "the route has no `path`",
                "add `path = \"/\"` to match every request",
            ));
            None
        }
        Some(p) if !p.starts_with('/') || (p.len() > 1 && p.ends_with('/')) || p.contains(['?', '#', '*', ' ']) => {
            problems.push(Problem::new(
                Code::RoutePathInvalid,
                format!("{at}.path"),
                p,
                "not a path prefix",
                "write a prefix such as `/api` (leading `/`, no trailing `/`, no wildcard)",
            ));
            None
        }
        // Requests are routed by their normal path, which this one could
        // never be.
        Some(p) if normalize(p, paths).map_or(true, |n| n != p) => {
            let normal = normalize(p, &PathOptions { normalize: true, ..*paths });
            problems.push(Problem::new(
                Code::RoutePathInvalid,
                format!("{at}.path"),
                p,
                "not in normal form: requests are routed by their path with dot segments removed, slashes merged and unreserved characters decoded",
                match normal {
                    Ok(n) if n == "/" => "write it as `/`".to_owned(),
                    Ok(n) => format!("write it as `{}`", n.trim_end_matches('/')),
                    Err(_) => "remove `%`-escapes of `/` and `\\`, `..;` and `//..`".to_owned(),
                },
            ));
            None
        }
        Some(p) => Some(p.to_owned()),
    };
    let upstream = match r.upstream.as_deref() {
        None => {
            problems.push(Problem::new(
                Code::UpstreamMissing,
                format!("{at}.upstream"),
                "",
                "the route has no `upstream`",
                "add `upstream = \"http://127.0.0.1:8000\"`",
            ));
            None
        }
        Some(u) => parse_upstream(u, &format!("{at}.upstream"), problems),
    };
    let sources = [r.policy.is_some(), r.s3_cors.is_some(), !r.rule.is_empty()].iter().filter(|b| **b).count();
    if sources > 1 {
        problems.push(Problem::new(
            Code::PolicyConflict,
            at,
            "",
            "more than one of `policy`, `s3_cors` and inline [[route.rule]]",
            "give the route exactly one policy source",
        ));
        return None;
    }
    let cors = if let Some(file) = &r.s3_cors {
        let loc = format!("{at}.s3_cors");
        let full = base.join(file);
        match std::fs::read_to_string(&full) {
            Err(e) => {
                problems.push(Problem::new(
                    Code::FileUnreadable,
                    loc,
                    file,
                    format!("cannot read the S3 CORS file: {e}"),
                    "check the path (relative to the config file)",
                ));
                None
            }
            Ok(text) => crate::s3::S3Cors::parse(&text, is_json(&full), &loc, problems).map(RouteCors::S3),
        }
    } else {
        let config = if let Some(file) = &r.policy {
            read_policy(&base.join(file), &format!("{at}.policy"), file, problems)
        } else if r.rule.is_empty() {
            problems.push(Problem::new(
                Code::PolicyMissing,
                at,
                "",
                "the route has no policy",
                "add `policy = \"file.toml\"`, inline [[route.rule]] tables, or `s3_cors`",
            ));
            None
        } else {
            Some(PolicyConfig::default().rules(r.rule.clone()))
        };
        config.and_then(|mut c| {
            if let Some(v) = r.strict {
                c.strict = v;
            }
            if let Some(v) = r.preflight_status {
                c.preflight_status = v;
            }
            if let Some(v) = r.debug {
                c.debug = v;
            }
            if let Some(v) = r.upstream_cors_headers {
                c.upstream_cors_headers = v;
            }
            if mode == Mode::ReportOnly {
                c.mode = Mode::ReportOnly;
            }
            compile_policy(c, at, problems).map(|p| RouteCors::Policy(Box::new(p)))
        })
    };
    Some(Route {
        path: path?,
        upstream: upstream?,
        strip_prefix: r.strip_prefix,
        forward_preflights: r.forward_preflights,
        preserve_host: r.preserve_host,
        mode,
        cors: cors?,
    })
}

fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn read_policy(full: &PathBuf, loc: &str, shown: &str, problems: &mut Vec<Problem>) -> Option<PolicyConfig> {
    let text = match std::fs::read_to_string(full) {
        Ok(t) => t,
        Err(e) => {
            problems.push(Problem::new(
                Code::FileUnreadable,
                loc,
                shown,
                format!("cannot read the policy file: {e}"),
                "check the path (relative to the config file)",
            ));
            return None;
        }
    };
    let parsed = if is_json(full) {
        PolicyConfig::from_json(&text).map_err(|e| e.to_string())
    } else {
        PolicyConfig::from_toml(&text).map_err(|e| e.to_string())
    };
    match parsed {
        Ok(c) => Some(c),
        Err(e) => {
            problems.push(Problem::new(
                Code::Syntax,
                loc,
                shown,
                e.trim_end().to_owned(),
                "fix the policy file's syntax or the key's type",
            ));
            None
        }
    }
}

/// Compiles a route's policy, turning its diagnostics into problems placed
/// under the route.
fn compile_policy(config: PolicyConfig, at: &str, problems: &mut Vec<Problem>) -> Option<Policy> {
    let convert = |d: &crossgate_core::Diagnostic| {
        let place = match d.location.rule {
            Some(r) => format!("{at}.rule[{r}].{}", d.location.field),
            None => format!("{at}.{}", d.location.field),
        };
        Problem::new(Code::Policy(d.code), place, d.value.clone(), d.message.clone(), d.help.clone())
    };
    match Policy::new(config) {
        Ok(built) => {
            problems.extend(built.warnings.iter().map(convert));
            Some(built.policy)
        }
        Err(e) => {
            problems.extend(e.diagnostics.iter().map(convert));
            None
        }
    }
}

fn parse_upstream(u: &str, loc: &str, problems: &mut Vec<Problem>) -> Option<Upstream> {
    let bad = |problems: &mut Vec<Problem>, why: &str| {
        problems.push(Problem::new(
            Code::UpstreamInvalid,
            loc,
            u,
            why,
            "write it as `http://host:port`, optionally with a base path",
        ));
        None
    };
    let Ok(uri) = u.parse::<Uri>() else { return bad(problems, "not a URL") };
    match uri.scheme() {
        Some(s) if *s == Scheme::HTTP => {}
        Some(s) if *s == Scheme::HTTPS => return bad(problems, "https upstreams are not supported; terminate TLS in front of the upstream or use http on a private network"),
        _ => return bad(problems, "the scheme must be http"),
    }
    let Some(authority) = uri.authority().cloned() else { return bad(problems, "no host") };
    if authority.as_str().contains('@') {
        return bad(problems, "credentials in the URL are not supported");
    }
    if uri.query().is_some() {
        return bad(problems, "an upstream cannot have a query");
    }
    let base_path = uri.path().trim_end_matches('/').to_owned();
    let host = http::HeaderValue::from_str(authority.as_str()).ok()?;
    Some(Upstream { authority, base_path, host })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::{prefix_matches, HYPER_DEFAULT_MAX_HEADERS};

    #[test]
    fn prefixes_match_whole_segments() {
        assert!(prefix_matches("/api", "/api"));
        assert!(prefix_matches("/api", "/api/x"));
        assert!(!prefix_matches("/api", "/apix"));
        assert!(prefix_matches("/", "/anything"));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = r#"
listen = "nope"
max_connections = 0
[[route]]
path = "api"
upstream = "https://x"
[[route.rule]]
origins = ["*"]
credentials = true
[[route]]
path = "/b"
upstream = "http://127.0.0.1:1"
"#;
        let e = load_str(text, Path::new(".")).unwrap_err();
        let codes: Vec<_> = e.errors().map(|p| p.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "listen-invalid",
                "limit-invalid",
                "route-path-invalid",
                "upstream-invalid",
                "any-origin-with-credentials",
                "policy-missing"
            ]
        );
        let any = e.0.iter().find(|p| p.code.as_str() == "any-origin-with-credentials").unwrap();
        assert_eq!(any.location, "route[0].rule[0].origins");
    }

    #[test]
    fn route_paths_and_path_settings() {
        let route = |path: &str| {
            format!("[[route]]\npath = \"{path}\"\nupstream = \"http://127.0.0.1:1\"\nrule = [{{ origins = [\"https://a.example\"] }}]\n")
        };
        for (path, help) in [
            ("/api/../x", "write it as `/x`"),
            ("/%61pi", "write it as `/api`"),
            ("/api//v2", "write it as `/api/v2`"),
            ("/.", "write it as `/`"),
            ("/a%2Fb", "remove `%`-escapes of `/` and `\\`, `..;` and `//..`"),
        ] {
            let e = load_str(&route(path), Path::new(".")).unwrap_err();
            let p = e.errors().next().unwrap();
            assert_eq!((p.code.as_str(), p.value.as_str(), p.help.as_str()), ("route-path-invalid", path, help));
        }
        let rt = load_str(&route("/api"), Path::new(".")).unwrap();
        assert_eq!(rt.paths, PathOptions::default());
        let text = format!(
            "normalize_path = false\nmerge_slashes = false\npath_with_escaped_slashes_action = \"keep\"\n{}",
            route("/a//b")
        );
        let rt = load_str(&text, Path::new(".")).unwrap();
        assert_eq!(
            rt.paths,
            PathOptions { normalize: false, merge_slashes: false, escaped_slashes: EscapedSlashes::Keep }
        );
        let e = load_str(&format!("path_with_escaped_slashes_action = \"drop\"\n{}", route("/")), Path::new("."))
            .unwrap_err();
        assert_eq!(e.errors().next().unwrap().code.as_str(), "syntax");
    }

    #[test]
    fn max_request_headers_is_bounded() {
        let route = "[[route]]\npath = \"/\"\nupstream = \"http://127.0.0.1:1\"\nrule = [{ origins = [\"https://a.example\"] }]\n";
        for bad in ["0", "20000"] {
            let e = load_str(&format!("max_request_headers = {bad}\n{route}"), Path::new(".")).unwrap_err();
            let p = e.errors().next().unwrap();
            assert_eq!((p.code.as_str(), p.location.as_str()), ("limit-invalid", "max_request_headers"), "{bad}");
        }
        assert_eq!(load_str(route, Path::new(".")).unwrap().settings.max_request_headers, HYPER_DEFAULT_MAX_HEADERS);
        assert_eq!(
            load_str(&format!("max_request_headers = 500\n{route}"), Path::new("."))
                .unwrap()
                .settings
                .max_request_headers,
            500
        );
    }

    #[test]
    fn connection_limits_are_checked_together() {
        let route = "[[route]]\npath = \"/\"\nupstream = \"http://127.0.0.1:1\"\nrule = [{ origins = [\"https://a.example\"] }]\n";
        let bad = "max_concurrent_streams = 0\nmax_upstream_connections = 0\nupstream_queue_timeout_ms = 0\nclient_idle_timeout_ms = 0\nadmin_allowed_hosts = [\"ok.example\", \"http://x\", \"a:1\", \"[::1]\", \"[nope]\"]\n";
        let e = load_str(&format!("{bad}{route}"), Path::new(".")).unwrap_err();
        let found: Vec<_> = e.errors().map(|p| (p.code.as_str(), p.location.as_str())).collect();
        assert_eq!(
            found,
            [
                ("limit-invalid", "max_concurrent_streams"),
                ("limit-invalid", "max_upstream_connections"),
                ("limit-invalid", "upstream_queue_timeout_ms"),
                ("limit-invalid", "client_idle_timeout_ms"),
                ("allowed-host-invalid", "admin_allowed_hosts[1]"),
                ("allowed-host-invalid", "admin_allowed_hosts[2]"),
                ("allowed-host-invalid", "admin_allowed_hosts[4]"),
            ]
        );
        let s = load_str(route, Path::new(".")).unwrap().settings;
        assert_eq!((s.max_concurrent_streams, s.max_upstream_connections), (100, 1024));
        assert_eq!(
            (s.upstream_queue_timeout, s.client_idle_timeout),
            (Duration::from_secs(5), Duration::from_secs(30))
        );
        assert_eq!(s.admin_allowed_hosts, ["localhost", "127.0.0.1", "[::1]"]);
        let s = load_str(
            &format!("admin_allowed_hosts = [\"Admin.Internal\"]\nmax_concurrent_streams = 7\n{route}"),
            Path::new("."),
        )
        .unwrap()
        .settings;
        assert_eq!((s.admin_allowed_hosts, s.max_concurrent_streams), (vec!["admin.internal".to_owned()], 7));
    }

    #[test]
    fn longest_prefix_wins() {
        let text = r#"
[[route]]
path = "/"
upstream = "http://127.0.0.1:1"
rule = [{ origins = ["https://a.example"] }]
[[route]]
path = "/api/v2"
upstream = "http://127.0.0.1:2/base/"
rule = [{ origins = ["https://a.example"] }]
"#;
        let rt = load_str(text, Path::new(".")).unwrap();
        assert_eq!(rt.route("/api/v2/x").unwrap().1.upstream.base_path, "/base");
        assert_eq!(rt.route("/api/v3").unwrap().1.path, "/");
    }
}
