//! Applying templates: every page of the assembled site, as bytes, and a
//! key per page that changes whenever its bytes may.

mod katex_fonts;
pub mod theme;

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::config::Config;
use crate::content::CONTENT_DIR;
use crate::diagnostic::Diagnostic;
use crate::site::search;
use crate::site::{ArchiveYear, Link, ListKind, ListPage, Post, Site, Taxonomy, Term};
use crate::util::hash::{StableHasher, hash_json, hash_of};
use crate::util::url::{percent_decode, slash_path};
use katex_fonts::KatexFonts;
pub use theme::Theme;

/// The generated highlighting stylesheet, at the output root.
pub const HIGHLIGHT_CSS: &str = "highlight.css";

/// The theme's stylesheet, at the output root.
pub const STYLE_CSS: &str = "style.css";

/// KaTeX's stylesheet, under the output root.
const KATEX_CSS: &str = "katex/katex.min.css";

/// KaTeX's stylesheet `css` made ready to sit inline in a page: its font URLs
/// (relative to the stylesheet) made to point into `fonts` (an absolute
/// path), and each face drawn in a fallback font until it has loaded
/// (`font-display: swap`, where KaTeX has `block`) instead of leaving the
/// formula invisible for up to three seconds.
fn inline_katex_css(css: &str, fonts: &str) -> String {
    css.replace("url(fonts/", &format!("url({fonts}"))
        .replace("font-display:block", "font-display:swap")
}

/// The folder of the search page.
pub const SEARCH_DIR: &str = "search";

/// An article as list pages show it: everything but its content.
/// (A field added here goes into [`entry_key`] too.)
#[derive(Serialize)]
struct ListEntry<'a> {
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
    pinned: bool,
    extra: &'a std::collections::BTreeMap<String, serde_json::Value>,
}

impl<'a> From<&'a Post> for ListEntry<'a> {
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
            pinned: p.pinned,
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
    mermaid_js: String,
    style_css: String,
    /// Whether pages carry the stylesheets inline (`build`) rather than
    /// link them (`serve`, whose live reload swaps linked stylesheets in
    /// place when one is saved).
    inline_css: bool,
    /// `style.css` and the highlighting stylesheet, put inline in `<head>`
    /// so that nothing blocks the first paint (see docs/reading.md); empty
    /// when `inline_css` is false.
    theme_css: String,
    /// KaTeX's stylesheet for inlining on pages with math: font URLs made
    /// absolute, faces shown with `font-display: swap`.
    katex_inline_css: String,
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

/// The pages of one site rendered with one theme.
pub struct Pages<'a> {
    site: &'a Site,
    theme: &'a Theme,
    /// What every template sees.
    base: Context,
    /// A hash of `base` and of what page keys do not otherwise see.
    globals_hash: u64,
    /// Per post: a hash of what list pages show of it.
    entry_hashes: Vec<u64>,
    /// Per post: the KaTeX font files its excerpt's formulas use (worked
    /// out from the theme's KaTeX stylesheet), which list pages preload.
    excerpt_fonts: Vec<Vec<String>>,
}

