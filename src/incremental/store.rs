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
use std::hash::Hasher as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;

use crate::util::fsio::{read_exact_at, read_large, write_all_at};
use crate::util::hash::StableHasher;
use crate::util::lock;

/// Builds a record may go unused before it is dropped.
pub const MAX_AGE: u32 = 8;

/// The record format; the version of what records hold is the cache version
/// (`build.rs`), given by the caller.
const FORMAT: &str = "blogsmith-cache 2 xxh3";

/// Records by key, as read from the file, their checksums not yet checked.
type Records = HashMap<u128, OldRecord>;

/// A record of the file: the generation that last used it, where its bytes
/// are in the file's contents (kept whole: copying each record out cost more
/// than the rest of loading), and its checksum. Checked when the record is
/// used or kept, not when the file is read: a build uses a small part of a
/// large cache (one edit at 10,000 articles: 25 of 73,000 formulas), and
/// hashing all 600 MB cost more than reading them.
struct OldRecord {
    generation: u32,
    range: std::ops::Range<usize>,
    sum: u64,
}

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
    new: Mutex<New>,
    /// Whether new records go to a file as they come (see [`Store::keeping_new_on_disk`]).
    new_on_disk: bool,
    hits: std::sync::atomic::AtomicUsize,
}

/// The records a build made, until [`Store::save`] merges them into the file.
#[derive(Default)]
struct New {
    /// Each record, with its checksum (computed by `put`, on the thread that
    /// made the value, so that saving does not read file records twice).
    values: HashMap<u128, (NewValue, u64)>,
    /// Where records go when kept on disk: a file made beside the cache file
    /// (and unlinked at once), and its length.
    file: Option<(std::fs::File, u64)>,
}

enum NewValue {
    Memory(Arc<[u8]>),
    /// `len` bytes at `offset` in [`New::file`].
    File {
        offset: u64,
        len: usize,
    },
}

impl New {
    /// Appends `bytes` to the file of new records beside `path` (made on the
    /// first call); `None` when it cannot be written.
    #[cfg(unix)]
    fn append(&mut self, path: &Path, bytes: &[u8]) -> Option<NewValue> {
        if self.file.is_none() {
            let dir = path.parent()?;
            std::fs::create_dir_all(dir).ok()?;
            let temp = lock::work_file(dir, &format!("{}.new", file_name(path)));
            let file = std::fs::File::options()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(&temp)
                .ok()?;
            // Unlinked at once, used through its handle: nothing is left behind,
            // however the build ends.
            let _ = std::fs::remove_file(&temp);
            self.file = Some((file, 0));
        }
        let (file, end) = self.file.as_mut()?;
        write_all_at(file, bytes, *end).ok()?;
        let offset = *end;
        *end += bytes.len() as u64;
        Some(NewValue::File {
            offset,
            len: bytes.len(),
        })
    }

    #[cfg(not(unix))]
    fn append(&mut self, _: &Path, _: &[u8]) -> Option<NewValue> {
        None
    }

