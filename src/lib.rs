//! blogsmith: a static site generator for math- and code-heavy Chinese notes.
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`content`] (load) → [`markdown`] (render each page, in parallel) →
//! [`site`] (assemble: order, paginate, taxonomies) → [`render`] (templates, write).

pub mod cache;
pub mod config;
pub mod content;
pub mod diagnostic;
pub mod fingerprint;
pub mod markdown;
pub mod progress;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod session;
pub mod site;
pub mod slug;
pub mod trace;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use diagnostic::Diagnostic;
use render::RenderOptions;
pub use session::{Refreshed, Session};

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
    pub progress: Option<std::sync::Arc<progress::Progress>>,
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
    pub search: site::search::SearchStats,
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
}

/// The list of files the last build wrote, in the cache folder (see [`render::manifest`]).
const OUTPUT_MANIFEST: &str = "output.json";

/// The fingerprint and report of the last good build, in the cache folder (see [`fingerprint`]).
const LAST_BUILD: &str = "last-build.json";

/// Builds the site. On any error nothing is written and every problem is returned.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let started = Instant::now();
    let output = std::path::absolute(&options.output).unwrap_or_else(|_| options.output.clone());
    let cache_dir = options.root.join(cache::CACHE_DIR);
    let manifest = cache_dir.join(OUTPUT_MANIFEST);
    let last_build = cache_dir.join(LAST_BUILD);
    let inputs = options
        .cache
        .then(|| fingerprint::read_inputs(options, &output, Some(&last_build)))
        .flatten();
    let previous = options
        .cache
        .then(|| render::manifest::Manifest::load(&manifest, &output));
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
        session.reuse_previous_output(previous);
    }
    if let Some(inputs) = &inputs {
        session.know_files(inputs.known_articles());
    }
    // Pages go to disk as they are rendered; without a spill folder (an
    // unwritable parent, say) they stay in memory and write_site reports why.
    if let Ok(spill) = render::output::Spill::create(&output) {
        session.spill_pages(spill);
    }
    let refreshed = session.refresh()?;
    trace::phase("refresh", started);
    if trace::enabled() {
        eprintln!("trace: rendered {} pages", refreshed.report.rendered_pages);
    }
    let files: Vec<render::OutputFile> = session.files().values().cloned().collect();
    let phase = Instant::now();
    // The caches are saved whatever happens to the output, beside writing it.
    let (_, written) = rayon::join(
        || {
            let _ = session.save_caches();
            trace::phase("save caches", phase);
        },
        || {
            render::output::write_site(
                &output,
                &options.root,
                &files,
                session
                    .previous_output()
                    .map(|previous| render::output::Reuse {
                        previous,
                        keys: session.page_keys(),
                        save_to: &manifest,
                    }),
                options.progress.as_deref(),
            )
        },
    );
    let written = written.map_err(|d| {
        let mut diagnostics = refreshed.report.warnings.clone();
        diagnostics.push(d);
        BuildFailure { diagnostics }
    })?;
    trace::phase("write", phase);
    let report = BuildReport {
        elapsed: started.elapsed(),
        unchanged_files: written.reused,
        ..refreshed.report
    };
    if let Some(inputs) = inputs {
        fingerprint::save(&last_build, inputs, &report);
    }
    // The spill folder goes now; the rest of the session is only memory,
    // freed on another thread (80 ms at 10,000 articles): a process that
    // exits meanwhile lets the kernel take it back at once.
    session.end_spill();
    let _ = std::thread::Builder::new().spawn(move || drop((files, session)));
    Ok(report)
}

/// Removes the render cache and the output folder (with the temporary folders
/// builds leave beside it). Returns what was removed.
///
/// The output is checked first like a build does: a folder that contains the
/// site, or looks like a site, is never removed.
pub fn clean(root: &Path, output: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    // The output first: it is the one that can be refused, and then nothing is removed.
    let mut removed = render::output::remove_output(output, root)?;
    let cache = root.join(cache::CACHE_DIR);
    if cache.exists() {
        std::fs::remove_dir_all(&cache)
            .map_err(|e| Diagnostic::error(&cache, format!("cannot remove the cache: {e}")))?;
        removed.push(cache);
    }
    Ok(removed)
}

/// The site root holding `blogsmith.yaml`: `start` or its nearest ancestor that has one.
pub fn find_root(start: &Path) -> PathBuf {
    start
        .ancestors()
        .find(|dir| dir.join(config::CONFIG_FILE).is_file())
        .unwrap_or(start)
        .to_path_buf()
}
