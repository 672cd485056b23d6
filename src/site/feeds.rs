//! Files for machines: Atom and RSS feeds, the sitemap and robots.txt.
//!
//! Written in Rust rather than templates so escaping and date formats are
//! right by construction. Formulas in feed entries are MathML alone
//! (`markdown::mathml_only`): readers do not load the site's KaTeX stylesheet.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{Post, Site};
use crate::config::Config;
use crate::markdown::{escape, mathml_only};

/// A generated file: path in the output (`/`-separated), and its text.
pub type Generated = (String, String);

/// Each article's HTML, for full-content feeds: by index in [`Site::posts`]
/// (only those [`posts_in_feeds`] lists are asked for).
pub type ArticleHtml<'a> = &'a (dyn Fn(usize) -> Arc<str> + Sync);

/// Every machine-readable file of the site. Full-content feeds take each
/// article's HTML from `html`.
pub fn generate<'a>(
    site: &'a Site,
    config: &'a Config,
    html: ArticleHtml<'a>,
) -> impl Iterator<Item = Generated> + 'a {
    let tz = config.time_zone();
    let body = FeedBody { config, html };
    let newest: Vec<usize> = (0..site.posts.len()).take(config.feed.limit).collect();
    let files = vec![
        (
            "atom.xml".to_string(),
            atom(site, config, &body, &newest, "atom.xml", &config.title),
        ),
        (
            "rss.xml".to_string(),
            rss(site, config, &body, &newest, &tz),
        ),
        ("sitemap.xml".to_string(), sitemap(site, &tz)),
        ("robots.txt".to_string(), robots(site)),
    ];
    // One feed per tag, each made when it is asked for: the caller writes
    // it away before the next (thousands of tags at 100,000 articles).
    let tags = tag_terms(site).map(move |(taxonomy, term)| {
        let posts: Vec<usize> = term.posts.iter().take(config.feed.limit).copied().collect();
        let path = format!("{}/{}/atom.xml", taxonomy.key, term.slug);
        let title = format!("{} · {}：{}", config.title, taxonomy.title, term.name);
        let feed = atom(site, config, &body, &posts, &path, &title);
        (path, feed)
    });
    files.into_iter().chain(tags)
}

/// The articles some feed shows, by index in [`Site::posts`], sorted.
pub fn posts_in_feeds(site: &Site, config: &Config) -> Vec<usize> {
    let mut posts: std::collections::BTreeSet<usize> =
        (0..site.posts.len()).take(config.feed.limit).collect();
    for (_, term) in tag_terms(site) {
        posts.extend(term.posts.iter().take(config.feed.limit));
    }
    posts.into_iter().collect()
}

/// Every tag, which has its own feed.
fn tag_terms(site: &Site) -> impl Iterator<Item = (&super::Taxonomy, &super::Term)> {
    site.taxonomies
        .iter()
        .filter(|t| t.key == "tags")
        .flat_map(|t| t.terms.iter().map(move |term| (t, term)))
}

/// What a feed entry carries: the article or its excerpt, per `feed.full_content`.
struct FeedBody<'a> {
    config: &'a Config,
    html: ArticleHtml<'a>,
}

impl FeedBody<'_> {
    /// `("content", article)` or `("summary", excerpt)`, formulas as MathML.
    fn of(&self, site: &Site, index: usize) -> (&'static str, Arc<str>) {
        let (element, html) = if self.config.feed.full_content {
            ("content", (self.html)(index))
        } else {
            ("summary", Arc::clone(&site.posts[index].excerpt))
        };
        (element, with_mathml(html))
    }
}

/// `html` with KaTeX's formulas as bare MathML: feed readers show no site
/// stylesheet, without which KaTeX's HTML is unreadable, but render MathML.
fn with_mathml(html: Arc<str>) -> Arc<str> {
    let changed = match mathml_only(&html) {
        Cow::Owned(changed) => Some(changed),
        Cow::Borrowed(_) => None,
    };
    changed.map_or(html, Arc::from)
}

/// The absolute URL of a path relative to the output root.
fn absolute(site: &Site, path: &str) -> String {
    format!("{}{}", site.permalink_root, site.url_of_file(path))
}

