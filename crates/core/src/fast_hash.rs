//! The policy's lookup tables for byte strings (exact origins, `host:*`
//! hosts, `*.suffix` suffixes, allowed header names), and their hash.
//!
//! The tables are filled once, from configuration, and only looked up per
//! request. A keyed hash (the standard library's SipHash) stops an attacker
//! from *inserting* many colliding keys; here nobody but the operator
//! inserts, so a request's key can at worst walk the longest run of
//! occupied slots of a table whose shape it cannot change — the cost of a
//! lookup stays bounded by the table as built. What matters is the
//! per-request cost: SipHash spends a few hundred instructions on a 26-byte
//! origin, this hash a few dozen (8 bytes per multiply, then a final
//! avalanche so that the slot index and the stored tag both depend on every
//! input byte), and a probe is one slot read and a tag compare.

/// Sets up to this size are searched linearly rather than hashed into.
pub(crate) const SMALL_SET: usize = 8;

const K: u64 = 0xf135_7aea_2e62_a9c5;

/// Multiply-add over 64-bit words, starting from the length, finished with
/// murmur3's `fmix64`.
///
/// Whole words are read, the last one overlapping the one before, so that
/// no tail is copied into a zeroed buffer (a `memcpy` call for a 26-byte
/// origin). Which bytes a word holds depends only on the length, which is
/// hashed first, so equal hashes still need equal bytes in the same places.
#[inline]
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let add = |h: u64, word: u64| h.wrapping_add(word).wrapping_mul(K);
    let word = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
    let half = |i: usize| u64::from(u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes")));
    let mut h = add(0, n as u64);
    if n >= 8 {
        let mut i = 0;
        while i + 8 < n {
            h = add(h, word(i));
            i += 8;
        }
        h = add(h, word(n - 8));
    } else if n >= 4 {
        h = add(h, half(0) << 32 | half(n - 4));
    } else if n > 0 {
        h = add(h, u64::from(bytes[0]) << 16 | u64::from(bytes[n / 2]) << 8 | u64::from(bytes[n - 1]));
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// A key and its value.
type Entry<V> = (Box<[u8]>, V);

/// A map keyed by byte strings: up to [`SMALL_SET`] entries searched in
/// order (cheaper than hashing), more found through a hash table.
#[derive(Clone, Debug)]
pub(crate) struct ByteMap<V> {
    /// Every entry, in insertion order.
    entries: Vec<Entry<V>>,
    /// Open addressing, linear probing, at most half full: each slot holds
    /// the key's hash (high half, as a tag) and its entry's index + 1, or
    /// (0, 0) when empty. Empty while the map is small.
    slots: Box<[(u32, u32)]>,
}

impl<V> Default for ByteMap<V> {
    fn default() -> Self {
        ByteMap { entries: Vec::new(), slots: Box::default() }
    }
}

impl<V> ByteMap<V> {
    /// The value for `key`, inserting `V::default()` if there is none.
    pub(crate) fn entry(&mut self, key: &[u8]) -> &mut V
    where
        V: Default,
    {
        let i = match self.index(key) {
            Some(i) => i,
            None => {
                self.entries.push((key.into(), V::default()));
                if self.entries.len() > SMALL_SET {
                    self.rehash();
                }
                self.entries.len() - 1
            }
        };
        &mut self.entries[i].1
    }

    /// Rebuilds the slots, keeping them at most half full.
    fn rehash(&mut self) {
        let n = (self.entries.len() * 2).next_power_of_two().max(16);
        if self.slots.len() >= n {
            let i = self.entries.len() - 1;
            self.place(i);
            return;
        }
        self.slots = vec![(0, 0); n].into_boxed_slice();
        for i in 0..self.entries.len() {
            self.place(i);
        }
    }

    fn place(&mut self, entry: usize) {
        let h = hash_bytes(&self.entries[entry].0);
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        while self.slots[i].1 != 0 {
            i = (i + 1) & mask;
        }
        let index = u32::try_from(entry + 1).expect("fewer than 2^32 entries");
        self.slots[i] = ((h >> 32) as u32, index);
    }

    // Always inlined: most callers hold an empty or small map, which this
    // answers in a few instructions, less than a call costs.
    #[inline(always)]
    fn index(&self, key: &[u8]) -> Option<usize> {
        if self.slots.is_empty() {
            return self.entries.iter().position(|(k, _)| **k == *key);
        }
        let h = hash_bytes(key);
        let (mask, tag) = (self.slots.len() - 1, (h >> 32) as u32);
        let mut i = h as usize & mask;
        loop {
            let (t, index) = self.slots[i];
            if index == 0 {
                return None;
            }
            let entry = index as usize - 1;
            if t == tag && *self.entries[entry].0 == *key {
                return Some(entry);
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    pub(crate) fn get(&self, key: &[u8]) -> Option<&V> {
        self.index(key).map(|i| &self.entries[i].1)
    }

    /// Every entry, when there are few enough to be searched in order.
    #[inline]
    pub(crate) fn small(&self) -> Option<&[Entry<V>]> {
        self.slots.is_empty().then_some(&self.entries[..])
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.entries.iter().map(|(k, _)| &**k)
    }
}

/// A set of byte strings, as [`ByteMap`].
pub(crate) type ByteSet = ByteMap<()>;

impl ByteSet {
    /// Adds `key`; false if it was there already.
    pub(crate) fn insert(&mut self, key: &[u8]) -> bool {
        let fresh = self.index(key).is_none();
        self.entry(key);
        fresh
    }

    #[inline]
    pub(crate) fn contains(&self, key: &[u8]) -> bool {
        self.index(key).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_similar_keys() {
        // Origins that differ in one digit must not pile into few slots.
        let mut buckets = [0u32; 1024];
        for i in 0..10_000 {
            let key = format!("https://o{i:05}.example.com");
            buckets[(hash_bytes(key.as_bytes()) & 1023) as usize] += 1;
        }
        assert!(buckets.iter().all(|&n| n < 30), "{:?}", buckets.iter().max());
        // The tag comes from the high half: it must spread too.
        let mut tags = std::collections::HashSet::new();
        for i in 0..10_000 {
            tags.insert((hash_bytes(format!("https://o{i:05}.example.com").as_bytes()) >> 32) as u32);
        }
        assert!(tags.len() > 9_990);
    }

    #[test]
    fn every_byte_counts() {
        // Changing any one byte, at any length, changes the hash.
        for n in 0..40 {
            let base: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert_ne!(hash_bytes(&base), hash_bytes(&[&base[..], b"a"].concat()), "{n}");
            for i in 0..n {
                let mut changed = base.clone();
                changed[i] ^= 1;
                assert_ne!(hash_bytes(&base), hash_bytes(&changed), "{n} {i}");
            }
        }
    }

    #[test]
    fn byte_sets_small_and_hashed() {
        let mut set = ByteSet::default();
        for i in 0..300 {
            let key = format!("k{i}");
            assert!(set.insert(key.as_bytes()));
            assert!(!set.insert(key.as_bytes()));
            assert_eq!(set.len(), i + 1);
            assert_eq!(set.small().is_some(), i < SMALL_SET);
            assert!((0..=i).all(|j| set.contains(format!("k{j}").as_bytes())));
            assert!(!set.contains(format!("k{}", i + 1).as_bytes()));
            assert!(!set.contains(b""));
        }
        let keys: Vec<_> = set.keys().collect();
        assert_eq!(keys.len(), 300);
        assert_eq!(keys[299], b"k299");
        let mut map = ByteMap::<Vec<u8>>::default();
        for i in 0..40u8 {
            map.entry(&[i % 20]).push(i);
        }
        assert_eq!(map.len(), 20);
        assert_eq!(map.get(&[3]), Some(&vec![3, 23]));
        assert_eq!(map.get(&[20]), None);
    }
}
