//! The build, as named steps. Each step is one function below, called in
//! this order by [`Session::refresh`] (which `build`, `check` and `serve`
//! all use):
//!
//! 1. **load**: the configuration ([`Session::load_configuration`]), the
//!    theme, and the sources under `content/` ([`content::find`]);
//! 2. **render articles** ([`Session::render_articles`], in parallel): each
//!    article read, its front matter parsed, its Markdown rendered (formulas,
//!    code, headings, excerpt) — or taken from earlier builds;
//! 3. **assemble** ([`assemble`]): the whole site from the articles: order,
//!    permalinks, neighbours, taxonomies, links between articles resolved and
//!    checked;
//! 4. **render pages** ([`Session::render_pages`], in parallel): every page
//!    through its template, with the search index, feeds, static files and
//!    article assets beside them;
//! 5. **write** ([`build`] only): the files staged beside the output and
//!    swapped in whole ([`crate::output`]); the render cache saved.
//!
//! Whatever can be taken from an earlier build is asked of
//! [`crate::incremental::Reuse`], and nothing else here keeps state.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;

use crate::config::{self, Config};
use crate::content::{self, CONTENT_DIR};
use crate::diagnostic::Diagnostic;
use crate::incremental::{self, Remembered, Reuse, SamePage, fingerprint};
use crate::linkcheck::{ExternalOptions, ExternalSummary};
use crate::markdown::{CodeStyle, MarkdownRenderer, MathEngine, Source};
use crate::output::{Contents, KeptHtml, OutputFile, Spill};
use crate::render::{self, Job, Pages, RenderOptions, Theme};
use crate::site::search::{self, SearchStats};
use crate::site::{Article, Post, Site, feeds};
use crate::util::hash::{hash_bytes, hash_of};
use crate::util::progress::{self, Progress, Stage};
use crate::util::stamp::Stamp;
use crate::util::trace;

/// What to build, and how.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site root (holding `blogsmith.yaml`, `content/`).
    pub root: PathBuf,
    /// Where the site is written; relative paths are relative to the current folder.
    pub output: PathBuf,
    /// Include articles with `draft: true`.
    pub drafts: bool,
    /// Overrides `base_url` from the configuration.
    pub base_url: Option<String>,
    /// Fail on formulas KaTeX cannot parse (also `math.strict`).
    pub strict: bool,
    /// Use the persistent render cache (`.blogsmith-cache/`); `--no-cache` turns it off.
    pub cache: bool,
    /// Serve-mode extras.
    pub render: RenderOptions,
    /// Counters the build advances, for a progress bar.
    pub progress: Option<Arc<Progress>>,
}

impl BuildOptions {
    /// Builds `root` into `root/public` with defaults.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        Self {
            output: root.join("public"),
            root,
            drafts: false,
            base_url: None,
            strict: false,
            cache: true,
            render: RenderOptions::default(),
            progress: None,
        }
    }

    /// A hash of the options that change what is rendered.
    fn hash(&self) -> u64 {
        hash_of(&(
            &self.base_url,
            self.drafts,
            self.strict,
            &self.render.live_reload,
        ))
    }
}

/// What a successful build did.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct BuildReport {
    /// Articles published.
    pub articles: usize,
    /// HTML pages written (articles, lists, taxonomies, 404).
    pub pages: usize,
    /// Pages rendered by this build (the others were unchanged since the last refresh).
    pub rendered_pages: usize,
    /// Files written in all.
    pub files: usize,
    /// Formulas typeset (occurrences).
    pub formulas: usize,
    /// Distinct formulas typeset (only those of the articles rendered by this
    /// build: see `articles_from_cache`).
    pub distinct_formulas: usize,
    /// Articles taken whole from the render cache (their formulas were not looked at).
    #[serde(default)]
    pub articles_from_cache: usize,
    /// Code blocks highlighted.
    pub code_blocks: usize,
    /// Formulas, code blocks and articles taken from the render cache instead of computed.
    pub cache_hits: usize,
    /// Nothing changed since the last build: nothing was rendered or written,
    /// and the figures (warnings included) are that build's.
    #[serde(default)]
    pub up_to_date: bool,
    /// Files identical to the previous output's, linked instead of written.
    pub unchanged_files: usize,
    /// The search index's size, and the size of the text it indexes.
    pub search: SearchStats,
    /// Wall time.
    pub elapsed: Duration,
    /// Warnings, sorted by file and position.
    pub warnings: Vec<Diagnostic>,
}