impl<'a> Pages<'a> {
    /// Ready to render `site`'s pages. `salt` is mixed into every page key:
    /// what keys do not otherwise see (the configuration, the options).
    pub fn new(
        site: &'a Site,
        config: &'a Config,
        theme: &'a Theme,
        options: &RenderOptions,
        highlight_css: &str,
        salt: u64,
    ) -> Result<Self, Diagnostic> {
        let inline_css = options.live_reload.is_none();
        let katex_fonts = format!("{}katex/fonts/", site.base_path);
        let katex = theme.static_text(KATEX_CSS)?.unwrap_or_default();
        let font_rules = KatexFonts::from_css(&katex, &format!("{}katex/", site.base_path));
        let (theme_css, katex_inline_css) = if inline_css {
            let style = theme.static_text(STYLE_CSS)?.unwrap_or_default();
            (
                format!("{}\n{highlight_css}", style.trim_end()),
                inline_katex_css(&katex, &katex_fonts),
            )
        } else {
            (String::new(), String::new())
        };
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
            katex_css: format!("{}{KATEX_CSS}", site.base_path),
            mermaid_js: format!("{}mermaid/mermaid.min.js", site.base_path),
            style_css: format!("{}{STYLE_CSS}", site.base_path),
            inline_css,
            theme_css,
            katex_inline_css,
            feed_url: site.url_of_file("atom.xml"),
            permalink_root: &site.permalink_root,
            live_reload: options.live_reload.as_deref(),
        };
        let base = Context::from_serialize(&globals).map_err(|e| theme.diagnostic(&e))?;
        let globals_hash = hash_of(&(hash_json(&globals), salt, theme.hash()));
        // Each post is on several list pages: hash what they show of it once.
        let entry_hashes = site
            .posts
            .par_iter()
            .map(|post| hash_of(&entry_key(post)))
            .collect();
        Ok(Self {
            site,
            theme,
            base,
            globals_hash,
            entry_hashes,
            excerpt_fonts: site
                .posts
                .par_iter()
                .map(|post| {
                    let mut used = BTreeSet::new();
                    if post.excerpt_has_math {
                        font_rules.add_used(&post.excerpt, &mut used);
                    }
                    used.into_iter().map(str::to_owned).collect()
                })
                .collect(),
        })
    }

    /// Every page to render: articles, lists, taxonomies, archives, search
    /// (loading the index whose text is `search_index`), 404.
    pub fn jobs(&self, config: &Config, search_index: &str) -> Vec<Job<'a>> {
        let site = self.site;
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

    /// A hash of everything `job`'s page depends on: when it is the same as
    /// last time, the page is the same. Articles are keyed by their source's
    /// hash rather than their (large) HTML.
    pub fn key(&self, job: &Job<'_>) -> u64 {
        let site = self.site;
        let mut hasher = StableHasher::new();
        self.globals_hash.hash(&mut hasher);
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
                    self.entry_hashes[i].hash(&mut hasher);
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
        job.template().hash(&mut hasher);
        hasher.finish()
    }

    /// Renders `job`'s page; an article's page shows `content` (its HTML,
    /// links resolved).
    pub fn render(&self, job: &Job<'_>, content: &str) -> Result<Arc<[u8]>, Diagnostic> {
        let site = self.site;
        let mut context = self.base.clone();
        let mut math_fonts = BTreeSet::new();
        match job {
            Job::Post(post) => {
                context.insert("page", &PostPage { post, content });
                context.insert("has_math", &post.has_math);
                context.insert("has_diagram", &post.has_diagram);
                context.insert("current_url", &post.url);
            }
            Job::List(list) => {
                // Pinned articles lead the index (only there is that shown).
                let on_index = list.kind == ListKind::Index;
                let entries: Vec<ListEntry<'_>> = list
                    .posts
                    .iter()
                    .map(|&i| ListEntry {
                        pinned: on_index && site.posts[i].pinned,
                        ..ListEntry::from(&site.posts[i])
                    })
                    .collect();
                let has_math = list.posts.iter().any(|&i| site.posts[i].excerpt_has_math);
                // A list lays out every excerpt at once, so their fonts are
                // fetched at load anyway: preloaded, they start with the HTML.
                // (An article lays out blocks as they come into view, and
                // fetches their fonts then: it preloads nothing.)
                for &i in &list.posts {
                    math_fonts.extend(self.excerpt_fonts[i].iter().map(String::as_str));
                }
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
        context.insert("math_fonts", &math_fonts);
        let html = self
            .theme
            .tera
            .render(job.template(), &context)
            .map_err(|e| self.theme.diagnostic(&e))?;
        Ok(html.into_bytes().into())
    }
}

/// An article's page as its template sees it (`page`): the post and its HTML.
#[derive(Serialize)]
struct PostPage<'a> {
    #[serde(flatten)]
    post: &'a Post,
    content: &'a str,
}

/// What an [`ListEntry`] shows, for hashing. Like a post's own key, it stands for
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
        (
            post.has_more,
            post.reading_minutes,
            post.word_count,
            post.pinned,
        ),
    )
}

/// One page to render: which template, and for what.
pub enum Job<'a> {
    /// An article's page.
    Post(&'a Post),
    /// One page of a list (the index, a term).
    List(ListPage),
    /// The list of a taxonomy's terms.
    TaxonomyIndex(&'a Taxonomy),
    /// Every article by year and month.
    Archives(Vec<ArchiveYear>),
    /// The search page, with the URL of the index it loads.
    Search {
        /// The index's URL, versioned by its contents.
        index_url: String,
    },
    /// The page for missing URLs.
    NotFound,
}

impl Job<'_> {
    /// The template that renders it.
    fn template(&self) -> &'static str {
        match self {
            Job::Post(_) => "page.html",
            Job::List(list) if list.kind == ListKind::Index => "index.html",
            Job::List(_) => "taxonomy_term.html",
            Job::TaxonomyIndex(_) => "taxonomy_list.html",
            Job::Archives(_) => "archives.html",
            Job::Search { .. } => "search.html",
            Job::NotFound => "404.html",
        }
    }

    /// Where the page is written, relative to the output folder.
    pub fn path(&self) -> String {
        let dir = match self {
            Job::Post(post) => return post.output_file.clone(),
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
}

/// The URL of a generated file with a hash of its contents as a query, so that
/// browsers never use a stale copy after a rebuild. The hash is SipHash-1-3
/// with zero keys, a specified function (the one these URLs always had).
fn versioned_url(site: &Site, path: &str, contents: &str) -> String {
    let mut hasher = siphasher::sip::SipHasher13::new();
    contents.hash(&mut hasher);
    format!("{}?v={:08x}", site.url_of_file(path), hasher.finish() >> 32)
}

/// Files that go beside article pages: everything in a bundle folder, and the
/// files an article links to by a relative path.
pub fn article_assets(site: &Site, root: &Path, assets: &[PathBuf]) -> BTreeSet<(String, PathBuf)> {
    let content_dir = root.join(CONTENT_DIR);
    let known: BTreeSet<&Path> = assets.iter().map(PathBuf::as_path).collect();
    let mut files = BTreeSet::new();
    for post in &site.posts {
        let source_dir = post.source.parent().unwrap_or(Path::new(""));
        // A bundle's folder, or a Hexo post asset folder (`foo/` beside `foo.md`):
        // every file in it goes beside the page.
        let folder = match post.is_bundle {
            true => Some(source_dir.to_path_buf()),
            false => post.asset_folder(),
        };
        if let Some(folder) = folder {
            for asset in assets.iter().filter(|a| a.starts_with(&folder)) {
                if let Ok(inside) = asset.strip_prefix(&folder) {
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
