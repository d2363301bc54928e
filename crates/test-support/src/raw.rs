//! HTTP/1.1 over a plain `TcpStream`: for requests the `http` crate will not
//! build (CR, LF, NUL in a value, repeated or malformed lines) and for
//! reading a response exactly as it came off the wire.

use std::net::SocketAddr;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long [`exchange`] waits for the server to answer and close.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// Writes `request` to a new connection to `addr` and reads until the
/// server closes it (send `Connection: close`).
///
/// # Panics
///
/// When the connection fails or the server does not close within
/// [`TIMEOUT`]: in a test, either is the failure.
pub async fn exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("connect to {addr}: {e}"));
    stream.write_all(request).await.unwrap_or_else(|e| panic!("write to {addr}: {e}"));
    let mut response = Vec::new();
    tokio::time::timeout(TIMEOUT, stream.read_to_end(&mut response))
        .await
        .unwrap_or_else(|_| panic!("{addr} did not answer and close within {TIMEOUT:?}"))
        .unwrap_or_else(|e| panic!("read from {addr}: {e}"));
    response
}

/// The status and headers of a raw HTTP/1.1 response (the first, if the
/// bytes hold several).
///
/// # Panics
///
/// When the bytes are not an HTTP/1.1 response head.
pub fn parse_response(response: &[u8]) -> (u16, HeaderMap) {
    let head_end = response.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head");
    let head = String::from_utf8_lossy(&response[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("a status");
    let mut headers = HeaderMap::new();
    for line in lines {
        let (n, v) = line.split_once(':').expect("a header line");
        headers.append(HeaderName::from_bytes(n.as_bytes()).unwrap(), HeaderValue::from_str(v.trim()).unwrap());
    }
    (status, headers)
}