fn atom(
    site: &Site,
    config: &Config,
    body: &FeedBody<'_>,
    posts: &[usize],
    self_path: &str,
    title: &str,
) -> String {
    let home = absolute(site, "");
    let updated = posts
        .iter()
        .map(|&i| site.posts[i].last_modified())
        .max()
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let author = if config.author.is_empty() {
        &config.title
    } else {
        &config.author
    };
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        xml,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        escape(&config.language)
    );
    let _ = writeln!(xml, "  <title>{}</title>", escape(title));
    if !config.subtitle.is_empty() {
        let _ = writeln!(xml, "  <subtitle>{}</subtitle>", escape(&config.subtitle));
    }
    let _ = writeln!(
        xml,
        "  <link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>",
        escape(&absolute(site, self_path))
    );
    let _ = writeln!(
        xml,
        "  <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>",
        escape(&home)
    );
    let _ = writeln!(xml, "  <id>{}</id>", escape(&absolute(site, self_path)));
    let _ = writeln!(xml, "  <updated>{}</updated>", rfc3339(updated));
    let _ = writeln!(xml, "  <author><name>{}</name></author>", escape(author));
    let _ = writeln!(
        xml,
        "  <generator version=\"{}\">blogsmith</generator>",
        env!("CARGO_PKG_VERSION")
    );
    for &index in posts {
        let post: &Post = &site.posts[index];
        xml.push_str("  <entry>\n");
        let _ = writeln!(xml, "    <title>{}</title>", escape(&post.title));
        let _ = writeln!(
            xml,
            "    <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>",
            escape(&post.permalink)
        );
        let _ = writeln!(xml, "    <id>{}</id>", escape(&post.permalink));
        let _ = writeln!(
            xml,
            "    <published>{}</published>",
            rfc3339(post.published())
        );
        let _ = writeln!(
            xml,
            "    <updated>{}</updated>",
            rfc3339(post.last_modified())
        );
        for link in post.categories.iter().chain(&post.tags) {
            let _ = writeln!(xml, "    <category term=\"{}\"/>", escape(&link.name));
        }
        let (element, html) = body.of(site, index);
        let _ = writeln!(
            xml,
            "    <{element} type=\"html\">{}</{element}>",
            escape(&html)
        );
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

fn rss(
    site: &Site,
    config: &Config,
    body: &FeedBody<'_>,
    posts: &[usize],
    tz: &TimeZone,
) -> String {
    let last = posts
        .iter()
        .map(|&i| site.posts[i].last_modified())
        .max()
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let description = if config.description.is_empty() {
        &config.subtitle
    } else {
        &config.description
    };
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n");
    let _ = writeln!(xml, "  <title>{}</title>", escape(&config.title));
    let _ = writeln!(xml, "  <link>{}</link>", escape(&absolute(site, "")));
    let _ = writeln!(xml, "  <description>{}</description>", escape(description));
    let _ = writeln!(xml, "  <language>{}</language>", escape(&config.language));
    let _ = writeln!(
        xml,
        "  <generator>blogsmith {}</generator>",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        xml,
        "  <lastBuildDate>{}</lastBuildDate>",
        rfc2822(last, tz)
    );
    let _ = writeln!(
        xml,
        "  <atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>",
        escape(&absolute(site, "rss.xml"))
    );
    for &index in posts {
        let post: &Post = &site.posts[index];
        xml.push_str("  <item>\n");
        let _ = writeln!(xml, "    <title>{}</title>", escape(&post.title));
        let _ = writeln!(xml, "    <link>{}</link>", escape(&post.permalink));
        let _ = writeln!(
            xml,
            "    <guid isPermaLink=\"true\">{}</guid>",
            escape(&post.permalink)
        );
        let _ = writeln!(
            xml,
            "    <pubDate>{}</pubDate>",
            rfc2822(post.published(), tz)
        );
        for link in post.categories.iter().chain(&post.tags) {
            let _ = writeln!(xml, "    <category>{}</category>", escape(&link.name));
        }
        let _ = writeln!(
            xml,
            "    <description>{}</description>",
            escape(&body.of(site, index).1)
        );
        xml.push_str("  </item>\n");
    }
    xml.push_str("</channel>\n</rss>\n");
    xml
}

/// Every HTML page but the 404, with the date of its newest article.
fn sitemap(site: &Site, tz: &TimeZone) -> String {
    let mut urls: Vec<(String, Timestamp)> = Vec::new();
    let newest = |posts: &[usize]| posts.iter().map(|&i| site.posts[i].last_modified()).max();
    for list in site.list_pages() {
        let when = newest(&list.posts).unwrap_or(Timestamp::UNIX_EPOCH);
        urls.push((site.url_of_dir(&list.output_dir), when));
    }
    for post in &site.posts {
        urls.push((post.url.clone(), post.last_modified()));
    }
    for taxonomy in &site.taxonomies {
        let all: Vec<usize> = taxonomy
            .terms
            .iter()
            .flat_map(|t| t.posts.iter().copied())
            .collect();
        urls.push((
            taxonomy.url.clone(),
            newest(&all).unwrap_or(Timestamp::UNIX_EPOCH),
        ));
    }
    let all: Vec<usize> = (0..site.posts.len()).collect();
    urls.push((
        site.url_of_dir("archives"),
        newest(&all).unwrap_or(Timestamp::UNIX_EPOCH),
    ));
    urls.sort();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (url, when) in urls {
        let _ = writeln!(
            xml,
            "  <url><loc>{}</loc><lastmod>{}</lastmod></url>",
            escape(&format!("{}{url}", site.permalink_root)),
            when.to_zoned(tz.clone()).strftime("%Y-%m-%d")
        );
    }
    xml.push_str("</urlset>\n");
    xml
}

fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        absolute(site, "sitemap.xml")
    )
}

fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn rfc2822(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone())
        .strftime("%a, %d %b %Y %H:%M:%S %z")
        .to_string()
}
