//! The whole site: articles in order, their neighbours, list pages and taxonomies.

mod article;
pub mod feeds;
mod links;
pub mod paginate;
pub mod permalink;
mod references;
pub mod search;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::config::{Config, TaxonomyConfig};
use crate::diagnostic::{Diagnostic, Position};
use crate::markdown::LocalLink;
use crate::markdown::headings::{TocNode, nest};
use crate::util::url::{encode_path, slugify};
pub use article::{Article, ArticleTexts};
pub use links::{check_root_links, replace_markers};
use paginate::PagerItem;

/// A name and where it links to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Link {
    /// Shown text.
    pub name: String,
    /// Percent-encoded URL path, with the site's base path.
    pub url: String,
}

/// One article, as templates see it (`page`, with its HTML as `content`:
/// see `render`). The HTML itself is not here: it goes from the article's
/// rendering straight to its page.
#[derive(Debug, Clone, Serialize)]
pub struct Post {
    /// Title.
    pub title: String,
    /// Slug.
    pub slug: String,
    /// URL path, e.g. `/posts/rope/`.
    pub url: String,
    /// Absolute URL (`base_url` + path).
    pub permalink: String,
    /// Publication date for people, e.g. `2026-03-14`.
    pub date: String,
    /// Publication date and time, RFC 3339 in the site's time zone.
    pub date_iso: String,
    /// Last update for people, when given.
    pub updated: Option<String>,
    /// Last update, RFC 3339.
    pub updated_iso: Option<String>,
    /// Tags, linked.
    pub tags: Vec<Link>,
    /// Categories, linked.
    pub categories: Vec<Link>,
    /// Table of contents, two levels deep.
    pub toc: Vec<TocNode>,
    /// Excerpt HTML for lists.
    pub excerpt: std::sync::Arc<str>,
    /// Plain-text summary for `<meta name="description">`.
    pub description: String,
    /// Whether "read more" makes sense.
    pub has_more: bool,
    /// Estimated minutes to read.
    pub reading_minutes: usize,
    /// CJK characters plus other words.
    pub word_count: usize,
    /// Whether the article has formulas (the page then links the KaTeX CSS).
    pub has_math: bool,
    /// Whether the article has a Mermaid diagram (its page loads Mermaid).
    pub has_diagram: bool,
    /// Pinned at the top of the index (`top:`, `sticky:`).
    pub pinned: bool,
    /// Whether the excerpt has formulas.
    pub excerpt_has_math: bool,
    /// Unknown front matter keys.
    pub extra: BTreeMap<String, serde_json::Value>,
    /// The newer neighbour, if any.
    pub newer: Option<Link>,
    /// A hash of the source file: a page whose source, neighbours and terms did not change need not be rendered again.
    #[serde(skip)]
    pub source_hash: u64,
    /// The older neighbour, if any.
    pub older: Option<Link>,
    /// Output folder relative to the output root (not percent-encoded): the
    /// page's folder, where its files go.
    #[serde(skip)]
    pub output_dir: String,
    /// The page's file relative to the output root (`posts/rope/index.html`).
    #[serde(skip)]
    pub output_file: String,
    /// Other paths that redirect to the article (`aliases:`), as output files.
    #[serde(skip)]
    pub redirects: Vec<String>,
    /// Where the article's `aliases:` are written, for problems with them.
    #[serde(skip)]
    pub aliases_at: Option<Position>,
    /// Where the article's own `permalink:`/`url:` is written.
    #[serde(skip)]
    pub permalink_at: Option<Position>,
    /// The source file, relative to `content/`.
    #[serde(skip)]
    pub source: PathBuf,
    /// Where the article's links point, by link marker number (see
    /// [`links::resolve`]): what its HTML gets in place of the markers.
    #[serde(skip)]
    pub link_targets: HashMap<usize, links::LinkTarget>,
    /// Whether the source is a bundle (`name/index.md`) whose files go with it.
    #[serde(skip)]
    pub is_bundle: bool,
    /// Relative links: files to copy beside the page, articles and anchors to check.
    #[serde(skip)]
    pub local_links: Vec<LocalLink>,
    /// Every heading id of the page, the ids of its HTML (and `more`): the
    /// targets of `#anchor` links.
    #[serde(skip)]
    pub anchors: Vec<String>,
    /// Links to paths of the site (`/posts/x/`), checked against its pages.
    #[serde(skip)]
    pub root_links: Vec<LocalLink>,
    /// The labels the article defines, for references (see [`links::resolve`]).
    #[serde(skip)]
    pub labels: Vec<crate::markdown::Label>,
    #[serde(skip)]
    timestamp: Timestamp,
    #[serde(skip)]
    updated_timestamp: Option<Timestamp>,
}

