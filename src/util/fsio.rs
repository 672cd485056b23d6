//! File operations the standard library lacks: positional reads shared by
//! threads, reading a large file into huge pages, and exchanging two paths
//! atomically.

use std::io;
use std::path::Path;

/// `len` bytes at `offset` in `file`, without moving its position (shared
/// by threads). Only Unix has positional reads here: elsewhere nothing is
/// written to be read this way.
#[cfg(unix)]
pub fn read_exact_at(file: &std::fs::File, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut bytes = vec![0; len];
    file.read_exact_at(&mut bytes, offset)?;
    Ok(bytes)
}

/// Elsewhere positional reads are not supported.
#[cfg(not(unix))]
pub fn read_exact_at(_: &std::fs::File, _: u64, _: usize) -> io::Result<Vec<u8>> {
    Err(io::Error::other("positional reads are Unix-only here"))
}

/// Writes `bytes` at `offset` in `file`, without moving its position.
#[cfg(unix)]
pub fn write_all_at(file: &std::fs::File, bytes: &[u8], offset: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.write_all_at(bytes, offset)
}

/// Elsewhere positional writes are not supported.
#[cfg(not(unix))]
pub fn write_all_at(_: &std::fs::File, _: &[u8], _: u64) -> io::Result<()> {
    Err(io::Error::other("positional writes are Unix-only here"))
}

/// Reads a whole file of hundreds of megabytes. The buffer asks for huge
/// pages first: with 4 KB pages, filling it cost a page fault per page
/// (150,000 for the caches of 10,000 articles, the largest part of an
/// incremental build's system time).
pub fn read_large(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let len = usize::try_from(file.metadata()?.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(len);
    advise_huge_pages(&mut bytes);
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Asks the kernel to back `buffer`'s capacity with huge pages (a hint, and
/// only where transparent huge pages are on `madvise` or `always`).
#[cfg(target_os = "linux")]
fn advise_huge_pages(buffer: &mut Vec<u8>) {
    const PAGE: usize = 4096;
    const HUGE_PAGE: usize = 2 * 1024 * 1024;
    let start = buffer.as_mut_ptr() as usize;
    let end = start + buffer.capacity();
    let aligned = start.next_multiple_of(PAGE);
    if end <= aligned + HUGE_PAGE {
        return;
    }
    // SAFETY: the range lies inside `buffer`'s allocation, which stays alive
    // and in place for the call; MADV_HUGEPAGE changes no contents, only how
    // the kernel backs the pages. A failure is only a lost hint.
    let _ = unsafe {
        rustix::mm::madvise(
            aligned as *mut std::ffi::c_void,
            end - aligned,
            rustix::mm::Advice::LinuxHugepage,
        )
    };
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_: &mut Vec<u8>) {}

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

    #[cfg(unix)]
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
        let large = read_large(&dir.path().join("f")).unwrap();
        assert_eq!(large.len(), 9);
    }
}
