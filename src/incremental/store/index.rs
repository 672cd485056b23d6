//! A store's index file: which records its data file holds, and where.
//!
//! Layout: one header line, `blogsmith-cache 3 xxh3 generation G records
//! NAME LEN version V` (the data file's name, and the length of it the index
//! covers; the version last, as it may hold spaces), then one 40-byte entry
//! per record sorted by key (`key 16 · generation 4 · offset 8 · length 4 ·
//! checksum 8`, little-endian), then the XXH3 of all that (8 bytes). An index
//! whose hash does not match is not read at all: its offsets cannot be trusted.

use std::collections::HashMap;
use std::hash::Hasher as _;

use crate::util::hash::StableHasher;

/// The format of index and data files; the version of what records hold is
/// the cache version (`build.rs`), given by the caller.
const FORMAT: &str = "blogsmith-cache 3 xxh3";

/// Bytes per entry.
const ENTRY: usize = 40;

/// Where a record's bytes lie in the data file, the last generation that
/// used it, and the checksum of its key and bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Entry {
    pub generation: u32,
    pub offset: u64,
    pub len: u32,
    pub sum: u64,
}

impl Entry {
    /// The offset just past the record.
    pub fn end(&self) -> u64 {
        self.offset + u64::from(self.len)
    }
}

/// An index as read from its file.
#[derive(Debug, Default)]
pub(super) struct Index {
    pub generation: u32,
    /// The data file's name, in the same folder.
    pub data: String,
    /// How much of the data file the entries cover (anything after it was
    /// left by a build that ended before writing its index).
    pub data_len: u64,
    pub entries: HashMap<u128, Entry>,
}

/// The bytes of the index file at `path`, if it starts as an index does:
/// a cache file of an older format (gigabytes of records at 100,000
/// articles) is not read whole to be found foreign.
pub(super) fn read(path: &std::path::Path) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path).ok()?;
    let mut start = vec![0; FORMAT.len()];
    file.read_exact(&mut start).ok()?;
    if start != FORMAT.as_bytes() {
        return None;
    }
    file.read_to_end(&mut start).ok()?;
    Some(start)
}

/// The index in `bytes`, if it is whole and made for `version`.
pub(super) fn parse(bytes: &[u8], version: &str) -> Option<Index> {
    let (body, trailer) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    if hash(body) != u64::from_le_bytes(trailer.try_into().ok()?) {
        return None;
    }
    let newline = body.iter().position(|&b| b == b'\n')?;
    let header = std::str::from_utf8(&body[..newline]).ok()?;
    let rest = header.strip_prefix(FORMAT)?.strip_prefix(" generation ")?;
    let (fields, file_version) = rest.split_once(" version ")?;
    if file_version != version {
        return None;
    }
    let mut fields = fields.split(' ');
    let generation = fields.next()?.parse().ok()?;
    let (Some("records"), Some(data), Some(data_len), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return None;
    };
    let data_len: u64 = data_len.parse().ok()?;
    let table = &body[newline + 1..];
    if table.len() % ENTRY != 0 || !is_data_name(data) {
        return None;
    }
    let entries = table
        .chunks_exact(ENTRY)
        .map(read_entry)
        .filter(|(_, entry)| entry.end() <= data_len)
        .collect();
    Some(Index {
        generation,
        data: data.to_string(),
        data_len,
        entries,
    })
}

fn read_entry(bytes: &[u8]) -> (u128, Entry) {
    let field = |at: usize, len: usize| &bytes[at..at + len];
    let u128_at = |at| u128::from_le_bytes(field(at, 16).try_into().unwrap_or_default());
    let u64_at = |at| u64::from_le_bytes(field(at, 8).try_into().unwrap_or_default());
    let u32_at = |at| u32::from_le_bytes(field(at, 4).try_into().unwrap_or_default());
    (
        u128_at(0),
        Entry {
            generation: u32_at(16),
            offset: u64_at(20),
            len: u32_at(28),
            sum: u64_at(32),
        },
    )
}

