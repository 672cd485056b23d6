//! The persistent render cache: `.blogsmith-cache/` at the site root.
//!
//! Typeset formulas, highlighted code blocks and rendered articles are pure
//! functions of their input (and of the engine's version, the macros, the
//! themes), so a build keeps them for the next one. Each kind is two files:
//! a data file of records laid end to end (`math-3.data`), and an index
//! (`math.bin`, see [`index`]) giving each record's key, place, generation
//! and checksum. A build reads the index (40 bytes a record) and then only the
//! records it uses, where they lie: at 100,000 articles the data files weigh
//! gigabytes, and one edit uses a few of their records.
//!
//! Saving appends the records a build made to the data file and writes a new
//! index beside the old one, then renames it over: the index is the commit
//! point, so a killed build leaves the previous cache (bytes it appended past
//! the old index's length are overwritten by the next). When dead records (no
//! longer in the index) pass half the data file, the live ones are copied to
//! a new data file instead, which the new index names, and the old file is
//! removed.
//!
//! Safety: a record whose checksum does not match is a miss, computed again
//! and replaced. Growth is bounded: a record not used for [`MAX_AGE`] builds
//! that added records leaves the index when it is saved. A build that adds
//! nothing leaves the files as they are.

mod index;

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::hash::Hasher as _;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use index::Entry;

use crate::util::fsio::{read_exact_at, write_all_at};
use crate::util::hash::StableHasher;
use crate::util::lock;

/// Builds a record may go unused before it is dropped.
pub const MAX_AGE: u32 = 8;

/// One kind of cached values (formulas, code blocks), shared by all threads of a build.
pub struct Store {
    /// The index file; `None` for a store that keeps nothing.
    path: Option<PathBuf>,
    version: String,
    generation: u32,
    /// Builds (that added records) a record may go unused before it is dropped.
    max_age: u32,
    /// The data file the index names, open for reading, if there is one.
    data: Option<DataFile>,
    /// The index's records.
    old: HashMap<u128, Entry>,
    used: Mutex<HashSet<u128>>,
    new: Mutex<New>,
    /// Whether new records go to a file as they come (see [`Store::keeping_new_on_disk`]).
    new_on_disk: bool,
    hits: std::sync::atomic::AtomicUsize,
}

/// A data file as the index knows it.
struct DataFile {
    name: String,
    file: File,
    /// The length the index covers.
    len: u64,
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

impl NewValue {
    fn len(&self) -> usize {
        match self {
            NewValue::Memory(bytes) => bytes.len(),
            NewValue::File { len, .. } => *len,
        }
    }
}

impl New {
    /// Appends `bytes` to the file of new records beside `path` (made on the
    /// first call); `None` when it cannot be written.
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
            data: None,
            old: HashMap::new(),
            used: Mutex::new(HashSet::new()),
            new: Mutex::new(New::default()),
            new_on_disk: false,
            hits: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Opens the store indexed by `dir/name`, whose values were made by
    /// `version` (engine versions, themes…).
    ///
    /// A missing, foreign or damaged index is not an error: the cache starts
    /// empty. Nothing is written (a read-only build leaves the cache as it was).
    pub fn open(dir: &Path, name: &str, version: &str) -> Self {
        Self::open_keeping(dir, name, version, MAX_AGE)
    }

    /// Like [`Store::open`], dropping records unused for `max_age` builds that
    /// added records (1: every record this build did not use).
    pub fn open_keeping(dir: &Path, name: &str, version: &str, max_age: u32) -> Self {
        let path = dir.join(name);
        let opened = index::read(&path)
            .and_then(|bytes| index::parse(&bytes, version))
            .and_then(|index| {
                let file = File::open(dir.join(&index.data)).ok()?;
                // A data file shorter than the index says is not the one it was written with.
                (file.metadata().ok()?.len() >= index.data_len).then_some((index, file))
            });
        let Some((index, file)) = opened else {
            return Self {
                max_age,
                ..Self::empty(Some(path), version.to_string(), 1)
            };
        };
        Self {
            generation: index.generation + 1,
            max_age,
            data: Some(DataFile {
                name: index.data,
                file,
                len: index.data_len,
            }),
            old: index.entries,
            ..Self::empty(Some(path), version.to_string(), 0)
        }
    }

