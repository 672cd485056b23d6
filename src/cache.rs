//! The persistent render cache: `.blogsmith-cache/` at the site root.
//!
//! Typeset formulas and highlighted code blocks are pure functions of their
//! input (and of the engine's version, the macros, the themes), so a build
//! keeps them for the next one. Each kind is one file: a header naming the
//! format and the versions, then records `key (16 bytes) · generation (4) ·
//! length (4) · bytes · checksum (8)`.
//!
//! Safety: a record whose checksum does not match, or a file cut short, ends
//! reading there; what was lost is simply computed again. The files are
//! replaced atomically (written beside, then renamed), so a killed build
//! leaves the previous cache. Growth is bounded: a record not used for
//! [`MAX_AGE`] builds that added records is dropped when the cache is saved.
//! A build that adds nothing leaves the file as it is (at 10,000 articles the
//! caches weigh hundreds of megabytes: rewriting them would cost more than an
//! up-to-date build).

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;

/// The cache folder, at the site root.
pub const CACHE_DIR: &str = ".blogsmith-cache";

/// Builds a record may go unused before it is dropped.
pub const MAX_AGE: u32 = 8;

/// Bumped when the record format or what goes into keys changes.
const FORMAT: &str = "blogsmith-cache 1";

/// A 64-bit hash of `bytes`, the same in every process (SipHash with fixed keys).
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// A file's modification time in nanoseconds since 1970 (0 when unknown).
pub fn modified_nanos(path: &Path) -> u128 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// A 128-bit key for a record, from everything its value depends on.
pub fn key(parts: &[&[u8]]) -> u128 {
    let half = |salt: u8| {
        let mut hasher = DefaultHasher::new();
        salt.hash(&mut hasher);
        for part in parts {
            part.hash(&mut hasher);
        }
        hasher.finish()
    };
    (u128::from(half(1)) << 64) | u128::from(half(2))
}

/// Records by key: the generation that last used them, and where their bytes
/// are in the file's contents (kept whole: copying each record out cost more
/// than the rest of loading).
type Records = HashMap<u128, (u32, std::ops::Range<usize>)>;

/// One kind of cached values (formulas, code blocks), shared by all threads of a build.
pub struct Store {
    path: Option<PathBuf>,
    version: String,
    generation: u32,
    /// Builds (that added records) a record may go unused before it is dropped.
    max_age: u32,
    data: Vec<u8>,
    old: Records,
    used: Mutex<HashSet<u128>>,
    new: Mutex<HashMap<u128, Arc<[u8]>>>,
    hits: std::sync::atomic::AtomicUsize,
}

impl Store {
    /// A store that keeps nothing (`--no-cache`).
    pub fn disabled() -> Self {
        Self::empty(None, String::new(), 0)
    }

