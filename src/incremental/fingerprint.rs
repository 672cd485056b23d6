//! Skipping a build that has nothing to do, as `make` and Cargo do.
//!
//! A build's output depends only on its inputs (the build is deterministic):
//! the files under `content/`, `templates/` and `static/`, `blogsmith.yaml`,
//! the command-line options and the blogsmith binary itself. After a good build
//! a fingerprint of all of them is saved in the render cache with the build's
//! report. The next build computes the fingerprint again; when it is the same
//! and the output folder is exactly as that build left it (every file listed in
//! the output manifest, none touched since: see [`crate::render::manifest`]),
//! there is nothing to do, and the saved report (warnings included) is returned.
//!
//! The fingerprint hashes every input file's bytes, not only its time stamp,
//! and the modification time too (an article without a date takes its date
//! from it). Anything unreadable makes the fingerprint unusable: then the
//! build runs as usual and reports the problem.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cache::{hash_bytes, modified_nanos_of};
use crate::render::manifest::Manifest;
use crate::session::Stamp;
use crate::{BuildOptions, BuildReport};

/// Bumped when what goes into the fingerprint, or the saved file, changes.
const FORMAT: u32 = 2;

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
struct Saved {
    format: u32,
    fingerprint: Fingerprint,
    report: BuildReport,
    /// Every input file, so that the next build reads only those whose stamp changed.
    files: Vec<FileRecord>,
    read_at: std::time::SystemTime,
}

/// The inputs of a build as [`read_inputs`] found them.
pub struct Inputs {
    /// Their fingerprint.
    pub fingerprint: Fingerprint,
    files: Vec<FileRecord>,
    read_at: std::time::SystemTime,
    /// The last good build's fingerprint and report.
    previous: Option<(Fingerprint, BuildReport)>,
}

impl Inputs {
    /// The articles' hashes (paths relative to `content/`), for the session.
    pub fn known_articles(&self) -> crate::session::KnownFiles {
        let articles = self.files.iter().filter_map(|file| {
            let relative = file.path.strip_prefix(crate::content::CONTENT_DIR).ok()?;
            Some((relative.to_path_buf(), file.stamp?, file.hash))
        });
        crate::session::KnownFiles::new(articles, self.read_at)
    }
}

/// The fingerprint of the inputs of a build of `options` into `output`, or
/// `None` when some input cannot be read (the build will say what).
pub fn of_inputs(options: &BuildOptions, output: &Path) -> Option<Fingerprint> {
    read_inputs(options, output, None).map(|inputs| inputs.fingerprint)
}

