//! Skipping a build that has nothing to do, as `make` and Cargo do.
//!
//! A build's output depends only on its inputs (the build is deterministic):
//! the files under `content/`, `templates/` and `static/`, `blogsmith.yaml`,
//! the command-line options and blogsmith itself (its cache version). After a
//! good build a fingerprint of all of them is saved in the render cache with
//! the build's report. The next build computes the fingerprint again; when it
//! is the same and the output folder is exactly as that build left it (every
//! file listed in the output manifest, none touched since: see [`super::manifest`]),
//! there is nothing to do, and the saved report (warnings included) is returned.
//!
//! The fingerprint hashes every input file's bytes, not only its time stamp,
//! and the modification time too (an article without a date takes its date
//! from it). Anything unreadable makes the fingerprint unusable: then the
//! build runs as usual and reports the problem.

use std::collections::HashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::manifest::Manifest;
use super::store::CACHE_VERSION;
use crate::util::hash::{StableHasher, hash_bytes};
use crate::util::stamp::{Stamp, modified_nanos_of};

/// Bumped when the saved file's layout changes.
const FORMAT: u32 = 3;

/// A fingerprint of everything a build reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint(u64, u64);

/// One input file as read: its stamp before reading (`None`: missing, or no
/// stamps on this system), a hash of its bytes, its modification time.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FileRecord {
    path: PathBuf,
    stamp: Option<Stamp>,
    hash: u64,
    modified: u128,
}

/// What a good build leaves for the next one.
#[derive(Serialize, Deserialize)]
struct Saved<R> {
    format: u32,
    fingerprint: Fingerprint,
    report: R,
    /// Every input file, so that the next build reads only those whose stamp changed.
    files: Vec<FileRecord>,
    read_at: SystemTime,
}

/// The inputs of a build as [`read_inputs`] found them; `R` is the build's report.
pub struct Inputs<R> {
    /// Their fingerprint.
    pub fingerprint: Fingerprint,
    files: Vec<FileRecord>,
    read_at: SystemTime,
    /// The last good build's fingerprint and report.
    previous: Option<(Fingerprint, R)>,
}

impl<R> Inputs<R> {
    /// The articles' hashes (paths relative to `content/`), for the build.
    pub fn known_articles(&self) -> KnownFiles {
        let articles = self.files.iter().filter_map(|file| {
            let relative = file.path.strip_prefix(crate::content::CONTENT_DIR).ok()?;
            Some((relative.to_path_buf(), file.stamp?, file.hash))
        });
        KnownFiles::new(articles, self.read_at)
    }
}

/// Articles (relative to `content/`) read just before the build by its
/// fingerprint: their stamp then and a hash of their bytes, and when they
/// were read. An article with the same stamp now need not be read again.
#[derive(Debug, Clone)]
pub struct KnownFiles {
    files: HashMap<PathBuf, (Stamp, u64)>,
    read_at: SystemTime,
}

impl Default for KnownFiles {
    fn default() -> Self {
        Self {
            files: HashMap::new(),
            read_at: SystemTime::UNIX_EPOCH,
        }
    }
}

impl KnownFiles {
    /// `files`: (path relative to `content/`, stamp before reading, hash of the bytes).
    pub fn new(
        files: impl IntoIterator<Item = (PathBuf, Stamp, u64)>,
        read_at: SystemTime,
    ) -> Self {
        Self {
            files: files
                .into_iter()
                .map(|(path, stamp, hash)| (path, (stamp, hash)))
                .collect(),
            read_at,
        }
    }

    /// The hash of the article at `relative`, if it is known and its stamp is
    /// still `stamp`.
    pub fn hash_of(&self, relative: &Path, stamp: Option<Stamp>) -> Option<u64> {
        let (known, hash) = self.files.get(relative)?;
        (Some(*known) == stamp && known.settled_before(self.read_at)).then_some(*hash)
    }
}

/// What a build's output depends on besides its input files: where it goes
/// and the options that change it (a hash of them, from the caller).
#[derive(Debug, Clone, Copy, Hash)]
pub struct Setting<'a> {
    /// The site root.
    pub root: &'a Path,
    /// The output folder.
    pub output: &'a Path,
    /// A hash of the options that change the output.
    pub options: u64,
    /// Inputs outside the folders read anyway, relative to the root: the
    /// site-wide `.bib` files `blogsmith.yaml` names.
    pub extra: &'a [PathBuf],
}

