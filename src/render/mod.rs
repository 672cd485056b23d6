//! Applying templates to the assembled site and writing the output.

pub mod manifest;
pub mod output;
pub mod theme;

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::config::Config;
use crate::content::CONTENT_DIR;
use crate::diagnostic::Diagnostic;
use crate::site::search::{self, SearchStats};
use crate::site::{ArchiveYear, Link, ListKind, ListPage, Post, Site, Taxonomy, Term, feeds};
pub use output::{Contents, OutputFile};
pub use theme::Theme;

/// The generated highlighting stylesheet, at the output root.
pub const HIGHLIGHT_CSS: &str = "highlight.css";

/// The folder of the search page.
pub const SEARCH_DIR: &str = "search";

/// An article as list pages show it: everything but its content.
/// (A field added here goes into [`entry_key`] too.)
#[derive(Serialize)]
struct Entry<'a> {
    title: &'a str,
    url: &'a str,
    permalink: &'a str,
    date: &'a str,
    date_iso: &'a str,
    updated: &'a Option<String>,
    tags: &'a [Link],
    categories: &'a [Link],
    excerpt: &'a str,
    has_more: bool,
    reading_minutes: usize,
    word_count: usize,
    extra: &'a std::collections::BTreeMap<String, serde_json::Value>,
}

impl<'a> From<&'a Post> for Entry<'a> {
    fn from(p: &'a Post) -> Self {
        Self {
            title: &p.title,
            url: &p.url,
            permalink: &p.permalink,
            date: &p.date,
            date_iso: &p.date_iso,
            updated: &p.updated,
            tags: &p.tags,
            categories: &p.categories,
            excerpt: &p.excerpt,
            has_more: p.has_more,
            reading_minutes: p.reading_minutes,
            word_count: p.word_count,
            extra: &p.extra,
        }
    }
}

/// A taxonomy as the navigation shows it: no terms, so that adding a tag
/// does not change (and re-render) every page.
#[derive(Serialize)]
struct NavTaxonomy<'a> {
    key: &'a str,
    title: &'a str,
    url: &'a str,
}

/// Values every template sees.
#[derive(Serialize)]
struct Globals<'a> {
    config: &'a Config,
    base_path: &'a str,
    taxonomies: Vec<NavTaxonomy<'a>>,
    generator: &'static str,
    highlight_css: String,
    katex_css: String,
    style_css: String,
    feed_url: String,
    permalink_root: &'a str,
    live_reload: Option<&'a str>,
}

/// How the output is rendered.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// A script tag put in every page (serve mode only; `build` never has it).
    pub live_reload: Option<String>,
}

/// Pages rendered before, by output path: the hash of their inputs, and their bytes.
pub type Memo = HashMap<String, (u64, Arc<[u8]>)>;

/// Everything a render produced.
pub struct SiteOutput {
    /// Every file to write, in a stable order.
    pub files: Vec<OutputFile>,
    /// The rendered pages, for the next render to reuse.
    pub memo: Memo,
    /// Template errors.
    pub diagnostics: Vec<Diagnostic>,
    /// How many pages were rendered (the others were reused from the memo).
    pub rendered: usize,
    /// The search index's size.
    pub search: SearchStats,
    /// The hash of each rendered page's inputs, by path.
    pub keys: HashMap<String, u64>,
    /// Articles (relative to `content/`) whose pages must be rendered but
    /// whose HTML was not kept ([`crate::site::RenderedPage::html_elided`]):
    /// the output is incomplete until they are rendered and this is run again.
    pub needs_articles: Vec<std::path::PathBuf>,
}

