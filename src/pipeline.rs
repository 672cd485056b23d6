//! A build kept in memory and brought up to date on demand: `build` refreshes
//! it once and writes it out; `serve` refreshes it on every save.
//!
//! A refresh looks at every source but only re-renders what changed: articles
//! whose bytes hash differently, and pages whose inputs hash differently. It
//! needs no list of changed files, so it cannot miss one. An article whose
//! file system stamp (inode, size, change time) is as when it was read, long
//! enough after its last change, is not read again (see [`Stamp`]).

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;

use crate::cache::{Caches, hash_bytes, modified_nanos};
use crate::config::{self, Config};
use crate::content::{self, CONTENT_DIR, Loaded};
use crate::diagnostic::Diagnostic;
use crate::markdown::{self, CodeStyle, MarkdownRenderer, MathEngine, Source};
use crate::render::manifest::Manifest;
use crate::render::output::Spill;
use crate::render::{self, Contents, Inputs, Memo, OutputFile, Theme};
use crate::site::{RenderedPage, Site};
use crate::{BuildFailure, BuildOptions, BuildReport};

/// One article as last loaded and rendered, with the hash of its bytes.
struct Cached {
    hash: u64,
    loaded: Loaded,
    rendered: Option<Arc<RenderedPage>>,
    /// The file's stamp just before it was read, and when that was.
    stamp: Option<Stamp>,
    read_at: SystemTime,
}

/// What `stat` says about a file, enough to know it was not written since.
///
/// Any write or rename sets the change time (`ctime`), which no program can
/// set back. Time stamps are coarse (a few milliseconds, seconds on some file
/// systems), so a file changed within [`Stamp::MARGIN`] before it was read is
/// read again regardless, as `git` does for its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Stamp {
    device: u64,
    inode: u64,
    len: u64,
    changed: (i64, i64),
    modified: (i64, i64),
}

impl Stamp {
    const MARGIN: Duration = Duration::from_secs(2);

    /// The stamp of the file at `path`, following links.
    pub(crate) fn of(path: &Path) -> Option<Self> {
        Self::of_meta(&std::fs::metadata(path).ok()?)
    }

    /// The stamp of a file whose metadata is `meta`.
    #[cfg(unix)]
    pub(crate) fn of_meta(meta: &std::fs::Metadata) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        Some(Self {
            device: meta.dev(),
            inode: meta.ino(),
            len: meta.len(),
            changed: (meta.ctime(), meta.ctime_nsec()),
            modified: (meta.mtime(), meta.mtime_nsec()),
        })
    }

    /// Elsewhere every article is read on every refresh.
    #[cfg(not(unix))]
    pub(crate) fn of_meta(_: &std::fs::Metadata) -> Option<Self> {
        None
    }

    /// The modification time in nanoseconds since 1970, as
    /// [`modified_nanos`] gives it (0 before 1970).
    fn modified_nanos(self) -> u128 {
        let (secs, nanos) = self.modified;
        match (u128::try_from(secs), u128::try_from(nanos)) {
            (Ok(secs), Ok(nanos)) => secs * 1_000_000_000 + nanos,
            _ => 0,
        }
    }

    /// Whether the file's last change was well before `at`: a read at `at`
    /// saw its final bytes (see [`Stamp::MARGIN`]).
    pub(crate) fn settled_before(self, at: SystemTime) -> bool {
        u64::try_from(self.changed.0)
            .ok()
            .map(|secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
            .is_some_and(|changed| changed + Self::MARGIN < at)
    }

    /// Whether the file, last read at `read_at` with this stamp, is unchanged.
    fn unchanged_since(self, cached: &Cached) -> bool {
        let Some(old) = cached.stamp else {
            return false;
        };
        old == self && self.settled_before(cached.read_at)
    }
}

/// What a refresh found for one article.
enum Found {
    /// Not read: its stamp says it is unchanged.
    Unchanged,
    /// Read, and the same bytes as before: only its stamp is new.
    SameBytes(Option<Stamp>, SystemTime),
    /// New or changed.
    Changed(Box<Cached>),
}

/// What one refresh changed.
#[derive(Debug, Clone, Default)]
pub struct Refreshed {
    /// The build's figures and warnings.
    pub report: BuildReport,
    /// Output paths added, removed or changed since the previous good build.
    pub changed: Vec<String>,
}