/// Reads the inputs of a build; `None` when some input cannot be read (the
/// build will say what). With `saved_at` (where [`save`] put the last good
/// build's), a file whose stamp is the same as then, and was already settled
/// then, is not read again: its hash is reused, as `git` does with its index.
pub fn read_inputs<R: DeserializeOwned>(
    setting: Setting<'_>,
    saved_at: Option<&Path>,
) -> Option<Inputs<R>> {
    let saved: Option<Saved<R>> = saved_at
        .and_then(|path| std::fs::read(path).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .filter(|saved: &Saved<R>| saved.format == FORMAT);
    // Files changed shortly before the last build read them may have changed
    // again within the same time stamp: those are read again.
    let known: std::collections::HashMap<&Path, &FileRecord> = saved
        .iter()
        .flat_map(|saved| {
            saved.files.iter().filter(|file| {
                file.stamp
                    .is_some_and(|stamp| stamp.settled_before(saved.read_at))
            })
        })
        .map(|file| (file.path.as_path(), file))
        .collect();
    let read_at = SystemTime::now();
    let root = setting.root;
    let mut paths = vec![PathBuf::from(crate::config::CONFIG_FILE)];
    for dir in [
        crate::content::CONTENT_DIR,
        crate::render::theme::TEMPLATES_DIR,
        crate::render::theme::STATIC_DIR,
    ] {
        paths.extend(files_under(root, Path::new(dir))?);
    }
    paths.extend(setting.extra.iter().cloned());
    let files: Vec<FileRecord> = paths
        .into_par_iter()
        .map(|relative| {
            let before = known.get(relative.as_path()).copied();
            read_file(root, relative, before)
        })
        .collect::<Option<_>>()?;
    let mut hasher = StableHasher::new();
    (FORMAT, CACHE_VERSION, setting.output, setting.options).hash(&mut hasher);
    for file in &files {
        (&file.path, (file.hash, file.modified)).hash(&mut hasher);
    }
    let digest = hasher.finish128();
    Some(Inputs {
        fingerprint: Fingerprint((digest >> 64) as u64, digest as u64),
        files,
        read_at,
        previous: saved.map(|saved| (saved.fingerprint, saved.report)),
    })
}

/// The saved report when the last good build had the same fingerprint and
/// its output (described by `manifest`) is still whole and untouched.
pub fn up_to_date<R: Clone>(inputs: &Inputs<R>, manifest: &Manifest, output: &Path) -> Option<R> {
    let (fingerprint, report) = inputs.previous.as_ref()?;
    if *fingerprint != inputs.fingerprint {
        return None;
    }
    (manifest.describes(output) && !manifest.is_empty() && manifest.output_is_intact())
        .then(|| report.clone())
}

/// Saves `report` as the result of `inputs` (atomically; a failure only
/// means the next build will not be skipped).
pub fn save<R: Serialize + Clone>(saved_at: &Path, inputs: Inputs<R>, report: &R) {
    let saved = Saved {
        format: FORMAT,
        fingerprint: inputs.fingerprint,
        report: report.clone(),
        files: inputs.files,
        read_at: inputs.read_at,
    };
    let Ok(bytes) = serde_json::to_vec(&saved) else {
        return;
    };
    let temp = crate::util::lock::work_file(
        saved_at.parent().unwrap_or(Path::new(".")),
        "last-build.json.tmp",
    );
    if std::fs::write(&temp, bytes).is_ok() && std::fs::rename(&temp, saved_at).is_err() {
        let _ = std::fs::remove_file(&temp);
    }
}

/// Every file under `root/dir` (following links, as the build does), relative
/// to `root`, sorted; an empty list when `dir` does not exist.
fn files_under(root: &Path, dir: &Path) -> Option<Vec<PathBuf>> {
    let start = root.join(dir);
    if !start.exists() {
        return Some(Vec::new());
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&start)
        .follow_links(true)
        .sort_by_file_name()
    {
        // A loop or an unreadable folder: the build reports it, every time.
        let entry = entry.ok()?;
        if entry.file_type().is_file() {
            files.push(entry.path().strip_prefix(root).ok()?.to_path_buf());
        }
    }
    Some(files)
}

/// One input file: the record of the last build when its stamp is the same
/// as then (`before`), else read and hashed. A missing file hashes as such
/// (the configuration file is optional).
fn read_file(root: &Path, relative: PathBuf, before: Option<&FileRecord>) -> Option<FileRecord> {
    let path = root.join(&relative);
    let meta = match std::fs::metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Some(FileRecord {
                path: relative,
                stamp: None,
                hash: 0,
                modified: 0,
            });
        }
        Err(_) => return None,
    };
    let stamp = Stamp::of_meta(&meta);
    if let Some(before) = before
        && stamp.is_some()
        && before.stamp == stamp
    {
        return Some(FileRecord {
            path: relative,
            ..before.clone()
        });
    }
    let bytes = std::fs::read(&path).ok()?;
    Some(FileRecord {
        path: relative,
        stamp,
        hash: hash_bytes(&bytes),
        modified: modified_nanos_of(&meta),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fingerprint of the inputs of a build, or `None` when some input
    /// cannot be read (the build will say what).
    fn of_inputs(setting: Setting<'_>) -> Option<Fingerprint> {
        read_inputs::<()>(setting, None).map(|inputs| inputs.fingerprint)
    }

    /// The setting of a build of `root` into `out` with options hashing to `options`.
    fn setting<'a>(root: &'a Path, out: &'a Path, options: u64) -> Setting<'a> {
        Setting {
            root,
            output: out,
            options,
            extra: &[],
        }
    }

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/notes")).unwrap();
        std::fs::write(dir.path().join("content/notes/a.md"), "# A\n").unwrap();
        dir
    }

    #[test]
    fn any_change_to_an_input_changes_the_fingerprint() {
        let dir = site();
        let out = dir.path().join("public");
        let at = |out| setting(dir.path(), out, 0);
        let first = of_inputs(at(&out)).unwrap();
        assert_eq!(of_inputs(at(&out)), Some(first), "stable");

        std::fs::write(dir.path().join("content/notes/a.md"), "# B\n").unwrap();
        let edited = of_inputs(at(&out)).unwrap();
        assert_ne!(edited, first, "an edited article");

        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/page.html"), "x").unwrap();
        let template = of_inputs(at(&out)).unwrap();
        assert_ne!(template, edited, "a new template");

        std::fs::write(dir.path().join("blogsmith.yaml"), "title: x\n").unwrap();
        let config = of_inputs(at(&out)).unwrap();
        assert_ne!(config, template, "the configuration");

        let drafts = setting(dir.path(), &out, 1);
        assert_ne!(of_inputs(drafts), Some(config), "an option");
        assert_ne!(
            of_inputs(at(&dir.path().join("elsewhere"))),
            Some(config),
            "the output folder"
        );
    }

    #[test]
    fn a_touched_article_changes_the_fingerprint() {
        let dir = site();
        let out = dir.path().join("public");
        let first = of_inputs(setting(dir.path(), &out, 0)).unwrap();
        let file = std::fs::File::options()
            .write(true)
            .open(dir.path().join("content/notes/a.md"))
            .unwrap();
        file.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000))
            .unwrap();
        assert_ne!(of_inputs(setting(dir.path(), &out, 0)), Some(first));
    }

    #[cfg(unix)]
    #[test]
    fn files_whose_stamp_did_not_change_are_not_read_again() {
        let dir = site();
        let out = dir.path().join("public");
        let options = setting(dir.path(), &out, 0);
        let saved_at = dir.path().join("last-build.json");
        let mut inputs = read_inputs::<()>(options, None).unwrap();
        let article = Path::new("content/notes/a.md");
        let record = |inputs: &Inputs<()>| {
            inputs
                .files
                .iter()
                .find(|f| f.path == article)
                .map(|f| f.hash)
                .unwrap()
        };
        let real = record(&inputs);
        // A recorded hash that the bytes would never give: seen again only if
        // the file is not read.
        for file in &mut inputs.files {
            if file.path == article {
                file.hash = real ^ 1;
            }
        }
        inputs.read_at = std::time::SystemTime::now() + std::time::Duration::from_secs(10);
        save(&saved_at, inputs, &());
        let again = read_inputs::<()>(options, Some(&saved_at)).unwrap();
        assert_eq!(record(&again), real ^ 1, "reused, not read");
        // Changed (a new stamp): read again.
        std::fs::write(dir.path().join(article), "# C\n").unwrap();
        let changed = read_inputs::<()>(options, Some(&saved_at)).unwrap();
        assert_ne!(record(&changed), real ^ 1);
        assert_ne!(changed.fingerprint, again.fingerprint);
        // Recorded right after a change (not settled): read again.
        let mut racy = read_inputs::<()>(options, None).unwrap();
        for file in &mut racy.files {
            file.hash ^= 1;
        }
        save(&saved_at, racy, &());
        let reread = read_inputs::<()>(options, Some(&saved_at)).unwrap();
        assert_eq!(reread.fingerprint, of_inputs(options).unwrap());
    }

    #[test]
    fn known_hashes_are_used_only_for_files_unchanged_and_settled() {
        let changed_at = 1_700_000_000;
        let stamp = Stamp::for_test(changed_at);
        let at = |secs: i64| {
            SystemTime::UNIX_EPOCH
                + std::time::Duration::from_secs(u64::try_from(secs).expect("positive"))
        };
        let a = Path::new("a.md");
        let known = KnownFiles::new([(a.to_path_buf(), stamp, 42)], at(changed_at + 10));
        assert_eq!(known.hash_of(a, Some(stamp)), Some(42));
        assert_eq!(
            known.hash_of(a, Some(stamp.with_len(4))),
            None,
            "changed since"
        );
        assert_eq!(known.hash_of(a, None), None);
        assert_eq!(known.hash_of(Path::new("b.md"), Some(stamp)), None);
        let racy = KnownFiles::new([(a.to_path_buf(), stamp, 42)], at(changed_at + 1));
        assert_eq!(racy.hash_of(a, Some(stamp)), None, "read within the margin");
    }
}