/// A failed build: every problem found. The previous output was left untouched.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the build failed with {} error(s)", self.errors().count())]
pub struct BuildFailure {
    /// Errors and warnings, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl BuildFailure {
    /// The problems that failed the build.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    fn of(diagnostic: Diagnostic) -> Self {
        Self {
            diagnostics: vec![diagnostic],
        }
    }
}

/// What one refresh changed.
#[derive(Debug, Clone, Default)]
pub struct Refreshed {
    /// The build's figures and warnings.
    pub report: BuildReport,
    /// Output paths added, removed or changed since the previous good build.
    pub changed: Vec<String>,
}

/// Builds the site into `options.output`. On any error nothing is written
/// and every problem is returned.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let started = Instant::now();
    let output = std::path::absolute(&options.output).unwrap_or_else(|_| options.output.clone());
    let cache_dir = options.root.join(incremental::CACHE_DIR);
    let manifest_path = cache_dir.join(incremental::OUTPUT_MANIFEST);
    let last_build = cache_dir.join(incremental::LAST_BUILD);
    let setting = fingerprint::Setting {
        root: &options.root,
        output: &output,
        options: options.hash(),
    };
    let inputs = options
        .cache
        .then(|| fingerprint::read_inputs::<BuildReport>(setting, Some(&last_build)))
        .flatten();
    let previous = options
        .cache
        .then(|| incremental::Manifest::load(&manifest_path, &output));
    if let Some(report) = inputs
        .as_ref()
        .zip(previous.as_ref())
        .and_then(|(inputs, previous)| fingerprint::up_to_date(inputs, previous, &output))
    {
        trace::phase("up to date", started);
        return Ok(BuildReport {
            elapsed: started.elapsed(),
            up_to_date: true,
            cache_hits: 0,
            rendered_pages: 0,
            unchanged_files: report.files,
            ..report
        });
    }
    trace::phase("fingerprint", started);

    let mut session = Session::new(options.clone());
    if let Some(previous) = previous {
        session.reuse.use_previous_output(previous);
    }
    if let Some(inputs) = &inputs {
        session.reuse.use_known_files(inputs.known_articles());
    }
    // Pages go to disk as they are rendered; without a spill folder (an
    // unwritable parent, say) they stay in memory and writing reports why.
    session.spill = Spill::create(&output).ok();
    let refreshed = session.refresh()?;
    trace::phase("refresh", started);
    let report = session.write(&output, &manifest_path, refreshed.report)?;
    if let Some(inputs) = inputs {
        fingerprint::save(&last_build, inputs, &report);
    }
    // The spill folder goes now; the rest of the session is only memory,
    // freed on another thread (80 ms at 10,000 articles): a process that
    // exits meanwhile lets the kernel take it back at once.
    session.spill = None;
    let _ = std::thread::Builder::new().spawn(move || drop(session));
    Ok(BuildReport {
        elapsed: started.elapsed(),
        ..report
    })
}

/// Checks the whole site as strictly as `build --strict`, writing nothing.
pub fn check(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let options = BuildOptions {
        strict: true,
        ..options.clone()
    };
    let mut session = Session::new(options);
    // Formulas and code from the render cache, but nothing written.
    session.reuse.read_only();
    session.refresh().map(|refreshed| refreshed.report)
}

/// What `check --external` found: the site's check, with the external
/// links' problems among its diagnostics, and their summary.
#[derive(Debug, Clone)]
pub struct ExternalCheck {
    /// The check of the whole site, as [`check`] returns it, with every
    /// broken external link besides (an error fails it; a warning does not).
    pub site: Result<BuildReport, BuildFailure>,
    /// What the external links answered, counted once per URL.
    pub links: ExternalSummary,
}

/// [`check`], and every link to another site requested too
/// (`blogsmith check --external`): see [`crate::linkcheck`] for what is a
/// problem. The links are checked even when the site has other errors.
///
/// With `options.cache`, links that answered well lately are not requested
/// again, and the results are kept in the render cache folder: the only
/// file this writes.
pub fn check_external(options: &BuildOptions, external: &ExternalOptions) -> ExternalCheck {
    let strict = BuildOptions {
        strict: true,
        ..options.clone()
    };
    let mut session = Session::new(strict);
    session.reuse.read_only();
    let site = session.refresh().map(|refreshed| refreshed.report);
    let (problems, links) =
        crate::linkcheck::check(&options.root, &session.articles, external, options.cache);
    let site = match site {
        Ok(mut report) if !problems.iter().any(Diagnostic::is_error) => {
            report.warnings.extend(problems);
            report.warnings.sort();
            Ok(report)
        }
        Ok(report) => {
            let mut diagnostics = report.warnings;
            diagnostics.extend(problems);
            diagnostics.sort();
            Err(BuildFailure { diagnostics })
        }
        Err(mut failure) => {
            failure.diagnostics.extend(problems);
            failure.diagnostics.sort();
            Err(failure)
        }
    };
    ExternalCheck { site, links }
}

