//! What came back for a probe: the raw header lines, duplicates kept and in
//! order, a digest of the body, or why nothing usable came back.

use http::{HeaderMap, HeaderName, HeaderValue};

/// A response as received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProbeResponse {
    /// The status code.
    pub status: u16,
    /// Header lines in order, names lower-cased, values as bytes; two lines
    /// of one name stay two entries.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Bytes of body read (reading stops at a bound).
    pub body_len: u64,
    /// A hash of those bytes, to tell two bodies apart.
    pub body_hash: u64,
    /// The raw response head, for probes read off a raw socket.
    pub raw_head: Option<Vec<u8>>,
}

/// What a probe led to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An HTTP response.
    Response(ProbeResponse),
    /// No usable response: refused, reset, timed out, not HTTP.
    Failed(String),
}

impl ProbeResponse {
    /// A response with these header lines and an empty body.
    pub fn new(status: u16, headers: &[(&str, &str)]) -> Self {
        ProbeResponse {
            status,
            headers: headers.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.as_bytes().to_vec())).collect(),
            ..ProbeResponse::default()
        }
    }

    /// Every value of `name`, in order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_slice())
    }

    /// The values of `name` joined with `", "` as Fetch combines them, or
    /// `None` when absent.
    pub fn combined(&self, name: &str) -> Option<String> {
        let parts: Vec<String> = self.values(name).map(|v| String::from_utf8_lossy(v).trim().to_owned()).collect();
        if parts.is_empty() {
            None
        } else {
            Some(parts.join(", "))
        }
    }

    /// `Access-Control-Allow-Origin`, combined.
    pub fn acao(&self) -> Option<String> {
        self.combined("access-control-allow-origin")
    }

    /// Whether `Access-Control-Allow-Credentials` is exactly `true`.
    pub fn acac_true(&self) -> bool {
        self.combined("access-control-allow-credentials").as_deref() == Some("true")
    }

    /// Whether `Vary` names `Origin` (or is `*`).
    pub fn varies_on_origin(&self) -> bool {
        self.values("vary").any(|v| {
            String::from_utf8_lossy(v).split(',').map(str::trim).any(|t| t.eq_ignore_ascii_case("origin") || t == "*")
        })
    }

    /// The headers as a browser's network stack hands them over; a line
    /// whose value no HTTP library accepts is left out.
    pub fn header_map(&self) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (n, v) in &self.headers {
            if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(n.as_bytes()), HeaderValue::from_bytes(v)) {
                map.append(n, v);
            }
        }
        map
    }

    /// Whether two responses carry the same resource: status and body.
    pub fn same_resource(&self, other: &ProbeResponse) -> bool {
        self.status == other.status && self.body_len == other.body_len && self.body_hash == other.body_hash
    }
}

/// FNV-1a, to compare bodies without keeping them.
pub fn body_hash(bytes: &[u8]) -> u64 {
    body_hash_update(BODY_HASH_START, bytes)
}

/// [`body_hash`]'s starting value, for hashing a body in pieces.
pub(crate) const BODY_HASH_START: u64 = 0xcbf2_9ce4_8422_2325;

/// [`body_hash`] continued over `bytes`.
pub(crate) fn body_hash_update(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Bytes as text for evidence: printable ASCII as is, anything else
/// (CR, LF, controls, non-ASCII) as `\r`, `\n`, `\xNN`.
pub(crate) fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_values_and_vary() {
        let r = ProbeResponse::new(
            200,
            &[
                ("Access-Control-Allow-Origin", "https://a"),
                ("Vary", "Accept-Encoding, origin"),
                ("ACCESS-CONTROL-ALLOW-ORIGIN", "https://b"),
            ],
        );
        assert_eq!(r.acao().as_deref(), Some("https://a, https://b"));
        assert!(r.varies_on_origin());
        assert!(!r.acac_true());
        assert_eq!(r.header_map().get_all("access-control-allow-origin").iter().count(), 2);
        assert_eq!(escape_bytes(b"a\rb\n\x01"), "a\\rb\\n\\x01");
    }
}
