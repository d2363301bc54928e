//! A minimal HTTP/1.1 server for the demo's own origins (the API and the
//! front-end; the gateway has its own).
//!
//! Each answers only the `Host` values it is given, and 421 to anything
//! else. A browser derives `Host` from the URL it connects to, so a page
//! cannot reach a listener under a name it is not given: not by DNS
//! rebinding (the attacker's name), and, for the API, not straight to its
//! port either, since it answers only the gateway's `Host` (which the
//! gateway passes on, `preserve_host`). That keeps "a disallowed `POST`
//! never reaches the API" true for every way a browser can send one.

use std::convert::Infallible;
use std::future::Future;

use http::{header, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::response::{plain, Body};

/// Serves `handler` on `listener` until the task is aborted, for requests
/// whose one `Host` is one of `hosts` (compared case-insensitively).
pub(crate) async fn serve<F, Fut>(listener: TcpListener, hosts: Vec<String>, handler: F)
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send + 'static,
{
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let handler = handler.clone();
        let hosts = hosts.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req: Request<Incoming>| {
                let fut = host_allowed(&req, &hosts).then(|| handler(req));
                async move {
                    Ok::<_, Infallible>(match fut {
                        Some(fut) => fut.await,
                        None => plain(
                            StatusCode::MISDIRECTED_REQUEST,
                            "Misdirected Request: this listener does not answer for that Host",
                        ),
                    })
                }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
        });
    }
}

fn host_allowed<B>(req: &Request<B>, hosts: &[String]) -> bool {
    let mut values = req.headers().get_all(header::HOST).iter();
    match (values.next(), values.next()) {
        (Some(v), None) => v.to_str().is_ok_and(|v| hosts.iter().any(|h| h.eq_ignore_ascii_case(v))),
        _ => false,
    }
}
