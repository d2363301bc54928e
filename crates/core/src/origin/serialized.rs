//! Serialized origins: the exact bytes a browser puts in `Origin`.
//!
//! An origin is a (scheme, host, port) tuple or an opaque origin
//! (<https://html.spec.whatwg.org/multipage/origin.html#concept-origin>).
//! Its ASCII serialization is what browsers send:
//! lower-case scheme and host, punycode for internationalised domains, IPv6
//! compressed in brackets, and the port only when it is not the scheme's
//! default. Opaque origins serialize as `null`.
//!
//! crossgate never normalises a request's `Origin`: [`RequestOrigin::parse`]
//! accepts only values already in that canonical form, so comparing bytes is
//! enough and a non-canonical value is simply not allowed.

/// The longest `Origin` value crossgate looks at. A scheme, 253 bytes of
/// host and a port fit well within it; anything longer is not an origin a
/// browser sends and is refused without being read further.
pub const MAX_ORIGIN_LEN: usize = 300;

/// A scheme crossgate accepts in an origin.
///
/// Only `http` and `https` produce the tuple origins that browsers send for
/// web pages; other schemes (including `file:`) give opaque origins, which
/// serialize as `null`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// `http`
    Http,
    /// `https`
    Https,
}

impl Scheme {
    /// <https://url.spec.whatwg.org/#default-port>
    ///
    /// The scheme's default port.
    pub const fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    /// The scheme as it is serialized.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// A request's `Origin` value, split into its parts without copying.
///
/// Parsing succeeds only for a canonical serialized tuple origin with an
/// `http` or `https` scheme: lower-case host of valid DNS-style labels (or a
/// bracketed IPv6 address), no trailing dot, and a port that has no leading
/// zero and is not the scheme's default. Everything else — upper case,
/// whitespace, paths, userinfo, odd bytes, over-long values — returns `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestOrigin<'a> {
    /// The scheme.
    pub scheme: Scheme,
    /// The serialized host, as sent.
    pub host: &'a [u8],
    /// The explicit port; `None` means the scheme's default.
    pub port: Option<u16>,
}

impl<'a> RequestOrigin<'a> {
    /// <https://html.spec.whatwg.org/multipage/origin.html#ascii-serialisation-of-an-origin>
    ///
    /// Splits a canonical serialized origin (what that algorithm gives for
    /// an `http` or `https` tuple origin); see the type's documentation.
    pub fn parse(value: &'a [u8]) -> Option<RequestOrigin<'a>> {
        let origin = split_origin(value)?;
        is_canonical_host(origin.host).then_some(origin)
    }

    /// The host as text (a canonical host is ASCII).
    pub fn host_str(&self) -> &'a str {
        std::str::from_utf8(self.host).unwrap_or_default()
    }

    /// The port, with the scheme's default filled in.
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(self.scheme.default_port())
    }
}

/// [`RequestOrigin::parse`] short of checking the host: the scheme and
/// port are checked, the host is only delimited. For callers that compare
/// the host with configured (canonical) hosts and check only the part that
/// no comparison covered.
pub(crate) fn split_origin(value: &[u8]) -> Option<RequestOrigin<'_>> {
    if value.len() > MAX_ORIGIN_LEN {
        return None;
    }
    // HTML: ASCII serialization of an origin, steps 2 and 3. The scheme is
    // `http` or `https`, so the first `://` can only follow one of them: two
    // prefix tests instead of a search.
    let (scheme, authority) = if let Some(rest) = value.strip_prefix(b"https://") {
        (Scheme::Https, rest)
    } else if let Some(rest) = value.strip_prefix(b"http://") {
        (Scheme::Http, rest)
    } else {
        return None;
    };
    // step 4 (the host, delimited here) and step 5: a port only when it is
    // not the scheme's default, which URL parsing drops.
    let (host, port) = split_host_port(authority)?;
    let port = match port {
        None => None,
        Some(digits) => {
            let p = parse_canonical_port(digits)?;
            if p == scheme.default_port() {
                return None;
            }
            Some(p)
        }
    };
    Some(RequestOrigin { scheme, host, port })
}

/// Splits `host[:port]`, handling bracketed IPv6 hosts.
///
/// A port has at most five digits, so only the last six bytes are searched
/// for its colon. A colon further left stays in the host, which then is not
/// canonical and matches nothing — as when it was taken for the port
/// separator and the "port" failed to parse.
fn split_host_port(authority: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    if authority.first() == Some(&b'[') {
        let close = authority.iter().position(|&b| b == b']')?;
        let host = &authority[..=close];
        match &authority[close + 1..] {
            [] => Some((host, None)),
            [b':', port @ ..] => Some((host, Some(port))),
            _ => None,
        }
    } else {
        let tail = authority.len().saturating_sub(6);
        match authority[tail..].iter().rposition(|&b| b == b':') {
            Some(i) => Some((&authority[..tail + i], Some(&authority[tail + i + 1..]))),
            None => Some((authority, None)),
        }
    }
}

/// A port as browsers serialize it: 1–5 digits, no leading zero, ≤ 65535.
/// (Port 0 is serialized as `:0`, but no server listens there.)
fn parse_canonical_port(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() || digits.len() > 5 || (digits[0] == b'0') {
        return None;
    }
    let mut n: u32 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(d - b'0');
    }
    u16::try_from(n).ok()
}

