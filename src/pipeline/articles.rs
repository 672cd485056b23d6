//! Step 2 of the build: every article loaded — as the last refresh left it,
//! from the render cache, or read, parsed and rendered — in parallel.

use super::Session;
use crate::config::CitationStyleName;
use crate::config::Config;
use crate::content::bibliography::{self, BibFiles};
use crate::content::{self, CONTENT_DIR};
use crate::diagnostic::Diagnostic;
use crate::incremental::{self, Remembered, Reuse};
use crate::markdown::{Bibliography, CitationStyle, MarkdownRenderer, Source};
use crate::output::Spill;
use crate::site::{Article, ArticleTexts};
use crate::util::fsio::Stretch;
use crate::util::hash::hash_bytes;
use crate::util::progress::{self, Stage};
use crate::util::stamp::Stamp;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// An article's HTML (with link markers), or its plain text, during a refresh.
pub(super) enum ArticleBody {
    /// In memory.
    Memory(Arc<str>),
    /// In the spill file.
    Disk(Stretch),
    /// Not kept: the article came from the render cache without its HTML,
    /// and is rendered again if its page must be.
    NotKept,
}

impl ArticleBody {
    /// The text, if it was kept: from memory or read back from the spill file.
    pub(super) fn read(&self) -> Option<std::io::Result<Arc<str>>> {
        match self {
            ArticleBody::Memory(text) => Some(Ok(Arc::clone(text))),
            ArticleBody::Disk(kept) => Some(kept.read().map(Arc::from)),
            ArticleBody::NotKept => None,
        }
    }
}

/// One article during a refresh.
pub(super) struct LoadedArticle {
    pub(super) hash: u64,
    pub(super) stamp: Option<Stamp>,
    pub(super) read_at: SystemTime,
    pub(super) article: Option<Arc<Article>>,
    /// Its HTML.
    pub(super) body: ArticleBody,
    /// Its plain text, for the search index.
    pub(super) text: ArticleBody,
    pub(super) diagnostics: Vec<Diagnostic>,
}

/// What loading one article found.
pub(super) enum LoadOutcome {
    /// Not read: its stamp says it is as the last refresh left it.
    Unchanged,
    /// Read, and the same bytes as the last refresh's: only its stamp is new.
    SameBytes(Option<Stamp>, SystemTime),
    /// New, changed, or taken from the render cache.
    Loaded(Box<LoadedArticle>),
}

impl Session {
    /// Step 2: every article (`relatives`, under `content/`), in parallel:
    /// as the last refresh left it when unchanged, else from the render
    /// cache, else read, parsed and rendered.
    pub(super) fn render_articles(
        &self,
        relatives: &[PathBuf],
    ) -> BTreeMap<PathBuf, LoadedArticle> {
        let Some(renderer) = self.renderer() else {
            return BTreeMap::new();
        };
        let loader = ArticleLoader {
            root: &self.options.root,
            content_dir: self.options.root.join(CONTENT_DIR),
            config: self.config(),
            renderer,
            reuse: &self.reuse,
            from_store: self.articles_from_store(),
            spill: self.spill.as_ref(),
            bib_files: &content::bibliography::BibFiles::default(),
        };
        let progress = self.options.progress.as_deref();
        progress::start(progress, Stage::Articles, relatives.len());
        let found: Vec<(PathBuf, LoadOutcome)> = relatives
            .par_iter()
            .map(|relative| (relative.clone(), loader.load(relative)))
            .inspect(|_| progress::advance(progress))
            .collect();
        found
            .into_iter()
            .filter_map(|(relative, found)| {
                let loaded = match found {
                    LoadOutcome::Loaded(loaded) => *loaded,
                    LoadOutcome::Unchanged => remembered(self.reuse.remembered(&relative)?),
                    LoadOutcome::SameBytes(stamp, read_at) => LoadedArticle {
                        stamp,
                        read_at,
                        ..remembered(self.reuse.remembered(&relative)?)
                    },
                };
                Some((relative, loaded))
            })
            .collect()
    }

    /// Whether articles may come from the render cache without their HTML:
    /// only in a build writing over a previous output (whose pages stand in
    /// for the HTML), and not when feeds show whole articles.
    pub(super) fn articles_from_store(&self) -> bool {
        self.reuse.previous_output().is_some() && !self.config().feed.full_content
    }