impl Post {
    /// When it was published.
    pub fn published(&self) -> Timestamp {
        self.timestamp
    }

    /// When it last changed: `updated`, else its date.
    pub fn last_modified(&self) -> Timestamp {
        self.updated_timestamp.unwrap_or(self.timestamp)
    }

    /// The folder whose files go with a non-bundle article (Hexo's post asset
    /// folder: `foo/` beside `foo.md`), relative to `content/`; `None` for bundles.
    pub fn asset_folder(&self) -> Option<PathBuf> {
        (!self.is_bundle).then(|| self.source.with_extension(""))
    }

    /// The article's HTML with its links pointed at their targets, from its
    /// rendering (`html`, with link markers).
    pub fn resolve_links(&self, html: &str) -> String {
        if self.link_targets.is_empty() {
            return html.to_string();
        }
        let targets = self
            .link_targets
            .iter()
            .map(|(i, target)| (*i, target))
            .collect();
        links::replace_markers(html, &targets)
    }
}

/// One term of a taxonomy (a tag or a category).
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    /// Shown name.
    pub name: String,
    /// URL segment.
    pub slug: String,
    /// URL path of its first page.
    pub url: String,
    /// Number of articles.
    pub count: usize,
    /// Indexes into [`Site::posts`], newest first.
    #[serde(skip)]
    pub posts: Vec<usize>,
}

/// Tags or categories.
#[derive(Debug, Clone, Serialize)]
pub struct Taxonomy {
    /// `tags` or `categories`: the front matter key and URL folder.
    pub key: &'static str,
    /// Heading, e.g. `标签`.
    pub title: String,
    /// URL of the list of all terms.
    pub url: String,
    /// Terms, most used first, then by name.
    pub terms: Vec<Term>,
    /// Articles per term page.
    #[serde(skip)]
    pub paginate: usize,
}

/// What a list page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// The index: all articles.
    Index,
    /// One term: (taxonomy index, term index).
    Term(usize, usize),
}

/// One page of a paginated list.
#[derive(Debug, Clone)]
pub struct ListPage {
    /// What it lists.
    pub kind: ListKind,
    /// Output folder relative to the output root (`""`, `page/2`, `tags/x/page/2`).
    pub output_dir: String,
    /// Indexes into [`Site::posts`] shown on this page.
    pub posts: Vec<usize>,
    /// The pager state.
    pub paginator: Paginator,
}

/// The pager state of a list page, as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct Paginator {
    /// 1-based page number.
    pub current: usize,
    /// Number of pages.
    pub total: usize,
    /// URL of the previous page.
    pub prev_url: Option<String>,
    /// URL of the next page.
    pub next_url: Option<String>,
    /// Numbers and gaps, like `1 2 3 … 5`.
    pub pages: Vec<PagerItem>,
}

/// One year of the archives.
#[derive(Debug, Clone, Serialize)]
pub struct ArchiveYear {
    /// The year.
    pub year: i16,
    /// Articles that year.
    pub count: usize,
    /// Its months, newest first.
    pub months: Vec<ArchiveMonth>,
}

/// One month of the archives.
#[derive(Debug, Clone, Serialize)]
pub struct ArchiveMonth {
    /// 1–12.
    pub month: i8,
    /// Its articles, newest first.
    pub entries: Vec<Link>,
}

/// The assembled site.
#[derive(Debug)]
pub struct Site {
    /// Articles, newest first (ties by title).
    pub posts: Vec<Post>,
    /// Enabled taxonomies.
    pub taxonomies: Vec<Taxonomy>,
    /// The base path every URL starts with (`/` or `/notes/`).
    pub base_path: String,
    /// Articles per index page.
    pub paginate: usize,
    /// What goes before a URL path to make it absolute (`https://example.com`), or empty.
    pub permalink_root: String,
    /// Redirect pages: (output file, the URL it sends to).
    pub redirects: Vec<(String, String)>,
}

impl Site {
    /// Orders the articles, links neighbours, and groups them into taxonomies.
    pub fn assemble(
        articles: &[std::sync::Arc<Article>],
        config: &Config,
        assets: &[PathBuf],
    ) -> (Self, Vec<Diagnostic>) {
        Self::assemble_with(articles, config, assets, &|_| HashMap::new())
    }

