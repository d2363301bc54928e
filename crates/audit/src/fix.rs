//! The fix for each class: in plain words for the framework the server seems
//! to use (from `Server`, `X-Powered-By` and cookie names), and as a
//! crossgate policy that builds as it is.

use crate::class::Class;
use crate::finding::Fix;
use crate::response::ProbeResponse;

/// The framework or server the responses point to, if any.
pub(crate) fn framework<'a>(responses: impl IntoIterator<Item = &'a ProbeResponse>) -> Option<&'static str> {
    for r in responses {
        let text = |name: &str| r.combined(name).unwrap_or_default().to_ascii_lowercase();
        let (server, powered, cookies) = (text("server"), text("x-powered-by"), text("set-cookie"));
        let found = if powered.contains("express") || cookies.contains("connect.sid") {
            Some("Express")
        } else if cookies.contains("csrftoken") || cookies.contains("sessionid=") {
            Some("Django")
        } else if server.contains("werkzeug") {
            Some("Flask")
        } else if server.contains("uvicorn") || server.contains("hypercorn") {
            Some("FastAPI/Starlette")
        } else if cookies.contains("laravel_session") {
            Some("Laravel")
        } else if !text("x-runtime").is_empty() || cookies.contains("_session=") && server.contains("puma") {
            Some("Rails")
        } else if cookies.contains("jsessionid") || server.contains("tomcat") || server.contains("jetty") {
            Some("Spring/Tomcat")
        } else if server.contains("kestrel") || powered.contains("asp.net") || !text("x-aspnet-version").is_empty() {
            Some("ASP.NET Core")
        } else if server.contains("amazons3") {
            Some("Amazon S3")
        } else if server.starts_with("nginx") {
            Some("nginx")
        } else if server.starts_with("apache") {
            Some("Apache httpd")
        } else if powered.contains("php") {
            Some("PHP")
        } else {
            None
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// How to list exact origins in that framework.
fn allow_list_words(framework: Option<&str>) -> &'static str {
    match framework {
        Some("Express") => "with the `cors` package, pass `origin: [\"https://app.example.com\"]` (exact strings); never `origin: true`, `\"*\"` with `credentials: true`, or a callback that says yes to the request's origin",
        Some("Django") => "in django-cors-headers, list `CORS_ALLOWED_ORIGINS`; drop `CORS_ALLOW_ALL_ORIGINS`, and end every `CORS_ALLOWED_ORIGIN_REGEXES` entry with `$` (it uses `re.match`)",
        Some("Flask") => "with Flask-CORS 6 or later, pass `origins=[\"https://app.example.com\"]`; a regex there is matched from the start only, so anchor it with `$`",
        Some("FastAPI/Starlette") => "in `CORSMiddleware`, list `allow_origins`; an `allow_origin_regex` must match the whole origin and escape its dots",
        Some("Laravel") => "in `config/cors.php`, list `allowed_origins`; anchor every `allowed_origins_patterns` entry (`#^https://app\\.example\\.com$#`)",
        Some("Rails") => "in rack-cors, write `origins \"https://app.example.com\"`; a Regexp must be anchored `\\A…\\z` with escaped dots",
        Some("Spring/Tomcat") => "use `allowedOrigins(\"https://app.example.com\")`; never `allowedOriginPatterns(\"*\")` with `allowCredentials(true)`",
        Some("ASP.NET Core") => "use `WithOrigins(\"https://app.example.com\")`; never `SetIsOriginAllowed(_ => true)` with `AllowCredentials()`",
        Some("Amazon S3") => "in the bucket's CORS configuration, list each `AllowedOrigin` exactly",
        Some("nginx") => "map `$http_origin` to itself only for exact strings (`\"https://app.example.com\" $http_origin;`) or regexes anchored at both ends with escaped dots (`~^https://app\\.example\\.com$`), and `add_header Vary Origin always`",
        Some("Apache httpd") => "match with `SetEnvIf Origin \"^https://app\\.example\\.com$\" CORS_OK=$0` (anchored, escaped dots) and `Header append Vary Origin`",
        Some("PHP") => "compare `$_SERVER['HTTP_ORIGIN']` with `in_array($origin, $allowed, true)` before echoing it",
        _ => "compare the Origin header byte for byte with a list of exact origins and echo it only on a match",
    }
}

/// The fix for `class`; `origins` are the origins the user trusts (from
/// `--origin`), used in the policy when given.
pub(crate) fn fix(class: Class, framework: Option<&'static str>, origins: &[String], path: &str) -> Fix {
    let list = allow_list_words(framework);
    let words = match class {
        Class::ReflectAny
        | Class::PrefixMatch
        | Class::SuffixMatch
        | Class::SubstringReverse
        | Class::SubstringContains
        | Class::UnescapedDot
        | Class::SpecialChars
        | Class::PercentDecode
        | Class::LocalhostRegex => format!("Trust a fixed list of origins, compared as whole strings, not a pattern over the Origin header: {list}."),
        Class::NullTrusted | Class::NullAsDeny => format!("Never allow `null`, and refuse an origin by leaving Access-Control-Allow-Origin out, not by sending `null`: sandboxed iframes, `data:` and `file:` pages all send `Origin: null`. {list}."),
        Class::AnySubdomain => format!("List the subdomains that serve your front-ends instead of any subdomain: each one else (a forgotten one, user content, a takeover) can read this with the visitor's cookies. {list}."),
        Class::HttpOrigin => format!("Trust only https origins, and send `Strict-Transport-Security` with `includeSubDomains`: a network attacker can inject script into any http page. {list}."),
        Class::ThirdParty => format!("Remove the hosting platform from the list: anyone can publish a page there. {list}."),
        Class::DevOrigins => format!("Keep development origins out of the production configuration: anything listening on the visitor's machine could read this. {list}."),
        Class::Wildcard => "Nothing to fix if the data is public: `*` without credentials gives a page nothing it could not fetch itself.".to_owned(),
        Class::WildcardSensitive => format!("`*` lets every website read this service through a visitor who can reach it: list the origins of the pages that need it. {list}."),
        Class::WildcardCredentials => format!("Browsers refuse `*` with credentials, and several CORS libraries silently turn this setting into reflecting any origin: list the origins, or drop credentials. {list}."),
        Class::MissingVary => "Send `Vary: Origin` on every response whose Access-Control-Allow-Origin depends on the Origin header — allowed, refused and without Origin alike — so that no cache hands one origin's answer to another; add `Cache-Control: private` to personal data.".to_owned(),
        Class::PreflightPermissive => "Answer preflights from the allow-list only, with the methods and headers you list, not an echo of Access-Control-Request-Method and -Headers; and refuse state-changing requests from other origins on the server (strict mode), since a simple POST needs no preflight.".to_owned(),
        Class::PnaGranted => "Send `Access-Control-Allow-Private-Network: true` only to the origins of the pages that must reach this device, after the origin check.".to_owned(),
        Class::InvalidAcao => "Send one Access-Control-Allow-Origin value — the request's origin when it is in the list — on one header line; browsers reject lists, several lines and partial wildcards.".to_owned(),
        Class::HeaderInjection => "Never copy a request value with CR or LF into a response header; compare the Origin byte for byte with the allow-list first and reflect it only on an exact match (the HTTP server should refuse such requests with 400).".to_owned(),
        Class::DuplicateOrigin => "Refuse a request with more than one Origin header (400), or make the proxy and the application read the same one: never check one value and echo another.".to_owned(),
        Class::PathScoped => "Choose the CORS rule on the path the router resolves (after decoding, case folding and slash merging as the router does), or give the stricter rule to every path a router may map to the same resource.".to_owned(),
    };
    Fix { framework, words, policy: policy(class, origins, path) }
}

fn toml_list(items: &[String]) -> String {
    let quoted: Vec<String> =
        items.iter().map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))).collect();
    format!("[{}]", quoted.join(", "))
}