/// The configuration and what is made from it.
struct Setup {
    /// The text it was parsed from, to tell whether it changed.
    text: String,
    config: Config,
    math: MathEngine,
    code_style: CodeStyle,
    highlight_css: String,
}

/// A site build kept up to date: `build` refreshes it once and writes it
/// out; `serve` refreshes it on every save.
pub struct Session {
    options: BuildOptions,
    setup: Option<Setup>,
    reuse: Reuse,
    /// Where a build puts pages and articles' HTML as they are rendered.
    spill: Option<Spill>,
    files: BTreeMap<String, OutputFile>,
    /// The input hash of every page of the last good refresh, by path.
    keys: HashMap<String, u64>,
    /// The articles published by the last refresh, good or failed (for
    /// `check --external`).
    articles: Vec<Arc<Article>>,
}

/// An article's HTML during a refresh.
enum ArticleBody {
    /// In memory, with link markers.
    Memory(Arc<str>),
    /// In the spill file, with link markers.
    Disk(KeptHtml),
    /// Not kept: the article came from the render cache, and is rendered
    /// again if its page must be.
    NotKept,
}

/// One article during a refresh.
struct LoadedArticle {
    hash: u64,
    stamp: Option<Stamp>,
    read_at: SystemTime,
    article: Option<Arc<Article>>,
    body: ArticleBody,
    diagnostics: Vec<Diagnostic>,
}

/// What loading one article found.
enum LoadOutcome {
    /// Not read: its stamp says it is as the last refresh left it.
    Unchanged,
    /// Read, and the same bytes as the last refresh's: only its stamp is new.
    SameBytes(Option<Stamp>, SystemTime),
    /// New, changed, or taken from the render cache.
    Loaded(Box<LoadedArticle>),
}

impl Session {
    /// A session for `options`; nothing is read until [`Session::refresh`].
    pub fn new(options: BuildOptions) -> Self {
        let cache_dir = options
            .cache
            .then(|| options.root.join(incremental::CACHE_DIR));
        Self {
            options,
            setup: None,
            reuse: Reuse::new(cache_dir),
            spill: None,
            files: BTreeMap::new(),
            keys: HashMap::new(),
            articles: Vec::new(),
        }
    }

    /// The build's options.
    pub fn options(&self) -> &BuildOptions {
        &self.options
    }

    /// The files of the last good refresh, by output path (`/`-separated, not encoded).
    pub fn files(&self) -> &BTreeMap<String, OutputFile> {
        &self.files
    }

    /// Writes the render cache for later builds (a failure only costs speed).
    pub fn save_caches(&self) -> std::io::Result<()> {
        self.reuse.save()
    }

    /// Brings the build up to date with the files on disk.
    ///
    /// On errors the previous good build stays as it was, and every problem is returned.
    pub fn refresh(&mut self) -> Result<Refreshed, BuildFailure> {
        let started = Instant::now();
        // 1. Load.
        self.load_configuration()?;
        let root = self.options.root.clone();
        let found = content::find(&root);
        let mut diagnostics = found.warnings.clone();
        trace::phase("find", started);
        let theme = Theme::load(&root);
        // 2. Render articles.
        let phase = Instant::now();
        let loaded = self.render_articles(&found.articles);
        trace::phase("load and render articles", phase);
        let published = self.published(&loaded, &mut diagnostics);
        self.articles.clone_from(&published);
        // 3. Assemble.
        let phase = Instant::now();
        let (site, problems) = assemble(&published, self.config(), &found.assets);
        diagnostics.extend(problems);
        trace::phase("assemble", phase);
        // 4. Render pages.
        let phase = Instant::now();
        let rendered = match &theme {
            Ok(theme) => {
                diagnostics.extend(unused_front_matter(&published, theme));
                Some(self.render_pages(&site, theme, &loaded, &found.assets))
            }
            Err(problems) => {
                diagnostics.extend(problems.iter().cloned());
                None
            }
        };
        trace::phase("render pages", phase);
        if let Some(rendered) = &rendered {
            diagnostics.extend(rendered.diagnostics.iter().cloned());
        }
        let diagnostics = self.settle(diagnostics);
        let mut rendered = match rendered {
            Some(rendered) if !diagnostics.iter().any(Diagnostic::is_error) => rendered,
            _ => return Err(BuildFailure { diagnostics }),
        };
        let report = self.report(&published, &rendered, diagnostics, started);
        let changed = changed_paths(&self.files, &rendered.files);
        self.remember(loaded, std::mem::take(&mut rendered.memo));
        self.files = rendered.files;
        self.keys = rendered.keys;
        Ok(Refreshed { report, changed })
    }