    /// The bytes of a new record.
    fn read<'v>(&self, value: &'v NewValue) -> std::io::Result<std::borrow::Cow<'v, [u8]>> {
        match value {
            NewValue::Memory(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
            NewValue::File { offset, len } => {
                self.read_at(*offset, *len).map(std::borrow::Cow::Owned)
            }
        }
    }

    fn read_at(&self, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        let Some((file, _)) = &self.file else {
            return Err(std::io::Error::other("no file of new records"));
        };
        read_exact_at(file, offset, len)
    }
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
            new: Mutex::new(New::default()),
            new_on_disk: false,
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
        let Ok(bytes) = read_large(&path) else {
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
        let record = self.old.get(&key)?;
        let bytes = self.data.get(record.range.clone())?;
        if checksum(key, record.generation, bytes) != record.sum {
            // Damaged: computed again, and dropped by the next save.
            return None;
        }
        let value = read(bytes)?;
        lock(&self.used).insert(key);
        self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Some(value)
    }

    /// The same store, writing the records this build makes to a file beside
    /// the cache file as they come instead of holding them until [`Store::save`]
    /// (highlighted code and articles: 310 MB at 10,000 articles). For values
    /// nothing else keeps in memory.
    pub fn keeping_new_on_disk(self) -> Self {
        Self {
            new_on_disk: true,
            ..self
        }
    }

    /// Remembers `value` for `key`, for the next build.
    pub fn put(&self, key: u128, value: Arc<[u8]>) {
        let Some(path) = &self.path else {
            return;
        };
        let sum = checksum(key, self.generation, &value);
        let mut new = lock(&self.new);
        let stored = if self.new_on_disk {
            new.append(path, &value)
        } else {
            None
        };
        new.values
            .insert(key, (stored.unwrap_or(NewValue::Memory(value)), sum));
    }

    /// How many lookups this build found in the store.
    pub fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many records were read from disk.
    #[cfg(test)]
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
        if new.values.is_empty() && path.exists() {
            return Ok(());
        }
        if crate::util::trace::enabled() {
            eprintln!(
                "trace: {} new records in {}",
                new.values.len(),
                path.display()
            );
        }
        let mut records: Vec<(u128, u32, Value<'_>)> =
            Vec::with_capacity(self.old.len() + new.values.len());
        for (key, record) in &self.old {
            let Some(bytes) = self.data.get(record.range.clone()) else {
                continue;
            };
            if new.values.contains_key(key) {
                continue;
            }
            if used.contains(key) {
                records.push((*key, self.generation, Value::Old(bytes)));
            } else if self.generation.saturating_sub(record.generation) < self.max_age {
                records.push((*key, record.generation, Value::Unchecked(bytes, record.sum)));
            }
        }
        // Records kept without being used are checked now: a damaged one must
        // not be written again under a good checksum.
        let sound: Vec<bool> = records
            .par_iter()
            .map(|(key, generation, value)| match value {
                Value::Unchecked(bytes, sum) => checksum(*key, *generation, bytes) == *sum,
                _ => true,
            })
            .collect();
        let mut sound = sound.into_iter();
        records.retain(|_| sound.next().unwrap_or(false));
        records.extend(
            new.values
                .iter()
                .map(|(key, (value, sum))| (*key, self.generation, Value::New(value, *sum))),
        );
        // A stable order: the same cache content gives the same file.
        records.sort_unstable_by_key(|(key, _, _)| *key);
        // Hashing is most of the cost: checksums in parallel, then the file
        // streamed (a buffer of the whole file was 290 MB at 10,000 articles).
        let sums: Vec<u64> = records
            .par_iter()
            .map(|(key, generation, value)| match value {
                Value::Old(bytes) => checksum(*key, *generation, bytes),
                Value::Unchecked(_, sum) | Value::New(_, sum) => *sum,
            })
            .collect();
        let Some(dir) = path.parent() else {
            return Ok(());
        };
        std::fs::create_dir_all(dir)?;
        let temp = lock::work_file(dir, &format!("{}.tmp", file_name(path)));
        let written = (|| {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&temp)?);
            writeln!(
                out,
                "{FORMAT} {} generation {}",
                self.version, self.generation
            )?;
            for ((key, generation, value), sum) in records.iter().zip(sums) {
                write_record(&mut out, *key, *generation, &value.bytes(&new)?, sum)?;
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

/// The file name of `path`, for naming working files after it.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// A record's bytes when saving: in the loaded file, or made by this build.
enum Value<'a> {
    /// Used by this build (so checked), under the new generation.
    Old(&'a [u8]),
    /// Not used, kept with its generation and checksum (checked before writing).
    Unchecked(&'a [u8], u64),
    /// Made by this build, with its checksum.
    New(&'a NewValue, u64),
}

impl<'a> Value<'a> {
    fn bytes(&self, new: &New) -> std::io::Result<std::borrow::Cow<'a, [u8]>> {
        match self {
            Value::Old(bytes) | Value::Unchecked(bytes, _) => Ok(std::borrow::Cow::Borrowed(bytes)),
            Value::New(value, _) => new.read(value),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// XXH3 of the key, the generation and the value, as laid out in the file.
fn checksum(key: u128, generation: u32, bytes: &[u8]) -> u64 {
    let mut hasher = StableHasher::new();
    hasher.write(&key.to_le_bytes());
    hasher.write(&generation.to_le_bytes());
    hasher.write(bytes);
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
    let mut records = HashMap::new();
    let mut at = newline + 1;
    // Stops at the first record that is cut short; checksums are checked
    // when records are used or kept (see [`OldRecord`]).
    while let Some((record, next)) = read_record(bytes, at) {
        records.insert(
            record.key,
            OldRecord {
                generation: record.generation,
                range: record.value,
                sum: record.sum,
            },
        );
        at = next;
    }
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

/// The version of everything cached: derived by `build.rs` from the sources
/// that can change what a build writes, so a changed blogsmith never reads
/// another's records.
pub const CACHE_VERSION: &str = env!("BLOGSMITH_CACHE_VERSION");

/// The stores of one build: typeset formulas, highlighted code, articles.
#[derive(Clone)]
pub struct Stores {
    /// KaTeX HTML by (display mode, macros, TeX).
    pub math: Arc<Store>,
    /// Highlighted HTML by (language, code), for the themes in the version.
    pub code: Arc<Store>,
    /// Rendered articles without their HTML, by (source path, bytes,
    /// configuration, options): see `incremental::articles`.
    pub articles: Arc<Store>,
}

impl Stores {
    /// Stores that keep nothing (`--no-cache`).
    pub fn disabled() -> Self {
        Self {
            math: Arc::new(Store::disabled()),
            code: Arc::new(Store::disabled()),
            articles: Arc::new(Store::disabled()),
        }
    }

    /// The stores in `dir` (the render cache folder); `themes` names the
    /// highlighting themes, which the code store's HTML depends on.
    pub fn open(dir: &Path, themes: &str) -> Self {
        lock::remove_dead_work_files(dir);
        let code_version = format!("{CACHE_VERSION} themes {themes}");
        // Read side by side: at 10,000 articles they weigh 600 MB.
        let ((math, code), articles) = rayon::join(
            || {
                rayon::join(
                    // New formulas on disk too: the math engine keeps only the
                    // recent ones in memory, whatever the size of the site.
                    || Store::open(dir, "math.bin", CACHE_VERSION).keeping_new_on_disk(),
                    || Store::open(dir, "code.bin", &code_version).keeping_new_on_disk(),
                )
            },
            // Every build looks every article up: one it did not use was
            // changed, touched or removed, and its record is dead weight.
            || Store::open_keeping(dir, "articles.bin", CACHE_VERSION, 1).keeping_new_on_disk(),
        );
        Self {
            math: Arc::new(math),
            code: Arc::new(code),
            articles: Arc::new(articles),
        }
    }

    /// Values this build took from the stores instead of computing them.
    pub fn hits(&self) -> usize {
        self.math.hits() + self.code.hits() + self.articles.hits()
    }

    /// Writes the stores; a failure is only a lost speed-up.
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
    fn new_records_kept_on_disk_are_saved_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let in_memory = Store::open(&dir.path().join("a"), "t.bin", "v");
        let on_disk = Store::open(&dir.path().join("b"), "t.bin", "v").keeping_new_on_disk();
        for k in 0..50u128 {
            let text = format!("记录 {k} ").repeat(k as usize + 1);
            in_memory.put(k, value(&text));
            on_disk.put(k, value(&text));
        }
        // Kept in a file (unlinked: nothing to clean up) until saved, not in memory.
        assert!(
            lock(&on_disk.new)
                .values
                .values()
                .all(|(v, _)| matches!(v, NewValue::File { .. }))
        );
        in_memory.save().unwrap();
        on_disk.save().unwrap();
        drop(on_disk);
        assert_eq!(
            std::fs::read(dir.path().join("a/t.bin")).unwrap(),
            std::fs::read(dir.path().join("b/t.bin")).unwrap(),
            "the same file either way"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path().join("b"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["t.bin"], "the file of new records is gone");
        let again = Store::open(&dir.path().join("b"), "t.bin", "v");
        assert_eq!(again.get(49), Some("记录 49 ".repeat(50).as_bytes()));
    }

    #[cfg(unix)]
    #[test]
    fn files_left_by_killed_builds_are_removed() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        // No process has this id (above the kernels' pid limits).
        let dead = [
            ".blogsmith-4999999-code.bin.new",
            ".blogsmith-4999999-math.bin.tmp",
        ];
        for name in dead.iter().chain(&["code.bin"]) {
            std::fs::write(dir.join(name), "x").unwrap();
        }
        let _mark = lock::LiveMark::take(dir, lock::WORK_PREFIX).unwrap();
        let own = lock::work_file(dir, "articles.bin.new");
        std::fs::write(&own, "x").unwrap();
        Stores::open(dir, "light dark");
        let mut left: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| !lock::is_mark(name))
            .collect();
        left.sort();
        let own = own.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(left, [own, "code.bin".to_string()]);
    }

    #[test]
    fn damage_loses_only_the_damaged_record() {
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
        assert_eq!(damaged.get(5), None, "a damaged record is a miss");
        assert_eq!(damaged.get(4), Some("value 4".as_bytes()));
        assert_eq!(damaged.get(6), Some("value 6".as_bytes()));
        // Saved again (with a new record), it drops the damaged one rather
        // than writing it under a good checksum; the unused ones stay.
        damaged.put(10, value("value 10"));
        damaged.save().unwrap();
        let again = Store::open(dir.path(), "t.bin", "v");
        assert_eq!(again.loaded(), 10);
        assert_eq!(again.get(5), None);
        for k in [0, 9, 10] {
            assert!(again.get(k).is_some(), "{k}");
        }
        // Cut short: the records before the cut are kept.
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        let cut = Store::open(dir.path(), "t.bin", "v");
        assert_eq!(cut.loaded(), 9);
        assert_eq!(cut.get(8), Some("value 8".as_bytes()));
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
}
