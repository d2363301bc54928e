//! The probe planner: the `Origin` values to try, derived from the target's
//! scheme, host and registrable domain, and the path variants a router may
//! resolve to the same resource. Pure functions of the target and a nonce.
//!
//! The classes follow `cors-security` §2 (PortSwigger, Chen et al. 2018,
//! Corsy, CORScanner, nuclei); the attacker names are random and
//! registrable, so that each accepted probe is an origin an attacker could
//! own.

use crate::class::Class;
use crate::probe::Family;
use crate::target::{registrable_domain, Target};

/// One `Origin` value to send, and what it tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OriginProbe {
    pub(crate) family: Family,
    pub(crate) class: Class,
    pub(crate) origin: String,
}

/// Characters that end a naive host match but that browsers accept inside a
/// host: `_` and `-` in every engine, the rest in WebKit only (Kettle 2016,
/// Corben Leo 2018; `^`, `|` and `%` are forbidden host code points of the
/// URL Standard and no engine sends them any more).
pub(crate) const SPECIAL_CHARS: [&str; 17] =
    ["_", "-", "`", "{", "}", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", "~"];

/// Hosting platforms where anyone can publish a page (`scanner-probes.json`,
/// derived superset): `{atk}` is replaced by the attacker label.
const THIRD_PARTY: [&str; 10] = [
    "https://{atk}.github.io",
    "https://codepen.io",
    "https://jsfiddle.net",
    "https://fiddle.jshell.net",
    "http://jsbin.com",
    "https://repl.it",
    "https://{atk}.herokuapp.com",
    "https://{atk}.vercel.app",
    "https://{atk}.netlify.app",
    "https://{atk}.pages.dev",
];

/// Development servers' usual origins.
pub(crate) const DEV_ORIGINS: [&str; 8] = [
    "http://localhost",
    "http://localhost:3000",
    "http://localhost:8080",
    "http://localhost:5173",
    "http://localhost:4200",
    "https://localhost:3000",
    "http://127.0.0.1:3000",
    "http://127.0.0.1:8080",
];

/// The attacker's registrable domain for a nonce: `{label}.com`.
pub(crate) fn attacker_domain(label: &str) -> String {
    format!("{label}.com")
}

/// Every `Origin` probe of the enabled families, in family order.
pub(crate) fn origin_probes(t: &Target, label: &str, enabled: impl Fn(Family) -> bool) -> Vec<OriginProbe> {
    let atk = attacker_domain(label);
    let s = &t.scheme;
    let host = t.host.as_str();
    // Hosts an origin can be built around: not an IPv6 literal.
    let host_ok = !host.starts_with('[');
    let mut out = Vec::new();
    let mut push = |family: Family, class: Class, origin: String| {
        if enabled(family) && !out.iter().any(|p: &OriginProbe| p.origin == origin) {
            out.push(OriginProbe { family, class, origin });
        }
    };
    push(Family::Reflect, Class::ReflectAny, format!("https://{atk}"));
    push(Family::Reflect, Class::ReflectAny, format!("http://{atk}"));
    push(Family::Null, Class::NullTrusted, "null".to_owned());
    if host_ok {
        push(Family::Prefix, Class::PrefixMatch, format!("{s}://{host}.{atk}"));
        push(Family::Prefix, Class::PrefixMatch, format!("{s}://{host}{atk}"));
    }
    if let Some(r) = &t.registrable {
        push(Family::Suffix, Class::SuffixMatch, format!("{s}://{label}{r}"));
        // Reverse substring: a truncation that is someone else's registrable
        // domain (`app.example.co`, `xample.com`).
        for cut in [&host[..host.len().saturating_sub(1)], &r[1.min(r.len())..]] {
            if registrable_domain(cut).is_some_and(|d| d != *r) {
                push(Family::Substring, Class::SubstringReverse, format!("{s}://{cut}"));
            }
        }
    }
    if host_ok {
        push(Family::Substring, Class::SubstringContains, format!("{s}://{label}.{host}.{atk}"));
        // One dot at a time, only where the result is registrable by someone
        // else (replacing the dot before the public suffix is not).
        for (i, _) in host.match_indices('.') {
            let variant = format!("{}x{}", &host[..i], &host[i + 1..]);
            if registrable_domain(&variant).is_some_and(|d| Some(&d) != t.registrable.as_ref()) {
                push(Family::Dot, Class::UnescapedDot, format!("{s}://{variant}"));
            }
        }
        for c in SPECIAL_CHARS {
            push(Family::Special, Class::SpecialChars, format!("{s}://{host}{c}.{atk}"));
        }
        push(Family::Percent, Class::PercentDecode, format!("{s}://{host}%60.{atk}"));
        push(Family::Percent, Class::PercentDecode, format!("{s}://{host}@{atk}"));
        push(Family::Percent, Class::PercentDecode, format!("{s}://{atk}/{host}"));
    }
    if let Some(r) = &t.registrable {
        push(Family::Subdomain, Class::AnySubdomain, format!("{s}://{label}.{r}"));
        if host != r {
            push(Family::Subdomain, Class::AnySubdomain, format!("{s}://{label}.{host}"));
        }
    }
    if t.is_https() {
        push(Family::Scheme, Class::HttpOrigin, format!("http://{}", t.authority));
        if let Some(r) = &t.registrable {
            push(Family::Scheme, Class::HttpOrigin, format!("http://{label}.{r}"));
        }
    }
    for o in THIRD_PARTY {
        push(Family::ThirdParty, Class::ThirdParty, o.replace("{atk}", label));
    }
    // Development origins are only foreign to a target that is not on the
    // visitor's machine itself (there they are the same site).
    if !matches!(t.space, crate::target::AddressSpace::Local) {
        for o in DEV_ORIGINS {
            push(Family::Dev, Class::DevOrigins, o.to_owned());
        }
    }
    push(Family::LocalhostEdge, Class::LocalhostRegex, format!("https://localhost.{atk}"));
    push(Family::LocalhostEdge, Class::LocalhostRegex, format!("http://localhost.{atk}"));
    out
}

/// The variants of `path` (with its query) that a router may resolve to the
/// same resource while a CORS rule chosen on the raw path does not: case,
/// percent-encoding, double and trailing slashes, a matrix parameter, and an
/// encoded dot segment through each of `others`' first segment. Only
/// variants a browser sends as they are (it resolves `.` and `..`).
pub(crate) fn path_variants(path_and_query: &str, others: &[String]) -> Vec<(String, &'static str)> {
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (path_and_query, String::new()),
    };
    let mut out: Vec<(String, &'static str)> = Vec::new();
    let mut add = |v: String, what: &'static str| {
        if v != path && is_sent_as_is(&v) && !out.iter().any(|(o, _)| *o == v) {
            out.push((v, what));
        }
    };
    add(path.to_ascii_uppercase(), "upper case");
    if let Some(i) = path.find(|c: char| c.is_ascii_lowercase()) {
        let mut v = path.to_owned();
        v.replace_range(i..=i, &path[i..=i].to_ascii_uppercase());
        add(v, "one capital letter");
        let mut v = path.to_owned();
        v.replace_range(i..=i, &format!("%{:02X}", path.as_bytes()[i]));
        add(v, "a percent-encoded letter");
    }
    add(format!("/{path}"), "a leading double slash");
    if let Some(i) = path[1.min(path.len())..].find('/') {
        let i = i + 1;
        let mut v = path.to_owned();
        v.replace_range(i..=i, "//");
        add(v.clone(), "an inner double slash");
        let mut v = path.to_owned();
        v.replace_range(i..=i, "%2F");
        add(v, "an encoded slash");
    }
    match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => add(p.to_owned(), "no trailing slash"),
        _ => add(format!("{path}/"), "a trailing slash"),
    }
    add(format!("{path};x"), "a matrix parameter");
    for other in others {
        let first = other.trim_start_matches('/').split(['/', '?']).next().unwrap_or_default();
        let own = path.trim_start_matches('/').split('/').next().unwrap_or_default();
        if !first.is_empty() && first != own {
            add(format!("/{first}/..%2F{}", path.trim_start_matches('/')), "an encoded dot segment");
        }
    }
    out.into_iter().map(|(v, w)| (format!("{v}{query}"), w)).collect()
}

