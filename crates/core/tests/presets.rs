//! Presets expand to the lists their protocols' own documents give, and a
//! rule with a preset is checked like a hand-written one.

use std::collections::BTreeSet;

use crossgate_core::{Action, Code, LoadError, Policy, PolicyConfig, Preset, RuleConfig};
use http::{HeaderMap, HeaderName, HeaderValue, Method};

/// What each protocol's document says its browser clients send and read.
/// `kind` is `method`, `request` (a request header the client sets) or
/// `expose` (a response header the client reads).
#[rustfmt::skip]
const CITED: &[(Preset, &str, &str, &str)] = &[
    // gRPC-Web: https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md
    (Preset::GrpcWeb, "method", "POST", "PROTOCOL-HTTP2.md: Request → Call-Definition: Method → \":method POST\""),
    (Preset::GrpcWeb, "request", "content-type", "PROTOCOL-WEB.md: Content-Type application/grpc-web[+proto|+json], application/grpc-web-text"),
    (Preset::GrpcWeb, "request", "x-grpc-web", "PROTOCOL-WEB.md (and grpc-web's client): X-Grpc-Web: 1 marks a gRPC-Web request"),
    (Preset::GrpcWeb, "request", "x-user-agent", "PROTOCOL-WEB.md: User-Agent is set by browsers, the client's own goes in X-User-Agent"),
    (Preset::GrpcWeb, "request", "grpc-timeout", "PROTOCOL-HTTP2.md: Timeout → \"grpc-timeout\" TimeoutValue TimeoutUnit"),
    (Preset::GrpcWeb, "expose", "grpc-status", "PROTOCOL-HTTP2.md: Status → \"grpc-status\"; PROTOCOL-WEB.md: trailers may come as headers"),
    (Preset::GrpcWeb, "expose", "grpc-message", "PROTOCOL-HTTP2.md: Status-Message → \"grpc-message\""),
    (Preset::GrpcWeb, "expose", "grpc-status-details-bin", "grpc richer error model: google.rpc.Status in grpc-status-details-bin"),
    // MCP: https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#streamable-http
    (Preset::Mcp, "method", "POST", "Sending Messages to the Server: the client MUST use HTTP POST"),
    (Preset::Mcp, "method", "GET", "Listening for Messages from the Server: the client MAY issue an HTTP GET"),
    (Preset::Mcp, "method", "DELETE", "Session Management: clients SHOULD send an HTTP DELETE to terminate the session"),
    (Preset::Mcp, "request", "mcp-session-id", "Session Management: clients MUST include it in the Mcp-Session-Id header"),
    (Preset::Mcp, "request", "mcp-protocol-version", "Protocol Version Header: the client MUST include MCP-Protocol-Version"),
    (Preset::Mcp, "request", "last-event-id", "Resumability: the client MAY include the Last-Event-ID header"),
    (Preset::Mcp, "request", "content-type", "Sending Messages: the body is a JSON-RPC message (application/json)"),
    (Preset::Mcp, "request", "authorization", "Authorization (2025-06-18): Authorization: Bearer <access-token> on every request"),
    (Preset::Mcp, "expose", "mcp-session-id", "Session Management: the server MAY assign a session ID in an Mcp-Session-Id header"),
    // S3: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html and
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
    (Preset::S3Upload, "method", "PUT", "PutObject / UploadPart: PUT /Key+"),
    (Preset::S3Upload, "method", "POST", "POST Object (browser form upload), CreateMultipartUpload, CompleteMultipartUpload"),
    (Preset::S3Upload, "request", "authorization", "Authenticating Requests (SigV4): Authorization header"),
    (Preset::S3Upload, "request", "content-type", "PutObject: Content-Type"),
    (Preset::S3Upload, "request", "content-md5", "PutObject: Content-MD5"),
    (Preset::S3Upload, "request", "content-disposition", "PutObject: Content-Disposition"),
    (Preset::S3Upload, "request", "content-encoding", "PutObject: Content-Encoding"),
    (Preset::S3Upload, "request", "cache-control", "PutObject: Cache-Control"),
    (Preset::S3Upload, "request", "x-amz-acl", "PutObject: x-amz-acl"),
    (Preset::S3Upload, "request", "x-amz-checksum-algorithm", "PutObject: x-amz-sdk-checksum-algorithm / x-amz-checksum-algorithm"),
    (Preset::S3Upload, "request", "x-amz-checksum-crc32", "PutObject: x-amz-checksum-crc32"),
    (Preset::S3Upload, "request", "x-amz-checksum-crc32c", "PutObject: x-amz-checksum-crc32c"),
    (Preset::S3Upload, "request", "x-amz-checksum-sha1", "PutObject: x-amz-checksum-sha1"),
    (Preset::S3Upload, "request", "x-amz-checksum-sha256", "PutObject: x-amz-checksum-sha256"),
    (Preset::S3Upload, "request", "x-amz-content-sha256", "SigV4: x-amz-content-sha256 on every signed request"),
    (Preset::S3Upload, "request", "x-amz-date", "SigV4: x-amz-date"),
    (Preset::S3Upload, "request", "x-amz-security-token", "SigV4 with temporary credentials: x-amz-security-token"),
    (Preset::S3Upload, "request", "x-amz-server-side-encryption", "PutObject: x-amz-server-side-encryption"),
    (Preset::S3Upload, "request", "x-amz-storage-class", "PutObject: x-amz-storage-class"),
    (Preset::S3Upload, "request", "x-amz-tagging", "PutObject: x-amz-tagging"),
    (Preset::S3Upload, "request", "x-amz-user-agent", "AWS SDK for JavaScript: sent in browsers, where User-Agent cannot be set"),
    (Preset::S3Upload, "request", "amz-sdk-invocation-id", "AWS SDK for JavaScript v3: retry middleware"),
    (Preset::S3Upload, "request", "amz-sdk-request", "AWS SDK for JavaScript v3: retry middleware"),
    (Preset::S3Upload, "expose", "etag", "S3 CORS docs: ExposeHeader ETag, which CompleteMultipartUpload needs from each part"),
];

