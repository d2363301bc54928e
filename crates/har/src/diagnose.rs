//! From a file to a report: each call linked to its preflight and hops,
//! its page origin found, the look-alikes that never reach CORS named, the
//! rest replayed through the emulator and its verdict explained.

use std::collections::HashMap;
use std::time::Duration;

use crossgate_browser::request::{Initiator, RequestMode};
use crossgate_browser::verdict::Stage;
use crossgate_browser::{Browser, Origin, Profile, ResponseHead, ResponseType, Verdict};
use url::Url;

use crate::exchange::Recorded;
use crate::finding::Finding;
use crate::infer::{load, request_init, Load};
use crate::link::{link, requested_names, Call};
use crate::origin::{address_space, ip_space, is_mixed_content, page_origin, AddressSpace};
use crate::replay::{replay, MissingAt, Replayed};
use crate::report::{Diagnosis, ErrorInfo, ReplayCase, Report, RuleSuggestion, Summary, VerdictKind};
use crate::rule::{rule_for, rule_toml};

/// What `explain` needs besides the file.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Which browser's rules to replay with.
    pub profile: Profile,
    /// The page origin when the file does not say it.
    pub origin: Option<Origin>,
    /// Only requests whose URL matches this glob (`*` matches anything).
    pub only: Option<String>,
}

/// What the whole file says that single entries do not.
struct FileFacts {
    pages: HashMap<String, Url>,
    /// No `Cookie`, `Set-Cookie` or `Authorization` anywhere: Chrome's
    /// sanitized export (or a session without any).
    sanitized: bool,
    /// Chrome and Edge (DevTools) record every failure in `_error`.
    records_errors: bool,
    first_ms: Option<i64>,
}

impl FileFacts {
    fn new(pages: &[crate::model::Page], entries: &[Recorded], creator: &str) -> Self {
        let pages = pages
            .iter()
            .filter_map(|p| {
                Url::parse(&p.title).ok().filter(|u| matches!(u.scheme(), "http" | "https")).map(|u| (p.id.clone(), u))
            })
            .collect();
        let sanitized = !entries.iter().any(|e| {
            e.cookies_sent
                || e.request_header("authorization").is_some()
                || e.response_headers.contains_key("set-cookie")
        });
        FileFacts {
            pages,
            sanitized,
            records_errors: creator.starts_with("WebInspector") || entries.iter().any(|e| e.resource_type.is_some()),
            first_ms: entries.iter().filter_map(|e| e.started_ms).min(),
        }
    }
}

/// Diagnoses every request in `entries`.
pub(crate) fn diagnose(
    entries: Vec<Recorded>,
    pages: &[crate::model::Page],
    creator: String,
    options: &Options,
) -> Report {
    let facts = FileFacts::new(pages, &entries, &creator);
    let (calls, orphans) = link(&entries);
    let mut entries = entries;
    // A preflight whose request is not in the file: its request is rebuilt
    // from what the preflight asked for.
    let mut all_calls = calls;
    let recorded = entries.len();
    for p in orphans {
        if let Some(c) = rebuilt_from_preflight(&entries[p]) {
            entries.push(c);
            all_calls.push(Call { hops: vec![entries.len() - 1], preflights: vec![Some(p)] });
        }
    }
    let start = |c: &Call| entries[c.hops[0]].started_ms;
    if all_calls.iter().all(|c| start(c).is_some()) {
        all_calls.sort_by_key(|c| (start(c), entries[c.hops[0]].index));
    }
    let mut browsers: HashMap<String, Browser> = HashMap::new();
    let mut requests = Vec::new();
    for call in &all_calls {
        let root = &entries[call.hops[0]];
        if let Some(glob) = &options.only {
            if !glob_match(glob, &root.url_text) {
                continue;
            }
        }
        let rebuilt = call.hops[0] >= recorded;
        requests.push(diagnose_call(call, rebuilt, &entries, &facts, options, &mut browsers));
    }
    requests.sort_by_key(|d| d.index);
    let mut inferred = Vec::new();
    if facts.sanitized && !entries.is_empty() {
        inferred.push("no Cookie, Set-Cookie or Authorization header anywhere in the file (a sanitized export, or none were sent): credentials were inferred per request from Access-Control-Allow-Credentials and the failures the browser recorded".to_owned());
    }
    Report { summary: Summary::of(&requests), requests, creator, inferred }
}