/// A crossgate policy for the fix: the trusted origins (or a placeholder to
/// replace), credentials, and the setting the class is about.
fn policy(class: Class, origins: &[String], path: &str) -> String {
    let listed: Vec<String> = origins.iter().filter(|o| o.as_str() != "*" && o.as_str() != "null").cloned().collect();
    let (origins_line, note) = if listed.is_empty() {
        (toml_list(&["https://app.example.com".to_owned()]), "  # replace with the origins you trust")
    } else {
        (toml_list(&listed), "")
    };
    let scope = scope_of(path);
    let mut p = String::new();
    match class {
        Class::Wildcard => {
            p.push_str("[[rule]]\norigins = [\"*\"]                  # public data, no credentials\nmethods = [\"GET\", \"HEAD\"]\n");
        }
        Class::PnaGranted => {
            p.push_str(&format!(
                "[[rule]]\norigins = {origins_line}{note}\nallow_private_network = true   # only for these origins\n"
            ));
        }
        Class::PreflightPermissive => {
            p.push_str("strict = true                  # refuse other origins' requests before the handler\n");
            p.push_str(&format!(
                "[[rule]]\norigins = {origins_line}{note}\nmethods = [\"GET\", \"POST\"]      # the methods pages use\nrequest_headers = [\"content-type\"]\ncredentials = true\n"
            ));
        }
        Class::WildcardSensitive => {
            p.push_str(&format!("[[rule]]\norigins = {origins_line}{note}\nmethods = [\"GET\"]\n"));
        }
        Class::PathScoped => {
            p.push_str(&format!("[[rule]]\norigins = {origins_line}{note}\ncredentials = true\npaths = [\"{scope}\"]  # matched on the raw path; a variant is in no rule and gets no CORS\n"));
        }
        _ => {
            p.push_str(&format!("[[rule]]\norigins = {origins_line}{note}\ncredentials = true\n"));
        }
    }
    match class {
        Class::MissingVary => {
            p.push_str("# crossgate sends `Vary: Origin` on every response of a rule: nothing to set\n")
        }
        Class::HeaderInjection | Class::DuplicateOrigin => {
            p.push_str("# crossgate compares Origin byte for byte and never echoes a value it did not match\n");
        }
        _ => {}
    }
    p
}

/// `/api/account` → `/api/*`.
fn scope_of(path: &str) -> String {
    let path = path.split('?').next().unwrap_or("/");
    match path.trim_start_matches('/').split('/').next() {
        Some(first)
            if !first.is_empty() && first.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            format!("/{first}/*")
        }
        _ => "/*".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_policy_builds() {
        for class in Class::ALL {
            for origins in [vec![], vec!["https://app.example.com".to_owned(), "http://localhost:*".to_owned()]] {
                let f = fix(class, None, &origins, "/api/account");
                let built = crossgate_core::Policy::from_toml(&f.policy);
                assert!(built.is_ok(), "{class}: {}\n{:?}", f.policy, built.err());
                assert!(!f.words.is_empty());
            }
        }
    }

    #[test]
    fn frameworks() {
        let r = ProbeResponse::new(200, &[("x-powered-by", "Express")]);
        assert_eq!(framework([&r]), Some("Express"));
        let r = ProbeResponse::new(200, &[("server", "nginx/1.25")]);
        assert_eq!(framework([&r]), Some("nginx"));
        assert!(fix(Class::ReflectAny, Some("Django"), &[], "/").words.contains("CORS_ALLOWED_ORIGINS"));
        assert_eq!(framework([&ProbeResponse::new(200, &[])]), None);
    }
}
