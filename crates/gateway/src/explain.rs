//! crossgate's explanation of a browser call, from the gateway's own policy
//! decision: whether a preflight is needed, what the gateway answers to it
//! and to the request, and what to change to allow a blocked call.
//!
//! The demo page asks for this next to every call it makes, so what the
//! browser did and why are shown side by side; the admin listener's
//! `/-/explain` gives operators the same answer for any request.

use crossgate_core::Decision;
use http::header::{HeaderMap, HeaderValue, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, HOST, ORIGIN};
use http::Method;
use serde_json::{json, Map, Value};

use crate::config::{RouteCors, Runtime};
use crate::s3::{S3Cors, S3Decision};

/// A call as the page describes it.
#[derive(Debug, Default)]
pub struct Call {
    /// The page's origin.
    pub origin: String,
    /// The method.
    pub method: String,
    /// The path on the API.
    pub path: String,
    /// Non-safelisted request headers the call sets (lower case).
    pub headers: Vec<String>,
    /// `credentials: "include"`.
    pub credentials: bool,
}

impl Call {
    /// Reads `origin`, `method`, `path`, `headers` (comma-separated) and
    /// `credentials=1` from a query string; `method` defaults to GET.
    pub fn from_query(q: &str) -> Call {
        let mut call = Call { method: "GET".into(), path: "/".into(), ..Call::default() };
        for (k, v) in parse_query(q) {
            match k.as_str() {
                "origin" => call.origin = v,
                "method" if !v.is_empty() => call.method = v,
                "path" if !v.is_empty() => call.path = v,
                "headers" => call.headers = v.split(',').map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()).collect(),
                "credentials" => call.credentials = v == "1",
                _ => {}
            }
        }
        call
    }
}

fn header_json(d: &Decision<'_>) -> Value {
    let mut m = Map::new();
    for (k, v) in d.headers().iter() {
        m.insert(k.as_str().to_owned(), Value::String(v.to_str().unwrap_or("").to_owned()));
    }
    Value::Object(m)
}

fn needs_preflight(call: &Call) -> bool {
    !matches!(call.method.as_str(), "GET" | "HEAD" | "POST") || !call.headers.is_empty()
}

/// Explains `call` against the running config; `api_host` is the `Host`
/// the browser sends to the API.
pub fn explain(rt: &Runtime, api_host: &str, call: &Call) -> Value {
    let Some((_, route)) = rt.route(&call.path) else {
        return json!({"verdict": "blocked", "explanation": format!("No gateway route serves {}; the gateway answers 404.", call.path)});
    };
    let policy = match &route.cors {
        RouteCors::Policy(p) => p,
        RouteCors::S3(s3) => return explain_s3(s3, call),
    };
    let Ok(method) = Method::from_bytes(call.method.as_bytes()) else {
        return json!({"verdict": "blocked", "explanation": "Not an HTTP method."});
    };
    let (Ok(origin), Ok(host)) = (HeaderValue::from_str(&call.origin), HeaderValue::from_str(api_host)) else {
        return json!({"verdict": "blocked", "explanation": "Not a valid origin."});
    };
    let mut base = HeaderMap::new();
    base.insert(ORIGIN, origin);
    base.insert(HOST, host);
    let mut out = Map::new();
    out.insert("route".into(), Value::String(route.path.clone()));
    if needs_preflight(call) {
        let mut h = base.clone();
        if let Ok(v) = HeaderValue::from_str(&call.method) {
            h.insert(ACCESS_CONTROL_REQUEST_METHOD, v);
        }
        if let Ok(v) = HeaderValue::from_str(&call.headers.join(",")) {
            if !call.headers.is_empty() {
                h.insert(ACCESS_CONTROL_REQUEST_HEADERS, v);
            }
        }
        let d = policy.evaluate(&Method::OPTIONS, &call.path, &h);
        let status = d.local_answer().map_or(0, |a| a.status.as_u16());
        let why = if call.headers.is_empty() {
            format!("{} is not a simple method", call.method)
        } else {
            format!("the request sets {}", call.headers.join(", "))
        };
        out.insert(
            "preflight".into(),
            json!({"allowed": d.is_allowed(), "status": status, "reason": d.reject_reason().map(|r| r.to_string()), "headers": header_json(&d)}),
        );
        if let Some(r) = d.reject_reason() {
            out.insert("verdict".into(), "blocked".into());
            out.insert(
                "explanation".into(),
                Value::String(format!(
                    "The browser first sends a preflight (OPTIONS) because {why}. crossgate answers it {status} without Access-Control-Allow-Origin ({r}). The browser therefore never sends the {} itself, and the API never sees it. To allow it, {}.",
                    call.method,
                    r.hint()
                )),
            );
            return Value::Object(out);
        }
    }
    let d = policy.evaluate(&method, &call.path, &base);
    out.insert("actual".into(), json!({"allowed": d.is_allowed(), "reason": d.reject_reason().map(|r| r.to_string()), "headers": header_json(&d)}));
    let text = if let Some(r) = d.reject_reason() {
        let stop = if d.local_answer().is_some() {
            "crossgate runs in strict mode, so it answers 403 before the API runs (without strict mode the API would run and only the browser would hide its answer)"
        } else {
            "the API runs and answers, but without Access-Control-Allow-Origin, so the browser hides the response from the page"
        };
        format!("This is a simple request, sent without a preflight. The policy rejects it ({r}): {stop}. To allow it, {}.", r.hint())
    } else if call.credentials && !d.headers().iter().any(|(k, _)| k == "access-control-allow-credentials") {
        out.insert("verdict".into(), "blocked".into());
        out.insert("explanation".into(), Value::String("The origin is allowed, but the rule does not allow credentials, so the browser refuses the credentialed response. To allow it, set `credentials = true` on the rule.".into()));
        return Value::Object(out);
    } else {
        let pre = if needs_preflight(call) { "The preflight was allowed, then the request was sent. " } else { "A simple request: no preflight. " };
        let cred = if call.credentials { " and Access-Control-Allow-Credentials: true, so the cookie is sent and the answer is readable" } else { "" };
        format!(
            "{pre}Allowed by rule {} of the policy: the response carries Access-Control-Allow-Origin: {}{cred}.",
            d.rule().map_or(0, |r| r + 1),
            call.origin
        )
    };
    out.insert("verdict".into(), if d.is_allowed() { "allowed" } else { "blocked" }.into());
    out.insert("explanation".into(), Value::String(text));
    Value::Object(out)
}

