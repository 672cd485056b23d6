//! The one door for reuse: everything a build takes from earlier builds, and
//! everything it leaves for later ones, goes through [`Reuse`].
//!
//! The pipeline asks "do I have this already?" and tells "here is what I
//! made"; no other module keeps state between builds, and the data model
//! (pages, articles, posts) carries no cache flags. What is kept:
//!
//! - [`store`]: the render cache on disk (`.blogsmith-cache/`): typeset
//!   formulas, highlighted code, rendered articles without their HTML;
//! - [`manifest`]: what the previous build wrote, so unchanged pages are
//!   linked from the previous output instead of rendered;
//! - [`fingerprint`]: the inputs of the last good build, so an unchanged site
//!   is not built at all, and unchanged files are not read;
//! - in a session kept in memory (`serve`), the articles and pages of the
//!   last refresh.
//!
//! Every key includes [`CACHE_VERSION`] (derived from the code at build
//! time) and a salt of the configuration and options: a value made by other
//! code or another configuration is never taken.

pub mod fingerprint;
pub mod manifest;
pub mod store;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crate::diagnostic::Diagnostic;
use crate::markdown::Recall;
use crate::site::Article;
use crate::util::hash;
use crate::util::lock::{self, LiveMark};
use crate::util::stamp::{Stamp, modified_nanos};
pub use fingerprint::KnownFiles;
pub use manifest::Manifest;
pub use store::{CACHE_VERSION, Store, Stores};

/// The render cache folder, at the site root.
pub const CACHE_DIR: &str = ".blogsmith-cache";

/// The list of files the last build wrote, in the cache folder (see [`manifest`]).
pub const OUTPUT_MANIFEST: &str = "output.json";

/// The fingerprint and report of the last good build, in the cache folder (see [`fingerprint`]).
pub const LAST_BUILD: &str = "last-build.json";

impl Recall for Store {
    fn recall(&self, key: u128) -> Option<Arc<str>> {
        self.get_with(key, |bytes| std::str::from_utf8(bytes).ok().map(Arc::from))
    }

    fn remember(&self, key: u128, value: &Arc<str>) {
        // The same bytes as the caller's, not a copy (290 MB of formulas at 10,000 articles).
        self.put(key, Arc::<[u8]>::from(Arc::clone(value)));
    }
}

/// A store read but never written (`check` writes nothing).
struct ReadOnly(Arc<Store>);

impl Recall for ReadOnly {
    fn recall(&self, key: u128) -> Option<Arc<str>> {
        self.0.recall(key)
    }

    fn remember(&self, _: u128, _: &Arc<str>) {}
}

/// An article as a refresh left it, for the next refresh of the same session.
#[derive(Debug, Clone)]
pub struct Remembered {
    /// A hash of the source's bytes.
    pub hash: u64,
    /// The file's stamp just before it was read, and when that was.
    pub stamp: Option<Stamp>,
    /// When it was read.
    pub read_at: SystemTime,
    /// The rendered article (none when it could not be loaded).
    pub article: Option<Arc<Article>>,
    /// Its HTML, with link markers.
    pub html: Option<Arc<str>>,
    /// Its plain text, for the search index.
    pub plain_text: Option<Arc<str>>,
    /// Every problem found while loading it.
    pub diagnostics: Vec<Diagnostic>,
}

/// An article as the render cache keeps it: its rendering without the HTML,
/// its plain text, every problem found while loading it, and the file's
/// modification time then (which matters only when the article takes its
/// date from it).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredArticle {
    diagnostics: Vec<Diagnostic>,
    article: Article,
    plain_text: String,
    modified: u128,
}

/// A [`StoredArticle`] as it is written, borrowed.
#[derive(serde::Serialize)]
struct StoringArticle<'a> {
    diagnostics: &'a [Diagnostic],
    article: &'a Article,
    plain_text: &'a str,
    modified: u128,
}

/// A page the previous build (or refresh) made from the same inputs.
pub enum SamePage {
    /// Its bytes, from the last refresh of this session.
    Bytes(Arc<[u8]>),
    /// The previous output's file, untouched since.
    Previous(PathBuf, manifest::OutputEntry),
}

/// Pages rendered by the last refresh, by output path: the hash of their
/// inputs, and their bytes.
pub type PageMemo = HashMap<String, (u64, Arc<[u8]>)>;

/// What a build may take from earlier ones: see the module documentation.
pub struct Reuse {
    /// The render cache folder; `None` with `--no-cache`.
    dir: Option<PathBuf>,
    stores: Stores,
    /// A hash of what renderings depend on besides their sources.
    salt: u64,
    previous_output: Option<Manifest>,
    known: KnownFiles,
    articles: HashMap<PathBuf, Remembered>,
    pages: PageMemo,
    /// Takes from the render cache but adds nothing to it.
    read_only: bool,
}