/// What goes into a site render besides the site itself.
pub struct Inputs<'a> {
    /// The configuration.
    pub config: &'a Config,
    /// Templates and static files.
    pub theme: &'a Theme,
    /// The generated highlighting stylesheet.
    pub highlight_css: &'a str,
    /// The site root, to find article assets.
    pub root: &'a Path,
    /// Non-Markdown files under content/.
    pub assets: &'a [PathBuf],
    /// Serve-mode extras.
    pub options: &'a RenderOptions,
    /// What the previous build wrote: its pages rendered from the same inputs
    /// are linked instead of rendered (`build` with the render cache only).
    pub previous_output: Option<&'a manifest::Manifest>,
    /// Mixed into every page's input hash: what the hash does not see otherwise
    /// and the previous output may have been made with (the configuration,
    /// the options, the blogsmith binary).
    pub salt: u64,
    /// Counters for a progress bar.
    pub progress: Option<&'a crate::progress::Progress>,
    /// Where rendered pages go at once (`build`), instead of staying in
    /// memory for the next render to reuse (`serve`).
    pub spill: Option<&'a output::Spill>,
}

/// Renders every page of `site` (in parallel) and lists every file to write.
///
/// A page whose inputs hash the same as in `previous` is not rendered again.
pub fn render_site(site: &Site, inputs: &Inputs<'_>, previous: &Memo) -> SiteOutput {
    let Inputs {
        config,
        theme,
        highlight_css,
        root,
        assets,
        options,
        previous_output,
        salt,
        progress,
        spill,
    } = *inputs;
    let globals = Globals {
        config,
        base_path: &site.base_path,
        taxonomies: site
            .taxonomies
            .iter()
            .map(|t| NavTaxonomy {
                key: t.key,
                title: &t.title,
                url: &t.url,
            })
            .collect(),
        generator: concat!("blogsmith ", env!("CARGO_PKG_VERSION")),
        highlight_css: format!("{}{HIGHLIGHT_CSS}", site.base_path),
        katex_css: format!("{}katex/katex.min.css", site.base_path),
        style_css: format!("{}style.css", site.base_path),
        feed_url: site.url_of_file("atom.xml"),
        permalink_root: &site.permalink_root,
        live_reload: options.live_reload.as_deref(),
    };
    let base = match Context::from_serialize(&globals) {
        Ok(context) => context,
        Err(e) => {
            let diagnostics = vec![theme.diagnostic(&e)];
            return SiteOutput {
                files: Vec::new(),
                memo: Memo::new(),
                diagnostics,
                rendered: 0,
                search: SearchStats::default(),
                keys: HashMap::new(),
                needs_articles: Vec::new(),
            };
        }
    };
    let globals_hash = hash_json(&(&globals, salt));
    let phase = std::time::Instant::now();
    let search_index = search::build(&site.posts);
    crate::trace::phase("render: search index", phase);
    let phase = std::time::Instant::now();
    // Each post is on several list pages: hash what they show of it once.
    let entry_hashes: Vec<u64> = site
        .posts
        .par_iter()
        .map(|post| {
            let mut hasher = DefaultHasher::new();
            entry_key(post).hash(&mut hasher);
            hasher.finish()
        })
        .collect();
    let jobs = jobs(site, config, &search_index.json);
    crate::trace::phase("render: entry hashes, jobs", phase);
    let phase = std::time::Instant::now();
    crate::progress::start(progress, crate::progress::Stage::Pages, jobs.len());
    let results: Vec<JobResult> = jobs
        .par_iter()
        .map(|job| {
            let key = job_key(job, site, theme, globals_hash, &entry_hashes);
            let path = job_path(job);
            if let Some((old, bytes)) = previous.get(&path)
                && *old == key
            {
                return JobResult {
                    path,
                    key,
                    fresh: false,
                    contents: Ok(Contents::Bytes(Arc::clone(bytes))),
                    needs_article: None,
                };
            }
            if let Some((file, entry)) = previous_output.and_then(|m| m.rendered_page(&path, key)) {
                return JobResult {
                    path,
                    key,
                    fresh: false,
                    contents: Ok(Contents::Previous(file, entry)),
                    needs_article: None,
                };
            }
            if let Job::Post(post) = job
                && post.content_elided
            {
                // Its HTML was not kept: the caller renders the article and asks again.
                return JobResult {
                    path,
                    key,
                    fresh: false,
                    contents: Ok(Contents::Bytes(Arc::from(&[][..]))),
                    needs_article: Some(post.source.clone()),
                };
            }
            let keep = |bytes| match spill {
                Some(spill) => spill.keep(&path, bytes, previous_output),
                None => Contents::Bytes(bytes),
            };
            JobResult {
                contents: render_job(job, site, theme, &base).map(keep),
                path,
                key,
                fresh: true,
                needs_article: None,
            }
        })
        .inspect(|_| crate::progress::advance(progress))
        .collect();
    crate::trace::phase("render: pages", phase);
    let phase = std::time::Instant::now();
    let mut files = Vec::with_capacity(results.len() + theme.static_files.len());
    let mut memo = Memo::with_capacity(results.len());
    let mut keys = HashMap::with_capacity(results.len());
    let mut diagnostics = BTreeSet::new();
    let mut rendered = 0;
    let mut needs_articles = Vec::new();
    for JobResult {
        path,
        key,
        fresh,
        contents,
        needs_article,
    } in results
    {
        if let Some(source) = needs_article {
            needs_articles.push(source);
            continue;
        }
        match contents {
            Ok(contents) => {
                rendered += usize::from(fresh);
                if let Contents::Bytes(bytes) = &contents {
                    memo.insert(path.clone(), (key, Arc::clone(bytes)));
                }
                keys.insert(path.clone(), key);
                files.push(OutputFile { path, contents });
            }
            Err(d) => {
                diagnostics.insert(d);
            }
        }
    }
    files.push(OutputFile {
        path: HIGHLIGHT_CSS.into(),
        contents: Contents::Bytes(highlight_css.as_bytes().into()),
    });
    files.push(OutputFile {
        path: search::INDEX_FILE.into(),
        contents: Contents::Bytes(search_index.json.into_bytes().into()),
    });
    match feeds::generate(site, config) {
        Ok(feeds) => {
            for (path, text) in feeds {
                files.push(OutputFile {
                    path,
                    contents: Contents::Bytes(text.into_bytes().into()),
                });
            }
        }
        Err(d) => {
            diagnostics.insert(d);
        }
    }
    for (path, source) in &theme.static_files {
        files.push(OutputFile {
            path: path.clone(),
            contents: Contents::from_static(source),
        });
    }
    files.extend(article_assets(site, root, assets));
    crate::trace::phase("render: feeds, static files", phase);
    SiteOutput {
        files,
        memo,
        diagnostics: diagnostics.into_iter().collect(),
        rendered,
        search: search_index.stats,
        keys,
        needs_articles,
    }
}

