//! Step 4 of the build: every page through its template, with the search
//! index, feeds, static files and article assets; and what changed since the
//! last refresh.

use super::Session;
use super::articles::{ArticleBody, LoadedArticle, parse_and_render};
use crate::config::{self, Config};
use crate::content::{self, CONTENT_DIR};
use crate::diagnostic::Diagnostic;
use crate::incremental::{self, SamePage};
use crate::output::{Contents, OutputFile};
use crate::render::{self, Job, Pages, Theme};
use crate::site::search::{self, SearchStats};
use crate::site::{ArticleTexts, Post, Site, feeds};
use crate::util::hash::hash_bytes;
use crate::util::progress::{self, Stage};
use crate::util::trace;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

impl Session {
    /// Step 4: every page of `site` through its template (in parallel; pages
    /// made from the same inputs before are taken as they are), the search
    /// index, feeds, static files and article assets.
    pub(super) fn render_pages(
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
        let pages = match Pages::new(
            site,
            config,
            theme,
            &self.options.render,
            &setup.highlight_css,
            self.reuse.salt(),
        ) {
            Ok(pages) => pages,
            Err(problem) => {
                rendered.diagnostics.push(problem);
                return rendered;
            }
        };
        let bodies = Bodies {
            session: self,
            loaded,
        };
        let phase = Instant::now();
        let search_index = match search::build(&site.posts, &|post| bodies.text(post)) {
            Ok(index) => index,
            Err(unreadable) => {
                rendered.diagnostics.push(
                    Diagnostic::error(Path::new(CONTENT_DIR).join(&unreadable.article), unreadable.to_string())
                        .with_hint("the build keeps it beside the output folder: check that the disk has space and nothing removes that folder during the build"),
                );
                return rendered;
            }
        };
        trace::phase("render: search index", phase);
        let jobs = pages.jobs(config, &search_index.json);
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
        // Generated files go to the spill as they are made, as pages do (the
        // search index and the feeds weigh hundreds of megabytes at 100,000
        // articles): they are not held until the site is written.
        // Not copied into shared bytes first (the index is 184 MB at 100,000).
        let keep = |path: &str, text: String| {
            let spilled = self.spill.as_ref().and_then(|spill| {
                spill.keep_bytes(path, text.as_bytes(), self.reuse.previous_output())
            });
            spilled.unwrap_or_else(|| Contents::Bytes(text.into_bytes().into()))
        };
        let index = keep(search::INDEX_FILE, search_index.json);
        add(search::INDEX_FILE.into(), index);
        let feed_html = bodies.feed_html(site, config, &mut rendered.diagnostics);
        let html_of = |index: usize| feed_html.get(&index).cloned().unwrap_or_default();
        for (path, text) in feeds::generate(site, config, &html_of) {
            let feed = keep(&path, text);
            add(path, feed);
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
    pub(super) fn render_page(
        &self,
        pages: &Pages<'_>,
        job: &Job<'_>,
        bodies: &Bodies<'_>,
    ) -> PageResult {
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
}

/// The image files of the notebooks' outputs, by output path: decoded from
/// the notebooks again, so that articles from the render cache get them too.
pub(super) fn notebook_files(site: &Site, root: &Path, config: &Config) -> Vec<(String, Vec<u8>)> {
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

/// The articles' HTML for the pages and feeds of one refresh.
pub(super) struct Bodies<'a> {
    pub(super) session: &'a Session,
    pub(super) loaded: &'a BTreeMap<PathBuf, LoadedArticle>,
}

impl Bodies<'_> {
    /// `post`'s HTML with its links pointed at their targets: kept in
    /// memory or in the spill file, or rendered again when the article came
    /// from the render cache.
    pub(super) fn html(&self, post: &Post) -> Result<Arc<str>, Diagnostic> {
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
            Some(ArticleBody::NotKept) | None => self.render_again(post)?.html,
        };
        Ok(Arc::from(post.resolve_links(&html)))
    }

    /// `post`'s plain text, for the search index: kept in memory or in the
    /// spill file, or rendered again (never needed: the render cache keeps it).
    pub(super) fn text(&self, post: &Post) -> std::io::Result<Arc<str>> {
        let kept = self.loaded.get(&post.source).map(|loaded| &loaded.text);
        match kept.and_then(ArticleBody::read) {
            Some(text) => text,
            None => self
                .render_again(post)
                .map(|texts| texts.plain_text)
                .map_err(|problem| std::io::Error::other(problem.message)),
        }
    }

    /// Reads and renders `post`'s article again, for its HTML: the render
    /// cache keeps articles without it.
    pub(super) fn render_again(&self, post: &Post) -> Result<ArticleTexts, Diagnostic> {
        let root = &self.session.options.root;
        let shown = Path::new(CONTENT_DIR).join(&post.source);
        let bytes = std::fs::read(root.join(CONTENT_DIR).join(&post.source))
            .map_err(|e| Diagnostic::error(&shown, format!("cannot read the file: {e}")))?;
        let renderer = self.session.renderer().ok_or_else(|| {
            Diagnostic::error(config::CONFIG_FILE, "the configuration is not loaded")
        })?;
        let (_, texts, _) = parse_and_render(
            root,
            &post.source,
            &bytes,
            self.session.config(),
            &renderer,
            hash_bytes(&bytes),
            &crate::content::bibliography::BibFiles::default(),
        );
        texts.ok_or_else(|| {
            Diagnostic::error(
                shown,
                "the article changed during the build and no longer renders",
            )
            .with_hint("build again")
        })
    }

    /// The HTML of every article a full-content feed shows, by index in the
    /// site's posts (none when feeds show excerpts).
    pub(super) fn feed_html(
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
pub(super) struct RenderedSite {
    /// Every file to write, by path.
    pub(super) files: BTreeMap<String, OutputFile>,
    /// The pages rendered in memory, for the next refresh to reuse.
    pub(super) memo: incremental::PageMemo,
    /// The input hash of every page, by path.
    pub(super) keys: HashMap<String, u64>,
    /// How many pages were rendered (the others were reused).
    pub(super) rendered: usize,
    /// The search index's size.
    pub(super) search: SearchStats,
    /// Template errors and unreadable articles.
    pub(super) diagnostics: Vec<Diagnostic>,
}

/// One page after rendering, or reused.
pub(super) struct PageResult {
    pub(super) path: String,
    pub(super) key: u64,
    pub(super) fresh: bool,
    pub(super) contents: Result<Contents, Diagnostic>,
}

/// Whether two output files are the same. Pages reused from the memo share
/// their bytes, so this is a pointer comparison for all but the re-rendered
/// ones (`Arc<[u8]>`'s `==` compares the bytes: std only short-cuts sized types).
pub(super) fn same_file(a: &OutputFile, b: &OutputFile) -> bool {
    match (&a.contents, &b.contents) {
        (Contents::Bytes(x), Contents::Bytes(y)) if Arc::ptr_eq(x, y) => a.path == b.path,
        _ => a == b,
    }
}

/// Paths whose file was added, removed or changed between two builds.
pub(super) fn changed_paths(
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
