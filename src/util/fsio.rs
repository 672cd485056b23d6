//! File operations the standard library lacks: positional reads and writes
//! shared by threads, and exchanging two paths atomically.

use std::io;
use std::path::Path;

/// `len` bytes at `offset` in `file`, without moving its position on Unix
/// (shared by threads, which only ever read and write by position).
pub fn read_exact_at(file: &std::fs::File, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    let mut bytes = vec![0; len];
    #[cfg(unix)]
    std::os::unix::fs::FileExt::read_exact_at(file, &mut bytes, offset)?;
    #[cfg(windows)]
    {
        let mut done = 0;
        while done < len {
            let read = std::os::windows::fs::FileExt::seek_read(
                file,
                &mut bytes[done..],
                offset + done as u64,
            )?;
            if read == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            done += read;
        }
    }
    Ok(bytes)
}

/// Writes `bytes` at `offset` in `file` (see [`read_exact_at`]).
pub fn write_all_at(file: &std::fs::File, bytes: &[u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)?;
    #[cfg(windows)]
    {
        let mut done = 0;
        while done < bytes.len() {
            let written = std::os::windows::fs::FileExt::seek_write(
                file,
                &bytes[done..],
                offset + done as u64,
            )?;
            if written == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            done += written;
        }
    }
    Ok(())
}

/// A stretch of a file shared by threads (an article's HTML or text, kept
/// in a build's spill file until it is needed), read back by position.
#[derive(Debug, Clone)]
pub struct Stretch {
    file: std::sync::Arc<std::fs::File>,
    path: std::sync::Arc<Path>,
    offset: u64,
    len: usize,
}

impl Stretch {
    /// `len` bytes at `offset` in `file`, found at `path` (for messages:
    /// the file may be unlinked).
    pub fn new(
        file: std::sync::Arc<std::fs::File>,
        path: std::sync::Arc<Path>,
        offset: u64,
        len: usize,
    ) -> Self {
        Self {
            file,
            path,
            offset,
            len,
        }
    }

    /// The bytes, as text.
    pub fn read(&self) -> io::Result<String> {
        let bytes = read_exact_at(&self.file, self.offset, self.len)?;
        String::from_utf8(bytes).map_err(io::Error::other)
    }

    /// The file it is in.
    pub fn file(&self) -> &std::fs::File {
        &self.file
    }

    /// Where it starts.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The file's path (for messages).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Atomically exchanges two paths (`renameat2(RENAME_EXCHANGE)` on Linux,
/// `renamex_np(RENAME_SWAP)` on macOS); `Ok(false)` when the system or the
/// file system cannot.
#[cfg(any(target_os = "linux", target_os = "macos"))]
pub fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e)
            if [rustix::io::Errno::NOSYS, rustix::io::Errno::INVAL].contains(&e)
                || e == rustix::io::Errno::NOTSUP =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// Elsewhere there is no atomic exchange.
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub fn exchange(_: &Path, _: &Path) -> io::Result<bool> {
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn exchange_swaps_two_folders() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(a.join("x"), "in a").unwrap();
        assert!(exchange(&a, &b).unwrap());
        assert_eq!(std::fs::read_to_string(b.join("x")).unwrap(), "in a");
        assert!(!a.join("x").exists());
    }

    #[test]
    fn positional_writes_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = std::fs::File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(dir.path().join("f"))
            .unwrap();
        write_all_at(&file, "甲乙".as_bytes(), 3).unwrap();
        assert_eq!(read_exact_at(&file, 3, 6).unwrap(), "甲乙".as_bytes());
        assert_eq!(std::fs::metadata(dir.path().join("f")).unwrap().len(), 9);
        assert!(read_exact_at(&file, 8, 2).is_err(), "past the end");
    }
}
