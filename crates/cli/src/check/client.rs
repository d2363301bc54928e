//! The HTTP side of `crossgate check`: one request at a time, http or https
//! (rustls with the Mozilla root store; HTTP/2 when the server offers it), redirects never followed here (the
//! emulator decides).

use std::time::Duration;

use bytes::Bytes;
use crossgate_browser::{OutgoingRequest, ResponseHead};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;

pub(crate) struct HttpClient {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

impl HttpClient {
    /// A client trusting the Mozilla root store plus the PEM certificates in
    /// `extra_roots` (`--cacert`).
    pub(crate) fn new(timeout: Duration, extra_roots: Option<&std::path::Path>) -> Result<Self, String> {
        let roots = crossgate_audit::net::root_store(extra_roots)?;
        let tls =
            rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| format!("TLS setup: {e}"))?
                .with_root_certificates(roots)
                .with_no_client_auth();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_all_versions()
            .build();
        Ok(HttpClient { client: Client::builder(TokioExecutor::new()).build(https), timeout })
    }

    /// Sends `req` (with `body` when the emulator says the body goes along).
    pub(crate) async fn send(&self, req: &OutgoingRequest, body: &[u8]) -> Result<ResponseHead, String> {
        let mut builder = hyper::Request::builder().method(req.method.as_str()).uri(req.url.as_str());
        for (n, v) in &req.headers {
            builder = builder.header(n.as_str(), v.as_str());
        }
        builder = builder.header("user-agent", concat!("crossgate-check/", env!("CARGO_PKG_VERSION")));
        let payload = if req.body { Bytes::copy_from_slice(body) } else { Bytes::new() };
        let request = builder.body(Full::new(payload)).map_err(|e| format!("cannot build the request: {e}"))?;
        let fut = self.client.request(request);
        let response = match tokio::time::timeout(self.timeout, fut).await {
            Err(_) => return Err(format!("no response within {} s", self.timeout.as_secs())),
            Ok(Err(e)) => return Err(describe(&e)),
            Ok(Ok(r)) => r,
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        // Drain the body (bounded by the timeout) so the connection can be reused.
        let _ = tokio::time::timeout(self.timeout, response.into_body().collect()).await;
        Ok(ResponseHead { status, headers })
    }
}

fn describe(e: &hyper_util::client::legacy::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
