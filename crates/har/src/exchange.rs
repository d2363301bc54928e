//! One HAR entry as the diagnosis sees it: parsed URL, headers without the
//! HTTP/2 pseudo-headers, the response as a header map, the time it started.

use http::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::model::Entry;

/// A recorded request and its response.
#[derive(Clone, Debug)]
pub(crate) struct Recorded {
    /// The `log.entries` index.
    pub(crate) index: usize,
    /// Milliseconds since the Unix epoch, when `startedDateTime` parses.
    pub(crate) started_ms: Option<i64>,
    pub(crate) method: String,
    /// The URL as written.
    pub(crate) url_text: String,
    pub(crate) url: Option<Url>,
    /// Request headers in order, HTTP/2 pseudo-headers (`:authority`…) left out.
    pub(crate) request_headers: Vec<(String, String)>,
    pub(crate) has_body: bool,
    /// A `Cookie` header or `cookies[]` went with the request.
    pub(crate) cookies_sent: bool,
    /// `0` when there was no response.
    pub(crate) status: u16,
    pub(crate) response_headers: HeaderMap,
    /// Response header lines that are not valid HTTP and were left out.
    pub(crate) dropped_response_headers: usize,
    /// Where a redirect points (`redirectURL`, else `Location`).
    pub(crate) redirect_to: Option<String>,
    /// Chrome's `_error` (`net::ERR_FAILED`…).
    pub(crate) error: Option<String>,
    /// Chrome's `_resourceType`, lower-case.
    pub(crate) resource_type: Option<String>,
    /// A preflight: Chrome marks it; otherwise an `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`.
    pub(crate) is_preflight: bool,
    /// Chrome: the URL of the request a preflight was for.
    pub(crate) preflight_for: Option<String>,
    pub(crate) pageref: Option<String>,
    /// `serverIPAddress`, when it parses.
    pub(crate) server_ip: Option<std::net::IpAddr>,
    /// Milliseconds the exchange took (`None` for `-1` or absent).
    pub(crate) duration_ms: Option<f64>,
}

impl Recorded {
    pub(crate) fn new(index: usize, e: Entry) -> Self {
        let request_headers: Vec<(String, String)> = e
            .request
            .headers
            .into_iter()
            .filter(|h| !h.name.starts_with(':') && !h.name.is_empty())
            .map(|h| (h.name, h.value))
            .collect();
        let mut response_headers = HeaderMap::new();
        let mut dropped = 0;
        for h in e.response.headers {
            if h.name.starts_with(':') {
                continue;
            }
            match (HeaderName::from_bytes(h.name.as_bytes()), HeaderValue::from_str(h.value.trim())) {
                (Ok(n), Ok(v)) => {
                    response_headers.append(n, v);
                }
                _ => dropped += 1,
            }
        }
        let status = if e.response.status.is_finite() && (0.0..1000.0).contains(&e.response.status) {
            // Truncation is intended: statuses are integers in every export.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let s = e.response.status as u16;
            s
        } else {
            0
        };
        let header = |name: &str| request_headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v);
        let method = if e.request.method.is_empty() { "GET".to_owned() } else { e.request.method };
        let marked_preflight = e.resource_type.as_deref() == Some("preflight")
            || e.initiator.as_ref().is_some_and(|i| i.kind == "preflight");
        let is_preflight = marked_preflight
            || (method == "OPTIONS" && header("origin").is_some() && header("access-control-request-method").is_some());
        let preflight_for = e
            .initiator
            .as_ref()
            .filter(|i| i.kind == "preflight")
            .and_then(|i| i.url.clone())
            .filter(|u| !u.is_empty());
        let cookies_sent = !e.request.cookies.is_empty() || header("cookie").is_some();
        let has_body = e.request.post_data.is_some() || e.request.body_size.is_some_and(|n| n > 0.0);
        let location = response_headers.get(http::header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let redirect_to = e.response.redirect_url.filter(|u| !u.is_empty()).or(location);
        let url = Url::parse(&e.request.url).ok();
        Recorded {
            index,
            started_ms: parse_time(&e.started),
            method,
            url_text: e.request.url,
            url,
            request_headers,
            has_body,
            cookies_sent,
            status,
            response_headers,
            dropped_response_headers: dropped,
            redirect_to,
            error: e.response.error.filter(|s| !s.is_empty()),
            resource_type: e.resource_type.map(|s| s.to_ascii_lowercase()),
            is_preflight,
            preflight_for,
            pageref: e.pageref,
            server_ip: e.server_ip.and_then(|s| s.trim_start_matches('[').trim_end_matches(']').parse().ok()),
            duration_ms: e.time.filter(|t| t.is_finite() && *t >= 0.0),
        }
    }

    /// The first request header named `name` (any case).
    pub(crate) fn request_header(&self, name: &str) -> Option<&str> {
        self.request_headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The response header `name`, its lines joined with `, `.
    pub(crate) fn response_header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self.response_headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect();
        if values.is_empty() {
            None
        } else {
            Some(values.join(", "))
        }
    }
}

/// `startedDateTime` (ISO 8601 / RFC 3339) in milliseconds since the epoch.
fn parse_time(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(json: &str) -> Recorded {
        Recorded::new(0, serde_json::from_str(json).unwrap())
    }

    #[test]
    fn tolerant_of_what_exports_contain() {
        let r = entry(
            r#"{"startedDateTime":"2026-01-02T03:04:05.678+01:00","time":-1,
            "request":{"method":"GET","url":"https://api.test/x","headers":[
                {"name":":authority","value":"api.test"},{"name":"origin","value":"https://a.test"}]},
            "response":{"status":200,"headers":[
                {"name":"Access-Control-Allow-Origin","value":"https://a.test"},
                {"name":"Vary","value":"Origin"},{"name":"vary","value":"Accept"},
                {"name":"bad name","value":"x"},{"name":":status","value":"200"}],
                "content":{"size":-1}}}"#,
        );
        assert_eq!(r.request_headers, [("origin".to_owned(), "https://a.test".to_owned())]);
        assert_eq!(r.response_header("vary").as_deref(), Some("Origin, Accept"));
        assert_eq!(r.dropped_response_headers, 1);
        assert_eq!(r.started_ms, Some(1_767_319_445_678));
        assert!(!r.is_preflight && !r.cookies_sent);
    }

    #[test]
    fn preflights_marked_or_recognised() {
        let chrome = entry(
            r#"{"_resourceType":"preflight","_initiator":{"type":"preflight","url":"https://api.test/x"},
            "request":{"method":"OPTIONS","url":"https://api.test/x"},"response":{"status":204}}"#,
        );
        assert!(chrome.is_preflight);
        assert_eq!(chrome.preflight_for.as_deref(), Some("https://api.test/x"));
        let firefox = entry(
            r#"{"request":{"method":"OPTIONS","url":"https://api.test/x","headers":[
            {"name":"Origin","value":"https://a.test"},{"name":"Access-Control-Request-Method","value":"PUT"}]}}"#,
        );
        assert!(firefox.is_preflight && firefox.preflight_for.is_none() && firefox.status == 0);
        let plain = entry(r#"{"request":{"method":"OPTIONS","url":"https://api.test/x"}}"#);
        assert!(!plain.is_preflight);
    }
}
