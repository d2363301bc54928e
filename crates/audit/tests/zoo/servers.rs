//! The zoo's servers: hyper on 127.0.0.1 (plain, or TLS with a certificate
//! made here with rcgen), a raw one that reflects bytes as it got them, and
//! broken ones (hanging, resetting, answering garbage).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request as a zoo handler sees it.
#[derive(Clone, Debug)]
pub struct Req {
    pub method: String,
    /// The request target as sent.
    pub raw_path: String,
    /// Every `Origin` value, in order.
    pub origins: Vec<String>,
    pub acrm: Option<String>,
    pub acrh: Option<String>,
    pub acrpn: bool,
    pub cookie: Option<String>,
}

impl Req {
    pub fn origin(&self) -> Option<&str> {
        self.origins.first().map(String::as_str)
    }

    pub fn is_preflight(&self) -> bool {
        self.method == "OPTIONS" && self.acrm.is_some()
    }
}

/// A handler's answer.
#[derive(Clone, Debug, Default)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn new(status: u16, body: &str) -> Self {
        Resp { status, headers: Vec::new(), body: body.to_owned() }
    }

    pub fn h(mut self, n: &str, v: &str) -> Self {
        self.headers.push((n.to_owned(), v.to_owned()));
        self
    }
}

pub type Handler = Arc<dyn Fn(&Req) -> Resp + Send + Sync>;

/// A running server and what it saw.
pub struct Running {
    pub addr: SocketAddr,
    pub requests: Arc<AtomicUsize>,
    pub methods: Arc<Mutex<Vec<String>>>,
    pub task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The test CA and a leaf for every zoo name.
pub struct Pki {
    pub ca_pem: String,
    pub acceptor: tokio_rustls::TlsAcceptor,
}

pub fn pki(names: &[&str]) -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().expect("key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "crossgate zoo CA");
    let ca = ca_params.self_signed(&ca_key).expect("CA");
    let leaf_key = KeyPair::generate().expect("key");
    let leaf_params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).expect("params");
    let leaf = leaf_params.signed_by(&leaf_key, &ca, &ca_key).expect("leaf");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .expect("certificate");
    Pki { ca_pem: ca.pem(), acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)) }
}

fn to_req(r: &hyper::Request<Incoming>) -> Req {
    let all = |n: &str| -> Vec<String> {
        r.headers().get_all(n).iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).collect()
    };
    let one = |n: &str| all(n).into_iter().next();
    Req {
        method: r.method().as_str().to_owned(),
        raw_path: r.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default(),
        origins: all("origin"),
        acrm: one("access-control-request-method"),
        acrh: one("access-control-request-headers"),
        acrpn: one("access-control-request-private-network").as_deref() == Some("true"),
        cookie: one("cookie"),
    }
}

/// Serves `handler` with hyper, over TLS when `tls` is given.
pub async fn serve(handler: Handler, tls: Option<tokio_rustls::TlsAcceptor>) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let requests = Arc::new(AtomicUsize::new(0));
    let methods = Arc::new(Mutex::new(Vec::new()));
    let (count, seen) = (Arc::clone(&requests), Arc::clone(&methods));
    let task = tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let (handler, tls, count, seen) =
                (Arc::clone(&handler), tls.clone(), Arc::clone(&count), Arc::clone(&seen));
            tokio::spawn(async move {
                let service = service_fn(move |r: hyper::Request<Incoming>| {
                    let req = to_req(&r);
                    count.fetch_add(1, Ordering::SeqCst);
                    seen.lock().unwrap().push(req.method.clone());
                    let resp = handler(&req);
                    let mut b = hyper::Response::builder().status(resp.status);
                    for (n, v) in &resp.headers {
                        b = b.header(n.as_str(), v.as_str());
                    }
                    let out = b.body(Full::new(Bytes::from(resp.body))).expect("response");
                    async move { Ok::<_, Infallible>(out) }
                });
                let builder = hyper::server::conn::http1::Builder::new();
                match tls {
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(tcp).await {
                            let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                        }
                    }
                    None => {
                        let _ = builder.serve_connection(TokioIo::new(tcp), service).await;
                    }
                }
            });
        }
    });
    Running { addr, requests, methods, task }
}

/// A server that reads request heads as bytes, splits lines at CRLF only,
/// and answers each request with `answer(origin bytes)` as raw header
/// lines, then closes: a lone CR in `Origin` passes through untouched.
pub async fn serve_raw(answer: fn(Option<&[u8]>) -> Vec<u8>) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let requests = Arc::new(AtomicUsize::new(0));
    let methods = Arc::new(Mutex::new(Vec::new()));
    let (count, seen) = (Arc::clone(&requests), Arc::clone(&methods));
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut tcp, _)) = listener.accept().await else { return };
            let (count, seen) = (Arc::clone(&count), Arc::clone(&seen));
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
                    match tcp.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                count.fetch_add(1, Ordering::SeqCst);
                let text: Vec<&[u8]> = head.split(|b| *b == b'\n').collect();
                let method =
                    String::from_utf8_lossy(text[0].split(|b| *b == b' ').next().unwrap_or_default()).into_owned();
                seen.lock().unwrap().push(method);
                // Lines end at CRLF: split at "\r\n" by hand.
                let mut origin: Option<Vec<u8>> = None;
                let mut start = 0;
                for i in 0..head.len().saturating_sub(1) {
                    if head[i] == b'\r' && head[i + 1] == b'\n' {
                        let line = &head[start..i];
                        if line.len() > 7 && line[..7].eq_ignore_ascii_case(b"origin:") && origin.is_none() {
                            origin = Some(line[7..].strip_prefix(b" ").unwrap_or(&line[7..]).to_vec());
                        }
                        start = i + 2;
                    }
                }
                let mut out = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\nVary: Origin\r\n".to_vec();
                out.extend_from_slice(&answer(origin.as_deref()));
                out.extend_from_slice(b"\r\ndata");
                let _ = tcp.write_all(&out).await;
                let _ = tcp.shutdown().await;
            });
        }
    });
    Running { addr, requests, methods, task }
}

/// How a broken server misbehaves.
#[derive(Clone, Copy, Debug)]
pub enum Broken {
    /// Accepts, reads, never answers.
    Hang,
    /// Accepts and resets the connection.
    Reset,
    /// Answers with something that is not HTTP.
    Garbage,
}

pub async fn serve_broken(kind: Broken) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let requests = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&requests);
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            let Ok((mut tcp, _)) = listener.accept().await else { return };
            count.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 1024];
            let _ = tcp.read(&mut buf).await;
            match kind {
                Broken::Hang => held.push(tcp),
                Broken::Reset => {
                    // A zero linger makes the close a reset.
                    #[allow(deprecated)]
                    let _ = tcp.set_linger(Some(std::time::Duration::ZERO));
                    drop(tcp);
                }
                Broken::Garbage => {
                    let _ = tcp.write_all(b"SSH-2.0-OpenSSH_9.2\r\n\r\n").await;
                    let _ = tcp.shutdown().await;
                }
            }
        }
    });
    Running { addr, requests, methods: Arc::default(), task }
}