    fn config(&self) -> &Config {
        static DEFAULT: std::sync::LazyLock<Config> = std::sync::LazyLock::new(Config::default);
        self.setup.as_ref().map_or(&DEFAULT, |setup| &setup.config)
    }

    /// Step 1: reads `blogsmith.yaml`; when it changed, everything is
    /// rebuilt from scratch.
    fn load_configuration(&mut self) -> Result<(), BuildFailure> {
        let path = self.options.root.join(config::CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(BuildFailure::of(Diagnostic::error(
                    config::CONFIG_FILE,
                    format!("cannot read the configuration: {e}"),
                )));
            }
        };
        if self.setup.as_ref().is_some_and(|setup| setup.text == text) {
            return Ok(());
        }
        let mut config = Config::parse(&text).map_err(|d| {
            BuildFailure::of(Diagnostic {
                path: config::CONFIG_FILE.into(),
                ..d
            })
        })?;
        if let Some(base_url) = &self.options.base_url {
            config.base_url.clone_from(base_url);
        }
        let (light, dark) = (&config.highlight.light_theme, &config.highlight.dark_theme);
        let code_style = CodeStyle::new(light, dark)
            .map_err(|e| BuildFailure::of(Diagnostic::error(config::CONFIG_FILE, e)))?;
        self.reuse.reset(
            &format!("{light} {dark}"),
            hash_of(&(&text, self.options.hash())),
        );
        let code_style = code_style.with_store(self.reuse.code());
        let math = MathEngine::with_store(config.math.macros.clone(), self.reuse.math());
        self.setup = Some(Setup {
            highlight_css: code_style.stylesheet(),
            text,
            config,
            math,
            code_style,
        });
        Ok(())
    }

    /// What renders Markdown with this configuration; `None` before it is loaded.
    fn renderer(&self) -> Option<MarkdownRenderer<'_>> {
        let setup = self.setup.as_ref()?;
        Some(MarkdownRenderer {
            math: &setup.math,
            code_style: &setup.code_style,
            summary_length: setup.config.summary_length,
            line_numbers: setup.config.highlight.line_numbers,
            raw_html: setup.config.markdown.unsafe_html,
            markdown_escapes: setup.config.math.markdown_escapes,
            language: crate::markdown::labels::Language::of(&setup.config.language),
            math_code_spans: setup.config.math.code_spans,
        })
    }

    /// Step 2: every article (`relatives`, under `content/`), in parallel:
    /// as the last refresh left it when unchanged, else from the render
    /// cache, else read, parsed and rendered.
    fn render_articles(&self, relatives: &[PathBuf]) -> BTreeMap<PathBuf, LoadedArticle> {
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
    fn articles_from_store(&self) -> bool {
        self.reuse.previous_output().is_some() && !self.config().feed.full_content
    }

    /// The articles to publish (drafts only with `--drafts`), in source
    /// order; every article's problems go to `diagnostics`.
    fn published(
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

    /// Step 4: every page of `site` through its template (in parallel; pages
    /// made from the same inputs before are taken as they are), the search
    /// index, feeds, static files and article assets.
    fn render_pages(
        &self,
        site: &Site,
        theme: &Theme,
        loaded: &BTreeMap<PathBuf, LoadedArticle>,
        assets: &[PathBuf],
    ) -> RenderedSite {
        let mut rendered = RenderedSite::default();
        let Some(setup) = &self.setup else {
            return rendered;
        };
        let config = &setup.config;
        let pages = match Pages::new(site, config, theme, &self.options.render, self.reuse.salt()) {
            Ok(pages) => pages,
            Err(problem) => {
                rendered.diagnostics.push(problem);
                return rendered;
            }
        };
        let phase = Instant::now();
        let search_index = search::build(&site.posts);
        trace::phase("render: search index", phase);
        let jobs = pages.jobs(config, &search_index.json);
        let bodies = Bodies {
            session: self,
            loaded,
        };
        let progress = self.options.progress.as_deref();
        progress::start(progress, Stage::Pages, jobs.len());
        let phase = Instant::now();
        let results: Vec<PageResult> = jobs
            .par_iter()
            .map(|job| self.render_page(&pages, job, &bodies))
            .inspect(|_| progress::advance(progress))
            .collect();
        trace::phase("render: pages", phase);
        let mut problems = std::collections::BTreeSet::new();
        for result in results {
            match result.contents {
                Ok(contents) => {
                    rendered.rendered += usize::from(result.fresh);
                    rendered.keys.insert(result.path.clone(), result.key);
                    if let Contents::Bytes(bytes) = &contents {
                        rendered
                            .memo
                            .insert(result.path.clone(), (result.key, Arc::clone(bytes)));
                    }
                    rendered.files.insert(
                        result.path.clone(),
                        OutputFile {
                            path: result.path,
                            contents,
                        },
                    );
                }
                Err(problem) => {
                    problems.insert(problem);
                }
            }
        }
        rendered.diagnostics.extend(problems);
        rendered.search = search_index.stats;
        let phase = Instant::now();
        let mut add = |path: String, contents: Contents| {
            rendered
                .files
                .insert(path.clone(), OutputFile { path, contents });
        };
        add(
            render::HIGHLIGHT_CSS.into(),
            Contents::Bytes(setup.highlight_css.as_bytes().into()),
        );
        add(
            search::INDEX_FILE.into(),
            Contents::Bytes(search_index.json.into_bytes().into()),
        );
        let feed_html = bodies.feed_html(site, config, &mut rendered.diagnostics);
        let html_of = |index: usize| feed_html.get(&index).cloned().unwrap_or_default();
        for (path, text) in feeds::generate(site, config, &html_of) {
            add(path, Contents::Bytes(text.into_bytes().into()));
        }
        // Mermaid's 3.5 MB script goes out only with a page that draws a diagram.
        let any_diagram = site.posts.iter().any(|p| p.has_diagram);
        for (path, source) in &theme.static_files {
            if !any_diagram && path.starts_with("mermaid/") {
                continue;
            }
            add(path.clone(), Contents::from_static(source));
        }
        for (path, source) in render::article_assets(site, &self.options.root, assets) {
            add(path, Contents::Copy(source));
        }
        for (path, bytes) in notebook_files(site, &self.options.root, config) {
            add(path, Contents::Bytes(bytes.into()));
        }
        for (path, target) in &site.redirects {
            let page = crate::site::permalink::redirect_page(target);
            add(path.clone(), Contents::Bytes(page.into_bytes().into()));
        }
        let files = &rendered.files;
        rendered.diagnostics.extend(crate::site::check_root_links(
            &site.posts,
            &site.base_path,
            |path| files.contains_key(path),
        ));
        trace::phase("render: feeds, static files", phase);
        if trace::enabled() {
            eprintln!("trace: rendered {} pages", rendered.rendered);
        }
        rendered
    }

    /// One page: made before from the same inputs, or rendered now.
    fn render_page(&self, pages: &Pages<'_>, job: &Job<'_>, bodies: &Bodies<'_>) -> PageResult {
        let key = pages.key(job);
        let path = job.path();
        if let Some(same) = self.reuse.page(&path, key) {
            let contents = match same {
                SamePage::Bytes(bytes) => Contents::Bytes(bytes),
                SamePage::Previous(file, entry) => Contents::Previous(file, entry),
            };
            return PageResult {
                path,
                key,
                fresh: false,
                contents: Ok(contents),
            };
        }
        let content = match job {
            Job::Post(post) => bodies.html(post),
            _ => Ok(Arc::from("")),
        };
        let contents = content
            .and_then(|content| pages.render(job, &content))
            .map(|bytes| match &self.spill {
                Some(spill) => spill.keep(&path, bytes, self.reuse.previous_output()),
                None => Contents::Bytes(bytes),
            });
        PageResult {
            path,
            key,
            fresh: true,
            contents,
        }
    }

    /// Escalates what `--strict` (or `math.strict`) makes errors, sorts and dedups.
    fn settle(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let strict = self.options.strict || self.config().math.strict;
        let mut diagnostics: Vec<Diagnostic> = diagnostics
            .into_iter()
            .map(|d| d.escalated(strict))
            .collect();
        diagnostics.sort();
        diagnostics.dedup();
        diagnostics
    }

    /// The figures of a good refresh.
    fn report(
        &self,
        published: &[Arc<Article>],
        rendered: &RenderedSite,
        warnings: Vec<Diagnostic>,
        started: Instant,
    ) -> BuildReport {
        BuildReport {
            articles: published.len(),
            pages: rendered
                .files
                .keys()
                .filter(|p| p.ends_with(".html"))
                .count(),
            files: rendered.files.len(),
            rendered_pages: rendered.rendered,
            formulas: published.iter().map(|a| a.formulas).sum(),
            distinct_formulas: self
                .setup
                .as_ref()
                .map_or(0, |setup| setup.math.distinct_formulas()),
            code_blocks: published.iter().map(|a| a.code_blocks).sum(),
            search: rendered.search,
            cache_hits: self.reuse.hits(),
            articles_from_cache: self.reuse.article_hits(),
            elapsed: started.elapsed(),
            warnings,
            ..BuildReport::default()
        }
    }

    /// Keeps this refresh's articles and pages for the next refresh of the
    /// session (`serve`, `check`); a build with a spill folder refreshes once.
    fn remember(&mut self, loaded: BTreeMap<PathBuf, LoadedArticle>, pages: incremental::PageMemo) {
        if self.spill.is_some() {
            return;
        }
        let articles = loaded
            .into_iter()
            .map(|(relative, loaded)| {
                let html = match loaded.body {
                    ArticleBody::Memory(html) => Some(html),
                    ArticleBody::Disk(_) | ArticleBody::NotKept => None,
                };
                let remembered = Remembered {
                    hash: loaded.hash,
                    stamp: loaded.stamp,
                    read_at: loaded.read_at,
                    article: loaded.article,
                    html,
                    diagnostics: loaded.diagnostics,
                };
                (relative, remembered)
            })
            .collect();
        self.reuse.remember(articles, pages);
    }

    /// Step 5 (`build`): writes the files of the last refresh into `output`
    /// and saves the render cache beside it.
    fn write(
        &self,
        output: &Path,
        manifest_path: &Path,
        report: BuildReport,
    ) -> Result<BuildReport, BuildFailure> {
        let phase = Instant::now();
        let files: Vec<OutputFile> = self.files.values().cloned().collect();
        // The caches are saved whatever happens to the output, beside writing it.
        let (_, written) = rayon::join(
            || {
                let _ = self.save_caches();
                trace::phase("save caches", phase);
            },
            || {
                crate::output::write_site(
                    output,
                    &self.options.root,
                    &files,
                    self.reuse
                        .previous_output()
                        .map(|previous| crate::output::PreviousOutput {
                            previous,
                            keys: &self.keys,
                            save_to: manifest_path,
                        }),
                    self.options.progress.as_deref(),
                )
            },
        );
        let written = written.map_err(|d| {
            let mut diagnostics = report.warnings.clone();
            diagnostics.push(d);
            BuildFailure { diagnostics }
        })?;
        trace::phase("write", phase);
        Ok(BuildReport {
            unchanged_files: written.reused,
            ..report
        })
    }
}

/// The site from its articles: order, permalinks (checked for clashes),
/// neighbours, taxonomies, links between articles resolved and checked,
/// redirect pages for aliases.
pub fn assemble(
    articles: &[Arc<Article>],
    config: &Config,
    assets: &[PathBuf],
) -> (Site, Vec<Diagnostic>) {
    Site::assemble(articles, config, assets)
}

/// One note for the whole site naming the front matter keys nothing uses
/// (neither blogsmith nor a template, as `page.extra.<key>`), with the
/// articles that have them: moved blogs carry keys of their old generator,
/// which would otherwise do nothing without a word.
fn unused_front_matter(articles: &[Arc<Article>], theme: &Theme) -> Option<Diagnostic> {
    let mut unused: BTreeMap<&str, Vec<&Path>> = BTreeMap::new();
    for article in articles {
        for key in article.page.extra.keys() {
            if !content::ACCEPTED_KEYS.contains(&key.as_str()) && !theme.uses_extra(key) {
                unused.entry(key).or_default().push(&article.page.source);
            }
        }
    }
    if unused.is_empty() {
        return None;
    }
    let listed: Vec<String> = unused
        .iter()
        .map(|(key, files)| match files.as_slice() {
            [one] => format!("`{key}` ({})", one.display()),
            [first, rest @ ..] => format!("`{key}` ({} and {} more)", first.display(), rest.len()),
            [] => format!("`{key}`"),
        })
        .collect();
    Some(
        Diagnostic::warning(
            CONTENT_DIR,
            format!("front matter keys nothing uses: {}", listed.join(", ")),
        )
        .with_hint("templates can show them as page.extra.<key>; otherwise they can go (see docs/front-matter.md)"),
    )
}

/// Reads, parses and renders articles; shared by the threads of a refresh.
struct ArticleLoader<'a> {
    root: &'a Path,
    content_dir: PathBuf,
    config: &'a Config,
    renderer: MarkdownRenderer<'a>,
    reuse: &'a Reuse,
    /// Whether articles may be taken from the render cache without their HTML.
    from_store: bool,
    /// Where a build puts each article's HTML until its page is rendered.
    spill: Option<&'a Spill>,
}

