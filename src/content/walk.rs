//! Finding source files under `content/`.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;

/// What the walk found, in a stable (sorted) order.
#[derive(Debug, Default)]
pub struct Found {
    /// Articles (Markdown and notebooks), as paths relative to the content directory.
    pub articles: Vec<PathBuf>,
    /// Every other file (images, data), relative to the content directory.
    pub assets: Vec<PathBuf>,
    /// Symlink loops and unreadable directories, as warnings.
    pub warnings: Vec<Diagnostic>,
}

/// Folders other generators keep posts in, read although their names start
/// with `_`: Hexo's `source/_posts` and Jekyll's `_posts`, and their drafts.
pub const POSTS_DIRS: &[&str] = &["_posts", "_drafts"];

/// The folder of drafts (Hexo, Jekyll): articles in it are drafts.
pub const DRAFTS_DIR: &str = "_drafts";

/// Walks `content_dir`, following symlinks but surviving loops.
///
/// Names starting with `.` or `_` are skipped, files and folders alike: they
/// are drafts-in-progress, editor files or partials by convention. The
/// exceptions are [`POSTS_DIRS`]; a skipped `_` folder holding Markdown gets
/// a warning, so that no article disappears without a word.
pub fn walk(content_dir: &Path, shown_as: &Path) -> Found {
    let mut found = Found::default();
    let mut skipped = Vec::new();
    let walker = WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let keep = e.depth() == 0 || !is_hidden(e.file_name());
            if !keep && e.file_type().is_dir() && e.file_name().to_string_lossy().starts_with('_') {
                skipped.push(e.path().to_path_buf());
            }
            keep
        });
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
        if is_article(relative) {
            found.articles.push(relative.to_path_buf());
        } else {
            found.assets.push(relative.to_path_buf());
        }
    }
    for dir in skipped {
        let markdown = WalkDir::new(&dir)
            .follow_links(true)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && is_markdown(e.path()))
            .count();
        if markdown > 0 {
            let relative = dir.strip_prefix(content_dir).unwrap_or(&dir);
            found.warnings.push(
                Diagnostic::warning(
                    shown_as.join(relative),
                    format!(
                        "{markdown} Markdown file(s) in this folder are not built: folders whose names start with `_` are skipped (except `_posts` and `_drafts`)"
                    ),
                )
                .with_hint("rename the folder without the leading `_` to publish them"),
            );
        }
    }
    found
}

/// Whether the article at `relative` is in a drafts folder ([`DRAFTS_DIR`]).
pub fn in_drafts_folder(relative: &Path) -> bool {
    relative.iter().any(|part| part == DRAFTS_DIR)
}

/// Whether `path` names an article: Markdown or a Jupyter notebook.
pub fn is_article(path: &Path) -> bool {
    is_markdown(path) || super::notebook::is_notebook(path)
}

/// Whether `path` names a Markdown source.
pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    (name.starts_with('.') || name.starts_with('_')) && !POSTS_DIRS.contains(&name.as_ref())
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

    #[test]
    fn reads_posts_and_drafts_folders_and_names_other_skipped_markdown() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "_posts/a.md",
            "_posts/a/fig.png",
            "_drafts/b.md",
            "_partials/x.md",
            "_partials/deep/y.md",
            "_data/z.yml",
            ".obsidian/n.md",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let found = walk(root, Path::new("content"));
        assert_eq!(
            found.articles,
            [PathBuf::from("_drafts/b.md"), PathBuf::from("_posts/a.md")]
        );
        assert_eq!(found.assets, [PathBuf::from("_posts/a/fig.png")]);
        let warnings: Vec<String> = found.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("content/_partials: warning: 2 Markdown file(s)"),
            "{warnings:?}"
        );
        assert!(in_drafts_folder(Path::new("_drafts/b.md")));
        assert!(!in_drafts_folder(Path::new("_posts/a.md")));
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
