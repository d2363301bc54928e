//! The loopback scene: the page on `http://127.0.0.1:P/`, the API on
//! `http://localhost:P/api/…` (another origin, the same listener), each path
//! answering one way.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

const PAGE: &str = "<!doctype html><html><head><meta charset=utf-8><link rel=icon href=\"data:,\"><title>explain</title></head><body>calls</body></html>";

/// The answer for `method path` with the page origin `page`.
fn answer(method: &str, path: &str, page: &str) -> (u16, Vec<(&'static str, String)>) {
    let acao = ("access-control-allow-origin", page.to_owned());
    let preflight = method == "OPTIONS";
    match path {
        "/api/allowed" => (200, vec![acao]),
        "/api/missing" => (200, vec![]),
        "/api/error" => (500, vec![]),
        "/api/put-nocors" if preflight => (204, vec![]),
        "/api/auth" if preflight => (401, vec![("www-authenticate", "Bearer".into())]),
        "/api/patch" if preflight => (204, vec![acao, ("access-control-allow-methods", "GET, PUT".into())]),
        "/api/header" if preflight => (204, vec![acao]),
        "/api/put-ok" if preflight => {
            (204, vec![acao, ("access-control-allow-methods", "PUT".into()), ("access-control-max-age", "600".into())])
        }
        "/api/put-ok" => (200, vec![acao]),
        "/api/redirect-ok" => (302, vec![acao, ("location", "/api/allowed?from=redirect".into())]),
        "/api/redirect-bad" => (302, vec![acao, ("location", "/api/missing?from=redirect".into())]),
        "/api/pf-redirect" if preflight => (307, vec![("location", "/api/put-ok".into())]),
        "/api/wild" => (200, vec![("access-control-allow-origin", "*".into())]),
        "/api/mismatch" => (200, vec![("access-control-allow-origin", "http://example.com".into())]),
        "/api/creds" => (200, vec![acao]),
        "/api/multi" => (200, vec![acao.clone(), acao]),
        _ => (404, vec![]),
    }
}

pub async fn serve(listener: TcpListener, page: String) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { return };
        let page = page.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let page = page.clone();
                async move {
                    let path = req.uri().path().to_owned();
                    let mut resp = if path == "/" {
                        let mut r = hyper::Response::new(Full::new(Bytes::from_static(PAGE.as_bytes())));
                        r.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static("text/html"));
                        r
                    } else {
                        let (status, headers) = answer(req.method().as_str(), &path, &page);
                        let mut r = hyper::Response::new(Full::new(Bytes::from_static(b"{}")));
                        *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
                        for (n, v) in headers {
                            if let Ok(v) = hyper::header::HeaderValue::from_str(&v) {
                                r.headers_mut().append(n, v);
                            }
                        }
                        r
                    };
                    resp.headers_mut().insert("cache-control", hyper::header::HeaderValue::from_static("no-store"));
                    Ok::<_, Infallible>(resp)
                }
            });
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
        });
    }
}