    /// The articles to publish (drafts only with `--drafts`), in source
    /// order; every article's problems go to `diagnostics`.
    pub(super) fn published(
        &self,
        loaded: &BTreeMap<PathBuf, LoadedArticle>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Vec<Arc<Article>> {
        let mut published = Vec::with_capacity(loaded.len());
        for article in loaded.values() {
            diagnostics.extend(article.diagnostics.iter().cloned());
            if let Some(article) = &article.article
                && (!article.page.draft || self.options.drafts)
            {
                published.push(Arc::clone(article));
            }
        }
        published
    }
}

/// Reads, parses and renders articles; shared by the threads of a refresh.
pub(super) struct ArticleLoader<'a> {
    pub(super) root: &'a Path,
    pub(super) content_dir: PathBuf,
    pub(super) config: &'a Config,
    pub(super) renderer: MarkdownRenderer<'a>,
    pub(super) reuse: &'a Reuse,
    /// Whether articles may be taken from the render cache without their HTML.
    pub(super) from_store: bool,
    /// Where a build puts each article's HTML until its page is rendered.
    pub(super) spill: Option<&'a Spill>,
    /// The `.bib` files read by this refresh.
    pub(super) bib_files: &'a BibFiles,
}

impl ArticleLoader<'_> {
    /// Loads the article at `relative` (under `content/`).
    pub(super) fn load(&self, relative: &Path) -> LoadOutcome {
        let path = self.content_dir.join(relative);
        let read_at = SystemTime::now();
        let stamp = Stamp::of(&path);
        let remembered = self.reuse.remembered(relative);
        // An article whose `.bib` files changed is rendered again.
        let remembered = remembered.filter(|r| self.bibliographies_unchanged(r.article.as_deref()));
        if let (Some(stamp), Some(remembered)) = (stamp, remembered)
            && stamp.unchanged_since(remembered.stamp, remembered.read_at)
        {
            return LoadOutcome::Unchanged;
        }
        if let Some(hash) = self.reuse.known_hash(relative, stamp)
            && let Some(loaded) = self.stored(relative, &path, hash, stamp, read_at)
        {
            return LoadOutcome::Loaded(Box::new(loaded));
        }
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => return LoadOutcome::Loaded(Box::new(unreadable(relative, &e, read_at))),
        };
        let hash = hash_bytes(&bytes);
        if remembered.is_some_and(|remembered| remembered.hash == hash) {
            return LoadOutcome::SameBytes(stamp, read_at);
        }
        if let Some(loaded) = self.stored(relative, &path, hash, stamp, read_at) {
            return LoadOutcome::Loaded(Box::new(loaded));
        }
        let (article, texts, diagnostics) = parse_and_render(
            self.root,
            relative,
            &bytes,
            self.config,
            &self.renderer,
            hash,
            self.bib_files,
        );
        if let (Some(article), Some(texts)) = (&article, &texts)
            && self.from_store
        {
            let modified = incremental::modified_of(stamp, &path);
            self.reuse.store_article(
                relative,
                hash,
                modified,
                article,
                &texts.plain_text,
                &diagnostics,
            );
        }
        let (body, text) = match texts {
            Some(ArticleTexts { html, plain_text }) => (self.keep(html), self.keep(plain_text)),
            None => (ArticleBody::NotKept, ArticleBody::NotKept),
        };
        LoadOutcome::Loaded(Box::new(LoadedArticle {
            hash,
            stamp,
            read_at,
            article: article.map(Arc::new),
            body,
            text,
            diagnostics,
        }))
    }

    /// `text` in the spill file until it is needed, when the build has one
    /// and writing works; else in memory.
    fn keep(&self, text: Arc<str>) -> ArticleBody {
        self.spill
            .and_then(|spill| spill.keep_text(&text))
            .map_or(ArticleBody::Memory(text), ArticleBody::Disk)
    }

    /// The article whose bytes hash to `hash`, from the render cache (without its HTML).
    pub(super) fn stored(
        &self,
        relative: &Path,
        path: &Path,
        hash: u64,
        stamp: Option<Stamp>,
        read_at: SystemTime,
    ) -> Option<LoadedArticle> {
        if !self.from_store {
            return None;
        }
        let modified = incremental::modified_of(stamp, path);
        let (article, plain_text, diagnostics) =
            self.reuse.stored_article(relative, hash, modified)?;
        if !self.bibliographies_unchanged(Some(&article)) {
            return None;
        }
        Some(LoadedArticle {
            hash,
            stamp,
            read_at,
            article: Some(Arc::new(article)),
            body: ArticleBody::NotKept,
            text: self.keep(plain_text),
            diagnostics,
        })
    }
}

