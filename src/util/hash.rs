//! The one hash function of blogsmith: XXH3 (xxhash-rust), a specified
//! algorithm whose output is the same on every machine, process and release.
//!
//! Everything persisted between builds (cache keys and checksums, the input
//! fingerprint, the output manifest, page keys) is hashed here. Values are fed
//! either as bytes or through `std::hash::Hash`; the bytes `Hash` feeds for
//! std's types could change with the compiler, which the cache version
//! (`build.rs`) covers by including the compiler's version.

use std::hash::{Hash, Hasher as _};

use xxhash_rust::xxh3::Xxh3Default;

/// A streaming XXH3 hasher, for values hashed through `std::hash::Hash`.
#[derive(Clone, Default)]
pub struct StableHasher(Xxh3Default);

impl StableHasher {
    /// A hasher with nothing fed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The 128-bit digest of what was fed.
    pub fn finish128(&self) -> u128 {
        self.0.digest128()
    }
}

impl std::hash::Hasher for StableHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        self.0.digest()
    }
}

/// The 64-bit hash of `bytes`.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The 64-bit hash of a value, through its `Hash` implementation.
pub fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = StableHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// A 128-bit key from everything a value depends on; the parts are
/// length-prefixed, so `["ab", "c"]` and `["a", "bc"]` differ.
pub fn key(parts: &[&[u8]]) -> u128 {
    let mut hasher = StableHasher::new();
    for part in parts {
        hasher.write(&(part.len() as u64).to_le_bytes());
        hasher.write(part);
    }
    hasher.finish128()
}

/// Feeds bytes written to it into a hasher (to hash a value's serialisation).
pub struct HashWriter<'h>(pub &'h mut StableHasher);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The hash of `value`'s JSON serialisation: for values whose `Hash` is not
/// derived (template contexts), and a specified byte sequence.
pub fn hash_json(value: &impl serde::Serialize) -> u64 {
    let mut hasher = StableHasher::new();
    {
        // Buffered: serde_json writes token by token.
        let mut writer = std::io::BufWriter::with_capacity(4096, HashWriter(&mut hasher));
        // Serialising into a hasher cannot fail: it writes to memory and every key is a string.
        let _ = serde_json::to_writer(&mut writer, value);
        let _ = std::io::Write::flush(&mut writer);
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_the_specified_xxh3() {
        // XXH3-64 of the empty input, from the reference implementation.
        assert_eq!(hash_bytes(b""), 0x2d06_8005_38d3_94c2);
        assert_eq!(hash_bytes(b"blogsmith"), hash_bytes(b"blogsmith"));
        assert_ne!(hash_bytes(b"a"), hash_bytes(b"b"));
    }

    #[test]
    fn keys_depend_on_every_part() {
        assert_ne!(key(&[b"ab", b"c"]), key(&[b"a", b"bc"]));
        assert_eq!(key(&[b"x"]), key(&[b"x"]));
    }
}