impl ArticleLoader<'_> {
    /// Loads the article at `relative` (under `content/`).
    fn load(&self, relative: &Path) -> LoadOutcome {
        let path = self.content_dir.join(relative);
        let read_at = SystemTime::now();
        let stamp = Stamp::of(&path);
        let remembered = self.reuse.remembered(relative);
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
        let (article, html, diagnostics) = parse_and_render(
            self.root,
            relative,
            &bytes,
            self.config,
            &self.renderer,
            hash,
        );
        if let Some(article) = &article
            && self.from_store
        {
            let modified = incremental::modified_of(stamp, &path);
            self.reuse
                .store_article(relative, hash, modified, article, &diagnostics);
        }
        let body = match (html, self.spill) {
            (Some(html), Some(spill)) => spill
                .keep_html(&html)
                .map_or(ArticleBody::Memory(html), ArticleBody::Disk),
            (Some(html), None) => ArticleBody::Memory(html),
            (None, _) => ArticleBody::NotKept,
        };
        LoadOutcome::Loaded(Box::new(LoadedArticle {
            hash,
            stamp,
            read_at,
            article: article.map(Arc::new),
            body,
            diagnostics,
        }))
    }

    /// The article whose bytes hash to `hash`, from the render cache (without its HTML).
    fn stored(
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
        let (article, diagnostics) = self.reuse.stored_article(relative, hash, modified)?;
        Some(LoadedArticle {
            hash,
            stamp,
            read_at,
            article: Some(Arc::new(article)),
            body: ArticleBody::NotKept,
            diagnostics,
        })
    }
}

