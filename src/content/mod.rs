//! Finding and loading sources: walk `content/`, split front matter, build [`Page`]s.

mod front_matter;
mod page;
mod walk;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use front_matter::{FrontMatter, parse_date};
pub use page::Page;
pub use walk::is_markdown;

use crate::config::Config;
use crate::diagnostic::Diagnostic;

/// The folder of articles, under the site root.
pub const CONTENT_DIR: &str = "content";

/// Everything found under `content/`.
#[derive(Debug, Default)]
pub struct Content {
    /// Articles to publish, in source-path order.
    pub pages: Vec<Page>,
    /// Non-Markdown files, relative to `content/`.
    pub assets: Vec<PathBuf>,
    /// Problems found while loading.
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads every article under `root/content`, in parallel.
///
/// Drafts are dropped unless `include_drafts`. Two articles with the same slug
/// are an error naming both files.
pub fn load(root: &Path, config: &Config, include_drafts: bool) -> Content {
    let content_dir = root.join(CONTENT_DIR);
    let shown = Path::new(CONTENT_DIR);
    if !content_dir.is_dir() {
        return Content {
            diagnostics: vec![Diagnostic::warning(shown, "no content/ folder: the site has no articles")
                .with_hint("create content/ and put Markdown articles in it, or run `blogsmith new \"标题\"`")],
            ..Content::default()
        };
    }
    let found = walk::walk(&content_dir, shown);
    let tz = config.time_zone();
    let loaded: Vec<page::Loaded> = found
        .articles
        .par_iter()
        .map(|relative| page::load(&content_dir, shown, relative, &tz))
        .collect();
    let mut content = Content {
        assets: found.assets,
        diagnostics: found.warnings,
        ..Content::default()
    };
    for item in loaded {
        content.diagnostics.extend(item.diagnostics);
        if let Some(page) = item.page.filter(|p| include_drafts || !p.draft) {
            content.pages.push(page);
        }
    }
    content.diagnostics.extend(duplicate_slugs(&content.pages));
    content
}

fn duplicate_slugs(pages: &[Page]) -> Vec<Diagnostic> {
    let mut by_slug: BTreeMap<&str, Vec<&Page>> = BTreeMap::new();
    for page in pages {
        by_slug.entry(&page.slug).or_default().push(page);
    }
    by_slug
        .into_iter()
        .filter(|(_, pages)| pages.len() > 1)
        .map(|(slug, pages)| {
            let others: Vec<String> = pages[1..]
                .iter()
                .map(|p| p.source.to_string_lossy().into_owned())
                .collect();
            Diagnostic::error(
                &pages[0].source,
                format!("slug `{slug}` is also used by {}", others.join(", ")),
            )
            .with_hint("give one of them another `slug:` in its front matter, or rename the file")
        })
        .collect()
}