/// A site build kept up to date.
pub struct Session {
    options: BuildOptions,
    config_text: Option<String>,
    config: Config,
    math: MathEngine,
    highlight_css: String,
    code_style: Option<CodeStyle>,
    caches: Caches,
    articles: HashMap<PathBuf, Cached>,
    memo: Memo,
    files: BTreeMap<String, OutputFile>,
    keys: HashMap<String, u64>,
    previous_output: Option<Manifest>,
    spill: Option<Spill>,
    known: KnownFiles,
}

/// Articles (relative to `content/`) read just before the session by someone
/// else (the build's fingerprint): their stamp then and a hash of their bytes,
/// and when they were read. An article with the same stamp now is not read
/// again when the render cache has it.
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
    pub(crate) fn new(
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
    fn hash_of(&self, relative: &Path, stamp: Option<Stamp>) -> Option<u64> {
        let (known, hash) = self.files.get(relative)?;
        (Some(*known) == stamp && known.settled_before(self.read_at)).then_some(*hash)
    }
}

impl Session {
    /// A session for `options`; nothing is read until [`Session::refresh`].
    pub fn new(options: BuildOptions) -> Self {
        Self {
            options,
            config_text: None,
            config: Config::default(),
            math: MathEngine::new(Default::default()),
            caches: Caches::disabled(),
            highlight_css: String::new(),
            code_style: None,
            articles: HashMap::new(),
            memo: Memo::new(),
            files: BTreeMap::new(),
            keys: HashMap::new(),
            previous_output: None,
            spill: None,
            known: KnownFiles::default(),
        }
    }

    /// Removes the folder given to [`Session::spill_pages`]: for after the
    /// site is written ([`Session::files`] then names files that are gone).
    pub fn end_spill(&mut self) {
        self.spill = None;
    }

    /// Lets the first refresh take these articles' hashes instead of reading
    /// them, when they are unchanged and in the render cache.
    pub fn know_files(&mut self, known: KnownFiles) {
        self.known = known;
    }

    /// Puts rendered pages in `spill` as soon as they are rendered, rather
    /// than in memory: [`Session::files`] then names files there. For a
    /// one-off build (a `serve` session keeps pages in memory to reuse them).
    pub fn spill_pages(&mut self, spill: Spill) {
        self.spill = Some(spill);
    }

    /// Lets refreshes take pages from a previous output instead of rendering
    /// them, when they were rendered from the same inputs (see [`Manifest`]).
    pub fn reuse_previous_output(&mut self, manifest: Manifest) {
        self.previous_output = Some(manifest);
    }

    /// The previous output given to [`Session::reuse_previous_output`].
    pub fn previous_output(&self) -> Option<&Manifest> {
        self.previous_output.as_ref()
    }

    /// The hash of each page's inputs in the last good build, by output path.
    pub fn page_keys(&self) -> &HashMap<String, u64> {
        &self.keys
    }

    /// What page input hashes do not otherwise see, but a previous output may
    /// have been made with: the configuration, the options, the binary.
    fn salt(&self) -> u64 {
        if self.previous_output.is_none() {
            return 0;
        }
        self.render_salt()
    }

    /// A hash of what renderings depend on besides their sources: the
    /// configuration, the options, the blogsmith binary.
    fn render_salt(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        (
            &self.config_text,
            &self.options.base_url,
            self.options.drafts,
            self.options.strict,
            &self.options.render.live_reload,
            env!("CARGO_PKG_VERSION"),
            crate::fingerprint::binary_identity(),
        )
            .hash(&mut hasher);
        hasher.finish()
    }

    /// The build's options.
    pub fn options(&self) -> &BuildOptions {
        &self.options
    }

    /// The files of the last good build, by output path (`/`-separated, not encoded).
    pub fn files(&self) -> &BTreeMap<String, OutputFile> {
        &self.files
    }