/// The image files of the notebooks' outputs, by output path: decoded from
/// the notebooks again, so that articles from the render cache get them too.
fn notebook_files(site: &Site, root: &Path, config: &Config) -> Vec<(String, Vec<u8>)> {
    let options = content::notebook_options(config);
    site.posts
        .par_iter()
        .filter(|post| content::notebook::is_notebook(&post.source))
        .flat_map_iter(|post| {
            // Unreadable now: its page already says why, or the next build will.
            let bytes =
                std::fs::read(root.join(CONTENT_DIR).join(&post.source)).unwrap_or_default();
            content::notebook::output_files(&bytes, options)
                .into_iter()
                .map(|file| (format!("{}/{}", post.output_dir, file.name), file.bytes))
        })
        .collect()
}

/// An article that could not be read.
fn unreadable(relative: &Path, error: &std::io::Error, read_at: SystemTime) -> LoadedArticle {
    LoadedArticle {
        hash: 0,
        stamp: None,
        read_at,
        article: None,
        body: ArticleBody::NotKept,
        diagnostics: vec![Diagnostic::error(
            Path::new(CONTENT_DIR).join(relative),
            format!("cannot read the file: {e}", e = error),
        )],
    }
}

/// An article as the last refresh left it.
fn remembered(remembered: &Remembered) -> LoadedArticle {
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
        diagnostics: remembered.diagnostics.clone(),
    }
}