/// One page after rendering, or reused from the memo.
struct JobResult {
    path: String,
    key: u64,
    fresh: bool,
    contents: Result<Contents, Diagnostic>,
    /// Set when the page needs an article's HTML that was not kept.
    needs_article: Option<std::path::PathBuf>,
}

/// Feeds bytes written to it into a hasher.
struct HashWriter<'h>(&'h mut DefaultHasher);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn hash_json(value: &impl Serialize) -> u64 {
    let mut hasher = DefaultHasher::new();
    {
        // Buffered: serde_json writes token by token, and SipHash is slow on tiny writes.
        let mut writer = std::io::BufWriter::with_capacity(4096, HashWriter(&mut hasher));
        // Serialising into a hasher cannot fail: it writes to memory and every key is a string.
        let _ = serde_json::to_writer(&mut writer, value);
        let _ = std::io::Write::flush(&mut writer);
    }
    hasher.finish()
}

/// A hash of everything a page's output depends on: when it is the same as last
/// time, the page is the same. Articles are keyed by their source's hash rather
/// than their (large) HTML.
fn job_key(
    job: &Job<'_>,
    site: &Site,
    theme: &Theme,
    globals_hash: u64,
    entry_hashes: &[u64],
) -> u64 {
    let mut hasher = DefaultHasher::new();
    (globals_hash, theme.template_hash(job_template(job))).hash(&mut hasher);
    match job {
        Job::Post(post) => {
            (
                post.source_hash,
                &post.newer,
                &post.older,
                &post.tags,
                &post.categories,
                &post.url,
            )
                .hash(&mut hasher);
        }
        Job::List(list) => {
            for &i in &list.posts {
                entry_hashes[i].hash(&mut hasher);
            }
            let term = match list.kind {
                ListKind::Index => None,
                ListKind::Term(t, i) => Some((
                    &site.taxonomies[t].title,
                    &site.taxonomies[t].url,
                    &site.taxonomies[t].terms[i],
                )),
            };
            hash_json(&(&list.paginator, term)).hash(&mut hasher);
        }
        Job::TaxonomyIndex(taxonomy) => hash_json(taxonomy).hash(&mut hasher),
        Job::Archives(years) => hash_json(years).hash(&mut hasher),
        Job::Search { index_url } => index_url.hash(&mut hasher),
        Job::NotFound => {}
    }
    hasher.finish()
}

