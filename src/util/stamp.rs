//! What `stat` says of a source file: enough to know it was not written since
//! it was last read, without reading it.

use std::path::Path;
use std::time::{Duration, SystemTime};

/// A source file's identity, size and times.
///
/// Any write or rename sets the change time (`ctime`), which no program can
/// set back. Time stamps are coarse (a few milliseconds, seconds on some file
/// systems), so a file changed within [`Stamp::MARGIN`] before it was read is
/// read again regardless, as `git` does for its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    device: u64,
    inode: u64,
    len: u64,
    changed: (i64, i64),
    modified: (i64, i64),
}

impl Stamp {
    /// How long after its last change a file's stamp is trusted.
    pub const MARGIN: Duration = Duration::from_secs(2);

    /// The stamp of the file at `path`, following links.
    pub fn of(path: &Path) -> Option<Self> {
        Self::of_meta(&std::fs::metadata(path).ok()?)
    }

    /// The stamp of a file whose metadata is `meta`.
    #[cfg(unix)]
    pub fn of_meta(meta: &std::fs::Metadata) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        Some(Self {
            device: meta.dev(),
            inode: meta.ino(),
            len: meta.len(),
            changed: (meta.ctime(), meta.ctime_nsec()),
            modified: (meta.mtime(), meta.mtime_nsec()),
        })
    }

    /// Elsewhere there are no stamps: every file is read on every build.
    #[cfg(not(unix))]
    pub fn of_meta(_: &std::fs::Metadata) -> Option<Self> {
        None
    }

    /// The modification time in nanoseconds since 1970, as [`modified_nanos`]
    /// gives it (0 before 1970).
    pub fn modified_nanos(self) -> u128 {
        let (secs, nanos) = self.modified;
        match (u128::try_from(secs), u128::try_from(nanos)) {
            (Ok(secs), Ok(nanos)) => secs * 1_000_000_000 + nanos,
            _ => 0,
        }
    }

    /// Whether the file's last change was well before `at`: a read at `at`
    /// saw its final bytes (see [`Stamp::MARGIN`]).
    pub fn settled_before(self, at: SystemTime) -> bool {
        u64::try_from(self.changed.0)
            .ok()
            .map(|secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
            .is_some_and(|changed| changed + Self::MARGIN < at)
    }

    /// Whether a file with this stamp now is the one read at `read_at` with
    /// stamp `then`, unchanged since.
    pub fn unchanged_since(self, then: Option<Stamp>, read_at: SystemTime) -> bool {
        then == Some(self) && self.settled_before(read_at)
    }

    /// A stamp with the given change and modification time (seconds), for tests.
    #[cfg(test)]
    pub fn for_test(changed_at: i64) -> Self {
        Self {
            device: 1,
            inode: 2,
            len: 3,
            changed: (changed_at, 0),
            modified: (changed_at, 0),
        }
    }

    /// The same stamp with another length, for tests.
    #[cfg(test)]
    pub fn with_len(self, len: u64) -> Self {
        Self { len, ..self }
    }
}

/// A file's modification time in nanoseconds since 1970 (0 when unknown).
pub fn modified_nanos(path: &Path) -> u128 {
    std::fs::metadata(path).map_or(0, |meta| modified_nanos_of(&meta))
}

/// [`modified_nanos`] of a file whose metadata is at hand.
pub fn modified_nanos_of(meta: &std::fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_is_trusted_only_long_enough_after_the_last_change() {
        let changed_at = 1_700_000_000;
        let stamp = Stamp::for_test(changed_at);
        let at = |secs: i64| {
            SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).expect("positive"))
        };
        // Read long after the change: trusted.
        assert!(stamp.unchanged_since(Some(stamp), at(changed_at + 10)));
        // Read within the margin: the file may have changed again in the same tick.
        assert!(!stamp.unchanged_since(Some(stamp), at(changed_at + 1)));
        // Anything different, or nothing known: read it.
        assert!(
            !stamp
                .with_len(4)
                .unchanged_since(Some(stamp), at(changed_at + 10))
        );
        let replaced = Stamp { inode: 9, ..stamp };
        assert!(!replaced.unchanged_since(Some(stamp), at(changed_at + 10)));
        assert!(!stamp.unchanged_since(None, at(changed_at + 10)));
    }

    #[cfg(unix)]
    #[test]
    fn a_stamp_gives_the_same_modification_time_as_the_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "x").unwrap();
        let stamp = Stamp::of(&path).unwrap();
        assert_eq!(stamp.modified_nanos(), modified_nanos(&path));
    }
}