    /// Brings the build up to date with the files on disk.
    ///
    /// On errors the previous good build stays as it was, and every problem is returned.
    pub fn refresh(&mut self) -> Result<Refreshed, BuildFailure> {
        let started = Instant::now();
        self.reload_config()?;
        let root = self.options.root.clone();
        let mut diagnostics = Vec::new();

        let found = content::find(&root);
        diagnostics.extend(found.warnings);
        crate::trace::phase("find", started);
        let phase = Instant::now();
        self.load_articles(&found.articles);
        crate::trace::phase("load and render articles", phase);

        // Articles taken from the render cache come without their HTML; the
        // few whose pages must be rendered anyway are rendered, then a second
        // pass puts the site together again.
        let mut rerendered = false;
        let (articles, formulas, code_blocks, output) = loop {
            let phase = Instant::now();
            let mut pass = Vec::new();
            let (pages, formulas, code_blocks) = self.published_pages(&mut pass);
            pass.extend(content::duplicate_slugs(pages.iter().map(|p| &p.page)));
            let (site, site_diagnostics) = Site::assemble(&pages, &self.config, &found.assets);
            pass.extend(site_diagnostics);
            crate::trace::phase("assemble", phase);
            let phase = Instant::now();
            let output = match Theme::load(&root) {
                Ok(theme) => {
                    let inputs = Inputs {
                        config: &self.config,
                        theme: &theme,
                        highlight_css: &self.highlight_css,
                        root: &root,
                        assets: &found.assets,
                        options: &self.options.render,
                        previous_output: self.previous_output.as_ref(),
                        salt: self.salt(),
                        progress: self.options.progress.as_deref(),
                        spill: self.spill.as_ref(),
                    };
                    Some(render::render_site(&site, &inputs, &self.memo))
                }
                Err(problems) => {
                    pass.extend(problems);
                    None
                }
            };
            crate::trace::phase("render pages", phase);
            let needs: Vec<PathBuf> = output
                .as_ref()
                .map(|o| o.needs_articles.clone())
                .unwrap_or_default();
            if !needs.is_empty() && !rerendered {
                crate::trace::phase(
                    &format!("render {} cached articles again", needs.len()),
                    phase,
                );
                self.render_again(&needs);
                rerendered = true;
                continue;
            }
            if !needs.is_empty() {
                // Cannot happen: articles rendered again keep their HTML.
                pass.push(
                    Diagnostic::error(
                        CONTENT_DIR,
                        "internal error: pages left without their articles' HTML",
                    )
                    .with_hint("this is a bug in blogsmith: build with --no-cache meanwhile"),
                );
            }
            if let Some(output) = &output {
                pass.extend(output.diagnostics.iter().cloned());
            }
            diagnostics.extend(pass);
            break (pages.len(), formulas, code_blocks, output);
        };
        let strict = self.options.strict || self.config.math.strict;
        let mut diagnostics: Vec<Diagnostic> = diagnostics
            .into_iter()
            .map(|d| d.escalated(strict))
            .collect();
        diagnostics.sort();
        diagnostics.dedup();
        let output = match output {
            Some(output) if !diagnostics.iter().any(Diagnostic::is_error) => output,
            _ => return Err(BuildFailure { diagnostics }),
        };

        let files: BTreeMap<String, OutputFile> = output
            .files
            .into_iter()
            .map(|f| (f.path.clone(), f))
            .collect();
        let changed = changed_paths(&self.files, &files);
        self.files = files;
        self.memo = output.memo;
        self.keys = output.keys;
        Ok(Refreshed {
            report: BuildReport {
                articles,
                pages: self.files.keys().filter(|p| p.ends_with(".html")).count(),
                files: self.files.len(),
                rendered_pages: output.rendered,
                formulas,
                distinct_formulas: self.math.distinct_formulas(),
                code_blocks,
                search: output.search,
                cache_hits: self.caches.hits(),
                articles_from_cache: self.caches.articles.hits(),
                elapsed: started.elapsed(),
                warnings: diagnostics,
                ..BuildReport::default()
            },
            changed,
        })
    }