/// Reads the inputs of a build of `options` into `output`; `None` when some
/// input cannot be read (the build will say what). With `saved_at` (where
/// [`save`] put the last good build's), a file whose stamp is the same as
/// then, and was already settled then, is not read again: its hash is reused,
/// as `git` does with its index.
pub fn read_inputs(
    options: &BuildOptions,
    output: &Path,
    saved_at: Option<&Path>,
) -> Option<Inputs> {
    let saved: Option<Saved> = saved_at
        .and_then(|path| std::fs::read(path).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .filter(|saved: &Saved| saved.format == FORMAT);
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
    let read_at = std::time::SystemTime::now();
    let root = &options.root;
    let mut paths = vec![PathBuf::from(crate::config::CONFIG_FILE)];
    for dir in [
        crate::content::CONTENT_DIR,
        crate::render::theme::TEMPLATES_DIR,
        crate::render::theme::STATIC_DIR,
    ] {
        paths.extend(files_under(root, Path::new(dir))?);
    }
    let files: Vec<FileRecord> = paths
        .into_par_iter()
        .map(|relative| {
            let before = known.get(relative.as_path()).copied();
            read_file(root, relative, before)
        })
        .collect::<Option<_>>()?;
    let salted = |salt: u8| {
        let mut hasher = DefaultHasher::new();
        (salt, FORMAT, env!("CARGO_PKG_VERSION")).hash(&mut hasher);
        binary_identity().hash(&mut hasher);
        (
            output,
            options.drafts,
            &options.base_url,
            options.strict,
            &options.render.live_reload,
        )
            .hash(&mut hasher);
        for file in &files {
            (&file.path, (file.hash, file.modified)).hash(&mut hasher);
        }
        hasher.finish()
    };
    Some(Inputs {
        fingerprint: Fingerprint(salted(1), salted(2)),
        files,
        read_at,
        previous: saved.map(|saved| (saved.fingerprint, saved.report)),
    })
}

/// The saved report when the last good build had the same fingerprint and
/// its output (described by `manifest`) is still whole and untouched.
pub fn up_to_date(inputs: &Inputs, manifest: &Manifest, output: &Path) -> Option<BuildReport> {
    let (fingerprint, report) = inputs.previous.as_ref()?;
    if *fingerprint != inputs.fingerprint {
        return None;
    }
    (manifest.describes(output) && !manifest.is_empty() && manifest.output_is_intact())
        .then(|| report.clone())
}

/// Saves `report` as the result of `inputs` (atomically; a failure only
/// means the next build will not be skipped).
pub fn save(saved_at: &Path, inputs: Inputs, report: &BuildReport) {
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
    let temp = saved_at.with_extension(format!("tmp-{}", std::process::id()));
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

/// The running binary's size and modification time: a rebuilt blogsmith
/// (another version, or a developer's change) never skips a build.
pub fn binary_identity() -> Option<(u64, std::time::SystemTime)> {
    let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/notes")).unwrap();
        std::fs::write(dir.path().join("content/notes/a.md"), "# A\n").unwrap();
        dir
    }

    #[test]
    fn any_change_to_an_input_changes_the_fingerprint() {
        let dir = site();
        let options = BuildOptions::new(dir.path());
        let out = dir.path().join("public");
        let first = of_inputs(&options, &out).unwrap();
        assert_eq!(of_inputs(&options, &out), Some(first), "stable");

        std::fs::write(dir.path().join("content/notes/a.md"), "# B\n").unwrap();
        let edited = of_inputs(&options, &out).unwrap();
        assert_ne!(edited, first, "an edited article");

        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/page.html"), "x").unwrap();
        let template = of_inputs(&options, &out).unwrap();
        assert_ne!(template, edited, "a new template");

        std::fs::write(dir.path().join("blogsmith.yaml"), "title: x\n").unwrap();
        let config = of_inputs(&options, &out).unwrap();
        assert_ne!(config, template, "the configuration");

        let drafts = BuildOptions {
            drafts: true,
            ..options.clone()
        };
        assert_ne!(of_inputs(&drafts, &out), Some(config), "an option");
        assert_ne!(
            of_inputs(&options, &dir.path().join("elsewhere")),
            Some(config),
            "the output folder"
        );
    }

    #[test]
    fn a_touched_article_changes_the_fingerprint() {
        let dir = site();
        let options = BuildOptions::new(dir.path());
        let out = dir.path().join("public");
        let first = of_inputs(&options, &out).unwrap();
        let file = std::fs::File::options()
            .write(true)
            .open(dir.path().join("content/notes/a.md"))
            .unwrap();
        file.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000))
            .unwrap();
        assert_ne!(of_inputs(&options, &out), Some(first));
    }

    #[cfg(unix)]
    #[test]
    fn files_whose_stamp_did_not_change_are_not_read_again() {
        let dir = site();
        let options = BuildOptions::new(dir.path());
        let out = dir.path().join("public");
        let saved_at = dir.path().join("last-build.json");
        let mut inputs = read_inputs(&options, &out, None).unwrap();
        let article = Path::new("content/notes/a.md");
        let record = |inputs: &Inputs| {
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
        save(&saved_at, inputs, &BuildReport::default());
        let again = read_inputs(&options, &out, Some(&saved_at)).unwrap();
        assert_eq!(record(&again), real ^ 1, "reused, not read");
        // Changed (a new stamp): read again.
        std::fs::write(dir.path().join(article), "# C\n").unwrap();
        let changed = read_inputs(&options, &out, Some(&saved_at)).unwrap();
        assert_ne!(record(&changed), real ^ 1);
        assert_ne!(changed.fingerprint, again.fingerprint);
        // Recorded right after a change (not settled): read again.
        let mut racy = read_inputs(&options, &out, None).unwrap();
        for file in &mut racy.files {
            file.hash ^= 1;
        }
        save(&saved_at, racy, &BuildReport::default());
        let reread = read_inputs(&options, &out, Some(&saved_at)).unwrap();
        assert_eq!(reread.fingerprint, of_inputs(&options, &out).unwrap());
    }
}