    /// The value for `key`, if a previous build stored it.
    #[cfg(test)]
    pub fn get(&self, key: u128) -> Option<Vec<u8>> {
        let bytes = self.read_old(key)?;
        self.count_use(key);
        Some(bytes)
    }

    /// The value for `key` read by `read`, if a previous build stored it and
    /// `read` accepts it; only accepted values count as used and as hits.
    pub fn get_with<T>(&self, key: u128, read: impl FnOnce(&[u8]) -> Option<T>) -> Option<T> {
        let value = read(&self.read_old(key)?)?;
        self.count_use(key);
        Some(value)
    }

    /// The bytes of the old record `key`, read from the data file where they
    /// lie, if its checksum holds (a damaged record is computed again, and
    /// replaced by the next save).
    fn read_old(&self, key: u128) -> Option<Vec<u8>> {
        self.path.as_ref()?;
        let entry = self.old.get(&key)?;
        let data = self.data.as_ref()?;
        let bytes = read_exact_at(&data.file, entry.offset, entry.len as usize).ok()?;
        (checksum(key, &bytes) == entry.sum).then_some(bytes)
    }

    fn count_use(&self, key: u128) {
        lock(&self.used).insert(key);
        self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
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
        let sum = checksum(key, &value);
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

    /// How many records the index lists.
    #[cfg(test)]
    pub fn loaded(&self) -> usize {
        self.old.len()
    }

    /// Saves the records made by this build, and keeps those used by it or
    /// in the last [`MAX_AGE`] builds; does nothing when this build made no
    /// record. The new records are appended to the data file, or, when more
    /// than half of it would be dead, the live records are copied to a new one.
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
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return Ok(());
        };
        let name = name.to_string_lossy();
        std::fs::create_dir_all(dir)?;
        let kept = self.kept_records(&used, &new);
        let mut made: Vec<(u128, &NewValue, u64)> = new
            .values
            .iter()
            .map(|(key, (value, sum))| (*key, value, *sum))
            .collect();
        // A stable order: the same builds give the same files.
        made.sort_unstable_by_key(|(key, _, _)| *key);
        let live: u64 = kept.iter().map(|(_, e)| u64::from(e.len)).sum();
        let appended = self
            .data
            .as_ref()
            .filter(|data| (data.len - live) * 2 <= data.len + made_len(&made))
            .and_then(|data| self.append(dir, data, &new, &made).ok());
        let mut written = match appended {
            Some(mut written) => {
                written.entries.extend(kept);
                written
            }
            None => self.rewrite(dir, &name, kept, &new, &made)?,
        };
        written.entries.sort_unstable_by_key(|(key, _)| *key);
        let data_name = written.data;
        let bytes = index::encode(
            &self.version,
            self.generation,
            &data_name,
            written.len,
            &written.entries,
        );
        let temp = lock::work_file(dir, &format!("{name}.tmp"));
        let written = std::fs::write(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        written?;
        remove_other_data_files(dir, &name, &data_name);
        Ok(())
    }

    /// The index's records this save keeps: those used by this build (under
    /// its generation), and unused ones younger than `max_age`; not those
    /// this build made again.
    fn kept_records(&self, used: &HashSet<u128>, new: &New) -> Vec<(u128, Entry)> {
        self.old
            .iter()
            .filter(|(key, _)| !new.values.contains_key(key))
            .filter_map(|(key, entry)| {
                if used.contains(key) {
                    Some((
                        *key,
                        Entry {
                            generation: self.generation,
                            ..*entry
                        },
                    ))
                } else {
                    (self.generation.saturating_sub(entry.generation) < self.max_age)
                        .then_some((*key, *entry))
                }
            })
            .collect()
    }

    /// The name of the data file the index named, or none.
    fn data_name(&self) -> String {
        self.data
            .as_ref()
            .map_or_else(String::new, |data| data.name.clone())
    }