    /// [`Site::assemble`], the local images shown in articles getting their
    /// `width` and `height` from `image_sizes`.
    pub fn assemble_with(
        articles: &[std::sync::Arc<Article>],
        config: &Config,
        assets: &[PathBuf],
        image_sizes: links::ImageSizes<'_>,
    ) -> (Self, Vec<Diagnostic>) {
        let base_path = config.base_path();
        let tz = config.time_zone();
        let permalink_base = config.base_url.trim_end_matches('/').to_string();
        let permalink_root = permalink_base
            .strip_suffix(base_path.trim_end_matches('/'))
            .unwrap_or(&permalink_base)
            .to_string();
        let mut diagnostics = Vec::new();
        let mut posts: Vec<Post> = articles
            .iter()
            .map(|a| {
                let route =
                    permalink::route(&a.page, &config.permalink, &tz).unwrap_or_else(|| {
                        diagnostics.push(
                            Diagnostic::error(
                                &a.page.source,
                                format!(
                                    "the permalink `{}` gives no path inside the site",
                                    a.page.permalink.as_deref().unwrap_or(&config.permalink)
                                ),
                            )
                            .at_maybe(a.page.permalink_at)
                            .with_hint("write a path such as /2019/07/29/name/"),
                        );
                        permalink::Route::of_path(&format!("posts/{}/", a.page.slug)).unwrap_or(
                            permalink::Route {
                                file: "posts/index.html".into(),
                            },
                        )
                    });
                diagnostics.extend(aliases_outside_the_site(&a.page));
                to_post(a, route, &base_path, &permalink_root, &tz)
            })
            .collect();
        posts.sort_by(|a, b| {
            b.timestamp
                .cmp(&a.timestamp)
                .then_with(|| a.title.cmp(&b.title))
                .then_with(|| a.slug.cmp(&b.slug))
        });
        link_neighbours(&mut posts);
        diagnostics.extend(clashing_routes(&posts));
        if !config.base_url.contains("://") {
            diagnostics.push(
                Diagnostic::warning(crate::config::CONFIG_FILE, format!("base_url `{}` is not an absolute URL: feeds, the sitemap and canonical links will be relative", config.base_url))
                    .with_hint("set base_url to where the site is published, e.g. https://example.com/"),
            );
        }
        let mut taxonomies = Vec::new();
        let specs: [(&'static str, &TaxonomyConfig); 2] = [
            ("tags", &config.taxonomies.tags),
            ("categories", &config.taxonomies.categories),
        ];
        for (key, spec) in specs {
            if !spec.enabled {
                continue;
            }
            let names = |post: &Post| -> Vec<String> {
                let links = if key == "tags" {
                    &post.tags
                } else {
                    &post.categories
                };
                links.iter().map(|l| l.name.clone()).collect()
            };
            let (taxonomy, problems) =
                group_terms(key, spec, config.paginate, &base_path, &posts, names);
            diagnostics.extend(problems);
            taxonomies.push(taxonomy);
        }
        resolve_term_links(&mut posts, &taxonomies);
        let assets: std::collections::BTreeSet<PathBuf> = assets.iter().cloned().collect();
        diagnostics.extend(links::resolve(&mut posts, &assets, image_sizes));
        let mut site = Self {
            posts,
            taxonomies,
            base_path,
            paginate: config.paginate,
            permalink_root: permalink_root.clone(),
            redirects: Vec::new(),
        };
        let (redirects, problems) = site.redirect_pages();
        site.redirects = redirects;
        diagnostics.extend(problems);
        (site, diagnostics)
    }

    /// Every page of every list: the index, then each term of each taxonomy.
    pub fn list_pages(&self) -> Vec<ListPage> {
        // Pinned articles (`top:`, `sticky:`) first on the index, newest first among them.
        let mut all: Vec<usize> = (0..self.posts.len()).collect();
        all.sort_by_key(|&i| !self.posts[i].pinned);
        let mut pages = self.paginate_list(ListKind::Index, "", &all, self.paginate);
        for (t, taxonomy) in self.taxonomies.iter().enumerate() {
            for (i, term) in taxonomy.terms.iter().enumerate() {
                let folder = format!("{}/{}", taxonomy.key, term.slug);
                pages.extend(self.paginate_list(
                    ListKind::Term(t, i),
                    &folder,
                    &term.posts,
                    taxonomy.paginate,
                ));
            }
        }
        pages
    }

    fn paginate_list(
        &self,
        kind: ListKind,
        folder: &str,
        posts: &[usize],
        per_page: usize,
    ) -> Vec<ListPage> {
        let chunks = paginate::chunks(posts.len(), per_page);
        let total = chunks.len();
        let dir = |n: usize| -> String {
            match (folder.is_empty(), n) {
                (true, 1) => String::new(),
                (true, n) => format!("page/{n}"),
                (false, 1) => folder.to_string(),
                (false, n) => format!("{folder}/page/{n}"),
            }
        };
        let url = |n: usize| self.url_of_dir(&dir(n));
        chunks
            .into_iter()
            .enumerate()
            .map(|(i, range)| {
                let current = i + 1;
                ListPage {
                    kind,
                    output_dir: dir(current),
                    posts: posts[range].to_vec(),
                    paginator: Paginator {
                        current,
                        total,
                        prev_url: (current > 1).then(|| url(current - 1)),
                        next_url: (current < total).then(|| url(current + 1)),
                        pages: paginate::pager(current, total, url),
                    },
                }
            })
            .collect()
    }

    /// The URL of an output file (`tags/x/atom.xml` → `/tags/x/atom.xml`).
    pub fn url_of_file(&self, path: &str) -> String {
        format!("{}{}", self.base_path, encode_path(path))
    }

    /// Every article grouped by year and month (newest first), for `/archives/`.
    pub fn archives(&self, tz: &TimeZone) -> Vec<ArchiveYear> {
        let mut years: Vec<ArchiveYear> = Vec::new();
        for post in &self.posts {
            let date = post.published().to_zoned(tz.clone());
            let (year, month) = (date.year(), date.month());
            if years.last().is_none_or(|y| y.year != year) {
                years.push(ArchiveYear {
                    year,
                    count: 0,
                    months: Vec::new(),
                });
            }
            let Some(current) = years.last_mut() else {
                continue;
            };
            current.count += 1;
            if current.months.last().is_none_or(|m| m.month != month) {
                current.months.push(ArchiveMonth {
                    month,
                    entries: Vec::new(),
                });
            }
            if let Some(m) = current.months.last_mut() {
                m.entries.push(Link {
                    name: post.title.clone(),
                    url: post.url.clone(),
                });
            }
        }
        years
    }

    /// The URL of an output folder (`""` → `/`, `tags/自监督` → `/tags/%E8…/`).
    pub fn url_of_dir(&self, dir: &str) -> String {
        url_of_dir(&self.base_path, dir)
    }

    /// The redirect pages of every article's `aliases:`, each sending to the
    /// article's address, and errors for aliases that are the address of
    /// another page or of another alias.
    fn redirect_pages(&self) -> (Vec<(String, String)>, Vec<Diagnostic>) {
        let mut taken: BTreeMap<String, PathBuf> = self
            .posts
            .iter()
            .map(|post| (post.output_file.clone(), shown_source(post)))
            .collect();
        let lists: Vec<String> = self
            .list_pages()
            .iter()
            .map(|list| match list.output_dir.as_str() {
                "" => "index.html".to_string(),
                dir => format!("{dir}/index.html"),
            })
            .collect();
        let mut redirects = Vec::new();
        let mut problems = Vec::new();
        // In source order: which of two clashing aliases wins does not depend on dates.
        let mut by_source: Vec<&Post> = self.posts.iter().collect();
        by_source.sort_by(|a, b| a.source.cmp(&b.source));
        for post in by_source {
            for file in &post.redirects {
                let clash = taken
                    .get(file)
                    .cloned()
                    .or_else(|| lists.contains(file).then(|| PathBuf::from("a list page")));
                if let Some(other) = clash {
                    problems.push(
                        Diagnostic::error(
                            shown_source(post),
                            format!(
                                "alias `{file}` is already the address of {}",
                                other.display()
                            ),
                        )
                        .at_maybe(post.aliases_at)
                        .with_hint("remove the alias, or change one of the two addresses"),
                    );
                    continue;
                }
                taken.insert(file.clone(), shown_source(post));
                redirects.push((file.clone(), format!("{}{}", self.permalink_root, post.url)));
            }
        }
        redirects.sort();
        (redirects, problems)
    }
}

fn url_of_dir(base_path: &str, dir: &str) -> String {
    if dir.is_empty() {
        base_path.to_string()
    } else {
        format!("{base_path}{}/", encode_path(dir))
    }
}

/// Errors for aliases that name no page inside the site (`/`, `../x/`).
fn aliases_outside_the_site(page: &crate::content::Page) -> Vec<Diagnostic> {
    page.aliases
        .iter()
        .filter(|alias| permalink::Route::of_path(alias).is_none())
        .map(|alias| {
            Diagnostic::error(
                &page.source,
                format!("the alias `{alias}` gives no page inside the site"),
            )
            .at_maybe(page.aliases_at)
            .with_hint("write the old address as a path, e.g. /2019/07/29/name/")
        })
        .collect()
}

/// Errors for articles published at the same path, each naming the other file.
fn clashing_routes(posts: &[Post]) -> Vec<Diagnostic> {
    let mut by_file: BTreeMap<&str, Vec<&Post>> = BTreeMap::new();
    for post in posts {
        by_file.entry(&post.output_file).or_default().push(post);
    }
    by_file
        .into_values()
        .filter(|posts| posts.len() > 1)
        .map(|mut posts| {
            posts.sort_by(|a, b| a.source.cmp(&b.source));
            // Reported where an address was written by hand, if one was.
            let first = posts
                .iter()
                .position(|p| p.permalink_at.is_some())
                .unwrap_or(0);
            let reported = posts.remove(first);
            let others: Vec<String> = posts
                .iter()
                .map(|p| shown_source(p).display().to_string())
                .collect();
            Diagnostic::error(
                shown_source(reported),
                format!("`{}` is also the address of {}", reported.url, others.join(", ")),
            )
            .at_maybe(reported.permalink_at)
            .with_hint("give one of them another `slug:` (or `permalink:`) in its front matter, or rename the file")
        })
        .collect()
}

/// An article's file as messages show it: `content/…`.
fn shown_source(post: &Post) -> PathBuf {
    PathBuf::from(crate::content::CONTENT_DIR).join(&post.source)
}

/// The article as templates see it.
fn to_post(
    article: &Article,
    route: permalink::Route,
    base_path: &str,
    permalink_root: &str,
    tz: &TimeZone,
) -> Post {
    let Article {
        page,
        toc,
        description,
        excerpt,
        formulas,
        code_blocks: _,
        diagrams,
        text,
        local_links,
        root_links,
        external_links: _,
        html_anchors,
        labels,
        source_hash,
        bibliographies: _,
    } = article;
    let output_dir = route.dir().to_string();
    let url = match route.is_index() {
        true => url_of_dir(base_path, &output_dir),
        false => format!("{base_path}{}", encode_path(&route.file)),
    };
    let redirects = page
        .aliases
        .iter()
        .filter_map(|alias| permalink::Route::of_path(alias))
        .map(|route| route.file)
        .collect();
    let name_link = |name: &String| Link {
        name: name.clone(),
        url: String::new(),
    };
    Post {
        title: page.title.clone(),
        permalink: format!("{permalink_root}{url}"),
        url,
        date: human_date(page.date, tz),
        date_iso: iso_date(page.date, tz),
        updated: page.updated.map(|t| human_date(t, tz)),
        updated_iso: page.updated.map(|t| iso_date(t, tz)),
        tags: page.tags.iter().map(name_link).collect(),
        categories: page.categories.iter().map(name_link).collect(),
        has_math: *formulas > 0,
        has_diagram: *diagrams > 0,
        pinned: page.pinned,
        toc: nest(toc),
        description: page
            .description
            .clone()
            .or_else(|| page.summary.clone())
            .unwrap_or_else(|| description.clone()),
        excerpt: std::sync::Arc::clone(&excerpt.html),
        has_more: excerpt.is_partial,
        reading_minutes: text.reading_minutes(),
        word_count: text.cjk_chars + text.words,
        excerpt_has_math: excerpt.has_math,
        extra: page.extra.clone(),
        newer: None,
        older: None,
        source_hash: *source_hash,
        output_dir,
        output_file: route.file,
        redirects,
        aliases_at: page.aliases_at,
        permalink_at: page.permalink_at,
        source: page.relative.clone(),
        link_targets: HashMap::new(),
        is_bundle: page.is_bundle,
        anchors: toc
            .iter()
            .map(|h| h.id.clone())
            .chain(html_anchors.iter().cloned())
            .chain(std::iter::once("more".to_string()))
            .collect(),
        root_links: root_links.clone(),
        local_links: local_links.clone(),
        labels: labels.clone(),
        slug: page.slug.clone(),
        timestamp: page.date,
        updated_timestamp: page.updated,
    }
}

fn human_date(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone()).strftime("%Y-%m-%d").to_string()
}

