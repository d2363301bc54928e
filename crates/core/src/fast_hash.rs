//! A fast, fixed hasher for the policy's lookup tables.
//!
//! The tables (exact origins, `host:*` hosts, `*.suffix` suffixes, allowed
//! header names) are filled once, from configuration, and only looked up
//! per request. The standard library's SipHash is keyed to stop an attacker
//! from *inserting* many colliding keys; here nobody but the operator
//! inserts, so a request's key can at worst land in an occupied probe
//! sequence of a table whose shape it cannot change — the cost of a lookup
//! stays bounded by the table as built. What matters is the per-request
//! cost: SipHash spends a few hundred instructions on a 25-byte origin, this
//! hasher a few dozen (8 bytes per multiply, then a final avalanche so that
//! the table's index bits and tag bits both depend on every input byte).

use std::hash::{BuildHasherDefault, Hasher};

/// `BuildHasher` for [`FastHasher`].
pub(crate) type FastBuild = BuildHasherDefault<FastHasher>;
/// A `HashMap` with [`FastHasher`].
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, FastBuild>;

/// Multiply-add over 64-bit words, finished with murmur3's `fmix64`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FastHasher(u64);

const K: u64 = 0xf135_7aea_2e62_a9c5;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = self.0.wrapping_add(word).wrapping_mul(K);
    }
}

impl Hasher for FastHasher {
    /// Whole words, the last one overlapping the one before, so that no
    /// tail is copied into a zeroed buffer (a `memcpy` call for a 26-byte
    /// origin). Which bytes a word holds depends only on the length, which
    /// `Hash for [u8]` writes first, so equal hashes still need equal bytes
    /// in the same places.
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let n = bytes.len();
        let word = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
        let half = |i: usize| u64::from(u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes")));
        if n >= 8 {
            let mut i = 0;
            while i + 8 < n {
                self.add(word(i));
                i += 8;
            }
            self.add(word(n - 8));
        } else if n >= 4 {
            self.add(half(0) << 32 | half(n - 4));
        } else if n > 0 {
            self.add(u64::from(bytes[0]) << 16 | u64::from(bytes[n / 2]) << 8 | u64::from(bytes[n - 1]));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// Sets up to this size are searched linearly rather than hashed into.
pub(crate) const SMALL_SET: usize = 8;

/// A map keyed by byte strings: up to [`SMALL_SET`] entries in a `Vec`
/// searched in order (cheaper than hashing, and than walking a hash
/// table's groups), more in a [`FastMap`].
#[derive(Clone, Debug)]
pub(crate) struct ByteMap<V> {
    /// Every entry while there are few; empty once they are hashed.
    small: Vec<(Box<[u8]>, V)>,
    hashed: FastMap<Box<[u8]>, V>,
}

impl<V> Default for ByteMap<V> {
    fn default() -> Self {
        ByteMap { small: Vec::new(), hashed: FastMap::default() }
    }
}

impl<V> ByteMap<V> {
    /// The value for `key`, inserting `V::default()` if there is none.
    pub(crate) fn entry(&mut self, key: &[u8]) -> &mut V
    where
        V: Default,
    {
        if self.hashed.is_empty() {
            if let Some(i) = self.small.iter().position(|(k, _)| **k == *key) {
                return &mut self.small[i].1;
            }
            if self.small.len() < SMALL_SET {
                self.small.push((key.into(), V::default()));
                return &mut self.small.last_mut().expect("just pushed").1;
            }
            self.hashed.extend(self.small.drain(..));
        }
        self.hashed.entry(key.into()).or_default()
    }

    #[inline]
    pub(crate) fn get(&self, key: &[u8]) -> Option<&V> {
        match self.small() {
            Some(small) => small.iter().find(|(k, _)| **k == *key).map(|(_, v)| v),
            None => self.hashed.get(key),
        }
    }

    /// Every entry, when there are few enough to be searched in order.
    #[inline]
    pub(crate) fn small(&self) -> Option<&[(Box<[u8]>, V)]> {
        self.hashed.is_empty().then_some(&self.small[..])
    }

    pub(crate) fn len(&self) -> usize {
        self.small.len() + self.hashed.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.small.iter().map(|(k, _)| &**k).chain(self.hashed.keys().map(|k| &**k))
    }
}

/// A set of byte strings, as [`ByteMap`].
pub(crate) type ByteSet = ByteMap<()>;

impl ByteSet {
    /// Adds `key`; false if it was there already.
    pub(crate) fn insert(&mut self, key: &[u8]) -> bool {
        let fresh = self.get(key).is_none();
        self.entry(key);
        fresh
    }

    #[inline]
    pub(crate) fn contains(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_similar_keys() {
        // Origins that differ in one digit must not pile into few buckets.
        let mut buckets = [0u32; 1024];
        for i in 0..10_000 {
            let key = format!("https://o{i:05}.example.com");
            let mut h = FastHasher::default();
            std::hash::Hash::hash(key.as_bytes(), &mut h);
            buckets[(h.finish() & 1023) as usize] += 1;
            // hashbrown's 7-bit tag comes from the top bits.
        }
        assert!(buckets.iter().all(|&n| n < 30), "{:?}", buckets.iter().max());
        let set: std::collections::HashSet<Box<[u8]>, FastBuild> = (0..10_000).map(|i| format!("o{i}").into_bytes().into_boxed_slice()).collect();
        assert!(set.contains(&b"o9999"[..]));
        assert!(!set.contains(&b"o10000"[..]));
    }

    #[test]
    fn every_byte_counts() {
        // Changing any one byte, at any length, changes the hash.
        let hash = |b: &[u8]| {
            let mut h = FastHasher::default();
            std::hash::Hash::hash(b, &mut h);
            h.finish()
        };
        for n in 0..40 {
            let base: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert_ne!(hash(&base), hash(&[&base[..], b"a"].concat()), "{n}");
            for i in 0..n {
                let mut changed = base.clone();
                changed[i] ^= 1;
                assert_ne!(hash(&base), hash(&changed), "{n} {i}");
            }
        }
    }

    #[test]
    fn byte_sets_small_and_hashed() {
        let mut set = ByteSet::default();
        for i in 0..3 * SMALL_SET {
            let key = format!("k{i}");
            assert!(set.insert(key.as_bytes()));
            assert!(!set.insert(key.as_bytes()));
            assert_eq!(set.len(), i + 1);
            assert_eq!(set.small().is_some(), i < SMALL_SET);
            assert!((0..=i).all(|j| set.contains(format!("k{j}").as_bytes())));
            assert!(!set.contains(format!("k{}", i + 1).as_bytes()));
        }
        assert_eq!(set.keys().count(), 3 * SMALL_SET);
    }
}