/// <https://url.spec.whatwg.org/#concept-host-serializer>
///
/// Whether `host` is a host as a browser serializes it in an origin.
///
/// Domains: labels of `a-z 0-9 - _` (the URL parser keeps `_`), none empty,
/// none starting or ending with `-` (LDH), each at most 63 bytes, at most
/// 253 bytes in all, no trailing dot.
/// IPv6: lower-case hex, `:` and `.` in brackets (the exact compressed form is
/// checked by the exact comparison, since IPv6 never matches a subdomain
/// pattern).
pub(crate) fn is_canonical_host(host: &[u8]) -> bool {
    if host.is_empty() || host.len() > 253 {
        return false;
    }
    if host[0] == b'[' {
        return host.len() > 2
            && host[host.len() - 1] == b']'
            && host[1..host.len() - 1].iter().all(|&b| matches!(b, b'0'..=b'9' | b'a'..=b'f' | b':' | b'.'));
    }
    // One pass: every byte a label byte or a dot; no label empty, longer
    // than 63 bytes, or starting or ending with `-` (the last one included,
    // so no trailing dot). `start` is where the current label began.
    let mut start = 0;
    for (i, &b) in host.iter().enumerate() {
        match LABEL_BYTE[usize::from(b)] {
            Byte::Letter => {}
            Byte::Hyphen if i != start => {}
            Byte::Dot if i != start && host[i - 1] != b'-' && i - start <= 63 => start = i + 1,
            _ => return false,
        }
    }
    start < host.len() && host.len() - start <= 63 && host[host.len() - 1] != b'-'
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Byte {
    /// `a-z 0-9 _`
    Letter,
    Hyphen,
    Dot,
    Other,
}

/// The bytes of a serialized host, by class: label bytes are `a-z 0-9 - _`.
const LABEL_BYTE: [Byte; 256] = {
    let mut table = [Byte::Other; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = match i as u8 {
            b'a'..=b'z' | b'0'..=b'9' | b'_' => Byte::Letter,
            b'-' => Byte::Hyphen,
            b'.' => Byte::Dot,
            _ => Byte::Other,
        };
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The label-by-label definition the single pass must agree with.
    fn reference_host(host: &[u8]) -> bool {
        if host.is_empty() || host.len() > 253 {
            return false;
        }
        if host[0] == b'[' {
            return is_canonical_host(host);
        }
        host.split(|&b| b == b'.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label[0] != b'-'
                && label[label.len() - 1] != b'-'
                && label.iter().all(|&b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_'))
        })
    }

    #[test]
    fn host_check_matches_the_definition() {
        let alphabet = [b'a', b'0', b'-', b'_', b'.', b'A', b' ', 0xc3];
        let mut cases: Vec<Vec<u8>> = vec![vec![]];
        let mut frontier = cases.clone();
        for _ in 0..5 {
            frontier =
                frontier.iter().flat_map(|c| alphabet.iter().map(move |&b| [c.clone(), vec![b]].concat())).collect();
            cases.extend(frontier.iter().cloned());
        }
        for n in [62, 63, 64] {
            cases.push(vec![b'a'; n]);
            cases.push([vec![b'a'; n], b".com".to_vec()].concat());
            cases.push([b"x.".to_vec(), vec![b'a'; n]].concat());
        }
        cases.push([b"a.".repeat(126), b"a".to_vec()].concat());
        cases.push([b"a.".repeat(127), b"a".to_vec()].concat());
        for c in &cases {
            assert_eq!(is_canonical_host(c), reference_host(c), "{:?}", String::from_utf8_lossy(c));
        }
    }

    #[test]
    fn canonical_origins_parse() {
        let o = RequestOrigin::parse(b"https://a.example.com").unwrap();
        assert_eq!((o.scheme, o.host, o.port), (Scheme::Https, &b"a.example.com"[..], None));
        let o = RequestOrigin::parse(b"http://localhost:8080").unwrap();
        assert_eq!(o.port, Some(8080));
        let o = RequestOrigin::parse(b"http://[::1]:3000").unwrap();
        assert_eq!(o.host, b"[::1]");
    }

    #[test]
    fn non_canonical_origins_do_not_parse() {
        for bad in [
            &b"https://A.example.com"[..],
            b"https://a.example.com/",
            b"https://a.example.com.",
            b"https://a.example.com:443",
            b"http://a.example.com:80",
            b"https://a.example.com:0443",
            b"https://a.example.com:",
            b"https://a.example.com:99999",
            b" https://a.example.com",
            b"https://a..example.com",
            b"https://.example.com",
            b"https://-a.example.com",
            b"https://a-.example.com",
            b"https://user@a.example.com",
            b"ftp://a.example.com",
            b"null",
            b"",
            b"https://",
            b"https://a.example.com\r\n",
            b"https://\xc3\xa9.example.com",
        ] {
            assert!(RequestOrigin::parse(bad).is_none(), "{:?}", String::from_utf8_lossy(bad));
        }
        let long = [&b"https://"[..], &[b'a'; 400]].concat();
        assert!(RequestOrigin::parse(&long).is_none());
    }
}
