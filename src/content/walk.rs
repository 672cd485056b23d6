//! Finding source files under `content/`.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;

/// What the walk found, in a stable (sorted) order.
#[derive(Debug, Default)]
pub struct Found {
    /// Markdown articles, as paths relative to the content directory.
    pub articles: Vec<PathBuf>,
    /// Every other file (images, data), relative to the content directory.
    pub assets: Vec<PathBuf>,
    /// Symlink loops and unreadable directories, as warnings.
    pub warnings: Vec<Diagnostic>,
}

/// Walks `content_dir`, following symlinks but surviving loops.
///
/// Names starting with `.` or `_` are skipped, files and folders alike: they
/// are drafts-in-progress, editor files or partials by convention.
pub fn walk(content_dir: &Path, shown_as: &Path) -> Found {
    let mut found = Found::default();
    let walker = WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                found
                    .warnings
                    .push(walk_warning(&error, content_dir, shown_as));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(content_dir) else {
            continue;
        };
        if is_markdown(relative) {
            found.articles.push(relative.to_path_buf());
        } else {
            found.assets.push(relative.to_path_buf());
        }
    }
    found
}

/// Whether `path` names a Markdown source.
pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || name.starts_with('_')
}

fn walk_warning(error: &walkdir::Error, content_dir: &Path, shown_as: &Path) -> Diagnostic {
    let path = error
        .path()
        .and_then(|p| p.strip_prefix(content_dir).ok())
        .map_or_else(|| shown_as.to_path_buf(), |p| shown_as.join(p));
    if let Some(ancestor) = error.loop_ancestor() {
        Diagnostic::warning(
            path,
            format!(
                "symlink loop back to {}; skipped",
                ancestor
                    .strip_prefix(content_dir)
                    .unwrap_or(ancestor)
                    .display()
            ),
        )
        .with_hint("remove the symlink or point it outside content/")
    } else {
        let reason = error
            .io_error()
            .map_or_else(|| error.to_string(), |e| e.to_string());
        Diagnostic::warning(path, format!("cannot read: {reason}; skipped"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_hidden_and_underscore_names_and_sorts() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "b.md",
            "a.md",
            ".hidden.md",
            "_draft.md",
            "img.png",
            "sub/c.md",
            "_partials/x.md",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let found = walk(root, Path::new("content"));
        let names: Vec<_> = found
            .articles
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.md", "b.md", "sub/c.md"]);
        assert_eq!(found.assets, [PathBuf::from("img.png")]);
    }

    #[cfg(unix)]
    #[test]
    fn survives_symlink_loops() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.md"), "x").unwrap();
        std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();
        let found = walk(root, Path::new("content"));
        assert_eq!(found.articles, [PathBuf::from("sub/a.md")]);
        assert!(
            found
                .warnings
                .iter()
                .any(|w| w.message.contains("symlink loop")),
            "{:?}",
            found.warnings
        );
    }
}
