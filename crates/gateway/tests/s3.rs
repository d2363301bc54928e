//! Routes configured with S3 bucket CORS (the AWS documentation's
//! examples), over real sockets, with S3's answers and limits.

mod common;

use common::body;
use common::{client, req, send, tempdir, upstream};
use crossgate_gateway::s3::{S3Cors, NOT_ALLOWED, NOT_ENABLED};

/// The AWS user guide's first CORS example.
const XML: &str = r#"<CORSConfiguration>
 <CORSRule>
   <AllowedOrigin>http://www.example1.com</AllowedOrigin>
   <AllowedMethod>PUT</AllowedMethod>
   <AllowedMethod>POST</AllowedMethod>
   <AllowedMethod>DELETE</AllowedMethod>
   <AllowedHeader>*</AllowedHeader>
 </CORSRule>
 <CORSRule>
   <AllowedOrigin>http://www.example2.com</AllowedOrigin>
   <AllowedMethod>PUT</AllowedMethod>
   <AllowedMethod>POST</AllowedMethod>
   <AllowedMethod>DELETE</AllowedMethod>
   <AllowedHeader>*</AllowedHeader>
 </CORSRule>
 <CORSRule>
   <AllowedOrigin>*</AllowedOrigin>
   <AllowedMethod>GET</AllowedMethod>
 </CORSRule>
</CORSConfiguration>"#;

/// The guide's second example, as `aws s3api get-bucket-cors` prints it.
const JSON: &str = r#"{"CORSRules": [
  {"ID": "uploads", "AllowedHeaders": ["x-amz-*"], "AllowedMethods": ["PUT", "POST", "DELETE"],
   "AllowedOrigins": ["https://*.example.com"], "ExposeHeaders": ["x-amz-server-side-encryption", "x-amz-request-id", "x-amz-id-2"], "MaxAgeSeconds": 3000},
  {"AllowedHeaders": ["*"], "AllowedMethods": ["PUT"], "AllowedOrigins": ["https://*.example.com"], "MaxAgeSeconds": 100}
]}"#;

const CONFIG: &str = r#"
[[route]]
path = "/bucket"
upstream = "http://{UP}"
s3_cors = "cors.xml"
[[route]]
path = "/other"
upstream = "http://{UP}"
s3_cors = "cors.json"
[[route]]
path = "/empty"
upstream = "http://{UP}"
s3_cors = "empty.xml"
"#;

async fn setup() -> (crossgate_gateway::Gateway, common::Upstream) {
    let up = upstream().await;
    let dir = tempdir("s3");
    std::fs::write(dir.join("cors.xml"), XML).unwrap();
    std::fs::write(dir.join("cors.json"), JSON).unwrap();
    std::fs::write(dir.join("empty.xml"), "<CORSConfiguration></CORSConfiguration>").unwrap();
    (common::gateway(CONFIG, up.addr, &dir).await, up)
}

fn preflight(
    addr: std::net::SocketAddr,
    path: &str,
    origin: &str,
    method: &str,
    headers: Option<&str>,
) -> http::Request<body::Body> {
    let mut r = req("OPTIONS", addr, path).header("origin", origin).header("access-control-request-method", method);
    if let Some(h) = headers {
        r = r.header("access-control-request-headers", h);
    }
    r.body(body::empty()).unwrap()
}