fn map_json(h: &HeaderMap) -> Value {
    Value::Object(h.iter().map(|(k, v)| (k.as_str().to_owned(), Value::String(v.to_str().unwrap_or("").to_owned()))).collect())
}

/// The same explanation for a route configured with S3 bucket CORS.
fn explain_s3(s3: &S3Cors, call: &Call) -> Value {
    let Ok(origin) = HeaderValue::from_str(&call.origin) else {
        return json!({"verdict": "blocked", "explanation": "Not a valid origin."});
    };
    let Ok(method) = Method::from_bytes(call.method.as_bytes()) else {
        return json!({"verdict": "blocked", "explanation": "Not an HTTP method."});
    };
    let mut h = HeaderMap::new();
    h.insert(ORIGIN, origin);
    let mut preflight = Value::Null;
    if needs_preflight(call) {
        let mut pre = h.clone();
        if let Ok(v) = HeaderValue::from_str(&call.method) {
            pre.insert(ACCESS_CONTROL_REQUEST_METHOD, v);
        }
        if let (false, Ok(v)) = (call.headers.is_empty(), HeaderValue::from_str(&call.headers.join(","))) {
            pre.insert(ACCESS_CONTROL_REQUEST_HEADERS, v);
        }
        match s3.decide(&Method::OPTIONS, &pre) {
            S3Decision::PreflightRejected(e) => {
                return json!({
                    "preflight": {"allowed": false, "status": e.status.as_u16(), "reason": e.message},
                    "verdict": "blocked",
                    "explanation": format!("The browser first sends a preflight; the S3 CORS configuration answers {} \"{}\", so the {} is never sent. To allow it, add a CORSRule whose AllowedOrigin, AllowedMethod and AllowedHeader cover it.", e.status.as_u16(), e.message, call.method),
                });
            }
            S3Decision::PreflightAllowed(headers) => preflight = json!({"allowed": true, "status": 200, "headers": map_json(&headers)}),
            _ => {}
        }
    }
    match s3.decide(&method, &h) {
        S3Decision::Actual { headers, allowed: true } => {
            let credentialed_ok = !call.credentials || headers.contains_key(http::header::ACCESS_CONTROL_ALLOW_CREDENTIALS);
            let verdict = if credentialed_ok { "allowed" } else { "blocked" };
            let text = if credentialed_ok {
                "The first matching CORSRule allows it: the response carries Access-Control-Allow-Origin."
            } else {
                "A CORSRule with AllowedOrigin `*` answers `Access-Control-Allow-Origin: *`, which browsers refuse for credentialed requests. To allow it, list the origin explicitly."
            };
            json!({"preflight": preflight, "actual": {"allowed": true, "headers": map_json(&headers)}, "verdict": verdict, "explanation": text})
        }
        _ => json!({
            "preflight": preflight,
            "actual": {"allowed": false},
            "verdict": "blocked",
            "explanation": "No CORSRule matches this origin and method: S3 still serves the request, but without Access-Control-Allow-Origin, so the browser hides the response. To allow it, add a CORSRule for the origin and method.",
        }),
    }
}

/// Decodes `application/x-www-form-urlencoded` pairs.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&').filter(|p| !p.is_empty()).map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        (decode(k), decode(v))
    }).collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_percent_and_plus() {
        assert_eq!(decode("http%3A%2F%2Flocalhost%3A3000"), "http://localhost:3000");
        assert_eq!(decode("a+b%"), "a b%");
        assert_eq!(decode("%zz%4"), "%zz%4");
    }
}