/// Parses an article's front matter and renders it: the article (unless an
/// error prevents it), its HTML with link markers, and every problem found.
fn parse_and_render(
    root: &Path,
    relative: &Path,
    bytes: &[u8],
    config: &Config,
    renderer: &MarkdownRenderer<'_>,
    hash: u64,
) -> (Option<Article>, Option<Arc<str>>, Vec<Diagnostic>) {
    let mut parsed = content::parse_article(root, relative, bytes, config);
    let Some(page) = parsed.page.take() else {
        return (None, None, parsed.diagnostics);
    };
    let (article, html, problems) = render_article(page, renderer, hash);
    parsed.diagnostics.extend(problems);
    (Some(article), Some(html), parsed.diagnostics)
}

/// Renders one article: the article as the site sees it, its HTML (with
/// link markers), and the problems found (formulas KaTeX cannot parse,
/// unknown code languages).
///
/// Public for the fuzz targets (`fuzz/`), which render one page without a site.
pub fn render_article(
    page: content::Page,
    renderer: &MarkdownRenderer<'_>,
    source_hash: u64,
) -> (Article, Arc<str>, Vec<Diagnostic>) {
    let source = Source {
        body: &page.body,
        path: &page.source,
        first_line: page.body_line,
    };
    let mut rendered = renderer.render_with(source, &page.generated_html);
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
    let (article, html) = Article::new(page, rendered, excerpt, source_hash);
    (article, html, diagnostics)
}

