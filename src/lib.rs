//! blogsmith: a static site generator for math- and code-heavy Chinese notes.
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`content`] (load) → [`markdown`] (render each page, in parallel) →
//! [`site`] (assemble: order, paginate, taxonomies) → [`render`] (templates, write).

pub mod config;
pub mod content;
pub mod diagnostic;
pub mod markdown;
pub mod render;
pub mod scaffold;
pub mod site;
pub mod slug;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use config::Config;
use content::Page;
use diagnostic::Diagnostic;
use markdown::{MarkdownRenderer, MathEngine, Source};
use render::{RenderOptions, Theme};
use site::{RenderedPage, Site};

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
    /// Serve-mode extras.
    pub render: RenderOptions,
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
            render: RenderOptions::default(),
        }
    }
}

/// What a successful build did.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// Articles published.
    pub articles: usize,
    /// HTML pages written (articles, lists, taxonomies, 404).
    pub pages: usize,
    /// Files written in all.
    pub files: usize,
    /// Formulas typeset (occurrences).
    pub formulas: usize,
    /// Distinct formulas typeset.
    pub distinct_formulas: usize,
    /// Code blocks highlighted.
    pub code_blocks: usize,
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

/// Builds the site. On any error nothing is written and every problem is returned.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let started = Instant::now();
    let mut config = Config::load(&options.root).map_err(|d| BuildFailure {
        diagnostics: vec![d],
    })?;
    if let Some(base_url) = &options.base_url {
        config.base_url.clone_from(base_url);
    }
    let strict = options.strict || config.math.strict;
    let mut diagnostics = Vec::new();

    let loaded = content::load(&options.root, &config, options.drafts);
    diagnostics.extend(loaded.diagnostics);

    let math = MathEngine::new(config.math.macros.clone());
    let renderer = MarkdownRenderer {
        math: &math,
        summary_length: config.summary_length,
    };
    let rendered: Vec<RenderedPage> = loaded
        .pages
        .into_par_iter()
        .map(|page| render_page(page, &renderer))
        .collect();
    let formulas = rendered.iter().map(|p| p.rendered.formulas).sum();
    let code_blocks = rendered.iter().map(|p| p.rendered.code_blocks).sum();
    for page in &rendered {
        diagnostics.extend(page.rendered.diagnostics.iter().cloned().map(|d| {
            if strict && markdown::is_math_error(&d) {
                Diagnostic {
                    severity: diagnostic::Severity::Error,
                    ..d
                }
            } else {
                d
            }
        }));
    }
    let articles = rendered.len();

    let (site, site_diagnostics) = Site::assemble(rendered, &config);
    diagnostics.extend(site_diagnostics);

    let theme = match Theme::load(&options.root) {
        Ok(theme) => Some(theme),
        Err(problems) => {
            diagnostics.extend(problems);
            None
        }
    };
    let highlight_css =
        markdown::highlight_stylesheet(&config.highlight.light_theme, &config.highlight.dark_theme)
            .map_err(|e| diagnostics.push(Diagnostic::error(config::CONFIG_FILE, e)))
            .unwrap_or_default();
    let mut files = Vec::new();
    if let Some(theme) = &theme {
        let (written, problems) = render::render_site(
            &site,
            &config,
            theme,
            &highlight_css,
            &options.root,
            &loaded.assets,
            &options.render,
        );
        files = written;
        diagnostics.extend(problems);
    }

    diagnostics.sort();
    diagnostics.dedup();
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(BuildFailure { diagnostics });
    }
    let output = if options.output.is_absolute() {
        options.output.clone()
    } else {
        std::env::current_dir()
            .unwrap_or_default()
            .join(&options.output)
    };
    render::output::write_site(&output, &options.root, &files).map_err(|d| {
        diagnostics.push(d);
        BuildFailure {
            diagnostics: diagnostics.clone(),
        }
    })?;
    Ok(BuildReport {
        articles,
        pages: files.iter().filter(|f| f.path.ends_with(".html")).count(),
        files: files.len(),
        formulas,
        distinct_formulas: math.distinct_formulas(),
        code_blocks,
        elapsed: started.elapsed(),
        warnings: diagnostics,
    })
}

/// Renders one article and picks its excerpt: the part before `<!-- more -->`,
/// else the front matter `summary`, else the automatic excerpt.
fn render_page(page: Page, renderer: &MarkdownRenderer<'_>) -> RenderedPage {
    let rendered = renderer.render(Source {
        body: &page.body,
        path: &page.source,
        first_line: page.body_line,
    });
    let (excerpt, excerpt_is_partial) = match (&rendered.before_more, &page.summary) {
        (Some(before), _) => (before.clone(), true),
        (None, Some(summary)) => (
            renderer.render_fragment(summary, &page.source, 1).html,
            true,
        ),
        (None, None) => (
            rendered.auto_excerpt.clone(),
            rendered.auto_excerpt.ends_with("…</p>"),
        ),
    };
    let excerpt_has_math = excerpt.contains("class=\"katex");
    RenderedPage {
        page,
        rendered,
        excerpt,
        excerpt_is_partial,
        excerpt_has_math,
    }
}

/// The site root holding `blogsmith.yaml`: `start` or its nearest ancestor that has one.
pub fn find_root(start: &Path) -> PathBuf {
    start
        .ancestors()
        .find(|dir| dir.join(config::CONFIG_FILE).is_file())
        .unwrap_or(start)
        .to_path_buf()
}