    /// Reads `blogsmith.yaml`; when it changed, everything is rebuilt from scratch.
    fn reload_config(&mut self) -> Result<(), BuildFailure> {
        let fail = |d: Diagnostic| BuildFailure {
            diagnostics: vec![d],
        };
        let path = self.options.root.join(config::CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(fail(Diagnostic::error(
                    config::CONFIG_FILE,
                    format!("cannot read the configuration: {e}"),
                )));
            }
        };
        if self.config_text.as_deref() == Some(text.as_str()) {
            return Ok(());
        }
        let mut config = Config::parse(&text).map_err(|d| {
            fail(Diagnostic {
                path: config::CONFIG_FILE.into(),
                ..d
            })
        })?;
        if let Some(base_url) = &self.options.base_url {
            config.base_url.clone_from(base_url);
        }
        let code_style =
            CodeStyle::new(&config.highlight.light_theme, &config.highlight.dark_theme)
                .map_err(|e| fail(Diagnostic::error(config::CONFIG_FILE, e)))?;
        self.caches = self.open_caches(&config);
        let code_style = code_style.with_store(Arc::clone(&self.caches.code));
        self.math =
            MathEngine::with_store(config.math.macros.clone(), Arc::clone(&self.caches.math));
        self.config = config;
        self.config_text = Some(text);
        self.highlight_css = code_style.stylesheet();
        self.code_style = Some(code_style);
        self.articles.clear();
        self.memo.clear();
        Ok(())
    }

    /// The persistent caches for `config`, or disabled ones with `--no-cache`.
    fn open_caches(&self, config: &Config) -> Caches {
        if !self.options.cache {
            return Caches::disabled();
        }
        let blogsmith = concat!("blogsmith-", env!("CARGO_PKG_VERSION"));
        let code = format!(
            "{} {} {} {blogsmith}",
            markdown::highlight::HIGHLIGHTER_VERSION,
            config.highlight.light_theme,
            config.highlight.dark_theme
        );
        Caches::open(
            &self.options.root,
            &format!("{} {blogsmith}", markdown::math::ENGINE_VERSION),
            &code,
        )
    }

    /// Writes the persistent caches for the next build (a failure only costs speed).
    pub fn save_caches(&self) -> std::io::Result<()> {
        self.caches.save()
    }

    /// Reads every article not known unchanged; parses and renders (in
    /// parallel) those whose bytes changed, or takes them from the render cache.
    fn load_articles(&mut self, relatives: &[PathBuf]) {
        let Some(loader) = self.loader(self.articles_from_cache()) else {
            return;
        };
        let previous = &self.articles;
        let progress = self.options.progress.as_deref();
        crate::progress::start(progress, crate::progress::Stage::Articles, relatives.len());
        let fresh: Vec<(PathBuf, Found)> = relatives
            .par_iter()
            .map(|relative| {
                (
                    relative.clone(),
                    loader.load(relative, previous.get(relative)),
                )
            })
            .inspect(|_| crate::progress::advance(progress))
            .collect();
        let mut articles = HashMap::with_capacity(fresh.len());
        for (relative, found) in fresh {
            let cached = match found {
                Found::Changed(cached) => *cached,
                Found::Unchanged => match self.articles.remove(&relative) {
                    Some(cached) => cached,
                    None => continue,
                },
                Found::SameBytes(stamp, read_at) => match self.articles.remove(&relative) {
                    Some(cached) => Cached {
                        stamp,
                        read_at,
                        ..cached
                    },
                    None => continue,
                },
            };
            articles.insert(relative, cached);
        }
        self.articles = articles;
    }

    /// Reads and renders `relatives` again, fully: their HTML was not kept.
    fn render_again(&mut self, relatives: &[PathBuf]) {
        let Some(loader) = self.loader(false) else {
            return;
        };
        let fresh: Vec<(PathBuf, Found)> = relatives
            .par_iter()
            .map(|relative| (relative.clone(), loader.load(relative, None)))
            .collect();
        for (relative, found) in fresh {
            if let Found::Changed(cached) = found {
                self.articles.insert(relative, *cached);
            }
        }
    }

    /// Whether articles may come from the render cache without their HTML:
    /// only in a build writing over a previous output (whose pages stand in
    /// for the HTML), and not when feeds show whole articles.
    fn articles_from_cache(&self) -> bool {
        self.previous_output.is_some() && !self.config.feed.full_content
    }

    /// What reading articles needs; `None` before the configuration is loaded.
    fn loader(&self, from_cache: bool) -> Option<Loader<'_>> {
        let code_style = self.code_style.as_ref()?;
        Some(Loader {
            content_dir: self.options.root.join(CONTENT_DIR),
            root: &self.options.root,
            config: &self.config,
            renderer: MarkdownRenderer {
                math: &self.math,
                code_style,
                summary_length: self.config.summary_length,
                line_numbers: self.config.highlight.line_numbers,
                raw_html: self.config.markdown.unsafe_html,
            },
            store: from_cache.then(|| (self.caches.articles.as_ref(), self.render_salt())),
            spill: self.spill.as_ref(),
            known: &self.known,
        })
    }

    /// The articles to publish (drafts only with `--drafts`), in source order, with their problems.
    fn published_pages(
        &self,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> (Vec<Arc<RenderedPage>>, usize, usize) {
        let mut relatives: Vec<&PathBuf> = self.articles.keys().collect();
        relatives.sort();
        let mut pages = Vec::with_capacity(relatives.len());
        let (mut formulas, mut code_blocks) = (0, 0);
        for relative in relatives {
            let cached = &self.articles[relative];
            diagnostics.extend(cached.loaded.diagnostics.iter().cloned());
            let Some(page) = &cached.rendered else {
                continue;
            };
            if page.page.draft && !self.options.drafts {
                continue;
            }
            formulas += page.rendered.formulas;
            code_blocks += page.rendered.code_blocks;
            pages.push(Arc::clone(page));
        }
        (pages, formulas, code_blocks)
    }
}