fn cited(preset: Preset, kind: &str) -> BTreeSet<&'static str> {
    CITED.iter().filter(|(p, k, _, _)| *p == preset && *k == kind).map(|(_, _, v, _)| *v).collect()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (n, v) in pairs {
        map.append(HeaderName::try_from(*n).unwrap(), HeaderValue::try_from(*v).unwrap());
    }
    map
}

fn policy(rule: RuleConfig) -> Policy {
    let built = Policy::new(PolicyConfig::new(rule)).expect("a valid policy");
    assert_eq!(built.warnings, [], "a preset alone lints clean");
    built.policy
}

const ORIGIN: &str = "https://app.example.com";

/// Whether a preflight for `method` with `requested` headers is allowed.
fn preflight_allowed(policy: &Policy, method: &str, requested: &str) -> bool {
    let mut pairs = vec![("origin", ORIGIN), ("access-control-request-method", method)];
    if !requested.is_empty() {
        pairs.push(("access-control-request-headers", requested));
    }
    policy.evaluate(&Method::OPTIONS, "/", &headers(&pairs)).is_allowed()
}

/// The `Access-Control-Expose-Headers` names of an allowed actual request.
fn exposed(policy: &Policy, method: &str) -> BTreeSet<String> {
    let request = headers(&[("origin", ORIGIN)]);
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let Action::Forward(pending) = policy.evaluate(&method, "/", &request).into_action() else {
        panic!("an allowed actual request is forwarded")
    };
    let mut response = HeaderMap::new();
    pending.finish(&mut response).unwrap();
    response
        .get("access-control-expose-headers")
        .map(|v| v.to_str().unwrap().split(", ").map(str::to_owned).collect())
        .unwrap_or_default()
}

