//! Telling a running build's files from those a killed build left behind.
//!
//! A build names its working files after its process id (`….blogsmith-tmp-123`)
//! and holds a lock on a mark file named the same way (`….blogsmith-tmp-123.lock`)
//! for as long as it runs, taken *before* it creates any of them. Another
//! build finding such a file tries to lock its mark: if it can, the process
//! that made it is gone (the system releases a dead process's locks) and the
//! file can be removed. This works wherever `File::try_lock` does (Linux,
//! macOS, Windows), unlike asking whether `/proc/<pid>` exists.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The extension of mark files.
const MARK: &str = "lock";

/// This process's mark in a folder, locked while any guard for it lives.
///
/// Marks are counted per path within the process: the builds of one process
/// (a server's, a test's) share its mark, since a second lock on the same
/// file from the same process would fail.
#[derive(Debug)]
pub struct LiveMark {
    path: PathBuf,
}

/// The marks this process holds: path → (the locked file, guards alive).
static MARKS: Mutex<BTreeMap<PathBuf, (File, usize)>> = Mutex::new(BTreeMap::new());

fn marks() -> std::sync::MutexGuard<'static, BTreeMap<PathBuf, (File, usize)>> {
    MARKS.lock().unwrap_or_else(PoisonError::into_inner)
}

impl LiveMark {
    /// Holds `dir/<prefix><pid>.lock`, creating and locking it if this
    /// process does not hold it yet.
    pub fn take(dir: &Path, prefix: &str) -> std::io::Result<Self> {
        let path = mark_path(dir, prefix, &std::process::id().to_string());
        let mut marks = marks();
        if let Some((_, count)) = marks.get_mut(&path) {
            *count += 1;
            return Ok(Self { path });
        }
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        file.try_lock().map_err(std::io::Error::other)?;
        marks.insert(path.clone(), (file, 1));
        Ok(Self { path })
    }
}

impl Drop for LiveMark {
    fn drop(&mut self) {
        let mut marks = marks();
        let Some((_, count)) = marks.get_mut(&self.path) else {
            return;
        };
        *count -= 1;
        if *count == 0 {
            // Removed while still locked, then closed: nobody can take it
            // for a dead process's meanwhile.
            let _ = std::fs::remove_file(&self.path);
            marks.remove(&self.path);
        }
    }
}

fn mark_path(dir: &Path, prefix: &str, pid: &str) -> PathBuf {
    dir.join(format!("{prefix}{pid}.{MARK}"))
}

/// The process id in a working file's name `<prefix><pid><rest>`, if it has one.
pub fn pid_in<'n>(name: &'n str, prefix: &str) -> Option<&'n str> {
    let rest = name.strip_prefix(prefix)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0).then(|| &rest[..digits])
}

/// Whether a process holds its mark `dir/<prefix><pid>.lock`: `false` when
/// there is no mark or it can be locked (its process is gone). The own
/// process is always alive.
pub fn is_alive(dir: &Path, prefix: &str, pid: &str) -> bool {
    if pid == std::process::id().to_string() {
        return true;
    }
    let path = mark_path(dir, prefix, pid);
    let Ok(file) = File::options().write(true).open(&path) else {
        return false;
    };
    match file.try_lock() {
        Ok(()) => {
            // A dead process's mark: removed, then unlocked.
            let _ = std::fs::remove_file(&path);
            false
        }
        Err(_) => true,
    }
}

/// The prefix of a process's working files in a folder of blogsmith's own
/// (the render cache): `.blogsmith-<pid>-<what>`, marked by `.blogsmith-<pid>.lock`.
pub const WORK_PREFIX: &str = ".blogsmith-";

/// This process's working file `what` in `dir`: `dir/.blogsmith-<pid>-<what>`.
pub fn work_file(dir: &Path, what: &str) -> PathBuf {
    dir.join(format!("{WORK_PREFIX}{}-{what}", std::process::id()))
}

/// Removes the working files (see [`work_file`]) that dead processes left in `dir`.
pub fn remove_dead_work_files(dir: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // A dead process's mark is removed by `is_alive` itself.
        if let Some(pid) = pid_in(&name, WORK_PREFIX)
            && !is_alive(dir, WORK_PREFIX, pid)
            && !is_mark(&name)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether `name` is a mark file.
pub fn is_mark(name: &str) -> bool {
    name.ends_with(&format!(".{MARK}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_tells_a_live_process_from_a_dead_one() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = ".public.blogsmith-tmp-";
        let mark = LiveMark::take(dir.path(), prefix).unwrap();
        let again = LiveMark::take(dir.path(), prefix).unwrap();
        drop(again);
        let own = std::process::id().to_string();
        assert!(is_alive(dir.path(), prefix, &own));
        // No process holds a mark with this id (above the kernels' pid limits).
        assert!(!is_alive(dir.path(), prefix, "4999999"));
        // A mark left by a killed process (unlocked) is dead, and removed.
        let left = dir.path().join(format!("{prefix}4999998.lock"));
        std::fs::write(&left, "").unwrap();
        assert!(!is_alive(dir.path(), prefix, "4999998"));
        assert!(!left.exists());
        // A mark held by another handle (as another process would) is alive.
        let held = dir.path().join(format!("{prefix}4999997.lock"));
        let holder = File::create(&held).unwrap();
        holder.try_lock().unwrap();
        assert!(is_alive(dir.path(), prefix, "4999997"));
        drop(mark);
        assert!(!dir.path().join(format!("{prefix}{own}.lock")).exists());
    }

    #[test]
    fn working_files_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mark = LiveMark::take(dir.path(), WORK_PREFIX).unwrap();
        let own = work_file(dir.path(), "math.bin.tmp");
        let dead = dir
            .path()
            .join(format!("{WORK_PREFIX}4999999-code.bin.tmp"));
        let dead_mark = dir.path().join(format!("{WORK_PREFIX}4999998.lock"));
        std::fs::write(&dead_mark, "").unwrap();
        let other = dir.path().join("code.bin");
        for file in [&own, &dead, &other] {
            std::fs::write(file, "x").unwrap();
        }
        remove_dead_work_files(dir.path());
        assert!(own.exists() && other.exists());
        assert!(!dead.exists());
        assert!(!dead_mark.exists(), "the marks of dead processes go too");
        drop(mark);
    }

    #[test]
    fn pids_are_read_from_names() {
        assert_eq!(
            pid_in(".p.blogsmith-tmp-123-pages", ".p.blogsmith-tmp-"),
            Some("123")
        );
        assert_eq!(pid_in(".p.blogsmith-tmp-spare", ".p.blogsmith-tmp-"), None);
        assert_eq!(pid_in("other", ".p.blogsmith-tmp-"), None);
    }
}
