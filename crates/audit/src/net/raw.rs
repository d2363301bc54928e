//! Raw-socket probes: a request with CR or LF inside a header value, which
//! no HTTP library sends, written as bytes; the answer's head read as bytes
//! too, because the point is to see what a lenient client or cache would.
//!
//! The head is only split into lines at CRLF and into name and value at the
//! first colon, enough to find the probe's marker; a value keeps any lone CR.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::client::{describe_io, Client};
use crate::probe::ProbeRequest;
use crate::response::ProbeResponse;
use crate::target::Target;

/// The most bytes of a response head read.
const MAX_HEAD: usize = 64 * 1024;

pub(crate) async fn send(client: &Client, t: &Target, probe: &ProbeRequest) -> Result<ProbeResponse, String> {
    let mut io = client.connect(t).await?;
    let mut req = Vec::new();
    req.extend_from_slice(
        format!("{} {} HTTP/1.1\r\nHost: {}\r\n", probe.method.as_str(), probe.path, t.authority).as_bytes(),
    );
    req.extend_from_slice(concat!("User-Agent: crossgate-audit/", env!("CARGO_PKG_VERSION"), "\r\n").as_bytes());
    for (n, v) in &probe.headers {
        req.extend_from_slice(n.as_bytes());
        req.extend_from_slice(b": ");
        req.extend_from_slice(v);
        req.extend_from_slice(b"\r\n");
    }
    if probe.credentials {
        for (n, v) in client.session() {
            req.extend_from_slice(n.as_str().as_bytes());
            req.extend_from_slice(b": ");
            req.extend_from_slice(v.as_bytes());
            req.extend_from_slice(b"\r\n");
        }
    }
    req.extend_from_slice(b"Connection: close\r\n\r\n");
    io.write_all(&req).await.map_err(|e| describe_io(&e))?;
    io.flush().await.map_err(|e| describe_io(&e))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = find(&head, b"\r\n\r\n") {
            head.truncate(end);
            break;
        }
        if head.len() >= MAX_HEAD {
            break;
        }
        match io.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
            Err(e) if head.is_empty() => return Err(describe_io(&e)),
            Err(_) => break,
        }
    }
    parse_head(head)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn parse_head(head: Vec<u8>) -> Result<ProbeResponse, String> {
    if head.is_empty() {
        return Err("the server closed the connection without answering".to_owned());
    }
    let mut lines = head.split(|b| *b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix(b"HTTP/1.")
        .and_then(|rest| rest.get(2..5))
        .and_then(|code| std::str::from_utf8(code).ok())
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| {
            format!(
                "the answer is not HTTP/1.x: `{}`",
                crate::response::escape_bytes(&status_line[..status_line.len().min(60)])
            )
        })?;
    let mut headers = Vec::new();
    for line in lines {
        let Some(colon) = line.iter().position(|b| *b == b':') else { continue };
        let name = String::from_utf8_lossy(&line[..colon]).trim().to_ascii_lowercase();
        let value = line[colon + 1..].strip_prefix(b" ").unwrap_or(&line[colon + 1..]).to_vec();
        headers.push((name, value));
    }
    Ok(ProbeResponse { status, headers, body_len: 0, body_hash: 0, raw_head: Some(head) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads() {
        let r = parse_head(
            b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://a\rX: 1\r\nX-Crossgate-Probe: n".to_vec(),
        )
        .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.headers[0], ("access-control-allow-origin".to_owned(), b"https://a\rX: 1".to_vec()));
        assert_eq!(r.headers[1].0, "x-crossgate-probe");
        assert!(parse_head(b"garbage\r\n".to_vec()).unwrap_err().contains("not HTTP"));
        assert!(parse_head(Vec::new()).is_err());
    }
}