#[tokio::test]
async fn preflights_answered_as_s3_does() {
    let (gw, up) = setup().await;
    let c = client();
    let a = gw.local_addr();
    let (s, h, _) =
        send(&c, preflight(a, "/bucket/photo.jpg", "http://www.example1.com", "PUT", Some("Content-Type, X-Custom")))
            .await;
    assert_eq!(s, 200);
    assert_eq!(h["access-control-allow-origin"], "http://www.example1.com");
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert_eq!(h["access-control-allow-methods"], "PUT, POST, DELETE");
    assert_eq!(h["access-control-allow-headers"], "content-type, x-custom");
    assert_eq!(h["vary"], "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
    // Any origin may GET: `*`, without credentials.
    let (s, h, _) = send(&c, preflight(a, "/bucket/photo.jpg", "https://anyone.example", "GET", None)).await;
    assert_eq!(s, 200);
    assert_eq!(h["access-control-allow-origin"], "*");
    assert!(h.get("access-control-allow-credentials").is_none());
    // Not allowed: S3's 403 and XML body, word for word.
    let (s, h, text) = send(&c, preflight(a, "/bucket/photo.jpg", "https://anyone.example", "PUT", None)).await;
    assert_eq!(s, 403);
    assert_eq!(h["content-type"], "application/xml");
    assert!(text.contains("<Code>AccessForbidden</Code>"), "{text}");
    assert!(text.contains(&format!("<Message>{}</Message>", NOT_ALLOWED.replace('\'', "&apos;"))), "{text}");
    assert!(text.contains("<Method>PUT</Method><ResourceType>OBJECT</ResourceType>"), "{text}");
    // No rules at all.
    let (s, _, text) = send(&c, preflight(a, "/empty", "http://www.example1.com", "GET", None)).await;
    assert_eq!(s, 403);
    assert!(text.contains(&format!("<Message>{NOT_ENABLED}</Message>")), "{text}");
    assert!(text.contains("<ResourceType>BUCKET</ResourceType>"), "{text}");
    // Scheme, host and port must all match.
    let (s, ..) = send(&c, preflight(a, "/bucket/x", "http://www.example1.com:80", "PUT", None)).await;
    assert_eq!(s, 403);
    // S3's 400s for malformed preflights.
    let r = req("OPTIONS", a, "/bucket/x").header("origin", "http://www.example1.com").body(body::empty()).unwrap();
    let (s, _, text) = send(&c, r).await;
    assert_eq!(s, 400);
    assert!(text.contains("Invalid Access-Control-Request-Method: null"), "{text}");
    assert_eq!(up.hits.load(std::sync::atomic::Ordering::Relaxed), 0, "a preflight reached the upstream");
    gw.shutdown().await;
}

#[tokio::test]
async fn first_rule_matching_origin_method_and_every_header_wins() {
    let (gw, _up) = setup().await;
    let c = client();
    let a = gw.local_addr();
    let (s, h, _) = send(&c, preflight(a, "/other/k", "https://app.example.com", "PUT", Some("x-amz-date"))).await;
    assert_eq!(s, 200);
    assert_eq!(h["access-control-max-age"], "3000");
    assert_eq!(h["access-control-expose-headers"], "x-amz-server-side-encryption, x-amz-request-id, x-amz-id-2");
    // `content-type` is not under `x-amz-*`: the first rule does not match, the second does.
    let (s, h, _) =
        send(&c, preflight(a, "/other/k", "https://app.example.com", "PUT", Some("x-amz-date, content-type"))).await;
    assert_eq!(s, 200);
    assert_eq!(h["access-control-max-age"], "100");
    // DELETE only in the first rule, which refuses the header.
    let (s, ..) = send(&c, preflight(a, "/other/k", "https://app.example.com", "DELETE", Some("content-type"))).await;
    assert_eq!(s, 403);
    // The pattern's scheme is part of the match.
    let (s, ..) = send(&c, preflight(a, "/other/k", "http://app.example.com", "PUT", None)).await;
    assert_eq!(s, 403);
    gw.shutdown().await;
}

#[tokio::test]
async fn actual_requests_are_forwarded_with_or_without_cors_headers() {
    let (gw, up) = setup().await;
    let c = client();
    let a = gw.local_addr();
    let (s, h, text) = send(
        &c,
        req("GET", a, "/bucket/photo.jpg").header("origin", "https://anyone.example").body(body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert!(text.starts_with("GET /bucket/photo.jpg"), "{text}");
    assert_eq!(h["access-control-allow-origin"], "*");
    // No rule for this origin and method: S3 still serves the request, without CORS headers.
    let (s, h, _) = send(
        &c,
        req("PUT", a, "/bucket/photo.jpg").header("origin", "https://anyone.example").body(body::full("x")).unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert!(h.get("access-control-allow-origin").is_none());
    assert_eq!(h["vary"], "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
    // Not CORS at all.
    let (s, h, _) = send(&c, req("GET", a, "/bucket/photo.jpg").body(body::empty()).unwrap()).await;
    assert_eq!(s, 200);
    assert!(h.get("access-control-allow-origin").is_none());
    assert_eq!(
        h["vary"], "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
        "a cached copy must not serve CORS requests"
    );
    assert_eq!(up.hits.load(std::sync::atomic::Ordering::Relaxed), 3);
    gw.shutdown().await;
}

fn problems(text: &str, json: bool) -> Vec<&'static str> {
    let mut p = Vec::new();
    let _ = S3Cors::parse(text, json, "cors", &mut p);
    p.iter().map(|p| p.code.as_str()).collect()
}

#[test]
fn s3_limits_and_rules_are_enforced() {
    let rule =
        "<CORSRule><AllowedOrigin>https://a.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>";
    let many = format!("<CORSConfiguration>{}</CORSConfiguration>", rule.repeat(101));
    assert_eq!(problems(&many, false), ["s3-too-many-rules"]);
    let big_origin = format!("<CORSConfiguration><CORSRule><AllowedOrigin>https://{}.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>", "a".repeat(70_000));
    assert_eq!(problems(&big_origin, false), ["s3-document-too-large"]);
    let bad = r#"{"CORSRules": [{"AllowedOrigins": ["https://*.*.example"], "AllowedMethods": ["PATCH", "get"], "AllowedHeaders": ["x-*-*"], "ID": "#.to_owned() + &format!("\"{}\"", "i".repeat(256)) + "}, {}]}";
    assert_eq!(
        problems(&bad, true),
        [
            "s3-id-too-long",
            "s3-method-unsupported",
            "s3-method-unsupported",
            "s3-too-many-wildcards",
            "s3-too-many-wildcards",
            "s3-no-origins",
            "s3-no-methods"
        ]
    );
    assert_eq!(
        problems("<CORSConfiguration><CORSRule><Bogus/></CORSRule></CORSConfiguration>", false),
        ["s3-malformed"]
    );
    assert_eq!(problems("<NotCors/>", false), ["s3-malformed"]);
    assert_eq!(problems("<CORSConfiguration/>", false), ["s3-no-rules"]);
    assert_eq!(problems(JSON, true), Vec::<&str>::new());
    assert_eq!(problems(XML, false), Vec::<&str>::new());
    let wrapped = format!("{{\"CORSConfiguration\": {JSON}}}");
    assert_eq!(problems(&wrapped, true), Vec::<&str>::new());
}

#[tokio::test]
async fn report_only_s3_routes_forward_everything() {
    let up = upstream().await;
    let dir = tempdir("s3-report");
    std::fs::write(dir.join("cors.xml"), XML).unwrap();
    let gw = common::gateway(
        "mode = \"report-only\"\n[[route]]\npath = \"/\"\nupstream = \"http://{UP}\"\ns3_cors = \"cors.xml\"\n",
        up.addr,
        &dir,
    )
    .await;
    let c = client();
    let (s, h, text) = send(&c, preflight(gw.local_addr(), "/k", "https://anyone.example", "PUT", None)).await;
    assert_eq!(s, 200);
    assert!(text.starts_with("OPTIONS /k"), "{text}");
    assert!(h.get("access-control-allow-origin").is_none());
    assert_eq!(common::counter(&gw, "crossgate_cors_decisions_total", &[("outcome", "rejected")]), 1);
    gw.shutdown().await;
}

#[tokio::test]
async fn gateway_errors_on_s3_routes_carry_s3_cors_headers() {
    let dir = tempdir("s3-down");
    std::fs::write(dir.join("cors.xml"), XML).unwrap();
    let gw = common::gateway(
        "[[route]]\npath = \"/\"\nupstream = \"http://127.0.0.1:1\"\ns3_cors = \"cors.xml\"\n",
        "127.0.0.1:1".parse().unwrap(),
        &dir,
    )
    .await;
    let c = client();
    let (s, h, _) = send(
        &c,
        req("GET", gw.local_addr(), "/k").header("origin", "https://anyone.example").body(body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, 502);
    assert_eq!(h["access-control-allow-origin"], "*");
    gw.shutdown().await;
}

#[test]
fn explain_describes_s3_decisions() {
    let dir = tempdir("s3-explain");
    std::fs::write(dir.join("cors.xml"), XML).unwrap();
    let rt = crossgate_gateway::load_str(
        "[[route]]\npath = \"/\"\nupstream = \"http://127.0.0.1:1\"\ns3_cors = \"cors.xml\"\n",
        &dir,
    )
    .unwrap();
    use crossgate_gateway::{explain, Call};
    let v = explain(&rt, "", &Call::from_query("origin=https%3A%2F%2Fx.example&method=PUT&path=/k"));
    assert_eq!(v["verdict"], "blocked");
    assert_eq!(v["preflight"]["status"], 403);
    let v = explain(
        &rt,
        "",
        &Call::from_query("origin=http%3A%2F%2Fwww.example1.com&method=PUT&path=/k&headers=content-type"),
    );
    assert_eq!(v["verdict"], "allowed", "{v}");
    assert_eq!(v["preflight"]["headers"]["access-control-allow-headers"], "content-type");
    let v = explain(&rt, "", &Call::from_query("origin=https%3A%2F%2Fx.example&method=GET&path=/k&credentials=1"));
    assert_eq!(v["verdict"], "blocked", "`*` with credentials: {v}");
    // The verdicts are the emulated Chromium's, with its console messages.
    assert_eq!(v["browser"]["cors_error"], "WildcardOriginNotAllowed", "{v}");
    assert!(
        v["console"].as_str().is_some_and(
            |m| m.ends_with("must not be the wildcard '*' when the request's credentials mode is 'include'.")
        ),
        "{v}"
    );
    let v = explain(&rt, "bucket.s3.test", &Call::from_query("origin=https%3A%2F%2Fx.example&method=PUT&path=/k"));
    assert_eq!(v["browser"]["cors_error"], "PreflightMissingAllowOriginHeader", "{v}");
    assert_eq!(
        v["console"],
        "Access to fetch at 'http://bucket.s3.test/k' from origin 'https://x.example' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        "{v}"
    );
    assert!(
        v["explanation"].as_str().is_some_and(|e| e.contains("CORSResponse: This CORS request is not allowed.")),
        "{v}"
    );
}
