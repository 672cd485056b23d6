//! Finding and loading sources: walk `content/`, split front matter, build [`Page`]s.

pub mod bibliography;
mod formats;
mod front_matter;
pub mod notebook;
mod page;
mod walk;

use std::path::Path;

pub use front_matter::{ACCEPTED_KEYS, FrontMatter, parse_date};
pub use page::{Page, Parsed};
pub use walk::{Found, in_drafts_folder, is_article, is_markdown};
// `blogsmith import` reads the front matter of files it copies (does a page have its own address?).
pub(crate) use formats::{Format, read as front_matter_entries, split as split_front_matter};

use crate::config::Config;
use crate::diagnostic::Diagnostic;

/// The folder of articles, under the site root.
pub const CONTENT_DIR: &str = "content";

/// The articles and other files under `root/content`, in a stable order.
pub fn find(root: &Path) -> Found {
    let content_dir = root.join(CONTENT_DIR);
    if !content_dir.is_dir() {
        return Found {
            warnings: vec![Diagnostic::warning(CONTENT_DIR, "no content/ folder: the site has no articles")
                .with_hint("create content/ and put Markdown articles in it, or run `blogsmith new \"标题\"`")],
            ..Found::default()
        };
    }
    walk::walk(&content_dir, Path::new(CONTENT_DIR))
}

/// Parses one article, `relative` to `root/content`, from its bytes.
///
/// A notebook (`.ipynb`) becomes a page whose body is its cells as Markdown
/// (see [`notebook`]).
pub fn parse_article(root: &Path, relative: &Path, bytes: &[u8], config: &Config) -> Parsed {
    if notebook::is_notebook(relative) {
        return notebook::parse(
            bytes,
            &root.join(CONTENT_DIR),
            Path::new(CONTENT_DIR),
            relative,
            &config.time_zone(),
            notebook_options(config),
        );
    }
    page::parse(
        bytes,
        &root.join(CONTENT_DIR),
        Path::new(CONTENT_DIR),
        relative,
        &config.time_zone(),
    )
}

/// How the site's configuration asks notebooks to be converted.
pub fn notebook_options(config: &Config) -> notebook::Options {
    notebook::Options {
        raw_html: config.markdown.unsafe_html,
        chinese: config.language.to_ascii_lowercase().starts_with("zh"),
    }
}
