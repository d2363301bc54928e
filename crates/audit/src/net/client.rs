//! The HTTP/1.1 client: one connection at a time to the target (or where
//! `--connect-to` sends it), kept alive between probes, over TCP or rustls
//! (the Mozilla roots plus `--cacert`), with the user's session added to the
//! credentialed probes. Redirects are never followed.
//!
//! `crossgate check` has its own client (`crates/cli/src/check/client.rs`,
//! hyper-util's pooled client); this one drives hyper's connection API
//! directly, because it needs `--connect-to`, the raw-socket path on the same
//! connector and a bounded body read.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::uri::PathAndQuery;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

use super::connect_to::ConnectTo;
use super::raw;
use crate::probe::{Method, ProbeRequest};
use crate::response::{body_hash_update, Outcome, ProbeResponse, BODY_HASH_START};
use crate::target::Target;

/// Body bytes read per response (the rest is not read: the connection is
/// closed instead).
const MAX_BODY: u64 = 1 << 20;

/// How to reach the targets.
#[derive(Clone, Debug, Default)]
pub struct NetOptions {
    /// `--connect-to` rules, the first that applies wins.
    pub connect_to: Vec<ConnectTo>,
    /// More CA certificates to trust (PEM).
    pub cacert: Option<PathBuf>,
    /// Headers sent with the credentialed probes (`-H`).
    pub headers: Vec<(String, String)>,
    /// The `Cookie` header of the credentialed probes (`--cookie`).
    pub cookie: Option<String>,
    /// Per request: connecting, sending and reading the answer.
    pub timeout: Duration,
}

pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

pub(crate) type Stream = Pin<Box<dyn Io>>;

/// Sends probes; one per target at a time.
pub struct Client {
    tls: tokio_rustls::TlsConnector,
    options: NetOptions,
    session: Vec<(http::HeaderName, http::HeaderValue)>,
    conn: Mutex<Option<(String, SendRequest<Empty<Bytes>>)>>,
}