/// The request a lone preflight was for: its method and the headers it
/// asked about (their values are not in the file).
fn rebuilt_from_preflight(p: &Recorded) -> Option<Recorded> {
    let method = p.request_header("access-control-request-method")?.to_owned();
    let mut r = p.clone();
    r.index = p.index;
    r.method = method;
    r.request_headers = p.request_headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("origin")).cloned().collect();
    r.request_headers.extend(requested_names(p).into_iter().map(|n| (n, "x".to_owned())));
    r.is_preflight = false;
    r.status = 0;
    r.error = None;
    r.response_headers = http::HeaderMap::new();
    r.resource_type = Some("fetch".into());
    Some(r)
}

/// `*` matches any run of characters; everything else matches itself.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

struct Draft {
    d: Diagnosis,
}

impl Draft {
    fn verdict(mut self, v: VerdictKind, finding: Option<Finding>) -> Diagnosis {
        self.d.verdict = v;
        if let Some(f) = &finding {
            self.d.fix = Some(f.fix());
        }
        self.d.finding = finding;
        self.d
    }
}

fn browser_error(code: &str, message: String, stage: &'static str) -> Option<ErrorInfo> {
    Some(ErrorInfo { code: code.to_owned(), message, stage })
}

#[allow(clippy::too_many_lines)]
fn diagnose_call(
    call: &Call,
    rebuilt: bool,
    entries: &[Recorded],
    facts: &FileFacts,
    options: &Options,
    browsers: &mut HashMap<String, Browser>,
) -> Diagnosis {
    let root = &entries[call.hops[0]];
    let last = &entries[*call.hops.last().unwrap_or(&call.hops[0])];
    let preflight = call.preflights.first().copied().flatten().map(|p| &entries[p]);
    let mut draft = Draft {
        d: Diagnosis {
            index: root.index,
            url: root.url_text.clone(),
            method: root.method.clone(),
            origin: None,
            origin_from: None,
            verdict: VerdictKind::NotCors,
            error: None,
            finding: None,
            fix: None,
            rule: None,
            status: last.status,
            initiator: "other",
            credentials: false,
            preflight_index: preflight.map(|p| p.index),
            redirect_indices: call.hops.iter().skip(1).map(|&h| entries[h].index).collect(),
            start_ms: match (root.started_ms, facts.first_ms) {
                (Some(a), Some(b)) => Some(a - b),
                _ => None,
            },
            duration_ms: root.duration_ms,
            inferred: Vec::new(),
            replay: None,
        },
    };
    let dropped: usize = call.hops.iter().map(|&h| entries[h].dropped_response_headers).sum();
    if dropped > 0 {
        draft.d.inferred.push(format!("{dropped} response header line(s) are not valid HTTP and were left out"));
    }
    if rebuilt {
        draft.d.inferred.push(
            "only the preflight is in the file: the request was rebuilt from its Access-Control-Request-* headers"
                .into(),
        );
    }
    let Some(url) = root.url.clone() else {
        draft.d.inferred.push(format!("the URL `{}` does not parse", root.url_text));
        return draft.verdict(VerdictKind::NotCors, None);
    };
    if !matches!(url.scheme(), "http" | "https") {
        return draft.verdict(VerdictKind::NotCors, None);
    }
    let Load::Request(initiator, mode) = load(root) else {
        draft.d.initiator = "navigation";
        return draft.verdict(VerdictKind::NotCors, None);
    };
    let page_url = root.pageref.as_ref().and_then(|p| facts.pages.get(p)).cloned();
    let Some((page, from)) = page_origin(root, &facts.pages, options.origin.as_ref()) else {
        return draft.verdict(VerdictKind::NotCors, Some(Finding::OriginUnknown));
    };
    draft.d.origin = Some(page.serialize());
    draft.d.origin_from = Some(from);
    if page.same_origin_url(&url) && call.hops.len() == 1 {
        return draft.verdict(VerdictKind::NotCors, None);
    }
    draft.d.initiator = initiator.resource_kind();
    let failed_in_browser = root.status == 0 || last.error.is_some();
    // Failures before or beside CORS, which a replay cannot show.
    let error = last.error.as_deref().or(root.error.as_deref()).unwrap_or_default();
    if is_mixed_content(&page, &url) && root.status == 0 {
        let message = format!("Mixed Content: The page at '{}' was loaded over HTTPS, but requested an insecure resource '{url}'. This request has been blocked; the content must be served over HTTPS.", page_url.as_ref().map_or_else(|| format!("{}/", page.serialize()), Url::to_string));
        draft.d.error = browser_error("mixed-content", message, "request");
        return draft.verdict(VerdictKind::NotACorsProblem, Some(Finding::MixedContent));
    }
    let net = |code: &str| {
        browser_error(code.trim_start_matches("net::"), format!("Failed to load resource: {code}"), "actual")
    };
    if error.contains("ERR_BLOCKED_BY_RESPONSE") {
        draft.d.error = net(error);
        return draft.verdict(VerdictKind::NotACorsProblem, Some(Finding::BlockedByResponse));
    }
    if error.contains("ERR_BLOCKED_BY_CLIENT") {
        draft.d.error = net(error);
        return draft.verdict(VerdictKind::NotACorsProblem, Some(Finding::BlockedByClient));
    }
    if error.contains("ERR_ABORTED") || error.contains("ABORTED") || error.to_ascii_lowercase().contains("cancel") {
        draft.d.error = net(error);
        return draft.verdict(VerdictKind::NotACorsProblem, Some(Finding::Cancelled));
    }
    if error.contains("LOCAL_NETWORK") || error.contains("PRIVATE_NETWORK") {
        draft.d.error = net(error);
        return draft.verdict(VerdictKind::NotACorsProblem, Some(Finding::LocalNetworkAccess));
    }
    if root.status == 0 && error.starts_with("net::ERR_") && error != "net::ERR_FAILED" {
        draft.d.error = net(error);
        return draft.verdict(VerdictKind::NotACorsProblem, Some(Finding::NetworkError { error: error.to_owned() }));
    }
    // Credentials: a cookie went with it, or (when the export stripped
    // cookies) the server offered credentialed access.
    let acac = |r: &Recorded| r.response_header("access-control-allow-credentials").is_some_and(|v| v.trim() == "true");
    let mut credentials = root.cookies_sent;
    if !credentials && facts.sanitized && (acac(last) || preflight.is_some_and(acac)) {
        credentials = true;
        draft.d.inferred.push(
            "credentials: include, inferred from Access-Control-Allow-Credentials: true (the file has no cookies)"
                .into(),
        );
    }
    let now = Duration::from_millis(root.started_ms.zip(facts.first_ms).map_or(0, |(a, b)| (a - b).unsigned_abs()));
    let init_for = |cred: bool| {
        request_init(root, preflight, page.clone(), url.clone(), (initiator, mode), cred, page_url.clone())
    };
    let browser = browsers.entry(page.serialize()).or_insert_with(|| Browser::new(options.profile));
    let mut trial = browser.clone();
    let mut init = init_for(credentials);
    let mut run = match replay(&mut trial, init.clone(), call, entries, now) {
        Ok(r) => r,
        Err(e) => {
            draft.d.error = browser_error(e.name, e.console.clone().unwrap_or_else(|| e.message.clone()), "request");
            draft.d.fix = Some(format!("the page's call throws before anything is sent: {}", e.message));
            draft.d.verdict = VerdictKind::NotACorsProblem;
            return draft.d;
        }
    };
    // Chrome records every failure: when the replay disagrees with it, the
    // other credentials mode is what the page used if that one agrees.
    let disagrees = |r: &Replayed| match (&r.verdict, facts.records_errors) {
        (Some(v), true) => v.allowed == failed_in_browser,
        _ => false,
    };
    if disagrees(&run) && !root.cookies_sent {
        let mut other_browser = browser.clone();
        let other_init = init_for(!credentials);
        if let Ok(other) = replay(&mut other_browser, other_init.clone(), call, entries, now) {
            if !disagrees(&other) {
                credentials = !credentials;
                draft.d.inferred.push(format!(
                    "credentials: {}, inferred from the browser's recorded {}",
                    if credentials { "include" } else { "omit" },
                    if failed_in_browser { "failure" } else { "success" }
                ));
                run = other;
                init = other_init;
                trial = other_browser;
            }
        }
    }
    *browser = trial;
    draft.d.credentials = credentials;
    if run.assumed_preflight {
        draft.d.inferred.push("no preflight in the file where the emulator sends one (the browser's preflight cache, or an export without it): taken as passed".into());
    }
    if run.unused_preflight {
        draft.d.inferred.push(
            "the file has a preflight the emulator did not need (its preflight cache covered the request)".into(),
        );
    }
    let public_to_local = {
        let page_space = page_url.as_ref().map_or_else(
            || Url::parse(&page.serialize()).map_or(AddressSpace::Public, |u| address_space(&u)),
            address_space,
        );
        let target = last.server_ip.map_or_else(|| address_space(&url), ip_space);
        target < page_space
    };
    let Some(verdict) = run.verdict.clone() else {
        let (stage, at) = match run.missing_at {
            Some(MissingAt::Preflight(p)) => ("preflight", &entries[p]),
            _ => ("actual", last),
        };
        if public_to_local {
            draft.d.error = net(at.error.as_deref().unwrap_or("net::ERR_FAILED"));
            return draft.verdict(VerdictKind::NotACorsProblem, Some(Finding::LocalNetworkAccess));
        }
        if let Some(e) = at.error.as_deref().filter(|e| *e != "net::ERR_FAILED") {
            draft.d.error = net(e);
            return draft.verdict(VerdictKind::NotACorsProblem, Some(Finding::NetworkError { error: e.to_owned() }));
        }
        draft.d.error = browser_error("ERR_FAILED", String::new(), stage);
        return draft.verdict(VerdictKind::Blocked, Some(Finding::NoResponseRecorded));
    };
    draft.d.status = if verdict.allowed { verdict.status } else { run.last_status.max(last.status) };
    let Some(blocked) = verdict.blocked.clone() else {
        return allowed(
            draft,
            &verdict,
            root,
            last,
            facts,
            initiator,
            mode,
            credentials,
            public_to_local && failed_in_browser,
        );
    };
    draft.d.error = browser_error(blocked.code, blocked.message.clone(), blocked.stage.as_str());
    let is_cors = blocked.cors_error.is_some() || blocked.code == "DisallowedByMode";
    if !is_cors {
        draft.d.fix = Some(blocked.hint.clone());
        draft.d.verdict = VerdictKind::NotACorsProblem;
        return draft.d;
    }
    let finding = look_alike(&blocked, &run, last);
    draft.d.fix = Some(finding.as_ref().map_or_else(|| blocked.hint.clone(), Finding::fix));
    draft.d.finding = finding;
    draft.d.verdict = VerdictKind::Blocked;
    let fixable = blocked.cors_error.is_some_and(|e| {
        !matches!(
            e.name(),
            "DisallowedByMode" | "CorsDisabledScheme" | "RedirectContainsCredentials" | "NoCorsRedirectModeNotFollow"
        )
    });
    if fixable {
        let rule = rule_for(&page, &init, &run.requested_headers, credentials, &run.sent_urls);
        let server = Origin::of(run.sent_urls.last().unwrap_or(&url)).serialize();
        draft.d.rule = Some(RuleSuggestion { server, toml: rule_toml(&rule) });
        let answers = call
            .hops
            .iter()
            .map(|&h| {
                let mut headers = entries[h].response_headers.clone();
                let cors: Vec<_> =
                    headers.keys().filter(|n| n.as_str().starts_with("access-control-")).cloned().collect();
                for n in cors {
                    headers.remove(n);
                }
                (entries[h].url_text.clone(), ResponseHead { status: entries[h].status, headers })
            })
            .collect();
        draft.d.replay = Some(ReplayCase { init, rule, answers });
    }
    draft.d
}

