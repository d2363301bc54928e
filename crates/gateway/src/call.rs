//! A browser call as the demo page and `/-/explain` describe it, and the
//! same call as the browser emulator takes it.

use crossgate_browser::request::{BodyKind, CredentialsMode};
use crossgate_browser::{Origin, RequestInit};
use url::Url;

use crate::query;

/// A call as the page describes it.
#[derive(Debug, Default)]
pub struct Call {
    /// The page's origin.
    pub origin: String,
    /// The method.
    pub method: String,
    /// The path on the API.
    pub path: String,
    /// Request headers the call sets (lower case): `name`, or `name:value`
    /// (a bare name gets a value that is not CORS-safelisted, e.g.
    /// `content-type` is `application/json`).
    pub headers: Vec<String>,
    /// `credentials: "include"`.
    pub credentials: bool,
    /// What the API answers to the requests that reach it (the demo page
    /// passes the status its browser saw); 200 when not given.
    pub upstream_status: Option<u16>,
}

impl Call {
    /// Reads `origin`, `method`, `path`, `headers` (comma-separated),
    /// `credentials=1` and `status` (the API's, 100 to 599) from a query
    /// string; `method` defaults to GET.
    pub fn from_query(q: &str) -> Call {
        let mut call = Call { method: "GET".into(), path: "/".into(), ..Call::default() };
        for (k, v) in query::parse_query(q) {
            match k.as_str() {
                "origin" => call.origin = v,
                "method" if !v.is_empty() => call.method = v,
                "path" if !v.is_empty() => call.path = v,
                "headers" => {
                    call.headers = v
                        .split(',')
                        .map(|h| match h.split_once(':') {
                            Some((n, val)) => format!("{}:{}", n.trim().to_ascii_lowercase(), val.trim()),
                            None => h.trim().to_ascii_lowercase(),
                        })
                        .filter(|h| !h.is_empty())
                        .collect()
                }
                "credentials" => call.credentials = v == "1",
                "status" => call.upstream_status = v.parse().ok().filter(|s| (100..600).contains(s)),
                _ => {}
            }
        }
        call
    }
}

/// A header value for a header the call names without one: a value that
/// makes it non-safelisted (the page sets it for a reason), as a page
/// typically sends it.
fn default_header_value(name: &str) -> &'static str {
    match name {
        "content-type" => "application/json",
        "authorization" => "Bearer token",
        "accept" | "accept-language" | "content-language" => "\"x\"",
        "range" => "bytes=-1",
        _ => "1",
    }
}

/// The page's call as the emulator takes it: `fetch(url, init)` from
/// `call.origin` to `http://{host}{path}`.
pub(crate) fn request_init(call: &Call, host: &str) -> Result<RequestInit, &'static str> {
    let origin = Origin::parse(call.origin.trim()).ok_or("Not a valid origin.")?;
    let path = if call.path.starts_with('/') { call.path.clone() } else { format!("/{}", call.path) };
    let url = Url::parse(&format!("http://{host}{path}")).map_err(|_| "Not a valid path on the API.")?;
    let mut init = RequestInit::fetch(origin, url).method(&call.method);
    let mut content_type = false;
    for h in &call.headers {
        let (name, value) = match h.split_once(':') {
            Some((n, v)) => (n.trim().to_owned(), v.trim().to_owned()),
            None => (h.clone(), default_header_value(h).to_owned()),
        };
        content_type |= name.eq_ignore_ascii_case("content-type");
        init = init.header(&name, &value);
    }
    if content_type && !call.method.eq_ignore_ascii_case("GET") && !call.method.eq_ignore_ascii_case("HEAD") {
        init = init.body(BodyKind::Bytes);
    }
    if call.credentials {
        init = init.credentials(CredentialsMode::Include);
    }
    Ok(init)
}