/// Whether a browser's URL parser keeps `path` as written.
fn is_sent_as_is(path: &str) -> bool {
    url::Url::parse(&format!("http://h.test{path}")).is_ok_and(|u| u.path() == path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Target;

    fn probes(url: &str) -> Vec<OriginProbe> {
        origin_probes(&Target::parse(url).unwrap(), "cgnonce", |_| true)
    }

    #[test]
    fn origins_for_a_subdomain_target() {
        let list = probes("https://app.example.com/api");
        let has = |o: &str| list.iter().any(|p| p.origin == o);
        for o in [
            "https://cgnonce.com",
            "null",
            "https://app.example.com.cgnonce.com",
            "https://app.example.comcgnonce.com",
            "https://cgnonceexample.com",
            "https://app.example.co",
            "https://xample.com",
            "https://cgnonce.app.example.com.cgnonce.com",
            "https://appxexample.com",
            "https://app.example.com_.cgnonce.com",
            "https://app.example.com%60.cgnonce.com",
            "https://cgnonce.example.com",
            "http://app.example.com",
            "https://cgnonce.github.io",
            "http://localhost:3000",
            "https://localhost.cgnonce.com",
        ] {
            assert!(has(o), "{o} missing");
        }
        // The last dot is the public suffix's: `app.examplexcom` is nobody's.
        assert!(!has("https://app.examplexcom"));
        // Every probe a browser can send at all is a valid serialized origin.
        for p in &list {
            if p.origin != "null" && p.family != Family::Percent {
                assert!(url::Url::parse(&p.origin).is_ok(), "{}", p.origin);
            }
        }
        assert!(list.len() < 80, "{}", list.len());
    }

    #[test]
    fn targets_without_a_domain() {
        let list = probes("http://127.0.0.1:8080/x");
        assert!(list.iter().all(|p| p.family != Family::Suffix && p.family != Family::Subdomain));
        // A local target's dev origins are its own site.
        assert!(list.iter().all(|p| p.family != Family::Dev));
        assert!(list.iter().all(|p| p.family != Family::Scheme));
        let list = probes("http://[::1]:9/");
        assert!(list.iter().all(|p| p.family != Family::Prefix));
    }

    #[test]
    fn path_variants_are_sent_as_written() {
        let v = path_variants("/api/account?x=1", &["/public/a".to_owned()]);
        let paths: Vec<&str> = v.iter().map(|(p, _)| p.as_str()).collect();
        for want in [
            "/API/ACCOUNT?x=1",
            "/Api/account?x=1",
            "/%61pi/account?x=1",
            "//api/account?x=1",
            "/api//account?x=1",
            "/api%2Faccount?x=1",
            "/api/account/?x=1",
            "/api/account;x?x=1",
            "/public/..%2Fapi/account?x=1",
        ] {
            assert!(paths.contains(&want), "{want} missing from {paths:?}");
        }
        assert!(path_variants("/", &[]).iter().all(|(p, _)| p != "/"));
    }
}