/// Reads, parses and renders articles; shared by the threads of a refresh.
struct Loader<'a> {
    root: &'a Path,
    content_dir: PathBuf,
    config: &'a Config,
    renderer: MarkdownRenderer<'a>,
    /// The render cache of articles (without their HTML), and the salt of its keys.
    store: Option<(&'a crate::cache::Store, u64)>,
    /// Where a build puts each article's HTML until its page is rendered.
    spill: Option<&'a Spill>,
    /// Articles already read and hashed by the build's fingerprint.
    known: &'a KnownFiles,
}

/// An article as the render cache keeps it: its rendering without the HTML,
/// every problem found while loading it, and the file's modification time
/// then (which matters only when the article takes its date from it).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredArticle {
    diagnostics: Vec<Diagnostic>,
    page: RenderedPage,
    modified: u128,
}

impl Loader<'_> {
    /// Loads one article; `cached` is what the last refresh had of it.
    fn load(&self, relative: &Path, cached: Option<&Cached>) -> Found {
        let path = self.content_dir.join(relative);
        let read_at = SystemTime::now();
        let stamp = Stamp::of(&path);
        if let (Some(stamp), Some(cached)) = (stamp, cached)
            && stamp.unchanged_since(cached)
        {
            return Found::Unchanged;
        }
        if let Some(hash) = self.known.hash_of(relative, stamp)
            && let Some(found) = self.cached_article(relative, &path, hash, stamp, read_at)
        {
            return found;
        }
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                let loaded = Loaded {
                    page: None,
                    diagnostics: vec![Diagnostic::error(
                        Path::new(CONTENT_DIR).join(relative),
                        format!("cannot read the file: {e}"),
                    )],
                };
                return Found::Changed(Box::new(Cached {
                    hash: 0,
                    loaded,
                    rendered: None,
                    stamp: None,
                    read_at,
                }));
            }
        };
        let hash = hash_bytes(&bytes);
        if cached.is_some_and(|cached| cached.hash == hash) {
            return Found::SameBytes(stamp, read_at);
        }
        if let Some(found) = self.cached_article(relative, &path, hash, stamp, read_at) {
            return found;
        }
        let store_key = self
            .store
            .map(|(store, salt)| (store, article_key(relative, hash, salt)));
        let modified = store_key.map_or(0, |_| modified_of(stamp, &path));
        let mut loaded = content::parse_article(self.root, relative, &bytes, self.config);
        // The page moves into its rendering: the cache keeps one copy of it.
        let rendered = loaded.page.take().map(|page| {
            let rendered = render_page(page, &self.renderer, hash);
            Arc::new(match self.spill {
                Some(spill) => spill_html(rendered, spill),
                None => rendered,
            })
        });
        if let Some(rendered) = &rendered {
            loaded
                .diagnostics
                .extend(rendered.rendered.diagnostics.iter().cloned());
        }
        if let (Some((store, key)), Some(rendered)) = (store_key, &rendered) {
            let stored = StoredArticle {
                diagnostics: loaded.diagnostics.clone(),
                page: without_html(rendered),
                modified,
            };
            if let Ok(bytes) = serde_json::to_vec(&stored) {
                store.put(key, bytes.into());
            }
        }
        Found::Changed(Box::new(Cached {
            hash,
            loaded,
            rendered,
            stamp,
            read_at,
        }))
    }
}

