//! What the previous build wrote, so the next one can keep unchanged files.
//!
//! A build writes the whole site into a new folder and swaps it in (see
//! the `output` module). Most files are usually the same as last time: rewriting
//! them costs writes, and deleting the previous copies costs as much again (at
//! 10,000 articles, deleting the old output alone took longer than the build).
//! So each build records, for every file it wrote, a hash of its bytes and the
//! file's stamp (inode, size, modification time). The next build hard-links a
//! file from the previous output instead of writing it when the bytes hash the
//! same and the old file's stamp shows nobody touched it since.
//!
//! Hard links keep the previous output untouched: files are never written in
//! place, only created in the new folder. A stale or damaged manifest costs
//! only speed: an entry that does not match is ignored and the file written.
//! Unchanged files also keep their modification time, so `rsync`-style
//! deploys skip them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::util::hash::hash_bytes;

/// Bumped when the format changes: a manifest of another format is ignored.
const FORMAT: u32 = 2;

/// One written file: a hash of its bytes and its stamp after writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputEntry {
    /// `None` for copies of source files, which are never linked.
    hash: Option<u64>,
    stamp: FileId,
    /// For rendered pages, the hash of everything the page was rendered from.
    #[serde(default)]
    key: Option<u64>,
}

impl OutputEntry {
    /// Whether `meta` is the file this entry describes (the same file, or a
    /// hard link to it, untouched since).
    pub fn describes(&self, meta: &std::fs::Metadata) -> bool {
        meta.is_file() && FileId::of(meta) == Some(self.stamp)
    }

    /// The same entry for a page rendered from inputs hashing to `key`.
    pub fn with_key(self, key: Option<u64>) -> Self {
        Self { key, ..self }
    }
}

/// What `stat` says of a written file, enough to tell it was not rewritten
/// since: unlike a source's `util::stamp::Stamp`, no change time, which
/// linking the file changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct FileId {
    device: u64,
    inode: u64,
    len: u64,
    modified: (i64, i64),
}

impl FileId {
    #[cfg(unix)]
    fn of(meta: &std::fs::Metadata) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        Some(Self {
            device: meta.dev(),
            inode: meta.ino(),
            len: meta.len(),
            modified: (meta.mtime(), meta.mtime_nsec()),
        })
    }

    /// Elsewhere files are always written.
    #[cfg(not(unix))]
    fn of(_: &std::fs::Metadata) -> Option<Self> {
        None
    }
}

/// The files of one output folder, by path relative to it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    format: u32,
    output: PathBuf,
    files: HashMap<String, OutputEntry>,
}

impl Manifest {
    /// An empty manifest for `output`.
    pub fn new(output: &Path) -> Self {
        Self {
            format: FORMAT,
            output: output.to_path_buf(),
            files: HashMap::new(),
        }
    }