    /// Appends the records `made` to the data file, after the part its index
    /// covers. The file is opened again by name: if another build has
    /// replaced it meanwhile, this fails, and the caller writes a new one.
    fn append(
        &self,
        dir: &Path,
        data: &DataFile,
        new: &New,
        made: &[(u128, &NewValue, u64)],
    ) -> std::io::Result<Written> {
        let mut file = File::options().write(true).open(dir.join(&data.name))?;
        file.seek(SeekFrom::Start(data.len))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let entries = self.write_made(&mut out, data.len, new, made)?;
        out.into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        Ok(Written {
            data: data.name.clone(),
            len: entries.last().map_or(data.len, |(_, e)| e.end()),
            entries,
        })
    }

    /// Writes `made` from `at` on; their entries.
    fn write_made(
        &self,
        out: &mut impl Write,
        mut at: u64,
        new: &New,
        made: &[(u128, &NewValue, u64)],
    ) -> std::io::Result<Vec<(u128, Entry)>> {
        let mut entries = Vec::with_capacity(made.len());
        for (key, value, sum) in made {
            let bytes = new.read(value)?;
            out.write_all(&bytes)?;
            let entry = Entry {
                generation: self.generation,
                offset: at,
                len: u32::try_from(bytes.len()).map_err(std::io::Error::other)?,
                sum: *sum,
            };
            at = entry.end();
            entries.push((*key, entry));
        }
        Ok(entries)
    }

    /// Writes a new data file: the `kept` records (copied in the order they
    /// lie, and checked: a damaged one is dropped), then the `made` ones.
    fn rewrite(
        &self,
        dir: &Path,
        name: &str,
        mut kept: Vec<(u128, Entry)>,
        new: &New,
        made: &[(u128, &NewValue, u64)],
    ) -> std::io::Result<Written> {
        let data_name = index::data_name(name, next_epoch(dir, name, &self.data_name()));
        let temp = lock::work_file(dir, &format!("{data_name}.tmp"));
        let written = (|| {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, File::create(&temp)?);
            kept.sort_unstable_by_key(|(_, entry)| entry.offset);
            let mut entries = Vec::with_capacity(kept.len() + made.len());
            let mut at = 0;
            for (key, entry) in kept {
                let Some(bytes) = self.read_old(key) else {
                    continue;
                };
                out.write_all(&bytes)?;
                let moved = Entry {
                    offset: at,
                    ..entry
                };
                at = moved.end();
                entries.push((key, moved));
            }
            entries.extend(self.write_made(&mut out, at, new, made)?);
            out.into_inner()
                .map_err(std::io::IntoInnerError::into_error)?;
            std::fs::rename(&temp, dir.join(&data_name))?;
            Ok(Written {
                data: data_name.clone(),
                len: entries.iter().map(|(_, e)| e.end()).max().unwrap_or(0),
                entries,
            })
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        written
    }
}

/// A data file as a save left it: its name, its length, and the entries
/// of the records the save wrote to it.
struct Written {
    data: String,
    len: u64,
    entries: Vec<(u128, Entry)>,
}

/// The total length of the records `made`.
fn made_len(made: &[(u128, &NewValue, u64)]) -> u64 {
    made.iter().map(|(_, value, _)| value.len() as u64).sum()
}

/// A number for a new data file of the store indexed by `name`: one more
/// than any in `dir` and than the one this build read (`current`), which
/// another build may have removed meanwhile.
fn next_epoch(dir: &Path, name: &str, current: &str) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| index::data_epoch(name, &entry.file_name().to_string_lossy()))
        .chain(index::data_epoch(name, current))
        .max()
        .map_or(1, |epoch| epoch + 1)
}

/// Removes the data files of the store indexed by `name` but `keep`: those a
/// new data file replaced, or a build left before writing its index.
fn remove_other_data_files(dir: &Path, name: &str, keep: &str) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if file_name != keep && index::data_epoch(name, &file_name).is_some() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The file name of `path`, for naming working files after it.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// XXH3 of the key and the value.
fn checksum(key: u128, bytes: &[u8]) -> u64 {
    let mut hasher = StableHasher::new();
    hasher.write(&key.to_le_bytes());
    hasher.write(bytes);
    hasher.finish()
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
        // Read side by side: at 100,000 articles the indexes weigh 60 MB.
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
mod tests;