impl Reuse {
    /// Nothing to reuse yet; `dir` is the render cache folder (`None`: no cache).
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self {
            dir,
            stores: Stores::disabled(),
            salt: 0,
            previous_output: None,
            known: KnownFiles::default(),
            articles: HashMap::new(),
            pages: PageMemo::new(),
            read_only: false,
        }
    }

    /// Takes from the render cache but never writes it (`check`).
    pub fn read_only(&mut self) {
        self.read_only = true;
    }

    /// Starts over for a new configuration: what was kept in memory is
    /// forgotten, and the stores are opened for `themes` (the highlighting
    /// themes) with `salt` (a hash of the configuration and options).
    pub fn reset(&mut self, themes: &str, salt: u64) {
        self.articles.clear();
        self.pages.clear();
        self.salt = hash::hash_of(&(salt, CACHE_VERSION));
        self.stores = match &self.dir {
            Some(dir) => Stores::open(dir, themes),
            None => Stores::disabled(),
        };
    }

    /// Lets this build take pages from the previous output (see [`Manifest`]).
    pub fn use_previous_output(&mut self, manifest: Manifest) {
        self.previous_output = Some(manifest);
    }

    /// The previous output, when this build reuses it.
    pub fn previous_output(&self) -> Option<&Manifest> {
        self.previous_output.as_ref()
    }

    /// Lets this build take the hashes of articles its fingerprint just read.
    pub fn use_known_files(&mut self, known: KnownFiles) {
        self.known = known;
    }

    /// Where typeset formulas are kept.
    pub fn math(&self) -> Arc<dyn Recall> {
        self.recall(&self.stores.math)
    }

    /// Where highlighted code is kept.
    pub fn code(&self) -> Arc<dyn Recall> {
        self.recall(&self.stores.code)
    }

    fn recall(&self, store: &Arc<Store>) -> Arc<dyn Recall> {
        if self.read_only {
            Arc::new(ReadOnly(Arc::clone(store)))
        } else {
            Arc::clone(store) as Arc<dyn Recall>
        }
    }

    /// The salt of page keys: the configuration, the options, the code.
    pub fn salt(&self) -> u64 {
        self.salt
    }

    /// The article at `relative` as the last refresh left it.
    pub fn remembered(&self, relative: &Path) -> Option<&Remembered> {
        self.articles.get(relative)
    }

    /// The hash of the article at `relative` when the fingerprint read it
    /// and its stamp is still `stamp`.
    pub fn known_hash(&self, relative: &Path, stamp: Option<Stamp>) -> Option<u64> {
        self.known.hash_of(relative, stamp)
    }

    /// The rendered article whose source at `relative` hashes to `hash`,
    /// from the render cache, with its plain text and the problems found
    /// when it was made.
    /// `modified` is the file's modification time, which counts only when
    /// the article takes its date from it.
    pub fn stored_article(
        &self,
        relative: &Path,
        hash: u64,
        modified: u128,
    ) -> Option<(Article, Arc<str>, Vec<Diagnostic>)> {
        let stored = self
            .stores
            .articles
            .get_with(self.article_key(relative, hash), |bytes| {
                serde_json::from_slice::<StoredArticle>(bytes)
                    .ok()
                    .filter(|s| !s.article.page.date_from_file_time || s.modified == modified)
            })?;
        Some((
            stored.article,
            Arc::from(stored.plain_text),
            stored.diagnostics,
        ))
    }

    /// Keeps a rendered article (without its HTML) and its plain text for later builds.
    pub fn store_article(
        &self,
        relative: &Path,
        hash: u64,
        modified: u128,
        article: &Article,
        plain_text: &str,
        diagnostics: &[Diagnostic],
    ) {
        if self.read_only {
            return;
        }
        let stored = StoringArticle {
            diagnostics,
            article,
            plain_text,
            modified,
        };
        if let Ok(bytes) = serde_json::to_vec(&stored) {
            self.stores
                .articles
                .put(self.article_key(relative, hash), bytes.into());
        }
    }

    /// The render cache's key for an article: its bytes, where it is, and the
    /// salt. Not its time stamp: a fresh clone or a checkout touches every
    /// file, and only articles that take their date from the file need it
    /// (see [`StoredArticle`]).
    fn article_key(&self, relative: &Path, hash: u64) -> u128 {
        hash::key(&[
            b"article",
            relative.to_string_lossy().as_bytes(),
            &hash.to_le_bytes(),
            &self.salt.to_le_bytes(),
        ])
    }

    /// The page at `path` made from inputs hashing to `key` by the last
    /// refresh or the previous build, if there is one.
    pub fn page(&self, path: &str, key: u64) -> Option<SamePage> {
        if let Some((old, bytes)) = self.pages.get(path)
            && *old == key
        {
            return Some(SamePage::Bytes(Arc::clone(bytes)));
        }
        let (file, entry) = self.previous_output.as_ref()?.rendered_page(path, key)?;
        Some(SamePage::Previous(file, entry))
    }

    /// Keeps what a good refresh made for the next refresh of this session.
    pub fn remember(&mut self, articles: HashMap<PathBuf, Remembered>, pages: PageMemo) {
        self.articles = articles;
        self.pages = pages;
    }

    /// Values taken from the render cache by this build.
    pub fn hits(&self) -> usize {
        self.stores.hits()
    }

    /// Articles taken whole from the render cache by this build.
    pub fn article_hits(&self) -> usize {
        self.stores.articles.hits()
    }

    /// Writes the render cache for later builds (a failure only costs speed).
    /// Nothing is written before: reading the cache (`check`) leaves the
    /// site as it was.
    pub fn save(&self) -> std::io::Result<()> {
        let Some(dir) = self.dir.as_ref().filter(|_| !self.read_only) else {
            return Ok(());
        };
        std::fs::create_dir_all(dir)?;
        // Held while the stores write their working files (see `crate::util::lock`).
        let _mark = LiveMark::take(dir, lock::WORK_PREFIX)?;
        self.stores.save()
    }
}

/// The modification time of an article (from its stamp when there is one:
/// no second `stat`).
pub fn modified_of(stamp: Option<Stamp>, path: &Path) -> u128 {
    stamp.map_or_else(|| modified_nanos(path), Stamp::modified_nanos)
}