/// The bytes of an index file: `entries` must be sorted by key (the same
/// records give the same file).
pub(super) fn encode(
    version: &str,
    generation: u32,
    data: &str,
    data_len: u64,
    entries: &[(u128, Entry)],
) -> Vec<u8> {
    let header =
        format!("{FORMAT} generation {generation} records {data} {data_len} version {version}\n");
    let mut bytes = Vec::with_capacity(header.len() + entries.len() * ENTRY + 8);
    bytes.extend_from_slice(header.as_bytes());
    for (key, entry) in entries {
        bytes.extend_from_slice(&key.to_le_bytes());
        bytes.extend_from_slice(&entry.generation.to_le_bytes());
        bytes.extend_from_slice(&entry.offset.to_le_bytes());
        bytes.extend_from_slice(&entry.len.to_le_bytes());
        bytes.extend_from_slice(&entry.sum.to_le_bytes());
    }
    let sum = hash(&bytes);
    bytes.extend_from_slice(&sum.to_le_bytes());
    bytes
}

/// The name of the data file numbered `epoch` of the store whose index is `index_name`.
pub(super) fn data_name(index_name: &str, epoch: u64) -> String {
    format!("{}-{epoch}.data", stem(index_name))
}

/// The number of a data file of the store whose index is `index_name`, if `name` is one.
pub(super) fn data_epoch(index_name: &str, name: &str) -> Option<u64> {
    name.strip_prefix(stem(index_name))?
        .strip_prefix('-')?
        .strip_suffix(".data")?
        .parse()
        .ok()
}

/// `math` for `math.bin`.
fn stem(index_name: &str) -> &str {
    index_name.strip_suffix(".bin").unwrap_or(index_name)
}

/// Whether `name` could be a data file's name (no path, no spaces).
fn is_data_name(name: &str) -> bool {
    name.ends_with(".data") && !name.contains(['/', '\\', ' ']) && !name.starts_with('.')
}

fn hash(bytes: &[u8]) -> u64 {
    let mut hasher = StableHasher::new();
    hasher.write(bytes);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(offset: u64, len: u32) -> Entry {
        Entry {
            generation: 3,
            offset,
            len,
            sum: 99,
        }
    }

    #[test]
    fn an_index_reads_back_as_written() {
        let entries = [(1, entry(0, 5)), (7, entry(5, 10))];
        let bytes = encode("v 1 themes a b", 4, "math-2.data", 15, &entries);
        let index = parse(&bytes, "v 1 themes a b").unwrap();
        assert_eq!((index.generation, index.data.as_str()), (4, "math-2.data"));
        assert_eq!(index.data_len, 15);
        assert_eq!(index.entries[&7], entry(5, 10));
        assert!(parse(&bytes, "v 2").is_none(), "another version");
    }

    #[test]
    fn a_damaged_or_cut_index_is_not_read() {
        let bytes = encode("v", 1, "t-1.data", 15, &[(1, entry(0, 15))]);
        for at in [0, 10, bytes.len() - 20, bytes.len() - 1] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x10;
            assert!(parse(&damaged, "v").is_none(), "byte {at}");
        }
        assert!(parse(&bytes[..bytes.len() - 3], "v").is_none());
        assert!(parse(b"", "v").is_none());
    }

    #[test]
    fn entries_past_the_covered_length_are_dropped() {
        let bytes = encode(
            "v",
            1,
            "t-1.data",
            10,
            &[(1, entry(0, 10)), (2, entry(10, 1))],
        );
        let index = parse(&bytes, "v").unwrap();
        assert_eq!(index.entries.len(), 1);
    }

    #[test]
    fn only_files_starting_as_an_index_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.bin");
        let bytes = encode("v", 1, "t-1.data", 0, &[]);
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read(&path), Some(bytes));
        std::fs::write(&path, "blogsmith-cache 2 xxh3 v generation 1\n").unwrap();
        assert_eq!(read(&path), None, "an older format");
        std::fs::write(&path, "short").unwrap();
        assert_eq!(read(&path), None);
    }

    #[test]
    fn data_files_are_named_after_the_index() {
        assert_eq!(data_name("math.bin", 12), "math-12.data");
        assert_eq!(data_epoch("math.bin", "math-12.data"), Some(12));
        assert_eq!(data_epoch("math.bin", "mathx-12.data"), None);
        assert_eq!(data_epoch("math.bin", "code-1.data"), None);
        let bytes = encode("v", 1, "../escape.data", 0, &[]);
        assert!(parse(&bytes, "v").is_none(), "a data file elsewhere");
    }
}
