//! The Python frameworks: django-cors-headers settings and Starlette's
//! `CORSMiddleware`, written as the literals their imports read.

use crossgate_core::{PolicyConfig, RuleConfig};

use super::pattern::{self, Origin};
use super::{lost, methods_listed, only_first, rule_common};
use crate::finding::{Code, Finding};

/// A Python string literal.
fn py(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn py_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| py(s)).collect::<Vec<_>>().join(", "))
}

fn raw(s: &str) -> String {
    format!("r\"{s}\"")
}

/// The exact origins and the patterns' regexes of a rule.
fn split(rule: &RuleConfig) -> (Vec<String>, Vec<String>) {
    let mut exact = Vec::new();
    let mut regexes = Vec::new();
    for o in &rule.origins {
        match pattern::read(o) {
            Origin::Exact(e) => exact.push(e.to_owned()),
            Origin::Any => {}
            Origin::Pattern { .. } => regexes.push(pattern::regex(o).unwrap_or_default()),
        }
    }
    (exact, regexes)
}

fn any_with_credentials(rule: &RuleConfig, f: &mut Vec<Finding>) -> bool {
    let any = rule.origins.iter().any(|o| o == "*");
    if any && rule.credentials {
        f.push(lost(
            "rule[0].origins",
            "*",
            "every origin with credentials is refused on import as unsafe; write the origins you trust",
        ));
    }
    any
}

pub(crate) fn django(policy: &PolicyConfig, f: &mut Vec<Finding>) -> String {
    let Some(rule) = only_first(policy, "django-cors-headers (CORS_URLS_REGEX aside)", f) else { return String::new() };
    rule_common(rule, 0, f);
    let mut out = String::new();
    if any_with_credentials(rule, f) {
        out.push_str("CORS_ALLOW_ALL_ORIGINS = True\n");
    } else {
        let (exact, regexes) = split(rule);
        if !exact.is_empty() {
            out.push_str(&format!("CORS_ALLOWED_ORIGINS = {}\n", py_list(&exact)));
        }
        if !regexes.is_empty() {
            let items: Vec<String> = regexes.iter().map(|r| raw(r)).collect();
            out.push_str(&format!("CORS_ALLOWED_ORIGIN_REGEXES = [{}]\n", items.join(", ")));
        }
    }
    if rule.credentials {
        out.push_str("CORS_ALLOW_CREDENTIALS = True\n");
    }
    out.push_str(&format!("CORS_ALLOW_METHODS = {}\n", py_list(&methods_listed(rule, 0, "django-cors-headers", f))));
    out.push_str(&format!("CORS_ALLOW_HEADERS = {}\n", py_list(&rule.request_headers)));
    if rule.request_headers.iter().any(|h| h == "*") {
        f.push(lost("rule[0].request_headers", "*", "django-cors-headers lists header names; `*` is sent as it is"));
    }
    if !rule.expose_headers.is_empty() {
        out.push_str(&format!("CORS_EXPOSE_HEADERS = {}\n", py_list(&rule.expose_headers)));
    }
    out.push_str(&format!("CORS_PREFLIGHT_MAX_AGE = {}\n", rule.max_age.unwrap_or(0)));
    if rule.allow_private_network {
        out.push_str("CORS_ALLOW_PRIVATE_NETWORK = True\n");
    }
    if policy.preflight_status != 200 {
        f.push(Finding::note("preflight_status", "django-cors-headers answers preflights 200; both succeed"));
    }
    out
}