fn iso_date(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn link_neighbours(posts: &mut [Post]) {
    let links: Vec<Link> = posts
        .iter()
        .map(|p| Link {
            name: p.title.clone(),
            url: p.url.clone(),
        })
        .collect();
    for (i, post) in posts.iter_mut().enumerate() {
        post.newer = i.checked_sub(1).map(|j| links[j].clone());
        post.older = links.get(i + 1).cloned();
    }
}

/// Groups posts by term slug; terms differing only in case (or punctuation) are one.
fn group_terms(
    key: &'static str,
    spec: &TaxonomyConfig,
    default_paginate: usize,
    base_path: &str,
    posts: &[Post],
    names_of: impl Fn(&Post) -> Vec<String>,
) -> (Taxonomy, Vec<Diagnostic>) {
    let mut by_slug: BTreeMap<String, (Vec<String>, Vec<usize>)> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    for (index, post) in posts.iter().enumerate() {
        for name in with_parents(key, names_of(post)) {
            let slug = term_slug(key, &name);
            if slug.is_empty() {
                diagnostics.push(
                    Diagnostic::warning(
                        PathBuf::from("content").join(&post.source),
                        format!("{key} entry `{name}` has no letters or digits; left out"),
                    )
                    .with_hint("use a name with at least one letter, digit or Chinese character"),
                );
                continue;
            }
            let entry = by_slug.entry(slug).or_default();
            entry.0.push(name);
            if entry.1.last() != Some(&index) {
                entry.1.push(index);
            }
        }
    }
    let mut terms: Vec<Term> = by_slug
        .into_iter()
        .map(|(slug, (mut names, posts))| {
            // The spelling shown is deterministic whatever the article order: the smallest.
            names.sort();
            let name = names.swap_remove(0);
            Term {
                url: url_of_dir(base_path, &format!("{key}/{slug}")),
                count: posts.len(),
                name,
                slug,
                posts,
            }
        })
        .collect();
    terms.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    let taxonomy = Taxonomy {
        key,
        title: spec.title.clone(),
        url: url_of_dir(base_path, key),
        terms,
        paginate: spec.paginate.unwrap_or(default_paginate).max(1),
    };
    (taxonomy, diagnostics)
}

/// Whether a taxonomy's terms form a hierarchy: categories, written
/// `机器学习/优化` (Hexo's nested lists become that).
fn is_hierarchy(key: &str) -> bool {
    key == "categories"
}

/// A term's URL segment(s): one slug, or one per level of a hierarchy
/// (`机器学习/优化` → `机器学习/优化`, each level slugified).
fn term_slug(key: &str, name: &str) -> String {
    if !is_hierarchy(key) {
        return slugify(name);
    }
    name.split('/')
        .map(slugify)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// `names` with, in a hierarchy, every level above each (`A/B` → `A`, `A/B`):
/// an article in a subcategory is listed on its parents' pages too.
fn with_parents(key: &str, names: Vec<String>) -> Vec<String> {
    if !is_hierarchy(key) {
        return names;
    }
    let mut all = Vec::with_capacity(names.len());
    for name in names {
        let levels: Vec<&str> = name
            .split('/')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        for depth in 1..levels.len() {
            all.push(levels[..depth].join("/"));
        }
        all.push(levels.join("/"));
    }
    all
}

/// Points each post's tag and category links at their term pages, with the term's shown name.
fn resolve_term_links(posts: &mut [Post], taxonomies: &[Taxonomy]) {
    for post in posts.iter_mut() {
        for (key, links) in [
            ("tags", &mut post.tags),
            ("categories", &mut post.categories),
        ] {
            let taxonomy = taxonomies.iter().find(|t| t.key == key);
            let mut seen = Vec::new();
            links.retain_mut(|link| {
                let slug = term_slug(key, &link.name);
                let Some(term) =
                    taxonomy.and_then(|t| t.terms.iter().find(|term| term.slug == slug))
                else {
                    return taxonomy.is_none() && !slug.is_empty();
                };
                if seen.contains(&slug) {
                    return false;
                }
                seen.push(slug);
                link.name = term.name.clone();
                link.url = term.url.clone();
                true
            });
        }
    }
}

#[cfg(test)]
mod tests;