impl Client {
    /// A client for these options.
    ///
    /// # Errors
    ///
    /// `--cacert` cannot be read or holds no certificate; a session header
    /// is not a valid header.
    pub fn new(options: NetOptions) -> Result<Client, String> {
        let roots = super::root_store(options.cacert.as_deref())?;
        let mut config =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| format!("TLS setup: {e}"))?
                .with_root_certificates(roots)
                .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let mut session = Vec::new();
        let pairs = options.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        for (n, v) in pairs.chain(options.cookie.as_deref().map(|c| ("cookie", c))) {
            let name =
                http::HeaderName::from_bytes(n.as_bytes()).map_err(|_| format!("-H `{n}`: not a header name"))?;
            let value = http::HeaderValue::from_str(v).map_err(|_| format!("-H `{n}: {v}`: not a header value"))?;
            session.push((name, value));
        }
        Ok(Client { tls: tokio_rustls::TlsConnector::from(Arc::new(config)), options, session, conn: Mutex::new(None) })
    }

    fn timeout(&self) -> Duration {
        if self.options.timeout.is_zero() {
            Duration::from_secs(10)
        } else {
            self.options.timeout
        }
    }

    /// Opens a connection to the target: TCP, then TLS for https.
    pub(crate) async fn connect(&self, t: &Target) -> Result<Stream, String> {
        let port = t.url.port_or_known_default().unwrap_or(80);
        let host = t.host.trim_start_matches('[').trim_end_matches(']');
        let (addr_host, addr_port) =
            self.options.connect_to.iter().find_map(|c| c.apply(host, port)).unwrap_or_else(|| (host.to_owned(), port));
        let addrs = tokio::net::lookup_host((addr_host.as_str(), addr_port))
            .await
            .map_err(|e| format!("cannot resolve {addr_host}: {e}"))?;
        let mut last = format!("{addr_host} has no address");
        let mut tcp = None;
        for addr in addrs {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) => last = format!("cannot connect to {addr}: {}", describe_io(&e)),
            }
        }
        let tcp = tcp.ok_or(last)?;
        let _ = tcp.set_nodelay(true);
        if !t.is_https() {
            return Ok(Box::pin(tcp));
        }
        let name = rustls::pki_types::ServerName::try_from(host.to_owned())
            .map_err(|e| format!("{host} is not a TLS server name: {e}"))?;
        let tls = self.tls.connect(name, tcp).await.map_err(|e| format!("TLS handshake with {host} failed: {e}"))?;
        Ok(Box::pin(tls))
    }

    /// Sends one probe and reads what comes back.
    pub async fn send(&self, t: &Target, probe: &ProbeRequest) -> Outcome {
        let timeout = self.timeout();
        let work = async {
            if probe.raw {
                raw::send(self, t, probe).await
            } else {
                self.send_http(t, probe).await
            }
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(Ok(r)) => Outcome::Response(r),
            Ok(Err(e)) => Outcome::Failed(e),
            Err(_) => {
                *self.conn.lock().await = None;
                Outcome::Failed(format!("no response within {} s", timeout.as_secs_f64()))
            }
        }
    }

    /// The session headers for a credentialed probe.
    pub(crate) fn session(&self) -> &[(http::HeaderName, http::HeaderValue)] {
        &self.session
    }

    async fn send_http(&self, t: &Target, probe: &ProbeRequest) -> Result<ProbeResponse, String> {
        let request = self.build(t, probe)?;
        let key = format!("{}://{}", t.scheme, t.authority);
        let mut slot = self.conn.lock().await;
        // A kept-alive connection the server closed is replaced once.
        for attempt in 0..2 {
            let reused = matches!(&*slot, Some((k, s)) if *k == key && !s.is_closed());
            if !reused {
                let io = self.connect(t).await?;
                let (sender, conn) = hyper::client::conn::http1::Builder::new()
                    .handshake(TokioIo::new(io))
                    .await
                    .map_err(|e| describe_hyper(&e))?;
                tokio::spawn(async move {
                    let _ = conn.await;
                });
                *slot = Some((key.clone(), sender));
            }
            let Some((_, sender)) = slot.as_mut() else { continue };
            if sender.ready().await.is_err() {
                *slot = None;
                continue;
            }
            match sender.send_request(request.clone()).await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = response
                        .headers()
                        .iter()
                        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
                        .collect();
                    let (len, hash, complete) = read_body(response.into_body()).await;
                    if !complete {
                        *slot = None;
                    }
                    return Ok(ProbeResponse { status, headers, body_len: len, body_hash: hash, raw_head: None });
                }
                Err(e) if reused && attempt == 0 && (e.is_closed() || e.is_incomplete_message() || e.is_canceled()) => {
                    *slot = None;
                }
                Err(e) => {
                    *slot = None;
                    return Err(describe_hyper(&e));
                }
            }
        }
        Err("the connection closed twice before an answer".to_owned())
    }

    fn build(&self, t: &Target, probe: &ProbeRequest) -> Result<http::Request<Empty<Bytes>>, String> {
        let pq = PathAndQuery::try_from(probe.path.as_str()).map_err(|e| format!("path `{}`: {e}", probe.path))?;
        let uri = http::Uri::builder().path_and_query(pq).build().map_err(|e| format!("path `{}`: {e}", probe.path))?;
        let method = match probe.method {
            Method::Get => http::Method::GET,
            Method::Options => http::Method::OPTIONS,
        };
        let mut b = http::Request::builder()
            .method(method)
            .uri(uri)
            .header(http::header::HOST, t.authority.as_str())
            .header(http::header::USER_AGENT, concat!("crossgate-audit/", env!("CARGO_PKG_VERSION")));
        for (n, v) in &probe.headers {
            b = b.header(n.as_str(), v.as_slice());
        }
        if probe.credentials {
            for (n, v) in &self.session {
                b = b.header(n, v);
            }
        }
        b.body(Empty::new()).map_err(|e| format!("cannot build the request: {e}"))
    }
}

/// Reads at most [`MAX_BODY`] bytes: (length, hash, whether the body ended).
async fn read_body(mut body: hyper::body::Incoming) -> (u64, u64, bool) {
    let mut len = 0u64;
    let mut hash = BODY_HASH_START;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { return (len, hash, false) };
        if let Some(data) = frame.data_ref() {
            let room = usize::try_from(MAX_BODY - len).unwrap_or(usize::MAX).min(data.len());
            hash = body_hash_update(hash, &data[..room]);
            len += room as u64;
            if len >= MAX_BODY {
                return (len, hash, false);
            }
        }
    }
    (len, hash, true)
}

pub(crate) fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused (is the server running?)".to_owned(),
        std::io::ErrorKind::ConnectionReset => "the server reset the connection".to_owned(),
        std::io::ErrorKind::UnexpectedEof => "the server closed the connection without answering".to_owned(),
        _ => e.to_string(),
    }
}

fn describe_hyper(e: &hyper::Error) -> String {
    if e.is_parse() {
        return format!("the answer is not HTTP/1.1 ({e})");
    }
    if e.is_incomplete_message() {
        return "the server closed the connection before it answered".to_owned();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            text = describe_io(io);
            break;
        }
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