#[test]
fn expansions_are_the_cited_lists() {
    for &preset in Preset::ALL {
        let set = |l: &[&'static str]| l.iter().copied().collect::<BTreeSet<_>>();
        assert_eq!(set(preset.methods()), cited(preset, "method"), "{preset} methods");
        assert_eq!(set(preset.request_headers()), cited(preset, "request"), "{preset} request headers");
        assert_eq!(set(preset.expose_headers()), cited(preset, "expose"), "{preset} exposed headers");
    }
}

#[test]
fn a_preset_rule_allows_what_its_clients_send_and_nothing_more() {
    for &preset in Preset::ALL {
        let p = policy(RuleConfig::new([ORIGIN]).preset(preset));
        let all: Vec<&str> = cited(preset, "request").into_iter().collect();
        for method in cited(preset, "method") {
            assert!(preflight_allowed(&p, method, &all.join(",")), "{preset}: {method} with every header");
            for h in &all {
                assert!(preflight_allowed(&p, method, h), "{preset}: {method} with {h}");
            }
            assert!(!preflight_allowed(&p, method, &format!("{},x-not-in-the-protocol", all[0])), "{preset}");
            let readable: BTreeSet<String> = cited(preset, "expose").into_iter().map(str::to_owned).collect();
            assert_eq!(exposed(&p, method), readable, "{preset}: {method}");
        }
        for method in ["PATCH", "PUT", "DELETE", "GET"] {
            if !cited(preset, "method").contains(method) {
                assert!(!preflight_allowed(&p, method, ""), "{preset}: {method} is not the protocol's");
            }
        }
    }
}

#[test]
fn a_rule_adds_to_its_preset() {
    let p = policy(
        RuleConfig::new([ORIGIN])
            .preset(Preset::S3Upload)
            .methods(["DELETE"])
            .request_headers(["x-amz-meta-owner"])
            .expose_headers(["x-amz-version-id"]),
    );
    assert!(preflight_allowed(&p, "DELETE", "x-amz-meta-owner"));
    assert!(preflight_allowed(&p, "PUT", "x-amz-meta-owner,content-type"));
    assert!(exposed(&p, "PUT").contains("x-amz-version-id") && exposed(&p, "PUT").contains("etag"));
}

#[test]
fn presets_are_linted_like_hand_written_rules() {
    // (rule, the codes it gets, errors or warnings)
    let cases: Vec<(RuleConfig, Vec<Code>)> = vec![
        (RuleConfig::new(["*"]).preset(Preset::Mcp).credentials(true), vec![Code::AnyOriginWithCredentials]),
        (
            RuleConfig::new(["https://*.github.io"]).preset(Preset::Mcp).credentials(true),
            vec![Code::PublicSuffixWithCredentials],
        ),
        (RuleConfig::new([ORIGIN]).preset(Preset::Mcp).request_headers(["Mcp-Session-Id"]), vec![Code::Duplicate]),
        (RuleConfig::new([ORIGIN]).preset(Preset::GrpcWeb).methods(["POST"]), vec![Code::Duplicate]),
        (RuleConfig::new([ORIGIN]).preset(Preset::GrpcWeb).expose_headers(["grpc-status"]), vec![Code::Duplicate]),
        (
            RuleConfig::new([ORIGIN]).preset(Preset::GrpcWeb).request_headers(["cookie"]),
            vec![Code::ForbiddenRequestHeader],
        ),
        (RuleConfig::new([ORIGIN]).preset(Preset::GrpcWeb).methods(["TRACE"]), vec![Code::MethodForbidden]),
        (
            RuleConfig::new([ORIGIN]).preset(Preset::S3Upload).expose_headers(["*"]).credentials(true),
            vec![Code::ExposeWildcardWithCredentials],
        ),
        (
            RuleConfig::new([ORIGIN]).preset(Preset::S3Upload).expose_headers(["content-type"]),
            vec![Code::ExposeHeaderIneffective],
        ),
    ];
    for (rule, expected) in cases {
        let diagnostics = match Policy::new(PolicyConfig::new(rule.clone())) {
            Ok(built) => built.warnings,
            Err(e) => e.diagnostics,
        };
        let codes: Vec<Code> = diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, expected, "{rule:?}");
    }
    // The duplicate names the preset.
    let err = Policy::new(PolicyConfig::new(
        RuleConfig::new([ORIGIN]).preset(Preset::Mcp).request_headers(["last-event-id"]),
    ))
    .unwrap()
    .warnings;
    assert_eq!(err[0].message, "`last-event-id` is already in the preset `mcp`");
    assert_eq!(err[0].location.to_string(), "rule[0].request_headers");
}

#[test]
fn presets_in_policy_files() {
    for &preset in Preset::ALL {
        let text = format!("[[rule]]\norigins = [\"{ORIGIN}\"]\npreset = \"{preset}\"\n");
        let built = Policy::from_toml(&text).unwrap();
        assert_eq!(built.policy.config().rules[0].preset, Some(preset));
        let json = format!(r#"{{"rule": [{{"origins": ["{ORIGIN}"], "preset": "{preset}"}}]}}"#);
        assert_eq!(Policy::from_json(&json).unwrap().policy.config(), built.policy.config());
        // The stored config names the preset, not its expansion, so it reads back the same.
        let again = toml::to_string(built.policy.config()).unwrap();
        assert_eq!(Policy::from_toml(&again).unwrap().policy.config(), built.policy.config());
    }
    let Err(LoadError::Syntax(message)) =
        Policy::from_toml("[[rule]]\norigins = [\"https://a.example\"]\npreset = \"grpc\"\n")
    else {
        panic!("an unknown preset is a syntax error")
    };
    assert!(message.contains("grpc-web") && message.contains("s3-upload"), "{message}");
}