/// The render cache's key for an article: its bytes, where it is, and `salt`
/// (the configuration, options and binary). Not its time stamp: a fresh clone
/// or a checkout touches every file, and only articles that take their date
/// from the file need it (see [`StoredArticle`]).
fn article_key(relative: &Path, hash: u64, salt: u64) -> u128 {
    crate::cache::key(&[
        b"article",
        relative.to_string_lossy().as_bytes(),
        &hash.to_le_bytes(),
        &salt.to_le_bytes(),
    ])
}

impl Loader<'_> {
    /// The article whose bytes hash to `hash`, from the render cache.
    fn cached_article(
        &self,
        relative: &Path,
        path: &Path,
        hash: u64,
        stamp: Option<Stamp>,
        read_at: SystemTime,
    ) -> Option<Found> {
        let (store, salt) = self.store?;
        let modified = modified_of(stamp, path);
        let stored = store.get_with(article_key(relative, hash, salt), |bytes| {
            serde_json::from_slice::<StoredArticle>(bytes)
                .ok()
                .filter(|s| !s.page.page.date_from_file_time || s.modified == modified)
        })?;
        Some(Found::Changed(Box::new(Cached {
            hash,
            loaded: Loaded {
                page: None,
                diagnostics: stored.diagnostics,
            },
            rendered: Some(Arc::new(stored.page)),
            stamp,
            read_at,
        })))
    }
}

/// The file's modification time from its stamp, without another `stat` when
/// there is one.
fn modified_of(stamp: Option<Stamp>, path: &Path) -> u128 {
    stamp.map_or_else(|| modified_nanos(path), Stamp::modified_nanos)
}

/// The article with its HTML moved to a file in `spill` (kept in memory if
/// that fails).
fn spill_html(rendered: RenderedPage, spill: &Spill) -> RenderedPage {
    match spill.keep_html(&rendered.rendered.html) {
        Some(file) => RenderedPage {
            rendered: markdown::Rendered {
                html: Arc::from(""),
                ..rendered.rendered
            },
            html_file: Some(file),
            ..rendered
        },
        None => rendered,
    }
}

/// A rendered article without its HTML, as the render cache keeps it.
fn without_html(rendered: &RenderedPage) -> RenderedPage {
    RenderedPage {
        rendered: markdown::Rendered {
            html: Arc::from(""),
            ..rendered.rendered.clone()
        },
        html_elided: true,
        html_file: None,
        ..rendered.clone()
    }
}

/// Renders one article and picks its excerpt: the part before `<!-- more -->`,
/// else the front matter `summary`, else the automatic excerpt.
///
/// Public for the fuzz targets (`fuzz/`), which render one page without a site.
pub fn render_page(
    page: content::Page,
    renderer: &MarkdownRenderer<'_>,
    source_hash: u64,
) -> RenderedPage {
    let mut rendered = renderer.render(Source {
        body: &page.body,
        path: &page.source,
        first_line: page.body_line,
    });
    // The excerpt's candidates are moved out, not copied: nothing else reads them.
    let (excerpt, excerpt_is_partial) = match (rendered.before_more.take(), &page.summary) {
        (Some(before), _) => (before, true),
        (None, Some(summary)) => (
            renderer
                .render_fragment(summary, &page.source, 1)
                .html
                .to_string(),
            true,
        ),
        (None, None) => {
            let partial = rendered.auto_excerpt.ends_with("…</p>");
            (std::mem::take(&mut rendered.auto_excerpt), partial)
        }
    };
    let excerpt_has_math = excerpt.contains("class=\"katex");
    // Rendered: the Markdown is not needed again, and every refresh clones the
    // published pages (the cache keeps the loaded page, body included).
    let page = content::Page {
        body: String::new(),
        ..page
    };
    RenderedPage {
        page,
        rendered,
        excerpt: excerpt.into(),
        excerpt_is_partial,
        excerpt_has_math,
        source_hash,
        html_elided: false,
        html_file: None,
    }
}

