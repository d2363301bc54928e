//! Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, not
//! the message, so they are removed both ways; a protocol upgrade the
//! client asks for is the one that is carried over.

use http::header::{self, HeaderMap, HeaderName, HeaderValue};

/// Headers that describe one hop's connection, not the message (RFC 9110
/// §7.6.1). `Connection` first: its value names more.
const HOP_BY_HOP: [HeaderName; 9] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
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

/// The `Upgrade` value of an HTTP/1.1 request that asks for one.
pub(crate) fn requested_upgrade(h: &HeaderMap) -> Option<HeaderValue> {
    let asks = h
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case("upgrade"));
    if asks {
        h.get(header::UPGRADE).cloned()
    } else {
        None
    }
}