/// What an [`Entry`] shows, for hashing. Like a post's own key, it stands for
/// the excerpt and `extra` (large, and a pure function of the source and the
/// configuration, whose change clears the memo) by the source's hash, instead
/// of serialising them for every list page the post is on: at a thousand
/// articles that serialisation was most of a refresh.
fn entry_key(post: &Post) -> impl Hash + '_ {
    (
        post.source_hash,
        (&post.title, &post.url, &post.permalink),
        (&post.date, &post.date_iso, &post.updated),
        (&post.tags, &post.categories),
        (post.has_more, post.reading_minutes, post.word_count),
    )
}

fn job_template(job: &Job<'_>) -> &'static str {
    match job {
        Job::Post(_) => "page.html",
        Job::List(list) if list.kind == ListKind::Index => "index.html",
        Job::List(_) => "taxonomy_term.html",
        Job::TaxonomyIndex(_) => "taxonomy_list.html",
        Job::Archives(_) => "archives.html",
        Job::Search { .. } => "search.html",
        Job::NotFound => "404.html",
    }
}

/// Where a page is written, relative to the output folder.
fn job_path(job: &Job<'_>) -> String {
    let dir = match job {
        Job::Post(post) => &post.output_dir,
        Job::List(list) => &list.output_dir,
        Job::TaxonomyIndex(taxonomy) => taxonomy.key,
        Job::Archives(_) => "archives",
        Job::Search { .. } => SEARCH_DIR,
        Job::NotFound => return "404.html".to_string(),
    };
    if dir.is_empty() {
        "index.html".to_string()
    } else {
        format!("{dir}/index.html")
    }
}

/// One page to render: which template, and for what.
enum Job<'a> {
    Post(&'a Post),
    List(ListPage),
    TaxonomyIndex(&'a Taxonomy),
    Archives(Vec<ArchiveYear>),
    /// The search page, with the URL of the index it loads.
    Search {
        index_url: String,
    },
    NotFound,
}

fn jobs<'a>(site: &'a Site, config: &Config, search_index: &str) -> Vec<Job<'a>> {
    let mut jobs: Vec<Job<'_>> = site.posts.iter().map(Job::Post).collect();
    jobs.extend(site.list_pages().into_iter().map(Job::List));
    jobs.extend(site.taxonomies.iter().map(Job::TaxonomyIndex));
    jobs.push(Job::Archives(site.archives(&config.time_zone())));
    jobs.push(Job::Search {
        index_url: versioned_url(site, search::INDEX_FILE, search_index),
    });
    jobs.push(Job::NotFound);
    jobs
}

/// The URL of a generated file with a hash of its contents as a query, so that
/// browsers never use a stale copy after a rebuild.
fn versioned_url(site: &Site, path: &str, contents: &str) -> String {
    let mut hasher = DefaultHasher::new();
    contents.hash(&mut hasher);
    format!("{}?v={:08x}", site.url_of_file(path), hasher.finish() >> 32)
}

