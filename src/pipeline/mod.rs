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
//!
//! This file holds the entry points and the session; step 2 lives in
//! [`articles`], step 4 in [`pages`].

mod articles;
mod pages;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::{self, Config};
use crate::content::{self, CONTENT_DIR};
use crate::diagnostic::Diagnostic;
use crate::incremental::{self, Remembered, Reuse, fingerprint};
use crate::linkcheck::{ExternalOptions, ExternalSummary};
use crate::markdown::{CodeStyle, MarkdownRenderer, MathEngine};
use crate::output::{OutputFile, Spill};
use crate::render::{RenderOptions, Theme};
use crate::site::search::SearchStats;
use crate::site::{Article, Site};
use crate::util::hash::hash_of;
use crate::util::progress::Progress;
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
    // Site-wide `.bib` files may sit outside `content/`: inputs all the same.
    let bibliographies: Vec<PathBuf> = Config::load(&options.root)
        .map(|config| config.bibliography.0.iter().map(PathBuf::from).collect())
        .unwrap_or_default();
    let setting = fingerprint::Setting {
        root: &options.root,
        output: &output,
        options: options.hash(),
        extra: &bibliographies,
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

pub use articles::render_article;
use articles::{ArticleBody, LoadedArticle};
use pages::{RenderedSite, changed_paths};

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
        let content_dir = root.join(CONTENT_DIR);
        let sizes = |files: &[&Path]| image_sizes(&content_dir, files);
        let (site, problems) =
            Site::assemble_with(&published, self.config(), &found.assets, &sizes);
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
            number_by_section: setup.config.markdown.numbering == crate::config::Numbering::Section,
        })
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
                let in_memory = |body| match body {
                    ArticleBody::Memory(text) => Some(text),
                    ArticleBody::Disk(_) | ArticleBody::NotKept => None,
                };
                let remembered = Remembered {
                    hash: loaded.hash,
                    stamp: loaded.stamp,
                    read_at: loaded.read_at,
                    article: loaded.article,
                    html: in_memory(loaded.body),
                    plain_text: in_memory(loaded.text),
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

/// The width and height of every image among `files` (relative to
/// `content_dir`) whose header can be read, read in parallel.
fn image_sizes(content_dir: &Path, files: &[&Path]) -> HashMap<PathBuf, (u32, u32)> {
    use rayon::prelude::*;
    files
        .par_iter()
        .filter(|file| is_image(file))
        .filter_map(|file| Some((file.to_path_buf(), image_size(&content_dir.join(file))?)))
        .collect()
}

/// Whether a file is an image whose size its header gives.
fn is_image(path: &Path) -> bool {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    matches!(
        extension.as_deref(),
        Some("png" | "jpg" | "jpeg" | "gif" | "webp" | "avif" | "bmp" | "ico" | "tif" | "tiff")
    )
}

/// An image's width and height from its file's header (only the first bytes
/// are read); `None` when it cannot be read or is no image it knows.
fn image_size(file: &Path) -> Option<(u32, u32)> {
    let size = imagesize::size(file).ok()?;
    let width = u32::try_from(size.width).ok()?;
    let height = u32::try_from(size.height).ok()?;
    (width > 0 && height > 0).then_some((width, height))
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