/// Whether two output files are the same. Pages reused from the memo share
/// their bytes, so this is a pointer comparison for all but the re-rendered
/// ones (`Arc<[u8]>`'s `==` compares the bytes: std only short-cuts sized types).
fn same_file(a: &OutputFile, b: &OutputFile) -> bool {
    match (&a.contents, &b.contents) {
        (Contents::Bytes(x), Contents::Bytes(y)) if std::sync::Arc::ptr_eq(x, y) => {
            a.path == b.path
        }
        _ => a == b,
    }
}

/// Paths whose file was added, removed or changed between two builds.
fn changed_paths(
    before: &BTreeMap<String, OutputFile>,
    after: &BTreeMap<String, OutputFile>,
) -> Vec<String> {
    let mut changed: Vec<String> = after
        .iter()
        .filter(|(path, file)| !before.get(*path).is_some_and(|old| same_file(old, file)))
        .map(|(path, _)| path.clone())
        .collect();
    changed.extend(
        before
            .keys()
            .filter(|path| !after.contains_key(*path))
            .cloned(),
    );
    changed.sort();
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cached(stamp: Option<Stamp>, read_at: SystemTime) -> Cached {
        Cached {
            hash: 0,
            loaded: Loaded {
                page: None,
                diagnostics: Vec::new(),
            },
            rendered: None,
            stamp,
            read_at,
        }
    }

    /// A file's stamp, last changed and modified at `changed_at` (seconds).
    fn stamp_changed_at(changed_at: i64) -> Stamp {
        Stamp {
            device: 1,
            inode: 2,
            len: 3,
            changed: (changed_at, 0),
            modified: (changed_at, 0),
        }
    }

    #[test]
    fn a_stamp_is_trusted_only_long_enough_after_the_last_change() {
        let changed_at = 1_700_000_000;
        let stamp = stamp_changed_at(changed_at);
        let at = |secs: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
        let changed = u64::try_from(changed_at).expect("positive");
        // Read long after the change: trusted.
        assert!(stamp.unchanged_since(&cached(Some(stamp), at(changed + 10))));
        // Read within the margin: the file may have changed again in the same tick.
        assert!(!stamp.unchanged_since(&cached(Some(stamp), at(changed + 1))));
        // Anything different, or nothing known: read it.
        let other = Stamp { len: 4, ..stamp };
        assert!(!other.unchanged_since(&cached(Some(stamp), at(changed + 10))));
        let replaced = Stamp { inode: 9, ..stamp };
        assert!(!replaced.unchanged_since(&cached(Some(stamp), at(changed + 10))));
        assert!(!stamp.unchanged_since(&cached(None, at(changed + 10))));
    }

    #[test]
    fn known_hashes_are_used_only_for_files_unchanged_and_settled() {
        let changed_at = 1_700_000_000;
        let stamp = stamp_changed_at(changed_at);
        let at = |secs: i64| {
            SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).expect("positive"))
        };
        let a = Path::new("a.md");
        let known = KnownFiles::new([(a.to_path_buf(), stamp, 42)], at(changed_at + 10));
        assert_eq!(known.hash_of(a, Some(stamp)), Some(42));
        assert_eq!(
            known.hash_of(a, Some(Stamp { len: 4, ..stamp })),
            None,
            "changed since"
        );
        assert_eq!(known.hash_of(a, None), None);
        assert_eq!(known.hash_of(Path::new("b.md"), Some(stamp)), None);
        let racy = KnownFiles::new([(a.to_path_buf(), stamp, 42)], at(changed_at + 1));
        assert_eq!(racy.hash_of(a, Some(stamp)), None, "read within the margin");
    }

    #[cfg(unix)]
    #[test]
    fn a_stamp_gives_the_same_modification_time_as_the_cache_keys_use() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "x").unwrap();
        let stamp = Stamp::of(&path).unwrap();
        assert_eq!(stamp.modified_nanos(), modified_nanos(&path));
        assert_eq!(modified_of(None, &path), modified_nanos(&path));
    }
}
