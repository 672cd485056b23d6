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

use crate::cache::hash_bytes;
use crate::render::manifest::Manifest;
use crate::session::Stamp;
use crate::{BuildOptions, BuildReport};

/// Bumped when what goes into the fingerprint changes.
const FORMAT: u32 = 1;

/// A fingerprint of everything a build reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint(u64, u64);

/// What a good build leaves for the next one.
#[derive(Serialize, Deserialize)]
struct Saved {
    format: u32,
    fingerprint: Fingerprint,
    report: BuildReport,
}

/// The fingerprint of the inputs of a build of `options` into `output`, or
/// `None` when some input cannot be read (the build will say what).
pub fn of_inputs(options: &BuildOptions, output: &Path) -> Option<Fingerprint> {
    read_inputs(options, output).map(|(fingerprint, _)| fingerprint)
}

/// [`of_inputs`], with what it learnt of the articles on the way: their
/// hashes, so that the build does not read them again.
pub fn read_inputs(
    options: &BuildOptions,
    output: &Path,
) -> Option<(Fingerprint, crate::session::KnownFiles)> {
    let read_at = std::time::SystemTime::now();
    let root = &options.root;
    let mut files = vec![PathBuf::from(crate::config::CONFIG_FILE)];
    for dir in [
        crate::content::CONTENT_DIR,
        crate::render::theme::TEMPLATES_DIR,
        crate::render::theme::STATIC_DIR,
    ] {
        files.extend(files_under(root, Path::new(dir))?);
    }
    let read: Vec<(u64, u128, Option<Stamp>)> = files
        .par_iter()
        .map(|relative| file_hash(&root.join(relative)))
        .collect::<Option<_>>()?;
    let hashes: Vec<(u64, u128)> = read
        .iter()
        .map(|&(hash, modified, _)| (hash, modified))
        .collect();
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
        for (relative, hash) in files.iter().zip(&hashes) {
            (relative, hash).hash(&mut hasher);
        }
        hasher.finish()
    };
    let articles = files
        .iter()
        .zip(&read)
        .filter_map(|(relative, &(hash, _, stamp))| {
            let relative = relative.strip_prefix(crate::content::CONTENT_DIR).ok()?;
            Some((relative.to_path_buf(), stamp?, hash))
        });
    let known = crate::session::KnownFiles::new(articles, read_at);
    Some((Fingerprint(salted(1), salted(2)), known))
}

/// The saved report when the last good build had this fingerprint and its
/// output (described by `manifest`) is still whole and untouched.
pub fn up_to_date(
    saved_at: &Path,
    fingerprint: Fingerprint,
    manifest: &Manifest,
    output: &Path,
) -> Option<BuildReport> {
    let bytes = std::fs::read(saved_at).ok()?;
    let saved: Saved = serde_json::from_slice(&bytes).ok()?;
    if saved.format != FORMAT || saved.fingerprint != fingerprint {
        return None;
    }
    (manifest.describes(output) && !manifest.is_empty() && manifest.output_is_intact())
        .then_some(saved.report)
}

/// Saves `report` as the result of the inputs with `fingerprint` (atomically;
/// a failure only means the next build will not be skipped).
pub fn save(saved_at: &Path, fingerprint: Fingerprint, report: &BuildReport) {
    let saved = Saved {
        format: FORMAT,
        fingerprint,
        report: report.clone(),
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

/// A hash of a file's bytes, its modification time, and its stamp taken
/// before reading it; a missing file hashes as such (the configuration file
/// is optional).
fn file_hash(path: &Path) -> Option<(u64, u128, Option<Stamp>)> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some((0, 0, None)),
        Err(_) => return None,
    };
    let bytes = std::fs::read(path).ok()?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Some((hash_bytes(&bytes), modified, Stamp::of_meta(&meta)))
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
}