    /// The manifest saved at `path` for `output`; an empty one when there is
    /// none, it is damaged, or it describes another folder.
    pub fn load(path: &Path, output: &Path) -> Self {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Self>(&bytes).ok())
            .filter(|m| m.format == FORMAT && m.output == output)
            .unwrap_or_else(|| Self::new(output))
    }

    /// Saves the manifest at `path`, atomically (written beside, then renamed).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let temp = crate::util::lock::work_file(
            path.parent().unwrap_or(Path::new(".")),
            "output.json.tmp",
        );
        let bytes = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        std::fs::write(&temp, bytes)?;
        std::fs::rename(&temp, path)
    }

    /// Records that `path` was written (or linked) with bytes hashing to `hash`.
    pub fn record(&mut self, path: String, entry: OutputEntry) {
        self.files.insert(path, entry);
    }

    /// How many files it lists.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether it lists no file.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Whether the output folder holds exactly the files listed, each untouched
    /// since it was recorded (nothing added, removed or rewritten).
    pub fn output_is_intact(&self) -> bool {
        let mut listed = 0;
        for entry in walkdir::WalkDir::new(&self.output).min_depth(1) {
            let Ok(entry) = entry else {
                return false;
            };
            if entry.file_type().is_dir() {
                continue;
            }
            listed += 1;
            let Some(recorded) = entry
                .path()
                .strip_prefix(&self.output)
                .ok()
                .and_then(|p| p.to_str())
                .and_then(|p| self.files.get(&p.replace(std::path::MAIN_SEPARATOR, "/")))
            else {
                return false;
            };
            if !entry.metadata().is_ok_and(|meta| recorded.describes(&meta)) {
                return false;
            }
        }
        listed == self.files.len()
    }

    /// The previous output's copy of page `path` and its entry, when it was
    /// rendered from inputs hashing to `key` and not touched since: then it
    /// need not be rendered again.
    pub fn rendered_page(&self, path: &str, key: u64) -> Option<(PathBuf, OutputEntry)> {
        let entry = self.files.get(path)?;
        if entry.key != Some(key) {
            return None;
        }
        self.untouched(path, entry)
    }

    /// The previous copy of `path` in `previous_output`, when it holds exactly
    /// `bytes` (by hash and size) and was not touched since it was recorded,
    /// with its entry.
    pub fn reusable(&self, path: &str, bytes: &[u8]) -> Option<(PathBuf, OutputEntry)> {
        let entry = self.files.get(path)?;
        if entry.stamp.len != bytes.len() as u64 || entry.hash != Some(hash_bytes(bytes)) {
            return None;
        }
        self.untouched(path, entry)
    }

    /// The output's file at `path` with its entry, if it is still the file `entry` describes.
    fn untouched(&self, path: &str, entry: &OutputEntry) -> Option<(PathBuf, OutputEntry)> {
        let file = self.output.join(path);
        let meta = std::fs::symlink_metadata(&file).ok()?;
        entry.describes(&meta).then_some((file, *entry))
    }

    /// The output folder it describes.
    pub fn output(&self) -> &Path {
        &self.output
    }

    /// Whether it describes `output`.
    pub fn describes(&self, output: &Path) -> bool {
        self.output == output
    }
}

/// The entry for a file just written with `bytes` (`None` for a copy); `None`
/// where stamps are unknown.
pub fn entry_for(bytes: Option<&[u8]>, meta: &std::fs::Metadata) -> Option<OutputEntry> {
    Some(OutputEntry {
        hash: bytes.map(hash_bytes),
        stamp: FileId::of(meta)?,
        key: None,
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// An output folder holding `a.html` ("one"), and its manifest.
    fn one_file_output(dir: &Path) -> (PathBuf, Manifest) {
        let out = dir.join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("a.html"), "one").unwrap();
        let meta = std::fs::metadata(out.join("a.html")).unwrap();
        let mut manifest = Manifest::new(&out);
        manifest.record("a.html".into(), entry_for(Some(b"one"), &meta).unwrap());
        (out, manifest)
    }

    #[test]
    fn a_file_is_reusable_only_with_the_same_bytes_and_an_untouched_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let (out, manifest) = one_file_output(dir.path());

        assert!(manifest.reusable("a.html", b"one").is_some());
        assert!(manifest.output_is_intact());
        assert!(manifest.reusable("a.html", b"two").is_none(), "other bytes");
        assert!(
            manifest.reusable("b.html", b"one").is_none(),
            "unknown path"
        );

        // Rewritten in place with the same size: the stamp tells.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(out.join("a.html"), "uno").unwrap();
        assert!(
            manifest.reusable("a.html", b"one").is_none(),
            "touched since"
        );
        assert!(!manifest.output_is_intact());
    }

    #[test]
    fn saved_manifests_load_only_for_their_own_output() {
        let dir = tempfile::tempdir().unwrap();
        let (out, manifest) = one_file_output(dir.path());
        let path = dir.path().join("cache/output.json");
        manifest.save(&path).unwrap();

        assert_eq!(Manifest::load(&path, &out).len(), 1);
        assert!(Manifest::load(&path, &dir.path().join("elsewhere")).is_empty());
        std::fs::write(&path, "{ damaged").unwrap();
        assert!(Manifest::load(&path, &out).is_empty());
    }
}
