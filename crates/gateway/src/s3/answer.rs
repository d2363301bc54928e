//! What an S3 route answers: S3's decisions, and its error answers with the
//! messages and XML body S3 sends.

use bytes::Bytes;
use http::header::HeaderMap;
use http::StatusCode;

/// S3's message for a preflight no rule allows (its typo included: clients
/// and tests match on it).
pub const NOT_ALLOWED: &str = "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";
/// S3's message for a preflight to a bucket without CORS rules.
pub const NOT_ENABLED: &str = "CORSResponse: CORS is not enabled for this bucket.";

/// What an S3 route does with a request.
#[derive(Debug, PartialEq, Eq)]
pub enum S3Decision {
    /// No `Origin`: forward untouched.
    NotCors,
    /// An allowed preflight: answer 200 with these headers.
    PreflightAllowed(HeaderMap),
    /// A failed preflight: answer with this error.
    PreflightRejected(S3Error),
    /// An actual request: forward, then add these headers (empty when no
    /// rule matched; S3 still serves the request).
    Actual {
        /// Headers to add to the response.
        headers: HeaderMap,
        /// Whether a rule matched.
        allowed: bool,
    },
}

/// An S3 error answer.
#[derive(Debug, PartialEq, Eq)]
pub struct S3Error {
    /// 400 or 403.
    pub status: StatusCode,
    /// `AccessForbidden` or `BadRequest`.
    pub code: &'static str,
    /// The message, exactly as S3 words it.
    pub message: &'static str,
    /// The requested method, echoed in the body.
    pub method: Option<String>,
}

impl S3Error {
    /// The XML body S3 sends.
    pub fn body(&self, resource_type: &str, request_id: &str) -> Bytes {
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>");
        s.push_str(self.code);
        s.push_str("</Code><Message>");
        s.push_str(&xml_escape(self.message));
        s.push_str("</Message>");
        if let Some(m) = &self.method {
            s.push_str("<Method>");
            s.push_str(&xml_escape(m));
            s.push_str("</Method><ResourceType>");
            s.push_str(resource_type);
            s.push_str("</ResourceType>");
        }
        s.push_str("<RequestId>");
        s.push_str(request_id);
        s.push_str("</RequestId><HostId>");
        s.push_str(request_id);
        s.push_str("</HostId></Error>");
        Bytes::from(s)
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}
