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
/// A `HashSet` with [`FastHasher`].
pub(crate) type FastSet<T> = std::collections::HashSet<T, FastBuild>;
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
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8-byte chunk")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
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
        let set: FastSet<Box<[u8]>> = (0..10_000).map(|i| format!("o{i}").into_bytes().into_boxed_slice()).collect();
        assert!(set.contains(&b"o9999"[..]));
        assert!(!set.contains(&b"o10000"[..]));
    }
}
