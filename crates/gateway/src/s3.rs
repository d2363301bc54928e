//! S3 bucket CORS: the `CORSConfiguration` that PutBucketCors takes (XML)
//! and `aws s3api get-bucket-cors` prints (JSON), with S3's limits and
//! S3's answers, so a route can stand in for a bucket (or add bucket CORS
//! to an S3-compatible store that lacks it) and behave as S3 does.
//!
//! S3 semantics, not crossgate's: the first rule matching the origin, the
//! method and every requested header wins; `Access-Control-Allow-Origin`
//! is `*` for a `*` rule and the origin otherwise (then with
//! `Access-Control-Allow-Credentials: true`); a failed preflight is a 403
//! with an XML error body; a failed actual request is served without CORS
//! headers.

use http::header::{HeaderMap, HeaderValue};
use http::{Method, StatusCode};

use crate::code::Code;
use crate::problem::Problem;

mod answer;
mod document;

pub use answer::{S3Decision, S3Error, NOT_ALLOWED, NOT_ENABLED};
use document::{parse_json, parse_xml};

/// S3's limit on the configuration document.
pub(crate) const MAX_DOCUMENT_BYTES: usize = 64 * 1024;
/// S3's limit on `CORSRule`s.
pub(crate) const MAX_RULES: usize = 100;
/// S3's limit on a rule `ID`.
pub(crate) const MAX_ID_CHARS: usize = 255;
/// The methods S3 accepts in `AllowedMethod`.
pub(crate) const METHODS: [&str; 5] = ["GET", "PUT", "POST", "DELETE", "HEAD"];

/// The `Vary` value of every response on a route with S3 rules.
pub(crate) const VARY: &str = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

/// A validated S3 CORS configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct S3Cors {
    rules: Vec<S3Rule>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct S3Rule {
    origins: Vec<String>,
    methods: Vec<String>,
    /// Lower-cased.
    headers: Vec<String>,
    expose: Vec<String>,
    max_age: Option<u64>,
}

impl S3Cors {
    /// Parses and validates a document, reporting problems at `loc`.
    /// Returns `None` when it has errors.
    pub fn parse(text: &str, json: bool, loc: &str, problems: &mut Vec<Problem>) -> Option<S3Cors> {
        let before = problems.iter().filter(|p| p.is_error()).count();
        if text.len() > MAX_DOCUMENT_BYTES {
            problems.push(Problem::new(
                Code::S3DocumentTooLarge,
                loc,
                format!("{} bytes", text.len()),
                "S3 limits a CORS configuration to 64 KB",
                "merge rules or shorten origin lists",
            ));
        }
        let docs = if json { parse_json(text) } else { parse_xml(text) };
        let docs = match docs {
            Ok(d) => d,
            Err(e) => {
                problems.push(Problem::new(
                    Code::S3Malformed,
                    loc,
                    "",
                    e,
                    "write a CORSConfiguration as S3 documents it",
                ));
                return None;
            }
        };
        if docs.is_empty() {
            problems.push(Problem::new(
                Code::S3NoRules,
                loc,
                "",
                "no CORSRule: every preflight gets \"CORS is not enabled for this bucket.\"",
                "add a CORSRule",
            ));
        }
        if docs.len() > MAX_RULES {
            problems.push(Problem::new(
                Code::S3TooManyRules,
                loc,
                docs.len().to_string(),
                "S3 allows at most 100 CORSRules",
                "merge rules",
            ));
        }
        let mut rules = Vec::new();
        for (i, d) in docs.into_iter().enumerate() {
            let at = format!("{loc}.CORSRule[{i}]");
            if d.id.as_ref().is_some_and(|id| id.chars().count() > MAX_ID_CHARS) {
                problems.push(Problem::new(
                    Code::S3IdTooLong,
                    format!("{at}.ID"),
                    "",
                    "an ID has at most 255 characters",
                    "shorten the ID",
                ));
            }
            if d.allowed_origins.is_empty() {
                problems.push(Problem::new(
                    Code::S3NoOrigins,
                    format!("{at}.AllowedOrigin"),
                    "",
                    "a CORSRule needs at least one AllowedOrigin",
                    "add `<AllowedOrigin>https://app.example.com</AllowedOrigin>`",
                ));
            }
            if d.allowed_methods.is_empty() {
                problems.push(Problem::new(
                    Code::S3NoMethods,
                    format!("{at}.AllowedMethod"),
                    "",
                    "a CORSRule needs at least one AllowedMethod",
                    "add `<AllowedMethod>GET</AllowedMethod>`",
                ));
            }
            for m in &d.allowed_methods {
                if !METHODS.contains(&m.as_str()) {
                    problems.push(Problem::new(
                        Code::S3MethodUnsupported,
                        format!("{at}.AllowedMethod"),
                        m,
                        "S3 accepts only GET, PUT, POST, DELETE and HEAD (upper case)",
                        "remove it; S3 has no other methods to allow",
                    ));
                }
            }
            for (field, list) in [("AllowedOrigin", &d.allowed_origins), ("AllowedHeader", &d.allowed_headers)] {
                for v in list.iter() {
                    if v.matches('*').count() > 1 {
                        problems.push(Problem::new(
                            Code::S3TooManyWildcards,
                            format!("{at}.{field}"),
                            v,
                            "S3 allows at most one `*` in a value",
                            "use one `*`, e.g. `https://*.example.com`",
                        ));
                    }
                }
            }
            let max_age = match d.max_age_seconds {
                Some(n) if n < 0 => {
                    problems.push(Problem::new(
                        Code::S3MaxAgeInvalid,
                        format!("{at}.MaxAgeSeconds"),
                        n.to_string(),
                        "MaxAgeSeconds cannot be negative",
                        "use a number of seconds",
                    ));
                    None
                }
                n => n.map(|n| n.unsigned_abs()),
            };
            rules.push(S3Rule {
                origins: d.allowed_origins,
                methods: d.allowed_methods,
                headers: d.allowed_headers.iter().map(|h| h.to_ascii_lowercase()).collect(),
                expose: d.expose_headers,
                max_age,
            });
        }
        (problems.iter().filter(|p| p.is_error()).count() == before).then_some(S3Cors { rules })
    }