impl ArticleLoader<'_> {
    /// Whether the `.bib` files `article` was rendered with are as they were then.
    fn bibliographies_unchanged(&self, article: Option<&Article>) -> bool {
        article.is_none_or(|article| {
            article
                .bibliographies
                .iter()
                .all(|(path, hash)| self.bib_files.hash_of(path).unwrap_or(0) == *hash)
        })
    }
}

/// An article that could not be read.
pub(super) fn unreadable(
    relative: &Path,
    error: &std::io::Error,
    read_at: SystemTime,
) -> LoadedArticle {
    LoadedArticle {
        hash: 0,
        stamp: None,
        read_at,
        article: None,
        body: ArticleBody::NotKept,
        text: ArticleBody::NotKept,
        diagnostics: vec![Diagnostic::error(
            Path::new(CONTENT_DIR).join(relative),
            format!("cannot read the file: {e}", e = error),
        )],
    }
}

/// An article as the last refresh left it.
pub(super) fn remembered(remembered: &Remembered) -> LoadedArticle {
    LoadedArticle {
        hash: remembered.hash,
        stamp: remembered.stamp,
        read_at: remembered.read_at,
        article: remembered.article.clone(),
        body: remembered
            .html
            .as_ref()
            .map_or(ArticleBody::NotKept, |html| {
                ArticleBody::Memory(Arc::clone(html))
            }),
        text: remembered
            .plain_text
            .as_ref()
            .map_or(ArticleBody::NotKept, |text| {
                ArticleBody::Memory(Arc::clone(text))
            }),
        diagnostics: remembered.diagnostics.clone(),
    }
}

/// Parses an article's front matter and renders it: the article (unless an
/// error prevents it), its HTML with link markers and its plain text, and
/// every problem found.
pub(super) fn parse_and_render(
    root: &Path,
    relative: &Path,
    bytes: &[u8],
    config: &Config,
    renderer: &MarkdownRenderer<'_>,
    hash: u64,
    bib_files: &BibFiles,
) -> (Option<Article>, Option<ArticleTexts>, Vec<Diagnostic>) {
    let mut parsed = content::parse_article(root, relative, bytes, config);
    let Some(page) = parsed.page.take() else {
        return (None, None, parsed.diagnostics);
    };
    let cited = bibliography::of_page(root, &page, config, bib_files);
    let complete = cited.problems.is_empty();
    parsed.diagnostics.extend(cited.problems);
    let library = cited.library.map(|library| Bibliography {
        library,
        style: match config.citations.style {
            CitationStyleName::AuthorYear => CitationStyle::AuthorYear,
            CitationStyleName::Numeric => CitationStyle::Numeric,
        },
        chinese: config.language.to_ascii_lowercase().starts_with("zh"),
        complete,
    });
    // The page shows the entries: its key changes with the `.bib` files.
    let hash = match cited.files.is_empty() {
        true => hash,
        false => crate::util::hash::hash_of(&(hash, &cited.files)),
    };
    let (mut article, texts, problems) =
        render_cited_article(page, renderer, hash, library.as_ref());
    article.bibliographies = cited.files;
    parsed.diagnostics.extend(problems);
    (Some(article), Some(texts), parsed.diagnostics)
}

/// Renders one article: the article as the site sees it, its HTML (with
/// link markers) and plain text, and the problems found (formulas KaTeX cannot parse,
/// unknown code languages).
///
/// Public for the fuzz targets (`fuzz/`), which render one page without a site.
pub fn render_article(
    page: content::Page,
    renderer: &MarkdownRenderer<'_>,
    source_hash: u64,
) -> (Article, ArticleTexts, Vec<Diagnostic>) {
    render_cited_article(page, renderer, source_hash, None)
}

/// [`render_article`] for an article that may cite entries of `bibliography`.
fn render_cited_article(
    page: content::Page,
    renderer: &MarkdownRenderer<'_>,
    source_hash: u64,
    bibliography: Option<&Bibliography>,
) -> (Article, ArticleTexts, Vec<Diagnostic>) {
    let source = Source {
        body: &page.body,
        path: &page.source,
        first_line: page.body_line,
    };
    let mut rendered = renderer.render_cited(source, &page.generated_html, bibliography);
    let excerpt = renderer.excerpt(&mut rendered, page.summary.as_deref(), &page.source);
    let mut diagnostics = std::mem::take(&mut rendered.diagnostics);
    if !page.line_map.is_empty() {
        // A notebook's body is made of its cells: point at the notebook file.
        for d in &mut diagnostics {
            d.position = d
                .position
                .map(|p| content::notebook::file_position(&page.line_map, p));
        }
    }
    let (article, texts) = Article::new(page, rendered, excerpt, source_hash);
    (article, texts, diagnostics)
}
