//! `Vary`, derived from what a decision depended on, and merged into the
//! inner service's `Vary` without duplicates.
//!
//! <https://www.rfc-editor.org/rfc/rfc9110#section-12.5.5>; a cache keys a
//! stored response on the request headers it names
//! (<https://www.rfc-editor.org/rfc/rfc9111#section-4.1>), which is why a
//! response whose CORS headers depend on the request must say so
//! (<https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches>).

use http::header::{Entry, HeaderMap, HeaderValue, VARY};

/// The request headers a response's CORS headers depended on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct VarySet(u8);

const NAMES: [&str; 4] = [
    "Origin",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
    "Access-Control-Request-Private-Network",
];

/// Every combination, precomputed so that adding `Vary` never allocates.
static VALUES: [HeaderValue; 16] = {
    macro_rules! v {
        ($($s:literal),*) => { [$(HeaderValue::from_static($s)),*] };
    }
    v!(
        "",
        "Origin",
        "Access-Control-Request-Method",
        "Origin, Access-Control-Request-Method",
        "Access-Control-Request-Headers",
        "Origin, Access-Control-Request-Headers",
        "Access-Control-Request-Method, Access-Control-Request-Headers",
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        "Access-Control-Request-Private-Network",
        "Origin, Access-Control-Request-Private-Network",
        "Access-Control-Request-Method, Access-Control-Request-Private-Network",
        "Origin, Access-Control-Request-Method, Access-Control-Request-Private-Network",
        "Access-Control-Request-Headers, Access-Control-Request-Private-Network",
        "Origin, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
        "Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network"
    )
};

impl VarySet {
    /// Nothing.
    pub const EMPTY: VarySet = VarySet(0);
    /// `Origin`
    pub const ORIGIN: VarySet = VarySet(1);
    /// `Access-Control-Request-Method`
    pub const REQUEST_METHOD: VarySet = VarySet(2);
    /// `Access-Control-Request-Headers`
    pub const REQUEST_HEADERS: VarySet = VarySet(4);
    /// `Access-Control-Request-Private-Network`
    pub const REQUEST_PRIVATE_NETWORK: VarySet = VarySet(8);

    /// The union of two sets.
    #[must_use]
    pub const fn union(self, other: VarySet) -> VarySet {
        VarySet(self.0 | other.0)
    }

    /// Whether every name in `other` is in `self`.
    pub const fn contains(self, other: VarySet) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The header names in the set.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        NAMES.iter().enumerate().filter(move |(i, _)| self.0 & (1 << i) != 0).map(|(_, n)| *n)
    }

    /// The set as one `Vary` value (static; cloning it does not allocate).
    pub fn to_header_value(self) -> HeaderValue {
        VALUES[usize::from(self.0 & 15)].clone()
    }

    /// <https://www.rfc-editor.org/rfc/rfc9110#section-12.5.5>
    ///
    /// Adds the set to a response's `Vary`, keeping what is there.
    ///
    /// Names already present (in any case, on any line) are not repeated;
    /// `Vary: *` is left alone, since it already varies on everything. The
    /// missing names are appended as one more `Vary` line, which HTTP treats
    /// as part of the same list.
    pub fn merge_into(self, headers: &mut HeaderMap) {
        if self.is_empty() {
            return;
        }
        // One probe: most responses have no `Vary` yet.
        let mut entry = match headers.entry(VARY) {
            Entry::Vacant(e) => {
                e.insert(self.to_header_value());
                return;
            }
            Entry::Occupied(e) => e,
        };
        let mut present = VarySet::EMPTY;
        for value in entry.iter() {
            for token in value.as_bytes().split(|&b| b == b',') {
                let token = crate::fetch::trim_http_tab_or_space(token);
                if token == b"*" {
                    return;
                }
                if let Some(i) = NAMES.iter().position(|n| n.as_bytes().eq_ignore_ascii_case(token)) {
                    present.0 |= 1 << i;
                }
            }
        }
        let missing = VarySet(self.0 & !present.0);
        if !missing.is_empty() {
            entry.append(missing.to_header_value());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vary(h: &HeaderMap) -> Vec<&str> {
        h.get_all(VARY).iter().map(|v| v.to_str().unwrap()).collect()
    }

    #[test]
    fn values_match_names() {
        for bits in 0..16u8 {
            let set = VarySet(bits);
            let joined: Vec<_> = set.names().collect();
            assert_eq!(set.to_header_value(), joined.join(", ").as_str());
        }
    }

    #[test]
    fn merging() {
        let mut h = HeaderMap::new();
        VarySet::ORIGIN.merge_into(&mut h);
        assert_eq!(vary(&h), ["Origin"]);
        VarySet::ORIGIN.merge_into(&mut h);
        assert_eq!(vary(&h), ["Origin"]);

        let mut h = HeaderMap::new();
        h.insert(VARY, HeaderValue::from_static("accept-encoding, origin"));
        VarySet::ORIGIN.union(VarySet::REQUEST_METHOD).merge_into(&mut h);
        assert_eq!(vary(&h), ["accept-encoding, origin", "Access-Control-Request-Method"]);

        let mut h = HeaderMap::new();
        h.insert(VARY, HeaderValue::from_static("*"));
        VarySet::ORIGIN.merge_into(&mut h);
        assert_eq!(vary(&h), ["*"]);
    }
}