    /// The number of rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Decides a request as S3 does.
    pub fn decide(&self, method: &Method, headers: &HeaderMap) -> S3Decision {
        let Some(origin) = headers.get(http::header::ORIGIN).and_then(|v| v.to_str().ok()) else {
            if method == Method::OPTIONS {
                return S3Decision::PreflightRejected(S3Error {
                    status: StatusCode::BAD_REQUEST,
                    code: "BadRequest",
                    message: "Insufficient information. Origin request header needed.",
                    method: None,
                });
            }
            return S3Decision::NotCors;
        };
        if method == Method::OPTIONS {
            let Some(acrm) = headers.get(http::header::ACCESS_CONTROL_REQUEST_METHOD).and_then(|v| v.to_str().ok())
            else {
                return S3Decision::PreflightRejected(S3Error {
                    status: StatusCode::BAD_REQUEST,
                    code: "BadRequest",
                    message: "Invalid Access-Control-Request-Method: null",
                    method: None,
                });
            };
            if self.rules.is_empty() {
                return S3Decision::PreflightRejected(S3Error {
                    status: StatusCode::FORBIDDEN,
                    code: "AccessForbidden",
                    message: NOT_ENABLED,
                    method: Some(acrm.to_owned()),
                });
            }
            let requested: Vec<String> = headers
                .get_all(http::header::ACCESS_CONTROL_REQUEST_HEADERS)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect();
            let found = self.rules.iter().find(|r| {
                r.origin_matches(origin)
                    && r.methods.iter().any(|m| m == acrm)
                    && requested.iter().all(|h| r.headers.iter().any(|p| wildcard_match(p, h)))
            });
            return match found {
                None => S3Decision::PreflightRejected(S3Error {
                    status: StatusCode::FORBIDDEN,
                    code: "AccessForbidden",
                    message: NOT_ALLOWED,
                    method: Some(acrm.to_owned()),
                }),
                Some(rule) => {
                    let mut h = rule.headers_for(origin);
                    if !requested.is_empty() {
                        if let Ok(v) = HeaderValue::from_str(&requested.join(", ")) {
                            h.insert(http::header::ACCESS_CONTROL_ALLOW_HEADERS, v);
                        }
                    }
                    S3Decision::PreflightAllowed(h)
                }
            };
        }
        let found =
            self.rules.iter().find(|r| r.origin_matches(origin) && r.methods.iter().any(|m| m == method.as_str()));
        match found {
            Some(rule) => S3Decision::Actual { headers: rule.headers_for(origin), allowed: true },
            None => {
                let mut headers = HeaderMap::new();
                if !self.rules.is_empty() {
                    headers.insert(http::header::VARY, HeaderValue::from_static(VARY));
                }
                S3Decision::Actual { headers, allowed: false }
            }
        }
    }
}

impl S3Rule {
    fn origin_matches(&self, origin: &str) -> bool {
        self.origins.iter().any(|p| wildcard_match(p, origin))
    }

    fn headers_for(&self, origin: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let any = self.origins.iter().any(|o| o == "*") && !self.origins.iter().any(|o| o == origin);
        if any {
            h.insert(http::header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        } else if let Ok(v) = HeaderValue::from_str(origin) {
            h.insert(http::header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
            h.insert(http::header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        }
        if let Ok(v) = HeaderValue::from_str(&self.methods.join(", ")) {
            h.insert(http::header::ACCESS_CONTROL_ALLOW_METHODS, v);
        }
        if !self.expose.is_empty() {
            if let Ok(v) = HeaderValue::from_str(&self.expose.join(", ")) {
                h.insert(http::header::ACCESS_CONTROL_EXPOSE_HEADERS, v);
            }
        }
        if let Some(age) = self.max_age {
            h.insert(http::header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(age));
        }
        h.insert(http::header::VARY, HeaderValue::from_static(VARY));
        h
    }
}

/// S3's matching: exact, or one `*` standing for any run of characters.
fn wildcard_match(pattern: &str, value: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == value,
        Some((pre, suf)) => value.len() >= pre.len() + suf.len() && value.starts_with(pre) && value.ends_with(suf),
    }
}