/// The cause behind a CORS error, when the recorded answers show one.
fn look_alike(blocked: &crossgate_browser::Blocked, run: &Replayed, last: &Recorded) -> Option<Finding> {
    let code = blocked.code;
    if code == "PreflightDisallowedRedirect" {
        return Some(Finding::PreflightRedirect);
    }
    if code.ends_with("WildcardOriginNotAllowed") {
        return Some(Finding::WildcardWithCredentials);
    }
    let no_acao =
        matches!(code, "PreflightMissingAllowOriginHeader" | "PreflightInvalidStatus" | "MissingAllowOriginHeader");
    match blocked.stage {
        Stage::Preflight => match run.preflight_status {
            Some(s @ (401 | 403 | 404 | 405 | 407 | 501)) if no_acao => Some(Finding::PreflightRefused { status: s }),
            Some(s) if s >= 500 && no_acao => Some(Finding::HiddenServerError { status: s }),
            _ => None,
        },
        Stage::Actual | Stage::Redirect if code == "MissingAllowOriginHeader" => {
            let s = run.last_status.max(last.status);
            (s >= 400).then_some(Finding::HiddenServerError { status: s })
        }
        _ => None,
    }
}

/// An allowed replay: fine, or a look-alike the browser still reports.
#[allow(clippy::too_many_arguments)]
fn allowed(
    mut draft: Draft,
    verdict: &Verdict,
    root: &Recorded,
    last: &Recorded,
    facts: &FileFacts,
    initiator: Initiator,
    mode: RequestMode,
    credentials: bool,
    local_network: bool,
) -> Diagnosis {
    if local_network {
        draft.d.error = browser_error("ERR_FAILED", String::new(), "actual");
        return draft.verdict(VerdictKind::NotACorsProblem, Some(Finding::LocalNetworkAccess));
    }
    if verdict.response_type == ResponseType::Opaque || mode == RequestMode::NoCors {
        let finding = initiator.is_script_api().then_some(Finding::OpaqueResponse);
        return draft.verdict(VerdictKind::NotCors, finding);
    }
    let acac = last.response_header("access-control-allow-credentials").is_some_and(|v| v.trim() == "true");
    if matches!(last.status, 401 | 403) && !root.cookies_sent && acac && !facts.sanitized && !credentials {
        return draft.verdict(VerdictKind::Allowed, Some(Finding::CredentialsNotSent { status: last.status }));
    }
    draft.verdict(VerdictKind::Allowed, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let cases = [
            ("*", "https://a.test/x", true),
            ("https://api.test/*", "https://api.test/v1/items", true),
            ("https://api.test/*", "https://cdn.test/v1", false),
            ("*/items/*", "https://a.test/v1/items/3", true),
            ("*.png", "https://a.test/x.png?y", false),
            ("https://a.test/x", "https://a.test/x", true),
            ("", "", true),
            ("a*b*c", "aXbYbZc", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(glob_match(p, t), want, "{p} {t}");
        }
    }
}