fn render_job(
    job: &Job<'_>,
    site: &Site,
    theme: &Theme,
    base: &Context,
) -> Result<Arc<[u8]>, Diagnostic> {
    let mut context = base.clone();
    match job {
        Job::Post(post) if post.content_file.is_some() => {
            let content = post.content_html().map_err(|e| post.unreadable(&e))?;
            let post = post.with_content(content);
            context.insert("page", &post);
            context.insert("has_math", &post.has_math);
            context.insert("current_url", &post.url);
        }
        Job::Post(post) => {
            context.insert("page", post);
            context.insert("has_math", &post.has_math);
            context.insert("current_url", &post.url);
        }
        Job::List(list) => {
            let entries: Vec<Entry<'_>> = list
                .posts
                .iter()
                .map(|&i| Entry::from(&site.posts[i]))
                .collect();
            let has_math = list.posts.iter().any(|&i| site.posts[i].excerpt_has_math);
            context.insert("entries", &entries);
            context.insert("paginator", &list.paginator);
            context.insert("has_math", &has_math);
            context.insert("current_url", &site.url_of_dir(&list.output_dir));
            if let ListKind::Term(t, i) = list.kind {
                let taxonomy = &site.taxonomies[t];
                let term: &Term = &taxonomy.terms[i];
                context.insert("taxonomy", taxonomy);
                context.insert("term", term);
            }
        }
        Job::TaxonomyIndex(taxonomy) => {
            context.insert("taxonomy", taxonomy);
            context.insert("has_math", &false);
            context.insert("current_url", &taxonomy.url);
        }
        Job::Archives(years) => {
            context.insert("years", years);
            context.insert("total", &site.posts.len());
            context.insert("has_math", &false);
            context.insert("current_url", &site.url_of_dir("archives"));
        }
        Job::Search { index_url } => {
            context.insert("search_index_url", index_url);
            context.insert("has_math", &false);
            context.insert("current_url", &site.url_of_dir(SEARCH_DIR));
        }
        Job::NotFound => {
            context.insert("has_math", &false);
            context.insert("current_url", &format!("{}404.html", site.base_path));
        }
    }
    let html = theme
        .tera
        .render(job_template(job), &context)
        .map_err(|e| theme.diagnostic(&e))?;
    Ok(html.into_bytes().into())
}

/// Files that go beside article pages: everything in a bundle folder, and the
/// files an article links to by a relative path.
fn article_assets(site: &Site, root: &Path, assets: &[PathBuf]) -> Vec<OutputFile> {
    let content_dir = root.join(CONTENT_DIR);
    let known: BTreeSet<&Path> = assets.iter().map(PathBuf::as_path).collect();
    let mut files = BTreeSet::new();
    for post in &site.posts {
        let source_dir = post.source.parent().unwrap_or(Path::new(""));
        if post.is_bundle {
            for asset in assets.iter().filter(|a| a.starts_with(source_dir)) {
                if let Ok(inside) = asset.strip_prefix(source_dir) {
                    files.insert((
                        format!("{}/{}", post.output_dir, slash_path(inside)),
                        content_dir.join(asset),
                    ));
                }
            }
        }
        for link in &post.local_links {
            let Some(relative) = relative_file(&link.url) else {
                continue;
            };
            let asset = source_dir.join(&relative);
            if known.contains(asset.as_path()) {
                files.insert((
                    format!("{}/{}", post.output_dir, slash_path(&relative)),
                    content_dir.join(asset),
                ));
            }
        }
    }
    files
        .into_iter()
        .map(|(path, source)| OutputFile {
            path,
            contents: Contents::Copy(source),
        })
        .collect()
}

/// A link like `fig%201.png?x#y` as a path below the article (`fig 1.png`), if it is one.
fn relative_file(link: &str) -> Option<PathBuf> {
    let path = link.split(['?', '#']).next()?;
    let decoded = percent_decode(path)?;
    let path = PathBuf::from(decoded);
    path.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        .then_some(path)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn slash_path(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_files_stay_below_the_article() {
        assert_eq!(relative_file("fig.png"), Some(PathBuf::from("fig.png")));
        assert_eq!(
            relative_file("./img/%E5%9B%BE.png#x"),
            Some(PathBuf::from("./img/图.png"))
        );
        assert_eq!(relative_file("../secret.txt"), None);
        assert_eq!(relative_file("bad%zz"), None);
    }
}
