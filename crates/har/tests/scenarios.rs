//! The diagnosis of Chrome-shaped files, one scenario per look-alike and per
//! kind of CORS failure: each file is written as DevTools writes it (the
//! `_resourceType`, `_initiator` and `_error` extensions, a preflight as its
//! own entry started after its request), and the verdict, error, stage and
//! finding of every request are checked.

use crossgate_har::{explain, Options, VerdictKind};
use serde_json::{json, Value};

const APP: &str = "https://app.test";

/// One entry, as Chrome's HAR export writes it.
struct E {
    t: u32,
    rtype: &'static str,
    method: &'static str,
    url: &'static str,
    req: Vec<(&'static str, &'static str)>,
    status: u16,
    resp: Vec<(&'static str, &'static str)>,
    error: Option<&'static str>,
}

fn e(t: u32, rtype: &'static str, method: &'static str, url: &'static str) -> E {
    E { t, rtype, method, url, req: vec![("Origin", APP)], status: 200, resp: Vec::new(), error: None }
}

impl E {
    fn req(mut self, h: &[(&'static str, &'static str)]) -> Self {
        self.req.extend_from_slice(h);
        self
    }
    fn no_origin(mut self) -> Self {
        self.req.retain(|(n, _)| *n != "Origin");
        self
    }
    fn resp(mut self, status: u16, h: &[(&'static str, &'static str)]) -> Self {
        self.status = status;
        self.resp = h.to_vec();
        self
    }
    fn failed(mut self, error: &'static str) -> Self {
        self.error = Some(error);
        self
    }
    fn json(&self) -> Value {
        let headers = |h: &[(&str, &str)]| h.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>();
        let mut v = json!({
            "_initiator": {"type": "script"},
            "_priority": "High",
            "_resourceType": self.rtype,
            "cache": {},
            "pageref": "page_1",
            "request": {"method": self.method, "url": self.url, "httpVersion": "HTTP/1.1",
                        "headers": headers(&self.req), "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": self.status, "statusText": "", "httpVersion": "HTTP/1.1",
                         "headers": headers(&self.resp), "cookies": [],
                         "content": {"size": 0, "mimeType": "x-unknown"}, "redirectURL": "",
                         "headersSize": -1, "bodySize": -1, "_transferSize": 0, "_error": self.error},
            "serverIPAddress": "203.0.113.7",
            "startedDateTime": format!("2026-03-01T10:00:{:02}.{:03}Z", self.t / 1000, self.t % 1000),
            "time": -1,
            "timings": {"blocked": -1, "dns": -1, "ssl": -1, "connect": -1, "send": 0, "wait": 0, "receive": 0},
        });
        if self.rtype == "preflight" {
            v["_initiator"] = json!({"type": "preflight", "url": self.url});
        }
        if let Some(l) = self.resp.iter().find(|(n, _)| n.eq_ignore_ascii_case("location")) {
            v["response"]["redirectURL"] = json!(l.1);
        }
        v
    }
}

fn har(entries: &[E]) -> Vec<u8> {
    serde_json::to_vec(&json!({"log": {
        "version": "1.2",
        "creator": {"name": "WebInspector", "version": "537.36"},
        "pages": [{"startedDateTime": "2026-03-01T10:00:00.000Z", "id": "page_1", "title": "https://app.test/", "pageTimings": {}}],
        "entries": entries.iter().map(E::json).collect::<Vec<_>>(),
    }}))
    .unwrap()
}

const ACAO: (&str, &str) = ("Access-Control-Allow-Origin", APP);

