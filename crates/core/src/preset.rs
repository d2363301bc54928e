//! Presets: the methods and headers a protocol's browser clients need,
//! named once (`preset = "grpc-web"`) instead of copied from its spec.
//!
//! A preset only fills lists. The rule's own `methods`, `request_headers`
//! and `expose_headers` are added to it, and the result is checked like a
//! hand-written rule; origins and credentials are always the rule's own.

use serde::{Deserialize, Serialize};

use crate::config::RuleConfig;
use crate::diagnostics::{Code, Sink};

/// A named set of methods and headers for one protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Preset {
    /// gRPC-Web (<https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md>):
    /// every call is a `POST` with `content-type: application/grpc-web…`,
    /// `x-grpc-web` and `x-user-agent`, and `grpc-timeout` when a deadline is
    /// set (PROTOCOL-HTTP2.md); status and message come back as
    /// `grpc-status`, `grpc-message` and `grpc-status-details-bin`, which a
    /// page can read only when exposed. The same lists as tonic-web's
    /// defaults.
    GrpcWeb,
    /// MCP's Streamable HTTP transport
    /// (<https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#streamable-http>):
    /// `POST` sends messages, `GET` opens the event stream, `DELETE` ends the
    /// session; requests carry `mcp-protocol-version`, `mcp-session-id`,
    /// `last-event-id` (resuming a stream), `authorization` (the
    /// authorization spec's bearer token) and `content-type:
    /// application/json`; the page must read `mcp-session-id` from the
    /// initialize answer. The transport asks servers to validate `Origin`:
    /// pair the preset with the gateway guard's `origin_required`.
    Mcp,
    /// Browser uploads to S3 or an S3-compatible store
    /// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html>):
    /// `PUT` (PutObject, UploadPart, presigned URLs) and `POST` (form
    /// uploads, multipart create/complete) with the PutObject request
    /// headers a browser SDK sets
    /// (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html>),
    /// and `etag` exposed, which a multipart upload needs to complete.
    /// `x-amz-meta-*` names are the application's own: add them to the rule.
    S3Upload,
}

/// Request headers of gRPC-Web calls.
const GRPC_WEB_REQUEST: &[&str] = &["content-type", "x-grpc-web", "x-user-agent", "grpc-timeout"];
/// Response headers gRPC-Web status travels in.
const GRPC_WEB_EXPOSE: &[&str] = &["grpc-status", "grpc-message", "grpc-status-details-bin"];
/// Request headers of MCP Streamable HTTP.
const MCP_REQUEST: &[&str] =
    &["mcp-protocol-version", "mcp-session-id", "last-event-id", "authorization", "content-type"];
/// The S3 PutObject request headers a browser upload sets (signed or not),
/// and the AWS SDK for JavaScript's own.
const S3_REQUEST: &[&str] = &[
    "authorization",
    "content-type",
    "content-md5",
    "content-disposition",
    "content-encoding",
    "cache-control",
    "x-amz-acl",
    "x-amz-checksum-algorithm",
    "x-amz-checksum-crc32",
    "x-amz-checksum-crc32c",
    "x-amz-checksum-sha1",
    "x-amz-checksum-sha256",
    "x-amz-content-sha256",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-server-side-encryption",
    "x-amz-storage-class",
    "x-amz-tagging",
    "x-amz-user-agent",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
];

impl Preset {
    /// Every preset.
    pub const ALL: &'static [Preset] = &[Preset::GrpcWeb, Preset::Mcp, Preset::S3Upload];

    /// The name used in policy files, e.g. `grpc-web`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Preset::GrpcWeb => "grpc-web",
            Preset::Mcp => "mcp",
            Preset::S3Upload => "s3-upload",
        }
    }

    /// The methods the protocol's clients send.
    pub const fn methods(self) -> &'static [&'static str] {
        match self {
            Preset::GrpcWeb => &["POST"],
            Preset::Mcp => &["GET", "POST", "DELETE"],
            Preset::S3Upload => &["PUT", "POST"],
        }
    }

    /// The request headers the protocol's clients set.
    pub const fn request_headers(self) -> &'static [&'static str] {
        match self {
            Preset::GrpcWeb => GRPC_WEB_REQUEST,
            Preset::Mcp => MCP_REQUEST,
            Preset::S3Upload => S3_REQUEST,
        }
    }

    /// The response headers the protocol's clients read.
    pub const fn expose_headers(self) -> &'static [&'static str] {
        match self {
            Preset::GrpcWeb => GRPC_WEB_EXPOSE,
            Preset::Mcp => &["mcp-session-id"],
            Preset::S3Upload => &["etag"],
        }
    }
}

impl std::fmt::Display for Preset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's lists with its preset in front: what the rule is checked and
/// compiled with. Without a preset, the rule's own lists.
pub(crate) struct Expanded {
    pub(crate) methods: Option<Vec<String>>,
    pub(crate) request_headers: Vec<String>,
    pub(crate) expose_headers: Vec<String>,
}

/// Puts the preset's entries in front of the rule's own; an own entry the
/// preset already has is dropped with a `duplicate` warning (header names
/// compared case-insensitively, methods exactly, as they are matched).
pub(crate) fn expand(i: usize, rule: &RuleConfig, sink: &mut Sink) -> Expanded {
    let Some(p) = rule.preset else {
        return Expanded {
            methods: rule.methods.clone(),
            request_headers: rule.request_headers.clone(),
            expose_headers: rule.expose_headers.clone(),
        };
    };
    let mut join = |field: &'static str, base: &[&str], own: &[String], same: fn(&str, &str) -> bool| {
        let mut out: Vec<String> = base.iter().map(|s| (*s).to_owned()).collect();
        for v in own {
            if base.iter().any(|b| same(b, v)) {
                sink.push(
                    Code::Duplicate,
                    Some(i),
                    field,
                    v.clone(),
                    format!("`{v}` is already in the preset `{p}`"),
                    "remove it from the rule",
                );
            } else {
                out.push(v.clone());
            }
        }
        out
    };
    let exact = |a: &str, b: &str| a == b;
    let any_case = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    Expanded {
        methods: Some(join("methods", p.methods(), rule.methods.as_deref().unwrap_or(&[]), exact)),
        request_headers: join("request_headers", p.request_headers(), &rule.request_headers, any_case),
        expose_headers: join("expose_headers", p.expose_headers(), &rule.expose_headers, any_case),
    }
}
