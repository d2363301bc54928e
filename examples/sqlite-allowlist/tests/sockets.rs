//! Over real sockets: an origin posted to the admin route is stored in the
//! table, and the next preflight from it succeeds — also after a restart.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;

/// A database file of its own, removed when the test ends.
struct TempDb(PathBuf);

impl TempDb {
    fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("crossgate-sqlite-allowlist-{}-{name}.sqlite3", std::process::id()));
        let _ = std::fs::remove_file(&path);
        TempDb(path)
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn start(db: &Path) -> SocketAddr {
    let app = crossgate_example_sqlite_allowlist::app(db).expect("starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

type Http = Client<HttpConnector, Full<Bytes>>;

async fn send(client: &Http, request: Request<Full<Bytes>>) -> (StatusCode, http::HeaderMap, String) {
    let response = client.request(request).await.expect("answered");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    (parts.status, parts.headers, String::from_utf8_lossy(&body).into_owned())
}

async fn preflight(client: &Http, addr: SocketAddr, origin: &str) -> (StatusCode, http::HeaderMap) {
    let request = Request::builder()
        .method(Method::OPTIONS)
        .uri(format!("http://{addr}/api/items"))
        .header("origin", origin)
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "content-type")
        .body(Full::default())
        .unwrap();
    let (status, headers, _) = send(client, request).await;
    (status, headers)
}

async fn add(client: &Http, addr: SocketAddr, origin: &str) -> (StatusCode, String) {
    let request =
        Request::post(format!("http://{addr}/admin/origins")).body(Full::new(Bytes::from(origin.to_owned()))).unwrap();
    let (status, _, body) = send(client, request).await;
    (status, body)
}

#[tokio::test]
async fn a_posted_origin_is_allowed_on_the_next_preflight() {
    let db = TempDb::new("post");
    let addr = start(&db.0).await;
    let client: Http = Client::builder(TokioExecutor::new()).build_http();
    let customer = "https://shop.customer.example";

    assert_eq!(preflight(&client, addr, "https://app.example.com").await.0, StatusCode::NO_CONTENT);
    let (status, headers) = preflight(&client, addr, customer).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!headers.contains_key("access-control-allow-origin"));

    let (status, body) = add(&client, addr, customer).await;
    assert_eq!((status, body.as_str()), (StatusCode::CREATED, customer));
    let (status, headers) = preflight(&client, addr, customer).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers["access-control-allow-origin"], customer);
    assert_eq!(headers["access-control-allow-credentials"], "true");
    assert_eq!(headers["access-control-allow-methods"], "PUT");

    // Refused entries say why, with the policy file's codes, and are not stored.
    for (bad, code) in [
        ("https://evil.example/", "origin-has-path"),
        ("*", "any-origin-with-credentials"),
        ("http://intranet.example", "insecure-origin-with-credentials"),
    ] {
        let (status, body) = add(&client, addr, bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(body.contains(code), "{bad}: {body}");
    }
    // Stored canonical: a second service on the same table allows it at once.
    let (status, body) = add(&client, addr, "https://Other.Customer.example").await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(body.starts_with("https://other.customer.example\n") && body.contains("origin-not-canonical"), "{body}");
    let restarted = start(&db.0).await;
    for origin in [customer, "https://other.customer.example"] {
        assert_eq!(preflight(&client, restarted, origin).await.0, StatusCode::NO_CONTENT, "{origin}");
    }
    assert_eq!(preflight(&client, restarted, "https://evil.example").await.0, StatusCode::FORBIDDEN);
}
