//! Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, not
//! the message, so they are removed both ways; a protocol upgrade the
//! client asks for is the one that is carried over.

use http::header::{self, HeaderMap, HeaderName, HeaderValue};

/// Headers that describe one hop's connection, not the message (RFC 9110
/// §7.6.1). `Connection` first: its value names more.
const HOP_BY_HOP: [HeaderName; 10] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    // The h2c upgrade's settings (RFC 7540 §3.2.1), also when the client
    // forgot to name it in `Connection`.
    HeaderName::from_static("http2-settings"),
];

/// Removes the hop-by-hop headers and any the `Connection` header names.
/// Most messages carry none, or only `Connection: keep-alive`, so one pass
/// over the names finds which are there before anything is removed.
pub(crate) fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let mut present = 0u16;
    for name in headers.keys() {
        if let Some(i) = HOP_BY_HOP.iter().position(|h| h == name) {
            present |= 1 << i;
        }
    }
    if present == 0 {
        return;
    }
    if present & 1 != 0 {
        let named: Vec<HeaderName> = headers
            .get_all(header::CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            // `close` names no header; the fixed ones go below anyway.
            .filter(|t| {
                !t.eq_ignore_ascii_case("close") && !HOP_BY_HOP.iter().any(|h| t.eq_ignore_ascii_case(h.as_str()))
            })
            .filter_map(|t| HeaderName::from_bytes(t.as_bytes()).ok())
            .collect();
        for n in named {
            headers.remove(n);
        }
    }
    for (i, h) in HOP_BY_HOP.iter().enumerate() {
        if present & (1 << i) != 0 {
            headers.remove(h);
        }
    }
}

/// The `Upgrade` value of an HTTP/1.1 request that asks for one. An upgrade
/// to `h2c` is ignored, as RFC 9110 §7.8 lets a server do (RFC 9113 dropped
/// it): relayed, it would hand the upstream a raw HTTP/2 connection whose
/// requests the gateway never routes nor decides ("h2c smuggling").
pub(crate) fn requested_upgrade(h: &HeaderMap) -> Option<HeaderValue> {
    let asks = h
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case("upgrade"));
    let upgrade = h.get(header::UPGRADE).filter(|_| asks)?;
    let h2c = upgrade.to_str().map_or(true, |v| {
        v.split(',').any(|p| p.trim().split('/').next().is_some_and(|n| n.eq_ignore_ascii_case("h2c")))
    });
    (!h2c).then(|| upgrade.clone())
}

/// <https://www.rfc-editor.org/rfc/rfc9112#section-6.1>
///
/// Whether the request's `Transfer-Encoding` is anything but one `chunked`.
/// The body is forwarded re-chunked, so another coding (`gzip, chunked`)
/// would be silently dropped; RFC 9112 §6.1 answers a coding the server does
/// not understand with 501.
pub(crate) fn unsupported_transfer_coding(h: &HeaderMap) -> bool {
    let mut codings = h.get_all(header::TRANSFER_ENCODING).iter().flat_map(|v| v.as_bytes().split(|&b| b == b','));
    match codings.next() {
        None => false,
        Some(first) => !first.trim_ascii().eq_ignore_ascii_case(b"chunked") || codings.next().is_some(),
    }
}