    fn empty(path: Option<PathBuf>, version: String, generation: u32) -> Self {
        Self {
            path,
            version,
            generation,
            max_age: MAX_AGE,
            data: Vec::new(),
            old: HashMap::new(),
            used: Mutex::new(HashSet::new()),
            new: Mutex::new(HashMap::new()),
            hits: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Opens `dir/name`, whose values were made by `version` (engine versions, themes…).
    ///
    /// A missing, foreign or damaged file is not an error: the cache starts empty
    /// or with the records before the damage.
    pub fn open(dir: &Path, name: &str, version: &str) -> Self {
        Self::open_keeping(dir, name, version, MAX_AGE)
    }

    /// Like [`Store::open`], dropping records unused for `max_age` builds that
    /// added records (1: every record this build did not use).
    pub fn open_keeping(dir: &Path, name: &str, version: &str, max_age: u32) -> Self {
        let path = dir.join(name);
        let Ok(bytes) = std::fs::read(&path) else {
            return Self {
                max_age,
                ..Self::empty(Some(path), version.to_string(), 1)
            };
        };
        let (generation, old) = parse(&bytes, version).unwrap_or_default();
        Self {
            old,
            data: bytes,
            generation: generation + 1,
            max_age,
            ..Self::empty(Some(path), version.to_string(), 0)
        }
    }

    /// The value for `key`, if a previous build stored it.
    pub fn get(&self, key: u128) -> Option<&[u8]> {
        self.get_with(key, Some)
    }

    /// The value for `key` read by `read`, if a previous build stored it and
    /// `read` accepts it; only accepted values count as used and as hits.
    pub fn get_with<'s, T>(
        &'s self,
        key: u128,
        read: impl FnOnce(&'s [u8]) -> Option<T>,
    ) -> Option<T> {
        self.path.as_ref()?;
        let (_, range) = self.old.get(&key)?;
        let value = read(self.data.get(range.clone())?)?;
        lock(&self.used).insert(key);
        self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Some(value)
    }

    /// Remembers `value` for `key`, for the next build.
    pub fn put(&self, key: u128, value: Arc<[u8]>) {
        if self.path.is_some() {
            lock(&self.new).insert(key, value);
        }
    }

    /// How many lookups this build found in the store.
    pub fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many records were read from disk.
    pub fn loaded(&self) -> usize {
        self.old.len()
    }

    /// Writes the records used or made by this build, and those used in the last
    /// [`MAX_AGE`] builds, replacing the file atomically; does nothing when this
    /// build made no record.
    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let used = lock(&self.used);
        let new = lock(&self.new);
        if new.is_empty() && path.exists() {
            return Ok(());
        }
        if crate::trace::enabled() {
            eprintln!("trace: {} new records in {}", new.len(), path.display());
        }
        let mut records: Vec<(u128, u32, &[u8])> = Vec::with_capacity(self.old.len() + new.len());
        for (key, (generation, range)) in &self.old {
            let Some(bytes) = self.data.get(range.clone()) else {
                continue;
            };
            if new.contains_key(key) {
                continue;
            }
            if used.contains(key) {
                records.push((*key, self.generation, bytes));
            } else if self.generation.saturating_sub(*generation) < self.max_age {
                records.push((*key, *generation, bytes));
            }
        }
        records.extend(
            new.iter()
                .map(|(key, bytes)| (*key, self.generation, &**bytes)),
        );
        // A stable order: the same cache content gives the same file.
        records.sort_unstable_by_key(|(key, _, _)| *key);
        // Hashing is most of the cost: checksums in parallel, then the file
        // streamed (a buffer of the whole file was 290 MB at 10,000 articles).
        let sums: Vec<u64> = records
            .par_iter()
            .map(|&(key, generation, bytes)| checksum(key, generation, bytes))
            .collect();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let temp = path.with_extension(format!("tmp-{}", std::process::id()));
        let written = (|| {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&temp)?);
            writeln!(
                out,
                "{FORMAT} {} generation {}",
                self.version, self.generation
            )?;
            for ((key, generation, bytes), sum) in records.into_iter().zip(sums) {
                write_record(&mut out, key, generation, bytes, sum)?;
            }
            out.into_inner()
                .map_err(std::io::IntoInnerError::into_error)?;
            std::fs::rename(&temp, path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        written
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn checksum(key: u128, generation: u32, bytes: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    (key, generation, bytes).hash(&mut hasher);
    hasher.finish()
}

fn write_record(
    out: &mut impl Write,
    key: u128,
    generation: u32,
    bytes: &[u8],
    sum: u64,
) -> std::io::Result<()> {
    out.write_all(&key.to_le_bytes())?;
    out.write_all(&generation.to_le_bytes())?;
    out.write_all(&(bytes.len() as u32).to_le_bytes())?;
    out.write_all(bytes)?;
    out.write_all(&sum.to_le_bytes())
}

/// The generation and the sound records of a cache file; `None` if it is foreign.
fn parse(bytes: &[u8], version: &str) -> Option<(u32, Records)> {
    let newline = bytes.iter().position(|&b| b == b'\n')?;
    let header = std::str::from_utf8(&bytes[..newline]).ok()?;
    let rest = header.strip_prefix(FORMAT)?.strip_prefix(' ')?;
    let (file_version, generation) = rest.rsplit_once(" generation ")?;
    if file_version != version {
        return None;
    }
    let generation: u32 = generation.parse().ok()?;
    let mut records = Vec::new();
    let mut at = newline + 1;
    // Stops at the first record that is cut short…
    while let Some((record, next)) = read_record(bytes, at) {
        records.push(record);
        at = next;
    }
    // …or fails its checksum (checked in parallel: hashing is most of the cost).
    let sound = records
        .par_iter()
        .position_first(|r| checksum(r.key, r.generation, &bytes[r.value.clone()]) != r.sum)
        .unwrap_or(records.len());
    records.truncate(sound);
    let records = records
        .into_iter()
        .map(|r| (r.key, (r.generation, r.value)))
        .collect();
    Some((generation, records))
}

/// One record as laid out in the file, its checksum not yet checked.
struct RawRecord {
    key: u128,
    generation: u32,
    value: std::ops::Range<usize>,
    sum: u64,
}

fn read_record(bytes: &[u8], at: usize) -> Option<(RawRecord, usize)> {
    let key = u128::from_le_bytes(bytes.get(at..at + 16)?.try_into().ok()?);
    let generation = u32::from_le_bytes(bytes.get(at + 16..at + 20)?.try_into().ok()?);
    let len = u32::from_le_bytes(bytes.get(at + 20..at + 24)?.try_into().ok()?) as usize;
    let value = at + 24..at + 24 + len;
    let sum = u64::from_le_bytes(bytes.get(value.end..value.end + 8)?.try_into().ok()?);
    let record = RawRecord {
        key,
        generation,
        value,
        sum,
    };
    Some((record, at + 32 + len))
}

/// The caches of one build: typeset formulas and highlighted code.
#[derive(Clone)]
pub struct Caches {
    /// KaTeX HTML by (engine, display mode, macros, TeX).
    pub math: Arc<Store>,
    /// Highlighted HTML by (highlighter, themes, language, code).
    pub code: Arc<Store>,
    /// Rendered articles without their HTML, by (source, its time stamp,
    /// configuration, options, binary): see `Session`.
    pub articles: Arc<Store>,
}

impl Caches {
    /// Caches that keep nothing.
    pub fn disabled() -> Self {
        Self {
            math: Arc::new(Store::disabled()),
            code: Arc::new(Store::disabled()),
            articles: Arc::new(Store::disabled()),
        }
    }

    /// The caches under `root/.blogsmith-cache`, for values made by `versions`.
    pub fn open(root: &Path, math_version: &str, code_version: &str) -> Self {
        let dir = root.join(CACHE_DIR);
        // Read and checked side by side: at 10,000 articles they weigh 600 MB.
        let articles_version = concat!("articles blogsmith-", env!("CARGO_PKG_VERSION"));
        let ((math, code), articles) = rayon::join(
            || {
                rayon::join(
                    || Store::open(&dir, "math.bin", math_version),
                    || Store::open(&dir, "code.bin", code_version),
                )
            },
            // Every build looks every article up: one it did not use was
            // changed, touched or removed, and its record is dead weight.
            || Store::open_keeping(&dir, "articles.bin", articles_version, 1),
        );
        Self {
            math: Arc::new(math),
            code: Arc::new(code),
            articles: Arc::new(articles),
        }
    }

    /// Values this build took from the caches instead of computing them.
    pub fn hits(&self) -> usize {
        self.math.hits() + self.code.hits() + self.articles.hits()
    }

    /// Writes both caches; a failure is only a lost speed-up.
    pub fn save(&self) -> std::io::Result<()> {
        self.math.save()?;
        self.code.save()?;
        self.articles.save()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> Arc<[u8]> {
        Arc::from(text.as_bytes())
    }

    #[test]
    fn values_survive_a_save_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "t.bin", "v1");
        assert_eq!(store.get(7), None);
        store.put(7, value("七"));
        store.save().unwrap();
        let again = Store::open(dir.path(), "t.bin", "v1");
        assert_eq!(again.get(7), Some("七".as_bytes()));
        assert_eq!(
            Store::open(dir.path(), "t.bin", "v2").get(7),
            None,
            "another version starts empty"
        );
    }

    #[test]
    fn damage_loses_only_what_follows_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "t.bin", "v");
        for k in 0..10u128 {
            store.put(k, value(&format!("value {k}")));
        }
        store.save().unwrap();
        let path = dir.path().join("t.bin");
        let mut bytes = std::fs::read(&path).unwrap();
        // Flip a byte in the 6th record's value (records are sorted by key).
        let header = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
        let record = 16 + 4 + 4 + "value 0".len() + 8;
        bytes[header + 5 * record + 26] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        let damaged = Store::open(dir.path(), "t.bin", "v");
        assert_eq!(
            damaged.loaded(),
            5,
            "the records before the damage are kept"
        );
        assert_eq!(damaged.get(5), None);
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        assert!(Store::open(dir.path(), "t.bin", "v").loaded() <= 5);
        std::fs::write(&path, b"garbage\x00\xff").unwrap();
        assert_eq!(Store::open(dir.path(), "t.bin", "v").loaded(), 0);
    }

    #[test]
    fn unused_records_are_evicted_after_max_age_builds() {
        let dir = tempfile::tempdir().unwrap();
        let first = Store::open(dir.path(), "t.bin", "v");
        first.put(1, value("kept"));
        first.put(2, value("dropped"));
        first.save().unwrap();
        for i in 0..MAX_AGE + 1 {
            let build = Store::open(dir.path(), "t.bin", "v");
            assert!(build.get(1).is_some());
            build.put(100 + u128::from(i), value("new"));
            build.save().unwrap();
        }
        let last = Store::open(dir.path(), "t.bin", "v");
        assert!(last.get(1).is_some());
        assert_eq!(last.get(2), None, "unused for {MAX_AGE} builds");
    }

    #[test]
    fn a_store_keeping_one_build_drops_what_the_build_did_not_use() {
        let dir = tempfile::tempdir().unwrap();
        let first = Store::open_keeping(dir.path(), "a.bin", "v", 1);
        first.put(1, value("old version"));
        first.put(2, value("kept"));
        first.save().unwrap();
        let second = Store::open_keeping(dir.path(), "a.bin", "v", 1);
        assert!(second.get(2).is_some());
        second.put(3, value("new version"));
        second.save().unwrap();
        let third = Store::open_keeping(dir.path(), "a.bin", "v", 1);
        assert_eq!(third.get(1), None, "unused by the last build");
        assert!(third.get(2).is_some() && third.get(3).is_some());
    }

    #[test]
    fn a_build_that_adds_nothing_leaves_the_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        let first = Store::open(dir.path(), "t.bin", "v");
        first.put(1, value("one"));
        first.save().unwrap();
        let path = dir.path().join("t.bin");
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        for _ in 0..MAX_AGE + 1 {
            let build = Store::open(dir.path(), "t.bin", "v");
            assert!(build.get(1).is_some());
            build.save().unwrap();
        }
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            before
        );
        assert!(Store::open(dir.path(), "t.bin", "v").get(1).is_some());
    }

    #[test]
    fn a_disabled_store_keeps_nothing() {
        let store = Store::disabled();
        store.put(1, value("x"));
        assert_eq!(store.get(1), None);
        store.save().unwrap();
    }

    #[test]
    fn keys_depend_on_every_part() {
        assert_ne!(
            key(&[b"ab", b"c"]),
            key(&[b"a", b"bc"]),
            "parts are length-prefixed"
        );
        assert_eq!(key(&[b"x"]), key(&[b"x"]));
    }
}