/// The articles' HTML for the pages and feeds of one refresh.
struct Bodies<'a> {
    session: &'a Session,
    loaded: &'a BTreeMap<PathBuf, LoadedArticle>,
}

impl Bodies<'_> {
    /// `post`'s HTML with its links pointed at their targets: kept in
    /// memory or in the spill file, or rendered again when the article came
    /// from the render cache.
    fn html(&self, post: &Post) -> Result<Arc<str>, Diagnostic> {
        let shown = || Path::new(CONTENT_DIR).join(&post.source);
        let html = match self.loaded.get(&post.source).map(|loaded| &loaded.body) {
            Some(ArticleBody::Memory(html)) => Arc::clone(html),
            Some(ArticleBody::Disk(kept)) => kept.read().map(Arc::from).map_err(|e| {
                Diagnostic::error(
                    shown(),
                    format!("cannot read back the article's rendered HTML from {}: {e}", kept.path().display()),
                )
                .with_hint("the build keeps it beside the output folder: check that the disk has space and nothing removes that folder during the build")
            })?,
            Some(ArticleBody::NotKept) | None => self.render_again(post)?,
        };
        Ok(Arc::from(post.resolve_links(&html)))
    }

    /// Reads and renders `post`'s article again, for its HTML: the render
    /// cache keeps articles without it.
    fn render_again(&self, post: &Post) -> Result<Arc<str>, Diagnostic> {
        let root = &self.session.options.root;
        let shown = Path::new(CONTENT_DIR).join(&post.source);
        let bytes = std::fs::read(root.join(CONTENT_DIR).join(&post.source))
            .map_err(|e| Diagnostic::error(&shown, format!("cannot read the file: {e}")))?;
        let renderer = self.session.renderer().ok_or_else(|| {
            Diagnostic::error(config::CONFIG_FILE, "the configuration is not loaded")
        })?;
        let (_, html, _) = parse_and_render(
            root,
            &post.source,
            &bytes,
            self.session.config(),
            &renderer,
            hash_bytes(&bytes),
        );
        html.ok_or_else(|| {
            Diagnostic::error(
                shown,
                "the article changed during the build and no longer renders",
            )
            .with_hint("build again")
        })
    }

    /// The HTML of every article a full-content feed shows, by index in the
    /// site's posts (none when feeds show excerpts).
    fn feed_html(
        &self,
        site: &Site,
        config: &Config,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> HashMap<usize, Arc<str>> {
        if !config.feed.full_content {
            return HashMap::new();
        }
        let mut html = HashMap::new();
        for index in feeds::posts_in_feeds(site, config) {
            match self.html(&site.posts[index]) {
                Ok(text) => {
                    html.insert(index, text);
                }
                Err(problem) => diagnostics.push(problem),
            }
        }
        html
    }
}

/// Everything step 4 made.
#[derive(Default)]
struct RenderedSite {
    /// Every file to write, by path.
    files: BTreeMap<String, OutputFile>,
    /// The pages rendered in memory, for the next refresh to reuse.
    memo: incremental::PageMemo,
    /// The input hash of every page, by path.
    keys: HashMap<String, u64>,
    /// How many pages were rendered (the others were reused).
    rendered: usize,
    /// The search index's size.
    search: SearchStats,
    /// Template errors and unreadable articles.
    diagnostics: Vec<Diagnostic>,
}

/// One page after rendering, or reused.
struct PageResult {
    path: String,
    key: u64,
    fresh: bool,
    contents: Result<Contents, Diagnostic>,
}

/// Whether two output files are the same. Pages reused from the memo share
/// their bytes, so this is a pointer comparison for all but the re-rendered
/// ones (`Arc<[u8]>`'s `==` compares the bytes: std only short-cuts sized types).
fn same_file(a: &OutputFile, b: &OutputFile) -> bool {
    match (&a.contents, &b.contents) {
        (Contents::Bytes(x), Contents::Bytes(y)) if Arc::ptr_eq(x, y) => a.path == b.path,
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