pub(crate) fn starlette(policy: &PolicyConfig, f: &mut Vec<Finding>) -> String {
    let Some(rule) = only_first(policy, "Starlette's CORSMiddleware", f) else { return String::new() };
    rule_common(rule, 0, f);
    let mut args = Vec::new();
    if any_with_credentials(rule, f) || rule.origins.iter().any(|o| o == "*") {
        args.push("allow_origins=[\"*\"]".to_owned());
    } else {
        let (exact, regexes) = split(rule);
        args.push(format!("allow_origins={}", py_list(&exact)));
        if !regexes.is_empty() {
            // One regex, matched whole (`fullmatch`): the alternatives without their anchors.
            let alts: Vec<&str> = regexes.iter().map(|r| r.trim_start_matches('^').trim_end_matches('$')).collect();
            args.push(format!("allow_origin_regex={}", raw(&alts.join("|"))));
        }
    }
    if rule.credentials {
        args.push("allow_credentials=True".into());
    }
    args.push(format!("allow_methods={}", py_list(&methods_listed(rule, 0, "Starlette", f))));
    let star = rule.request_headers.iter().any(|h| h == "*");
    if star && !rule.request_headers.iter().any(|h| h == "authorization") {
        f.push(lost(
            "rule[0].request_headers",
            "*",
            "Starlette's `*` echoes every requested header, `authorization` included",
        ));
    }
    let headers: Vec<String> = if star { vec!["*".into()] } else { rule.request_headers.clone() };
    args.push(format!("allow_headers={}", py_list(&headers)));
    let missing: Vec<&str> = ["accept", "accept-language", "content-language", "content-type"]
        .into_iter()
        .filter(|h| !star && !rule.request_headers.iter().any(|x| x.eq_ignore_ascii_case(h)))
        .collect();
    if !missing.is_empty() {
        f.push(
            Finding::error(
                Code::UnsupportedSetting,
                "rule[0].request_headers",
                missing.join(", "),
                "Starlette always allows the CORS-safelisted request headers, with any value",
                "add them to request_headers, or accept that Starlette allows them",
            )
            .differing(vec![format!(
                "a preflight asking for {}: Starlette allows it; crossgate refuses it",
                missing.join(", ")
            )]),
        );
    }
    if !rule.expose_headers.is_empty() {
        args.push(format!("expose_headers={}", py_list(&rule.expose_headers)));
    }
    // Without max_age Starlette sends 600; 5 is what browsers use without the header.
    args.push(format!("max_age={}", rule.max_age.unwrap_or(5)));
    if rule.allow_private_network {
        args.push("allow_private_network=True".into());
    }
    if policy.preflight_status != 200 {
        f.push(Finding::note("preflight_status", "Starlette answers preflights 200; both succeed"));
    }
    format!(
        "from starlette.applications import Starlette\nfrom starlette.middleware.cors import CORSMiddleware\n\napp = Starlette()\napp.add_middleware(\n    CORSMiddleware,\n{}\n)\n",
        args.iter().map(|a| format!("    {a},")).collect::<Vec<_>>().join("\n")
    )
}

pub(crate) fn flask(policy: &PolicyConfig, f: &mut Vec<Finding>) -> String {
    let Some(rule) = only_first(policy, "flask-cors (resources aside)", f) else { return String::new() };
    rule_common(rule, 0, f);
    let mut args = vec!["app".to_owned()];
    if any_with_credentials(rule, f) || rule.origins.iter().any(|o| o == "*") {
        args.push("origins=\"*\"".into());
    } else {
        // A string with a regex character is a regex to flask-cors (`re.match`, case-insensitive).
        let items: Vec<String> = rule
            .origins
            .iter()
            .map(|o| match pattern::read(o) {
                Origin::Exact(e) => py(e),
                _ => raw(&pattern::regex(o).unwrap_or_default()),
            })
            .collect();
        args.push(format!("origins=[{}]", items.join(", ")));
    }
    if rule.credentials {
        args.push("supports_credentials=True".into());
    }
    let methods = methods_listed(rule, 0, "flask-cors", f);
    if methods.iter().any(|m| m == "*") {
        // flask-cors compares the requested method with each item: `*` is no wildcard there.
        f.push(
            lost("rule[0].methods", "*", "flask-cors has no method wildcard; its default list is written instead")
                .differing(vec!["a method other than GET, HEAD, POST, OPTIONS, PUT, PATCH, DELETE: crossgate allows it; flask-cors does not".into()]),
        );
    } else {
        args.push(format!("methods={}", py_list(&methods)));
    }
    let star = rule.request_headers.iter().any(|h| h == "*");
    if star && !rule.request_headers.iter().any(|h| h == "authorization") {
        f.push(lost(
            "rule[0].request_headers",
            "*",
            "flask-cors' `*` echoes every requested header, `authorization` included",
        ));
    }
    let headers: Vec<String> = if star { vec!["*".into()] } else { rule.request_headers.clone() };
    args.push(format!("allow_headers={}", py_list(&headers)));
    if !rule.expose_headers.is_empty() {
        args.push(format!("expose_headers={}", py_list(&rule.expose_headers)));
    }
    if let Some(n) = rule.max_age {
        args.push(format!("max_age={n}"));
    }
    if rule.allow_private_network {
        args.push("allow_private_network=True".into());
    }
    if policy.preflight_status != 200 {
        f.push(Finding::note("preflight_status", "flask-cors answers preflights 200; both succeed"));
    }
    format!(
        "from flask import Flask\nfrom flask_cors import CORS\n\napp = Flask(__name__)\nCORS(\n{}\n)\n",
        args.iter().map(|a| format!("    {a},")).collect::<Vec<_>>().join("\n")
    )
}