/// (entry index, verdict, error code, stage, finding)
type Want = (usize, VerdictKind, &'static str, &'static str, &'static str);

#[test]
fn every_scenario() {
    use VerdictKind::*;
    let pf = |t, url, m: &'static str| e(t, "preflight", "OPTIONS", url).req(&[("Access-Control-Request-Method", m)]);
    let scenarios: Vec<(&str, Vec<E>, Vec<Want>)> = vec![
        (
            "allowed",
            vec![e(1, "fetch", "GET", "https://api.test/a").resp(200, &[ACAO])],
            vec![(0, Allowed, "", "", "")],
        ),
        (
            "no ACAO",
            vec![e(1, "fetch", "GET", "https://api.test/a").failed("net::ERR_FAILED")],
            vec![(0, Blocked, "MissingAllowOriginHeader", "actual", "")],
        ),
        (
            "hidden 500",
            vec![e(1, "xhr", "GET", "https://api.test/a").resp(500, &[]).failed("net::ERR_FAILED")],
            vec![(0, Blocked, "MissingAllowOriginHeader", "actual", "hidden-server-error")],
        ),
        (
            "preflight 401",
            vec![
                e(1, "fetch", "PUT", "https://api.test/a").resp(0, &[]).failed("net::ERR_FAILED"),
                pf(2, "https://api.test/a", "PUT").resp(401, &[("WWW-Authenticate", "Bearer")]),
            ],
            vec![(0, Blocked, "PreflightMissingAllowOriginHeader", "preflight", "preflight-refused")],
        ),
        (
            "preflight 405 with ACAO",
            vec![
                e(1, "fetch", "DELETE", "https://api.test/a").resp(0, &[]).failed("net::ERR_FAILED"),
                pf(2, "https://api.test/a", "DELETE").resp(405, &[ACAO]),
            ],
            vec![(0, Blocked, "PreflightInvalidStatus", "preflight", "preflight-refused")],
        ),
        (
            "preflight redirect",
            vec![
                e(1, "fetch", "PUT", "https://api.test/a").resp(0, &[]).failed("net::ERR_FAILED"),
                pf(2, "https://api.test/a", "PUT").resp(301, &[("Location", "https://api.test/a/")]),
            ],
            vec![(0, Blocked, "PreflightDisallowedRedirect", "preflight", "preflight-redirect")],
        ),
        (
            "wildcard with a cookie",
            vec![e(1, "fetch", "GET", "https://api.test/me")
                .req(&[("Cookie", "sid=1")])
                .resp(200, &[("Access-Control-Allow-Origin", "*")])
                .failed("net::ERR_FAILED")],
            vec![(0, Blocked, "WildcardOriginNotAllowed", "actual", "wildcard-with-credentials")],
        ),
        (
            "wildcard, sanitized export",
            vec![e(1, "fetch", "GET", "https://api.test/me")
                .resp(200, &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")])
                .failed("net::ERR_FAILED")],
            vec![(0, Blocked, "WildcardOriginNotAllowed", "actual", "wildcard-with-credentials")],
        ),
        (
            "credentials inferred from the recorded failure",
            vec![
                e(1, "fetch", "GET", "https://api.test/me").resp(200, &[ACAO]).failed("net::ERR_FAILED"),
                e(2, "fetch", "GET", "https://api.test/x").req(&[("Cookie", "a=1")]).resp(200, &[ACAO]),
            ],
            vec![
                (0, Blocked, "InvalidAllowCredentials", "actual", ""),
                (1, Blocked, "InvalidAllowCredentials", "actual", ""),
            ],
        ),
        (
            "method not allowed",
            vec![
                e(1, "fetch", "PATCH", "https://api.test/a").resp(0, &[]).failed("net::ERR_FAILED"),
                pf(2, "https://api.test/a", "PATCH").resp(204, &[ACAO, ("Access-Control-Allow-Methods", "GET, PUT")]),
            ],
            vec![(0, Blocked, "MethodDisallowedByPreflightResponse", "preflight", "")],
        ),
        (
            "header not allowed",
            vec![
                e(1, "fetch", "GET", "https://api.test/a")
                    .req(&[("X-Token", "1")])
                    .resp(0, &[])
                    .failed("net::ERR_FAILED"),
                pf(2, "https://api.test/a", "GET")
                    .req(&[("Access-Control-Request-Headers", "x-token")])
                    .resp(204, &[ACAO]),
            ],
            vec![(0, Blocked, "HeaderDisallowedByPreflightResponse", "preflight", "")],
        ),
        (
            "preflight passes, actual allowed, second call from the cache",
            vec![
                e(1, "fetch", "PUT", "https://api.test/a").resp(200, &[ACAO]),
                pf(2, "https://api.test/a", "PUT")
                    .resp(204, &[ACAO, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "600")]),
                e(500, "fetch", "PUT", "https://api.test/a").resp(200, &[ACAO]),
            ],
            vec![(0, Allowed, "", "", ""), (2, Allowed, "", "", "")],
        ),
        (
            "redirect to a host without CORS",
            vec![
                e(1, "fetch", "GET", "https://api.test/old").resp(302, &[ACAO, ("Location", "https://cdn.test/new")]),
                e(2, "fetch", "GET", "https://cdn.test/new").req(&[]).resp(200, &[]).failed("net::ERR_FAILED"),
            ],
            vec![(0, Blocked, "MissingAllowOriginHeader", "actual", "")],
        ),
        (
            "mixed content",
            vec![e(1, "fetch", "GET", "http://api.test/a").resp(0, &[]).failed("net::ERR_FAILED")],
            vec![(0, NotACorsProblem, "mixed-content", "request", "mixed-content")],
        ),
        (
            "CORP",
            vec![e(1, "image", "GET", "https://cdn.test/a.png")
                .no_origin()
                .resp(200, &[("Cross-Origin-Resource-Policy", "same-origin")])
                .failed("net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin")],
            vec![(0, NotACorsProblem, "ERR_BLOCKED_BY_RESPONSE.NotSameOrigin", "actual", "blocked-by-response")],
        ),
        (
            "cancelled",
            vec![e(1, "fetch", "GET", "https://api.test/a").resp(0, &[]).failed("net::ERR_ABORTED")],
            vec![(0, NotACorsProblem, "ERR_ABORTED", "actual", "cancelled")],
        ),
        (
            "blocked by an extension",
            vec![e(1, "script", "GET", "https://ads.test/a.js")
                .no_origin()
                .resp(0, &[])
                .failed("net::ERR_BLOCKED_BY_CLIENT")],
            vec![(0, NotACorsProblem, "ERR_BLOCKED_BY_CLIENT", "actual", "blocked-by-client")],
        ),
        (
            "connection refused",
            vec![e(1, "fetch", "GET", "https://api.test/a").resp(0, &[]).failed("net::ERR_CONNECTION_REFUSED")],
            vec![(0, NotACorsProblem, "ERR_CONNECTION_REFUSED", "actual", "network-error")],
        ),
        (
            "no-cors fetch",
            vec![e(1, "fetch", "POST", "https://api.test/beacon").req(&[("Sec-Fetch-Mode", "no-cors")]).resp(200, &[])],
            vec![(0, NotCors, "", "", "opaque-response")],
        ),
        (
            "an image without crossorigin",
            vec![e(1, "image", "GET", "https://cdn.test/a.png").no_origin().resp(200, &[])],
            vec![(0, NotCors, "", "", "")],
        ),
        (
            "same origin and a navigation",
            vec![
                e(1, "fetch", "GET", "https://app.test/api").resp(200, &[]),
                e(2, "document", "GET", "https://other.test/").no_origin().resp(200, &[]),
            ],
            vec![(0, NotCors, "", "", ""), (1, NotCors, "", "", "")],
        ),
        (
            "credentials not sent",
            vec![e(1, "fetch", "GET", "https://api.test/me")
                .resp(401, &[ACAO, ("Access-Control-Allow-Credentials", "true"), ("Set-Cookie", "x=1")])],
            vec![(0, Allowed, "", "", "credentials-not-sent")],
        ),
        (
            "the failed response was not kept",
            vec![e(1, "fetch", "GET", "https://api.test/a").resp(0, &[]).failed("net::ERR_FAILED")],
            vec![(0, Blocked, "ERR_FAILED", "actual", "no-response-recorded")],
        ),
    ];
    for (name, entries, want) in scenarios {
        let report = explain(&har(&entries), &Options::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got: Vec<Want> = report
            .requests
            .iter()
            .map(|d| {
                (
                    d.index,
                    d.verdict,
                    d.error.as_ref().map_or("", |e| leak(&e.code)),
                    d.error.as_ref().map_or("", |e| e.stage),
                    d.finding.as_ref().map_or("", |f| f.code()),
                )
            })
            .collect();
        assert_eq!(got, want, "{name}: {:#?}", report.requests);
        for d in &report.requests {
            if d.verdict == Blocked && d.finding.is_none() {
                let e = d.error.as_ref().unwrap();
                assert!(e.message.contains("has been blocked by CORS policy"), "{name}: {}", e.message);
                assert!(d.fix.is_some() && d.rule.is_some(), "{name}: {d:?}");
            }
        }
    }
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

#[test]
fn messages_rules_and_links() {
    let entries = [
        e(1, "fetch", "PUT", "https://api.test/v1/items/7")
            .req(&[("X-Token", "t")])
            .resp(0, &[])
            .failed("net::ERR_FAILED"),
        e(2, "preflight", "OPTIONS", "https://api.test/v1/items/7")
            .req(&[("Access-Control-Request-Method", "PUT"), ("Access-Control-Request-Headers", "x-token")])
            .resp(204, &[]),
    ];
    let report = explain(&har(&entries), &Options::default()).unwrap();
    assert_eq!(report.requests.len(), 1);
    let d = &report.requests[0];
    assert_eq!((d.preflight_index, d.origin.as_deref(), d.origin_from), (Some(1), Some(APP), Some("origin-header")));
    assert_eq!(
        d.error.as_ref().unwrap().message,
        "Access to fetch at 'https://api.test/v1/items/7' from origin 'https://app.test' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."
    );
    let rule = d.rule.as_ref().unwrap();
    assert_eq!(rule.server, "https://api.test");
    assert_eq!(
        rule.toml,
        "[[rule]]\norigins = [\"https://app.test\"]\nmethods = [\"PUT\"]\nrequest_headers = [\"x-token\"]\npaths = [\"/v1/items/7\"]\n"
    );
    assert_eq!(report.summary.line(), "1 request blocked by CORS, 0 fine");
}

#[test]
fn only_and_origin_options() {
    let entries = [
        e(1, "fetch", "GET", "https://api.test/a").no_origin().resp(200, &[ACAO]),
        e(2, "fetch", "GET", "https://cdn.test/b").resp(200, &[ACAO]),
    ];
    let mut bytes = har(&entries);
    // Without pages[] and Referer, the first request's origin comes from --origin.
    let text = String::from_utf8(bytes.clone()).unwrap().replace("\"pageref\":\"page_1\",", "");
    bytes = text.into_bytes();
    let report = explain(&bytes, &Options::default()).unwrap();
    assert_eq!(report.requests[0].finding.as_ref().map(|f| f.code()), Some("origin-unknown"));
    let options = Options {
        origin: crossgate_browser::Origin::parse("https://app.test"),
        only: Some("https://api.test/*".into()),
        ..Options::default()
    };
    let report = explain(&bytes, &options).unwrap();
    assert_eq!(report.requests.len(), 1);
    assert_eq!((report.requests[0].origin_from, report.requests[0].verdict), (Some("option"), VerdictKind::Allowed));
}
