//! An article after rendering, as the site sees it.

use std::sync::Arc;

use crate::content::Page;
use crate::markdown::{Excerpt, Label, LocalLink, Rendered, TextCount, TocEntry};

/// A rendered article: everything lists, links, search and feeds use, but
/// not its HTML, which goes from the rendering straight to its page, nor its
/// plain text, which goes to the search index (so that a build need not
/// hold the bulk of every article, and the render cache can keep articles
/// without their HTML).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Article {
    /// The source's front matter (its Markdown body dropped: rendered).
    pub page: Page,
    /// Headings, in order.
    pub toc: Vec<TocEntry>,
    /// The opening text, plain, for meta descriptions.
    pub description: String,
    /// The excerpt list pages show.
    pub excerpt: Excerpt,
    /// Formulas in the article.
    pub formulas: usize,
    /// Code blocks in the article.
    pub code_blocks: usize,
    /// Mermaid diagrams in the article.
    pub diagrams: usize,
    /// Characters and words, for reading time.
    pub text: TextCount,
    /// Relative links and images, to copy files and resolve links.
    pub local_links: Vec<LocalLink>,
    /// Links to paths of the site (`/posts/x/`), to check.
    pub root_links: Vec<LocalLink>,
    /// Links to other sites, for `blogsmith check --external`.
    #[serde(default)]
    pub external_links: Vec<LocalLink>,
    /// The `id`s of the article's own HTML: link targets besides its headings.
    pub html_anchors: Vec<String>,
    /// The labels it defines (equations, theorems, figures), for references
    /// from any article.
    #[serde(default)]
    pub labels: Vec<Label>,
    /// A hash of the source file (and of the `.bib` files it cites),
    /// standing for everything derived from it.
    pub source_hash: u64,
    /// The `.bib` files the rendering used, with the hash of their bytes:
    /// a later build renders the article again when one of them changed.
    #[serde(default)]
    pub bibliographies: Vec<(std::path::PathBuf, u64)>,
}

impl Article {
    /// The article of `page` from its rendering, and the rendering's texts.
    pub fn new(
        page: Page,
        rendered: Rendered,
        excerpt: Excerpt,
        source_hash: u64,
    ) -> (Self, ArticleTexts) {
        let Rendered {
            html,
            before_more: _,
            auto_excerpt: _,
            description,
            plain_text,
            toc,
            formulas,
            code_blocks,
            diagrams,
            text,
            local_links,
            root_links,
            external_links,
            html_anchors,
            labels,
            diagnostics: _,
        } = rendered;
        // Rendered: the Markdown is not needed again.
        let page = Page {
            body: String::new(),
            generated_html: Vec::new(),
            ..page
        };
        let article = Self {
            page,
            toc,
            description,
            excerpt,
            formulas,
            code_blocks,
            diagrams,
            text,
            local_links,
            root_links,
            external_links,
            html_anchors,
            labels,
            source_hash,
            bibliographies: Vec::new(),
        };
        (article, ArticleTexts { html, plain_text })
    }
}

/// The bulk of a rendered article, kept apart from [`Article`].
#[derive(Debug, Clone)]
pub struct ArticleTexts {
    /// Its HTML, with link markers.
    pub html: Arc<str>,
    /// Its readable text, plain, for the search index.
    pub plain_text: Arc<str>,
}
